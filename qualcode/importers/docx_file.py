"""Word (.docx) transcripts: paragraphs in order, speaker | text tables read as turns.

Tracked changes are read as if accepted: inserted text is kept, deleted text left out. Hidden
text, text boxes, headers and footers are not read. The import notes each of these it met.
Content controls (w:sdt) and custom XML (w:customXml) are read as Word shows them: their
content in its place, at every level (body, table row, cell).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import XmlPart

from qualcode.errors import ImportFailed
from qualcode.importers.document import (
    ParsedDocument,
    left_out_note,
    table_row_lines,
    tracked_changes_note,
)
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
from qualcode.text.normalise import control_character_note, normalise

if TYPE_CHECKING:
    from lxml.etree import _Element

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TABLE, _ROW, _CELL = f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_CONTENT_CONTROL, _CONTROL_CONTENT, _CONTROL_PROPERTIES = f"{_W}sdt", f"{_W}sdtContent", f"{_W}sdtPr"
_PLACEHOLDER, _CUSTOM_XML = f"{_W}showingPlcHdr", f"{_W}customXml"


def read_docx_file(path: Path, *, marker: re.Pattern[str] | None = None) -> ParsedDocument:
    check_not_encrypted(path, ".docx")
    package = open_package(path, ".docx")
    try:
        document = docx.Document(package.stream)
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
        raise ImportFailed(f"{path.name} is not a readable .docx file (damaged or truncated: {error})", "open and re-save it in Word") from None
    finally:
        package.close()
    body = document.element.body
    lines: list[str] = []
    for block in _children(body, (PARAGRAPH, _TABLE)):
        if block.tag == PARAGRAPH:
            lines.append(paragraph_text(block))
        else:
            lines.extend(_table_lines(block))
    raw = "\n".join(lines)
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
    return left_out_note([
        (hidden_runs, "piece of hidden text", "pieces of hidden text"), (boxes, "text box", "text boxes"),
        (headers, "header", "headers"), (footers, "footer", "footers"),
    ], "Word")


def _parts_with_text(document: DocxDocument, relationship: str) -> int:
    """How many of the document's headers (or footers) hold text; each section may have three."""
    parts = {rel.target_part for rel in document.part.rels.values() if rel.reltype == relationship and not rel.is_external}
    return sum(
        1 for part in parts
        if isinstance(part, XmlPart) and any(paragraph_text(p).strip() for p in part.element.iter(PARAGRAPH))
    )


def _children(container: _Element, wanted: tuple[str, ...]) -> Iterator[_Element]:
    """The `wanted` children of a body, table, row or cell, with those inside content controls
    and custom XML, which python-docx does not see and Word shows as if they were not there.
    A content control showing its placeholder ("Click here to enter text") holds no text of the document."""
    for child in container:
        if child.tag in wanted:
            yield child
        elif child.tag == _CONTENT_CONTROL:
            properties = child.find(_CONTROL_PROPERTIES)
            content = child.find(_CONTROL_CONTENT)
            if content is not None and (properties is None or properties.find(_PLACEHOLDER) is None):
                yield from _children(content, wanted)
        elif child.tag == _CUSTOM_XML:
            yield from _children(child, wanted)


def _cell_text(cell: _Element) -> str:
    """A table cell's paragraphs, and the cells of a table nested in it, one per line."""
    parts = []
    for block in _children(cell, (PARAGRAPH, _TABLE)):
        if block.tag == PARAGRAPH:
            parts.append(paragraph_text(block))
        else:
            parts.extend(_cell_text(inner) for row in _children(block, (_ROW,)) for inner in _children(row, (_CELL,)))
    return "\n".join(parts)


def _table_lines(table: _Element) -> list[str]:
    """A speaker | text (or time | speaker | text) table becomes "speaker: text" lines; other
    rows, and a title merged across the table, are read cell by cell, each cell once."""
    lines = []
    for row in _children(table, (_ROW,)):
        lines.extend(table_row_lines([_cell_text(cell) for cell in _children(row, (_CELL,))]))
    return lines
