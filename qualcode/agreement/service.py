"""Agreement of coders on a selection: per code and overall, on the chosen unit, with the number of
units each figure rests on; and the units where the coders differ.

Which codings count is what every analysis counts (analysis.passages.coded): live codings on each
transcript's current text, a code's passages holding its sub-codes' unless `only`, overlapping
codings of one code by one coder merged. A coder's value for a unit is 1 (applied the code) or
0 (did not) in the transcripts that coder coded at all, and missing in the others: a transcript
nobody asked them to code is not a disagreement.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from operator import is_not
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.agreement.statistics import (
    Figure,
    Pattern,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from qualcode.agreement.units import (
    UNITS,
    Span,
    character_stretches,
    match_segments,
    range_pattern_counts,
    unit_patterns,
)
from qualcode.analysis.passages import Coded, coded
from qualcode.codebook.service import find_code
from qualcode.coding.consensus import CONSENSUS_CODER, MIN_OVERLAP
from qualcode.coding.missing import value_holds
from qualcode.coding.passages import QuoteFilter, check_selection, known_hint
from qualcode.coding.sentences import sentences_within, version_sentences
from qualcode.errors import InvalidInput, NotFound
from qualcode.store.lookup import LineIndex
from qualcode.store.models import Coder, Coding, Transcript
from qualcode.text.order import natural_key

if TYPE_CHECKING:  # numpy loads when agreement is computed
    import numpy as np
    from numpy.typing import NDArray

SEGMENT_CHANCE = ("segments are only the stretches someone coded, so no unit is left uncoded by every coder "
                  "and chance agreement cannot be estimated; use --unit sentence or turn")


@dataclass(frozen=True)
class CodeAgreement:
    """One code's agreement (or the overall row's): each figure with the units it rests on."""

    code_path: str
    depth: int
    applied: tuple[int, ...]  # units each coder applied the code to, in the coders' order
    percent: Figure
    kappa: Figure  # Cohen's for two coders, Fleiss' for more
    alpha: Figure


@dataclass(frozen=True)
class Agreement:
    unit: str
    min_overlap: float
    coders: tuple[str, ...]
    kappa_name: str
    codes: tuple[CodeAgreement, ...]
    overall: CodeAgreement
    transcripts: int  # transcripts coded by at least two of the coders
    disagreements: tuple[Disagreement, ...]


@dataclass(frozen=True)
class Disagreement:
    """A unit where the coders differ about one code: who applied it and who did not."""

    transcript: str
    line: int
    start: int
    end: int
    text: str
    code_path: str
    applied_by: tuple[str, ...]
    not_by: tuple[str, ...]


def agreement(
    session: Session, selection: QuoteFilter, unit: str = "sentence", coders: Sequence[str] = (),
    min_overlap: float | None = None, *, listed: bool = True,
) -> Agreement:
    """The agreement of `coders` (default: everyone who coded the selection) on the selection's codes,
    and with `listed` the units where they differ. `min_overlap` matches segments (default
    MIN_OVERLAP); given with another unit, it is refused rather than ignored."""
    if unit not in UNITS:
        raise InvalidInput(f"--unit {unit!r} is not one of {', '.join(UNITS)}", "as in --unit sentence")
    if min_overlap is not None and unit != "segment":
        raise InvalidInput(f"--min-overlap applies to --unit segment, not {unit}", "add --unit segment, or leave it out")
    min_overlap = MIN_OVERLAP if min_overlap is None else min_overlap
    if not 0.0 < min_overlap <= 1.0:
        raise InvalidInput(f"--min-overlap {min_overlap} is not above 0 and at most 1", "as in --min-overlap 0.9")
    names = tuple(dict.fromkeys(name.strip() for name in coders if name.strip()))
    if len(names) == 1:
        raise InvalidInput(f"agreement needs two coders or more; --coders names only {names[0]}", "as in --coders A,B")
    # A role, participant or attribute filter chooses units (the chosen people's turns), not codings:
    # a coding touching a chosen turn counts there wherever it begins, so a question coded with its
    # answer, or an exchange of two speakers, is a value on the answer's unit for its coder.
    people = _People(selection, check_selection(session, selection))
    codings = replace(selection, coders=names, roles=(), participants=(), attributes=())
    found = coded(session, codings, rollup=selection.include_subcodes, texts=True, required=False)
    # Who takes part is who coded the selected transcripts at all, whatever the codes asked for: a
    # coder who coded a transcript and did not apply a code said no to it there, which is what the
    # code's row counts with or without --code (README, "Agreement").
    # With a role, participant or attribute filter, only transcripts where someone it chooses speaks:
    # a coder of other transcripts compared nothing, and made every kappa n/a.
    coverage = _coverage(session, _in_the_filter(found, people))
    used = {found.coders[coder_id] for coders in coverage.values() for coder_id in coders}
    if names:
        for name in names:
            if name not in used:
                raise InvalidInput(f"{name} coded nothing in the selection", _coded_hint(used))
    else:
        # The consensus coder copies one side of each decided disagreement: counted by default, it
        # would raise the agreement the team reports. Named with --coders, it is compared as asked.
        names = tuple(sorted(used - {CONSENSUS_CODER}, key=natural_key))
        if not names:
            raise NotFound("nobody coded anything in the selection", "code passages first, or widen the selection")
        if len(names) == 1:
            raise InvalidInput(f"agreement needs two coders or more; only {names[0]} coded the selection",
                               "a second coder codes the same transcripts first")
        if CONSENSUS_CODER in used:
            found = coded(session, replace(codings, coders=names), rollup=selection.include_subcodes, texts=True, required=False)
    coder_ids = {name: coder_id for coder_id, name in found.coders.items()}
    order = [coder_ids[name] for name in names]
    used_codes = set(found.code)
    for ref in selection.codes:
        named = find_code(session, ref)
        if named.id not in used_codes:
            raise InvalidInput(f"nobody coded {named.path} in the selection", "see what is coded with `qualcode analyse codes`")
    study = _Study(session, found, people, order, unit, min_overlap, coverage)
    if not study.covered:
        raise InvalidInput(
            f"no transcript in the selection was coded by two of {', '.join(names)}",
            "agreement compares coders on the same transcripts: a second coder codes some of the first's transcripts first",
        )
    rows = [code for code in found.rows if code.id in used_codes]
    kappa_name = "Cohen's kappa" if len(order) == 2 else "Fleiss' kappa"
    results = []
    pooled: Counter[Pattern] = Counter()
    for code in rows:
        patterns = study.patterns(code.id)
        results.append(_figures(code.path, code.depth, patterns, unit, len(order)))
        if code.id in found.roots or not selection.include_subcodes:
            pooled.update(patterns)
    overall = _figures("Overall", 0, pooled, unit, len(order))
    disagreements = study.disagreements([(code.id, code.path) for code in rows], names) if listed else ()
    return Agreement(unit, min_overlap, names, kappa_name, tuple(results), overall, len(study.covered), disagreements)


def _coverage(session: Session, transcript_ids: set[int]) -> dict[int, set[int]]:
    """The coders (ids) who coded each of the transcripts, any code: live codings on its current text."""
    coverage: dict[int, set[int]] = defaultdict(set)
    for transcript_id, coder_id in session.execute(
        select(Coding.transcript_id, Coding.coder_id).join(Transcript, Coding.transcript_id == Transcript.id)
        .where(Coding.removed_at.is_(None), Transcript.current_version_id == Coding.text_version_id).distinct()
    ):
        if transcript_id in transcript_ids:
            coverage[transcript_id].add(coder_id)
    return coverage


def _coded_hint(used: set[str]) -> str:
    return known_hint("coders of the selection", sorted(used, key=natural_key), "") if used else "nobody coded the selection"


@dataclass(frozen=True)
class _People:
    """The role, participant and attribute filters of a selection: which turns are compared."""

    selection: QuoteFilter
    attributes: tuple[tuple[str, str | None], ...]  # as check_selection returns them (None: without a value)

    @property
    def any(self) -> bool:
        return bool(self.selection.roles or self.selection.participants or self.attributes)


def _in_the_filter(found: Coded, people: _People) -> set[int]:
    """The selected transcripts, those only where a turn passes the role, participant and attribute
    filters when any is given."""
    places = found.places
    if not people.any:
        return set(places.versions)
    return {transcript_id for transcript_id, version in places.versions.items()
            if any(_chosen(found, people, transcript_id, person) for person in set(places.attribution(transcript_id, version)[2]))}


def _chosen(found: Coded, people: _People, transcript_id: int, participant_id: int | None) -> bool:
    """Whether a turn passes the role, participant and attribute filters."""
    selection, places = people.selection, found.places
    values = places.values(transcript_id, participant_id)
    if selection.roles and (values["role"] or "") not in selection.roles:
        return False
    if selection.participants and (places.name(participant_id) or "") not in selection.participants:
        return False
    return all(value_holds(values.get(name), wanted, of_no_one=participant_id is None and name in places.participant_columns)
               for name, wanted in people.attributes)


def _figures(path: str, depth: int, patterns: Counter[Pattern], unit: str, coders: int) -> CodeAgreement:
    """A code's figures among `coders` coders (a code with no unit in the selection has none: n/a)."""
    applied = tuple(sum(count for pattern, count in patterns.items() if pattern[index] == 1) for index in range(coders))
    percent = percent_agreement(patterns)
    if unit == "segment":
        kappa = alpha = Figure(None, percent.units, SEGMENT_CHANCE)
    else:
        kappa = cohen_kappa(patterns) if coders == 2 else fleiss_kappa(patterns)
        alpha = krippendorff_alpha(patterns)
    return CodeAgreement(path, depth, applied, percent, kappa, alpha)


