"""Finding transcripts and participants by short name, id or GUID, and line numbers in a text."""

from __future__ import annotations

import re
from bisect import bisect_right

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.errors import Ambiguous, NotFound
from qualcode.store.models import Participant, TextVersion, Transcript


def find_transcript(session: Session, ref: str) -> Transcript:
    """A transcript by its short name (case-insensitive if unique), its id or its GUID."""
    transcript = session.scalar(select(Transcript).where(Transcript.name == ref))
    if transcript is not None:
        return transcript
    matches = list(session.scalars(select(Transcript).where(func.lower(Transcript.name) == ref.lower())))
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise Ambiguous(f"transcript name {ref!r} matches " + ", ".join(t.name for t in matches), "use the exact name")
    if ref.isdigit():
        transcript = session.get(Transcript, int(ref))
        if transcript is not None:
            return transcript
    transcript = session.scalar(select(Transcript).where(Transcript.guid == ref))
    if transcript is not None:
        return transcript
    raise NotFound(f"no transcript {ref!r} in this project", "list them with `qualcode transcripts list`")


def find_participant(session: Session, ref: str) -> Participant:
    participant = session.scalar(select(Participant).where(Participant.name == ref))
    if participant is None:
        participant = session.scalar(select(Participant).where(func.lower(Participant.name) == ref.lower()))
    if participant is None and ref.isdigit():
        participant = session.get(Participant, int(ref))
    if participant is None:
        raise NotFound(f"no participant {ref!r} in this project", "list them with `qualcode participants list`")
    return participant


def current_text(transcript: Transcript) -> TextVersion:
    version = transcript.current_version
    assert version is not None, "every imported transcript has a text version"
    return version


class LineIndex:
    """Line numbers (1-based) for offsets in one text."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect_right(self.starts, offset)
