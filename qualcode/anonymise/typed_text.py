"""Text people type, and names of files, pseudonymised on its way into the project.

Transcripts are pseudonymised by the importer, span by span. Everything else that holds free
text (memos, code definitions, titles, attribute values, file names, the event log) passes
through here: a hook on the project's sessions cleans those columns of every new or changed
row before it is written, so no service can forget to.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Container
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from qualcode.coding.coders import DEFAULT_CODER
from qualcode.errors import AwaitsReview
from qualcode.store.models import (
    AttributeDefinition,
    Code,
    Coder,
    Coding,
    Event,
    FrameworkSummary,
    InterviewerSpeaker,
    Memo,
    Participant,
    ParticipantAttribute,
    Setting,
    Transcript,
    TranscriptAttribute,
    TranscriptParticipant,
    code_guid,
)
from qualcode.store.project import TYPED_CHECK, TYPED_READING, AsStored, Project
from qualcode.text.normalise import join_line_break_hyphens, visible
from qualcode.text.tokens import WORD

if TYPE_CHECKING:
    from qualcode.anonymise.apply import Pseudonymised, Replacement
    from qualcode.anonymise.key import PseudonymKey

# How a text is read for the key's replacements: pseudonymise(text, key, "typed text"), or the
# reading a flush shares between its check and its cleaning (TYPED_READING).
Reading = Callable[[str], "Pseudonymised"]

# The texts a session's guard has stored, as stored: what it wrote in place of what was typed, and
# what the rows it changed held before. A log entry's payload repeats a row's state before and after
# its change (for undo): such a text is kept as it is, not read as typed a second time, which would
# cost a long memo's reading twice more, and may take a pseudonym in it for another's name.
_STORED = "qualcode.stored_texts"

# The columns a person writes into (or a file's name reaches). Transcript texts and coding
# excerpts are not here: they are pseudonymised at import and must stay aligned with offsets.
FREE_TEXT: dict[type, tuple[str, ...]] = {
    Memo: ("title", "text"),
    Coding: ("memo",),
    # A code's name and path too: a name typed into the codebook, or brought by another program's file.
    Code: ("name", "path", "definition", "inclusion", "exclusion", "example", "signal_words"),
    Event: ("summary", "payload"),
    FrameworkSummary: ("text",),
    Transcript: ("title", "source_filename", "interviewer", "note_taker", "wave", "mode"),
    TranscriptParticipant: ("speaker_label",),  # a label the transcript gave a speaker ("Ola Johan:")
    InterviewerSpeaker: ("label",),  # the interviewer's, as the turns have it ("Eirik Vold" in a Teams file)
    # People's names too: a coder or a participant may be given a name the key holds, and the
    # exports would then be refused for good. Their lookups clean a name first (store.project.clean_typed).
    Coder: ("name",),
    Participant: ("name", "role", "gender", "age_band", "office"),
    AttributeDefinition: ("name",),
    ParticipantAttribute: ("value",),
    TranscriptAttribute: ("value",),
}


# Settings that hold what a person wrote or a file was called; the others are the program's own.
FREE_TEXT_SETTINGS = frozenset({"project.name", "codebook.name", "codebook.description", "tui.last_coder", DEFAULT_CODER})


def free_text_columns(row: object) -> tuple[str, ...]:
    """The columns of `row` that hold free text (none for most rows)."""
    if isinstance(row, Setting):
        return ("value",) if row.key in FREE_TEXT_SETTINGS else ()
    return FREE_TEXT.get(type(row), ())


def clean_column(
    row: object, column: str, value: Any, key: PseudonymKey, read: Reading | None = None, stored: Container[str] = frozenset(),
    quoted: tuple[str, ...] = (),
) -> Any:
    """A free-text column's value cleaned. Attribute names are kept in lower case, and the log
    keys attribute values by those names: both are cleaned as lower-case names (clean_folded).
    `read` reads a text for the key's replacements (once a flush: TYPED_READING); a log entry's
    payload keeps the texts in `stored` as they are (_STORED), and its summary the `quoted` excerpt
    of the coding it is about (_cleaned_quoting)."""
    if isinstance(row, AttributeDefinition) and column == "name":
        return clean_folded(value, key)
    if isinstance(row, Event) and column == "payload":
        return _clean_payload(value, key, stored)
    if isinstance(row, Event) and column == "summary" and row.entity == "participant" and isinstance(value, str):
        # "edited participant D2: fjeldstad - → ja" names the attribute as it is kept, in lower case.
        return _FOLDED_WORD.sub(lambda word: clean_folded(word.group(), key), clean_text(value, key))
    if isinstance(row, Event) and column == "summary" and isinstance(value, str) and quoted:
        return _cleaned_quoting(value, key, quoted)
    return clean_value(value, key, read)


_FOLDED_WORD = re.compile(r"(?<![\w])[^\W\d_A-ZÆØÅ][^\W_A-ZÆØÅ]+(?![\w])")


# What a log entry names a row or a text by, never by words: its GUID, content hash or id. Read as
# text, a run of a hash's digits can pass for an account number ("…f16877401905f…"), and replacing
# it would break the log's record of what was imported and what undo and redo act on.
_IDENTITY_FIELD = re.compile(r"(?:\w*_)?(?:guid|guids|hash|id|ids)")
_IDENTITY_VALUE = re.compile(
    r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?|[0-9a-fA-F]{32,}"
)


def _clean_payload(value: Any, key: PseudonymKey, stored: Container[str] = frozenset()) -> Any:
    """An event's payload cleaned, with the attribute names its "attributes" (values) and "types"
    (each attribute's type, a word of ours, kept) are keyed by; the GUIDs, hashes and ids in it
    are kept as they are (only what people wrote is cleaned), and so are the texts in `stored`,
    which repeat what a row holds as stored (_STORED)."""
    if isinstance(value, str):
        return value if _IDENTITY_VALUE.fullmatch(value) or value in stored else clean_text(value, key)
    if isinstance(value, list):
        return [_clean_payload(item, key, stored) for item in value]
    if isinstance(value, dict):
        return {
            name: item if isinstance(name, str) and _IDENTITY_FIELD.fullmatch(name)
            else {clean_folded(attribute, key): _clean_payload(held, key, stored) for attribute, held in item.items()}
            if name == "attributes" and isinstance(item, dict)
            else {clean_folded(attribute, key): held for attribute, held in item.items()}
            if name == "types" and isinstance(item, dict) else _clean_payload(item, key, stored)
            for name, item in value.items()
        }
    return value


def _cleaned_quoting(summary: str, key: PseudonymKey, quoted: tuple[str, ...]) -> str:
    """A log entry's summary cleaned, but for where it quotes one of the texts `quoted` (a coding's
    excerpt, as stored), whole or cut short with "…" (text.normalise.shortened): a pseudonym in the
    quote read again may be taken for another's name ("Sisel" for "Sissel")."""
    from qualcode.anonymise.apply import pseudonymise

    text = visible(summary)
    kept: list[tuple[int, int]] = []
    for quote in quoted:
        flat = " ".join(quote.split())
        for whole in re.finditer(re.escape(flat), text) if flat else ():
            kept.append(whole.span())
        for cut in re.finditer("…", text):
            # The longest start of the quote that the text holds just before its "…".
            length = next((length for length in range(min(len(flat) - 1, cut.start()), 0, -1)
                           if text.startswith(flat[:length], cut.start() - length)), 0)
            if length:
                kept.append((cut.start() - length, cut.start()))
    if not kept:
        return clean_text(summary, key)
    found = pseudonymise(text, key, "typed text")
    parts: list[str] = []
    position = 0
    for replacement in found.replacements:
        inside = any(start <= replacement.start and replacement.end <= end for start, end in kept)
        parts += [text[position:replacement.start], text[replacement.start:replacement.end] if inside else replacement.pseudonym]
        position = replacement.end
    parts.append(text[position:])
    return "".join(parts)


