"""Dependent quantization in the engine (on by default, ``--no-dep-quant`` switches it off):
FFmpeg's VVC decoder must reproduce the engine's reconstruction bit-exactly for all-intra and
random-access streams coded with DQ, 8- and 10-bit input, QP 22..37; the streams signal
sps_dep_quant_enabled_flag / sh_dep_quant_used_flag, and the switch changes the coding.

Content: a panned real photograph made at test time, always; crops of real clips from
../shared/data when present (skipped otherwise).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from content import make_clip
from test_engine_conformance import Case, _data_dir, _encode_and_compare, _engine


@pytest.fixture(scope="module")
def engine() -> Path:
    p = _engine()
    if p is None or not p.exists():
        pytest.skip("engine binary not found: set VTM_ACCEL_ENGINE or build engine/")
    return p


@pytest.fixture(scope="module")
def ffmpeg() -> str:
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    return imageio_ffmpeg.get_ffmpeg_exe()


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
    engine: Path, ffmpeg: str, tmp_path: Path, case: Case, extra: list[str]
) -> None:
    src = tmp_path / f"{case.name}.yuv"
    make_clip(src, case.width, case.height, case.frames, bit_depth=case.bit_depth)
    _encode_and_compare(engine, ffmpeg, tmp_path, src, case, extra)


REAL = [
    ("parkjoy_160x90_50.y4m", Case("dq_parkjoy_ra_qp27", 160, 90, 2, 8, 27), RA),
    ("parkjoy_160x90_50_10bit.y4m", Case("dq_parkjoy10_ai_qp37", 160, 90, 1, 10, 37), []),
]


@pytest.mark.parametrize("clip,case,extra", REAL, ids=[c.name for _, c, _ in REAL])
def test_dep_quant_real_clip_bit_exact(
    engine: Path, ffmpeg: str, tmp_path: Path, clip: str, case: Case, extra: list[str]
) -> None:
    path = _data_dir() / clip
    if not path.exists():
        pytest.skip(f"real clip {path} not present (set VTM_ACCEL_DATA or provide ../shared/data)")
    _encode_and_compare(engine, ffmpeg, tmp_path, path, case, extra)


def _trace(ffmpeg: str, bs: Path) -> str:
    run = subprocess.run(
        [ffmpeg, "-v", "trace", "-i", str(bs), "-c", "copy", "-bsf:v", "trace_headers"]
        + ["-f", "null", "-"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stderr


def test_dep_quant_switch(engine: Path, ffmpeg: str, tmp_path: Path) -> None:
    src = tmp_path / "clip.yuv"
    make_clip(src, 64, 64, 1, bit_depth=8)
    streams = {}
    for name, flags in (("dq", []), ("nodq", ["--no-dep-quant"])):
        bs = tmp_path / f"{name}.266"
        cmd = [str(engine), "--input", str(src), "--width", "64", "--height", "64"]
        cmd += ["--frames", "1", "--qp", "27", "--bitstream", str(bs), *flags]
        run = subprocess.run(cmd, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-2000:]
        streams[name] = bs
    dq, nodq = _trace(ffmpeg, streams["dq"]), _trace(ffmpeg, streams["nodq"])
    assert "sps_dep_quant_enabled_flag" in dq
    for line in dq.splitlines():
        if "sps_dep_quant_enabled_flag" in line or "sh_dep_quant_used_flag" in line:
            assert line.rstrip().endswith("= 1"), line
    assert "sh_dep_quant_used_flag" in dq
    assert "sh_dep_quant_used_flag" not in nodq
    for line in nodq.splitlines():
        if "sps_dep_quant_enabled_flag" in line:
            assert line.rstrip().endswith("= 0"), line
    assert streams["dq"].read_bytes() != streams["nodq"].read_bytes()
