"""AnalysisScreen: the code × attribute matrix, or the code × code co-occurrence, cell by cell; Enter
opens the passages a cell counts in the passages browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from weakref import WeakSet

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from qualcode.analysis.cooccurrence import CodeTotals, Cooccurrence, without_pairs
from qualcode.analysis.matrix import Matrix, matrix_table
from qualcode.analysis.tables import Table, shorten
from qualcode.coding.consensus import counted_note
from qualcode.text.counts import counted
from qualcode.tui.screens.base import QualcodeScreen, Reread
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.screens.segments import SegmentsScreen
from qualcode.tui.typed_ahead import HeldKeys, TypedKey, hand_over, leave, up_to_leaving
from qualcode.tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from qualcode.store.withdrawals import Withdrawn
    from qualcode.tui.app import QualcodeApp

LABEL_WIDTH = 24  # the code column: long paths are shortened with "…" to keep 80 columns
VALUE_WIDTH = (4, 12)  # a value column's width follows its header and counts, within these bounds
# The columns a researcher reaches for first, in this order; any other attribute follows.
FIRST_COLUMNS = ("role", "wave", "office", "participant", "transcript", "coder", "fidelity", "gender", "age_band")
WITHIN = ("overlap", "turn")  # sentence windows need the sentence splitter: left to `qualcode analyse cooccur`
TOTAL = "total"  # the total column's key
# The keys of the code column and the totals row: a code's path never begins with "/", so no code
# named "total" or "code" takes the key of a row or column beside it (the screen failed to open).
LABEL_KEY, TOTAL_ROW = "/code", "/total"
PATIENCE = 0.4  # seconds the matrix may take before the screen is shown counting instead
_OPENING: WeakSet[QualcodeApp] = WeakSet()  # apps counting a matrix for a screen not shown yet


def open_analysis(app: QualcodeApp, by: str = "role") -> None:
    """Count the matrix first and then show the screen, so its first frame holds the matrix and the count
    does not share the interpreter with drawing an empty screen; a count that takes longer than PATIENCE
    shows the screen counting meanwhile, and fills it when done."""
    if app in _OPENING:
        return  # the key pressed again while the first press counts
    _OPENING.add(app)
    screen = AnalysisScreen(by, counted=True)
    # The keys typed while it counts are the analysis's, given to it once shown (`m down enter` on the overview
    # moved in its table and opened a transcript; typed after the palette's command in the reader, they acted there).
    screen.typed_ahead = app.opening = app.opening or HeldKeys()
    timer = app.set_timer(PATIENCE, lambda: screen.show(app))

    def first_counted(loaded: tuple[Matrix, list[str]]) -> None:
        timer.stop()
        screen.arrived(lambda: screen._matrix_loaded(loaded))
        screen.show(app)

    def failed(message: str) -> None:
        timer.stop()
        screen.arrived(lambda: screen._failed(message))
        screen.show(app)

    app.in_background(lambda workspace: workspace.analysis_matrix(by), first_counted, group="analysis", failed=failed)


def attribute_order(names: list[str]) -> list[str]:
    """The columns to cycle through: the usual ones first, then the typed attributes as the project lists them."""
    first = [name for name in FIRST_COLUMNS if name in names]
    return first + [name for name in names if name not in first]


class AnalysisScreen(QualcodeScreen):
    """Codes by the values of one attribute (a cycles it), or codes by codes (o); Enter lists a cell's passages."""

    BINDINGS = [
        Binding("enter", "drill", "Passages", tooltip="List the passages behind the count at the cursor", id="analysis.drill"),
        Binding("a", "next_attribute", "Columns",
                tooltip="Split the codes by the next attribute: role, wave, office, participant, transcript, coder …",
                id="analysis.attribute"),
        Binding("A", "previous_attribute", "Previous columns", show=False, tooltip="Split the codes by the previous attribute",
                id="analysis.attribute-back"),
        Binding("o", "toggle_cooccurrence", "Co-occurrence", tooltip="Switch between the matrix and code × code co-occurrence",
                id="analysis.cooccurrence"),
        Binding("w", "next_within", "Within", show=False, tooltip="Co-occurrence by overlapping passages or by a common turn",
                id="analysis.within"),
        Binding("r", "rules", "Rules", show=False, tooltip="Show or hide how the table counts (its caption)", id="analysis.rules"),
        Binding("escape", "back", "Back", id="analysis.back"),
        Binding("question_mark", "help", "Help", id="analysis.help"),
    ]

    def __init__(self, by: str = "role", *, counted: bool = False) -> None:
        """`counted`: the first matrix is counted by open_analysis, which hands it over (arrived())."""
        super().__init__()
        self.by = by
        self.counted_first = counted
        self.first_count: Callable[[], None] | None = None  # handed over before the screen was mounted
        self.shown = self.mounted = False
        self.typed_ahead = HeldKeys()  # keys typed while open_analysis counted, given to this screen once shown
        self.waiting: list[TypedKey] = []  # those up to it, given once the first count is shown
        self.first_shown = False
        self.after_leaving: list[TypedKey] = []  # those of them typed after the key that leaves it: the screen's under it
        self.attributes: list[str] = [by]
        self.within = WITHIN[0]
        self.showing = "matrix"  # or "cooccurrence": the table asked for
        # The table the grid holds: until the one asked for is counted, Enter and the line below the
        # grid go by the one shown (its cells are what the researcher sees).
        self.held: str | None = None
        self.matrix: Matrix | None = None
        self.table: Table | None = None  # the matrix as its service renders it: labels, sizes, totals, caption
        self.cooccurrence: Cooccurrence | None = None
        self.nothing_together: str | None = None  # why the co-occurrence shown has no two codes together
        self.rules_shown = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Counting passages …", id="analysis-where")
        yield Static("", id="analysis-withdrawn")
        yield Static("", id="analysis-consensus")
        yield DataTable(id="analysis-table", cursor_type="cell", fixed_columns=1)
        yield Static("", id="analysis-cell")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.title = "Analysis"
        self.sub_title = f"coder: {self.qualcode.coder_label}"
        self.query_one(DataTable).focus()
        self.mounted = True
        if not self.counted_first:
            self.load()
            return
        self._read_withdrawn()
        if self.first_count is not None:
            self.first_count()

    def show(self, app: QualcodeApp) -> None:
        """Push this screen, once."""
        if not self.shown:
            self.shown = True
            _OPENING.discard(app)
            app.push_screen(self)
            if app.opening is self.typed_ahead:
                app.opening = None
            # Only up to the Escape that leaves it: given at once, those after it reached its table before Escape's binding
            # ran, and went with it (`down escape ] v`, `] v` meant for the reader under it).
            given, self.after_leaving = up_to_leaving(self, self.typed_ahead.take())
            # And once the first count is shown: shown counting (after PATIENCE), `down` moved in an empty table.
            self.waiting = given
            if self.first_shown:
                self._give_waiting()

    def arrived(self, fill: Callable[[], None]) -> None:
        """The first count: filled in now if the screen is mounted, else when it mounts; then the keys typed for it act."""
        def filled() -> None:
            fill()
            self.first_shown = True
            self._give_waiting()

        if self.mounted:
            filled()
        else:
            self.first_count = filled

    def _give_waiting(self) -> None:
        waiting, self.waiting = self.waiting, []
        hand_over(self, waiting)

    # --- loading -----------------------------------------------------------------------------------------
    def load(self) -> None:
        """Count in one background call: the matrix (and the attributes it can be split by), or the co-occurrence."""
        self._where("Counting passages …")
        self._read_withdrawn()
        if self.showing == "matrix":
            by = self.by
            self.in_background(lambda workspace: workspace.analysis_matrix(by), self._matrix_loaded, group="analysis",
                               failed=self._failed)
        else:
            within = self.within
            self.in_background(lambda workspace: workspace.cooccurrence(within), self._cooccurrence_loaded,
                               group="analysis", failed=self._failed)

    def reread(self) -> Reread[Any] | None:
        """The counts shown, as another session has left them, with the cursor on the same cell."""
        if self.showing == "matrix" and self.matrix is not None:
            by, shown_matrix = self.by, self.matrix

            def matrix_show(loaded: tuple[Matrix, list[str]]) -> str | None:
                if self.matrix is not shown_matrix or self.showing != "matrix" or self.by != by or loaded[0] == shown_matrix:
                    return None  # another table asked for meanwhile, or the same counts
                self._again(lambda: self._matrix_loaded(loaded))
                return "the counts"

            return Reread(lambda workspace: workspace.analysis_matrix(by), matrix_show)
        if self.showing == "cooccurrence" and self.cooccurrence is not None:
            within, shown_pairs = self.within, self.cooccurrence

            def pairs_show(table: Cooccurrence) -> str | None:
                if self.cooccurrence is not shown_pairs or self.showing != "cooccurrence" or self.within != within or table == shown_pairs:
                    return None
                self._again(lambda: self._cooccurrence_loaded(table))
                return "the counts"

            return Reread(lambda workspace: workspace.cooccurrence(within), pairs_show)
        return None

    def _again(self, fill: Callable[[], None]) -> None:
        """The table filled again, the cursor kept on its row and column (as far as the table still reaches)."""
        grid = self.query_one(DataTable)
        row, column = grid.cursor_coordinate
        fill()
        self._read_withdrawn()  # withdrawn since, perhaps: why the counts dropped
        if grid.row_count and len(grid.columns) > 1:
            grid.move_cursor(row=min(row, grid.row_count - 1), column=max(1, min(column, len(grid.columns) - 1)), animate=False)

    def _read_withdrawn(self) -> None:
        """Whether anyone withdrew, read with each count: another command may withdraw someone meanwhile; and
        whether the counts hold the consensus coder's copies, which a decision made meanwhile adds."""
        self.in_background(lambda workspace: workspace.withdrawn(), self._withdrawn_read, group="analysis-withdrawn")
        self.in_background(lambda workspace: workspace.consensus_counted(), self._consensus_read, group="analysis-consensus")

    def _consensus_read(self, counted: bool) -> None:
        """Say, as `analyse` does, that a decided passage is counted once more than its coders made it."""
        line = self.query_one("#analysis-consensus", Static)
        line.update(Text(counted_note() if counted else ""))
        line.display = counted

    def _withdrawn_read(self, withdrawn: Withdrawn | None) -> None:
        """Say, as `analyse` does, that the counts leave out those who withdrew (the numbers dropped unexplained)."""
        line = self.query_one("#analysis-withdrawn", Static)
        line.update(Text(withdrawn.note if withdrawn is not None else ""))
        line.display = withdrawn is not None

    def _failed(self, message: str) -> None:
        self.query_one(DataTable).clear(columns=True)
        self.matrix = self.table = self.cooccurrence = None
        self.nothing_together = self.held = None
        self._where("Nothing to count")
        self._detail(message)  # below, where a long message wraps

    def _matrix_loaded(self, loaded: tuple[Matrix, list[str]]) -> None:
        if loaded[0].by != (self.by,) or self.showing != "matrix":
            return  # counted for a column or table asked for before the one now wanted
        self.matrix, names = loaded
        self.held = "matrix"
        self.attributes = attribute_order(names)
        self.table = table = matrix_table(self.matrix)
        grid: DataTable[Text] = self.query_one(DataTable)
        row, _ = grid.cursor_coordinate
        grid.clear(columns=True)
        grid.header_height = 2  # the value, then its size: p participants and t transcripts
        grid.add_column(Text(f"Codes × {self.by}\n"), width=LABEL_WIDTH, key=LABEL_KEY)
        for index, column in enumerate(table.columns):
            label = column.label
            cells = [row_.cells[index].text() for row_ in table.all_rows()]
            width = max(VALUE_WIDTH[0], min(VALUE_WIDTH[1], max(len(label), len(column.size_note()), *map(len, cells))))
            grid.add_column(Text(f"{shorten(label, width)}\n{column.size_note()}", style="" if column.sizes else "bold",
                                 justify="right"), width=width, key=TOTAL if index == len(table.columns) - 1 else str(index))
        for table_row, matrix_row in zip(table.rows, self.matrix.rows, strict=True):
            grid.add_row(self._label(table_row.label, table_row.level),
                         *(Text(cell.text(), justify="right") for cell in table_row.cells), key=matrix_row.path)
        if table.totals is not None:
            grid.add_row(Text(shorten(table.totals.label, LABEL_WIDTH), style="bold"),
                         *(Text(cell.text(), style="bold", justify="right") for cell in table.totals.cells), key=TOTAL_ROW)
        self._where(f"Codes × {self.by} · {self.matrix.total} passages · Enter lists a cell · a: columns · o: pairs")
        self._settle_cursor(row)

    def _cooccurrence_loaded(self, table: Cooccurrence) -> None:
        if table.within.label != self.within or self.showing != "cooccurrence":
            return  # counted for what was asked before the one now wanted
        self.cooccurrence = table
        self.held = "cooccurrence"
        grid: DataTable[Text] = self.query_one(DataTable)
        row, _ = grid.cursor_coordinate
        grid.clear(columns=True)
        following = WITHIN[(WITHIN.index(self.within) + 1) % len(WITHIN)]
        nothing = without_pairs(table)
        self.nothing_together = nothing.message if nothing is not None else None
        if self.nothing_together is not None:
            # Said, as the command line says it, rather than a table of zeros (or one code's blank cell).
            self._where(f"Co-occurrence ({self.within}) · no two codes co-occur · w: {following} · o: matrix")
            self._describe()
            return
        grid.header_height = 1
        width = max(3, len(str(len(table.codes))), *(len(str(cell.pairs)) for cell in table.cells.values()))
        grid.add_column(Text("Code"), width=LABEL_WIDTH, key=LABEL_KEY)
        for number, code in enumerate(table.codes, start=1):
            grid.add_column(Text(str(number), justify="right"), width=width, key=code.path)
        depth = min((code.depth for code in table.codes), default=0)
        for number, code in enumerate(table.codes, start=1):
            cells = [table.cell(code.code_id, other.code_id) for other in table.codes]
            grid.add_row(
                self._label(f"{number} {code.path.rsplit('/', 1)[-1]}", code.depth - depth),
                *(Text("" if cell is None else str(cell.pairs), style="" if cell is None or cell.pairs else "dim",
                       justify="right") for cell in cells),
                key=code.path,
            )
        self._where(f"Co-occurrence ({self.within}) · pairs · Enter lists them · w: {following} · o: matrix")
        self._settle_cursor(row)

    @staticmethod
    def _label(label: str, level: int) -> Text:
        indent = "  " * min(level, 4)
        return Text(indent + shorten(label, LABEL_WIDTH - len(indent)))

    def _settle_cursor(self, row: int) -> None:
        grid = self.query_one(DataTable)
        if grid.row_count and len(grid.columns) > 1:
            grid.move_cursor(row=min(row, grid.row_count - 1), column=1, animate=False)
        self._describe()

    # --- the cell at the cursor --------------------------------------------------------------------------
    def _where(self, text: str) -> None:
        self.query_one("#analysis-where", Static).update(Text(text))  # attribute values are typed by people

    def _detail(self, text: str) -> None:
        self.query_one("#analysis-cell", Static).update(Text(text))

    @on(DataTable.CellHighlighted, "#analysis-table")
    def _highlighted(self) -> None:
        self._describe()

    def _describe(self) -> None:
        """Say what the count at the cursor counts, or (r) how the table counts."""
        if self.rules_shown:
            caption = self.table.caption if self.held == "matrix" and self.table else (
                self.cooccurrence.rule if self.cooccurrence else "")
            self._detail(caption)
            return
        cell = self._matrix_cell() if self.held == "matrix" else None
        if cell is not None and self.matrix is not None:
            path, value, count = cell
            code = path or "every top-level code"
            where = f" with {self.matrix.by[0]} {value}" if value is not None else ""
            plural = "" if count == 1 else "s"
            self._detail(f"{code}{where}: {count} passage{plural}" + (" · Enter lists them" if count else ""))
            return
        pair = self._cooccurrence_cell() if self.held == "cooccurrence" else None
        if pair is not None and self.cooccurrence is not None:
            first, second = pair
            found = self.cooccurrence.cell(first.code_id, second.code_id)
            if found is None:
                self._detail(f"{first.path} × {second.path}: one code's tree, never counted")
            else:
                plural = "" if found.pairs == 1 else "s"
                self._detail(
                    f"{first.path} × {second.path}: {found.pairs} pair{plural}, c = {found.c:.2f} "
                    f"({found.first_paired} of {first.passages} and {found.second_paired} of {second.passages} passages paired)"
                    + (" · Enter lists them" if found.pairs else "")
                )
            return
        self._detail((self.nothing_together or "") if self.held == "cooccurrence" else "")

    def _matrix_cell(self) -> tuple[str | None, str | None, int] | None:
        """The code (None: the totals row), the column's value (None: the total column) and the count at the cursor."""
        grid = self.query_one(DataTable)
        if self.matrix is None or not grid.row_count:
            return None
        row, column = grid.cursor_coordinate
        if column < 1:
            return None
        value = self.matrix.columns[column - 1].values[0] if column - 1 < len(self.matrix.columns) else None
        if row < len(self.matrix.rows):
            matrix_row = self.matrix.rows[row]
            count = matrix_row.counts[column - 1] if value is not None else matrix_row.total
            return matrix_row.path, value, count
        return None, value, self.matrix.totals[column - 1] if value is not None else self.matrix.total

    def _cooccurrence_cell(self) -> tuple[CodeTotals, CodeTotals] | None:
        grid = self.query_one(DataTable)
        if self.cooccurrence is None or not grid.row_count:
            return None
        row, column = grid.cursor_coordinate
        if column < 1:
            return None
        codes = self.cooccurrence.codes
        return codes[row], codes[column - 1]

    # --- keys --------------------------------------------------------------------------------------------
    @on(DataTable.CellSelected, "#analysis-table")
    def _selected(self) -> None:
        self.action_drill()

    def action_drill(self) -> None:
        """Open the passages behind the count at the cursor, in the table shown (the one asked for may still be
        counting): exactly the codings the cell's passages merge."""
        if self.held == "matrix":
            cell = self._matrix_cell()
            if cell is None or self.matrix is None:
                return
            path, value, count = cell
            if not count:
                self._detail("No passages here: the count is 0")
                return
            by = self.matrix.by[0]
            title = f"{path or 'Top-level codes'}" + (f" × {by} {value}" if value is not None else "") + f": {counted(count, 'passage')}"
            self.in_background(lambda workspace: workspace.matrix_cell_codings(by, path, value),
                               lambda codings: self._browse(path or "", codings, title), group="analysis-cell")
            return
        pair = self._cooccurrence_cell() if self.held == "cooccurrence" else None
        if pair is None or self.cooccurrence is None:
            return
        first, second = pair
        found = self.cooccurrence.cell(first.code_id, second.code_id)
        if found is None or not found.pairs:
            self._detail("No pairs here")
            return
        within = self.cooccurrence.within.label
        title = f"{shorten(first.path, 30)} with {shorten(second.path, 30)} ({within}): {counted(found.pairs, 'pair')}"
        self.in_background(lambda workspace: workspace.cooccurrence_codings(within, first.path, second.path),
                           lambda codings: self._browse("", codings, title), group="analysis-cell")

    def _browse(self, code_path: str, codings: tuple[int, ...], title: str) -> None:
        self.app.push_screen(SegmentsScreen(code_path, codings, title))

    def _change_attribute(self, step: int) -> None:
        if self.showing != "matrix":
            self.showing = "matrix"
        elif self.by in self.attributes:
            self.by = self.attributes[(self.attributes.index(self.by) + step) % len(self.attributes)]
        else:
            self.by = self.attributes[0]
        self.load()

    def action_next_attribute(self) -> None:
        self._change_attribute(1)

    def action_previous_attribute(self) -> None:
        self._change_attribute(-1)

    def action_toggle_cooccurrence(self) -> None:
        self.showing = "cooccurrence" if self.showing == "matrix" else "matrix"
        self.load()

    def action_next_within(self) -> None:
        self.within = WITHIN[(WITHIN.index(self.within) + 1) % len(WITHIN)]
        self.showing = "cooccurrence"
        self.load()

    def action_rules(self) -> None:
        self.rules_shown = not self.rules_shown
        self._describe()

    def action_back(self) -> None:
        after, self.after_leaving = self.after_leaving, []
        leave(self, after)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
