"""The `qualcode` command: a root group with one subgroup per noun."""

from __future__ import annotations

import importlib
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from qualcode import __version__
from qualcode.cli.context import AppContext
from qualcode.config import Config
from qualcode.errors import QualcodeError
from qualcode.store.faults import database_fault, disk_fault

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


def _fault_types() -> tuple[type[BaseException], ...]:
    """The disk's and SQLite's errors, and SQLAlchemy's wrapper of them once SQLAlchemy is loaded
    (nothing can have raised one before), so a command that never opens a project never imports it."""
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
    wrapped: tuple[type[BaseException], ...] = (sqlalchemy_errors.DBAPIError,) if sqlalchemy_errors else ()
    return (*wrapped, sqlite3.Error, OSError)


class QualcodeGroup(click.Group):
    """Turns a QualcodeError into one line on stderr and exit code 1; tracebacks are for bugs.

    Subcommands named in `lazy_commands` are imported on first use."""

    def __init__(self, *args: Any, lazy_commands: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module_name, attribute = self.lazy_commands[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy_commands[cmd_name]} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as error:
            # Click suggests close names among the commands loaded so far; suggest among all of them.
            raise click.exceptions.NoSuchCommand(error.command_name, possibilities=self.list_commands(ctx), ctx=ctx) from None

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
        except QualcodeError as error:
            line = f"error: {error.message}" + (f" (hint: {error.hint})" if error.hint else "")
            click.echo(" ".join(line.split()), err=True)  # one line, whatever the message holds
            ctx.exit(1)


@click.group(cls=QualcodeGroup, lazy_commands=LAZY_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
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


def main() -> None:
    cli(prog_name="qualcode")


if __name__ == "__main__":
    main()
