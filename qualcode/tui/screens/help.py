"""HelpScreen: every key of the screen it was opened from, built from that screen's BINDINGS."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from qualcode.tui.dismissed_once import Dialog

KEY_WIDTH_MAX = 18
HELP_WIDTH_MAX = 100  # the table's width at most, so lines stay readable on a wide terminal
HELP_FRAME = 10  # the border, the cells' padding and the scroll bar, and a margin on each side


class HelpScreen(Dialog[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help.close")]

    def __init__(self, bindings: list[BindingType], mouse: tuple[tuple[str, str], ...] = ()) -> None:
        """`mouse`: (gesture, what it does) rows shown after the keys."""
        super().__init__()
        self.bindings = [b for b in bindings if isinstance(b, Binding)]
        self.mouse = mouse

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(id="help-table", cursor_type="row")
        rows = [
            (" / ".join(self.app.get_key_display(replace(binding, key=key.strip())) for key in binding.key.split(",")),
             binding.tooltip or binding.description)
            for binding in self.bindings
        ] + list(self.mouse)
        # The descriptions wrap within the window, a row as high as its text, so none is cut at 80 columns.
        key_width = min(max((len(keys) for keys, _ in rows), default=3), KEY_WIDTH_MAX)
        said_width = max(min(self.app.size.width, HELP_WIDTH_MAX) - key_width - HELP_FRAME, 20)
        table.add_column("Key", width=key_width)
        table.add_column("What it does", width=said_width)
        for keys, said in rows:
            # Text, not markup: keys such as "[" and descriptions that quote markup show as written.
            table.add_row(Text(keys), Text(said), height=None)
        yield table

    def action_close(self) -> None:
        self.dismiss(None)
