"""Taking an identifier back out of the key: a mistaken acceptance undone, and the word put back in
the stored texts wherever its pseudonym can have stood for it alone.

What is pseudonymised is known by its words only (no replaced spans are kept), so a pseudonym is put
back only where it was drawn for this identifier alone: not a placeholder such as "(NAV-kontor)",
which stands for every office, nor a word another entry's pseudonym shares, nor a word the project
dismissed, which may stand in the texts as itself. What is left is counted, never guessed at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from qualcode.anonymise.key import KeyEntry, PseudonymKey
from qualcode.anonymise.known import (
    LIST_KINDS,
    genitive_of,
    lower_words_of,
    rare_words,
    words_found_alone,
)
from qualcode.anonymise.pending import PURGE_PENDING, REAPPLY_PENDING, REMOVAL_KEY_PENDING
from qualcode.anonymise.pseudonyms import is_placeholder
from qualcode.anonymise.rewrite import Span, rewrite_current_text
from qualcode.anonymise.service import withdrawn_under_earlier_key
from qualcode.anonymise.typed_text import FREE_TEXT, free_text_columns, map_written, strings_in
from qualcode.errors import InvalidInput, NotFound
from qualcode.search.index import purge_index
from qualcode.store.events import EventKind, record_event
from qualcode.store.models import (
    AttributeDefinition,
    Code,
    Coder,
    Coding,
    Event,
    Participant,
    Setting,
    TextVersion,
    Transcript,
    Turn,
    utcnow,
)
from qualcode.store.settings import delete_setting, get_setting, set_setting
from qualcode.text.counts import counted
from qualcode.text.normalise import visible
from qualcode.text.tokens import WORD

if TYPE_CHECKING:
    from qualcode.anonymise.reapply import Reapplied

# Free-text columns a restored word is not written back into, only counted: names that must stay
# unique or are looked up as typed (coders, participants, attribute names), and the program's own words.
# A participant's role, office, gender and age band are values, as attribute values are: put back, as
# the log's record of the edit that set them is. A transcript's name is put back on its own (put_back).
_NOT_RESTORED: dict[type, tuple[str, ...]] = {
    Coder: ("name",),
    Participant: ("name",),
    AttributeDefinition: ("name",),
    Transcript: ("wave", "mode"),
}
# As long as a transcript's name may be (store.models.Transcript.name).
_NAME_LENGTH = 200
WHY = "an identifier taken out of the key was put back where its pseudonym stood"


def held_entry(key: PseudonymKey, typed: str) -> KeyEntry:
    """The key's entry for `typed`, written as the key holds originals (composed, spaces as one); a
    word of another entry, a pseudonym, or a name the key does not hold is refused with what to type."""
    wanted = " ".join(visible(typed).split())
    if not wanted:
        raise InvalidInput("the identifier is empty", "name the identifier as `qualcode key show` lists it")
    entry = key.entry_for(wanted)
    if entry is not None and (entry.kind not in LIST_KINDS or _found_by_pattern(entry)):
        raise InvalidInput(
            f"{entry.original!r} is {'an' if entry.kind[:1] in 'aeiou' else 'a'} {entry.kind} found by its pattern, which"
            " every import would find again; nothing removed",
            "what a pattern finds stays replaced; `qualcode key show` lists what the key holds",
        )
    if entry is not None:
        return entry
    folded = wanted.casefold()
    whole = next((other for other in key.entries if folded in words_found_alone(other)), None)
    if whole is not None:
        raise InvalidInput(
            f"{wanted!r} is not in the key by itself: it is a word of {whole.original!r} ({whole.kind}), replaced as its word",
            f"remove the whole name (its words go with it): qualcode identifiers remove {_quoted(whole.original)};"
            " then add back any word that is a name on its own",
        )
    standing = next((other for other in key.entries if other.pseudonym.casefold() == folded), None)
    if standing is not None and not is_placeholder(standing.pseudonym):
        raise InvalidInput(
            f"{wanted!r} is the pseudonym of {standing.original!r} ({standing.kind}), not an identifier in the key",
            f"remove it by its original: qualcode identifiers remove {_quoted(standing.original)}",
        )
    if any(dismissed.casefold() == folded for dismissed in key.dismissed):
        raise NotFound(
            f"{wanted!r} is not in the key: it was taken out or dismissed already, so no import replaces it",
            f"nothing to do; if it names someone after all: qualcode identifiers add {_quoted(wanted)} --kind person",
        )
    from rapidfuzz import fuzz, process

    close = [found for found, _, _ in process.extract(
        folded, {index: entry.original.casefold() for index, entry in enumerate(key.entries)}.values(),
        scorer=fuzz.WRatio, score_cutoff=85, limit=3)]
    originals = [next(entry.original for entry in key.entries if entry.original.casefold() == found) for found in close]
    raise NotFound(
        f"{wanted!r} is not in the key",
        f"did you mean {' or '.join(repr(original) for original in originals)}?" if originals
        else "`qualcode key show` lists what the key holds",
    )


def _found_by_pattern(entry: KeyEntry) -> bool:
    """Whether the import's patterns find `entry` whole (a NAV office's "NAV Horten"): taken out of the
    key, it would be learned again from the next text that says it."""
    from qualcode.anonymise.patterns import find_patterns

    return any(found.text == entry.original for found in find_patterns(entry.original))


def _quoted(text: str) -> str:
    return f'"{text}"' if not re.fullmatch(r"[\w.-]+", text) else text


@dataclass(frozen=True)
class Left:
    """Where forms of a removed identifier's pseudonym still stand, not put back (they may stand for another)."""

    forms: tuple[str, ...]
    places: int
    transcripts: tuple[str, ...]
    elsewhere: int  # memos, definitions, titles, the log
    names: tuple[str, ...] = ()  # transcripts whose own name holds a form left (counted in places)


