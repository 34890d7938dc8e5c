"""io: raw/y4m round trips, frame counting, name parsing, probing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from content import make_clip

from vtm_accel.core import HarnessError
from vtm_accel.io import (
    Frame,
    chroma_size,
    convert_bit_depth,
    count_frames,
    frame_bytes,
    iter_frames,
    parse_video_name,
    parse_y4m_header,
    probe_video,
    read_frame,
    read_frames,
    write_y4m,
    write_yuv,
)


def _random_frames(n: int, w: int, h: int, bit_depth: int, seed: int = 1) -> list[Frame]:
    rng = np.random.default_rng(seed)
    cw, ch = chroma_size(w, h)
    dt = np.uint8 if bit_depth == 8 else np.uint16
    top = 1 << bit_depth
    return [
        Frame(
            rng.integers(0, top, (h, w), dtype=dt),
            rng.integers(0, top, (ch, cw), dtype=dt),
            rng.integers(0, top, (ch, cw), dtype=dt),
        )
        for _ in range(n)
    ]


def _same(a: Frame, b: Frame) -> bool:
    return all(np.array_equal(x, y) and x.dtype == y.dtype for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("bit_depth", [8, 10])
@pytest.mark.parametrize("size", [(64, 32), (33, 17), (1, 1)])
def test_raw_round_trip(tmp_path: Path, bit_depth: int, size: tuple[int, int]) -> None:
    w, h = size
    frames = _random_frames(3, w, h, bit_depth)
    p = tmp_path / f"clip_{w}x{h}_25_{bit_depth}bit.yuv"
    assert write_yuv(p, frames, bit_depth) == 3
    assert p.stat().st_size == 3 * frame_bytes(w, h, bit_depth)
    info = probe_video(p)
    assert (info.width, info.height, info.fps, info.bit_depth) == (w, h, 25.0, bit_depth)
    assert info.num_frames == 3 and info.container == "yuv"
    back = read_frames(info)
    assert len(back) == 3 and all(_same(a, b) for a, b in zip(frames, back, strict=True))
    assert _same(read_frame(info, 2), frames[2])
    assert [_same(f, frames[1]) for f in iter_frames(info, 1, 1)] == [True]


def test_layout_is_planar_little_endian(tmp_path: Path) -> None:
    f = Frame(
        np.array([[1, 2], [3, 4]], np.uint16),
        np.array([[513]], np.uint16),
        np.array([[7]], np.uint16),
    )
    p = tmp_path / "x.yuv"
    write_yuv(p, [f], 10)
    assert p.read_bytes() == bytes([1, 0, 2, 0, 3, 0, 4, 0, 1, 2, 7, 0])


def test_odd_size_chroma_is_ceil() -> None:
    assert chroma_size(33, 17) == (17, 9)
    assert frame_bytes(33, 17, 8) == 33 * 17 + 2 * 17 * 9
    assert frame_bytes(33, 17, 10) == 2 * (33 * 17 + 2 * 17 * 9)


def test_partial_frame_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "bad_16x16.yuv"
    p.write_bytes(bytes(frame_bytes(16, 16, 8) * 2 + 5))
    with pytest.raises(HarnessError, match="not a whole number of 16x16"):
        probe_video(p)
    with pytest.raises(HarnessError, match="2 frames \\+ 5 bytes"):
        probe_video(p)


def _touch(p: Path) -> Path:
    p.write_bytes(b"\0" * 384)
    return p


def test_missing_size_names_the_flags(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="--width"):
        probe_video(_touch(tmp_path / "noname.yuv"))
    info = probe_video(tmp_path / "noname.yuv", width=16, height=16)
    assert info.num_frames == 1 and info.bit_depth == 8


def test_flags_override_name(tmp_path: Path) -> None:
    p = tmp_path / "Foo_16x8_50_10bit.yuv"
    p.write_bytes(bytes(frame_bytes(16, 8, 10) * 2))
    info = probe_video(p)
    assert (info.width, info.height, info.fps, info.bit_depth, info.num_frames) == (
        16,
        8,
        50.0,
        10,
        2,
    )
    info = probe_video(p, width=8, height=8, fps=25, bit_depth=8)
    assert (info.width, info.fps, info.bit_depth, info.num_frames) == (8, 25.0, 8, 8)


@pytest.mark.parametrize(
    "name, expect",
    [
        ("BasketballDrive_1920x1080_50.yuv", (1920, 1080, 50.0, None)),
        ("foo_416x240_60_10bit.yuv", (416, 240, 60.0, 10)),
        ("RitualDance_1920x1080_60fps_10bit_420.yuv", (1920, 1080, 60.0, 10)),
        ("/a/b/Cactus_1920x1080_50.yuv", (1920, 1080, 50.0, None)),
        ("x_1280x720_59.94_yuv420p10le.yuv", (1280, 720, 59.94, 10)),
        ("bus_cif_352x288_30.yuv", (352, 288, 30.0, None)),
        ("akiyo_cif.yuv", (352, 288, None, None)),
        ("clip_640x360_10bit.yuv", (640, 360, None, 10)),
        ("plain.yuv", (None, None, None, None)),
    ],
)
def test_parse_video_name(name: str, expect: tuple) -> None:
    n = parse_video_name(name)
    assert (n.width, n.height, n.fps, n.bit_depth) == expect


@pytest.mark.parametrize("bit_depth", [8, 10])
def test_y4m_round_trip(tmp_path: Path, bit_depth: int) -> None:
    frames = _random_frames(4, 31, 15, bit_depth, seed=bit_depth)
    p = tmp_path / "c.y4m"
    write_y4m(p, frames, 31, 15, 30000 / 1001, bit_depth)
    hdr = parse_y4m_header(p)
    assert (hdr.width, hdr.height, hdr.bit_depth) == (31, 15, bit_depth)
    assert hdr.fps == pytest.approx(29.97, abs=1e-3)
    assert hdr.colorspace == ("420jpeg" if bit_depth == 8 else "420p10")
    info = probe_video(p)
    assert info.container == "y4m" and info.num_frames == 4
    assert all(_same(a, b) for a, b in zip(frames, read_frames(info), strict=True))
    assert _same(read_frame(info, 3), frames[3])


def test_y4m_irregular_frame_headers(tmp_path: Path) -> None:
    frames = _random_frames(3, 8, 8, 8)
    p = tmp_path / "irr.y4m"
    with p.open("wb") as fh:
        fh.write(b"YUV4MPEG2 W8 H8 F25:1 Ip C420\n")
        for i, f in enumerate(frames):
            fh.write(b"FRAME\n" if i != 1 else b"FRAME Ixyz\n")
            fh.write(b"".join(x.tobytes() for x in f))
    info = probe_video(p)
    assert info.num_frames == 3
    assert all(_same(a, b) for a, b in zip(frames, read_frames(info), strict=True))


def test_y4m_rejects_444(tmp_path: Path) -> None:
    p = tmp_path / "c.y4m"
    p.write_bytes(b"YUV4MPEG2 W8 H8 F25:1 C444\nFRAME\n" + bytes(192))
    with pytest.raises(HarnessError, match="4:2:0 only"):
        probe_video(p)


def test_frames_out_of_range(tmp_path: Path) -> None:
    info = make_clip(tmp_path / "c_32x16.yuv", 32, 16, 2)
    with pytest.raises(HarnessError, match="has 2"):
        read_frames(info, 1, 2)


def test_convert_bit_depth() -> None:
    f = Frame(
        np.array([[0, 1, 255]], np.uint8), np.array([[128]], np.uint8), np.array([[3]], np.uint8)
    )
    up = convert_bit_depth(f, 8, 10)
    assert up.y.tolist() == [[0, 4, 1020]] and up.y.dtype == np.uint16
    down = convert_bit_depth(Frame(*(np.array([[1023, 2, 1]], np.uint16),) * 3), 10, 8)
    assert down.y.tolist() == [[255, 1, 0]]


def test_make_clip_is_real_content(tmp_path: Path) -> None:
    v8 = make_clip(tmp_path / "a.yuv", 64, 48, 3, 8)
    v10 = make_clip(tmp_path / "b.y4m", 64, 48, 3, 10)
    f8, f10 = read_frame(v8, 1), read_frame(v10, 1)
    assert f8.y.std() > 10  # a photo, not a flat field
    assert int(f10.y.max()) > 255  # a genuine 10-bit signal
    assert np.abs(f10.y.astype(int) - 4 * f8.y.astype(int)).max() <= 4
    a, b = read_frames(v8, 0, 2)
    assert not np.array_equal(a.y, b.y)  # it pans
    assert count_frames(v10) == 3


def test_shared_data_y4m(data_dir: Path) -> None:
    p = data_dir / "parkjoy_160x90_50_10bit.y4m"
    if not p.exists():
        pytest.skip("parkjoy clip not in the shared data")
    info = probe_video(p)
    assert (info.width, info.height, info.fps, info.bit_depth) == (160, 90, 50.0, 10)
    f = read_frame(info, info.num_frames - 1)
    assert f.u.shape == (45, 80) and 64 <= int(f.y.mean()) <= 940
