"""Pseudonymising a parsed document before anything of it reaches the project."""

from __future__ import annotations

import re
import shlex
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import Pseudonymised, Replacement, pseudonymise
from qualcode.anonymise.candidates import (
    COMMON_ZIPF,
    CONJUNCTIONS,
    Proposal,
    decided_as_a_value,
    may_name_someone,
    ordinary_value,
    parts_of_whole_names,
    propose,
    reads_as_a_name_in_lower_case,
    surnames_in_value,
    without_initials,
    zipf,
)
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.known import LIST_KINDS, KnownMatcher
from qualcode.anonymise.pseudonyms import PLACEHOLDERS
from qualcode.anonymise.service import (
    codebook_vocabulary,
    doubt_note,
    doubtful_proposals,
    ignored_words,
)
from qualcode.anonymise.typed_text import pseudonym_meant, refuse_undecided
from qualcode.errors import ImportFailed, UndecidedNames
from qualcode.importers.document import ParsedDocument, TurnSpan
from qualcode.importers.metadata import refuse_identifying_id, refuse_pseudonym_of_a_field
from qualcode.importers.turns import detect_turns
from qualcode.store.models import Code, Coder, Coding, FrameworkSummary, Memo
from qualcode.store.project import TYPED_READING
from qualcode.text.normalise import visible
from qualcode.text.sentences import pieces
from qualcode.text.tokens import WORD

# Metadata that is free text and may name someone.
FREE_TEXT_META = ("title", "name", "interviewer", "note_taker", "participant", "role", "wave", "mode")


@dataclass
class PseudonymisedDocument:
    document: ParsedDocument
    meta: dict[str, Any]
    replacements: list[Replacement]
    proposals: list[Proposal]
    original_text: str
    # What the front matter had replaced, by field: a dry run lists these beside the text's.
    meta_replacements: list[tuple[str, Replacement]] = field(default_factory=list)
    # What the key does with each proposal it replaced as someone who may be someone else (service.doubt_note).
    doubts: dict[str, str] = field(default_factory=dict)


def propose_candidates(document: ParsedDocument, vocabulary: set[str]) -> list[Proposal]:
    """spaCy's possible identifiers in a document, before the key is asked about them.

    This is the slow part of pseudonymising, and needs no key: it runs before the key is
    locked, and `pseudonymise_document` sets aside what the key already knows.
    """
    return propose(
        document.text, (), vocabulary, {span.speaker for span in document.turns if span.speaker},
        {span.start for span in document.turns},
    )


