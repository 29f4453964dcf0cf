"""Changes another session makes while the terminal UI is open: a colleague's command or UI on the same
project file, here a second Workspace or the command line on it (another connection). The UI looks at the
project's log every CHECK_SECONDS (a tenth of a second here) and shows them where the researcher is."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from textual.widgets import DataTable, Input, OptionList, TextArea

from qualcode.config import Config
from qualcode.errors import ProjectError
from qualcode.store.models import Event
from qualcode.store.project import DATABASE_FILE, PROJECT_DIR
from qualcode.tui import elsewhere
from qualcode.tui.app import QualcodeApp
from qualcode.tui.modals.code_picker import CodePicker, code_for_key
from qualcode.tui.screens.analysis import AnalysisScreen
from qualcode.tui.screens.compare import CompareScreen
from qualcode.tui.screens.export import ExportScreen
from qualcode.tui.screens.framework import CELL_WIDTH, FrameworkScreen
from qualcode.tui.screens.overview import OverviewScreen
from qualcode.tui.screens.reader import ReaderScreen
from qualcode.tui.screens.search import SearchScreen
from qualcode.tui.screens.segments import SegmentsScreen
from qualcode.workspace import Changes, Workspace
from tests.conftest import open_tui, settle
from tests.test_cli import run
from tests.test_tui import (
    SIZE,
    add_transcript,
    codings_in,
    open_first,
    rewrite_with_the_key,
    select_sentence,
    until,
)

HOPE = "empowerment/håp og motivasjon"
FIRST = "Jeg har vært her i seks år."
SECOND = "Det er ingen tvil om at det blir fulgt med på."
NEW = "empowerment/nytt blikk"
AVMAKT = "empowerment/avmakt"


@pytest.fixture
def looking(not_looking_elsewhere: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The UI looks for other sessions' changes every tenth of a second, not every 1.5 s."""
    monkeypatch.setattr(elsewhere, "CHECK_SECONDS", 0.1)


def colleague(root: Path) -> Workspace:
    """Another session on the same project file: its own engine and connections."""
    return Workspace.open(Config.resolve(project=root, coder="Forsker 2"))


def told(app: QualcodeApp) -> list[str]:
    return [str(note.message) for note in app._notifications if note.title == "Changed elsewhere"]


async def reading_first(app: QualcodeApp, pilot: Any) -> ReaderScreen:
    """leder_L1 open, FIRST coded with h from this UI, then selected again with the cursor on it."""
    reader = await open_first(app, pilot, "leder_L1")
    await select_sentence(pilot, reader, FIRST)
    await pilot.press("c", "h")
    await until(app, pilot, lambda: reader.status_text.startswith("coded"), "coded")
    await select_sentence(pilot, reader, FIRST)
    assert reader.view.selection is not None
    return reader


async def picking(app: QualcodeApp, pilot: Any) -> CodePicker:
    """The code picker, opened from the reader by `p`."""
    await pilot.press("p")
    await until(app, pilot, lambda: isinstance(app.screen, CodePicker), "the picker")
    picker = app.screen
    assert isinstance(picker, CodePicker)
    return picker


def test_the_log_tells_another_sessions_changes_from_this_ones(sample_project: Path) -> None:
    """The service the UI looks with: its own events are known by their GUIDs; another's are not; and the
    newest event deleted (a withdrawal deletes events) with its id given to the next is told apart by its GUID."""
    with colleague(sample_project) as other, Workspace.open(Config.resolve(project=sample_project, coder="Forsker 1")) as own:
        mark = own.log_mark()
        assert own.changes_since(mark) == Changes(mark, elsewhere=False)
        own.create_code(NEW)
        found = own.changes_since(mark)
        assert not found.elsewhere and found.mark != mark and found.mark == own.log_mark()
        assert own.project.recorded_here == set()  # forgotten once looked past
        other.create_code(f"{NEW}/under")
        found = own.changes_since(found.mark)
        assert found.elsewhere and found.mark == other.log_mark()
        newest = found.mark
        assert newest is not None
        with other.begin() as session:
            session.execute(delete(Event).where(Event.id == newest.event_id))
        other.create_code(f"{NEW}/igjen")  # takes the deleted event's id
        again = own.log_mark()
        assert again is not None and again.event_id == newest.event_id and again.guid != newest.guid
        assert own.changes_since(newest) == Changes(again, elsewhere=True)


