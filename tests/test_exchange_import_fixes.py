"""What a hostile tester found in the .qdpx import: names, merges, conflicts, types, paths and small reports."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey
from qualcode.store.models import Coder
from tests.test_exchange_import import CODES, Qdpx, guid, run_import, selection

TEXT = "I: Hvordan var det å begynne?\nD: Jeg fikk mer selvtillit etter hvert, og jeg håper på jobb i høst.\n"


def test_users_names_are_pseudonymised_before_they_become_coders(session: Session, tmp_path: Path) -> None:
    key = PseudonymKey("test")
    pseudonym = add_identifier(key, "Sissel Bakken", "person", "f").pseudonym
    qdpx = Qdpx(codes=CODES)
    named = qdpx.user("Sissel Bakken 912 34 567")
    nameless = guid("user:uten navn")
    qdpx.users.append(f'<User guid="{nameless}"/>')
    qdpx.sources.append(
        f'<TextSource guid="{guid("source:brukere")}" name="brukere"><PlainTextContent>{TEXT}</PlainTextContent>'
        f'{selection("n1", TEXT, "Jeg fikk mer selvtillit", guid("code:selvtillit"), named)}'
        f'{selection("n2", TEXT, "jeg håper på jobb", guid("code:håp"), nameless)}</TextSource>'
    )
    result = run_import(session, qdpx.write(tmp_path / "brukere.qdpx"), key)
    coder = session.scalar(select(Coder).where(Coder.guid == named))
    assert coder is not None
    assert "Sissel" not in coder.name and "912" not in coder.name and pseudonym in coder.name
    unnamed = session.scalar(select(Coder).where(Coder.guid == nameless))
    assert unnamed is not None and unnamed.name == f"ukjent bruker {nameless[:8]}"
    assert all("Sissel" not in name for name in result.coders_created)
