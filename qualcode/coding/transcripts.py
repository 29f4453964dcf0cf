"""Finding transcripts and participants by short name or id, and describing them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from qualcode.store.lookup import LineIndex, current_text, find_transcript
from qualcode.store.models import (
    AttributeDefinition,
    Coder,
    Coding,
    InterviewerSpeaker,
    Participant,
    Transcript,
    TranscriptAttribute,
    TranscriptParticipant,
    Turn,
)
from qualcode.text.speakers import is_interviewer


@dataclass(frozen=True)
class TranscriptView:
    id: int
    guid: str
    name: str
    title: str | None
    source_filename: str | None
    wave: str | None
    interview_date: str | None
    mode: str | None
    fidelity: str | None
    participants: tuple[str, ...]
    roles: tuple[str, ...]
    words: int
    turns: int
    codings: int
    coded_turns: int
    interviewer: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)  # the transcript's own, by name

    @property
    def progress(self) -> str:
        """Share of turns with at least one coding, as coders track their progress."""
        return f"{round(100 * self.coded_turns / self.turns)}%" if self.turns else "-"


@dataclass(frozen=True)
class TurnView:
    seq: int
    speaker: str | None
    participant: str | None
    start: int
    end: int
    line: int
    timestamp_ms: int | None
    text: str
    interviewer: bool = False  # the interviewer's turn (is_interviewer), not a participant's


def describe_transcripts(session: Session, coders: Sequence[str] = ()) -> list[TranscriptView]:
    """Every transcript with its participants, size and number of live codings (only `coders`' when given)."""
    live: ColumnElement[bool] = Coding.removed_at.is_(None)
    if coders:
        live = live & Coding.coder_id.in_(select(Coder.id).where(Coder.name.in_(coders)))
    coding_counts = dict(
        session.execute(select(Coding.transcript_id, func.count()).where(live).group_by(Coding.transcript_id)).all()
    )
    turn_counts = dict(
        session.execute(select(Turn.text_version_id, func.count()).group_by(Turn.text_version_id)).all()
    )
    spans: dict[int, list[tuple[int, int]]] = {}
    for version_id, start, end in session.execute(
        select(Coding.text_version_id, Coding.start, Coding.end).where(live)
    ):
        spans.setdefault(version_id, []).append((start, end))
    turn_spans: dict[int, list[tuple[int, int]]] = {}
    for version_id, start, end in session.execute(select(Turn.text_version_id, Turn.start, Turn.end)):
        turn_spans.setdefault(version_id, []).append((start, end))
    attributes: dict[int, dict[str, str]] = {}
    for transcript_id, name, value in session.execute(
        select(TranscriptAttribute.transcript_id, AttributeDefinition.name, TranscriptAttribute.value)
        .join(AttributeDefinition, TranscriptAttribute.definition_id == AttributeDefinition.id).order_by(AttributeDefinition.name)
    ):
        attributes.setdefault(transcript_id, {})[name] = value
    views = []
    for transcript in session.scalars(select(Transcript).order_by(Transcript.name)):
        version = current_text(transcript)
        people = [link.participant for link in transcript.participant_links]
        views.append(
            TranscriptView(
                id=transcript.id, guid=transcript.guid, name=transcript.name, title=transcript.title,
                source_filename=transcript.source_filename, wave=transcript.wave,
                interview_date=transcript.interview_date.isoformat() if transcript.interview_date else None,
                mode=transcript.mode, fidelity=transcript.fidelity,
                participants=tuple(sorted(p.name for p in people)),
                roles=tuple(sorted({p.role for p in people if p.role})),
                words=version.word_count, turns=turn_counts.get(version.id, 0),
                codings=coding_counts.get(transcript.id, 0),
                coded_turns=sum(
                    1 for start, end in turn_spans.get(version.id, [])
                    if any(s < end and start < e for s, e in spans.get(version.id, []))
                ),
                interviewer=transcript.interviewer,
                attributes=attributes.get(transcript.id, {}),
            )
        )
    return views


@dataclass(frozen=True)
class TranscriptText:
    """A transcript's current text and its speaker turns."""

    name: str
    text: str
    turns: list[TurnView]


def read_transcript(session: Session, ref: str) -> TranscriptText:
    """The transcript named `ref` (name, id or GUID), its text and its turns."""
    transcript = find_transcript(session, ref)
    return TranscriptText(transcript.name, current_text(transcript).text, transcript_turns(session, transcript))


def transcript_turns(session: Session, transcript: Transcript) -> list[TurnView]:
    version = current_text(transcript)
    lines = LineIndex(version.text)
    theirs = interviewer_speakers(session, [transcript.id]).get(transcript.id, ())
    return [
        TurnView(
            seq=turn.seq, speaker=turn.speaker,
            participant=turn.participant.name if turn.participant else None,
            start=turn.start, end=turn.end, line=lines.line(turn.start), timestamp_ms=turn.timestamp_ms,
            text=version.text[turn.start:turn.end],
            interviewer=turn.participant is None and is_interviewer(turn.speaker, transcript.interviewer, theirs),
        )
        for turn in version.turns
    ]


def interviewer_speakers(session: Session, transcript_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The labels each transcript's import found to be the interviewer's though no role label says so
    (what `is_interviewer` is given beside the transcript's interviewer), by transcript id."""
    found: dict[int, list[str]] = {}
    for transcript_id, label in session.execute(
        select(InterviewerSpeaker.transcript_id, InterviewerSpeaker.label)
        .where(InterviewerSpeaker.transcript_id.in_(list(transcript_ids))).order_by(InterviewerSpeaker.label)
    ):
        found.setdefault(transcript_id, []).append(label)
    return {transcript_id: tuple(labels) for transcript_id, labels in found.items()}


@dataclass(frozen=True)
class ParticipantView:
    name: str
    role: str | None
    gender: str | None
    age_band: str | None
    office: str | None
    attributes: dict[str, str]
    transcripts: tuple[str, ...]


def describe_participants(session: Session) -> list[ParticipantView]:
    """Every participant with attributes and the transcripts they take part in."""
    taking_part: dict[int, set[str]] = {}
    for participant_id, transcript_name in session.execute(
        select(TranscriptParticipant.participant_id, Transcript.name).join(Transcript)
    ).all():
        taking_part.setdefault(participant_id, set()).add(transcript_name)
    return [
        ParticipantView(
            name=p.name, role=p.role, gender=p.gender, age_band=p.age_band, office=p.office,
            attributes={a.definition.name: a.value for a in p.attributes},
            transcripts=tuple(sorted(taking_part.get(p.id, ()))),
        )
        for p in session.scalars(select(Participant).order_by(Participant.name))
    ]


def transcript_state(transcript: Transcript, turns: dict[int, str | None] | None = None) -> dict[str, Any]:
    """What undo and redo restore of a transcript's metadata; `turns` maps turn ids to the participant they are attributed to."""
    return {
        "name": transcript.name,
        "title": transcript.title,
        "wave": transcript.wave,
        "date": transcript.interview_date.isoformat() if transcript.interview_date else None,
        "fidelity": transcript.fidelity,
        "interviewer": transcript.interviewer,
        "participants": sorted([link.participant.name, link.speaker_label] for link in transcript.participant_links),
        "turns": sorted([turn_id, name] for turn_id, name in (turns or {}).items()),
        "attributes": {attribute.definition.name: attribute.value for attribute in transcript.attributes},
        # Each attribute's type, for a redo that defines again an attribute its undo took away.
        "types": {attribute.definition.name: attribute.definition.value_type for attribute in transcript.attributes},
    }
