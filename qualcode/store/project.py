"""Opening, creating, upgrading and backing up a project: one database per project."""

from __future__ import annotations

import shlex
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from qualcode.errors import ProjectError
from qualcode.store import faults
from qualcode.store.backups import (
    BACKUPS_HERE,
    BEFORE_UPGRADE,
    DAILY,
    REWRITTEN_BY_KEY,
    SUFFIX,
    backup_label,
    database_damage,
    list_backups,
    rewrite_backup,
    rotate_backups,
    take_backup,
)
from qualcode.store.events import RECORDED_HERE, hold_write_lock
from qualcode.store.faults import (
    damaged_error,
    database_fault,
    disk_fault,
    note_opened,
    read_only_error,
    why_not_writable,
)
from qualcode.store.revisions import MIGRATIONS, newer_than_code, newest_revision

if TYPE_CHECKING:
    from alembic.config import Config

PROJECT_DIR = ".qualcode"
DATABASE_FILE = "project.db"
CREATED_SETTING = "project.created"


def _alembic_config(connection: object) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


# SQLite's page cache, in KiB when negative. Its default of 2 MB holds little of a large project's
# indexes: writing 50,000 codings into a table with ten indexes went from 2.2 s to 1.5 s with 64 MB.
# The cache only grows as pages are read, so a small project uses little of it.
CACHE_SIZE = -64 * 1024


