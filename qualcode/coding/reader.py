"""What a reader of one transcript needs, loaded in one go: text, turns, sentences, codings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.codebook.service import CodeView, list_codes
from qualcode.coding.sentences import version_sentences
from qualcode.store.events import EventKind
from qualcode.store.lookup import current_text, find_transcript
from qualcode.store.models import Code, Coder, Coding, Event


@dataclass(frozen=True)
class ReaderTurn:
    seq: int
    speaker: str | None
    start: int
    end: int


@dataclass(frozen=True)
class ReaderCoding:
    id: int
    start: int
    end: int
    code_path: str
    colour: str | None
    memo: str | None
    coder: str


@dataclass(frozen=True)
class ReaderDocument:
    transcript: str
    title: str | None
    text: str
    turns: tuple[ReaderTurn, ...]
    sentences: tuple[tuple[int, int], ...]
    codings: tuple[ReaderCoding, ...]
    version_id: int = 0  # the text version shown, whose kept sentences document_sentences() reads


def load_reader_document(session: Session, transcript_ref: str) -> ReaderDocument:
    """The document without its sentences, quick enough to draw at once; document_sentences() follows."""
    transcript = find_transcript(session, transcript_ref)
    version = current_text(transcript)
    turns = tuple(ReaderTurn(t.seq, t.speaker, t.start, t.end) for t in version.turns)
    return ReaderDocument(
        transcript=transcript.name, title=transcript.title, text=version.text, turns=turns,
        sentences=(), codings=reader_codings(session, transcript_ref), version_id=version.id,
    )


def document_sentences(session: Session, document: ReaderDocument) -> tuple[tuple[int, int], ...]:
    """Sentence spans within each turn (spaCy's sentencizer; a trained pipeline if configured), as
    kept for the text version (found and kept on first need); none in a text without turns."""
    if not document.turns:
        return ()
    return tuple(version_sentences(session, [document.version_id])[document.version_id])


def sentence_at(session: Session, document: ReaderDocument, offset: int) -> tuple[int, int] | None:
    """The sentence holding `offset`, within its turn."""
    turn = next((t for t in document.turns if t.start <= offset < t.end), None)
    if turn is None:
        return None
    return next(((start, end) for start, end in document_sentences(session, document) if start <= offset < end), None)


def reader_codings(session: Session, transcript_ref: str) -> tuple[ReaderCoding, ...]:
    transcript = find_transcript(session, transcript_ref)
    rows = session.execute(
        select(Coding.id, Coding.start, Coding.end, Code.path, Code.colour, Coding.memo, Coder.name)
        .join(Code, Coding.code_id == Code.id).join(Coder, Coding.coder_id == Coder.id)
        .where(Coding.transcript_id == transcript.id, Coding.removed_at.is_(None),
               Coding.text_version_id == transcript.current_version_id)
        .order_by(Coding.start, Coding.id)
    ).all()
    return tuple(ReaderCoding(*row) for row in rows)


def recent_codes(session: Session, coder: Coder, limit: int = 5) -> list[str]:
    """Paths of the codes this coder applied most recently (coded or recoded with), newest first."""
    guids: list[str] = []
    for payload in session.scalars(
        select(Event.payload)
        .where(Event.coder_id == coder.id, Event.action.in_((EventKind.CODING_ADD, EventKind.CODING_RECODE)))
        .order_by(Event.id.desc()).limit(50)
    ):
        guid = (payload.get("after") or {}).get("code_guid")
        if guid and guid not in guids:
            guids.append(guid)
    paths = dict(session.execute(select(Code.guid, Code.path).where(Code.guid.in_(guids))).all())
    return [paths[guid] for guid in guids if guid in paths][:limit]


def picker_codes(session: Session) -> list[CodeView]:
    return list_codes(session)
