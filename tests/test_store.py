"""The store: migrations from empty, pragmas, backups, finding projects, refusing newer schemas."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

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
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(ProjectError, match="newer than this qualcode"):
        Project.open(root)


def test_open_refuses_a_lost_or_unknown_schema_version_as_damage_and_backs_nothing_up(project: Project) -> None:
    """A probe: with its alembic_version row deleted, the project was taken for an empty database and
    upgraded "from empty": a traceback ("table attribute_definitions already exists") and another full
    backup at each attempt. A version no qualcode made ("zzzz") was called newer, sending the researcher
    to upgrade qualcode."""
    root = project.root
    project.close()
    database = root / PROJECT_DIR / DATABASE_FILE
    backups = sorted((root / PROJECT_DIR / "backups").glob("*"))
    for damage, message in (("UPDATE alembic_version SET version_num = 'zzzz'", "records a schema version no qualcode has made"),
                            ("DELETE FROM alembic_version", "has lost the record of its schema's version"),
                            ("DROP TABLE alembic_version", "has lost the record of its schema's version")):
        with sqlite3.connect(database) as connection:
            connection.execute(damage)
        for _ in range(2):
            with pytest.raises(ProjectError, match=f"^the project database {re.escape(str(database))} {message}") as refused:
                Project.open(root)
            assert refused.value.hint is not None and "backup" in refused.value.hint
    assert sorted((root / PROJECT_DIR / "backups").glob("*")) == backups


def test_open_upgrades_an_old_schema_after_a_backup(tmp_path: Path) -> None:
    root = tmp_path / "p"
    Project.create(root).close()
    database = root / PROJECT_DIR / DATABASE_FILE
    from alembic import command

    from qualcode.store.project import _alembic_config, make_engine

    engine = make_engine(database)  # as if made by the first version
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0001")
    engine.dispose()
    with Project.open(root) as project:
        assert "transcripts" in inspect(project.engine).get_table_names()
        backups = list(project.backups.glob("*before-upgrade-0001.bak"))
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

    with pytest.raises(RuntimeError, match="crash mid-change"), project.begin() as session:
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


def test_models_match_the_migrated_schema(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with Project.create(tmp_path / "p") as project, project.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    # The full-text index is a virtual table the models do not describe.
    assert [d for d in differences if not (d[0] == "remove_table" and d[1].name.startswith("search_index"))] == []


def test_live_codings_and_texts_are_unique_in_the_schema(project: Project, tmp_path: Path) -> None:
    from sqlalchemy.exc import IntegrityError

    from qualcode.coding.coders import get_or_create_coder
    from qualcode.coding.service import add_coding
    from tests.conftest import INTERVIEW, make_transcript

    with project.begin() as session:
        make_transcript(session, tmp_path, INTERVIEW)
        add_coding(session, "intervju", "empowerment", get_or_create_coder(session, "A"), match="være med")
    copy_coding = (
        "INSERT INTO codings (guid, transcript_id, text_version_id, code_id, coder_id, start, \"end\", excerpt, text_hash, "
        "created_at, removed_at) SELECT :guid, transcript_id, text_version_id, code_id, coder_id, start, \"end\", excerpt, "
        "text_hash, created_at, :removed FROM codings WHERE guid NOT LIKE 'copy%'"
    )
    with pytest.raises(IntegrityError, match="UNIQUE"), project.begin() as session:
        session.execute(text(copy_coding), {"guid": "copy-live", "removed": None})
    with project.begin() as session:  # removed codings may repeat a live one
        for number in range(2):
            session.execute(text(copy_coding), {"guid": f"copy-removed-{number}", "removed": "2025-01-01 00:00:00"})
    with pytest.raises(IntegrityError, match="UNIQUE"), project.begin() as session:
        session.execute(text(
            "INSERT INTO text_versions (transcript_id, number, text, content_hash, word_count, created_at) "
            "SELECT transcript_id, number + 1, text, content_hash, word_count, created_at FROM text_versions"
        ))


def test_upgrade_repairs_duplicates_left_by_old_races(project: Project, tmp_path: Path) -> None:
    """Codings and texts stored twice before 0002 are repaired, nothing dropped without an event."""
    from alembic import command
    from sqlalchemy import select

    from qualcode.coding.coders import get_or_create_coder
    from qualcode.coding.service import add_coding
    from qualcode.store.models import Coding, Event, Memo, Transcript
    from qualcode.store.project import _alembic_config
    from tests.conftest import INTERVIEW, make_transcript

    with project.begin() as session:
        make_transcript(session, tmp_path, INTERVIEW)
        make_transcript(session, tmp_path, INTERVIEW.replace("programmet", "KVP"), name="annet")
        coding = add_coding(session, "intervju", "empowerment", get_or_create_coder(session, "A"), match="være med", memo="først")
    with project.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0001")
    columns = "transcript_id, text_version_id, code_id, coder_id, start, \"end\", excerpt, text_hash, created_at"
    with project.engine.begin() as connection:
        # The same coding made twice at once, the second with its own memo and a memo row on it.
        connection.execute(text(f"INSERT INTO codings (guid, memo, {columns}) SELECT 'twin', 'andre', {columns} FROM codings"))
        twin_id = connection.execute(text("SELECT id FROM codings WHERE guid = 'twin'")).scalar_one()
        connection.execute(text(
            "INSERT INTO memos (guid, author_id, coding_id, text, created_at) "
            f"SELECT 'memo-on-twin', coder_id, id, 'notat', created_at FROM codings WHERE id = {twin_id}"
        ))
        # The same text imported twice at once, under another name, and coded there.
        connection.execute(text(
            "INSERT INTO transcripts (guid, name, source_filename, created_at) "
            "SELECT 'copy', 'intervju-kopi', 'intervju-kopi.txt', created_at FROM transcripts WHERE name = 'intervju'"
        ))
        connection.execute(text(
            "INSERT INTO text_versions (transcript_id, number, text, content_hash, word_count, created_at) "
            "SELECT (SELECT id FROM transcripts WHERE guid = 'copy'), 1, text, content_hash, word_count, created_at "
            "FROM text_versions WHERE transcript_id = (SELECT id FROM transcripts WHERE name = 'intervju')"
        ))
        copy_version = connection.execute(text("SELECT max(id) FROM text_versions")).scalar_one()
        connection.execute(text(f"UPDATE transcripts SET current_version_id = {copy_version} WHERE guid = 'copy'"))
        connection.execute(text(
            f"INSERT INTO turns (text_version_id, seq, start, \"end\") SELECT {copy_version}, seq, start, \"end\" FROM turns "
            f"WHERE text_version_id = (SELECT current_version_id FROM transcripts WHERE name = 'intervju')"
        ))
        connection.execute(text(
            f"INSERT INTO codings (guid, {columns}) SELECT 'on-copy', "
            f"(SELECT id FROM transcripts WHERE guid = 'copy'), {copy_version}, code_id, coder_id, start, \"end\", excerpt, "
            "text_hash, created_at FROM codings WHERE guid != 'twin'"
        ))
    with project.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")

    with project.begin() as session:
        names = set(session.scalars(select(Transcript.name)))
        assert names == {"intervju", "annet"}
        live = session.scalars(select(Coding).where(Coding.removed_at.is_(None))).all()
        assert [c.id for c in live] == [coding.id]
        assert live[0].memo == "først\n\nandre"
        removed = session.scalars(select(Coding).where(Coding.removed_at.is_not(None))).all()
        assert {c.guid for c in removed} == {"twin", "on-copy"}
        assert all(c.transcript.name == "intervju" for c in removed)
        memo = session.scalar(select(Memo).where(Memo.guid == "memo-on-twin"))
        assert memo is not None and memo.coding_id == coding.id
        summaries = [e.summary for e in session.scalars(select(Event).where(Event.coder_id.is_(None)))]
        assert any("merged transcript intervju-kopi into intervju" in s for s in summaries), summaries
        assert sum("repeated coding" in s for s in summaries) == 2, summaries
        search_rows = session.execute(text("SELECT count(*) FROM search_index")).scalar_one()
        turn_rows = session.execute(text("SELECT count(*) FROM turns")).scalar_one()
        assert search_rows == turn_rows


def test_a_read_only_project_reads_refuses_writes_and_leaves_no_files(project: Project) -> None:
    from qualcode.store.models import Setting

    root = project.root
    project.close()
    with Project.open(root, read_only=True) as read_only:
        with read_only.begin() as session:
            assert session.get(Setting, "project.created") is not None
        with pytest.raises(ProjectError, match="read-only"), read_only.begin() as session:
            session.add(Setting(key="x", value="y"))
    assert sorted(path.name for path in (root / PROJECT_DIR).iterdir()) == [DATABASE_FILE]


def test_empty_cut_short_and_hollow_databases_are_refused_naming_the_newest_backup(project: Project) -> None:
    backup = project.backup("manual")
    project.close()
    database = project.database
    content = database.read_bytes()
    database.write_bytes(content[: len(content) // 3])
    with pytest.raises(ProjectError, match="cut short") as refused:
        Project.open(project.root)
    assert f"qualcode backup restore {backup.name}" in str(refused.value.hint)
    database.write_bytes(b"")
    with pytest.raises(ProjectError, match=r"empty \(0 bytes\)"):
        Project.open(project.root, read_only=True)
    database.unlink()
    sqlite3.connect(database).execute("CREATE TABLE alembic_version (version_num TEXT)").connection.close()
    with pytest.raises(ProjectError, match="holds no project"):
        Project.open(project.root)


def test_a_backup_is_checked_complete_and_self_contained(project: Project) -> None:
    from qualcode.store.backups import list_backups, verify_backup

    backup = project.backup("manual")
    counts = verify_backup(backup)
    with project.engine.connect() as connection:
        assert counts["codes"] == connection.execute(text("SELECT count(*) FROM codes")).scalar_one() > 20
    with sqlite3.connect(backup) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert [b.path for b in list_backups(project.backups)] == [backup]
    assert sorted(path.name for path in project.backups.iterdir()) == [backup.name]


def test_rotation_keeps_one_backup_a_day_for_seven_days_three_upgrades_and_every_manual_one(tmp_path: Path) -> None:
    from datetime import datetime, timedelta

    from qualcode.store.backups import list_backups, rotate_backups

    now = datetime(2025, 3, 20, 12)
    names = []
    for day in range(10):
        for hour in (8, 15):  # two processes took one the same day
            names.append(f"{(now - timedelta(days=day, hours=hour)):%Y%m%d-%H%M%S-%f}-daily.bak")
    names += [f"{(now - timedelta(days=day)):%Y%m%d-%H%M%S-%f}-before-upgrade-000{day}.bak" for day in range(5)]
    names += [f"{(now - timedelta(days=day)):%Y%m%d-%H%M%S-%f}-manual.bak" for day in range(12)]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    rotate_backups(tmp_path)
    kept = list_backups(tmp_path)
    daily = [b for b in kept if b.label == "daily"]
    assert len(daily) == 7 and len({b.taken.date() for b in daily}) == 7
    assert all(b.taken.hour == 4 for b in daily)  # the earlier of each day: before its first change
    assert [b.label for b in kept if b.label.startswith("before-upgrade")] == [f"before-upgrade-000{d}" for d in range(3)]
    assert len([b for b in kept if b.label == "manual"]) == 12


def test_a_daily_backup_is_taken_once_before_the_first_change_of_a_day(project: Project) -> None:
    from datetime import datetime, timedelta

    assert project.daily_backup() is None  # made today: nothing older to keep
    with project.engine.begin() as connection:
        yesterday = (datetime.now() - timedelta(days=1)).astimezone().isoformat(timespec="seconds")
        connection.execute(text("UPDATE settings SET value = :v WHERE key = 'project.created'"), {"v": yesterday})
    root = project.root
    project.close()
    with Project.open(root, read_only=True) as reader, reader.begin():
        pass
    assert not (root / PROJECT_DIR / "backups").exists()
    with Project.open(root) as writer:
        with writer.begin():
            pass
        [taken] = list((root / PROJECT_DIR / "backups").glob("*-daily.bak"))
        with writer.begin():
            pass
    with Project.open(root) as again, again.begin():
        pass
    assert list((root / PROJECT_DIR / "backups").glob("*.bak")) == [taken]


def test_faults_are_one_clear_line() -> None:
    import errno

    from qualcode.store.faults import database_fault, disk_fault

    busy = database_fault(sqlite3.OperationalError("database is locked"))
    assert busy is not None and "busy" in busy.message and busy.hint == "try again when it is done"
    full = database_fault(sqlite3.OperationalError("database or disk is full"))
    assert full is not None and "disk is full" in full.message
    assert database_fault(sqlite3.IntegrityError("UNIQUE constraint failed")) is None
    assert database_fault(ValueError("no")) is None
    quota = disk_fault(OSError(errno.EDQUOT, "Disk quota exceeded", "/tmp/x.docx"))
    assert quota is not None and quota.message == "could not write /tmp/x.docx: the disk quota is used up"
    assert disk_fault(OSError(errno.ENOENT, "No such file")) is None


def test_restore_puts_a_backup_in_place_while_another_connection_reads(project: Project) -> None:
    from qualcode.store.backups import restore_backup
    from qualcode.store.models import Participant

    backup = project.backup("manual")
    with project.begin() as session:
        session.add(Participant(name="X9"))
    reader = sqlite3.connect(project.database)
    assert reader.execute("SELECT count(*) FROM participants WHERE name = 'X9'").fetchone() == (1,)
    result = restore_backup(project.database, Path(backup.name))
    assert result.restored == backup and result.saved is not None and "before-restore" in result.saved.name
    assert reader.execute("SELECT count(*) FROM participants WHERE name = 'X9'").fetchone() == (0,)
    reader.close()
    with sqlite3.connect(result.saved) as saved:
        assert saved.execute("SELECT count(*) FROM participants WHERE name = 'X9'").fetchone() == (1,)


def test_the_state_a_restore_replaces_is_copied_holding_the_write_lock(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """A coding another command saved while the restore copied the current state was in neither the
    copy nor the restored project: the copy is taken with the project's writers held off."""
    from qualcode.store import backups
    from qualcode.store.backups import restore_backup

    backup = project.backup("manual")
    refused: list[str] = []
    real = backups.take_backup

    def copy_while_another_writes(source: sqlite3.Connection, directory: Path, label: str) -> Path:
        writer = sqlite3.connect(project.database, timeout=0)  # another command's write, mid-copy
        try:
            writer.execute("INSERT INTO settings (key, value) VALUES ('probe.mid-copy', 'x')")
            writer.commit()
        except sqlite3.OperationalError as error:
            refused.append(str(error))
        finally:
            writer.close()
        return real(source, directory, label)

    monkeypatch.setattr(backups, "take_backup", copy_while_another_writes)
    restore_backup(project.database, Path(backup.name))
    assert refused == ["database is locked"]


