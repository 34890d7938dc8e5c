"""Paired CPU time of two engine builds on the same encodes (a before/after of one change).

The two binaries run one after the other, interleaved (before, after, before, after, ...), so
that a change in the machine's load weighs on both; each encode's CPU time is user + sys of the
child process (resource.getrusage). Per configuration the figure is the median of the repeats
and the ratio after / before. The streams of both builds are compared byte for byte.

Usage: ``python benchmarks/bench_cpu_pair.py --before OLD_BIN --after NEW_BIN --input CLIP.yuv
--width 416 --height 240 [--repeats 3] [--result FILE]``; the input is 10-bit 4:2:0 raw video.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import tempfile
from pathlib import Path

# Name -> encoder arguments after the input and size (the default RA and AI encodes).
CONFIGS = {
    "ra": ["--fps", "50", "--frames", "17", "--qp", "32", "--intra-period", "32", "--config", "ra"],
    "ai": ["--fps", "50", "--frames", "5", "--qp", "32", "--intra-period", "1", "--config", "ai"],
}


def cpu_seconds(cmd: list[str]) -> float:
    """Runs cmd to completion and returns its CPU time (user + sys)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--width", type=int, required=True)
    ap.add_argument("--height", type=int, required=True)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--configs", default="ai,ra")
    ap.add_argument("--result", type=Path)
    args = ap.parse_args()

    size = ["--width", str(args.width), "--height", str(args.height), "--input-bit-depth", "10"]
    out: dict = {"repeats": args.repeats, "configs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.configs.split(","):
            base = ["--input", args.input, *size, *CONFIGS[name]]
            runs: dict[str, list[float]] = {"before": [], "after": []}
            for r in range(args.repeats):
                for side in ("before", "after"):
                    stream = Path(tmp) / f"{name}_{side}_{r}.266"
                    binary = getattr(args, side)
                    runs[side].append(cpu_seconds([binary, *base, "--bitstream", str(stream)]))
                    print(f"{name} {side} run {r}: {runs[side][-1]:.2f} s", flush=True)
            same = (Path(tmp) / f"{name}_before_0.266").read_bytes() == (
                Path(tmp) / f"{name}_after_0.266"
            ).read_bytes()
            med = {side: statistics.median(v) for side, v in runs.items()}
            out["configs"][name] = {
                "command": ["ENGINE", *base, "--bitstream", "OUT.266"],
                "cpu_s": {side: [round(v, 2) for v in runs[side]] for side in runs},
                "median_cpu_s": {side: round(v, 2) for side, v in med.items()},
                "ratio_after_before": round(med["after"] / med["before"], 3),
                "streams_identical": same,
            }
            print(json.dumps(out["configs"][name]), flush=True)
    if args.result:
        args.result.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
