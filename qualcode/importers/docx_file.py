"""Word (.docx) transcripts: paragraphs in order, two-column tables read as speaker and text."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from qualcode.errors import ImportFailed
from qualcode.importers.document import ParsedDocument
from qualcode.importers.turns import detect_turns
from qualcode.text.normalise import normalise

# Encrypted Office files and old .doc files are OLE compound documents, not zip packages.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_not_encrypted(path: Path, kind: str) -> None:
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise ImportFailed(f"{path.name} is empty", "check that you picked the right file")
    if head == OLE_SIGNATURE:
        raise ImportFailed(
            f"{path.name} is password-protected or an old binary {kind} file",
            f"remove the password or save it as {kind} again, then import",
        )


def read_docx_file(path: Path, *, marker: re.Pattern[str] | None = None) -> ParsedDocument:
    check_not_encrypted(path, ".docx")
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
        raise ImportFailed(f"{path.name} is not a readable .docx file (damaged or truncated: {error})", "open and re-save it in Word") from None
    lines: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            lines.append(item.text)
        elif isinstance(item, Table):
            lines.extend(_table_lines(item))
    text = normalise("\n".join(lines)).strip("\n") + "\n"
    if not text.strip():
        raise ImportFailed(f"{path.name} contains no text")
    return ParsedDocument(text=text, turns=detect_turns(text, marker), source_format="docx", encoding=None)


def _table_lines(table: Table) -> list[str]:
    """A speaker | text table becomes "speaker: text" lines; other tables are read cell by cell."""
    lines = []
    for row in table.rows:
        cells = [cell.text.strip() for cell in row.cells]
        if len(cells) == 2 and cells[0] and len(cells[0]) <= 40 and "\n" not in cells[0]:
            lines.extend([f"{cells[0].rstrip(':')}: {cells[1]}", ""])
        else:
            lines.extend(cell for cell in cells if cell)
    return lines
