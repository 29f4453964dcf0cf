"""OpenDocument text (.odt) transcripts, read with odfpy; speaker | text tables read as turns.

Tracked changes are read as if accepted: the text holds insertions already, and what was
deleted, kept aside in the change log, is left out; the import says so. Hidden text, pictures,
shapes and text boxes (their titles, descriptions and text), headers and footers, footnotes,
endnotes and comments are beside what was said: left out, and said, as the .docx reader does.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from odf.element import Element, Node
from odf.namespaces import DRAWNS, OFFICENS, STYLENS, SVGNS, TABLENS, TEXTNS
from odf.opendocument import load
from odf.style import Style, TextProperties

from qualcode.errors import ImportFailed
from qualcode.importers.document import ParsedDocument, left_out_note, tracked_changes_note
from qualcode.importers.package import check_not_encrypted, open_package, read_small_part
from qualcode.importers.turns import detect_turns
from qualcode.text.normalise import control_character_note, normalise
from qualcode.text.table_rows import table_row_lines

_TEXT_BLOCKS = {(TEXTNS, "p"), (TEXTNS, "h")}
# Not what was said: a comment (its author's name, its date and its text) and a footnote or
# endnote are written beside the paragraph, and left out as the .docx reader leaves them out.
_ASIDE = {(OFFICENS, "annotation"), (OFFICENS, "annotation-end"), (TEXTNS, "note")}
_TRACKED_CHANGES = (TEXTNS, "tracked-changes")
MANIFEST = "META-INF/manifest.xml"
# Fields LibreOffice hides by a condition: what they hold is not shown.
_HIDDEN_FIELDS = {(TEXTNS, "hidden-text"), (TEXTNS, "hidden-paragraph")}
_TABLE = (TABLENS, "table")
# Rows stand in a table directly or in these groups; a covered cell is the rest of a merged one.
_ROW_GROUPS = {(TABLENS, "table-rows"), (TABLENS, "table-header-rows"), (TABLENS, "table-row-group")}
_ROW, _CELL = (TABLENS, "table-row"), (TABLENS, "table-cell")
_STYLE_NAMES = [(TEXTNS, "style-name"), (TABLENS, "style-name"), (DRAWNS, "style-name")]


@dataclass
class _Reading:
    """What reading the body met: the lines, the change log, the hidden styles and what was left out."""

    hidden_styles: set[str]
    lines: list[str] = field(default_factory=list)
    changes: list[Element] = field(default_factory=list)
    hidden: int = 0
    pictures: int = 0
    boxes: int = 0
    footnotes: int = 0
    endnotes: int = 0
    comments: int = 0

    def count_in(self, inner: _Reading) -> None:
        """Add what reading a table cell met (its change log, what it left out) to this reading."""
        self.changes.extend(inner.changes)
        self.hidden, self.pictures, self.boxes = self.hidden + inner.hidden, self.pictures + inner.pictures, self.boxes + inner.boxes
        self.footnotes, self.endnotes, self.comments = (
            self.footnotes + inner.footnotes, self.endnotes + inner.endnotes, self.comments + inner.comments
        )


def read_odt_file(path: Path, *, marker: re.Pattern[str] | None = None) -> ParsedDocument:
    check_not_encrypted(path, ".odt")
    # An encrypted document's parts are not XML: say it is password-protected before checking them.
    manifest = read_small_part(path, MANIFEST)
    if manifest is not None and b"encryption-data" in manifest:
        raise ImportFailed(f"{path.name} is password-protected", "remove the password in LibreOffice, then import")
    package = open_package(path, ".odt")
    try:
        if MANIFEST not in package.names:
            raise ImportFailed(f"{path.name} is not a readable .odt file (it has no manifest)", "open and re-save it")
        # odfpy prints a part it cannot parse to stdout, where it would end up in a --json report.
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            package.stream.seek(0)
            document = load(package.stream)
    finally:
        package.close()
    if getattr(document, "text", None) is None:
        raise ImportFailed(f"{path.name} is not a readable .odt file (it has no text body)", "open and re-save it")
    reading = _Reading(_hidden_styles(document))
    _collect(document.text, reading)
    raw = "\n".join(reading.lines)
    headers, footers = _page_parts_with_text(document)
    left_out = left_out_note([
        (reading.hidden, "piece of hidden text", "pieces of hidden text"),
        (reading.pictures, "picture's description (alt text)", "pictures' descriptions (alt text)"),
        (reading.boxes, "text box or shape with text", "text boxes and shapes with text"),
        (headers, "header", "headers"), (footers, "footer", "footers"),
        (reading.footnotes, "footnote", "footnotes"), (reading.endnotes, "endnote", "endnotes"),
        (reading.comments, "comment", "comments"),
    ], "LibreOffice")
    notes = [note for note in (_tracked_changes_note(reading.changes), left_out, control_character_note(raw)) if note]
    text = normalise(raw).strip("\n") + "\n"
    if not text.strip():
        raise ImportFailed(f"{path.name} contains no text")
    return ParsedDocument(text=text, turns=detect_turns(text, marker), source_format="odt", encoding=None, notes=notes)


def _page_parts_with_text(document: Any) -> tuple[int, int]:
    """How many headers and footers the page styles hold with text (each style may have one for
    right, left and first pages): the page's, not the interview's, as in a .docx."""
    counts = {"header": 0, "footer": 0}
    for master in document.masterstyles.childNodes:
        for part in getattr(master, "childNodes", []):
            kind = getattr(part, "qname", (None, ""))[1].split("-")[0]
            if getattr(part, "qname", (None,))[0] == STYLENS and kind in counts and _plain_text(part).strip():
                counts[kind] += 1
    return counts["header"], counts["footer"]


def _tracked_changes_note(changes: list[Element]) -> str | None:
    kinds = [getattr(child, "qname", (None, None))[1] for log in changes for region in log.childNodes for child in region.childNodes]
    inserted, deleted = kinds.count("insertion"), kinds.count("deletion")
    return tracked_changes_note(inserted, deleted)


def _hidden_styles(document: Any) -> set[str]:
    """The names of the styles that hide text (text:display="none"), and of styles based on them."""
    parents: dict[str, str] = {}
    hidden: set[str] = set()
    for styles in (document.styles, document.automaticstyles):
        for style in styles.getElementsByType(Style):
            name = style.getAttrNS(STYLENS, "name")
            parent = style.getAttrNS(STYLENS, "parent-style-name")
            if parent:
                parents[name] = parent
            for properties in style.getElementsByType(TextProperties):
                if properties.getAttrNS(TEXTNS, "display") == "none":
                    hidden.add(name)
    for name in list(parents):
        seen = {name}
        parent = parents.get(name)
        while parent is not None and parent not in seen:
            if parent in hidden:
                hidden.add(name)
                break
            seen.add(parent)
            parent = parents.get(parent)
    return hidden


def _is_hidden(element: Element, reading: _Reading) -> bool:
    """Whether LibreOffice hides `element`: a hidden style, a hidden section, a hiding field."""
    if element.qname in _HIDDEN_FIELDS:
        return True
    if element.qname == (TEXTNS, "section") and element.getAttrNS(TEXTNS, "display") in ("none", "condition"):
        return True
    return any(element.getAttrNS(*name) in reading.hidden_styles for name in _STYLE_NAMES if element.getAttrNS(*name))


def _collect(element: Element, reading: _Reading) -> None:
    """Paragraphs and headings in document order, including those inside lists and tables (a
    speaker | text table read as turns); the change log, which holds deleted text, is set aside."""
    for child in element.childNodes:
        qname = getattr(child, "qname", None)
        if child.nodeType != child.ELEMENT_NODE:
            continue
        if _is_hidden(child, reading):
            reading.hidden += bool(_plain_text(child).strip())
        elif qname in _TEXT_BLOCKS:
            reading.lines.append(_text_of(child, reading))
        elif qname == _TRACKED_CHANGES:
            reading.changes.append(child)
        elif qname == _TABLE:
            for row in _rows(child):
                cells = []
                for cell in row.childNodes:
                    if getattr(cell, "qname", None) == _CELL:
                        inner = _Reading(reading.hidden_styles)
                        _collect(cell, inner)
                        reading.count_in(inner)
                        cells.append("\n".join(inner.lines))
                reading.lines.extend(table_row_lines(cells))
        elif qname is not None and qname[0] == DRAWNS:
            _leave_out_drawing(child, reading)
        else:
            _collect(child, reading)


def _rows(table: Element) -> list[Element]:
    rows = []
    for child in table.childNodes:
        qname = getattr(child, "qname", None)
        if qname == _ROW:
            rows.append(child)
        elif qname in _ROW_GROUPS:
            rows.extend(_rows(child))
    return rows


def _leave_out_drawing(drawing: Element, reading: _Reading) -> None:
    """Count a picture's title and description, and a text box's or shape's text, as left out."""
    described = [child for child in drawing.childNodes if getattr(child, "qname", None) in {(SVGNS, "title"), (SVGNS, "desc")}]
    reading.pictures += any(_plain_text(child).strip() for child in described)
    rest = [child for child in drawing.childNodes if child not in described and child.nodeType == Node.ELEMENT_NODE]
    reading.boxes += any(_plain_text(child).strip() for child in rest)


