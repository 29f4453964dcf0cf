"""YAML front matter at a text file's top: found after blank lines, refused when never closed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.importers.service import import_file


def test_front_matter_after_a_blank_line_is_metadata_and_one_never_closed_is_refused(session: Session, tmp_path: Path) -> None:
    """Both were stored as speech: "participant: D1" and "date: 2024-06-01" as the transcript's first lines."""
    from sqlalchemy import select

    from qualcode.errors import ImportFailed
    from qualcode.store.models import Transcript

    path = tmp_path / "samtale.txt"
    path.write_text("\n---\nparticipant: D1\nwave: T3\ndate: 2024-06-01\n---\nI: Hei?\nD1: Hei.\nI: Ok.\nD1: Ja.\n", encoding="utf-8")
    import_file(session, path, key=PseudonymKey("test"))
    transcript = session.scalar(select(Transcript).where(Transcript.name == "samtale"))
    assert transcript is not None and transcript.current_version is not None
    assert (transcript.wave, str(transcript.interview_date)) == ("T3", "2024-06-01")
    assert transcript.current_version.text == "I: Hei?\nD1: Hei.\nI: Ok.\nD1: Ja.\n"
    unclosed = tmp_path / "uavsluttet.txt"
    unclosed.write_text("---\nparticipant: D1\nwave: T3\nI: Hei?\nD1: Hei.\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="the front matter opened by --- on line 1 is never closed"):
        import_file(session, unclosed, key=PseudonymKey("test"))
    ruled = tmp_path / "strek.txt"  # a rule above the first turn is no front matter
    ruled.write_text("---\nI: Hei?\nD1: Hei.\n", encoding="utf-8")
    import_file(session, ruled, key=PseudonymKey("test"))


def test_rules_drawn_in_a_text_after_blank_lines_are_speech(session: Session, tmp_path: Path) -> None:
    """Front matter may come after blank lines, but two rules of --- around turns there are the text's
    own: such a file was refused ("unknown metadata key 'D1'")."""
    from sqlalchemy import select

    from qualcode.store.models import Transcript

    path = tmp_path / "streker.txt"
    path.write_text("\n---\nI: Hei, velkommen.\nD1: Takk.\n---\nI: Hvordan går det?\nD1: Bra.\n", encoding="utf-8")
    import_file(session, path, key=PseudonymKey("test"))
    transcript = session.scalar(select(Transcript).where(Transcript.name == "streker"))
    assert transcript is not None and transcript.current_version is not None
    assert "I: Hei, velkommen." in transcript.current_version.text and "I: Hvordan går det?" in transcript.current_version.text
