"""The TUI analysis screen on the coded samples: reached from the overview and the palette, the matrix
moves cell by cell, changes its columns, and Enter lists exactly the passages a cell counts."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Select, Static

from qualcode.analysis.cooccurrence import Within, cooccurrence, cooccurring_pairs
from qualcode.analysis.matrix import code_matrix
from qualcode.analysis.passages import passages
from qualcode.anonymise.service import create_key
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.passages import QuoteFilter, select_quotes
from qualcode.coding.service import add_coding
from qualcode.store.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.analysis import AnalysisScreen
from qualcode.tui.screens.export import ExportScreen
from qualcode.tui.screens.overview import OverviewScreen
from qualcode.tui.screens.segments import SegmentsScreen
from tests.conftest import open_tui, sample_key, settle

# Codings beside conftest's CODINGS, so two codes overlap (co-occurrence) and a second coder counts apart.
MORE = [
    ("Forsker 1", "veileder_V1", "brukermedvirkning", "Vi hadde et måltall fra fylket på førti deltakere"),
    ("Forsker 2", "gruppeintervju_G1", "brukermedvirkning/tvang og krav", "Jeg ble ikke spurt om jeg ville."),
    ("Forsker 2", "leder_L1", "måltall-press", "Jeg har sagt til veilederne at vi må nå måltallet før jul."),
]


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory, coded_template: tuple[Path, dict[str, Any]]) -> Path:
    """The coded samples with MORE, built once: the screen only reads it, and an export finds its key
    (for the leak check) beside it."""
    root = tmp_path_factory.mktemp("analysis-tui") / "project"
    shutil.copytree(coded_template[0], root)
    with Project.open(root) as project:
        access = create_key(project, root.parent / "keys" / "analysis.qckey", "test passphrase")
        access.save(sample_key(access.load_existing()))
        with project.begin() as session:
            for coder_name, transcript, code, quote in MORE:
                add_coding(session, transcript, code, get_or_create_coder(session, coder_name), match=quote)
    return root



def cell_codings(root: Path, code: str, name: str, value: str) -> set[int]:
    """The codings the service's passages for one matrix cell merge: what the browser must list."""
    with Project.open(root) as project, project.begin() as session:
        return {
            coding_id for passage in passages(session, QuoteFilter()) if passage.code_path == code and passage.value(name) == value
            for coding_id in passage.coding_ids
        }


def shown_codings(app: QualcodeApp) -> set[int]:
    screen = app.screen
    assert isinstance(screen, SegmentsScreen)
    return {quote.coding_id for quote in screen.quotes}


def move_to(app: QualcodeApp, code: str, column: str) -> None:
    grid: DataTable[Any] = app.screen.query_one(DataTable)
    grid.move_cursor(row=grid.get_row_index(code), column=grid.get_column_index(column), animate=False)


