"""PSNR and bitrate, computed the way every report of this project states them.

Convention (state it in every report):
- PSNR is computed between the source and the decoded output, at the decoded (coded) bit depth
  B. A source with fewer bits is scaled up by left shift (8-bit -> 10-bit: x << 2), the way VTM
  and FFmpeg feed an 8-bit source to a 10-bit encoder; a source with more bits is scaled down by a
  rounded right shift.
- peak = 2^B - 1 by default (1023 at 10 bits). VTM's encoder log uses 255 << (B-8) (1020 at
  10 bits), about 0.0170 dB lower; pass ``peak=peak_value(B, "vtm")`` to reproduce VTM.
- per component: PSNR of each frame (10*log10(peak^2 * N / SSE)), then the mean over frames;
  a lossless plane (SSE 0) counts as ``lossless_psnr(N, peak)`` = 10*log10(peak^2 * N), the
  PSNR it would have with one sample off by one (N samples in the plane; 117.3 dB for 10-bit
  chroma of 1920x1080). VTM prints 999.99 instead, which swamps PSNR-YUV and breaks BD-rate.
- PSNR-YUV = (6*Y + U + V) / 8 of the per-component means (the challenge's metric; VTM's own
  "YUV-PSNR" column is a different, sample-weighted number).
- bitrate (kbit/s) = bytes * 8 * fps / frames / 1000.

Sums of squared errors are exact integers (int64, in cache-sized chunks; no BLAS call, so no
hidden thread pool competes with timed encodes running on other cores).

Public functions:
- ``peak_value(bit_depth, convention="full") -> float``  ("full": 2^B-1, "vtm": 255<<(B-8))
- ``plane_sse(a, b) -> float``
- ``lossless_psnr(n, peak) -> float``
- ``psnr_from_sse(sse, n, peak) -> float``
- ``frame_psnr(ref, test, peak) -> tuple[float, float, float]``
- ``psnr_yuv(y, u, v) -> float``
- ``bitrate_kbps(num_bytes, fps, frames) -> float``
- ``video_psnr(source, decoded, frames=None, start=0, peak=None, keep_frames=False) -> PsnrResult``
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from vtm_accel.core import HarnessError, VideoInfo
from vtm_accel.io.frames import Frame, convert_bit_depth
from vtm_accel.io.video import count_frames, iter_frames

_CHUNK = 1 << 16  # samples per step: the int64 buffer (512 KiB) stays in cache


def peak_value(bit_depth: int, convention: str = "full") -> float:
    """Peak sample value: "full" = 2^B - 1 (default, 1023 at 10 bits); "vtm" = 255 << (B-8)."""
    if convention == "full":
        return float((1 << bit_depth) - 1)
    if convention == "vtm":
        return float(255 << (bit_depth - 8)) if bit_depth >= 8 else float((1 << bit_depth) - 1)
    raise HarnessError(f"unknown PSNR peak convention {convention!r}: use 'full' or 'vtm'")


def plane_sse(a: np.ndarray, b: np.ndarray) -> float:
    """Exact sum of squared differences of two equally shaped integer planes."""
    if a.shape != b.shape:
        raise HarnessError(f"plane shapes differ: {a.shape} vs {b.shape}")
    fa, fb = a.reshape(-1), b.reshape(-1)
    buf = np.empty(min(_CHUNK, fa.size), dtype=np.int64)
    total = 0
    for i in range(0, fa.size, _CHUNK):
        d = buf[: min(_CHUNK, fa.size - i)]
        np.subtract(fa[i : i + _CHUNK], fb[i : i + _CHUNK], out=d, dtype=np.int64)
        np.square(d, out=d)
        total += int(d.sum())
    return float(total)


def lossless_psnr(n: int, peak: float) -> float:
    """The finite PSNR given to a lossless plane of ``n`` samples: that of an SSE of 1."""
    return 10.0 * math.log10(peak * peak * n)


def psnr_from_sse(sse: float, n: int, peak: float) -> float:
    """10*log10(peak^2 * n / sse); an SSE of 0 counts as 1 (``lossless_psnr``), so no plane
    is ever above that cap (integer samples: any error has SSE >= 1)."""
    return 10.0 * math.log10(peak * peak * n / max(sse, 1.0))


def frame_psnr(ref: Frame, test: Frame, peak: float) -> tuple[float, float, float]:
    """(Y, Cb, Cr) PSNR of one frame; both frames at the same bit depth."""
    y, u, v = (psnr_from_sse(plane_sse(a, b), a.size, peak) for a, b in zip(ref, test, strict=True))
    return y, u, v


def psnr_yuv(y: float, u: float, v: float) -> float:
    """The challenge's combined PSNR: (6*Y + U + V) / 8."""
    return (6.0 * y + u + v) / 8.0


def bitrate_kbps(num_bytes: int, fps: float, frames: int) -> float:
    """kbit/s = bytes * 8 * fps / frames / 1000."""
    if frames <= 0 or fps <= 0:
        raise HarnessError(f"bitrate needs frames > 0 and fps > 0 (got {frames}, {fps})")
    return num_bytes * 8.0 * fps / frames / 1000.0


@dataclass
class PsnrResult:
    y: float
    u: float
    v: float
    yuv: float  # (6*Y + U + V) / 8
    frames: int
    bit_depth: int  # the bit depth the PSNR was computed at (the decoded one)
    peak: float
    per_frame: list[tuple[float, float, float]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "psnr_y": self.y,
            "psnr_u": self.u,
            "psnr_v": self.v,
            "psnr_yuv": self.yuv,
            "frames": self.frames,
            "bit_depth": self.bit_depth,
            "peak": self.peak,
        }


def video_psnr(
    source: VideoInfo,
    decoded: VideoInfo,
    frames: int | None = None,
    start: int = 0,
    peak: float | None = None,
    keep_frames: bool = False,
) -> PsnrResult:
    """PSNR of ``decoded`` (frames 0..n-1) against ``source`` frames ``start..start+n-1``.

    ``frames`` defaults to the decoded file's frame count; peak defaults to 2^B-1 at the decoded
    bit depth B. Sizes must match (decoders crop to the conformance window).
    """
    if (source.width, source.height) != (decoded.width, decoded.height):
        raise HarnessError(
            f"size mismatch: source {source.width}x{source.height}, decoded "
            f"{decoded.width}x{decoded.height} ({decoded.path})"
        )
    n_dec = decoded.num_frames if decoded.num_frames is not None else count_frames(decoded)
    n = n_dec if frames is None else frames
    if n <= 0 or n > n_dec:
        raise HarnessError(f"{decoded.path}: has {n_dec} frames, {n} requested for PSNR")
    bd = decoded.bit_depth
    pk = float(peak) if peak is not None else peak_value(bd)
    per: list[tuple[float, float, float]] = []
    sums = [0.0, 0.0, 0.0]
    for src, dec in zip(iter_frames(source, start, n), iter_frames(decoded, 0, n), strict=True):
        p = frame_psnr(convert_bit_depth(src, source.bit_depth, bd), dec, pk)
        for i in range(3):
            sums[i] += p[i]
        if keep_frames:
            per.append(p)
    y, u, v = (s / n for s in sums)
    return PsnrResult(y, u, v, psnr_yuv(y, u, v), n, bd, pk, per)
