"""`qualcode identifiers|anonymise|key|leakcheck`: the pseudonym key and the leak guard."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from qualcode.anonymise.attribution import attribution_risks
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.leakcheck import check_file
from qualcode.anonymise.service import (
    LIST_KINDS,
    accept_candidate,
    add_known_identifier,
    create_key,
    destroy_project_key,
    dismiss,
    import_identifiers,
    locate_key,
    save_and_reapply,
    set_style,
)
from qualcode.anonymise.withdraw import withdraw_participant
from qualcode.cli.context import AppContext, json_option, pass_app
from qualcode.cli.output import emit_json, emit_table, note
from qualcode.errors import LeakFound
from qualcode.store.project import Project


@contextmanager
def _changing_key(app: AppContext, project: Project) -> Iterator[PseudonymKey]:
    """Lock and read the key; when the block succeeds, save it and pseudonymise what is already
    stored with what the key now knows, still under the lock, so no import slips in between."""
    access = app.key_access(project)
    with access.editing() as key:
        yield key
        with project.begin() as session:
            coder_name = app.coder(session).name
        result = save_and_reapply(project, access, key, coder_name)
    if result.anything:
        note(
            f"pseudonymised {result.replacements} more places in {len(result.transcripts)} transcripts"
            f" ({', '.join(result.transcripts) or '-'}), {result.memos} memos, {result.events} log entries"
            f" and {result.others} definitions, titles and attributes"
        )


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
    with app.open_project() as project, _changing_key(app, project) as key:
        entry = add_known_identifier(key, identifier, kind, gender, pseudonym)
        entry.participant = participant
    click.echo(f"added {kind}: replaced by {entry.pseudonym!r}")


@identifiers_group.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path))
@pass_app
def identifiers_import(app: AppContext, csv_file: Path) -> None:
    """Add identifiers from a CSV with columns identifier, kind, and optionally gender and pseudonym.

    Example: qualcode identifiers import kjente-navn.csv
    """
    with app.open_project() as project, _changing_key(app, project) as key:
        added = import_identifiers(key, csv_file)
    click.echo(f"{len(added)} identifiers added")


@click.group("anonymise")
def anonymise_group() -> None:
    """Review possible identifiers, and set pseudonym styles."""


@anonymise_group.command("pending")
@json_option
@pass_app
def anonymise_pending(app: AppContext, as_json: bool) -> None:
    """List possible identifiers waiting for a decision, with where they were seen.

    Example: qualcode anonymise pending
    """
    with app.open_project() as project:
        key = app.key_access(project).load_existing()
    if as_json:
        emit_json(key.pending)
        return
    for candidate in key.pending:
        click.echo(candidate.text)
        for context in candidate.contexts:
            click.echo(f"    {context}")
    note(f"{len(key.pending)} waiting for review")


@anonymise_group.command("accept")
@click.argument("text")
@click.option("--kind", type=click.Choice(LIST_KINDS), required=True)
@click.option("--gender")
@pass_app
def anonymise_accept(app: AppContext, text: str, kind: str, gender: str | None) -> None:
    """Accept a possible identifier as an identifier of a kind.

    Example: qualcode anonymise accept Hilde --kind person --gender f
    """
    with app.open_project() as project, _changing_key(app, project) as key:
        entry = accept_candidate(key, text, kind, gender)
    click.echo(f"{text!r} is a {kind}, replaced by {entry.pseudonym!r}")


@anonymise_group.command("dismiss")
@click.argument("words", nargs=-1, required=True)
@pass_app
def anonymise_dismiss(app: AppContext, words: tuple[str, ...]) -> None:
    """Mark words as not identifiers, for the whole project.

    Example: qualcode anonymise dismiss Norge Varighet
    """
    with app.open_project() as project, app.key_access(project).editing() as key:
        for word in words:
            dismiss(key, word)
    click.echo(f"dismissed {len(words)}")


REVIEW_KEYS = {"p": "person", "l": "place", "n": "nav_office", "e": "employer", "s": "school", "o": "other"}


@anonymise_group.command("review")
@pass_app
def anonymise_review(app: AppContext) -> None:
    """Decide about each waiting candidate: p(erson) l(place) n(av office) e(mployer) s(chool) o(ther) d(ismiss) k(eep waiting) q(uit).

    Example: qualcode anonymise review
    """
    with app.open_project() as project, _changing_key(app, project) as key:
        decided = 0
        for candidate in list(key.pending):
            click.echo(f"\n{candidate.text}")
            for context in candidate.contexts:
                click.echo(f"    {context}")
            choice = click.prompt("  p/l/n/e/s/o, d to dismiss, k to keep waiting, q to quit",
                                  type=click.Choice([*REVIEW_KEYS, "d", "k", "q"]), show_choices=False)
            if choice == "q":
                break
            if choice == "k":
                continue
            if choice == "d":
                dismiss(key, candidate.text)
            else:
                gender = click.prompt("  gender (f/m, Enter if unknown)", default="", show_default=False) if choice == "p" else None
                accept_candidate(key, candidate.text, REVIEW_KEYS[choice], gender or None)
            decided += 1
    click.echo(f"{decided} decided, {len(key.pending)} still waiting")


@anonymise_group.command("style")
@click.argument("kind")
@click.argument("style", type=click.Choice(["name", "placeholder"]))
@pass_app
def anonymise_style(app: AppContext, kind: str, style: str) -> None:
    """Choose names or placeholders for new pseudonyms of a kind.

    Example: qualcode anonymise style person placeholder
    """
    with app.open_project() as project, app.key_access(project).editing() as key:
        set_style(key, kind, style)
    click.echo(f"new {kind} identifiers get a {style}")


@anonymise_group.command("attribution-check")
@click.option("--by", "fields", default="role,office", show_default=True, help="Comma-separated label fields.")
@pass_app
def anonymise_attribution_check(app: AppContext, fields: str) -> None:
    """Warn about attribution labels that point at five or fewer participants.

    Example: qualcode anonymise attribution-check --by role,office
    """
    with app.session() as session:
        risks = attribution_risks(session, tuple(f.strip() for f in fields.split(",") if f.strip()))
    for risk in risks:
        click.echo(f"warning: '{risk.label}' covers {risk.participants} participants and may identify them; {risk.suggestion}")
    if not risks:
        click.echo("no label covers five or fewer participants")


@click.group("key")
def key_group() -> None:
    """Make, show or destroy the pseudonym key."""


@key_group.command("new")
@pass_app
def key_new(app: AppContext) -> None:
    """Make a new, empty key for this project (after `key destroy`, or when the key is lost for good).

    Example: qualcode key new --key ~/nøkler/studie.qckey
    """
    with app.open_project() as project:
        place = locate_key(project, app.key_override)
        if place.fingerprint is not None and not place.destroyed:
            note("warning: the project had another key; texts already stored keep the pseudonyms that key gave")
        access = create_key(project, place.path, app.passphrase("New passphrase for the pseudonym key", new=True))
    click.echo(f"made a new key at {access.path}")


@key_group.command("show")
@json_option
@pass_app
def key_show(app: AppContext, as_json: bool) -> None:
    """Print the key (originals and pseudonyms) for the researcher who holds the passphrase.

    Example: qualcode key show
    """
    with app.open_project() as project:
        access = app.key_access(project)
        key = access.load_existing()
    if as_json:
        emit_json(key.entries)
        return
    note(f"key {access.path}")
    emit_table(["original", "kind", "pseudonym", "first seen"], [[e.original, e.kind, e.pseudonym, e.first_seen] for e in key.entries])


@key_group.command("destroy")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def key_destroy(app: AppContext, yes: bool) -> None:
    """Delete the key at the end of a project; the pseudonymised project stays as it is.

    Example: qualcode key destroy
    """
    with app.open_project() as project:
        access = app.key_access(project)
        access.load_existing()  # only the passphrase holder may destroy it
        if not yes:
            click.confirm(f"Destroy {access.path}? Pseudonyms can never be traced back after this", abort=True)
        destroy_project_key(project, access)
    click.echo(f"destroyed {access.path}")


@click.command("leakcheck")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@pass_app
def leakcheck_command(app: AppContext, files: tuple[Path, ...], as_json: bool) -> None:
    """Scan .docx .txt .csv .xlsx .qdpx files for original identifiers; exit 1 if any is found.

    Example: qualcode leakcheck exports/rapport.docx
    """
    with app.open_project() as project:
        key = app.key_access(project).load_existing()
    leaks = [leak for path in files for leak in check_file(path, key)]
    if as_json:
        emit_json(leaks)
    else:
        for leak in leaks:
            click.echo(f"{leak.file} ({leak.where}): {leak.kind} {leak.found!r}  …{leak.context}…")
    if leaks:
        raise LeakFound(f"{len(leaks)} identifiers found in {len({leak.file for leak in leaks})} files")
    note(f"no identifiers found in {len(files)} files")


@click.command("withdraw")
@click.argument("participant")
@click.option("--identifier", "identifiers", multiple=True,
              help="The participant's own name (or other identifier) as the key has it; repeatable.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def participant_withdraw(app: AppContext, participant: str, identifiers: tuple[str, ...], yes: bool) -> None:
    """Remove every transcript, turn, coding and memo of a participant who withdraws.

    Their own identifiers leave the key as one-way digests, still replaced in later imports;
    identifiers of other people they mentioned stay as they are.

    Example: qualcode participants withdraw D5 --identifier "Kari Nordmann"
    """
    if not yes:
        click.confirm(f"Remove everything {participant} said, and their codings and memos, for good?", abort=True)
    with app.open_project() as project, app.key_access(project).editing() as key:
        with project.begin() as session:
            result = withdraw_participant(session, participant, key, app.coder(session), identifiers)
        project.purge()
    click.echo(
        f"removed {result.transcripts_removed} transcripts, redacted {result.turns_redacted} turns in group "
        f"interviews, removed {result.codings_removed} codings; {result.key_entries_removed} of their identifiers "
        "are kept only as digests that later imports still replace"
    )
    if not result.key_entries_removed:
        note("the key still holds every identifier; name the participant's own with --identifier to turn them into digests")


COMMANDS = [identifiers_group, anonymise_group, key_group, leakcheck_command]
