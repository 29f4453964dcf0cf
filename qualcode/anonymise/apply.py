"""Replacing identifiers in a text with their pseudonyms, keeping offsets mappable."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from qualcode.anonymise.key import CHOSEN, DRAWN_FROM_KEY, KeyEntry, PseudonymKey, Renamed
from qualcode.anonymise.known import (
    LIST_KINDS,
    LOWER_WORDS_RULE,
    KnownMatch,
    KnownMatcher,
    as_latin,
    rare_words,
)
from qualcode.anonymise.patterns import (
    FULL_DATE,
    SHORT_YEAR_DATE,
    SPOKEN_DATE,
    date_parts,
    find_patterns,
    is_a_day,
    plain_digits,
    spoken_dates,
    unwrapped,
)
from qualcode.anonymise.pseudonyms import (
    PLACEHOLDERS,
    first_draws,
    is_placeholder,
    looks_like,
    make_pseudonym,
    pseudonym_words,
)
from qualcode.text.normalise import visible


@dataclass(frozen=True)
class Replacement:
    """One identifier replaced: where it was in the original text, what it was, what it became."""

    start: int
    end: int
    original: str
    pseudonym: str
    kind: str
    # The key's entry it stands for, however inflected or misspelt `original` is; None for a withdrawn person.
    entry: KeyEntry | None = field(default=None, compare=False)
    # Why the words replaced may be someone else than `entry` (KnownMatch.doubt), and the name as written then.
    doubt: str = field(default="", compare=False)
    named: str = field(default="", compare=False)


@dataclass(frozen=True)
class Pseudonymised:
    text: str
    replacements: list[Replacement]

    def map_offset(self, offset: int, *, is_end: bool = False) -> int:
        """Where an offset of the original text lands in the pseudonymised text.

        An offset inside a replaced identifier snaps to the pseudonym's start, or its end
        for the end of a span, so a span never cuts a pseudonym in two.
        """
        index = bisect_right([r.start for r in self.replacements], offset) - 1
        if index < 0:
            return offset
        shift = sum(len(r.pseudonym) - (r.end - r.start) for r in self.replacements[:index])
        current = self.replacements[index]
        if offset < current.end and not (offset == current.start and not is_end):
            return current.start + shift + (len(current.pseudonym) if is_end else 0)
        if offset == current.start:
            return current.start + shift
        return offset + shift + len(current.pseudonym) - (current.end - current.start)


def _names(values: list[str]) -> set[str]:
    """Names and their parts, casefolded: a double surname's too ("Solberg" of "Solberg-Haugen"),
    which the key finds alone as it finds any part of a name."""
    names: set[str] = set()
    for value in values:
        names.add(value.casefold())
        names.update(part.casefold() for part in _PARTS.split(value) if part)
    return names


_PARTS = re.compile(r"[\s-]+")


def _pseudonym_for(key: PseudonymKey, original: str, kind: str, gender: str | None, seed: str = "", given_name: bool = False) -> str:
    """A pseudonym for `original`, drawn from the key's secret (`seed` tells a redraw from the first draw).
    Seeded from the project's GUID alone, which its database holds, anyone with the project could draw
    a guessed name's pseudonym and find it in the texts: after `key destroy` too, whose point is that
    no pseudonym can be traced back. The same key still draws the same names."""
    seed = f"{key.deny_salt}:{key.project_guid}{seed}"
    originals = _names([entry.original for entry in key.entries] + [original])
    pseudonyms = _names([entry.pseudonym for entry in key.entries if not entry.pseudonym.startswith("(")])
    # Another person's, not the one drawn for (whose old pseudonym a redraw replaces).
    people = [entry.pseudonym for entry in key.entries if entry.kind == "person" and not is_placeholder(entry.pseudonym)
              and entry.original.casefold() != original.casefold()]
    return make_pseudonym(original, kind, gender, key.styles.get(kind, "name"), originals, pseudonyms, seed, given_name,
                          pseudonym_words(people))


def fill_rare_words(key: PseudonymKey) -> None:
    """Find the lower-case words of the entries a key made before they were kept, or kept by an
    earlier rule (rare_words, LOWER_WORDS_RULE): the key is saved with them."""
    for entry in key.entries:
        if entry.lower_words is None or entry.lower_words_rule < LOWER_WORDS_RULE:
            entry.lower_words, entry.lower_words_rule = rare_words(entry.original, entry.kind), LOWER_WORDS_RULE


def real_word_in(pseudonym: str, key: PseudonymKey, original: str) -> str | None:
    """A word of a chosen `pseudonym` that is, or is like, a word of a real name in the key or of the
    `original` it is to stand for: such a pseudonym would leave the name in the text."""
    if pseudonym.startswith("("):  # a placeholder, such as "(sted)"
        return None
    originals = _names([entry.original for entry in key.entries if entry.kind in LIST_KINDS] + [original])
    # Read as the leak check reads text, letters of other scripts as the Latin ones they look like:
    # "Lіen" with a Cyrillic і reads as the real Lien.
    return next((part for part in _PARTS.split(as_latin(pseudonym)) if part and looks_like(part, originals)), None)


def pseudonym_taken(key: PseudonymKey, pseudonym: str, participant: str | None = None) -> KeyEntry | None:
    """The entry a chosen `pseudonym` already stands for, as written or as read in Latin letters: two
    people under one pseudonym would be one person in every analysis. A placeholder ("(veileder)")
    groups on purpose. An entry the key links to `participant` is theirs, as the new one is: a nickname
    may share its own person's pseudonym ("Memo" as "Tor" beside "Mehmet Yılmaz" as "Tor Johansen")."""
    ours = participant.strip().casefold() if participant else None
    if pseudonym.startswith("("):
        return None
    folded = as_latin(" ".join(pseudonym.split())).casefold()
    forms = {folded, folded[:-1]} if folded.endswith("s") else {folded}  # "Emilie Aasens" is Emilie Aasen's

    def stands_for(entry: KeyEntry) -> bool:
        written = as_latin(entry.pseudonym).casefold()
        # A person's pseudonym stands for them word by word too: a transcript writes "Emilie" where it said "Kari";
        # and a lone one ("Martin") is a word of no other's ("Martin Jacobsen"): a lone "Martin" would be either.
        return written in forms or (" " not in folded and entry.kind == "person" and bool(forms & set(written.split()))) \
            or (entry.kind == "person" and " " not in written and written in folded.split())

    return next((entry for entry in key.entries if not entry.pseudonym.startswith("(") and stands_for(entry)
                 and not (ours is not None and (entry.participant or "").strip().casefold() == ours)), None)


