"""metrics: PSNR against an independent computation, bitrate, BD-rate / BD-PSNR."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from content import make_clip

from vtm_accel.core import HarnessError
from vtm_accel.io import Frame, probe_video, read_frames, write_yuv
from vtm_accel.metrics import (
    bd_psnr,
    bd_psnr_per_sequence,
    bd_rate,
    bd_rate_per_sequence,
    bitrate_kbps,
    frame_psnr,
    lossless_psnr,
    mean_bd,
    peak_value,
    psnr_yuv,
    video_psnr,
)


def _reference_psnr(a: np.ndarray, b: np.ndarray, peak: float) -> float:
    """Independent: mean of squared errors in float, PSNR = 20 log10(peak) - 10 log10(mse)."""
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 20 * math.log10(peak) - 10 * math.log10(mse)


def _noisy(frames: list[Frame], sigma: float, top: int, seed: int) -> list[Frame]:
    rng = np.random.default_rng(seed)
    out = []
    for f in frames:
        planes = []
        for p in f:
            n = rng.normal(0, sigma, p.shape)
            planes.append(np.clip(np.rint(p + n), 0, top).astype(np.uint16))
        out.append(Frame(*planes))
    return out


def test_psnr_10bit_matches_independent(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "s_96x64_10bit.yuv", 96, 64, 3, 10)
    frames = read_frames(src)
    dec_frames = _noisy(frames, 5.0, 1023, 7)
    write_yuv(tmp_path / "d.yuv", dec_frames, 10)
    dec = probe_video(tmp_path / "d.yuv", width=96, height=64, bit_depth=10)
    res = video_psnr(src, dec, keep_frames=True)
    for c in range(3):
        want = np.mean(
            [_reference_psnr(a[c], b[c], 1023) for a, b in zip(frames, dec_frames, strict=True)]
        )
        assert [res.y, res.u, res.v][c] == pytest.approx(want, abs=1e-9)
    assert res.yuv == pytest.approx((6 * res.y + res.u + res.v) / 8)
    assert res.frames == 3 and res.bit_depth == 10 and res.peak == 1023
    assert len(res.per_frame) == 3
    assert 45 < res.y < 47.5  # sigma 5 at 10 bits: 20 log10(1023 / 5) = 46.2 dB


def test_8bit_source_compared_at_10bit(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "s_50x30.yuv", 50, 30, 2, 8)  # odd chroma width 25
    frames = read_frames(src)
    up = [Frame(*(p.astype(np.uint16) << 2 for p in f)) for f in frames]
    dec_frames = _noisy(up, 3.0, 1023, 3)
    write_yuv(tmp_path / "d.yuv", dec_frames, 10)
    dec = probe_video(tmp_path / "d.yuv", width=50, height=30, bit_depth=10)
    res = video_psnr(src, dec)
    want = np.mean([_reference_psnr(a.y, b.y, 1023) for a, b in zip(up, dec_frames, strict=True)])
    assert res.y == pytest.approx(want, abs=1e-9)
    # perfect reconstruction of the shifted source is lossless
    write_yuv(tmp_path / "p.yuv", up, 10)
    perfect = video_psnr(src, probe_video(tmp_path / "p.yuv", width=50, height=30, bit_depth=10))
    # a lossless plane counts as one sample off by one: 10 log10(peak^2 N), N its samples
    assert perfect.y == pytest.approx(10 * math.log10(1023**2 * 50 * 30))
    assert perfect.u == perfect.v == pytest.approx(10 * math.log10(1023**2 * 25 * 15))


def test_peak_is_a_parameter() -> None:
    rng = np.random.default_rng(0)
    a = Frame(*(rng.integers(0, 1024, (8, 8), dtype=np.uint16) for _ in range(3)))
    b = Frame(*(np.clip(p.astype(int) + 3, 0, 1023).astype(np.uint16) for p in a))
    full = frame_psnr(a, b, peak_value(10))
    vtm = frame_psnr(a, b, peak_value(10, "vtm"))
    assert peak_value(10) == 1023 and peak_value(10, "vtm") == 1020 and peak_value(8) == 255
    assert full[0] - vtm[0] == pytest.approx(20 * math.log10(1023 / 1020))
    with pytest.raises(HarnessError):
        peak_value(10, "bogus")


def test_psnr_size_mismatch(tmp_path: Path) -> None:
    a = make_clip(tmp_path / "a_32x16.yuv", 32, 16, 1)
    b = make_clip(tmp_path / "b_16x16.yuv", 16, 16, 1)
    with pytest.raises(HarnessError, match="size mismatch"):
        video_psnr(a, b)


def test_psnr_yuv_and_bitrate() -> None:
    assert psnr_yuv(40.0, 48.0, 56.0) == pytest.approx((240 + 48 + 56) / 8)
    assert bitrate_kbps(1000, 50.0, 10) == pytest.approx(40.0)
    assert bitrate_kbps(12345, 60.0, 64) == pytest.approx(12345 * 8 * 60 / 64 / 1000)
    with pytest.raises(HarnessError):
        bitrate_kbps(1, 50, 0)


RATES = [1000.0, 1800.0, 3300.0, 6000.0]
PSNRS = [33.1, 35.4, 37.6, 39.5]


def test_bd_rate_identical_is_zero() -> None:
    assert bd_rate(RATES, PSNRS, RATES, PSNRS) == pytest.approx(0.0, abs=1e-9)
    assert bd_psnr(RATES, PSNRS, RATES, PSNRS) == pytest.approx(0.0, abs=1e-9)


def test_bd_rate_ten_percent_saving() -> None:
    test = [r * 0.9 for r in RATES]
    assert bd_rate(RATES, PSNRS, test, PSNRS) == pytest.approx(-10.0, abs=0.01)
    assert bd_rate(RATES, PSNRS, [r * 1.1 for r in RATES], PSNRS) == pytest.approx(10.0, abs=0.01)
    # unsorted input gives the same answer
    assert bd_rate(RATES[::-1], PSNRS[::-1], test, PSNRS) == pytest.approx(-10.0, abs=0.01)


def test_bd_psnr_sign() -> None:
    better = [p + 0.5 for p in PSNRS]
    assert bd_psnr(RATES, PSNRS, RATES, better) == pytest.approx(0.5, abs=1e-6)
    assert bd_psnr(RATES, PSNRS, RATES, [p - 0.3 for p in PSNRS]) == pytest.approx(-0.3, abs=1e-6)
    assert bd_rate(RATES, PSNRS, RATES, better) < 0  # better quality at equal rate saves rate


def test_bd_per_sequence_and_mean() -> None:
    anchor = {"a": list(zip(RATES, PSNRS, strict=True)), "b": list(zip(RATES, PSNRS, strict=True))}
    test = {
        "a": [(r * 0.9, p) for r, p in anchor["a"]],
        "b": [(r * 1.05, p) for r, p in anchor["b"]],
    }
    per = bd_rate_per_sequence(anchor, test)
    assert per["a"] == pytest.approx(-10.0, abs=0.01)
    assert per["b"] == pytest.approx(5.0, abs=0.01)
    assert mean_bd(per) == pytest.approx(-2.5, abs=0.01)
    assert bd_psnr_per_sequence(anchor, anchor) == {"a": 0.0, "b": 0.0}
    assert math.isnan(mean_bd([1.0, math.nan]))
    with pytest.raises(HarnessError, match="only one"):
        bd_rate_per_sequence(anchor, {"a": test["a"]})


def test_bd_input_errors() -> None:
    with pytest.raises(HarnessError):
        bd_rate([1, 2, 3], [30, 31], [1, 2, 3], [30, 31, 32])
    with pytest.raises(HarnessError):
        bd_rate([0, 2], [30, 31], [1, 2], [30, 31])


def test_lossless_plane_has_a_finite_stated_cap() -> None:
    """A plane with no error counts as the PSNR of one sample off by one, not 999.99 dB that
    would swamp PSNR-YUV (issue 18, item 4)."""
    rng = np.random.default_rng(1)
    ref = Frame(
        *(rng.integers(0, 1024, s, dtype=np.uint16) for s in ((32, 64), (16, 32), (16, 32)))
    )
    y, u, v = frame_psnr(ref, ref, 1023.0)
    assert y == pytest.approx(10 * math.log10(1023**2 * 64 * 32))
    assert u == v == pytest.approx(lossless_psnr(16 * 32, 1023.0))
    off = Frame(ref.y, ref.u.copy(), ref.v)
    off.u[0, 0] ^= 1
    assert frame_psnr(ref, off, 1023.0)[1] == pytest.approx(u)  # the cap: one sample off by one
    # lossy luma at about 40 dB, flat (lossless) chroma: PSNR-YUV stays a plausible number
    assert psnr_yuv(40.0, u, v) < 60.0


def test_bd_rate_robust_to_equal_points() -> None:
    """Two lossless points at the same capped PSNR broke pchip ("x must be strictly
    increasing") even for identical encoders; a point that adds rate without adding quality is
    dropped."""
    cap = lossless_psnr(1920 * 1080 // 4, 1023.0)
    rates, psnrs = [400.0, 900.0, 1800.0, 3000.0], [38.0, 41.0, cap, cap]
    assert bd_rate(rates, psnrs, rates, psnrs) == pytest.approx(0.0, abs=1e-9)
    assert bd_psnr(rates, psnrs, rates, psnrs) == pytest.approx(0.0, abs=1e-9)
    same_rate = [400.0, 900.0, 900.0, 1800.0]
    assert bd_rate(same_rate, [38.0, 40.0, 41.0, 44.0], same_rate, [38.0, 40.0, 41.0, 44.0]) == (
        pytest.approx(0.0, abs=1e-9)
    )
    cheaper = [0.9 * r for r in rates]
    assert bd_rate(rates, psnrs, cheaper, psnrs) == pytest.approx(-10.0, abs=0.01)
    with pytest.raises(HarnessError, match="fewer than 2 points"):
        bd_rate(rates, [cap] * 4, rates, psnrs)
