"""The split CNN's forward pass in plain numpy (CPU inference without importing torch).

Importing torch costs about 2.5 s of CPU time, more than the CNN's inference on a whole 1080p
picture and a large share of a short encode's time; the predictor service therefore runs the
CPU inference from ``<weights>.npz`` (written beside the ``.pt`` by ``save_weights``) with this
module, and loads torch only for a GPU or when no ``.npz`` exists. Same architecture and results
as ``model.SplitCNN`` (float32; the maps agree within one step of 1/255, see
tests/test_predictor_numpy.py).

``load_numpy_predictor(path) -> NumpyPredictor``; ``NumpyPredictor.predict(luma, qp,
slice_type, cue=None, temporal_id=None)`` as ``model.Predictor.predict``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GRID = 32
MAPS = 4


def alignment_planes_np() -> np.ndarray:
    """[12, 32, 32] one-hot alignment planes (as ``model.alignment_planes``)."""

    def tz(v: int) -> int:
        return 5 if v == 0 else min(5, (v & -v).bit_length() - 1)

    planes = np.zeros((12, GRID, GRID), np.float32)
    for k in range(GRID):
        planes[tz(k), :, k] = 1.0
        planes[6 + tz(k), k, :] = 1.0
    return planes


def force_known_boundaries(maps: np.ndarray, slice_type: np.ndarray) -> np.ndarray:
    """CTU left column / top row are boundaries; so are the implicit 64x64 lines of I slices."""
    maps[:, 0::2, :, 0] = 255
    maps[:, 1::2, 0, :] = 255
    intra = np.asarray(slice_type) == 2
    if intra.any():
        maps[intra, 0::2, :, GRID // 2] = 255
        maps[intra, 1::2, GRID // 2, :] = 255
    return maps


def side_features(
    qp: np.ndarray, slice_type: np.ndarray, temporal_id: np.ndarray | None
) -> np.ndarray:
    """[N, 4] as ``model.side_planes``."""
    q = (np.asarray(qp, np.float32) - 30.0) / 8.0
    st = np.asarray(slice_type)
    tid = np.zeros_like(q) if temporal_id is None else np.asarray(temporal_id, np.float32) / 5.0
    return np.stack([q, (st == 2).astype(np.float32), (st == 1).astype(np.float32), tid], 1)


def conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: int, pad: int) -> np.ndarray:
    """x [N, H, W, C] (channels last), w [O, C, k, k] (torch layout) -> [N, H', W', O]
    (cross-correlation, as torch). im2col from k*k shifted views, then one matmul."""
    o, c, k, _ = w.shape
    if pad:
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    n, hp, wp, _ = x.shape
    ho, wo = (hp - k) // stride + 1, (wp - k) // stride + 1
    cols = np.concatenate(
        [
            x[:, dy : dy + stride * (ho - 1) + 1 : stride, dx : dx + stride * (wo - 1) + 1 : stride]
            for dy in range(k)
            for dx in range(k)
        ],
        axis=-1,
    )  # [N, H', W', k*k*C], (dy, dx, c) order
    wm = w.transpose(2, 3, 1, 0).reshape(k * k * c, o)
    out = cols.reshape(-1, k * k * c) @ wm
    if b is not None:
        out += b
    return out.reshape(n, ho, wo, o)


def conv1x1(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """x [..., C] -> [..., O]."""
    out = x @ w[:, :, 0, 0].T
    return out + b if b is not None else out


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0, out=x)


@dataclass
class NumpyPredictor:
    """A split CNN evaluated with numpy (float32)."""

    p: dict[str, np.ndarray]
    side_dims: int
    batch: int = 64

    def __post_init__(self) -> None:
        align = alignment_planes_np().transpose(1, 2, 0)[None]  # [1, 32, 32, 12]
        # the fixed alignment planes enter through 1x1 convolutions: precompute both terms
        self.pos = conv1x1(align, self.p["pos.weight"], None)
        self.pos2 = conv1x1(align, self.p["pos2.weight"], None)

    def _forward(self, luma: np.ndarray, cue: np.ndarray, side: np.ndarray) -> np.ndarray:
        """luma, cue [N, 128, 128, 1] normalised; side [N, 4]. Returns logits [N, 4, 32, 32]."""
        p = self.p
        x = np.concatenate([luma, cue], axis=-1)
        x = relu(conv2d(x, p["stem1.weight"], p["stem1.bias"], 2, 1))
        s = side[:, : self.side_dims] @ p["side.weight"].T + p["side.bias"]
        x = conv2d(x, p["stem2.weight"], p["stem2.bias"], 2, 1) + s[:, None, None, :] + self.pos
        x = relu(x)
        x = relu(conv2d(x, p["mid.weight"], p["mid.bias"], 1, 1))
        y = relu(conv2d(x, p["down1.weight"], p["down1.bias"], 2, 1))
        y = relu(conv2d(y, p["down2.weight"], p["down2.bias"], 2, 1))
        y = relu(conv2d(y, p["ctx.weight"], p["ctx.bias"], 1, 1))
        y = conv1x1(y, p["up.weight"], p["up.bias"])
        y = y.repeat(4, axis=1).repeat(4, axis=2)
        x = relu(conv2d(x + y, p["fuse.weight"], p["fuse.bias"], 1, 1) + self.pos2)
        return conv1x1(x, p["head.weight"], p["head.bias"]).transpose(0, 3, 1, 2)

    def predict_proba(
        self,
        luma: np.ndarray,
        qp: np.ndarray,
        slice_type: np.ndarray,
        cue: np.ndarray | None = None,
        temporal_id: np.ndarray | None = None,
    ) -> np.ndarray:
        n = luma.shape[0]
        out = np.empty((n, MAPS, GRID, GRID), np.float32)
        side = side_features(qp, slice_type, temporal_id)
        for s in range(0, n, self.batch):
            e = min(n, s + self.batch)
            lt = ((np.asarray(luma[s:e], np.float32) - 512.0) / 256.0)[..., None]
            if cue is None:
                ct = np.zeros_like(lt)
            else:
                c = np.minimum(np.asarray(cue[s:e]), 1023).astype(np.int16)
                ct = (c.astype(np.float32) / 64.0)[..., None]
            logits = self._forward(lt, ct, side[s:e])
            out[s:e] = 1.0 / (1.0 + np.exp(-logits))
        return out

    def predict(
        self,
        luma: np.ndarray,
        qp: np.ndarray,
        slice_type: np.ndarray,
        cue: np.ndarray | None = None,
        temporal_id: np.ndarray | None = None,
    ) -> np.ndarray:
        luma = np.asarray(luma)
        if luma.ndim != 3 or luma.shape[1:] != (128, 128):
            raise ValueError(f"luma must be [N, 128, 128], got {luma.shape}")
        n = luma.shape[0]
        qp = np.broadcast_to(np.asarray(qp), (n,))
        slice_type = np.broadcast_to(np.asarray(slice_type), (n,))
        if temporal_id is not None:
            temporal_id = np.broadcast_to(np.asarray(temporal_id), (n,))
        p = self.predict_proba(luma, qp, slice_type, cue, temporal_id)
        maps = np.rint(p * 255.0).astype(np.uint8)
        return force_known_boundaries(maps, slice_type)


def npz_path(weights: Path) -> Path:
    return Path(weights).with_suffix(".npz")


def load_numpy_predictor(path: str | Path) -> NumpyPredictor:
    """Load ``<weights>.npz`` (float16 arrays + ``config`` JSON) written by ``save_weights``."""
    with np.load(npz_path(Path(path))) as z:
        cfg = json.loads(str(z["config"]))
        params = {k: z[k].astype(np.float32) for k in z.files if k != "config"}
    return NumpyPredictor(params, int(cfg.get("side", 3)))
