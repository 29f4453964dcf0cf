"""A given name the key holds that a dictionary lists in lower case but that is no everyday word ("hilde", "ola",
"ole", "morten") is found in lower case, as "kari" is; those that are words ("per", "liv", "dag", "mai", "tor",
"siv", "karen") stay words. Each through a real import of a .txt where it is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.leakcheck import scan_text
from tests.test_names_in_context import _imported


@pytest.mark.parametrize(("name", "said", "stored"), [
    ("Hilde Strand", "hilde sa det samme, og hilde strand også.", "kjersti sa det samme, og kjersti eliassen også."),
    ("Ola", "Jeg snakket med ola i går.", "Jeg snakket med kjersti i går."),
])
def test_a_given_name_a_dictionary_lists_is_found_in_lower_case(session: Session, tmp_path: Path, name: str, said: str, stored: str) -> None:
    key = PseudonymKey("test")
    add_identifier(key, name, "person", "f", pseudonym="Kjersti Eliassen" if " " in name else "Kjersti")
    assert _imported(session, tmp_path, said, key) == (stored, [])


@pytest.mark.parametrize("name", ["Hilde", "Ola", "Ole", "Morten", "Ida", "Jensen"])
def test_the_leak_check_finds_such_a_name_in_lower_case(name: str) -> None:
    key = PseudonymKey("test")
    add_identifier(key, name, "person", "f", pseudonym="Kjersti")
    assert [leak.found for leak in scan_text(f"og så sa {name.casefold()} det samme", key, "notat.txt", "body")] == [name.casefold()]


@pytest.mark.parametrize(("name", "said"), [
    ("Per", "Vi fikk to timer per dag, og per i dag er det slik."),
    ("Liv", "Det handler om liv og helse, og han var i live."),
    ("Dag", "Hver dag var lik, dag etter dag."),
    ("Mai", "Vi begynte i mai og sluttet i juni."),
    ("Tor", "Han tor ikke si noe, sa hun på dialekt."),
    ("Siv", "Det vokste siv langs vannet."),
    ("Karen", "Karen der borte, karen var grei."),
    ("Mette", "Vi ble mette av maten."),
])
def test_a_given_name_that_is_an_everyday_word_stays_the_word(session: Session, tmp_path: Path, name: str, said: str) -> None:
    key = PseudonymKey("test")
    add_identifier(key, name, "person", "f", pseudonym="Kjersti")
    stored, pending = _imported(session, tmp_path, said, key)
    assert stored.replace("Karen der", "Kjersti der") == said.replace("Karen der", "Kjersti der")
    assert pending == []
    assert scan_text(said.casefold(), key, "notat.txt", "body") == []
