"""Importing a read .qdpx into a project in one transaction, or merging a co-coder's copy into it.

Texts go through the same pseudonymisation as any import (held back while possible identifiers
are undecided), and every selection's positions are moved with the normalisation and the
replacements, so each coding still selects the same words. A source the project already holds
(the same GUID, or the same text once pseudonymised) is not imported again: only its codings and
memos are added, under their users as coders, and what is already there is not repeated, so
importing a file twice adds nothing.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import Pseudonymised, pseudonymise
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import codebook_vocabulary, queue_candidates
from qualcode.anonymise.typed_text import clean_text, refuse_undecided
from qualcode.anonymise.withdraw import refuse_withdrawn_participant
from qualcode.codebook.model import CODE_FIELDS, look_alike_detail, name_twin_keys
from qualcode.codebook.service import (
    CODE_NAME_LENGTH,
    codebook_limit_problem,
    codes_after_moves,
    create_code,
    free_guid,
    make_way_for_moves,
    merged_code_targets,
    move_code,
    retired_code_guids,
)
from qualcode.coding.anchoring import LineMap, find_anchor
from qualcode.coding.coders import CODER_NAME_LENGTH, CONSENSUS_CODER, look_alike_coder
from qualcode.coding.memos import MEMO_TITLE_LENGTH
from qualcode.coding.service import coding_state
from qualcode.coding.waves import project_wave
from qualcode.errors import CodebookInvalid, ImportFailed, InvalidInput, NeedsReview
from qualcode.exchange.codebook_qdc import parse_description, signal_words_of, written_by
from qualcode.exchange.project_export import (
    INTERVIEWER_SPEAKERS_VARIABLE,
    SPEAKERS_VARIABLE,
    TRANSCRIPT_FIELDS,
    TURN_TIMES_VARIABLE,
    derived_guid,
    speaker_labels,
    turn_times,
)
from qualcode.exchange.qdpx_elements import SHOWN
from qualcode.exchange.qdpx_package import QdpxCode, QdpxPackage, QdpxSelection, QdpxSource
from qualcode.exchange.qdpx_values import written_date
from qualcode.garbage import without_collections
from qualcode.importers.document import ParsedDocument, unread_times_note
from qualcode.importers.metadata import (
    ATTRIBUTE_NAME_LENGTH,
    ATTRIBUTE_VALUE_LENGTH,
    EARLIEST_INTERVIEW,
    attribute_definition,
    check_participant_value,
    check_transcript_meta,
    interview_date_possible,
    participant_field,
    participant_state,
    participant_value,
    set_participant_attribute,
    transcript_key,
    typed_value,
)
from qualcode.importers.pseudonymise import (
    PseudonymisedDocument,
    _offset_map,
    propose_candidates,
    pseudonymise_document,
    undecided_in_metadata,
    undecided_in_texts,
    undecided_proposals,
)
from qualcode.importers.service import (
    PreparedTranscript,
    ReadTranscript,
    mark_seen,
    prepare_transcript,
    write_transcript,
)
from qualcode.importers.turns import detect_turns
from qualcode.store.bulk import insert_rows
from qualcode.store.events import TOGETHER, Entity, EventKind, record_event
from qualcode.store.models import (
    Code,
    Coder,
    Coding,
    Event,
    InterviewerSpeaker,
    Memo,
    Participant,
    TextVersion,
    Transcript,
    TranscriptAttribute,
    TranscriptParticipant,
    Turn,
    code_guid,
    new_guid,
    new_guids,
    utcnow,
)
from qualcode.text.counts import counted
from qualcode.text.export_words import UNTITLED_NOTE
from qualcode.text.normalise import _LINE_BREAK_HYPHEN as LINE_BREAK_HYPHEN
from qualcode.text.normalise import (
    INVISIBLE,
    content_hash,
    invisible_kept,
    normalise,
    on_one_line,
    one_line,
    shortened,
    unseen_character,
)
from qualcode.text.speakers import is_interviewer

TRANSCRIPT_COLUMNS = dict(TRANSCRIPT_FIELDS)
# A source's variable under the Norwegian name of one of them ("runde" is the wave, as MAXQDA users name it):
# the transcript's keys (importers.metadata.transcript_key) that are its columns.
_KEY_COLUMNS = {"title": "title", "wave": "wave", "date": "interview_date", "interviewer": "interviewer", "note_taker": "note_taker"}


def _norwegian_column(variable: str, variables: Iterable[str], qualcodes: bool) -> str | None:
    """The transcript's column a source's variable means by its Norwegian name ("runde", "Intervju dato"), or None:
    never in a file qualcode wrote (it writes its fields under their English names, so a "runde" there is an
    attribute it exported), nor where the source gives the field under its English name or another Norwegian one
    first (the other stays an attribute, so no value is lost unsaid)."""
    def norwegian(name: str) -> str | None:
        key = transcript_key(name)
        return _KEY_COLUMNS.get(key) if key != name else None

    column = norwegian(variable)
    if column is None or qualcodes or any(TRANSCRIPT_COLUMNS.get(other.strip().lower()) == column for other in variables):
        return None
    return column if next(other for other in variables if norwegian(other) == column) == variable else None


def _fits(session: Session, column: str, value: object, transcript: Transcript) -> bool:
    """Whether a variable's value is one the transcript's `column` holds: one of the project's rounds as project_wave
    spells them ("runde 1" is none, nor 1 where they are T1, T2), a date."""
    if column == "wave":
        try:
            project_wave(session, str(value), besides=transcript.id)
        except InvalidInput:
            return False
    if column == "interview_date":
        return isinstance(value, date) or written_date(str(value)) is not None
    return True

# The store's columns (store/models.py), and coding/coders.py's CODER_NAME_LENGTH: a longer name is cut, with a note.
TRANSCRIPT_NAME_LENGTH = 200
PARTICIPANT_NAME_LENGTH = 100


@dataclass
class QdpxImport:
    """What importing one .qdpx did, and what it left out."""

    file_name: str
    imported: list[str] = field(default_factory=list)  # transcripts added
    merged: list[str] = field(default_factory=list)  # sources the project already held
    codes_created: list[str] = field(default_factory=list)
    codes_moved: list[tuple[str, str]] = field(default_factory=list)  # (from, to) of each code the file has under another code
    # (the file's code, the code here) of each code the file has that was merged into another here: its codings go there.
    codes_merged: list[tuple[str, str]] = field(default_factory=list)
    coders_created: list[str] = field(default_factory=list)
    participants_created: list[str] = field(default_factory=list)
    participants_linked: int = 0
    codings_added: int = 0
    codings_present: int = 0
    # Codings the file changed (same GUID, another span or code): the project's version is kept.
    conflicts: list[str] = field(default_factory=list)
    memos_added: int = 0
    memos_present: int = 0
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    deviations: list[str] = field(default_factory=list)


@dataclass
class _Source:
    """A source made ready: its pseudonymised text and where each of its offsets went."""

    source: QdpxSource
    prepared: PreparedTranscript
    pseudonymised: PseudonymisedDocument
    read: ReadTranscript
    indexed: bool  # whether `prepared` holds the search index's terms, which a write needs
    # Each selection boundary of the file's text -> its offset in the prepared text, as a start and as an end.
    starts: dict[int, int]
    ends: dict[int, int]
    transcript_id: int | None = None
    stored_text: str = ""
    stored_version: int = 0
    stored_hash: str = ""
    new: bool = False  # written by this import, rather than already in the project
    written_name: str = ""  # the name as the file has it, when that is longer than the transcript's column


def normalised_offsets(raw: str, offsets: set[int]) -> tuple[str, dict[int, int]]:
    """`normalise(raw)` and where each of `offsets` lands in it.

    The text is cut at the offsets and each piece normalised: when the pieces give the whole
    text's normalisation (no cut inside a CRLF, a letter and its accent, or a joined hyphen) the
    offsets are the pieces' lengths summed. Otherwise every character is followed through the
    normalisation, and an offset lands before the first character that came from at or after it.
    """
    text = normalise(raw)
    if text == raw:
        return text, {offset: offset for offset in offsets}
    cuts = sorted(offsets | {0, len(raw)})
    pieces = [normalise(raw[start:end]) for start, end in zip(cuts, cuts[1:], strict=False)]
    if "".join(pieces) == text:
        moved, position = {0: 0}, 0
        for cut, piece in zip(cuts[1:], pieces, strict=True):
            position += len(piece)
            moved[cut] = position
        return text, {offset: moved[offset] for offset in offsets}
    origins = _origins(raw, text)
    if origins is None:  # a composition across letters (Hangul jamo): never in these transcripts
        return text, {offset: min(len(normalise(raw[:offset])), len(text)) for offset in offsets}
    return text, {offset: bisect_left(origins, offset) for offset in offsets}


def _origins(raw: str, text: str) -> list[int] | None:
    """For each character of `text` (= normalise(raw)), the offset in `raw` it came from; None if they cannot be told."""
    chars: list[str] = []
    origins: list[int] = []
    for index, character in enumerate(raw):
        if character == "\r" and raw[index + 1:index + 2] == "\n":
            continue
        for produced in normalise(character) if character != "\r" else "\n":
            chars.append(produced)
            origins.append(index)
    # Composing: a letter and the marks after it become one character, which came from the letter.
    composed_chars: list[str] = []
    composed_origins: list[int] = []
    start = 0
    for index in range(1, len(chars) + 1):
        if index == len(chars) or not unicodedata.combining(chars[index]):
            group = unicodedata.normalize("NFC", "".join(chars[start:index]))
            composed_chars += group
            composed_origins += [origins[start]] * len(group)
            start = index
    joined = "".join(composed_chars)
    removed = {match.start() + step for match in LINE_BREAK_HYPHEN.finditer(joined) for step in range(2)}
    result = [origin for position, origin in enumerate(composed_origins) if position not in removed]
    return result if len(result) == len(text) else None


@without_collections()  # a project's thousands of selections, codings and rows hold no cycles
def import_qdpx(
    session: Session, package: QdpxPackage, key: PseudonymKey, importer: Callable[[], Coder],
    settle_key: Callable[[], None] | None = None,
) -> QdpxImport:
    """Import or merge `package` in the caller's transaction; nothing is written if it raises.

    `importer` gives the coder who imports, asked for only once the file's users are coders, so
    an importer who is one of them is that user, with the user's GUID, not a namesake made first.
    The coders the file brings are recorded as added by the importer (by themselves, for that one).

    Possible identifiers nobody has decided about are queued in `key` for review and the whole
    file refused (NeedsReview). `settle_key` is called once the key knows every pseudonym the
    texts use, before any of them is written.
    """
    # The file's name goes into events written past the session's typed-text check: cleaned here.
    result = QdpxImport(clean_text(package.file_name, key), skipped=list(package.skipped), problems=list(package.problems),
                        deviations=list(package.deviations))
    # Before anything is read for review: a file naming someone who withdrew (a .qdpx exported before)
    # would otherwise queue candidates, with their words as context, in the key.
    refuse_withdrawn_participant(session, *(unicodedata.normalize("NFC", case.name.strip()) for case in package.cases))
    # Each note on a selection or its codings, with the source: read before any selection is skipped.
    on_selections = {note: source.guid for source in package.sources for selection in source.selections
                     for note in (*selection.notes, *(note for coding in selection.codings for note in coding.notes))}
    sources = _prepare_sources(session, package, key, result)
    if settle_key is not None:
        settle_key()
    coders, new_coders = _coders(session, package, key, result)
    coder = importer()
    for made in new_coders:  # added by whoever imports, or by themselves where that is who they are
        record_event(session, kind=EventKind.CODER_CREATE, coder=coder, entity_guid=made.guid,
                     after={"name": made.name, "role": made.role}, summary=f"new coder {made.name} from {result.file_name}")
    codes = _codes(session, package, key, coder, result)
    _write_sources(session, sources, key, coder, result)
    selection_codings, coding_notes = _write_codings(session, sources, codes, coders, coder, result)
    by_source = {item.source.guid: item.transcript_id for item in sources if item.transcript_id is not None}
    _write_memos(session, package, key, sources, codes, coders, coder, selection_codings, coding_notes, on_selections, result)
    _write_cases(session, package, key, sources, by_source, coder, result)
    # What is said of the file is printed and logged: a name the key knows is said by its pseudonym
    # there too ("Case 'Kristoffer Lie' …" was printed as the file wrote it).
    for said in (result.problems, result.conflicts, result.skipped, result.deviations):
        said[:] = [clean_text(line, key) for line in said]
    return result


def _prepare_sources(session: Session, package: QdpxPackage, key: PseudonymKey, result: QdpxImport) -> list[_Source]:
    """Normalise and pseudonymise every text source, refusing the file while any holds undecided identifiers."""
    vocabulary = codebook_vocabulary(session)
    made: list[_Source] = []
    undecided: list[str] = []
    # Each name whole, read for review as the file's other names are, and kept as a memo where it is cut.
    # A transcript's name the project holds is its own (a .qdpx it exported, merged back), pseudonymised
    # when it came in: "Knut_Rasmussen_T1", named so from its file, proposed its pseudonym's words.
    own_names = set(session.scalars(select(Transcript.name)))
    written_names = [source.name for source in package.sources if clean_text(source.name.strip(), key) not in own_names]
    for source in package.sources:
        written_name, source.name = source.name, as_kept(source.name, TRANSCRIPT_NAME_LENGTH)
        where = f"{package.file_name}:{source.name}"
        offsets: set[int] = set()
        kept = []
        for selection in source.selections:
            if selection.start == selection.end and 0 <= selection.start <= len(source.text):
                result.problems.append(
                    f"{selection.kind} {_named(selection.name)}{selection.guid} in {source.name}: selects nothing "
                    f"(starts and ends at {selection.start}); skipped"
                )
                continue
            if selection.end < selection.start:
                result.problems.append(
                    f"{selection.kind} {_named(selection.name)}{selection.guid} in {source.name}: it ends before it starts "
                    f"({_ends(selection)}); skipped"
                )
                continue
            if not 0 <= selection.start < selection.end <= len(source.text):
                result.problems.append(
                    f"{selection.kind} {_named(selection.name)}{selection.guid} in {source.name}: positions "
                    f"{selection.start}-{selection.end} lie outside the text (0-{len(source.text)}); skipped"
                )
                continue
            kept.append(selection)
            offsets |= {selection.start, selection.end}
        source.selections = kept
        if source.normalised:
            result.deviations.append(f"{source.name}: text read from its .docx; positions were counted in the other program's text")
            text, moved = normalise(source.text), {offset: offset for offset in offsets}
        else:
            text, moved = normalised_offsets(source.text, offsets)
        if not text.strip():
            result.problems.append(f"TextSource {source.name!r} {source.guid}: no text; skipped with its selections")
            continue
        document = ParsedDocument(text, detect_turns(text, named=_named_speakers(source.variables, text)), source.source_format, "utf-8")
        unread = unread_times_note(text, document.turns)
        if unread is not None:
            result.deviations.append(f"{source.name}: {unread}")
        meta = check_transcript_meta({"name": source.name}, where)
        # spaCy's proposals are the slow part, and a text the project already holds (a co-coder's
        # copy) was reviewed when it came in: they are made only for a text that is new.
        pseudonymised = pseudonymise_document(document, meta, key, where, vocabulary, [])
        # A source the project holds under its GUID is the project's own text, perhaps changed since
        # (an identifier learned and replaced): only the key's known replacements are applied, to
        # find where its selections lie; nothing in it is proposed, least of all the project's pseudonyms.
        stored = _stored(session, content_hash(pseudonymised.document.text)) or session.scalar(
            select(Transcript.id).where(Transcript.guid == source.guid)
        ) is not None
        if stored:
            pseudonymised = replace(pseudonymised, proposals=[])
        else:
            # What pseudonymising again with the proposals would give, without replacing twice.
            speakers = {span.speaker for span in document.turns}
            proposals = undecided_proposals(
                document.text, propose_candidates(document, vocabulary), key, vocabulary, pseudonymised.replacements, speakers,
            )
            # Like any import, by the spans replaced and never by the words: a new text's name that
            # equals a pseudonym, or shares a word with one, may still be a real person's.
            pseudonymised = replace(pseudonymised, proposals=proposals)
        if pseudonymised.proposals:
            queue_candidates(key, pseudonymised.proposals, where)
            undecided += [proposal.text for proposal in pseudonymised.proposals]
            continue
        read = ReadTranscript(Path(source.name + ".txt"), document, meta)
        if stored:  # a co-coder's copy: the search index's terms are made only if it is written after all
            unindexed = replace(pseudonymised, document=replace(pseudonymised.document, turns=[]))
            prepared = replace(prepare_transcript(read, unindexed, key), document=pseudonymised.document)
        else:
            prepared = prepare_transcript(read, pseudonymised, key)
        # The importer's own map of offsets through the replacements, as its turns are moved.
        map_offset = _offset_map(Pseudonymised(pseudonymised.document.text, pseudonymised.replacements))
        made.append(_Source(
            source, prepared, pseudonymised, read, not stored,
            {offset: map_offset(position, False) for offset, position in moved.items()},
            {offset: map_offset(position, True) for offset, position in moved.items()},
            written_name=written_name if written_name != source.name else "",
        ))
    undecided += _undecided_elsewhere(package, key, vocabulary, _own_memo_texts(session), written_names)
    if undecided:
        distinct = list(dict.fromkeys(undecided))
        names = ", ".join(distinct[:6]) + (" …" if len(distinct) > 6 else "")
        raise NeedsReview(
            f"{package.file_name} has {counted(len(distinct), 'possible identifier')} nobody has decided about ({names}); nothing imported",
            "decide with `qualcode anonymise review`, then import again",
        )
    if package.sources_found and not made:
        _refuse_without_sources(package, result)
    for item in made:
        mark_seen(key, item.pseudonymised, item.prepared.name)
    return made


def _refuse_without_sources(package: QdpxPackage, result: QdpxImport) -> None:
    """Refuse a file none of whose sources could be read: its codes and users alone would come in unasked."""
    none = f"{package.file_name}: none of its {counted(package.sources_found, 'source')} could be read"
    if package.missing_parts:
        # A text the file names and does not hold (a recording's transcript left behind): the part is what to find.
        what, part = package.missing_parts[0]
        more = f", and {len(package.missing_parts) - 1} more texts the package does not hold" if len(package.missing_parts) > 1 else ""
        raise ImportFailed(
            f"{none} (first: {shortened(what, 160)}: its text {shortened(part, 160)} is not in the package{more}); nothing imported",
            f"export the project again from the other program with its sources, or put the text file at {shortened(part, 160)}"
            " inside the .qdpx (a zip file) and import it again",
        )
    reasons = [line for line in (*result.skipped, *result.problems) if "Source" in line.split(":")[0]]
    first = f" (first: {shortened(reasons[0], 160)})" if reasons else ""
    raise ImportFailed(
        f"{none}{first}; nothing imported",
        "qualcode reads text sources (plain text or .docx); export them as such from the other program, "
        "or bring in only its codes with `qualcode codebook import` of a .qdc",
    )


def _own_memo_texts(session: Session) -> set[str]:
    """The project's memos, their titles and the coding memos as stored: written here, pseudonymised then."""
    found: set[str | None] = {*session.scalars(select(Memo.text)), *session.scalars(select(Memo.title)),
                              *session.scalars(select(Coding.memo))}
    return {text for text in found if text}


