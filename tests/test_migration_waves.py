"""The upgrade to schema 0011: waves an older version stored in lower case (t2 beside T2) become one round."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from qualcode.analysis.matrix import code_matrix
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.history import history, undo
from qualcode.coding.service import add_coding
from qualcode.errors import NothingToUndo
from qualcode.importers.metadata_edit import edit_transcript
from qualcode.store.models import Event, Transcript
from qualcode.store.project import DATABASE_FILE, PROJECT_DIR, Project
from qualcode.store.revisions import newest_revision
from tests.conftest import make_transcript

TEXT = "I: Hvordan var det å søke?\nD1: Det var greit, vi lagde en plan sammen og jeg ble hørt 😊.\n"
# As an older version stored them: typed in a front matter, a sidecar or --wave before waves were upper-cased.
OLD_WAVES = {"a": "t2", "b": "T2", "c": "ｔ２ ", "d": "T1", "e": "ø3"}


@pytest.fixture
def old_project(tmp_path: Path, migrated_template: Path) -> Path:
    """A real project at schema 0010 holding t2 beside T2, coded, with an edit its coder could undo."""
    from alembic import command

    from qualcode.store.project import _alembic_config

    root = tmp_path / "studie"
    shutil.copytree(migrated_template, root)
    with Project.open(root) as project:
        with project.begin() as session:
            coder = get_or_create_coder(session, "Forsker 2")  # Forsker 1's one change is the edit below
            for name in OLD_WAVES:
                make_transcript(session, tmp_path, TEXT.replace("søke", f"søke {name}"), name=name)
                add_coding(session, name, "empowerment", coder, match="jeg ble hørt")
        with project.engine.begin() as connection:
            command.downgrade(_alembic_config(connection), "0010")
        with project.engine.begin() as connection:
            for name, wave in OLD_WAVES.items():
                connection.execute(text("UPDATE transcripts SET wave = :wave WHERE name = :name"), {"wave": wave, "name": name})
        # An edit made at 0010: its state before holds the old spelling, which an undo would put back.
        with Session(project.engine) as session, session.begin():
            coder = session.merge(get_or_create_coder(session, "Forsker 1"))
            edit_transcript(session, "a", coder, title="Andre runde")
    return root


def _waves(session: Session) -> dict[str, str | None]:
    return {name: wave for name, wave in session.execute(select(Transcript.name, Transcript.wave))}


def test_opening_an_old_project_upper_cases_its_waves_after_a_backup_and_records_each(old_project: Path) -> None:
    with Project.open(old_project) as project, project.begin() as session:
        assert _waves(session) == {"a": "T2", "b": "T2", "c": "T2", "d": "T1", "e": "Ø3"}
        backups = list(project.backups.glob("*before-upgrade-0010.bak"))
        # One round in every table: the matrix by wave has a column T2 holding a, b and c.
        matrix = code_matrix(session, None, ["wave"])
        assert [column.values for column in matrix.columns] == [("T1",), ("T2",), ("Ø3",)]
        row = next(row for row in matrix.rows if row.path == "empowerment")
        assert list(row.counts) == [1, 3, 1]
        events = session.scalars(select(Event).where(Event.action == "transcript.wave").order_by(Event.id)).all()
        assert [(e.payload["before"]["wave"], e.payload["after"]["wave"]) for e in events] == [
            ("t2", "T2"), ("ｔ２ ", "T2"), ("ø3", "Ø3")]
        assert all(e.coder_id is None and not e.undoable for e in events)
        shown = [view.summary for view in history(session, limit=None)]
        assert any(s.startswith("wave of transcript a written T2 (was t2) by the upgrade") for s in shown), shown
        stamp = session.execute(text("SELECT value FROM settings WHERE key = 'analysis.stamp'")).scalar_one()
    # The copy taken before holds the project as it was.
    [backup] = backups
    with sqlite3.connect(backup) as copy:
        assert dict(copy.execute("SELECT name, wave FROM transcripts").fetchall()) == OLD_WAVES
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0010",)
        # The analysis cache kept beside the project is trusted at its stamp only, which the update renewed.
        assert copy.execute("SELECT value FROM settings WHERE key = 'analysis.stamp'").fetchone() != (stamp,)


def test_undo_of_a_change_made_before_the_upgrade_never_puts_the_old_spelling_back(old_project: Path) -> None:
    with Project.open(old_project) as project, project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        with pytest.raises(NothingToUndo, match="an upgrade of the project changed this transcript"):
            undo(session, coder)
        assert _waves(session)["a"] == "T2"


def test_a_project_whose_waves_are_upper_case_already_is_left_as_it_was(tmp_path: Path, migrated_template: Path) -> None:
    root = tmp_path / "studie"
    shutil.copytree(migrated_template, root)
    with Project.open(root) as project, project.begin() as session:
        make_transcript(session, tmp_path, TEXT, name="a", wave="T2")
    from alembic import command

    from qualcode.store.project import _alembic_config

    with Project.open(root) as project:
        with project.engine.begin() as connection:
            command.downgrade(_alembic_config(connection), "0010")
    with Project.open(root) as project, project.begin() as session:
        assert _waves(session) == {"a": "T2"}
        assert session.scalar(select(Event.id).where(Event.action == "transcript.wave")) is None
    with sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE) as database:
        assert database.execute("SELECT version_num FROM alembic_version").fetchone() == (newest_revision(),)
