"""PassphraseModal: ask for the pseudonym key's passphrase, hidden as it is typed."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from qualcode.tui.dismissed_once import Dialog


class PassphraseModal(Dialog[str | None]):
    """Returns the passphrase, or None if dismissed."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="passphrase.cancel")]

    def __init__(self, key_name: str, problem: str = "") -> None:
        super().__init__()
        self.key_name = key_name
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="passphrase"):
            yield Label(f"Passphrase for the key {self.key_name}", markup=False)
            if self.problem:
                yield Label(self.problem, classes="error", markup=False)  # it may name the key file
            yield Input(password=True, placeholder="Enter opens the key, Escape cancels", id="passphrase-text")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value:
            self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
