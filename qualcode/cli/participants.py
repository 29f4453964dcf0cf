"""`qualcode participants list|import|edit|rename-attribute|withdraw`: the people interviewed, across rounds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualcode.cli.context import (
    AppContext,
    attribute_option,
    confirm_or_stop,
    json_option,
    pass_app,
)
from qualcode.cli.output import emit_json, emit_table, note
from qualcode.coding.transcripts import describe_participants
from qualcode.text.counts import counted

if TYPE_CHECKING:
    from qualcode.anonymise.withdraw import Withdrawal


@click.group("participants")
def participants_group() -> None:
    """List, import and correct participants."""


@participants_group.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path))
@pass_app
def participants_import(app: AppContext, csv_file: Path) -> None:
    """Create or update participants from a CSV with a 'participant' column.

    Columns role, gender, age_band (as 30-39, or 67+) and office are known; any other column becomes an attribute.
    An empty cell leaves what is stored as it is (an update never erases); an id or role in another case is the
    project's (d1 is D1). Values are one line each; a first line sep=; from Excel names the separator.

    Example: qualcode participants import deltakere.csv
    """
    with app.workspace() as workspace:
        result = workspace.import_participants(csv_file)
    click.echo(f"{counted(len(result.created), 'new participant')}, {len(result.updated)} updated")
    for line in result.notes:
        note(line)


@participants_group.command("list")
@json_option
@pass_app
def participants_list(app: AppContext, as_json: bool) -> None:
    """List participants with role, gender, age band, office and attributes.

    Example: qualcode participants list
    """
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
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


@participants_group.command("edit")
@click.argument("participant")
@click.option("--role", help="deltaker, veileder, leder, medforsker …")
@click.option("--office", help="The office, as kontor A (pseudonymised like all typed text).")
@click.option("--gender")
@click.option("--age-band", help="As 30-39 (the lower age first), or 67+.")
@attribute_option
@json_option
@pass_app
def participants_edit(
    app: AppContext, participant: str, role: str | None, office: str | None, gender: str | None,
    age_band: str | None, attributes: dict[str, str], as_json: bool,
) -> None:
    """Correct a participant's role, office, gender, age band or attributes; `qualcode undo` takes it back.

    Example: qualcode participants edit D1 --office "kontor B" --attribute barn=nei
    """
    from qualcode.cli.transcripts import print_edit
    from qualcode.importers.metadata_edit import edit_participant

    with app.workspace() as workspace, workspace.typed() as session:
        edit = edit_participant(
            session, participant, workspace.coder(session), role=role, office=office, gender=gender, age_band=age_band,
            attributes=attributes,
        )
    print_edit(edit, as_json)
    if not as_json:
        for line in (*edit.notes, *edit.made_one):
            note(line)


@participants_group.command("rename-attribute")
@click.argument("attribute")
@click.argument("new_name")
@pass_app
def participants_rename_attribute(app: AppContext, attribute: str, new_name: str) -> None:
    """Give a participants' attribute another name, its values kept; `qualcode undo` takes it back.

    The way to mend a name an earlier version let hold a comma or "=", which a name given now may not.

    Example: qualcode participants rename-attribute "alder, gruppe" aldersgruppe
    """
    from qualcode.cli.transcripts import rename_attribute_of

    rename_attribute_of(app, "participant", attribute, new_name)


@participants_group.command("withdraw")
@click.argument("participant")
@click.option("--identifier", "identifiers", multiple=True,
              help="The participant's own name (or other identifier) as the key has it; repeatable.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def participants_withdraw(app: AppContext, participant: str, identifiers: tuple[str, ...], yes: bool) -> None:
    """Remove every transcript, turn, coding and memo of a participant who withdraws.

    Their own identifiers leave the key as one-way digests, still replaced in later imports;
    identifiers of other people they mentioned stay as they are.

    Example: qualcode participants withdraw D5 --identifier "Kari Nordmann"
    """
    if not yes:
        confirm_or_stop(f"Remove everything {participant} said, and their codings and memos, for good?",
                        f"{participant} was not withdrawn, and nothing was removed", "--yes")
    from qualcode.anonymise.withdraw import WITHDRAWN, as_digests

    with app.workspace() as workspace:
        result = workspace.withdraw(participant, identifiers)
    participant = result.participant or participant  # as the project held it: `withdraw d4` withdrew D4
    if result.already_gone:
        click.echo(f"{participant} is not in the project (withdrawn earlier?); {as_digests(result.key_entries_removed)}"
                   " that later imports still replace")
        if said := result.names_said():
            note(said)
        return
    if result.key_destroyed:
        click.echo(result.removed())
        note(_without_key(result))
    else:
        click.echo(f"{result.removed()}; {as_digests(result.key_entries_removed)} that later imports still replace")
    if not (result.transcripts_removed or result.turns_redacted):
        note(f"nothing {participant} said was in the project; only the participant was removed")
    if result.comments_removed:
        note(f"deleted {counted(result.comments_removed, 'comment')} they wrote on drafts, which `review import` had brought in")
    if result.quotes_redacted:
        note(f"quotes of their words became {WITHDRAWN!r} in"
             f" {counted(result.quotes_redacted, 'memo, summary or log entry', 'memos, summaries and log entries')}")
    if said := result.names_said():
        note(said)
    if result.backups_deleted:
        note(result.backups_said())
    for path in result.files_quoting:
        note(f"{path} quotes {participant}'s words; the project cannot change it: delete it (and export again)")
    note(f"files written outside the project's folder were not looked at: delete any that quote {participant}")
    for coding in result.spanning_others:
        note(f"removed a coding that held others' words too ({coding}): its coder may code the rest again")
    for name in result.given_to_others:
        note(f"an edit gave {participant}'s turns in {name} to another participant; they were kept: check {name}")
    if result.earlier_key:
        note(_earlier_key(result))
    if not result.key_entries_removed and not result.key_destroyed:
        note(f"{'this key still holds every identifier it learned' if result.earlier_key else 'the key still holds every identifier'}; "
             f"`qualcode participants withdraw {participant} --identifier NAME` turns their own into digests")


def _without_key(result: Withdrawal) -> str:
    """What a withdrawal could not do with the key destroyed, in one line."""
    return _comments_left(result, f"the key was destroyed on {result.key_destroyed} and took their identifiers with it (the project"
                                  " never held any; a copy of the key kept elsewhere still does)", "the key")


def _earlier_key(result: Withdrawal) -> str:
    """What a withdrawal with a key made in place of an earlier one could not do with what that key held, in one line."""
    return _comments_left(result, f"the key before this one ({result.earlier_key}) took the identifiers of theirs it held with it"
                                  " (a copy of it kept elsewhere still holds them)", "that key")


def _comments_left(result: Withdrawal, said: str, which: str) -> str:
    """`said`, and the comments on drafts under a name `which` key gave, which nothing now links to anyone."""
    if not result.comments_unlinked:
        return f"{said}; no comment on a draft came in under a name {which} gave, so no comment of theirs is left"
    return (f"{said}; comments on drafts under a name {which} gave ({', '.join(result.comments_unlinked)}) stay, as only"
            f" {which} linked such a name to a participant: read them (`qualcode review list`) if they may have commented")


COMMANDS = [participants_group]
