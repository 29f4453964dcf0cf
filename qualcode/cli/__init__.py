"""The `qualcode` command: a root group with one subgroup per noun."""

from __future__ import annotations

import gc
import importlib
import sqlite3
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from qualcode import __version__
from qualcode.cli.context import AppContext
from qualcode.cli.output import error as error_line
from qualcode.config import Config
from qualcode.errors import InvalidInput, QualcodeError
from qualcode.store.faults import damage_behind, database_fault, disk_fault
from qualcode.store.sqlalchemy_import import import_sqlalchemy

# Each command's module is imported only when that command runs or a help listing needs it, so
# `qualcode --version` and `qualcode status` do not pay for spaCy, python-docx or the importers
# (click's "lazily loading subcommands" pattern). Name -> "module:attribute"; every command in a
# module's COMMANDS list belongs here (tests/test_architecture.py checks it).
LAZY_COMMANDS = {
    "init": "qualcode.cli.project:project_init",
    "status": "qualcode.cli.project:project_status",
    "import": "qualcode.cli.importing:import_command",
    "transcripts": "qualcode.cli.transcripts:transcripts_group",
    "participants": "qualcode.cli.participants:participants_group",
    "codebook": "qualcode.cli.codebook:codebook_group",
    "coding": "qualcode.cli.coding:coding_group",
    "memo": "qualcode.cli.memo:memo_group",
    "undo": "qualcode.cli.history:history_undo",
    "redo": "qualcode.cli.history:history_redo",
    "history": "qualcode.cli.history:history_list",
    "search": "qualcode.cli.search:search_command",
    "coder": "qualcode.cli.coders:coder_group",
    "identifiers": "qualcode.cli.identifiers:identifiers_group",
    "anonymise": "qualcode.cli.anonymise:anonymise_group",
    "key": "qualcode.cli.key:key_group",
    "leakcheck": "qualcode.cli.leakcheck:leakcheck_command",
    "export": "qualcode.cli.export:export_group",
    "exchange": "qualcode.cli.exchange:exchange_group",
    "analyse": "qualcode.cli.analyse:analyse_group",
    "agreement": "qualcode.cli.agreement:agreement_group",
    "consensus": "qualcode.cli.consensus:consensus_group",
    "framework": "qualcode.cli.framework:framework_group",
    "review": "qualcode.cli.review:review_group",
    "backup": "qualcode.cli.backup:backup_group",
    "tui": "qualcode.cli.tui:tui_command",
}

# Command modules that import SQLAlchemy only when their command opens the project (AppContext.workspace
# imports it as import_sqlalchemy does), so their help starts without it; every other command module
# imports it as it is imported (tests/test_architecture.py checks both).
IMPORT_SQLALCHEMY_LATER = frozenset({"qualcode.cli.consensus", "qualcode.cli.exchange", "qualcode.cli.key", "qualcode.cli.tui"})

# Each command's first line of help, so `qualcode --help` lists every command without importing
# any of them, nor SQLAlchemy (tests/test_architecture.py checks each against the command's own).
COMMAND_HELP = {
    "init": "Create a project in DIRECTORY with the KVP codebook loaded, and its encrypted pseudonym key.",
    "status": "Show the project at a glance: transcripts, participants, codes and codings.",
    "import": "Pseudonymise and import transcripts (.txt .md .docx .odt .vtt .srt), or every such file in a folder.",
    "transcripts": "List, read and correct transcripts.",
    "participants": "List, import and correct participants.",
    "codebook": "Show, validate, import, export and edit the codebook.",
    "coding": "Apply, list, remove and resize codings.",
    "memo": "Write and list memos.",
    "undo": "Undo your most recent change (across sessions and restarts).",
    "redo": "Redo the change you last undid.",
    "history": "Show the audit trail: who changed what, when.",
    "search": 'Search transcripts: words match every inflection, "phrases", AND, OR, NOT, (…), prefix*, *suffix, *infix*.',
    "coder": "Add coders, change their roles, and list them.",
    "identifiers": "The identifiers this project knows, kept in the encrypted key.",
    "anonymise": "Review possible identifiers, and set pseudonym styles.",
    "key": "Make, show or destroy the pseudonym key, or change its passphrase.",
    "leakcheck": "Scan .docx .txt .csv .xlsx .qdpx .qdc files for original identifiers; exit 1 if any is found.",
    "export": "Export themed quote collections as Word reports and quote tables, and the project as REFI-QDA.",
    "exchange": "Exchange with other QDA programs through REFI-QDA (.qdc, .qdpx).",
    "analyse": "Count codes, cross them with attributes, open the passages behind a count, compare rounds.",
    "agreement": "Intercoder agreement per code and overall: percent, Cohen's/Fleiss' kappa, Krippendorff's alpha.",
    "consensus": "Two coders' disagreements on a transcript, and the team's decision on each (as the TUI's compare screen).",
    "framework": "The framework matrix: a summary per participant and code, linked to the passages it summarises.",
    "review": "Bring reviewers' Word comments back as memos.",
    "backup": "Back up the project now (verified), or list and restore backups.",
    "tui": "Open the terminal UI to read and code transcripts by keyboard (asks who is coding unless --coder).",
}