def clean_folded(text: str, key: PseudonymKey) -> str:
    """`text` cleaned; a lower-case text whose capitalised form names someone ("trond hansen") is
    replaced by the lower-cased pseudonym, as a name the key holds is no longer written as a name."""
    return _cleaned_folded(text, key)[0]


def _cleaned_folded(text: str, key: PseudonymKey) -> tuple[str, list[Replacement]]:
    """clean_folded(), with what it replaced (what the capitalised reading found, in lower case)."""
    cleaned, replaced = _cleaned(text, key)
    if not text.islower():
        return cleaned, replaced
    # Read capitalised too, after what lower case already found: "kari nordman" is "andrea nordman"
    # once "kari" is found in lower case, and the misspelt surname is found only capitalised.
    capitalised = cleaned.title()
    replaced_capitalised, more = _cleaned(capitalised, key)
    if replaced_capitalised == capitalised:
        return cleaned, replaced
    lowered = [replace(one, original=one.original.lower(), pseudonym=one.pseudonym.lower()) for one in more]
    return replaced_capitalised.lower(), [*replaced, *lowered]


def clean_text(text: str, key: PseudonymKey) -> str:
    """`text` with every identifier the key knows, and every pattern identifier, replaced.

    Invisible characters go first, as they go from transcripts: a zero-width space inside a name
    ("Ka\u200bri") would otherwise hide it from the key."""
    return _cleaned(text, key)[0]


