"""Numbers a quote's cut leaves without the words that told the import what they are.

The import reads a number with the words around it: "kr 41 234 567" is an amount, and stays in the
text. A quote coded from right after "kr " begins "41 234 567 i erstatning", which the leak guard,
reading the export alone, takes for a telephone number, and so refused every export of it. The
guard's find is cleared only where the stored text, read as the import reads it, holds nothing there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.leakcheck import Leak
from qualcode.anonymise.patterns import find_patterns
from qualcode.coding.passages import Quote
from qualcode.store.models import TextVersion, Transcript

# The words read on either side of a number: more than any rule of the patterns looks back or ahead
# ("født den", "ring meg på", "kr", a street before a postcode).
AROUND = 200


def cleared_in_context(session: Session, quotes: Sequence[Quote]) -> Callable[[Leak], bool]:
    """Whether a pattern the guard found in an export of `quotes` stands only inside the quotes, at
    places where the stored text around it holds no identifier. A name from the key is never cleared,
    and a pattern in no quote (a typed title, a memo) is refused as before."""
    texts: dict[str, str] = {}

    def stored(transcript: str) -> str:
        if transcript not in texts:
            texts[transcript] = session.scalar(
                select(TextVersion.text).join(Transcript, Transcript.current_version_id == TextVersion.id)
                .where(Transcript.name == transcript)) or ""
        return texts[transcript]

    def cleared(leak: Leak) -> bool:
        if leak.known:
            return False
        # A quote whose excerpt is not where it says in the current text (one anchored to an older
        # version) cannot be read in its context, and clears nothing.
        places = [(stored(quote.transcript), quote.start + at) for quote in quotes
                  if stored(quote.transcript)[quote.start:quote.end] == quote.excerpt
                  for at in _occurrences(quote.excerpt, leak.found)]
        return bool(places) and not any(_read_there(text, at, len(leak.found)) for text, at in places)

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
