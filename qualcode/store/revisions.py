"""The schema revisions this qualcode's migrations make, read from their files without importing Alembic."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIGRATIONS = Path(__file__).parent / "migrations"

_REVISION = re.compile(r"^(down_revision|revision) = ['\"]([^'\"]+)['\"]", re.MULTILINE)


@cache
def _revisions() -> tuple[frozenset[str], frozenset[str]]:
    """Every revision the migrations name, and those that some migration revises."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for kind, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            (revisions if kind == "revision" else parents).add(value)
    return frozenset(revisions), frozenset(parents)


def newest_revision() -> str | None:
    """The head of the migrations (the only head, or None if unclear)."""
    revisions, parents = _revisions()
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def newer_than_code(revision: str) -> bool:
    """Whether a database at `revision` was made by a newer qualcode: revisions are numbered ("0011"),
    so one no migration here names with a higher number than the head is a later version's; anything
    else unknown is damage, not news."""
    newest = newest_revision()
    return (revision not in _revisions()[0] and revision.isdigit() and newest is not None and newest.isdigit()
            and int(revision) > int(newest))
