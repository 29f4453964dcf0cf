"""What a withdrawal of consent leaves in the log: who withdrew, when, and the digests of their files.

Kept apart from anonymise/withdraw.py so that a command that only counts (`status`, `analyse`) can
say that someone withdrew without loading the pseudonymiser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.store.events import EventKind
from qualcode.store.models import Event

# In a withdrawal's event: who withdrew (their participant id, a pseudonym) and the hashes of the
# files their transcripts came from, which imports refuse (withdraw.refuse_withdrawn_source).
WITHDRAWN_ID = "participant"
WITHDRAWN_SOURCES = "source_hashes"
# And the group interviews their turns were taken out of: identifiers the key saw there may be theirs
# (their own name, said in the round), which they may still name to become digests after.
WITHDRAWN_FROM = "redacted_in"
# And how many of the researchers' own texts their pseudonym was taken out of, by kind ({"memo": 2, "log": 3}).
WITHDRAWN_NAMES = "names_redacted"
# And keyed digests (the key's secret) of their words as the project held them: each turn, and each sentence of
# enough words, normalised (withdraw.said_in); never the words. An import refuses a file that holds one.
WITHDRAWN_SAID = "said_digests"
# In a transcript's import and replace events (before and after): the digest of its source file's bytes.
# A transcript keeps only its newest; the log keeps each one it had, so a withdrawal refuses them all.
SOURCE_HASH = "source_hash"


def _withdrawals(session: Session) -> list[tuple[datetime, dict[str, Any]]]:
    """When each withdrawal event was logged and its `after`, oldest first: the one reader of their payload."""
    rows = session.execute(select(Event.at, Event.payload).where(Event.action == EventKind.PARTICIPANT_WITHDRAW.value).order_by(Event.id))
    return [(at, payload.get("after") or {}) for at, payload in rows if payload]


def withdrawal_records(session: Session) -> list[dict[str, Any]]:
    """The `after` of every withdrawal event, oldest first (empty for identifiers named later)."""
    return [after for _, after in _withdrawals(session)]


def withdrawn_as(session: Session, ref: str) -> str | None:
    """The id, as the log keeps it, of the participant who withdrew consent that `ref` names (in any case); None if no one did."""
    folded = ref.strip().casefold()
    return next((str(after[WITHDRAWN_ID]) for after in withdrawal_records(session)
                 if str(after.get(WITHDRAWN_ID) or "").casefold() == folded), None)


def withdrawn_before(session: Session, event_id: int) -> list[str]:
    """The ids of participants whose withdrawal was logged before the event `event_id`, oldest first."""
    rows = session.scalars(select(Event.payload).where(
        Event.action == EventKind.PARTICIPANT_WITHDRAW.value, Event.id < event_id).order_by(Event.id))
    return list(dict.fromkeys(str(after[WITHDRAWN_ID]) for payload in rows
                              if isinstance(payload, dict) and (after := payload.get("after") or {}).get(WITHDRAWN_ID)))


def source_hashes(session: Session, transcript_guid: str, newest: str | None) -> list[str]:
    """Every digest of a file the transcript's text came from: `newest`, and those its import and each
    replacement logged (an earlier version of the file, one that named no participant, or another label)."""
    payloads = session.scalars(select(Event.payload).where(
        Event.entity_guid == transcript_guid,
        Event.action.in_((EventKind.TRANSCRIPT_IMPORT.value, EventKind.TRANSCRIPT_REPLACE.value))))
    found = {str(state[SOURCE_HASH]) for payload in payloads for state in ((payload or {}).get("before"), (payload or {}).get("after"))
             if isinstance(state, dict) and state.get(SOURCE_HASH)}
    return sorted(found | ({newest} if newest else set()))


@dataclass(frozen=True)
class Withdrawn:
    """How many participants withdrew and on which days: counts made since leave them out, and a
    researcher comparing them with an earlier export would otherwise see numbers drop unexplained."""

    participants: int
    dates: tuple[str, ...]  # each day one withdrew, in local time, oldest first
    note: str  # the one line a face shows beside its counts


def withdrawn_participants(session: Session) -> Withdrawn | None:
    """Who withdrew, counted from the log (no name said: the project no longer has them); None when no one did."""
    first: dict[str, datetime] = {}  # by participant id, folded: a restore that withdraws them again logs them twice
    for at, after in _withdrawals(session):
        who = str(after.get(WITHDRAWN_ID) or "").casefold()
        if who and (who not in first or at < first[who]):
            first[who] = at
    if not first:
        return None
    dates = tuple(sorted({_local_day(at) for at in first.values()}))
    count = len(first)
    note = (f"{count} participant{'s' if count != 1 else ''} withdrew ({', '.join(dates)}); "
            "their words are not in these counts")
    return Withdrawn(count, dates, note)


def _local_day(at: datetime) -> str:
    """The day of `at` where the researcher is (SQLite gives back the stored UTC moment without its zone)."""
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone().date().isoformat()
