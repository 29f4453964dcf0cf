"""The framework matrix: summaries per participant and code, their passages, events, typed-text guard,
the CLI, the workbook and the Word chapter read back, and the terminal UI's screen."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from textual.pilot import Pilot

from qualcode.analysis.framework import clear_summary, framework_cell, framework_matrix, set_summary
from qualcode.anonymise.key import Candidate
from qualcode.anonymise.service import create_key
from qualcode.codebook.service import rename_code
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.history import redo, undo
from qualcode.coding.service import add_coding
from qualcode.config import Config
from qualcode.errors import InvalidInput, NotFound
from qualcode.store.events import EventKind
from qualcode.store.models import (
    Code,
    Coder,
    Coding,
    Event,
    FrameworkSummary,
    Participant,
    Transcript,
    shown_moment,
)
from qualcode.store.project import DATABASE_FILE, PROJECT_DIR, Project
from qualcode.workspace import Workspace
from tests.conftest import sample_key, settle
from tests.test_cli import run

KEY_NAME = "framework.qckey"


@pytest.fixture(scope="module")
def framework_template(tmp_path_factory: pytest.TempPathFactory, coded_template: tuple[Path, dict[str, Any]]) -> Path:
    """The coded samples with a key file holding the samples' names, and a second coder's codings:
    one overlapping Forsker 1's (its own passage), one touching it (merged with it)."""
    base = tmp_path_factory.mktemp("framework")
    root = base / "project"
    shutil.copytree(coded_template[0], root)
    with Project.open(root) as project:
        access = create_key(project, base / "keys" / KEY_NAME, "test passphrase")
        access.save(sample_key(access.load_existing()))
        with project.begin() as session:
            second = get_or_create_coder(session, "Forsker 2")
            add_coding(session, "deltaker_D1_T1", "empowerment/avmakt", second, match="Jeg følte meg som en snylter")
            first = get_or_create_coder(session, "Forsker 1")
            snylter = session.scalars(select(Coding).where(Coding.excerpt.like("%snylter, ærlig talt%"))).one()
            add_coding(session, "deltaker_D1_T1", "empowerment", first, start=snylter.end, end=snylter.end + 12)
    return base


