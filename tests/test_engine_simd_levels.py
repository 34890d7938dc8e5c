"""The engine's kernel tables (SAD/SATD/SSE, interpolation, weighting, transforms, intra
prediction) at every instruction-set level the CPU has give the same bitstream: VTM_ACCEL_SIMD
caps the level at scalar, sse2, sse41 or avx2. The stream is decoded by FFmpeg and compared with
the engine's reconstruction."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from engine_check import assert_decodes_to_recon, size_args

W, H, FRAMES = 152, 88, 9  # widths that are not multiples of 16 take the fallbacks too


@pytest.mark.parametrize("config", ["ra", "ai"])
def test_every_simd_level_writes_the_same_stream(
    engine_exe: Path, ffmpeg_exe: str, tmp_path: Path, config: str
) -> None:
    pytest.importorskip("skimage")
    from content import make_clip

    clip = make_clip(tmp_path / f"pan_{W}x{H}.yuv", W, H, FRAMES).path
    streams = {}
    for level in ("scalar", "sse2", "sse41", "avx2"):
        out = tmp_path / f"{level}.266"
        recon = tmp_path / f"{level}_rec.yuv"
        args = [str(engine_exe), "--input", str(clip), *size_args(W, H, 8), "--frames"]
        args += [str(FRAMES), "--qp", "32", "--config", config, "--intra-period", "32"]
        run = subprocess.run(
            [*args, "--bitstream", str(out), "--recon", str(recon)],
            env=dict(os.environ, VTM_ACCEL_SIMD=level),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        streams[level] = out.read_bytes()
    for level in ("sse2", "sse41", "avx2"):
        assert streams[level] == streams["scalar"], level
    assert_decodes_to_recon(ffmpeg_exe, tmp_path / "scalar.266", tmp_path / "scalar_rec.yuv",
                            W, H, FRAMES)  # fmt: skip
