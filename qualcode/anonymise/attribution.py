"""Re-identification risk of attribution labels: small groups at one site are easy to recognise."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput
from qualcode.store.models import Participant, Transcript, TranscriptParticipant

SMALL_GROUP = 5
# A participant's own fields, and the round of their interviews ("Deltaker, T3": those interviewed in T3).
LABEL_FIELDS = ("role", "office", "gender", "age_band", "wave")


@dataclass(frozen=True)
class AttributionRisk:
    """A label that would point at five or fewer people, and a coarser one to use instead."""

    label: str
    participants: int
    suggestion: str


def attribution_risks(
    session: Session, fields: tuple[str, ...] = ("role", "office"), threshold: int = SMALL_GROUP,
    among: Collection[tuple[str | None, ...]] | None = None,
    label: Callable[[tuple[str | None, ...]], str] | None = None, generic: str = "En informant",
) -> list[AttributionRisk]:
    """Every label made of `fields` that `threshold` or fewer participants share.

    `label` says how an export prints a combination of values (None for a missing value); combinations
    printed alike are one group, and the warning names the label as printed. Without it a missing
    value reads "?". With `among` (the combinations an export shows), only their labels: a warning
    about a group nobody quotes is noise.
    """
    unknown = [field for field in fields if field not in LABEL_FIELDS]
    if unknown:
        raise InvalidInput(f"cannot label by {unknown[0]!r}", "label fields: " + ", ".join(LABEL_FIELDS))
    printed = label or (lambda values: ", ".join(value or "?" for value in values))
    people = session.scalars(select(Participant)).all()
    waves: dict[int, set[str | None]] = defaultdict(set)
    if "wave" in fields:
        for participant_id, wave in session.execute(
            select(TranscriptParticipant.participant_id, Transcript.wave)
            .join(Transcript, TranscriptParticipant.transcript_id == Transcript.id)
        ):
            waves[participant_id].add(wave or None)
    groups: dict[str, set[int]] = defaultdict(set)
    role_of: dict[str, str | None] = {}
    for person in people:
        # A person is in the group of each round they were interviewed in, once.
        for wave in sorted(waves.get(person.id) or {None}, key=lambda value: value or ""):
            values = tuple(wave if field == "wave" else getattr(person, field) or None for field in fields)
            name = printed(values)
            groups[name].add(person.id)
            role_of[name] = values[fields.index("role")] if "role" in fields else None
    roles = Counter(p.role or "?" for p in people)
    shown = None if among is None else {printed(tuple(value or None for value in values)) for values in among}
    risks = []
    for name, members in sorted(groups.items()):
        if len(members) > threshold or (shown is not None and name not in shown):
            continue
        role = role_of[name] or "?" if "role" in fields else None
        if role is not None and len(fields) > 1 and roles[role] > threshold:
            suggestion = f"label by role only ({role}: {roles[role]} participants)"
        else:
            suggestion = f"use a generic label such as '{generic}' or merge groups"  # in the export's language
        risks.append(AttributionRisk(name, len(members), suggestion))
    return risks
