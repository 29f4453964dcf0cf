"""Folders a command is about to make (a new project's, its key's): refused before anything is made
when they cannot be, and taken away again, exactly what was made, when the command fails after."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from qualcode.errors import ProjectError


def missing_folders(folder: Path) -> list[Path]:
    """The folders of `folder`'s path that do not exist yet, outermost first: what making it makes."""
    folder = folder.absolute()
    missing: list[Path] = []
    for place in (folder, *folder.parents):
        if place.exists() or place.is_symlink():
            break
        missing.append(place)
    return missing[::-1]


def refuse_unmakeable(folder: Path, what: str, hint: str) -> None:
    """Refused in one line, before anything is made, if `folder` (`what` it is for) cannot be made or written in: a
    file in its place or on its path, or a folder that cannot be written (a raw OSError came only once a project
    had been half made)."""
    folder = folder.absolute()
    missing = missing_folders(folder)
    standing = missing[0].parent if missing else folder
    if not standing.is_dir():
        raise ProjectError(f"cannot make {what} {folder}: {standing} is a file, not a folder", hint)
    if not os.access(standing, os.W_OK | os.X_OK):
        raise ProjectError(f"cannot make {what} {folder}: {standing} cannot be written", hint)


class MadeHere:
    """What a command makes from now on, to take away again if it fails: the folders on the paths of `folders` that
    do not exist yet, and the entries of `folders` that do not."""

    def __init__(self, *folders: Path) -> None:
        self._made = list(dict.fromkeys(place for folder in folders for place in missing_folders(folder)))
        self._before = {folder.resolve(): frozenset(os.listdir(folder)) if folder.is_dir() else frozenset()
                        for folder in folders}

    def undo(self, *made: Path) -> None:
        """Take away each of `made` that was not there before (a folder with all it holds; one of the folders given
        at the start: what is new in it), then each folder made since that is left empty: what another process put
        in one meanwhile stays, and the folder with it."""
        for path in (path.resolve() for path in made):
            if path in self._before:
                for name in set(os.listdir(path)) - self._before[path] if path.is_dir() else ():
                    _remove(path / name)
            elif path.parent in self._before and path.name not in self._before[path.parent]:
                _remove(path)
        for folder in sorted(self._made, key=lambda place: len(place.parts), reverse=True):
            try:
                folder.rmdir()
            except OSError:
                pass  # not empty, or gone already


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)
