"""A deterministic stand-in for the partition CNN (tests only): edge strength of the samples.

The probability of a block boundary on the left (top) edge of a 4x4 unit grows with the mean
absolute sample step across that edge and with the local activity of the 16x16 area, so
textured areas get many candidate splits and flat areas few; integer arithmetic only, so it is
the same on every machine. ``make_predictor()`` is what ``--model tests/nn_test_predictor.py``
loads in the service.

Fault injection for the service tests (environment variables of the service process):
``NN_TEST_DIE_AT=K`` -- the service kills itself (SIGKILL) on its K-th request;
``NN_TEST_SLEEP_AT=K`` -- it sleeps 60 s on its K-th request (a hung service);
``NN_TEST_BURN_S=S`` -- make_predictor() burns S seconds of CPU (CPU accounting checks);
``NN_TEST_FLAT=1`` -- predict no block boundary anywhere (the rule then keeps only "no split");
``NN_TEST_LOG=FILE`` -- append one JSON line per request: slice type, temporal id, whether a
temporal cue came and its mean (the inter-picture request checks).
"""

from __future__ import annotations

import json
import os
import signal
import time

import numpy as np


class EdgePredictor:
    def __init__(self) -> None:
        self.calls = 0
        self.die_at = int(os.environ.get("NN_TEST_DIE_AT", "0"))
        self.sleep_at = int(os.environ.get("NN_TEST_SLEEP_AT", "0"))

    def predict(
        self,
        luma: np.ndarray,
        qp: np.ndarray,
        slice_type: np.ndarray,
        cue: np.ndarray | None,
        temporal_id: np.ndarray | None = None,
    ) -> np.ndarray:
        self.calls += 1
        if log := os.environ.get("NN_TEST_LOG"):
            rec = {
                "slice_type": int(slice_type[0]),
                "temporal_id": None if temporal_id is None else int(temporal_id[0]),
                "cue": cue is not None,
                "cue_mean": 0.0 if cue is None else float(np.abs(cue.astype(np.int32)).mean()),
            }
            with open(log, "a") as fh:
                fh.write(json.dumps(rec) + "\n")
        if self.calls == self.die_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if self.calls == self.sleep_at:
            time.sleep(60)
        x = luma.astype(np.int32)
        n = x.shape[0]
        if os.environ.get("NN_TEST_FLAT") == "1":
            return np.zeros((n, 4, 32, 32), dtype=np.uint8)
        dv = np.zeros_like(x)
        dh = np.zeros_like(x)
        dv[:, :, 1:] = np.abs(x[:, :, 1:] - x[:, :, :-1])  # step across the left edge
        dh[:, 1:, :] = np.abs(x[:, 1:, :] - x[:, :-1, :])  # step across the top edge
        # edge column/row of each 4x4 unit, averaged over its 4 samples
        v = dv[:, :, ::4].reshape(n, 32, 4, 32).sum(axis=2) // 4
        h = dh[:, ::4, :].reshape(n, 32, 32, 4).sum(axis=3) // 4
        act = (dv + dh).reshape(n, 8, 16, 8, 16).sum(axis=(2, 4)) // 512  # 16x16 activity
        act = np.repeat(np.repeat(act, 4, axis=1), 4, axis=2)
        bias = (40 - qp.astype(np.int32)).reshape(n, 1, 1)  # finer partitions at low QP
        out = np.empty((n, 4, 32, 32), dtype=np.uint8)
        out[:, 0] = np.clip(3 * v + 4 * act + bias, 0, 255)
        out[:, 1] = np.clip(3 * h + 4 * act + bias, 0, 255)
        out[:, 2] = np.clip(2 * v + 2 * act + bias, 0, 255)
        out[:, 3] = np.clip(2 * h + 2 * act + bias, 0, 255)
        return out


def make_predictor() -> EdgePredictor:
    burn = float(os.environ.get("NN_TEST_BURN_S", "0"))
    t0 = time.process_time()
    while time.process_time() - t0 < burn:
        pass
    return EdgePredictor()
