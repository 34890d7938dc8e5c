"""Quality and rate metrics: PSNR (see ``psnr`` for the peak/bit-depth convention), bitrate,
and Bjontegaard deltas (pchip, via the ``bjontegaard`` package).

Public API (re-exported here):
- psnr: ``PsnrResult``, ``lossless_psnr``, ``peak_value``, ``plane_sse``, ``psnr_from_sse``,
  ``frame_psnr``, ``psnr_yuv``, ``bitrate_kbps``, ``video_psnr``
- bd: ``bd_rate``, ``bd_psnr``, ``bd_rate_per_sequence``, ``bd_psnr_per_sequence``, ``mean_bd``
"""

from vtm_accel.metrics.bd import (
    bd_psnr,
    bd_psnr_per_sequence,
    bd_rate,
    bd_rate_per_sequence,
    mean_bd,
)
from vtm_accel.metrics.psnr import (
    PsnrResult,
    bitrate_kbps,
    frame_psnr,
    lossless_psnr,
    peak_value,
    plane_sse,
    psnr_from_sse,
    psnr_yuv,
    video_psnr,
)

__all__ = [
    "PsnrResult",
    "bd_psnr",
    "bd_psnr_per_sequence",
    "bd_rate",
    "bd_rate_per_sequence",
    "bitrate_kbps",
    "frame_psnr",
    "lossless_psnr",
    "mean_bd",
    "peak_value",
    "plane_sse",
    "psnr_from_sse",
    "psnr_yuv",
    "video_psnr",
]
