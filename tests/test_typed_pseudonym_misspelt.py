"""A pseudonym misspelt in typed text is refused as the pseudonym it misspells, never offered to the key as a
real person, nor queued for the review; a name that only looks like one is refused as before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qualcode.anonymise.key import PseudonymKey, load_key
from qualcode.anonymise.typed_text import pseudonym_meant
from tests.test_cli import run

PSEUDONYM = "Julie Hansen"
PASSPHRASE = "test passphrase"  # conftest.isolate_user's


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A new project whose key gives a person the pseudonym Julie Hansen."""
    made = tmp_path / "prosjekt"
    assert run("init", str(made), "--empty").exit_code == 0
    added = run("--project", str(made), "identifiers", "add", "Ragnfrid Østbø", "--kind", "person", "--gender", "f",
                "--pseudonym", PSEUDONYM)
    assert added.exit_code == 0, added.output
    return made


def _pending() -> list[str]:
    [key_path] = (Path(os.environ["HOME"]) / ".config" / "qualcode" / "keys").glob("*.qckey")
    return [candidate.text for candidate in load_key(key_path, PASSPHRASE).pending]


@pytest.mark.parametrize("typed", [
    "Julie Hanssen",  # a letter doubled (and a surname in its own right)
    "Julle Hansen",  # a letter for another
    "Juile Hansen",  # two letters swapped
    "Julie Hanssens",  # in the genitive
    "Hansne",  # alone, and no name of anyone's
])
def test_a_misspelt_pseudonym_in_a_memo_says_which_pseudonym_and_is_not_queued(project: Path, typed: str) -> None:
    """The last session's notes: "Julie Hanssen sa …" was refused with a hint to add "Julie Hanssen" to the key as a
    real person, and queued for the review, where its "Julie" then held back every memo writing the pseudonym right."""
    refused = run("--project", str(project), "memo", "add", f"{typed} sa at hun ville slutte.")
    assert refused.exit_code == 1
    said = refused.stderr.strip()
    assert "\n" not in said and f"did you mean the pseudonym {PSEUDONYM!r}?" in said, said
    # A way on where it names someone else (a real "Julia Hansen"), but not with the name typed as the argument:
    # run as offered, it would put the misspelt pseudonym in the key as a person nobody is.
    hint = said.partition("(hint:")[2]
    assert "if it names someone else" in hint and "`qualcode identifiers add NAME --kind person`" in hint, said
    assert typed not in hint and "dismiss" not in said, said
    assert _pending() == []
    written = run("--project", str(project), "memo", "add", f"{PSEUDONYM} sa at hun ville slutte.")
    assert written.exit_code == 0, written.output


@pytest.mark.parametrize("typed", [
    "Hanssen",  # alone, a surname of its own: anyone's
    "Julie Pedersen",  # a word of the pseudonym, the other another name
    "Karin Hansen",  # a name that differs by more than a typo
    "Torgeir Hovland",  # no one's pseudonym
])
def test_a_name_that_is_no_misspelt_pseudonym_is_refused_as_before(project: Path, typed: str) -> None:
    refused = run("--project", str(project), "memo", "add", f"{typed} sa at hun ville slutte.")
    assert refused.exit_code == 1
    assert "did you mean" not in refused.stderr and f"`qualcode identifiers add '{typed}'" in refused.stderr, refused.stderr
    assert _pending() == [typed]


def test_a_misspelt_pseudonym_beside_a_new_name_queues_only_the_new_name(project: Path) -> None:
    first = run("--project", str(project), "memo", "add", "Julie Hanssen og Torgeir Hovland sa nei.")
    assert first.exit_code == 1 and "did you mean the pseudonym 'Julie Hansen'?" in first.stderr, first.stderr
    assert _pending() == ["Torgeir Hovland"]
    second = run("--project", str(project), "memo", "add", "Torgeir Hovland og Julie Hanssen sa nei.")
    assert second.exit_code == 1 and "'Torgeir Hovland', which waits for review" in second.stderr, second.stderr


