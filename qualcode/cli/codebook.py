"""`qualcode codebook show|validate|import|export|history|add|edit|rename|merge|move|delete`."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.context import AppContext, json_option, pass_app
from qualcode.cli.output import emit_json, note
from qualcode.codebook.service import (
    AlikeCodes,
    alike_codes,
    code_history,
    create_code,
    list_codes,
    shortcut_clashes,
    update_code,
)
from qualcode.errors import InvalidInput
from qualcode.text.counts import counted


@click.group("codebook")
def codebook_group() -> None:
    """Show, validate, import, export and edit the codebook."""


@codebook_group.command("show")
@click.option("--full", is_flag=True, help="Also print definitions, inclusion and exclusion rules.")
@json_option
@pass_app
def codebook_show(app: AppContext, full: bool, as_json: bool) -> None:
    """Print the code tree with shortcuts and coding counts (a code's own, and its sub-codes' beside them).

    Example: qualcode codebook show --full
    """
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        codes = list_codes(session, [name] if (name := workspace.coder_shown(session, None)) else [])
    # Codes made before such names were refused: said on stderr, where a script's data is not.
    for alike in alike_codes(codes):
        note(f"note: {_alike_note(alike)}")
    if as_json:
        emit_json(codes)
        return
    for code in codes:
        key = f"[{code.shortcut}] " if code.shortcut else "    "
        # A parent's own codings, and its sub-codes' apart: `analyse codes` counts them together.
        beneath = f", +{code.sub_codings} in sub-codes" if code.sub_codings else ""
        click.echo(f"{'  ' * code.depth}{key}{code.name}  ({code.codings}{beneath})")
        if full:
            indent = "  " * code.depth + "      "
            for label, value in (("definition", code.definition), ("include", code.inclusion), ("exclude", code.exclusion)):
                if value:
                    click.echo(f"{indent}{label}: {value}")


def _alike_note(alike: AlikeCodes) -> str:
    """What to do about a code nobody can tell from the one beside it, in one line: rename it, or
    recode its codings. It is named by its GUID, which no name or shortcut key can shadow."""
    code, other = alike.code, alike.other
    detail = f" ({alike.detail})" if alike.detail else ""
    recode = (f", or recode its codings to {other.path}, each coder their own (`qualcode coding list --code {code.guid} --only`,"
              f" then `qualcode coding recode N {_quoted(other.path)}`)") if code.codings else ""
    return (f"code {code.path} {alike.alike} the code {other.path} beside it{detail}:"
            f" rename it (`qualcode codebook rename {code.guid} NEW-NAME`){recode}")


def _quoted(text: str) -> str:
    """`text` between single quotes as a POSIX shell reads it, a quote in it too ('kost '\\''n'\\'' …')."""
    return "'" + text.replace("'", "'\\''") + "'"


@codebook_group.command("validate")
@click.argument("file", type=click.Path(path_type=Path))
def codebook_validate(file: Path) -> None:
    """Check a codebook file (YAML, or REFI-QDA .qdc) on its own and name the line of each problem
    (merging it into a project's codes is checked by `codebook import`).

    Example: qualcode codebook validate codebooks/kvp.yaml
    """
    # PyYAML and lxml load only where a codebook file is read or written.
    from qualcode.exchange.codebook_file import load_any_codebook

    codebook, qdc = load_any_codebook(file)
    for deviation in qdc.deviations if qdc is not None else []:
        note(f"note: {deviation}")
    # A probe took "valid" for "importable": a code named as a project's code in another case is refused by the import.
    click.echo(f"{file}: valid, {sum(1 for _ in codebook.walk())} codes (as a file; `codebook import` checks it against"
               " the project's codes too)")


@codebook_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@pass_app
def codebook_import(app: AppContext, file: Path) -> None:
    """Merge a codebook file (YAML, or REFI-QDA .qdc) into the project: new codes are added, changed ones updated.

    Example: qualcode codebook import codebooks/kvp.yaml
    """
    with app.workspace() as workspace:
        changes, deviations = workspace.import_codebook(file)
    for deviation in deviations:
        note(f"note: {deviation}")
    click.echo(f"{counted(len(changes.created), 'code')} added, {len(changes.updated)} updated, {len(changes.unchanged)} unchanged"
               + (f" ({len(changes.moved)} moved)" if changes.moved else "") + "".join(f"; {change}" for change in changes.codebook))
    moved_from = {to: before for before, to in changes.moved}
    for path in changes.updated:
        note(f"  moved {moved_from[path]} to {path}" if path in moved_from else f"  updated {path}")
    if changes.not_in_file:
        note(f"kept {len(changes.not_in_file)} codes the file does not have: " + ", ".join(changes.not_in_file))
    for clash in changes.notes:
        note(f"note: {clash}")


@codebook_group.command("export")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@pass_app
def codebook_export(app: AppContext, file: Path | None, force: bool) -> None:
    """Write the project's codebook as YAML (or REFI-QDA XML, for a FILE ending in .qdc) to FILE, or to stdout.

    Example: qualcode codebook export kodebok.yaml
    """
    if file is not None and file.exists() and not force:
        raise InvalidInput(f"{file} exists", "pass --force to overwrite it")
    if file is not None and not file.parent.is_dir():
        raise InvalidInput(f"there is no folder {file.parent}", "make it first, or give a path in a folder that exists")
    with app.workspace(read_only=True) as workspace:
        data, notes = workspace.export_codebook(file)
    if file is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    click.echo(f"wrote {file}")
    for line in notes:
        note(f"note: {line}")


@codebook_group.command("history")
@click.argument("code")
@json_option
@pass_app
def codebook_history(app: AppContext, code: str, as_json: bool) -> None:
    """Show every change to a code, so the history of a definition can be read.

    Example: qualcode codebook history måltall-press
    """
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        events = code_history(session, code, blind=workspace.blind)
    if as_json:
        emit_json(events)
        return
    for event in events:
        click.echo(f"{event.at}  {event.coder or '-':12}  {event.summary}")
        if event.before and event.after:
            for key, value in event.after.items():
                if event.before.get(key) != value:
                    click.echo(f"    {key}: {event.before.get(key)!r} -> {value!r}")


@codebook_group.command("add")
@click.argument("path")
@click.option("--definition")
@click.option("--shortcut")
@click.option("--colour")
@pass_app
def codebook_add(app: AppContext, path: str, definition: str | None, shortcut: str | None, colour: str | None) -> None:
    """Add a code; PATH is parent/name for a sub-code.

    Example: qualcode codebook add "empowerment/mestring" --definition "..."
    """
    fields = {k: v for k, v in (("definition", definition), ("shortcut", shortcut), ("colour", colour)) if v is not None}
    with app.workspace() as workspace, workspace.typed() as session:
        code = create_code(session, path, fields, workspace.coder(session))
        clashes = shortcut_clashes(session, {code.path})
    click.echo(f"added code {code.path}")
    for clash in clashes:
        note(f"note: {clash}")


@codebook_group.command("edit")
@click.argument("code")
@click.option("--definition")
@click.option("--inclusion")
@click.option("--exclusion")
@click.option("--example")
@click.option("--colour")
@click.option("--shortcut")
@click.option("--signal-words", help="Comma-separated signal words, replacing the current ones.")
@pass_app
def codebook_edit(app: AppContext, /, code: str, signal_words: str | None, **fields: str | None) -> None:
    """Change a code's definition, rules, colour, shortcut or signal words (recorded as an event).

    Example: qualcode codebook edit brukermedvirkning --definition "..."
    """
    changes: dict[str, object] = {key: value for key, value in fields.items() if value is not None}
    if signal_words is not None:
        changes["signal_words"] = signal_words.split(",")
    if not changes:
        raise InvalidInput("nothing to change", "give at least one of --definition, --inclusion, ...")
    with app.workspace() as workspace, workspace.typed() as session:
        view = update_code(session, code, changes, workspace.coder(session))
        clashes = shortcut_clashes(session, {view.path}) if "shortcut" in changes else []
    click.echo(f"updated {view.path}")
    for clash in clashes:
        note(f"note: {clash}")


@codebook_group.command("rename")
@click.argument("code")
@click.argument("name")
@pass_app
def codebook_rename(app: AppContext, code: str, name: str) -> None:
    """Give a code another name; its sub-codes, codings and GUID go with it (undo takes it back).

    Example: qualcode codebook rename "måltall-press/inntakspress" "press på inntak"
    """
    with app.workspace() as workspace:
        renamed = workspace.rename_code(code, name)
    click.echo(renamed.summary)
    for said in renamed.notes:
        note(f"note: {said}")


@codebook_group.command("merge")
@click.argument("source")
@click.argument("target")
@pass_app
def codebook_merge(app: AppContext, source: str, target: str) -> None:
    """Merge SOURCE into TARGET: its codings, sub-codes, memos and summaries go to TARGET, and SOURCE goes (undo takes it back).

    Example: qualcode codebook merge "empowerment/håp og motivasjon" "empowerment/selvbilde og selvtillit"
    """
    with app.workspace() as workspace:
        merged = workspace.merge_codes(source, target)
    click.echo(merged.summary)
    for said in merged.notes:
        note(f"note: {said}")


@codebook_group.command("move")
@click.argument("code")
@click.option("--under", "parent", metavar="PARENT", help="The code to put CODE under.")
@click.option("--top", is_flag=True, help="Make CODE a code at the top (a theme of its own).")
@pass_app
def codebook_move(app: AppContext, code: str, parent: str | None, top: bool) -> None:
    """Put CODE, with its sub-codes and codings, under another code or at the top (undo takes it back).

    Example: qualcode codebook move skjønn --under "relasjon og veilederrolle"
    """
    if (parent is None) == (not top):
        raise InvalidInput("say where to move the code", "give --under PARENT or --top, one of them")
    with app.workspace() as workspace:
        click.echo(workspace.move_code(code, parent))


@codebook_group.command("delete")
@click.argument("code")
@click.option("--into", metavar="OTHER", help="Merge CODE into OTHER instead, keeping its codings there.")
@click.option("--with-codings", is_flag=True, help="Delete CODE's codings with it (kept in the history; undo brings them back).")
@pass_app
def codebook_delete(app: AppContext, code: str, into: str | None, with_codings: bool) -> None:
    """Delete a code no longer in use; one with codings only with --into OTHER or --with-codings (undo takes it back).

    Example: qualcode codebook delete sanksjoner --into "brukermedvirkning/tvang og krav"
    """
    with app.workspace() as workspace:
        deleted = workspace.delete_code(code, into=into, with_codings=with_codings)
    click.echo(deleted.summary)
    for said in deleted.notes:
        note(f"note: {said}")


COMMANDS = [codebook_group]
