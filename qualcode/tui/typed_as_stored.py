"""TypedAsStored: what a person types into a filter, read as the project stores such text, for every screen alike.

The texts, names and values a screen lists hold pseudonyms: "Hilde" typed to find her is stored as
her pseudonym. A screen filters by what was typed at once, and asks the workspace for it as stored
(Workspace.looked_up, which may read the key) in a worker; once that is back, it filters again by
both. Where the key stores what was typed as a placeholder ("NAV Horten" as "(NAV-kontor)"), what
that matches is every identifier of its kind, and the screen says so, once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from qualcode.tui.background import run_in_background

if TYPE_CHECKING:
    from textual.widget import Widget

    from qualcode.tui.app import QualcodeApp
    from qualcode.workspace import Workspace


class TypedAsStored:
    """A screen's filter text as the project stores it, read off the UI thread; `read_again(typed)` is
    called on the main thread when that differs from what was typed."""

    def __init__(self, node: Widget, group: str, read_again: Callable[[str], None], *, says_placeholders: bool = True) -> None:
        """`says_placeholders`: say what a placeholder matches (a filter of passages or transcripts by
        their values); not where names are only ranked (the code picker)."""
        self.node = node
        self.group = group
        self.read_again = read_again
        self.says_placeholders = says_placeholders
        self._read: tuple[str, str] | None = None  # the last text read, as typed and as stored
        self._said: set[str] = set()

    def typed(self, text: str) -> None:
        """`text` was typed: read it as stored, in a worker (the key may be read)."""
        if not text.strip():
            return

        def look_up(workspace: Workspace) -> tuple[str, str | None]:
            # As a name kept in lower case is: the screens match in any case, and "hilde" typed is her name too.
            found = workspace.looked_up(text, folded=True)
            return found.text, found.placeholder_note()

        workspace = cast("QualcodeApp", self.node.app).workspace
        run_in_background(self.node, workspace, look_up, lambda found: self._found(text, *found), group=self.group,
                          failed=lambda _message: None)  # a lookup that cannot read the key filters as typed

    def _found(self, typed: str, stored: str, note: str | None) -> None:
        self._read = (typed, stored)
        if stored != typed:
            if self.says_placeholders and note is not None and note not in self._said:
                self._said.add(note)
                self.node.notify(note, timeout=10, markup=False)  # quotes what was typed
            self.read_again(typed)

    def stored(self, typed: str) -> str | None:
        """`typed` as stored, where it has been read and differs from it; else None (filter as typed)."""
        if self._read is None or self._read[0] != typed or self._read[1] == typed:
            return None
        return self._read[1]