@dataclass(frozen=True)
class PutBack:
    """What taking an identifier out of the key put back in the stored texts, and what it left."""

    places: int
    transcripts: tuple[str, ...]
    elsewhere: int  # rows of memos, definitions, titles and the log
    left: Left | None
    codes_left: bool = False  # codes' names were left: put back, two would have had one name
    # How the key before this one went ("destroyed on DAY", "lost"), and the participants who withdrew under it:
    # it took their pseudonyms with it, so the pseudonym's words alone were left (words_alone_unsure).
    earlier_key: tuple[str, tuple[str, ...]] | None = None
    # Transcripts given their name back ("intervju_Eva_Lunde" to "intervju_Kari_Nordmann"), as (before, after).
    renamed: tuple[tuple[str, str], ...] = ()
    # Transcripts whose name was left: put back, it would be another's name (or too long for one).
    names_left: tuple[str, ...] = ()


@dataclass(frozen=True)
class PendingRemoval:
    """What the project records of a removal in the transaction that puts its word back, until the key is saved
    without it (REMOVAL_KEY_PENDING): never the identifier, only the key's salted digest of it, as a withdrawal
    records its entries. With it a command after a kill takes the identifier out of the key, as the texts say it
    was (finish_removal), and a key that could not be saved has the put-back taken back (take_back)."""

    digest: str
    kind: str
    pseudonym: str
    # Transcripts given their name back (before, after), which the key's record of where it saw each identifier follows.
    renamed: tuple[tuple[str, str], ...]
    recorded: str | None  # the GUID of the log's record of it
    # What rewriting the texts made no longer undoable (the changes to the codings moved, by event id), and the
    # text each rewritten transcript had before (by id, its content hash): taken back, the texts get their
    # pseudonym back, and undo is given back where a text is as it was (_restore_undo).
    undo_taken: tuple[int, ...]
    texts_before: tuple[tuple[int, str], ...]
    rewrite_due: bool  # a rewrite with the key was due before: taking back does it too, and the log says so

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> PendingRemoval:
        held = json.loads(text)
        return cls(
            str(held["digest"]), str(held["kind"]), str(held["pseudonym"]), tuple((str(old), str(new)) for old, new in held["renamed"]),
            held["recorded"], tuple(int(number) for number in held["undo_taken"]),
            tuple((int(number), str(content_hash)) for number, content_hash in held["texts_before"]), bool(held["rewrite_due"]),
        )


