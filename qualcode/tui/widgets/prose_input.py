"""ProseInput: a one-line field for prose (a memo, a definition) that takes a pasted text whole.

Textual's Input keeps only the first line of a paste: a memo pasted from a document with two
paragraphs was saved as its first line, and "memo saved" said. Here the lines are joined with a
space, as the one line the field holds, and the field says so.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from qualcode.text.normalise import join_line_break_hyphens


def as_one_line(pasted: str) -> str:
    """A pasted text's lines as one line: each line's words, in order, a space between lines, and a
    word a hyphen broke at a line's end whole again, as an import joins it ("Bak-" and "ken" read
    "Bak- ken" with a space, which no one's key finds as the surname Bakken)."""
    lines = [line.strip() for line in pasted.splitlines() if line.strip()]
    return join_line_break_hyphens("\n".join(lines)).replace("\n", " ")


class ProseInput(Input):
    def _on_paste(self, event: events.Paste) -> None:
        # Textual calls each class's handler in turn: a paste of one line is left to Input's.
        lines = [line for line in event.text.splitlines() if line.strip()]
        if len(lines) < 2:
            return
        event.prevent_default()  # Input's own would add the first line again
        joined = as_one_line(event.text)
        if self.selection.is_empty:
            self.insert_text_at_cursor(joined)
        else:
            self.replace(joined, *self.selection)
        event.stop()
        self.notify(f"the {len(lines)} lines pasted are joined into one: a memo here is one line", markup=False)
