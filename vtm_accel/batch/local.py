"""Run independent tasks in parallel on this machine with joblib (loky processes).

Each task that times an encode claims its own core (``batch.pinning``), so the number of worker
processes is capped at the number of usable cores: never more timed encodes at once than cores.
Workers die with the harness (``procs.die_with_parent``), and their encoders with them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

from joblib import Parallel, delayed

from vtm_accel.batch.pinning import available_cores
from vtm_accel.batch.progress import progress_bar
from vtm_accel.procs import die_with_parent

T = TypeVar("T")
R = TypeVar("R")


def effective_jobs(jobs: int) -> int:
    """Requested parallelism capped at the usable cores (jobs <= 0: all cores)."""
    cores = len(available_cores())
    return cores if jobs <= 0 else max(1, min(jobs, cores))


def _indexed(fn: Callable[[T], R], i: int, item: T, harness_pid: int) -> tuple[int, R]:
    if os.getpid() != harness_pid:  # a worker process: it must not outlive the harness
        die_with_parent(harness_pid)
    return i, fn(item)


def run_local(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int = 1,
    progress: bool = False,
    description: str = "points",
    describe: Callable[[R], str] | None = None,
    lines: bool = False,
) -> list[R]:
    """``[fn(x) for x in items]`` on up to ``jobs`` cores, results in input order.

    ``fn`` must be a picklable top-level function; with one job it runs in this process.
    ``describe`` names a finished result in one line, printed as it finishes (under the bar,
    or alone with ``lines`` when there is no terminal; ``batch.progress``).
    """
    n = effective_jobs(jobs)
    out: dict[int, R] = {}
    with progress_bar(description, len(items), progress, lines) as advance:
        if n == 1 or len(items) <= 1:
            for i, item in enumerate(items):
                out[i] = fn(item)
                advance(1, describe(out[i]) if describe else None)
        else:
            par = Parallel(n_jobs=n, backend="loky", return_as="generator_unordered")
            me = os.getpid()
            for i, r in par(delayed(_indexed)(fn, i, item, me) for i, item in enumerate(items)):
                out[i] = r
                advance(1, describe(r) if describe else None)
    return [out[i] for i in range(len(items))]