@dataclass(frozen=True)
class Removal:
    """An identifier taken out of the key (as the researcher typed it: never stored in the project)."""

    original: str
    kind: str
    pseudonym: str
    parts: tuple[str, ...]  # its words the key replaced alone, which go with it
    dismissed: bool  # recorded as no identifier, so never proposed again
    still_word_of: str | None  # another entry's original whose word it is: still replaced alone
    parts_kept: tuple[tuple[str, str], ...] = ()  # its words another entry replaces alone still, each with that entry's original
    put_back: PutBack = field(default_factory=lambda: PutBack(0, (), 0, None))
    reapplied: Reapplied | None = None  # what the rewrite with the key did after it (backups rewritten, say)


def take_out(key: PseudonymKey, entry: KeyEntry) -> Removal:
    """Remove `entry` from the key and dismiss its original, so no import proposes it again; a word
    another entry replaces alone stays replaced (and is not dismissed: the key replaces it anyway)."""
    from qualcode.anonymise.service import dismiss, held_as

    alone = words_found_alone(entry)
    words = tuple(dict.fromkeys(word for word in WORD.findall(entry.original) if word.casefold() in alone and word != entry.original))
    key.entries = [other for other in key.entries if other is not entry]

    def word_of(word: str) -> str | None:
        """The original of another entry the key replaces `word` alone as a word of, if any."""
        return next((other.original for other in key.entries if word.casefold() in words_found_alone(other)), None)

    kept = tuple((word, other) for word in words if (other := word_of(word)) is not None)
    parts = tuple(word for word in words if word not in dict(kept))
    held = held_as(key, entry.original)  # written as another's name is ("Al Khatib" of "Ahmad al-Khatib")
    still = word_of(entry.original) or (held.original if held is not None else None)
    if still is None:
        dismiss(key, entry.original)
    return Removal(entry.original, entry.kind, entry.pseudonym, parts, still is None, still, parts_kept=kept)


