"""`qualcode anonymise pending|accept|dismiss|review|style|attribution-check|reapply`: possible identifiers."""

from __future__ import annotations

import shlex
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

import click

from qualcode.anonymise.attribution import attribution_risks
from qualcode.anonymise.known import words_found_alone
from qualcode.anonymise.service import (
    LIST_KINDS,
    accept_candidate,
    dismiss,
    doubt_note,
    kept_as_theirs,
    only_spelt_alike,
    set_style,
    waiting_for_review,
)
from qualcode.cli.context import (
    AppContext,
    json_option,
    pass_app,
    report_files_holding,
    report_rewrite,
)
from qualcode.cli.output import emit_json, note
from qualcode.errors import InvalidInput
from qualcode.text.counts import counted

if TYPE_CHECKING:
    from qualcode.anonymise.key import KeyEntry


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
    with app.workspace() as workspace:
        waiting = waiting_for_review(workspace.read_key())
    if as_json:
        emit_json(waiting)  # each with its note, null where the key replaces it as no one it may not be
        return
    for candidate in waiting:
        click.echo(candidate.text)
        for context in candidate.contexts:
            click.echo(f"    {context}")
        if candidate.note is not None:
            click.echo(f"    note: {candidate.note}")
    note(f"{len(waiting)} waiting for review")


@anonymise_group.command("accept")
@click.argument("text")
@click.option("--kind", type=click.Choice(LIST_KINDS), required=True)
@click.option("--gender")
@pass_app
def anonymise_accept(app: AppContext, text: str, kind: str, gender: str | None) -> None:
    """Accept a possible identifier as an identifier of a kind.

    Example: qualcode anonymise accept Hilde --kind person --gender f
    """
    with app.workspace() as workspace, workspace.changing_key() as change:
        key = change.key
        entry = accept_candidate(key, text, kind, gender)
        root = workspace.project.root
    report_rewrite(change.reapplied, [text])
    report_files_holding(root, key, [entry])
    article = "an" if kind[:1] in "aeiou" else "a"  # "an employer", "an e-mail"
    click.echo(f"{text!r} is {article} {kind}, replaced by {entry.pseudonym!r}")


@anonymise_group.command("dismiss")
@click.argument("words", nargs=-1, required=True)
@click.option("--not-a-name", is_flag=True,
              help="A word only spelt like a name the key holds is no name: keep it as written, not as theirs.")
@pass_app
def anonymise_dismiss(app: AppContext, words: tuple[str, ...], not_a_name: bool) -> None:
    """Mark words as not identifiers, for the whole project.

    Example: qualcode anonymise dismiss Norge Varighet
    """
    with app.workspace() as workspace, workspace.key_access().editing() as key:
        spelt_alike = {word: only_spelt_alike(key, word) for word in words}
        kept_as = [(word, entry) for word in words if (entry := dismiss(key, word, not_a_name)) is not None]
    click.echo(f"dismissed {len(words)}")
    for word, entry in kept_as:
        note(kept_as_theirs(word, entry))
        # Said to be the person's, a word only spelt like their name ("Nails" beside Nils) stays replaced.
        if spelt_alike[word]:
            note(f"if {word!r} is no name at all: qualcode anonymise dismiss --not-a-name {shlex.quote(word)}")


@anonymise_group.command("reapply")
@pass_app
def anonymise_reapply(app: AppContext) -> None:
    """Pseudonymise everything stored with all the key knows now.

    Learning a name does this by itself. A copy or a backup of the project made before the key
    learned a name still holds it, and its exports are refused until it is rewritten.

    Example: qualcode anonymise reapply
    """
    with app.workspace() as workspace:
        result = workspace.rewrite_with_key()
        root = workspace.project.root
        key = workspace.leak_check_key()
    if result.anything:
        report_rewrite(result)
    else:
        click.echo("nothing to rewrite: the project holds nothing the key knows")
    report_files_holding(root, key)


@anonymise_group.command("redraw")
@pass_app
def anonymise_redraw(app: AppContext) -> None:
    """Draw anew the pseudonyms drawn from the project's GUID, and rewrite the texts with them.

    Until 2026-12-06 each pseudonym was drawn from the project's GUID, which the project's own
    database holds: anyone with a copy of the project could draw a guessed name's pseudonym and look
    for it in the texts, after `key destroy` too. This draws each such pseudonym anew from the key's
    secret and rewrites the project. Exports written before keep the old names.

    Example: qualcode anonymise redraw
    """
    with app.workspace() as workspace:
        redrawn, result = workspace.redraw_pseudonyms()
    if not redrawn:
        click.echo("no pseudonym here was drawn from the project's GUID: nothing to redraw")
        return
    click.echo(f"drew {counted(len(redrawn), 'pseudonym')} anew from the key's secret:")
    for renamed in redrawn:
        click.echo(f"  {renamed.old} -> {renamed.new}")
    if result.anything:
        report_rewrite(replace(result, pseudonyms_redrawn=()))  # listed above


REVIEW_KEYS = {"p": "person", "l": "place", "n": "nav_office", "e": "employer", "s": "school", "o": "other"}
OTHER_ANSWERS = ("d", "w", "k", "q")  # dismiss, a word and no name, keep waiting, quit


