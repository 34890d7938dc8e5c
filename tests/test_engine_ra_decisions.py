"""Random-access decisions of the engine that change no syntax rule but change the streams:
block importance mapping (QP per picture and CTU from the temporal filter, sent as
cu_qp_delta), deblocking-aware mode decisions, and what they must deliver on static content:
B pictures that stay within 0.5 dB of the intra picture they copy. Every stream is decoded by
FFmpeg and compared with the engine's reconstruction bit-exactly."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from content import make_clip
from engine_check import (
    assert_decodes_to_recon,
    decode_clip,
    encode,
    header_trace,
    header_values,
    real_clip,
    size_args,
)

W, H = 128, 96


def _static_noisy(path: Path, frame: np.ndarray, frames: int, sigma: float = 3.0) -> None:
    """A static scene with independent camera noise in every frame (10-bit samples)."""
    rng = np.random.default_rng(11)
    out = [
        np.clip(np.rint(frame + rng.normal(0.0, sigma, frame.shape)), 0, 1023)
        for _ in range(frames)
    ]
    np.stack(out).astype("<u2").tofile(path)


def _ra(engine: Path, src: Path, out: Path, w: int, h: int, frames: int, qp: int, extra=()):
    args = size_args(w, h, 10) + ["--frames", str(frames), "--qp", str(qp), "--config", "ra"]
    return encode(engine, src, out, args + ["--intra-period", "64", *extra])


def _check_static(enc, ffmpeg: str, w: int, h: int, frames: int) -> None:
    assert_decodes_to_recon(ffmpeg, enc.stream, enc.recon, w, h, frames, "static")
    intra = [e for e in enc.log if e["slice_type"] == "I"]
    assert len(intra) == 1
    ref = intra[0]["psnr_y"]
    for e in enc.log:
        if e["slice_type"] == "B":
            # PSNR of the decoded picture (the log's equals FFmpeg's decode, checked above)
            assert e["psnr_y"] >= ref - 0.5, f"POC {e['poc']}: {e['psnr_y']:.2f} dB, I {ref:.2f}"
            assert e["cu"]["skip"] > 0.9, e  # a static picture is a copy of its reference


def test_static_photo_b_pictures_copy_their_reference(engine_exe, ffmpeg_exe, tmp_path):
    clean = tmp_path / "clean.yuv"
    make_clip(clean, W, H, 1, bit_depth=10, image="coffee", pan=(0, 0))
    src = tmp_path / "static.yuv"
    frames = 17
    _static_noisy(src, np.fromfile(clean, dtype="<u2").astype(np.float64), frames)
    enc = _ra(engine_exe, src, tmp_path / "s", W, H, frames, 32)
    _check_static(enc, ffmpeg_exe, W, H, frames)


def test_static_real_frame_b_pictures_copy_their_reference(
    engine_exe, ffmpeg_exe, data_dir, tmp_path
):
    clip = real_clip(data_dir, "basketballdrill_832x480_50_10bit.266")
    one = decode_clip(ffmpeg_exe, clip, tmp_path / "one.yuv", 1, crop=(256, 192, 288, 144))
    src = tmp_path / "static.yuv"
    frames = 17
    _static_noisy(src, np.fromfile(one, dtype="<u2").astype(np.float64), frames)
    enc = _ra(engine_exe, src, tmp_path / "s", 256, 192, frames, 32)
    _check_static(enc, ffmpeg_exe, 256, 192, frames)


def test_block_importance_qps(engine_exe, ffmpeg_exe, tmp_path):
    """BIM lowers the QP of the intra picture of static content (its CTUs are predicted well
    from their neighbours), sends per-CTU QPs with cu_qp_delta, and --bim 0 restores the
    cascade; every stream decodes bit-exactly, in random access and low delay."""
    clean = tmp_path / "clean.yuv"
    make_clip(clean, W, H, 1, bit_depth=10, image="astronaut", pan=(0, 0))
    src = tmp_path / "static.yuv"
    frames = 9
    _static_noisy(src, np.fromfile(clean, dtype="<u2").astype(np.float64), frames)
    base = size_args(W, H, 10) + ["--frames", str(frames), "--qp", "32"]
    plan = subprocess.run(
        [str(engine_exe), "--input", str(src), "--bitstream", str(tmp_path / "p.266")]
        + base
        + ["--config", "ra", "--intra-period", "8", "--plan-only"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    planned = {}
    for line in plan.stdout.splitlines()[2:]:
        f = line.split()
        planned[int(f[1])] = int(f[5])  # POC -> planned QP
    on = encode(engine_exe, src, tmp_path / "on", base + ["--config", "ra", "--intra-period", "8"])
    off = encode(
        engine_exe,
        src,
        tmp_path / "off",
        base + ["--config", "ra", "--intra-period", "8", "--bim", "0"],
    )
    for enc in (on, off):
        assert_decodes_to_recon(ffmpeg_exe, enc.stream, enc.recon, W, H, frames, "bim")
    flag = "pps_cu_qp_delta_enabled_flag"
    assert set(header_values(header_trace(ffmpeg_exe, on.stream), flag)) == {1}
    assert set(header_values(header_trace(ffmpeg_exe, off.stream), flag)) == {0}
    assert {e["poc"]: e["qp"] for e in off.log} == planned
    intra_on = next(e for e in on.log if e["slice_type"] == "I")
    assert intra_on["qp"] < planned[intra_on["poc"]]
    ldb = encode(engine_exe, src, tmp_path / "ldb", base + ["--config", "ldb"])
    assert_decodes_to_recon(ffmpeg_exe, ldb.stream, ldb.recon, W, H, frames, "bim ldb")


@pytest.mark.parametrize("size", [(W, H), (120, 72)])
def test_deblocking_aware_decisions(engine_exe, ffmpeg_exe, tmp_path, size):
    """--no-deblock-rdo changes the decisions, and both streams decode bit-exactly (also for a
    size that is not a multiple of the CTU or of 16)."""
    w, h = size
    src = tmp_path / "pan.yuv"
    make_clip(src, w, h, 9, bit_depth=10, pan=(3, 2))
    base = size_args(w, h, 10) + ["--frames", "9", "--qp", "37", "--config", "ra"]
    base += ["--intra-period", "8"]
    on = encode(engine_exe, src, tmp_path / "edo", base)
    off = encode(engine_exe, src, tmp_path / "plain", base + ["--no-deblock-rdo"])
    for enc in (on, off):
        assert_decodes_to_recon(ffmpeg_exe, enc.stream, enc.recon, w, h, 9, "edo")
    assert on.stream.read_bytes() != off.stream.read_bytes()
