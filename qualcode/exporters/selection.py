"""Choosing the quotes for an export: by code, who said it, when, and what it says."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.codebook.service import CodeView, code_subtree_ids, find_code, list_codes
from qualcode.errors import InvalidInput
from qualcode.search.service import SearchFilters, search
from qualcode.store.lookup import LineIndex
from qualcode.store.models import Coder, Coding, Participant, Transcript, Turn

ORDERS = ("participant", "date")
SENTENCE_END = re.compile(r"[.!?…]\s*$")


@dataclass(frozen=True)
class QuoteFilter:
    """What to select. Empty lists mean no restriction."""

    codes: tuple[str, ...] = ()
    include_subcodes: bool = True
    roles: tuple[str, ...] = ()
    waves: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    transcripts: tuple[str, ...] = ()
    coders: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()
    query: str | None = None
    cap_per_participant: int | None = None
    order: str = "participant"


@dataclass(frozen=True)
class Quote:
    """A coded passage with everything an attribution or a table needs."""

    coding_id: int
    guid: str
    ref: str
    code_path: str
    excerpt: str
    memo: str | None
    coder: str
    transcript: str
    participant: str | None
    role: str | None
    office: str | None
    gender: str | None
    age_band: str | None
    wave: str | None
    interview_date: date | None
    fidelity: str | None
    speaker: str | None
    line: int
    turn: int | None
    start: int
    end: int
    cut_before: bool
    cut_after: bool
    context_before: str | None
    context_after: str | None
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def words(self) -> int:
        return len(self.excerpt.split())


def quote_ref(guid: str) -> str:
    """A short visible id that survives editing in Word: "S-" and six characters of the GUID."""
    return "S-" + guid.replace("-", "")[:6].upper()


def select_quotes(session: Session, selection: QuoteFilter) -> tuple[list[Quote], list[CodeView]]:
    """The selected quotes in report order, and the codes they are reported under."""
    if selection.order not in ORDERS:
        raise InvalidInput(f"order {selection.order!r} is not one of {', '.join(ORDERS)}")
    all_codes = list_codes(session)
    code_ids: set[int] | None = None
    if selection.codes:
        code_ids = set()
        for ref in selection.codes:
            code = find_code(session, ref)
            code_ids.update(code_subtree_ids(session, code) if selection.include_subcodes else [code.id])
    query = select(Coding).where(Coding.removed_at.is_(None)).join(Transcript, Coding.transcript_id == Transcript.id)
    query = query.where(Transcript.current_version_id == Coding.text_version_id)
    if code_ids is not None:
        query = query.where(Coding.code_id.in_(code_ids))
    if selection.transcripts:
        query = query.where(Transcript.name.in_(selection.transcripts))
    if selection.waves:
        query = query.where(Transcript.wave.in_(selection.waves))
    if selection.coders:
        query = query.join(Coder, Coding.coder_id == Coder.id).where(Coder.name.in_(selection.coders))
    codings = session.scalars(query).all()
    hits = _query_hits(session, selection.query) if selection.query else None
    quotes = []
    lines: dict[int, LineIndex] = {}
    for coding in codings:
        quote = _quote(session, coding, lines)
        if selection.roles and (quote.role or "") not in selection.roles:
            continue
        if selection.participants and (quote.participant or "") not in selection.participants:
            continue
        if any(_attribute(quote, name) != value for name, value in selection.attributes):
            continue
        if hits is not None and not any(t == quote.transcript and quote.start <= s < quote.end for t, s in hits):
            continue
        quotes.append(quote)
    position = {code.path: index for index, code in enumerate(all_codes)}

    def sort_key(quote: Quote) -> tuple[object, ...]:
        second: tuple[object, ...] = (
            (quote.participant or "~", quote.interview_date or date.max)
            if selection.order == "participant" else (quote.interview_date or date.max, quote.participant or "~")
        )
        return (position.get(quote.code_path, 0), *second, quote.transcript, quote.start)

    quotes.sort(key=sort_key)
    if selection.cap_per_participant is not None:
        quotes = _cap(quotes, selection.cap_per_participant)
    used = {quote.code_path for quote in quotes}
    shown = [code for code in all_codes if any(path == code.path or path.startswith(code.path + "/") for path in used)]
    return quotes, shown


def _cap(quotes: list[Quote], cap: int) -> list[Quote]:
    """At most `cap` quotes per participant under each code, so no one voice dominates a section."""
    if cap < 1:
        raise InvalidInput("the cap per participant must be at least 1")
    seen: Counter[tuple[str, str]] = Counter()
    kept = []
    for quote in quotes:
        slot = (quote.code_path, quote.participant or quote.transcript)
        if seen[slot] < cap:
            seen[slot] += 1
            kept.append(quote)
    return kept


def _attribute(quote: Quote, name: str) -> str | None:
    builtin = {"role": quote.role, "office": quote.office, "gender": quote.gender, "age_band": quote.age_band,
               "wave": quote.wave, "fidelity": quote.fidelity}
    return builtin[name] if name in builtin else quote.attributes.get(name)


def _query_hits(session: Session, query: str) -> list[tuple[str, int]]:
    result = search(session, query, SearchFilters(), limit=100_000)
    return [(hit.transcript, hit.start) for hit in result.hits]


def _quote(session: Session, coding: Coding, lines: dict[int, LineIndex]) -> Quote:
    transcript = coding.transcript
    version = transcript.current_version
    assert version is not None
    text = version.text
    if version.id not in lines:
        lines[version.id] = LineIndex(text)
    turns = version.turns
    turn_index = next((i for i, turn in enumerate(turns) if turn.start <= coding.start < turn.end), None)
    turn: Turn | None = turns[turn_index] if turn_index is not None else None
    participant: Participant | None = turn.participant if turn is not None else None
    if participant is None and turn is not None and turn.speaker is None and len(transcript.participant_links) == 1:
        participant = transcript.participant_links[0].participant
    attributes = {a.definition.name: a.value for a in transcript.attributes}
    if participant is not None:
        attributes.update({a.definition.name: a.value for a in participant.attributes})
    before = turns[turn_index - 1] if turn_index else None
    after = turns[turn_index + 1] if turn_index is not None and turn_index + 1 < len(turns) else None
    turn_start = turn.start if turn is not None else 0
    return Quote(
        coding_id=coding.id, guid=coding.guid, ref=quote_ref(coding.guid), code_path=coding.code.path,
        excerpt=coding.excerpt, memo=coding.memo, coder=coding.coder.name, transcript=transcript.name,
        participant=participant.name if participant else None, role=participant.role if participant else None,
        office=participant.office if participant else None, gender=participant.gender if participant else None,
        age_band=participant.age_band if participant else None, wave=transcript.wave,
        interview_date=transcript.interview_date, fidelity=transcript.fidelity,
        speaker=turn.speaker if turn is not None else None, line=lines[version.id].line(coding.start),
        turn=turn.seq if turn is not None else None, start=coding.start, end=coding.end,
        cut_before=coding.start > turn_start and not SENTENCE_END.search(text[turn_start:coding.start]),
        cut_after=not SENTENCE_END.search(coding.excerpt),
        context_before=_turn_text(text, before), context_after=_turn_text(text, after), attributes=attributes,
    )


def _turn_text(text: str, turn: Turn | None) -> str | None:
    if turn is None:
        return None
    label = f"{turn.speaker}: " if turn.speaker else ""
    return label + text[turn.start:turn.end]
