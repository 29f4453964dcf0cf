"""Consensus between two coders on one transcript: where their codings disagree, and deciding each disagreement.

Each coder's codings of one code that overlap or touch are one passage, as agreement merges them
(analysis.passages). Two passages of the same code by coders A and B agree when they overlap by at
least 0.9 of the longer one (as MAXQDA compares segments); every other passage of either is part of
a disagreement: those of one code that overlap, A's and B's, and those overlapping them in turn, are
one, so A's one long passage over two shorter ones of B's is one disagreement, B's side holding both.
A decision codes the passages kept under a consensus coder ("konsensus") through the ordinary coding
service, one coding per passage (B's two, kept, are two), as one change on the undo stack of the
person who decided (its events marked together, with how many codings it made), and the history
names them. The original coders' codings are never changed.

"Keep neither" codes nothing but is a decision all the same: a `consensus.neither` event of the
person who decided, naming the passage, the code and both coders. With three coders or more, a
decision may keep a passage the consensus coder codes already (another pair's decision coded it):
a `consensus.keep` event keeps that coding rather than coding it twice. Neither has a row of its
own; each stands until its decider undoes it (the last undo or redo referring to it says which) or
someone reopens it, and while it stands the disagreement counts as decided.

`reopen` takes back the decision on one disagreement, whoever made it, as one undoable change of
whoever asks: the codings it made are removed (coding.remove), an event decision gets a
`consensus.reopen` event referring to it. It is refused while later work rests on a coding it made.

A decision belongs to the two coders it was made between and to the codings it was made on: its
event records both (`decision_fields`). It decides the disagreement made of exactly those codings,
as they were; once one of them changes or goes, it is stale: still listed where it was, with what
changed, and the disagreement is to be decided again once it is taken back.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from qualcode.codebook.service import find_code
from qualcode.coding.coders import CONSENSUS_CODER as CONSENSUS_CODER  # others import it from here
from qualcode.coding.coders import find_coder, get_or_create_coder
from qualcode.coding.passages import QuoteFilter, selected_code_ids, selected_codings
from qualcode.coding.service import CodingView, add_coding, coding_state, remove_coding, view_coding
from qualcode.errors import ChangedSince, InvalidInput, NotFound
from qualcode.store.events import TOGETHER, EventKind, hold_write_lock, record_event
from qualcode.store.lookup import LineIndex, current_text, find_transcript
from qualcode.store.models import (
    Code,
    Coder,
    Coding,
    Event,
    FrameworkSummary,
    Memo,
    Participant,
    Transcript,
    new_guid,
)

MIN_OVERLAP = 0.9  # of the longer coding, for two codings of one code to agree


class Choice(StrEnum):
    """What a team decided about one disagreement."""

    A = "a"  # keep A's passages there
    B = "b"  # keep B's passages there
    BOTH = "both"  # keep the passage either coded: one coding spanning both
    NEITHER = "neither"  # code nothing here
    EDIT = "edit"  # code a span the team gives


@dataclass(frozen=True)
class Side:
    """One coder's version in a disagreement: their passages of the code there (each their codings that overlap or
    touch, merged), usually one; `start` and `end` span them all."""

    coding_id: int  # the first of its codings in the text
    start: int
    end: int
    coding_ids: tuple[int, ...] = ()
    guids: tuple[str, ...] = ()  # the codings' GUIDs, which a decision records as what it was made on
    spans: tuple[tuple[int, int], ...] = ()  # its passages, when more than one (with a gap between them)

    @property
    def passages(self) -> tuple[tuple[int, int], ...]:
        """Its passages as (start, end), in text order."""
        return self.spans or ((self.start, self.end),)


@dataclass(frozen=True)
class Decision:
    """A decision recorded between the two coders, as it stands now."""

    decided_by: str  # who decided
    start: int  # the consensus coder's coding(s) as they are now, or the passage kept neither of
    end: int
    coding_id: int | None  # the (first) consensus coder's coding it holds; None when it kept neither
    # What changed since in the codings it was made on ("" while they are as they were): it then decides nothing.
    stale: str = ""
    choice: str = ""  # a Choice's value ("" in decisions recorded before their events said)
    codings: tuple[tuple[int, int, int], ...] = ()  # the consensus coder's codings it holds: (start, end, id)
    events: tuple[int, ...] = ()  # the standing events that hold it (reopen takes them back)

    @property
    def neither(self) -> bool:
        """Whether it decided to code neither coder's passage."""
        return self.choice == Choice.NEITHER.value

    @property
    def what(self) -> str:
        if self.neither:
            return "kept neither"
        return "coded " + (", ".join(f"{start}-{end}" for start, end, _ in self.codings) or f"{self.start}-{self.end}")


@dataclass(frozen=True)
class Disagreement:
    """One code on one passage where A and B differ; `a` or `b` is None where that coder did not code it (both are
    None for a stale decision whose codings no longer disagree anywhere: it is listed on its own, where it was)."""

    transcript: str
    code_path: str
    coder_a: str
    coder_b: str
    a: Side | None
    b: Side | None
    line: int
    excerpt: str
    # The decisions made on it; more than one only when stale ones, made on codings that changed since, met here.
    decisions: tuple[Decision, ...] = ()

    @property
    def decided(self) -> Side | None:
        """The consensus coder's coding(s) a decision holds here, if one does."""
        made = next((decision for decision in self.decisions if decision.coding_id is not None), None)
        if made is None or made.coding_id is None:
            return None
        spans = tuple((start, end) for start, end, _ in made.codings)
        return Side(made.coding_id, made.start, made.end, tuple(coding_id for _, _, coding_id in made.codings),
                    spans=spans if len(spans) > 1 else ())

    @property
    def kept_neither(self) -> bool:
        """Whether a standing decision says to code neither coder's passage here."""
        return any(decision.neither for decision in self.decisions)

    @property
    def stale(self) -> str:
        """What changed since in the codings a decision here was made on; "" when none did."""
        return "; ".join(decision.stale for decision in self.decisions if decision.stale)

    @property
    def settled(self) -> bool:
        """Whether the team has decided this disagreement, by coding it or by keeping neither, on the codings as they are."""
        return bool(self.decisions) and not self.stale

    @property
    def ref(self) -> str:
        """Four characters that name this disagreement (its code and both passages): a number in
        the list can come to mean another one when someone codes meanwhile; this cannot."""
        sides: list[Any] = [None if side is None else (side.coding_ids, side.start, side.end) for side in (self.a, self.b)]
        if self.a is None and self.b is None:  # a stale decision listed on its own is named by it
            sides = [(decision.coding_id, decision.start, decision.end) for decision in self.decisions]
        return hashlib.sha256(repr((self.code_path, sides)).encode()).hexdigest()[:4]

    @property
    def start(self) -> int:
        return min(side.start for side in self._spans())

    @property
    def end(self) -> int:
        return max(side.end for side in self._spans())

    def _spans(self) -> list[Side | Decision]:
        sides = [side for side in (self.a, self.b) if side is not None]
        return list(sides) if sides else list(self.decisions)


