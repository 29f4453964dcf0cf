"""Sentence spans from spaCy: a blank Norwegian pipeline with a sentencizer by default."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# spaCy refuses texts over nlp.max_length (1,000,000 characters); long transcripts go in pieces
# cut at line ends, which are sentence boundaries in a transcript anyway.
PIECE = 200_000


_trained_model: str | None = None


def use_trained_model(name: str | None) -> None:
    """Parse with the trained pipeline `name` when it is installed (the workspace passes what the
    person configured); None keeps the rule-based blank pipeline."""
    global _trained_model
    if name != _trained_model:
        _trained_model = name
        pipeline.cache_clear()


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """The configured trained pipeline if it is installed, else spacy.blank("nb") with a sentencizer."""
    import spacy  # imported here so the CLI starts without loading spaCy

    configured = _trained_model
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
