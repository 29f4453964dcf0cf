"""ExportScreen: a Word report or a quote table of a code's passages, as `qualcode export report|quotes`.

The code and filter come from where it was opened (the passages browser's code and its current
filter); attribution, language and file name are chosen in the form. The path written and any
warnings (labels that may identify a small group) are shown.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Input, Label, ProgressBar, Select, Static

from qualcode.coding.passages import QuoteFilter
from qualcode.errors import InvalidInput
from qualcode.tui.background import WorkDone
from qualcode.tui.screens.base import QualcodeScreen, Reread
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.screens.segments import known_fields, matches, parse_filter
from qualcode.tui.widgets.footer import KeyFooter
from qualcode.workspace import Workspace

if TYPE_CHECKING:
    from qualcode.codebook.service import CodeView
    from qualcode.workspace import ExportResult

KINDS = (("Word report (.docx)", "report"), ("Quote table (.xlsx)", "xlsx"), ("Quote table (.csv)", "csv"))
ATTRIBUTIONS = (
    ("En deltaker / Veileder (role)", "role"), ("Veileder, kontor B (role-office)", "role-office"),
    ("Veileder, T1 (role-wave)", "role-wave"), ("D1, T1, transcript, line (full)", "full"),
)
LANGUAGES = (("Norsk bokmål", "nb"), ("English", "en"))
def selection(workspace: Workspace, code_path: str, filter_text: str, within: tuple[int, ...] | None = None) -> QuoteFilter:
    """The passages the browser shows for this code and filter, read by the browser's own filter,
    so the export holds exactly those (round:1, quoted values, attributes and words alike).
    With `within` (the codings behind an analysis cell), those codings instead of the code's."""
    if within is not None and not within:
        raise InvalidInput("this cell has no passages to export", "go back and choose a cell with a count")
    chosen = QuoteFilter(codings=within) if within is not None else QuoteFilter(codes=(code_path,) if code_path else ())
    if not filter_text.strip():
        return chosen
    quotes = workspace.quotes_of(within) if within is not None else workspace.passages(code_path)
    attributes = {name for quote in quotes for name in quote.attributes}
    parsed = parse_filter(filter_text, attributes)
    if parsed.unknown:
        raise InvalidInput(f"no field {', '.join(repr(f) for f in parsed.unknown)}", f"filter by {known_fields(attributes)}")
    shown = tuple(quote.coding_id for quote in quotes if matches(quote, parsed))
    if not shown:
        raise InvalidInput("the filter leaves no passage to export", "change the filter, or clear it to export every passage")
    return replace(chosen, codings=shown)


def describe_export(done: ExportResult) -> Text:
    shown = Text()
    shown.append("Wrote ")
    shown.append(str(done.path), style="bold")
    shown.append(f": {done.summary}")
    for warning in done.warnings:
        shown.append(f"\nwarning: {warning}", style="yellow")
    return shown


