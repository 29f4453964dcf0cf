"""What every command shares: the configuration resolved from the root options, and the workspace."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from qualcode.cli.output import note
from qualcode.config import Config

if TYPE_CHECKING:
    from qualcode.anonymise.reapply import Reapplied
    from qualcode.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])


def ask_passphrase(prompt: str, new: bool) -> str:
    """Asked on the terminal (twice for a new key), never echoed."""
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=new, err=True))


@dataclass(frozen=True)
class AppContext:
    """The root command's options, resolved once, handed to every subcommand."""

    config: Config

    def workspace(self, *, read_only: bool = False, keeps: bool = False) -> Workspace:
        """The project; `read_only` for commands that only read, so they work on a read-only disk
        (with `keeps`, such a command still keeps what it found once where the disk allows)."""
        from qualcode.workspace import Workspace

        return Workspace.open(self.config, read_only=read_only, ask_passphrase=ask_passphrase, report=note, keeps=keeps)


pass_app = click.make_pass_decorator(AppContext)


def report_rewrite(result: Reapplied | None) -> None:
    """Say what learning new identifiers rewrote in texts already stored."""
    if result is not None and result.anything:
        note(
            f"pseudonymised {result.replacements} more places in {len(result.transcripts)} transcripts"
            f" ({', '.join(result.transcripts) or '-'}), {result.memos} memos, {result.events} log entries"
            f" and {result.others} definitions, titles and attributes"
        )


def json_option(function: F) -> F:
    """--json: print machine-readable output for scripts."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(function)
