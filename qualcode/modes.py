"""The permissions a written file gets: what the person's umask gives a new file, as any program's
would, and an overwritten file's own. A temporary file renamed into place (every export, table and
workbook is written so) has mkstemp's owner-only mode, which colleagues on a shared drive could not
read."""

from __future__ import annotations

import re
import stat
from pathlib import Path

# An export's temporary file, before it is renamed into place: "." and the target's name, mkstemp's
# eight random letters, digits or underscores, and this suffix.
TEMPORARY_SUFFIX = ".qualcode.tmp"
TEMPORARY_NAME = re.compile(r"^\.(?P<target>.+)\.[a-z0-9_]{8}" + re.escape(TEMPORARY_SUFFIX) + "$")


def temporary_target(name: str) -> str | None:
    """The name of the file a temporary of that `name` was being written for, or None if it is none."""
    found = TEMPORARY_NAME.match(name)
    return found["target"] if found else None


def mode_for(target: Path) -> int:
    """Keep an overwritten file's permissions; a new file gets what the umask gives (mkstemp's are owner-only)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it (os.umask would, for every thread)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022
