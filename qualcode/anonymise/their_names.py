"""A withdrawn participant's pseudonym as the project's own texts write it, to take it out of them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from qualcode.anonymise.key import KeyEntry
from qualcode.anonymise.known import NAME_PARTICLES
from qualcode.anonymise.pseudonyms import is_initial, is_placeholder

# A name in the genitive ("Malins", "Malin's") is the name too.
_GENITIVE = r"(?:s|'s|’s|')?"
# Where a sentence begins, so a capital may be grammar's: the text's start, after a sentence's end or a
# colon, or a new line, with quotation marks, brackets or a list's dash between.
_SENTENCE_START = re.compile(r"(?:\A|[.!?…:]\s+|\n)[\s«\"'“”‘’(\[–—-]*\Z")
# A word joined by a hyphen to a capitalised one: a part of a double name ("Berg-Madsen", "Anne-Lise").
_NAME_BEFORE = re.compile(r"(?<![\w-])(\w+)-\Z")
_NAME_AFTER = re.compile(r"-(\w+)")
_NEAR = 80


def _variants(name: str) -> list[tuple[str, ...]]:
    """How a text may write a person's `name`: whole, each part alone and with the particles before it ("van der
    Berg" of "Anne van der Berg": left behind, "gruppe_van_der_Berg" became "gruppe_van_der_trukket_tilbake"), and a
    part with the other's initial ("Malin J.", "M. Jacobsen"), each as its words. A particle, a letter or an initial
    alone names no one: "A." of "Sondre A." took "Plan A." for them."""
    parts = name.split()
    found = [tuple(parts)]
    for index, part in enumerate(parts):
        if len(part) > 1 and not is_initial(part) and not _particle(part):
            found.append((part,))
            if 0 < (start := _particles_before(parts, index)) < index:
                found.append(tuple(parts[start:index + 1]))
    if len(parts) > 1 and not is_initial(parts[0]) and not is_initial(parts[-1]):  # "Sondre A." is written so already
        found += [(parts[0], f"{parts[-1][0]}."), (f"{parts[0][0]}.", parts[-1])]
        if (start := _particles_before(parts, len(parts) - 1)) < len(parts) - 1:
            found.append((f"{parts[0][0]}.", *parts[start:]))  # "A. van der Berg"
    return found


def _particle(word: str) -> bool:
    return word.casefold() in NAME_PARTICLES


def _particles_before(parts: list[str], index: int) -> int:
    """Where the run of particles right before `parts[index]` begins (`index` itself when none is)."""
    start = index
    while start > 0 and _particle(parts[start - 1]):
        start -= 1
    return start


class TheirNames:
    """Finds a withdrawn participant's pseudonym in text: whole, and each part of it or form with an
    initial that is theirs alone. A part another pseudonym or a colleague's name shares ("Jacobsen" of
    "Terje Jacobsen") names them only beside their first name, so alone it stays: it may be the other's."""

    def __init__(self, theirs: Iterable[KeyEntry], others: Iterable[str], placeholder: str) -> None:
        # Imported here: candidates imports the modules this one does.
        from qualcode.anonymise.candidates import SENTENCE_START_NAME_MAX_ZIPF, everyday_word, zipf

        theirs = list(theirs)
        self._placeholder = placeholder
        # Their pseudonyms whole, as the key held them: what a withdrawal keeps to find them again.
        self.pseudonyms = sorted({entry.pseudonym for entry in theirs if entry.kind == "person" and not is_placeholder(entry.pseudonym)})
        taken = {tuple(word.casefold() for word in variant) for name in others for variant in _variants(name)}
        forms = {
            variant for entry in theirs if entry.kind == "person" and not is_placeholder(entry.pseudonym)
            for variant in _variants(entry.pseudonym) if tuple(word.casefold() for word in variant) not in taken
        }
        self._folded = {tuple(word.casefold() for word in form) for form in forms}
        # Their whole pseudonym run together, as the key writes a name run together (a handle, a file's name:
        # "ellenstrøm_notat" came in as "toramoen_notat"): no word, so theirs in any case, as a whole name is.
        # Not where it is another's name ("Kari Anne" run together is "Karianne").
        run_together = {"".join(pseudonym.split()).casefold() for pseudonym in self.pseudonyms if len(pseudonym.split()) > 1}
        self._glued = {glued for glued in run_together if (glued,) not in taken and not everyday_word(glued)}
        # A part that is as common a word as "Per", "Liv" or "Dag": first in a sentence it may be that word, as
        # the review of candidates takes it there ("Lene", "Strand" or "Bakken" is the name there too).
        self._everyday = {form[0].casefold() for form in forms if len(form) == 1 and everyday_word(form[0].casefold())
                          and zipf(form[0].casefold()) >= SENTENCE_START_NAME_MAX_ZIPF}
        # In a transcript's or file's name a name is written in lower case too, as `clean_name` reads it at import
        # ("gruppe_ellen_strøm"): there a form is theirs in any case, but an everyday word alone ("strøm") only capitalised.
        self._any_case = {tuple(word.casefold() for word in form) for form in forms if len(form) > 1 or not everyday_word(form[0].casefold())}
        # Those kept so, as written, for the researcher to read again (`kept`).
        self.kept: set[str] = set()
        # The longest first, so "Malin Jacobsen" is taken whole before "Malin" alone.
        # A transcript's or file's name joins the words of a name by an underscore, a dot or a hyphen ("gruppe_Malin_Jacobsen"),
        # and an underscore parts it from the words beside it as a space does.
        alternatives = [r"(?:\s+|[_.-])".join(re.escape(word) for word in form) for form in sorted(forms, key=lambda form: -len(" ".join(form)))]
        alternatives = [*map(re.escape, sorted(self._glued, key=len, reverse=True)), *alternatives]
        self._pattern = re.compile(rf"(?<![^\W_])(?:{'|'.join(alternatives)}){_GENITIVE}(?![^\W_])", re.IGNORECASE) if alternatives else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def redact(self, text: str, placeholder: str | None = None, *, any_case: bool = False) -> str:
        """`text` with each of their names replaced by `placeholder` (the one given when made, unless another
        is given here). Names are written with a capital: "bakken" is the hill, not Bakken. With `any_case`,
        for a name qualcode may have lower-cased (a transcript's or file's, "gruppe_ellen_strøm"; an attribute's,
        "notat_malin jacobsen"), a name of more than one word, or one no everyday word, in lower case too
        ("timer_per_uke" and "strøm_kostnader" keep theirs)."""
        if self._pattern is None or not text:
            return text
        put = self._placeholder if placeholder is None else placeholder
        return self._pattern.sub(lambda match: put if self._theirs(match, any_case=any_case) else match.group(), text)

    def _theirs(self, match: re.Match[str], *, any_case: bool = False) -> bool:
        """Whether a form found names them: written with a capital (or, `any_case`, in lower case as above),
        not a one-word part of a double name joined by a hyphen (another's "Berg-Madsen" holds no "Madsen" of theirs),
        and not an everyday word where a sentence begins ("Per uke …", "Dag for dag …"), which is kept and said."""
        found, text, start = match.group(), match.string, match.start()
        written = self._written_as(found)
        glued = len(written) == 1 and written[0] in self._glued  # run together: no word, theirs in any case
        if not glued and not _capitalised(found) and not (any_case and written in self._any_case):
            return False
        # Read in a few words before it only, so a long memo naming them often is read once. A double name holds a
        # part of theirs ("Madsen" of "Berg-Madsen"), never more: a form of more words (their whole pseudonym, a part
        # with its particles), or run together, joined by a hyphen is theirs ("Gruppe-Tora-Moen-T2", a file's name).
        before = _NAME_BEFORE.search(text, max(0, start - _NEAR), start)
        after = _NAME_AFTER.match(text, match.end())
        if len(written) == 1 and not glued and (
                (before is not None and before.group(1)[:1].isupper()) or (after is not None and after.group(1)[:1].isupper())):
            return False
        if found.casefold() in self._everyday and _SENTENCE_START.search(text, max(0, start - _NEAR), start) is not None:
            self.kept.add(found)
            return False
        return True

    def _written_as(self, found: str) -> tuple[str, ...]:
        """The form `found` writes, as its words casefolded (joined in a name by "_", "." or "-"), without a genitive."""
        words = tuple(word.casefold() for word in re.split(r"\s+|[_.-]", found) if word)
        if words in self._folded or not words:
            return words
        return (*words[:-1], re.sub(r"(?:s|'s|’s|')\Z", "", words[-1]))

    def names(self, name: str) -> bool:
        """Whether `name` is one of their names, whole (a reviewer named by the key "Malin" or "Malin J.")."""
        return tuple(word.casefold() for word in name.split()) in self._folded


def _capitalised(found: str) -> bool:
    """Whether a form found is written as a name: its first word that is no particle with a capital ("van der Berg",
    "Van der Berg"; not "van der berg", the hill)."""
    words = [word for word in re.split(r"\s+|[_.-]", found) if word]
    return next((word for word in words if not _particle(word)), found)[:1].isupper()
