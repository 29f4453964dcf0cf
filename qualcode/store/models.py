"""SQLAlchemy 2 typed models: the whole project schema."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Codes get uuid5 GUIDs from their path so that re-exports of a codebook are stable.
CODE_NAMESPACE = uuid.UUID("6f1d7c52-6a2e-4b8e-9d43-5f0c2a7e9b10")


def new_guid() -> str:
    """A random GUID for transcripts, participants, codings, memos, coders and events."""
    return str(uuid.uuid4())


def new_guids(count: int) -> list[str]:
    """`count` random GUIDs as new_guid makes them (version 4, RFC 4122 variant, lower-case
    hex), from one read of the system's randomness rather than one each (tens of thousands of events)."""
    randomness = bytearray(os.urandom(16 * count))
    for start in range(0, len(randomness), 16):
        randomness[start + 6] = randomness[start + 6] & 0x0F | 0x40
        randomness[start + 8] = randomness[start + 8] & 0x3F | 0x80
    digits = randomness.hex()
    return [f"{digits[at:at + 8]}-{digits[at + 8:at + 12]}-{digits[at + 12:at + 16]}-{digits[at + 16:at + 20]}-{digits[at + 20:at + 32]}"
            for at in range(0, len(digits), 32)]


def code_guid(path: str) -> str:
    """The stable GUID of a code, derived from its path."""
    return str(uuid.uuid5(CODE_NAMESPACE, path))


def utcnow() -> datetime:
    return datetime.now(UTC)


