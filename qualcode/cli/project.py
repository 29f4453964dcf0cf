"""`qualcode init` and `qualcode status`: create a project and see it at a glance."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from qualcode.analysis.summary import project_summary
from qualcode.cli.context import AppContext, ask_passphrase, json_option, pass_app
from qualcode.cli.output import emit_json, note
from qualcode.errors import InvalidInput
from qualcode.text.counts import counted


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path), default=".")
@click.option("--codebook", "codebook_path", type=click.Path(path_type=Path), help="Codebook YAML to load instead of the KVP codebook (a .qdc: `codebook import` it after `init --empty`).")
@click.option("--empty", is_flag=True, help="Start without any codebook.")
@click.option("--name", help="Project name (default: the directory name).")
@pass_app
def project_init(app: AppContext, directory: Path, codebook_path: Path | None, empty: bool, name: str | None) -> None:
    """Create a project in DIRECTORY with the KVP codebook loaded, and its encrypted pseudonym key.

    Example: qualcode init kvp-evaluering
    """
    from qualcode.codebook.shipped import KVP_CODEBOOK
    from qualcode.codebook.yaml_format import load_codebook  # PyYAML, which `status` does not need
    from qualcode.exchange.codebook_file import codebook_kind, load_any_codebook
    from qualcode.workspace import Workspace

    kind = codebook_kind(codebook_path) if codebook_path is not None else "yaml"
    if codebook_path is not None and kind == "zip":
        load_any_codebook(codebook_path)  # refused in one line, naming the command that imports a project
    if codebook_path is not None and kind == "qdc":
        # Its GUIDs, which a colleague's later files are matched by, are kept by `codebook import`, which also
        # reads its names for review with the project's key: there is none before the project is made.
        raise InvalidInput(f"{codebook_path.name} is a REFI-QDA codebook (.qdc), which `init --codebook` does not read",
                           f"create the project with `qualcode init {shlex.quote(str(directory))} --empty`, then"
                           f" `qualcode codebook import {shlex.quote(str(codebook_path))}`")
    # Read the codebook before creating anything, so a bad file leaves no half-made project.
    codebook = None if empty else load_codebook(codebook_path or KVP_CODEBOOK)
    with Workspace.create(directory, app.config, codebook=codebook, name=name, ask_passphrase=ask_passphrase, report=note) as workspace:
        click.echo(f"created project in {workspace.root}")


@click.command("status")
@json_option
@pass_app
def project_status(app: AppContext, as_json: bool) -> None:
    """Show the project at a glance: transcripts, participants, codes and codings.

    Example: qualcode status --json
    """
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        summary = project_summary(session, workspace.mine())
    if as_json:
        emit_json(summary)
        return
    click.echo(f"Project {summary.name}" + (f" — codebook {summary.codebook}" if summary.codebook else ""))
    click.echo(f"  {counted(summary.transcripts, 'transcript')}, {_counted_number(summary.words, 'word')},"
               f" {_counted_number(summary.turns, 'speaker turn')}")
    if summary.transcripts_by_wave:
        click.echo("  by wave: " + ", ".join(f"{wave} {count}" for wave, count in summary.transcripts_by_wave.items()))
    if summary.transcripts_by_fidelity:
        click.echo("  by kind: " + ", ".join(f"{kind} {count}" for kind, count in sorted(summary.transcripts_by_fidelity.items())))
    people = sum(summary.participants_by_role.values())
    roles = ", ".join(f"{role} {count}" for role, count in sorted(summary.participants_by_role.items()))
    click.echo(f"  {counted(people, 'participant')}" + (f": {roles}" if roles else ""))
    click.echo(f"  {counted(summary.codes, 'code')}, {counted(summary.codings, 'coding')} by {counted(summary.coders, 'coder')}, "
               f"{counted(summary.memos, 'memo')}")
    for code, count in summary.codings_by_top_code.items():
        click.echo(f"    {code}: {count}")
    if summary.orphaned:
        click.echo(f"  {counted(summary.orphaned, 'coding')} lost {'their' if summary.orphaned > 1 else 'its'} place in a"
                   " replaced text, kept for review: `qualcode coding list --orphaned`")
    if summary.withdrawn is not None:
        click.echo(f"  {summary.withdrawn.note}")


def _counted_number(value: int, singular: str) -> str:
    """"1 word", "12 345 words": counted, with thousands grouped by spaces, as Norwegian readers write them."""
    return f"{value:,}".replace(",", " ") + f" {singular if value == 1 else singular + 's'}"


COMMANDS = [project_init, project_status]
