"""Where a candidate loses: per-temporal-layer tables from the points' per-picture lists.

Each point record carries ``pictures`` (``analysis.records``); these tables average them per
temporal layer (the IRAP pictures in a row of their own), for the anchor against the candidate
of a challenge at every QP, or for a batch's one encoder. Points stored before the field
existed have none: the table says so (a rerun on the same store adds it).

Public API: ``NO_DATA``, ``layer_label(tid)``, ``challenge_layer_rows(seq)``,
``batch_layer_rows(seq)``, ``CHALLENGE_LAYER_HEADER``, ``BATCH_LAYER_HEADER``.
"""

from __future__ import annotations

from vtm_accel.analysis.pictures import LayerRow, layer_table
from vtm_accel.analysis.records import pictures_from_record

NO_DATA = "no per-picture data (stored before it was recorded: rerun on the same store)"

CHALLENGE_LAYER_HEADER = [
    "QP",
    "layer",
    "pictures",
    "anchor QP",
    "cand. QP",
    "anchor bits",
    "cand. bits",
    "bits %",
    "anchor PSNR-Y",
    "cand. PSNR-Y",
    "dPSNR-Y",
    "anchor PSNR-YUV",
    "cand. PSNR-YUV",
]

BATCH_LAYER_HEADER = [
    "QP",
    "layer",
    "pictures",
    "slice QP",
    "mean bits",
    "share of bits %",
    "PSNR-Y",
    "PSNR-YUV",
]


def layer_label(tid: int) -> str:
    return "IRAP" if tid < 0 else f"TL{tid}"


def _layers(rec: dict | None) -> dict[int, LayerRow] | None:
    pics = pictures_from_record((rec or {}).get("pictures"))
    if not pics:
        return None
    return {r.temporal_id: r for r in layer_table(pics)}


def _yuv(row: LayerRow | None) -> float | None:
    if row is None or row.mean_psnr is None:
        return None
    y, u, v = row.mean_psnr
    return (6 * y + u + v) / 8


def _y(row: LayerRow | None) -> float | None:
    return None if row is None or row.mean_psnr is None else row.mean_psnr[0]


def _f(v: float | None, digits: int) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def challenge_layer_rows(seq: dict) -> list[list[str]]:
    """One row per QP and temporal layer, anchor beside candidate (means per picture)."""
    rows = []
    for p in seq.get("points", []):
        qp = str(p.get("qp"))
        a, c = _layers(p.get("anchor")), _layers(p.get("candidate"))
        if a is None and c is None:
            rows.append([qp, NO_DATA, *["-"] * (len(CHALLENGE_LAYER_HEADER) - 2)])
            continue
        for tid in sorted(set(a or {}) | set(c or {})):
            ra, rc = (a or {}).get(tid), (c or {}).get(tid)
            na, nc = (r.pictures if r else 0 for r in (ra, rc))
            bits = 100 * rc.mean_bits / ra.mean_bits if ra and rc and ra.mean_bits else None
            ya, yc = _y(ra), _y(rc)
            rows.append(
                [
                    qp,
                    layer_label(tid),
                    str(na) if na == nc else f"{na}/{nc}",
                    _f(ra.mean_qp if ra else None, 1),
                    _f(rc.mean_qp if rc else None, 1),
                    _f(ra.mean_bits if ra else None, 0),
                    _f(rc.mean_bits if rc else None, 0),
                    _f(bits, 1),
                    _f(ya, 3),
                    _f(yc, 3),
                    _f(yc - ya if ya is not None and yc is not None else None, 3),
                    _f(_yuv(ra), 3),
                    _f(_yuv(rc), 3),
                ]
            )
    return rows


def batch_layer_rows(seq: dict) -> list[list[str]]:
    """One row per QP and temporal layer of a batch's encoder."""
    rows = []
    for p in seq.get("points", []):
        qp = str(p.get("qp"))
        layers = _layers(p.get("record"))
        if layers is None:
            rows.append([qp, NO_DATA, *["-"] * (len(BATCH_LAYER_HEADER) - 2)])
            continue
        for tid, r in sorted(layers.items()):
            rows.append(
                [
                    qp,
                    layer_label(tid),
                    str(r.pictures),
                    _f(r.mean_qp, 1),
                    _f(r.mean_bits, 0),
                    _f(100 * r.share_of_bits, 1),
                    _f(_y(r), 3),
                    _f(_yuv(r), 3),
                ]
            )
    return rows
