"""Work off the UI thread, in one way for every screen: call the workspace in a thread worker, then
hand the result to the main thread as a message, so only the main thread changes what is shown.

A `QualcodeError` becomes a notification; any other error is a bug, shown and logged, and the UI
goes on: Textual would otherwise close the app on an uncaught worker error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual.message import Message
from textual.worker import get_current_worker

from qualcode.errors import AwaitsReview, KeyMissing, QualcodeError

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget

    from qualcode.workspace import Workspace

Result = TypeVar("Result")


def in_this_ui(error: QualcodeError) -> str:
    """A refusal with the way to mend it in the terminal UI, where it has one, for the command line's:
    no `--force` to pass, no `qualcode identifiers add` to type where a screen does it."""
    if error.in_ui is not None:  # the service said what to do here (J, M, X, ctrl+z)
        return f"{error.message} ({error.in_ui})"
    if isinstance(error, AwaitsReview):
        return f"{error.message}: decide about it in the identifier review (ctrl+p, Identifiers), then save again"
    if isinstance(error, KeyMissing):
        return f"{error.message} (restore the key from your backup, or start qualcode tui again with --key PATH)"
    if error.hint and "--force" in error.hint:  # a file that exists: the UI never overwrites one
        return f"{error.message} (give another file name: the terminal UI never overwrites a file)"
    return str(error)


class WorkDone(Message, bubble=False):
    """Posted by a worker to the node that started it; its handler runs `apply` on the main thread."""

    def __init__(self, apply: Callable[[], None]) -> None:
        super().__init__()
        self.apply = apply


def run_in_background(
    node: Widget | App[None], workspace: Workspace, work: Callable[[Workspace], Result], then: Callable[[Result], None], *,
    group: str, exclusive: bool = True, failed: Callable[[str], None] | None = None,
    said_if_left: Callable[[Result], str] | None = None, failed_if_left: Callable[[str], str] | None = None,
) -> None:
    """Run `work(workspace)` in a thread; `then(result)` or `failed(message)` runs on the main thread
    if `node` is still there (a screen closed meanwhile drops the result, unless `said_if_left` words it
    for the app to say, as for a file written; its failure the app says, as `failed_if_left` words it).

    With `exclusive` (for reads), a later run of the same group supersedes this one: a thread
    cannot be stopped, so its result is dropped instead, even when it comes last (a list read
    before a save would otherwise be shown over the one read after it); its failure is still
    reported. A run superseded before it begins never runs: so every change is run with
    `exclusive=False`, and each one's result is shown; and it runs to its end when its screen is left."""

    def report(message: str) -> None:
        if failed is not None:
            failed(message)
        else:
            node.notify(message, severity="error", markup=False)  # the message may quote what was typed

    app = node.app

    def fail(message: str) -> None:  # on the worker's thread
        # Through the app, whose queue lasts the session, and read there by the node if it is still
        # shown. A screen left meanwhile (Escape as an export was refused) takes no messages, and its own
        # way of saying so went with it; and one left just after it took the message drops it unread, so
        # the refusal went unsaid (one run of the suite in some hundreds).
        app.post_message(WorkDone(lambda: report(message) if _still_shown(node) else app.notify(
            failed_if_left(message) if failed_if_left is not None else message, severity="error", markup=False)))

    def body() -> None:
        worker = get_current_worker()
        try:
            result = work(workspace)
        except QualcodeError as error:
            fail(f"error: {in_this_ui(error)}")
            return
        except Exception as error:  # a bug: say so and keep the researcher's session alive
            node.log.error(f"worker {group} failed", error)
            fail(f"unexpected error ({type(error).__name__}: {error}); please report it")
            return

        def apply() -> None:
            # Checked here, on the main thread where a newer run cancels this one: no race with it.
            if not worker.is_cancelled:
                then(result)

        if said_if_left is None:
            node.post_message(WorkDone(apply))  # a result for a screen left meanwhile goes with it
            return

        def apply_or_say() -> None:
            # Escape as an export was written: the file is there, and nobody said where. Through the app, as a
            # failure is (`fail`): a screen left just after it took the message dropped it unread.
            if _still_shown(node):
                apply()
            else:
                app.notify(said_if_left(result), markup=False)

        app.post_message(WorkDone(apply_or_say))

    # A change (not `exclusive`) runs as the app's worker: a screen's are cancelled as it is left, and one
    # whose task had not begun (ctrl+s and Escape together, on a loaded host) never ran, and said nothing.
    owner = node if exclusive else app
    owner.run_worker(body, thread=True, group=group, exclusive=exclusive, exit_on_error=False)


def _still_shown(node: Widget | App[None]) -> bool:
    """Whether `node` (on the main thread) still takes what a worker it started has to say: the app, or a
    screen, or a widget on one, still on the app's stack of screens. A screen left is off the stack at
    once, and out of the DOM only a moment later: what it was told in that moment nobody saw."""
    if node is node.app:
        return True
    return node.is_attached and node.is_running and node.screen in node.app.screen_stack
