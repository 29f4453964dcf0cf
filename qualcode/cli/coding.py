"""`qualcode coding add|list|remove|resize|recode|memo`: coding from scripts."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import click

from qualcode.cli.context import AppContext, json_option, pass_app
from qualcode.cli.output import emit_json, emit_table, note
from qualcode.coding.service import (
    CodingView,
    add_coding,
    list_codings,
    recode_coding,
    remove_coding,
    resize_coding,
    set_coding_memo,
)
from qualcode.errors import InvalidInput

if TYPE_CHECKING:
    from qualcode.workspace import Workspace


@click.group("coding")
def coding_group() -> None:
    """Apply, list, remove and resize codings."""


def _print(view: CodingView, verb: str, workspace: Workspace) -> None:
    shown = workspace.coding_shown(view)
    if not view.changed:
        click.echo(f"coding {shown}: nothing changed (it was already so)")
        return
    click.echo(f"{verb} coding {shown}: {view.transcript} line {view.line} {view.start}-{view.end} {view.code_path}: {' '.join(view.excerpt.split())[:70]}")
    if view.cut_words:
        words = " and ".join(repr(word) for word in view.cut_words)
        note(f"note: coding {shown} starts or ends inside {words}, as the offsets given say; "
             f"`coding resize {shown}` moves its edges, and `--match` codes whole words")


def _as_shown(views: list[Any], workspace: Workspace) -> list[Any]:
    """Codings (or orphaned ones) for --json: to a blind coder, each named by its handle in place of its id
    (Workspace.coding_shown), which the commands that take an id take too."""
    return [asdict(view) | {"id": workspace.coding_shown(view)} for view in views] if workspace.blind else views


@coding_group.command("add")
@click.argument("transcript")
@click.argument("code")
@click.option("--start", type=int, help="Start offset (code points, 0-based).")
@click.option("--end", type=int, help="End offset (exclusive).")
@click.option("--match", help="Code the one passage with exactly this text, as whole words.")
@click.option("--partial", is_flag=True, help="Let --match start or end inside a word.")
@click.option("--memo", help="A memo on the coding.")
@json_option
@pass_app
def coding_add(
    app: AppContext, transcript: str, code: str, start: int | None, end: int | None, match: str | None, partial: bool,
    memo: str | None, as_json: bool,
) -> None:
    """Code a passage, given by offsets or by quoting it.

    Example: qualcode coding add deltaker_D1_T1 empowerment --match "fikk mer selvtillit"
    """
    with app.workspace() as workspace, (workspace.typed() if memo else workspace.begin()) as session:
        view = add_coding(
            session, transcript, code, workspace.coder(session), start=start, end=end, match=match, partial=partial, memo=memo,
            blind=workspace.blind,
        )
    emit_json(_as_shown([view], workspace)[0]) if as_json else _print(view, "added", workspace)


@coding_group.command("list")
@click.option("--transcript")
@click.option("--code", help="A code; its sub-codes are included.")
@click.option("--only", is_flag=True, help="Leave out sub-codes of --code.")
@click.option("--by", "coder_name", help="Only codings by this coder.")
@click.option("--removed", is_flag=True, help="Include removed codings.")
@click.option("--orphaned", is_flag=True, help="Only codings a replaced text left with no place, for review.")
@click.option("--attribute", "attributes", multiple=True,
              help="NAME=VALUE on the participant or transcript (office=B, gender=kvinne, 'office=(not stated)' for none); repeatable.")
@json_option
@pass_app
def coding_list(
    app: AppContext, transcript: str | None, code: str | None, only: bool, coder_name: str | None, removed: bool,
    orphaned: bool, attributes: tuple[str, ...], as_json: bool,
) -> None:
    """List codings, by transcript, code, coder and participant or transcript attributes.

    Example: qualcode coding list --code måltall-press --attribute office=B
    """
    from qualcode.coding.passages import parse_attributes

    pairs = parse_attributes(attributes)
    if orphaned:
        _list_orphaned(app, transcript, code, only, coder_name, removed, pairs, as_json)
        return
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        views = list_codings(
            session, transcript_ref=transcript, code_ref=code, coder_name=workspace.coder_shown(session, coder_name),
            include_subcodes=not only, include_removed=removed, attributes=pairs,
        )
    if as_json:
        emit_json(_as_shown(views, workspace))
        return
    emit_table(
        ["id", "transcript", "line", "speaker", "code", "coder", "excerpt"],
        [[workspace.coding_shown(v), v.transcript, v.line, v.speaker, v.code_path + (" (removed)" if v.removed else ""), v.coder, " ".join(v.excerpt.split())[:60]] for v in views],
    )


def _list_orphaned(
    app: AppContext, transcript: str | None, code: str | None, only: bool, coder_name: str | None, removed: bool,
    attributes: tuple[tuple[str, str], ...], as_json: bool,
) -> None:
    from qualcode.coding.anchoring import list_orphaned

    # An orphaned coding has no place in its text, so no passage to choose by attribute, and each is
    # removed by the replacement already: checked here, not ignored, so a list is never wider than asked.
    given = [option for option, value in (("--removed", removed), ("--attribute", attributes)) if value]
    if given:
        raise InvalidInput(
            f"--orphaned cannot be combined with {' or '.join(given)}",
            "with --orphaned, choose by --transcript, --code (--only) and --by",
        )
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        orphans = list_orphaned(
            session, transcript, code_ref=code, include_subcodes=not only, coder_name=workspace.coder_shown(session, coder_name),
        )
    if as_json:
        emit_json(_as_shown(orphans, workspace))
        return
    emit_table(
        ["id", "transcript", "near line", "code", "coder", "excerpt"],
        [[workspace.coding_shown(o), o.transcript, o.line, o.code_path, o.coder, " ".join(o.excerpt.split())[:60]] for o in orphans],
    )


@coding_group.command("remove")
@click.argument("coding_id")
@pass_app
def coding_remove(app: AppContext, coding_id: str) -> None:
    """Remove a coding (kept in the log; `qualcode undo` restores it).

    Example: qualcode coding remove 12
    """
    with app.workspace() as workspace, workspace.begin() as session:
        _print(remove_coding(session, workspace.seen_coding(session, coding_id), workspace.coder(session),
                             blind=workspace.blind), "removed", workspace)


@coding_group.command("resize")
@click.argument("coding_id")
@click.option("--start", type=int, help="New start offset (code points, 0-based).")
@click.option("--end", type=int, help="New end offset (exclusive).")
@pass_app
def coding_resize(app: AppContext, coding_id: str, start: int | None, end: int | None) -> None:
    """Move a coding's start and end.

    Example: qualcode coding resize 12 --start 140 --end 260
    """
    if start is None or end is None:  # checked here, not by click, so the error is one line as every other is
        missing = " and ".join(name for name, value in (("--start", start), ("--end", end)) if value is None)
        raise InvalidInput(f"coding resize needs {missing}", "give both, as in qualcode coding resize 12 --start 140 --end 260")
    with app.workspace() as workspace, workspace.begin() as session:
        _print(resize_coding(session, workspace.seen_coding(session, coding_id), start, end, workspace.coder(session),
                             blind=workspace.blind), "resized", workspace)


@coding_group.command("recode")
@click.argument("coding_id")
@click.argument("code")
@pass_app
def coding_recode(app: AppContext, coding_id: str, code: str) -> None:
    """Give a coding another code, keeping its passage.

    Example: qualcode coding recode 12 "brukermedvirkning/tvang og krav"
    """
    with app.workspace() as workspace, workspace.begin() as session:
        _print(recode_coding(session, workspace.seen_coding(session, coding_id), code, workspace.coder(session),
                             blind=workspace.blind), "recoded", workspace)


@coding_group.command("memo")
@click.argument("coding_id")
@click.argument("text")
@pass_app
def coding_memo(app: AppContext, coding_id: str, text: str) -> None:
    """Write a coding's memo; an empty TEXT clears it.

    Example: qualcode coding memo 12 "Typisk for runde 1"
    """
    with app.workspace() as workspace, workspace.typed() as session:
        _print(set_coding_memo(session, workspace.seen_coding(session, coding_id), text, workspace.coder(session)), "memo on", workspace)


COMMANDS = [coding_group]