def pseudonymise_document(
    document: ParsedDocument, meta: dict[str, Any], key: PseudonymKey, where: str, vocabulary: set[str],
    proposals: list[Proposal] | None = None,
) -> PseudonymisedDocument:
    """Replace known and pattern identifiers in text, speaker labels and titles; propose the rest.

    `proposals` are those `propose_candidates` made for this document, if already made.
    """
    # Composed and without invisible characters, as the text was read: an option typed on a Mac
    # ("Åse" as A and a ring) or a zero-width space in front matter would hide a name from the key.
    # The name is left to clean_name, which composes it too, and makes its control characters "_".
    meta = {field: value if field == "name" else _visible(value) for field, value in meta.items()}
    result = pseudonymise_text(document.text, key, where)
    map_offset = _offset_map(result)
    labels: dict[str | None, str | None] = {}
    matcher = KnownMatcher.of(key)
    turns = []
    for span in document.turns:
        if span.speaker not in labels:
            labels[span.speaker] = _label(span.speaker, matcher, key, where)
        turns.append(
            TurnSpan(labels[span.speaker], map_offset(span.start, False), map_offset(span.end, True), span.timestamp_ms)
        )
    clean_meta = dict(meta)
    in_meta: list[tuple[str, Replacement]] = []
    doubtful_in_meta: list[Proposal] = []

    def clean(value: str, name: str) -> str:
        done = pseudonymise(value, key, where)
        in_meta.extend((name, replacement) for replacement in done.replacements)
        # Read as the text is: "interviewer: Berg" (of Hansen-Berg) or "title: … Gunnvor" (as Gunvor) waits for
        # the researcher as the same words in a turn do, where it was replaced silently.
        doubtful_in_meta.extend(replace(proposal, start=0, end=0, context=f"{name}: {value}")
                                for proposal in doubtful_proposals(value, done.replacements, key))
        return done.text

    for name in FREE_TEXT_META:
        if isinstance(clean_meta.get(name), str):
            clean_meta[name] = clean(clean_meta[name], name)
    if isinstance(clean_meta.get("participants"), list):
        clean_meta["participants"] = [
            clean(value, "participants") if isinstance(value, str) else value for value in clean_meta["participants"]
        ]
    if isinstance(clean_meta.get("speakers"), dict):
        # The map names labels as the file has them; the turns now carry pseudonymised labels.
        clean_meta["speakers"] = {
            _label(str(label), matcher, key, where) or str(label): (clean(value, "speakers") if isinstance(value, str) else value)
            for label, value in clean_meta["speakers"].items()
        }
    for name, replacement in in_meta:
        if name in ("participant", "participants", "speakers") and replacement.pseudonym in PLACEHOLDERS.values():
            refuse_identifying_id(replacement.pseudonym)  # every such id would be one participant, "(fødselsnummer)"
    if isinstance(clean_meta.get("attributes"), dict):  # free values such as "bydel: Grünerløkka"
        clean_meta["attributes"] = {  # and their names: "Per Olsen: ja" names someone too
            _attribute_name(clean(str(name), "attributes"), str(name)): clean(value, f"attributes: {name}") if isinstance(value, str) else value
            for name, value in clean_meta["attributes"].items()
        }
    if proposals is None:
        proposals = propose_candidates(document, vocabulary)
    undecided = undecided_proposals(
        document.text, proposals, key, vocabulary, result.replacements, {span.speaker for span in document.turns},
    )
    named = {proposal.text for proposal in undecided}
    # Names replaced as someone the key holds who may be someone else (a word of a double-barrelled name alone,
    # a misspelling, a name put together from several people's): proposed, so the file waits for the researcher.
    doubtful = [proposal for proposal in doubtful_proposals(document.text, result.replacements, key) if proposal.text not in named]
    undecided += doubtful
    for proposal in [*_undecided(_metadata_proposals(meta, where, key), key, vocabulary, [], set()), *doubtful_in_meta]:
        if proposal.text not in {made.text for made in undecided}:
            undecided.append(proposal)
    return PseudonymisedDocument(
        document=replace(document, text=result.text, turns=turns),
        meta=clean_meta,
        replacements=result.replacements,
        proposals=undecided,
        original_text=document.text,
        meta_replacements=in_meta,
        doubts={proposal.text: note for proposal in [*doubtful, *doubtful_in_meta]
                if (note := doubt_note(key, proposal.text)) is not None},
    )


def _attribute_name(cleaned: str, written: str) -> str:
    """An attribute's name from the file, pseudonymised: refused as someone's where that made it a built-in field's
    ("Sissel: ja", Sissel drawn "Line …"), which the file does not name."""
    refuse_pseudonym_of_a_field(cleaned, written)
    return cleaned


