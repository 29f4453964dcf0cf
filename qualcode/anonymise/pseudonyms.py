"""Pseudonyms: realistic Norwegian names for people, report-style placeholders for the rest."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING

from qualcode.errors import InvalidInput

if TYPE_CHECKING:
    from faker import Faker

# The report conventions for what replaces an identifier that is not a person's name.
PLACEHOLDERS = {
    "person": "NN",
    "place": "(sted)",
    "nav_office": "(NAV-kontor)",
    "employer": "(arbeidsgiver)",
    "school": "(skole)",
    "other": "(anonymisert)",
    "fnr": "(fødselsnummer)",
    "phone": "(telefonnummer)",
    "email": "(e-post)",
    "address": "(adresse)",
    "postcode": "(postnummer og sted)",
    "birth_date": "(fødselsdato)",
    "account": "(kontonummer)",
    "plate": "(bilnummer)",
    "profile": "(profil)",
    "case_number": "(saksnummer)",
}
STYLES = ("name", "placeholder")
FEMALE = {"f", "k", "kvinne", "kvinnelig", "female", "woman", "jente"}
MALE = {"m", "mann", "mannlig", "male", "man", "gutt"}
# Said to be neither or not known: a name of either gender is drawn.
NEITHER = {"", "u", "x", "?", "-", "ukjent", "ikke oppgitt", "vet ikke", "unknown", "annet", "other", "ikke-binær", "ikkebinær", "non-binary",
           "nonbinary"}
GENDERS = FEMALE | MALE | NEITHER
# Where pseudonyms are drawn from, in turn, and how many names each is tried for.
DRAW_LOCALES = ("no_NO", "da_DK", "sv_SE")
DRAWS_PER_LOCALE = 500
# The leak check's fuzzy matching, which a pseudonym must never trip.
SIMILAR = 85.0
FUZZY_MIN_LENGTH = 5


def is_placeholder(pseudonym: str) -> bool:
    """Whether `pseudonym` is a placeholder, which stands for every identifier of its kind ("(NAV-kontor)",
    "NN" where people are written so), not a pseudonym of one: what is stored so cannot be told apart."""
    return pseudonym.startswith("(") or pseudonym in PLACEHOLDERS.values()


def looks_like(name: str, originals: set[str]) -> bool:
    """Whether the leak check would take `name` for one of the originals: equal, or close when long,
    to an original as written or as the check also reads it ("Karen" is close to "Kåre" read "Kare")."""
    return _resembles(name.casefold(), _as_written(frozenset(originals)))


def _resembles(folded: str, written: frozenset[str]) -> bool:
    if folded in written or _extends(folded, written):
        return True
    if len(folded) < FUZZY_MIN_LENGTH:
        return False
    from rapidfuzz import fuzz, process  # here, so commands that draw no pseudonyms start quicker

    return process.extractOne(folded, written, scorer=fuzz.ratio, score_cutoff=SIMILAR) is not None


# An original of at least this many letters, with a letter or two more or fewer, reads as that original:
# "Olav" for Ola, "Karin" for Kari, "Kari" for Karin (the fuzzy ratio passes them: 86 and 89).
SHORTEST_EXTENDED = 3
EXTENDED_BY = 2


def _extends(folded: str, written: frozenset[str]) -> bool:
    """Whether `folded` is an original with a letter or two added or taken off at its end."""
    return any(folded[:-cut] in written for cut in range(1, EXTENDED_BY + 1) if len(folded) - cut >= SHORTEST_EXTENDED) \
        or folded in _shortened(written)


@lru_cache(maxsize=8)
def _shortened(written: frozenset[str]) -> frozenset[str]:
    """The originals as written, each with its last letter or two taken off (still SHORTEST_EXTENDED long)."""
    return frozenset(original[:-cut] for original in written for cut in range(1, EXTENDED_BY + 1)
                     if len(original) - cut >= SHORTEST_EXTENDED)


@lru_cache(maxsize=8)  # one set of originals is asked about for every name drawn, and again for every entry
def _as_written(originals: frozenset[str]) -> frozenset[str]:
    from qualcode.anonymise.known import spellings  # here: known imports this module

    return frozenset(spelled for original in originals for spelled in spellings(original))


def make_pseudonym(
    original: str, kind: str, gender: str | None, style: str, originals: set[str], pseudonyms: set[str], seed: str,
    given_name: bool = False, worded: tuple[set[str], set[str]] = (set(), set()),
) -> str:
    """A pseudonym for `original`: a same-gender name with as many parts, or a placeholder; a given name for a
    lone name that is one (`given_name`), whatever lists of surnames hold it.

    The Faker generator is seeded from `seed` (the key's secret and the project's GUID) and the
    original, so the same key gives the same names, and no one without it can draw them. No part may look like an original name (the leak check would
    flag it, and readers could be misled); the whole name, and if possible each part, differs
    from the other pseudonyms, also by more than a letter or two at its end. `worded`: the given names and the
    surnames of the other people's pseudonyms (a lone one's word among both), casefolded, none of which a word
    of the same place may be: a lone "Anita" beside "Anita Andersen" is either of two people in the texts.
    """
    if kind != "person" or style == "placeholder":
        return PLACEHOLDERS[kind]
    written = _as_written(frozenset(originals))
    drawn = frozenset(pseudonyms)
    given_taken, surnames_taken = worded
    fallback = None
    # Norwegian names first; Danish and Swedish ones where a key of some hundred names leaves none of
    # Faker's Norwegian ones (a hundred given names of each gender) unlike every original and every other
    # pseudonym. Only when no locale has one is a name taken that shares a word with another pseudonym, never in
    # the same place: the Norwegian fallback taken before the other locales were tried gave two caseworkers
    # "Anita" and "Anita Andersen".
    for locale in DRAW_LOCALES:
        for names in islice(_draws(original, gender, seed, given_name, locale), DRAWS_PER_LOCALE):
            candidate = " ".join(names)
            if any(_resembles(name.casefold(), written) for name in names) or candidate.casefold() in pseudonyms:
                continue
            # Told apart at a glance too: "Kristine" beside the drawn "Kristin" reads as one person in a report.
            if all(name.casefold() not in drawn and not _extends(name.casefold(), drawn) for name in names):
                return candidate
            if fallback is None and not _shares_a_place(names, given_taken, surnames_taken):
                fallback = candidate
    if fallback is not None:
        return fallback
    raise InvalidInput(
        f"no pseudonym could be drawn for {original!r} that looks like none of the key's {len(originals)} names",
        f"choose one yourself: `qualcode identifiers add {original!r} --kind {kind} --pseudonym NAME`",
    )


def _shares_a_place(names: list[str], given_taken: set[str], surnames_taken: set[str]) -> bool:
    """Whether a name drawn (its parts) has a word another person's pseudonym has in the same place: its given
    name another's given name, a surname another's surname; a lone name's word either."""
    folded = [name.casefold() for name in names]
    if len(folded) == 1:
        return folded[0] in given_taken or folded[0] in surnames_taken
    return folded[0] in given_taken or any(name in surnames_taken for name in folded[1:])