def _cleaned(text: str, key: PseudonymKey, read: Reading | None = None) -> tuple[str, list[Replacement]]:
    """clean_text(), with what it replaced; `read` reads a text for the key's replacements (TYPED_READING)."""
    # Imported here: every command that opens a project guards its typed text, and most never
    # write any; the pseudonymiser's patterns and lists take about 14 ms to load.
    from qualcode.anonymise.apply import pseudonymise

    if not text:
        return text, []
    cleaned = read(visible(text)) if read is not None else pseudonymise(visible(text), key, "typed text")
    joined = join_line_break_hyphens(cleaned.text)
    if joined != cleaned.text:
        # A word a hyphen broke across lines ("Bak-\nken", pasted from a PDF), which an import joins
        # before the key reads it: joined where that shows a name, else kept as typed.
        found = pseudonymise(joined, key, "typed text")
        if found.replacements:
            return found.text, [*cleaned.replacements, *found.replacements]
    return cleaned.text, cleaned.replacements


def looked_up(text: str, key: PseudonymKey, *, folded: bool = False) -> AsStored:
    """`text` typed to find something, as it would be stored (clean_text, or clean_folded for a name
    kept in lower case), with each identifier replaced and those stored as a placeholder, which
    stands for every identifier of its kind. Nothing is refused: a lookup stores nothing."""
    from qualcode.anonymise.pseudonyms import is_placeholder

    stored, replacements = _cleaned_folded(text, key) if folded else _cleaned(text, key)
    replaced = tuple((one.original, one.pseudonym) for one in replacements)
    return AsStored(stored, replaced, tuple(pair for pair in replaced if is_placeholder(pair[1])))


def refuse_undecided(
    text: str, key: PseudonymKey, read: Reading | None = None, what: str = "text", then: str = "then write it again",
) -> None:
    """Typed text may not name a word an import held back for review: nobody has said yet
    whether it is a name, so it cannot be stored as typed, nor replaced. It is found as a name
    the key holds is: whole in any case (one word in another case only if it is no everyday word,
    as known.rare_words: "vold" is no "Vold" waiting), with look-alike or full-width letters, and by
    each of its words as written, in a genitive too ("Skogheims" of "Randi Skogheim"); but not
    inside a name the key replaces whole ("Berg" in "Hansen-Berg"), which settles it as an
    import's reading does. `read` reads a text for the key's replacements (TYPED_READING); `what` the text is, as
    the refusal names it ("memo", "code's definition"), and `then` what to do once the name is decided."""
    if not key.pending:
        return
    seen = visible(text)
    named = _undecided_named(seen, key)
    if named:
        # Read for the key's names only where a word waiting is there: most texts name none.
        named = _undecided_named(_without_settled_names(seen, key, read), key)
    if named:
        waiting, word = named
        # Said by the word typed too where that is a word of the name waiting: "the text names 'Torgeir Hovland'"
        # of a memo saying "Torgeir" sent the writer looking for a name they had not written.
        said = repr(waiting) if word == waiting else f"{word!r}, a word of {waiting!r}"
        raise AwaitsReview(
            f"the {what} names {said}, which waits for review as a possible identifier",
            f"decide about {waiting!r} first (`qualcode anonymise review`; or `qualcode anonymise dismiss {shlex.quote(waiting)}`"
            f" if it is no one to hide, `qualcode anonymise accept {shlex.quote(waiting)} --kind KIND` if it is), {then}",
        )


def _without_settled_names(text: str, key: PseudonymKey, read: Reading | None) -> str:
    """`text` with each name the key replaces as whom it is blanked out, one space a character: not a
    word the key replaces only as someone it may be ("Berg" alone of "Hansen-Berg", "Gunnvor" for
    Gunvor: service.doubtful_proposals), which waits for the researcher as it does in an import."""
    from qualcode.anonymise.apply import pseudonymise
    from qualcode.anonymise.service import doubtful_proposals

    replacements = (read(text) if read is not None else pseudonymise(text, key, "typed text")).replacements
    doubtful = doubtful_proposals(text, replacements, key)
    settled = [replaced for replaced in replacements
               if not any(doubt.start < replaced.end and replaced.start < doubt.end for doubt in doubtful)]
    blanked = list(text)
    for replaced in settled:
        blanked[replaced.start:replaced.end] = " " * (replaced.end - replaced.start)
    return "".join(blanked)


