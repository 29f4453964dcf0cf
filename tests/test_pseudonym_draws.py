"""Pseudonyms drawn from the project's GUID alone, as every one was until 2026-12-06, found and drawn anew."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualcode.anonymise.apply import (
    GUID_DRAWS_TRIED,
    drawn_from_the_project,
    pseudonym_taken,
    real_word_in,
)
from qualcode.anonymise.key import Renamed, load_key, save_key
from qualcode.anonymise.pseudonyms import first_draws, looks_like, make_pseudonym
from qualcode.cli import cli
from qualcode.errors import InvalidInput
from qualcode.store.project import Project
from qualcode.store.settings import project_guid

PASSPHRASE = "test passphrase"


def run(project: Path, *args: str, given: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--project", str(project), "--coder", "Forsker 1", *args], input=given, catch_exceptions=False)


def stored(project: Path) -> bytes:
    return b"".join(part.read_bytes() for part in (project / ".qualcode").glob("project.db*"))


def test_a_pseudonym_drawn_from_the_projects_guid_is_found_said_at_key_destroy_and_drawn_anew(demo: Path) -> None:
    """A project pseudonymised before pseudonyms were drawn from the key's secret: anyone with it could draw a
    guessed name's pseudonym from its GUID and find it in the texts, after `key destroy` too. `key destroy` says
    so before it asks, and `anonymise redraw` draws such pseudonyms anew and rewrites the texts."""
    with Project.open(demo) as project, project.begin() as session:
        guid = project_guid(session)
    key_path = Path(os.environ["QUALCODE_KEY"])
    key = load_key(key_path, PASSPHRASE)
    assert drawn_from_the_project(key) == []  # drawn from the key's secret since, and so said in the key
    # As an older qualcode drew it: from the GUID alone, then written into the texts by the key's own rewrite.
    entry = next(entry for entry in key.entries if entry.original == "Sissel Bakken")
    # One of the first names a draw from the GUID tries that the key takes as a pseudonym here (one like a real
    # name the key holds, or another's, would be redrawn by the rewrite below, whichever the demo's draw).
    old = next(name for name in sorted(first_draws(entry.original, entry.gender, guid, GUID_DRAWS_TRIED))
               if real_word_in(name, key, entry.original) is None and pseudonym_taken(key, name) is None)
    key.renamed.append(Renamed(entry.pseudonym, old, list(entry.seen_in)))
    entry.pseudonym, entry.drawn = old, ""  # a key then kept no word of how a pseudonym came
    save_key(key_path, key, PASSPHRASE)
    assert run(demo, "anonymise", "reapply").exit_code == 0
    assert old.encode() in stored(demo)
    assert [found.original for found in drawn_from_the_project(load_key(key_path, PASSPHRASE))] == ["Sissel Bakken"]

    declined = run(demo, "key", "destroy", given="n\n")
    assert declined.exit_code == 1 and key_path.exists()
    assert ("warning: 1 pseudonym here was drawn from the project's GUID, which the project holds: anyone with it could"
            " still trace them back to a guessed name; run `qualcode anonymise redraw` first") in declined.stderr, declined.stderr

    redrawn = run(demo, "anonymise", "redraw")
    assert redrawn.exit_code == 0, redrawn.output
    new = next(entry.pseudonym for entry in load_key(key_path, PASSPHRASE).entries if entry.original == "Sissel Bakken")
    assert f"drew 1 pseudonym anew from the key's secret:\n  {old} -> {new}\n" in redrawn.output
    assert new != old and drawn_from_the_project(load_key(key_path, PASSPHRASE)) == []
    database = stored(demo)
    assert old.encode() not in database and new.encode() in database
    assert run(demo, "anonymise", "redraw").output == "no pseudonym here was drawn from the project's GUID: nothing to redraw\n"
    again = run(demo, "key", "destroy", given="n\n")
    assert again.exit_code == 1 and "warning" not in again.stderr, again.stderr


def _faker_names(locale: str) -> set[str]:
    from faker import Faker

    person = Faker(locale).provider("faker.providers.person")
    return {*person.first_names_female, *person.first_names_male, *person.last_names}


def test_a_key_holding_every_norwegian_name_faker_draws_still_gets_pseudonyms() -> None:
    """A key of 250 common Norwegian names (a large study's participants, caseworkers and family) left none of
    Faker's hundred Norwegian given names of each gender unlike an original, and `identifiers import` ended in
    a traceback ("no pseudonym found for a person after 500 draws"). Danish and Swedish names are drawn then."""
    originals = _faker_names("no_NO")
    for original, gender in (("Kari Nordmann", "f"), ("Ola Nordmann", "m"), ("Sletten", None)):
        drawn = make_pseudonym(original, "person", gender, "name", originals, set(), "seed")
        assert len(drawn.split()) == len(original.split()) and not any(looks_like(part, originals) for part in drawn.split()), drawn
    assert make_pseudonym("Kari Nordmann", "person", "f", "name", originals, set(), "seed") == \
        make_pseudonym("Kari Nordmann", "person", "f", "name", originals, set(), "seed")  # from the seed alone, as before

    everyone = originals | _faker_names("da_DK") | _faker_names("sv_SE")
    with pytest.raises(InvalidInput, match="no pseudonym could be drawn for 'Kari Nordmann' that looks like none of the key's"):
        make_pseudonym("Kari Nordmann", "person", "f", "name", everyone, set(), "seed")


def test_no_two_people_share_a_given_name_or_a_surname_in_their_pseudonyms_when_norwegian_names_run_short() -> None:
    """A probe: in a key of many women, the caseworker Synnøve was "Anita" and Solveig Bakke "Anita Andersen": a
    Norwegian name sharing a word with another pseudonym was taken before the Danish and Swedish names were tried,
    and a lone "Anita" in a text was either. Each given name and surname now stands for one person."""
    from faker.providers.person.no_NO import Provider

    from qualcode.anonymise.apply import add_identifier
    from qualcode.anonymise.key import PseudonymKey

    key = PseudonymKey("prosjekt")
    for index, given in enumerate(sorted(Provider.first_names_female)[:60]):
        add_identifier(key, given, "person", "f")  # a caseworker known by her given name alone
        add_identifier(key, f"{given} {Provider.last_names[index % len(Provider.last_names)]}q", "person", "f")
    given_names: dict[str, str] = {}
    surnames: dict[str, str] = {}
    for entry in key.entries:
        words = entry.pseudonym.casefold().split()
        for word, place in [(words[0], given_names), *((word, surnames) for word in words[1:])]:
            assert place.setdefault(word, entry.original) == entry.original, (word, place[word], entry.original)
        if len(words) == 1:  # a lone name is read as either
            assert surnames.setdefault(words[0], entry.original) == entry.original, (words[0], surnames[words[0]], entry.original)


def test_a_chosen_pseudonym_holding_another_persons_lone_pseudonym_is_refused() -> None:
    """A probe: Kristian was "Martin", and Ali Haddad was given "Martin Jacobsen": a lone "Martin" in the texts was
    either. A lone pseudonym chosen as a word of another's was refused already; now the other way round too."""
    from qualcode.anonymise.key import PseudonymKey
    from qualcode.anonymise.service import add_known_identifier

    key = PseudonymKey("prosjekt")
    add_known_identifier(key, "Kristian", "person", "m", pseudonym="Martin")
    with pytest.raises(InvalidInput, match="the pseudonym 'Martin Jacobsen' already stands for another person"):
        add_known_identifier(key, "Ali Haddad", "person", "m", pseudonym="Martin Jacobsen")
    assert add_known_identifier(key, "Ali Haddad", "person", "m", pseudonym="Jonas Jacobsen").pseudonym == "Jonas Jacobsen"