class _Study:
    """The units of the selected transcripts and each coder's values on them, code by code."""

    def __init__(
        self, session: Session, found: Coded, people: _People, order: list[int], unit: str, min_overlap: float,
        coverage: dict[int, set[int]],
    ) -> None:
        self.found, self.people, self.order, self.unit, self.min_overlap = found, people, order, unit, min_overlap
        places = found.places
        position = {coder_id: index for index, coder_id in enumerate(order)}
        positions = {
            transcript_id: {position[coder_id] for coder_id in coders if coder_id in position}
            for transcript_id, coders in coverage.items()
        }
        self.covered = {transcript_id: coders for transcript_id, coders in positions.items() if len(coders) >= 2}
        self.position = position
        self.bases = {
            transcript_id: tuple(0 if index in coders else None for index in range(len(order)))
            for transcript_id, coders in self.covered.items()
        }
        self.found_places: dict[int, list[tuple[int, int, int, Pattern]]] = {}
        self.units: dict[int, tuple[list[int], list[int]]] = {}
        self.regions: dict[int, list[Span]] = {}
        self.baseline: Counter[Pattern] = Counter()
        filtered = people.any
        # The sentences as the reader shows them, kept per text version (found and kept the first time).
        sentences = version_sentences(session, {places.versions[t] for t in self.covered}) if unit == "sentence" else {}
        for transcript_id in self.covered:
            version = places.versions[transcript_id]
            text = places.texts[version]
            turn_starts, turn_ends, whose = places.attribution(transcript_id, version)
            turns = list(zip(turn_starts, turn_ends, strict=True))
            kept = [(start, end) for (start, end), person in zip(turns, whose, strict=True)
                    if self._chosen(transcript_id, person)] if filtered else turns
            base = self.base(transcript_id)
            if unit == "segment":  # segments are the passages, not units of the text: within the chosen turns
                if filtered:
                    self.regions[transcript_id] = kept
                continue
            if unit in ("sentence", "turn"):
                if unit == "sentence":
                    spans = sentences_within(sentences[version], kept) if filtered else sentences[version]
                else:
                    spans = kept
                if filtered and not turns:
                    spans = []
                self.units[transcript_id] = ([start for start, _ in spans], [end for _, end in spans])
                self.baseline[base] += len(spans)
            elif unit == "character":
                regions = kept if filtered else [(0, len(text))]
                self.regions[transcript_id] = regions
                self.baseline[base] += sum(end - start for start, end in regions)

    @cached_property
    def spans(self) -> dict[tuple[int, int], list[list[Span]]]:
        """Each (code, transcript)'s passages, per coder in the coders' order, sorted: what listing
        units and counting segments and characters read (sentences and turns are counted by `_ranges`)."""
        spans: dict[tuple[int, int], list[list[Span]]] = {}
        covered, position = self.covered, self.position
        for (code_id, transcript_id, _, coder_id, start), end in zip(self.found.spans, self.found.end, strict=True):
            if transcript_id not in covered:
                continue
            per_coder = spans.get((code_id, transcript_id))
            if per_coder is None:
                per_coder = spans[code_id, transcript_id] = [[] for _ in self.order]
            if self.unit == "segment" and transcript_id in self.regions:
                # Filtered by who speaks: a passage is compared on the chosen speakers' words, one piece a turn.
                per_coder[position[coder_id]] += [
                    (max(start, first), min(end, last)) for first, last in self.regions[transcript_id]
                    if max(start, first) < min(end, last)]
            else:
                per_coder[position[coder_id]].append((start, end))
        for per_coder in spans.values():
            for coder_spans in per_coder:
                coder_spans.sort()
                if self.unit == "character":
                    # One coder's passages of a code can overlap (one a participant's, one the interviewer's
                    # words inside it: analysis.passages attributes them apart); a character is theirs once.
                    coder_spans[:] = _union(coder_spans)
        return spans

    @cached_property
    def transcripts_of(self) -> dict[int, list[int]]:
        """The transcripts each code has passages in."""
        found: dict[int, list[int]] = defaultdict(list)
        for code_id, transcript_id in self.spans:
            found[code_id].append(transcript_id)
        return found

    @cached_property
    def _ranges(self) -> tuple[NDArray[np.int64], dict[int, list[tuple[NDArray[np.int64], NDArray[np.int64]]]]]:
        """Every sentence or turn of the covered transcripts laid end to end, as each unit's mask of the
        coders with a value there; and per code, per coder, the (first, stop) unit ranges their passages touch."""
        import numpy as np

        from qualcode.agreement.units import touched_ranges

        places = self.found.places
        offsets: dict[int, int] = {}
        starts, ends, covers = [], [], []
        offset = 0
        for transcript_id in sorted(self.covered):
            unit_starts, unit_ends = self.units[transcript_id]
            offsets[transcript_id] = offset
            starts.append(np.asarray(unit_starts, dtype=np.int64) + offset)
            ends.append(np.asarray(unit_ends, dtype=np.int64) + offset)
            covers.append(np.full(len(unit_starts), sum(1 << index for index in self.covered[transcript_id]), dtype=np.int64))
            # Past the text's end, so no passage reaches the next transcript's units.
            offset += len(places.texts[places.versions[transcript_id]]) + 1
        rows = [(code_id, self.position[coder_id], offsets[transcript_id] + start, offsets[transcript_id] + end)
                for (code_id, transcript_id, _, coder_id, start), end in zip(self.found.spans, self.found.end, strict=True)
                if transcript_id in offsets]
        table = np.array(rows, dtype=np.int64).reshape(-1, 4)
        table = table[np.lexsort((table[:, 1], table[:, 0]))]
        first, stop = touched_ranges(np.concatenate(starts or [np.zeros(0, np.int64)]), np.concatenate(ends or [np.zeros(0, np.int64)]),
                                     table[:, 2], table[:, 3])
        empty = np.zeros(0, dtype=np.int64)
        by_code: dict[int, list[tuple[NDArray[np.int64], NDArray[np.int64]]]] = {}
        pairs, bounds = np.unique(table[:, 0] * len(self.order) + table[:, 1], return_index=True)
        for pair, begin, end in zip(pairs.tolist(), bounds.tolist(), [*bounds.tolist()[1:], len(table)][:len(bounds)], strict=True):
            code_id, coder = divmod(pair, len(self.order))
            per_coder = by_code.setdefault(code_id, [(empty, empty) for _ in self.order])
            per_coder[coder] = (first[begin:end], stop[begin:end])
        return np.concatenate(covers or [empty]), by_code

    def _chosen(self, transcript_id: int, participant_id: int | None) -> bool:
        return _chosen(self.found, self.people, transcript_id, participant_id)

    def base(self, transcript_id: int) -> Pattern:
        """A unit nobody coded: 0 from each coder who coded the transcript, missing from the others."""
        return self.bases[transcript_id]

    def values(self, code_id: int, transcript_id: int) -> list[list[Span] | None]:
        per_coder = self.spans.get((code_id, transcript_id)) or [[] for _ in self.order]
        covered = self.covered[transcript_id]
        return [spans if index in covered else None for index, spans in enumerate(per_coder)]

    def places(self, code_id: int) -> list[tuple[int, int, int, Pattern]]:
        """(transcript, start, end, pattern) of every unit someone applied the code to."""
        cached = self.found_places.get(code_id)
        if cached is not None:
            return cached
        found = self.found_places[code_id] = []
        for transcript_id in self.transcripts_of.get(code_id, ()):
            values = self.values(code_id, transcript_id)
            if self.unit in ("sentence", "turn"):
                starts, ends = self.units[transcript_id]
                patterns, _ = unit_patterns(starts, ends, values)
                found += [(transcript_id, starts[index], ends[index], pattern) for index, pattern in patterns.items()]
            elif self.unit == "character":
                found += [(transcript_id, start, end, pattern)
                          for start, end, pattern in character_stretches(self.regions[transcript_id], values)
                          if any(value == 1 for value in pattern)]
            else:
                for group in match_segments(values, self.min_overlap):
                    members = [span for span in group if span is not None]
                    pattern = tuple(None if value is None else int(span is not None)
                                    for value, span in zip(values, group, strict=True))
                    found.append((transcript_id, min(s for s, _ in members), max(e for _, e in members), pattern))
        return found

    def patterns(self, code_id: int) -> Counter[Pattern]:
        """How many units have each pattern for this code."""
        counts: Counter[Pattern]
        if self.unit in ("sentence", "turn"):
            import numpy as np

            # Counted over all units at once from the ranges the passages touch, without a unit's place.
            covers, by_code = self._ranges
            empty = np.zeros(0, dtype=np.int64)
            return +Counter(range_pattern_counts(covers, by_code.get(code_id) or [(empty, empty) for _ in self.order]))
        if self.unit == "segment" and code_id not in self.found_places:
            # Counted by which coders each group holds, without the group's place.
            held: list[tuple[Pattern, tuple[bool, ...]]] = []
            nothing = (None,) * len(self.order)
            for transcript_id in self.transcripts_of.get(code_id, ()):
                base = self.bases[transcript_id]
                held += [(base, tuple(map(is_not, group, nothing)))
                         for group in match_segments(self.values(code_id, transcript_id), self.min_overlap)]
            counts = Counter()
            for (cover, which), size in Counter(held).items():
                counts[tuple(None if value is None else int(has) for value, has in zip(cover, which, strict=True))] += size
            return counts
        counts = Counter() if self.unit == "segment" else Counter(self.baseline)
        for transcript_id, start, end, pattern in self.places(code_id):
            size = end - start if self.unit == "character" else 1
            counts[pattern] += size
            if self.unit != "segment":
                counts[self.base(transcript_id)] -= size
        return +counts

    def disagreements(self, codes: Sequence[tuple[int, str]], names: Sequence[str]) -> tuple[Disagreement, ...]:
        """Units where one coder applied a code another did not; a parent code's entry is left out when
        a sub-code's holds the same unit and coders."""
        places = self.found.places
        lines: dict[int, LineIndex] = {}
        entries: dict[tuple[int, int, int, Pattern], list[str]] = defaultdict(list)
        listed: list[Disagreement] = []
        for code_id, path in sorted(codes, key=lambda code: -code[1].count("/")):
            for transcript_id, start, end, pattern in self.places(code_id):
                if not (1 in pattern and 0 in pattern):
                    continue
                key = (transcript_id, start, end, pattern)
                if any(other.startswith(path + "/") for other in entries[key]):
                    continue
                entries[key].append(path)
                version = places.versions[transcript_id]
                text = places.texts[version]
                line_index = lines.get(transcript_id) or lines.setdefault(transcript_id, LineIndex(text))
                listed.append(Disagreement(
                    places.transcript_names[transcript_id], line_index.line(start), start, end, text[start:end], path,
                    tuple(name for name, value in zip(names, pattern, strict=True) if value == 1),
                    tuple(name for name, value in zip(names, pattern, strict=True) if value == 0),
                ))
        position = {path: index for index, (_, path) in enumerate(codes)}
        rank = {name: index for index, name in enumerate(sorted({entry.transcript for entry in listed}, key=natural_key))}
        listed.sort(key=lambda entry: (rank[entry.transcript], entry.start, position[entry.code_path]))
        return tuple(listed)


def _union(spans: list[Span]) -> list[Span]:
    """Sorted spans with those that overlap or touch joined."""
    joined: list[Span] = []
    for start, end in spans:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def coder_names(session: Session) -> list[str]:
    """Every coder's name, for hints."""
    return sorted(session.scalars(select(Coder.name)), key=natural_key)
