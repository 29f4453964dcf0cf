"""Keys typed ahead while a change is saved, or a transcript opens, as a hurried hand over SSH sends them in one
packet: each acts, in the order typed, on what the keys before it left, and none is lost."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from click.testing import CliRunner
from textual import events
from textual.command import CommandInput, CommandPalette
from textual.keys import _character_to_key, _get_unicode_name_from_key
from textual.widgets import DataTable, Input

from qualcode.cli import cli
from qualcode.tui.app import QualcodeApp
from qualcode.tui.modals.code_picker import CodePicker
from qualcode.tui.modals.memo_editor import MemoEditor
from qualcode.tui.screens.overview import OverviewScreen
from qualcode.tui.screens.reader import ReaderScreen
from tests.conftest import open_tui, settle
from tests.test_tui import codings_in, open_first, until

FIRST = "Jeg har vært her i seks år."


def typed(app: QualcodeApp, *keys: str) -> None:
    """`keys` (a key's name, or its character) arriving in one packet, each with the character a terminal sends
    with it, as `pilot.press` makes them; none waits for the app to handle the one before."""
    assert app._driver is not None
    for key in keys:
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        try:
            character: str | None = unicodedata.lookup(_get_unicode_name_from_key(name))
        except KeyError:
            character = name if len(name) == 1 else None
        app._driver.send_message(events.Key(name, character))


def shortcut_of(app: QualcodeApp, key: str) -> str:
    """The path of the code whose key is `key`."""
    [path] = [code.path for code in app.codes if code.shortcut == key]
    return path


def turn_sentence(reader: ReaderScreen, turn: int) -> str:
    """The first sentence of the `turn`th turn (0 the first), as `v` selects it."""
    start = reader.document.turns[turn].start
    [(begin, end)] = [(begin, end) for begin, end in reader.document.sentences if begin <= start < end]
    return reader.document.text[begin:end]


async def test_two_codings_typed_in_one_burst_are_both_saved_where_they_were_made(sample_project: Path) -> None:
    """`] v c h ] ] v c s`: the keys after `c h` arrived while its coding was saved, and the codebook read for
    `c`; the second `c` dropped the `h` waiting for that read, and only one coding was made (or `h` coded the
    passage selected after it)."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        first, second = turn_sentence(reader, 1), turn_sentence(reader, 3)
        typed(app, "]", "v", "c", "h", "]", "]", "v", "c", "s")
        await until(app, pilot, lambda: len(codings_in(sample_project)) >= 2, "two codings", rounds=100)
        await settle(pilot, pauses=2)
        assert sorted(codings_in(sample_project)) == sorted([(shortcut_of(app, "h"), first, None),
                                                            (shortcut_of(app, "s"), second, None)])
        assert reader.view.selection is None and reader.view.cursor == reader.document.turns[3].start
        assert app.screen is reader


async def test_undo_typed_with_the_coding_undoes_it(sample_project: Path) -> None:
    """`v c h ctrl+z`: the undo ran before the coding was saved, said "nothing to undo", and the coding stayed
    (9 runs in 10; twice here, so that a run where the undo came last by chance is rarer still)."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        for sentence in (FIRST, turn_sentence(reader, 3)):
            reader.view.move_to(reader.document.text.index(sentence))
            reader.status("")
            typed(app, "v", "c", "h", "ctrl+z")
            await until(app, pilot, lambda: reader.status_text.startswith(("undid", "error")), "undone", rounds=100)
            await settle(pilot, pauses=2)
            assert reader.status_text.startswith("undid"), reader.status_text
            assert codings_in(sample_project) == []
            assert reader.document.codings == ()


async def test_a_memo_typed_with_the_coding_is_saved_on_it(sample_project: Path) -> None:
    """`v c h m rask enter ] v`: `m` found no coding at the cursor (it was being saved), and "rask" went to the
    reader (`r` asked to recode nothing); the memo was lost. The keys after Enter are the reader's again: given
    to the memo's field with the rest, they were saved in the memo ("rask]v")."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        reader.view.move_to(reader.document.text.index(FIRST))
        typed(app, "v", "c", "h", "m", *"rask", "enter", "]", "v")
        await until(app, pilot, lambda: bool(codings_in(sample_project)) and codings_in(sample_project)[0][2] is not None
                    and reader.view.selection is not None, "the memo saved, the next sentence selected", rounds=100)
        await settle(pilot, pauses=2)
        assert codings_in(sample_project) == [(shortcut_of(app, "h"), FIRST, "rask")]
        assert app.screen is reader and reader.status_text.startswith("Selected")
        selection = reader.view.selection
        assert selection is not None and reader.document.text[selection[0]:selection[1]] == turn_sentence(reader, 2)


async def test_keys_typed_as_a_transcript_opens_act_in_the_reader(sample_project: Path) -> None:
    """`enter ] v m` on the overview: `m` opened the analysis over the overview while the transcript was read, and
    the reader opened over it; `m` is the reader's (a memo on the coding at the cursor: none there)."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("leder_L1"))
        typed(app, "enter", "]", "v", "m")
        await until(app, pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.view.selection is not None,
                    "the reader, a sentence selected", rounds=100)
        await settle(pilot, pauses=2)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert [type(screen) for screen in app.screen_stack[1:]] == [OverviewScreen, ReaderScreen]
        selection = reader.view.selection
        assert selection is not None and reader.document.text[selection[0]:selection[1]] == turn_sentence(reader, 1)
        assert not any(isinstance(screen, MemoEditor) for screen in app.screen_stack)


async def test_the_command_palette_typed_as_a_transcript_opens_opens_over_it(sample_project: Path) -> None:
    """ctrl+p typed while a transcript opened from the overview is read: ctrl+p, a priority binding, opened the palette
    over the overview at once, and the transcript was shown over the palette; it opens over the transcript."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        app.open_transcript("leder_L1")  # as Enter on its row does; ctrl+p arrives while it is read
        typed(app, "ctrl+p")
        await until(app, pilot, lambda: isinstance(app.screen, CommandPalette) and any(
            isinstance(screen, ReaderScreen) for screen in app.screen_stack), "the palette over the reader", rounds=200)
        await settle(pilot, pauses=2)
        assert [type(screen).__name__ for screen in app.screen_stack[1:]] == ["OverviewScreen", "ReaderScreen", "ListedPalette"]


async def test_keys_typed_after_a_change_refused_are_dropped_and_counted(sample_project: Path) -> None:
    """`ctrl+z ] v` with nothing to undo: the undo is refused, and the keys typed to follow it are not acted on
    (they were meant for a state that never came), said with how many."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        cursor = reader.view.cursor
        typed(app, "ctrl+z", "]", "v")
        await until(app, pilot, lambda: reader.status_text.startswith("error: nothing to undo"), "refused", rounds=100)
        await settle(pilot, pauses=2)
        assert [str(note.message) for note in app._notifications if note.severity == "warning"] == [
            "The change was not made, so 2 keys typed after it were not acted on"]
        assert reader.view.cursor == cursor and reader.view.selection is None and not len(reader.held_keys)
        # What is typed next acts as ever.
        typed(app, "]", "v")
        await until(app, pilot, lambda: reader.view.selection is not None, "selected", rounds=100)
        assert reader.view.cursor == reader.document.turns[1].start


async def test_keys_typed_as_a_transcript_fails_to_open_are_dropped_and_counted(sample_project: Path) -> None:
    """`enter m ]` on a transcript another command deleted since it was listed: nothing opens, and the keys typed
    for the reader act nowhere (`m` opened the analysis over the overview), said with how many."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        overview = app.screen
        table = overview.query_one(DataTable)
        withdrawn = CliRunner().invoke(cli, ["--project", str(sample_project), "participants", "withdraw", "D1", "--yes"])
        assert withdrawn.exit_code == 0, withdrawn.output
        table.move_cursor(row=table.get_row_index("deltaker_D1_T1"))
        typed(app, "enter", "m", "]")
        await until(app, pilot, lambda: any(note.severity == "error" for note in app._notifications), "refused", rounds=100)
        await settle(pilot, pauses=2)
        [said] = [str(note.message) for note in app._notifications if note.severity == "error"]
        assert "no transcript 'deltaker_D1_T1'" in said and said.endswith("; 2 keys typed after it were not acted on")
        assert app.screen is overview and app.opening is None


async def test_the_command_palette_typed_after_a_coding_opens_once_it_is_saved(sample_project: Path) -> None:
    """`v c h ctrl+p`: ctrl+p, a priority binding, opened the palette as it reached the app, before the keys typed
    ahead of it had reached the reader, which then gave them to the palette: "vch" in its field, nothing coded."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        reader.view.move_to(reader.document.text.index(FIRST))
        typed(app, "v", "c", "h", "ctrl+p")
        await until(app, pilot, lambda: isinstance(app.screen, CommandPalette) and bool(codings_in(sample_project)),
                    "the coding saved, the palette open", rounds=100)
        await settle(pilot, pauses=2)
        assert codings_in(sample_project) == [(shortcut_of(app, "h"), FIRST, None)]
        assert app.screen.query_one(CommandInput).value == ""
        assert app.screen_stack[-2] is reader


def warnings(app: QualcodeApp) -> list[str]:
    return [str(note.message) for note in app._notifications if note.severity == "warning"]


async def test_what_is_typed_for_a_memo_that_did_not_open_is_not_acted_on(sample_project: Path) -> None:
    """`m ok, cf vi enter` with no coding at the cursor: `m` opened nothing, and the memo's words acted as the reader's
    keys (`c f` coded the sentence with the code whose key is f), whether the keys came at once or were held behind a
    coding (`v c h ] m …`). So too after `c` and a key no code has: `] v c s` typed to follow it coded the next turn,
    and nothing said the first had coded nothing. Now they are dropped, said with why and how many."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await until(app, pilot, lambda: bool(reader.document.sentences), "the sentences")
        typed(app, "m", *"ok, cf vi", "enter")
        await until(app, pilot, lambda: bool(warnings(app)), "said", rounds=100)
        assert warnings(app) == ["No coding at the cursor, so 10 keys typed after it were not acted on"]
        assert codings_in(sample_project) == [] and reader.view.selection is None
        reader.view.move_to(reader.document.text.index(FIRST))
        typed(app, "v", "c", "h", "]", "m", *"rask", "enter")
        await until(app, pilot, lambda: len(warnings(app)) == 2, "said again", rounds=100)
        assert warnings(app)[1] == "No coding at the cursor, so 5 keys typed after it were not acted on"
        assert codings_in(sample_project) == [(shortcut_of(app, "h"), FIRST, None)]
        typed(app, "v", "c", "z", "]", "v", "c", "s")
        await until(app, pilot, lambda: len(warnings(app)) == 3, "said a third time", rounds=100)
        assert warnings(app)[2] == "No code has the key 'z', so 4 keys typed after it were not acted on"
        assert len(codings_in(sample_project)) == 1
        # What is typed once it is shown acts as ever.
        typed(app, "c", "s")
        await until(app, pilot, lambda: len(codings_in(sample_project)) == 2, "coded", rounds=100)
        assert not len(reader.held_keys)


async def test_a_filter_typed_in_one_burst_on_the_overview_filters_and_opens_what_it_found(sample_project: Path) -> None:
    """`/ veileder enter enter`: the field took the focus only after the keys typed with `/` had reached the table,
    so they acted as the overview's keys (`e` opened the form of the highlighted transcript, the rest went into
    its date field), and Enter opened the highlighted transcript, not the one filtered for."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        overview = app.screen
        table = overview.query_one(DataTable)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value != "veileder_V1"
        typed(app, "slash", *"veileder", "enter", "enter", "]", "v")
        await until(app, pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.view.selection is not None,
                    "a transcript open, a sentence selected", rounds=100)
        await settle(pilot, pauses=2)
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.document.transcript == "veileder_V1"
        assert [type(screen) for screen in app.screen_stack[1:]] == [OverviewScreen, ReaderScreen]
        selection = reader.view.selection
        assert selection is not None and reader.document.text[selection[0]:selection[1]] == turn_sentence(reader, 1)
        # Escape in the filter typed with it clears it, and the keys after it are the table's again.
        typed(app, "escape", "escape", "slash", *"leder", "escape", "s")
        await until(app, pilot, lambda: app.screen is overview and any("sorted by" in str(note.message) for note in app._notifications),
                    "sorted", rounds=100)
        assert overview.query_one("#overview-filter", Input).value == "" and table.has_focus


async def test_two_escapes_typed_together_clear_the_selection_and_go_back(sample_project: Path) -> None:
    """`escape escape` on a selection: the first Escape cleared the selection, whose message then cleared the status line saying
    what was selected; the second came before that message and cleared the status line instead, so the reader
    stayed where the same keys typed slowly go back to the overview."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await until(app, pilot, lambda: bool(reader.document.sentences), "the sentences")
        typed(app, "v")
        await until(app, pilot, lambda: reader.status_text.startswith("Selected"), "selected")
        typed(app, "escape", "escape")
        await until(app, pilot, lambda: isinstance(app.screen, OverviewScreen), "back at the overview", rounds=100)


async def test_a_command_typed_with_enter_in_the_palette_runs_the_command_typed(sample_project: Path) -> None:
    """`ctrl+p framework enter`: the palette lists what matches in a worker, and Enter, come before that list, ran the
    command first in the list before it: Import."""
    from qualcode.tui.screens.framework import FrameworkScreen

    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        typed(app, "ctrl+p", *"framework", "enter")
        await until(app, pilot, lambda: len(app.screen_stack) > 2 and not isinstance(app.screen, CommandPalette), "a command run",
                    rounds=100)
        assert [type(screen) for screen in app.screen_stack[1:]] == [OverviewScreen, FrameworkScreen]


async def test_keys_typed_after_the_escape_that_leaves_a_screen_act_in_the_reader(sample_project: Path) -> None:
    """`ctrl+f fylket enter escape ] v`: every key after ctrl+f was given to the search screen, Escape's binding ran
    once the keys after it had reached the search field, and `] v` went with the screen."""
    from qualcode.tui.screens.search import SearchScreen

    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await until(app, pilot, lambda: bool(reader.document.sentences), "the sentences")
        opened: list[type] = []
        app.screen_change_signal.subscribe(reader, lambda shown: opened.append(type(shown)))
        typed(app, "ctrl+f", *"fylket", "enter", "escape", "]", "v")
        await until(app, pilot, lambda: app.screen is reader and reader.view.selection is not None, "back, selected", rounds=100)
        assert SearchScreen in opened
        selection = reader.view.selection
        assert selection is not None and reader.document.text[selection[0]:selection[1]] == turn_sentence(reader, 1)


async def test_keys_typed_after_an_enter_that_left_the_picker_open_are_dropped_once_it_closes(sample_project: Path) -> None:
    """`p zzzz enter ] v c h`: Enter picked nothing (no code is like "zzzz") and the picker stayed open; the keys typed
    after it waited unseen, and acted once the researcher cancelled the picker with Escape: the next turn coded."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await until(app, pilot, lambda: bool(reader.document.sentences), "the sentences")
        cursor = reader.view.cursor
        typed(app, "p", *"zzzz", "enter", "]", "v", "c", "h")
        await until(app, pilot, lambda: isinstance(app.screen, CodePicker) and len(reader.held_keys) == 4, "the keys after Enter held",
                    rounds=100)
        typed(app, "escape")
        await until(app, pilot, lambda: app.screen is reader and bool(warnings(app)), "back, said", rounds=100)
        await settle(pilot, pauses=2)
        assert warnings(app) == ["The dialog stayed open after enter, so 4 keys typed after it were not acted on"]
        assert codings_in(sample_project) == [] and reader.view.cursor == cursor and not len(reader.held_keys)


async def test_keys_typed_on_the_overview_act_in_the_order_typed(sample_project: Path) -> None:
    """`m escape enter`: Enter opened the transcript as it reached the overview, while `m` (the analysis), run as a
    binding once it had bubbled up to the app, came after it and went to the transcript (a memo on no coding);
    the analysis never opened. Now `m` opens the analysis, Escape, typed while it counts, closes it, and Enter opens
    the transcript."""
    from qualcode.tui.screens.analysis import AnalysisScreen

    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        overview = app.screen
        opened: list[type] = []
        app.screen_change_signal.subscribe(overview, lambda shown: opened.append(type(shown)))
        typed(app, "m", "escape", "enter")
        await until(app, pilot, lambda: isinstance(app.screen, ReaderScreen), "a transcript open", rounds=100)
        await settle(pilot, pauses=2)
        assert opened == [AnalysisScreen, OverviewScreen, ReaderScreen]
        assert [type(screen) for screen in app.screen_stack[1:]] == [OverviewScreen, ReaderScreen] and not warnings(app)


async def test_keys_typed_after_enter_on_an_empty_list_are_dropped_and_counted(sample_project: Path) -> None:
    """`/ zzzz enter enter ] v m`: the filter left no transcript, Enter opened none, and the keys typed for the reader
    acted on the overview (`m` opened the analysis)."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        overview = app.screen
        typed(app, "slash", *"zzzz", "enter", "enter", "]", "v", "m")
        await until(app, pilot, lambda: bool(warnings(app)), "said", rounds=100)
        await settle(pilot, pauses=2)
        assert warnings(app) == ["No transcript to open, so 3 keys typed after it were not acted on"]
        assert app.screen is overview and overview.query_one(DataTable).row_count == 0


def next_turn_sentence(reader: ReaderScreen, offset: int) -> str:
    """The first sentence of the turn after the one at `offset`, as `] v` selects it from there."""
    [turn] = [index for index, turn in enumerate(reader.document.turns) if turn.start <= offset < max(turn.end, turn.start + 1)]
    return turn_sentence(reader, turn + 1)


def selected(reader: ReaderScreen) -> str | None:
    selection = reader.view.selection
    return None if selection is None else reader.document.text[selection[0]:selection[1]]


async def test_a_burst_typed_as_a_transcript_opens_reaches_the_palette_opened_over_it(sample_project: Path) -> None:
    """`ctrl+p c o d` typed while a transcript opened from the overview is read: the keys after ctrl+p reached the palette's
    field in some runs only (under load): typed on the overview, they were on their way to it through its table when the
    transcript was shown, and then acted on the overview. Held as the app reads them, they reach the palette."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        app.open_transcript("leder_L1")  # as Enter on its row does; the keys below arrive while it is read
        typed(app, "ctrl+p", "c", "o", "d")
        await until(app, pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.query_one(CommandInput).value == "cod",
                    "the palette over the reader, what was typed in its field", rounds=200)
        assert [type(screen).__name__ for screen in app.screen_stack[1:]] == ["OverviewScreen", "ReaderScreen", "ListedPalette"]


async def test_keys_typed_after_enter_on_a_search_hit_act_in_the_transcript(sample_project: Path) -> None:
    """`enter ] v` on a search hit: Enter's binding ran once it had bubbled up to the app, after `] v` had reached the
    search screen (where they do nothing); the transcript opened at the hit, nothing selected."""
    from qualcode.tui.screens.search import SearchScreen

    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        app.action_search()
        await until(app, pilot, lambda: isinstance(app.screen, SearchScreen), "the search")
        search = app.screen
        assert isinstance(search, SearchScreen)
        search.run_search('"nå måltallet"')
        await until(app, pilot, lambda: len(search.hits) == 1 and search.query_one(DataTable).has_focus, "the hit listed")
        typed(app, "enter", "]", "v")
        await until(app, pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.view.selection is not None,
                    "the reader, a sentence selected", rounds=100)
        await settle(pilot, pauses=2)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert [type(screen) for screen in app.screen_stack[1:]] == [OverviewScreen, SearchScreen, ReaderScreen]
        assert selected(reader) == next_turn_sentence(reader, search.hits[0].start)


async def test_keys_typed_after_enter_on_a_codes_passage_act_in_the_transcript(sample_project: Path) -> None:
    """`enter ] v` on a passage of a code (b): as on a search hit, `] v` acted on the passages screen before Enter opened
    the transcript."""
    from qualcode.tui.screens.segments import SegmentsScreen

    coded = CliRunner().invoke(cli, ["--project", str(sample_project), "--coder", "Forsker 1", "coding", "add", "leder_L1",
                                     "empowerment", "--match", FIRST])
    assert coded.exit_code == 0, coded.output
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        app.browse_code("empowerment")
        await until(app, pilot, lambda: isinstance(app.screen, SegmentsScreen) and len(app.screen.shown) == 1, "the passage listed")
        passages = app.screen
        assert isinstance(passages, SegmentsScreen)
        typed(app, "enter", "]", "v")
        await until(app, pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.view.selection is not None,
                    "the reader, a sentence selected", rounds=100)
        await settle(pilot, pauses=2)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert [type(screen) for screen in app.screen_stack[1:]] == [OverviewScreen, SegmentsScreen, ReaderScreen]
        assert selected(reader) == next_turn_sentence(reader, passages.shown[0].start)


async def test_keys_typed_after_a_palette_command_act_where_it_leads_then_in_the_reader(sample_project: Path) -> None:
    """`ctrl+p analysis enter down escape ] v` in the reader: the palette runs Analysis, `down escape` act in the analysis,
    and `] v` in the reader once it is shown again; they were typed into the palette's field, or lost."""
    from qualcode.tui.screens.analysis import AnalysisScreen

    for code in ("empowerment", "måltall-press"):  # two rows to move down in
        coded = CliRunner().invoke(cli, ["--project", str(sample_project), "--coder", "Forsker 1", "coding", "add", "leder_L1",
                                         code, "--match", FIRST])
        assert coded.exit_code == 0, coded.output
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await until(app, pilot, lambda: bool(reader.document.sentences), "the sentences")
        opened: list[type] = []
        rows: list[int] = []  # where the analysis's cursor was as it left: `down` acted there first

        def shown(screen: object) -> None:
            if screen is reader and opened and opened[-1] is AnalysisScreen:
                rows.append(analyses[-1].query_one(DataTable).cursor_row)
            opened.append(type(screen))
            if isinstance(screen, AnalysisScreen):
                analyses.append(screen)

        analyses: list[AnalysisScreen] = []
        app.screen_change_signal.subscribe(reader, shown)
        typed(app, "ctrl+p", *"analysis", "enter", "down", "escape", "]", "v")
        await until(app, pilot, lambda: app.screen is reader and reader.view.selection is not None, "back, selected", rounds=200)
        await settle(pilot, pauses=2)
        assert AnalysisScreen in opened and rows == [1]
        assert selected(reader) == turn_sentence(reader, 1) and app.screen is reader and not warnings(app)


async def test_keys_typed_after_help_on_the_overview_close_it_then_act_there(sample_project: Path) -> None:
    """`? escape s` on the overview: `?` opened the help as it reached the overview, and the keys typed after it, on their
    way there through its table, acted on the overview under the help: the help stayed open."""
    from qualcode.tui.screens.help import HelpScreen

    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        overview = app.screen
        opened: list[type] = []
        app.screen_change_signal.subscribe(overview, lambda shown: opened.append(type(shown)))
        typed(app, "question_mark", "escape", "s")
        await until(app, pilot, lambda: any("sorted by" in str(note.message) for note in app._notifications), "sorted", rounds=100)
        await settle(pilot, pauses=2)
        assert opened == [HelpScreen, OverviewScreen] and app.screen is overview
