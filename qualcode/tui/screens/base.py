"""QualcodeScreen: a screen that knows its app's type and runs its work in the background."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from textual.binding import Binding
from textual.events import Key

from qualcode.codebook.service import CodeView
from qualcode.errors import QualcodeError, TranscriptGone, WithdrewConsent
from qualcode.tui.background import WorkDone, run_in_background
from qualcode.tui.dismissed_once import DismissedOnce
from qualcode.tui.modals.code_picker import code_for_key

if TYPE_CHECKING:
    from textual.screen import ModalScreen
    from textual.widgets import DataTable

    from qualcode.tui.app import QualcodeApp
    from qualcode.workspace import Workspace

Result = TypeVar("Result")
Found = TypeVar("Found")


@dataclass(frozen=True)
class Reread(Generic[Found]):
    """What a screen shows, read again once another session has changed the project (tui/elsewhere.py):
    `read` in a worker, then `show` on the main thread, which shows it where the researcher is and
    says what of it changed ("the counts"), or None where nothing did."""

    read: Callable[[Workspace], Found]
    show: Callable[[Found], str | None]


class MetadataForm(Protocol):
    """A form of fields (the transcript's, a participant's) that hands back the fields changed and keeps what was typed."""

    typed: dict[str, str]


FormMaker = Callable[[dict[str, str] | None, str], "ModalScreen[dict[str, str] | None]"]


def gone_meanwhile(refusal: QualcodeError | None, name: str) -> str | None:
    """What happened to the participant or transcript `name` a form was opened on, where a save was
    refused as it is gone since (another session withdrew or deleted it); None for any other refusal,
    or one about someone else (a participant the transcript's form lists who withdrew)."""
    if isinstance(refusal, WithdrewConsent) and refusal.participant.casefold() == name.casefold():
        return f"{name} withdrew consent meanwhile (another session withdrew them)"
    if isinstance(refusal, TranscriptGone) and refusal.transcript == name:
        return refusal.message
    return None


def listed_code(codes: list[CodeView], path: str) -> CodeView | str:
    """The code of `codes` (a screen's list, which a picker or a key chose from) at `path`, for the
    workspace to find by its GUID whatever another command has named it since; a path not listed, as is."""
    return next((code for code in codes if code.path == path), path)


def open_transcript_first(screen: QualcodeScreen, event: Key, table: DataTable[Any], jump: Callable[[], None], *,
                          waiting: bool = False) -> bool:
    """Whether `event`, reaching `screen` from its list (`table`), is taken: an Enter there opens the transcript at once
    (`jump`), and the keys that reach the screen after it while the transcript is read are held for it, as the overview
    does (`QualcodeApp.opening`); `waiting`, the screen waits for a key of its own (the code's, after `c`)."""
    opening = screen.qualcode.opening
    if opening is not None:  # typed after Enter, on their way to the screen through its list as Enter opened it
        opening.hold(event)
        return True
    if screen.qualcode.typed_for_the_reader(event):  # typed before it was shown, on their way here as it was
        return True
    if event.key != "enter" or waiting or not table.has_focus:
        return False
    event.stop()
    event.prevent_default()
    jump()
    return True


class QualcodeScreen(DismissedOnce[None]):
    @property
    def qualcode(self) -> QualcodeApp:
        """The app, typed (as posting does with a cast), so screens call it without `type: ignore`."""
        return cast("QualcodeApp", self.app)

    def in_background(
        self, work: Callable[[Workspace], Result], then: Callable[[Result], None], *, group: str,
        exclusive: bool = True, failed: Callable[[str], None] | None = None, said_if_left: Callable[[Result], str] | None = None,
        failed_if_left: Callable[[str], str] | None = None,
    ) -> None:
        """`work(workspace)` in a thread, then `then(result)` here on the main thread."""
        run_in_background(self, self.qualcode.workspace, work, then, group=group, exclusive=exclusive, failed=failed,
                          said_if_left=said_if_left, failed_if_left=failed_if_left)

    def edit_in_form(
        self, name: str, form_for: FormMaker, save: Callable[[Workspace, str, dict[str, str]], str], *, group: str,
        typed: dict[str, str] | None = None, problem: str = "",
    ) -> None:
        """The form `form_for(typed, problem)` for `name`; Enter saves what changed through `save`
        (the service the command line's edit uses), then `edited()`; a save refused opens the form
        again with what was typed and why, rather than losing it, but for a participant who withdrew
        consent meanwhile, or a transcript deleted meanwhile: there is nothing to save it for, and what
        was typed may be about them (gone_meanwhile)."""
        form = form_for(typed, problem)

        def saved(values: dict[str, str] | None) -> None:
            if not values:  # nothing changed, or Escape: nothing to save
                return
            refusals: list[QualcodeError] = []

            def saving(workspace: Workspace) -> str:
                try:
                    return save(workspace, name, values)
                except QualcodeError as error:  # read on the main thread once the worker has ended
                    refusals.append(error)
                    raise

            def said(status: str, failed: bool = False) -> None:
                self.notify(status, severity="error" if failed else "information", markup=False)  # holds what was typed
                self.edited()

            def refused(error: str) -> None:
                gone = gone_meanwhile(refusals[0] if refusals else None, name)
                if gone is not None:
                    said(f"{gone}: nothing was saved, and what you typed is not kept", failed=True)
                    return
                said(f"{name}: {error}", failed=True)
                typed_then = cast(MetadataForm, form).typed
                self.edit_in_form(name, form_for, save, group=group, typed=typed_then, problem=error.removeprefix("error: "))

            self.in_background(saving, lambda changed: said(f"{name}: {changed}"), group=group, exclusive=False, failed=refused)

        self.app.push_screen(form, saved)

    def edited(self) -> None:
        """What a screen does once an edit in its form is saved or refused (read its list again)."""

    def reread(self) -> Reread[Any] | None:
        """How to read again what this screen shows from the project, once another session has changed it; None: nothing to."""
        return None

    def on_work_done(self, message: WorkDone) -> None:
        message.apply()


class CodingScreen(QualcodeScreen):
    """A screen that codes what it shows: `c` then a code's key, the same on every such screen.

    The keys are those of the codebook as it is when `c` is pressed, read again then (another
    command may have given a key to another code since the screen opened); a key pressed before
    that read is back waits for it."""

    awaiting_shortcut = False  # `c` was pressed and the code's key is awaited
    _codebook_read = True  # the codebook has been read since `c` was pressed
    _key_waiting: tuple[str | None] | None = None  # the code's key, pressed before the codebook was read again

    def status(self, message: str) -> None:
        raise NotImplementedError

    def shortcut_codes(self) -> list[CodeView]:
        """The codes whose keys `c` listens for."""
        return self.qualcode.codes

    def codebook_changed(self, codes: list[CodeView]) -> None:
        """The codebook as read again (main thread); a screen that keeps its own list takes it here."""

    def ready_to_code(self) -> bool:
        """Whether there is something to code; a screen says why not in its status line."""
        return True

    def code_with(self, code_path: str) -> None:
        raise NotImplementedError

    def action_code_by_shortcut(self) -> None:
        if self.ready_to_code():
            self.awaiting_shortcut = True
            self._codebook_read, self._key_waiting = False, None
            self.status("Code: press the code's key (Escape cancels)")
            self.in_background(lambda workspace: (workspace.codes(), workspace.recent_codes()), self._codes_read,
                               group="shortcut-codes", failed=lambda _message: self._codes_read(None))

    def _codes_read(self, state: tuple[list[CodeView], list[str]] | None) -> None:
        """The codebook read again (or not, `None`: the keys known are used); a key waiting is resolved now."""
        if state is not None:
            self.qualcode.codes_changed(*state)
            self.codebook_changed(state[0])
        self._codebook_read = True
        if self._key_waiting is not None:
            (character,), self._key_waiting = self._key_waiting, None
            self._code_by_key(character)

    async def on_key(self, event: Key) -> None:  # async, as the reader's, which awaits the bindings it runs
        if not self.awaiting_shortcut and event.key in self._shortcut_keys():
            # Taken here, not left to the binding: Textual runs a binding once the key has bubbled up to the
            # app, after the keys typed with it have reached this screen, and the code's key was dropped.
            event.stop()
            event.prevent_default()
            self.action_code_by_shortcut()
            return
        if not self.awaiting_shortcut or event.key == "escape":
            return
        event.stop()
        event.prevent_default()
        self.awaiting_shortcut = False
        if self._codebook_read:
            self._code_by_key(event.character)
        else:
            self._key_waiting = (event.character,)

    def _shortcut_keys(self) -> set[str]:
        """The keys bound to `c` (code by a code's key) on this screen."""
        return {key.strip() for binding in self.BINDINGS if isinstance(binding, Binding) and binding.action == "code_by_shortcut"
                for key in binding.key.split(",")}

    def _code_by_key(self, character: str | None) -> None:
        code = code_for_key(self.shortcut_codes(), character)
        if code is None:
            self.status(f"No code has the key {character!r}")
        else:
            self.code_with(code.path)