def _set_sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute(f"PRAGMA busy_timeout = {round(faults.BUSY_TIMEOUT_SECONDS * 1000)}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    # Deleted content is overwritten, so a withdrawn participant's words do not linger in free pages.
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.execute(f"PRAGMA cache_size = {CACHE_SIZE}")
    cursor.close()


def _set_read_only_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {round(faults.BUSY_TIMEOUT_SECONDS * 1000)}")
    cursor.execute("PRAGMA query_only = ON")
    cursor.execute(f"PRAGMA cache_size = {CACHE_SIZE}")
    cursor.close()


# The search index's trigram tokenizer needs 3.34, and inserts that return their rows' ids
# (RETURNING) need 3.35; older builds would fail midway through an import.
MINIMUM_SQLITE = (3, 35)


def make_engine(database: Path, *, read_only: bool = False) -> Engine:
    """An engine for a SQLite project file with WAL, foreign keys and a busy timeout.

    A read-only engine never writes: on a project that can be written it is an ordinary
    connection with `query_only` (so SQLite tidies its log as usual); otherwise SQLite opens
    the file read-only (`mode=ro`), and where not even its shared-memory file can be made
    (a read-only folder or disk) it reads the file as `immutable`.
    """
    if sqlite3.sqlite_version_info < MINIMUM_SQLITE:
        raise ProjectError(
            f"qualcode needs SQLite {'.'.join(map(str, MINIMUM_SQLITE))} or newer, and this Python has {sqlite3.sqlite_version}",
            "run qualcode with a Python built with a newer SQLite (python.org's, pyenv's and conda's builds have one)",
        )
    if not read_only:
        engine = create_engine(f"sqlite:///{database}")
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    if why_not_writable(database) is None:
        engine = create_engine(f"sqlite:///{database}")
    else:
        engine = create_engine(f"sqlite:///{database}", creator=lambda: _connect_read_only(database))
    event.listen(engine, "connect", _set_read_only_pragmas)
    return engine


def _connect_read_only(database: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(database))}?mode=ro"
    connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return connection
    except sqlite3.OperationalError as error:
        connection.close()
        # CANTOPEN where the folder cannot be read into; READONLY_DIRECTORY (or _CANTINIT) where it
        # can, but not written: an ordinary user's read-only folder, where root's immutable one gave CANTOPEN.
        if getattr(error, "sqlite_errorname", "") not in ("SQLITE_CANTOPEN", "SQLITE_READONLY_DIRECTORY", "SQLITE_READONLY_CANTINIT"):
            raise
    # SQLite cannot make its shared-memory file here. Reading the file as immutable is safe only
    # if no write-ahead log holds changes not yet in it; nobody can be writing, as that needs
    # the same folder.
    wal = database.with_name(database.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise read_only_error(
            database, f"its latest changes are still in {wal.name}, which cannot be read from a read-only folder"
        )
    return sqlite3.connect(uri + "&immutable=1", uri=True, check_same_thread=False)


def find_project_root(start: Path, *, lost: bool = False) -> Path:
    """The nearest directory at or above `start` that holds a project, as git finds its repo; with
    `lost`, one whose database is gone but whose backups are there too (to list and restore them)."""
    start = start.resolve()
    for candidate in [start, *start.parents]:
        if (candidate / PROJECT_DIR / DATABASE_FILE).is_file():
            return candidate
        if lost and _backups_left(candidate):
            return candidate
        refuse_lost_database(candidate)
    raise ProjectError(
        f"no qualcode project in {start} or any parent directory",
        "run `qualcode init DIR` or pass --project PATH",
    )


def _backups_left(root: Path) -> bool:
    backups = root / PROJECT_DIR / "backups"
    return backups.is_dir() and any(backups.glob("*.bak"))


def refuse_lost_database(root: Path) -> None:
    """A project folder whose database is gone (deleted, or a folder in its place) but whose backups
    are there: said so, with the restore, not "no qualcode project … run `qualcode init`", which made
    every backup "another project's"."""
    backups = root / PROJECT_DIR / "backups"
    if not (root / PROJECT_DIR / DATABASE_FILE).is_file() and _backups_left(root):
        raise ProjectError(
            f"the project database {root / PROJECT_DIR / DATABASE_FILE} is missing, but its backups are in {backups}",
            "put one back in place with `qualcode --project " + shlex.quote(str(root)) + " backup restore NAME` "
            "(`backup list` names them); never `init` over it",
        )


def refuse_project_there(root: Path) -> None:
    """A new project is refused where one is, or where one's database is gone but its backups are not."""
    if (root / PROJECT_DIR / DATABASE_FILE).exists():
        raise ProjectError(f"{root} already holds a qualcode project", "open it, or choose another directory")
    refuse_lost_database(root)  # a new project there would take the old one's backups for another's


class Project:
    """An open project: its directory, its engine, and sessions whose caller owns the transaction."""

    def __init__(self, root: Path, engine: Engine, *, read_only: bool = False) -> None:
        self.root = root
        self.engine = engine
        self.read_only = read_only
        # Each session carries the cleaner of typed text (see clean_typed), the same dict for all, and
        # how what is typed to find something is looked for as stored (typed_as_stored).
        self._typed_text: dict[str, Callable[[str], str]] = {}
        self._typed_lookup = TypedLookup()
        # The GUIDs of the events this process records (record_event adds them), shared by its sessions
        # too: a look at the log tells another's changes from its own (Workspace.changes_since).
        self.recorded_here: set[str] = set()
        self._sessions = sessionmaker(engine, expire_on_commit=False,
                                      info={TYPED_TEXT: self._typed_text, TYPED_LOOKUP: self._typed_lookup,
                                            RECORDED_HERE: self.recorded_here, BACKUPS_HERE: self.backups})
        self._daily_backup_checked: date | None = None
        self._daily_backup_lock = threading.Lock()

    @property
    def database(self) -> Path:
        return self.root / PROJECT_DIR / DATABASE_FILE

    @property
    def backups(self) -> Path:
        return self.root / PROJECT_DIR / "backups"

    @classmethod
    def create(cls, root: Path) -> Project:
        """Create a new, empty project by migrating an empty database to the newest schema."""
        root = root.resolve()
        database = root / PROJECT_DIR / DATABASE_FILE
        refuse_project_there(root)
        database.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(database)
        with _translated(database):
            _upgrade(engine)
            with engine.begin() as connection:
                # A project made today needs no daily backup today: there is nothing older to keep.
                connection.execute(
                    text("INSERT INTO settings (key, value) VALUES (:key, :value)"),
                    {"key": CREATED_SETTING, "value": datetime.now().astimezone().isoformat(timespec="seconds")},
                )
        return cls(root, engine)

    @classmethod
    def open(cls, root: Path, *, read_only: bool = False) -> Project:
        """Open a project, upgrading its schema after a backup, refusing one newer than the code.

        With `read_only` nothing is ever written, so commands that only read also work on a
        read-only disk, file or folder. Without it, a project that cannot be written is refused
        in one line, as is a database that is empty, cut short or otherwise damaged.
        """
        root = root.resolve()
        database = root / PROJECT_DIR / DATABASE_FILE
        if not database.is_file():
            refuse_lost_database(root)
            raise ProjectError(f"no qualcode project at {root}", "run `qualcode init DIR` first")
        damage = database_damage(database)
        if damage is not None:
            raise damaged_error(database, damage)
        not_writable = why_not_writable(database)
        if not_writable is not None and not read_only:
            raise read_only_error(database, not_writable)
        engine = make_engine(database, read_only=read_only)
        note_opened(database)
        project = cls(root, engine, read_only=read_only)
        try:
            with _translated(database):
                project._upgrade_if_needed(not_writable)
        except BaseException:
            engine.dispose()
            raise
        return project

    def _upgrade_if_needed(self, not_writable: str | None) -> None:
        with self.engine.connect() as connection:
            has_version = connection.execute(
                text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
            ).scalar_one()
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() if has_version else []
        if versions == [newest_revision()]:
            return  # the usual case, decided without importing Alembic
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory(str(MIGRATIONS))
        with self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            tables = connection.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'table'")).scalar_one()
        head = script.get_current_head()
        if current == head:
            return
        if current is None:
            # Only `Project.create` starts from an empty database; here one means the project was
            # lost, or its tables are there and their version is not: upgrading it "from empty" failed
            # on the first table, with a traceback and another backup at each attempt.
            raise damaged_error(self.database, "holds no project (it is empty)" if tables <= 1 else
                                "has lost the record of its schema's version (its alembic_version table is empty or gone)")
        known = {revision.revision for revision in script.walk_revisions()}
        if current not in known:
            if newer_than_code(current):
                raise ProjectError(f"project {self.root} has schema {current}, newer than this qualcode knows",
                                   "upgrade qualcode to open it")
            raise damaged_error(self.database, f"records a schema version no qualcode has made ({current!r})")
        if self.read_only:
            if not_writable is not None:
                raise read_only_error(self.database, not_writable, needs_upgrade=True)
            Project.open(self.root).close()  # upgrades, after a backup
            return
        _upgrade(self.engine, backup=lambda version: self.backup(f"{BEFORE_UPGRADE}-{version}"))
        rotate_backups(self.backups)

    @classmethod
    def find(cls, start: Path) -> Project:
        return cls.open(find_project_root(start))

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session in one transaction: committed if the block succeeds, rolled back if not.

        The first transaction of a day that may write takes the daily backup first. SQLite's
        faults (busy beyond the timeout, disk full, read-only, damaged) become a ProjectError.
        """
        if not self.read_only:
            self.daily_backup()
        with _translated(self.database), self._sessions.begin() as session:
            yield session

    @contextmanager
    def trying(self) -> Iterator[Session]:
        """A session in one transaction that is always rolled back: for a dry run, which does the
        work to see what it would do and must leave the project as it was, its file's bytes included."""
        with _translated(self.database), self._sessions.begin() as session:
            try:
                yield session
            finally:
                session.rollback()

    @staticmethod
    def lock_for_writing(session: Session) -> None:
        """Take the write lock for the session's transaction now (store.events.hold_write_lock), waiting
        for another writer as long as a write does, its faults (busy, full, read-only) said as a
        ProjectError: taken only once a savepoint's transaction has read, SQLite refuses it at once
        when another command is writing (a dry run trying a replacement failed so)."""
        connection = session.connection().connection.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        with _translated(Path(connection.execute("PRAGMA database_list").fetchone()[2])):
            hold_write_lock(session)

    def backup(self, label: str) -> Path:
        """Take an online backup of the database (consistent even while others write), verified.

        See `qualcode.store.backups` for where backups go, how they are checked and which are kept.
        """
        with _translated(self.database):
            raw = self.engine.raw_connection()
            try:
                source = raw.driver_connection
                assert isinstance(source, sqlite3.Connection)
                return take_backup(source, self.backups, label)
            finally:
                raw.close()

    def daily_backup(self) -> Path | None:
        """Back up before the first change of a day, unless a backup was taken today or the project is new today.

        Daily backups beyond the last seven days are deleted; returns the new backup, if any.
        """
        today = date.today()
        if self.read_only or self._daily_backup_checked == today:
            return None
        with self._daily_backup_lock:
            if self._daily_backup_checked == today:
                return None
            taken = None
            if not any(backup.taken.date() == today for backup in list_backups(self.backups)):
                with _translated(self.database), self.engine.connect() as connection:
                    created = connection.execute(
                        text("SELECT value FROM settings WHERE key = :key"), {"key": CREATED_SETTING}
                    ).scalar_one_or_none()
                if created is None or datetime.fromisoformat(created).astimezone().date() < today:
                    taken = self.backup(DAILY)
                    rotate_backups(self.backups)
            self._daily_backup_checked = today
            return taken

    def purge(
        self, before_backup: Callable[[], None] | None = None, rewrite: Callable[[Session], object] | None = None,
        keep: Callable[[Path], bool] | None = None,
    ) -> Purged:
        """After removing sensitive content: fold the WAL in, rebuild the file, drop old backups.

        Backups taken earlier still hold what was removed, so they go; with `rewrite`, the
        researcher's own (manual, before-restore) and the way back from a replaced text
        (before-replace) of the current schema are rewritten by it in a session of their own
        instead, and kept. A fresh backup of the cleaned project is taken,
        so one always exists. Backups `keep` says hold none of it are kept as they are.
        `before_backup` runs just before that backup is taken (the caller's
        record that the purge is due is cleared there, or the backup would hold it and its
        restore would purge again).
        """
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("VACUUM")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        deleted: list[Path] = []
        rewritten: list[Path] = []
        kept: set[str] = set()
        if self.backups.is_dir():
            for pattern in ("*.bak", "*.bak-wal", ".*.partial"):
                for backup in sorted(self.backups.glob(pattern)):
                    if backup.name.removesuffix("-wal") in kept:  # a backup's log is part of it
                        continue
                    if keep is not None and pattern == "*.bak" and keep(backup):
                        kept.add(backup.name)
                        continue
                    if (rewrite is not None and pattern == "*.bak" and backup_label(backup) in REWRITTEN_BY_KEY
                            and rewrite_backup(backup, newest_revision(), lambda copy: _rewrite_in(copy, rewrite))):
                        rewritten.append(backup)
                        continue
                    backup.unlink()
                    deleted.append(backup)
        if before_backup is not None:
            before_backup()
        if deleted or rewritten:
            self.backup("after-purge")
        return Purged(tuple(path.name for path in deleted if path.suffix == SUFFIX), tuple(path.name for path in rewritten))

    def clean_typed_text_with(self, cleaner: Callable[[str], str], folded: Callable[[str], str]) -> None:
        """From now on `clean_typed` in this project's sessions is `cleaner` (the anonymiser's), and
        `folded` for names kept in lower case."""
        self._typed_text["clean"] = cleaner
        self._typed_text["folded"] = folded

    def look_up_typed_text_with(
        self, as_stored: Callable[[str], AsStored], folded: Callable[[str], AsStored],
        found: Callable[[AsStored], None] | None = None,
    ) -> None:
        """From now on `typed_as_stored` in this project's sessions is `as_stored` (the anonymiser's
        replacement of the names the key holds, with the key at hand), and `folded` for names kept
        in lower case: a read-only project stores nothing, but what is typed to name a row is still
        looked for as the row stores it. `found` is told of each lookup that found something as stored
        (found_as_stored), to say what a placeholder in it chose."""
        self._typed_lookup.as_stored, self._typed_lookup.as_stored_folded = as_stored, folded
        if found is not None:
            self._typed_lookup.found = found

    def on_flush(self, hook: Callable[[Session], None]) -> None:
        """Run `hook` on every session of this project before it flushes (the anonymiser's guard
        on typed text is one; the store does not need to know what it does)."""
        event.listen(self._sessions, "before_flush", lambda session, _context, _instances: hook(session))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


TYPED_TEXT = "qualcode.typed_text"
# The locked key of a typed transaction (Workspace.typed), for services that check typed text as an
# import checks a file's metadata (a name nobody has decided about is refused).
TYPING_KEY = "qualcode.typing_key"
# A check of what a person typed, run by the anonymiser's guard before it cleans the text, while
# what the key replaces is still known by its spans (the workspace's refusal of names nobody has
# decided about: importers.pseudonymise.refuse_undecided_prose).
TYPED_CHECK = "qualcode.typed_check"
# How the guard reads a typed text for the key's replacements while it flushes (Pseudonymised, shared):
# the check above and the cleaning after it read a text once between them, not once each.
TYPED_READING = "qualcode.typed_reading"


def clean_typed(session: Session, text: str, *, folded: bool = False) -> str:
    """`text` as the project's guard on typed text would store it: for a name looked up before it
    is written, or a row written past the ORM's flush. `folded` for a name kept in lower case
    (an attribute's), where "trond hansen" is still a name. Unchanged where no guard is set."""
    cleaner = session.info.get(TYPED_TEXT, {}).get("folded" if folded else "clean")
    return cleaner(text) if cleaner is not None and text else text


# What a lookup's "not found" adds where the key changed what was typed: the pseudonyms were tried too.
# The name itself is said as typed, as other lookups say it: on the researcher's own terminal, stored nowhere.
NOT_AS_STORED_EITHER = "nor with the key's pseudonyms for the names in it"


@dataclass(frozen=True)
class AsStored:
    """Text a person typed to find something stored, as the project stores such text (typed_as_stored)."""

    text: str
    # Each identifier the key replaced in it, in order: (as typed, as stored).
    replaced: tuple[tuple[str, str], ...] = ()
    # Of those, the ones stored as a placeholder ("(NAV-kontor)", "NN"): it stands for every identifier
    # of its kind, so what was typed finds all that is stored so (NAV Tønsberg's office too).
    placeholders: tuple[tuple[str, str], ...] = ()
    # What was looked for (a key of PLACEHOLDER_HINTS): what the researcher can do about a placeholder differs.
    looked_for: str = "value"

    def placeholder_note(self) -> str | None:
        """What a researcher is told when a lookup found something under a placeholder; None without one."""
        if not self.placeholders:
            return None
        typed, stored = self.placeholders[0]
        others = "".join(f"; {more!r} as {placeholder!r}" for more, placeholder in self.placeholders[1:])
        return (f"{typed!r} is stored as {stored!r}{others}, as every identifier of its kind is, so it matches them all:"
                f" {PLACEHOLDER_HINTS[self.looked_for]}")


# What a placeholder note tells the researcher to do, by what was looked for.
PLACEHOLDER_HINTS = {
    "value": "to tell them apart, record and choose by a value that is no identifier (as office=kontor A)",
    "name": "to tell them apart, give them names that differ by a word that is no identifier",
    "quote": "check that the passage found is the one meant (it is shown), or give --start and --end",
    "query": "the hits may be any of them; add words that are no identifier to tell them apart",
}


@dataclass
class TypedLookup:
    """How a project's sessions look for typed text as stored (Project.look_up_typed_text_with)."""

    as_stored: Callable[[str], AsStored] | None = None
    as_stored_folded: Callable[[str], AsStored] | None = None
    found: Callable[[AsStored], None] | None = None


TYPED_LOOKUP = "qualcode.typed_lookup"


def as_stored(session: Session, text: str, *, folded: bool = False) -> AsStored:
    """`text` a person typed to name something stored (a code, a transcript, an attribute's value)
    as the project stores such text: the names the key holds replaced by their pseudonyms, where
    the key is at hand (never asked for, and nothing refused: it is only looked for), with what
    was replaced. Unchanged where no key is at hand. Lookups try what was typed first, then this:
    a code created by typing "støtte fra Hilde" is stored as "støtte fra <her pseudonym>", and is
    named so again."""
    lookup: TypedLookup | None = session.info.get(TYPED_LOOKUP)
    hook = None if lookup is None else lookup.as_stored_folded if folded else lookup.as_stored
    return hook(text) if hook is not None and text else AsStored(text)


def typed_as_stored(session: Session, text: str, *, folded: bool = False) -> str:
    """`text` as the project stores typed text (as_stored), for a lookup that needs only the text."""
    return as_stored(session, text, folded=folded).text


def found_as_stored(session: Session, found: AsStored, looked_for: str = "value") -> None:
    """A lookup found something by `found`, what was typed as stored: the person is told where a
    placeholder in it chose more than was typed (every NAV office for "NAV Horten"), once. `looked_for`
    (a value, a name, a quote or a query: PLACEHOLDER_HINTS) says what they can do about it."""
    lookup: TypedLookup | None = session.info.get(TYPED_LOOKUP)
    if found.placeholders and lookup is not None and lookup.found is not None:
        lookup.found(replace(found, looked_for=looked_for))


@dataclass(frozen=True)
class Purged:
    """The backups a purge deleted, and those it rewrote and kept, by file name."""

    deleted: tuple[str, ...]
    rewritten: tuple[str, ...]


def _rewrite_in(database: Path, rewrite: Callable[[Session], object]) -> None:
    engine = make_engine(database)
    try:
        with Session(engine) as session, session.begin():
            rewrite(session)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


def _upgrade(engine: Engine, *, backup: Callable[[str], object] | None = None) -> None:
    """Migrate to the newest schema in one write transaction: all of it or none of it, and once.

    Python's sqlite3 begins a transaction only before a row is written, so a migration that begins
    with DDL (0010 drops an index) committed it at once: an upgrade that failed or was killed
    further on left the schema changed under the old version number, and every later open failed
    running that migration again. The write lock is also taken before Alembic reads the version,
    so a second process that found the old schema waits for the first and then finds nothing to do.
    `backup(version)` is taken under that lock, once the version is read again: a second process
    took a second before-upgrade backup of the same old project while it waited.
    Alembic is imported only when a migration may run.
    """
    from alembic import command

    with engine.connect() as connection:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        if backup is not None:
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            if version == newest_revision():  # upgraded by another process while this one waited
                connection.rollback()
                return
            backup(str(version))  # read by another connection: WAL lets it read while this one holds the lock
        command.upgrade(_alembic_config(connection), "head")
        connection.commit()


@contextmanager
def _translated(database: Path) -> Iterator[None]:
    """SQLite's and the disk's faults inside the block become a one-line ProjectError."""
    try:
        yield
    except (DBAPIError, sqlite3.Error) as error:
        fault = database_fault(error, database)
        if fault is None:
            raise
        raise fault from None
    except OSError as error:
        fault = disk_fault(error)
        if fault is None:
            raise
        raise fault from None
