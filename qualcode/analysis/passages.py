"""Coded passages: the one place where selected codings become the passages every analysis table counts.

Public: Passage, Unit, Selected, passages(), selected(), population(), tally(), column_names(),
check_column(), code_rows(), sort_values(), describe(), COLUMNS, COUNTS.

The rules (qualcode/analysis/rules.py): codings are live codings on a transcript's current text;
overlapping or touching codings of one code by one coder in one transcript merge into one passage;
with `rollup`, a code's passages merge its own and its descendants' codings. A passage is
attributed like the `Quote` of its first coding (coding/passages.py): the participant of the turn
that coding starts in, or the transcript's only participant for a turn without a speaker label.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.analysis.rules import NONE
from qualcode.codebook.service import CodeView, find_code, list_codes
from qualcode.coding.passages import (
    PARTICIPANT_COLUMNS,
    TRANSCRIPT_COLUMNS,
    QuoteFilter,
    attribute_names,
    check_selection,
    known_hint,
    natural_key,
    nothing_selected,
)
from qualcode.errors import InvalidInput
from qualcode.search.service import SearchFilters, search
from qualcode.store.models import (
    AttributeDefinition,
    Code,
    Coder,
    Coding,
    Participant,
    ParticipantAttribute,
    TextVersion,
    Transcript,
    TranscriptAttribute,
    TranscriptParticipant,
    Turn,
)

# Columns every passage has beyond the participants' and transcripts' attributes.
IDENTITY_COLUMNS = ("participant", "transcript", "coder")
COLUMNS = (*PARTICIPANT_COLUMNS, *TRANSCRIPT_COLUMNS, *IDENTITY_COLUMNS)
COUNTS = ("passages", "participants", "transcripts", "words")


@dataclass(frozen=True, slots=True)
class Passage:
    """A merged stretch of one transcript that one coder gave one code (rolled up from its sub-codes)."""

    code_id: int
    code_path: str
    coder: str
    transcript_id: int
    transcript: str
    participant: str | None
    start: int
    end: int
    text: str
    coding_ids: tuple[int, ...]  # the codings it merges, earliest first
    # role, gender, age_band, office, wave, fidelity and the typed attributes; shared between passages.
    values: Mapping[str, str | None] = field(compare=False, hash=False, repr=False)

    @property
    def words(self) -> int:
        return len(self.text.split())

    def value(self, name: str) -> str:
        """The passage's value of a column (an attribute, participant, transcript or coder); NONE if it has none."""
        if name == "coder":
            return self.coder
        if name == "transcript":
            return self.transcript
        if name == "participant":
            return self.participant or NONE
        return self.values.get(name) or NONE


@dataclass(frozen=True, slots=True)
class Unit:
    """A participant in a transcript (or a transcript without participants): what a column's size counts."""

    transcript: str
    participant: str | None
    values: Mapping[str, str | None] = field(compare=False, hash=False, repr=False)

    def value(self, name: str) -> str:
        if name == "transcript":
            return self.transcript
        if name == "participant":
            return self.participant or NONE
        return self.values.get(name) or NONE


@dataclass(frozen=True)
class Selected:
    """The passages of a selection and the codes they are counted under, in codebook order."""

    passages: list[Passage]
    codes: list[CodeView]  # the selected codes (with sub-codes unless excluded) in tree order
    roots: frozenset[int]  # ids of the codes with no selected ancestor: their passages make the totals


def selected(session: Session, selection: QuoteFilter, *, rollup: bool = True) -> Selected:
    """The passages of `selection` with their codes; nothing selected is a NotFound (never an empty table)."""
    found = passages(session, selection, rollup=rollup)
    if not found:
        raise nothing_selected(session, selection)
    codes = code_rows(session, selection)
    ids = {code.id for code in codes}
    parents = _parents(session)
    roots = frozenset(code.id for code in codes if not (_ancestors(code.id, parents) & ids))
    return Selected(found, codes, roots)


