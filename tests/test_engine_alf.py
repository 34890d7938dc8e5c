"""The engine's adaptive loop filter (ALF): streams with ALF on decode bit-exactly with FFmpeg's
VVC decoder (recon == decoded output) in all-intra and random access, ALF really runs (some
slice has sh_alf_enabled_flag = 1 and an ALF APS is sent) and changes the output compared
with --no-alf.

Content: a real photograph (scikit-image) panned across a tiny frame, made at test time; a real
clip from ../shared/data when present. Sizes of 136 lines cover the ALF virtual boundary (rows
124..127 of the first CTB row) and a partial CTB row.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from content import make_clip

REPO = Path(__file__).resolve().parents[1]


def _engine() -> Path | None:
    env = os.environ.get("VTM_ACCEL_ENGINE")
    if env:
        return Path(env)
    on_path = shutil.which("vtm-accel-engine")
    if on_path:
        return Path(on_path)
    for build in ("engine/build", "build/engine-release"):
        p = REPO / build / "vtm-accel-engine"
        if p.exists():
            return p
    return None


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


def _data_dir() -> Path:
    env = os.environ.get("VTM_ACCEL_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def _encode(engine: Path, src: Path, out: Path, args: list[str]) -> tuple[Path, Path]:
    bs, rec = out.with_suffix(".266"), out.with_suffix(".yuv")
    cmd = [str(engine), "--input", str(src), "--bitstream", str(bs), "--recon", str(rec)]
    run = subprocess.run(cmd + ["--md5-sei"] + args, capture_output=True, text=True)
    assert run.returncode == 0, f"engine failed ({run.returncode}): {run.stderr[-2000:]}"
    return bs, rec


def _decode(ffmpeg: str, bs: Path) -> np.ndarray:
    dec = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(bs), "-f", "rawvideo", "-pix_fmt", "yuv420p10le", "-"],
        capture_output=True,
    )
    assert dec.returncode == 0, f"FFmpeg could not decode {bs.name}: {dec.stderr[-2000:]!r}"
    return np.frombuffer(dec.stdout, dtype="<u2")


def _alf_slices(ffmpeg: str, bs: Path) -> tuple[int, int]:
    """(slices with sh_alf_enabled_flag = 1, ALF APS NAL units) from FFmpeg's trace_headers."""
    tr = subprocess.run(
        [ffmpeg, "-i", str(bs), "-c", "copy", "-bsf:v", "trace_headers", "-f", "null", "-"],
        capture_output=True,
        text=True,
    )
    assert tr.returncode == 0, tr.stderr[-2000:]
    on = len(re.findall(r"sh_alf_enabled_flag\s+1 = 1", tr.stderr))
    aps = len(re.findall(r"alf_luma_filter_signal_flag", tr.stderr))
    return on, aps


def _check(engine: Path, ffmpeg: str, tmp: Path, src: Path, name: str, args: list[str]) -> None:
    bs, rec = _encode(engine, src, tmp / name, args)
    got, want = _decode(ffmpeg, bs), np.fromfile(rec, dtype="<u2")
    assert got.size == want.size and want.size > 0, f"{name}: {got.size} vs {want.size} samples"
    bad = np.nonzero(got != want)[0]
    assert bad.size == 0, f"{name}: {bad.size} samples differ from FFmpeg, first at {bad[0]}"
    on, aps = _alf_slices(ffmpeg, bs)
    assert on >= 1 and aps >= on, f"{name}: ALF never enabled ({on} slices, {aps} APS)"
    # --no-alf: a valid stream without ALF whose reconstruction differs.
    bs0, rec0 = _encode(engine, src, tmp / f"{name}_noalf", args + ["--no-alf"])
    assert _alf_slices(ffmpeg, bs0)[0] == 0
    assert not np.array_equal(np.fromfile(rec0, dtype="<u2"), want), "ALF changed nothing"


# QP 27: on a 136x136 picture the APS does not pay at high QPs (lambda * APS bits).
@pytest.mark.parametrize("qp", [27])
def test_alf_all_intra_bit_exact(engine: Path, ffmpeg: str, tmp_path: Path, qp: int) -> None:
    src = tmp_path / "photo.y4m"
    make_clip(src, 136, 136, 2, bit_depth=8)
    _check(engine, ffmpeg, tmp_path, src, f"ai{qp}", ["--frames", "2", "--qp", str(qp)])


def test_alf_random_access_bit_exact(engine: Path, ffmpeg: str, tmp_path: Path) -> None:
    src = tmp_path / "photo.y4m"
    make_clip(src, 136, 136, 5, bit_depth=8, pan=(2, 1))
    args = ["--frames", "5", "--qp", "32", "--config", "ra", "--intra-period", "4"]
    _check(engine, ffmpeg, tmp_path, src, "ra32", args)


def test_alf_real_clip_bit_exact(engine: Path, ffmpeg: str, tmp_path: Path) -> None:
    clip = _data_dir() / "foreman_qcif_176x144_30_dec_30f.y4m"
    if not clip.exists():
        pytest.skip(f"real clip {clip} not present (set VTM_ACCEL_DATA or provide ../shared/data)")
    args = ["--frames", "3", "--qp", "32", "--config", "ra", "--intra-period", "2"]
    _check(engine, ffmpeg, tmp_path, clip, "foreman_ra", args)
