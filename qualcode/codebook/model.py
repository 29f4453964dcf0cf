"""A codebook as plain data, independent of files and databases."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from qualcode.errors import InvalidInput
from qualcode.text.confusables import DEFAULT_IGNORABLE, skeleton
from qualcode.text.normalise import check_one_line, on_one_line
from qualcode.untrusted import PackageLimits

CODE_FIELDS = ("definition", "inclusion", "exclusion", "example", "colour", "shortcut")
# What the store's columns hold (store/models.py, Code.name and Code.path); SQLite would keep more, PostgreSQL would not.
CODE_NAME_LENGTH = 200
CODE_PATH_LENGTH = 1000

# What a codebook may be, the same wherever codes come in (`codebook add` and `edit`, a YAML or
# .qdc file, `init --codebook`, a .qdpx, a .qdc's moves) and when its files are read back, so a
# project's own export always imports back. Far above any real codebook (the KVP codebook is
# 16 kB, 3 levels deep, 25 codes), and low enough that a hostile file is refused at once instead
# of exhausting memory, time or the interpreter's stack (PyYAML reads about 1.5 MB a second).
MAX_CODE_DEPTH = 10
MAX_CODES = 10_000
# The codebook as the YAML file `codebook export` writes; a YAML file may be no bigger.
MAX_CODEBOOK_BYTES = 4_000_000
# A .qdc of a codebook within the limits is at most five times its YAML (XML writes "&" as
# "&amp;"; a YAML file writes no character in fewer bytes than UTF-8) and a few hundred bytes more
# a code (a GUID, isCodable, the description's labels, a name's quotes as "&quot;").
QDC_BYTES_PER_CODE = 500
# Its tags are counted before it is parsed, as in any XML from outside: 10,000 codes are about
# 40,000 tags, where a file of this size held 6 million empty elements and took 900 MB to import.
QDC_LIMITS = PackageLimits(hint="a codebook of 10,000 codes holds far fewer: check that it is the codebook you meant")


def max_qdc_bytes() -> int:
    """The most a .qdc file may hold: what the export of a codebook within the limits can take."""
    return 5 * MAX_CODEBOOK_BYTES + QDC_BYTES_PER_CODE * MAX_CODES


def code_too_long(name: str, path: str) -> tuple[str, str] | None:
    """Why a code's name or path is longer than the store keeps, and what to do; None if neither is."""
    if len(name) > CODE_NAME_LENGTH:
        return f"the code name {name[:40]!r}… is longer than {CODE_NAME_LENGTH} characters ({len(name)})", "give a shorter name"
    if len(path) > CODE_PATH_LENGTH:
        return (f"the code path {path[:40]!r}… is longer than {CODE_PATH_LENGTH} characters ({len(path)})",
                "shorten its name or those of the codes above it")
    return None


def code_name_not_one_line(name: str) -> tuple[str, str] | None:
    """Why a typed code's name cannot be kept as given, and what to do; None if it can: refused as
    every value typed for a list is (check_one_line), a line break, a zero-width or private-use
    character alike. Such a name breaks the code tree's lines, or differs unseen from what was typed."""
    try:
        check_one_line("code name", name, len(name))
    except InvalidInput as refused:
        return refused.message, refused.hint or ""
    return None


def code_name(typed: str) -> str:
    """A code's name as it is kept and compared, however it comes (typed, or from a YAML, .qdc or
    .qdpx file): composed (NFC), nothing invisible, and one plain space between its words, so a
    double, non-breaking or ideographic space is one space. A codebook file writes a name back as
    it was kept, and reading it back must find the same code, not make a look-alike twin. Nor a
    private-use or unassigned character from a file (on_one_line): what a typed name may not hold."""
    return on_one_line(typed)


def name_look(name: str) -> str:
    """How a code's name looks, in any case: two names with one look are two codes nobody can tell
    apart ("empоwerment" with a Cyrillic о, "ernpowerment", "EMPOWERMENT" beside "empowerment").
    Unicode's skeleton (UTS #39) of the name, of its skeleton in lower case again, so that a letter
    drawn like a capital (a Cyrillic К) is one with that capital's small letter too. Names that
    differ only in case are found by their casefold, which keeps "Ida" from "ida" (and this, "Ida"
    from "lda"). What is drawn as nothing (a Hangul filler, which the skeleton leaves out; the blank
    Braille pattern, read as a space) leaves one space between words at most: "helse ㅤ" is "helse"."""
    look = skeleton(skeleton(code_name(name).replace(_BRAILLE_BLANK, " ")).casefold())
    return " ".join(look.split())


_BRAILLE_BLANK = "\u2800"


def shows_nothing(name: str) -> bool:
    """Whether a name (as `code_name` keeps it) is written only with characters drawn as nothing (a
    Hangul filler, a blank Braille pattern): a code nobody can see the name of, refused as an empty one."""
    return bool(name) and not DEFAULT_IGNORABLE.sub("", name).replace(_BRAILLE_BLANK, "").strip()


NOTHING_SHOWN = "only characters drawn as nothing (a Hangul filler, a blank Braille pattern)"


def _unseen(characters: str) -> bool:
    """Whether `characters` are all drawn as nothing: a reader sees a name with them as one without."""
    return bool(characters) and all(DEFAULT_IGNORABLE.fullmatch(character) or character == _BRAILLE_BLANK for character in characters)


