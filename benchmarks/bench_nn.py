"""CNN-pruned partition search against the exhaustive engine: CPU-time saving and BD-rate loss.

For each clip, QP (default 22/27/32/37) and speed level (default 0, 2, 3, 4), the engine encodes
the clip's first frames, all intra (``--config ai``, default 1 frame) or random access
(``--config ra``: default 9 frames, intra period 8, so the service start-up is spread over more
work); level 0 is the plain exhaustive engine (no service),
levels > 0 add ``--nn MODEL --nn-level L`` (the engine spawns the predictor service and waits for
it, so the service's CPU time, model load included, is counted: ``vtm_accel.timing.run_timed``
measures the whole process tree). Rate = the bitstream's bits; PSNR per component from the
engine's log (recon against source, peak 1023 for 10-bit), PSNR-YUV = (6Y+U+V)/8; BD-rate
(pchip, ``vtm_accel.metrics.bd_rate``) of each level against level 0, per clip and averaged;
time saving = 1 - CPU(level) / CPU(level 0), summed over the QPs. Because each encode here is
short (a few 416x240 pictures), the service's start-up (Python + numpy (+ torch on a GPU) +
model load, paid once per encode) weighs more than on a real sequence; the "warm" saving takes
it out (start-up measured separately, median of 3) and is what a long encode approaches.

Prints a table, writes ``benchmarks/results/nn_levels_<config>.json``, ``.txt`` (the table) and
``.png`` (time saving against BD-rate loss, one curve per clip and the average).
``--repeats R`` encodes every point R times and keeps the median CPU time. ``--cache DIR`` keeps
every encode's result as a JSON file (key: clip, crop, config, frames, QP, level, model file
hash, engine binary hash; level 0 without the hashes, as the exhaustive search uses neither), so
that a rerun after a rule or weights change only encodes the pruned levels again.

Usage: ``python benchmarks/bench_nn.py [--config ai|ra] [--quick] [--levels 0,2,3,4]
[--frames N] [--intra-period 8] [--crop WxH] [--clips ...] [--repeats R] [--cache DIR]
[--model vtm_accel/predictors/weights/split_cnn.pt] [--engine PATH] [--device cpu|cuda]``.
``--quick``: one held-out 416x240 clip, one frame, levels 0 and 3 (a few minutes of CPU).
``--full-reference`` (random access) also encodes every clip and QP with the engine's fully
exhaustive search (``--no-fast-inter-split --no-pb-intra-fast``: level 0 without the engine's own
content-free fast decisions in P/B slices; stored as level -1) and adds a second table with
every level against it (``summary_vs_full`` in the JSON, ``_vs_full.txt``).
Real clips come from ../shared/data (or $VTM_ACCEL_DATA); without them, a scikit-image photo
panned across the frame stands in.
"""

from __future__ import annotations

import argparse
import hashlib
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

from vtm_accel.codecs.engine import engine_command, find_engine, read_engine_log  # noqa: E402
from vtm_accel.io import write_y4m  # noqa: E402
from vtm_accel.metrics import bd_rate, psnr_yuv  # noqa: E402
from vtm_accel.timing import run_timed  # noqa: E402
from vtm_accel.training.dataset import ClipSpec, load_clip  # noqa: E402
from vtm_accel.training.train import default_data_dir  # noqa: E402

