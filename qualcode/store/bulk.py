"""Inserting many rows of one table with few statements, and naming many rows in one.

SQLite runs each statement of an executemany on its own; with a trigger on the table (the
analysis stamp's, migration 0008) every one of those statements also keeps a statement journal
of each page it touches, which cost more than the row itself. A few hundred rows per INSERT
pay for that once per statement.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, func, insert, select
from sqlalchemy.orm import QueryableAttribute

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
    # Column by column: a column with nothing to convert (most are) is copied as it is, at C speed;
    # the values of the others are converted as the driver needs them.
    by_column = [list(map(itemgetter(name), rows)) for name in columns]
    for index, processor in enumerate(processors):
        if processor is not None:
            by_column[index] = _converted(processor, by_column[index])
    returned: list[tuple[Any, ...]] = []
    statements: dict[int, str] = {}
    for first in range(0, len(rows), per_statement):
        count = min(per_statement, len(rows) - first)
        values = tuple(chain.from_iterable(zip(*[column[first:first + count] for column in by_column], strict=True)))
        sql = statements.get(count)
        if sql is None:
            sql = statements[count] = head + ", ".join([placeholder] * count) + tail
        result = connection.exec_driver_sql(sql, values)
        if returning:
            returned += [tuple(row) for row in result]
    return returned


def _converted(processor: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """`values` as `processor` converts them. Rows often share one value (a moment, a coder), and
    converting a date is dearer than looking it up, so a value the same as the one before is not
    converted again."""
    converted: list[Any] = []
    last: Any = _NOTHING
    result: Any = None
    for value in values:
        if value is not last:
            last, result = value, processor(value)
        converted.append(result)
    return converted


def in_values(column: QueryableAttribute[Any] | ColumnElement[Any], values: Iterable[int | str | None]) -> ColumnElement[bool]:
    """`column IN values` for values that grow with the data (the codings of a code, the rows a merge recorded),
    bound as one parameter however many they are: `column.in_(values)` binds one a value, and past the build's
    limit (above) its statement fails ("too many SQL variables"), as a merge of a code of 33,000 codings would.
    The values go as one JSON array that SQLite's json_each reads back; each is still looked up in the column's
    index, as a list of `?` is. (A PostgreSQL backend would bind an array: `= ANY(:values)`.)"""
    listed = func.json_each(json.dumps(list(values))).table_valued("value")
    return column.in_(select(listed.c.value))
