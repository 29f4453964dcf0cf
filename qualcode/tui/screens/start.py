"""StartScreen: pick or confirm who is coding, and in which role; remembered per project."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from qualcode.tui.widgets.footer import KeyFooter


class StartScreen(Screen[tuple[str, str]]):
    """Returns (coder name, role)."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="start.quit")]

    def __init__(self, name: str, role: str, known: list[str]) -> None:
        super().__init__()
        self.coder = name
        self.role = role
        self.known = known

    def compose(self) -> ComposeResult:
        with Vertical(id="start"):
            yield Label("Who is coding?")
            yield Input(value=self.coder, placeholder="Your name", id="start-name")
            if self.known:
                yield Label("Coders in this project: " + ", ".join(self.known), classes="muted")
            with RadioSet(id="start-role"):
                yield RadioButton("Researcher", value=self.role != "medforsker", id="role-researcher")
                yield RadioButton("Co-researcher (medforsker)", value=self.role == "medforsker", id="role-medforsker")
            yield Button("Start coding", variant="primary", id="start-go")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#start-name", Input).focus()

    @on(Input.Submitted, "#start-name")
    @on(Button.Pressed, "#start-go")
    def _go(self) -> None:
        name = self.query_one("#start-name", Input).value.strip()
        if not name:
            self.notify("Type your name first", severity="warning")
            return
        pressed = self.query_one(RadioSet).pressed_button
        role = "medforsker" if pressed is not None and pressed.id == "role-medforsker" else "researcher"
        self.dismiss((name, role))
