"""RD points from CSV files for ``vtm-accel bdrate``: a plain two-column file (``kbps`` and
``psnr`` or ``psnr_yuv``, one curve), or a batch's ``results.csv`` (or its folder), whose
``sequence`` column makes one curve per sequence; BD-rate is then taken per sequence and
averaged over the sequences both files have, as the JVET sheet does."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

from vtm_accel.core import HarnessError


@dataclass
class Curve:
    kbps: list[float] = field(default_factory=list)
    psnr: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # points without a rate (failed encodes)


def read_curves(path: Path) -> dict[str | None, Curve]:
    """Curves by sequence (key None for a file without a ``sequence`` column)."""
    if path.is_dir():
        path = path / "results.csv"
    try:
        with path.open(newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise HarnessError(f"cannot read {path}: {e.strerror or e}") from e
    if not rows:
        raise HarnessError(f"{path}: no data rows (expected columns kbps,psnr)")
    cols = {c.strip().lower(): c for c in rows[0] if c}
    if "kbps" not in cols or not ({"psnr", "psnr_yuv"} & cols.keys()):
        raise HarnessError(
            f"{path}: needs columns kbps and psnr (or psnr_yuv); found {', '.join(cols) or 'none'}"
        )
    roles = sorted({r[cols["role"]] for r in rows}) if "role" in cols else []
    if len(roles) > 1:
        raise HarnessError(
            f"{path} holds several encoders (roles {', '.join(roles)}): a challenge's results "
            f"have their BD-rates in results.json; give bdrate one encoder's points (a batch's "
            f"results.csv, or a file with columns kbps,psnr)"
        )
    pc = cols.get("psnr_yuv") or cols["psnr"]
    seq_col = cols.get("sequence")
    curves: dict[str | None, Curve] = {}
    for i, row in enumerate(rows, 2):
        name = row[seq_col] if seq_col else None
        curve = curves.setdefault(name, Curve())
        rate, psnr = row[cols["kbps"]], row[pc]
        if seq_col and (rate in ("", None) or psnr in ("", None)):
            curve.failed.append(f"QP {row.get(cols.get('qp', ''), '?')}")
            continue
        try:
            curve.kbps.append(float(rate))
            curve.psnr.append(float(psnr))
        except (TypeError, ValueError) as e:
            raise HarnessError(f"{path}:{i}: not a number: {row}") from e
    return curves


@dataclass(frozen=True)
class BdResult:
    sequence: str | None
    bd_rate: float | None
    bd_psnr: float | None
    note: str | None = None  # why there is no value


def bd_of_curves(anchor: dict[str | None, Curve], test: dict[str | None, Curve]) -> list[BdResult]:
    """BD-rate and BD-PSNR per sequence both files have (a single unnamed curve each: one)."""
    from vtm_accel.metrics import bd_psnr, bd_rate

    if (None in anchor) != (None in test):
        raise HarnessError(
            "one file has a sequence column and the other does not; give two batch results or "
            "two single-curve files"
        )
    common = [k for k in anchor if k in test]
    if not common:
        raise HarnessError(
            f"the two files share no sequence (anchor: {', '.join(map(str, anchor))}; "
            f"test: {', '.join(map(str, test))})"
        )
    out = []
    for name in common:
        a, t = anchor[name], test[name]
        if a.failed or t.failed:
            why = [f"anchor {p}" for p in a.failed] + [f"test {p}" for p in t.failed]
            out.append(BdResult(name, None, None, f"failed points: {', '.join(why)}"))
            continue
        rate = bd_rate(a.kbps, a.psnr, t.kbps, t.psnr)
        psnr = bd_psnr(a.kbps, a.psnr, t.kbps, t.psnr)
        if math.isnan(rate) or math.isnan(psnr):
            out.append(BdResult(name, None, None, "the two RD curves do not overlap in PSNR"))
        else:
            out.append(BdResult(name, rate, psnr))
    return out
