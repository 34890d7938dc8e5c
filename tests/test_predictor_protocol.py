"""The predictor channel protocol: layout, packing round trips, the C++ constants, segment
permissions and stale-segment cleanup, and a Python client against a real service process."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from nn_test_predictor import EdgePredictor

from vtm_accel.predictors import protocol as P
from vtm_accel.predictors.client import PredictorClient, PredictorError

REPO = Path(__file__).resolve().parents[1]
TEST_MODEL = str(REPO / "tests" / "nn_test_predictor.py")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


@pytest.fixture(autouse=True)
def _pythonpath(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", _env()["PYTHONPATH"])


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_header_round_trips() -> None:
    h = P.ChannelHeader(P.KIND_CHANNEL, max_ctus=135, owner_pid=4242, segment_bytes=1 << 20)
    raw = h.pack()
    assert len(raw) == 48 and raw[:8] == b"VTMACCEL"
    assert int.from_bytes(raw[8:12], "little") == P.VERSION
    assert int.from_bytes(raw[32:36], "little") == 135
    assert P.ChannelHeader.unpack(raw) == h and h.check() == ""
    assert P.ChannelHeader.unpack(b"XXXXXXXX" + raw[8:]).check() == "bad magic"
    bad_version = raw[:8] + (99).to_bytes(4, "little") + raw[12:]
    assert "version 99" in P.ChannelHeader.unpack(bad_version).check()

    r = P.RequestHeader(-7, P.SLICE_B, 37, 12, True, 1920, 1080, 5)
    raw = r.pack()
    assert len(raw) == P.REQUEST_BYTES == 64 and P.RequestHeader.unpack(raw) == r
    assert int.from_bytes(raw[32:36], "little") == 5  # temporal_id at offset 160 (v2)
    s = P.ResponseHeader(2**40, P.STATUS_ERROR, 3, "model failed: ünïcode")
    assert len(s.pack()) == 64 and P.ResponseHeader.unpack(s.pack()) == s
    long = P.ResponseHeader(1, P.STATUS_ERROR, 0, "x" * 100)
    assert P.ResponseHeader.unpack(long.pack()).message == "x" * 47  # nul-terminated in 48


def test_layout() -> None:
    lay = P.ChannelLayout.for_ctus(135)  # 1920x1080
    assert lay.origins == P.OFF_DATA == 256
    assert lay.luma >= lay.origins + 8 * 135 and lay.luma % 64 == 0
    assert lay.cue - lay.luma >= 135 * 128 * 128 * 2 and lay.cue % 64 == 0
    assert lay.maps - lay.cue >= 135 * 128 * 128 * 2 and lay.maps % 64 == 0
    assert lay.total >= lay.maps + 135 * 4 * 32 * 32 and lay.total % 4096 == 0
    with pytest.raises(ValueError):
        P.ChannelLayout.for_ctus(0)


def test_cpp_constants_match() -> None:
    """engine/src/nn/shm_channel.h and protocol.py describe the same bytes."""
    text = (REPO / "engine" / "src" / "nn" / "shm_channel.h").read_text()
    offsets = dict(re.findall(r"kOff(\w+) = (\d+)", text))
    assert len(offsets) >= 17
    for camel, value in offsets.items():
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", camel).upper()
        assert getattr(P, f"OFF_{snake}") == int(value), camel
    consts = dict(re.findall(r"constexpr uint32_t k(\w+) = (\d+);", text))
    assert int(consts["Version"]) == P.VERSION
    assert int(consts["KindChannel"]) == P.KIND_CHANNEL
    assert int(consts["KindService"]) == P.KIND_SERVICE
    assert int(consts["HeaderBytes"]) == P.HEADER_BYTES
    assert int(consts["CtuSize"]) == P.CTU_SIZE
    assert int(consts["MapSize"]) == P.MAP_SIZE
    assert int(consts["NumMaps"]) == P.NUM_MAPS
    assert int(consts["FlagReady"]) == P.FLAG_READY
    assert int(consts["FlagClosing"]) == P.FLAG_CLOSING
    assert "'V', 'T', 'M', 'A', 'C', 'C', 'E', 'L'" in text


def test_segment_private_and_stale_cleanup() -> None:
    seg = P.create_channel(2)
    try:
        st = os.stat(P.SHM_DIR / seg.name)
        assert stat.S_IMODE(st.st_mode) == 0o600
        assert P.parse_owner_pid(seg.name) == os.getpid()
        assert seg.header().check() == "" and seg.load32(P.OFF_FLAGS) == P.FLAG_READY
        stale = P.create_segment(P.segment_name(_dead_pid(), "feedface"), 4096)
        stale.close()
        removed = P.cleanup_stale_segments()
        assert stale.name in removed and seg.name not in removed
        assert not (P.SHM_DIR / stale.name).exists() and (P.SHM_DIR / seg.name).exists()
    finally:
        seg.close(unlink=True)
    assert P.parse_owner_pid("vtm-accel-12-ab") == 12
    assert P.parse_owner_pid("vtm-accel-x-ab") is None and P.parse_owner_pid("other") is None


def _picture(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 1024, (n, 16, 16), dtype=np.uint16)
    luma = np.kron(base, np.ones((8, 8), dtype=np.uint16))  # blocky: varied maps
    origins = np.array([[128 * i, 0] for i in range(n)], dtype=np.uint32)
    return origins, luma


def test_python_client_against_spawned_service() -> None:
    ref = EdgePredictor()
    with PredictorClient(4, model=TEST_MODEL, first_timeout_s=60) as c:
        name = c.seg.name
        for pic, (n, qp, st) in enumerate([(3, 32, P.SLICE_I), (4, 22, P.SLICE_B), (1, 37, 1)]):
            origins, luma = _picture(n, pic)
            maps = c.predict(pic, st, qp, origins, luma)
            want = ref.predict(luma, np.full(n, qp), np.full(n, st), None)
            assert maps.shape == (n, 4, 32, 32) and maps.dtype == np.uint8
            np.testing.assert_array_equal(maps, want)
        assert len(np.unique(maps)) > 10
        proc = c.proc
    assert proc is not None and proc.returncode == 0  # it left when the channel closed
    assert not (P.SHM_DIR / name).exists()


def test_service_error_answer(tmp_path: Path) -> None:
    bad = tmp_path / "bad_predictor.py"
    bad.write_text(
        "import numpy as np\n"
        "class Bad:\n"
        "    def predict(self, luma, qp, st, cue):\n"
        "        return np.zeros((1, 2, 3), np.uint8)\n"
        "def make_predictor():\n"
        "    return Bad()\n"
    )
    with PredictorClient(2, model=str(bad), first_timeout_s=60) as c:
        origins, luma = _picture(2, 0)
        with pytest.raises(PredictorError, match="shape"):
            c.predict(0, P.SLICE_I, 32, origins, luma)


def test_shared_service_serves_two_clients_then_idles_out(tmp_path: Path) -> None:
    name_file = tmp_path / "svc.name"
    argv = [sys.executable, "-m", "vtm_accel.predictors.service", "--model", TEST_MODEL]
    argv += ["--serve", "--name-file", str(name_file), "--idle-exit", "30"]
    svc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=_env())
    try:
        assert svc.stdout is not None
        name = svc.stdout.readline().strip()
        assert name == name_file.read_text().strip() and P.parse_owner_pid(name) == svc.pid
        assert stat.S_IMODE(os.stat(P.SHM_DIR / name).st_mode) == 0o600
        ref = EdgePredictor()
        a = PredictorClient(2, attach=name, first_timeout_s=60)
        b = PredictorClient(3, attach=name, first_timeout_s=60)
        try:
            for c, n in ((a, 2), (b, 3), (a, 1)):
                origins, luma = _picture(n, n)
                got = c.predict(n, P.SLICE_I, 27, origins, luma)
                want = ref.predict(luma, np.full(n, 27), np.full(n, 2), None)
                np.testing.assert_array_equal(got, want)
            assert a.seg.load32(P.OFF_SERVICE_PID) == svc.pid
        finally:
            a.close()
            b.close()
        svc.send_signal(signal.SIGTERM)
        assert svc.wait(timeout=30) != 0  # stopped by the signal, cleaning up
        assert not (P.SHM_DIR / name).exists()
    finally:
        if svc.poll() is None:
            svc.kill()
            svc.wait()


def test_client_sees_dead_service() -> None:
    c = PredictorClient(1, model=TEST_MODEL, first_timeout_s=60)
    try:
        origins, luma = _picture(1, 0)
        c.predict(0, P.SLICE_I, 32, origins, luma)
        assert c.proc is not None
        c.proc.kill()
        c.proc.wait()
        t0 = time.monotonic()
        with pytest.raises(PredictorError, match="gone"):
            c.predict(1, P.SLICE_I, 32, origins, luma)
        assert time.monotonic() - t0 < 1.5  # not the timeout: noticed at once
    finally:
        c.close()


def test_shared_scan_waits_for_a_channel_being_created() -> None:
    """A scan that lands between an encoder's shm_open, ftruncate and FLAG_READY retries the
    segment (a refusal there once left an --nn-attach encoder waiting out its timeout); a
    complete channel of another service, or one for an encoder's own service, is never taken."""
    from vtm_accel.predictors.service import INCOMPLETE_GIVE_UP_S, Service

    svc = Service(EdgePredictor(), [], serve=True, parent_pid=None, idle_exit_s=None)
    lay = P.ChannelLayout.for_ctus(2)
    name = P.segment_name()
    path = P.SHM_DIR / name
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)  # step 1: size 0
    others: list[P.Segment] = []
    try:
        svc._scan(0.0)
        assert name not in svc.rejected and name not in svc.channels
        os.ftruncate(fd, lay.total)  # step 2: sized, header still zero
        svc._scan(1.0)
        assert name not in svc.rejected and name not in svc.channels
        seg = P.open_segment(name)  # step 3: header, then FLAG_READY
        seg.mm[:48] = P.ChannelHeader(P.KIND_CHANNEL, 2, os.getpid(), lay.total).pack()
        seg.store32(P.OFF_SERVICE_PID, svc.pid)
        svc._scan(2.0)
        assert name not in svc.channels  # not ready yet
        seg.store32(P.OFF_FLAGS, P.FLAG_READY)
        svc._scan(3.0)
        assert name in svc.channels
        seg.close()
        # Complete channels that are not this service's: refused at once, and never taken.
        others = [P.create_channel(2, service_pid=0), P.create_channel(2, service_pid=1)]
        svc._scan(4.0)
        for o in others:
            assert o.name in svc.rejected and o.load32(P.OFF_SERVICE_PID) in (0, 1)
        # One that never completes is given up on, after a while.
        stuck = P.create_segment(P.segment_name(), lay.total)
        others.append(stuck)
        svc._scan(5.0)
        assert stuck.name not in svc.rejected
        svc._scan(5.0 + INCOMPLETE_GIVE_UP_S + 1)
        assert stuck.name in svc.rejected
    finally:
        os.close(fd)
        svc.close()
        path.unlink(missing_ok=True)
        for o in others:
            o.close(unlink=True)
