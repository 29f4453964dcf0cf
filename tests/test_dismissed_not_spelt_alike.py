"""A word the researcher dismissed is no name: "Nails" of "Nails & Beauty", dismissed, was replaced all the same as a
fuzzy match of "Nils", in that file, later imports and a reapply, and was not even asked about again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.anonymise.key import Candidate, PseudonymKey
from qualcode.anonymise.service import add_known_identifier, dismiss
from qualcode.cli import cli
from qualcode.errors import InvalidInput
from tests.test_cli import run
from tests.test_names_in_doubt import FRONT, _document


def test_a_dismissed_word_is_not_replaced_as_a_name_spelt_like_it() -> None:
    key = PseudonymKey("prosjekt")
    key.dismissed.append("Nails")
    nils = add_known_identifier(key, "Nils Berge", "person", "m")
    document = _document("Jeg jobber på Nails & Beauty, hos Nails. Nils Berge også.", key)
    assert "på Nails & Beauty, hos Nails." in document.document.text
    assert f"{nils.pseudonym} også." in document.document.text
    assert "Nails" not in [proposal.text for proposal in document.proposals]


def test_a_word_spelt_like_a_known_name_and_not_dismissed_is_still_replaced() -> None:
    """Only the word dismissed: "Niels" is still Nils misspelt, replaced and asked about; so is a word of a dismissed
    phrase ("Hilsen Niels" settles the phrase, not the name in it)."""
    key = PseudonymKey("prosjekt")
    key.dismissed += ["Nails", "Hilsen Niels"]
    nils = add_known_identifier(key, "Nils Berge", "person", "m")
    document = _document("Niels kom i går.", key)
    assert "Niels" not in document.document.text and document.document.text.count(nils.pseudonym.split()[0]) == 1
    assert [proposal.text for proposal in document.proposals] == ["Niels"]


def test_a_word_waiting_as_spelt_alike_is_dismissed_as_no_name() -> None:
    """Proposed before the key knew Nils, "Nails" waited still once he was accepted, now as spelt like him: dismissed,
    it was kept as his name, and there was no way to say it names no one."""
    key = PseudonymKey("prosjekt")
    key.pending.append(Candidate("Nails", ["a.txt: …jobber på Nails & Beauty…"]))
    nils = add_known_identifier(key, "Nils Berge", "person", "m")
    assert dismiss(key, "Nails", not_a_name=True) is None
    assert key.dismissed == ["Nails"] and nils.same_person == [] and key.pending == []
    assert "på Nails & Beauty" in _document("Jeg jobber på Nails & Beauty.", key).document.text


def test_a_word_said_to_be_theirs_is_no_ones_once_dismissed_as_no_name() -> None:
    key = PseudonymKey("prosjekt")
    key.pending.append(Candidate("Nails", ["a.txt: …jobber på Nails & Beauty…"]))
    nils = add_known_identifier(key, "Nils Berge", "person", "m")
    assert dismiss(key, "Nails") is nils and nils.same_person == ["nails"]  # said to be his, as before
    assert "Nails" not in _document("Jeg jobber på Nails & Beauty.", key).document.text
    assert dismiss(key, "Nails", not_a_name=True) is None
    assert nils.same_person == [] and key.dismissed == ["Nails"]
    assert "på Nails & Beauty" in _document("Jeg jobber på Nails & Beauty.", key).document.text


def test_a_word_the_key_holds_as_written_cannot_be_dismissed_as_no_name() -> None:
    """"Berg" of "Hansen-Berg" is replaced wherever it stands, dismissed or not: saying it is no name would change nothing."""
    key = PseudonymKey("prosjekt")
    key.pending.append(Candidate("Berg", ["a.txt: …Lege Berg sa…"]))
    add_known_identifier(key, "Hansen-Berg", "person")
    with pytest.raises(InvalidInput, match="nothing dismissed"):
        dismiss(key, "Berg", not_a_name=True)
    assert [candidate.text for candidate in key.pending] == ["Berg"] and key.dismissed == []


def test_a_dismissed_word_stays_through_imports_and_reapply(demo: Path, tmp_path: Path) -> None:
    project = ["--project", str(demo)]
    first = tmp_path / "salong.txt"
    first.write_text(FRONT + "I: Hvor jobber du?\nD9: Jeg jobber på Nails & Beauty i sentrum.\n", encoding="utf-8")
    assert run(*project, "import", str(first)).exit_code == 1
    waiting = [candidate["text"] for candidate in json.loads(run(*project, "anonymise", "pending", "--json").stdout)]
    assert "Nails" in waiting
    assert run(*project, "anonymise", "dismiss", *waiting).exit_code == 0
    added = run(*project, "identifiers", "add", "Nils Berge", "--kind", "person", "--gender", "m")
    assert added.exit_code == 0, added.output
    assert run(*project, "import", str(first)).exit_code == 0
    later = tmp_path / "senere.txt"
    later.write_text(FRONT + "I: Og nå?\nD9: Nails har stengt. Nils Berge sa opp.\n", encoding="utf-8")
    imported = run(*project, "import", str(later))
    assert imported.exit_code == 0, imported.output
    assert run(*project, "anonymise", "reapply").exit_code == 0
    assert "på Nails & Beauty i sentrum" in run(*project, "transcripts", "show", "salong").output
    shown = run(*project, "transcripts", "show", "senere").output
    assert "Nails har stengt" in shown and "Nils" not in shown, shown


def _nils_accepted(demo: Path, tmp_path: Path, where: str) -> tuple[list[str], Path]:
    """A file saying Nils Berge works at `where` ("Nails …"), held back and Nils Berge accepted since: the command line's
    project options, and the file."""
    project = ["--project", str(demo)]
    first = tmp_path / "salong.txt"
    first.write_text(FRONT + f"I: Hvor jobber du?\nD9: Jeg heter Nils Berge og jobber på {where}.\n", encoding="utf-8")
    assert run(*project, "import", str(first)).exit_code == 1
    assert run(*project, "anonymise", "accept", "Nils Berge", "--kind", "person", "--gender", "m").exit_code == 0
    return project, first


def test_dismiss_not_a_name_from_the_command_line(demo: Path, tmp_path: Path) -> None:
    project, first = _nils_accepted(demo, tmp_path, "Nails & Beauty")
    said = run(*project, "anonymise", "dismiss", "Nails")
    assert "stays replaced as a name of 'Nils Berge'" in said.output
    assert "qualcode anonymise dismiss --not-a-name Nails" in said.output
    assert run(*project, "anonymise", "dismiss", "--not-a-name", "Nails").exit_code == 0
    waiting = [candidate["text"] for candidate in json.loads(run(*project, "anonymise", "pending", "--json").stdout)]
    if waiting:
        assert run(*project, "anonymise", "dismiss", *waiting).exit_code == 0
    imported = run(*project, "import", str(first))
    assert imported.exit_code == 0, imported.output
    shown = run(*project, "transcripts", "show", "salong").output
    assert "jobber på Nails & Beauty" in shown and "Nils" not in shown, shown


def test_a_word_not_waiting_and_replaced_as_spelt_alike_is_theirs_when_dismissed() -> None:
    """Dismissed before it waited, "Gunnvor" (spelt like Gunvor, whom the key holds) is said to be hers, as the review
    asks it: kept as a dismissed word, no longer found as hers, it would have stayed in the texts as written."""
    key = PseudonymKey("prosjekt")
    gunvor = add_known_identifier(key, "Gunvor", "person", "f")
    assert dismiss(key, "Gunnvor") is gunvor and gunvor.same_person == ["gunnvor"] and key.dismissed == []
    assert "Gunnvor" not in _document("Gunnvor kom.", key).document.text


def test_a_file_holding_only_a_dismissed_word_holds_no_name(tmp_path: Path) -> None:
    """After a name is learned the project's files that still hold it are listed: "Nails & Beauty" was one, for Nils."""
    from qualcode.anonymise.leakcheck import files_holding

    key = PseudonymKey("prosjekt")
    key.dismissed.append("Nails")
    nils = add_known_identifier(key, "Nils Berge", "person", "m")
    (tmp_path / "salong.txt").write_text("Jeg jobber på Nails & Beauty.\n", encoding="utf-8")
    (tmp_path / "nils.txt").write_text("Nils Berge kom.\n", encoding="utf-8")
    assert files_holding(tmp_path, key, [nils]) == [(tmp_path / "nils.txt", None)]