def _visible(value: Any) -> Any:
    """Every string in metadata, and every name its maps are keyed by, as `visible` leaves it."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {_visible(name): _visible(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_visible(item) for item in value]
    return value


def undecided_in_metadata(meta: dict[str, Any], key: PseudonymKey, vocabulary: set[str], file_name: str = "") -> list[Proposal]:
    """Possible identifiers nobody has decided about in metadata typed after import (a title, an
    interviewer), or in the name of a file that is no transcript (a .qdpx), found as import finds
    them in a file's name and front matter, which it holds back for them.
    One of the key's pseudonyms whole is decided (a pseudonym never equals an original): an interviewer
    typed as the transcript's speaker label for them ("Berit Berntsen") is no name to review, in any case as
    labels match ("berit berntsen"; its hint would have had the key learn its own pseudonym as a real name)."""
    pseudonyms = {entry.pseudonym.casefold() for entry in key.entries}
    # A field that is a pseudonym whole is decided before it is read: in lower case its words are found
    # one by one, and a part ("øystein" of "øystein berg") is no pseudonym whole.
    meta = {field: value for field, value in meta.items() if not (isinstance(value, str) and value.strip().casefold() in pseudonyms)}
    return [proposal for proposal in _undecided(_metadata_proposals(meta, file_name, key), key, vocabulary, [], set())
            if proposal.text.casefold() not in pseudonyms]


# Metadata a name is written in as free text, besides the file's own name.
# Every field a file's front matter may hold as text is stored, and so is looked at: those written
# as sentences, and those that hold a short value (an id, a wave, a mode), where a capitalised word
# that is no everyday word is a name even first: "participant: Trine Haugstad", "wave: Gunnhild".
# An office is read as a sentence, as the participants' file reads it: "Kontor A" names no one.
_NAMING_META = ("title", "interviewer", "note_taker", "name", "office")
_VALUE_META = ("participant", "wave", "mode", "role", "fidelity")
# Those whose values are categories, as an attribute's are ("rolle: Arbeidstaker"): there an ordinary word passes
# however it is capitalised (candidates.ordinary_value), where a participant's or speaker's value may be their name.
_CATEGORY_META = ("wave", "mode", "role", "fidelity")


def _metadata_proposals(meta: dict[str, Any], file_name: str, key: PseudonymKey) -> list[Proposal]:
    """Possible identifiers in the file's name, its front matter's text fields and attributes:
    stored as the body is, so looked at as the body is. Each is read as a sentence, so a first
    word is a name only if it is a listed name ("Torbjørn Haugland", not "Forsker 1"), or a word of
    a name the key replaces only whole ("Fjordkysten, runde 2")."""
    file_name = unicodedata.normalize("NFC", file_name)  # decomposed on a Mac or in a zip
    stem = re.sub(r"(?<=[a-zæøå])(?=[A-ZÆØÅ])", " ", re.sub(r"[_\-.]+", " ", file_name.split(".")[0]))
    written = [("file name", _capitalise_names(stem))] + [(field, meta[field]) for field in _NAMING_META if isinstance(meta.get(field), str)]
    attributes = meta["attributes"].items() if isinstance(meta.get("attributes"), dict) else ()
    categories = {f"attribute {name}" for name, _ in attributes} | set(_CATEGORY_META)
    written += [(f"attribute {name}", f"{name} {value}") for name, value in attributes if isinstance(value, str)]
    values = [(field, meta[field]) for field in _VALUE_META if isinstance(meta.get(field), str)]
    if isinstance(meta.get("participants"), list):
        values += [("participants", value) for value in meta["participants"] if isinstance(value, str)]
    if isinstance(meta.get("speakers"), dict):
        values += [(f"speaker {label}", value) for label, value in meta["speakers"].items() if isinstance(value, str)]
    found: list[Proposal] = []
    for where, value in written:
        field = where.removeprefix("attribute ")
        # An attribute is typed as a title is, "kontakt: ragnfrid" as often as "kontakt: Ragnfrid".
        read = capitalise_unlisted_names(value) if where in _LOWER_NAMED_META or where.startswith("attribute ") else value
        proposed = [proposal for proposal in propose(read, (), ()) if where not in categories or not ordinary_value(proposal.text, field)]
        # A surname that is an everyday word too ("Foss", "Vold") is no name to `propose`: typed as a value (all
        # but the file's name and title, which are sentences), it is held back as one (candidates.value_surname).
        typed = value.removeprefix(f"{field} ") if where in categories else "" if where in ("file name", "title") else value
        for proposal in [*proposed, *parts_of_whole_names(value, key.entries), *surnames_in_value(typed, field)]:
            found.append(replace(proposal, start=0, end=0, context=f"{where}: {value}"))
    for where, value in values:
        field = "speaker" if where.startswith("speaker ") else where
        # Read mid-sentence: its first word is no sentence's first. Who someone is may be typed in lower case
        # ("participant: ragnfrid"), as a title is (_LOWER_NAMED_META); a category is not read so.
        read = value if where in categories else capitalise_unlisted_names(value)
        proposed = [made for made in propose(f"med {read}", (), ())
                    if not decided_as_a_value(made.text, value, where in categories)]
        for proposal in [*proposed, *surnames_in_value(value, field)]:
            if where not in categories or not ordinary_value(proposal.text, field):
                found.append(replace(proposal, start=0, end=0, context=f"{where}: {value}"))
    return found


# Fields a name is typed into in lower case as often as not ("title: intervju med ragnfrid hestvold", "interviewer:
# berntine"), as a file's name is: read with such names capitalised, as the name of the file is (_capitalise_names).
_LOWER_NAMED_META = ("title", "interviewer", "note_taker")


def capitalise_unlisted_names(value: str) -> str:
    """`value` with each word in lower case that reads as a name no list holds capitalised ("ragnfrid hestvold"):
    the lists' names in lower case `propose` finds as they are ("kari hansen")."""
    return WORD.sub(lambda word: word.group().capitalize() if reads_as_a_name_in_lower_case(word.group()) else word.group(), value)


