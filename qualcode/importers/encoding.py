"""Decode transcript bytes: BOMs, strict UTF-8, then charset detection among Western encodings."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from charset_normalizer import from_bytes

from qualcode.errors import ImportFailed
from qualcode.importers.document import control_character_note, on_lines
from qualcode.text.normalise import control_characters

# Norwegian files that are not UTF-8 come from Word on Windows, old Macs or DOS; letting
# charset-normalizer choose among all code pages picks cp1250 for "ø" and "å".
CANDIDATE_ENCODINGS = ["cp1252", "latin_1", "iso8859_15", "mac_roman", "cp865", "utf_16_le", "utf_16_be"]

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


# Bytes that are not valid UTF-8, as Python's surrogateescape error handler hands them over.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
# A text where more than this share of characters are controls is not a transcript.
BINARY_SHARE = 0.01


@dataclass(frozen=True)
class Decoded:
    """A file's text as read, the encoding it was read with, and what reading had to change."""

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """The text of a file and the encoding it was read with; a clear error if it is not text."""
    decoded = decode_text(data, name, encoding)
    return decoded.text, decoded.encoding


def decode_text(data: bytes, name: str, encoding: str | None = None) -> Decoded:
    """Read bytes as text: a BOM, else UTF-8 (also when a few bytes are not), else the likeliest
    Western code page; control characters and bytes that could not be read are noted by line."""
    if not data.strip():
        raise ImportFailed(f"{name} is empty", "check that you picked the right file")
    decoded = _decode(data, name, encoding)
    found = control_characters(decoded.text)
    if len(found) > max(10, len(decoded.text) * BINARY_SHARE):
        raise ImportFailed(f"{name} looks like a binary file, not text", "export it as .txt, .docx or .odt first")
    note = control_character_note(decoded.text, found)
    return Decoded(decoded.text, decoded.encoding, decoded.notes + ([note] if note else []))


def _decode(data: bytes, name: str, encoding: str | None) -> Decoded:
    if encoding:
        try:
            return Decoded(data.decode(encoding), encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ImportFailed(f"{name} cannot be read as {encoding}: {error}", "try without --encoding") from None
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(bom_encoding), bom_encoding)
            except UnicodeDecodeError:
                raise ImportFailed(f"{name} starts with a {bom_encoding} mark but is not valid {bom_encoding}", "re-save it as UTF-8") from None
    # UTF-16 without a mark is valid UTF-8 with a NUL after every letter: leave it to detection.
    if data.count(b"\x00") <= len(data) // 4:
        try:
            return Decoded(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            pass
        mostly = _mostly_utf8(data, name)
        if mostly is not None:
            return mostly
    best = from_bytes(data, cp_isolation=CANDIDATE_ENCODINGS).best()
    nuls = data.count(b"\x00")
    if best is None or (nuls > max(10, len(data) * BINARY_SHARE) and not best.encoding.startswith("utf_16")):
        raise ImportFailed(f"{name} looks like a binary file, not text", "export it as .txt, .docx or .odt first")
    return Decoded(str(best), best.encoding)


def _mostly_utf8(data: bytes, name: str) -> Decoded | None:
    """UTF-8 with a few stray bytes (a line pasted from another program), read as UTF-8.

    A file in a legacy code page has no valid multi-byte UTF-8 sequences in it; one that has
    more of them than stray bytes is UTF-8, and each stray byte becomes U+FFFD, noted by line.
    """
    text = data.decode("utf-8", errors="surrogateescape")
    stray = [match.start() for match in _ESCAPED_BYTE.finditer(text)]
    readable = len(text) - len(text.encode("ascii", errors="ignore")) - len(stray)
    if readable == 0 or len(stray) > readable:
        return None
    lines = []
    line, position = 1, 0
    for index in stray:
        line += text.count("\n", position, index)
        position = index
        lines.append(line)
    count = f"{len(stray)} bytes that are not UTF-8 were" if len(stray) > 1 else "1 byte that is not UTF-8 was"
    note = f"{count} replaced by \ufffd on {on_lines(lines)} (the rest of {name} is UTF-8)"
    return Decoded(_ESCAPED_BYTE.sub("\ufffd", text), "utf-8", [note])
