"""Read width, height, frame rate and bit depth from JVET-style file names.

Recognised (case-insensitive, tokens separated by ``_`` or ``-``):
- size: ``1920x1080``; or a named size token ``qcif``/``cif``/``4cif``/``720p``/``1080p``/``2160p``
  when no ``WxH`` token is present;
- frame rate: the token right after the size when it is a number (``_50``, ``_59.94``, ``_60fps``,
  ``_50hz``), or any ``<N>fps`` / ``<N>hz`` token;
- bit depth: ``10bit``, ``10b``, ``10-bit`` (``_10_bit``), or a pixel format token
  ``yuv420p10le`` / ``420p10``; absent means unknown (``None``; the caller defaults to 8).

Examples: ``BasketballDrive_1920x1080_50.yuv`` -> 1920x1080, 50 fps;
``foo_416x240_60_10bit.yuv`` -> 416x240, 60 fps, 10-bit;
``RitualDance_1920x1080_60fps_10bit_420.yuv`` -> 1920x1080, 60 fps, 10-bit.

Public functions: ``parse_video_name(name) -> NameInfo``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_SIZE = re.compile(r"^(\d{1,5})x(\d{1,5})$", re.IGNORECASE)
_FPS = re.compile(r"^(\d+(?:\.\d+)?)(fps|hz)?$", re.IGNORECASE)
_FPS_TAGGED = re.compile(r"^(\d+(?:\.\d+)?)(fps|hz)$", re.IGNORECASE)
_BITS = re.compile(r"^(\d{1,2})(?:bits?|b)$", re.IGNORECASE)
_PIXFMT = re.compile(r"^(?:yuv)?420p(\d{1,2})(?:le)?$", re.IGNORECASE)
_NAMED_SIZES = {
    "qcif": (176, 144),
    "cif": (352, 288),
    "4cif": (704, 576),
    "720p": (1280, 720),
    "1080p": (1920, 1080),
    "2160p": (3840, 2160),
}


@dataclass(frozen=True)
class NameInfo:
    """What a file name says; ``None`` where it says nothing."""

    width: int | None = None
    height: int | None = None
    fps: float | None = None
    bit_depth: int | None = None


def parse_video_name(name: str | Path) -> NameInfo:
    """Parse a JVET-style name (directory and extension are ignored)."""
    stem = Path(name).name
    for ext in (".yuv", ".y4m", ".266", ".vvc", ".bin", ".bit", ".raw"):
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
            break
    tokens = [t for t in re.split(r"[_\- ]+", stem) if t]
    width = height = None
    fps: float | None = None
    bit_depth: int | None = None
    size_index = -1
    for i, tok in enumerate(tokens):
        m = _SIZE.match(tok)
        if m and width is None:
            width, height = int(m.group(1)), int(m.group(2))
            size_index = i
    if width is None:
        for i, tok in enumerate(tokens):
            if tok.lower() in _NAMED_SIZES:
                width, height = _NAMED_SIZES[tok.lower()]
                size_index = i
                break
    if 0 <= size_index < len(tokens) - 1:
        nxt = tokens[size_index + 1]
        m = _FPS.match(nxt)
        # "_10bit" right after the size is a bit depth, not a rate; _BITS is checked below.
        if m and not _BITS.match(nxt):
            fps = float(m.group(1))
    for i, tok in enumerate(tokens):
        if fps is None:
            m = _FPS_TAGGED.match(tok)
            if m:
                fps = float(m.group(1))
        if bit_depth is None:
            m = _BITS.match(tok) or _PIXFMT.match(tok)
            if m:
                bit_depth = int(m.group(1))
            elif tok.isdigit() and i + 1 < len(tokens) and tokens[i + 1].lower() == "bit":
                bit_depth = int(tok)
    if bit_depth is not None and not 8 <= bit_depth <= 16:
        bit_depth = None
    return NameInfo(width=width, height=height, fps=fps, bit_depth=bit_depth)