def _redraw(key: PseudonymKey, entry: KeyEntry) -> Renamed:
    """Draw `entry` a new pseudonym from the key's secret, recorded as a renaming so that re-applying the key
    rewrites the texts that use the old one."""
    old = entry.pseudonym
    entry.pseudonym, entry.drawn = _pseudonym_for(key, entry.original, entry.kind, entry.gender, ":redrawn", entry.given_name), DRAWN_FROM_KEY
    renamed = Renamed(old, entry.pseudonym, list(entry.seen_in))
    key.renamed.append(renamed)
    return renamed


def redraw_real_pseudonyms(key: PseudonymKey) -> list[Renamed]:
    """Give a drawn pseudonym to each entry whose pseudonym is, or is like, a real name in the key (a
    pseudonym chosen by hand before such choices were checked), recorded as a renaming so that
    re-applying the key rewrites the texts that use the old one."""
    redrawn = []
    for entry in key.entries:
        if entry.pseudonym.startswith("(") or real_word_in(entry.pseudonym, key, entry.original) is None:
            continue
        redrawn.append(_redraw(key, entry))
    return redrawn


# Until 2026-12-06 every pseudonym was drawn from the project's GUID alone, which the project's database
# holds. A draw takes the first name it tries that no original resembles and no other pseudonym is: one of
# its first few tries, which anyone with the project can make for a guessed name.
GUID_DRAWS_TRIED = 10


