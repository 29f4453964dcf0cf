"""Modules held aside while a library is imported (qualcode/stand_ins.py): the library works as
before, and what it imports but never uses is loaded only when something reads from it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode.stand_ins import StandIn, held_aside


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A library (`uses`) that imports a costly module (`costly`) at its start, reads a function
    from it then, and the rest only when called; both named for the test, so no other test meets them."""
    suffix = f"_{abs(hash(request.node.nodeid)) % 10**8}"
    costly, uses = f"costly{suffix}", f"uses{suffix}"
    (tmp_path / f"{costly}.py").write_text(textwrap.dedent("""
        import sys
        sys.costly_loads = getattr(sys, "costly_loads", 0) + 1

        def check(value):
            return value * 2

        class Refused(Exception):
            pass
    """), encoding="utf-8")
    (tmp_path / f"{uses}.py").write_text(textwrap.dedent(f"""
        import {costly}
        check = {costly}.check  # read as the library is imported

        def refuses(error):
            return isinstance(error, {costly}.Refused)  # read only when called
    """), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "costly_loads", 0, raising=False)
    yield costly, uses
    for name in (costly, uses):
        sys.modules.pop(name, None)


def test_a_held_module_is_loaded_only_when_the_library_reads_from_it(library: tuple[str, str]) -> None:
    costly, uses = library
    with held_aside({costly: ["check"]}):
        import importlib

        used = importlib.import_module(uses)
    assert sys.costly_loads == 0  # type: ignore[attr-defined]
    assert costly not in sys.modules  # the place is free again once the library is imported

    assert used.check(21) == 42  # the function read at import forwards to the real module
    assert sys.costly_loads == 1  # type: ignore[attr-defined]
    real = sys.modules[costly]
    assert not isinstance(real, StandIn)
    assert used.refuses(real.Refused()) and not used.refuses(ValueError())
    assert sys.costly_loads == 1  # type: ignore[attr-defined]  # loaded once, the library's stand-in answering from it


def test_an_attribute_read_inside_the_window_loads_the_real_module_in_the_stand_ins_place(library: tuple[str, str]) -> None:
    costly, uses = library
    with held_aside({costly: []}):  # `check` is not forwarded: reading it at import loads the real module
        import importlib

        used = importlib.import_module(uses)
        assert sys.costly_loads == 1  # type: ignore[attr-defined]
        assert not isinstance(sys.modules[costly], StandIn)
    assert not isinstance(sys.modules[costly], StandIn)  # the real one stays
    assert used.check(2) == 4


def test_a_module_imported_before_is_not_held(library: tuple[str, str]) -> None:
    costly, uses = library
    import importlib

    real = importlib.import_module(costly)
    with held_aside({costly: ["check"]}):
        used = importlib.import_module(uses)
    assert sys.modules[costly] is real and used.check is real.check
    assert sys.costly_loads == 1  # type: ignore[attr-defined]


def test_sqlalchemy_imported_without_asyncio_still_works_with_it() -> None:
    """In a fresh process: SQLAlchemy's ORM and SQLite dialect work without asyncio, ssl and
    importlib.metadata loaded; SQLAlchemy's `iscoroutine` and asyncio's exceptions, read where
    SQLAlchemy reads them, are asyncio's own once something uses them."""
    script = textwrap.dedent("""
        import sys
        from qualcode.store.sqlalchemy_import import import_sqlalchemy
        import_sqlalchemy()
        import sqlalchemy
        from sqlalchemy.orm import Session
        engine = sqlalchemy.create_engine("sqlite://")
        with Session(engine) as session:
            assert session.execute(sqlalchemy.text("select 1 + 1")).scalar() == 2
        print(sorted(m for m in ("asyncio", "ssl", "importlib.metadata") if m in sys.modules))
        from sqlalchemy.util import compat, concurrency
        async def waits():
            pass
        waiting = waits()
        print(concurrency.iscoroutine(waiting), concurrency.iscoroutine(waits))
        waiting.close()
        import asyncio
        print(compat.asyncio.CancelledError is asyncio.CancelledError, concurrency.is_exit_exception(asyncio.CancelledError()),
              type(sys.modules["asyncio"]).__name__, compat.importlib_metadata.version("sqlalchemy") == sqlalchemy.__version__)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "True False", "True True module True"]


def test_sqlalchemy_imported_before_is_the_one_used() -> None:
    import sqlalchemy

    from qualcode.store.sqlalchemy_import import import_sqlalchemy

    import_sqlalchemy()
    assert sys.modules["sqlalchemy"] is sqlalchemy
    assert not isinstance(sys.modules.get("asyncio"), StandIn)
