"""Finding the project's known identifiers in text: whole words, inflected, slightly misspelt.

"Kari Nordmann" is found as "Kari Nordmann", "Kari", "Karis", "Kari's", "Nordmanns" and
"Nordman"; each part is replaced by the matching part of the pseudonym. Identifiers are proper
nouns, so a capitalised identifier only matches capitalised words: "Berg" the surname is
found, "berg" the mountain is not.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache

from qualcode.anonymise.key import KeyEntry, PseudonymKey
from qualcode.anonymise.patterns import HANDLE_AT, phone_digits, plain_digits
from qualcode.anonymise.pseudonyms import PLACEHOLDERS, is_initial
from qualcode.text.tokens import WORD

LIST_KINDS = ("person", "place", "nav_office", "employer", "school", "other")

# 2: a word is left to be found capitalised only when it is an everyday word (candidates.everyday_word),
# not whenever wordfreq finds it common, which most first names are; and for every kind of name.
# 3: the research trade's own words are everyday words (data/trade_words.txt: "memo" beside a "Memo").
LOWER_WORDS_RULE = 3


def rare_words(original: str, kind: str) -> list[str]:
    """The words of a name the key holds that are found written in lower case too, casefolded: every
    word of it that is no everyday word ("kari", "trond", "fjordkysten"; not "liv", "stein", "sol")."""
    if kind not in LIST_KINDS:
        return []
    from qualcode.anonymise.candidates import everyday_word  # here: candidates imports this module

    words = [word.casefold() for word in WORD.findall(original)]
    return [word for word in words if len(word) > 2 and not word.isdigit() and not everyday_word(word)]


def lower_words_of(entry: KeyEntry) -> list[str]:
    """`entry`'s words found in lower case too: as the key keeps them, or, in a key an earlier rule
    filled and not saved since, found now (the key keeps them once it is next saved)."""
    if entry.lower_words is not None and entry.lower_words_rule >= LOWER_WORDS_RULE:
        return entry.lower_words
    return rare_words(entry.original, entry.kind)
FUZZY_MIN_LENGTH = 5  # shorter words are too easily another word with one letter changed
FUZZY_CUTOFF = 85.0  # one edit in a word of seven letters
# A word as everyday as this is no misspelt name: "Ingen" is not "Inge", "Lenge" not "Lene", "Knute"
# not "Knut" (a quote must keep its words) ...
FUZZY_MAX_ZIPF = 3.0
# ... unless it is a listed name itself, no commoner than this: "Gunhild" for "Gunnhild", not "Kristen".
FUZZY_NAME_MAX_ZIPF = 4.0
APOSTROPHES = ("'s", "’s", "'", "’")
# Numbers found by their digits however they are grouped ("010190 100 46", "912 345 67"): a
# fødselsnummer or a phone number is written in many groupings, and each is the same number.
NUMBER_KINDS = ("fnr", "phone", "account", "case_number")
# Hyphens other than "-" a name is written with: Word's non-breaking one (Ctrl+Shift+-) and Unicode's.
OTHER_HYPHENS = ("\u2010", "\u2011")
NAME_HYPHENS = re.compile("[-\u2010\u2011]")
# Words a surname is written together with for a family, its farm or its home ("Klunglandfamilien",
# "Solbakkengården", "Hansensgutten"): the name inside one was left in the text, found neither whole nor as a word.
COMPOUND_ENDINGS = ("familien", "familiene", "familiens", "familie", "gården", "garden", "garen", "huset", "heimen",
                    "hjemmet", "folka", "folket", "ungene", "barna", "gutten", "guten", "jenta", "jenten")
# What may stand between the words of a person's name: a space, a hyphen, a line break; a dot or an underscore as in
# an address or a handle; an apostrophe inside a word ("Ol'ha", "Abd’allah", "N'Golo").
PERSON_JOINERS = (" ", "-", "\n", ".", "_", "'", "\u2019", "\u02bc", *OTHER_HYPHENS)
# A line break between groups too, with the spaces and tabs around it, as the detectors read one inside a paragraph
# ("120380\n40188", "120380 \n40188": patterns.unwrapped).
_DIGIT_RUN = re.compile(r"(?<!\w)\d(?:(?:[ ./-]|[ \t]*\n[ \t]*)?\d)+(?!\w)")


# Cyrillic and Greek letters drawn like Latin ones: "Bаkken" with a Cyrillic "а" reads as Bakken,
# and must be found as Bakken. Text and the key's originals are compared with these as Latin
# letters (one character for one, so every offset stays where it was).
_LOOK_ALIKES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "ӏ": "l", "һ": "h", "ԛ": "q", "ԝ": "w", "ү": "y",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W",
    "ο": "o", "α": "a", "ν": "v", "ρ": "p", "ι": "i", "κ": "k", "υ": "u",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Full-width letters and digits (Ｓｉｓｓｅｌ, as East Asian keyboards and some pasted text write them).
    **{chr(code): chr(code - 0xFEE0) for code in range(0xFF10, 0xFF5B) if chr(code - 0xFEE0).isalnum()},
    # Letters and digits styled by Unicode itself: bold, italic, script, double-struck (𝐒𝐢𝐬𝐬𝐞𝐥, 𝕊𝕚𝕤𝕤𝕖𝕝, ℬ),
    # circled (Ⓢⓘⓢⓢⓔⓛ), as "fancy text" sites write a name; each reads as its plain letter.
    **{chr(code): plain for block in ((0x1D400, 0x1D800), (0x2100, 0x2150), (0x24B6, 0x24EA))
       for code in range(*block) if len(plain := unicodedata.normalize("NFKC", chr(code))) == 1 and plain.isascii() and plain.isalnum()},
    # Tag characters, which spell a subdivision's flag after 🏴 unseen (🏴 g b s c t): read as the letters
    # they stand for, a name spelt in them is found.
    **{chr(0xE0000 + code): chr(code) for code in range(0x20, 0x7F)},
}


# What sends a text to the translation: a look-alike of the Basic Multilingual Plane, or any character above it
# (styled letters and tags, but emoji too, which the translation leaves as they are). `re` tries a class's
# members above U+FFFF one by one: the thousand styled letters listed singly made every search try them all at
# each character of a text (a quote table's leak check: 9 ms of as_latin became 136 ms).
_LOOK_ALIKE = re.compile("[" + "".join(re.escape(character) for character in _LOOK_ALIKES if ord(character) <= 0xFFFF)
                         + "\U00010000-\U0010FFFF]")
_AS_LATIN = str.maketrans(_LOOK_ALIKES)


def as_latin(text: str) -> str:
    """`text` with look-alike Cyrillic and Greek letters, and full-width, styled or circled ones, as the Latin letters they look like."""
    return text.translate(_AS_LATIN) if _LOOK_ALIKE.search(text) else text


@dataclass(frozen=True)
class Form:
    """A word sequence that stands for an identifier, and what replaces it."""

    words: tuple[str, ...]  # casefolded
    replacement: str
    entry: KeyEntry
    capitalised: bool
    any_space: bool = False  # words apart by any run of spaces, tabs or line breaks, not only one
    any_case: bool = False  # found in lower case too: no everyday word (KeyEntry.lower_words)
    gaps: tuple[str, ...] | None = None  # the words apart only as written (a user name, "g.rasmussen")
    # Written right before the first word, and part of what is found: a handle's @. "@at" names an
    # account; "at" alone is a word every quote says, and stays.
    before: str = ""
    # "first" or "last": that word is a capital initial written with its full stop ("K. Haugland",
    # "Kjersti H."), found only so ("Kjersti i Bergen" is no Kjersti Ingebrigtsen).
    initial: str = ""
    # Which part of a person's name this form is alone: "" (the name whole, or no person's), GIVEN, SURNAME
    # or PIECE (a word of a hyphenated part: "Berg" of "Hansen-Berg").
    part: str = ""


GIVEN = "given"
SURNAME = "surname"
PIECE = "piece"
# Why a word found may name someone else than the entry it was found as (KnownMatch.doubt): a word of a
# double-barrelled name alone, a surname alone, a word spelt like a name the key holds but not as it.
SPELT_ALIKE = "spelt alike"


@dataclass(frozen=True)
class KnownMatch:
    start: int
    end: int
    text: str
    replacement: str
    entry: KeyEntry
    # GIVEN, SURNAME, PIECE or SPELT_ALIKE where the words found may be someone else than `entry` (their pseudonym's
    # word stands there all the same: replacing is the safe side); "" where they are the entry as it is written.
    doubt: str = ""
    named: str = ""  # with a doubt: the name as the text writes it, without a genitive ending ("Berg" of "Bergs")


# The matchers KnownMatcher.of built last, with the keys they index and what they read of them: a process
# holds one key (a test process, or a command comparing two, a few).
_MATCHERS: list[tuple[PseudonymKey, tuple[object, ...], KnownMatcher]] = []
_MATCHERS_KEPT = 4
_MATCHERS_LOCK = threading.Lock()


def _matcher_signature(key: PseudonymKey) -> tuple[object, ...]:
    """What a KnownMatcher reads of `key`: its entries (the very ones: a match names its entry, whose transcripts
    are noted on it), their originals, kinds, pseudonyms and words found in lower case, its denied entries, and
    the salt their digests are made with."""
    return (
        key.deny_salt,
        tuple((id(entry), entry.original, entry.kind, entry.pseudonym,
               None if entry.lower_words is None else tuple(entry.lower_words), entry.lower_words_rule) for entry in key.entries),
        tuple((tuple(denied.words), denied.kind) for denied in key.denied),
        tuple(key.dismissed),
    )


def _forms(entry: KeyEntry) -> list[Form]:
    words = [match.group() for match in WORD.finditer(as_latin(entry.original))]
    if not words:
        return []
    capitalised = entry.original[:1].isupper()
    rare = set(lower_words_of(entry))
    forms = [Form(tuple(w.casefold() for w in words), _without_last_full_stop(entry), entry, capitalised,
                  any_case=all(w.casefold() in rare for w in words))]
    if entry.kind == "person" and len(words) > 1:
        # Each part of a name alone: first name to first name, surname to surname. Parts are what
        # spaces divide, as the pseudonym's were drawn: "Anne-Lise" is one given name (to one
        # given name, and each of its words alone to it too), not two words each given the
        # whole pseudonym ("Anne-Lise" read "Ingrid Bakken-Ingrid Bakken").
        # A part's pieces are what its hyphens divide; an apostrophe inside a word is no divide ("Ol'ha",
        # "Abd’allah"): each word of it alone was a piece, "Ol" of "Ol'ha" read "Eva'ha", "ha" the verb a name.
        split_parts = [[[m.group() for m in WORD.finditer(as_latin(piece))] for piece in NAME_HYPHENS.split(part)]
                       for part in entry.original.split()]
        split_parts = [[piece for piece in part if piece] for part in split_parts]
        split_parts = [part for part in split_parts if part]
        name_parts = [[word for piece in part for word in piece] for part in split_parts]
        pseudonym_parts = entry.pseudonym.split()
        marked = _marked(entry.original)
        for index, (part_words, pieces) in enumerate(zip(name_parts, split_parts, strict=True)):
            if marked and index == len(name_parts) - 1:
                continue  # "(Gjest)" of "Yonas Tesfaye (Gjest)", as an older qualcode accepted it: no one's name alone
            part = pseudonym_parts[index] if len(pseudonym_parts) == len(name_parts) else entry.pseudonym
            alone = [part_words] if len(pieces) == 1 else [part_words, *pieces]
            for written in alone:
                if len(written) == len(words) or (len(written) == 1 and _no_name_alone(written[0], entry.original)):
                    continue  # the whole name, already a form; or a particle or a letter, which names no one alone
                folded = tuple(word.casefold() for word in written)
                which = PIECE if len(written) < len(part_words) else GIVEN if index < len(name_parts) - 1 else SURNAME
                forms.append(Form(folded, part, entry, written[0][:1].isupper(), any_case=all(w in rare for w in folded),
                                  part=which))
        forms += _initial_forms(entry, name_parts, pseudonym_parts)
    if entry.kind in FIRM_KINDS and len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        # A firm is named without its legal form as often as with it ("jobbet på Bakeriet i Sparbu" for "Bakeriet i
        # Sparbu AS"): the rest was found neither whole nor as a word of it, and stayed in the text.
        bare = tuple(w.casefold() for w in words[:-1])
        forms.append(Form(bare, forms[0].replacement, entry, capitalised, any_case=all(w in rare for w in bare)))
    if entry.kind == "nav_office" and len(words) > 1 and words[0].casefold() == "nav":
        place = tuple(w.casefold() for w in words[1:])
        forms.append(Form(place, "(sted)", entry, capitalised, any_case=all(w in rare for w in place)))
    if entry.kind in ("person", "place"):
        # The name written without its letters' marks, as a keyboard or a transcriber may: "Lukasz"
        # for "Łukasz", "Maret" for "Máret", "Ase" or "Aase" for "Åse", "Bjorn" for "Bjørn".
        forms += [
            replace(form, words=spelled)
            for form in list(forms) for spelling in _SPELLINGS
            for spelled in (tuple(word.translate(spelling) for word in _unmarked(form.words)),
                            _unmarked(tuple(word.translate(spelling) for word in form.words)))
            if spelled != form.words
        ]
    return list({(form.words, form.replacement): form for form in forms}.values())


# The kinds of name a firm or a body is, and the legal forms written after a firm's name, in capitals as the register
# of enterprises writes them: aksjeselskap and allmennaksjeselskap, samvirkeforetak, selskap med delt or solidarisk
# ansvar, selskap med begrenset ansvar, norskregistrert utenlandsk foretak, kommunalt foretak, interkommunalt selskap,
# europeisk selskap, boligbyggelag.
FIRM_KINDS = ("employer", "school", "other")
LEGAL_SUFFIXES = frozenset(("AS", "ASA", "SA", "DA", "ANS", "BA", "NUF", "KF", "IKS", "SE", "BBL"))


# Particles of names ("Pieter van der Berg", "Abdi bin Omar", "Maria de Souza", "Ahmed al-Hassan",
# "Ahmed Ould Abdallah"): part of the name where they stand in it, but no one's name alone, and many
# are everyday Norwegian words ("de", "der", "den", "da", "av"). Found alone, "de" became a pseudonym
# surname in every sentence. Not "ben" (a given name too), nor "Đỗ" (a Vietnamese surname).
NAME_PARTICLES = frozenset((
    "al", "el", "bin", "ibn", "bint", "binti", "ould", "van", "von", "vom", "zu", "der", "den", "ter", "ten",
    "de", "da", "di", "dos", "das", "du", "del", "della", "la", "af", "av",
    # Vietnamese middle names that say a man's or a woman's name follows, and name no one alone.
    "văn", "thị",
))


def _no_name_alone(word: str, original: str) -> bool:
    """Whether `word` of a person's name `original`, as the key holds it, names no one alone: a particle
    (on NAME_PARTICLES, or written in lower case in a name written with capitals: "van", "bin", "al" of
    "al-Hassan"; not "fatima" of a name accepted as "fatima warsame") or one letter ("D" of "D'Souza",
    "N" of "N'Diaye", "O" of "O'Brien")."""
    if len(word) == 1 or word.casefold() in NAME_PARTICLES:
        return True
    return word.islower() and any(other[:1].isupper() for other in WORD.findall(original))


# Initials run together, each with its full stop ("K.N.", "A.B.C."), as a person is named by them.
_INITIALS = re.compile(r"(?:[^\W\d_]\.){2,}")


def _called_so(text: str, start: int) -> bool:
    """Whether the word at `start` in `text` is said as what someone is called (candidates.called_before)."""
    from qualcode.anonymise.candidates import called_before  # here: candidates imports this module

    return called_before(text, start)


def _marked(original: str) -> bool:
    """Whether `original` ends with a meeting export's marker in brackets ("Yonas Tesfaye (Gjest)": candidates.without_marker)."""
    if not original.rstrip().endswith((")", "]")):
        return False
    from qualcode.anonymise.candidates import without_marker  # here: candidates imports this module

    return without_marker(original) != original


