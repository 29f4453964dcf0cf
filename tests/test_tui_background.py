"""What a worker has to say reaches the researcher when the screen that started it was left meanwhile."""

from __future__ import annotations

import threading
import time

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from qualcode.errors import InvalidInput
from qualcode.tui.background import WorkDone, run_in_background


class _Form(Screen[None]):
    """A screen as qualcode's are (screens.base.QualcodeScreen): a worker's result runs as it arrives."""

    def compose(self) -> ComposeResult:
        yield Static("form")

    def on_work_done(self, message: WorkDone) -> None:
        message.apply()


class _Host(App[None]):
    """An app as qualcode's is (tui.app.QualcodeApp): what a worker posts to it runs as it arrives."""

    def compose(self) -> ComposeResult:
        yield Static("home")

    def on_work_done(self, message: WorkDone) -> None:
        message.apply()


async def test_a_refusal_said_as_its_screen_is_left_is_said_by_the_app() -> None:
    """ctrl+s and Escape together: the worker's refusal reached the export form after Escape had taken it off
    the stack but before it was gone, and the form showed it where no one could see it (one fresh clone's
    run in two; the form took the message, so the app's fallback never ran)."""
    app = _Host()
    async with app.run_test() as pilot:
        form = _Form()
        await app.push_screen(form)
        go, shown_on_form = threading.Event(), []

        def work(_: object) -> None:
            go.wait(5)
            raise InvalidInput("the project has no codings yet")

        run_in_background(form, None, work, lambda _: None, group="export", exclusive=False,  # type: ignore[arg-type]
                          failed=shown_on_form.append)
        app.pop_screen()  # Escape: off the stack now, out of the DOM a moment later
        go.set()
        time.sleep(0.3)  # the worker says its refusal while the form is still in the DOM (the loop is held here)
        for _ in range(50):
            await pilot.pause(0.02)
            if any(note.severity == "error" for note in app._notifications):
                break
        assert [str(note.message) for note in app._notifications if note.severity == "error"] == [
            "error: the project has no codings yet"]
        assert shown_on_form == []


async def test_a_refusal_said_while_its_screen_is_shown_is_its_screens_to_show() -> None:
    app = _Host()
    async with app.run_test() as pilot:
        form = _Form()
        await app.push_screen(form)
        shown_on_form: list[str] = []

        def work(_: object) -> None:
            raise InvalidInput("the project has no codings yet")

        run_in_background(form, None, work, lambda _: None, group="export", exclusive=False,  # type: ignore[arg-type]
                          failed=shown_on_form.append)
        for _ in range(50):
            await pilot.pause(0.02)
            if shown_on_form:
                break
        assert shown_on_form == ["error: the project has no codings yet"] and not app._notifications


async def test_a_change_started_as_its_screen_is_left_runs_and_is_said() -> None:
    """ctrl+s and Escape together on a loaded host: the form was left before its worker's task began, leaving
    it cancelled a screen's workers, and the export never ran and nothing was said (the typed-ahead test
    failed so in a fresh clone with 400 rounds of waiting)."""
    app = _Host()
    async with app.run_test() as pilot:
        form = _Form()
        await app.push_screen(form)
        ran: list[bool] = []

        def work(_: object) -> None:
            ran.append(True)
            raise InvalidInput("the project has no codings yet")

        run_in_background(form, None, work, lambda _: None, group="export", exclusive=False,  # type: ignore[arg-type]
                          failed=lambda _: None)
        app.workers.cancel_node(form)  # what leaving the form does to its workers, before the task has begun
        await app.pop_screen()
        for _ in range(50):
            await pilot.pause(0.02)
            if app._notifications:
                break
        assert ran == [True]
        assert [str(note.message) for note in app._notifications] == ["error: the project has no codings yet"]


async def test_a_refusal_after_its_screen_was_left_is_worded_as_the_screen_would_word_it() -> None:
    """A field trial: leaving the framework screen saves its summary, and a refusal then was said as the bare error,
    naming no cell, where the same refusal on the screen named it ("D1 × empowerment not saved: …")."""
    app = _Host()
    async with app.run_test() as pilot:
        form = _Form()
        await app.push_screen(form)
        go = threading.Event()

        def work(_: object) -> None:
            go.wait(5)
            raise InvalidInput("the project cannot be written")

        run_in_background(form, None, work, lambda _: None, group="framework-save", exclusive=False,  # type: ignore[arg-type]
                          failed=lambda _: None, failed_if_left=lambda message: f"D1 × empowerment not saved: {message}")
        app.pop_screen()
        await pilot.pause(0.1)  # gone from the DOM before the worker speaks
        go.set()
        for _ in range(50):
            await pilot.pause(0.02)
            if any(note.severity == "error" for note in app._notifications):
                break
        assert [str(note.message) for note in app._notifications if note.severity == "error"] == [
            "D1 × empowerment not saved: error: the project cannot be written"]
