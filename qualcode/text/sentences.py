"""Sentence spans from spaCy: a blank Norwegian pipeline with a sentencizer by default."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PIPELINE_ENV = "QUALCODE_SPACY_MODEL"
# spaCy refuses texts over nlp.max_length (1,000,000 characters); long transcripts go in pieces
# cut at line ends, which are sentence boundaries in a transcript anyway.
PIECE = 200_000


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """The trained pipeline named in QUALCODE_SPACY_MODEL if installed, else spacy.blank("nb")."""
    import spacy  # imported here so the CLI starts without loading spaCy

    configured = os.environ.get(PIPELINE_ENV)
    if configured:
        try:
            return spacy.load(configured)
        except OSError:
            pass  # not installed here: the rule-based pipeline below does the job
    nlp = spacy.blank("nb")
    nlp.add_pipe("sentencizer")
    return nlp


def pieces(text: str, size: int = PIECE) -> Iterator[tuple[int, str]]:
    """(offset, piece) of `text` in pieces of about `size` characters, cut after a line end where
    there is one (else after a space), so no word is split; a word longer than `size` makes its
    piece run on to the next space."""
    position = 0
    while len(text) - position > size:
        end = position + size
        cut = text.rfind("\n", position, end)
        if cut < position:
            cut = text.rfind(" ", position, end)
        if cut < position:
            ahead = [found for found in (text.find("\n", end), text.find(" ", end)) if found >= 0]
            if not ahead:
                break
            cut = min(ahead)
        yield position, text[position:cut + 1]
        position = cut + 1
    if position < len(text) or position == 0:
        yield position, text[position:]


def parsed(text: str) -> Iterator[tuple[int, Doc]]:
    """(offset, spaCy Doc) for each piece of `text`."""
    for offset, piece in pieces(text):
        yield offset, pipeline()(piece)


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) code-point offsets of each sentence, surrounding whitespace excluded."""
    spans = []
    for base, doc in parsed(text):
        for sentence in doc.sents:
            start = sentence.start_char + len(sentence.text) - len(sentence.text.lstrip())
            end = sentence.start_char + len(sentence.text.rstrip())
            if end > start:
                spans.append((start + base + offset, end + base + offset))
    return spans
