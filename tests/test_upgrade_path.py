"""Upgrading a project an older qualcode made: all of it or none of it, and once when two open it at once."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import IntegrityError

from qualcode.errors import ProjectError
from qualcode.store import project as project_module
from qualcode.store.models import Transcript
from qualcode.store.project import DATABASE_FILE, PROJECT_DIR, Project
from qualcode.store.revisions import newest_revision
from tests.conftest import INTERVIEW, make_transcript

# 0010 begins with DDL (it drops the project-wide unique index on texts), 0011 writes rows (waves).
OLD_REVISION = "0009"


@pytest.fixture
def old_project(tmp_path: Path, migrated_template: Path) -> Path:
    """A real project at schema 0009 with one transcript whose wave an older version stored as `t2`."""
    from alembic import command

    from qualcode.store.project import _alembic_config

    root = tmp_path / "studie"
    shutil.copytree(migrated_template, root)
    with Project.open(root) as project:
        with project.begin() as session:
            make_transcript(session, tmp_path, INTERVIEW)
        with project.engine.begin() as connection:
            command.downgrade(_alembic_config(connection), OLD_REVISION)
    with sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE) as connection:
        connection.execute("UPDATE transcripts SET wave = 't2'")
    connection.close()
    return root


def _schema(database: Path) -> tuple[str, set[str]]:
    with sqlite3.connect(database) as connection:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        indexes = {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'text_versions'")}
    connection.close()
    return version, indexes


def test_an_upgrade_that_fails_partway_leaves_the_old_schema_and_is_tried_again(old_project: Path) -> None:
    """A probe: an upgrade from 0009 that failed in 0011 (a fault, a kill, a full disk) left 0010's index
    changes in place, as the driver commits DDL run outside a transaction it began, while the project still
    said 0009; every later open then ran 0010 again and failed with a traceback (no such index)."""
    database = old_project / PROJECT_DIR / DATABASE_FILE
    before = _schema(database)
    assert before[0] == OLD_REVISION and "uq_text_versions_content_hash" in before[1]
    with sqlite3.connect(database) as connection:  # a fault in 0011's update, after 0010 has run
        connection.execute("CREATE TRIGGER fault BEFORE UPDATE OF wave ON transcripts BEGIN SELECT RAISE(ABORT, 'fault'); END")
    connection.close()
    with pytest.raises((IntegrityError, ProjectError), match="fault"):
        Project.open(old_project)
    assert _schema(database) == before
    with sqlite3.connect(database) as connection:
        connection.execute("DROP TRIGGER fault")
    connection.close()
    with Project.open(old_project) as project, project.begin() as session:
        assert session.scalars(select(Transcript.wave)).all() == ["T2"]
    version, indexes = _schema(database)
    assert version == newest_revision()
    assert "uq_text_versions_content_hash" not in indexes and "uq_text_versions_transcript_content" in indexes


# Another qualcode process opening the project; it waits as long as it must for a lock, so that it fails
# only as the race did, never by giving up.
OPEN_ELSEWHERE = """
import sys
from pathlib import Path
from qualcode.store import faults, project
faults.BUSY_TIMEOUT_SECONDS = 60
upgrade = project._upgrade
def upgrading(engine, **given):
    print("upgrading", flush=True)
    upgrade(engine, **given)
