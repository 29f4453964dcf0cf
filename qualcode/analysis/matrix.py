"""Code × attribute matrices and the passages behind each cell.

Public: MatrixColumn, MatrixRow, Matrix, CellPassage, code_matrix(), count_matrix(), check_by(), matrix_table(),
cell_passages(), place_passages(), cell_table(), column_values(), MATRIX_COUNTS, PERCENTS.

Columns are the values of one attribute, or of two crossed (grouped columns); each cell counts
passages (or distinct participants, or words coded) of the row's code whose passages have the
column's values. Cells, totals and drill-down all come from the same merged passages (`coded()`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

from sqlalchemy.orm import Session

from qualcode.analysis.passages import Coded, Passage, check_column, coded, describe, sort_values
from qualcode.analysis.rules import MISSING, NAMES_NB, NO_INFORMANT, NO_VALUE, PLACEHOLDERS, caption
from qualcode.analysis.tables import WITHHELD, Cell, Column, Row, Table
from qualcode.anonymise.attribution import SMALL_GROUP
from qualcode.codebook.service import find_code
from qualcode.coding.missing import TOTAL, TOTAL_NB
from qualcode.coding.passages import (
    QuoteFilter,
    attribute_as_stored,
    code_as_stored,
    column_value_as_stored,
    known_hint,
    select_quotes,
)
from qualcode.errors import InvalidInput, NotFound
from qualcode.text.counts import counted as counted_words

MATRIX_COUNTS = ("passages", "participants", "words")
PERCENTS = ("row", "column")


@dataclass(frozen=True)
class MatrixColumn:
    """One column: its value of each `by` attribute, and how many participants and transcripts have them."""

    values: tuple[str, ...]
    participants: int
    transcripts: int


@dataclass(frozen=True)
class MatrixRow:
    path: str
    name: str
    depth: int
    counts: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class Matrix:
    selection: QuoteFilter
    by: tuple[str, ...]
    count: str
    columns: tuple[MatrixColumn, ...]
    rows: tuple[MatrixRow, ...]
    totals: tuple[int, ...]  # per column, over the top-level codes' passages
    total: int


@dataclass(frozen=True)
class CellPassage:
    """A passage behind a cell, with where it is (line, turn) and the turns around it."""

    passage: Passage
    line: int
    speaker: str | None
    context_before: str | None
    context_after: str | None


def code_matrix(session: Session, selection: QuoteFilter | None, by: Sequence[str], count: str = "passages") -> Matrix:
    """Codes × the values of `by` (one attribute, or two crossed); nothing selected is a NotFound."""
    selection = selection or QuoteFilter()
    by = check_by(session, by)
    if count not in MATRIX_COUNTS:
        raise InvalidInput(f"cannot count {count!r} in a matrix", "count one of " + ", ".join(MATRIX_COUNTS))
    return count_matrix(coded(session, selection, texts=count == "words"), by, count)


def count_matrix(found: Coded, by: tuple[str, ...], count: str = "passages") -> Matrix:
    """The matrix of passages already merged (coded()), counted straight from their columns."""
    # A passage's column depends only on its transcript, participant and (for a coder column) coder:
    # count the passages (or words) per code and such place, then add the places up by column.
    groups: Mapping[tuple[int, int, int | None, int], int]
    if count == "words":
        summed: dict[tuple[int, int, int | None, int], int] = defaultdict(int)
        for key, words in zip(map(itemgetter(0, 1, 2, 3), found.spans), found.words(), strict=True):
            summed[key] += words
        groups = summed
    else:
        groups = found.per_place(coders="coder" in by)
    values_of = {place: tuple(found.value_at(*place, name) for name in by) for place in {key[1:] for key in groups}}
    columns = _columns(found, values_of, by)
    index = {column.values: position for position, column in enumerate(columns)}
    width = len(columns)
    roots = found.roots
    if count == "participants":
        # Distinct participants: a participant's id stands for the name, which is unique.
        people: dict[int, list[set[int]]] = {code.id: [set() for _ in range(width)] for code in found.rows}
        for code_id, transcript_id, participant_id, coder_id in groups:
            if participant_id is not None and code_id in people:
                people[code_id][index[values_of[transcript_id, participant_id, coder_id]]].add(participant_id)
        rows = tuple(
            MatrixRow(code.path, code.name, code.depth, tuple(len(cell) for cell in people[code.id]),
                      len(set[int]().union(*people[code.id])))
            for code in found.rows
        )
        per_column = [set[int]().union(*(people[code_id][position] for code_id in roots)) for position in range(width)]
        return Matrix(found.selection, by, count, columns, rows, tuple(len(cell) for cell in per_column),
                      len(set[int]().union(*per_column)))
    sums: dict[int, list[int]] = {code.id: [0] * width for code in found.rows}
    for (code_id, transcript_id, participant_id, coder_id), amount in groups.items():
        if code_id in sums:
            sums[code_id][index[values_of[transcript_id, participant_id, coder_id]]] += amount
    rows = tuple(MatrixRow(code.path, code.name, code.depth, tuple(sums[code.id]), sum(sums[code.id])) for code in found.rows)
    totals = tuple(sum(sums[code_id][position] for code_id in roots) for position in range(width))
    return Matrix(found.selection, by, count, columns, rows, totals, sum(totals))


def check_by(session: Session, by: Sequence[str]) -> tuple[str, ...]:
    """The attributes a matrix's columns cross (one or two, known), or an InvalidInput saying how to give them."""
    if not by:
        raise InvalidInput("a matrix needs an attribute for its columns", "as in --by role, or --by role --by wave")
    # Said of the matrix, not of --by: a report's --matrix role,role comes here too.
    crossing = "as in --by role --by wave, or --matrix role,wave in a report"
    if len(by) > 2:
        raise InvalidInput("a matrix crosses at most two attributes", crossing)
    columns = tuple(check_column(session, name) for name in by)
    if len(set(columns)) < len(columns):
        raise InvalidInput(f"the matrix crosses {by[0]} with itself", f"cross two different attributes, {crossing}")
    return columns