@anonymise_group.command("review")
@pass_app
def anonymise_review(app: AppContext) -> None:
    """Decide about each waiting candidate: p(erson) l(place) n(av office) e(mployer) s(chool) o(ther) d(ismiss) w(ord, no name) k(eep waiting) q(uit).

    Answers piped in are read one per candidate, in the order `anonymise pending` lists them when the
    review begins, with a gender line after each p. Accepting a name decides its words ("Gunnhild
    Rasmussen" decides "Gunnhild"): a word so decided is not asked on a terminal, and its piped
    answer is read and not used, so each later answer goes to the candidate it was written for.

    Example: qualcode anonymise review
    """
    piped = not sys.stdin.isatty()
    with app.workspace() as workspace, workspace.changing_key() as change:
        key = change.key
        decided = 0
        accepted: list[KeyEntry] = []
        stopped = False
        # The queue as it was when the review began, each asked in turn; accepting "Gunnhild Rasmussen"
        # decides "Gunnhild" too, and asked about it still, "p" was refused and every decision before
        # it thrown away. Skipped instead, the piped answers after it went each to the next candidate
        # ("Kiwi" was taken for a person), so a piped answer for it is read and left.
        for text in [candidate.text for candidate in key.pending]:
            candidate = next((waiting for waiting in key.pending if waiting.text == text), None)
            if candidate is None:
                if not key.pending:
                    break  # nothing waits: no more answers are read
                with_name = next((entry.original for entry in reversed(accepted) if text.casefold() in words_found_alone(entry)), None)
                click.echo(f"\n{text}: decided with {with_name!r}" if with_name else f"\n{text}: decided by an earlier answer")
                if not piped:
                    continue
                try:
                    unused = click.prompt("  its answer is read and not used", type=click.Choice([*REVIEW_KEYS, *OTHER_ANSWERS]),
                                          show_choices=False)
                    if unused == "p":
                        _gender_asked()
                except click.Abort:
                    stopped = True
                    break
                if unused == "q":
                    break
                continue
            click.echo(f"\n{candidate.text}")
            for context in candidate.contexts:
                click.echo(f"    {context}")
            if (doubt := doubt_note(key, candidate.text)) is not None:
                click.echo(f"    note: {doubt}")
            try:
                choice = click.prompt("  p/l/n/e/s/o, d to dismiss, w if it is no name at all, k to keep waiting, q to quit",
                                      type=click.Choice([*REVIEW_KEYS, *OTHER_ANSWERS]), show_choices=False)
                gender = _gender_asked() if choice == "p" else None
            except click.Abort:
                # Ctrl-C, or input that ran out: the decisions made are kept, as with q (all of a long
                # review's were thrown away, and click said only "Aborted!").
                stopped = True
                break
            if choice == "q":
                break
            if choice == "k":
                continue
            if choice == "w":
                try:
                    dismiss(key, candidate.text, not_a_name=True)
                except InvalidInput as refused:  # a word the key replaces as written: it stays waiting, the review goes on
                    click.echo(f"  {refused.message}; it still waits (d if it is theirs, or p/l/n/e/s/o if it is a name of its own)")
                    continue
                click.echo("  no name: kept as written")
            elif choice == "d":
                spelt_alike = only_spelt_alike(key, candidate.text)
                if (kept_as := dismiss(key, candidate.text)) is not None:
                    click.echo(f"  {kept_as_theirs(candidate.text, kept_as)}")
                    if spelt_alike:
                        click.echo(f"  if it is no name at all: qualcode anonymise dismiss --not-a-name {shlex.quote(candidate.text)}")
            else:
                accepted.append(accept_candidate(key, candidate.text, REVIEW_KEYS[choice], gender or None))
            decided += 1
        root = workspace.project.root
    report_rewrite(change.reapplied, [entry.original for entry in accepted])
    report_files_holding(root, key, accepted)
    click.echo(("\nstopped: the decisions made are kept; " if stopped else "") + f"{decided} decided, {len(key.pending)} still waiting")


def _gender_asked() -> str:
    """A pseudonym's gender, asked again until it is one qualcode knows (a typo refused the whole review)."""
    from qualcode.anonymise.pseudonyms import GENDERS

    while (gender := click.prompt("  gender (f/m, Enter if unknown)", default="", show_default=False)).strip().casefold() not in GENDERS:
        click.echo("  f or m (kvinne, mann), or Enter for a name of either gender")
    return gender


@anonymise_group.command("style")
@click.argument("kind")
@click.argument("style", type=click.Choice(["name", "placeholder"]))
@pass_app
def anonymise_style(app: AppContext, kind: str, style: str) -> None:
    """Choose names or placeholders for new pseudonyms of a kind.

    Example: qualcode anonymise style person placeholder
    """
    with app.workspace() as workspace, workspace.key_access().editing() as key:
        set_style(key, kind, style)
    click.echo(f"new {kind} identifiers get a {style}")


@anonymise_group.command("attribution-check")
@click.option("--by", "fields", default="role,office", show_default=True, help="Comma-separated label fields.")
@pass_app
def anonymise_attribution_check(app: AppContext, fields: str) -> None:
    """Warn about attribution labels that point at five or fewer participants.

    Example: qualcode anonymise attribution-check --by role,office
    """
    with app.workspace() as workspace, workspace.begin() as session:
        risks = attribution_risks(session, tuple(f.strip() for f in fields.split(",") if f.strip()))
    for risk in risks:
        click.echo(f"warning: '{risk.label}' covers {counted(risk.participants, 'participant')} and may identify them; {risk.suggestion}")
    if not risks:
        click.echo("no label covers five or fewer participants")


COMMANDS = [anonymise_group]
