"""QualcodeScreen: a screen that knows its app's type and runs its work in the background."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

from textual.events import Key
from textual.screen import Screen

from qualcode.codebook.service import CodeView
from qualcode.tui.background import WorkDone, run_in_background
from qualcode.tui.modals.code_picker import code_for_key

if TYPE_CHECKING:
    from qualcode.tui.app import QualcodeApp
    from qualcode.workspace import Workspace

Result = TypeVar("Result")


class QualcodeScreen(Screen[None]):
    @property
    def qualcode(self) -> QualcodeApp:
        """The app, typed (as posting does with a cast), so screens call it without `type: ignore`."""
        return cast("QualcodeApp", self.app)

    def in_background(
        self, work: Callable[[Workspace], Result], then: Callable[[Result], None], *, group: str,
        exclusive: bool = True, failed: Callable[[str], None] | None = None,
    ) -> None:
        """`work(workspace)` in a thread, then `then(result)` here on the main thread."""
        run_in_background(self, self.qualcode.workspace, work, then, group=group, exclusive=exclusive, failed=failed)

    def on_work_done(self, message: WorkDone) -> None:
        message.apply()


class CodingScreen(QualcodeScreen):
    """A screen that codes what it shows: `c` then a code's key, the same on every such screen."""

    awaiting_shortcut = False  # `c` was pressed and the code's key is awaited

    def status(self, message: str) -> None:
        raise NotImplementedError

    def shortcut_codes(self) -> list[CodeView]:
        """The codes whose keys `c` listens for."""
        return self.qualcode.codes

    def ready_to_code(self) -> bool:
        """Whether there is something to code; a screen says why not in its status line."""
        return True

    def code_with(self, code_path: str) -> None:
        raise NotImplementedError

    def action_code_by_shortcut(self) -> None:
        if self.ready_to_code():
            self.awaiting_shortcut = True
            self.status("Code: press the code's key (Escape cancels)")

    def on_key(self, event: Key) -> None:
        if not self.awaiting_shortcut or event.key == "escape":
            return
        event.stop()
        event.prevent_default()
        self.awaiting_shortcut = False
        code = code_for_key(self.shortcut_codes(), event.character)
        if code is None:
            self.status(f"No code has the key {event.character!r}")
        else:
            self.code_with(code.path)
