"""Withdrawal of consent: remove every trace of a participant's words, keep only the fact."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.search.index import index_turns, purge_index, unindex_turns
from qualcode.store.events import record_event
from qualcode.store.lookup import find_participant
from qualcode.store.models import (
    Coder,
    Coding,
    Event,
    Memo,
    TextVersion,
    Transcript,
    TranscriptParticipant,
    Turn,
)
from qualcode.text.normalise import content_hash
from qualcode.text.tokens import word_count

WITHDRAWN = "[trukket tilbake]"


@dataclass(frozen=True)
class Withdrawal:
    transcripts_removed: int
    turns_redacted: int
    codings_removed: int
    key_entries_removed: int


def withdraw_participant(session: Session, ref: str, key: PseudonymKey, coder: Coder | None = None) -> Withdrawal:
    """Delete the participant's transcripts, redact their turns in group transcripts, and purge.

    The caller commits, then calls Project.purge() so no deleted page survives in the file.
    """
    participant = find_participant(session, ref)
    gone_guids: set[str] = {participant.guid}
    removed_names: list[str] = []
    redacted = 0
    codings_removed = 0
    links = session.scalars(select(TranscriptParticipant).where(TranscriptParticipant.participant_id == participant.id)).all()
    for link in links:
        transcript = link.transcript
        others = [other for other in transcript.participant_links if other.participant_id != participant.id]
        if others:
            count, removed = _redact(session, transcript, participant.id, gone_guids)
            redacted += count
            codings_removed += removed
        else:
            codings_removed += _delete_transcript(session, transcript, gone_guids)
            removed_names.append(transcript.name)
    session.execute(delete(Event).where(Event.entity_guid.in_(gone_guids)))
    session.delete(participant)
    session.flush()
    purge_index(session)
    before = len(key.entries)
    key.entries = [e for e in key.entries if not e.seen_in or not set(e.seen_in) <= set(removed_names)]
    for entry in key.entries:
        entry.seen_in = [name for name in entry.seen_in if name not in removed_names]
    record_event(
        session, action="participant.withdraw", coder=coder,
        summary="a participant withdrew consent; their transcripts, turns, codings and memos were removed",
    )
    return Withdrawal(len(removed_names), redacted, codings_removed, before - len(key.entries))


def _delete_transcript(session: Session, transcript: Transcript, gone: set[str]) -> int:
    codings = session.scalars(select(Coding).where(Coding.transcript_id == transcript.id)).all()
    memos = session.scalars(
        select(Memo).where((Memo.transcript_id == transcript.id) | Memo.coding_id.in_([c.id for c in codings]))
    ).all()
    gone.update(c.guid for c in codings)
    gone.update(m.guid for m in memos)
    gone.add(transcript.guid)
    turn_ids = [turn.id for version in transcript.versions for turn in version.turns]
    unindex_turns(session, turn_ids)
    for memo in memos:
        session.delete(memo)
    for coding in codings:
        session.delete(coding)
    transcript.current_version = None
    session.flush()
    session.delete(transcript)
    session.flush()
    return len(codings)


def _redact(session: Session, transcript: Transcript, participant_id: int, gone: set[str]) -> tuple[int, int]:
    """A new text version with the participant's turns replaced; codings moved or removed."""
    old = transcript.current_version
    assert old is not None
    theirs = [turn for turn in old.turns if turn.participant_id == participant_id]
    if not theirs:
        return 0, 0
    pieces: list[str] = []
    shifts: list[tuple[int, int, int]] = []  # (old start, old end, shift after)
    position = 0
    shift = 0
    for turn in theirs:
        pieces.append(old.text[position:turn.start])
        pieces.append(WITHDRAWN)
        shift += len(WITHDRAWN) - (turn.end - turn.start)
        shifts.append((turn.start, turn.end, shift))
        position = turn.end
    pieces.append(old.text[position:])
    text = "".join(pieces)

    def moved(offset: int) -> int:
        applied = 0
        for start, end, after in shifts:
            if offset >= end:
                applied = after
            elif offset > start:
                raise ValueError("inside a withdrawn turn")
        return offset + applied

    version = TextVersion(
        number=old.number + 1, text=text, content_hash=content_hash(text), word_count=word_count(text),
        reason="participant withdrew consent",
    )
    transcript.versions.append(version)
    session.flush()
    redacted_ids = {turn.id for turn in theirs}
    for turn in old.turns:
        start, end = (moved(turn.start), moved(turn.start) + len(WITHDRAWN)) if turn.id in redacted_ids else (moved(turn.start), moved(turn.end))
        version.turns.append(
            Turn(seq=turn.seq, speaker=None if turn.id in redacted_ids else turn.speaker,
                 participant_id=None if turn.id in redacted_ids else turn.participant_id,
                 start=start, end=end, timestamp_ms=turn.timestamp_ms)
        )
    removed = 0
    for coding in session.scalars(select(Coding).where(Coding.text_version_id == old.id)).all():
        overlaps = any(coding.start < t.end and t.start < coding.end for t in theirs)
        if overlaps:
            gone.add(coding.guid)
            gone.update(m.guid for m in session.scalars(select(Memo).where(Memo.coding_id == coding.id)))
            session.delete(coding)
            removed += 1
        else:
            # Earlier states of this coding hold offsets into the removed version: not undoable.
            session.execute(update(Event).where(Event.entity_guid == coding.guid).values(undoable=False))
            coding.text_version_id = version.id
            coding.start, coding.end = moved(coding.start), moved(coding.end)
            coding.text_hash = version.content_hash
    transcript.current_version = version
    session.flush()
    unindex_turns(session, [turn.id for turn in old.turns])
    index_turns(session, version.text, version.turns)
    session.delete(old)
    session.flush()
    return len(theirs), removed
