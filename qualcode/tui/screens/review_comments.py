"""ReviewCommentsScreen: read a commented report back, see which quote or code each comment went to, jump there.

The same as `qualcode review import`: each comment becomes a memo on the coding of the quote it
discusses (else its section's code, else the project); importing a file again adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, DirectoryTree, Header, Static

from qualcode.text.counts import counted
from qualcode.tui.screens.base import QualcodeScreen
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.widgets.footer import KeyFooter
from qualcode.workspace import ReviewComment, ReviewRead, review_read


class WordFiles(DirectoryTree):
    """Folders and Word files only: a commented report is a .docx."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths if path.is_dir() or path.suffix.lower() == ".docx"]


def describe_comment(comment: ReviewComment) -> Text:
    shown = Text()
    shown.append(comment.author, style="bold")
    shown.append(f" → {comment.attached_to}")
    if comment.transcript is not None:
        shown.append(f" ({comment.code}, in {comment.transcript}; Enter goes there)")
    elif comment.code is not None and not comment.attached_to.startswith("code"):
        shown.append(f" ({comment.code})")
    shown.append("\n" + " ".join(comment.text.split()))
    return shown


class ReviewCommentsScreen(QualcodeScreen):
    BINDINGS = [
        Binding("enter", "jump", "Go to coding", tooltip="Open the transcript at the quote the comment is on", id="comments.jump"),
        Binding("escape", "back", "Back", id="comments.back"),
        Binding("question_mark", "help", "Help", id="comments.help"),
    ]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start
        self.comments: list[ReviewComment] = []
        self.summary = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="comments-body"):
            yield WordFiles(self.start, id="comments-tree")
            with Vertical(id="comments-side"):
                table: DataTable[str] = DataTable(id="comments", cursor_type="row", zebra_stripes=True)
                table.add_columns("Reviewer", "Attached to", "Comment")
                yield table
                yield Static(Text("Choose a commented report (.docx) on the left."), id="comment-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Reviewers' comments"
        self.sub_title = "Enter on a commented report reads it"
        tree = self.query_one(WordFiles)
        tree.root.set_label(Text(f"{self.start.name}/"))  # the whole path would crowd out the files
        tree.focus()

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.read(Path(event.path))

    def read(self, path: Path) -> None:
        """Store the comments in `path` as memos and show where each went."""
        self._detail(Text(f"Reading the comments in {path.name} …"))
        self.in_background(lambda workspace: review_read(workspace.import_review_file(path)), lambda read: self._read(path, read),
                           group="comments", failed=lambda error: self._detail(Text(error, style="red")))

    def _read(self, path: Path, read: ReviewRead) -> None:
        self.comments = comments = read.comments
        table = self.query_one(DataTable)
        table.clear()
        for comment in comments:
            table.add_row(Text(comment.author), Text(comment.attached_to), Text(" ".join(comment.text.split())[:60]))
        new = sum(1 for comment in comments if comment.new)
        placed = sum(1 for comment in comments if not comment.attached_to.startswith("not placed"))
        self.summary = f"{path.name}: {counted(new, 'new memo')}, {placed - new} already imported, {len(comments) - placed} not placed"
        # A reviewer who edited the text with track changes on is told, as on the command line.
        self.summary += "".join(f"\n{note}" for note in read.notes)
        if comments:
            table.focus()
            table.move_cursor(row=0)
        self._show(0 if comments else None)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    def _show(self, row: int | None) -> None:
        if row is None or not 0 <= row < len(self.comments):
            self._detail(Text(f"{self.summary}\nThe report has no comments."))
            return
        self._detail(Text(self.summary + "\n", style="dim") + describe_comment(self.comments[row]))

    def _detail(self, shown: Text) -> None:
        self.query_one("#comment-detail", Static).update(shown)

    def action_jump(self) -> None:
        table = self.query_one(DataTable)
        if not self.comments or not table.row_count:
            return
        comment = self.comments[table.cursor_row]
        if comment.transcript is None:
            self.notify("This comment is not on a quote: it is kept on " + comment.attached_to, markup=False)
            return
        self.qualcode.open_transcript(comment.transcript, comment.start)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_jump()

    def action_back(self) -> None:
        self.dismiss()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
