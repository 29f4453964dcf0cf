"""The whole loop in the terminal UI: import (with held-back files through review), export, reviewers'
comments, participants, the command palette and the overview at 80 columns, driven by Pilot on the samples."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static
from textual.widgets._footer import FooterKey

from qualcode.anonymise.service import create_key
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.reader import load_reader_document
from qualcode.coding.service import add_coding
from qualcode.coding.transcripts import describe_participants, describe_transcripts
from qualcode.importers.metadata import import_identifiers
from qualcode.store.models import Memo
from qualcode.store.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.modals.commands import QualcodeCommands
from qualcode.tui.modals.participant_form import ParticipantForm
from qualcode.tui.screens.export import ExportScreen, selection
from qualcode.tui.screens.import_files import ImportScreen
from qualcode.tui.screens.overview import columns_for
from qualcode.tui.screens.participants import ParticipantsScreen
from qualcode.tui.screens.reader import ReaderScreen
from qualcode.tui.screens.review import ReviewScreen
from qualcode.tui.screens.review_comments import ReviewCommentsScreen
from qualcode.tui.screens.segments import SegmentsScreen
from tests.conftest import SAMPLES, burst, open_tui, settle

SIZE = (80, 24)
FOLDER_FILES = ("leder_L1.txt", "veileder_V1.txt", "deltaker_D1_T1.txt", "participants.csv")
# A name nobody has decided about yet: the file is held back until the review decides.
UNDECIDED = """I: Hvem hjalp deg mest?
D2: Det var nok Gunnhild Ravnåsen på kontoret, hun ringte meg hver uke.
"""



def shown(app: QualcodeApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def until(pilot: Pilot[None], condition: object, rounds: int = 40) -> None:
    """Let workers and their follow-ups (a re-import after review) run until `condition()` holds."""
    for _ in range(rounds):
        await settle(pilot, pauses=2)
        if callable(condition) and condition():
            return
    raise AssertionError("the screen never reached the expected state")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three sample interviews and the participants CSV, as a researcher's folder of new files."""
    chosen = tmp_path / "intervjuer"
    chosen.mkdir()
    for name in FOLDER_FILES:
        shutil.copy(SAMPLES / name, chosen / name)
    (chosen / "deltaker_D2_T1.txt").write_text(UNDECIDED, encoding="utf-8")
    return chosen


@pytest.fixture
def keyed_project(project: Project) -> Path:
    """A project with a key that knows the samples' names, and nothing about the name in UNDECIDED."""
    access = create_key(project, project.root.parent / "keys" / "loop.qckey", "test passphrase")
    key = access.load_existing()
    import_identifiers(key, SAMPLES / "identifiers.csv")
    access.save(key)
    root = project.root
    project.close()
    return root


@pytest.fixture
def coded_samples(sample_project: Path) -> Path:
    with Project.open(sample_project) as project, project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        add_coding(session, "leder_L1", "måltall-press", coder, match="Vi får et måltall hvert år fra fylket")
        add_coding(session, "leder_L1", "inntakspress", coder, match="Jeg har sagt til veilederne at vi må nå måltallet før jul.")
        add_coding(session, "veileder_V1", "måltall-press", coder, match="Det passer dårlig med måltall som skal nås på et halvt år.")
    return sample_project


def test_columns_by_width_keep_kind_and_words_and_show_role_round_office_at_80() -> None:
    at_80 = [key for key, _, _ in columns_for(80)]
    assert at_80 == ["name", "coded", "role", "round", "office", "kind", "words"]
    assert sum(width + 2 for _, _, width in columns_for(80)) <= 78  # room for the scrollbar
    assert [key for key, _, _ in columns_for(60)] == ["name", "coded", "role", "kind", "words"]
    assert len(columns_for(130)) == 10  # every column when there is room


