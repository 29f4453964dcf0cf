"""Typed text as a hostile but realistic researcher writes it: what a probe of memos, definitions, signal
words and searches found stored as typed, or refused in words that did not say what to do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.test_cli import run


def _signal_words(demo: Path) -> list[str]:
    with sqlite3.connect(demo / ".qualcode" / "project.db") as database:
        return [row[0] for row in database.execute("select signal_words from codes where path = 'empowerment'")]


def test_a_signal_word_naming_someone_nobody_decided_about_is_refused(demo: Path, tmp_path: Path) -> None:
    """A probe: `codebook edit empowerment --signal-words "mestring,Gunnhild Rasmussen"` stored her name as
    typed, and `codebook export` wrote it out; a codebook file saying so is held back for review."""
    project = ["--project", str(demo)]
    before = _signal_words(demo)
    refused = run(*project, "codebook", "edit", "empowerment", "--signal-words", "mestring,Gunnhild Rasmussen")
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
    assert refused.output.startswith("error: the code's signal word names 'Gunnhild Rasmussen', a possible identifier"), refused.output
    assert _signal_words(demo) == before
    assert b"Gunnhild" not in (demo / ".qualcode" / "project.db").read_bytes()
    again = run(*project, "codebook", "edit", "empowerment", "--signal-words", "Gunnhild Rasmussen")
    assert again.exit_code == 1 and "names 'Gunnhild Rasmussen', which waits for review" in again.output, again.output
    assert run(*project, "identifiers", "add", "Gunnhild Rasmussen", "--kind", "person").exit_code == 0
    assert run(*project, "codebook", "edit", "empowerment", "--signal-words", "mestring,Gunnhild Rasmussen").exit_code == 0
    exported = tmp_path / "kodebok.yaml"
    assert run(*project, "codebook", "export", str(exported)).exit_code == 0
    assert "mestring" in exported.read_text(encoding="utf-8") and "Gunnhild" not in exported.read_text(encoding="utf-8")


def test_a_refusal_for_a_word_of_a_name_waiting_says_the_word_typed_and_how_to_decide(demo: Path) -> None:
    """A probe: the example "Torgeir ringte" was refused as naming 'Torgeir Hovland', a name it does not
    write, with a hint that named no command to decide about him with."""
    project = ["--project", str(demo)]
    assert run(*project, "memo", "add", "Torgeir Hovland er veilederen til D1").exit_code == 1  # now waiting
    refused = run(*project, "codebook", "edit", "empowerment", "--example", "Torgeir ringte")
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
    assert refused.output.startswith(
        "error: the code's definition names 'Torgeir', a word of 'Torgeir Hovland', which waits for review as a possible"
        " identifier"), refused.output
    assert "`qualcode anonymise dismiss 'Torgeir Hovland'` if it is no one to hide" in refused.output
    assert "`qualcode anonymise accept 'Torgeir Hovland' --kind KIND` if it is), then write it again" in refused.output
    whole = run(*project, "memo", "add", "Torgeir Hovland ringte")
    assert "the memo names 'Torgeir Hovland', which waits for review" in whole.output, whole.output