def _fault_types() -> tuple[type[BaseException], ...]:
    """The disk's and SQLite's errors, and SQLAlchemy's wrapper of them once SQLAlchemy is loaded
    (nothing can have raised one before), so a command that never opens a project never imports it."""
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
    wrapped: tuple[type[BaseException], ...] = (sqlalchemy_errors.DBAPIError,) if sqlalchemy_errors else ()
    return (*wrapped, sqlite3.Error, OSError)


class QualcodeGroup(click.Group):
    """Turns a QualcodeError into one line on stderr and exit code 1; tracebacks are for bugs.

    Subcommands named in `lazy_commands` are imported on first use; the help listing takes their
    lines from `lazy_help`, so it imports none of them."""

    def __init__(
        self, *args: Any, lazy_commands: dict[str, str] | None = None, lazy_help: dict[str, str] | None = None, **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})
        self.lazy_help = dict(lazy_help or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module_name, attribute = self.lazy_commands[cmd_name].split(":")
            self._import_sqlalchemy_for(cmd_name)
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy_commands[cmd_name]} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)

    def _import_sqlalchemy_for(self, name: str) -> None:
        """Import SQLAlchemy, without what it never uses here (store/sqlalchemy_import.py), for a command whose
        module imports it; not for one that imports it only when it opens the project, nor for a name no command has."""
        target = self.lazy_commands.get(name)
        if target is not None and target.split(":")[0] not in IMPORT_SQLALCHEMY_LATER:
            import_sqlalchemy()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click lists them (click.Group.format_commands), a line of help each."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command: click.Command | None
            if name in self.lazy_help and name not in self.commands:
                command = click.Command(name, help=self.lazy_help[name])  # shortened as the real one would be
            else:
                command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        if ctx.parent is None:  # the whole command line is read, and no command's module imported yet
            # SQLAlchemy before the key's derivation begins on its thread: imported while that thread imported
            # cryptography, each waited on the other, and the CSV export took 17-26 ms longer (15 alternating runs).
            self._import_sqlalchemy_for(args[0] if args else "")
            _begin_reading_the_key(ctx, args)
            _refuse_repeated(self, ctx.meta[_COMMAND_LINE], ctx.info_name or "qualcode")
        try:
            resolved = super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as error:
            # Click suggests close names among the commands loaded so far; suggest among all of them.
            raise click.exceptions.NoSuchCommand(error.command_name, possibilities=self.list_commands(ctx), ctx=ctx) from None
        _resume_collection()
        return resolved

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            except _fault_types() as error:
                # Faults outside a project transaction: busy, disk full, read-only, damaged.
                fault = disk_fault(error) if isinstance(error, OSError) else database_fault(error)
                if fault is None:
                    raise
                raise fault from None
            except OverflowError as error:
                # An id, offset or limit beyond what SQLite holds (a 64-bit integer), from any command.
                if "SQLite INTEGER" not in str(error):
                    raise
                raise InvalidInput(
                    "a number given is too large", "ids, offsets and limits are whole numbers below 9223372036854775808",
                ) from None
            except (QualcodeError, click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
                raise
            except Exception:
                # A traceback is for a bug; a database damaged inside (rows gone) is none, and says so.
                damage = damage_behind()
                if damage is None:
                    raise
                raise damage from None
        except QualcodeError as error:
            line = f"error: {error.message}" + (f" (hint: {error.hint})" if error.hint else "")
            error_line(line)
            ctx.exit(1)
        except click.UsageError as error:
            _usage_error(error, ctx.command_path)

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any) -> click.Context:
        if parent is not None:  # a subgroup: its errors reach the parent's `invoke`
            return super().make_context(info_name, args, parent, **extra)
        line = list(args)  # for _refuse_repeated, once the key's derivation is begun (parsing consumes `args`)
        try:
            context = super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:  # `qualcode --bogus`: read before any command's `invoke`
            _usage_error(error, info_name or "qualcode")
        context.meta[_COMMAND_LINE] = line
        return context


