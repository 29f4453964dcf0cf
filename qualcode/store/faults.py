"""What the disk and SQLite report, as one line a researcher can act on."""

from __future__ import annotations

import errno
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from qualcode.errors import ProjectError

# How long a write waits for another process's write to finish before giving up.
# Read where it is used (faults.BUSY_TIMEOUT_SECONDS), so a test can wait less for a lock it holds.
BUSY_TIMEOUT_SECONDS = 5

_DISK_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would be larger than this system allows",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "the file or folder may not be changed",
}


def disk_fault(error: OSError) -> ProjectError | None:
    """A full disk, an exhausted quota, a file-size limit, a read-only file system or a refused
    permission; None for others."""
    if error.errno == errno.ENAMETOOLONG:  # a name past the file system's 255 bytes, or a path past its 4096
        named = error.filename if isinstance(error.filename, str) else ""
        shown = f" ({named[:40]}…)" if named else ""
        return ProjectError(f"a file name or path is longer than the file system allows{shown}", "give a shorter one")
    reason = _DISK_REASONS.get(error.errno or 0)
    if reason is None:
        return None
    refused = error.errno in (errno.EACCES, errno.EPERM)
    if refused and error.filename and _cannot_read(error.filename):
        return ProjectError(f"could not read {error.filename}: {reason}", "check who may read that file or folder")
    where = f"could not write {error.filename}: " if error.filename else ""
    if error.errno == errno.EROFS:
        return ProjectError(where + reason, "commands that only read still work; copy the project somewhere writable to change it")
    if refused:
        return ProjectError(where + reason, "check who may write to that file or folder")
    return ProjectError(where + reason, "free some space and try again")


def _cannot_read(filename: str | bytes | int) -> bool:
    """Whether a file or folder that exists is refused for reading, tried as reading it would: a
    refused permission is a failed read as often as a failed write, and the fix differs."""
    if isinstance(filename, int):
        return False
    try:
        if os.path.isdir(filename):
            os.listdir(filename)
        else:
            os.close(os.open(filename, os.O_RDONLY | os.O_NONBLOCK))  # non-blocking: a pipe would wait for a writer
    except PermissionError:
        return True
    except OSError:
        return False
    return False


def database_fault(error: BaseException, database: Path | None = None) -> ProjectError | None:
    """SQLite's faults (busy, full, read-only, damaged, unreadable) as a ProjectError; None for others.

    `error` is a sqlite3 error or SQLAlchemy's wrapper of one. Constraint violations and other
    errors that mean a bug or a race the caller handles are not faults and give None.
    """
    original = getattr(error, "orig", None) or error
    if not isinstance(original, sqlite3.Error) or isinstance(original, sqlite3.IntegrityError):
        return None
    name = getattr(original, "sqlite_errorname", "") or ""
    text = str(original).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return ProjectError(
            f"the project is busy: another qualcode command has been writing to it for more than "
            f"{BUSY_TIMEOUT_SECONDS} seconds, so nothing was changed",
            "try again when it is done",
        )
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return ProjectError("the disk is full, so nothing was changed in the project", "free some space and try again")
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return read_only_error(database)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        return damaged_error(database, "is damaged")
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        # SQLite reports a full disk as SQLITE_FULL only when the system says ENOSPC; a quota or a
        # file-size limit comes back as a failed write.
        reading = name.startswith(("SQLITE_IOERR_READ", "SQLITE_IOERR_SHORT_READ"))
        return ProjectError(
            ("the disk could not be read" if reading else "the disk could not be written to (it may be full)")
            + ", so nothing was changed in the project",
            "check that the disk has free space and is not failing, then try again",
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database" in text:
        where = f" {database}" if database is not None else ""
        return ProjectError(f"cannot open the project database{where}", "check that it and its folder exist and can be read")
    return None


def why_not_writable(database: Path) -> str | None:
    """Why the project cannot be changed (read-only disk, file or folder), or None if it can."""
    try:
        read_only_mount = bool(os.statvfs(database).f_flag & os.ST_RDONLY)
    except OSError:
        read_only_mount = False
    if read_only_mount:
        return "it is on a read-only file system"
    if not os.access(database, os.W_OK):
        return f"{database.name} cannot be written"
    if not os.access(database.parent, os.W_OK | os.X_OK):
        return f"its folder {database.parent.name} cannot be written"
    return None


def read_only_error(database: Path | None, reason: str | None = None, *, needs_upgrade: bool = False) -> ProjectError:
    """The project cannot be written; `needs_upgrade` where it cannot be read either until it is upgraded,
    so the hint does not send the researcher to the commands that only read, which were just refused."""
    root = f" {database.parent.parent}" if database is not None else ""
    if needs_upgrade:
        return ProjectError(
            f"the project{root} is read-only" + (f": {reason}" if reason else "")
            + ", and it needs an upgrade to be read by this version of qualcode",
            "copy the project to a folder you can write to and open the copy, which is upgraded there "
            "(the original stays as it is), or make the project writable",
        )
    return ProjectError(
        f"the project{root} is read-only" + (f": {reason}" if reason else ""),
        "commands that only read (status, search, history, lists) still work; "
        "to change it, copy the project to a folder you can write to",
    )


def damaged_error(database: Path | None, what: str) -> ProjectError:
    """The database cannot be used; the hint names the newest backup to restore."""
    from qualcode.store.backups import restore_hint

    if database is None:
        return ProjectError(f"the project database {what}", "restore a backup: `qualcode backup list`")
    return ProjectError(f"the project database {database} {what}", restore_hint(database.parent / "backups"))


# The project databases this process opened: looked at when a command fails as no bug of its own would.
_OPENED: list[Path] = []


def note_opened(database: Path) -> None:
    """Remember that this process opened `database` (damage_behind looks at it after a failure)."""
    if database not in _OPENED:
        _OPENED.append(database)


def damage_behind() -> ProjectError | None:
    """Damage inside a database this process opened, as a ProjectError, or None: a page overwritten
    in the middle of a table is read by SQLite without complaint, its rows gone or out of order, and
    a command then failed with a traceback ("a coding with no code"). SQLite's quick check, which reads
    the whole file, runs only after such a failure."""
    for database in _OPENED:
        if not database.is_file():  # gone since (a test's, a project moved away)
            continue
        try:
            with closing(sqlite3.connect(f"file:{quote(str(database))}?mode=ro", uri=True)) as connection:
                found = [row[0] for row in connection.execute("PRAGMA quick_check")]
        except sqlite3.DatabaseError:
            return damaged_error(database, "is damaged")
        if found != ["ok"]:
            return damaged_error(database, "is damaged (SQLite's check of it fails)")
    return None