@dataclass(frozen=True)
class _Recorded:
    """A decision as its events record it, between the two coders compared."""

    event_id: int  # its first event
    decided_by: str
    code_path: str
    start: int
    end: int
    coding_id: int | None
    # The GUIDs of A's and of B's codings it was made on (in the compared order); None when made before they were recorded.
    basis: tuple[frozenset[str], frozenset[str]] | None
    choice: str = ""
    codings: tuple[tuple[int, int, int], ...] = ()  # the consensus coder's live codings it holds: (start, end, id)
    gone: str = ""  # what of it was taken back since ("" when nothing was)
    events: tuple[int, ...] = ()

    def now(self, stale: str = "") -> Decision:
        stale = ", ".join(part for part in (self.gone, stale) if part)
        return Decision(self.decided_by, self.start, self.end, self.coding_id, stale, self.choice, self.codings, self.events)


def overlaps_enough(first: tuple[int, int], second: tuple[int, int], share: float = MIN_OVERLAP) -> bool:
    """Whether two spans overlap by at least `share` of the longer one."""
    common = min(first[1], second[1]) - max(first[0], second[0])
    return common > 0 and common >= share * max(first[1] - first[0], second[1] - second[0])


def _live(session: Session, transcript: Transcript, coder_id: int) -> list[tuple[str, Side]]:
    """The coder's passages on the transcript's current text, per code, in text order: their codings of one code that
    overlap or touch merged, as agreement merges them (analysis.passages), so the two never count differently."""
    rows = session.execute(
        select(Code.path, Coding.id, Coding.guid, Coding.start, Coding.end).join(Code, Coding.code_id == Code.id)
        .where(Coding.transcript_id == transcript.id, Coding.coder_id == coder_id, Coding.removed_at.is_(None),
               Coding.text_version_id == transcript.current_version_id)
        .order_by(Coding.start, Coding.id)
    )
    passages: list[tuple[str, Side]] = []
    opened: dict[str, int] = {}  # code path -> its passage reaching furthest so far
    for path, coding_id, guid, start, end in rows:
        index = opened.get(path)
        if index is not None and start <= passages[index][1].end:
            side = passages[index][1]
            passages[index] = (path, Side(side.coding_id, side.start, max(side.end, end),
                                          (*side.coding_ids, coding_id), (*side.guids, guid)))
        else:
            opened[path] = len(passages)
            passages.append((path, Side(coding_id, start, end, (coding_id,), (guid,))))
    return passages


# The decisions recorded as an event of their own, with no coding made: to keep neither passage, and to keep a
# passage the consensus coder codes already.
EVENT_DECISIONS = (EventKind.CONSENSUS_NEITHER.value, EventKind.CONSENSUS_KEEP.value)


def _standing_event_decisions(
    session: Session, transcript_guid: str | None = None,
) -> list[tuple[int, str, int | None, dict[str, Any]]]:
    """The standing decisions recorded as events of their own (on one transcript, or all): event id, action, decider
    id and payload."""
    query = select(Event.id, Event.action, Event.coder_id, Event.payload).where(Event.action.in_(EVENT_DECISIONS))
    if transcript_guid is not None:
        query = query.where(Event.payload[("after", "transcript_guid")].as_string() == transcript_guid)
    made = session.execute(query.order_by(Event.id)).all()
    if not made:
        return []
    # Undo and redo of one event alternate, so the last of them says whether the decision stands; and it no longer
    # does once someone took it back (consensus.reopen) and has not undone that.
    taken_back = _taken_back(session, [event_id for event_id, _, _, _ in made])
    return [(event_id, action, coder_id, payload) for event_id, action, coder_id, payload in made if event_id not in taken_back]


def _taken_back(session: Session, event_ids: list[int]) -> set[int]:
    """Which of the events (decisions recorded as events of their own) their deciders undid, or someone reopened."""
    steps = (EventKind.UNDO.value, EventKind.REDO.value)
    last: dict[int | None, str] = {}
    reopened: dict[int, int | None] = {}  # a reopen's event -> the decision's it took back
    for event_id, refers_to, action in session.execute(
        select(Event.id, Event.refers_to_id, Event.action)
        .where(Event.refers_to_id.in_(event_ids), Event.action.in_((*steps, EventKind.CONSENSUS_REOPEN.value)))
        .order_by(Event.id)
    ):
        if action == EventKind.CONSENSUS_REOPEN.value:
            reopened[event_id] = refers_to
        else:
            last[refers_to] = action
    if reopened:
        for refers_to, action in session.execute(
            select(Event.refers_to_id, Event.action).where(Event.refers_to_id.in_(list(reopened)), Event.action.in_(steps))
            .order_by(Event.id)
        ):
            last[refers_to] = action
    undone = {event_id for event_id, action in last.items() if action == EventKind.UNDO.value and event_id is not None}
    return (undone & set(event_ids)) | {decision for reopen, decision in reopened.items()
                                        if reopen not in undone and decision is not None}


def standing_event_decisions(session: Session, transcript_guid: str | None = None) -> list[dict[str, Any]]:
    """The payloads of the standing decisions recorded as events of their own, to keep neither passage or one the
    consensus coder codes already (on one transcript, or all)."""
    return [payload for _, _, _, payload in _standing_event_decisions(session, transcript_guid)]


