"""RD curves (PSNR-YUV over kbps, anchor and candidate) per sequence, as one PNG (Agg)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _curve(seq: dict, role: str) -> tuple[list[float], list[float]]:
    pts = []
    for p in seq.get("points", []):
        rec = p.get(role) or {}
        if rec.get("kbps") is not None and rec.get("psnr_yuv") is not None:
            pts.append((float(rec["kbps"]), float(rec["psnr_yuv"])))
    pts.sort()
    return [r for r, _ in pts], [d for _, d in pts]


def plot_rd_curves(results: dict, path: Path) -> Path | None:
    """One subplot per sequence; None when there is nothing to plot."""
    seqs = [s for s in results.get("sequences", []) if _curve(s, "anchor")[0]]
    if not seqs:
        return None
    cols = min(3, len(seqs))
    rows = math.ceil(len(seqs) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 4 * rows), squeeze=False)
    labels = results.get("config", {})
    for ax, seq in zip(axes.flat, seqs, strict=False):
        for role, style in (("anchor", "o-"), ("candidate", "s--")):
            x, y = _curve(seq, role)
            if x:
                ax.plot(x, y, style, label=f"{role}: {labels.get(role, role)}")
        bd = seq.get("bd_rate")
        title = seq.get("name", "")
        if bd is not None:
            title += f"  (BD-rate {bd:+.2f}%)"
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("bitrate (kbps)")
        ax.set_ylabel("PSNR-YUV (dB)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(seqs) :]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
