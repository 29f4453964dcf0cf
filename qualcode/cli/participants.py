"""`qualcode participants list|import`: the people interviewed, across rounds."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.anonymise import participant_withdraw
from qualcode.cli.context import AppContext, json_option, pass_app
from qualcode.cli.output import emit_json, emit_table
from qualcode.coding.transcripts import describe_participants
from qualcode.importers.metadata import import_participants


@click.group("participants")
def participants_group() -> None:
    """List and import participants."""


@participants_group.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path))
@pass_app
def participants_import(app: AppContext, csv_file: Path) -> None:
    """Create or update participants from a CSV with a 'participant' column.

    Columns role, gender, age_band and office are known; any other column becomes an attribute.

    Example: qualcode participants import deltakere.csv
    """
    with app.typed_session() as session:
        result = import_participants(session, csv_file, app.coder(session))
    click.echo(f"{len(result.created)} new participants, {len(result.updated)} updated")


@participants_group.command("list")
@json_option
@pass_app
def participants_list(app: AppContext, as_json: bool) -> None:
    """List participants with role, gender, age band, office and attributes.

    Example: qualcode participants list
    """
    with app.session(read_only=True) as session:
        views = describe_participants(session)
    if as_json:
        emit_json(views)
        return
    emit_table(
        ["name", "role", "gender", "age", "office", "transcripts", "attributes"],
        [
            [v.name, v.role, v.gender, v.age_band, v.office, ",".join(v.transcripts),
             ", ".join(f"{k}={value}" for k, value in v.attributes.items())]
            for v in views
        ],
    )


participants_group.add_command(participant_withdraw)

COMMANDS = [participants_group]
