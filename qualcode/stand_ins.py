"""Modules a library imports at start but qualcode never uses, held aside while that library is imported.

spaCy 3 imports its command line to offer `spacy.info`; SQLAlchemy 2.1 imports asyncio and
importlib.metadata for its asyncio extension and its plugins. A command pays for those on every
start (0.14 s of spaCy's import, 14 ms of `status`) and uses none of them. While the
library is imported, a stand-in holds each such module's place in `sys.modules`; the library
keeps the stand-in, and the first time anything reads from it, the real module is imported in its
place and answers. So nothing is lost: only what is never used is never loaded.

The window is only ever the library's own import, whose code is known: a stand-in is no package,
so a module imported beside it that imported one of the held modules' submodules would not find
it. After the window, `import asyncio` anywhere imports the real one.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any


class StandIn(types.ModuleType):
    """Holds a module's place; any attribute not given to it is read from the real module, which
    is imported then (in the stand-in's place, if it still holds it)."""

    def __getattr__(self, attribute: str) -> Any:
        if attribute == "__path__":
            # What the import system asks of every module a `from … import` names: a stand-in is no
            # package, and answering must not import the real module it holds the place of.
            raise AttributeError(attribute)
        return getattr(_real(self), attribute)


_letting_go = threading.RLock()  # two threads reading a stand-in at once import the real module once


def _real(stand_in: StandIn) -> types.ModuleType:
    with _letting_go:
        if sys.modules.get(stand_in.__name__) is stand_in:
            del sys.modules[stand_in.__name__]
        return importlib.import_module(stand_in.__name__)


def _forwarded(stand_in: StandIn, attribute: str) -> Callable[..., Any]:
    """A function the library reads from the module as it is imported (SQLAlchemy keeps
    `asyncio.iscoroutine`): it calls the real module's function, imported when first called."""

    def forwarded(*args: Any, **kwargs: Any) -> Any:
        return getattr(_real(stand_in), attribute)(*args, **kwargs)

    forwarded.__name__ = forwarded.__qualname__ = attribute
    return forwarded


@contextmanager
def held_aside(modules: Mapping[str, Iterable[str]]) -> Iterator[None]:
    """While the block runs, stand-ins hold the places of `modules` not yet imported, each with
    forwarders for the functions named (those the library reads as it is imported); then their
    places are left free again."""
    held = []
    for name, functions in modules.items():
        if name in sys.modules:
            continue  # imported already: the library gets the real one
        stand_in = StandIn(name, f"Stands in for {name} while a library is imported (qualcode.stand_ins).")
        for function in functions:
            setattr(stand_in, function, _forwarded(stand_in, function))
        sys.modules[name] = stand_in
        held.append(stand_in)
    try:
        yield
    finally:
        for stand_in in held:
            if sys.modules.get(stand_in.__name__) is stand_in:
                del sys.modules[stand_in.__name__]
