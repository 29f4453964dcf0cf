"""Consensus between two coders on one transcript: where their codings disagree, and deciding each disagreement.

Two codings of the same code by coders A and B agree when they overlap by at least 0.9 of the
longer one (as MAXQDA compares segments); every other coding of either is part of a disagreement.
A decision codes the passage under a consensus coder ("konsensus") through the ordinary coding
service, so it is an event on the undo stack of the person who decided, and the history names them.
The original coders' codings are never changed.

"Keep neither" codes nothing but is a decision all the same: a `consensus.neither` event of the
person who decided, naming the passage, the code and both coders. It has no row of its own; it
stands until its decider undoes it (the last undo or redo referring to it says which), and while it
stands the disagreement counts as decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.codebook.service import find_code
from qualcode.coding.coders import find_coder, get_or_create_coder
from qualcode.coding.service import CodingView, add_coding
from qualcode.errors import InvalidInput
from qualcode.store.events import EventKind, record_event
from qualcode.store.lookup import LineIndex, current_text, find_transcript
from qualcode.store.models import Code, Coder, Coding, Event, new_guid

CONSENSUS_CODER = "konsensus"
MIN_OVERLAP = 0.9  # of the longer coding, for two codings of one code to agree


class Choice(StrEnum):
    """What a team decided about one disagreement."""

    A = "a"  # keep A's coding
    B = "b"  # keep B's coding
    BOTH = "both"  # keep the passage either coded: one coding spanning both
    NEITHER = "neither"  # code nothing here
    EDIT = "edit"  # code a span the team gives


@dataclass(frozen=True)
class Side:
    """One coder's coding in a disagreement."""

    coding_id: int
    start: int
    end: int


@dataclass(frozen=True)
class Disagreement:
    """One code on one passage where A and B differ; `a` or `b` is None where that coder did not code it."""

    transcript: str
    code_path: str
    coder_a: str
    coder_b: str
    a: Side | None
    b: Side | None
    line: int
    excerpt: str
    # The consensus coder's live coding of this code overlapping the passage, once decided.
    decided: Side | None
    # Whether a standing decision says to code neither coder's passage here.
    kept_neither: bool = False

    @property
    def settled(self) -> bool:
        """Whether the team has decided this disagreement, by coding it or by keeping neither."""
        return self.decided is not None or self.kept_neither

    @property
    def ref(self) -> str:
        """Four characters that name this disagreement (its code and both passages): a number in
        the list can come to mean another one when someone codes meanwhile; this cannot."""
        import hashlib

        sides = [None if side is None else (side.coding_id, side.start, side.end) for side in (self.a, self.b)]
        return hashlib.sha256(repr((self.code_path, sides)).encode()).hexdigest()[:4]

    @property
    def start(self) -> int:
        return min(side.start for side in (self.a, self.b) if side is not None)

    @property
    def end(self) -> int:
        return max(side.end for side in (self.a, self.b) if side is not None)


def overlaps_enough(first: tuple[int, int], second: tuple[int, int], share: float = MIN_OVERLAP) -> bool:
    """Whether two spans overlap by at least `share` of the longer one."""
    common = min(first[1], second[1]) - max(first[0], second[0])
    return common > 0 and common >= share * max(first[1] - first[0], second[1] - second[0])


def _live(session: Session, transcript_id: int, coder_id: int) -> list[tuple[str, Side]]:
    rows = session.execute(
        select(Code.path, Coding.id, Coding.start, Coding.end).join(Code, Coding.code_id == Code.id)
        .where(Coding.transcript_id == transcript_id, Coding.coder_id == coder_id, Coding.removed_at.is_(None))
        .order_by(Coding.start, Coding.id)
    )
    return [(path, Side(coding_id, start, end)) for path, coding_id, start, end in rows]


def standing_neither(session: Session, transcript_guid: str | None = None) -> list[dict[str, Any]]:
    """The payloads of the standing decisions to code neither passage (on one transcript, or all)."""
    query = select(Event.id, Event.payload).where(Event.action == EventKind.CONSENSUS_NEITHER.value)
    if transcript_guid is not None:
        query = query.where(Event.payload[("after", "transcript_guid")].as_string() == transcript_guid)
    made = session.execute(query).all()
    if not made:
        return []
    # Undo and redo of one event alternate, so the last of them says whether the decision stands.
    last: dict[int | None, str] = {}
    for refers_to, action in session.execute(
        select(Event.refers_to_id, Event.action)
        .where(Event.refers_to_id.in_([event_id for event_id, _ in made]),
               Event.action.in_((EventKind.UNDO.value, EventKind.REDO.value)))
        .order_by(Event.id)
    ):
        last[refers_to] = action
    return [payload for event_id, payload in made if last.get(event_id) != EventKind.UNDO.value]


