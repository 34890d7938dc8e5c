"""Per-picture facts of a VVC bitstream and its decode: where an encoder spends bits and quality.

Any encoder's stream is covered: the structure is read with FFmpeg's ``trace_headers`` bitstream
filter (the CBS parser of its VVC decoder), one access unit per packet:

- ``decode_index``: the coding order (the access unit's index in the stream);
- ``bits``: the whole access unit (parameter sets, APSs, SEI and slices), as the rate counts it;
- ``nal_type``, ``temporal_id``: of the picture's first slice;
- ``poc``: PicOrderCntVal (8.3.1) from ``ph_pic_order_cnt_lsb`` and the POC MSB of the previous
  TemporalId-0 picture that is not RASL/RADL; ``cvs``: index of the coded video sequence (an IDR
  or a first CRA starts one), so that ``(cvs, poc)`` orders the output;
- ``qp``: SliceQpY of the first slice (26 + pps_init_qp_minus26 + ph/sh_qp_delta).

``attach_psnr`` adds the per-picture PSNR of the decoded output (output order) against the
source, and ``layer_table`` averages bits, PSNR and QP per temporal layer.

Public API: ``PictureInfo``, ``read_pictures(stream, ffmpeg=None, timeout_s=600)``,
``attach_psnr(pictures, per_frame_psnr)``, ``LayerRow``, ``layer_table(pictures)``.
"""

from __future__ import annotations

import re
import statistics
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from vtm_accel.codecs.common import ffmpeg_exe
from vtm_accel.core import HarnessError

# H.266 Table 5: nal_unit_type values of VCL NAL units.
NAL_TYPES = {
    0: "TRAIL",
    1: "STSA",
    2: "RADL",
    3: "RASL",
    7: "IDR_W_RADL",
    8: "IDR_N_LP",
    9: "CRA",
    10: "GDR",
}
_IDR = (7, 8)
_CRA_GDR = (9, 10)
_LEADING = (2, 3)

_FIELD = re.compile(r"^\s*\d+\s+(\w+)(?:\[[^\]]*\])*\s+[01]+\s+=\s+(-?\d+)\s*$")
_PACKET = re.compile(r"Packet: (\d+) bytes")


@dataclass(frozen=True)
class PictureInfo:
    decode_index: int
    poc: int
    cvs: int
    nal_type: str
    temporal_id: int
    qp: int | None
    bits: int
    psnr: tuple[float, float, float] | None = None  # Y, U, V of the decoded picture

    @property
    def psnr_yuv(self) -> float | None:
        if self.psnr is None:
            return None
        y, u, v = self.psnr
        return (6 * y + u + v) / 8


def _trace(stream: Path, ffmpeg: str | None, timeout_s: float) -> str:
    exe = ffmpeg or ffmpeg_exe()
    argv = [exe, "-hide_banner", "-nostdin", "-f", "vvc", "-i", str(stream)]
    argv += ["-c", "copy", "-bsf:v", "trace_headers", "-f", "null", "-"]
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as e:
        raise HarnessError(f"FFmpeg could not trace {stream} within {timeout_s:.0f} s") from e
    if r.returncode != 0:
        tail = "\n".join(r.stderr.strip().splitlines()[-5:])
        raise HarnessError(f"FFmpeg could not read the VVC stream {stream}:\n{tail}")
    return r.stderr


