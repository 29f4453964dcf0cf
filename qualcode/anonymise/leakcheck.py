"""The leak guard: find original identifiers from the key, and pattern identifiers, in files.

Reads .docx (body, tables, headers, footers, comments, document properties), .txt, .md, .csv,
.xlsx (every cell of every sheet) and .qdpx (every XML and text member of the archive).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.known import LIST_KINDS, KnownMatcher
from qualcode.anonymise.patterns import find_patterns
from qualcode.errors import InvalidInput, LeakFound

READABLE = (".docx", ".txt", ".md", ".csv", ".xlsx", ".qdpx")


@dataclass(frozen=True)
class Leak:
    """An identifier found where it must not be."""

    file: str
    where: str
    found: str
    kind: str
    context: str


def file_parts(path: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of text in a file."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        yield from _docx_parts(path)
    elif suffix in (".txt", ".md", ".csv"):
        for number, line in enumerate(path.read_text(encoding="utf-8-sig", errors="replace").splitlines(), start=1):
            yield f"line {number}", line
    elif suffix == ".xlsx":
        import openpyxl  # here, not at the top, so the CLI starts quickly

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        yield f"{sheet.title}!{getattr(cell, 'coordinate', '?')}", str(cell.value)
        workbook.close()
    elif suffix == ".qdpx":
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.lower().endswith((".qde", ".xml", ".txt", ".html", ".rtf")):
                    text = archive.read(member).decode("utf-8", errors="replace")
                    for number, line in enumerate(re.sub(r"<[^>]+>", " ", text).splitlines(), start=1):
                        yield f"{member} line {number}", line
    else:
        raise InvalidInput(f"{path.name}: the leak check reads {', '.join(READABLE)}")


def _docx_parts(path: Path) -> Iterator[tuple[str, str]]:
    import docx

    document = docx.Document(str(path))
    for number, paragraph in enumerate(document.paragraphs, start=1):
        yield f"paragraph {number}", paragraph.text
    for table_number, table in enumerate(document.tables, start=1):
        for row_number, row in enumerate(table.rows, start=1):
            for cell in row.cells:
                yield f"table {table_number} row {row_number}", cell.text
    for section in document.sections:
        for part, label in ((section.header, "header"), (section.footer, "footer")):
            for paragraph in part.paragraphs:
                yield label, paragraph.text
    for comment in document.comments:
        yield f"comment by {comment.author}", comment.text
        yield "comment author", comment.author or ""
    properties = document.core_properties
    for name in ("title", "subject", "author", "keywords", "comments", "last_modified_by"):
        yield f"property {name}", getattr(properties, name) or ""


def scan_text(text: str, key: PseudonymKey, file: str, where: str) -> list[Leak]:
    """Originals from the key (with the import's fuzzy matching) and pattern identifiers in `text`."""
    leaks = [
        Leak(file, where, match.text, match.entry.kind, _context(text, match.start, match.end))
        for match in KnownMatcher(key).find(text)
    ]
    squashed = " ".join(text.split()).casefold()
    for entry in key.entries:
        # Numbers and addresses are found by their literal text too, however they were spaced.
        if entry.kind not in LIST_KINDS and " ".join(entry.original.split()).casefold() in squashed:
            leaks.append(Leak(file, where, entry.original, entry.kind, _context(text, 0, 0)))
    for found in find_patterns(text):
        if not any(leak.found == found.text for leak in leaks):
            leaks.append(Leak(file, where, found.text, found.kind, _context(text, found.start, found.end)))
    return leaks


def check_file(path: Path, key: PseudonymKey) -> list[Leak]:
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist")
    try:
        parts = list(file_parts(path))
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise InvalidInput(f"{path.name} cannot be read for the leak check: {error}") from None
    return [leak for where, text in parts for leak in scan_text(text, key, path.name, where)]


def guard(path: Path, key: PseudonymKey) -> None:
    """For exporters: refuse (and delete) a file about to leave the tool with an identifier in it."""
    leaks = check_file(path, key)
    if leaks:
        path.unlink(missing_ok=True)
        first = leaks[0]
        raise LeakFound(
            f"refused to write {path.name}: it contains {first.kind} {first.found!r} ({first.where})"
            + (f" and {len(leaks) - 1} more" if len(leaks) > 1 else ""),
            "run `qualcode leakcheck` on the source, add the identifier to the key, and export again",
        )


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    if start == end == 0:
        return " ".join(text.split())[:2 * width]
    return " ".join(text[max(0, start - width):end + width].split())
