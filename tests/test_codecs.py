"""codecs: real encodes with VVenC (FFmpeg), FFmpeg decoding, templates, VTM stand-in, engine."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from content import make_clip
from fake_vtm import write_fake_vtm

from vtm_accel.codecs.base import EncodeJob
from vtm_accel.codecs.common import decoded_video, output_paths, probe_bitstream
from vtm_accel.codecs.engine import EngineEncoder, find_engine, read_engine_log
from vtm_accel.codecs.ffmpeg_decoder import FfmpegDecoder
from vtm_accel.codecs.registry import make_decoder, make_encoder, parse_spec
from vtm_accel.codecs.vtm import parse_vtm_encoder_log
from vtm_accel.core import HarnessError, VideoInfo
from vtm_accel.io import read_frames
from vtm_accel.metrics import peak_value, video_psnr

W, H, N = 256, 144, 4


@pytest.fixture(scope="module")
def clip8(tmp_path_factory: pytest.TempPathFactory) -> VideoInfo:
    d = tmp_path_factory.mktemp("clips")
    return make_clip(d / "astro_256x144_30.yuv", W, H, N, 8, "astronaut")


@pytest.fixture(scope="module")
def clip10(tmp_path_factory: pytest.TempPathFactory) -> VideoInfo:
    d = tmp_path_factory.mktemp("clips10")
    return make_clip(d / "coffee_256x144_50_10bit.yuv", W, H, N, 10, "coffee", fps=50.0)


def _job(video: VideoInfo, out: Path, qp: int, **kw: object) -> EncodeJob:
    return EncodeJob(
        video=video,
        frames=kw.pop("frames", N),  # type: ignore[arg-type]
        qp=qp,
        intra_period=kw.pop("intra_period", 32),  # type: ignore[arg-type]
        out_dir=out,
        **kw,  # type: ignore[arg-type]
    )


def _nal_types(ffmpeg: str, bitstream: Path) -> list[int]:
    err = subprocess.run(
        [ffmpeg, "-hide_banner", "-i", str(bitstream), "-c", "copy", "-bsf:v", "trace_headers"]
        + ["-f", "null", "-"],
        capture_output=True,
        text=True,
    ).stderr
    return [int(ln.rsplit("=", 1)[1]) for ln in err.splitlines() if "nal_unit_type" in ln]


def _decode_and_psnr(bitstream: Path, source: VideoInfo, tmp: Path, start: int = 0) -> tuple:
    dec = FfmpegDecoder().decode(bitstream, tmp / (bitstream.stem + "_dec.yuv"))
    return dec, video_psnr(source, decoded_video(dec, source.fps), start=start)


def test_vvenc_rate_and_quality(clip8: VideoInfo, tmp_path: Path) -> None:
    enc = make_encoder("vvenc:faster")
    sizes = {}
    for qp in (27, 37):
        r = enc.encode(_job(clip8, tmp_path, qp, core=os.sched_getaffinity(0).pop()))
        assert r.bitstream.name == f"astro_256x144_30_qp{qp}.266"
        assert r.recon is None and r.qp_used == qp and r.intra_period == 32
        assert "preset=faster" in r.encoder_id and "ffmpeg" in r.encoder_id
        assert r.stats.cpu_s > 0 and r.stats.wall_s > 0 and r.stats.returncode == 0
        assert r.stats.cpu_s < 1.5 * r.stats.wall_s + 0.1  # one thread
        dec, psnr = _decode_and_psnr(r.bitstream, clip8, tmp_path)
        assert (dec.frames, dec.width, dec.height, dec.bit_depth) == (N, W, H, 10)
        assert psnr.y > 30 and psnr.u > 30 and psnr.v > 30
        sizes[qp] = (r.bitstream.stat().st_size, psnr.y)
    assert sizes[27][0] > 1.5 * sizes[37][0]  # lower QP, more bytes
    assert sizes[27][1] > sizes[37][1] + 2  # and better quality


def test_vvenc_medium_10bit_source(clip10: VideoInfo, tmp_path: Path) -> None:
    r = make_encoder("vvenc:preset=medium").encode(_job(clip10, tmp_path, 32, intra_period=48))
    dec, psnr = _decode_and_psnr(r.bitstream, clip10, tmp_path)
    assert dec.frames == N and dec.bit_depth == 10
    assert psnr.yuv > 33
    info = probe_bitstream(r.bitstream)
    assert (info.width, info.height, info.pix_fmt) == (W, H, "yuv420p10le")


def test_vvenc_all_intra(clip8: VideoInfo, tmp_path: Path, ffmpeg_exe: str) -> None:
    r = make_encoder("vvenc:faster,ai").encode(_job(clip8, tmp_path, 32))
    assert r.intra_period == 1 and r.extra["all_intra"]
    vcl = [t for t in _nal_types(ffmpeg_exe, r.bitstream) if t < 12]
    assert len(vcl) == N and all(t in (7, 8, 9) for t in vcl)  # IDR/CRA only: all intra
    ra = make_encoder("vvenc:faster").encode(_job(clip8, tmp_path / "ra", 32))
    vcl_ra = [t for t in _nal_types(ffmpeg_exe, ra.bitstream) if t < 12]
    assert any(t not in (7, 8, 9) for t in vcl_ra)  # random access has inter pictures


def test_vvenc_y4m_with_frame_skip(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "pan.y4m", 128, 64, 5, 10, "chelsea", fps=25.0, pan=(9, 0))
    r = make_encoder("vvenc:faster").encode(_job(src, tmp_path, 22, frames=2, frame_skip=2))
    dec, good = _decode_and_psnr(r.bitstream, src, tmp_path, start=2)
    assert dec.frames == 2
    wrong = video_psnr(src, decoded_video(dec, src.fps), start=0)
    assert good.y > 35 and good.y > wrong.y + 5  # it coded frames 2..3, not 0..1


def test_decoder_rejects_garbage(tmp_path: Path) -> None:
    bad = tmp_path / "bad.266"
    bad.write_bytes(b"\x00\x00\x01" + bytes(100))
    with pytest.raises(HarnessError):
        FfmpegDecoder().decode(bad, tmp_path / "o.yuv")
    with pytest.raises(HarnessError, match="missing or empty"):
        FfmpegDecoder().decode(tmp_path / "none.266", tmp_path / "o.yuv")


def test_template_encoder(clip8: VideoInfo, tmp_path: Path, ffmpeg_exe: str) -> None:
    argv = [
        ffmpeg_exe, "-y", "-nostdin", "-f", "rawvideo", "-pix_fmt", "yuv420p",
        "-s", "{width}x{height}", "-r", "{fps}", "-i", "{input}", "-frames:v", "{frames}",
        "-c:v", "libvvenc", "-preset", "faster", "-qp", "{qp}", "-qpa", "0", "-threads", "1",
        "-vvenc-params", "IntraPeriod={intra_period}", "-f", "vvc", "{bitstream}",
    ]  # fmt: skip
    spec_file = tmp_path / "enc.json"
    spec_file.write_text(json.dumps({"argv": argv, "name": "myvvenc"}))
    for spec in (f"template:{spec_file}", "template:" + " ".join(argv)):
        enc = make_encoder(spec)
        r = enc.encode(_job(clip8, tmp_path / enc.name, 30))
        assert r.recon is None and r.encoder_id.startswith(f"template:{enc.name}:")
        dec, psnr = _decode_and_psnr(r.bitstream, clip8, tmp_path)
        assert dec.frames == N and psnr.y > 30
    assert make_encoder(f"template:{spec_file}").name == "myvvenc"
    with pytest.raises(HarnessError, match="unknown placeholder"):
        make_encoder(f"template:{ffmpeg_exe} {{bogus}} {{bitstream}}")
    with pytest.raises(HarnessError, match="bitstream"):
        make_encoder(f"template:{ffmpeg_exe} -i {{input}}")


def test_vtm_stand_in_end_to_end(clip8: VideoInfo, tmp_path: Path, ffmpeg_exe: str) -> None:
    enc_app, dec_app = write_fake_vtm(tmp_path / "vtm", ffmpeg_exe)
    cfg = tmp_path / "encoder_randomaccess_vtm.cfg"
    cfg.write_text("InternalBitDepth : 10\n")
    enc = make_encoder(
        f"vtm:encoder={enc_app},cfg={cfg},args=--Level=4.1 --SEIDecodedPictureHash=1"
    )
    assert enc.supports_qp_fraction
    job = _job(clip8, tmp_path / "out", 32, intra_period=32, frames=3, frame_skip=1)
    r = enc.encode(job)
    rec = json.loads(Path(str(r.bitstream) + ".argv.json").read_text())
    o = rec["opts"]
    assert rec["cfgs"] == [str(cfg)]
    assert (o["wdt"], o["hgt"], o["fr"], o["f"], o["fs"], o["q"]) == (
        "256",
        "144",
        "30",
        "3",
        "1",
        "32",
    )
    assert o["InputBitDepth"] == "8" and o["OutputBitDepth"] == "10" and o["IntraPeriod"] == "32"
    assert o["Level"] == "4.1" and o["b"] == str(r.bitstream) and o["o"] == str(r.recon)
    # the parsed log agrees with the harness's own PSNR at VTM's peak
    pics = r.extra["pictures"]
    assert [p["poc"] for p in pics] == [0, 1, 2] and pics[0]["qp"] == 32
    assert r.extra["summary"]["frames"] == 3 and r.extra["vtm_time_user_s"] is not None
    dec = make_decoder(f"vtm:{dec_app}").decode(r.bitstream, tmp_path / "vtmdec.yuv")
    assert (dec.frames, dec.width, dec.height, dec.bit_depth) == (3, W, H, 10)
    mine = video_psnr(clip8, decoded_video(dec, clip8.fps), start=1, peak=peak_value(10, "vtm"))
    assert mine.y == pytest.approx(r.extra["summary"]["psnr_y"], abs=1e-3)
    assert mine.v == pytest.approx(r.extra["summary"]["psnr_v"], abs=1e-3)
    assert read_frames(decoded_video(dec, 30))[2].y.tobytes() == (
        read_frames(VideoInfo(r.recon, W, H, 30, 10, num_frames=3))[2].y.tobytes()
    )
    # fractional QP: QP+1 from source frame skip + round(frames * (1 - f)) on
    frac = enc.encode(_job(clip8, tmp_path / "frac", 32, frames=4, qp_fraction=0.25))
    assert frac.qp_used == 32.25 and frac.bitstream.name.endswith("_qp32.25.266")
    assert (
        json.loads(Path(str(frac.bitstream) + ".argv.json").read_text())["opts"]["QPIncrementFrame"]
        == "3"
    )


def test_vtm_spec_errors(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="vtm:encoder=/path/EncoderApp"):
        make_encoder("vtm:cfg=x.cfg")
    with pytest.raises(HarnessError, match="EncoderApp"):
        make_encoder(f"vtm:encoder={tmp_path}/missing,cfg=x.cfg")
    with pytest.raises(HarnessError, match="DecoderApp"):
        make_decoder("vtm")


def test_parse_real_vtm_log_format() -> None:
    hdr = "\tTotal Frames |   Bitrate     Y-PSNR    U-PSNR    V-PSNR    YUV-PSNR "
    log = "\n".join(
        [
            "POC    0 LId:  0 TId: 0 ( IDR_W_RADL, I-SLICE, QP 34 )     192792 bits "
            "[Y 37.8913 dB    U 40.5283 dB    V 41.5349 dB] [ET     1 ] [L0 ] [L1 ]",
            "POC   16 LId:  0 TId: 1 ( TRAIL, B-SLICE, QP 36 )      12345 bits "
            "[Y 36.1000 dB    U 40.0000 dB    V 41.0000 dB] [ET     2 ] [L0 0 ] [L1 0 ]",
            "POC    9 LId:  0 TId: 5 ( RASL_NUT, b-SLICE, QP 41 )        840 bits "
            "[Y 35.0000 dB    U 39.0000 dB    V 40.0000 dB] [ET     0 ] [L0 8 0 ] [L1 10 16 ]",
            "",
            "",
            "SUMMARY --------------------------------------------------------",
            hdr,
            "\t        2    a    1234.5678   36.9956   40.2641   41.2674   38.0000",
            "",
            "",
            "I Slices--------------------------------------------------------",
            hdr,
            "\t        1    i    9999.0000   37.8913   40.5283   41.5349   39.0000",
            "",
            " Total Time:      12.345 sec. [user]      12.400 sec. [elapsed]",
        ]
    )
    p = parse_vtm_encoder_log(log)
    assert [x["poc"] for x in p["pictures"]] == [0, 9, 16]
    assert p["pictures"][1]["slice_type"] == "B" and not p["pictures"][1]["referenced"]
    assert p["pictures"][1]["qp"] == 41 and p["pictures"][1]["nal_type"] == "RASL_NUT"
    assert p["pictures"][0]["bits"] == 192792 and p["pictures"][2]["slice_type"] == "B"
    assert p["pictures"][2]["temporal_id"] == 1 and p["pictures"][0]["nal_type"] == "IDR_W_RADL"
    assert p["summary"]["kbps"] == 1234.5678 and p["summary"]["psnr_u"] == 40.2641
    assert p["summary"]["frames"] == 2  # the "a" row, not the I-slice row
    assert p["vtm_time_user_s"] == 12.345 and p["vtm_time_elapsed_s"] == 12.4


def test_engine_argv(clip8: VideoInfo, tmp_path: Path) -> None:
    fake = tmp_path / "vtm-accel-engine"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    enc = make_encoder(f"engine:preset=fast,nn=model.pt,level=2,md5-sei,bin={fake}")
    assert isinstance(enc, EngineEncoder)
    job = _job(clip8, tmp_path / "o", 27, frame_skip=1, intra_period=1)
    paths = output_paths(job)
    argv = enc.argv(job, paths)
    assert argv[0] == str(fake.resolve())
    got = " ".join(argv[1:])
    assert got == (
        f"--input {clip8.path} --width 256 --height 144 --input-bit-depth 8 --fps 30 "
        f"--frames 4 --frame-skip 1 --qp 27 --intra-period 1 "
        f"--bitstream {tmp_path}/o/astro_256x144_30_qp27.266 "
        f"--recon {tmp_path}/o/astro_256x144_30_qp27_recon.yuv "
        f"--log {tmp_path}/o/astro_256x144_30_qp27.jsonl --config ai "
        f"--preset fast --nn model.pt --level 2 --md5-sei"
    )
    y4m = VideoInfo(Path("/x/a.y4m"), 64, 64, 25.0, 10, "y4m", 5)
    argv = enc.argv(_job(y4m, tmp_path, 30), output_paths(_job(y4m, tmp_path, 30)))
    assert "--width" not in argv and "--input-bit-depth" not in argv
    # Intra period != 1: random access unless the spec names the structure.
    ra_job = _job(clip8, tmp_path / "o", 27, intra_period=32)
    argv = enc.argv(ra_job, output_paths(ra_job))
    assert argv[argv.index("--config") + 1] == "ra"
    ldb = make_encoder(f"engine:config=ldb,bin={fake}")
    argv = ldb.argv(ra_job, output_paths(ra_job))
    assert argv.count("--config") == 1 and argv[argv.index("--config") + 1] == "ldb"
    with pytest.raises(HarnessError, match="wrote no bitstream"):
        enc.encode(job)


def test_engine_missing_says_how_to_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import vtm_accel.codecs.engine as engine_mod

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("VTM_ACCEL_ENGINE", raising=False)
    monkeypatch.setattr(engine_mod, "_install_dirs", lambda: [])
    with pytest.raises(HarnessError, match="cmake"):
        find_engine(repo_root=tmp_path)
    monkeypatch.setenv("VTM_ACCEL_ENGINE", str(tmp_path / "nope"))
    with pytest.raises(HarnessError, match="VTM_ACCEL_ENGINE"):
        make_encoder("engine")


def test_engine_real_run(clip8: VideoInfo, tmp_path: Path) -> None:
    try:
        find_engine()
    except HarnessError:
        pytest.skip("engine binary not built")
    r = make_encoder("engine").encode(_job(clip8, tmp_path, 32, frames=2, intra_period=1))
    dec, psnr = _decode_and_psnr(r.bitstream, clip8, tmp_path)
    assert dec.frames == 2 and psnr.y > 30
    assert r.recon is not None
    assert r.recon.read_bytes() == dec.decoded.read_bytes()  # conformance: recon == decode
    assert len(read_engine_log(tmp_path / "astro_256x144_30_qp32.jsonl")) == 2


def test_registry_parsing_and_errors() -> None:
    assert parse_spec("vvenc:preset=slower") == ("vvenc", [], {"preset": ["slower"]})
    assert parse_spec("vtm:encoder=/a,cfg=/b,cfg=/c") == (
        "vtm",
        [],
        {"encoder": ["/a"], "cfg": ["/b", "/c"]},
    )
    assert parse_spec("template:enc -q {qp},x") == ("template", ["enc -q {qp},x"], {})
    assert make_encoder("vvenc").preset == "medium"  # type: ignore[attr-defined]
    assert make_encoder("vvenc:slow").preset == "slow"  # type: ignore[attr-defined]
    assert make_decoder().name == "ffmpeg" and make_decoder("ffmpeg").identity().startswith(
        "ffmpeg-vvc:"
    )
    for bad, msg in [
        ("vvenc:ultrafast", "preset"),
        ("x265", "unknown encoder"),
        ("/opt/build/vtm-accel-engine", "engine:bin=/opt/build/vtm-accel-engine"),
        ("vvenc:IntraPeriod=8", "set by the harness"),
        ("template:", "needs an argv"),
    ]:
        with pytest.raises(HarnessError, match=msg):
            make_encoder(bad)
    with pytest.raises(HarnessError, match="unknown decoder"):
        make_decoder("dav1d")


def test_shared_data_decode_and_reencode(data_dir: Path, tmp_path: Path) -> None:
    bits = data_dir / "basketballpass_416x240_50_10bit.266"
    if not bits.exists():
        pytest.skip("basketballpass stream not in the shared data")
    dec = make_decoder("ffmpeg").decode(bits, tmp_path / "bp.yuv")
    assert (dec.frames, dec.width, dec.height, dec.bit_depth) == (48, 416, 240, 10)
    src = decoded_video(dec, 50.0)
    r = make_encoder("vvenc:faster").encode(_job(src, tmp_path, 27, frames=3, intra_period=48))
    _, psnr = _decode_and_psnr(r.bitstream, src, tmp_path)
    assert psnr.y > 32


def test_vvenc_rejects_odd_sizes_and_fractions(tmp_path: Path) -> None:
    odd = make_clip(tmp_path / "odd_33x17.yuv", 33, 17, 1)
    enc = make_encoder("vvenc:faster")
    with pytest.raises(HarnessError, match="even frame sizes"):
        enc.encode(_job(odd, tmp_path, 30, frames=1))
    even = make_clip(tmp_path / "even_34x18.yuv", 34, 18, 1)
    with pytest.raises(HarnessError, match="integer QPs"):
        enc.encode(_job(even, tmp_path, 30, frames=1, qp_fraction=0.5))
