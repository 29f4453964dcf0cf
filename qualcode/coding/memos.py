"""Free memos on the project, a transcript, a code or a coding."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.codebook.service import find_code
from qualcode.coding.service import live_coding
from qualcode.errors import Ambiguous, InvalidInput, NotFound
from qualcode.store.events import WRITTEN_AT, EventKind, hold_write_lock, record_event
from qualcode.store.lookup import find_transcript
from qualcode.store.models import Code, Coder, Coding, Event, Memo, Transcript, shown_moment, utcnow
from qualcode.text.normalise import check_one_line


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
    kind: str = "project"  # project | transcript | code | coding
    ref: str = ""  # how commands name it: "memo 3", or "coding 12" for a coding's own memo


def memo_state(memo: Memo) -> dict[str, Any]:
    return {"guid": memo.guid, "title": memo.title, "text": memo.text, "removed": memo.removed_at is not None}


def _attached_to(memo: Memo, session: Session) -> str:
    if memo.coding_id is not None:
        # The memo stays with a removed coding (undo brings both back); the list says so.
        removed = session.scalar(select(Coding.removed_at).where(Coding.id == memo.coding_id)) is not None
        return f"coding {memo.coding_id}" + (" (removed)" if removed else "")
    # By the stored id: resolving it as a reference would take a code or transcript *named* "2".
    if memo.code_id is not None:
        return f"code {session.scalar(select(Code.path).where(Code.id == memo.code_id))}"
    if memo.transcript_id is not None:
        return f"transcript {session.scalar(select(Transcript.name).where(Transcript.id == memo.transcript_id))}"
    return "project"


def _kind(memo: Memo) -> str:
    if memo.coding_id is not None:
        return "coding"
    if memo.code_id is not None:
        return "code"
    return "transcript" if memo.transcript_id is not None else "project"


MEMO_TITLE_LENGTH = 300  # the store's column


def memo_view(session: Session, memo: Memo) -> MemoView:
    return MemoView(
        id=memo.id, guid=memo.guid, author=memo.author.name, attached_to=_attached_to(memo, session),
        title=memo.title, text=memo.text, source=memo.source, created_at=shown_moment(memo.created_at),
        kind=_kind(memo), ref=f"memo {memo.id}",
    )


# The changes that add a memo or remove it: by their last, a memo removed is known as removed or its import undone.
_ADDING_OR_REMOVING = (EventKind.MEMO_ADD.value, EventKind.MEMO_REMOVE.value, EventKind.UNDO.value, EventKind.REDO.value)


def import_undone(session: Session, memo: Memo) -> bool:
    """Whether `memo` is removed because the import that wrote it was undone (the last change that added or removed
    it is the undo of its adding), not by a removal of its own."""
    if memo.removed_at is None:
        return False
    last = session.scalars(select(Event).where(Event.entity_guid == memo.guid, Event.action.in_(_ADDING_OR_REMOVING))
                           .order_by(Event.id.desc()).limit(1)).first()
    undone = session.get(Event, last.refers_to_id) if last is not None and last.action == EventKind.UNDO.value and last.refers_to_id else None
    return undone is not None and undone.action == EventKind.MEMO_ADD.value


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
    recorded_by: Coder | None = None,
    together: str | None = None,
    written_at: datetime | None = None,
    in_place_of: str | None = None,
) -> MemoView:
    """Write a memo attached to at most one thing (the project if none), as an undoable event: the
    author's, or `recorded_by`'s who brought it in (a review import), one of the change `together` names;
    dated `written_at` when it was written before now (a reviewer's comment); `in_place_of`, the GUID of
    the memo of the same comment whose import was undone."""
    if not text.strip():
        raise InvalidInput("the memo is empty")
    if title is not None:  # a list shows it on one line, as a participant's or transcript's value
        check_one_line("memo title", title, MEMO_TITLE_LENGTH)
    if sum(ref is not None for ref in (transcript_ref, code_ref, coding_ref)) > 1:
        raise InvalidInput("attach a memo to one thing: a transcript, a code or a coding")
    memo = Memo(text=text.strip(), title=title, author=author, source=source)
    if written_at is not None:
        memo.created_at = written_at
    if transcript_ref:
        memo.transcript_id = find_transcript(session, transcript_ref).id
    if code_ref:
        memo.code_id = find_code(session, code_ref).id
    if coding_ref:
        memo.coding_id = live_coding(session, coding_ref).id
    session.add(memo)
    session.flush()
    view = memo_view(session, memo)
    record_event(
        session, kind=EventKind.MEMO_ADD, coder=recorded_by or author, entity_guid=memo.guid,
        before=None, after=memo_state(memo), summary=f"memo on {view.attached_to}", together=together,
        in_place_of=in_place_of,
    )
    return view


MEMO_KINDS = ("project", "transcript", "code", "coding")


def list_memos(session: Session, kind: str | None = None, coders: Sequence[str] = ()) -> list[MemoView]:
    """Every memo, of one kind or all: free memos, and the memo a coding carries itself
    (written with `coding memo` or in the terminal UI); only those `coders` may see when named
    (a blind coder, `seen_by`)."""
    if kind is not None and kind not in MEMO_KINDS:
        raise InvalidInput(f"memo kind {kind!r} is not one of {', '.join(MEMO_KINDS)}")
    memos = session.scalars(select(Memo).where(Memo.removed_at.is_(None)).order_by(Memo.id))
    owners = _coding_owners(session) if coders else {}
    views = [
        memo_view(session, memo) for memo in memos
        if not coders or seen_by(coders, memo.author.name, owners.get(memo.coding_id) if memo.coding_id is not None else None)
    ]
    codings = [
        coding for coding in session.scalars(
            select(Coding).where(Coding.memo.is_not(None), Coding.memo != "", Coding.removed_at.is_(None)).order_by(Coding.id)
        ) if not coders or coding.coder.name in coders
    ]
    written = coding_memo_writers(session, {coding.guid: coding.memo or "" for coding in codings})
    for coding in codings:
        writer = written.get(coding.guid)
        author, at = (writer.name, writer.at) if writer is not None else (coding.coder.name, coding.created_at)
        views.append(MemoView(
            id=coding.id, guid=coding.guid, author=author, attached_to=f"coding {coding.id}", title=None,
            text=coding.memo or "", source=None, created_at=shown_moment(at), kind="coding",
            ref=f"coding {coding.id}",
        ))
    return [view for view in views if kind is None or view.kind == kind]


def seen_by(coders: Sequence[str], author: str, coding_coder: str | None) -> bool:
    """Whether `coders` (a blind coder) may see a memo by `author`, on a coding of `coding_coder`
    (None: on no coding). One on a coding is seen with the coding: by its coder, whoever wrote
    it (a reviewer's comment on their quote), and by no one else, since it tells of a coding
    blindness hides. Any other memo only by its author: one on a code or a transcript may
    discuss the codings there."""
    return coding_coder in coders if coding_coder is not None else author in coders


def _coding_owners(session: Session) -> dict[int, str]:
    """Each memo's coding's coder, by the coding's id."""
    return dict(session.execute(
        select(Coding.id, Coder.name).join(Coder, Coder.id == Coding.coder_id)
        .where(Coding.id.in_(select(Memo.coding_id).where(Memo.coding_id.is_not(None))))
    ).all())


@dataclass(frozen=True)
class MemoWriter:
    """Who wrote a coding's memo as it reads now, and when."""

    coder_id: int
    name: str
    at: datetime


def coding_memo_writers(session: Session, memos: Mapping[str, str]) -> dict[str, MemoWriter]:
    """Who wrote each coding's memo (`memos`: its text, by the coding's GUID) as it reads now, and
    when: the last `coding memo` that left this text (another coder may write the memo on someone's
    coding), or the memo an import brought, as the file dates it. A memo given with the coding
    itself is its coder's, from when it was made, and is not listed here."""
    found: dict[str, MemoWriter] = {}
    guids = sorted(memos)
    for first in range(0, len(guids), 500):
        for guid, coder_id, coder, at, payload in session.execute(
            select(Event.entity_guid, Coder.id, Coder.name, Event.at, Event.payload).join(Coder, Event.coder_id == Coder.id)
            .where(Event.action == EventKind.CODING_MEMO.value, Event.entity_guid.in_(guids[first:first + 500]))
            .order_by(Event.id)
        ):
            if guid is not None and (payload.get("after") or {}).get("memo") == memos[guid]:
                found[guid] = MemoWriter(coder_id, coder, _written_at(payload, at))
    return found


def _written_at(payload: dict[str, Any], at: datetime) -> datetime:
    """When an event's memo was written: its WRITTEN_AT, in UTC as the store gives its moments (naive
    from SQLite), or the event's own time."""
    written = payload.get(WRITTEN_AT)
    if not isinstance(written, str):
        return at
    try:
        moment = datetime.fromisoformat(written)
    except ValueError:
        return at
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
        if at.tzinfo is None:
            moment = moment.replace(tzinfo=None)
    elif at.tzinfo is not None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def find_memo(session: Session, ref: str | int) -> Memo | None:
    """A memo by id, GUID or handle, as a blind coder is shown it (coding/handles.py); None if there is none."""
    from qualcode.coding.handles import memo_handle_prefix

    prefix = memo_handle_prefix(str(ref))
    if prefix is not None:
        found = session.scalars(select(Memo).where(Memo.guid.startswith(prefix, autoescape=True)).limit(2)).all()
        if len(found) > 1:
            raise Ambiguous(f"memo {ref} names more than one memo", "give its GUID, as `qualcode memo list --json` shows it")
        return found[0] if found else None
    if str(ref).strip().isdigit():
        return session.get(Memo, int(str(ref).strip()))
    return session.scalar(select(Memo).where(Memo.guid == str(ref).strip()))


def remove_memo(session: Session, ref: str | int, author: Coder, coders: Sequence[str] = ()) -> MemoView:
    """Remove a memo, named by id, GUID or handle (find_memo); with `coders` (a blind coder) only one
    they may see (`seen_by`): another's is not there for them, as `memo list` does not show it."""
    hold_write_lock(session)  # what it reads as the state before is the state it changes (coding/service.live_coding)
    memo = find_memo(session, ref)
    hidden = memo is not None and bool(coders) and not seen_by(
        coders, memo.author.name, _coding_owners(session).get(memo.coding_id) if memo.coding_id is not None else None)
    if memo is None or memo.removed_at is not None or hidden:
        raise NotFound(f"no memo {ref}", "list memos with `qualcode memo list`")
    before = memo_state(memo)
    memo.removed_at = utcnow()
    session.flush()
    record_event(
        session, kind=EventKind.MEMO_REMOVE, coder=author, entity_guid=memo.guid,
        before=before, after=memo_state(memo), summary=f"removed memo {memo.id}",
    )
    return memo_view(session, memo)
