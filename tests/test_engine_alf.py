"""The engine's adaptive loop filter (ALF): streams with ALF on decode bit-exactly with FFmpeg's
VVC decoder (recon == decoded output) in all-intra and random access, ALF really runs (some
slice has sh_alf_enabled_flag = 1 and an ALF APS is sent) and changes the output compared
with --no-alf.

Content: a real photograph (scikit-image) panned across a tiny frame, made at test time; a real
clip from ../shared/data when present. Sizes of 136 lines cover the ALF virtual boundary (rows
124..127 of the first CTB row) and a partial CTB row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from content import make_clip
from engine_check import assert_decodes_to_recon, encode, header_trace, header_values, real_clip


def _alf_slices(ffmpeg: str, stream: Path) -> tuple[int, int]:
    """(slices with sh_alf_enabled_flag = 1, ALF APS NAL units) from FFmpeg's trace_headers."""
    trace = header_trace(ffmpeg, stream)
    on = sum(header_values(trace, "sh_alf_enabled_flag"))
    aps = len(header_values(trace, "alf_luma_filter_signal_flag"))
    return on, aps


def _check(
    engine: Path,
    ffmpeg: str,
    tmp: Path,
    src: Path,
    name: str,
    size: tuple[int, int],
    args: list[str],
) -> None:
    frames = int(args[args.index("--frames") + 1])
    enc = encode(engine, src, tmp / name, args)
    assert_decodes_to_recon(ffmpeg, enc.stream, enc.recon, size[0], size[1], frames, name)
    on, aps = _alf_slices(ffmpeg, enc.stream)
    # Later slices may reuse an APS sent earlier (the sequence's APS store): one is enough.
    assert on >= 1 and aps >= 1, f"{name}: ALF never enabled ({on} slices, {aps} APS)"
    # --no-alf: a valid stream without ALF whose reconstruction differs.
    off = encode(engine, src, tmp / f"{name}_noalf", args + ["--no-alf"])
    assert _alf_slices(ffmpeg, off.stream)[0] == 0
    want = np.fromfile(enc.recon, dtype="<u2")
    assert not np.array_equal(np.fromfile(off.recon, dtype="<u2"), want), "ALF changed nothing"


# QP 27: on a 136x136 picture the APS does not pay at high QPs (lambda * APS bits).
@pytest.mark.parametrize("qp", [27])
def test_alf_all_intra_bit_exact(
    engine_exe: Path, ffmpeg_exe: str, tmp_path: Path, qp: int
) -> None:
    src = tmp_path / "photo.y4m"
    make_clip(src, 136, 136, 2, bit_depth=8)
    args = ["--frames", "2", "--qp", str(qp)]
    _check(engine_exe, ffmpeg_exe, tmp_path, src, f"ai{qp}", (136, 136), args)


def test_alf_random_access_bit_exact(engine_exe: Path, ffmpeg_exe: str, tmp_path: Path) -> None:
    src = tmp_path / "photo.y4m"
    make_clip(src, 136, 136, 5, bit_depth=8, pan=(2, 1))
    args = ["--frames", "5", "--qp", "32", "--config", "ra", "--intra-period", "4"]
    _check(engine_exe, ffmpeg_exe, tmp_path, src, "ra32", (136, 136), args)


def test_alf_real_clip_bit_exact(
    engine_exe: Path, ffmpeg_exe: str, data_dir: Path, tmp_path: Path
) -> None:
    clip = real_clip(data_dir, "foreman_qcif_176x144_30_dec_30f.y4m")
    args = ["--frames", "3", "--qp", "32", "--config", "ra", "--intra-period", "2"]
    _check(engine_exe, ffmpeg_exe, tmp_path, clip, "foreman_ra", (176, 144), args)
