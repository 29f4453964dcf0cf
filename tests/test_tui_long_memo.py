"""A long memo pasted into the editor: keys take as long as in a short one, it is saved whole and
pseudonymised, and the reader's panel shows its start. The one-line field draws what Textual's own
field draws, from the characters it shows."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import Input, Static
from textual.widgets.input import Selection

from qualcode.tui.modals.memo_editor import MemoEditor
from qualcode.tui.widgets.as_written import SHOWN_AT_MOST
from qualcode.tui.widgets.prose_input import CellWidths, ProseInput
from tests.conftest import open_tui, settle
from tests.test_tui import SIZE, coded_sentence, codings_in, until

# About 530,000 characters on the one line a memo is, with a "…" in each sentence: Textual measures
# a text holding one a character at a time.
LONG_MEMO = "Det gikk bedre med mestringen … og hun hadde mer tro på seg selv. " * 8_000


async def test_keys_in_a_long_pasted_memo_take_as_long_as_in_a_short_one_and_it_is_saved_whole(sample_project: Path) -> None:
    """A 3.6 MB memo pasted into the editor took seconds a key: Textual's field measured and drew its
    whole line at each key and each blink of the cursor. Saved, the reader laid it out whole in its
    side panel, seconds more, and again at each move of the cursor onto the coding."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await coded_sentence(app, pilot)

        async def typed_after(pasted: str) -> list[float]:
            """Seconds each key took, typed after `pasted` in the memo editor; then saved."""
            await pilot.press("m")
            await until(app, pilot, lambda: isinstance(app.screen, MemoEditor), "the memo editor")
            field = app.screen.query_one("#memo-text", Input)
            field.value = ""
            field.post_message(events.Paste(pasted))
            await until(app, pilot, lambda: field.value == pasted, "pasted")
            seconds = []
            for key in "Slik":
                started = time.perf_counter()
                await pilot.press(key)
                seconds.append(time.perf_counter() - started)
            assert field.value == pasted + "Slik"
            await pilot.press("enter")
            await until(app, pilot, lambda: "memo saved" in reader.status_text and codings_in(sample_project)[0][2] == pasted + "Slik",
                        "saved", rounds=400)
            return seconds

        short = await typed_after("Kort. ")
        long = await typed_after(LONG_MEMO)
        assert max(long) < 4 * max(short) + 0.1, (short, long)  # before: 1.5 s a key and more, against 0.06 s
        panel = str(reader.query_one("#side-panel", Static).content)
        shown = panel.split("\nMemo: ", 1)[1].split("\n", 1)[0]
        assert shown.startswith("Det gikk bedre med mestringen … og hun") and shown.endswith("…") and len(shown) == SHOWN_AT_MOST
    assert codings_in(sample_project) == [("empowerment", "Jeg har vært her i seks år.", LONG_MEMO + "Slik")]


class _Fields(App[None]):
    """Textual's field and the prose field, the same width, one above the other."""

    def compose(self) -> ComposeResult:
        yield Input(id="input", select_on_focus=False)
        yield ProseInput(id="prose", select_on_focus=False)


def _cells(strip: Strip) -> list[tuple[str, object]]:
    """What a line shows, a character and its style at a time, however it is cut into segments."""
    return [(character, segment.style) for segment in strip for character in segment.text]


@pytest.mark.parametrize("value", [
    "Kort notat",
    LONG_MEMO[:5_000],
    "Bredt: 中文 og 🙂 mellom ord, " * 300,  # two cells each
    "e\u0301 og \u00ad skjult, " * 400,  # a combining mark and a soft hyphen: no cells
    "Med\ttabulator " * 50,  # measured by Textual's own
], ids=["short", "long", "wide", "no cells", "tabs"])
async def test_the_prose_field_draws_and_places_what_textuals_own_field_does(value: str) -> None:
    """With the cursor at its start, inside and at its end, text selected, and scrolled along."""
    app = _Fields()
    async with app.run_test(size=(60, 8)) as pilot:
        input, prose = app.query_one("#input", Input), app.query_one("#prose", ProseInput)
        for field in (input, prose):
            field.cursor_blink = False
            field.value = value
        places = sorted({0, 1, len(value) // 3, len(value) // 2, len(value) - 1, len(value)})
        for place, selected in [(place, False) for place in places] + [(len(value) // 2, True)]:
            shown = []
            for field in (input, prose):
                field.focus()
                field.cursor_position = place
                if selected:
                    field.selection = Selection(max(0, place - 40), place)
                await settle(pilot)
                assert field.scroll_offset.x == input.scroll_offset.x
                # A click past the text's end: Textual's own gives the cell's number as the index.
                within = range(-1, min(62, field.content_width - 1 - field.scroll_offset.x))
                shown.append((_cells(field.render_line(0)), field._cursor_offset, field.content_width,
                              [field._cell_offset_to_index(x) for x in within]))
            assert shown[0] == shown[1], (place, selected)


def test_cell_widths_changed_in_place_are_those_of_the_changed_text() -> None:
    text = "Bredt: 中文 og 🙂, e\u0301 …" * 20
    widths = CellWidths.of(text)
    assert widths is not None
    for start, end, typed in [(0, 0, "中"), (5, 9, ""), (30, 31, "🙂x"), (len(text), len(text), "e\u0301"), (3, len(text) - 3, "ok")]:
        changed = text[:start] + typed + text[end:]
        assert widths.replaced(start, end, typed) == CellWidths.of(changed)