def test_a_purge_replaces_the_backups_it_deletes_with_a_clean_one(project: Project) -> None:
    project.backup("manual")
    project.purge()
    assert [path.name.endswith("after-purge.bak") for path in project.backups.glob("*.bak")] == [True]


def test_insert_rows_writes_what_an_executemany_writes_a_few_hundred_rows_a_statement(project: Project) -> None:
    """Typed values (dates, JSON, booleans, None) go through the columns' own conversions, and the
    analysis stamp still changes: the triggers fire for every row of a multi-row statement."""
    from datetime import UTC, datetime
    from typing import cast

    from sqlalchemy import Table, insert, select

    from qualcode.store.bulk import insert_rows
    from qualcode.store.models import Coder, Event

    table = cast(Table, Event.__table__)
    at = datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=UTC)
    rows = [
        {"guid": f"bulk-{number:04d}", "at": at, "coder_id": None, "action": "coding.add", "entity": "coding",
         "entity_guid": None, "summary": f"rad {number} æøå 🙂", "payload": {"after": {"n": number, "tekst": "Ærlig"}},
         "undoable": number % 2 == 0}
        for number in range(1_203)  # more than one statement, and a last one shorter than the others
    ]
    with project.begin() as session:
        stamp = session.execute(text("SELECT value FROM settings WHERE key = 'analysis.stamp'")).scalar_one()
        connection = session.connection()
        insert_rows(connection, table, rows[:700])
        connection.execute(insert(table), [{**row, "guid": "many-" + row["guid"]} for row in rows[:700]])
        returned = insert_rows(connection, table, rows[700:], returning=("guid", "id"))
        assert insert_rows(connection, table, [], returning=("id",)) == []
        later = [row["guid"] for row in rows[700:]]
        assert sorted(returned) == sorted(tuple(found) for found in session.execute(
            select(table.c.guid, table.c.id).where(table.c.guid.in_(later))
        ))
        written = {guid: rest for guid, *rest in session.execute(
            select(table.c.guid, table.c.at, table.c.summary, table.c.payload, table.c.undoable, table.c.entity_guid)
            .where(table.c.guid.like("%bulk-%"))
        )}
    assert len(written) == 1_203 + 700
    for row in rows:
        assert written[row["guid"]] == [at.replace(tzinfo=None), row["summary"], row["payload"], row["undoable"], None]
        if int(row["guid"][5:]) < 700:
            assert written["many-" + row["guid"]] == written[row["guid"]]
    raw = sqlite3.connect(project.database)
    same = raw.execute("SELECT COUNT(*) FROM events a JOIN events b ON b.guid = 'many-' || a.guid "
                       "WHERE a.at IS b.at AND a.payload IS b.payload AND a.undoable IS b.undoable").fetchone()
    raw.close()
    assert same == (700,)
    with project.begin() as session:
        insert_rows(session.connection(), cast(Table, Coder.__table__),
                    [{"guid": "coder-bulk", "name": "Bulk", "role": "researcher", "created_at": at}])
        assert session.execute(text("SELECT value FROM settings WHERE key = 'analysis.stamp'")).scalar_one() != stamp
    with project.begin() as session, pytest.raises(ValueError, match="needs values for at"):
        insert_rows(session.connection(), table, [{key: value for key, value in rows[0].items() if key != "at"}])


