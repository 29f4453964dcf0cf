"""The reader (TranscriptView) driven by Pilot: what c codes shown before it is coded, and a text rewritten
under it mapped off the UI thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from qualcode.coding.anchoring import LineMap
from qualcode.tui.screens.reader import WAIT_FOR_REWRITE, ReaderScreen
from qualcode.tui.widgets.transcript_view import PENDING, TranscriptView
from tests.conftest import open_tui, settle
from tests.test_tui import SIZE, add_transcript, codings_in, open_first, rewrite_with_the_key, until

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


def long_interview(repeats: int) -> str:
    """leder_L1's interview `repeats` times over, each round's questions numbered: about 1.6 KB a round, every
    line its own (a real transcript's lines seldom repeat)."""
    body = (Path(__file__).parent.parent / "transcripts" / "leder_L1.txt").read_text(encoding="utf-8").split("---\n", 2)[2]
    rounds = [body.replace("Intervjuer: ", f"Intervjuer: ({n}) ") for n in range(1, repeats + 1)]
    return "---\nparticipant: L1\nwave: T1\n---\n" + "\n".join(rounds)


async def test_a_long_text_rewritten_under_the_reader_is_mapped_while_the_ui_answers_keys(
        sample_project: Path, tmp_path: Path, often: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The map of a rewritten text's lines to the shown one's (0.8 s for 512 KB) was built on the UI thread:
    the screen froze, and keys waited for it. Now it is built in a worker: the old text stays shown and the
    cursor moves in it meanwhile, c says to wait, and the cursor is then carried to its words, which c codes."""
    add_transcript(sample_project, tmp_path, "lang", long_interview(40))
    # The map is held until the test lets it go (its own thread waits, the UI's does not), and said when done.
    entered, release, finished = threading.Event(), threading.Event(), threading.Event()
    built = LineMap.__init__

    def held(self: LineMap, old: str, new: str) -> None:
        if len(old) > 50_000:
            entered.set()
            release.wait(timeout=5)
        built(self, old, new)
        if len(old) > 50_000:
            finished.set()

    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "lang")
        await until(app, pilot, lambda: bool(reader.document.sentences), "the sentences", rounds=400)
        assert len(reader.document.text) > 60_000
        view = reader.view
        view.move_to(reader.document.text.rindex(SENTENCE))  # in the last round, after 80 "KVP"s
        rewrite_with_the_key(sample_project)
        monkeypatch.setattr(LineMap, "__init__", held)
        await until(app, pilot, entered.is_set, "the rewritten text seen, and its map begun", rounds=400)
        before = view.cursor
        await pilot.press("down")  # answered while the map is built: the cursor moves in the text still shown
        assert not finished.is_set(), "the key waited for the map"
        assert view.cursor != before and reader.rewriting is not None and "KVP" in reader.document.text
        await pilot.press("up")
        assert not finished.is_set()
        sentence = reader._containing("sentence")
        assert sentence is not None
        expected = reader.document.text[sentence[0]:sentence[1]]
        await pilot.press("c")  # nothing coded at the old text: said, and no code key awaited
        assert reader.status_text == WAIT_FOR_REWRITE and not reader.awaiting_shortcut
        assert codings_in(sample_project) == []
        release.set()
        await until(app, pilot, lambda: reader.rewriting is None and "(arbeidsgiver)" in reader.document.text, "shown",
                    rounds=400)
        assert finished.is_set() and "KVP" not in reader.document.text
        await until(app, pilot, lambda: view.pending is not None, "the sentence at the cursor found again", rounds=400)
        assert view.pending is not None and reader.document.text[view.pending[0]:view.pending[1]] == expected
        await pilot.press("c", "h")
        await until(app, pilot, lambda: reader.status_text.startswith("coded"), "coded")
    assert codings_in(sample_project) == [(HOPE, expected, None)]


async def test_a_whole_answer_that_swapped_places_with_its_mm_is_still_coded_in_the_reader(
    sample_project: Path, tmp_path: Path, often: None,
) -> None:
    """A corrected file swapped an answer and the "Mm." before it, under the reader: the answer coded
    whole was orphaned, and the reader showed it uncoded; it is coded where its words went."""
    from click.testing import CliRunner

    from qualcode.cli import cli

    answer = "Veilederen foreslo det, og jeg fikk være med og bestemme handlingsplanen."
    text = f"I: Hvordan kom du inn i programmet?\nD1: Mm.\nD1: {answer}\n\nI: Hva betydde det?\nD1: Det betydde mye.\n"
    add_transcript(sample_project, tmp_path, "bytte", text)
    coded = CliRunner().invoke(cli, ["--project", str(sample_project), "--coder", "Forsker 1", "coding", "add", "bytte", "empowerment",
                                          "--match", answer])
    assert coded.exit_code == 0, coded.output
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "bytte")
        [before] = reader.document.codings
        assert reader.document.text[before.start:before.end] == answer
        swapped = text.replace(f"D1: Mm.\nD1: {answer}\n", f"D1: {answer}\nD1: Mm.\n")
        (tmp_path / "bytte.txt").write_text(swapped, encoding="utf-8")
        replaced = CliRunner().invoke(cli, ["--project", str(sample_project), "--coder", "Forsker 1", "import", "--replace",
                                            str(tmp_path / "bytte.txt")])
        assert replaced.exit_code == 0 and "1 coding moved, none orphaned" in replaced.output, replaced.output
        await until(app, pilot, lambda: reader.document.text == swapped, "the replaced text shown", rounds=400)
        [after] = reader.document.codings
        assert (after.id, after.start, reader.document.text[after.start:after.end]) == (before.id, swapped.index(answer), answer)
