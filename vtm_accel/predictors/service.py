"""The predictor service: runs the partition CNN for encoders over shared-memory channels.

Usage::

    python -m vtm_accel.predictors.service --model PATH [--device cpu|cuda]
        (--channel NAME [--channel NAME ...] | --serve [--name-file FILE] [--idle-exit S])
        [--parent-pid PID] [--threads N]

- ``--channel NAME``: serve these channels (how an encoder starts its own service: it creates the
  channel, then this process); the service exits when all of them are closed or their owners are
  gone, and when its parent dies.
- ``--serve``: a shared service. It creates a service segment, prints its name on stdout (and
  to ``--name-file``) and serves every channel whose ``service_pid`` word is its pid (found by
  scanning ``/dev/shm``); several encoders can use it at once (``--nn-attach NAME``). It exits
  on SIGTERM/SIGINT, when ``--parent-pid`` dies, or after ``--idle-exit`` seconds without a
  channel.

One request is one picture: the CNN runs on all of its CTUs as one batch. ``--model`` is a model
file for ``vtm_accel.predictors.model.load_predictor``, or a ``.py`` file that defines
``make_predictor()`` returning an object with the same ``predict`` method (tests, experiments).
On start and on exit the service removes ``vtm-accel-*`` segments whose owner is dead, and its
own. The protocol: ``docs/predictor-protocol.md``.
"""

from __future__ import annotations

import argparse
import atexit
import functools
import importlib.util
import inspect
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from vtm_accel.predictors import protocol as P
from vtm_accel.procs import die_with_parent


class Predictor(Protocol):
    def predict(
        self,
        luma: np.ndarray,
        qp: np.ndarray,
        slice_type: np.ndarray,
        cue: np.ndarray | None,
    ) -> np.ndarray: ...


def load_model(path: str, device: str = "cpu", threads: int = 1) -> Predictor:
    """A predictor from a model file (NN-MODEL's format) or a ``.py`` file with make_predictor()."""
    if path.endswith(".py"):
        spec = importlib.util.spec_from_file_location("vtm_accel_user_predictor", path)
        if spec is None or spec.loader is None:
            raise RuntimeError(f"cannot import {path}")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        make = mod.make_predictor
    else:
        from vtm_accel.predictors.np_infer import load_numpy_predictor, npz_path

        if device == "cpu" and npz_path(Path(path)).exists():
            return load_numpy_predictor(path)  # no torch import: ~2.5 s less CPU per start
        try:
            from vtm_accel.predictors.model import load_predictor  # imports torch (lazily here)
        except ModuleNotFoundError as e:
            why = f"device {device}" if device != "cpu" else f"no {npz_path(Path(path)).name}"
            raise RuntimeError(
                f"{path} needs PyTorch ({why} for numpy inference), which is not installed: "
                f"pip install 'vtm-accel[train]'"
            ) from e

        make = functools.partial(load_predictor, Path(path))
    wanted = {"device": device, "threads": threads}
    params = inspect.signature(make).parameters
    return make(**{k: v for k, v in wanted.items() if k in params})


@dataclass
class Channel:
    seg: P.Segment
    layout: P.ChannelLayout
    client_pid: int
    served: int = 0
    last_pid_check: float = field(default_factory=time.monotonic)


def _log(msg: str) -> None:
    print(f"nn-service[{os.getpid()}]: {msg}", file=sys.stderr, flush=True)


def _takes_temporal_id(predictor: Predictor) -> bool:
    try:
        return "temporal_id" in inspect.signature(predictor.predict).parameters
    except (TypeError, ValueError):
        return False


def serve_request(ch: Channel, predictor: Predictor) -> bool:
    """Answer the channel's pending request, if any; True when one was answered."""
    seg = ch.seg
    seq = seg.load64(P.OFF_REQUEST_SEQ)
    if seq == ch.served:
        return False
    req = P.RequestHeader.unpack(seg.mm[P.OFF_REQUEST : P.OFF_REQUEST + P.REQUEST_BYTES])
    resp = P.ResponseHeader(req.picture_id, P.STATUS_OK, req.num_ctus)
    try:
        n = req.num_ctus
        if not 1 <= n <= ch.layout.max_ctus:
            raise ValueError(f"request for {n} CTUs (channel holds {ch.layout.max_ctus})")
        luma = seg.luma(ch.layout)[:n].copy()
        cue = seg.cue(ch.layout)[:n].copy() if req.has_cue else None
        qp = np.full(n, req.qp, dtype=np.int32)
        st = np.full(n, req.slice_type, dtype=np.int32)
        if _takes_temporal_id(predictor):
            tid = np.full(n, req.temporal_id, dtype=np.int32)
            out = np.asarray(predictor.predict(luma, qp, st, cue, temporal_id=tid))
        else:  # a predictor without the v2 scalar (e.g. tests' stand-in)
            out = np.asarray(predictor.predict(luma, qp, st, cue))
        want = (n, P.NUM_MAPS, P.MAP_SIZE, P.MAP_SIZE)
        if out.shape != want:
            raise ValueError(f"predictor returned shape {out.shape}, expected {want}")
        seg.maps(ch.layout)[:n] = out.astype(np.uint8, copy=False)
    except Exception as e:  # a bad request or model failure answers with an error status
        _log(f"picture {req.picture_id}: {type(e).__name__}: {e}")
        resp = P.ResponseHeader(req.picture_id, P.STATUS_ERROR, 0, f"{type(e).__name__}: {e}")
    seg.mm[P.OFF_RESPONSE : P.OFF_RESPONSE + 64] = resp.pack()
    seg.store64(P.OFF_RESPONSE_SEQ, seq)  # publishes the response (after the data)
    ch.served = seq
    return True


