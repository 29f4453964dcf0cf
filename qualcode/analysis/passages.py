"""Coded passages: the one place where selected codings become the passages every analysis table counts.

Public: Passage, Unit, Selected, Coded, coded(), passages(), selected(), population(), tally(), column_names(),
check_column(), column_value(), as_typed(), code_rows(), sort_values(), describe(), COLUMNS, COUNTS.

The rules (qualcode/analysis/rules.py): codings are live codings on a transcript's current text;
overlapping or touching codings of one code by one coder in one transcript, attributed to one
participant, merge into one passage;
with `rollup`, a code's passages merge its own and its descendants' codings. A coding is
attributed like its `Quote`, by the same functions (coding/passages.py: turn_counts_for, counted_for):
to the participant of the turn it starts in, or the transcript's only participant for a turn without
a speaker label; begun in no participant's words (the interviewer's question, a heading), to the
first participant whose turn it reaches.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import accumulate, chain, repeat
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import ClauseElement, Select, select
from sqlalchemy.orm import Session

from qualcode.analysis import passage_cache
from qualcode.analysis.rules import MISSING, NAMES_NB, NO_INFORMANT, NO_VALUE
from qualcode.codebook.service import CodeView, find_code, list_codes
from qualcode.coding.missing import as_typed as as_typed  # a column's value as the tables show it
from qualcode.coding.missing import value_holds
from qualcode.coding.passages import (
    IDENTITY_COLUMNS,
    PARTICIPANT_COLUMNS,
    TRANSCRIPT_COLUMNS,
    QuoteFilter,
    attribute_as_stored,
    attribute_names,
    check_selection,
    column_named,
    counted_for,
    holds_hit,
    known_hint,
    nothing_selected,
    query_hits,
    selected_codings,
    turn_counts_for,
)
from qualcode.errors import InvalidInput
from qualcode.garbage import without_collections
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
from qualcode.text.order import natural_key

# Columns every passage has beyond the participants' and transcripts' attributes.
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

    # Words coded (spoken_words): what it says, without the speaker labels of turns it runs on into.
    words: int = field(compare=False)
    # The columns a participant gives a passage (_Places.participant_columns); shared between passages.
    participant_columns: frozenset[str] = field(compare=False, hash=False, repr=False)

    def value(self, name: str) -> str:
        """The passage's value of a column (an attribute, participant, transcript or coder), or what a table
        shows without one (column_value())."""
        if name == "coder":
            return self.coder
        if name == "transcript":
            return self.transcript
        return column_value(self.values, name, self.participant, self.participant_columns)


@dataclass(frozen=True, slots=True)
class Unit:
    """A participant in a transcript (or a transcript without participants): what a column's size counts."""

    transcript: str
    participant: str | None
    values: Mapping[str, str | None] = field(compare=False, hash=False, repr=False)
    participant_columns: frozenset[str] = field(compare=False, hash=False, repr=False)

    def value(self, name: str) -> str:
        if name == "transcript":
            return self.transcript
        return column_value(self.values, name, self.participant, self.participant_columns)


def column_value(values: Mapping[str, str | None], name: str, participant: str | None, participant_columns: frozenset[str]) -> str:
    """A column's value as a table splits by it: the participant's name or the attribute's value (as_typed());
    without one, NO_INFORMANT for a column of the participant's (`participant_columns`) where nobody is
    counted, since passages counted for no informant have no one to take it from, and NO_VALUE otherwise
    (a participant or transcript without the attribute)."""
    if name == "participant":
        return as_typed(participant) if participant else NO_INFORMANT
    value = values.get(name)
    if value:
        return as_typed(value)
    return NO_INFORMANT if participant is None and name in participant_columns else NO_VALUE


@dataclass(frozen=True)
class Selected:
    """The passages of a selection and the codes they are counted under, in codebook order."""

    passages: list[Passage]
    codes: list[CodeView]  # the selected codes (with sub-codes unless excluded) in tree order
    roots: frozenset[int]  # ids of the codes with no selected ancestor: their passages make the totals


def selected(session: Session, selection: QuoteFilter, *, rollup: bool = True) -> Selected:
    """The passages of `selection` with their codes; nothing selected is a NotFound (never an empty table)."""
    found = coded(session, selection, rollup=rollup, texts=True)
    return Selected(found.passages(), found.rows, found.roots)


def code_rows(session: Session, selection: QuoteFilter) -> list[CodeView]:
    """The codes a table has rows for: every code, or those chosen (with their sub-codes unless excluded)."""
    return _code_rows(list_codes(session), _selected_code_ids(session, selection) if selection.codes else None)


def _code_rows(codes: list[CodeView], chosen: set[int] | None) -> list[CodeView]:
    return codes if chosen is None else [code for code in codes if code.id in chosen]


