"""SQLAlchemy imported as every command that opens a project uses it: without asyncio.

SQLAlchemy 2.1 imports asyncio (with ssl, socket, email and some 60 modules) and importlib.metadata at
its start, for its asyncio extension and its plugins' entry points; qualcode uses neither. Both are
held aside while SQLAlchemy, its ORM and its SQLite dialect (which imports its aiosqlite driver's
adapter) are imported; anything SQLAlchemy later reads from them imports the real module then.
SQLAlchemy reads `asyncio.iscoroutine` as it is imported; its stand-in forwards to the real one.
SQLAlchemy's authors deferred asyncio once before for the same reason (sqlalchemy/sqlalchemy#5681).

Measured (38th session, alternating fresh processes): a bare `import sqlalchemy.orm` 40 ms
quicker (276 against 236 ms, eight pairs), a command less, since it loads with the garbage collector
paused. The CLI imports SQLAlchemy so before the key's derivation begins on its thread (imported
beside that thread's import of cryptography, each waited on the other): with both, `status` 270
against 256 ms and the CSV export 405 against 389 ms (medians of fifteen, on a quick host).
"""

from __future__ import annotations

import sys

from qualcode.stand_ins import held_aside

_HELD = {"asyncio": ["iscoroutine"], "importlib.metadata": []}


def import_sqlalchemy() -> None:
    """Import SQLAlchemy, its ORM and its SQLite dialect, unless SQLAlchemy is imported already."""
    if "sqlalchemy" in sys.modules:
        return
    with held_aside(_HELD):
        import sqlalchemy.dialects.sqlite  # noqa: F401
        import sqlalchemy.orm  # noqa: F401