def _capitalise_names(stem: str) -> str:
    """A file name's words as a name in it would be written: people write file names in lower
    case ("olsen_gunnhild_t2"), and `clean_name` matches the key's names in them capitalised.
    Only words on the lists of names and places are capitalised, and of those an everyday word
    ("tom", "per") only beside another name ("per_hansen"): a capitalised everyday word would be
    proposed where no one wrote it as a name. A word no list holds is capitalised where it reads as
    a name (candidates.reads_as_a_name_in_lower_case) beside a code of letters and digits, as a file
    is named for whom and which round ("ragnfrid_T1", "d1_ragnfrid"); elsewhere a file's words are
    as often abbreviations and words of the project's own ("selvref", "samtale med brunhar kvelstad")."""
    words = stem.split()
    listed = [word.islower() and may_name_someone(word) for word in words]
    common = [zipf(word.casefold()) >= COMMON_ZIPF for word in words]
    coded = [any(character.isdigit() for character in word) for word in words]
    beside: list[list[int]] = [[i for i in (index - 1, index + 1) if 0 <= i < len(words)] for index in range(len(words))]
    return " ".join(
        word[:1].upper() + word[1:]
        if (listed[index] and (not common[index] or any(listed[i] for i in beside[index])))
        or (word.islower() and any(coded[i] for i in beside[index]) and reads_as_a_name_in_lower_case(word))
        else word
        for index, word in enumerate(words)
    )


# Long texts are pseudonymised this many characters at a time, cut at line ends: the detectors
# hold every word of the text they are given at once, and an identifier in a transcript never
# runs across a line end.
PIECE = 2_000_000


def pseudonymise_text(text: str, key: PseudonymKey, where: str) -> Pseudonymised:
    """`pseudonymise` for a text of any length, in pieces of at most about PIECE characters.

    The result is what one pass over the whole text gives: a piece before the last one that
    taught the key a pattern identifier (a date of birth, an office) is done again with what
    the key learned, as the whole text would have been.
    """
    if len(text) <= PIECE:
        return pseudonymise(text, key, where)
    bounds = [(offset, offset + len(piece)) for offset, piece in pieces(text, PIECE)]
    results: list[Pseudonymised] = []
    last_learning = -1
    lines_before = 0
    for index, (start, end) in enumerate(bounds):
        known = len(key.entries)
        results.append(pseudonymise(text[start:end], key, where))
        for entry in key.entries[known:]:
            # Found in this piece: its line counts from the start of the text.
            place, _, line = (entry.first_seen or "").rpartition(":")
            if place == where and line.isdigit():
                entry.first_seen = f"{where}:{int(line) + lines_before}"
        if len(key.entries) > known:
            last_learning = index
        lines_before += text.count("\n", start, end)
    for index in range(last_learning):
        start, end = bounds[index]
        results[index] = pseudonymise(text[start:end], key, where)
    return Pseudonymised(
        "".join(result.text for result in results),
        [replace(r, start=r.start + offset, end=r.end + offset) for (offset, _), result in zip(bounds, results, strict=True) for r in result.replacements],
    )