def passages(session: Session, selection: QuoteFilter | None = None, *, rollup: bool = True) -> list[Passage]:
    """The passages of the selected codings, per code, in codebook, transcript, coder and text order.

    With `rollup`, each code's passages merge the codings of the code and of its selected
    descendants; without it, each code's own codings only. Unknown names in the selection are
    refused with the known ones (check_selection), an unknown code by find_code.
    """
    return coded(session, selection, rollup=rollup, texts=True, required=False).passages()


class Coded:
    """The selected passages as columns of plain values, read by index: the tables count tens of
    thousands of passages, so a Passage object is made only for a passage that is listed.

    `passages()` lists them in the order `passages()` (the function) does; every table counts these
    columns, so a cell and its drill-down read the same merged passages.
    """

    def __init__(self, selection: QuoteFilter, attributes: tuple[tuple[str, str | None], ...], codes: list[CodeView],
                 rows: list[CodeView], roots: frozenset[int], places: _Places, coders: dict[int, str]) -> None:
        self.selection = selection
        self.attributes = attributes  # the selection's NAME=VALUE pairs as stored
        self.codes = codes  # every code, in tree order
        self.rows = rows  # the selected codes (with sub-codes unless excluded), in tree order
        self.roots = roots  # ids of the rows with no selected ancestor: their passages make the totals
        self.places = places
        self.coders = coders
        # One entry per passage, in no particular order: (code, transcript, participant, coder, start),
        # its end and its codings (earliest first). Passages taken from the kept file (keep()) are made
        # into these lists only when asked for: a matrix of passages needs only the counts per place.
        self._spans: list[tuple[int, int, int | None, int, int]] | None = []
        self._end: list[int] | None = []
        self._coding_ids: list[list[int]] | None = []
        self._kept: passage_cache.Kept | None = None
        self._taken: list[int] | None = None  # the kept passages of the selected coders (None: all)
        self._kept_coders: set[int] | None = None
        self._per_place: dict[bool, Counter[tuple[int, int, int | None, int]]] = {}  # per_place() by `coders`

    def __len__(self) -> int:
        if self._spans is None and self._kept is not None:
            return len(self._kept.code) if self._taken is None else len(self._taken)
        return len(self.spans)

    def _from_kept(self, column: list[Any]) -> list[Any]:
        return column if self._taken is None else [column[index] for index in self._taken]

    @property
    def spans(self) -> list[tuple[int, int, int | None, int, int]]:
        """Each passage's (code, transcript, participant, coder, start), by index."""
        if self._spans is None:
            kept = self._kept
            assert kept is not None
            participants = [participant or None for participant in kept.participant.tolist()]
            self._spans = self._from_kept(list(zip(kept.code.tolist(), kept.transcript.tolist(), participants,
                                                   kept.coder.tolist(), kept.start.tolist(), strict=True)))
        return self._spans

    @property
    def end(self) -> list[int]:
        """Each passage's end, by index."""
        if self._end is None:
            assert self._kept is not None
            self._end = self._from_kept(self._kept.end.tolist())
        return self._end

    @property
    def coding_ids(self) -> list[list[int]]:
        """Each passage's codings, earliest first, by index."""
        if self._coding_ids is None:
            assert self._kept is not None
            ids, sizes = self._kept.coding_ids.tolist(), self._kept.sizes.tolist()
            begins = [0, *accumulate(sizes)]
            self._coding_ids = [ids[begins[index]:begins[index + 1]]
                                for index in (range(len(sizes)) if self._taken is None else self._taken)]
        return self._coding_ids

    def keep(self, kept: passage_cache.Kept, coders: set[int] | None = None) -> None:
        """Take the passages from the kept file (only those of `coders`, if given)."""
        self._kept, self._kept_coders = kept, coders
        self._spans = self._end = self._coding_ids = None
        self._per_place = {}
        if coders is not None:
            self._taken = [index for index, coder_id in enumerate(kept.coder.tolist()) if coder_id in coders]

    def narrow(self, coders: set[int]) -> None:
        """Keep only the passages of `coders` (each coder's codings merge on their own, so nothing else changes)."""
        taken = [index for index, span in enumerate(self.spans) if span[3] in coders]
        spans, ends, merged = self.spans, self.end, self.coding_ids
        self._spans = [spans[index] for index in taken]
        self._end = [ends[index] for index in taken]
        self._coding_ids = [merged[index] for index in taken]
        self._per_place = {}

    def kept(self) -> passage_cache.Kept | None:
        """The passages as the kept file holds them, with the participants who have a turn in each current
        text; None if an id could not be told from none (0): a participant's from no participant, a coder's
        from every coder."""
        kind = "q"
        if any(coder_id <= 0 for coder_id in self.coders) or not self.spans:
            return None
        with without_collections():
            spans = self.spans
            participant = list(map(itemgetter(2), spans))
            participant_or_0 = [person or 0 for person in participant]
            if participant_or_0.count(0) != participant.count(None) or min(participant_or_0) < 0:
                return None
            people = array(kind)
            for version_id in self.places.versions.values():
                for person in sorted(self.places.turn_participants(version_id)):
                    people.extend((version_id, person))
            merged = self.coding_ids
            counted = [*self.per_place().items(), *self.per_place(coders=False).items()]
            places = list(map(itemgetter(0), counted))
            return passage_cache.Kept(
                code=array(kind, map(itemgetter(0), spans)), transcript=array(kind, map(itemgetter(1), spans)),
                participant=array(kind, participant_or_0), coder=array(kind, map(itemgetter(3), spans)),
                start=array(kind, map(itemgetter(4), spans)), end=array(kind, self.end), sizes=array(kind, map(len, merged)),
                coding_ids=array(kind, list(chain.from_iterable(merged))), turn_people=people,
                place_code=array(kind, map(itemgetter(0), places)), place_transcript=array(kind, map(itemgetter(1), places)),
                place_participant=array(kind, [person or 0 for person in map(itemgetter(2), places)]),
                place_coder=array(kind, map(itemgetter(3), places)), place_count=array(kind, map(itemgetter(1), counted)),
            )

    @cached_property
    def code(self) -> list[int]:
        return list(map(itemgetter(0), self.spans))

    @cached_property
    def transcript(self) -> list[int]:
        return list(map(itemgetter(1), self.spans))

    @cached_property
    def participant(self) -> list[int | None]:
        return list(map(itemgetter(2), self.spans))

    @cached_property
    def coder(self) -> list[int]:
        return list(map(itemgetter(3), self.spans))

    @cached_property
    def start(self) -> list[int]:
        return list(map(itemgetter(4), self.spans))

    def per_place(self, coders: bool = True) -> Counter[tuple[int, int, int | None, int]]:
        """How many passages each (code, transcript, participant, coder) has: what a column's value depends
        on. Without `coders`, the coder is 0 and each place counts every coder's passages. Counted once per
        Coded: the caller must not change it."""
        counted = self._per_place.get(coders)
        if counted is None:
            counted = self._per_place[coders] = self._count_places(coders)
        return counted

    def _count_places(self, coders: bool) -> Counter[tuple[int, int, int | None, int]]:
        if self._spans is None and self._kept is not None:
            return self._kept_places(coders)
        with without_collections():
            if coders:
                return Counter(map(itemgetter(0, 1, 2, 3), self.spans))
            if True in self._per_place:  # summed from the places per coder: fewer than the passages
                summed: dict[tuple[int, int, int | None, int], int] = {}
                for (code_id, transcript_id, participant_id, _), count in self._per_place[True].items():
                    key = (code_id, transcript_id, participant_id, 0)
                    summed[key] = summed.get(key, 0) + count
                return Counter(summed)
            return Counter({(*place, 0): count for place, count in Counter(map(itemgetter(0, 1, 2), self.spans)).items()})

    def _kept_places(self, coders: bool) -> Counter[tuple[int, int, int | None, int]]:
        """per_place() from the counts the kept file holds: per coder (coder ids start at 1), then summed
        over the coders (coder 0), which serve a selection of coders only if it selects them all."""
        kept, chosen = self._kept, self._kept_coders
        assert kept is not None
        every = chosen is None or set(self.coders) <= chosen
        with without_collections():
            coder_ids = kept.place_coder.tolist()
            # The summed places follow those per coder: the first with coder 0 begins them.
            split = coder_ids.index(0) if 0 in coder_ids else len(coder_ids)
            part = slice(split, None) if every and not coders else slice(None, split)
            participants = [participant or None for participant in kept.place_participant[part].tolist()]
            codes, transcripts = kept.place_code[part].tolist(), kept.place_transcript[part].tolist()
            coder_ids, counts = coder_ids[part], kept.place_count[part].tolist()
            if every:
                return Counter(dict(zip(zip(codes, transcripts, participants, coder_ids, strict=True), counts, strict=True)))
            assert chosen is not None
            summed: dict[tuple[int, int, int | None, int], int] = {}
            for code_id, transcript_id, participant_id, coder_id, count in zip(
                    codes, transcripts, participants, coder_ids, counts, strict=True):
                if coder_id in chosen:
                    key = (code_id, transcript_id, participant_id, coder_id if coders else 0)
                    summed[key] = summed.get(key, 0) + count
            return Counter(summed)

    def value(self, index: int, name: str) -> str:
        """One passage's value of a column, as Passage.value reads it."""
        return self.value_at(self.transcript[index], self.participant[index], self.coder[index], name)

    def value_at(self, transcript_id: int, participant_id: int | None, coder_id: int, name: str) -> str:
        """The value of a column for passages of this transcript, participant and coder."""
        if name == "coder":
            return self.coders[coder_id]
        if name == "transcript":
            return self.places.transcript_names[transcript_id]
        return column_value(self.places.values(transcript_id, participant_id), name, self.places.name(participant_id),
                            self.places.participant_columns)

    def columns(self, by: Sequence[str]) -> list[tuple[str, ...]]:
        """Each passage's values of the columns `by`, by index."""
        cache: dict[tuple[int, int | None, int], tuple[str, ...]] = {}
        coders: Iterable[int] = self.coder if "coder" in by else repeat(0)  # fewer keys when coders do not matter
        found = []
        for key in zip(self.transcript, self.participant, coders, strict=False):
            values = cache.get(key)
            if values is None:
                values = cache[key] = tuple(self.value_at(*key, name) for name in by)
            found.append(values)
        return found

    def words(self, indexes: Iterable[int] | None = None) -> list[int]:
        """Words coded in each passage (spoken_words), by index (all, or those of `indexes` in their
        order); needs the texts (coded(texts=True))."""
        texts, versions, spans, ends = self.places.texts, self.places.versions, self.spans, self.end
        # A code's passage is often its sub-code's passage too: each stretch is split once.
        known: dict[tuple[int, int, int], int] = {}
        starts: dict[int, list[int]] = {}
        found = []
        with without_collections():
            for index in range(len(spans)) if indexes is None else indexes:
                transcript_id, start, end = spans[index][1], spans[index][4], ends[index]
                key = (transcript_id, start, end)
                words = known.get(key)
                if words is None:
                    turn_starts = starts.get(transcript_id)
                    if turn_starts is None:
                        turn_starts = starts[transcript_id] = self.places.attribution(transcript_id, versions[transcript_id])[0]
                    words = known[key] = spoken_words(texts[versions[transcript_id]], start, end, turn_starts)
                found.append(words)
        return found

    def order(self, indexes: Iterable[int] | None = None) -> list[int]:
        """The passages' indexes (all, or `indexes`) in codebook, transcript, coder and text order."""
        position = {code.id: index for index, code in enumerate(self.codes)}
        names = self.places.transcript_names
        rank = {transcript_id: index for index, transcript_id in enumerate(sorted(names, key=lambda tid: natural_key(names[tid])))}
        coder_rank = {coder_id: index for index, coder_id in enumerate(
            sorted(self.coders, key=lambda coder_id: (natural_key(self.coders[coder_id]), self.coders[coder_id])))}
        if indexes is not None:
            return sorted(indexes, key=lambda index: (
                position[self.code[index]], rank[self.transcript[index]], coder_rank[self.coder[index]], self.start[index]))
        # One number per passage sorts faster than a tuple: code, transcript, coder, start, as digits.
        transcripts, coders, starts = len(rank) + 1, len(coder_rank) + 1, max(self.end, default=0) + 1
        with without_collections():
            keys = [
                ((position[code_id] * transcripts + rank[transcript_id]) * coders + coder_rank[coder_id]) * starts + start
                for code_id, transcript_id, _, coder_id, start in self.spans
            ]
            return sorted(range(len(keys)), key=keys.__getitem__)

    def passages(self, indexes: Iterable[int] | None = None) -> list[Passage]:
        """Passage objects for `indexes` (all, in order(), by default); needs the texts (coded(texts=True))."""
        paths = {code.id: code.path for code in self.codes}
        places, coders, spans, ends, merged = self.places, self.coders, self.spans, self.end, self.coding_ids
        names, texts, versions = places.transcript_names, places.texts, places.versions
        people: dict[tuple[int, int | None], tuple[str | None, Mapping[str, str | None]]] = {}
        chosen = self.order() if indexes is None else list(indexes)
        words = self.words(chosen)  # only the passages asked for: a screen asks for a cell's few
        found = []
        with without_collections():
            for index, said in zip(chosen, words, strict=True):
                code_id, transcript_id, participant_id, coder_id, start = spans[index]
                end = ends[index]
                person = people.get((transcript_id, participant_id))
                if person is None:
                    person = people[transcript_id, participant_id] = (
                        places.name(participant_id), places.values(transcript_id, participant_id))
                found.append(Passage(
                    code_id, paths[code_id], coders[coder_id], transcript_id, names[transcript_id], person[0], start,
                    end, texts[versions[transcript_id]][start:end], tuple(merged[index]), person[1], said,
                    places.participant_columns,
                ))
        return found

    def units(self) -> list[Unit]:
        """Who could have been coded within the selection (population())."""
        return _units(self.places, self.selection, self.attributes)