def code_rows(session: Session, selection: QuoteFilter) -> list[CodeView]:
    """The codes a table has rows for: every code, or those chosen (with their sub-codes unless excluded)."""
    codes = list_codes(session)
    if not selection.codes:
        return codes
    chosen = _selected_code_ids(session, selection)
    return [code for code in codes if code.id in chosen]


def passages(session: Session, selection: QuoteFilter | None = None, *, rollup: bool = True) -> list[Passage]:
    """The passages of the selected codings, per code, in codebook, transcript, coder and text order.

    With `rollup`, each code's passages merge the codings of the code and of its selected
    descendants; without it, each code's own codings only. Unknown names in the selection are
    refused with the known ones (check_selection), an unknown code by find_code.
    """
    selection = selection or QuoteFilter()
    attributes = check_selection(session, selection)
    code_ids = _selected_code_ids(session, selection) if selection.codes else None
    query = (
        select(Coding.id, Coding.transcript_id, Coding.text_version_id, Coding.code_id, Coding.coder_id,
               Coding.start, Coding.end)
        .join(Transcript, Coding.transcript_id == Transcript.id)
        .where(Coding.removed_at.is_(None), Transcript.current_version_id == Coding.text_version_id)
    )
    if code_ids is not None:
        query = query.where(Coding.code_id.in_(code_ids))
    if selection.codings:
        query = query.where(Coding.id.in_(selection.codings))
    if selection.transcripts:
        query = query.where(Transcript.name.in_(selection.transcripts))
    if selection.waves:
        query = query.where(Transcript.wave.in_(selection.waves))
    if selection.coders:
        query = query.where(Coding.coder_id.in_(select(Coder.id).where(Coder.name.in_(selection.coders))))
    rows = session.execute(query.order_by(Coding.transcript_id, Coding.start, Coding.id)).all()
    if not rows:
        return []
    places = _Places(session, {row[1] for row in rows}, {row[2] for row in rows})
    hits = _hits(session, selection.query) if selection.query else None
    # (coding id, start, end, participant id) by code, coder and transcript, in text order.
    kept: dict[tuple[int, int, int], list[tuple[int, int, int, int | None]]] = defaultdict(list)
    filtered = bool(selection.roles or selection.participants or attributes or hits is not None)
    for coding_id, transcript_id, version_id, code_id, coder_id, start, end in rows:
        participant_id = places.participant(transcript_id, version_id, start)
        if filtered and not _chosen(selection, attributes, hits, places, transcript_id, participant_id, start, end):
            continue
        kept[(code_id, coder_id, transcript_id)].append((coding_id, start, end, participant_id))
    codes = list_codes(session)
    present = {code_id for code_id, _, _ in kept}
    # Each code's passages come from the codings of these codes.
    sources: dict[int, list[int]] = {code.id: [code.id] for code in codes if code.id in present}
    if rollup:
        parents = _parents(session)
        for code_id in present:
            for ancestor in _ancestors(code_id, parents):
                if code_ids is None or ancestor in code_ids:
                    sources.setdefault(ancestor, []).append(code_id)
    by_code: dict[int, dict[tuple[int, int], list[tuple[int, int, int, int | None]]]] = defaultdict(dict)
    for (code_id, coder_id, transcript_id), codings in kept.items():
        by_code[code_id][(coder_id, transcript_id)] = codings
    coders = dict(session.execute(select(Coder.id, Coder.name)).all())
    names = places.transcript_names
    rank = {transcript_id: index for index, transcript_id in enumerate(sorted(names, key=lambda tid: natural_key(names[tid])))}
    found: list[Passage] = []
    for code in codes:
        if code.id not in sources:
            continue
        groups: dict[tuple[int, int], list[tuple[int, int, int, int | None]]] = defaultdict(list)
        for source in sources[code.id]:
            for key, codings in by_code[source].items():
                groups[key].extend(codings)
        several = len(sources[code.id]) > 1
        for coder_id, transcript_id in sorted(groups, key=lambda key: (rank[key[1]], coders[key[0]])):
            codings = groups[(coder_id, transcript_id)]
            if several:
                codings.sort(key=itemgetter(1, 0))
            text = places.text(transcript_id)
            for ids, start, end, participant_id in _merge(codings):
                found.append(Passage(
                    code.id, code.path, coders[coder_id], transcript_id, names[transcript_id], places.name(participant_id),
                    start, end, text[start:end], ids, places.values(transcript_id, participant_id),
                ))
    return found


