"""The order people read names with numbers in: D2 before D10, T2 before T10."""

from __future__ import annotations

import re

_NUMBERS = re.compile(r"(\d+)")


def natural_key(value: str) -> list[tuple[int, int, str]]:
    """Sort key: runs of digits by their value, the rest by its letters in any case ("D2" before "d10")."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in _NUMBERS.split(value)]