async def test_a_code_added_renamed_or_deleted_elsewhere_shows_in_the_reader_where_the_researcher_is(
        sample_project: Path, looking: None) -> None:
    """The reader went on showing the codebook it opened with (shortcuts, the side panel, the marks'
    code names) until a key made it read the codebook again."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await reading_first(app, pilot)
        cursor, selection = reader.view.cursor, reader.view.selection

        with colleague(sample_project) as other:
            other.create_code(NEW)
        await until(app, pilot, lambda: NEW in {code.path for code in reader.codes}, "the new code listed")
        assert NEW in {code.path for code in app.codes}
        await until(app, pilot, lambda: "Changed in another session: the codebook" in told(app), "told")

        # A shortcut given elsewhere: c and the key code with it from now on.
        assert run("--project", str(sample_project), "codebook", "edit", NEW, "--shortcut", "w").exit_code == 0
        await until(app, pilot, lambda: getattr(code_for_key(reader.codes, "w"), "path", None) == NEW, "the new key")

        # Renamed elsewhere: the coding's mark and the side panel name the code as it is now.
        assert run("--project", str(sample_project), "codebook", "rename", HOPE, "håpet").exit_code == 0
        await until(app, pilot, lambda: [c.code_path for c in reader.document.codings] == ["empowerment/håpet"], "renamed")
        await until(app, pilot, lambda: "empowerment/håpet" in str(reader.query_one("#side-panel").render()), "the panel")
        assert HOPE not in {code.path for code in reader.codes}
        await until(app, pilot, lambda: "Changed in another session: the codebook and the codings of leder_L1" in told(app),
                    "told of both")

        # Deleted elsewhere: gone from the reader's codes and the app's.
        assert run("--project", str(sample_project), "codebook", "delete", NEW).exit_code == 0
        await until(app, pilot, lambda: NEW not in {code.path for code in reader.codes}, "deleted")
        assert NEW not in {code.path for code in app.codes} and code_for_key(reader.codes, "w") is None

        # The researcher's place is kept throughout: the transcript, the cursor and the selection.
        assert app.screen is reader and reader.document.transcript == "leder_L1"
        assert (reader.view.cursor, reader.view.selection) == (cursor, selection)


async def test_a_coding_added_elsewhere_is_marked_in_the_reader(sample_project: Path, looking: None) -> None:
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await reading_first(app, pilot)
        cursor, selection = reader.view.cursor, reader.view.selection
        second = reader.document.text.index(SECOND)
        assert reader.view.codings_between(second, second + 1) == []
        with colleague(sample_project) as other:
            other.add_coding("leder_L1", "måltall-press", (second, second + len(SECOND)))
        await until(app, pilot, lambda: bool(reader.view.codings_between(second, second + 1)), "marked")
        assert [(c.code_path, c.coder) for c in reader.view.codings_between(second, second + 1)] == [("måltall-press", "Forsker 2")]
        await until(app, pilot, lambda: "Changed in another session: the codings of leder_L1" in told(app), "told")
        assert app.screen is reader and (reader.view.cursor, reader.view.selection) == (cursor, selection)


async def test_the_open_picker_lists_a_code_added_elsewhere_and_keeps_what_is_typed(sample_project: Path, looking: None) -> None:
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await reading_first(app, pilot)
        picker = await picking(app, pilot)
        await pilot.press(*"blikk")
        with colleague(sample_project) as other:
            other.create_code(NEW)
        await until(app, pilot, lambda: NEW in [code.path for code in picker.shown], "listed")
        assert app.screen is picker and picker.query_one("#picker-query", Input).value == "blikk"
        await pilot.press("enter")  # the code added elsewhere, picked and coded with
        await until(app, pilot, lambda: app.screen is reader and NEW in [c.code_path for c in reader.document.codings], "coded")


async def test_the_code_highlighted_in_the_open_picker_stays_highlighted_when_renamed_elsewhere(
        sample_project: Path, looking: None) -> None:
    """Renamed, and a new code given its old name, while highlighted: the highlight followed the name to the new code,
    which Enter then coded."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await reading_first(app, pilot)
        picker = await picking(app, pilot)
        await pilot.press(*"avmakt")
        options = picker.query_one("#picker-options", OptionList)
        await until(app, pilot, lambda: options.highlighted is not None and picker.shown[options.highlighted].path == AVMAKT, "avmakt")
        assert run("--project", str(sample_project), "codebook", "rename", AVMAKT, "maktesløshet").exit_code == 0
        assert run("--project", str(sample_project), "codebook", "add", AVMAKT).exit_code == 0
        await until(app, pilot, lambda: [c.path for c in picker.shown].count(AVMAKT) == 1 and "empowerment/maktesløshet" in
                    [c.path for c in picker.shown], "listed as they are now")
        assert options.highlighted is not None and picker.shown[options.highlighted].path == "empowerment/maktesløshet"
        await pilot.press("enter")
        await until(app, pilot, lambda: reader.status_text.startswith("coded"), "coded")
        assert "coded: empowerment/maktesløshet" in reader.status_text


