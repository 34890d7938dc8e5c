"""The engine's preset ladder: CPU time and BD-rate of every rung against ``exhaustive``.

For each rung (``--preset exhaustive|slower|slow|medium|fast``, and the default rung with the
CNN at ``--nn-level`` 2 and 4), random access (``--config ra``, intra period 32) on two real
clips of ``../shared/data`` (BasketballPass and BlowingBubbles, 416x240, decoded once to raw
10-bit with FFmpeg; a generated panning photograph when they are absent), QP 22/27/32/37:

- CPU time of each encode (user + sys of the engine's process tree, the CNN service included);
  the encodes run one after the other;
- rate of the stream and PSNR-YUV (6:1:1, peak 1023) of FFmpeg's decode against the source;
- per rung and clip: BD-rate (pchip) and the CPU-time ratio (all QPs summed) against
  ``exhaustive`` and against the default rung ``slower``; the mean over the clips.

Usage: ``PYTHONPATH=. python benchmarks/bench_presets.py [--frames 17] [--intra-period 32]
[--qps 22,27,32,37] [--clips basketballpass,blowingbubbles] [--rungs a,b] [--engine PATH]
[--out DIR] [--result FILE]``. Resumable: finished points are kept in ``--out`` (default
/tmp/bench-presets), keyed by the encoder's identity (binary digest and options), clip, frames,
intra period and QP. Writes ``benchmarks/results/presets_ra.json`` and prints the table
(Markdown).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout too
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_engine import decode_clip  # noqa: E402

from vtm_accel.batch.store import write_json_atomic  # noqa: E402
from vtm_accel.codecs.base import Decoder, EncodeJob, Encoder, EncodeResult  # noqa: E402
from vtm_accel.codecs.registry import make_decoder, make_encoder  # noqa: E402
from vtm_accel.core import VideoInfo  # noqa: E402
from vtm_accel.demo import ClipSpec, make_pan_clip  # noqa: E402
from vtm_accel.io import probe_video  # noqa: E402
from vtm_accel.metrics import bd_rate, bitrate_kbps, video_psnr  # noqa: E402

TIMEOUT_S = 4 * 3600  # one encode; a hang fails the run instead of blocking it
MODEL = ROOT / "vtm_accel/predictors/weights/split_cnn.pt"
ANCHOR = "exhaustive"
DEFAULT = "slower"

# rung -> engine options (the spec's items after "engine:config=ra,")
RUNGS = {
    "exhaustive": "preset=exhaustive",
    "slower": "preset=slower",
    "slow": "preset=slow",
    "medium": "preset=medium",
    "fast": "preset=fast",
    "slower + CNN L2": f"preset=slower,nn={MODEL},nn-level=2",
    "slower + CNN L4": f"preset=slower,nn={MODEL},nn-level=4",
}


@dataclass(frozen=True)
class Clip:
    name: str
    file: str  # in the data folder; "" for the generated clip
    width: int
    height: int
    fps: float


CLIPS = {
    c.name: c
    for c in (
        Clip("basketballpass", "basketballpass_416x240_50_10bit.266", 416, 240, 50),
        Clip("blowingbubbles", "blowingbubbles_416x240_50_10bit.266", 416, 240, 50),
    )
}
GENERATED = Clip("generated", "", 416, 240, 50)


def source(clip: Clip, data: Path, out: Path, frames: int) -> VideoInfo:
    """The clip's first ``frames`` pictures as raw 4:2:0 (10-bit from a real clip, else an
    8-bit panned photograph)."""
    if clip.file:
        raw = decode_clip(data / clip.file, out / f"{clip.name}_{frames}f_10bit.yuv", frames)
        return probe_video(raw, width=clip.width, height=clip.height, fps=clip.fps, bit_depth=10)
    raw = out / f"{clip.name}_{frames}f_8bit.yuv"
    if not raw.exists():
        make_pan_clip(raw, ClipSpec(clip.width, clip.height, frames, clip.fps))
    return probe_video(raw, width=clip.width, height=clip.height, fps=clip.fps, bit_depth=8)


def point_key(encoder_id: str, clip: str, frames: int, ip: int, qp: int) -> str:
    text = f"{encoder_id}|{clip}|{frames}|{ip}|{qp}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def measure(enc: Encoder, job: EncodeJob, clip: Clip, decoder: Decoder) -> dict:
    """Encodes one point; its CPU time, rate and PSNR-YUV of FFmpeg's decode."""
    res: EncodeResult = enc.encode(job, timeout_s=TIMEOUT_S)
    nn = res.extra.get("nn")
    if nn and nn.get("fell_back"):
        raise RuntimeError(f"the CNN did not answer ({nn.get('reason')}): {res.bitstream}")
    dec = decoder.decode(res.bitstream, res.bitstream.with_suffix(".dec.yuv"), TIMEOUT_S)
    decoded = probe_video(
        dec.decoded, width=clip.width, height=clip.height, fps=clip.fps, bit_depth=dec.bit_depth
    )
    psnr = video_psnr(job.video, decoded, frames=job.frames, peak=1023.0)
    dec.decoded.unlink(missing_ok=True)
    pictures = res.extra.get("pictures") or []
    return {
        "kbps": bitrate_kbps(res.bitstream.stat().st_size, clip.fps, job.frames),
        "psnr_yuv": psnr.yuv,
        "psnr": [psnr.y, psnr.u, psnr.v],
        "cpu_s": res.stats.cpu_s,
        "nodes": sum(int(p.get("nodes", 0)) for p in pictures),
    }


