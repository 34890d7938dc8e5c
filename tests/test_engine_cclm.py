"""The engine's CCLM chroma intra prediction (INTRA_LT/L/T_CCLM, H.266 8.4.5.2.14): streams
with CCLM on stay bit-exact with FFmpeg's VVC decoder in all intra (dual tree) and random access
(intra CUs of B slices, single tree), at QP 22 and 37, for sizes that are and are not multiples
of 8; the SPS carries sps_cclm_enabled_flag (0 with --no-cclm); CCLM is really chosen (the
stream differs from --no-cclm) and improves chroma at lower rate on real photos.

Content: scikit-image photographs made at test time; a crop of a real clip from ../shared/data
when present (skipped otherwise).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from content import make_clip
from engine_check import (
    Encoded,
    assert_decodes_to_recon,
    decode,
    encode,
    first_values,
    real_clip,
    size_args,
)

SPS_FLAGS = ("sps_cclm_enabled_flag", "sps_chroma_vertical_collocated_flag")


def _encode(
    engine: Path, src: Path, out: Path, w: int, h: int, frames: int, qp: int, extra: list[str]
) -> Encoded:
    args = [] if src.suffix == ".y4m" else size_args(w, h, 10)
    return encode(engine, src, out, args + ["--frames", str(frames), "--qp", str(qp), *extra])


def _assert_bit_exact(ffmpeg: str, e: Encoded, w: int, h: int, frames: int) -> None:
    assert_decodes_to_recon(ffmpeg, e.stream, e.recon, w, h, frames)


# (photo, width, height, qp): 100x60 is not a multiple of 8 (coded 104x64).
AI_CASES = [("astronaut", 100, 60, 22), ("coffee", 136, 72, 37), ("chelsea", 72, 64, 27)]


@pytest.mark.parametrize(
    "image,w,h,qp", AI_CASES, ids=[f"{c[0]}-{c[1]}x{c[2]}-qp{c[3]}" for c in AI_CASES]
)
def test_cclm_all_intra_bit_exact_and_chosen(
    engine_exe: Path, ffmpeg_exe: str, tmp_path: Path, image: str, w: int, h: int, qp: int
) -> None:
    src = tmp_path / "src.y4m"
    make_clip(src, w, h, 1, bit_depth=10, image=image)
    on = _encode(engine_exe, src, tmp_path / "on", w, h, 1, qp, [])
    _assert_bit_exact(ffmpeg_exe, on, w, h, 1)
    assert first_values(ffmpeg_exe, on.stream, SPS_FLAGS) == {
        "sps_cclm_enabled_flag": 1,
        "sps_chroma_vertical_collocated_flag": 0,  # 6-tap down-sampling (MPEG-2 chroma siting)
    }
    off = _encode(engine_exe, src, tmp_path / "off", w, h, 1, qp, ["--no-cclm"])
    assert first_values(ffmpeg_exe, off.stream, SPS_FLAGS)["sps_cclm_enabled_flag"] == 0
    # The cclm_mode_flag bins change the stream. Whether CCLM wins in one tiny picture depends on
    # the other tools' decisions; that it is chosen and pays is asserted on photos below.
    assert on.stream.read_bytes() != off.stream.read_bytes()


def test_cclm_improves_chroma_on_photos(engine_exe: Path, tmp_path: Path) -> None:
    # At QP 22 on real photos CCLM predicts chroma from the luma texture: the chroma quality
    # rises (mean of Cb and Cr PSNR) at no more rate. Measured: astronaut +0.8 dB at -2 % bits.
    gains, rates = [], []
    for image in ("astronaut", "coffee"):
        src = tmp_path / f"{image}.y4m"
        make_clip(src, 136, 72, 1, bit_depth=10, image=image)
        on = _encode(engine_exe, src, tmp_path / f"{image}_on", 136, 72, 1, 22, [])
        off = _encode(engine_exe, src, tmp_path / f"{image}_off", 136, 72, 1, 22, ["--no-cclm"])
        gains.append(
            (on.mean("psnr_u") + on.mean("psnr_v") - off.mean("psnr_u") - off.mean("psnr_v")) / 2
        )
        rates.append(on.bits() / off.bits())
    assert min(gains) > 0.15, f"chroma PSNR gains {gains}"
    assert max(rates) < 1.01, f"rate ratios {rates}"


def test_cclm_random_access_single_tree_bit_exact(
    engine_exe: Path, ffmpeg_exe: str, tmp_path: Path
) -> None:
    # A scene cut after the first frame: the B pictures after it code intra CUs (single tree),
    # where cclm_mode_flag is always coded (CclmEnabled) and CCLM is chosen (checked by hand
    # with a debug print: all three modes occur at QP 22). 72x48: not a multiple of 16.
    w, h = 72, 48
    a, b = tmp_path / "a.yuv", tmp_path / "b.yuv"
    make_clip(a, w, h, 1, bit_depth=10, image="coffee")
    make_clip(b, w, h, 2, bit_depth=10, image="chelsea")
    src = tmp_path / "cut.yuv"
    src.write_bytes(a.read_bytes() + b.read_bytes())
    extra = ["--config", "ra", "--intra-period", "4", "--mctf", "0"]
    on = _encode(engine_exe, src, tmp_path / "on", w, h, 3, 22, extra)
    _assert_bit_exact(ffmpeg_exe, on, w, h, 3)
    assert {x["slice_type"] for x in on.log} >= {"I", "B"}
    off = _encode(engine_exe, src, tmp_path / "off", w, h, 3, 22, [*extra, "--no-cclm"])
    _assert_bit_exact(ffmpeg_exe, off, w, h, 3)
    # The B pictures' streams differ (their intra CUs code cclm_mode_flag, some choose CCLM).
    on_b = [x["bits"] for x in on.log if x["slice_type"] == "B"]
    off_b = [x["bits"] for x in off.log if x["slice_type"] == "B"]
    assert on_b != off_b


def test_cclm_real_clip_crop_bit_exact(
    engine_exe: Path, ffmpeg_exe: str, data_dir: Path, tmp_path: Path
) -> None:
    clip = real_clip(data_dir, "basketballpass_416x240_50_10bit.266")
    full = decode(ffmpeg_exe, clip)
    fw, fh, cw, ch, x0, y0 = 416, 240, 120, 64, 160, 96  # a crop through the players
    frame = full[: fw * fh * 3 // 2]
    y = frame[: fw * fh].reshape(fh, fw)[y0 : y0 + ch, x0 : x0 + cw]
    u = frame[fw * fh : fw * fh * 5 // 4].reshape(fh // 2, fw // 2)[
        y0 // 2 : (y0 + ch) // 2, x0 // 2 : (x0 + cw) // 2
    ]
    v = frame[fw * fh * 5 // 4 :].reshape(fh // 2, fw // 2)[
        y0 // 2 : (y0 + ch) // 2, x0 // 2 : (x0 + cw) // 2
    ]
    src = tmp_path / "crop.yuv"
    np.concatenate([y.ravel(), u.ravel(), v.ravel()]).astype("<u2").tofile(src)
    on = _encode(engine_exe, src, tmp_path / "on", cw, ch, 1, 27, [])
    _assert_bit_exact(ffmpeg_exe, on, cw, ch, 1)
    off = _encode(engine_exe, src, tmp_path / "off", cw, ch, 1, 27, ["--no-cclm"])
    assert on.stream.read_bytes() != off.stream.read_bytes()
