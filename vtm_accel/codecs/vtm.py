"""Stock VTM-20.2 ``EncoderApp`` / ``DecoderApp`` binaries that the user already has.

The project never ships, fetches or builds VTM: the user passes the binaries and the CTC
configuration (``encoder_randomaccess_vtm.cfg``) on the command line.

Encoder command (argv, no shell)::

    EncoderApp -c CFG [-c CFG2 ...] -i SOURCE -wdt W -hgt H -fr FPS -fs SKIP -f FRAMES
      --InputBitDepth=B --InputChromaFormat=420 --OutputBitDepth=10 --IntraPeriod=IP
      -q QP [--QPIncrementFrame=K] -b OUT.266 -o RECON.yuv [extra args]

- the internal bit depth comes from the cfg (the CTC cfg sets ``InternalBitDepth : 10``);
  ``--OutputBitDepth=10`` makes the reconstruction 10-bit LE like every other backend;
- ``-fr`` takes an integer rate (VTM's CTC usage): a fractional rate is rounded, and the real
  rate is still used for bitrates;
- a fractional QP (``job.qp_fraction`` = f in (0,1)) uses VTM's ``QPIncrementFrame``: frames from
  source frame K = skip + round(frames * (1 - f)) on are coded at QP + 1, so the rate moves
  between the two integer QPs (the HM/VTM way to hit a target rate);
- y4m sources are accepted by VTM-20 directly (it reads the header; W/H/fps flags still match);
- the log is parsed (``parse_vtm_encoder_log``): per-picture POC, type, QP, bits and PSNRs
  (VTM's peak convention, 1020 at 10 bits), the summary line and VTM's own timer, into
  ``EncodeResult.extra``.

Decoder command: ``DecoderApp -b BITS -o OUT.yuv -d 10`` (``-d`` = output bit depth; 0 = as
coded). Its output is cropped to the conformance window; the geometry comes from an untimed
FFmpeg probe of the stream.

Public API:
- ``parse_vtm_encoder_log(text) -> dict`` (keys: ``pictures`` list of dicts, ``summary`` dict
  or None, ``vtm_time_user_s``, ``vtm_time_elapsed_s``)
- ``class VtmEncoder(encoder, cfgs, extra_args=())``: ``argv(job, paths)``, ``identity()``,
  ``encode(job, timeout_s=None)``; ``supports_qp_fraction = True``
- ``class VtmDecoder(decoder, output_bit_depth=10, ffmpeg=None)``: ``argv(bits, out)``,
  ``identity()``, ``decode(bitstream, out, timeout_s=None, core=None)``
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from vtm_accel.codecs.base import DecodeResult, EncodeJob, EncodeResult
from vtm_accel.codecs.common import (
    OutputPaths,
    decode_result,
    file_digest,
    output_paths,
    probe_bitstream,
    resolve_binary,
)
from vtm_accel.core import HarnessError
from vtm_accel.timing import run_timed

_POC = re.compile(
    r"^POC\s+(?P<poc>-?\d+)(?:\s+LId:\s*(?P<lid>\d+))?\s+TId:\s*(?P<tid>\d+)\s+"
    r"\(\s*(?:(?P<nal>\w+),\s*)?(?P<type>[A-Za-z])-SLICE,\s*(?:nQP\s*-?\d+\s+)?"
    r"QP\s*(?P<qp>-?\d+)\s*\)\s+(?P<bits>\d+)\s+bits\s+"
    r"\[Y\s+(?P<y>[\d.]+|inf)\s+dB\s+U\s+(?P<u>[\d.]+|inf)\s+dB\s+V\s+(?P<v>[\d.]+|inf)\s+dB\]"
)
_SUMMARY_ROW = re.compile(
    r"^\s*(?P<frames>\d+)\s+a\s+(?P<kbps>[\d.]+)\s+(?P<y>[\d.]+)\s+(?P<u>[\d.]+)\s+"
    r"(?P<v>[\d.]+)\s+(?P<yuv>[\d.]+)"
)
_TOTAL_TIME = re.compile(
    r"Total Time:\s*(?P<user>[\d.]+)\s*sec\.\s*\[user\]\s*(?P<elapsed>[\d.]+)\s*sec\.\s*\[elapsed\]"
)


def parse_vtm_encoder_log(text: str) -> dict:
    """Per-picture lines, the SUMMARY row and VTM's timer from an EncoderApp log."""
    pictures = []
    summary = None
    in_summary = False
    for line in text.splitlines():
        m = _POC.match(line.strip())
        if m:
            pictures.append(
                {
                    "poc": int(m["poc"]),
                    "temporal_id": int(m["tid"]),
                    "nal_type": m["nal"],
                    "slice_type": m["type"].upper(),  # lower case = not referenced
                    "referenced": m["type"].isupper(),
                    "qp": int(m["qp"]),
                    "bits": int(m["bits"]),
                    "psnr_y": float(m["y"]),
                    "psnr_u": float(m["u"]),
                    "psnr_v": float(m["v"]),
                }
            )
            continue
        if "SUMMARY" in line:
            in_summary = True
            continue
        if in_summary and summary is None:
            s = _SUMMARY_ROW.match(line)
            if s:
                summary = {
                    "frames": int(s["frames"]),
                    "kbps": float(s["kbps"]),
                    "psnr_y": float(s["y"]),
                    "psnr_u": float(s["u"]),
                    "psnr_v": float(s["v"]),
                    "psnr_yuv_vtm": float(s["yuv"]),
                }
    t = _TOTAL_TIME.search(text)
    return {
        "pictures": sorted(pictures, key=lambda p: p["poc"]),
        "summary": summary,
        "vtm_time_user_s": float(t["user"]) if t else None,
        "vtm_time_elapsed_s": float(t["elapsed"]) if t else None,
    }