def shown_moment(moment: datetime) -> str:
    """A stored moment as the researcher's local time with its offset (2026-03-29T10:15:00+02:00).

    SQLite gives back the UTC moments it was given without their zone; shown so, a history read in
    Norway was an hour or two behind the clock on the wall, and nothing said so.
    """
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone().isoformat(timespec="seconds")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Setting(Base):
    """A project-wide setting (name, default coder, language)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Coder(Base):
    """A person who codes: a researcher or a co-researcher (medforsker); or a reviewer, who only
    commented on a draft (role "reviewer"), kept here as the author of their comments."""

    __tablename__ = "coders"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="researcher")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Participant(Base):
    """A person interviewed, who may appear in several rounds and transcripts."""

    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str | None] = mapped_column(String(50), index=True)
    gender: Mapped[str | None] = mapped_column(String(20))
    age_band: Mapped[str | None] = mapped_column(String(20))
    office: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    attributes: Mapped[list[ParticipantAttribute]] = relationship(
        back_populates="participant", cascade="all, delete-orphan"
    )


class AttributeDefinition(Base):
    """A project-defined extra attribute with a type, on participants or transcripts."""

    __tablename__ = "attribute_definitions"
    __table_args__ = (UniqueConstraint("applies_to", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    applies_to: Mapped[str] = mapped_column(String(20))  # participant | transcript
    value_type: Mapped[str] = mapped_column(String(20), default="text")  # text|integer|date|boolean


class ParticipantAttribute(Base):
    __tablename__ = "participant_attributes"
    __table_args__ = (UniqueConstraint("participant_id", "definition_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("attribute_definitions.id"), index=True)
    value: Mapped[str] = mapped_column(Text)

    participant: Mapped[Participant] = relationship(back_populates="attributes")
    definition: Mapped[AttributeDefinition] = relationship()


class Transcript(Base):
    """An interview, group interview or set of notes; its text lives in immutable versions."""

    __tablename__ = "transcripts"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str | None] = mapped_column(String(300))
    source_filename: Mapped[str | None] = mapped_column(String(500))
    source_format: Mapped[str | None] = mapped_column(String(10))
    source_encoding: Mapped[str | None] = mapped_column(String(40))
    # The hash of the source file's bytes as read, so importing it again is known to be the same file.
    source_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    wave: Mapped[str | None] = mapped_column(String(20), index=True)
    interview_date: Mapped[date | None] = mapped_column(Date)
    mode: Mapped[str | None] = mapped_column(String(50))
    fidelity: Mapped[str | None] = mapped_column(String(30))
    interviewer: Mapped[str | None] = mapped_column(String(200))
    note_taker: Mapped[str | None] = mapped_column(String(200))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("text_versions.id", use_alter=True), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    versions: Mapped[list[TextVersion]] = relationship(
        back_populates="transcript",
        foreign_keys="TextVersion.transcript_id",
        cascade="all, delete-orphan",
        order_by="TextVersion.number",
    )
    current_version: Mapped[TextVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    participant_links: Mapped[list[TranscriptParticipant]] = relationship(
        back_populates="transcript", cascade="all, delete-orphan"
    )
    attributes: Mapped[list[TranscriptAttribute]] = relationship(
        back_populates="transcript", cascade="all, delete-orphan"
    )


class TranscriptAttribute(Base):
    __tablename__ = "transcript_attributes"
    __table_args__ = (UniqueConstraint("transcript_id", "definition_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("attribute_definitions.id"), index=True)
    value: Mapped[str] = mapped_column(Text)

    transcript: Mapped[Transcript] = relationship(back_populates="attributes")
    definition: Mapped[AttributeDefinition] = relationship()


class InterviewerSpeaker(Base):
    """A speaker label of a transcript that its import found to be the interviewer's though no role label
    says so (a Teams voice "Eirik Vold" that a `speakers:` map names the interviewer): stored, as the
    label is in the turns, so exports and a withdrawal tell the interviewer's turns from informants'."""

    __tablename__ = "interviewer_speakers"
    __table_args__ = (UniqueConstraint("transcript_id", "label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))


class TranscriptParticipant(Base):
    """Who took part in a transcript, and under which speaker label."""

    __tablename__ = "transcript_participants"
    __table_args__ = (UniqueConstraint("transcript_id", "participant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    speaker_label: Mapped[str | None] = mapped_column(String(100))

    transcript: Mapped[Transcript] = relationship(back_populates="participant_links")
    participant: Mapped[Participant] = relationship()


class TextVersion(Base):
    """One immutable, normalised text of a transcript; corrections add a new version."""

    __tablename__ = "text_versions"
    # The same text twice in one transcript is never a new version. Two transcripts may come to hold
    # the same text once pseudonymised (migration 0010); an import of a text already present is
    # refused by looking it up, under the key's lock, one import at a time.
    __table_args__ = (
        UniqueConstraint("transcript_id", "number"),
        Index("uq_text_versions_transcript_content", "transcript_id", "content_hash", unique=True),
        Index("ix_text_versions_content_hash", "content_hash"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    transcript: Mapped[Transcript] = relationship(back_populates="versions", foreign_keys=[transcript_id])
    turns: Mapped[list[Turn]] = relationship(
        back_populates="text_version", cascade="all, delete-orphan", order_by="Turn.seq"
    )


class SentenceSpans(Base):
    """The sentences of a text version, found once and kept: within each turn (the whole text when it has
    none), as the reader shows them; `pipeline` names what found them, so another pipeline finds them anew.

    Made on first need rather than at import (coding/sentences.py): the import parses the text before
    pseudonymisation, whole, while sentences are of the stored text, turn by turn."""

    __tablename__ = "sentence_spans"
    __table_args__ = (UniqueConstraint("text_version_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    text_version_id: Mapped[int] = mapped_column(ForeignKey("text_versions.id", ondelete="CASCADE"))
    pipeline: Mapped[str] = mapped_column(String(200))
    # Flat [start, end, start, end, ...] in code points, in text order: half the size of pairs.
    spans: Mapped[list[int]] = mapped_column(JSON)


class Turn(Base):
    """A speaker turn: offsets of what was said, in code points of its text version."""

    __tablename__ = "turns"
    id: Mapped[int] = mapped_column(primary_key=True)
    text_version_id: Mapped[int] = mapped_column(ForeignKey("text_versions.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(String(100))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    timestamp_ms: Mapped[int | None] = mapped_column(Integer)

    text_version: Mapped[TextVersion] = relationship(back_populates="turns")
    participant: Mapped[Participant | None] = relationship()


class Code(Base):
    """A code in the hierarchical codebook."""

    __tablename__ = "codes"
    __table_args__ = (UniqueConstraint("path"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(1000))
    position: Mapped[int] = mapped_column(Integer, default=0)
    definition: Mapped[str | None] = mapped_column(Text)
    inclusion: Mapped[str | None] = mapped_column(Text)
    exclusion: Mapped[str | None] = mapped_column(Text)
    example: Mapped[str | None] = mapped_column(Text)
    colour: Mapped[str | None] = mapped_column(String(20))
    shortcut: Mapped[str | None] = mapped_column(String(5), unique=True)
    signal_words: Mapped[list[str]] = mapped_column(JSON, default=list)

    parent: Mapped[Code | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Code]] = relationship(back_populates="parent", order_by="Code.position")


class Coding(Base):
    """A code applied to a span of a transcript text version by a coder."""

    __tablename__ = "codings"
    # One live coding per passage, code and coder, so two at once end as one; removed ones may repeat.
    # Only SQLite's WHERE is named here: a postgresql_ argument makes SQLAlchemy import its PostgreSQL
    # dialect (and asyncio) to check it, in every command. Migration 0002 gives PostgreSQL the same WHERE.
    __table_args__ = (
        Index(
            "uq_codings_live", "transcript_id", "code_id", "coder_id", "start", "end", unique=True,
            sqlite_where=sql_text("removed_at IS NULL"),
        ),
        Index("ix_codings_live_spans", "removed_at", "text_version_id", "start", "id", "transcript_id", "code_id", "coder_id", "end"),
        Index("ix_codings_live_codes", "removed_at", "code_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    text_version_id: Mapped[int] = mapped_column(ForeignKey("text_versions.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id"), index=True)
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    excerpt: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    memo: Mapped[str | None] = mapped_column(Text)
    # Removal is a state, not a delete, so undo and the audit trail keep the coding.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # Set when a new text version left no place for the coding: it is removed and kept for review.
    orphaned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    transcript: Mapped[Transcript] = relationship()
    code: Mapped[Code] = relationship()
    coder: Mapped[Coder] = relationship()


class Memo(Base):
    """A free memo on the project, a transcript, a code or a coding."""

    __tablename__ = "memos"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    author_id: Mapped[int] = mapped_column(ForeignKey("coders.id"), index=True)
    transcript_id: Mapped[int | None] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id"), index=True)
    coding_id: Mapped[int | None] = mapped_column(ForeignKey("codings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    author: Mapped[Coder] = relationship()


class Event(Base):
    """An append-only record of one change: who, when, what, and the state before and after."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coders.id"), index=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    entity: Mapped[str | None] = mapped_column(String(30))
    entity_guid: Mapped[str | None] = mapped_column(String(36), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    # {"before": {...} | None, "after": {...} | None}; undo restores "before", redo "after".
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    undoable: Mapped[bool] = mapped_column(default=False)
    refers_to_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)

    coder: Mapped[Coder | None] = relationship()


class FrameworkSummary(Base):
    """A framework matrix cell: what one participant said under one code, condensed by a researcher.

    One row per cell: clearing marks it removed (undo brings it back), writing again revives it.
    `coding_guids` are the codings of the cell's passages when the summary was written, so the
    matrix can tell which passages came after it.
    """

    __tablename__ = "framework_summaries"
    __table_args__ = (UniqueConstraint("participant_id", "code_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    # A withdrawn participant's summaries go with them (anonymise/withdraw.py removes their events too).
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    # As with codings, a code that has summaries cannot be deleted.
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    coding_guids: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("coders.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    participant: Mapped[Participant] = relationship()
    code: Mapped[Code] = relationship()
    updated_by: Mapped[Coder] = relationship()
