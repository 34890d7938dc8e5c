"""Batch execution: a resumable result store, local (joblib) and Dask runners."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from vtm_accel.batch.local import run_local

T = TypeVar("T")
R = TypeVar("R")


def run_tasks(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int = 1,
    scheduler: str | None = None,
    progress: bool = False,
    description: str = "points",
    describe: Callable[[R], str] | None = None,
    lines: bool = False,
) -> list[R]:
    """Run on a Dask cluster when ``scheduler`` is given, else locally with ``jobs`` cores;
    ``describe``/``lines``: one line per finished item (``batch.progress``)."""
    if scheduler:
        from vtm_accel.batch.dask import run_dask

        return run_dask(
            fn,
            items,
            scheduler,
            progress=progress,
            description=description,
            describe=describe,
            lines=lines,
        )
    return run_local(
        fn,
        items,
        jobs=jobs,
        progress=progress,
        description=description,
        describe=describe,
        lines=lines,
    )


__all__ = ["run_local", "run_tasks"]