def _undecided_elsewhere(
    package: QdpxPackage, key: PseudonymKey, vocabulary: set[str], own: set[str], source_names: list[str],
) -> list[str]:
    """Possible identifiers in what the file says besides its texts (notes, case, user, code and
    source names, descriptions, variable values), queued for review as a text's are: another
    program's notes were never pseudonymised. A phrase that is one of the key's pseudonyms whole
    is that pseudonym (a pseudonym never equals an original): a co-coder's copy is not held back
    for the pseudonyms in its notes. User names are the researchers': cleaned with what the key
    knows, as a coder's name is, but neither they nor a note naming them whole is proposed. The
    sources' names are given as the file wrote them, whole: one cut to its column is kept whole as a memo."""
    texts = [package.name, *_code_texts(package.codes)]
    for note in package.notes.values():
        # A note that says what a memo of the project says is the project's own (a .qdpx it exported,
        # merged back): pseudonymised when it was written, and held in the project already. Names the
        # key pieced together there ("Astrid" for one entry, "Pettersen" for another) are not proposed.
        texts += [text for text in (note.title or "", note.text) if clean_text(text.strip(), key) not in own]
    for case in package.cases:
        texts += [case.name, case.description or "", *(str(value) for value in case.variables.values() if isinstance(value, str))]
        texts += list(case.variables)  # a variable's name is an attribute's, in every list and export
    researchers = {user.name.strip() for user in package.users.values()}
    for source in package.sources:
        # Not the speaker labels: only the text's own labels and the cases' names are used of them, each
        # checked as such. An interviewer and a note taker are researchers, as the users are.
        for name, value in source.variables.items():
            if name in (SPEAKERS_VARIABLE, TURN_TIMES_VARIABLE, INTERVIEWER_SPEAKERS_VARIABLE):
                continue
            if TRANSCRIPT_COLUMNS.get(name.strip().lower()) is None:
                texts.append(name)
            if not isinstance(value, str):
                continue
            if TRANSCRIPT_COLUMNS.get(name.strip().lower()) in ("interviewer", "note_taker"):
                researchers.add(value.strip())
            else:
                texts.append(value)
    texts += source_names
    # Neither the key's pseudonyms nor the file's own users (a note titled "memo Bo Medforsker").
    where = f"{package.file_name}: notes and names"
    proposals = undecided_in_texts(texts, key, vocabulary, where, researchers)
    # The file's own name is written into every event the import records ("coded … (from FILE)"):
    # read as a transcript file's name is, lower case and underscores and all. A co-coder's copy is
    # often named after them ("anne.qdpx" from Anne Forsker): the users' names are no one to review.
    named = {proposal.text for proposal in proposals}
    users = {word.casefold() for name in researchers for word in name.split()}
    proposals += [proposal for proposal in undecided_in_metadata({}, key, vocabulary, package.file_name)
                  if proposal.text not in named and not {word.casefold() for word in proposal.text.split()} <= users]
    if proposals:
        queue_candidates(key, proposals, where)
    return [proposal.text for proposal in proposals]