def _columns(
    found: Coded, values_of: Mapping[tuple[int, int | None, int], tuple[str, ...]], by: tuple[str, ...],
) -> tuple[MatrixColumn, ...]:
    """Every combination of values that a participant in a transcript (or a passage) has, with the column sizes.

    `values_of` holds the values of the places (transcript, participant, coder) that have passages.
    A coder column's size is what that coder coded: coders are not attributes of the people interviewed.
    """
    people: dict[tuple[str, ...], set[object]] = defaultdict(set)
    transcripts: dict[tuple[str, ...], set[object]] = defaultdict(set)
    if "coder" in by:
        # Ids stand for names here: participants' and transcripts' names are unique.
        for (transcript_id, participant_id, _), values in values_of.items():
            transcripts[values].add(transcript_id)
            if participant_id is not None:
                people[values].add(participant_id)
    else:
        for unit in found.units():
            values = tuple(unit.value(name) for name in by)
            transcripts[values].add(unit.transcript)
            if unit.participant is not None:
                people[values].add(unit.participant)
        # Passages counted for no informant have no unit to be counted by; the transcripts they are in
        # size their column (it said 0 transcripts beside the passages it held).
        for (transcript_id, participant_id, _), values in values_of.items():
            if participant_id is None and NO_INFORMANT in values:
                transcripts[values].add(found.places.transcript_names[transcript_id])  # by name, as the units are
    combinations = set(transcripts) | set(values_of.values())
    ordered = [sort_values(combination[level] for combination in combinations) for level in range(len(by))]
    rank = [{value: position for position, value in enumerate(values)} for values in ordered]
    return tuple(
        MatrixColumn(values, len(people.get(values, ())), len(transcripts.get(values, ())))
        for values in sorted(combinations, key=lambda values: tuple(rank[level][value] for level, value in enumerate(values)))
    )


def small_columns(matrix: Matrix, threshold: int = SMALL_GROUP) -> tuple[MatrixColumn, ...]:
    """The columns of `threshold` or fewer participants (as the quotes' small-group warnings count): a count
    there, and more so a percentage, may point at the people in it. A coder's column is what that coder
    coded, not a group of people, and a column of nobody points at no one."""
    if matrix.by == ("coder",):
        return ()
    return tuple(column for column in matrix.columns if 0 < column.participants <= threshold)


def column_label(values: Sequence[str], language: str = "en") -> str:
    """A column as its header shows it: "leder", or "leder / T2" for two attributes crossed."""
    return " / ".join(NAMES_NB[value] if language == "nb" and value in MISSING else value for value in values)


