"""Backups of a project database: taken online, verified after writing, listed, rotated, restored.

Backups live in `.qualcode/backups/` as `YYYYMMDD-HHMMSS-ffffffZ-LABEL.bak`, named by the moment in
UTC, each a complete SQLite database. (Names without the Z, from before, are the local time of the
machine that took them.) They are taken:

- by `qualcode backup` (label `manual`) and before `qualcode backup restore` (`before-restore`):
  these are never deleted automatically;
- before every schema upgrade (`before-upgrade-REVISION`): the newest 3 are kept;
- before an import replaces a transcript's text (`before-replace`), once for the batch, as its first
  replacement is written: the newest 3 are kept (the old text is deleted, so this is the way back);
- before the first change of each day (`daily`), unless a backup was already taken that day or
  the project was made that day: the 7 most recent are kept, one a day.

Removing sensitive content (withdrawal, learning an identifier) deletes the backups, because
each still holds what was removed (`Project.purge`). Learning an identifier rewrites the manual,
before-restore and before-replace ones with the key instead (`rewrite_backup`), so no work kept only
there (a replaced transcript's old text and codings) is lost.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from qualcode.errors import ProjectError
from qualcode.store import faults
from qualcode.store.events import EventKind
from qualcode.store.revisions import newer_than_code, newest_revision
from qualcode.store.withdrawals import WITHDRAWN_ID

SUFFIX = ".bak"
MANUAL = "manual"
DAILY = "daily"
BEFORE_UPGRADE = "before-upgrade"
BEFORE_RESTORE = "before-restore"
BEFORE_REPLACE = "before-replace"
DAILY_KEPT = 7
UPGRADES_KEPT = 3
REPLACES_KEPT = 3

# In a session's info: the folder of the open project's backups (store/project.py), for a service
# that names one (undo, after a replacement) to see whether it is still there.
BACKUPS_HERE = "qualcode.backups"

_NAME = re.compile(r"^(?P<stamp>\d{8}-\d{6}-\d{6})(?P<utc>Z?)-(?P<label>.+)\.bak$")
_STAMP = "%Y%m%d-%H%M%S-%f"


def _stamp_now() -> str:
    """This moment as a backup's name begins, in UTC: named by the local clock, a backup taken under
    another time zone (TZ=America/New_York after Europe/Oslo), or in the hour the clocks go back
    twice, was listed as older than one taken before it, and "the newest backup" was not."""
    return datetime.now(UTC).strftime(_STAMP) + "Z"


def _taken(match: re.Match[str] | None, path: Path) -> datetime:
    """When a backup was taken, as a local time with its zone: from its name (UTC with a Z, the local
    time of the machine that took it without), or the file's time for one named otherwise."""
    if match is None:
        return datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    # Read as ISO's basic form, which fromisoformat reads (3.11): strptime costs its first use 5 ms
    # importing _strptime, in every command that opens a project with backups.
    written = match["stamp"]
    stamp = datetime.fromisoformat(f"{written[:8]}T{written[9:15]}.{written[16:]}")
    return stamp.replace(tzinfo=UTC).astimezone() if match["utc"] else stamp.astimezone()
_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class BackupInfo:
    """One backup file: where it is, when it was taken and why."""

    path: Path
    taken: datetime
    label: str
    size: int
    damage: str | None = None  # what its header shows wrong ("is not a qualcode database"), if anything

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class RestoreResult:
    """What `restore_backup` put in place, and where the state it replaced was kept (if anywhere)."""

    restored: Path
    saved: Path | None
    # Participants who withdrew consent after the backup was taken: the restore brought them back.
    withdrawn_before: tuple[str, ...] = ()
    # The database was damaged and no other record showed whether anyone withdrew since the
    # backup was taken: restored only because the researcher said so (`before_withdrawal`).
    withdrawal_unchecked: bool = False


@dataclass(frozen=True)
class KeyRecord:
    """What the project's key says about a backup to restore: the project it belongs to, and
    whether anyone has withdrawn (it keeps their identifiers as digests)."""

    project_guid: str
    withdrawals: bool


