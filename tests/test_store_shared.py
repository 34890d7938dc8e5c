"""A point store shared between runs (`--store DIR`): an anchor that a batch coded is reused by
every later challenge (with its CPU time and the machine that timed it), the report says so,
and two runs on one store at once compute a shared point once."""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from vtm_accel.challenge.run import ChallengeConfig, SequenceSpec, run_challenge
from vtm_accel.cli import main
from vtm_accel.core import VideoInfo

QPS = "27,37"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> VideoInfo:
    pytest.importorskip("skimage")
    from content import make_clip

    return make_clip(tmp_path_factory.mktemp("clip") / "pan_128x96_30.yuv", 128, 96, 3)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def _stamp(path: str) -> tuple[int, int]:
    st = Path(path).stat()
    return st.st_ino, st.st_mtime_ns


def test_batch_anchor_is_encoded_once_for_two_challenges(
    tmp_path: Path, clip: VideoInfo, engine_exe: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seqs = tmp_path / "seqs.csv"
    seqs.write_text(f"path,name\n{clip.path},pan\n")
    store = tmp_path / "store"
    common = ["--sequences", str(seqs), "--qps", QPS, "--store", str(store), "--jobs", "2"]
    argv = ["batch", "--encoder", "engine", "--out", str(tmp_path / "b"), *common]
    rc, _, err = _run(argv, capsys)
    assert rc == 0, err
    batch = json.loads((tmp_path / "b" / "results.json").read_text())
    anchor = {p["qp"]: p["record"] for p in batch["sequences"][0]["points"]}
    assert all(not r["cached"] for r in anchor.values())
    stamps = {qp: _stamp(r["bitstream"]) for qp, r in anchor.items()}
    assert len(list((store / "points").glob("*.json"))) == 2
    assert not (tmp_path / "b" / "points").exists()  # the points live in the store

    for i, cand in enumerate(("vvenc:faster", "vvenc:fast")):
        out = tmp_path / f"c{i}"
        argv = ["challenge", "--anchor", "engine", "--candidate", cand, "--out", str(out), *common]
        rc, stdout, err = _run(argv, capsys)
        assert rc in (0, 1), err  # the rules are not the point here
        res = json.loads((out / "results.json").read_text())
        for p in res["sequences"][0]["points"]:
            a, c = p["anchor"], p["candidate"]
            was = anchor[p["qp"]]
            # the batch's point itself: same key, same finishing time, CPU time and machine
            assert a["cached"] and a["key"] == was["key"]
            assert a["finished"] == was["finished"] and a["cpu_s"] == was["cpu_s"]
            assert a["machine"] == was["machine"]
            assert a["machine"]["host"] == socket.gethostname()
            assert _stamp(a["bitstream"]) == stamps[p["qp"]]  # never coded again
            assert not c["cached"] and c["status"] == "ok"
            assert p["checks"]["time_ratio"]["anchor_cpu_s"] == was["cpu_s"]
        assert "reused from the store: 2 of 4 points, computed" in stdout
        reuse = res["summary"]["reuse"]
        assert reuse["reused"] == 2 and reuse["points"] == 4 and reuse["other_machine"] == 0
        assert reuse["earliest"] == min(r["finished"] for r in anchor.values())
        md = (out / "report.md").read_text()
        assert "**points reused from the store**: 2 of 4 points, computed" in md
        assert "## Points reused from the store" in md
        for r in anchor.values():
            assert f"| pan | {r['qp']} | anchor | engine | {r['finished']} |" in md
    # the anchor's two points and each candidate's two, each coded once
    assert len(list((store / "points").glob("*.json"))) == 6


def test_two_challenges_on_one_store_at_once(tmp_path: Path, clip: VideoInfo) -> None:
    """The per-point lock of the store: two runs that need the same anchor point at the same
    time code it once; the second waits and takes the first one's record."""
    seq = SequenceSpec("pan", clip, 2, 32)
    store = tmp_path / "store"

    def challenge(cand: str) -> dict:
        cfg = ChallengeConfig("vvenc:slow", cand, qps=(27, 37), store=store)
        return run_challenge([seq], cfg, tmp_path / cand.replace(":", "_")).results

    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(challenge, ["vvenc:faster", "vvenc:fast"])
    for pa, pb in zip(a["sequences"][0]["points"], b["sequences"][0]["points"], strict=True):
        ra, rb = pa["anchor"], pb["anchor"]
        assert ra["status"] == rb["status"] == "ok"
        assert ra["key"] == rb["key"] and ra["finished"] == rb["finished"]
        assert sorted([ra["cached"], rb["cached"]]) == [False, True]
    assert len(list((store / "points").glob("*.json"))) == 6
