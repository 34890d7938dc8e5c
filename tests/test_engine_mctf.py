"""The engine's temporal pre-filter (MCTF, --mctf): an encoder-only change of the key pictures'
source. The stream stays decodable bit-exactly by FFmpeg, the log's PSNR is measured against
the ORIGINAL source (not the filtered one), and the stream differs from --mctf 0."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from content import make_clip
from engine_check import Encoded, decode, encode, planes, size_args

W, H, FRAMES = 96, 64, 9


def _noisy_clip(path: Path, frames: int) -> np.ndarray:
    """A panning 10-bit photo clip with added Gaussian noise (what MCTF removes); returns the
    samples as written (uint16, all frames back to back)."""
    make_clip(path, W, H, frames, bit_depth=10, pan=(2, 1))
    clean = np.fromfile(path, dtype="<u2").astype(np.float64)
    rng = np.random.default_rng(5)
    noisy = np.clip(np.rint(clean + rng.normal(0.0, 8.0, clean.shape)), 0, 1023).astype("<u2")
    noisy.tofile(path)
    return noisy


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b) ** 2))
    return 999.99 if mse == 0 else 10.0 * np.log10(1023.0 * 1023.0 / mse)


def _encode(
    engine: Path, src: Path, out: Path, frames: int, config: str, extra: list[str]
) -> Encoded:
    args = size_args(W, H, 10) + ["--frames", str(frames), "--qp", "32", "--config", config]
    return encode(engine, src, out, args + extra)


def test_mctf_ra_bit_exact_psnr_against_original(
    engine_exe: Path, ffmpeg_exe: str, tmp_path: Path
) -> None:
    src = tmp_path / "noisy.yuv"
    original = _noisy_clip(src, FRAMES)
    extra = ["--intra-period", "8"]
    # Base QP 32, GOP 8 (the intra period): the key pictures only. In VTM's structure
    # (--first-irap poc0) POC 0 and 8; by default (here: the IDR closing the first GOP, which
    # saves the intra picture at POC 8) the GOPs start at POC -1, so POC 7 (the IDR).
    for structure, filtered in (["--first-irap", "poc0"], 2), ([], 1):
        on = _encode(
            engine_exe, src, tmp_path / "on", FRAMES, "ra", [*extra, *structure, "--mctf", "1"]
        )
        m = re.search(r"mctf: (\d+) pictures filtered", on.stderr)
        assert m and int(m.group(1)) == filtered, on.stderr[-2000:]

    decoded = decode(ffmpeg_exe, on.stream)
    recon = np.fromfile(on.recon, dtype="<u2")
    assert decoded.size == recon.size == original.size
    assert np.array_equal(decoded, recon), "FFmpeg's decode differs from the engine's recon"

    # The log's PSNR is the decoded picture against the unfiltered source.
    dec_f, org_f = planes(decoded, W, H, FRAMES), planes(original, W, H, FRAMES)
    assert sorted(e["poc"] for e in on.log) == list(range(FRAMES))
    for e in on.log:
        p = e["poc"]
        for c, key in enumerate(("psnr_y", "psnr_u", "psnr_v")):
            want = _psnr(dec_f[p][c], org_f[p][c])
            assert abs(e[key] - want) < 2e-4, f"POC {p} {key}: log {e[key]} != {want:.4f}"

    off = _encode(engine_exe, src, tmp_path / "off", FRAMES, "ra", [*extra, "--mctf", "0"])
    assert "mctf:" not in off.stderr
    assert on.stream.read_bytes() != off.stream.read_bytes()


def test_mctf_default_on_for_ldb_and_bit_exact(
    engine_exe: Path, ffmpeg_exe: str, tmp_path: Path
) -> None:
    frames = 9
    src = tmp_path / "noisy.yuv"
    _noisy_clip(src, frames)
    out = _encode(engine_exe, src, tmp_path / "ldb", frames, "ldb", [])  # no --mctf: default on
    m = re.search(r"mctf: (\d+) pictures filtered", out.stderr)
    assert m and int(m.group(1)) == 1, out.stderr[-2000:]  # POC 8 (POC 0 has no past frame)
    decoded = decode(ffmpeg_exe, out.stream)
    assert np.array_equal(decoded, np.fromfile(out.recon, dtype="<u2"))


def test_mctf_rejected_for_all_intra(engine_exe: Path, tmp_path: Path) -> None:
    src = tmp_path / "c.yuv"
    make_clip(src, 64, 64, 1, bit_depth=8)
    cmd = [str(engine_exe), "--input", str(src), "--width", "64", "--height", "64"]
    cmd += ["--frames", "1", "--qp", "32", "--bitstream", str(tmp_path / "a.266"), "--mctf", "1"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "--mctf" in run.stderr
    for bad in ("2", "x"):
        r = subprocess.run([*cmd[:-1], bad], capture_output=True, text=True, timeout=60)
        assert r.returncode == 2, r.stderr


@pytest.mark.parametrize("flag", ["--help"])
def test_mctf_in_help(engine_exe: Path, flag: str) -> None:
    run = subprocess.run([str(engine_exe), flag], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "--mctf 0|1" in run.stdout
