"""ReviewScreen: decide about words that may be identifiers, one key per decision.

Shows original words and where they were seen, so it opens only with the key's passphrase;
what is decided is kept in the key at once and applied to stored texts on leaving.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from qualcode.tui.screens.base import QualcodeScreen
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.typed_ahead import TypedKey, hand_over, leave, up_to_leaving
from qualcode.tui.widgets.as_written import as_written, cell, lines_as_written
from qualcode.tui.widgets.footer import KeyFooter
from qualcode.workspace import IdentifierReview

if TYPE_CHECKING:  # the service (and the key's matchers) load when the review opens, not with the UI
    from qualcode.anonymise.service import WaitingName

# key -> (kind, gender); None as the kind dismisses the word for the whole project.
DECISIONS: dict[str, tuple[str | None, str | None]] = {
    "f": ("person", "f"), "m": ("person", "m"), "p": ("person", None), "l": ("place", None),
    "n": ("nav_office", None), "e": ("employer", None), "s": ("school", None), "o": ("other", None),
    "d": (None, None), "w": (None, None),
}
# The key that dismisses a word as no name at all (`anonymise dismiss --not-a-name`): "Nails", only spelt like the key's
# Nils, stays as written; dismissed with d, it is Nils's, and replaced as his name.
NOT_A_NAME = "w"


class ReviewScreen(QualcodeScreen):
    BINDINGS = [
        # Short in the footer, so the keys most used fit in 80 columns, the others in the title; the help says each in full.
        Binding("f", "decide('f')", "Woman", tooltip="Person, a woman", id="review.woman"),
        Binding("m", "decide('m')", "Man", tooltip="Person, a man", id="review.man"),
        Binding("p", "decide('p')", "Person", tooltip="Person, gender unknown", id="review.person"),
        Binding("l", "decide('l')", "Place", id="review.place"),
        Binding("n", "decide('n')", "NAV office", show=False, id="review.office"),
        Binding("e", "decide('e')", "Employer", show=False, id="review.employer"),
        Binding("s", "decide('s')", "School", show=False, id="review.school"),
        Binding("o", "decide('o')", "Other identifier", show=False, id="review.other"),
        Binding("d", "decide('d')", "Dismiss", tooltip="Not an identifier (dismiss for the project); a word only spelt like"
                " a name the key holds is that person's, and stays replaced as their name", id="review.dismiss"),
        Binding(NOT_A_NAME, f"decide('{NOT_A_NAME}')", "No name",
                tooltip="No name at all (dismiss for the project): a word only spelt like a name the key holds"
                        " (Nails, beside Nils) stays as written", id="review.not-a-name"),
        Binding("escape", "back", "Done", id="review.back"),
        Binding("question_mark", "help", "Help", id="review.help"),
    ]

    def __init__(self, review: IdentifierReview, typed_ahead: Iterable[TypedKey] = ()) -> None:
        """`typed_ahead`: keys typed while the key was decrypted: this screen's up to the Escape that leaves it, and
        those after it the screen's under it once it is shown again (`a f d escape s` decides two and sorts)."""
        super().__init__()
        self.review = review
        self.typed_ahead, self.after_leaving = up_to_leaving(self, list(typed_ahead))
        self.pending: list[WaitingName] = list(review.pending)
        self.spelt_alike: frozenset[str] = review.spelt_alike  # those the note says how to keep as written
        # Decided and not yet kept in the key: off the list at once, so a key pressed next decides
        # the candidate shown next (two keys in a hurry both decided the first, the second
        # undoing the first: a name taken as a person, then dismissed), and leaving waits for them.
        self.deciding: list[str] = []
        self._leave_when_kept = False
        self.applying = False  # leaving: the decisions are being applied to the stored texts

    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[str] = DataTable(id="candidates", cursor_type="row", zebra_stripes=True)
        table.add_columns("Possible identifier", "Seen")
        yield table
        yield Static("", id="candidate-contexts")
        yield Static("", id="status")
        yield KeyFooter(compact=True)  # so the keys that matter, and the palette, fit in 80 columns

    def on_mount(self) -> None:
        self.title = "Possible identifiers"
        self.sub_title = "n NAV office · e employer · s school · o other"  # the footer says the rest
        self.query_one(DataTable).focus()
        self._fill(0)
        hand_over(self, self.typed_ahead)
        self.typed_ahead = []

    def _fill(self, row: int) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for candidate in self.pending:
            table.add_row(cell(candidate.text), str(len(candidate.contexts)), key=candidate.text)
        if self.pending:
            table.move_cursor(row=min(row, len(self.pending) - 1))
        self._show(table.cursor_row if self.pending else None)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    def _show(self, row: int | None) -> None:
        contexts = self.query_one("#candidate-contexts", Static)
        if row is None or not 0 <= row < len(self.pending):
            contexts.update("Nothing waits for review. Files held back at import can be imported again now.")
            return
        candidate = self.pending[row]
        # The note first: the panel shows a few lines, and a name in doubt's contexts would push it out of sight.
        note = [as_written(("Note: ", "bold"), (candidate.note, "italic"))] if candidate.note is not None else []
        if candidate.text in self.spelt_alike:
            note.append(as_written((f"{NOT_A_NAME}: ", "bold"), ("if it is no name at all, kept as written", "italic")))
        contexts.update(lines_as_written([as_written((candidate.text, "bold")), *note, *(as_written(c) for c in candidate.contexts)]))

    def action_decide(self, choice: str) -> None:
        table = self.query_one(DataTable)
        if not self.pending or self._leave_when_kept:
            return
        row = table.cursor_row
        text = self.pending[row].text
        kind, gender = DECISIONS[choice]
        self.deciding.append(text)
        self.pending = [candidate for candidate in self.pending if candidate.text != text]
        self._fill(row)
        self._keep(text, kind, gender, not_a_name=choice == NOT_A_NAME)

    def _keep(self, text: str, kind: str | None, gender: str | None, *, not_a_name: bool) -> None:
        self.in_background(
            lambda _workspace: self.review.decide(text, kind, gender, not_a_name=not_a_name),
            lambda decision: self._decided(text, decision.pending, decision.said, decision.spelt_alike), group="review",
            exclusive=False,
            # Refused: the candidate is listed again, as the key still holds it.
            failed=lambda error: self._decided(text, list(self.review.pending), error, self.review.spelt_alike),
        )

    def _decided(self, text: str, pending: list[WaitingName], status: str, spelt_alike: frozenset[str]) -> None:
        self.deciding.remove(text)
        self.spelt_alike = spelt_alike
        row = self.query_one(DataTable).cursor_row
        self.pending = [candidate for candidate in pending if candidate.text not in self.deciding]
        self._fill(row)
        self.query_one("#status", Static).update(as_written(status))
        if self._leave_when_kept and not self.deciding:
            self._leave_when_kept = False
            self.action_back()

    def action_back(self) -> None:
        if self.applying:  # Escape again meanwhile: the decisions are applied once, and the screen leaves after
            return
        if self.deciding:  # applied to the stored texts only once the key holds them
            self._leave_when_kept = True
            self.query_one("#status", Static).update("Keeping the decisions made …")
            return
        self.query_one("#status", Static).update("Applying the decisions to the stored transcripts …")
        self.applying = True

        def applied(status: str) -> None:
            # Escape asked to leave: what was opened over the screen meanwhile (the help) goes with it.
            stack = self.app.screen_stack
            for above in reversed(stack[stack.index(self) + 1:]):
                above.dismiss()
            after, self.after_leaving = self.after_leaving, []
            leave(self, after)
            self.app.notify(status, title="Review", severity="error" if status.startswith("error") else "information", markup=False)

        def apply(_workspace: object) -> str:
            result = self.review.close()
            done = f"pseudonymised {result.replacements} more places" if result.replacements else "nothing more to pseudonymise"
            # A pseudonym like a name accepted here is drawn anew: the researcher's own notes still say the old one.
            done += "".join(f"; {redrawn.said(self.review.learned)}" for redrawn in result.pseudonyms_redrawn)
            if self.review.still_held:  # exports written before: the project cannot change them
                named = ", ".join(path.name for path, _ in self.review.still_held[:5])
                more = f" and {len(self.review.still_held) - 5} more" if len(self.review.still_held) > 5 else ""
                done += f"; files in the project's folder may still hold what was learned, delete them: {named}{more}"
            return done

        self.in_background(apply, applied, group="review", exclusive=False, failed=applied)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
