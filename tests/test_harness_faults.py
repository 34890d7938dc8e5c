"""The harness under faults (issue 18): results that can be trusted, one-line errors, no
process or file left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from vtm_accel.report import write_reports

REPO = Path(__file__).resolve().parents[1]


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


# ------------------------------------------------------------- results.json file mode --


def test_results_json_has_the_mode_of_the_other_reports(tmp_path: Path) -> None:
    from test_report import _results

    old = os.umask(0o022)
    try:
        files = write_reports(_results(tmp_path), tmp_path / "out")
    finally:
        os.umask(old)
    assert _mode(files.results_json) == 0o644
    assert _mode(files.results_json) == _mode(files.report_md) == _mode(files.results_csv)


# ------------------------------------------------------------ one-line errors, early checks --


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from vtm_accel.cli import main

    rc = main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def _one_line_error(rc: int, err: str) -> str:
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vtm-accel: error: "), err
    return lines[0]


def _y4m(path: Path, header: str, frames: int = 2, frame_bytes: int = 64 * 32 * 3 // 2) -> Path:
    path.write_bytes(header.encode() + b"\n" + (b"FRAME\n" + b"\x80" * frame_bytes) * frames)
    return path


@pytest.mark.parametrize(
    ("header", "word"),
    [
        ("YUV4MPEG2 Wabc H32 F30:1 C420jpeg", "'Wabc'"),
        ("YUV4MPEG2 W64 H32 F30:x C420jpeg", "'F30:x'"),
        ("YUV4MPEG2 W64 H32 F30:0 C420jpeg", "'F30:0'"),
    ],
)
def test_bad_y4m_header_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, word: str
) -> None:
    src = _y4m(tmp_path / "bad.y4m", header)
    argv = ["encode", "--encoder", "vvenc:faster", "--input", str(src), "--frames", "1"]
    line = _one_line_error(*_cli([*argv, "--qp", "32", "--out", str(tmp_path / "o")], capsys)[::2])
    assert word in line and "y4m header" in line


@pytest.mark.parametrize("fps", ["nan", "inf", "-inf"])
def test_non_finite_fps_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fps: str
) -> None:
    src = _y4m(tmp_path / "ok.y4m", "YUV4MPEG2 W64 H32 F30:1 C420jpeg")
    argv = ["encode", "--encoder", "vvenc:faster", "--input", str(src), "--frames", "1"]
    with pytest.raises(SystemExit) as e:
        _cli([*argv, "--qp", "32", "--out", str(tmp_path / "o"), f"--fps={fps}"], capsys)
    assert e.value.code == 2
    assert "expected a positive number" in capsys.readouterr().err


def test_non_finite_fps_in_a_sequence_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _y4m(tmp_path / "ok.y4m", "YUV4MPEG2 W64 H32 F30:1 C420jpeg")
    seqs = tmp_path / "seqs.csv"
    seqs.write_text(f"path,fps\n{src},nan\n")
    argv = ["challenge", "--sequences", str(seqs), "--anchor", "vvenc:faster"]
    rc, _, err = _cli([*argv, "--candidate", "vvenc:fast", "--out", str(tmp_path / "o")], capsys)
    assert "frame rate nan" in _one_line_error(rc, err)


def test_directory_as_input_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["encode", "--encoder", "vvenc:faster", "--input", str(tmp_path), "--frames", "1"]
    rc, _, err = _cli([*argv, "--qp", "32", "--out", str(tmp_path / "o")], capsys)
    assert "is a directory" in _one_line_error(rc, err)


def _raw(path: Path, w: int, h: int, frames: int, bit_depth: int = 8) -> Path:
    cw, ch = (w + 1) // 2, (h + 1) // 2
    size = (w * h + 2 * cw * ch) * (1 if bit_depth == 8 else 2) * frames
    path.write_bytes(bytes(i * 7 % 251 for i in range(size)))
    return path


@pytest.mark.parametrize(
    ("make", "extra", "encoder", "word"),
    [
        (lambda d: _raw(d / "odd_63x32.yuv", 63, 32, 2), [], "vvenc:faster", "odd side"),
        (
            lambda d: _y4m(d / "huge.y4m", "YUV4MPEG2 W100000 H2 F30:1 C420jpeg", 1, 300000),
            [],
            "engine",
            "larger than any VVC level",
        ),
        (
            lambda d: _y4m(d / "deep.y4m", "YUV4MPEG2 W64 H32 F30:1 C420p12", 2, 64 * 32 * 3),
            [],
            "engine",
            "8- or 10-bit",
        ),
        (
            lambda d: _raw(d / "ok_64x32.yuv", 64, 32, 2),
            ["--intra-period", "-5"],
            "vvenc:faster",
            "intra period -5",
        ),
    ],
)
def test_encode_rejects_what_no_encoder_can_code_up_front(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    make,
    extra: list[str],
    encoder: str,
    word: str,
) -> None:
    from vtm_accel.challenge import points

    def no_run(*a: object, **k: object) -> None:
        raise AssertionError("an encoder ran")

    monkeypatch.setattr(points, "run_point", no_run)
    src = make(tmp_path)
    argv = ["encode", "--encoder", encoder, "--input", str(src), "--frames", "1", "--qp", "32"]
    rc, _, err = _cli([*argv, "--out", str(tmp_path / "o"), *extra], capsys)
    assert word in _one_line_error(rc, err)


def test_challenge_checks_every_row_before_the_first_encode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second row (12-bit, which the engine does not read) stopped the run only after the
    first row's points were encoded, with a multi-line dump."""
    good = _raw(tmp_path / "good_64x32.yuv", 64, 32, 2)
    deep = _y4m(tmp_path / "deep.y4m", "YUV4MPEG2 W64 H32 F30:1 C420p12", 2, 64 * 32 * 3)
    seqs = tmp_path / "seqs.csv"
    seqs.write_text(f"path,frames,name\n{good},1,good\n{deep},1,deep\n")
    out = tmp_path / "run"
    argv = ["challenge", "--sequences", str(seqs), "--anchor", "vvenc:faster"]
    rc, _, err = _cli([*argv, "--candidate", "engine", "--out", str(out)], capsys)
    line = _one_line_error(rc, err)
    assert "sequence deep" in line and "8- or 10-bit" in line
    assert not (out / "points").exists() and not (out / "work").exists()