project._upgrade = upgrading
project.Project.open(Path(sys.argv[1])).close()
"""


def test_two_openings_of_an_old_project_at_once_upgrade_it_once(old_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A probe: `qualcode tui` and a command in another terminal, both started on an old project just
    after qualcode was upgraded: the one that read the old schema's version first but began migrating
    second ran the migrations again on the upgraded schema and failed with a traceback (no such index)."""
    make_engine = project_module.make_engine
    other: list[subprocess.Popen[str]] = []

    def before_execute(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        # Once this opening has read the version and begins 0010, another process opens the project. It is
        # given three seconds, far more than it needs to upgrade so small a project, unless it has to wait.
        if statement.strip().startswith("DROP INDEX uq_text_versions_content_hash") and not other:
            other.append(subprocess.Popen([sys.executable, "-c", OPEN_ELSEWHERE, str(old_project)], text=True,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE))
            assert other[0].stdout is not None and other[0].stdout.readline() == "upgrading\n"
            with contextlib.suppress(subprocess.TimeoutExpired):
                other[0].wait(timeout=3)

    def engine_watched(database: Path, *, read_only: bool = False) -> Engine:
        engine = make_engine(database, read_only=read_only)
        event.listen(engine, "before_cursor_execute", before_execute)
        return engine

    monkeypatch.setattr(project_module, "make_engine", engine_watched)
    with Project.open(old_project) as project, project.begin() as session:
        assert session.scalars(select(Transcript.wave)).all() == ["T2"]
    _, errors = other[0].communicate(timeout=60)
    assert other[0].returncode == 0, errors
    assert _schema(old_project / PROJECT_DIR / DATABASE_FILE)[0] == newest_revision()
    # One backup of the old project: the second process, which waited for the first's upgrade, took none.
    [backup] = list((old_project / PROJECT_DIR / "backups").glob("*before-upgrade*.bak"))
    assert backup.name.endswith(f"before-upgrade-{OLD_REVISION}.bak")
    with sqlite3.connect(backup) as copy:  # it holds the project as it was
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (OLD_REVISION,)
        assert copy.execute("SELECT wave FROM transcripts").fetchall() == [("t2",)]
    copy.close()


def test_a_read_only_project_that_needs_an_upgrade_is_refused_with_a_hint_that_helps(old_project: Path) -> None:
    """A probe: `status` on an old project in a read-only folder was refused as needing an upgrade, with
    the hint that commands that only read, status among them, still work."""
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv to drop the capability to write anything")
    # Root writes past permissions; without these capabilities it is refused as anyone.
    drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"] if os.geteuid() == 0 else []
    folder = old_project / PROJECT_DIR
    database = folder / DATABASE_FILE
    content = database.read_bytes()
    database.chmod(0o444)
    folder.chmod(0o555)
    try:
        run = subprocess.run([*drop, sys.executable, "-m", "qualcode", "--project", str(old_project), "status"],
                             capture_output=True, text=True, env={**os.environ, "HOME": str(old_project.parent)})
    finally:
        folder.chmod(0o755)
        database.chmod(0o644)
    assert run.returncode == 1 and run.stdout == ""
    [line] = run.stderr.splitlines()
    assert line.startswith(f"error: the project {old_project} is read-only:") and "needs an upgrade" in line
    assert "still work" not in line
    assert "copy the project to a folder you can write to" in line
    assert database.read_bytes() == content
    assert sorted(path.name for path in folder.iterdir()) == [DATABASE_FILE]


def _backup_of_a_newer_qualcode(root: Path) -> Path:
    """A backup as a newer qualcode would take it: its schema one revision past this code's."""
    newest = newest_revision()
    assert newest is not None
    with Project.open(root) as project:
        backup = project.backup("manual")
    with sqlite3.connect(backup) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (f"{int(newest) + 1:04d}",))
    connection.close()
    return backup


def test_a_backup_of_a_newer_schema_is_not_restored(project: Project) -> None:
    """A probe: a backup a newer qualcode took was put in place by `restore_backup`, after which every
    command refused the project as newer than this qualcode."""
    from qualcode.store.backups import restore_backup

    root, database = project.root, project.database
    project.close()
    backup = _backup_of_a_newer_qualcode(root)
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    content = database.read_bytes()
    with pytest.raises(ProjectError, match=f"^{backup.name} was taken by a newer qualcode") as refused:
        restore_backup(database, Path(backup.name))
    assert refused.value.hint == "upgrade qualcode to restore it, or choose another backup: `qualcode backup list`"
    assert database.read_bytes() == content
    Project.open(root).close()


def test_restoring_a_backup_of_a_newer_schema_names_the_backup(demo: Path) -> None:
    """A probe: `backup restore` of a newer qualcode's backup said "project …/.qualcode/.restore-k6sip501 has
    schema 0012, newer than this qualcode knows": a folder the researcher never made, not the backup."""
    from tests.test_cli import run

    backup = _backup_of_a_newer_qualcode(demo)
    refused = run("--project", str(demo), "backup", "restore", backup.name)
    assert refused.exit_code == 1
    assert refused.output.startswith(f"error: {backup.name} was taken by a newer qualcode"), refused.output
    assert ".restore-" not in refused.output
    assert run("--project", str(demo), "status").exit_code == 0
