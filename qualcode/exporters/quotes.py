"""Quote tables: one row per quote, for spreadsheets and scripts (CSV, or Excel via openpyxl)."""

from __future__ import annotations

import csv
from pathlib import Path

from qualcode.exporters.attribution import attribute
from qualcode.exporters.selection import Quote

FORMATS = ("csv", "xlsx")


def quote_rows(quotes: list[Quote], template: str, language: str) -> tuple[list[str], list[list[object]]]:
    """Header and rows: code path split into levels, attribution, attributes, position and memo."""
    depth = max((quote.code_path.count("/") + 1 for quote in quotes), default=1)
    attribute_names = sorted({name for quote in quotes for name in quote.attributes})
    header = [
        "ref", *[f"code_level_{level}" for level in range(1, depth + 1)], "code_path", "quote", "attribution",
        "participant", "role", "office", "gender", "age_band", "wave", "date", "fidelity", "transcript", "speaker",
        "line", "turn", "start", "end", "coder", "memo", *attribute_names,
    ]
    rows: list[list[object]] = []
    for quote in quotes:
        levels = quote.code_path.split("/")
        rows.append([
            quote.ref, *levels, *[""] * (depth - len(levels)), quote.code_path, quote.excerpt,
            attribute(quote, template, language), quote.participant, quote.role, quote.office, quote.gender,
            quote.age_band, quote.wave, quote.interview_date.isoformat() if quote.interview_date else None,
            quote.fidelity, quote.transcript, quote.speaker, quote.line, quote.turn, quote.start, quote.end,
            quote.coder, quote.memo, *[quote.attributes.get(name) for name in attribute_names],
        ])
    return header, rows


def write_quote_table(path: Path, quotes: list[Quote], table_format: str, template: str, language: str) -> None:
    header, rows = quote_rows(quotes, template, language)
    temporary = path.with_name(path.name + f".tmp.{table_format}")
    if table_format == "csv":
        with temporary.open("w", encoding="utf-8-sig", newline="") as handle:  # the BOM makes Excel read UTF-8
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows([["" if value is None else value for value in row] for row in rows])
    else:
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Sitater" if language == "nb" else "Quotes"
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        workbook.save(temporary)
    temporary.replace(path)
