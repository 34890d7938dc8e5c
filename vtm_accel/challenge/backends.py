"""The backends the pipeline uses, looked up through PY-CORE's modules.

``codecs.registry`` turns spec strings into Encoder/Decoder objects and ``sequences`` reads a
sequence list. Until those land (they are written in parallel), a small private stand-in covers
vvenc via FFmpeg and the FFmpeg decoder so the pipeline can run; it is used only when the
registry module is absent.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import imageio_ffmpeg

from vtm_accel.codecs.base import (
    Decoder,
    DecodeResult,
    EncodeJob,
    Encoder,
    EncodeResult,
    HarnessError,
    RunStats,
    VideoInfo,
)

if TYPE_CHECKING:
    from vtm_accel.challenge.run import SequenceSpec


def _registry() -> object | None:
    try:
        return importlib.import_module("vtm_accel.codecs.registry")
    except ModuleNotFoundError:
        return None


def make_encoder(spec: str) -> Encoder:
    reg = _registry()
    if reg is not None:
        for name in ("make_encoder", "encoder_from_spec", "parse_encoder"):
            fn = getattr(reg, name, None)
            if fn is not None:
                return fn(spec)
    return _standin_encoder(spec)


def make_decoder(spec: str) -> Decoder:
    reg = _registry()
    if reg is not None:
        for name in ("make_decoder", "decoder_from_spec", "parse_decoder"):
            fn = getattr(reg, name, None)
            if fn is not None:
                return fn(spec)
    return _standin_decoder(spec)


def decoder_identity(decoder: Decoder) -> str:
    ident = getattr(decoder, "identity", None)
    return str(ident()) if callable(ident) else str(getattr(decoder, "name", type(decoder)))


def supports_qp_fraction(encoder: Encoder) -> bool:
    return bool(getattr(encoder, "supports_qp_fraction", False))


# ---------------------------------------------------------------- private stand-in (FFmpeg) --


def _run(argv: list[str], log: Path, timeout_s: float | None) -> RunStats:
    t0 = time.perf_counter()
    with log.open("wb") as lf:
        proc = subprocess.Popen(argv, stdout=lf, stderr=subprocess.STDOUT)
        deadline = None if timeout_s is None else t0 + timeout_s
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
    rc = os.waitstatus_to_exitcode(status)
    proc.returncode = rc
    tail = log.read_text(errors="replace")[-2000:]
    return RunStats(
        ru.ru_utime + ru.ru_stime, time.perf_counter() - t0, ru.ru_maxrss * 1024, rc, tail
    )


@dataclass
class _FfmpegVvenc:
    preset: str
    name: str = "vvenc"

    def identity(self) -> str:
        return f"vvenc-ffmpeg:{Path(imageio_ffmpeg.get_ffmpeg_exe()).name}:preset={self.preset}"

    def encode(self, job: EncodeJob, timeout_s: float | None = None) -> EncodeResult:
        v = job.video
        job.out_dir.mkdir(parents=True, exist_ok=True)
        bs = job.out_dir / "out.266"
        log = job.out_dir / "encode.log"
        inp = ["-i", str(v.path)]
        if v.container != "y4m":
            pix = "yuv420p" if v.bit_depth == 8 else "yuv420p10le"
            inp = ["-f", "rawvideo", "-pix_fmt", pix, "-s", f"{v.width}x{v.height}"]
            inp += ["-r", str(v.fps), "-i", str(v.path)]
        argv = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-y", *inp]
        argv += ["-frames:v", str(job.frames), "-c:v", "libvvenc", "-preset", self.preset]
        argv += ["-qp", str(job.qp), "-threads", "1", "-pix_fmt", "yuv420p10le"]
        argv += ["-vvenc-params", f"intraperiod={job.intra_period}", "-f", "rawvideo", str(bs)]
        stats = _run(argv, log, timeout_s)
        if stats.returncode != 0 or not bs.exists():
            raise HarnessError(
                f"vvenc (FFmpeg) failed with exit {stats.returncode}:\n{stats.log_tail}"
            )
        return EncodeResult(
            job, bs, None, stats, float(job.qp), job.intra_period, self.identity(), log
        )


@dataclass
class _FfmpegDecoder:
    name: str = "ffmpeg"

    def identity(self) -> str:
        return f"ffmpeg-vvc:{Path(imageio_ffmpeg.get_ffmpeg_exe()).name}"

    def decode(self, bitstream: Path, out: Path, timeout_s: float | None = None) -> DecodeResult:
        log = out.with_suffix(".log")
        argv = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-y", "-threads", "1"]
        argv += ["-i", str(bitstream), "-f", "rawvideo", "-pix_fmt", "yuv420p10le", str(out)]
        stats = _run(argv, log, timeout_s)
        m = re.search(r"Video: vvc.*?, (\d+)x(\d+)", stats.log_tail)
        if stats.returncode != 0 or not out.exists() or m is None:
            raise HarnessError(f"FFmpeg failed to decode {bitstream}:\n{stats.log_tail}")
        w, h = int(m.group(1)), int(m.group(2))
        fb = (w * h + 2 * ((w + 1) // 2) * ((h + 1) // 2)) * 2
        return DecodeResult(bitstream, out, out.stat().st_size // fb, w, h, 10, stats)


def _standin_encoder(spec: str) -> Encoder:
    m = re.fullmatch(r"vvenc(?::(?:preset=)?(\w+))?", spec)
    if m is None:
        raise HarnessError(f"unknown encoder spec {spec!r} (stand-in knows vvenc:PRESET)")
    return _FfmpegVvenc(m.group(1) or "medium")


def _standin_decoder(spec: str) -> Decoder:
    if spec != "ffmpeg":
        raise HarnessError(f"unknown decoder spec {spec!r} (stand-in knows ffmpeg)")
    return _FfmpegDecoder()


# ------------------------------------------------------------------------- sequence lists --


def _to_spec(obj: object, default_frames: int | None) -> SequenceSpec:
    """Convert PY-CORE's Sequence entry (attribute names tolerated) into a SequenceSpec."""
    from vtm_accel.challenge.run import SequenceSpec, default_intra_period

    video = getattr(obj, "video", None) or getattr(obj, "info", None)
    if not isinstance(video, VideoInfo):
        raise HarnessError(f"sequence entry {obj!r} has no VideoInfo")
    name = str(getattr(obj, "name", None) or video.path.stem)
    frames = getattr(obj, "frames", None) or default_frames or video.num_frames
    ip = getattr(obj, "intra_period", None) or default_intra_period(video.fps)
    if not frames:
        raise HarnessError(f"sequence {name}: number of frames unknown; add frames=N")
    return SequenceSpec(name=name, video=video, frames=int(frames), intra_period=int(ip))