def coded(
    session: Session, selection: QuoteFilter | None = None, *, rollup: bool = True, texts: bool = False,
    required: bool = True,
) -> Coded:
    """The passages of the selection as columns (Coded): the one place codings become passages.

    Overlapping or touching codings of one code by one coder in one transcript, attributed to one
    participant, merge (with `rollup`, also those of the code's selected descendants); each passage
    is attributed like the Quote of its codings. `texts` reads the transcripts' texts (for words and Passage objects);
    with `required`, nothing selected is a NotFound.
    """
    with without_collections():
        found = _coded(session, selection or QuoteFilter(), rollup, texts)
    if required and not len(found):
        raise nothing_selected(session, found.selection)
    return found


def _coded(session: Session, selection: QuoteFilter, rollup: bool, texts: bool) -> Coded:
    # The whole project's passages, rolled up, may be kept between calls (passage_cache); a selection
    # of coders only takes some of them, since each coder's codings merge on their own. The stamp is
    # read before anything the passages are made from: reads are not one snapshot, and a file must
    # never hold a state older than its stamp (a newer one is harmless: that stamp never comes back).
    whole = rollup and replace(selection, coders=(), include_subcodes=True, cap_per_participant=None,
                               order=_EVERYTHING.order) == _EVERYTHING
    made_at = passage_cache.stamp(session) if whole else None
    attributes = check_selection(session, selection)
    codes = list_codes(session)
    parents = _parents(session)
    code_ids = _selected_code_ids(session, selection, parents) if selection.codes else None
    transcripts_query = select(Transcript.id, Transcript.current_version_id)
    if selection.transcripts:
        transcripts_query = transcripts_query.where(Transcript.name.in_(selection.transcripts))
    if selection.waves:
        transcripts_query = transcripts_query.where(Transcript.wave.in_(selection.waves))
    transcripts = dict(_driver_rows(session, transcripts_query))
    every = not (selection.transcripts or selection.waves)
    cache_file = passage_cache.cache_file(session) if made_at is not None else None
    kept = passage_cache.load(cache_file, made_at) if cache_file is not None and made_at is not None else None
    places = _Places(session, set(transcripts), {v for v in transcripts.values() if v is not None}, texts=texts, every=every,
                     turn_people=_turn_people(kept) if kept is not None else None)
    rows = _code_rows(codes, code_ids)
    ids = {code.id for code in rows}
    roots = frozenset(code.id for code in rows if not (_ancestors(code.id, parents) & ids))
    found = Coded(selection, attributes, codes, rows, roots, places, dict(session.execute(select(Coder.id, Coder.name)).all()))
    chosen_coders = {coder_id for coder_id, name in found.coders.items() if name in selection.coders} if selection.coders else None
    if kept is not None:
        found.keep(kept, chosen_coders)
    elif whole:
        # Merged for every coder and kept, then narrowed to the selected coders.
        _merge(session, found, _EVERYTHING, attributes, code_ids, parents, codes, rollup, transcripts)
        kept = found.kept() if cache_file is not None else None
        if cache_file is not None and made_at is not None and kept is not None:
            passage_cache.store(cache_file, made_at, kept)
        if chosen_coders is not None:
            found.narrow(chosen_coders)
    else:
        _merge(session, found, selection, attributes, code_ids, parents, codes, rollup, transcripts)
    return found