def undecided_in_texts(
    texts: Iterable[str], key: PseudonymKey, vocabulary: set[str], where: str, settled: Iterable[str] = (),
    read: Callable[[str], Pseudonymised] | None = None,
) -> list[Proposal]:
    """Possible identifiers nobody has decided about in texts that come from outside but are no
    transcript (a codebook's names and definitions, a file's notes): read as one document, a
    paragraph each, so spaCy is called once. A phrase that is one of the key's pseudonyms whole, or
    in `settled`, is no candidate. Each is read as it is stored (`visible`, as clean_text reads it):
    read as written, "Torb\u00adjørg" was "jørg", and the name was stored whole, unreviewed.
    `read` reads the document for the key's replacements, where the text's cleaning shares that reading."""
    joined = "\n\n".join(visible(text).replace("\n", " ") for text in texts if text and text.strip())
    if not joined:
        return []
    document = ParsedDocument(joined, detect_turns(joined), "txt", "utf-8")
    replaced = (read(joined) if read is not None else pseudonymise(joined, key, where)).replacements
    known = {entry.pseudonym for entry in key.entries} | set(settled)
    undecided = undecided_proposals(joined, propose_candidates(document, vocabulary), key, vocabulary, replaced, set())
    named = {proposal.text for proposal in undecided}
    # A name the key replaces as someone it may not be ("Gunnvor" as Gunvor, "Berg" of Hansen-Berg) waits for the
    # researcher as in a transcript (doubtful_proposals): a memo saying it was stored as that person's, unasked.
    undecided += [proposal for proposal in doubtful_proposals(joined, replaced, key) if proposal.text not in named]
    return [proposal for proposal in undecided if proposal.text not in known]


# What a person writes as prose, and where a name nobody has decided about is refused before it is
# stored (a transcript's title and a participant's attributes are checked where they are edited).
# A session whose texts were held back before it began (a codebook file's, by
# Workspace.import_codebook) marks itself so; its new codes are not read twice.
HELD_BACK_BEFORE = "qualcode.held_back_before"
PROSE: dict[type, tuple[str, ...]] = {
    Memo: ("title", "text"),
    Coding: ("memo",),
    FrameworkSummary: ("text",),
    # A code's name too: it is shown in every export, and its words are the codebook's vocabulary,
    # never proposed again (a probe's code "Torgeir Skjelbred" went into every export unreviewed).
    # Its signal words, a list: "mestring,Gunnhild Rasmussen" was stored as typed and written out by every codebook export.
    Code: ("name", "definition", "inclusion", "exclusion", "example", "signal_words"),
}
_PROSE_NAMES = {Memo: "memo", Coding: "coding's memo", FrameworkSummary: "summary", Code: "code's definition"}
_NAMED_COLUMNS = {(Code, "name"): "code's name", (Code, "signal_words"): "code's signal word"}


def refuse_undecided_prose(session: Session, key: PseudonymKey) -> None:
    """Refuse a memo, a summary or a code's definition, new or changed in `session`, that names a
    possible identifier nobody has decided about, as an import holds back a file that does: stored,
    it would be kept as typed, unpseudonymised (a probe's memo "Torgeir Hovland er veilederen til
    D1" was stored and exported). Read after the key's replacements, as the guard will store it."""
    by_kind: dict[str, list[str]] = {}  # read once a kind, spaCy called once: a review's fifty comments are one call
    for row in [*session.new, *session.dirty]:
        columns = PROSE.get(type(row), ())
        if not columns or (isinstance(row, Code) and row in session.new and session.info.get(HELD_BACK_BEFORE)):
            continue
        state = inspect(row)
        for column in columns:
            value = getattr(row, column)
            if not (row in session.new or state.attrs[column].history.has_changes()):
                continue
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and text.strip():
                    by_kind.setdefault(_NAMED_COLUMNS.get((type(row), column), _PROSE_NAMES[type(row)]), []).append(text)
    for what, texts in by_kind.items():
        if texts:
            with session.no_autoflush:
                refuse_undecided_text(session, key, what, texts)


