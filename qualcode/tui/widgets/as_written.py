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

# A piece of a line: plain text as written, or (text, style) such as ("Memo:", "bold").
Piece = str | tuple[str, str]


def as_written(*pieces: Piece) -> Content:
    """One line of pieces, none of them read as markup."""
    return Content.assemble(*pieces)


def lines_as_written(lines: list[Content]) -> Content:
    """Lines made with as_written, one under the other."""
    return Content("\n").join(lines)


def cell(text: str) -> Text:
    """A DataTable cell: the table reads a string as markup, a Text as written."""
    return Text(text)
