"""A profile's handle the key learned ("@at", "@jobb") is found with its @ only: its bare word is a word."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualcode.anonymise.apply import pseudonymise
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.leakcheck import scan_text
from qualcode.cli import cli

QUOTE = "Vi satt sammen og lagde handlingsplanen, og hun spurte hva jeg ville."


def _run(root: Path, *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["--project", str(root), "--coder", "F1", *args], catch_exceptions=False)
    assert result.exit_code == code, (args, result.output)
    return result


def _texts(root: Path) -> dict[str, str]:
    with sqlite3.connect(root / ".qualcode" / "project.db") as db:
        rows = db.execute("SELECT t.name, v.text FROM transcripts t JOIN text_versions v ON v.id = t.current_version_id").fetchall()
    return dict(rows)


def _count(word: str, texts: dict[str, str]) -> int:
    return sum(len(re.findall(rf"(?<![\w@]){word}(?!\w)", text)) for text in texts.values())


def test_a_code_named_as_a_handle_leaves_the_word_in_every_transcript_and_the_exports_pass(demo: Path, tmp_path: Path) -> None:
    """A probe: `codebook add "@at"` taught the key the handle, and from then on the word "at" was
    that identifier: exports were refused, and the refusal's `anonymise reapply` wrote (profil) for
    "at" 68 times in ten transcripts. The handle is found as written, with its @."""
    _run(demo, "coding", "add", "deltaker_D1_T1", "brukermedvirkning/individuell medvirkning", "--match", QUOTE)
    before = _texts(demo)
    assert _count("at", before) > 50
    assert "added code (profil)" in _run(demo, "codebook", "add", "@at").output
    _run(demo, "export", "report", "--output", str(tmp_path / "r.docx"))
    _run(demo, "codebook", "export", str(tmp_path / "cb.yaml"))
    assert "(profil)" in (tmp_path / "cb.yaml").read_text(encoding="utf-8")
    _run(demo, "anonymise", "reapply")
    assert _texts(demo) == before
    # Said again in a transcript imported later: the handle is replaced, the word stays.
    (tmp_path / "ny.txt").write_text("I: Hvem fulgte du?\nD9: Jeg sa at jeg fulgte @at og @At, ikke kari@at.no.\n", encoding="utf-8")
    _run(demo, "import", str(tmp_path / "ny.txt"))
    assert _texts(demo)["ny"].endswith("D9: Jeg sa at jeg fulgte (profil) og (profil), ikke (e-post).\n")
    # The leak check finds the handle, and not the word.
    (tmp_path / "ut.txt").write_text("Jeg sa at det gikk.\n", encoding="utf-8")
    _run(demo, "leakcheck", str(tmp_path / "ut.txt"))
    (tmp_path / "ut.txt").write_text("Jeg sa at det gikk, @at.\n", encoding="utf-8")
    assert "'@at'" in _run(demo, "leakcheck", str(tmp_path / "ut.txt"), code=1).output


def test_a_handle_in_an_imported_definition_leaves_quotes_with_its_word_exportable(demo: Path, tmp_path: Path) -> None:
    """A probe: a YAML codebook's definition "… Instagram-kontoen @jobb" was stored with (profil),
    and then every quote with the word "jobb" was refused."""
    (tmp_path / "kodebok.yaml").write_text(
        "name: Nettverk\ncodes:\n  - name: nettverk\n"
        "    definition: Arbeidsgiveren de fant via Instagram-kontoen @jobb.\n", encoding="utf-8")
    _run(demo, "codebook", "import", str(tmp_path / "kodebok.yaml"))
    _run(demo, "codebook", "export", str(tmp_path / "ut.yaml"))
    assert "Instagram-kontoen (profil)." in (tmp_path / "ut.yaml").read_text(encoding="utf-8")
    _run(demo, "coding", "add", "gruppeintervju_G1", "nettverk", "--match", "Nå har jeg faste tider, og barna ser at mamma går på jobb.")
    _run(demo, "export", "report", "--output", str(tmp_path / "r.docx"))
    before = _texts(demo)
    _run(demo, "anonymise", "reapply")
    assert _texts(demo) == before


@pytest.mark.parametrize(("text", "cleaned"), [
    ("Jeg sa at AT var bra, og at-ordningen.", "Jeg sa at AT var bra, og at-ordningen."),
    ("Følg @at, (@AT) og ＠at.", "Følg (profil), ((profil)) og (profil)."),
    # Another account, or an e-mail address, that begins with it: not this handle.
    ("Se @at.jobb og @atle.", "Se (profil) og (profil)."),
    ("Skriv til kari@at.no.", "Skriv til (e-post)."),
])
def test_a_handle_the_key_holds_is_found_only_whole_and_with_its_at(text: str, cleaned: str) -> None:
    key = PseudonymKey("prosjekt")
    pseudonymise("Følg @at på insta.", key, "a.txt")
    assert [entry.original for entry in key.entries] == ["@at"]
    # The leak check reads the text as the key finds it: the word is no leak of the handle.
    assert [leak.found for leak in scan_text(text, key, "ut.txt", "line 1") if "@" not in leak.found and "＠" not in leak.found] == []
    assert pseudonymise(text, key, "b.txt").text == cleaned
