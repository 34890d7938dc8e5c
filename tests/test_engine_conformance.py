"""End-to-end conformance of the engine: FFmpeg's VVC decoder must reproduce the engine's
reconstruction bit-exactly, frame by frame, for 8- and 10-bit input, QP 22/27/32/37, sizes that
are and are not multiples of 8 (and of the 128 CTU), with and without deblocking.

Content: a real photograph (scikit-image) panned across the frame, made at test time, always;
real clips from ../shared/data (decoded with FFmpeg) when that directory is present.

The engine binary: $VTM_ACCEL_ENGINE, else the one the package finds (conftest's engine_exe).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from content import make_clip
from engine_check import Case, Encoded, decode_clip, encode_and_compare, real_clip

# Synthetic real-photo cases: every QP, both bit depths, a size that is a multiple of 8 but not
# of the CTU, one that is not a multiple of 8 (coded padded, cropped by the conformance window),
# deblocking on and off.
SYNTHETIC = [
    Case("astro_416x240_8bit_qp22", 416, 240, 2, 8, 22),
    Case("astro_416x240_10bit_qp37", 416, 240, 2, 10, 37),
    Case("astro_202x118_10bit_qp27", 202, 118, 2, 10, 27),
    Case("astro_202x118_8bit_qp32_nodb", 202, 118, 2, 8, 32, deblock=False),
    Case("astro_136x72_8bit_qp37", 136, 72, 3, 8, 37),
]


@pytest.mark.parametrize("case", SYNTHETIC, ids=lambda c: c.name)
def test_synthetic_bit_exact(engine_exe: Path, ffmpeg_exe: str, tmp_path: Path, case: Case) -> None:
    ext = ".y4m" if case.bit_depth == 8 and case.width == 136 else ".yuv"
    src = tmp_path / f"{case.name}{ext}"
    make_clip(src, case.width, case.height, case.frames, bit_depth=case.bit_depth)
    encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case)


@pytest.mark.slow
def test_synthetic_1080p_bit_exact(engine_exe: Path, ffmpeg_exe: str, tmp_path: Path) -> None:
    case = Case("astro_1920x1080_10bit_qp32", 1920, 1080, 1, 10, 32)
    src = tmp_path / "astro1080.yuv"
    make_clip(src, case.width, case.height, case.frames, bit_depth=10, pan=(4, 2))
    encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case)


REAL = [
    ("basketballpass_416x240_50_10bit.266", Case("bbpass_qp32", 416, 240, 2, 10, 32)),
    ("racehorses_416x240_30_10bit.266", Case("racehorses_qp22_nodb", 416, 240, 1, 10, 22, False)),
    ("foreman_qcif_176x144_30_dec_30f.y4m", Case("foreman_8bit_qp27", 176, 144, 2, 8, 27)),
]


@pytest.mark.parametrize("clip,case", REAL, ids=[c.name for _, c in REAL])
def test_real_clip_bit_exact(
    engine_exe: Path, ffmpeg_exe: str, data_dir: Path, tmp_path: Path, clip: str, case: Case
) -> None:
    path = real_clip(data_dir, clip)
    src = decode_clip(ffmpeg_exe, path, tmp_path / f"{case.name}.yuv", case.frames, case.bit_depth)
    encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case)


def test_split_log_with_bit_exact_stream(engine_exe: Path, ffmpeg_exe: str, tmp_path: Path) -> None:
    """--split-log (the logging split oracle) writes one line per CTU and tree, in coding
    order, and does not change the stream's conformance."""
    case = Case("astro_264x136_8bit_qp32_log", 264, 136, 2, 8, 32)
    src = tmp_path / "log.yuv"
    make_clip(src, case.width, case.height, case.frames, bit_depth=8)
    log = tmp_path / "splits.jsonl"
    encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case, ["--split-log", str(log)])
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    ctus = [(x, y) for y in range(0, case.height, 128) for x in range(0, case.width, 128)]
    assert len(lines) == 2 * len(ctus) * case.frames
    for i, rec in enumerate(lines):
        frame, k = divmod(i, 2 * len(ctus))
        assert rec["poc"] == frame and rec["qp"] == case.qp and rec["slice_type"] == "I"
        assert (rec["x"], rec["y"]) == ctus[k // 2]
        assert rec["tree"] == ("luma", "chroma")[k % 2]
        splits = rec["splits"]
        assert splits[0] == 1, "the 128 CTU is split into 64x64 quadrants implicitly"
        assert all(0 <= s <= 5 for s in splits)


# Random access and low-delay B: B slices with skip / merge / AMVP / intra CUs, TMVP, HMVP,
# inter deblocking. Random access in both first-IRAP structures: VTM's (--first-irap poc0: CRA
# at POC 0; 33 frames at intra period 32 give a second CRA with RASL leading pictures) and an
# IDR_W_RADL closing the first GOP, RADL pictures before it (the default's choice at intra
# period 16 and 33 frames, which also give a CRA with RASL pictures and a trailing picture).
# The recon is in output order, like FFmpeg's output. Tiny sizes keep it fast.
@dataclass(frozen=True)
class InterCase:
    case: Case
    config: str
    intra_period: int = 32
    poc0_irap: bool = False

    def args(self) -> list[str]:
        extra = ["--config", self.config, "--intra-period", str(self.intra_period)]
        return extra + (["--first-irap", "poc0"] if self.poc0_irap else [])


INTER_SYNTHETIC = [
    InterCase(Case("astro_64x64_8bit_qp32_ra", 64, 64, 33, 8, 32), "ra", poc0_irap=True),
    InterCase(Case("astro_66x50_10bit_qp22_ra_lead", 66, 50, 33, 10, 22), "ra", 16),
    InterCase(Case("astro_72x56_8bit_qp37_ldb", 72, 56, 9, 8, 37), "ldb"),
    InterCase(Case("astro_64x48_10bit_qp27_ldb_nodb", 64, 48, 6, 10, 27, False), "ldb"),
]


@pytest.mark.parametrize("ic", INTER_SYNTHETIC, ids=lambda c: c.case.name)
def test_inter_synthetic_bit_exact(
    engine_exe: Path, ffmpeg_exe: str, tmp_path: Path, ic: InterCase
) -> None:
    case = ic.case
    src = tmp_path / f"{case.name}.yuv"
    make_clip(src, case.width, case.height, case.frames, bit_depth=case.bit_depth)
    enc = encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case, ic.args())
    if ic.config == "ra":
        nal = {int(p["poc"]): p["nal"] for p in enc.log}
        first = 0 if ic.poc0_irap else ic.intra_period - 1
        assert [int(p["poc"]) for p in enc.log][0] == first, "the first IRAP is coded first"
        assert nal[first] == ("CRA" if ic.poc0_irap else "IDR_W_RADL")
        assert all(nal[poc] == "RADL" for poc in range(first))
        assert nal[first + ic.intra_period] == "CRA" and nal[first + ic.intra_period - 1] == "RASL"