def list_backups(directory: Path) -> list[BackupInfo]:
    """The backups in `directory`, newest first."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.glob(f"*{SUFFIX}"):
        match = _NAME.match(path.name)
        try:
            if not path.is_file():
                continue
            size = path.stat().st_size
            taken = _taken(match, path)
            damage = database_damage(path)
        except (OSError, ValueError):
            continue
        found.append(BackupInfo(path, taken, match["label"] if match else "", size, damage))
    return sorted(found, key=lambda backup: (backup.taken, backup.name), reverse=True)


def backup_named(directory: Path, name: str) -> BackupInfo | None:
    """The backup of that name in `directory`, when it is still there and looks whole; else None."""
    return next((backup for backup in list_backups(directory) if backup.name == name and backup.damage is None), None)


def restore_hint(directory: Path) -> str:
    """What to do when the database is damaged: the newest backup and the command that restores it."""
    backups = [backup for backup in list_backups(directory) if not backup.label.endswith("-damaged") and backup.damage is None]
    if not backups:
        return f"there is no backup in {directory}; put back project.db from your own backups"
    newest = backups[0]
    return (
        f"restore the newest backup, taken {newest.taken:%Y-%m-%d %H:%M}: "
        f"qualcode backup restore {newest.name}; `qualcode backup list` shows all"
    )


def database_damage(database: Path) -> str | None:
    """What is visibly wrong with a database file (empty, not SQLite, cut short), or None.

    Cheap: reads the 100-byte header only. A file cut short is recognised by the page count in
    its header, which SQLite keeps when no write-ahead log holds newer pages.
    """
    size = database.stat().st_size
    if size == 0:
        return "is empty (0 bytes)"
    with database.open("rb") as handle:
        header = handle.read(100)
    if not header.startswith(_SQLITE_HEADER[: len(header)]) or len(header) < 16:
        return "is not a qualcode database"
    if len(header) < 100:
        return f"is cut short ({size} bytes)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_size_valid = header[24:28] == header[92:96]
    wal = database.with_name(database.name + "-wal")
    wal_has_pages = wal.exists() and wal.stat().st_size > 32
    if header_size_valid and not wal_has_pages and size < pages * page_size:
        return f"is cut short ({size} of {pages * page_size} bytes)"
    return None


def take_backup(source: sqlite3.Connection, directory: Path, label: str) -> Path:
    """Copy the database behind `source` with SQLite's online backup API, verify the copy, keep it.

    The copy is written under a temporary name, checked (integrity check, and the same number of
    rows in every table as the source had at that moment), and only then given its name, so a
    backup that exists is a good one.
    """
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{_stamp_now()}-{label}{SUFFIX}"
    try:
        handle, partial_name = tempfile.mkstemp(dir=directory, prefix=".", suffix=".partial")
    except OSError as error:  # name the folder, not the temporary file it could not make
        raise OSError(error.errno, error.strerror, str(directory)) from None
    os.close(handle)
    partial = Path(partial_name)
    try:
        began = not source.in_transaction
        if began:
            source.execute("BEGIN")
        try:
            # The counts and the copy come from one read transaction: the same state.
            counts = _table_counts(source)
            with closing(sqlite3.connect(partial)) as destination:
                source.backup(destination)
                # A backup is one self-contained file: no write-ahead log beside it.
                destination.execute("PRAGMA journal_mode = DELETE")
        finally:
            if began:
                source.rollback()
        verify_backup(partial, counts)
        _fsync(partial)
        os.replace(partial, target)
        _fsync(directory)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


# Rewritten with the key, not deleted, when it learns an identifier: the researcher's own, and the
# way back from a replaced text, which holds the only copy of the old text and where its codings were.
REWRITTEN_BY_KEY = (MANUAL, BEFORE_RESTORE, BEFORE_REPLACE)


def backup_label(path: Path) -> str:
    """The label in a backup's name (`manual`, `daily` …); empty for a file named otherwise."""
    match = _NAME.match(path.name)
    return match["label"] if match else ""


