"""Test-sequence lists: which sources to code, how many frames, which intra period.

File format: a header line naming the columns, then one sequence per line. Columns are separated
by commas (CSV, when the header has a comma) or by whitespace. ``#`` starts a comment; blank lines
are skipped; an empty field or ``-`` means "default". Columns (only ``path`` is required; order
is free)::

    path,width,height,fps,bit_depth,frames,intra_period,frame_skip,name
    BasketballDrive_1920x1080_50.yuv,,,,,64,,,
    /data/RitualDance_1920x1080_60fps_10bit_420.yuv,-,-,-,-,64,-,-,RitualDance

- relative paths are relative to the list file's directory;
- width/height/fps/bit_depth default to the ``.y4m`` header or the file name
  (``io.parse_video_name``), bit depth to 8;
- frames defaults to all frames in the file (after ``frame_skip``);
- intra_period defaults to ``ctc_intra_period(fps)``;
- name defaults to the file stem.

Intra period (JVET CTC random access, GOP 32): about one second, 32 for <= 30 fps, 48 for
50 fps, 64 for 60 fps. General rule used here: ``max(32, 16 * floor(fps / 16 + 0.5))``, the
multiple of 16 nearest the frame rate, at least 32 (24/25/30 -> 32, 50 -> 48, 60 -> 64,
100 -> 96, 120 -> 128).

Public API: ``Sequence`` (dataclass; alias ``SequenceEntry``), ``ctc_intra_period(fps) -> int``,
``make_sequence(path, width=None, height=None, fps=None, bit_depth=None, frames=None,
intra_period=None, frame_skip=0, name=None) -> Sequence``, ``load_sequence_list(path) ->
list[Sequence]``, ``write_sequence_list(path, sequences)``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vtm_accel.core import HarnessError, VideoInfo
from vtm_accel.io.video import probe_video

COLUMNS = (
    "path",
    "width",
    "height",
    "fps",
    "bit_depth",
    "frames",
    "intra_period",
    "frame_skip",
    "name",
)


@dataclass(frozen=True)
class Sequence:
    """One test sequence: the source, the frames to code and the intra period."""

    name: str
    video: VideoInfo
    frames: int
    intra_period: int
    frame_skip: int = 0

    @property
    def path(self) -> Path:
        return self.video.path

    @property
    def width(self) -> int:
        return self.video.width

    @property
    def height(self) -> int:
        return self.video.height

    @property
    def fps(self) -> float:
        return self.video.fps

    @property
    def bit_depth(self) -> int:
        return self.video.bit_depth


SequenceEntry = Sequence


def ctc_intra_period(fps: float) -> int:
    """CTC random-access intra period: 32 (<=30 fps), 48 (50 fps), 64 (60 fps); see module doc."""
    if fps <= 0:
        raise HarnessError(f"frame rate must be positive, got {fps}")
    return max(32, 16 * math.floor(fps / 16 + 0.5))


def make_sequence(
    path: str | Path,
    width: int | None = None,
    height: int | None = None,
    fps: float | None = None,
    bit_depth: int | None = None,
    frames: int | None = None,
    intra_period: int | None = None,
    frame_skip: int = 0,
    name: str | None = None,
) -> Sequence:
    """A Sequence with the defaults described in the module docstring filled in."""
    video = probe_video(path, width=width, height=height, fps=fps, bit_depth=bit_depth)
    total = video.num_frames or 0
    avail = total - frame_skip
    if frame_skip < 0 or avail <= 0:
        raise HarnessError(f"{video.path}: frame_skip {frame_skip} leaves no frames ({total})")
    n = avail if frames is None else frames
    if n <= 0 or n > avail:
        raise HarnessError(
            f"{video.path}: {n} frames requested but only {avail} available after skipping "
            f"{frame_skip}"
        )
    ip = ctc_intra_period(video.fps) if intra_period is None else intra_period
    if ip <= 0:
        raise HarnessError(f"{video.path}: intra period must be positive, got {ip}")
    return Sequence(name or video.path.stem, video, n, ip, frame_skip)


def _split_rows(text: str) -> list[list[str]]:
    lines = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    if not lines:
        return []
    if "," in lines[0]:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO("\n".join(lines)))]
    return [line.split() for line in lines]


def load_sequence_list(path: str | Path) -> list[Sequence]:
    """Read a sequence list (format in the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise HarnessError(f"sequence list not found: {path}")
    rows = _split_rows(path.read_text())
    if not rows:
        raise HarnessError(f"{path}: empty sequence list")
    header = [h.lower() for h in rows[0]]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown or "path" not in header:
        raise HarnessError(
            f"{path}: the first line must name the columns (path required; known: "
            f"{', '.join(COLUMNS)}); unknown: {unknown}"
        )
    out = []
    for lineno, row in enumerate(rows[1:], 2):
        if len(row) > len(header):
            raise HarnessError(f"{path}: row {lineno} has more fields than the header")
        rec = {h: (v if v not in ("", "-") else None) for h, v in zip(header, row, strict=False)}
        if rec.get("path") is None:
            raise HarnessError(f"{path}: row {lineno} has no path")
        src = Path(rec["path"])
        if not src.is_absolute():
            src = path.parent / src
        where = f"{path}: row {lineno}"

        def num(key: str, cast: type = int, rec: dict = rec, where: str = where) -> object:
            v = rec.get(key)
            try:
                return None if v is None else cast(v)
            except ValueError as e:
                raise HarnessError(f"{where}: bad {key} {v!r}") from e

        try:
            out.append(
                make_sequence(
                    src,
                    width=num("width"),
                    height=num("height"),
                    fps=num("fps", float),
                    bit_depth=num("bit_depth"),
                    frames=num("frames"),
                    intra_period=num("intra_period"),
                    frame_skip=num("frame_skip") or 0,
                    name=rec.get("name"),
                )
            )
        except HarnessError as e:
            raise HarnessError(f"{path}: row {lineno}: {e}") from e
    names = [s.name for s in out]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise HarnessError(f"{path}: duplicate sequence names {dups}: add a name column")
    return out


def write_sequence_list(path: str | Path, sequences: Iterable[Sequence]) -> None:
    """Write a CSV list that ``load_sequence_list`` reads back to the same entries."""
    with Path(path).open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for s in sequences:
            v = s.video
            w.writerow(
                [
                    str(v.path),
                    v.width,
                    v.height,
                    f"{v.fps:g}",
                    v.bit_depth,
                    s.frames,
                    s.intra_period,
                    s.frame_skip,
                    s.name,
                ]
            )