def put_back(session: Session, key: PseudonymKey, entry: KeyEntry, coder: Coder | None) -> PutBack:
    """Write `entry`'s original back wherever its pseudonym stands for it alone, in every table the key's
    rewrite covers; record it in the log (naming no original) and mark a rewrite with the key due.

    Called with the key locked and before the key is saved without the entry, as a withdrawal is: the
    removal is recorded as pending in the same transaction (PendingRemoval), so a kill before the key is
    saved leaves the next command to save it without the entry (finish_removal), and a key that cannot
    be saved has the texts given their pseudonym back, as they were (take_back)."""
    # A key made in place of one that kept withdrawn participants' pseudonyms cannot tell a word of theirs.
    withdrawn = withdrawn_under_earlier_key(session)
    back, unclear = restorations(key, entry, _left_by_earlier_removals(session, entry), words_alone_unsure=withdrawn is not None)
    if not back and not unclear:
        return PutBack(0, (), 0, None)
    pattern = _pattern([*back, *unclear])
    # What a researcher writes no import asks about: an everyday word of the pseudonym alone ("Strand", a
    # beach) may be their own there, and is left in memos, codes and the log; a transcript's was asked about.
    everyday = _everyday_alone(entry, back)

    beside = _beside_another(key, entry)

    def put_here(match: re.Match[str]) -> bool:
        return match.group() in back and not beside(match)

    def restored(text: str, kept: Collection[str] = ()) -> str:
        return pattern.sub(lambda match: back[match.group()] if match.group() not in kept and put_here(match) else match.group(), text)

    found: set[str] = set()  # the forms left that stand somewhere, to name them

    def still_there(text: str, left_forms: Collection[str] | None) -> int:
        """How many of `left_forms` stand in `text` (with None, every form: a column not written)."""
        left = [match.group() for match in pattern.finditer(text)
                if left_forms is None or match.group() in left_forms or (match.group() in back and beside(match))]
        found.update(left)
        return len(left)

    places, changed, left_places, left_in = 0, [], 0, []
    undoable = set(session.scalars(select(Event.id).where(Event.undoable.is_(True))))
    texts_before: dict[int, str] = {}
    transcripts = session.scalars(select(Transcript).order_by(Transcript.name)).all()
    # A transcript named from its file ("intervju_Eva_Lunde") gets its name back as its text gets the word,
    # so `import FILE --replace` of that file finds it again; never a name another transcript has.
    taken = {transcript.name.casefold() for transcript in transcripts}
    renamed: dict[str, str] = {}
    names_left, left_names = [], []
    for transcript in transcripts:
        name = transcript.name
        if (here := still_there(name, unclear)):
            left_places += here
            left_names.append(name)
        if (new_name := restored(name)) != name:
            if new_name.casefold() in taken - {name.casefold()} or len(new_name) > _NAME_LENGTH:
                names_left.append(name)
            else:
                taken = (taken - {name.casefold()}) | {new_name.casefold()}
                renamed[name] = transcript.name = new_name
                places += sum(match.group() in back for match in pattern.finditer(name))
        version = transcript.current_version
        if version is None:
            continue
        found_back = [match for match in pattern.finditer(version.text) if put_here(match)]
        spans = [span for match in found_back for span in _word_spans(match, back[match.group()])]
        speakers = {turn.id: restored(turn.speaker) for turn in version.turns if turn.speaker and restored(turn.speaker) != turn.speaker}
        if (here := still_there(version.text, unclear)):
            left_places += here
            left_in.append(transcript.name)
        # An orphaned coding keeps the excerpt it was made on, which the text may no longer hold: put back as the texts are.
        orphans = {coding: coding.excerpt for coding in session.scalars(
            select(Coding).where(Coding.text_version_id == version.id, Coding.orphaned_at.is_not(None)))}
        if spans:
            texts_before[transcript.id] = version.content_hash
            rewrite_current_text(session, transcript, spans, WHY, change_turn=partial(_relabelled, speakers))
        else:
            for turn in version.turns:
                if turn.id in speakers:
                    turn.speaker = speakers[turn.id]
        for coding, excerpt in orphans.items():
            coding.excerpt = restored(excerpt)
        if spans or speakers or name in renamed:
            places += len(found_back) + len(speakers)
            changed.append(transcript.name)
    key.transcripts_renamed(renamed)  # where the key saw each identifier, by the names given back
    elsewhere, left_elsewhere, codes_left = _put_back_elsewhere(
        session, partial(restored, kept=everyday), partial(still_there, left_forms={*unclear, *everyday}), partial(still_there, left_forms=None))
    left = Left(tuple(sorted(found)), left_places, tuple(dict.fromkeys([*left_names, *left_in])), left_elsewhere,
                tuple(left_names)) if left_places or left_elsewhere else None
    if changed or elsewhere:
        purge_index(session)
    summary = (f"took a {entry.kind} out of the key: put back what {entry.pseudonym!r} stood for in "
               f"{counted(places, 'place')} in {counted(len(changed), 'transcript')} and {counted(elsewhere, 'memo, definition, title or log entry', 'memos, definitions, titles and log entries')}")
    # The record names transcripts as they were named: a name given back holds the word, which the log never does.
    before = {new: old for old, new in renamed.items()}
    recorded = record_event(session, kind=EventKind.IDENTIFIER_REMOVE, coder=coder, summary=summary, after={
        "kind": entry.kind, "pseudonym": entry.pseudonym, "places": places, "transcripts": [before.get(name, name) for name in changed],
        "elsewhere": elsewhere, "left": left.places + left.elsewhere if left is not None else 0,
    })
    rewrite_due = bool(get_setting(session, REAPPLY_PENDING))
    if not rewrite_due:
        set_setting(session, REAPPLY_PENDING, utcnow().isoformat(timespec="seconds"))
    undo_taken = undoable - set(session.scalars(select(Event.id).where(Event.undoable.is_(True))))
    # With the texts, or not at all: the next command finds the key saved without it, or saves it so (finish_removal).
    set_setting(session, REMOVAL_KEY_PENDING, PendingRemoval(
        key.digest(entry.original), entry.kind, entry.pseudonym, tuple(renamed.items()), recorded.guid, tuple(sorted(undo_taken)),
        tuple(texts_before.items()), rewrite_due).to_json())
    return PutBack(places, tuple(changed), elsewhere, left, codes_left, renamed=tuple(renamed.items()), names_left=tuple(names_left),
                   earlier_key=(withdrawn[0], tuple(withdrawn[1])) if withdrawn is not None and len(entry.pseudonym.split()) > 1 else None)


