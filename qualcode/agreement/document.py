"""The agreement table and the disagreements as a Word document for the team meeting, in bokmål by
default (medforskere read it) or in English, worded as the Word report is.

python-docx is imported only in `docx_bytes`, so the other outputs never load it.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from qualcode.agreement.service import Agreement, CodeAgreement
from qualcode.agreement.wording import (
    caption,
    disagreements_caption,
    figure_text,
    row_label,
    title,
    words,
)
from qualcode.exporters.labels import labels

if TYPE_CHECKING:
    from docx.document import Document as WordDocument


def docx_bytes(result: Agreement, language: str = "nb") -> bytes:
    """A document with the agreement table (title, grid, caption) and then every disagreement."""
    from docx import Document

    from qualcode.exporters.report import header_row, set_language

    said = words(language)
    document = Document()
    tag = "nb-NO" if language == "nb" else "en-GB"
    set_language(document, tag)
    document.core_properties.language = tag
    document.add_heading(said["title"], level=1)
    document.add_heading(title(result, language), level=2)
    columns = [said[name] for name in ("code", "units", "percent", "kappa", "kappa_units", "alpha", "alpha_units")]
    grid = document.add_table(rows=1, cols=len(columns))
    grid.style = "Table Grid"
    header_row(grid, columns)
    for code in (*result.codes, result.overall):
        cells = grid.add_row().cells
        for cell, text in zip(cells, _row(code, result, language), strict=True):
            cell.text = text
    document.add_paragraph(caption(result, language))
    document.add_heading(f"{said['disagreements']} ({len(result.disagreements)})", level=2)
    if not result.disagreements:
        document.add_paragraph("Koderne er enige om alle enhetene." if language == "nb" else "The coders agree on every unit.")
        return _saved(document)
    document.add_paragraph(disagreements_caption(result, language))
    line, applied, not_by = (labels(language)["line"], labels(language)["coded_by"], "ikke av") if language == "nb" else \
        ("line", "applied by", "not by")
    for entry in result.disagreements:
        document.add_paragraph(
            f"{entry.transcript}, {line} {entry.line} · {entry.code_path} · {applied} {', '.join(entry.applied_by)}; "
            f"{not_by} {', '.join(entry.not_by)}", style="List Bullet",
        )
        document.add_paragraph(entry.text, style="Quote")
    return _saved(document)


def _row(code: CodeAgreement, result: Agreement, language: str) -> list[str]:
    """A code's row: its path (indented by depth), units, percent agreement, kappa and alpha with their units."""
    return [
        ("  " * code.depth) + row_label(code, result, language), str(code.percent.units),
        figure_text(code.percent, language, percent=True), figure_text(code.kappa, language), str(code.kappa.units),
        figure_text(code.alpha, language), str(code.alpha.units),
    ]


def _saved(document: WordDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
