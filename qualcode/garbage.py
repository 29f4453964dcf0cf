"""Pausing Python's cyclic garbage collector while a large piece of work makes many objects.

Tens of thousands of rows, passages, selections or codings made at once hold no cycles to free,
yet their number sets off collections that walk the whole heap each time: a third of a matrix's
time on 50,000 codings, a tenth of importing a project of a million words. Reference counting
still frees everything as usual; only the search for cycles waits until the work is done.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_collections() -> Iterator[None]:
    """Pause the cyclic collector for the block (it is left as it was found: paused stays paused)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def keep_for_good() -> None:
    """Leave everything made so far out of every later collection (gc.freeze), once something that
    lives as long as the process has been loaded: spaCy's pipeline and language data are some
    hundred thousand objects, and an import loads them inside `without_collections`, so the first
    collection after it walked them all, and the one at the process's end again (0.1 s of the
    1.8 s an import of 19 files takes, benchmarks/bench_cli.py)."""
    gc.freeze()
