"""Pseudonyms: realistic Norwegian names for people, report-style placeholders for the rest."""

from __future__ import annotations

import hashlib

from rapidfuzz import fuzz, process

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
}
STYLES = ("name", "placeholder")
FEMALE = {"f", "k", "kvinne", "female", "woman", "jente"}
MALE = {"m", "mann", "male", "man", "gutt"}
SIMILAR = 75.0


def make_pseudonym(original: str, kind: str, gender: str | None, style: str, taken: set[str], seed: str) -> str:
    """A pseudonym for `original`: a same-gender name with as many parts, or a placeholder.

    The Faker generator is seeded from the project and the original, so the same key built
    twice gives the same names; names already taken (or equal to an original) are skipped.
    """
    if kind != "person" or style == "placeholder":
        return PLACEHOLDERS[kind]
    from faker import Faker  # slow to import; only people's pseudonyms need it

    digest = hashlib.sha256(f"{seed}:{original.casefold()}".encode()).digest()
    faker = Faker("no_NO")
    faker.seed_instance(int.from_bytes(digest[:8], "big"))
    parts = max(1, len(original.split()))
    key = (gender or "").casefold()
    for _ in range(200):
        first = (
            faker.first_name_female() if key in FEMALE else faker.first_name_male() if key in MALE else faker.first_name()
        )
        names = [first] + [faker.last_name() for _ in range(parts - 1)]
        candidate = " ".join(names)
        # A pseudonym must not be, or look like, any name in the key: "Karin" for "Kari"
        # would both mislead readers and trip the leak check's fuzzy matching.
        if all(process.extractOne(name.casefold(), taken, scorer=fuzz.ratio, score_cutoff=SIMILAR) is None for name in names):
            return candidate
    raise RuntimeError("ran out of distinct pseudonyms")  # 200 draws from thousands of names: a bug
