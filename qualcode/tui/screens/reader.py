"""ReaderScreen: read a transcript and code it by keyboard."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.containers import Horizontal
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Header, Static

from qualcode.codebook.service import CodeView
from qualcode.coding.anchoring import LineMap
from qualcode.coding.coders import CONSENSUS_CODER
from qualcode.coding.reader import ReaderCoding, ReaderDocument
from qualcode.coding.sentences import SpanIndex
from qualcode.coding.service import widen_to_words, within_turns
from qualcode.errors import (
    ChangedSince,
    CodeInUse,
    InvalidInput,
    NotFound,
    PassphraseRefused,
    QualcodeError,
)
from qualcode.text.tokens import WHOLE_WORD
from qualcode.tui.background import in_this_ui
from qualcode.tui.modals.choice import ChoiceModal
from qualcode.tui.modals.code_picker import NEW_CODE, TOP_LEVEL, CodePicker
from qualcode.tui.modals.memo_editor import MemoEditor
from qualcode.tui.modals.passphrase import PassphraseModal
from qualcode.tui.screens.base import CodingScreen, Reread, listed_code
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.typed_ahead import HeldKeys, RefusedKeys, TypedKey, hand_over, leaving_keys
from qualcode.tui.widgets.as_written import as_far_as_shown, as_written, lines_as_written
from qualcode.tui.widgets.footer import KeyFooter
from qualcode.tui.widgets.transcript_view import TranscriptView
from qualcode.workspace import Workspace

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.screen import Screen

    from qualcode.coding.reshape import Reshaped

MOUSE = (
    ("click", "Put the cursor there"),
    ("double click", "Select the sentence"),
    ("triple click", "Select the turn"),
    ("shift+click", "Select from the cursor to there"),
    ("wheel", "Scroll"),
)


def describe_selection(text: str, span: tuple[int, int]) -> str:
    """'Selected 12 words: "Vi får … fylket"', the span's first and last words as written."""
    words = WHOLE_WORD.findall(text, span[0], span[1])
    if not words:  # emoji, punctuation: coded as they are, so shown as they are
        shown = " ".join(text[span[0]:span[1]].split())
        if not shown:
            return "Selected: only spaces, nothing to code"
        return f'Selected "{shown if len(shown) <= 20 else shown[:19] + "…"}" (c+key or p codes it, Escape clears)'
    shown = words[0] if len(words) == 1 else f"{words[0]} … {words[-1]}"
    count = f"{len(words)} word" + ("" if len(words) == 1 else "s")
    return f'Selected {count}: "{shown}" (c+key or p codes it, Escape clears)'


TEXT_CHECK_SECONDS = 2.0
# Said when another command's rewrite left the cursor only near its words (TranscriptView.placed).
MOVED = "the cursor moved: move it, or select (v), to code"
CURSOR_MOVED = f"the text was changed by another command and {MOVED}"
# Said while a text another command rewrote is being mapped to the one shown (ReaderScreen._map_and_show).
REWRITING = "the text was changed by another command; finding its words in the new text (a moment for a long one)"
WAIT_FOR_REWRITE = ("the text was changed by another command and is still being read; nothing is coded or changed"
                    " at the old text: press the key again once it is shown")
# The key that opens again what was typed and not saved, by what it was typed as.
WRITTEN_WITH = {"memo": "m", "definition": "D", "name": "R"}
# The actions whose keys lead the keys typed after them somewhere else: into a dialog (m's memo, p's picker), or
# to the code's key (c). Refused, they open nothing, and the keys typed after them are not the reader's.
LEAD_ON = frozenset({"memo", "pick_code", "recode", "edit_definition", "rename_code", "merge_code", "move_code",
                     "delete_code", "code_by_shortcut"})


@dataclass(frozen=True)
class Saved:
    """What a save in the reader's worker found: the status to show, the document again where its
    text was rewritten, the codings, the codebook and recent codes, and whether the transcript is gone."""

    status: str
    document: ReaderDocument | None
    codings: tuple[ReaderCoding, ...]
    codes: list[CodeView]
    recent: list[str]
    gone: bool = False


