"""The `qualcode` command: a root group with one subgroup per noun."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import DBAPIError

from qualcode.cli.context import AppContext, coder_from_env
from qualcode.errors import QualcodeError
from qualcode.store.faults import database_fault, disk_fault


class QualcodeGroup(click.Group):
    """Turns a QualcodeError into one line on stderr and exit code 1; tracebacks are for bugs."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            except (DBAPIError, sqlite3.Error, OSError) as error:
                # Faults outside a project transaction: busy, disk full, read-only, damaged.
                fault = disk_fault(error) if isinstance(error, OSError) else database_fault(error)
                if fault is None:
                    raise
                raise fault from None
        except QualcodeError as error:
            line = f"error: {error.message}" + (f" (hint: {error.hint})" if error.hint else "")
            click.echo(" ".join(line.split()), err=True)  # one line, whatever the message holds
            ctx.exit(1)


@click.group(cls=QualcodeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project", "project_path", type=click.Path(path_type=Path), envvar="QUALCODE_PROJECT",
    help="Project directory (default: found from the current directory, as git does).",
)
@click.option(
    "--key", "key_path", type=click.Path(path_type=Path), default=None,
    help="The pseudonym key file (default: $QUALCODE_KEY, or the project's key under ~/.config/qualcode/keys).",
)
@click.option("--coder", "coder_name", default=None, help="Who is coding (default: $QUALCODE_CODER, the project default, or your user name).")
@click.version_option(package_name="qualcode")
@click.pass_context
def cli(ctx: click.Context, project_path: Path | None, key_path: Path | None, coder_name: str | None) -> None:
    """Code and analyse pseudonymised interview transcripts.

    Example: qualcode init studie && cd studie && qualcode import ~/intervjuer/
    """
    ctx.obj = AppContext(project_path=project_path, coder_name=coder_name or coder_from_env(), key_override=key_path)


def _register() -> None:
    from qualcode.cli import (
        anonymise,
        backup,
        codebook,
        coders,
        coding,
        export,
        history,
        importing,
        memo,
        participants,
        project,
        search,
        transcripts,
        tui,
    )

    modules = (
        project, importing, transcripts, participants, codebook, coding, memo, history, search, coders, anonymise,
        export, backup, tui,
    )
    for module in modules:
        for command in module.COMMANDS:
            cli.add_command(command)
    # `qualcode participant withdraw D5` reads as the issue and researchers say it.
    cli.add_command(participants.participants_group, name="participant")


_register()


def main() -> None:
    cli(prog_name="qualcode")


if __name__ == "__main__":
    main()
