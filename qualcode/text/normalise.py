"""Normalise transcript text once, at import, without changing a single word."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from qualcode.errors import InvalidInput

_NBSP = re.compile("[\u00a0\u2007\u202f]")
# Invisible characters that only get in the way of offsets and matching, and that would hide a
# name from the key ("Ka\u200eri"): soft hyphen, zero-width and joiner characters, direction
# marks and embeddings, invisible operators, the combining grapheme joiner, variation selectors
# and tag characters; and the Hangul fillers, letters that show as a blank ("Kari\u3164Nordmann"
# reads as Kari Nordmann, yet is one word to the key).
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
# Of the fillers, those that stand in an old Hangul syllable spelt in conjoining letters, where
# they are part of its spelling, and the conjoining letters themselves.
_SYLLABLE_FILLERS = frozenset("\u115f\u1160")
_CONJOINING_JAMO = re.compile("[\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff]")
# Of those, what joins and varies emoji: the zero-width joiner (👨‍👩‍👧), variation selectors (🏳️)
# and tag characters (a subdivision's flag). Between symbols they are part of what was written and
# hide no name, so they are kept there (`_drop_invisible`); between letters they go like the rest.
_TAGS = frozenset(map(chr, range(0xE0020, 0xE0080)))
_TAG_BASE = "\U0001f3f4"  # 🏴, the black flag a subdivision's tags follow
_EMOJI_JOINERS = frozenset("\u200d\ufe0e\ufe0f") | _TAGS
_SYMBOLS = {"So", "Sk"}  # emoji and their skin-tone modifiers
# Where Unicode puts new emoji: a code point this Python's Unicode (14.0) has not assigned there is
# an emoji of a later version ("🫨", U+1FAE8, of 15.0, typed on a phone), not an unassigned character.
_EMOJI_BLOCKS = range(0x1F000, 0x1FB00)
# The zero-width non-joiner and joiner, which Persian, Arabic and Indic scripts spell with.
_SCRIPT_JOINERS = frozenset("\u200c\u200d")
# C0 and C1 control characters but tab and line feed.
_TYPED_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A word broken across lines by a hyphen: both sides lower-case letters, so a compound
# such as "NAV-\nkontor" or a dash before a new line is left alone; and not before "og", "eller"
# or "samt" alone, where the hyphen stands for a compound's second part ("barne- og ungdomsarbeid").
_LINE_BREAK_HYPHEN = re.compile(r"(?<=[a-zæøåäöüé])-\n(?=[a-zæøåäöüé])(?!(?:og|eller|samt)(?![\w-]))")
# Line and page breaks under other names: vertical tab (Word's manual line break in plain-text
# exports), form feed (page break), NEL and the Unicode line and paragraph separators.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
# Control characters other than tab and line feed, and the two non-characters: no one types
# them, and NUL in particular breaks every report and spreadsheet made from the text later.
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_HASH_SLICE = 1 << 20


def normalise(text: str) -> str:
    """NFC, LF line endings, no BOM or control characters, NBSP to space, soft hyphens out, line-break hyphens joined."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _OTHER_BREAKS.sub("\n", text)
    text = CONTROL.sub("", text)
    text = _drop_invisible(text)
    text = _NBSP.sub(" ", text)
    # Composed after what is removed (removing a character can bring a letter and its accent
    # together) and before hyphens are joined (which looks for composed letters), so normalising
    # the result again changes nothing.
    text = unicodedata.normalize("NFC", text)
    return join_line_break_hyphens(text)


# Hyphens written inside a word instead of "-": Word's non-breaking hyphen (Ctrl+Shift+-, U+2011) and Unicode's
# hyphen (U+2010). Kept in the stored text as written; read as "-" where words are found ("Eli‑Sofie").
_WORD_HYPHENS = re.compile("[\u2010\u2011]")


def with_plain_hyphens(text: str) -> str:
    """`text` with its non-breaking and Unicode hyphens as "-", one character for one, so that every offset stays:
    how a name detector reads a double name ("Eli\u2011Sofie" as "Eli-Sofie")."""
    return _WORD_HYPHENS.sub("-", text) if "\u2010" in text or "\u2011" in text else text


