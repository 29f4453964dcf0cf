"""Publishing an export: check its bytes, write them to a temporary file beside the target, rename it into place.

Every exporter publishes through `publish`, so a file in exports/ is always either the previous
one or a new one that passed the leak check, whatever happens in between:

- the check (the leak guard) reads the export's bytes before any of them reach the disk, so a
  refused export is never written anywhere, not even to a temporary file;
- the temporary file is made by `tempfile.mkstemp` in the target's folder: an unpredictable name
  (`.rapport-2026-12-01.docx.k2j4x9_a.qualcode.tmp`), created with O_EXCL, so a symbolic link
  planted there is never followed; it is written through its open handle, never reopened by name,
  synced, and only then does one `os.replace` put it at the target;
- on any failure, refusal, KeyboardInterrupt, SIGTERM or SIGHUP the temporary file is removed and
  the target is left exactly as it was (for the signals: after cleaning up, the process ends by the
  same signal, as it would have without us);
- a target that is itself a symbolic link is refused, even with --force: writing through it would
  publish outside the folder the researcher chose, and replacing it would silently break their link;
- a SIGKILL or power cut can leave only a temporary file, holding bytes that passed the check; it
  is not an export (its name says so), it is locked (flock) while its writer lives, and the next
  export to that folder removes those whose writer is gone;
- with `overwrite=False` the temporary file is hard-linked to the target, which fails if anything
  holds that name, even a file made a moment ago by another export; two exports can never both
  take one new name. Where the file system has no hard links (FAT, exFAT, some network shares)
  the name is claimed by an exclusive create of an empty file that the rename then replaces; a
  SIGKILL in between can leave that empty file.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from qualcode.errors import InvalidInput, WriteFailed
from qualcode.modes import TEMPORARY_NAME, TEMPORARY_SUFFIX, mode_for

try:
    import fcntl
except ImportError:  # not on Windows: stale temporaries are then left for the researcher to remove
    fcntl = None  # type: ignore[assignment]

INTERRUPTING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
DISK_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}


class TargetExists(InvalidInput):
    """The file to publish to exists and must not be overwritten; nothing was written."""

    def __init__(self, target: Path) -> None:
        super().__init__(f"{target} exists", "pass --force to overwrite it, or give another file name")
        self.target = target


class Interrupted(BaseException):
    """SIGTERM or SIGHUP arrived while an export was being written; raised so the cleanup runs."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number


def publish(target: Path, data: bytes, check: Callable[[bytes], None] | None = None, *, overwrite: bool = True) -> list[str]:
    """Write `data` to `target` if `check` lets it pass; return the names of stale temporaries removed.

    `check` raises to refuse. Nothing is left behind on failure, and the previous target is untouched.
    With `overwrite=False` a target that exists, or appears meanwhile, raises TargetExists.
    """
    folder = target.parent
    if check is not None:
        check(data)
    if not overwrite and os.path.lexists(target):
        raise TargetExists(target)
    _refuse_odd_target(target)
    stale = remove_stale_temporaries(folder)
    with _signals_raise():
        temporary: Path | None = None
        handle: IO[bytes] | None = None
        published = False
        try:
            with _signals_blocked():  # so no signal falls between creating the file and knowing its name
                temporary, handle = _create_temporary(target)
            try:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
                os.fchmod(handle.fileno(), mode_for(target))
                if overwrite:
                    os.replace(temporary, target)
                else:
                    _place_new(temporary, target)
            except OSError as error:
                raise _write_failed(target, error) from None
            published = True
            _sync_folder(folder)
        finally:
            if temporary is not None and not published:
                with suppress(OSError):
                    temporary.unlink()
            if handle is not None:
                with suppress(OSError):  # a flush that fails again on a full disk changes nothing now
                    handle.close()
    return stale


def remove_stale_temporaries(folder: Path) -> list[str]:
    """Remove temporaries in `folder` left by exports that were killed; a living writer's file is locked."""
    if fcntl is None:
        return []
    try:
        names = sorted(name for name in os.listdir(folder) if TEMPORARY_NAME.match(name))
    except OSError:
        return []
    removed = []
    for name in names:
        path = folder / name
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            opened = os.fstat(descriptor)
            if not stat.S_ISREG(opened.st_mode):
                continue
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # an export is writing it right now
            current = os.lstat(path)
            if (current.st_dev, current.st_ino) == (opened.st_dev, opened.st_ino):
                os.unlink(path)
                removed.append(name)
        except OSError:
            continue
        finally:
            os.close(descriptor)
    return removed


