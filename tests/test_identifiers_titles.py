"""A title or role typed before a person's name is no part of the identifier: `identifiers add`, its CSV and the review."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualcode.anonymise.candidates import Proposal
from qualcode.anonymise.key import PseudonymKey, load_key, save_key
from qualcode.anonymise.service import accept_candidate, add_known_identifier, queue_candidates
from qualcode.cli import cli
from qualcode.importers.metadata import import_identifiers


def _invoke(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--project", str(root), *args], catch_exceptions=False)


def _run(root: Path, *args: str) -> Result:
    result = _invoke(root, *args)
    assert result.exit_code == 0, (args, result.output)
    return result


def _memos(root: Path) -> list[str]:
    with sqlite3.connect(root / ".qualcode" / "project.db") as db:
        return [text for (text,) in db.execute("SELECT text FROM memos ORDER BY id")]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "studie"
    assert CliRunner().invoke(cli, ["init", "--empty", str(root)], catch_exceptions=False).exit_code == 0
    return root


def test_a_title_before_a_name_added_by_hand_is_left_out_and_said(project: Path) -> None:
    """A probe: "Rektor Nilsen" added as a person made "Rektor" a word of the name, and a memo "Rektor sa kanskje"
    was stored as "Thor sa kanskje": the researcher's own words changed."""
    added = _run(project, "identifiers", "add", "Rektor Nilsen", "--kind", "person")
    assert "'Rektor' is a title, no part of the name: 'Nilsen' is the identifier" in added.stderr
    pseudonym = added.stdout.strip().rsplit(" ", 1)[-1].strip("'")
    _run(project, "memo", "add", "Rektor sa kanskje noe annet, og rektor Nilsen var enig")
    assert _memos(project) == [f"Rektor sa kanskje noe annet, og rektor {pseudonym} var enig"]
    shown = _run(project, "key", "show").stdout
    assert "Nilsen" in shown and "Rektor" not in shown
    # The same again is the same identifier: nothing to add, nothing refused.
    again = _run(project, "identifiers", "add", "rektor Nilsen", "--kind", "person")
    assert "'Nilsen' is already in the key" in again.stdout


@pytest.mark.parametrize(("typed", "kept"), [
    ("Rektor Nilsen", "Nilsen"),
    ("Fru Hansen-Berg", "Hansen-Berg"),
    ("Avdelingslederen Tove Strand", "Tove Strand"),  # a job title, by how it ends
    ("Rådgiver Lindqvist", "Lindqvist"),
    ("Veilederen Kari Nordmann", "Kari Nordmann"),  # a role's label
    ("Dr. Eriksen", "Eriksen"),
    ("Frk. Berg", "Berg"),
    ("Tante Olga", "Olga"),
    ("Professor  Dr. Hauge", "Hauge"),  # two of them
])
def test_titles_and_roles_before_a_name_are_left_out(typed: str, kept: str) -> None:
    assert add_known_identifier(PseudonymKey("p"), typed, "person").original == kept


@pytest.mark.parametrize(("typed", "kind"), [
    ("Kari Nilsen", "person"),
    ("M Hansen", "person"),  # an initial, though "m" labels a speaker too
    ("L. Berg", "person"),
    ("Pastor Hansen", "person"),  # "Pastor" is a name too, as the import's proposals read it
    ("Rektor", "person"),  # a title alone: no name to keep instead
    ("Forskar B", "person"),  # a role's label whole, with its letter (a mistaken acceptance, taken back by remove)
    ("Deltaker 3", "person"),
    ("Rektor Nilsens plass", "place"),  # only a person's name has a title before it
    ("Direktør Hansen AS", "employer"),
])
def test_what_is_no_title_before_a_persons_name_is_kept_as_typed(typed: str, kind: str) -> None:
    assert add_known_identifier(PseudonymKey("p"), typed, kind).original == typed


