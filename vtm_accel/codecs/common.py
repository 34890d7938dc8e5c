"""Helpers shared by the encoder/decoder backends.

Public functions:
- ``output_stem(job) -> str``: ``<source stem>_qp<Q>`` (``_qp27.5`` with a QP fraction)
- ``output_paths(job) -> OutputPaths``: bitstream ``.266``, recon ``_recon.yuv``, log ``.log``,
  jsonl ``.jsonl`` inside ``job.out_dir`` (created)
- ``ffmpeg_exe(path=None) -> str``: the given FFmpeg, else imageio-ffmpeg's binary
- ``ffmpeg_version(exe) -> str``: e.g. ``n9.0.2-17-g2a571b6068-20260930``
- ``file_digest(path, n=12) -> str``: short sha256 of a binary (for encoder identities)
- ``fps_fraction(fps) -> str``: ``50`` or ``30000/1001``
- ``probe_bitstream(path, ffmpeg=None) -> StreamInfo``: size/pix_fmt/bit depth of a VVC
  bitstream, from FFmpeg's stream line (not timed)
- ``resolve_binary(path_or_name, what) -> Path``: an executable, or HarnessError naming ``what``
- ``decoded_video(result, fps) -> VideoInfo``: a DecodeResult as a readable video
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from vtm_accel.codecs.base import DecodeResult, EncodeJob
from vtm_accel.core import HarnessError, RunStats, VideoInfo
from vtm_accel.io.frames import frame_bytes

_PIX_FMTS = {"yuv420p": 8, "yuv420p10le": 10, "yuv420p12le": 12, "yuvj420p": 8}


@dataclass(frozen=True)
class OutputPaths:
    bitstream: Path
    recon: Path
    log: Path
    jsonl: Path


@dataclass(frozen=True)
class StreamInfo:
    width: int
    height: int
    pix_fmt: str
    bit_depth: int


def output_stem(job: EncodeJob) -> str:
    qp = job.qp + job.qp_fraction
    q = f"{qp:g}" if job.qp_fraction else str(job.qp)
    return f"{job.video.path.stem}_qp{q}"


def output_paths(job: EncodeJob) -> OutputPaths:
    out = Path(job.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = output_stem(job)
    return OutputPaths(
        bitstream=out / f"{stem}.266",
        recon=out / f"{stem}_recon.yuv",
        log=out / f"{stem}.log",
        jsonl=out / f"{stem}.jsonl",
    )


def ffmpeg_exe(path: str | os.PathLike[str] | None = None) -> str:
    if path is not None:
        return str(resolve_binary(path, "FFmpeg (the ffmpeg=PATH option)"))
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def ffmpeg_version(exe: str) -> str:
    try:
        out = subprocess.run(
            [exe, "-hide_banner", "-version"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as e:
        raise HarnessError(f"cannot run FFmpeg at {exe}: {e}") from e
    m = re.search(r"ffmpeg version (\S+)", out)
    return m.group(1) if m else "unknown"


def file_digest(path: str | os.PathLike[str], n: int = 12) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:n]


def fps_fraction(fps: float) -> str:
    f = Fraction(fps).limit_denominator(1001)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def resolve_binary(path_or_name: str | os.PathLike[str], what: str) -> Path:
    """An executable file from a path or a name on PATH; HarnessError that names ``what``."""
    p = Path(path_or_name)
    if p.is_file():
        if not os.access(p, os.X_OK):
            raise HarnessError(f"{what}: {p} is not executable (chmod +x it)")
        return p.resolve()
    found = shutil.which(str(path_or_name))
    if found:
        return Path(found)
    raise HarnessError(f"{what}: program not found: {path_or_name}")


def probe_bitstream(path: str | os.PathLike[str], ffmpeg: str | None = None) -> StreamInfo:
    """Width, height and bit depth of the first video stream of a VVC bitstream."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise HarnessError(f"bitstream missing or empty: {path}")
    exe = ffmpeg or ffmpeg_exe()
    argv = [exe, "-hide_banner", "-nostdin"]
    if path.suffix.lower() in (".266", ".vvc", ".bit", ".bin"):
        argv += ["-f", "vvc"]
    argv += ["-i", str(path)]
    try:
        err = subprocess.run(argv, capture_output=True, text=True, timeout=60).stderr
    except subprocess.TimeoutExpired as e:
        raise HarnessError(f"FFmpeg could not probe {path} within 60 s") from e
    m = re.search(r"Video: vvc[^\n]*?, (\w+)(?:\([^)]*\))?, (\d+)x(\d+)", err)
    if not m:
        tail = "\n".join(err.strip().splitlines()[-5:])
        raise HarnessError(f"{path}: FFmpeg finds no VVC video stream in it:\n{tail}")
    pix_fmt = m.group(1)
    if pix_fmt not in _PIX_FMTS:
        raise HarnessError(
            f"{path}: pixel format {pix_fmt} is not supported (4:2:0 8/10/12-bit only)"
        )
    return StreamInfo(int(m.group(2)), int(m.group(3)), pix_fmt, _PIX_FMTS[pix_fmt])


def decoded_video(result: DecodeResult, fps: float) -> VideoInfo:
    """The VideoInfo of a decoder's raw output (for ``metrics.video_psnr``)."""
    return VideoInfo(
        path=Path(result.decoded),
        width=result.width,
        height=result.height,
        fps=fps,
        bit_depth=result.bit_depth,
        container="yuv",
        num_frames=result.frames,
    )


def decode_result(
    bitstream: Path, out: Path, width: int, height: int, bit_depth: int, stats: RunStats, who: str
) -> DecodeResult:
    """The DecodeResult of a decoder that wrote raw frames to ``out``; HarnessError when the
    file is empty or not a whole number of frames (``who`` names the decoder in the message)."""
    size = out.stat().st_size if out.exists() else 0
    frames, rem = divmod(size, frame_bytes(width, height, bit_depth))
    if rem or frames == 0:
        log = out.with_name(out.name + ".log")
        raise HarnessError(
            f"{who} wrote {size} bytes for {bitstream}, not a whole number of "
            f"{width}x{height} {bit_depth}-bit frames (log: {log})"
        )
    return DecodeResult(bitstream, out, frames, width, height, bit_depth, stats)
