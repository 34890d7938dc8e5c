"""The one interface every encoder and decoder backend implements.

Encoders are described by a spec string on the command line (see ``codecs.registry``) and run
as external programs: single-threaded, pinned to one core, timed by ``vtm_accel.timing``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


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


@dataclass(frozen=True)
class EncodeJob:
    """One test point: a source, the frames to code, the QP and where outputs go."""

    video: VideoInfo
    frames: int
    qp: int
    intra_period: int
    out_dir: Path
    qp_fraction: float = 0.0  # finer rate steps where a backend allows it (rate matching)
    core: int | None = None  # CPU core to pin the encoder to; None: inherit the caller's affinity
    frame_skip: int = 0  # source frames to skip before the first coded frame


@dataclass
class RunStats:
    """What timing measured for one process tree."""

    cpu_s: float  # user + sys of the whole process tree
    wall_s: float
    max_rss: int  # bytes, peak resident set of the largest process
    returncode: int
    log_tail: str = ""


@dataclass
class EncodeResult:
    job: EncodeJob
    bitstream: Path
    recon: Path | None  # 10-bit LE reconstruction in output order, when the encoder writes one
    stats: RunStats
    qp_used: float
    intra_period: int
    encoder_id: str  # stable identity: backend, version, preset, binary hash
    log: Path | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class DecodeResult:
    bitstream: Path
    decoded: Path  # raw 4:2:0 at bit_depth: 1 byte/sample for 8-bit, else 16-bit LE
    frames: int
    width: int
    height: int
    bit_depth: int
    stats: RunStats


class Encoder(Protocol):
    name: str
    supports_qp_fraction: bool  # True when qp + qp_fraction is honoured (VTM: -q 27.5)

    def identity(self) -> str: ...

    def encode(self, job: EncodeJob, timeout_s: float | None = None) -> EncodeResult: ...


class Decoder(Protocol):
    name: str

    def identity(self) -> str: ...

    def decode(
        self,
        bitstream: Path,
        out: Path,
        timeout_s: float | None = None,
        core: int | None = None,
    ) -> DecodeResult: ...


class HarnessError(RuntimeError):
    """A user-facing error: the message says what was wrong and how to fix it."""
