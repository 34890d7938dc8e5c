"""Per-picture analysis of coded streams (vtm_accel.analysis.pictures): the structure read from
FFmpeg's trace agrees with what the engine says it coded (POC, TemporalId, NAL type, slice QP,
bits per access unit), covers another encoder's stream (VVenC through FFmpeg), and the PSNR of
the decoded output lands on the right picture."""

from __future__ import annotations

import subprocess

import pytest
from content import make_clip
from engine_check import encode, size_args

from vtm_accel.analysis.pictures import attach_psnr, layer_table, read_pictures
from vtm_accel.core import HarnessError
from vtm_accel.io import probe_video
from vtm_accel.metrics import video_psnr

W, H = 64, 64


@pytest.fixture(scope="module")
def ra_stream(tmp_path_factory, engine_exe):
    tmp = tmp_path_factory.mktemp("pictures")
    src = tmp / "src.yuv"
    make_clip(src, W, H, 17, bit_depth=10, pan=(2, 1))
    args = ["--frames", "17", "--qp", "32", "--config", "ra", "--intra-period", "16"]
    return src, encode(engine_exe, src, tmp / "ra", args + size_args(W, H, 10))


def test_structure_matches_the_engine_log(ra_stream, ffmpeg_exe):
    src, enc = ra_stream
    pics = read_pictures(enc.stream, ffmpeg_exe)
    assert len(pics) == len(enc.log) == 17
    for p, e in zip(pics, enc.log, strict=True):  # both in coding order
        assert (p.poc, p.temporal_id, p.nal_type, p.qp, p.bits) == (
            e["poc"],
            e["tid"],
            e["nal"],
            e["qp"],
            e["bits"],
        )
    assert sum(p.bits for p in pics) == 8 * enc.stream.stat().st_size
    assert sorted(p.poc for p in pics) == list(range(17))


def test_psnr_lands_on_its_picture(ra_stream, ffmpeg_exe, tmp_path):
    src, enc = ra_stream
    dec = tmp_path / "dec.yuv"
    subprocess.run(
        [ffmpeg_exe, "-v", "error", "-i", str(enc.stream), "-pix_fmt", "yuv420p10le"]
        + ["-f", "rawvideo", str(dec)],
        check=True,
        timeout=120,
    )
    per = video_psnr(
        probe_video(src, width=W, height=H, bit_depth=10),
        probe_video(dec, width=W, height=H, bit_depth=10),
        keep_frames=True,
    ).per_frame
    pics = attach_psnr(read_pictures(enc.stream, ffmpeg_exe), per)
    by_poc = {e["poc"]: e for e in enc.log}
    for p in pics:  # the engine's log measures the same pictures
        assert p.psnr is not None
        assert p.psnr[0] == pytest.approx(by_poc[p.poc]["psnr_y"], abs=1e-3)
    rows = layer_table(pics)
    assert rows[0].temporal_id == -1 and rows[0].pictures == 1  # the IDR alone
    assert sum(r.pictures for r in rows) == 17
    assert sum(r.share_of_bits for r in rows) == pytest.approx(1.0)
    # deeper layers get higher QPs (the CTC cascade)
    qps = [r.mean_qp for r in rows[1:]]
    assert qps == sorted(qps)
    with pytest.raises(HarnessError, match="decoded frames"):
        attach_psnr(pics, per[:-1])


def test_another_encoders_stream(tmp_path, ffmpeg_exe):
    src = tmp_path / "src.yuv"
    make_clip(src, W, H, 9, bit_depth=10)
    stream = tmp_path / "vvenc.266"
    run = subprocess.run(
        [ffmpeg_exe, "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p10le", "-s", f"{W}x{H}"]
        + ["-r", "30", "-i", str(src), "-c:v", "libvvenc", "-preset", "faster", "-qp", "32"]
        + ["-qpa", "0", "-threads", "1", "-vvenc-params", "IntraPeriod=8", "-f", "vvc"]
        + [str(stream)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if run.returncode != 0 and "libvvenc" in run.stderr:
        pytest.skip("this FFmpeg has no libvvenc")
    assert run.returncode == 0, run.stderr[-1000:]
    pics = read_pictures(stream, ffmpeg_exe)
    assert sorted(p.poc for p in pics) == list(range(9))
    assert sum(p.bits for p in pics) == 8 * stream.stat().st_size
    assert pics[0].nal_type in ("IDR_W_RADL", "IDR_N_LP", "CRA")
    assert all(p.qp is not None and 0 < p.qp < 64 for p in pics)
    assert {p.temporal_id for p in pics} != {0}  # a hierarchy, read from the NAL headers


def test_not_a_stream(tmp_path, ffmpeg_exe):
    junk = tmp_path / "junk.266"
    junk.write_bytes(b"\x00\x00\x01" + bytes(range(200)))
    with pytest.raises(HarnessError):
        read_pictures(junk, ffmpeg_exe)
    with pytest.raises(HarnessError, match="missing or empty"):
        read_pictures(tmp_path / "absent.266", ffmpeg_exe)
