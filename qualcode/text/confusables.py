"""Unicode's confusables (UTS #39): the skeleton two strings share when they look alike."""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

# Unicode's own table, data/confusables.txt as Unicode publishes it (UTS #39, version 13.0.0):
# each line maps one character to the prototype it is drawn like ("о" Cyrillic to "o", "m" to
# "rn", "1" to "l"). Read on first use: most commands never compare names.
_TABLE = "confusables.txt"


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
    """UTS #39's skeleton of `text`: decomposed (NFD), each character as the prototype it looks
    like, decomposed again. Two strings a reader cannot tell apart have the same skeleton;
    "mål" and "mal", "før" and "for" do not (a ring or a stroke is part of the letter)."""
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(prototypes.get(character, character) for character in decomposed))