def drawn_from_the_project(key: PseudonymKey) -> list[KeyEntry]:
    """The people whose pseudonym was drawn from the project's GUID alone (as a first draw or a redraw), and so
    can be traced back by anyone with the project who guesses their name, after `key destroy` too: of those
    the key does not know how they came by theirs (saved before it kept that), the ones whose pseudonym is among
    the first names such a draw tries."""
    seeds = (key.project_guid, key.project_guid + ":redrawn")
    return [entry for entry in key.entries if entry.kind == "person" and not entry.drawn and not entry.pseudonym.startswith("(")
            and any(entry.pseudonym in first_draws(entry.original, entry.gender, seed, GUID_DRAWS_TRIED, entry.given_name) for seed in seeds)]


def redraw_from_the_key(key: PseudonymKey) -> list[Renamed]:
    """Draw anew, from the key's secret, each pseudonym drawn from the project's GUID alone, recorded as a
    renaming so that re-applying the key rewrites the texts that use the old one."""
    redrawn = []
    for entry in drawn_from_the_project(key):
        redrawn.append(_redraw(key, entry))
    return redrawn


def add_identifier(
    key: PseudonymKey, original: str, kind: str, gender: str | None = None,
    pseudonym: str | None = None, first_seen: str | None = None, given_name: bool = False,
) -> KeyEntry:
    """Add an identifier to the key with a pseudonym in the project's style for its kind (`given_name`: a lone
    name that stands where a given name does, drawn one).

    If the new original is, or is like, the pseudonym of another entry, that entry gets a new
    pseudonym, so no pseudonym is ever a real name in the key; when texts already use the old
    one, the key records the renaming and re-applying the key rewrites those texts.
    """
    original = visible(original)  # as typed text and the leak check compare: "Kåre" pasted decomposed is "Kåre"
    existing = key.entry_for(original)
    if existing is not None:
        return existing
    if kind not in PLACEHOLDERS:
        raise ValueError(kind)
    given_name = given_name and kind == "person" and len(original.split()) == 1
    chosen = pseudonym or _pseudonym_for(key, original, kind, gender, given_name=given_name)
    fill_rare_words(key)
    entry = key.add(KeyEntry(original=original, kind=kind, pseudonym=chosen, gender=gender, first_seen=first_seen,
                             lower_words=rare_words(original, kind), lower_words_rule=LOWER_WORDS_RULE,
                             drawn=CHOSEN if pseudonym else DRAWN_FROM_KEY, given_name=given_name))
    if kind not in LIST_KINDS:
        # An address, a number or an e-mail said aloud names no one by its words ("ola dot hansen at …"
        # once redrew Martine Hanssen): only a name can make a pseudonym a real name.
        return entry
    # A hyphenated name's pieces too: "Lise Nilsen", drawn before Anne-Lise Berg was known, had its "Lise" read
    # as hers in a file's name ("intervju-Kari-Nordmann.txt" became "intervju_Gunn_Nilsen.txt").
    parts = [piece.casefold() for part in original.split() for piece in {part, *part.split("-")} if piece]
    for other in key.entries:
        if other is entry or other.kind != "person" or other.pseudonym.startswith("("):
            continue
        if any(looks_like(part, set(parts)) for part in other.pseudonym.split()):
            _redraw(key, other)  # recorded even when no transcript uses it yet: a memo may call the person by it
    return entry


def known_matcher(key: PseudonymKey) -> KnownMatcher:
    """A KnownMatcher for `key` as it is now (KnownMatcher.of). A cache of its own here, by the originals, kinds and
    pseudonyms alone, kept the matcher of an entry removed and learned again with its pseudonym: what it found was
    of no entry the key holds, and was noted used nowhere."""
    return KnownMatcher.of(key)


@dataclass(frozen=True)
class SeenDate:
    """A date of birth the key holds, where it stands in a text and as it is read there (a line break as a space)."""

    start: int
    end: int
    text: str
    entry: KeyEntry


