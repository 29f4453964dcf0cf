"""The reader (TranscriptView) driven by Pilot: what c codes shown before it is coded, and a text rewritten
under it mapped off the UI thread."""

from __future__ import annotations

from pathlib import Path

from qualcode.tui.screens.reader import ReaderScreen
from qualcode.tui.widgets.transcript_view import PENDING, TranscriptView
from tests.conftest import open_tui, settle
from tests.test_tui import SIZE, codings_in, open_first, until

HOPE = "empowerment/håp og motivasjon"
SENTENCE = "Det er ingen tvil om at det blir fulgt med på."


def drawn_bold(view: TranscriptView) -> tuple[set[int], set[int]]:
    """The text offsets the view draws bold on the screen, and the rows whose margin marks what c codes."""
    bold: set[int] = set()
    marked: set[int] = set()
    for y in range(view.size.height):
        index = view.scroll_offset.y + y
        if index >= len(view.rows):
            break
        row = view.rows[index]
        cells = [(character, segment.style) for segment in view.render_line(y) for character in segment.text]
        if cells[view.margin - 1][0] == PENDING:
            marked.add(index)
        for offset, (_character, style) in zip(range(row.start, row.end), cells[view.margin:], strict=False):
            if style is not None and style.bold:
                bold.add(offset)
    return bold, marked


async def test_the_sentence_c_codes_without_a_selection_is_shown_before_it_is_coded(sample_project: Path) -> None:
    """With no selection, c coded the sentence at the cursor, which nothing on the screen showed: the
    researcher saw what was coded only after coding it."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await until(app, pilot, lambda: bool(reader.document.sentences), "the sentences")
        view, text = reader.view, reader.document.text
        start = text.index(SENTENCE)
        view.move_to(start + len("Det er ingen"))  # inside the sentence, not at its start
        await settle(pilot, pauses=2)
        assert view.selection is None
        bold, marked = drawn_bold(view)
        span = (start, start + len(SENTENCE))
        assert bold == set(range(*span))  # the sentence, and nothing else, drawn bold (the cursor within it)
        assert marked == {view.row_of(offset) for offset in range(*span)}
        assert view.pending == span
        # Moved to another sentence, the mark goes with the cursor.
        view.move_to(text.index("Jeg har vært her i seks år."))
        await settle(pilot, pauses=2)
        assert view.pending is not None and text[view.pending[0]:view.pending[1]] == "Jeg har vært her i seks år."
        view.move_to(start)
        await settle(pilot, pauses=2)
        # A selection made is what is shown (reversed) and coded; the pending mark gives way to it.
        await pilot.press("v", "less_than_sign")
        await settle(pilot)
        assert view.selection is not None and drawn_bold(view)[1] == set()
        await pilot.press("escape")
        await settle(pilot, pauses=2)
        assert view.pending == span
        await pilot.press("c", "h")
        await until(app, pilot, lambda: reader.status_text.startswith("coded"), "coded")
        assert isinstance(app.screen, ReaderScreen)
    assert codings_in(sample_project) == [(HOPE, text[span[0]:span[1]], None)]
