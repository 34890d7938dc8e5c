"""The backends the pipeline uses: PY-CORE's registry and sequence lists, seen from here.

Kept as one small seam so the pipeline and its tests have one place to swap a backend
(tests monkeypatch ``make_decoder`` to inject a failing decoder).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vtm_accel.codecs import registry
from vtm_accel.codecs.base import Decoder, Encoder, check_codable
from vtm_accel.core import HarnessError, VideoInfo

if TYPE_CHECKING:
    from vtm_accel.challenge.run import SequenceSpec


def make_encoder(spec: str) -> Encoder:
    return registry.make_encoder(spec)


def make_decoder(spec: str) -> Decoder:
    return registry.make_decoder(spec)


def decoder_identity(decoder: Decoder) -> str:
    ident = getattr(decoder, "identity", None)
    return str(ident()) if callable(ident) else str(getattr(decoder, "name", type(decoder)))


def check_input(encoder: Encoder, video: VideoInfo, frames: int, intra_period: int) -> None:
    """HarnessError when ``encoder`` cannot code this source: the limits of VVC itself, then
    the backend's own (``check_input``, where it has one)."""
    check_codable(video, intra_period)
    own = getattr(encoder, "check_input", None)
    if callable(own):
        own(video, frames, intra_period)


def supports_qp_fraction(encoder: Encoder) -> bool:
    return bool(getattr(encoder, "supports_qp_fraction", False))


def load_sequence_list(path: Path, max_frames: int | None = None) -> list[SequenceSpec]:
    """Read a sequence list (format: ``vtm_accel.sequences``); ``max_frames`` caps the frames
    coded per sequence (quick runs)."""
    from vtm_accel.challenge.run import SequenceSpec
    from vtm_accel.sequences import load_sequence_list as load

    if not path.is_file():
        raise HarnessError(f"sequence list not found: {path} (--sequences)")
    out = []
    for s in load(path):
        frames = min(s.frames, max_frames) if max_frames else s.frames
        out.append(SequenceSpec(s.name, s.video, frames, s.intra_period, s.frame_skip))
    return out


def resolve_sequences(
    spec: str, ctc_dir: Path | None = None, max_frames: int | None = None
) -> list[SequenceSpec]:
    """``--sequences``: a list file, or ``ctc:CLASS[,CLASS]`` with the files in ``ctc_dir``
    (``vtm_accel.ctc``); ``max_frames`` caps the frames coded per sequence either way."""
    from vtm_accel import ctc

    if ctc.is_ctc_spec(spec):
        return ctc.ctc_sequences(spec, ctc_dir, max_frames)
    if ctc_dir is not None:
        raise HarnessError(
            f"--ctc-dir goes with --sequences ctc:CLASS (e.g. ctc:B), not with a list file ({spec})"
        )
    return load_sequence_list(Path(spec), max_frames)
