"""A surname used as a speaker's label ("Hansen: Ja") is drawn a surname when accepted; a given name's label a given name."""

from __future__ import annotations

import pytest

from qualcode.anonymise.candidates import Proposal
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import accept_candidate, queue_candidates, stands_as_a_given_name
from tests.test_pseudonym_surnames import KEYS, given_name, surname


def _accepted(name: str, said: str, index: int, gender: str | None = None) -> tuple[str, bool]:
    key = PseudonymKey(f"prosjekt-{index}")
    queue_candidates(key, [Proposal(name, 0, len(name), said, "person")], "intervju.txt")
    entry = accept_candidate(key, name, "person", gender)
    return entry.pseudonym, entry.given_name


@pytest.mark.parametrize("label", ["Hansen", "Berg", "Haugen", "Foss", "Eng"])
@pytest.mark.parametrize("gender", [None, "f"])
def test_a_surname_as_a_speakers_label_is_drawn_a_surname(label: str, gender: str | None) -> None:
    """A probe: "Hansen: Ja, det stemmer." accepted as a person was drawn "Sissel", and read "Sissel: Ja"."""
    said = f"I: Hva skjedde da? {label}: Ja, det stemmer. I: Bra."
    assert not stands_as_a_given_name(label, f"intervju.txt: …{said}…")
    drawn = [_accepted(label, said, index, gender) for index in range(KEYS)]
    assert [pseudonym for pseudonym, as_given in drawn if as_given or not surname(pseudonym)] == []


@pytest.mark.parametrize(("name", "said"), [
    ("Kari", "I: Hva skjedde da? Kari: Ja, det stemmer."),  # a given name's label
    ("Aga", "Aga: Jeg kom fra Polen."),  # on SSB's surnames, rare, and a nickname abroad: a label's given name
    ("Ahmed", "Ahmed: Ja."),  # on both lists: the given name it most often is
    ("Hansen", "Jeg heter Hansen, kall meg Hansen."),  # said where a given name stands, a surname's word or not
])
def test_a_given_name_where_one_stands_stays_a_given_name(name: str, said: str) -> None:
    assert stands_as_a_given_name(name, f"intervju.txt: …{said}…")
    drawn = [_accepted(name, said, index) for index in range(KEYS)]
    assert [pseudonym for pseudonym, as_given in drawn if not as_given or not given_name(pseudonym)] == []
