"""The engine's temporal pre-filter (MCTF, --mctf): an encoder-only change of the key pictures'
source. The stream stays decodable bit-exactly by FFmpeg, the log's PSNR is measured against
the ORIGINAL source (not the filtered one), and the stream differs from --mctf 0."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from content import make_clip

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


def _frames(buf: np.ndarray, frames: int) -> list[list[np.ndarray]]:
    cw, ch = W // 2, H // 2
    fs = W * H + 2 * cw * ch
    out = []
    for f in range(frames):
        fr = buf[f * fs : (f + 1) * fs].astype(np.float64)
        out.append(
            [
                fr[: W * H].reshape(H, W),
                fr[W * H : W * H + cw * ch].reshape(ch, cw),
                fr[W * H + cw * ch :].reshape(ch, cw),
            ]
        )
    return out


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return 999.99 if mse == 0 else 10.0 * np.log10(1023.0 * 1023.0 / mse)


def _encode(
    engine: Path, src: Path, out: Path, frames: int, config: str, extra: list[str]
) -> subprocess.CompletedProcess[str]:
    cmd = [str(engine), "--input", str(src), "--width", str(W), "--height", str(H)]
    cmd += ["--input-bit-depth", "10", "--frames", str(frames), "--qp", "32"]
    cmd += ["--config", config, "--bitstream", str(out.with_suffix(".266"))]
    cmd += ["--recon", str(out.with_suffix(".yuv")), "--log", str(out.with_suffix(".jsonl"))]
    cmd += ["--md5-sei", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _decode(ffmpeg: str, stream: Path) -> np.ndarray:
    dec = subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-i",
            str(stream),
            "-f",
            "rawvideo",
            "-pix_fmt",
            "yuv420p10le",
            "-",
        ],
        capture_output=True,
    )
    assert dec.returncode == 0, f"FFmpeg could not decode {stream.name}: {dec.stderr[-2000:]!r}"
    return np.frombuffer(dec.stdout, dtype="<u2")


def test_mctf_ra_bit_exact_psnr_against_original(
    engine_exe: Path, ffmpeg_exe: str, tmp_path: Path
) -> None:
    src = tmp_path / "noisy.yuv"
    original = _noisy_clip(src, FRAMES)
    on, off = tmp_path / "on", tmp_path / "off"
    extra = ["--intra-period", "8"]
    run_on = _encode(engine_exe, src, on, FRAMES, "ra", [*extra, "--mctf", "1"])
    assert run_on.returncode == 0, run_on.stderr[-2000:]
    # Base QP 32, GOP 8 (the intra period): POC 0 and 8 are filtered (multiples of 8).
    m = re.search(r"mctf: (\d+) pictures filtered", run_on.stderr)
    assert m and int(m.group(1)) == 2, run_on.stderr[-2000:]

    decoded = _decode(ffmpeg_exe, on.with_suffix(".266"))
    recon = np.fromfile(on.with_suffix(".yuv"), dtype="<u2")
    assert decoded.size == recon.size == original.size
    assert np.array_equal(decoded, recon), "FFmpeg's decode differs from the engine's recon"

    # The log's PSNR is the decoded picture against the unfiltered source.
    dec_f, org_f = _frames(decoded, FRAMES), _frames(original, FRAMES)
    log = [json.loads(line) for line in on.with_suffix(".jsonl").read_text().splitlines()]
    assert sorted(e["poc"] for e in log) == list(range(FRAMES))
    for e in log:
        p = e["poc"]
        for c, key in enumerate(("psnr_y", "psnr_u", "psnr_v")):
            want = _psnr(dec_f[p][c], org_f[p][c])
            assert abs(e[key] - want) < 2e-4, f"POC {p} {key}: log {e[key]} != {want:.4f}"

    run_off = _encode(engine_exe, src, off, FRAMES, "ra", [*extra, "--mctf", "0"])
    assert run_off.returncode == 0, run_off.stderr[-2000:]
    assert "mctf:" not in run_off.stderr
    assert on.with_suffix(".266").read_bytes() != off.with_suffix(".266").read_bytes()


def test_mctf_default_on_for_ldb_and_bit_exact(
    engine_exe: Path, ffmpeg_exe: str, tmp_path: Path
) -> None:
    frames = 9
    src = tmp_path / "noisy.yuv"
    _noisy_clip(src, frames)
    out = tmp_path / "ldb"
    run = _encode(engine_exe, src, out, frames, "ldb", [])  # no --mctf: on by default
    assert run.returncode == 0, run.stderr[-2000:]
    m = re.search(r"mctf: (\d+) pictures filtered", run.stderr)
    assert m and int(m.group(1)) == 1, run.stderr[-2000:]  # POC 8 (POC 0 has no past frame)
    decoded = _decode(ffmpeg_exe, out.with_suffix(".266"))
    assert np.array_equal(decoded, np.fromfile(out.with_suffix(".yuv"), dtype="<u2"))


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
