"""`qualcode review import|list`: reviewers' Word comments back as memos."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.context import AppContext, json_option, pass_app
from qualcode.cli.memo import memos_as_shown
from qualcode.cli.output import emit_json, note
from qualcode.exporters.review import review_memos
from qualcode.text.counts import counted


@click.group("review")
def review_group() -> None:
    """Bring reviewers' Word comments back as memos."""


@review_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
@pass_app
def review_import(app: AppContext, file: Path, as_json: bool) -> None:
    """Read the comments in a reviewed report and store each as a memo on the quote it discusses.

    Example: qualcode review import rapport-kommentert.docx
    """
    with app.workspace() as workspace:
        result = workspace.import_review_file(file)
    if as_json:
        emit_json(result)
        return
    for placed in result.placed:
        status = "attached to" if placed.new else "already on"
        click.echo(f"{placed.author}: {status} {placed.attached_to}: {' '.join(placed.text.split())[:60]}")
    for unplaced in result.unplaced:
        click.echo(f"{unplaced.author}: could not place {' '.join(unplaced.text.split())[:40]!r}: {unplaced.why}")
    for tracked in result.tracked_changes:
        note(tracked.note)
    for edited in result.edited_quotes:
        note(edited.note)
    for alike in result.alike_before:
        note(alike.note)
    new = sum(1 for p in result.placed if p.new)
    note(f"{counted(new, 'new memo')}, {len(result.placed) - new} already imported, {len(result.unplaced)} not placed")


@review_group.command("list")
@json_option
@pass_app
def review_list(app: AppContext, as_json: bool) -> None:
    """Show reviewers' memos by code.

    Example: qualcode review list
    """
    with app.workspace() as workspace, workspace.begin() as session:
        # A blind coder's codings by their handles (Workspace.told): ids count everyone's codings.
        grouped = {code: workspace.memos_told(session, memos) for code, memos in review_memos(session, workspace.mine()).items()}
    if as_json:
        emit_json({code: memos_as_shown(memos, workspace) for code, memos in grouped.items()})
        return
    if not grouped:
        note("no reviewers' comments yet: `qualcode review import FILE.docx` brings a commented report's comments in")
    for code, memos in grouped.items():
        click.echo(code)
        for memo in memos:
            click.echo(f"    {memo.author} on {memo.attached_to}: {' '.join(memo.text.split())[:70]}")


COMMANDS = [review_group]