DEFAULT_MODEL = REPO / "vtm_accel" / "predictors" / "weights" / "split_cnn.pt"
# The engine's fully exhaustive search: no content-free fast decisions in P/B slices either.
FULL_SEARCH = ("no-fast-inter-split", "no-pb-intra-fast")  # engine flags
FULL_LEVEL = -1  # how such points are stored
# Held out from training (see vtm_accel/training/dataset.py): name, crop w, h, x, y.
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
    def wanted(file: str) -> bool:
        stem = Path(file).stem
        return names is None or file in names or stem in names or stem.split("_")[0] in names

    rows = [r for r in DEFAULT_CLIPS if wanted(r[0])]
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
    engine: Path,
    src: Path,
    frames: int,
    qp: int,
    level: int,
    model: Path,
    device: str,
    tmp: Path,
    ra_intra_period: int = 0,
) -> Point:
    """One encode; level -1: level 0 with the engine's fast P/B decisions off (FULL_SEARCH)."""
    tag = f"{src.stem}_qp{qp}_l{level}"
    log = tmp / f"{tag}.jsonl"
    options = {}
    if level > 0:
        options = {"nn": str(model), "nn-level": str(level), "nn-device": device}
        options["nn-python"] = sys.executable
    argv = engine_command(
        engine,
        src,
        frames=frames,
        qp=qp,
        bitstream=tmp / f"{tag}.266",
        log=log,
        config="ra" if ra_intra_period else None,
        intra_period=ra_intra_period or None,
        options=options,
        flags=FULL_SEARCH if level < 0 else (),
    )
    env = None
    if level > 0:
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


def _sha(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()[:12]


def cached_encode(cache: Path | None, key: dict, repeats: int, run) -> Point:
    """run() repeats times (median CPU), or the stored result of the same key."""
    f = None
    if cache is not None:
        h = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
        f = cache / f"{key['clip']}_{key['config']}_qp{key['qp']}_l{key['level']}_{h}.json"
        if f.exists():
            stored = json.loads(f.read_text())
            return Point(**{k: stored[k] for k in Point.__dataclass_fields__})
    runs = [run() for _ in range(max(1, repeats))]
    p = runs[0]
    p.cpu_s = statistics.median(r.cpu_s for r in runs)
    p.wall_s = statistics.median(r.wall_s for r in runs)
    if f is not None:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps({**asdict(p), "cpu_runs": [r.cpu_s for r in runs]}))
    return p


