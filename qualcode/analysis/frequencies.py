"""Code frequencies: per code (sub-codes rolled up and listed beneath), passages, participants,
transcripts, words coded, and passages by coder.

Public: CodeFrequency, Frequencies, code_frequencies(), frequencies_table().
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from qualcode.analysis.passages import Passage, describe, selected, tally
from qualcode.analysis.rules import caption
from qualcode.analysis.tables import Cell, Column, Row, Table
from qualcode.coding.passages import QuoteFilter


@dataclass(frozen=True)
class CodeFrequency:
    """One code's counts; `depth` places a sub-code beneath its parent."""

    path: str
    name: str
    depth: int
    passages: int
    participants: int
    transcripts: int
    words: int
    by_coder: tuple[int, ...]  # passages per coder, in Frequencies.coders order


@dataclass(frozen=True)
class Frequencies:
    selection: QuoteFilter
    coders: tuple[str, ...]
    codes: tuple[CodeFrequency, ...]
    total: CodeFrequency  # over the top-level codes' passages: each passage once under its top code


def code_frequencies(session: Session, selection: QuoteFilter | None = None) -> Frequencies:
    """Counts per selected code, in codebook order; nothing selected is a NotFound."""
    selection = selection or QuoteFilter()
    chosen = selected(session, selection)
    by_code: dict[int, list[Passage]] = defaultdict(list)
    for passage in chosen.passages:
        by_code[passage.code_id].append(passage)
    coders = tuple(sorted({passage.coder for passage in chosen.passages}))

    def counts(path: str, name: str, depth: int, found: list[Passage]) -> CodeFrequency:
        per_coder: dict[str, int] = defaultdict(int)
        for passage in found:
            per_coder[passage.coder] += 1
        return CodeFrequency(
            path=path, name=name, depth=depth, passages=tally(found), participants=tally(found, "participants"),
            transcripts=tally(found, "transcripts"), words=tally(found, "words"),
            by_coder=tuple(per_coder[coder] for coder in coders),
        )

    rows = tuple(counts(code.path, code.name, code.depth, by_code.get(code.id, [])) for code in chosen.codes)
    top = [passage for passage in chosen.passages if passage.code_id in chosen.roots]
    total = counts("", "Total", 0, top)
    return Frequencies(selection, coders, rows, total)


def frequencies_table(frequencies: Frequencies) -> Table:
    """Codes as rows (sub-codes indented beneath their parent), the counts and passages per coder as columns."""
    columns = [Column("passages"), Column("participants"), Column("transcripts"), Column("words")]
    columns += [Column(coder, group="passages by coder") for coder in frequencies.coders]
    depth = min((code.depth for code in frequencies.codes), default=0)

    def row(code: CodeFrequency, label: str, level: int) -> Row:
        values = (code.passages, code.participants, code.transcripts, code.words, *code.by_coder)
        return Row(label, tuple(Cell(value) for value in values), level, code.path)

    return Table(
        title="Code frequencies",
        caption=caption(
            describe(frequencies.selection),
            "Participants and transcripts count those with at least one passage; the total counts each passage"
            " once under its top-level code.",
        ),
        row_header="Code",
        columns=tuple(columns),
        rows=tuple(row(code, code.name if code.depth > depth else code.path, code.depth - depth) for code in frequencies.codes),
        totals=row(frequencies.total, "Total", 0),
    )
