"""Random access against VVenC 'slower': where the engine's inter pictures stand (issue 13).

For every clip (JVET class B/C/D content of ``../shared/data`` plus a fixed-camera clip; class
B and the default class C clip as 416x240 centre crops, which keeps the run near an hour on two
cores), QP 22/27/32/37, the same frames and intra period for every encoder:

- the candidate (``--candidate``, default the engine) and each anchor encode AT THE SAME TIME,
  pinned to separate cores (the fair CPU comparison on a shared machine, as
  ``bench_time_ratio.py``); anchors: VVenC 'slower' as it is, and VVenC 'slower' with the coding
  tools the engine lacks switched off (``--vvenc-tools engine``: what is left is the encoder
  decisions);
- every stream is decoded by FFmpeg; PSNR-YUV (6:1:1, peak 1023) of the decoded output;
- BD-rate (pchip) of the candidate against each anchor per clip and averaged, the CPU-time
  ratio per clip (all QPs summed);
- per picture and per temporal layer (``vtm_accel.analysis.pictures``, any encoder's stream):
  bits, slice QP and PSNR of the candidate against VVenC 'slower' at one QP, and for the engine
  the share of skip / merge / AMVP / intra area per layer from its log.

Usage: ``python benchmarks/bench_ra.py [--frames 17] [--intra-period 32] [--clips a,b]
[--qps 22,27,32,37] [--layer-qp 32] [--candidate engine] [--out DIR] [--result FILE]``.
Resumable: finished points are kept in ``--out`` (keyed by encoder identity, clip and QP).
Writes ``benchmarks/results/ra_vs_vvenc.json`` and prints the tables.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout too
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_time_ratio import _pair, paired_run_problem  # noqa: E402

from vtm_accel.analysis.pictures import attach_psnr, layer_table, read_pictures  # noqa: E402
from vtm_accel.codecs.base import EncodeJob, EncodeResult  # noqa: E402
from vtm_accel.codecs.common import ffmpeg_exe  # noqa: E402
from vtm_accel.codecs.registry import make_decoder, make_encoder  # noqa: E402
from vtm_accel.io import probe_video  # noqa: E402
from vtm_accel.metrics import bd_rate, bitrate_kbps, video_psnr  # noqa: E402
from vtm_accel.timing import available_cores  # noqa: E402

TIMEOUT_S = 4 * 3600

# VVenC parameters that switch off the coding tools the engine does not have (its 'slower'
# preset turns them on): what is left of the difference are the encoder's decisions.
ENGINE_TOOLS_ONLY = (
    "Affine=0:MMVD=0:SMVD=0:BCW=0:CIIP=0:Geo=0:SbTMVP=0:AMVR=0:MTS=0:LFNST=0:SBT=0:ISP=0:MIP=0"
    ":MRL=0:JointCbCr=0:TransformSkip=0:BDPCM=0:SAO=0:CCALF=0:IBC=0:UseNonLinearAlfLuma=0"
    ":UseNonLinearAlfChroma=0"
)
ANCHORS = {
    "vvenc slower": "vvenc:preset=slower",
    "vvenc slower (engine's tools)": f"vvenc:preset=slower,{ENGINE_TOOLS_ONLY.replace(':', ',')}",
}


@dataclass(frozen=True)
class Clip:
    name: str
    file: str
    width: int  # coded size (a centre crop when smaller than the file's)
    height: int
    fps: float
    kind: str  # JVET class or what the content is


CLIPS = {
    c.name: c
    for c in (
        Clip("kimono", "kimono_1920x1080_24_10bit.266", 416, 240, 24, "B (crop)"),
        Clip("basketballdrive", "basketballdrive_1920x1080_50_10bit.266", 416, 240, 50, "B (crop)"),
        Clip("marketplace", "marketplace_1920x1080_60_10bit.266", 416, 240, 60, "B (crop)"),
        Clip("ritualdance", "ritualdance_1920x1080_60_10bit.266", 416, 240, 60, "B (crop)"),
        Clip("basketballdrill", "basketballdrill_832x480_50_10bit.266", 416, 240, 50, "C (crop)"),
        Clip("bqmall", "bqmall_832x480_60_10bit.266", 832, 480, 60, "C"),
        Clip("partyscene", "partyscene_832x480_50_10bit.266", 832, 480, 50, "C"),
        Clip("basketballpass", "basketballpass_416x240_50_10bit.266", 416, 240, 50, "D"),
        Clip("blowingbubbles", "blowingbubbles_416x240_50_10bit.266", 416, 240, 50, "D"),
        Clip("bqsquare", "bqsquare_416x240_60_10bit.266", 416, 240, 60, "D"),
        Clip("racehorses", "racehorses_416x240_30_10bit.266", 416, 240, 30, "D"),
        Clip("meetingroom", "meeting4people_1280x720_30.webm", 416, 240, 30, "fixed camera"),
    )
}
DEFAULT_CLIPS = ",".join(
    ("kimono", "basketballdrive", "basketballdrill", "basketballpass", "blowingbubbles")
    + ("bqsquare", "racehorses", "meetingroom")
)


def decode_clip(clip: Clip, data: Path, out: Path, frames: int) -> Path:
    """The first ``frames`` pictures of ``clip`` as raw 10-bit 4:2:0 (centre crop; the fixed
    camera clip: its top-left corner, the still part of the room)."""
    dst = out / f"{clip.name}_{clip.width}x{clip.height}_{frames}f_10bit.yuv"
    if dst.exists():
        return dst
    src = data / clip.file
    w, h = (int(v) for v in clip.file.split("_")[1].split("x"))
    x, y = (
        ((w - clip.width) // 2, (h - clip.height) // 2) if clip.kind != "fixed camera" else (0, 0)
    )
    tmp = dst.with_suffix(".part")
    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(src), "-frames:v", str(frames)]
        + ["-vf", f"crop={clip.width}:{clip.height}:{x}:{y}", "-pix_fmt", "yuv420p10le"]
        + ["-f", "rawvideo", str(tmp)],
        check=True,
        timeout=600,
    )
    tmp.replace(dst)
    return dst


def _point_key(encoder_id: str, clip: str, frames: int, ip: int, qp: int) -> str:
    text = f"{encoder_id}|{clip}|{frames}|{ip}|{qp}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def measure(res: EncodeResult, video, frames: int, fps: float, decoder, with_pictures: bool):
    """Rate, PSNR and (optionally) the per-picture facts of one encode."""
    dec = decoder.decode(res.bitstream, res.bitstream.with_suffix(".dec.yuv"), TIMEOUT_S)
    decoded = probe_video(
        dec.decoded, width=video.width, height=video.height, fps=fps, bit_depth=10
    )
    psnr = video_psnr(video, decoded, frames=frames, peak=1023.0, keep_frames=with_pictures)
    out = {
        "kbps": bitrate_kbps(res.bitstream.stat().st_size, fps, frames),
        "psnr_yuv": psnr.yuv,
        "psnr": [psnr.y, psnr.u, psnr.v],
        "cpu_s": res.stats.cpu_s,
    }
    if with_pictures:
        pics = attach_psnr(read_pictures(res.bitstream), psnr.per_frame)
        out["layers"] = [
            {
                "tid": r.temporal_id,
                "pictures": r.pictures,
                "bits": r.mean_bits,
                "qp": r.mean_qp,
                "psnr": list(r.mean_psnr) if r.mean_psnr else None,
                "share": r.share_of_bits,
            }
            for r in layer_table(pics)
        ]
        log = res.extra.get("pictures") or []
        if log and "cu" in log[0]:  # the engine's own account of its decisions
            by_tid: dict[int, list[dict]] = {}
            for e in log:
                key = -1 if e.get("slice_type") == "I" else int(e.get("tid", 0))
                by_tid.setdefault(key, []).append(e["cu"])
            out["cu_share"] = {
                str(t): {k: statistics.fmean(c[k] for c in cs) for k in cs[0] if k != "count"}
                for t, cs in sorted(by_tid.items())
            }
    res.bitstream.with_suffix(".dec.yuv").unlink(missing_ok=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", default=DEFAULT_CLIPS, help=f"any of {','.join(CLIPS)}")
    ap.add_argument("--frames", type=int, default=17)
    ap.add_argument("--intra-period", type=int, default=32)
    ap.add_argument("--qps", default="22,27,32,37")
    ap.add_argument("--layer-qp", type=int, default=32, help="QP of the per-layer tables")
    ap.add_argument("--candidate", default="engine")
    ap.add_argument("--anchors", default=",".join(ANCHORS), help="names of ANCHORS")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench-ra"))
    ap.add_argument("--result", type=Path, default=ROOT / "benchmarks/results/ra_vs_vvenc.json")
    a = ap.parse_args()
    cores = available_cores()
    if problem := paired_run_problem(cores, a.data):
        print(problem, file=sys.stderr)
        return 2
    qps = [int(q) for q in a.qps.split(",")]
    clips = [CLIPS[c] for c in a.clips.split(",")]
    anchors = {n: ANCHORS[n] for n in a.anchors.split(",")}
    a.out.mkdir(parents=True, exist_ok=True)
    cand = make_encoder(a.candidate)
    decoder = make_decoder("ffmpeg")
    points: dict[str, dict] = {}
    for clip in clips:
        raw = decode_clip(clip, a.data, a.out, a.frames)
        video = probe_video(raw, width=clip.width, height=clip.height, fps=clip.fps, bit_depth=10)
        for aname, aspec in anchors.items():
            anch = make_encoder(aspec)
            for qp in qps:
                ck = _point_key(
                    cand.identity() + "|vs|" + anch.identity(),
                    clip.name,
                    a.frames,
                    a.intra_period,
                    qp,
                )
                path = a.out / f"{ck}.json"
                if path.exists():
                    points[ck] = json.loads(path.read_text())
                    continue
                jobs = tuple(
                    EncodeJob(
                        video=video,
                        frames=a.frames,
                        qp=qp,
                        intra_period=a.intra_period,
                        out_dir=a.out / ck / who,
                        core=core,
                    )
                    for who, core in (("candidate", cores[0]), ("anchor", cores[1]))
                )
                rc, ra = _pair(cand, anch, jobs)  # type: ignore[arg-type]
                layers = qp == a.layer_qp
                pt = {
                    "clip": clip.name,
                    "anchor": aname,
                    "qp": qp,
                    "candidate": measure(rc, video, a.frames, clip.fps, decoder, layers),
                    "anchor_point": measure(ra, video, a.frames, clip.fps, decoder, layers),
                }
                tmp = path.with_suffix(".part")
                tmp.write_text(json.dumps(pt))
                tmp.replace(path)
                points[ck] = pt
                c, r = pt["candidate"], pt["anchor_point"]
                print(
                    f"{clip.name:16s} {aname:30s} QP {qp}: cand {c['kbps']:8.1f} kbps "
                    f"{c['psnr_yuv']:.3f} dB {c['cpu_s']:7.1f} s | anchor {r['kbps']:8.1f} kbps "
                    f"{r['psnr_yuv']:.3f} dB {r['cpu_s']:7.1f} s",
                    flush=True,
                )

    summary: dict = {
        "command": "python benchmarks/bench_ra.py " + shlex.join(sys.argv[1:]),
        "candidate": a.candidate,
        "candidate_id": cand.identity(),
        "frames": a.frames,
        "intra_period": a.intra_period,
        "qps": qps,
        "psnr": "PSNR-YUV (6Y+U+V)/8 of FFmpeg's decode against the source, peak 1023",
        "versus": {},
    }
    for aname in anchors:
        per = {}
        for clip in clips:
            pts = sorted(
                (p for p in points.values() if p["clip"] == clip.name and p["anchor"] == aname),
                key=lambda p: p["qp"],
            )
            c = [p["candidate"] for p in pts]
            r = [p["anchor_point"] for p in pts]
            bd = bd_rate(
                [x["kbps"] for x in r],
                [x["psnr_yuv"] for x in r],
                [x["kbps"] for x in c],
                [x["psnr_yuv"] for x in c],
            )
            per[clip.name] = {
                "kind": clip.kind,
                "size": f"{clip.width}x{clip.height}",
                "bd_rate": bd,
                "cpu_ratio": sum(x["cpu_s"] for x in c) / sum(x["cpu_s"] for x in r),
                "layers": {
                    "candidate": next((x.get("layers") for x in c if "layers" in x), None),
                    "anchor": next((x.get("layers") for x in r if "layers" in x), None),
                    "candidate_cu_share": next(
                        (x.get("cu_share") for x in c if "cu_share" in x), None
                    ),
                },
            }
        summary["versus"][aname] = {
            "per_clip": per,
            "bd_rate_mean": statistics.fmean(v["bd_rate"] for v in per.values()),
            "cpu_ratio_median": statistics.median(v["cpu_ratio"] for v in per.values()),
        }
    print(format_summary(summary, a.layer_qp))
    a.result.parent.mkdir(parents=True, exist_ok=True)
    tmp = a.result.with_suffix(".part")
    tmp.write_text(json.dumps(summary, indent=2) + "\n")
    tmp.replace(a.result)
    return 0


def format_summary(s: dict, layer_qp: int) -> str:
    lines = [
        f"{s['candidate']} against VVenC, random access, {s['frames']} frames, intra period "
        f"{s['intra_period']}, QP {'/'.join(map(str, s['qps']))} ({s['psnr']})"
    ]
    for aname, block in s["versus"].items():
        lines.append(f"\nvs {aname}:")
        lines.append(f"{'clip':16s} {'class':14s} {'size':9s} {'BD-rate %':>9s} {'CPU ratio':>9s}")
        for name, v in block["per_clip"].items():
            bd, cpu = v["bd_rate"], v["cpu_ratio"]
            lines.append(f"{name:16s} {v['kind']:14s} {v['size']:9s} {bd:9.2f} {cpu:9.2f}")
        lines.append(
            f"{'mean':16s} {'':14s} {'':9s} {block['bd_rate_mean']:9.2f} "
            f"{block['cpu_ratio_median']:9.2f} (CPU: median)"
        )
    first = next(iter(s["versus"].values()))
    lines.append(f"\nper temporal layer at QP {layer_qp} (-1: intra pictures): bits, QP, PSNR-Y")
    for name, v in first["per_clip"].items():
        cand, anch = v["layers"]["candidate"], v["layers"]["anchor"]
        if not cand or not anch:
            continue
        lines.append(f"{name}: {'tid':>3s} | {'candidate':^24s} | {'anchor':^24s} | cand. CU area")
        cu = v["layers"]["candidate_cu_share"] or {}
        by_a = {r["tid"]: r for r in anch}
        for r in cand:
            o = by_a.get(r["tid"])
            share = cu.get(str(r["tid"]))
            shares = (
                " ".join(f"{k} {share[k]:.2f}" for k in ("skip", "merge", "amvp", "intra"))
                if share
                else ""
            )
            left = f"{r['bits']:8.0f} {r['qp'] or 0:5.1f} {r['psnr'][0]:6.2f}"
            right = f"{o['bits']:8.0f} {o['qp'] or 0:5.1f} {o['psnr'][0]:6.2f}" if o else ""
            lines.append(
                f"{'':{len(name) + 1}s} {r['tid']:3d} | {left:24s} | {right:24s} | {shares}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