# -------------------------------------------------------------------------- resume key --


def test_fingerprint_covers_every_byte_and_is_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vtm_accel.batch import store

    f = tmp_path / "big.yuv"
    data = bytearray(os.urandom(5 << 20))
    f.write_bytes(bytes(data))
    cache = tmp_path / "digests"
    first = store.input_fingerprint(f, cache)
    data[5 << 19] ^= 0xFF  # one byte in the middle, same size
    f.write_bytes(bytes(data))
    assert store.input_fingerprint(f, cache) != first
    # a rerun (a new process: empty memory cache) takes the digest from the cache directory
    calls: list[Path] = []
    monkeypatch.setattr(store, "_DIGESTS", {})
    monkeypatch.setattr(store, "hash_file", lambda p, *a: calls.append(p) or "0:x")
    second = store.input_fingerprint(f, cache)
    assert second != "0:x" and calls == []
    os.utime(f, ns=(1, 1))  # touched: hashed again
    assert store.input_fingerprint(f, cache) == "0:x" and calls == [f]


def test_resume_notices_a_changed_frame_of_the_same_size(tmp_path: Path) -> None:
    """Frame 200 of a 400-frame file overwritten in place: the old point (first and last MiB
    unchanged) was reused as cached."""
    from vtm_accel.challenge.run import ChallengeConfig, SequenceSpec, run_challenge
    from vtm_accel.io import probe_video

    w = h = 64
    fb = w * h * 3 // 2
    src = tmp_path / f"flat_{w}x{h}.yuv"
    src.write_bytes(b"\x80" * fb * 400)
    video = probe_video(src)
    seqs = [SequenceSpec("flat", video, 1, 32, frame_skip=200)]
    cfg = ChallengeConfig("vvenc:faster", "vvenc:faster", qps=(27, 32))
    out = tmp_path / "run"
    before = run_challenge(seqs, cfg, out).results["sequences"][0]["points"][0]["anchor"]
    with src.open("r+b") as fh:
        fh.seek(200 * fb)
        fh.write(bytes(i * 97 % 256 for i in range(fb)))  # a busy frame instead of a flat one
    after = run_challenge(seqs, cfg, out).results["sequences"][0]["points"][0]["anchor"]
    assert not after["cached"]
    assert after["bytes"] > 3 * before["bytes"] and after["psnr_y"] < before["psnr_y"] - 5
    again = run_challenge(seqs, cfg, out).results["sequences"][0]["points"][0]["anchor"]
    assert again["cached"] and again["bytes"] == after["bytes"]


