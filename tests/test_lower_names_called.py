"""A name in lower case that no list holds, said as what someone is called ("hun heter ragnfrid"): proposed only where
the text also wrote it capitalised, it was stored as said elsewhere. "heter" and its kin say a name follows; a word
after "hos" may be a compound, a dialect's pronoun or a word for a grandparent, and is left to its capital."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qualcode.anonymise.candidates import propose
from qualcode.anonymise.key import PseudonymKey
from qualcode.errors import NeedsReview
from qualcode.importers.service import import_file


def _proposed(said: str) -> list[str]:
    return [proposal.text for proposal in propose(said, (), (), {"D1"}, [4])]


@pytest.mark.parametrize(("said", "names"), [
    ("D1: Dama mi heter ragnfrid, og hun er snill.", ["ragnfrid"]),
    ("D1: Jeg heter sigvor og bor her.", ["sigvor"]),
    ("D1: Veilederen het visst tesfaye.", ["tesfaye"]),
    ("D1: Han heter egentlig cabdi mohamed ali.", ["cabdi mohamed ali"]),
    ("D1: Ho heiter hallgjerd, den nye.", ["hallgjerd"]),
    ("D1: Stedet heter fjordvik, ute ved kysten.", ["fjordvik"]),
    # Said as what someone is called: "kalte ham", "vart kalla for", "kall meg", nynorsk's "heitte".
    ("D1: De kaller meg hallgjerd.", ["hallgjerd"]),
    ("D1: Vi kalte ham bare sigvor på skolen.", ["sigvor"]),
    ("D1: Han vart kalla for sunnvor.", ["sunnvor"]),
    ("D1: Ho heitte sunnvor før ho gifta seg.", ["sunnvor"]),
])
def test_a_rare_lower_case_word_said_as_what_someone_is_called_is_proposed(said: str, names: list[str]) -> None:
    assert _proposed(said) == names


@pytest.mark.parametrize(("said", "names"), [
    ("D1: Dattera mi heter liv, og hun er fem.", ["liv"]),
    ("D1: Sonen min heiter stein.", ["stein"]),
    ("D1: Vi kaller ham bare dag.", ["dag"]),
    ("D1: Sjefen het per.", ["per"]),
])
def test_a_given_name_that_is_a_word_too_is_proposed_where_said_as_what_someone_is_called(said: str, names: list[str]) -> None:
    """Nothing but "heter" shows "liv" to be Liv: it was stored as said, unproposed."""
    assert _proposed(said) == names


def test_a_given_name_that_is_a_word_too_accepted_in_lower_case_is_replaced_only_where_said_as_a_name() -> None:
    """Accepted as said ("stein", "dag"), it was replaced wherever the word stood: "ein Andreas i sekken", "i Jens"."""
    from qualcode.anonymise.apply import add_identifier, pseudonymise

    key = PseudonymKey("test")
    stein = add_identifier(key, "stein", "person", "m")
    dag = add_identifier(key, "dag", "person", "m")
    said = pseudonymise("D2: Sonen min heiter stein. Eg bar ein stein i sekken. Han kom i dag. Vi kaller ham bare dag.\n"
                        "D1: Det var en het dag. Stein kom.", key, "x").text
    assert said == (f"D2: Sonen min heiter {stein.pseudonym}. Eg bar ein stein i sekken. Han kom i dag. Vi kaller ham bare"
                    f" {dag.pseudonym}.\nD1: Det var en het dag. {stein.pseudonym} kom.")


@pytest.mark.parametrize("said", [
    "D1: Det heter jo noe annet.",
    "D1: Hva heter det igjen?",
    "D1: Det heter eh, ehm, hmm.",
    "D1: Han heter vel ikke det.",
    "D1: Det kalles arbeidstrening.",
    "D1: Det var en het sommer.",
    "D1: Det heiter ikkje slik hos oss.",
    "D1: Heter dokker noe?",
    "D1: Ka heiter domm, då?",
    "D1: Det kalles demm sånn.",
    "D1: Kurset heter Jobbsjansen, tror jeg.",
    "D1: Jeg bor hos mommo nå, og hos demm av og til.",  # "hos" alone proposes no unlisted word
    # What a scheme or a course is called: a long compound, in bokmål and nynorsk.
    "D1: Tiltaket heter arbeidsforberedende.",
    "D1: Tiltaket heiter arbeidsførebuande trening.",
    "D1: Kurset heiter jobbsøkjarkurs, trur eg.",
    "D1: Han ble kalt inn til møte, og de kalte meg dum.",
    "D1: Me kallar det dugnad.",
    "D1: Det var en het dag, og ei het sol.",  # "het" as "hot"
])
def test_words_after_heter_that_are_no_names_stay(said: str) -> None:
    assert _proposed(said) == []


def test_a_lower_case_name_after_heter_holds_the_file_back(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "intervju.txt"
    path.write_text("I: Hvem hjalp deg?\nD1: Hun heter ragnfrid, naboen.\n", encoding="utf-8")
    key = PseudonymKey("test")
    with pytest.raises(NeedsReview, match="ragnfrid"):
        import_file(session, path, key=key)
    assert [candidate.text for candidate in key.pending] == ["ragnfrid"]
