"""Shared test fixtures: where real clips, FFmpeg and the engine binary are."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    """The real clips beside the repository (../shared/data), or $VTM_ACCEL_DATA; None if absent."""
    env = os.environ.get("VTM_ACCEL_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "data")
    for c in candidates:
        if c.is_dir() and any(c.iterdir()):
            return c
    return None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    d = shared_data_dir()
    if d is None:
        pytest.skip("real clips (../shared/data) are not present on this machine")
    return d


@pytest.fixture(scope="session")
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def find_engine() -> Path | None:
    """The engine binary: $VTM_ACCEL_ENGINE, the installed script, or a local build."""
    env = os.environ.get("VTM_ACCEL_ENGINE")
    if env:
        return Path(env)
    on_path = shutil.which("vtm-accel-engine")
    if on_path:
        return Path(on_path)
    for build in ("build/engine-release", "engine/build"):
        p = REPO / build / "vtm-accel-engine"
        if p.exists():
            return p
    return None


@pytest.fixture(scope="session")
def engine_exe() -> Path:
    p = find_engine()
    if p is None:
        pytest.fail("engine binary not found: run `pip install .` or build engine/ with cmake")
    return p
