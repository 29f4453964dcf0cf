"""`qualcode memo add|list|remove`: memos on the project, transcripts, codes and codings."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import click

from qualcode.cli.context import AppContext, json_option, pass_app
from qualcode.cli.output import emit_json, emit_table
from qualcode.coding.memos import MEMO_KINDS, MemoView, add_memo, list_memos, remove_memo

if TYPE_CHECKING:
    from qualcode.workspace import Workspace


@click.group("memo")
def memo_group() -> None:
    """Write and list memos."""


@memo_group.command("add")
@click.argument("text")
@click.option("--transcript", help="Attach to this transcript.")
@click.option("--code", help="Attach to this code.")
@click.option("--coding", "coding_id", help="Attach to this coding.")
@click.option("--title")
@pass_app
def memo_add(app: AppContext, text: str, transcript: str | None, code: str | None, coding_id: str | None, title: str | None) -> None:
    """Write a memo; without --transcript, --code or --coding it is on the project.

    Example: qualcode memo add "Måltall nevnes bare av ledere" --code måltall-press
    """
    with app.workspace() as workspace, workspace.typed() as session:
        view = add_memo(session, text, workspace.coder(session), transcript_ref=transcript, code_ref=code, coding_ref=coding_id and workspace.seen_coding(session, coding_id), title=title)
        on = workspace.told(session, view.attached_to)  # a blind coder's coding by its handle
    click.echo(f"memo {workspace.memo_shown(view)} on {on}")


@memo_group.command("list")
@click.option("--kind", type=click.Choice(MEMO_KINDS), help="Only memos on the project, transcripts, codes or codings.")
@json_option
@pass_app
def memo_list(app: AppContext, kind: str | None, as_json: bool) -> None:
    """List memos, codings' own memos included.

    Example: qualcode memo list --kind coding
    """
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        # A blind coder's codings and memos by their handles (Workspace.told): ids count everyone's.
        views = workspace.memos_told(session, list_memos(session, kind, workspace.mine()))
    if as_json:
        emit_json(memos_as_shown(views, workspace))
        return
    emit_table(["memo", "on", "author", "text"], [[v.ref, v.attached_to, v.author, " ".join(v.text.split())[:70]] for v in views])


@memo_group.command("remove")
@click.argument("memo_id")
@pass_app
def memo_remove(app: AppContext, memo_id: str) -> None:
    """Remove a memo, by its id or handle (kept in the log; `qualcode undo` restores it).

    Example: qualcode memo remove 3
    """
    with app.workspace() as workspace, workspace.begin() as session:
        view = remove_memo(session, memo_id, workspace.coder(session), workspace.mine())
    click.echo(f"removed memo {workspace.memo_shown(view)}")


def memos_as_shown(views: list[MemoView], workspace: Workspace) -> list[MemoView] | list[dict[str, Any]]:
    """Memos for --json: to a blind coder each with its handle as `id` (Workspace.memo_shown), which
    `memo remove` takes too."""
    return [asdict(view) | {"id": workspace.memo_shown(view)} for view in views] if workspace.blind else views


COMMANDS = [memo_group]
