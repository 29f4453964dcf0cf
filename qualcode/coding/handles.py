"""Coding and memo handles: how a blind coder is shown their codings and memos, and may name them in commands.

A coding's id counts every coder's codings: a blind coder shown their codings as 12, 31 and 32
could tell how much the others had coded in between, and since when. They are shown a handle made
from the coding's random GUID instead ("c-3f9a2b1c"), which tells nothing of anyone else's work,
stays the same when other codings are deleted (a withdrawal), and is taken by every command that
takes a coding's id (find_coding). A memo's id counts every coder's memos alike: a memo is shown
by a handle from its GUID too ("m-5d01e7aa"), taken wherever a memo's id is (memos.find_memo).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from qualcode.store.bulk import in_values
from qualcode.store.models import Coder, Coding, Memo

PREFIX = "c-"
MEMO_PREFIX = "m-"
LENGTH = 8  # of the GUID's hex digits: one in four thousand million, and its first group whole
_HANDLE = re.compile(rf"{PREFIX}([0-9a-f]{{{LENGTH}}})", re.IGNORECASE)
_MEMO_HANDLE = re.compile(rf"{MEMO_PREFIX}([0-9a-f]{{{LENGTH}}})", re.IGNORECASE)
# How a message names a coding by its id ("wrote memo on coding 12", "coding 12 was removed").
_CODING_ID = re.compile(r"\b(coding) (\d+)\b")
# How a message names a memo by its id ("memo 7 on coding 12", "removed memo 7").
_MEMO_ID = re.compile(r"\b(memo) (\d+)\b")


def coding_handle(guid: str) -> str:
    """The handle of the coding whose GUID is `guid`."""
    return PREFIX + guid[:LENGTH].lower()


def handle_prefix(ref: str) -> str | None:
    """The start of the GUID that `ref` names, where it is a handle; None for an id or a GUID."""
    match = _HANDLE.fullmatch(ref.strip())
    return match.group(1).lower() if match else None


def memo_handle(guid: str) -> str:
    """The handle of the memo whose GUID is `guid`."""
    return MEMO_PREFIX + guid[:LENGTH].lower()


def memo_handle_prefix(ref: str) -> str | None:
    """The start of the GUID that `ref` names, where it is a memo's handle; None for an id or a GUID."""
    match = _MEMO_HANDLE.fullmatch(ref.strip())
    return match.group(1).lower() if match else None


def names_codings(text: str) -> bool:
    """Whether `text` names a coding or a memo by its id."""
    return _CODING_ID.search(text) is not None or _MEMO_ID.search(text) is not None


def handles_of(session: Session, ids: Iterable[int], coder: str) -> dict[int, str]:
    """The handles of those codings of `ids` that are `coder`'s, by id."""
    rows = session.execute(select(Coding.id, Coding.guid).join(Coder, Coding.coder_id == Coder.id)
                           .where(in_values(Coding.id, sorted(set(ids))), Coder.name == coder))
    return {coding_id: coding_handle(guid) for coding_id, guid in rows}


def memo_handles_of(session: Session, ids: Iterable[int], coder: str) -> dict[int, str]:
    """The handles of those memos of `ids` that `coder` may see blind (memos.seen_by): one on a coding
    of theirs, or one on no coding that they wrote; by id."""
    author, coding_coder = aliased(Coder), aliased(Coder)
    rows = session.execute(
        select(Memo.id, Memo.guid).join(author, Memo.author_id == author.id)
        .outerjoin(Coding, Memo.coding_id == Coding.id).outerjoin(coding_coder, Coding.coder_id == coding_coder.id)
        .where(in_values(Memo.id, sorted(set(ids))),
               or_(coding_coder.name == coder, and_(Memo.coding_id.is_(None), author.name == coder)))
    )
    return {memo_id: memo_handle(guid) for memo_id, guid in rows}


def with_handles(session: Session, text: str, coder: str) -> str:
    """`text` with each coding of `coder`'s it names by id ("coding 12"), and each memo they may see
    ("memo 7"), named by its handle instead. Another's is left as it is: it is named so only where
    what was typed is said back ("no coding 12"), and its handle would tell that it is there."""
    coding_ids = {int(match.group(2)) for match in _CODING_ID.finditer(text)}
    if coding_ids:
        handles = handles_of(session, coding_ids, coder)
        text = _CODING_ID.sub(lambda match: f"{match.group(1)} {handles.get(int(match.group(2)), match.group(2))}", text)
    memo_ids = {int(match.group(2)) for match in _MEMO_ID.finditer(text)}
    if memo_ids:
        memo_handles = memo_handles_of(session, memo_ids, coder)
        text = _MEMO_ID.sub(lambda match: f"{match.group(1)} {memo_handles.get(int(match.group(2)), match.group(2))}", text)
    return text