def compare(points: list[dict], anchor: list[dict]) -> tuple[float, float]:
    """BD-rate (%) and CPU-time ratio (all QPs summed) of ``points`` against ``anchor``."""
    bd = bd_rate(
        [p["kbps"] for p in anchor],
        [p["psnr_yuv"] for p in anchor],
        [p["kbps"] for p in points],
        [p["psnr_yuv"] for p in points],
    )
    return bd, sum(p["cpu_s"] for p in points) / sum(p["cpu_s"] for p in anchor)


def summarise(results: dict[str, dict[str, list[dict]]]) -> dict[str, dict]:
    """Per rung: per clip and mean, BD-rate and CPU ratio against the anchor and the default."""
    out = {}
    for rung, per_clip in results.items():
        row: dict = {"clips": {}}
        for clip, pts in per_clip.items():
            c: dict = {"cpu_s": sum(p["cpu_s"] for p in pts)}
            for ref, tag in ((ANCHOR, "exhaustive"), (DEFAULT, "slower")):
                if ref in results and clip in results[ref]:
                    c[f"bd_vs_{tag}"], c[f"cpu_vs_{tag}"] = compare(pts, results[ref][clip])
            row["clips"][clip] = c
        for key in ("bd_vs_exhaustive", "cpu_vs_exhaustive", "bd_vs_slower", "cpu_vs_slower"):
            vals = [c[key] for c in row["clips"].values() if key in c]
            if vals:
                row[key] = statistics.fmean(vals)
        out[rung] = row
    return out


