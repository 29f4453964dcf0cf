"""YAML front matter at the top of a text file, or in a `FILE.meta.yaml` beside any file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from qualcode.errors import ImportFailed

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def _load(source: str, where: str) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ImportFailed(f"{where}{line}: metadata is not valid YAML", "fix the front matter") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ImportFailed(f"{where}: metadata must be key: value pairs")
    return loaded


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    """Metadata and the text after it; the text is unchanged if there is no front matter."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    return _load(match.group("yaml"), where), text[match.end():]


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.yaml")


def read_sidecar(path: Path) -> dict[str, Any]:
    """Metadata from `FILE.meta.yaml` beside the file, for formats without front matter."""
    sidecar = sidecar_path(path)
    if not sidecar.is_file():
        return {}
    return _load(sidecar.read_text(encoding="utf-8"), sidecar.name)