def _code_texts(codes: list[QdpxCode]) -> list[str]:
    """Code names and what their descriptions say, without the labels of their fields ("Inkluder:")."""
    return [
        text for code in codes
        for text in (code.name, *parse_description(code.description).values(), *_code_texts(code.children))
    ]


def _named(name: str | None) -> str:
    """A selection's name and a space, as a problem names it before its GUID; nothing for one without."""
    return f"{name} " if name else ""


def _ends(selection: QdpxSelection) -> str:
    """Where a selection runs from and to, as its element writes it: a recording's between two SyncPoints."""
    if selection.kind == "TranscriptSelection":
        return f"fromSyncPoint at {selection.start}, toSyncPoint at {selection.end}"
    return f"startPosition {selection.start}, endPosition {selection.end}"


def _fitted(name: str, length: int, where: str, result: QdpxImport, what: str = "its name", kept: str = "") -> str:
    """`name` cut to the store's column at a word with "…", listed once as a problem (with where the
    whole of it is `kept`, if anywhere) when it was too long: PostgreSQL refuses what SQLite keeps."""
    if len(name) <= length:
        return name
    said = f"{where}: {what} has {len(name)} characters, more than the {length} qualcode keeps; cut{kept}"
    if said not in result.problems:
        result.problems.append(said)
    return cut_at_word(name, length)


def cut_at_word(text: str, length: int) -> str:
    """`text` in at most `length` characters, ending in "…": after its last whole word, where that
    keeps at least half of it, else inside the word (a name of one long word) after a whole character
    as a reader sees one: a flag, an emoji with its joiners and skin tone, a letter with its marks."""
    if len(text) <= length:
        return text
    import regex  # wordfreq's dependency, for grapheme clusters; here, as only a cut needs it

    end = 0
    for grapheme in regex.finditer(r"\X", text):
        if grapheme.end() > length - 1:
            break
        end = grapheme.end()
    head = text[:end]
    space = head.rfind(" ")
    if text[end] != " " and space >= length // 2:
        head = head[:space]
    head = head.rstrip()
    # Nor a joiner the cut left at its end (a Persian letter's), joining nothing to "…": the one-line check refuses that.
    while head and INVISIBLE.fullmatch(head[-1]) and not invisible_kept(head + "…", len(head) - 1):
        head = head[:-1].rstrip()
    return head + "…"


def _stored(session: Session, digest: str) -> bool:
    return session.scalar(select(TextVersion.id).where(TextVersion.content_hash == digest).limit(1)) is not None


def _coders(session: Session, package: QdpxPackage, key: PseudonymKey, result: QdpxImport) -> tuple[dict[str, Coder], list[Coder]]:
    """The file's users as coders, found by GUID then by name, created with their GUID when new;
    and the coders made, whose creation the caller records as the importer's.

    A name brought by a file is typed text from elsewhere: it is pseudonymised with the key before
    it names a coder (a coder made at login keeps its name), and kept as a typed coder's name is
    (coding/coders.py): on one line, without a comma (--coders takes A,B), and one coder for names
    that differ only in case. A user without a name, or a creatingUser the file does not list among
    its users, is named by its GUID's first characters, the same on every import of it.
    """
    found: dict[str, Coder] = {}
    made: list[Coder] = []
    by_folded: dict[str, list[Coder]] = {}
    named: dict[str, str] = {}  # each name the file's users have here -> the first user of it
    for coder in session.scalars(select(Coder)):
        by_folded.setdefault(coder.name.casefold(), []).append(coder)
    for user in package.users.values():
        written = clean_text(unicodedata.normalize("NFC", user.name).strip(), key)
        name = on_one_line(written)  # nor a private-use character, which a typed name may not hold
        if name != written:
            result.problems.append(f"User {user.guid}: its name held a line break, tab or invisible character; kept on one line as {name!r}")
        if "," in name:
            name = one_line(name.replace(",", " "))
            result.problems.append(f"User {user.guid}: a coder's name cannot hold a comma (--coders takes A,B); named {name!r}")
        name = _fitted(name or f"ukjent bruker {user.guid[:8]}", CODER_NAME_LENGTH, f"User {user.guid}", result)
        found[user.guid] = _coder(session, user.guid, name, by_folded, made, result)
        first = named.setdefault(name, user.guid)
        if first != user.guid:
            # The other program told them apart; here a name is a coder, and what both coded alike is one coding.
            result.problems.append(f"User {name!r} {user.guid}: the same name as user {first} of the file; merged into one coder")
    unknown = [coding.user for source in package.sources for chosen in source.selections for coding in chosen.codings]
    unknown += [note.user for note in package.notes.values()]
    for guid in dict.fromkeys(user for user in unknown if user and user not in package.users):
        name = f"ukjent bruker {guid[:8]}"
        result.problems.append(f"creatingUser {guid} is not among the file's users; what it made is credited to {name!r}")
        found[guid] = _coder(session, guid, name, by_folded, made, result)
    return found, made


def _coder(
    session: Session, guid: str, name: str, by_folded: dict[str, list[Coder]], made: list[Coder], result: QdpxImport,
) -> Coder:
    """The coder with the GUID, else of the name (in any case, if only one), else a new one with the GUID, added to `made`."""
    existing = session.scalar(select(Coder).where(Coder.guid == guid)) or session.scalar(select(Coder).where(Coder.name == name))
    same = by_folded.get(name.casefold(), [])
    if existing is None and len(same) > 1:  # a third coder of the name would make it no one's, a blind coder's too
        raise ImportFailed(
            f"{result.file_name}: user {name!r} {guid} could be any of {', '.join(sorted(coder.name for coder in same))},"
            " coders here whose names differ only in case; nothing imported",
            "name the user as one of them in the other program, or import a file that names them so",
        )
    if existing is None and len(same) == 1:
        existing = same[0]
        result.problems.append(
            f"User {name!r} {guid}: differs only in case from the coder {existing.name!r}; merged into that coder"
        )
    if existing is None and (alike := look_alike_coder(session, name)) is not None:
        # As a typed name is refused (coding/coders.refuse_look_alike): a coder nobody can tell from
        # another would take a blind coder's place unseen, or pass for the team's decisions.
        said = "the name the team's decisions are coded under" if alike == CONSENSUS_CODER else "a coder here"
        raise ImportFailed(
            f"{result.file_name}: user {name!r} {guid} looks like {alike!r}, {said}, but is not that name; nothing imported",
            f"in the other program, name the user {alike!r} if they are that coder, else a name that can be told from it"
            if alike != CONSENSUS_CODER else "in the other program, name the user so that it can be told from it",
        )
    if existing is None:
        existing = Coder(guid=guid, name=name, role="researcher")
        session.add(existing)
        session.flush()
        made.append(existing)
        result.coders_created.append(existing.name)
        by_folded.setdefault(name.casefold(), []).append(existing)
    return existing


