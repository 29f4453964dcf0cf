"""A transcript's wave, its round of interviews: how it is written (T1, upper-cased) and which of the
project's rounds it is. Every path that stores a wave comes through here: the importers, `transcripts
edit`, the terminal UI's forms, a .qdpx, and undo and redo, which put a wave back."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput
from qualcode.store.models import Transcript

# A round of interviews: letters then a number (T1, T2, R3), as the importers' examples write it;
# ASCII digits only, so that a look-alike (T١) is never a round of its own beside T1.
WAVE = re.compile(r"[A-Za-zÆØÅæøå]*[0-9]{1,3}")


def check_wave(value: str) -> str:
    """A wave such as T1, upper-cased (t2 and T2 are one round in every table); anything else is refused.
    Full-width forms (T１, from an East Asian keyboard) are read as what they look like."""
    wave = unicodedata.normalize("NFKC", value).strip()
    if not WAVE.fullmatch(wave):
        raise InvalidInput(f"wave {value!r} is not a round such as T1 or T2", "write letters then a number, as T1, T2, R3")
    return wave.upper()


def project_wave(session: Session, value: str, *, besides: int | None = None) -> str:
    """A wave as check_wave spells it, and as one of this project's rounds: every path that stores a
    wave (an import's front matter, sidecar or --wave, `transcripts edit`, the TUI's forms, a .qdpx)
    comes through here. A wave with the number of a stored wave where one of the two has no letters
    (1 beside T1, T1 beside 1), or both the same letters (T01 beside T1), is refused, naming the
    project's round: stored, it was a round of its own in every table. Different letters with the
    same number (R1 beside T1) are rounds of their own. `besides`: the transcript being changed, whose own wave is no other round."""
    wave = check_wave(value)
    # Each round with its transcripts, by the wave's index: a .qdpx of many sources asks once a source.
    counts = {round_: number for round_, number in session.execute(
        select(Transcript.wave, func.count()).where(Transcript.wave.is_not(None)).group_by(Transcript.wave)) if round_}
    own = session.scalar(select(Transcript.wave).where(Transcript.id == besides)) if besides is not None else None
    stored = {round_ for round_, number in counts.items() if number > (round_ == own)}
    if wave in stored:
        return wave
    letters, number = _round_parts(wave)
    clashes = sorted(
        (round_ for round_ in stored if (parts := _round_parts(round_))[1] == number and number is not None
         and (not (letters and parts[0]) or letters == parts[0])),
        key=round_order,
    )
    if not clashes:
        return wave
    rounds = sorted(counts, key=round_order)
    shown = ", ".join(rounds[:SHOWN_ROUNDS]) + (f", … ({len(rounds)} in all)" if len(rounds) > SHOWN_ROUNDS else "")
    hint = f"write {' or '.join(clashes)}, the round as this project writes it"
    if letters and not any(_round_parts(clash)[0] for clash in clashes):
        # T1 typed where the project says 1: the way to rename the round is to clear it first.
        hint += (f"; to name round {clashes[0]} {wave} instead, first clear the wave of each of its transcripts"
                 " (`qualcode transcripts edit NAME --wave ''`)")
    raise InvalidInput(f"wave {value!r} is not one of this project's rounds ({shown})", hint)


SHOWN_ROUNDS = 12  # rounds listed in a refusal before "… (N in all)"


def _round_parts(wave: str) -> tuple[str, int | None]:
    """A stored wave's letters and number (T12: T and 12); no number for one that is no round such as
    T1 (stored by an older version, or from a .qdpx)."""
    match = re.fullmatch(r"(\D*?)0*(\d{1,3})", wave)
    if match is None or not WAVE.fullmatch(wave):
        return wave, None
    return match[1], int(match[2])


def round_order(wave: str) -> tuple[str, int]:
    """A round's place among the rounds: T2 before T10."""
    letters, number = _round_parts(wave)
    return letters, -1 if number is None else number
