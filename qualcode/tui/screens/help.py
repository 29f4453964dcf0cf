"""HelpScreen: every key of the screen it was opened from, built from that screen's BINDINGS."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import DataTable


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help.close")]

    def __init__(self, bindings: list[BindingType], mouse: tuple[tuple[str, str], ...] = ()) -> None:
        """`mouse`: (gesture, what it does) rows shown after the keys."""
        super().__init__()
        self.bindings = [b for b in bindings if isinstance(b, Binding)]
        self.mouse = mouse

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(id="help-table", cursor_type="row")
        table.add_columns("Key", "What it does")
        for binding in self.bindings:
            keys = [self.app.get_key_display(replace(binding, key=key.strip())) for key in binding.key.split(",")]
            # Text, not markup: keys such as "[" and descriptions that quote markup show as written.
            table.add_row(Text(" / ".join(keys)), Text(binding.tooltip or binding.description))
        for gesture, description in self.mouse:
            table.add_row(Text(gesture), Text(description))
        yield table

    def action_close(self) -> None:
        self.dismiss(None)
