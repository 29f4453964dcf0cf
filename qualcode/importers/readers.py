"""The transcript formats qualcode reads, by file suffix: the one place a new format is added.

Each reader imports its library when it is called, so reading a .txt file never loads
python-docx, lxml, odfpy or webvtt. A reader hands over normalised text (see
`qualcode.text.normalise`) with its speaker turns; `parse_file` in the import service turns
whatever else it raises on a damaged file into a one-line ImportFailed.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from qualcode.errors import ImportFailed
from qualcode.importers.document import ParsedDocument


class ReadFunction(Protocol):
    """Reads one file; `encoding` matters to text formats only, `marker` to formats whose turns are found in the text."""

    def __call__(self, path: Path, *, encoding: str | None, marker: re.Pattern[str] | None) -> ParsedDocument: ...


@dataclass(frozen=True)
class Reader:
    """How one format is read."""

    read: ReadFunction
    # A text format is read into memory whole, so its file size is checked first; a package
    # format (.docx, .odt) is checked part by part as it is unpacked.
    whole_text: bool
    # Its turns are found by markers in its text (importers.turns), where the labels a `speakers:`
    # map names are found too; a subtitle format's come from its cues.
    turns_in_text: bool = False


def _read_text(path: Path, *, encoding: str | None, marker: re.Pattern[str] | None) -> ParsedDocument:
    from qualcode.importers.text_file import read_text_file

    return read_text_file(path, encoding=encoding, marker=marker)


def _read_docx(path: Path, *, encoding: str | None, marker: re.Pattern[str] | None) -> ParsedDocument:
    from qualcode.importers.docx_file import read_docx_file

    return read_docx_file(path, marker=marker)


def _read_odt(path: Path, *, encoding: str | None, marker: re.Pattern[str] | None) -> ParsedDocument:
    from qualcode.importers.odt_file import read_odt_file

    return read_odt_file(path, marker=marker)


def _read_vtt(path: Path, *, encoding: str | None, marker: re.Pattern[str] | None) -> ParsedDocument:
    from qualcode.importers.vtt_file import read_vtt_file

    return read_vtt_file(path, encoding=encoding, marker=marker)


def _read_srt(path: Path, *, encoding: str | None, marker: re.Pattern[str] | None) -> ParsedDocument:
    from qualcode.importers.srt_file import read_srt_file

    return read_srt_file(path, encoding=encoding, marker=marker)


# Lower-case suffixes with their dot, in the order they are listed to researchers.
READERS: dict[str, Reader] = {
    ".txt": Reader(_read_text, whole_text=True, turns_in_text=True),
    ".md": Reader(_read_text, whole_text=True, turns_in_text=True),
    ".docx": Reader(_read_docx, whole_text=False, turns_in_text=True),
    ".odt": Reader(_read_odt, whole_text=False, turns_in_text=True),
    ".vtt": Reader(_read_vtt, whole_text=True),
    ".srt": Reader(_read_srt, whole_text=True),
}


def supported_suffixes() -> tuple[str, ...]:
    """The suffixes of every format there is a reader for."""
    return tuple(READERS)


def is_supported(path: Path) -> bool:
    """Whether `path` is named as a format there is a reader for."""
    return path.suffix.lower() in READERS


def reader_for(path: Path) -> Reader:
    """The reader for `path` by its suffix, or a one-line refusal listing the formats there are."""
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        if suffix == ".qdc":  # REFI-QDA's codebook, given where its project (.qdpx) or transcripts were meant
            raise ImportFailed(f"{path.name} is a REFI-QDA codebook, not a transcript or project",
                               f"merge its codes with `qualcode codebook import {shlex.quote(str(path))}`")
        raise ImportFailed(
            f"{path.name}: {suffix or 'no extension'} is not a transcript format qualcode reads",
            "supported: " + ", ".join(supported_suffixes()),
        )
    return reader
