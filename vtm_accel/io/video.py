"""Read and write 4:2:0 video files: raw ``.yuv`` and ``.y4m``.

Raw ``.yuv`` has no header: its geometry comes from flags or from the file name (see
``naming``). ``.y4m`` carries ``W``, ``H``, ``F`` (rate), ``C`` (colour space: ``420``,
``420jpeg``, ``420mpeg2``, ``420paldv`` = 8-bit, ``420p9``..``420p16`` = 16-bit LE samples) in its
header; each frame is ``FRAME[ params]\\n`` followed by the planes.

Public functions:
- ``parse_y4m_header(path) -> Y4mHeader``
- ``probe_video(path, width=None, height=None, fps=None, bit_depth=None) -> VideoInfo``
  (flags override the header / file name; ``num_frames`` is filled in)
- ``count_frames(info) -> int`` (HarnessError when the size is not a whole number of frames)
- ``iter_frames(info, start=0, count=None) -> Iterator[Frame]``
- ``read_frame(info, index) -> Frame``
- ``read_frames(info, start=0, count=None) -> list[Frame]``
- ``write_yuv(path, frames, bit_depth, append=False) -> int`` (frames written)
- ``write_y4m(path, frames, width, height, fps, bit_depth) -> int``
- ``class YuvWriter(path, bit_depth)``: context manager with ``.write(frame)``
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from vtm_accel.core import HarnessError, VideoInfo
from vtm_accel.io.frames import Frame, frame_bytes, frame_from_buffer, frame_to_bytes, sample_dtype
from vtm_accel.io.naming import parse_video_name

_Y4M_MAGIC = b"YUV4MPEG2"
_Y4M_8BIT = {"420", "420jpeg", "420mpeg2", "420paldv"}


@dataclass(frozen=True)
class Y4mHeader:
    width: int
    height: int
    fps: float
    bit_depth: int
    header_len: int  # bytes of the stream header including its newline
    frame_header_len: int  # bytes of the first "FRAME...\n" line (0 when the file has no frame)
    colorspace: str


def _fps_text(fps: float) -> str:
    f = Fraction(fps).limit_denominator(1001)
    return f"{f.numerator}:{f.denominator}"


def parse_y4m_header(path: Path) -> Y4mHeader:
    """Parse a ``.y4m`` stream header; only 4:2:0 is accepted."""
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(4096)
    nl = head.find(b"\n")
    if not head.startswith(_Y4M_MAGIC) or nl < 0:
        raise HarnessError(f"{path}: not a YUV4MPEG2 file (no 'YUV4MPEG2 ...' header line)")
    width = height = 0
    fps = 25.0
    cs = "420jpeg"

    def number(tok: str) -> int:
        if not tok.isdigit():
            raise ValueError(tok)
        return int(tok)

    for tok in head[:nl].decode("ascii", "replace").split()[1:]:
        key, val = tok[0], tok[1:]
        try:
            if key == "W":
                width = number(val)
            elif key == "H":
                height = number(val)
            elif key == "F":
                num, colon, den = val.partition(":")
                n = number(num)
                d = number(den) if colon else 1
                if n <= 0 or d <= 0:
                    raise ValueError(val)
                fps = n / d
            elif key == "C":
                cs = val
        except ValueError:
            what = {"W": "a width", "H": "a height", "F": "a frame rate N:D (N, D > 0)"}[key]
            raise HarnessError(
                f"{path}: y4m header field {tok!r} is not {what}; fix the header "
                f"(e.g. W1920 H1080 F50:1)"
            ) from None
    if width <= 0 or height <= 0:
        raise HarnessError(f"{path}: y4m header lacks W/H")
    if cs in _Y4M_8BIT:
        bit_depth = 8
    elif cs.startswith("420p") and cs[4:].isdigit():
        bit_depth = int(cs[4:])
    else:
        raise HarnessError(
            f"{path}: y4m colour space C{cs} is not supported (4:2:0 only: C420, C420jpeg, "
            f"C420p10, ...); convert it, e.g. ffmpeg -i IN -pix_fmt yuv420p10le OUT.y4m"
        )
    frame_header_len = 0
    rest = head[nl + 1 :]
    fnl = rest.find(b"\n")
    if rest.startswith(b"FRAME") and fnl >= 0:
        frame_header_len = fnl + 1
    return Y4mHeader(width, height, fps, bit_depth, nl + 1, frame_header_len, cs)


def probe_video(
    path: str | Path,
    width: int | None = None,
    height: int | None = None,
    fps: float | None = None,
    bit_depth: int | None = None,
) -> VideoInfo:
    """Describe a ``.yuv``/``.y4m`` file. Explicit arguments override the header and the name.

    For raw files, missing values come from the name (``parse_video_name``); bit depth defaults
    to 8. A raw file without a size anywhere is an error that says which flags to pass.
    """
    path = Path(path)
    if path.is_dir():
        raise HarnessError(f"input {path} is a directory; give a .yuv or .y4m file")
    if not path.is_file():
        raise HarnessError(f"input video not found: {path}")
    if fps is not None and not (math.isfinite(fps) and fps > 0):
        raise HarnessError(f"{path}: frame rate {fps} is not a positive number")
    if path.suffix.lower() == ".y4m" or _is_y4m(path):
        hdr = parse_y4m_header(path)
        for given, have, what in ((width, hdr.width, "width"), (height, hdr.height, "height")):
            if given is not None and given != have:
                raise HarnessError(f"{path}: --{what} {given} contradicts the y4m header ({have})")
        info = VideoInfo(
            path=path,
            width=hdr.width,
            height=hdr.height,
            fps=float(fps) if fps else hdr.fps,
            bit_depth=hdr.bit_depth,
            container="y4m",
        )
    else:
        named = parse_video_name(path.name)
        w = width or named.width
        h = height or named.height
        if not w or not h:
            raise HarnessError(
                f"{path}: cannot tell the frame size of a raw .yuv file; pass --width and "
                f"--height or name it like Name_1920x1080_50_10bit.yuv"
            )
        info = VideoInfo(
            path=path,
            width=int(w),
            height=int(h),
            fps=float(fps or named.fps or 30.0),
            bit_depth=int(bit_depth or named.bit_depth or 8),
            container="yuv",
        )
    if bit_depth is not None and info.container == "y4m" and bit_depth != info.bit_depth:
        raise HarnessError(
            f"{path}: bit depth {bit_depth} contradicts the y4m header ({info.bit_depth})"
        )
    sample_dtype(info.bit_depth)  # validates
    return VideoInfo(**{**info.__dict__, "num_frames": count_frames(info)})


def _is_y4m(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(_Y4M_MAGIC)) == _Y4M_MAGIC


def count_frames(info: VideoInfo) -> int:
    """Frames in the file, from its size. Raises HarnessError for a partial last frame."""
    size = os.path.getsize(info.path)
    fb = frame_bytes(info.width, info.height, info.bit_depth)
    if info.container == "y4m":
        hdr = parse_y4m_header(info.path)
        if hdr.frame_header_len == 0:
            return 0
        per = fb + hdr.frame_header_len
        n, rem = divmod(size - hdr.header_len, per)
        if rem == 0:
            return n
        return sum(1 for _ in _y4m_offsets(info.path, hdr, fb))  # variable frame headers
    n, rem = divmod(size, fb)
    if rem:
        raise HarnessError(
            f"{info.path}: {size} bytes is not a whole number of {info.width}x{info.height} "
            f"{info.bit_depth}-bit 4:2:0 frames ({fb} bytes each; {n} frames + {rem} bytes). "
            f"Check --width/--height/--bit-depth."
        )
    return n


def _y4m_offsets(path: Path, hdr: Y4mHeader, fb: int) -> Iterator[int]:
    """Data offsets of every frame, reading each frame header (for irregular files)."""
    size = os.path.getsize(path)
    pos = hdr.header_len
    with path.open("rb") as fh:
        while pos < size:
            fh.seek(pos)
            line = fh.readline(256)
            if not line.startswith(b"FRAME") or not line.endswith(b"\n"):
                raise HarnessError(f"{path}: corrupt y4m frame header at byte {pos}")
            data = pos + len(line)
            if data + fb > size:
                raise HarnessError(f"{path}: truncated last frame at byte {pos}")
            yield data
            pos = data + fb


def iter_frames(info: VideoInfo, start: int = 0, count: int | None = None) -> Iterator[Frame]:
    """Yield frames ``start .. start+count-1`` (all remaining when count is None)."""
    fb = frame_bytes(info.width, info.height, info.bit_depth)
    dt = sample_dtype(info.bit_depth)
    total = info.num_frames if info.num_frames is not None else count_frames(info)
    if start < 0 or start > total:
        raise HarnessError(f"{info.path}: frame {start} out of range (file has {total})")
    end = total if count is None else start + count
    if end > total:
        raise HarnessError(
            f"{info.path}: asked for frames {start}..{end - 1} but the file has {total}"
        )
    n_samples = fb // dt.itemsize
    if info.container == "y4m":
        hdr = parse_y4m_header(info.path)
        per = fb + hdr.frame_header_len
        regular = (os.path.getsize(info.path) - hdr.header_len) % per == 0
        offsets: Iterable[int]
        if regular:
            offsets = (hdr.header_len + i * per + hdr.frame_header_len for i in range(start, end))
        else:
            all_offsets = enumerate(_y4m_offsets(info.path, hdr, fb))
            offsets = (o for i, o in all_offsets if start <= i < end)
    else:
        offsets = (i * fb for i in range(start, end))
    with info.path.open("rb") as fh:
        for off in offsets:
            fh.seek(off)
            flat = np.fromfile(fh, dtype=dt, count=n_samples)
            if flat.size != n_samples:
                raise HarnessError(f"{info.path}: truncated frame at byte {off}")
            yield frame_from_buffer(flat, info.width, info.height, info.bit_depth)


def read_frame(info: VideoInfo, index: int) -> Frame:
    return next(iter_frames(info, index, 1))


def read_frames(info: VideoInfo, start: int = 0, count: int | None = None) -> list[Frame]:
    return list(iter_frames(info, start, count))


class YuvWriter:
    """Append frames to a raw 4:2:0 file (8-bit bytes or 16-bit LE)."""

    def __init__(self, path: str | Path, bit_depth: int, append: bool = False) -> None:
        self.path = Path(path)
        self.bit_depth = bit_depth
        sample_dtype(bit_depth)
        self._fh = self.path.open("ab" if append else "wb")
        self.frames = 0

    def write(self, frame: Frame) -> None:
        self._fh.write(frame_to_bytes(frame, self.bit_depth))
        self.frames += 1

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> YuvWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_yuv(
    path: str | Path, frames: Iterable[Frame], bit_depth: int, append: bool = False
) -> int:
    with YuvWriter(path, bit_depth, append) as w:
        for f in frames:
            w.write(f)
        return w.frames


def write_y4m(
    path: str | Path,
    frames: Iterable[Frame],
    width: int,
    height: int,
    fps: float,
    bit_depth: int,
) -> int:
    """Write a 4:2:0 ``.y4m`` (C420jpeg for 8-bit, C420p<B> otherwise)."""
    cs = "420jpeg" if bit_depth == 8 else f"420p{bit_depth}"
    n = 0
    with Path(path).open("wb") as fh:
        fh.write(f"YUV4MPEG2 W{width} H{height} F{_fps_text(fps)} Ip A1:1 C{cs}\n".encode())
        for f in frames:
            if f.y.shape != (height, width):
                raise HarnessError(f"frame is {f.y.shape[1]}x{f.y.shape[0]}, not {width}x{height}")
            fh.write(b"FRAME\n")
            fh.write(frame_to_bytes(f, bit_depth))
            n += 1
    return n
