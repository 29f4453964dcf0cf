"""ParticipantsScreen: the people interviewed, with role, office, gender, age band and attributes; `e` corrects one."""

from __future__ import annotations

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

    def _edit(self, person: ParticipantView) -> None:
        """Edit through the same service as `qualcode participants edit`."""
        from qualcode.tui.modals.participant_form import ParticipantForm

        self.edit_in_form(person.name, lambda typed, problem: ParticipantForm(person, typed, problem),
                          lambda workspace, name, values: workspace.edit_participant(name, values), group="participants-edit")

    def edited(self) -> None:
        self.load()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_edit()

    def action_back(self) -> None:
        self.dismiss()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