def join_line_break_hyphens(text: str) -> str:
    """`text` with each word a hyphen broke across lines joined ("arbeids-\nledig"), as at import."""
    return _LINE_BREAK_HYPHEN.sub("", text)


def visible(text: str) -> str:
    """`text` composed (NFC) without invisible or control characters: how typed text, the key's
    originals and the leak check's reading compare, so no such character hides a name."""
    text = _drop_invisible(_TYPED_CONTROL.sub("", text))
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _drop_invisible(text: str) -> str:
    """`text` without its invisible characters, but for those that join or vary a symbol (emoji)."""
    if INVISIBLE.search(text) is None:
        return text
    return INVISIBLE.sub(lambda match: match.group() if invisible_kept(text, match.start()) else "", text)


def invisible_kept(text: str, index: int) -> bool:
    """Whether the invisible character at `index` is part of what was written, and kept where the
    rest go (`visible`, `normalise`): a joiner or selector within an emoji (🏳️‍🌈, 👩‍👩‍👧), a joiner
    between two letters of a script that spells with it, or a Hangul filler in a syllable spelt in
    conjoining letters."""
    character = text[index]
    if character in _SCRIPT_JOINERS and _joins_script_letters(text, index, index + 1):
        return True
    if character in _SYLLABLE_FILLERS:
        return any(0 <= at < len(text) and _CONJOINING_JAMO.match(text[at]) for at in (index - 1, index + 1))
    if character not in _EMOJI_JOINERS:
        return False
    if character in _TAGS:
        # Tags spell a subdivision's flag after 🏴 (🏴 g b s c t, cancel) and nothing else: after
        # another emoji they are letters nobody sees, a name spelt in them hidden from the key.
        position = index - 1
        while position >= 0 and text[position] in _TAGS:
            position -= 1
        return position >= 0 and text[position] == _TAG_BASE
    # The character this one follows, past the joiners and selectors before it (🏳 U+FE0F U+200D 🌈).
    position = index - 1
    while position >= 0 and text[position] in _EMOJI_JOINERS:
        position -= 1
    if position < 0 or category(text[position]) not in _SYMBOLS:
        return False
    # A joiner joins two symbols: one before a letter goes.
    after = index + 1
    return character != "\u200d" or (after < len(text) and category(text[after]) in _SYMBOLS)


def _joins_script_letters(text: str, start: int, end: int) -> bool:
    """Whether the joiner at `start` stands between two letters of a script that writes with it
    (Persian "می‌خواهم", Indic scripts): there it is spelling. Between Latin, Greek or Cyrillic
    letters it is not, and could hide a name the key holds, so it goes."""
    if start == 0 or end >= len(text):
        return False
    return all(
        unicodedata.category(letter).startswith(("L", "M")) and _outside_latin(letter) and not INVISIBLE.match(letter)
        for letter in (text[start - 1], text[end])
    )


def _outside_latin(letter: str) -> bool:
    code = ord(letter)
    # A styled Latin letter (𝐒, 𝕚, ℬ) is Latin: a joiner between two of them would hide a name.
    return (code >= 0x0590 and not 0x1D00 <= code <= 0x1FFF and not 0xFF00 <= code <= 0xFFEF
            and not unicodedata.normalize("NFKC", letter).isascii())


def category(character: str) -> str:
    """The character's Unicode category, with an emoji later than this Python's Unicode read as the symbol it is."""
    kind = unicodedata.category(character)
    return "So" if kind == "Cn" and ord(character) in _EMOJI_BLOCKS else kind


def one_line(text: str) -> str:
    """A name as it is kept (a coder's, a code's, a column's): `visible`, with one space between its
    words, so no line break or tab in what was typed breaks a list of them."""
    return " ".join(visible(text).split())


def unseen_character(value: str) -> str | None:
    """The first character of `value` that no list shows on its line, if any."""
    return next((character for index, character in enumerate(value) if _unseen(value, index)), None)


