"""SegmentsScreen: every passage coded with a code (and its sub-codes), filterable; Enter jumps to it."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Static

from qualcode.coding.passages import Quote
from qualcode.tui.screens.base import QualcodeScreen
from qualcode.tui.screens.help import HelpScreen

# Filter words of the form field:value look only in that field; other words anywhere.
FIELDS = {
    "role": lambda q: q.role, "rolle": lambda q: q.role,
    "round": lambda q: q.wave, "runde": lambda q: q.wave, "wave": lambda q: q.wave,
    "participant": lambda q: q.participant, "deltaker": lambda q: q.participant,
    "coder": lambda q: q.coder, "koder": lambda q: q.coder,
    "transcript": lambda q: q.transcript,
}


def matches(quote: Quote, wanted: str) -> bool:
    """Whether `quote` passes the filter `wanted`: every word must be found."""
    everything = " ".join(filter(None, [quote.role, quote.wave, quote.participant, quote.coder, quote.transcript, quote.excerpt])).casefold()
    for word in wanted.casefold().split():
        field, _, value = word.partition(":")
        if value and field in FIELDS:
            if (FIELDS[field](quote) or "").casefold() != value:
                return False
        elif word not in everything:
            return False
    return True


class SegmentsScreen(QualcodeScreen):
    BINDINGS = [
        Binding("enter", "jump", "Go to passage", id="segments.jump"),
        Binding("slash", "filter", "Filter", id="segments.filter"),
        Binding("escape", "back", "Back", id="segments.back"),
        Binding("question_mark", "help", "Help", id="segments.help"),
    ]

    def __init__(self, code_path: str) -> None:
        super().__init__()
        self.code_path = code_path
        self.quotes: list[Quote] = []
        self.shown: list[Quote] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filter: words, or role:veileder round:1 participant:D3 coder:Kari", id="segments-filter")
        table: DataTable[str] = DataTable(id="segments", cursor_type="row", zebra_stripes=True)
        table.add_columns("Where", "Who", "Round", "Coder", "Code", "Passage")
        yield table
        yield Static("", id="segment-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Coded with {self.code_path}"
        self.query_one(DataTable).focus()
        self.load()

    def load(self) -> None:
        self.in_background(lambda workspace: workspace.passages(self.code_path), self._loaded, group="segments")

    def _loaded(self, quotes: list[Quote]) -> None:
        self.quotes = quotes
        self._fill("")

    def _fill(self, wanted: str) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.shown = [q for q in self.quotes if matches(q, wanted)]
        for quote in self.shown:
            who = f"{quote.participant or quote.speaker or '-'} ({quote.role or '-'})"
            cells = (f"{quote.transcript}:{quote.line}", who, quote.wave or "", quote.coder,
                     quote.code_path.removeprefix(self.code_path).lstrip("/") or "·", " ".join(quote.excerpt.split())[:80])
            table.add_row(*(escape(cell) for cell in cells))  # a table reads strings as markup; "[pause]" must stay
        self._show_detail(table.cursor_row if table.row_count else None)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, row: int | None) -> None:
        """The whole passage with the turn before and after, and its memo."""
        detail = self.query_one("#segment-detail", Static)
        if row is None or not 0 <= row < len(self.shown):
            detail.update("No passage matches the filter." if self.quotes else "No passages coded with this code yet.")
            return
        quote = self.shown[row]
        parts = [f"[b]{escape(quote.code_path)}[/b]  {escape(quote.transcript)}, line {quote.line}, {escape(quote.speaker or '-')}"]
        if quote.context_before:
            parts.append(f"[dim]{escape(_tail(quote.context_before))}[/dim]")
        parts.append(f"[b]{escape(' '.join(quote.excerpt.split()))}[/b]")
        if quote.context_after:
            parts.append(f"[dim]{escape(_head(quote.context_after))}[/dim]")
        if quote.memo:
            parts.append(f"[i]Memo: {escape(quote.memo)}[/i]")
        detail.update("\n".join(parts))

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
            self.qualcode.open_transcript(quote.transcript, quote.start)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_jump()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))


CONTEXT = 160  # characters of the neighbouring turns: enough to read the passage in its place


def _tail(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= CONTEXT else "… " + flat[-CONTEXT:].split(" ", 1)[-1]


def _head(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= CONTEXT else flat[:CONTEXT].rsplit(" ", 1)[0] + " …"