def _undecided_named(text: str, key: PseudonymKey) -> tuple[str, str] | None:
    """The name waiting for review that `text` (visible) names, if any, and the word of it `text` says
    where it says it by a word (refuse_undecided)."""
    from qualcode.anonymise.known import as_latin, rare_words

    latin = as_latin(text)
    typed = [match.group() for match in WORD.finditer(latin)]
    # A word of it as it is written ("Skogheim", "Skogheims"): not "per" the preposition for "Per". Not one typed
    # inside a pseudonym of the project's, spelt as it is ("Julie" of "Julie Hansen", with "Julie Hanssen" waiting,
    # which an older qualcode queued as a misspelling of it): that text names the pseudonym's person.
    pseudonyms = _pseudonyms_typed(latin, key)
    apart = [match.group() for match in WORD.finditer(latin)
             if not any(start <= match.start() < end for start, end in pseudonyms)]
    written = set(apart) | {word[:-1] for word in apart if word.endswith("s")}
    folded = f" {' '.join(word.casefold() for word in typed)} "
    capitalised = {word.casefold() for word in typed if word[:1].isupper()}  # "Vold", "VOLD": as the key finds a name
    named_whole: list[tuple[str, str]] = []
    named_by_a_word: list[tuple[str, str]] = []
    for candidate in key.pending:
        parts = [match.group() for match in WORD.finditer(as_latin(candidate.text))]
        whole = f" {' '.join(part.casefold() for part in parts)} "  # in any case: "RANDI SKOGHEIM"
        # A memo on "vold i hjemmet" or "nynorsk-deltakarane" named no "Vold" or "Nynorsk" waiting, and was refused.
        if whole in folded and (len(parts) != 1 or parts[0].casefold() in capitalised or rare_words(candidate.text, "person")):
            named_whole.append((candidate.text, candidate.text))
        elif word := next((part for part in parts if len(part) > 2 and part in written), None):
            named_by_a_word.append((candidate.text, word))
    # The name the text says whole is the one named, not a longer one sharing its words ("Kari
    # Nordmann", not "Veilederen Kari Nordmann"), which the review queue puts before its parts.
    named = named_whole or named_by_a_word
    return named[0] if named else None


def _pseudonyms_typed(text: str, key: PseudonymKey) -> list[tuple[int, int]]:
    """Where `text` holds a person's pseudonym of two words or more as the key has it, in its case, in the genitive
    too ("Julie Hansens"), and not inside a longer name ("Anne-Julie Hansen", "Julie Hansen-Berg"). A pseudonym of
    one word is not among them: "Mikkelsen" alone may be a waiting "Per Mikkelsen" as well as the pseudonym."""
    from qualcode.anonymise.pseudonyms import is_placeholder

    found = []
    for pseudonym in {entry.pseudonym for entry in key.entries if entry.kind == "person" and not is_placeholder(entry.pseudonym)}:
        words = pseudonym.split()
        if len(words) < 2 or words[0] not in text:  # most texts name none: no pattern made for those
            continue
        written = r"\s+".join(re.escape(word) for word in words)
        found += [match.span() for match in re.finditer(rf"(?<![\w-]){written}s?(?!\w|-\w)", text)]
    return found


# A pseudonym misspelt: its words but one or more a typo away (an edit, a letter added, dropped or two swapped),
# each of at least this many letters; "Julie Hanssen" for the pseudonym Julie Hansen.
MISSPELT_EDITS = 1
MISSPELT_MIN_LETTERS = 4
# A shorter word is taken for a typo of the pseudonym's only where every other word of the name is as the pseudonym has
# it: "Tommy Lei" is Tommy Lie misspelt, and was offered to the key as a real person.
MISSPELT_SHORT_MIN_LETTERS = 3
# A lone word so near a pseudonym's word is taken for it only when it is no name of its own ("Hansne", not
# "Hanssen", a surname too) and this long: short names a letter apart are other people's ("Kari", "Karin").
MISSPELT_LONE_MIN_LETTERS = 5


