"""Result store, resume after a killed batch, core pinning, and the Dask runner."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from vtm_accel.batch.local import effective_jobs, run_local
from vtm_accel.batch.pinning import available_cores, pinned_core
from vtm_accel.batch.store import ResultStore, input_fingerprint, point_key
from vtm_accel.challenge.run import ChallengeConfig, SequenceSpec, run_challenge
from vtm_accel.core import VideoInfo

REPO = Path(__file__).resolve().parents[1]


def test_fingerprint_is_content_not_mtime(tmp_path: Path) -> None:
    a = tmp_path / "a.yuv"
    a.write_bytes(os.urandom(3 << 20))
    b = tmp_path / "sub" / "b.yuv"
    b.parent.mkdir()
    shutil.copyfile(a, b)
    os.utime(b, (1, 1))
    assert input_fingerprint(a) == input_fingerprint(b)
    data = bytearray(a.read_bytes())
    data[-1] ^= 0xFF  # last MiB changes
    b.write_bytes(bytes(data))
    assert input_fingerprint(a) != input_fingerprint(b)
    b.write_bytes(bytes(data[:-1]))  # size changes
    assert input_fingerprint(a) != input_fingerprint(b)


def test_point_key_depends_on_every_field() -> None:
    base = {"input": "1:x", "qp": 32, "encoder": "vvenc:medium", "frames": 3}
    k = point_key(base)
    assert k == point_key(dict(reversed(list(base.items()))))
    for field, value in (("qp", 33), ("encoder", "vvenc:slower"), ("frames", 4), ("input", "2")):
        assert point_key({**base, field: value}) != k


def test_store_roundtrip_atomic(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    assert store.get("abc") is None
    p = store.put("abc", {"status": "ok", "kbps": 1.5})
    assert store.get("abc") == {"status": "ok", "kbps": 1.5}
    assert list(store.keys()) == ["abc"]
    assert not [f for f in p.parent.iterdir() if f.name.endswith(".tmp")]
    p.write_text('{"status": "ok", "kb')  # a torn file is treated as absent
    assert store.get("abc") is None


def test_pinned_core_never_oversubscribes(tmp_path: Path) -> None:
    cores = available_cores()
    active: list[int] = []
    peak = [0]
    seen: list[tuple[int, set[int]]] = []
    lock = threading.Lock()

    def work() -> None:
        with pinned_core(tmp_path / "locks") as c:
            with lock:
                active.append(c)
                peak[0] = max(peak[0], len(active))
                assert len(set(active)) == len(active)  # each on its own core
                seen.append((c, os.sched_getaffinity(0)))
            time.sleep(0.2)
            with lock:
                active.remove(c)

    threads = [threading.Thread(target=work) for _ in range(len(cores) + 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == len(cores) + 2
    assert peak[0] <= len(cores)
    assert all(aff == {c} for c, aff in seen)
    assert os.sched_getaffinity(0) == set(cores)  # restored


def test_effective_jobs_capped_at_cores() -> None:
    n = len(available_cores())
    assert effective_jobs(0) == n
    assert effective_jobs(1000) == n
    assert effective_jobs(1) == 1


def _square(x: int) -> int:
    return x * x


def test_run_local_keeps_order() -> None:
    assert run_local(_square, list(range(7)), jobs=2) == [x * x for x in range(7)]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> VideoInfo:
    pytest.importorskip("skimage")
    from content import make_clip

    return make_clip(tmp_path_factory.mktemp("clip") / "pan.yuv", 128, 96, 3)


RESUME_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from vtm_accel.challenge.run import ChallengeConfig, SequenceSpec, run_challenge
    from vtm_accel.core import VideoInfo

    clip = VideoInfo(Path(sys.argv[1]), 128, 96, 30.0, 8, "yuv", 3)
    cfg = ChallengeConfig("vvenc:medium", "vvenc:fast", jobs=1)
    run_challenge([SequenceSpec("pan", clip, 3, 32)], cfg, Path(sys.argv[2]))
    """
)


