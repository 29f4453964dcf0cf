"""Quote tables: one row per quote, for spreadsheets and scripts (CSV, or Excel via openpyxl).

A passage that several coders gave the same code is one row, as in the Word report; its coder
cell names them all ("Forsker 1, Forsker 2"). Select one coder (--by) for that coder's rows only.

No cell may become a live formula in a spreadsheet (CSV or formula injection): a quote that starts
with "=HYPERLINK(…)" or "-2+3" is text a participant said, not something Excel should run. OWASP's
guidance names the dangerous first characters: = + - @ tab and carriage return. What is changed:

- CSV: such a cell gets a single quote in front ("'=HYPERLINK(…)"), as OWASP advises. A
  spreadsheet shows the text with that quote; a script reading the CSV sees it too, and strips
  one leading "'" from these cells to get the verbatim text back. Nothing else is touched.
- XLSX: the text is stored verbatim, as a string cell (never a formula), and marked with
  Excel's quote prefix so that editing the cell later does not turn it into a formula either.

Numbers stay numbers; only text cells are looked at, the header included.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from qualcode.coding.passages import Quote
from qualcode.exporters.attribution import attribute_speakers
from qualcode.text.export_words import QUOTE_COLUMNS
from qualcode.text.formulas import starts_like_formula

FORMATS = ("csv", "xlsx")


def csv_cell(value: object) -> object:
    """A value for a CSV cell: empty for None, a leading ' for text that would be a formula."""
    if value is None:
        return ""
    return "'" + value if starts_like_formula(value) else value  # type: ignore[operator]


# The most characters a spreadsheet cell holds (Excel's limit; openpyxl cuts longer text there).
CELL_LIMIT = 32_767
CUT_MARK = "[…]"


def fitted_cell(value: object) -> object:
    """A value as a cell holds it: text longer than a cell is cut and ends in a mark that says so
    (`too_long_for_a_cell` names such quotes for a warning)."""
    if isinstance(value, str) and len(value) > CELL_LIMIT:
        return value[:CELL_LIMIT - len(CUT_MARK)] + CUT_MARK
    return value


def too_long_for_a_cell(quotes: list[Quote]) -> list[str]:
    """What the quote table's spreadsheet had to cut, one note for the quotes and one for the memos
    a cell cannot hold whole, each naming the quotes by reference with the length of what was cut."""
    notes = []
    lengths = {"quote": [(quote.ref, len(quote.excerpt)) for quote in quotes],
               "memo": [(quote.ref, len(quote.memo or "")) for quote in quotes]}
    for what, measured in lengths.items():
        cut = [(ref, length) for ref, length in measured if length > CELL_LIMIT]
        if cut:
            named = ", ".join(f"{ref} ({length:,} characters)" for ref, length in cut[:5]) + (" …" if len(cut) > 5 else "")
            notes.append(f"{len(cut)} {what}{'s are' if len(cut) > 1 else ' is'} longer than a spreadsheet cell holds "
                         f"({CELL_LIMIT:,} characters) and end{'' if len(cut) > 1 else 's'} in {CUT_MARK} there: {named}; "
                         f"the .csv keeps every {what} whole")
    return notes


def quote_rows(quotes: list[Quote], template: str, language: str) -> tuple[list[str], list[list[object]]]:
    """Header and rows: code path split into levels, attribution, attributes, position and memo."""
    depth = max((quote.code_path.count("/") + 1 for quote in quotes), default=1)
    attribute_names = sorted({name for quote in quotes for name in quote.attributes})
    header = [QUOTE_COLUMNS[0], *[f"code_level_{level}" for level in range(1, depth + 1)], *QUOTE_COLUMNS[1:], *attribute_names]
    rows: list[list[object]] = []
    for quote in quotes:
        levels = quote.code_path.split("/")
        rows.append([
            quote.ref, *levels, *[""] * (depth - len(levels)), quote.code_path, quote.excerpt,
            attribute_speakers(quote, template, language), quote.participant, quote.role, quote.office, quote.gender,
            # A date, not text: a spreadsheet's date filters and sorting work on it (a .csv writes it YYYY-MM-DD).
            quote.age_band, quote.wave, quote.interview_date,
            quote.fidelity, quote.transcript, quote.speaker, quote.line, quote.turn, quote.start, quote.end,
            ", ".join(quote.coders), quote.memo, *[quote.attributes.get(name) for name in attribute_names],
        ])
    return header, rows


def render_quote_table(
    quotes: list[Quote], table_format: str, template: str, language: str,
    progress: Callable[[int, int], None] | None = None, batch: int = 100,
) -> bytes:
    """The table as the bytes of a .csv or .xlsx file (exporters.publish checks them for leaks and publishes them).

    `progress(done, total)` is called after each batch of rows written.
    """
    header, rows = quote_rows(quotes, template, language)

    def written(done: int) -> None:
        if progress is not None and (done % batch == 0 or done == len(rows)):
            progress(done, len(rows))

    if table_format == "csv":
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow([csv_cell(value) for value in header])
        for done, row in enumerate(rows, start=1):
            writer.writerow([csv_cell(value) for value in row])
            written(done)
        return text.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sitater" if language == "nb" else "Quotes"
    table: list[list[object]] = [list(header), *rows]
    for done, values in enumerate(table):
        cells = [fitted_cell(value) for value in values]
        sheet.append(cells)
        # The row is addressed by its number: sheet.max_row scans every cell written so far, which
        # made a table of 5,000 quotes take 30 s where its .csv took under 2.
        for column, value in enumerate(cells, start=1):
            if starts_like_formula(value):
                cell = sheet.cell(row=done + 1, column=column)
                cell.data_type = "s"  # openpyxl made "=…" a formula; it is text
                cell.quotePrefix = True
        if done:
            written(done)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