def _without_last_full_stop(entry: KeyEntry) -> str:
    """`entry`'s pseudonym as its whole name is replaced: one that ends with an initial ("Sondre A." for
    "Kari H.") or with initials run together ("T.B." for "K.N.") without the last full stop, which the text keeps,
    since the words found end at the letter ("Kari H. kom inn." read "Sondre A.. kom inn.")."""
    pseudonym = entry.pseudonym
    last = entry.original.split()[-1]
    if entry.kind == "person" and pseudonym.endswith(".") and (
            (is_initial(last) and is_initial(pseudonym.split()[-1])) or _INITIALS.fullmatch(last) is not None):
        return pseudonym[:-1]
    return pseudonym


def _initial_forms(entry: KeyEntry, name_parts: list[list[str]], pseudonym_parts: list[str]) -> list[Form]:
    """A person's first name with their surname's initial ("Kjersti H.") and the first name's initial
    with the surname ("K. Haugland"), each to the pseudonym written so: the real initial beside a
    pseudonym ("Randi H.", "K. Eliassen") still pointed at the person."""
    if len(name_parts) < 2 or len(pseudonym_parts) != len(name_parts) or entry.pseudonym.startswith("("):
        return []
    first, last = name_parts[0], name_parts[-1]
    if len(first) != 1 or len(last) != 1:  # "Anne-Lise", "Berg-Hansen": their initials are written many ways
        return []
    if len(first[0]) == 1 or len(last[0]) == 1:  # "K. Haugland", "Kari H.": the name is written with its initial already
        return []
    first_name, surname = first[0].casefold(), last[0].casefold()
    return [
        Form((first_name, surname[0]), f"{pseudonym_parts[0]} {pseudonym_parts[-1][0]}", entry, True, gaps=(" ",), initial="last"),
        Form((first_name[0], surname), f"{pseudonym_parts[0][0]}. {pseudonym_parts[-1]}", entry, True, gaps=(". ",), initial="first"),
    ]


