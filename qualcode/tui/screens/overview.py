"""OverviewScreen: the project's transcripts with participants, round, kind, size and progress."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input

from qualcode.coding.transcripts import TranscriptView
from qualcode.tui.screens.base import QualcodeScreen
from qualcode.tui.screens.help import HelpScreen

SORTS = ("name", "wave", "interview_date", "codings", "coded_turns", "words")


class OverviewScreen(QualcodeScreen):
    BINDINGS = [
        Binding("enter", "open", "Open", id="overview.open"),
        Binding("slash", "filter", "Filter", id="overview.filter"),
        Binding("s", "sort", "Sort", id="overview.sort"),
        Binding("e", "edit", "Edit metadata", show=False, tooltip="Correct the date, round, participants, kind, interviewer or title",
                id="overview.edit"),
        Binding("b", "browse", "Passages", tooltip="Every passage coded with a code", id="overview.browse"),
        Binding("a", "app.review", "Identifiers", tooltip="Review possible identifiers (needs the key's passphrase)", id="overview.review"),
        Binding("ctrl+f", "app.search", "Search", id="overview.search"),
        Binding("question_mark", "help", "Help", id="overview.help"),
        Binding("q", "app.quit", "Quit", id="overview.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.transcripts: list[TranscriptView] = []
        self.sort_index = 0
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filter by name, participant, role, wave …", id="overview-filter", classes="hidden")
        table: DataTable[str] = DataTable(id="transcripts", cursor_type="row", zebra_stripes=True)
        # Progress first after the name, so it stays in view at 80 columns; the rest scrolls sideways.
        table.add_columns("Transcript", "Coded", "Codings", "Participants", "Role", "Round", "Date", "Kind", "Words")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.title = "qualcode"
        self.sub_title = f"coder: {self.qualcode.coder_name}"
        self.query_one(DataTable).focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        self.in_background(lambda workspace: workspace.transcripts(), self._loaded, group="overview")

    def _loaded(self, transcripts: list[TranscriptView]) -> None:
        self.transcripts = transcripts
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        # Reloaded on returning from a transcript: the cursor stays on the transcript just left.
        current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None
        table.clear()
        key = SORTS[self.sort_index]
        wanted = self.filter_text.casefold()
        rows = [
            t for t in self.transcripts
            if not wanted or wanted in " ".join([t.name, *t.participants, *t.roles, t.wave or "", t.fidelity or ""]).casefold()
        ]
        rows.sort(key=lambda t: (getattr(t, key) is None, getattr(t, key) or 0), reverse=key in ("codings", "coded_turns", "words"))
        for t in rows:
            # A table reads strings as markup: names and participants are typed by people and may hold "[".
            table.add_row(*(escape(cell) for cell in (t.name, t.progress, str(t.codings), ",".join(t.participants), ",".join(t.roles),
                                                       t.wave or "", t.interview_date or "", t.fidelity or "", str(t.words))), key=t.name)
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            name = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if name is not None:
                self.qualcode.open_transcript(name)

    def action_edit(self) -> None:
        from qualcode.tui.modals.transcript_form import TranscriptForm

        table = self.query_one(DataTable)
        if not table.row_count:
            return
        name = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        transcript = next((t for t in self.transcripts if t.name == name), None)
        if transcript is not None:
            def saved(values: dict[str, str] | None) -> None:
                if values:  # nothing changed, or Escape: nothing to save
                    self.save_edit(transcript.name, values)
            self.app.push_screen(TranscriptForm(transcript), saved)

    def save_edit(self, name: str, values: dict[str, str]) -> None:
        """Save through the same service as `qualcode transcripts edit`, then reload the list."""
        def edited(status: str, failed: bool = False) -> None:
            self.notify(status, severity="error" if failed else "information", markup=False)  # holds what was typed
            self.load()

        self.in_background(
            lambda workspace: workspace.edit_transcript(name, values), lambda changed: edited(f"{name}: {changed}"),
            group="overview-edit", failed=lambda error: edited(f"{name}: {error}", failed=True),
        )

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def action_filter(self) -> None:
        field = self.query_one("#overview-filter", Input)
        field.remove_class("hidden")
        field.focus()

    @on(Input.Changed, "#overview-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self._fill()

    @on(Input.Submitted, "#overview-filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.notify(f"sorted by {SORTS[self.sort_index].replace('_', ' ')}")
        self._fill()

    def action_browse(self) -> None:
        from qualcode.tui.modals.code_picker import CodePicker

        self.app.push_screen(
            CodePicker(self.qualcode.codes, self.qualcode.recent),
            lambda path: self.qualcode.browse_code(path) if path else None,
        )

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
