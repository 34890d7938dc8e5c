"""Shared test fixtures: where real clips, FFmpeg and the engine binary are."""

from __future__ import annotations

import os
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


@pytest.fixture(scope="session")
def engine_exe() -> Path:
    """The engine binary (vtm_accel.codecs.engine.find_engine); a missing one fails the test."""
    from vtm_accel.codecs.engine import find_engine
    from vtm_accel.core import HarnessError

    try:
        return find_engine()
    except HarnessError as e:
        pytest.fail(str(e))