def test_an_identifiers_csv_leaves_titles_out_and_says_so(project: Path) -> None:
    table = project.parent / "kjente-navn.csv"
    table.write_text("identifier,kind\nRektor Nilsen,person\nNilsen,person\nFru Hansen-Berg,person\n", encoding="utf-8")
    result = _run(project, "identifiers", "import", str(table))
    assert "2 identifiers added" in result.stdout  # "Nilsen" again is the same identifier, not refused
    assert "'Rektor' is a title, no part of the name: 'Nilsen'" in result.stderr
    assert "'Fru' is a title, no part of the name: 'Hansen-Berg'" in result.stderr
    shown = _run(project, "key", "show").stdout
    assert "Rektor" not in shown and "Fru" not in shown


def test_an_identifiers_csv_line_with_a_title_of_a_name_held_changes_nothing(tmp_path: Path) -> None:
    key = PseudonymKey("p")
    add_known_identifier(key, "Nilsen", "person")
    table = tmp_path / "kjente-navn.csv"
    table.write_text("identifier,kind\nRektor Nilsen,person\n", encoding="utf-8")
    assert import_identifiers(key, table) == []
    assert [entry.original for entry in key.entries] == ["Nilsen"]


def test_a_name_with_its_title_waiting_for_review_is_accepted_as_the_name_and_leaves_the_queue() -> None:
    """An older qualcode proposed "Rektor Nilsen" whole; accepted, it is Nilsen, and the queue is done with it."""
    key = PseudonymKey("p")
    queue_candidates(key, [Proposal("Rektor Nilsen", 0, 13, "Rektor Nilsen sa ja", "person")], "intervju.txt")
    assert accept_candidate(key, "Rektor Nilsen", "person").original == "Nilsen"
    assert key.pending == []


def test_a_name_added_with_its_title_again_links_it_to_a_participant(project: Path) -> None:
    """The same again with --participant only links what the key holds, found without its title too."""
    _run(project, "identifiers", "add", "Nilsen", "--kind", "person")
    linked = _run(project, "identifiers", "add", "Rektor Nilsen", "--kind", "person", "--participant", "D1")
    assert "'Nilsen'" in linked.stdout and "is now linked to D1" in linked.stdout


def test_a_name_an_older_qualcode_held_with_its_title_is_that_entry_still(project: Path, tmp_path: Path) -> None:
    """Added again as typed, "Rektor Nilsen" held whole is what it was: not a second person "Nilsen" beside it."""
    from qualcode.anonymise.apply import add_identifier

    key_path = Path(next(line for line in _run(project, "key", "show").stderr.splitlines() if line.startswith("key ")).split(" ", 1)[1])
    key = load_key(key_path, "test passphrase")
    add_identifier(key, "Rektor Nilsen", "person")
    save_key(key_path, key, "test passphrase")
    again = _run(project, "identifiers", "add", "Rektor Nilsen", "--kind", "person")
    assert "'Rektor Nilsen' is already in the key" in again.stdout and "is a title" not in again.stderr
    table = tmp_path / "kjente-navn.csv"
    table.write_text("identifier,kind\nRektor Nilsen,person\n", encoding="utf-8")
    assert "0 identifiers added" in _run(project, "identifiers", "import", str(table)).stdout
    assert [entry.original for entry in load_key(key_path, "test passphrase").entries] == ["Rektor Nilsen"]


def test_the_review_says_a_title_it_left_out(project: Path) -> None:
    """Accepted in the terminal UI's review (its workspace layer), a name an older qualcode queued with its title is
    the name, and the review says the title stays as written, as `identifiers add` does."""
    from qualcode.config import Config
    from qualcode.workspace import IdentifierReview, Workspace

    key_path = Path(next(line for line in _run(project, "key", "show").stderr.splitlines() if line.startswith("key ")).split(" ", 1)[1])
    key = load_key(key_path, "test passphrase")
    queue_candidates(key, [Proposal("Rektor Nilsen", 0, 13, "Rektor Nilsen sa ja", "person")], "intervju.txt")
    save_key(key_path, key, "test passphrase")
    with Workspace.open(Config.resolve(project=project, coder="Forsker 1")) as workspace:
        review = IdentifierReview(workspace)
        decision = review.decide("Rektor Nilsen", "person", "m")
        review.close()
    assert decision.said == ("Rektor Nilsen: person; 'Rektor' is a title, no part of the name, and stays in the texts"
                             " as written"), decision.said
    assert [entry.original for entry in load_key(key_path, "test passphrase").entries] == ["Nilsen"]