def test_a_restore_refuses_another_projects_backup_and_one_from_before_a_withdrawal(project: Project, tmp_path: Path) -> None:
    from qualcode.store.backups import restore_backup
    from qualcode.store.events import EventKind, record_event
    from qualcode.store.models import Event, Participant
    from qualcode.store.settings import set_setting

    with project.begin() as session:
        set_setting(session, "project.guid", "vår")
        session.add(Participant(name="D5"))
    before = tmp_path / "kopi.bak"  # a copy the researcher kept outside the project, which a purge would not reach
    shutil.copyfile(project.backup("manual"), before)
    with project.begin() as session:  # the withdrawal, as the store sees it: the participant, the events about them
        session.delete(session.scalars(select(Participant).where(Participant.name == "D5")).one())
        last = session.scalars(select(Event).order_by(Event.id.desc())).first()
        assert last is not None
        session.delete(last)  # the newest event was about them: the withdrawal's own event takes its id
        session.flush()
        record_event(session, kind=EventKind.PARTICIPANT_WITHDRAW, summary="a participant withdrew consent")
    unchanged = project.database.read_bytes()
    with pytest.raises(ProjectError, match="kopi.bak was taken before D5 withdrew consent; restoring it would bring their words back"):
        restore_backup(project.database, before)
    other = tmp_path / "annet.bak"
    shutil.copyfile(before, other)
    with sqlite3.connect(other) as connection:
        connection.execute("UPDATE settings SET value = 'deres' WHERE key = 'project.guid'")
    connection.close()
    with pytest.raises(ProjectError, match="annet.bak is a backup of another project, not of this one"):
        restore_backup(project.database, other)
    assert project.database.read_bytes() == unchanged
    assert restore_backup(project.database, before, before_withdrawal=True).withdrawn_before == ("D5",)


