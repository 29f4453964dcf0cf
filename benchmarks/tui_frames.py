"""Timing a headless terminal UI by its own frames, for the TUI benchmarks."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from textual import events

from qualcode.config import Config
from qualcode.tui.app import QualcodeApp
from qualcode.workspace import Workspace

CURRENT: list[Frames] = []  # the app being measured


def open_app(root: Path, coder: str = "Forsker 1") -> QualcodeApp:
    """The app as `qualcode --project ROOT --coder CODER tui` opens it."""
    return QualcodeApp(Workspace.open(Config.resolve(project=root, coder=coder)))


class Frames:
    """Times at which the app produced a frame, and at which the transcript drew its last row.

    Pilot's press() waits for the whole app to fall idle, which would time the test harness;
    so keys go straight to the driver, and a frame counts from the app's own display call.
    """

    def __init__(self, app: QualcodeApp) -> None:
        self.frames: list[float] = []
        self.view_drawn: list[float] = []
        display = app._display

        def recording_display(screen, renderable):  # type: ignore[no-untyped-def]
            if renderable is not None:
                self.frames.append(time.perf_counter())
            return display(screen, renderable)

        app._display = recording_display  # type: ignore[method-assign]
        CURRENT[:] = [self]

    async def first_frame_after(self, moment: float, ready, drawn_rows: bool = True) -> float:  # type: ignore[no-untyped-def]
        """The first frame produced once `ready()` holds and (with `drawn_rows`) the transcript has
        drawn since `moment`; without, the first frame once `ready()` holds."""
        while True:
            if ready() and not drawn_rows:
                noticed = time.perf_counter()
                while not any(t >= noticed for t in self.frames):
                    await asyncio.sleep(0.0005)
                return min(t for t in self.frames if t >= noticed)
            if ready() and any(t > moment for t in self.view_drawn):
                drawn = min(t for t in self.view_drawn if t > moment)
                later = [t for t in self.frames if t >= drawn]
                if later:
                    return later[0]
            await asyncio.sleep(0.0005)


def send_key(app: QualcodeApp, key: str, character: str | None) -> float:
    event = events.Key(key, character)
    event.set_sender(app)
    moment = time.perf_counter()
    app._driver.send_message(event)  # type: ignore[union-attr]
    return moment