def _merge(
    session: Session, found: Coded, selection: QuoteFilter, attributes: tuple[tuple[str, str | None], ...], code_ids: set[int] | None,
    parents: dict[int, int | None], codes: list[CodeView], rollup: bool, transcripts: dict[int, int | None],
) -> None:
    """Merge the selected codings into `found`'s passages, in one pass over them in text order."""
    places = found.places
    # Codings straight from the driver, in text order per text version: the covering index
    # ix_codings_live_spans holds them in this order, so nothing is sorted.
    query = selected_codings(
        select(Coding.text_version_id, Coding.start, Coding.id, Coding.code_id, Coding.coder_id, Coding.end),
        selection, code_ids,
    )
    codings = _driver_rows(session, query.order_by(Coding.text_version_id, Coding.start, Coding.id))
    # Each coding counts for its own code and, rolled up, for its selected ancestors (codes in the codebook's tree).
    listed = {code.id for code in codes}
    targets = {
        code_id: tuple(target for target in (code_id, *(_ancestors(code_id, parents) if rollup else ()))
                       if target in listed and (code_ids is None or target in code_ids))
        for code_id in parents
    }
    hits = _hits(session, selection.query) if selection.query else None
    filtered = bool(selection.roles or selection.participants or attributes or hits is not None)
    transcript_of = {version: transcript for transcript, version in transcripts.items() if version is not None}
    spans, ends, merged = found.spans, found.end, found.coding_ids
    add_span, add_end, add_ids = spans.append, ends.append, merged.append
    version = transcript_id = -1
    # (code, coder, participant) -> index of the passage last opened in this transcript
    opened: dict[tuple[int, int, int | None], int] = {}
    turn_starts: list[int] = []
    turn_ends: list[int] = []
    turn_people: list[int | None] = []
    for version_id, start, coding_id, code_id, coder_id, end in codings:
        if version_id != version:
            version, transcript_id, opened = version_id, transcript_of[version_id], {}
            turn_starts, turn_ends, turn_people = places.attribution(transcript_id, version_id)
        # The participant of the turn the coding starts in, else the first it reaches, as Quote attributes it.
        turn = bisect_right(turn_starts, start) - 1
        participant_id = turn_people[turn] if turn >= 0 and start < turn_ends[turn] else None
        if participant_id is None:
            participant_id = counted_for(turn_people, turn_starts, turn + 1, end)
        if filtered and not _chosen(selection, attributes, hits, places, transcript_id, participant_id, start, end):
            continue
        # Codings come in text order, so a passage merges each coding that starts before its end or at it.
        # A passage is one participant's: codings attributed to two (an exchange in a group
        # interview, then one speaker's words in it) stay two passages, so a role's count is the
        # same in a table of every role and in one filtered to that role.
        for target in targets[code_id]:
            key = target, coder_id, participant_id
            index = opened.get(key)
            if index is None or start > ends[index]:
                opened[key] = len(ends)
                add_span((target, transcript_id, participant_id, coder_id, start))
                add_end(end)
                add_ids([coding_id])
            else:
                merged[index].append(coding_id)
                if end > ends[index]:
                    ends[index] = end