def pseudonym_words(pseudonyms: list[str]) -> tuple[set[str], set[str]]:
    """The given names and the surnames of people's pseudonyms, casefolded, a lone pseudonym's word among both
    (make_pseudonym's `worded`): a lone word in a text may be either."""
    given: set[str] = set()
    surnames: set[str] = set()
    for pseudonym in pseudonyms:
        words = [word.casefold() for word in pseudonym.split() if not is_initial(word)]
        if not words:
            continue
        if len(words) == 1:
            given.add(words[0])
            surnames.add(words[0])
        else:
            given.add(words[0])
            surnames.update(words[1:])
    return given, surnames


_per_thread = threading.local()


def _draws(
    original: str, gender: str | None, seed: str, given_name: bool = False, locale: str = "no_NO", as_before: bool = False,
) -> Iterator[list[str]]:
    """The names a draw for `original` tries, in order, each as its parts: all follow from the seed alone.
    `as_before`: as a draw from the project's GUID tried them (first_draws), its lone surnames told by _surname_before."""
    digest = hashlib.sha256(f"{seed}:{original.casefold()}".encode()).digest()
    faker = _faker(locale)
    faker.seed_instance(int.from_bytes(digest[:8], "big"))
    parts = max(1, len(original.split()))
    key = (gender or "").strip().casefold()
    # A surname on its own ("Sletten", accepted without the given name before it) gets a surname: a
    # given name in its place reads "Astrid Gunn" where the text says "Astrid Sletten". Not one that stands
    # where a given name does (`given_name`): "kall meg Aga" read "kall meg Sørensen".
    surname = parts == 1 and not given_name and (_surname_before(original) if as_before else _surname(original))
    # A part written as an initial ("Kari H.", "K. Haugland") is drawn as one, so the pseudonym has the
    # original's shape ("Sondre A."): a whole name there read "Sondre Amundsen. kom inn".
    initials = [is_initial(part) for part in original.split()] or [False]
    # Initials run together ("K.N.") are drawn as initials run together ("T.B."): a name there read "Tone. i går".
    letters = len(original) // 2 if parts == 1 and run_together_initials(original) else 0
    while True:
        first = (
            faker.last_name() if surname
            else faker.first_name_female() if key in FEMALE else faker.first_name_male() if key in MALE else faker.first_name()
        )
        # A surname drawn reads as one: "Rektor Ali" or "Rektor Hanna" (Faker's Norwegian and Swedish surnames
        # hold them) reads as a given name where the text said "Rektor Hansen".
        if surname and not as_before and not _surname(first):
            continue
        if letters:
            yield ["".join(f"{name[0]}." for name in [first] + [faker.last_name() for _ in range(letters - 1)])]
            continue
        names = [first] + [faker.last_name() for _ in range(parts - 1)]
        yield [f"{name[0]}." if initial else name for name, initial in zip(names, initials, strict=True)]


