"""Changes made elsewhere: a colleague's session or command on the same project file. The open UI
looks at the project's event log every CHECK_SECONDS; when someone else has recorded a change, it
reads again the codebook and what its screens show, shows it where the researcher is (transcript,
cursor, selection and open dialogs kept), and says in one notification what changed."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError

if TYPE_CHECKING:
    from textual.screen import Screen

    from qualcode.codebook.service import CodeView
    from qualcode.store.events import LogMark
    from qualcode.tui.app import QualcodeApp
    from qualcode.tui.screens.base import Reread
    from qualcode.workspace import Changes, Workspace

    # What a look found when another session changed something: the codebook, the coder's recent
    # codes, and each screen's reading of what it shows.
    Found = tuple[list[CodeView], list[str], list[tuple[Screen[Any], Reread[Any], Any]]]

# A look on an idle project reads one row of the log: about half a millisecond in its worker, with
# 50 events or 200,000, and under a tenth of that on the UI thread. Read where it is used, so a test
# can look more often, or not at all.
CHECK_SECONDS = 1.5


def codebook_shape(codes: list[CodeView]) -> list[CodeView]:
    """The codes without their codings' counts: another's coding is not a change of the codebook."""
    return [replace(code, codings=0, sub_codings=0) for code in codes]


def said_together(parts: list[str]) -> str:
    """"the codebook", "the codebook and the counts", "a, b and c"."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


class ChangeWatch:
    """Looks for changes another session made since the UI last read the project (`seen`: the log's
    end, read before the codebook was), one look at a time: a look waiting on a locked database is
    not joined by more."""

    def __init__(self, app: QualcodeApp, seen: LogMark | None) -> None:
        self.app = app
        self.seen = seen
        self.looking = False

    def start(self) -> None:
        self.app.set_interval(CHECK_SECONDS, self.look)

    def look(self) -> None:
        """One look off the UI thread; only when another session changed something is more read."""
        from qualcode.tui.screens.base import QualcodeScreen

        if self.looking:
            return
        self.looking = True
        seen = self.seen
        # What the screens would read, taken now on the main thread, and read only if needed.
        rereads = [(screen, reread) for screen in self.app.screen_stack
                   if isinstance(screen, QualcodeScreen) and (reread := screen.reread()) is not None]

        def work(workspace: Workspace) -> tuple[Changes, Found | None]:
            changes = workspace.changes_since(seen)
            if not changes.elsewhere:
                return changes, None
            found: list[tuple[Screen[Any], Reread[Any], Any]] = []
            for screen, reread in rereads:
                try:
                    found.append((screen, reread, reread.read(workspace)))
                except QualcodeError:  # a transcript gone, nothing left to count: the screen's own checks say it
                    continue
            return changes, (workspace.codes(), workspace.recent_codes(), found)

        # A look that fails (the database locked past its timeout) says nothing: the next one asks again.
        self.app.in_background(work, self._looked, group="elsewhere", failed=self._failed)

    def _failed(self, _message: str) -> None:
        self.looking = False

    def _looked(self, result: tuple[Changes, Found | None]) -> None:
        from qualcode.tui.modals.code_picker import CodePicker
        from qualcode.tui.screens.base import CodingScreen

        changes, found = result
        self.looking = False
        self.seen = changes.mark
        if found is None:  # nothing, or only this UI's own changes, which it has shown already
            return
        codes, recent, screens = found
        app = self.app
        said = ["the codebook"] if codebook_shape(codes) != codebook_shape(app.codes) else []
        app.codes_changed(codes, recent)
        stack = app.screen_stack
        for screen in stack:
            if isinstance(screen, CodingScreen):
                screen.codebook_changed(codes)
            elif isinstance(screen, CodePicker):  # its list, with what is typed and highlighted kept
                screen.read_again(codes, recent)
        visible = self._visible(stack)
        for screen, reread, value in screens:
            if screen in stack:  # not a screen closed meanwhile
                what = reread.show(value)
                if what and screen in visible:
                    said.append(what)
        if said:
            app.notify(f"Changed in another session: {said_together(said)}", title="Changed elsewhere",
                       markup=False)  # names a transcript

    @staticmethod
    def _visible(stack: list[Screen[Any]]) -> list[Screen[Any]]:
        """The screens the researcher sees: the top one, and beneath dialogs the screen they lie over."""
        visible: list[Screen[Any]] = []
        for screen in reversed(stack):
            visible.append(screen)
            if not screen.is_modal:
                break
        return visible