@dataclass
class Refusal:
    """Why a segment cannot be served; ``final`` when waiting cannot change that."""

    why: str
    final: bool


# A segment seen while its creator is still writing it (size 0, header not yet complete) must
# be retried, not refused: scans run every 0.1 s and an encoder's shm_open -> ftruncate ->
# header -> FLAG_READY takes microseconds, but a scan can land in between. One that stays
# incomplete this long is someone else's or broken, and is ignored from then on.
INCOMPLETE_GIVE_UP_S = 30.0


def open_channel(name: str, service_pid: int, claim_unowned: bool) -> Channel | Refusal:
    """Map a client's channel, or say why it cannot be served (yet).

    ``claim_unowned``: also take a channel whose ``service_pid`` is 0 (an encoder that starts
    its own service names the channel on the command line; a shared service that scans
    ``/dev/shm`` must never take those).
    """
    try:
        seg = P.open_segment(name)
    except OSError as e:
        return Refusal(f"cannot open {name}: {e}", final=False)
    why, final = "", True
    if not seg.load32(P.OFF_FLAGS) & P.FLAG_READY:
        why, final = "not ready", False  # the creator writes FLAG_READY last
    hdr = seg.header()
    if not why:
        why = hdr.check()
    if not why and hdr.kind != P.KIND_CHANNEL:
        why = "not a channel"
    if not why and seg.size < P.ChannelLayout.for_ctus(hdr.max_ctus).total:
        why = "truncated"
    target = seg.load32(P.OFF_SERVICE_PID) if not why else 0
    if not why and target != service_pid and not (target == 0 and claim_unowned):
        why = f"served by pid {target}" if target else "for a service of its own"
    if why:
        seg.close()
        return Refusal(why, final)
    if target == 0:
        seg.store32(P.OFF_SERVICE_PID, service_pid)
    ch = Channel(seg, P.ChannelLayout.for_ctus(hdr.max_ctus), hdr.owner_pid)
    ch.served = seg.load64(P.OFF_RESPONSE_SEQ)
    return ch