def run_together_initials(written: str) -> bool:
    """Whether `written` is a person's initials run together, each with its full stop ("K.N.", "A.B.C.")."""
    return len(written) >= 4 and len(written) % 2 == 0 and all(
        written[index].isalpha() and written[index + 1] == "." for index in range(0, len(written), 2))


def is_initial(part: str) -> bool:
    """Whether a part of a name, as spaces divide it, is an initial: one letter and its full stop ("H.", "K."). A
    letter alone is a label's as often ("Forskar B", "Deltaker A"), and is drawn a name as the rest are."""
    return len(part) == 2 and part[0].isalpha() and part[1] == "."


def first_draws(original: str, gender: str | None, seed: str, draws: int, given_name: bool = False) -> set[str]:
    """The first `draws` names a draw for `original` from `seed` (the project's GUID) tried, as such draws were made
    (_surname_before): whoever knows the seed can make them."""
    return {" ".join(names) for names in islice(_draws(original, gender, seed, given_name, as_before=True), draws)}


def _faker(locale: str = "no_NO") -> Faker:
    """This thread's Faker of `locale`: making one loads its providers (about 5 ms a pseudonym drawn),
    and it is seeded afresh before every use; one per thread, as the TUI draws in its workers."""
    fakers: dict[str, Faker] | None = getattr(_per_thread, "fakers", None)
    if fakers is None:
        fakers = _per_thread.fakers = {}
    if locale not in fakers:
        from faker import Faker  # slow to import; only people's pseudonyms need it

        fakers[locale] = Faker(locale)
    return fakers[locale]


