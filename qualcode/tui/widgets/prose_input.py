"""ProseInput: a one-line field for prose (a memo, a definition) that takes a pasted text whole.

Textual's Input keeps only the first line of a paste: a memo pasted from a document with two
paragraphs was saved as its first line, and "memo saved" said. Here the lines are joined with a
space, as the one line the field holds, and the field says so.

Textual's Input also measures and draws its whole value at each key and each blink of the cursor,
a character at a time once the text holds one character outside the few Rich counts in bulk ("…",
"–"): with a pasted 3.6 MB memo each key took seconds. This one draws only what the field shows,
and finds where a character stands from the few characters that are not one cell wide.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from rich.cells import get_character_cell_size
from rich.text import Text
from textual import events
from textual.strip import Strip
from textual.widgets import Input

from qualcode.text.normalise import join_line_break_hyphens

# Characters Rich takes to be one cell wide without looking each up (rich.cells); a run of others
# is looked up a character at a time.
_LOOKED_UP = re.compile("[^\x20-\x7e\xa0-\xac\xae-\u02ff]+")
# What Rich measures by more than each character's own width (a tab, joined emoji): such a value
# is left to Textual's own measures, exact and slow.
_MEASURED_TOGETHER = ("\t", "\u200d", "\ufe0f")


def as_one_line(pasted: str) -> str:
    """A pasted text's lines as one line: each line's words, in order, a space between lines, and a
    word a hyphen broke at a line's end whole again, as an import joins it ("Bak-" and "ken" read
    "Bak- ken" with a space, which no one's key finds as the surname Bakken)."""
    lines = [line.strip() for line in pasted.splitlines() if line.strip()]
    return join_line_break_hyphens("\n".join(lines)).replace("\n", " ")


@dataclass(frozen=True)
class CellWidths:
    """Where a one-line text's characters that are not one cell wide stand (`odd`, ascending), and
    the cells they add or take away up to and with each (`added`): a character's cell is found
    from them, and a cell's character, in a time that does not grow with the text."""

    length: int
    odd: tuple[int, ...] = ()
    added: tuple[int, ...] = ()

    @classmethod
    def of(cls, text: str) -> CellWidths | None:
        """The widths of `text`, or None where Rich measures it otherwise (_MEASURED_TOGETHER)."""
        if any(character in text for character in _MEASURED_TOGETHER):
            return None
        odd = [(match.start() + offset, width) for match in _LOOKED_UP.finditer(text)
               for offset, character in enumerate(match.group())
               if (width := get_character_cell_size(character)) != 1]
        return cls._made(len(text), odd)

    @classmethod
    def _made(cls, length: int, odd: list[tuple[int, int]]) -> CellWidths:
        added, total = [], 0
        for _, width in odd:
            total += width - 1
            added.append(total)
        return cls(length, tuple(index for index, _ in odd), tuple(added))

    def replaced(self, start: int, end: int, text: str) -> CellWidths | None:
        """The widths once the characters from `start` to `end` are replaced by `text`: only the
        new text is looked at."""
        new = CellWidths.of(text)
        if new is None:
            return None
        moved = len(text) - (end - start)
        before, after = bisect_left(self.odd, start), bisect_left(self.odd, end)
        widths = [self._width(at) for at in range(len(self.odd))]
        odd = [*zip(self.odd[:before], widths[:before], strict=True),
               *((start + index, new._width(at)) for at, index in enumerate(new.odd)),
               *((index + moved, width) for index, width in zip(self.odd[after:], widths[after:], strict=True))]
        return CellWidths._made(self.length + moved, odd)

    def _width(self, at: int) -> int:
        return self.added[at] - (self.added[at - 1] if at else 0) + 1

    def cell(self, index: int) -> int:
        """The cell the character at `index` begins at (the text's width, at its end)."""
        before = bisect_left(self.odd, index)
        return index + (self.added[before - 1] if before else 0)

    def index_at(self, cell: int) -> int:
        """The character drawn on `cell` (the text's length past its end)."""
        if cell >= self.cell(self.length):
            return self.length
        low, high = 0, self.length  # the last index whose cell is at most `cell`
        while low < high:
            middle = (low + high + 1) // 2
            if self.cell(middle) <= cell:
                low = middle
            else:
                high = middle - 1
        return low


class ProseInput(Input):
    # The value last measured, and its widths; and, while a key or a paste changes the value, the
    # value before, and where and with what it is changed (Input.replace).
    _measured: tuple[str, CellWidths | None] | None = None
    _changing: tuple[str, int, int, str] | None = None

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

    def replace(self, text: str, start: int, end: int) -> None:
        value = self.value
        start, end = sorted((max(0, start), min(len(value), end)))
        self._changing = (value, start, end, text)
        try:
            super().replace(text, start, end)
        finally:
            self._changing = None

    def cell_widths(self) -> CellWidths | None:
        """The value's CellWidths (None: it is measured as Textual measures it). A key or a paste
        changes a little of a long text: only what it brings is measured."""
        value, measured, changing = self.value, self._measured, self._changing
        if measured is not None and measured[0] is value:
            return measured[1]
        if measured is not None and measured[1] is not None and changing is not None and changing[0] is measured[0]:
            before, start, end, text = changing
            widths = measured[1].replaced(start, end, text) if len(value) == len(before) + len(text) - (end - start) else None
        else:
            widths = None
        self._measured = (value, widths if widths is not None else CellWidths.of(value))
        return self._measured[1]

    def _position_to_cell(self, position: int) -> int:
        widths = self.cell_widths()
        return super()._position_to_cell(position) if widths is None else widths.cell(position)

    @property
    def content_width(self) -> int:
        widths = self.cell_widths()
        if widths is None or not self.value:
            return super().content_width
        return widths.cell(len(self.value)) + 1  # and a cell for the cursor at the end

    def _cell_offset_to_index(self, offset: int) -> int:
        widths = self.cell_widths()
        if widths is None:
            return super()._cell_offset_to_index(offset)
        return widths.index_at(max(0, offset + self.scroll_offset.x))

    def render_line(self, y: int) -> Strip:
        """Input's line, drawn from the characters the field shows: the same cells, styled alike."""
        widths = self.cell_widths()
        if y != 0 or not self.value or widths is None or self.password or self.highlighter is not None or self._suggestion:
            return super().render_line(y)
        value, shown = self.value, self.scrollable_content_region.width + 1
        scroll_x = self.scroll_offset.x
        first = widths.index_at(scroll_x)
        last = min(len(value), widths.index_at(scroll_x + shown) + 1)
        window = Text(value[first:last], no_wrap=True, overflow="ignore", end="")
        if self.has_focus:
            start, end = sorted(self.selection)
            start, end = max(start, first) - first, min(end, last) - first
            if start < end:
                window.stylize_before(self.get_component_rich_style("input--selection"), start, end)
            cursor = self.cursor_position
            if self._cursor_visible and first <= cursor <= last:
                if self.cursor_at_end:
                    window.pad_right(1)
                window.stylize(self.get_component_rich_style("input--cursor"), cursor - first, cursor - first + 1)
        begins = widths.cell(first)
        options = self.app.console_options.update_width(widths.cell(last) - begins + 1)
        strip = Strip(list(self.app.console.render(window, options)))
        strip = strip.crop(scroll_x - begins, scroll_x - begins + shown).extend_cell_length(shown)
        return strip.apply_style(self.rich_style)
