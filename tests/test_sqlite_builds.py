"""What the SQLite build at hand allows: many rows per statement within its parameter limit, any
number of rows named in one statement, and a clear refusal of a build too old for the project."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, text, update
from sqlalchemy.orm import Session

from qualcode.analysis.framework import framework_cell, set_summary
from qualcode.anonymise.service import KeyAccess
from qualcode.anonymise.withdraw import withdraw_participant
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.service import list_codings
from qualcode.config import Config
from qualcode.errors import ProjectError
from qualcode.importers.service import import_paths
from qualcode.store.bulk import insert_rows
from qualcode.store.models import (
    Code,
    Coding,
    Memo,
    TextVersion,
    Transcript,
    Turn,
    new_guid,
    utcnow,
)
from qualcode.store.project import DATABASE_FILE, PROJECT_DIR, Project
from qualcode.workspace import Workspace
from tests.conftest import make_transcript


def test_a_long_transcript_imports_under_the_old_limit_of_999_parameters(session: Session, tmp_path: Path) -> None:
    """SQLite before 3.32, and builds that lower it, take 999 parameters a statement: the turns of
    a long transcript are inserted in statements that fit the connection's own limit."""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    text = "".join(f"I: Spørsmål nummer {n}?\nD1: Svar nummer {n}.\n" for n in range(400))
    make_transcript(session, tmp_path, text)
    assert session.scalar(select(func.count()).select_from(Turn)) == 800


def test_a_sqlite_too_old_for_the_project_is_one_clear_error(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """RHEL 8's Python links SQLite 3.26: an import would fail midway (no RETURNING, no trigram
    index), so the project is not opened at all, with what to do instead."""
    root = project.root
    project.close()
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 26, 0))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.26.0")
    with pytest.raises(ProjectError, match=r"needs SQLite 3\.35 or newer, and this Python has 3\.26\.0"):
        Project.open(root)


# --- statements that name many rows ------------------------------------------------------------
# A statement that binds one parameter a row it names fails past the build's limit ("too many SQL
# variables"): 32,766 in SQLite's own builds since 3.32, 999 before and in builds that lower it. A
# limit of 999 on every connection the project opens stands for both, so a code of 1,200 codings
# shows what a code of 33,000 does under 32,766, in a fraction of the time.
LIMIT = 999
MANY = 1_200  # codings of SOURCE, past LIMIT; TARGET codes FOLDED of their passages too, past it as well
FOLDED = 1_050
SOURCE = "empowerment/håp og motivasjon"
TARGET = "empowerment/selvbilde og selvtillit"
ROW_TABLES = ("codes", "codings", "memos", "framework_summaries")


@pytest.fixture
def limited() -> Iterator[None]:
    """Every SQLite connection opened while the test runs takes at most LIMIT parameters a statement."""
    def lower(connection: sqlite3.Connection, _record: object) -> None:
        connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, LIMIT)

    event.listen(Engine, "connect", lower)
    try:
        yield
    finally:
        event.remove(Engine, "connect", lower)


def big_code(project: Project, directory: Path) -> None:
    """SOURCE with MANY codings by Forsker 1 of one transcript (D1's, a deltaker), a memo on each and on the code;
    TARGET with codings of the first FOLDED of the same passages, which a merge folds. Written in bulk."""
    with project.begin() as session:
        make_transcript(session, directory, "D1: " + " ".join(f"ord{number}" for number in range(40)), participant="D1", role="deltaker")
        coder = get_or_create_coder(session, "Forsker 1")
        transcript = session.scalars(select(Transcript)).one()
        version = session.get_one(TextVersion, transcript.current_version_id)
        said = len("D1: ")  # passages of what D1 said, never of the speaker's label
        spans = [(start, end) for start in range(said, len(version.text)) for end in range(start + 1, len(version.text) + 1)][:MANY]
        now = utcnow()

        def codings(path: str, of: list[tuple[int, int]]) -> list[dict[str, Any]]:
            code_id = session.scalar(select(Code.id).where(Code.path == path))
            return [{"guid": new_guid(), "transcript_id": transcript.id, "text_version_id": version.id, "code_id": code_id,
                     "coder_id": coder.id, "start": start, "end": end, "excerpt": version.text[start:end],
                     "text_hash": version.content_hash, "memo": f"Notat {start}-{end}" if start % 7 == 0 else None,
                     "removed_at": None, "orphaned_at": None, "created_at": now} for start, end in of]

        made = insert_rows(session.connection(), Coding.__table__, codings(SOURCE, spans) + codings(TARGET, spans[:FOLDED]),
                           returning=("id",))
        source_ids = sorted(coding_id for (coding_id,) in made)[:MANY]
        insert_rows(session.connection(), Memo.__table__, [
            {"guid": new_guid(), "author_id": coder.id, "coding_id": coding_id, "text": f"Memo {number}", "created_at": now}
            for number, coding_id in enumerate(source_ids)])
        session.add(Memo(author=coder, code_id=session.scalar(select(Code.id).where(Code.path == SOURCE)), text="Om temaet"))


