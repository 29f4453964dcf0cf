"""Text a spreadsheet would run as a formula, which every CSV and .xlsx writer guards against."""

from __future__ import annotations

# OWASP's list of the characters a formula starts with.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A sign alone is text to a spreadsheet, as a "not coded" dash in a table is: left as it is.
ALONE = ("-", "+")


def starts_like_formula(value: object) -> bool:
    """True for text a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and value not in ALONE
