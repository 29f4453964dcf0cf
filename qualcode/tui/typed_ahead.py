"""Keys typed ahead: held while what they act on is being changed, then acted on in the order typed.

Over SSH keys arrive in bursts, and Textual hands each one on as it comes: a key typed after one that
starts a change (a coding saved in a worker, a transcript read to be opened) acted on the screen as it
was before the change landed, or was dropped. A screen holds such keys here instead and acts on them
once the change is shown; where the change is refused, they are dropped and said so, never acted on
against a state the researcher did not see.
"""

from __future__ import annotations

from bisect import insort
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.events import Key
from textual.message import Message
from textual.screen import ModalScreen

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True)
class TypedKey:
    """A key as typed: its name and the character it carries (a code's key is read by its character)."""

    key: str
    character: str | None
    time: float = 0.0  # when it was read from the terminal (`Message.time`); 0, before anything


class HeldKeys:
    """The keys a screen holds, oldest first: by when they were typed, not when they came, since a key the app read
    before another may reach its holder after it (by way of a widget and its screen, the other held by the app itself)."""

    def __init__(self, keys: Iterable[TypedKey] = ()) -> None:
        self._keys: deque[TypedKey] = deque(keys)

    def __len__(self) -> int:
        return len(self._keys)

    def hold(self, event: Key) -> None:
        """Take `event` from Textual (no binding runs for it) and keep it, behind those held before it."""
        event.stop()
        event.prevent_default()
        self._put(TypedKey(event.key, event.character, event.time))

    def keep(self, keys: Iterable[TypedKey]) -> None:
        """Keep `keys`, held before by another (the screen a refusal drops them on), among these as typed."""
        for key in keys:
            self._put(key)

    def _put(self, key: TypedKey) -> None:
        insort(self._keys, key, key=lambda held: held.time)  # after those typed at the same moment: as they came

    def first(self) -> TypedKey:
        return self._keys[0]

    def last(self) -> TypedKey:
        return self._keys[-1]

    def next(self) -> TypedKey:
        return self._keys.popleft()

    def take(self) -> list[TypedKey]:
        """Every key held, which are held no longer."""
        taken = list(self._keys)
        self._keys.clear()
        return taken

    def dropped(self) -> str:
        """Drop the keys held, and say how many there were ("" for none), to be said after why."""
        count = len(self.take())
        if not count:
            return ""
        return f"{count} key{'s' if count != 1 else ''} typed after it {'were' if count != 1 else 'was'} not acted on"


class RefusedKeys:
    """The keys typed before a refusal could be seen (a change not made, `m` on no coding, Enter on an empty list):
    typed for what did not come, they are dropped as they reach the screen, and said in one notice with why."""

    def __init__(self, screen: Screen[Any]) -> None:
        self._screen = screen
        self._at = float("-inf")
        self._why = ""
        self._dropped = HeldKeys()

    def refused(self, why: str, held: Iterable[TypedKey] = ()) -> None:
        """Refused now, for `why`: `held` (the keys the screen held behind it) and those of the burst still on their way are dropped."""
        self._at, self._why = now(), why
        self._dropped.keep(held)
        self._screen.call_later(self._say)

    def takes(self, event: Key) -> bool:
        """Whether `event` was typed before the last refusal, and is dropped."""
        if event.time > self._at:
            return False
        self._dropped.hold(event)
        self._screen.call_later(self._say)  # once the burst's keys on their way have come, as a rule: counted in one notice
        return True

    def _say(self) -> None:
        dropped = self._dropped.dropped()
        if dropped:
            self._screen.notify(f"{self._why}, so {dropped}", severity="warning", markup=False)  # may quote a code


def up_to_leaving(screen: Screen[Any], keys: list[TypedKey]) -> tuple[list[TypedKey], list[TypedKey]]:
    """`keys` split after the first that leaves `screen` (its Escape, q on help; Enter or Escape on a dialog): those up to it
    are the screen's, those after it the screen's under it once shown again (`down escape ] v` on the analysis)."""
    leaving = leaving_keys(screen)
    at = next((index + 1 for index, typed in enumerate(keys) if typed.key in leaving), len(keys))
    return keys[:at], keys[at:]


