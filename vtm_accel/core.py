"""The harness's base types, below every package (io, timing, codecs, metrics, ...), so that
none of those has to import another for them:

- ``HarnessError``: a user-facing error, its message says what was wrong and how to fix it;
- ``VideoInfo``: a raw 4:2:0 source and how to read it;
- ``RunStats``: what timing measured for one process tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class HarnessError(RuntimeError):
    """A user-facing error: the message says what was wrong and how to fix it."""


@dataclass(frozen=True)
class VideoInfo:
    """A raw 4:2:0 source: where it is and how to read it."""

    path: Path
    width: int
    height: int
    fps: float
    bit_depth: int  # 8 or 10 (10 = 16-bit little-endian samples)
    container: str = "yuv"  # "yuv" or "y4m"
    num_frames: int | None = None  # frames in the file, when known


@dataclass
class RunStats:
    """What timing measured for one process tree."""

    cpu_s: float  # user + sys of the whole process tree
    wall_s: float
    max_rss: int  # bytes, peak resident set of the largest process
    returncode: int
    log_tail: str = ""