class ExportScreen(QualcodeScreen):
    BINDINGS = [
        Binding("ctrl+s", "export", "Export", tooltip="Write the file chosen in the form", id="export.run"),
        Binding("escape", "back", "Back", id="export.back"),
        Binding("f1", "help", "Help", id="export.help"),
    ]

    def __init__(self, code_path: str = "", filter_text: str = "", within: tuple[int, ...] | None = None,
                 scope: str | None = None) -> None:
        """The form for a code and filter; with `within`, for those codings only (an analysis cell's
        passages, named `scope`), and the code cannot be changed."""
        super().__init__()
        self.code_path = code_path
        self.filter_text = filter_text
        self.within = within
        self.scope = scope
        self.writing = False  # an export is being written: ctrl+s pressed again waits for it, not a second file
        self.code_guid: str | None = None  # the code filled in, by what stays when another session renames it

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="export-form"):
            with Horizontal(classes="form-row"):
                yield Label("Code", classes="muted")
                yield Input(self.scope or self.code_path if self.within is not None else self.code_path,
                            placeholder="every code", id="export-code", compact=True, disabled=self.within is not None)
            with Horizontal(classes="form-row"):
                yield Label("Filter", classes="muted")
                yield Input(self.filter_text, placeholder="role:veileder round:T1 office:kontor B …", id="export-filter", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("What", classes="muted")
                yield Select(KINDS, value="report", allow_blank=False, id="export-kind", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Attribution", classes="muted")
                yield Select(ATTRIBUTIONS, value="role", allow_blank=False, id="export-attribution", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Language", classes="muted")
                yield Select(LANGUAGES, value="nb", allow_blank=False, id="export-language", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Title", classes="muted")
                yield Input(placeholder="the project's name (reports only)", id="export-title", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("File name", classes="muted")
                yield Input(placeholder=self._default_name("report", "nb"), id="export-file", compact=True)
        yield ProgressBar(id="export-progress", show_eta=False, classes="hidden")  # shown while writing
        yield Static(Text("ctrl+s writes the file; Escape goes back."), id="export-result")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Export"
        self.code_guid = next((code.guid for code in self.qualcode.codes if code.path == self.code_path), None)
        self._say_where()
        self.query_one("#export-kind", Select).focus()

    def _default_name(self, kind: str, language: str) -> str:
        """What the file name field says is written when it is left empty, for the kind and language chosen."""
        return f"default: {self.qualcode.workspace.default_export_name(kind, language)}, never overwritten"

    @on(Select.Changed, "#export-kind, #export-language")
    def _name_the_default(self) -> None:
        self.query_one("#export-file", Input).placeholder = self._default_name(self._value("export-kind"), self._value("export-language"))

    def _say_where(self) -> None:
        shown = self.scope or self.code_path if self.within is not None else self.code_path
        self.sub_title = f"{shown or 'every code'}{' · ' + self.filter_text if self.filter_text else ''}"

    def reread(self) -> Reread[list[CodeView]] | None:
        """The code filled in, as another session has left it: renamed or moved, the field follows it unless
        something else was typed there; merged or deleted, the result line says so before ctrl+s is pressed.
        The other fields are left as typed."""
        if self.within is not None or self.code_guid is None:
            return None  # an analysis cell's codings, or every code: nothing named here to follow
        guid, filled = self.code_guid, self.code_path

        def show(codes: list[CodeView]) -> str | None:
            if self.code_guid != guid or self.code_path != filled:
                return None
            field = self.query_one("#export-code", Input)
            now = next((code.path for code in codes if code.guid == guid), None)
            if now == filled:
                return None
            if now is None:
                self.code_guid = None
                self._show(Text(f"{filled} is no longer in the codebook (merged or deleted in another session):"
                                " choose another code, or clear the field to export every code", style="yellow"))
                return f"the code {filled}"
            self.code_path = now
            if field.value.strip() == filled:  # as filled in, not typed over: it follows the code
                field.value = now
            self._say_where()
            return f"the code {filled}, now {now}"

        return Reread(lambda workspace: workspace.codes(), show)

    def _value(self, widget_id: str) -> str:
        return str(self.query_one(f"#{widget_id}", Select).value)

    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def action_export(self) -> None:
        if self.writing:
            self.notify("The export is still being written: wait for it (ctrl+s once it is written writes another file)",
                        title="Export", severity="warning", markup=False)
            return
        code_path, filter_text, within = self._text("export-code"), self._text("export-filter"), self.within
        kind, attribution, language = self._value("export-kind"), self._value("export-attribution"), self._value("export-language")
        named = Path(self._text("export-file")).expanduser() if self._text("export-file") else None
        title = self._text("export-title") or None
        self._show(Text("Writing …"))
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.query_one(ProgressBar).remove_class("hidden")

        def progress(done: int, total: int) -> None:  # in the worker: only posts
            self.post_message(WorkDone(lambda: self.query_one(ProgressBar).update(total=max(total, 1), progress=done)))

        def work(workspace: Workspace) -> ExportResult:
            chosen, output = selection(workspace, code_path, filter_text, within), workspace.in_exports(named)
            if kind == "report":
                return workspace.export_report(chosen, attribution=attribution, language=language, output=output,
                                               title=title, progress=progress)
            return workspace.export_quote_table(chosen, table_format=kind, attribution=attribution, language=language,
                                                output=output, progress=progress)

        def refused(error: str) -> None:
            self.writing = False
            # Nothing is being written any more: a bar left running under the refusal said otherwise.
            self.query_one(ProgressBar).add_class("hidden")
            self._show(Text(error, style="red"))

        self.writing = True
        self.in_background(work, self._written, group="export", exclusive=False, failed=refused,
                           said_if_left=lambda done: f"Export: wrote {done.path}")

    def _written(self, done: ExportResult) -> None:
        self.writing = False
        self.query_one(ProgressBar).update(total=1, progress=1)
        self._show(describe_export(done))
        self.notify(f"wrote {done.path.name}", title="Export", markup=False)

    def _show(self, shown: Text) -> None:
        self.query_one("#export-result", Static).update(shown)

    def action_back(self) -> None:
        self.dismiss()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(list(self.BINDINGS)))
