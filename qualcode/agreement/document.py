"""The agreement tables and the disagreements as a Word document for the team meeting.

python-docx is imported only in `docx_bytes`, so the other outputs never load it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from qualcode.agreement.service import Agreement
from qualcode.analysis.tables import Table


def docx_bytes(result: Agreement, tables: Sequence[Table]) -> bytes:
    """A document with each table (title, grid, caption) and then every disagreement."""
    from docx import Document

    document = Document()
    document.add_heading("Intercoder agreement", level=1)
    for table in tables:
        document.add_heading(table.title, level=2)
        grid = document.add_table(rows=1, cols=len(table.columns) + 1)
        grid.style = "Table Grid"
        header = grid.rows[0].cells
        header[0].text = table.row_header
        for cell, column in zip(header[1:], table.columns, strict=True):
            cell.text = column.label
        for row in table.all_rows():
            cells = grid.add_row().cells
            cells[0].text = ("  " * row.level) + row.label
            for cell, value in zip(cells[1:], row.cells, strict=False):
                cell.text = value.text()
        document.add_paragraph(table.caption)
    document.add_heading(f"Disagreements ({len(result.disagreements)})", level=2)
    if not result.disagreements:
        document.add_paragraph("The coders agree on every unit.")
    for entry in result.disagreements:
        document.add_paragraph(
            f"{entry.transcript}, line {entry.line} · {entry.code_path} · applied by {', '.join(entry.applied_by)}; "
            f"not by {', '.join(entry.not_by)}", style="List Bullet",
        )
        document.add_paragraph(entry.text, style="Quote")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