async def test_overview_at_80_columns_shows_office_and_a_whole_footer(sample_project: Path) -> None:
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        table = app.screen.query_one(DataTable)
        assert [str(column.label) for column in table.columns.values()] == ["Transcript", "Coded", "Role", "Round", "Office", "Kind", "Words"]
        row = [str(value) for value in table.get_row("veileder_V1")]
        assert row[2:] == ["veileder", "T1", "kontor A", "transcript", row[-1]] and int(row[-1]) > 100
        keys = list(app.screen.query(FooterKey))
        assert any(key.description == "Quit" for key in keys)
        assert all(key.region.right <= SIZE[0] for key in keys)  # nothing cut off at the right edge
        await pilot.resize_terminal(130, 24)
        await settle(pilot, pauses=2)
        assert len(table.columns) == 10


async def test_import_dry_run_then_held_back_file_goes_through_review_and_is_imported(
    keyed_project: Path, folder: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(folder)
    app = open_tui(keyed_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        await pilot.press("i")
        await settle(pilot, pauses=2)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        await pilot.press("enter")  # the folder itself, at the tree's root
        await settle(pilot, pauses=2)
        assert screen.chosen == [folder]
        assert screen.query_one("#import-participants_csv", Input).value == "participants.csv"  # from where qualcode runs
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "Dry run" in shown(app, "#import-log"))
        dry_run = shown(app, "#import-log")
        assert "deltaker_D2_T1.txt" in dry_run and "held back for review:" in dry_run and "Ravnåsen" in dry_run
        assert "Sissel Bakken → " in dry_run  # a known name, replaced, shown in its context
        with Project.open(keyed_project) as project, project.begin() as session:
            assert describe_transcripts(session) == []  # a dry run writes nothing
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert any("Ravnåsen" in c.text for c in review.pending)
        assert "held back deltaker_D2_T1.txt" in str(screen.query_one("#import-log", Static).render())
        while review.pending:
            await pilot.press("p" if "Ravnåsen" in review.pending[review.query_one(DataTable).cursor_row].text else "d")
            await settle(pilot, pauses=2)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen and not screen.held_back and "1 imported" in shown(app, "#import-log"))
        assert screen.query_one("#import-progress").display  # shown once importing began
    with Project.open(keyed_project) as project, project.begin() as session:
        names = {t.name for t in describe_transcripts(session)}
        people = {p.name: p for p in describe_participants(session)}
    assert names == {"leder_L1", "veileder_V1", "deltaker_D1_T1", "deltaker_D2_T1"}
    assert people["D1"].office == "kontor A"  # the participants CSV was read first
    with Project.open(keyed_project) as project, project.begin() as session:
        text = load_reader_document(session, "deltaker_D2_T1").text
    assert "Ravnåsen" not in text and "Gunnhild" not in text  # decided as a person, so replaced


async def test_import_metadata_from_the_form_and_bad_date_refused(keyed_project: Path, folder: Path) -> None:
    app = open_tui(keyed_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        screen = ImportScreen(folder)
        await app.push_screen(screen)
        await settle(pilot, pauses=2)
        screen.choose([folder / "leder_L1.txt"])
        screen.query_one("#import-date", Input).value = "12.03.2024"
        await pilot.press("ctrl+s")
        await settle(pilot, pauses=2)
        assert "is not YYYY-MM-DD" in shown(app, "#import-log")
        screen.query_one("#import-date", Input).value = "2024-03-20"
        screen.query_one("#import-wave", Input).value = "T2"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "1 imported" in shown(app, "#import-log"))
    with Project.open(keyed_project) as project, project.begin() as session:
        (leader,) = describe_transcripts(session)
    assert (leader.wave, leader.interview_date) == ("T2", "2024-03-20")


