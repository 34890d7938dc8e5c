"""Per-picture plots, one PNG per sequence: PSNR-Y (top row) and bits (bottom row, log scale)
of every picture in output order, one column per QP, the anchor against the candidate of a
challenge (a batch: its one encoder).

The x axis is the picture's position in output order, which is its POC inside one coded video
sequence (the streams here start one CVS and continue it through CRA pictures).

Drawn without pyplot and without mathtext (the log axis gets plain tick labels): two runs in
one process (threads sharing a store) may write reports at once, and neither pyplot's figure
registry nor matplotlib's mathtext parser is safe to share between threads.

Public API: ``plot_pictures(results, out_dir) -> dict[str, Path]`` (sequence name -> PNG).
"""

from __future__ import annotations

import re
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from vtm_accel.analysis.pictures import PictureInfo
from vtm_accel.analysis.records import pictures_from_record
from vtm_accel.report.batch import is_batch
from vtm_accel.report.labels import short_label

_STYLES = ("o-", "s--")


def _sides(results: dict) -> list[tuple[str, str]]:
    """(record key in a point, legend label) of each curve."""
    cfg = results.get("config") or {}
    if is_batch(results):
        return [("record", short_label(str(cfg.get("encoder"))))]
    roles = ("anchor", "candidate")
    return [(role, f"{role}: {short_label(str(cfg.get(role, role)))}") for role in roles]


def _pictures(point: dict, role: str) -> list[PictureInfo]:
    return pictures_from_record((point.get(role) or {}).get("pictures")) or []


def sequence_figure(results: dict, seq: dict) -> Figure | None:
    """The sequence's figure; None when none of its points has per-picture data."""
    sides = _sides(results)
    points = [p for p in seq.get("points", []) if any(_pictures(p, r) for r, _ in sides)]
    if not points:
        return None
    cols = len(points)
    fig = Figure(figsize=(4.5 * cols, 6))
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, cols, squeeze=False, sharex="col")
    for col, p in enumerate(points):
        top, bottom = axes[0][col], axes[1][col]
        for (role, label), style in zip(sides, _STYLES, strict=False):
            pics = _pictures(p, role)
            x = list(range(len(pics)))
            psnr = [q.psnr[0] if q.psnr else float("nan") for q in pics]
            top.plot(x, psnr, style, markersize=3, linewidth=1, label=label)
            bottom.plot(x, [q.bits for q in pics], style, markersize=3, linewidth=1, label=label)
        top.set_title(f"{seq.get('name', '')} QP {p.get('qp')}", fontsize=10)
        top.set_ylabel("PSNR-Y (dB)")
        bottom.set_ylabel("bits per picture")
        bottom.set_yscale("log")
        bottom.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
        bottom.yaxis.set_minor_formatter(NullFormatter())
        bottom.set_xlabel("POC (output order)")
        for ax in (top, bottom):
            ax.grid(True, alpha=0.3)
        top.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def _file_name(name: str, taken: set[str]) -> str:
    stem = "pictures_" + (re.sub(r"[^A-Za-z0-9._-]+", "_", name) or "sequence")
    out, n = f"{stem}.png", 2
    while out in taken:
        out, n = f"{stem}_{n}.png", n + 1
    taken.add(out)
    return out


def plot_pictures(results: dict, out_dir: Path) -> dict[str, Path]:
    """Write one PNG per sequence with per-picture data into ``out_dir``."""
    out: dict[str, Path] = {}
    taken: set[str] = set()
    for seq in results.get("sequences", []):
        fig = sequence_figure(results, seq)
        if fig is None:
            continue
        path = out_dir / _file_name(str(seq.get("name", "")), taken)
        fig.savefig(path, dpi=90)
        out[str(seq.get("name", ""))] = path
    return out
