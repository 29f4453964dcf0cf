"""An attribute as the log knows it: the GUID its own changes are logged under (a definition has no
GUID of its own), and its name where the states of participants' and transcripts' changes keep it, so
that undo of those changes finds it once it is renamed (by a researcher, or by a withdrawal taking a
pseudonym out of it)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.store.bulk import in_values
from qualcode.store.models import AttributeDefinition, Event
from qualcode.store.settings import project_guid


def attribute_guid(session: Session, definition: AttributeDefinition) -> str:
    """The GUID the changes of an attribute (`definition`) are logged under: its row's, in this project."""
    return str(uuid.uuid5(uuid.UUID(project_guid(session)), f"attribute/{definition.id}"))


def attribute_logged_as(session: Session, guid: str | None) -> AttributeDefinition | None:
    """The attribute whose changes are logged under `guid` (attribute_guid), if it is still there."""
    return next((definition for definition in session.scalars(select(AttributeDefinition))
                 if attribute_guid(session, definition) == guid), None)


def rename_in_states(session: Session, renamed: dict[str, dict[str, str]]) -> None:
    """The log's states of participants' and transcripts' changes with their attributes, and the attributes'
    types, named anew (`renamed`: old name to new, by what they apply to); their summaries are left as written."""
    for event in session.scalars(select(Event).where(in_values(Event.entity, list(renamed)))):
        names = renamed[str(event.entity)]
        if isinstance(event.payload, dict):
            event.payload = {side: _state_renamed(state, names) for side, state in event.payload.items()}


def _state_renamed(state: Any, names: dict[str, str]) -> Any:
    """A change's state (participant_state, a transcript's) with its attributes and their types named by `names`."""
    if not isinstance(state, dict):
        return state
    return {field: {names.get(name, name): value for name, value in held.items()}
            if field in ("attributes", "types") and isinstance(held, dict) else held for field, held in state.items()}
