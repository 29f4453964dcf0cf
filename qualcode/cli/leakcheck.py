"""`qualcode leakcheck FILES`: look for original identifiers in files before they leave the project."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.orm import Session

from qualcode.anonymise.in_context import cleared_in_project
from qualcode.anonymise.leakcheck import Leak, check_file
from qualcode.anonymise.own_exports import is_own_export
from qualcode.cli.context import AppContext, json_option, pass_app
from qualcode.cli.output import emit_json, note
from qualcode.errors import LeakFound, UnreadableFile


@click.command("leakcheck")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@pass_app
def leakcheck_command(app: AppContext, files: tuple[Path, ...], as_json: bool) -> None:
    """Scan .docx .txt .csv .xlsx .qdpx .qdc files for original identifiers; exit 1 if any is found.

    Exit codes: 0 nothing found in files read whole; 1 identifiers found, or a part of a file could not be read
    (a PDF or a picture in a .qdpx), or a file could not be checked at all; 2 a command line that cannot be read.
    With --json: {"outcome": "leaks" | "not_read" | "clean", "leaks": [...], "not_read": [{"file", "parts"}],
    "files": N}, so a script tells a leak from what was never read.

    Example: qualcode leakcheck exports/rapport.docx
    """
    files = _each_once(files)
    with app.workspace(read_only=True, keeps=True) as workspace:  # reads only: a read-only copy is checked too
        key = workspace.read_key()
        with workspace.begin() as session:  # a number a quote's cut left bare is read where it stands
            # qualcode's labels pass as labels only in a file this project exported as it is now.
            unread: dict[Path, list[str]] = {path: [] for path in files}
            found = [(path, leak) for path in files for leak in check_file(path, key, own=_exported_here(session, path), unread=unread[path])]
            cleared = cleared_in_project(session)
            kept = [leak for _, leak in found if cleared(leak)]
    leaks = [leak for _, leak in found if leak not in kept]
    # Counted by path: two files of one name in two folders are two files.
    leaking = {path for path, leak in found if leak not in kept}
    if as_json:
        emit_json(_outcome(leaks, unread, len(files)))
    else:
        for leak in leaks:
            click.echo(f"{leak.file} ({leak.where}): {leak.kind} {leak.found!r}  …{leak.context}…")
    for leak in kept:
        if leak.kind == "profile":  # cleared_in_project clears a profile's find only as a transcript's name
            note(f"{leak.file} ({leak.where}): {leak.found!r} read as a user name beside a word of profiles, but it is the "
                 "name of one of the project's transcripts (qualcode's own label): not counted")
            continue
        note(f"{leak.file} ({leak.where}): {leak.found!r} read as {leak.kind} alone, but the project's transcripts hold it "
             "only where the words around it make it none (an amount or a date): not counted")
    for path, parts in unread.items():
        if parts:
            note(f"{path.name}: not read: {', '.join(parts[:3])}{f' and {len(parts) - 3} more' if len(parts) > 3 else ''}"
                 " (a PDF, a picture or a recording: the leak check reads text)")
    if leaks:
        raise LeakFound(f"{_count(len(leaks), 'identifier')} found in {_count(len(leaking), 'file')}")
    not_read = sum(len(parts) for parts in unread.values())
    if not_read:
        # A name in them would pass unseen: "no identifiers found" would vouch for what was never read.
        raise UnreadableFile(
            f"no identifiers found in what was read, but {_count(not_read, 'part')} could not be read (named above)",
            "check those in the program they came from, or share the file without them",
        )
    note(f"no identifiers found in {_count(len(files), 'file')}")


def _outcome(leaks: list[Leak], unread: dict[Path, list[str]], files: int) -> dict[str, object]:
    """What --json prints: the leaks, the parts not read, and which of the three it comes to. The leaks alone (`[]`)
    said the same of a file that was clean and of one whose PDF was never read."""
    not_read = [{"file": str(path), "parts": parts} for path, parts in unread.items() if parts]
    return {"outcome": "leaks" if leaks else "not_read" if not_read else "clean", "leaks": leaks, "not_read": not_read,
            "files": files}


def _each_once(files: tuple[Path, ...]) -> tuple[Path, ...]:
    """`files` with each file once, as first named: one named twice (`a.txt ./a.txt`, a link to it) had its leaks
    and unread parts counted twice."""
    named: dict[object, Path] = {}
    for path in files:
        try:
            stat = path.stat()
            same: object = (stat.st_dev, stat.st_ino)  # a hard link is the file too
        except OSError:
            same = path.absolute()  # check_file says why it cannot be read
        named.setdefault(same, path)
    return tuple(named.values())


def _exported_here(session: Session, path: Path) -> bool:
    """Whether `path` holds the bytes of one of this project's exports (anonymise.own_exports)."""
    try:
        return path.is_file() and is_own_export(session, path.read_bytes())
    except OSError:
        return False  # check_file says why it cannot be read


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


COMMANDS = [leakcheck_command]
