"""A lone surname, and a lone name on no list, is drawn a surname and a lone given name a given name, whatever gender
is said, over many keys; a lone name where a given name stands ("jeg heter …") a given name."""

from __future__ import annotations

from functools import lru_cache

import pytest

from qualcode.anonymise.apply import add_identifier, pseudonymise
from qualcode.anonymise.candidates import Proposal
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.pseudonyms import DRAW_LOCALES
from qualcode.anonymise.service import accept_candidate, queue_candidates
from qualcode.anonymise.word_lists import data_lines

KEYS = 30  # pseudonyms are drawn from each key's secret: a rule that holds for one key may not for the next


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    """The surnames a draw may give (Faker's, of the locales drawn from) that read as no Norwegian given name, and
    the given names a draw may give."""
    from faker import Faker

    norwegian_given = {name.casefold() for section in ("fornavn", "fornavn som også er ord")
                       for name in data_lines("names.txt")[section]}
    surnames: set[str] = set()
    given: set[str] = set()
    for locale in DRAW_LOCALES:
        person = Faker(locale).provider("faker.providers.person")
        norwegian_given.update(name.casefold() for name in [*person.first_names_female, *person.first_names_male]
                               if locale == "no_NO")
        surnames.update(person.last_names)
        given.update([*person.first_names_female, *person.first_names_male])
    return frozenset(name for name in surnames if name.casefold() not in norwegian_given), frozenset(given)


def surname(pseudonym: str) -> bool:
    return pseudonym in _lists()[0]


def given_name(pseudonym: str) -> bool:
    return pseudonym in _lists()[1]


@pytest.mark.parametrize("gender", [None, "f", "m", "ukjent"])
@pytest.mark.parametrize("original", [
    "Hansen",  # drawn "Ali" or "Ahmed" now and then: Faker's Norwegian surnames, which read as given names
    "Berg", "Holm", "Hagen", "Aune",  # Norwegian surnames that are given names in other countries
    "Foss",  # a surname that is a word too, which SSB's list holds apart
])
def test_a_lone_surname_is_drawn_a_surname_whatever_the_gender(original: str, gender: str | None) -> None:
    """A probe: "Berg" accepted as a person was drawn "Daniel", and "med Berg" read "med Daniel"."""
    drawn = [add_identifier(PseudonymKey(f"prosjekt-{index}"), original, "person", gender).pseudonym for index in range(KEYS)]
    assert [pseudonym for pseudonym in drawn if not surname(pseudonym)] == []


@pytest.mark.parametrize("gender", [None, "f", "m", "ukjent"])
@pytest.mark.parametrize("original", ["Nordmann", "Nordmanns", "Mjøsund", "Grønnbekk", "Ljøkjell", "Skjærvheim"])
def test_a_lone_name_on_no_list_is_drawn_a_surname_whatever_the_gender(original: str, gender: str | None) -> None:
    """Probes: "rektor Nordmann", accepted as a person without a gender, read "rektor Rita"; "Mjøsund" with
    --gender f read "Linda", "Grønnbekk" with --gender m "Alf". The review asks every person's gender, a surname's
    too: a gender says nothing of whether a lone name is a given name. Its genitive too."""
    drawn = [add_identifier(PseudonymKey(f"prosjekt-{index}"), original, "person", gender).pseudonym for index in range(KEYS)]
    assert [pseudonym for pseudonym in drawn if not surname(pseudonym)] == [], original


@pytest.mark.parametrize("gender", ["f", "m"])
@pytest.mark.parametrize("said", ["Jeg heter {name}, og jeg jobber her.", "De kaller meg {name}.", "{name}: Jeg kom i fjor."])
def test_a_lone_name_on_no_list_where_a_given_name_stands_is_drawn_a_given_name_of_its_gender(said: str, gender: str) -> None:
    """What the context says, not the gender, makes a lone name on no list a given name: "jeg heter Mjøsund"."""
    from faker import Faker

    person = Faker("no_NO").provider("faker.providers.person")
    of_the_gender = {*person.first_names_female} if gender == "f" else {*person.first_names_male}
    for index in range(KEYS):
        key = PseudonymKey(f"prosjekt-{index}")
        queue_candidates(key, [Proposal("Mjøsund", 0, 7, said.format(name="Mjøsund"))], "intervju.txt")
        entry = accept_candidate(key, "Mjøsund", "person", gender)
        assert entry.given_name and entry.pseudonym in of_the_gender, (said, entry.pseudonym)


@pytest.mark.parametrize("gender", [None, "f", "m"])
def test_draws_from_the_project_s_guid_are_found_as_they_were_made(gender: str | None) -> None:
    """A draw from the project's GUID alone took a lone name on no list for a given name (of the gender said): the
    pseudonyms so drawn are still found by first_draws, to be redrawn from the key."""
    from qualcode.anonymise.pseudonyms import first_draws

    for index in range(KEYS):
        tried = first_draws("Mjøsund", gender, f"guid-{index}", 10)
        assert tried and all(given_name(pseudonym) for pseudonym in tried), tried


@pytest.mark.parametrize("gender", [None, "ukjent"])
@pytest.mark.parametrize("original", ["Kari", "Per", "Ahmed", "Ali", "Sverre", "Giovanni"])
def test_a_lone_given_name_said_without_a_gender_is_drawn_a_given_name(original: str, gender: str | None) -> None:
    drawn = [add_identifier(PseudonymKey(f"prosjekt-{index}"), original, "person", gender).pseudonym for index in range(KEYS)]
    assert [pseudonym for pseudonym in drawn if not given_name(pseudonym)] == []


@pytest.mark.parametrize("said", [
    "Rektor Hansens kontor var lite",  # in the genitive, as the review proposes it, without its s
    "og så sa rektor Hansen Jeg vet ikke",  # speech run on after a title: a capitalised word is no surname of his
    "Jeg snakket med fru Hansen Kari og Per var der",
])
def test_a_surname_after_a_title_accepted_without_a_gender_reads_as_a_surname(said: str) -> None:
    """The last session's notes: "Rektor Hansen" became "Rektor Hege"."""
    for index in range(KEYS):
        key = PseudonymKey(f"prosjekt-{index}")
        queue_candidates(key, [Proposal("Hansen", 0, 6, said)], "intervju.txt")
        entry = accept_candidate(key, "Hansen", "person")
        assert surname(entry.pseudonym) and not entry.given_name, (said, entry.pseudonym)
        # In the genitive as its pseudonym takes it ("Aas'", "Vikens").
        assert pseudonymise("Rektor Hansens kontor var lite.", key, "a.txt").text.startswith(f"Rektor {entry.pseudonym}")


def test_a_lone_name_where_a_given_name_stands_stays_a_given_name() -> None:
    """What must stay: "kall meg Aga" and a speaker's label are given names, on the surname lists or not."""
    for said in ("Jeg heter Agnieszka, men kall meg Aga.", "Aga: Jeg kom fra Polen."):
        key = PseudonymKey("prosjekt")
        queue_candidates(key, [Proposal("Aga", 0, 3, said)], "intervju.txt")
        entry = accept_candidate(key, "Aga", "person")
        assert given_name(entry.pseudonym) and entry.given_name, (said, entry.pseudonym)
