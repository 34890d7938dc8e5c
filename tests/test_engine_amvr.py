"""AMVR in the engine (``--amvr 1``; off by default until its search pays, see
docs/inter-tools.md): AMVP CUs may code their MVD at integer or four-sample precision
(amvr_flag / amvr_precision_idx, predictors rounded to that precision).

FFmpeg's VVC decoder must reproduce the engine's reconstruction bit-exactly in random access
and low delay, 8- and 10-bit, a size that is not a multiple of 8, QP 22 and 37; the SPS
signals the tool; on content panned by whole samples the encoder really chooses it (the log's
per-picture "amvr" area share), and with the tool off it never does.

Content: a panned real photograph made at test time (tests/content.py), and a real clip of
../shared/data when present.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from content import make_clip
from engine_check import Case, decode_clip, encode_and_compare, first_values, real_clip

RA_OFF = ["--config", "ra", "--intra-period", "8"]
RA = [*RA_OFF, "--amvr", "1"]
LDB = ["--config", "ldb", "--amvr", "1"]

CASES = [
    (Case("amvr_ra_96x64_8bit_qp22", 96, 64, 9, 8, 22), RA, (4, 2)),
    (Case("amvr_ra_100x60_10bit_qp37", 100, 60, 9, 10, 37), RA, (-3, 1)),
    (Case("amvr_ldb_64x64_10bit_qp32", 64, 64, 5, 10, 32), LDB, (2, -2)),
]


def amvr_share(log: list[dict]) -> float:
    return sum(float(p["cu"]["amvr"]) for p in log if "cu" in p)


@pytest.mark.parametrize("case,extra,pan", CASES, ids=[c.name for c, _, _ in CASES])
def test_amvr_bit_exact(
    engine_exe: Path,
    ffmpeg_exe: str,
    tmp_path: Path,
    case: Case,
    extra: list[str],
    pan: tuple[int, int],
) -> None:
    src = tmp_path / f"{case.name}.yuv"
    make_clip(src, case.width, case.height, case.frames, bit_depth=case.bit_depth, pan=pan)
    enc = encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case, extra)
    assert first_values(ffmpeg_exe, enc.stream, ("sps_amvr_enabled_flag",)) == {
        "sps_amvr_enabled_flag": 1
    }


def test_amvr_is_chosen_and_switchable(engine_exe: Path, ffmpeg_exe: str, tmp_path: Path) -> None:
    """Whole-sample motion: some AMVP CUs take an integer MVD; off (the default): none, SPS
    flag 0."""
    src = tmp_path / "pan.yuv"
    make_clip(src, 128, 96, 9, bit_depth=10, image="coffee", pan=(4, 2))
    on = encode_and_compare(
        engine_exe, ffmpeg_exe, tmp_path, src, Case("amvr_on", 128, 96, 9, 10, 27), RA
    )
    off = encode_and_compare(
        engine_exe,
        ffmpeg_exe,
        tmp_path,
        src,
        Case("amvr_off", 128, 96, 9, 10, 27),
        RA_OFF,
    )
    assert amvr_share(on.log) > 0, on.log
    assert amvr_share(off.log) == 0, off.log
    assert first_values(ffmpeg_exe, off.stream, ("sps_amvr_enabled_flag",)) == {
        "sps_amvr_enabled_flag": 0
    }
    assert on.stream.read_bytes() != off.stream.read_bytes()


def test_amvr_on_a_real_clip(
    engine_exe: Path, ffmpeg_exe: str, data_dir: Path, tmp_path: Path
) -> None:
    """Real content, random access: bit-exact and AMVR chosen somewhere."""
    clip = real_clip(data_dir, "basketballpass_416x240_50_10bit.266")
    yuv = decode_clip(ffmpeg_exe, clip, tmp_path / "bp.yuv", frames=9, crop=(208, 120, 104, 60))
    case = Case("amvr_basketballpass", 208, 120, 9, 10, 32)
    enc = encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, yuv, case, RA)
    assert amvr_share(enc.log) > 0