def _codes(session: Session, package: QdpxPackage, key: PseudonymKey, coder: Coder, result: QdpxImport) -> dict[str, Code]:
    """The file's codes in the project, matched by GUID then by path; new ones created with their colour and definition.

    A code the project holds by GUID is that code wherever the file has it, as in a `.qdc` import:
    renamed there, it keeps the project's name (a conflict says so); moved under another code, it
    is moved here too, with its sub-codes and codings, as an undoable change the result lists, and
    a move the tree cannot take refuses the file (codebook/service.codes_after_moves).

    Codes side by side that nobody could tell apart (the same name in another case, or one that
    looks like it, name_twin_keys) are one code, as the file's codes or as a file's code beside
    the project's: a project file is not refused for a letter nobody sees. Each merge is a problem
    line saying why, in words true of the names the file writes (_alike_in_file).

    New codes are written a row at a time through Core with their events in one statement, as
    codings are: a codebook from another program may bring thousands, and a flush per code (with
    the typed-text check of everything in it) took seconds per hundred. What that check does to a
    code's typed text is done here: its name and description are pseudonymised and may not name a
    word waiting for review.
    """
    session.flush()
    ids: dict[str, int] = {}
    by_guid: dict[str, tuple[int, str]] = {}
    # Paths found by a sibling's nobody could tell from them: the same name in another case, or
    # written with another script's letters, is one code (codebook/service.create_code refuses the second).
    by_code_path: _Siblings[tuple[int, str, str]] = _Siblings()
    # Parent id -> the place after its last sub-code, as create_code gives it: after a move the count of sub-codes may be a place taken.
    next_place: Counter[int | None] = Counter()
    for row in session.execute(select(Code.id, Code.guid, Code.path, Code.parent_id, Code.position)):
        by_guid[row.guid] = (row.id, row.path)
        by_code_path.setdefault(row.path, (row.id, row.guid, row.path))
        next_place[row.parent_id] = max(next_place[row.parent_id], row.position + 1)
    # A code merged away here is, in a colleague's file from before the merge, the code it went into; one
    # deleted here is made again for the file's codings, under a GUID of its own (the old one is retired).
    file_guids = [spec.guid for spec in _walk(package.codes)]
    merged_into = merged_code_targets(session, file_guids)
    retired = retired_code_guids(session, file_guids) - merged_into.keys()
    by_path: _Siblings[QdpxCode] = _Siblings()
    events: list[dict[str, object]] = []
    # The file's codes and moves are one change, which undo takes whole, as a codebook file's: two codes
    # that traded places go back only together.
    together = new_guid()
    connection = session.connection()
    table = cast(Table, Code.__table__)

    def typed(text: str) -> str:
        cleaned = clean_text(text, key)
        refuse_undecided(cleaned, key)
        return cleaned

    names: dict[int, str] = {}  # id(spec) -> the code's name as stored: pseudonymised, cut to fit
    tree: list[tuple[str, str | None]] = []  # where the file has each code, the project's names for codes it holds
    placed: dict[str, str] = {}  # path -> GUID of each code the project holds, where the file has it

    ending_at: _Siblings[tuple[str, QdpxCode, bool]] = _Siblings()  # a path here -> the file's path, its code, renamed here
    clashes: list[str] = []

    def place(codes: list[QdpxCode], parent_path: str | None, file_parent: str | None) -> None:
        for spec in codes:
            name = names[id(spec)] = _fitted(typed(unicodedata.normalize("NFC", spec.name).strip()), CODE_NAME_LENGTH, f"Code {spec.guid}", result)
            held = by_guid.get(spec.guid)
            path = f"{parent_path}/{name}" if parent_path else name
            file_path = f"{file_parent}/{name}" if file_parent else name
            if spec.guid in merged_into:  # neither a rename nor a move of the code it went into: that stays as it is
                place(spec.children, by_guid[merged_into[spec.guid]][1], file_path)
                continue
            renamed = False
            if held is not None:
                held_name = held[1].rpartition("/")[2]
                renamed = not set(name_twin_keys(held_name)) & set(name_twin_keys(name))
                path = f"{parent_path}/{held_name}" if parent_path else held_name
                placed[path] = spec.guid
            elif (twin := by_code_path.get(path)) is not None:
                path = twin[2]
            first = ending_at.setdefault(path, (file_path, spec, renamed))
            if first[1] is not spec and (renamed or first[2]):
                # A code keeping the project's name would take another of the file's codes into it.
                clashes.append(f"the file's codes {shortened(first[0], SHOWN)} and {shortened(file_path, SHOWN)} would both be"
                               f" {shortened(path, SHOWN)} in this project, where a code the file renamed keeps its name"
                               " (in the other program, rename one of them)")
            tree.append((path, parent_path))
            place(spec.children, path, file_path)

    place(package.codes, None, None)
    if clashes:
        raise CodebookInvalid(clashes[:1])
    to_move: dict[int, Code] = {}  # code id -> a code the file has elsewhere, or under a code it has elsewhere
    moved_aside: dict[int, dict[str, Any]] = {}  # code id -> its state before the file's moves
    if any(by_guid[guid][1] != path for path, guid in placed.items()):
        after = codes_after_moves(tree, {code.path: code for code in session.scalars(select(Code))}, placed, {path for path, _ in tree})
        to_move = {code.id: code for path, code in after.items() if code.path != path}
        moved_aside = make_way_for_moves(session, after)
        # Read as the file leaves the tree: a code moved away leaves its path to a new code.
        by_guid = {code.guid: (code.id, path) for path, code in after.items()}
        by_code_path = _Siblings()
        for path, code in after.items():
            by_code_path.setdefault(path, (code.id, code.guid, path))

    def move(code: Code, parent: tuple[int, str, str, str] | None, path: str) -> None:
        if events:  # the creation of a code it is moved under comes first, as undo takes them back last to first
            connection.execute(insert(cast(Table, Event.__table__)), events)
            events.clear()
        parent_id = parent[0] if parent else None
        result.codes_moved.append(move_code(session, code, session.get(Code, parent_id) if parent_id else None, path, next_place[parent_id], coder, moved_aside.get(code.id), together))
        next_place[parent_id] += 1

    def create(spec: QdpxCode, name: str, path: str, parent: tuple[int, str] | None, typed_path: str) -> tuple[int, str]:
        # A GUID qualcode derived from the path as another copy typed it (store.models.code_guid)
        # names what that path said: derived again from the path pseudonymised here.
        file_guid = code_guid(path) if typed_path != path and spec.guid == code_guid(typed_path) else spec.guid
        fields: dict[str, object] = {}
        if spec.description:
            fields.update(_description_fields(clean_text(spec.description, key), written_by(package.origin, "qualcode")))
        if spec.colour:
            fields["colour"] = spec.colour.upper()
        if "shortcut" in fields:  # a shortcut must be free: the service checks it
            made = create_code(session, path, fields, coder)
            return made.id, made.guid if file_guid in retired else _adopt_guid(session, made.id, file_guid)
        # A code moved away from this path keeps the GUID derived from it: a new one here gets its own, and
        # so does one made again after a deletion (its GUID names the deleted code in the history).
        guid = file_guid if file_guid not in by_guid and file_guid not in retired else free_guid(path, {*by_guid, *retired})
        parent_id = parent[0] if parent else None
        row: dict[str, object] = {
            "guid": guid, "parent_id": parent_id, "name": name, "path": path, "position": next_place[parent_id],
            **{field: typed(str(fields[field])) if fields.get(field) else None for field in ("definition", "inclusion", "exclusion", "example")},
            "colour": fields.get("colour"), "shortcut": None,
            "signal_words": [typed(str(word)) for word in cast("list[object]", fields.get("signal_words") or [])],
        }
        code_id = int(connection.execute(insert(table).values(row).returning(table.c.id)).scalar_one())
        state = {"guid": guid, "name": name, "path": path, "parent_guid": parent[1] if parent else None,
                 **{field: row[field] for field in ("position", *CODE_FIELDS, "signal_words")}}
        events.append({
            "guid": new_guid(), "at": utcnow(), "coder_id": coder.id, "action": EventKind.CODE_CREATE.value,
            "entity": Entity.CODE.value, "entity_guid": guid, "undoable": EventKind.CODE_CREATE.undoable,
            "payload": {"before": None, "after": state, TOGETHER: together}, "summary": f"created code {path}",
        })
        return code_id, guid

    def visit(codes: list[QdpxCode], parent: tuple[int, str, str, str] | None) -> None:
        for spec in codes:
            written = unicodedata.normalize("NFC", spec.name).strip()
            name = names[id(spec)]
            path = f"{parent[2]}/{name}" if parent else name
            typed_path = f"{parent[3]}/{written}" if parent else written
            if spec.guid in merged_into:
                guid = merged_into[spec.guid]
                code_id, held_path = by_guid[guid]
                result.codes_merged.append((path, held_path))
                ids[spec.guid] = code_id
                visit(spec.children, (code_id, guid, held_path, typed_path))
                continue
            first = by_path.setdefault(path, spec)
            if first is not spec:
                result.problems.append(f"Code {shortened(spec.name, SHOWN)!r} {spec.guid}: {_alike_in_file(spec, first, names, key)}; merged into one code")
            if spec.guid in by_guid:
                code_id, held_path = by_guid[spec.guid]
                if held_path != path and first is spec:
                    result.conflicts.append(
                        f"Code {spec.guid}: {shortened(path, SHOWN)!r} in the file, {shortened(held_path, SHOWN)!r} here; the project's name kept"
                    )
                path, guid = held_path, spec.guid
            elif (twin := by_code_path.get(path)) is not None:
                code_id, guid, held_path = twin
                if held_path != path and first is spec:
                    held_name = held_path.rpartition("/")[2]
                    alike = (f"looks like the code {shortened(held_path, SHOWN)!r} ({look_alike_detail(name, held_name)})"
                             if name.casefold() != held_name.casefold() else f"differs only in case from the code {shortened(held_path, SHOWN)!r}")
                    result.problems.append(f"Code {shortened(path, SHOWN)!r} {spec.guid}: {alike}; merged into it")
                path = held_path
            else:
                if spec.guid in retired:
                    result.problems.append(f"Code {shortened(path, SHOWN)!r} {spec.guid}: deleted in this project; made again,"
                                           " as a new code, for the file's codings of it")
                code_id, guid = create(spec, name, path, (parent[0], parent[1]) if parent else None, typed_path)
                parent_id = parent[0] if parent else None
                next_place[parent_id] += 1
                by_guid[guid] = (code_id, path)
                by_code_path.setdefault(path, (code_id, guid, path))
                result.codes_created.append(path)
            moving = to_move.pop(code_id, None)
            if moving is not None and moving.path != path:  # not moved already with a code above it
                move(moving, parent, path)
            ids[spec.guid] = code_id
            visit(spec.children, (code_id, guid, path, typed_path))

    visit(package.codes, None)
    if events:
        connection.execute(insert(cast(Table, Event.__table__)), events)
    # What a codebook may be, as `codebook import` checks it: the project's own codebook export must import back.
    if (too_much := codebook_limit_problem(session)) is not None:
        refused = CodebookInvalid([too_much[0]])
        refused.hint = too_much[1]
        raise refused
    loaded: dict[int, Code] = {}
    wanted = sorted(set(ids.values()))
    for first_index in range(0, len(wanted), BATCH):
        loaded.update((code.id, code) for code in session.scalars(select(Code).where(Code.id.in_(wanted[first_index:first_index + BATCH]))))
    return {guid: loaded[code_id] for guid, code_id in ids.items()}


def _walk(codes: list[QdpxCode]) -> list[QdpxCode]:
    """The file's codes and their sub-codes, each once."""
    return [found for spec in codes for found in (spec, *_walk(spec.children))]


_Held = TypeVar("_Held")


