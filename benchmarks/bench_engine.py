"""The engine against VVenC 'medium' and 'slower' on real clips, all-intra or random access.

For each clip of ``../shared/data`` chosen below (JVET test-set content of classes B/C/D,
decoded to raw 10-bit with FFmpeg), QP 22/27/32/37, every encode single-threaded and pinned,
vvenc with QPA off:
- ``--config ai`` (issue 3): every picture intra (engine ``--config ai``, vvenc ``-g 1``);
- ``--config ra`` (issue 4): random access with the same intra period for both encoders (engine
  ``--config ra``, vvenc ``IntraPeriod``).
Prints bitrate-based BD-rate (pchip, PSNR-YUV 6:1:1, peak 1023) of the engine against each
preset per clip and averaged, encode CPU time per frame and the CPU-time ratio. The runs go
through the harness's own challenge pipeline, so every bitstream is also decoded by FFmpeg and
the engine's reconstruction checked against it (``recon_match``).

Usage: ``python benchmarks/bench_engine.py --config ai|ra [--frames N] [--intra-period N]
[--clips a,b] [--out DIR] [--engine SPEC] [--jobs 1]``. Writes
``benchmarks/results/engine_intra.json`` (ai) or ``engine_ra.json`` (ra). Resumable: finished
points are kept in ``--out`` (default /tmp/bench-engine-<config>).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout too

from vtm_accel.challenge.run import ChallengeConfig, SequenceSpec, run_challenge  # noqa: E402
from vtm_accel.codecs.common import ffmpeg_exe  # noqa: E402
from vtm_accel.io import probe_video  # noqa: E402

# name -> (file in ../shared/data, frames to code by default): one clip per JVET class B/C/D.
CLIPS = {
    "kimono_1080p": "kimono_1920x1080_24_10bit.266",
    "basketballdrill_480p": "basketballdrill_832x480_50_10bit.266",
    "basketballpass_240p": "basketballpass_416x240_50_10bit.266",
    "blowingbubbles_240p": "blowingbubbles_416x240_50_10bit.266",
}
# config -> (anchors, default clips, default frames, default intra period, result file)
CONFIGS = {
    "ai": (
        {"medium": "vvenc:preset=medium,ai", "slower": "vvenc:preset=slower,ai"},
        ",".join(CLIPS),
        1,
        1,
        "engine_intra.json",
    ),
    "ra": (
        {"medium": "vvenc:preset=medium", "slower": "vvenc:preset=slower"},
        "basketballpass_240p,blowingbubbles_240p",
        33,
        32,
        "engine_ra.json",
    ),
}


def decode_clip(src: Path, dst: Path, frames: int) -> Path:
    if not dst.exists():
        tmp = dst.with_suffix(".part")
        subprocess.run(
            [ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(src), "-frames:v", str(frames)]
            + ["-pix_fmt", "yuv420p10le", "-f", "rawvideo", str(tmp)],
            check=True,
        )
        tmp.replace(dst)
    return dst


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", choices=sorted(CONFIGS), default="ai")
    ap.add_argument("--frames", type=int)
    ap.add_argument("--intra-period", type=int, help="ra only (ai codes every picture intra)")
    ap.add_argument("--clips")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--engine", default="engine")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--result", type=Path)
    args = ap.parse_args()
    anchors, clips, frames, intra_period, result = CONFIGS[args.config]
    args.clips = args.clips or clips
    args.frames = args.frames or frames
    args.intra_period = 1 if args.config == "ai" else (args.intra_period or intra_period)
    args.out = args.out or Path(f"/tmp/bench-engine-{args.config}")
    args.result = args.result or ROOT / "benchmarks" / "results" / result
    if not args.data.is_dir():
        print(f"no real clips at {args.data}: nothing to measure", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)

    seqs = []
    for name in args.clips.split(","):
        src = args.data / CLIPS[name]
        w, h = (int(v) for v in src.name.split("_")[1].split("x"))
        fps = float(src.name.split("_")[2])
        raw = decode_clip(src, args.out / f"{name}_{w}x{h}_{args.frames}f_10bit.yuv", args.frames)
        video = probe_video(raw, width=w, height=h, fps=fps, bit_depth=10)
        seqs.append(
            SequenceSpec(name=name, video=video, frames=args.frames, intra_period=args.intra_period)
        )

    summary: dict = {
        "config": args.config,
        "frames": args.frames,
        "intra_period": args.intra_period,
        "qps": [22, 27, 32, 37],
        "versus": {},
    }
    # The engine backend codes intra period 1 as --config ai and any other as --config ra.
    for preset, anchor in anchors.items():
        cfg = ChallengeConfig(anchor=anchor, candidate=args.engine, jobs=args.jobs)
        # One output folder for both: the engine points are stored once and reused (resume).
        outcome = run_challenge(seqs, cfg, args.out / "run")
        res = outcome.results
        per_seq = {}
        for s in res["sequences"]:
            pts = s["points"]
            frames = args.frames
            eng = [p["candidate"]["cpu_s"] / frames for p in pts]
            anc = [p["anchor"]["cpu_s"] / frames for p in pts]
            per_seq[s["name"]] = {
                "bd_rate": s.get("bd_rate"),
                "engine_cpu_s_per_frame": statistics.median(eng),
                "vvenc_cpu_s_per_frame": statistics.median(anc),
                "time_ratio": sum(eng) / sum(anc),
                "recon_match": all(
                    p["candidate"].get("checks", {}).get("recon_match", {}).get("passed")
                    for p in pts
                ),
            }
        bds = [v["bd_rate"] for v in per_seq.values() if v["bd_rate"] is not None]
        summary["versus"][preset] = {
            "per_sequence": per_seq,
            "bd_rate_mean": statistics.mean(bds) if bds else None,
        }

    print(
        f"engine (exhaustive) vs vvenc, {args.config}, intra period {args.intra_period}, "
        f"{args.frames} frame(s), QP 22/27/32/37"
    )
    head = ("clip", "vs", "BD-rate %", "eng s/f", "vvenc s/f", "ratio")
    print(f"{head[0]:24s} {head[1]:7s} {head[2]:>9s} {head[3]:>8s} {head[4]:>9s} {head[5]:>6s}")
    for preset, block in summary["versus"].items():
        for name, v in block["per_sequence"].items():
            bd = "n/a" if v["bd_rate"] is None else f"{v['bd_rate']:.2f}"
            print(
                f"{name:24s} {preset:7s} {bd:>9s} {v['engine_cpu_s_per_frame']:8.2f} "
                f"{v['vvenc_cpu_s_per_frame']:9.2f} {v['time_ratio']:6.2f}"
            )
        mean = block["bd_rate_mean"]
        print(f"{'mean':24s} {preset:7s} {'n/a' if mean is None else f'{mean:.2f}':>9s}")
    args.result.parent.mkdir(parents=True, exist_ok=True)
    args.result.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