def refuse_undecided_text(session: Session, key: PseudonymKey, what: str, texts: list[str]) -> None:
    """Refuse `texts` (a memo, a report's title) if they name a possible identifier nobody has
    decided about. The project's coders (researchers, reviewers) are named in memos as colleagues,
    not as people studied: their names are no candidates, as a .qdpx import's researchers are not."""
    for text in texts:
        refuse_undecided(text, key, what=what)  # a name already waiting for review, said so, naming what typed it
    names = [*session.scalars(select(Coder.name)), *(row.name for row in session.new if isinstance(row, Coder))]
    coders = {*names, *(word for name in names for word in name.split())}  # "Anne" of the reviewer Anne Leser
    # Typed text has no replaced spans: a pseudonym in it ("Emilie sa det", of Emilie Aasen, whom a
    # transcript calls so for Kari) is known by its words, in any case and in the genitive. A real
    # name that shares all its words with pseudonyms passes here as it would in a transcript's
    # pseudonymised text; the transcript itself was checked by its spans.
    settled = {word.casefold() for entry in key.entries if not entry.pseudonym.startswith("(")
               for word in WORD.findall(entry.pseudonym)} | {name.casefold() for name in coders}

    def is_settled(proposal: Proposal) -> bool:
        # An initial names no one alone: "J. Hansen" of the pseudonym Julie Hansen is settled by "Hansen".
        words = [word.casefold() for word in WORD.findall(without_initials(proposal.text))]
        return bool(words) and all(word in settled or (word.endswith("s") and word[:-1] in settled) for word in words)

    # Read as the guard on typed text reads it to clean it (a memo of one line is the same text): once for both.
    proposals = [proposal for proposal in undecided_in_texts(texts, key, codebook_vocabulary(session), "typed text", coders,
                                                             session.info.get(TYPED_READING))
                 if not is_settled(proposal)]
    if proposals:
        first = proposals[0]
        # A pseudonym misspelt is no one new: offered to the key, it would be a real person nobody is. It is not queued
        # for the review, where its words would hold back every text that writes the pseudonym right ("Julie").
        meant = {proposal.text: pseudonym for proposal in proposals if (pseudonym := pseudonym_meant(proposal.text, key))}
        queued = [proposal for proposal in proposals if proposal.text not in meant]
        if first.text in meant:
            raise UndecidedNames(
                f"the {what} names {first.text!r}, which the key does not know: did you mean the pseudonym {meant[first.text]!r}?",
                misspelt_hint(meant[first.text], "then write it again"), queued,
            )
        doubt = doubt_note(key, first.text)  # "Gunnvor is replaced as …, as 'Gunvor' (spelt alike): accept it …"
        raise UndecidedNames(
            f"the {what} names {first.text!r}, a possible identifier nobody has decided about" + (f"; {doubt}" if doubt else ""),
            decide_hint(first.text, first.kind, "then write it again"),
            queued,
        )


def misspelt_hint(meant: str, then: str) -> str:
    """What to do about a name refused as the pseudonym `meant` misspelt: spell it so, or, where it names someone
    else (a real "Julia Hansen" beside the pseudonym Julie Hansen), add them first. The name as typed is not offered
    as the command's argument: run as offered, a misspelt pseudonym would go into the key as a person nobody is."""
    return f"spell it as the key does, {meant!r}, {then}; if it names someone else, add them to the key first" \
        " (`qualcode identifiers add NAME --kind person`)"


