"""Co-occurrence of codes: which codes' passages overlap, share a speaker turn, or lie within N sentences."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import add, itemgetter, lshift, mul, or_, rshift

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.passages import Coded, Passage, coded
from qualcode.analysis.rules import caption
from qualcode.analysis.tables import Cell as TableCell
from qualcode.analysis.tables import Column, Row, Table
from qualcode.codebook.service import CodeView, find_code
from qualcode.coding.passages import QuoteFilter
from qualcode.coding.sentences import version_sentences
from qualcode.errors import InvalidInput, NotFound
from qualcode.garbage import without_collections
from qualcode.store.models import Code, Transcript
from qualcode.text.order import natural_key

WITHIN_KINDS = ("overlap", "turn", "sentences:N")
# The widest --within sentences:N: passages further apart than this are hardly together, and a long
# interview has about this many sentences in all.
MAX_REACH = 1000

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

# The same in bokmål, for a report written in it.
COOCCURRENCE_RULE_NB = (
    "To passasjer forekommer sammen når de er av samme koder i samme intervju og {within}; "
    "overlappende passasjer forekommer alltid sammen. Par på tvers av kodere telles ikke, så hver koders "
    "par telles én gang. En kode forekommer aldri sammen med seg selv, sine underkoder eller kodene over "
    "den: en overordnet kodes rad har sine egne og underkodenes passasjer. "
    "n er antall par av passasjer som forekommer sammen. "
    "c = n12 / (n1 + n2 - n12), ATLAS.ti-s c-koeffisient, der n1 og n2 er de to kodenes passasjer og "
    "n12 er gjennomsnittet av hvor mange passasjer av hver kode som forekommer sammen med en passasje av den "
    "andre; når passasjene danner par én til én, er n12 = n og c som i ATLAS.ti, og c ligger mellom 0 "
    "(aldri sammen) og 1 (hver passasje av hver kode forekommer sammen med en av den andre)."
)


@dataclass(frozen=True)
class Within:
    """When two passages count as together: overlapping, in a common turn, or within N sentences."""

    kind: str  # overlap | turn | sentences
    sentences: int = 0

    @property
    def label(self) -> str:
        return f"sentences:{self.sentences}" if self.kind == "sentences" else self.kind

    def label_in(self, language: str) -> str:
        """The label as a heading shows it, in bokmål for `language` "nb" ("overlapp", "felles taletur", "innenfor 2 setninger")."""
        if language != "nb":
            return self.label
        if self.kind == "overlap":
            return "overlapp"
        if self.kind == "turn":
            return "felles taletur"
        if self.sentences == 0:
            return "felles setning"
        return f"innenfor {self.sentences} {'setning' if self.sentences == 1 else 'setninger'}"

    def description_in(self, language: str) -> str:
        """The description, in bokmål for `language` "nb"."""
        if language != "nb":
            return self.description
        if self.kind == "overlap":
            return "spennene deres deler minst ett tegn"
        if self.kind == "turn":
            return "de ligger i en felles taletur (en passasje ligger i hver taletur den berører)"
        if self.sentences == 0:
            return "de ligger i en felles setning (en passasje ligger i hver setning den berører)"
        unit = "setning" if self.sentences == 1 else "setninger"
        return (f"de ligger innenfor {self.sentences} {unit} fra hverandre (en passasje ligger i hver setning den "
                "berører; setninger slik leseren finner dem, innenfor hver taletur)")

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
        reach = (matched.group(1) or "0").lstrip("0") or "0"
        # Read as a number only once it is short: Python refuses to read one of thousands of digits.
        if len(reach) > len(str(MAX_REACH)) or int(reach) > MAX_REACH:
            shown = reach if len(reach) <= 12 else reach[:12] + "…"
            raise InvalidInput(f"--within sentences:{shown} reaches further than {MAX_REACH} sentences",
                               f"give N up to {MAX_REACH}; a reach past a transcript's last sentence counts the whole transcript")
        return Within("sentences", int(reach))
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

    def rule_in(self, language: str) -> str:
        """The rule in the report's language: bokmål for "nb", else English."""
        return COOCCURRENCE_RULE_NB.format(within=self.within.description_in("nb")) if language == "nb" else self.rule


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
    found = coded(session, selection)
    codes = {code.id: code for code in found.rows}
    code_of = found.code
    sizes = Counter(code_of)
    with without_collections():
        pairs = _pairs(session, found, codes, within)
        # Each pair's two codes as one number (the code earlier in the codebook, which _pairs puts first,
        # times a width past the largest id, plus the other): the counting then runs inside Counter and set.
        width = max(codes) + 1
        lows, highs = list(map(itemgetter(0), pairs)), list(map(itemgetter(1), pairs))
        keys = list(map(add, map(mul, map(code_of.__getitem__, lows), repeat(width)), map(code_of.__getitem__, highs)))
        pair_counts = Counter(keys)
        low_paired, high_paired = _distinct(keys, lows, len(code_of)), _distinct(keys, highs, len(code_of))
    shown = tuple(CodeTotals(code.id, code.path, code.depth, sizes[code.id]) for code in codes.values() if sizes[code.id])
    cells = {}
    for key, count in pair_counts.items():
        low, high = divmod(key, width)
        c = _c_coefficient(sizes[low], sizes[high], low_paired[key], high_paired[key])
        cells[low, high] = Cell(count, low_paired[key], high_paired[key], c)
        cells[high, low] = Cell(count, high_paired[key], low_paired[key], c)
    related = frozenset(
        (one.code_id, other.code_id) for one in shown for other in shown
        if _related(codes[one.code_id], codes[other.code_id])
    )
    return Cooccurrence(within, shown, cells, related)


