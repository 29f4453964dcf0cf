"""Snapshots of the main screens at 80x24, so a layout change is a visible, reviewed change."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from qualcode.anonymise.key import PseudonymKey
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.service import add_coding
from qualcode.store.project import Project
from qualcode.tui.app import QualcodeApp
from tests.conftest import (
    SAMPLES,
    build_samples,
    built_once,
    import_samples,
    open_tui,
    replace_project,
    sample_key,
    settle,
    until_shown,
)

SIZE = (80, 24)
SnapCompare = Callable[..., bool]  # pytest-textual-snapshot's fixture, which it leaves untyped


@pytest.fixture(autouse=True)
def steady_cursors(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text field's cursor stays drawn: it blinks every half second, so on a loaded machine a
    picture taken more than half a second after the field took focus showed no cursor, and the
    form snapshots failed now and then."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture(scope="module")
def snapshot_coded_template(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Path:
    def build(base: Path) -> None:
        shutil.copytree(migrated_template, base / "project")
        with Project.open(base / "project") as project:
            # A fixed key GUID gives the same pseudonyms every run, so the pictures do not drift.
            import_samples(project, sample_key(PseudonymKey("snapshot")))
            with project.begin() as session:
                coder = get_or_create_coder(session, "Forsker 1")
                add_coding(session, "leder_L1", "måltall-press", coder, match="Vi får et måltall hvert år fra fylket")
                add_coding(session, "leder_L1", "inntakspress", coder, match="Jeg har sagt til veilederne at vi må nå måltallet før jul.")

    return built_once(tmp_path_factory, "snapshot-coded", build)


@pytest.fixture
def coded_project(project: Project, snapshot_coded_template: Path) -> Path:
    """The samples imported and two passages coded, the same every run: built once, copied per test."""
    return replace_project(project, snapshot_coded_template)



async def _open_leader(pilot: Pilot[None]) -> None:
    await settle(pilot, rounds=2, pauses=2)
    await pilot.press("down", "enter")  # leder_L1 is second by name
    await settle(pilot, rounds=2, pauses=2)


def test_overview(snap_compare: SnapCompare, coded_project: Path) -> None:
    assert snap_compare(open_tui(coded_project), terminal_size=SIZE, run_before=partial(settle, rounds=2, pauses=2))


def test_reader_with_codings(snap_compare: SnapCompare, coded_project: Path) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await _open_leader(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket", "right_square_bracket")
        await settle(pilot, rounds=2, pauses=2)

    assert snap_compare(open_tui(coded_project), terminal_size=SIZE, run_before=before)


def test_code_picker(snap_compare: SnapCompare, coded_project: Path) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await _open_leader(pilot)
        await pilot.press("v", "p", *"medvirk")
        await settle(pilot, rounds=2, pauses=2)

    assert snap_compare(open_tui(coded_project), terminal_size=SIZE, run_before=before)


def test_help(snap_compare: SnapCompare, coded_project: Path) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await _open_leader(pilot)
        await pilot.press("question_mark")
        await settle(pilot, rounds=2, pauses=2)

    assert snap_compare(open_tui(coded_project), terminal_size=SIZE, run_before=before)


# --- the whole loop: import, export, reviewers' comments, participants, and the overview's columns ---
async def _settle_own_work(pilot: Pilot[None]) -> None:
    """As _settle, but past a DirectoryTree's loader, which waits for folders to open and never ends."""
    working = [worker for worker in pilot.app.workers if worker.group != "_loader"]
    if working:  # an empty list would mean every worker
        await pilot.app.workers.wait_for_complete(working)
    await pilot.pause()
    await pilot.pause()


def test_overview_with_every_column(snap_compare: SnapCompare, coded_project: Path) -> None:
    assert snap_compare(open_tui(coded_project), terminal_size=(130, 24), run_before=partial(settle, rounds=2, pauses=2))


@pytest.fixture(scope="module")
def keyed_template(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Path:
    return built_once(tmp_path_factory, "snapshot-keyed", partial(build_samples, migrated_template, "snapshot", guid="snapshot"))


@pytest.fixture
def keyed_project(project: Project, keyed_template: Path) -> Path:
    """The samples imported with a key file whose pseudonyms are the same every run (a fixed project GUID)."""
    return replace_project(project, keyed_template)


def test_import_dry_run(snap_compare: SnapCompare, keyed_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "nye"  # a fixed name: the tree's root is shown in the picture
    folder.mkdir()
    for name in ("veileder_V1.txt", "participants.csv"):
        shutil.copy(SAMPLES / name, folder / name)
    (folder / "deltaker_D9_T1.txt").write_text("I: Hvem hjalp deg?\nD9: Det var Sissel Bakken på kontoret.\n", encoding="utf-8")
    monkeypatch.chdir(folder)

    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot, rounds=2, pauses=2)
        await pilot.press("i")
        await _settle_own_work(pilot)
        await pilot.press("enter", "ctrl+r")
        await _settle_own_work(pilot)

    assert snap_compare(open_tui(keyed_project), terminal_size=SIZE, run_before=before)


def test_export_form(snap_compare: SnapCompare, coded_project: Path) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot, rounds=2, pauses=2)
        app = pilot.app
        assert isinstance(app, QualcodeApp)
        app.browse_code("måltall-press")
        await settle(pilot, rounds=2, pauses=2)
        await pilot.press("slash", *"role:leder", "enter", "ctrl+p", *"export", "enter")
        await settle(pilot, rounds=2, pauses=2)

    assert snap_compare(open_tui(coded_project), terminal_size=SIZE, run_before=before)


def test_participants(snap_compare: SnapCompare, coded_project: Path) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot, rounds=2, pauses=2)
        await pilot.press("p")
        await settle(pilot, rounds=2, pauses=2)
        # The list is loaded in the background: the form waits until a row is drawn whole, or a
        # loaded run draws it over a frame from before the rows came.
        shown = await until_shown(pilot.app, pilot, lambda text: "deltaker_D1_T1  kvp_start=2023-09-01" in text)
        assert "deltaker_D1_T1  kvp_start=2023-09-01" in shown
        await settle(pilot, rounds=2, pauses=2)
        await pilot.press("e")
        await settle(pilot, rounds=2, pauses=2)

    assert snap_compare(open_tui(coded_project), terminal_size=SIZE, run_before=before)


def test_command_palette(snap_compare: SnapCompare, coded_project: Path) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot, rounds=2, pauses=2)
        await pilot.press("ctrl+p", *"comm")
        await settle(pilot, rounds=2, pauses=2)

    assert snap_compare(open_tui(coded_project), terminal_size=SIZE, run_before=before)


def test_review_comments(snap_compare: SnapCompare, keyed_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import docx

    folder = tmp_path / "svar"  # a fixed name: the tree's root is shown in the picture
    folder.mkdir()
    reviewed = docx.Document()
    paragraph = reviewed.add_paragraph("Sitatsamling om måltall")
    reviewed.add_comment(paragraph.runs, text="Fin rapport, men hva med kontor B?", author="Medforsker Anne", initials="MA")
    reviewed.save(str(folder / "kommentert.docx"))
    monkeypatch.chdir(folder)
    with Project.open(keyed_project) as opened, opened.begin() as session:  # a reviewer on the team: a colleague
        get_or_create_coder(session, "Medforsker Anne", "medforsker")

    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot, rounds=2, pauses=2)
        await pilot.press("r")
        await _settle_own_work(pilot)
        await pilot.press("down", "enter")
        await _settle_own_work(pilot)

    assert snap_compare(open_tui(keyed_project), terminal_size=SIZE, run_before=before)
