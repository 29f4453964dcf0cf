"""The permissions a written file gets: what the person's umask gives a new file, as any program's
would, and an overwritten file's own. A temporary file renamed into place (every export, table and
workbook is written so) has mkstemp's owner-only mode, which colleagues on a shared drive could not
read."""

from __future__ import annotations

import stat
from pathlib import Path


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
