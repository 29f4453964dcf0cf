"""CompareScreen: two coders' codings of one transcript side by side, and a consensus decision per disagreement."""

from __future__ import annotations

from itertools import combinations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, OptionList, Static

from qualcode.coding.consensus import CONSENSUS_CODER, Disagreement, Side
from qualcode.coding.service import widen_to_words
from qualcode.tui.dismissed_once import Dialog
from qualcode.tui.screens.base import QualcodeScreen, Reread
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.widgets.as_written import cell
from qualcode.tui.widgets.footer import KeyFooter
from qualcode.workspace import Workspace

CONTEXT = 80  # characters of text shown either side of a disagreement


class CoderPairPicker(Dialog[tuple[str, str] | None]):
    """Which two of the transcript's coders to compare."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="compare-pick.cancel")]

    def __init__(self, coders: list[str]) -> None:
        super().__init__()
        self.pairs = list(combinations(coders, 2))

    def compose(self) -> ComposeResult:
        yield Static("Compare which two coders?")
        yield OptionList(*(Text(f"{a}  ×  {b}") for a, b in self.pairs), id="compare-pairs")  # names as written, not markup

    @on(OptionList.OptionSelected, "#compare-pairs")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.pairs[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


def marked(text: str, disagreement: Disagreement, edit: tuple[int, int]) -> Text:
    """The passage with context, each run marked by who coded it ([A: …], [B: …], [AB: …]) and the edit span in braces."""
    start = max(0, disagreement.start - CONTEXT)
    end = min(len(text), disagreement.end + CONTEXT)
    cuts = sorted({start, end, *(p for side in (disagreement.a, disagreement.b) if side for span in side.passages for p in span),
                   *edit} & set(range(start, end + 1)))

    def inside(side: Side | None, at: int) -> bool:
        return side is not None and any(left <= at < right for left, right in side.passages)

    shown = Text("…" if start else "")
    for left, right in zip(cuts, cuts[1:], strict=False):
        who = ("A" if inside(disagreement.a, left) else "") + ("B" if inside(disagreement.b, left) else "")
        if left == edit[0]:
            shown.append("{", style="bold")
        piece = text[left:right]
        if who:
            shown.append(f"[{who}: ", style="bold")
            shown.append(piece, style="underline" if who == "AB" else "bold")
            shown.append("]", style="bold")
        else:
            shown.append(piece, style="dim")
        if right == edit[1]:
            shown.append("}", style="bold")
    shown.append("…" if end < len(text) else "")
    return shown


def _spans(side: Side, short: bool = False) -> str:
    """A side's passages as offsets; `short`, for the table, the number of them when there are several."""
    if short and len(side.passages) > 1:
        return f"{len(side.passages)} passages"
    return ", ".join(f"{start}-{end}" for start, end in side.passages)


