"""Finding codes, transcripts, participants and coders by what a person calls them, and line numbers in a text."""

from __future__ import annotations

import difflib
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import Ambiguous, NotFound, WithdrewConsent
from qualcode.store.models import Code, Coder, Participant, TextVersion, Transcript
from qualcode.store.project import NOT_AS_STORED_EITHER, AsStored, found_as_stored
from qualcode.store.project import as_stored as looked_up
from qualcode.store.withdrawals import withdrawn_as

Named = TypeVar("Named", Transcript, Participant, Code, Coder)


def resolve(
    session: Session, model: type[Named], ref: str, *, kind: str, names: Sequence[str], hint: str,
    fallback: Callable[[str], Named | None] | None = None, choose: str = "write the name exactly as listed",
    as_stored: bool = True,
) -> Named:
    """The one `model` row `ref` names, found the same way for codes, transcripts and participants:
    an exact name, then a unique case-insensitive one (Python's casefold, so Æ, Ø and Å fold too;
    SQLite's lower() only folds ASCII), then `fallback(ref)`, then an id, then a GUID. Two or more
    case-insensitive matches are refused with the candidates listed, never settled by taking one.
    `ref` is read as names are stored: composed (NFC), so a decomposed "å" typed on some systems
    finds "måltall-press".

    Where none is found, `ref` is looked for again as the project stores what is typed, the names
    the key holds replaced by their pseudonyms (typed_as_stored, with the key at hand): a code
    created as "støtte fra Hilde" is stored under her pseudonym, and typing it as it was created
    finds it. What is not found either way is said as typed, as other lookups say it.
    Not `as_stored`: as typed only (whether what was typed names the row itself)."""
    ref = unicodedata.normalize("NFC", ref)
    found = _named(session, model, ref, kind=kind, names=names, fallback=fallback, choose=choose)
    if found is not None:
        return found
    stored = looked_up(session, ref) if as_stored else AsStored(ref)
    if stored.text == ref:
        raise NotFound(f"no {kind} {ref!r} in this project", hint)
    found = _named(session, model, stored.text, kind=kind, names=names, fallback=fallback, choose=choose)
    if found is None:
        raise NotFound(f"no {kind} {ref!r} in this project, {NOT_AS_STORED_EITHER}", hint)
    found_as_stored(session, stored, "name")  # "støtte fra NAV Horten" finds the code made as "støtte fra NAV Tønsberg" too
    return found


def _named(
    session: Session, model: type[Named], ref: str, *, kind: str, names: Sequence[str],
    fallback: Callable[[str], Named | None] | None, choose: str,
) -> Named | None:
    """The one row `ref` names as resolve() reads it, or None."""
    candidates: list[Named] = []
    for name in names:  # earlier names win: a code's exact path before another code's name
        candidates = list(session.scalars(select(model).where(getattr(model, name) == ref).order_by(model.id)))
        if candidates:
            break
    if not candidates:
        folded = ref.casefold()
        candidates = [
            row for row in session.scalars(select(model).order_by(model.id))
            if any((getattr(row, name) or "").casefold() == folded for name in names)
        ]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        shown = ", ".join(getattr(row, names[0]) for row in candidates)
        raise Ambiguous(f"{kind} {ref!r} could be any of {shown}", choose)
    found = fallback(ref) if fallback is not None else None
    if found is None and ref.isdigit():
        found = session.get(model, int(ref))
    if found is None:
        found = session.scalar(select(model).where(model.guid == ref))
    return found


def find_transcript(session: Session, ref: str) -> Transcript:
    """A transcript by its short name, its id or its GUID; one not found names the likeliest meant."""
    try:
        return resolve(session, Transcript, ref, kind="transcript", names=("name",), hint="list them with `qualcode transcripts list`")
    except NotFound as missing:
        raise _nearest(session, Transcript, ref, missing) from None


def find_participant(session: Session, ref: str) -> Participant:
    """A participant by their pseudonymous name, id or GUID; one not found names the likeliest meant,
    and one who withdrew consent is said to have ("no participant 'D1'" sent a researcher looking for a typo)."""
    try:
        return resolve(session, Participant, ref, kind="participant", names=("name",), hint="list them with `qualcode participants list`")
    except NotFound as missing:
        withdrawn = withdrawn_as(session, ref)
        if withdrawn is not None:
            raise WithdrewConsent(withdrawn) from None
        raise _nearest(session, Participant, ref, missing) from None


def _nearest(session: Session, model: type[Transcript] | type[Participant], ref: str, missing: NotFound) -> NotFound:
    """`missing`, its hint led by the name most like `ref` ("did you mean ..."), as a filter's unknown value is told."""
    by_folded = {name.casefold(): name for name in session.scalars(select(model.name).order_by(model.name))}
    close = _likeliest(ref.casefold(), list(by_folded))
    if close is None:
        return missing
    return NotFound(missing.message, f"did you mean {by_folded[close]!r}? {missing.hint}")


def _likeliest(typed: str, names: list[str]) -> str | None:
    """The name most like `typed` (as difflib's close matches, 0.75 alike at least); of names as alike,
    the one with its numbers: they tell informants and rounds apart, so "deltaker_D1_T1" typed for the
    nynorsk "deltakar_D1_T1" is not "deltaker_D4_T1", which difflib ranks alike and named, the larger string."""
    scored = [(difflib.SequenceMatcher(None, name, typed).ratio(), name) for name in names]
    close = [(score, name) for score, name in scored if score >= 0.75]
    if not close:
        return None
    best = max(score for score, _ in close)
    numbers = re.findall(r"\d+", typed)
    alike = sorted((name for score, name in close if score == best), reverse=True)
    return next((name for name in alike if re.findall(r"\d+", name) == numbers), alike[0])


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
