"""QualcodeCommands: the command palette (ctrl+p) finds every action by name.

The app's own actions (import, export, reviewers' comments, identifiers, participants, search, help)
come from `QualcodeApp.palette_commands`; the screen the palette was opened on adds its key
bindings, read from its BINDINGS, so the palette and the help screen never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual import on
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets import Input

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
    """Textual's palette, whose Enter picks from the list of what was typed before it.

    The palette lists the commands like what is typed in a worker, and Enter picked from the list shown: typed
    with the query in one burst (`ctrl+p framework enter`), it came before that list, and picked from the one
    before it (it highlighted Import, the first of every command, and ran nothing)."""

    @on(Input.Submitted)
    async def _listed_first(self, _event: Input.Submitted) -> None:
        """Wait for the commands like what is typed to be listed; then Textual's own handler picks from them."""
        listing = [worker for worker in self.app.workers
                   if worker.node is self and worker.group == self._GATHER_COMMANDS_GROUP and not worker.is_finished]
        if listing:
            await self.app.workers.wait_for_complete(listing)
