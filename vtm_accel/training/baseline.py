"""The simple baseline beside the CNN: random forests on hand-made block statistics.

Same targets as the CNN (per CTU, four 32x32 boundary maps at 4x4-unit granularity), evaluated
the same way (``evaluate.py``), so the report shows what the CNN buys.

Features per unit and edge direction (vertical maps use the luma as is, horizontal maps the
transposed luma so one feature code serves both):
- the mean absolute sample difference across the unit's edge (4 samples), and its mean over the
  aligned 8/16/32-sample stretch of the same line;
- the difference of the mean samples in 4/8/16-wide strips either side of the edge;
- the variance of the aligned 8x8, 16x16, 32x32 and 64x64 blocks that hold the unit;
- the mean absolute horizontal and vertical gradients of the aligned 16x16 block;
- the edge's alignment (number of trailing zero bits of its unit column, capped at 5);
- QP and slice type.
One ``RandomForestClassifier`` per map, fitted on a random subsample of the valid units.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vtm_accel.training.dataset import Examples
from vtm_accel.training.evaluate import loss_mask

GRID = 32


def _pool_units(a: np.ndarray, s: int) -> np.ndarray:
    """[N, 128, 128] -> [N, 32, 32]: mean over aligned s x s blocks, repeated per 4x4 unit."""
    n = a.shape[0]
    m = a.reshape(n, 128 // s, s, 128 // s, s).mean(axis=(2, 4))
    r = s // 4
    return np.repeat(np.repeat(m, r, axis=1), r, axis=2)


def _features_vertical(lum: np.ndarray, qp: np.ndarray, st: np.ndarray) -> np.ndarray:
    """[N, 32, 32, F] features of the left edges of the units."""
    n = lum.shape[0]
    d = np.abs(np.diff(lum, axis=2))  # [N,128,127]: |L[x+1] - L[x]|
    edge = np.zeros((n, 128, 32), np.float32)
    edge[:, :, 1:] = d[:, :, 3::4][:, :, :31]  # across x = 4j (j >= 1)
    e4 = edge.reshape(n, 32, 4, 32).mean(axis=2)  # per unit
    feats = [e4]
    for g in (2, 4, 8):  # mean along the line over 8/16/32 samples
        feats.append(np.repeat(e4.reshape(n, 32 // g, g, 32).mean(axis=2), g, axis=1))
    rows = lum.reshape(n, 32, 4, 128).mean(axis=2)  # [N,32,128] unit-row means
    cs = np.concatenate([np.zeros((n, 32, 1), np.float32), np.cumsum(rows, axis=2)], axis=2)
    x = np.arange(32) * 4
    for w in (4, 8, 16):
        lo = np.clip(x - w, 0, 128)
        hi = np.clip(x + w, 0, 128)
        left = (cs[:, :, x] - cs[:, :, lo]) / np.maximum(1, x - lo)
        right = (cs[:, :, hi] - cs[:, :, x]) / np.maximum(1, hi - x)
        diff = np.abs(left - right)
        diff[:, :, 0] = 0.0
        feats.append(diff)
    sq = lum * lum
    for s in (8, 16, 32, 64):
        mu = _pool_units(lum, s)
        feats.append(np.sqrt(np.maximum(0.0, _pool_units(sq, s) - mu * mu)))
    gx = np.zeros_like(lum)
    gx[:, :, 1:] = np.abs(np.diff(lum, axis=2))
    gy = np.zeros_like(lum)
    gy[:, 1:, :] = np.abs(np.diff(lum, axis=1))
    feats += [_pool_units(gx, 16), _pool_units(gy, 16)]
    tz = np.array([5 if v == 0 else min(5, (v & -v).bit_length() - 1) for v in range(32)])
    tz = tz.astype(np.float32)
    feats.append(np.broadcast_to(tz[None, None, :], (n, 32, 32)))
    feats.append(np.broadcast_to(qp[:, None, None].astype(np.float32), (n, 32, 32)))
    feats.append(np.broadcast_to(st[:, None, None].astype(np.float32), (n, 32, 32)))
    return np.stack(feats, axis=-1).astype(np.float32)


def unit_features(ex: Examples, horizontal: bool) -> np.ndarray:
    """[N, 32, 32, F] for the vertical (left-edge) or horizontal (top-edge) maps."""
    return raw_unit_features(ex.luma, ex.qp, ex.slice_type, horizontal)


def raw_unit_features(
    luma: np.ndarray, qp: np.ndarray, slice_type: np.ndarray, horizontal: bool
) -> np.ndarray:
    lum = np.asarray(luma).astype(np.float32) / 4.0  # 8-bit scale
    qp, st = np.asarray(qp), np.asarray(slice_type)
    if horizontal:
        f = _features_vertical(lum.transpose(0, 2, 1).copy(), qp, st)
        return f.transpose(0, 2, 1, 3)
    return _features_vertical(lum, qp, st)


@dataclass
class BaselineModel:
    forests: list  # one RandomForestClassifier per map (luma V, luma H, chroma V, chroma H)

    @classmethod
    def fit(
        cls, ex: Examples, seed: int = 0, max_samples: int = 40000, small: bool = False
    ) -> BaselineModel:
        from sklearn.ensemble import RandomForestClassifier

        rng = np.random.default_rng(seed)
        mask = loss_mask(ex)
        fv, fh = unit_features(ex, False), unit_features(ex, True)
        forests = []
        for k in range(4):
            f = fh if k % 2 else fv
            xs = f[mask[:, k]]
            ys = ex.target[:, k][mask[:, k]]
            if len(ys) > max_samples:
                pick = rng.choice(len(ys), max_samples, replace=False)
                xs, ys = xs[pick], ys[pick]
            rf = RandomForestClassifier(
                n_estimators=8 if small else 20,
                max_depth=8 if small else 14,
                min_samples_leaf=20,
                random_state=seed,
                n_jobs=1,
            )
            rf.fit(xs, ys)
            forests.append(rf)
        return cls(forests)

    def predict_proba(self, ex: Examples) -> np.ndarray:
        """float32 [N, 4, 32, 32] boundary probabilities."""
        return self.predict_arrays(ex.luma, ex.qp, ex.slice_type)

    def predict_arrays(
        self, luma: np.ndarray, qp: np.ndarray, slice_type: np.ndarray
    ) -> np.ndarray:
        n = luma.shape[0]
        out = np.zeros((n, 4, GRID, GRID), np.float32)
        fv = raw_unit_features(luma, qp, slice_type, False)
        fh = raw_unit_features(luma, qp, slice_type, True)
        for k, rf in enumerate(self.forests):
            f = (fh if k % 2 else fv).reshape(-1, fv.shape[-1])
            pr = rf.predict_proba(f)
            col = list(rf.classes_).index(1) if 1 in rf.classes_ else None
            p = pr[:, col] if col is not None else np.zeros(len(f))
            out[:, k] = p.reshape(n, GRID, GRID)
        return out

    def save(self, path: Path) -> None:
        with Path(path).open("wb") as fh:
            pickle.dump(self.forests, fh)

    @classmethod
    def load(cls, path: Path) -> BaselineModel:
        with Path(path).open("rb") as fh:
            return cls(pickle.load(fh))


@dataclass
class BaselinePredictor:
    """The predictor-service interface for the baseline (``predict`` -> uint8 [N, 4, 32, 32])."""

    model: BaselineModel

    def predict(
        self,
        luma: np.ndarray,
        qp: np.ndarray,
        slice_type: np.ndarray,
        cue: np.ndarray | None = None,
    ) -> np.ndarray:
        from vtm_accel.predictors.model import force_known_boundaries

        p = self.model.predict_arrays(np.asarray(luma), qp, slice_type)
        return force_known_boundaries(np.rint(p * 255.0).astype(np.uint8), np.asarray(slice_type))


def make_predictor() -> BaselinePredictor:
    """Entry point for the predictor service (``--nn .../baseline.py``): loads the pickled
    forests named by $VTM_ACCEL_BASELINE_MODEL (fitted by ``vtm-accel train evaluate``, which
    writes WORK/baseline.pkl; not shipped: tens of MB)."""
    return BaselinePredictor(BaselineModel.load(Path(os.environ["VTM_ACCEL_BASELINE_MODEL"])))
