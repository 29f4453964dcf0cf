"""What the SQLite build at hand allows: many rows per statement within its parameter limit, and a
clear refusal of a build too old for the project."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.errors import ProjectError
from qualcode.store.models import Turn
from qualcode.store.project import Project
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