def service_startup_cpu(model: Path, tmp: Path, device: str = "cpu") -> float:
    """CPU seconds of starting Python and loading the model as the service does (once per
    encode; on the CPU the numpy inference, so no torch import when <model>.npz exists)."""
    code = (
        "from vtm_accel.predictors.service import load_model; "
        f"load_model({str(model)!r}, {device!r})"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(":")
    runs = [run_timed([sys.executable, "-c", code], tmp / "startup.log", env=env) for _ in range(3)]
    return statistics.median(r.cpu_s for r in runs)


def summarise(
    points: list[Point], levels: list[int], startup_s: float = 0.0, base_level: int = 0
) -> dict:
    """Per clip and on average, each level against base_level (0, or FULL_LEVEL)."""
    clips = sorted({p.clip for p in points})
    rows = []
    for clip in clips:
        base = sorted(
            (p for p in points if p.clip == clip and p.level == base_level), key=lambda p: p.qp
        )
        base_cpu = sum(p.cpu_s for p in base)
        for lvl in levels:
            pts = sorted(
                (p for p in points if p.clip == clip and p.level == lvl), key=lambda p: p.qp
            )
            if not pts or not base:
                continue
            cpu = sum(p.cpu_s for p in pts)
            warm = cpu - (startup_s * len(pts) if lvl > 0 else 0.0)
            nodes = [p.nodes for p in pts] + [p.nodes for p in base]
            node_saving = None
            if all(n is not None for n in nodes):
                node_saving = round(100.0 * (1.0 - sum(p.nodes for p in pts) /
                                             max(1, sum(p.nodes for p in base))), 2)  # fmt: skip
            bd = 0.0
            if lvl != base_level:
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


def plot(summary: dict, path: Path, config: str = "ai") -> None:
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
    name = {"ai": "all intra", "ra": "random access"}.get(config, config)
    ax.set_title(f"CNN-pruned partition search, {name}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def summarise_vs_full(
    points: list[Point], levels: list[int], startup_s: float, out: Path
) -> dict | None:
    """With fully exhaustive points (FULL_LEVEL): every level against them, the table written
    beside ``out`` as ``<stem>_vs_full.txt``; else None."""
    if not any(p.level == FULL_LEVEL for p in points):
        return None
    summary = summarise(points, [FULL_LEVEL, *levels], startup_s, FULL_LEVEL)
    table = format_table(summary, startup_s)
    full = " ".join("--" + f for f in FULL_SEARCH)
    print(f"\nagainst the fully exhaustive search ({full}; level -1):")
    print(table, end="")
    out.with_name(out.stem + "_vs_full.txt").write_text(table)
    return summary


def resummarise(path: Path) -> None:
    """Recompute the summary (and the PNG) of a results file from its stored points."""
    r = json.loads(path.read_text())
    pts = [Point(**p) for p in r["points"]]
    startup = r.get("service_startup_cpu_s", 0.0)
    r["summary"] = summarise(pts, r["levels"], startup)
    vs_full = summarise_vs_full(pts, r["levels"], startup, path)
    if vs_full is not None:
        r["summary_vs_full"] = vs_full
    path.write_text(json.dumps(r, indent=1))
    plot(r["summary"], path.with_suffix(".png"), r.get("config", "ai"))
    path.with_suffix(".txt").write_text(format_table(r["summary"], r.get("service_startup_cpu_s")))


def format_table(summary: dict, startup: float | None = None) -> str:
    lines = []
    if startup is not None:
        lines.append(f"predictor service start-up: {startup:.2f} s CPU (once per encode)")
    lines.append(
        f"{'clip':16s} {'level':>5s} {'CPU s':>8s} {'saving %':>9s} {'warm %':>7s} "
        f"{'BD-rate %':>9s} {'nodes -%':>8s}"
    )
    for r in summary["per_clip"]:
        lines.append(
            f"{r['clip']:16s} {r['level']:5d} {r['cpu_s']:8.2f} {r['time_saving_pct']:9.2f} "
            f"{r['time_saving_warm_pct']:7.2f} {r['bd_rate_pct']:9.3f} "
            f"{r['nodes_saving_pct']!s:>8s}"
        )
    for r in summary["average"]:
        lines.append(
            f"{'average':16s} {r['level']:5d} {'':8s} {r['time_saving_pct']:9.2f} "
            f"{r['time_saving_warm_pct']:7.2f} {r['bd_rate_pct']:9.3f} "
            f"{r['nodes_saving_pct']!s:>8s}"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one clip, one frame, levels 0 and 3")
    ap.add_argument("--levels", default="0,2,3,4")
    ap.add_argument("--qps", default="22,27,32,37")
    ap.add_argument("--config", default="ai", choices=("ai", "ra"))
    ap.add_argument("--frames", type=int, default=0, help="default: 1 (ai), 9 (ra)")
    ap.add_argument("--intra-period", type=int, default=8, help="ra only")
    ap.add_argument("--crop", default="", help="WxH: centre crop of each clip (default: none)")
    ap.add_argument("--repeats", type=int, default=1, help="encodes per point (median CPU)")
    ap.add_argument("--cache", type=Path, default=None, help="store/reuse each encode's result")
    ap.add_argument("--clips", nargs="*", default=None, help="clip file names or stems")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--engine", type=Path, default=None)
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument("--out", type=Path, default=None, help="default results/nn_levels_<cfg>.json")
    ap.add_argument("--resummarise", type=Path, default=None, help="redo a results file's summary")
    ap.add_argument(
        "--full-reference",
        action="store_true",
        help="also encode with the fully exhaustive search (no fast P/B decisions) and compare",
    )
    a = ap.parse_args(argv)
    if a.resummarise:
        resummarise(a.resummarise)
        return 0
    frames_n = a.frames or (9 if a.config == "ra" else 1)
    ra_period = a.intra_period if a.config == "ra" else 0
    out = a.out or REPO / "benchmarks" / "results" / f"nn_levels_{a.config}.json"
    levels = [int(x) for x in a.levels.split(",")]
    if a.quick and a.levels == "0,2,3,4":
        levels = [0, 3]
    if 0 not in levels:
        levels = [0, *levels]
    qps = [int(x) for x in a.qps.split(",")]
    engine = a.engine or find_engine(REPO)
    specs = _clips(default_data_dir(), a.clips, a.quick)
    if a.crop:
        from vtm_accel.training.train import _centre_crop

        cw, ch = (int(v) for v in a.crop.lower().split("x"))
        specs = [_centre_crop(s, cw, ch) for s in specs]
    model_sha, engine_sha = _sha(a.model), _sha(engine)
    points: list[Point] = []
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench_nn_") as td:
        tmp = Path(td)
        startup = service_startup_cpu(a.model, tmp, a.device)
        print(f"predictor service start-up (python + model): {startup:.2f} s CPU")
        for spec in specs:
            frames = load_clip(spec, frames_n)
            h, w = frames[0].y.shape
            src = tmp / f"{spec.name}.y4m"
            write_y4m(src, frames, w, h, 25.0, 10)
            for qp in qps:
                for lvl in ([FULL_LEVEL] if a.full_reference else []) + levels:
                    key = {
                        "clip": spec.name, "crop": [spec.width, spec.height, spec.crop_x,
                        spec.crop_y], "config": a.config, "frames": len(frames),
                        "intra_period": ra_period, "qp": qp, "level": lvl,
                        "engine": engine_sha,
                    }  # fmt: skip
                    if lvl > 0:  # levels 0 and FULL_LEVEL do not start the service
                        key.update(model=model_sha, device=a.device)
                    if lvl == FULL_LEVEL:
                        key.update(args=[f"--{f}" for f in FULL_SEARCH])

                    def run(spec=spec, src=src, frames=frames, qp=qp, lvl=lvl) -> Point:
                        return encode(engine, src, len(frames), qp, lvl, a.model, a.device,
                                      tmp, ra_period)  # fmt: skip

                    p = cached_encode(a.cache, key, a.repeats, run)
                    p.clip = spec.name
                    points.append(p)
                    print(f"{spec.name} QP {qp} L{lvl}: {p.cpu_s:.2f} s CPU, {p.bits} bits, "
                          f"PSNR-YUV {p.psnr_yuv:.3f} dB, nodes {p.nodes}", flush=True)  # fmt: skip
    summary = summarise(points, levels, startup)
    table = format_table(summary, startup)
    print("\n" + table, end="")
    out.parent.mkdir(parents=True, exist_ok=True)
    vs_full = summarise_vs_full(points, levels, startup, out)
    result = {
        "what": f"CNN-pruned search vs exhaustive engine, {a.config}, service CPU time included",
        "config": a.config, "intra_period": ra_period or None, "repeats": a.repeats,
        "crop": a.crop or None,
        "command": " ".join(["python", "benchmarks/bench_nn.py", *(argv or sys.argv[1:])]),
        "model": str(a.model.relative_to(REPO) if a.model.is_relative_to(REPO) else a.model),
        "levels": levels, "qps": qps, "frames": frames_n, "device": a.device,
        "clips": [s.name for s in specs], "psnr": "engine log, peak 1023, YUV = (6Y+U+V)/8",
        "bd_rate": "pchip (bjontegaard), against level 0",
        "service_startup_cpu_s": round(startup, 3),
        "time_saving_warm": "saving with the service start-up (once per encode) taken out",
        "machine": platform.platform(), "wall_s": round(time.monotonic() - t0, 1),
        "summary": summary, "points": [asdict(p) for p in points],
    }  # fmt: skip
    if vs_full is not None:
        result["full_search_args"] = FULL_SEARCH
        result["summary_vs_full"] = vs_full
    out.write_text(json.dumps(result, indent=1))
    out.with_suffix(".txt").write_text(table)
    plot(summary, out.with_suffix(".png"), a.config)
    print(f"wrote {out} (.txt, .png)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