def test_the_export_holds_exactly_the_passages_the_browser_filter_shows(coded_samples: Path) -> None:
    from qualcode.coding.passages import QuoteFilter
    from qualcode.config import Config
    from qualcode.errors import InvalidInput
    from qualcode.workspace import Workspace

    with Workspace.open(Config.resolve(project=coded_samples, coder="Forsker 1")) as workspace:
        shown = [q for q in workspace.passages("måltall-press") if q.transcript == "veileder_V1"]
        chosen = selection(workspace, "måltall-press", "round:1 role:veileder")  # round:1 is T1, as in the browser
        assert len(shown) == 1 and chosen == QuoteFilter(codes=("måltall-press",), codings=(shown[0].coding_id,))
        assert selection(workspace, "", " ") == QuoteFilter()
        with pytest.raises(InvalidInput, match="no field 'kontr'"):
            selection(workspace, "måltall-press", "kontr:A")
        with pytest.raises(InvalidInput, match="leaves no passage"):
            selection(workspace, "måltall-press", "role:ingen")


async def test_export_from_the_passages_filter_through_the_palette_then_comments_come_back(
    coded_samples: Path, tmp_path: Path,
) -> None:
    app = open_tui(coded_samples)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        app.browse_code("måltall-press")
        await settle(pilot, pauses=2)
        assert isinstance(app.screen, SegmentsScreen)
        app.screen.query_one("#segments-filter", Input).value = "role:leder"
        await pilot.press("ctrl+p")
        await settle(pilot, pauses=2)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"export", "enter")
        await settle(pilot, pauses=2)
        export = app.screen
        assert isinstance(export, ExportScreen)
        assert (export.query_one("#export-code", Input).value, export.query_one("#export-filter", Input).value) == ("måltall-press", "role:leder")
        # A quote table of what the filter shows: the leader's two passages, not the caseworker's.
        export.query_one("#export-kind", Select).value = "csv"
        export.query_one("#export-file", Input).value = str(tmp_path / "leder.csv")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Wrote" in shown(app, "#export-result"))
        assert "2 quotes" in shown(app, "#export-result")
        with (tmp_path / "leder.csv").open(encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        assert {row["transcript"] for row in rows} == {"leder_L1"} and len(rows) == 2
        # The same again as a Word report with a warning about a group of one, written under exports/.
        export.query_one("#export-kind", Select).value = "report"
        export.query_one("#export-attribution", Select).value = "role-office"
        export.query_one("#export-file", Input).value = "funn.docx"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "funn.docx" in shown(app, "#export-result"))
        result = shown(app, "#export-result")
        assert "warning:" in result and "covers 1 participant " in result
        written = coded_samples / "exports" / "funn.docx"
        assert written.is_file()
        # A writing that exists is refused, not overwritten, with the way out here (no --force to pass).
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "error" in shown(app, "#export-result"))
        refused = " ".join(shown(app, "#export-result").split())
        assert "give another file name: the terminal UI never overwrites a file" in refused and "--force" not in refused

        reviewed = docx.Document(str(written))
        paragraph = next(p for p in reviewed.paragraphs if "måltallet før jul" in p.text)
        reviewed.add_comment(paragraph.runs, text="Gjelder dette alle kontor?", author="Medforsker 1", initials="M1")
        # And an edit with track changes on, which is not imported: said here as on the command line.
        paragraph._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="900" w:author="Medforsker 1" w:date="2026-12-05T10:00:00Z">'
                                      "<w:r><w:t>nye ord</w:t></w:r></w:ins>"))
        commented = tmp_path / "kommentert" / "kommentert.docx"
        commented.parent.mkdir()
        reviewed.save(str(commented))

        await pilot.press("escape", "escape")
        await settle(pilot, pauses=2)
        comments = ReviewCommentsScreen(commented.parent)
        await app.push_screen(comments)
        await settle(pilot, pauses=2)
        await pilot.press("down", "enter")  # the one .docx under the root
        await until(pilot, lambda: bool(comments.comments))
        (comment,) = comments.comments
        assert comment.author == "Medforsker 1" and comment.attached_to.startswith("coding ") and comment.new
        assert comment.transcript == "leder_L1" and comment.code == "måltall-press/inntakspress"
        assert "Enter goes there" in shown(app, "#comment-detail")
        assert "1 tracked change by Medforsker 1 was not imported: qualcode reads comments; ask for a comment instead" in " ".join(
            shown(app, "#comment-detail").split())
        await pilot.press("enter")
        await settle(pilot, pauses=2)
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.document.transcript == "leder_L1"
        assert reader.document.text[reader.start_offset or 0:].startswith("Jeg har sagt til veilederne")
    with Project.open(coded_samples) as project, project.begin() as session:
        memos = session.query(Memo).filter(Memo.source.like("review:%")).all()
        assert [memo.text for memo in memos] == ["Gjelder dette alle kontor?"]


