"""`qualcode transcripts list|show|edit|rename-attribute`: what is in the project, and correcting its metadata."""

from __future__ import annotations

from typing import Any

import click

from qualcode.cli.context import AppContext, attribute_option, json_option, pass_app
from qualcode.cli.output import emit_json, emit_table, note
from qualcode.coding.transcripts import describe_transcripts, read_transcript
from qualcode.text.counts import counted


@click.group("transcripts")
def transcripts_group() -> None:
    """List, read and correct transcripts."""


@transcripts_group.command("list")
@json_option
@pass_app
def transcripts_list(app: AppContext, as_json: bool) -> None:
    """List transcripts with participants, round, kind, size, codings and attributes.

    Example: qualcode transcripts list --json
    """
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        views = describe_transcripts(session, workspace.mine())  # a blind coder counts their own codings
    if as_json:
        emit_json(views)
        return
    emit_table(
        ["name", "participants", "roles", "wave", "date", "fidelity", "words", "turns", "codings", "attributes"],
        [
            [v.name, ",".join(v.participants), ",".join(v.roles), v.wave, v.interview_date, v.fidelity, v.words, v.turns, v.codings,
             ", ".join(f"{k}={value}" for k, value in v.attributes.items())]
            for v in views
        ],
    )


@transcripts_group.command("show")
@click.argument("transcript")
@click.option("--turns", "show_turns", is_flag=True, help="List speaker turns with offsets instead of the text.")
@json_option
@pass_app
def transcripts_show(app: AppContext, transcript: str, show_turns: bool, as_json: bool) -> None:
    """Print a transcript's text with line numbers, or its turns.

    Example: qualcode transcripts show deltaker_D1_T1 --turns
    """
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        found = read_transcript(session, transcript)
    turns, text = found.turns, found.text
    if as_json:
        emit_json({"name": found.name, "text": text, "turns": turns})
    elif show_turns:
        emit_table(
            ["#", "line", "speaker", "participant", "start", "end", "text"],
            [[t.seq, t.line, t.speaker, t.participant or ("(interviewer)" if t.interviewer else None), t.start, t.end,
              " ".join(t.text.split())[:60]] for t in turns],
        )
    else:
        for number, line in enumerate(text.split("\n"), start=1):
            click.echo(f"{number:5}  {line}")


@transcripts_group.command("edit")
@click.argument("transcript")
@click.option("--date", help="Interview date, YYYY-MM-DD.")
@click.option("--wave", help="Round of interviews, as T1 or T2.")
@click.option("--participant", "participants", multiple=True,
              help="Who was interviewed (an existing participant); repeat for a group. Replaces the list.")
@click.option("--fidelity", help="transcript, referat, fieldnotes or comments.")
@click.option("--interviewer", help="Who interviewed (pseudonymised like all typed text).")
@click.option("--title", help="A title.")
@attribute_option
@json_option
@pass_app
def transcripts_edit(
    app: AppContext, transcript: str, date: str | None, wave: str | None, participants: tuple[str, ...],
    fidelity: str | None, interviewer: str | None, title: str | None, attributes: dict[str, str], as_json: bool,
) -> None:
    """Correct a transcript's metadata or its own attributes; an empty value clears it, `qualcode undo` takes it back.

    An attribute is the transcript's, as one in its front matter: a value that differs by round (role_in_round).

    Example: qualcode transcripts edit deltaker_D4_T3 --wave T3 --attribute role_in_round=arbeidstaker
    """
    from qualcode.importers.metadata_edit import edit_transcript

    with app.workspace() as workspace, workspace.typed() as session:
        edit = edit_transcript(
            session, transcript, workspace.coder(session), date=date, wave=wave, participants=list(participants) or None,
            fidelity=fidelity, interviewer=interviewer, title=title, attributes=attributes,
        )
    print_edit(edit, as_json)
    if not as_json:
        for line in edit.notes:
            note(line)


@transcripts_group.command("rename-attribute")
@click.argument("attribute")
@click.argument("new_name")
@pass_app
def transcripts_rename_attribute(app: AppContext, attribute: str, new_name: str) -> None:
    """Give a transcripts' attribute another name, its values kept; `qualcode undo` takes it back.

    Example: qualcode transcripts rename-attribute "rolle, runde" rolle_i_runden
    """
    rename_attribute_of(app, "transcript", attribute, new_name)


def rename_attribute_of(app: AppContext, applies_to: str, attribute: str, new_name: str) -> None:
    """Rename a participants' or transcripts' attribute (`applies_to`), as both groups' rename-attribute do."""
    from qualcode.importers.metadata_edit import rename_attribute

    with app.workspace() as workspace, workspace.typed() as session:
        renamed = rename_attribute(session, applies_to, attribute, new_name, workspace.coder(session))
    click.echo(f"{renamed.summary} ({counted(renamed.values, 'value')} kept)")


def print_edit(edit: Any, as_json: bool) -> None:
    """An edit's changes, one field a line, or as JSON."""
    if as_json:
        emit_json(edit)
    elif not edit.changes:
        click.echo(f"{edit.entity} {edit.name}: nothing changed (the values were already so)")
    else:
        click.echo(f"edited {edit.entity} {edit.name}:")
        for change in edit.changes:
            click.echo(f"  {change.field}: {change.before or '-'} -> {change.after or '-'}")


COMMANDS = [transcripts_group]