def decide_hint(text: str, kind: str | None, then: str) -> str:
    """How to decide about a proposal typed text was refused for: the kind the finder read it as, or, where it
    could not tell, the kinds to choose from. "--kind person" was offered for "Sogn", a region, and "Nynorsk"."""
    add = f"`qualcode identifiers add {text!r} --kind {kind}`" if kind else (
        f"`qualcode identifiers add {text!r} --kind KIND`, KIND one of {', '.join(LIST_KINDS)}")
    return f"add it to the key ({add}) or dismiss it (`qualcode anonymise dismiss {text!r}`), {then}"


def refuse_new_reviewer(session: Session, key: PseudonymKey, author: str, where: str) -> None:
    """Refuse a reviewer new to the project (a comment's author in a reviewed report) whose name is
    a possible identifier nobody has decided about: an informant or a caseworker commenting on a
    draft under their own name (DESIGN.md) would otherwise be kept in clear as a coder, and their
    name then pass as a colleague's in every memo. A reviewer on the team is added as a coder
    first, and is a colleague from then on; `author` is as the key left it (a pseudonym passes)."""
    # A part of a pseudonym too: Word's author is often a first name alone ("Sissel", kept as "Eva" of
    # "Eva Lie"), which was refused with a hint to put the pseudonym in the key as a name.
    settled = {entry.pseudonym for entry in key.entries} | {
        part for entry in key.entries if entry.kind == "person" for part in entry.pseudonym.split() if len(part) > 1}
    # In any case, as a reviewer is found among the coders: "eva lie" typed in lower case is Eva Lie too.
    folded = {name.casefold() for name in settled}
    if author.casefold() in folded or author.startswith("("):
        # The key's name for someone (a pseudonym, a placeholder with its digits): decided. Read
        # as text, a pseudonym's first name could be proposed alone ("Eva" of "Eva Lie").
        return
    proposals = [proposal for proposal in undecided_in_texts([author], key, codebook_vocabulary(session), where, settled)
                 if without_initials(proposal.text).casefold() not in folded]  # "Julie H.", as the key wrote "Sissel B."
    if proposals:
        quoted = shlex.quote(author)
        # Not queued for review as a transcript's names are: the way on is to say who they are,
        # and a name waiting for review could then be neither a coder's nor in the key.
        raise ImportFailed(
            f"a comment in {where} is by {author!r}, who is new to the project and whose name is a possible identifier"
            " nobody has decided about; nothing imported",
            f"a reviewer on the team is added first: `qualcode coder add {quoted} --role medforsker`; an informant or a"
            f" caseworker goes in the key, so their comments come under a pseudonym: `qualcode identifiers add {quoted} --kind person`",
        )


def undecided_proposals(
    text: str, proposals: list[Proposal], key: PseudonymKey, vocabulary: set[str], replacements: list[Replacement],
    speakers: set[str | None],
) -> list[Proposal]:
    """What `propose` found in `text` that nobody has decided about, and after it any word of a name
    the key replaces only whole standing alone ("Fjordkysten" of "Fjordkysten Regnskap", which
    `propose` passes over first in its sentence), but not inside a phrase `propose` put forward
    ("Fjordkysten Bygg"), which the reviewer decides as a whole: each text once."""
    parts = [part for part in parts_of_whole_names(text, key.entries)
             if not any(made.start <= part.start and part.end <= made.end for made in proposals)]
    first: dict[str, Proposal] = {}
    for proposal in _undecided([*proposals, *parts], key, vocabulary, replacements, speakers):
        first.setdefault(proposal.text, proposal)
    return list(first.values())