async def test_export_from_the_reader_takes_the_code_at_the_cursor(coded_samples: Path) -> None:
    app = open_tui(coded_samples)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        with Project.open(coded_samples) as project, project.begin() as session:
            text = load_reader_document(session, "leder_L1").text
        app.open_transcript("leder_L1", text.index("Jeg har sagt til veilederne"))
        await settle(pilot, pauses=2)
        assert isinstance(app.screen, ReaderScreen)
        app.action_export()
        await settle(pilot, pauses=2)
        assert isinstance(app.screen, ExportScreen)
        assert app.screen.query_one("#export-code", Input).value == "måltall-press/inntakspress"


async def test_the_export_forms_default_file_name_follows_what_and_language(coded_samples: Path) -> None:
    """The file name field said "default: exports/rapport-<date>.docx" whatever was chosen: a quote table was
    written as sitater-<date>.xlsx, an English one as quotes-<date>.csv. It names the file that will be written."""
    app = open_tui(coded_samples)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        await pilot.press("x")
        await settle(pilot, pauses=2)
        export = app.screen
        assert isinstance(export, ExportScreen)
        field = export.query_one("#export-file", Input)
        assert "exports/rapport-<date>.docx" in str(field.placeholder)
        await pilot.press("enter", "down", "enter")  # What: the quote table (.xlsx), chosen by keyboard
        await settle(pilot, pauses=2)
        assert export.query_one("#export-kind", Select).value == "xlsx"
        assert "exports/sitater-<date>.xlsx" in str(field.placeholder)
        export.query_one("#export-kind", Select).value = "csv"
        export.query_one("#export-language", Select).value = "en"
        await settle(pilot, pauses=2)
        assert "exports/quotes-<date>.csv" in str(field.placeholder)
        field.value = ""
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Wrote" in shown(app, "#export-result"))
        assert list((coded_samples / "exports").glob("quotes-*.csv"))


async def test_palette_finds_every_action_by_name(sample_project: Path) -> None:
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        provider = QualcodeCommands(app.screen)
        for typed, expected in (
            ("import", "Import transcripts"), ("export", "Export a report or quote table"), ("comments", "Reviewers' comments"),
            ("identifiers", "Identifiers"), ("participants", "Participants"), ("search", "Search"), ("help", "Help"),
            ("sort", "Sort"), ("passages", "Passages"), ("quit", "Quit"),
        ):
            hits = sorted([hit async for hit in provider.search(typed)], key=lambda hit: -hit.score)
            found = [str(hit.text) for hit in hits]
            assert found and found[0] == expected, (typed, found)
        await pilot.press("ctrl+p")
        await settle(pilot, pauses=2)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"import", "enter")
        await settle(pilot, pauses=2)
        assert isinstance(app.screen, ImportScreen)


