"""The numpy CPU inference of the split CNN (np_infer.py) against the torch model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "vtm_accel" / "predictors" / "weights" / "split_cnn.pt"


def test_numpy_matches_torch(tmp_path: Path) -> None:
    import torch

    from vtm_accel.predictors.model import Predictor, SplitCNN, save_weights
    from vtm_accel.predictors.np_infer import load_numpy_predictor

    torch.manual_seed(3)
    model = SplitCNN().eval()
    with torch.no_grad():  # larger weights than the init, so the maps are far from 0.5
        for prm in model.parameters():
            prm.mul_(3.0)
    save_weights(model, tmp_path / "m.pt")
    # the torch side sees the same float16-rounded weights as the numpy side
    from vtm_accel.predictors.model import load_predictor

    ref: Predictor = load_predictor(tmp_path / "m.pt", device="cpu")
    npp = load_numpy_predictor(tmp_path / "m.pt")
    rng = np.random.default_rng(0)
    n = 5
    luma = rng.integers(0, 1024, (n, 128, 128)).astype(np.uint16)
    cue = rng.integers(0, 300, (n, 128, 128)).astype(np.int16)
    qp, st, tid = [22, 27, 32, 37, 40], [2, 0, 0, 1, 0], [0, 1, 3, 2, 5]
    a = ref.predict(luma, qp, st, cue, temporal_id=tid)
    b = npp.predict(luma, qp, st, cue, temporal_id=tid)
    assert a.shape == b.shape == (n, 4, 32, 32)
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 1
    assert a.std() > 20  # not a constant map: the comparison means something
    c = npp.predict(luma, qp, st, None, temporal_id=tid)
    assert not np.array_equal(b, c)  # the cue matters


def test_service_cpu_model_loads_without_torch() -> None:
    code = (
        "import sys; from vtm_accel.predictors.service import load_model; "
        f"p = load_model({str(SHIPPED)!r}, 'cpu'); "
        "assert 'torch' not in sys.modules, 'torch imported'; print(type(p).__name__)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "NumpyPredictor"
