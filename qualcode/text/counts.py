"""A count with its noun in the singular or the plural, as every message and report writes it."""

from __future__ import annotations


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """"1 coder", "2 coders"; `plural` where it is not the singular and an s ("1 intervju", "2 intervjuer")."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
