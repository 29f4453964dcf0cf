"""Names a probe found stored as said, or proposals that named no one: a name after a kin phrase that is a stop
word too, a surname in capitals alone anywhere inside a sentence beside acronyms that stay words, an initial before
a two-letter surname, initials run together, a proposal left beginning with "og", and a firm the key holds named
without its legal form. Each through a real import of a .txt where it is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier, pseudonymise
from qualcode.anonymise.key import PseudonymKey
from qualcode.errors import NeedsReview
from tests.conftest import make_transcript
from tests.test_importers import turns_of
from tests.test_names_probe_leaks import FRONT_MATTER, _proposed


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


@pytest.mark.parametrize(("said", "names"), [
    ("D1: Jeg snakket med dottera mi Vår i går.", ["Vår"]),  # "vår" is a stop word: no run began there
    ("D1: Jeg snakket med broren min Andre i går.", ["Andre"]),
    ("D1: Kona mi Live ringte. Sønnen min Are kom.", ["Live", "Are"]),
    ("D1: Vi var hos Vår i går.", ["Vår"]),  # a given name that is a word, capitalised inside a sentence
])
def test_a_given_name_that_is_a_stop_word_or_an_everyday_word_is_proposed_where_it_names_someone(said: str, names: list[str]) -> None:
    assert _proposed(said) == names


@pytest.mark.parametrize("said", [
    "D1: Vår veileder var grei. Det var vår tur. Vi var i live. Are du sure?",
    "D1: Mora mi Hver dag gikk hun på jobb. Faren min Det var tungt.",
])
def test_the_words_those_given_names_are_stay_words(said: str) -> None:
    assert _proposed(said) == []


def test_a_kins_name_that_is_a_stop_word_is_held_back_and_then_replaced(session: Session, tmp_path: Path) -> None:
    said = "Jeg snakket med dottera mi Vår i går."
    assert _imported(session, tmp_path, said) == ("", ["Vår"])
    key = PseudonymKey("test")
    add_identifier(key, "Vår", "person", "f", pseudonym="Eva")
    assert _imported(session, tmp_path, said, key) == ("Jeg snakket med dottera mi Eva i går.", [])


@pytest.mark.parametrize(("said", "names"), [
    ("D1: Jeg snakket med K. Wu i går.", ["K. Wu"]), ("D1: Vi møtte Y. Ng.", ["Y. Ng"]), ("D1: H. Xu kom inn.", ["H. Xu"]),
    ("D1: Vi var hos Mohamedamin og Ng.", ["Mohamedamin", "Ng"]),  # two people, not a firm "Mohamedamin og Ng"
])
def test_an_initial_before_a_surname_of_two_letters_is_proposed_with_it(said: str, names: list[str]) -> None:
    """The run was cut after the initial, and "Wu" dropped as a word capitalised where a sentence begins."""
    assert _proposed(said) == names


@pytest.mark.parametrize("said", [
    "D1: Vi hadde en plan B. Du sa ja. Jeg fikk karakter B. So what. Se vedlegg A. Han sa det.",
])
def test_a_letter_before_a_short_word_beginning_the_next_sentence_is_no_name(said: str) -> None:
    assert _proposed(said) == []


def test_an_initial_and_a_surname_of_two_letters_are_held_back_and_replaced_whole(session: Session, tmp_path: Path) -> None:
    said = "Jeg snakket med K. Wu i går."
    assert _imported(session, tmp_path, said) == ("", ["K. Wu"])
    key = PseudonymKey("test")
    add_identifier(key, "K. Wu", "person", "m", pseudonym="T. Berg")
    assert _imported(session, tmp_path, said, key) == ("Jeg snakket med T. Berg i går.", [])


@pytest.mark.parametrize(("said", "names"), [
    ("D1: Jeg ringte K.N. i går.", ["K.N."]), ("D1: K.N. ringte meg.", ["K.N."]),
    ("D1: Jeg ringte K.N. Hansen i går.", ["K.N. Hansen"]),  # was "Hansen", and accepted left "K.N." beside it
    ("D1: Vi så det på T.V. og P.S. jeg kom.", []),
])
def test_initials_run_together_are_proposed(said: str, names: list[str]) -> None:
    """A token in capitals of five letters or fewer was left out of every proposal as an acronym: "K.N." too."""
    assert _proposed(said) == names


def test_initials_run_together_are_held_back_and_then_replaced(session: Session, tmp_path: Path) -> None:
    said = "Jeg ringte K.N. i går."
    assert _imported(session, tmp_path, said) == ("", ["K.N."])
    key = PseudonymKey("test")
    add_identifier(key, "K.N.", "person", "m", pseudonym="T.B.")
    # Found as "K.N", the pseudonym's own last full stop beside the text's read "T.B.." before.
    assert _imported(session, tmp_path, said, key) == ("Jeg ringte T.B. i går.", [])


@pytest.mark.parametrize(("said", "pending"), [
    ("Vi var hos Klunglandfamilien og Storfamilien.", ["Storfamilien"]),  # was "og Storfamilien"
    ("Jeg jobbet hos Hansen og Sønn.", []),  # "og Sønn" before: the firm's word after the name is an everyday word
])
def test_what_a_replacement_leaves_of_a_proposal_begins_with_no_conjunction(
        session: Session, tmp_path: Path, said: str, pending: list[str]) -> None:
    key = PseudonymKey("test")
    add_identifier(key, "Synnøve Klungland", "person", "f", pseudonym="Anita Berg")
    add_identifier(key, "Hansen", "person", "m", pseudonym="Eriksen")
    stored, waiting = _imported(session, tmp_path, said, key)
    assert waiting == pending and not any(text.split()[0] in ("og", "eller") for text in waiting)


@pytest.mark.parametrize("initials", ["K.N.", "K.Å.", "A.B.C."])
def test_initials_run_together_are_drawn_initials_run_together(initials: str) -> None:
    """Accepted, "K.Å." was drawn a given name, and the text read "Roar. er bra folk.": the initials' full stop after it."""
    key = PseudonymKey("prosjekt")
    entry = add_identifier(key, initials, "person", "f")
    assert len(entry.pseudonym) == len(initials) and all(
        entry.pseudonym[index].isupper() and entry.pseudonym[index + 1] == "." for index in range(0, len(initials), 2)), entry.pseudonym
    assert pseudonymise(f"Jeg ringte {initials} i går. {initials} er bra folk.", key, "a.txt").text == (
        f"Jeg ringte {entry.pseudonym} i går. {entry.pseudonym} er bra folk.")


