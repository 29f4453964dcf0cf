"""Word (.docx) transcripts: paragraphs in order, two-column tables read as speaker and text.

Tracked changes are read as if accepted: inserted text is kept, deleted text left out. Hidden
text, text boxes, headers and footers are not read. The import notes each of these it met.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import XmlPart
from docx.table import Table
from docx.text.paragraph import Paragraph

from qualcode.errors import ImportFailed
from qualcode.importers.document import ParsedDocument, control_character_note, tracked_changes_note
from qualcode.importers.package import check_not_encrypted, open_package
from qualcode.importers.turns import detect_turns
from qualcode.text.docx_paragraphs import (
    DELETED,
    INSERTED,
    PARAGRAPH,
    RUN,
    TEXT_BOX,
    hidden,
    paragraph_text,
    run_text,
)
from qualcode.text.normalise import normalise


def read_docx_file(path: Path, *, marker: re.Pattern[str] | None = None) -> ParsedDocument:
    check_not_encrypted(path, ".docx")
    package = open_package(path, ".docx")
    try:
        document = docx.Document(package.stream)
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
        raise ImportFailed(f"{path.name} is not a readable .docx file (damaged or truncated: {error})", "open and re-save it in Word") from None
    finally:
        package.close()
    lines: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            lines.append(paragraph_text(item._p))
        elif isinstance(item, Table):
            lines.extend(_table_lines(item))
    raw = "\n".join(lines)
    body = document.element.body
    notes = [note for note in (_tracked_changes_note(body), _left_out_note(document), control_character_note(raw)) if note]
    text = normalise(raw).strip("\n") + "\n"
    if not text.strip():
        raise ImportFailed(f"{path.name} contains no text")
    return ParsedDocument(text=text, turns=detect_turns(text, marker), source_format="docx", encoding=None, notes=notes)


def _tracked_changes_note(body: Any) -> str | None:
    inserted = sum(1 for change in body.iter(*INSERTED) if next(change.iter(RUN), None) is not None)
    deleted = sum(1 for change in body.iter(*DELETED) if next(change.iter(RUN), None) is not None)
    return tracked_changes_note(inserted, deleted)


def _left_out_note(document: DocxDocument) -> str | None:
    """Say what was not read: hidden text (Word does not show it), text boxes (beside the text),
    and headers and footers (the page's, not the interview's: often "Intervju med …, tlf …")."""
    body = document.element.body
    hidden_runs = sum(1 for run in body.iter(RUN) if hidden(run) and run_text(run).strip())
    boxes = sum(1 for box in body.iter(TEXT_BOX) if any(paragraph_text(p).strip() for p in box.iter(PARAGRAPH)))
    headers, footers = (_parts_with_text(document, kind) for kind in (RT.HEADER, RT.FOOTER))
    left = [
        counted for number, counted in (
            (hidden_runs, f"{hidden_runs} piece{'s' * (hidden_runs != 1)} of hidden text"),
            (boxes, f"{boxes} text box{'es' * (boxes != 1)}"),
            (headers, f"{headers} header{'s' * (headers != 1)}"),
            (footers, f"{footers} footer{'s' * (footers != 1)}"),
        ) if number
    ]
    if not left:
        return None
    listed = left[0] if len(left) == 1 else f"{', '.join(left[:-1])} and {left[-1]}"
    return f"{listed} left out, as not part of the transcript's text; check them in Word"


def _parts_with_text(document: DocxDocument, relationship: str) -> int:
    """How many of the document's headers (or footers) hold text; each section may have three."""
    parts = {rel.target_part for rel in document.part.rels.values() if rel.reltype == relationship and not rel.is_external}
    return sum(
        1 for part in parts
        if isinstance(part, XmlPart) and any(paragraph_text(p).strip() for p in part.element.iter(PARAGRAPH))
    )


def _cell_text(cell: Any) -> str:
    """A table cell's paragraphs, and the cells of a table nested in it, one per line."""
    parts = []
    for item in cell.iter_inner_content():
        if isinstance(item, Paragraph):
            parts.append(paragraph_text(item._p))
        else:
            parts.extend(_cell_text(inner) for row in item.rows for inner in row.cells)
    return "\n".join(parts)


def _table_lines(table: Table) -> list[str]:
    """A speaker | text table becomes "speaker: text" lines; other tables are read cell by cell."""
    lines = []
    for row in table.rows:
        cells = [_cell_text(cell).strip() for cell in row.cells]
        if len(cells) == 2 and cells[0] and len(cells[0]) <= 40 and "\n" not in cells[0]:
            lines.extend([f"{cells[0].rstrip(':')}: {cells[1]}", ""])
        else:
            lines.extend(cell for cell in cells if cell)
    return lines
