"""`qualcode identifiers add|remove|import`: the identifiers this project knows, kept in the encrypted key."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualcode.anonymise.service import (
    LIST_KINDS,
    add_known_identifier,
    held_as_asked,
    link_to_participant,
    title_before,
)
from qualcode.cli.context import AppContext, pass_app, report_files_holding, report_rewrite
from qualcode.cli.output import note
from qualcode.importers.metadata import import_identifiers
from qualcode.text.counts import counted

if TYPE_CHECKING:
    from qualcode.anonymise.remove import Removal


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

    A title or role before a person's name ("Rektor Nilsen") is left out: it stays in the texts as written.

    Example: qualcode identifiers add "Kari Nordmann" --kind person --gender f
    """
    with app.workspace() as workspace:
        held = held_as_asked(workspace.read_key(), identifier, kind, gender, pseudonym, participant)
        if (held is None or held.original != " ".join(identifier.split())) and (title := title_before(identifier, kind)):
            _title_left_out(title, identifier)
        if held is not None and participant and held.participant is None:  # a link to add, nothing to rewrite
            with workspace.key_access().editing() as key:
                linked = link_to_participant(key, held.original, participant)
            click.echo(f"{linked.original!r} ({linked.pseudonym!r}) is now linked to {linked.participant}; nothing else changed")
            return
        if held is not None:  # the same again: nothing to learn, nothing to rewrite
            click.echo(f"{held.original!r} is already in the key as {_a(held.kind)}, replaced by {held.pseudonym!r}; nothing changed")
            return
    with app.workspace() as workspace, workspace.changing_key() as change:
        key = change.key
        entry = add_known_identifier(key, identifier, kind, gender, pseudonym, participant=participant)
        root = workspace.project.root
    report_rewrite(change.reapplied, [identifier])
    report_files_holding(root, key, [entry])
    click.echo(f"added {kind}: replaced by {entry.pseudonym!r}")


@identifiers_group.command("remove")
@click.argument("identifier")
@pass_app
def identifiers_remove(app: AppContext, identifier: str) -> None:
    """Take an identifier out of the key (a mistaken acceptance) and put the word back in the texts.

    The identifier is dismissed, so no import proposes it again, and its words go with it (accepting
    "Forskar B" made every "Forskar" alone a pseudonym too). Where its pseudonym stood for it alone,
    the stored texts get the word back (codings move with the text); a placeholder or a pseudonym
    word shared with another identifier is left, and said. Undo cannot take it back: add it again.
    To change an identifier's kind, remove it, then `qualcode identifiers add NAME --kind KIND`.

    Example: qualcode identifiers remove "Forskar B"
    """
    with app.workspace() as workspace:
        removal = workspace.remove_identifier(identifier)
    report_rewrite(removal.reapplied)
    _report_removal(removal)


def _report_removal(removal: Removal) -> None:
    """Say what went, what was put back, what was left and how to take it back, a line each."""
    put = removal.put_back
    dismissed = ", and dismissed it: no import proposes it again" if removal.dismissed else ""
    click.echo(f"removed {removal.original!r} ({removal.kind}, replaced by {removal.pseudonym!r}) from the key{dismissed}")
    still = [(removal.original, removal.still_word_of)] if removal.still_word_of is not None else []
    for word, other in [*still, *removal.parts_kept]:
        note(f"{word!r} is still replaced where it stands alone, as a word of {other!r} in the key; remove that too if it names no one")
    if put.places or put.elsewhere:
        where = f" ({', '.join(put.transcripts)})" if put.transcripts else ""
        click.echo(f"put it back in {counted(put.places, 'place')} in {counted(len(put.transcripts), 'transcript')}{where}"
                   f" and {counted(put.elsewhere, 'memo, definition, title or log entry', 'memos, definitions, titles and log entries')}")
    for before, after in put.renamed:
        click.echo(f"renamed transcript {before} to {after}: its name held the pseudonym too")
    for name in put.names_left:
        note(f"transcript {name}'s name was left as it is: put back, it would be another transcript's name")
    if removal.parts:
        words = ", ".join(repr(word) for word in removal.parts)
        note(f"its words {words} went with it: no longer replaced where they stand alone; not dismissed, so an import"
             " proposes them there: `qualcode identifiers add WORD --kind person` if one names someone")
    if put.left is not None:
        left = put.left
        forms = ", ".join(repr(form) for form in left.forms)
        named = f" (the name of {', '.join(left.names)} among them, which stays: no command renames a transcript)" if left.names else ""
        standing = [f"{counted(left.places, 'place')} in {', '.join(left.transcripts)}{named}"] if left.places else []
        standing += [f"{counted(left.elsewhere, 'place')} in memos, definitions, names or the log"] if left.elsewhere else []
        note(f"left {forms} as it stands in {' and '.join(standing)}: it may stand there"
             f" for another identifier or for itself; to have {removal.original!r} where it was said, import the transcript's"
             " file again with `qualcode import FILE --replace` (the word is kept as written now), or edit what you wrote")
    if put.earlier_key is not None:
        how, withdrawn = put.earlier_key
        note(f"its words alone were left where they stand alone: the key before this one ({how}) took with it the pseudonyms of"
             f" {counted(len(withdrawn), 'participant')} who withdrew ({', '.join(withdrawn)}), and a word of one may stand beside"
             " another of theirs in others' words; the whole name was put back")
    if put.codes_left:
        note("codes' names were left as they are: put back, two codes would have had one name")
    pseudonym = f" --pseudonym {_quoted(removal.pseudonym)}" if not removal.pseudonym.startswith("(") and removal.pseudonym != "NN" else ""
    note(f"undo cannot take this back; to put it in the key again: qualcode identifiers add {_quoted(removal.original)}"
         f" --kind {removal.kind}{pseudonym}")


def _title_left_out(title: str, identifier: str) -> None:
    name = " ".join(identifier.split()[len(title.split()):])
    note(f"{title!r} is a title, no part of the name: {name!r} is the identifier, and {title!r} stays in the texts as written")


def _a(kind: str) -> str:
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"  # "an employer", "an e-mail"


def _quoted(text: str) -> str:
    return text if text.replace("-", "").replace(".", "").isalnum() else f'"{text}"'


@identifiers_group.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path))
@pass_app
def identifiers_import(app: AppContext, csv_file: Path) -> None:
    """Add identifiers from a CSV with columns identifier, kind, and optionally gender, pseudonym and participant.

    A participant column links each identifier to the participant it names, as `identifiers add --participant` does.

    Example: qualcode identifiers import kjente-navn.csv
    """
    with app.workspace() as workspace, workspace.changing_key() as change:
        key = change.key
        added = import_identifiers(key, csv_file, _title_left_out)
        root = workspace.project.root
    report_rewrite(change.reapplied)
    report_files_holding(root, key, added)
    click.echo(f"{len(added)} identifiers added")


COMMANDS = [identifiers_group]
