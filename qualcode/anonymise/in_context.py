"""Numbers an excerpt leaves without the words that told the import what they are.

The import reads a number with the words around it: "kr 41 234 567" is an amount, and stays in the
text. A quote coded from right after "kr " begins "41 234 567 i erstatning", which the leak check,
reading the export alone, takes for a telephone number: every export of it was refused. Such a find
is read again where it stands in the project's texts, as the import reads it, where the file's own
words around it are the text's words there: the same number in a file's own words ("Kari: 41 234
567", a note from elsewhere) is read as the file says it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.leakcheck import Leak
from qualcode.anonymise.patterns import find_patterns
from qualcode.store.models import TextVersion, Transcript

# The words read on either side of a number: more than any rule of the patterns looks back or ahead
# ("født den", "ring meg på", "kr", a street before a postcode).
AROUND = 200
# The characters beside a number, on one side, a file must hold as the text holds them there for the
# number to be read as the text reads it: a quote cut right after "kr " goes on with the text's
# words ("41 234 567 i erstatning"), and a file that says the number in its own words does not.
AGREE = 8


def cleared_in_project(session: Session) -> Callable[[Leak], bool]:
    """Whether a pattern the leak check found stands in the project's current texts, and at none of
    its places there do the import's rules, reading the words around it, find an identifier; and a profile's
    user name that is one of the project's transcripts' names, qualcode's own label. A name
    from the key is never cleared, nor a number the texts do not hold (a typed title, a file from
    elsewhere), nor one the file says in words of its own: only what the import itself kept, where
    the file quotes the text around it (AGREE)."""
    places_of: dict[str, list[tuple[str, int]]] = {}  # each number found, at its places, when the import read none there
    transcript_names: set[str] = set()

    def cleared(leak: Leak) -> bool:
        if leak.known:
            return False
        if leak.kind == "profile" and (_OWN_LABEL_SHAPE.fullmatch(leak.found) is not None):
            # A transcript's name is qualcode's own label (an export's source column, a report's attribution), as
            # the import cleaned it: "d7_runde2" beside a quote that says "Snap" is no user name.
            if not transcript_names:
                transcript_names.update(session.scalars(select(Transcript.name)).all())
            if leak.found in transcript_names:
                return True
        if leak.found not in places_of:
            texts = session.scalars(
                select(TextVersion.text).join(Transcript, Transcript.current_version_id == TextVersion.id)
                .where(TextVersion.text.contains(leak.found, autoescape=True))).all()
            places = [(text, at) for text in texts for at in _occurrences(text, leak.found)]
            read = any(_read_there(text, at, len(leak.found)) for text, at in places)
            places_of[leak.found] = [] if read else places
        return any(_quoted_there(leak, text, at) for text, at in places_of[leak.found])

    return cleared


# A profile's find that may be a transcript's name: a user name (patterns.USER_NAME), whose name it is read as.
_OWN_LABEL_SHAPE = re.compile(r"[^\W\d_][\w.-]*")


def _occurrences(text: str, found: str) -> list[int]:
    """Where `found` stands in `text` as a number of its own: not the tail or head of a longer one
    ("41 234 567" in "kr 141 234 567" is no amount the text holds)."""
    places, at = [], text.find(found)
    while at >= 0:
        end = at + len(found)
        if not (text[at - 1:at].isdigit() or text[end:end + 1].isdigit()):
            places.append(at)
        at = text.find(found, at + 1)
    return places


def _read_there(text: str, at: int, length: int) -> bool:
    """Whether the import's rules find an identifier over text[at:at + length], read with its surroundings."""
    begin = max(0, at - AROUND)
    window, start = text[begin:at + length + AROUND], at - begin
    return any(found.start < start + length and start < found.end for found in find_patterns(window))


def _spaced(text: str) -> str:
    """`text` with each run of white space one space, as a leak's context is written."""
    return re.sub(r"\s+", " ", text)


def _quoted_there(leak: Leak, text: str, at: int) -> bool:
    """Whether the file's words beside the number (its context) are the text's at `at`, for AGREE
    characters on one side, or on that side as far as the text goes, and on the other side too unless
    the file cuts the number off there (Leak.cut). A number the file says in words of its own
    ("Kari: 41 234 567", "mobil: 41 234 567 i erstatning") is read as the file says it, whatever the text holds."""
    found = _spaced(leak.found)
    if leak.at < 0 or not leak.context.startswith(found, leak.at):
        return False  # no place given in the context: read as the file alone reads it
    before, after = _spaced(text[max(0, at - AROUND):at]), _spaced(text[at + len(leak.found):at + len(leak.found) + AROUND])
    shown_before, shown_after = leak.context[:leak.at], leak.context[leak.at + len(found):]
    same_before = len(_common_prefix(shown_before[::-1], before[::-1]))
    same_after = len(_common_prefix(shown_after, after))
    # A side the text ends on within AGREE characters agrees as far as it goes; one with nothing agrees with nothing.
    agree_before, agree_after = 0 < same_before >= min(AGREE, len(before)), 0 < same_after >= min(AGREE, len(after))
    # The other side is the quote's cut, or words of the file's own: "mobil: 41 234 567 i erstatning"
    # quotes the text after the number, and says before it what the number is.
    return (agree_before or "before" in leak.cut) and (agree_after or "after" in leak.cut) and (agree_before or agree_after)


def _common_prefix(one: str, other: str) -> str:
    length = 0
    while length < min(len(one), len(other)) and one[length] == other[length]:
        length += 1
    return one[:length]
