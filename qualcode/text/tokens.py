"""Words with their code-point offsets, and their Norwegian Snowball stems."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import Stemmer

# A word is a run of letters and digits; apostrophes and hyphens split words, so that
# "måltall-press" yields "måltall" and "press" and word boundaries stay exact.
WORD = re.compile(r"[^\W_]+")
# Combining marks that NFC leaves standing after their letter where no letter holds them (Arabic
# vowel signs, a tilde over q): part of the word they are written on, so that a selection widened
# to words never ends between a letter and its mark ("Veilederen het م" of مُحَمَّد).
COMBINING_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u0900-\u0903\u093a-\u094f\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u20d0-\u20ff\ufe20-\ufe2f"
)
WHOLE_WORD = re.compile(rf"[^\W_](?:[^\W_]|[{COMBINING_MARKS}])*")
_MARK = re.compile(rf"[{COMBINING_MARKS}]")


def in_word(character: str) -> bool:
    """Whether `character` belongs to a word as WHOLE_WORD reads words: a letter, a digit or a mark on one."""
    return character.isalnum() or _MARK.match(character) is not None


@dataclass(frozen=True)
class Token:
    """A word in a text: where it is, what it says, and its stem."""

    start: int
    end: int
    text: str
    stem: str


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    # Imported here: the key reads WORD from this module, and commands that stem nothing (an export) start quicker.
    import Stemmer

    stemmer = Stemmer.Stemmer("norwegian")
    stemmer.maxCacheSize = 100_000
    return stemmer


def stem_words(words: list[str]) -> list[str]:
    """Lower-case and stem words with the Norwegian Snowball stemmer."""
    stems: list[str] = _stemmer().stemWords([word.lower() for word in words])  # PyStemmer ships no types
    return stems


def stem(word: str) -> str:
    return stem_words([word])[0]


def tokenise(text: str, offset: int = 0) -> list[Token]:
    """Every word in `text` with offsets (shifted by `offset`) and stems."""
    matches = list(WORD.finditer(text))
    stems = stem_words([match.group() for match in matches])
    return [
        Token(match.start() + offset, match.end() + offset, match.group(), word_stem)
        for match, word_stem in zip(matches, stems, strict=True)
    ]


def words(text: str) -> Iterator[str]:
    for match in WORD.finditer(text):
        yield match.group()


def word_count(text: str) -> int:
    return len(WORD.findall(text))
