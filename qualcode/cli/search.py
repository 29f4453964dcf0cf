"""`qualcode search QUERY`: keyword in context across transcripts."""

from __future__ import annotations

import click

from qualcode.cli.context import AppContext, json_option, pass_app
from qualcode.cli.output import emit_json, note
from qualcode.search.service import SearchFilters, search


@click.command("search")
@click.argument("query")
@click.option("--code", help="Only inside passages coded with this code (or its sub-codes).")
@click.option("--role", help="Only what speakers of this role said.")
@click.option("--wave", help="Only this interview round.")
@click.option("--participant", help="Only what this participant said.")
@click.option("--transcript", help="Only this transcript.")
@click.option("--attribute", "attributes", multiple=True,
              help="NAME=VALUE on who spoke or the transcript (office=B, gender=kvinne, 'office=(not stated)' for none); repeatable.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Most hits to show.")
@click.option("--width", type=click.IntRange(min=0, max=1000), default=40, show_default=True,
              help="Characters of context on each side (at most 1000).")
@json_option
@pass_app
def search_command(
    app: AppContext, query: str, code: str | None, role: str | None, wave: str | None,
    participant: str | None, transcript: str | None, attributes: tuple[str, ...], limit: int, width: int,
    as_json: bool,
) -> None:
    """Search transcripts: words match every inflection, "phrases", AND, OR, NOT, (…), prefix*, *suffix, *infix*.

    Example: qualcode search '"bli hørt" OR *medvirkning*' --role deltaker --attribute office=B
    """
    from qualcode.coding.passages import QuoteFilter, check_selection, parse_attributes

    pairs = parse_attributes(attributes)
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        filters = SearchFilters(
            code=code, role=role, wave=wave, participant=participant, transcript=transcript,
            attributes=check_selection(session, QuoteFilter(attributes=pairs)) if pairs else (),
            coder=workspace.coder_shown(session, None),
        )
        result = search(session, query, filters, limit=limit, context=width)
    if as_json:
        emit_json(result)
        return
    for hit in result.hits:
        where = f"{hit.transcript}:{hit.line}"
        click.echo(f"{where:24} {(hit.speaker or '-')[:10]:10} {hit.left[-width:]:>{width}}[{hit.keyword}]{hit.right[:width]}")
    if result.query != query:  # said, so the hits' words are no surprise; the name as typed is not repeated
        note(f"looked for {result.query!r}: a name the key holds is looked for as its pseudonym")
    note(result.summary + (" (raise --limit to see more)" if result.truncated else ""))
    if result.compounds is not None:
        note(str(result.compounds))


COMMANDS = [search_command]
