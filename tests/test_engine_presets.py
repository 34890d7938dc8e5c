"""The engine's preset ladder (``--preset``): every rung codes a stream FFmpeg decodes to the
engine's reconstruction, with the same parameter sets (presets set speed knobs, never coding
tools); the default is ``--preset slower`` bit for bit; an unknown name is a usage error that
lists the known ones; and down the ladder no rung searches more coding-tree nodes than the one
above it.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest
from content import make_clip
from engine_check import Case, Encoded, encode, encode_and_compare, size_args

PRESETS = ("exhaustive", "slower", "slow", "medium", "fast")
RA = ["--config", "ra", "--intra-period", "8"]
CASE = Case("presets_ra_128x96", 128, 96, 9, 10, 32)
PARAMETER_SETS = {14: "VPS", 15: "SPS", 16: "PPS"}  # nal_unit_type


def _nal_units(stream: Path) -> list[bytes]:
    """The NAL units of an Annex B stream (start codes removed)."""
    data = stream.read_bytes()
    units, start = [], None
    i = 0
    while i + 3 <= len(data):
        if data[i : i + 3] == b"\x00\x00\x01":
            if start is not None:
                units.append(data[start:i].rstrip(b"\x00"))
            start = i = i + 3
        else:
            i += 1
    if start is not None:
        units.append(data[start:])
    return units


def _parameter_sets(stream: Path) -> list[bytes]:
    return [u for u in _nal_units(stream) if (u[1] >> 3) in PARAMETER_SETS]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("presets") / "clip.yuv"
    make_clip(src, CASE.width, CASE.height, CASE.frames, bit_depth=CASE.bit_depth)
    return src


@pytest.fixture(scope="module")
def encoded(
    engine_exe: Path, ffmpeg_exe: str, clip: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Encoded]:
    out = tmp_path_factory.mktemp("presets_out")
    return {
        p: encode_and_compare(
            engine_exe,
            ffmpeg_exe,
            out,
            clip,
            replace(CASE, name=f"{CASE.name}_{p}"),
            [*RA, "--preset", p],
        )
        for p in PRESETS
    }


def _run(engine: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(engine), *args], capture_output=True, text=True, timeout=300)


def _b_nodes(enc: Encoded) -> int:
    """Coding-tree nodes the split search visited in the B pictures."""
    return sum(int(p["nodes"]) for p in enc.log if p["slice_type"] == "B")


def test_every_preset_decodes_with_the_same_parameter_sets(encoded: dict[str, Encoded]) -> None:
    # encode_and_compare checked FFmpeg's decode against each reconstruction.
    want = _parameter_sets(encoded["slower"].stream)
    assert len(want) >= 2
    for p, enc in encoded.items():
        assert _parameter_sets(enc.stream) == want, f"--preset {p} changed a parameter set"
        assert len(enc.log) == CASE.frames


def test_default_is_slower_bit_for_bit(
    engine_exe: Path, clip: Path, tmp_path: Path, encoded: dict[str, Encoded]
) -> None:
    args = ["--frames", str(CASE.frames), "--qp", str(CASE.qp), *RA]
    args += size_args(CASE.width, CASE.height, CASE.bit_depth)
    default = encode(engine_exe, clip, tmp_path / "default", args)
    assert default.stream.read_bytes() == encoded["slower"].stream.read_bytes()
    assert default.recon.read_bytes() == encoded["slower"].recon.read_bytes()


def test_the_ladder_searches_less_on_every_rung(encoded: dict[str, Encoded]) -> None:
    nodes = {p: _b_nodes(encoded[p]) for p in PRESETS}
    for above, below in pairwise(PRESETS):
        assert nodes[below] <= nodes[above], (above, below, nodes)
    # the ends differ: the early terminations do prune
    assert nodes["fast"] < nodes["slower"] < nodes["exhaustive"], nodes
    # and the cheaper rungs cost something in quality or rate
    assert encoded["exhaustive"].stream.read_bytes() != encoded["fast"].stream.read_bytes()


def test_explicit_flags_apply_on_top_of_the_preset(
    engine_exe: Path, clip: Path, tmp_path: Path, encoded: dict[str, Encoded]
) -> None:
    args = ["--frames", str(CASE.frames), "--qp", str(CASE.qp), *RA, "--preset", "fast"]
    args += size_args(CASE.width, CASE.height, CASE.bit_depth)
    full = encode(engine_exe, clip, tmp_path / "fast_full", [*args, "--no-fast-inter-split"])
    # no early termination at all: at least the search of the rung with none of them on
    assert _b_nodes(full) > _b_nodes(encoded["fast"])


@pytest.mark.parametrize("name", ["veryslow", "Slower", ""])
def test_unknown_preset_is_a_usage_error(
    engine_exe: Path, clip: Path, tmp_path: Path, name: str
) -> None:
    args = ["--input", str(clip), "--frames", "1", "--qp", "32"]
    args += size_args(CASE.width, CASE.height, CASE.bit_depth)
    r = _run(engine_exe, [*args, "--bitstream", str(tmp_path / "x.266"), "--preset", name])
    assert r.returncode == 2
    assert f"unknown --preset '{name}' (known: {', '.join(PRESETS)})" in r.stderr
    assert not (tmp_path / "x.266").exists()


def test_speed_points_to_preset(engine_exe: Path, clip: Path, tmp_path: Path) -> None:
    args = ["--input", str(clip), "--frames", "1", "--qp", "32", "--bitstream", "x.266"]
    r = _run(engine_exe, [*args, "--speed", "exhaustive"])
    assert r.returncode == 2 and "use --preset NAME" in r.stderr


def test_help_lists_the_presets(engine_exe: Path) -> None:
    r = _run(engine_exe, ["--help"])
    assert r.returncode == 0
    assert "--preset NAME" in r.stdout and all(p in r.stdout for p in PRESETS)
