"""ChoiceModal: a question and a few answers, one chosen with the arrows and Enter (or Escape for none)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from qualcode.tui.dismissed_once import Dialog


class ChoiceModal(Dialog[str | None]):
    """Returns the id of the answer chosen, or None if dismissed."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, question: str, answers: list[tuple[str, str]]) -> None:
        """`answers` are (id, what it does), the first highlighted."""
        super().__init__()
        self.question = question
        self.answers = answers

    def compose(self) -> ComposeResult:
        with Vertical(id="choice"):
            yield Static(Text(self.question), id="choice-question")  # names codes, which people typed
            yield OptionList(*(Option(Text(label), id=answer) for answer, label in self.answers), id="choice-answers")

    def on_mount(self) -> None:
        self.query_one("#choice-answers", OptionList).highlighted = 0

    @on(OptionList.OptionSelected, "#choice-answers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