class CompareScreen(QualcodeScreen):
    """Coders A and B on one transcript: n/N step through disagreements, a/b/2/0/e decide each under the consensus coder,
    r takes a decision back."""

    BINDINGS = [
        Binding("n", "step(1)", "Next", tooltip="The next undecided disagreement", id="compare.next"),
        Binding("N", "step(-1)", "Previous", show=False, tooltip="The previous undecided disagreement", id="compare.previous"),
        Binding("a", "decide('a')", "A's", tooltip="Keep A's passages", id="compare.keep-a"),
        Binding("b", "decide('b')", "B's", tooltip="Keep B's passages", id="compare.keep-b"),
        Binding("2", "decide('both')", "Both", tooltip="Keep the passage either coded, as one coding", id="compare.keep-both"),
        Binding("0", "decide('neither')", "Neither", tooltip="Code nothing here (recorded as decided)", id="compare.keep-neither"),
        Binding("e", "decide('edit')", "Edit", tooltip="Code the span in braces; < > move its end, [ ] its start",
                id="compare.edit"),
        Binding("r", "reopen", "Reopen", show=False,
                tooltip="Take back the decision here, whoever made it, to decide again", id="compare.reopen"),
        Binding("greater_than_sign", "move_edit(1, 1)", "End a word on", show=False, id="compare.edit-end-next"),
        Binding("less_than_sign", "move_edit(1, -1)", "End a word back", show=False, id="compare.edit-end-back"),
        Binding("right_square_bracket", "move_edit(0, 1)", "Start a word on", show=False, id="compare.edit-start-next"),
        Binding("left_square_bracket", "move_edit(0, -1)", "Start a word back", show=False, id="compare.edit-start-back"),
        Binding("ctrl+z", "undo", "Undo", id="compare.undo"),
        Binding("escape", "back", "Back", id="compare.back"),
        Binding("question_mark", "help", "Help", show=False, id="compare.help"),
    ]

    def __init__(self, transcript: str, coder_a: str, coder_b: str) -> None:
        super().__init__()
        self.transcript, self.coder_a, self.coder_b = transcript, coder_a, coder_b
        self.text = ""
        self.found: list[Disagreement] = []
        self.edit: tuple[int, int] = (0, 0)
        self.edit_for: tuple[str, int, int] | None = None  # the disagreement the edit span was made for

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(f"A = {self.coder_a} · B = {self.coder_b} · loading …"), id="compare-where")
        yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="compare-passage-box"):
            yield Static("", id="compare-passage")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.title = f"Compare: {self.transcript}"
        self.sub_title = f"deciding: {self.qualcode.coder_name}"
        table: DataTable[str] = self.query_one(DataTable)
        table.add_column("Line", width=4)
        table.add_column("A", width=1)
        table.add_column("B", width=1)
        table.add_column("Code", width=36)
        table.add_column("Decided", width=12)
        table.focus()
        self.reload(0)

    def reload(self, row: int) -> None:
        """Read the disagreements again (after a decision or an undo), keeping the cursor on `row`."""
        transcript, a, b = self.transcript, self.coder_a, self.coder_b
        self.edit_for = None  # decided: the span shown afresh

        def read(workspace: Workspace) -> tuple[str, list[Disagreement]]:
            return workspace.document(transcript).text, workspace.disagreements(transcript, a, b)

        self.in_background(read, lambda loaded: self._loaded(*loaded, row), group="compare-read", failed=self._failed)

    def reread(self) -> Reread[tuple[str, list[Disagreement]]]:
        """The disagreements as another session has left them (a coder coding on, a decision made or taken back
        elsewhere), the cursor on the same disagreement and the span being edited kept while it is the same."""
        transcript, a, b = self.transcript, self.coder_a, self.coder_b

        def read(workspace: Workspace) -> tuple[str, list[Disagreement]]:
            return workspace.document(transcript).text, workspace.disagreements(transcript, a, b)

        def show(loaded: tuple[str, list[Disagreement]]) -> str | None:
            text, found = loaded
            if (text, found) == (self.text, self.found):
                return None
            where = self._key(self.current) if self.current is not None else None
            row = next((index for index, item in enumerate(found) if self._key(item) == where),
                       self.query_one(DataTable).cursor_row)
            if text != self.text:  # another text version: the span being edited lies elsewhere in it
                self.edit_for = None
            self._loaded(text, found, row)
            return f"the disagreements on {transcript}"

        return Reread(read, show)

    @staticmethod
    def _key(item: Disagreement) -> tuple[str, int, int]:
        """A disagreement by what stays while codings change around it: its code and where it lies."""
        return item.code_path, item.start, item.end

    def _failed(self, message: str) -> None:
        self.query_one("#compare-where", Static).update(Text(message))

    def _loaded(self, text: str, found: list[Disagreement], row: int) -> None:
        self.text, self.found = text, found
        table: DataTable[str | Text] = self.query_one(DataTable)
        table.clear()
        for item in found:
            decided = "neither" if item.kept_neither else "" if item.decided is None else _spans(item.decided, short=True)
            decided += " (stale)" if item.stale else ""
            table.add_row(str(item.line), "A" if item.a else "-", "B" if item.b else "-", cell(item.code_path[:36]), decided)  # a table reads strings as markup
        open_count = sum(not item.settled for item in found)
        self.query_one("#compare-where", Static).update(Text(
            f"A = {self.coder_a} · B = {self.coder_b} · {len(found)} disagreements, {open_count} undecided"))
        if found:
            table.move_cursor(row=min(row, len(found) - 1))
            self._show()
        else:
            self.query_one("#compare-passage", Static).update(Text("The two coders agree on this transcript."))

    @property
    def current(self) -> Disagreement | None:
        table = self.query_one(DataTable)
        return self.found[table.cursor_row] if self.found and 0 <= table.cursor_row < len(self.found) else None

    @on(DataTable.RowHighlighted, "#compare-table")
    def _highlighted(self) -> None:
        self._show()

    def _show(self, keep_edit: bool = False) -> None:
        item = self.current
        if item is None:
            return
        # The edit span is kept while its disagreement is shown, also through another session's change read again.
        if not keep_edit and self._key(item) != self.edit_for:
            self.edit = (item.start, item.end)
        self.edit_for = self._key(item)
        decided = (
            " · decided: neither" if item.kept_neither else "" if item.decided is None
            else f" · decided: {CONSENSUS_CODER} coded {_spans(item.decided)}"
        )
        if item.stale:  # decided on codings that changed since: to be taken back and decided again
            decided += f" · stale: {item.stale}; to decide again, take the decision back (r)"
        heading = Text(f"{item.code_path} · line {item.line}{decided}\n", style="bold")
        self.query_one("#compare-passage", Static).update(heading + marked(self.text, item, self.edit))

    def action_step(self, by: int) -> None:
        table = self.query_one(DataTable)
        rows = range(table.cursor_row + by, len(self.found) if by > 0 else -1, by)
        target = next((row for row in rows if not self.found[row].settled), None)
        if target is None:
            self.notify("No undecided disagreement " + ("after" if by > 0 else "before") + " this one", title="Compare")
        else:
            table.move_cursor(row=target)

    def action_move_edit(self, which: int, by: int) -> None:
        """Move the edit span's start (0) or end (1) to the next or previous word boundary."""
        if self.current is None:
            return
        ends = list(self.edit)
        at = ends[which] + by
        while 0 < at < len(self.text) and self.text[at].isalnum() == self.text[at - 1].isalnum():
            at += by
        ends[which] = max(0, min(at, len(self.text)))
        if ends[0] < ends[1]:
            self.edit = widen_to_words(self.text, ends[0], ends[1])
            self._show(keep_edit=True)

    def action_decide(self, choice: str) -> None:
        item = self.current
        if item is None:
            return
        row = self.query_one(DataTable).cursor_row
        edit = self.edit if choice == "edit" else None

        def done(message: str) -> None:
            self.notify(message, title="Consensus", markup=False)
            self.reload(row)

        def refused(message: str) -> None:
            self.notify(message, title="Not decided", severity="error", markup=False)
            self.reload(row)  # a disagreement that changed meanwhile is shown as it is now

        self.in_background(lambda workspace: workspace.decide(item, choice, edit), done, group="compare-decide",
                           exclusive=False, failed=refused)

    def action_reopen(self) -> None:
        item = self.current
        if item is None:
            return
        row = self.query_one(DataTable).cursor_row

        def done(message: str) -> None:
            self.notify(message, title="Reopened", markup=False)
            self.reload(row)

        def refused(message: str) -> None:
            self.notify(message, title="Not reopened", severity="error", markup=False)
            self.reload(row)

        self.in_background(lambda workspace: workspace.reopen(item), done, group="compare-decide", exclusive=False,
                           failed=refused)

    def action_undo(self) -> None:
        row = self.query_one(DataTable).cursor_row

        def done(summary: str) -> None:
            self.notify(f"undid: {summary}", title="Undo", markup=False)
            self.reload(row)

        self.in_background(lambda workspace: workspace.undo(), done, group="compare-decide", exclusive=False,
                           failed=lambda message: self.notify(message, severity="error", markup=False))

    def action_back(self) -> None:
        self.dismiss()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))

