"""Bjontegaard deltas with piecewise cubic (pchip) interpolation, as the JVET spreadsheet.

Uses the ``bjontegaard`` package (``bd_rate``/``bd_psnr`` with ``method="pchip"``); this module
only validates input and averages. A BD-rate of -10 means the test needs 10% less rate than the
anchor for the same PSNR; a positive BD-PSNR means the test has higher quality at equal rate.

Public functions:
- ``bd_rate(anchor_rates, anchor_psnrs, test_rates, test_psnrs, method="pchip") -> float`` (%)
- ``bd_psnr(anchor_rates, anchor_psnrs, test_rates, test_psnrs, method="pchip") -> float`` (dB)
- ``bd_rate_per_sequence(anchor, test, method="pchip") -> dict[str, float]`` where anchor/test map
  a sequence name to a list of (rate, psnr) points
- ``bd_psnr_per_sequence(anchor, test, method="pchip") -> dict[str, float]``
- ``mean_bd(values) -> float`` (mean over sequences; NaN when any sequence is NaN)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

import numpy as np

from vtm_accel.core import HarnessError

RdPoints = Sequence[tuple[float, float]]  # (rate, psnr) pairs, any order


def _prepare(
    rates_a: Sequence[float],
    psnr_a: Sequence[float],
    rates_t: Sequence[float],
    psnr_t: Sequence[float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    arrs = [np.asarray(x, dtype=np.float64) for x in (rates_a, psnr_a, rates_t, psnr_t)]
    if len(arrs[0]) != len(arrs[1]) or len(arrs[2]) != len(arrs[3]):
        raise HarnessError("BD: each curve needs as many rates as PSNR values")
    if len(arrs[0]) < 2 or len(arrs[2]) < 2:
        raise HarnessError("BD: each curve needs at least 2 points (4 for the usual QP set)")
    if (arrs[0] <= 0).any() or (arrs[2] <= 0).any():
        raise HarnessError("BD: rates must be positive")
    out = []
    for which, (r, p) in (("anchor", (arrs[0], arrs[1])), ("test", (arrs[2], arrs[3]))):
        r, p = _frontier(r, p)
        if len(r) < 2:
            raise HarnessError(
                f"BD: the {which} curve has fewer than 2 points of distinct rate and quality"
            )
        out += [r, p]
    return out[0], out[1], out[2], out[3]


def _frontier(rates: np.ndarray, psnrs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points in increasing rate that each raise the PSNR (the others are dominated)."""
    order = np.lexsort((-psnrs, rates))  # by rate, the best PSNR first among equal rates
    keep: list[int] = []
    for i in order:
        if not keep or psnrs[i] > psnrs[keep[-1]]:
            keep.append(int(i))
    return rates[keep], psnrs[keep]


def _bjontegaard(
    metric: str,
    anchor_rates: Sequence[float],
    anchor_psnrs: Sequence[float],
    test_rates: Sequence[float],
    test_psnrs: Sequence[float],
    method: str,
) -> float:
    import bjontegaard  # imports matplotlib: keep it off the package import path

    ra, pa, rt, pt = _prepare(anchor_rates, anchor_psnrs, test_rates, test_psnrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn = getattr(bjontegaard, metric)
        return float(fn(ra, pa, rt, pt, method=method, min_overlap=0))


def bd_rate(
    anchor_rates: Sequence[float],
    anchor_psnrs: Sequence[float],
    test_rates: Sequence[float],
    test_psnrs: Sequence[float],
    method: str = "pchip",
) -> float:
    """BD-rate in percent of the test against the anchor (negative = test saves rate)."""
    return _bjontegaard("bd_rate", anchor_rates, anchor_psnrs, test_rates, test_psnrs, method)


def bd_psnr(
    anchor_rates: Sequence[float],
    anchor_psnrs: Sequence[float],
    test_rates: Sequence[float],
    test_psnrs: Sequence[float],
    method: str = "pchip",
) -> float:
    """BD-PSNR in dB of the test against the anchor (positive = test better)."""
    return _bjontegaard("bd_psnr", anchor_rates, anchor_psnrs, test_rates, test_psnrs, method)


def _per_sequence(
    fn: object, anchor: Mapping[str, RdPoints], test: Mapping[str, RdPoints], method: str
) -> dict[str, float]:
    missing = sorted(set(anchor) ^ set(test))
    if missing:
        raise HarnessError(f"BD: sequences present in only one of anchor/test: {missing}")
    out: dict[str, float] = {}
    for name in anchor:
        a, t = anchor[name], test[name]
        out[name] = fn(  # type: ignore[operator]
            [r for r, _ in a], [p for _, p in a], [r for r, _ in t], [p for _, p in t], method
        )
    return out


def bd_rate_per_sequence(
    anchor: Mapping[str, RdPoints], test: Mapping[str, RdPoints], method: str = "pchip"
) -> dict[str, float]:
    """BD-rate (%) per sequence name from (rate, psnr) points."""
    return _per_sequence(bd_rate, anchor, test, method)


def bd_psnr_per_sequence(
    anchor: Mapping[str, RdPoints], test: Mapping[str, RdPoints], method: str = "pchip"
) -> dict[str, float]:
    """BD-PSNR (dB) per sequence name from (rate, psnr) points."""
    return _per_sequence(bd_psnr, anchor, test, method)


def mean_bd(values: Mapping[str, float] | Sequence[float]) -> float:
    """Arithmetic mean over sequences (the challenge's score); NaN if any value is NaN."""
    vals = list(values.values()) if isinstance(values, Mapping) else list(values)
    if not vals:
        raise HarnessError("BD: no sequences to average")
    if any(math.isnan(v) for v in vals):
        return math.nan
    return float(sum(vals) / len(vals))
