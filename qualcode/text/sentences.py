"""Sentence spans from spaCy: a blank Norwegian pipeline with a sentencizer by default."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

PIPELINE_ENV = "QUALCODE_SPACY_MODEL"


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


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) code-point offsets of each sentence, surrounding whitespace excluded."""
    doc = pipeline()(text)
    spans = []
    for sentence in doc.sents:
        start = sentence.start_char + len(sentence.text) - len(sentence.text.lstrip())
        end = sentence.start_char + len(sentence.text.rstrip())
        if end > start:
            spans.append((start + offset, end + offset))
    return spans
