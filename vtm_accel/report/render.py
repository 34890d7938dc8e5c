"""report.md and report.html: the human summary of a results.json."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from vtm_accel.report.batch import (
    BATCH_TABLE_HEADER,
    batch_header_lines,
    batch_sequence_rows,
    batch_sequence_title,
    is_batch,
)
from vtm_accel.report.labels import short_label
from vtm_accel.report.pictures import (
    BATCH_LAYER_HEADER,
    CHALLENGE_LAYER_HEADER,
    batch_layer_rows,
    challenge_layer_rows,
)
from vtm_accel.report.reuse import REUSE_HEADER, reuse_line, reuse_rows

BITSTREAMS_DIR = "bitstreams"  # where a batch puts its streams, beside its report

# The five rules in their order (challenge.rules.RULES; the report reads only stored results).
RULE_TITLES = {
    "rate_window": "1. candidate rate within 90-110% of anchor at each QP",
    "time_ratio": "2. candidate CPU time T1 <= 0.70 x anchor T2",
    "decodable": "3. every bitstream decodes with the right frame count",
    "recon_match": "4. decoded output equals the encoder's reconstruction",
    "intra_period": "5. candidate intra period <= anchor's (as coded: IRAP positions)",
}


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]
    image: str | None = None  # a picture shown under the table (file name beside the report)


def _f(v: object, digits: int = 2) -> str:
    if v is None or v == "":
        return "-"
    if isinstance(v, (int, float)):
        return f"{v:.{digits}f}"
    return str(v)


def _mark(v: dict | None) -> str:
    if not v:
        return "-"
    return "pass" if v.get("passed") else "FAIL"


def nn_cell(rec: dict) -> str:
    """The CNN of a point: "-" when none was asked for, "16/16" pictures answered, or
    "0/16 fell back" (the reason is in the point's nn check and error)."""
    nn = rec.get("nn") or {}
    if not nn.get("requested") or int(nn.get("level") or 0) <= 0:
        return "-"
    cell = f"{nn.get('predicted') or 0}/{nn.get('pictures')}"
    return cell + " fell back" if nn.get("fell_back") else cell


def _point_checks(point: dict) -> str:
    marks = []
    for role in ("anchor", "candidate"):
        rec = point.get(role) or {}
        if rec.get("status") != "ok":
            marks.append(f"{role} failed")
        nn = (rec.get("checks") or {}).get("nn")
        if nn and (not nn.get("passed") or (rec.get("nn") or {}).get("fell_back")):
            marks.append(f"{role} CNN: {nn['detail']}")
        for name in ("decodable", "recon_match"):
            v = (rec.get("checks") or {}).get(name)
            if v and not v.get("passed"):
                marks.append(f"{role} {name} FAIL")
    for name in ("rate_window", "time_ratio", "intra_period"):
        v = (point.get("checks") or {}).get(name)
        if v and not v.get("passed"):
            marks.append(f"{name} FAIL")
    return "; ".join(marks) if marks else "all pass"


def sequence_table(seq: dict) -> Table:
    header = [
        "QP",
        "anchor kbps",
        "cand. kbps",
        "rate %",
        "cand. QP used",
        "anchor PSNR-Y",
        "cand. PSNR-Y",
        "anchor PSNR-YUV",
        "cand. PSNR-YUV",
        "anchor CPU s",
        "cand. CPU s",
        "T1/T2",
        "cand. CNN",
        "checks",
    ]
    rows = []
    for p in seq.get("points", []):
        a, c = p.get("anchor") or {}, p.get("candidate") or {}
        rate = (p.get("checks") or {}).get("rate_window") or {}
        t = (p.get("checks") or {}).get("time_ratio") or {}
        ratio = rate.get("ratio")
        rows.append(
            [
                str(p.get("qp")),
                _f(a.get("kbps")),
                _f(c.get("kbps")),
                _f(100 * ratio if ratio is not None else None, 1),
                _f(c.get("qp_used")),
                _f(a.get("psnr_y"), 3),
                _f(c.get("psnr_y"), 3),
                _f(a.get("psnr_yuv"), 3),
                _f(c.get("psnr_yuv"), 3),
                _f(a.get("cpu_s"), 3),
                _f(c.get("cpu_s"), 3),
                _f(t.get("ratio"), 3),
                nn_cell(c),
                _point_checks(p),
            ]
        )
    bd = seq.get("bd_rate")
    title = f"{seq.get('name')}: {seq.get('width')}x{seq.get('height')}, {seq.get('frames')} frames"
    title += f", BD-rate {_f(bd)}%, BD-PSNR {_f(seq.get('bd_psnr'), 3)} dB"
    if seq.get("bd_error"):
        title += f" ({seq['bd_error']})"
    return Table(title, header, rows)


def _record_checks(rec: dict) -> str:
    """The verdict of one encoder's point (a reference's: the rules do not apply to it)."""
    if not rec:
        return "missing"
    marks = []
    for name in ("decodable", "recon_match", "nn"):
        v = (rec.get("checks") or {}).get(name)
        if v and not v.get("passed"):
            marks.append(f"{name} FAIL")
    if rec.get("status") != "ok":
        first = (str(rec.get("error") or "").splitlines() or [""])[0]
        marks.append(f"FAILED: {first}" if first else "FAILED")
    return "; ".join(marks) if marks else "pass"


def reference_table(seq: dict, references: list[str]) -> Table | None:
    """The reference encoders of one sequence, point by point, beside the anchor's rate and
    time (outside the rules); None without references."""
    summaries = seq.get("references") or []
    if not references:
        return None
    header = [
        "reference",
        "QP",
        "kbps",
        "rate % of anchor",
        "QP used",
        "PSNR-Y",
        "PSNR-YUV",
        "CPU s",
        "CPU / anchor",
        "CNN",
        "checks",
    ]
    rows = []
    for i, spec in enumerate(references):
        for p in seq.get("points", []):
            refs = p.get("references") or []
            r = (refs[i] if i < len(refs) else None) or {}
            a = p.get("anchor") or {}
            rate = r["kbps"] / a["kbps"] if r.get("kbps") and a.get("kbps") else None
            cpu = r["cpu_s"] / a["cpu_s"] if r.get("cpu_s") and a.get("cpu_s") else None
            rows.append(
                [
                    short_label(spec),
                    str(p.get("qp")),
                    _f(r.get("kbps")),
                    _f(100 * rate if rate is not None else None, 1),
                    _f(r.get("qp_used")),
                    _f(r.get("psnr_y"), 3),
                    _f(r.get("psnr_yuv"), 3),
                    _f(r.get("cpu_s"), 3),
                    _f(cpu, 3),
                    nn_cell(r),
                    _record_checks(r),
                ]
            )
    bds = []
    for spec, summary in zip(references, summaries, strict=False):
        bd = f"{short_label(spec)} BD-rate {_f(summary.get('bd_rate'))}%"
        if summary.get("bd_error"):
            bd += f" ({summary['bd_error']})"
        bds.append(bd)
    title = f"{seq.get('name')}: reference encoders, outside the rules"
    return Table(title + (f" ({'; '.join(bds)})" if bds else ""), header, rows)


def _tables(results: dict, pictures: dict[str, str]) -> list[Table]:
    if is_batch(results):
        tables = []
        for seq in results.get("sequences", []):
            tables.append(
                Table(batch_sequence_title(seq), BATCH_TABLE_HEADER, batch_sequence_rows(seq))
            )
            tables.append(layer_table_of(seq, True, pictures.get(str(seq.get("name")))))
    else:
        tables = _challenge_tables(results, pictures)
    reused = reuse_table(results)
    return tables + ([reused] if reused else [])


def _challenge_tables(results: dict, pictures: dict[str, str]) -> list[Table]:
    refs = list((results.get("config") or {}).get("references") or [])
    tables = [rules_table(results)]
    for seq in results.get("sequences", []):
        tables.append(sequence_table(seq))
        ref = reference_table(seq, refs)
        if ref is not None:
            tables.append(ref)
        tables.append(layer_table_of(seq, False, pictures.get(str(seq.get("name")))))
    return tables


def layer_table_of(seq: dict, batch: bool, image: str | None) -> Table:
    """Per temporal layer and QP, means per picture (IRAP pictures apart), with the sequence's
    per-picture plot under it."""
    if batch:
        title = f"{seq.get('name')}: per temporal layer (mean per picture)"
        return Table(title, BATCH_LAYER_HEADER, batch_layer_rows(seq), image)
    title = (
        f"{seq.get('name')}: per temporal layer, anchor vs candidate (mean per picture; "
        "bits % = candidate / anchor)"
    )
    return Table(title, CHALLENGE_LAYER_HEADER, challenge_layer_rows(seq), image)


def reuse_table(results: dict) -> Table | None:
    """The points this run took from the store, with when and where they were computed."""
    rows = reuse_rows(results)
    if not rows:
        return None
    return Table("Points reused from the store (computed by an earlier run)", REUSE_HEADER, rows)


def rules_table(results: dict) -> Table:
    rules = (results.get("summary") or {}).get("rules") or {}
    rows = []
    for name in RULE_TITLES:
        r = rules.get(name) or {}
        first = "; ".join((r.get("failures") or [])[:3])
        rows.append(
            [
                RULE_TITLES[name],
                "pass" if r.get("passed") else "FAIL",
                str(r.get("checked", 0)),
                str(r.get("failed", 0)),
                first or "-",
            ]
        )
    return Table("Rules", ["rule", "verdict", "checked", "failed", "first failures"], rows)


def _header_lines(results: dict) -> list[tuple[str, str]]:
    if is_batch(results):
        return [*batch_header_lines(results), *_reuse_lines(results)]
    cfg = results.get("config") or {}
    s = results.get("summary") or {}
    t = s.get("time") or {}
    refs = list(cfg.get("references") or [])
    ref_ids = list(cfg.get("reference_identities") or [])
    ref_lines = [
        (
            "reference (outside the rules)",
            f"{short_label(spec)}: {spec} ({ref_ids[i] if i < len(ref_ids) else ''})",
        )
        for i, spec in enumerate(refs)
    ]
    ref_scores = [
        (
            f"reference {short_label(str(r.get('encoder')))} vs the anchor",
            f"BD-rate {_f(r.get('bd_rate'))}%, BD-PSNR {_f(r.get('bd_psnr'), 3)} dB, "
            f"CPU time {_f(r.get('cpu_ratio'), 3)} of the anchor's, "
            f"{r.get('failed_points', 0)} failed points",
        )
        for r in s.get("references") or []
    ]
    return [
        *(
            (role, f"{short_label(str(spec))}: {spec} ({cfg.get(f'{role}_identity', '')})")
            for role, spec in (("anchor", cfg.get("anchor")), ("candidate", cfg.get("candidate")))
        ),
        *ref_lines,
        ("decoder", str(cfg.get("decoder"))),
        ("QPs", ", ".join(str(q) for q in cfg.get("qps", []))),
        ("rate matching", "on (--match-anchor)" if cfg.get("match_anchor") else "off"),
        ("CNN fallback", "allowed" if cfg.get("allow_nn_fallback") else "fails the point"),
        ("average BD-rate (PSNR-YUV)", f"{_f(s.get('bd_rate'))}%"),
        ("average BD-PSNR (PSNR-YUV)", f"{_f(s.get('bd_psnr'), 3)} dB"),
        ("total CPU time T1/T2", f"{_f(t.get('ratio'), 3)} ({t.get('detail', '-')})"),
        ("overall verdict", "PASS" if s.get("passed") else "FAIL"),
        *ref_scores,
        *_reuse_lines(results),
        ("PSNR convention", str((results.get("psnr") or {}).get("convention", "-"))),
    ]


def _reuse_lines(results: dict) -> list[tuple[str, str]]:
    line = reuse_line(results)
    return [("points reused from the store", line)] if line else []


def _title(results: dict) -> str:
    return f"vtm-accel {'batch' if is_batch(results) else 'challenge'} report"


def render_markdown(results: dict, png: str | None, pictures: dict[str, str] | None = None) -> str:
    """``pictures``: per-picture plot file names by sequence name (``picture_plots``)."""
    out = [f"# {_title(results)}", ""]
    out += [f"- **{k}**: {v}" for k, v in _header_lines(results)]
    tables = _tables(results, pictures or {})
    for t in tables:
        out += ["", f"## {t.title}", ""]
        out.append("| " + " | ".join(t.header) + " |")
        out.append("|" + "---|" * len(t.header))
        out += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in t.rows]
        if t.image:
            out += ["", f"![PSNR-Y and bits per picture]({t.image})"]
    if png:
        out += ["", "## RD curves", "", f"![RD curves]({png})"]
    if is_batch(results):
        out += ["", f"Bitstreams: `{BITSTREAMS_DIR}/` (`<sequence>_qp<QP>.266`)."]
    return "\n".join(out) + "\n"


CSS = """body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;
margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}
th{background:#eee}td:last-child,td:first-child{text-align:left}.fail{color:#b00;font-weight:bold}
.pass{color:#070}"""


def render_html(results: dict, png: str | None, pictures: dict[str, str] | None = None) -> str:
    e = html.escape
    out = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{e(_title(results))}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(_title(results))}</h1><ul>",
    ]
    out += [f"<li><b>{e(k)}</b>: {e(v)}</li>" for k, v in _header_lines(results)]
    out.append("</ul>")
    tables = _tables(results, pictures or {})
    for t in tables:
        out.append(f"<h2>{e(t.title)}</h2><table><tr>")
        out += [f"<th>{e(h)}</th>" for h in t.header]
        out.append("</tr>")
        for r in t.rows:
            cells = []
            for c in r:
                cls = " class='fail'" if "FAIL" in c else (" class='pass'" if c == "pass" else "")
                cells.append(f"<td{cls}>{e(c)}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</table>")
        if t.image:
            out.append(f"<img src='{e(t.image)}' alt='PSNR-Y and bits per picture'>")
    if png:
        out.append(f"<h2>RD curves</h2><img src='{e(png)}' alt='RD curves'>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_text(path: Path, text: str) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path
