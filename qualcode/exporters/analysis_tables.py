"""What the Word report reads of the analysis tables, and the heatmaps it draws of them.

The tables come from `qualcode.analysis` (matrix_table, cooccurrence), which this layer does not
import (analysis and exporters stand side by side); what is read of them is described here as
protocols. matplotlib is imported only by `heatmap_png`, so only `export report --figures` loads it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Protocol

FIGURE_WIDTH_IN = 6.3  # 16 cm: the report's text width
ANNOTATE_MAX = 600  # cells beyond this are too small to carry their numbers
LABEL_MAX = 32  # characters of a row or column label before it is cut with "…"


class CellLike(Protocol):
    @property
    def value(self) -> int | float | str | None: ...
    def text(self) -> str: ...


class ColumnLike(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def sizes(self) -> tuple[tuple[str, int], ...]: ...


class RowLike(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def level(self) -> int: ...
    @property
    def cells(self) -> Sequence[CellLike]: ...


class TableLike(Protocol):
    """A code × attribute matrix as `analysis.matrix.matrix_table` lays it out: the last column is the row total."""

    @property
    def title(self) -> str: ...
    @property
    def caption(self) -> str: ...
    @property
    def sizes_caption(self) -> str: ...
    @property
    def row_header(self) -> str: ...
    @property
    def columns(self) -> Sequence[ColumnLike]: ...
    @property
    def rows(self) -> Sequence[RowLike]: ...
    @property
    def totals(self) -> RowLike | None: ...
    @property
    def warnings(self) -> Sequence[str]: ...  # columns of so few people that their counts may identify them


class CodeTotalsLike(Protocol):
    @property
    def code_id(self) -> int: ...
    @property
    def path(self) -> str: ...
    @property
    def depth(self) -> int: ...


class PairsLike(Protocol):
    @property
    def pairs(self) -> int: ...


class WithinLike(Protocol):
    @property
    def label(self) -> str: ...
    def label_in(self, language: str) -> str: ...


class CooccurrenceLike(Protocol):
    """Code × code co-occurrence as `analysis.cooccurrence.cooccurrence` counts it."""

    @property
    def codes(self) -> Sequence[CodeTotalsLike]: ...
    @property
    def within(self) -> WithinLike: ...
    def rule_in(self, language: str) -> str: ...
    def cell(self, first: int, second: int) -> PairsLike | None: ...


def matrix_grid(table: TableLike) -> tuple[list[str], list[str], list[list[float | None]]]:
    """A matrix's code rows and value columns (without the totals) as heatmap rows, columns and counts."""
    values = [column for column in table.columns if column.sizes]  # the total column has no sizes
    columns = [f"{column.group} / {column.label}" if column.group else column.label for column in values]
    rows = ["  " * row.level + row.label for row in table.rows]
    grid = [[_number(cell.value) for cell in row.cells[:len(values)]] for row in table.rows]
    return rows, columns, grid


def cooccurrence_grid(table: CooccurrenceLike) -> tuple[list[str], list[str], list[list[float | None]]]:
    """Codes by codes, each cell the pairs of passages; None where a code meets its own tree."""
    top = min((code.depth for code in table.codes), default=0)
    rows = [f"{'  ' * (code.depth - top)}{number} {code.path.rsplit('/', 1)[-1]}" for number, code in enumerate(table.codes, 1)]
    columns = [str(number) for number in range(1, len(table.codes) + 1)]
    grid = []
    for code in table.codes:
        cells = [table.cell(code.code_id, other.code_id) for other in table.codes]
        grid.append([None if cell is None else float(cell.pairs) for cell in cells])
    return rows, columns, grid


def _number(value: int | float | str | None) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def heatmap_png(title: str, rows: Sequence[str], columns: Sequence[str], grid: Sequence[Sequence[float | None]]) -> bytes:
    """A heatmap as PNG bytes: darker for more, each cell's number written in it where there is room,
    blank (grey) cells where nothing can be counted. Drawn on the Agg canvas, without pyplot's global state."""
    import numpy
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    values = numpy.ma.masked_invalid(numpy.array([[numpy.nan if v is None else v for v in row] for row in grid], dtype=float))
    height = min(max(2.0, 0.6 + 0.22 * len(rows)), 11.0)
    figure = Figure(figsize=(FIGURE_WIDTH_IN, height), dpi=150, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    colours = axes.imshow(values, cmap=colormaps["Blues"].with_extremes(bad="#dddddd"), aspect="auto", vmin=0)
    # Labels are what people typed (code names, attribute values): "$" in them is text, never mathtext.
    axes.set_title(title, fontsize=9, parse_math=False)
    crowded = sum(len(label) for label in columns) > 60  # long labels side by side would run into each other
    axes.set_xticks(range(len(columns)), [_cut(label) for label in columns], fontsize=7, rotation=45 if crowded else 0,
                    ha="right" if crowded else "center", parse_math=False)
    axes.set_yticks(range(len(rows)), [_cut(label) for label in rows], fontsize=7, parse_math=False)
    axes.tick_params(length=0)
    if len(rows) * len(columns) <= ANNOTATE_MAX:
        top = float(values.max()) if values.count() else 0.0
        for y, row in enumerate(grid):
            for x, value in enumerate(row):
                if value is not None:
                    axes.text(x, y, f"{value:g}", ha="center", va="center", fontsize=6,
                              color="white" if top and value > top * 0.6 else "black")
    scale = figure.colorbar(colours, ax=axes, shrink=0.6)
    scale.ax.tick_params(labelsize=7)
    scale.ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts, never halves
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[:LABEL_MAX - 1] + "…"
