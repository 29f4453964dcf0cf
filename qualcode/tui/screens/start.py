"""StartScreen: pick or confirm who is coding, and in which role; remembered per project."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from qualcode.coding.coders import REVIEWER
from qualcode.tui.dismissed_once import DismissedOnce
from qualcode.tui.widgets.footer import KeyFooter

ROLE_BUTTONS = {"researcher": "role-researcher", "medforsker": "role-medforsker"}


class StartScreen(DismissedOnce[tuple[str, str]]):
    """Returns (coder name, role). A coder the project holds is shown in their stored role, which
    this screen does not change (`qualcode coder role` does, in the history); a new coder's is picked."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="start.quit")]

    def __init__(self, name: str, roles: dict[str, str]) -> None:
        super().__init__()
        self.coder = name
        self.roles = roles  # every coder's stored role, by name
        self.held = {known.casefold(): role for known, role in roles.items()}

    def compose(self) -> ComposeResult:
        role = self.stored_role(self.coder) or "researcher"
        with Vertical(id="start"):
            yield Label("Who is coding?")
            yield Input(value=self.coder, placeholder="Your name", id="start-name")
            coders = [name for name, held in self.roles.items() if held != REVIEWER]  # a reviewer only commented on drafts
            if coders:  # names people typed: not markup
                yield Label("Coders in this project: " + ", ".join(coders), classes="muted", markup=False)
            with RadioSet(id="start-role"):
                yield RadioButton("Researcher", value=role != "medforsker", id="role-researcher")
                yield RadioButton("Co-researcher (medforsker)", value=role == "medforsker", id="role-medforsker")
            yield Label("Their role as the project holds it; `qualcode coder role` changes it.",
                        id="start-role-note", classes="muted hidden")
            yield Button("Start coding", variant="primary", id="start-go")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_role(self.coder)
        self.query_one("#start-name", Input).focus()

    def stored_role(self, name: str) -> str | None:
        """The role the project holds for a coder of that name (in any case), else None."""
        return self.held.get(name.strip().casefold())

    @on(Input.Changed, "#start-name")
    def _name_changed(self, event: Input.Changed) -> None:
        self._show_role(event.value)

    def _show_role(self, name: str) -> None:
        """A coder the project holds: their stored role, not to be picked here; a new one: theirs to pick."""
        stored = self.stored_role(name)
        choice = self.query_one("#start-role", RadioSet)
        note = self.query_one("#start-role-note", Label)
        choice.disabled = stored is not None
        note.set_class(stored is None, "hidden")
        if stored in ROLE_BUTTONS:
            self.query_one(f"#{ROLE_BUTTONS[stored]}", RadioButton).value = True

    @on(Input.Submitted, "#start-name")
    @on(Button.Pressed, "#start-go")
    def _go(self) -> None:
        name = self.query_one("#start-name", Input).value.strip()
        if not name:
            self.notify("Type your name first", severity="warning")
            return
        pressed = self.query_one(RadioSet).pressed_button
        picked = "medforsker" if pressed is not None and pressed.id == "role-medforsker" else "researcher"
        self.dismiss((name, self.stored_role(name) or picked))
