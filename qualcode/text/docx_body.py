"""A Word document's body read from its XML: paragraphs and tables in order, as Word shows them.

Tracked changes are read as accepted and hidden text and text boxes left out (docx_paragraphs).
Content controls (w:sdt) and custom XML (w:customXml) are read as Word shows them: their content
in its place, at every level (body, table row, cell). A speaker | text table becomes turns
(table_rows). Here, below the importers, so that the leak check reads a .qdpx's Word sources
as the project import does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from qualcode.text.docx_paragraphs import ALTERNATE_CONTENT, FALLBACK, PARAGRAPH, W, paragraph_text
from qualcode.text.table_rows import table_row_lines

if TYPE_CHECKING:
    from lxml.etree import _Element

BODY = f"{W}body"
_TABLE, _ROW, _CELL = f"{W}tbl", f"{W}tr", f"{W}tc"
_CONTENT_CONTROL, _CONTROL_CONTENT, _CONTROL_PROPERTIES = f"{W}sdt", f"{W}sdtContent", f"{W}sdtPr"
_PLACEHOLDER, _CUSTOM_XML = f"{W}showingPlcHdr", f"{W}customXml"


def body_text(body: _Element) -> str:
    """The text of a document's body (w:body), one line a paragraph, before it is normalised."""
    lines: list[str] = []
    for block in _children(body, (PARAGRAPH, _TABLE)):
        if block.tag == PARAGRAPH:
            lines.append(paragraph_text(block))
        else:
            lines.extend(_table_lines(block))
    return "\n".join(lines)


def _children(container: _Element, wanted: tuple[str, ...]) -> Iterator[_Element]:
    """The `wanted` children of a body, table, row or cell, with those inside content controls
    and custom XML, which python-docx does not see and Word shows as if they were not there, and
    those in the fallback of alternative content (its choices hold the same).
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
        elif child.tag == ALTERNATE_CONTENT:
            fallback = child.find(FALLBACK)
            if fallback is not None:
                yield from _children(fallback, wanted)


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
