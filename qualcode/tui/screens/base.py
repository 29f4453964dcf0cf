"""QualcodeScreen: a screen that knows its app's type and runs its work in the background."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import Screen

from qualcode.tui.background import WorkDone, run_in_background

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