def pending_removal(session: Session) -> PendingRemoval | None:
    """The removal whose word is back in the texts while the key may still hold it, if any."""
    record = get_setting(session, REMOVAL_KEY_PENDING)
    return PendingRemoval.from_json(record) if record else None


def removal_saved(session: Session) -> None:
    """The key is saved without the pending removal's identifier: nothing is left to finish or take back."""
    delete_setting(session, REMOVAL_KEY_PENDING)


def _held_for(key: PseudonymKey, pending: PendingRemoval) -> KeyEntry | None:
    """The entry of `key` a pending removal took out, where the key holds it still (it was not saved without it)."""
    return next((entry for entry in key.entries if entry.kind == pending.kind and entry.pseudonym == pending.pseudonym
                 and key.digest(entry.original) == pending.digest), None)


def finish_removal(key: PseudonymKey, pending: PendingRemoval) -> Removal | None:
    """Take out of `key` the identifier a removal put back in the texts before a kill kept the key from being
    saved without it, as `identifiers remove` does (the key names the transcripts given their name back by it);
    None when the key was saved without it. The caller saves the key."""
    entry = _held_for(key, pending)
    if entry is None:
        return None
    key.transcripts_renamed(dict(pending.renamed))
    return take_out(key, entry)


def take_back(session: Session, key: PseudonymKey, coder: Coder | None) -> Reapplied | None:
    """Where `key`, as it is on disk, still holds the identifier of the pending removal (its save failed): the
    texts get its pseudonym back (rewritten with the key), what undo may take back is as it was where a text is
    as before, and the log keeps neither the removal nor the rewrite that took it back (nothing was done; the
    rewrite is recorded only for what was due before). None where the key was saved without it: the removal
    stands. Either way nothing is left pending of it; the caller then rebuilds the file (service.finish_purge)."""
    from qualcode.anonymise.reapply import reapply_key

    pending = pending_removal(session)
    if pending is None:
        return None
    removal_saved(session)
    if _held_for(key, pending) is None:
        return None
    if pending.recorded is not None:
        session.execute(delete(Event).where(Event.guid == pending.recorded))
    reapplied = reapply_key(session, key, coder, recorded=pending.rewrite_due)
    delete_setting(session, REAPPLY_PENDING)
    if reapplied.anything:  # the word put back is in the file's free pages: rebuilt, as after any rewrite
        set_setting(session, PURGE_PENDING, "1")
    _restore_undo(session, pending)
    return reapplied


def _restore_undo(session: Session, pending: PendingRemoval) -> None:
    """Once the texts have their pseudonym back: the changes to codings that putting the word back made no longer
    undoable are undoable again, on each transcript whose text is as it was before (its codings are where those
    changes left them); on one the rewrite left otherwise, they stay as they are."""
    if not pending.undo_taken:
        return
    session.flush()
    as_before = [transcript_id for transcript_id, content_hash in pending.texts_before if session.scalar(
        select(TextVersion.content_hash).join(Transcript, Transcript.current_version_id == TextVersion.id)
        .where(Transcript.id == transcript_id)) == content_hash]
    on_them = select(Coding.guid).where(Coding.transcript_id.in_(as_before))
    session.execute(update(Event).where(Event.id.in_(pending.undo_taken), Event.entity_guid.in_(on_them)).values(undoable=True))