def standing_decisions(session: Session) -> int:
    """How many decisions stand in the project, on every transcript and between any two coders: those that coded
    (one however many of the consensus coder's live codings it made) and those recorded as events of their own."""
    decisions = {str(payload.get(TOGETHER) or event_id) for event_id, _, _, payload in _standing_event_decisions(session)}
    for event_id, summary, payload in session.execute(
        select(Event.id, Event.summary, Event.payload).join(Coding, Event.entity_guid == Coding.guid)
        .join(Coder, Coding.coder_id == Coder.id)
        .where(Event.action == EventKind.CODING_ADD.value, Coder.name == CONSENSUS_CODER, Coding.removed_at.is_(None))
    ):
        # A decision's coding: one an import or an older event made says nothing of a decision.
        if "consensus" in payload or f" for {CONSENSUS_CODER} (" in summary:
            decisions.add(str(payload.get(TOGETHER) or event_id))
    return len(decisions)


def _coders_on(session: Session, transcript: Transcript, leave_out: str | None = CONSENSUS_CODER) -> list[str]:
    query = (
        select(Coder.name).join(Coding, Coding.coder_id == Coder.id)
        .where(Coding.transcript_id == transcript.id, Coding.removed_at.is_(None),
               Coding.text_version_id == transcript.current_version_id)
    )
    if leave_out is not None:
        query = query.where(Coder.name != leave_out)
    return list(session.scalars(query.distinct().order_by(Coder.name)))


def coders_of(session: Session, transcript_ref: str) -> list[str]:
    """The coders with live codings on the transcript, by name, the consensus coder left out."""
    return _coders_on(session, find_transcript(session, transcript_ref))


def choose_pair(session: Session, transcript_ref: str, named: Sequence[str]) -> tuple[str, str]:
    """The two coders to compare on the transcript, by their names as stored: the two `named` (found as every command
    finds a coder, so "forsker 1" is Forsker 1), or, none named, the two who coded it."""
    transcript = find_transcript(session, transcript_ref)
    if not named:
        coded = _coders_on(session, transcript)
        if len(coded) < 2:
            # One of two compared here removed every coding since: their decisions stand, to be seen and taken back.
            decided = [pair for pair in _decided_pairs(session, transcript) if set(coded) <= set(pair)]
            if len(decided) == 1:
                return decided[0]
            raise InvalidInput(
                f"{transcript.name} was coded by {', '.join(coded) or 'no one'}; consensus needs two coders",
                "choose a transcript two coders coded (`qualcode coding list --transcript T` shows who)",
            )
        if len(coded) > 2:
            raise InvalidInput(
                f"{len(coded)} coders coded {transcript.name}, so say which two to compare",
                f"--coders A,B with two of: {', '.join(coded)}",
            )
        return coded[0], coded[1]
    if len(named) != 2:
        raise InvalidInput(f"consensus is between two coders, and --coders names {len(named)}", "give --coders A,B")
    first, second = (find_coder(session, name) for name in named)
    if first.id == second.id:
        raise InvalidInput(f"compare two different coders, not {first.name} with themself", "give --coders A,B")
    # The consensus coder counts here when named: comparing a coder with the decisions is a question one may ask.
    coded = _coders_on(session, transcript, leave_out=None)
    for coder in (first, second):
        # A coder who never coded the transcript would disagree with everything the other coded; one who removed
        # every coding since a decision between the two did not, and the decision, stale now, is to be seen.
        if coder.name not in coded and not _recorded(session, transcript, first, second, CONSENSUS_CODER):
            raise InvalidInput(f"{coder.name} coded nothing in {transcript.name}, so there is nothing to compare",
                               f"choose two of those who coded it: {', '.join(coded) or 'no one yet'}")
    return first.name, second.name


def _decided_pairs(session: Session, transcript: Transcript) -> list[tuple[str, str]]:
    """The pairs of coders (by name, as the decisions named them) between whom decisions stand on the transcript."""
    made = [(summary, payload) for summary, payload in session.execute(
        select(Event.summary, Event.payload).join(Coding, Event.entity_guid == Coding.guid).join(Coder, Coding.coder_id == Coder.id)
        .where(Event.action == EventKind.CODING_ADD.value, Coder.name == CONSENSUS_CODER, Coding.transcript_id == transcript.id,
               Coding.removed_at.is_(None), Coding.text_version_id == transcript.current_version_id))]
    made += [("", payload) for _, _, _, payload in _standing_event_decisions(session, transcript.guid)]
    pairs = {pair for summary, payload in made if (pair := _pair_of(session, payload.get("consensus") or {}, summary)) is not None}
    return sorted(pairs)


# How an event written before the decision's fields names the two coders (as the method note reads it).
_BETWEEN = re.compile(r" for .+? \((?:[^,]*), (.+?) / (.+?)\): ")


def _order(payload: dict[str, Any], summary: str, first: Coder, second: Coder) -> int:
    """1 when a decision's event says it was made between `first` and `second`, -1 between them named the other way
    round, 0 between others."""
    fields = payload.get("consensus") or {}
    if "coder_a_guid" in fields:
        between, ours = (fields["coder_a_guid"], fields["coder_b_guid"]), (first.guid, second.guid)
    elif "coder_a" in fields:
        between, ours = (fields["coder_a"], fields["coder_b"]), (first.name, second.name)
    elif (found := _BETWEEN.search(summary)) is not None:
        between, ours = (found.group(1), found.group(2)), (first.name, second.name)
    else:  # coded under the consensus coder by hand: no decision between anyone
        return 0
    return 1 if between == ours else -1 if between == ours[::-1] else 0


def _basis(payload: dict[str, Any], order: int) -> tuple[frozenset[str], frozenset[str]] | None:
    fields = payload.get("consensus") or {}
    if "a_codings" not in fields:
        return None
    sides = frozenset(str(fields["a_codings"]).split()), frozenset(str(fields["b_codings"]).split())
    return sides if order > 0 else (sides[1], sides[0])


