"""A double name a line broke at its hyphen ("Anne-\\nLise Marthinsen"), as a transcript wrapped by hand has it:
proposed whole, as the key holds it, and replaced whole once the key knows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.candidates import propose
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.known import KnownMatcher
from tests.conftest import make_transcript
from tests.test_importers import turns_of


@pytest.mark.parametrize(("said", "whole", "written"), [
    ("D1: Jeg snakket med Anne-\nLise Marthinsen i går.", "Anne-Lise Marthinsen", "Anne-\nLise Marthinsen"),
    ("D1: Hun het Anne-  \n  Lise, tror jeg.", "Anne-Lise", "Anne-  \n  Lise"),
    ("D1: Vi var hos Vold-\nHansen i går.", "Vold-Hansen", "Vold-\nHansen"),
])
def test_a_double_name_a_line_broke_at_its_hyphen_is_proposed_whole(said: str, whole: str, written: str) -> None:
    """Proposed from the break ("Lise Marthinsen", "Hansen"), accepting it left the part before it beside the pseudonym."""
    [made] = propose(said, (), (), {"D1"}, [4])
    assert (made.text, said[made.start:made.end]) == (whole, written)


def test_a_word_a_line_broke_at_a_hyphen_before_no_name_is_left_alone() -> None:
    said = "D1: Det var stor arbeids-\nledighet her, og et NAV-\nkontor. Kari Hansen kom."
    assert [made.text for made in propose(said, (), (), {"D1"}, [4])] == ["Kari Hansen"]


def test_a_double_name_a_line_broke_at_its_hyphen_is_replaced_whole(session: Session, tmp_path: Path) -> None:
    """The key's "Anne-Lise Marthinsen" was found in "Anne-\\nLise Marthinsen" word by word: "Kristin-\\nKristin Berg"."""
    key = PseudonymKey("test")
    add_identifier(key, "Anne-Lise Marthinsen", "person", "f", pseudonym="Kristin Berg")
    found = KnownMatcher(key).find("med Anne-\nLise Marthinsen i går og Anne- Lise Marthinsen i dag")
    assert [(match.text, match.replacement) for match in found] == [
        ("Anne-\nLise Marthinsen", "Kristin Berg"), ("Anne- Lise Marthinsen", "Kristin Berg")]
    dashed = KnownMatcher(key).find("Anne - Lise Marthinsen")  # a dash between words joins no name
    assert dashed and not any(" - " in match.text for match in dashed)
    make_transcript(session, tmp_path, "I: Hvem hjalp deg?\nD1: Det var Anne-\nLise Marthinsen, veilederen min.\n", key=key)
    [(_, asked), (_, answered)] = turns_of(session, "intervju")
    assert "Anne" not in answered and "Lise" not in answered and "Marthinsen" not in answered
    assert answered.startswith("Det var Kristin Berg"), answered
