"""Progress of long work on stderr: a rich bar, and one line per finished item above it.

``progress_bar(description, total, enabled, lines=False)`` yields ``advance(n=1, line=None)``.
With ``enabled`` (a terminal) it draws the bar and prints each ``line`` above it; with ``lines``
but no terminal (a log file, CI) it prints each line alone, stamped with the time, so a
long run shows what finished even where a bar cannot be drawn; with neither it does nothing.
"""

from __future__ import annotations

import sys
import time
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
    def __call__(self, n: int = 1, line: str | None = None) -> None: ...


def default_enabled() -> bool:
    return sys.stderr.isatty()


def _stamp() -> str:
    """Time of day: the stamps of successive phases of one run stay comparable."""
    return time.strftime("%H:%M:%S")


@contextmanager
def progress_bar(
    description: str, total: int, enabled: bool, lines: bool = False
) -> Iterator[Advance]:
    if total <= 0 or not (enabled or lines):

        def nothing(n: int = 1, line: str | None = None) -> None:
            return None

        yield nothing
        return
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    if not enabled:
        done = 0

        def plain(n: int = 1, line: str | None = None) -> None:
            nonlocal done
            done += n
            if line:
                console.print(f"{_stamp()} {description} {done}/{total}: {line}", markup=False)

        yield plain
        return
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    with progress:
        task = progress.add_task(description, total=total)

        def advance(n: int = 1, line: str | None = None) -> None:
            if line:
                progress.console.print(f"{_stamp()} {line}", markup=False)
            progress.advance(task, n)

        yield advance
