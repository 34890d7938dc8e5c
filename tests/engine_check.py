"""Shared helpers of the engine's end-to-end tests: run the engine, decode its stream with
FFmpeg's VVC decoder, compare with the engine's reconstruction bit-exactly (naming the first
mismatching frame, plane, sample and CTU), read header syntax elements from FFmpeg's
trace_headers and decode real clips (or crops of them) to raw 4:2:0.

The engine binary and FFmpeg come from the ``engine_exe`` / ``ffmpeg_exe`` fixtures
(conftest.py); real clips from the ``data_dir`` fixture.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from vtm_accel.io.frames import Frame, frame_from_buffer, frame_samples

TIMEOUT_S = 300  # per engine or FFmpeg run: a hang fails the test instead of blocking CI


@dataclass(frozen=True)
class Case:
    name: str
    width: int
    height: int
    frames: int
    bit_depth: int
    qp: int
    deblock: bool = True


@dataclass(frozen=True)
class Encoded:
    stream: Path
    recon: Path
    log: list[dict]  # one JSON object per coded picture (engine --log)
    stderr: str = ""  # the engine's messages

    def bits(self) -> int:
        return sum(int(x["bits"]) for x in self.log)

    def mean(self, key: str) -> float:
        return sum(float(x[key]) for x in self.log) / len(self.log)


def encode(engine: Path, src: Path, out: Path, args: list[str]) -> Encoded:
    """Runs the engine on ``src`` with ``args`` (frames, QP, size, config ...) writing
    <out>.266 (with MD5 SEI), <out>_rec.yuv (the reconstruction) and <out>.jsonl (the log)."""
    stream = out.with_name(out.name + ".266")
    recon = out.with_name(out.name + "_rec.yuv")
    log = out.with_name(out.name + ".jsonl")
    cmd = [str(engine), "--input", str(src), "--bitstream", str(stream), "--recon", str(recon)]
    cmd += ["--log", str(log), "--md5-sei", *args]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert run.returncode == 0, f"engine failed ({run.returncode}): {run.stderr[-2000:]}"
    pictures = [json.loads(x) for x in log.read_text().splitlines() if x.strip()]
    return Encoded(stream, recon, pictures, run.stderr)


def size_args(width: int, height: int, bit_depth: int) -> list[str]:
    return ["--width", str(width), "--height", str(height), "--input-bit-depth", str(bit_depth)]


def decode(ffmpeg: str, stream: Path) -> np.ndarray:
    """FFmpeg's decode of ``stream`` as 10-bit 4:2:0 samples, all frames back to back."""
    dec = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(stream), "-f", "rawvideo", "-pix_fmt", "yuv420p10le"]
        + ["-"],
        capture_output=True,
        timeout=TIMEOUT_S,
    )
    assert dec.returncode == 0, f"FFmpeg could not decode {stream.name}: {dec.stderr[-2000:]!r}"
    return np.frombuffer(dec.stdout, dtype="<u2")


def planes(buf: np.ndarray, width: int, height: int, frames: int) -> list[Frame]:
    """The first ``frames`` pictures of a flat 4:2:0 sample array as (Y, Cb, Cr) views."""
    fs = frame_samples(width, height)
    return [frame_from_buffer(buf[f * fs : (f + 1) * fs], width, height, 10) for f in range(frames)]


