"""Issue 2's acceptance run: `vtm-accel challenge` on two real clips, checked independently.

Runs the challenge (anchor vvenc 'slower', candidate vvenc 'medium', QP 22/27/32/37, random
access at the CTC intra period) on two clips of ``../shared/data``, then recomputes every number
that matters without the harness's code: the rate from the bitstream's size, PSNR per component
from the decoded file and the source with plain numpy, PSNR-YUV (6:1:1), and BD-rate with
`bjontegaard` (pchip) directly. Prints the largest differences (must be <= 0.01 dB and 0.01 %)
and writes ``benchmarks/results/verify_challenge.json``.

Usage: ``python benchmarks/verify_challenge.py [--frames 9] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import bjontegaard as bd
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vtm_accel.codecs.common import ffmpeg_exe  # noqa: E402

CLIPS = {
    "basketballpass": ("basketballpass_416x240_50_10bit.266", 416, 240, 50.0),
    "racehorses": ("racehorses_416x240_30_10bit.266", 416, 240, 30.0),
}


def planes(path: Path, w: int, h: int, frames: int) -> list[tuple[np.ndarray, ...]]:
    data = np.fromfile(path, dtype="<u2").astype(np.int64)
    n = w * h * 3 // 2
    assert data.size == n * frames, f"{path}: {data.size} samples, expected {n * frames}"
    out = []
    for f in range(frames):
        d = data[f * n : (f + 1) * n]
        out.append((d[: w * h], d[w * h : w * h * 5 // 4], d[w * h * 5 // 4 :]))
    return out


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    # a lossless plane counts as one sample off by one (the harness's stated cap)
    mse = max(float(np.mean((a - b) ** 2)), 1.0 / a.size)
    return 10 * np.log10(1023.0**2 / mse)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=9)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=Path("/tmp/verify-challenge"))
    ap.add_argument(
        "--result", type=Path, default=ROOT / "benchmarks/results/verify_challenge.json"
    )
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    rows = ["path,width,height,fps,bit_depth,frames,name"]
    for name, (f, w, h, fps) in CLIPS.items():
        raw = args.out / f"{name}_{w}x{h}_10bit.yuv"
        if not raw.exists():
            subprocess.run(
                [ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(args.data / f)]
                + ["-frames:v", str(args.frames), "-pix_fmt", "yuv420p10le", "-f", "rawvideo"]
                + [str(raw)],
                check=True,
            )
        rows.append(f"{raw},{w},{h},{fps},10,{args.frames},{name}")
    seqs = args.out / "sequences.csv"
    seqs.write_text("\n".join(rows) + "\n")
    run_dir = args.out / "run"
    cmd = ["vtm-accel", "challenge", "--sequences", str(seqs), "--anchor", "vvenc:slower"]
    cmd += ["--candidate", "vvenc:medium", "--out", str(run_dir)]
    rc = subprocess.run(cmd).returncode
    results = json.loads((run_dir / "results.json").read_text())

    worst_db, worst_bd, report = 0.0, 0.0, {}
    for seq in results["sequences"]:
        w, h, frames = seq["width"], seq["height"], seq["frames"]
        src = planes(Path(seq["input"]), w, h, frames)
        curves: dict[str, tuple[list[float], list[float]]] = {
            "anchor": ([], []),
            "candidate": ([], []),
        }
        for point in seq["points"]:
            for role in ("anchor", "candidate"):
                rec = point[role]
                dec = planes(Path(rec["decoded"]), w, h, frames)
                comp = [
                    np.mean([psnr(s[c], d[c]) for s, d in zip(src, dec, strict=True)])
                    for c in range(3)
                ]
                yuv = (6 * comp[0] + comp[1] + comp[2]) / 8
                kbps = Path(rec["bitstream"]).stat().st_size * 8 * seq["fps"] / frames / 1000
                for mine, theirs in zip(
                    comp + [yuv], ("psnr_y", "psnr_u", "psnr_v", "psnr_yuv"), strict=True
                ):
                    worst_db = max(worst_db, abs(mine - rec[theirs]))
                worst_db = max(worst_db, abs(kbps - rec["kbps"]))  # kbps printed beside dB
                curves[role][0].append(kbps)
                curves[role][1].append(yuv)
        mine_bd = bd.bd_rate(*curves["anchor"], *curves["candidate"], method="pchip")
        worst_bd = max(worst_bd, abs(mine_bd - seq["bd_rate"]))
        report[seq["name"]] = {
            "bd_rate_harness": seq["bd_rate"],
            "bd_rate_independent": float(mine_bd),
        }
        print(f"{seq['name']}: BD-rate harness {seq['bd_rate']:.4f} %, independent {mine_bd:.4f} %")
    summary = results["summary"]
    print(f"rules: {json.dumps({k: v['passed'] for k, v in summary['rules'].items()})}")
    print(
        f"largest |PSNR or kbps difference|: {worst_db:.6f}; largest |BD-rate difference|: "
        f"{worst_bd:.6f} %"
    )
    ok = bool(worst_db <= 0.01 and worst_bd <= 0.01)
    args.result.parent.mkdir(parents=True, exist_ok=True)
    report.update(
        max_psnr_diff_db=float(worst_db), max_bd_diff_pct=float(worst_bd), agree=ok, challenge_rc=rc
    )
    args.result.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
