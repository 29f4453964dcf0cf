"""The person's configuration, resolved once: command-line options over the environment over defaults.

This is the only module that reads the environment; everything below the faces receives the
values it needs from a `Config`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ENV = "QUALCODE_PROJECT"
CODER_ENV = "QUALCODE_CODER"
KEY_ENV = "QUALCODE_KEY"
PASSPHRASE_ENV = "QUALCODE_KEY_PASSPHRASE"
SPACY_MODEL_ENV = "QUALCODE_SPACY_MODEL"


@dataclass(frozen=True)
class Config:
    """Who is working, on which project, with which key, and how text is parsed."""

    project: Path | None = None  # None: found from the current directory, as git finds a repository
    coder: str | None = None  # None: the project's default coder, else the login name
    key: Path | None = None  # None: the path the project recorded, else the default place
    passphrase: str | None = None  # None: asked for when the key is needed
    spacy_model: str | None = None  # None: spacy.blank("nb") with rule components
    blind: bool | None = None  # None: the project's setting for the coder's role decides (`qualcode coder blind`)
    config_home: Path = Path("~/.config")  # where keys live by default, outside every project
    editor: str | None = None  # $VISUAL or $EDITOR, for writing longer text (`framework set --edit`)

    @classmethod
    def resolve(
        cls, *, project: Path | None = None, coder: str | None = None, key: Path | None = None,
        blind: bool | None = None, environ: Mapping[str, str] | None = None,
    ) -> Config:
        """Options given on the command line win; the environment fills what they leave open."""
        env = os.environ if environ is None else environ
        home = Path(env.get("HOME") or Path.home())
        return cls(
            project=project or _path(env.get(PROJECT_ENV), home),
            # --coder "" is refused where the name is used; an empty variable is taken as unset, as shells do.
            coder=coder if coder is not None else env.get(CODER_ENV) or None,
            key=key or _path(env.get(KEY_ENV), home),
            passphrase=env.get(PASSPHRASE_ENV) or None,
            spacy_model=env.get(SPACY_MODEL_ENV) or None,
            blind=blind,
            config_home=_path(env.get("XDG_CONFIG_HOME"), home) or home / ".config",
            editor=env.get("VISUAL") or env.get("EDITOR") or None,
        )


def _path(value: str | None, home: Path) -> Path | None:
    """A path from the environment, with a leading ~ meaning the home resolved with it."""
    if not value:
        return None
    if value == "~" or value.startswith("~/"):
        return home / value[2:]
    return Path(value)
