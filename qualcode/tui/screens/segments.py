"""SegmentsScreen: every passage coded with a code (and its sub-codes), filterable; Enter jumps to it."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Key
from textual.widgets import DataTable, Header, Input, Static

from qualcode.coding.missing import NOT_STATED, typed_as, value_holds
from qualcode.coding.passages import Quote
from qualcode.tui.screens.base import QualcodeScreen, Reread, open_transcript_first
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.typed_ahead import TypedWithSlash, leave
from qualcode.tui.typed_as_stored import TypedAsStored
from qualcode.tui.widgets.as_written import as_far_as_shown, as_written, cell, lines_as_written
from qualcode.tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from qualcode.workspace import Workspace

# The filter: field:value (or field=value, as `--attribute` takes it) looks only in that field, a
# value with spaces in double quotes (office:"kontor B"); other words are looked for anywhere.
# Any participant or transcript attribute is a field. A number for a round means the round with
# that number, so round:1 finds T1 as researchers count rounds, and round:T1 finds it by name.
# office:"(not stated)" (or "(ikke oppgitt)") finds those without an office, as the tables' column of
# that name counts them; an office typed so is named as the tables show it, in quotation marks,
# within single ones: office:'"(not stated)"'.
FIELDS: dict[str, Callable[[Quote], str | None]] = {
    "role": lambda q: q.role, "round": lambda q: q.wave, "office": lambda q: q.office, "gender": lambda q: q.gender,
    "age_band": lambda q: q.age_band, "participant": lambda q: q.participant, "speaker": lambda q: q.speaker,
    "coder": lambda q: q.coder, "transcript": lambda q: q.transcript, "fidelity": lambda q: q.fidelity,
}
ALIASES = {
    "rolle": "role", "runde": "round", "wave": "round", "kontor": "office", "kjønn": "gender", "age": "age_band",
    "alder": "age_band", "deltaker": "participant", "informant": "participant", "taler": "speaker", "koder": "coder",
    "intervju": "transcript", "kind": "fidelity",
}
TERM = re.compile(r'([^\s:="]+)[:=]("[^"]*"?|\'[^\']*\'|\S*)|(\S+)')
# The fields that are a participant's, beside their typed attributes (Quote.participant_fields).
PARTICIPANT_FIELDS = frozenset(("role", "office", "gender", "age_band", "participant"))
ROUND_NUMBER = re.compile(r"\D*0*(\d+)")


@dataclass(frozen=True)
class PassageFilter:
    """A parsed filter: (field, value) pairs, words to find anywhere, and fields the passages do not have."""

    fields: tuple[tuple[str, str], ...] = ()
    words: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()


def parse_filter(text: str, attributes: Collection[str] = ()) -> PassageFilter:
    """Read what was typed in the filter; `attributes` are the attribute names the passages have."""
    by_name = {name.casefold(): name for name in attributes}
    fields: list[tuple[str, str]] = []
    words: list[str] = []
    unknown: list[str] = []
    for match in TERM.finditer(text):
        field, value, word = match.groups()
        if word is not None:
            words.append(word.casefold())
            continue
        value = value[1:-1] if len(value) > 1 and value[0] == value[-1] == "'" else value.strip('"')
        if not value:  # "office:" while it is being typed
            continue
        name = ALIASES.get(field.casefold(), field.casefold())
        if name in FIELDS or name in by_name:
            fields.append((by_name.get(name, name), value))
        else:
            unknown.append(field)
    return PassageFilter(tuple(fields), tuple(words), tuple(unknown))


def field_value(quote: Quote, name: str) -> str | None:
    return FIELDS[name](quote) if name in FIELDS else quote.attributes.get(name)


def same_value(name: str, found: str | None, wanted: str) -> bool:
    if found is None:
        return False
    if found.casefold() == wanted.casefold():
        return True
    number = ROUND_NUMBER.fullmatch(found.strip()) if name == "round" and wanted.isdigit() else None
    return number is not None and int(number[1]) == int(wanted)


def holds(quote: Quote, name: str, wanted: str) -> bool:
    """Whether a quote's field has the value wanted; the label of a missing value (either language) is
    the quotes without one, as `--attribute` reads it (coding/missing.py), a label in quotation marks the value typed so."""
    if " ".join(wanted.split()).casefold() in NOT_STATED:  # as typed: "(ikke  oppgitt)", "(NOT STATED)"
        nobody = quote.participant is None and (name in PARTICIPANT_FIELDS or name in quote.participant_fields)
        return value_holds(field_value(quote, name), None, of_no_one=nobody)
    return same_value(name, field_value(quote, name), typed_as(wanted))


def matches(quote: Quote, wanted: PassageFilter) -> bool:
    """Whether `quote` passes the filter: every field has its value and every word is found."""
    if wanted.unknown:
        return False
    if not all(holds(quote, name, value) for name, value in wanted.fields):
        return False
    everything = " ".join(filter(None, [quote.role, quote.wave, quote.participant, quote.coder, quote.transcript,
                                        quote.office, *quote.attributes.values(), quote.excerpt])).casefold()
    return all(word in everything for word in wanted.words)


def known_fields(attributes: Collection[str]) -> str:
    """The fields a filter can name, for a researcher who typed one that does not exist."""
    extra = sorted(set(attributes) - set(FIELDS), key=str.casefold)
    return ", ".join([*FIELDS, *extra])


class SegmentsScreen(QualcodeScreen):
    BINDINGS = [
        Binding("enter", "jump", "Go to passage", id="segments.jump"),
        Binding("slash", "filter", "Filter", id="segments.filter",
                tooltip="Words, or field:value of any attribute (round:1 is T1)"),
        Binding("escape", "back", "Back", tooltip="Clear the filter; back when there is none", id="segments.back"),
        Binding("question_mark", "help", "Help", id="segments.help"),
    ]

    def __init__(self, code_path: str, codings: tuple[int, ...] | None = None, title: str | None = None) -> None:
        """Every passage of `code_path`; with `codings`, only those codings (a matrix cell's passages), under `title`."""
        super().__init__()
        self.code_path = code_path
        self.codings = codings
        self.heading = title or f"Coded with {code_path}"
        self.quotes: list[Quote] = []
        self.shown: list[Quote] = []
        self.problem = ""  # what is wrong with the filter, shown instead of a passage
        # The filter as the passages' values are stored (a name the key holds as its pseudonym), read off the UI thread.
        self.as_stored = TypedAsStored(self, "segments-as-stored", self._stored_read)
        self.typed_with_slash = TypedWithSlash(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder='Filter: words, or role:veileder round:1 office:"kontor B" gender:kvinne …', id="segments-filter")
        table: DataTable[str] = DataTable(id="segments", cursor_type="row", zebra_stripes=True)
        table.add_columns("Where", "Who", "Round", "Coder", "Code", "Passage")
        yield table
        yield Static("", id="segment-detail")
        yield KeyFooter(compact=True)  # so the keys that matter, and the palette, fit in 80 columns

    def on_mount(self) -> None:
        self.title = self.heading
        if self.qualcode.workspace.blind:
            self.sub_title = "blind: only your codings"
        self.query_one(DataTable).focus()
        self.load()

    def load(self) -> None:
        codings = self.codings
        if codings is not None:
            self.in_background(lambda workspace: workspace.quotes_of(codings), self._loaded, group="segments")
        else:
            self.in_background(lambda workspace: workspace.passages(self.code_path), self._loaded, group="segments")

    def reread(self) -> Reread[list[Quote]]:
        """The passages listed, as another session has left them, the filter kept and the cursor on the same passage."""
        codings, code_path = self.codings, self.code_path

        def read(workspace: Workspace) -> list[Quote]:
            return workspace.quotes_of(codings) if codings is not None else workspace.passages(code_path)

        def show(quotes: list[Quote]) -> str | None:
            if quotes == self.quotes:
                return None
            table = self.query_one(DataTable)
            current = self.shown[table.cursor_row].coding_id if self.shown and table.row_count else None
            self.quotes = quotes
            self._fill(self.query_one("#segments-filter", Input).value)
            row = next((index for index, quote in enumerate(self.shown) if quote.coding_id == current), None)
            if row is not None:
                table.move_cursor(row=row, animate=False)
            return "the passages listed"

        return Reread(read, show)

    def _loaded(self, quotes: list[Quote]) -> None:
        self.quotes = quotes
        self._fill("")

    def _fill(self, wanted: str) -> None:
        table = self.query_one(DataTable)
        table.clear()
        attributes = {name for quote in self.quotes for name in quote.attributes}
        parsed = parse_filter(wanted, attributes)
        stored = self.as_stored.stored(wanted)
        as_stored = parse_filter(stored, attributes) if stored is not None else None
        said = parsed if as_stored is None or as_stored.unknown else as_stored  # a field named for someone, as stored
        self.problem = (f"No field {', '.join(repr(f) for f in said.unknown)}: filter by {known_fields(attributes)}"
                        if said.unknown else "")
        self.shown = [q for q in self.quotes if matches(q, parsed) or (as_stored is not None and matches(q, as_stored))]
        for quote in self.shown:
            who = f"{quote.participant or quote.speaker or '-'} ({quote.role or '-'})"
            cells = (f"{quote.transcript}:{quote.line}", who, quote.wave or "", quote.coder,
                     quote.code_path.removeprefix(self.code_path).lstrip("/") or "·", " ".join(quote.excerpt.split())[:80])
            table.add_row(*(cell(value) for value in cells))  # a table reads strings as markup; "[pause]" must stay
        self._show_detail(table.cursor_row if table.row_count else None)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, row: int | None) -> None:
        """The whole passage with the turn before and after, and its memo."""
        detail = self.query_one("#segment-detail", Static)
        if row is None or not 0 <= row < len(self.shown):
            message = self.problem or ("No passage matches the filter." if self.quotes else "No passages coded with this code yet.")
            detail.update(Text(message))  # quotes what was typed
            return
        quote = self.shown[row]
        parts = [as_written((quote.code_path, "bold"), f"  {quote.transcript}, line {quote.line}, {quote.speaker or '-'}")]
        if quote.context_before:
            parts.append(as_written((_tail(quote.context_before), "dim")))
        parts.append(as_written((" ".join(quote.excerpt.split()), "bold")))
        if quote.context_after:
            parts.append(as_written((_head(quote.context_after), "dim")))
        if quote.memo:
            parts.append(as_written((f"Memo: {as_far_as_shown(quote.memo)}", "italic")))
        detail.update(lines_as_written(parts))

    @on(Input.Changed, "#segments-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)
        self.as_stored.typed(event.value)

    def _stored_read(self, typed: str) -> None:
        """The filter as stored is back: filtered by it too, while the filter is still what was typed."""
        if self.query_one("#segments-filter", Input).value == typed:
            self._fill(typed)

    @on(Input.Submitted, "#segments-filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()
        self.typed_with_slash.left()

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

    def on_key(self, event: Key) -> None:
        """Enter on a passage opens its transcript as it reaches the screen, the keys typed after it held for the
        transcript (`enter ] v` moved and selected nothing: the table's binding ran after them). `/` focuses the filter
        as it reaches the screen, and the keys typed with it are the field's: as a binding, run once `/` had bubbled up
        to the app, it came after them (`/ veileder enter enter` opened the first passage, the filter empty)."""
        if self.typed_with_slash.takes(event):
            return
        if open_transcript_first(self, event, self.query_one(DataTable), self.action_jump):
            return
        if event.key == "slash" and self.query_one(DataTable).has_focus:
            event.stop()
            event.prevent_default()
            self.action_filter()
            self.typed_with_slash.opened()

    def action_back(self) -> None:
        """Escape clears what is active, the filter, and leaves only when nothing is."""
        field = self.query_one("#segments-filter", Input)
        if field.value:
            field.value = ""
            self.query_one(DataTable).focus()
            self.typed_with_slash.left()
            return
        # Left: the keys typed with `/` after this Escape are the screen's under it, once it is shown again.
        leave(self, self.typed_with_slash.left_with_the_screen())

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))


CONTEXT = 160  # characters of the neighbouring turns: enough to read the passage in its place


def _tail(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= CONTEXT else "… " + flat[-CONTEXT:].split(" ", 1)[-1]


def _head(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= CONTEXT else flat[:CONTEXT].rsplit(" ", 1)[0] + " …"
