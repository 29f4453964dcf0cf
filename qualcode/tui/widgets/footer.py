"""The key bar at the foot of every screen."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's Footer, built again only when the keys it would show change.

    Textual's Footer mounts and styles all its keys anew on every focus change and binding
    refresh, about a sixth of the UI's work in the test suite's profile, and most of those leave
    the same keys showing (over SSH each one is a repaint of the bar, too).
    """

    _shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if not (screen.app.app_focus and self.is_attached and screen is self.screen):
            super().bindings_changed(screen)  # Footer waits for focus and its screen: nothing shown changes
            return
        # What compose reads of each binding: the binding itself (key, action, description, show,
        # group), whether it is enabled and its tooltip.
        shown = tuple((name, binding, enabled, tooltip) for name, (_, binding, enabled, tooltip) in screen.active_bindings.items())
        if shown == self._shown:
            return
        self._shown = shown
        super().bindings_changed(screen)
