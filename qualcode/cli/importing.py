"""`qualcode import`: transcripts in any supported format, one file or a whole folder, or a REFI-QDA project (.qdpx)."""

from __future__ import annotations

import shlex
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from qualcode.anonymise.service import KeyAccess
from qualcode.cli.context import AppContext, json_option, pass_app
from qualcode.cli.output import emit_json, note
from qualcode.cli.progress import progress_bar, wants_progress
from qualcode.errors import DuplicateContent, InvalidInput, ProjectError, QualcodeError
from qualcode.importers.metadata import parse_date
from qualcode.importers.readers import supported_suffixes
from qualcode.importers.service import (
    ImportedTranscript,
    ImportOptions,
    Preview,
    expand_paths,
    import_paths,
    one_line,
    preview_file,
)
from qualcode.text.counts import counted
from qualcode.text.normalise import shortened
from qualcode.workspace import Workspace


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--name", help="Short name for the transcript (default: the file name without extension).")
@click.option("--title", help="A longer title.")
@click.option("--participant", help="The participant interviewed (created if new); for a group interview, list them in"
                                    " the file's front matter instead: participants: [D4, D5].")
@click.option("--role", help="The participant's role if new: deltaker, veileder, leder ...")
@click.option("--wave", help="Interview round, e.g. T1.")
@click.option("--date", "interview_date", help="Real interview date, YYYY-MM-DD.")
@click.option("--mode", help="individual, group, phone ...")
@click.option("--fidelity", help="transcript, referat, fieldnotes or comments.")
@click.option("--interviewer", help="Who interviewed.")
@click.option("--note-taker", help="Who took notes.")
@click.option("--encoding", help="Read text files in this encoding instead of detecting it.")
@click.option("--turn-pattern", help=r"Regex for turn markers with a (?P<speaker>...) group, e.g. '(?P<speaker>\w+) >'.")
@click.option("--dry-run", is_flag=True, help="Show what would be replaced and proposed, and write nothing.")
@click.option("--participants", "participants_csv", type=click.Path(path_type=Path), help="Import this participants CSV first.")
@click.option("--replace", is_flag=True,
              help="A changed file under an existing name becomes that transcript's new text; codings re-anchored, backed up first.")