def pseudonym_meant(name: str, key: PseudonymKey) -> str | None:
    """The pseudonym in `key` that `name`, typed and refused as a name nobody has decided about, is a misspelling
    of: as many words, one or more of them a typo of the pseudonym's, and one at least as the pseudonym has it (a word
    of three letters a typo only where every other is as the pseudonym has it: "Tommy Lei"); a lone word a typo of a
    pseudonym's word that is on no list of names. None when it is none's: put in the key as a real person, a misspelt
    pseudonym would stand for someone who is not there."""
    from rapidfuzz.distance import OSA

    from qualcode.anonymise.candidates import given_names, surnames
    from qualcode.anonymise.pseudonyms import is_placeholder

    typed = [word.casefold() for word in WORD.findall(name)]
    if not typed:
        return None

    def typo(word: str, of: str, shortest: int = MISSPELT_MIN_LETTERS) -> bool:
        return word != of and min(len(word), len(of)) >= shortest and OSA.distance(word, of) <= MISSPELT_EDITS

    def alike(word: str, of: str, shortest: int = MISSPELT_MIN_LETTERS) -> bool:
        return word == of or typo(word, of, shortest) or (word.endswith("s") and (word[:-1] == of or typo(word[:-1], of, shortest)))

    lone = len(typed) == 1 and len(typed[0]) >= MISSPELT_LONE_MIN_LETTERS and typed[0] not in given_names() \
        and typed[0] not in surnames()
    for pseudonym in sorted({entry.pseudonym for entry in key.entries if entry.kind == "person" and not is_placeholder(entry.pseudonym)}):
        words = [word.casefold() for word in WORD.findall(pseudonym)]
        if len(words) == len(typed) > 1:
            pairs = list(zip(typed, words, strict=True))
            differing = [(word, of) for word, of in pairs if word != of]
            if differing and len(differing) < len(pairs) and all(alike(word, of) for word, of in differing):
                return pseudonym
            if len(differing) == 1 and alike(*differing[0], shortest=MISSPELT_SHORT_MIN_LETTERS):
                return pseudonym
        elif lone and any(typo(typed[0], of) or typo(typed[0].removesuffix("s"), of) for of in words):
            return pseudonym
    return None


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """`value` with `change` applied to every string inside it (JSON-like lists and dicts)."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {name: map_strings(item, change) for name, item in value.items()}
    if isinstance(value, list):
        return [map_strings(item, change) for item in value]
    return value


def map_written(value: Any, change: Callable[[str], str]) -> Any:
    """`value` with `change` applied to every string inside it that people wrote: not to a GUID, a
    hash or an id, nor to what a log entry's payload keeps under such a name (content_hash, code_guid)."""
    if isinstance(value, str):
        return value if _IDENTITY_VALUE.fullmatch(value) else change(value)
    if isinstance(value, dict):
        return {
            name: item if isinstance(name, str) and _IDENTITY_FIELD.fullmatch(name) else map_written(item, change)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [map_written(item, change) for item in value]
    return value


def clean_value(value: Any, key: PseudonymKey, read: Reading | None = None) -> Any:
    """Strings inside JSON-like values cleaned; other values as they are."""
    return map_strings(value, lambda text: _cleaned(text, key, read)[0])


def guard_typed_text(project: Project, key: PseudonymKey | Callable[[], PseudonymKey | None]) -> None:
    """From now on, every session of `project` pseudonymises free text before it is written.

    `key` is the key, or a function giving the key to use at each flush (a long-running UI
    re-reads the key under its lock for each change).
    """
    current = key if callable(key) else lambda: key

    def clean(session: Session) -> None:
        key = current()
        if key is None:
            return
        read = _reading_once(key)
        stored: set[str] = session.info.setdefault(_STORED, set())
        check = session.info.get(TYPED_CHECK)
        if check is not None:
            session.info[TYPED_READING] = read  # the check reads each text as the cleaning below does, once
            try:
                check(session)
            finally:
                session.info.pop(TYPED_READING, None)
        # The log last: it repeats what the rows it is about hold, once they are cleaned (_STORED).
        rows = sorted([*session.new, *session.dirty], key=lambda row: isinstance(row, Event))
        typed: set[str] = set()  # what was typed and cleaned here: in a log entry it is cleaned too
        held = _HeldAsStored(session, stored, typed)
        for row in rows:
            columns = free_text_columns(row)
            if not columns:
                continue
            state = inspect(row)
            # A new code's GUID is derived from its path (store.models.code_guid): derived from the
            # path as typed, it would let anyone with a list of names confirm the original.
            typed_path = row.path if isinstance(row, Code) and row in session.new else None
            for column in columns:
                history = state.attrs[column].history
                if row in session.dirty and not history.has_changes():
                    continue
                value = getattr(row, column)
                if isinstance(row, Event):
                    cleaned = clean_column(row, column, value, key, read, held, _quoted(session, row) if column == "summary" else ())
                else:
                    cleaned = clean_column(row, column, value, key, read, stored)
                    for text in strings_in(cleaned):
                        refuse_undecided(text, key)
                    stored.update(strings_in(cleaned), (text for held_before in history.deleted for text in strings_in(held_before)))
                    typed.update(set(strings_in(value)) - set(strings_in(cleaned)))
                if cleaned != value:
                    setattr(row, column, cleaned)
            if typed_path is not None and row.path != typed_path and row.guid == code_guid(typed_path):
                row.guid = code_guid(row.path)

    def clean_one(text: str) -> str:
        key = current()
        if key is None:
            return text
        cleaned = clean_text(text, key)
        refuse_undecided(cleaned, key)
        return cleaned

    def clean_one_folded(text: str) -> str:
        key = current()
        return clean_folded(clean_one(text), key) if key is not None else text

    project.on_flush(clean)
    project.clean_typed_text_with(clean_one, clean_one_folded)
    look_up_typed_text(project, current)


class _HeldAsStored:
    """The texts the rows of a flushing session hold as stored, which a log entry's payload may repeat:
    those the guard stored (_STORED), the free text read from the database and not changed since, and
    every coding's excerpt (the transcript's text, pseudonymised at import, never typed); not what was
    typed and cleaned in this flush (`typed`), cleaned wherever it is. The rows are looked through
    once a flush, and only for a text the guard did not store itself; only what is already loaded
    is read, as nothing may be fetched while the session flushes."""

    def __init__(self, session: Session, stored: set[str], typed: set[str]) -> None:
        self.session, self.stored, self.typed = session, stored, typed
        self._loaded: set[str] | None = None

    def __contains__(self, text: object) -> bool:
        if text in self.typed:
            return False
        if text in self.stored:
            return True
        if self._loaded is None:
            self._loaded = set()
            for row in [*self.session.identity_map.values(), *self.session.new]:
                state = inspect(row)
                if isinstance(row, Coding) and isinstance(excerpt := state.dict.get("excerpt"), str):
                    self._loaded.add(excerpt)
                for column in free_text_columns(row):
                    if column not in state.dict:
                        continue
                    history = state.attrs[column].history
                    self._loaded.update(strings_in(state.dict[column]) if not history.has_changes() and row not in self.session.new
                                        else (text for before in history.deleted for text in strings_in(before)))
        return text in self._loaded


def _quoted(session: Session, event: Event) -> tuple[str, ...]:
    """The excerpt, as stored, of the coding a log entry is about, which its summary may quote."""
    if event.entity != "coding" or event.entity_guid is None:
        return ()
    return tuple(
        excerpt for row in [*session.identity_map.values(), *session.new]
        if isinstance(row, Coding) and inspect(row).dict.get("guid") == event.entity_guid
        and isinstance(excerpt := inspect(row).dict.get("excerpt"), str)
    )


def _reading_once(key: PseudonymKey) -> Reading:
    """Read a text for `key`'s replacements, each text once however often asked (within one flush,
    while the key stays as it is)."""
    from qualcode.anonymise.apply import pseudonymise

    readings: dict[str, Pseudonymised] = {}

    def read(text: str) -> Pseudonymised:
        if text not in readings:
            readings[text] = pseudonymise(text, key, "typed text")
        return readings[text]

    return read


def look_up_typed_text(project: Project, key: Callable[[], PseudonymKey | None]) -> None:
    """From now on, what is typed to name a stored row (store.project.typed_as_stored) is also
    looked for as it is stored: its names replaced as `key()` (the key at hand, or None) replaces
    them. Nothing is refused here: a lookup stores nothing, and a name waiting for review is
    stored nowhere for it to find."""

    def as_stored(text: str) -> AsStored:
        found = key()
        return looked_up(text, found) if found is not None else AsStored(text)

    def as_stored_folded(text: str) -> AsStored:
        found = key()
        return looked_up(text, found, folded=True) if found is not None else AsStored(text)

    project.look_up_typed_text_with(as_stored, as_stored_folded)


def strings_in(value: Any) -> list[str]:
    """Every string in a value as a JSON column holds it (a string, or dicts and lists of them): what map_strings changes."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings_in(item)]
    return []
