"""OpenDocument text (.odt) transcripts, read with odfpy.

Tracked changes are read as if accepted: the text holds insertions already, and what was
deleted, kept aside in the change log, is left out; the import says so.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from odf.element import Element, Node
from odf.namespaces import OFFICENS, TEXTNS
from odf.opendocument import load

from qualcode.errors import ImportFailed
from qualcode.importers.document import ParsedDocument, control_character_note, tracked_changes_note
from qualcode.importers.package import check_not_encrypted, open_package, read_small_part
from qualcode.importers.turns import detect_turns
from qualcode.text.normalise import normalise

_TEXT_BLOCKS = {(TEXTNS, "p"), (TEXTNS, "h")}
# Not what was said: a comment (its author's name, its date and its text) and a footnote or
# endnote are written beside the paragraph, and left out as the .docx reader leaves them out.
_ASIDE = {(OFFICENS, "annotation"), (OFFICENS, "annotation-end"), (TEXTNS, "note")}
_TRACKED_CHANGES = (TEXTNS, "tracked-changes")
MANIFEST = "META-INF/manifest.xml"


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
    lines: list[str] = []
    changes: list[Element] = []
    _collect(document.text, lines, changes)
    raw = "\n".join(lines)
    notes = [note for note in (_tracked_changes_note(changes), control_character_note(raw)) if note]
    text = normalise(raw).strip("\n") + "\n"
    if not text.strip():
        raise ImportFailed(f"{path.name} contains no text")
    return ParsedDocument(text=text, turns=detect_turns(text, marker), source_format="odt", encoding=None, notes=notes)


def _tracked_changes_note(changes: list[Element]) -> str | None:
    kinds = [getattr(child, "qname", (None, None))[1] for log in changes for region in log.childNodes for child in region.childNodes]
    inserted, deleted = kinds.count("insertion"), kinds.count("deletion")
    return tracked_changes_note(inserted, deleted)


def _collect(element: Element, lines: list[str], changes: list[Element]) -> None:
    """Paragraphs and headings in document order, including those inside lists and tables;
    the change log, which holds deleted text, is set aside."""
    for child in element.childNodes:
        qname = getattr(child, "qname", None)
        if qname in _TEXT_BLOCKS:
            lines.append(_text_of(child))
        elif qname == _TRACKED_CHANGES:
            changes.append(child)
        elif child.nodeType == child.ELEMENT_NODE:
            _collect(child, lines, changes)


def _text_of(element: Element) -> str:
    """A paragraph's text as odfpy's teletype.extractText reads it (spaces, tabs and line breaks
    unwrapped), without comments and notes."""
    pieces: list[str] = []
    for child in element.childNodes:
        if child.nodeType == Node.TEXT_NODE:
            pieces.append(child.data)
            continue
        if child.nodeType != Node.ELEMENT_NODE or child.qname in _ASIDE:
            continue
        if child.qname == (TEXTNS, "line-break"):
            pieces.append("\n")
        elif child.qname == (TEXTNS, "tab"):
            pieces.append("\t")
        elif child.qname == (TEXTNS, "s"):
            count = child.getAttribute("c")
            pieces.append(" " * (int(count) if count and count.isdigit() else 1))
        else:
            pieces.append(_text_of(child))
    return "".join(pieces)
