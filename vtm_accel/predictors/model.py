"""The split CNN and its predictor (the interface the predictor service loads).

Per CTU the network sees the 128x128 luma (10-bit, normalised to about -1..1), the QP, the slice
type, the temporal layer and, for inter pictures, a temporal cue plane (|cur - nearest reference|
luma, see docs/dataset.md; zeros for intra). It
predicts four 32x32 maps of block-boundary probabilities at 4x4-luma-unit granularity:
0 = vertical boundary on the left edge of unit (row i, col j), 1 = horizontal boundary on its top
edge (luma / single tree), 2 and 3 = the same for the dual-tree chroma partition (in luma units).

Architecture (fully convolutional, ~55k parameters, ~16 MMAC per CTU): a strided stem
128 -> 64 -> 32, a 32x32 stage, a context branch down to 8x8 (covers the 64x64 quadrant) that
is upsampled and added back, and a 1x1 head. QP and slice type enter as constant planes at the
32x32 stage (cheap), the cue as a second input channel of the stem, and fixed unit-alignment
planes (``alignment_planes``) through 1x1 convolutions at the 32x32 stage and before the head.

``load_predictor(path) -> Predictor``; ``Predictor.predict(luma, qp, slice_type, cue=None)``
returns uint8 [N, 4, 32, 32] (probability x 255, rounded), with the CTU's own left column and
top row set to 255 (always boundaries) and, for I slices, the implicit 64x64 split lines too.
Inference runs on CUDA when available (``device="auto"``), otherwise on one CPU thread.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from vtm_accel.predictors.np_infer import force_known_boundaries, npz_path

GRID = 32
MAPS = 4


@dataclass(frozen=True)
class ModelConfig:
    stem: int = 12
    width: int = 24
    context: int = 32
    side: int = 4  # scalars: QP, intra, P, temporal id (3 = weights from before the temporal id)


def normalise_luma(luma: torch.Tensor) -> torch.Tensor:
    """10-bit samples -> about -1..1."""
    return (luma.float() - 512.0) / 256.0


def alignment_planes() -> torch.Tensor:
    """[12, 32, 32] fixed planes: one-hot of the alignment of each unit's column (6 planes) and
    row (6 planes), i.e. the number of trailing zero bits of j (resp. i), capped at 5 (0 -> 5).

    A fully convolutional net cannot tell a 4-aligned edge from a 64-aligned one; block
    boundaries depend strongly on that, so the position enters explicitly.
    """

    def tz(v: int) -> int:
        return 5 if v == 0 else min(5, (v & -v).bit_length() - 1)

    planes = torch.zeros(12, GRID, GRID)
    for k in range(GRID):
        planes[tz(k), :, k] = 1.0
        planes[6 + tz(k), k, :] = 1.0
    return planes


def side_planes(
    qp: torch.Tensor, slice_type: torch.Tensor, temporal_id: torch.Tensor | None = None
) -> torch.Tensor:
    """[N, 4] scalars: (QP - 30) / 8, intra flag, P flag (B = neither), TemporalId / 5."""
    q = (qp.float() - 30.0) / 8.0
    st = slice_type.long()
    tid = torch.zeros_like(q) if temporal_id is None else temporal_id.float() / 5.0
    return torch.stack([q, (st == 2).float(), (st == 1).float(), tid], dim=1)


class SplitCNN(nn.Module):
    def __init__(self, cfg: ModelConfig | None = None) -> None:
        super().__init__()
        c = cfg or ModelConfig()
        self.cfg = c
        self.stem1 = nn.Conv2d(2, c.stem, 4, stride=2, padding=1)  # 128 -> 64
        self.stem2 = nn.Conv2d(c.stem, c.width, 4, stride=2, padding=1)  # 64 -> 32
        self.side = nn.Linear(c.side, c.width)
        self.pos = nn.Conv2d(12, c.width, 1, bias=False)
        self.register_buffer("align", alignment_planes()[None], persistent=False)
        self.mid = nn.Conv2d(c.width, c.width, 3, padding=1)
        self.down1 = nn.Conv2d(c.width, c.context, 4, stride=2, padding=1)  # 32 -> 16
        self.down2 = nn.Conv2d(c.context, c.context, 4, stride=2, padding=1)  # 16 -> 8
        self.ctx = nn.Conv2d(c.context, c.context, 3, padding=1)
        self.up = nn.Conv2d(c.context, c.width, 1)
        self.fuse = nn.Conv2d(c.width, c.width, 3, padding=1)
        self.pos2 = nn.Conv2d(12, c.width, 1, bias=False)
        self.head = nn.Conv2d(c.width, MAPS, 1)

    def forward(self, luma: torch.Tensor, cue: torch.Tensor, side: torch.Tensor) -> torch.Tensor:
        """luma, cue: [N, 1, 128, 128] normalised; side: [N, 4] (side_planes). Returns logits
        [N, 4, 32, 32]."""
        x = torch.cat([luma, cue], dim=1)
        x = F.relu(self.stem1(x))
        side = side[:, : self.cfg.side]
        x = self.stem2(x) + self.side(side)[:, :, None, None] + self.pos(self.align)
        x = F.relu(x)
        x = F.relu(self.mid(x))
        y = F.relu(self.down1(x))
        y = F.relu(self.down2(y))
        y = F.relu(self.ctx(y))
        y = F.interpolate(self.up(y), scale_factor=4, mode="nearest")
        x = F.relu(self.fuse(x + y) + self.pos2(self.align))
        return self.head(x)


def prepare_inputs(
    luma: np.ndarray,
    qp: np.ndarray,
    slice_type: np.ndarray,
    cue: np.ndarray | None,
    device: torch.device,
    temporal_id: np.ndarray | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    lt = normalise_luma(torch.from_numpy(np.ascontiguousarray(luma).astype(np.int16)))
    lt = lt.to(device)[:, None]
    if cue is None:
        ct = torch.zeros_like(lt)
    else:
        c = np.minimum(np.asarray(cue), 1023).astype(np.int16)
        ct = (torch.from_numpy(c).float().to(device) / 64.0)[:, None]
    tid = None if temporal_id is None else torch.tensor(np.array(temporal_id))
    side = side_planes(torch.tensor(np.array(qp)), torch.tensor(np.array(slice_type)), tid)
    return lt, ct, side.to(device)


@dataclass
class Predictor:
    """A loaded split CNN ready for inference."""

    model: SplitCNN
    device: torch.device
    batch: int = 256

    def predict_proba(
        self,
        luma: np.ndarray,
        qp: np.ndarray,
        slice_type: np.ndarray,
        cue: np.ndarray | None = None,
        temporal_id: np.ndarray | None = None,
    ) -> np.ndarray:
        """float32 [N, 4, 32, 32] probabilities (no forced boundaries)."""
        n = luma.shape[0]
        out = np.empty((n, MAPS, GRID, GRID), np.float32)
        with torch.inference_mode():
            for s in range(0, n, self.batch):
                e = min(n, s + self.batch)
                lt, ct, side = prepare_inputs(
                    luma[s:e],
                    qp[s:e],
                    slice_type[s:e],
                    None if cue is None else cue[s:e],
                    self.device,
                    None if temporal_id is None else np.asarray(temporal_id)[s:e],
                )
                out[s:e] = torch.sigmoid(self.model(lt, ct, side)).cpu().numpy()
        return out

    def predict(
        self,
        luma: np.ndarray,
        qp: np.ndarray,
        slice_type: np.ndarray,
        cue: np.ndarray | None = None,
        temporal_id: np.ndarray | None = None,
    ) -> np.ndarray:
        """uint8 [N, 4, 32, 32]: boundary probability x 255 (see the module docstring)."""
        luma = np.asarray(luma)
        if luma.ndim != 3 or luma.shape[1:] != (128, 128):
            raise ValueError(f"luma must be [N, 128, 128], got {luma.shape}")
        qp = np.broadcast_to(np.asarray(qp), (luma.shape[0],))
        slice_type = np.broadcast_to(np.asarray(slice_type), (luma.shape[0],))
        if temporal_id is not None:
            temporal_id = np.broadcast_to(np.asarray(temporal_id), (luma.shape[0],))
        p = self.predict_proba(luma, qp, slice_type, cue, temporal_id)
        maps = np.rint(p * 255.0).astype(np.uint8)
        return force_known_boundaries(maps, slice_type)


def pick_device(device: str = "auto") -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def save_weights(model: SplitCNN, path: Path) -> None:
    """A small state_dict file (float16 to halve it) with the architecture config inside, and
    the same float16 arrays as ``<path>.npz`` for the numpy CPU inference (np_infer.py)."""
    state = {k: v.detach().cpu().half() for k, v in model.state_dict().items()}
    torch.save({"config": asdict(model.cfg), "state_dict": state}, path)
    arrays = {k: v.numpy() for k, v in state.items()}
    with npz_path(Path(path)).open("wb") as fh:
        np.savez(fh, config=np.array(json.dumps(asdict(model.cfg))), **arrays)


def load_predictor(path: str | Path, device: str = "auto", threads: int = 1) -> Predictor:
    """Load weights written by ``save_weights`` (the predictor service calls this)."""
    blob = torch.load(Path(path), map_location="cpu", weights_only=True)
    model = SplitCNN(ModelConfig(**{"side": 3, **blob["config"]}))
    model.load_state_dict({k: v.float() for k, v in blob["state_dict"].items()})
    dev = pick_device(device)
    if dev.type == "cpu":
        torch.set_num_threads(threads)
    model.eval().to(dev)
    return Predictor(model, dev)


def model_record(path: Path) -> dict:
    """The record (JSON beside the weights) when there is one."""
    rec = path.with_suffix(".json")
    return json.loads(rec.read_text()) if rec.exists() else {}
