"""Decode the bytes of a text file, for the import and the leak check alike: BOMs, UTF-8 (stray
lines in a Western code page), else the Western code page the Norwegian letters read right in."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from qualcode.errors import ImportFailed
from qualcode.text.normalise import control_character_note, control_characters, on_lines

# Norwegian files that are not UTF-8 come from Word on Windows, old Macs or DOS; letting
# charset-normalizer choose among all code pages picks cp1250 for "ø" and "å".
CANDIDATE_ENCODINGS = ["cp1252", "latin_1", "iso8859_15", "mac_roman", "cp865", "utf_16_le", "utf_16_be"]
# The one-byte code pages of those, which a file or a stray line without UTF-8 is read in.
LEGACY_ENCODINGS = [encoding for encoding in CANDIDATE_ENCODINGS if not encoding.startswith("utf")]

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


# Bytes that are not valid UTF-8, as Python's surrogateescape error handler hands them over.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]+")
# A text where more than this share of characters are controls is not a transcript.
BINARY_SHARE = 0.01

# The letters beyond ASCII that Norwegian is written with: a reading that has them is likelier right.
_NORWEGIAN_LETTERS = frozenset("æøåÆØÅé")
# Punctuation a Norwegian text has next to letters in any case (quotes, dashes, an apostrophe).
_PUNCTUATION = frozenset("«»–—…‘’“”„‚·§€")


def _misread_letters() -> frozenset[str]:
    """What one of the Norwegian letters becomes when its code page is read as another candidate
    ("ø" from DOS read as Windows is "›", from Windows read as Mac "¯") and is no Latin letter:
    such a character beside a letter ("T›nsberg", "kj¯nn") is a wrong reading, not what was written."""
    misread: set[str] = set()
    for written in LEGACY_ENCODINGS:
        for letter in _NORWEGIAN_LETTERS:
            byte = letter.encode(written, errors="ignore")
            for read in LEGACY_ENCODINGS:
                character = byte.decode(read, errors="ignore")
                latin = character.isalpha() and unicodedata.name(character, "").startswith("LATIN")
                if read != written and character and not latin and character not in _PUNCTUATION:
                    misread.add(character)
    return frozenset(misread)


_LETTER = r"[^\W\d_]"


@cache
def _misread_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A misread letter beside a letter ("T›", "¯n"), and one inside a word ("T›nsberg"). Made on
    first use: a file read as UTF-8 (an export's leak check) needs neither, and making them decodes
    every letter in every code page (2 ms of the export)."""
    misread = "[" + re.escape("".join(sorted(_misread_letters()))) + "]"
    return (re.compile(f"(?<={_LETTER}){misread}|{misread}(?={_LETTER})"),
            re.compile(rf"\S*{_LETTER}{misread}+{_LETTER}\S*"))


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
    """Read bytes as text: a BOM, else UTF-8 (lines that are not read in the likeliest Western
    code page), else the likeliest Western code page for the whole file; control characters and
    what was not UTF-8 are noted by line."""
    if not data.strip():
        raise ImportFailed(f"{name} is empty", "check that you picked the right file")
    decoded = _decode(data, name, encoding)
    found = control_characters(decoded.text)
    if len(found) > max(10, len(decoded.text) * BINARY_SHARE):
        raise ImportFailed(f"{name} looks like a binary file, not text", "export it as .txt, .docx or .odt first")
    if encoding is None and (decoded.encoding in LEGACY_ENCODINGS or decoded.notes):
        # A guess that still has a misread letter inside a word fits no code page.
        _refuse_misread(decoded.text, name)
    note = control_character_note(decoded.text, found)
    return Decoded(decoded.text, decoded.encoding, decoded.notes + ([note] if note else []))


# A capital Æ, Ø or Å right after a small letter, which no Norwegian word has: Windows' curly quotes
# read in DOS's code page (‘nei’ as "æneiÆ"), where each pair would otherwise count as two letters.
_CAPITAL_AFTER_SMALL = re.compile(r"(?<=[a-zæøåé])[ÆØÅ]")


