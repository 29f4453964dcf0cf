"""`qualcode key new|show|passphrase|destroy`: the pseudonym key itself."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.context import (
    AppContext,
    ask_new_passphrase,
    confirm_or_stop,
    json_option,
    pass_app,
)
from qualcode.cli.output import emit_json, emit_table, note
from qualcode.text.counts import counted


@click.group("key")
def key_group() -> None:
    """Make, show or destroy the pseudonym key, or change its passphrase."""


@key_group.command("new")
@click.option("--lost", is_flag=True, help="The project's key is lost for good: make a new one all the same (it refuses the old one after).")
@pass_app
def key_new(app: AppContext, lost: bool) -> None:
    """Make a new, empty key for this project (after `key destroy`, or with --lost when the key is lost for good).

    Example: qualcode key new --key ~/nøkler/studie.qckey
    """
    with app.workspace() as workspace:
        path, replaced, withdrawn = workspace.new_key(lost=lost)
    if replaced:
        note("warning: the project had another key; texts already stored keep the pseudonyms that key gave")
    click.echo(f"made a new key at {path}")
    if withdrawn:
        note(f"{counted(len(withdrawn), 'participant')} withdrew before this key was made ({', '.join(withdrawn)}): the key"
             " before it kept their pseudonyms, and took them with it, so a backup taken while it was the project's key stays"
             " refused by `backup restore` (it would bring their pseudonym back into memos), and `identifiers remove` puts a"
             " name back whole only, never a word of it alone, which may be a word of theirs")


@key_group.command("show")
@json_option
@pass_app
def key_show(app: AppContext, as_json: bool) -> None:
    """Print the key (originals and pseudonyms) for the researcher who holds the passphrase.

    Example: qualcode key show
    """
    with app.workspace(read_only=True, keeps=True) as workspace:  # reads only: a read-only copy shows it too
        access = workspace.key_access()
        key = access.load_existing()
    if as_json:
        emit_json(key.entries)
        return
    note(f"key {access.path}")
    emit_table(["original", "kind", "pseudonym", "first seen"], [[e.original, e.kind, e.pseudonym, e.first_seen] for e in key.entries])


@key_group.command("passphrase")
@pass_app
def key_passphrase(app: AppContext) -> None:
    """Change the key's passphrase (the current one, then the new one twice); what the key holds stays.

    Example: qualcode key passphrase
    """
    with app.workspace() as workspace:
        path = workspace.change_passphrase(ask_new_passphrase)
    click.echo(f"the key at {path} now opens with the new passphrase only")
    note("copies of the key file made before still open with the old passphrase: delete them, and back up the key anew")


@key_group.command("destroy")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def key_destroy(app: AppContext, yes: bool) -> None:
    """Delete the key at the end of a project; the pseudonymised project stays as it is.

    Example: qualcode key destroy
    """
    def confirm(path: Path) -> None:
        if not yes:
            confirm_or_stop(f"Destroy {path}? Pseudonyms can never be traced back after this",
                            f"the key at {path} was not destroyed", "--yes")

    def warn(traceable: int) -> None:
        note(f"warning: {counted(traceable, 'pseudonym')} here {'was' if traceable == 1 else 'were'} drawn from the project's"
             " GUID, which the project holds: anyone with it could still trace them back to a guessed name; run"
             " `qualcode anonymise redraw` first to draw them anew")

    with app.workspace() as workspace:
        destroyed = workspace.destroy_key(confirm, warn)
    click.echo(f"destroyed {destroyed}")


COMMANDS = [key_group]