async def test_the_analysis_counts_follow_a_coding_made_elsewhere_with_the_cursor_kept(sample_project: Path, looking: None) -> None:
    with colleague(sample_project) as other:
        for transcript, code, sentence in (("leder_L1", "måltall-press", FIRST), ("leder_L1", HOPE, SECOND)):
            start = other.document(transcript).text.index(sentence)
            other.add_coding(transcript, code, (start, start + len(sentence)))
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=2)
        await pilot.press("m")
        await until(app, pilot, lambda: isinstance(app.screen, AnalysisScreen) and app.screen.matrix is not None, "counted")
        screen = app.screen
        assert isinstance(screen, AnalysisScreen) and screen.matrix is not None
        grid: DataTable[Any] = screen.query_one(DataTable)
        grid.move_cursor(row=grid.get_row_index("måltall-press"), column=len(grid.columns) - 1, animate=False)
        where = grid.cursor_coordinate
        before = screen.matrix.total
        with colleague(sample_project) as other:
            start = other.document("veileder_V1").text.index("Det ble mer om antall")
            other.add_coding("veileder_V1", "måltall-press", (start, start + 20))
        await until(app, pilot, lambda: screen.matrix is not None and screen.matrix.total == before + 1, "counted again")
        assert app.screen is screen and grid.cursor_coordinate == where
        await until(app, pilot, lambda: "Changed in another session: the counts" in told(app), "told")


async def test_the_overview_and_a_codes_passages_follow_codings_made_elsewhere(sample_project: Path, looking: None) -> None:
    """The overview's codings and progress, and the passages listed with their filter, as another session has left them."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=2)
        overview = app.screen
        assert isinstance(overview, OverviewScreen)
        table: DataTable[Any] = overview.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("veileder_V1"))

        def codings_of(name: str) -> int:
            return next(t.codings for t in overview.transcripts if t.name == name)

        with colleague(sample_project) as other:
            start = other.document("leder_L1").text.index(FIRST)
            other.add_coding("leder_L1", "måltall-press", (start, start + len(FIRST)))
        await until(app, pilot, lambda: codings_of("leder_L1") == 1, "counted")
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == "veileder_V1"
        await until(app, pilot, lambda: "Changed in another session: the transcripts listed" in told(app), "told")

        app.browse_code("måltall-press")
        await until(app, pilot, lambda: isinstance(app.screen, SegmentsScreen) and len(app.screen.quotes) == 1, "listed")
        passages = app.screen
        assert isinstance(passages, SegmentsScreen)
        await pilot.press("slash", *"leder")
        with colleague(sample_project) as other:
            start = other.document("leder_L1").text.index(SECOND)
            other.add_coding("leder_L1", "måltall-press", (start, start + len(SECOND)))
        await until(app, pilot, lambda: len(passages.shown) == 2, "listed again")
        assert passages.query_one("#segments-filter", Input).value == "leder" and app.screen is passages


async def test_changes_made_in_this_ui_are_not_read_again_as_another_sessions(sample_project: Path, looking: None,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Its own codings, memos and codes are shown as they are saved: a look finds them, and reads nothing more."""
    app = open_tui(sample_project)
    looks: list[Changes] = []
    workspace = app.workspace
    changes_since = workspace.changes_since

    def recorded(seen: Any) -> Changes:
        changes = changes_since(seen)
        looks.append(changes)
        return changes

    monkeypatch.setattr(workspace, "changes_since", recorded)
    async with app.run_test(size=SIZE) as pilot:
        reader = await reading_first(app, pilot)
        await pilot.press("m")
        await pilot.press(*"Et notat", "enter")
        await until(app, pilot, lambda: reader.status_text.startswith("memo saved"), "memo saved")
        mark = workspace.log_mark()
        await until(app, pilot, lambda: app.change_watch.seen == mark and len(looks) > 3, "looked past this UI's changes")
        assert [changes.elsewhere for changes in looks] == [False] * len(looks) and told(app) == []
        with colleague(sample_project) as other:
            other.create_code(NEW)
        await until(app, pilot, lambda: any(changes.elsewhere for changes in looks), "another's change found")