def known_birth_dates(text: str, key: PseudonymKey, pieces: Sequence[int] = ()) -> list[SeenDate]:
    """Where a date of birth the key learned appears in `text` again, context or not (not as part
    of a longer number), written as it was or as any other date of the same day is ("3. mars 1985",
    "03.03.1985", "3/3-85", "1985-03-03", "tredje mars nittenåttifem"). Read as the detectors read numbers (find_patterns): across
    a line break inside a paragraph and the white space around it ("21.05. \n1995"); `pieces` as there."""
    births = [entry for entry in key.entries if entry.kind == "birth_date"]
    if not births:  # a text without digits is read too: a date may be said in words ("tolvte mars nittenåttifem")
        return []
    read = unwrapped(plain_digits(text), pieces)
    spaced = read.text
    found = [(seen, entry) for entry in births for seen in re.finditer(rf"(?<!\d){re.escape(entry.original)}(?!\d)", spaced)]
    days = [(day, entry) for entry in births if (day := _day(entry.original)) is not None]
    taken = {seen.span() for seen, _ in found}
    for seen in [*FULL_DATE.finditer(spaced), *SHORT_YEAR_DATE.finditer(spaced), *spoken_dates(spaced)]:
        day = date_parts(seen)
        if not is_a_day(day[0], day[1]):
            continue
        entry = next((entry for learned, entry in days if _same_day(day, learned)), None)
        if entry is not None and not any(seen.start() < end and start < seen.end() for start, end in taken):
            taken.add(seen.span())
            found.append((seen, entry))
    return [SeenDate(*read.span(*seen.span()), seen.group(), entry) for seen, entry in found]


def _same_day(one: tuple[int, int, int], other: tuple[int, int, int]) -> bool:
    """The same day, a two-digit year standing for the four-digit one it ends ("85" for 1985)."""
    (day, month, year), (other_day, other_month, other_year) = one, other
    same_year = year == other_year or (min(year, other_year) < 100 and year % 100 == other_year % 100)
    return (day, month) == (other_day, other_month) and same_year


def _day(written: str) -> tuple[int, int, int] | None:
    """The day a learned date of birth names, if it is written or said as a date."""
    match = FULL_DATE.fullmatch(written.strip()) or SPOKEN_DATE.fullmatch(written.strip())
    return date_parts(match) if match is not None else None


_KIND_OF_PLACEHOLDER = {placeholder: kind for kind, placeholder in PLACEHOLDERS.items()}


def pseudonymise(text: str, key: PseudonymKey, where: str) -> Pseudonymised:
    """Replace every known and every pattern identifier; patterns found are added to the key."""
    candidates: list[tuple[int, int, str, str, str, KeyEntry | None, KnownMatch | None]] = []
    for found in find_patterns(text):
        entry = add_identifier(key, found.text, found.kind, first_seen=f"{where}:{text.count(chr(10), 0, found.start) + 1}")
        candidates.append((found.start, found.end, found.text, entry.pseudonym, found.kind, entry, None))
    for seen in known_birth_dates(text, key):
        candidates.append((seen.start, seen.end, seen.text, seen.entry.pseudonym, seen.entry.kind, seen.entry, None))
    for match in known_matcher(key).find(text):
        listed = match.entry if any(match.entry is entry for entry in key.entries) else None
        # Said by what it was replaced as: "Sandnes" of "NAV Sandnes" alone is a place, "(sted)", not an office.
        kind = _KIND_OF_PLACEHOLDER.get(match.replacement, match.entry.kind)
        candidates.append((match.start, match.end, match.text, match.replacement, kind, listed, match))
    # Longest first, so "NAV Horten" wins over "Horten" and "Kari Nordmann" over "Kari".
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    chosen: list[Replacement] = []
    for start, end, original, pseudonym, kind, listed, found_as in candidates:
        doubt, named = (found_as.doubt, found_as.named) if found_as is not None else ("", "")
        if chosen and start < chosen[-1].end:
            if end - start > chosen[-1].end - chosen[-1].start and start == chosen[-1].start:
                chosen[-1] = Replacement(start, end, original, pseudonym, kind, listed, doubt, named)
            continue
        chosen.append(Replacement(start, end, original, pseudonym, kind, listed, doubt, named))
    parts: list[str] = []
    position = 0
    for replacement in chosen:
        parts.append(text[position:replacement.start])
        parts.append(replacement.pseudonym)
        position = replacement.end
    parts.append(text[position:])
    return Pseudonymised("".join(parts), chosen)