def _turn_people(kept: passage_cache.Kept) -> dict[int, set[int]]:
    people: dict[int, set[int]] = defaultdict(set)
    pairs = kept.turn_people.tolist()
    for version_id, person in zip(pairs[::2], pairs[1::2], strict=True):
        people[version_id].add(person)
    return people


def _driver_rows(session: Session, query: ClauseElement) -> list[Any]:
    """The rows of `query` straight from the driver's cursor: SQLAlchemy's Row objects would cost more
    than the counting on tens of thousands of codings. Pending changes are flushed first, as a query
    through the session would."""
    session.flush()
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    order: list[str] | None = getattr(compiled, "positiontup", None)  # None for a driver taking named parameters
    arguments: Any = params if order is None else [params[name] for name in order]
    cursor = connection.connection.cursor()
    try:
        cursor.execute(compiled.string, arguments)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _chosen(
    selection: QuoteFilter, attributes: Sequence[tuple[str, str | None]], hits: dict[int, list[tuple[int, int]]] | None, places: _Places,
    transcript_id: int, participant_id: int | None, start: int, end: int,
) -> bool:
    """Whether a coding passes the role, participant, attribute and query filters, read as select_quotes reads them."""
    values = places.values(transcript_id, participant_id)
    if selection.roles and (values["role"] or "") not in selection.roles:
        return False
    if selection.participants and (places.name(participant_id) or "") not in selection.participants:
        return False
    if not all(value_holds(values.get(name), wanted, of_no_one=participant_id is None and name in places.participant_columns)
               for name, wanted in attributes):
        return False
    return hits is None or holds_hit(hits.get(transcript_id), start, end)


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
    transcripts = dict(_driver_rows(session, query))
    every = not (selection.transcripts or selection.waves)
    places = _Places(session, set(transcripts), {v for v in transcripts.values() if v is not None}, texts=False, every=every)
    return _units(places, selection, attributes)