def _left_by_earlier_removals(session: Session, entry: KeyEntry) -> list[tuple[str, str]]:
    """The pseudonyms (with their kinds) of identifiers taken out of the key before, where some of their
    forms were left: they may stand there still for what was taken out, which the key no longer names.
    Not `entry`'s own (taken out, added again with the same pseudonym): what was left stood for it."""
    left = []
    for payload in session.scalars(select(Event.payload).where(Event.action == EventKind.IDENTIFIER_REMOVE.value)):
        after = payload.get("after") if isinstance(payload, dict) else None
        if not isinstance(after, dict):
            continue
        pseudonym = after.get("pseudonym")
        if isinstance(pseudonym, str) and after.get("left") and pseudonym.casefold() != entry.pseudonym.casefold():
            left.append((pseudonym, str(after.get("kind", ""))))
    return left


# The word written right before or after a form, a space or a tab between (a name's words are on one line).
_WORD_BEFORE = re.compile(r"([^\W\d_][\w'’]*)[ \t]+\Z")
_WORD_AFTER = re.compile(r"[ \t]+([^\W\d_][\w'’]*)")
_NEAR = 80


def _beside_another(key: PseudonymKey, entry: KeyEntry) -> Callable[[re.Match[str]], bool]:
    """Whether a form of `entry`'s pseudonym of one word stands right beside a word of another person's pseudonym
    ("Kari Dahl", Dahl of Per Dahl): there it may be a word of a longer name whose other word the key replaced
    ("Eva Birkeland", Birkeland of Ola Birkeland). Put back, it made half a real name beside another's pseudonym
    ("Eva Dahl"), which reads as a new person, kin of the other; it is left, and said, as a form that may stand
    for another is. A withdrawn participant's pseudonym counts as another's."""
    withdrawn = [name for names in key.withdrawn_names.values() for name in names]
    others = {word.casefold() for pseudonym in [other.pseudonym for other in key.entries if other is not entry and other.kind == "person"
                                                 and not is_placeholder(other.pseudonym)] + withdrawn
              for word in re.split(r"[\s-]+", pseudonym) if len(word) > 1}

    def theirs(word: str | None) -> bool:
        if not word or not word[:1].isupper():
            return False
        folded = word.casefold()
        return folded in others or any(folded == genitive_of(other).casefold() for other in others if folded.startswith(other))

    def beside(match: re.Match[str]) -> bool:
        if not others or len(WORD.findall(match.group())) != 1:
            return False
        before = _WORD_BEFORE.search(match.string, max(0, match.start() - _NEAR), match.start())
        after = _WORD_AFTER.match(match.string, match.end())
        return theirs(before.group(1) if before else None) or theirs(after.group(1) if after else None)

    return beside


def _word_spans(match: re.Match[str], replacement: str) -> list[Span]:
    """`match` put back as `replacement`, word for word where the two differ only in their words ("Eva
    Lunde" and "Kari Nordmann"): a coding of the surname alone stays on the surname, not the whole name."""
    written, words = list(WORD.finditer(match.group())), list(WORD.finditer(replacement))

    def between(text: str, found: list[re.Match[str]]) -> list[str]:
        edges = [0, *(edge for word in found for edge in (word.start(), word.end())), len(text)]
        return [text[start:end] for start, end in zip(edges[::2], edges[1::2], strict=True)]

    if len(written) < 2 or len(written) != len(words) or between(match.group(), written) != between(replacement, words):
        return [Span(match.start(), match.end(), replacement)]
    return [Span(match.start() + word.start(), match.start() + word.end(), other.group())
            for word, other in zip(written, words, strict=True) if word.group() != other.group()]


def _relabelled(speakers: dict[int, str], turn: Turn) -> dict[str, object]:
    """A turn's speaker label as it was put back, for the turn copied into the new text version."""
    return {"speaker": speakers[turn.id]} if turn.id in speakers else {}


