"""Keys typed ahead, as a hurried hand over SSH sends them: the keys that close a screen, arriving together,
close it once, and the screen under it stays."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from qualcode.tui.app import QualcodeApp
from qualcode.tui.modals.code_picker import CodePicker
from qualcode.tui.modals.memo_editor import MemoEditor
from qualcode.tui.screens.export import ExportScreen
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.screens.overview import OverviewScreen
from qualcode.tui.screens.reader import ReaderScreen
from qualcode.tui.screens.review import ReviewScreen
from qualcode.tui.screens.start import StartScreen
from tests.conftest import burst, open_tui, settle
from tests.test_cli import run
from tests.test_tui import SIZE, codings_in, open_first, select_sentence, until

FIRST = "Jeg har vært her i seks år."


async def test_enter_twice_on_a_memo_saves_it_once_and_the_reader_stays(sample_project: Path) -> None:
    """The second Enter dismissed the editor again, which popped the reader under it: the researcher was back
    at the overview, the transcript closed."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await select_sentence(pilot, reader, FIRST)
        await pilot.press("c", "m")
        await until(app, pilot, lambda: reader.status_text.startswith("coded"), "coded")
        await pilot.press("m")
        await until(app, pilot, lambda: isinstance(app.screen, MemoEditor), "the memo editor")
        await pilot.press(*"Tydelig")
        burst(app, "enter", "enter")
        await until(app, pilot, lambda: codings_in(sample_project)[0][2] == "Tydelig", "the memo saved")
        await settle(pilot, pauses=2)
        assert app.is_running and app.screen is reader
        assert [type(screen) for screen in app.screen_stack[1:]] == [OverviewScreen, ReaderScreen]


async def test_enter_twice_on_the_start_screen_starts_once(sample_project: Path) -> None:
    """The start screen is the only one on the stack: dismissed twice, it ended the app with a traceback
    ("Can't pop screen; there must be at least one screen on the stack")."""
    app = open_tui(sample_project, coder=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        app.screen.query_one("#start-name", Input).value = "Kari"
        burst(app, "enter", "enter")
        await until(app, pilot, lambda: isinstance(app.screen, OverviewScreen), "the overview")
        assert app.is_running and app.coder_name == "Kari"


async def test_a_choice_and_escape_together_in_the_picker_leave_the_reader_open(sample_project: Path) -> None:
    """Enter chose a code and Escape cancelled, each dismissing the picker: the second took the reader with it."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await select_sentence(pilot, reader, FIRST)
        await pilot.press("p")
        await until(app, pilot, lambda: isinstance(app.screen, CodePicker), "the picker")
        burst(app, "enter", "escape")
        await settle(pilot, rounds=2, pauses=2)
        assert app.is_running and app.screen is reader


async def test_escape_then_help_while_the_review_applies_its_decisions_leaves_the_review(sample_project: Path) -> None:
    """The review leaves once its decisions are applied, by then under the help opened meanwhile: it closed the
    help in its place, and stayed."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        await pilot.press("a")
        await until(app, pilot, lambda: isinstance(app.screen, ReviewScreen), "the review")
        burst(app, "escape", "question_mark")
        await until(app, pilot, lambda: any("pseudonymise" in str(note.message) for note in app._notifications), "applied")
        await settle(pilot, pauses=2)
        assert app.is_running and isinstance(app.screen, OverviewScreen)
        assert not any(isinstance(screen, (ReviewScreen, HelpScreen)) for screen in app.screen_stack)


async def test_an_export_refused_after_its_form_was_left_is_still_said(sample_project: Path) -> None:
    """ctrl+s and Escape together: the refusal went to the form, gone by then, and nothing was said at all."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        app.action_export()
        await until(app, pilot, lambda: isinstance(app.screen, ExportScreen), "the export form")
        burst(app, "ctrl+s", "escape")  # nothing is coded yet: the export is refused
        await until(app, pilot, lambda: not any(isinstance(screen, ExportScreen) for screen in app.screen_stack), "left")
        await until(app, pilot, lambda: any(note.severity == "error" for note in app._notifications), "the refusal said")
        [said] = [str(note.message) for note in app._notifications if note.severity == "error"]
        assert said.startswith("error: the project has no codings yet") and "\n" not in said
        assert app.is_running and isinstance(app.screen, OverviewScreen)


async def test_an_export_written_after_its_form_was_left_says_where(sample_project: Path) -> None:
    """ctrl+s and Escape together with codings to export: the file was written, and nobody said where."""
    coded = run("--project", str(sample_project), "--coder", "Forsker 1", "coding", "add", "leder_L1", "empowerment",
                "--match", FIRST)
    assert coded.exit_code == 0, coded.output
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        app.action_export()
        await until(app, pilot, lambda: isinstance(app.screen, ExportScreen), "the export form")
        burst(app, "ctrl+s", "escape")
        await until(app, pilot, lambda: not any(isinstance(screen, ExportScreen) for screen in app.screen_stack), "left")
        # The export runs in a worker after the form is gone: on a loaded host (the whole suite, three workers on two
        # cores) it once took longer than 100 rounds.
        await until(app, pilot, lambda: any("wrote" in str(note.message) for note in app._notifications), "the file said",
                    rounds=400)
        [said] = [str(note.message) for note in app._notifications if "wrote" in str(note.message)]
        written = Path(said.removeprefix("Export: wrote "))
        assert written.is_file() and written.stat().st_size > 0, said
        assert app.is_running and isinstance(app.screen, OverviewScreen)


def typed_together(app: QualcodeApp, *characters: str) -> None:
    """Keys arriving in one packet, each with its character as a terminal sends it (a code's key is read by
    its character)."""
    from textual import events

    assert app._driver is not None
    for character in characters:
        app._driver.send_message(events.Key(character, character))


async def test_c_and_a_codes_key_typed_together_code_the_selection(sample_project: Path) -> None:
    """`c` is a binding, which Textual runs once the key has bubbled from the transcript up to the app; the
    code's key typed with it reached the screen before that, while no code's key was awaited, and was
    dropped: nothing was coded, and the status line went on asking for the code's key (the next key typed,
    a `]` to move on, was then taken for it)."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await select_sentence(pilot, reader, FIRST)
        (shortcut,) = [code.shortcut for code in app.codes if code.path == "måltall-press"]
        assert shortcut is not None
        typed_together(app, "c", shortcut)
        await until(app, pilot, lambda: bool(codings_in(sample_project)), "coded")
        assert codings_in(sample_project) == [("måltall-press", FIRST, None)]
        assert not reader.awaiting_shortcut and reader.status_text.startswith("coded")