async def test_participants_are_edited_in_the_tui(sample_project: Path) -> None:
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        await pilot.press("p")
        await settle(pilot, pauses=2)
        screen = app.screen
        assert isinstance(screen, ParticipantsScreen)
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("D3"))
        await pilot.press("e")
        await settle(pilot, pauses=2)
        form = app.screen
        assert isinstance(form, ParticipantForm)
        assert form.query_one("#participant-office", Input).value == "kontor B"
        # A refused save opens the form again with what was typed and why (the form closed, and it was lost).
        form.query_one("#participant-office", Input).value = "kontor C"
        form.query_one("#participant-age_band", Input).value = "tretti"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ParticipantForm) and app.screen is not form)
        form = app.screen
        assert isinstance(form, ParticipantForm) and "is not a range of ages" in form.problem
        assert form.query_one("#participant-office", Input).value == "kontor C"
        form.query_one("#participant-age_band", Input).value = ""
        form.query_one("#participant-attributes", Input).value = "kvp_start=2023-08-20"  # barn left out: removed
        await pilot.press("enter")
        await settle(pilot, pauses=2)
        assert app.screen is screen
        assert str(table.get_row("D3")[2]) == "kontor C"
    with Project.open(sample_project) as project, project.begin() as session:
        person = next(p for p in describe_participants(session) if p.name == "D3")
    assert person.office == "kontor C" and "barn" not in person.attributes and person.attributes["kvp_start"] == "2023-08-20"


async def test_saving_the_form_of_a_participant_withdrawn_meanwhile_says_so_and_keeps_nothing(sample_project: Path) -> None:
    """Another session withdrew D1 while their form was open: the save said "no participant 'D1'" and
    opened the form again, to be saved for no one. It says that D1 withdrew consent meanwhile and that
    nothing was saved, keeps nothing typed about them, and lists the participants as they are now."""
    from click.testing import CliRunner

    from qualcode.cli import cli

    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        await pilot.press("p")
        await settle(pilot, pauses=2)
        screen = app.screen
        assert isinstance(screen, ParticipantsScreen)
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("D1"))
        await pilot.press("e")
        await settle(pilot, pauses=2)
        assert isinstance(app.screen, ParticipantForm)
        app.screen.query_one("#participant-office", Input).value = "kontor C"
        result = CliRunner().invoke(cli, ["--project", str(sample_project), "participants", "withdraw", "D1", "--yes"])
        assert result.exit_code == 0, result.output
        await pilot.press("enter")
        await until(pilot, lambda: bool(app._notifications) and "D1" not in table.rows)
        await settle(pilot, pauses=2)
        assert app.screen is screen
        assert [str(note.message) for note in app._notifications] == [
            "D1 withdrew consent meanwhile (another session withdrew them): nothing was saved, and what you typed is not kept"]
    with Project.open(sample_project) as project, project.begin() as session:
        assert "D1" not in [person.name for person in describe_participants(session)]
        assert "kontor C" not in [person.office for person in describe_participants(session)]


async def _transcript_form_saved_after(sample_project: Path, meanwhile: Callable[[], None]) -> QualcodeApp:
    """deltaker_D1_T1's form opened from the overview and a title typed, `meanwhile()` done by
    another session, then the form saved: the app, once the save is said and the form closed."""
    from qualcode.tui.modals.transcript_form import TranscriptForm

    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("deltaker_D1_T1"))
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, TranscriptForm) and app.screen.focused is not None)
        form = app.screen
        form.query_one("#form-title", Input).value = "Samtale om [b]handlingsplanen[/b]"
        meanwhile()
        await pilot.press("enter")
        await until(pilot, lambda: bool(app._notifications) and not isinstance(app.screen, TranscriptForm), rounds=200)
        await settle(pilot, pauses=4)
        assert not isinstance(app.screen, TranscriptForm)  # not opened again, to be saved for nothing
    return app


