"""Code × attribute matrices and the passages behind each cell.

Public: MatrixColumn, MatrixRow, Matrix, CellPassage, code_matrix(), matrix_table(), cell_passages(), place_passages(),
cell_table(), column_values(), MATRIX_COUNTS, PERCENTS.

Columns are the values of one attribute, or of two crossed (grouped columns); each cell counts
passages (or distinct participants, or words coded) of the row's code whose passages have the
column's values. Cells, totals and drill-down all come from the same `passages()` list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from qualcode.analysis.passages import (
    Passage,
    Selected,
    check_column,
    describe,
    passages,
    population,
    selected,
    sort_values,
    tally,
)
from qualcode.analysis.rules import NONE, caption
from qualcode.analysis.tables import Cell, Column, Row, Table
from qualcode.codebook.service import find_code
from qualcode.coding.passages import QuoteFilter, known_hint, select_quotes
from qualcode.errors import InvalidInput, NotFound

MATRIX_COUNTS = ("passages", "participants", "words")
PERCENTS = ("row", "column")


@dataclass(frozen=True)
class MatrixColumn:
    """One column: its value of each `by` attribute, and how many participants and transcripts have them."""

    values: tuple[str, ...]
    participants: int
    transcripts: int


@dataclass(frozen=True)
class MatrixRow:
    path: str
    name: str
    depth: int
    counts: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class Matrix:
    selection: QuoteFilter
    by: tuple[str, ...]
    count: str
    columns: tuple[MatrixColumn, ...]
    rows: tuple[MatrixRow, ...]
    totals: tuple[int, ...]  # per column, over the top-level codes' passages
    total: int


@dataclass(frozen=True)
class CellPassage:
    """A passage behind a cell, with where it is (line, turn) and the turns around it."""

    passage: Passage
    line: int
    speaker: str | None
    context_before: str | None
    context_after: str | None


def code_matrix(session: Session, selection: QuoteFilter | None, by: Sequence[str], count: str = "passages") -> Matrix:
    """Codes × the values of `by` (one attribute, or two crossed); nothing selected is a NotFound."""
    selection = selection or QuoteFilter()
    by = _check_by(session, by)
    if count not in MATRIX_COUNTS:
        raise InvalidInput(f"cannot count {count!r} in a matrix", "count one of " + ", ".join(MATRIX_COUNTS))
    chosen = selected(session, selection)
    columns = _columns(session, selection, chosen, by)
    index = {column.values: position for position, column in enumerate(columns)}
    cells: dict[tuple[int, int], list[Passage]] = defaultdict(list)
    for passage in chosen.passages:
        cells[(passage.code_id, index[tuple(passage.value(name) for name in by)])].append(passage)
    by_code: dict[int, list[Passage]] = defaultdict(list)
    for passage in chosen.passages:
        by_code[passage.code_id].append(passage)
    rows = tuple(
        MatrixRow(code.path, code.name, code.depth,
                  tuple(tally(cells.get((code.id, position), []), count) for position in range(len(columns))),
                  tally(by_code.get(code.id, []), count))
        for code in chosen.codes
    )
    top = [passage for passage in chosen.passages if passage.code_id in chosen.roots]
    per_column: dict[int, list[Passage]] = defaultdict(list)
    for passage in top:
        per_column[index[tuple(passage.value(name) for name in by)]].append(passage)
    totals = tuple(tally(per_column.get(position, []), count) for position in range(len(columns)))
    return Matrix(selection, by, count, columns, rows, totals, tally(top, count))


def _check_by(session: Session, by: Sequence[str]) -> tuple[str, ...]:
    if not by:
        raise InvalidInput("a matrix needs an attribute for its columns", "as in --by role, or --by role --by wave")
    if len(by) > 2:
        raise InvalidInput("a matrix crosses at most two attributes", "as in --by role --by wave")
    if len(set(by)) < len(by):
        raise InvalidInput(f"--by {by[0]} is given twice", "cross two different attributes")
    return tuple(check_column(session, name) for name in by)


def _columns(session: Session, selection: QuoteFilter, chosen: Selected, by: tuple[str, ...]) -> tuple[MatrixColumn, ...]:
    """Every combination of values that a participant in a transcript (or a passage) has, with the column sizes.

    A coder column's size is what that coder coded: coders are not attributes of the people interviewed.
    """
    units = population(session, selection)
    people: dict[tuple[str, ...], set[str]] = defaultdict(set)
    transcripts: dict[tuple[str, ...], set[str]] = defaultdict(set)
    if "coder" in by:
        for passage in chosen.passages:
            values = tuple(passage.value(name) for name in by)
            transcripts[values].add(passage.transcript)
            if passage.participant is not None:
                people[values].add(passage.participant)
    else:
        for unit in units:
            values = tuple(unit.value(name) for name in by)
            transcripts[values].add(unit.transcript)
            if unit.participant is not None:
                people[values].add(unit.participant)
    combinations = set(transcripts) | {tuple(passage.value(name) for name in by) for passage in chosen.passages}
    ordered = [sort_values(combination[level] for combination in combinations) for level in range(len(by))]
    rank = [{value: position for position, value in enumerate(values)} for values in ordered]
    return tuple(
        MatrixColumn(values, len(people.get(values, ())), len(transcripts.get(values, ())))
        for values in sorted(combinations, key=lambda values: tuple(rank[level][value] for level, value in enumerate(values)))
    )


def matrix_table(matrix: Matrix, percent: str | None = None) -> Table:
    """The matrix as a table: codes as rows, the values as (grouped) columns with their sizes, row and
    column totals; with `percent` ("row" or "column") each count has its percentage beside it."""
    if percent is not None and percent not in PERCENTS:
        raise InvalidInput(f"--percent {percent!r} is not one of {', '.join(PERCENTS)}")
    crossed = len(matrix.by) == 2
    columns = [
        Column(column.values[-1], group=column.values[0] if crossed else "",
               sizes=(("participants", column.participants), ("transcripts", column.transcripts)))
        for column in matrix.columns
    ]
    columns.append(Column("Total"))
    depth = min((row.depth for row in matrix.rows), default=0)

    def cells(counts: Sequence[int], total: int, totals: Sequence[int]) -> tuple[Cell, ...]:
        made = []
        for count, column_total in zip([*counts, total], [*totals, matrix.total], strict=True):
            base = total if percent == "row" else column_total
            share = None if not base else 100 * count / base
            made.append(Cell(count, share, shows_percent=percent is not None))
        return tuple(made)

    rows = tuple(
        Row(row.name if row.depth > depth else row.path, cells(row.counts, row.total, matrix.totals), row.depth - depth, row.path)
        for row in matrix.rows
    )
    by_words = " × ".join(matrix.by)
    counted = {"passages": "passages", "participants": "distinct participants with passages", "words": "words coded"}[matrix.count]
    sizes = "Under each value: p participants and t transcripts" + (
        " coded by that coder." if "coder" in matrix.by else " with that value, within the filters."
    )
    return Table(
        title=f"Codes × {by_words} ({matrix.count})",
        caption=caption(
            describe(matrix.selection),
            f"Each cell counts {counted} of the row's code with the column's {by_words}; a missing value is {NONE}."
            + (f" Percentages are of the {percent} total." if percent else "")
            + " The totals count each passage once, under its top-level code (participants: distinct over the row or column).",
        ),
        row_header="Code",
        columns=tuple(columns),
        rows=rows,
        totals=Row("Total", cells(matrix.totals, matrix.total, matrix.totals), 0, "Total"),
        sizes_caption=sizes,
    )


def column_values(session: Session, selection: QuoteFilter | None, name: str) -> list[str]:
    """The values a column has among the selected passages and the population, in table order."""
    selection = selection or QuoteFilter()
    check_column(session, name)
    found = {passage.value(name) for passage in passages(session, selection)}
    if name != "coder":
        found |= {unit.value(name) for unit in population(session, selection)}
    return sort_values(found)


def cell_passages(
    session: Session, selection: QuoteFilter | None, code: str, where: Sequence[tuple[str, str]],
) -> list[CellPassage]:
    """The passages a matrix cell counts: the code's (rolled-up) passages with each NAME=VALUE of `where`.

    Exactly those the matrix of the same selection counts in that cell, since both read passages().
    """
    selection = selection or QuoteFilter()
    target = find_code(session, code)
    for name, _ in where:
        check_column(session, name)
    found = [passage for passage in passages(session, selection) if passage.code_id == target.id]
    for name, value in where:
        if value not in {passage.value(name) for passage in found}:
            known = column_values(session, selection, name)
            if value not in known:
                raise NotFound(f"no passages or participants have {name} {value!r}", known_hint(name, known, value))
    chosen = [passage for passage in found if all(passage.value(name) == value for name, value in where)]
    if not chosen:
        condition = " and ".join(f"{name}={value}" for name, value in where)
        raise NotFound(f"no passages of {target.path} with {condition}" if condition else f"no passages of {target.path}",
                       describe(selection) or "the cell is empty: its count is 0")
    return place_passages(session, chosen)


def place_passages(session: Session, chosen: list[Passage]) -> list[CellPassage]:
    """Each passage with the line and turns around it, read as quotes are (coding/passages.py)."""
    coding_ids = tuple(sorted({coding_id for passage in chosen for coding_id in passage.coding_ids}))
    quotes = {quote.coding_id: quote for quote in select_quotes(session, QuoteFilter(codings=coding_ids))[0]}
    placed = []
    for passage in chosen:
        first = quotes[passage.coding_ids[0]]
        last = max((quotes[coding_id] for coding_id in passage.coding_ids), key=lambda quote: (quote.end, quote.start))
        placed.append(CellPassage(passage, first.line, first.speaker, first.context_before, last.context_after))
    return placed


def cell_table(code: str, where: Sequence[tuple[str, str]], found: Sequence[CellPassage], selection: QuoteFilter | None = None) -> Table:
    """The passages behind a cell as a listing: who said it, where, the text, and the turns around it."""
    condition = ", ".join(f"{name}={value}" for name, value in where)
    columns = (
        Column("participant"), Column("role"), Column("wave"), Column("transcript"), Column("line"), Column("coder"),
        Column("before", wide=True), Column("text", wide=True), Column("after", wide=True),
    )
    rows = tuple(
        Row(
            f"{item.passage.participant or NONE} · {item.passage.transcript}:{item.line}",
            (Cell(item.passage.participant), Cell(item.passage.value("role")), Cell(item.passage.value("wave")),
             Cell(item.passage.transcript), Cell(item.line), Cell(item.passage.coder), Cell(item.context_before),
             Cell(item.passage.text), Cell(item.context_after)),
            key=",".join(str(coding_id) for coding_id in item.passage.coding_ids),
        )
        for item in found
    )
    return Table(
        title=f"{code}" + (f" with {condition}" if condition else "") + f": {len(found)} passage" + ("" if len(found) == 1 else "s"),
        caption=caption(describe(selection or QuoteFilter()), "The passages this cell of the matrix counts, with the turns before and after."),
        row_header="passage",
        columns=columns,
        rows=rows,
        records=True,
    )