def test_the_review_says_how_to_dismiss_a_word_spelt_alike_as_no_name(demo: Path, tmp_path: Path) -> None:
    project, first = _nils_accepted(demo, tmp_path, "Nails")
    waiting = [candidate["text"] for candidate in json.loads(run(*project, "anonymise", "pending", "--json").stdout)]
    assert waiting[0] == "Nails", waiting
    review = CliRunner().invoke(cli, [*project, "anonymise", "review"], input="d\nq\n")
    assert "stays replaced as a name of 'Nils Berge'" in review.output, review.output
    assert "if it is no name at all: qualcode anonymise dismiss --not-a-name Nails" in review.output


def test_w_in_the_review_keeps_a_word_spelt_alike_as_written(demo: Path, tmp_path: Path) -> None:
    """The command line's review answers as the terminal UI's `w` does: no name at all, kept as written in the
    held-back file once imported, and asked about no more."""
    project, first = _nils_accepted(demo, tmp_path, "Nails")
    waiting = [candidate["text"] for candidate in json.loads(run(*project, "anonymise", "pending", "--json").stdout)]
    assert waiting == ["Nails"], waiting
    review = CliRunner().invoke(cli, [*project, "anonymise", "review"], input="w\n")
    assert review.exit_code == 0, review.output
    assert "no name: kept as written" in review.output and "1 decided, 0 still waiting" in review.output, review.output
    assert run(*project, "import", str(first)).exit_code == 0
    shown = run(*project, "transcripts", "show", "salong").stdout
    assert "jobber på Nails." in shown and "Nils Berge" not in shown, shown