def _chosen(
    selection: QuoteFilter, attributes: Sequence[tuple[str, str]], hits: dict[int, list[int]] | None, places: _Places,
    transcript_id: int, participant_id: int | None, start: int, end: int,
) -> bool:
    """Whether a coding passes the role, participant, attribute and query filters, read as select_quotes reads them."""
    values = places.values(transcript_id, participant_id)
    if selection.roles and (values["role"] or "") not in selection.roles:
        return False
    if selection.participants and (places.name(participant_id) or "") not in selection.participants:
        return False
    if any(values.get(name) != value for name, value in attributes):
        return False
    return hits is None or _holds_hit(hits.get(transcript_id), start, end)


def _merge(codings: list[tuple[int, int, int, int | None]]) -> Iterable[tuple[tuple[int, ...], int, int, int | None]]:
    """Union of intervals sorted by start: overlapping or touching ones (next start <= end) become one."""
    ids = [codings[0][0]]
    start, end, participant_id = codings[0][1], codings[0][2], codings[0][3]
    for coding_id, next_start, next_end, next_participant_id in codings[1:]:
        if next_start <= end:
            ids.append(coding_id)
            end = max(end, next_end)
            continue
        yield tuple(ids), start, end, participant_id
        ids, start, end, participant_id = [coding_id], next_start, next_end, next_participant_id
    yield tuple(ids), start, end, participant_id


def population(session: Session, selection: QuoteFilter | None = None) -> list[Unit]:
    """Who could have been coded: each participant of each transcript (by link or by turn), and each
    transcript without participants, within the selection's role, wave, participant, transcript and
    attribute filters. Column sizes count these."""
    selection = selection or QuoteFilter()
    attributes = check_selection(session, selection)
    query = select(Transcript.id, Transcript.current_version_id)
    if selection.transcripts:
        query = query.where(Transcript.name.in_(selection.transcripts))
    if selection.waves:
        query = query.where(Transcript.wave.in_(selection.waves))
    transcripts = dict(session.execute(query).all())
    if not transcripts:
        return []
    places = _Places(session, set(transcripts), {v for v in transcripts.values() if v is not None}, texts=False)
    pairs: set[tuple[int, int | None]] = set(
        session.execute(
            select(TranscriptParticipant.transcript_id, TranscriptParticipant.participant_id)
            .where(TranscriptParticipant.transcript_id.in_(transcripts))
        ).all()
    )
    by_version = {version: transcript for transcript, version in transcripts.items()}
    for version, turns in places.turns.items():
        pairs.update((by_version[version], turn[3]) for turn in turns if turn[3] is not None)
    with_people = {transcript for transcript, _ in pairs}
    pairs.update((transcript, None) for transcript in transcripts if transcript not in with_people)
    units = []
    for transcript_id, participant_id in sorted(pairs, key=lambda pair: (pair[0], pair[1] or 0)):
        values = places.values(transcript_id, participant_id)
        if selection.roles and (values["role"] or "") not in selection.roles:
            continue
        if selection.participants and places.name(participant_id) not in selection.participants:
            continue
        if any(values.get(name) != value for name, value in attributes):
            continue
        units.append(Unit(places.transcript_names[transcript_id], places.name(participant_id), values))
    return units


