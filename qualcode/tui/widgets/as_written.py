"""Text a person wrote, shown as written: never read as markup.

Escaping is not enough: Textual reads "[/ kommunen", with no "]" after it, as a closing tag and
raises, so a memo holding it crashed the reader each time its transcript was opened; "[LATTER]"
and "[Navn]" in a quote vanished, and a trailing backslash ate the tag after it. What a person
wrote is therefore never put into markup: it goes into Content (Static) and Text (DataTable)
objects as plain text, with styles given beside it.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from qualcode.text.normalise import shortened

# A piece of a line: plain text as written, or (text, style) such as ("Memo:", "bold").
Piece = str | tuple[str, str]

# More than a panel that does not scroll can show (28 columns of a terminal 200 rows tall): a
# pasted 3.6 MB memo was laid out whole, seconds at each move of the cursor onto its coding.
SHOWN_AT_MOST = 6_000


def as_written(*pieces: Piece) -> Content:
    """One line of pieces, none of them read as markup."""
    return Content.assemble(*pieces)


def as_far_as_shown(text: str) -> str:
    """`text`, or as much of it as a panel shows, cut with "…" (the editor holds it whole)."""
    return shortened(text, SHOWN_AT_MOST)


def lines_as_written(lines: list[Content]) -> Content:
    """Lines made with as_written, one under the other."""
    return Content("\n").join(lines)


def cell(text: str) -> Text:
    """A DataTable cell: the table reads a string as markup, a Text as written."""
    return Text(text)