class _Siblings(Generic[_Held]):
    """What is held for each code path, found again by the path of a sibling nobody could tell from
    it: under the same parent (in any case), a name of the same casefold or look (name_twin_keys)."""

    def __init__(self) -> None:
        self._held: dict[tuple[str, str, str], _Held] = {}
        self._keys: dict[str, list[tuple[str, str, str]]] = {}  # a path's keys, worked out once (a skeleton each)

    def keys(self, path: str) -> list[tuple[str, str, str]]:
        found = self._keys.get(path)
        if found is None:
            parent, _, name = path.rpartition("/")
            found = self._keys[path] = [(parent.casefold(), *key) for key in name_twin_keys(name)]
        return found

    def get(self, path: str) -> _Held | None:
        return next((self._held[key] for key in self.keys(path) if key in self._held), None)

    def setdefault(self, path: str, value: _Held) -> _Held:
        """What is held for a path like `path`, or else `value`, held from now on for `path` and paths like it."""
        held = self.get(path)
        kept = value if held is None else held
        for key in self.keys(path):
            self._held.setdefault(key, kept)
        return kept


def _alike_in_file(spec: QdpxCode, first: QdpxCode, names: dict[int, str], key: PseudonymKey) -> str:
    """How the file's code `spec` is its sibling `first`, into which it is merged, in words true of
    the names the file writes: the same name, in another case, or a name that looks like it (and
    the letter that is not what it seems). Where the file writes them apart and only their stored
    names are alike, what made them so: the key's pseudonyms (a name it holds beside its
    pseudonym), or the cut to the length a name is kept at."""
    written, first_written = (unicodedata.normalize("NFC", code.name).strip() for code in (spec, first))
    why = ""
    if not set(name_twin_keys(written)) & set(name_twin_keys(first_written)):
        pseudonymised = clean_text(written, key) != written or clean_text(first_written, key) != first_written
        why = (" once the names the key holds are replaced by their pseudonyms" if pseudonymised
               else f" once cut to the {CODE_NAME_LENGTH} characters qualcode keeps")
        written, first_written = names[id(spec)], names[id(first)]
        if written == first_written:
            return f"one name with {first.guid}{why}, under the same parent"
    shown = shortened(first_written, SHOWN)
    if written == first_written:
        return f"the same name as {first.guid} under the same parent"
    if written.casefold() == first_written.casefold():
        return f"the same name as {first.guid} but for case ({shown!r}){why}, under the same parent"
    return f"looks like {first.guid} ({shown!r}){why} under the same parent ({look_alike_detail(written, first_written)})"


def _adopt_guid(session: Session, code_id: int, guid: str) -> str:
    """Give a new code the file's GUID, as a .qdc import does, so the other program's next file finds
    it even renamed, unless another code holds it; the GUID the code has."""
    code = session.get(Code, code_id)
    assert code is not None
    if session.scalar(select(Code.id).where(Code.guid == guid)) is not None:
        return code.guid
    event = session.scalar(select(Event).where(Event.entity_guid == code.guid).order_by(Event.id.desc()).limit(1))
    if event is not None:
        after = dict(event.payload.get("after") or {})
        event.payload = {**event.payload, "after": {**after, "guid": guid}}
        event.entity_guid = guid
    code.guid = guid
    session.flush()
    return guid


def _description_fields(description: str, ours: bool) -> dict[str, object]:
    """A code's Description as its fields, read as the `.qdc` import reads it (`ours`: qualcode wrote it)."""
    fields: dict[str, object] = dict(parse_description(description, ours=ours))
    if isinstance(fields.get("signal_words"), str):
        fields["signal_words"] = signal_words_of(str(fields["signal_words"]))
    return fields


def _write_sources(session: Session, sources: list[_Source], key: PseudonymKey, coder: Coder, result: QdpxImport) -> None:
    """Write the new texts; find the transcript each source already in the project is."""
    # What the project holds of the file's sources, by GUID and by text, and the names taken,
    # each read once: a project from another program may bring hundreds of sources.
    guids = [item.source.guid for item in sources]
    by_guid = {transcript.guid: transcript for first in range(0, len(guids), BATCH)
               for transcript in session.scalars(select(Transcript).where(Transcript.guid.in_(guids[first:first + BATCH])))}
    digests = sorted({item.prepared.digest for item in sources})
    by_digest: dict[str, int] = {}
    for first in range(0, len(digests), BATCH):
        for digest, transcript_id in session.execute(
            select(TextVersion.content_hash, TextVersion.transcript_id).where(TextVersion.content_hash.in_(digests[first:first + BATCH]))
        ):
            by_digest.setdefault(digest, transcript_id)
    names = set(session.scalars(select(Transcript.name)))
    taken_digests: dict[str, _Source] = {}
    for item in sources:
        guid, digest = item.source.guid, item.prepared.digest
        holds_guid = by_guid.get(guid)
        existing = holds_guid or (session.get(Transcript, by_digest[digest]) if digest in by_digest else None)
        if existing is None and digest in taken_digests:
            first_source = taken_digests[digest]
            item.transcript_id, item.stored_text = first_source.transcript_id, first_source.stored_text
            item.stored_version, item.stored_hash = first_source.stored_version, first_source.stored_hash
            result.problems.append(f"TextSource {item.source.name!r} {guid}: the same text as {first_source.source.name!r}; its codings added there")
            continue
        if existing is not None and existing.current_version is not None:
            version = existing.current_version
            item.transcript_id, item.stored_text, item.stored_version, item.stored_hash = existing.id, version.text, version.id, version.content_hash
            result.merged.append(existing.name)
            continue
        if not item.indexed:
            item.prepared, item.indexed = prepare_transcript(item.read, item.pseudonymised, key), True
        # The source keeps its GUID when no transcript has it, so the next import of the file (or
        # its export) knows it.
        name = _free_name(names, item.prepared.name)
        names.add(name)
        prepared = replace(item.prepared, name=name, guid=guid if holds_guid is None else None)
        imported = write_transcript(session, prepared, coder)
        transcript_id, version_id = session.execute(
            select(Transcript.id, Transcript.current_version_id).where(Transcript.guid == imported.guid)
        ).one()
        assert version_id is not None  # write_transcript made the text its current version
        item.transcript_id, item.stored_version = transcript_id, version_id
        item.stored_text, item.stored_hash = prepared.document.text, prepared.digest
        taken_digests[digest] = item
        item.new = True
        result.imported.append(name)
        if item.written_name:
            _kept_whole(session, clean_text(item.written_name, key), TRANSCRIPT_NAME_LENGTH, f"TextSource {guid}", "name",
                        {"transcript_id": transcript_id}, coder, result, what="its name")


