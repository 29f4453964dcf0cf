"""Names written in lower case right after who the person is to the speaker ("mannen min, cabdi,"), which no list
holds, and a lower-case name with its particle ("nguyen van long"): a probe found both stored as said."""

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


def _proposed(said: str) -> list[str]:
    return [proposal.text for proposal in propose(said, (), (), {"D1"}, [4])]


@pytest.mark.parametrize(("said", "names"), [
    ("D1: Mannen min, cabdi, jobber på lageret.", ["cabdi"]),
    ("D1: Broren min xasan cali kom i går.", ["xasan cali"]),
    ("D1: Min venninne faadumo hjalp meg.", ["faadumo"]),
    ("D1: Med kjæresten min, nguyen van long, og søstera hans.", ["nguyen van long"]),
    ("D1: Vi møtte fatima bin omar i går.", ["fatima bin omar"]),
])
def test_a_lower_case_name_after_a_kin_phrase_or_with_its_particle_is_proposed(said: str, names: list[str]) -> None:
    assert _proposed(said) == names


@pytest.mark.parametrize("said", [
    "D1: Mannen min, altså, han jobber.",
    "D1: Mannen min, asså, han var sur.",
    "D1: Kona mi sa nei til det.",
    "D1: Dattera mi, ho er flink.",
    "D1: Sønnen min, skjønner du, han er sjuk.",
    "D1: Det var van der gutten sin.",
])
def test_words_after_a_kin_phrase_are_no_names(said: str) -> None:
    assert _proposed(said) == []


def test_a_lower_case_name_after_a_kin_phrase_is_held_back_and_then_replaced(session: Session, tmp_path: Path) -> None:
    text = FRONT_MATTER + "I: Hei.\nD1: Mannen min, cabdi, jobber der. Kjæresten hans, nguyen van long, også.\n"
    key = PseudonymKey("test")
    with pytest.raises(NeedsReview):
        make_transcript(session, tmp_path, text, key=key)
    assert sorted(candidate.text for candidate in key.pending) == ["cabdi", "nguyen van long"]
    add_identifier(key, "cabdi", "person", "m", pseudonym="Jonas")
    add_identifier(key, "nguyen van long", "person", "m", pseudonym="Even Lie")
    make_transcript(session, tmp_path, text, key=key)
    said = turns_of(session, "intervju")[-1][1]
    assert "cabdi" not in said and "long" not in said and "nguyen" not in said, said