def test_a_restore_onto_a_damaged_database_asks_the_backups_beside_it_and_the_key(project: Project, tmp_path: Path) -> None:
    from qualcode.store.backups import KeyRecord, restore_backup
    from qualcode.store.events import EventKind, record_event
    from qualcode.store.settings import set_setting

    with project.begin() as session:
        set_setting(session, "project.guid", "vår")
    before = tmp_path / "kopi.bak"
    shutil.copyfile(project.backup("manual"), before)
    with project.begin() as session:
        record_event(session, kind=EventKind.PARTICIPANT_WITHDRAW, summary="a participant withdrew consent")
    project.purge()  # as a withdrawal does: the older backups go, a fresh one holds the withdrawal
    project.close()
    project.database.write_bytes(b"")
    with pytest.raises(ProjectError, match="kopi.bak was taken before a participant withdrew consent"):
        restore_backup(project.database, before)
    for backup in project.backups.glob("*.bak"):
        backup.unlink()
    with pytest.raises(ProjectError, match="kopi.bak is a backup of another project"):
        restore_backup(project.database, before, key=KeyRecord("deres", withdrawals=False))
    # The key keeps a withdrawn person's identifiers; a backup that knows of no withdrawal is older.
    with pytest.raises(ProjectError, match="kopi.bak was taken before a participant withdrew consent"):
        restore_backup(project.database, before, key=KeyRecord("vår", withdrawals=True))
    with pytest.raises(ProjectError, match="is empty .0 bytes., and no backup beside it shows whether"):
        restore_backup(project.database, before, key=KeyRecord("vår", withdrawals=False))
    assert project.database.read_bytes() == b""
    restored = restore_backup(project.database, before, key=KeyRecord("vår", withdrawals=False), before_withdrawal=True)
    assert restored.withdrawal_unchecked and restored.withdrawn_before == ()


