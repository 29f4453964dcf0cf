"""The framework matrix as a workbook: participants as rows, codes as columns, summaries in the cells,
and a second sheet with the passages each cell summarises. Published through the leak check.

The matrix comes from `qualcode.analysis.framework`, which this layer does not import (analysis
and exporters stand side by side); what is read of it is described here as protocols.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.leakcheck import Leak, guard
from qualcode.errors import InvalidInput
from qualcode.exporters.publish import publish
from qualcode.exporters.quotes import CELL_LIMIT, CUT_MARK, fitted_cell
from qualcode.text.formulas import starts_like_formula

SUMMARY_WIDTH = 45  # characters: a summary of a few sentences wraps into a readable column
LABELS = {
    "nb": {"matrix": "Rammematrise", "passages": "Passasjer", "participant": "Informant", "role": "Rolle", "ref": "Ref",
           "code": "Kode", "transcript": "Intervju", "line": "Linje", "coder": "Koder", "text": "Tekst",
           "linked": "Med i sammendraget", "yes": "ja", "no": "nei (kodet senere)", "gone": "ja, nå borte ({why})",
           "passage": "passasje", "passages_word": "passasjer", "gone_note": "{count} {passages} i sammendraget er borte ({why})",
           "removed": "fjernet", "orphaned": "uten plass i ny tekst", "recoded": "omkodet til {now}",
           "speaker": "nå tilskrevet {now}", "nobody": "ingen informant", "no_passages": "–",
           "unsummarised": "({count} {passages}, ikke oppsummert)",
           "newer_note": "{count} {passages} kodet etter sammendraget"},
    "en": {"matrix": "Framework matrix", "passages": "Passages", "participant": "Participant", "role": "Role", "ref": "Ref",
           "code": "Code", "transcript": "Transcript", "line": "Line", "coder": "Coder", "text": "Text",
           "linked": "In the summary", "yes": "yes", "no": "no (coded later)", "gone": "yes, now gone ({why})",
           "passage": "passage", "passages_word": "passages", "gone_note": "{count} summarised {passages} gone ({why})",
           "removed": "removed", "orphaned": "orphaned by a new text", "recoded": "recoded to {now}",
           "speaker": "now {now}'s", "nobody": "no participant", "no_passages": "–",
           "unsummarised": "({count} {passages}, not summarised)",
           "newer_note": "{count} {passages} coded after the summary"},
}


class PassageLike(Protocol):
    @property
    def ref(self) -> str: ...
    @property
    def transcript(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def coder(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def linked(self) -> bool: ...


class GoneLike(Protocol):
    """A passage a summary was written on that its cell no longer has, and why (removed, orphaned, recoded, speaker)."""

    @property
    def transcript(self) -> str: ...
    @property
    def coder(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def now(self) -> str | None: ...


class CellLike(Protocol):
    @property
    def code_path(self) -> str: ...
    @property
    def summary(self) -> str | None: ...
    @property
    def passages(self) -> Sequence[PassageLike]: ...
    @property
    def gone(self) -> Sequence[GoneLike]: ...
    @property
    def new_passages(self) -> int: ...


class RowLike(Protocol):
    @property
    def participant(self) -> str: ...
    @property
    def role(self) -> str | None: ...
    @property
    def cells(self) -> Sequence[CellLike]: ...


class CodeLike(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def name(self) -> str: ...


class MatrixLike(Protocol):
    """What the workbook and the report's chapter read of a framework matrix."""

    @property
    def codes(self) -> Sequence[CodeLike]: ...
    @property
    def rows(self) -> Sequence[RowLike]: ...


REASONS = ("removed", "orphaned", "recoded", "speaker")


def gone_reason(gone: GoneLike, language: str = "nb") -> str:
    """Why one summarised passage is gone, in the report's language."""
    words = LABELS[language]
    return words[gone.reason].format(now=gone.now or words["nobody"])


def gone_note(gone: Sequence[GoneLike], language: str = "nb") -> str:
    """A cell's gone passages counted by why ("" when there are none), shown beside its summary."""
    if not gone:
        return ""
    words = LABELS[language]
    ways = sorted({(passage.reason, passage.now or "") for passage in gone}, key=lambda way: (REASONS.index(way[0]), way[1]))
    why = ", ".join(
        (f"{sum((passage.reason, passage.now or '') == way for passage in gone)} " if len(ways) > 1 else "")
        + words[way[0]].format(now=way[1] or words["nobody"])
        for way in ways
    )
    return words["gone_note"].format(count=len(gone), passages=words["passage" if len(gone) == 1 else "passages_word"], why=why)


def summary_text(cell: CellLike, language: str = "nb") -> str | None:
    """The summary as a cell shows it: with a line saying which passages it was written on are gone, and one
    saying how many were coded after it."""
    if cell.summary is None:
        return None
    return cell.summary + _notes_line(cell, language)


def unsummarised(cell: CellLike, language: str = "nb") -> str:
    """What a cell without a summary shows in its place: "–" where the participant has no passages of the
    code, or how many passages wait for a summary ("(2 passasjer, ikke oppsummert)"). Both were blank, and a
    reader could not tell "nothing said" from "not summarised yet"."""
    words = LABELS[language]
    count = len(cell.passages)
    if not count:
        return words["no_passages"]
    return words["unsummarised"].format(count=count, passages=words["passage" if count == 1 else "passages_word"])