class ReaderScreen(CodingScreen):
    """One transcript: turns with line numbers, codings marked, a panel for the codes here."""

    BINDINGS = [
        Binding("down", "rows(1)", "Next line", show=False, id="reader.line-down"),
        Binding("up", "rows(-1)", "Previous line", show=False, id="reader.line-up"),
        Binding("pagedown", "page(1)", "Next page", show=False, id="reader.page-down"),
        Binding("pageup", "page(-1)", "Previous page", show=False, id="reader.page-up"),
        Binding("home", "edge(-1)", "Start of the transcript", show=False, id="reader.start"),
        Binding("end", "edge(1)", "End of the transcript", show=False, id="reader.end"),
        Binding("right_parenthesis", "sentence(1)", "Next sentence", show=False, id="reader.sentence-next"),
        Binding("left_parenthesis", "sentence(-1)", "Previous sentence", show=False, id="reader.sentence-previous"),
        Binding("right_square_bracket", "turn(1)", "Next turn", show=False, id="reader.turn-next"),
        Binding("left_square_bracket", "turn(-1)", "Previous turn", show=False, id="reader.turn-previous"),
        Binding("n", "coded(1)", "Next coded passage", show=False, id="reader.coded-next"),
        Binding("N", "coded(-1)", "Previous coded passage", show=False, id="reader.coded-previous"),
        Binding("u", "uncoded_turn", "Next uncoded turn", show=False, id="reader.uncoded-next"),
        Binding("v", "select_sentence", "Sentence", tooltip="Select the sentence", id="reader.select-sentence"),
        Binding("V", "select_turn", "Select turn", show=False, id="reader.select-turn"),
        Binding("greater_than_sign", "extend_word(1)", "Extend by a word", show=False, id="reader.extend-word"),
        Binding("less_than_sign", "extend_word(-1)", "Shrink by a word", show=False, id="reader.shrink-word"),
        Binding("right_curly_bracket", "extend_sentence(1)", "Extend by a sentence", show=False, id="reader.extend-sentence"),
        Binding("left_curly_bracket", "extend_sentence(-1)", "Shrink by a sentence", show=False, id="reader.shrink-sentence"),
        Binding("c", "code_by_shortcut", "Code", tooltip="Code the selection: press c, then the code's key", id="reader.apply-shortcut"),
        Binding("p", "pick_code", "Pick", tooltip="Pick a code by name, path or signal word", id="reader.apply-code"),
        Binding("x", "remove_coding", "Remove coding here", show=False, id="reader.remove-coding"),
        Binding("r", "recode", "Change code here", show=False, id="reader.recode"),
        Binding("m", "memo", "Memo", tooltip="Write a memo on the coding here", id="reader.memo"),
        Binding("D", "edit_definition", "Edit the definition of the code here", show=False, id="reader.edit-definition"),
        Binding("R", "rename_code", "Rename the code here", show=False, id="reader.rename-code"),
        Binding("J", "merge_code", "Merge (join) the code here into another", show=False,
                tooltip="Merge (join) the code here, or a code picked, into another: its codings, sub-codes and memos go with it",
                id="reader.merge-code"),
        Binding("M", "move_code", "Move the code here", show=False,
                tooltip="Move the code here, or a code picked, under another code (ctrl+t in the picker: to the top level)",
                id="reader.move-code"),
        Binding("X", "delete_code", "Delete the code here", show=False,
                tooltip="Delete the code here, or a code picked; with codings, asks whether to merge them or delete them too",
                id="reader.delete-code"),
        Binding("b", "browse", "Passages of this code", show=False, id="reader.browse"),
        Binding("ctrl+f", "app.search", "Search", show=False, id="reader.search"),
        Binding("ctrl+z", "undo", "Undo", id="reader.undo"),
        Binding("ctrl+y", "redo", "Redo", id="reader.redo"),
        Binding("escape", "clear_or_back", "Clear / back", show=False,
                tooltip="Cancel c, clear the selection or message; else back",
                id="reader.back"),
        Binding("question_mark", "help", "Help", id="reader.help"),
    ]
    # Below 60 columns the side panel (28 of them) gives way to the text, which it left a word a row
    # or none; the margin's bars still show what is coded there.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-wide")]

    def __init__(self, document: ReaderDocument, codes: list[CodeView], offset: int | None = None,
                 typed_ahead: Iterable[TypedKey] = ()) -> None:
        """`typed_ahead`: keys typed while the transcript was read to be opened, acted on here once it is shown."""
        super().__init__()
        self.document = document
        self.codes = codes
        self.start_offset = offset
        self.awaiting_shortcut = False
        self.status_text = ""
        self.status_shows_selection = False
        self.removed = ""  # what the status line says once another command has deleted the transcript
        self.reshaping = ""  # the merge, move or deletion being saved ("deleting X"), which J, M and X wait for
        # Changes saved from here, begun and not yet shown: codings another session's change led to
        # reading are shown only when none was begun since they were read (tui/elsewhere.py).
        self._changes_begun = self._changes_pending = 0
        self._words_of: str | None = None  # the text whose word ends `_ends` holds
        self._ends: list[int] = []
        # The index `_containing` bisects, of sentences and of turns, with the document's tuple it was made of.
        self._indexes: dict[Literal["sentence", "turn"], tuple[tuple[object, ...], SpanIndex]] = {}
        # A text another command rewrote, waiting for the map of its lines to the shown one (built off the UI
        # thread, a second or more for a long transcript), and what waits to run once it is shown.
        self.rewriting: ReaderDocument | None = None
        self._after_rewrite: list[Callable[[], None]] = []
        # Keys typed while a change is saved, the codebook read for `c`, or the sentences found: each acts once
        # those before it have, on what they left (tui/typed_ahead.py).
        self.held_keys = HeldKeys(typed_ahead)
        self._finding_sentences = True  # from the first draw, as on_mount starts it: `v` needs them
        self._dialog_closing = False  # keys given to a dialog on top up to one that closes it: the rest wait for this screen
        self._closing_given: tuple[TypedKey, str] | None = None  # that key, given, and what it was given to ("The dialog")
        self._palette_leaving = False  # that dialog is the command palette, whose command runs after it has left
        # Keys typed before a refusal (of a change, of m, of c's key) could show, which reach this screen after it: not
        # acted on, but dropped and counted in one notice, with why (`_typed_before_refused`).
        self.refused_keys = RefusedKeys(self)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield TranscriptView(self.document, id="transcript")
            yield Static("", id="side-panel")
        yield Static("", id="status")
        yield KeyFooter(compact=True)  # so the keys that matter, and the palette, fit in 80 columns

    def on_mount(self) -> None:
        self.title = self.document.transcript
        self.sub_title = " · ".join(filter(None, [self.document.title, "blind" if self.qualcode.workspace.blind else ""]))
        view = self.view
        view.focus()
        start = self.document.turns[0].start if self.document.turns else 0
        view.move_to(self.start_offset if self.start_offset is not None else start)
        self.find_sentences()
        # Another command may delete the transcript (a participant withdrawn) or rewrite its text (a
        # name added to the key, a withdrawal redacting a group interview's turns): the words it took
        # leave the screen within seconds, not at the next save (a query by name, a few milliseconds).
        self.set_interval(TEXT_CHECK_SECONDS, self.check_still_there)

    def check_still_there(self) -> None:
        """Whether the transcript is still there as shown: deleted, its text leaves the screen;
        rewritten, it is shown as it is now, the cursor and selection on their words where they are found."""
        transcript, shown = self.document.transcript, self.document.version_id
        if self.removed:
            return

        def look(workspace: Workspace) -> ReaderDocument | bool:
            try:
                if workspace.text_version(transcript) == shown:
                    return True
                return workspace.document(transcript)
            except NotFound:
                return False

        def looked(found: ReaderDocument | bool) -> None:
            if found is False:
                self._transcript_removed()
            elif (isinstance(found, ReaderDocument) and found.version_id != self.document.version_id and not self.removed
                  and (self.rewriting is None or self.rewriting.version_id != found.version_id)):  # not one being mapped
                self._shown_again(found, then=lambda: self.status(
                    f"the text was changed by another command, and is shown as it is now; {self._place_said()}"))

        self.in_background(look, looked, group="presence",
                           failed=lambda _message: None)  # a check that fails says nothing: the next one asks again

    def _transcript_removed(self, said: str = "") -> None:
        """Another command deleted the transcript (a participant withdrawn): its words, codings and
        panel leave the screen, and the status line says why; Escape goes back."""
        if not self.removed:
            empty = replace(self.document, text="", turns=(), sentences=(), codings=())
            self.document = empty
            self.view.document = empty
            self.view.pending = None
            self.rewriting, self._after_rewrite = None, []
            self.query_one("#side-panel", Static).update("")
            self.removed = (f"{self.document.transcript} was removed by another command (a participant withdrawn?); "
                            "Escape goes back")
        self.status(f"{said}; {self.removed}" if said else self.removed)

    def ready_to_code(self) -> bool:
        if self.removed:
            self.status(self.removed)
        elif self.rewriting is not None:
            self.status(WAIT_FOR_REWRITE)
        return not self.removed and self.rewriting is None

    def find_sentences(self) -> None:
        """Sentences after the first draw: spaCy takes a moment on a long transcript."""
        document = self.document
        self._finding_sentences = True

        def failed(_message: str) -> None:
            self._sentences_done()
            self.check_still_there()

        self.in_background(lambda workspace: workspace.sentences(document), self._sentences_found, group="sentences",
                           failed=failed)

    def _sentences_done(self) -> None:
        self._finding_sentences = False
        self.call_later(self._act_on_held_keys)

    def _sentences_found(self, sentences: tuple[tuple[int, int], ...]) -> None:
        self._sentences_done()
        if self.removed:
            return
        self.document = replace(self.document, sentences=sentences)
        self.view.document = self.document
        self._show_pending()

    @property
    def view(self) -> TranscriptView:
        return self.query_one("#transcript", TranscriptView)

    def status(self, message: str, *, selection: bool = False) -> None:
        self.status_text, self.status_shows_selection = message, selection
        self.query_one("#status", Static).update(Text(message))  # may quote code paths and typed text

    # --- keys, in the order typed -------------------------------------------------------------
    async def on_key(self, event: Key) -> None:
        """Every key acts here, in the order typed, on what the keys before it left. Textual runs a binding once
        its key has bubbled up to the app, after the keys typed with it have reached this screen; and a change is
        saved in a worker, after them too: `v c h ctrl+z` undid nothing, the coding not yet saved. So the keys are
        held while a change is saved (or the codebook read for `c`, or the sentences found) and act once it is shown."""
        if self.refused_keys.takes(event):  # typed before the refusal could be seen: meant for what did not come
            return
        self.held_keys.hold(event)
        await self._act_on_held_keys()

    def typed_before_shown(self, event: Key) -> None:
        """`event`, typed before this screen was shown and reaching the screen it was opened from only after: this
        screen's, among the keys held here as typed (QualcodeApp.typed_for_the_reader)."""
        if self.refused_keys.takes(event):
            return
        self.held_keys.hold(event)
        self.call_later(self._act_on_held_keys)

    def _typed_before_refused(self, why: str) -> None:
        """A change refused, or a key that leads on (m, c) that led nowhere: the keys typed after it, held or yet to
        reach this screen, were typed for what did not come (`m ok, cf` on no coding coded the passage with f); they
        are dropped, and said so with `why`."""
        self.refused_keys.refused(why, self.held_keys.take())

    def _busy(self) -> bool:
        """Whether what a key acts on is still being changed: a change saved, the codebook read for `c`, the sentences found."""
        return bool(self._changes_pending) or (self.awaiting_shortcut and not self._codebook_read) or self._finding_sentences

    async def _act_on_held_keys(self) -> None:
        """The keys held, one by one, until one starts a change (the rest wait for it) or puts a screen on top (the
        rest are its: `m rask` types the memo)."""
        while len(self.held_keys) and not self._busy():
            if self.qualcode.opening is not None:
                # Something opens, led to by a key typed before these (the palette's Analysis): they are its, and its
                # screen gives those after its leaving key back here (`ctrl+p analysis enter down escape ] v` typed as the
                # transcript opened acted here while the analysis counted, and Escape left the reader).
                self.qualcode.opening.keep(self.held_keys.take())
                return
            if self.app.screen is not self and not self._typed_before_the_palette():
                if not self._dialog_closing:
                    self._hand_over(self.app.screen)
                return
            await self._act(self.held_keys.next())

    def _typed_before_the_palette(self) -> bool:
        """Whether the next key held was typed before the command palette on top was opened: ctrl+p opens it as the
        key reaches the app, before the keys typed ahead of it have reached this screen, which are this screen's
        (`v c h ctrl+p` gave "vch" to the palette, and coded nothing)."""
        return isinstance(self.app.screen, CommandPalette) and self.held_keys.first().time < self.qualcode.palette_opened_at

    def _hand_over(self, screen: Screen[object]) -> None:
        """The keys held, to `screen` on top of this one, only up to one that closes it (Enter or Escape on a dialog,
        Escape on the search): those after it are this screen's once it is shown again (`m rask enter ] v` moves on
        after the memo, where all of them given to the memo's field saved "rask]v", the field taking them before
        Enter's binding ran; `ctrl+f fylket enter escape ] v` typed `] v` into the search field)."""
        closing = leaving_keys(screen)
        given: list[TypedKey] = []
        while len(self.held_keys) and not self._dialog_closing:
            given.append(self.held_keys.next())
            self._dialog_closing = given[-1].key in closing
        self._closing_given = (given[-1], "The dialog" if isinstance(screen, ModalScreen) else "The screen") if self._dialog_closing else None
        self._palette_leaving = self._dialog_closing and isinstance(screen, CommandPalette)
        hand_over(screen, given)

    def on_screen_resume(self) -> None:
        self._dialog_closing, closing, self._closing_given = False, self._closing_given, None
        if closing is not None and len(self.held_keys) and self.qualcode.last_typed_at > self.held_keys.last().time:
            # Closed by a key typed after those held: the one given to close it left it open (Enter in a picker that
            # matched nothing), and the keys typed to follow it would act on what nobody saw.
            (key, what) = closing
            self.notify(f"{what} stayed open after {key.key}, so {self.held_keys.dropped()}", severity="warning", markup=False)
        # Later, not now: what the dialog's answer starts (a memo saved) is started after this, and waited for.
        if self._palette_leaving:
            # The palette's command is queued on the app as the palette leaves: after it, so that what it opens (the
            # analysis, counting) takes the keys typed for it, which acted here first and left the reader (Escape).
            self._palette_leaving = False
            self.app.call_later(self.call_later, self._act_on_held_keys)
            return
        self.call_later(self._act_on_held_keys)

    async def _act(self, typed: TypedKey) -> None:
        """What `typed` does here: the code's key after `c`, or its binding (this screen's, or the app's)."""
        if self.awaiting_shortcut and typed.key != "escape":
            self.awaiting_shortcut = False
            self._code_by_key(typed.character)
            self._unless_led_on()
            return
        active = self.active_bindings.get(typed.key)
        if active is not None and active.enabled:
            await self.app.run_action(active.binding.action, active.node)
            if active.binding.action == "command_palette":
                # Opened by a key held here (typed as the transcript opened): the keys typed after it are the palette's.
                self.qualcode.palette_opened_at = typed.time
            if active.binding.action in LEAD_ON:
                self._unless_led_on()

    def _unless_led_on(self) -> None:
        """After a key that leads on (m to a memo, c to the code's key, c's key to a coding saved): where it led
        nowhere (no coding at the cursor, no code with that key), the keys typed after it are not the reader's."""
        if self.app.screen is self and not self._busy() and not self.awaiting_shortcut:
            self._typed_before_refused(self.status_text)

    def _codes_read(self, state: tuple[list[CodeView], list[str]] | None) -> None:
        super()._codes_read(state)
        self.call_later(self._act_on_held_keys)

    # --- movement -----------------------------------------------------------------------
    def action_rows(self, delta: int) -> None:
        self.view.move_rows(delta)

    def action_page(self, delta: int) -> None:
        self.view.move_rows(delta * max(1, self.view.size.height - 1))

    def action_edge(self, delta: int) -> None:
        """To the first turn's start, or to the last turn's."""
        if self.view.rows:
            self.view.move_to(self.view.rows[0 if delta < 0 else -1].start)

    def _jump(self, starts: list[int], delta: int) -> None:
        cursor = self.view.cursor
        if delta > 0:
            index = bisect_right(starts, cursor)
            target = starts[index] if index < len(starts) else None
        else:
            index = bisect_right(starts, cursor - 1) - 1
            target = starts[index] if index >= 0 else None
        if target is not None:
            self.view.move_to(target)

    def action_sentence(self, delta: int) -> None:
        self._jump([start for start, _ in self.document.sentences], delta)

    def action_turn(self, delta: int) -> None:
        self._jump([turn.start for turn in self.document.turns], delta)

    def action_coded(self, delta: int) -> None:
        self._jump(sorted({coding.start for coding in self.document.codings}), delta)

    def action_uncoded_turn(self) -> None:
        for turn in self.document.turns:
            if turn.start > self.view.cursor and not any(c.start < turn.end and c.end > turn.start for c in self.document.codings):
                self.view.move_to(turn.start)
                return
        self.status("No uncoded turn after the cursor")

    # --- selection ----------------------------------------------------------------------
    def _containing(self, kind: Literal["sentence", "turn"]) -> tuple[int, int] | None:
        """The sentence or turn (`kind`) at the cursor, by an index made once per document's sentences or turns."""
        spans = self.document.sentences if kind == "sentence" else self.document.turns
        made_of, index = self._indexes.get(kind, ((), None))
        if index is None or made_of is not spans:
            index = SpanIndex(self.document.sentences if kind == "sentence" else ((t.start, t.end) for t in self.document.turns))
            self._indexes[kind] = (spans, index)
        return index.at(self.view.cursor)

    def action_select_sentence(self) -> None:
        if not self.document.sentences:  # the worker started on mount has not finished yet
            self.status("Still finding the sentences; try again in a moment, or select the turn (V)")
            return
        span = self._containing("sentence")
        self.view.select(span)

    def action_select_turn(self) -> None:
        self.view.select(self._containing("turn"))

    def _word_ends(self) -> list[int]:
        """Where each word of the text ends, found once per text: `>` and `<` bisect it on every press."""
        text = self.document.text
        if self._words_of is not text:
            self._words_of, self._ends = text, [match.end() for match in WHOLE_WORD.finditer(text)]
        return self._ends

    def action_extend_word(self, delta: int) -> None:
        selection = self.view.selection or (self.view.cursor, self.view.cursor)
        ends = self._word_ends()
        if delta > 0:
            index = bisect_right(ends, selection[1])
            end = ends[index] if index < len(ends) else selection[1]
        else:
            index = bisect_right(ends, selection[1] - 1) - 1
            end = ends[index] if index >= 0 and ends[index] > selection[0] else selection[1]
        self.view.select((selection[0], end))

    def action_extend_sentence(self, delta: int) -> None:
        selection = self.view.selection or self._containing("sentence")
        if selection is None:
            return
        ends = [end for _, end in self.document.sentences]
        if delta > 0:
            index = bisect_right(ends, selection[1])
            end = ends[index] if index < len(ends) else selection[1]
        else:
            index = bisect_right(ends, selection[1] - 1) - 1
            end = ends[index] if index >= 0 and ends[index] > selection[0] else selection[1]
        self.view.select((selection[0], end))

    def action_clear_or_back(self) -> None:
        """Escape undoes what is active, one thing at a time, and leaves only when nothing is:
        after coding, the first Escape clears the message rather than closing the transcript."""
        if self.removed:
            self.dismiss()
        elif self.awaiting_shortcut:
            self.awaiting_shortcut = False
            self.status("")
        elif self.view.selection is not None:
            self.view.select(None)
            if self.status_shows_selection:
                # Now, not as the selection's message is handled: an Escape typed with this one would clear the
                # status line that message clears, and the reader stayed where two Escapes leave it.
                self.status("")
        elif self.status_text:
            self.status("")
        else:
            self.dismiss()

    @on(TranscriptView.SelectionChanged)
    def _selection_changed(self, message: TranscriptView.SelectionChanged) -> None:
        """The selection's first and last words in the status line, so what will be coded is never in doubt."""
        if message.selection is not None:
            self.status(describe_selection(self.document.text, message.selection), selection=True)
        elif self.status_shows_selection:
            self.status("")
        self._show_pending()

    # --- coding ---------------------------------------------------------------------------
    def _place_said(self) -> str:
        """What became of the cursor and selection in a text another command rewrote."""
        if not self.view.placed:
            return MOVED
        return "the selection and cursor are on their words" if self.view.selection else "the cursor is on its words"

    def _chosen(self) -> bool:
        """Whether a selection, or the cursor, is what the researcher chose (TranscriptView.placed); else said so."""
        if self.rewriting is not None:  # the offsets would be the old text's
            self.status(WAIT_FOR_REWRITE)
            return False
        if self.view.selection is None and not self.view.placed:
            self.status(CURSOR_MOVED)
            return False
        return True

    def _target(self) -> tuple[int, int] | None:
        """The span to code: the selection or the sentence at the cursor, widened to whole words at both ends."""
        if not self._chosen():
            return None
        target = self._would_code()
        if isinstance(target, str):
            self.status(target)
            return None
        return target

    def _would_code(self) -> tuple[int, int] | str:
        """What c would code now (the selection or the sentence at the cursor, widened to whole words and
        off speaker labels), or why nothing: one reckoning for the coding and for the sentence shown pending."""
        selection = self.view.selection or self._containing("sentence")
        if selection is None:
            return "Select a sentence (v) or a turn (V) first"
        start, end = widen_to_words(self.document.text, *selection)
        # Off the speaker labels a drag so easily begins or ends on, which a coding may not hold.
        turns = [(turn.start, turn.end) for turn in self.document.turns]
        start, end = within_turns(self.document.text, turns, start, end)
        text = self.document.text
        heading_end = text.rfind("\n", 0, turns[0][0]) + 1 if turns else 0  # the lines before the first speaker
        in_heading = start < heading_end and bool(text[start:min(end, heading_end)].strip())
        if turns and not in_heading and not any(turn_start < end and turn_end > start for turn_start, turn_end in turns):
            # Nothing of a turn's text is left: said in words, not as the offsets the service refuses.
            return "The selection holds only a speaker label (or the space between turns): select words a speaker said"
        return start, end

    def _show_pending(self) -> None:
        """Mark in the view what c would code with no selection made (the sentence at the cursor), so it
        is seen before the code's key is pressed; nothing where c would code nothing at the cursor."""
        view = self.view
        if view.selection is not None or not view.placed or self.removed or self.rewriting is not None:
            view.pending = None
            return
        target = self._would_code()
        view.pending = None if isinstance(target, str) else target

    def shortcut_codes(self) -> list[CodeView]:
        return self.codes

    def codebook_changed(self, codes: list[CodeView]) -> None:
        self.codes = codes
        self._update_panel()

    def code_with(self, code_path: str) -> None:
        self._apply(code_path)

    def action_pick_code(self) -> None:
        if not self.ready_to_code() or not self._chosen():  # said before a code is picked for nothing
            return
        self.app.push_screen(CodePicker(self.codes, self.qualcode.recent), self._picked)

    def _picked(self, path: str | None) -> None:
        if path and path.startswith(NEW_CODE):
            new_path = path.removeprefix(NEW_CODE)
            target = self._target()
            if target is not None:
                def create_and_apply(workspace: Workspace) -> str:
                    created = workspace.create_code(new_path)
                    return workspace.add_coding(self.document.transcript, created, target, self.document.version_id)
                # The selection stays until the code is made and applied: a refused name is typed again on it.
                self._run(create_and_apply, f"new code {new_path}", offsets=True, clears=self.view.selection)
        elif path:
            self._apply(path)

    def _apply(self, code_path: str) -> None:
        target = self._target()
        if target is not None:
            version, code = self.document.version_id, listed_code(self.codes, code_path)
            self._run(lambda workspace: workspace.add_coding(self.document.transcript, code, target, version), "coded",
                      offsets=True, clears=self.view.selection)

    def _coding_here(self) -> ReaderCoding | None:
        if self.removed:
            self.status(self.removed)
            return None
        if self.rewriting is not None:
            self.status(WAIT_FOR_REWRITE)
            return None
        if not self.view.placed:  # the coding at a cursor moved near its words may be another passage's
            self.status(CURSOR_MOVED)
            return None
        cursor = self.view.cursor
        here = [c for c in self.document.codings if c.start <= cursor < c.end]
        if not here:
            self.status("No coding at the cursor")
        # Only a coding's own coder may change it: where others coded the same place, take one's own.
        mine = [c for c in here if c.coder == self.qualcode.workspace.coder_name]
        return (mine or here)[-1] if here else None

    def _own_coding_here(self) -> ReaderCoding | None:
        """The coding at the cursor that this coder may change (their own, or the team's decision);
        another's is said so here, with the way to code the passage oneself, before anything is typed."""
        coding = self._coding_here()
        if coding is None or coding.coder in (self.qualcode.workspace.coder_name, CONSENSUS_CODER):
            return coding
        self.status(f"The {coding.code_path} coding here is {coding.coder}'s, and only they change it: select the passage"
                    " (v, V) and code it yourself (c or p); a memo of your own goes on your coding")
        return None

    def action_remove_coding(self) -> None:
        coding = self._own_coding_here()
        if coding is not None:
            def remove(workspace: Workspace) -> None:
                workspace.remove_coding(coding.id)
            self._run(remove, f"removed {coding.code_path} — ctrl+z to undo")

    def action_recode(self) -> None:
        coding = self._own_coding_here()
        if coding is not None:
            def chosen(path: str | None) -> None:
                if path:
                    code = listed_code(self.codes, path)
                    self._run(lambda workspace: f"now {workspace.recode(coding.id, code)}", "recoded")
            self.app.push_screen(CodePicker(self.codes, self.qualcode.recent), chosen)

    def action_memo(self) -> None:
        coding = self._own_coding_here()
        if coding is not None:
            transcript = self.document.transcript
            self.qualcode.draft_names[f"memo:{coding.id}"] = f"the memo on {coding.code_path} in {transcript}"
            self._write(f"memo:{coding.id}", f"Memo on {coding.code_path}", coding.memo or "",
                        lambda workspace, text: workspace.set_memo(coding.id, text, transcript), "memo saved")

    def action_browse(self) -> None:
        """Every passage coded with the code under the cursor, or with a code picked now."""
        coding = next((c for c in self.document.codings if c.start <= self.view.cursor < c.end), None)
        if coding is not None:
            self.qualcode.browse_code(coding.code_path)
        else:
            self.app.push_screen(
                CodePicker(self.codes, self.qualcode.recent, creates=False),
                lambda path: self.qualcode.browse_code(path) if path else None,
            )

    def _code_here(self) -> CodeView | None:
        """The code of the coding at the cursor, as this screen read the codebook. One no longer in it (merged,
        renamed or deleted by another command since the codings were read) is said so, and the codings read again."""
        coding = self._coding_here()
        if coding is None:
            return None
        code = next((c for c in self.codes if c.path == coding.code_path), None)
        if code is None:
            self.status(f"{coding.code_path}, the code of the coding here, is no longer in the codebook (merged, renamed or"
                        " deleted by another command); the codings are shown again as they are now")
            self._read_again()
        return code

    def action_edit_definition(self) -> None:
        code = self._code_here()
        if code is not None:
            draft = f"definition:{code.guid}"  # by GUID: still this code's once it is renamed or moved
            # What the writing began from, kept with a draft: saved over only as read, or once the
            # writer has been shown the version someone else saved meanwhile (ChangedSince).
            base = self.qualcode.draft_bases.setdefault(draft, code.definition or "")

            def refused(error: QualcodeError) -> None:
                if isinstance(error, ChangedSince):
                    self.qualcode.draft_bases[draft] = error.now  # shown now: the next save is meant

            self._write(draft, f"Definition of {code.path}", code.definition or "",
                        # By the code's GUID: another process may have moved or renamed it since this screen read it.
                        lambda workspace, text: workspace.update_definition(code.guid, text, self.qualcode.draft_bases.get(draft, base)),
                        "definition saved", empty_saves=False, on_refused=refused,
                        on_saved=lambda: self.qualcode.draft_bases.pop(draft, None))

    def action_rename_code(self) -> None:
        """A new name for the code here, its sub-codes and codings with it; the status line says what
        the CLI says (the new name looks as the old one did, it is another code's key)."""
        code = self._code_here()
        if code is not None:
            def rename(workspace: Workspace, name: str) -> str:
                # Enter on the name as shown: nothing is meant, and a rename made elsewhere since is not taken back.
                if name == code.name:
                    return f"name not changed: {code.path} keeps it"
                # By the code's GUID: another process may have moved or renamed it since this screen read it.
                renamed = workspace.rename_code(code, name)
                return "; ".join([renamed.summary, *(f"note: {said}" for said in renamed.notes)])

            self._write(f"name:{code.guid}", f"Name of {code.path}", code.name, rename, "")

    # --- reshaping the codebook: merge, move, delete, as `qualcode codebook merge|move|delete` ---------
    def _code_or_picked(self, doing: str, then: Callable[[CodeView], None]) -> None:
        """The code of the coding at the cursor, as R and D take it; with none there, a code picked
        (an empty code has no coding to stand on)."""
        if self.removed:
            self.status(self.removed)
            return
        if self.reshaping:  # a key pressed twice, or X then J: the first one's question, or change, is on its way
            self.status(f"still {self.reshaping}: press the key again once that is done")
            return
        if any(c.start <= self.view.cursor < c.end for c in self.document.codings):
            code = self._code_here()
            if code is not None:
                then(code)
            return
        self._pick(f"No coding at the cursor: {doing} which code?", lambda code: then(code) if isinstance(code, CodeView) else None,
                   cancelled=f"nothing to {doing}: no code picked")

    def _pick(self, prompt: str, then: Callable[[CodeView | None], None], *, top: bool = False, cancelled: str = "",
              leaving_out: CodeView | None = None) -> None:
        """A code picked (by the picker's fuzzy match) for `prompt`, as the codebook was read as the picker
        opened; with `top`, ctrl+t picks the top level (None). Escape says `cancelled`. `leaving_out` a code,
        the picker lists neither it nor its sub-codes (what is merged or moved cannot go into itself)."""
        def chosen(path: str | None) -> None:
            if path == TOP_LEVEL:
                then(None)
            elif path:
                code = next((code for code in self.qualcode.codes if code.path == path), None)  # the picker read them again
                if code is not None:
                    then(code)
            elif cancelled:
                self.status(cancelled)

        left_out = frozenset(code.guid for code in self.codes if leaving_out is not None
                             and (code.guid == leaving_out.guid or code.path.startswith(leaving_out.path + "/")))
        self.app.push_screen(CodePicker(self.codes, self.qualcode.recent, creates=False, top=top, prompt=prompt,
                                        leaving_out=left_out), chosen)

    def _reshape(self, doing: str, change: Callable[[Workspace], str], *, failed: Callable[[str], None] | None = None,
                 asks: Callable[[], bool] | None = None) -> None:
        """Save a merge, move or deletion (`doing` it, as the status line says while it runs); J, M and X wait for it."""
        self.reshaping = doing

        def ended() -> None:
            self.reshaping = ""

        self.status(f"{doing} …")
        self._run(change, "", ended=ended, failed=failed, asks=asks)

    @staticmethod
    def _reshaped(reshaped: Reshaped) -> str:
        """What the status line says of a merge or deletion: what the command line says, how to take it back (before
        the notes, which a status line of 80 columns may cut), and the notes in this UI's terms."""
        notes = reshaped.notes if reshaped.notes_in_ui is None else reshaped.notes_in_ui
        return "; ".join([f"{reshaped.summary} — ctrl+z to undo", *(f"note: {said}" for said in notes)])

    def _not_for_a_blind_coder(self, doing: str) -> bool:
        """Whether `doing` is refused for a blind coder, said now, before a code is picked for nothing."""
        try:
            self.qualcode.workspace.refuse_if_blind(doing)
        except InvalidInput as error:
            self.status(f"error: {in_this_ui(error)}")
            return True
        return False

    def action_merge_code(self) -> None:
        """Merge a code into another picked, as `qualcode codebook merge` does (one change; undo takes it back)."""
        if self._not_for_a_blind_coder("merging codes"):
            return

        def merge(source: CodeView) -> None:
            def into(target: CodeView | None) -> None:
                if target is not None:
                    self._reshape(f"merging {source.path} into {target.path}",
                                  lambda workspace: self._reshaped(workspace.merge_codes(source, target)))

            self._pick(f"Merge {source.path} into which code?", into, cancelled=f"nothing merged: {source.path} is as it was",
                       leaving_out=source)

        self._code_or_picked("merge", merge)

    def action_move_code(self) -> None:
        """Move a code under another picked, or to the top level, as `qualcode codebook move` does."""
        def move(code: CodeView) -> None:
            def under(parent: CodeView | None) -> None:
                self._reshape(f"moving {code.path}", lambda workspace: f"{workspace.move_code(code, parent)} — ctrl+z to undo")

            self._pick(f"Move {code.path} under which code? (ctrl+t: to the top level)", under, top=True,
                       cancelled=f"nothing moved: {code.path} is where it was", leaving_out=code)

        self._code_or_picked("move", move)

    def action_delete_code(self) -> None:
        """Delete a code as `qualcode codebook delete` does; one with codings asks first whether to merge
        them into another code, or delete them with it (undo brings them back), or neither."""
        def delete(code: CodeView) -> None:
            in_use: list[CodeInUse] = []

            def plain(workspace: Workspace) -> str:
                try:
                    return self._reshaped(workspace.delete_code(code))
                except CodeInUse as error:  # read on the main thread once the worker has ended
                    in_use.append(error)
                    raise

            self._reshape(f"deleting {code.path}", plain,
                          failed=lambda _message: self._ask_about_codings(code, in_use[0].codings) if in_use else None,
                          asks=lambda: bool(in_use))

        self._code_or_picked("delete", delete)

    def _ask_about_codings(self, code: CodeView, count: int) -> None:
        """Whether a code's `count` codings go into another code or with it, or the code stays."""
        codings = f"{count} coding{'s' if count != 1 else ''}"
        self.status(f"{code.path} has {codings}: merge them into another code, delete them with it, or keep it")

        kept = f"nothing deleted: {code.path} keeps its {codings}"

        def into(target: CodeView | None) -> None:
            if target is not None:
                self._reshape(f"merging {code.path} into {target.path}",
                              lambda workspace: self._reshaped(workspace.delete_code(code, into=target)))

        def confirmed(answer: str | None) -> None:
            if answer == "delete":
                self._reshape(f"deleting {code.path}", lambda workspace: self._reshaped(workspace.delete_code(code, with_codings=True)))
            else:
                self.status(kept)

        def answered(answer: str | None) -> None:
            if answer == "into":
                self._pick(f"Merge {code.path} and its {codings} into which code?", into, cancelled=kept, leaving_out=code)
            elif answer == "with":
                self.app.push_screen(ChoiceModal(
                    f"Delete {code.path} and its {codings}? They are kept in the history: ctrl+z (undo) brings them back.",
                    [("keep", "No, keep the code"), ("delete", f"Delete the code and its {codings}")]), confirmed)
            else:
                self.status(kept)

        # The answers do not name the code again: a long path, said four times, pushed them off a screen of 24 rows.
        self.app.push_screen(ChoiceModal(f"{code.path} has {codings}. What becomes of them?", [
            ("into", "Merge them into another code (picked next), and the code with them"),
            ("with", "Delete them with the code (asked again; ctrl+z brings them back)"),
            ("cancel", f"Cancel: keep the code and its {codings}"),
        ]), answered)

    def _write(self, draft: str, title: str, text: str, save: Callable[[Workspace, str], str | None], done: str, *,
               problem: str = "", empty_saves: bool = True, on_refused: Callable[[QualcodeError], None] | None = None,
               on_saved: Callable[[], object] | None = None) -> None:
        """Ask for a text (a memo, a definition, a code's name) and save it, never losing what was
        typed: refused, the editor opens again with it and says why; wanting the key's passphrase, it
        asks for that and tries again; dismissed with the text changed, or after a refusal, it opens
        again next time (`draft` names it), until it is saved. The status line says `done`, and what
        `save` returned after it (or only that, with no `done`)."""
        drafts = self.qualcode.drafts
        what = title.split(" ", 1)[0].lower()  # "memo", "definition", "name"

        def written(typed: str | None) -> None:
            if typed is None:
                if self.removed:  # nothing here can open it again, and it may quote a participant who withdrew
                    drafts.pop(draft, None)
                    self.status(f"{what} not saved: {self.removed}")
                elif draft in drafts:
                    self.status(f"{what} not saved; what you typed is kept, and {WRITTEN_WITH[what]} opens it again")
                return
            if not typed and not empty_saves:
                # Said, not left to the status line's last "definition saved".
                self.status(f"{what} not changed: an empty one is not saved, and it stays as it was")
                return
            drafts[draft] = typed
            refusals: list[QualcodeError] = []

            def change(workspace: Workspace) -> str | None:
                try:
                    return save(workspace, typed)
                except QualcodeError as error:  # read on the main thread once the worker has ended
                    refusals.append(error)
                    raise

            def saved() -> None:
                drafts.pop(draft, None)
                if on_saved is not None:
                    on_saved()

            def refused(message: str) -> None:
                error = refusals[0] if refusals else None
                if error is not None and on_refused is not None:
                    on_refused(error)
                if isinstance(error, PassphraseRefused):
                    self.status(f"{what} not saved yet: the key's passphrase is needed")
                    self._ask_passphrase(error.message, lambda: written(typed), what)
                    return
                reason = in_this_ui(error) if error is not None else message.removeprefix("error: ")
                self.status(f"{what} not saved: {reason}")
                self._write(draft, title, typed, save, done, problem=reason, empty_saves=empty_saves,
                            on_refused=on_refused, on_saved=on_saved)

            self._run(change, done, failed=refused, succeeded=saved, typed=True)

        if draft in drafts and not problem:
            problem = f"Not saved yet: what you typed before is kept here; Enter saves it as the {what}"
        self.app.push_screen(MemoEditor(title, drafts.get(draft, text), problem, keep=lambda typed: drafts.__setitem__(draft, typed),
                                        placeholder=f"{what.capitalize()} (Enter saves, Escape cancels)"),
                             written)

    def _ask_passphrase(self, problem: str, then: Callable[[], None], what: str) -> None:
        """The key's passphrase, asked for as the identifier review asks, then `then()` (a save tried again)."""
        def given(passphrase: str | None) -> None:
            workspace = self.qualcode.workspace
            if passphrase:
                workspace.remember_passphrase(passphrase)
                then()
            else:
                # A wrong one typed before is not kept: what else needs the key asks again, as here.
                workspace.remember_passphrase(workspace.config.passphrase or "")
                self.status(f"{what} not saved; what you typed is kept, and opens again with the same key")

        self.app.push_screen(PassphraseModal("of this project", problem), given)

    def action_undo(self) -> None:
        self._run(lambda workspace: workspace.undo(), "undid")

    def action_redo(self) -> None:
        self._run(lambda workspace: workspace.redo(), "redid")

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS), MOUSE))

    def _run(self, change: Callable[[Workspace], str | None], done: str, *, offsets: bool = False,
             clears: tuple[int, int] | None = None, succeeded: Callable[[], None] | None = None,
             failed: Callable[[str], None] | None = None, typed: bool = False, ended: Callable[[], None] | None = None,
             asks: Callable[[], bool] | None = None) -> None:
        """Save through the workspace off the UI thread, then show what changed (on the main thread).

        Where another command has rewritten the text since it was shown (a name replaced, a
        participant withdrawn), the text is shown again as it is now; a change made with offsets
        read in the old text (`offsets`) is not made, since they would land on other words.
        The selection `clears` (what was coded) is cleared once the change is made, and only then;
        `succeeded` runs then too, `failed` after a refusal is shown; `ended` first, whatever came of it. A
        refusal that `asks` says is a question `failed` asks (X on a code with codings) gives the keys typed
        after the change to the question, as `m`'s memo gets the keys after `m`: they are not dropped.
        Where another command has deleted the transcript, nothing is done, but for what a person
        `typed` (a memo, a definition): that is saved still (a memo whose coding went with the
        transcript is kept on the project by the workspace)."""
        if self.removed and not typed:
            self.status(self.removed)
            if ended is not None:
                ended()
            return
        transcript, shown = self.document.transcript, self.document.version_id
        self._changes_begun += 1
        self._changes_pending += 1

        def said(detail: str | None) -> str:
            return f"{done}: {detail}" if done and detail else detail or done

        def save(workspace: Workspace) -> Saved:
            try:
                rewritten = workspace.text_version(transcript) != shown
            except NotFound:  # the transcript is gone
                detail = change(workspace) if typed else None
                status = said(detail) if typed else "nothing done"
                return Saved(status, None, (), workspace.codes(), workspace.recent_codes(), gone=True)
            if rewritten and offsets:
                status = "nothing done: the text was changed by another command; it is shown as it is now"
                return Saved(status, workspace.document(transcript), (), workspace.codes(), workspace.recent_codes())
            status = said(change(workspace))
            if rewritten:
                status += " (the text was changed by another command, and is shown as it is now)"
                return Saved(status, workspace.document(transcript), (), workspace.codes(), workspace.recent_codes())
            return Saved(status, None, workspace.codings(transcript), workspace.codes(), workspace.recent_codes())

        def saved(result: Saved) -> None:
            self._changes_pending -= 1
            if ended is not None:
                ended()
            status, rewritten, codings, codes, recent = result.status, result.document, result.codings, result.codes, result.recent
            self.qualcode.codes_changed(codes, recent)
            self.codes = codes
            if result.gone:
                self._transcript_removed(status)
                if succeeded is not None and typed:
                    succeeded()
                self.call_later(self._act_on_held_keys)
                return

            def shown() -> None:
                if clears is not None and self.view.selection == clears:
                    self.view.select(None)
                self.status(f"{status}; {self._place_said()}" if rewritten is not None else status)
                if succeeded is not None and not status.startswith("nothing done"):
                    succeeded()

            self._shown_again(rewritten or replace(self.document, codings=codings), anew=rewritten is not None, then=shown)
            self.call_later(self._act_on_held_keys)  # typed while it was saved: they act on it now

        def refused(message: str) -> None:
            self._changes_pending -= 1
            if ended is not None:
                ended()
            self.status(message)
            question = asks is not None and asks()
            if not question:
                # Typed to follow a change that was not made: acted on now, they would act on what nobody saw.
                self._typed_before_refused("The change was not made")
            # The codebook may be why (a code another command removed since it was listed): read
            # again, so that the picker lists the codes as they are now.
            self.in_background(lambda workspace: (workspace.codes(), workspace.recent_codes()), self._codes_read_again,
                               group="codes", failed=lambda _message: None)
            # The text may have been rewritten between the check above and the change (the service
            # refused then), or the codings' codes merged or deleted: shown again as they are now.
            self._read_again()
            if failed is not None:
                failed(message)
            if question:
                self.call_later(self._act_on_held_keys)  # to the question now on top, up to its Enter or Escape

        self.in_background(save, saved, group="coding", exclusive=False, failed=refused)

    def _read_again(self) -> None:
        """The codings read again (another command may have merged, renamed or deleted their codes since), or, where
        the text was rewritten meanwhile, the transcript as it is now, so the next selection is made in it."""
        transcript, shown = self.document.transcript, self.document.version_id

        def read(workspace: Workspace) -> ReaderDocument | tuple[ReaderCoding, ...]:
            return workspace.document(transcript) if workspace.text_version(transcript) != shown else workspace.codings(transcript)

        def show(found: ReaderDocument | tuple[ReaderCoding, ...]) -> None:
            if isinstance(found, ReaderDocument):
                self._shown_again(found)
            elif self.document.version_id == shown:
                self._shown_again(replace(self.document, codings=found), anew=False)

        self.in_background(read, show, group="reload", failed=lambda _message: self.check_still_there())

    def reread(self) -> Reread[tuple[ReaderCoding, ...] | None] | None:
        """The codings here, as another session has left them: shown with the cursor and selection
        kept. A text rewritten meanwhile is left to `check_still_there`, which says so."""
        if self.removed:
            return None
        transcript, shown, begun = self.document.transcript, self.document.version_id, self._changes_begun

        def read(workspace: Workspace) -> tuple[ReaderCoding, ...] | None:
            return workspace.codings(transcript) if workspace.text_version(transcript) == shown else None

        def show(codings: tuple[ReaderCoding, ...] | None) -> str | None:
            if self.removed or self.document.version_id != shown:
                return None
            if codings is None:
                self.check_still_there()
                return None
            if codings == self.document.codings:
                return None
            # A change being saved from here shows the codings as read after it, this one's too; one
            # saved since they were read may be missing from them: they are read again, after it.
            if self._changes_begun != begun and not self._changes_pending:
                self._read_again()
            elif not self._changes_pending:
                self._shown_again(replace(self.document, codings=codings), anew=False)
            return f"the codings of {transcript}"

        return Reread(read, show)

    def _codes_read_again(self, state: tuple[list[CodeView], list[str]]) -> None:
        self.qualcode.codes_changed(*state)
        self.codebook_changed(state[0])

    def _shown_again(self, document: ReaderDocument | None, *, anew: bool = True,
                     then: Callable[[], None] | None = None) -> None:
        """Show `document`, then run `then`; `anew` when it is another text version (its sentences are found
        again, and the view moves the cursor and selection to their words; a notification says where it could
        not). Another text is shown once its lines are mapped to the shown one's, off the UI thread."""
        if document is None or self.removed:
            return
        if document.text != self.document.text:
            self._map_and_show(document, then)
            return
        self._show_document(document, anew=anew)
        if then is not None:
            then()

    def _map_and_show(self, document: ReaderDocument, then: Callable[[], None] | None) -> None:
        """Map the lines of the text shown to those of `document` (another text) in a worker: for a long
        transcript that takes a second or so (0.8 s for 512 KB measured), which froze the UI on its thread. The old
        text stays shown meanwhile, and moved about in; the keys that code or change at the cursor wait
        (WAIT_FOR_REWRITE). A newer text arriving meanwhile is mapped instead; the same text again (its
        codings read after a change) is taken without a second map."""
        mapping = self.rewriting
        self.rewriting = document
        if then is not None:
            self._after_rewrite.append(then)
        if mapping is not None and mapping.text == document.text:
            return
        old, new = self.document.text, document.text
        said = (self.status_text, self.status_shows_selection)  # what the status line said: said again after, if nothing else is
        self.status(REWRITING)
        self._show_pending()  # nothing is coded at the old text meanwhile

        def mapped(moved: LineMap) -> None:
            waiting = self.rewriting
            if self.removed or waiting is None or waiting.text != new or self.document.text != old:
                return  # gone, or another text is being mapped now
            self.rewriting = None
            self._show_document(waiting, moved=moved)
            if self.status_text == REWRITING:
                self.status(said[0], selection=said[1])
            thens, self._after_rewrite = self._after_rewrite, []
            for after in thens:
                after()

        def failed(message: str) -> None:  # a bug: said, and the text read again by the next check
            self.rewriting, self._after_rewrite = None, []
            self.status(message)

        self.in_background(lambda _workspace: LineMap(old, new), mapped, group="text-map", failed=failed)

    def _show_document(self, document: ReaderDocument, *, anew: bool = True, moved: LineMap | None = None) -> None:
        """Show `document`: the same text read again, or (with the map `moved` of the shown text's lines to
        it) another text, the cursor and selection carried to their words."""
        placed = self.view.placed
        self.document = document
        if moved is not None:
            self.view.show_rewritten(document, moved)
        else:
            self.view.document = document
        if anew:
            self.find_sentences()
            if placed and not self.view.placed:
                self.notify(f"The text of {document.transcript} was changed by another command, and the cursor moved near"
                            " where it was: nothing is coded at it until you move it, or select a passage (v).",
                            title="Text changed", severity="warning", markup=False)  # names a transcript
        self.view.refresh()
        self._update_panel()
        self._show_pending()

    @on(TranscriptView.Clicked)
    def _clicked(self, message: TranscriptView.Clicked) -> None:
        """A double click selects the sentence, a triple click the turn, as in a word processor."""
        if message.chain == 2:
            self.action_select_sentence()
        elif message.chain >= 3:
            self.action_select_turn()

    @on(TranscriptView.CursorMoved)
    def _cursor_moved(self) -> None:
        self._update_panel()
        self._show_pending()

    def _update_panel(self) -> None:
        """The codes on the cursor's line, and the definition of the code under the cursor."""
        view = self.view
        if not view.rows:
            return
        # The rows of the cursor's line, found from the cursor's row outwards and the codings on
        # them by bisection: a page down in a long transcript must not read every row and coding.
        first = last = view.row_of(view.cursor)
        row = view.rows[first]
        while first > 0 and view.rows[first - 1].line == row.line:
            first -= 1
        while last + 1 < len(view.rows) and view.rows[last + 1].line == row.line:
            last += 1
        start, end = view.rows[first].start, view.rows[last].end
        on_line = view.codings_between(start, max(end, start + 1))
        lines = [as_written((f"Line {row.line}", "bold"))] + [as_written("▌ ", c.code_path, " ✎" if c.memo else "") for c in on_line]
        under = [c for c in on_line if c.start <= view.cursor < c.end]
        if under:
            # The researcher's memo on this coding before the code's definition, which the codebook holds anyway:
            # after the definition, include and exclude it was below a 24-row terminal, seen only with `m`.
            if under[-1].memo:
                lines += [as_written(), as_written(("Memo:", "bold"), " ", as_far_as_shown(under[-1].memo))]
            code = next((c for c in self.codes if c.path == under[-1].code_path), None)
            if code is not None:
                lines += [as_written(), as_written((code.name, "bold")), as_written(as_far_as_shown(code.definition or "")),
                          as_written(("Include:", "bold"), " ", as_far_as_shown(code.inclusion or "-")),
                          as_written(("Exclude:", "bold"), " ", as_far_as_shown(code.exclusion or "-"))]
        self.query_one("#side-panel", Static).update(lines_as_written(lines))