async def test_a_locked_or_failing_look_leaves_the_ui_running_and_the_next_one_finds_the_change(
        sample_project: Path, looking: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A look waits while another process holds the database locked (one look, not one per tick), and one
    that fails (busy past its timeout) says nothing: the next one looks again."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await reading_first(app, pilot)
        await settle(pilot, pauses=2)
        # The UI's idle connections closed, so another can lock the file against reading too.
        app.workspace.project.engine.dispose()
        holder = sqlite3.connect(sample_project / PROJECT_DIR / DATABASE_FILE, isolation_level=None)
        try:
            holder.execute("PRAGMA locking_mode = EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
            holder.execute("UPDATE settings SET value = value WHERE 0")
            for _ in range(8):
                await pilot.pause(0.1)
                assert len([w for w in app.workers if w.group == "elsewhere" and not w.is_finished]) <= 1
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        failures = 2

        def busy(seen: Any) -> Changes:
            nonlocal failures
            if failures:
                failures -= 1
                raise ProjectError("the project is busy: another qualcode command has been writing to it for more than 5 seconds")
            return Workspace.changes_since(app.workspace, seen)

        await settle(pilot)  # the look that waited for the lock has ended
        monkeypatch.setattr(app.workspace, "changes_since", busy)
        await until(app, pilot, lambda: failures == 0, "two looks failed")
        with colleague(sample_project) as other:
            other.create_code(NEW)
        await until(app, pilot, lambda: NEW in {code.path for code in reader.codes}, "found after the failures")
        assert app.is_running and app.screen is reader
        assert not [note for note in app._notifications if note.severity == "error"]


# leder_L1's first answer, one line: a sentence ending in "KVP", which the key learns (as "(arbeidsgiver)", 11
# characters longer), then another; and its last, where "KVP" comes before the last sentence.
NAMED = "Jeg er avdelingsleder for oppfølging her på kontoret, og jeg har ansvaret for KVP."
LAST = "Det gir noen diskusjoner."


async def rewritten(app: QualcodeApp, pilot: Any, reader: ReaderScreen) -> None:
    """leder_L1 rewritten by the key learning "KVP" in another process, read again by the reader and its sentences found."""
    rewrite_with_the_key(reader.qualcode.workspace.project.root)
    await until(app, pilot, lambda: "(arbeidsgiver)" in reader.document.text and bool(reader.document.sentences), "read again")


def text_changed(app: QualcodeApp) -> list[str]:
    return [str(note.message) for note in app._notifications if note.title == "Text changed"]


async def test_a_name_learned_before_the_cursor_in_its_line_leaves_the_cursor_on_the_same_words(
        sample_project: Path, looking: None) -> None:
    """The cursor stood on FIRST, after "KVP" in the same line: read again, it stood as far from the line's start
    as before, 11 characters short of its words, in the sentence before, which c then coded."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await until(app, pilot, lambda: bool(reader.document.sentences), "the sentences")
        reader.view.move_to(reader.document.text.index(FIRST) + len("Jeg "))
        await rewritten(app, pilot, reader)
        assert reader.document.text[reader.view.cursor:].startswith("har vært her i seks år.")
        assert text_changed(app) == []  # nothing to warn of: the cursor is where it was
        await pilot.press("c", "h")
        await until(app, pilot, lambda: reader.status_text.startswith("coded"), "coded")
    assert codings_in(sample_project) == [(HOPE, FIRST, None)]


async def test_a_selection_after_a_name_learned_in_its_line_stays_on_its_words_and_is_what_c_codes(
        sample_project: Path, looking: None) -> None:
    """The selection went with the rewrite, and c coded the sentence at the cursor, placed 11 characters short
    of its words: the sentence before, which the researcher had not selected."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await until(app, pilot, lambda: bool(reader.document.sentences), "the sentences")
        await select_sentence(pilot, reader, LAST)
        await rewritten(app, pilot, reader)
        text, selection = reader.document.text, reader.view.selection
        assert selection is not None and text[selection[0]:selection[1]] == LAST
        assert selection[0] <= reader.view.cursor < selection[1]
        await pilot.press("c", "h")
        await until(app, pilot, lambda: reader.status_text.startswith("coded"), "coded")
    assert codings_in(sample_project) == [(HOPE, LAST, None)]


async def test_a_cursor_on_the_words_a_rewrite_replaced_is_not_coded_at_a_guess(sample_project: Path, looking: None) -> None:
    """The cursor stood on "KVP", which the key replaced: where it belongs in "(arbeidsgiver)" cannot be known. The
    reader guessed, and c and x acted on the guess; now it says the cursor moved, and they wait until the cursor
    is put somewhere or a passage selected, which is then what is coded."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await until(app, pilot, lambda: bool(reader.document.sentences), "the sentences")
        await select_sentence(pilot, reader, NAMED)
        await pilot.press("c", "x")  # avmakt, on the sentence the name is in
        await until(app, pilot, lambda: reader.status_text.startswith("coded"), "coded")
        reader.view.move_to(reader.document.text.index("KVP. Jeg har"))
        await rewritten(app, pilot, reader)
        await until(app, pilot, lambda: bool(text_changed(app)), "told")
        assert "the cursor moved" in text_changed(app)[0] and reader.view.selection is None
        named = NAMED.replace("KVP", "(arbeidsgiver)")
        assert [(c.code_path, reader.document.text[c.start:c.end]) for c in reader.document.codings] == [(AVMAKT, named)]
        await pilot.press("c", "h")
        await settle(pilot, rounds=2, pauses=2)
        assert "the cursor moved" in reader.status_text
        await pilot.press("x")
        await settle(pilot, rounds=2, pauses=2)
        assert "the cursor moved" in reader.status_text
        assert codings_in(sample_project) == [(AVMAKT, named, None)]
        await pilot.press("v")  # the sentence at the cursor, shown selected: what c codes now
        await settle(pilot)
        selection = reader.view.selection
        assert selection is not None and reader.document.text[selection[0]:selection[1]] == named
        await pilot.press("c", "h")
        await until(app, pilot, lambda: reader.status_text.startswith("coded"), "coded")
    assert sorted(codings_in(sample_project)) == [(AVMAKT, named, None), (HOPE, named, None)]


async def test_a_new_version_imported_with_a_word_added_before_the_cursor_in_its_line_leaves_it_on_its_words(
        sample_project: Path, looking: None, tmp_path: Path) -> None:
    """`import --replace` of leder_L1 with a word added early in the cursor's line: the cursor stood as far from the
    line's start as before, in the sentence before its own, which c coded."""
    sentence = "Kommunen har sitt budsjett, staten har sitt."
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await until(app, pilot, lambda: bool(reader.document.sentences), "the sentences")
        reader.view.move_to(reader.document.text.index(sentence))
        corrected = tmp_path / "rettet" / "leder_L1.txt"
        corrected.parent.mkdir()
        original = (Path(__file__).parent.parent / "transcripts" / "leder_L1.txt").read_text(encoding="utf-8")
        corrected.write_text(original.replace("Partnerskapet fungerer,", "Partnerskapet fungerer godt,"), encoding="utf-8")
        result = run("--project", str(sample_project), "--coder", "Forsker 2", "import", "--replace", str(corrected))
        assert result.exit_code == 0, result.output
        await until(app, pilot, lambda: "fungerer godt" in reader.document.text and bool(reader.document.sentences), "read again")
        assert reader.document.text[reader.view.cursor:].startswith(sentence) and text_changed(app) == []
        await pilot.press("c", "h")
        await until(app, pilot, lambda: reader.status_text.startswith("coded"), "coded")
    assert codings_in(sample_project) == [(HOPE, sentence, None)]


# --- the framework matrix, a comparison of two coders, search hits and the export form -----------------------
MALTALL = "måltall-press"


def code_sentence(other: Workspace, transcript: str, code: str, sentence: str) -> None:
    start = other.document(transcript).text.index(sentence)
    other.add_coding(transcript, code, (start, start + len(sentence)))


async def test_the_framework_matrix_follows_a_passage_coded_elsewhere_with_the_cell_and_the_summary_typed_kept(
        sample_project: Path, looking: None) -> None:
    """The matrix went on showing the passages it opened with until it was left and opened again."""
    with Workspace.open(Config.resolve(project=sample_project, coder="Forsker 1")) as own:
        code_sentence(own, "leder_L1", MALTALL, FIRST)
        code_sentence(own, "veileder_V1", HOPE, "Det ble mer om antall enn om hva folk faktisk trengte.")
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=2)
        app.action_framework()
        await until(app, pilot, lambda: isinstance(app.screen, FrameworkScreen) and app.screen.matrix is not None, "the matrix")
        screen = app.screen
        assert isinstance(screen, FrameworkScreen) and screen.matrix is not None
        grid: DataTable[Any] = screen.query_one(DataTable)
        participants = [row.participant for row in screen.matrix.rows]
        codes = [code.path for code in screen.matrix.codes]
        grid.move_cursor(row=participants.index("L1"), column=codes.index(MALTALL) + 1, animate=False)
        await settle(pilot, pauses=2)
        assert screen.current == ("L1", MALTALL) and len(screen.cells[("L1", MALTALL)].passages) == 1
        await pilot.press("e", *"Utkast om press")  # typed, not saved
        where = grid.cursor_coordinate
        with colleague(sample_project) as other:  # Forsker 2's passage: the matrix shows every coder's
            code_sentence(other, "leder_L1", MALTALL, SECOND)
        await until(app, pilot, lambda: len(screen.cells[("L1", MALTALL)].passages) == 2, "the new passage listed")
        await until(app, pilot, lambda: "Changed in another session: the framework matrix" in told(app), "told")
        assert SECOND[:30] in str(screen.query_one("#framework-passages").render())
        assert app.screen is screen and grid.cursor_coordinate == where and screen.current == ("L1", MALTALL)
        summary = screen.query_one("#framework-summary", TextArea)
        assert summary.text == "Utkast om press" and summary.has_focus


async def test_a_summary_saved_while_the_matrix_is_read_again_for_a_rename_elsewhere_goes_into_the_renamed_cell(
        sample_project: Path) -> None:
    """The save, held by another's write, ended after the matrix was read again with the code's new name: the
    screen looked for the cell under the old one, and the app died with a traceback (CellDoesNotExist)."""
    with Workspace.open(Config.resolve(project=sample_project, coder="Forsker 1")) as own:
        code_sentence(own, "leder_L1", MALTALL, FIRST)
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=2)
        app.action_framework()
        await until(app, pilot, lambda: isinstance(app.screen, FrameworkScreen) and app.screen.matrix is not None, "the matrix")
        screen = app.screen
        assert isinstance(screen, FrameworkScreen) and screen.matrix is not None
        grid: DataTable[Any] = screen.query_one(DataTable)
        codes = [code.path for code in screen.matrix.codes]
        grid.move_cursor(row=[row.participant for row in screen.matrix.rows].index("L1"), column=codes.index(MALTALL) + 1,
                         animate=False)
        await settle(pilot, pauses=2)
        await pilot.press("e", *"Utkast om press")
        with colleague(sample_project) as other:
            other.rename_code(MALTALL, "målpress")
        holder = sqlite3.connect(sample_project / PROJECT_DIR / DATABASE_FILE, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another command writing: the save waits for it
            await pilot.press("escape")  # leaves the summary, saving it
            app.change_watch.look()  # meanwhile the rename is found, and the matrix read again
            for _ in range(100):  # not settled: that would wait for the save, which waits for the lock
                await pilot.pause(0.02)
                if screen.current == ("L1", "målpress"):
                    break
            assert screen.current == ("L1", "målpress") and app.is_running
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        await until(app, pilot, lambda: screen.cells[("L1", "målpress")].summary == "Utkast om press", "the summary saved")
        assert app.is_running and app.screen is screen
        assert "Utkast om press"[:CELL_WIDTH - 1] in str(grid.get_cell("L1", "målpress"))
        assert not app.drafts


async def test_the_comparison_follows_a_coding_made_elsewhere_with_the_disagreement_and_its_edit_span_kept(
        sample_project: Path, looking: None) -> None:
    """A disagreement a coder made or mended in another session was shown only after a decision here read them again."""
    third = "Og så rapporterer vi på det hver måned."
    with Workspace.open(Config.resolve(project=sample_project, coder="Forsker 1")) as own, colleague(sample_project) as other:
        code_sentence(own, "leder_L1", MALTALL, FIRST)
        code_sentence(own, "leder_L1", MALTALL, SECOND)
        code_sentence(other, "leder_L1", MALTALL, FIRST)  # agreed: only SECOND is a disagreement
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=2)
        app.push_screen(CompareScreen("leder_L1", "Forsker 1", "Forsker 2"))
        await until(app, pilot, lambda: isinstance(app.screen, CompareScreen) and len(app.screen.found) == 1, "compared")
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        table: DataTable[Any] = screen.query_one(DataTable)
        current = screen.current
        assert current is not None and screen.text[current.start:current.end] == SECOND
        await pilot.press("less_than_sign")  # the edit span's end a word back
        edit = screen.edit
        assert edit != (current.start, current.end)
        with colleague(sample_project) as other:
            code_sentence(other, "leder_L1", MALTALL, third)  # before SECOND in the text: a row above it
        await until(app, pilot, lambda: len(screen.found) == 2, "the new disagreement listed")
        await until(app, pilot, lambda: "Changed in another session: the disagreements on leder_L1" in told(app), "told")
        current = screen.current
        assert app.screen is screen and current is not None and screen.text[current.start:current.end] == SECOND
        assert table.cursor_row == 1 and screen.edit == edit and "{" in str(screen.query_one("#compare-passage").render())