def test_a_restore_removes_what_an_interrupted_restore_left(project: Project) -> None:
    import os

    from qualcode.store.backups import restore_backup

    backup = project.backup("manual")
    folder = project.database.parent
    left_file, left_folder, running = folder / ".restore-abc.db", folder / ".restore-def", folder / ".restore-ghi.db"
    left_file.write_bytes(b"Torbj\xc3\xb8rn")
    (left_folder / ".qualcode").mkdir(parents=True)
    (left_folder / ".qualcode" / "project.db").write_bytes(b"Torbj\xc3\xb8rn")
    running.write_bytes(b"")  # another restore's, still running
    for old in (left_file, left_folder):
        os.utime(old, (0, 0))
    restore_backup(project.database, Path(backup.name))
    assert not left_file.exists() and not left_folder.exists() and running.exists()


def test_damage_inside_a_database_this_process_opened_is_told_after_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A probe: a page overwritten in the middle of a table is read by SQLite without complaint, its
    rows gone, and `coding list` failed with a traceback ("a coding with no code"). After such a
    failure the command line asks SQLite's quick check of the databases the process opened."""
    import random

    from qualcode.store import faults
    from qualcode.store.faults import damage_behind

    monkeypatch.setattr(faults, "_OPENED", [])  # this test's database alone, not those other tests opened
    root = tmp_path / "studie"
    Project.create(root).close()
    database = root / PROJECT_DIR / DATABASE_FILE
    Project.open(root).close()
    assert damage_behind() is None
    size = database.stat().st_size
    with database.open("r+b") as handle:  # every page past the schema's, overwritten
        handle.seek(size // 4)
        handle.write(random.Random(1).randbytes(size // 2))
    found = damage_behind()
    assert found is not None and found.message.startswith(f"the project database {database} is damaged")


def test_an_unknown_transcript_names_the_one_of_the_same_informant_and_round(session: Session, tmp_path: Path) -> None:
    """A name typed in bokmål for a file named in nynorsk ("deltaker_D1_T1" for "deltakar_D1_T1") is one
    letter from another informant's transcript too ("deltaker_D4_T1"): the numbers, which tell informants
    and rounds apart, choose among names as alike (it named D4's, the longer name winning the tie)."""
    from qualcode.errors import NotFound
    from qualcode.store.lookup import find_transcript
    from tests.conftest import make_transcript

    for name in ("deltakar_D1_T1", "deltaker_D4_T1"):
        make_transcript(session, tmp_path, "I: Korleis gjekk det?\nD: Godt.\n" + name, name=name)
    with pytest.raises(NotFound, match="did you mean 'deltakar_D1_T1'"):
        find_transcript(session, "deltaker_D1_T1")
    with pytest.raises(NotFound, match="did you mean 'deltaker_D4_T1'"):
        find_transcript(session, "deltakar_D4_T1")
