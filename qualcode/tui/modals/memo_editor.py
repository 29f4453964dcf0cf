"""MemoEditor: write or change the memo on a coding (or a code's definition, or its name)."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from qualcode.tui.dismissed_once import Dialog
from qualcode.tui.widgets.prose_input import ProseInput


class MemoEditor(Dialog[str | None]):
    """Returns the memo text (empty clears it), or None if dismissed."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="memo.cancel")]

    def __init__(self, title: str, text: str, problem: str = "", keep: Callable[[str], None] | None = None,
                 placeholder: str = "Memo (Enter saves, Escape cancels)") -> None:
        """`keep` is given what was typed when the editor is dismissed with the text changed, so
        Escape does not lose it; `problem` says why the text was not saved last time."""
        super().__init__()
        self.title_text = title
        self.text = text
        self.problem = problem
        self.keep = keep
        self.placeholder_text = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="memo"):
            yield Label(self.title_text, markup=False)  # names a code, which a person typed
            if self.problem:
                yield Label(self.problem, classes="error", markup=False)  # may quote the text
            yield ProseInput(value=self.text, placeholder=self.placeholder_text, id="memo-text")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        typed = self.query_one("#memo-text", Input).value
        if self.keep is not None and typed != self.text:
            self.keep(typed)
        self.dismiss(None)
