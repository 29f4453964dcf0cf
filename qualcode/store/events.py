"""Writing to the append-only event log that undo/redo and the audit trail read."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from qualcode.store.models import Coder, Event


def record_event(
    session: Session,
    *,
    action: str,
    summary: str,
    coder: Coder | None = None,
    entity: str | None = None,
    entity_guid: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    undoable: bool = False,
    refers_to: Event | None = None,
) -> Event:
    """Append one event; `before` and `after` are the entity's state, so either can be restored."""
    recorded = Event(
        action=action,
        summary=summary,
        coder=coder,
        entity=entity,
        entity_guid=entity_guid,
        payload={"before": before, "after": after},
        undoable=undoable,
        refers_to_id=refers_to.id if refers_to is not None else None,
    )
    session.add(recorded)
    session.flush()
    return recorded
