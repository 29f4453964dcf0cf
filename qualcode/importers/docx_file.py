"""Word (.docx) transcripts: paragraphs in order, speaker | text tables read as turns.

Tracked changes are read as if accepted: inserted text is kept, deleted text left out. Hidden
text, text boxes, pictures' descriptions, headers, footers, footnotes, endnotes and comments are
not read. The import notes each of these it met.
Content controls (w:sdt) and custom XML (w:customXml) are read as Word shows them: their
content in its place, at every level (body, table row, cell); the body is read by
qualcode.text.docx_body.
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
from docx.opc.part import Part, XmlPart
from docx.oxml import parse_xml

from qualcode.errors import ImportFailed
from qualcode.importers.document import ParsedDocument, left_out_note, tracked_changes_note
from qualcode.importers.package import check_not_encrypted, open_package
from qualcode.importers.turns import detect_turns
from qualcode.text.docx_body import body_text
from qualcode.text.docx_paragraphs import (
    DELETED,
    INSERTED,
    PARAGRAPH,
    RUN,
    TEXT_BOX,
    W,
    chosen_away,
    hidden,
    paragraph_text,
    run_text,
)
from qualcode.text.normalise import control_character_note, normalise


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
    raw = body_text(body)
    notes = [note for note in (_tracked_changes_note(body), _left_out_note(document), control_character_note(raw)) if note]
    text = normalise(raw).strip("\n") + "\n"
    if not text.strip():
        raise ImportFailed(f"{path.name} contains no text")
    return ParsedDocument(text=text, turns=detect_turns(text, marker), source_format="docx", encoding=None, notes=notes)


def _tracked_changes_note(body: Any) -> str | None:
    inserted = sum(1 for change in body.iter(*INSERTED) if next(change.iter(RUN), None) is not None and not chosen_away(change))
    deleted = sum(1 for change in body.iter(*DELETED) if next(change.iter(RUN), None) is not None and not chosen_away(change))
    return tracked_changes_note(inserted, deleted)


def _left_out_note(document: DocxDocument) -> str | None:
    """Say what was not read: hidden text (Word does not show it), text boxes and pictures'
    descriptions (beside the text), headers and footers (the page's, not the interview's: often
    "Intervju med …, tlf …"), and footnotes, endnotes and comments (the transcriber's or a
    reader's): each may name someone, so none is left out unsaid."""
    body = document.element.body
    # A text box Word saved holds its text twice, as a shape and as its VML fallback: counted once.
    hidden_runs = sum(1 for run in body.iter(RUN) if hidden(run) and run_text(run).strip() and not chosen_away(run))
    boxes = sum(
        1 for box in body.iter(TEXT_BOX)
        if not chosen_away(box) and any(paragraph_text(p).strip() for p in box.iter(PARAGRAPH))
    )
    described = sum(
        1 for picture in body.iter(_PICTURE, _VML_SHAPE)
        if not chosen_away(picture) and any((picture.get(name) or "").strip() for name in ("descr", "title", "alt"))
    )
    headers, footers = (_parts_with_text(document, kind) for kind in (RT.HEADER, RT.FOOTER))
    footnotes, endnotes, comments = (_notes_with_text(document, *kind) for kind in _NOTES)
    return left_out_note([
        (hidden_runs, "piece of hidden text", "pieces of hidden text"), (boxes, "text box", "text boxes"),
        (described, "picture's description (alt text)", "pictures' descriptions (alt text)"),
        (headers, "header", "headers"), (footers, "footer", "footers"),
        (footnotes, "footnote", "footnotes"), (endnotes, "endnote", "endnotes"), (comments, "comment", "comments"),
    ], "Word")


# A picture's or shape's properties, where Word keeps its alt text (descr) and title; a VML shape's alt.
_PICTURE = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_VML_SHAPE = "{urn:schemas-microsoft-com:vml}shape"
# Footnotes, endnotes and comments: each part's relationship and the element of one note in it.
_NOTES = [(RT.FOOTNOTES, f"{W}footnote"), (RT.ENDNOTES, f"{W}endnote"), (RT.COMMENTS, f"{W}comment")]
_NOTE_TYPE = f"{W}type"


def _notes_with_text(document: DocxDocument, relationship: str, tag: str) -> int:
    """How many of the document's footnotes, endnotes or comments hold text; the separator lines
    Word keeps among the footnotes are no notes."""
    parts = {rel.target_part for rel in document.part.rels.values() if rel.reltype == relationship and not rel.is_external}
    return sum(
        1 for part in parts for note in _part_element(part).iter(tag)
        if note.get(_NOTE_TYPE, "normal") == "normal" and any(paragraph_text(p).strip() for p in note.iter(PARAGRAPH))
    )


def _part_element(part: Part) -> Any:
    """A part's XML; python-docx reads footnotes and endnotes as bytes only."""
    return part.element if isinstance(part, XmlPart) else parse_xml(part.blob)


def _parts_with_text(document: DocxDocument, relationship: str) -> int:
    """How many of the document's headers (or footers) hold text; each section may have three."""
    parts = {rel.target_part for rel in document.part.rels.values() if rel.reltype == relationship and not rel.is_external}
    return sum(
        1 for part in parts
        if isinstance(part, XmlPart) and any(paragraph_text(p).strip() for p in part.element.iter(PARAGRAPH))
    )