def _units(places: _Places, selection: QuoteFilter, attributes: Sequence[tuple[str, str | None]]) -> list[Unit]:
    pairs: set[tuple[int, int | None]] = set(places.links)
    for transcript_id, version_id in places.versions.items():
        pairs.update((transcript_id, person) for person in places.turn_participants(version_id))
    with_people = {transcript for transcript, _ in pairs}
    pairs.update((transcript, None) for transcript in places.transcript_names if transcript not in with_people)
    units = []
    for transcript_id, participant_id in sorted(pairs, key=lambda pair: (pair[0], pair[1] or 0)):
        values = places.values(transcript_id, participant_id)
        if selection.roles and (values["role"] or "") not in selection.roles:
            continue
        if selection.participants and places.name(participant_id) not in selection.participants:
            continue
        if not all(value_holds(values.get(name), wanted, of_no_one=participant_id is None and name in places.participant_columns)
                   for name, wanted in attributes):
            continue
        units.append(Unit(places.transcript_names[transcript_id], places.name(participant_id), values, places.participant_columns))
    return units


def spoken_words(text: str, start: int, end: int, turn_starts: Sequence[int]) -> int:
    """The whitespace-separated words of text[start:end] without the speaker label (and timestamp)
    of each turn it runs on into: what leads a turn's line up to its words ("D6:", "[00:12:03] I:")
    is no word said."""
    words = 0
    position = start  # counted up to here
    floor = start  # a label is on the turn's own line, after the turn before it began
    for index in range(bisect_right(turn_starts, start), len(turn_starts)):
        said_at = turn_starts[index]
        if said_at >= end:
            break
        line = text.rfind("\n", floor, said_at)
        if line >= 0:  # the words before the label, then on from the turn's words
            words += len(text[position:line + 1].split())
            position = said_at
        floor = said_at
    return words + len(text[position:end].split())


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


