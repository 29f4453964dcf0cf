"""Co-occurrence of codes: which codes' passages overlap, share a speaker turn, or lie within N sentences."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.passages import Passage, selected
from qualcode.analysis.rules import caption
from qualcode.analysis.tables import Cell as TableCell
from qualcode.analysis.tables import Column, Row, Table
from qualcode.codebook.service import CodeView, find_code
from qualcode.coding.passages import QuoteFilter, natural_key
from qualcode.errors import InvalidInput, NotFound
from qualcode.store.models import TextVersion, Transcript, Turn

WITHIN_KINDS = ("overlap", "turn", "sentences:N")

# The counting rule the co-occurrence captions state, beside the passage rules every table shares.
COOCCURRENCE_RULE = (
    "Two passages co-occur when they are by the same coder in the same transcript and {within}; "
    "overlapping passages always co-occur. Pairs across coders are not counted, so each coder's "
    "pairs count once (--coder chooses whose). A code never co-occurs with itself, its sub-codes "
    "or the codes above it: a parent's row holds its own and its sub-codes' passages. "
    "n is the number of co-occurring pairs of passages. "
    "c = n12 / (n1 + n2 - n12), ATLAS.ti's c-coefficient, where n1 and n2 are the two codes' passages and "
    "n12 is the mean of how many passages of each code co-occur with a passage of the other; when passages "
    "pair one to one, n12 = n and c is ATLAS.ti's, and c stays between 0 (never together) and 1 "
    "(every passage of each code co-occurs with one of the other)."
)


@dataclass(frozen=True)
class Within:
    """When two passages count as together: overlapping, in a common turn, or within N sentences."""

    kind: str  # overlap | turn | sentences
    sentences: int = 0

    @property
    def label(self) -> str:
        return f"sentences:{self.sentences}" if self.kind == "sentences" else self.kind

    @property
    def description(self) -> str:
        if self.kind == "overlap":
            return "their spans share at least one character"
        if self.kind == "turn":
            return "they lie in a common speaker turn (a passage lies in every turn it touches)"
        if self.sentences == 0:
            return "they lie in a common sentence (a passage lies in every sentence it touches)"
        unit = "sentence" if self.sentences == 1 else "sentences"
        return (f"they lie within {self.sentences} {unit} of each other (a passage lies in every sentence it "
                "touches; sentences as the reader finds them, within each turn)")


def parse_within(text: str) -> Within:
    """`overlap`, `turn` or `sentences:N` as a Within; anything else is refused with the forms it takes."""
    value = text.strip().lower()
    if value in ("overlap", "turn"):
        return Within(value)
    matched = re.fullmatch(r"sentences?(?::(\d+))?", value)
    if matched:
        return Within("sentences", int(matched.group(1) or 0))
    raise InvalidInput(f"--within {text!r} is not one of {', '.join(WITHIN_KINDS)}", "as in --within sentences:2")


@dataclass(frozen=True)
class CodedPair:
    """Two co-occurring passages: `first` of the first code asked about, `second` of the other."""

    first: Passage
    second: Passage
    relation: str  # overlap | same turn | same sentence | N sentences apart


@dataclass(frozen=True)
class CodeTotals:
    """A code's row: its place in the codebook and its passages (sub-codes' included)."""

    code_id: int
    path: str
    depth: int
    passages: int


@dataclass(frozen=True)
class Cell:
    """The co-occurrence of two codes: pairs, and how many passages of each code have a partner."""

    pairs: int
    first_paired: int
    second_paired: int
    c: float


@dataclass(frozen=True)
class Cooccurrence:
    """A code x code table: for every two codes that can co-occur, their cell."""

    within: Within
    codes: tuple[CodeTotals, ...]
    cells: dict[tuple[int, int], Cell]
    related: frozenset[tuple[int, int]]  # a code with itself, its sub-codes and the codes above it

    def cell(self, first: int, second: int) -> Cell | None:
        """The cell of two codes (None where they cannot co-occur: a code and its own tree)."""
        if (first, second) in self.related:
            return None
        return self.cells.get((first, second), Cell(0, 0, 0, 0.0))

    @property
    def rule(self) -> str:
        return COOCCURRENCE_RULE.format(within=self.within.description)


@dataclass(frozen=True)
class Partner:
    """A code that co-occurs with the code asked about, ranked."""

    code: CodeTotals
    cell: Cell


@dataclass(frozen=True)
class Ranking:
    """What co-occurs with one code, most pairs first."""

    code: CodeTotals
    within: Within
    partners: tuple[Partner, ...]


def cooccurrence(session: Session, selection: QuoteFilter, within: Within) -> Cooccurrence:
    """The code x code table of the selected passages: every cell counted from the same pairs
    `cooccurring_pairs` lists."""
    codes, spans = _spans(session, selection)
    pair_counts: dict[tuple[int, int], int] = defaultdict(int)
    partnered: dict[tuple[int, int], set[int]] = defaultdict(set)  # (code, other code) -> indices of the code's spans
    for first, second, _ in _pairs(session, spans, codes, within):
        one, other = spans[first], spans[second]
        pair_counts[one.code_id, other.code_id] += 1
        pair_counts[other.code_id, one.code_id] += 1
        partnered[one.code_id, other.code_id].add(first)
        partnered[other.code_id, one.code_id].add(second)
    sizes: dict[int, int] = defaultdict(int)
    for span in spans:
        sizes[span.code_id] += 1
    shown = tuple(CodeTotals(code.id, code.path, code.depth, sizes[code.id]) for code in codes.values() if sizes[code.id])
    cells = {}
    for (first, second), count in pair_counts.items():
        first_paired, second_paired = len(partnered[first, second]), len(partnered[second, first])
        cells[first, second] = Cell(count, first_paired, second_paired,
                                    _c_coefficient(sizes[first], sizes[second], first_paired, second_paired))
    related = frozenset(
        (one.code_id, other.code_id) for one in shown for other in shown
        if _related(codes[one.code_id], codes[other.code_id])
    )
    return Cooccurrence(within, shown, cells, related)


def rank_partners(table: Cooccurrence, code: CodeTotals) -> Ranking:
    """The codes that co-occur with `code`: most pairs first, then the higher c, then codebook order."""
    partners = [
        Partner(other, cell) for other in table.codes
        if (cell := table.cell(code.code_id, other.code_id)) is not None and cell.pairs
    ]
    order = {totals.code_id: index for index, totals in enumerate(table.codes)}
    partners.sort(key=lambda partner: (-partner.cell.pairs, -partner.cell.c, order[partner.code.code_id]))
    return Ranking(code, table.within, tuple(partners))


def find_row(session: Session, table: Cooccurrence, ref: str) -> CodeTotals:
    """The row of the code `ref` names; a code with no passages in the selection is refused."""
    code = find_code(session, ref)
    row = next((totals for totals in table.codes if totals.code_id == code.id), None)
    if row is None:
        raise NotFound(f"no passages of {code.path!r} match the selection", "see what is coded with `qualcode analyse codes`")
    return row


def cooccurring_pairs(
    session: Session, selection: QuoteFilter, within: Within, first_ref: str, second_ref: str,
) -> list[CodedPair]:
    """The pairs of passages behind one cell, in transcript, coder and text order: exactly those the cell counts."""
    first_code, second_code = find_code(session, first_ref), find_code(session, second_ref)
    codes, spans = _spans(session, selection)
    for code in (first_code, second_code):
        if not any(span.code_id == code.id for span in spans):
            raise NotFound(f"no passages of {code.path!r} match the selection", "see what is coded with `qualcode analyse codes`")
    if _related(codes[first_code.id], codes[second_code.id]):
        raise InvalidInput(
            f"{first_code.path!r} and {second_code.path!r} are one code's tree", "a code never co-occurs with itself, its sub-codes or the codes above it",
        )
    found = []
    for one, other, relation in _pairs(session, spans, codes, within):
        pair = (spans[one], spans[other])
        if pair[0].code_id == second_code.id and pair[1].code_id == first_code.id:
            pair = (pair[1], pair[0])
        if pair[0].code_id == first_code.id and pair[1].code_id == second_code.id:
            found.append(CodedPair(pair[0], pair[1], relation))
    if not found:
        raise NotFound(
            f"no passages of {first_code.path!r} and {second_code.path!r} co-occur ({within.label})",
            f"what co-occurs with {first_code.path!r}: `qualcode analyse cooccur --code {first_code.path!r}`",
        )
    found.sort(key=lambda pair: (natural_key(pair.first.transcript), pair.first.coder, pair.first.start,
                                 pair.second.start, pair.first.end, pair.second.end))
    return found


def _c_coefficient(first_size: int, second_size: int, first_paired: int, second_paired: int) -> float:
    together = (first_paired + second_paired) / 2
    union = first_size + second_size - together
    return together / union if union else 0.0


def _related(one: CodeView, other: CodeView) -> bool:
    """The same code, or one above the other in the codebook."""
    return one.path == other.path or one.path.startswith(other.path + "/") or other.path.startswith(one.path + "/")


def _spans(session: Session, selection: QuoteFilter) -> tuple[dict[int, CodeView], list[Passage]]:
    """Every code in codebook order, and the selected passages rolled up (a parent's passages merge
    its own and its sub-codes' codings)."""
    found = selected(session, selection)
    codes = {code.id: code for code in found.codes}
    return codes, found.passages


def _pairs(
    session: Session, spans: Sequence[Passage], codes: dict[int, CodeView], within: Within,
) -> Iterator[tuple[int, int, str]]:
    """(index, index, relation) of every two co-occurring spans of distinct, unrelated codes: same
    transcript, same coder, each pair once. The one place pairs are found, for the table and the
    drill-down alike."""
    related = {(one.id, other.id) for one in codes.values() for other in codes.values() if _related(one, other)}
    code_of = [span.code_id for span in spans]
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for index, span in enumerate(spans):
        groups[span.transcript_id, span.coder].append(index)
    units = _units(session, {span.transcript_id for span in spans}, within)
    reach = within.sentences
    for (transcript_id, _), members in groups.items():
        members.sort(key=lambda index: (spans[index].start, spans[index].end))
        if within.kind == "overlap":
            for one, other in _overlapping(spans, members):
                if (code_of[one], code_of[other]) not in related:
                    yield one, other, "overlap"
            continue
        starts, ends = units.get(transcript_id, ([], []))
        placed = _placed(spans, members, starts, ends)
        for one, other, apart in _near(placed, reach):
            if (code_of[one], code_of[other]) not in related:
                overlap = spans[one].start < spans[other].end and spans[other].start < spans[one].end
                yield one, other, "overlap" if overlap else _relation(within, apart)
        # Overlapping spans co-occur even where their shared text lies outside every turn or sentence.
        for one, other in _overlapping(spans, members):
            if (code_of[one], code_of[other]) not in related and not _is_near(placed.get(one), placed.get(other), reach):
                yield one, other, "overlap"


def _relation(within: Within, apart: int) -> str:
    if within.kind == "turn":
        return "same turn"
    return "same sentence" if apart == 0 else f"{apart} sentence{'s' if apart > 1 else ''} apart"


def _overlapping(spans: Sequence[Passage], members: list[int]) -> Iterator[tuple[int, int]]:
    """Pairs of spans sharing a character, by a sweep over `members` sorted by start."""
    active: list[int] = []
    for index in members:
        start = spans[index].start
        active = [other for other in active if spans[other].end > start]
        for other in active:
            yield other, index
        active.append(index)


def _placed(spans: Sequence[Passage], members: list[int], starts: list[int], ends: list[int]) -> dict[int, tuple[int, int]]:
    """The first and last unit (turn or sentence) each span touches; a span touching none is left out."""
    placed = {}
    for index in members:
        span = spans[index]
        first = bisect_right(ends, span.start)  # the first unit ending after the span starts
        last = bisect_left(starts, span.end) - 1  # the last unit starting before the span ends
        if first <= last:
            placed[index] = (first, last)
    return placed


def _near(placed: dict[int, tuple[int, int]], reach: int) -> Iterator[tuple[int, int, int]]:
    """Pairs of placed spans at most `reach` units apart (0: touching a common unit), with the distance."""
    active: list[tuple[int, int]] = []  # (last unit, index)
    for index, (first, last) in sorted(placed.items(), key=lambda item: item[1]):
        active = [item for item in active if item[0] >= first - reach]
        for other_last, other in active:
            yield other, index, max(0, first - other_last)
        active.append((last, index))


def _is_near(one: tuple[int, int] | None, other: tuple[int, int] | None, reach: int) -> bool:
    return one is not None and other is not None and max(one[0], other[0]) - min(one[1], other[1]) <= reach


def _units(session: Session, transcript_ids: set[int], within: Within) -> dict[int, tuple[list[int], list[int]]]:
    """Per transcript, the starts and ends of its turns or sentences in text order (the current text's)."""
    if within.kind == "overlap":
        return {}
    # Core rows on the connection: tens of thousands of turns skip the ORM's result processing.
    rows = session.connection().execute(
        select(Transcript.id, Turn.start, Turn.end)
        .join(Turn, Turn.text_version_id == Transcript.current_version_id)
        .where(Transcript.id.in_(transcript_ids)).order_by(Transcript.id, Turn.start, Turn.end)
    ).all()
    turns: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for transcript_id, start, end in rows:
        turns[transcript_id].append((start, end))
    if within.kind == "turn":
        units = turns
    else:
        units = _sentences(session, transcript_ids, turns)
    return {
        transcript_id: ([start for start, _ in spans], [end for _, end in spans])
        for transcript_id, spans in units.items()
    }


def _sentences(
    session: Session, transcript_ids: set[int], turns: dict[int, list[tuple[int, int]]],
) -> dict[int, list[tuple[int, int]]]:
    """Sentence spans as the reader finds them: within each turn, or in the whole text if it has no turns."""
    from qualcode.text.sentences import sentence_spans  # spaCy, only for this kind

    texts = session.execute(
        select(Transcript.id, TextVersion.text)
        .join(TextVersion, TextVersion.id == Transcript.current_version_id).where(Transcript.id.in_(transcript_ids))
    ).all()
    sentences: dict[int, list[tuple[int, int]]] = {}
    for transcript_id, text in texts:
        pieces = turns.get(transcript_id) or [(0, len(text))]
        found: list[tuple[int, int]] = []
        for start, end in pieces:
            found += sentence_spans(text[start:end], start)
        sentences[transcript_id] = found
    return sentences


@dataclass(frozen=True)
class Coefficient(TableCell):
    """A c-coefficient: two decimals in the terminal, the number itself in JSON, CSV and .xlsx."""

    def text(self) -> str:
        return "" if self.value is None else f"{self.value:.2f}"


def cooccurrence_table(table: Cooccurrence) -> Table:
    """Codes as rows and as grouped columns, each column code's n and c; blank where codes cannot co-occur."""
    columns = [Column("passages")]
    for number in range(1, len(table.codes) + 1):
        columns += [Column("n", group=str(number)), Column("c", group=str(number))]
    rows = []
    for number, code in enumerate(table.codes, start=1):
        cells: list[TableCell] = [TableCell(code.passages)]
        for other in table.codes:
            cell = table.cell(code.code_id, other.code_id)
            cells += [TableCell(cell.pairs), Coefficient(round(cell.c, 4))] if cell else [TableCell(), Coefficient()]
        rows.append(Row(f"{number} {code.path.rsplit('/', 1)[-1]}", tuple(cells), level=_level(table, code), key=code.path))
    return Table(
        title=f"Co-occurrence of codes ({table.within.label})",
        caption=caption(
            "Rows are codes and columns the same codes by their row's number; passages is each code's passages; "
            "n and c are the pairs and the "
            "c-coefficient of the row's code with the column's; blank where a code meets itself, its sub-codes or the "
            "codes above it.", table.rule,
        ),
        row_header="code", columns=tuple(columns), rows=tuple(rows),
    )


def ranking_table(ranking: Ranking) -> Table:
    """The codes co-occurring with one code, most pairs first, with the passages of each side that have a partner."""
    code = ranking.code
    rows = tuple(
        Row(partner.code.path, (
            TableCell(partner.cell.pairs), Coefficient(round(partner.cell.c, 4)), TableCell(partner.code.passages),
            TableCell(partner.cell.first_paired), TableCell(partner.cell.second_paired),
        ), key=partner.code.path)
        for partner in ranking.partners
    )
    return Table(
        title=f"Codes co-occurring with {code.path} ({code.passages} passages; {ranking.within.label})",
        caption=caption(
            f"n: pairs of passages; c: the c-coefficient; passages: the other code's passages; {shorten_path(code.path)} "
            "paired: its passages that co-occur with one of the other's; other paired: the other's passages that co-occur "
            "with one of its. Codes that never co-occur with it are left out.", _rule(ranking.within),
        ),
        row_header="code",
        columns=(Column("n"), Column("c"), Column("passages"), Column(f"{shorten_path(code.path)} paired"),
                 Column("other paired")),
        rows=rows,
    )


def pairs_table(pairs: Sequence[CodedPair], within: Within) -> Table:
    """The pairs of passages behind a cell, one block per pair: where, by whom, how they meet, and both texts."""
    first, second = pairs[0].first.code_path, pairs[0].second.code_path
    rows = tuple(
        Row(f"{pair.first.transcript}, {pair.first.coder}: {pair.relation}", (
            TableCell(pair.first.transcript), TableCell(pair.first.coder), TableCell(pair.relation),
            TableCell(pair.first.participant or ""), TableCell(f"{pair.first.start}-{pair.first.end}"),
            TableCell(pair.first.text), TableCell(pair.second.participant or ""),
            TableCell(f"{pair.second.start}-{pair.second.end}"), TableCell(pair.second.text),
        ), key=f"{pair.first.transcript}:{pair.first.start}-{pair.first.end}:{pair.second.start}-{pair.second.end}")
        for pair in pairs
    )
    one, other = shorten_path(first), shorten_path(second)
    return Table(
        title=f"{len(pairs)} pair{'s' if len(pairs) != 1 else ''} of passages: {first} with {second} ({within.label})",
        caption=caption("Each pair is one passage of each code, counted once in the co-occurrence table.", _rule(within)),
        row_header="pair",
        columns=(
            Column("transcript"), Column("coder"), Column("how"), Column(f"{one} participant"), Column(f"{one} at"),
            Column(one, wide=True), Column(f"{other} participant"), Column(f"{other} at"), Column(other, wide=True),
        ),
        rows=rows, records=True,
    )


def shorten_path(path: str) -> str:
    """A code's own name, the last part of its path."""
    return path.rsplit("/", 1)[-1]


def _rule(within: Within) -> str:
    return COOCCURRENCE_RULE.format(within=within.description)


def _level(table: Cooccurrence, code: CodeTotals) -> int:
    """How far below the shallowest shown code a row is indented."""
    return code.depth - min(totals.depth for totals in table.codes)
