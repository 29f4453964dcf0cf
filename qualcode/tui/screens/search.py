"""SearchScreen: full-text search with keyword in context; Enter jumps, c codes the hit's sentence."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input

from qualcode.search.service import Hit
from qualcode.tui.modals.code_picker import CodePicker
from qualcode.tui.screens.help import HelpScreen


class SearchScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "jump", "Go to hit", id="search.jump"),
        Binding("c", "code_hit", "Code the hit's sentence", id="search.code-hit"),
        Binding("slash", "edit_query", "New search", id="search.query"),
        Binding("escape", "back", "Back", id="search.back"),
        Binding("question_mark", "help", "Help", id="search.help"),
    ]

    class Found(Message):
        def __init__(self, hits: list[Hit], status: str) -> None:
            super().__init__()
            self.hits = hits
            self.status = status

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[Hit] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder='Search: words, "phrases", AND, OR, NOT, prefix*', id="search-query")
        table: DataTable[str] = DataTable(id="hits", cursor_type="row", zebra_stripes=True)
        table.add_columns("Where", "Speaker", "Context")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Search"
        self.query_one("#search-query", Input).focus()

    @on(Input.Submitted, "#search-query")
    def _submitted(self, event: Input.Submitted) -> None:
        self.run_search(event.value)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        from qualcode.errors import QualcodeError

        try:
            result = self.app.coding_service().search(query)  # type: ignore[attr-defined]
        except QualcodeError as error:
            self.post_message(self.Found([], f"error: {error}"))
            return
        self.post_message(self.Found(result.hits, f"{len(result.hits)} hits in {result.turns_matched} turns"))

    @on(Found)
    def _found(self, message: Found) -> None:
        self.hits = message.hits
        table = self.query_one(DataTable)
        table.clear()
        for hit in self.hits:
            table.add_row(f"{hit.transcript}:{hit.line}", hit.speaker or "-", f"{hit.left[-30:]}[{hit.keyword}]{hit.right[:30]}")
        self.sub_title = message.status
        if self.hits:
            table.focus()

    def _current(self) -> Hit | None:
        table = self.query_one(DataTable)
        return self.hits[table.cursor_row] if self.hits and table.row_count else None

    def action_jump(self) -> None:
        hit = self._current()
        if hit is not None:
            self.app.open_transcript(hit.transcript, hit.start)  # type: ignore[attr-defined]

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_jump()

    def action_code_hit(self) -> None:
        hit = self._current()
        if hit is None:
            return

        def chosen(path: str | None) -> None:
            if path:
                self.code_sentence(hit, path)

        self.app.push_screen(CodePicker(self.app.codes, self.app.recent_codes()), chosen)  # type: ignore[attr-defined]

    @work(thread=True, group="search-code")
    def code_sentence(self, hit: Hit, code_path: str) -> None:
        from qualcode.errors import QualcodeError

        try:
            detail = self.app.coding_service().code_sentence_at(hit.transcript, hit.start, code_path)  # type: ignore[attr-defined]
        except QualcodeError as error:
            detail = f"error: {error}"
        else:
            self.app.reload_codes()  # type: ignore[attr-defined]
        self.app.call_from_thread(self.notify, detail)

    def action_edit_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
