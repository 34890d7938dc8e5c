"""Video file I/O: raw 4:2:0 ``.yuv`` (8-bit, or 16-bit LE for >8 bits) and ``.y4m``.

Public API (re-exported here):
- frames: ``Frame``, ``chroma_size``, ``plane_shapes``, ``sample_dtype``, ``frame_bytes``,
  ``frame_from_buffer``, ``frame_to_bytes``, ``convert_bit_depth``
- naming: ``NameInfo``, ``parse_video_name``
- video: ``Y4mHeader``, ``parse_y4m_header``, ``probe_video``, ``count_frames``, ``iter_frames``,
  ``read_frame``, ``read_frames``, ``YuvWriter``, ``write_yuv``, ``write_y4m``
"""

from vtm_accel.io.frames import (
    Frame,
    chroma_size,
    convert_bit_depth,
    frame_bytes,
    frame_from_buffer,
    frame_to_bytes,
    plane_shapes,
    sample_dtype,
)
from vtm_accel.io.naming import NameInfo, parse_video_name
from vtm_accel.io.video import (
    Y4mHeader,
    YuvWriter,
    count_frames,
    iter_frames,
    parse_y4m_header,
    probe_video,
    read_frame,
    read_frames,
    write_y4m,
    write_yuv,
)

__all__ = [
    "Frame",
    "NameInfo",
    "Y4mHeader",
    "YuvWriter",
    "chroma_size",
    "convert_bit_depth",
    "count_frames",
    "frame_bytes",
    "frame_from_buffer",
    "frame_to_bytes",
    "iter_frames",
    "parse_video_name",
    "parse_y4m_header",
    "plane_shapes",
    "probe_video",
    "read_frame",
    "read_frames",
    "sample_dtype",
    "write_y4m",
    "write_yuv",
]