def describe(selection: QuoteFilter, language: str = "en") -> str:
    """The selection's filters in words for a caption (in English, or bokmål), or "" when everything is selected."""
    nb = language == "nb"
    parts = []
    if selection.codes:
        parts.append(("koder " if nb else "codes ") + ", ".join(selection.codes)
                     + ("" if selection.include_subcodes else " (uten underkoder)" if nb else " (without sub-codes)"))
    for label, values in (("role", selection.roles), ("wave", selection.waves), ("participant", selection.participants),
                          ("transcript", selection.transcripts), ("coder", selection.coders)):
        if values:
            parts.append(f"{NAMES_NB[label] if nb else label} " + (" eller " if nb else " or ").join(values))
    parts += [f"{name}={value}" for name, value in selection.attributes]
    if selection.query:
        parts.append(f"med treff for {selection.query!r}" if nb else f"holding a hit for {selection.query!r}")
    return (("Utvalg: " if nb else "Selected: ") + "; ".join(parts) + ".") if parts else ""


def column_names(session: Session) -> list[str]:
    """Every column a table can be split by: built-in attributes, participant, transcript, coder, typed attributes."""
    return [*COLUMNS, *attribute_names(session)]


def check_column(session: Session, name: str) -> str:
    """The column `name` names, as stored (an attribute named for someone is stored under their
    pseudonym: attribute_as_stored), if passages can be split by it, else an InvalidInput listing
    the known columns."""
    names = column_names(session)
    stored = attribute_as_stored(session, name)
    if stored not in names and column_named(name) is not None:
        stored = column_named(name) or stored  # "kjønn", as a participants CSV names it, where no attribute has the name
    if stored not in names:
        raise InvalidInput(f"no attribute {name!r} to split by", known_hint("attributes", names, name))
    return stored


def sort_values(values: Iterable[str]) -> list[str]:
    """Column values in natural order (D2 before D10), then NO_VALUE, then NO_INFORMANT. Values that
    natural order cannot tell apart (Kontor A and kontor a, kept from before values were spelled as
    the project spells them) are in code point order, so a table's columns come in one order run
    after run: in the order of a set of them, as before, they changed places between runs."""
    return sorted(set(values), key=lambda value: (MISSING.index(value) + 1 if value in MISSING else 0, natural_key(value), value))


def _selected_code_ids(session: Session, selection: QuoteFilter, parents: dict[int, int | None] | None = None) -> set[int]:
    parents = _parents(session) if parents is None else parents
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


def _hits(session: Session, query: str) -> dict[int, list[tuple[int, int]]]:
    """Where the query's hits are, by transcript id, in order."""
    ids = dict(session.execute(select(Transcript.name, Transcript.id)).all())
    return {ids[name]: spans for name, spans in query_hits(session, query).items()}


_EVERYTHING = QuoteFilter()
_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