def rows(root: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a merge or deletion changes, as the database holds them."""
    with closing(sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE)) as database:
        return {table: database.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() for table in ROW_TABLES}  # noqa: S608


def counted(root: Path, path: str) -> tuple[int, int]:
    """The live codings of the code at `path` and the memos on codings."""
    with closing(sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE)) as database:
        live = database.execute("SELECT count(*) FROM codings JOIN codes ON codes.id = codings.code_id"
                                " WHERE codes.path = ? AND codings.removed_at IS NULL", (path,)).fetchone()[0]
        memos = database.execute("SELECT count(*) FROM memos WHERE coding_id IS NOT NULL").fetchone()[0]
        return live, memos


def test_a_code_with_more_codings_than_a_statement_binds_merges_and_deletes_and_both_undo_and_redo_whole(
    project: Project, tmp_path: Path, limited: None,
) -> None:
    big_code(project, tmp_path)
    root = project.root
    project.close()
    before = rows(root)
    assert counted(root, SOURCE) == (MANY, MANY) and counted(root, TARGET)[0] == FOLDED
    with Workspace.open(Config(project=root, coder="Forsker 1", config_home=tmp_path / "config")) as workspace:
        merged = workspace.merge_codes(SOURCE, TARGET)
        assert merged.summary.startswith(f"merged code {SOURCE} into {TARGET}: {MANY - FOLDED} codings now {TARGET};"
                                         f" {FOLDED} folded into")
        assert counted(root, TARGET) == (MANY, MANY)
        merged_rows = rows(root)
        workspace.undo()
        assert rows(root) == before  # row for row, ids and GUIDs too
        workspace.redo()
        assert rows(root) == merged_rows
        workspace.undo()
        assert rows(root) == before

        deleted = workspace.delete_code(SOURCE, with_codings=True)
        assert deleted.summary == f"deleted code {SOURCE} (with its {MANY} codings; its 1 memo now on empowerment)"
        assert counted(root, SOURCE) == (0, 0)
        deleted_rows = rows(root)
        assert len(deleted_rows["codings"]) == FOLDED
        workspace.undo()
        assert rows(root) == before
        workspace.redo()
        assert rows(root) == deleted_rows


def test_quotes_and_codings_of_more_passages_than_a_statement_binds_are_read(
    project: Project, tmp_path: Path, limited: None,
) -> None:
    """A matrix cell's or a framework column's codings, read as quotes, and `coding list --attribute`."""
    big_code(project, tmp_path)
    root = project.root
    project.close()
    with Workspace.open(Config(project=root, coder="Forsker 1", config_home=tmp_path / "config")) as workspace:
        with workspace.begin() as session:
            ids = list(session.scalars(select(Coding.id).order_by(Coding.id)))
            listed = list_codings(session, attributes=(("role", "deltaker"),))
        assert len(listed) == MANY + FOLDED
        quotes = workspace.quotes_of(ids)
        assert sorted(quote.coding_id for quote in quotes) == ids


def test_a_participant_whose_transcript_holds_more_codings_than_a_statement_binds_withdraws(
    project: Project, tmp_path: Path, limited: None,
) -> None:
    big_code(project, tmp_path)
    root = project.root
    project.close()
    with Project.open(root) as reopened, reopened.begin() as session:
        withdrawn = withdraw_participant(session, "D1", None, get_or_create_coder(session, "Forsker 1"))
        assert withdrawn.codings_removed == MANY + FOLDED
        assert session.scalar(select(func.count()).select_from(Coding)) == 0
        assert session.scalar(select(func.count()).select_from(Memo).where(Memo.coding_id.is_not(None))) == 0


def test_the_upgrade_that_merges_a_text_imported_twice_unindexes_more_turns_than_a_statement_binds(
    project: Project, tmp_path: Path,
) -> None:
    """Schema 0002 merges a transcript an old race imported twice into the first; the copy's turns leave the search index."""
    from alembic import command

    from qualcode.store.project import _alembic_config

    with project.begin() as session:
        make_transcript(session, tmp_path, "".join(f"D1: Svar nummer {number}.\n" for number in range(MANY)))
    with project.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0001")
    with project.engine.begin() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, LIMIT)
        connection.exec_driver_sql(
            "INSERT INTO transcripts (guid, name, source_filename, created_at)"
            " SELECT 'copy', 'intervju-kopi', 'intervju-kopi.txt', created_at FROM transcripts")
        connection.exec_driver_sql(
            "INSERT INTO text_versions (transcript_id, number, text, content_hash, word_count, created_at)"
            " SELECT (SELECT id FROM transcripts WHERE guid = 'copy'), 1, text, content_hash, word_count, created_at FROM text_versions")
        connection.exec_driver_sql("UPDATE transcripts SET current_version_id = (SELECT max(id) FROM text_versions) WHERE guid = 'copy'")
        connection.exec_driver_sql(
            "INSERT INTO turns (text_version_id, seq, start, \"end\") SELECT (SELECT max(id) FROM text_versions), seq, start, \"end\" FROM turns")
        connection.exec_driver_sql(
            "INSERT INTO search_index (rowid, stems) SELECT turns.id, search_index.stems FROM turns"
            " JOIN turns AS first ON first.seq = turns.seq AND first.text_version_id = (SELECT min(id) FROM text_versions)"
            " JOIN search_index ON search_index.rowid = first.id WHERE turns.text_version_id = (SELECT max(id) FROM text_versions)")
        assert connection.exec_driver_sql("SELECT count(*) FROM search_index").scalar_one() == 2 * MANY
        command.upgrade(_alembic_config(connection), "head")
    with project.begin() as session:
        assert session.scalar(select(func.count()).select_from(Transcript)) == 1
        assert session.scalar(select(func.count()).select_from(Turn)) == MANY
        assert session.execute(text("SELECT count(*) FROM search_index")).scalar_one() == MANY


