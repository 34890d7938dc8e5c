"""RD curves (PSNR-YUV over kbps) per sequence, as one PNG (Agg): the anchor, the candidate
and every ``--reference`` encoder (dotted, outside the rules).

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

from vtm_accel.report.batch import BATCH_SCHEMA  # noqa: E402
from vtm_accel.report.labels import short_label  # noqa: E402


def _curve(seq: dict, role: str, index: int = 0) -> tuple[list[float], list[float]]:
    """The (kbps, PSNR-YUV) points of ``role`` in ``seq``; for ``role="references"`` those of
    the ``index``-th reference encoder (``Point.references`` is aligned with the config's)."""
    pts = []
    for p in seq.get("points", []):
        if role == "references":
            refs = p.get("references") or []
            rec = (refs[index] if index < len(refs) else None) or {}
        else:
            rec = p.get(role) or {}
        if rec.get("kbps") is not None and rec.get("psnr_yuv") is not None:
            pts.append((float(rec["kbps"]), float(rec["psnr_yuv"])))
    pts.sort()
    return [r for r, _ in pts], [d for _, d in pts]


def rd_figure(results: dict) -> Figure | None:
    """One subplot per sequence; None when there is nothing to plot."""
    batch = results.get("schema") == BATCH_SCHEMA
    main = "record" if batch else "anchor"  # a batch's one encoder
    seqs = [s for s in results.get("sequences", []) if _curve(s, main)[0]]
    if not seqs:
        return None
    cols = min(3, len(seqs))
    rows = math.ceil(len(seqs) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 4 * rows), squeeze=False)
    cfg = results.get("config", {})
    for ax, seq in zip(axes.flat, seqs, strict=False):
        if batch:
            x, y = _curve(seq, "record")
            ax.plot(x, y, "o-", label=short_label(str(cfg.get("encoder"))))
        for role, style in () if batch else (("anchor", "o-"), ("candidate", "s--")):
            x, y = _curve(seq, role)
            if x:
                ax.plot(x, y, style, label=f"{role}: {short_label(str(cfg.get(role, role)))}")
        for i, spec in enumerate(cfg.get("references") or []):
            x, y = _curve(seq, "references", i)
            if x:
                ax.plot(x, y, "^:", alpha=0.8, label=f"reference: {short_label(str(spec))}")
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
