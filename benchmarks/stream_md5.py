"""The restructuring safety net: MD5 of the engine's streams over a fixed matrix.

Matrix: all intra / random access / low delay B, QP 22 and 37, CNN off and at the default
level, on two real clips (``../shared/data``: basketballpass and blowingbubbles, 5 frames) or,
when they are absent, on scikit-image's photo panned over 5 frames. A change that only moves
code must leave every MD5 as it was.

Usage::

    python benchmarks/stream_md5.py --engine build/rel/vtm-accel-engine --out new.json
    python benchmarks/stream_md5.py --engine NEW --against OLD_ENGINE    # encode both, compare
    python benchmarks/stream_md5.py --engine NEW --expect old.json       # compare to a record

Exit status 1 when a stream differs; prints one line per stream.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vtm_accel.codecs.common import ffmpeg_exe  # noqa: E402
from vtm_accel.codecs.engine import engine_command  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
WEIGHTS = ROOT / "vtm_accel" / "predictors" / "weights" / "split_cnn.pt"
FRAMES = 5
TIMEOUT_S = 1800
CONFIGS = {"ai": 1, "ra": 32, "ldb": 32}  # --config and its --intra-period
QPS = (22, 37)
NN_LEVELS = (0, 2)  # 0: no CNN


@dataclass(frozen=True)
class Source:
    name: str
    path: Path
    width: int
    height: int
    fps: int


def real_sources(work: Path) -> list[Source]:
    """The two 416x240 clips, decoded to 10-bit YUV once; empty when they are absent."""
    out = []
    for name in ("basketballpass", "blowingbubbles"):
        clip = DATA / f"{name}_416x240_50_10bit.266"
        if not clip.exists():
            return []
        yuv = work / f"{name}.yuv"
        subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-y", "-i", str(clip), "-frames:v", str(FRAMES),
             "-pix_fmt", "yuv420p10le", "-f", "rawvideo", str(yuv)],
            check=True, timeout=TIMEOUT_S,
        )  # fmt: skip
        out.append(Source(name, yuv, 416, 240, 50))
    return out


def generated_source(work: Path) -> Source:
    """scikit-image's astronaut as 10-bit 4:2:0, panned 3 samples a picture."""
    from skimage import color, data

    ycc = color.rgb2ycbcr(data.astronaut()[:272, :400])  # Y 16..235, Cb/Cr 16..240
    w, h = 384, 256
    frames = []
    for f in range(FRAMES):
        crop = ycc[3 * f : 3 * f + h, 2 * f : 2 * f + w]
        y = np.clip(np.round(crop[..., 0] * 4), 0, 1023).astype("<u2")
        cb = np.clip(np.round(crop[::2, ::2, 1] * 4), 0, 1023).astype("<u2")
        cr = np.clip(np.round(crop[::2, ::2, 2] * 4), 0, 1023).astype("<u2")
        frames += [y.tobytes(), cb.tobytes(), cr.tobytes()]
    yuv = work / "astronaut.yuv"
    yuv.write_bytes(b"".join(frames))
    return Source("astronaut", yuv, w, h, 30)


def encode_md5(engine: Path, src: Source, config: str, qp: int, nn: int, work: Path) -> str:
    out = work / f"{engine.parent.name}_{engine.name}_{src.name}_{config}_{qp}_{nn}.266"
    options = {"nn": str(WEIGHTS), "nn-level": str(nn)} if nn else {}
    cmd = engine_command(engine, src.path, frames=FRAMES, qp=qp, bitstream=out,
                         raw_size=(src.width, src.height, 10), fps=src.fps,
                         intra_period=CONFIGS[config], config=config, options=options)  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run(cmd, check=True, capture_output=True, timeout=TIMEOUT_S, env=env)
    return hashlib.md5(out.read_bytes()).hexdigest()


def matrix(engine: Path, sources: list[Source], work: Path) -> dict[str, str]:
    """MD5 per stream, the encodes run on all cores (their order does not matter)."""
    points = [(s, c, q, n) for s in sources for c in CONFIGS for q in QPS for n in NN_LEVELS]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        md5s = list(pool.map(lambda p: encode_md5(engine, *p, work), points))
    return {f"{s.name} {c} qp{q} nn{n}": m for (s, c, q, n), m in zip(points, md5s, strict=True)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engine", type=Path, default=ROOT / "build" / "rel" / "vtm-accel-engine")
    ap.add_argument("--against", type=Path, help="a second engine binary to encode and compare")
    ap.add_argument("--expect", type=Path, help="a JSON record of an earlier run to compare")
    ap.add_argument("--out", type=Path, help="write this run's MD5s as JSON")
    args = ap.parse_args()
    for exe in (args.engine, args.against):
        if exe is not None and not exe.is_file():
            ap.error(f"no engine binary at {exe}: build it (cmake --build build/rel) or pass one")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sources = real_sources(work) or [generated_source(work)]
        new = matrix(args.engine.resolve(), sources, work)
        if args.against:
            old = matrix(args.against.resolve(), sources, work)
        elif args.expect:
            old = json.loads(args.expect.read_text())
        else:
            old = {}
    if args.out:
        args.out.write_text(json.dumps(new, indent=1) + "\n")
    differ = 0
    for key, md5 in new.items():
        ref = old.get(key)
        status = "" if ref is None else ("same" if ref == md5 else f"DIFFERS (was {ref})")
        differ += ref is not None and ref != md5
        print(f"{key:34s} {md5} {status}")
    if old:
        print(f"{len(new) - differ} of {len(new)} streams identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
