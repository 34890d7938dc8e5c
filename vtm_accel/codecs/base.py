"""The one interface every encoder and decoder backend implements.

Encoders are described by a spec string on the command line (see ``codecs.registry``) and run
as external programs: single-threaded, pinned to one core, timed by ``vtm_accel.timing``.
``HarnessError``, ``VideoInfo`` and ``RunStats`` come from ``vtm_accel.core``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from vtm_accel.core import HarnessError, RunStats, VideoInfo


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

    # Optional: ``check_input(video, frames, intra_period) -> None`` raises HarnessError for a
    # source or coding structure the backend cannot code (see ``check_codable``).

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


# The largest picture VVC allows (level 6.2: MaxLumaPs 35651584, sqrt(8 * MaxLumaPs) a side).
MAX_LUMA_PS = 35_651_584
MAX_SIDE = 16_888


def check_codable(video: VideoInfo, intra_period: int) -> None:
    """What no VVC encoder can code, checked before any encode starts: a picture larger than
    level 6.2 allows, an odd size (4:2:0 VVC crops in units of two luma samples) or an intra
    period that is neither positive nor -1/0 (only the first picture)."""
    w, h = video.width, video.height
    if w > MAX_SIDE or h > MAX_SIDE or w * h > MAX_LUMA_PS:
        raise HarnessError(
            f"{video.path}: {w}x{h} is larger than any VVC level allows (at most {MAX_SIDE} "
            f"samples a side and {MAX_LUMA_PS} in all); check the size flags or y4m header"
        )
    if w % 2 or h % 2:
        raise HarnessError(
            f"{video.path}: {w}x{h} has an odd side, which 4:2:0 VVC cannot code; crop it to "
            f"{w - w % 2}x{h - h % 2} first"
        )
    if intra_period < -1:
        raise HarnessError(
            f"intra period {intra_period}: use a positive period, or -1 (or 0) for an intra "
            f"picture at the start only"
        )
