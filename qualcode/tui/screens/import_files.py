"""ImportScreen: pick files or a folder, set what the files do not say, see the dry run, import with progress.

It does what `qualcode import` does, through the same workspace methods: metadata left empty comes
from each file's front matter and sidecar, a participants CSV is read first, and files held back
for possible identifiers go straight to the identifier review and are imported when it is done.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DirectoryTree, Header, Input, Label, ProgressBar, Static

from qualcode.tui.background import WorkDone
from qualcode.tui.screens.base import QualcodeScreen
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.widgets.footer import KeyFooter
from qualcode.workspace import ImportOutcome, ImportPreview, Workspace

# Field, label, placeholder: the names `qualcode import` takes as options.
FIELDS = (
    ("participant", "Participant", "from the file, or D1"),
    ("role", "Role", "deltaker, veileder, leder …"),
    ("wave", "Round", "T1, T2 …"),
    ("date", "Date", "YYYY-MM-DD"),
    ("fidelity", "Kind", "transcript, referat …"),
    ("participants_csv", "People CSV", "participants.csv, read first"),
)
PARTICIPANTS_CSV = "participants.csv"


def shorter(path: Path) -> str:
    """A path as short as it can be written from where qualcode was started, so it fits in its field."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def describe_chosen(chosen: list[Path]) -> str:
    if not chosen:
        return "Enter on a folder or on files chooses them (Space opens a folder); ctrl+r dry run, ctrl+s import."
    if len(chosen) == 1 and chosen[0].is_dir():
        return f"Folder {chosen[0].name}/ (every transcript in it)"
    return f"{len(chosen)} file{'s' if len(chosen) != 1 else ''}: {', '.join(path.name for path in chosen)}"


def describe_previews(previews: list[ImportPreview]) -> Text:
    """A dry run as the researcher reads it: each file, what would be replaced in context, what waits for review."""
    shown = Text()
    for preview in previews:
        if preview.error:
            shown.append(f"{preview.file}: {preview.error}\n", style="red")
            continue
        shown.append(f"{preview.file}", style="bold")
        count = len(preview.replacements)
        shown.append(f": {count} replacement{'' if count == 1 else 's'}\n")
        for item in preview.replacements:
            shown.append(f"  line {item.line:>3} {item.kind}: " if item.line else f"  front matter {item.kind}: ")
            shown.append(item.original, style="bold")
            shown.append(f" → {item.pseudonym}   …{item.context}…\n")
        if preview.candidates:
            shown.append(f"  held back for review: {', '.join(preview.candidates)}\n", style="yellow")
    shown.append("Dry run: nothing was written." if previews else "No transcripts found in what was chosen.")
    return shown


def describe_outcome(outcome: ImportOutcome, again: bool) -> Text:
    shown = Text()
    if outcome.participants:
        shown.append(outcome.participants + "\n")
    for line in outcome.imported:
        shown.append(line + "\n")
    for line in outcome.skipped:
        shown.append(f"skipped {line}\n", style="dim")
    for line in outcome.failed:
        shown.append(f"failed {line}\n", style="red")
    for path in outcome.held_back:
        shown.append(f"held back {path.name}: possible identifiers wait for review\n", style="yellow")
    shown.append(
        f"{len(outcome.imported)} imported, {len(outcome.skipped)} already present, {len(outcome.failed)} failed"
        + (f", {len(outcome.held_back)} held back" if outcome.held_back else "")
    )
    if outcome.held_back:
        shown.append(
            "\nStill held back: decide about the rest with ctrl+p › Identifiers, then ctrl+s." if again
            else "\nOpening the identifier review; the held-back files are imported when it is done."
        )
    return shown