# ---------------------------------------------------------------------- engine lookup --


def test_engine_found_beside_an_unactivated_venv(tmp_path: Path) -> None:
    """`/path/to/venv/bin/vtm-accel encode --encoder engine` without activating the venv: the
    engine pip put next to vtm-accel is found (PATH does not hold it)."""
    import subprocess
    import sys

    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)],
        check=True,
    )
    engine = venv / "bin" / "vtm-accel-engine"
    engine.write_text("#!/bin/sh\nexit 0\n")
    engine.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "VTM_ACCEL_ENGINE"}
    env["PATH"] = "/usr/bin:/bin"
    env["PYTHONPATH"] = str(REPO)
    code = "from vtm_accel.codecs.engine import find_engine; print(find_engine())"
    r = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], env=env, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(engine)


# ---------------------------------------------------------------------------- RD plot --

LONG_ANCHOR = (
    "vtm:encoder=/home/organizer/vvc/VVCSoftware_VTM-20.2/bin/EncoderAppStatic,"
    "cfg=/home/organizer/vvc/VVCSoftware_VTM-20.2/cfg/encoder_randomaccess_vtm.cfg"
)
LONG_CANDIDATE = "engine:nn=/home/organizer/submissions/team7/weights/split_cnn_v3.pt,nn-level=2"


def test_rd_plot_keeps_its_panels_with_long_specs(tmp_path: Path) -> None:
    """A two-sequence run with a VTM anchor and a CNN candidate: the legend carries short
    labels and fits inside each panel, whose axes keep most of the panel's room."""
    from test_report import _results

    from vtm_accel.report.plots import rd_figure

    results = _results(tmp_path)
    results["config"].update(anchor=LONG_ANCHOR, candidate=LONG_CANDIDATE)
    fig = rd_figure(results)
    assert fig is not None
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    panels = [ax for ax in fig.axes if ax.get_legend() is not None]
    assert len(panels) == 2
    fig_w, fig_h = fig.bbox.width, fig.bbox.height
    for ax in panels:
        box = ax.get_window_extent(renderer)
        legend = ax.get_legend().get_window_extent(renderer)
        assert legend.width < box.width and legend.x0 >= box.x0 - 1 and legend.x1 <= box.x1 + 1
        assert box.width > 0.6 * fig_w / 2 and box.height > 0.6 * fig_h
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == [
            "anchor: VTM EncoderAppStatic (cfg randomaccess)",
            "candidate: engine + CNN L2",
        ]
    md = (write_reports(results, tmp_path / "out").report_md).read_text()
    assert LONG_ANCHOR in md and LONG_CANDIDATE in md  # the full specs are in the header


