"""Importing transcript files into a project: one file is one transaction, a batch goes on."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import re
import secrets
import shlex
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import clean_name, note_seen_in
from qualcode.anonymise.candidates import Proposal
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import KeyAccess, codebook_vocabulary, key_state, queue_candidates
from qualcode.anonymise.withdraw import (
    refuse_withdrawn_participant,
    refuse_withdrawn_source,
    refuse_withdrawn_words,
    said_in,
)
from qualcode.coding.anchoring import Anchor, LineMap, find_anchor, find_excerpt_again
from qualcode.coding.waves import project_wave
from qualcode.errors import DuplicateContent, ImportFailed, NeedsReview, ProjectError, QualcodeError
from qualcode.garbage import without_collections
from qualcode.importers.document import ParsedDocument, TurnSpan, unread_times_note
from qualcode.importers.frontmatter import misnamed_sidecar_note, read_sidecar
from qualcode.importers.metadata import (
    attribute_definition,
    attributes_from_file,
    check_transcript_meta,
    get_or_create_participant,
    in_english,
    participant_named,
    refuse_attributes_participants_have,
    typed_value,
)
from qualcode.importers.metadata import participant_id as stored_id
from qualcode.importers.pseudonymise import (
    PseudonymisedDocument,
    propose_candidates,
    pseudonymise_document,
)
from qualcode.importers.readers import READERS, is_supported, reader_for
from qualcode.importers.turns import compile_marker, detect_turns
from qualcode.search.index import index_terms, turn_terms, unindex_turns
from qualcode.store.backups import BEFORE_REPLACE, rotate_backups
from qualcode.store.bulk import in_values, insert_rows
from qualcode.store.events import BACKED_UP_IN, EventKind, record_event
from qualcode.store.faults import database_fault
from qualcode.store.lookup import LineIndex
from qualcode.store.models import (
    Code,
    Coder,
    Coding,
    Event,
    InterviewerSpeaker,
    Participant,
    TextVersion,
    Transcript,
    TranscriptAttribute,
    TranscriptParticipant,
    Turn,
    utcnow,
)
from qualcode.store.project import Project, clean_typed
from qualcode.store.withdrawals import SOURCE_HASH
from qualcode.text.counts import counted
from qualcode.text.normalise import content_hash
from qualcode.text.speakers import is_interviewer
from qualcode.text.tokens import word_count


@dataclass(frozen=True)
class ImportOptions:
    """Per-import choices; any metadata given here wins over the file's own front matter."""

    name: str | None = None
    title: str | None = None
    participant: str | None = None
    role: str | None = None
    wave: str | None = None
    date: date | None = None
    mode: str | None = None
    fidelity: str | None = None
    interviewer: str | None = None
    note_taker: str | None = None
    encoding: str | None = None
    turn_pattern: str | None = None
    # A changed file under an existing transcript's name becomes that transcript's new text.
    replace: bool = False

    def as_meta(self) -> dict[str, Any]:
        keys = ("name", "title", "participant", "role", "wave", "date", "mode", "fidelity", "interviewer", "note_taker")
        return {key: getattr(self, key) for key in keys if getattr(self, key) is not None}


@dataclass(frozen=True)
class ImportedTranscript:
    """What one import added."""

    name: str
    guid: str
    source: str
    source_format: str
    encoding: str | None
    words: int
    turns: int
    speakers: list[str]
    participants: list[str]
    # What reading the file changed or could not read (control characters, stray bytes, tracked changes).
    notes: list[str] = field(default_factory=list)
    # With --replace: the transcript's text was replaced, and what that did to its codings.
    replaced: bool = False
    lines_changed: int = 0
    codings_moved: int = 0  # placed at other offsets
    codings_in_place: int = 0  # placed where they were: the lines before them did not change
    codings_orphaned: int = 0
    # Codings orphaned by an earlier replacement: placed again (their excerpt is back), or still orphaned.
    codings_found_again: int = 0
    codings_still_orphaned: int = 0
    # With --replace: who was linked before the file named its participants (a correction undone, say).
    participants_before: list[str] = field(default_factory=list)
    # With --replace: the labels of the interviewer's turns before and now (a corrected speakers map moved them).
    interviewer_speakers_before: list[str] = field(default_factory=list)
    interviewer_speakers: list[str] = field(default_factory=list)
    # With --replace: codings placed on words like theirs but not the same, (coding, words before, words now).
    codings_reworded: list[tuple[int, str, str]] = field(default_factory=list)
    # With --replace by a coder who codes blind: the codings counted and named are theirs alone.
    blind: bool = False


@dataclass
class BatchResult:
    """What a batch import did to each file."""

    imported: list[ImportedTranscript] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    held_back: list[Path] = field(default_factory=list)  # of the failed: possible identifiers wait for review
    # The file Ctrl-C stopped the batch at: it (rolled back whole) and the files after it were not imported.
    interrupted: Path | None = None
    not_reached: int = 0  # files after it
    # The backup taken just before the batch's first replacement of a text was written (`before-replace`).
    backup: Path | None = None


# Text formats are read whole; beyond this a file is not one interview.
MAX_TEXT_BYTES = 256 << 20
TURN_BATCH = 5_000


def parse_file(path: Path, options: ImportOptions | None = None) -> ParsedDocument:
    """Read one file of any supported format into the common shape, without touching a project.

    Whatever a reader or the library under it raises on a damaged or hostile file becomes an
    ImportFailed naming the file.
    """
    options = options or ImportOptions()
    if not path.exists():
        raise ImportFailed(f"{path} does not exist", "check the path")
    if path.is_dir():
        raise ImportFailed(f"{path} is a directory", "import it as a batch, not as one file")
    marker = compile_marker(options.turn_pattern) if options.turn_pattern else None
    reader = reader_for(path)
    suffix = path.suffix.lower()
    try:
        if reader.whole_text and path.stat().st_size > MAX_TEXT_BYTES:
            raise ImportFailed(
                f"{path.name} is {path.stat().st_size / 2**20:,.0f} MB, more than the {MAX_TEXT_BYTES >> 20} MB qualcode reads as one transcript",
                "split it into one file per interview",
            )
        return reader.read(path, encoding=options.encoding, marker=marker)
    except QualcodeError:
        raise
    except OSError as error:
        raise ImportFailed(f"{path.name} cannot be read: {error.strerror or error}") from None
    except RecursionError:
        raise ImportFailed(f"{path.name} is not a readable {suffix} file (it nests too deeply)", "open and re-save it, then import") from None
    except MemoryError:
        raise ImportFailed(f"{path.name} is too large to read", "split it into smaller files") from None
    except Exception as error:  # noqa: BLE001 - a third-party parser's error on one file is that file's failure
        raise ImportFailed(
            f"{path.name} is not a readable {suffix} file ({one_line(error)})", "open and re-save it, then import"
        ) from None


