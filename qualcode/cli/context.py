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

from qualcode.cli.output import note

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qualcode.anonymise.service import KeyAccess
    from qualcode.store.models import Coder
    from qualcode.store.project import Project

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    """Options of the root command, handed to every subcommand."""

    project_path: Path | None
    coder_name: str | None
    key_override: Path | None = None

    def open_project(self, *, read_only: bool = False) -> Project:
        """The project; `read_only` for commands that only read, so they work on a read-only disk."""
        from qualcode.store.project import Project, find_project_root

        root = self.project_path if self.project_path is not None else find_project_root(Path.cwd())
        project = Project.open(root, read_only=read_only)
        try:
            from qualcode.anonymise.service import interrupted_work

            if read_only and interrupted_work(project):
                # Interrupted work is finished before anything is read, and finishing it writes.
                project.close()
                project = Project.open(root)
            self.finish_interrupted(project)
        except BaseException:
            project.close()
            raise
        return project

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        """One transaction on the project, committed when the command's work succeeds."""
        with self.open_project(read_only=read_only) as project, project.begin() as session:
            yield session

    def coder(self, session: Session) -> Coder:
        from qualcode.coding.coders import get_or_create_coder
        from qualcode.store.settings import get_setting

        name = self.coder_name or get_setting(session, "default_coder") or getpass.getuser()
        return get_or_create_coder(session, name)

    def key_access(self, project: Project) -> KeyAccess:
        """The project's key (never created here) and its passphrase from $QUALCODE_KEY_PASSPHRASE or a prompt."""
        from qualcode.anonymise.service import KeyAccess, locate_key
        from qualcode.errors import KeyFileError

        place = locate_key(project, self.key_override)
        if not place.path.exists():
            if place.destroyed:
                raise KeyFileError(
                    f"this project's key was destroyed on {place.destroyed[:10]}",
                    "what needs a key (imports, identifiers, memos) needs a new one: `qualcode key new`",
                )
            raise KeyFileError(
                f"this project's key is not at {place.path}",
                "pass the right --key PATH or restore the key from your backup; `qualcode key new` makes a new, empty key",
            )
        return KeyAccess(place.path, self.passphrase(f"Passphrase for the key {place.path.name}"), place.project_guid,
                         place.fingerprint, project, place.revision)

    def passphrase(self, prompt: str, *, new: bool = False) -> str:
        """The key's passphrase: $QUALCODE_KEY_PASSPHRASE, or asked for (twice for a new key)."""
        from qualcode.anonymise.service import PASSPHRASE_ENV

        given = os.environ.get(PASSPHRASE_ENV)
        if given:
            return given
        return str(click.prompt(prompt, hide_input=True, confirmation_prompt=new, err=True))

    @contextmanager
    def typed_session(self) -> Iterator[Session]:
        """A transaction for commands that store what a person typed (memos, definitions, titles):
        every such text is pseudonymised with the key, locked for the command, before it is
        written. Without the key (destroyed at the end of a project, or missing) such commands are
        refused: a name typed then would be stored as typed."""
        from qualcode.anonymise.typed_text import guard_typed_text

        with self.open_project() as project, self.key_access(project).editing() as key:
            guard_typed_text(project, key)
            with project.begin() as session:
                yield session

    def finish_interrupted(self, project: Project) -> None:
        """Complete a rewrite of stored texts that a crash interrupted, before anything else runs."""
        from qualcode.anonymise.service import finish_interrupted, interrupted_work

        if not interrupted_work(project):
            return
        note("an earlier change to the key was interrupted while stored texts were being pseudonymised; finishing it now")
        with project.begin() as session:
            coder_name = self.coder(session).name
        result = finish_interrupted(project, self.key_access(project), coder_name)
        note(f"finished: {result.replacements} places in {len(result.transcripts)} transcripts, "
             f"{result.memos} memos and {result.events} log entries pseudonymised")


pass_app = click.make_pass_decorator(AppContext)


def json_option(function: F) -> F:
    """--json: print machine-readable output for scripts."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(function)


def coder_from_env() -> str | None:
    return os.environ.get("QUALCODE_CODER")
