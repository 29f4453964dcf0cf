"""A file another program changes while it is imported: refused, never stored under another's hash."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.errors import ImportFailed
from qualcode.importers.document import ParsedDocument
from qualcode.importers.readers import READERS, Reader
from qualcode.importers.service import ImportOptions, import_file
from qualcode.importers.text_file import read_text_file
from qualcode.store.models import Transcript

FIRST = "I: Hvordan var det første gang?\nD1: Det var tungt.\nI: Ok.\nD1: Ja.\n"
CORRECTED = "I: Hvordan var det første gang?\nD1: Det var tungt, men greit. Og så fikk jeg jobb!\nI: Ok.\nD1: Ja.\n"


def test_a_file_changed_while_it_is_read_is_refused_and_imports_as_it_is_afterwards(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It was stored as read under the hash of what it became: the file as corrected was then
    "already present", even with --replace."""
    path = tmp_path / "samtale.txt"
    path.write_text(FIRST, encoding="utf-8")

    def read_then_saved_by_another(path: Path, *, encoding: str | None, marker: re.Pattern[str] | None) -> ParsedDocument:
        document = read_text_file(path, encoding=encoding, marker=marker)
        path.write_text(CORRECTED, encoding="utf-8")  # a sync client finishes writing the corrected version now
        return document

    with monkeypatch.context() as patched:
        patched.setitem(READERS, ".txt", Reader(read_then_saved_by_another, whole_text=True))
        with pytest.raises(ImportFailed, match="samtale.txt changed while it was being read"):
            import_file(session, path, key=PseudonymKey("test"))
    assert session.scalar(select(func.count()).select_from(Transcript)) == 0
    imported = import_file(session, path, ImportOptions(replace=True), key=PseudonymKey("test"))
    transcript = session.scalar(select(Transcript).where(Transcript.name == imported.name))
    assert transcript is not None and transcript.current_version is not None
    assert transcript.current_version.text == CORRECTED