def one_line(error: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= 200 else text[:199] + "…"


@dataclass(frozen=True)
class ReadTranscript:
    """A file read and its metadata checked: everything that needs neither the key nor the project."""

    path: Path
    document: ParsedDocument
    meta: dict[str, Any]
    source_hash: str | None = None
    replace_existing: bool = False


def read_transcript(path: Path, options: ImportOptions) -> ReadTranscript:
    """Parse a file and check its metadata (front matter, sidecar, options: the last wins).

    The file's hash is taken before it is read and checked after: a file that another program
    (a sync client, an editor's autosave) changes meanwhile would be stored as it was under the
    hash of what it became, and the file as it is then called "already present" for good."""
    before = source_hash(path)
    document = parse_file(path, options)
    stray = misnamed_sidecar_note(path)
    if stray is not None:
        document.notes.append(stray)
    meta = check_transcript_meta({**in_english(document.meta, path.name), **in_english(read_sidecar(path), path.name),
                                  **options.as_meta()}, path.name)
    meta.setdefault("name", path.stem)
    if meta.get("attributes"):
        meta["attributes"], renamed = attributes_from_file(meta["attributes"], path.name)
        document.notes.extend(renamed)
    if options.turn_pattern is None and reader_for(path).turns_in_text:
        document = with_named_speakers(document, meta)
    unread = unread_times_note(document.text, document.turns)
    if unread is not None:
        document.notes.append(unread)
    if source_hash(path) != before:
        raise ImportFailed(f"{path.name} changed while it was being read", "import it again once the program writing it is done")
    return ReadTranscript(path, document, meta, before, options.replace)


def with_named_speakers(document: ParsedDocument, meta: dict[str, Any]) -> ParsedDocument:
    """The document with the labels its `speakers:` map names (in its front matter or beside it)
    read as turns however the text writes them: "siri:" in lower case was no label, so a group
    interview was one turn of the interviewer's. As it was if it found every one of them."""
    named = [str(label) for label in meta.get("speakers") or {}]
    found = {span.speaker.casefold() for span in document.turns if span.speaker}
    if all(label.strip().casefold() in found for label in named):
        return document
    return replace(document, turns=detect_turns(document.text, named=named))


def source_hash(path: Path) -> str | None:
    """The SHA-256 of a file's bytes as they are on disk, before any reading or pseudonymising."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class PreparedTranscript:
    """A pseudonymised transcript ready to be written: text, turns, metadata and index terms."""

    path: Path
    name: str
    source_name: str
    document: ParsedDocument
    meta: dict[str, Any]
    digest: str
    words: int
    terms: list[tuple[str, str]]
    source_hash: str | None = None
    replace_existing: bool = False
    guid: str | None = None  # a new transcript's GUID when it comes from elsewhere (a .qdpx source's)
    # Keyed digests of its turns and their sentences (withdraw.said_in), each to its line in the text: a
    # withdrawn participant's words are refused (withdraw.refuse_withdrawn_words), under whatever label.
    said: Mapping[str, int] = field(default_factory=dict)


def prepare_transcript(read: ReadTranscript, pseudonymised: PseudonymisedDocument, key: PseudonymKey) -> PreparedTranscript:
    """Everything the write needs that takes time (hash, word count, index terms), done before it."""
    path, document = read.path, pseudonymised.document
    words = word_count(document.text)
    if words == 0:
        raise ImportFailed(f"{path.name} contains no words")
    if not read.document.turns:
        # Speaker labels with nothing after them (an interview guide's template, a file cut short):
        # stored, it was a transcript with nothing to search or code. The turns as read: a .qdpx
        # import passes a copy's pseudonymised document without turns, so as not to index it.
        raise ImportFailed(f"{path.name} has speaker labels with nothing said after any of them",
                           "check that you picked the right file; nothing was imported")
    name = clean_name(pseudonymised.meta.get("name") or path.stem, key)
    # The file's name is text from outside like any other: it may hold a name.
    source_name = clean_name(path.name, key)
    unheard = unheard_participants_note(pseudonymised.meta, document.turns)
    if unheard is not None:
        document = replace(document, notes=[*document.notes, unheard])
    return PreparedTranscript(
        path=path, name=name, source_name=source_name, document=document, meta=pseudonymised.meta,
        digest=content_hash(document.text), words=words,
        terms=turn_terms(document.text, [(span.start, span.end) for span in document.turns]),
        source_hash=read.source_hash, replace_existing=read.replace_existing, said=_said(document, key),
    )


def _said(document: ParsedDocument, key: PseudonymKey) -> dict[str, int]:
    """The digests of the text's turns (or of the whole, with none) and their sentences, to the line each begins on."""
    text = document.text
    lines = LineIndex(text)  # a long text has thousands of sentences: each line found by bisection, not counted from the start
    found: dict[str, int] = {}
    for span in document.turns or [TurnSpan(None, 0, len(text))]:
        for digest, offset in said_in(key, text[span.start:span.end]).items():
            found.setdefault(digest, lines.line(span.start + offset))
    return found


def import_file(
    session: Session,
    path: Path,
    options: ImportOptions | None = None,
    coder: Coder | None = None,
    *,
    key: PseudonymKey,
) -> ImportedTranscript:
    """Pseudonymise and import one file into the caller's transaction.

    Raises before writing anything it can check. The key gains the pattern identifiers found
    and any new candidates for review; the caller saves it whatever the outcome.
    """
    read = read_transcript(path, options or ImportOptions())
    pseudonymised = pseudonymise_document(read.document, read.meta, key, path.name, codebook_vocabulary(session))
    refuse_undecided(key, pseudonymised, path)
    prepared = prepare_transcript(read, pseudonymised, key)
    mark_seen(key, pseudonymised, prepared.name)
    return write_transcript(session, prepared, coder)


def refuse_undecided(key: PseudonymKey, pseudonymised: PseudonymisedDocument, path: Path) -> None:
    """Queue a file's undecided possible identifiers for review, and refuse the file while there are any."""
    proposals = pseudonymised.proposals
    if not proposals:
        return
    queue_candidates(key, proposals, path.name)
    names = ", ".join(p.text for p in proposals[:6]) + (" …" if len(proposals) > 6 else "")
    # A name the key would replace as someone it may not be ("Gunnvor" as Gunvor) is said so, with how to decide.
    doubts = [doubt for proposal in proposals[:6] if (doubt := pseudonymised.doubts.get(proposal.text)) is not None]
    raise NeedsReview(
        f"{path.name} has {counted(len(proposals), 'possible identifier')} nobody has decided about ({names}); nothing imported"
        + "".join(f"; {doubt}" for doubt in doubts),
        "decide with `qualcode anonymise review`, then import again",
    )


def mark_seen(key: PseudonymKey, pseudonymised: PseudonymisedDocument, name: str) -> None:
    """Note in the key which transcript uses each replaced identifier, so a redrawn pseudonym is rewritten there."""
    note_seen_in(key, pseudonymised.replacements, name)


def write_transcript(
    session: Session, prepared: PreparedTranscript, coder: Coder | None = None, plan: ReanchorPlan | None = None,
    *, blind: bool = False, backup: str | None = None,
) -> ImportedTranscript:
    """Write a prepared transcript in the caller's transaction: checks, rows and index.

    With `replace_existing`, a changed file under an existing transcript's name becomes that
    transcript's new text version, and its codings are re-anchored in it; `blind`: `coder` codes
    blind, so what the replacement says it did counts their codings only; `backup`: the name of the
    backup taken just before, which holds the old text, recorded in the replacement's log entry.
    """
    target = _refuse_existing(session, prepared)
    if target is not None:
        old = target.current_version
        assert old is not None
        version_id = _insert_version(session, prepared, target.id, old.number + 1)
        people = _resolve_people(session, prepared)
        _write_turns(session, prepared, version_id, people, 0, len(prepared.document.turns))
        return _finish_replacement(session, prepared, target, version_id, people, coder, plan, blind=blind, backup=backup)
    transcript = _new_transcript(prepared)
    session.add(transcript)
    session.flush()
    version_id = _insert_version(session, prepared, transcript.id)
    people = _resolve_people(session, prepared)
    _write_turns(session, prepared, version_id, people, 0, len(prepared.document.turns))
    return _finish(session, prepared, transcript, version_id, people, coder)


@dataclass(frozen=True)
class _People:
    """Who the transcript's speakers and listed participants are, and its attribute values, by id."""

    speakers: dict[str, int | None]
    links: list[tuple[int, str | None]]
    attributes: list[tuple[int, str]]
    interviewer_speakers: list[str]  # labels the metadata makes the interviewer's that no role label says are


def _refuse_existing(session: Session, prepared: PreparedTranscript) -> Transcript | None:
    """Refuse a file already in the project, or a changed one under a taken name, or one holding a withdrawn
    participant's words; return the transcript it replaces."""
    refuse_withdrawn_words(session, prepared.path, prepared.said)
    # With --replace, the file its transcript came from may be imported again: the key may read it
    # otherwise now (an identifier taken out of it keeps its word as written); the same text is refused below.
    refuse_present(session, prepared.path, prepared.source_hash, prepared.meta,
                   replacing=prepared.name if prepared.replace_existing else None)
    existing = session.scalar(
        select(Transcript.name).join(TextVersion, TextVersion.transcript_id == Transcript.id)
        .where(TextVersion.content_hash == prepared.digest).limit(1)
    )
    if existing is not None:
        raise DuplicateContent(f"{prepared.path.name} has the same text as transcript {existing}; nothing added"
                               + _differing_metadata(session, existing, prepared.meta))
    named = session.scalar(select(Transcript).where(Transcript.name == prepared.name))
    if named is None:
        if prepared.meta.get("wave"):  # a new transcript's wave is one of the project's rounds (a replacement keeps its own)
            project_wave(session, prepared.meta["wave"])
        return None
    if prepared.replace_existing and named.current_version is not None:
        return named
    if named.current_version is None:
        raise ImportFailed(f"a transcript named {prepared.name!r} already exists", "give this one another name with --name")
    lines = LineMap(named.current_version.text, prepared.document.text)
    changed, runs = lines.changed_lines, lines.changed_in_new()
    where = ", ".join(f"{first}" if first == last else f"{first}-{last}" for first, last in runs[:5]) + (", …" if len(runs) > 5 else "")
    raise ImportFailed(
        f"{prepared.path.name} differs from the file imported on {_imported_on(session, named):%Y-%m-%d} as {prepared.name}"
        f" ({changed} line{'s' if changed != 1 else ''} changed: line{'s' if changed != 1 else ''} {where} of its text);"
        " nothing imported",
        "to make it the transcript's new text and re-anchor its codings, import it again with --replace;"
        " to keep both, give it another name with --name",
    )


def refuse_present(
    session: Session, path: Path, file_hash: str | None, meta: dict[str, Any] | None = None, *,
    replacing: str | None = None, may_replace: bool = False,
) -> None:
    """Refuse a file whose bytes were imported before, under any name (but as the transcript it is
    `replacing`, or any with `may_replace`: checked by name once it is known), as already present, and
    one a withdrawn participant's transcript came from; saying
    which of `meta` (the file's front matter with the command's options) the stored transcript does not hold."""
    if file_hash is None:
        return
    refuse_withdrawn_source(session, path, file_hash)
    present = session.scalar(select(Transcript.name).where(Transcript.source_hash == file_hash).limit(1))
    if present is not None and present != replacing and not may_replace:
        raise DuplicateContent(f"{path.name} is already present as transcript {present} (the same file); nothing added"
                               + _differing_metadata(session, present, meta))


def _differing_metadata(session: Session, name: str, meta: dict[str, Any] | None) -> str:
    """What a re-imported file, or its command line, says of transcript `name`'s date, wave or
    fidelity that the project does not hold, with the edit that applies it: a re-import adds no
    text, and changes no metadata unseen (a probe's corrected date was dropped without a word).
    A title or interviewer is left out: stored pseudonymised, it differs from the file's whenever it names someone."""
    transcript = session.scalar(select(Transcript).where(Transcript.name == name)) if meta else None
    if transcript is None or meta is None:
        return ""
    described, options = [], []
    for label, stored in (("date", transcript.interview_date), ("wave", transcript.wave), ("fidelity", transcript.fidelity)):
        given = meta.get(label)
        if given is None or str(given).casefold() == str(stored).casefold():
            continue
        described.append(f"{label} {given} (the project's: {stored or 'none'})")
        options.append(f"--{label} {shlex.quote(str(given))}")
    said = ""
    if described:
        said = (f"; its {', '.join(described)} {'is' if len(described) == 1 else 'are'} not applied by importing:"
                f" `qualcode transcripts edit {shlex.quote(name)} {' '.join(options)}` applies {'it' if len(described) == 1 else 'them'}")
    # An attribute added to the file since (a role that changed by round, as `participants edit` advises) was
    # dropped without a word. Only names are compared: a value naming someone is stored pseudonymised.
    held = {attribute.definition.name.casefold() for attribute in transcript.attributes}
    given_attributes = meta.get("attributes")
    new = sorted({str(attribute).strip().casefold() for attribute in given_attributes} - held) if isinstance(given_attributes, dict) else []
    if new:
        setting = " ".join(f"--attribute {shlex.quote(f'{attribute}=VALUE')}" for attribute in new)
        said += (f"; its attribute{'s' if len(new) > 1 else ''} {', '.join(new)}, which the transcript does not have,"
                 f" {'is' if len(new) == 1 else 'are'} not applied by importing: `qualcode transcripts edit {shlex.quote(name)}"
                 f" {setting}` applies {'it' if len(new) == 1 else 'them'}")
    return said


def _imported_on(session: Session, transcript: Transcript) -> date:
    """When the transcript's present text came in from a file: its last import or replacement."""
    last = session.scalar(
        select(Event.at).where(
            Event.entity_guid == transcript.guid, Event.action.in_([EventKind.TRANSCRIPT_IMPORT, EventKind.TRANSCRIPT_REPLACE])
        ).order_by(Event.at.desc()).limit(1)
    )
    return (last or transcript.created_at).date()


def _new_transcript(prepared: PreparedTranscript) -> Transcript:
    meta = prepared.meta
    return Transcript(
        **({"guid": prepared.guid} if prepared.guid else {}),
        name=prepared.name,
        title=meta.get("title"),
        source_filename=prepared.source_name,
        source_format=prepared.document.source_format,
        source_encoding=prepared.document.encoding,
        source_hash=prepared.source_hash,
        wave=meta.get("wave"),
        interview_date=meta.get("date"),
        mode=meta.get("mode"),
        fidelity=meta.get("fidelity") or "transcript",
        interviewer=meta.get("interviewer"),
        note_taker=meta.get("note_taker"),
    )


REPLACED = "replaced by a changed source file"


def _insert_version(session: Session, prepared: PreparedTranscript, transcript_id: int, number: int = 1) -> int:
    inserted = session.connection().execute(insert(TextVersion).values(
        transcript_id=transcript_id, number=number, text=prepared.document.text, content_hash=prepared.digest,
        word_count=prepared.words, reason="import" if number == 1 else REPLACED,
    ))
    key = inserted.inserted_primary_key
    assert key is not None
    return int(key[0])


def _resolve_people(session: Session, prepared: PreparedTranscript) -> _People:
    """Find or create the participants, and check the attribute values against their types."""
    meta, document = prepared.meta, prepared.document
    speaker_map = _speaker_participants(session, meta, document)
    links: list[tuple[int, str | None]] = []
    for label, participant in speaker_map.items():
        if participant is not None and all(linked != participant.id for linked, _ in links):
            links.append((participant.id, label))
    for participant in _listed_participants(session, meta):
        if all(linked != participant.id for linked, _ in links):
            links.append((participant.id, None))
    attributes = []
    given: dict[str, str] = {}
    for attribute_name, value in (meta.get("attributes") or {}).items():
        definition = attribute_definition(session, str(attribute_name), "transcript", value)
        attributes.append((definition.id, typed_value(session, definition, value)))
        given[definition.name] = attributes[-1][1]
    session.flush()
    refuse_attributes_participants_have(session, [linked for linked, _ in links], given)
    speakers = {label: participant.id if participant is not None else None for label, participant in speaker_map.items()}
    return _People(speakers, links, attributes, interviewer_speakers_named(meta, speaker_map))


def _write_turns(session: Session, prepared: PreparedTranscript, version_id: int, people: _People, first: int, last: int) -> None:
    """Turns first..last-1 of the transcript, and their rows in the search index."""
    turn_ids = _insert_turns(session, version_id, prepared.document.turns[first:last], people.speakers, first)
    index_terms(session, zip(turn_ids, prepared.terms[first:last], strict=True))


def _finish(
    session: Session, prepared: PreparedTranscript, transcript: Transcript, version_id: int, people: _People,
    coder: Coder | None,
) -> ImportedTranscript:
    """Make the version the transcript's text, link its people and attributes, and log the import."""
    transcript.current_version_id = version_id
    for participant_id, label in people.links:
        session.add(TranscriptParticipant(transcript_id=transcript.id, participant_id=participant_id, speaker_label=label))
    _keep_interviewer_speakers(session, transcript.id, people.interviewer_speakers)
    for definition_id, value in people.attributes:
        session.add(TranscriptAttribute(transcript_id=transcript.id, definition_id=definition_id, value=value))
    session.flush()
    turns = len(prepared.document.turns)
    participants = sorted(session.scalars(select(Participant.name).where(Participant.id.in_([pid for pid, _ in people.links]))))
    record_event(
        session, kind=EventKind.TRANSCRIPT_IMPORT, coder=coder, entity_guid=transcript.guid,
        after={"name": prepared.name, "source": prepared.source_name, "content_hash": prepared.digest, SOURCE_HASH: prepared.source_hash,
               "words": prepared.words, "turns": turns},
        summary=f"imported {prepared.source_name} as {prepared.name} ({prepared.words} words, {turns} turns)",
    )
    return ImportedTranscript(
        name=prepared.name,
        guid=transcript.guid,
        source=str(prepared.path),
        source_format=prepared.document.source_format,
        encoding=prepared.document.encoding,
        words=prepared.words,
        turns=turns,
        speakers=sorted({span.speaker for span in prepared.document.turns if span.speaker}),
        participants=participants,
        notes=list(prepared.document.notes),
    )


@dataclass(frozen=True)
class ReanchorPlan:
    """Where each coding of a transcript's present text goes in a new text, worked out before the write.

    Keyed by coding id and the span it had; a coding changed since is placed again in the write.
    """

    version_id: int
    digest: str
    lines_changed: int
    # An anchor "orphaned" is no place: an empty span nearest where the coding was. A coding
    # orphaned before is placed only where its excerpt is again, word for word.
    anchors: dict[tuple[int, int, int], Anchor]


def plan_reanchoring(session: Session, prepared: PreparedTranscript) -> ReanchorPlan | None:
    """The re-anchoring a replacement would do, read in its own transaction so the write stays short."""
    transcript = session.scalar(select(Transcript).where(Transcript.name == prepared.name))
    if transcript is None or transcript.current_version is None:
        return None
    old = transcript.current_version
    moved = LineMap(old.text, prepared.document.text)
    rows = session.execute(
        select(Coding.id, Coding.start, Coding.end, Coding.excerpt, Coding.orphaned_at).where(Coding.text_version_id == old.id)
    ).all()
    anchors = {
        (coding_id, start, end): _place(old.text, prepared.document.text, start, end, moved) if orphaned_at is None
        else _place_orphan(prepared.document.text, excerpt, start, moved)
        for coding_id, start, end, excerpt, orphaned_at in rows
    }
    return ReanchorPlan(old.id, prepared.digest, moved.changed_lines, anchors)


def _place(old_text: str, new_text: str, start: int, end: int, moved: LineMap) -> Anchor:
    anchor = find_anchor(old_text, new_text, start, end, moved)
    if anchor is not None:
        return anchor
    position = min(moved(start)[0], len(new_text))
    return Anchor(position, position, "orphaned")


def _place_orphan(new_text: str, excerpt: str, start: int, moved: LineMap) -> Anchor:
    """A coding an earlier replacement orphaned: its excerpt where the new text holds it again, or
    still orphaned, kept nearest where it was. Its old passage is gone, so no fuzzy match."""
    position = min(moved(start)[0], len(new_text))
    return find_excerpt_again(new_text, excerpt) or Anchor(position, position, "orphaned")


_EVENT_BATCH = 500


def _finish_replacement(
    session: Session, prepared: PreparedTranscript, transcript: Transcript, version_id: int, people: _People,
    coder: Coder | None, plan: ReanchorPlan | None, *, blind: bool = False, backup: str | None = None,
) -> ImportedTranscript:
    """Make a new version the transcript's text: re-anchor its codings, flag those with no place, drop the old text.

    A coding is placed by an exact match of its excerpt (the nearest to where it was), then by
    a fuzzy match with its context. One that cannot be placed, or whose new place repeats another
    live coding's, is removed and flagged orphaned, keeping its excerpt and memos for review.
    One orphaned before stays orphaned, unless the new text holds its excerpt again word for word
    where no live coding repeats it: then it is live again there, and that is recorded.
    The old version is deleted, as when the key rewrites a text: keeping it would keep what
    later withdrawals and key changes must reach. With `blind`, every coding is re-anchored and
    each orphaned one logged all the same, but the counts and the codings named, in the result and
    in the summary history shows, are `coder`'s own: others' would tell them of codings blindness hides.
    """
    old = transcript.current_version
    assert old is not None
    old_id, old_hash = old.id, old.content_hash
    # The digest of the file the old text came from, kept in the log: should the participant withdraw,
    # that earlier file is refused as their newest is (withdraw.py reads it back).
    old_source = transcript.source_hash
    new_text, now = prepared.document.text, utcnow()
    if plan is None or plan.version_id != old.id or plan.digest != prepared.digest:
        plan = plan_reanchoring(session, prepared)
    assert plan is not None
    maps: list[LineMap] = []

    def moved() -> LineMap:
        """Only made again in the write when a coding changed after the plan was made."""
        if not maps:
            maps.append(LineMap(old.text, new_text))
        return maps[0]
    rows = session.execute(
        select(Coding.id, Coding.guid, Coding.start, Coding.end, Coding.code_id, Coding.coder_id, Coding.removed_at,
               Coding.orphaned_at, Coding.excerpt, Coding.text_hash, Code.guid.label("code_guid"),
               Code.path.label("code_path"), Coding.memo)
        .join(Code, Code.id == Coding.code_id).where(Coding.text_version_id == old.id)
        # Those orphaned before come last, so the live codings' places are known when they are placed.
        .order_by(Coding.orphaned_at.is_not(None), Coding.id)
    ).all()
    taken: set[tuple[int, int, int, int]] = set()
    updates: list[dict[str, Any]] = []

    def counted_here(row: Any) -> bool:
        """Whether the replacement counts and names this coding: a blind coder's own only."""
        return not blind or (coder is not None and row.coder_id == coder.id)
    orphans = []
    found_again = []
    still_orphaned = 0
    placed = in_place = 0
    reworded: list[tuple[int, str, str]] = []  # (coding, its words before, its words now)
    for row in rows:
        span = (row.id, row.start, row.end)
        if row.orphaned_at is not None:
            anchor = plan.anchors[span] if span in plan.anchors else _place_orphan(new_text, row.excerpt, row.start, moved())
            if anchor.how != "orphaned" and (row.code_id, row.coder_id, anchor.start, anchor.end) not in taken:
                taken.add((row.code_id, row.coder_id, anchor.start, anchor.end))
                found_again.append((row, anchor))
                updates.append({
                    "id_": row.id, "start_": anchor.start, "end_": anchor.end, "excerpt_": new_text[anchor.start:anchor.end],
                    "text_hash_": prepared.digest, "removed_at_": None, "orphaned_at_": None,
                })
            else:  # still without a place: kept for review as it was, nearest where it was
                still_orphaned += counted_here(row)
                position = anchor.start
                updates.append({
                    "id_": row.id, "start_": position, "end_": position, "excerpt_": row.excerpt, "text_hash_": row.text_hash,
                    "removed_at_": row.removed_at, "orphaned_at_": row.orphaned_at,
                })
            continue
        anchor = plan.anchors[span] if span in plan.anchors else _place(old.text, new_text, row.start, row.end, moved())
        live = row.removed_at is None
        if anchor.how != "orphaned" and live and (row.code_id, row.coder_id, anchor.start, anchor.end) in taken:
            anchor = Anchor(anchor.start, anchor.start, "orphaned")  # its new place repeats a coding already placed there
        if anchor.how != "orphaned":
            if live:
                taken.add((row.code_id, row.coder_id, anchor.start, anchor.end))
                if counted_here(row):
                    if (anchor.start, anchor.end) == (row.start, row.end):
                        in_place += 1
                    else:
                        placed += 1
                    if new_text[anchor.start:anchor.end] != row.excerpt:  # found by likeness: its words changed
                        reworded.append((row.id, row.excerpt, new_text[anchor.start:anchor.end]))
            updates.append({
                "id_": row.id, "start_": anchor.start, "end_": anchor.end, "excerpt_": new_text[anchor.start:anchor.end],
                "text_hash_": prepared.digest, "removed_at_": row.removed_at, "orphaned_at_": None,
            })
            continue
        # Kept at the place nearest where it was, empty, with the excerpt it was made on.
        updates.append({
            "id_": row.id, "start_": anchor.start, "end_": anchor.start, "excerpt_": row.excerpt, "text_hash_": row.text_hash,
            "removed_at_": row.removed_at or now, "orphaned_at_": now if live else None,
        })
        if live:
            orphans.append(row)
    connection = session.connection()
    # Clear the old spans first, so a coding moving onto another's old span never meets it in the unique index.
    connection.execute(update(Coding).where(Coding.text_version_id == old_id).values(start=-Coding.id, end=-Coding.id))
    if updates:
        connection.execute(
            update(Coding).where(Coding.id == bindparam("id_")).values(
                text_version_id=version_id, start=bindparam("start_"), end=bindparam("end_"), excerpt=bindparam("excerpt_"),
                text_hash=bindparam("text_hash_"), removed_at=bindparam("removed_at_"), orphaned_at=bindparam("orphaned_at_"),
            ),
            updates,
        )
    guids = [row.guid for row in rows]
    for first in range(0, len(guids), _EVENT_BATCH):
        # Earlier states of these codings hold offsets into the old text: no longer undoable.
        connection.execute(update(Event).where(Event.entity_guid.in_(guids[first:first + _EVENT_BATCH])).values(undoable=False))
    session.expire_all()
    for row in orphans:
        state = {"guid": row.guid, "code_guid": row.code_guid, "start": row.start, "end": row.end, "excerpt": row.excerpt,
                 "memo": row.memo, "removed": False}
        record_event(
            session, kind=EventKind.CODING_ORPHAN, coder=coder, entity_guid=row.guid,
            before=state, after={**state, "removed": True, "orphaned": True},
            summary=f"coding {row.id} ({row.code_path}) has no place in the new text of {prepared.name}; kept for review",
        )
    for row, anchor in found_again:
        state = {"guid": row.guid, "code_guid": row.code_guid, "start": row.start, "end": row.start, "excerpt": row.excerpt,
                 "memo": row.memo, "removed": True, "orphaned": True}
        record_event(
            session, kind=EventKind.CODING_REANCHOR, coder=coder, entity_guid=row.guid, before=state,
            after={**state, "start": anchor.start, "end": anchor.end, "excerpt": new_text[anchor.start:anchor.end],
                   "removed": False, "orphaned": False},
            summary=f"coding {row.id} ({row.code_path}), orphaned before, has its place again in the new text of"
                    f" {prepared.name} at {anchor.start}-{anchor.end}; live again",
        )
    old_turns = session.scalars(select(Turn.id).where(Turn.text_version_id == old_id)).all()
    unindex_turns(session, list(old_turns))
    transcript.current_version_id = version_id
    transcript.source_hash = prepared.source_hash
    transcript.source_filename = prepared.source_name
    transcript.source_format = prepared.document.source_format
    transcript.source_encoding = prepared.document.encoding
    linked = set(session.scalars(select(TranscriptParticipant.participant_id).where(
        TranscriptParticipant.transcript_id == transcript.id)))
    named_before = _linked_names(session, transcript.id)
    labels = dict(people.links)
    # Those still linked go by the label the corrected file gives them: the old one may be another's now
    # (a map that swapped D8's voice and the interviewer's left the .qdpx calling the interviewer's turns D8's).
    for link in session.scalars(select(TranscriptParticipant).where(TranscriptParticipant.transcript_id == transcript.id)):
        if link.participant_id in labels:
            link.speaker_label = labels[link.participant_id]
    for participant_id, label in people.links:
        if participant_id not in linked:
            session.add(TranscriptParticipant(transcript_id=transcript.id, participant_id=participant_id, speaker_label=label))
    if people.links:
        # The corrected file says who took part: those it no longer names are no longer linked (a file
        # naming L2 where it named L1 made an interview of both). A file naming nobody keeps who was linked.
        stale = linked - {participant_id for participant_id, _ in people.links}
        if stale:
            session.execute(delete(TranscriptParticipant).where(
                TranscriptParticipant.transcript_id == transcript.id, TranscriptParticipant.participant_id.in_(stale)))
    # As with who took part, a corrected file that says nothing of the interviewer's labels keeps those
    # known before that it still has, linked to no one (its sidecar left behind must not make them informants').
    known = set(session.scalars(select(InterviewerSpeaker.label).where(InterviewerSpeaker.transcript_id == transcript.id)))
    unlinked = {span.speaker for span in prepared.document.turns if span.speaker and people.speakers.get(span.speaker) is None}
    interviewer_before, interviewer_after = sorted(known), sorted(set(people.interviewer_speakers) | (known & unlinked))
    _keep_interviewer_speakers(session, transcript.id, interviewer_after)
    session.flush()
    named_after = _linked_names(session, transcript.id)
    connection.execute(delete(Turn).where(Turn.text_version_id == old_id))
    connection.execute(delete(TextVersion).where(TextVersion.id == old_id))
    session.expire_all()
    changed = plan.lines_changed
    turns = len(prepared.document.turns)
    # Each orphaned or found again is logged above whoever's it is; only the counts are the blind coder's own.
    orphaned = sum(counted_here(row) for row in orphans)
    placed_again = sum(counted_here(row) for row, _ in found_again)
    earlier_orphans = (f", {placed_again} orphaned before placed again" if placed_again else "") + (
        f", {still_orphaned} orphaned before still without a place" if still_orphaned else ""
    )
    only_theirs = f" (blind: {coder.name}'s codings only)" if blind and coder is not None else ""
    guids_reworded = {row.id: row.guid for row in rows}
    record_event(
        session, kind=EventKind.TRANSCRIPT_REPLACE, coder=coder, entity_guid=transcript.guid,
        before={"content_hash": old_hash, SOURCE_HASH: old_source} | ({BACKED_UP_IN: backup} if backup else {}),
        after={"source": prepared.source_name, "content_hash": prepared.digest, SOURCE_HASH: prepared.source_hash, "words": prepared.words, "turns": turns,
               "lines_changed": changed, "codings_moved": placed, "codings_in_place": in_place,
               "codings_orphaned": orphaned,
               "codings_found_again": placed_again, "codings_still_orphaned": still_orphaned,
               # By GUID, and by id too unless made blind: an id counts every coder's codings.
               "codings_reworded": [{"guid": guids_reworded[coding_id]} | ({} if only_theirs else {"id": coding_id})
                                    | {"before": before, "after": after} for coding_id, before, after in reworded],
               "participants_before": named_before, "participants": named_after,
               "interviewer_speakers_before": interviewer_before, "interviewer_speakers": interviewer_after}
        | ({"blind": True} if only_theirs else {}),
        summary=f"replaced the text of {prepared.name} from {prepared.source_name} ({counted(changed, 'line')} changed):"
                f" {counted(placed, 'coding')} moved{f', {in_place} in place' if in_place else ''}, {orphaned} orphaned{earlier_orphans}"
                + only_theirs + _now_as("participants", named_before, named_after)
                + _now_as("interviewer's labels", interviewer_before, interviewer_after),
    )
    participants = named_after
    return ImportedTranscript(
        name=prepared.name, guid=transcript.guid, source=str(prepared.path), source_format=prepared.document.source_format,
        encoding=prepared.document.encoding, words=prepared.words, turns=turns,
        speakers=sorted({span.speaker for span in prepared.document.turns if span.speaker}),
        participants=participants, notes=list(prepared.document.notes),
        replaced=True, lines_changed=changed, codings_moved=placed, codings_in_place=in_place, codings_orphaned=orphaned,
        codings_found_again=placed_again, codings_still_orphaned=still_orphaned, participants_before=named_before,
        codings_reworded=reworded, blind=bool(only_theirs),
        interviewer_speakers_before=interviewer_before, interviewer_speakers=interviewer_after,
    )


def _now_as(what: str, before: list[str], after: list[str]) -> str:
    """"; WHAT A now B" for a replacement's log entry where the corrected file changed them; else nothing."""
    return f"; {what} {', '.join(before) or 'none'} now {', '.join(after) or 'none'}" if before != after else ""


def _linked_names(session: Session, transcript_id: int) -> list[str]:
    return sorted(session.scalars(select(Participant.name).join(
        TranscriptParticipant, TranscriptParticipant.participant_id == Participant.id
    ).where(TranscriptParticipant.transcript_id == transcript_id)))


def _interviewed(meta: dict[str, Any]) -> list[str]:
    """The participants a transcript's metadata names as interviewed."""
    return ([str(meta["participant"])] if meta.get("participant") else []) + [str(name) for name in meta.get("participants") or []]


def _named_participants(meta: dict[str, Any]) -> list[str]:
    """Every participant a transcript's metadata names: as interviewed, and as a speaker."""
    speakers = [str(value) for value in (meta.get("speakers") or {}).values() if value is not None]
    return [name.strip() for name in _interviewed(meta) + speakers]


def _labels_as_ids(meta: dict[str, Any], document: ParsedDocument) -> list[str]:
    """The speaker labels the metadata says nothing of: each is the participant whose id it is
    (_speaker_participants), so a label that is a withdrawn participant's id names them."""
    labels = sorted({span.speaker for span in document.turns if span.speaker})
    named = speakers_named(meta, labels)
    return [label for label in labels if label not in named]


def _refuse_attributes_of_named(session: Session, meta: dict[str, Any]) -> None:
    """What the import refuses of the file's attributes that its participants have too, for a dry
    run, which creates no one: the participants its metadata names who are in the project already."""
    attributes = meta.get("attributes") or {}
    if not attributes:
        return
    named = [participant_named(session, stored_id(session, name)) for name in _named_participants(meta)]
    refuse_attributes_participants_have(
        session, [participant.id for participant in named if participant is not None],
        {clean_typed(session, str(name), folded=True): str(value).strip() for name, value in attributes.items()},
    )


def _listed_participants(session: Session, meta: dict[str, Any]) -> list[Participant]:
    names = _interviewed(meta)
    role = meta.get("role") if len(names) == 1 else None
    return [get_or_create_participant(session, name, role) for name in names]


def _speaker_participants(
    session: Session, meta: dict[str, Any], document: ParsedDocument
) -> dict[str, Participant | None]:
    """Which participant each speaker label is: as the metadata says (`speakers_named`), else a
    participant of the project whose id it is."""
    listed = _listed_participants(session, meta)
    by_name = {participant.name.casefold(): participant for participant in listed}
    labels = sorted({span.speaker or "" for span in document.turns})
    named = speakers_named(meta, labels)
    mapping: dict[str, Participant | None] = {}
    for label in labels:
        if label in named:
            target = named[label]
            mapping[label] = None if target is None else by_name.get(target.casefold()) or get_or_create_participant(session, target)
        else:
            mapping[label] = participant_named(session, label) if label else None
    return mapping


def interviewer_speakers_named(meta: dict[str, Any], labels: Iterable[str]) -> list[str]:
    """The speaker labels the metadata makes the interviewer's that no role label says are (a Teams voice
    "Eirik Vold" that `speakers:` maps to `interviewer`, or that is the transcript's `interviewer:`):
    kept with the transcript, as the turns have them, so every later reader knows whose turns they are."""
    labels = list(labels)
    explicit = {str(label).strip().casefold(): value for label, value in (meta.get("speakers") or {}).items()}
    named = speakers_named(meta, labels)
    return sorted(
        label for label in labels
        if label and label in named and named[label] is None and not is_interviewer(label)
        # A label the map gives no one (`Tolk: null`) is nobody's, not the interviewer's.
        and (explicit.get(label.casefold()) is not None or label.casefold() not in explicit)
    )


def _keep_interviewer_speakers(session: Session, transcript_id: int, labels: list[str]) -> None:
    """Store the transcript's interviewer labels as its (new) text's import found them, in place of any before."""
    session.execute(delete(InterviewerSpeaker).where(InterviewerSpeaker.transcript_id == transcript_id))
    session.add_all(InterviewerSpeaker(transcript_id=transcript_id, label=label) for label in labels)


def speakers_named(meta: dict[str, Any], labels: Iterable[str]) -> dict[str, str | None]:
    """The participant a transcript's metadata makes each speaker label, or None for the interviewer:
    from `speakers:`, by a participant's id, or the only participant; each in any case, as "d1:" is
    D1's turn. A label it says nothing of is left out. A label of "" stands for turns without a
    speaker (notes), which belong to the single participant of an individual interview."""
    listed = [name.strip() for name in _interviewed(meta)]
    by_name = {name.casefold(): name for name in listed}
    explicit = {str(label).strip().casefold(): value for label, value in (meta.get("speakers") or {}).items()}
    interviewer = str(meta["interviewer"]) if meta.get("interviewer") else None
    named: dict[str, str | None] = {}
    for label in labels:
        folded = label.casefold()
        if folded in explicit:
            target = explicit[folded]
            named[label] = None if target is None or is_interviewer(str(target), interviewer) else str(target).strip()
        elif folded in by_name:
            named[label] = by_name[folded]
        elif is_interviewer(label, interviewer):
            named[label] = None
        elif len(listed) == 1:
            named[label] = listed[0]
    return named


def unheard_participants_note(meta: dict[str, Any], turns: Sequence[TurnSpan]) -> str | None:
    """The note for a transcript whose metadata names participants none of whom has a turn in it (their
    labels not read, or not mapped): their words stand as others', and a withdrawal could not find them."""
    interviewer = str(meta["interviewer"]) if meta.get("interviewer") else None
    participants = [name for name in dict.fromkeys(_named_participants(meta)) if name and not is_interviewer(name, interviewer)]
    labels = sorted({span.speaker or "" for span in turns})
    if not participants or any(speakers_named(meta, labels).get(label) is not None for label in labels):
        return None
    found = f"speakers: {', '.join(label for label in labels if label)}" if any(labels) else "no speaker labels"
    example = participants[0]
    who, why = (
        (f"participants {', '.join(participants)} are named", "their words cannot be told from others', and withdrawing one of them is refused")
        if len(participants) > 1 else
        (f"participant {example} is named", "what they said is stored as others' words")
    )
    return (f"{who}, but no turn is theirs ({found}): {why}; label their turns ({example}: …) or map the labels in the"
            f" front matter (speakers: {{LABEL: {example}}}), then import again with --replace")


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to import: each file as given, and the supported files inside each directory."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(child for child in path.iterdir() if child.is_file() and is_supported(child))
            if not inside:  # "0 imported" said nothing of why (a probe's folder held a folder per participant)
                _refuse_empty_folder(path)
            expanded += inside
        else:
            expanded.append(path)
    return expanded


def _refuse_empty_folder(path: Path) -> None:
    folders = sorted(child.name for child in path.iterdir() if child.is_dir() and not child.name.startswith("."))
    if folders:
        shown = ", ".join(folders[:5]) + (", …" if len(folders) > 5 else "")
        raise ImportFailed(f"{path} holds no transcripts, only folders ({shown}); folders inside are not read",
                           f"import the folders themselves: qualcode import {path}/*/")
    raise ImportFailed(f"{path} holds no transcripts", f"supported: {', '.join(READERS)}")


_TURN_COLUMNS = ("text_version_id", "seq", "speaker", "participant_id", "start", "end", "timestamp_ms")


def _insert_turns(
    session: Session, version_id: int, spans: list[TurnSpan], participant_ids: dict[str, int | None], first_seq: int = 0
) -> list[int]:
    """Insert a version's turns as plain rows, a batch at a time; their ids, in the order of `spans`.

    A long transcript has hundreds of thousands of turns; going past the ORM, with a few hundred
    rows a statement (store/bulk.py), keeps the write transaction to a fraction of the time.
    """
    connection = session.connection()
    table = cast(Table, Turn.__table__)
    ids: list[int] = []
    for first in range(0, len(spans), TURN_BATCH):
        inserted = insert_rows(connection, table, [
            dict(zip(_TURN_COLUMNS, (
                version_id, seq, span.speaker, participant_ids.get(span.speaker or ""), span.start, span.end, span.timestamp_ms,
            ), strict=True))
            for seq, span in enumerate(spans[first:first + TURN_BATCH], start=first_seq + first)
        ], returning=("seq", "id"))
        ids += [turn_id for _, turn_id in sorted(inserted)]
    return ids


def import_paths(
    project: Project,
    paths: Iterable[Path],
    key_access: KeyAccess,
    options: ImportOptions | None = None,
    coder_name: str | None = None,
    progress: Callable[[Path], None] | None = None,
    *,
    blind: bool = False,
) -> BatchResult:
    """Import files one transaction each, going on past failures and naming each one; `blind`:
    the coder codes blind, so a replacement says what it did to their codings only.

    Each file is its own try: whatever goes wrong with one (a damaged file, a parser's error,
    a race with another import) is that file's one-line reason, and the batch goes on. A batch
    that replaces a transcript's text takes one backup just before the first replacement is written.
    """
    options = options or ImportOptions()
    files = expand_paths(paths)
    if options.name and len(files) > 1:
        raise ImportFailed("--name can only be used when importing one file")
    key_access.load_existing()  # a missing or foreign key refuses the batch, not each file in turn
    if options.wave:  # so does a --wave that is none of the project's rounds
        with project.begin() as session:
            project_wave(session, options.wave)
    result = BatchResult()
    backup = _BackupBeforeReplacing(project)
    try:
        for path in files:
            _import_counted(project, path, options, key_access, coder_name, result, progress, blind, backup)
    except KeyboardInterrupt:
        # What came before is kept, each file its own transaction; the batch says where it stopped,
        # and importing again goes on from there (the files before are already present). Each file
        # done has one outcome, so their count is where it stopped, whether Ctrl-C came inside a file
        # or between two (Python takes it at the loop's turn too: it printed a bare "Aborted!" there).
        stopped = len(result.imported) + len(result.skipped) + len(result.failed)
        if stopped < len(files):
            result.interrupted, result.not_reached = files[stopped], len(files) - stopped - 1
    result.backup = backup.taken
    return result


class _BackupBeforeReplacing:
    """A batch's `before-replace` backup, taken once, just before the first of its files that replaces a
    transcript's text is written: the old text is deleted by the replacement, and a wrong file or codings
    moved badly are gone back from by restoring it. A batch that replaces nothing takes none."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.taken: Path | None = None

    def before(self, prepared: PreparedTranscript) -> str | None:
        """The backup's name when `prepared` replaces a transcript's text (taken now, for the batch's
        first), else None. What refuses the file here refuses its write the same way."""
        if not prepared.replace_existing:
            return None
        with self.project.begin() as session:
            if _refuse_existing(session, prepared) is None:
                return None
        if self.taken is None:
            self.taken = self.project.backup(BEFORE_REPLACE)
            rotate_backups(self.project.backups)
        return self.taken.name


def _import_counted(
    project: Project, path: Path, options: ImportOptions, key_access: KeyAccess, coder_name: str | None,
    result: BatchResult, progress: Callable[[Path], object] | None, blind: bool, backup: _BackupBeforeReplacing,
) -> None:
    """One file of a batch, its outcome (imported, skipped or failed, with the reason) added to `result`."""
    try:
        if progress is not None:
            progress(path)
        _import_one(project, path, replace(options), key_access, coder_name, result.imported.append, backup, blind=blind)
    except DuplicateContent as error:
        result.skipped.append((path, error.message))
    except QualcodeError as error:
        result.failed.append((path, str(error)))
        if isinstance(error, NeedsReview):
            result.held_back.append(path)
    except re.error as error:
        result.failed.append((path, f"turn pattern failed: {error}"))
    except OperationalError as error:
        result.failed.append((path, _database_trouble(path, error)))
    except Exception as error:  # noqa: BLE001 - one file's failure never ends the batch
        result.failed.append((path, f"{path.name} could not be imported ({one_line(error)})"))


@without_collections()  # a file's turns, terms and rows hold no cycles
def _import_one(
    project: Project, path: Path, options: ImportOptions, key_access: KeyAccess, coder_name: str | None,
    record: Callable[[ImportedTranscript], object], backup: _BackupBeforeReplacing, *, blind: bool = False,
) -> None:
    """One file: the slow work first, then the key locked only to settle it and write one short transaction.

    Reading, spaCy's proposals, pseudonymising and the index terms are made before the key is
    locked, on a copy of the key as it was. Under the lock the key is read afresh: if it is
    unchanged the copy's additions are taken over, as if the work had been done under the lock;
    if another command changed it meanwhile, pseudonymising is done again with the fresh key.
    """
    read = read_transcript(path, options)
    with project.begin() as session:
        # A file imported before is known by its bytes, before any slow work or review; so is one
        # naming someone who withdrew, before its words are queued for review as context.
        refuse_present(session, path, read.source_hash, read.meta, may_replace=read.replace_existing)
        refuse_withdrawn_participant(session, *_named_participants(read.meta), *_labels_as_ids(read.meta, read.document))
        _refuse_attributes_of_named(session, read.meta)
        vocabulary = codebook_vocabulary(session)
    proposals = propose_candidates(read.document, vocabulary)
    snapshot = key_access.load_existing()
    draft = copy.deepcopy(snapshot)
    pseudonymised, prepared = _pseudonymise(read, draft, vocabulary, proposals)
    plan = _plan(project, prepared)
    failure: QualcodeError | None = None
    with key_access.editing() as key:
        if key_state(key) == key_state(snapshot):
            _take_over(key, draft)
        else:
            pseudonymised, prepared = _pseudonymise(read, key, vocabulary, proposals)
        # Errors are caught inside the block so what it queued for review, and the pattern
        # identifiers it learned, are kept in the key whatever happens to the file.
        try:
            refuse_undecided(key, pseudonymised, path)
            assert prepared is not None
            mark_seen(key, pseudonymised, prepared.name)
            if key_state(key) != key_state(snapshot):
                key_access.save(key)  # the key knows every pseudonym before a text that uses it is stored
            # Written and recorded as one step: a Ctrl-C between them left a file stored that the
            # batch said it had not reached ("3 imported" with four stored). It is taken after.
            with _interrupts_held():
                record(_write(project, prepared, coder_name, plan, blind=blind, backup=backup))
        except QualcodeError as error:
            failure = error
    if failure is not None:
        raise failure


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C (SIGINT) pressed in the block interrupts when the block ends. Held in Python, not by
    the thread's signal mask: spaCy's numerical library runs threads of its own, and a signal the
    main thread holds back is taken by one of them and raised in the main thread all the same.
    Only the main thread is ever interrupted, so elsewhere (the terminal UI's workers) the block
    runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _frame: pressed.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
        if pressed:
            raise KeyboardInterrupt


def _plan(project: Project, prepared: PreparedTranscript | None) -> ReanchorPlan | None:
    """With --replace, where the codings go in the new text, worked out before any write."""
    if prepared is None or not prepared.replace_existing:
        return None
    with project.begin() as session:
        return plan_reanchoring(session, prepared)


def _pseudonymise(
    read: ReadTranscript, key: PseudonymKey, vocabulary: set[str], proposals: list[Proposal]
) -> tuple[PseudonymisedDocument, PreparedTranscript | None]:
    pseudonymised = pseudonymise_document(read.document, read.meta, key, read.path.name, vocabulary, proposals)
    if pseudonymised.proposals:
        return pseudonymised, None
    return pseudonymised, prepare_transcript(read, pseudonymised, key)


def _take_over(key: PseudonymKey, draft: PseudonymKey) -> None:
    """Give `key` everything `draft` holds (its entries, queue, decisions), keeping the file's own id."""
    for key_field in fields(key):
        if key_field.name != "key_id":
            setattr(key, key_field.name, getattr(draft, key_field.name))


WRITE_ATTEMPTS = 3
# On SQLite one process writes at a time, and others wait a few seconds at most: a transcript
# longer than this is written in steps (its index alone takes seconds for a 50 MB file).
STEPWISE_CHARACTERS = 2_000_000
STEP_TURNS = 10_000
# Between steps the project is left alone this long: a command waiting to write tries again
# every 100 ms at most, and must find a gap to get in.
STEP_PAUSE = 0.15


def _write(
    project: Project, prepared: PreparedTranscript, coder_name: str | None, plan: ReanchorPlan | None = None, *, blind: bool = False,
    backup: _BackupBeforeReplacing | None = None,
) -> ImportedTranscript:
    """Write a transcript; a race lost to another writer ends as it would have in turn.

    Called with the key locked, so no other import writes meanwhile, and what an import
    killed midway left staged can be removed first.

    The schema refuses a second transcript of the same name or text. When another writer
    added one between this one's checks and its write, the transaction fails on that
    constraint; the next attempt's checks then find the other's transcript and say so, just
    as importing the two one after the other would have.
    """
    _remove_staged(project)
    backed_up_in = backup.before(prepared) if backup is not None else None
    if project.engine.dialect.name == "sqlite" and len(prepared.document.text) > STEPWISE_CHARACTERS:
        return _write_in_steps(project, prepared, coder_name, plan, blind=blind, backup=backed_up_in)
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with project.begin() as session:
                coder = session.scalar(select(Coder).where(Coder.name == coder_name)) if coder_name else None
                return write_transcript(session, prepared, coder, plan, blind=blind, backup=backed_up_in)
        except IntegrityError:
            if attempt == WRITE_ATTEMPTS:
                raise ImportFailed(
                    f"{prepared.path.name} could not be written: other commands kept adding the same rows",
                    "import it again",
                ) from None
    raise AssertionError("unreachable")


def _write_in_steps(
    project: Project, prepared: PreparedTranscript, coder_name: str | None, plan: ReanchorPlan | None = None, *, blind: bool = False,
    backup: str | None = None,
) -> ImportedTranscript:
    """A long transcript in short transactions: its text, then its turns and index rows a batch
    at a time, all attached to no transcript, so no one sees them, until the last transaction
    makes them one. If the import is killed midway, the next import removes what it staged.
    """
    with project.begin() as session:
        _refuse_existing(session, prepared)
    try:
        with _unchecked_session(project) as session:
            # A negative transcript id marks a staged text; no transcript has one.
            version_id = _insert_version(session, prepared, -1 - secrets.randbits(62))
            people = _resolve_people(session, prepared)
        for first in range(0, len(prepared.document.turns), STEP_TURNS):
            time.sleep(STEP_PAUSE)
            with project.begin() as session:
                _write_turns(session, prepared, version_id, people, first, first + STEP_TURNS)
        time.sleep(STEP_PAUSE)
        try:
            with project.begin() as session:
                target = _refuse_existing(session, prepared)
                coder = session.scalar(select(Coder).where(Coder.name == coder_name)) if coder_name else None
                if target is not None:
                    assert target.current_version is not None
                    session.execute(update(TextVersion).where(TextVersion.id == version_id).values(
                        transcript_id=target.id, number=target.current_version.number + 1, reason=REPLACED,
                    ))
                    return _finish_replacement(session, prepared, target, version_id, people, coder, plan, blind=blind, backup=backup)
                transcript = _new_transcript(prepared)
                session.add(transcript)
                session.flush()
                session.execute(update(TextVersion).where(TextVersion.id == version_id).values(transcript_id=transcript.id))
                return _finish(session, prepared, transcript, version_id, people, coder)
        except IntegrityError:
            with project.begin() as session:
                _refuse_existing(session, prepared)
            raise ImportFailed(f"{prepared.path.name} could not be written: another command added the same rows", "import it again") from None
    except BaseException:
        with contextlib.suppress(Exception):
            _remove_staged(project)
        raise


@contextmanager
def _unchecked_session(project: Project) -> Iterator[Session]:
    """A transaction with SQLite's foreign-key checks off, for a text staged before its transcript exists.

    It runs on a connection of its own, closed afterwards, so the checks are never off for anything else.
    """
    with project.engine.connect() as connection:
        try:
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()
            with Session(bind=connection) as session, session.begin():
                yield session
        finally:
            connection.invalidate()


def _remove_staged(project: Project) -> None:
    """Remove texts staged by an import that did not finish, with their turns and index rows, a batch at a time."""
    with project.begin() as session:
        staged = session.scalars(select(TextVersion.id).where(TextVersion.transcript_id < 0)).all()
    for version_id in staged:
        while True:
            with project.begin() as session:
                turn_ids = session.scalars(select(Turn.id).where(Turn.text_version_id == version_id).limit(STEP_TURNS)).all()
                if not turn_ids:
                    session.execute(delete(TextVersion).where(TextVersion.id == version_id))
                    break
                unindex_turns(session, turn_ids)
                session.execute(delete(Turn).where(in_values(Turn.id, turn_ids)))


def _database_trouble(path: Path, error: OperationalError) -> str:
    reason = str(error.orig) if error.orig is not None else str(error)
    if "locked" in reason or "busy" in reason:
        return f"{path.name}: the project was busy with another command for too long; nothing from it was written (import it again)"
    return f"{path.name} could not be written to the project ({reason})"


@dataclass(frozen=True)
class PreviewItem:
    """One replacement a dry run would make, shown in its original context."""

    original: str
    pseudonym: str
    kind: str
    line: int  # 0 for the front matter
    context: str


@dataclass(frozen=True)
class Preview:
    """What importing one file would do: its replacements, its candidates for review, and the
    outcome: the transcript it would become or replace, or why the import would refuse it."""

    file: str
    replacements: list[PreviewItem]
    candidates: list[str]
    outcome: str = ""
    notes: list[str] = field(default_factory=list)
    refused: bool = False  # already present, changed under a taken name, or a withdrawn participant's
    # With --replace: what replacing the text would do to its codings, as the import would say it.
    replacing: ImportedTranscript | None = None


def preview_file(
    session: Session, path: Path, options: ImportOptions, key: PseudonymKey, *, blind_coder: str | None = None,
) -> Preview:
    """What importing `path` would replace and propose, on a copy of the key; writes nothing.

    The file goes through the checks the import makes: one the import would refuse (already
    present, changed under a taken name, a withdrawn participant's) comes back `refused`, with
    why; one that cannot be read raises as the import does. A replacement is made and taken back,
    so what it would do to the codings is counted as the import counts it (`blind_coder`, the
    stored name of a coder who codes blind: their codings alone)."""
    scratch = copy.deepcopy(key)
    read = read_transcript(path, options)
    prepared = pseudonymise_document(read.document, read.meta, scratch, path.name, codebook_vocabulary(session))
    text = prepared.original_text
    items = [
        PreviewItem(
            r.original, r.pseudonym, r.kind, text.count("\n", 0, r.start) + 1,
            " ".join(text[max(0, r.start - 30):r.end + 30].split()),
        )
        for r in prepared.replacements
    ]
    # Line 0: the front matter, whose fields are stored apart from the text.
    items += [PreviewItem(r.original, r.pseudonym, r.kind, 0, f"{name}: {r.original}") for name, r in prepared.meta_replacements]
    candidates = [p.text for p in prepared.proposals]
    notes = list(read.document.notes)
    unheard = unheard_participants_note(prepared.meta, prepared.document.turns)
    notes += [unheard] if unheard is not None else []
    replacing = None
    try:
        refuse_present(session, path, read.source_hash, read.meta, may_replace=read.replace_existing)
        refuse_withdrawn_participant(session, *_named_participants(read.meta), *_labels_as_ids(read.meta, read.document))
        _refuse_attributes_of_named(session, read.meta)
        if candidates:
            outcome = "would be held back until the names proposed for review are decided"
        else:
            target = _refuse_existing(session, written := prepare_transcript(read, prepared, scratch))
            if target is not None:
                replacing = _replacement_tried(session, written, blind_coder)
                outcome = f"would replace the text of transcript {target.name}, its codings re-anchored"
            else:
                outcome = f"would be imported as {written.name}"
    except DuplicateContent as error:
        return Preview(path.name, items, candidates, f"would be skipped: {error}", notes, refused=True)
    except ProjectError:
        raise  # the project's fault (busy, full, read-only), not the file's: no file's preview could be made
    except QualcodeError as error:
        return Preview(path.name, items, candidates, f"would fail: {error}", notes, refused=True)
    return Preview(path.name, items, candidates, outcome, notes, replacing=replacing)


def _replacement_tried(session: Session, prepared: PreparedTranscript, blind_coder: str | None) -> ImportedTranscript:
    """What replacing a transcript's text would do, found by doing it in a savepoint taken back."""
    Project.lock_for_writing(session)
    savepoint = session.begin_nested()
    try:
        coder = session.scalar(select(Coder).where(Coder.name == blind_coder)) if blind_coder is not None else None
        return write_transcript(session, prepared, coder, blind=blind_coder is not None)
    except OperationalError as error:
        # Trying it writes, so another command writing for long (a TUI import) or a full disk stops it:
        # said as the import says it, for the whole dry run, not as this file's failure.
        fault = database_fault(error)
        if fault is None:
            raise
        raise fault from None
    finally:
        savepoint.rollback()
        session.expire_all()
