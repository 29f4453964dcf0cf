"""Importing transcript files into a project: one file is one transaction, a batch goes on."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import Replacement, pseudonymise
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import KeyAccess, codebook_vocabulary, queue_candidates
from qualcode.errors import DuplicateContent, ImportFailed, NeedsReview, QualcodeError
from qualcode.importers.document import ParsedDocument
from qualcode.importers.docx_file import read_docx_file
from qualcode.importers.frontmatter import read_sidecar
from qualcode.importers.metadata import (
    attribute_definition,
    check_transcript_meta,
    get_or_create_participant,
    typed_value,
)
from qualcode.importers.odt_file import read_odt_file
from qualcode.importers.pseudonymise import pseudonymise_document
from qualcode.importers.srt_file import read_srt_file
from qualcode.importers.text_file import read_text_file
from qualcode.importers.turns import compile_marker
from qualcode.importers.vtt_file import read_vtt_file
from qualcode.search.index import index_turns
from qualcode.store.events import record_event
from qualcode.store.models import (
    Coder,
    Participant,
    TextVersion,
    Transcript,
    TranscriptAttribute,
    TranscriptParticipant,
    Turn,
)
from qualcode.store.project import Project
from qualcode.text.normalise import content_hash, normalise
from qualcode.text.speakers import INTERVIEWER_LABELS
from qualcode.text.tokens import word_count

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".odt", ".vtt", ".srt")


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


@dataclass
class BatchResult:
    """What a batch import did to each file."""

    imported: list[ImportedTranscript] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)


def parse_file(path: Path, options: ImportOptions | None = None) -> ParsedDocument:
    """Read one file of any supported format into the common shape, without touching a project."""
    options = options or ImportOptions()
    if not path.exists():
        raise ImportFailed(f"{path} does not exist", "check the path")
    if path.is_dir():
        raise ImportFailed(f"{path} is a directory", "import it as a batch, not as one file")
    marker = compile_marker(options.turn_pattern) if options.turn_pattern else None
    suffix = path.suffix.lower()
    try:
        if suffix in (".txt", ".md"):
            return read_text_file(path, encoding=options.encoding, marker=marker)
        if suffix == ".docx":
            return read_docx_file(path, marker=marker)
        if suffix == ".odt":
            return read_odt_file(path, marker=marker)
        if suffix == ".vtt":
            return read_vtt_file(path, encoding=options.encoding, marker=marker)
        if suffix == ".srt":
            return read_srt_file(path, encoding=options.encoding, marker=marker)
    except OSError as error:
        raise ImportFailed(f"{path.name} cannot be read: {error.strerror}") from None
    raise ImportFailed(
        f"{path.name}: {suffix or 'no extension'} is not a transcript format qualcode reads",
        "supported: " + ", ".join(SUPPORTED_SUFFIXES),
    )


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
    options = options or ImportOptions()
    document, meta, replacements = prepare_file(session, path, options, key)
    text = document.text
    words = word_count(text)
    if words == 0:
        raise ImportFailed(f"{path.name} contains no words")
    digest = content_hash(text)
    existing = session.scalar(select(TextVersion).where(TextVersion.content_hash == digest))
    if existing is not None:
        raise DuplicateContent(f"{path.name} has the same text as transcript {existing.transcript.name}; nothing added")
    name = meta.get("name") or path.stem
    if session.scalar(select(Transcript).where(Transcript.name == name)) is not None:
        raise ImportFailed(f"a transcript named {name!r} already exists", "give this one another name with --name")
    for replacement in replacements:
        entry = key.entry_for(replacement.original)
        if entry is not None and name not in entry.seen_in:
            entry.seen_in.append(name)

    # The file's name is text from outside like any other: it may hold a name.
    source_name = pseudonymise(path.name, key, path.name).text
    transcript = Transcript(
        name=name,
        title=meta.get("title"),
        source_filename=source_name,
        source_format=document.source_format,
        source_encoding=document.encoding,
        wave=meta.get("wave"),
        interview_date=meta.get("date"),
        mode=meta.get("mode"),
        fidelity=meta.get("fidelity") or "transcript",
        interviewer=meta.get("interviewer"),
        note_taker=meta.get("note_taker"),
    )
    version = TextVersion(number=1, text=text, content_hash=digest, word_count=words, reason="import")
    transcript.versions.append(version)
    session.add(transcript)
    session.flush()
    transcript.current_version = version

    speaker_map = _speaker_participants(session, meta, document)
    for label, participant in speaker_map.items():
        if participant is not None and all(link.participant is not participant for link in transcript.participant_links):
            transcript.participant_links.append(
                TranscriptParticipant(participant=participant, speaker_label=label)
            )
    for participant in _listed_participants(session, meta):
        if all(link.participant is not participant for link in transcript.participant_links):
            transcript.participant_links.append(TranscriptParticipant(participant=participant))
    for attribute_name, value in (meta.get("attributes") or {}).items():
        definition = attribute_definition(session, str(attribute_name), "transcript", value)
        transcript.attributes.append(TranscriptAttribute(definition=definition, value=typed_value(definition, value)))

    turns = [
        Turn(
            seq=seq,
            speaker=span.speaker,
            participant=speaker_map.get(span.speaker or ""),
            start=span.start,
            end=span.end,
            timestamp_ms=span.timestamp_ms,
        )
        for seq, span in enumerate(document.turns)
    ]
    version.turns.extend(turns)
    session.flush()
    index_turns(session, text, turns)
    participants = sorted({link.participant.name for link in transcript.participant_links})
    record_event(
        session, action="transcript.import", coder=coder, entity="transcript", entity_guid=transcript.guid,
        after={"name": name, "source": source_name, "content_hash": digest, "words": words, "turns": len(turns)},
        summary=f"imported {source_name} as {name} ({words} words, {len(turns)} turns)",
    )
    return ImportedTranscript(
        name=name,
        guid=transcript.guid,
        source=str(path),
        source_format=document.source_format,
        encoding=document.encoding,
        words=words,
        turns=len(turns),
        speakers=sorted({span.speaker for span in document.turns if span.speaker}),
        participants=participants,
    )


def prepare_file(
    session: Session, path: Path, options: ImportOptions, key: PseudonymKey
) -> tuple[ParsedDocument, dict[str, Any], list[Replacement]]:
    """Parse and pseudonymise a file; refuse it while it holds undecided possible identifiers."""
    document = parse_file(path, options)
    meta = check_transcript_meta({**document.meta, **read_sidecar(path), **options.as_meta()}, path.name)
    meta.setdefault("name", path.stem)
    assert normalise(document.text) == document.text, "readers must hand over normalised text"
    prepared = pseudonymise_document(document, meta, key, path.name, codebook_vocabulary(session))
    if prepared.proposals:
        queue_candidates(key, prepared.proposals, path.name)
        names = ", ".join(p.text for p in prepared.proposals[:6]) + (" …" if len(prepared.proposals) > 6 else "")
        raise NeedsReview(
            f"{path.name} has {len(prepared.proposals)} possible identifiers nobody has decided about ({names}); nothing imported",
            "decide with `qualcode anonymise review`, then import again",
        )
    return prepared.document, prepared.meta, prepared.replacements


def _listed_participants(session: Session, meta: dict[str, Any]) -> list[Participant]:
    names = [meta["participant"]] if meta.get("participant") else []
    names += [str(name) for name in meta.get("participants") or []]
    role = meta.get("role") if len(names) == 1 else None
    return [get_or_create_participant(session, name, role) for name in names]


def _speaker_participants(
    session: Session, meta: dict[str, Any], document: ParsedDocument
) -> dict[str, Participant | None]:
    """Which participant each speaker label is: from `speakers:`, by name, or the only participant.

    A label of "" stands for turns without a speaker (notes), which belong to the single
    participant of an individual interview.
    """
    listed = _listed_participants(session, meta)
    by_name = {participant.name: participant for participant in listed}
    explicit = {str(label): value for label, value in (meta.get("speakers") or {}).items()}
    interviewers = set(INTERVIEWER_LABELS)
    if meta.get("interviewer"):
        interviewers.add(str(meta["interviewer"]).lower())
    labels = sorted({span.speaker or "" for span in document.turns})
    mapping: dict[str, Participant | None] = {}
    for label in labels:
        if label in explicit:
            target = explicit[label]
            if target is None or str(target).lower() in interviewers:
                mapping[label] = None
            else:
                participant = by_name.get(str(target)) or get_or_create_participant(session, str(target))
                mapping[label] = participant
        elif label in by_name:
            mapping[label] = by_name[label]
        elif label.lower() in interviewers:
            mapping[label] = None
        elif len(listed) == 1:
            mapping[label] = listed[0]
        else:
            known = session.scalar(select(Participant).where(Participant.name == label)) if label else None
            mapping[label] = known
    return mapping


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to import: each file as given, and the supported files inside each directory."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            expanded += sorted(
                child for child in path.iterdir()
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES
            )
        else:
            expanded.append(path)
    return expanded


def import_paths(
    project: Project,
    paths: Iterable[Path],
    key_access: KeyAccess,
    options: ImportOptions | None = None,
    coder_name: str | None = None,
    progress: Callable[[Path], None] | None = None,
) -> BatchResult:
    """Import files one transaction each, going on past failures and naming each one."""
    options = options or ImportOptions()
    files = expand_paths(paths)
    if options.name and len(files) > 1:
        raise ImportFailed("--name can only be used when importing one file")
    key = key_access.load_existing()
    result = BatchResult()
    for path in files:
        if progress is not None:
            progress(path)
        before = json.dumps(key.to_json(), sort_keys=True)
        try:
            with project.begin() as session:
                coder = session.scalar(select(Coder).where(Coder.name == coder_name)) if coder_name else None
                result.imported.append(import_file(session, path, replace(options), coder, key=key))
        except DuplicateContent as error:
            result.skipped.append((path, error.message))
        except QualcodeError as error:
            result.failed.append((path, str(error)))
        except re.error as error:
            result.failed.append((path, f"turn pattern failed: {error}"))
        if json.dumps(key.to_json(), sort_keys=True) != before:
            key_access.save(key)
    return result


@dataclass(frozen=True)
class PreviewItem:
    """One replacement a dry run would make, shown in its original context."""

    original: str
    pseudonym: str
    kind: str
    line: int
    context: str


@dataclass(frozen=True)
class Preview:
    file: str
    replacements: list[PreviewItem]
    candidates: list[str]


def preview_file(session: Session, path: Path, options: ImportOptions, key: PseudonymKey) -> Preview:
    """What importing `path` would replace and propose, on a copy of the key; writes nothing."""
    scratch = copy.deepcopy(key)
    document = parse_file(path, options)
    meta = check_transcript_meta({**document.meta, **read_sidecar(path), **options.as_meta()}, path.name)
    prepared = pseudonymise_document(document, meta, scratch, path.name, codebook_vocabulary(session))
    text = prepared.original_text
    items = [
        PreviewItem(
            r.original, r.pseudonym, r.kind, text.count("\n", 0, r.start) + 1,
            " ".join(text[max(0, r.start - 30):r.end + 30].split()),
        )
        for r in prepared.replacements
    ]
    return Preview(path.name, items, [p.text for p in prepared.proposals])