def _refuse_odd_target(target: Path) -> None:
    if not target.parent.is_dir():
        raise InvalidInput(f"no folder {target.parent} to write {target.name} in", "create the folder first, or give another path")
    try:
        info = target.lstat()
    except FileNotFoundError:
        return
    except OSError as error:
        raise _write_failed(target, error) from None
    if stat.S_ISLNK(info.st_mode):
        raise InvalidInput(
            f"{target} is a symbolic link; exports are never written through or over a link",
            "remove the link, or give the real file",
        )
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInput(f"{target} exists and is not a regular file", "give another file name")


def _place_new(temporary: Path, target: Path) -> None:
    """Give the temporary file the target's name only if that name is free, atomically."""
    try:
        os.link(temporary, target, follow_symlinks=False)
    except FileExistsError:
        raise TargetExists(target) from None
    except OSError as error:
        if error.errno not in NO_HARD_LINKS:
            raise
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600))
        except FileExistsError:
            raise TargetExists(target) from None
        try:
            os.replace(temporary, target)
        except OSError:
            with suppress(OSError):
                target.unlink()  # our own empty claim
            raise
        return
    with suppress(OSError):  # if this fails, the next export removes it as a stale temporary
        temporary.unlink()


# Another export's sweep for stale temporaries can take a file in the moment between its creation
# and its lock, and each export sweeps once: a file is lost at most once per export running beside
# it in the same folder. Three tries failed with eight at once on a loaded machine.
CREATE_TRIES = 64


def _create_temporary(target: Path) -> tuple[Path, IO[bytes]]:
    """A new, locked, empty file beside the target, with a name nobody can guess."""
    for _ in range(CREATE_TRIES):
        try:
            descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMPORARY_SUFFIX, dir=target.parent)
        except OSError as error:
            raise _write_failed(target, error) from None
        try:
            if fcntl is not None:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            created, named = os.fstat(descriptor), os.lstat(name)
            if (created.st_dev, created.st_ino) == (named.st_dev, named.st_ino):
                return Path(name), os.fdopen(descriptor, "w+b")
        except OSError:
            pass  # another export took it for stale between the two calls, which is harmless; make another
        os.close(descriptor)
    raise WriteFailed(f"could not create a temporary file for {target.name} in {target.parent}; nothing was changed")


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every system lets a folder be opened, so best effort."""
    with suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _write_failed(target: Path, error: OSError) -> WriteFailed:
    """Named by its whole path: "could not write x.csv" of /proc/x.csv did not say where it was written."""
    if error.errno in DISK_FULL:
        return WriteFailed(
            f"could not write {target}: the disk is full (or the file is over the size limit); nothing was changed",
            f"free some space in {target.parent} and export again",
        )
    return WriteFailed(f"could not write {target}: {error.strerror or error}; nothing was changed",
                       f"give a file in a folder you may write to; {target.parent} takes no files from you")


@contextmanager
def _signals_raise() -> Iterator[None]:
    """While writing, SIGTERM and SIGHUP raise Interrupted so the temporary file is removed first.

    Only where Python lets us (the main thread) and only for signals left at their default action
    (an ignored SIGHUP under nohup stays ignored). After the cleanup the signal is sent again with
    its old handler back, so the process ends as the sender meant.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for number in INTERRUPTING_SIGNALS:
        if signal.getsignal(number) is signal.SIG_DFL:
            previous[number] = signal.signal(number, _raise_interrupted)
    try:
        yield
    except Interrupted as interrupted:
        _restore(previous)
        previous = {}
        os.kill(os.getpid(), interrupted.signal_number)
        raise  # only reached if the old handler lets the process live
    finally:
        _restore(previous)


def _raise_interrupted(signal_number: int, frame: object) -> None:
    raise Interrupted(signal_number)


def _restore(previous: dict[int, Any]) -> None:
    for number, handler in previous.items():
        signal.signal(number, handler)


@contextmanager
def _signals_blocked() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP for a moment; they are delivered when it ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    blocked = {signal.SIGINT, *INTERRUPTING_SIGNALS}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
