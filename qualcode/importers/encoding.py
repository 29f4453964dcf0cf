"""Decode transcript bytes: BOMs, strict UTF-8, then charset detection among Western encodings."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from qualcode.errors import ImportFailed

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


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """The text of a file and the encoding it was read with; a clear error if it is not text."""
    if not data.strip():
        raise ImportFailed(f"{name} is empty", "check that you picked the right file")
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as error:
            raise ImportFailed(f"{name} cannot be read as {encoding}: {error}", "try without --encoding") from None
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(bom_encoding), bom_encoding
            except UnicodeDecodeError:
                raise ImportFailed(f"{name} starts with a {bom_encoding} mark but is not valid {bom_encoding}", "re-save it as UTF-8") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=CANDIDATE_ENCODINGS).best()
    if best is None or (b"\x00" in data and not best.encoding.startswith("utf_16")):
        raise ImportFailed(f"{name} looks like a binary file, not text", "export it as .txt, .docx or .odt first")
    return str(best), best.encoding