def words_found_alone(entry: KeyEntry) -> set[str]:
    """The words of `entry` the key replaces wherever they stand alone (a person's first name and
    surname, a NAV office's place), casefolded: only these may go unproposed elsewhere. A word of
    an employer's or a school's name is replaced only inside the whole name."""
    if entry.kind not in LIST_KINDS:
        return set()
    return {form.words[0] for form in _forms(entry) if len(form.words) == 1}


def parts_alone(entry: KeyEntry) -> dict[tuple[str, ...], str]:
    """The parts of a person's name the key replaces alone, as casefolded words, each to which part it is (GIVEN,
    SURNAME, PIECE): "Berg" of "Hansen-Berg" a PIECE, ("al", "khatib") of "Ahmad al-Khatib" its SURNAME."""
    if entry.kind != "person":
        return {}
    return {form.words: form.part for form in _forms(entry) if form.part}


def particles_of(entry: KeyEntry) -> set[str]:
    """The particles and single letters of a person's name the key holds ("van", "der", "bin", "D" of
    "D'Souza"), casefolded: replaced inside the name, never alone, and no one's name to propose alone."""
    if entry.kind != "person":
        return set()
    return {word.casefold() for word in WORD.findall(as_latin(entry.original)) if _no_name_alone(word, entry.original)}


