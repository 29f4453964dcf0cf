"""Applying identifiers learned after import to the transcripts already in the project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import pseudonymise
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.rewrite import Span, rewrite_current_text
from qualcode.search.index import purge_index
from qualcode.store.events import record_event
from qualcode.store.models import Coder, Coding, Event, Memo, Transcript


@dataclass(frozen=True)
class Reapplied:
    transcripts: list[str]
    replacements: int
    memos: int
    events: int


def reapply_key(session: Session, key: PseudonymKey, coder: Coder | None = None) -> Reapplied:
    """Pseudonymise stored texts, speaker labels, memos and the audit trail with the key as it is now.

    Changed transcripts get a new text version (codings move with the text) and the old one is
    deleted; the caller commits and then calls Project.purge().
    """
    changed: list[str] = []
    replaced = 0
    for transcript in session.scalars(select(Transcript).order_by(Transcript.name)).all():
        version = transcript.current_version
        assert version is not None
        result = pseudonymise(version.text, key, transcript.name)
        if not result.replacements:
            continue
        replaced += len(result.replacements)
        changed.append(transcript.name)
        rewrite_current_text(
            session, transcript, [Span(r.start, r.end, r.pseudonym) for r in result.replacements],
            "identifiers added to the key after import",
            change_turn=lambda turn: {"speaker": _clean(turn.speaker, key)} if turn.speaker else {},
        )
        if transcript.title:
            transcript.title = _clean(transcript.title, key)
    memos = 0
    for memo in session.scalars(select(Memo)).all():
        cleaned = _clean(memo.text, key)
        if cleaned != memo.text:
            memo.text, memos = cleaned, memos + 1
    for coding in session.scalars(select(Coding).where(Coding.memo.is_not(None))).all():
        cleaned = _clean(coding.memo or "", key)
        if cleaned != coding.memo:
            coding.memo, memos = cleaned, memos + 1
    events = 0
    for event in session.scalars(select(Event)).all():
        summary, payload = _clean(event.summary, key), _clean_json(event.payload, key)
        if summary != event.summary or payload != event.payload:
            event.summary, event.payload, events = summary, payload, events + 1
    if changed or memos or events:
        purge_index(session)
        record_event(
            session, action="anonymise.reapply", coder=coder,
            summary=f"pseudonymised {replaced} more identifiers in {len(changed)} transcripts, {memos} memos, {events} log entries",
        )
    return Reapplied(changed, replaced, memos, events)


def _clean(text: str | None, key: PseudonymKey) -> str:
    return pseudonymise(text, key, "project").text if text else (text or "")


def _clean_json(value: Any, key: PseudonymKey) -> Any:
    if isinstance(value, str):
        return _clean(value, key)
    if isinstance(value, dict):
        return {name: _clean_json(item, key) for name, item in value.items()}
    if isinstance(value, list):
        return [_clean_json(item, key) for item in value]
    return value
