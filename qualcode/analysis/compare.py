"""Change across rounds (or offices, or any column): one code's counts per value, and the passages of
each participant who has more than one value (interviewed in several rounds) and passages of the code,
value by value, a value without passages shown as 0.

Public: ParticipantChange, Comparison, compare(), comparison_tables(), one_value_note().
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from qualcode.analysis.matrix import (
    CellPassage,
    Matrix,
    check_by,
    count_matrix,
    matrix_table,
    place_passages,
)
from qualcode.analysis.passages import Passage, coded, describe, sort_values
from qualcode.analysis.rules import caption
from qualcode.analysis.tables import Cell, Column, Row, Table
from qualcode.codebook.service import find_code
from qualcode.coding.passages import QuoteFilter
from qualcode.text.counts import counted


@dataclass(frozen=True)
class ParticipantChange:
    """One participant's passages of the code, value by value (in column order)."""

    participant: str
    role: str | None
    by_value: tuple[tuple[str, tuple[CellPassage, ...]], ...]


@dataclass(frozen=True)
class Comparison:
    code: str
    by: str
    matrix: Matrix  # the code and its sub-codes × the values
    in_several: tuple[str, ...]  # participants who have more than one value (interviewed in several rounds)
    # those of them with passages of the code under any value, with every value they have (no passages: 0)
    participants: tuple[ParticipantChange, ...]
    # participants with one value only (a dropout after T1, someone who joined at T3): nothing to compare,
    # and named so, as they were left out without a word
    in_one: tuple[str, ...] = ()

    @property
    def without_passages(self) -> tuple[str, ...]:
        """Participants with more than one value and no passage of the code under any."""
        listed = {change.participant for change in self.participants}
        return tuple(name for name in self.in_several if name not in listed)


def compare(session: Session, selection: QuoteFilter | None, by: str, code: str) -> Comparison:
    """Compare `code` (with its sub-codes rolled up) across the values of `by`; nothing selected is a NotFound."""
    target = find_code(session, code)
    selection = replace(selection or QuoteFilter(), codes=(target.path,), include_subcodes=True)
    (by,) = check_by(session, [by])  # as stored: an attribute named for someone under their pseudonym
    found = coded(session, selection, texts=True)
    matrix = count_matrix(found, (by,))
    values_of: dict[str, set[str]] = defaultdict(set)
    role_of: dict[str, str | None] = {}
    for unit in found.units():
        if unit.participant is not None:
            if by != "coder":
                values_of[unit.participant].add(unit.value(by))
            role_of.setdefault(unit.participant, unit.values.get("role"))
    if by == "coder":
        # A coder is no attribute of the people interviewed: a participant has each coder who coded their
        # words under any code in the selection, so a coder who left this code out for them shows 0.
        everyone = coded(session, replace(selection, codes=()), required=False)
        for _, _, participant_id, coder_id, _ in everyone.spans:
            name = everyone.places.name(participant_id)
            if name is not None:
                values_of[name].add(everyone.coders[coder_id])
    mine: dict[str, list[Passage]] = defaultdict(list)
    chosen = [index for index, (code_id, _, participant_id, _, _) in enumerate(found.spans)
              if code_id == target.id and participant_id is not None]
    for passage in found.passages(found.order(chosen)):
        if passage.participant is not None:
            mine[passage.participant].append(passage)
    order = {column.values[0]: position for position, column in enumerate(matrix.columns)}
    several = tuple(name for name in sort_values(values_of) if len(values_of[name]) > 1)
    in_one = tuple(name for name in sort_values(values_of) if len(values_of[name]) == 1)
    # Everyone with more than one value who has passages of the code under any, each value they have shown,
    # 0 where they have none: a code that appears or disappears between rounds is the change looked for.
    compared = [name for name in several if mine.get(name)]
    placed = {id(item.passage): item for item in place_passages(session, [p for name in compared for p in mine[name]])}
    changes = []
    for name in compared:
        grouped: dict[str, list[CellPassage]] = {value: [] for value in values_of[name]}
        for passage in mine[name]:
            grouped.setdefault(passage.value(by), []).append(placed[id(passage)])
        ordered = sorted(grouped.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
        changes.append(ParticipantChange(name, role_of.get(name), tuple((value, tuple(found)) for value, found in ordered)))
    return Comparison(target.path, by, matrix, several, tuple(changes), in_one)


def one_value_note(comparison: Comparison) -> str:
    """Who is left out because they have one value only ("" when no one): "Left out (one wave only):
    2 participants (D3, D5)."."""
    alone = comparison.in_one
    if not alone:
        return ""
    return f"Left out (one {comparison.by} only): {counted(len(alone), 'participant')} ({', '.join(alone)})."


def comparison_tables(comparison: Comparison, percent: str | None = None) -> tuple[Table, Table]:
    """The counts per value (the code and its sub-codes), and each compared participant's passages value by value."""
    counts = matrix_table(comparison.matrix, percent)
    counts = replace(counts, title=f"{comparison.code} by {comparison.by}")
    by = comparison.by
    columns = (Column("participant"), Column(by), Column("transcript"), Column("line"), Column("coder"), Column("text", wide=True))
    rows: list[Row] = []
    for change in comparison.participants:
        spread = ", ".join(f"{value}: {len(found)}" for value, found in change.by_value)
        rows.append(Row(f"{change.participant} ({change.role or 'no role'}) — {spread}", key=change.participant))
        for value, found in change.by_value:
            for item in found:
                passage = item.passage
                rows.append(Row(
                    f"{by} {value}",
                    (Cell(change.participant), Cell(value), Cell(passage.transcript), Cell(item.line), Cell(passage.coder),
                     Cell(passage.text)),
                    level=1, key=change.participant,
                ))
    several = len(comparison.in_several)
    none = comparison.without_passages
    listing = Table(
        title=f"{comparison.code}: participants with more than one {by}",
        caption=caption(
            describe(replace(comparison.matrix.selection, codes=())),
            f"{len(comparison.participants)} of the {several} participants with more than one {by} have passages of"
            f" {comparison.code}; each is listed with every {by} they have, 0 where they have no passages of it, and"
            f" their passages follow, {by} by {by}."
            if comparison.participants else
            f"No participant with more than one {by} has passages of {comparison.code}"
            f" ({several} participants have more than one {by}).",
            f"With more than one {by} and no passages of {comparison.code}: {', '.join(none)}."
            if none and comparison.participants else "",
            one_value_note(comparison),
        ),
        row_header="passage",
        columns=columns,
        rows=tuple(rows),
        records=True,
        json_fields=(("only_one_value", comparison.in_one),),
    )
    return counts, listing