def load_sequence_list(path: Path, default_frames: int | None = None) -> list[SequenceSpec]:
    """Read a sequence list file with ``vtm_accel.sequences`` (stand-in format until it lands)."""
    if not path.is_file():
        raise HarnessError(f"sequence list not found: {path} (--sequences)")
    try:
        mod = importlib.import_module("vtm_accel.sequences")
    except ModuleNotFoundError:
        mod = None
    if mod is not None:
        for name in ("load_sequences", "read_sequences", "parse_sequence_list", "load"):
            fn = getattr(mod, name, None)
            if fn is not None:
                return [_to_spec(s, default_frames) for s in fn(path)]
    return _standin_sequences(path, default_frames)


def _standin_sequences(path: Path, default_frames: int | None) -> list[SequenceSpec]:
    """Lines ``FILE [name=N] [frames=N] [intra_period=N] [width=W height=H fps=F bit_depth=B]``;
    relative paths are relative to the list; ``#`` starts a comment."""
    from vtm_accel.challenge.run import SequenceSpec, default_intra_period
    from vtm_accel.io import probe_video

    out: list[SequenceSpec] = []
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        file, *opts = line.split()
        kv: dict[str, str] = {}
        for o in opts:
            if "=" not in o:
                raise HarnessError(f"{path}:{lineno}: expected key=value, got {o!r}")
            k, v = o.split("=", 1)
            kv[k.replace("-", "_")] = v
        p = Path(file)
        p = p if p.is_absolute() else path.parent / p
        try:
            video = probe_video(
                p,
                width=int(kv["width"]) if "width" in kv else None,
                height=int(kv["height"]) if "height" in kv else None,
                fps=float(kv["fps"]) if "fps" in kv else None,
                bit_depth=int(kv["bit_depth"]) if "bit_depth" in kv else None,
            )
        except HarnessError as e:
            raise HarnessError(f"{path}:{lineno}: {e}") from e
        frames = int(kv.get("frames", 0)) or default_frames or video.num_frames or 0
        out.append(
            SequenceSpec(
                name=kv.get("name", p.stem),
                video=video,
                frames=frames,
                intra_period=int(kv.get("intra_period", 0)) or default_intra_period(video.fps),
            )
        )
    return out
