"""`qualcode undo`, `qualcode redo` and `qualcode history`: the event log."""

from __future__ import annotations

from dataclasses import asdict, replace

import click

from qualcode.cli.context import AppContext, json_option, pass_app
from qualcode.cli.output import emit_json
from qualcode.coding.history import history


@click.command("undo")
@pass_app
def history_undo(app: AppContext) -> None:
    """Undo your most recent change (across sessions and restarts).

    Example: qualcode undo
    """
    with app.workspace() as workspace:
        summary = workspace.undo()
    click.echo(f"undid: {summary}")


@click.command("redo")
@pass_app
def history_redo(app: AppContext) -> None:
    """Redo the change you last undid.

    Example: qualcode redo
    """
    with app.workspace() as workspace:
        summary = workspace.redo()
    click.echo(f"redid: {summary}")


@click.command("history")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True, help="How many events, newest first (0 for all).")
@click.option("--by", "coder_name", help="Only this coder's events.")
@json_option
@pass_app
def history_list(app: AppContext, limit: int, coder_name: str | None, as_json: bool) -> None:
    """Show the audit trail: who changed what, when.

    Example: qualcode history --limit 20
    """
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        events = history(session, limit=limit or None, coder_name=workspace.coder_shown(session, coder_name), coders=workspace.mine())
        # The log's numbers count every coder's changes, and a coding's id every coder's codings: a blind
        # coder is shown neither, their codings named by their handles (Workspace.told).
        blind = workspace.blind
        events = [replace(event, summary=workspace.told(session, event.summary)) for event in events] if blind else events
    if as_json:
        emit_json([asdict(event) | {"id": None, "refers_to": None} for event in events] if blind else events)
        return
    for event in events:
        click.echo(("" if blind else f"{event.id:5}  ") + f"{event.at}  {event.coder or '-':14}  {event.summary}")


COMMANDS = [history_undo, history_redo, history_list]
