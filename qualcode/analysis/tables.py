"""Analysis tables and their four outputs: an 80-column terminal table, JSON, CSV and .xlsx.

Public: Cell, Column, Row, Table, render_text(), table_data(), render_csv(), csv_text(), xlsx_bytes(), write_xlsx(),
shorten().

A Table is either a grid of counts (codes as rows, attribute values as columns, optional grouped
headers, column sizes under the headers and a totals row) or, with `records`, a listing of passages
(each row one record, shown as a block in the terminal). Every analysis command renders through here.
openpyxl is imported only by xlsx_bytes, so the other outputs never load it.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import InvalidInput, WriteFailed
from qualcode.modes import mode_for
from qualcode.text.formulas import starts_like_formula

WIDTH = 80
LABEL_MAX = 30  # widest row label column before labels are shortened
GAP = "  "
WITHHELD = "*"  # in place of a percentage of a column of few people
NO_PERCENT = "–"  # in place of a percentage of nothing (a row or column total of 0)
SHEET_TITLE_MAX = 31  # Excel's limit on a worksheet's name
# Text a spreadsheet would run as a formula (qualcode.text.formulas): in CSV a leading ' is added; in
# .xlsx the text stays verbatim as a string cell with Excel's quote prefix.


@dataclass(frozen=True)
class Cell:
    """A count (or text, in a listing), with the percentage shown next to it when asked for."""

    value: int | float | str | None = None
    percent: float | None = None
    shows_percent: bool = False  # a percentage column: "(–)" when there is nothing to divide by
    withheld: bool = False  # a percentage left out because the column is so few people: "(*)"

    def text(self) -> str:
        shown = "" if self.value is None else f"{self.value:.1f}" if isinstance(self.value, float) else str(self.value)
        if not self.shows_percent:
            return shown
        if self.withheld:
            return f"{shown} ({WITHHELD})"
        return f"{shown} ({NO_PERCENT if self.percent is None else f'{self.percent:.0f}%'})"


@dataclass(frozen=True)
class Column:
    """A column: its header, the grouped header above it (two attributes crossed), and its sizes."""

    label: str
    group: str = ""
    sizes: tuple[tuple[str, int], ...] = ()  # e.g. (("participants", 4), ("transcripts", 6))
    wide: bool = False  # in a listing: long text, wrapped in its own block

    @property
    def key(self) -> str:
        return f"{self.group} / {self.label}" if self.group else self.label

    def size_note(self) -> str:
        return " ".join(f"{count}{name[0]}" for name, count in self.sizes)


@dataclass(frozen=True)
class Row:
    """A row: its label (indented by `level`), its cells, and what it stands for (a code path, a participant)."""

    label: str
    cells: tuple[Cell, ...] = ()
    level: int = 0
    key: str = ""


@dataclass(frozen=True)
class Table:
    title: str
    caption: str
    row_header: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    totals: Row | None = None
    records: bool = False
    sizes_caption: str = field(default="")  # what the letters under the headers stand for
    warnings: tuple[str, ...] = ()  # said on stderr (and by an export) beside the table: columns that may identify people
    # What a page of a wide grid is counted in: "" for its columns, or the plural noun of what each
    # group of columns stands for ("codes": co-occurrence's n and c under each code's number), since
    # a count of raw columns there matches nothing the header shows.
    paged_by: str = ""
    # Facts beside the rows a script reads in --json, by key (compare's participants with one round only),
    # said in the caption for people.
    json_fields: tuple[tuple[str, Any], ...] = ()

    @property
    def percent(self) -> bool:
        return any(cell.shows_percent for row in self.all_rows() for cell in row.cells)

    def all_rows(self) -> tuple[Row, ...]:
        return (*self.rows, self.totals) if self.totals is not None else self.rows


def shorten(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut with "…"; a code path keeps its first and last parts."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    parts = text.split("/")
    if len(parts) > 1:
        both = f"{parts[0]}/…/{parts[-1]}"
        if len(both) <= width:
            return both
        return "…" + text[-(width - 1):]
    return text[:width - 1] + "…"


def render_text(table: Table, width: int = WIDTH) -> str:
    """The table for a terminal `width` columns wide: a grid paged by columns, or a listing as blocks."""
    lines = [table.title, ""]
    lines += _listing(table, width) if table.records else _grid(table, width)
    lines += ["", *textwrap.wrap(table.caption, width)]
    if table.sizes_caption and not table.records:
        lines += textwrap.wrap(table.sizes_caption, width)
    return "\n".join(lines) + "\n"


def _grid(table: Table, width: int) -> list[str]:
    rows = table.all_rows()
    label_width = min(max([len(table.row_header), *(len(row.label) + 2 * row.level for row in rows)]), LABEL_MAX)
    cells = [[cell.text() for cell in row.cells] for row in rows]
    widths = []
    for index, column in enumerate(table.columns):
        texts = [column.label, column.size_note(), *(row[index] for row in cells if index < len(row))]
        widths.append(max(len(text) for text in texts))
    _fit_groups(table.columns, widths)
    pages = _pages(table.columns, widths, width - label_width)
    lines: list[str] = []
    for number, page in enumerate(pages, start=1):
        if len(pages) > 1:
            lines.append(_page_note(table, page))
        if any(table.columns[index].group for index in page):
            lines.append(_header_groups(table.columns, widths, page, label_width))
        lines.append(_line(table.row_header, [table.columns[i].label for i in page], [widths[i] for i in page], label_width))
        if any(table.columns[index].sizes for index in page):
            lines.append(_line("", [table.columns[i].size_note() for i in page], [widths[i] for i in page], label_width))
        rule = "-" * (label_width + sum(len(GAP) + widths[i] for i in page))
        lines.append(rule)
        for row, texts in zip(rows, cells, strict=True):
            if row is table.totals:
                lines.append(rule)
            shown = ("  " * row.level) + shorten(row.label, max(label_width - 2 * row.level, 1))
            lines.append(_line(shown, [texts[i] if i < len(texts) else "" for i in page], [widths[i] for i in page], label_width))
        if number < len(pages):
            lines.append("")
    return lines


def _page_note(table: Table, page: Sequence[int]) -> str:
    """Which of the table's columns (or, with `paged_by`, its groups of columns) a page shows, numbered
    as the researcher counts them along the header."""
    if not table.paged_by:
        return f"(columns {page[0] + 1}–{page[-1] + 1} of {len(table.columns)})"
    groups: list[str] = []  # each run of columns under one group, in order; ungrouped columns are none
    number_of: list[int] = []  # each column's group's number, 0 for an ungrouped one
    for index, column in enumerate(table.columns):
        if column.group and (index == 0 or table.columns[index - 1].group != column.group):
            groups.append(column.group)
        number_of.append(len(groups) if column.group else 0)
    shown = [number_of[index] for index in page if number_of[index]]
    if not shown:  # a page so narrow it holds only ungrouped columns: named, as none is counted
        return f"({', '.join(table.columns[index].label for index in page)}; {table.paged_by} on the next pages)"
    return f"({table.paged_by} {shown[0]}–{shown[-1]} of {len(groups)})"


def _fit_groups(columns: Sequence[Column], widths: list[int]) -> None:
    """Widen the last column of each group so the group's name fits over its columns."""
    index = 0
    while index < len(columns):
        end = index + 1
        while end < len(columns) and columns[end].group == columns[index].group:
            end += 1
        room = sum(widths[index:end]) + len(GAP) * (end - index - 1)
        if columns[index].group and room < len(columns[index].group):
            widths[end - 1] += len(columns[index].group) - room
        index = end


