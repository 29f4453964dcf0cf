"""qualcode's own exports, known by their bytes: the only files whose labels pass the leak check as labels.

A nickname that is also one of qualcode's labels ("Memo") passes the guard where an exporter writes
the label (anonymise.leakcheck). A file from disk may come from anywhere: a list of names whose first
line or a bold paragraph holds "Memo" or "Page" is laid out as an export's labels are, and copying an
export's layout is no harder. So what the guard let pass as a label is remembered by the digest of
the bytes it passed, and `qualcode leakcheck` reads a file's labels as labels only when the project
remembers that file, byte for byte.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from qualcode.store.settings import get_setting, set_setting

# One setting per export remembered: two exports at once each add their own, and neither rewrites the other's.
_SETTING = "own-export.sha256."


def export_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def remembering(session: Session) -> Callable[[bytes], None]:
    """Remember the bytes of an export the guard passed with a label of qualcode's own that is also a
    name in the key, or with pictures (the figures qualcode drew, which no text is read from). A project opened read-only remembers nothing: `qualcode leakcheck` then names the
    label as it names any name, which errs on the safe side."""

    def remember(data: bytes) -> None:
        try:
            with session.begin_nested():
                set_setting(session, _SETTING + export_digest(data), datetime.now(UTC).isoformat(timespec="seconds"))
        except (DBAPIError, sqlite3.Error):
            pass

    return remember


def is_own_export(session: Session, data: bytes) -> bool:
    """Whether `data` are the bytes of an export this project's guard passed with its labels (`remembering`)."""
    return get_setting(session, _SETTING + export_digest(data)) is not None