# Letters a name is written with in their stead, beyond the marks taken off (_unmarked): letters that
# carry no combining mark to take off, Norwegian, Polish, Sámi (đ, ŋ, ŧ, ʒ), Turkish and Azerbaijani
# (dotless ı, ə) and Icelandic ones: "Yilmaz" and "YILMAZ" for "Yılmaz", "Tuvvi" for "Ŧuvvi", "Nuolja"
# or "Nguolja" for "Ŋuolja".
_FOREIGN_LETTERS = {"ł": "l", "đ": "d", "ß": "ss", "ı": "i", "ŧ": "t", "ʒ": "z", "ə": "e", "ð": "d", "þ": "th", "œ": "oe"}
_SPELLINGS = (
    str.maketrans({"ø": "o", "æ": "ae", "ŋ": "n", **_FOREIGN_LETTERS}),
    str.maketrans({"å": "aa", "ø": "oe", "æ": "ae", "ŋ": "ng", **_FOREIGN_LETTERS}),
)
# The letters of a Norwegian keyboard: a word written with others ("Sükrü", "Čahppes") may be a name
# the key holds with other marks, or none ("Şükrü", "Čáhppes"), and is looked up without them too.
_KEYBOARD_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzæøå0123456789")


def spellings(word: str) -> set[str]:
    """`word` casefolded and as the matcher also finds it written: without its letters' marks and
    with their stand-ins ("kåre", "kare", "kaare"). A pseudonym must be like none of an original's."""
    folded = (as_latin(word).casefold(),)
    return {folded[0]} | {
        spelled[0] for spelling in _SPELLINGS
        for spelled in (tuple(w.translate(spelling) for w in _unmarked(folded)), _unmarked(tuple(w.translate(spelling) for w in folded)))
    }


@lru_cache(maxsize=4096)
def _plain_readings(folded: str) -> frozenset[str]:
    """A casefolded word written with letters a Norwegian keyboard lacks, as the matcher's forms are
    also written: without any of its marks ("sükrü" and "şukru" as "sukru", "duddá" as "dudda"). A
    keyboard word ("gård") is only itself: the forms hold what its name is written as."""
    if _KEYBOARD_LETTERS.issuperset(folded):
        return frozenset()
    return frozenset(spellings(folded)) - {folded}


def _written_as(folded: str, form_word: str) -> bool:
    """Whether `folded`, a word of a text casefolded, is `form_word` of a form: as it is, or without its marks."""
    return folded == form_word or form_word in _plain_readings(folded)


def _unmarked(words: tuple[str, ...]) -> tuple[str, ...]:
    """Casefolded words without combining marks ("máret" -> "maret", "åse" -> "ase")."""
    return tuple("".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch)) for word in words)


def _literal_forms(entry: KeyEntry) -> list[Form]:
    """An address, e-mail address or number the key holds, found as written in any case and
    however it is spaced ("fjellveien 12"), as the leak check finds it: the pattern detectors
    find such identifiers only in their usual writing. A date of birth has its own search."""
    found = list(WORD.finditer(as_latin(entry.original)))
    words = tuple(match.group().casefold() for match in found)
    if not words or entry.kind == "birth_date":
        return []
    if entry.kind == "profile":  # its words as written: "g.rasmussen" is not "G. Rasmussen", nor "m.a.o" "m a o"
        gaps = tuple(entry.original[one.end():two.start()] for one, two in zip(found, found[1:], strict=False))
        before = "@" if entry.original.lstrip().startswith(("@", "\uff20")) else ""
        return [Form(words, entry.pseudonym, entry, capitalised=False, gaps=gaps, before=before)]
    return [Form(words, entry.pseudonym, entry, capitalised=False, any_space=True)]


_SPACE = re.compile(r"\s")