def _free_name(taken: set[str], name: str) -> str:
    """`name`, or with the first number after it that no transcript has, within the column's width."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[:TRANSCRIPT_NAME_LENGTH - len(suffix)] + suffix
    return candidate


# Rows written per statement, and GUIDs looked up per query (under SQLite's variable limit).
BATCH = 500


def _write_codings(
    session: Session, sources: list[_Source], codes: dict[str, Code], coders: dict[str, Coder], importer: Coder,
    result: QdpxImport,
) -> tuple[dict[str, list[int]], list[tuple[str, int, str]]]:
    """Each selection's codings, placed in the stored text; returns the coding ids of each selection,
    and each note on a coding with the coding's id.

    A coding is already there when its GUID is, or a live coding has its code, coder and span.
    New ones are written a batch at a time with their events: a project from another program
    may bring tens of thousands.
    """
    session.flush()
    connection = session.connection()
    file_guids = {coding.guid for item in sources for chosen in item.source.selections for coding in chosen.codings}
    ids_by_guid: dict[str, int] = {}
    # What the project says of each coding the file names: (transcript, code, start, end).
    held: dict[str, tuple[int, int, int, int]] = {}
    live: dict[tuple[int, int, int, int, int], str] = {}
    # The codings of the transcripts the file's texts are (all of them, when a co-coder's copy is
    # merged back) in one read per transcript, through Core: the file's codings among them are found
    # there, and only the others are looked up by GUID.
    read = sorted({item.transcript_id for item in sources if item.transcript_id is not None})
    for transcript_id in read:
        for guid, coding_id, code_id, coder_id, start, end, removed in connection.execute(select(
            Coding.guid, Coding.id, Coding.code_id, Coding.coder_id, Coding.start, Coding.end, Coding.removed_at.is_not(None),
        ).where(Coding.transcript_id == transcript_id)):
            if not removed:
                live[(transcript_id, code_id, coder_id, start, end)] = guid
                ids_by_guid[guid] = coding_id
            if guid in file_guids:
                ids_by_guid[guid] = coding_id
                held[guid] = (transcript_id, code_id, start, end)
    # A GUID not found there may be another transcript's coding, if the project has any: into a
    # new project, fifty thousand GUIDs would otherwise be looked up one batch after another for nothing.
    others = connection.execute(select(Coding.id).where(Coding.transcript_id.not_in(read)).limit(1)).first()
    elsewhere = sorted(file_guids - held.keys()) if others is not None else []
    for first in range(0, len(elsewhere), BATCH):
        for guid, coding_id, transcript_id, code_id, start, end in connection.execute(select(
            Coding.guid, Coding.id, Coding.transcript_id, Coding.code_id, Coding.start, Coding.end,
        ).where(Coding.guid.in_(elsewhere[first:first + BATCH]))):
            ids_by_guid[guid] = coding_id
            held[guid] = (transcript_id, code_id, start, end)
    selection_guids: dict[str, list[str]] = {}
    note_guids: list[tuple[str, str]] = []
    new_rows: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    created = utcnow()
    # What the loop reads of each code and coder, read once from the ORM objects rather than per coding.
    code_fields = {guid: (code.id, code.guid, code.path) for guid, code in codes.items()}
    coder_ids = {guid: coder.id for guid, coder in coders.items()}
    importer_id = importer.id
    action, entity, undoable = EventKind.CODING_ADD.value, Entity.CODING.value, EventKind.CODING_ADD.undoable
    for item in sources:
        if item.transcript_id is None:
            continue
        text = item.stored_text
        prepared_text = item.prepared.document.text
        changed = prepared_text != text  # merged into a transcript whose text has since changed
        lines: list[LineMap] = []
        for chosen in item.source.selections:
            start, end = item.starts[chosen.start], item.ends[chosen.end]
            if changed:
                if not lines:
                    lines.append(LineMap(prepared_text, text))
                anchor = find_anchor(prepared_text, text, start, end, lines[0])
                if anchor is None:
                    result.problems.append(f"{chosen.kind} {chosen.guid} in {item.source.name}: its words are no longer in the transcript; skipped")
                    continue
                start, end = anchor.start, anchor.end
            if not text[start:end].strip():
                result.problems.append(f"{chosen.kind} {chosen.guid} in {item.source.name}: selects only whitespace; skipped")
                continue
            placed = selection_guids.setdefault(chosen.guid, [])
            for coding in chosen.codings:
                found = code_fields.get(coding.code)
                if found is None:
                    result.problems.append(f"Coding {coding.guid} in {item.source.name}: CodeRef {coding.code} is not in the codebook; skipped")
                    continue
                code_id, code_guid, code_path = found
                coder_id = coder_ids.get(coding.user or "", importer_id)  # a coding that names no user is the importer's
                span_key = (item.transcript_id, code_id, coder_id, start, end)
                known = coding.guid if coding.guid in ids_by_guid else live.get(span_key)
                present = coding.guid
                if coding.guid in held and held[coding.guid] != (item.transcript_id, code_id, start, end):
                    result.conflicts.append(_conflict(session, coding.guid, held[coding.guid], item, codes[coding.code], start, end))
                elif known is not None:
                    present = known
                    result.codings_present += 1
                else:
                    live[span_key] = present
                    excerpt = text[start:end]
                    new_rows.append({
                        "guid": present, "transcript_id": item.transcript_id, "text_version_id": item.stored_version,
                        "code_id": code_id, "coder_id": coder_id, "start": start, "end": end, "excerpt": excerpt,
                        "text_hash": item.stored_hash, "created_at": coding.created or created,
                    })
                    after = {"guid": present, "code_guid": code_guid, "start": start, "end": end, "excerpt": excerpt,
                             "memo": None, "removed": False}
                    events.append({
                        "at": created, "coder_id": coder_id, "action": action, "entity": entity, "entity_guid": present,
                        "undoable": undoable, "payload": {"before": None, "after": after},
                        "summary": f"coded {start}-{end} as {code_path} (from {result.file_name})",
                    })
                placed.append(present)
                if coding.notes:
                    note_guids += [(note, present) for note in coding.notes]
    # Core inserts into the tables, a few hundred rows a statement: the ORM's bulk insert costs
    # more than SQLite does for these rows, and so does a statement per row on a table with triggers.
    ids_by_guid.update(insert_rows(connection, cast(Table, Coding.__table__), new_rows, returning=("guid", "id")))
    for event, guid in zip(events, new_guids(len(events)), strict=True):
        event["guid"] = guid
    insert_rows(connection, cast(Table, Event.__table__), events)
    result.codings_added += len(new_rows)
    by_selection = {name: [ids_by_guid[guid] for guid in guids] for name, guids in selection_guids.items()}
    return by_selection, [(note, ids_by_guid[guid], guid) for note, guid in note_guids]


def _conflict(
    session: Session, guid: str, held: tuple[int, int, int, int], item: _Source, code: Code, start: int, end: int,
) -> str:
    """A coding the file changed, said as where it is in the project and what the file has instead."""
    transcript_id, code_id, held_start, held_end = held
    transcript = session.get(Transcript, transcript_id)
    version = transcript.current_version if transcript is not None else None
    line = version.text.count("\n", 0, held_start) + 1 if version is not None else 0
    name = transcript.name if transcript is not None else "?"
    differs = []
    if transcript_id != item.transcript_id:
        differs.append(f"the file has it in {item.source.name}")
    if code_id != code.id:
        held_code = session.get(Code, code_id)
        differs.append(f"code {held_code.path if held_code else '?'} here, {code.path} in the file")
    if (held_start, held_end) != (start, end):
        differs.append(f"span {held_start}-{held_end} here, {start}-{end} in the file")
    return f"Coding {guid} in {name}, line {line}: {'; '.join(differs)}; the project's version kept"


def _write_memos(
    session: Session, package: QdpxPackage, key: PseudonymKey, sources: list[_Source], codes: dict[str, Code],
    coders: dict[str, Coder], importer: Coder, selection_codings: dict[str, list[int]],
    coding_notes: list[tuple[str, int, str]], on_selections: dict[str, str], result: QdpxImport,
) -> None:
    """Each note as a memo on what refers to it, in the order of the file's notes; a note nothing
    refers to is a project memo. The note qualcode writes for a coding's own memo is that memo again.
    A note on a selection or coding that was skipped (`on_selections`: each such note's source) is
    kept on its transcript, and said so: it had become a project memo unsaid."""
    targets: list[tuple[str, dict[str, int | None], str]] = []
    own_memos = {derived_guid("coding-memo", coding_guid): coding_id for _, coding_id, coding_guid in coding_notes}
    # A selection's description is its coding's own memo, though the coding here has another GUID (a copy merged back).
    own_memos.update({note: coding_id for note, coding_id, _ in coding_notes if note in package.own_memos})
    for item in sources:
        transcript_id = item.transcript_id
        for note in item.source.notes:
            targets.append((note, {"transcript_id": transcript_id}, item.source.name))
        for selection in item.source.selections:
            ids = selection_codings.get(selection.guid, [])
            for note in selection.notes:
                targets.append((note, {"coding_id": ids[0]} if ids else {"transcript_id": transcript_id}, item.source.name))
    targets += [(note, {"coding_id": coding_id}, "a coding") for note, coding_id, _ in coding_notes]
    for spec in package.walk_codes():
        for note in spec.notes:
            targets.append((note, {"code_id": codes[spec.guid].id}, spec.name))
    # qualcode keeps no memos on participants: a case's note is the project's, titled and said to be the case's.
    on_cases: dict[str, str] = {}
    for case in package.cases:
        for note in case.notes:
            targets.append((note, {}, f"case {case.name}"))
            on_cases.setdefault(note, clean_text(unicodedata.normalize("NFC", case.name.strip()), key))
    for note in package.project_notes:
        targets.append((note, {}, "the project"))
    referred = {note for note, _, _ in targets}
    transcripts = {item.source.guid: item for item in sources if item.transcript_id is not None}
    for note, source_guid in on_selections.items():
        held = transcripts.get(source_guid)
        if note not in referred and held is not None:
            written = package.notes.get(note)
            named = shortened(written.title or written.text, SHOWN) if written is not None else ""
            result.problems.append(f"Note {named!r} {note}: on a selection or coding that was skipped; kept as a memo on {held.source.name}")
            targets.append((note, {"transcript_id": held.transcript_id}, held.source.name))
            referred.add(note)
    targets += [(guid, {}, "the project") for guid in package.notes if guid not in referred]
    order = {guid: index for index, guid in enumerate(package.notes)}
    targets.sort(key=lambda target: order.get(target[0], -1))
    used: set[str] = set()
    # Two notes of one file that say the same are two memos; a note matching a memo from before is that memo.
    created: list[int] = []
    for guid, attachment, where in targets:
        found = package.notes.get(guid)
        if found is None:
            result.problems.append(f"NoteRef {guid} on {where}: there is no such Note; skipped")
            continue
        text = clean_text(found.text.strip(), key)
        if not text:
            if guid not in used:
                result.skipped.append(f"Note {shortened(found.title or '', SHOWN)!r} {guid}: empty; skipped")
                used.add(guid)
            continue
        if guid in own_memos:
            _set_own_memo(session, own_memos[guid], text, coders.get(found.user or ""), found.created, result)
            continue
        # qualcode names a note without a title "memo", since the schema wants a name.
        title = clean_text(found.title, key) if found.title and found.title != UNTITLED_NOTE else None
        if title is not None and unseen_character(title) is not None:  # every list shows a memo's title on one line
            title = on_one_line(title) or None
            result.problems.append(f"Note {guid}: its title held a line break or a character no list shows;"
                                   f" put on one line{f' as {shortened(title, SHOWN)!r}' if title else ', and left out'}")
        if title is not None and len(title) > MEMO_TITLE_LENGTH:  # the whole of it opens the memo: nothing written is lost
            text = f"{title}\n\n{text}"
            title = _fitted(title, MEMO_TITLE_LENGTH, f"Note {guid}", result, "its title", ", and kept whole at the start of the memo")
        on_case = on_cases.get(guid) if not attachment else None
        if on_case is not None and title is None:
            title = as_kept(on_case, PARTICIPANT_NAME_LENGTH)  # the case's name, cut as its participant's is
        author = coders.get(found.user or "") or importer
        memo_guid = guid if guid not in used else None
        used.add(guid)
        present = (session.scalar(select(Memo).where(Memo.guid == memo_guid)) if memo_guid else None) or session.scalar(
            select(Memo).where(
                Memo.author_id == author.id, Memo.text == text, Memo.removed_at.is_(None), Memo.id.not_in(created),
                *[getattr(Memo, column) == value for column, value in attachment.items()],
                *[getattr(Memo, column).is_(None) for column in ("transcript_id", "code_id", "coding_id") if column not in attachment],
            ).limit(1)
        )
        if present is not None:
            result.memos_present += 1
            continue
        memo = Memo(text=text, title=title, author=author, **attachment)
        if found.created is not None:
            memo.created_at = found.created
        if memo_guid and session.scalar(select(Memo.id).where(Memo.guid == memo_guid)) is None:
            memo.guid = memo_guid
        session.add(memo)
        session.flush()
        created.append(memo.id)
        record_event(session, kind=EventKind.MEMO_ADD, coder=author, entity_guid=memo.guid, before=None,
                     after={"guid": memo.guid, "title": memo.title, "text": memo.text, "removed": False},
                     summary=f"memo on {where} (from {result.file_name})")
        result.memos_added += 1
        if on_case is not None:
            named = shortened(found.title or found.text, SHOWN)
            result.problems.append(f"Note {named!r} {guid}: on case {on_case!r}, and qualcode keeps no memos on participants;"
                                   f" kept as a memo on the project{'' if found.title else ', titled ' + repr(title)}")


def _set_own_memo(
    session: Session, coding_id: int, text: str, writer: Coder | None, written: datetime | None, result: QdpxImport,
) -> None:
    """A coding's own memo from its note, credited to the note's user (else the coding's coder) and
    dated as the note is: its event says when it was written, which the memo list and the next
    export read (coding/memos.coding_memo_writers)."""
    coding = session.get(Coding, coding_id)
    assert coding is not None
    author = writer or coding.coder
    if coding.memo == text:
        result.memos_present += 1
    elif coding.memo is None:
        before = coding_state(coding)
        coding.memo = text
        session.flush()
        record_event(session, kind=EventKind.CODING_MEMO, coder=author, entity_guid=coding.guid, before=before,
                     after=coding_state(coding), summary=f"wrote memo on coding {coding.id} (from {result.file_name})",
                     written_at=written)
        result.memos_added += 1
    else:  # the coding has a memo of its own already: the other one is kept beside it
        memo = Memo(text=text, author=author, coding_id=coding.id)
        if written is not None:
            memo.created_at = written
        session.add(memo)
        session.flush()
        result.memos_added += 1


def _write_cases(
    session: Session, package: QdpxPackage, key: PseudonymKey, sources: list[_Source], by_source: dict[str, int],
    importer: Coder, result: QdpxImport,
) -> None:
    """Cases as participants with their typed attributes, linked to the transcripts they are in; source variables as transcript attributes."""
    selection_source = {selection.guid: item.source.guid for item in sources for selection in item.source.selections}
    # Who is already linked to the file's transcripts, read once rather than asked link by link.
    linked: set[tuple[int, int]] = {(transcript_id, participant_id) for transcript_id, participant_id in session.execute(
        select(TranscriptParticipant.transcript_id, TranscriptParticipant.participant_id)
        .where(TranscriptParticipant.transcript_id.in_(sorted(set(by_source.values()))))
    )}
    by_case_name: dict[str, Participant] = {}
    qualcodes = written_by(package.origin, "qualcode")
    for case in package.cases:
        written_name = unicodedata.normalize("NFC", pseudonymise(case.name, key, package.file_name).text.strip())
        name = as_kept(written_name, PARTICIPANT_NAME_LENGTH)
        participant = session.scalar(select(Participant).where(Participant.guid == case.guid)) or session.scalar(
            select(Participant).where(Participant.name == name)
        )
        if participant is not None and participant.guid != case.guid and name != written_name and not _named_whole(
                session, participant, written_name):
            # Another case whose name is cut to the same (another person), not this one under another GUID.
            name, participant = _free_participant_name(session, name), None
        before = participant_state(participant) if participant is not None else None
        if participant is None:
            refuse_withdrawn_participant(session, name)  # a case for them would bring the id back
            participant = Participant(guid=case.guid, name=name)
            session.add(participant)
            session.flush()
            result.participants_created.append(name)
        if name != written_name and participant.name == name:  # qualcode keeps no memos on participants: the project's
            _kept_whole(session, written_name, PARTICIPANT_NAME_LENGTH, f"Case {case.guid}", f"name ({name})", {}, importer,
                        result, what="its name")
        by_case_name.setdefault(case.name, participant)
        for written, value in case.variables.items():
            variable = _variable_name(written, result)
            column = participant_field(variable)
            if isinstance(value, str):  # qualcode keeps no memos on participants: the whole of a long value is the project's
                length = getattr(Participant.__table__.c[column].type, "length", None) if column is not None else None
                check = (lambda kept, column=column: check_participant_value(column, kept)) if column is not None else None
                kept = _kept_whole(session, clean_text(value.strip(), key), length or ATTRIBUTE_VALUE_LENGTH,
                                   f"Case {name!r} {case.guid}: variable {variable}", f"{variable} ({name})", {}, importer,
                                   result, check=check)
                if kept is None:  # said, with its memo
                    continue
                value = kept
            stored: str | None
            try:
                # Free text in these columns is pseudonymised by the session's typed-text hook (anonymise/typed_text.py).
                if column is not None:
                    stored = participant_value(session, column, str(value).strip())
                    setattr(participant, column, stored)
                else:
                    set_participant_attribute(session, participant, variable, value if isinstance(value, str) else _plain(value))
                    stored = next((attribute.value for attribute in participant.attributes
                                   if attribute.definition.name == clean_text(variable, key)), None)
            except InvalidInput as error:
                result.problems.append(f"Case {name!r} {case.guid}: variable {variable}: {error.message}; skipped")
                continue
            _said_respelled(variable, value, stored, key, result)
        session.flush()
        after = participant_state(participant)
        if before is not None and _keep_the_projects_values(participant, before, after, f"Case {name!r} {case.guid}", result):
            session.flush()
            after = participant_state(participant)
        if before != after:
            record_event(session, kind=EventKind.PARTICIPANT_UPDATE if before else EventKind.PARTICIPANT_CREATE, coder=importer,
                         entity_guid=participant.guid, before=before, after=after, summary=f"participant {name} from {result.file_name}")
        for ref in dict.fromkeys(case.sources):
            source_guid = selection_source.get(ref.removeprefix("selection:")) if ref.startswith("selection:") else ref
            transcript_id = by_source.get(source_guid or "")
            if transcript_id is None:
                result.problems.append(f"Case {name!r} {case.guid}: refers to {ref.removeprefix('selection:')}, which is no text source imported; skipped")
                continue
            if (transcript_id, participant.id) not in linked:
                linked.add((transcript_id, participant.id))
                session.add(TranscriptParticipant(transcript_id=transcript_id, participant_id=participant.id))
                result.participants_linked += 1
    for item in sources:
        if item.transcript_id is not None:
            _link_speakers(session, item, by_case_name, linked, result)
    for item in sources:
        if item.transcript_id is None:
            continue
        transcript = session.get(Transcript, item.transcript_id)
        assert transcript is not None
        for variable, value in item.source.variables.items():
            if variable in (SPEAKERS_VARIABLE, INTERVIEWER_SPEAKERS_VARIABLE):  # read by _link_speakers
                continue
            if variable == TURN_TIMES_VARIABLE:
                if item.new and isinstance(value, str):
                    _set_turn_times(session, item, value, result)
                continue
            column = TRANSCRIPT_COLUMNS.get(variable.strip().lower())
            norwegian = column is None and (column := _norwegian_column(variable, item.source.variables, qualcodes)) is not None
            if norwegian and column is not None and not _fits(session, column, value, transcript):
                column = None  # kept as the attribute it was, not skipped
            if column is not None:
                # A transcript already in the project keeps what the project says of it.
                if column == "interview_date":
                    # A DateTime (or Text) variable's day as it is written, as a Date's is.
                    day = value if isinstance(value, date) else written_date(str(value))
                    if day is None:
                        result.problems.append(f"TextSource {item.source.name!r}: variable {variable}: {value!r} is not a date; skipped")
                    elif not interview_date_possible(day):
                        result.problems.append(f"TextSource {item.source.name!r}: variable {variable}: {day} is no date an interview"
                                               f" was held on (from {EARLIEST_INTERVIEW.year} to a year from today); skipped")
                    elif item.new or transcript.interview_date is None:
                        transcript.interview_date = day
                elif column == "wave" and (item.new or transcript.wave is None):
                    try:  # one of the project's rounds, spelled as every other path stores a wave
                        transcript.wave = project_wave(session, clean_text(str(value), key), besides=transcript.id)
                    except InvalidInput as error:
                        result.problems.append(f"TextSource {item.source.name!r}: variable {variable}: {error}; skipped")
                elif item.new or getattr(transcript, column) is None:
                    length = getattr(Transcript.__table__.c[column].type, "length", None) or 50
                    kept = _kept_whole(session, clean_text(str(value).strip(), key), length,
                                       f"TextSource {item.source.name!r}: variable {variable}", variable,
                                       {"transcript_id": transcript.id}, importer, result)
                    if kept is not None:
                        setattr(transcript, column, kept)
                continue
            variable = _variable_name(variable, result)
            if isinstance(value, str):  # a value a list shows in a cell, as every other path keeps one
                value = _kept_whole(session, clean_text(value.strip(), key), ATTRIBUTE_VALUE_LENGTH,
                                    f"TextSource {item.source.name!r}: variable {variable}", variable,
                                    {"transcript_id": transcript.id}, importer, result)
                if value is None:  # said, with its memo
                    continue
            try:
                definition = attribute_definition(session, variable, "transcript", _plain(value))
                stored = typed_value(session, definition, clean_text(value, key) if isinstance(value, str) else _plain(value))
            except InvalidInput as error:
                result.problems.append(f"TextSource {item.source.name!r}: variable {variable}: {error.message}; skipped")
                continue
            _said_respelled(variable, value, stored, key, result)
            existing = session.scalar(select(TranscriptAttribute).where(
                TranscriptAttribute.transcript_id == item.transcript_id, TranscriptAttribute.definition_id == definition.id,
            ))
            if existing is None:
                session.add(TranscriptAttribute(transcript_id=item.transcript_id, definition_id=definition.id, value=stored))
    session.flush()


def _named_whole(session: Session, participant: Participant, written_name: str) -> bool:
    """Whether `participant`'s name, cut, is `written_name` whole: as its memo keeps it (_kept_whole)."""
    return session.scalar(select(Memo.id).where(
        Memo.title == cut_at_word(f"name ({participant.name})", MEMO_TITLE_LENGTH), Memo.text == written_name,
        Memo.removed_at.is_(None), Memo.transcript_id.is_(None), Memo.code_id.is_(None), Memo.coding_id.is_(None),
    ).limit(1)) is not None


def _free_participant_name(session: Session, name: str) -> str:
    """`name` with the first number after it that no participant has, within the column's width."""
    taken = set(session.scalars(select(Participant.name).where(Participant.name.startswith(name.rstrip("…")))))
    number = 2
    while (candidate := f"{name[:PARTICIPANT_NAME_LENGTH - len(f' ({number})')]} ({number})") in taken:
        number += 1
    return candidate


def _variable_name(written: str, result: QdpxImport) -> str:
    """A variable's name as an attribute's is kept: on one line without what no list shows (a name
    on two lines is refused when typed, and its values were skipped), cut to its column; said once."""
    name = written
    if unseen_character(written) is not None:
        name = on_one_line(written)
        said = f"Variable {shortened(name, SHOWN)!r}: its name held a line break or a character no list shows; put on one line as {name!r}"
        if said not in result.problems:
            result.problems.append(said)
    return _fitted(name, ATTRIBUTE_NAME_LENGTH, f"Variable {shortened(name, SHOWN)!r}", result)


def as_kept(value: str, length: int) -> str:
    """A value from the file as a column keeps it: on one line, without a character no list shows
    (on_one_line), in at most `length` characters, cut after a whole word (cut_at_word)."""
    return cut_at_word(value if unseen_character(value) is None else on_one_line(value), length)


def _kept_whole(
    session: Session, value: str, length: int, where: str, title: str, attachment: dict[str, Any], importer: Coder,
    result: QdpxImport, what: str = "its value", check: Callable[[str], object] | None = None,
) -> str | None:
    """A variable's text value, or a case's or source's name, as a column keeps it (as_kept). Where
    that is not the value as written, the whole of it is kept as a memo titled `title` on what
    `attachment` names (the project, for a case: qualcode keeps no memos on participants), once
    however often the file is imported, and said: another program lets a variable run to a
    paragraph, and nothing the researcher wrote may be lost. `check` is the column's own check,
    asked of what would be kept: a value it refuses is None, left out with the memo kept and said so
    on the one line (a cut age band is no range of ages)."""
    kept = as_kept(value, length)
    if kept == value:
        return value
    flat = value if unseen_character(value) is None else on_one_line(value)
    place = "the project (qualcode keeps no memos on participants)" if not attachment else "its transcript"
    memo_title = cut_at_word(title, MEMO_TITLE_LENGTH)
    said, done = [], []
    if flat != value:
        said.append("holds a line break or control character")
        done.append("kept on one line")
    if len(flat) > length:
        said.append(f"has {len(flat)} characters, more than the {length} qualcode keeps")
        done.append("cut")
    refused = None
    if check is not None:
        try:
            check(kept)
        except InvalidInput as error:
            refused = error.message
    outcome = (f"{' and '.join(done)}, and kept whole" if refused is None
               else f"once {' and '.join(done)} it is refused ({refused}), so it is left out, and kept whole")
    result.problems.append(f"{where}: {what} {' and '.join(said)}; {outcome} as the memo {memo_title!r} on {place}")
    present = session.scalar(select(Memo.id).where(
        Memo.text == value, Memo.title == memo_title, Memo.removed_at.is_(None),
        *[getattr(Memo, column) == held for column, held in attachment.items()],
        *[getattr(Memo, column).is_(None) for column in ("transcript_id", "code_id", "coding_id") if column not in attachment],
    ).limit(1))
    if present is None:
        memo = Memo(text=value, title=memo_title, author=importer, **attachment)
        session.add(memo)
        session.flush()
        record_event(session, kind=EventKind.MEMO_ADD, coder=importer, entity_guid=memo.guid, before=None,
                     after={"guid": memo.guid, "title": memo.title, "text": memo.text, "removed": False},
                     summary=f"memo {memo_title} (from {result.file_name})")
        result.memos_added += 1
    else:
        result.memos_present += 1
    return kept if refused is None else None


def _said_respelled(variable: str, value: object, stored: str | None, key: PseudonymKey, result: QdpxImport) -> None:
    """Say, once for each spelling, a text value stored as the project (or the file's earlier value)
    spells it in another case ("kontor a" as "Kontor A"): every table splits by the stored value, and a
    spelling the file gave is not changed unsaid."""
    written = clean_text(value.strip(), key) if isinstance(value, str) else None
    if written is None or stored is None or written == stored or written.casefold() != stored.casefold():
        return
    said = f"Variable {shortened(variable, SHOWN)!r}: {shortened(written, SHOWN)!r} stored as {shortened(stored, SHOWN)!r}, as it is spelled here already"
    if said not in result.deviations:
        result.deviations.append(said)


def _set_turn_times(session: Session, item: _Source, value: str, result: QdpxImport) -> None:
    """Give a new transcript's turns the times the file gives them, when its turns are the turns they were given for."""
    count, times, unread = turn_times(value)
    turns = len(item.prepared.document.turns)
    if count != turns or any(seq >= turns for seq in times):
        result.problems.append(
            f"TextSource {item.source.name!r} {item.source.guid}: {TURN_TIMES_VARIABLE} are for {count} turns, "
            f"the text has {turns}; left without turn times"
        )
        return
    if unread:
        result.problems.append(
            f"TextSource {item.source.name!r} {item.source.guid}: {TURN_TIMES_VARIABLE}: {', '.join(unread)} "
            "no time (minutes and seconds go to 59); those turns left without a time"
        )
    for seq, timestamp in sorted(times.items()):
        session.execute(
            update(Turn).where(Turn.text_version_id == item.stored_version, Turn.seq == seq)
            .values(timestamp_ms=timestamp).execution_options(synchronize_session=False)
        )


def _link_speakers(
    session: Session, item: _Source, by_case_name: dict[str, Participant], linked: set[tuple[int, int]], result: QdpxImport,
) -> None:
    """Link the source's speaker turns to the participants they are, so a withdrawal finds what each said.

    A qualcode export says which case each speaker label is (SPEAKERS_VARIABLE); another program's
    file does not, and a label is then the case of that name, as the importers link labels. The
    labels are looked up as pseudonymised in the stored text. Turns the project has linked already
    keep their participant: a co-coder's copy fills in what is missing.
    """
    assert item.transcript_id is not None
    # The file's labels as the stored text has them, pseudonymised, turn by turn.
    stored_label = {
        original.speaker or "": pseudonymised.speaker or ""
        for original, pseudonymised in zip(item.read.document.turns, item.pseudonymised.document.turns, strict=False)
    }
    theirs = _interviewer_speakers(session, item, stored_label, result)
    value = item.source.variables.get(SPEAKERS_VARIABLE)
    if isinstance(value, str):
        wanted: dict[str, Participant] = {}
        unknown = 0
        for label, case_name in speaker_labels(value).items():
            participant = by_case_name.get(case_name)
            # Only the text's own labels, as pseudonymised there, are stored: the variable's words never are.
            if label not in stored_label or participant is None:
                unknown += 1
            else:
                wanted[stored_label[label]] = participant
        if unknown:  # counted, once: a file may name thousands
            result.problems.append(
                f"TextSource {item.source.name!r} {item.source.guid}: {SPEAKERS_VARIABLE} names"
                f" {'a speaker' if unknown == 1 else f'{unknown} speakers'} the text does not have or a case the file does not have;"
                f" {'that speaker' if unknown == 1 else 'those speakers'} left unlinked"
            )
    else:
        by_name = {participant.name: participant for participant in by_case_name.values()}
        interviewer = session.scalar(select(Transcript.interviewer).where(Transcript.id == item.transcript_id))
        wanted = {
            label: by_name[label] for label in stored_label.values()
            if label in by_name and not is_interviewer(label, interviewer, theirs)
        }
    for label, participant in sorted(wanted.items()):
        spoken = Turn.speaker.is_(None) if label == "" else Turn.speaker == label
        session.execute(
            update(Turn).where(Turn.text_version_id == item.stored_version, spoken, Turn.participant_id.is_(None))
            .values(participant_id=participant.id).execution_options(synchronize_session=False)
        )
        link = session.scalar(select(TranscriptParticipant).where(
            TranscriptParticipant.transcript_id == item.transcript_id, TranscriptParticipant.participant_id == participant.id,
        ))
        if link is None:
            linked.add((item.transcript_id, participant.id))
            session.add(TranscriptParticipant(transcript_id=item.transcript_id, participant_id=participant.id, speaker_label=label or None))
            result.participants_linked += 1
        elif link.speaker_label is None and label:
            link.speaker_label = label
    session.flush()


def _named_speakers(variables: Mapping[str, object], text: str) -> list[str]:
    """The speaker labels a source's variables name (a qualcode export's SPEAKERS_VARIABLE and
    INTERVIEWER_SPEAKERS_VARIABLE): speakers of its text however often they speak, as a `speakers:`
    map's are (a group interview whose voices each spoke once came back as paragraphs of no one's).
    Only those its text has, so a file naming thousands makes no pattern of thousands."""
    speakers, interviewers = variables.get(SPEAKERS_VARIABLE), variables.get(INTERVIEWER_SPEAKERS_VARIABLE)
    named = [*(speaker_labels(speakers) if isinstance(speakers, str) else ()),
             *(interviewers.splitlines() if isinstance(interviewers, str) else ())]
    folded = text.casefold()
    return [label for label in named if label.strip() and label.strip().casefold() in folded]


def _interviewer_speakers(session: Session, item: _Source, stored_label: dict[str, str], result: QdpxImport) -> list[str]:
    """Keep the labels the file says are the interviewer's (INTERVIEWER_SPEAKERS_VARIABLE), as pseudonymised
    in the stored text, beside those the project has; all of them. A label the text does not have is a problem."""
    assert item.transcript_id is not None
    have = list(session.scalars(select(InterviewerSpeaker.label).where(InterviewerSpeaker.transcript_id == item.transcript_id)))
    value = item.source.variables.get(INTERVIEWER_SPEAKERS_VARIABLE)
    unknown = 0
    for label in (line.strip() for line in value.splitlines()) if isinstance(value, str) else ():
        # Only the text's own labels, as pseudonymised there, are stored: the variable's words never are.
        if label and label not in stored_label:
            unknown += 1
        elif label and stored_label[label] not in have:
            have.append(stored_label[label])
            session.add(InterviewerSpeaker(transcript_id=item.transcript_id, label=stored_label[label]))
    if unknown:  # counted, once: a file may name thousands
        result.problems.append(f"TextSource {item.source.name!r} {item.source.guid}: {INTERVIEWER_SPEAKERS_VARIABLE} names"
                               f" {'a speaker' if unknown == 1 else f'{unknown} speakers'} the text does not have; left out")
    return have


def _keep_the_projects_values(
    participant: Participant, before: dict[str, Any], after: dict[str, Any], where: str, result: QdpxImport,
) -> bool:
    """Put back what the project already said of a participant where the file says otherwise, and
    report it, as a changed coding is: a co-coder's copy fills in what is missing, it does not
    overwrite a role, office or attribute (values compared as stored, pseudonymised). Whether any was put back."""
    kept = False
    for column, value in before.items():
        if column in ("name", "attributes", "types") or value in (None, "") or after[column] == value:
            continue
        result.conflicts.append(f"{where}: {column} {after[column]!r} in the file, {value!r} here; the project's kept")
        setattr(participant, column, value)
        kept = True
    for attribute in participant.attributes:
        value = before["attributes"].get(attribute.definition.name)
        if value in (None, "") or attribute.value == value:
            continue
        result.conflicts.append(f"{where}: {attribute.definition.name} {attribute.value!r} in the file, {value!r} here; the project's kept")
        attribute.value = value
        kept = True
    return kept


def _plain(value: object) -> object:
    """A variable's value as qualcode types attributes: floats and date-times are text."""
    return value if isinstance(value, bool | int | str | date) else str(value)
