"""Faker's name lists, which proposing identifiers reads: from a snapshot while Faker is the version
the snapshot was taken from, else from Faker itself.

Reading them from Faker imports it and 25 of its locales, about 60 ms of every import and every
identifier added, for lists that change only when Faker does. data/faker_names.txt holds them as
the Faker it names has them; under any other version they are read from Faker, so a newer Faker's
lists are never missed. Write the snapshot again after upgrading Faker:

    python -m qualcode.anonymise.faker_names
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module, resources
from pathlib import Path

from qualcode.anonymise.word_lists import data_lines

# Faker's first names of the countries most immigrants to Norway come from, and its Norwegian
# surnames; other locales' surnames include everyday Norwegian words ("Hus", "Kort").
NAME_LOCALES = (
    "no_NO", "sv_SE", "da_DK", "fi_FI", "is_IS", "pl_PL", "lt_LT", "lv_LV", "et_EE", "de_DE", "nl_NL",
    "fr_FR", "es_ES", "it_IT", "pt_PT", "en_US", "en_GB", "tr_TR", "ar_AA", "fa_IR", "ro_RO",
    "hr_HR", "cs_CZ", "sk_SK", "hu_HU",
)
# Vietnamese names are few and shared by most of Norway's Vietnamese: Faker's given, middle and family
# names, also as Norwegian keyboards write them, without their marks ("Trần" as "Tran", "Hưng" as "Hung").
VIETNAMESE_LOCALE = "vi_VN"
SNAPSHOT = "faker_names.txt"


@dataclass(frozen=True)
class FakerNames:
    """Casefolded: the given names of NAME_LOCALES, Faker's Norwegian given names and surnames, and its
    Vietnamese names of every kind with and without their marks."""

    given: frozenset[str]
    norwegian_given: frozenset[str]
    norwegian_surnames: frozenset[str]
    vietnamese: frozenset[str]


@lru_cache(maxsize=1)
def faker_names() -> FakerNames:
    """The lists as the installed Faker has them."""
    snapshot = _snapshot()
    if snapshot is not None and snapshot[0] == _snapshot_of():
        return snapshot[1]
    return from_faker()


def _snapshot_of() -> str:
    """What a snapshot of the installed Faker's lists is taken of: its version and NAME_LOCALES."""
    return f"{_installed_version()} {' '.join(NAME_LOCALES)} {VIETNAMESE_LOCALE}"


def from_faker() -> FakerNames:
    """The lists read from Faker's providers (importing Faker and its locales)."""
    given: set[str] = set()
    for locale in NAME_LOCALES:
        provider = import_module(f"faker.providers.person.{locale}").Provider
        for attribute in ("first_names", "first_names_female", "first_names_male"):
            given.update(name.casefold() for name in getattr(provider, attribute, ()))
    from faker.providers.person.no_NO import Provider

    vietnamese = import_module(f"faker.providers.person.{VIETNAMESE_LOCALE}").Provider
    said = {word.casefold() for attribute in ("first_names_female", "first_names_unisex", "first_names_male", "middle_names", "last_names")
            for name in getattr(vietnamese, attribute, ()) for word in name.split()}
    return FakerNames(
        frozenset(given),
        frozenset(name.casefold() for name in [*Provider.first_names_female, *Provider.first_names_male]),
        frozenset(name.casefold() for name in Provider.last_names),
        frozenset(said | {_unmarked(name) for name in said}),
    )


def _unmarked(name: str) -> str:
    """`name` without its diacritics, as a keyboard without them writes it ("trần": "tran", "đặng": "dang")."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d"))
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def _installed_version() -> str:
    from importlib.metadata import version

    return version("Faker")


def _snapshot() -> tuple[str, FakerNames] | None:
    """What the snapshot was taken of (_snapshot_of) and its lists; None if it holds none (a damaged package)."""
    sections = data_lines(SNAPSHOT)
    if not all(sections.get(name) for name in ("faker", "given", "norwegian given", "norwegian surnames", "vietnamese")):
        return None
    return sections["faker"][0], FakerNames(
        frozenset(sections["given"]), frozenset(sections["norwegian given"]), frozenset(sections["norwegian surnames"]),
        frozenset(sections["vietnamese"]),
    )


def write_snapshot(path: Path) -> None:
    """Write the installed Faker's lists to `path`, sorted, one name a line."""
    names = from_faker()
    lines = [
        "# Faker's given names of the locales in faker_names.NAME_LOCALES, its Norwegian (no_NO) given names",
        "# and surnames, and its Vietnamese (vi_VN) names with and without their marks, casefolded: read",
        "# instead of importing Faker while it is the version below, for the locales after it.",
        "# Written by `python -m qualcode.anonymise.faker_names`; write it again after upgrading Faker.",
        "# [faker]", _snapshot_of(),
    ]
    for section, listed in (("given", names.given), ("norwegian given", names.norwegian_given),
                            ("norwegian surnames", names.norwegian_surnames), ("vietnamese", names.vietnamese)):
        lines += [f"# [{section}]", *sorted(listed)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if _snapshot() != (_snapshot_of(), names):
        raise RuntimeError(f"{path} does not read back as Faker's lists: a name the file's format cannot hold")


if __name__ == "__main__":
    write_snapshot(Path(str(resources.files("qualcode.anonymise").joinpath("data", SNAPSHOT))))