def rewrite_backup(path: Path, schema: str | None, change: Callable[[Path], None]) -> bool:
    """Apply `change` to a copy of the backup at `path` (of the schema named), then put the
    checked copy in its place. False, with the backup untouched, when it is of another schema,
    or the change or the check fails: the caller then deletes it."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        shutil.copyfile(path, partial)
        with closing(sqlite3.connect(partial)) as connection:
            version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        if schema is None or version != [(schema,)]:
            return False
        change(partial)
        with closing(sqlite3.connect(partial)) as connection:  # self-contained again, no pages of the old text
            connection.execute("PRAGMA journal_mode = DELETE")
            connection.execute("VACUUM")
        verify_backup(partial)
        partial.chmod(stat.S_IMODE(path.stat().st_mode))  # readable by whom the backup was, no more
        _fsync(partial)
        os.replace(partial, path)
        return True
    except Exception:  # whatever went wrong, the backup still holds what had to go: the caller deletes it
        return False
    finally:
        partial.unlink(missing_ok=True)
        for leftover in ("-wal", "-shm", "-journal"):
            partial.with_name(partial.name + leftover).unlink(missing_ok=True)


def verify_backup(path: Path, expected: dict[str, int] | None = None) -> dict[str, int]:
    """Check a backup file: SQLite's integrity check, and row counts equal to `expected` if given."""
    with closing(sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)) as connection:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise ProjectError(f"the backup {path.name} failed SQLite's integrity check: {result[0]}", "take it again")
        counts = _table_counts(connection)
    if expected is not None and counts != expected:
        differing = sorted(name for name in set(counts) | set(expected) if counts.get(name) != expected.get(name))
        raise ProjectError(f"the backup {path.name} does not hold what the project holds (tables {', '.join(differing)})", "take it again")
    return counts


def rotate_backups(directory: Path) -> list[Path]:
    """Delete automatic backups beyond what is kept (see the module's docstring); return them."""
    backups = list_backups(directory)  # newest first
    removed: list[Path] = []
    daily = [backup for backup in backups if backup.label == DAILY]
    kept_days: list[str] = []
    for backup in reversed(daily):  # oldest first, so the first backup of a day is the one kept
        day = f"{backup.taken:%Y%m%d}"
        if day in kept_days:
            removed.append(backup.path)
        else:
            kept_days.append(day)
    recent_days = set(sorted(kept_days)[-DAILY_KEPT:])
    removed += [backup.path for backup in daily if f"{backup.taken:%Y%m%d}" not in recent_days and backup.path not in removed]
    upgrades = [backup for backup in backups if backup.label.startswith(BEFORE_UPGRADE)]
    removed += [backup.path for backup in upgrades[UPGRADES_KEPT:]]
    replaces = [backup for backup in backups if backup.label == BEFORE_REPLACE]
    removed += [backup.path for backup in replaces[REPLACES_KEPT:]]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def restore_backup(
    database: Path, chosen: Path, *, before_withdrawal: bool = False, key: KeyRecord | None = None,
    rewrite: Callable[[Path], None] | None = None,
) -> RestoreResult:
    """Put a backup's content in the project database, after keeping the current state as a backup.

    The backup is copied beside the database and checked first, so a bad file changes nothing.
    A healthy database receives the backup through SQLite's online backup API: one write
    transaction, so other processes see the old state or the new one, and a crash leaves the old.
    A damaged database (empty, cut short, failing its check) is kept as a copy and replaced by
    renaming the checked copy over it.

    A backup of another project is refused, and so is one taken before a participant withdrew
    consent (it holds their words) unless `before_withdrawal` says the researcher knows. A
    damaged database cannot say so: the backups beside it and the `key` are asked instead, and
    when none of them can tell, the restore needs `before_withdrawal` too.

    `rewrite` changes the checked copy before it is put in place (the key's names are taken out
    of it there), so the project never holds, not even for a moment, what it took out.
    """
    directory = database.parent / "backups"
    source = find_backup(chosen, directory)
    if source.resolve() == database.resolve():
        raise ProjectError(f"{chosen} is the project database itself", "choose a backup: `qualcode backup list`")
    _remove_interrupted_restores(database.parent)
    handle, incoming_name = tempfile.mkstemp(dir=database.parent, prefix=".restore-", suffix=".db")
    os.close(handle)
    incoming = Path(incoming_name)
    try:
        shutil.copyfile(source, incoming)
        _check_restorable(incoming, source)
        damage = database_damage(database) if database.exists() else "is missing"
        ours = _record(database) if damage is None else None
        theirs = _record(incoming)
        assert theirs is not None  # checked above
        if ours is not None:
            withdrawn, unchecked = _check_same_project(ours, theirs, source, before_withdrawal, key), False
        else:
            withdrawn, unchecked = _check_against_records(
                _records_beside(directory), theirs, source, damage or "cannot be read", before_withdrawal, key,
            )
        if ours is not None:
            _carry_over(database, incoming)
        if withdrawn:
            _mark_withdraw_again(incoming, withdrawn)
        if rewrite is not None:
            rewrite(incoming)
            _compact(incoming)
            _check_restorable(incoming, source)
        _fsync(incoming)
        saved = _restore_online(database, incoming, directory) if damage is None else None
        if damage is not None or saved is None:
            saved = _keep_damaged(database, directory) if database.exists() and database.stat().st_size else None
            os.replace(incoming, database)
            # A log left by the damaged database must never be replayed into the restored one.
            for leftover in ("-wal", "-shm", "-journal"):
                database.with_name(database.name + leftover).unlink(missing_ok=True)
            _fsync(database.parent)
    finally:
        for leftover in ("", "-wal", "-shm", "-journal"):
            incoming.with_name(incoming.name + leftover).unlink(missing_ok=True)
    return RestoreResult(source, saved, withdrawn, unchecked)


