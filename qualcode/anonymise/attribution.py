"""Re-identification risk of attribution labels: small groups at one site are easy to recognise."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput
from qualcode.store.models import Participant

SMALL_GROUP = 5
LABEL_FIELDS = ("role", "office", "gender", "age_band")


@dataclass(frozen=True)
class AttributionRisk:
    """A label that would point at five or fewer people, and a coarser one to use instead."""

    label: str
    participants: int
    suggestion: str


def attribution_risks(
    session: Session, fields: tuple[str, ...] = ("role", "office"), threshold: int = SMALL_GROUP,
    among: Collection[tuple[str | None, ...]] | None = None,
) -> list[AttributionRisk]:
    """Every combination of `fields` shared by `threshold` or fewer participants.

    With `among` (the combinations an export shows, None for a missing value), only those: a
    warning about a group nobody quotes is noise.
    """
    unknown = [field for field in fields if field not in LABEL_FIELDS]
    if unknown:
        raise InvalidInput(f"cannot label by {unknown[0]!r}", "label fields: " + ", ".join(LABEL_FIELDS))
    people = session.scalars(select(Participant)).all()
    groups = Counter(tuple(getattr(p, field) or "?" for field in fields) for p in people)
    roles = Counter(p.role or "?" for p in people)
    shown = None if among is None else {tuple(value or "?" for value in values) for values in among}
    risks = []
    for values, count in sorted(groups.items()):
        if count > threshold or (shown is not None and values not in shown):
            continue
        label = ", ".join(str(value) for value in values)
        role = values[fields.index("role")] if "role" in fields else None
        if role is not None and len(fields) > 1 and roles[role] > threshold:
            suggestion = f"label by role only ({role}: {roles[role]} participants)"
        else:
            suggestion = "use a generic label such as 'En informant' or merge groups"
        risks.append(AttributionRisk(label, count, suggestion))
    return risks