def _put_back_elsewhere(
    session: Session, restored: Callable[[str], str], still_there: Callable[[str], int], standing: Callable[[str], int],
) -> tuple[int, int, bool]:
    """Rows besides the transcripts' texts put back (memos, definitions, titles, the log), how many
    places are left in them (`still_there` counts those in a column written, `standing` every form in
    one not written), and whether codes' names were left (put back, two codes would share a name)."""
    changed_rows, left = 0, 0
    codes = list(session.scalars(select(Code)))
    new_paths = [restored(code.path) for code in codes]
    codes_left = len(set(new_paths)) < len(new_paths)
    for model in (*FREE_TEXT, Setting):  # settings too: the codebook's name and description
        kept = _NOT_RESTORED.get(model, ())
        # Not the log's records of identifiers taken out: what stood for each, which the next removal reads.
        rows = codes if model is Code else session.scalars(
            select(model).where(Event.action != EventKind.IDENTIFIER_REMOVE.value) if model is Event else select(model)).all()
        for row in rows:
            row_changed = False
            for column in free_text_columns(row):
                value = getattr(row, column)
                if column in kept or (codes_left and model is Code and column in ("name", "path")):
                    left += sum(standing(text) for text in strings_in(value))
                    continue
                left += sum(still_there(text) for text in strings_in(value))
                new = map_written(value, restored)
                if new != value:
                    setattr(row, column, new)
                    row_changed = True
            changed_rows += row_changed
    return changed_rows, left, codes_left



def restorations(
    key: PseudonymKey, entry: KeyEntry, earlier: list[tuple[str, str]] | None = None, *, words_alone_unsure: bool = False,
) -> tuple[dict[str, str], dict[str, str]]:
    """The forms in which the key wrote `entry`'s pseudonym (whole, genitive, in lower case, joined by a
    dot or an underscore, run together, with an initial, and a person's each word alone), each to the
    original's form it stood for; and, apart, those that may stand for something else too (each to itself):
    for another entry, a dismissed word, or an identifier taken out before whose pseudonym (`earlier`,
    with its kind) was left. With `words_alone_unsure` (a withdrawn participant's pseudonym the key does
    not know may share a word), each word alone is among those."""
    pseudonym, original = entry.pseudonym, entry.original
    made, had = pseudonym.split(), original.split()
    earlier = earlier or []
    others = _words_standing_for_others(key, entry, [pseudonym for pseudonym, _ in earlier])
    if is_placeholder(pseudonym) or len(made) != len(had):
        # A placeholder stands for every identifier of its kind; a pseudonym of other parts than the
        # name (chosen by hand) stood whole for each word of it alone: neither says what it replaced.
        return {}, _with_genitives({pseudonym: pseudonym})
    back = _whole_forms(pseudonym, original, entry.kind)
    unclear: list[str] = []
    words_alone_unsure = words_alone_unsure and len(made) > 1  # a name of one word is put back whole
    # A form another entry's pseudonym is written in too ("Eva L." of Eva Lunde and of Eva Lind) may stand for either.
    shared = {form.casefold() for other in key.entries if other is not entry for form in _whole_forms(other.pseudonym, other.original, other.kind)}
    shared.update(form.casefold() for made_before, kind in earlier for form in _whole_forms(made_before, made_before, kind))
    unclear += [form for form in back if form.casefold() in shared]
    back = {form: had_form for form, had_form in back.items() if form not in unclear}
    # Each word alone, where the key replaced the original's word alone (a person's name, or a name of one word).
    alone = words_found_alone(entry) | {original.casefold()} if len(had) == 1 else words_found_alone(entry) if entry.kind == "person" else set()
    lower = set(lower_words_of(entry))
    for made_word, had_word in zip(made, had, strict=True) if alone else ():
        if had_word.casefold() not in alone:
            if len(WORD.findall(had_word)) > 1 and any(word.casefold() in alone for word in WORD.findall(had_word)):
                unclear.append(made_word)  # "Ingrid" for "Anne-Lise", "Anne" or "Lise": which, the text does not say
            continue
        if made_word.casefold() in others or words_alone_unsure:
            unclear.append(made_word)
        else:
            back[made_word] = had_word
        if had_word.casefold() in lower:  # the key wrote it in lower case where it was written so
            if made_word.casefold() in others or words_alone_unsure or made_word.casefold() not in rare_words(made_word, entry.kind):
                unclear.append(made_word.lower())  # an everyday word in lower case ("berg"): the text's own, maybe
            else:
                back[made_word.lower()] = had_word.lower()
    if pseudonym.casefold() in others:  # another entry's pseudonym too, or a dismissed word: nothing is sure
        return {}, _with_genitives({form: form for form in [*back, *unclear]})
    return _with_genitives(back), _with_genitives({form: form for form in unclear})