async def test_saving_the_form_of_a_transcript_deleted_meanwhile_says_so_and_keeps_nothing(sample_project: Path) -> None:
    """Another session withdrew D1, and their interview with them, while its form was open: the save
    said "no transcript 'deltaker_D1_T1'" and opened the form again, for a transcript no longer there.
    It says in one line what happened and that nothing was saved, and closes."""
    from qualcode.config import Config
    from qualcode.workspace import Workspace

    def withdraw() -> None:
        with Workspace.open(Config.resolve(project=sample_project, coder="Forsker 2")) as other:
            assert other.withdraw("D1").transcripts_removed == 1

    app = await _transcript_form_saved_after(sample_project, withdraw)
    assert [str(note.message) for note in app._notifications] == [
        "deltaker_D1_T1 was deleted meanwhile (D1 withdrew consent, and it went with them): nothing was saved,"
        " and what you typed is not kept"]
    with Project.open(sample_project) as project, project.begin() as session:
        assert [t.name for t in describe_transcripts(session)] == ["leder_L1", "veileder_V1"]


async def test_saving_the_form_of_a_transcript_renamed_meanwhile_saves_it_under_its_new_name(sample_project: Path) -> None:
    """Renamed by another session while its form was open, the transcript was looked for by its old
    name, not found, and the form opened again; a transcript given the old name meanwhile would
    have been edited instead. It is found by its GUID, and the save says where it went."""
    from sqlalchemy import select

    from qualcode.store.models import Transcript

    def rename() -> None:
        with Project.open(sample_project) as project, project.begin() as session:
            session.scalars(select(Transcript).where(Transcript.name == "deltaker_D1_T1")).one().name = "deltaker_D1_runde1"

    app = await _transcript_form_saved_after(sample_project, rename)
    assert [str(note.message) for note in app._notifications] == [
        "deltaker_D1_T1: title (saved in deltaker_D1_runde1, as another session renamed it meanwhile)"]
    with Project.open(sample_project) as project, project.begin() as session:
        titles = {t.name: t.title for t in describe_transcripts(session)}
    assert titles["deltaker_D1_runde1"] == "Samtale om [b]handlingsplanen[/b]"


def test_workspace_import_reports_progress_and_names_held_back_files_apart(keyed_project: Path, folder: Path) -> None:
    """What the import screen calls, checked without the screen: progress per file, held-back files apart from failures."""
    from qualcode.config import Config
    from qualcode.errors import InvalidInput
    from qualcode.workspace import Workspace

    (folder / "tom.txt").write_bytes(b"")  # an empty file fails for its own reason, and is not held back
    steps: list[tuple[int, int, str]] = []
    with Workspace.open(Config.resolve(project=keyed_project, coder="Forsker 1")) as workspace:
        with pytest.raises(InvalidInput, match="not YYYY-MM-DD"):
            workspace.import_files([folder], {"date": "i går"})
        outcome = workspace.import_files([folder], {}, participants_csv=folder / "participants.csv",
                                         progress=lambda done, total, name: steps.append((done, total, name)))
        with pytest.raises(InvalidInput, match="not NAME=VALUE"):
            workspace.edit_participant("D1", {"attributes": "barn"})
    assert steps[0] == (0, 5, "deltaker_D1_T1.txt") and steps[-1] == (5, 5, "")
    assert [path.name for path in outcome.held_back] == ["deltaker_D2_T1.txt"]
    assert len(outcome.imported) == 3 and [line.split(":")[0] for line in outcome.failed] == ["tom.txt"]
    assert outcome.participants.startswith("participants: ")


async def test_ctrl_s_pressed_twice_writes_one_export(coded_samples: Path) -> None:
    """A probe: ctrl+s pressed twice in a hurry wrote the same report twice (rapport-DATE.docx and
    rapport-DATE-2.docx). A second ctrl+s while the file is being written is said to wait for it."""
    app = open_tui(coded_samples)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        app.action_export()
        await settle(pilot, pauses=2)
        assert isinstance(app.screen, ExportScreen)
        burst(app, "ctrl+s", "ctrl+s")
        await until(pilot, lambda: "Wrote" in shown(app, "#export-result"))
        await settle(pilot, pauses=2)
        assert any("still being written" in str(note.message) for note in app._notifications)
        assert len(list((coded_samples / "exports").iterdir())) == 1
        await pilot.press("ctrl+s")  # once it is written, another is another file
        await until(pilot, lambda: len(list((coded_samples / "exports").iterdir())) == 2)


