"""The harness's own overhead: reading frames and computing PSNR on 1080p 10-bit video.

Prints frames/s (median over repeats) for
- reading raw 10-bit 1920x1080 4:2:0 frames (page cache warm),
- ``frame_psnr`` on frames already in memory,
- ``video_psnr`` end to end (read source + decoded, 8-bit source scaled to 10 bits, PSNR),
and writes ``benchmarks/results/metrics.json``.

Usage: ``python benchmarks/bench_metrics.py [--frames 16] [--repeats 5] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout too

from vtm_accel.io import Frame, iter_frames, probe_video, read_frames, write_yuv  # noqa: E402
from vtm_accel.metrics import frame_psnr, peak_value, video_psnr  # noqa: E402

W, H = 1920, 1080


def _frames(n: int, bit_depth: int, seed: int) -> list[Frame]:
    rng = np.random.default_rng(seed)
    dt = np.uint8 if bit_depth == 8 else np.uint16
    top = 1 << bit_depth
    return [
        Frame(
            rng.integers(0, top, (H, W), dtype=dt),
            rng.integers(0, top, (H // 2, W // 2), dtype=dt),
            rng.integers(0, top, (H // 2, W // 2), dtype=dt),
        )
        for _ in range(n)
    ]


def _median_rate(fn: object, n: int, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return n / statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "metrics.json")
    args = ap.parse_args()
    n = args.frames
    with tempfile.TemporaryDirectory() as tmp:
        src_path = Path(tmp) / f"src_{W}x{H}_50.yuv"
        dec_path = Path(tmp) / f"dec_{W}x{H}_50_10bit.yuv"
        write_yuv(src_path, _frames(n, 8, 1), 8)
        write_yuv(dec_path, _frames(n, 10, 2), 10)
        src, dec = probe_video(src_path), probe_video(dec_path)
        in_mem = read_frames(dec)
        ref10 = read_frames(probe_video(dec_path))  # a second copy, different buffers
        peak = peak_value(10)

        def read_all() -> None:
            for _ in iter_frames(dec):
                pass

        def psnr_mem() -> None:
            for a, b in zip(ref10, in_mem, strict=True):
                frame_psnr(a, b, peak)

        def psnr_e2e() -> None:
            video_psnr(src, dec)

        results = {
            "frame_size": f"{W}x{H}",
            "bit_depth": 10,
            "frames": n,
            "repeats": args.repeats,
            "read_10bit_fps": _median_rate(read_all, n, args.repeats),
            "psnr_in_memory_fps": _median_rate(psnr_mem, n, args.repeats),
            "video_psnr_8bit_src_vs_10bit_fps": _median_rate(psnr_e2e, n, args.repeats),
            "numpy": np.__version__,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpu": _cpu_name(),
        }
    frame_mb = W * H * 3 / 2 * 2 / 1e6
    print(f"harness overhead on {W}x{H} 10-bit 4:2:0, {n} frames, median of {args.repeats}:")
    print(f"  read raw 10-bit        {results['read_10bit_fps']:8.1f} frames/s "
          f"({results['read_10bit_fps'] * frame_mb:.0f} MB/s)")  # fmt: skip
    print(f"  PSNR (frames in RAM)   {results['psnr_in_memory_fps']:8.1f} frames/s")
    print(f"  video_psnr end to end  {results['video_psnr_8bit_src_vs_10bit_fps']:8.1f} frames/s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


if __name__ == "__main__":
    main()