@pytest.fixture
def root(tmp_path: Path, framework_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(framework_template / "project", tmp_path / "project")
    shutil.copytree(framework_template / "keys", tmp_path / "keys")
    monkeypatch.setenv("QUALCODE_KEY", str(tmp_path / "keys" / KEY_NAME))
    return tmp_path / "project"


@pytest.fixture
def session(root: Path) -> Iterator[Session]:
    with Project.open(root) as project, project.begin() as opened:
        yield opened


def brute_force(session: Session, participant: str, code_path: str) -> set[tuple[str, str, int, int]]:
    """(transcript, coder, start, end) of the participant's passages of the code, merged by hand from the raw codings."""
    rows = session.execute(
        select(Transcript.name, Coding.coder_id, Coding.start, Coding.end, Coding.transcript_id)
        .join(Transcript, Coding.transcript_id == Transcript.id)
        .join(Code, Coding.code_id == Code.id)
        .where(Coding.removed_at.is_(None), Coding.text_version_id == Transcript.current_version_id,
               (Code.path == code_path) | Code.path.startswith(code_path + "/"))
    ).all()
    by_group: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for name, coder_id, start, end, transcript_id in rows:
        version = session.get_one(Transcript, transcript_id).current_version
        assert version is not None
        turn = next((turn for turn in version.turns if turn.start <= start < turn.end), None)
        speaker = turn.participant if turn is not None else None
        links = session.get_one(Transcript, transcript_id).participant_links
        if speaker is None and turn is not None and turn.speaker is None and len(links) == 1:
            speaker = links[0].participant
        if speaker is not None and speaker.name == participant:
            by_group.setdefault((name, coder_id), []).append((start, end))
    merged: set[tuple[str, str, int, int]] = set()
    for (name, coder_id), spans in by_group.items():
        coder = session.get_one(Coder, coder_id)
        current: list[int] | None = None
        for start, end in sorted(spans):
            if current is not None and start <= current[1]:
                current[1] = max(current[1], end)
                continue
            if current is not None:
                merged.add((name, coder.name, current[0], current[1]))
            current = [start, end]
        if current is not None:
            merged.add((name, coder.name, current[0], current[1]))
    return merged


# --- the service -----------------------------------------------------------------------------------------
def test_a_cell_holds_the_participants_passages_of_the_code_and_its_sub_codes_by_the_counting_rules(session: Session) -> None:
    matrix = framework_matrix(session)
    # The top-level codes anyone in the rows has passages of, in codebook order.
    assert [code.path for code in matrix.codes] == ["empowerment", "brukermedvirkning", "måltall-press"]
    assert [(row.participant, row.role) for row in matrix.rows][:2] == [("D1", "deltaker"), ("D2", "deltaker")]
    cell = matrix.cell("D1", "empowerment")
    got = {(p.transcript, p.coder, p.start, p.end) for p in cell.passages}
    assert got == brute_force(session, "D1", "empowerment")
    # Forsker 1's three sub-code passages, one of them merged with the code touching it, and Forsker 2's own.
    assert sorted((p.coder, len(p.coding_guids)) for p in cell.passages) == [
        ("Forsker 1", 1), ("Forsker 1", 1), ("Forsker 1", 2), ("Forsker 2", 1),
    ]
    merged = next(p for p in cell.passages if len(p.coding_guids) == 2)
    assert merged.code_paths == ("empowerment/avmakt", "empowerment")
    assert merged.text.startswith("Jeg følte meg som en snylter, ærlig talt.")
    assert matrix.cell("D2", "brukermedvirkning").passages and not matrix.cell("D2", "empowerment").passages
    assert all(cell.summary is None for row in matrix.rows for cell in row.cells)


def test_set_undo_redo_and_clear_with_passages_coded_after_the_summary(session: Session) -> None:
    coder = get_or_create_coder(session, "Forsker 1")
    first = set_summary(session, "D1", "empowerment", "  Fra avmakt til tro på seg selv. ", coder)
    assert (first.text, first.passages, first.changed) == ("Fra avmakt til tro på seg selv.", 4, True)
    assert not set_summary(session, "D1", "empowerment", "Fra avmakt til tro på seg selv.", coder).changed
    set_summary(session, "D1", "empowerment", "Fra avmakt til mestring", coder)
    cell = framework_cell(session, "D1", "empowerment")
    assert (cell.summary, cell.updated_by, cell.new_passages) == ("Fra avmakt til mestring", "Forsker 1", 0)
    assert all(passage.linked for passage in cell.passages)

    add_coding(session, "deltaker_D1_T1", "empowerment/håp og motivasjon", coder, match="Man føler seg ikke like alene.")
    later = framework_cell(session, "D1", "empowerment")
    assert later.new_passages == 1 and [p.text for p in later.passages if not p.linked] == ["Man føler seg ikke like alene."]
    undo(session, coder)  # the coding goes first
    assert undo(session, coder).summary == "summary of D1 under empowerment"
    assert framework_cell(session, "D1", "empowerment").summary == "Fra avmakt til tro på seg selv."
    undo(session, coder)
    assert framework_cell(session, "D1", "empowerment").summary is None
    redo(session, coder)
    redo(session, coder)
    assert framework_cell(session, "D1", "empowerment").summary == "Fra avmakt til mestring"

    clear_summary(session, "D1", "empowerment", coder)
    assert framework_cell(session, "D1", "empowerment").summary is None
    with pytest.raises(NotFound, match="D1 has no summary under empowerment"):
        clear_summary(session, "D1", "empowerment", coder)
    undo(session, coder)
    assert framework_cell(session, "D1", "empowerment").summary == "Fra avmakt til mestring"
    actions = [e.action for e in session.scalars(select(Event).where(Event.entity == "summary").order_by(Event.id))]
    assert actions == ["framework.set", "framework.set", "undo", "undo", "redo", "redo", "framework.clear", "undo"]


def test_someone_elses_later_summary_is_not_overwritten_by_undo(session: Session) -> None:
    first, second = get_or_create_coder(session, "Forsker 1"), get_or_create_coder(session, "Forsker 2")
    set_summary(session, "D2", "brukermedvirkning", "Tvunget inn", first)
    set_summary(session, "D2", "brukermedvirkning", "Opplevde ikke valg", second)
    with pytest.raises(Exception, match="Forsker 2 changed this summary after you"):
        undo(session, first)
    assert framework_cell(session, "D2", "brukermedvirkning").summary == "Opplevde ikke valg"


def _written(session: Session, participant: str, code: str) -> tuple[str, Any]:
    """Who the cell's summary is credited to, and when, to the microsecond."""
    row = session.scalars(
        select(FrameworkSummary).join(Participant).join(Code).where(Participant.name == participant, Code.path == code)
    ).one()
    return row.updated_by.name, row.updated_at


def test_undo_and_redo_credit_the_summary_to_whoever_wrote_it_then(session: Session) -> None:
    """Bjørn's undo of his summary brought Anna's text back as Bjørn's, written at the moment of the undo."""
    anna, bjorn = get_or_create_coder(session, "Anna"), get_or_create_coder(session, "Bjørn")
    set_summary(session, "D2", "brukermedvirkning", "Annas tekst.", anna)
    annas = _written(session, "D2", "brukermedvirkning")
    set_summary(session, "D2", "brukermedvirkning", "Bjørns tekst.", bjorn)
    bjorns = _written(session, "D2", "brukermedvirkning")
    assert annas[0] == "Anna" and bjorns[0] == "Bjørn" and bjorns[1] > annas[1]
    undo(session, bjorn)
    assert _written(session, "D2", "brukermedvirkning") == annas
    cell = framework_cell(session, "D2", "brukermedvirkning")
    assert (cell.summary, cell.updated_by, cell.updated_at) == ("Annas tekst.", "Anna", shown_moment(annas[1]))
    redo(session, bjorn)
    assert _written(session, "D2", "brukermedvirkning") == bjorns
    # Bjørn clears Anna's summary and takes that back: hers again, as she wrote it.
    undo(session, bjorn)
    clear_summary(session, "D2", "brukermedvirkning", bjorn)
    undo(session, bjorn)
    assert _written(session, "D2", "brukermedvirkning") == annas


def test_undo_of_a_summary_logged_before_states_named_their_writer_finds_the_writer_in_the_log(session: Session) -> None:
    anna, bjorn = get_or_create_coder(session, "Anna"), get_or_create_coder(session, "Bjørn")
    set_summary(session, "D2", "brukermedvirkning", "Annas tekst.", anna)
    set_summary(session, "D2", "brukermedvirkning", "Bjørns tekst.", bjorn)
    events = session.scalars(select(Event).where(Event.entity == "summary").order_by(Event.id)).all()
    for event in events:  # as an older version logged them
        event.payload = {
            state: {name: value for name, value in held.items() if name not in ("updated_by_guid", "updated_at")} if held else held
            for state, held in event.payload.items()
        }
    session.flush()
    undo(session, bjorn)
    assert _written(session, "D2", "brukermedvirkning") == ("Anna", events[0].at)
    redo(session, bjorn)
    assert _written(session, "D2", "brukermedvirkning") == ("Bjørn", events[1].at)


def test_a_summary_keeps_its_code_and_goes_with_a_withdrawn_participant(session: Session) -> None:
    from qualcode.anonymise.key import PseudonymKey
    from qualcode.anonymise.withdraw import withdraw_participant
    from qualcode.codebook.service import create_code

    coder = get_or_create_coder(session, "Forsker 1")
    create_code(session, "empowerment/stolthet", {}, coder)
    set_summary(session, "D1", "empowerment/stolthet", "Ingen passasjer ennå, men nevnt i samtalen", coder)
    assert framework_matrix(session, codes=["empowerment/stolthet"]).cell("D1", "empowerment/stolthet").summary
    undo(session, coder)  # the summary
    # The code's creation: a cleared summary still belongs to it, so undo passes over it, for good.
    done = undo(session, coder)  # the template's coding before it, and says so
    assert "passed over your later changes that cannot be undone: created code empowerment/stolthet" in done.summary
    assert session.scalar(select(Code).where(Code.path == "empowerment/stolthet")) is not None

    set_summary(session, "D3", "empowerment", "Mestring", coder)
    guid = session.scalars(select(FrameworkSummary.guid).join(Participant).where(Participant.name == "D3")).one()
    withdraw_participant(session, "D3", PseudonymKey("test"), coder)
    assert session.scalar(select(FrameworkSummary).where(FrameworkSummary.guid == guid)) is None
    assert session.scalar(select(Event).where(Event.entity_guid == guid)) is None


def test_bad_cells_are_one_line_errors(session: Session) -> None:
    coder = get_or_create_coder(session, "Forsker 1")
    with pytest.raises(InvalidInput, match="the summary is empty"):
        set_summary(session, "D1", "empowerment", "  \n", coder)
    with pytest.raises(NotFound, match="no participant"):
        set_summary(session, "D99", "empowerment", "x", coder)
    with pytest.raises(NotFound, match="no code"):
        framework_matrix(session, codes=["finnes-ikke"])
    with pytest.raises(NotFound, match="no participant has the role 'sjef'"):
        framework_matrix(session, roles=["sjef"])
    with pytest.raises(NotFound, match="no participant has passages or summaries under empowerment/avmakt"):
        framework_matrix(session, codes=["empowerment/avmakt"], participants=["D2"])


def test_migration_0006_adds_and_removes_the_table(root: Path) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from qualcode.store.project import _alembic_config

    with Project.open(root) as project:
        with project.engine.begin() as connection:
            command.downgrade(_alembic_config(connection), "0005")
        assert "framework_summaries" not in inspect(project.engine).get_table_names()
        with project.engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
        with project.begin() as session:
            set_summary(session, "D1", "empowerment", "Igjen", get_or_create_coder(session, "Forsker 1"))
            assert framework_cell(session, "D1", "empowerment").summary == "Igjen"


# --- typed text ----------------------------------------------------------------------------------------------
def _database_bytes(root: Path) -> bytes:
    database = root / PROJECT_DIR / DATABASE_FILE
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return database.read_bytes()


def test_a_name_typed_in_a_summary_is_pseudonymised_and_a_name_awaiting_review_refused(root: Path, tmp_path: Path) -> None:
    with Workspace.open(Config.resolve(project=root, coder="Forsker 1", key=tmp_path / "keys" / KEY_NAME)) as workspace:
        workspace.set_summary("D1", "empowerment", "Hilde hjalp henne å tro på seg selv")
        with workspace.begin() as session:
            stored = framework_cell(session, "D1", "empowerment").summary
        assert stored is not None and "Hilde" not in stored and stored.endswith("hjalp henne å tro på seg selv")
        with workspace.key_access().editing() as key:
            key.pending.append(Candidate("Torunn"))
        with pytest.raises(InvalidInput, match="'Torunn', which waits for review"):
            workspace.set_summary("D1", "empowerment", "Torunn sa nei")
        assert workspace.framework_cell("D1", "empowerment").summary == stored
    assert b"Hilde" not in _database_bytes(root)


def test_the_same_summary_naming_someone_given_again_is_no_change(root: Path, tmp_path: Path) -> None:
    """A probe: the summary is stored under the pseudonym, and the same text given again was compared
    with that as typed: every `framework set` of it logged another change for undo to take back."""
    with Workspace.open(Config.resolve(project=root, coder="Forsker 1", key=tmp_path / "keys" / KEY_NAME)) as workspace:
        for _ in range(3):
            workspace.set_summary("D1", "empowerment", "Hilde hjalp henne å tro på seg selv")
        with workspace.begin() as session:
            logged = session.scalars(select(Event).where(Event.action == EventKind.FRAMEWORK_SET.value)).all()
    assert len(logged) == 1


# --- the CLI ------------------------------------------------------------------------------------------------
def cli(root: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return run("--project", str(root), "--coder", "Forsker 1", *args, env=env)


def test_cli_set_show_cell_clear_and_undo(root: Path) -> None:
    result = cli(root, "framework", "set", "D1", "empowerment", "Fra avmakt til tro på egen mestring, med støtte fra veileder")
    assert result.exit_code == 0, result.output
    assert result.output == "wrote the summary of D1 under empowerment (4 passages)\n"
    shown = cli(root, "framework", "show")
    assert shown.exit_code == 0
    lines = shown.output.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    assert lines[0] == "Framework matrix: 6 participants × 3 codes"
    assert lines[1].split(" │ ") == ["Participant ", "empowerment        ", "brukermedvirkning  ", "måltall-press"]
    assert "│ Fra avmakt til tro  │" in shown.output and "(4 passages)" in shown.output and "V2" in shown.output
    five = ("empowerment", "brukermedvirkning", "måltall-press", "empowerment/avmakt", "empowerment/selvbilde og selvtillit")
    paged = cli(root, "framework", "show", *(f"--code={code}" for code in five)).output
    assert "(page 2 of 2)" in paged and "…erment/selvbilde og selvtillit" in paged
    assert paged.count("\nD1 ") == 2 and all(len(line) <= 80 for line in paged.splitlines())  # row labels on each page

    data = json.loads(cli(root, "framework", "show", "--json", "--code", "empowerment").output)
    d1 = next(row for row in data["rows"] if row["participant"] == "D1")
    assert d1["cells"][0]["summary"].startswith("Fra avmakt") and d1["cells"][0]["passages"] == 4
    assert data["codes"] == ["empowerment"] and "per coder" in data["caption"]
    rows = list(csv.DictReader(io.StringIO(cli(root, "framework", "show", "--csv", "--role", "deltaker").output)))
    assert {row["participant"] for row in rows} == {"D1", "D2", "D5"}
    assert next(r for r in rows if (r["participant"], r["code"]) == ("D1", "empowerment"))["new_passages"] == "0"
    # A summary that starts as a formula is text in a spreadsheet, as in every other CSV the tool prints.
    assert cli(root, "framework", "set", "D2", "empowerment", '=HYPERLINK("http://x","klikk")').exit_code == 0
    rows = list(csv.DictReader(io.StringIO(cli(root, "framework", "show", "--csv", "--code", "empowerment").output)))
    assert next(r for r in rows if r["participant"] == "D2")["summary"] == "'=HYPERLINK(\"http://x\",\"klikk\")"
    assert cli(root, "undo").exit_code == 0

    cell = cli(root, "framework", "cell", "D1", "empowerment")
    assert "summary (Forsker 1" in cell.output and cell.output.count("[S-") == 4 and "snylter" in cell.output
    assert cli(root, "framework", "clear", "D1", "empowerment").exit_code == 0
    assert "no summary yet" in cli(root, "framework", "cell", "D1", "empowerment").output
    assert cli(root, "undo").exit_code == 0
    assert "Fra avmakt" in cli(root, "framework", "cell", "D1", "empowerment").output
    history = cli(root, "history").output
    assert "cleared the summary of D1 under empowerment" in history


def test_cli_show_tells_a_cell_without_passages_from_one_not_summarised(root: Path) -> None:
    """`framework show` wrote "–" for both, where the workbook and the report write "–" only for no passages."""
    lines = [line.split(" │ ") for line in cli(root, "framework", "show").output.splitlines() if " │ " in line]
    # Each row: its cells' first lines, then their counts ("(4 passages)") on the next line.
    shown = [(first.strip(), count.strip()) for above, below in zip(lines, lines[1:], strict=False)
             for first, count in zip(above[1:], below[1:], strict=True) if count.strip().startswith("(")]
    assert ("not summarised", "(4 passages)") in shown  # D1 under empowerment: coded, no summary yet
    assert ("–", "(0 passages)") in shown
    assert all(first == "–" for first, count in shown if count == "(0 passages)")
    assert all(first == "not summarised" for first, count in shown if count != "(0 passages)")


def test_cli_cell_shows_a_summary_written_in_paragraphs_in_its_paragraphs(root: Path) -> None:
    """A probe: `framework cell`, which shows the whole summary, ran its lines together ("… tiltak. Andre runde: …")."""
    summary = "Første runde: ville ikke ha tiltak.\n\nAndre runde: fornøyd med praksisplassen.\n- lønn\n- kolleger"
    assert cli(root, "framework", "set", "D1", "empowerment", summary).exit_code == 0
    shown = cli(root, "framework", "cell", "D1", "empowerment").output.splitlines()
    said = shown[shown.index(next(line for line in shown if line.startswith("summary ("))) + 1:][:6]
    assert said == ["  Første runde: ville ikke ha tiltak.", "", "  Andre runde: fornøyd med praksisplassen.", "  - lønn",
                    "  - kolleger", "4 passages:"]


def test_a_blind_coder_s_summary_counts_only_their_own_passages(root: Path) -> None:
    """A probe: `framework set` by a blind medforsker said "(5 passages)", counting the others' passages
    in the cell, which `framework cell` and every count hide from them."""
    medforsker = ("--project", str(root), "--coder", "Medforsker 1")
    assert run(*medforsker, "coder", "add", "Medforsker 1", "--role", "medforsker").exit_code == 0
    assert cli(root, "coder", "blind", "on", "--role", "medforsker").exit_code == 0
    assert run(*medforsker, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "ærlig talt").exit_code == 0
    written = run(*medforsker, "framework", "set", "D1", "empowerment", "Skammen over å få hjelp")
    assert written.exit_code == 0, written.output
    assert written.output == "wrote the summary of D1 under empowerment (1 passage)\n"
    assert "(1 passage)" in run(*medforsker, "framework", "set", "D1", "empowerment", "Skammen over å få hjelp").output
    # The summary is the team's: it links every coder's passages, which the others see.
    assert "5 passages:" in cli(root, "framework", "cell", "D1", "empowerment").output


def test_cli_errors_are_one_line(root: Path) -> None:
    for args, message in (
        (("framework", "set", "D1", "empowerment"), "no summary given (hint: give it as TEXT"),
        (("framework", "set", "D1", "empowerment", "tekst", "--edit"), "give the summary as TEXT or write it with --edit, not both"),
        (("framework", "set", "D1", "empowerment", " "), "the summary is empty"),
        (("framework", "show", "--code", "finnes-ikke"), "no code"),
        (("framework", "cell", "X9", "empowerment"), "no participant"),
        (("framework", "export", "matrise.csv"), "matrise.csv should end in .xlsx"),
    ):
        result = cli(root, *args)
        assert result.exit_code == 1 and result.output.startswith(f"error: {message}"), (args, result.output)
        assert result.output.count("\n") == 1


def test_cli_set_with_an_editor_shows_the_passages(root: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\npath = pathlib.Path(sys.argv[1])\ntext = path.read_text(encoding='utf-8')\n"
        "assert 'snylter' in text and '# [S-' in text, text\n"
        "path.write_text('Skrevet i editoren\\n' + text, encoding='utf-8')\n",
        encoding="utf-8",
    )
    result = cli(root, "framework", "set", "D1", "empowerment", "--edit", env={"EDITOR": f"{sys.executable} {editor}"})
    assert result.exit_code == 0, result.output
    with Project.open(root) as project, project.begin() as session:
        assert framework_cell(session, "D1", "empowerment").summary == "Skrevet i editoren"


def test_cli_edit_without_an_editor_or_with_a_missing_one_is_one_line(root: Path) -> None:
    """No EDITOR and no terminal: click would start a default editor nobody sees and wait for ever."""
    for env, message in (
        ({"EDITOR": "", "VISUAL": ""}, "error: --edit needs an editor, and there is no terminal (hint: set EDITOR"),
        ({"EDITOR": "/finnes/ikke/redigerer", "VISUAL": ""}, "error: the editor could not be used: /finnes/ikke/redigerer"),
    ):
        result = cli(root, "framework", "set", "D1", "empowerment", "--edit", env=env)
        assert result.exit_code == 1 and result.output.startswith(message), result.output
        assert result.output.count("\n") == 1


# --- exports ----------------------------------------------------------------------------------------------------
def test_workbook_read_back(root: Path, tmp_path: Path) -> None:
    assert cli(root, "framework", "set", "D1", "empowerment", "=1+1 er ikke en formel").exit_code == 0
    assert cli(root, "framework", "set", "D2", "brukermedvirkning", "Ingen reelle valg").exit_code == 0
    target = tmp_path / "rammematrise.xlsx"
    result = cli(root, "framework", "export", str(target), "--code", "empowerment", "--code", "brukermedvirkning")
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames == ["Rammematrise", "Passasjer"]
    matrix = [[cell.value for cell in row] for row in workbook["Rammematrise"].iter_rows()]
    assert matrix[0] == ["Informant", "Rolle", "empowerment", "brukermedvirkning"]
    by_person = {row[0]: row for row in matrix[1:]}
    assert by_person["D1"][2] == "=1+1 er ikke en formel" and workbook["Rammematrise"]["C2"].data_type == "s"
    assert by_person["D2"][3] == "Ingen reelle valg" and by_person["D2"][1] == "deltaker"
    assert workbook["Rammematrise"]["C2"].alignment.wrap_text
    passages = [[cell.value for cell in row] for row in workbook["Passasjer"].iter_rows()]
    assert passages[0][:4] == ["Ref", "Informant", "Kode", "Intervju"]
    d1 = [row for row in passages[1:] if row[1] == "D1" and row[2] == "empowerment"]
    assert len(d1) == 4 and all(row[7] == "ja" for row in d1) and any("snylter" in row[6] for row in d1)
    again = cli(root, "framework", "export", str(target))
    assert again.exit_code == 1 and "exists" in again.output


def test_a_summary_longer_than_a_cell_ends_in_a_mark_and_the_export_names_it(root: Path, tmp_path: Path) -> None:
    """A summary of 37,499 characters stopped at the cell's 32,767, unsaid: it ends in […], as a
    quote table's long quote does, and the export names the cell."""
    long = " ".join(["kurset hjelper"] * 2500)
    assert cli(root, "framework", "set", "D1", "empowerment", long).exit_code == 0
    target = tmp_path / "lang.xlsx"
    result = cli(root, "framework", "export", str(target), "--code", "empowerment")
    assert result.exit_code == 0, result.output
    assert ("warning: 1 summary is longer than a spreadsheet cell holds (32,767 characters) and ends in […] there: "
            f"D1 × empowerment ({len(long):,} characters)") in " ".join(result.output.split()), result.output
    cell = {row[0].value: row for row in openpyxl.load_workbook(target)["Rammematrise"].iter_rows(min_row=2)}["D1"][2].value
    assert len(cell) == 32_767 and cell.endswith("[…]") and long.startswith(cell.removesuffix("[…]"))


def test_a_long_summary_beside_a_note_on_gone_passages_is_cut_and_counted_as_written(root: Path, tmp_path: Path) -> None:
    """A probe: a summary of 40,000 characters was named as "40,061 characters", its note on a gone
    passage counted in, and the cut took the note off."""
    long = ("kurset hjelper " * 2667)[:40_000]
    assert cli(root, "framework", "set", "D1", "empowerment", long).exit_code == 0
    with Project.open(root) as project, project.begin() as session:
        coding = session.scalars(select(Coding).where(Coding.excerpt == "Jeg har begynt å tro at jeg faktisk kan noe.")).one()
    assert cli(root, "coding", "remove", str(coding.id)).exit_code == 0
    note = "\n[1 passasje i sammendraget er borte (fjernet)]"
    target = tmp_path / "lang.xlsx"
    result = cli(root, "framework", "export", str(target), "--code", "empowerment")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "ends in […] there: D1 × empowerment (40,000 characters);" in said, said
    cell = {row[0].value: row for row in openpyxl.load_workbook(target)["Rammematrise"].iter_rows(min_row=2)}["D1"][2].value
    assert len(cell) == 32_767 and cell.endswith("[…]" + note)
    assert long.startswith(cell.removesuffix("[…]" + note))
    # A summary that fits alone, but not with its note: the summary is cut, and the warning says why.
    fits = long[:32_750]
    assert cli(root, "framework", "set", "D1", "empowerment", fits).exit_code == 0
    with Project.open(root) as project, project.begin() as session:
        remaining = session.scalars(select(Coding).join(Code).join(Transcript).where(
            Transcript.name == "deltaker_D1_T1", Code.path.startswith("empowerment"), Coding.removed_at.is_(None))).first()
        assert remaining is not None
    assert cli(root, "coding", "remove", str(remaining.id)).exit_code == 0
    result = cli(root, "framework", "export", str(target), "--code", "empowerment", "--force")
    assert result.exit_code == 0, result.output
    assert "D1 × empowerment (32,750 characters, with the notes beside it)" in " ".join(result.output.split())
    cell = {row[0].value: row for row in openpyxl.load_workbook(target)["Rammematrise"].iter_rows(min_row=2)}["D1"][2].value
    assert len(cell) == 32_767 and cell.endswith("[…]" + note) and fits.startswith(cell.removesuffix("[…]" + note))


def test_an_export_holding_an_original_name_is_refused_and_not_written(root: Path, tmp_path: Path) -> None:
    with Project.open(root) as project, project.begin() as session:  # stored around the guard, as an old project might hold it
        set_summary(session, "D1", "empowerment", "Kristoffer Lie sa det best", get_or_create_coder(session, "Forsker 1"))
    target = tmp_path / "lekk.xlsx"
    result = cli(root, "framework", "export", str(target))
    assert result.exit_code == 1 and result.output.startswith("error: refused to write lekk.xlsx"), result.output
    assert not target.exists() and not list(tmp_path.glob(".lekk*"))


def test_word_report_with_the_framework_chapter(root: Path, tmp_path: Path) -> None:
    assert cli(root, "framework", "set", "D1", "empowerment", "Fra avmakt til mestring").exit_code == 0
    target = tmp_path / "rapport.docx"
    result = cli(root, "export", "report", "--framework", "--role", "deltaker", "--output", str(target))
    assert result.exit_code == 0, result.output
    document = docx.Document(str(target))
    assert "Rammematrise" in [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    framework_tables = [t for t in document.tables if t.rows[0].cells[0].text == "Informant"]
    assert len(framework_tables) == 1
    header = [cell.text for cell in framework_tables[0].rows[0].cells]
    assert header == ["Informant", "empowerment", "brukermedvirkning"]  # what the participants chosen spoke to
    rows = {row.cells[0].text: [cell.text for cell in row.cells] for row in framework_tables[0].rows[1:]}
    assert set(rows) == {"D1 (deltaker)", "D2 (deltaker)", "D5 (deltaker)"}
    assert rows["D1 (deltaker)"][1:] == ["Fra avmakt til mestring", "–"]  # D1 has no passages of brukermedvirkning
    wide = tmp_path / "bred.docx"
    five = ("empowerment", "brukermedvirkning", "måltall-press", "empowerment/avmakt", "empowerment/selvbilde og selvtillit")
    result = cli(root, "export", "report", "--framework", *(f"--code={code}" for code in five), "--output", str(wide))
    assert result.exit_code == 0, result.output
    tables = [t for t in docx.Document(str(wide)).tables if t.rows[0].cells[0].text == "Informant"]
    assert [len(t.columns) for t in tables] == [4, 3]  # three codes to a table, the participant column on each


def test_a_cell_without_passages_and_one_not_summarised_yet_differ_in_the_workbook_and_report(root: Path, tmp_path: Path) -> None:
    """A field trial: both cells were blank in the workbook and the Word report, while `framework show` told
    "(0 passages)" from "(1 passage)"; a reader of the report could not tell nothing said from not summarised."""
    assert cli(root, "framework", "set", "D1", "empowerment", "Fra avmakt til mestring").exit_code == 0
    data = json.loads(cli(root, "framework", "show", "--json", "--code", "empowerment", "--code", "brukermedvirkning").output)
    counts = {(row["participant"], cell["code"]): (cell["summary"], cell["passages"]) for row in data["rows"] for cell in row["cells"]}
    # What the samples hold, read independently of the workbook: D1 said nothing under brukermedvirkning,
    # D2 has passages under it and no summary, D5 has one.
    assert counts[("D1", "brukermedvirkning")] == (None, 0)
    d2 = counts[("D2", "brukermedvirkning")]
    assert d2[0] is None and d2[1] >= 1
    waiting = f"({d2[1]} passasje{'r' if d2[1] > 1 else ''}, ikke oppsummert)"

    target = tmp_path / "rammematrise.xlsx"
    result = cli(root, "framework", "export", str(target), "--code", "empowerment", "--code", "brukermedvirkning")
    assert result.exit_code == 0, result.output
    by_person = {row[0]: row for row in openpyxl.load_workbook(target)["Rammematrise"].iter_rows(min_row=2, values_only=True)}
    assert by_person["D1"][2:] == ("Fra avmakt til mestring", "–")
    assert by_person["D2"][3] == waiting
    english = tmp_path / "framework.xlsx"
    assert cli(root, "framework", "export", str(english), "--code", "brukermedvirkning", "--lang", "en").exit_code == 0
    by_person = {row[0]: row for row in openpyxl.load_workbook(english).active.iter_rows(min_row=2, values_only=True)}
    assert by_person["D2"][2] == waiting.replace("passasjer", "passages").replace("passasje", "passage").replace(
        "ikke oppsummert", "not summarised")

    report = tmp_path / "rapport.docx"
    result = cli(root, "export", "report", "--framework", "--code", "empowerment", "--code", "brukermedvirkning",
                 "--output", str(report))
    assert result.exit_code == 0, result.output
    document = docx.Document(str(report))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Informant")
    rows = {row.cells[0].text.split(" (")[0]: [cell.text for cell in row.cells] for row in table.rows[1:]}
    assert rows["D1"][1:] == ["Fra avmakt til mestring", "–"]
    assert rows["D2"][2] == waiting
    lead = [p.text for p in document.paragraphs if p.text.startswith("Oppsummeringer per informant")]
    assert lead and "(–)" in lead[0] and "ikke oppsummert" in lead[0]  # the marks explained above the table


def test_a_summary_with_passages_coded_after_it_says_so_in_the_workbook_and_report(root: Path, tmp_path: Path) -> None:
    """`framework show` says "1 new" of a passage coded after the summary was written; the workbook's matrix
    and the report's table showed the summary alone, as if it covered every passage of the cell."""
    assert cli(root, "framework", "set", "D1", "empowerment", "Fra avmakt til mestring").exit_code == 0
    assert cli(root, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "Man føler seg ikke like alene").exit_code == 0
    data = json.loads(cli(root, "framework", "show", "--json", "--code", "empowerment").output)
    [d1] = [cell for row in data["rows"] if row["participant"] == "D1" for cell in row["cells"]]
    assert d1["new_passages"] == 1, d1
    target = tmp_path / "rammematrise.xlsx"
    assert cli(root, "framework", "export", str(target), "--code", "empowerment").exit_code == 0
    by_person = {row[0]: row for row in openpyxl.load_workbook(target)["Rammematrise"].iter_rows(min_row=2, values_only=True)}
    assert by_person["D1"][2] == "Fra avmakt til mestring\n[1 passasje kodet etter sammendraget]"
    english = tmp_path / "framework.xlsx"
    assert cli(root, "framework", "export", str(english), "--code", "empowerment", "--lang", "en").exit_code == 0
    by_person = {row[0]: row for row in openpyxl.load_workbook(english).active.iter_rows(min_row=2, values_only=True)}
    assert by_person["D1"][2] == "Fra avmakt til mestring\n[1 passage coded after the summary]"
    report = tmp_path / "rapport.docx"
    assert cli(root, "export", "report", "--framework", "--code", "empowerment", "--output", str(report)).exit_code == 0
    table = next(t for t in docx.Document(str(report)).tables if t.rows[0].cells[0].text == "Informant")
    rows = {row.cells[0].text.split(" (")[0]: row.cells for row in table.rows[1:]}
    assert [p.text for p in rows["D1"][1].paragraphs] == ["Fra avmakt til mestring", "[1 passasje kodet etter sammendraget]"]
    # Summarised again, the note goes.
    assert cli(root, "framework", "set", "D1", "empowerment", "Fra avmakt til mestring, og fellesskap").exit_code == 0
    assert cli(root, "framework", "export", str(target), "--code", "empowerment", "--force").exit_code == 0
    by_person = {row[0]: row for row in openpyxl.load_workbook(target)["Rammematrise"].iter_rows(min_row=2, values_only=True)}
    assert by_person["D1"][2] == "Fra avmakt til mestring, og fellesskap"


# --- the terminal UI -------------------------------------------------------------------------------------------

async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    for _ in range(40):
        await settle(pilot)
        if condition():
            return
    raise AssertionError("the screen never reached the expected state")


def typing(text: str) -> list[str]:
    return ["space" if character == " " else character for character in text]


def stored(root: Path, participant: str, code: str) -> str | None:
    with Project.open(root) as project, project.begin() as session:
        return framework_cell(session, participant, code).summary


async def test_the_screen_goes_cell_by_cell_and_saves_what_is_written(root: Path, tmp_path: Path) -> None:
    from textual.widgets import DataTable, Static, TextArea

    from qualcode.tui.modals.commands import QualcodeCommands, all_commands
    from qualcode.tui.screens.framework import FrameworkScreen
    from qualcode.tui.screens.help import HelpScreen
    from tests.conftest import open_tui, screen_text

    app = open_tui(root, key=tmp_path / "keys" / KEY_NAME)
    with app.workspace.key_access().editing() as key:
        key.pending.append(Candidate("Torunn"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")  # the overview's help lists the key
        keys = app.screen.query_one(DataTable)
        assert any(str(keys.get_row_at(index)[0]) == "f" and "framework matrix" in str(keys.get_row_at(index)[1])
                   for index in range(keys.row_count))
        await pilot.press("escape")
        assert "Framework matrix" in [name for name, _, _ in all_commands(QualcodeCommands(app.screen))]
        await pilot.press("f")  # from the overview
        await until(pilot, lambda: isinstance(app.screen, FrameworkScreen) and app.screen.matrix is not None)
        screen = app.screen
        assert isinstance(screen, FrameworkScreen)
        assert screen.current == ("D1", "empowerment")
        passages = str(screen.query_one("#framework-passages", Static).render())
        assert "snylter" in passages and "deltaker_D1_T1:" in passages
        assert "D1 × empowerment · 4 passages" in str(screen.query_one("#framework-where", Static).render())
        assert "Participant" in screen_text(app)  # at 80 columns its header read "Participan"
        await pilot.press("n")
        assert screen.current == ("D1", "brukermedvirkning")
        await pilot.press("p", "enter")  # back, and write
        assert screen.current == ("D1", "empowerment") and screen.query_one(TextArea).has_focus
        await pilot.press(*typing("Fra "))
        screen.query_one(TextArea).insert("avmakt til mestring")  # the rest at once: typing each key costs a redraw
        await pilot.press("escape")  # leaving the field saves
        await until(pilot, lambda: stored(root, "D1", "empowerment") == "Fra avmakt til mestring")
        assert screen.query_one("#framework-matrix").has_focus

        await pilot.press("down")  # D2, empowerment: written, then left by moving on
        assert screen.current == ("D2", "empowerment")
        await pilot.press("e", *typing("Ingen"))
        screen.query_one(TextArea).insert(" passasjer")
        await pilot.press("escape", "n")
        await until(pilot, lambda: stored(root, "D2", "empowerment") == "Ingen passasjer")
        assert screen.current == ("D2", "brukermedvirkning")
        await pilot.press("enter")
        screen.query_one(TextArea).insert("Ble ikke spurt")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: stored(root, "D2", "brukermedvirkning") == "Ble ikke spurt")

        await pilot.press("escape", "n", "enter")  # a name awaiting review is refused, and the draft kept
        screen.query_one(TextArea).insert("Torunn sa nei")
        await pilot.press("escape", "p")
        await settle(pilot)
        assert stored(root, "D2", "måltall-press") is None
        await pilot.press("n")
        assert screen.current == ("D2", "måltall-press") and screen.query_one(TextArea).text == "Torunn sa nei"

        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "escape")  # the help, then the matrix
        assert not isinstance(app.screen, FrameworkScreen)
        # Left with the refused summary unsaved: the app keeps it (it was the screen's, and went with it),
        # shows it again in its cell, and warns of it on quitting.
        await settle(pilot, pauses=2)
        with Project.open(root) as project, project.begin() as session:
            guid = framework_cell(session, "D2", "måltall-press").code_guid
            rename_code(session, "måltall-press", "målstyring")  # by another process meanwhile
        assert app.drafts == {f"summary D2 × {guid}": "Torunn sa nei"}
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FrameworkScreen) and app.screen.matrix is not None)
        again = app.screen
        assert isinstance(again, FrameworkScreen)
        again.query_one(DataTable).move_cursor(row=1, column=3)
        await settle(pilot)
        # Kept by the code's GUID, the draft is still the renamed code's (it was lost when kept by the path).
        assert again.current == ("D2", "målstyring") and again.query_one(TextArea).text == "Torunn sa nei"
        # Typed and not saved, then ctrl+q: warned first, as a memo typed and not saved is.
        await pilot.press("up", "enter")
        again.query_one(TextArea).insert(" og mer")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.is_running and f"summary D1 × {guid}" in app.drafts
        assert any("typed and not saved" in str(note.message) for note in app._notifications)


def test_a_passage_merged_from_several_codings_carries_each_codings_reference(session: Session) -> None:
    """The report quotes each coding under its own reference; a cell's passage named only its first
    coding's, so one reference meant a longer text in the framework than in the report."""
    from qualcode.coding.passages import quote_ref

    passages = [passage for passage in framework_cell(session, "D1", "empowerment").passages]
    merged = [passage for passage in passages if len(passage.coding_guids) > 1]
    assert merged, "the template's touching codings make one merged passage"
    for passage in passages:
        assert passage.ref == " + ".join(quote_ref(guid) for guid in passage.coding_guids), passage


# --- summarised passages that are gone ----------------------------------------------------------------------
def _gone_setup(session: Session) -> tuple[set[str], dict[str, str]]:
    """D1's empowerment summary, then its passages removed, orphaned by a new text and recoded: the summary's
    codings, and what became of each read straight from the codings table."""
    from qualcode.coding.service import recode_coding, remove_coding
    from qualcode.store.models import utcnow

    first, second = get_or_create_coder(session, "Forsker 1"), get_or_create_coder(session, "Forsker 2")
    set_summary(session, "D1", "empowerment", "Fra avmakt til mestring", first)
    cell = framework_cell(session, "D1", "empowerment")
    assert cell.gone == () and len(cell.passages) == 4
    merged = next(p for p in cell.passages if len(p.coding_guids) == 2)
    single = [p for p in cell.passages if len(p.coding_guids) == 1 and p.coder == "Forsker 1"]
    theirs = next(p for p in cell.passages if p.coder == "Forsker 2")
    by_guid = {c.guid: c for c in session.scalars(select(Coding))}
    remove_coding(session, by_guid[theirs.coding_guids[0]].id, second)
    recode_coding(session, by_guid[single[0].coding_guids[0]].id, "brukermedvirkning", first)
    for guid in merged.coding_guids:  # as `import --replace` leaves a coding it finds no place for
        by_guid[guid].orphaned_at = by_guid[guid].removed_at = utcnow()
    session.flush()
    summarised = set(session.scalars(select(FrameworkSummary.coding_guids)).one())
    fate = {}
    for guid in summarised:
        coding = session.scalars(select(Coding).where(Coding.guid == guid)).one()
        path = session.get_one(Code, coding.code_id).path
        fate[guid] = ("orphaned" if coding.orphaned_at else "removed" if coding.removed_at
                      else "here" if path == "empowerment" or path.startswith("empowerment/") else "recoded")
    return summarised, fate


def test_a_summary_says_which_of_its_passages_are_gone_and_why(session: Session) -> None:
    summarised, fate = _gone_setup(session)
    cell = framework_cell(session, "D1", "empowerment")
    # Independently: the summarised codings no longer live under the code, by what the codings table says of them.
    assert {guid for gone in cell.gone for guid in gone.coding_guids} == {g for g, f in fate.items() if f != "here"}
    assert {guid for p in cell.passages for guid in p.coding_guids} & summarised == {g for g, f in fate.items() if f == "here"}
    # The two touching orphaned codings were one passage, and are one gone passage.
    assert sorted((gone.reason, gone.now, len(gone.coding_guids)) for gone in cell.gone) == [
        ("orphaned", None, 2), ("recoded", "brukermedvirkning", 1), ("removed", None, 1),
    ]
    assert cell.gone_passages == 3 and len(cell.passages) == 1
    assert cell.gone_note() == (
        "3 summarised passages gone (1 removed, 1 orphaned by a new text, 1 recoded to brukermedvirkning)"
    )
    assert framework_matrix(session).cell("D1", "empowerment").gone == cell.gone
    # A coder left out by --coder is not shown, and not gone either; a cell without a summary has nothing gone.
    assert all(gone.coder == "Forsker 1" for gone in framework_cell(session, "D1", "empowerment", coders=["Forsker 1"]).gone)
    assert framework_cell(session, "D2", "brukermedvirkning").gone == ()


def test_gone_passages_show_in_the_terminal_csv_workbook_and_report(root: Path, tmp_path: Path) -> None:
    with Project.open(root) as project, project.begin() as session:
        _gone_setup(session)
    note = "3 summarised passages gone (1 removed, 1 orphaned by a new text, 1 recoded to brukermedvirkning)"
    shown = cli(root, "framework", "show", "--code", "empowerment").output
    assert "(1 passage)" in shown and "(3 summarised gone)" in shown and f"D1 under empowerment: {note}" in " ".join(shown.split())
    cell = cli(root, "framework", "cell", "D1", "empowerment").output
    assert f"{note}:" in cell and "gone: recoded to brukermedvirkning" in cell
    rows = list(csv.DictReader(io.StringIO(cli(root, "framework", "show", "--csv", "--code", "empowerment").output)))
    d1 = next(r for r in rows if r["participant"] == "D1")
    assert (d1["passages"], d1["gone_passages"], d1["gone"]) == ("1", "3", note)
    data = json.loads(cli(root, "framework", "show", "--json", "--code", "empowerment").output)
    assert next(row for row in data["rows"] if row["participant"] == "D1")["cells"][0]["gone_passages"] == 3

    target = tmp_path / "rammematrise.xlsx"
    assert cli(root, "framework", "export", str(target), "--code", "empowerment").exit_code == 0
    workbook = openpyxl.load_workbook(target)
    by_person = {row[0].value: row for row in workbook["Rammematrise"].iter_rows(min_row=2)}
    nb_note = ("3 passasjer i sammendraget er borte (1 fjernet, 1 uten plass i ny tekst, 1 omkodet til brukermedvirkning)")
    assert by_person["D1"][2].value == f"Fra avmakt til mestring\n[{nb_note}]"
    passages = [[c.value for c in row] for row in workbook["Passasjer"].iter_rows(min_row=2) if row[1].value == "D1"]
    assert sorted(row[7] for row in passages) == [
        "ja", "ja, nå borte (fjernet)", "ja, nå borte (omkodet til brukermedvirkning)", "ja, nå borte (uten plass i ny tekst)",
    ]

    report = tmp_path / "rapport.docx"
    assert cli(root, "export", "report", "--framework", "--code", "empowerment", "--output", str(report)).exit_code == 0
    table = next(t for t in docx.Document(str(report)).tables if t.rows[0].cells[0].text == "Informant")
    d1_cell = next(row.cells[1] for row in table.rows if row.cells[0].text.startswith("D1"))
    assert d1_cell.text == f"Fra avmakt til mestring\n[{nb_note}]"


async def test_the_screen_says_whole_why_there_is_no_matrix(sample_project: Path) -> None:
    """A probe on a project with nothing coded: the refusal was cut to one line at 80 columns
    ("… (code passages first, or"), the rest of why, and what to do, never shown."""
    from tests.conftest import open_tui, screen_text

    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await until(pilot, lambda: "no participant has passages" in screen_text(app))
        shown = " ".join(screen_text(app).split())
        assert "no participant has passages or summaries yet (code passages first, or choose codes that have some)" in shown
        assert "--code" not in shown  # a command line's option, which this screen has not


async def test_a_name_saved_in_a_summary_is_shown_as_stored_and_not_saved_again_on_leaving(root: Path, tmp_path: Path) -> None:
    """A probe: "Sissel Bakken sa ja" saved with ctrl+s was stored with her pseudonym, but the field
    went on showing her name, and every leaving of the cell saved it again (the field differed from
    the stored text): one more change in the log and under undo each time. The field shows what
    was stored, and leaving it saves nothing more."""
    from textual.widgets import TextArea

    from qualcode.tui.screens.framework import FrameworkScreen
    from tests.conftest import open_tui

    def summary_changes() -> int:
        with Project.open(root) as project, project.begin() as session:
            return len(session.scalars(select(Event).where(Event.entity == "summary")).all())

    before = summary_changes()
    app = open_tui(root, key=tmp_path / "keys" / KEY_NAME)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FrameworkScreen) and app.screen.matrix is not None)
        screen = app.screen
        assert isinstance(screen, FrameworkScreen) and screen.current == ("D1", "empowerment")
        await pilot.press("enter")
        screen.query_one(TextArea).insert("Sissel Bakken sa ja")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: stored(root, "D1", "empowerment") not in (None, ""))
        saved = stored(root, "D1", "empowerment")
        assert saved is not None and "Sissel" not in saved and "Bakken" not in saved
        await until(pilot, lambda: screen.query_one(TextArea).text == saved)
        await pilot.press("escape", "n", "p", "escape")  # leave the field, the cell, and the screen
        await settle(pilot, pauses=2)
        assert not app.drafts
    assert summary_changes() == before + 1