@pytest.mark.parametrize("kind", ["report", "csv"])
async def test_an_export_file_named_for_someone_nobody_has_decided_about_is_refused(coded_samples: Path, kind: str) -> None:
    """A probe: a report's title naming someone unknown was refused, but the file's name typed in
    the form was not: exports/Fatima Warsame.docx was written, a name the leak check cannot know.
    It is refused as the title is: nothing written, the name waits in the identifier review, and
    the form keeps what was typed."""
    app = open_tui(coded_samples)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        app.action_export()
        await settle(pilot, pauses=2)
        export = app.screen
        assert isinstance(export, ExportScreen)
        export.query_one("#export-kind", Select).value = kind
        export.query_one("#export-file", Input).value = f"Funn om Fatima Warsame.{'docx' if kind == 'report' else kind}"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "error" in shown(app, "#export-result"))
        result = shown(app, "#export-result")
        assert "names 'Fatima Warsame'" in result and "identifier review (ctrl+p, Identifiers)" in result
        assert export.query_one("#export-file", Input).value.startswith("Funn om Fatima Warsame.")
        assert "Fatima Warsame" in [candidate.text for candidate in app.workspace.read_key().pending]
    assert not (coded_samples / "exports").exists() or not list((coded_samples / "exports").iterdir())


async def test_a_refused_export_leaves_no_progress_bar_running(sample_project: Path) -> None:
    """A probe on a project with no codings: ctrl+s said the export was refused, and under the
    refusal the progress bar went on running, as if the file were still being written."""
    from textual.widgets import ProgressBar

    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        await pilot.press("x")
        await settle(pilot, pauses=2)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "no codings" in shown(app, "#export-result"))
        assert not app.screen.query_one(ProgressBar).display


async def test_a_dry_run_asked_for_while_importing_waits_and_the_held_back_file_is_reviewed(keyed_project: Path, folder: Path) -> None:
    """A probe: ctrl+s then ctrl+r in a hurry. The dry run superseded the import running: the import
    went on in its thread, but its outcome was dropped, and the review of the file it held back
    never opened. Pressed while importing, ctrl+r (and ctrl+s) is said to wait for it."""
    app = open_tui(keyed_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        screen = ImportScreen(folder)
        await app.push_screen(screen)
        await settle(pilot, pauses=2)
        screen.choose([folder])
        burst(app, "ctrl+s", "ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        assert [str(note.message) for note in app._notifications].count("Still importing: wait for it to finish") == 1
    with Project.open(keyed_project) as project, project.begin() as session:
        assert {t.name for t in describe_transcripts(session)} == {"leder_L1", "veileder_V1", "deltaker_D1_T1"}


async def test_an_attribute_retyped_in_another_case_in_the_form_is_changed_not_removed(sample_project: Path) -> None:
    """Typing Barn=nei over barn=ja in the form removed barn: the form sent barn as left out."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        await pilot.press("p")
        await settle(pilot, pauses=2)
        screen = app.screen
        assert isinstance(screen, ParticipantsScreen)
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("D3"))
        await pilot.press("e")
        await settle(pilot, pauses=2)
        form = app.screen
        assert isinstance(form, ParticipantForm)
        attributes = form.query_one("#participant-attributes", Input)
        assert "barn=ja" in attributes.value
        attributes.value = attributes.value.replace("barn=ja", "Barn=nei")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        await settle(pilot, pauses=2)
    with Project.open(sample_project) as project, project.begin() as session:
        person = next(p for p in describe_participants(session) if p.name == "D3")
    assert person.attributes.get("barn") == "nei"
