"""The predictor's C API with the real service: the C example (engine/examples/
predictor_example.c), compiled as C against the header and library that
``python -m vtm_accel.predictors.capi`` finds, reads the same maps for the same CTUs as the
Python client (vtm_accel.predictors.client) does, with the test model and with the shipped CNN,
from a service it starts and from a shared one; and it falls back, in the engine's words, when
the service stops answering or no service answers at all."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest
from content import make_clip

from vtm_accel.io import probe_video, read_frames
from vtm_accel.predictors import protocol as P
from vtm_accel.predictors.capi import find_capi
from vtm_accel.predictors.client import PredictorClient

REPO = Path(__file__).resolve().parents[1]
TEST_MODEL = str(REPO / "tests" / "nn_test_predictor.py")
SHIPPED_CNN = str(REPO / "vtm_accel" / "predictors" / "weights" / "split_cnn.pt")
W, H, FRAMES, QP = 300, 200, 3, 27  # 3 x 2 CTUs, the last column and row partial
CTUS = 6


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env["VTM_ACCEL_PYTHON"] = sys.executable
    env.update(extra)
    return env


@pytest.fixture(autouse=True)
def _pythonpath(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", _env()["PYTHONPATH"])


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The C example, built the way the docs tell an encoder engineer to build against the API."""
    flags = subprocess.run(
        [sys.executable, "-m", "vtm_accel.predictors.capi", "--cflags", "--libs"],
        capture_output=True,
        text=True,
        env=_env(),
        check=True,
    ).stdout.split()
    api = find_capi()
    assert api.example is not None
    exe = tmp_path_factory.mktemp("capi") / "predictor_example"
    cc = os.environ.get("CC", "cc")
    argv = [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-x", "c", str(api.example)]
    r = subprocess.run([*argv, *flags, "-o", str(exe)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return exe


@pytest.fixture(scope="module", params=[8, 10])
def clip(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("capiclip") / f"pan{request.param}.yuv"
    make_clip(path, W, H, FRAMES, bit_depth=request.param)
    return path


def _bit_depth(clip: Path) -> int:
    return int(clip.stem.removeprefix("pan"))


def _run(example: Path, clip: Path, maps: Path, nn: list[str], env: dict[str, str] | None = None):
    argv = [str(example), *nn, "--input", str(clip), "--width", str(W), "--height", str(H)]
    argv += ["--bit-depth", str(_bit_depth(clip)), "--frames", str(FRAMES), "--qp", str(QP)]
    argv += ["--maps-out", str(maps)]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or _env()
    )
    out, err = proc.communicate(timeout=300)
    return proc, out, err


def _python_client_maps(clip: Path, client: PredictorClient) -> np.ndarray:
    """What the Python client gets for the example's requests: the same CTUs (10-bit luma,
    edge-replicated), the same cue (|picture - previous picture|), the same request fields."""
    bd = _bit_depth(clip)
    frames = read_frames(probe_video(clip, width=W, height=H, bit_depth=bd))
    shift = 10 - bd
    pad = ((0, 2 * 128 - H), (0, 3 * 128 - W))
    origins = np.array([(x, y) for y in (0, 128) for x in (0, 128, 256)], dtype=np.uint32)

    def tiles(plane: np.ndarray) -> np.ndarray:
        return np.stack([plane[y : y + 128, x : x + 128] for x, y in origins])

    out, prev = [], None
    for poc, f in enumerate(frames):
        luma = np.pad(f.y.astype(np.int32) << shift, pad, mode="edge")
        cue = None if prev is None else tiles(np.abs(luma - prev)).astype(np.int16)
        st = P.SLICE_I if poc == 0 else P.SLICE_B
        maps = client.predict(
            poc, st, QP, origins, tiles(luma).astype(np.uint16), cue, (W, H), 0 if poc == 0 else 1
        )
        out.append(maps)
        prev = luma
    return np.concatenate(out)


def _no_process_left(parent_pid: int) -> None:
    for p in psutil.process_iter(["cmdline"]):
        cmd = p.info["cmdline"] or []
        assert not ("--parent-pid" in cmd and str(parent_pid) in cmd), cmd
    assert not [n for n in P.list_segments() if P.parse_owner_pid(n) == parent_pid]


@pytest.mark.parametrize("model", [TEST_MODEL, SHIPPED_CNN], ids=["test-model", "shipped-cnn"])
def test_c_example_reads_what_the_python_client_reads(
    example: Path, clip: Path, model: str, tmp_path: Path
) -> None:
    maps = tmp_path / "maps.bin"
    proc, out, err = _run(example, clip, maps, ["--model", model])
    assert proc.returncode == 0, err
    assert f"predictor: {FRAMES} of {FRAMES} pictures predicted\n" in out, out
    got = np.fromfile(maps, dtype=np.uint8).reshape(FRAMES * CTUS, 4, 32, 32)
    with PredictorClient(CTUS, model=model, first_timeout_s=120, timeout_s=60) as client:
        want = _python_client_maps(clip, client)
    np.testing.assert_array_equal(got, want)
    assert len(np.unique(got)) > 10  # real maps, not a constant
    _no_process_left(proc.pid)


def test_c_example_with_a_shared_service(example: Path, clip: Path, tmp_path: Path) -> None:
    name_file = tmp_path / "svc.name"
    argv = [sys.executable, "-m", "vtm_accel.predictors.service", "--model", TEST_MODEL]
    argv += ["--serve", "--name-file", str(name_file), "--idle-exit", "60"]
    svc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=_env())
    try:
        assert svc.stdout is not None
        name = svc.stdout.readline().strip()
        maps = tmp_path / "maps.bin"
        proc, out, err = _run(example, clip, maps, ["--attach", name])
        assert proc.returncode == 0, err
        assert f"predictor: {FRAMES} of {FRAMES} pictures predicted\n" in out, out
        got = np.fromfile(maps, dtype=np.uint8).reshape(FRAMES * CTUS, 4, 32, 32)
        with PredictorClient(CTUS, attach=name, first_timeout_s=120, timeout_s=60) as client:
            want = _python_client_maps(clip, client)
        np.testing.assert_array_equal(got, want)
        assert svc.poll() is None  # a shared service outlives its clients
    finally:
        svc.send_signal(signal.SIGTERM)
        svc.wait(timeout=30)


def test_service_that_stops_answering_falls_back(example: Path, clip: Path, tmp_path: Path) -> None:
    maps = tmp_path / "maps.bin"
    nn = ["--model", TEST_MODEL, "--timeout-ms", "400", "--first-timeout-ms", "120000"]
    t0 = time.monotonic()
    proc, out, err = _run(example, clip, maps, nn, env=_env(NN_TEST_SLEEP_AT="2"))
    assert proc.returncode == 0, err
    why = "service timed out after 400 ms (picture 1)"
    assert f"picture 1: no maps (status 3: {why}); every split is searched" in out, out
    assert f"picture 2: no maps (status 6: {why})" in out, out  # at once: VTMA_FALLEN_BACK
    assert f"predictor: 1 of {FRAMES} pictures predicted (fell back: {why})" in out, out
    assert maps.stat().st_size == CTUS * 4 * 32 * 32  # picture 0's maps only
    assert time.monotonic() - t0 < 30  # the hung service (asleep for 60 s) was stopped
    _no_process_left(proc.pid)


def test_no_service_answers(example: Path, clip: Path, tmp_path: Path) -> None:
    """A 'service' that starts and never answers: the first picture times out, the encoder goes
    on without maps, and the child is stopped and reaped when the predictor closes."""
    pid_file = tmp_path / "silent.pid"
    silent = tmp_path / "silent-python"
    silent.write_text(f"#!/bin/sh\necho $$ > {shlex.quote(str(pid_file))}\nexec sleep 60\n")
    silent.chmod(0o700)
    nn = ["--model", TEST_MODEL, "--python", str(silent), "--timeout-ms", "500"]
    nn += ["--first-timeout-ms", "500"]
    t0 = time.monotonic()
    proc, out, err = _run(example, clip, tmp_path / "maps.bin", nn)
    assert proc.returncode == 0, err
    why = "service timed out after 500 ms (picture 0)"
    assert f"picture 0: no maps (status 3: {why})" in out, out
    assert f"predictor: 0 of {FRAMES} pictures predicted (fell back: {why})" in out, out
    assert time.monotonic() - t0 < 15
    assert not psutil.pid_exists(int(pid_file.read_text()))
    _no_process_left(proc.pid)


def test_capi_query_prints_existing_paths() -> None:
    def query(*flags: str) -> str:
        argv = [sys.executable, "-m", "vtm_accel.predictors.capi", *flags]
        return subprocess.run(argv, capture_output=True, text=True, env=_env(), check=True).stdout

    inc, lib, ex = query("--include-dir", "--lib-dir", "--example").split()
    assert (Path(inc) / "vtm_accel_predictor.h").is_file()
    assert (Path(lib) / "libvtm_accel_predictor.so").is_file()
    assert Path(ex).name == "predictor_example.c" and Path(ex).is_file()
    assert "-lvtm_accel_predictor" in query("--libs")
