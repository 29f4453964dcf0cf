"""What a Word report holds besides its quotes, readable without python-docx, which only writing it needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.exporters.analysis_tables import CooccurrenceLike, TableLike
    from qualcode.exporters.framework import MatrixLike

REPORT_OF = "qualcode-project:"  # the report's identifier property: this and the project's GUID
BOOKMARK_PREFIX = "q_"  # each quote's bookmark, by which a reviewer's comment finds its coding again
# Each code's heading's bookmark, with the code's GUID: a comment under it finds the code after the
# code is moved or renamed, where the path its headings spell no longer names it.
CODE_BOOKMARK_PREFIX = "c_"


@dataclass(frozen=True)
class ReportOptions:
    """How the report is titled, attributed and labelled, and which chapters it adds to its quotes."""

    title: str | None = None
    attribution: str = "role"
    language: str = "nb"
    context: bool = False
    memos: bool = False
    framework: MatrixLike | None = None  # adds the framework matrix as a chapter of tables
    matrices: tuple[TableLike, ...] = ()  # code × attribute matrices: a Word table each, in an analysis chapter
    cooccurrence: CooccurrenceLike | None = None  # drawn as a heatmap in that chapter when `figures`
    figures: bool = False  # heatmaps of the matrices and of co-occurrence (matplotlib is imported only then)
    consensus: tuple[ConsensusPair, ...] = ()  # said in the method note when the quotes include the consensus coder's


@dataclass(frozen=True)
class ConsensusPair:
    """Two coders whose disagreements a consensus coder's codings settled, and their agreement before it, by turn."""

    consensus_coder: str
    coder_a: str
    coder_b: str
    transcripts: int  # the transcripts holding these decisions, where the agreement was measured
    units: int  # turns the overall figures rest on
    percent: float | None
    kappa: float | None
    kappa_name: str
    # Whose codings changed after consensus began (then the figures are not "before" it), in the pair's order.
    changed_by: tuple[str, ...] = ()
    blind: bool = False  # every one of their codings there was made blind