def norwegian_score(text: str) -> int:
    """How much `text` looks like Norwegian read in the right code page: its æ, ø, å and é count
    for it, a character that a misread letter turns into, next to a letter, counts twice against,
    and a capital letter of them after a small letter three times."""
    return (
        sum(character in _NORWEGIAN_LETTERS for character in text)
        - 2 * len(_misread_patterns()[0].findall(text)) - 3 * len(_CAPITAL_AFTER_SMALL.findall(text))
    )


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
    # UTF-16 without a mark has a NUL byte in every character below U+0100, which is all of a
    # Norwegian text but its dashes, curly quotes and emoji: about half its bytes. Its ASCII is valid
    # UTF-8 too (a NUL beside every letter), so it is left to detection; fewer NULs are no UTF-16.
    nuls = data.count(b"\x00")
    may_be_utf16 = nuls > len(data) // 4
    if not may_be_utf16:
        try:
            return Decoded(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            pass
        mixed = _partly_utf8(data, name)
        if mixed is not None:
            return mixed
    # Here, not at the top: only a file neither marked nor UTF-8 needs it, and the 15 ms it takes to
    # load are not paid by a command that reads UTF-8 only (an export's leak check, a participants list).
    from charset_normalizer import from_bytes

    # Almost any even number of bytes decodes as UTF-16, and charset-normalizer prefers that reading
    # of a short text in a code page ("Kåre" in Windows-1252 as "䯥牥"): it is offered UTF-16 only
    # for bytes that may be UTF-16.
    matches = from_bytes(data, cp_isolation=CANDIDATE_ENCODINGS if may_be_utf16 else LEGACY_ENCODINGS)
    best = matches.best()
    if best is None or (nuls > max(10, len(data) * BINARY_SHARE) and not best.encoding.startswith("utf_16")):
        raise ImportFailed(f"{name} looks like a binary file, not text", "export it as .txt, .docx or .odt first")
    if best.encoding.startswith("utf_16"):
        return Decoded(str(best), best.encoding)
    # charset-normalizer ranks the code pages by what it finds plausible in any language; a short
    # file or one with few letters beyond ASCII gets the wrong one ("T›nsberg", "kj¯nn"), so its
    # ranking only breaks ties between readings that look equally Norwegian.
    ranked = [match.encoding for match in matches if match.encoding in LEGACY_ENCODINGS]
    readings = _readings(lambda code_page: data.decode(code_page), ranked)
    chosen, text = max(readings, key=lambda reading: norwegian_score(reading[1]))
    return Decoded(text, chosen, [f"{name} is not UTF-8 and was read as {_describe(chosen)}"])


def _readings(read: Callable[[str], str], preferred: list[str]) -> list[tuple[str, str]]:
    """(code page, text) for every candidate code page the bytes can be read in, `preferred` first."""
    readings = []
    for code_page in preferred + [code_page for code_page in LEGACY_ENCODINGS if code_page not in preferred]:
        try:
            readings.append((code_page, read(code_page)))
        except UnicodeDecodeError:
            continue
    return readings


def _partly_utf8(data: bytes, name: str) -> Decoded | None:
    """UTF-8 with lines pasted from another program: those bytes read in the code page that makes
    them look most like Norwegian, noted by line; None if there is no UTF-8 beyond ASCII in it.

    A file in a legacy code page has no multi-byte UTF-8 in it but by accident, and an accident
    decodes to a letter no Norwegian text holds (Latin Extended-B, IPA), so only letters and
    punctuation a Norwegian text may hold count as UTF-8.
    """
    text = data.decode("utf-8", errors="surrogateescape")
    if not any(_is_written(character) for character in text):
        return None

    def read(code_page: str) -> str:
        return _ESCAPED_BYTE.sub(lambda run: bytes(ord(byte) - 0xDC00 for byte in run.group()).decode(code_page), text)

    chosen, decoded = max(_readings(read, []), key=lambda reading: norwegian_score(reading[1]))
    lines = []
    line, position = 1, 0
    for match in _ESCAPED_BYTE.finditer(text):
        line += text.count("\n", position, match.start()) + text.count("\r", position, match.start()) - text.count("\r\n", position, match.start())
        position = match.start()
        lines.append(line)
    what = "is" if len(set(lines)) == 1 else "are"
    note = f"{on_lines(lines)} {what} not UTF-8 and {'was' if what == 'is' else 'were'} read as {_describe(chosen)} (the rest of {name} is UTF-8)"
    return Decoded(decoded, "utf-8", [note])


def _is_written(character: str) -> bool:
    code = ord(character)
    return code > 0x7F and not 0xDC80 <= code <= 0xDCFF and not 0x180 <= code <= 0x2FF


@cache
def _capital_inside() -> re.Pattern[str]:
    """A capital letter beyond ASCII right after a small letter ("pŒ", "kÂr"): what å or æ becomes
    when one code page is read as another and is still a Latin letter, which _misread_letters leaves
    out. No Norwegian word is written so; a file that mixes code pages line by line reads so."""
    capitals = {character for code_page in LEGACY_ENCODINGS for character in bytes(range(0x80, 0x100)).decode(code_page, errors="ignore")
                if character.isupper() and character.isalpha()}
    return re.compile(rf"[a-zæøåé][{re.escape(''.join(sorted(capitals)))}]")


def _refuse_misread(text: str, name: str) -> None:
    """Refuse a reading that still has a misread letter inside a word: no code page fits the file,
    and a name in it would be stored garbled, where the key cannot find it."""
    found = _misread_patterns()[1].search(text) or _capital_inside().search(text)
    if found is not None:
        raise ImportFailed(
            f"{name}: no encoding reads it as Norwegian (for instance {found.group()!r}); it may mix several",
            "open it in a text editor, save it as UTF-8 and import it again",
        )


_NAMES = {
    "cp1252": "Windows-1252 (cp1252)",
    "latin_1": "ISO 8859-1 (Latin-1)",
    "iso8859_15": "ISO 8859-15 (Latin-9)",
    "mac_roman": "Mac Roman",
    "cp865": "DOS Nordic (cp865)",
}


def _describe(code_page: str) -> str:
    return _NAMES.get(code_page, code_page)