def rank_partners(table: Cooccurrence, code: CodeTotals) -> Ranking:
    """The codes that co-occur with `code`: most pairs first, then the higher c, then codebook order;
    none is a NotFound, never an empty ranking."""
    partners = [
        Partner(other, cell) for other in table.codes
        if (cell := table.cell(code.code_id, other.code_id)) is not None and cell.pairs
    ]
    if not partners:
        within = table.within
        raise NotFound(f"no passages of other codes co-occur with {code.path!r} ({within.label})", f"count a wider reach with {_wider(within)}")
    order = {totals.code_id: index for index, totals in enumerate(table.codes)}
    partners.sort(key=lambda partner: (-partner.cell.pairs, -partner.cell.c, order[partner.code.code_id]))
    return Ranking(code, table.within, tuple(partners))


def without_pairs(table: Cooccurrence) -> NotFound | None:
    """Why the table holds no two codes together, as the error a selection that yields nothing is
    (None when some two co-occur): only one code's tree has passages in the selection, or no two
    codes' passages co-occur within the reach asked for."""
    if table.cells:  # a cell is kept only for two codes with a pair
        return None
    if table.codes and all((one.code_id, other.code_id) in table.related for one in table.codes for other in table.codes):
        top = min(table.codes, key=lambda code: code.depth).path
        whose = f"{top!r} and its sub-codes have" if len(table.codes) > 1 else f"{top!r} has"
        return NotFound(f"only {whose} passages in the selection, so no two codes co-occur",
                        "a code never co-occurs with itself, its sub-codes or the codes above it; widen the selection,"
                        " or see what is coded with `qualcode analyse codes`")
    return NotFound(f"no passages of two codes co-occur in the selection ({table.within.label})",
                    f"count a wider reach with {_wider(table.within)}")


def _wider(within: Within) -> str:
    """The reach wider than `within` to try, never the one asked for."""
    return {
        "overlap": "--within turn or --within sentences:N",
        "turn": "--within sentences:N, N sentences apart at most",
    }.get(within.kind, f"a larger N than --within {within.label}, or --within turn")


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
    # Asked first: whatever is coded, two codes of one tree have no cell ("no passages of
    # 'empowerment'" was said of empowerment and avmakt, its sub-code).
    if _related(first_code, second_code):
        raise InvalidInput(
            f"{first_code.path!r} and {second_code.path!r} are one code's tree", "a code never co-occurs with itself, its sub-codes or the codes above it",
        )
    found = coded(session, selection, texts=True)
    codes = {code.id: code for code in found.rows}
    code_of = found.code
    for code in (first_code, second_code):
        if code.id not in code_of:
            raise NotFound(f"no passages of {code.path!r} match the selection", "see what is coded with `qualcode analyse codes`")
    # Passage objects (with their texts) only for the passages of the pairs listed.
    chosen: list[tuple[int, int, str]] = []
    with without_collections():
        for one, other, relation in _pairs(session, found, codes, within):
            if code_of[one] == second_code.id and code_of[other] == first_code.id:
                one, other = other, one
            if code_of[one] == first_code.id and code_of[other] == second_code.id:
                chosen.append((one, other, relation))
    listed = sorted({index for one, other, _ in chosen for index in (one, other)})
    passage = dict(zip(listed, found.passages(listed), strict=True))
    pairs = [CodedPair(passage[one], passage[other], relation) for one, other, relation in chosen]
    if not pairs:
        raise NotFound(
            f"no passages of {first_code.path!r} and {second_code.path!r} co-occur ({within.label})",
            f"what co-occurs with {first_code.path!r}: `qualcode analyse cooccur --code {first_code.path!r}`",
        )
    pairs.sort(key=lambda pair: (natural_key(pair.first.transcript), pair.first.coder, pair.first.start,
                                 pair.second.start, pair.first.end, pair.second.end))
    return pairs


