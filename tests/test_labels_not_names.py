"""Labels that a meeting's export or a table writes where a name could be ("Gjest:", "Navn:", "Kontakt:", "Ukjent:",
Teams' "Yonas Tesfaye (Gjest)"): none is a name, and none is part of one. A real name beside them is proposed still."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import Candidate, PseudonymKey
from qualcode.anonymise.service import accept_candidate, add_known_identifier
from qualcode.errors import NeedsReview
from qualcode.importers.service import import_file
from qualcode.store.models import Turn

TEAMS = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Yonas Tesfaye (Gjest)>Hei, hører du meg?</v>

00:00:05.000 --> 00:00:08.000
<v Intervjuer>Ja. Hvordan gikk det på kurset?</v>

00:00:09.000 --> 00:00:12.000
<v Ukjent>Det gikk fint.</v>
"""


def _proposed(session: Session, path: Path, key: PseudonymKey) -> list[str]:
    with pytest.raises(NeedsReview):
        import_file(session, path, key=key)
    return [candidate.text for candidate in key.pending]


def test_labels_as_speakers_are_not_proposed_but_the_names_beside_them_are(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "moete.txt"
    path.write_text("I: Hei.\nGjest: Hei alle sammen.\nNavn: Ragnhild Solvik.\nKontakt: Ja.\nUkjent: Hallo?\n"
                    "Speaker: Hm.\nUnknown Speaker: Ok.\nUkjent taler: Ja.\nVert: Velkommen.\nTorbjørn: Takk.\n", encoding="utf-8")
    assert _proposed(session, path, PseudonymKey("test")) == ["Ragnhild Solvik", "Torbjørn"]


def test_a_teams_guest_marker_is_no_part_of_the_name_proposed(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "teams.vtt"
    path.write_text(TEAMS, encoding="utf-8")
    key = PseudonymKey("test")
    assert _proposed(session, path, key) == ["Yonas Tesfaye"]
    yonas = accept_candidate(key, "Yonas Tesfaye", "person", "m")
    import_file(session, path, key=key)
    speakers = list(session.scalars(select(Turn.speaker).order_by(Turn.seq)))
    assert speakers == [f"{yonas.pseudonym} (Gjest)", "Intervjuer", "Ukjent"]


def test_a_name_accepted_with_its_marker_is_held_without_it() -> None:
    """An older qualcode's queue may hold "Yonas Tesfaye (Gjest)"; accepted as a person, "Gjest" was a word of his
    pseudonym ("Morten Christensen Jørgensen"), as a place the whole label "(sted)"."""
    key = PseudonymKey("test")
    key.pending.append(Candidate("Yonas Tesfaye (Gjest)", ["teams.vtt: …Yonas Tesfaye (Gjest): Hei…"]))
    yonas = accept_candidate(key, "Yonas Tesfaye (Gjest)", "person", "m")
    assert yonas.original == "Yonas Tesfaye" and len(yonas.pseudonym.split()) == 2 and key.pending == []
    place = add_known_identifier(key, "Fjordvik (Ekstern)", "place")
    assert place.original == "Fjordvik"
    # A bracket that is part of a name, or names something, stays.
    assert add_known_identifier(key, "Kari (Kiki) Nordmann", "person", "f").original == "Kari (Kiki) Nordmann"
    assert add_known_identifier(key, "Per Hansen (Bodø)", "person", "m").original == "Per Hansen (Bodø)"


def test_labels_in_a_table_are_not_proposed_and_the_names_in_it_are(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "skjema.docx"
    document = docx.Document()
    table = document.add_table(rows=4, cols=2)
    for row, (label, value) in enumerate([("Navn", "Ragnhild Solvik"), ("Kontakt", "Torbjørn Lien"), ("Gjest", "Yonas Tesfaye"),
                                          ("Moderator", "Ukjent")]):
        table.cell(row, 0).text, table.cell(row, 1).text = label, value
    document.add_paragraph("I: Hei.")
    document.add_paragraph("D4: Navn og Kontakt står i tabellen. Gjest kom sent. Kontakten min i NAV ringte.")
    document.save(str(path))
    assert sorted(_proposed(session, path, PseudonymKey("test"))) == ["Ragnhild Solvik", "Torbjørn Lien", "Yonas Tesfaye"]


def test_a_guest_marker_a_key_holds_in_a_name_is_replaced_nowhere_alone() -> None:
    """A key an older qualcode filled may hold "Yonas Tesfaye (Gjest)" whole: "Gjest" was his surname's part alone,
    and every guest in every text became his pseudonym's last word."""
    from qualcode.anonymise.apply import add_identifier, pseudonymise

    key = PseudonymKey("test")
    yonas = add_identifier(key, "Yonas Tesfaye (Gjest)", "person", "m")
    given, surname = yonas.pseudonym.split()[:2]
    said = pseudonymise("Gjest kom sent. Yonas Tesfaye (Gjest) sa hei. Tesfaye sa ja.", key, "x").text
    assert said == f"Gjest kom sent. {given} {surname} (Gjest) sa hei. {surname} sa ja."


def test_a_speaker_named_as_a_country_or_a_car_is_proposed(session: Session, tmp_path: Path) -> None:
    """Only the labels a meeting's export or a table writes stand for no one as a speaker's label: the list's other
    words ("Mercedes", "Kia", "Asia", "India" are car makes and countries) are given names where a speaker is
    labelled by hers, in bokmål and nynorsk alike."""
    path = tmp_path / "fokusgruppe.txt"
    path.write_text("Intervjuer: Kan du fortelje litt om deg sjølv?\nMercedes: Eg kom frå Chile i 2015.\n"
                    "Kia: Det var greit.\nAsia: Jeg er enig.\nIndia: Eg og.\nGjest: Takk.\nUkjent taler: Ja.\n", encoding="utf-8")
    assert sorted(_proposed(session, path, PseudonymKey("test"))) == ["Asia", "India", "Kia", "Mercedes"]


def test_a_teams_docx_guest_speaks_under_their_own_label(session: Session, tmp_path: Path) -> None:
    """Teams' .docx writes "Yonas Tesfaye (Gjest)   0:04" above what a guest said: the line was read as the
    interviewer's words, and the guest's answer as the interviewer's."""
    path = tmp_path / "teams.docx"
    document = docx.Document()
    for paragraph in ["Intervjuer   0:01", "Hei, hvordan går det?", "Yonas Tesfaye (Gjest)   0:04", "Det går bra, takk.",
                      "Intervjuer   0:09", "Fint."]:
        document.add_paragraph(paragraph)
    document.save(str(path))
    key = PseudonymKey("test")
    assert _proposed(session, path, key) == ["Yonas Tesfaye"]
    yonas = accept_candidate(key, "Yonas Tesfaye", "person", "m")
    import_file(session, path, key=key)
    speakers = list(session.scalars(select(Turn.speaker).order_by(Turn.seq)))
    assert speakers == ["Intervjuer", f"{yonas.pseudonym} (Gjest)", "Intervjuer"]


@pytest.mark.parametrize(("said", "names"), [
    ("Navn: Mercedes\nAlder: 34\n\nI: Hei.\nD1: Hei.\n", ["Mercedes"]),  # a car's make elsewhere
    ("Namn: Liv\n\nI: Hei.\nD1: Hei.\n", ["Liv"]),  # an everyday word elsewhere, in nynorsk's form
    ("Fornavn: Asia\nEtternavn: Kvam\n\nI: Hei.\nD1: Hei.\n", ["Asia", "Kvam"]),
    ("Navn: Deltaker 3\nNavn: D1\nNavn: Ukjent\nNavn: anonymisert\n\nI: Hei.\nD1: Hei.\n", []),
])
def test_the_value_of_a_field_for_a_name_is_proposed_whatever_else_it_is(
        session: Session, tmp_path: Path, said: str, names: list[str]) -> None:
    """A form's or a table's "Navn: Mercedes" (a .docx table's row is read so) was stored as written: a car's make,
    a country or an everyday word is no name elsewhere, but a field for a name holds one."""
    path = tmp_path / "skjema.txt"
    path.write_text(said, encoding="utf-8")
    if not names:
        import_file(session, path, key=PseudonymKey("test"))
        return
    assert sorted(_proposed(session, path, PseudonymKey("test"))) == sorted(names)


def test_a_speaker_s_name_is_proposed_without_the_word_in_brackets_after_it(session: Session, tmp_path: Path) -> None:
    """Read as a label ("Torill (Kiki):", "Berntine (veileder):"), the whole label was proposed, and accepted so, its
    bracket was a word of the pseudonym; the name in brackets is proposed where the text says it."""
    path = tmp_path / "gruppe.txt"
    path.write_text("Intervjuer: Hei.\nBerntine (veileder): Jeg er veilederen.\nTorill (Kiki): Ja.\n"
                    "Yonas Tesfaye (Gjest): Hei.\nIntervjuer: Takk.\n", encoding="utf-8")
    assert sorted(_proposed(session, path, PseudonymKey("test"))) == ["Berntine", "Kiki", "Torill", "Yonas Tesfaye"]
