"""What the report's method note says about consensus: which coders the consensus coder's codings
settled disagreements between, and how far those coders agreed before, by turn, on the transcripts
holding the decisions.

The coders are read from each decision's event, so a consensus coding names the two coders it was
decided between even after one of them has left the project's other transcripts: from the fields
coding/consensus.py records (`payload["consensus"]`), or, in events written before it recorded them,
from the summary's "for <consensus> (<what>, A / B)". A standing decision to keep neither passage,
or to keep a passage the consensus coder coded already (by another pair's decision), counts as a
decision on its transcript too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.agreement.service import agreement
from qualcode.coding.consensus import CONSENSUS_CODER, EVENT_DECISIONS, standing_event_decisions
from qualcode.coding.passages import QuoteFilter
from qualcode.errors import QualcodeError
from qualcode.exporters.report import ConsensusPair
from qualcode.store.events import EventKind
from qualcode.store.models import Coder, Coding, Event, Transcript

UNIT = "turn"  # the method note states agreement by turn: a unit a reader of a report recognises


def consensus_pairs(session: Session, selection: QuoteFilter, consensus_coder: str = CONSENSUS_CODER) -> tuple[ConsensusPair, ...]:
    """Each pair of coders the consensus coder's live codings (in the selection's transcripts) were decided between,
    with their agreement before consensus; empty when nothing was decided by consensus."""
    decided_by = re.compile(rf" for {re.escape(consensus_coder)} \((?:[^,]*), (.+?) / (.+?)\): ")
    query = (
        select(Transcript.name, Event.summary, Event.payload, Event.at)
        .join(Coding, Coding.transcript_id == Transcript.id).join(Coder, Coding.coder_id == Coder.id)
        .join(Event, Event.entity_guid == Coding.guid)
        .where(Coder.name == consensus_coder, Coding.removed_at.is_(None), Event.action == EventKind.CODING_ADD.value)
    )
    if selection.transcripts:
        query = query.where(Transcript.name.in_(selection.transcripts))
    transcripts: dict[tuple[str, str], set[str]] = defaultdict(set)
    # When the first decision between them in each transcript was made: what they coded there after
    # it is not what they coded before consensus (coding transcript by transcript, the next one's
    # codings come after the last one's decisions, and are before its own).
    decided_at: dict[tuple[tuple[str, str], str], datetime] = {}

    def decided(pair: tuple[str, str], transcript: str, at: datetime) -> None:
        decided_at[pair, transcript] = min(decided_at.get((pair, transcript), at), at)

    for transcript, summary, payload, at in session.execute(query):
        fields = payload.get("consensus")
        if fields is not None:
            first, second = sorted((fields["coder_a"], fields["coder_b"]))
        elif (found := decided_by.search(summary)) is not None:
            first, second = sorted((found.group(1), found.group(2)))
        else:
            continue
        transcripts[(first, second)].add(transcript)
        decided((first, second), transcript, at)
    names_by_guid = {guid: name for guid, name in session.execute(select(Transcript.guid, Transcript.name))}
    for at, payload in session.execute(select(Event.at, Event.payload).where(Event.action.in_(EVENT_DECISIONS))):
        fields = payload.get("consensus") or {}
        where = names_by_guid.get(str((payload.get("after") or {}).get("transcript_guid")))
        if fields.get("coder") == consensus_coder and "coder_a" in fields and where is not None:
            decided((min(fields["coder_a"], fields["coder_b"]), max(fields["coder_a"], fields["coder_b"])), where, at)
    for payload in standing_event_decisions(session):
        fields, transcript = payload["consensus"], names_by_guid.get(payload["after"]["transcript_guid"])
        if fields["coder"] == consensus_coder and transcript is not None and (
            not selection.transcripts or transcript in selection.transcripts
        ):
            transcripts[(min(fields["coder_a"], fields["coder_b"]), max(fields["coder_a"], fields["coder_b"]))].add(transcript)
    pairs = []
    for (first, second), names in sorted(transcripts.items()):
        try:
            measured = agreement(session, QuoteFilter(transcripts=tuple(sorted(names))), UNIT, (first, second), listed=False)
        except QualcodeError:
            # One of them coded nothing in these transcripts (the other's codings were all kept): no figure to state.
            pairs.append(ConsensusPair(consensus_coder, first, second, len(names), 0, None, None, "Cohen's kappa"))
            continue
        overall = measured.overall
        changed, blind = _since(session, {name: decided_at.get(((first, second), name)) for name in names}, (first, second))
        pairs.append(ConsensusPair(
            consensus_coder, first, second, len(names), overall.percent.units,
            overall.percent.value, overall.kappa.value, measured.kappa_name, changed_by=changed, blind=blind,
        ))
    return tuple(pairs)


# What changes a coder's codings as agreement reads them; a memo on a coding does not.
_CHANGES_CODING = tuple(kind.value for kind in (
    EventKind.CODING_ADD, EventKind.CODING_REMOVE, EventKind.CODING_RESIZE, EventKind.CODING_RECODE, EventKind.UNDO, EventKind.REDO,
))


def _since(session: Session, decided: dict[str, datetime | None], coders: tuple[str, str]) -> tuple[tuple[str, ...], bool]:
    """Which of the two coders' codings in a transcript changed after the first decision between them
    there (their agreement is measured on the codings as they are, so it is then not the agreement
    before consensus), and whether every one of them was made blind (neither saw the other's)."""
    changed: set[str] = set()
    for name, when in decided.items():
        if when is None:
            continue
        changed.update(session.scalars(
            select(Coder.name).distinct().join(Coding, Coding.coder_id == Coder.id)
            .join(Transcript, Coding.transcript_id == Transcript.id).join(Event, Event.entity_guid == Coding.guid)
            .where(Transcript.name == name, Coder.name.in_(coders), Event.action.in_(_CHANGES_CODING), Event.at > when)
        ))
    theirs = (
        select(Coding.guid).join(Transcript, Coding.transcript_id == Transcript.id).join(Coder, Coding.coder_id == Coder.id)
        .where(Transcript.name.in_(list(decided)), Coder.name.in_(coders))
    )
    live = theirs.where(Coding.removed_at.is_(None))
    made = session.scalars(select(Event.payload).where(Event.action == EventKind.CODING_ADD.value, Event.entity_guid.in_(live))).all()
    # A coding removed, resized or recoded (or a change undone or redone) once its coder could see the
    # other's shaped the agreement as much as one made then: each change of theirs must be blind too.
    changes = session.scalars(select(Event.payload).join(Coder, Event.coder_id == Coder.id).where(
        Event.action.in_(_CHANGES_CODING), Event.entity_guid.in_(theirs), Coder.name.in_(coders))).all()
    blind = bool(made) and all((payload.get("after") or {}).get("blind") is True for payload in [*made, *changes])
    return tuple(coder for coder in coders if coder in changed), blind
