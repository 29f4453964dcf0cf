"""`qualcode transcripts list|show`: what is in the project."""

from __future__ import annotations

import click

from qualcode.cli.context import AppContext, json_option, pass_app
from qualcode.cli.output import emit_json, emit_table
from qualcode.coding.transcripts import describe_transcripts, transcript_turns
from qualcode.store.lookup import current_text, find_transcript


@click.group("transcripts")
def transcripts_group() -> None:
    """List and read transcripts."""


@transcripts_group.command("list")
@json_option
@pass_app
def transcripts_list(app: AppContext, as_json: bool) -> None:
    """List transcripts with participants, round, kind, size and codings.

    Example: qualcode transcripts list --json
    """
    with app.session(read_only=True) as session:
        views = describe_transcripts(session)
    if as_json:
        emit_json(views)
        return
    emit_table(
        ["name", "participants", "roles", "wave", "date", "fidelity", "words", "turns", "codings"],
        [
            [v.name, ",".join(v.participants), ",".join(v.roles), v.wave, v.interview_date, v.fidelity, v.words, v.turns, v.codings]
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
    with app.session(read_only=True) as session:
        found = find_transcript(session, transcript)
        turns = transcript_turns(session, found)
        text = current_text(found).text
    if as_json:
        emit_json({"name": found.name, "text": text, "turns": turns})
    elif show_turns:
        emit_table(
            ["#", "line", "speaker", "participant", "start", "end", "text"],
            [[t.seq, t.line, t.speaker, t.participant, t.start, t.end, " ".join(t.text.split())[:60]] for t in turns],
        )
    else:
        for number, line in enumerate(text.split("\n"), start=1):
            click.echo(f"{number:5}  {line}")


COMMANDS = [transcripts_group]