def _line(label: str, texts: Sequence[str], widths: Sequence[int], label_width: int) -> str:
    cells = "".join(GAP + text.rjust(width) for text, width in zip(texts, widths, strict=True))
    return (label.ljust(label_width) + cells).rstrip()


def _header_groups(columns: Sequence[Column], widths: Sequence[int], page: Sequence[int], label_width: int) -> str:
    """The grouped headers over their columns: each group's name over the span of its columns."""
    line = " " * label_width
    position = 0
    while position < len(page):
        group = columns[page[position]].group
        span = position
        while span < len(page) and columns[page[span]].group == group:
            span += 1
        room = sum(len(GAP) + widths[i] for i in page[position:span]) - len(GAP)
        line += GAP + shorten(group, room).ljust(room)
        position = span
    return line.rstrip()


def _pages(columns: Sequence[Column], widths: Sequence[int], room: int) -> list[list[int]]:
    """Columns in pages that fit `room`, a group kept on one page when it fits on one."""
    pages: list[list[int]] = [[]]
    used = 0
    index = 0
    while index < len(columns):
        group_end = index + 1
        while group_end < len(columns) and columns[group_end].group and columns[group_end].group == columns[index].group:
            group_end += 1
        block = list(range(index, group_end)) if columns[index].group else [index]
        need = sum(len(GAP) + widths[i] for i in block)
        if pages[-1] and used + need > room:
            if need <= room:
                pages.append([])
                used = 0
            else:  # a group wider than a page is split between pages
                block = [index]
                need = len(GAP) + widths[index]
                if used + need > room:
                    pages.append([])
                    used = 0
        pages[-1].extend(block)
        used += need
        index = block[-1] + 1
    return pages


