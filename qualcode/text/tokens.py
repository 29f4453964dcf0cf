"""Words with their code-point offsets, and their Norwegian Snowball stems."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

# A word is a run of letters and digits; apostrophes and hyphens split words, so that
# "måltall-press" yields "måltall" and "press" and word boundaries stay exact.
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Token:
    """A word in a text: where it is, what it says, and its stem."""

    start: int
    end: int
    text: str
    stem: str


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
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
