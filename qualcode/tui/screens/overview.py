"""OverviewScreen: the project's transcripts with participants, role, round, office, kind, size and progress."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Input

from qualcode.coding.transcripts import ParticipantView, TranscriptView
from qualcode.tui.screens.base import QualcodeScreen, Reread
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.typed_ahead import (
    HeldKeys,
    RefusedKeys,
    TypedKey,
    TypedWithSlash,
    hand_over,
    leaving_keys,
    now,
)
from qualcode.tui.typed_as_stored import TypedAsStored
from qualcode.tui.widgets.as_written import cell
from qualcode.tui.widgets.footer import KeyFooter

SORTS = ("name", "wave", "interview_date", "codings", "coded_turns", "words")
# Column key, heading, width of its values. Shown in this order; which are shown depends on the width.
COLUMNS = (
    ("name", "Transcript", 14), ("coded", "Coded", 5), ("codings", "Codings", 7), ("participants", "Participants", 12),
    ("role", "Role", 9), ("round", "Round", 5), ("office", "Office", 9), ("date", "Date", 10), ("kind", "Kind", 10),
    ("words", "Words", 6),
)
ALWAYS = ("name", "coded", "kind", "words")
# The rest as room allows, most wanted first: role, round and office fit at 80 columns.
BY_ROOM = ("role", "round", "office", "participants", "date", "codings")
NAME_WIDTH = (14, 28)  # the name column takes what is left over, within these bounds
CELL_PADDING = 2  # a DataTable pads each cell by one on either side
SCROLLBAR = 2


def columns_for(width: int) -> list[tuple[str, str, int]]:
    """The columns that fit in `width`, never leaving out the name, progress, kind and words, with
    the name column widened into what is left."""
    widths = {key: size for key, _, size in COLUMNS}
    room = width - SCROLLBAR
    shown = set(ALWAYS)
    used = sum(widths[key] + CELL_PADDING for key in shown)
    for key in BY_ROOM:
        if used + widths[key] + CELL_PADDING <= room:
            shown.add(key)
            used += widths[key] + CELL_PADDING
    name_width = max(NAME_WIDTH[0], min(NAME_WIDTH[1], widths["name"] + room - used))
    return [(key, label, name_width if key == "name" else size) for key, label, size in COLUMNS if key in shown]


def fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class OverviewScreen(QualcodeScreen):
    BINDINGS = [
        Binding("enter", "open", "Open", id="overview.open"),
        Binding("slash", "filter", "Filter", id="overview.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, tooltip="Leave the filter, clearing it", id="overview.clear-filter"),
        Binding("s", "sort", "Sort", show=False, tooltip="Sort by name, round, date, codings, progress or words", id="overview.sort"),
        Binding("e", "edit", "Edit metadata", show=False, tooltip="Correct the date, round, participants, kind, interviewer or title",
                id="overview.edit"),
        Binding("b", "browse", "Passages", tooltip="Every passage coded with a code", id="overview.browse"),
        Binding("a", "app.review", "Identifiers", tooltip="Review possible identifiers (needs the key's passphrase)", id="overview.review"),
        Binding("i", "app.import", "Import", tooltip="Import transcripts: pick files or a folder, dry run, import", id="overview.import"),
        Binding("x", "app.export", "Export", tooltip="A Word report or quote table of a code's passages", id="overview.export"),
        Binding("p", "app.participants", "Participants", show=False, tooltip="List and edit participants", id="overview.participants"),
        Binding("f", "app.framework", "Framework", show=False,
                tooltip="The framework matrix: a summary per participant and code, beside the passages", id="overview.framework"),
        Binding("m", "app.analysis", "Analysis", show=False,
                tooltip="The code × attribute matrix and co-occurrence; Enter lists a cell's passages", id="overview.analysis"),
        Binding("C", "app.compare", "Compare coders", show=False,
                tooltip="Two coders' codings of this transcript; decide each disagreement by consensus", id="overview.compare"),
        Binding("r", "app.comments", "Reviewers' comments", show=False,
                tooltip="Read a commented report back as memos and jump to the quotes", id="overview.comments"),
        Binding("ctrl+f", "app.search", "Search", show=False, id="overview.search"),
        Binding("question_mark", "help", "Help", id="overview.help"),
        Binding("q", "app.quit", "Quit", id="overview.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.transcripts: list[TranscriptView] = []
        self.sort_index = 0
        self.filter_text = ""
        # The filter as the transcripts' names and values are stored (a name the key holds as its pseudonym).
        self.as_stored = TypedAsStored(self, "overview-as-stored", self._stored_read)
        self.offices: dict[str, str] = {}  # participant -> office
        self.columns: list[tuple[str, str, int]] = []
        self.typed_with_slash = TypedWithSlash(self)
        self.refused_keys = RefusedKeys(self)
        # Keys typed before a key here put a screen on top (`?`'s help), which reach the table after it: that screen's, up
        # to the key that leaves it; those after it wait for this screen to be shown again.
        self._covered_at = float("-inf")
        self._left_above = False
        self._after_above = HeldKeys()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filter by name, participant, role, wave …", id="overview-filter", classes="hidden")
        # Columns are added for the width the screen has (on_resize).
        yield DataTable(id="transcripts", cursor_type="row", zebra_stripes=True)
        yield KeyFooter(compact=True)  # so the keys that matter, and the palette, fit in 80 columns

    def on_mount(self) -> None:
        self.title = "qualcode"
        self.sub_title = f"coder: {self.qualcode.coder_label}"
        self.query_one(DataTable).focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.load()
        self._covered_at, self._left_above = float("-inf"), False
        hand_over(self, self._after_above.take())  # given as typed, so no longer taken as typed before the screen on top

    def on_resize(self, event: events.Resize) -> None:
        columns = columns_for(event.size.width)
        if columns != self.columns:
            self.columns = columns
            table: DataTable[str] = self.query_one(DataTable)
            table.clear(columns=True)
            for key, label, width in columns:
                table.add_column(label, width=width, key=key)
            self._fill()

    def load(self) -> None:
        self.in_background(lambda workspace: (workspace.transcripts(), workspace.participants()), self._loaded, group="overview")

    def reread(self) -> Reread[tuple[list[TranscriptView], list[ParticipantView]]]:
        """The transcripts as another session has left them (their codings, progress, metadata), the cursor kept."""
        def show(loaded: tuple[list[TranscriptView], list[ParticipantView]]) -> str | None:
            offices = {person.name: person.office for person in loaded[1] if person.office}
            if (loaded[0], offices) == (self.transcripts, self.offices):
                return None
            self._loaded(loaded)
            return "the transcripts listed"

        return Reread(lambda workspace: (workspace.transcripts(), workspace.participants()), show)

    def _loaded(self, loaded: tuple[list[TranscriptView], list[ParticipantView]]) -> None:
        self.transcripts, people = loaded
        self.offices = {person.name: person.office for person in people if person.office}
        self._fill()

    def _office(self, transcript: TranscriptView) -> str:
        return ",".join(dict.fromkeys(self.offices[p] for p in transcript.participants if p in self.offices))

    def _cells(self, t: TranscriptView) -> dict[str, str]:
        return {
            "name": t.name, "coded": t.progress, "codings": str(t.codings), "participants": ",".join(t.participants),
            "role": ",".join(t.roles), "round": t.wave or "", "office": self._office(t), "date": t.interview_date or "",
            "kind": t.fidelity or "", "words": str(t.words),
        }

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        # Reloaded on returning from a transcript: the cursor stays on the transcript just left.
        current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None
        table.clear()
        key = SORTS[self.sort_index]
        wanted = [self.filter_text.casefold()]
        if (stored := self.as_stored.stored(self.filter_text)) is not None:
            wanted.append(stored.casefold())
        rows = [
            t for t in self.transcripts
            if not wanted[0] or any(written in " ".join([t.name, *t.participants, *t.roles, t.wave or "", t.fidelity or "",
                                                         self._office(t)]).casefold() for written in wanted)
        ]
        rows.sort(key=lambda t: (getattr(t, key) is None, getattr(t, key) or 0), reverse=key in ("codings", "coded_turns", "words"))
        for t in rows:
            cells = self._cells(t)
            # A table reads strings as markup: names and participants are typed by people and may hold "[".
            table.add_row(*(cell(fit(cells[key], width)) for key, _, width in self.columns), key=t.name)
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current))

    async def on_key(self, event: events.Key) -> None:
        """Every key on the table acts as it reaches the screen, in the order typed. As bindings, run once they had
        bubbled up to the app, they came after the keys typed after them had reached the table: Enter, opened here,
        came before the `m` typed ahead of it, and `/ veileder` put `e` (edit) and the rest in the table, not the
        filter. While a transcript or the analysis is being opened, the keys typed are held for it."""
        if self.refused_keys.takes(event):  # typed after an Enter that opened nothing, before that could be seen
            return
        if self.typed_with_slash.takes(event):  # typed with `/`, before the field took the focus
            return
        if self.qualcode.opening is not None:
            self.qualcode.opening.hold(event)
            return
        if self.qualcode.typed_for_the_reader(event):
            return
        if event.time <= self._covered_at:
            self._typed_before_covered(event)
            return
        if not self.query_one(DataTable).has_focus:
            return  # the filter's
        active = self.active_bindings.get(event.key)
        if event.key != "enter" and (active is None or not active.enabled):
            return
        event.stop()
        event.prevent_default()
        if event.key == "slash":
            self.action_filter()
            self.typed_with_slash.opened()
        elif event.key == "enter":  # not the table's binding, which opens by a message, after the keys typed next
            if not self.query_one(DataTable).row_count:
                self.refused_keys.refused("No transcript to open")
            self.action_open()
        elif active is not None:
            await self.app.run_action(active.binding.action, active.node)
            if self.app.screen is not self:  # a screen put on top (the help, the picker of `b`)
                self._covered_at, self._left_above = now(), False

    def _typed_before_covered(self, event: events.Key) -> None:
        """A key typed before the screen on top was put there: given to it, up to the key that leaves it (`? escape s`
        closes the help and sorts, where `escape s` acted here under the help, which stayed); after that, held for this screen."""
        above = self.app.screen
        if self._left_above or above is self:
            self._after_above.hold(event)
            return
        event.stop()
        event.prevent_default()
        self._left_above = event.key in leaving_keys(above)
        hand_over(above, [TypedKey(event.key, event.character, event.time)])

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            name = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if name is not None:
                self.qualcode.open_transcript(name)

    def action_edit(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        name = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        transcript = next((t for t in self.transcripts if t.name == name), None)
        if transcript is not None:
            self._edit(transcript)

    def _edit(self, transcript: TranscriptView) -> None:
        """Edit through the same service as `qualcode transcripts edit`, the transcript found by its
        GUID: another session may have renamed or deleted it while the form was open."""
        from qualcode.tui.modals.transcript_form import TranscriptForm

        self.edit_in_form(transcript.name, lambda typed, problem: TranscriptForm(transcript, typed, problem),
                          lambda workspace, _name, values: workspace.edit_transcript(transcript, values), group="overview-edit")

    def edited(self) -> None:
        self.load()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def action_filter(self) -> None:
        field = self.query_one("#overview-filter", Input)
        field.remove_class("hidden")
        field.focus()

    def action_clear_filter(self) -> None:
        """Escape in the filter left the focus there: a q typed next became part of the filter."""
        field = self.query_one("#overview-filter", Input)
        if field.has_focus or field.value:
            field.value = ""
            field.add_class("hidden")
            self.query_one(DataTable).focus()
            self.typed_with_slash.left()

    @on(Input.Changed, "#overview-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self._fill()
        self.as_stored.typed(event.value)

    def _stored_read(self, typed: str) -> None:
        """The filter as stored is back: filtered by it too, while the filter is still what was typed."""
        if self.filter_text == typed:
            self._fill()

    @on(Input.Submitted, "#overview-filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()
        self.typed_with_slash.left()

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.notify(f"sorted by {SORTS[self.sort_index].replace('_', ' ')}")
        self._fill()

    def action_browse(self) -> None:
        from qualcode.tui.modals.code_picker import CodePicker

        self.app.push_screen(
            CodePicker(self.qualcode.codes, self.qualcode.recent, creates=False),
            lambda path: self.qualcode.browse_code(path) if path else None,
        )

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