def _listing(table: Table, width: int) -> list[str]:
    lines: list[str] = []
    for row in table.rows:
        indent = "  " * row.level
        if not row.cells:  # a heading between groups of records
            if lines:
                lines.append("")
            lines.append(shorten(indent + row.label, width))
            continue
        lines.append(shorten(indent + row.label, width))
        short = [
            f"{column.label}: {cell.text()}" for column, cell in zip(table.columns, row.cells, strict=False)
            if not column.wide and cell.text()
        ]
        if short:
            lines += textwrap.wrap(" · ".join(short), width, initial_indent=indent + "  ", subsequent_indent=indent + "  ")
        for column, cell in zip(table.columns, row.cells, strict=False):
            if column.wide and cell.text():
                lines += textwrap.wrap(f"{column.label}: {cell.text()}", width, initial_indent=indent + "  ",
                                       subsequent_indent=indent + "    ")
        lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    return lines


def table_data(table: Table) -> dict[str, Any]:
    """The table for JSON: columns with their sizes, rows with values (and percentages) by column key."""

    def row_data(row: Row) -> dict[str, Any]:
        data: dict[str, Any] = {"label": row.label, "level": row.level, "key": row.key or row.label}
        data["values"] = {column.key: cell.value for column, cell in zip(table.columns, row.cells, strict=False)}
        if any(cell.shows_percent for cell in row.cells):
            data["percent"] = {
                column.key: cell.percent for column, cell in zip(table.columns, row.cells, strict=False) if cell.shows_percent
            }
        return data

    return {
        "title": table.title,
        "caption": table.caption,
        "row_header": table.row_header,
        "columns": [
            {"key": column.key, "label": column.label, "group": column.group or None, "sizes": dict(column.sizes)}
            for column in table.columns
        ],
        "rows": [row_data(row) for row in table.rows],
        "totals": row_data(table.totals) if table.totals is not None else None,
        **({"warnings": list(table.warnings)} if table.warnings else {}),
        **{key: list(value) if isinstance(value, tuple) else value for key, value in table.json_fields},
    }


def render_csv(table: Table) -> str:
    """The table as CSV for a spreadsheet or script: one header row; a grid's rows say their kind
    (size, row, total) and level; a percentage is its own column after its count."""
    rows: list[list[Any]] = []
    if table.records:
        rows.append([table.row_header, *(column.key for column in table.columns)])
        for row in table.rows:
            if row.cells:
                rows.append([row.label, *(cell.value for cell in row.cells)])
        return csv_text(rows)
    percent = [any(row.cells[i].shows_percent for row in table.all_rows() if i < len(row.cells)) for i in range(len(table.columns))]
    header = ["kind", "level", table.row_header]
    for column, with_percent in zip(table.columns, percent, strict=True):
        header += [column.key, f"{column.key} %"] if with_percent else [column.key]
    rows.append(header)
    for name in dict.fromkeys(name for column in table.columns for name, _ in column.sizes):
        line: list[Any] = ["size", "", name]
        for column, with_percent in zip(table.columns, percent, strict=True):
            line += [dict(column.sizes).get(name, "")] + ([""] if with_percent else [])
        rows.append(line)
    for row in table.all_rows():
        line = ["total" if row is table.totals else "row", row.level, row.key or row.label]
        for cell, with_percent in zip(row.cells, percent, strict=False):
            line += [cell.value] + ([_round(cell.percent)] if with_percent else [])
        rows.append(line)
    return csv_text(rows)


