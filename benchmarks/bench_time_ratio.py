"""Paired CPU-time ratio of two encoders (issue 4: the engine against vvenc 'slower').

On a shared machine the CPU time of the same encode varies by 2x with the load, so two encoders
timed at different moments cannot be compared. Here both encode the same job AT THE SAME TIME,
each pinned to its own core (the cores swap every repeat), so whatever else runs on the machine
weighs on both; each pair gives one ratio (candidate CPU / anchor CPU, user + sys of the process
tree); the figure is the median over the repeats, per QP and over all pairs. Every bitstream of
the first repeat is decoded with FFmpeg and its PSNR-YUV (6:1:1, peak 1023) measured, which
gives the BD-rate (pchip) of the candidate against the anchor on the same run.

Usage: ``python benchmarks/bench_time_ratio.py [--clip basketballpass_240p] [--frames 17]
[--intra-period 16] [--qps 22,27,32,37] [--repeats 3] [--candidate engine]
[--anchor vvenc:preset=slower] [--out DIR] [--result FILE]``. Needs two cores and the real
clips of ../shared/data. Writes ``benchmarks/results/time_ratio_ra.json``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout too

from bench_engine import CLIPS, decode_clip  # noqa: E402

from vtm_accel.codecs.base import EncodeJob, EncodeResult  # noqa: E402
from vtm_accel.codecs.registry import make_decoder, make_encoder  # noqa: E402
from vtm_accel.io import probe_video  # noqa: E402
from vtm_accel.metrics import bd_rate, bitrate_kbps, video_psnr  # noqa: E402
from vtm_accel.timing import available_cores  # noqa: E402

TIMEOUT_S = 4 * 3600  # one encode; a hang fails the run instead of blocking it


def paired_run_problem(cores: list[int], data: Path) -> str | None:
    """Why a paired run cannot measure here (two cores and the real clips), or None."""
    if len(cores) < 2:
        return "a paired run needs two cores; this process may use only one"
    if not data.is_dir():
        return f"no real clips at {data}: nothing to measure"
    return None


def _pair(cand, anch, jobs: tuple[EncodeJob, EncodeJob]) -> tuple[EncodeResult, EncodeResult]:
    """Runs both encodes at once (one thread each; the encoders are separate processes)."""
    out: dict[str, EncodeResult | BaseException] = {}

    def run(key: str, enc, job: EncodeJob) -> None:
        try:
            out[key] = enc.encode(job, timeout_s=TIMEOUT_S)
        except BaseException as e:  # re-raised below, in the caller's thread
            out[key] = e

    threads = [
        threading.Thread(target=run, args=("c", cand, jobs[0])),
        threading.Thread(target=run, args=("a", anch, jobs[1])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT_S + 60)
    for key in ("c", "a"):
        if isinstance(out.get(key), BaseException):
            raise out[key]
        if key not in out:
            raise RuntimeError(f"encode {key} did not finish within {TIMEOUT_S} s")
    return out["c"], out["a"]  # type: ignore[return-value]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", default="basketballpass_240p", choices=sorted(CLIPS))
    ap.add_argument("--frames", type=int, default=17)
    ap.add_argument("--intra-period", type=int, default=16)
    ap.add_argument("--qps", default="22,27,32,37")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--candidate", default="engine")
    ap.add_argument("--anchor", default="vvenc:preset=slower")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench-time-ratio"))
    ap.add_argument("--result", type=Path, default=ROOT / "benchmarks/results/time_ratio_ra.json")
    a = ap.parse_args()
    cores = available_cores()
    if problem := paired_run_problem(cores, a.data):
        print(problem, file=sys.stderr)
        return 2
    qps = [int(q) for q in a.qps.split(",")]
    src = a.data / CLIPS[a.clip]
    w, h = (int(v) for v in src.name.split("_")[1].split("x"))
    fps = float(src.name.split("_")[2])
    a.out.mkdir(parents=True, exist_ok=True)
    raw = decode_clip(src, a.out / f"{a.clip}_{w}x{h}_{a.frames}f_10bit.yuv", a.frames)
    video = probe_video(raw, width=w, height=h, fps=fps, bit_depth=10)
    cand, anch = make_encoder(a.candidate), make_encoder(a.anchor)
    decoder = make_decoder("ffmpeg")

    def rate_psnr(res: EncodeResult) -> tuple[float, float]:
        dec = decoder.decode(res.bitstream, res.bitstream.with_suffix(".dec.yuv"), TIMEOUT_S)
        decoded = probe_video(dec.decoded, width=w, height=h, fps=fps, bit_depth=dec.bit_depth)
        psnr = video_psnr(video, decoded, frames=a.frames, peak=1023.0)
        return bitrate_kbps(res.bitstream.stat().st_size, fps, a.frames), psnr.yuv

    points = []
    print(f"{a.candidate} vs {a.anchor}: {a.clip}, {a.frames} frames, IP {a.intra_period}")
    print(f"{'QP':>3s} {'rep':>3s} {'cand CPU s':>10s} {'anchor CPU s':>12s} {'ratio':>6s}")
    for qp in qps:
        for rep in range(a.repeats):
            c0, c1 = (cores[0], cores[1]) if rep % 2 == 0 else (cores[1], cores[0])
            jobs = tuple(
                EncodeJob(
                    video=video,
                    frames=a.frames,
                    qp=qp,
                    intra_period=a.intra_period,
                    out_dir=a.out / f"qp{qp}" / f"rep{rep}" / who,
                    core=core,
                )
                for who, core in (("candidate", c0), ("anchor", c1))
            )
            rc, ra = _pair(cand, anch, jobs)  # type: ignore[arg-type]
            ratio = rc.stats.cpu_s / ra.stats.cpu_s
            rd = {}
            if rep == 0:
                (rd["candidate_kbps"], rd["candidate_psnr_yuv"]) = rate_psnr(rc)
                (rd["anchor_kbps"], rd["anchor_psnr_yuv"]) = rate_psnr(ra)
            points.append(
                {
                    **rd,
                    "qp": qp,
                    "repeat": rep,
                    "candidate_cpu_s": rc.stats.cpu_s,
                    "anchor_cpu_s": ra.stats.cpu_s,
                    "candidate_bytes": rc.bitstream.stat().st_size,
                    "anchor_bytes": ra.bitstream.stat().st_size,
                    "ratio": ratio,
                }
            )
            print(f"{qp:3d} {rep:3d} {rc.stats.cpu_s:10.1f} {ra.stats.cpu_s:12.1f} {ratio:6.2f}")
    per_qp = {str(qp): statistics.median(p["ratio"] for p in points if p["qp"] == qp) for qp in qps}
    overall = statistics.median(p["ratio"] for p in points)
    # CPU seconds per frame, median over the repeats (the "CPU time per frame").
    per_frame = {
        who: {
            str(qp): statistics.median(p[f"{who}_cpu_s"] for p in points if p["qp"] == qp)
            / a.frames
            for qp in qps
        }
        for who in ("candidate", "anchor")
    }
    for qp, r in per_qp.items():
        print(
            f"QP {qp}: median ratio {r:.2f}; CPU s per frame: candidate "
            f"{per_frame['candidate'][qp]:.2f}, anchor {per_frame['anchor'][qp]:.2f}"
        )
    print(f"median ratio over all {len(points)} pairs: {overall:.2f}")
    # The clip's ratio as a user sees it: the CPU time of all its rate points, per repeat
    # (pairs of one repeat ran at the same moments), median over the repeats.
    reps = sorted({p["repeat"] for p in points})
    clip_ratio = statistics.median(
        sum(p["candidate_cpu_s"] for p in points if p["repeat"] == r)
        / sum(p["anchor_cpu_s"] for p in points if p["repeat"] == r)
        for r in reps
    )
    print(f"clip CPU ratio (all QPs summed, median over {len(reps)} repeats): {clip_ratio:.2f}")
    rd_points = [p for p in points if "candidate_kbps" in p]
    bd = None
    if len(rd_points) >= 4:
        bd = bd_rate(
            [p["anchor_kbps"] for p in rd_points],
            [p["anchor_psnr_yuv"] for p in rd_points],
            [p["candidate_kbps"] for p in rd_points],
            [p["candidate_psnr_yuv"] for p in rd_points],
        )
        print(f"BD-rate of the candidate against the anchor (PSNR-YUV 6:1:1, pchip): {bd:+.2f} %")
    for p in rd_points:
        print(
            f"QP {p['qp']}: candidate {p['candidate_kbps']:.1f} kbps {p['candidate_psnr_yuv']:.3f}"
            f" dB, anchor {p['anchor_kbps']:.1f} kbps {p['anchor_psnr_yuv']:.3f} dB"
        )
    summary = {
        "command": "python benchmarks/bench_time_ratio.py " + shlex.join(sys.argv[1:]),
        "candidate": a.candidate,
        "candidate_id": cand.identity(),
        "anchor": a.anchor,
        "anchor_id": anch.identity(),
        "clip": a.clip,
        "frames": a.frames,
        "intra_period": a.intra_period,
        "repeats": a.repeats,
        "points": points,
        "median_ratio_per_qp": per_qp,
        "cpu_s_per_frame": per_frame,
        "median_ratio": overall,
        "clip_ratio": clip_ratio,
        "bd_rate_pct": bd,
        "psnr": "PSNR-YUV (6Y+U+V)/8 of FFmpeg's decode against the source, peak 1023",
    }
    a.result.parent.mkdir(parents=True, exist_ok=True)
    tmp = a.result.with_suffix(".part")
    tmp.write_text(json.dumps(summary, indent=2) + "\n")
    tmp.replace(a.result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
