"""`import --dry-run` says of each file what the import would do with it, a bad one among them."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from qualcode.store import faults
from tests.conftest import SAMPLES
from tests.test_cli import run


def test_a_dry_run_of_a_folder_says_what_the_import_would_do_with_each_file(demo: Path, tmp_path: Path) -> None:
    """It stopped at the first bad file, and never said "already present" or "differs, needs --replace"."""
    folder = tmp_path / "runde"
    folder.mkdir()
    (folder / "a_binær.txt").write_bytes(b"\x00\x01\x02binary" * 100)
    shutil.copy(SAMPLES / "deltaker_D1_T1.txt", folder / "deltaker_D1_T1.txt")  # imported in the demo
    (folder / "leder_L1.txt").write_text((SAMPLES / "leder_L1.txt").read_text(encoding="utf-8") + "\nI: Noe mer?\nL1: Nei, takk.\n", encoding="utf-8")
    (folder / "ny_samtale.txt").write_text("I: Hvordan gikk det?\nD1: Det gikk fint i dag.\n", encoding="utf-8")
    database = demo / ".qualcode" / "project.db"
    before = database.read_bytes()
    result = run("--project", str(demo), "import", str(folder), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "a_binær.txt: would fail: a_binær.txt looks like a binary file, not text" in result.output
    # A file refused after its replacements are known lists them under why (as the import would refuse it).
    said = r"(?: \d+ replacements?\n )?"
    assert re.search(f"deltaker_D1_T1.txt:{said} would be skipped: deltaker_D1_T1.txt is already present as transcript deltaker_D1_T1", result.output)
    assert re.search(f"leder_L1.txt:{said} would fail: leder_L1.txt differs from the file imported on", result.output)
    assert "ny_samtale.txt: 0 replacements\n  would be imported as ny_samtale\n" in result.output
    replacing = run("--project", str(demo), "import", str(folder / "leder_L1.txt"), "--dry-run", "--replace", "--json")
    [preview] = json.loads(replacing.output)
    assert preview["outcome"] == "would replace the text of transcript leder_L1, its codings re-anchored"
    # As JSON, each file the import would not take says so: skipped or failing alike.
    previews = {item["file"]: item for item in json.loads(run("--project", str(demo), "import", str(folder), "--dry-run", "--json").output)}
    assert [name for name, item in sorted(previews.items()) if item["refused"]] == ["a_binær.txt", "deltaker_D1_T1.txt", "leder_L1.txt"]
    assert database.read_bytes() == before


def test_a_dry_run_of_a_replacement_counts_what_it_would_do_to_the_codings_as_the_import_then_does(demo: Path, tmp_path: Path) -> None:
    """`--replace --dry-run` said only "its codings re-anchored": how many would move or be orphaned
    was known only after the text was replaced. The counts are the import's own, and nothing is written."""
    project = ["--project", str(demo)]
    coded = {"Jeg har sagt til veilederne at vi må nå måltallet før jul.": "måltall-press/inntakspress",
             "Det er en slags beskyttelse også.": "måltall-press",
             "Vi har hatt deltakere som ikke var klare": "måltall-press"}
    for quote, code in coded.items():
        assert run(*project, "--coder", "Forsker 1", "coding", "add", "leder_L1", code, "--match", quote).exit_code == 0
    changed = (SAMPLES / "leder_L1.txt").read_text(encoding="utf-8")
    changed = changed.replace("Jeg har vært her i seks år.", "Jeg har vært her i sju år, og før det i en annen kommune.")
    changed = changed.replace(" Det er en slags beskyttelse også.", "")  # that coding has nowhere to go
    folder = tmp_path / "rettet"
    folder.mkdir()
    (folder / "leder_L1.txt").write_text(changed, encoding="utf-8")
    database = demo / ".qualcode" / "project.db"
    before = database.read_bytes()

    dry = run(*project, "--coder", "Forsker 1", "import", str(folder), "--replace", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert database.read_bytes() == before
    said = "  2 lines changed: 2 codings moved, 1 orphaned (see `qualcode coding list --orphaned`)\n"
    assert "would replace the text of transcript leder_L1, its codings re-anchored\n" + said in dry.output, dry.output
    as_json = json.loads(run(*project, "import", str(folder), "--replace", "--dry-run", "--json").output)
    assert {key: as_json[0]["replacing"][key] for key in ("lines_changed", "codings_moved", "codings_orphaned")} == {
        "lines_changed": 2, "codings_moved": 2, "codings_orphaned": 1}
    assert database.read_bytes() == before

    done = run(*project, "--coder", "Forsker 1", "import", str(folder), "--replace")
    assert done.exit_code == 0, done.output
    assert said in done.output, done.output


def _replacing_folder(tmp_path: Path) -> Path:
    """Two changed transcripts of the demo, each a replacement."""
    folder = tmp_path / "rettet"
    folder.mkdir()
    for name in ("leder_L1.txt", "veileder_V1.txt"):
        (folder / name).write_text((SAMPLES / name).read_text(encoding="utf-8") + "\nI: Noe mer?\nL1: Nei, takk.\n", encoding="utf-8")
    return folder


def test_a_dry_run_of_replacements_leaves_others_free_to_write_between_its_files(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A probe: once a replacement was tried, the dry run held the project's write lock to its end, so a
    coder's change in the terminal UI waited on it, and was refused as busy after 5 s while the other files
    of a large folder were read. Each file is tried in a transaction of its own, as the import writes it."""
    from qualcode.cli import importing

    database = demo / ".qualcode" / "project.db"
    others: list[str] = []
    made = importing.preview_file

    def preview_then_write(*args: Any, **kwargs: Any) -> Any:
        other = sqlite3.connect(database, timeout=0.2, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            others.append("wrote")
        except sqlite3.OperationalError as error:
            others.append(str(error))
        finally:
            other.close()
        return made(*args, **kwargs)

    monkeypatch.setattr(importing, "preview_file", preview_then_write)
    before = database.read_bytes()
    dry = run("--project", str(demo), "import", str(_replacing_folder(tmp_path)), "--replace", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.count("would replace the text of transcript") == 2, dry.output
    assert others == ["wrote", "wrote"]
    assert database.read_bytes() == before


def test_a_dry_run_of_a_replacement_while_another_command_writes_says_the_project_is_busy(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A probe: with another command writing (a terminal UI's import), each file was said to fail,
    "could not be imported (OperationalError: ... database is locked)", and the dry run ended well. It is
    the project's state, not the files': said once, as the import says it."""
    monkeypatch.setattr(faults, "BUSY_TIMEOUT_SECONDS", 0.5)
    database = demo / ".qualcode" / "project.db"
    before = database.read_bytes()
    folder = _replacing_folder(tmp_path)
    writing = sqlite3.connect(database, isolation_level=None)
    try:
        writing.execute("BEGIN IMMEDIATE")
        dry = run("--project", str(demo), "import", str(folder), "--replace", "--dry-run")
    finally:
        writing.execute("ROLLBACK")
        writing.close()
    assert dry.exit_code == 1, dry.output
    assert dry.output.startswith("error: the project is busy: another qualcode command has been writing to it"), dry.output
    assert "would fail" not in dry.output and "OperationalError" not in dry.output
    assert database.read_bytes() == before


def test_a_word_of_an_office_replaced_alone_is_said_by_the_kind_it_is_replaced_as(demo: Path, tmp_path: Path) -> None:
    """A field trial: "Sandnes" of "NAV Sandnes", alone in an employer's name, was listed as
    `nav_office 'Sandnes' -> '(sted)'`: a place's placeholder under an office's kind."""
    assert run("--project", str(demo), "identifiers", "add", "NAV Sandnes", "--kind", "nav_office").exit_code == 0
    source = tmp_path / "ny.txt"
    source.write_text("I: Hvor jobber du?\nD1: Hos Sandnes Snekkeri nå, og jeg går til NAV Sandnes.\n", encoding="utf-8")
    result = run("--project", str(demo), "import", str(source), "--participant", "D1", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "place       'Sandnes' -> '(sted)'" in result.output and "nav_office  'NAV Sandnes' -> '(NAV-kontor)'" in result.output
