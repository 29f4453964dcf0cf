"""Pausing Python's cyclic garbage collector while a large piece of work makes many objects.

Tens of thousands of rows, passages, selections or codings made at once hold no cycles to free,
yet their number sets off collections that walk the whole heap each time: a third of a matrix's
time on 50,000 codings, a tenth of importing a project of a million words. Reference counting
still frees everything as usual; only the search for cycles waits until the work is done.
`keep_for_good` is the exception: what it freezes is never searched for cycles again.
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
    """Leave what lives now out of every later collection (gc.freeze), once something that lives
    as long as the process has been loaded: spaCy's pipeline and language data are some hundred
    thousand objects, and an import loads them inside `without_collections`, so the first
    collection after it walked them all, and the one at the process's end again.

    Garbage is collected first, so nothing waiting to be freed (a connection left to the
    collector, with its locks) is kept for good. What lives now and is dropped later in a cycle
    stays until the process ends: call this once per load, not as a habit."""
    gc.collect()
    gc.freeze()
