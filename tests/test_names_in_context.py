"""Names a probe found stored as said, or proposals that named no one: a name after a kin phrase that is a stop
word too, a surname in capitals alone anywhere inside a sentence beside acronyms that stay words, an initial before
a two-letter surname, initials run together, a proposal left beginning with "og", and a firm the key holds named
without its legal form. Each through a real import of a .txt where it is stored."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey
from qualcode.errors import NeedsReview
from tests.conftest import make_transcript
from tests.test_importers import turns_of
from tests.test_names_probe_leaks import FRONT_MATTER


def _imported(session: Session, tmp_path: Path, said: str, key: PseudonymKey | None = None) -> tuple[str, list[str]]:
    """What an import of `said` as D1's turn stored, or, held back for review, what it waits for."""
    key = key or PseudonymKey("test")
    try:
        make_transcript(session, tmp_path, FRONT_MATTER + f"I: Hei.\nD1: {said}\n", key=key)
    except NeedsReview:
        return "", [candidate.text for candidate in key.pending]
    return turns_of(session, "intervju")[-1][1], []


def test_a_firm_the_key_holds_is_found_without_its_legal_form(session: Session, tmp_path: Path) -> None:
    """"Bakeriet i Sparbu AS" held as an employer: "jobbet på Bakeriet i Sparbu" was found neither whole nor as a word."""
    key = PseudonymKey("test")
    add_identifier(key, "Bakeriet i Sparbu AS", "employer", pseudonym="(arbeidsgiver)")
    add_identifier(key, "Fjordkysten Regnskap ASA", "employer", pseudonym="(arbeidsgiver)")
    said = "Jeg jobbet på Bakeriet i Sparbu, så på Bakeriet i Sparbu AS igjen, og hos Fjordkysten Regnskap."
    assert _imported(session, tmp_path, said, key) == (
        "Jeg jobbet på (arbeidsgiver), så på (arbeidsgiver) igjen, og hos (arbeidsgiver).", [])