INTERRUPTED_AFTER = 3600.0  # seconds: a restore's copy this old belongs to no restore still running


def _remove_interrupted_restores(folder: Path) -> None:
    """Delete what a restore stopped by a crash left beside the database: a copy of a backup, which
    may hold what a withdrawal or the key took out of the project since."""
    stale = time.time() - INTERRUPTED_AFTER
    for leftover in folder.glob(".restore-*"):
        try:
            if leftover.lstat().st_mtime >= stale:
                continue
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        except OSError:
            continue


@dataclass(frozen=True)
class _Record:
    """What one database says about its project: its GUID, its withdrawals, its participants."""

    guid: str | None
    withdrawals: frozenset[str]  # who withdrew (their participant id), or the event's GUID where it names no one
    participants: frozenset[str]


# Who a withdrawal's event says withdrew, and its kind: what a database's withdrawals are read by.
_WITHDRAWN_WHO = (f"$.after.{WITHDRAWN_ID}", EventKind.PARTICIPANT_WITHDRAW.value)


def _record(path: Path) -> _Record | None:
    """The record of the database at `path`; None when it cannot be read."""
    try:
        with closing(sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)) as connection:
            guid = connection.execute("SELECT value FROM settings WHERE key = 'project.guid'").fetchone()
            # By who withdrew, else by GUID: a withdrawal deletes the events about the person, so the id
            # SQLite gives its own event can be one the backup already holds for another. Not by GUID
            # alone: a restore from before a withdrawal withdraws them again, in an event of its own, and
            # every backup taken after the first withdrawal was then refused as taken before it.
            withdrawals = connection.execute(
                "SELECT coalesce(json_extract(payload, ?), guid) FROM events WHERE action = ?", _WITHDRAWN_WHO).fetchall()
            participants = connection.execute("SELECT name FROM participants").fetchall()
    except sqlite3.DatabaseError:
        return None
    return _Record(
        str(guid[0]) if guid else None,
        frozenset(str(row[0]) for row in withdrawals),
        frozenset(str(row[0]) for row in participants),
    )


def withdrawal_done_in(path: Path, participant: str, unfinished: tuple[str, ...]) -> bool:
    """Whether the backup at `path` was taken once `participant`'s withdrawal was done: it records the
    withdrawal, holds no participant of that id, and no setting in `unfinished` (a rebuild of the file
    still due) says deleted pages may still hold what went. Such a backup holds none of their words.
    False when it cannot be read."""
    try:
        with closing(sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)) as connection:
            folded = participant.casefold()  # as it was named: `withdraw d4` withdraws D4
            if any(str(name).casefold() == folded for (name,) in connection.execute("SELECT name FROM participants")):
                return False
            marks = ", ".join("?" for _ in unfinished) or "NULL"
            if connection.execute(f"SELECT 1 FROM settings WHERE key IN ({marks})", unfinished).fetchone():  # noqa: S608
                return False
            withdrawn = connection.execute("SELECT json_extract(payload, ?) FROM events WHERE action = ?", _WITHDRAWN_WHO)
            return any(str(name).casefold() == folded for (name,) in withdrawn if name is not None)
    except sqlite3.DatabaseError:
        return False