@json_option
@pass_app
def import_command(
    app: AppContext, paths: tuple[Path, ...], name: str | None, title: str | None, participant: str | None,
    role: str | None, wave: str | None, interview_date: str | None, mode: str | None, fidelity: str | None,
    interviewer: str | None, note_taker: str | None, encoding: str | None, turn_pattern: str | None,
    participants_csv: Path | None, dry_run: bool, replace: bool, as_json: bool,
) -> None:
    """Pseudonymise and import transcripts (SUFFIXES), or every such file in a folder.

    Known identifiers and patterns (fødselsnummer, phone, e-mail, addresses ...) are replaced before
    anything is stored; a file with possible identifiers nobody has decided about is held back for
    `qualcode anonymise review`. Each file is imported whole or not at all; a batch goes on past a
    bad file and exits 1 at the end. Files imported before are skipped as already present, so a
    folder can be imported again after review; a changed file under a taken name is refused unless
    --replace is given. A .qdpx (REFI-QDA project from NVivo, ATLAS.ti, MAXQDA or a co-coder's
    copy) is imported or merged whole, in one transaction; what qualcode cannot hold is listed.

    Example: qualcode import intervjuer/ --participants intervjuer/participants.csv
    """
    if any(path.suffix.lower() == ".qdpx" for path in paths):
        given = {
            "--dry-run": dry_run, "--replace": replace, "--participants": participants_csv, "--name": name, "--title": title,
            "--participant": participant, "--role": role, "--wave": wave, "--date": interview_date, "--mode": mode,
            "--fidelity": fidelity, "--interviewer": interviewer, "--note-taker": note_taker, "--encoding": encoding,
            "--turn-pattern": turn_pattern,
        }
        # A .qdpx brings its own sources, cases and variables, and is merged in one transaction: an
        # option for files was passed over unsaid, and --dry-run imported it all the same.
        ignored = [option for option, value in given.items() if value not in (None, False)]
        if ignored:
            raise InvalidInput(
                f"{', '.join(ignored)} {'does' if len(ignored) == 1 else 'do'} not apply to a .qdpx, which is imported whole"
                " with its own metadata",
                f"import it without {'it' if len(ignored) == 1 else 'them'}; to see what it holds first: "
                f"qualcode exchange validate {shlex.quote(str(paths[0]))}",
            )
        _import_qdpx(app, paths, as_json)
        return
    if wave:  # refused once here, not once for every file of a folder
        from qualcode.coding.waves import check_wave

        wave = check_wave(wave)
    options = ImportOptions(
        name=name, title=title, participant=participant, role=role, wave=wave,
        # Read as front matter and `transcripts edit` read a date: "2024-5-2" and "12.10.2009" alike refused, with the hint.
        date=parse_date(interview_date, "--date") if interview_date is not None else None,
        mode=mode, fidelity=fidelity, interviewer=interviewer, note_taker=note_taker,
        encoding=encoding, turn_pattern=turn_pattern, replace=replace,
    )
    with app.workspace() as workspace:
        key_access = workspace.key_access()
        if dry_run:
            _dry_run(workspace, paths, options, key_access, as_json)
            return
        if participants_csv is not None:
            # As `participants import` does it: pseudonymised, and held back while a name in it waits for review.
            result = workspace.import_participants(participants_csv)
            note(f"participants: {len(result.created)} new, {len(result.updated)} updated")
        with workspace.begin() as session:
            coder_name = workspace.coder(session).name
        show = wants_progress(as_json)
        with progress_bar("importing", len(expand_paths(paths)) if show else None, show=show) as step:
            batch = import_paths(
                workspace.project, paths, key_access, options, coder_name,
                progress=(lambda path: step(description=f"importing {path.name}")) if step is not None else None,
                blind=workspace.blind,
            )
        # A coding of theirs the replacement reworded, to a blind coder by its handle: ids count everyone's codings.
        shown = workspace.codings_shown(coding_id for item in batch.imported for coding_id, _, _ in item.codings_reworded)
    if as_json:
        emit_json({
            "imported": [_as_shown(item, shown, workspace) for item in batch.imported],
            "skipped": [{"file": str(p), "reason": r} for p, r in batch.skipped],
            "failed": [{"file": str(p), "reason": r} for p, r in batch.failed],
            "held_back": [str(p) for p in batch.held_back],  # of the failed: names in them wait for review
            "interrupted": str(batch.interrupted) if batch.interrupted is not None else None,
            "backup": str(batch.backup) if batch.backup is not None else None,  # taken before the first replacement
        })
    else:
        for item in batch.imported:
            who = f" ({', '.join(item.participants)})" if item.participants else ""
            verb = "replaced the text of" if item.replaced else "imported"
            click.echo(f"{verb} {item.name}{who}: {counted(item.words, 'word')}, {counted(item.turns, 'turn')}, speakers {', '.join(item.speakers) or '-'}")
            if item.replaced:
                _say_replacement(item, shown, done=True)
            for message in item.notes:
                note(f"note {item.name}: {message}")
        for path, reason in batch.skipped:
            note(f"skipped {path}: {reason}")
        # A file held back waits for the researcher's decisions, which is no fault of the file: said so.
        held = set(batch.held_back)
        for path, reason in batch.failed:
            note(f"{'held back' if path in held else 'failed'} {path}: {reason}")
        if batch.backup is not None:
            note(f"backed up before replacing to {batch.backup.relative_to(workspace.project.root)}"
                 " (`qualcode backup restore` it to go back)")
        waiting = f", {len(held)} held back for review" if held else ""
        note(f"{len(batch.imported)} imported, {len(batch.skipped)} already present{waiting}, {len(batch.failed) - len(held)} failed")
    if batch.interrupted is not None:
        note(f"interrupted at {batch.interrupted} ({counted(batch.not_reached, 'file')} after it not reached): what was"
             " imported is kept, and the same import again goes on (the files imported are already present)")
    if batch.failed or batch.interrupted is not None:
        sys.exit(1)


def _as_shown(item: ImportedTranscript, shown: dict[int, str], workspace: Workspace) -> ImportedTranscript | dict[str, Any]:
    """An imported transcript for --json: to a blind coder, the codings of theirs it reworded by their
    handles (Workspace.codings_shown), as `coding list --json` names them."""
    if not workspace.blind:
        return item
    return asdict(item) | {"codings_reworded": [[shown.get(coding_id, str(coding_id)), before, after]
                                                for coding_id, before, after in item.codings_reworded]}


def _say_replacement(item: ImportedTranscript, shown: dict[int, str], *, done: bool) -> None:
    """What replacing a transcript's text did (`done`) or would do to its codings and participants;
    a coding named as `shown` says (Workspace.codings_shown)."""
    orphaned = f", {item.codings_orphaned} orphaned" if item.codings_orphaned else ", none orphaned"
    if item.codings_found_again:
        orphaned += f", {item.codings_found_again} orphaned before placed again"
    if item.codings_still_orphaned:
        orphaned += f", {item.codings_still_orphaned} orphaned before still without a place"
    if item.codings_orphaned or item.codings_still_orphaned:
        orphaned += " (see `qualcode coding list --orphaned`)"
    in_place = f", {item.codings_in_place} in place" if item.codings_in_place else ""
    yours = "; of your codings (you code blind)" if item.blind else ""
    click.echo(f"  {counted(item.lines_changed, 'line')} changed{yours}: {counted(item.codings_moved, 'coding')} moved{in_place}{orphaned}")
    for coding_id, before, after in item.codings_reworded:
        # A quote's words changed with the text: said coding by coding, for the coder to look at.
        click.echo(f"  coding {shown.get(coding_id, coding_id)} {'now reads' if done else 'would read'} {shortened(after, 60)!r} (was {shortened(before, 60)!r})")
    if item.participants_before != item.participants:
        # Said here, not only in the log: a file's old front matter undid a `transcripts edit --participant`.
        click.echo(f"  participants {', '.join(item.participants_before) or 'none'} {'now' if done else 'would be'}"
                   f" {', '.join(item.participants) or 'none'}, as the file names them"
                   f" (`qualcode transcripts edit {item.name} --participant …` changes them back)")
    if item.interviewer_speakers_before != item.interviewer_speakers:
        click.echo(f"  interviewer's labels {', '.join(item.interviewer_speakers_before) or 'none'} {'now' if done else 'would be'}"
                   f" {', '.join(item.interviewer_speakers) or 'none'}, as the file names them")


