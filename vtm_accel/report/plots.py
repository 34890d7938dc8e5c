"""RD curves (PSNR-YUV over kbps, anchor and candidate) per sequence, as one PNG (Agg).

The legend names each encoder by a short label (``short_label``: "VTM EncoderApp (cfg
randomaccess)", "engine + CNN L2"); the full specs, with their paths, are in the report's header.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from vtm_accel.codecs.registry import parse_spec  # noqa: E402

_MAX_LABEL = 40


def _cfg_name(cfg: str) -> str:
    stem = Path(cfg).stem
    for prefix in ("encoder_",):
        stem = stem.removeprefix(prefix)
    return stem.removesuffix("_vtm")


def short_label(spec: str) -> str:
    """A legend-sized name for an encoder spec: the kind and what sets it apart, no paths."""
    try:
        kind, pos, opts = parse_spec(spec)
    except Exception:  # noqa: BLE001 - a label never fails a report
        kind, pos, opts = "", [], {}
    one = {k: v[-1] for k, v in opts.items() if v}
    if kind == "engine":
        label = "engine"
        if "nn" in one:
            label += f" + CNN L{one.get('nn-level', one.get('nn_level', '2'))}"
        extras = [w for w in pos if w not in ("md5-sei", "md5_sei")]
        if "speed" in one:
            extras.insert(0, one["speed"])
        if "config" in one:
            extras.append(one["config"])
        return label + (f" ({', '.join(extras)})" if extras else "")
    if kind == "vtm":
        exe = Path(one.get("encoder", pos[0] if pos else "EncoderApp")).name
        cfgs = [_cfg_name(c) for c in opts.get("cfg", [])]
        return f"VTM {exe}" + (f" (cfg {'+'.join(cfgs)})" if cfgs else "")
    if kind == "vvenc":
        words = [p for p in pos if p.lower() not in ("ai", "all_intra", "intra")]
        preset = one.get("preset") or (words[0] if words else "medium")
        ai = one.get("mode") == "ai" or len(words) < len(pos)
        return f"VVenC {preset}" + (" all intra" if ai else "")
    if kind == "template":
        prog = Path(pos[0].split()[0]).name if pos and pos[0].split() else "template"
        return f"template: {prog}"[:_MAX_LABEL]
    return spec if len(spec) <= _MAX_LABEL else spec[: _MAX_LABEL - 3] + "..."


def _curve(seq: dict, role: str) -> tuple[list[float], list[float]]:
    pts = []
    for p in seq.get("points", []):
        rec = p.get(role) or {}
        if rec.get("kbps") is not None and rec.get("psnr_yuv") is not None:
            pts.append((float(rec["kbps"]), float(rec["psnr_yuv"])))
    pts.sort()
    return [r for r, _ in pts], [d for _, d in pts]


def rd_figure(results: dict) -> Figure | None:
    """One subplot per sequence; None when there is nothing to plot."""
    seqs = [s for s in results.get("sequences", []) if _curve(s, "anchor")[0]]
    if not seqs:
        return None
    cols = min(3, len(seqs))
    rows = math.ceil(len(seqs) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 4 * rows), squeeze=False)
    cfg = results.get("config", {})
    for ax, seq in zip(axes.flat, seqs, strict=False):
        for role, style in (("anchor", "o-"), ("candidate", "s--")):
            x, y = _curve(seq, role)
            if x:
                ax.plot(x, y, style, label=f"{role}: {short_label(str(cfg.get(role, role)))}")
        bd = seq.get("bd_rate")
        title = seq.get("name", "")
        if bd is not None:
            title += f"  (BD-rate {bd:+.2f}%)"
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("bitrate (kbps)")
        ax.set_ylabel("PSNR-YUV (dB)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    for ax in list(axes.flat)[len(seqs) :]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_rd_curves(results: dict, path: Path) -> Path | None:
    """Write ``rd_figure`` as a PNG; None when there is nothing to plot."""
    fig = rd_figure(results)
    if fig is None:
        return None
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
