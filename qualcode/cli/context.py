"""What every command shares: how to find the project and who the coder is."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from sqlalchemy.orm import Session

from qualcode.store.models import Coder

if TYPE_CHECKING:
    from qualcode.anonymise.service import KeyAccess
from qualcode.store.project import Project, find_project_root

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    """Options of the root command, handed to every subcommand."""

    project_path: Path | None
    coder_name: str | None
    key_override: Path | None = None

    def open_project(self) -> Project:
        root = self.project_path if self.project_path is not None else find_project_root(Path.cwd())
        return Project.open(root)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction on the project, committed when the command's work succeeds."""
        with self.open_project() as project, project.begin() as session:
            yield session

    def coder(self, session: Session) -> Coder:
        from qualcode.coding.coders import get_or_create_coder
        from qualcode.store.settings import get_setting

        name = self.coder_name or get_setting(session, "default_coder") or getpass.getuser()
        return get_or_create_coder(session, name)


    def key_access(self, project: Project) -> KeyAccess:
        """Where the key is, and its passphrase from $QUALCODE_KEY_PASSPHRASE or a prompt."""
        from qualcode.anonymise.service import PASSPHRASE_ENV, KeyAccess, locate_key

        path, guid = locate_key(project, self.key_override)
        passphrase = os.environ.get(PASSPHRASE_ENV)
        if not passphrase:
            creating = not path.exists()
            passphrase = click.prompt(
                "New passphrase for the pseudonym key" if creating else f"Passphrase for the key {path.name}",
                hide_input=True, confirmation_prompt=creating, err=True,
            )
        return KeyAccess(path, passphrase, guid)


pass_app = click.make_pass_decorator(AppContext)


def json_option(function: F) -> F:
    """--json: print machine-readable output for scripts."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(function)


def coder_from_env() -> str | None:
    return os.environ.get("QUALCODE_CODER")
