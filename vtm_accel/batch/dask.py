"""The same work as ``batch.local`` on a Dask distributed cluster (``--scheduler ADDRESS``).

Workers must see the same paths as the client (a shared filesystem: inputs, the output/store
directory and the encoder binaries). On each worker machine a task claims its own core before it
times anything (``batch.pinning``), so start workers with one thread each (``--nthreads 1``) and
at most one worker process per core; extra tasks wait for a free core rather than share one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from vtm_accel.batch.progress import progress_bar
from vtm_accel.core import HarnessError

T = TypeVar("T")
R = TypeVar("R")


def run_dask(
    fn: Callable[[T], R],
    items: Sequence[T],
    scheduler: str,
    progress: bool = False,
    description: str = "points",
    connect_timeout_s: float = 30.0,
    describe: Callable[[R], str] | None = None,
    lines: bool = False,
) -> list[R]:
    """``[fn(x) for x in items]`` on the cluster at ``scheduler``, results in input order."""
    from distributed import Client, as_completed

    try:
        client = Client(scheduler, timeout=connect_timeout_s, set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise HarnessError(
            f"cannot reach the Dask scheduler at {scheduler!r} ({e}); check --scheduler"
        ) from e
    try:
        futures = client.map(fn, list(items), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        out: dict[int, R] = {}
        bar = progress_bar(description, len(futures), progress, lines)
        with client.as_current(), bar as advance:
            for fut in as_completed(futures):
                r = fut.result()
                out[index[fut.key]] = r
                advance(1, describe(r) if describe else None)
        return [out[i] for i in range(len(futures))]
    finally:
        client.close()
