"""CNN-pruned partition search against the exhaustive engine: CPU-time saving and BD-rate loss.

For each clip, QP (default 22/27/32/37, all intra) and speed level (default 0, 2, 3, 4), the
engine encodes the clip's first frames; level 0 is the plain exhaustive engine (no service),
levels > 0 add ``--nn MODEL --nn-level L`` (the engine spawns the predictor service and waits for
it, so the service's CPU time, model load included, is counted: ``vtm_accel.timing.run_timed``
measures the whole process tree). Rate = the bitstream's bits; PSNR per component from the
engine's log (recon against source, peak 1023 for 10-bit), PSNR-YUV = (6Y+U+V)/8; BD-rate
(pchip, ``vtm_accel.metrics.bd_rate``) of each level against level 0, per clip and averaged;
time saving = 1 - CPU(level) / CPU(level 0), summed over the QPs. Because each encode here is
short (a few 416x240 pictures), the service's start-up (Python + torch import + model load, about
2.5 s CPU, paid once per encode) weighs far more than on a real sequence; the "warm" saving takes
it out (start-up measured separately, median of 3) and is what a long encode approaches.

Prints a table, writes ``benchmarks/results/nn_levels.json`` and ``nn_levels.png`` (time saving
against BD-rate loss, one curve per clip and the average).

Usage: ``python benchmarks/bench_nn.py [--quick] [--levels 0,2,3,4] [--frames 1] [--clips ...]
[--model vtm_accel/predictors/weights/split_cnn.pt] [--engine PATH] [--device cpu|cuda]``.
``--quick``: one held-out 416x240 clip, one frame, levels 0 and 3 (a few minutes of CPU).
Real clips come from ../shared/data (or $VTM_ACCEL_DATA); without them, a scikit-image photo
panned across the frame stands in.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout too

from vtm_accel.codecs.engine import find_engine, read_engine_log  # noqa: E402
from vtm_accel.io import write_y4m  # noqa: E402
from vtm_accel.metrics import bd_rate, psnr_yuv  # noqa: E402
from vtm_accel.predictors.dataset import ClipSpec, load_clip  # noqa: E402
from vtm_accel.predictors.train import default_data_dir  # noqa: E402
from vtm_accel.timing import run_timed  # noqa: E402

DEFAULT_MODEL = REPO / "vtm_accel" / "predictors" / "weights" / "split_cnn.pt"
# Held out from training (see vtm_accel/predictors/dataset.py): name, crop w, h, x, y.
DEFAULT_CLIPS = (
    ("blowingbubbles_416x240_50_10bit.266", 416, 240, 0, 0),
    ("bqsquare_416x240_60_10bit.266", 416, 240, 0, 0),
    ("ritualdance_1920x1080_60_10bit.266", 416, 240, 752, 420),
    ("basketballdrive_1920x1080_50_10bit.266", 416, 240, 752, 420),
)


@dataclass
class Point:
    clip: str
    level: int
    qp: int
    cpu_s: float
    wall_s: float
    bits: int
    psnr_y: float
    psnr_u: float
    psnr_v: float
    psnr_yuv: float
    nodes: int | None


def _clips(data_dir: Path | None, names: list[str] | None, quick: bool) -> list[ClipSpec]:
    rows = [r for r in DEFAULT_CLIPS if names is None or Path(r[0]).stem in names or r[0] in names]
    specs = []
    if data_dir is not None:
        for name, w, h, x, y in rows:
            if (data_dir / name).exists():
                specs.append(
                    ClipSpec(Path(name).stem.split("_")[0], data_dir / name, None, w, h, x, y)
                )
    if not specs:
        specs = [ClipSpec("photo-rocket", None, "rocket", 416, 240, pan=(2, 2))]
    return specs[:1] if quick else specs


def encode(
    engine: Path, src: Path, frames: int, qp: int, level: int, model: Path, device: str, tmp: Path
) -> Point:
    tag = f"{src.stem}_qp{qp}_l{level}"
    log = tmp / f"{tag}.jsonl"
    argv = [str(engine), "--input", str(src), "--frames", str(frames), "--qp", str(qp)]
    argv += ["--bitstream", str(tmp / f"{tag}.266"), "--log", str(log)]
    env = None
    if level > 0:
        argv += ["--nn", str(model), "--nn-level", str(level), "--nn-device", device]
        argv += ["--nn-python", sys.executable]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(":")
    stats = run_timed(argv, tmp / f"{tag}.log", env=env)
    pics = read_engine_log(log)
    y, u, v = (statistics.fmean(p[k] for p in pics) for k in ("psnr_y", "psnr_u", "psnr_v"))
    nodes = [p.get("nodes") for p in pics]
    return Point(
        src.stem, level, qp, stats.cpu_s, stats.wall_s, sum(int(p["bits"]) for p in pics),
        y, u, v, psnr_yuv(y, u, v), sum(nodes) if all(n is not None for n in nodes) else None,
    )  # fmt: skip


def service_startup_cpu(model: Path, tmp: Path) -> float:
    """CPU seconds of starting Python, importing torch and loading the model (once per encode)."""
    code = f"from vtm_accel.predictors.service import load_model; load_model({str(model)!r})"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(":")
    runs = [run_timed([sys.executable, "-c", code], tmp / "startup.log", env=env) for _ in range(3)]
    return statistics.median(r.cpu_s for r in runs)


def summarise(points: list[Point], levels: list[int], startup_s: float = 0.0) -> dict:
    clips = sorted({p.clip for p in points})
    rows = []
    for clip in clips:
        base = sorted((p for p in points if p.clip == clip and p.level == 0), key=lambda p: p.qp)
        base_cpu = sum(p.cpu_s for p in base)
        for lvl in levels:
            pts = sorted(
                (p for p in points if p.clip == clip and p.level == lvl), key=lambda p: p.qp
            )
            if not pts or not base:
                continue
            cpu = sum(p.cpu_s for p in pts)
            warm = cpu - (startup_s * len(pts) if lvl != 0 else 0.0)
            nodes = [p.nodes for p in pts] + [p.nodes for p in base]
            node_saving = None
            if all(n is not None for n in nodes):
                node_saving = round(100.0 * (1.0 - sum(p.nodes for p in pts) /
                                             max(1, sum(p.nodes for p in base))), 2)  # fmt: skip
            bd = 0.0
            if lvl != 0:
                bd = bd_rate([p.bits for p in base], [p.psnr_yuv for p in base],
                             [p.bits for p in pts], [p.psnr_yuv for p in pts])  # fmt: skip
            rows.append({
                "clip": clip, "level": lvl, "cpu_s": round(cpu, 2),
                "time_saving_pct": round(100.0 * (1.0 - cpu / base_cpu), 2),
                "time_saving_warm_pct": round(100.0 * (1.0 - warm / base_cpu), 2),
                "nodes_saving_pct": node_saving,
                "bd_rate_pct": round(bd, 3),
            })  # fmt: skip
    avg = []
    for lvl in levels:
        r = [x for x in rows if x["level"] == lvl]
        if r:
            avg.append({
                "level": lvl,
                "time_saving_pct": round(statistics.fmean(x["time_saving_pct"] for x in r), 2),
                "time_saving_warm_pct": round(
                    statistics.fmean(x["time_saving_warm_pct"] for x in r), 2
                ),
                "bd_rate_pct": round(statistics.fmean(x["bd_rate_pct"] for x in r), 3),
                "nodes_saving_pct": round(
                    statistics.fmean(x["nodes_saving_pct"] or 0 for x in r), 2
                ),
            })  # fmt: skip
    return {"per_clip": rows, "average": avg}


def plot(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for clip in sorted({r["clip"] for r in summary["per_clip"]}):
        r = sorted((x for x in summary["per_clip"] if x["clip"] == clip), key=lambda x: x["level"])
        ax.plot([x["bd_rate_pct"] for x in r], [x["time_saving_pct"] for x in r], "o-", alpha=0.5,
                label=clip)  # fmt: skip
    a = summary["average"]
    ax.plot([x["bd_rate_pct"] for x in a], [x["time_saving_pct"] for x in a], "s-k", lw=2,
            label="average")  # fmt: skip
    for x in a:
        ax.annotate(f"L{x['level']}", (x["bd_rate_pct"], x["time_saving_pct"]), xytext=(4, -10),
                    textcoords="offset points")  # fmt: skip
    ax.axhline(50, color="g", ls=":", lw=1)
    ax.axvline(1.0, color="r", ls=":", lw=1)
    ax.set_xlabel("BD-rate loss vs exhaustive (%, PSNR-YUV 6:1:1, pchip)")
    ax.set_ylabel("encoder CPU-time saving (%, service included)")
    ax.set_title("CNN-pruned partition search, all intra")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def resummarise(path: Path) -> None:
    """Recompute the summary (and the PNG) of a results file from its stored points."""
    r = json.loads(path.read_text())
    pts = [Point(**p) for p in r["points"]]
    r["summary"] = summarise(pts, r["levels"], r.get("service_startup_cpu_s", 0.0))
    path.write_text(json.dumps(r, indent=1))
    plot(r["summary"], path.with_suffix(".png"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one clip, one frame, levels 0 and 3")
    ap.add_argument("--levels", default="0,2,3,4")
    ap.add_argument("--qps", default="22,27,32,37")
    ap.add_argument("--frames", type=int, default=1)
    ap.add_argument("--clips", nargs="*", default=None, help="clip file names or stems")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--engine", type=Path, default=None)
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "nn_levels.json")
    ap.add_argument("--resummarise", type=Path, default=None, help="redo a results file's summary")
    a = ap.parse_args(argv)
    if a.resummarise:
        resummarise(a.resummarise)
        return 0
    levels = [int(x) for x in a.levels.split(",")]
    if a.quick and a.levels == "0,2,3,4":
        levels = [0, 3]
    if 0 not in levels:
        levels = [0, *levels]
    qps = [int(x) for x in a.qps.split(",")]
    engine = a.engine or find_engine(REPO)
    specs = _clips(default_data_dir(), a.clips, a.quick)
    points: list[Point] = []
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench_nn_") as td:
        tmp = Path(td)
        startup = service_startup_cpu(a.model, tmp)
        print(f"predictor service start-up (python + torch + model): {startup:.2f} s CPU")
        for spec in specs:
            frames = load_clip(spec, a.frames)
            h, w = frames[0].y.shape
            src = tmp / f"{spec.name}.y4m"
            write_y4m(src, frames, w, h, 25.0, 10)
            for qp in qps:
                for lvl in levels:
                    p = encode(engine, src, len(frames), qp, lvl, a.model, a.device, tmp)
                    points.append(p)
                    print(f"{spec.name} QP {qp} L{lvl}: {p.cpu_s:.2f} s CPU, {p.bits} bits, "
                          f"PSNR-YUV {p.psnr_yuv:.3f} dB, nodes {p.nodes}", flush=True)  # fmt: skip
    summary = summarise(points, levels, startup)
    print(f"\n{'clip':16s} {'level':>5s} {'CPU s':>8s} {'saving %':>9s} {'warm %':>7s} "
          f"{'BD-rate %':>9s}")  # fmt: skip
    for r in summary["per_clip"]:
        print(f"{r['clip']:16s} {r['level']:5d} {r['cpu_s']:8.2f} {r['time_saving_pct']:9.2f} "
              f"{r['time_saving_warm_pct']:7.2f} {r['bd_rate_pct']:9.3f} "
              f"nodes -{r['nodes_saving_pct']}%")  # fmt: skip
    for r in summary["average"]:
        print(f"{'average':16s} {r['level']:5d} {'':8s} {r['time_saving_pct']:9.2f} "
              f"{r['time_saving_warm_pct']:7.2f} {r['bd_rate_pct']:9.3f}")  # fmt: skip
    a.out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "what": "CNN-pruned search vs exhaustive engine, all intra, service CPU time included",
        "model": str(a.model.relative_to(REPO) if a.model.is_relative_to(REPO) else a.model),
        "levels": levels, "qps": qps, "frames": a.frames, "device": a.device,
        "clips": [s.name for s in specs], "psnr": "engine log, peak 1023, YUV = (6Y+U+V)/8",
        "bd_rate": "pchip (bjontegaard), against level 0",
        "service_startup_cpu_s": round(startup, 3),
        "time_saving_warm": "saving with the service start-up (once per encode) taken out",
        "machine": platform.platform(), "wall_s": round(time.monotonic() - t0, 1),
        "summary": summary, "points": [asdict(p) for p in points],
    }  # fmt: skip
    a.out.write_text(json.dumps(result, indent=1))
    plot(summary, a.out.with_suffix(".png"))
    print(f"wrote {a.out} and {a.out.with_suffix('.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
