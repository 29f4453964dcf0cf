"""QualcodeCommands: the command palette (ctrl+p) finds every action by name.

The app's own actions (import, export, reviewers' comments, identifiers, participants, search, help)
come from `QualcodeApp.palette_commands`; the screen the palette was opened on adds its key
bindings, read from its BINDINGS, so the palette and the help screen never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual import on
from textual.binding import Binding
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.events import Key
from textual.widgets import Input

from qualcode.tui.typed_ahead import HeldKeys, hand_over

if TYPE_CHECKING:
    from qualcode.tui.app import QualcodeApp

Command = tuple[str, str, Callable[[], object]]  # name, what it does, what runs it


def screen_commands(provider: Provider) -> list[Command]:
    """The shown-or-hidden key bindings of the screen under the palette, by their description; keys for the
    app's own actions (app.import …) are left to the app's names for them."""
    commands: list[Command] = []
    for binding in provider.screen.BINDINGS:
        if (isinstance(binding, Binding) and binding.description and not binding.action.startswith("app.")
                and binding.action not in ("back", "cancel", "close")):
            commands.append((binding.description, binding.tooltip or f"key {binding.key}", partial(provider.screen.run_action, binding.action)))
    return commands


def all_commands(provider: Provider) -> list[Command]:
    app = cast("QualcodeApp", provider.app)
    seen: set[str] = set()
    commands: list[Command] = []
    for name, help_text, run in [*app.palette_commands(provider.screen), *screen_commands(provider)]:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            commands.append((name, help_text, run))
    return commands


class QualcodeCommands(Provider):
    async def discover(self) -> Hits:
        for name, help_text, run in all_commands(self):
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in all_commands(self):
            score = max(matcher.match(name), matcher.match(help_text) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)


class ListedPalette(CommandPalette):
    """Textual's palette, whose Enter picks from the list of what was typed before it, and whose keys typed after Enter
    act where the command leads.

    The palette lists the commands like what is typed in a worker, and Enter picked from the list shown: typed
    with the query in one burst (`ctrl+p framework enter`), it came before that list, and picked from the one
    before it (it highlighted Import, the first of every command, and ran nothing). And the keys typed after Enter
    reached the palette before its command ran (`ctrl+p analysis enter down escape ] v` typed `]v` in its field, and
    Escape closed it): they are held from Enter, as the app reads them, until the command has run (tui/typed_ahead.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._after_enter: HeldKeys | None = None  # from Enter until its command has run, or it ran none

    def typed_after_enter(self, event: Key) -> bool:
        """Whether `event`, read by the app with the palette on top, is held for where its Enter leads (the app's
        on_event, which reads each key before the palette's field or bindings see it)."""
        if self._after_enter is not None:
            self._after_enter.hold(event)
            return True
        if event.key == "enter":
            self._after_enter = HeldKeys()
        return False

    @on(Input.Submitted)
    async def _listed_first(self, _event: Input.Submitted) -> None:
        """Wait for the commands like what is typed to be listed; then Textual's own handler picks from them."""
        listing = [worker for worker in self.app.workers
                   if worker.node is self and worker.group == self._GATHER_COMMANDS_GROUP and not worker.is_finished]
        if listing:
            await self.app.workers.wait_for_complete(listing)
        # What Textual's handler, next, does with this Enter: run the command chosen or highlighted (or the one listed),
        # or only highlight the first listed; then the keys held are given on once the palette has left, else now.
        commands = self.query_one(CommandList)
        if not ((self._list_visible and (commands.highlighted is not None or commands.option_count == 1))
                or (not self._list_visible and self._selected_command is not None)):
            self._give_on()

    def on_unmount(self) -> None:
        """Left: the command ran just before (Textual runs it, `call_later`, as the palette is dismissed); the keys typed
        after Enter act where it led: held for what it opens (a transcript, the analysis), or given to the screen on top."""
        self.app.call_later(self._give_on)

    def _give_on(self) -> None:
        held, self._after_enter = self._after_enter, None
        if held is None or not len(held):
            return
        app = cast("QualcodeApp", self.app)
        if app.opening is not None:
            app.opening.keep(held.take())
        else:
            hand_over(app.screen, held.take())
