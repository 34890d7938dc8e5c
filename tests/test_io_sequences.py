"""sequences: list files (CSV and whitespace), defaults, CTC intra period, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from content import make_clip

from vtm_accel.core import HarnessError
from vtm_accel.sequences import (
    ctc_intra_period,
    load_sequence_list,
    make_sequence,
    write_sequence_list,
)


@pytest.mark.parametrize(
    "fps, ip",
    [(20, 32), (24, 32), (25, 32), (29.97, 32), (30, 32), (50, 48), (59.94, 64), (60, 64)],
)
def test_ctc_intra_period(fps: float, ip: int) -> None:
    assert ctc_intra_period(fps) == ip


def test_csv_list_with_defaults(tmp_path: Path) -> None:
    clips = tmp_path / "clips"
    clips.mkdir()
    make_clip(clips / "A_32x16_50.yuv", 32, 16, 6, 8)
    make_clip(clips / "B_32x16_60_10bit.yuv", 32, 16, 3, 10)
    make_clip(clips / "c.y4m", 16, 16, 2, 10, fps=24.0)
    lst = tmp_path / "seqs.csv"
    lst.write_text(
        "# the test set\n"
        "path,width,height,fps,bit_depth,frames,intra_period,frame_skip,name\n"
        "clips/A_32x16_50.yuv,,,,,4,,1,\n"
        f"{clips}/B_32x16_60_10bit.yuv,-,-,-,-,-,16,-,Bee  # comment\n"
        "\n"
        "clips/c.y4m,,,,,,,,\n"
    )
    a, b, c = load_sequence_list(lst)
    assert (a.name, a.width, a.height, a.fps, a.bit_depth) == ("A_32x16_50", 32, 16, 50.0, 8)
    assert (a.frames, a.intra_period, a.frame_skip) == (4, 48, 1)
    assert a.path == clips / "A_32x16_50.yuv"  # relative to the list file
    assert (b.name, b.bit_depth, b.fps, b.frames, b.intra_period) == ("Bee", 10, 60.0, 3, 16)
    assert (c.video.container, c.frames, c.intra_period, c.bit_depth) == ("y4m", 2, 32, 10)
    out = tmp_path / "back.csv"
    write_sequence_list(out, [a, b, c])
    assert load_sequence_list(out) == [a, b, c]


def test_whitespace_list_and_overrides(tmp_path: Path) -> None:
    make_clip(tmp_path / "raw.yuv", 24, 8, 2, 8)
    lst = tmp_path / "list.txt"
    lst.write_text("path width height fps frames\nraw.yuv 24 8 60 2\n")
    (s,) = load_sequence_list(lst)
    assert (s.width, s.height, s.fps, s.frames, s.intra_period) == (24, 8, 60.0, 2, 64)


@pytest.mark.parametrize(
    "body, msg",
    [
        ("width,height\n", "path required"),
        ("path,colour\nx.yuv,red\n", "unknown"),
        ("path,frames\nA_32x16_50.yuv,99\n", "only 6 available"),
        ("path,frames\nA_32x16_50.yuv,abc\n", "bad frames"),
        ("path\nmissing_32x16.yuv\n", "not found"),
        ("path\nA_32x16_50.yuv\nA_32x16_50.yuv\n", "duplicate"),
        ("", "empty"),
    ],
)
def test_list_errors(tmp_path: Path, body: str, msg: str) -> None:
    make_clip(tmp_path / "A_32x16_50.yuv", 32, 16, 6, 8)
    lst = tmp_path / "l.csv"
    lst.write_text(body)
    with pytest.raises(HarnessError, match=msg):
        load_sequence_list(lst)


def test_make_sequence_skip_limits(tmp_path: Path) -> None:
    make_clip(tmp_path / "A_32x16_30.yuv", 32, 16, 3, 8)
    s = make_sequence(tmp_path / "A_32x16_30.yuv", frame_skip=1)
    assert s.frames == 2
    with pytest.raises(HarnessError, match="leaves no frames"):
        make_sequence(tmp_path / "A_32x16_30.yuv", frame_skip=3)