def assert_decodes_to_recon(
    ffmpeg: str, stream: Path, recon: Path, width: int, height: int, frames: int, name: str = ""
) -> None:
    """FFmpeg's decode of ``stream`` equals the engine's ``recon`` sample for sample; on a
    mismatch the message names the first differing frame, plane, sample and CTU."""
    name = name or stream.stem
    got, want = decode(ffmpeg, stream), np.fromfile(recon, dtype="<u2")
    fs = frame_samples(width, height)
    assert want.size == fs * frames, f"{name}: recon has {want.size / fs} frames, want {frames}"
    assert got.size == want.size, f"{name}: FFmpeg decoded {got.size / fs} frames, want {frames}"
    names = ("Y", "Cb", "Cr")
    pairs = zip(
        planes(got, width, height, frames), planes(want, width, height, frames), strict=True
    )
    for f, (pg, pw) in enumerate(pairs):
        for c in range(3):
            diff = pg[c] != pw[c]
            if diff.any():
                ys, xs = np.nonzero(diff)
                i = int(np.argmin(ys * pg[c].shape[1] + xs))
                ctu = 128 if c == 0 else 64
                pytest.fail(
                    f"{name}: frame {f} plane {names[c]} differs first at "
                    f"x={xs[i]} y={ys[i]} (CTU {xs[i] // ctu},{ys[i] // ctu}): FFmpeg "
                    f"{pg[c][ys[i], xs[i]]} != engine {pw[c][ys[i], xs[i]]}; "
                    f"{int(diff.sum())} samples differ"
                )


def encode_and_compare(
    engine: Path,
    ffmpeg: str,
    tmp: Path,
    src: Path,
    case: Case,
    extra: list[str] | None = None,
) -> Encoded:
    """Encodes ``case`` (tmp/<name>.266, tmp/<name>_rec.yuv, tmp/<name>.jsonl) and checks
    that FFmpeg decodes it to the engine's reconstruction bit-exactly."""
    args = ["--frames", str(case.frames), "--qp", str(case.qp)]
    if src.suffix != ".y4m":
        args += size_args(case.width, case.height, case.bit_depth)
    if not case.deblock:
        args.append("--no-deblock")
    enc = encode(engine, src, tmp / case.name, args + (extra or []))
    assert_decodes_to_recon(
        ffmpeg, enc.stream, enc.recon, case.width, case.height, case.frames, case.name
    )
    return enc


def header_trace(ffmpeg: str, stream: Path) -> str:
    """FFmpeg's trace_headers output: every parameter-set / picture / slice header element."""
    run = subprocess.run(
        [ffmpeg, "-i", str(stream), "-c", "copy", "-bsf:v", "trace_headers"] + ["-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stderr


def header_values(trace: str, name: str) -> list[int]:
    """Every value of syntax element ``name`` in a header trace, in stream order."""
    return [int(v) for v in re.findall(rf"\b{re.escape(name)}\s+\S+\s*=\s*(-?\d+)", trace)]


def first_values(ffmpeg: str, stream: Path, names: tuple[str, ...]) -> dict[str, int]:
    """The first value of each syntax element in ``names`` (e.g. SPS flags); fails if absent."""
    trace = header_trace(ffmpeg, stream)
    out = {}
    for name in names:
        values = header_values(trace, name)
        assert values, f"{name} not in the header trace of {stream.name}"
        out[name] = values[0]
    return out


def decode_clip(
    ffmpeg: str,
    clip: Path,
    out: Path,
    frames: int,
    bit_depth: int = 10,
    crop: tuple[int, int, int, int] | None = None,
) -> Path:
    """Decodes the first ``frames`` of a real clip to raw 4:2:0 (``crop`` = w, h, x, y)."""
    cmd = [ffmpeg, "-v", "error", "-i", str(clip), "-frames:v", str(frames)]
    if crop:
        cmd += ["-vf", "crop={}:{}:{}:{}".format(*crop)]
    cmd += ["-pix_fmt", "yuv420p10le" if bit_depth == 10 else "yuv420p", "-f", "rawvideo"]
    dec = subprocess.run(cmd + [str(out)], capture_output=True, timeout=TIMEOUT_S)
    assert dec.returncode == 0, f"FFmpeg could not decode {clip.name}: {dec.stderr[-2000:]!r}"
    return out


def real_clip(data_dir: Path, name: str) -> Path:
    """A clip of ../shared/data, or a clean skip when this machine does not have it."""
    path = data_dir / name
    if not path.exists():
        pytest.skip(f"real clip {path} not present (set VTM_ACCEL_DATA or provide ../shared/data)")
    return path