def test_a_misspelt_pseudonym_in_a_transcript_s_title_says_which_pseudonym(project: Path, tmp_path: Path) -> None:
    source = tmp_path / "samtale.txt"
    source.write_text("I: Hei.\nD1: Hei.\n", encoding="utf-8")
    assert run("--project", str(project), "import", str(source), "--participant", "D1").exit_code == 0
    for option in ("--title", "--interviewer"):
        refused = run("--project", str(project), "transcripts", "edit", "samtale", option, "Samtale med Julie Hanssen")
        assert refused.exit_code == 1 and refused.stderr.count("\n") == 1, refused.stderr
        assert "did you mean the pseudonym 'Julie Hansen'?" in refused.stderr, refused.stderr
        assert f"the transcript's {option[2:]} names 'Julie Hanssen'" in refused.stderr, refused.stderr  # whose field, as for a new name
        hint = refused.stderr.partition("(hint:")[2]
        assert "`qualcode identifiers add NAME --kind person`" in hint and "Julie Hanssen" not in hint, refused.stderr
    assert run("--project", str(project), "transcripts", "edit", "samtale", "--title", "Samtale med Julie Hansen").exit_code == 0


def test_pseudonym_meant_reads_only_the_key_s_people() -> None:
    """A placeholder stands for no one: "(stedd)" is no typo of "(sted)"; and an original is no pseudonym."""
    from qualcode.anonymise.apply import add_identifier

    key = PseudonymKey("prosjekt")
    add_identifier(key, "Ragnfrid Østbø", "person", "f", PSEUDONYM)
    add_identifier(key, "Horten", "place")
    assert pseudonym_meant("Julie Hanssen", key) == PSEUDONYM
    assert pseudonym_meant("Ragnfrid Østbøe", key) is None
    assert pseudonym_meant("Hortenn", key) is None
    assert pseudonym_meant("Julie Hansen", key) is None  # the pseudonym itself: nothing to correct


@pytest.mark.parametrize("typed", [
    "Tommy Lei",  # two letters of the three-letter surname swapped
    "Tommy Lia",  # a letter for another
    "Tommy Leis",  # in the genitive
    "Tomy Lie",  # the longer word misspelt, the short one as the pseudonym has it
])
def test_a_pseudonym_with_a_three_letter_word_misspelt_says_which_pseudonym(project: Path, tmp_path: Path, typed: str) -> None:
    """A probe: "Samtale med Tommy Lei", of the pseudonym Tommy Lie, was refused with a hint to add 'Tommy Lei' to the
    key as a real person: a word under four letters was never read as a typo."""
    assert run("--project", str(project), "identifiers", "add", "Sverre Vatnedal", "--kind", "person", "--gender", "m",
               "--pseudonym", "Tommy Lie").exit_code == 0
    source = tmp_path / "samtale.txt"
    source.write_text("I: Hei.\nD1: Hei.\n", encoding="utf-8")
    assert run("--project", str(project), "import", str(source), "--participant", "D1").exit_code == 0
    refused = run("--project", str(project), "transcripts", "edit", "samtale", "--title", f"Samtale med {typed}")
    assert refused.exit_code == 1 and "did you mean the pseudonym 'Tommy Lie'?" in refused.stderr, refused.stderr
    memo = run("--project", str(project), "memo", "add", f"{typed} sa at han ville slutte.")
    assert memo.exit_code == 1 and "did you mean the pseudonym 'Tommy Lie'?" in memo.stderr, memo.stderr
    assert _pending() == []


def test_a_short_word_is_a_typo_only_where_the_other_words_are_as_the_pseudonym_has_them() -> None:
    """A name a letter or two from the pseudonym's in more than its short word is someone else, and a lone short word
    anyone's: offered to the key as a name, as before."""
    from qualcode.anonymise.apply import add_identifier

    key = PseudonymKey("prosjekt")
    add_identifier(key, "Sverre Vatnedal", "person", "m", "Tommy Lie")
    add_identifier(key, "Ragnfrid Østbø", "person", "f", "Ola Eng")
    assert pseudonym_meant("Tommy Lei", key) == "Tommy Lie"
    assert pseudonym_meant("Ole Eng", key) == "Ola Eng"
    assert pseudonym_meant("Ola Enk", key) == "Ola Eng"
    assert pseudonym_meant("Tomas Lie", key) is None  # a given name two letters from the pseudonym's
    assert pseudonym_meant("Tomy Lei", key) is None  # both words misspelt: the short one is no sure typo then
    assert pseudonym_meant("Ole Enk", key) is None
    assert pseudonym_meant("Tommy Li", key) is None  # two letters: "Li" is a name of its own
    assert pseudonym_meant("Tommy Leif", key) is None  # two edits
    assert pseudonym_meant("Lei", key) is None  # alone
    assert pseudonym_meant("Tommy Lie", key) is None
