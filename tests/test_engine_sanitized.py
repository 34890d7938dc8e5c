"""The engine built with AddressSanitizer + UndefinedBehaviorSanitizer, run end to end.

`scripts/run-tests` builds it (build/engine-asan) and sets $VTM_ACCEL_ENGINE_ASAN; any sanitizer
report aborts the engine with a non-zero status (-fno-sanitize-recover), so a memory or UB error
anywhere in the search, the coding or the CLI fails these tests.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from content import make_clip


@pytest.fixture(scope="module")
def asan_engine() -> Path:
    env = os.environ.get("VTM_ACCEL_ENGINE_ASAN")
    if not env:
        pytest.skip("no sanitizer build: run scripts/run-tests (it sets VTM_ACCEL_ENGINE_ASAN)")
    path = Path(env)
    if not path.is_file():
        pytest.fail(
            f"$VTM_ACCEL_ENGINE_ASAN={env} does not exist: build engine/ with ENGINE_SANITIZE"
        )
    return path


def _run(engine: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0")
    return subprocess.run(
        [str(engine), *args], capture_output=True, text=True, env=env, timeout=600
    )


@pytest.mark.parametrize(("w", "h", "bit_depth", "qp"), [(72, 40, 8, 27), (136, 70, 10, 37)])
def test_sanitized_encode_is_clean_and_bit_exact(
    asan_engine: Path, ffmpeg_exe: str, tmp_path: Path, w: int, h: int, bit_depth: int, qp: int
) -> None:
    clip = make_clip(tmp_path / f"clip_{w}x{h}.yuv", w, h, 2, bit_depth=bit_depth)
    bits, recon = tmp_path / "out.266", tmp_path / "recon.yuv"
    args = ["--input", str(clip.path), "--width", str(w), "--height", str(h)]
    args += ["--input-bit-depth", str(bit_depth), "--frames", "2", "--qp", str(qp)]
    args += ["--bitstream", str(bits), "--recon", str(recon), "--md5-sei"]
    args += ["--split-log", str(tmp_path / "splits.jsonl")]
    r = _run(asan_engine, args)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "runtime error" not in r.stderr and "AddressSanitizer" not in r.stderr, r.stderr[-3000:]
    dec = tmp_path / "dec.yuv"
    subprocess.run(
        [ffmpeg_exe, "-loglevel", "error", "-y", "-i", str(bits), "-pix_fmt", "yuv420p10le"]
        + ["-f", "rawvideo", str(dec)],
        check=True,
        timeout=120,
    )
    a = np.fromfile(recon, dtype="<u2")
    b = np.fromfile(dec, dtype="<u2")
    assert a.size == b.size == w * h * 3 // 2 * 2
    assert np.array_equal(a, b), f"first mismatching sample {int(np.argmax(a != b))}"


def test_sanitized_bad_input_exits_2(asan_engine: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad_64x64.yuv"
    bad.write_bytes(b"\0" * (64 * 64 * 3 // 2 + 5))  # not a whole number of frames
    r = _run(asan_engine, ["--input", str(bad), "--width", "64", "--height", "64", "--frames", "1"]
             + ["--qp", "32", "--bitstream", str(tmp_path / "o.266")])  # fmt: skip
    assert r.returncode == 2, r.stderr
    assert "AddressSanitizer" not in r.stderr and "runtime error" not in r.stderr
