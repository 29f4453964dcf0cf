"""OpenDocument text (.odt) transcripts, read with odfpy."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.parsers.expat import ExpatError

from odf import teletype
from odf.element import Element
from odf.namespaces import TEXTNS
from odf.opendocument import load

from qualcode.errors import ImportFailed
from qualcode.importers.document import ParsedDocument
from qualcode.importers.docx_file import check_not_encrypted
from qualcode.importers.turns import detect_turns
from qualcode.text.normalise import normalise

_TEXT_BLOCKS = {(TEXTNS, "p"), (TEXTNS, "h")}


def read_odt_file(path: Path, *, marker: re.Pattern[str] | None = None) -> ParsedDocument:
    check_not_encrypted(path, ".odt")
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = archive.read("META-INF/manifest.xml")
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise ImportFailed(f"{path.name} is not a readable .odt file (damaged or truncated: {error})", "open and re-save it") from None
    if b"encryption-data" in manifest:
        raise ImportFailed(f"{path.name} is password-protected", "remove the password in LibreOffice, then import")
    try:
        document = load(str(path))
    except (zipfile.BadZipFile, KeyError, ExpatError, ValueError) as error:
        raise ImportFailed(f"{path.name} is not a readable .odt file ({error})", "open and re-save it") from None
    lines: list[str] = []
    _collect(document.text, lines)
    text = normalise("\n".join(lines)).strip("\n") + "\n"
    if not text.strip():
        raise ImportFailed(f"{path.name} contains no text")
    return ParsedDocument(text=text, turns=detect_turns(text, marker), source_format="odt", encoding=None)


def _collect(element: Element, lines: list[str]) -> None:
    """Paragraphs and headings in document order, including those inside lists and tables."""
    for child in element.childNodes:
        if getattr(child, "qname", None) in _TEXT_BLOCKS:
            lines.append(teletype.extractText(child))
        elif child.nodeType == child.ELEMENT_NODE:
            _collect(child, lines)
