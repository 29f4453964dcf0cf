"""Numbers an excerpt leaves without the words that told the import what they are.

The import reads a number with the words around it: "kr 41 234 567" is an amount, and stays in the
text. A quote coded from right after "kr " begins "41 234 567 i erstatning", which the leak check,
reading the export alone, takes for a telephone number: every export of it was refused. Such a find
is read again where it stands in the project's texts, as the import reads it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.leakcheck import Leak
from qualcode.anonymise.patterns import find_patterns
from qualcode.store.models import TextVersion, Transcript

# The words read on either side of a number: more than any rule of the patterns looks back or ahead
# ("født den", "ring meg på", "kr", a street before a postcode).
AROUND = 200


def cleared_in_project(session: Session) -> Callable[[Leak], bool]:
    """Whether a pattern the leak check found stands in the project's current texts, and at none of
    its places there do the import's rules, reading the words around it, find an identifier. A name
    from the key is never cleared, nor a number the texts do not hold (a typed title, a file from
    elsewhere): only what the import itself kept."""
    judged: dict[str, bool] = {}

    def cleared(leak: Leak) -> bool:
        if leak.known:
            return False
        if leak.found not in judged:
            texts = session.scalars(
                select(TextVersion.text).join(Transcript, Transcript.current_version_id == TextVersion.id)
                .where(TextVersion.text.contains(leak.found, autoescape=True))).all()
            places = [(text, at) for text in texts for at in _occurrences(text, leak.found)]
            judged[leak.found] = bool(places) and not any(_read_there(text, at, len(leak.found)) for text, at in places)
        return judged[leak.found]

    return cleared


def _occurrences(text: str, found: str) -> list[int]:
    places, at = [], text.find(found)
    while at >= 0:
        places.append(at)
        at = text.find(found, at + 1)
    return places


def _read_there(text: str, at: int, length: int) -> bool:
    """Whether the import's rules find an identifier over text[at:at + length], read with its surroundings."""
    begin = max(0, at - AROUND)
    window, start = text[begin:at + length + AROUND], at - begin
    return any(found.start < start + length and start < found.end for found in find_patterns(window))