def test_resume_after_killed_batch(tmp_path: Path, clip: VideoInfo) -> None:
    out = tmp_path / "out"
    script = tmp_path / "batch.py"
    script.write_text(RESUME_SCRIPT)
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(clip.path), str(out)], env=env, start_new_session=True
    )
    points = out / "points"
    deadline = time.monotonic() + 120
    try:
        while not (points.is_dir() and any(points.glob("*.json"))):
            assert proc.poll() is None, "batch ended before its first point finished"
            assert time.monotonic() < deadline, "no point finished in time"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    before = {p.name: p.stat().st_mtime_ns for p in points.glob("*.json")}
    assert 1 <= len(before) < 8, before
    assert not (out / "results.json").exists()

    cfg = ChallengeConfig("vvenc:medium", "vvenc:fast", jobs=1)
    res = run_challenge([SequenceSpec("pan", clip, 3, 32)], cfg, out).results
    after = {p.name: p.stat().st_mtime_ns for p in points.glob("*.json")}
    assert len(after) == 8
    for name, mtime in before.items():
        assert after[name] == mtime, f"{name} was recomputed"
    recs = [p[r] for p in res["sequences"][0]["points"] for r in ("anchor", "candidate")]
    assert all(r["status"] == "ok" for r in recs)
    cached = {f"{r['key']}.json" for r in recs if r["cached"]}
    assert cached == set(before)

    # a third run recomputes nothing
    res3 = run_challenge([SequenceSpec("pan", clip, 3, 32)], cfg, out).results
    assert all(
        p[r]["cached"] for p in res3["sequences"][0]["points"] for r in ("anchor", "candidate")
    )
    assert {p.name: p.stat().st_mtime_ns for p in points.glob("*.json")} == after


def _digest(path: str) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def test_dask_cluster_gives_same_results(tmp_path: Path, clip: VideoInfo) -> None:
    distributed = pytest.importorskip("distributed")
    seq = SequenceSpec("pan", clip, 3, 32)
    qps = (27, 37)
    local = run_challenge(
        [seq], ChallengeConfig("vvenc:fast", "vvenc:faster", qps=qps, jobs=2), tmp_path / "local"
    ).results
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        cfg = ChallengeConfig(
            "vvenc:fast", "vvenc:faster", qps=qps, scheduler=cluster.scheduler_address
        )
        remote = run_challenge([seq], cfg, tmp_path / "dask").results
    for pl, pr in zip(
        local["sequences"][0]["points"], remote["sequences"][0]["points"], strict=True
    ):
        for role in ("anchor", "candidate"):
            a, b = pl[role], pr[role]
            assert b["status"] == "ok" and not b["cached"]
            assert b["key"] == a["key"]
            assert _digest(b["bitstream"]) == _digest(a["bitstream"])
            for k in ("kbps", "psnr_y", "psnr_u", "psnr_v", "psnr_yuv"):
                assert b[k] == a[k], k
    assert remote["summary"]["bd_rate"] == local["summary"]["bd_rate"]
    assert json.loads((tmp_path / "dask" / "results.json").read_text())["summary"]["passed"] in (
        True,
        False,
    )


def test_dask_unreachable_scheduler_is_a_clear_error() -> None:
    pytest.importorskip("distributed")
    from vtm_accel.batch.dask import run_dask
    from vtm_accel.core import HarnessError

    with pytest.raises(HarnessError, match="cannot reach the Dask scheduler.*--scheduler"):
        run_dask(_square, [1], "tcp://127.0.0.1:1", connect_timeout_s=2)


def test_same_point_twice_at_once_is_computed_once(tmp_path: Path, clip: VideoInfo) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from vtm_accel.challenge.points import PointTask, run_point

    task = PointTask("pan", "anchor", clip, 2, 32, 32, "vvenc:faster", "ffmpeg", tmp_path)
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(run_point, [task, task])
    assert a["status"] == b["status"] == "ok"
    assert a["key"] == b["key"] and a["kbps"] == b["kbps"]
    assert sorted([a["cached"], b["cached"]]) == [False, True]
