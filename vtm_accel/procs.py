"""Process lifetime: no timed process outlives the harness, and no shared memory outlives them.

- ``die_with_parent(parent_pid)``: the calling process gets SIGKILL when the thread that
  started it ends (Linux ``PR_SET_PDEATHSIG``); it is called in every timed child between fork
  and exec (``timing.run_timed``) and in every local worker process (``batch.local``), so a
  SIGKILL of the harness takes its workers, their encoders and the encoders' helpers down
  instead of leaving them on cores that the next timed encode claims. Elsewhere a no-op.
- The predictor channels (``/dev/shm/vtm-accel-<pid>-*``) whose engine is gone are removed by
  ``predictors.protocol.cleanup_stale_segments()``: an engine removes its own on exit and on
  SIGINT/SIGTERM; only SIGKILL leaves one behind (about 9 MB at 1080p).
- ``on_stop_signal``: the harness's handler for SIGTERM, SIGHUP and SIGINT. It raises where the
  harness is (``Terminated``, or ``KeyboardInterrupt`` for SIGINT) so that every running encoder
  is stopped as the stack unwinds, and it remembers the signal: an exception raised while Python
  runs a finalizer is printed and dropped, so ``run_timed`` checks ``raise_if_stopped()`` before
  it waits on an encoder, and the harness's exit status comes from ``stop_signal()``.

Public API: ``die_with_parent(parent_pid, sig=SIGKILL) -> bool``, ``Terminated``,
``on_stop_signal``, ``raise_if_stopped()``, ``stop_signal() -> int | None``,
``clear_stop_signal()``.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1
_libc: ctypes.CDLL | None = None
if sys.platform.startswith("linux"):
    try:
        _libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        _libc = None


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised where the harness is, so that it unwinds as for Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


# Signals are process-wide, so is the record of the one that asked the harness to stop.
_stop_signals: list[int] = []


def on_stop_signal(signum: int, _frame: object) -> None:
    _stop_signals.append(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(signum)


def stop_signal() -> int | None:
    """The first stop signal received since ``clear_stop_signal()``, or None."""
    return _stop_signals[0] if _stop_signals else None


def clear_stop_signal() -> None:
    _stop_signals.clear()


def raise_if_stopped() -> None:
    """Raise the stop that a signal asked for, even when its exception got lost."""
    signum = stop_signal()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    if signum is not None:
        raise Terminated(signum)


def die_with_parent_supported() -> bool:
    return _libc is not None


def die_with_parent(parent_pid: int, sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent ends; if the parent
    ended already (``parent_pid`` is no longer the parent), die now. False where unsupported.

    Async-signal-safe enough for a ``preexec_fn``: one libc call, no allocation of note."""
    if _libc is None:
        return False
    if _libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0:
        return False
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)
    return True