def escaped_unseen(text: str) -> str:
    """`text` with each character no list shows on its line (unseen_character's) but a line feed or tab written
    as its escape, "\\u202e": what a terminal is given shows what a file or a person wrote, and no right-to-left
    override in a file's name turns the rest of the line ("…Kari\\u202etxt.exe" shown as "…Kariexe.txt")."""
    if text.isprintable():  # most messages: no character to look at twice
        return text
    return "".join(_escape(character) if character not in "\n\t" and _unseen(text, index) else character
                   for index, character in enumerate(text))


def _unseen(value: str, index: int) -> bool:
    """Whether the character at `index` of `value` is one no list shows on its line."""
    # Spaces of every width are text (a no-break space from Word); controls, private and unassigned
    # characters, line breaks and format characters (zero-width, right-to-left overrides) are not,
    # but for a joiner or selector within an emoji (👩‍👩‍👧, 🏳️‍🌈) or between two letters of a script that
    # spells with one, which are part of what was written and which `one_line` keeps.
    kind = category(value[index])
    return kind in ("Cc", "Co", "Cs", "Cn", "Zl", "Zp") or (kind == "Cf" and not invisible_kept(value, index))


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def on_one_line(value: str) -> str:
    """`value` as check_one_line takes it, length aside: its words on one line (`one_line`), without
    a character no list shows. What a .qdpx's variable is kept as, its whole kept elsewhere."""
    flat = one_line("".join(character for character in value if category(character) not in ("Co", "Cs", "Cn")))
    while (unseen := unseen_character(flat)) is not None:  # a format character `visible` leaves (U+0600)
        flat = " ".join(flat.replace(unseen, "").split())
    return flat


def check_one_line(label: str, value: str, length: int) -> None:
    """A value every list shows on one line: no line break, tab or other control character, nor
    longer than `length` (its column's width). Refused, not cleaned: what was typed is not changed
    unseen."""
    shown = value if len(value) <= 40 else value[:40] + "…"
    unseen = unseen_character(value)
    if unseen is not None:
        # Named, as a zero-width space pasted from the web is no line break anyone can see.
        raise InvalidInput(
            f"the {label} {shown!r} holds a line break or control character"
            f" (U+{ord(unseen):04X} {unicodedata.name(unseen, 'unnamed')})",
            "give it on one line, typed rather than pasted (text from the web or a PDF can carry characters nobody sees)",
        )
    if len(value) > length:
        raise InvalidInput(f"the {label} {shown!r} is longer than {length} characters", "give a shorter one")


def shortened(text: str, length: int) -> str:
    """`text` in at most `length` characters, its end cut off with "…"."""
    return text if len(text) <= length else text[:length - 1] + "…"


def control_characters(text: str) -> list[tuple[int, str]]:
    """Each control character `normalise` removes from `text`, with its line (1-based)."""
    if CONTROL.search(text) is None:
        return []
    text = _OTHER_BREAKS.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    found = []
    line, position = 1, 0
    for match in CONTROL.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        found.append((line, match.group()))
    return found


def control_character_note(text: str, found: list[tuple[int, str]] | None = None) -> str | None:
    """The note for the control characters normalising `text` removes, if it has any."""
    found = control_characters(text) if found is None else found
    if not found:
        return None
    kinds = ", ".join(f"U+{ord(character):04X}" for character in sorted({character for _, character in found}))
    count = f"{len(found)} control characters" if len(found) > 1 else "1 control character"
    return f"{count} ({kinds}) removed on {on_lines([line for line, _ in found])}"


def on_lines(lines: list[int]) -> str:
    """Where something was found, as "line 4" or "lines 4, 9, 12 …", without a wall of numbers."""
    distinct = sorted(set(lines))
    shown = ", ".join(str(line) for line in distinct[:8]) + (" …" if len(distinct) > 8 else "")
    return f"line {shown}" if len(distinct) == 1 else f"lines {shown}"


def content_hash(text: str) -> str:
    """The SHA-256 of a text, used to recognise the same content and to stamp codings."""
    digest = hashlib.sha256()
    # In slices, so a long transcript is not held a second time as UTF-8 bytes.
    for start in range(0, len(text), _HASH_SLICE):
        digest.update(text[start:start + _HASH_SLICE].encode("utf-8"))
    return digest.hexdigest()