async def test_matrix_moves_changes_columns_drills_down_and_exports_a_cell(analysed: Path, tmp_path: Path) -> None:
    app = open_tui(analysed)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, rounds=2)
        assert isinstance(app.screen, OverviewScreen)
        await pilot.press("m")
        await settle(pilot, rounds=2)
        screen = app.screen
        assert isinstance(screen, AnalysisScreen) and screen.matrix is not None
        grid: DataTable[Any] = screen.query_one(DataTable)
        with Project.open(analysed) as project, project.begin() as session:
            expected = code_matrix(session, None, ["role"])
        assert screen.matrix == expected
        # The cursor starts on the first count and moves cell by cell.
        assert grid.cursor_coordinate == (0, 1)
        await pilot.press("down", "right")
        assert grid.cursor_coordinate == (1, 2)
        # Each row shows the service's counts and row total; the last row the column totals.
        for index, row in enumerate(expected.rows):
            assert [str(cell) for cell in grid.get_row_at(index)[1:]] == [*map(str, row.counts), str(row.total)]
        assert [str(cell) for cell in grid.get_row_at(len(expected.rows))[1:]] == [*map(str, expected.totals), str(expected.total)]

        # Enter on a cell lists exactly the codings behind its passages.
        values = [column.values[0] for column in expected.columns]
        code, role = "brukermedvirkning", "deltaker"
        count = expected.rows[[row.path for row in expected.rows].index(code)].counts[values.index(role)]
        assert count >= 2  # two coders' passages of the group interview, and another participant's
        move_to(app, code, str(values.index(role)))
        await pilot.press("enter")
        await settle(pilot, rounds=2)
        assert shown_codings(app) == cell_codings(analysed, code, "role", role) != set()
        assert f": {count} passages" in str(app.screen.title)
        await pilot.press("escape")
        await settle(pilot, rounds=2)
        assert app.screen is screen
        # The row's total lists every passage of the code, whatever the role.
        move_to(app, code, "total")
        await pilot.press("enter")
        await settle(pilot, rounds=2)
        assert shown_codings(app) == set().union(*(cell_codings(analysed, code, "role", value) for value in values))
        await pilot.press("escape")
        await settle(pilot, rounds=2)

        # `a` splits the codes by the next attribute: the columns are the waves now.
        await pilot.press("a")
        await settle(pilot, rounds=2)
        assert screen.by == "wave" and screen.matrix is not None
        with Project.open(analysed) as project, project.begin() as session:
            assert screen.matrix == code_matrix(session, None, ["wave"])
        assert [column.values[0] for column in screen.matrix.columns] == ["T1", "T2"]
        code, wave = "empowerment", "T2"
        wave_values = ["T1", "T2"]
        move_to(app, code, str(wave_values.index(wave)))
        await pilot.press("enter")
        await settle(pilot, rounds=2)
        assert shown_codings(app) == cell_codings(analysed, code, "wave", wave)

        # Exporting from a cell's passages writes exactly those, not every passage of the code.
        cell = app.screen
        assert isinstance(cell, SegmentsScreen)
        app.action_export()  # what the palette's "Export" runs
        await settle(pilot, rounds=2)
        export = app.screen
        assert isinstance(export, ExportScreen) and export.query_one("#export-code", Input).disabled
        export.query_one("#export-kind", Select).value = "csv"
        export.query_one("#export-file", Input).value = str(tmp_path / "celle.csv")
        await pilot.press("ctrl+s")
        await settle(pilot, rounds=2)
        result = str(export.query_one("#export-result", Static).render())
        assert result.startswith("Wrote"), result
        with (tmp_path / "celle.csv").open(encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        assert sorted(row["ref"] for row in rows) == sorted(quote.ref for quote in cell.quotes)
        with Project.open(analysed) as project, project.begin() as session:
            assert len(rows) < len(select_quotes(session, QuoteFilter(codes=(code,)))[0])  # not the whole code


async def test_cooccurrence_from_the_palette_and_its_pairs(analysed: Path) -> None:
    app = open_tui(analysed)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, rounds=2)
        app.action_analysis()  # what the palette's "Analysis" runs
        await settle(pilot, rounds=2)
        assert "Analysis" in [name for name, _, _ in app.palette_commands(app.screen)]
        screen = app.screen
        assert isinstance(screen, AnalysisScreen)
        await pilot.press("o")
        await settle(pilot, rounds=2)
        assert screen.showing == "cooccurrence" and screen.cooccurrence is not None
        with Project.open(analysed) as project, project.begin() as session:
            expected = cooccurrence(session, QuoteFilter(), Within("overlap"))
            pairs = cooccurring_pairs(session, QuoteFilter(), Within("overlap"), "brukermedvirkning", "måltall-press")
        assert screen.cooccurrence == expected
        move_to(app, "brukermedvirkning", "måltall-press")
        await pilot.press("enter")
        await settle(pilot, rounds=2)
        assert shown_codings(app) == {c for pair in pairs for p in (pair.first, pair.second) for c in p.coding_ids}
        await pilot.press("escape")
        await settle(pilot, rounds=2)

        # Keys pressed faster than the counting: what is shown is what was asked for last.
        await pilot.press("o", "a", "a")
        await settle(pilot, rounds=2)
        assert screen.showing == "matrix" and screen.by == "office"
        assert screen.matrix is not None and screen.matrix.by == ("office",)
        assert screen.query_one(DataTable).ordered_columns[0].label.plain.startswith("Codes × office")


