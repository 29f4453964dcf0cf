"""`qualcode export report|quotes|qdpx`: Word reports, quote tables and REFI-QDA projects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualcode.cli.context import AppContext, json_option, language_option, pass_app
from qualcode.cli.output import emit_json, note
from qualcode.cli.progress import progress_bar, wants_progress
from qualcode.coding.passages import QuoteFilter, parse_attributes
from qualcode.text.counts import counted

if TYPE_CHECKING:
    from qualcode.workspace import ExportResult


def selection_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options that choose quotes, shared by every export."""
    options = [
        click.option("--code", "codes", multiple=True, help="A code to include (with its sub-codes); repeat for more."),
        click.option("--only", is_flag=True, help="Leave out sub-codes of --code."),
        click.option("--role", "roles", multiple=True, help="Only what speakers of this role said; repeatable."),
        click.option("--wave", "waves", multiple=True, help="Only this interview round; repeatable."),
        click.option("--participant", "participants", multiple=True, help="Only this participant; repeatable."),
        click.option("--transcript", "transcripts", multiple=True, help="Only this transcript; repeatable."),
        click.option("--by", "coders", multiple=True, help="Only codings by this coder; repeatable."),
        click.option("--attribute", "attributes", multiple=True, help="NAME=VALUE on the participant or transcript; 'NAME=(not stated)' for none; repeatable."),
        click.option("--query", help="Only quotes holding a hit for this search query."),
        click.option("--cap", type=int, help="At most this many quotes per participant under each code."),
        click.option("--order", type=click.Choice(["participant", "date"]), default="participant", show_default=True),
        click.option("--attribution", default="role", show_default=True,
                     help="role, role-office, role-wave, full, or a template such as '{role_name}, {wave}'."),
        language_option,
        click.option("--output", type=click.Path(path_type=Path), help="File to write (default: exports/ in the project)."),
        click.option("--force", is_flag=True,
                     help="Overwrite the file named by --output. Default names are never overwritten: a taken one gets -2, -3 …"),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _filter(options: dict[str, Any]) -> QuoteFilter:
    return QuoteFilter(
        codes=options["codes"], include_subcodes=not options["only"], roles=options["roles"], waves=options["waves"],
        participants=options["participants"], transcripts=options["transcripts"], coders=options["coders"],
        attributes=parse_attributes(options["attributes"]), query=options["query"], cap_per_participant=options["cap"], order=options["order"],
    )


def _advance(step: Callable[..., None] | None) -> Callable[[int, int], None] | None:
    """The exporters' progress(done, total) as steps of the bar."""
    if step is None:
        return None
    shown = [0]

    def advance(done: int, total: int) -> None:
        step(advance=done - shown[0], total=total)
        shown[0] = done

    return advance


def _report(result: ExportResult, as_json: bool) -> None:
    if as_json:
        emit_json(result)
        return
    for warning in result.warnings:
        note(f"warning: {warning}")
    click.echo(f"wrote {result.path}: {result.summary}")


@click.group("export")
def export_group() -> None:
    """Export themed quote collections as Word reports and quote tables, and the project as REFI-QDA."""


@export_group.command("report")
@selection_options
@click.option("--title", help="Report title (default: the project name).")
@click.option("--context", is_flag=True, help="Show the turn before and after each quote.")
@click.option("--memos", is_flag=True, help="Include each coding's memo as a note.")
@click.option("--framework", is_flag=True,
              help="Add the framework matrix (summaries per participant and code; --code, --participant, --role choose) as a chapter.")
@click.option("--matrix", "matrices", multiple=True, metavar="ATTRIBUTE",
              help="Add the code × ATTRIBUTE matrix (role, wave, office, participant, transcript, coder, fidelity or a typed "
              "attribute; NAME,NAME crosses two) as a Word table in an analysis chapter; repeatable.")
@click.option("--figures", is_flag=True, help="Add heatmaps of the --matrix tables and of code co-occurrence (overlapping passages).")
@json_option
@pass_app
def export_report_command(
    app: AppContext, /, title: str | None, context: bool, memos: bool, framework: bool, matrices: tuple[str, ...], figures: bool,
    as_json: bool, **options: Any,
) -> None:
    """Write a Word report: a chapter per top-level code, a section per sub-code, quotes with attribution.

    Example: qualcode export report --code måltall-press --role veileder --cap 3 --attribution role-office

    Example: qualcode export report --matrix role --matrix wave --figures
    """
    with app.workspace(read_only=True, keeps=True) as workspace:  # an export only reads the project
        key = workspace.leak_check_key()  # before the bar is drawn: reading it may ask for the passphrase
        with progress_bar("writing quotes", None, show=wants_progress(as_json)) as step:
            result = workspace.export_report(
                _filter(options), title=title, attribution=options["attribution"], language=options["language"],
                context=context, memos=memos, framework=framework, matrices=matrices, figures=figures,
                output=options["output"], force=options["force"], key=key, progress=_advance(step),
            )
    _report(result, as_json)


@export_group.command("quotes")
@selection_options
@click.option("--format", "table_format", type=click.Choice(["csv", "xlsx"]), default="xlsx", show_default=True)
@json_option
@pass_app
def export_quotes_command(app: AppContext, /, table_format: str, as_json: bool, **options: Any) -> None:
    """Write a quote table, one row per quote, with code levels, attribution, attributes, position and memo.

    Example: qualcode export quotes --format csv --code empowerment
    """
    with app.workspace(read_only=True, keeps=True) as workspace:  # an export only reads the project
        key = workspace.leak_check_key()  # before the bar is drawn, as for a report
        with progress_bar("writing quotes", None, show=wants_progress(as_json)) as step:
            result = workspace.export_quote_table(
                _filter(options), table_format=table_format, attribution=options["attribution"], language=options["language"],
                output=options["output"], force=options["force"], key=key, progress=_advance(step),
            )
    _report(result, as_json)


class _UnlistedArgument(click.Argument):
    """A positional argument kept for the scripts that pass it, left out of the usage line: the help shows
    the one way every export names its file (--output)."""

    def get_usage_pieces(self, ctx: click.Context) -> list[str]:
        return []


@export_group.command("qdpx")
@click.argument("path", type=click.Path(path_type=Path), required=False, cls=_UnlistedArgument)
@click.option("--output", type=click.Path(path_type=Path), help="File to write (default: exports/ in the project).")
@click.option("--force", is_flag=True,
              help="Overwrite the file named by --output. The default name is never overwritten: a taken one gets -2, -3 …")
@json_option
@pass_app
def export_qdpx_command(app: AppContext, path: Path | None, output: Path | None, force: bool, as_json: bool) -> None:
    """Write the whole project as a REFI-QDA .qdpx for NVivo, ATLAS.ti, MAXQDA and others (default: exports/).

    Example: qualcode export qdpx --output exports/kvp-studie.qdpx
    """
    from qualcode.exchange.project_export import export_qdpx
    from qualcode.exporters.publish import TargetExists

    if path is not None and output is not None and path != output:
        raise click.UsageError(f"two files named, {str(path)!r} and --output {str(output)!r}: name the file once, with --output")
    path = output or path
    with app.workspace(read_only=True, keeps=True) as workspace:  # an export only reads the project
        workspace.refuse_if_blind("a .qdpx of the whole project")
        key = workspace.leak_check_key()
        try:
            with workspace.begin() as session:
                result = export_qdpx(session, workspace.root, path, force, key)
        except TargetExists as error:
            error.hint = "pass --force to overwrite it, or give another file with --output"
            raise
    if as_json:
        emit_json(result)
        return
    for line in [*result.warnings, *(f"left out {reason}" for reason in result.left_out)]:
        note(f"warning: {line}")
    click.echo(f"wrote {result.path}: {counted(result.sources, 'transcript')}, {counted(result.codings, 'coding')},"
               f" {counted(result.notes, 'memo')}, {counted(result.cases, 'participant')}")


COMMANDS = [export_group]
