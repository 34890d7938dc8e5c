"""``--match-anchor``: search the candidate's QP until its bitrate lands in the anchor's window.

Log-rate is close to linear in QP (the rate roughly halves every 6 QP), so the search is a secant
step on log(kbps) over QP, kept inside the bracket found so far (a bisection fallback when the
secant leaves it), on integer QPs. Only when two adjacent integer QPs bracket the window without
either landing in it, and the backend supports it, does it move to fractional QPs
(``EncodeJob.qp_fraction``). The number of extra encodes is bounded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from vtm_accel.challenge.rules import RATE_HIGH, RATE_LOW

#: d log(kbps) / d QP when only one point is known: the rate halves every 6 QP.
DEFAULT_SLOPE = -math.log(2.0) / 6.0
FRACTION_STEP = 0.05  # granularity of fractional QPs


@dataclass(frozen=True)
class RateTrial:
    qp: int
    qp_fraction: float
    kbps: float

    @property
    def qp_value(self) -> float:
        return self.qp + self.qp_fraction


@dataclass
class RateMatch:
    """Outcome of the search: the QP to use (the trial inside the window, else the closest)."""

    target_kbps: float
    qp: int
    qp_fraction: float
    kbps: float
    matched: bool
    trials: list[RateTrial] = field(default_factory=list)

    @property
    def extra_encodes(self) -> int:
        return max(0, len(self.trials) - 1)

    @property
    def qp_used(self) -> float:
        return self.qp + self.qp_fraction

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["extra_encodes"] = self.extra_encodes
        d["qp_used"] = self.qp_used
        return d


def _split(x: float) -> tuple[int, float]:
    qp = math.floor(x + 1e-9)
    frac = round(x - qp, 6)
    return qp, frac


def match_rate(
    encode: Callable[[int, float], float],
    target_kbps: float,
    start_qp: int,
    *,
    low: float = RATE_LOW,
    high: float = RATE_HIGH,
    max_extra: int = 6,
    fractional: bool = False,
    qp_min: int = 0,
    qp_max: int = 63,
) -> RateMatch:
    """Find a QP whose rate is within [low, high] x ``target_kbps``.

    ``encode(qp, qp_fraction)`` encodes at that QP and returns the rate in kbps (the caller
    caches results, so repeated calls are cheap). At most ``1 + max_extra`` encodes happen.
    """
    if target_kbps <= 0:
        raise ValueError(f"target rate must be positive, got {target_kbps}")
    log_target = math.log(target_kbps)
    trials: list[RateTrial] = []
    tried: set[float] = set()

    def run(x: float) -> RateTrial:
        qp, frac = _split(x)
        t = RateTrial(qp, frac, float(encode(qp, frac)))
        trials.append(t)
        tried.add(round(t.qp_value, 6))
        return t

    def inside(t: RateTrial) -> bool:
        return low * target_kbps <= t.kbps <= high * target_kbps

    def err(t: RateTrial) -> float:
        return math.log(max(t.kbps, 1e-9)) - log_target

    cur = run(float(start_qp))
    while not inside(cur) and len(trials) <= max_extra:
        above = [t for t in trials if t.kbps > target_kbps]  # rate too high -> need larger QP
        below = [t for t in trials if t.kbps <= target_kbps]
        lo = max(above, key=lambda t: t.qp_value) if above else None  # largest QP still too high
        hi = min(below, key=lambda t: t.qp_value) if below else None  # smallest QP too low
        # secant through the two trials nearest the target (in log rate), else default slope
        near = sorted(trials, key=lambda t: abs(err(t)))[:2]
        slope = DEFAULT_SLOPE
        if len(near) == 2 and near[0].qp_value != near[1].qp_value:
            s = (err(near[0]) - err(near[1])) / (near[0].qp_value - near[1].qp_value)
            if s < 0:
                slope = s
        ref = near[0]
        x = ref.qp_value - err(ref) / slope
        if lo is not None and hi is not None:
            a, b = lo.qp_value, hi.qp_value
            if not a < x < b:
                x = 0.5 * (a + b)
        step = 1.0
        if lo is not None and hi is not None and hi.qp_value - lo.qp_value <= 1.0 + 1e-9:
            if not fractional:
                break  # adjacent integers bracket the window: integer QPs cannot do better
            step = FRACTION_STEP
        x = round(x / step) * step
        x = min(max(x, float(qp_min)), float(qp_max))
        if round(x, 6) in tried:
            # rounding landed on a tried QP: move one step towards the target instead
            direction = 1.0 if err(ref) > 0 else -1.0
            x = ref.qp_value + direction * step
            if lo is not None and hi is not None and not lo.qp_value < x < hi.qp_value:
                break
            if not qp_min <= x <= qp_max or round(x, 6) in tried:
                break
        cur = run(x)
    best = next((t for t in trials if inside(t)), None)
    if best is None:
        best = min(trials, key=lambda t: abs(err(t)))
    return RateMatch(
        target_kbps=target_kbps,
        qp=best.qp,
        qp_fraction=best.qp_fraction,
        kbps=best.kbps,
        matched=inside(best),
        trials=trials,
    )
