"""Reports of a challenge run: results.json, results.csv, report.md, report.html, rd_curves.png
and ``pictures_<sequence>.png`` (per-picture PSNR-Y and bits)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vtm_accel.report.picture_plots import plot_pictures
from vtm_accel.report.plots import plot_rd_curves
from vtm_accel.report.render import render_html, render_markdown, write_text
from vtm_accel.report.results import load_results, save_results, write_csv

PNG_NAME = "rd_curves.png"


@dataclass(frozen=True)
class ReportFiles:
    results_json: Path
    results_csv: Path
    report_md: Path
    report_html: Path
    rd_png: Path | None
    picture_pngs: dict[str, Path] = field(default_factory=dict)  # sequence -> per-picture plot


def write_reports(results: dict, out_dir: Path, save_json: bool = True) -> ReportFiles:
    """Write every report file of ``results`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    js = save_results(results, out_dir) if save_json else out_dir / "results.json"
    csv_path = write_csv(results, out_dir)
    png = plot_rd_curves(results, out_dir / PNG_NAME)
    png_name = png.name if png else None
    pictures = plot_pictures(results, out_dir)
    names = {seq: path.name for seq, path in pictures.items()}
    md = write_text(out_dir / "report.md", render_markdown(results, png_name, names))
    page = write_text(out_dir / "report.html", render_html(results, png_name, names))
    return ReportFiles(js, csv_path, md, page, png, pictures)


def regenerate(out_dir: Path) -> ReportFiles:
    """`vtm-accel report DIR`: rebuild csv/md/html/png from DIR/results.json."""
    results = load_results(out_dir)
    return write_reports(results, out_dir, save_json=False)


__all__ = ["ReportFiles", "load_results", "regenerate", "write_reports"]
