"""FFmpeg's native VVC decoder (the default decoder of the harness).

``ffmpeg -threads 1 -c:v vvc -f vvc -i BITS -pix_fmt <coded> -f rawvideo OUT``: the native
decoder is forced (``-c:v vvc``), single-threaded for fair timing, output at the coded bit depth
(``yuv420p10le`` for 10-bit streams, ``yuv420p`` for 8-bit ones: 1 byte/sample), cropped to the
conformance window. The geometry comes from an untimed probe of the stream; the frame count from
the output size.

Public API: ``class FfmpegDecoder(ffmpeg=None)`` with ``name``, ``identity()`` and
``decode(bitstream, out, timeout_s=None, core=None) -> DecodeResult``.
"""

from __future__ import annotations

from pathlib import Path

from vtm_accel.codecs.base import DecodeResult
from vtm_accel.codecs.common import decode_result, ffmpeg_exe, ffmpeg_version, probe_bitstream
from vtm_accel.timing import run_timed


class FfmpegDecoder:
    name = "ffmpeg"

    def __init__(self, ffmpeg: str | None = None) -> None:
        self.exe = ffmpeg_exe(ffmpeg)
        self._version: str | None = None

    def identity(self) -> str:
        if self._version is None:
            self._version = ffmpeg_version(self.exe)
        return f"ffmpeg-vvc:{self._version}"

    def argv(self, bitstream: Path, out: Path, pix_fmt: str) -> list[str]:
        argv = [self.exe, "-hide_banner", "-nostdin", "-y", "-threads", "1", "-c:v", "vvc"]
        if bitstream.suffix.lower() in (".266", ".vvc", ".bit", ".bin"):
            argv += ["-f", "vvc"]
        argv += ["-i", str(bitstream), "-pix_fmt", pix_fmt, "-f", "rawvideo", str(out)]
        return argv

    def decode(
        self,
        bitstream: Path,
        out: Path,
        timeout_s: float | None = None,
        core: int | None = None,
    ) -> DecodeResult:
        bitstream, out = Path(bitstream), Path(out)
        info = probe_bitstream(bitstream, self.exe)
        out.parent.mkdir(parents=True, exist_ok=True)
        log = out.with_name(out.name + ".log")
        stats = run_timed(
            self.argv(bitstream, out, info.pix_fmt), log, core=core, timeout_s=timeout_s
        )
        return decode_result(
            bitstream, out, info.width, info.height, info.bit_depth, stats, "FFmpeg"
        )
