"""Code frequencies: per code (sub-codes rolled up and listed beneath), passages, participants,
transcripts, words coded, and passages by coder.

Public: CodeFrequency, Frequencies, code_frequencies(), frequencies_table().
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from qualcode.analysis.passages import coded, describe
from qualcode.analysis.rules import caption
from qualcode.analysis.tables import Cell, Column, Row, Table
from qualcode.coding.passages import QuoteFilter
from qualcode.text.order import natural_key


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
    found = coded(session, selection, texts=True)
    # In the order a matrix's coder columns come in (natural order, any case): "konsensus" stood last here,
    # between "Forsker 1" and "Medforsker 1" there.
    coder_ids = sorted(set(found.coder), key=lambda coder_id: (natural_key(found.coders[coder_id]), found.coders[coder_id]))
    coders = tuple(found.coders[coder_id] for coder_id in coder_ids)
    # Per code: passages by coder, the participants and transcripts with passages, words coded.
    by_coder: dict[int, Counter[int]] = defaultdict(Counter)
    people: dict[int, set[int]] = defaultdict(set)
    transcripts: dict[int, set[int]] = defaultdict(set)
    words: dict[int, int] = defaultdict(int)
    for (code_id, transcript_id, participant_id, coder_id), passages in found.per_place().items():
        by_coder[code_id][coder_id] += passages
        transcripts[code_id].add(transcript_id)
        if participant_id is not None:  # a participant's id stands for the name, which is unique
            people[code_id].add(participant_id)
    for code_id, count in zip(found.code, found.words(), strict=True):
        words[code_id] += count

    def counts(path: str, name: str, depth: int, code_ids: Iterable[int]) -> CodeFrequency:
        code_ids = list(code_ids)
        per_coder = [sum(by_coder[code_id][coder_id] for code_id in code_ids) for coder_id in coder_ids]
        return CodeFrequency(
            path=path, name=name, depth=depth, passages=sum(per_coder),
            participants=len(set[int]().union(*(people[code_id] for code_id in code_ids))),
            transcripts=len(set[int]().union(*(transcripts[code_id] for code_id in code_ids))),
            words=sum(words[code_id] for code_id in code_ids), by_coder=tuple(per_coder),
        )

    rows = tuple(counts(code.path, code.name, code.depth, [code.id]) for code in found.rows)
    total = counts("", "Total", 0, found.roots)
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
            subcodes=frequencies.selection.include_subcodes,
        ),
        row_header="Code",
        columns=tuple(columns),
        rows=tuple(row(code, code.name if code.depth > depth else code.path, code.depth - depth) for code in frequencies.codes),
        totals=row(frequencies.total, "Total", 0),
    )
