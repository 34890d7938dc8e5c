"""The five track-3 rule checks, each a verdict that carries the numbers behind it.

The rule functions are pure: they take numbers (or per-frame digests) and return a verdict, so
tests can construct passing and failing inputs directly and the pipeline can re-judge stored
results without re-encoding.

1. rate window: candidate kbps within 90-110% of the anchor's at the same nominal QP point;
2. time: candidate CPU time T1 <= 0.70 x anchor CPU time T2 (single thread, same machine);
3. decodable: every bitstream decodes, with the expected number of frames;
4. reconstruction match: where the encoder wrote a reconstruction, the decoded output equals it
   bit-exactly (compared per frame by MD5);
5. intra period: the candidate's intra period is not longer than the anchor's, judged on what
   each bitstream codes (``coded_intra_period``: the IRAP pictures' positions in output order),
   not on the value the harness asked for, which an encoder may ignore.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

RATE_LOW = 0.90
RATE_HIGH = 1.10
TIME_LIMIT = 0.70


@dataclass(frozen=True)
class Verdict:
    """Common shape of every verdict: which rule, pass/fail and a one-line reason."""

    rule: str
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class RateVerdict(Verdict):
    candidate_kbps: float = 0.0
    anchor_kbps: float = 0.0
    ratio: float | None = None
    low: float = RATE_LOW
    high: float = RATE_HIGH


@dataclass(frozen=True)
class TimeVerdict(Verdict):
    candidate_cpu_s: float = 0.0
    anchor_cpu_s: float = 0.0
    ratio: float | None = None
    limit: float = TIME_LIMIT


@dataclass(frozen=True)
class DecodeVerdict(Verdict):
    expected_frames: int = 0
    decoded_frames: int = 0
    error: str | None = None


@dataclass(frozen=True)
class ReconVerdict(Verdict):
    compared: bool = False  # False when the encoder wrote no reconstruction (rule not applicable)
    frames_compared: int = 0
    first_mismatch: int | None = None  # frame index, output order
    recon_frames: int = 0
    decoded_frames: int = 0


@dataclass(frozen=True)
class IntraPeriodVerdict(Verdict):
    candidate_intra_period: int = 0
    anchor_intra_period: int = 0
    measured: bool = False  # True: read from the bitstreams' IRAP positions


IRAP_TYPES = ("IDR_W_RADL", "IDR_N_LP", "CRA")


def coded_intra_period(irap_in_output_order: Sequence[bool]) -> int:
    """The intra period a bitstream codes: 1 + the longest run of consecutive pictures without
    an IRAP picture, in output order (leading pictures before the first IRAP count, as with an
    IDR after RADL pictures). A period-32 random-access stream gives 32; a stream shorter than
    its period gives at most its length, and every stream is measured the same way."""
    longest = run = 0
    for irap in irap_in_output_order:
        run = 0 if irap else run + 1
        longest = max(longest, run)
    return longest + 1


def check_rate(
    candidate_kbps: float, anchor_kbps: float, low: float = RATE_LOW, high: float = RATE_HIGH
) -> RateVerdict:
    """Rule 1: the candidate's bitrate is within [low, high] x the anchor's (inclusive)."""
    if anchor_kbps <= 0 or candidate_kbps < 0:
        return RateVerdict(
            "rate_window",
            False,
            f"cannot compare rates: anchor {anchor_kbps:.3f} kbps, "
            f"candidate {candidate_kbps:.3f} kbps",
            candidate_kbps,
            anchor_kbps,
            None,
            low,
            high,
        )
    ratio = candidate_kbps / anchor_kbps
    ok = low <= ratio <= high
    word = "within" if ok else "outside"
    return RateVerdict(
        "rate_window",
        ok,
        f"candidate {candidate_kbps:.3f} kbps = {100 * ratio:.2f}% of anchor "
        f"{anchor_kbps:.3f} kbps, {word} {100 * low:.0f}-{100 * high:.0f}%",
        candidate_kbps,
        anchor_kbps,
        ratio,
        low,
        high,
    )


def check_time(
    candidate_cpu_s: float, anchor_cpu_s: float, limit: float = TIME_LIMIT
) -> TimeVerdict:
    """Rule 2: candidate CPU time T1 <= limit x anchor CPU time T2."""
    if anchor_cpu_s <= 0:
        return TimeVerdict(
            "time_ratio",
            False,
            f"anchor CPU time {anchor_cpu_s:.3f} s is not positive: cannot form T1/T2",
            candidate_cpu_s,
            anchor_cpu_s,
            None,
            limit,
        )
    ratio = candidate_cpu_s / anchor_cpu_s
    ok = ratio <= limit
    cmp = "<=" if ok else ">"
    return TimeVerdict(
        "time_ratio",
        ok,
        f"T1/T2 = {candidate_cpu_s:.3f} s / {anchor_cpu_s:.3f} s = {ratio:.3f} {cmp} {limit:.2f}",
        candidate_cpu_s,
        anchor_cpu_s,
        ratio,
        limit,
    )


def check_decode(
    expected_frames: int, decoded_frames: int, error: str | None = None
) -> DecodeVerdict:
    """Rule 3: the bitstream decoded (no error) into exactly the expected number of frames."""
    if error:
        return DecodeVerdict(
            "decodable", False, f"decoder failed: {error}", expected_frames, decoded_frames, error
        )
    ok = decoded_frames == expected_frames
    detail = (
        f"decoded {decoded_frames} frames as expected"
        if ok
        else f"decoded {decoded_frames} frames, expected {expected_frames}"
    )
    return DecodeVerdict("decodable", ok, detail, expected_frames, decoded_frames, None)


def check_recon(recon_md5: list[str] | None, decoded_md5: list[str]) -> ReconVerdict:
    """Rule 4: per-frame MD5s of the encoder's reconstruction equal the decoder's output.

    ``recon_md5`` is None when the encoder wrote no reconstruction: the rule does not apply and
    the verdict passes with ``compared=False``.
    """
    if recon_md5 is None:
        return ReconVerdict(
            "recon_match",
            True,
            "no encoder reconstruction: not applicable",
            False,
            0,
            None,
            0,
            len(decoded_md5),
        )
    first = next(
        (i for i, (a, b) in enumerate(zip(recon_md5, decoded_md5, strict=False)) if a != b), None
    )
    n = min(len(recon_md5), len(decoded_md5))
    if first is None and len(recon_md5) != len(decoded_md5):
        first = n
    ok = first is None
    if ok:
        detail = f"all {n} frames bit-exact"
    elif first < n:
        detail = f"frame {first} differs between reconstruction and decoded output"
    else:
        detail = f"reconstruction has {len(recon_md5)} frames, decoded output {len(decoded_md5)}"
    return ReconVerdict(
        "recon_match",
        ok,
        detail,
        True,
        n,
        first,
        len(recon_md5),
        len(decoded_md5),
    )


def check_intra_period(
    candidate_intra_period: int, anchor_intra_period: int, measured: bool = False
) -> IntraPeriodVerdict:
    """Rule 5: the candidate's intra period is not longer than the anchor's.

    An intra period of 0 or less means "only the first picture is intra" (infinitely long).
    ``measured``: the periods are ``coded_intra_period`` of the bitstreams (as the pipeline
    judges the rule), not the values asked for.
    """

    def eff(p: int) -> float:
        return float("inf") if p <= 0 else float(p)

    ok = eff(candidate_intra_period) <= eff(anchor_intra_period)
    cmp = "<=" if ok else ">"
    what = "coded intra period" if measured else "intra period"
    return IntraPeriodVerdict(
        "intra_period",
        ok,
        f"candidate {what} {candidate_intra_period} {cmp} anchor {anchor_intra_period}",
        candidate_intra_period,
        anchor_intra_period,
        measured,
    )


def unmeasured_intra_period(detail: str) -> IntraPeriodVerdict:
    """Rule 5 when a bitstream's IRAP positions could not be read: it fails (not judged)."""
    return IntraPeriodVerdict("intra_period", False, detail, 0, 0, False)


@dataclass(frozen=True)
class FrameLayout:
    """Byte layout of a raw planar 4:2:0 file, to split it into frames."""

    width: int
    height: int
    bytes_per_sample: int

    @property
    def frame_bytes(self) -> int:
        cw, ch = (self.width + 1) // 2, (self.height + 1) // 2
        return (self.width * self.height + 2 * cw * ch) * self.bytes_per_sample


def frame_md5s(path: Path, layout: FrameLayout) -> list[str]:
    """MD5 of each whole frame of a raw 4:2:0 file; a trailing partial frame gets its own digest
    (so a truncated file never compares equal to a complete one)."""
    out: list[str] = []
    size = layout.frame_bytes
    with path.open("rb") as f:
        while chunk := f.read(size):
            out.append(hashlib.md5(chunk).hexdigest())
    return out


@dataclass
class RuleSummary:
    """Pass/fail per rule over a whole run, with the count of failing points."""

    rule: str
    passed: bool
    checked: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


RULES = ("rate_window", "time_ratio", "decodable", "recon_match", "intra_period")
