"""The engine with the predictor service: real engine, real service process, a deterministic
test predictor (tests/nn_test_predictor.py), FFmpeg as the conformance oracle.

Small content (256x128, 1-2 frames) keeps each encode at a few CPU seconds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from content import make_clip

from vtm_accel.predictors import protocol as P

REPO = Path(__file__).resolve().parents[1]
TEST_MODEL = str(REPO / "tests" / "nn_test_predictor.py")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two CTUs per picture (a request with several CTUs, one partial)."""
    path = tmp_path_factory.mktemp("nnclip") / "pan.y4m"
    make_clip(path, 232, 128, 2, 8)
    return path


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CTU per picture: the cheaper clip for the failure paths."""
    path = tmp_path_factory.mktemp("nnsmall") / "pan.y4m"
    make_clip(path, 128, 128, 2, 8)
    return path


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env["VTM_ACCEL_PYTHON"] = sys.executable
    env.update(extra)
    return env


def _encode(
    engine: Path,
    clip: Path,
    out: Path,
    frames: int,
    nn: list[str],
    env: dict[str, str] | None = None,
    qp: int = 32,
) -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    out.mkdir(parents=True, exist_ok=True)
    argv = [str(engine), "--input", str(clip), "--frames", str(frames), "--qp", str(qp)]
    argv += ["--bitstream", str(out / "s.266"), "--recon", str(out / "r.yuv")]
    argv += ["--log", str(out / "l.jsonl"), "--md5-sei", *nn]
    r = subprocess.run(argv, capture_output=True, text=True, env=env or _env(), timeout=600)
    assert r.returncode == 0, r.stderr
    log = [json.loads(x) for x in (out / "l.jsonl").read_text().splitlines() if x.strip()]
    assert len(log) == frames
    return r, log


def _decodes_bit_exactly(ffmpeg: str, out: Path) -> None:
    dec = out / "dec.yuv"
    cmd = [ffmpeg, "-v", "error", "-y", "-i", str(out / "s.266")]
    cmd += ["-f", "rawvideo", "-pix_fmt", "yuv420p10le", str(dec)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    assert dec.read_bytes() == (out / "r.yuv").read_bytes()


def _our_segments(pid: int) -> list[str]:
    return [n for n in P.list_segments() if P.parse_owner_pid(n) == pid]


def test_nn_encode_decodes_bit_exactly(
    engine_exe: Path, ffmpeg_exe: str, clip: Path, tmp_path: Path
) -> None:
    r, log = _encode(engine_exe, clip, tmp_path, 2, ["--nn", TEST_MODEL, "--nn-level", "3"])
    assert "falling back" not in r.stderr
    assert "nn: level 3, 2 of 2 pictures pruned by the CNN" in r.stderr
    assert all(p["nodes"] > 0 for p in log)
    _decodes_bit_exactly(ffmpeg_exe, tmp_path)


def test_level_never_searches_more_nodes(engine_exe: Path, small: Path, tmp_path: Path) -> None:
    nodes = []
    for level in range(6):
        nn = ["--nn", TEST_MODEL, f"--nn-level={level}"]
        _, log = _encode(engine_exe, small, tmp_path / f"l{level}", 1, nn)
        nodes.append(log[0]["nodes"])
    _, plain = _encode(engine_exe, small, tmp_path / "plain", 1, [])
    assert nodes[0] == plain[0]["nodes"]  # level 0 is the exhaustive search
    assert all(a >= b for a, b in zip(nodes[:-1], nodes[1:], strict=True)), nodes
    assert nodes[5] < nodes[0] * 0.8, nodes  # the test predictor does prune


@pytest.mark.parametrize(
    "fault, flags, message",
    [
        ("NN_TEST_DIE_AT", [], "service is gone (killed by signal 9, picture 1)"),
        (
            "NN_TEST_SLEEP_AT",
            ["--nn-timeout-ms", "400"],
            "service timed out after 400 ms (picture 1)",
        ),
    ],
)
def test_service_failure_mid_encode_falls_back(
    engine_exe: Path,
    ffmpeg_exe: str,
    small: Path,
    tmp_path: Path,
    fault: str,
    flags: list[str],
    message: str,
) -> None:
    t0 = time.monotonic()
    nn = ["--nn", TEST_MODEL, "--nn-level", "4", *flags]
    r, log = _encode(engine_exe, small, tmp_path, 2, nn, env=_env(**{fault: "2"}))
    assert f"nn: {message}; falling back to exhaustive search for the rest of the encode" in (
        r.stderr
    ), r.stderr
    assert r.stderr.count("falling back") == 1
    assert "1 of 2 pictures pruned by the CNN (fell back" in r.stderr
    assert time.monotonic() - t0 < 300
    _decodes_bit_exactly(ffmpeg_exe, tmp_path)


def test_stale_segments_cleaned_and_own_removed(
    engine_exe: Path, small: Path, tmp_path: Path
) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = P.create_segment(P.segment_name(dead.pid, "0123456789abcdef"), 4096)
    stale.close()
    live = P.create_segment(P.segment_name(os.getpid(), "livelivelive"), 4096)
    try:
        argv = [str(engine_exe), "--input", str(small), "--frames", "1", "--qp", "37"]
        argv += ["--bitstream", str(tmp_path / "s.266"), "--nn", TEST_MODEL, "--nn-level", "5"]
        proc = subprocess.Popen(argv, env=_env(), stderr=subprocess.PIPE, text=True)
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert not (P.SHM_DIR / stale.name).exists()
        assert (P.SHM_DIR / live.name).exists()  # its owner (this test) is alive
        assert _our_segments(proc.pid) == []  # the engine removed its channel
    finally:
        live.close(unlink=True)


def test_shared_service_two_engines(engine_exe: Path, clip: Path, tmp_path: Path) -> None:
    """Two encoders at once on one --serve service; same streams as with their own services."""
    argv = [sys.executable, "-m", "vtm_accel.predictors.service", "--model", TEST_MODEL]
    argv += ["--serve", "--idle-exit", "120"]
    svc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=_env())
    try:
        assert svc.stdout is not None
        name = svc.stdout.readline().strip()
        procs = []
        for k in range(2):
            out = tmp_path / f"a{k}"
            out.mkdir()
            cmd = [str(engine_exe), "--input", str(clip), "--frames", "1", "--qp", "32"]
            cmd += ["--bitstream", str(out / "s.266"), "--nn-attach", name, "--nn-level", "4"]
            procs.append(subprocess.Popen(cmd, env=_env(), stderr=subprocess.PIPE, text=True))
        for p in procs:
            _, err = p.communicate(timeout=600)
            assert p.returncode == 0 and "1 of 1 pictures pruned" in err, err
        assert svc.poll() is None  # the shared service outlives its clients
    finally:
        svc.terminate()
        svc.wait(timeout=30)
    assert not (P.SHM_DIR / name).exists()
    own = tmp_path / "own"
    own.mkdir()
    # The same predictions give the same stream as with the engine's own service.
    cmd = [str(engine_exe), "--input", str(clip), "--frames", "1", "--qp", "32"]
    cmd += ["--bitstream", str(own / "plain.266"), "--nn", TEST_MODEL, "--nn-level", "4"]
    subprocess.run(cmd, check=True, capture_output=True, env=_env(), timeout=600)
    for k in range(2):
        assert (tmp_path / f"a{k}" / "s.266").read_bytes() == (own / "plain.266").read_bytes()


def test_service_problems_never_fail_the_encode(
    engine_exe: Path, small: Path, tmp_path: Path
) -> None:
    base = [str(engine_exe), "--input", str(small), "--frames", "1", "--qp", "37"]
    base += ["--bitstream", str(tmp_path / "s.266")]
    cases = [
        (["--nn-attach", "vtm-accel-1-nosuchservice"], "cannot attach to the predictor service"),
        (["--nn", TEST_MODEL, "--nn-python", "/nonexistent/python"], "cannot start"),
        (
            ["--nn", str(tmp_path / "missing.pt"), "--nn-first-timeout-ms", "300000"],
            "service is gone (exit status 1",
        ),
    ]
    for flags, message in cases:
        r = subprocess.run(base + flags, capture_output=True, text=True, env=_env(), timeout=600)
        assert r.returncode == 0, r.stderr
        assert message in r.stderr and "falling back to exhaustive search" in r.stderr, r.stderr
    both = base + ["--nn", TEST_MODEL, "--nn-attach", "x"]
    r = subprocess.run(both, capture_output=True, text=True, env=_env(), timeout=60)
    assert r.returncode == 2 and "not both" in r.stderr
    r = subprocess.run(base + ["--nn-level", "2"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--nn-level needs" in r.stderr


def test_harness_counts_service_cpu(
    engine_exe: Path, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """engine:nn=... through the harness: the service is the engine's child, so its CPU time
    (here 2 s burnt while loading the 'model') is in the measured process-tree time."""
    from vtm_accel.codecs.base import EncodeJob
    from vtm_accel.codecs.registry import make_encoder
    from vtm_accel.core import VideoInfo

    monkeypatch.setenv("VTM_ACCEL_ENGINE", str(engine_exe))
    monkeypatch.setenv("NN_TEST_BURN_S", "2")
    enc = make_encoder(f"engine:bin={engine_exe},nn={TEST_MODEL},nn-level=5")
    video = VideoInfo(small, 128, 128, 30.0, 8, "y4m", 2)
    job = EncodeJob(video, frames=1, qp=37, intra_period=1, out_dir=tmp_path)
    res = enc.encode(job, timeout_s=600)
    assert res.stats.cpu_s >= 2.0, res.stats
    assert "falling back" not in res.log.read_text()
    assert res.extra["pictures"][0]["nodes"] > 0


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphaned zombie may wait a while for its reaper)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_engine_killed_service_leaves(
    engine_exe: Path, small: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    """A killed encoder: its service notices, exits and the channel is removed (SIGTERM: by the
    engine's handler; SIGKILL: by the service, the orphan's owner being gone)."""
    argv = [str(engine_exe), "--input", str(small), "--frames", "2", "--qp", "22"]
    argv += ["--bitstream", str(tmp_path / "s.266"), "--nn", TEST_MODEL, "--nn-level", "1"]
    eng = subprocess.Popen(argv, env=_env(), stderr=subprocess.DEVNULL)
    children = Path(f"/proc/{eng.pid}/task/{eng.pid}/children")
    service = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and eng.poll() is None:
        kids = children.read_text().split() if children.exists() else []
        if kids and _our_segments(eng.pid):
            service = int(kids[0])
            break
        time.sleep(0.05)
    assert service, "the engine did not start its service"
    time.sleep(1.0)  # let the service attach to the channel
    eng.send_signal(sig)
    assert eng.wait() == -sig
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (_running(service) or _our_segments(eng.pid)):
        time.sleep(0.1)
    assert not _running(service)
    assert _our_segments(eng.pid) == []


def test_pruned_inter_search_keeps_residual_capable_cus(
    engine_exe: Path, ffmpeg_exe: str, tmp_path: Path
) -> None:
    """A CNN that sees no boundary at all leaves only "no split" at every node. Inter CUs
    wider or taller than 64 carry no residual in the engine, so the search must still split
    the 128x128 roots: before it did, the B pictures of this clip lost 6-11 dB (every CTU a
    prediction-only 128x128 CU); now they lose about what the intra picture loses."""
    src = tmp_path / "c.y4m"
    make_clip(src, 256, 128, 5, 8, pan=(3, 1))
    ra = ["--config", "ra", "--intra-period", "4"]
    flat = _env(NN_TEST_FLAT="1")
    _, full = _encode(engine_exe, src, tmp_path / "l0", 5, ra, env=flat)
    nn = [*ra, "--nn", TEST_MODEL, "--nn-level", "2"]
    r, pruned = _encode(engine_exe, src, tmp_path / "flat", 5, nn, env=flat)
    assert "5 of 5 pictures pruned" in r.stderr, r.stderr
    _decodes_bit_exactly(ffmpeg_exe, tmp_path / "flat")

    def inter_psnr(log: list[dict]) -> float:
        vals = [p["psnr_y"] for p in log if p["slice_type"] != "I"]
        return sum(vals) / len(vals)

    assert sum(p["nodes"] for p in pruned) < sum(p["nodes"] for p in full) / 4
    assert inter_psnr(pruned) > inter_psnr(full) - 5.0, (full, pruned)
