"""A progress bar on stderr for long work, shown only on a terminal and never with --json."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def wants_progress(as_json: bool = False) -> bool:
    """Whether to draw progress: stderr is a terminal, and no script reads the output."""
    return not as_json and sys.stderr.isatty()


@contextmanager
def progress_bar(label: str, total: int | None, *, show: bool) -> Iterator[Callable[..., None] | None]:
    """Yield a callback `step(advance=1, description=None)` that moves a bar, or None when not shown.

    rich is imported only when a bar is drawn, so piped commands start as fast as before.
    """
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns: list[Any] = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)

        def step(advance: int = 1, description: str | None = None, total: int | None = None) -> None:
            if total is not None:
                progress.update(task, total=total)
            progress.update(task, advance=advance, description=description or label)

        yield step
