"""A pseudonym typed as the key has it is not refused for a word it shares with a name waiting for review."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.anonymise.key import Candidate, PseudonymKey, load_key, save_key
from qualcode.anonymise.service import add_known_identifier
from qualcode.anonymise.typed_text import refuse_undecided
from qualcode.cli import cli
from qualcode.errors import AwaitsReview


def _key(waiting: str = "Julie Hanssen") -> PseudonymKey:
    """Julie Hansen, a pseudonym in use, and a misspelling of it an older qualcode queued as a possible name."""
    key = PseudonymKey("prosjekt")
    add_known_identifier(key, "Kari Nordmann", "person", pseudonym="Julie Hansen")
    key.pending.append(Candidate(waiting, [f"typed text: …{waiting} sa…"]))
    return key


@pytest.mark.parametrize("memo", [
    "Julie Hansen sa at hun var fornøyd.",
    "Julie Hansens mor ringte.",  # its genitive
    "Vi snakket om\nJulie  Hansen i dag.",  # apart by a line break or two spaces
    "Både Julie Hansen og Per var der.",
])
def test_a_pseudonym_spelt_as_the_key_has_it_is_not_refused_for_a_waiting_names_word(memo: str) -> None:
    """A probe: "Julie Hansen sa …" was refused because "Julie" is a word of the waiting "Julie Hanssen"."""
    refuse_undecided(memo, _key())


@pytest.mark.parametrize("memo", [
    "Julie sa at hun var fornøyd.",  # the word alone: the waiting name's as likely
    "Julie Hanssen sa det.",  # the waiting name whole
    "Julie Hansen og Julie sa det.",  # once inside the pseudonym, once alone
    "Anne-Julie Hansen sa det.",  # inside a longer name
    "Julie Hansen-Berg sa det.",
])
def test_a_waiting_names_word_outside_a_pseudonym_is_refused_still(memo: str) -> None:
    with pytest.raises(AwaitsReview, match="Julie Hanssen"):
        refuse_undecided(memo, _key())


def test_a_waiting_name_that_is_a_pseudonym_whole_is_refused_still() -> None:
    """A real Julie Hansen an import found later: the text may name her as well as the pseudonym's person."""
    with pytest.raises(AwaitsReview, match="'Julie Hansen'"):
        refuse_undecided("Julie Hansen sa det.", _key("Julie Hansen"))


def test_a_pseudonym_of_one_word_settles_no_waiting_names_word() -> None:
    """"Mikkelsen" alone is the pseudonym of Berg, or the waiting Per Mikkelsen: which, the review says."""
    key = PseudonymKey("prosjekt")
    add_known_identifier(key, "Berg", "person", pseudonym="Mikkelsen")
    key.pending.append(Candidate("Per Mikkelsen", ["intervju.txt: …Per Mikkelsen sa…"]))
    with pytest.raises(AwaitsReview, match="Per Mikkelsen"):
        refuse_undecided("Mikkelsen sa det.", key)


def test_a_memo_naming_the_pseudonym_is_stored_as_written(tmp_path: Path) -> None:
    root = tmp_path / "studie"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", "--empty", str(root)], catch_exceptions=False).exit_code == 0
    added = runner.invoke(cli, ["--project", str(root), "identifiers", "add", "Kari Nordmann", "--kind", "person",
                                "--pseudonym", "Julie Hansen"], catch_exceptions=False)
    assert added.exit_code == 0, added.output
    shown = runner.invoke(cli, ["--project", str(root), "key", "show"], catch_exceptions=False)
    key_path = Path(next(line for line in shown.stderr.splitlines() if line.startswith("key ")).split(" ", 1)[1])
    key = load_key(key_path, "test passphrase")
    key.pending.append(Candidate("Julie Hanssen", ["typed text: …Julie Hanssen sa…"]))
    save_key(key_path, key, "test passphrase")
    written = runner.invoke(cli, ["--project", str(root), "memo", "add", "Julie Hansen sa at hun var fornøyd"])
    assert written.exit_code == 0, written.output
    refused = runner.invoke(cli, ["--project", str(root), "memo", "add", "Julie sa det"])
    assert refused.exit_code == 1 and "a word of 'Julie Hanssen'" in refused.output
    with sqlite3.connect(root / ".qualcode" / "project.db") as db:
        assert [text for (text,) in db.execute("SELECT text FROM memos")] == ["Julie Hansen sa at hun var fornøyd"]