def _count_aside(aside: Element, reading: _Reading) -> None:
    """Count a footnote, endnote or comment left out of a paragraph, if it holds text."""
    if aside.qname == (OFFICENS, "annotation"):
        # A comment's author and date are no part of its text.
        reading.comments += any(_plain_text(p).strip() for p in aside.childNodes if getattr(p, "qname", None) in _TEXT_BLOCKS)
    elif aside.qname == (TEXTNS, "note"):
        body = [child for child in aside.childNodes if getattr(child, "qname", None) == (TEXTNS, "note-body")]
        if any(_plain_text(part).strip() for part in body):
            if aside.getAttrNS(TEXTNS, "note-class") == "endnote":
                reading.endnotes += 1
            else:
                reading.footnotes += 1


def _plain_text(element: Element) -> str:
    """Every piece of text under `element`, to see whether something left out held any."""
    if element.nodeType == Node.TEXT_NODE:
        return str(element.data)
    return "".join(_plain_text(child) for child in element.childNodes)


def _text_of(element: Element, reading: _Reading) -> str:
    """A paragraph's text as odfpy's teletype.extractText reads it (spaces, tabs and line breaks
    unwrapped), without comments and notes, hidden text, and pictures, shapes and text boxes."""
    pieces: list[str] = []
    for child in element.childNodes:
        if child.nodeType == Node.TEXT_NODE:
            pieces.append(child.data)
            continue
        if child.nodeType != Node.ELEMENT_NODE:
            continue
        if child.qname in _ASIDE:
            _count_aside(child, reading)
            continue
        if _is_hidden(child, reading):
            reading.hidden += bool(_plain_text(child).strip() or child.getAttrNS(TEXTNS, "string-value"))
        elif child.qname[0] == DRAWNS:
            _leave_out_drawing(child, reading)
        elif child.qname == (TEXTNS, "line-break"):
            pieces.append("\n")
        elif child.qname == (TEXTNS, "tab"):
            pieces.append("\t")
        elif child.qname == (TEXTNS, "s"):
            count = child.getAttribute("c")
            pieces.append(" " * (int(count) if count and count.isdigit() else 1))
        else:
            pieces.append(_text_of(child, reading))
    return "".join(pieces)