class ImportScreen(QualcodeScreen):
    BINDINGS = [
        Binding("ctrl+r", "preview", "Dry run", tooltip="What would be replaced, in context; writes nothing", id="import.preview"),
        Binding("ctrl+s", "run", "Import", tooltip="Import what is chosen, with the metadata given", id="import.run"),
        Binding("escape", "back", "Back", id="import.back"),
        Binding("f1", "help", "Help", id="import.help"),
    ]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start
        self.chosen: list[Path] = []
        self.held_back: tuple[Path, ...] = ()
        self.review_seen = False
        # An import is running: ctrl+s or ctrl+r pressed again waits for it. A second import of the
        # same files ran beside it and showed only its own "already present"; a dry run started
        # then superseded the import's result, and the review of files it held back never opened.
        self.importing = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="import-body"):
            yield DirectoryTree(self.start, id="import-tree")
            with Vertical(id="import-form"):
                yield Static(describe_chosen([]), id="import-chosen")
                for field, label, placeholder in FIELDS:
                    with Horizontal(classes="import-field"):
                        yield Label(label, classes="muted")
                        yield Input(placeholder=placeholder, id=f"import-{field}")
        yield ProgressBar(id="import-progress", show_eta=False, classes="hidden")  # shown while importing
        with VerticalScroll(id="import-result"):
            yield Static("", id="import-log")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Import transcripts"
        self.sub_title = "Enter chooses a folder or files"
        tree = self.query_one(DirectoryTree)
        tree.root.set_label(Text(f"{self.start.name}/"))  # the whole path would crowd out the files
        tree.auto_expand = False  # Enter chooses; Space opens and closes folders
        tree.focus()
        self.app.screen_change_signal.subscribe(self, self._screen_changed)

    def _screen_changed(self, screen: Screen[object]) -> None:
        from qualcode.tui.screens.review import ReviewScreen

        if isinstance(screen, ReviewScreen):
            self.review_seen = True

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        """Files are chosen one by one (again to leave one out); a folder chosen before is replaced."""
        path = Path(event.path)
        if path.name == PARTICIPANTS_CSV:
            self.query_one("#import-participants_csv", Input).value = shorter(path)
            return
        chosen = [p for p in self.chosen if not p.is_dir()]
        self.chosen = [p for p in chosen if p != path] if path in chosen else [*chosen, path]
        self._show_chosen()

    @on(DirectoryTree.DirectorySelected)
    def _folder_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        """A folder is the whole folder, as `qualcode import FOLDER`; its participants.csv is offered too."""
        folder = Path(event.path)
        event.node.expand()  # show what the folder holds
        self.chosen = [folder]
        people = self.query_one("#import-participants_csv", Input)
        if (folder / PARTICIPANTS_CSV).is_file() and not people.value:
            people.value = shorter(folder / PARTICIPANTS_CSV)
        self._show_chosen()

    def choose(self, paths: list[Path]) -> None:
        """Choose paths without the tree (a path given on opening, or a test)."""
        self.chosen = list(paths)
        self._show_chosen()

    def _show_chosen(self) -> None:
        self.query_one("#import-chosen", Static).update(Text(describe_chosen(self.chosen)))

    def _metadata(self) -> dict[str, str]:
        return {field: self.query_one(f"#import-{field}", Input).value for field, _, _ in FIELDS if field != "participants_csv"}

    def _participants_csv(self) -> Path | None:
        given = self.query_one("#import-participants_csv", Input).value.strip()
        return Path(given).expanduser() if given else None

    def _log(self, shown: Text | str) -> None:
        self.query_one("#import-log", Static).update(shown if isinstance(shown, Text) else Text(shown))

    def _still_importing(self) -> bool:
        if self.importing:
            self.notify("Still importing: wait for it to finish", title="Import", severity="warning", markup=False)
        return self.importing

    def action_preview(self) -> None:
        if self._still_importing():
            return
        if not self.chosen:
            self._log(describe_chosen([]))
            return
        chosen, metadata = list(self.chosen), self._metadata()
        self._log("Reading the files for a dry run …")
        self.in_background(lambda workspace: workspace.preview_import(chosen, metadata),
                           lambda previews: self._log(describe_previews(previews)), group="import", failed=self._log)

    def action_run(self) -> None:
        if self._still_importing():
            return
        if not self.chosen:
            self._log(describe_chosen([]))
            return
        self._import(list(self.chosen), self._participants_csv(), again=False)

    def _import(self, paths: list[Path], participants_csv: Path | None, *, again: bool) -> None:
        metadata = self._metadata()
        self._log("Importing …")
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.remove_class("hidden")

        def progress(done: int, total: int, name: str) -> None:  # in the worker: only posts
            self.post_message(WorkDone(lambda: self._progress(done, total, name)))

        def work(workspace: Workspace) -> ImportOutcome:
            return workspace.import_files(paths, metadata, participants_csv=participants_csv, progress=progress)

        def failed(message: str) -> None:
            self.importing = False
            self._log(message)

        self.importing = True
        self.in_background(work, lambda outcome: self._imported(outcome, again), group="import", exclusive=False, failed=failed)

    def _progress(self, done: int, total: int, name: str) -> None:
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
        if name:
            self._log(f"Importing {name} ({done + 1} of {total}) …")

    def _imported(self, outcome: ImportOutcome, again: bool) -> None:
        self.importing = False
        self.held_back = outcome.held_back
        self._log(describe_outcome(outcome, again))
        self.notify(f"{len(outcome.imported)} imported", title="Import")
        if outcome.held_back and not again:
            self.review_seen = False
            self.qualcode.action_review()

    def on_screen_resume(self) -> None:
        """Back from the identifier review: the files it held back are imported now."""
        if self.held_back and self.review_seen:
            self.review_seen = False
            self._import(list(self.held_back), None, again=True)

    def action_back(self) -> None:
        self.dismiss()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
