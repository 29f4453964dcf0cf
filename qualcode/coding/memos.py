"""Free memos on the project, a transcript, a code or a coding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.codebook.service import find_code
from qualcode.coding.service import find_coding
from qualcode.errors import InvalidInput, NotFound
from qualcode.store.events import record_event
from qualcode.store.lookup import find_transcript
from qualcode.store.models import Coder, Memo, utcnow


@dataclass(frozen=True)
class MemoView:
    id: int
    guid: str
    author: str
    attached_to: str
    title: str | None
    text: str
    source: str | None
    created_at: str


def memo_state(memo: Memo) -> dict[str, Any]:
    return {"guid": memo.guid, "title": memo.title, "text": memo.text, "removed": memo.removed_at is not None}


def _attached_to(memo: Memo, session: Session) -> str:
    if memo.coding_id is not None:
        return f"coding {memo.coding_id}"
    if memo.code_id is not None:
        return f"code {find_code(session, str(memo.code_id)).path}"
    if memo.transcript_id is not None:
        return f"transcript {find_transcript(session, str(memo.transcript_id)).name}"
    return "project"


def memo_view(session: Session, memo: Memo) -> MemoView:
    return MemoView(
        id=memo.id, guid=memo.guid, author=memo.author.name, attached_to=_attached_to(memo, session),
        title=memo.title, text=memo.text, source=memo.source, created_at=memo.created_at.isoformat(timespec="seconds"),
    )


def add_memo(
    session: Session,
    text: str,
    author: Coder,
    *,
    transcript_ref: str | None = None,
    code_ref: str | None = None,
    coding_ref: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> MemoView:
    """Write a memo attached to at most one thing (the project if none), as an undoable event."""
    if not text.strip():
        raise InvalidInput("the memo is empty")
    if sum(ref is not None for ref in (transcript_ref, code_ref, coding_ref)) > 1:
        raise InvalidInput("attach a memo to one thing: a transcript, a code or a coding")
    memo = Memo(text=text.strip(), title=title, author=author, source=source)
    if transcript_ref:
        memo.transcript_id = find_transcript(session, transcript_ref).id
    if code_ref:
        memo.code_id = find_code(session, code_ref).id
    if coding_ref:
        memo.coding_id = find_coding(session, coding_ref).id
    session.add(memo)
    session.flush()
    view = memo_view(session, memo)
    record_event(
        session, action="memo.add", coder=author, entity="memo", entity_guid=memo.guid,
        before=None, after=memo_state(memo), undoable=True, summary=f"memo on {view.attached_to}",
    )
    return view


def list_memos(session: Session) -> list[MemoView]:
    memos = session.scalars(select(Memo).where(Memo.removed_at.is_(None)).order_by(Memo.id))
    return [memo_view(session, memo) for memo in memos]


def remove_memo(session: Session, memo_id: int, author: Coder) -> MemoView:
    memo = session.get(Memo, memo_id)
    if memo is None or memo.removed_at is not None:
        raise NotFound(f"no memo {memo_id}", "list memos with `qualcode memo list`")
    before = memo_state(memo)
    memo.removed_at = utcnow()
    session.flush()
    record_event(
        session, action="memo.remove", coder=author, entity="memo", entity_guid=memo.guid,
        before=before, after=memo_state(memo), undoable=True, summary=f"removed memo {memo.id}",
    )
    return memo_view(session, memo)