async def test_cooccurrence_where_no_two_codes_co_occur_says_so(coded_template: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    """Forsker 1's codings of the samples never overlap but within one code's tree: the screen showed
    a table of zeros, unsaid; it says why there is nothing, as the command line does, and w still
    counts the next reach."""
    root = tmp_path / "project"
    shutil.copytree(coded_template[0], root)
    app = open_tui(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, rounds=2)
        app.action_analysis()
        await settle(pilot, rounds=2)
        screen = app.screen
        assert isinstance(screen, AnalysisScreen)
        await pilot.press("o")
        await settle(pilot, rounds=2)
        assert screen.showing == "cooccurrence"
        assert str(screen.query_one("#analysis-where", Static).render()).startswith("Co-occurrence (overlap) · no two codes co-occur")
        assert "no passages of two codes co-occur in the selection (overlap)" in str(screen.query_one("#analysis-cell", Static).render())
        assert screen.query_one(DataTable).row_count == 0
        await pilot.press("w")
        await settle(pilot, rounds=2)
        assert str(screen.query_one("#analysis-where", Static).render()).startswith("Co-occurrence (turn)")


async def test_the_counts_say_that_someone_withdrew_as_analyse_does(demo: Path) -> None:
    """After a withdrawal `status` and `analyse` say in one line that the counts leave out those who
    withdrew; the analysis screen showed the smaller counts with no word of why. It shows the same line,
    read with each count, so a withdrawal by another command while the screen is open is said too."""
    from qualcode.config import Config
    from qualcode.workspace import Workspace

    with Project.open(demo) as project, project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        for transcript, code, quote in (("leder_L1", "måltall-press", "vi må nå måltallet før jul"),
                                        ("deltaker_D3_T1", "måltall-press", "ryggen ble dårlig")):
            add_coding(session, transcript, code, coder, match=quote)
    app = open_tui(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, rounds=2)
        await pilot.press("m")
        await settle(pilot, rounds=2)
        screen = app.screen
        assert isinstance(screen, AnalysisScreen) and screen.matrix is not None
        line = screen.query_one("#analysis-withdrawn", Static)
        assert not line.display  # no one withdrew: nothing said, no line taken from the table
        with Workspace.open(Config.resolve(project=demo, coder="Forsker 1")) as other:  # `participants withdraw D3`
            other.withdraw("D3")
            with other.begin() as session:
                withdrawn = other.withdrawn(session)
        assert withdrawn is not None
        await pilot.press("a")  # the next count
        await settle(pilot, rounds=2)
        assert line.display and str(line.render()) == withdrawn.note
        assert screen.matrix is not None and screen.matrix.total == 1  # D3's passage is not counted
        assert withdrawn.note.startswith("1 participant withdrew (") and "D3" not in withdrawn.note


async def test_the_counts_say_they_hold_the_consensus_coders_copies_as_analyse_does(demo: Path) -> None:
    """`analyse` says on stderr when its counts hold konsensus's codings beside the coders' own (a decided
    passage counted once more than the coders made it); the analysis screen showed the same larger counts
    with no word of it (found in a field trial: 551 passages, 2 of them konsensus's copies, unsaid)."""
    from qualcode.coding.consensus import Choice, counted_note, decide, disagreements

    with Project.open(demo) as project, project.begin() as session:
        for coder_name in ("Forsker 1", "Forsker 2"):
            add_coding(session, "leder_L1", "måltall-press", get_or_create_coder(session, coder_name),
                       match="vi må nå måltallet før jul" if coder_name == "Forsker 1" else "måltallet før jul")
    app = open_tui(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, rounds=2)
        await pilot.press("m")
        await settle(pilot, rounds=2)
        screen = app.screen
        assert isinstance(screen, AnalysisScreen) and screen.matrix is not None
        line = screen.query_one("#analysis-consensus", Static)
        assert not line.display  # no decision yet: nothing said
        with Project.open(demo) as project, project.begin() as session:
            [disagreement] = disagreements(session, "leder_L1", "Forsker 1", "Forsker 2")
            decide(session, disagreement, Choice.A, get_or_create_coder(session, "Forsker 1"))
        await pilot.press("a")  # the next count
        await settle(pilot, rounds=2)
        assert screen.matrix is not None and screen.matrix.total == 3  # two coders' passages and konsensus's copy
        assert line.display and str(line.render()) == counted_note()
        assert "konsensus" in counted_note()
        await pilot.press("o")  # co-occurrence counts them too
        await settle(pilot, rounds=2)
        assert line.display


async def test_codes_named_as_the_tables_own_rows_and_columns_open_the_matrices(
    coded_template: tuple[Path, dict[str, Any]], tmp_path: Path,
) -> None:
    """A top-level code named "total" took the key of the matrix's totals row, one named "code" that of
    the co-occurrence's code column, one named "participant" that of the framework matrix's first
    column: the screen failed with a DuplicateKey. Each is a row or column of its own."""
    from qualcode.codebook.service import create_code
    from qualcode.tui.screens.framework import FrameworkScreen

    root = tmp_path / "project"
    shutil.copytree(coded_template[0], root)
    quote = "Jeg har sagt til veilederne at vi må nå måltallet før jul."
    with Project.open(root) as project, project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        for name in ("total", "code", "participant"):
            create_code(session, name, coder=coder)
            add_coding(session, "leder_L1", name, coder, match=quote)
    app = open_tui(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, rounds=2)
        app.action_analysis()
        await settle(pilot, rounds=3)
        screen = app.screen
        assert isinstance(screen, AnalysisScreen) and screen.matrix is not None
        grid: DataTable[Any] = screen.query_one(DataTable)
        assert grid.row_count == len(screen.matrix.rows) + 1  # every code, then the totals
        total_row = grid.get_row_at(grid.get_row_index("total"))
        assert str(total_row[0]).strip() == "total" and str(total_row[-1]) == "1"
        await pilot.press("o")
        await settle(pilot, rounds=3)
        assert screen.showing == "cooccurrence" and screen.cooccurrence is not None
        assert str(grid.get_row_at(grid.get_row_index("code"))[0]).strip().endswith("code")
        await pilot.press("escape")
        await settle(pilot)
        app.action_framework()
        for _ in range(40):
            await settle(pilot)
            if isinstance(app.screen, FrameworkScreen) and app.screen.matrix is not None:
                break
        framework = app.screen
        assert isinstance(framework, FrameworkScreen) and framework.matrix is not None
        assert "participant" in [code.path for code in framework.matrix.codes]
        assert len(framework.query_one(DataTable).columns) == len(framework.matrix.codes) + 1


async def test_enter_pressed_before_the_next_columns_are_counted_lists_the_cell_shown(analysed: Path) -> None:
    """`a` then Enter faster than the count: Enter took the column's value from the table shown (a role)
    and the attribute asked for (wave), titled "× wave deltaker: 2 passages" and listed none ("No passages
    coded with this code yet"). It lists the cell shown, as the table shown counts it; a count of one
    is "1 passage"."""
    app = open_tui(analysed)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, rounds=2)
        await pilot.press("m")
        await settle(pilot, rounds=2)
        screen = app.screen
        assert isinstance(screen, AnalysisScreen) and screen.matrix is not None
        values = [column.values[0] for column in screen.matrix.columns]
        code, role = "brukermedvirkning", "deltaker"
        count = screen.matrix.rows[[row.path for row in screen.matrix.rows].index(code)].counts[values.index(role)]
        move_to(app, code, str(values.index(role)))
        # Both handled before the count of the next columns comes back: no await between them.
        screen.action_next_attribute()
        screen.action_drill()
        await settle(pilot, rounds=3)
        assert isinstance(app.screen, SegmentsScreen)
        assert str(app.screen.title) == f"{code} × role {role}: {count} passages"
        assert shown_codings(app) == cell_codings(analysed, code, "role", role) != set()
        await pilot.press("escape")
        await settle(pilot, rounds=2)
        assert app.screen is screen and screen.matrix is not None and screen.matrix.by == ("wave",)
        # A cell counting one passage says so in the singular.
        row, column = next((row_index, column_index) for row_index, row in enumerate(screen.matrix.rows)
                           for column_index, counted in enumerate(row.counts) if counted == 1)
        screen.query_one(DataTable).move_cursor(row=row, column=column + 1, animate=False)
        await pilot.press("enter")
        await settle(pilot, rounds=3)
        assert isinstance(app.screen, SegmentsScreen) and str(app.screen.title).endswith(": 1 passage")