async def test_the_search_hits_follow_a_transcript_imported_elsewhere_with_the_hit_and_the_typed_query_kept(
        sample_project: Path, looking: None, tmp_path: Path) -> None:
    """The hits listed were those of the search when it was run, until it was run again."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=2)
        await pilot.press("ctrl+f")
        await until(app, pilot, lambda: isinstance(app.screen, SearchScreen), "the search screen")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press(*"måltall", "enter")
        await until(app, pilot, lambda: len(screen.hits) > 1, "hits")
        table: DataTable[Any] = screen.query_one(DataTable)
        table.move_cursor(row=1, animate=False)
        await settle(pilot)
        hit, count = screen.hits[1], len(screen.hits)
        await pilot.press("slash", "end", *" fylket")  # typed, not searched
        add_transcript(sample_project, tmp_path, "aaa_ny", "I: Hva med måltallet?\nL1: Måltallet styrer alt.\n")
        await until(app, pilot, lambda: len(screen.hits) == count + 2, "the new transcript's hits listed")
        await until(app, pilot, lambda: "Changed in another session: the search hits" in told(app), "told")
        current = screen._current()
        assert current is not None and (current.transcript, current.start) == (hit.transcript, hit.start)
        query = screen.query_one("#search-query", Input)
        assert query.value == "måltall fylket" and query.has_focus and app.screen is screen


async def test_the_export_form_follows_its_code_renamed_elsewhere_with_what_is_typed_kept(sample_project: Path, looking: None) -> None:
    """The form kept the code's old name, and ctrl+s then refused an export of a code no longer there."""
    with Workspace.open(Config.resolve(project=sample_project, coder="Forsker 1")) as own:
        code_sentence(own, "leder_L1", MALTALL, FIRST)
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=2)
        app.browse_code(MALTALL)
        await until(app, pilot, lambda: isinstance(app.screen, SegmentsScreen) and len(app.screen.quotes) == 1, "listed")
        app.action_export()
        await until(app, pilot, lambda: isinstance(app.screen, ExportScreen), "the form")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#export-title", Input).focus()
        await pilot.press(*"Press")
        assert run("--project", str(sample_project), "codebook", "rename", MALTALL, "målpress").exit_code == 0
        await until(app, pilot, lambda: screen.query_one("#export-code", Input).value == "målpress", "followed")
        await until(app, pilot, lambda: f"Changed in another session: the codebook and the code {MALTALL}, now målpress"
                    in told(app), "told")
        assert screen.query_one("#export-title", Input).value == "Press" and app.screen is screen
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "Wrote" in str(screen.query_one("#export-result").render()), "written")
