"""Which characters another program counted a source's selection positions in.

REFI-QDA counts characters, but programs built on UTF-16 strings (.NET, Java, Qt, Cocoa) count
their units, in which an emoji or another letter beyond the Basic Multilingual Plane is two; and a
text written inline in project.qde with Windows line ends loses its carriage returns to the XML
parser, whether or not the program counted them; a program may also write a text file with Windows
line ends and count its positions as if each were one character. Where the readings differ, the positions
themselves tell: a reading that puts a position past the text's end or between the halves of a
letter is not the one; then a selection whose name is its words; then the reading whose
selections begin and end at words rather than inside them or on a space; for a text file, the
standard's reading, CRs and all, where one without them does no better. A source none of these
can tell about refuses the file, rather than coding words next to the ones the other program coded.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from qualcode.errors import UnreadableFile

if TYPE_CHECKING:
    from qualcode.exchange.qdpx_package import QdpxSource

CODE_POINTS = "characters"
UTF16_UNITS = "UTF-16 units (an emoji as two)"


@dataclass(frozen=True)
class Reading:
    """One way of counting a source's positions: in which text, and in which units."""

    unit: str
    text: str
    line_ends_kept: bool
    # For UTF-16 units: the unit offset of each letter that takes two; None when counting code points.
    pairs: list[int] | None = None

    def place(self, start: int, end: int) -> tuple[int, int] | None:
        """The selection's code point offsets in `text`, or None where it does not fit."""
        if self.pairs is not None:
            found_start, found_end = code_point_offset(self.pairs, start), code_point_offset(self.pairs, end)
            if found_start is None or found_end is None:
                return None
            start, end = found_start, found_end
        return (start, end) if 0 <= start < end <= len(self.text) else None

    def span(self, start: int, end: int, returns: list[int]) -> tuple[int, int] | None:
        """Where the selection lies in the text without its CRs (at `returns` in `text`), to compare readings by."""
        placed = self.place(start, end)
        if placed is None:
            return None
        return placed if not self.line_ends_kept else (placed[0] - bisect_left(returns, placed[0]), placed[1] - bisect_left(returns, placed[1]))


def surrogate_pairs(text: str) -> list[int]:
    """The UTF-16 unit offset of each letter of `text` that UTF-16 writes as two units."""
    return [index + count for count, index in enumerate(index for index, character in enumerate(text) if ord(character) > 0xFFFF)]


def code_point_offset(pairs: list[int], units: int) -> int | None:
    """The code point offset of UTF-16 offset `units`, given the text's `pairs`; None between a pair's halves."""
    before = bisect_left(pairs, units)  # letters of two units that start before it
    if before and pairs[before - 1] + 1 == units:
        return None
    return units - before


def _word_edges(text: str, start: int, end: int) -> int:
    """How many of a selection's two ends lie at a word's edge: not inside a word, not on a space."""
    inside = text[start:end]
    begins = not inside[0].isspace() and (start == 0 or not (text[start - 1].isalnum() and inside[0].isalnum()))
    ends = not inside[-1].isspace() and (end == len(text) or not (inside[-1].isalnum() and text[end].isalnum()))
    return int(begins) + int(ends)


def _named_words(text: str, name: str | None, start: int, end: int) -> bool:
    """Whether the selection's name is its words (or their beginning, as programs cut long names)."""
    wanted = " ".join((name or "").split())
    words = " ".join(text[start:end].split())
    return len(wanted) >= 4 and bool(words) and (words == wanted or (len(wanted) >= 20 and words.startswith(wanted.rstrip("…. "))))


def readings(source: QdpxSource) -> list[Reading]:
    """The ways `source`'s positions may have been counted, the standard's first."""
    texts = [(source.text, True)]
    # Written inline with CRs the XML parser would have dropped, or a file written with Windows line
    # ends from a text counted without them (QualCoder's export for MAXQDA, say).
    if "\r" in source.text:
        texts.append((re.sub(r"\r\n?", "\n", source.text), False))
    found = []
    for text, kept in texts:
        found.append(Reading(CODE_POINTS, text, kept))
        if any(ord(character) > 0xFFFF for character in text):
            found.append(Reading(UTF16_UNITS, text, kept, surrogate_pairs(text)))
    return found


def settle_positions(source: QdpxSource, file_name: str, inline: bool, problems: list[str]) -> Reading | None:
    """Read `source`'s selections in the way the other program counted them, as code points of
    `source.text`; return that reading where the ways differ. A selection that does not fit it is
    listed in `problems` and left out; a source no way fits better than another refuses the file."""
    candidates = readings(source)
    if len(candidates) == 1:
        return None
    returns = [match.start() for match in re.finditer("\r\n", source.text)]
    differ = [selection for selection in source.selections
              if len({reading.span(selection.start, selection.end, returns) for reading in candidates}) > 1]
    if not differ:
        return None

    def score(reading: Reading) -> tuple[int, int, int, int]:
        placed = [(selection, reading.place(selection.start, selection.end)) for selection in differ]
        fitting = [(selection, place) for selection, place in placed if place is not None]
        return (
            len(fitting),
            sum(_named_words(reading.text, selection.name, *place) for selection, place in fitting),
            sum(_word_edges(reading.text, *place) for _, place in fitting),
            # A file's own characters, CRs and all, are what the standard counts: a reading without
            # them must do better. Inline, the parser took the CRs, so neither reading is the file's.
            int(reading.line_ends_kept and not inline),
        )

    scored = sorted(((score(reading), index) for index, reading in enumerate(candidates)), reverse=True)
    if scored[0][0] == scored[1][0]:
        first, second = candidates[scored[1][1]], candidates[scored[0][1]]
        raise UnreadableFile(
            f"{file_name}: TextSource {source.name!r} {source.guid}: its selections read as well counted in {_said(first)} "
            f"as in {_said(second)}, which select other words; nothing imported",
            "qualcode cannot tell which the other program counted; import the texts as files and code them in qualcode",
        )
    chosen = candidates[scored[0][1]]
    moved = []
    for selection in source.selections:
        place = chosen.place(selection.start, selection.end)
        if place is None:
            # One that fits no reading (reversed, empty, past the end) is said so as it is.
            if any(reading.place(selection.start, selection.end) is not None for reading in candidates):
                problems.append(
                    f"{selection.kind} {selection.guid} in {source.name}: positions {selection.start}-{selection.end} do not fit the "
                    f"text counted in {_said(chosen)}, as its other selections are; skipped"
                )
                continue
            moved.append(selection)
        else:
            moved.append(replace(selection, start=place[0], end=place[1]))
    source.selections = moved
    source.text = chosen.text
    return chosen


def _said(reading: Reading) -> str:
    return reading.unit + ("" if reading.line_ends_kept else ", a Windows line end as one")
