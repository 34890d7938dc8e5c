"""One timed encode per core: a task claims a free core (an exclusive lock file per core, held
for the task) and pins its thread to it; child processes (the encoder) inherit the affinity.

The locks live in a machine-local directory, so every worker process on a machine (joblib/loky
or Dask) shares them: never more timed encodes at once than cores, each on its own core.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def available_cores() -> list[int]:
    """Cores this process may run on."""
    return sorted(os.sched_getaffinity(0))


def default_lock_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"vtm-accel-cores-{os.getuid()}"


@contextmanager
def pinned_core(lock_dir: Path | None = None, poll_s: float = 0.05) -> Iterator[int]:
    """Wait for a free core, pin the calling thread to it, yield its number, then restore."""
    lock_dir = lock_dir or default_lock_dir()
    lock_dir.mkdir(parents=True, exist_ok=True)
    allowed = available_cores()
    fd: int | None = None
    core = -1
    while fd is None:
        for c in allowed:
            f = os.open(lock_dir / f"cpu{c}.lock", os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(f)
                continue
            fd, core = f, c
            break
        if fd is None:
            time.sleep(poll_s)
    try:
        os.sched_setaffinity(0, {core})
        yield core
    finally:
        os.sched_setaffinity(0, set(allowed))
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
