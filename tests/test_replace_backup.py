"""The backup an import takes before it replaces a transcript's text: taken, rotated, restored, purged, named by undo."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualcode.anonymise.service import KeyAccess, add_known_identifier, dismiss, save_and_reapply
from qualcode.cli import cli
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.service import add_coding
from qualcode.config import Config
from qualcode.errors import NothingToUndo
from qualcode.importers.service import BatchResult, ImportOptions, import_paths
from qualcode.store.backups import list_backups
from qualcode.store.project import Project
from qualcode.workspace import Workspace
from tests.conftest import SAMPLES

FIRST = """I: Hvordan kom du inn i programmet?
D1: Veilederen foreslo det. Jeg fikk være med og bestemme handlingsplanen.

I: Hva betydde det?
D1: Jeg fikk mer selvtillit 😊 Det var typisk meg å tvile, men nå tror jeg på meg selv.
"""
# Corrected: a line added above the coded one, so its coding moves.
FIRST_CORRECTED = FIRST.replace("I: Hva betydde det?\n", "I: Hva betydde det for deg?\nD1: Mye, egentlig.\n\nI: Hvordan?\n")

SECOND = """I: Fortell om møtene på kontoret.
D2: Møtene var korte. Vi snakket mest om måltall og aktivitetsplikt.
"""


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def imported(project: Project, key_access: KeyAccess, paths: list[Path], **options: object) -> BatchResult:
    return import_paths(project, paths, key_access, ImportOptions(**options), "Forsker 1")  # type: ignore[arg-type]


def before_replace(project: Project) -> list[Path]:
    """The project's before-replace backups, newest first."""
    return [backup.path for backup in list_backups(project.backups) if backup.label == "before-replace"]


