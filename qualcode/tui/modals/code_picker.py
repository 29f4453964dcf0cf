"""CodePicker: choose a code by fuzzy name, path or signal word, recently used codes first."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rapidfuzz import fuzz
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from qualcode.codebook.service import CodeView
from qualcode.text.tokens import WORD, stem_words
from qualcode.tui.background import WorkDone, run_in_background
from qualcode.tui.dismissed_once import Dialog
from qualcode.tui.typed_as_stored import TypedAsStored
from qualcode.tui.widgets.as_written import as_written, lines_as_written

if TYPE_CHECKING:
    from qualcode.tui.app import QualcodeApp

# The picker's answer when the coder asks for a new code rather than an existing one.
NEW_CODE = "\x00new:"
# Its answer when the coder asks for the top of the tree, where a code is moved to (no code above it).
TOP_LEVEL = "\x00top"


# How alike (0-100) a typed query and a code's name must be: a typo ("brukermedvrikning", 94) matches; a word
# sharing a few letters does not ("familie" and "kvantitet mot kvalitet", 62, which Enter then coded).
MATCHES = 70
# A signal word typed, as its Norwegian Snowball stem on whole words (DESIGN.md: "pisk" never finds
# "typisk", "stoltheten" finds "stolt"): a match below a name typed whole, above a likeness.
SIGNAL_WORD = 90


def rank_codes(codes: list[CodeView], query: str, recent: list[str], as_stored: str | None = None) -> list[CodeView]:
    """Codes matching `query` best first; with no query, recently used first, then the tree. With
    `as_stored`, the query as the project stores typed text (a name the key holds as its pseudonym),
    each code ranked by the better of the two: "støtte fra Hilde" lists the code stored under her pseudonym."""
    if not query.strip():
        order = {path: index for index, path in enumerate(recent)}
        return sorted(codes, key=lambda code: (order.get(code.path, len(order)), codes.index(code)))
    scored = []
    queries = [query] if as_stored is None or as_stored == query else [query, as_stored]
    typed = [stem_words(WORD.findall(written)) for written in queries]
    for code in codes:
        score = max(
            *(fuzz.partial_ratio(written.casefold(), code.name.casefold()) for written in queries),
            *(fuzz.partial_ratio(written.casefold(), code.path.casefold()) - 5 for written in queries),
            SIGNAL_WORD if any(_said(words, stem_words(WORD.findall(word))) for word in code.signal_words for words in typed) else 0,
        )
        if code.path in recent:
            score += 3
        if score >= MATCHES:
            scored.append((score, code))
    return [code for _, code in sorted(scored, key=lambda item: -item[0])]


def _said(typed: list[str], signal: list[str]) -> bool:
    """Whether the typed words hold a signal word's (or phrase's) stems, whole and in order."""
    width = len(signal)
    return width > 0 and any(typed[start:start + width] == signal for start in range(len(typed) - width + 1))


def code_for_key(codes: list[CodeView], character: str | None) -> CodeView | None:
    """The code whose shortcut is `character`: what c followed by a key codes with, on every screen."""
    return next((code for code in codes if character and code.shortcut == character), None)


class CodePicker(Dialog[str | None]):
    """Returns the chosen code's path, or None if dismissed.

    It lists the codes it is given at once and reads the codebook again as it opens: another
    command may have renamed, added or deleted codes since the screen below read them (a name
    typed as renamed matched only the code above it, which Enter then coded). A choice made
    before that read is back waits for it, and is made only if the code is still there."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("ctrl+n", "create", "New code named as typed (parent/name for a sub-code)", id="picker.create"),
        Binding("ctrl+t", "top", "The top level (no code above)", id="picker.top"),
    ]

    def __init__(self, codes: list[CodeView], recent: list[str], *, creates: bool = True, top: bool = False,
                 prompt: str = "", leaving_out: frozenset[str] = frozenset()) -> None:
        """`creates`: ctrl+n makes a new code of what is typed; not where a code is picked to browse
        (the browser opened a screen of a code that did not exist, its name with a NUL byte before it).
        `top`: ctrl+t answers the top of the tree (TOP_LEVEL), where a code is moved to. `prompt`, above
        the field, says what the code is picked for ("Merge empowerment into which code?"). `leaving_out`, GUIDs of
        codes it does not list: the code merged or moved and its sub-codes, which were listed first as the code
        used last, so that Enter merged a code into itself."""
        super().__init__()
        self.codes = codes
        self.recent = recent
        self.creates = creates
        self.top = top
        self.prompt = prompt
        self.leaving_out = leaving_out
        self.shown: list[CodeView] = []
        self._codebook_read = False
        self._choice_waiting: str | None = None  # the path chosen before the codebook was read again
        # The query as stored (a name the key holds as its pseudonym), read off the UI thread.
        self._as_stored = TypedAsStored(self, "picker-as-stored", self._stored_read, says_placeholders=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.creates if action == "create" else self.top if action == "top" else True

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            if self.prompt:
                yield Static(Text(self.prompt), id="picker-prompt")  # names a code, which a person typed
            yield Input(placeholder="Code name, path or signal word", id="picker-query")
            yield OptionList(id="picker-options")
            yield Static("", id="picker-definition")

    def on_mount(self) -> None:
        self._refresh("")
        app = cast("QualcodeApp", self.app)
        run_in_background(self, app.workspace, lambda workspace: (workspace.codes(), workspace.recent_codes()),
                          self._codes_read, group="picker-codes", failed=lambda _message: self._codes_read(None))

    def on_work_done(self, message: WorkDone) -> None:
        message.apply()

    def _codes_read(self, state: tuple[list[CodeView], list[str]] | None) -> None:
        """The codebook as read again (or not, `None`: the codes given are kept); a choice waiting is made now."""
        self._codebook_read = True
        if state is not None:
            self.codes, self.recent = state
            cast("QualcodeApp", self.app).codes_changed(*state)
            options = self.query_one("#picker-options", OptionList)
            # Kept by GUID: a code renamed meanwhile stays highlighted under its new name, and a new code
            # given its old path does not take its place (Enter coded that one).
            highlighted = self.shown[options.highlighted].guid if options.highlighted is not None and self.shown else None
            self._refresh(self.query_one("#picker-query", Input).value, keep=highlighted)
        if self._choice_waiting is not None:
            chosen, self._choice_waiting = self._choice_waiting, None
            self._choose(chosen)

    def read_again(self, codes: list[CodeView], recent: list[str]) -> None:
        """The codebook as another session left it (tui/elsewhere.py), listed as `_codes_read` lists it."""
        self._codes_read((codes, recent))

    @on(Input.Changed, "#picker-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self._refresh(event.value)  # the list follows each key at once, then again if the key changes the query
        self._as_stored.typed(event.value)

    def _stored_read(self, typed: str) -> None:
        """The query as stored is back: listed by it too, while the query is still what was typed."""
        if self.query_one("#picker-query", Input).value == typed:
            self._refresh(typed)  # the best match highlighted: the code the name typed is stored under

    def _refresh(self, query: str, keep: str | None = None) -> None:
        """List the codes matching `query`, the best (or the code whose GUID is `keep`, still listed) highlighted."""
        listed = [code for code in self.codes if code.guid not in self.leaving_out]
        self.shown = rank_codes(listed, query, self.recent, self._as_stored.stored(query))
        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        options.add_options([
            # Text, not markup: a shortcut such as "[b]" would otherwise be read as bold.
            Option(Text(f"{'  ' * code.depth}{'[' + code.shortcut + '] ' if code.shortcut else '    '}{code.name}"), id=code.path)
            for code in self.shown
        ])
        if self.shown:
            guids = [code.guid for code in self.shown]
            options.highlighted = guids.index(keep) if keep in guids else 0
            self._show_definition(self.shown[options.highlighted])
        else:  # not the definition of a code no longer listed, but what Enter cannot do and what can
            self.query_one("#picker-definition", Static).update(self._nothing_listed(query))

    def _nothing_listed(self, query: str) -> Content:
        """What the picker says when it lists no code: an empty codebook, or nothing like what is typed,
        and, where it creates codes, that ctrl+n makes one (Enter picks only a listed code)."""
        typed = query.strip()
        listable = [code for code in self.codes if code.guid not in self.leaving_out]
        said = (f'No code is like "{typed}".' if typed and listable else "No other code is in the codebook." if self.codes
                else "The codebook has no codes yet.")
        if self.creates:
            said += (" ctrl+n creates a code named as typed (parent/name for a sub-code)." if typed
                     else " Type a name and press ctrl+n to create the code.")
        return as_written(said)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        code = next((c for c in self.shown if c.path == event.option.id), None)
        if code is not None:
            self._show_definition(code)

    def _show_definition(self, code: CodeView) -> None:
        parts = [as_written((code.path, "bold"))]
        for label, value in (("Definition", code.definition), ("Include", code.inclusion), ("Exclude", code.exclusion), ("Example", code.example)):
            if value:
                parts.append(as_written((f"{label}:", "bold"), " ", value))
        self.query_one("#picker-definition", Static).update(lines_as_written(parts))

    @on(Input.Submitted, "#picker-query")
    def _submitted(self) -> None:
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is not None and self.shown:
            self._choose(self.shown[options.highlighted].path)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._choose(event.option.id)

    def _choose(self, path: str) -> None:
        """Dismiss with `path` once the codebook is read again, if the code is still in it."""
        if not self._codebook_read:
            self._choice_waiting = path
        elif path in [code.path for code in self.codes]:
            self.dismiss(path)
        else:
            self.query_one("#picker-definition", Static).update(as_written(
                (path, "bold"), " is no longer in the codebook (renamed or deleted by another command): choose again"))

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", "")
        options = self.query_one("#picker-options", OptionList)
        if key in ("down", "up") and self.query_one("#picker-query", Input).has_focus:
            options.action_cursor_down() if key == "down" else options.action_cursor_up()
            getattr(event, "stop", lambda: None)()

    def action_create(self) -> None:
        typed = self.query_one("#picker-query", Input).value.strip()
        if typed:
            self.dismiss(NEW_CODE + typed)

    def action_top(self) -> None:
        self.dismiss(TOP_LEVEL)

    def action_cancel(self) -> None:
        self.dismiss(None)