def _recorded(session: Session, transcript: Transcript, first: Coder, second: Coder, consensus_coder: str) -> list[_Recorded]:
    """The decisions that stand between the two coders on the transcript: the consensus coder's live codings made by
    a decision between them, and their standing decisions recorded as events (to keep neither, or a passage the
    consensus coder coded already)."""
    decider, made_for = aliased(Coder), aliased(Coder)
    coded = session.execute(
        select(Event.id, decider.name, Event.summary, Event.payload, Code.path, Code.guid, Coding.id, Coding.start, Coding.end)
        .join(Coding, Event.entity_guid == Coding.guid).join(made_for, Coding.coder_id == made_for.id)
        .join(Code, Coding.code_id == Code.id).outerjoin(decider, Event.coder_id == decider.id)
        .where(Event.action == EventKind.CODING_ADD.value, made_for.name == consensus_coder,
               Coding.transcript_id == transcript.id, Coding.removed_at.is_(None),
               Coding.text_version_id == transcript.current_version_id)
        .order_by(Event.id)
    )
    # One decision may hold several codings (keeping a coder's two passages), made or kept: its events share a key.
    parts: dict[str, list[_Part]] = {}
    for event_id, name, summary, payload, path, code_guid, coding_id, start, end in coded:
        if order := _order(payload, summary, first, second):
            recoded = (payload.get("after") or {}).get("code_guid") not in (None, code_guid)
            parts.setdefault(str(payload.get(TOGETHER) or event_id), []).append(
                _Part(event_id, name or "someone", payload, path, order, (start, end), (start, end, coding_id), recoded))
    found = []
    standing = _standing_event_decisions(session, transcript.guid)
    code_paths = dict(session.execute(select(Code.guid, Code.path).where(
        Code.guid.in_({payload["after"]["code_guid"] for _, _, _, payload in standing}))).all())
    names = dict(session.execute(select(Coder.id, Coder.name)).all())
    # The consensus coder's codings the decisions to keep one hold, while they are live on the current text.
    kept = {guid: (start, end, coding_id) for guid, start, end, coding_id in session.execute(
        select(Coding.guid, Coding.start, Coding.end, Coding.id).where(
            Coding.guid.in_({str(payload["after"].get("coding_guid")) for _, _, _, payload in standing}),
            Coding.transcript_id == transcript.id, Coding.removed_at.is_(None),
            Coding.text_version_id == transcript.current_version_id))}
    for event_id, action, coder_id, payload in standing:
        after, path = payload["after"], code_paths.get(payload["after"]["code_guid"])
        if (payload.get("consensus") or {}).get("coder", consensus_coder) != consensus_coder or path is None:
            continue
        if not (order := _order(payload, "", first, second)):
            continue
        who = (names.get(coder_id) if coder_id is not None else None) or "someone"
        if action == EventKind.CONSENSUS_NEITHER.value:
            found.append(_Recorded(event_id, who, path, after["start"], after["end"], None, _basis(payload, order),
                                   Choice.NEITHER.value, events=(event_id,)))
        else:
            parts.setdefault(str(payload.get(TOGETHER) or event_id), []).append(_Part(
                event_id, who, payload, path, order, (after["start"], after["end"]), kept.get(str(after.get("coding_guid")))))
    for held in parts.values():
        found.append(_decision_of(sorted(held, key=lambda part: part.event_id)))
    return sorted(found, key=lambda decision: decision.event_id)


@dataclass(frozen=True)
class _Part:
    """One event of a decision that codes: a coding it made, or one it kept that the consensus coder coded already."""

    event_id: int
    decided_by: str
    payload: dict[str, Any]
    code_path: str
    order: int  # see _order
    span: tuple[int, int]  # as recorded
    coding: tuple[int, int, int] | None  # the consensus coder's coding it holds now (start, end, id); None once gone
    recoded: bool = False  # the coding it made has another code now


def _decision_of(parts: list[_Part]) -> _Recorded:
    """A decision from its parts, in the order they were made."""
    first = parts[0]
    fields = first.payload.get("consensus") or {}
    codings = tuple(part.coding for part in parts if part.coding is not None)
    recorded = int(fields.get("parts", 1))
    missing = recorded - len(codings)
    gone = "" if missing <= 0 else "the consensus coding it kept was removed since" if recorded == 1 else (
        f"{missing} of the {recorded} consensus codings it kept {'was' if missing == 1 else 'were'} removed since")
    if any(part.recoded for part in parts):  # listed with the code it has now, where neither coder coded it
        gone = ", ".join(filter(None, (gone, "the consensus coding it made was recoded since")))
    spans = [coding[:2] for coding in codings] or [part.span for part in parts]
    return _Recorded(
        first.event_id, first.decided_by, first.code_path, min(start for start, _ in spans), max(end for _, end in spans),
        codings[0][2] if codings else None, _basis(first.payload, first.order), str(fields.get("choice", "")), codings, gone,
        tuple(part.event_id for part in parts),
    )


def _last_changes(session: Session, guids: set[str]) -> dict[str, int]:
    """Each coding's last change a decision rests on (its span, its code, whether it is live; not its memo), by event id."""
    if not guids:
        return {}
    memo = EventKind.CODING_MEMO.value
    taken_back = aliased(Event)
    rows = session.execute(
        select(Event.entity_guid, func.max(Event.id)).outerjoin(taken_back, Event.refers_to_id == taken_back.id)
        .where(Event.entity_guid.in_(guids), Event.action != memo, taken_back.action.is_(None) | (taken_back.action != memo))
        .group_by(Event.entity_guid)
    )
    return {guid: last for guid, last in rows if guid is not None}


def _what_changed(
    decision: _Recorded, now: tuple[frozenset[str], frozenset[str]] | None, live: set[str], changes: dict[str, int],
    names: tuple[str, str], orphans: Mapping[str, tuple[int, str]],
) -> str:
    """What changed in the codings a decision was made on ("" if nothing did); `now` is the codings of the
    disagreement it is listed with, None when it is listed on its own."""
    assert decision.basis is not None
    parts = []
    for basis, current, name in zip(decision.basis, now or (frozenset(), frozenset()), names, strict=True):
        if (basis - live) & orphans.keys():  # not removed by anyone: a replaced text left it no place
            parts.append(f"{name}'s coding lost its place in a replaced text")
        elif basis - live:
            parts.append(f"{name}'s coding was removed")
        elif any(changes.get(guid, 0) > decision.event_id for guid in basis):
            parts.append(f"{name}'s coding changed")
        elif now is not None and current and not basis:
            parts.append(f"{name} coded it since")
        elif now is not None and current > basis and all(changes.get(guid, 0) < decision.event_id for guid in current - basis):
            # Made on part of the side: before one coder's passages inside the other's were one disagreement.
            parts.append(f"{name}'s passages there were not all shown when it was made")
        elif now is not None and current > basis:
            parts.append(f"{name} coded more of it")
        elif now is not None and current != basis:
            parts.append(f"{name}'s passage there is made of other codings now")
    if now is None and not parts and not decision.gone:
        parts.append("the two codings agree now")
    return ", ".join(parts)


