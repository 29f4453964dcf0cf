"""Pausing Python's cyclic garbage collector while a large piece of work makes many objects.

Tens of thousands of rows, passages, selections or codings made at once hold no cycles to free,
yet their number sets off collections that walk the whole heap each time: a third of a matrix's
time on 50,000 codings, a tenth of importing a project of a million words. Reference counting
still frees everything as usual; only the search for cycles waits until the work is done.
`kept_for_good` is the exception: what it freezes is never searched for cycles again.
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


@contextmanager
def kept_for_good() -> Iterator[None]:
    """Load, in the block, something that lives as long as the process, then leave what lives out
    of every later collection (gc.freeze). spaCy's pipeline and language data are some hundred
    thousand objects, and an import loads them inside `without_collections`: the first collection
    after it walked them all, and the one at the process's end again (0.15-0.25 s of an import of
    benchmarks/bench_cli.py's 19 files, in alternating runs).

    Garbage is collected before the block, while the heap is still small, so nothing waiting to be
    freed (a connection left to the collector, with its locks) is kept for good; only what the
    block itself leaves behind is. What lives now and is dropped later in a cycle stays until the
    process ends: this is for a load, not a habit."""
    gc.collect()
    yield
    gc.freeze()