def read_pictures(
    stream: str | Path, ffmpeg: str | None = None, timeout_s: float = 600
) -> list[PictureInfo]:
    """The pictures of a VVC Annex B stream in decoding order (see the module docstring)."""
    stream = Path(stream)
    if not stream.is_file() or stream.stat().st_size == 0:
        raise HarnessError(f"bitstream missing or empty: {stream}")
    text = _trace(stream, ffmpeg, timeout_s)
    log2_max_lsb = 8
    init_qp = 26
    pics: list[dict] = []
    cur: dict | None = None  # the packet being read
    nal: dict = {}  # fields of the NAL unit being read
    for line in text.splitlines():
        body = line.split("] ", 1)[-1]
        m = _PACKET.search(body)
        if m:
            cur = {"bytes": int(m.group(1))}
            pics.append(cur)
            continue
        m = _FIELD.match(body)
        if not m:
            continue
        name, value = m.group(1), int(m.group(2))
        if name == "nal_unit_type":
            nal = {"type": value}
        elif name == "nuh_temporal_id_plus1":
            nal["tid"] = value - 1
        elif name == "sps_log2_max_pic_order_cnt_lsb_minus4":
            log2_max_lsb = value + 4
        elif name == "pps_init_qp_minus26":
            init_qp = 26 + value
        elif cur is not None and name in ("ph_pic_order_cnt_lsb", "ph_qp_delta", "sh_qp_delta"):
            if "nal_type" not in cur and nal.get("type", 99) in NAL_TYPES:
                cur["nal_type"] = nal["type"]
                cur["tid"] = nal.get("tid", 0)
            key = {"ph_pic_order_cnt_lsb": "lsb", "ph_qp_delta": "ph_qpd", "sh_qp_delta": "qpd"}
            cur.setdefault(key[name], value)
            cur.setdefault("init_qp", init_qp)
            cur.setdefault("log2_max_lsb", log2_max_lsb)
    out: list[PictureInfo] = []
    prev_lsb = prev_msb = 0
    cvs = -1
    for p in pics:
        if "lsb" not in p or "nal_type" not in p:
            continue  # a packet without a picture (parameter sets alone)
        t = p["nal_type"]
        max_lsb = 1 << p["log2_max_lsb"]
        lsb = p["lsb"]
        first = cvs < 0
        if t in _IDR or (first and t in _CRA_GDR):
            cvs += 1
            msb = 0
        elif lsb < prev_lsb and prev_lsb - lsb >= max_lsb // 2:
            msb = prev_msb + max_lsb
        elif lsb > prev_lsb and lsb - prev_lsb > max_lsb // 2:
            msb = prev_msb - max_lsb
        else:
            msb = prev_msb
        if p["tid"] == 0 and t not in _LEADING:
            prev_lsb, prev_msb = lsb, msb
        qp = None
        if "qpd" in p or "ph_qpd" in p:
            qp = p["init_qp"] + p.get("qpd", 0) + p.get("ph_qpd", 0)
        out.append(
            PictureInfo(
                decode_index=len(out),
                poc=msb + lsb,
                cvs=cvs,
                nal_type=NAL_TYPES[t],
                temporal_id=p["tid"],
                qp=qp,
                bits=8 * p["bytes"],
            )
        )
    if not out:
        raise HarnessError(f"{stream}: FFmpeg finds no picture in it")
    return out


def attach_psnr(
    pictures: list[PictureInfo], per_frame_psnr: list[tuple[float, float, float]]
) -> list[PictureInfo]:
    """The pictures with the PSNR of their decoded frame (``per_frame_psnr`` in output order,
    e.g. ``metrics.video_psnr(..., keep_frames=True).per_frame``)."""
    order = sorted(range(len(pictures)), key=lambda i: (pictures[i].cvs, pictures[i].poc))
    if len(per_frame_psnr) != len(pictures):
        raise HarnessError(
            f"{len(per_frame_psnr)} decoded frames for {len(pictures)} pictures in the stream"
        )
    out = list(pictures)
    for k, i in enumerate(order):
        out[i] = replace(pictures[i], psnr=tuple(per_frame_psnr[k]))  # type: ignore[arg-type]
    return out


@dataclass(frozen=True)
class LayerRow:
    temporal_id: int
    pictures: int
    mean_bits: float
    mean_qp: float | None
    mean_psnr: tuple[float, float, float] | None
    share_of_bits: float  # of the whole stream


def layer_table(pictures: list[PictureInfo], intra_apart: bool = True) -> list[LayerRow]:
    """Bits, QP and PSNR averaged per temporal layer; with ``intra_apart`` the IRAP pictures
    form their own row (temporal_id -1) instead of joining layer 0."""
    total = sum(p.bits for p in pictures) or 1
    groups: dict[int, list[PictureInfo]] = {}
    irap = ("IDR_W_RADL", "IDR_N_LP", "CRA")
    for p in pictures:
        key = -1 if intra_apart and p.nal_type in irap else p.temporal_id
        groups.setdefault(key, []).append(p)
    rows = []
    for tid in sorted(groups):
        g = groups[tid]
        qps = [p.qp for p in g if p.qp is not None]
        ps = [p.psnr for p in g if p.psnr is not None]
        mean_psnr = tuple(statistics.fmean(x[c] for x in ps) for c in range(3)) if ps else None
        rows.append(
            LayerRow(
                temporal_id=tid,
                pictures=len(g),
                mean_bits=statistics.fmean(p.bits for p in g),
                mean_qp=statistics.fmean(qps) if qps else None,
                mean_psnr=mean_psnr,  # type: ignore[arg-type]
                share_of_bits=sum(p.bits for p in g) / total,
            )
        )
    return rows
