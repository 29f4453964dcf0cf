"""Unicode's confusables (UTS #39): the skeleton two strings share when they look alike."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

# Unicode's own table, data/confusables.txt as Unicode publishes it (UTS #39, version 13.0.0):
# each line maps one character to the prototype it is drawn like ("о" Cyrillic to "o", "m" to
# "rn", "1" to "l"). Read on first use: most commands never compare names.
_TABLE = "confusables.txt"
# The characters with Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt,
# Unicode 15.1), drawn as nothing, which later revisions of UTS #39 take out of a skeleton too:
# "helse" with a Hangul filler, a Khmer inherent vowel or a variation selector in it is "helse".
# (`one_line` removes the zero-width and direction characters among them from a name already.)
DEFAULT_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


@cache
def _prototypes() -> dict[str, str]:
    source = resources.files("qualcode.text").joinpath("data", _TABLE).read_text(encoding="utf-8-sig")
    prototypes = {}
    for line in source.splitlines():
        fields = line.partition("#")[0].split(";")
        if len(fields) >= 2:
            prototypes[chr(int(fields[0], 16))] = "".join(chr(int(code, 16)) for code in fields[1].split())
    return prototypes


def skeleton(text: str) -> str:
    """UTS #39's skeleton of `text`: decomposed (NFD), without the characters drawn as nothing
    (DEFAULT_IGNORABLE), each character as the prototype it looks like, decomposed again. Two
    strings a reader cannot tell apart have the same skeleton; "mål" and "mal", "før" and "for"
    do not (a ring or a stroke is part of the letter)."""
    prototypes = _prototypes()
    decomposed = DEFAULT_IGNORABLE.sub("", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", "".join(prototypes.get(character, character) for character in decomposed))
