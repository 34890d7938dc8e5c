"""The JVET common test conditions' SDR test sequences, as data (``--sequences ctc:B``).

Facts from the public JVET CTC document for VTM ("JVET common test conditions and software
reference configurations for SDR video", JVET-T2010 and its predecessors): every sequence is
4:2:0; the random-access intra period is about one second (32 for 20/24/30 fps, 48 for 50 fps,
64 for 60 fps, as in VTM's per-sequence configuration files); the file names are the ones the
JVET distributes the sequences under (and VTM's per-sequence cfgs name as ``InputFile``).
Class RaceHorses appears twice (832x480 in C, 416x240 in D); the class-C one is named
``RaceHorsesC`` here, as VTM's cfg is, so the two can share a run. The CTC leaves class E out
of random access and class A out of low delay; this table lists them all and lets the caller
choose.

``ctc_sequences("ctc:B,C", ctc_dir, max_frames)`` finds the files of those classes in
``ctc_dir`` (the usual name first, then any ``.yuv``/``.y4m`` whose name starts with the
sequence's name and size, case-insensitively) and lists every missing one at once, with the
file name and format expected, before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vtm_accel.core import HarnessError

if TYPE_CHECKING:
    from vtm_accel.challenge.run import SequenceSpec

PREFIX = "ctc:"

#: Random-access intra period by frame rate (about one second, a multiple of the GOP of 16/32).
RA_INTRA_PERIOD: dict[int, int] = {20: 32, 24: 32, 30: 32, 50: 48, 60: 64}


@dataclass(frozen=True)
class CtcSequence:
    """One CTC test sequence."""

    name: str
    cls: str  # A1, A2, B, C, D, E, F
    width: int
    height: int
    fps: int
    bit_depth: int
    frames: int
    file: str  # the usual file name

    @property
    def intra_period(self) -> int:
        return RA_INTRA_PERIOD[self.fps]

    def describe(self) -> str:
        return (
            f"{self.file} ({self.width}x{self.height} 4:2:0, {self.fps} fps, "
            f"{self.bit_depth}-bit, {self.frames} frames)"
        )


# class  name                 width height fps bits frames  usual file name
_TABLE = """
A1  Tango2               3840 2160 60 10 294  Tango2_3840x2160_60fps_10bit_420.yuv
A1  FoodMarket4          3840 2160 60 10 300  FoodMarket4_3840x2160_60fps_10bit_420.yuv
A1  Campfire             3840 2160 30 10 300  Campfire_3840x2160_30fps_bt709_420_videoRange.yuv
A2  CatRobot             3840 2160 60 10 300  CatRobot_3840x2160_60fps_10bit_420_jvet.yuv
A2  DaylightRoad2        3840 2160 60 10 300  DaylightRoad2_3840x2160_60fps_10bit_420.yuv
A2  ParkRunning3         3840 2160 50 10 300  ParkRunning3_3840x2160_50fps_10bit_420.yuv
B   MarketPlace          1920 1080 60 10 600  MarketPlace_1920x1080_60fps_10bit_420.yuv
B   RitualDance          1920 1080 60 10 600  RitualDance_1920x1080_60fps_10bit_420.yuv
B   Cactus               1920 1080 50  8 500  Cactus_1920x1080_50.yuv
B   BasketballDrive      1920 1080 50  8 500  BasketballDrive_1920x1080_50.yuv
B   BQTerrace            1920 1080 60  8 600  BQTerrace_1920x1080_60.yuv
C   BasketballDrill       832  480 50  8 500  BasketballDrill_832x480_50.yuv
C   BQMall                832  480 60  8 600  BQMall_832x480_60.yuv
C   PartyScene            832  480 50  8 500  PartyScene_832x480_50.yuv
C   RaceHorsesC           832  480 30  8 300  RaceHorses_832x480_30.yuv
D   BasketballPass        416  240 50  8 500  BasketballPass_416x240_50.yuv
D   BQSquare              416  240 60  8 600  BQSquare_416x240_60.yuv
D   BlowingBubbles        416  240 50  8 500  BlowingBubbles_416x240_50.yuv
D   RaceHorses            416  240 30  8 300  RaceHorses_416x240_30.yuv
E   FourPeople           1280  720 60  8 600  FourPeople_1280x720_60.yuv
E   Johnny               1280  720 60  8 600  Johnny_1280x720_60.yuv
E   KristenAndSara       1280  720 60  8 600  KristenAndSara_1280x720_60.yuv
F   BasketballDrillText   832  480 50  8 500  BasketballDrillText_832x480_50.yuv
F   ArenaOfValor         1920 1080 60  8 600  ArenaOfValor_1920x1080_60_8bit_420.yuv
F   SlideEditing         1280  720 30  8 300  SlideEditing_1280x720_30.yuv
F   SlideShow            1280  720 20  8 500  SlideShow_1280x720_20.yuv
"""


def _parse(text: str) -> tuple[CtcSequence, ...]:
    out = []
    for line in text.strip().splitlines():
        cls, name, w, h, fps, bits, frames, file = line.split()
        out.append(CtcSequence(name, cls, int(w), int(h), int(fps), int(bits), int(frames), file))
    return tuple(out)


TABLE: tuple[CtcSequence, ...] = _parse(_TABLE)

CLASSES: tuple[str, ...] = ("A1", "A2", "B", "C", "D", "E", "F")


def is_ctc_spec(spec: str) -> bool:
    return spec.lower().startswith(PREFIX)


def parse_classes(spec: str) -> list[str]:
    """``ctc:B`` / ``ctc:B,C`` / ``ctc:A`` (= A1 and A2) -> class names, in the order given."""
    body = spec[len(PREFIX) :] if is_ctc_spec(spec) else spec
    out: list[str] = []
    for word in (w.strip().upper() for w in body.split(",")):
        names = ["A1", "A2"] if word == "A" else [word]
        for n in names:
            if n not in CLASSES:
                raise HarnessError(
                    f"--sequences {spec}: unknown CTC class {word or '(empty)'!r}; "
                    f"classes are {', '.join(CLASSES)} (e.g. ctc:B or ctc:C,D)"
                )
            if n not in out:
                out.append(n)
    return out


def sequences_of(classes: list[str]) -> list[CtcSequence]:
    return [s for c in classes for s in TABLE if s.cls == c]


def locate(seq: CtcSequence, ctc_dir: Path) -> Path | None:
    """The file of ``seq`` in ``ctc_dir``: its usual name, the same stem as ``.y4m``, else the
    one file whose name starts with ``<name>_<W>x<H>`` (any case, .yuv or .y4m)."""
    usual = ctc_dir / seq.file
    for p in (usual, usual.with_suffix(".y4m")):
        if p.is_file():
            return p
    # RaceHorsesC's files are named RaceHorses_832x480...: match on the name without the class
    stem = seq.name.removesuffix("C") if seq.name == "RaceHorsesC" else seq.name
    prefix = f"{stem}_{seq.width}x{seq.height}".lower()
    found = sorted(
        p
        for p in ctc_dir.iterdir()
        if p.is_file()
        and p.name.lower().startswith(prefix)
        and p.suffix.lower() in (".yuv", ".y4m")
    )
    return found[0] if len(found) == 1 else None


def ctc_sequences(
    spec: str, ctc_dir: Path | None, max_frames: int | None = None
) -> list[SequenceSpec]:
    """The sequences of the classes in ``spec`` found in ``ctc_dir``, with the CTC's frame
    count (capped by ``max_frames``) and intra period; every missing file is named at once."""
    from vtm_accel.challenge.run import SequenceSpec
    from vtm_accel.io import probe_video

    classes = parse_classes(spec)
    if ctc_dir is None:
        raise HarnessError(f"--sequences {spec} needs --ctc-dir DIR, the folder of the CTC files")
    if not ctc_dir.is_dir():
        raise HarnessError(f"--ctc-dir {ctc_dir}: no such folder")
    table = sequences_of(classes)
    found = {s.name: locate(s, ctc_dir) for s in table}
    missing = [s for s in table if found[s.name] is None]
    if missing:
        raise HarnessError(
            f"{len(missing)} of the {len(table)} sequences of CTC class "
            f"{', '.join(classes)} are not in {ctc_dir}: "
            + "; ".join(f"{s.name}: {s.describe()}" for s in missing)
            + "; put them there under these names (or ones starting with NAME_WxH)"
        )
    out = []
    for s in table:
        video = probe_video(found[s.name], s.width, s.height, float(s.fps), s.bit_depth)
        frames = min(s.frames, max_frames) if max_frames else s.frames
        out.append(SequenceSpec(s.name, video, frames, s.intra_period))
    return out