def csv_text(rows: Sequence[Sequence[Any]]) -> str:
    """Rows as CSV, where no cell starts as a formula a spreadsheet would run (it gets a leading ')."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(_safe(row))
    return buffer.getvalue()


def _safe(values: Sequence[Any]) -> list[Any]:
    return ["'" + value if starts_like_formula(value) else value for value in values]


def _round(percent: float | None) -> float | str:
    return "" if percent is None else round(percent, 1)


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table: title, caption, headers (grouped, with sizes), rows and totals."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    bold = Font(bold=True)
    titles: set[str] = set()
    for number, table in enumerate(tables):
        sheet = workbook.active if number == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = _sheet_title(table.title, titles)
        titles.add(sheet.title.casefold())
        # Rows are placed by number, never by sheet.max_row: openpyxl leaves an empty row out of
        # max_row, so a row placed after the blank row under the caption landed on the caption.
        lines = _Lines(sheet)
        lines.add([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        lines.add([table.caption])
        lines.add([])
        if table.records:
            header = lines.add([table.row_header, *(column.label for column in table.columns)])
            for cell in sheet[header]:
                cell.font = bold
            for row in table.rows:
                if not row.cells:
                    sheet.cell(lines.add([row.label]), 1).font = bold
                    continue
                line = lines.add([row.label, *(cell.value for cell in row.cells)])
                for index, column in enumerate(table.columns, start=2):
                    if column.wide:
                        sheet.cell(line, index).alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions["A"].width = 24
            _no_formulas(sheet)
            continue
        percent = [any(row.cells[i].shows_percent for row in table.all_rows() if i < len(row.cells))
                   for i in range(len(table.columns))]
        positions = []  # each column's first spreadsheet column
        position = 2
        for with_percent in percent:
            positions.append(position)
            position += 2 if with_percent else 1
        if any(column.group for column in table.columns):
            header_row = lines.add([])
            for column, at in zip(table.columns, positions, strict=True):
                sheet.cell(header_row, at, column.group or None).font = bold
        label_row = lines.add([table.row_header])
        sheet.cell(label_row, 1).font = bold
        for column, at, with_percent in zip(table.columns, positions, percent, strict=True):
            sheet.cell(label_row, at, column.label).font = bold
            if with_percent:
                sheet.cell(label_row, at + 1, "%").font = bold
        for name in dict.fromkeys(name for column in table.columns for name, _ in column.sizes):
            line = lines.add([f"({name})"])
            for column, at in zip(table.columns, positions, strict=True):
                sheet.cell(line, at, dict(column.sizes).get(name))
        for row in table.all_rows():
            line = lines.add([row.label])
            sheet.cell(line, 1).alignment = Alignment(indent=2 * row.level)
            for cell, at, with_percent in zip(row.cells, positions, percent, strict=False):
                sheet.cell(line, at, cell.value)
                if with_percent and cell.percent is not None:
                    sheet.cell(line, at + 1, round(cell.percent / 100, 4)).number_format = "0%"
                elif with_percent and cell.shows_percent:
                    # As the terminal and a report show it: withheld (a column of few people) or nothing to
                    # divide by. Both were a blank cell, where the caption speaks of "(*)".
                    sheet.cell(line, at + 1, WITHHELD if cell.withheld else NO_PERCENT).alignment = Alignment(horizontal="right")
            if row is table.totals:
                for cell in sheet[line]:
                    cell.font = bold
        _no_formulas(sheet)
        sheet.column_dimensions["A"].width = max(12, min(40, max((len(row.label) + 2 * row.level for row in table.all_rows()), default=12)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _Lines:
    """A sheet's rows written one after another, each at the number it is given back."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.last = 0

    def add(self, values: Sequence[Any]) -> int:
        """Write `values` from column A on the next row (an empty row still takes its place); its number."""
        self.last += 1
        for column, value in enumerate(values, start=1):
            self.sheet.cell(self.last, column, value)
        return self.last


def _no_formulas(sheet: Any) -> None:
    """Text cells that openpyxl took for formulas are text, quote-prefixed so editing keeps them text."""
    for row in sheet.iter_rows():
        for cell in row:
            if starts_like_formula(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True


def _sheet_title(title: str, taken: set[str]) -> str:
    """A sheet's name from its table's title, numbered only where an earlier sheet has the name
    (Excel compares names in any case): "Disagreements by turn (11) (2)" numbered every second sheet."""
    cleaned = shorten("".join(" " if char in "[]:*?/\\" else char for char in title).strip() or "Table", SHEET_TITLE_MAX - 4)
    number = 1
    named = cleaned
    while named.casefold() in taken:
        number += 1
        named = f"{cleaned} ({number})"
    return named


def write_xlsx(
    tables: Sequence[Table], path: Path, check: Callable[[bytes], None] | None = None, *, overwrite: bool = False,
) -> Path:
    """Write the tables to `path` whole or not at all: `check` (the leak check) sees the bytes first,
    then a temporary file beside `path` is renamed over it, so a failure leaves no half workbook.
    A file already at `path` is replaced only with `overwrite`: it may be someone's own workbook."""
    if path.suffix.lower() != ".xlsx":
        raise InvalidInput(f"{path} does not end in .xlsx", "name the workbook like matrise.xlsx")
    if not path.parent.is_dir():
        raise InvalidInput(f"no folder {path.parent} to write {path.name} in", "create the folder first, or give another path")
    if not overwrite and os.path.lexists(path):
        raise InvalidInput(f"{path} exists", "pass --force to overwrite it, or give another file name")
    data = xlsx_bytes(tables)
    if check is not None:
        check(data)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".qualcode.tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), mode_for(path))  # as the umask gives, not mkstemp's owner-only
        os.replace(temporary, path)
    except OSError as error:
        with suppress(OSError):
            os.unlink(temporary)
        raise WriteFailed(f"could not write {path}: {error.strerror or error}", "check the folder's space and permissions") from None
    return path