def format_table(summary: dict[str, dict], clips: list[str]) -> str:
    head = (
        "| rung | CPU vs exhaustive | BD-rate vs exhaustive | CPU vs slower | BD-rate vs slower |"
    )
    per = " | ".join(f"{c} BD / CPU" for c in clips)
    lines = [head + f" {per} |", "|---" * (5 + len(clips)) + "|"]
    for rung, row in summary.items():
        cells = [
            f"{row['cpu_vs_exhaustive']:.2f}",
            f"{row['bd_vs_exhaustive']:+.2f} %",
            f"{row['cpu_vs_slower']:.2f}",
            f"{row['bd_vs_slower']:+.2f} %",
        ]
        for c in clips:
            v = row["clips"][c]
            cells.append(f"{v['bd_vs_exhaustive']:+.2f} % / {v['cpu_vs_exhaustive']:.2f}")
        lines.append(f"| {rung} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=17)
    ap.add_argument("--intra-period", type=int, default=32)
    ap.add_argument("--qps", default="22,27,32,37")
    ap.add_argument("--clips", default=",".join(CLIPS), help=f"any of {','.join(CLIPS)}")
    ap.add_argument("--rungs", default=",".join(RUNGS), help=f"any of {','.join(RUNGS)}")
    ap.add_argument("--engine", type=Path, help="the engine binary (default: find_engine)")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench-presets"))
    ap.add_argument("--result", type=Path, default=ROOT / "benchmarks/results/presets_ra.json")
    a = ap.parse_args()
    qps = [int(q) for q in a.qps.split(",")]
    rungs = a.rungs.split(",")
    if ANCHOR not in rungs or DEFAULT not in rungs:
        ap.error(f"--rungs must include {ANCHOR} and {DEFAULT} (the references)")
    have_data = all((a.data / CLIPS[c].file).is_file() for c in a.clips.split(","))
    clips = [CLIPS[c] for c in a.clips.split(",")] if have_data else [GENERATED]
    if not have_data:
        print(f"no real clips at {a.data}: measuring a generated clip", file=sys.stderr)
    a.out.mkdir(parents=True, exist_ok=True)
    decoder = make_decoder("ffmpeg")
    binary = f",bin={a.engine.resolve()}" if a.engine else ""
    encoders = {r: make_encoder(f"engine:config=ra,{RUNGS[r]}{binary}") for r in rungs}
    results: dict[str, dict[str, list[dict]]] = {r: {} for r in rungs}
    print(f"{'clip':15s} {'rung':16s} {'QP':>3s} {'kbps':>8s} {'PSNR-YUV':>8s} {'CPU s':>7s}")
    for clip in clips:
        video = source(clip, a.data, a.out, a.frames)
        for rung in rungs:
            enc = encoders[rung]
            pts = []
            for qp in qps:
                key = point_key(enc.identity(), clip.name, a.frames, a.intra_period, qp)
                path = a.out / "points" / f"{key}.json"
                if path.exists():
                    pt = json.loads(path.read_text())
                else:
                    job = EncodeJob(
                        video=video,
                        frames=a.frames,
                        qp=qp,
                        intra_period=a.intra_period,
                        out_dir=a.out / "streams" / key,
                    )
                    pt = {"clip": clip.name, "rung": rung, "qp": qp}
                    pt.update(measure(enc, job, clip, decoder))
                    write_json_atomic(path, pt)
                pts.append(pt)
                print(
                    f"{clip.name:15s} {rung:16s} {qp:3d} {pt['kbps']:8.1f} {pt['psnr_yuv']:8.3f} "
                    f"{pt['cpu_s']:7.1f}",
                    flush=True,
                )
            results[rung][clip.name] = pts
    summary = summarise(results)
    names = [c.name for c in clips]
    print()
    print(
        f"Random access, {a.frames} frames, intra period {a.intra_period}, QP "
        f"{'/'.join(map(str, qps))}, {', '.join(names)}: CPU-time ratio (all QPs summed, mean "
        "over the clips) and BD-rate (PSNR-YUV 6:1:1, pchip, mean over the clips)"
    )
    print(format_table(summary, names))
    doc = {
        "command": "python benchmarks/bench_presets.py " + shlex.join(sys.argv[1:]),
        "frames": a.frames,
        "intra_period": a.intra_period,
        "qps": qps,
        "clips": names,
        "rungs": {r: encoders[r].identity() for r in rungs},
        "psnr": "PSNR-YUV (6Y+U+V)/8 of FFmpeg's decode against the source, peak 1023",
        "cpu": "user + sys CPU seconds of the engine's process tree, encodes run one at a time",
        "summary": summary,
        "points": [p for r in rungs for c in names for p in results[r][c]],
    }
    write_json_atomic(a.result, doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
