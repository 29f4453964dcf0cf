"""Word (.docx) transcripts: paragraphs in order, two-column tables read as speaker and text.

Tracked changes are read as if accepted: inserted text is kept, deleted text left out, and
the import says so.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
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
    notes = [note for note in (_tracked_changes_note(body), _left_out_note(body), control_character_note(raw)) if note]
    text = normalise(raw).strip("\n") + "\n"
    if not text.strip():
        raise ImportFailed(f"{path.name} contains no text")
    return ParsedDocument(text=text, turns=detect_turns(text, marker), source_format="docx", encoding=None, notes=notes)


def _tracked_changes_note(body: Any) -> str | None:
    inserted = sum(1 for change in body.iter(*INSERTED) if next(change.iter(RUN), None) is not None)
    deleted = sum(1 for change in body.iter(*DELETED) if next(change.iter(RUN), None) is not None)
    return tracked_changes_note(inserted, deleted)


def _left_out_note(body: Any) -> str | None:
    """Say what was not read: hidden text (Word does not show it) and text boxes (beside the text)."""
    hidden_runs = sum(1 for run in body.iter(RUN) if hidden(run) and run_text(run).strip())
    boxes = sum(1 for box in body.iter(TEXT_BOX) if any(paragraph_text(p).strip() for p in box.iter(PARAGRAPH)))
    left = [f"{hidden_runs} pieces of hidden text"] * bool(hidden_runs) + [f"{boxes} text boxes"] * bool(boxes)
    return f"{' and '.join(left)} left out, as not part of the transcript's text; check them in Word" if left else None


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
