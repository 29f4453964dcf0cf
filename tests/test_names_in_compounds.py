"""A name written at the head of a hyphenated compound ("Hansen-familien", "Olsen-saken") is proposed however
common wordfreq finds it: Norway's commonest surnames are as frequent as everyday words, and were stored unproposed
where "Ravndal-familien" was held back. Through a real import of a .txt."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.test_names_in_context import _imported


@pytest.mark.parametrize(("said", "names"), [
    ("Vi var hos Hansen-familien i går.", ["Hansen"]),
    ("Olsen-saken tok lang tid, og Johansen-gjengen var der.", ["Olsen", "Johansen"]),
    ("Det gjaldt Jensen-familien.", ["Jensen"]),
])
def test_a_common_surname_at_the_head_of_a_compound_is_held_back(session: Session, tmp_path: Path, said: str, names: list[str]) -> None:
    assert _imported(session, tmp_path, said) == ("", names)


@pytest.mark.parametrize("said", [
    "Dag-tilbudet var bra, og Per-ordningen også.",
    "Jente-gruppa møttes. Andre-runden var kortere.",
    "Hun var på NAV-kontoret og fikk AAP og KVP.",
])
def test_a_compound_headed_by_an_everyday_word_that_is_also_a_name_is_no_name(session: Session, tmp_path: Path, said: str) -> None:
    assert _imported(session, tmp_path, said) == (said, [])