def _distinct(keys: list[int], indexes: list[int], size: int) -> Counter[int]:
    """Per key, how many distinct indexes (below `size`) it comes with: each (key, index) as one number
    so that the set and the count run in C."""
    shift = size.bit_length()
    return Counter(map(rshift, set(map(or_, map(lshift, keys, repeat(shift)), indexes)), repeat(shift)))


def _c_coefficient(first_size: int, second_size: int, first_paired: int, second_paired: int) -> float:
    together = (first_paired + second_paired) / 2
    union = first_size + second_size - together
    return together / union if union else 0.0


def _related(one: CodeView | Code, other: CodeView | Code) -> bool:
    """The same code, or one above the other in the codebook."""
    return one.path == other.path or one.path.startswith(other.path + "/") or other.path.startswith(one.path + "/")


def _pairs(session: Session, found: Coded, codes: dict[int, CodeView], within: Within) -> list[tuple[int, int, str]]:
    """(index, index, relation) of every two co-occurring passages (indexes into `found`) of distinct,
    unrelated codes (`codes`, the selected ones, in codebook order): same transcript, same coder, each
    pair once, the passage of the code earlier in `codes` first. The one place pairs are found, for the
    table and the drill-down alike."""
    # Plain tuples and small code numbers: tens of thousands of passages and pairs go through here.
    number = {code_id: index for index, code_id in enumerate(codes)}
    views = list(codes.values())
    related = [[_related(one, other) for other in views] for one in views]
    groups: dict[tuple[int, int], list[_Item]] = defaultdict(list)
    transcripts = found.transcript
    # The tuples made in C rather than statement by statement.
    items = zip(found.start, found.end, map(number.__getitem__, found.code), range(len(transcripts)), strict=True)
    for place, item in zip(zip(transcripts, found.coder, strict=True), items, strict=True):
        groups[place].append(item)
    units = _units(session, set(transcripts), within)
    pairs: list[tuple[int, int, str]] = []
    for (transcript_id, _), members in groups.items():
        members.sort()  # by start: they mostly come so, which the sort finds at once
        if within.kind == "overlap":
            pairs += _overlapping(members, related)
        else:
            starts, ends = units.get(transcript_id, ([], []))
            pairs += _near(members, starts, ends, within, related)
    return pairs


_Item = tuple[int, int, int, int]  # start, end, code number, index of the span


def _overlapping(members: list[_Item], related: list[list[bool]]) -> list[tuple[int, int, str]]:
    """Pairs of spans of unrelated codes sharing a character, by a sweep over `members` sorted by start;
    each pair with the span of the code earlier in the codebook first."""
    found = []
    active: list[tuple[int, int, int]] = []  # (end, code, index)
    for start, end, code, index in members:
        if active:
            active = [item for item in active if item[0] > start]
        row = related[code]
        for _, other_code, other in active:
            if not row[other_code]:
                found.append((other, index, "overlap") if other_code < code else (index, other, "overlap"))
        active.append((end, code, index))
    return found


