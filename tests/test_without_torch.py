"""Encoding with the CNN needs neither PyTorch nor scikit-learn (the `train` extra): the runtime
image and a plain `pip install vtm-accel` leave them out. A Python that cannot import them is
made here with a sitecustomize that blocks both, in the harness and in the predictor service the
engine starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
WEIGHTS = REPO / "vtm_accel" / "predictors" / "weights" / "split_cnn.pt"


@pytest.fixture
def no_torch_env(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import sys\nsys.modules['torch'] = None\nsys.modules['sklearn'] = None\n"
    )
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(REPO)]))


def _cli(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vtm_accel.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_blocker_blocks(no_torch_env: dict[str, str]) -> None:
    r = subprocess.run([sys.executable, "-c", "import torch"], env=no_torch_env, timeout=60)
    assert r.returncode != 0


def test_encode_with_the_cnn_without_torch(
    tmp_path: Path, no_torch_env: dict[str, str], engine_exe: Path
) -> None:
    pytest.importorskip("skimage")
    from content import make_clip

    clip = make_clip(tmp_path / "clip_128x64.yuv", 128, 64, 2).path
    argv = ["encode", "--encoder", "engine", "--input", str(clip), "--frames", "2", "--qp", "32"]
    r = _cli([*argv, "--out", str(tmp_path / "o"), "--nn", str(WEIGHTS)], no_torch_env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "the CNN answered for all 2 pictures" in r.stdout


def test_a_model_that_needs_torch_says_so(
    tmp_path: Path, no_torch_env: dict[str, str], engine_exe: Path
) -> None:
    """A .pt without its .npz needs torch: the point fails and the engine's log says why."""
    pytest.importorskip("skimage")
    from content import make_clip

    clip = make_clip(tmp_path / "clip_128x64.yuv", 128, 64, 1).path
    model = tmp_path / "only.pt"
    model.write_bytes(WEIGHTS.read_bytes())
    argv = ["encode", "--encoder", "engine", "--input", str(clip), "--frames", "1", "--qp", "32"]
    r = _cli([*argv, "--out", str(tmp_path / "o"), "--nn", str(model)], no_torch_env)
    assert r.returncode != 0
    logs = "".join(p.read_text() for p in (tmp_path / "o" / "work").glob("*/*.log"))
    assert "needs PyTorch" in logs and "vtm-accel[train]" in logs


def test_train_without_torch_is_one_line(tmp_path: Path, no_torch_env: dict[str, str]) -> None:
    r = _cli(["train", "--work", str(tmp_path / "w")], no_torch_env)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "torch and sklearn" in lines[0] and "vtm-accel[train]" in lines[0]
    assert not (tmp_path / "w" / "data").exists()  # stopped before generating data
