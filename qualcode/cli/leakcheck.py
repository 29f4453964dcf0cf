"""`qualcode leakcheck FILES`: look for original identifiers in files before they leave the project."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.orm import Session

from qualcode.anonymise.in_context import cleared_in_project
from qualcode.anonymise.leakcheck import check_file
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

    Example: qualcode leakcheck exports/rapport.docx
    """
    with app.workspace(read_only=True, keeps=True) as workspace:  # reads only: a read-only copy is checked too
        key = workspace.read_key()
        with workspace.begin() as session:  # a number a quote's cut left bare is read where it stands
            # qualcode's labels pass as labels only in a file this project exported as it is now.
            unread: dict[Path, list[str]] = {path: [] for path in files}
            found = [leak for path in files for leak in check_file(path, key, own=_exported_here(session, path), unread=unread[path])]
            cleared = cleared_in_project(session)
            kept = [leak for leak in found if cleared(leak)]
    leaks = [leak for leak in found if leak not in kept]
    if as_json:
        emit_json(leaks)
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
        raise LeakFound(f"{_count(len(leaks), 'identifier')} found in {_count(len({leak.file for leak in leaks}), 'file')}")
    not_read = sum(len(parts) for parts in unread.values())
    if not_read:
        # A name in them would pass unseen: "no identifiers found" would vouch for what was never read.
        raise UnreadableFile(
            f"no identifiers found in what was read, but {_count(not_read, 'part')} could not be read (named above)",
            "check those in the program they came from, or share the file without them",
        )
    note(f"no identifiers found in {_count(len(files), 'file')}")


def _exported_here(session: Session, path: Path) -> bool:
    """Whether `path` holds the bytes of one of this project's exports (anonymise.own_exports)."""
    try:
        return path.is_file() and is_own_export(session, path.read_bytes())
    except OSError:
        return False  # check_file says why it cannot be read


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


COMMANDS = [leakcheck_command]
