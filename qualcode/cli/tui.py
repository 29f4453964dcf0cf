"""`qualcode tui`: open the terminal coding workbench."""

from __future__ import annotations

import sys
from dataclasses import replace

import click

from qualcode.cli.context import AppContext, pass_app
from qualcode.errors import InvalidInput


@click.command("tui")
@click.option(
    "--role", type=click.Choice(["researcher", "medforsker"]),
    help="Your role if you are new to this project; `qualcode coder role` changes a coder's role.",
)
@click.option(
    "--blind/--no-blind", default=None,
    help="Show only your own codings, for agreement studies (default: as `qualcode coder blind` set for your role).",
)
@pass_app
def tui_command(app: AppContext, role: str | None, blind: bool | None) -> None:
    """Open the terminal UI to read and code transcripts by keyboard (asks who is coding unless --coder).

    Example: qualcode --coder "Medforsker 1" tui --blind
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # Textual would draw into the pipe and wait for keys that never come, at a core's full speed.
        raise InvalidInput("the terminal UI needs a terminal, and this command has none (its input or output is a pipe or a file)",
                           "run `qualcode tui` in a terminal; over SSH, `ssh -t HOST qualcode tui`")
    from qualcode.tui.app import QualcodeApp  # Textual loads only when the UI is wanted

    # Opening finishes a rewrite of stored texts that a crash interrupted, before the UI shows them.
    QualcodeApp(AppContext(replace(app.config, blind=blind)).workspace(), role).run()


COMMANDS = [tui_command]
