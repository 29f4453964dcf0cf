"""TranscriptView: the transcript as wrapped rows, drawn a screen at a time (Textual's line API)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Offset, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualcode.coding.anchoring import LineMap, same_words
from qualcode.coding.reader import ReaderCoding, ReaderDocument

MARGIN = 7  # line number (5, more past line 99,999), coded-passage bar (1), selection marker or space (1)
KEEP_CURSOR = -1  # what a rewrap keeps in sight: the cursor, rather than the text at an offset
SELECTED = "┃"  # marks the rows of the selection in the margin: a shape, so it shows without colour
PENDING = "╎"  # marks the rows of what c codes without a selection (the sentence at the cursor): lighter than SELECTED


@dataclass(frozen=True)
class Row:
    """One screen row: a slice of the text and the source line it belongs to."""

    start: int
    end: int
    line: int


# Characters that may take other than one cell: past Latin and its marks-free letters, CJK and
# emoji take two, combining marks and joiners none. A line without any is wrapped by slicing.
_NOT_ONE_CELL = re.compile(r"[^\x20-\x7e\u00a0-\u02ff]")


def cells(character: str) -> int:
    """The screen cells `character` takes as the view draws it: a control character as one space."""
    return 1 if character < " " or character == "\x7f" else get_character_cell_size(character)


def wrap(text: str, width: int) -> list[Row]:
    """Soft-wrap `text` at spaces to `width` cells; each row keeps its offsets and its source line.

    Blank lines (between turns) take no row, so a screen is spent on text; the line numbers stay
    those of the stored text, which quotes and search hits cite. Widths are counted in cells, not
    code points: a row of Chinese was twice as wide as the view, and its end never drawn.
    """
    rows: list[Row] = []
    position = 0
    for number, line in enumerate(text.split("\n"), start=1):
        start, end = position, position + len(line)
        if not line.strip():
            start = end
        narrow = _NOT_ONE_CELL.search(line) is None
        while start < end:
            cut = min(end, start + width) if narrow else _cut(text, start, end, width)
            if cut < end:
                space = text.rfind(" ", start, cut)
                if space > start:
                    cut = space + 1
            rows.append(Row(start, cut, number))
            start = cut
        position = end + 1
    return rows


def _sentence_or_line(text: str, sentences: tuple[tuple[int, int], ...], offset: int) -> tuple[int, int]:
    """The sentence holding `offset`, or (before the sentences are found, or between them) its line."""
    index = bisect_right(sentences, (offset, len(text) + 1)) - 1
    if index >= 0 and sentences[index][0] <= offset < sentences[index][1]:
        return sentences[index]
    end = text.find("\n", offset)
    return text.rfind("\n", 0, offset) + 1, len(text) if end == -1 else end


def _cut(text: str, start: int, end: int, width: int) -> int:
    """Where a row from `start` ends to fill `width` cells (at least one character)."""
    used, position = 0, start
    while position < end:
        size = cells(text[position])
        if used + size > width and position > start:
            break
        used += size
        position += 1
    while position < end and cells(text[position]) == 0:  # a mark or joiner stays with its character
        position += 1
    return position


class TranscriptView(ScrollView, can_focus=True, inherit_bindings=False):
    """Shows a transcript with a cursor, a selection and codings marked by colour and underline.

    The scrolling keys a ScrollView binds (arrows, page keys, home, end) are left to the screen,
    which moves the cursor and so the view: bound here too, they scrolled the view alone, page
    keys with an animation, and left the cursor (what v selects) off the screen."""

    DEFAULT_CSS = """
    TranscriptView { background: $surface; overflow-x: hidden; }
    """

    cursor: reactive[int] = reactive(0, repaint=True)
    selection: reactive[tuple[int, int] | None] = reactive(None, repaint=True)
    # What c would code with no selection made (the sentence at the cursor, widened as it is coded), set by
    # the screen, which knows the sentences and turns: drawn bold, its rows marked, so it is seen before it is coded.
    pending: reactive[tuple[int, int] | None] = reactive(None, repaint=True)

    class CursorMoved(Message):
        """Posted when the cursor lands on another offset."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

    class Clicked(Message):
        """Posted on a click in the text; `chain` is 2 for a double and 3 for a triple click."""

        def __init__(self, offset: int, chain: int) -> None:
            super().__init__()
            self.offset = offset
            self.chain = chain

    class SelectionChanged(Message):
        """Posted when the selection is set, changed or cleared."""

        def __init__(self, selection: tuple[int, int] | None) -> None:
            super().__init__()
            self.selection = selection

    def __init__(self, document: ReaderDocument, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._document = document
        self._index_codings()
        self.rows: list[Row] = []
        self.row_starts: list[int] = []
        self._width = 0
        self._number_width = 5  # cells of the line numbers, set as the text is wrapped
        self._numbered: str | None = None  # the text they were counted for
        # What a rewrap keeps in sight (KEEP_CURSOR, or a text offset) until its scroll is done.
        self._keep: int | None = None
        # Whether the cursor is where the researcher put it, or on the same words since: after a rewrite
        # that moved it only near them, nothing is coded at it until it is put somewhere (_carry_place).
        self.placed = True

    @property
    def document(self) -> ReaderDocument:
        return self._document

    @document.setter
    def document(self, document: ReaderDocument) -> None:
        """Another reading of the text shown (its codings, its sentences), or the empty text of a transcript
        deleted. Another text comes through `show_rewritten`, with the map of its lines, which takes a second
        or more for a long transcript: built by the screen off the UI thread, not here."""
        if document.text and document.text != self._document.text:
            raise ValueError("a rewritten text is shown with show_rewritten, its lines mapped off the UI thread")
        rewritten = document.text != self._document.text
        self._document = document
        self._index_codings()
        if rewritten:  # nothing left: the cursor at the start, nothing selected, and nothing to code at it
            self._rewrap(force=True)
            self.cursor, self.placed = 0, False
            if self.selection is not None:
                self.select(None)

    def show_rewritten(self, document: ReaderDocument, moved: LineMap) -> None:
        """Another text (a name replaced, turns redacted), `moved` mapping the shown one's lines to it: its
        rows, not the old text's, and the cursor and selection on their words in it, not at their offsets
        (other words here)."""
        old, old_sentences = self._document.text, self._document.sentences
        self._document = document
        self._index_codings()
        self._rewrap(force=True)
        self._carry_place(old, old_sentences, document.text, moved)

    def _carry_place(self, old: str, sentences: tuple[tuple[int, int], ...], new: str, moved: LineMap) -> None:
        """The cursor and selection moved to their words in the `new` text, found as codings are re-anchored.
        The selection is kept where its words are found for certain, else it goes; the cursor stays on its
        character where the words from its sentence's start to it, or from it to its sentence's end, are.
        Otherwise it stands only near its words, `placed` no more: c, x and the like wait until it is put
        somewhere or a passage selected, since a cursor a few characters off its words (a name before it
        given a longer pseudonym) may stand in the sentence before, which c would code unseen."""
        cursor, selection = self.cursor, self.selection
        kept = same_words(old, new, *selection, moved) if selection is not None else None
        # Spans holding the cursor whose words are looked for, the cursor then as far into them as before.
        start, end = _sentence_or_line(old, sentences, cursor)
        spans = [selection] if kept is not None and selection is not None and selection[0] <= cursor < selection[1] else []
        spans += [(start, cursor + 1), (cursor, end)]
        there = None
        for span in spans:
            found = kept if span is selection else same_words(old, new, *span, moved)
            if found is not None:
                there = found[0] + cursor - span[0]
                break
        # A selection gone, the cursor is not what the researcher chose to code either.
        self.placed = self.placed and there is not None and (selection is None or kept is not None)
        self.cursor = max(0, min(moved(cursor)[0] if there is None else there, len(new) - 1))
        if kept is None and selection is not None:
            self.select(None)
        else:  # the same words, so the status line's account of them holds: nothing to post
            self.selection = kept

    def _index_codings(self) -> None:
        """Codings by start, so a row finds its codings by bisection: drawing grows with the screen."""
        self._codings = sorted(self._document.codings, key=lambda c: c.start)
        self._coding_starts = [c.start for c in self._codings]
        self._longest = max((c.end - c.start for c in self._codings), default=0)

    def codings_between(self, start: int, end: int) -> list[ReaderCoding]:
        """The codings overlapping [start, end), in order of start."""
        first = bisect_left(self._coding_starts, start - self._longest)
        last = bisect_left(self._coding_starts, end)
        return [c for c in self._codings[first:last] if c.end > start]

    # --- layout -------------------------------------------------------------------------
    def on_resize(self) -> None:
        self._rewrap()

    def _rewrap(self, *, force: bool = False) -> None:
        """Wrap the text to the width; only when the width changed, unless `force`d (another text)."""
        # Leave room for the vertical scrollbar whether or not it is shown yet.
        visible = max(1, self.size.width - self.styles.scrollbar_size_vertical)
        # Line numbers as wide as the last one: past line 99,999 a sixth digit pushed the text one
        # cell right of where clicks were read. Counted once a text, not on every resize.
        if self._numbered is not self.document.text:
            self._numbered = self.document.text
            self._number_width = max(5, len(str(self.document.text.count("\n") + 1)))
        # As wide as the view leaves room for, however narrow: a ten-cell minimum was cut off below 47 columns.
        width = max(1, visible - self.margin)
        if width == self._width and self.rows and not force:
            return
        # What was in sight: the cursor, or (scrolled away from it by the wheel) the text at the top.
        # While an earlier rewrap's scroll is still to come (a screen's first layout resizes the view
        # twice below 60 columns), what that one keeps: the offset of rows not yet scrolled to is not it.
        if self._keep is None:
            top = self.scroll_offset.y
            cursor_seen = not self.rows or top <= self.row_of(self.cursor) < top + max(1, self.size.height)
            self._keep = KEEP_CURSOR if cursor_seen else self.rows[top].start if top < len(self.rows) else 0
        self._width = width
        self.rows = wrap(self.document.text, width)
        self.row_starts = [row.start for row in self.rows]
        self.virtual_size = Size(visible, len(self.rows))
        self.refresh()
        # A narrower view has more rows: what was in sight is kept so, once the new rows are laid out.
        self.call_after_refresh(self._keep_in_sight)

    def _keep_in_sight(self) -> None:
        keep, self._keep = self._keep, None
        if keep == KEEP_CURSOR:
            self.scroll_to_region_row(self.row_of(self.cursor))
        elif keep is not None:
            self.scroll_to(y=self.row_of(keep), animate=False)

    @property
    def margin(self) -> int:
        """Cells before the text: the line number, the coded-passage bar and the selection marker."""
        return self._number_width + MARGIN - 5

    def _visible_width(self) -> int:
        return max(1, self.size.width - self.styles.scrollbar_size_vertical)

    def row_of(self, offset: int) -> int:
        return max(0, bisect_right(self.row_starts, offset) - 1)

    # --- drawing ------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        if index >= len(self.rows):
            return Strip.blank(self._visible_width(), Style())
        row = self.rows[index]
        text = self.document.text
        codings = self.codings_between(row.start, max(row.end, row.start + 1))
        first_of_line = index == 0 or self.rows[index - 1].line != row.line
        number = f"{row.line:{self._number_width}}" if first_of_line else " " * self._number_width
        bar = "▌" if codings else " "
        bar_style = Style(color=codings[0].colour or "yellow", bold=True) if codings else Style()
        cursor_row = self.row_of(self.cursor) == index
        selection = self.selection
        selected = selection is not None and selection[0] < max(row.end, row.start + 1) and selection[1] > row.start
        pending = self.pending if selection is None else None
        to_code = pending is not None and pending[0] < max(row.end, row.start + 1) and pending[1] > row.start
        # Every segment has a style: Textual's monochrome filter (NO_COLOR) fails on one without.
        marker = (Segment(SELECTED, Style(bold=True)) if selected else Segment(PENDING, Style()) if to_code
                  else Segment(" ", Style()))
        segments = [Segment(number, Style(dim=not cursor_row, bold=cursor_row)), Segment(bar, bar_style), marker]
        segments += self._text_segments(text, row, codings)
        return Strip(segments).crop_extend(0, self._visible_width(), Style())

    def _text_segments(self, text: str, row: Row, codings: list[ReaderCoding]) -> list[Segment]:
        selection = self.selection
        segments: list[Segment] = []
        run_style: Style | None = None
        run_text = ""
        for offset in range(row.start, row.end):
            style = self._style_at(offset, codings, selection)
            if style != run_style and run_text:
                segments.append(Segment(run_text, run_style))
                run_text = ""
            run_style = style
            character = text[offset]
            # A tab or other control character takes no cell in Rich's reckoning but moves a real
            # terminal's cursor: drawn as it is, it shifts the rest of the line and the panel beside
            # it. One space in its place keeps one cell per character, as offsets and clicks assume.
            run_text += " " if character < " " or character == "\x7f" else character
        if run_text:
            segments.append(Segment(run_text, run_style))
        return segments

    def _style_at(self, offset: int, codings: list[ReaderCoding], selection: tuple[int, int] | None) -> Style:
        style = Style()
        for coding in codings:
            if coding.start <= offset < coding.end:
                # Colour and an underline: the underline carries the meaning in 16 colours and for colour-blind readers.
                style = Style(color=coding.colour or "yellow", underline=True)
                break
        selected = selection is not None and selection[0] <= offset < selection[1]
        if selected:
            style += Style(reverse=True)
        elif selection is None and self.pending is not None and self.pending[0] <= offset < self.pending[1]:
            style += Style(bold=True)  # bold, not a colour: it shows in 16 colours and without any
        if offset == self.cursor:
            # Inside the reversed selection the cursor turns back, so it is never lost in it.
            style += Style(reverse=not selected, bold=True, underline=selected or None)
        return style

    # --- mouse ------------------------------------------------------------------------------
    def offset_at(self, point: Offset) -> int | None:
        """The text offset drawn at `point` (relative to the content), if text is drawn there."""
        index = self.scroll_offset.y + point.y
        if not 0 <= index < len(self.rows):
            return None
        row = self.rows[index]
        # Cell by cell: a Chinese character or an emoji takes two, a mark or a joiner none.
        text, cell, offset = self.document.text, 0, row.start
        while offset < row.end - 1:
            size = cells(text[offset])
            if cell + size > point.x - self.margin:
                break
            cell += size
            offset += 1
        while offset > row.start and cells(text[offset]) == 0:  # a click lands on a character, not on its mark
            offset -= 1
        return offset

    def on_click(self, event: events.Click) -> None:
        point = event.get_content_offset(self)
        offset = self.offset_at(point) if point is not None else None
        if offset is None:
            return
        if event.shift:  # extend: from the cursor (or the selection's start) to the click
            anchor = self.selection[0] if self.selection else self.cursor
            end = max(anchor, offset) + 1
            text = self.document.text
            while end < len(text) and cells(text[end]) == 0:  # the clicked character's marks and joiners with it
                end += 1
            self.select((min(anchor, offset), end))
        else:
            if self.selection is not None:
                self.select(None)
            self.move_to(offset)
            self.post_message(self.Clicked(offset, event.chain))

    # --- cursor and selection -----------------------------------------------------------
    def move_to(self, offset: int) -> None:
        offset = max(0, min(offset, max(0, len(self.document.text) - 1)))
        self.cursor = offset
        self.placed = True
        if self._keep is not None:  # a rewrap's scroll still to come keeps the cursor now, not what was in sight
            self._keep = KEEP_CURSOR
        row = self.row_of(offset)
        self.scroll_to_region_row(row)
        self.post_message(self.CursorMoved(offset))

    def scroll_to_region_row(self, row: int) -> None:
        top = self.scroll_offset.y
        height = max(1, self.size.height)
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    def select(self, span: tuple[int, int] | None) -> None:
        self.selection = span
        if span is not None:  # shown selected: what c codes
            self.placed = True
        self.post_message(self.SelectionChanged(span))

    def move_rows(self, delta: int) -> None:
        if not self.rows:  # nothing but blank lines
            return
        row = min(max(0, self.row_of(self.cursor) + delta), len(self.rows) - 1)
        self.move_to(self.rows[row].start)