def test_w_in_the_review_on_a_word_the_key_replaces_as_written_leaves_it_waiting(demo: Path, tmp_path: Path) -> None:
    """"Berg" alone is replaced as Hansen-Berg's wherever it stands: `w` is refused in one line, Berg waits still and
    the review goes on to the next answer, the decisions before it kept."""
    project = ["--project", str(demo)]
    new = tmp_path / "ny.txt"
    new.write_text(FRONT + "I: Hei.\nD9: Fru Hansen-Berg er kontaktlæreren. Lege Berg sa at det går bra.\n", encoding="utf-8")
    assert run(*project, "import", str(new)).exit_code == 1
    assert run(*project, "anonymise", "accept", "Hansen-Berg", "--kind", "person").exit_code == 0
    waiting = [candidate["text"] for candidate in json.loads(run(*project, "anonymise", "pending", "--json").stdout)]
    assert "Berg" in waiting, waiting
    answers = "".join("w\n" if text == "Berg" else "k\n" for text in waiting)
    review = CliRunner().invoke(cli, [*project, "anonymise", "review"], input=answers)
    assert review.exit_code == 0, review.output
    refusal = next(line for line in review.output.splitlines() if "nothing dismissed" in line)
    assert refusal.strip().startswith("'Berg' holds 'Berg', a name of 'Hansen-Berg'"), refusal
    assert refusal.endswith("it still waits (d if it is theirs, or p/l/n/e/s/o if it is a name of its own)"), refusal
    assert "Berg" in [candidate["text"] for candidate in json.loads(run(*project, "anonymise", "pending", "--json").stdout)]


def _fresh(tmp_path: Path) -> list[str]:
    root = tmp_path / "prosjekt"
    assert run("init", str(root), "--empty").exit_code == 0
    return ["--project", str(root)]


