"""Coding handles: how a blind coder is shown their codings, and may name them in commands.

A coding's id counts every coder's codings: a blind coder shown their codings as 12, 31 and 32
could tell how much the others had coded in between, and since when. They are shown a handle made
from the coding's random GUID instead ("c-3f9a2b1c"), which tells nothing of anyone else's work,
stays the same when other codings are deleted (a withdrawal), and is taken by every command that
takes a coding's id (find_coding).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.store.bulk import in_values
from qualcode.store.models import Coder, Coding

PREFIX = "c-"
LENGTH = 8  # of the GUID's hex digits: one in four thousand million, and its first group whole
_HANDLE = re.compile(rf"{PREFIX}([0-9a-f]{{{LENGTH}}})", re.IGNORECASE)
# How a message names a coding by its id ("wrote memo on coding 12", "coding 12 was removed").
_CODING_ID = re.compile(r"\b(coding) (\d+)\b")


def coding_handle(guid: str) -> str:
    """The handle of the coding whose GUID is `guid`."""
    return PREFIX + guid[:LENGTH].lower()


def handle_prefix(ref: str) -> str | None:
    """The start of the GUID that `ref` names, where it is a handle; None for an id or a GUID."""
    match = _HANDLE.fullmatch(ref.strip())
    return match.group(1).lower() if match else None


def names_codings(text: str) -> bool:
    """Whether `text` names a coding by its id."""
    return _CODING_ID.search(text) is not None


def handles_of(session: Session, ids: Iterable[int], coder: str) -> dict[int, str]:
    """The handles of those codings of `ids` that are `coder`'s, by id."""
    rows = session.execute(select(Coding.id, Coding.guid).join(Coder, Coding.coder_id == Coder.id)
                           .where(in_values(Coding.id, sorted(set(ids))), Coder.name == coder))
    return {coding_id: coding_handle(guid) for coding_id, guid in rows}


def with_handles(session: Session, text: str, coder: str) -> str:
    """`text` with each coding of `coder`'s it names by id ("coding 12") named by its handle instead.
    Another's is left as it is: it is named so only where what was typed is said back ("no coding 12"),
    and its handle would tell that it is there."""
    ids = {int(match.group(2)) for match in _CODING_ID.finditer(text)}
    if not ids:
        return text
    handles = handles_of(session, ids, coder)
    return _CODING_ID.sub(lambda match: f"{match.group(1)} {handles.get(int(match.group(2)), match.group(2))}", text)
