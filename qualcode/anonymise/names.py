"""A person's name from outside the project (a comment's author in a reviewed report), as the
project keeps it: by the key's pseudonym, or apart from others the key replaces alike."""

from __future__ import annotations

from qualcode.anonymise.apply import Pseudonymised, pseudonymise
from qualcode.anonymise.key import PseudonymKey

# What a coder made from a name the key replaced is recorded as (a reviewer's coder.create event,
# `origin`): a participant's withdrawal deletes such a reviewer's comments, never a colleague's.
NAMED_BY_KEY = "review, named by the key"


def kept_name(name: str, key: PseudonymKey, where: str) -> tuple[str, bool]:
    """`name` pseudonymised, and whether the key replaced any of it. A name the key replaces by a
    placeholder ("kari.nordmann@uib.no" is "(e-post)") stays apart from others so replaced by four
    digits digested from it with the key's secret: the same person in every file, never one
    person's contradictions, and digits, which no reader takes for a name ("EDDA" would be). One
    the project knew under a key before this one is kept as it was then (`known_again`)."""
    cleaned = pseudonymise(name, key, where)
    if _by_placeholder(cleaned):
        digest = key.digest(name)
        return key.reviewers.get(digest) or f"{cleaned.text} {int(digest[:8], 16) % 10_000:04d}", True
    return cleaned.text, bool(cleaned.replacements)


def placeholder_of(name: str, key: PseudonymKey, where: str) -> str | None:
    """`name` pseudonymised where the key replaces (some of) it by a placeholder, which every key writes alike
    ("(e-post)"): what `kept_name` puts its digits after. None for any other name."""
    cleaned = pseudonymise(name, key, where)
    return cleaned.text if _by_placeholder(cleaned) else None


def _by_placeholder(cleaned: Pseudonymised) -> bool:
    return any(replacement.pseudonym.startswith("(") for replacement in cleaned.replacements)


def known_again(name: str, key: PseudonymKey, kept_as: str) -> None:
    """Keep `name`, which the key replaces by a placeholder, as `kept_as` from now on: the name a key before this
    one gave them, whose digits were digested with that key's secret. Kept in the key by the digest of the name
    alone, and taken with it by `key destroy`: the project holds nothing that links the digits to the name."""
    key.reviewers[key.digest(name)] = kept_as
