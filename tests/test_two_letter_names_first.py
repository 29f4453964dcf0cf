"""Names of two letters first in a sentence ("Wu sa ja.", "Li hjalp oss også."), which a probe found stored as said:
only a word of three letters or more was taken for a bare subject there."""

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


def _proposed(said: str) -> list[str]:
    return [proposal.text for proposal in propose(said, (), (), {"D1"}, [4])]


@pytest.mark.parametrize(("said", "name"), [
    ("D1: Hei. Wu sa ja med en gang.", "Wu"), ("D1: Vi var der. Li hjalp oss også.", "Li"),
    ("D1: Ja. Ng ringte meg i går.", "Ng"), ("D1: Ja. Tu kom for sent.", "Tu"), ("D1: Wu sa ja.", "Wu"),
])
def test_a_two_letter_name_first_in_a_sentence_before_a_verb_said_of_people_is_proposed(said: str, name: str) -> None:
    assert _proposed(said) == [name]


@pytest.mark.parametrize("said", [
    "D1: Ja. Hu sa at det gikk bra.", "D1: Ja. Ho sa nei.", "D1: Ja. Da sa han nei.", "D1: Så. Vi sa ja.",
    "D1: Nei. Jo, det var bra.", "D1: Ja. Nå kom hun.", "D1: Ja. Du sa det selv.", "D1: Ja. Så kom bussen.",
    "D1: Ja. Om kvelden kom han.", "D1: Ja. Er du sikker?",
])
def test_two_letter_words_first_in_a_sentence_stay_words(said: str) -> None:
    assert _proposed(said) == []


def test_a_two_letter_name_first_in_a_sentence_is_held_back_and_then_replaced(session: Session, tmp_path: Path) -> None:
    text = "---\nparticipant: D1\nrole: deltaker\nwave: T1\n---\nI: Hei.\nD1: Naboen kom. Wu sa ja med en gang.\n"
    key = PseudonymKey("test")
    with pytest.raises(NeedsReview):
        make_transcript(session, tmp_path, text, key=key)
    assert [candidate.text for candidate in key.pending] == ["Wu"]
    add_identifier(key, "Wu", "person", "m", pseudonym="Lund")
    make_transcript(session, tmp_path, text, key=key)
    assert turns_of(session, "intervju")[-1][1] == "Naboen kom. Lund sa ja med en gang."
