"""Speaker labels that name a role, not a person, and whose side of the interview a label is."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Labels that mark the interviewer side of a conversation, in bokmål and nynorsk ("Intervjuar", "Forskar").
INTERVIEWER_LABELS = frozenset({
    "i", "int", "intervjuer", "intervjuar", "interviewer", "forsker", "forskar", "f", "moderator", "m",
    "medforsker", "medforskar", "mf",
})
ROLE_LABELS = INTERVIEWER_LABELS | {
    "deltaker", "deltakar", "d", "veileder", "rettleiar", "v", "leder", "leiar", "l", "informant"}
# A role label told apart by a number or a letter when two people share the role ("Intervjuer 2", "Forsker A").
_NUMBERED = re.compile(r"(?P<label>\w+)\.? +(?:\d+|[^\W\d_])")


def is_interviewer(label: str | None, interviewer: str | None = None, interviewer_speakers: Iterable[str] = ()) -> bool:
    """Whether a speaker label is the interviewer's side of a transcript: a role label (I, Intervjuer,
    Forsker …), the transcript's interviewer, or one of the labels its import found to be theirs
    (`interviewer_speakers`: a Teams voice such as "Eirik Vold" a `speakers:` map names the interviewer).

    Every part that asks whose a turn is (import, exports, withdrawal, .qdpx) asks here, so a named
    interviewer's questions are never an informant's words in one place and the interviewer's in another.
    """
    folded = (label or "").strip().casefold()
    if not folded:
        return False
    # "Forsker 1:" and "Forskar A:" were the participant's turns in an individual interview, their questions
    # counted and quoted as the participant's words, while "Deltaker 2:" was already a role label.
    numbered = _NUMBERED.fullmatch(folded)
    return (folded in INTERVIEWER_LABELS or (numbered is not None and numbered["label"] in INTERVIEWER_LABELS)
            or folded == (interviewer or "").strip().casefold()
            or any(folded == speaker.strip().casefold() for speaker in interviewer_speakers))


def is_known_label(label: str) -> bool:
    """Whether a speaker label names a role ("I", "Deltaker 2", "Int.") or a participant's id ("D5", "d1"),
    not a person: such a label is a speaker however it is written, and names no one."""
    first = label.split(" ")[0].lower().rstrip(".")
    return first in ROLE_LABELS or bool(re.fullmatch(r"[a-zæøå]{1,2}\d+", label.lower().rstrip(".")))