def leaving_keys(screen: Screen[Any]) -> set[str]:
    """The keys that leave `screen`: those bound to its actions that leave, and Enter and Escape on a dialog."""
    return {key.strip() for binding in screen.BINDINGS if isinstance(binding, Binding) and binding.action in LEAVE
            for key in binding.key.split(",")} | (CLOSE_A_DIALOG if isinstance(screen, ModalScreen) else set())


# The actions that leave a screen (search's Escape, help's q): the keys typed after their keys are the screen's under it.
LEAVE = frozenset({"back", "cancel", "close"})
# The keys that close a dialog (a memo, a picker, a question): the keys typed after one are the screen's under it.
CLOSE_A_DIALOG = frozenset({"enter", "escape"})


def now() -> float:
    """The time on the clock Textual stamps each key with as it is read from the terminal (`Message.time`)."""
    return Message().time


def hand_over(screen: Screen[Any], keys: list[TypedKey]) -> None:
    """Give `keys` to `screen`, just put on top by a key typed before them (m opened the memo editor): once it
    has taken the focus (on its resume, which Textual queued for it as it was pushed) they reach its focused
    widget as typed; given at once, they reach the screen itself, which has no use for them."""
    app = screen.app

    def give() -> None:
        for typed in keys:
            key = Key(typed.key, typed.character)
            key.time = typed.time or key.time  # when it was typed, which screens and the app compare (App.last_typed_at)
            # From the app, as a key from the terminal is: a message stops bubbling at its sender, and a key
            # that stopped at this screen never reached the app to run its binding (Enter on the memo).
            key.set_sender(app)
            app.post_message(key)

    if keys:
        screen.call_later(give)


def leave(screen: Screen[Any], keys: list[TypedKey]) -> None:
    """Dismiss `screen`, and give `keys` (typed after the key that left it) to the screen under it, once that is shown
    again: its resume, queued by the dismissal, gives it the focus first."""
    stack = screen.app.screen_stack
    below = stack[stack.index(screen) - 1] if screen in stack and stack.index(screen) > 0 else None
    screen.dismiss()
    if below is not None:
        hand_over(below, keys)


class TypedWithSlash:
    """Keys typed with `/` on a screen whose filter it opens (the overview, a code's passages): they reach the table
    before the filter's field has the focus, and are the field's, up to the Enter or Escape that leaves it; those after
    it wait for the table to have the focus again (`/ leder enter enter` opens what was found; as bindings, run once
    `/` had bubbled up to the app, `e` (edit) and the rest acted in the table, and the filter stayed empty)."""

    def __init__(self, screen: Screen[Any]) -> None:
        self._screen = screen
        self._at = float("-inf")  # when `/` opened the filter: the keys typed before then (in its burst) are the field's
        self._leaving = False  # the key that leaves the field was given to it
        self._after = HeldKeys()

    def opened(self) -> None:
        """`/` has just opened the filter."""
        self._at, self._leaving = now(), False

    def takes(self, event: Key) -> bool:
        """Whether `event` was typed with `/`; if so, given to the field, or held for the table after the field's Enter."""
        if event.time > self._at:
            return False
        if self._leaving:
            self._after.hold(event)
            return True
        event.stop()
        event.prevent_default()
        self._leaving = event.key in CLOSE_A_DIALOG  # a field is left as a dialog is
        hand_over(self._screen, [TypedKey(event.key, event.character)])
        return True

    def left(self) -> None:
        """The table has the focus again: the keys typed after the Enter or Escape that left the filter are its (given as
        typed, so no longer taken as typed with `/`, nor are those of the burst still on their way)."""
        self._at = float("-inf")
        hand_over(self._screen, self._after.take())

    def left_with_the_screen(self) -> list[TypedKey]:
        """The screen is leaving: the keys typed after the filter's Escape, for the screen under it."""
        self._at = float("-inf")
        return self._after.take()