def _place(
    pairs: list[tuple[str, Side | None, Side | None]], recorded: list[_Recorded], live: set[str], changes: dict[str, int],
    names: tuple[str, str], orphans: Mapping[str, tuple[int, str]],
) -> tuple[list[list[Decision]], list[tuple[str, Decision, frozenset[str]]]]:
    """Each disagreement's decisions, and the stale decisions whose codings no longer disagree (with their code path).

    A decision decides the disagreement made of exactly the codings it was made on, if none of them changed since;
    else it is stale, listed with the disagreement that holds one of its codings now, or on its own."""
    placed: list[list[Decision]] = [[] for _ in pairs]
    alone: list[tuple[str, Decision, frozenset[str]]] = []  # with the codings it was made on
    codings = [tuple(frozenset(side.guids if side else ()) for side in (a, b)) for _, a, b in pairs]
    for decision in recorded:
        same_code = [index for index, (path, _, _) in enumerate(pairs) if path == decision.code_path]
        if decision.basis is None:  # made before decisions recorded their codings: the disagreement it overlaps most
            index = max(same_code, key=lambda index: _overlap(pairs[index], decision), default=None)
            if index is not None and _overlap(pairs[index], decision) > 0:
                placed[index].append(decision.now())
            else:
                alone.append((decision.code_path, decision.now("its disagreement is no longer there"), frozenset()))
            continue
        basis = decision.basis
        index = next((index for index in same_code if codings[index] == basis), None)
        if index is None:
            index = next((index for index in same_code if (codings[index][0] | codings[index][1]) & (basis[0] | basis[1])), None)
        if index is None:
            alone.append((decision.code_path, decision.now(_what_changed(decision, None, live, changes, names, orphans)),
                          basis[0] | basis[1]))
        else:
            now = (codings[index][0], codings[index][1])
            placed[index].append(decision.now(_what_changed(decision, now, live, changes, names, orphans)))
    return placed, alone


def _overlap(pair: tuple[str, Side | None, Side | None], decision: _Recorded) -> int:
    sides = [side for side in pair[1:] if side is not None]
    start, end = min(side.start for side in sides), max(side.end for side in sides)
    return min(end, decision.end) - max(start, decision.start)


def _pairs(a_codings: list[tuple[str, Side]], b_codings: list[tuple[str, Side]]) -> list[tuple[str, Side | None, Side | None]]:
    """A's and B's passages that disagree, as (code path, A's, B's): the passages of one code that overlap, the one
    coder's and the other's, and those overlapping them in turn, are one disagreement, each side holding all of its
    coder's passages there. (Paired one to one, A's long passage over two of B's shorter ones was listed with the
    first of them, and the second as a disagreement A had not coded.)"""
    # Agreeing pairs first, so a passage that agrees with one of the other's is never part of a disagreement.
    b_open = list(b_codings)
    a_open: list[tuple[str, Side]] = []
    for path, side in a_codings:
        match = next((other for other in b_open if other[0] == path and overlaps_enough(
            (side.start, side.end), (other[1].start, other[1].end))), None)
        if match is None:
            a_open.append((path, side))
        else:
            b_open.remove(match)
    placed = sorted([(side.start, side.end, 0, path, side) for path, side in a_open]
                    + [(side.start, side.end, 1, path, side) for path, side in b_open], key=lambda item: item[:3])
    groups: list[tuple[str, tuple[list[Side], list[Side]]]] = []  # code path, and A's and B's passages
    reach: dict[str, tuple[int, int]] = {}  # code path -> its open group (index) and how far that reaches
    for start, end, who, path, side in placed:
        # In order of their starts, a passage beginning before the open group of its code ends overlaps one of its
        # passages (a coder's own passages never overlap: overlapping or touching, they are one), so it joins it.
        index, until = reach.get(path, (-1, -1))
        if index < 0 or start >= until:
            index = len(groups)
            groups.append((path, ([], [])))
        groups[index][1][who].append(side)
        reach[path] = (index, max(until, end))
    return [(path, _joined(a_sides), _joined(b_sides)) for path, (a_sides, b_sides) in groups]


def _joined(sides: list[Side]) -> Side | None:
    """One coder's passages in a disagreement as one side; None for none."""
    if not sides:
        return None
    if len(sides) == 1:
        return sides[0]
    return Side(
        sides[0].coding_id, min(side.start for side in sides), max(side.end for side in sides),
        tuple(coding_id for side in sides for coding_id in side.coding_ids), tuple(guid for side in sides for guid in side.guids),
        spans=tuple((side.start, side.end) for side in sides),
    )