def small_group_warnings(matrix: Matrix, title: str, threshold: int = SMALL_GROUP) -> tuple[str, ...]:
    """What to say of a matrix's columns of few people, as the quotes' small-group warnings say it of a label."""
    small = small_columns(matrix, threshold)
    if not small:
        return ()
    # A column of nobody ("(no informant)") points at no one: every column of people is small.
    if len(small) == len([column for column in matrix.columns if column.participants]) and set(matrix.by) & {"participant", "transcript"}:
        who = "one participant" if "participant" in matrix.by else f"an interview of {threshold} or fewer participants"
        return (f"{title}: every column is {who}, and its counts may identify them",)
    named = ", ".join(f"'{column_label(column.values)}' ({counted_words(column.participants, 'participant')})" for column in small)
    return (f"{title}: {named} {'is a column' if len(small) == 1 else 'are columns'} of {threshold} or fewer participants"
            " and may identify them; merge values or leave the attribute out",)


def matrix_table(matrix: Matrix, percent: str | None = None, language: str = "en", *, beside_quotes: bool = False) -> Table:
    """The matrix as a table: codes as rows, the values as (grouped) columns with their sizes, row and
    column totals; with `percent` ("row" or "column") each count has its percentage beside it. Its
    words are English, or bokmål (`language` "nb") for a report written in it. `beside_quotes`: in a
    report, whose quote counts its caption says why they may differ from the table's."""
    if percent is not None and percent not in PERCENTS:
        raise InvalidInput(f"--percent {percent!r} is not one of {', '.join(PERCENTS)}")
    nb = language == "nb"

    def shown(value: str) -> str:
        return NAMES_NB[value] if nb and value in MISSING else value

    # Said only of the columns the table has: which values are missing, and why.
    present = {value for column in matrix.columns for value in column.values}
    typed_as_missing = any(value.startswith('"') and value.strip('"') in PLACEHOLDERS for value in present)  # as_typed()
    typed_as_total = any(value.startswith('"') and value.strip('"') in (TOTAL, TOTAL_NB) for value in present)

    crossed = len(matrix.by) == 2
    columns = [
        Column(shown(column.values[-1]), group=shown(column.values[0]) if crossed else "",
               sizes=(("participants", column.participants), ("transcripts", column.transcripts)))
        for column in matrix.columns
    ]
    total = TOTAL_NB if nb else TOTAL
    columns.append(Column(total))
    depth = min((row.depth for row in matrix.rows), default=0)

    # A share of a column of few people is a statement about them: such columns show counts only.
    small = small_columns(matrix)
    few = [column in small for column in matrix.columns] + [False]

    def cells(counts: Sequence[int], total: int, totals: Sequence[int]) -> tuple[Cell, ...]:
        made = []
        for count, column_total, withheld in zip([*counts, total], [*totals, matrix.total], few, strict=True):
            base = total if percent == "row" else column_total
            share = None if not base or withheld else 100 * count / base
            made.append(Cell(count, share, shows_percent=percent is not None, withheld=withheld and percent is not None))
        return tuple(made)

    rows = tuple(
        Row(row.name if row.depth > depth else row.path, cells(row.counts, row.total, matrix.totals), row.depth - depth, row.path)
        for row in matrix.rows
    )
    if nb:
        by_words = " × ".join(NAMES_NB.get(name, name) for name in matrix.by)
        counted = {"passages": "passasjer", "participants": "ulike informanter med passasjer", "words": "kodede ord"}[matrix.count]
        title = f"Koder × {by_words} ({NAMES_NB[matrix.count]})"
        cell_rule = (
            f"Hver celle teller {counted} med radens kode og kolonnens {by_words}."
            + (f" Informanter og intervjuer uten verdi står under {shown(NO_VALUE)}." if NO_VALUE in present else "")
            + (f" Under {shown(NO_INFORMANT)} står passasjene som ikke teller for noen informant, og som derfor ikke har"
               " noen å hente verdien fra: de er i ord som ingen informant sier (bare intervjuerens, en overskrift, en taler"
               " som ikke er knyttet til noen, ord uten taleretikett i et intervju med flere informanter) eller i et intervju"
               " uten informanter." if NO_INFORMANT in present else "")
            + (f' En verdi skrevet inn slik tabellen viser en manglende verdi, som "{shown(NO_VALUE)}", står i anførselstegn,'
               " i en egen kolonne." if typed_as_missing else "")
            + (f' En verdi skrevet inn som "{TOTAL_NB}" eller "{TOTAL}" står i anførselstegn, i en egen kolonne før totalen.'
               if typed_as_total else "")
            + (f" Prosentene er av {'radens' if percent == 'row' else 'kolonnens'} total." if percent else "")
            + " Totalene teller hver passasje én gang, under dens kode på øverste nivå (informanter: ulike over raden eller kolonnen)."
            + (" Sitattallene under hvert tema teller hvert sitat én gang, uansett hvor mange som kodet det, og overlappende"
               " kodinger av én koder, som tabellen slår sammen til én passasje, er der egne sitater." if beside_quotes else "")
        )
        if small:
            cell_rule += (
                f" Kolonner med {SMALL_GROUP} eller færre informanter ({', '.join(column_label(c.values, language) for c in small)})"
                " kan peke ut enkeltpersoner" + (f"; der vises tall uten prosent ({WITHHELD})." if percent else ".")
            )
        sizes = "Under hver verdi: informanter / intervjuer" + (
            " kodet av den koderen." if "coder" in matrix.by else " med den verdien, innenfor filtrene."
        )
    else:
        by_words = " × ".join(matrix.by)
        counted = {"passages": "passages", "participants": "distinct participants with passages", "words": "words coded"}[matrix.count]
        title = f"Codes × {by_words} ({matrix.count})"
        cell_rule = (
            f"Each cell counts {counted} of the row's code with the column's {by_words}."
            + (f" Participants and transcripts without a value are under {NO_VALUE}." if NO_VALUE in present else "")
            + (f" Under {NO_INFORMANT} are the passages counted for no participant, which have no one to take the value"
               " from: in words no participant says (the interviewer's alone, a heading, a speaker linked to no one, words"
               " without a speaker label in a transcript of several participants) or in a transcript without participants."
               if NO_INFORMANT in present else "")
            + (f' A value typed as the table shows a missing one, such as "{NO_VALUE}", is in quotation marks, in a column'
               " of its own." if typed_as_missing else "")
            + (f' A value typed as "{TOTAL}" or "{TOTAL_NB}" is in quotation marks, in a column of its own before the total.'
               if typed_as_total else "")
            + (f" Percentages are of the {percent} total." if percent else "")
            + " The totals count each passage once, under its top-level code (participants: distinct over the row or column)."
            + (" The quote counts under each theme count each quote once, however many coded it, and overlapping codings"
               " by one coder, which the table merges into one passage, are separate quotes there." if beside_quotes else "")
        )
        if small:
            cell_rule += (
                f" Columns of {SMALL_GROUP} or fewer participants ({', '.join(column_label(c.values) for c in small)})"
                " may identify them" + (f"; they show counts without percentages ({WITHHELD})." if percent else ".")
            )
        sizes = "Under each value: p participants and t transcripts" + (
            " coded by that coder." if "coder" in matrix.by else " with that value, within the filters."
        )
    return Table(
        title=title,
        caption=caption(describe(matrix.selection, language), cell_rule, language=language,
                        subcodes=matrix.selection.include_subcodes),
        row_header="Kode" if nb else "Code",
        columns=tuple(columns),
        rows=rows,
        totals=Row(total, cells(matrix.totals, matrix.total, matrix.totals), 0, total),
        sizes_caption=sizes,
        warnings=small_group_warnings(matrix, title),
    )


