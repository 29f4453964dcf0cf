"""Numbers interviews are full of (years, days, date ranges, amounts) are no phone numbers, while
every phone number is still found: the detector itself, and a file's name read word by word."""

from __future__ import annotations

import pytest

from qualcode.anonymise.apply import clean_name
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.patterns import find_patterns


def _numbers(text: str) -> list[tuple[str, str]]:
    return [(found.kind, found.text) for found in find_patterns(text) if found.kind in ("phone", "postcode")]


@pytest.mark.parametrize("text", [
    # A day, year first, as file names, Teams titles and notes write it; grouped with its year last.
    "Intervjuene ble gjort 2024 11 18 og 2024 11 19.", "Intervju D1 20240213 Møteopptak", "opptaket 2024 1118 var kort",
    "referatet 23 05 2020 var på to sider", "Møtet var 31 12 2019, rett før nyttår.",
    # An amount in thousands beside its currency, or in whole millions.
    "Kontoret fikk kr 25 000 000 i fjor.", "Det var 32 500 000 kroner i år.", "altså rundt 30 000 000 til sammen",
    "NOK 45 250 000 i alt", "prislappen var 45 250 000,-", "kr. 45 250 500 er mye",
])
def test_a_day_or_an_amount_written_in_digits_is_no_phone_number(text: str) -> None:
    assert _numbers(text) == []


@pytest.mark.parametrize(("text", "number"), [
    ("Ring meg på 912 34 567.", "912 34 567"), ("Ring 91 23 45 67 i kveld.", "91 23 45 67"),
    ("Hun har +47 912 34 567.", "+47 912 34 567"), ("Nummeret er 91234567.", "91234567"), ("ring 90 123 456", "90 123 456"),
    ("Oslo-nummeret 2233 4455 gikk ut.", "2233 4455"), ("Han ringte 22242628 hele tiden.", "22242628"),
    # Digits that read as a day, said as a number: the words before ask for one.
    ("ring meg på 2024 11 18", "2024 11 18"), ("Tlf. 20240213.", "20240213"), ("mobilnummeret 23 05 2020", "23 05 2020"),
    # A day with a country code is a number; digits no day has are one; a day grouped two by two is one.
    ("Ring +47 2024 11 18.", "+47 2024 11 18"), ("Det var 20241340 den gangen.", "20241340"),
    ("Den står som 23 05 19 90.", "23 05 19 90"),
    # Grouped as an amount, with no currency beside it and not in whole millions: a number.
    ("Nummeret er 45 250 000.", "45 250 000"),
])
def test_a_phone_number_is_still_found_in_each_way_it_is_written(text: str, number: str) -> None:
    assert _numbers(text) == [("phone", number)]


@pytest.mark.parametrize("name", ["ICLS 2024 11-18", "intervju 2024-11-18.txt", "intervju_2023_09_01.txt",
                                  "referat_23_05_2020.docx"])
def test_a_file_name_holding_a_day_or_a_year_keeps_it(name: str) -> None:
    """Read word by word ("2024 11 18", "23 05 2020"), a file name's day was a phone number: a probe's
    code "ICLS 2024 11-18" came back as "ICLS (telefonnummer)"."""
    assert clean_name(name, PseudonymKey("test")) == name


def test_a_phone_number_in_a_file_name_is_still_replaced() -> None:
    assert clean_name("kari_912_34_567.txt", PseudonymKey("test")) == "kari_(telefonnummer).txt"
