"""`qualcode tui`: open the terminal coding workbench."""

from __future__ import annotations

import click

from qualcode.cli.context import AppContext, pass_app


@click.command("tui")
@click.option("--role", type=click.Choice(["researcher", "medforsker"]), help="Your role, remembered for this coder.")
@pass_app
def tui_command(app: AppContext, role: str | None) -> None:
    """Open the terminal UI to read and code transcripts by keyboard (asks who is coding unless --coder).

    Example: qualcode --coder "Forsker 1" tui
    """
    from qualcode.tui.app import QualcodeApp  # Textual loads only when the UI is wanted

    # Opening finishes a rewrite of stored texts that a crash interrupted, before the UI shows them.
    QualcodeApp(app.workspace(), role).run()


COMMANDS = [tui_command]
