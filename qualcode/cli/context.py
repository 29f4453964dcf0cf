"""What every command shares: the configuration resolved from the root options, and the workspace."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from qualcode.cli.output import note
from qualcode.config import Config
from qualcode.errors import InvalidInput, KeyFileError
from qualcode.store.sqlalchemy_import import import_sqlalchemy
from qualcode.text.counts import counted

if TYPE_CHECKING:
    from pathlib import Path

    from qualcode.anonymise.key import KeyEntry, PseudonymKey
    from qualcode.anonymise.reapply import Reapplied
    from qualcode.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])


def ask_passphrase(prompt: str, new: bool) -> str:
    """Asked on the terminal (twice for a new key), never echoed. Without a terminal (a script, a
    job) it is read as one line from standard input, once; with none there, the command stops with
    one line saying how to give it, rather than Python's warning that it cannot hide what is typed."""
    return _asked(prompt, new, "the key's passphrase", "set QUALCODE_KEY_PASSPHRASE, or run the command in a terminal")


def ask_new_passphrase(prompt: str) -> str:
    """The new passphrase of `key passphrase`, asked as `ask_passphrase` asks; never from
    QUALCODE_KEY_PASSPHRASE, which holds the current one."""
    return _asked(prompt, True, "the new passphrase", "give it as one line on standard input, or run the command in a terminal")


def _asked(prompt: str, new: bool, what: str, hint: str) -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line.strip():
            raise KeyFileError(f"{what} was not given, and there is no terminal to ask for it in", hint)
        return line.rstrip("\r\n")
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=new, err=True))


def confirm_or_stop(question: str, refused: str, go_ahead: str) -> None:
    """Asks `question` (y/N); anything but yes stops the command in one line: `refused` says what was
    not done, and the hint how to go ahead (`go_ahead`, the option that skips the question) where
    nobody answered: no terminal and no input (a script, a pipe), or Ctrl-C. click said only "Aborted!"."""
    try:
        agreed = click.confirm(question, err=True)
    except click.Abort:
        click.echo(err=True)  # the prompt's line is left open: the error goes on a line of its own
        raise InvalidInput(f"{refused}: the question was not answered (no terminal, or none left to read)",
                           f"answer y in a terminal, or pass {go_ahead} to go ahead without being asked") from None
    if not agreed:
        raise InvalidInput(f"{refused}: you answered no", f"to go ahead, answer y, or pass {go_ahead}")


@dataclass(frozen=True)
class AppContext:
    """The root command's options, resolved once, handed to every subcommand."""

    config: Config

    def workspace(self, *, read_only: bool = False, keeps: bool = False) -> Workspace:
        """The project; `read_only` for commands that only read, so they work on a read-only disk
        (with `keeps`, such a command still keeps what it found once where the disk allows)."""
        import_sqlalchemy()  # before the workspace imports it: without what it never uses here
        from qualcode.workspace import Workspace

        return Workspace.open(self.config, read_only=read_only, ask_passphrase=ask_passphrase, report=note, keeps=keeps)


pass_app = click.make_pass_decorator(AppContext)


def report_rewrite(result: Reapplied | None, given: Sequence[str] = ()) -> None:
    """Say what learning new identifiers rewrote in texts already stored, and each pseudonym it drew anew
    (`given`: the identifiers typed on the command line, which a redraw's reason may name)."""
    for redrawn in result.pseudonyms_redrawn if result is not None else ():
        note(redrawn.said(given))
    if result is not None and result.anything:
        note(
            f"pseudonymised {counted(result.replacements, 'more place', 'more places')} in {counted(len(result.transcripts), 'transcript')}"
            f" ({', '.join(result.transcripts) or '-'}), {counted(result.memos, 'memo')}, {counted(result.events, 'log entry', 'log entries')}"
            f" and {counted(result.others, 'definition, title or attribute', 'definitions, titles and attributes')}"
        )
    for renamed in result.codes_renamed if result is not None else ():
        note(f"note: {renamed}")
    if result is not None and result.guids_redrawn:
        note(f"gave {result.guids_redrawn} codes a new GUID: theirs was made from a name the key holds, and exports carry it")
    if result is not None and result.backups_rewritten:
        note(f"rewrote your backups {', '.join(result.backups_rewritten)} with the key, so they hold the names no longer")
    if result is not None and result.backups_deleted:
        note(f"deleted the backups that held the names ({', '.join(result.backups_deleted)}): the automatic ones, and any"
             " that could not be rewritten; a fresh backup was taken")


def report_files_holding(root: Path, key: PseudonymKey, learned: Sequence[KeyEntry] | None = None) -> None:
    """Name the files in the project's folder (its exports too) that still hold what the key learned
    (`learned`, or every original the key holds): rewriting the project cannot reach them. Called
    after the change is committed and the key's lock let go, as reading files may take a while."""
    from qualcode.anonymise.leakcheck import files_holding

    what = "a name the key just learned" if learned is not None else "a name the key holds"
    files = files_holding(root, key, learned)
    for path, unread in files:
        if unread is None:
            note(f"{path} still holds {what}; the project cannot change it: delete it (an export: export it again)")
        else:
            note(f"{path} was not read ({unread}): look at it yourself, it may hold {what}")
    if files:
        note(f"the project's texts and backups no longer hold it, the {len(files)} files above may;"
             " files written outside the project's folder were not looked at")


def json_option(function: F) -> F:
    """--json: print machine-readable output for scripts."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(function)


def language_option(function: F) -> F:
    """--lang: the language of the labels qualcode writes into a document or workbook, bokmål unless asked
    (DESIGN.md, Language): one option for every export that has labels to write."""
    return click.option("--lang", "language", type=click.Choice(["nb", "en"]), default="nb", show_default=True,
                        help="Labels in Norwegian bokmål (nb) or English (en).")(function)


def _attribute_pairs(_context: click.Context, _parameter: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        name, equals, given = value.partition("=")
        if not equals or not name.strip():
            # InvalidInput, not click's BadParameter, so the error is one line and exit 1 as every other is.
            raise InvalidInput(f"--attribute {value!r} is not NAME=VALUE", "as in --attribute barn=ja; an empty VALUE removes it")
        pairs[name.strip()] = given
    return pairs


def attribute_option(function: F) -> F:
    """--attribute NAME=VALUE, repeatable, as a dict: what `participants edit` and `transcripts edit` set."""
    return click.option(
        "--attribute", "attributes", multiple=True, callback=_attribute_pairs,
        help="NAME=VALUE, checked against the attribute's type; a new NAME is defined; empty VALUE removes it.",
    )(function)
