"""DismissedOnce: a screen that leaves once, however many of the keys that close it arrive together.

Textual's `dismiss` pops whatever screen is on top. Keys typed ahead over SSH reach a screen that is already
going: Enter twice on a memo popped the reader under it too, and on the start screen the last screen, which
ended the app with a traceback; Enter and Escape together in the code picker left the reader. A screen that
is not the one on top is not dismissed again.
"""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, Screen

Result = TypeVar("Result")


class DismissedOnce(Screen[Result]):
    def dismiss(self, result: Result | None = None) -> AwaitComplete:
        """Leave with `result`, if this screen is the one on top; else nothing (it is going, or a dialog lies over it)."""
        if not self.is_active:
            return AwaitComplete()  # done at once: nothing to wait for
        return super().dismiss(result)


# ModalScreen first: Textual takes a screen's default CSS (the see-through background) and CSS type names
# along the first base only.
class Dialog(ModalScreen[Result], DismissedOnce[Result]):
    """A modal screen (a form, a picker, a question) that hands back its result once."""
