"""`qualcode backup [list|restore]`: copies of the project database, taken, listed and restored."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.context import AppContext, ask_passphrase, json_option, pass_app
from qualcode.cli.output import emit_json, emit_table, note
from qualcode.workspace import project_backups, project_root, restore_project


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"


@click.group("backup", invoke_without_command=True)
@click.pass_context
def backup_group(ctx: click.Context) -> None:
    """Back up the project now (verified), or list and restore backups.

    Backups are also taken before every upgrade, before the first change of each day and before
    an import replaces a transcript's text (`import --replace`).

    Example: qualcode backup && qualcode backup list
    """
    if ctx.invoked_subcommand is not None:
        return
    app = ctx.find_object(AppContext)
    assert app is not None
    with app.workspace(read_only=True) as workspace:
        path = workspace.backup()
    click.echo(f"backed up to {path} ({_size(path.stat().st_size)}, checked)")


@backup_group.command("list")
@json_option
@pass_app
def backup_list(app: AppContext, as_json: bool) -> None:
    """List the backups, newest first (works when the project database is damaged).

    Example: qualcode backup list
    """
    backups = project_backups(app.config)
    if as_json:
        emit_json([
            {"name": b.name, "path": str(b.path), "taken": b.taken.isoformat(timespec="seconds"), "kind": b.label, "size": b.size,
             "damage": b.damage}
            for b in backups
        ])
        return
    if not backups:
        note("no backups yet: `qualcode backup` takes one")
        return
    emit_table(
        ["name", "taken", "kind", "size"],
        [[b.name, b.taken.isoformat(sep=" ", timespec="minutes"), b.label + (f" (damaged: {b.damage})" if b.damage else ""), _size(b.size)]
         for b in backups],
    )


@backup_group.command("restore")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--before-withdrawal", is_flag=True,
              help="Restore a backup taken before a participant withdrew; they are withdrawn again at once.")
@pass_app
def backup_restore(app: AppContext, file: Path, before_withdrawal: bool) -> None:
    """Put a backup back in place; the current state is kept as a backup first.

    FILE is a name from `qualcode backup list` or a path to a backup file. What the key learned
    since the backup was taken is applied to it before it is put in place, so the key's
    passphrase is needed.

    Example: qualcode backup restore 20240213-101500-000000-daily.bak
    """
    # Those who withdrew since the backup are withdrawn again as it is opened, each said: back with their
    # words, they were in every export.
    result = restore_project(app.config, file, before_withdrawal=before_withdrawal, ask_passphrase=ask_passphrase, report=note)
    if result.saved is not None:
        note(f"the state before is kept in {result.saved.name}")
    if result.withdrawal_unchecked:
        note("the project database was damaged and no backup beside it showed who withdrew consent since this backup was taken:"
             " withdraw them again at once (`qualcode participants withdraw NAME`)")
    click.echo(f"restored {project_root(app.config, lost=True)} from {result.restored.name}")

COMMANDS = [backup_group]