def disagreements(
    session: Session, transcript_ref: str, coder_a: str, coder_b: str, consensus_coder: str = CONSENSUS_CODER
) -> list[Disagreement]:
    """Where A's and B's codings on the transcript disagree, in text order, each with the decisions made on it between
    the two; a stale decision whose codings disagree nowhere now is listed on its own, where it was."""
    transcript = find_transcript(session, transcript_ref)
    text = current_text(transcript).text
    first, second = find_coder(session, coder_a), find_coder(session, coder_b)
    if first.id == second.id:
        raise InvalidInput(f"compare two different coders, not {first.name} with themself", "give --coders A,B")
    a_codings, b_codings = _live(session, transcript, first.id), _live(session, transcript, second.id)
    pairs = _pairs(a_codings, b_codings)
    recorded = _recorded(session, transcript, first, second, consensus_coder)
    live = {guid for _, side in (*a_codings, *b_codings) for guid in side.guids}
    made_on = {guid for decision in recorded if decision.basis for guid in decision.basis[0] | decision.basis[1]}
    # Codings a replaced text left no place: a decision made on them is shown with their words, not
    # with its old offsets read in the new text.
    orphans = {guid: (start, excerpt) for guid, start, excerpt in session.execute(
        select(Coding.guid, Coding.start, Coding.excerpt).where(
            Coding.transcript_id == transcript.id, Coding.orphaned_at.is_not(None), Coding.guid.in_(made_on)))}
    # And the codings beside them in their disagreements now: whether those were coded since the decision.
    beside: set[str] = set()
    for _, *sides in pairs:
        guids = {guid for side in sides if side is not None for guid in side.guids}
        beside |= guids if guids & made_on else set()
    placed, alone = _place(pairs, recorded, live, _last_changes(session, made_on | beside), (first.name, second.name), orphans)
    lines = LineIndex(text)

    def listed(path: str, a: Side | None, b: Side | None, decisions: list[Decision], basis: frozenset[str] = frozenset()) -> Disagreement:
        spans: Sequence[Side | Decision] = [side for side in (a, b) if side is not None] or decisions
        start, end = min(span.start for span in spans), max(span.end for span in spans)
        gone = next((orphans[guid] for guid in sorted(basis) if guid in orphans), None)
        return Disagreement(
            transcript=transcript.name, code_path=path, coder_a=first.name, coder_b=second.name, a=a, b=b,
            line=lines.line(gone[0] if gone else start), excerpt=gone[1] if gone else text[start:end], decisions=tuple(decisions),
        )

    found = [listed(path, a, b, decisions) for (path, a, b), decisions in zip(pairs, placed, strict=True)]
    found += [listed(path, None, None, [decision], basis) for path, decision, basis in alone]
    found.sort(key=lambda item: (item.start, item.end, item.code_path))
    return found


def decide(
    session: Session, disagreement: Disagreement, choice: Choice, decided_by: Coder, *,
    span: tuple[int, int] | None = None, consensus_coder: str = CONSENSUS_CODER,
) -> list[CodingView]:
    """Settle one disagreement: the consensus coder's codings for it (one per passage kept; none for `neither`, which
    is recorded as an event only), made by `decided_by` as one undoable change. The disagreement is read again in
    this transaction, the project's writers held off: one shown a while ago (a screen's, a list's) may be on codings
    removed or moved since, and would code words nobody compared."""
    disagreement = _as_it_is_now(session, disagreement, consensus_coder, "decide on them")
    if disagreement.decisions:
        raise _decided_already(disagreement, decided_by)
    if consensus_coder in (disagreement.coder_a, disagreement.coder_b):
        raise InvalidInput(
            f"{consensus_coder}'s codings are the decisions, so there is nothing to decide between them and a coder's",
            "decide between two coders, as --coders A,B",
        )
    if choice is Choice.NEITHER:
        _keep_neither(session, disagreement, decided_by, consensus_coder)
        return []
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
        chosen = [span]
    elif choice is Choice.BOTH:
        # Both of one side: the method note would tell of a decision to keep two coders' passages.
        missing = [who for side, who in ((disagreement.a, disagreement.coder_a), (disagreement.b, disagreement.coder_b)) if side is None]
        if missing:
            kept = disagreement.coder_b if disagreement.a is None else disagreement.coder_a
            raise InvalidInput(f"{missing[0]} did not code this passage {disagreement.code_path}, so there are not both to keep",
                               f"keep {kept}'s, or neither")
        # The passages either coded overlap one another in a chain (that is what makes them one disagreement), so
        # together they are one span.
        chosen = [(disagreement.start, disagreement.end)]
    else:
        side = disagreement.a if choice is Choice.A else disagreement.b
        who = disagreement.coder_a if choice is Choice.A else disagreement.coder_b
        if side is None:
            raise InvalidInput(f"{who} did not code this passage {disagreement.code_path}", "keep the other's, or neither")
        chosen = list(side.passages)
    consensus = get_or_create_coder(session, consensus_coder, by=decided_by)  # the first decision adds it, as its decider
    what = {
        Choice.A: f"kept {disagreement.coder_a}'s", Choice.B: f"kept {disagreement.coder_b}'s",
        Choice.BOTH: "kept both", Choice.EDIT: "edited",
    }[choice]
    # A coder's version of several passages is kept as several codings: one decision, which undo takes back whole.
    together = new_guid()
    fields = decision_fields(session, choice, disagreement, consensus_coder) | {"parts": str(len(chosen))}
    transcript, code = find_transcript(session, disagreement.transcript), find_code(session, disagreement.code_path)
    made = []
    for start, end in chosen:
        # With three coders or more, another pair's decision may have coded this passage already (B|C keeping C's,
        # after A|C kept C's): the decision keeps that coding, as a second one would be refused as a duplicate.
        already = session.scalar(select(Coding).where(
            Coding.transcript_id == transcript.id, Coding.code_id == code.id, Coding.coder_id == consensus.id,
            Coding.start == start, Coding.end == end, Coding.removed_at.is_(None),
            Coding.text_version_id == transcript.current_version_id))
        if already is not None:
            made.append(_keep_coded(session, disagreement, already, decided_by, what, fields, together))
            continue
        made.append(add_coding(
            session, disagreement.transcript, disagreement.code_path, consensus, start=start, end=end,
            decided_by=decided_by, decision=f"{what}, {disagreement.coder_a} / {disagreement.coder_b}", consensus=fields,
            new_span=choice is Choice.EDIT,  # a coder's span is kept as they coded it, even on a speaker label
            together=together,
        ))
    return made


def _keep_coded(
    session: Session, disagreement: Disagreement, coding: Coding, decided_by: Coder, what: str, fields: dict[str, str],
    together: str,
) -> CodingView:
    """Record a decision's keeping of a passage the consensus coder codes already, as an event of its own; the
    coding, as it is (unchanged: `changed` False)."""
    transcript = coding.transcript
    record_event(
        session, kind=EventKind.CONSENSUS_KEEP, coder=decided_by, entity_guid=new_guid(), before=None,
        after={"transcript_guid": transcript.guid, "code_guid": coding.code.guid, "start": coding.start, "end": coding.end,
               "coding_guid": coding.guid},
        # No excerpt, as for keeping neither: a withdrawal finds this event by its transcript only.
        summary=f"kept {transcript.name} {coding.start}-{coding.end} as {coding.code.path} for {coding.coder.name},"
        f" coded so already by coding {coding.id} ({what}, {disagreement.coder_a} / {disagreement.coder_b})",
        consensus=fields, together=together,
    )
    return replace(view_coding(session, coding), changed=False)


