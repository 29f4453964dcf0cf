"""MemoEditor: write or change the memo on a coding (or a code's definition)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class MemoEditor(ModalScreen[str | None]):
    """Returns the memo text (empty clears it), or None if dismissed."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="memo.cancel")]

    def __init__(self, title: str, text: str, problem: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.problem = problem  # why the text was not saved last time: it is shown again, to change

    def compose(self) -> ComposeResult:
        with Vertical(id="memo"):
            yield Label(self.title_text, markup=False)  # names a code, which a person typed
            if self.problem:
                yield Label(self.problem, classes="error", markup=False)  # may quote the text
            yield Input(value=self.text, placeholder="Memo (Enter saves, Escape cancels)", id="memo-text")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
