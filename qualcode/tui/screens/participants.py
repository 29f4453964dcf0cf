"""ParticipantsScreen: the people interviewed, with role, office, gender, age band and attributes; `e` corrects one."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header

from qualcode.coding.transcripts import ParticipantView
from qualcode.tui.screens.base import QualcodeScreen
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.widgets.footer import KeyFooter

COLUMNS = ("Name", "Role", "Office", "Gender", "Age", "Transcripts", "Attributes")


class ParticipantsScreen(QualcodeScreen):
    BINDINGS = [
        Binding("e", "edit", "Edit", tooltip="Correct the role, office, gender, age band or attributes", id="participants.edit"),
        Binding("escape", "back", "Back", id="participants.back"),
        Binding("question_mark", "help", "Help", id="participants.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.people: list[ParticipantView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[Text] = DataTable(id="participants", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Participants"
        self.query_one(DataTable).focus()
        self.load()

    def load(self) -> None:
        self.in_background(lambda workspace: workspace.participants(), self._loaded, group="participants")

    def _loaded(self, people: list[ParticipantView]) -> None:
        self.people = people
        table = self.query_one(DataTable)
        row = table.cursor_row
        rows = [
            tuple(Text(cell or "") for cell in (
                person.name, person.role, person.office, person.gender, person.age_band, ",".join(person.transcripts),
                ", ".join(f"{name}={value}" for name, value in person.attributes.items()),
            ))
            for person in people
        ]
        # Each column as wide as its widest cell, set here: DataTable measures columns left to fit
        # their content when it is next idle, and a run of the tests showed the table for seconds at
        # the headers' widths, the rows cut short.
        table.clear(columns=True)
        for number, label in enumerate(COLUMNS):
            table.add_column(label, width=max([len(label), *(cells[number].cell_len for cells in rows)]), key=label)
        for person, cells in zip(people, rows, strict=True):
            table.add_row(*cells, key=person.name)
        if people:
            table.move_cursor(row=min(row, len(people) - 1))

    def action_edit(self) -> None:
        table = self.query_one(DataTable)
        if not self.people or not table.row_count:
            return
        self._edit(self.people[table.cursor_row])

    def _edit(self, person: ParticipantView, typed: dict[str, str] | None = None, problem: str = "") -> None:
        """The form; a save refused opens it again with what was typed and why (it was lost)."""
        from qualcode.tui.modals.participant_form import ParticipantForm

        form = ParticipantForm(person, typed, problem)

        def saved(values: dict[str, str] | None) -> None:
            if values:  # nothing changed, or Escape: nothing to save
                self.save_edit(person.name, values, again=lambda why: self._edit(person, form.typed, why))

        self.app.push_screen(form, saved)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_edit()

    def save_edit(self, name: str, values: dict[str, str], again: Callable[[str], None] | None = None) -> None:
        """Save through the same service as `qualcode participants edit`, then reload the list;
        refused, `again(why)` (the form opened again with what was typed)."""
        def edited(status: str, failed: bool = False) -> None:
            self.notify(status, severity="error" if failed else "information", markup=False)  # holds what was typed
            self.load()

        def refused(error: str) -> None:
            edited(f"{name}: {error}", failed=True)
            if again is not None:
                again(error.removeprefix("error: "))

        self.in_background(
            lambda workspace: workspace.edit_participant(name, values), lambda changed: edited(f"{name}: {changed}"),
            group="participants-edit", exclusive=False, failed=refused,
        )

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
