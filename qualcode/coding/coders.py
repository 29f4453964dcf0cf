"""Coders: who is coding, remembered by name with a role (researcher or medforsker)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput
from qualcode.store.events import record_event
from qualcode.store.models import Coder
from qualcode.store.upsert import insert_unless_present

ROLES = ("researcher", "medforsker")


@dataclass(frozen=True)
class CoderView:
    id: int
    guid: str
    name: str
    role: str


def get_or_create_coder(session: Session, name: str, role: str | None = None) -> Coder:
    """The coder of that name, created on first use; a role given later updates it."""
    name = name.strip()
    if not name:
        raise InvalidInput("a coder needs a name", "pass --coder NAME or set QUALCODE_CODER")
    if role is not None and role not in ROLES:
        raise InvalidInput(f"coder role {role!r} is not one of {', '.join(ROLES)}")
    coder = session.scalar(select(Coder).where(Coder.name == name))
    # Another process may create the same coder at this moment: the database keeps one of the two.
    if coder is None and insert_unless_present(session, Coder, {"name": name, "role": role or "researcher"}, ["name"]):
        coder = session.scalar(select(Coder).where(Coder.name == name))
        assert coder is not None
        record_event(
            session, action="coder.create", coder=coder, entity="coder", entity_guid=coder.guid,
            after={"name": coder.name, "role": coder.role}, summary=f"new coder {name} ({coder.role})",
        )
        return coder
    if coder is None:
        coder = session.scalar(select(Coder).where(Coder.name == name))
        assert coder is not None
    if role is not None and coder.role != role:
        before = {"name": coder.name, "role": coder.role}
        coder.role = role
        record_event(
            session, action="coder.update", coder=coder, entity="coder", entity_guid=coder.guid,
            before=before, after={"name": coder.name, "role": role}, summary=f"{name} is now {role}",
        )
    return coder


def list_coders(session: Session) -> list[CoderView]:
    return [
        CoderView(coder.id, coder.guid, coder.name, coder.role)
        for coder in session.scalars(select(Coder).order_by(Coder.name))
    ]