def look_alike_detail(name: str, other: str) -> str:
    """Where `name` is written with other characters than `other`, which it looks like, in words:
    "its 'о' is CYRILLIC SMALL LETTER O, not 'o'", "its 'rn' reads as 'm'". The first such place."""
    # Compared in lower case, so "EMPΟWERMENT" is told by its Greek Ο, not by its every capital.
    folded, other_folded = name.casefold(), other.casefold()
    if len(folded) != len(name) or len(other_folded) != len(other):  # "ß" is "ss": places must be the name's own
        folded, other_folded = name, other
    for tag, start, end, other_start, other_end in SequenceMatcher(None, folded, other_folded, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        written, meant = name[start:end], other[other_start:other_end]
        extra = (written or meant).replace(" ", "")
        if not (written and meant) and _unseen(extra):  # on one side only, and shown as 'ㅤ' it would say nothing
            named = ", ".join(unicodedata.name(character) for character in extra)
            return f"{'it' if written else 'the other'} has a {named}, which cannot be seen"
        if len(written) == 1 and len(meant) == 1:
            return f"its {written!r} is {unicodedata.name(written, f'U+{ord(written):04X}')}, not {meant!r}"
        return f"its {written!r} reads as {meant!r}"
    return "they are written with different characters that look the same"


def name_twin_keys(name: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """The keys under which a code's name meets a sibling's that nobody could tell from it: its
    casefold ("Håp" and "håp") and its look (name_look: "empоwerment" and "empowerment"). Both,
    since neither holds the other: "Ida" and "ida" have one casefold and two looks."""
    kept = code_name(name)
    return ("case", kept.casefold()), ("look", name_look(kept))


def code_path(typed: str) -> str:
    """A code path with each of its names as `code_name` keeps it."""
    return "/".join(code_name(part) for part in typed.split("/"))


# Letters and symbols with no ink of their own: the Hangul fillers and the blank Braille pattern.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def shortcut_key(typed: str) -> str:
    """A shortcut as it is kept and compared: composed (NFC), so an "é" typed as e and an accent is one character."""
    return unicodedata.normalize("NFC", typed)


def shortcut_not_visible(shortcut: str) -> bool:
    """Whether `shortcut` (as `shortcut_key` keeps it) is not one visible character: more than one,
    a space, or a character nobody sees (a soft hyphen, a zero-width space, a control character)
    or sees only on another (a lone accent). Such a key cannot be pressed knowingly, nor read in
    the code tree. Every path that sets a shortcut (add, edit, a codebook file) asks this."""
    if len(shortcut) != 1:
        return True
    return unicodedata.category(shortcut)[0] in "CZM" or shortcut in _BLANK


@dataclass
class CodeSpec:
    """One code with its rules and its sub-codes."""

    name: str
    definition: str | None = None
    inclusion: str | None = None
    exclusion: str | None = None
    example: str | None = None
    colour: str | None = None
    shortcut: str | None = None
    signal_words: list[str] = field(default_factory=list)
    children: list[CodeSpec] = field(default_factory=list)
    line: int | None = None


@dataclass
class Codebook:
    """A named tree of codes."""

    name: str
    description: str | None = None
    codes: list[CodeSpec] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[str, str | None, CodeSpec]]:
        """(path, parent path, code) for every code, parents before children."""

        def visit(codes: list[CodeSpec], parent: str | None) -> Iterator[tuple[str, str | None, CodeSpec]]:
            for code in codes:
                path = f"{parent}/{code.name}" if parent else code.name
                yield path, parent, code
                yield from visit(code.children, path)

        yield from visit(self.codes, None)


# How many bytes, at most, a YAML file writes for a byte of a code's text: an escaped control
# character ("\x01", four) with the indentation of the line it folds onto (twice that); for each
# code its keys and their indentation ten levels deep, and for each signal word its own line.
_YAML_TEXT_FACTOR = 8
_YAML_BYTES_PER_CODE = 600
_YAML_BYTES_PER_WORD = 64


def yaml_size_bounds(texts: Iterable[str], codes: int, words: int) -> tuple[int, int]:
    """The fewest and the most bytes a codebook's YAML file can take, from its codes' texts (names,
    fields and signal words, and the codebook's name and description), how many codes and how many
    signal words it has: a YAML file writes every character in at least its UTF-8 bytes. Between
    the two only writing it says (`codebook_limit_problem` does, for the few codebooks near the limit)."""
    text = sum(len(piece.encode("utf-8", "surrogatepass")) for piece in texts)
    return text, _YAML_TEXT_FACTOR * text + _YAML_BYTES_PER_CODE * codes + _YAML_BYTES_PER_WORD * words + 1000


def too_many_codes(count: int) -> tuple[str, str] | None:
    """Why a codebook of `count` codes is refused, and what to do; None if it is not."""
    if count > MAX_CODES:
        return f"the codebook would hold {count:,} codes; a codebook holds at most {MAX_CODES:,}", "merge or leave out codes"
    return None


def too_deep(path: str) -> tuple[str, str] | None:
    """Why a code at `path` is refused for its depth, and what to do; None if it is not."""
    depth = path.count("/") + 1
    if depth > MAX_CODE_DEPTH:
        return (f"code {path} would be {depth} levels deep; a code tree has at most {MAX_CODE_DEPTH}",
                "put it under a code nearer the top")
    return None


def too_big(size: int, at_least: bool = False) -> tuple[str, str]:
    """Why a codebook of `size` bytes as a YAML file is refused (`at_least`: of more), and what to do."""
    return (f"the codebook would take {'more than ' if at_least else ''}{size / 1_000_000:.1f} MB as a YAML file, over the"
            f" {MAX_CODEBOOK_BYTES / 1_000_000:.0f} MB a codebook may take (its export would not import back)",
            "shorten the longest definitions and examples")
