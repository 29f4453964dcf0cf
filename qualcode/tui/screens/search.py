"""SearchScreen: full-text search with keyword in context; Enter jumps, c+key or p codes the hit's sentence."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Key
from textual.widgets import DataTable, Header, Input, Static

from qualcode.codebook.service import CodeView
from qualcode.search.service import Hit, SearchResult
from qualcode.tui.modals.code_picker import CodePicker
from qualcode.tui.screens.base import CodingScreen, Reread, listed_code, open_transcript_first
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.widgets.footer import KeyFooter
from qualcode.workspace import Workspace


class SearchScreen(CodingScreen):
    BINDINGS = [
        Binding("enter", "jump", "Go to hit", id="search.jump"),
        # The same keys as in the reader: c then the code's key, or p to pick a code by name.
        Binding("c", "code_by_shortcut", "Code", tooltip="Code the hit's sentence: press c, then the code's key", id="search.apply-shortcut"),
        Binding("p", "pick_code", "Pick", tooltip="Code the hit's sentence with a code picked by name, path or signal word",
                id="search.apply-code"),
        Binding("slash", "edit_query", "New search", id="search.query"),
        Binding("escape", "back", "Back", id="search.back"),
        Binding("question_mark", "help", "Help", id="search.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[Hit] = []
        self.searched: str | None = None  # the query whose hits are listed, not what the field holds now
        self.awaiting_shortcut = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder='Search: words, "phrases", AND, OR, NOT, prefix*', id="search-query")
        table: DataTable[Text] = DataTable(id="hits", cursor_type="row", zebra_stripes=True)
        table.add_columns("Where", "Speaker", "Context")
        yield table
        yield Static("", id="status")
        yield KeyFooter(compact=True)  # so the keys that matter, and the palette, fit in 80 columns

    def on_mount(self) -> None:
        self.title = "Search"
        self.query_one("#search-query", Input).focus()

    @on(Input.Submitted, "#search-query")
    def _submitted(self, event: Input.Submitted) -> None:
        self.run_search(event.value)

    def run_search(self, query: str) -> None:
        def found(result: SearchResult) -> None:
            self.searched = query
            self._show(result.hits, self._said(query, result))

        def failed(error: str) -> None:
            self.searched = None
            self._show([], error)

        self.in_background(lambda workspace: workspace.search(query), found, group="search", failed=failed)

    @staticmethod
    def _said(query: str, result: SearchResult) -> str:
        """What the search found, said as `qualcode search` says it: the hits' words are then no surprise."""
        looked_for = f"looked for {result.query!r}, a name the key holds as its pseudonym; " if result.query != query else ""
        return looked_for + result.summary + (f"; {result.compounds}" if result.compounds else "")

    def reread(self) -> Reread[SearchResult] | None:
        """The hits of the search listed, as another session has left the texts (imported, rewritten, withdrawn),
        the cursor on the same hit where it is still found; what is typed in the search field is left as it is."""
        query, shown = self.searched, self.hits
        if query is None:
            return None

        def show(result: SearchResult) -> str | None:
            if self.searched != query or self.hits is not shown or result.hits == shown:
                return None  # another search run meanwhile, or the same hits
            current, row = self._current(), self.query_one(DataTable).cursor_row
            self._show(result.hits, self._said(query, result), focus=False)
            where = next((index for index, hit in enumerate(result.hits) if current is not None
                          and (hit.transcript, hit.start, hit.keyword) == (current.transcript, current.start, current.keyword)),
                         min(row, len(result.hits) - 1))  # gone (its text rewritten, withdrawn): the same row
            if where >= 0:
                self.query_one(DataTable).move_cursor(row=where, animate=False)
            return "the search hits"

        return Reread(lambda workspace: workspace.search(query), show)

    def _show(self, hits: list[Hit], status: str, *, focus: bool = True) -> None:
        self.hits = hits
        table = self.query_one(DataTable)
        table.clear()
        for hit in self.hits:
            # Text, not markup: transcripts hold "[pause]"; the hit is shown in reverse, which needs no colour.
            context = Text.assemble(hit.left[-30:], (hit.keyword, "bold reverse"), hit.right[:30])
            table.add_row(Text(f"{hit.transcript}:{hit.line}"), Text(hit.speaker or "-"), context)
        self.sub_title = status
        if self.hits and focus:
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

    async def on_key(self, event: Key) -> None:
        """Enter on a hit opens its transcript as it reaches the screen, and the keys typed after it are held for the
        transcript (tui/typed_ahead.py): as the table's binding, run once Enter had bubbled up to the app, it came after
        them, and `enter ] v` moved and selected nothing (`c`, a key for this screen too, coded the hit)."""
        if open_transcript_first(self, event, self.query_one(DataTable), self.action_jump, waiting=self.awaiting_shortcut):
            return
        await super().on_key(event)

    def status(self, message: str) -> None:
        self.query_one("#status", Static).update(Text(message))  # may quote code paths and typed text

    def ready_to_code(self) -> bool:
        if self._current() is None:
            self.status("Search first: no hit to code")
            return False
        return True

    def code_with(self, code_path: str) -> None:
        hit = self._current()
        if hit is not None:
            self.code_sentence(hit, code_path)

    def action_pick_code(self) -> None:
        hit = self._current()
        if hit is None:
            self.status("Search first: no hit to code")
            return

        def chosen(path: str | None) -> None:
            if path:
                self.code_sentence(hit, path)

        self.app.push_screen(CodePicker(self.qualcode.codes, self.qualcode.recent), chosen)

    def code_sentence(self, hit: Hit, code_path: str) -> None:
        listed = listed_code(self.qualcode.codes, code_path)

        def code(workspace: Workspace) -> tuple[str, list[CodeView], list[str]]:
            detail = workspace.code_sentence_at(hit.transcript, hit.start, listed, hit.text_version)
            return detail, workspace.codes(), workspace.recent_codes()

        def coded(result: tuple[str, list[CodeView], list[str]]) -> None:
            detail, codes, recent = result
            self.qualcode.codes_changed(codes, recent)
            self.status(f"coded: {detail}")

        self.in_background(code, coded, group="search-code", exclusive=False, failed=self.status)

    def action_edit_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_back(self) -> None:
        """Escape cancels a waiting c first, and leaves only when nothing is waiting."""
        if self.awaiting_shortcut:
            self.awaiting_shortcut = False
            self.status("")
        else:
            self.dismiss()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