def _records_beside(directory: Path) -> list[_Record]:
    """The readable backups in the project's folder, newest first; the one chosen too, if it is
    there (a withdrawal deletes every backup there older than itself)."""
    found = []
    for backup in list_backups(directory):
        if backup.damage is None and not backup.label.endswith("-damaged") and (record := _record(backup.path)) is not None:
            found.append(record)
    return found


def _check_same_project(
    ours: _Record, theirs: _Record, source: Path, before_withdrawal: bool, key: KeyRecord | None,
) -> tuple[str, ...]:
    """Refuse another project's backup; refuse one taken before a withdrawal unless told, and
    name the participants it brings back (withdrawal deletes nothing but them)."""
    for project in (key.project_guid if key is not None else None, ours.guid):
        if project and theirs.guid and project != theirs.guid:
            raise ProjectError(
                f"{source} is a backup of another project, not of this one",
                "restore it in its own project; `qualcode backup list` shows this project's backups",
            )
    if not ours.withdrawals - theirs.withdrawals and not _key_knows_more(key, theirs):
        return ()
    back = tuple(sorted(theirs.participants - ours.participants))
    if not before_withdrawal:
        raise ProjectError(
            f"{source} was taken before {', '.join(back) or 'a participant'} withdrew consent; restoring it would bring their words back",
            "choose a backup taken since (`qualcode backup list`), or add --before-withdrawal and withdraw them again at once",
        )
    return back


def _key_knows_more(key: KeyRecord | None, theirs: _Record) -> bool:
    """The key holds a withdrawn person's identifiers, and the backup knows of no withdrawal."""
    return key is not None and key.withdrawals and not theirs.withdrawals


def _check_against_records(
    records: list[_Record], theirs: _Record, source: Path, damage: str, before_withdrawal: bool, key: KeyRecord | None,
) -> tuple[tuple[str, ...], bool]:
    """`_check_same_project` for a damaged database, against the backups beside it and the key;
    when neither can tell, refused unless `before_withdrawal` (then restored unchecked)."""
    guid = key.project_guid if key is not None else next((record.guid for record in records if record.guid), None)
    same = [record for record in records if guid is None or record.guid in (guid, None)]
    if same:
        withdrawals = frozenset().union(*(record.withdrawals for record in same))
        return _check_same_project(_Record(guid, withdrawals, same[0].participants), theirs, source, before_withdrawal, key), False
    # Nothing beside it to compare with: the key can still tell another project's backup.
    _check_same_project(_Record(guid, frozenset(), theirs.participants), theirs, source, before_withdrawal, key)
    if before_withdrawal:
        return (), True
    raise ProjectError(
        f"the project database {damage}, and no backup beside it shows whether {source} was taken before a participant "
        "withdrew consent: restoring it could bring their words back",
        "restore a backup listed by `qualcode backup list`, or add --before-withdrawal and withdraw again at once anyone who withdrew since",
    )


# What a restore keeps of the state it replaces, whatever the backup holds. A withdrawal is for good:
# its record (who withdrew, the digests of every file of theirs) outlived no restore of a backup taken
# before it, so a later version of their file imported again, and a withdrawal whose participant the
# backup did not yet hold was forgotten outright. The key lives outside the project: where it is, whether
# it was destroyed and which keys were made in place of others are the project's now, not the backup's.
CARRIED_EVENTS = (EventKind.PARTICIPANT_WITHDRAW.value, EventKind.KEY_NEW.value)
CARRIED_SETTINGS = ("key.path", "key.destroyed")