def _near(
    members: list[_Item], starts: list[int], ends: list[int], within: Within, related: list[list[bool]],
) -> list[tuple[int, int, str]]:
    """Pairs of spans of unrelated codes whose units (turns or sentences touched) are at most
    `within.sentences` units apart (0: a common unit), or that overlap; `members` sorted by start.
    Each pair has the span of the code earlier in the codebook first."""
    reach = within.sentences
    # Two units are never further apart than the units there are, however far the reach.
    labels = [_relation(within, apart) for apart in range(min(reach, len(starts)) + 1)]
    found = []
    outside: list[_Item] = []  # spans holding text outside every unit: they may overlap where no unit is
    where: dict[int, tuple[int, int] | None] = {}  # their first and last units, by index
    active: list[tuple[int, int, int, int, int]] = []  # (last unit, start, end, code, index)
    # The first unit ending after each span starts, and the one after the last unit starting before it
    # ends. Sorted by start, the spans' first units never decrease, so one sweep in this order meets every
    # span while all those within reach of it are still active.
    firsts = map(bisect_right, repeat(ends), map(itemgetter(0), members))
    afters = map(bisect_left, repeat(starts), map(itemgetter(1), members))
    reached = -1  # the first unit the active spans were last checked against
    for item, first, after in zip(members, firsts, afters, strict=True):
        start, end, code, index = item
        if first >= after:
            outside.append(item)
            where[index] = None
            continue
        if first + 1 < after or start < starts[first] or end > ends[first]:
            outside.append(item)
            where[index] = (first, after - 1)
        if first != reached:
            reached = first
            if active:
                active = [other for other in active if other[0] >= first - reach]
        row = related[code]
        for other_last, other_start, other_end, other_code, other in active:
            if not row[other_code]:
                if other_start < end and start < other_end:
                    relation = "overlap"
                else:
                    relation = labels[first - other_last if first > other_last else 0]
                found.append((other, index, relation) if other_code < code else (index, other, relation))
        active.append((after - 1, start, end, code, index))
    if outside:
        # Spans overlapping only where no unit is (a speaker label, text before the first turn) still co-occur.
        found += [pair for pair in _overlapping(outside, related) if not _is_near(where[pair[0]], where[pair[1]], reach)]
    return found


def _relation(within: Within, apart: int) -> str:
    if within.kind == "turn":
        return "same turn"
    return "same sentence" if apart == 0 else f"{apart} sentence{'s' if apart > 1 else ''} apart"


def _is_near(one: tuple[int, int] | None, other: tuple[int, int] | None, reach: int) -> bool:
    return one is not None and other is not None and max(one[0], other[0]) - min(one[1], other[1]) <= reach


def _units(session: Session, transcript_ids: set[int], within: Within) -> dict[int, tuple[list[int], list[int]]]:
    """Per transcript, the starts and ends of its turns or sentences in text order (the current text's)."""
    if within.kind == "overlap":
        return {}
    # Straight from the driver's cursor, one row per transcript with its turns' starts and ends joined in
    # text: a row per turn would cost more than the pairing on a project's tens of thousands of turns.
    # Both lists follow the rows in one order, but not a set one, so the (start, end) pairs are sorted.
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(
            'SELECT transcripts.id, group_concat(turns.start), group_concat(turns."end") FROM transcripts'
            " JOIN turns ON turns.text_version_id = transcripts.current_version_id GROUP BY transcripts.id"
        )
        rows = cursor.fetchall()
    finally:
        cursor.close()
    turns = {
        transcript_id: sorted(zip(map(int, starts.split(",")), map(int, ends.split(",")), strict=True))
        for transcript_id, starts, ends in rows if transcript_id in transcript_ids
    }
    units = turns if within.kind == "turn" else _sentences(session, transcript_ids)
    return {
        transcript_id: (list(map(itemgetter(0), spans)), list(map(itemgetter(1), spans)))
        for transcript_id, spans in units.items()
    }


def _sentences(session: Session, transcript_ids: set[int]) -> dict[int, list[tuple[int, int]]]:
    """Sentence spans as the reader finds them: within each turn, or in the whole text if it has no turns
    (kept per text version, found and kept the first time)."""
    versions = {transcript_id: version for transcript_id, version in session.execute(
        select(Transcript.id, Transcript.current_version_id).where(Transcript.id.in_(transcript_ids)))}
    kept = version_sentences(session, {version for version in versions.values() if version is not None})
    return {transcript_id: kept[version] for transcript_id, version in versions.items() if version in kept}


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
        row_header="code", columns=tuple(columns), rows=tuple(rows), paged_by="codes",
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
        Row(f"pair {number}", (
            TableCell(pair.first.transcript), TableCell(pair.first.coder), TableCell(pair.relation),
            TableCell(pair.first.participant or ""), TableCell(f"{pair.first.start}-{pair.first.end}"),
            TableCell(pair.first.text), TableCell(pair.second.participant or ""),
            TableCell(f"{pair.second.start}-{pair.second.end}"), TableCell(pair.second.text),
        ), key=f"{pair.first.transcript}:{pair.first.start}-{pair.first.end}:{pair.second.start}-{pair.second.end}")
        for number, pair in enumerate(pairs, start=1)
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
