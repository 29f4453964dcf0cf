"""Withdrawal of consent: remove every trace of a participant's words, keep only the fact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.rewrite import Span, rewrite_current_text
from qualcode.errors import NotFound
from qualcode.search.index import purge_index, unindex_turns
from qualcode.store.events import EventKind, record_event
from qualcode.store.lookup import find_participant
from qualcode.store.models import (
    Coder,
    Coding,
    Event,
    FrameworkSummary,
    Memo,
    Participant,
    Transcript,
    TranscriptParticipant,
    Turn,
)
from qualcode.text.tokens import WORD

WITHDRAWN = "[trukket tilbake]"


@dataclass(frozen=True)
class Withdrawal:
    transcripts_removed: int
    turns_redacted: int
    codings_removed: int
    key_entries_removed: int
    # Transcripts where an edit gave the participant's turns to someone else: kept, for the researcher to check.
    given_to_others: tuple[str, ...] = ()


def withdraw_participant(
    session: Session, ref: str, key: PseudonymKey, coder: Coder | None = None, identifiers: Sequence[str] = (),
) -> Withdrawal:
    """Delete the participant's transcripts, redact their turns in group transcripts, and purge.

    The participant's own identifiers (key entries marked as theirs, and `identifiers` named by
    the researcher) leave the key as salted digests, so a later import that mentions them still
    replaces them; everyone else's entries stay as they are, so no later import is less safe.
    The caller commits, then calls Project.purge() so no deleted page survives in the file.
    """
    participant = find_participant(session, ref)
    gone_guids: set[str] = {participant.guid}
    removed_names: list[str] = []
    redacted = 0
    codings_removed = 0
    unlinked, given_to_others = _taken_off_by_edits(session, participant)
    links = session.scalars(select(TranscriptParticipant).where(TranscriptParticipant.participant_id == participant.id)).all()
    for link in links:
        transcript = link.transcript
        others = [other for other in transcript.participant_links if other.participant_id != participant.id]
        if others:
            count, removed = _redact(session, transcript, participant.id, unlinked.pop(transcript.id, None), gone_guids)
            redacted += count
            codings_removed += removed
        else:
            unlinked.pop(transcript.id, None)
            codings_removed += _delete_transcript(session, transcript, gone_guids)
            removed_names.append(transcript.name)
    for transcript_id, once_theirs in unlinked.items():
        transcript = session.get_one(Transcript, transcript_id)
        if once_theirs.alone and not transcript.participant_links:  # their interview, left to no one
            codings_removed += _delete_transcript(session, transcript, gone_guids)
            removed_names.append(transcript.name)
            continue
        count, removed = _redact(session, transcript, participant.id, once_theirs, gone_guids)
        redacted += count
        codings_removed += removed
    # Their framework summaries go with them (the database cascades), and so does the log of them.
    gone_guids.update(session.scalars(select(FrameworkSummary.guid).where(FrameworkSummary.participant_id == participant.id)))
    # A decision to code neither passage (coding/consensus.py) has no row; its event names the deleted transcript.
    gone_guids.update(guid for guid in session.scalars(select(Event.entity_guid).where(
        Event.action == EventKind.CONSENSUS_NEITHER.value,
        Event.payload[("after", "transcript_guid")].as_string().in_(gone_guids),
    )) if guid is not None)
    session.execute(delete(Event).where(Event.entity_guid.in_(gone_guids)))
    session.delete(participant)
    session.flush()
    purge_index(session)
    named = {identifier.casefold() for identifier in identifiers}
    theirs = [e for e in key.entries if e.participant == participant.name or e.original.casefold() in named]
    unknown = named - {e.original.casefold() for e in theirs}
    if unknown:
        raise NotFound(f"{', '.join(sorted(unknown))} is not in the key", "name the identifiers as `qualcode key show` lists them")
    for entry in theirs:
        words = [match.group() for match in WORD.finditer(entry.original)]
        forms = [" ".join(words)] + (words if entry.kind == "person" and len(words) > 1 else [])
        key.deny(entry, forms)
    for entry in key.entries:
        entry.seen_in = [name for name in entry.seen_in if name not in removed_names]
    record_event(
        session, kind=EventKind.PARTICIPANT_WITHDRAW, coder=coder,
        summary="a participant withdrew consent; their transcripts, turns, codings and memos were removed",
    )
    return Withdrawal(len(removed_names), redacted, codings_removed, len(theirs), tuple(sorted(given_to_others)))


@dataclass(frozen=True)
class _OnceTheirs:
    """Turns an edit took off the participant and gave to no one: by turn id, and by speaker label."""

    turn_ids: frozenset[int]
    label: str | None
    alone: bool  # the transcript was theirs alone, and the edit left it to no one

    def __call__(self, turn: Turn) -> bool:
        return turn.participant_id is None and (turn.id in self.turn_ids or (self.label is not None and turn.speaker == self.label))


def _taken_off_by_edits(session: Session, participant: Participant) -> tuple[dict[int, _OnceTheirs], set[str]]:
    """Transcripts a `transcripts edit` took the participant off, from the log of those edits.

    Their turns there were attributed to no one, so without this a withdrawal would leave their
    words in place and say it had removed everything. The turn ids hold until the text is
    rewritten; the speaker label the transcript knew them by holds after that. Turns an edit gave
    to another participant are that participant's now, as the researcher said; they are named.
    """
    unlinked: dict[int, _OnceTheirs] = {}
    given: set[str] = set()
    edits = session.execute(
        select(Transcript.id, Transcript.name, Event.payload).join(Transcript, Transcript.guid == Event.entity_guid)
        .where(Event.action == EventKind.TRANSCRIPT_EDIT.value).order_by(Event.id)
    ).all()
    for transcript_id, transcript_name, payload in edits:
        before, after = payload.get("before") or {}, payload.get("after") or {}
        labels = {name: label for name, label in before.get("participants", [])}
        if participant.name not in labels or participant.name in {name for name, _ in after.get("participants", [])}:
            continue
        successors = dict(after.get("turns", []))
        ids = {turn_id for turn_id, name in before.get("turns", []) if name == participant.name}
        to_no_one = frozenset(turn_id for turn_id in ids if successors.get(turn_id) is None)
        if ids - to_no_one:
            given.add(transcript_name)
        alone = len(labels) == 1 and not after.get("participants")
        if to_no_one or alone:
            earlier = unlinked.get(transcript_id)
            unlinked[transcript_id] = _OnceTheirs(
                to_no_one | (earlier.turn_ids if earlier else frozenset()),
                labels[participant.name] or (earlier.label if earlier else None),
                alone or (earlier is not None and earlier.alone),
            )
    return unlinked, given


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


def _redact(
    session: Session, transcript: Transcript, participant_id: int, once_theirs: _OnceTheirs | None, gone: set[str]
) -> tuple[int, int]:
    """A new text version with the participant's turns replaced; codings on them removed."""
    old = transcript.current_version
    assert old is not None
    theirs = [turn for turn in old.turns if turn.participant_id == participant_id or (once_theirs is not None and once_theirs(turn))]
    if not theirs:
        return 0, 0
    theirs_ids = {turn.id for turn in theirs}
    rewritten = rewrite_current_text(
        session, transcript, [Span(turn.start, turn.end, WITHDRAWN) for turn in theirs], "participant withdrew consent",
        drop_coding=lambda coding: any(coding.start < t.end and t.start < coding.end for t in theirs),
        change_turn=lambda turn: {"speaker": None, "participant_id": None} if turn.id in theirs_ids else {},
    )
    gone.update(rewritten.dropped_guids)
    # An orphaned coding (its passage lost in a replaced text) keeps its excerpt; if that text is
    # not in what remains, it may be the withdrawn person's words, so it goes too.
    orphaned = session.scalars(
        select(Coding).where(Coding.transcript_id == transcript.id, Coding.orphaned_at.is_not(None))
    ).all()
    dropped = 0
    for coding in orphaned:
        if coding.excerpt and coding.excerpt not in rewritten.version.text:
            gone.add(coding.guid)
            gone.update(memo.guid for memo in session.scalars(select(Memo).where(Memo.coding_id == coding.id)))
            session.delete(coding)
            dropped += 1
    session.flush()
    return len(theirs), rewritten.dropped_codings + dropped