def _carry_over(database: Path, incoming: Path) -> None:
    """Copy into the backup's copy `incoming` the events of CARRIED_EVENTS the live `database` holds and
    it lacks (with their coders), and the live CARRIED_SETTINGS (deleted where the live one has none)."""
    with closing(sqlite3.connect(f"file:{quote(str(incoming))}", uri=True)) as connection:  # a URI, to attach one read-only
        connection.execute("ATTACH DATABASE ? AS live", (f"file:{quote(str(database))}?mode=ro",))
        try:
            with connection:
                columns = _shared_columns(connection, "events")
                coder_columns = _shared_columns(connection, "coders")
                kinds = ", ".join("?" for _ in CARRIED_EVENTS)
                carried = f"SELECT * FROM live.events WHERE action IN ({kinds}) AND guid NOT IN (SELECT guid FROM main.events)"  # noqa: S608
                connection.execute(
                    f"INSERT INTO main.coders ({', '.join(coder_columns)}) SELECT {', '.join('c.' + name for name in coder_columns)}"  # noqa: S608
                    f" FROM live.coders c WHERE c.id IN (SELECT coder_id FROM ({carried}))"
                    " AND c.guid NOT IN (SELECT guid FROM main.coders) AND c.name NOT IN (SELECT name FROM main.coders)",
                    CARRIED_EVENTS,
                )
                chosen = [name for name in columns if name != "refers_to_id"]  # such events refer to none
                values = ["(SELECT m.id FROM main.coders m JOIN live.coders c ON c.guid = m.guid OR c.name = m.name"
                          " WHERE c.id = e.coder_id ORDER BY c.guid = m.guid DESC LIMIT 1)"
                          if name == "coder_id" else f"e.{name}" for name in chosen]
                connection.execute(
                    f"INSERT INTO main.events ({', '.join(chosen)}) SELECT {', '.join(values)}"  # noqa: S608
                    f" FROM ({carried}) e ORDER BY e.id", CARRIED_EVENTS,
                )
                for name in CARRIED_SETTINGS:
                    connection.execute("DELETE FROM main.settings WHERE key = ?", (name,))
                    connection.execute("INSERT INTO main.settings (key, value) SELECT key, value FROM live.settings WHERE key = ?", (name,))
        finally:
            connection.execute("DETACH DATABASE live")


# Set in the backup's copy before it is put in place, with who withdrew since it was taken; cleared as
# each is withdrawn again. A kill between the restore and those withdrawals left their words back in the
# project, in every export, with nothing to say so: the next command that opens it withdraws them first.
WITHDRAW_AGAIN = "restore.withdraw_again"


def _mark_withdraw_again(incoming: Path, participants: tuple[str, ...]) -> None:
    with closing(sqlite3.connect(incoming)) as connection, connection:
        connection.execute("DELETE FROM settings WHERE key = ?", (WITHDRAW_AGAIN,))
        connection.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (WITHDRAW_AGAIN, json.dumps(list(participants))))


def _shared_columns(connection: sqlite3.Connection, table: str) -> list[str]:
    """The columns of `table` both the backup's copy and the live database have (the backup's schema may be
    older), but its id: rows carried over are numbered as the copy numbers its own."""
    live = {row[1] for row in connection.execute(f"PRAGMA live.table_info({table})")}
    return [row[1] for row in connection.execute(f"PRAGMA main.table_info({table})") if row[1] in live and row[1] != "id"]


def find_backup(chosen: Path, directory: Path) -> Path:
    """The backup named: a path, or a name in the project's backup folder."""
    for candidate in (chosen, directory / chosen):
        if candidate.is_file():
            return candidate
    raise ProjectError(f"no backup {chosen}", "`qualcode backup list` shows the backups there are")