def _whole_forms(pseudonym: str, original: str, kind: str) -> dict[str, str]:
    """The forms in which the key writes a whole `pseudonym`, each to the form of `original` it stood
    for: whole, in lower case, joined by a dot or an underscore, run together, and with an initial."""
    made, had = pseudonym.split(), original.split()
    forms = {pseudonym: original}
    if len(made) > 1 and len(made) == len(had) and not is_placeholder(pseudonym):
        forms[pseudonym.lower()] = original.lower()  # a whole name is found however it is written
        for joiner in (".", "_"):
            forms[joiner.join(made)] = joiner.join(had)
            forms[joiner.join(made).lower()] = joiner.join(had).lower()
        forms["".join(made).lower()] = "".join(had).lower()
        first, last = WORD.findall(had[0]), WORD.findall(had[-1])
        if kind == "person" and len(first) == len(last) == 1:
            forms[f"{made[0]} {made[-1][0]}."] = f"{had[0]} {had[-1][0]}."
            forms[f"{made[0][0]}. {made[-1]}"] = f"{had[0][0]}. {had[-1]}"
    return forms


def _everyday_alone(entry: KeyEntry, back: dict[str, str]) -> set[str]:
    """The words of `entry`'s pseudonym put back alone that are everyday words ("Strand", "Sol"), with their genitives."""
    return set(_with_genitives({word: word for word in entry.pseudonym.split() if word in back and not rare_words(word, entry.kind)}))


def _with_genitives(forms: dict[str, str]) -> dict[str, str]:
    """`forms` and their genitives ("Karis" to "Forskars"), written as the key writes a genitive."""
    more = dict(forms)
    for made, had in forms.items():
        if made.endswith(".") or made.startswith("("):
            continue
        more[genitive_of(made)] = genitive_of(had)
    return more


def _words_standing_for_others(key: PseudonymKey, entry: KeyEntry, earlier: list[str]) -> set[str]:
    """Casefolded words and whole pseudonyms that may stand in the texts for something besides `entry`:
    other entries' pseudonyms and each of their words, those of identifiers taken out before and left
    (`earlier`), those of withdrawn participants (their entries are digests, but others' interviews may
    still name them by their pseudonym: "Lunde" put back as "Nordmann" beside their first name would say
    their surname), and words the project dismissed (stored as written)."""
    words: set[str] = set()
    withdrawn = [name for names in key.withdrawn_names.values() for name in names]
    for pseudonym in [other.pseudonym for other in key.entries if other is not entry] + earlier + withdrawn:
        words.add(pseudonym.casefold())
        words.update(word.casefold() for word in re.split(r"[\s-]+", pseudonym) if word)
    for dismissed in key.dismissed:
        words.add(dismissed.casefold())
        words.update(word.casefold() for word in dismissed.split())
    return words


def _pattern(forms: list[str]) -> re.Pattern[str]:
    """The forms as whole words, longest first; not inside a hyphenated name ("Olsen" of "Bakken-Olsen").
    An underscore parts words, as the key's does: "intervju_Eva_Lunde" holds the name, and was so named by it."""
    alternatives = "|".join(re.escape(form) for form in sorted(set(forms), key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?<!-)(?:{alternatives})(?![^\W_]|-\w)")
