"""Case numbers of NAV's, UDI's or a municipality's archive ("saksnummer 21/445566-3", "24/003817", "2023-118834"),
which a probe found stored as said: through the detector, a real import, the leak check and a memo."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_patterns_as_said import _found, _import, _leaks, _memos, _run


@pytest.mark.parametrize(("text", "number"), [
    ("Saksnummeret mitt er 24/003817, hvis du trenger det.", "24/003817"),
    ("Det står 2023-118834 på brevet.", "2023-118834"),
    ("Jeg fikk brev fra UDI, saksnummer 21/445566-3.", "21/445566-3"),
    ("Vår ref. 2024/1234 gjelder deg.", "2024/1234"),
    ("saksnr. 12345", "12345"),
    ("Referansenummeret var 887766.", "887766"),
    ("Saken har journalnummer 1999/123456.", "1999/123456"),
])
def test_a_case_number_is_found(text: str, number: str) -> None:
    assert _found(text) == [("case_number", number)]


@pytest.mark.parametrize("text", [
    "Det var 24/7 hele tiden.", "Fra 10/2023 fikk jeg mer.", "Født 12/4-1979? Nei.", "Møtet var 2023-11-18.",
    "Det var 50/50.", "i 2009-2010 og 2019/2020", "Saken fra 2019 var vanskelig.", "sak nr 4 på lista",
    "Se ref 3.1.2 i rapporten.", "Hun har 3/4 stilling.",
])
def test_counts_dates_and_years_are_no_case_numbers(text: str) -> None:
    assert [kind for kind, _ in _found(text)] != ["case_number"]
    assert "case_number" not in {kind for kind, _ in _found(text)}


def test_a_case_number_is_replaced_at_import_found_by_the_leak_check_and_in_a_memo(demo: Path, tmp_path: Path) -> None:
    stored = _import(demo, tmp_path, "saken", "D1: Saksnummeret mitt er 24/003817. Det står 2023-118834 på brevet.\n")
    assert stored.endswith("D1: Saksnummeret mitt er (saksnummer). Det står (saksnummer) på brevet.\n"), stored
    assert "'24/003817'" in _leaks(demo, tmp_path, "Hun oppga 24/003817 som sak.\n")
    _run(demo, "memo", "add", "Saksnummer 21/445566-3 ble nevnt.")
    assert _memos(demo)[-1] == "Saksnummer (saksnummer) ble nevnt."


def test_a_twelve_digit_case_number_holding_a_valid_account_number_is_one_case_number() -> None:
    """Before case numbers were identifiers, this was asserted to be no identifier at all (it is no account number)."""
    assert _found("saksnummer 168774019056 ok") == [("case_number", "168774019056")]
