"""Tables read from comma-, semicolon- or tab-separated files, each row checked against its header."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from qualcode.errors import ImportFailed

_SEPARATOR_NAMES = {",": "a comma", ";": "a semicolon", "\t": "a tab"}


@dataclass(frozen=True)
class DelimitedTable:
    """A file's header and its rows, each row with the line it starts on."""

    header: list[str]
    rows: list[tuple[int, list[str]]]

    def records(self, columns: Sequence[str] | None = None) -> list[tuple[int, dict[str, str]]]:
        """(line, column -> value) for every row, under `columns` if given (the header renamed);
        a row shorter than the header has its last columns empty, as a spreadsheet leaves them."""
        names = list(self.header if columns is None else columns)
        return [(line, dict(zip(names, values + [""] * (len(names) - len(values)), strict=True))) for line, values in self.rows]


def read_delimited(raw: str, file_name: str) -> DelimitedTable:
    """The table in `raw`, its separator found from the first line (comma, semicolon or tab).

    A row with more fields than the header is refused, naming its line: a field past the header's
    end belongs to no column, and would otherwise be dropped unsaid. It comes of a field that holds
    the separator unquoted (a note, a formula such as =HYPERLINK("…";"…")). Empty fields past the
    end (a trailing separator) hold nothing, and are let be.
    """
    first_line = raw.splitlines()[0] if raw else ""
    try:
        delimiter = csv.Sniffer().sniff(first_line or ",", delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # Only the separator is taken from the sniffer: from a header without quotes it guesses that
    # "" is no quote, and would split a quoted field such as "=HYPERLINK(""http://x"";""Ola"")".
    # Lines may end as Windows, Unix or an old Mac ("CSV (Macintosh)" from Excel: a bare CR) end them.
    reader = csv.reader(io.StringIO(raw, newline=None), dialect=csv.excel, delimiter=delimiter)
    try:
        table = _read(reader, delimiter, file_name)
    except csv.Error as error:  # a NUL byte, a field the csv module cannot read
        raise ImportFailed(f"{file_name} line {reader.line_num} cannot be read as CSV ({error})",
                           "save it again from the spreadsheet as CSV (UTF-8)") from None
    # A quote never closed read every line after it into one field, unsaid ("D30,deltaker,kontor A\nD31,…"
    # was one participant). A quoted field holds its quotes doubled, and a field not quoted holds them
    # in pairs (=HYPERLINK("…";"…")), so an odd count is a quote never closed: by the row that ran on.
    if raw.count('"') % 2:
        ran_on = bool(table.rows) and any("\n" in value for value in table.rows[-1][1])
        raise ImportFailed(f"{file_name} line {table.rows[-1][0]}: a quote opened there is never closed" if ran_on
                           else f"{file_name} holds a quote that is never closed",
                           "close it, or take the quote out if it is part of the text")
    return table


def _read(reader: Iterator[list[str]], delimiter: str, file_name: str) -> DelimitedTable:
    header = next(reader, [])
    rows: list[tuple[int, list[str]]] = []
    next_line = reader.line_num + 1  # type: ignore[attr-defined]
    for values in reader:
        line, next_line = next_line, reader.line_num + 1  # type: ignore[attr-defined]
        if not values:  # an empty line, skipped as csv.DictReader skips it
            continue
        if any(value.strip() for value in values[len(header):]):
            separator = _SEPARATOR_NAMES.get(delimiter, repr(delimiter))
            raise ImportFailed(
                f"{file_name} line {line} has {len(values)} fields, the header has {len(header)}",
                f"put quotes around a field that holds {separator}, or fix the separator so each line has one field per column",
            )
        rows.append((line, values[:len(header)]))
    return DelimitedTable(header, rows)