def note_seen_in(key: PseudonymKey, replacements: list[Replacement], transcript: str) -> None:
    """Note which transcript uses each replaced identifier's pseudonym, so that a redrawn
    pseudonym is rewritten there too (else the old one stays, and is later taken for a real name)."""
    for replacement in replacements:
        entry = replacement.entry or key.entry_for(replacement.original)
        if entry is not None and transcript not in entry.seen_in:
            entry.seen_in.append(transcript)


# Control characters and line separators, which a name is never written with.
_NAME_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
NAME_WORDS = re.compile(r"[A-ZÆØÅ]?[a-zæøåéüö]+\d*|[A-ZÆØÅ]+\d*(?![a-zæøåéüö])|\d+")


def clean_name(name: str, key: PseudonymKey) -> str:
    """A file's or transcript's name with the identifiers it holds replaced, however it is cased
    or joined ("kari_nordmann_t1", "KariNordmann", "intervju-Kari-Nordmann.txt").

    Names are matched word by word as proper nouns, since people write them in lower case or
    run together in file names; a name that holds an identifier comes back with its words
    joined by "_". Control characters become "_" too, and the name is composed (NFC).
    """
    # Composed (NFC) as typed names are, so "kåre_T2" from a Mac or a zip (decomposed) is found by
    # what people type; a line break, tab or bell in a file's name would break every listing.
    name = visible(_NAME_BREAKS.sub("_", name))
    stem, dot, suffix = name.rpartition(".") if "." in name and len(name.rpartition(".")[2]) <= 5 else (name, "", "")
    direct = pseudonymise(stem, key, "file name")
    direct = replace(direct, text=_joined_as_written(stem, direct))
    words = NAME_WORDS.findall(direct.text)
    spaced = " ".join(word[:1].upper() + word[1:] for word in words)
    found = pseudonymise(spaced, key, "file name")
    if not found.replacements:
        return direct.text + dot + suffix
    # Only what was replaced changes: the other words keep their case ("w_kare_t1" is "w_Øystein_t1",
    # not "W_Øystein_T1"). Rebuilt from the replacements over the words as written, and used only if it
    # reads as the pseudonymised text does, case aside; else that text, as before.
    kept = " ".join(words)
    for replacement in sorted(found.replacements, key=lambda replacement: -replacement.start):
        kept = kept[:replacement.start] + replacement.pseudonym + kept[replacement.end:]
    chosen = kept if kept.casefold() == found.text.casefold() else found.text
    return "_".join(chosen.split()) + dot + suffix


def _joined_as_written(written: str, result: Pseudonymised) -> str:
    """`result`'s text with each pseudonym's words joined as the name it replaced was joined: a name
    written without spaces ("intervju-Kari-Nordmann") gave a file name with a space in it
    ("intervju-Inger Bakken"); now "intervju-Inger-Bakken". A name written with spaces keeps them."""
    text, shift = result.text, 0
    for replacement in sorted(result.replacements, key=lambda replacement: replacement.start):
        original = written[replacement.start:replacement.end]
        at = replacement.start + shift
        placed = text[at:at + len(replacement.pseudonym)]
        shift += len(replacement.pseudonym) - len(original)
        if any(character.isspace() for character in original) or placed.casefold() != replacement.pseudonym.casefold():
            continue
        joiner = next((character for character in original if not character.isalnum()), "_")
        text = text[:at] + "".join(joiner if character.isspace() else character for character in placed) + text[at + len(placed):]
    return text