def column_values(session: Session, selection: QuoteFilter | None, name: str) -> list[str]:
    """The values a column has among the selected passages and the population, in table order."""
    selection = selection or QuoteFilter()
    name = check_column(session, name)
    return _column_values(coded(session, selection, required=False), name)


def _column_values(found: Coded, name: str) -> list[str]:
    values = {values[0] for values in found.columns((name,))}
    if name != "coder":
        values |= {unit.value(name) for unit in found.units()}
    return sort_values(values)


def stored_cell(session: Session, code: str, where: Sequence[tuple[str, str]]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A cell as typed (its code, and NAME=VALUE), named as the project stores it: a name the key
    holds as its pseudonym, as a selection's names are (coding.passages.stored_selection)."""
    named = [(attribute_as_stored(session, name), value) for name, value in where]
    return code_as_stored(session, code), tuple((name, column_value_as_stored(session, name, value)) for name, value in named)


def cell_passages(
    session: Session, selection: QuoteFilter | None, code: str, where: Sequence[tuple[str, str]],
) -> list[CellPassage]:
    """The passages a matrix cell counts: the code's (rolled-up) passages with each NAME=VALUE of `where`.

    Exactly those the matrix of the same selection counts in that cell, since both read coded().
    """
    selection = selection or QuoteFilter()
    target = find_code(session, code)
    where = [(check_column(session, name), value) for name, value in where]
    # A missing value's label as a bokmål table heads it opens the same column; the total's heading,
    # which heads no column of values, the value typed so (headed "Total", in quotation marks).
    in_english = {NAMES_NB[label]: label for label in MISSING} | {total: f'"{total}"' for total in (TOTAL, TOTAL_NB)}
    where = [(name, in_english.get(value, value)) for name, value in where]
    found = coded(session, selection, texts=True, required=False)
    mine = [index for index, code_id in enumerate(found.code) if code_id == target.id]
    # For a blind coder the project is their own codings: the values others' passages alone have (their
    # names as coders, "(no informant)" from their questions coded alone) are not said to them.
    project = QuoteFilter(coders=selection.coders, blind=True) if selection.blind else QuoteFilter()
    for name, value in where:
        if value not in {found.value(index, name) for index in mine}:
            known = _column_values(found, name)
            # Unknown in the project, not only in the filtered selection: "role=veileder --role leder"
            # is an empty cell of a known value (said below), not a value to be corrected to "leder".
            if value not in known and value not in (everywhere := _column_values(coded(session, project, required=False), name)):
                raise NotFound(f"no passages or participants have {name} {value!r}", known_hint(name, everywhere, value))
    chosen = [index for index in mine if all(found.value(index, name) == value for name, value in where)]
    if not chosen:
        condition = " and ".join(f"{name}={value}" for name, value in where)
        raise NotFound(f"no passages of {target.path} with {condition}" if condition else f"no passages of {target.path}",
                       describe(selection) or "the cell is empty: its count is 0")
    return place_passages(session, found.passages(found.order(chosen)))


def place_passages(session: Session, chosen: list[Passage]) -> list[CellPassage]:
    """Each passage with the line and turns around it, read as quotes are (coding/passages.py)."""
    coding_ids = tuple(sorted({coding_id for passage in chosen for coding_id in passage.coding_ids}))
    quotes = {quote.coding_id: quote for quote in select_quotes(session, QuoteFilter(codings=coding_ids))[0]}
    placed = []
    for passage in chosen:
        first = quotes[passage.coding_ids[0]]
        last = max((quotes[coding_id] for coding_id in passage.coding_ids), key=lambda quote: (quote.end, quote.start))
        placed.append(CellPassage(passage, first.line, first.speaker, first.context_before, last.context_after))
    return placed


def cell_table(code: str, where: Sequence[tuple[str, str]], found: Sequence[CellPassage], selection: QuoteFilter | None = None) -> Table:
    """The passages behind a cell as a listing: who said it, where, the text, and the turns around it."""
    condition = ", ".join(f"{name}={value}" for name, value in where)
    columns = (
        Column("participant"), Column("role"), Column("wave"), Column("transcript"), Column("line"), Column("coder"),
        Column("before", wide=True), Column("text", wide=True), Column("after", wide=True),
    )
    rows = tuple(
        Row(
            f"{item.passage.participant or NO_INFORMANT} · {item.passage.transcript}:{item.line}",
            (Cell(item.passage.participant), Cell(item.passage.value("role")), Cell(item.passage.value("wave")),
             Cell(item.passage.transcript), Cell(item.line), Cell(item.passage.coder), Cell(item.context_before),
             Cell(item.passage.text), Cell(item.context_after)),
            key=",".join(str(coding_id) for coding_id in item.passage.coding_ids),
        )
        for item in found
    )
    return Table(
        title=f"{code}" + (f" with {condition}" if condition else "") + f": {len(found)} passage" + ("" if len(found) == 1 else "s"),
        caption=caption(describe(selection or QuoteFilter()), "The passages this cell of the matrix counts, with the turns before and after."),
        row_header="passage",
        columns=columns,
        rows=rows,
        records=True,
    )
