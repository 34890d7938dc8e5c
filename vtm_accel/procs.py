"""Process lifetime: no timed process outlives the harness, and no shared memory outlives them.

- ``die_with_parent(parent_pid)``: the calling process gets SIGKILL when the thread that
  started it ends (Linux ``PR_SET_PDEATHSIG``); it is called in every timed child between fork
  and exec (``timing.run_timed``) and in every local worker process (``batch.local``), so a
  SIGKILL of the harness takes its workers, their encoders and the encoders' helpers down
  instead of leaving them on cores that the next timed encode claims. Elsewhere a no-op.
- ``remove_orphaned_segments()``: the predictor channels (``/dev/shm/vtm-accel-<pid>-*``) whose
  engine is gone (dead, or a zombie nobody reaped yet). An engine removes its own on exit and on
  SIGINT/SIGTERM; only SIGKILL leaves one behind (about 9 MB at 1080p).

Public API: ``die_with_parent(parent_pid, sig=SIGKILL) -> bool``,
``remove_orphaned_segments() -> list[str]``.
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


def remove_orphaned_segments() -> list[str]:
    """Unlink predictor channels whose owning engine is gone; returns their names."""
    from vtm_accel.predictors import protocol as P

    removed = []
    for name in P.list_segments():
        pid = P.parse_owner_pid(name)
        if pid is not None and not P.pid_alive(pid):
            try:
                (P.SHM_DIR / name).unlink()
                removed.append(name)
            except OSError:
                pass
    return removed
