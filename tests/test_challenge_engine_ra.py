"""The challenge end to end with the engine as candidate in random access (intra period 8, so
``--config ra`` by default) against vvenc as anchor on a tiny synthetic clip: every point is
coded, FFmpeg decodes it and the engine's reconstruction equals the decode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vtm_accel.challenge.run import ChallengeConfig, SequenceSpec, run_challenge
from vtm_accel.codecs.engine import find_engine, read_engine_log
from vtm_accel.core import HarnessError


def test_challenge_engine_ra_vs_vvenc(tmp_path: Path) -> None:
    pytest.importorskip("skimage")
    try:
        find_engine()
    except HarnessError:
        pytest.skip("engine binary not built")
    from content import make_clip

    clip = make_clip(tmp_path / "pan.yuv", 64, 64, 9)
    seq = SequenceSpec("pan", clip, 9, 8)
    cfg = ChallengeConfig(anchor="vvenc:medium", candidate="engine", jobs=2)
    out = tmp_path / "run"
    run_challenge([seq], cfg, out)
    res = json.loads((out / "results.json").read_text())
    s = res["sequences"][0]
    assert [p["qp"] for p in s["points"]] == [22, 27, 32, 37]
    for p in s["points"]:
        for role in ("anchor", "candidate"):
            rec = p[role]
            assert rec["status"] == "ok", rec["error"]
            assert rec["kbps"] > 0 and 25 < rec["psnr_yuv"] < 80
            assert rec["checks"]["decodable"]["passed"]
        cand = p["candidate"]
        if "recon_match" in cand["checks"]:
            assert cand["checks"]["recon_match"]["passed"], cand["checks"]["recon_match"]
        log = Path(cand["bitstream"]).with_suffix(".jsonl")
        # the engine coded B slices (random access), not only I slices
        types = {pic["slice_type"] for pic in read_engine_log(log)}
        assert types == {"I", "B"}, types
    assert res["summary"]["rules"]["decodable"]["passed"]