# How most Norwegian surnames end: farm names (-stad, -heim, -rud, -dal, in the definite form -en:
# Sletten, Haugen) and patronymics (-sen). Given names ending so are on the lists of given names.
SURNAME_ENDINGS = (
    "sen", "son", "stad", "heim", "rud", "land", "dal", "vik", "berg", "nes", "haug", "bakken", "moen", "strand",
    "lund", "seth", "gård", "gaard", "sæther", "sætre", "lie", "li", "by", "bø", "vold", "voll", "hus", "eng", "en",
)


def _surname(word: str) -> bool:
    """Whether a lone name is a surname, whatever gender is said of the person: not a Norwegian given name,
    and a surname as Norway's lists or endings have it (not a given name elsewhere that is none here: "Jürgen").
    One on no list is a surname, with a gender said or not: the review asks every person's gender, a surname's
    too ("Mjøsund" said to be a woman drew "Linda": "rektor Linda"); where it stands as a given name ("jeg heter
    Mjøsund") the draw is told so (`given_name`). "Nordmanns" is read as its genitive's "Nordmann"."""
    norwegian_given, norwegian_surnames, given = _name_lists()
    folded = word.casefold()
    forms = (folded, folded[:-1]) if folded.endswith("s") and len(folded) > 3 else (folded,)
    for form in forms:
        # A name on both Norwegian lists ("Ahmed", "Ali") is taken for the given name it most often is; one that is a
        # surname here and a given name only elsewhere ("Berg", "Holm", "Hagen", "Aune") is the surname.
        if form in norwegian_given:
            return False
        if form in norwegian_surnames:
            return True
        if form in given:
            return False
        if form.endswith(SURNAME_ENDINGS):
            return True
    return True


@lru_cache(maxsize=1)
def _name_lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Norwegian given names, Norwegian surnames (Faker's and SSB's, those that are everyday words too: "Foss"),
    and the given names of every locale listed, casefolded."""
    from qualcode.anonymise.candidates import given_names, surnames
    from qualcode.anonymise.faker_names import faker_names
    from qualcode.anonymise.word_lists import data_lines

    listed = data_lines("names.txt")
    norwegian_given = faker_names().norwegian_given | {
        name.casefold() for section in ("fornavn", "fornavn som også er ord") for name in listed[section]}
    norwegian_surnames = surnames() | {name.casefold() for name in listed["etternavn som også er ord"]}
    return norwegian_given, norwegian_surnames, given_names()


def reads_as_a_surname(word: str) -> bool:
    """Whether a lone name reads as a surname wherever it stands, a speaker's label too ("Hansen: Ja"): on Norway's
    lists of surnames and none of its given names, and a common surname (Faker's), one that is an everyday word too
    ("Foss"), or one ending as Norway's do ("Haugen", "Eng"). Not "Ahmed", on both lists, nor a rare surname of SSB's
    list that is a given name or a nickname elsewhere and on no list of them ("Aga", Agnieszka's: "Aga: Jeg …")."""
    norwegian_given, norwegian_surnames, _ = _name_lists()
    folded = word.casefold()
    if folded not in norwegian_surnames or folded in norwegian_given:
        return False
    return folded in _common_surnames() or folded.endswith(SURNAME_ENDINGS)


@lru_cache(maxsize=1)
def _common_surnames() -> frozenset[str]:
    """Faker's Norwegian surnames (the commonest) and the surnames that are everyday words, casefolded."""
    from qualcode.anonymise.faker_names import faker_names
    from qualcode.anonymise.word_lists import data_lines

    return faker_names().norwegian_surnames | {name.casefold() for name in data_lines("names.txt")["etternavn som også er ord"]}


def _surname_before(word: str) -> bool:
    """Whether a draw from the project's GUID took a lone name for a surname (first_draws): on no list of given
    names of any locale, and on Norway's surnames or ending as they do."""
    from qualcode.anonymise.candidates import given_names, surnames

    folded = word.casefold()
    return folded not in given_names() and (folded in surnames() or folded.endswith(SURNAME_ENDINGS))
