"""SQLAlchemy imported as every command that opens a project uses it: without asyncio.

SQLAlchemy 2.1 imports asyncio (with ssl) and importlib.metadata at its start, for its asyncio
extension and its plugins' entry points; qualcode uses neither, and they were 50-70 ms of the
250-360 ms SQLAlchemy's import takes, which every command that opens a project pays before any of
its own work (alternating runs of `import sqlalchemy.orm` with and without them, 38th session). SQLAlchemy's authors
deferred asyncio once before for the same reason (sqlalchemy/sqlalchemy#5681, 1.4). Both are held
aside while SQLAlchemy, its ORM and its SQLite dialect (which imports its aiosqlite driver's
adapter) are imported; anything SQLAlchemy later reads from them imports the real module then.
SQLAlchemy reads `asyncio.iscoroutine` as it is imported; its stand-in forwards to the real one.
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
