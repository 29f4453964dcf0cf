"""The store: migrations from empty, pragmas, backups, finding projects, refusing newer schemas."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from qualcode.errors import ProjectError
from qualcode.store.models import Base
from qualcode.store.project import DATABASE_FILE, PROJECT_DIR, Project, find_project_root


def test_migration_from_empty_creates_every_model_table(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p") as project:
        tables = set(inspect(project.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "search_index" in tables
    assert "alembic_version" in tables


def test_every_foreign_key_has_an_index(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p") as project:
        inspector = inspect(project.engine)
        for table in Base.metadata.tables:
            indexed = {tuple(index["column_names"]) for index in inspector.get_indexes(table)}
            indexed |= {tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)}
            for foreign_key in inspector.get_foreign_keys(table):
                columns = tuple(foreign_key["constrained_columns"])
                assert any(index[: len(columns)] == columns for index in indexed), (table, columns)


def test_pragmas_wal_foreign_keys_busy_timeout(project: Project) -> None:
    with project.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_create_refuses_an_existing_project(project: Project) -> None:
    with pytest.raises(ProjectError, match="already holds"):
        Project.create(project.root)


def test_open_refuses_a_schema_newer_than_the_code(project: Project) -> None:
    root = project.root
    project.close()
    with sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfeed'")
    with pytest.raises(ProjectError, match="newer than this qualcode"):
        Project.open(root)


def test_open_upgrades_an_old_schema_after_a_backup(tmp_path: Path) -> None:
    root = tmp_path / "p"
    Project.create(root).close()
    database = root / PROJECT_DIR / DATABASE_FILE
    with sqlite3.connect(database) as connection:  # as if made before any migration ran
        connection.execute("DELETE FROM alembic_version")
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version' AND name NOT LIKE 'search_index_%'").fetchall():
            connection.execute(f"DROP TABLE {name}")
    with Project.open(root) as project:
        assert "transcripts" in inspect(project.engine).get_table_names()
        backups = list(project.backups.glob("*before-upgrade-empty.bak"))
    assert len(backups) == 1


def test_backup_is_a_readable_copy(project: Project) -> None:
    backup = project.backup("test")
    with sqlite3.connect(backup) as connection:
        assert connection.execute("SELECT count(*) FROM codes").fetchone()[0] > 20


def test_find_project_from_a_subdirectory(project: Project) -> None:
    nested = project.root / "a" / "b"
    nested.mkdir(parents=True)
    assert find_project_root(nested) == project.root


def test_no_project_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no qualcode project"):
        find_project_root(tmp_path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    database = tmp_path / PROJECT_DIR / DATABASE_FILE
    database.parent.mkdir()
    database.write_text("not a database")
    with pytest.raises(ProjectError, match="not a qualcode database"):
        Project.open(tmp_path)


def test_failed_transaction_leaves_nothing(project: Project) -> None:
    from qualcode.store.models import Participant

    with pytest.raises(RuntimeError), project.begin() as session:
        session.add(Participant(name="X1"))
        session.flush()
        raise RuntimeError("crash mid-change")
    with project.begin() as session:
        assert session.query(Participant).count() == 0


def test_text_versions_are_immutable(project: Project, tmp_path: Path) -> None:
    from sqlalchemy.exc import IntegrityError

    from tests.conftest import INTERVIEW, make_transcript

    with project.begin() as session:
        make_transcript(session, tmp_path, INTERVIEW)
    with pytest.raises(IntegrityError, match="immutable"), project.begin() as session:
        session.execute(text("UPDATE text_versions SET text = 'endret'"))


def test_migration_downgrades_to_empty_and_upgrades_again(tmp_path: Path) -> None:
    from alembic import command

    from qualcode.store.project import _alembic_config

    with Project.create(tmp_path / "p") as project:
        with project.engine.begin() as connection:
            command.downgrade(_alembic_config(connection), "base")
        assert set(inspect(project.engine).get_table_names()) == {"alembic_version"}
        with project.engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
        assert "codings" in inspect(project.engine).get_table_names()
