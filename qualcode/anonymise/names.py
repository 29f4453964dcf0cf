"""A person's name from outside the project (a comment's author in a reviewed report), as the
project keeps it: by the key's pseudonym, or apart from others the key replaces alike."""

from __future__ import annotations

import hashlib
import hmac

from qualcode.anonymise.apply import pseudonymise
from qualcode.anonymise.key import PseudonymKey

# What a coder made from a name the key replaced is recorded as (a reviewer's coder.create event,
# `origin`): a participant's withdrawal deletes such a reviewer's comments, never a colleague's.
NAMED_BY_KEY = "review, named by the key"


def kept_name(name: str, key: PseudonymKey, where: str) -> tuple[str, bool]:
    """`name` pseudonymised, and whether the key replaced any of it. A name the key replaces by a
    placeholder ("kari.nordmann@uib.no" is "(e-post)") stays apart from others so replaced by four
    digits digested from it with the key's secret: the same person in every file, never one
    person's contradictions, and digits, which no reader takes for a name ("EDDA" would be)."""
    cleaned = pseudonymise(name, key, where)
    if any(replacement.pseudonym.startswith("(") for replacement in cleaned.replacements):
        digest = hmac.new(bytes.fromhex(key.deny_salt), name.casefold().encode(), hashlib.sha256).hexdigest()
        return f"{cleaned.text} {int(digest[:8], 16) % 10_000:04d}", True
    return cleaned.text, bool(cleaned.replacements)
