"""Keys typed in one burst across a screen that opens, or one put on top, as a hurried hand over SSH sends them:
each acts, in the order typed, on the screen the keys before it left, and none is lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from textual import events
from textual.widgets import DataTable

from qualcode.anonymise.key import PseudonymKey
from qualcode.cli import cli
from qualcode.tui.app import QualcodeApp
from qualcode.tui.modals.code_picker import CodePicker
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.screens.overview import OverviewScreen
from qualcode.tui.screens.reader import ReaderScreen
from tests.conftest import open_tui, settle
from tests.test_tui import until
from tests.test_tui_keys_held import selected, turn_sentence, typed, warnings

FIRST = "Jeg har vært her i seks år."


def code(project: Path, transcript: str, code_path: str, match: str) -> None:
    coded = CliRunner().invoke(cli, ["--project", str(project), "--coder", "Forsker 1", "coding", "add", transcript, code_path,
                                     "--match", match])
    assert coded.exit_code == 0, coded.output


def screens_shown(app: QualcodeApp) -> list[type]:
    """The screens shown from now on, in turn."""
    shown: list[type] = []
    app.screen_change_signal.subscribe(app.screen, lambda screen: shown.append(type(screen)))
    return shown


async def test_keys_on_their_way_through_the_overview_as_the_transcript_is_shown_act_in_the_reader(sample_project: Path) -> None:
    """`enter ] v p`, where `] v p` had been passed to the overview's table before Enter opened the transcript and reached
    the overview only once it was shown (a transcript read faster than they came): no longer held for it, they acted on
    the overview under the reader (`p` listed the participants over the reader, where it picks a code for the sentence
    selected). Made here as the app makes them: stamped when typed, passed to the table as the app passes a key, once
    the reader is shown."""
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        overview = app.screen
        table = overview.query_one(DataTable)
        on_their_way = [events.Key("right_square_bracket", "]"), events.Key("v", "v"), events.Key("p", "p")]  # typed with Enter
        app.open_transcript("leder_L1")
        await until(app, pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        for key in on_their_way:
            table._forward_event(key)
        await until(app, pilot, lambda: app.screen is not reader, "a screen over the reader", rounds=100)
        await settle(pilot, pauses=2)
        assert isinstance(app.screen, CodePicker) and selected(reader) == turn_sentence(reader, 1) and not warnings(app)


async def test_a_palette_command_typed_as_a_transcript_opens_leads_there_then_back_to_the_reader(sample_project: Path) -> None:
    """`ctrl+p analysis enter down escape ] v` typed while a transcript opens: the reader gave the palette its keys up to
    Enter, and acted on `down escape ] v` itself while the analysis was still counting; `escape` left the reader."""
    from qualcode.tui.screens.analysis import AnalysisScreen

    for code_path in ("empowerment", "måltall-press"):  # two rows to move down in
        code(sample_project, "leder_L1", code_path, FIRST)
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        analyses: list[AnalysisScreen] = []
        rows: list[int] = []  # where the analysis's cursor was as it left

        def shown(screen: object) -> None:
            if isinstance(screen, ReaderScreen) and analyses:
                rows.append(analyses[-1].query_one(DataTable).cursor_row)
            if isinstance(screen, AnalysisScreen):
                analyses.append(screen)

        app.screen_change_signal.subscribe(app.screen, shown)
        app.open_transcript("leder_L1")  # as Enter on its row does; the keys below arrive while it is read
        typed(app, "ctrl+p", *"analysis", "enter", "down", "escape", "]", "v")
        await until(app, pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.view.selection is not None
                    and bool(analyses), "the analysis, then back, selected", rounds=200)
        await settle(pilot, pauses=2)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert rows == [1] and selected(reader) == turn_sentence(reader, 1) and not warnings(app)
        assert [type(screen) for screen in app.screen_stack[1:]] == [OverviewScreen, ReaderScreen]


async def test_a_filter_typed_with_slash_on_the_passages_opens_what_it_found(sample_project: Path) -> None:
    """`/ veileder enter enter ] v` on a code's passages: the keys typed with `/` reached the table before the filter's
    field had the focus, as on the overview before it was mended (OverviewScreen._typed_with_slash)."""
    from qualcode.tui.screens.segments import SegmentsScreen

    code(sample_project, "leder_L1", "empowerment", FIRST)
    code(sample_project, "veileder_V1", "empowerment", "Det ble mer om antall enn om hva folk faktisk trengte.")
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        app.browse_code("empowerment")
        await until(app, pilot, lambda: isinstance(app.screen, SegmentsScreen) and len(app.screen.shown) == 2, "the passages")
        passages = app.screen
        assert isinstance(passages, SegmentsScreen) and passages.shown[0].transcript == "leder_L1"
        typed(app, "slash", *"veileder", "enter", "enter", "]", "v")
        await until(app, pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.view.selection is not None,
                    "a transcript open, a sentence selected", rounds=100)
        await settle(pilot, pauses=2)
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.document.transcript == "veileder_V1"
        assert [type(screen) for screen in app.screen_stack[1:]] == [OverviewScreen, SegmentsScreen, ReaderScreen]


@pytest.mark.parametrize("under", ["search", "passages", "analysis"])
async def test_keys_typed_after_help_close_it_then_act_on_the_screen_under_it(sample_project: Path, under: str) -> None:
    """`? escape escape` on the search, the passages or the analysis: the first Escape closes the help, the second leaves
    the screen under it, none lost nor acted under the help (as on the overview, which needed OverviewScreen._covered_at;
    here the keys after `?` reach Textual's bindings of the screen on top, and held already)."""
    from qualcode.tui.screens.analysis import AnalysisScreen, open_analysis
    from qualcode.tui.screens.search import SearchScreen
    from qualcode.tui.screens.segments import SegmentsScreen

    code(sample_project, "leder_L1", "empowerment", FIRST)
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        overview = app.screen
        if under == "search":
            app.action_search()
            await until(app, pilot, lambda: isinstance(app.screen, SearchScreen), "the search")
            search = app.screen
            assert isinstance(search, SearchScreen)
            search.run_search('"nå måltallet"')
            await until(app, pilot, lambda: len(search.hits) == 1 and search.query_one(DataTable).has_focus, "the hit listed")
        elif under == "passages":
            app.browse_code("empowerment")
            await until(app, pilot, lambda: isinstance(app.screen, SegmentsScreen) and len(app.screen.shown) == 1, "the passage")
        else:
            open_analysis(app)
            await until(app, pilot, lambda: isinstance(app.screen, AnalysisScreen) and app.screen.first_shown, "the analysis")
        below = app.screen
        shown = screens_shown(app)
        typed(app, "question_mark", "escape", "escape")
        await until(app, pilot, lambda: app.screen is overview, "back at the overview", rounds=100)
        await settle(pilot, pauses=2)
        assert shown == [HelpScreen, type(below), OverviewScreen] and not warnings(app)


async def _typed_through_the_review(project: Path, decision: str) -> PseudonymKey:
    """`a DECISION d escape s` typed on the overview in one burst, while the key is decrypted: the review opens, takes
    its two decisions, is left, and the overview sorts, with no warning. The key after."""
    from qualcode.tui.screens.review import ReviewScreen

    app = open_tui(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, pauses=2)
        overview = app.screen
        shown = screens_shown(app)
        typed(app, "a", decision, "d", "escape", "s")
        await until(app, pilot, lambda: app.screen is overview and ReviewScreen in shown
                    and any("sorted by" in str(note.message) for note in app._notifications), "the review left, sorted", rounds=200)
        await settle(pilot, pauses=2)
        assert shown == [ReviewScreen, OverviewScreen] and not warnings(app)
        return app.workspace.read_key()


async def test_decisions_typed_as_the_review_opens_are_its_and_the_keys_after_it_the_overviews(sample_project: Path,
                                                                                                  tmp_path: Path) -> None:
    """`a f d escape s` on the overview: the keys after `a` came while the key was decrypted, and acted on the overview
    (`f` opened the framework, `d` nothing, `s` sorted); the review opened over them with nothing decided."""
    path = tmp_path / "deltaker_D9_T1.txt"
    path.write_text("I: Hvem hjalp deg?\nD9: Det var Gunnhild Ravnåsen på kontoret. Og Torleif Hagebakken i byen.\n", encoding="utf-8")
    CliRunner().invoke(cli, ["--project", str(sample_project), "--coder", "Forsker 1", "import", str(path)])
    key = await _typed_through_the_review(sample_project, "f")
    assert key.pending == [] and key.dismissed[-1] == "Torleif Hagebakken"
    assert "Gunnhild Ravnåsen" in [entry.original for entry in key.entries]


async def test_no_name_typed_as_the_review_opens_is_its_decision_in_turn(sample_project: Path, tmp_path: Path) -> None:
    """`a w d escape s`: `w` (no name at all) is the review's as its other keys are, typed while the key was
    decrypted: "Nails", spelt like Nils Berge's name, is kept as written, "Beauty" dismissed, and the overview sorted."""
    path = tmp_path / "deltaker_D9_T1.txt"
    path.write_text("I: Hvor jobber du?\nD9: Jeg heter Nils Berge og jobber på Nails & Beauty.\n", encoding="utf-8")
    CliRunner().invoke(cli, ["--project", str(sample_project), "--coder", "Forsker 1", "import", str(path)])
    accepted = CliRunner().invoke(cli, ["--project", str(sample_project), "anonymise", "accept", "Nils Berge", "--kind", "person"])
    assert accepted.exit_code == 0, accepted.output
    key = await _typed_through_the_review(sample_project, "w")
    nils = key.entry_for("Nils Berge")
    assert key.pending == [] and {"Nails", "Beauty"} <= set(key.dismissed) and nils is not None and nils.same_person == []
