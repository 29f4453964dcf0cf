"""SearchScreen: full-text search with keyword in context; Enter jumps, c codes the hit's sentence."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input

from qualcode.codebook.service import CodeView
from qualcode.search.service import Hit, SearchResult
from qualcode.tui.modals.code_picker import CodePicker
from qualcode.tui.screens.base import QualcodeScreen
from qualcode.tui.screens.help import HelpScreen
from qualcode.workspace import Workspace


class SearchScreen(QualcodeScreen):
    BINDINGS = [
        Binding("enter", "jump", "Go to hit", id="search.jump"),
        Binding("c", "code_hit", "Code the hit's sentence", id="search.code-hit"),
        Binding("slash", "edit_query", "New search", id="search.query"),
        Binding("escape", "back", "Back", id="search.back"),
        Binding("question_mark", "help", "Help", id="search.help"),
    ]

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

    def run_search(self, query: str) -> None:
        def found(result: SearchResult) -> None:
            self._show(result.hits, result.summary + (f"; {result.compounds}" if result.compounds else ""))

        self.in_background(lambda workspace: workspace.search(query), found, group="search",
                           failed=lambda error: self._show([], error))

    def _show(self, hits: list[Hit], status: str) -> None:
        self.hits = hits
        table = self.query_one(DataTable)
        table.clear()
        for hit in self.hits:
            table.add_row(f"{hit.transcript}:{hit.line}", hit.speaker or "-", f"{hit.left[-30:]}[{hit.keyword}]{hit.right[:30]}")
        self.sub_title = status
        if self.hits:
            table.focus()

    def _current(self) -> Hit | None:
        table = self.query_one(DataTable)
        return self.hits[table.cursor_row] if self.hits and table.row_count else None

    def action_jump(self) -> None:
        hit = self._current()
        if hit is not None:
            self.qualcode.open_transcript(hit.transcript, hit.start)

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

        self.app.push_screen(CodePicker(self.qualcode.codes, self.qualcode.recent), chosen)

    def code_sentence(self, hit: Hit, code_path: str) -> None:
        def code(workspace: Workspace) -> tuple[str, list[CodeView], list[str]]:
            detail = workspace.code_sentence_at(hit.transcript, hit.start, code_path)
            return detail, workspace.codes(), workspace.recent_codes()

        def coded(result: tuple[str, list[CodeView], list[str]]) -> None:
            detail, codes, recent = result
            self.qualcode.codes_changed(codes, recent)
            self.notify(detail, markup=False)

        self.in_background(code, coded, group="search-code", exclusive=False)

    def action_edit_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
