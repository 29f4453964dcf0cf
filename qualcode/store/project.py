"""Opening, creating, upgrading and backing up a project: one database per project."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from qualcode.errors import ProjectError

if TYPE_CHECKING:
    from alembic.config import Config

PROJECT_DIR = ".qualcode"
DATABASE_FILE = "project.db"
MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config(connection: object) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _set_sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA synchronous = NORMAL")
    # Deleted content is overwritten, so a withdrawn participant's words do not linger in free pages.
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


def make_engine(database: Path) -> Engine:
    """An engine for a SQLite project file with WAL, foreign keys and a busy timeout."""
    engine = create_engine(f"sqlite:///{database}")
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def find_project_root(start: Path) -> Path:
    """The nearest directory at or above `start` that holds a project, as git finds its repo."""
    start = start.resolve()
    for candidate in [start, *start.parents]:
        if (candidate / PROJECT_DIR / DATABASE_FILE).is_file():
            return candidate
    raise ProjectError(
        f"no qualcode project in {start} or any parent directory",
        "run `qualcode init DIR` or pass --project PATH",
    )


class Project:
    """An open project: its directory, its engine, and sessions whose caller owns the transaction."""

    def __init__(self, root: Path, engine: Engine) -> None:
        self.root = root
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

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
        if database.exists():
            raise ProjectError(f"{root} already holds a qualcode project", "open it, or choose another directory")
        database.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(database)
        _upgrade(engine)
        return cls(root, engine)

    @classmethod
    def open(cls, root: Path) -> Project:
        """Open a project, upgrading its schema after a backup, refusing one newer than the code."""
        root = root.resolve()
        database = root / PROJECT_DIR / DATABASE_FILE
        if not database.is_file():
            raise ProjectError(f"no qualcode project at {root}", "run `qualcode init DIR` first")
        _check_is_sqlite(database)
        engine = make_engine(database)
        project = cls(root, engine)
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory(str(MIGRATIONS))
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        head = script.get_current_head()
        if current != head:
            known = {revision.revision for revision in script.walk_revisions()}
            if current is not None and current not in known:
                engine.dispose()
                raise ProjectError(
                    f"project {root} has schema {current}, newer than this qualcode knows",
                    "upgrade qualcode to open it",
                )
            project.backup(f"before-upgrade-{current or 'empty'}")
            _upgrade(engine)
        return project

    @classmethod
    def find(cls, start: Path) -> Project:
        return cls.open(find_project_root(start))

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session in one transaction: committed if the block succeeds, rolled back if not."""
        with self._sessions.begin() as session:
            yield session

    def backup(self, label: str) -> Path:
        """Take an online backup of the database (consistent even while others write)."""
        self.backups.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = self.backups / f"{stamp}-{label}.bak"
        raw = self.engine.raw_connection()
        try:
            source = raw.driver_connection
            assert isinstance(source, sqlite3.Connection)
            with sqlite3.connect(target) as destination:
                source.backup(destination)
            destination.close()
        finally:
            raw.close()
        return target

    def purge(self) -> None:
        """After removing sensitive content: fold the WAL in, rebuild the file, drop old backups.

        Backups taken earlier still hold what was removed, so they go too.
        """
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("VACUUM")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        if self.backups.is_dir():
            for backup in self.backups.glob("*.bak"):
                backup.unlink()

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


def _upgrade(engine: Engine) -> None:
    """Migrate to the newest schema; Alembic is imported only when a migration may run."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


def _check_is_sqlite(database: Path) -> None:
    with database.open("rb") as handle:
        header = handle.read(16)
    if header and header != b"SQLite format 3\x00":
        raise ProjectError(f"{database} is not a qualcode database", "restore it from .qualcode/backups/")
