"""A file's own name: names in it are proposed for review however they are cased."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.errors import NeedsReview
from qualcode.importers.service import import_file

TEXT = "I: Hvordan gikk det?\nD1: Det gikk fint.\nI: Ok.\nD1: Ja.\n"


@pytest.mark.parametrize(("file_name", "proposed"), [("olsen_gunnhild_t2.txt", "Olsen Gunnhild"), ("gunnhild.txt", "Gunnhild")])
def test_a_name_written_in_lower_case_in_a_file_name_is_proposed_as_its_capitalised_form_is(
    session: Session, tmp_path: Path, file_name: str, proposed: str
) -> None:
    """Gunnhild_Olsen_T1.txt was held back, olsen_gunnhild_t2.txt stored as a transcript named for her."""
    path = tmp_path / file_name
    path.write_text(TEXT, encoding="utf-8")
    key = PseudonymKey("test")
    with pytest.raises(NeedsReview, match=proposed):
        import_file(session, path, key=key)
    assert any(candidate.text == proposed and "file name" in " ".join(candidate.contexts) for candidate in key.pending)


@pytest.mark.parametrize("file_name", ["tom.txt", "deltaker_d1_t1.txt", "intervju_med_veileder.txt", "fokusgruppe_kontor_a.txt", "kvp_evaluering_2024.txt"])
def test_everyday_words_in_a_lower_case_file_name_are_not_proposed(session: Session, tmp_path: Path, file_name: str) -> None:
    path = tmp_path / file_name
    path.write_text(TEXT, encoding="utf-8")
    import_file(session, path, key=PseudonymKey("test"))


def test_a_decomposed_file_name_is_stored_composed_and_found_by_what_people_type(session: Session, tmp_path: Path) -> None:
    """A name from a Mac or a zip (NFD) gave a transcript no command could reach."""
    import unicodedata

    from qualcode.store.lookup import find_transcript

    path = tmp_path / unicodedata.normalize("NFD", "møte_på_kontoret_T2.txt")
    path.write_text(TEXT, encoding="utf-8")
    imported = import_file(session, path, key=PseudonymKey("test"))
    assert imported.name == "møte_på_kontoret_T2"
    found = find_transcript(session, "møte_på_kontoret_T2")
    assert (found.name, found.source_filename) == ("møte_på_kontoret_T2", "møte_på_kontoret_T2.txt")


def test_control_characters_in_a_file_name_become_underscores(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "samtale\nrunde\t2\x07.txt"
    path.write_text(TEXT, encoding="utf-8")
    assert import_file(session, path, key=PseudonymKey("test")).name == "samtale_runde_2_"

