"""HTML character references (&Oslash;, &#216;, &nbsp;), read as the characters they stand for."""

from __future__ import annotations

import html

from qualcode.text.normalise import normalise


def read_references(text: str) -> str:
    """`text` with its character references read as WebVTT, Markdown and a browser read them, and
    normalised again if any was (so "&nbsp;" is a space); `text` itself if it holds none.

    Read before a name is looked for: "&Oslash;ystein" is Øystein to whoever reads the text, and
    neither the key nor the leak check knows "&Oslash;ystein"."""
    unescaped = html.unescape(text)
    return text if unescaped == text else normalise(unescaped)