class Service:
    def __init__(
        self,
        predictor: Predictor,
        channels: list[str],
        serve: bool,
        parent_pid: int | None,
        idle_exit_s: float | None,
    ) -> None:
        self.predictor = predictor
        self.pid = os.getpid()
        self.serve = serve
        self.parent_pid = parent_pid
        self.idle_exit_s = idle_exit_s
        self.channels: dict[str, Channel] = {}
        self.rejected: set[str] = set()
        self.first_seen: dict[str, float] = {}  # incomplete segments: when first seen
        self.pending = list(channels)
        self.service_seg: P.Segment | None = None
        self.requests = 0

    def start_serving(self) -> str:
        self.service_seg = P.create_service_segment()
        return self.service_seg.name

    def _scan(self, now: float) -> None:
        names = P.list_segments() if self.serve else []
        for name in [*self.pending, *names]:
            if name in self.channels or name in self.rejected:
                continue
            if self.service_seg is not None and name == self.service_seg.name:
                continue
            got = open_channel(name, self.pid, claim_unowned=name in self.pending)
            if isinstance(got, Channel):
                self.channels[name] = got
                self.first_seen.pop(name, None)
                if name in self.pending:
                    self.pending.remove(name)
                continue
            if name in self.pending:  # a channel named by --channel: its encoder is waiting
                if got.why.startswith("cannot open"):
                    self.pending.remove(name)
                    _log(got.why)
                continue
            seen = self.first_seen.setdefault(name, now)
            if got.final or now - seen > INCOMPLETE_GIVE_UP_S:
                self.rejected.add(name)
                self.first_seen.pop(name, None)

    def _drop_finished(self, now: float) -> None:
        for name, ch in list(self.channels.items()):
            closing = bool(ch.seg.load32(P.OFF_FLAGS) & P.FLAG_CLOSING)
            dead = False
            if not closing and now - ch.last_pid_check > 0.2:
                ch.last_pid_check = now
                dead = not P.pid_alive(ch.client_pid)
            if closing or dead:
                ch.seg.close(unlink=dead)
                del self.channels[name]

    def _parent_gone(self) -> bool:
        return self.parent_pid is not None and (
            os.getppid() != self.parent_pid and not P.pid_alive(self.parent_pid)
        )

    def run(self) -> int:
        if self.service_seg is not None:
            self.service_seg.store32(P.OFF_FLAGS, P.STATE_READY)
        sleep_s = 0.0
        last_scan = 0.0
        idle_since = time.monotonic()
        served_any = False
        while True:
            now = time.monotonic()
            hb = P.monotonic_ns()
            if now - last_scan > (0.1 if self.serve else 0.02) or self.pending:
                last_scan = now
                self._scan(now)
            worked = False
            for ch in list(self.channels.values()):
                ch.seg.store64(P.OFF_HEARTBEAT_NS, hb)
                if serve_request(ch, self.predictor):
                    worked = True
                    self.requests += 1
            if self.service_seg is not None:
                self.service_seg.store64(P.OFF_HEARTBEAT_NS, hb)
            self._drop_finished(now)
            if self.channels:
                served_any = True
                idle_since = now
            if not self.serve and not self.channels and (served_any or not self.pending):
                return 0  # every client of a spawned service is gone
            if not self.serve and self.pending and now - idle_since > 30:
                _log(f"channel(s) {self.pending} never became ready; exiting")
                return 1
            if self.serve and self.idle_exit_s is not None and now - idle_since > self.idle_exit_s:
                return 0
            if self._parent_gone():
                _log("parent process gone; exiting")
                return 0
            if worked:
                sleep_s = 0.0
                continue
            # Poll with backoff: 50 us doubling to 2 ms (one request per picture, so the
            # latency is negligible and an idle service costs little CPU).
            sleep_s = min(0.002, sleep_s * 2 if sleep_s else 0.00005)
            time.sleep(sleep_s)

    def close(self) -> None:
        for ch in self.channels.values():
            ch.seg.close(unlink=not P.pid_alive(ch.client_pid))
        self.channels.clear()
        if self.service_seg is not None:
            self.service_seg.store32(P.OFF_FLAGS, P.STATE_STOPPING)
            self.service_seg.close(unlink=True)
            self.service_seg = None
        P.cleanup_stale_segments()


def _on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m vtm_accel.predictors.service", description=__doc__)
    ap.add_argument("--model", required=True, help="model file, or a .py with make_predictor()")
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    ap.add_argument("--channel", action="append", default=[], metavar="NAME")
    ap.add_argument("--serve", action="store_true", help="a shared service (prints its name)")
    ap.add_argument("--name-file", type=Path, help="--serve: also write the name here")
    ap.add_argument("--idle-exit", type=float, metavar="S", help="--serve: exit when idle S s")
    ap.add_argument("--parent-pid", type=int, metavar="PID", help="exit when PID is gone")
    ap.add_argument("--threads", type=int, default=1, help="CPU threads for the model")
    args = ap.parse_args(argv)
    if not args.channel and not args.serve:
        ap.error("give --channel NAME (an encoder's own service) or --serve (a shared one)")
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))
    parent = args.parent_pid if args.parent_pid else (os.getppid() if args.channel else None)

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    if parent is not None and parent == os.getppid():
        # an engine's own service: end with it at once (SIGTERM, so the channel is removed),
        # not at the next poll, which a model load can delay by seconds
        die_with_parent(parent, signal.SIGTERM)
    removed = P.cleanup_stale_segments()
    if removed:
        _log(f"removed {len(removed)} stale segment(s): {' '.join(removed)}")

    svc: Service | None = None
    try:
        svc = Service(
            predictor=_NotLoaded(),
            channels=[c.lstrip("/") for c in args.channel],
            serve=args.serve,
            parent_pid=parent,
            idle_exit_s=args.idle_exit,
        )
        atexit.register(svc.close)
        if args.serve:
            name = svc.start_serving()
            if args.name_file:  # before stdout: a reader of either finds both
                args.name_file.write_text(name + "\n")
            print(name, flush=True)
        svc.predictor = load_model(args.model, args.device, args.threads)
        torch = sys.modules.get("torch")  # only when the model needed it
        if torch is not None:
            torch.set_num_threads(max(1, args.threads))
        return svc.run()
    except SystemExit as e:
        return int(e.code) if isinstance(e.code, int) else 1
    except Exception as e:
        _log(f"{type(e).__name__}: {e}")
        return 1
    finally:
        if svc is not None:
            svc.close()


class _NotLoaded:
    def predict(self, *_: Any) -> np.ndarray:
        raise RuntimeError("model not loaded")


if __name__ == "__main__":
    sys.exit(main())