def _kept_neither(session: Session, transcript_guid: str) -> list[tuple[str, int, int]]:
    """The standing decisions to code neither passage on the transcript, as (code GUID, start, end)."""
    return [
        (payload["after"]["code_guid"], payload["after"]["start"], payload["after"]["end"])
        for payload in standing_neither(session, transcript_guid)
    ]


def coders_of(session: Session, transcript_ref: str) -> list[str]:
    """The coders with live codings on the transcript, by name, the consensus coder left out."""
    transcript = find_transcript(session, transcript_ref)
    names = session.scalars(
        select(Coder.name).join(Coding, Coding.coder_id == Coder.id)
        .where(Coding.transcript_id == transcript.id, Coding.removed_at.is_(None), Coder.name != CONSENSUS_CODER)
        .distinct().order_by(Coder.name)
    )
    return list(names)


def disagreements(
    session: Session, transcript_ref: str, coder_a: str, coder_b: str, consensus_coder: str = CONSENSUS_CODER
) -> list[Disagreement]:
    """Where A's and B's codings on the transcript disagree, in text order, each with the consensus decision if made."""
    if coder_a == coder_b:
        raise InvalidInput(f"compare two different coders, not {coder_a} with themself")
    transcript = find_transcript(session, transcript_ref)
    text = current_text(transcript).text
    first, second = find_coder(session, coder_a), find_coder(session, coder_b)
    consensus = session.scalar(select(Coder).where(Coder.name == consensus_coder))
    decided = _live(session, transcript.id, consensus.id) if consensus is not None else []
    neither = _kept_neither(session, transcript.guid)
    code_paths = {guid: path for guid, path in session.execute(
        select(Code.guid, Code.path).where(Code.guid.in_({guid for guid, _, _ in neither})))}
    kept_neither = [(code_paths[guid], start, end) for guid, start, end in neither if guid in code_paths]
    a_codings, b_codings = _live(session, transcript.id, first.id), _live(session, transcript.id, second.id)
    # Agreeing pairs first, so a coding that agrees with one of the other's is never paired as a disagreement.
    b_open = list(b_codings)
    a_open: list[tuple[str, Side]] = []
    for path, side in a_codings:
        match = next((other for other in b_open if other[0] == path and overlaps_enough(
            (side.start, side.end), (other[1].start, other[1].end))), None)
        if match is None:
            a_open.append((path, side))
        else:
            b_open.remove(match)
    pairs: list[tuple[str, Side | None, Side | None]] = []
    for path, side in a_open:  # A's coding with an overlapping one of B's of the same code: one disagreement
        match = next((other for other in b_open if other[0] == path and min(side.end, other[1].end) > max(side.start, other[1].start)), None)
        if match is not None:
            b_open.remove(match)
        pairs.append((path, side, match[1] if match else None))
    pairs += [(path, None, side) for path, side in b_open]
    lines = LineIndex(text)
    found = []
    for path, a, b in pairs:
        start = min(side.start for side in (a, b) if side is not None)
        end = max(side.end for side in (a, b) if side is not None)
        settled = next((side for code, side in decided if code == path and min(end, side.end) > max(start, side.start)), None)
        refused = any(code == path and min(end, until) > max(start, since) for code, since, until in kept_neither)
        found.append(Disagreement(
            transcript=transcript.name, code_path=path, coder_a=coder_a, coder_b=coder_b, a=a, b=b,
            line=lines.line(start), excerpt=text[start:end], decided=settled, kept_neither=refused,
        ))
    found.sort(key=lambda item: (item.start, item.end, item.code_path))
    return found


