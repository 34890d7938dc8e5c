"""The report of a ``vtm-accel batch`` run: one encoder's points, no rules.

results.csv has the columns of the JVET CTC reporting sheet first (sequence, QP, kbps, PSNR
Y/U/V, PSNR-YUV, encoder and decoder time: CPU seconds, user+sys), so its rows paste into the
sheet, then what the harness adds (the QP coded, checks, wall times, files, errors).
"""

from __future__ import annotations

from collections.abc import Iterator

from vtm_accel.report.labels import short_label

BATCH_SCHEMA = "vtm-accel/batch/1"

#: JVET CTC sheet columns, then the harness's own.
BATCH_CSV_COLUMNS = (
    "sequence",
    "qp",
    "kbps",
    "psnr_y",
    "psnr_u",
    "psnr_v",
    "psnr_yuv",
    "enc_time_s",
    "dec_time_s",
    "qp_used",
    "status",
    "frames",
    "intra_period",
    "enc_wall_s",
    "dec_wall_s",
    "max_rss",
    "decodable",
    "recon_match",
    "nn",
    "reused",
    "computed",
    "bitstream",
    "error",
    "encoder",
)


def is_batch(results: dict) -> bool:
    return results.get("schema") == BATCH_SCHEMA


def _verdict(rec: dict, name: str) -> str:
    v = (rec.get("checks") or {}).get(name)
    return "" if not v else ("pass" if v.get("passed") else "fail")


def iter_batch_rows(results: dict) -> Iterator[dict[str, object]]:
    """One row per sequence x QP."""
    from vtm_accel.report.render import nn_cell  # here: render imports this module

    spec = (results.get("config") or {}).get("encoder")
    for seq in results.get("sequences", []):
        for p in seq.get("points", []):
            rec = p.get("record") or {}
            row: dict[str, object] = {
                "sequence": seq.get("name"),
                "qp": p.get("qp"),
                "kbps": rec.get("kbps"),
                "psnr_y": rec.get("psnr_y"),
                "psnr_u": rec.get("psnr_u"),
                "psnr_v": rec.get("psnr_v"),
                "psnr_yuv": rec.get("psnr_yuv"),
                "enc_time_s": rec.get("cpu_s"),
                "dec_time_s": rec.get("decode_cpu_s"),
                "qp_used": rec.get("qp_used"),
                "status": rec.get("status", "missing"),
                "frames": rec.get("frames"),
                "intra_period": rec.get("intra_period"),
                "enc_wall_s": rec.get("wall_s"),
                "dec_wall_s": rec.get("decode_wall_s"),
                "max_rss": rec.get("max_rss"),
                "decodable": _verdict(rec, "decodable"),
                "recon_match": _verdict(rec, "recon_match"),
                "nn": nn_cell(rec) if rec.get("nn") else "",
                "reused": "yes" if rec.get("cached") else "no",
                "computed": rec.get("finished"),
                "bitstream": p.get("bitstream") or rec.get("bitstream"),
                "error": rec.get("error"),
                "encoder": spec or rec.get("encoder"),
            }
            yield {k: ("" if v is None else v) for k, v in row.items()}


def _f(v: object, digits: int = 2) -> str:
    return "-" if v is None else f"{v:.{digits}f}" if isinstance(v, (int, float)) else str(v)


def batch_header_lines(results: dict) -> list[tuple[str, str]]:
    cfg = results.get("config") or {}
    s = results.get("summary") or {}
    spec = str(cfg.get("encoder"))
    return [
        ("encoder", f"{short_label(spec)}: {spec} ({cfg.get('encoder_identity', '')})"),
        ("decoder", f"{cfg.get('decoder')} ({cfg.get('decoder_identity', '')})"),
        ("QPs", ", ".join(str(q) for q in cfg.get("qps", []))),
        ("sequences", str(s.get("sequences"))),
        ("points", f"{s.get('points')}, {s.get('failed_points')} failed"),
        ("encoder CPU time", f"{_f(s.get('cpu_s'), 1)} s (user+sys, single-threaded, pinned)"),
        ("decoder CPU time", f"{_f(s.get('decode_cpu_s'), 1)} s"),
        ("overall verdict", "PASS" if s.get("passed") else "FAIL"),
        ("PSNR convention", str((results.get("psnr") or {}).get("convention", "-"))),
    ]


BATCH_TABLE_HEADER = [
    "QP",
    "QP used",
    "kbps",
    "PSNR-Y",
    "PSNR-U",
    "PSNR-V",
    "PSNR-YUV",
    "enc CPU s",
    "dec CPU s",
    "CNN",
    "reused",
    "checks",
]


def batch_sequence_rows(seq: dict) -> list[list[str]]:
    from vtm_accel.report.render import _record_checks, nn_cell  # render imports this module

    rows = []
    for p in seq.get("points", []):
        rec = p.get("record") or {}
        rows.append(
            [
                str(p.get("qp")),
                _f(rec.get("qp_used")),
                _f(rec.get("kbps")),
                *(_f(rec.get(k), 3) for k in ("psnr_y", "psnr_u", "psnr_v", "psnr_yuv")),
                _f(rec.get("cpu_s"), 3),
                _f(rec.get("decode_cpu_s"), 3),
                nn_cell(rec),
                "yes" if rec.get("cached") else "no",
                _record_checks(rec),
            ]
        )
    return rows


def batch_sequence_title(seq: dict) -> str:
    return (
        f"{seq.get('name')}: {seq.get('width')}x{seq.get('height')}, {_f(seq.get('fps'), 3)} fps, "
        f"{seq.get('bit_depth')}-bit, {seq.get('frames')} frames, intra period "
        f"{seq.get('intra_period')}, encoder CPU {_f(seq.get('cpu_s'), 1)} s"
    )
