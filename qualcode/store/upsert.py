"""Inserting a row unless an equal one exists, so a lost race ends like the sequential case."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, Table
from sqlalchemy.orm import DeclarativeBase, Session


def insert_unless_present(
    session: Session,
    model: type[DeclarativeBase],
    values: Mapping[str, Any],
    unique_columns: Sequence[str],
    where: ColumnElement[bool] | None = None,
) -> bool:
    """Insert one row unless it would repeat `unique_columns` of a row (matching `where`, for a
    partial unique index); True if it was inserted. The database decides, so two writers at once
    cannot both insert, and neither fails."""
    table = model.__table__
    assert isinstance(table, Table)
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement: Any = sqlite_insert(table).values(**values).on_conflict_do_nothing(
            index_elements=list(unique_columns), index_where=where
        )
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        statement = postgresql_insert(table).values(**values).on_conflict_do_nothing(
            index_elements=list(unique_columns), index_where=where
        )
    else:
        raise NotImplementedError(f"no insert-unless-present for {dialect}")
    result = session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount == 1