def _as_it_is_now(session: Session, disagreement: Disagreement, consensus_coder: str, to_do: str) -> Disagreement:
    """The disagreement as it is now, read holding the project's writers off; refused if it is not there any more."""
    hold_write_lock(session)
    now = {item.ref: item for item in disagreements(session, disagreement.transcript, disagreement.coder_a,
                                                      disagreement.coder_b, consensus_coder)}.get(disagreement.ref)
    if now is None:
        raise ChangedSince(
            f"this {disagreement.code_path} disagreement on line {disagreement.line} has changed since it was shown "
            "(a coding of it was changed or removed, or the text rewritten)",
            f"look at the disagreements again and {to_do} as they are now",
        )
    return now


def reopen(session: Session, disagreement: Disagreement, by: Coder, consensus_coder: str = CONSENSUS_CODER) -> list[Decision]:
    """Take back the decision on one disagreement (each one, where stale decisions met there), as `by`'s one
    undoable change, so it can be decided again; the decisions taken back. Anyone may, as anyone may change the
    consensus coder's codings, and no one's later changes are undone with it (undo takes back only one's latest).

    The codings are put back as they were before the decision: the consensus coder's codings it made are removed
    (coding.remove events, kept in the log), a coding it kept that another decision made stays, and a decision
    recorded as an event of its own is taken back by a consensus.reopen event. Refused, changing nothing, while later
    work rests on a coding it made: a change to it since, a memo or a framework summary written on it, or another
    pair's decision keeping it."""
    disagreement = _as_it_is_now(session, disagreement, consensus_coder, "take back the decision on it")
    where = f"{disagreement.code_path} disagreement on line {disagreement.line}"
    if not disagreement.decisions:
        raise InvalidInput(f"this {where} is not decided, so there is no decision to take back",
                           "decide it with `qualcode consensus decide` (a, b, 2, 0 or e on the compare screen)")
    held = [(decision, session.get_one(Event, event_id)) for decision in disagreement.decisions for event_id in decision.events]
    made = {event.id: session.scalars(select(Coding).where(Coding.guid == event.entity_guid)).one()
            for _, event in held if event.action == EventKind.CODING_ADD.value}
    for event_id, coding in made.items():
        _refuse_if_rested_on(session, coding, session.get_one(Event, event_id), f"the decision on this {where}")
    transcript = find_transcript(session, disagreement.transcript)
    together = new_guid()
    for decision, event in held:
        between = f"{decision.decided_by}'s decision, {disagreement.coder_a} / {disagreement.coder_b}"
        if event.action == EventKind.CODING_ADD.value:
            remove_coding(session, made[event.id].id, by, why=f"took back {between}", together=together)
            continue
        after = event.payload["after"]
        kept = "kept neither" if event.action == EventKind.CONSENSUS_NEITHER.value else "kept what it coded already"
        # No excerpt, as in the decision's own event: a withdrawal finds it by its transcript only.
        record_event(
            session, kind=EventKind.CONSENSUS_REOPEN, coder=by, entity_guid=event.entity_guid, before=after, after=None,
            refers_to=event, together=together,
            summary=f"took back {between}, on {transcript.name} {after['start']}-{after['end']} as {disagreement.code_path}"
            f" for {consensus_coder} ({kept})",
        )
    return list(disagreement.decisions)


def _refuse_if_rested_on(session: Session, coding: Coding, made: Event, what: str) -> None:
    """Refuse to take back a decision while later work rests on the consensus coder's coding it made (`made`):
    removing the coding would drop it, or leave it resting on a coding that is gone."""
    cannot = f"{what} cannot be taken back: consensus coding {coding.id}, which it made,"
    yourself = f"remove the coding yourself if that is meant: `qualcode coding remove {coding.id}`"
    recorded = made.payload.get("after") or {}
    same = ("code_guid", "excerpt", "memo")
    if any(coding_state(coding)[name] != recorded.get(name) for name in same):
        change = session.execute(
            select(Event.summary, Coder.name).outerjoin(Coder, Event.coder_id == Coder.id)
            .where(Event.entity_guid == coding.guid, Event.id > made.id,
                   Event.action.in_((EventKind.CODING_RESIZE.value, EventKind.CODING_RECODE.value, EventKind.CODING_MEMO.value)))
            .order_by(Event.id.desc()).limit(1)
        ).first()
        since = f" ({change[0]}, by {change[1] or 'someone'})" if change is not None else ""
        raise InvalidInput(f"{cannot} was changed since{since}, and taking it back would drop that",
                           f"undo that change first; or {yourself}")
    memos = session.scalars(select(Memo.id).where(Memo.coding_id == coding.id, Memo.removed_at.is_(None)).order_by(Memo.id)).all()
    if memos:
        raise InvalidInput(f"{cannot} has {len(memos)} memo{'s' if len(memos) > 1 else ''} written on it since",
                           f"remove {'them' if len(memos) > 1 else 'it'} first (`qualcode memo remove {memos[0]}`); or {yourself}")
    summaries = [(participant, code) for participant, code, guids in session.execute(
        select(Participant.name, Code.path, FrameworkSummary.coding_guids)
        .join(Participant, FrameworkSummary.participant_id == Participant.id).join(Code, FrameworkSummary.code_id == Code.id)
        .where(FrameworkSummary.removed_at.is_(None))) if coding.guid in (guids or [])]
    if summaries:
        participant, code = summaries[0]
        raise InvalidInput(f"{cannot} is among the passages the framework summary of {participant} under {code} was written on",
                           f"clear that summary first (`qualcode framework clear {participant} {code}`); or {yourself}")
    for payload in standing_event_decisions(session, coding.transcript.guid):
        if (payload["after"] or {}).get("coding_guid") == coding.guid:
            fields = payload.get("consensus") or {}
            pair = f"{fields.get('coder_a')},{fields.get('coder_b')}"
            raise InvalidInput(f"{cannot} is kept by a decision between {fields.get('coder_a')} and {fields.get('coder_b')} too",
                               f'take that one back first: `qualcode consensus reopen N --transcript {coding.transcript.name} --coders "{pair}"`')