_COMMAND_LINE = "qualcode.command_line"

# Commands that always read the key, and groups all of whose commands do. With the key's path and
# passphrase given (--key or $QUALCODE_KEY, and $QUALCODE_KEY_PASSPHRASE), the key's slow derivation
# begins on a second thread as soon as the command line is read, before the command's modules
# (SQLAlchemy, the models) are imported, so it is done by the time the command reads the key: 80 ms
# of an export's or an import's start (anonymise/key.py's derive_ahead). A command missing here
# only derives the key when it reads it; one here that does not read it costs a second core 0.1 s.
READS_THE_KEY = frozenset({
    "import", "export", "identifiers", "leakcheck", "key show", "key passphrase", "key destroy", "framework export",
    "anonymise pending", "anonymise accept", "anonymise dismiss", "anonymise reapply", "anonymise review", "anonymise style",
    # Commands whose typed text is pseudonymised with the key before it is stored, and exports.
    "codebook export", "codebook import", "codebook add", "codebook edit", "memo add", "coding memo",
    "participants import", "participants edit", "participants withdraw", "transcripts edit", "review import",
})


def _begin_reading_the_key(ctx: click.Context, args: list[str]) -> None:
    """Begin the key's derivation if the command about to run reads the key and says where it is."""
    if " ".join(args[:1]) not in READS_THE_KEY and " ".join(args[:2]) not in READS_THE_KEY:
        return
    config = Config.resolve(project=ctx.params.get("project_path"), key=ctx.params.get("key_path"))
    if config.key is not None and config.passphrase:
        from qualcode.anonymise.key import derive_ahead

        derive_ahead(config.key.expanduser(), config.passphrase)


def _refuse_repeated(top: click.Command, args: list[str], prog: str) -> None:
    """An option that takes one value, given twice anywhere on the command line: click keeps the
    last unsaid, so `import --participant D5 --participant D6` attributed a group interview to D6
    alone. Read along the line as click will, group by group to the command."""
    command: click.Command | None = top
    path, tokens, at = [prog], list(args), 0
    while command is not None:
        options = {flag: option for option in command.params if isinstance(option, click.Option)
                   for flag in [*option.opts, *option.secondary_opts]}
        seen: dict[str, str] = {}
        following: click.Command | None = None
        while at < len(tokens) and following is None:
            token = tokens[at]
            at += 1
            if token == "--":
                return
            if not token.startswith("-") or token == "-":
                if isinstance(command, click.Group):  # the next command: its options are its own
                    following = command.get_command(click.Context(command), token)
                    if following is None:
                        return  # click says so
                    path.append(token)
                continue
            flag, _, attached = token.partition("=")
            option = options.get(flag)
            if option is None or option.is_flag or option.count:
                continue
            value = attached if "=" in token else (tokens[at] if at < len(tokens) else "")
            at += 0 if "=" in token else 1
            if option.multiple or option.name is None:
                continue
            if option.name in seen:
                raise click.UsageError(f"{flag} was given twice ({seen[option.name]!r} and {value!r}); it takes one value",
                                       click.Context(command, info_name=" ".join(path)))
            seen[option.name] = value
        command = following


