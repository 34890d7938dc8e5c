"""VVenC (Fraunhofer's VTM-derived encoder) through FFmpeg's ``libvvenc`` wrapper.

Command (argv, no shell)::

    ffmpeg -hide_banner -nostdin -y
      [-f rawvideo -pix_fmt yuv420p|yuv420p10le -s WxH -r FPS | -f yuv4mpegpipe] -i SOURCE
      [-vf trim=start_frame=K,setpts=PTS-STARTPTS] -frames:v N
      -c:v libvvenc -preset P -qp Q -qpa 0 -threads 1
      (-g 1 | -vvenc-params IntraPeriod=N[:key=value...]) -pix_fmt yuv420p10le -f vvc OUT.266

- 10-bit coding (``yuv420p10le``): FFmpeg scales an 8-bit source by left shift (x << 2), the
  same convention as ``metrics.psnr``;
- QPA (perceptual QP adaptation) off, so PSNR is what it optimises; one thread;
- intra period = ``job.intra_period`` through vvenc's ``IntraPeriod``; ``all_intra=True`` (or
  ``job.intra_period == 1``) uses FFmpeg's ``-g 1`` (GOP size 1, every picture intra);
- no reconstruction is written (``recon`` is None): decode the bitstream to measure it;
- ``extra``: ``{"preset", "ffmpeg_version", "all_intra", "vvenc_params"}``.
VVenC's chroma planes are ``width >> 1`` wide, so odd source sizes are rejected.

Public API: ``class VvencEncoder(preset="medium", all_intra=False, params=None, ffmpeg=None)``
with ``name``, ``supports_qp_fraction`` (False), ``identity()``, ``argv(job, paths)`` and
``encode(job, timeout_s=None) -> EncodeResult``.
"""

from __future__ import annotations

from collections.abc import Mapping

from vtm_accel.codecs.base import EncodeJob, EncodeResult
from vtm_accel.codecs.common import (
    OutputPaths,
    ffmpeg_exe,
    ffmpeg_version,
    fps_fraction,
    output_paths,
)
from vtm_accel.core import HarnessError, VideoInfo
from vtm_accel.timing import run_timed

PRESETS = ("faster", "fast", "medium", "slow", "slower")
_RAW_PIX_FMT = {8: "yuv420p", 10: "yuv420p10le", 12: "yuv420p12le", 16: "yuv420p16le"}


class VvencEncoder:
    name = "vvenc"
    supports_qp_fraction = False

    def __init__(
        self,
        preset: str = "medium",
        all_intra: bool = False,
        params: Mapping[str, str] | None = None,
        ffmpeg: str | None = None,
    ) -> None:
        if preset not in PRESETS:
            raise HarnessError(
                f"unknown vvenc preset {preset!r}: use one of {', '.join(PRESETS)} "
                f"(e.g. --encoder vvenc:slower)"
            )
        self.preset = preset
        self.all_intra = all_intra
        self.params = dict(params or {})
        for bad in ("IntraPeriod", "Threads", "QP", "NumThreads"):
            if bad.lower() in (k.lower() for k in self.params):
                raise HarnessError(f"vvenc: {bad} is set by the harness; remove it from the spec")
        self.exe = ffmpeg_exe(ffmpeg)
        self._version: str | None = None

    def identity(self) -> str:
        if self._version is None:
            self._version = ffmpeg_version(self.exe)
        mode = "ai" if self.all_intra else "ra"
        extra = "".join(f",{k}={v}" for k, v in sorted(self.params.items()))
        return f"vvenc-ffmpeg:{self._version}:preset={self.preset}:{mode}{extra}"

    def _intra_period(self, job: EncodeJob) -> int:
        return 1 if self.all_intra else job.intra_period

    def check_input(self, video: VideoInfo, frames: int, intra_period: int) -> None:
        """What FFmpeg's raw reader and libvvenc take (checked before any encode starts)."""
        if video.bit_depth not in _RAW_PIX_FMT:
            raise HarnessError(
                f"{video.path}: vvenc via FFmpeg reads 8-, 10-, 12- or 16-bit sources, not "
                f"{video.bit_depth}-bit"
            )

    def argv(self, job: EncodeJob, paths: OutputPaths) -> list[str]:
        v = job.video
        if v.width % 2 or v.height % 2:
            raise HarnessError(
                f"vvenc via FFmpeg needs even frame sizes ({v.width}x{v.height} given)"
            )
        if v.bit_depth not in _RAW_PIX_FMT:
            raise HarnessError(f"vvenc: unsupported source bit depth {v.bit_depth}")
        argv = [self.exe, "-hide_banner", "-nostdin", "-y", "-threads", "1"]
        if v.container == "y4m":
            argv += ["-f", "yuv4mpegpipe"]
        else:
            argv += ["-f", "rawvideo", "-pix_fmt", _RAW_PIX_FMT[v.bit_depth]]
            argv += ["-s", f"{v.width}x{v.height}"]
        argv += ["-r", fps_fraction(v.fps), "-i", str(v.path)]
        if job.frame_skip:
            argv += ["-vf", f"trim=start_frame={job.frame_skip},setpts=PTS-STARTPTS"]
        argv += ["-frames:v", str(job.frames), "-an"]
        argv += ["-c:v", "libvvenc", "-preset", self.preset, "-qp", str(job.qp), "-qpa", "0"]
        argv += ["-threads", "1"]
        ip = self._intra_period(job)
        params = dict(self.params)
        if ip == 1:
            argv += ["-g", "1"]
        else:
            params = {"IntraPeriod": str(ip), **params}
        if params:
            argv += ["-vvenc-params", ":".join(f"{k}={val}" for k, val in params.items())]
        argv += ["-pix_fmt", "yuv420p10le", "-f", "vvc", str(paths.bitstream)]
        return argv

    def encode(self, job: EncodeJob, timeout_s: float | None = None) -> EncodeResult:
        if job.qp_fraction:
            raise HarnessError("vvenc takes integer QPs only (qp_fraction must be 0)")
        paths = output_paths(job)
        paths.bitstream.unlink(missing_ok=True)
        stats = run_timed(self.argv(job, paths), paths.log, core=job.core, timeout_s=timeout_s)
        if not paths.bitstream.is_file() or paths.bitstream.stat().st_size == 0:
            raise HarnessError(f"vvenc wrote no bitstream (log: {paths.log}):\n{stats.log_tail}")
        return EncodeResult(
            job=job,
            bitstream=paths.bitstream,
            recon=None,
            stats=stats,
            qp_used=float(job.qp),
            intra_period=self._intra_period(job),
            encoder_id=self.identity(),
            log=paths.log,
            extra={
                "preset": self.preset,
                "ffmpeg_version": self._version,
                "all_intra": self.all_intra or job.intra_period == 1,
                "vvenc_params": dict(self.params),
                "bytes": paths.bitstream.stat().st_size,
            },
        )