# Three or more letters each on its own, joined by the same hyphen, space or full stop (and space)
# throughout: a word spelled out ("K-A-R-I", "K A R I", "K. A. R. I.", "S i s s e l", "s-i-s-s-e-l"),
# and "K-A-R-I. N. O. R. D" two words. Taken only where the letters make a word of a name the key
# holds, so "i å e" said in passing costs a look-up (the search: some 3 ms on 80 KB, capitals only 1 ms).
_SPELLED = re.compile(r"(?<!\w)[^\W\d_](-|\. ?| )[^\W\d_](?:\1[^\W\d_])+\.?(?!\w)")


def _after_an_initial(word: str, gap: str) -> bool:
    """Whether `gap` follows `word`, of a person's name, as it follows an initial: its full stop and a space or a
    line break ("K. Haugland", "Kari H. Hansen")."""
    return len(word) == 1 and gap[:1] == "." and gap[1:] in (" ", "\n")


def _an_initial(text: str, token: re.Match[str]) -> bool:
    """Whether `token` is one capital letter written with its full stop, as an initial is."""
    letter = token.group()
    return len(letter) == 1 and letter.isupper() and text[token.end():token.end() + 1] == "."
# A small letter and a capital in one word, where a space was lost ("medKari"): letters of the
# Latin alphabets Norwegian transcripts use (re cannot ask a letter's case in one pattern).
_SMALL_THEN_CAPITAL = re.compile(r"[a-zß-öø-ÿ][A-ZÀ-ÖØ-Þ]")


# A hyphen inside a word, at most followed by a line break and spaces ("Nord-mann", "Bak- ken", "Bak-\nken");
# not a dash between words ("Kari - Nordmann"), which has a space before it.
_HYPHEN_INSIDE = re.compile(r"-[ \t]*\n?[ \t]*")
_WHOLE = re.compile(r".+", re.DOTALL)


def _whole_handle(text: str, start: int, end: int) -> bool:
    """Whether the words at start..end are a whole handle, as the detector reads one (HANDLE_AT):
    an @ right before them (no e-mail address's: "kari@at.no"), and no more of a handle after
    them ("@at.jobb" is another account)."""
    at = start - 1
    if at < 0 or text[at] not in ("@", "\uff20"):
        return False
    space = _SPACE.search(text, end)
    low = max(0, at - 1)
    piece = text[low:space.start() if space else len(text)].replace("\uff20", "@")  # a full-width @ as the detectors read it
    handle = HANDLE_AT.match(piece, at - low)
    return handle is not None and handle.end() == end - low


def genitive_of(name: str) -> str:
    """`name` in the genitive as a pseudonym is written in one: "Karis", "Lars'"."""
    return name + ("'" if name.endswith(("s", "x", "z")) else "s")


def _genitive_ending(text: str, start: int, end: int) -> int:
    """How many characters after the name at start..end make its genitive ("Kari's", "Lars'"):
    a bare apostrophe only after s, x or z, and never one that closes a quotation the name opens
    with ('Hilde', ‘Lars’), which is the quote's and stays in the text."""
    for apostrophe in APOSTROPHES:
        after = end + len(apostrophe)
        if not text.startswith(apostrophe, end) or text[after:after + 1].isalpha():
            continue
        if apostrophe in ("'", "’") and (
            text[end - 1:end].lower() not in ("s", "x", "z") or text[start - 1:start] in ("'", "‘")
        ):
            return 0
        return len(apostrophe)
    return 0


def _may_be_misspelt(folded: str) -> bool:
    """Whether a word one edit from a known name may be that name misspelt, not a word of its own."""
    # Imported here: only a word near a known name is looked up, and the lists load slowly.
    from qualcode.anonymise.candidates import given_names, nynorsk_word, surnames, zipf

    frequency = zipf(folded)
    if frequency < FUZZY_MAX_ZIPF:
        return not nynorsk_word(folded)  # rare in bokmål, which wordfreq's list is, but not in nynorsk
    return frequency < FUZZY_NAME_MAX_ZIPF and (folded in given_names() or folded in surnames())


def _nynorsk_word(folded: str) -> bool:
    from qualcode.anonymise.candidates import nynorsk_word  # here: candidates imports this module

    return nynorsk_word(folded)


def _a_word_not_a_name(folded: str) -> bool:
    """A nynorsk word that is on no list of given names: written in lower case, it is the word
    ("leite", "botnen", "lia"), where a given name in lower case ("fatima") is still the name."""
    from qualcode.anonymise.candidates import given_names

    return folded not in given_names() and _nynorsk_word(folded)


