"""A name the key holds, written in the spellings people and their programs produce (decomposed
letters, a word broken across lines), is stored pseudonymised wherever text enters the project,
as it is in a transcript's text (a probe found each of these stored as written)."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

from tests.test_cli import run

KNOWN = "Åse Grønli"
DECOMPOSED = unicodedata.normalize("NFD", KNOWN)  # as a Mac's keyboard or a pasted PDF writes it


def _dump(project: Path) -> str:
    """The whole database as SQL, composed, so a decomposed name is found as the composed one."""
    with sqlite3.connect(project / ".qualcode" / "project.db") as database:
        return unicodedata.normalize("NFC", "\n".join(database.iterdump()))


def _know(project: Path) -> None:
    added = run("--project", str(project), "identifiers", "add", KNOWN, "--kind", "person")
    assert added.exit_code == 0, added.output


def test_decomposed_letters_in_an_import_s_options_are_pseudonymised(demo: Path, tmp_path: Path) -> None:
    """`import --title/--interviewer/--note-taker` with "Åse" written as A and a ring: the file's
    text was composed first, the options were not, and "Åse" was stored beside the pseudonym of
    "Grønli"; so was a `--mode` with a zero-width space inside a name."""
    _know(demo)
    source = tmp_path / "samtale.txt"
    source.write_text("I: Hvordan gikk uka?\nD9: Den gikk bra, takk.\n", encoding="utf-8")
    imported = run(
        "--project", str(demo), "import", str(source), "--participant", "D9", "--title", f"Samtale med {DECOMPOSED}",
        "--interviewer", DECOMPOSED, "--note-taker", DECOMPOSED, "--mode", "møte hos Sis\u200bsel Bakken",
    )
    assert imported.exit_code == 0, imported.output
    stored = _dump(demo)
    assert "Åse" not in stored and "Grønli" not in stored
    # A zero-width space inside a known name in a field no check refuses it in: "Sis\u200bsel" was kept.
    assert "Sis\u200bsel" not in stored and "Bakken" not in stored


def test_a_new_participant_s_role_given_to_import_is_pseudonymised(demo: Path, tmp_path: Path) -> None:
    """`import --role` (or a front matter's `role:`) becomes a new participant's role: it was
    stored as typed, a name the key holds and all, where `participants edit --role` cleans it."""
    source = tmp_path / "samtale.txt"
    source.write_text("I: Hvordan gikk uka?\nD9: Den gikk bra, takk.\n", encoding="utf-8")
    imported = run("--project", str(demo), "import", str(source), "--participant", "D9", "--role", "Sissel Bakken")
    assert imported.exit_code == 0, imported.output
    stored = _dump(demo).casefold()
    assert "sissel" not in stored and "bakken" not in stored


def test_a_surname_broken_across_lines_in_typed_text_is_pseudonymised(demo: Path) -> None:
    """"Sissel Bak-" at a line's end and "ken" on the next, as a memo or definition pasted from a
    PDF or a narrow editor breaks it: an import joins such a word before the key reads it, typed
    text kept "Bak-\\nken" under the given name's pseudonym."""
    project = ["--project", str(demo)]
    broken = "Sissel Bak-\nken"
    for command in (
        ["memo", "add", f"avtalte med {broken} i dag"],
        ["codebook", "edit", "empowerment", "--definition", f"som {broken} beskrev det"],
        ["framework", "set", "D1", "empowerment", f"fortalte om {broken} og kurset"],
    ):
        result = run(*project, *command)
        assert result.exit_code == 0, (command, result.output)
    stored = _dump(demo)
    assert "Bak-\nken" not in stored and "Bak-\\nken" not in stored and "Bakken" not in stored
    # Words broken across lines that name no one are kept as they were typed.
    assert run(*project, "memo", "add", "et barne-\nvern som tok tid").exit_code == 0
    assert "et barne-\nvern som tok tid" in _dump(demo)


def test_a_surname_a_hyphen_splits_is_found_in_typed_text_an_import_and_the_leak_check(demo: Path, tmp_path: Path) -> None:
    """"Sissel Bak-ken", and "Bak- ken" as lines broken by a hyphen read once joined with a space:
    read as two words, neither was Bakken, and the surname was stored beside the given name's
    pseudonym, by a memo, an import and a code's name alike, and the leak check passed a file holding it."""
    project = ["--project", str(demo)]
    for command in (
        ["memo", "add", "avtalte med Sissel Bak-ken i dag"],
        ["memo", "add", "avtalte med Sissel Bak- ken i dag"],
        ["codebook", "add", "empowerment/Bak-kens plan"],
    ):
        result = run(*project, *command)
        assert result.exit_code == 0, (command, result.output)
    source = tmp_path / "samtale.txt"
    source.write_text("I: Hvem hjalp deg?\nD9: Det var Sissel Bak-ken på kontoret, og et NAV-kontor i byen.\n", encoding="utf-8")
    imported = run(*project, "import", str(source), "--participant", "D9")
    assert imported.exit_code == 0, imported.output
    stored = _dump(demo)
    assert "Bak-ken" not in stored and "Bak- ken" not in stored and "NAV-kontor i byen" in stored
    leaking = tmp_path / "notat.txt"
    leaking.write_text("Vi snakket med Bak-ken om planen.\n", encoding="utf-8")
    checked = run(*project, "leakcheck", str(leaking))
    assert checked.exit_code == 1 and "Bak-ken" in checked.output