class _Places:
    """Transcripts, their current texts and turns, and participants with attributes, each read once."""

    def __init__(
        self, session: Session, transcript_ids: set[int], version_ids: set[int], *, texts: bool = True, every: bool = False,
        turn_people: dict[int, set[int]] | None = None,
    ) -> None:
        """`every`: the transcripts are all the project's, so their rows are read without naming them.
        `turn_people`: who has a turn in each text version, as the kept passages hold it; the turns
        themselves are then read only if a turn is asked for."""

        def among(query: _Query, column: Any, ids: set[int]) -> _Query:
            return query if every else query.where(column.in_(ids))

        self.transcripts: dict[int, dict[str, str | None]] = {}
        self.transcript_names: dict[int, str] = {}
        self.versions: dict[int, int] = {}  # transcript id -> current text version id
        for transcript_id, name, wave, fidelity, version_id in _driver_rows(session, among(
            select(Transcript.id, Transcript.name, Transcript.wave, Transcript.fidelity, Transcript.current_version_id),
            Transcript.id, transcript_ids,
        )):
            self.transcript_names[transcript_id] = name
            self.transcripts[transcript_id] = {"wave": wave, "fidelity": fidelity}
            if version_id in version_ids:
                self.versions[transcript_id] = version_id
        self.transcript_attributes: dict[int, dict[str, str]] = defaultdict(dict)
        for transcript_id, name, value in _driver_rows(session, among(
            select(TranscriptAttribute.transcript_id, AttributeDefinition.name, TranscriptAttribute.value)
            .join(AttributeDefinition, TranscriptAttribute.definition_id == AttributeDefinition.id),
            TranscriptAttribute.transcript_id, transcript_ids,
        )):
            self.transcript_attributes[transcript_id][name] = value
        self.texts: dict[int, str] = {}
        if texts:
            current = select(TextVersion.id, TextVersion.text)
            if every:
                current = current.join(Transcript, Transcript.current_version_id == TextVersion.id)
            for version_id, text in _driver_rows(session, current if every else current.where(TextVersion.id.in_(version_ids))):
                self.texts[version_id] = text
        self._turns: dict[int, list[tuple[int, int, int | None, bool]]] | None = None
        self._turn_people = turn_people

        def read_turns() -> dict[int, list[tuple[int, int, int | None, bool]]]:
            found: dict[int, list[tuple[int, int, int | None, bool]]] = defaultdict(list)
            turns = select(Turn.text_version_id, Turn.start, Turn.end, Turn.participant_id, Turn.speaker.is_not(None))
            # Read in table order and sorted here: turns are stored in text order, which a sort finds at once.
            for version_id, start, end, participant_id, labelled in _driver_rows(
                    session, among(turns, Turn.text_version_id, version_ids)):
                if version_id in version_ids:
                    found[version_id].append((start, end, participant_id, bool(labelled)))
            for version_turns in found.values():
                version_turns.sort(key=itemgetter(0))
            return found

        self._read_turns = read_turns
        if turn_people is None:
            self._turns = read_turns()
        self.links: list[tuple[int, int]] = [
            (transcript_id, participant_id) for transcript_id, participant_id in _driver_rows(session, among(
                select(TranscriptParticipant.transcript_id, TranscriptParticipant.participant_id),
                TranscriptParticipant.transcript_id, transcript_ids,
            ))
        ]
        linked: dict[int, list[int]] = defaultdict(list)
        for transcript_id, participant_id in self.links:
            linked[transcript_id].append(participant_id)
        self.only_participant = {transcript_id: people[0] for transcript_id, people in linked.items() if len(people) == 1}
        self.people: dict[int, tuple[str, dict[str, str | None]]] = {}
        for person_id, name, role, gender, age_band, office in _driver_rows(session, (
            select(Participant.id, Participant.name, Participant.role, Participant.gender, Participant.age_band,
                   Participant.office)
        )):
            self.people[person_id] = (name, {"role": role, "gender": gender, "age_band": age_band, "office": office})
        self.people_attributes: dict[int, dict[str, str]] = defaultdict(dict)
        # The columns a participant gives a passage: the built-in ones and the participants' typed attributes.
        self.participant_columns = frozenset(("participant", *PARTICIPANT_COLUMNS, *(name for (name,) in _driver_rows(
            session, select(AttributeDefinition.name).where(AttributeDefinition.applies_to == "participant")))))
        for person_id, name, value in _driver_rows(session, (
            select(ParticipantAttribute.participant_id, AttributeDefinition.name, ParticipantAttribute.value)
            .join(AttributeDefinition, ParticipantAttribute.definition_id == AttributeDefinition.id)
        )):
            self.people_attributes[person_id][name] = value
        self._values: dict[tuple[int, int | None], dict[str, str | None]] = {}

    @property
    def turns(self) -> dict[int, list[tuple[int, int, int | None, bool]]]:
        """Per text version, its turns in text order: (start, end, participant, labelled), the participant
        linked to the turn (None for none) and whether it has a speaker label."""
        if self._turns is None:
            self._turns = self._read_turns()
        return self._turns

    def attribution(self, transcript_id: int, version_id: int) -> tuple[list[int], list[int], list[int | None]]:
        """The turns' starts and ends, and the participant each counts for (turn_counts_for, as a Quote reads
        it): who a coding starting in the turn is attributed to."""
        turns = self.turns.get(version_id)
        if not turns:
            return [], [], []
        starts, ends, people, labelled = zip(*turns, strict=True)
        only = self.only_participant.get(transcript_id)
        return list(starts), list(ends), [
            turn_counts_for(person, has_label, only) for person, has_label in zip(people, labelled, strict=True)]

    def turn_participants(self, version_id: int) -> set[int]:
        """The participants with a turn in a text version."""
        if self._turn_people is not None:
            return set(self._turn_people.get(version_id, ()))
        return set(map(itemgetter(2), self.turns.get(version_id, ()))) - {None}

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