class VtmEncoder:
    name = "vtm"
    supports_qp_fraction = True

    def __init__(
        self, encoder: str | Path, cfgs: Sequence[str | Path], extra_args: Sequence[str] = ()
    ) -> None:
        self.exe = resolve_binary(encoder, "VTM EncoderApp (--encoder vtm:encoder=PATH,cfg=PATH)")
        if not cfgs:
            raise HarnessError(
                "VTM needs its CTC configuration: --encoder "
                "vtm:encoder=PATH/EncoderApp,cfg=PATH/encoder_randomaccess_vtm.cfg"
            )
        self.cfgs = [Path(c) for c in cfgs]
        for c in self.cfgs:
            if not c.is_file():
                raise HarnessError(f"VTM cfg not found: {c} (fix cfg= in the vtm encoder spec)")
        self.extra_args = list(extra_args)
        self._id: str | None = None

    def identity(self) -> str:
        if self._id is None:
            cfg = "+".join(f"{c.name}#{file_digest(c, 8)}" for c in self.cfgs)
            extra = f":{' '.join(self.extra_args)}" if self.extra_args else ""
            self._id = f"vtm:{self.exe.name}#{file_digest(self.exe)}:cfg={cfg}{extra}"
        return self._id

    def argv(self, job: EncodeJob, paths: OutputPaths) -> list[str]:
        v = job.video
        argv = [str(self.exe)]
        for c in self.cfgs:
            argv += ["-c", str(c)]
        argv += ["-i", str(v.path), "-wdt", str(v.width), "-hgt", str(v.height)]
        argv += ["-fr", str(max(1, round(v.fps))), "-fs", str(job.frame_skip)]
        argv += ["-f", str(job.frames)]
        argv += [f"--InputBitDepth={v.bit_depth}", "--InputChromaFormat=420"]
        argv += ["--OutputBitDepth=10", f"--IntraPeriod={job.intra_period}"]
        argv += ["-q", str(job.qp)]
        if job.qp_fraction:
            if not 0.0 < job.qp_fraction < 1.0:
                raise HarnessError(f"qp_fraction must be in [0, 1): {job.qp_fraction}")
            k = job.frame_skip + round(job.frames * (1.0 - job.qp_fraction))
            argv += [f"--QPIncrementFrame={k}"]
        argv += ["-b", str(paths.bitstream), "-o", str(paths.recon)]
        return argv + self.extra_args

    def encode(self, job: EncodeJob, timeout_s: float | None = None) -> EncodeResult:
        paths = output_paths(job)
        for p in (paths.bitstream, paths.recon):
            p.unlink(missing_ok=True)
        stats = run_timed(self.argv(job, paths), paths.log, core=job.core, timeout_s=timeout_s)
        if not paths.bitstream.is_file() or paths.bitstream.stat().st_size == 0:
            raise HarnessError(f"VTM wrote no bitstream (log: {paths.log}):\n{stats.log_tail}")
        parsed = parse_vtm_encoder_log(paths.log.read_text(errors="replace"))
        parsed["bytes"] = paths.bitstream.stat().st_size
        return EncodeResult(
            job=job,
            bitstream=paths.bitstream,
            recon=paths.recon if paths.recon.is_file() else None,
            stats=stats,
            qp_used=job.qp + job.qp_fraction,
            intra_period=job.intra_period,
            encoder_id=self.identity(),
            log=paths.log,
            extra=parsed,
        )


class VtmDecoder:
    name = "vtm"

    def __init__(
        self, decoder: str | Path, output_bit_depth: int = 10, ffmpeg: str | None = None
    ) -> None:
        self.exe = resolve_binary(decoder, "VTM DecoderApp (--decoder vtm:PATH)")
        self.output_bit_depth = output_bit_depth
        self.ffmpeg = ffmpeg
        self._id: str | None = None

    def identity(self) -> str:
        if self._id is None:
            self._id = f"vtm-dec:{self.exe.name}#{file_digest(self.exe)}"
        return self._id

    def argv(self, bitstream: Path, out: Path) -> list[str]:
        d = str(self.output_bit_depth)
        return [str(self.exe), "-b", str(bitstream), "-o", str(out), "-d", d]

    def decode(
        self,
        bitstream: Path,
        out: Path,
        timeout_s: float | None = None,
        core: int | None = None,
    ) -> DecodeResult:
        bitstream, out = Path(bitstream), Path(out)
        info = probe_bitstream(bitstream, self.ffmpeg)
        bit_depth = self.output_bit_depth or info.bit_depth
        out.parent.mkdir(parents=True, exist_ok=True)
        out.unlink(missing_ok=True)
        log = out.with_name(out.name + ".log")
        stats = run_timed(self.argv(bitstream, out), log, core=core, timeout_s=timeout_s)
        return decode_result(
            bitstream, out, info.width, info.height, bit_depth, stats, "VTM DecoderApp"
        )