class KnownMatcher:
    """An index of every form of every listed identifier in a key, and of its denied entries."""

    @classmethod
    def of(cls, key: PseudonymKey) -> KnownMatcher:
        """The key's matcher as the key stands, built once for it: every export's guard, every typed text and
        every file of an import built its own, about 20 ms each for a key of 250 names (39 for an import of
        19 files). Built again whenever what it reads of the key has changed since."""
        signature = _matcher_signature(key)
        with _MATCHERS_LOCK:  # the terminal UI's workers read and write typed text in threads of their own
            for index, (held, held_signature, matcher) in enumerate(_MATCHERS):
                if held is key and held_signature == signature:
                    _MATCHERS.insert(0, _MATCHERS.pop(index))
                    return matcher
            matcher = cls(key)
            _MATCHERS.insert(0, (key, signature, matcher))
            del _MATCHERS[_MATCHERS_KEPT:]
            return matcher

    def __init__(self, key: PseudonymKey) -> None:
        self.key = key
        self.denied: dict[str, list[tuple[list[str], KeyEntry]]] = {}
        for denied in key.denied:
            stand_in = KeyEntry(original="(trukket tilbake)", kind=denied.kind, pseudonym=PLACEHOLDERS.get(denied.kind, "(anonymisert)"))
            self.denied.setdefault(denied.words[0], []).append((denied.words, stand_in))
        for forms_of_word in self.denied.values():
            forms_of_word.sort(key=lambda item: -len(item[0]))
        self.by_first: dict[str, list[Form]] = {}
        # A person's whole name run together, as in an address or a handle ("@sisselbakken").
        self.glued: dict[str, KeyEntry] = {}
        self.numbers: dict[str, KeyEntry] = {}
        for entry in key.entries:
            for form in _forms(entry) if entry.kind in LIST_KINDS else _literal_forms(entry):
                self.by_first.setdefault(form.words[0], []).append(form)
            if entry.kind == "person":
                parts = [match.group().casefold() for match in WORD.finditer(as_latin(entry.original))]
                if len(parts) > 1:
                    self.glued.setdefault("".join(parts), entry)
            elif entry.kind in NUMBER_KINDS:  # a phone number also without its +47, as the detector reads it
                # in the digits 0-9, as text is read (_find_numbers), however the key's original was written
                original = plain_digits(entry.original)
                for written in {re.sub(r"\D", "", original), phone_digits(original)}:
                    if len(written) >= 8:
                        self.numbers.setdefault(written, entry)
        for forms in self.by_first.values():
            # Longest first; of those as long, a name the key holds whole (or a given name) before a word another's
            # name holds, which may be someone else: "Berg" accepted as a person of their own was replaced as
            # the word of "Hansen-Berg" the key learned first.
            forms.sort(key=lambda form: (-len(form.words), form.part in (SURNAME, PIECE)))
        self.single_words = sorted(self.by_first)
        # Words the researcher dismissed, which are no name: only spelt like one the key holds ("Nails" of "Nails &
        # Beauty" beside Nils), a dismissed word is theirs to keep. Words, not phrases: a dismissed "Kjære Gunnvor"
        # settles the phrase, and its "Gunnvor" is still Gunvor misspelt.
        self.dismissed = frozenset(word.casefold() for word in key.dismissed if len(WORD.findall(word)) == 1)
        self._fuzzy_cache: dict[str, str | None] = {}

    def _lookup(self, word: str) -> tuple[str | None, bool, bool]:
        """The indexed first word `word` stands for, whether it is a genitive, and whether it is only spelt
        like that word (a fuzzy match, one edit away)."""
        folded = word.casefold()
        if folded in self.by_first:
            return folded, False, False
        if folded.endswith("s") and folded[:-1] in self.by_first and not _nynorsk_word(folded):  # "Elles" is no "Elle"'s
            return folded[:-1], True, False
        for plain in sorted(_plain_readings(folded)):  # "Sükrü" for "Şükrü", "Čahppes" for "Čáhppes"
            if plain in self.by_first:
                return plain, False, False
            if plain.endswith("s") and plain[:-1] in self.by_first:
                return plain[:-1], True, False
        if len(folded) < FUZZY_MIN_LENGTH or not word[:1].isupper() or not self.single_words or self._dismissed(folded):
            return None, False, False
        if folded not in self._fuzzy_cache:
            # Imported here, so commands that match no names start quicker.
            from rapidfuzz import fuzz, process

            best = process.extractOne(folded, self.single_words, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            self._fuzzy_cache[folded] = best[0] if best and _may_be_misspelt(folded) else None
        return self._fuzzy_cache[folded], False, self._fuzzy_cache[folded] is not None

    def _dismissed(self, folded: str) -> bool:
        """Whether the researcher dismissed `folded`, a casefolded word, or the word its genitive's s follows ("Nailss")."""
        return folded in self.dismissed or (folded.endswith("s") and folded[:-1] in self.dismissed)

    def find(self, text: str) -> list[KnownMatch]:
        if not self.by_first and not self.denied:
            return []
        found = self._find_words(text)
        more = [match for match in [*self._find_numbers(text), *self._find_spelled(text)]
                if not any(match.start < other.end and other.start < match.end for other in found)]
        return sorted(found + more, key=lambda match: match.start) if more else found

    def _find_spelled(self, text: str) -> list[KnownMatch]:
        """A name spelled out letter by letter ("K-A-R-I", "K. A. R. I."), as one is said for the
        transcriber: spelled as the pseudonym's word is ("A-N-N-E"), the real one beside the pseudonym
        ("Anne, altså K-A-R-I") named the person."""
        found: list[KnownMatch] = []
        for spelled in _SPELLED.finditer(text):
            letters = [letter for letter in spelled.group() if letter.isalpha()]
            word = "".join(letters)
            form = next((form for form in self.by_first.get(word.casefold(), []) if len(form.words) == 1), None)
            if form is None or form.replacement.startswith("(") or " " in form.replacement:
                continue
            joiner = spelled.group(1)
            pseudonym = form.replacement.lower() if word.islower() else form.replacement.upper() if word.isupper() else (
                form.replacement[:1].upper() + form.replacement[1:].lower())
            replacement = joiner.join(pseudonym)
            if spelled.group().endswith(".") and not replacement.endswith("."):
                replacement += "."
            found.append(KnownMatch(spelled.start(), spelled.end(), spelled.group(), replacement, form.entry))
        return found

    def _find_numbers(self, text: str) -> list[KnownMatch]:
        """The key's numbers in runs of digits, each starting and ending where a group does, in whatever
        digits they are written ("９１２ ３４５ ６７", "⁹¹² ³⁴⁵ ⁶⁷"): read as the detectors read them."""
        found: list[KnownMatch] = []
        plain = plain_digits(text) if self.numbers else text  # one character for one: each offset is the text's
        for run in _DIGIT_RUN.finditer(plain) if self.numbers else ():
            positions = [run.start() + offset for offset, character in enumerate(run.group()) if character.isdigit()]
            digits = "".join(plain[position] for position in positions)
            edges = {0, len(positions)} | {i for i in range(1, len(positions)) if positions[i] != positions[i - 1] + 1}
            for number, entry in self.numbers.items():
                at = digits.find(number)
                while at >= 0:
                    if at in edges and at + len(number) in edges:
                        start, end = positions[at], positions[at + len(number) - 1] + 1
                        found.append(KnownMatch(start, end, text[start:end], entry.pseudonym, entry))
                    at = digits.find(number, at + 1)
        return found

    def _find_words(self, text: str) -> list[KnownMatch]:
        tokens = self._words(text)
        found_denied = self._find_denied(text, tokens) if self.denied else []
        seen = as_latin(text)
        if seen is text:
            listed = self._find_listed(text, tokens)
        else:  # found in the text read as Latin letters, and reported as it is written
            listed = [replace(match, text=text[match.start:match.end]) for match in self._find_listed(seen, self._words(seen))]
        return sorted(found_denied + listed, key=lambda match: match.start)

    def _words(self, text: str) -> list[re.Match[str]]:
        """The words of `text`, a word with a capital right after a small letter read as the words
        it joins: a space lost in typing ("medKari", "HunKari Nordmann") left the name in the
        text. A person's whole name run together ("KariNordmann", "@SisselBakken") is one word."""
        tokens = list(WORD.finditer(text))
        joins = [join.start() + 1 for join in _SMALL_THEN_CAPITAL.finditer(text)]
        if not joins:
            return tokens
        split: list[re.Match[str]] = []
        for token in tokens:
            start, end = token.span()
            inside = joins[bisect_right(joins, start):bisect_left(joins, end)]
            if not inside or self._glued(token.group()) is not None or self._held_whole(token.group()):
                split.append(token)
                continue
            edges = [start, *inside, end]
            split.extend(part for one, two in zip(edges, edges[1:], strict=False) if (part := WORD.match(text, one, two)) is not None)
        return split

    def withdrawn(self, text: str) -> list[tuple[int, int]]:
        """Where `text` names a withdrawn person by an identifier the key keeps only as digests (start, end each)."""
        return [(match.start, match.end) for match in self._find_denied(text, self._words(text))] if self.denied else []

    def _find_denied(self, text: str, tokens: list[re.Match[str]]) -> list[KnownMatch]:
        """Words whose digest is a withdrawn person's: exact, or with a genitive s, never fuzzy."""
        digests: list[tuple[str, str | None]] = []
        for token in tokens:
            word = token.group()
            digests.append((self.key.digest(word), self.key.digest(word[:-1]) if word[-1:] in "sS" and len(word) > 2 else None))
        found: list[KnownMatch] = []
        index = 0
        while index < len(tokens):
            matched = None
            for first in digests[index]:
                for words, entry in self.denied.get(first or "", []):
                    size = len(words)
                    window = digests[index:index + size]
                    if len(window) == size and all(w in pair for w, pair in zip(words[1:], window[1:], strict=True)):
                        matched = (size, entry)
                        break
                if matched:
                    break
            if matched is None:
                index += 1
                continue
            size, entry = matched
            start, end = tokens[index].start(), tokens[index + size - 1].end()
            end += _genitive_ending(text, start, end)
            found.append(KnownMatch(start, end, text[start:end], entry.pseudonym, entry))
            index += size
        return found

    def _find_listed(self, text: str, tokens: list[re.Match[str]]) -> list[KnownMatch]:
        if not self.by_first:
            return []
        found: list[KnownMatch] = []
        # What each word stands for, looked up once per distinct word: a text says most of its
        # words many times (a quote table's 12,500 words are some 2,000 distinct ones).
        looked_up: dict[str, tuple[str | None, bool, bool, KeyEntry | None]] = {}
        index = 0
        while index < len(tokens):
            token = tokens[index]
            word = token.group()
            known = looked_up.get(word)
            if known is None:
                known = looked_up[word] = (*self._lookup(word), self._glued(word) if self.glued else None)
            first, genitive, fuzzy, glued = known
            match = self._match_at(text, tokens, index, first, genitive, fuzzy) if first else None
            if match is None and glued is not None:
                replacement = glued.pseudonym.replace(" ", "") if not glued.pseudonym.startswith("(") else glued.pseudonym
                match = KnownMatch(token.start(), token.end(), word, replacement.lower(), glued), 1
            # Only a word a hyphen follows may be a name's first part split by one (looked at before the call:
            # a quote table's some 12,000 words are each looked at here).
            if match is None and index + 1 < len(tokens) and text.startswith("-", token.end()):
                match = self._match_hyphenated(text, tokens, index)
            if match is None and word.casefold().endswith(COMPOUND_ENDINGS):
                compounded = self._compounded(token)
                match = (compounded, 1) if compounded is not None else None
            if match is None:
                index += 1
                continue
            found.append(match[0])
            index += match[1]
        return found

    def _compounded(self, token: re.Match[str]) -> KnownMatch | None:
        """A person's name the key holds, as one word, written together with a word for their family, farm or home
        (COMPOUND_ENDINGS): "Klunglandfamilien", "Hansensgården"; its pseudonym's word in its place."""
        word = token.group()
        folded = word.casefold()
        ending = next(ending for ending in COMPOUND_ENDINGS if folded.endswith(ending))
        stem = folded[:-len(ending)]
        for name in (stem, stem[:-1] if stem.endswith("s") else ""):  # "Hansensgården": a genitive's s between
            forms = [form for form in self.by_first.get(name, ()) if len(form.words) == 1 and form.entry.kind == "person"
                     and not form.replacement.startswith("(") and " " not in form.replacement]
            # A short name only capitalised ("Olafamilien"): in lower case it is as often a word's first part.
            lower = not word[:1].isupper()
            if not name or not forms or (lower and (len(name) < FUZZY_MIN_LENGTH or (forms[0].capitalised and not forms[0].any_case))):
                continue
            form = forms[0]
            replacement = form.replacement if word[:1].isupper() else form.replacement.lower()
            return KnownMatch(token.start(), token.end(), word, replacement + word[len(name):], form.entry, form.part,
                              word[:len(name)] if form.part else "")
        return None

    def _match_hyphenated(self, text: str, tokens: list[re.Match[str]], index: int) -> tuple[KnownMatch, int] | None:
        """A word of a name a hyphen splits, found as the word: "Nord-mann", and "Bak- ken" or
        "Bak-\nken" where a line's hyphenation was kept or its lines joined with a space. Read as
        two words, neither is the name, and the surname stayed beside the given name's pseudonym."""
        one, two = tokens[index], tokens[index + 1]
        if _HYPHEN_INSIDE.fullmatch(text, one.end(), two.start()) is None:
            return None
        first, genitive, fuzzy = self._lookup(one.group() + two.group())
        if first is None:
            return None
        both = _WHOLE.match(text, one.start(), two.end())
        assert both is not None
        match = self._match_at(text, [*tokens[:index], both, *tokens[index + 2:]], index, first, genitive, fuzzy)
        return (match[0], match[1] + 1) if match is not None else None

    def _held_whole(self, word: str) -> bool:
        """Whether the key holds `word` as one word (or its genitive), capitals inside and all ("EliSofie")."""
        folded = word.casefold()
        return folded in self.by_first or (folded.endswith("s") and folded[:-1] in self.by_first)

    def _glued(self, word: str) -> KeyEntry | None:
        """The person whose whole name, run together, `word` is (or its genitive)."""
        folded = word.casefold()
        return self.glued.get(folded) or (self.glued.get(folded[:-1]) if folded.endswith("s") else None)

    def _match_at(
        self, text: str, tokens: list[re.Match[str]], index: int, first: str, genitive: bool, fuzzy: bool = False,
    ) -> tuple[KnownMatch, int] | None:
        folded: list[str] = []
        for form in self.by_first[first]:
            size = len(form.words)
            if index + size > len(tokens):
                continue
            window = tokens[index:index + size]
            # A proper noun is found capitalised ("Berg" the surname, not "berg" the mountain); a
            # whole name of two or more words is found however it is written ("sissel bakken",
            # "nav grünerløkka", "fjordkysten regnskap").
            if form.capitalised and not form.any_case and not window[0].group()[:1].isupper() and size == 1:
                continue
            if size == 1 and form.capitalised and not window[0].group()[:1].isupper() and _a_word_not_a_name(form.words[0]):
                continue  # a surname or place rare in bokmål that is a nynorsk word in lower case: "leite", "botnen"
            if size == 1 and not form.capitalised and not form.any_case and form.entry.kind == "person" \
                    and window[0].group().islower() and not _called_so(text, window[0].start()):
                # A given name that is an everyday word, accepted as said in lower case ("dattera mi heter liv", "heiter
                # stein"): the name where said as what someone is called, elsewhere the word ("ein stein", "i dag", "per time").
                continue
            if size > 1:
                gaps = [text[window[k].end():window[k + 1].start()] for k in range(size - 1)]
                # A person's name joined by a dot or an underscore too, as in an address or a handle; and its
                # hyphen where a line broke after it ("Anne-\nLise Marthinsen" became "Kristin-\nKristin Berg").
                joiners = PERSON_JOINERS if form.entry.kind == "person" else (" ", "-", "\n", *OTHER_HYPHENS)
                gaps_ok = tuple(gaps) == form.gaps if form.gaps is not None else all(
                    gap in joiners or (form.any_space and gap.isspace()) or _HYPHEN_INSIDE.fullmatch(gap) is not None
                    or (form.entry.kind == "person" and _after_an_initial(window[k].group(), gap))
                    for k, gap in enumerate(gaps))
                if not gaps_ok:
                    continue
                while len(folded) < size:  # the window's words casefolded, once for all the forms tried here
                    folded.append(tokens[index + len(folded)].group().casefold())
                said, wanted = folded[:size - 1], list(form.words[:-1])
                if said != wanted and not all(map(_written_as, said, wanted)):
                    continue
                last, name = folded[size - 1], form.words[-1]
                if last == name or (last != name + "s" and _written_as(last, name)):
                    genitive = False
                elif last.endswith("s") and (last == name + "s" or _written_as(last[:-1], name)):
                    genitive = True
                else:
                    continue
            if form.initial and not _an_initial(text, window[0 if form.initial == "first" else -1]):
                continue
            start, end = window[0].start(), window[-1].end()
            if form.before:
                if not _whole_handle(text, start, end):
                    continue
                start -= len(form.before)
            ending = _genitive_ending(text, start, end)
            if ending:
                end += ending
                genitive = True
            replacement = form.replacement
            if form.capitalised and not window[0].group()[:1].isupper() and not replacement.startswith("("):
                replacement = replacement.lower()  # a name written in lower case, its pseudonym likewise
            if genitive and not replacement.startswith("(") and replacement != "NN":
                replacement = genitive_of(replacement)
            joined = {text[window[k].end():window[k + 1].start()] for k in range(size - 1)}
            if len(joined) == 1 and joined <= {".", "_"} and not replacement.startswith("("):
                # sissel.bakken as hege.lunde; "K.Haugland" as "S.Amundsen", the initial's full stop its joiner.
                joiner = joined.pop()
                replacement = "".join(part if part.endswith(joiner) else part + joiner for part in replacement.split(" ")[:-1]) \
                    + replacement.split(" ")[-1]
            doubt = SPELT_ALIKE if fuzzy else form.part
            named = ""
            if doubt:
                named = text[window[0].start():window[-1].end()]
                if genitive and not ending and named[-1:] in "sS":  # "Bergs": the name is "Berg"
                    named = named[:-1]
            return KnownMatch(start, end, text[start:end], replacement, form.entry, doubt, named), size
        return None
