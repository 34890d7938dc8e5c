"""A rich progress bar on stderr for long work (a no-op when disabled)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)


class Advance(Protocol):
    def __call__(self, n: int = 1) -> None: ...


def default_enabled() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress_bar(description: str, total: int, enabled: bool) -> Iterator[Advance]:
    if not enabled or total <= 0:
        yield lambda n=1: None
        return
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    with progress:
        task = progress.add_task(description, total=total)

        def advance(n: int = 1) -> None:
            progress.advance(task, n)

        yield advance