def test_a_framework_cell_of_more_codings_than_a_statement_binds_shows_them_and_those_its_summary_lost(
    project: Project, tmp_path: Path, limited: None,
) -> None:
    big_code(project, tmp_path)
    root = project.root
    project.close()
    with Project.open(root) as reopened, reopened.begin() as session:
        cell = framework_cell(session, "D1", SOURCE)
        assert [len(passage.coding_guids) for passage in cell.passages] == [MANY]  # one coder's overlapping codings: one passage
        set_summary(session, "D1", SOURCE, "Håp, gjennom hele intervjuet.", get_or_create_coder(session, "Forsker 1"))
        session.execute(update(Coding).where(Coding.code_id == select(Code.id).where(Code.path == SOURCE).scalar_subquery())
                        .values(removed_at=utcnow()))
        cell = framework_cell(session, "D1", SOURCE)
        assert cell.passages == () and [(len(gone.coding_guids), gone.reason) for gone in cell.gone] == [(MANY, "removed")]


def test_an_import_removes_what_a_killed_import_staged_of_more_turns_than_a_statement_binds(
    limited: None, project: Project, key_access: KeyAccess, tmp_path: Path,
) -> None:
    """An import killed between its steps leaves its text staged (under a transcript id below 0) with up to
    STEP_TURNS turns; the next import removes them, in statements that fit the build's limit."""
    with project.begin() as session:
        make_transcript(session, tmp_path, "".join(f"D1: Svar nummer {number}.\n" for number in range(MANY)))
    with project.engine.begin() as connection:  # as a killed import leaves it: the version of no transcript yet
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        connection.execute(text("UPDATE text_versions SET transcript_id = -1"))
        connection.execute(text("DELETE FROM transcripts"))
        connection.exec_driver_sql("PRAGMA foreign_keys = ON")
    small = tmp_path / "kort.txt"
    small.write_text("I: Hvordan gikk det?\nD1: Bra, jeg fikk praksis.\n", encoding="utf-8")
    result = import_paths(project, [small], key_access)
    assert result.failed == [] and len(result.imported) == 1
    with project.begin() as session:
        assert session.scalar(select(func.count()).select_from(TextVersion).where(TextVersion.transcript_id < 0)) == 0
        assert session.scalar(select(func.count()).select_from(Turn)) == 2
