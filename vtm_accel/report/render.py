"""report.md and report.html: the human summary of a results.json."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from vtm_accel.challenge.rules import RULES

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


def rules_table(results: dict) -> Table:
    rules = (results.get("summary") or {}).get("rules") or {}
    rows = []
    for name in RULES:
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
    cfg = results.get("config") or {}
    s = results.get("summary") or {}
    t = s.get("time") or {}
    return [
        ("anchor", f"{cfg.get('anchor')} ({cfg.get('anchor_identity', '')})"),
        ("candidate", f"{cfg.get('candidate')} ({cfg.get('candidate_identity', '')})"),
        ("decoder", str(cfg.get("decoder"))),
        ("QPs", ", ".join(str(q) for q in cfg.get("qps", []))),
        ("rate matching", "on (--match-anchor)" if cfg.get("match_anchor") else "off"),
        ("CNN fallback", "allowed" if cfg.get("allow_nn_fallback") else "fails the point"),
        ("average BD-rate (PSNR-YUV)", f"{_f(s.get('bd_rate'))}%"),
        ("average BD-PSNR (PSNR-YUV)", f"{_f(s.get('bd_psnr'), 3)} dB"),
        ("total CPU time T1/T2", f"{_f(t.get('ratio'), 3)} ({t.get('detail', '-')})"),
        ("overall verdict", "PASS" if s.get("passed") else "FAIL"),
        ("PSNR convention", str((results.get("psnr") or {}).get("convention", "-"))),
    ]


def render_markdown(results: dict, png: str | None) -> str:
    out = ["# vtm-accel challenge report", ""]
    out += [f"- **{k}**: {v}" for k, v in _header_lines(results)]
    tables = [rules_table(results)] + [sequence_table(s) for s in results.get("sequences", [])]
    for t in tables:
        out += ["", f"## {t.title}", ""]
        out.append("| " + " | ".join(t.header) + " |")
        out.append("|" + "---|" * len(t.header))
        out += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in t.rows]
    if png:
        out += ["", "## RD curves", "", f"![RD curves]({png})"]
    return "\n".join(out) + "\n"


CSS = """body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;
margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}
th{background:#eee}td:last-child,td:first-child{text-align:left}.fail{color:#b00;font-weight:bold}
.pass{color:#070}"""


def render_html(results: dict, png: str | None) -> str:
    e = html.escape
    out = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>vtm-accel challenge report</title><style>{CSS}</style></head><body>",
        "<h1>vtm-accel challenge report</h1><ul>",
    ]
    out += [f"<li><b>{e(k)}</b>: {e(v)}</li>" for k, v in _header_lines(results)]
    out.append("</ul>")
    tables = [rules_table(results)] + [sequence_table(s) for s in results.get("sequences", [])]
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
    if png:
        out.append(f"<h2>RD curves</h2><img src='{e(png)}' alt='RD curves'>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_text(path: Path, text: str) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path