def decide(
    session: Session, disagreement: Disagreement, choice: Choice, decided_by: Coder, *,
    span: tuple[int, int] | None = None, consensus_coder: str = CONSENSUS_CODER,
) -> CodingView | None:
    """Settle one disagreement: the consensus coder's coding for it (None for `neither`, which is recorded as an
    event only), made by `decided_by`."""
    if disagreement.settled:
        raise InvalidInput(
            f"this {disagreement.code_path} disagreement on line {disagreement.line} is decided already",
            "undo that decision first (ctrl+z, or `qualcode undo`)",
        )
    if choice is Choice.NEITHER:
        _keep_neither(session, disagreement, decided_by, consensus_coder)
        return None
    if choice is Choice.EDIT:
        if span is None:
            raise InvalidInput("an edited decision needs the passage to code", "select the passage first")
        if span[0] >= span[1]:
            raise InvalidInput(f"the edited passage {span[0]}-{span[1]} ends before it starts", "give --start before --end")
        if not min(span[1], disagreement.end) > max(span[0], disagreement.start):
            # A passage elsewhere would leave this disagreement undecided and code something no one compared.
            raise InvalidInput(
                f"the edited passage {span[0]}-{span[1]} is outside the disagreement ({disagreement.start}-{disagreement.end})",
                "choose a passage that overlaps it",
            )
        chosen = span
    elif choice is Choice.BOTH:
        chosen = (disagreement.start, disagreement.end)
    else:
        side = disagreement.a if choice is Choice.A else disagreement.b
        who = disagreement.coder_a if choice is Choice.A else disagreement.coder_b
        if side is None:
            raise InvalidInput(f"{who} did not code this passage {disagreement.code_path}", "keep the other's, or neither")
        chosen = (side.start, side.end)
    consensus = get_or_create_coder(session, consensus_coder)
    what = {
        Choice.A: f"kept {disagreement.coder_a}'s", Choice.B: f"kept {disagreement.coder_b}'s",
        Choice.BOTH: "kept both", Choice.EDIT: "edited",
    }[choice]
    return add_coding(
        session, disagreement.transcript, disagreement.code_path, consensus, start=chosen[0], end=chosen[1],
        decided_by=decided_by, decision=f"{what}, {disagreement.coder_a} / {disagreement.coder_b}",
        consensus=decision_fields(session, choice, disagreement, consensus_coder),
        new_span=choice is Choice.EDIT,  # a coder's span is kept as they coded it, even on a speaker label
    )


def _keep_neither(session: Session, disagreement: Disagreement, decided_by: Coder, consensus_coder: str) -> None:
    transcript = find_transcript(session, disagreement.transcript)
    code = find_code(session, disagreement.code_path)
    start, end = disagreement.start, disagreement.end
    # No excerpt in the summary: a participant's withdrawal finds this event by its transcript only, so on a group
    # interview, which stays, the event must hold none of their words.
    record_event(
        session, kind=EventKind.CONSENSUS_NEITHER, coder=decided_by, entity_guid=new_guid(), before=None,
        after={"transcript_guid": transcript.guid, "code_guid": code.guid, "start": start, "end": end},
        summary=f"coded nothing in {transcript.name} {start}-{end} as {code.path} for {consensus_coder}"
        f" (kept neither, {disagreement.coder_a} / {disagreement.coder_b})",
        consensus=decision_fields(session, Choice.NEITHER, disagreement, consensus_coder),
    )


def decision_fields(session: Session, choice: Choice, disagreement: Disagreement, consensus_coder: str) -> dict[str, str]:
    """What a decision's event records of it: for whom, how, and between which two coders (names and GUIDs)."""
    first, second = find_coder(session, disagreement.coder_a), find_coder(session, disagreement.coder_b)
    return {
        "coder": consensus_coder, "choice": choice.value,
        "coder_a": first.name, "coder_a_guid": first.guid, "coder_b": second.name, "coder_b_guid": second.guid,
    }


def counted_beside_its_coders(session: Session, coders: Sequence[str], consensus_coder: str = CONSENSUS_CODER) -> bool:
    """Whether a count of these coders' codings (none named: everyone's) counts the consensus coder's
    beside others': its codings copy passages decided between two coders, so such a count holds a
    decided passage once more than the coders made it."""
    if coders and (consensus_coder not in coders or len(coders) == 1):
        return False
    return session.scalar(
        select(Coding.id).join(Coder, Coding.coder_id == Coder.id)
        .where(Coder.name == consensus_coder, Coding.removed_at.is_(None)).limit(1)
    ) is not None
