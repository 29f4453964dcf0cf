"""FrameworkScreen: the framework matrix, cell by cell, the cell's passages beside the summary being written."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Header, Static, TextArea

from qualcode.analysis.framework import FrameworkCell, FrameworkMatrix
from qualcode.tui.screens.base import QualcodeScreen, Reread
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.widgets.footer import KeyFooter

NAME_WIDTH = 11  # "Participant" whole: at 10 the header read "Participan"
CELL_WIDTH = 16


def _fit(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class FrameworkScreen(QualcodeScreen):
    """Participants by codes: arrows or n/p choose a cell, Enter writes its summary, which is saved on leaving it."""

    BINDINGS = [
        Binding("n", "next_cell", "Next cell", tooltip="The next cell, row by row (saves the summary)", id="framework.next"),
        Binding("p", "previous_cell", "Previous", tooltip="The previous cell (saves the summary)", id="framework.previous"),
        Binding("e", "write", "Write", tooltip="Write the cell's summary (Enter does too)", id="framework.write"),
        Binding("ctrl+s", "save", "Save", tooltip="Save the summary (an empty one clears the cell)", id="framework.save"),
        Binding("escape", "back", "Back", tooltip="Leave the summary (saving it), or the matrix", id="framework.back"),
        Binding("question_mark", "help", "Help", id="framework.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.matrix: FrameworkMatrix | None = None
        self.cells: dict[tuple[str, str], FrameworkCell] = {}
        self.current: tuple[str, str] | None = None  # the cell the summary field holds

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the framework matrix …", id="framework-where")
        yield DataTable(id="framework-matrix", cursor_type="cell", zebra_stripes=True)
        with Horizontal(id="framework-cell"):
            with VerticalScroll(id="framework-passages-box"):
                yield Static("", id="framework-passages")
            yield TextArea("", id="framework-summary", soft_wrap=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.title = "Framework matrix"
        self.sub_title = f"coder: {self.qualcode.coder_label}"
        self.query_one(DataTable).focus()
        self.in_background(lambda workspace: workspace.framework(), self._loaded, group="framework",
                           failed=self._nothing)

    def _nothing(self, message: str) -> None:
        self.query_one("#framework-where", Static).update(Text(message))

    def reread(self) -> Reread[FrameworkMatrix] | None:
        """The matrix as another session has left it (passages coded, summaries written, codes renamed), the
        cursor on the same cell and what is typed in the summary kept."""
        if self.matrix is None:
            return None
        shown = self.matrix

        def show(matrix: FrameworkMatrix) -> str | None:
            if self.matrix is not shown or matrix == shown:
                return None  # read again meanwhile, or nothing changed
            self._loaded_again(matrix)
            return "the framework matrix"

        return Reread(lambda workspace: workspace.framework(), show)

    def _loaded_again(self, matrix: FrameworkMatrix) -> None:
        """Fill the table again, the cursor on the cell it was on (found by participant and code GUID, so a
        code renamed keeps it); the cell's passages shown anew, its summary field left as typed."""
        table = self.query_one(DataTable)
        current = self.cells.get(self.current) if self.current is not None else None
        row, column = table.cursor_coordinate
        self._fill(matrix)
        where = next(((r, c) for r, matrix_row in enumerate(matrix.rows) for c, cell in enumerate(matrix_row.cells, start=1)
                      if current is not None and (cell.participant, cell.code_guid) == (current.participant, current.code_guid)),
                     None)
        if where is None:  # the cell is gone (a participant withdrawn, a code deleted): its draft stays with the app
            self.current = None
            if matrix.rows and matrix.codes:
                table.move_cursor(row=min(row, len(matrix.rows) - 1), column=max(1, min(column, len(matrix.codes))),
                                  animate=False)
                chosen = self._at_cursor()
                if chosen is not None:
                    self._show(*chosen)
            return
        table.move_cursor(row=where[0], column=where[1], animate=False)
        chosen = self._at_cursor()
        assert chosen is not None
        self._show(*chosen, keep_typed=True)

    def _loaded(self, matrix: FrameworkMatrix) -> None:
        self._fill(matrix)
        if matrix.rows and matrix.codes:
            self.query_one(DataTable).move_cursor(row=0, column=1)
            self._show(matrix.rows[0].participant, matrix.codes[0].path)

    def _fill(self, matrix: FrameworkMatrix) -> None:
        self.matrix = matrix
        self.cells = {(cell.participant, cell.code_path): cell for row in matrix.rows for cell in row.cells}
        table: DataTable[Text] = self.query_one(DataTable)
        table.clear(columns=True)
        # Keyed so no code takes it (a code's path never begins with "/"): a code named "participant" failed the screen.
        table.add_column(Text("Participant"), width=NAME_WIDTH, key="/participant")
        for code in matrix.codes:
            table.add_column(Text(_fit(code.name, CELL_WIDTH)), width=CELL_WIDTH, key=code.path)
        for row in matrix.rows:
            table.add_row(Text(_fit(row.participant, NAME_WIDTH)), *(self._cell_text(cell) for cell in row.cells),
                          key=row.participant)

    @staticmethod
    def _cell_text(cell: FrameworkCell) -> Text:
        """The summary's start, or how many passages wait for one."""
        if cell.summary is not None:
            return Text(_fit(cell.summary, CELL_WIDTH))
        return Text(f"· {len(cell.passages)}" if cell.passages else "", style="dim")

    # --- moving ----------------------------------------------------------------------------------------
    def _at_cursor(self) -> tuple[str, str] | None:
        table = self.query_one(DataTable)
        if self.matrix is None or not table.row_count or table.cursor_column < 1:
            return None
        row, column = table.cursor_coordinate
        return self.matrix.rows[row].participant, self.matrix.codes[column - 1].path

    @on(DataTable.CellHighlighted, "#framework-matrix")
    def _highlighted(self) -> None:
        chosen = self._at_cursor()
        if chosen is not None and chosen != self.current:
            self._save_draft()
            self._show(*chosen)

    @on(DataTable.CellSelected, "#framework-matrix")
    def _selected(self) -> None:
        self.action_write()

    def _step(self, by: int) -> None:
        if self.matrix is None or not self.matrix.codes:
            return
        table = self.query_one(DataTable)
        width = len(self.matrix.codes)
        row, column = table.cursor_coordinate
        index = row * width + max(column - 1, 0) + by
        index = max(0, min(index, len(self.matrix.rows) * width - 1))
        table.move_cursor(row=index // width, column=index % width + 1)

    def action_next_cell(self) -> None:
        self._step(1)

    def action_previous_cell(self) -> None:
        self._step(-1)

    def _draft(self, participant: str, code_path: str) -> str:
        """The key of a cell's summary typed and not saved among the app's drafts: kept there (not by
        this screen), it is shown again on coming back, and quitting with it is warned of. By the
        code's GUID: still this cell's once the code is renamed or moved."""
        return f"summary {participant} × {self.cells[(participant, code_path)].code_guid}"

    @on(TextArea.Changed, "#framework-summary")
    def _typed(self) -> None:
        if self.current is None:
            return
        draft, typed = self._draft(*self.current), self.query_one("#framework-summary", TextArea).text
        if typed.strip() == (self.cells[self.current].summary or ""):
            self.qualcode.drafts.pop(draft, None)
        else:
            self.qualcode.drafts[draft] = typed

    def _show(self, participant: str, code_path: str, *, keep_typed: bool = False) -> None:
        """The cell's passages beside its summary; those coded after the summary marked new. With `keep_typed`
        (the same cell read again) the summary field is left as it is, cursor and all, where something is typed
        in it; else it shows the summary as stored now."""
        self.current = (participant, code_path)
        cell = self.cells[(participant, code_path)]
        draft = self._draft(participant, code_path)
        typed = self.qualcode.drafts.get(draft, cell.summary or "")
        field = self.query_one("#framework-summary", TextArea)
        if not (keep_typed and draft in self.qualcode.drafts and field.text == typed):
            field.load_text(typed)
        self._where(cell)
        shown = Text()
        for passage in cell.passages:
            new = "  new" if cell.summary is not None and not passage.linked else ""
            shown.append(f"{passage.transcript}:{passage.line} {passage.coder}{new}\n", style="bold")
            shown.append(" ".join(passage.text.split()) + "\n\n")
        if not cell.passages:
            shown.append("No passages of this code from this participant.", style="dim")
        self.query_one("#framework-passages", Static).update(shown)
        if not keep_typed:  # read again, the passages stay scrolled where they were
            self.query_one("#framework-passages-box", VerticalScroll).scroll_home(animate=False)

    def _where(self, cell: FrameworkCell) -> None:
        count = f"{len(cell.passages)} passage{'s' if len(cell.passages) != 1 else ''}"
        if cell.new_passages:
            count += f", {cell.new_passages} new since the summary"
        if cell.gone:
            count += f", {cell.gone_note()}"
        written = f" · summary by {cell.updated_by}" if cell.updated_by and cell.summary is not None else ""
        self.query_one("#framework-where", Static).update(Text(f"{cell.participant} × {cell.code_path} · {count}{written}"))

    # --- writing ---------------------------------------------------------------------------------------
    def action_write(self) -> None:
        if self.current is not None:
            self.query_one("#framework-summary", TextArea).focus()

    def action_save(self) -> None:
        self._save_draft()

    def _save_draft(self) -> None:
        """Save the summary field into its cell if it was changed: in the background, through the workspace."""
        if self.current is None:
            return
        participant, code_path = self.current
        draft = self.query_one("#framework-summary", TextArea).text
        drafts, kept = self.qualcode.drafts, self._draft(participant, code_path)
        if draft.strip() == (self.cells[self.current].summary or ""):
            drafts.pop(kept, None)
            return

        def saved(cell: FrameworkCell) -> None:
            if drafts.get(kept, draft) == draft:  # not if typed on meanwhile
                drafts.pop(kept, None)
            self.notify(f"saved the summary of {participant} under {cell.code_path}", markup=False)  # its code as named now
            # The cell where the matrix shows it now, by participant and code GUID: read again while this was
            # saved (a code renamed in another session), its column has another key, or it is gone (withdrawn).
            place = next((shown for shown, shown_cell in self.cells.items()
                          if (shown_cell.participant, shown_cell.code_guid) == (cell.participant, cell.code_guid)), None)
            if place is None:
                return
            cell = replace(cell, code_path=place[1])  # as this matrix names its code until it is read again
            self.cells[place] = cell
            table: DataTable[Text] = self.query_one(DataTable)
            table.update_cell(*place, self._cell_text(cell))
            if self.current == place:
                self._where(cell)
                field = self.query_one("#framework-summary", TextArea)
                if field.text == draft and cell.summary is not None and cell.summary != draft:
                    # As stored: the names in it pseudonymised. Left showing what was typed, the field
                    # differed from the cell, and each leaving of it saved the summary again.
                    field.load_text(cell.summary)

        def not_saved(message: str) -> str:
            return f"{participant} × {code_path} not saved: {message}"

        def refused(message: str) -> None:
            drafts[kept] = draft  # kept by the app: shown again in this cell, here or on coming back
            self.notify(not_saved(message), severity="error", markup=False)

        code_guid = self.cells[(participant, code_path)].code_guid  # another process may have renamed the code since
        # Refused after the screen was left (Escape saves), the app says it naming the cell, as here.
        self.in_background(lambda workspace: workspace.set_summary(participant, code_guid, draft), saved,
                           group="framework-save", exclusive=False, failed=refused, failed_if_left=not_saved)

    def action_back(self) -> None:
        summary = self.query_one("#framework-summary", TextArea)
        if summary.has_focus:
            self._save_draft()
            self.query_one(DataTable).focus()
        else:
            self._save_draft()
            self.dismiss()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
