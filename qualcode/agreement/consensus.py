"""What the report's method note says about consensus: which coders the consensus coder's codings
settled disagreements between, and how far those coders agreed before, by turn, on the transcripts
holding the decisions.

The coders are read from each decision's event, so a consensus coding names the two coders it was
decided between even after one of them has left the project's other transcripts: from the fields
coding/consensus.py records (`payload["consensus"]`), or, in events written before it recorded them,
from the summary's "for <consensus> (<what>, A / B)". A standing decision to keep neither passage
counts as a decision on its transcript too.
"""

from __future__ import annotations

import re
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.agreement.service import agreement
from qualcode.coding.consensus import CONSENSUS_CODER, standing_neither
from qualcode.coding.passages import QuoteFilter
from qualcode.errors import QualcodeError
from qualcode.exporters.report import ConsensusPair
from qualcode.store.events import EventKind
from qualcode.store.models import Coder, Coding, Event, Transcript

UNIT = "turn"  # the method note states agreement by turn: a unit a reader of a report recognises


def consensus_pairs(session: Session, selection: QuoteFilter, consensus_coder: str = CONSENSUS_CODER) -> tuple[ConsensusPair, ...]:
    """Each pair of coders the consensus coder's live codings (in the selection's transcripts) were decided between,
    with their agreement before consensus; empty when nothing was decided by consensus."""
    decided = re.compile(rf" for {re.escape(consensus_coder)} \((?:[^,]*), (.+?) / (.+?)\): ")
    query = (
        select(Transcript.name, Event.summary, Event.payload)
        .join(Coding, Coding.transcript_id == Transcript.id).join(Coder, Coding.coder_id == Coder.id)
        .join(Event, Event.entity_guid == Coding.guid)
        .where(Coder.name == consensus_coder, Coding.removed_at.is_(None), Event.action == EventKind.CODING_ADD.value)
    )
    if selection.transcripts:
        query = query.where(Transcript.name.in_(selection.transcripts))
    transcripts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for transcript, summary, payload in session.execute(query):
        fields = payload.get("consensus")
        if fields is not None:
            first, second = sorted((fields["coder_a"], fields["coder_b"]))
        elif (found := decided.search(summary)) is not None:
            first, second = sorted((found.group(1), found.group(2)))
        else:
            continue
        transcripts[(first, second)].add(transcript)
    names_by_guid = {guid: name for guid, name in session.execute(select(Transcript.guid, Transcript.name))}
    for payload in standing_neither(session):
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
        pairs.append(ConsensusPair(
            consensus_coder, first, second, len(names), overall.percent.units,
            overall.percent.value, overall.kappa.value, measured.kappa_name,
        ))
    return tuple(pairs)
