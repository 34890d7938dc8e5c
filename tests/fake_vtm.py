"""Stand-ins for VTM-20.2's EncoderApp and DecoderApp (VTM is not available on test machines).

They accept the flags the harness passes, record them to ``<bitstream>.argv.json``, and really
code the video by delegating to FFmpeg's libvvenc / VVC decoder, then print per-picture and
summary lines in VTM's log format (PSNR with VTM's 1020 peak), so that the harness's command
construction and log parsing are exercised end to end. ``write_fake_vtm(dir) -> (enc, dec)``.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

_ENCODER = r"""
import json, math, subprocess, sys, time
import numpy as np
FFMPEG = __FFMPEG__
args = sys.argv[1:]
opts, cfgs, i = {}, [], 0
while i < len(args):
    a = args[i]
    if a.startswith("--") and "=" in a:
        k, v = a[2:].split("=", 1); opts[k] = v; i += 1
    elif a == "-c":
        cfgs.append(args[i + 1]); i += 2
    else:
        opts[a.lstrip("-")] = args[i + 1]; i += 2
for need in ("i", "wdt", "hgt", "fr", "f", "q", "b", "o", "InputBitDepth", "IntraPeriod"):
    if need not in opts:
        print(f"missing option {need}", file=sys.stderr); sys.exit(1)
for c in cfgs:
    open(c).read()
json.dump({"argv": sys.argv[1:], "opts": opts, "cfgs": cfgs}, open(opts["b"] + ".argv.json", "w"))
w, h, n, bd = int(opts["wdt"]), int(opts["hgt"]), int(opts["f"]), int(opts["InputBitDepth"])
skip = int(opts.get("fs", 0))
pix = "yuv420p" if bd == 8 else "yuv420p10le"
t0 = time.process_time()
subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "rawvideo",
    "-pix_fmt", pix, "-s", f"{w}x{h}", "-r", opts["fr"], "-i", opts["i"],
    "-vf", f"trim=start_frame={skip},setpts=PTS-STARTPTS", "-frames:v", str(n),
    "-c:v", "libvvenc", "-preset", "faster", "-qp", opts["q"], "-qpa", "0", "-threads", "1",
    "-vvenc-params", f"IntraPeriod={opts['IntraPeriod']}", "-f", "vvc", opts["b"]], check=True)
subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-threads", "1",
    "-i", opts["b"], "-pix_fmt", "yuv420p10le", "-f", "rawvideo", opts["o"]], check=True)
cw, ch = (w + 1) // 2, (h + 1) // 2
fs = w * h + 2 * cw * ch
src = np.fromfile(opts["i"], np.uint8 if bd == 8 else "<u2").astype(np.int64)
rec = np.fromfile(opts["o"], "<u2").astype(np.int64)
nbytes = len(open(opts["b"], "rb").read())
sums = [0.0, 0.0, 0.0]
for k in range(n):
    s = src[(skip + k) * fs:(skip + k + 1) * fs] << (10 - bd)
    r = rec[k * fs:(k + 1) * fs]
    parts = [(0, w * h), (w * h, w * h + cw * ch), (w * h + cw * ch, fs)]
    ps = []
    for a, b in parts:
        mse = float(((s[a:b] - r[a:b]) ** 2).mean())
        ps.append(999.99 if mse == 0 else 10 * math.log10(1020 * 1020 / mse))
    for j in range(3):
        sums[j] += ps[j]
    qp = int(opts["q"])
    print(f"POC {k:4d} LId:  0 TId: 0 ( CRA_NUT, B-SLICE, QP {qp} ) {nbytes * 8 // n:10d} bits "
          f"[Y {ps[0]:.4f} dB    U {ps[1]:.4f} dB    V {ps[2]:.4f} dB] [ET     0 ] [L0 ] [L1 ]")
y, u, v = (x / n for x in sums)
kbps = nbytes * 8 * float(opts["fr"]) / n / 1000
print()
print("SUMMARY --------------------------------------------------------")
print("\tTotal Frames |   Bitrate     Y-PSNR    U-PSNR    V-PSNR    YUV-PSNR ")
print(f"\t     {n:4d}    a {kbps:12.4f}  {y:8.4f}  {u:8.4f}  {v:8.4f}  {(6*y+u+v)/8:8.4f}")
print()
t = time.process_time() - t0
print(f" Total Time:       {t:.3f} sec. [user]       {t:.3f} sec. [elapsed]")
"""

_DECODER = r"""
import subprocess, sys
FFMPEG = __FFMPEG__
a = sys.argv[1:]
opts = {a[i].lstrip("-"): a[i + 1] for i in range(0, len(a), 2)}
pix = "yuv420p" if opts.get("d") == "8" else "yuv420p10le"
subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", opts["b"],
    "-pix_fmt", pix, "-f", "rawvideo", opts["o"]], check=True)
print("POC    0 TId: 0 ( CRA, I-SLICE, QP 27 ) [DT  0.001]")
"""


def write_fake_vtm(directory: Path, ffmpeg: str) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, body in (("EncoderApp", _ENCODER), ("DecoderApp", _DECODER)):
        p = directory / name
        p.write_text(f"#!{sys.executable}\n" + body.replace("__FFMPEG__", repr(ffmpeg)))
        p.chmod(p.stat().st_mode | stat.S_IXUSR)
        paths.append(p)
    return paths[0], paths[1]