def stored(database: Path, query: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return connection.execute(query).fetchall()


def texts_and_codings(database: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Each transcript's current text, and each live coding (transcript, start, end, excerpt)."""
    texts = stored(database, "SELECT t.name, v.text FROM transcripts t JOIN text_versions v ON v.id = t.current_version_id ORDER BY t.name")
    codings = stored(database, "SELECT t.name, c.start, c.\"end\", c.excerpt FROM codings c JOIN text_versions v ON v.id = c.text_version_id"
                               " JOIN transcripts t ON t.current_version_id = v.id WHERE c.removed_at IS NULL ORDER BY t.name")
    return texts, codings


def coded(project: Project, transcript: str, match: str) -> None:
    with project.begin() as session:
        add_coding(session, transcript, "empowerment", get_or_create_coder(session, "Forsker 1"), match=match)


def test_a_batch_that_replaces_texts_takes_one_backup_holding_the_old_texts_and_codings(
    project: Project, key_access: KeyAccess, tmp_path: Path,
) -> None:
    """A replacement deletes the old text; no backup of its own was taken, so going back meant a daily
    backup holding a day's other work too, or none at all in a project made today."""
    folder = write(tmp_path / "intervjuer", deltaker_D1_T1=FIRST, deltaker_D2_T1=SECOND)
    assert len(imported(project, key_access, [folder]).imported) == 2
    coded(project, "deltaker_D1_T1", "mer selvtillit")
    coded(project, "deltaker_D2_T1", "Møtene var korte")
    before = texts_and_codings(project.database)
    write(folder, deltaker_D1_T1=FIRST_CORRECTED, deltaker_D2_T1=SECOND.replace("korte", "ganske korte"))
    batch = imported(project, key_access, [folder], replace=True)
    assert [item.replaced for item in batch.imported] == [True, True]
    [backup] = before_replace(project)  # once for the batch, not once a file
    assert batch.backup == backup
    assert texts_and_codings(backup) == before != texts_and_codings(project.database)
    # Each replacement's log entry names it, for undo to name.
    logged = stored(project.database, "SELECT json_extract(payload, '$.before.backed_up_in') FROM events WHERE action = 'transcript.replace'")
    assert logged == [(backup.name,), (backup.name,)]


def test_a_batch_that_replaces_nothing_takes_no_backup(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    folder = write(tmp_path / "intervjuer", deltaker_D1_T1=FIRST)
    assert imported(project, key_access, [folder], replace=True).backup is None  # new transcripts only
    again = imported(project, key_access, [folder], replace=True)  # the same files again
    assert (again.imported, again.backup) == ([], None)
    write(folder, deltaker_D1_T1=FIRST_CORRECTED)
    refused = imported(project, key_access, [folder])  # a changed file without --replace is refused
    assert (len(refused.failed), refused.backup) == (1, None)
    assert before_replace(project) == []


def test_the_newest_three_before_replace_backups_are_kept(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    folder = write(tmp_path / "intervjuer", deltaker_D1_T1=FIRST)
    imported(project, key_access, [folder])
    manual = project.backup("manual")
    taken = []
    for round_ in range(4):
        write(folder, deltaker_D1_T1=FIRST.replace("programmet?", f"programmet (runde {round_})?"))
        batch = imported(project, key_access, [folder], replace=True)
        assert batch.backup is not None
        taken.append(batch.backup)
    assert before_replace(project) == taken[:0:-1]  # the newest three, newest first
    assert not taken[0].exists() and manual.exists()


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_the_import_says_where_the_backup_is_and_restoring_it_brings_back_the_old_text_and_codings(demo: Path, tmp_path: Path) -> None:
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    assert run(*project, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "Vi satt sammen og lagde handlingsplanen").exit_code == 0
    before = texts_and_codings(demo / ".qualcode" / "project.db")
    corrected = tmp_path / "rettet" / "deltaker_D1_T1.txt"
    corrected.parent.mkdir()
    corrected.write_text((SAMPLES / "deltaker_D1_T1.txt").read_text(encoding="utf-8").replace(
        "Vi satt sammen og lagde", "Vi satt sammen, og så lagde"), encoding="utf-8")
    tried = run(*project, "import", str(corrected), "--replace", "--dry-run")
    assert tried.exit_code == 0 and "backed up" not in tried.output
    assert not list((demo / ".qualcode" / "backups").glob("*before-replace.bak"))
    done = run(*project, "import", str(corrected), "--replace")
    assert done.exit_code == 0, done.output
    [backup] = (demo / ".qualcode" / "backups").glob("*before-replace.bak")
    assert f"backed up before replacing to .qualcode/backups/{backup.name} (`qualcode backup restore` it to go back)\n" in done.output
    listed = json.loads(run(*project, "backup", "list", "--json").output)
    assert [entry["kind"] for entry in listed if entry["name"] == backup.name] == ["before-replace"]
    assert texts_and_codings(demo / ".qualcode" / "project.db") != before
    restored = run(*project, "backup", "restore", backup.name)
    assert restored.exit_code == 0, restored.output
    assert texts_and_codings(demo / ".qualcode" / "project.db") == before


def test_the_import_names_the_backup_in_its_json(demo: Path, tmp_path: Path) -> None:
    project = ["--project", str(demo)]
    corrected = tmp_path / "leder_L1.txt"
    corrected.write_text((SAMPLES / "leder_L1.txt").read_text(encoding="utf-8") + "\nI: Takk.\n", encoding="utf-8")
    done = run(*project, "import", str(corrected), "--replace", "--json")
    assert done.exit_code == 0, done.output
    [backup] = (demo / ".qualcode" / "backups").glob("*before-replace.bak")
    assert json.loads(done.stdout)["backup"] == str(backup)
    again = run(*project, "import", str(corrected), "--replace", "--json")
    assert json.loads(again.stdout)["backup"] is None


def test_a_withdrawal_deletes_the_backup_that_holds_their_words(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    folder = write(tmp_path / "intervjuer", deltaker_D1_T1=FIRST)
    imported(project, key_access, [folder], participant="D1", role="deltaker")
    write(folder, deltaker_D1_T1=FIRST_CORRECTED)
    assert imported(project, key_access, [folder], replace=True, participant="D1").backup is not None
    [backup] = before_replace(project)
    assert "typisk meg å tvile".encode() in backup.read_bytes()
    Workspace(project, Config(coder="Forsker 1", passphrase="test passphrase")).withdraw("D1")
    assert before_replace(project) == []
    for left in project.backups.glob("*.bak*"):
        assert "typisk meg å tvile".encode() not in left.read_bytes(), left.name


def test_learning_a_name_rewrites_the_backup_with_the_key_and_keeps_it(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    """It holds the only copy of the old text: rewritten, as the researcher's own backups are, not deleted."""
    folder = write(tmp_path / "intervjuer", samtale=FIRST.replace("Veilederen foreslo det.", "Bodil Ruud foreslo det."))
    with key_access.editing() as key:
        dismiss(key, "Bodil Ruud")  # a mistake found later
    imported(project, key_access, [folder])
    write(folder, samtale=FIRST_CORRECTED.replace("Veilederen foreslo det.", "Bodil Ruud foreslo det."))
    imported(project, key_access, [folder], replace=True)
    [backup] = before_replace(project)
    assert b"Bodil Ruud" in backup.read_bytes()
    with key_access.editing() as key:
        key.dismissed.remove("Bodil Ruud")
        add_known_identifier(key, "Bodil Ruud", "person", "f")
        result = save_and_reapply(project, key_access, key, None)
    assert result is not None and result.backups_rewritten == (backup.name,)
    assert before_replace(project) == [backup] and b"Bodil" not in backup.read_bytes()
    [(text,)] = stored(backup, "SELECT text FROM text_versions")
    assert "foreslo det. Jeg fikk" in text and "Hva betydde det?" in text  # the old text, the name taken out


def test_undo_after_a_replacement_names_the_backup_taken_before_it(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    """Undo said "a backup taken before the replacement holds the old text (`qualcode backup list`)": which one,
    if any, was left to the researcher to find. It names the one the import took, and how to restore it."""
    with project.begin() as session:
        get_or_create_coder(session, "Forsker 1")  # the importing coder, as a command makes them
    folder = write(tmp_path / "intervjuer", deltaker_D1_T1=FIRST)
    imported(project, key_access, [folder])
    write(folder, deltaker_D1_T1=FIRST_CORRECTED)
    imported(project, key_access, [folder], replace=True)
    [backup] = list_backups(project.backups)
    workspace = Workspace(project, Config(coder="Forsker 1", passphrase="test passphrase"))
    with pytest.raises(NothingToUndo) as refused:
        workspace.undo()
    assert refused.value.message.endswith("import the old file with --replace to go back")
    assert refused.value.hint == (
        f"without the old file, restore the backup taken just before the replacement ({backup.taken:%Y-%m-%d %H:%M}):"
        f" qualcode backup restore {backup.name}; it takes back every change made since"
    )
    shutil.move(backup.path, tmp_path / backup.name)  # gone (rotated, or deleted by a withdrawal): not named
    with pytest.raises(NothingToUndo) as refused:
        workspace.undo()
    assert refused.value.hint is not None and "(`qualcode backup list`)" in refused.value.hint and backup.name not in refused.value.hint


def test_an_undo_that_passes_over_a_replacement_names_the_backup_taken_before_it(
    project: Project, key_access: KeyAccess, tmp_path: Path
) -> None:
    """A field trial: `undo` right after an `import --replace` took back the researcher's change before it
    (as it should: a replacement is never undone) and said to import the old file with --replace, but not
    which backup holds the old text, as it says where the replacement is their last change."""
    folder = write(tmp_path / "intervjuer", deltaker_D1_T1=FIRST, deltaker_D2_T1=SECOND)
    imported(project, key_access, [folder])
    coded(project, "deltaker_D2_T1", "mest om måltall")  # in a text the replacement leaves alone: still undoable
    write(folder, deltaker_D1_T1=FIRST_CORRECTED)
    imported(project, key_access, [folder], replace=True)
    [backup] = list_backups(project.backups)
    workspace = Workspace(project, Config(coder="Forsker 1", passphrase="test passphrase"))
    summary = workspace.undo()
    assert summary.startswith("coded deltaker_D2_T1")
    assert "passed over your later changes that cannot be undone: replaced the text of deltaker_D1_T1" in summary
    assert f"qualcode backup restore {backup.name}" in summary, summary
