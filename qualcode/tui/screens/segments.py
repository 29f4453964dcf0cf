"""SegmentsScreen: every passage coded with a code (and its sub-codes), filterable; Enter jumps to it."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input

from qualcode.exporters.selection import Quote
from qualcode.tui.screens.help import HelpScreen


class SegmentsScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "jump", "Go to passage", id="segments.jump"),
        Binding("slash", "filter", "Filter", id="segments.filter"),
        Binding("escape", "back", "Back", id="segments.back"),
        Binding("question_mark", "help", "Help", id="segments.help"),
    ]

    class Loaded(Message):
        def __init__(self, quotes: list[Quote]) -> None:
            super().__init__()
            self.quotes = quotes

    def __init__(self, code_path: str) -> None:
        super().__init__()
        self.code_path = code_path
        self.quotes: list[Quote] = []
        self.shown: list[Quote] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filter: role, round, participant, coder or words", id="segments-filter")
        table: DataTable[str] = DataTable(id="segments", cursor_type="row", zebra_stripes=True)
        table.add_columns("Where", "Who", "Round", "Coder", "Code", "Passage")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Coded with {self.code_path}"
        self.query_one(DataTable).focus()
        self.load()

    @work(thread=True, exclusive=True, group="segments")
    def load(self) -> None:
        self.post_message(self.Loaded(self.app.coding_service().segments(self.code_path)))  # type: ignore[attr-defined]

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.quotes = message.quotes
        self._fill("")

    def _fill(self, wanted: str) -> None:
        table = self.query_one(DataTable)
        table.clear()
        words = wanted.casefold().split()
        self.shown = [
            q for q in self.quotes
            if all(word in " ".join(filter(None, [q.role, q.wave, q.participant, q.coder, q.transcript, q.excerpt])).casefold() for word in words)
        ]
        for quote in self.shown:
            who = f"{quote.participant or quote.speaker or '-'} ({quote.role or '-'})"
            table.add_row(f"{quote.transcript}:{quote.line}", who, quote.wave or "", quote.coder,
                          quote.code_path.removeprefix(self.code_path).lstrip("/") or "·", " ".join(quote.excerpt.split())[:80])

    @on(Input.Changed, "#segments-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#segments-filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_filter(self) -> None:
        self.query_one("#segments-filter", Input).focus()

    def action_jump(self) -> None:
        table = self.query_one(DataTable)
        if self.shown and table.row_count:
            quote = self.shown[table.cursor_row]
            self.app.open_transcript(quote.transcript, quote.start)  # type: ignore[attr-defined]

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_jump()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