# ------------------------------------------------------- no process or segment left behind --


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _descendants(pid: int) -> set[int]:
    seen: set[int] = set()
    todo = [pid]
    while todo:
        for c in _children(todo.pop()):
            if c not in seen:
                seen.add(c)
                todo.append(c)
    return seen


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _wait_for(cond, timeout_s: float, what: str) -> None:  # noqa: ANN001
    import time

    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout_s:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _harness(argv: list[str], tmp_path: Path):  # noqa: ANN202
    import signal
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(REPO))
    log = (tmp_path / "harness.log").open("wb")
    # A shell that runs the tests in the background (`cmd &` without job control) ignores
    # SIGINT, and an ignored SIGINT stays ignored across exec: Python then installs no Ctrl-C
    # handler, as a user's background run would want. The harness here stands for one started
    # from a terminal.
    return subprocess.Popen(
        [sys.executable, "-m", "vtm_accel.cli", *argv],
        env=env,
        stdout=log,
        stderr=log,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _segments_of(pids: set[int]) -> list[str]:
    return [
        p.name for p in Path("/dev/shm").glob("vtm-accel-*") if int(p.name.split("-")[2]) in pids
    ]


@pytest.fixture(scope="module")
def busy_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("skimage")
    from content import make_clip

    return make_clip(tmp_path_factory.mktemp("busy") / "busy_256x128.yuv", 256, 128, 16).path


def _nn_encode_argv(clip: Path, out: Path) -> list[str]:
    model = REPO / "tests" / "nn_test_predictor.py"
    return ["encode", "--encoder", "engine", "--input", str(clip), "--frames", "16", "--qp",
            "22", "--out", str(out), "--nn", str(model), "--nn-level", "2"]  # fmt: skip


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_stopping_the_harness_stops_engine_and_service(
    tmp_path: Path, busy_clip: Path, engine_exe: Path, sig: str
) -> None:
    """SIGTERM (`timeout`) left the engine and its CNN service running with parent 1; Ctrl-C
    (SIGINT) killed them with SIGKILL, so the engine's shared-memory channel stayed."""
    import signal

    h = _harness(_nn_encode_argv(busy_clip, tmp_path / "o"), tmp_path)
    try:
        _wait_for(lambda: _segments_of(_descendants(h.pid)), 60, "the engine's CNN channel")
        service = "vtm_accel.predictors.service"
        _wait_for(
            lambda: any(service in _cmdline(p) for p in _descendants(h.pid)),
            30,
            "the predictor service",
        )
        tree = _descendants(h.pid)
        assert any("vtm-accel-engine" in _cmdline(p) for p in tree)
        h.send_signal(getattr(signal, sig))
        assert h.wait(timeout=30) == 128 + getattr(signal, sig)
    finally:
        if h.poll() is None:
            h.kill()
    _wait_for(lambda: not [p for p in tree if _alive(p)], 10, "the children to end")
    assert _segments_of(tree) == []
    assert "interrupted" in (tmp_path / "harness.log").read_text()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_stop_whose_exception_a_finalizer_dropped_still_stops_the_run(tmp_path: Path) -> None:
    """A SIGTERM handled while Python ran a finalizer lost its exception: the harness went on
    and encoded to the end, exiting 0."""
    import signal
    import sys
    import time

    from vtm_accel import procs
    from vtm_accel.timing import run_timed

    class Finalized:
        def __del__(self) -> None:
            procs.on_stop_signal(signal.SIGTERM, None)

    procs.clear_stop_signal()
    try:
        Finalized()  # the handler runs in __del__: its Terminated is printed and dropped
        assert procs.stop_signal() == signal.SIGTERM
        t0 = time.monotonic()
        with pytest.raises(procs.Terminated):
            run_timed([sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "log")
        assert time.monotonic() - t0 < 20
    finally:
        procs.clear_stop_signal()


def test_sigkill_of_a_challenge_takes_its_encoders_down(tmp_path: Path) -> None:
    """SIGKILL during a challenge with two local workers: no worker and no encoder lives on."""
    import signal

    src = _raw(tmp_path / "clip_64x32.yuv", 64, 32, 2)
    seqs = tmp_path / "seqs.csv"
    seqs.write_text(f"path,frames\n{src},1\n")
    slow = "template:sh -c 'sleep 120' {bitstream}"
    argv = ["challenge", "--sequences", str(seqs), "--anchor", slow, "--candidate", slow + " x"]
    h = _harness([*argv, "--out", str(tmp_path / "o"), "--jobs", "2", "--qps", "27,32"], tmp_path)
    try:
        sleeping = lambda: [p for p in _descendants(h.pid) if "sleep 120" in _cmdline(p)]  # noqa: E731
        at_once = min(2, len(os.sched_getaffinity(0)))  # one worker per core
        _wait_for(lambda: len(sleeping()) >= at_once, 60, "the encoders")
        tree = _descendants(h.pid)
        h.send_signal(signal.SIGKILL)
        h.wait(timeout=10)
    finally:
        if h.poll() is None:
            h.kill()
    _wait_for(lambda: not [p for p in tree if _alive(p)], 10, "the workers and encoders to end")


def test_a_second_encode_into_the_same_out_stops_at_once(
    tmp_path: Path, busy_clip: Path, engine_exe: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two `encode` runs into one --out raced on result.json (the last one to finish won)."""
    out = tmp_path / "o"
    first = _harness(_nn_encode_argv(busy_clip, out), tmp_path)
    try:
        _wait_for(lambda: (out / "work").is_dir(), 60, "the first encode to start")
        argv = ["encode", "--encoder", "vvenc:faster", "--input", str(busy_clip), "--frames"]
        rc, _, err = _cli([*argv, "1", "--qp", "37", "--out", str(out)], capsys)
        line = _one_line_error(rc, err)
        assert f"pid {first.pid}" in line and "another vtm-accel run" in line
        assert first.poll() is None
    finally:
        first.terminate()
        first.wait(timeout=30)


# ------------------------------------------------------------------- a CNN that failed --


@pytest.fixture(scope="module")
def small_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("skimage")
    from content import make_clip

    return make_clip(tmp_path_factory.mktemp("small") / "small_128x64.yuv", 128, 64, 2).path


@pytest.fixture(scope="module")
def corrupt_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("model") / "corrupt.pt"
    p.write_bytes(bytes(range(256)) * 4)
    return p


def test_encode_with_a_corrupt_cnn_fails_unless_fallback_is_allowed(
    tmp_path: Path,
    small_clip: Path,
    corrupt_model: Path,
    engine_exe: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`encode --nn corrupt.pt` exited 0 with status ok: the engine had fallen back to the
    exhaustive search and said so only in its own log."""
    import json

    argv = ["encode", "--encoder", "engine", "--input", str(small_clip), "--frames", "2"]
    argv += ["--qp", "32", "--nn", str(corrupt_model), "--nn-level", "2"]
    rc, out, _ = _cli([*argv, "--out", str(tmp_path / "o")], capsys)
    rec = json.loads((tmp_path / "o" / "result.json").read_text())
    assert rc == 1 and rec["status"] == "failed" and rec["stage"] == "checks"
    assert rec["nn"]["fell_back"] and rec["nn"]["predicted"] == 0 and rec["nn"]["pictures"] == 2
    assert "service is gone" in rec["nn"]["reason"]
    assert not rec["checks"]["nn"]["passed"] and "--allow-nn-fallback" in rec["error"]
    assert "CNN: the CNN answered for 0 of 2 pictures" in out
    rc, out, _ = _cli([*argv, "--out", str(tmp_path / "o"), "--allow-nn-fallback"], capsys)
    rec = json.loads((tmp_path / "o" / "result.json").read_text())
    assert rc == 0 and rec["status"] == "ok" and rec["nn"]["fell_back"]
    assert rec["checks"]["nn"]["passed"] and "0 of 2 pictures" in out and "allowed" in out
    # the point stored while fallback was allowed is not reused when it is not
    rc, _, _ = _cli([*argv, "--out", str(tmp_path / "o")], capsys)
    assert rc == 1


def test_challenge_fails_a_candidate_whose_cnn_did_not_run(
    tmp_path: Path, small_clip: Path, corrupt_model: Path, engine_exe: Path
) -> None:
    from vtm_accel.challenge.run import ChallengeConfig, SequenceSpec, run_challenge
    from vtm_accel.io import probe_video

    seqs = [SequenceSpec("small", probe_video(small_clip), 1, 32)]
    cand = f"engine:nn={corrupt_model},nn-level=2"
    cfg = ChallengeConfig("vvenc:faster", cand, qps=(32, 37))
    res = run_challenge(seqs, cfg, tmp_path / "run").results
    for p in res["sequences"][0]["points"]:
        c = p["candidate"]
        assert c["status"] == "failed" and not c["checks"]["nn"]["passed"]
    assert not res["summary"]["passed"]
    md = (tmp_path / "run" / "report.md").read_text()
    assert "0/1 fell back" in md and "candidate CNN: the CNN answered for 0 of 1" in md


# ------------------------------------------------------- rule 5 on what the streams code --


def test_coded_intra_period() -> None:
    from vtm_accel.challenge.rules import coded_intra_period

    ra32 = [i % 32 == 0 for i in range(65)]
    assert coded_intra_period(ra32) == 32
    assert coded_intra_period([True] * 5) == 1
    assert coded_intra_period([i == 0 for i in range(17)]) == 17
    # an IDR after its leading pictures (VVenC's first GOP): the run before it counts
    assert coded_intra_period([i in (7, 15) for i in range(17)]) == 8


def test_rule5_is_judged_on_the_coded_irap_positions(tmp_path: Path, ffmpeg_exe: str) -> None:
    """A template encoder that ignores {intra_period} (VVenC with IntraPeriod=64 fixed) passed
    rule 5 against an anchor asked for 8: the rule compared the values the harness passed."""
    from vtm_accel.challenge.run import ChallengeConfig, SequenceSpec, run_challenge
    from vtm_accel.io import probe_video

    src = _raw(tmp_path / "clip_64x64.yuv", 64, 64, 17)
    seqs = [SequenceSpec("clip", probe_video(src), 17, 8)]
    fixed = (
        f"template:{ffmpeg_exe} -hide_banner -nostdin -y -f rawvideo -pix_fmt yuv420p -s 64x64 "
        "-r 30 -i {input} -frames:v {frames} -c:v libvvenc -preset faster -qp {qp} -qpa 0 "
        "-threads 1 -vvenc-params IntraPeriod=64 -pix_fmt yuv420p10le -f vvc {bitstream}"
    )
    cfg = ChallengeConfig("vvenc:faster", fixed, qps=(32, 37))
    res = run_challenge(seqs, cfg, tmp_path / "run").results
    for p in res["sequences"][0]["points"]:
        assert p["anchor"]["irap"]["positions"] == [7, 15]  # IDR (RADL before it), CRA
        assert p["anchor"]["irap"]["intra_period"] == 8
        assert p["candidate"]["intra_period"] == 8  # what was asked ...
        assert p["candidate"]["irap"]["intra_period"] == 16  # ... and what was coded
        v = p["checks"]["intra_period"]
        assert (
            not v["passed"] and v["measured"] and "coded intra period 16 > anchor 8" in v["detail"]
        )
    assert not res["summary"]["rules"]["intra_period"]["passed"]
    same = ChallengeConfig("vvenc:faster", "vvenc:fast", qps=(32, 37))
    res = run_challenge(seqs, same, tmp_path / "run2").results
    assert res["summary"]["rules"]["intra_period"]["passed"]


# ------------------------------------------- harness and engine agree on what a file is --


def _engine(engine_exe: Path, *args: str):  # noqa: ANN202
    import subprocess

    return subprocess.run([str(engine_exe), *args], capture_output=True, text=True, timeout=120)


def test_y4m_named_yuv_encodes_with_the_engine(
    tmp_path: Path, engine_exe: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The harness knew it by its magic bytes, the engine by its extension: it failed there."""
    import json

    src = _y4m(tmp_path / "clip.yuv", "YUV4MPEG2 W64 H32 F30:1 C420jpeg", 2)
    argv = ["encode", "--encoder", "engine", "--input", str(src), "--frames", "1", "--qp", "37"]
    rc, _, err = _cli([*argv, "--out", str(tmp_path / "o")], capsys)
    assert rc == 0, err
    assert json.loads((tmp_path / "o" / "result.json").read_text())["status"] == "ok"


def test_engine_input_checks(tmp_path: Path, engine_exe: Path) -> None:
    common = ["--frames", "1", "--qp", "37", "--bitstream", str(tmp_path / "b.266")]
    r = _engine(engine_exe, "--input", str(tmp_path), *common)
    assert r.returncode == 2 and "is a directory" in r.stderr
    assert "9223372036854775807" not in r.stderr
    raw = _raw(tmp_path / "raw.y4m", 64, 32, 1)  # named .y4m, no magic
    r = _engine(engine_exe, "--input", str(raw), *common)
    assert r.returncode == 2 and "not a Y4M file" in r.stderr
    for header, word in (
        ("YUV4MPEG2 W64 H32 F30:0 C420jpeg", "F30:0"),
        ("YUV4MPEG2 W64 H32 F30:x C420jpeg", "F30:x"),
        ("YUV4MPEG2 Wabc H32 F30:1 C420jpeg", "Wabc"),
        ("YUV4MPEG2 W100000 H2 F30:1 C420jpeg", "W100000"),
    ):
        r = _engine(engine_exe, "--input", str(_y4m(tmp_path / "h.y4m", header, 1)), *common)
        assert r.returncode == 2 and word in r.stderr and len(r.stderr.splitlines()) == 1


def test_engine_leaves_no_bitstream_when_recon_cannot_be_opened(
    tmp_path: Path, engine_exe: Path
) -> None:
    src = _y4m(tmp_path / "clip.y4m", "YUV4MPEG2 W64 H32 F30:1 C420jpeg", 1)
    bits = tmp_path / "b.266"
    r = _engine(engine_exe, "--input", str(src), "--frames", "1", "--qp", "37", "--bitstream",
                str(bits), "--recon", str(tmp_path / "missing" / "r.yuv"))  # fmt: skip
    assert r.returncode == 2 and "cannot write" in r.stderr
    assert not bits.exists()
    r = _engine(engine_exe, "--input", str(src), "--frames", "1", "--qp", "37", "--bitstream",
                str(bits), "--recon", os.devnull)  # fmt: skip
    assert r.returncode == 0 and bits.stat().st_size > 0 and Path(os.devnull).exists()
