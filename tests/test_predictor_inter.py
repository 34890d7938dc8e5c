"""Inter pictures in the split log and in the predictor requests (random access, tiny clips).

The engine logs one single-tree record per inter CTU (tid, ref_poc) that the dataset replays
against the H.266 split rules, and sends the service the temporal cue (|source - nearest
reference|) and the TemporalId with every inter picture's request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from content import make_clip

from vtm_accel.io import probe_video, read_frames
from vtm_accel.io.frames import convert_bit_depth
from vtm_accel.training.dataset import examples_from_log
from vtm_accel.training.train import _read_recon

REPO = Path(__file__).resolve().parents[1]
TEST_MODEL = str(REPO / "tests" / "nn_test_predictor.py")
FRAMES = 3


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nninter") / "pan.y4m"
    make_clip(path, 128, 128, FRAMES, 8)
    return path


def _encode(engine: Path, clip: Path, out: Path, extra: list[str], env=None) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    argv = [str(engine), "--input", str(clip), "--frames", str(FRAMES), "--qp", "32"]
    argv += ["--config", "ra", "--intra-period", "16", "--md5-sei"]
    argv += ["--bitstream", str(out / "s.266"), "--recon", str(out / "r.yuv")]
    argv += ["--log", str(out / "l.jsonl"), *extra]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    return [json.loads(x) for x in (out / "l.jsonl").read_text().splitlines() if x.strip()]


def test_split_log_records_inter_ctus(engine_exe: Path, clip: Path, tmp_path: Path) -> None:
    log = _encode(engine_exe, clip, tmp_path, ["--split-log", str(tmp_path / "s.jsonl")])
    recs = [json.loads(x) for x in (tmp_path / "s.jsonl").read_text().splitlines()]
    inter = [r for r in recs if r["slice_type"] != "I"]
    intra = [r for r in recs if r["slice_type"] == "I"]
    n_inter = sum(p["slice_type"] != "I" for p in log)
    assert n_inter >= 1 and len(inter) == n_inter  # one CTU per picture, one record each
    assert [r["tree"] for r in intra] == ["luma", "chroma"] * (len(intra) // 2)
    for r in inter:
        assert r["tree"] == "single" and r["tid"] > 0
        assert r["ref_poc"] != r["poc"] and 0 <= r["ref_poc"] < FRAMES
    frames = [convert_bit_depth(f, 8, 10) for f in read_frames(probe_video(clip))]
    recon = _read_recon(tmp_path / "r.yuv", 128, 128)
    # the replay checks every inter split list against the single-tree rules
    ex = examples_from_log(tmp_path / "s.jsonl", frames, 128, 128, recon)
    st = ex.slice_type
    assert (st != 2).sum() == n_inter
    assert (ex.cue[st == 2] == 0).all() and ex.cue[st != 2].mean() > 0
    assert (ex.temporal_id[st != 2] > 0).all()
    assert ex.target[st != 2, 0, :, 0].all()  # the CTU's left edge is a boundary


def test_inter_requests_carry_cue_and_tid(
    engine_exe: Path, ffmpeg_exe: str, clip: Path, tmp_path: Path
) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env["VTM_ACCEL_PYTHON"] = sys.executable
    env["NN_TEST_LOG"] = str(tmp_path / "req.jsonl")
    log = _encode(engine_exe, clip, tmp_path / "nn", ["--nn", TEST_MODEL, "--nn-level", "5"], env)
    plain = _encode(engine_exe, clip, tmp_path / "plain", [])
    reqs = [json.loads(x) for x in (tmp_path / "req.jsonl").read_text().splitlines()]
    assert len(reqs) == FRAMES
    for q in reqs:
        inter = q["slice_type"] != 2
        assert q["cue"] == inter and (q["cue_mean"] > 0) == inter
        assert q["temporal_id"] is not None and (q["temporal_id"] > 0) == inter
    nodes = {p["poc"]: p["nodes"] for p in log}
    for p in plain:
        if p["slice_type"] != "I":
            assert nodes[p["poc"]] < p["nodes"]  # the inter search is pruned too
    dec = tmp_path / "dec.yuv"
    cmd = [ffmpeg_exe, "-v", "error", "-y", "-i", str(tmp_path / "nn" / "s.266")]
    subprocess.run([*cmd, "-f", "rawvideo", "-pix_fmt", "yuv420p10le", str(dec)], check=True)
    assert dec.read_bytes() == (tmp_path / "nn" / "r.yuv").read_bytes()
