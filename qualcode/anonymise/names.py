"""A person's name from outside the project (a comment's author in a reviewed report), as the
project keeps it: by the key's pseudonym, or apart from others the key replaces alike."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from itertools import count

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import Pseudonymised, Replacement, pseudonymise
from qualcode.anonymise.key import PseudonymKey
from qualcode.store.events import EventKind
from qualcode.store.models import Coder, Event
from qualcode.text.tokens import WORD

# What a coder made from a name the key replaced is recorded as (a reviewer's coder.create event,
# `origin`): a participant's withdrawal deletes such a reviewer's comments, never a colleague's.
NAMED_BY_KEY = "review, named by the key"


def named_by_key(session: Session, coder: Coder) -> bool:
    """Whether `coder` is a reviewer a review import made from a name the key replaced (NAMED_BY_KEY): not a
    colleague on the team, nor a reader outside it, whose name a pseudonym happens to be."""
    return session.scalar(select(Event.id).where(
        Event.action == EventKind.CODER_CREATE.value, Event.entity_guid == coder.guid,
        Event.payload[("after", "origin")].as_string() == NAMED_BY_KEY).limit(1)) is not None


def kept_name(name: str, key: PseudonymKey, where: str, taken: Collection[str] = ()) -> tuple[str, bool]:
    """`name` pseudonymised, and whether the key replaced any of it. A name the key replaces by a
    placeholder ("kari.nordmann@uib.no" is "(e-post)") stays apart from others so replaced by digits
    digested from it with the key's secret (_digits): the same person in every file, never one
    person's contradictions, and digits, which no reader takes for a name ("EDDA" would be). One the
    key keeps a name for is kept so (each an import brought in, `reviewer_named`; one the project knew
    under a key before this one, `known_again`); no other takes a name the key keeps for another
    address, nor one `taken` (named_under_earlier_keys, unrecorded_reviewers), but more digits."""
    kept, replaced, _ = _kept(name, key, where, taken)
    return kept, replaced


def reviewer_named(name: str, key: PseudonymKey, where: str, taken: Collection[str] = ()) -> str:
    """kept_name's name for a comment's author an import brings in, kept in the key where it is digits: so
    the next address whose digits meet theirs takes more, and they keep theirs in every later file."""
    kept, _, digest = _kept(name, key, where, taken)
    if digest is not None:
        key.reviewers[digest] = kept
    return kept


def _kept(name: str, key: PseudonymKey, where: str, taken: Collection[str]) -> tuple[str, bool, str | None]:
    """kept_name's two, and the digest of a name kept by digits (None for any other)."""
    cleaned = pseudonymise(name, key, where)
    if not _by_placeholder(cleaned):
        return _as_the_key_writes(name, cleaned), bool(cleaned.replacements), None
    digest = key.digest(name)
    kept = key.reviewers.get(digest)
    if kept is None:
        others = {*key.reviewers.values(), *taken}
        kept = next(named for digits in _digits(digest) if (named := f"{cleaned.text} {digits}") not in others
                    and (len(digits) == 4 or pseudonymise(named, key, where).text == named))  # eight may read as a phone number
    return kept, True, digest


def _as_the_key_writes(name: str, cleaned: Pseudonymised) -> str:
    """`name` with each name the key replaced by the pseudonym as the key writes it, not in the case it was typed in:
    pseudonymised as text is, "sissel bakken" was "maren eriksen", who is "Maren Eriksen" when Word writes her name
    properly, so a reviewer's name typed in lower case made her someone new to the project (and was refused as a name
    nobody had decided about). The rest of the name is as it was typed; a coder is found in any case (stored_coder)."""
    kept, at = [], 0
    for replaced in cleaned.replacements:
        kept += [name[at:replaced.start], _spelt_as_the_key(replaced)]
        at = replaced.end
    return "".join([*kept, name[at:]])


def _spelt_as_the_key(replaced: Replacement) -> str:
    """A replacement's pseudonym with each of its words as its entry's pseudonym writes it ("maren" of "Maren Eriksen")."""
    if replaced.entry is None:
        return replaced.pseudonym
    spelt = {word.casefold(): word for word in WORD.findall(replaced.entry.pseudonym)}
    return WORD.sub(lambda word: spelt.get(word.group().casefold(), word.group()), replaced.pseudonym)


def _digits(digest: str) -> Iterator[str]:
    """The digits a name kept by them may have, first to last: four from the start of its digest, then five, six
    and more from the rest. Only four are ever another's first choice, so a name of more meets no reviewer whom
    the key did not name so (one an earlier version named, which it did not keep in the key)."""
    yield f"{int(digest[:8], 16) % 10_000:04d}"
    rest = digest[8:]
    for width in count(5):
        yield f"{int(rest * (1 + width // 28), 16) % 10 ** width:0{width}d}"


def kept_by_digits(name: str, placeholder: str) -> bool:
    """Whether `name` is one kept_name gives a name it replaces by `placeholder`: that placeholder and digits."""
    return re.fullmatch(re.escape(placeholder) + r" \d{4,}", name) is not None


# The name every version gives a reviewer named by an address first: the placeholder and four digits (_digits).
_FOUR_DIGITS = re.compile(r".*\(.*\) \d{4}")


def unrecorded_reviewers(session: Session, key: PseudonymKey) -> frozenset[str]:
    """The coders named by a placeholder and four digits whom the key keeps for no address: brought in by a
    version that kept no such reviewer in the key, so any address whose four digits are theirs may be theirs.
    No address takes such a name unless its own comments are found under it (review._claimed_again)."""
    kept = set(key.reviewers.values())
    return frozenset(name for name in session.scalars(select(Coder.name)) if _FOUR_DIGITS.fullmatch(name) and name not in kept)


def first_kept_name(name: str, key: PseudonymKey, where: str) -> str | None:
    """The name every version gives first to `name`, which the key replaces by a placeholder: that placeholder and
    four digits, as a version that kept no reviewer in the key gave every address of those digits. None for any
    other name."""
    cleaned = pseudonymise(name, key, where)
    return f"{cleaned.text} {next(_digits(key.digest(name)))}" if _by_placeholder(cleaned) else None


def named_under_earlier_keys(session: Session) -> frozenset[str]:
    """The names of the coders the project held before its key was made in place of another (`key new`): the
    digits of a reviewer named by an address were digested with that key's secret, and this key's digits for
    another address may meet them. Empty for a project that has had one key."""
    key_made = session.scalar(select(func.max(Event.id)).where(Event.action == EventKind.KEY_NEW.value))
    if key_made is None:
        return frozenset()
    made_before = select(Event.entity_guid).where(Event.action == EventKind.CODER_CREATE.value, Event.id < key_made)
    return frozenset(session.scalars(select(Coder.name).where(Coder.guid.in_(made_before))))


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
