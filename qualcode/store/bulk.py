"""Inserting many rows of one table with few statements.

SQLite runs each statement of an executemany on its own; with a trigger on the table (the
analysis stamp's, migration 0008) every one of those statements also keeps a statement journal
of each page it touches, which cost more than the row itself. A few hundred rows per INSERT
pay for that once per statement.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert

# SQLite takes at most 32,766 parameters in a statement since 3.32 (999 before, and a build may
# set its own limit, which is read from the connection); rows per statement beyond a few hundred
# gain nothing.
MAX_PARAMETERS = 32_000
MAX_ROWS = 500
_NOTHING = object()


def insert_rows(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert `rows` (each naming the same columns) into `table`, as `connection.execute(insert(table), rows)` would;
    with `returning`, those columns of each inserted row, in no particular order, as the driver gives them.

    A column left out gets no Python-side default here: a row must name every column that has one,
    apart from the primary key.
    """
    if not rows:
        return []
    columns = list(rows[0])
    missing = [column.name for column in table.columns
               if column.name not in columns and column.default is not None and not column.primary_key]
    if missing:
        raise ValueError(f"insert_rows into {table.name} needs values for {', '.join(missing)}")
    dialect = connection.dialect
    if dialect.name != "sqlite":
        if returning:
            return [tuple(row) for row in connection.execute(
                insert(table).returning(*[table.columns[name] for name in returning]), list(rows),
            )]
        connection.execute(insert(table), list(rows))
        return []
    processors: list[Callable[[Any], Any] | None] = [
        table.columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    ]
    driver = connection.connection.driver_connection
    limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if driver is not None else 999
    per_statement = max(1, min(MAX_ROWS, min(MAX_PARAMETERS, limit) // len(columns)))
    placeholder = "(" + ", ".join("?" * len(columns)) + ")"
    quote = dialect.identifier_preparer.quote
    head = f"INSERT INTO {dialect.identifier_preparer.format_table(table)} (" + ", ".join(map(quote, columns)) + ") VALUES "
    tail = " RETURNING " + ", ".join(map(quote, returning)) if returning else ""
    returned: list[tuple[Any, ...]] = []
    statements: dict[int, str] = {}
    # The last value of each column and what it became: rows often share one (a moment, a coder),
    # and converting a date is dearer than looking it up.
    last: list[tuple[Any, Any]] = [(_NOTHING, None)] * len(columns)
    for first in range(0, len(rows), per_statement):
        chunk = rows[first:first + per_statement]
        values: list[Any] = []
        for row in chunk:
            for index, (name, processor) in enumerate(zip(columns, processors, strict=True)):
                value = row[name]
                if processor is None:
                    values.append(value)
                elif last[index][0] is value:
                    values.append(last[index][1])
                else:
                    converted = processor(value)
                    last[index] = (value, converted)
                    values.append(converted)
        sql = statements.get(len(chunk))
        if sql is None:
            sql = statements[len(chunk)] = head + ", ".join([placeholder] * len(chunk)) + tail
        result = connection.exec_driver_sql(sql, tuple(values))
        if returning:
            returned += [tuple(row) for row in result]
    return returned
