"""Speaker labels that name a role, not a person, and whose side of the interview a label is."""

from __future__ import annotations

from collections.abc import Iterable

# Labels that mark the interviewer side of a conversation.
INTERVIEWER_LABELS = frozenset(
    {"i", "int", "intervjuer", "interviewer", "forsker", "f", "moderator", "m", "medforsker", "mf"}
)
ROLE_LABELS = INTERVIEWER_LABELS | {"deltaker", "d", "veileder", "v", "leder", "l", "informant"}


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
    return (folded in INTERVIEWER_LABELS or folded == (interviewer or "").strip().casefold()
            or any(folded == speaker.strip().casefold() for speaker in interviewer_speakers))
