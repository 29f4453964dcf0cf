"""The sentences of text versions, as the reader shows them, found once and kept in `sentence_spans`.

Every reader of sentences (the reader's sentence keys, agreement by sentence, co-occurrence within
sentences) goes through `version_sentences`, so they all see the same spans. A version without
kept sentences (an old project, a new import, another configured pipeline) has them found here
with text.sentences.turn_sentences and kept, unless the session may not write (a read-only project).
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_right
from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from qualcode.store.models import SentenceSpans, TextVersion, Turn
from qualcode.text.sentences import pipeline_label, turn_sentences

Span = tuple[int, int]


class SpanIndex:
    """Spans in text order that do not overlap (sentences, turns), asked which one holds a position by
    bisecting their starts: the reader asks at every cursor move, and a walk over a long transcript's
    sentences took a millisecond each time."""

    def __init__(self, spans: Iterable[Span]) -> None:
        self.spans = [span for span in spans if span[0] < span[1]]  # an empty span holds no position
        self.starts = [start for start, _ in self.spans]

    def at(self, position: int) -> Span | None:
        """The span with `position` in it, if any: the last to start at or before it, if it has not ended."""
        index = bisect_right(self.starts, position) - 1
        return self.spans[index] if index >= 0 and position < self.spans[index][1] else None


def version_sentences(session: Session, version_ids: Collection[int], *, keep: bool = True) -> dict[int, list[Span]]:
    """Each text version's sentences in text order: within each turn, or the whole text when it has no turns."""
    label = pipeline_label()
    found: dict[int, list[Span]] = {}
    wanted = set(version_ids)
    for chunk in _chunks(sorted(wanted)):
        for version_id, flat in session.execute(
            select(SentenceSpans.text_version_id, SentenceSpans.spans)
            .where(SentenceSpans.text_version_id.in_(chunk), SentenceSpans.pipeline == label)
        ):
            found[version_id] = list(zip(flat[::2], flat[1::2], strict=True))
    missing = sorted(wanted - set(found))
    if not missing:
        return found
    turns: dict[int, list[Span]] = {version_id: [] for version_id in missing}
    for chunk in _chunks(missing):
        for version_id, start, end in session.execute(
            select(Turn.text_version_id, Turn.start, Turn.end).where(Turn.text_version_id.in_(chunk)).order_by(Turn.text_version_id, Turn.seq)
        ):
            turns[version_id].append((start, end))
        for version_id, text in session.execute(select(TextVersion.id, TextVersion.text).where(TextVersion.id.in_(chunk))):
            found[version_id] = turn_sentences(text, sorted(turns[version_id]))
    if keep:
        _keep(session, {version_id: found[version_id] for version_id in missing if version_id in found}, label)
    return found


def _keep(session: Session, made: dict[int, list[Span]], label: str) -> None:
    """Keep what was found; a read-only project, or a race with another process keeping the same, keeps nothing."""
    try:
        with session.begin_nested():
            old = list(session.scalars(select(SentenceSpans).where(SentenceSpans.text_version_id.in_(made))))
            for row in old:  # found by another pipeline
                session.delete(row)
            session.flush()
            session.add_all(
                SentenceSpans(text_version_id=version_id, pipeline=label, spans=[point for span in spans for point in span])
                for version_id, spans in made.items()
            )
    except (DBAPIError, sqlite3.Error):
        pass  # what was found is returned all the same; the next writer keeps it


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[start:start + size] for start in range(0, len(ids), size)]


def sentences_within(sentences: list[Span], turns: list[Span]) -> list[Span]:
    """The sentences lying in the given turns (a subset of the version's turns, in text order)."""
    if not turns:
        return []
    kept: list[Span] = []
    index = 0
    for start, end in sentences:
        while index < len(turns) and turns[index][1] <= start:
            index += 1
        if index == len(turns):
            break
        if turns[index][0] <= start and end <= turns[index][1]:
            kept.append((start, end))
    return kept