@pytest.mark.parametrize(("said", "names"), [
    # A role or a job title before a name was proposed with it ("Veileder Lindqvist", "Fylkesdirektøren Tove Strand"):
    # one more decision, and what accepting the name left of the whole another.
    ("Jeg snakket med Veileder Lindqvist i går.", ["Lindqvist"]),
    ("Fylkesdirektøren Tove Strand kom.", ["Tove Strand"]),
    ("Avdelingslederen Kari Moe sa ja.", ["Kari Moe"]),
    ("Da ringte Rådgjevaren Sigrun Vik.", ["Sigrun Vik"]),
])
def test_a_role_or_job_title_before_a_name_is_no_part_of_it(said: str, names: list[str]) -> None:
    from qualcode.anonymise.candidates import propose

    assert [proposal.text for proposal in propose(said, set(), set())] == names


@pytest.mark.parametrize("said", [
    # A red-team probe's false positives, each a decision for nothing: an app, a car, a diagnosis, a form's field.
    "Han bruker Insta og Signal hele dagen.", "Han kjører Corolla.", "Han har Tourettes.", "Jeg har Aspergers.",
    "Kontonr står på arket.",
])
def test_apps_cars_diagnoses_and_fields_are_not_proposed(said: str) -> None:
    from qualcode.anonymise.candidates import propose

    assert [proposal.text for proposal in propose(said, set(), set())] == []