def test_a_report_of_one_coders_quotes_counts_only_their_passages_in_its_framework_chapter(root: Path, tmp_path: Path) -> None:
    """A field trial: `export report --by "Forsker A" --framework` quoted Forsker A alone and counted Forsker A alone
    in its matrices, while its framework chapter counted every coder's passages ("6 passasjer" where the quotes above
    held 3): the chapter ignored the coders the report was chosen by."""
    with Project.open(root) as project, project.begin() as opened:
        everyone = brute_force(opened, "D1", "empowerment")
    second = {passage for passage in everyone if passage[1] == "Forsker 2"}
    assert second and len(everyone) > len(second)  # the cell differs by whose passages are counted

    def d1_cell(*chosen: str) -> str:
        report = tmp_path / f"rapport{len(chosen)}.docx"
        result = cli(root, "export", "report", "--framework", "--code", "empowerment", *chosen, "--output", str(report))
        assert result.exit_code == 0, result.output
        table = next(t for t in docx.Document(str(report)).tables if t.rows[0].cells[0].text == "Informant")
        return next(row.cells[1].text for row in table.rows[1:] if row.cells[0].text.startswith("D1 "))

    assert d1_cell() == f"({len(everyone)} passasjer, ikke oppsummert)"
    count = len(second)
    assert d1_cell("--by", "Forsker 2") == f"({count} passasje{'r' if count > 1 else ''}, ikke oppsummert)"


def test_a_code_whose_passages_are_of_no_informant_is_said_so_not_to_be_coded_first(root: Path) -> None:
    """A field trial: a group interview's heading coded alone ("(no informant)" in `analyse matrix`) gave `framework
    show --code` "no participant has passages or summaries under it (hint: code passages first …)", though it was coded."""
    assert cli(root, "codebook", "add", "om intervjuet").exit_code == 0
    coded = cli(root, "coding", "add", "gruppeintervju_G1", "om intervjuet", "--match", "Gruppeintervju, kontor B.")
    assert coded.exit_code == 0, coded.output
    shown = cli(root, "framework", "show", "--code", "om intervjuet")
    assert shown.exit_code == 1 and len(shown.output.strip().splitlines()) == 1, shown.output
    assert "no participant has passages or summaries under om intervjuet" in shown.output
    assert "1 passage is coded there, of no informant" in shown.output and "code passages first" not in shown.output
    assert cli(root, "codebook", "add", "tom").exit_code == 0  # nothing coded at all: the hint as before
    assert "code passages first" in cli(root, "framework", "show", "--code", "tom").output
