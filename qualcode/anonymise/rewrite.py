"""Replacing spans of a stored text: a new text version, turns and codings moved, the old one gone.

Used when sensitive words must leave the project after import: a withdrawn participant's turns,
or an identifier the project learned about later. The old version is deleted rather than kept,
because keeping it would keep exactly what had to go.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qualcode.search.index import index_turns, unindex_turns
from qualcode.store.models import Coding, Event, Memo, TextVersion, Transcript, Turn
from qualcode.text.normalise import content_hash
from qualcode.text.tokens import word_count


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    replacement: str


def spliced(text: str, spans: list[Span]) -> str:
    """`text` with sorted, non-overlapping spans replaced."""
    pieces: list[str] = []
    position = 0
    for span in spans:
        pieces += [text[position:span.start], span.replacement]
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)


class OffsetMap:
    """Offsets of the old text in the new one; offsets inside a replaced span snap to its edges."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans
        self.starts = [span.start for span in spans]
        self.shift_before: list[int] = []
        shift = 0
        for span in spans:
            self.shift_before.append(shift)
            shift += len(span.replacement) - (span.end - span.start)

    def __call__(self, offset: int, *, is_end: bool = False) -> int:
        index = bisect_right(self.starts, offset) - 1
        if index < 0:
            return offset
        span, shift = self.spans[index], self.shift_before[index]
        if offset == span.start:
            return span.start + shift
        if offset < span.end:
            return span.start + shift + (len(span.replacement) if is_end else 0)
        return offset + shift + len(span.replacement) - (span.end - span.start)


@dataclass(frozen=True)
class Rewritten:
    version: TextVersion
    dropped_codings: int
    dropped_guids: list[str]  # of the codings and their memos, whose events must go too


def rewrite_current_text(
    session: Session,
    transcript: Transcript,
    spans: list[Span],
    reason: str,
    *,
    drop_coding: Callable[[Coding], bool] = lambda _coding: False,
    change_turn: Callable[[Turn], dict[str, object]] = lambda _turn: {},
) -> Rewritten:
    """Apply sorted, non-overlapping replacements to the transcript's current text."""
    old = transcript.current_version
    assert old is not None
    text = spliced(old.text, spans)
    if text == old.text:
        # Every replacement is what it replaces: no new version (it would be the same text, which a
        # transcript holds once), only what changes besides the text.
        return _rewritten_in_place(session, old, drop_coding, change_turn)
    moved = OffsetMap(spans)
    replaced = {old.text[span.start:span.end]: span.replacement for span in spans if span.end > span.start}
    version = TextVersion(
        number=old.number + 1, text=text, content_hash=content_hash(text), word_count=word_count(text), reason=reason
    )
    transcript.versions.append(version)
    session.flush()
    for turn in old.turns:
        fields: dict[str, object] = {
            "seq": turn.seq, "speaker": turn.speaker, "participant_id": turn.participant_id,
            "start": moved(turn.start), "end": moved(turn.end, is_end=True), "timestamp_ms": turn.timestamp_ms,
        }
        fields.update(change_turn(turn))
        version.turns.append(Turn(**fields))
    kept, dropped, dropped_codings = _drop(session, old.id, drop_coding)
    for coding in kept:
        # Earlier states of this coding hold offsets into the removed version: no longer undoable.
        session.execute(update(Event).where(Event.entity_guid == coding.guid).values(undoable=False))
        coding.text_version_id = version.id
        coding.start, coding.end = moved(coding.start), moved(coding.end, is_end=True)
        if coding.orphaned_at is not None:
            # An orphaned coding keeps the excerpt it was made on; what leaves the text leaves it too.
            coding.excerpt = _replace_words(coding.excerpt, replaced)
            continue
        coding.excerpt = text[coding.start:coding.end]
        coding.text_hash = version.content_hash
    transcript.current_version = version
    session.flush()
    unindex_turns(session, [turn.id for turn in old.turns])
    index_turns(session, version.text, version.turns)
    session.delete(old)
    session.flush()
    return Rewritten(version, dropped_codings, dropped)


def _rewritten_in_place(
    session: Session, version: TextVersion, drop_coding: Callable[[Coding], bool], change_turn: Callable[[Turn], dict[str, object]],
) -> Rewritten:
    for turn in version.turns:
        for name, value in change_turn(turn).items():
            setattr(turn, name, value)
    _, dropped, dropped_codings = _drop(session, version.id, drop_coding)
    session.flush()
    return Rewritten(version, dropped_codings, dropped)


def _drop(session: Session, version_id: int, drop_coding: Callable[[Coding], bool]) -> tuple[list[Coding], list[str], int]:
    """Delete the version's codings `drop_coding` chooses: those kept, the guids of those deleted and
    of their memos (whose events must go too), and how many were deleted."""
    kept: list[Coding] = []
    dropped: list[str] = []
    codings = session.scalars(select(Coding).where(Coding.text_version_id == version_id)).all()
    for coding in codings:
        if not drop_coding(coding):
            kept.append(coding)
            continue
        dropped += [coding.guid, *(memo.guid for memo in session.scalars(select(Memo).where(Memo.coding_id == coding.id)))]
        session.delete(coding)
    return kept, dropped, len(codings) - len(kept)


def _replace_words(excerpt: str, replaced: dict[str, str]) -> str:
    """`excerpt` with every replaced passage of the old text replaced as in the text, as whole words."""
    if not replaced or not excerpt:
        return excerpt
    pattern = re.compile(
        r"(?<![^\W_])(" + "|".join(re.escape(original) for original in sorted(replaced, key=len, reverse=True)) + r")(?![^\W_])"
    )
    return pattern.sub(lambda match: replaced[match.group()], excerpt)