def _usage_error(error: click.UsageError, where: str) -> NoReturn:
    """A command line click cannot read (a missing argument, "x" for a number): one line as every
    error is, not click's usage text, with click's exit code for it. A group given no command
    shows its help, as `--help` would."""
    if isinstance(error, click.exceptions.NoArgsIsHelpError):
        click.echo(error.format_message(), err=True)
        raise click.exceptions.Exit(error.exit_code)
    if error.ctx is not None:
        where = error.ctx.command_path
    hint = f"see `{where} --help`"
    if isinstance(error, click.exceptions.NoSuchOption) and not error.option_name.lstrip("-")[:1].isalpha():
        # "-2+3" or "--- notat": a value that begins with a dash, as a search or a memo may, read as an option.
        hint = f"a value that begins with a dash goes after `--`, as in `{where} -- '-2+3'`; or {hint}"
    elif isinstance(error, click.exceptions.NoSuchOption) and error.ctx is not None and error.ctx.parent is not None:
        # `qualcode tui --coder Kari`: an option of qualcode itself, which the command's help does not list.
        root = error.ctx.find_root()
        for param in root.command.params:
            if isinstance(param, click.Option) and error.option_name in param.opts and not param.is_flag:
                value = "PATH" if isinstance(param.type, click.Path) else "NAME"
                command = where.removeprefix(f"{root.info_name} ")
                hint = (f"{error.option_name} is qualcode's own option, given before the command:"
                        f" `{root.info_name} {error.option_name} {value} {command} …`")
    error_line(f"error: {error.format_message()} (hint: {hint})")
    raise click.exceptions.Exit(error.exit_code)


@click.group(cls=QualcodeGroup, lazy_commands=LAZY_COMMANDS, lazy_help=COMMAND_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project", "project_path", type=click.Path(path_type=Path),
    help="Project directory (default: $QUALCODE_PROJECT, else found from the current directory, as git does).",
)
@click.option(
    "--key", "key_path", type=click.Path(path_type=Path), default=None,
    help="The pseudonym key file (default: $QUALCODE_KEY, or the project's key under ~/.config/qualcode/keys).",
)
@click.option("--coder", "coder_name", default=None, help="Who is coding (default: $QUALCODE_CODER, the project default, or your user name).")
# The version given, not looked up: reading the installed metadata costs 50-70 ms per start.
@click.version_option(__version__, package_name="qualcode")
@click.pass_context
def cli(ctx: click.Context, project_path: Path | None, key_path: Path | None, coder_name: str | None) -> None:
    """Code and analyse pseudonymised interview transcripts.

    Example: qualcode init studie && cd studie && qualcode import ~/intervjuer/
    """
    ctx.obj = AppContext(Config.resolve(project=project_path, coder=coder_name, key=key_path))


_collection_paused = False


def _resume_collection() -> None:
    """Collect garbage again once the command is loaded, leaving what start-up made out of every collection."""
    global _collection_paused
    if _collection_paused:
        _collection_paused = False
        gc.freeze()
        gc.enable()


def main() -> None:
    global _collection_paused
    # Loading a command makes some 100 000 objects that live as long as the process (SQLAlchemy,
    # the models, the command's modules); collecting garbage while they are made frees nothing and
    # costs about a tenth of a short command's time. The command's own work is collected as usual.
    gc.disable()
    _collection_paused = True
    cli(prog_name="qualcode")


def run() -> NoReturn:
    """`qualcode` as a process (the console script, `python -m qualcode`): `main`, then the end of
    the process. `main` alone raises SystemExit, for a caller that goes on after it (the tests'
    forked commands)."""
    try:
        main()
    except SystemExit as end:
        _end_process(end)
    _end_process(SystemExit(0))


def _end_process(end: SystemExit) -> NoReturn:
    """End the process as Python would, without taking its heap apart object by object first: that
    took 13 ms of `status` and 37 ms of an import (spaCy's), after the command's work was done.

    By now the command has closed its project (its database written and checkpointed) and its
    files; what Python's own exit would still do is done here: the exit handlers run (logging's
    flush among them) and the output is flushed. A thread still working that is not a daemon is
    waited for by Python's own exit, which then takes over."""
    import atexit
    import os
    import threading

    if any(thread.is_alive() and not thread.daemon for thread in threading.enumerate() if thread is not threading.main_thread()):
        raise end
    code = end.code
    if not isinstance(code, int):
        if code is not None:  # as Python prints a message given to exit
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): what could not be written is lost either way
            pass
    os._exit(code)


if __name__ == "__main__":
    run()