def tally(found: Iterable[Passage], count: str = "passages") -> int:
    """What a cell shows for these passages: how many passages, distinct participants (passages outside
    a participant's turn have none), distinct transcripts, or words coded."""
    if count == "passages":
        return sum(1 for _ in found)
    if count == "participants":
        return len({passage.participant for passage in found if passage.participant is not None})
    if count == "transcripts":
        return len({passage.transcript_id for passage in found})
    if count == "words":
        return sum(passage.words for passage in found)
    raise InvalidInput(f"cannot count {count!r}", "count one of " + ", ".join(COUNTS))


def describe(selection: QuoteFilter) -> str:
    """The selection's filters in words for a caption, or "" when everything is selected."""
    parts = []
    if selection.codes:
        parts.append("codes " + ", ".join(selection.codes) + ("" if selection.include_subcodes else " (without sub-codes)"))
    for label, values in (("role", selection.roles), ("wave", selection.waves), ("participant", selection.participants),
                          ("transcript", selection.transcripts), ("coder", selection.coders)):
        if values:
            parts.append(f"{label} " + " or ".join(values))
    parts += [f"{name}={value}" for name, value in selection.attributes]
    if selection.query:
        parts.append(f"holding a hit for {selection.query!r}")
    return ("Selected: " + "; ".join(parts) + ".") if parts else ""


def column_names(session: Session) -> list[str]:
    """Every column a table can be split by: built-in attributes, participant, transcript, coder, typed attributes."""
    return [*COLUMNS, *attribute_names(session)]


def check_column(session: Session, name: str) -> str:
    """`name` if passages can be split by it, else an InvalidInput listing the known columns."""
    names = column_names(session)
    if name not in names:
        raise InvalidInput(f"no attribute {name!r} to split by", known_hint("attributes", names, name))
    return name


def sort_values(values: Iterable[str]) -> list[str]:
    """Column values in natural order (D2 before D10), the missing value last."""
    return sorted(set(values), key=lambda value: (value == NONE, natural_key(value)))


def _selected_code_ids(session: Session, selection: QuoteFilter) -> set[int]:
    parents = _parents(session)
    chosen: set[int] = set()
    for ref in selection.codes:
        code = find_code(session, ref)
        chosen.add(code.id)
        if selection.include_subcodes:
            chosen.update(child for child in parents if code.id in _ancestors(child, parents))
    return chosen


def _parents(session: Session) -> dict[int, int | None]:
    return dict(session.execute(select(Code.id, Code.parent_id)).all())


def _ancestors(code_id: int, parents: Mapping[int, int | None]) -> set[int]:
    found: set[int] = set()
    parent = parents.get(code_id)
    while parent is not None and parent not in found:
        found.add(parent)
        parent = parents.get(parent)
    return found


def _hits(session: Session, query: str) -> dict[int, list[int]]:
    """Where the query's hits start, by transcript id, sorted."""
    result = search(session, query, SearchFilters(), limit=100_000)
    ids = dict(session.execute(select(Transcript.name, Transcript.id)).all())
    starts: dict[int, list[int]] = defaultdict(list)
    for hit in result.hits:
        starts[ids[hit.transcript]].append(hit.start)
    return {transcript: sorted(found) for transcript, found in starts.items()}


def _holds_hit(starts: Sequence[int] | None, start: int, end: int) -> bool:
    if not starts:
        return False
    index = bisect_left(starts, start)
    return index < len(starts) and starts[index] < end


