"""DMVR and BDOF in the engine (both on by default; ``--no-dmvr`` / ``--no-bdof`` switch them
off): FFmpeg's VVC decoder must reproduce the engine's reconstruction bit-exactly for random
access (equidistant references on both sides: the refinements apply) and low-delay B (no such
pairs: they must stay out of the way), 8- and 10-bit input, QP 22 and 37; each tool alone too;
the streams signal sps_dmvr_enabled_flag / sps_bdof_enabled_flag, and each tool changes the
reconstruction (it is really used).

Content: a panned real photograph made at test time (tests/content.py).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from content import make_clip
from engine_check import Case, encode_and_compare, first_values

SPS_FLAGS = ("sps_dmvr_enabled_flag", "sps_bdof_enabled_flag")
RA = ["--config", "ra", "--intra-period", "4"]
LDB = ["--config", "ldb"]

CASES = [
    (Case("dmvr_ra_64x64_8bit_qp22", 64, 64, 5, 8, 22), RA, (3, 1)),
    (Case("dmvr_ra_96x64_10bit_qp37", 96, 64, 5, 10, 37), RA, (-2, 3)),
    (Case("dmvr_ldb_64x64_8bit_qp37", 64, 64, 4, 8, 37), LDB, (3, 1)),
    (Case("dmvr_ldb_64x64_10bit_qp22", 64, 64, 3, 10, 22), LDB, (1, -2)),
]


@pytest.mark.parametrize("case,extra,pan", CASES, ids=[c.name for c, _, _ in CASES])
def test_dmvr_bdof_bit_exact(
    engine_exe: Path,
    ffmpeg_exe: str,
    tmp_path: Path,
    case: Case,
    extra: list[str],
    pan: tuple[int, int],
) -> None:
    src = tmp_path / f"{case.name}.yuv"
    make_clip(src, case.width, case.height, case.frames, bit_depth=case.bit_depth, pan=pan)
    encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case, extra)


def test_each_tool_is_used_and_exact(engine_exe: Path, ffmpeg_exe: str, tmp_path: Path) -> None:
    """Both on, each alone, both off: all FFmpeg-exact; each tool changes the recon."""
    src = tmp_path / "pan.yuv"
    make_clip(src, 64, 64, 5, bit_depth=8, image="coffee", pan=(2, 1))
    variants = {
        "both": [],
        "dmvr_only": ["--no-bdof"],
        "bdof_only": ["--no-dmvr"],
        "none": ["--no-dmvr", "--no-bdof"],
    }
    recon: dict[str, bytes] = {}
    for name, flags in variants.items():
        case = Case(f"use_{name}", 64, 64, 5, 8, 32)
        enc = encode_and_compare(engine_exe, ffmpeg_exe, tmp_path, src, case, RA + flags)
        recon[name] = enc.recon.read_bytes()
        sps = first_values(
            ffmpeg_exe, enc.stream, ("sps_dmvr_enabled_flag", "sps_bdof_enabled_flag")
        )
        assert sps == {
            "sps_dmvr_enabled_flag": int("--no-dmvr" not in flags),
            "sps_bdof_enabled_flag": int("--no-bdof" not in flags),
        }, sps
    assert recon["both"] != recon["none"]
    assert recon["dmvr_only"] != recon["none"], "DMVR changed nothing"
    assert recon["bdof_only"] != recon["none"], "BDOF changed nothing"


def test_help_names_the_switches(engine_exe: Path) -> None:
    out = subprocess.run([str(engine_exe), "--help"], capture_output=True, text=True).stdout
    assert "--no-dmvr" in out and "--no-bdof" in out
