"""QualcodeApp: the terminal coding workbench, a face on one `Workspace`."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette
from textual.events import Event, Key

from qualcode.codebook.service import CodeView
from qualcode.coding.reader import ReaderDocument
from qualcode.errors import QualcodeError
from qualcode.tui.background import WorkDone, in_this_ui, run_in_background
from qualcode.tui.elsewhere import ChangeWatch
from qualcode.tui.modals.commands import ListedPalette, QualcodeCommands
from qualcode.tui.modals.passphrase import PassphraseModal
from qualcode.tui.screens.overview import OverviewScreen
from qualcode.tui.screens.reader import ReaderScreen
from qualcode.tui.screens.review import ReviewScreen
from qualcode.tui.screens.search import SearchScreen
from qualcode.tui.screens.segments import SegmentsScreen
from qualcode.tui.screens.start import StartScreen
from qualcode.tui.typed_ahead import HeldKeys, now
from qualcode.workspace import IdentifierReview, Workspace

if TYPE_CHECKING:
    from textual.screen import Screen

Result = TypeVar("Result")


class QualcodeApp(App[None]):
    CSS_PATH = ["styles/qualcode.tcss", "styles/framework.tcss", "styles/analysis.tcss", "styles/compare.tcss"]
    TITLE = "qualcode"
    COMMANDS = App.COMMANDS | {QualcodeCommands}
    BINDINGS = [
        # The same action as the screens' own quit keys, so the footer shows one Quit, not two.
        Binding("ctrl+q", "app.quit", "Quit", id="app.quit"),
        Binding("ctrl+f", "search", "Search", id="app.search"),
    ]

    def __init__(self, workspace: Workspace, coder_role: str | None = None) -> None:
        """With a coder known (--coder, $QUALCODE_CODER) the UI starts at the overview; without, it asks first.

        What every screen needs (codes, recent codes, the last coder) is read here, before the
        UI runs; after that the database is only used from workers. The app closes the workspace.
        """
        super().__init__()
        self.workspace = workspace
        self.kept_role: str | None = None  # the stored role of a coder who asked for another (--role)
        if workspace.coder_name:
            stored_role = workspace.use_coder(workspace.coder_name, coder_role)
            self.kept_role = stored_role if coder_role not in (None, stored_role) else None
        # Where the project's log ends, read before the codebook: what another session changes
        # after it is looked for while the UI runs, and shown (tui/elsewhere.py).
        self.change_watch = ChangeWatch(self, workspace.log_mark())
        self.codes: list[CodeView] = workspace.codes()
        self.recent: list[str] = workspace.recent_codes()
        self.last_coder = workspace.last_coder() if not workspace.coder_name else None
        # Memos and definitions typed but not saved (refused, or the passphrase not given), by what
        # they were written for: the editor opens with them again, on any screen, until saved.
        self.drafts: dict[str, str] = {}
        self.draft_bases: dict[str, str] = {}  # what a text being rewritten read when the writing began
        self.draft_names: dict[str, str] = {}  # a memo's draft as the researcher knows it: its code and transcript
        self._leaving_drafts = False  # quit asked once with drafts: the next quit leaves without them
        self.opening: HeldKeys | None = None  # while a transcript is read to be opened: the keys typed meanwhile, for it
        self.palette_opened_at = float("-inf")  # when ctrl+p last opened the command palette, on Textual's clock for keys
        self.last_typed_at = float("-inf")  # when the last key read from the terminal was typed
        # The reader open_transcript last showed, and when: the keys typed before that still on their way to the screen
        # it was opened from are its (typed_for_the_reader).
        self._reader_shown: tuple[ReaderScreen, float] | None = None

    async def action_quit(self) -> None:
        """Quit; with text typed and not saved, say so first, and quit on the second asking: drafts
        live only while the UI does."""
        if self.drafts and not self._leaving_drafts:
            self._leaving_drafts = True
            count = len(self.drafts)
            self.notify(
                f"{count} text{'s' if count != 1 else ''} typed and not saved ({', '.join(sorted(map(self._draft_name, self.drafts)))}):"
                " open and save them where they were written (m on a coding, D or R on a code, e in the framework's cell),"
                " or quit again to leave without them",
                title="Not saved", severity="warning", timeout=10, markup=False,
            )
            return
        self.exit()

    def _draft_name(self, draft: str) -> str:
        """A draft as the researcher knows it: the drafts are kept by what they are written for (a coding's
        id, a code's GUID, so a rename elsewhere does not lose them), which says nothing to them."""
        if draft.startswith("summary "):
            participant, _, guid = draft.removeprefix("summary ").rpartition(" × ")
            return f"the summary of {participant} × {self._code_named(guid)}"
        kind, _, guid = draft.partition(":")
        if kind == "definition":
            return f"the definition of {self._code_named(guid)}"
        if kind == "name":
            return f"the new name of {self._code_named(guid)}"
        return self.draft_names.get(draft, f"the {kind}")

    def _code_named(self, guid: str) -> str:
        return next((code.path for code in self.codes if code.guid == guid), "a code no longer in the codebook")

    @property
    def coder_name(self) -> str:
        return self.workspace.coder_name or ""

    @property
    def coder_label(self) -> str:
        """The coder as headers name them, saying "blind" when only their own codings are shown."""
        return self.coder_name + (" (blind: only your codings are shown)" if self.workspace.blind else "")

    def in_background(
        self, work: Callable[[Workspace], Result], then: Callable[[Result], None], *, group: str,
        failed: Callable[[str], None] | None = None,
    ) -> None:
        run_in_background(self, self.workspace, work, then, group=group, failed=failed)

    def on_work_done(self, message: WorkDone) -> None:
        message.apply()

    def codes_changed(self, codes: list[CodeView], recent: list[str]) -> None:
        """The codebook and the coder's recent codes as a worker read them after a change (main thread)."""
        self.codes, self.recent = codes, recent

    def on_mount(self) -> None:
        # What is loaded by now (spaCy, SQLAlchemy, Textual) lives as long as the app; leaving it
        # out of the collector's full passes keeps those passes from freezing the screen
        # (they took 110-155 ms mid-draw in bench_tui.py).
        gc.freeze()
        self.change_watch.start()
        self.workspace.report = self._reported
        if self.last_coder is None:
            self.push_screen(OverviewScreen())
            if self.kept_role is not None:
                self.note_kept_role(self.kept_role)
            return
        self.push_screen(StartScreen(*self.last_coder), self._coder_chosen)

    def _reported(self, said: str) -> None:
        """What the workspace says in a worker (a value found as a placeholder chooses every one stored
        so), as a notification: posted, as it is said on the worker's thread."""
        self.post_message(WorkDone(lambda: self.notify(said, timeout=10, markup=False)))  # quotes what was typed

    def note_kept_role(self, stored_role: str) -> None:
        """Say that the coder codes in their stored role, not the one asked for, and how to change it."""
        self.notify(
            f"{self.coder_name} codes as {stored_role}, the role this project holds for them;"
            " `qualcode coder role` changes it, recorded in the history",
            title="Role", severity="warning", timeout=10, markup=False,
        )

    def _coder_chosen(self, chosen: tuple[str, str] | None) -> None:
        if chosen is None:
            self.exit()
            return
        name, role = chosen

        def use(workspace: Workspace) -> tuple[str, list[CodeView], list[str]]:
            stored_role = workspace.use_coder(name, role)
            return stored_role, workspace.codes(), workspace.recent_codes()  # recent codes are the coder's own

        def start(state: tuple[str, list[CodeView], list[str]]) -> None:
            stored_role, codes, recent = state
            self.codes_changed(codes, recent)
            self.push_screen(OverviewScreen())
            if stored_role != role:  # a coder the project holds under another spelling (a pseudonym)
                self.note_kept_role(stored_role)

        def refused(message: str) -> None:
            # A name the project cannot take ("Kari, Ola", too long): asked again, not left on a blank screen.
            assert self.last_coder is not None
            self.push_screen(StartScreen(name, self.last_coder[1]), self._coder_chosen)
            self.notify(message, title="Who is coding?", severity="error", markup=False)

        self.in_background(use, start, group="coder", failed=refused)

    def open_transcript(self, name: str, offset: int | None = None) -> None:
        """Load the transcript off the UI thread, then show it; the keys typed meanwhile act in it (`on_key`)."""
        held = self.opening = self.opening or HeldKeys()

        def show(document: ReaderDocument) -> None:
            self.opening = None
            reader = ReaderScreen(document, self.codes, offset, typed_ahead=held.take())
            self._reader_shown = (reader, now())
            self.push_screen(reader)

        def refused(message: str) -> None:
            self.opening = None
            dropped = held.dropped()
            self.notify(f"{message}; {dropped}" if dropped else message, severity="error", markup=False)

        self.in_background(lambda workspace: workspace.document(name), show, group="open", failed=refused)

    def typed_for_the_reader(self, event: Key) -> bool:
        """Whether `event`, reaching the screen a transcript was opened from, was typed before the transcript was shown,
        and is the reader's: passed to that screen's table before its Enter opened the transcript, it came after a
        transcript read faster than it, and acted there under the reader (`enter ] v p` listed the participants)."""
        if self._reader_shown is None:
            return False
        reader, shown_at = self._reader_shown
        if event.time > shown_at or reader not in self.screen_stack:
            return False
        reader.typed_before_shown(event)
        return True

    async def on_event(self, event: Event) -> None:
        if isinstance(event, Key) and not event.is_forwarded:  # from the terminal, or given on by a screen as typed
            self.last_typed_at = max(self.last_typed_at, event.time)
            if self.opening is not None:
                # Held as read, for what opens: given on to the screen under it, a key was on its way there through its
                # focused widget when the transcript was shown, and acted on that screen (`ctrl+p c o d` typed as one
                # opened from the overview left "cod" on the overview, in some runs only, under load).
                self.opening.hold(event)
                return
            if isinstance(self.screen, ListedPalette) and self.screen.typed_after_enter(event):
                return
        await super().on_event(event)

    def on_key(self, event: Key) -> None:
        """A key come up to the app to run its binding while a transcript is read to be opened: held for the
        reader (`enter m` on the overview opened the analysis, the transcript over it)."""
        if self.opening is not None:
            self.opening.hold(event)

    def action_review(self) -> None:
        """Review possible identifiers: the key's passphrase from the configuration, or asked for."""
        self.open_review(self.workspace.config.passphrase)

    def _passphrase_given(self, passphrase: str | None) -> None:
        if passphrase:
            self.open_review(passphrase)

    def open_review(self, passphrase: str | None) -> None:
        """Decrypting takes a moment (scrypt), so off the UI thread; the passphrase is asked for
        (None) only once the key is found where it was looked for. The keys typed meanwhile are the review's (`a f d
        escape s` decided nothing: `f` opened the framework on the overview); where it does not open, they are dropped
        and said so: a passphrase is not typed blind."""
        held = self.opening = self.opening or HeldKeys()

        def no_longer_held() -> None:
            if self.opening is held:
                self.opening = None

        def not_opened(why: str) -> None:
            no_longer_held()
            dropped = held.dropped()
            if dropped:
                self.notify(f"{why}, so {dropped}", severity="warning", markup=False)

        def opened(review: IdentifierReview | str | None) -> None:
            if review is None:
                not_opened("The key's passphrase is asked for")
                self.push_screen(PassphraseModal("of this project"), self._passphrase_given)
            elif isinstance(review, str):
                not_opened("The identifiers could not be reviewed")
                self.notify(review, title="Review", severity="error", markup=False)  # it names the key's path
            else:
                no_longer_held()
                self.push_screen(ReviewScreen(review, held.take()))

        def refused(message: str) -> None:
            not_opened("The key's passphrase is asked for")
            self.push_screen(PassphraseModal("of this project", message), self._passphrase_given)

        def open_key(workspace: Workspace) -> IdentifierReview | str | None:
            # A key not where it was looked for (--key given wrong, moved, destroyed, a folder) is
            # said so, as the command line says it; no passphrase is asked for a file that is not there.
            if not workspace.key_place().path.is_file():
                try:
                    workspace.key_access()
                except QualcodeError as error:
                    return in_this_ui(error)
            return None if passphrase is None else workspace.open_review(passphrase)

        self.in_background(open_key, opened, group="key", failed=refused)

    def action_command_palette(self) -> None:
        """Textual's, but for a palette whose Enter waits for the list of what was typed (ListedPalette)."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            # ctrl+p is a priority binding, run as the key reaches the app: the keys typed before it may not have
            # reached their screen yet, which acts on them under the palette (ReaderScreen._act_on_held_keys). When
            # ctrl+p was typed, not when it ran: the keys typed after it in the same burst may be older than this moment.
            self.palette_opened_at = self.last_typed_at if self.last_typed_at > float("-inf") else now()
            self.push_screen(ListedPalette(id="--command-palette"))

    def action_search(self) -> None:
        if isinstance(self.screen, SearchScreen):  # already searching: not a second search screen on top
            return
        self.push_screen(SearchScreen())

    def browse_code(self, code_path: str) -> None:
        self.push_screen(SegmentsScreen(code_path))

    # --- the whole loop: import, export, reviewers' comments, participants ---------------------
    def palette_commands(self, screen: Screen[object]) -> list[tuple[str, str, Callable[[], object]]]:
        """What the command palette offers on every screen: name, what it does, what runs it."""
        commands: list[tuple[str, str, Callable[[], object]]] = [
            ("Import transcripts", "Pick files or a folder, see the dry run, import with progress", self.action_import),
            ("Export a report or quote table", "The current code's passages (and the passages filter) as Word or a table",
             self.action_export),
            ("Reviewers' comments", "Read a commented report back as memos and jump to the quotes", self.action_comments),
            ("Identifiers", "Review possible identifiers (needs the key's passphrase)", self.action_review),
            ("Participants", "List and edit participants: role, office, gender, age band, attributes", self.action_participants),
            ("Framework matrix", "A summary per participant and code, written beside the cell's passages", self.action_framework),
            ("Analysis", "Codes × role, wave, office … and code co-occurrence; Enter lists a cell's passages", self.action_analysis),
            ("Compare coders", "Two coders' codings of this transcript; decide each disagreement by consensus",
             self.action_compare),
            ("Search", "Search the transcripts", self.action_search),
        ]
        if hasattr(screen, "action_help"):
            commands.append(("Help", "Every key of this screen", lambda: screen.run_action("help")))
        commands.append(("Quit", "Leave qualcode", lambda: self.call_later(self.action_quit)))
        return commands

    def action_import(self) -> None:
        from qualcode.tui.screens.import_files import ImportScreen

        self.push_screen(ImportScreen(Path.cwd()))

    def action_export(self) -> None:
        """Export what is being looked at: the passages browser's code (or analysis cell) and filter, or
        the code at the reader's cursor; else the form starts with every code."""
        from textual.widgets import Input

        from qualcode.tui.screens.export import ExportScreen

        code_path, filter_text = "", ""
        if isinstance(self.screen, SegmentsScreen):
            code_path = self.screen.code_path
            filter_text = self.screen.query_one("#segments-filter", Input).value
            if self.screen.codings is not None:  # an analysis cell's passages: exactly those
                self.push_screen(ExportScreen(code_path, filter_text, self.screen.codings, self.screen.heading))
                return
        elif isinstance(self.screen, ReaderScreen):
            reader = self.screen
            under = [c for c in reader.document.codings if c.start <= reader.view.cursor < c.end]
            code_path = under[-1].code_path if under else ""
        self.push_screen(ExportScreen(code_path, filter_text))

    def action_comments(self) -> None:
        from qualcode.tui.screens.review_comments import ReviewCommentsScreen

        self.push_screen(ReviewCommentsScreen(Path.cwd()))

    def action_participants(self) -> None:
        from qualcode.tui.screens.participants import ParticipantsScreen

        self.push_screen(ParticipantsScreen())

    def action_framework(self) -> None:
        from qualcode.tui.screens.framework import FrameworkScreen

        self.push_screen(FrameworkScreen())

    def action_analysis(self) -> None:
        from qualcode.tui.screens.analysis import open_analysis

        open_analysis(self)

    def action_compare(self) -> None:
        """Compare two coders on the transcript being read (or highlighted in the overview), asking which two if more coded it."""
        from qualcode.tui.screens.compare import CoderPairPicker, CompareScreen

        transcript = self.screen.document.transcript if isinstance(self.screen, ReaderScreen) else None
        if isinstance(self.screen, OverviewScreen):
            from textual.widgets import DataTable

            table = self.screen.query_one(DataTable)
            transcript = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None
        if transcript is None:
            self.notify("Open or highlight a transcript first, then compare its coders.", title="Compare")
            return
        chosen = transcript

        def compare(pair: tuple[str, str] | None) -> None:
            if pair is not None:
                self.push_screen(CompareScreen(chosen, *pair))

        def coders_found(coders: list[str]) -> None:
            if len(coders) < 2:
                self.notify(f"{chosen} has {len(coders)} coder{'s' if len(coders) != 1 else ''}: nothing to compare.",
                            title="Compare", markup=False)
            elif len(coders) == 2:
                compare((coders[0], coders[1]))
            else:
                self.push_screen(CoderPairPicker(coders), compare)

        self.in_background(lambda workspace: workspace.coders_of(chosen), coders_found, group="compare",
                           failed=lambda message: self.notify(message, title="Compare", severity="error", markup=False))

    def on_unmount(self) -> None:
        self.workspace.close()
