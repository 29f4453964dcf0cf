"""Names a red-team probe found stored as said and never proposed at import: a rare name written in lower
case too, a name with an apostrophe or a non-breaking hyphen inside, a surname in capitals alone, and names
and places in lower case. Each is proposed, and once the key knows it, stored replaced whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.candidates import propose
from qualcode.anonymise.key import PseudonymKey
from qualcode.errors import NeedsReview
from tests.conftest import make_transcript
from tests.test_importers import turns_of

FRONT_MATTER = "---\nparticipant: D1\nrole: deltaker\nwave: T1\n---\n"


def _proposed(text: str) -> list[str]:
    """What is proposed in `text`, a transcript whose turns are D1's and I's, each line one turn."""
    turns, position = [], 0
    for line in text.split("\n"):
        if ": " in line:
            turns.append(position + line.index(": ") + 2)
        position += len(line) + 1
    return [proposal.text for proposal in propose(text, (), (), {"D1", "I"}, turns)]


@pytest.mark.parametrize(("said", "names"), [
    ("D1: Veilederen min er Ragnfrid. Eg ringde ragnfrid i går.", ["Ragnfrid"]),
    ("D1: Veilederen min er Mebrahtom. Eg ringde mebrahtom i går.", ["Mebrahtom"]),
    # A speaker's label the turns were not read by, and the same speaker's in lower case.
    ("I: Hei.\nBerntine (veileder): Jeg er veilederen.\nberntine: Ja, det stemmer.", ["Berntine"]),
    ("I: Hei.\nBerntine: Jeg er veilederen.\nberntine: Ja, det stemmer.", ["Berntine"]),
])
def test_a_rare_name_written_in_lower_case_too_is_proposed(said: str, names: list[str]) -> None:
    """A word the text also writes in lower case was taken for an everyday word, however rare and in no
    dictionary: "Ragnfrid … ragnfrid" was stored as said, neither form proposed."""
    assert _proposed(said) == names


@pytest.mark.parametrize("said", [
    # Words the dictionaries hold, or compounds of theirs, capitalised inside a sentence and in lower case too.
    "D1: Vi fikk Bostøtta sent. bostøtta var lav.",
    "D1: Det var Jobbspesialisten som hjalp. jobbspesialisten var flink.",
    # A label that is a word: no one's name.
    "I: Hei.\nSpørsmål: Hva skjedde da?\nspørsmål: nei.",
])
def test_a_word_written_in_lower_case_too_is_still_a_word(said: str) -> None:
    assert _proposed(said) == []


def test_a_rare_name_written_in_lower_case_too_is_held_back_and_then_replaced_in_both(session: Session, tmp_path: Path) -> None:
    """Held back for review, and once accepted the lower-case "ragnfrid" is replaced as well as "Ragnfrid"."""
    text = FRONT_MATTER + "I: Hei.\nD1: Veilederen min er Ragnfrid. Eg ringde ragnfrid i går.\n"
    key = PseudonymKey("test")
    with pytest.raises(NeedsReview):
        make_transcript(session, tmp_path, text, key=key)
    assert [candidate.text for candidate in key.pending] == ["Ragnfrid"]
    add_identifier(key, "Ragnfrid", "person", "f", pseudonym="Eva")
    make_transcript(session, tmp_path, text, key=key)
    said = turns_of(session, "intervju")[-1][1]
    assert "ragnfrid" not in said.casefold() and said == "Veilederen min er Eva. Eg ringde eva i går.", said
