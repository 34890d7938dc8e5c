"""A Python client of the predictor service (the engine has its own, in C++: engine/src/nn/).

``PredictorClient(max_ctus, model=PATH)`` starts its own service (a child process) for one
channel; ``PredictorClient(max_ctus, attach=NAME)`` uses a shared one started with
``python -m vtm_accel.predictors.service --serve``. ``predict(...)`` sends one picture's CTUs
and returns the maps; ``PredictorError`` on a timeout, a dead service or an error answer.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from vtm_accel.predictors import protocol as P


class PredictorError(RuntimeError):
    pass


class PredictorClient:
    def __init__(
        self,
        max_ctus: int,
        model: str | Path | None = None,
        attach: str | None = None,
        python: str = sys.executable,
        timeout_s: float = 2.0,
        first_timeout_s: float = 10.0,
    ) -> None:
        if (model is None) == (attach is None):
            raise ValueError("give either model (start a service) or attach (use a shared one)")
        P.cleanup_stale_segments()
        self.timeout_s = timeout_s
        self.first_timeout_s = first_timeout_s
        self.proc: subprocess.Popen[bytes] | None = None
        self.service_pid = 0
        if attach is not None:
            svc = P.open_segment(attach)
            try:
                hdr = svc.header()
                if hdr.check() or hdr.kind != P.KIND_SERVICE:
                    raise PredictorError(f"{attach} is not a predictor service segment")
                self.service_pid = svc.load32(P.OFF_SERVICE_PID)
            finally:
                svc.close()
            if not P.pid_alive(self.service_pid):
                raise PredictorError(f"the service of {attach} (pid {self.service_pid}) is gone")
        self.seg = P.create_channel(max_ctus, self.service_pid)
        self.layout = self.seg.layout()
        self.seq = 0
        if model is not None:
            argv = [python, "-m", "vtm_accel.predictors.service", "--model", str(model)]
            argv += ["--channel", self.seg.name]
            self.proc = subprocess.Popen(argv)
            self.service_pid = self.proc.pid

    def _alive(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        return P.pid_alive(self.service_pid)

    def predict(
        self,
        picture_id: int,
        slice_type: int,
        qp: int,
        origins: np.ndarray,
        luma: np.ndarray,
        cue: np.ndarray | None = None,
        pic_size: tuple[int, int] = (0, 0),
        temporal_id: int = 0,
    ) -> np.ndarray:
        """Maps [N,4,32,32] uint8 for N CTUs (origins [N,2] (x, y), luma [N,128,128])."""
        n = len(origins)
        if not 1 <= n <= self.layout.max_ctus:
            raise ValueError(f"{n} CTUs, the channel holds 1..{self.layout.max_ctus}")
        self.seg.origins(self.layout)[:n] = origins
        self.seg.luma(self.layout)[:n] = luma
        if cue is not None:
            self.seg.cue(self.layout)[:n] = cue
        req = P.RequestHeader(
            picture_id, slice_type, qp, n, cue is not None, *pic_size, temporal_id
        )
        self.seg.mm[P.OFF_REQUEST : P.OFF_REQUEST + P.REQUEST_BYTES] = req.pack()
        self.seq += 1
        self.seg.store64(P.OFF_REQUEST_SEQ, self.seq)  # publishes the request
        limit = self.first_timeout_s if self.seq == 1 else self.timeout_s
        t0 = time.monotonic()
        sleep_s = 0.0
        while self.seg.load64(P.OFF_RESPONSE_SEQ) != self.seq:
            if time.monotonic() - t0 > limit:
                raise PredictorError(f"the service timed out after {limit:g} s")
            if not self._alive():
                raise PredictorError("the service is gone")
            sleep_s = min(0.001, sleep_s * 2 if sleep_s else 0.00002)
            time.sleep(sleep_s)
        resp = P.ResponseHeader.unpack(self.seg.mm[P.OFF_RESPONSE : P.OFF_RESPONSE + 64])
        if resp.status != P.STATUS_OK or resp.picture_id != picture_id or resp.num_ctus != n:
            raise PredictorError(f"the service answered with an error: {resp.message or resp}")
        return self.seg.maps(self.layout)[:n].copy()

    def close(self) -> None:
        if self.seg is None:
            return
        self.seg.store32(P.OFF_FLAGS, P.FLAG_READY | P.FLAG_CLOSING)
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.seg.close(unlink=True)
        self.seg = None  # type: ignore[assignment]

    def __enter__(self) -> PredictorClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