class _Places:
    """Transcripts, their current texts and turns, and participants with attributes, each read once."""

    def __init__(self, session: Session, transcript_ids: set[int], version_ids: set[int], *, texts: bool = True) -> None:
        self.transcripts: dict[int, dict[str, str | None]] = {}
        self.transcript_names: dict[int, str] = {}
        for transcript_id, name, wave, fidelity in session.execute(
            select(Transcript.id, Transcript.name, Transcript.wave, Transcript.fidelity).where(Transcript.id.in_(transcript_ids))
        ):
            self.transcript_names[transcript_id] = name
            self.transcripts[transcript_id] = {"wave": wave, "fidelity": fidelity}
        self.transcript_attributes: dict[int, dict[str, str]] = defaultdict(dict)
        for transcript_id, name, value in session.execute(
            select(TranscriptAttribute.transcript_id, AttributeDefinition.name, TranscriptAttribute.value)
            .join(AttributeDefinition, TranscriptAttribute.definition_id == AttributeDefinition.id)
            .where(TranscriptAttribute.transcript_id.in_(transcript_ids))
        ):
            self.transcript_attributes[transcript_id][name] = value
        self.texts: dict[int, str] = {}
        self.versions: dict[int, int] = {}
        if texts:
            for transcript_id, version_id, text in session.execute(
                select(TextVersion.transcript_id, TextVersion.id, TextVersion.text).where(TextVersion.id.in_(version_ids))
            ):
                self.texts[version_id] = text
                self.versions[transcript_id] = version_id
        self.turns: dict[int, list[tuple[int, int, str | None, int | None]]] = defaultdict(list)
        for version_id, start, end, speaker, participant_id in session.execute(
            select(Turn.text_version_id, Turn.start, Turn.end, Turn.speaker, Turn.participant_id)
            .where(Turn.text_version_id.in_(version_ids)).order_by(Turn.text_version_id, Turn.start)
        ):
            self.turns[version_id].append((start, end, speaker, participant_id))
        self.starts = {version: [turn[0] for turn in turns] for version, turns in self.turns.items()}
        self.only_participant = dict(
            session.execute(
                select(TranscriptParticipant.transcript_id, func.min(TranscriptParticipant.participant_id))
                .where(TranscriptParticipant.transcript_id.in_(transcript_ids))
                .group_by(TranscriptParticipant.transcript_id).having(func.count() == 1)
            ).all()
        )
        self.people: dict[int, tuple[str, dict[str, str | None]]] = {}
        for person_id, name, role, gender, age_band, office in session.execute(
            select(Participant.id, Participant.name, Participant.role, Participant.gender, Participant.age_band,
                   Participant.office)
        ):
            self.people[person_id] = (name, {"role": role, "gender": gender, "age_band": age_band, "office": office})
        self.people_attributes: dict[int, dict[str, str]] = defaultdict(dict)
        for person_id, name, value in session.execute(
            select(ParticipantAttribute.participant_id, AttributeDefinition.name, ParticipantAttribute.value)
            .join(AttributeDefinition, ParticipantAttribute.definition_id == AttributeDefinition.id)
        ):
            self.people_attributes[person_id][name] = value
        self._values: dict[tuple[int, int | None], dict[str, str | None]] = {}

    def participant(self, transcript_id: int, version_id: int, start: int) -> int | None:
        """The participant a coding starting at `start` is attributed to, as Quote attributes it."""
        turns = self.turns.get(version_id)
        if not turns:
            return None
        found = bisect_right(self.starts[version_id], start) - 1
        if found < 0 or start >= turns[found][1]:
            return None
        _, _, speaker, participant_id = turns[found]
        if participant_id is None and speaker is None:
            return self.only_participant.get(transcript_id)
        return participant_id

    def name(self, participant_id: int | None) -> str | None:
        return self.people[participant_id][0] if participant_id is not None else None

    def text(self, transcript_id: int) -> str:
        return self.texts[self.versions[transcript_id]]

    def values(self, transcript_id: int, participant_id: int | None) -> dict[str, str | None]:
        """Attribute values of a participant in a transcript: built-in columns, then typed attributes
        (the participant's over the transcript's); one dict per pair, shared by its passages."""
        key = (transcript_id, participant_id)
        values = self._values.get(key)
        if values is None:
            # Built-in columns last: a typed attribute never hides one (as Quote reads them).
            values = dict[str, str | None](self.transcript_attributes.get(transcript_id, {}))
            if participant_id is not None:
                values.update(self.people_attributes.get(participant_id, {}))
                values.update(self.people[participant_id][1])
            else:
                values.update(role=None, gender=None, age_band=None, office=None)
            values.update(self.transcripts[transcript_id])
            self._values[key] = values
        return values