def cell_notes(cell: CellLike, language: str = "nb") -> list[str]:
    """What a summarised cell says beside its summary: which passages it was written on are gone, and how
    many were coded after it. The workbook's matrix and the report's table said nothing of the latter,
    which the terminal shows ("1 new"): a summary read there looked as if it covered every passage."""
    words = LABELS[language]
    notes = [gone_note(cell.gone, language)] if cell.gone else []
    if cell.summary is not None and cell.new_passages:
        count = cell.new_passages
        notes.append(words["newer_note"].format(count=count, passages=words["passage" if count == 1 else "passages_word"]))
    return notes


def _notes_line(cell: CellLike, language: str) -> str:
    return "".join(f"\n[{note}]" for note in cell_notes(cell, language))


def fitted_summary(cell: CellLike, language: str = "nb") -> str | None:
    """The summary as a spreadsheet cell holds it: one too long for the cell is cut and ends in
    CUT_MARK, before the lines on gone and newer passages, which are always kept whole (cut after the summary,
    it was the note that went, and the summary kept its full length unsaid)."""
    if cell.summary is None:
        return None
    note = _notes_line(cell, language)
    if len(cell.summary) + len(note) <= CELL_LIMIT:
        return cell.summary + note
    return cell.summary[:CELL_LIMIT - len(CUT_MARK) - len(note)] + CUT_MARK + note


def render_framework_workbook(matrix: MatrixLike, language: str = "nb") -> bytes:
    """The .xlsx bytes: the matrix sheet (wrapped summaries) and the passages sheet."""
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    words = LABELS[language]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = words["matrix"]
    sheet.append([words["participant"], words["role"], *(code.path for code in matrix.codes)])
    for row in matrix.rows:
        sheet.append([row.participant, row.role, *(
            fitted_summary(cell, language) if cell.summary is not None else unsummarised(cell, language) for cell in row.cells
        )])
    wrapped = Alignment(wrap_text=True, vertical="top")
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.alignment = wrapped
            _as_text(cell)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 12
    for index in range(len(matrix.codes)):
        sheet.column_dimensions[get_column_letter(index + 3)].width = SUMMARY_WIDTH
    sheet.freeze_panes = "C2"

    passages = workbook.create_sheet(words["passages"])
    passages.append([words[label] for label in ("ref", "participant", "code", "transcript", "line", "coder", "text", "linked")])
    for row in matrix.rows:
        for cell in row.cells:
            for passage in cell.passages:
                linked = None if cell.summary is None else words["yes" if passage.linked else "no"]
                passages.append([passage.ref, row.participant, cell.code_path, passage.transcript, passage.line,
                                 passage.coder, fitted_cell(passage.text), linked])
            for gone in cell.gone:
                passages.append([None, row.participant, cell.code_path, gone.transcript or None, None, gone.coder,
                                 fitted_cell(gone.text), words["gone"].format(why=gone_reason(gone, language))])
    for cells in passages.iter_rows(min_row=2):
        for cell in cells:
            _as_text(cell)
        cells[6].alignment = wrapped
    for cell in passages[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGH", (10, 14, 30, 18, 6, 12, 80, 14), strict=True):
        passages.column_dimensions[letter].width = width
    passages.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _as_text(cell: Any) -> None:
    """A summary or passage starting with "=" is text, never a formula a spreadsheet would run."""
    if starts_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def export_framework_workbook(
    path: Path, matrix: MatrixLike, key: PseudonymKey | None, *, language: str = "nb", force: bool = False,
    cleared: Callable[[Leak], bool] | None = None, remember: Callable[[bytes], None] | None = None,
) -> tuple[Path, list[str]]:
    """Write the workbook to `path` if it passes the leak check, but for what `cleared` clears (a path that
    exists only with `force`); the path written and warnings about temporaries that killed exports left beside it."""
    if path.suffix.lower() != ".xlsx":
        raise InvalidInput(f"{path.name} should end in .xlsx")
    check = (lambda data: guard(data, key, path.name, cleared, remember)) if key is not None else None
    stale = publish(path, render_framework_workbook(matrix, language), check, overwrite=force)
    return path, [f"removed {name}, left in {path.parent} by an export that was killed" for name in stale] + _cut(matrix, language)


def _cut(matrix: MatrixLike, language: str) -> list[str]:
    """What a cell could not hold whole, named: it ends in CUT_MARK there (a summary of 37,499
    characters stopped at 32,767, unsaid)."""
    # Each summary counted as the researcher wrote it, without the lines on gone and newer passages beside it.
    long = [f"{row.participant} × {cell.code_path} ({len(cell.summary):,} characters"
            + (", with the notes beside it)" if len(cell.summary) <= CELL_LIMIT else ")")
            for row in matrix.rows for cell in row.cells
            if cell.summary is not None and fitted_summary(cell, language) != summary_text(cell, language)]
    passages = sum(len(passage.text) > CELL_LIMIT for row in matrix.rows for cell in row.cells for passage in cell.passages)
    said = []
    if long:
        named = ", ".join(long[:5]) + (" …" if len(long) > 5 else "")
        said.append(f"{len(long)} {'summaries are' if len(long) > 1 else 'summary is'} longer than a spreadsheet cell holds "
                    f"({CELL_LIMIT:,} characters) and end{'' if len(long) > 1 else 's'} in {CUT_MARK} there: {named};"
                    " `qualcode framework show` shows each whole")
    if passages:
        said.append(f"{passages} linked passage{'s' if passages > 1 else ''} longer than a cell end{'' if passages > 1 else 's'}"
                    f" in {CUT_MARK} on the passages sheet")
    return said