def _undecided(
    proposals: list[Proposal], key: PseudonymKey, vocabulary: set[str], replacements: list[Replacement],
    speakers: set[str | None],
) -> list[Proposal]:
    """The proposals nobody has decided about: not in the key, not replaced, not ignored.

    The same rules `propose` applies with the key's words: a phrase whose words are all known
    or vocabulary is no candidate, and a speaker label only if the whole label is known.
    """
    ignored = {word.casefold() for word in ignored_words(key)} | {word.casefold() for word in vocabulary}
    starts = [r.start for r in replacements]
    # A withdrawn person's identifier, which the key keeps only as digests, is decided: replaced, in a file's name
    # or front matter too. Proposed there, it was queued in the key in clear, and accepting it put it back there.
    withdrawn = KnownMatcher.of(key).withdrawn if key.denied else lambda text: []

    def unreplaced(proposal: Proposal) -> list[Proposal]:
        """The proposal, or where a replacement took part of it, the runs of its words left as they
        were: "Ola Johan Nordmann" with "Ola Nordmann" known still has "Johan" to decide on, and
        "Ola og Kari Nordmann" "Kari". Dropping the whole run stored such names unasked."""
        index = bisect_right(starts, proposal.start) - 1
        taken = [r for r in replacements[max(index, 0):] if r.start < proposal.end][:64]
        taken = [r for r in taken if proposal.start < r.end]
        return _words_left(proposal, [(r.start - proposal.start, r.end - proposal.start) for r in taken])

    # A proposal dismissed whole settles the words a replacement leaves of it: "Veilederen Kari" dismissed, with
    # "Kari" accepted, held the file back again for "Veilederen" alone ("Fru" of "Fru Hansen-Berg", "Hilsen" ...).
    return [
        part
        for proposal in proposals if proposal.text.casefold() not in ignored
        for some in unreplaced(proposal)
        for part in _words_left(some, withdrawn(some.text))
        if part.text.casefold() not in ignored
        and (part.text in speakers or not all(word.casefold() in ignored for word in part.text.split(" ")))
        and key.entry_for(part.text) is None
    ]


def _words_left(proposal: Proposal, taken: list[tuple[int, int]]) -> list[Proposal]:
    """The proposal, or where `taken` (spans of its text) took part of it, the runs of its words left."""
    if not taken:
        return [proposal]
    runs: list[list[re.Match[str]]] = [[]]
    for word in WORD.finditer(proposal.text):
        if any(start < word.end() and word.start() < end for start, end in taken):
            runs.append([])
        else:
            runs[-1].append(word)
    runs = [_without_conjunctions_at_ends(run) for run in runs]
    # A word left beside a name is looked at as a name is: not when it is an everyday word ("Kontor").
    return [
        replace(proposal, text=proposal.text[run[0].start():run[-1].end()], start=proposal.start + run[0].start(),
                end=proposal.start + run[-1].end())
        for run in runs if run and any(may_name_someone(word.group()) for word in run)
    ]


def _without_conjunctions_at_ends(run: list[re.Match[str]]) -> list[re.Match[str]]:
    """`run` without the conjunctions it begins or ends with: what a replacement leaves of a firm's name joined by
    "og" ("og Sønn" of "Hansen og Sønn", "og Storfamilien") begins with none."""
    start, end = 0, len(run)
    while start < end and run[start].group().casefold() in CONJUNCTIONS:
        start += 1
    while end > start and run[end - 1].group().casefold() in CONJUNCTIONS:
        end -= 1
    return run[start:end]


def _offset_map(result: Pseudonymised) -> Callable[[int, bool], int]:
    """`result.map_offset`, with what it looks up made once, for documents with many turns and replacements."""
    replacements = result.replacements
    starts = [r.start for r in replacements]
    shifts = [0, *accumulate(len(r.pseudonym) - (r.end - r.start) for r in replacements)]

    def map_offset(offset: int, is_end: bool) -> int:
        index = bisect_right(starts, offset) - 1
        if index < 0:
            return offset
        current, shift = replacements[index], shifts[index]
        if offset < current.end and not (offset == current.start and not is_end):
            return current.start + shift + (len(current.pseudonym) if is_end else 0)
        if offset == current.start:
            return current.start + shift
        return offset + shift + len(current.pseudonym) - (current.end - current.start)

    return map_offset


def _label(speaker: str | None, matcher: KnownMatcher, key: PseudonymKey, where: str) -> str | None:
    if speaker is None:
        return None
    return pseudonymise(speaker, key, where).text if matcher.find(speaker) else speaker