@pytest.mark.slow
def test_inter_1080p_bit_exact(engine_exe: Path, ffmpeg_exe: str, tmp_path: Path) -> None:
    """Random access at 1920x1080 (a partial last CTU row, 135 CTUs per picture): the intra
    picture and two B pictures (about a minute of CPU)."""
    case = Case("astro_1920x1080_10bit_qp37_ra", 1920, 1080, 3, 10, 37)
    src = tmp_path / "astro1080.yuv"
    make_clip(src, case.width, case.height, case.frames, bit_depth=10, pan=(4, 2))
    extra = ["--config", "ra", "--intra-period", "32"]
    encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case, extra)


INTER_REAL = [
    (
        "basketballpass_416x240_50_10bit.266",
        InterCase(Case("bbpass_crop_ra_qp27", 64, 64, 33, 10, 27), "ra", poc0_irap=True),
    ),
    (
        "foreman_qcif_176x144_30_dec_30f.y4m",
        InterCase(Case("foreman_crop_ldb_qp37", 64, 48, 8, 8, 37), "ldb"),
    ),
]


@pytest.mark.parametrize("clip,ic", INTER_REAL, ids=[c.case.name for _, c in INTER_REAL])
def test_inter_real_clip_bit_exact(
    engine_exe: Path, ffmpeg_exe: str, data_dir: Path, tmp_path: Path, clip: str, ic: InterCase
) -> None:
    path = real_clip(data_dir, clip)
    case = ic.case
    crop = (case.width, case.height, 96, 64)
    src = tmp_path / f"{case.name}.yuv"
    decode_clip(ffmpeg_exe, path, src, case.frames, case.bit_depth, crop)
    encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case, ic.args())