def _import_qdpx(app: AppContext, paths: tuple[Path, ...], as_json: bool) -> None:
    """A REFI-QDA project from another program, or a co-coder's copy: one file, one transaction."""
    if len(paths) != 1:
        raise click.UsageError("import a .qdpx file on its own, not with other files")
    with app.workspace() as workspace:
        done = workspace.import_qdpx(paths[0])
    if as_json:
        emit_json(done)
        return
    click.echo(
        f"{done.file_name}: {counted(len(done.imported), 'transcript')} imported, {len(done.merged)} already here, "
        f"{counted(done.codings_added, 'coding')} and {counted(done.memos_added, 'memo')} added "
        f"({counted(done.codings_present, 'coding')} and {counted(done.memos_present, 'memo')} already here), "
        f"{counted(len(done.participants_created), 'new participant')}, {counted(len(done.codes_created), 'new code')}"
        + (f", {counted(len(done.codes_moved), 'code')} moved" if done.codes_moved else "")
    )
    for label, names in (("imported", done.imported), ("merged into", done.merged), ("new coder", done.coders_created)):
        for item in names:
            click.echo(f"  {label} {item}")
    for before, to in done.codes_moved:
        click.echo(f"  moved {before} to {to}")
    for merged, into in done.codes_merged:
        click.echo(f"  code {merged} was merged into {into} here: the file's codings of it are {into}'s")
    for label, lines in (
        ("conflict", done.conflicts), ("skipped", done.skipped), ("problem", done.problems), ("deviation", done.deviations),
    ):
        for line in lines:
            note(f"{label}: {line}")


# How a dry run says a file would not be imported at all.
REFUSED = ("would be skipped", "would fail")


def _dry_run(workspace: Workspace, paths: tuple[Path, ...], options: ImportOptions, key_access: KeyAccess, as_json: bool) -> None:
    """Each file as the import would take it: imported, replacing, held back, skipped or failing;
    one file's refusal is no end to the others'."""
    key = key_access.load_existing()
    previews: list[Preview] = []
    for path in expand_paths(paths):
        # A transaction of its own for each file, as the import has: trying a replacement takes the
        # write lock, and held to the end it kept every other command from writing while the rest were read.
        with workspace.trying() as session:
            try:
                previews.append(preview_file(session, path, options, key,
                                             blind_coder=workspace.coder_name if workspace.blind else None))
            except DuplicateContent as error:
                previews.append(Preview(path.name, [], [], f"{REFUSED[0]}: {error}", refused=True))
            except ProjectError:
                raise  # the project busy or full: no file's preview can be made
            except QualcodeError as error:
                previews.append(Preview(path.name, [], [], f"{REFUSED[1]}: {error}", refused=True))
            except Exception as error:  # noqa: BLE001 - as in the import, one file's failure never ends the batch
                previews.append(Preview(path.name, [], [], f"{REFUSED[1]}: {path.name} could not be imported ({one_line(error)})", refused=True))
    shown = workspace.codings_shown(coding_id for preview in previews if preview.replacing is not None
                                    for coding_id, _, _ in preview.replacing.codings_reworded)
    if as_json:
        emit_json([asdict(preview) | {"replacing": _as_shown(preview.replacing, shown, workspace)}
                   if workspace.blind and preview.replacing is not None else preview for preview in previews])
        return
    for preview in previews:
        if not preview.replacements and preview.outcome.startswith(REFUSED):
            click.echo(f"{preview.file}: {preview.outcome}")
            continue
        click.echo(f"{preview.file}: {counted(len(preview.replacements), 'replacement')}")
        click.echo(f"  {preview.outcome}")
        if preview.replacing is not None:
            _say_replacement(preview.replacing, shown, done=False)
        for item in preview.replacements:
            where = f"line {item.line:4}" if item.line else "front matter"
            click.echo(f"  {where}  {item.kind:11} {item.original!r} -> {item.pseudonym!r}   …{item.context}…")
        if preview.candidates:
            click.echo(f"  needs review before import: {', '.join(preview.candidates)}")
        for message in preview.notes:
            click.echo(f"  note: {message}")
    note("dry run: nothing was written")


# The formats listed in the help are the readers registered, so a new reader shows up there too.
import_command.help = (import_command.help or "").replace("SUFFIXES", " ".join(supported_suffixes()), 1)

COMMANDS = [import_command]
