"""Planar 4:2:0 frames as numpy arrays, and the raw ``.yuv`` file layout.

Sample layout (the convention of every raw file the harness reads or writes):
- bit depth 8: one byte per sample (uint8);
- bit depth 9..16: two bytes per sample, little-endian (uint16), values in 0..2^B-1.
Planes are stored Y, then Cb, then Cr, per frame; chroma is ceil(W/2) x ceil(H/2) so odd
sizes work.

Public functions:
- ``chroma_size(width, height) -> (cw, ch)``
- ``plane_shapes(width, height) -> ((h, w), (ch, cw), (ch, cw))``
- ``sample_dtype(bit_depth) -> np.dtype``
- ``frame_bytes(width, height, bit_depth) -> int``
- ``frame_from_buffer(buf, width, height, bit_depth) -> Frame``
- ``frame_to_bytes(frame, bit_depth) -> bytes``
- ``convert_bit_depth(frame, from_depth, to_depth) -> Frame`` (left shift up, rounded shift down)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from vtm_accel.core import HarnessError


class Frame(NamedTuple):
    """One 4:2:0 picture: three 2-D arrays (rows, columns), uint8 or uint16."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray


def chroma_size(width: int, height: int) -> tuple[int, int]:
    """Chroma plane (width, height) for 4:2:0: ceil(W/2) x ceil(H/2)."""
    return (width + 1) // 2, (height + 1) // 2


def plane_shapes(width: int, height: int) -> tuple[tuple[int, int], ...]:
    """numpy shapes (rows, cols) of the Y, Cb and Cr planes."""
    cw, ch = chroma_size(width, height)
    return (height, width), (ch, cw), (ch, cw)


def sample_dtype(bit_depth: int) -> np.dtype:
    """uint8 for 8-bit, little-endian uint16 for 9..16-bit."""
    if bit_depth == 8:
        return np.dtype(np.uint8)
    if 8 < bit_depth <= 16:
        return np.dtype("<u2")
    raise HarnessError(f"unsupported bit depth {bit_depth}: use 8..16")


def frame_samples(width: int, height: int) -> int:
    cw, ch = chroma_size(width, height)
    return width * height + 2 * cw * ch


def frame_bytes(width: int, height: int, bit_depth: int) -> int:
    """Bytes of one raw 4:2:0 frame."""
    if width <= 0 or height <= 0:
        raise HarnessError(f"invalid frame size {width}x{height}")
    return frame_samples(width, height) * sample_dtype(bit_depth).itemsize


def frame_from_buffer(buf: bytes | np.ndarray, width: int, height: int, bit_depth: int) -> Frame:
    """Split one frame's raw bytes (or a flat sample array) into Y/Cb/Cr views (no copy)."""
    dt = sample_dtype(bit_depth)
    flat = buf if isinstance(buf, np.ndarray) else np.frombuffer(buf, dtype=dt)
    if flat.size != frame_samples(width, height):
        raise HarnessError(
            f"short frame: got {flat.size} samples, expected {frame_samples(width, height)} "
            f"for {width}x{height} 4:2:0"
        )
    (h, w), (ch, cw), _ = plane_shapes(width, height)
    y = flat[: w * h].reshape(h, w)
    u = flat[w * h : w * h + cw * ch].reshape(ch, cw)
    v = flat[w * h + cw * ch :].reshape(ch, cw)
    return Frame(y, u, v)


def frame_to_bytes(frame: Frame, bit_depth: int) -> bytes:
    """Raw bytes of one frame in the file layout (8-bit bytes or 16-bit LE)."""
    dt = sample_dtype(bit_depth)
    return b"".join(np.ascontiguousarray(p, dtype=dt).tobytes() for p in frame)


def convert_bit_depth(frame: Frame, from_depth: int, to_depth: int) -> Frame:
    """Scale samples between bit depths.

    Up: left shift (x << d), the convention VTM and FFmpeg use to code 8-bit sources at 10 bits.
    Down: rounded right shift, clipped to the target range.
    """
    if from_depth == to_depth:
        return frame
    dt = sample_dtype(to_depth)
    if to_depth > from_depth:
        s = to_depth - from_depth
        return Frame(*(np.left_shift(p.astype(dt), s) for p in frame))
    s = from_depth - to_depth
    top = (1 << to_depth) - 1
    return Frame(
        *(np.minimum((p.astype(np.uint32) + (1 << (s - 1))) >> s, top).astype(dt) for p in frame)
    )
