"""Dependent quantization in the engine (on by default, ``--no-dep-quant`` switches it off):
FFmpeg's VVC decoder must reproduce the engine's reconstruction bit-exactly for all-intra and
random-access streams coded with DQ, 8- and 10-bit input, QP 22..37; the streams signal
sps_dep_quant_enabled_flag / sh_dep_quant_used_flag, and the switch changes the coding.

Content: a panned real photograph made at test time, always; crops of real clips from
../shared/data when present (skipped otherwise).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from content import make_clip
from engine_check import Case, encode, encode_and_compare, header_trace, header_values, real_clip

RA = ["--config", "ra", "--intra-period", "4"]

SYNTHETIC = [
    (Case("dq_ai_64x64_8bit_qp22", 64, 64, 1, 8, 22), []),
    (Case("dq_ai_72x40_10bit_qp37", 72, 40, 2, 10, 37), []),
    (Case("dq_ai_64x64_10bit_qp27", 64, 64, 1, 10, 27), []),
    (Case("dq_ra_64x64_8bit_qp22", 64, 64, 3, 8, 22), RA),
    (Case("dq_ra_64x64_10bit_qp37", 64, 64, 5, 10, 37), RA),
    (Case("dq_ra_64x48_8bit_qp32", 64, 48, 5, 8, 32), RA),
]


@pytest.mark.parametrize("case,extra", SYNTHETIC, ids=[c.name for c, _ in SYNTHETIC])
def test_dep_quant_bit_exact(
    engine_exe: Path, ffmpeg_exe: str, tmp_path: Path, case: Case, extra: list[str]
) -> None:
    src = tmp_path / f"{case.name}.yuv"
    make_clip(src, case.width, case.height, case.frames, bit_depth=case.bit_depth)
    encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case, extra)


REAL = [
    ("parkjoy_160x90_50.y4m", Case("dq_parkjoy_ra_qp27", 160, 90, 2, 8, 27), RA),
    ("parkjoy_160x90_50_10bit.y4m", Case("dq_parkjoy10_ai_qp37", 160, 90, 1, 10, 37), []),
]


@pytest.mark.parametrize("clip,case,extra", REAL, ids=[c.name for _, c, _ in REAL])
def test_dep_quant_real_clip_bit_exact(
    engine_exe: Path,
    ffmpeg_exe: str,
    data_dir: Path,
    tmp_path: Path,
    clip: str,
    case: Case,
    extra: list[str],
) -> None:
    path = real_clip(data_dir, clip)
    encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, path, case, extra)


def test_dep_quant_switch(engine_exe: Path, ffmpeg_exe: str, tmp_path: Path) -> None:
    src = tmp_path / "clip.yuv"
    make_clip(src, 64, 64, 1, bit_depth=8)
    args = ["--width", "64", "--height", "64", "--frames", "1", "--qp", "27"]
    dq = encode(engine_exe, src, tmp_path / "dq", args)
    nodq = encode(engine_exe, src, tmp_path / "nodq", [*args, "--no-dep-quant"])
    on, off = header_trace(ffmpeg_exe, dq.stream), header_trace(ffmpeg_exe, nodq.stream)
    for name in ("sps_dep_quant_enabled_flag", "sh_dep_quant_used_flag"):
        values = header_values(on, name)
        assert values and set(values) == {1}, (name, values)
    values = header_values(off, "sps_dep_quant_enabled_flag")
    assert values and set(values) == {0}, values
    assert header_values(off, "sh_dep_quant_used_flag") == []
    assert dq.stream.read_bytes() != nodq.stream.read_bytes()