def test_fast_inter_split_prunes_and_stays_bit_exact(
    engine_exe: Path, ffmpeg_exe: str, tmp_path: Path
) -> None:
    """The default P/B split search (VVenC's fast TT early termination) against the fully
    exhaustive one (--no-fast-inter-split): both decode bit-exactly, and on the first B
    picture (the same reference and, with one CTU per picture, the same contexts) the fast
    search visits no more nodes; over the sequence it visits fewer."""
    case = Case("astro_64x64_10bit_qp32_ra_fast", 64, 64, 9, 10, 32)
    src = tmp_path / "fast.yuv"
    make_clip(src, case.width, case.height, case.frames, bit_depth=10, pan=(3, 1))
    ra = ["--config", "ra", "--intra-period", "8"]
    fast = encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case, ra)
    full_case = Case("astro_64x64_10bit_qp32_ra_full", 64, 64, 9, 10, 32)
    full = encode_and_compare(
        engine_exe, ffmpeg_exe, tmp_path, src, full_case, [*ra, "--no-fast-inter-split"]
    )
    b_fast = [int(p["nodes"]) for p in fast.log if p["slice_type"] == "B"]
    b_full = [int(p["nodes"]) for p in full.log if p["slice_type"] == "B"]
    assert b_fast[0] <= b_full[0]
    assert sum(b_fast) < sum(b_full)


def test_pb_intra_fast_prunes_intra_and_stays_bit_exact(
    engine_exe: Path, ffmpeg_exe: str, tmp_path: Path
) -> None:
    """VTM's PBIntraFast (default) against a full intra search in B slices
    (--no-pb-intra-fast): both decode bit-exactly, the pruning changes decisions (content
    enters at the edge, where intra CUs win), and it costs at most a little: the same
    PSNR-YUV within 0.05 dB at no more than 2 % more bits."""
    case = Case("chelsea_128x64_10bit_qp27_ra_pbif", 128, 64, 9, 10, 27)
    src = tmp_path / "pbif.yuv"
    make_clip(src, case.width, case.height, case.frames, bit_depth=10, image="chelsea", pan=(6, 2))
    ra = ["--config", "ra", "--intra-period", "8"]
    fast = encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case, ra)
    full_case = Case("chelsea_128x64_10bit_qp27_ra_full_intra", 128, 64, 9, 10, 27)
    full = encode_and_compare(
        engine_exe, ffmpeg_exe, tmp_path, src, full_case, [*ra, "--no-pb-intra-fast"]
    )
    assert fast.stream.read_bytes() != full.stream.read_bytes()

    def psnr_yuv(enc: Encoded) -> float:
        return (6 * enc.mean("psnr_y") + enc.mean("psnr_u") + enc.mean("psnr_v")) / 8

    assert fast.bits() <= 1.02 * full.bits()
    assert psnr_yuv(fast) >= psnr_yuv(full) - 0.05


def test_search_range_follows_the_ctc(engine_exe: Path, ffmpeg_exe: str, tmp_path: Path) -> None:
    """Random access searches motion as far as the CTC cfg (SearchRange 384, adaptive: at
    least 96 samples; engine/tests/test_inter_search.cpp checks the window itself). Content
    panning 40 samples per picture, so 80 between POC 1 and its only reference (the IDR at
    POC 3, intra period 4): --search-range 64 reaches that motion only through neighbours'
    predictors and spends more bits on POC 1 at the same QP. Both decode bit-exactly."""
    case = Case("astro_256x128_10bit_qp22_ra_sr", 256, 128, 5, 10, 22)
    src = tmp_path / "pan40.yuv"
    make_clip(src, case.width, case.height, case.frames, bit_depth=10, pan=(40, 0))
    ra = ["--config", "ra", "--intra-period", "4"]
    wide = encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case, ra)
    narrow_case = Case("astro_256x128_10bit_qp22_ra_sr64", 256, 128, 5, 10, 22)
    narrow = encode_and_compare(
        engine_exe, ffmpeg_exe, tmp_path, src, narrow_case, [*ra, "--search-range", "64"]
    )
    poc1 = [next(p for p in enc.log if p["poc"] == 1) for enc in (wide, narrow)]
    assert poc1[0]["bits"] < 0.95 * poc1[1]["bits"]
    assert poc1[0]["psnr_y"] > poc1[1]["psnr_y"] - 0.1