def test_a_phrase_holding_a_name_the_key_replaces_as_written_is_not_dismissed_as_no_name(tmp_path: Path) -> None:
    """"Haugen Bilpleie" dismissed as no name said "dismissed 1", and the texts read "<her pseudonym's surname>
    Bilpleie": Kari Haugen's "Haugen" is replaced wherever it stands, as the word alone is refused for. Plain
    dismiss of the phrase still says it is no identifier to ask about."""
    project = _fresh(tmp_path)
    added = run(*project, "identifiers", "add", "Kari Haugen", "--kind", "person", "--gender", "f")
    assert added.exit_code == 0, added.output
    surname = added.output.rsplit("replaced by ", 1)[1].strip().strip("'").split()[-1]
    refused = run(*project, "anonymise", "dismiss", "--not-a-name", "Haugen Bilpleie")
    assert refused.exit_code == 1 and "dismissed" not in refused.stdout, refused.output
    assert refused.output.startswith("error: 'Haugen Bilpleie' holds 'Haugen', a name of 'Kari Haugen'"), refused.output
    assert "nothing dismissed" in refused.output and "dismiss it without --not-a-name" in refused.output
    assert refused.output.count("\n") == 1
    work = tmp_path / "verksted.txt"
    work.write_text(FRONT + "I: Hvor jobber du?\nD9: Jeg jobber på Haugen Bilpleie i sentrum.\n", encoding="utf-8")
    dismissed = run(*project, "anonymise", "dismiss", "Haugen Bilpleie", "Bilpleie")
    assert dismissed.exit_code == 0 and "dismissed 2" in dismissed.output, dismissed.output
    imported = run(*project, "import", str(work))
    assert imported.exit_code == 0, imported.output
    shown = run(*project, "transcripts", "show", "verksted").output
    assert f"på {surname} Bilpleie i sentrum" in shown and "Haugen" not in shown, shown


def test_the_review_s_w_on_a_phrase_holding_a_name_replaced_as_written_is_refused_and_it_waits(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    work = tmp_path / "verksted.txt"
    work.write_text(FRONT + "I: Hvor jobber du?\nD9: Jeg jobber på Haugen Bilpleie. Sjefen heter Kari Haugen.\n", encoding="utf-8")
    assert run(*project, "import", str(work)).exit_code == 1
    assert run(*project, "anonymise", "accept", "Kari Haugen", "--kind", "person", "--gender", "f").exit_code == 0
    assert [candidate["text"] for candidate in json.loads(run(*project, "anonymise", "pending", "--json").stdout)] == ["Haugen Bilpleie"]
    reviewed = CliRunner().invoke(cli, [*project, "anonymise", "review"], input="w\nq\n", catch_exceptions=False)
    assert reviewed.exit_code == 0, reviewed.output
    assert "'Haugen Bilpleie' holds 'Haugen', a name of 'Kari Haugen'" in reviewed.output
    assert "nothing dismissed; it still waits" in reviewed.output and "0 decided, 1 still waiting" in reviewed.output
    assert [candidate["text"] for candidate in json.loads(run(*project, "anonymise", "pending", "--json").stdout)] == ["Haugen Bilpleie"]


def test_a_phrase_holding_a_word_spelt_like_a_name_is_dismissed_as_no_name_once_the_word_is() -> None:
    """A dismissed phrase stops no word of it being found as spelt like a name (KnownMatcher reads dismissed words):
    "Nails Beauty" dismissed as no name left "Nails" replaced as Nils misspelt. Refused, with the word to dismiss."""
    key = PseudonymKey("prosjekt")
    key.pending.append(Candidate("Nails Beauty", ["a.txt: …jobber på Nails Beauty…"]))
    add_known_identifier(key, "Nils Berge", "person", "m")
    with pytest.raises(InvalidInput, match="nothing dismissed") as refused:
        dismiss(key, "Nails Beauty", not_a_name=True)
    assert "qualcode anonymise dismiss --not-a-name Nails" in (refused.value.hint or "")
    assert key.dismissed == [] and [candidate.text for candidate in key.pending] == ["Nails Beauty"]
    assert dismiss(key, "Nails", not_a_name=True) is None
    assert dismiss(key, "Nails Beauty", not_a_name=True) is None
    assert key.dismissed == ["Nails", "Nails Beauty"] and key.pending == []
    assert "på Nails Beauty." in _document("Jeg jobber på Nails Beauty.", key).document.text