def _check_restorable(copy: Path, source: Path) -> None:
    """The copy is a qualcode database that passes SQLite's integrity check; made self-contained."""
    damage = database_damage(copy)
    if damage is not None:
        raise ProjectError(f"{source} {damage}, so it cannot be restored", "choose another backup: `qualcode backup list`")
    try:
        with closing(sqlite3.connect(copy)) as connection:
            connection.execute("PRAGMA journal_mode = DELETE")
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            versions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")] \
                if "alembic_version" in tables else []
    except sqlite3.DatabaseError as error:
        raise ProjectError(f"{source} cannot be restored: {error}", "choose another backup: `qualcode backup list`") from None
    if result != ["ok"]:
        raise ProjectError(f"{source} fails SQLite's integrity check ({result[0]})", "choose another backup: `qualcode backup list`")
    if not {"alembic_version", "transcripts", "codes"} <= tables:
        raise ProjectError(f"{source} is not a qualcode project backup", "choose another backup: `qualcode backup list`")
    # Put in place, it would make every command refuse the project as newer than this qualcode.
    newer = [version for version in versions if newer_than_code(version)]
    if newer:
        raise ProjectError(
            f"{source.name} was taken by a newer qualcode (schema {newer[0]}; this one knows up to {newest_revision()})",
            "upgrade qualcode to restore it, or choose another backup: `qualcode backup list`",
        )


def _compact(path: Path) -> None:
    """A rewritten copy made one self-contained file again, with no free page left holding what went."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("VACUUM")
    for leftover in ("-wal", "-shm"):
        path.with_name(path.name + leftover).unlink(missing_ok=True)


def project_settings(database: Path, chosen: Path) -> dict[str, str]:
    """The project's settings (its GUID, where its key is), read from the database, else from the
    newest readable backup beside it, else from the backup `chosen` to restore: what is needed to
    find the key when the database is damaged."""
    directory = database.parent / "backups"
    candidates = [database] if database.exists() and database_damage(database) is None else []
    candidates += [backup.path for backup in list_backups(directory) if backup.damage is None and not backup.label.endswith("-damaged")]
    candidates.append(find_backup(chosen, directory))
    for candidate in candidates:
        settings = _settings(candidate)
        if settings.get("project.guid"):
            return settings
    return {}


def backup_settings(chosen: Path, directory: Path) -> dict[str, str]:
    """The settings the backup named holds; empty when it cannot be read (its restore refuses it)."""
    return _settings(find_backup(chosen, directory))


def _settings(path: Path) -> dict[str, str]:
    try:
        with closing(sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)) as connection:
            return {str(key): str(value) for key, value in connection.execute("SELECT key, value FROM settings")}
    except sqlite3.DatabaseError:
        return {}


def _restore_online(database: Path, incoming: Path, directory: Path) -> Path | None:
    """Back up the current state, then copy `incoming` into the live database; None if it is damaged."""
    with closing(sqlite3.connect(database, timeout=faults.BUSY_TIMEOUT_SECONDS)) as live, closing(sqlite3.connect(incoming)) as restored:
        try:
            # The copy of the current state is taken holding the project's write lock: a coding saved
            # meanwhile by another command was in neither the copy nor the restored project (a probe
            # lost 1 of 4). Writers wait; the restore takes the lock again the moment it lets go,
            # before a waiting writer's next try (SQLite's busy wait sleeps between tries).
            with closing(sqlite3.connect(database, timeout=faults.BUSY_TIMEOUT_SECONDS)) as guard:
                guard.execute("BEGIN IMMEDIATE")  # on a connection of its own: a backup's source may hold no write lock
                try:
                    saved = take_backup(live, directory, BEFORE_RESTORE)
                finally:
                    guard.rollback()  # nothing was written: the lock let go
        except sqlite3.DatabaseError as error:
            if getattr(error, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
                return None
            raise
        except ProjectError:  # the copy of the current state failed its check: the database is damaged
            return None
        restored.backup(live)
    return saved


def _keep_damaged(database: Path, directory: Path) -> Path:
    """A byte-for-byte copy of a damaged database and its log (they may hold something worth rescuing)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{_stamp_now()}-{BEFORE_RESTORE}-damaged{SUFFIX}"
    shutil.copyfile(database, target)
    wal = database.with_name(database.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))  # read with the copy, as SQLite does
    return target


def _table_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
        )
    ]
    quoted: Callable[[str], str] = lambda name: '"' + name.replace('"', '""') + '"'  # noqa: E731
    return {name: connection.execute(f"SELECT count(*) FROM {quoted(name)}").fetchone()[0] for name in names}


def _fsync(path: Path) -> None:
    """Make a file, or a directory's entries, durable before relying on it."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
