"""The whole project's merged passages kept between calls (analysis/passage_cache.py): every kind of
change between two calls gives fresh counts, a stale, cut short or damaged file is never trusted,
writing it never fails a command, and every write to what analysis reads renews the stamp, in a
new project and in one migrated to it."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from qualcode.analysis.frequencies import code_frequencies
from qualcode.analysis.matrix import code_matrix
from qualcode.analysis.passage_cache import CACHE_FILE, STAMP_KEY, STAMPED_TABLES, cache_file, stamp
from qualcode.analysis.passages import passages, population
from qualcode.anonymise.key import PseudonymKey
from qualcode.cli import cli
from qualcode.codebook.service import find_code
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.history import undo
from qualcode.coding.passages import QuoteFilter
from qualcode.coding.service import add_coding, recode_coding, remove_coding, resize_coding
from qualcode.importers.metadata_edit import edit_participant, set_turn_participants
from qualcode.importers.service import ImportOptions, import_file
from qualcode.store.models import Coding, Participant, Transcript, Turn
from qualcode.store.project import Project
from tests.conftest import SAMPLES, make_transcript

Tables = tuple[Any, ...]


def tables(project: Project) -> Tables:
    """Everything the kept passages serve: the passages, frequencies, matrices by a built-in column, a typed
    attribute and coder (one coder selected), and who could have been coded."""
    with project.begin() as session:
        return (
            passages(session), code_frequencies(session), code_matrix(session, None, ["role"]),
            code_matrix(session, None, ["barn"], "participants"), code_matrix(session, None, ["role", "wave"], "words"),
            code_matrix(session, QuoteFilter(coders=("Forsker 1",)), ["coder"]), population(session),
        )


def kept_file(project: Project) -> Path:
    return project.database.parent / CACHE_FILE


def merged_again(project: Project) -> Tables:
    """The same tables with nothing kept: what the kept passages must agree with."""
    kept_file(project).unlink(missing_ok=True)
    return tables(project)


def changes_and_agrees(project: Project, change: Callable[[Session], object]) -> None:
    before = tables(project)
    assert kept_file(project).is_file()
    assert tables(project) == before  # read from the file this time
    with project.begin() as session:
        change(session)
    after = tables(project)
    assert after != before, "the change should show in the counts"
    assert after == merged_again(project)


@pytest.fixture
def sample(coded: tuple[Project, PseudonymKey]) -> Iterator[tuple[Project, PseudonymKey]]:
    yield coded


def first_coding(session: Session, code: str = "måltall-press/inntakspress") -> Coding:
    return session.scalars(select(Coding).where(Coding.code_id == find_code(session, code).id, Coding.removed_at.is_(None))
                           .order_by(Coding.id)).first()  # type: ignore[return-value]


def me(session: Session) -> Any:
    return get_or_create_coder(session, "Forsker 1")


def test_adding_a_coding(sample: tuple[Project, PseudonymKey]) -> None:
    changes_and_agrees(sample[0], lambda session: add_coding(
        session, "leder_L1", "empowerment", me(session), match="Jeg har sagt til veilederne at vi må nå måltallet før jul."))


def test_removing_a_coding(sample: tuple[Project, PseudonymKey]) -> None:
    changes_and_agrees(sample[0], lambda session: remove_coding(session, first_coding(session).id, me(session)))


def test_resizing_a_coding(sample: tuple[Project, PseudonymKey]) -> None:
    def resize(session: Session) -> None:
        coding = first_coding(session)
        resize_coding(session, coding.id, coding.start, coding.start + 7, me(session))

    changes_and_agrees(sample[0], resize)


def test_recoding_a_coding(sample: tuple[Project, PseudonymKey]) -> None:
    changes_and_agrees(sample[0], lambda session: recode_coding(session, first_coding(session).id, "empowerment", me(session)))


def test_moving_a_code_in_the_tree(sample: tuple[Project, PseudonymKey]) -> None:
    def move(session: Session) -> None:
        code = find_code(session, "måltall-press/inntakspress")
        code.parent = find_code(session, "empowerment")
        code.path = "empowerment/inntakspress"

    changes_and_agrees(sample[0], move)


def test_editing_a_participants_attribute(sample: tuple[Project, PseudonymKey]) -> None:
    changes_and_agrees(sample[0], lambda session: edit_participant(session, "L1", me(session), attributes={"barn": "ja"}))


def test_giving_a_turn_to_another_participant(sample: tuple[Project, PseudonymKey]) -> None:
    def reattribute(session: Session) -> None:
        coding = first_coding(session)
        turn = session.scalars(select(Turn).where(Turn.text_version_id == coding.text_version_id, Turn.start <= coding.start)
                               .order_by(Turn.start.desc())).first()
        assert turn is not None and turn.participant_id is not None
        set_turn_participants(session, {turn.id: "D3"})

    changes_and_agrees(sample[0], reattribute)


def test_importing_a_transcript(sample: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    project, key = sample
    said = "I: Hvordan var det?\nL1: Vi la om inntaket etter at måltallet kom.\n"
    changes_and_agrees(project, lambda session: make_transcript(session, tmp_path, said, "ny_samtale", key=key))


def test_replacing_a_text_version(sample: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    project, key = sample
    corrected = tmp_path / "leder_L1.txt"
    corrected.write_text("Innledning lagt til i rettet versjon.\n\n" + (SAMPLES / "leder_L1.txt").read_text(encoding="utf-8"),
                         encoding="utf-8")
    changes_and_agrees(project, lambda session: import_file(session, corrected, ImportOptions(replace=True), key=key))
    with project.begin() as session:
        versions = session.scalars(select(Transcript.current_version_id).where(Transcript.name == "leder_L1")).all()
        assert versions and first_coding(session).text_version_id == versions[0]


def test_undoing(sample: tuple[Project, PseudonymKey]) -> None:
    project = sample[0]
    with project.begin() as session:
        add_coding(session, "veileder_V2", "empowerment", me(session), match="Måltallet blir et tak.")
    changes_and_agrees(project, lambda session: undo(session, me(session)))


def test_a_change_through_the_cli_between_two_commands(sample: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    project = sample[0]
    root = str(project.root)
    env = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config")}

    def matrix() -> Any:
        result = CliRunner().invoke(cli, ["--project", root, "analyse", "matrix", "--by", "role", "--json"], env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)  # a small-group warning goes to stderr

    before = matrix()
    assert kept_file(project).is_file()
    with project.begin() as session:
        coding_id = first_coding(session).id
    removed = CliRunner().invoke(cli, ["--project", root, "--coder", "Forsker 1", "coding", "remove", str(coding_id)], env=env)
    assert removed.exit_code == 0, removed.output
    after = matrix()
    assert after != before
    kept_file(project).unlink()
    assert matrix() == after


@pytest.mark.parametrize("damage", ["cut short", "a byte changed", "empty", "not ours", "a directory"])
def test_a_damaged_file_is_merged_again(sample: tuple[Project, PseudonymKey], damage: str) -> None:
    project = sample[0]
    expected = tables(project)
    kept = kept_file(project)
    data = kept.read_bytes()
    if damage == "cut short":
        kept.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "a byte changed":
        kept.write_bytes(data[:-9] + bytes([data[-9] ^ 0x01]) + data[-8:])
    elif damage == "empty":
        kept.write_bytes(b"")
    elif damage == "not ours":
        kept.write_bytes(b"\x00" * len(data))
    else:
        kept.unlink()
        kept.mkdir()
    assert tables(project) == expected
    if damage != "a directory":
        assert kept.read_bytes() == data  # written again at the same stamp


def test_a_file_from_another_state_is_not_trusted(sample: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    """A file kept before a change, put back after it (as a copied folder or a restored backup would), is stale."""
    project = sample[0]
    tables(project)
    old = kept_file(project).read_bytes()
    with project.begin() as session:
        remove_coding(session, first_coding(session).id, me(session))
    after = merged_again(project)
    kept_file(project).write_bytes(old)
    assert tables(project) == after


def test_a_folder_that_cannot_be_written_only_means_merging_each_time(sample: tuple[Project, PseudonymKey]) -> None:
    project = sample[0]
    folder = kept_file(project).parent
    shutil.rmtree(folder, ignore_errors=True)
    folder.write_text("a file where the cache folder would be", encoding="utf-8")  # mkdir fails even for root
    first = tables(project)
    assert tables(project) == first
    assert folder.is_file()


def test_reading_while_another_process_writes_takes_no_write_lock(sample: tuple[Project, PseudonymKey]) -> None:
    project = sample[0]
    writer = sqlite3.connect(project.database, timeout=0.1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE participants SET office = office")
        with Project.open(project.root, read_only=True) as reader, reader.begin() as session:
            found = passages(session)
        assert found and kept_file(project).is_file()
    finally:
        writer.rollback()
        writer.close()


def test_a_selection_of_coders_reads_the_kept_passages_as_merging_would(sample: tuple[Project, PseudonymKey]) -> None:
    project = sample[0]
    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 2")
        add_coding(session, "gruppeintervju_G1", "brukermedvirkning/tvang og krav", coder, match="Jeg ble ikke spurt om jeg ville.")
    for coders in [("Forsker 1",), ("Forsker 2",), ("Forsker 1", "Forsker 2")]:
        selection = QuoteFilter(coders=coders)
        kept_file(project).unlink(missing_ok=True)
        with project.begin() as session:
            merged = passages(session, selection), code_frequencies(session, selection)
        assert kept_file(project).is_file()
        with project.begin() as session:
            assert (passages(session, selection), code_frequencies(session, selection)) == merged
            assert {passage.coder for passage in merged[0]} == set(coders)


# Every write to what analysis reads renews the stamp: in a project made new and in one migrated to the stamp.


@pytest.fixture(scope="module")
def stamped(tmp_path_factory: pytest.TempPathFactory, coded_template: tuple[Path, dict[str, Any]]) -> dict[str, Path]:
    from alembic import command

    from qualcode.store.project import _alembic_config

    base = tmp_path_factory.mktemp("stamped")
    shutil.copytree(coded_template[0], base / "new")
    shutil.copytree(coded_template[0], base / "migrated")
    with Project.open(base / "migrated") as project, project.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0007")
    with sqlite3.connect(base / "migrated" / ".qualcode" / "project.db") as connection:
        assert not connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'analysis_stamp%'").fetchall()
    Project.open(base / "migrated").close()  # upgrades
    for name in ("new", "migrated"):
        with Project.open(base / name) as project, project.begin() as session:
            participant = session.scalars(select(Participant).where(Participant.name == "L1")).one()
            edit_participant(session, participant.name, me(session), attributes={"notat": "x"})
            transcript = session.scalars(select(Transcript).order_by(Transcript.id)).first()
            assert transcript is not None
            session.execute(text("INSERT INTO transcript_attributes (transcript_id, definition_id, value) "
                                 "SELECT :transcript, id, 'x' FROM attribute_definitions WHERE name = 'notat'"),
                            {"transcript": transcript.id})
    return {"new": base / "new", "migrated": base / "migrated"}


@pytest.mark.parametrize("kind", ["new", "migrated"])
def test_every_write_to_what_analysis_reads_renews_the_stamp(stamped: dict[str, Path], kind: str) -> None:
    with Project.open(stamped[kind]) as project, project.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)

        def current() -> str:
            row = raw.execute("SELECT value FROM settings WHERE key = ?", (STAMP_KEY,)).fetchone()
            assert row is not None
            return str(row[0])

        raw.execute("BEGIN")
        raw.execute("PRAGMA defer_foreign_keys = ON")  # a row deleted and put back within the transaction
        for table in STAMPED_TABLES:
            raw.execute("SAVEPOINT each_table")
            rowid = raw.execute(f"SELECT min(rowid) FROM {table}").fetchone()[0]
            assert rowid is not None, f"{table} has no rows to change"
            seen = {current()}
            raw.execute(f"UPDATE {table} SET rowid = rowid WHERE rowid = ?", (rowid,))
            seen.add(current())
            raw.execute(f"CREATE TEMP TABLE saved AS SELECT rowid AS saved_rowid, * FROM {table} WHERE rowid = ?", (rowid,))
            raw.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
            seen.add(current())
            columns = [row[1] for row in raw.execute(f"PRAGMA table_info({table})")]
            listed = ", ".join(f'"{column}"' for column in columns)
            raw.execute(f"INSERT INTO {table} (rowid, {listed}) SELECT saved_rowid, {listed} FROM temp.saved")
            seen.add(current())
            raw.execute("ROLLBACK TO each_table")
            raw.execute("RELEASE each_table")
            assert len(seen) == 4, f"{table}: an insert, update or delete kept the stamp"
        raw.rollback()


@pytest.mark.parametrize("kind", ["new", "migrated"])
def test_a_missing_trigger_means_nothing_is_trusted(stamped: dict[str, Path], kind: str, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(stamped[kind], root)
    with Project.open(root) as project, project.begin() as session:
        assert stamp(session) is not None and cache_file(session) == kept_file(project)
        session.execute(text("DROP TRIGGER analysis_stamp_turns_update"))
        assert stamp(session) is None


# The analysis screen counts before it is shown, so its first frame holds the matrix.


@pytest.mark.parametrize("patience", [30.0, 0.0])
async def test_the_analysis_screen_shows_its_first_matrix_counted_before_or_after_it_is_shown(
    sample: tuple[Project, PseudonymKey], monkeypatch: pytest.MonkeyPatch, patience: float,
) -> None:
    from textual.widgets import DataTable

    from qualcode.tui.screens import analysis
    from qualcode.tui.screens.analysis import AnalysisScreen
    from tests.conftest import open_tui

    project = sample[0]
    with project.begin() as session:
        matrix = code_matrix(session, None, ["role"])
    project.close()
    monkeypatch.setattr(analysis, "PATIENCE", patience)  # 0: shown at once, counting; 30: shown once counted
    app = open_tui(project.root)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("m", "m")  # pressed twice while counting: one screen
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        screens = [screen for screen in app.screen_stack if isinstance(screen, AnalysisScreen)]
        assert len(screens) == 1 and app.screen is screens[0]
        grid: DataTable[Any] = app.screen.query_one(DataTable)
        assert grid.row_count == len(matrix.rows) + 1  # and the totals
        assert screens[0].matrix == matrix


def test_a_second_call_reads_the_kept_file(sample: tuple[Project, PseudonymKey]) -> None:
    """What the file holds is what the next call at the same stamp counts (so a test of its staleness tests something)."""
    from array import array
    from dataclasses import replace

    from qualcode.analysis.passage_cache import load, store

    project = sample[0]
    with project.begin() as session:
        merged = passages(session)
        made_at, path = stamp(session), cache_file(session)
        assert made_at is not None and path is not None
        kept = load(path, made_at)
        assert kept is not None
        start = array("q", kept.start)
        start[0] += 1
        moved = start[0]
        assert store(path, made_at, replace(kept, start=start))
    with project.begin() as session:
        read = passages(session)
    assert [p.start for p in read] != [p.start for p in merged] and moved in {p.start for p in read}
    kept_file(project).unlink()
    with project.begin() as session:
        assert passages(session) == merged
