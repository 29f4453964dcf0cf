"""`qualcode identifiers add|import`: the identifiers this project knows, kept in the encrypted key."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.anonymise.service import LIST_KINDS, add_known_identifier
from qualcode.cli.context import AppContext, pass_app, report_files_holding, report_rewrite
from qualcode.importers.metadata import import_identifiers


@click.group("identifiers")
def identifiers_group() -> None:
    """The identifiers this project knows, kept in the encrypted key."""


@identifiers_group.command("add")
@click.argument("identifier")
@click.option("--kind", type=click.Choice(LIST_KINDS), required=True)
@click.option("--gender", help="f or m, for a same-gender pseudonym.")
@click.option("--pseudonym", help="Choose the pseudonym yourself.")
@click.option("--participant", help="The participant this identifier names (so withdrawal knows it is theirs).")
@pass_app
def identifiers_add(
    app: AppContext, identifier: str, kind: str, gender: str | None, pseudonym: str | None, participant: str | None,
) -> None:
    """Add an identifier; inflected and slightly misspelt forms are found too.

    Example: qualcode identifiers add "Kari Nordmann" --kind person --gender f
    """
    with app.workspace() as workspace, workspace.changing_key() as change:
        key = change.key
        entry = add_known_identifier(key, identifier, kind, gender, pseudonym)
        entry.participant = participant
        root = workspace.project.root
    report_rewrite(change.reapplied)
    report_files_holding(root, key, [entry])
    click.echo(f"added {kind}: replaced by {entry.pseudonym!r}")


@identifiers_group.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path))
@pass_app
def identifiers_import(app: AppContext, csv_file: Path) -> None:
    """Add identifiers from a CSV with columns identifier, kind, and optionally gender and pseudonym.

    Example: qualcode identifiers import kjente-navn.csv
    """
    with app.workspace() as workspace, workspace.changing_key() as change:
        key = change.key
        added = import_identifiers(key, csv_file)
        root = workspace.project.root
    report_rewrite(change.reapplied)
    report_files_holding(root, key, added)
    click.echo(f"{len(added)} identifiers added")


COMMANDS = [identifiers_group]