def refuse_deciding_twice(session: Session, made: Sequence[Event], doing: str, consensus_coder: str = CONSENSUS_CODER) -> None:
    """Refuse an undo or redo that has just made the decisions `made` records (their first events) stand again where
    another decision decides the disagreement now: it would stand beside that one, the disagreement kept neither and
    coded at once. Read after the step, so the decision is placed as the list places it; the caller
    takes the step back on the refusal (a savepoint)."""
    # Every event of the decisions made to stand: one step may bring back several at once (a reopening took back
    # stale decisions that met on one disagreement), which stood together before.
    ours = set()
    for event in made:
        key = event.payload.get(TOGETHER)
        ours |= {event.id} if key is None else set(session.scalars(
            select(Event.id).where(Event.coder_id == event.coder_id, Event.payload[TOGETHER].as_string() == str(key))))
    for event in made:
        fields = event.payload.get("consensus") or {}
        if event.action == EventKind.CODING_ADD.value:
            coding = session.scalar(select(Coding).where(Coding.guid == event.entity_guid))
            if coding is None or coding.coder.name != consensus_coder:
                continue
            transcript: Transcript | None = coding.transcript
        else:
            transcript = session.scalar(select(Transcript).where(
                Transcript.guid == str((event.payload.get("after") or {}).get("transcript_guid"))))
        pair = _pair_of(session, fields, event.summary)
        if transcript is None or pair is None or fields.get("coder", consensus_coder) != consensus_coder:
            continue
        for item in disagreements(session, transcript.name, pair[0], pair[1], consensus_coder):
            if not any(ours & set(decision.events) for decision in item.decisions):
                continue
            # One deciding the disagreement as it is now; a stale one may have stood beside it before (decisions made
            # apart that met once the codings changed), and is to be taken back with it anyway.
            other = next((decision for decision in item.decisions if not ours & set(decision.events) and not decision.stale), None)
            if other is None:
                continue
            raise InvalidInput(
                f"{other.decided_by} decided this {item.code_path} disagreement on line {item.line} again since"
                f" ({other.what}), so your {doing} would make a second decision stand there; nothing was changed",
                f"take that decision back first (`qualcode consensus reopen` with its number, --transcript"
                f' {item.transcript} --coders "{item.coder_a},{item.coder_b}"; r on the compare screen), then {doing} again',
            )


def _pair_of(session: Session, fields: Mapping[str, Any], summary: str) -> tuple[str, str] | None:
    """The names of the two coders a decision's event says it was made between, as they are called now."""
    if "coder_a_guid" in fields:
        found = dict(session.execute(select(Coder.guid, Coder.name).where(
            Coder.guid.in_((fields["coder_a_guid"], fields["coder_b_guid"])))).all())
        first, second = found.get(fields["coder_a_guid"]), found.get(fields["coder_b_guid"])
        return (first, second) if first and second else None
    if "coder_a" in fields:
        return str(fields["coder_a"]), str(fields["coder_b"])
    if (between := _BETWEEN.search(summary)) is not None:  # written before decisions recorded their fields
        return between.group(1), between.group(2)
    return None


def _decided_already(disagreement: Disagreement, asking: Coder) -> InvalidInput:
    """The refusal to decide again, naming who decided and how that can be taken back: reopen takes back this one
    decision, whoever made it; undo only the asker's own latest change."""
    decision = next((decision for decision in disagreement.decisions if decision.stale), disagreement.decisions[0])
    where = f"this {disagreement.code_path} disagreement on line {disagreement.line}"
    made = f"by {decision.decided_by} ({decision.what})"
    if decision.stale:
        message = f"{where} was decided {made} on codings that changed since ({decision.stale})"
    else:
        message = f"{where} is decided already, {made}"
    hint = ("take it back first: `qualcode consensus reopen` with its number and the same --transcript and --coders"
            " (r on the compare screen), then decide again")
    if decision.decided_by == asking.name:
        hint += "; or `qualcode undo` (ctrl+z), while it is your latest change"
    return InvalidInput(message, hint)


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
    """What a decision's event records of it: for whom, how, between which two coders (names and GUIDs), and on
    which of their codings (GUIDs, space-separated: the fields are strings)."""
    first, second = find_coder(session, disagreement.coder_a), find_coder(session, disagreement.coder_b)
    return {
        "coder": consensus_coder, "choice": choice.value,
        "coder_a": first.name, "coder_a_guid": first.guid, "coder_b": second.name, "coder_b_guid": second.guid,
        # The codings it was made on, so it decides only their disagreement, and is seen stale once one changes.
        "a_codings": " ".join(disagreement.a.guids if disagreement.a else ()),
        "b_codings": " ".join(disagreement.b.guids if disagreement.b else ()),
    }


def counted_note(consensus_coder: str = CONSENSUS_CODER) -> str:
    """What a count that holds the consensus coder's codings beside the coders' own says of itself, in every face."""
    return f"the counts hold {consensus_coder}'s codings, copies of passages decided between two coders, beside theirs"


def counted_beside_its_coders(session: Session, selection: QuoteFilter, consensus_coder: str = CONSENSUS_CODER) -> bool:
    """Whether a count of the selection's codings (its coders', none named: everyone's) counts the
    consensus coder's beside others': its codings copy passages decided between two coders, so such
    a count holds a decided passage once more than the coders made it. Only where the consensus
    coder coded in the selection's transcripts, rounds and codes: it was said of every count."""
    coders = selection.coders
    if coders and (consensus_coder not in coders or len(coders) == 1):
        return False
    try:
        code_ids = selected_code_ids(session, selection)
    except NotFound:  # the command says so itself
        return False
    query = selected_codings(select(Coding.id), replace(selection, coders=(consensus_coder,)), code_ids)
    return session.scalar(query.limit(1)) is not None
