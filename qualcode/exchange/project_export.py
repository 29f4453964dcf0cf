"""A whole project as a REFI-QDA `.qdpx`: `project.qde` and `sources/<guid>.txt` in one zip.

What goes where:
- coders are Users, with their stored GUIDs; codes are the CodeBook (as in the `.qdc`);
- each transcript is a TextSource whose plain text is the current pseudonymised text (UTF-8, no
  BOM), and each live coding on it a PlainTextSelection (positions are Python string indices of
  that text: code points, LF line endings, as qualcode stores them) holding one Coding with the
  coding's own GUID, its code and its coder;
- memos are Notes, referred to (NoteRef) from what they annotate: the Code, the TextSource, the
  Coding, or for a memo on the whole project the Project itself; a coding's own memo is a Note of
  its own, dated and credited as the memo was written (not as the coding was made);
- participants are Cases with their attributes (role, gender, age band, office and every typed
  attribute) as VariableValues, and a SourceRef to each transcript they are linked to or speak in;
  a transcript's title, wave, date, mode, fidelity, interviewer, note taker and typed attributes are VariableValues of its source,
  and so is which case each speaker label is ("speaker labels": "D5 = D5", one a line), so an import
  links the turns to their participants again, which labels are the interviewer's where no role label
  says so ("interviewer speakers", one a line), and when its turns have times, those ("turn times");
- qualcode has no sets, so no <Sets> is written (an empty one is invalid).

Every GUID is stored or derived from a stored one, and everything is written in a fixed order, so
two exports of an unchanged project differ only in the project's creation and modification dates.
The document is validated against Project.xsd and the whole file passes the leak check before
anything is written. The leak check reads an element's attribute values joined by spaces, so a
GUID ending in four digits followed by a capitalised name reads as a postcode ("…c4764 Forsker"),
and two positions side by side as a phone number ("2200 2350"). Attributes are therefore written
names first, GUIDs last, and a selection's two positions apart; XML gives their order no meaning.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from xml.sax.saxutils import escape

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from qualcode import __version__
from qualcode.anonymise.own_exports import remembering
from qualcode.coding.coders import REVIEWER
from qualcode.coding.consensus import CONSENSUS_CODER, standing_decisions
from qualcode.coding.memos import coding_memo_writers
from qualcode.coding.transcripts import interviewer_speakers
from qualcode.exchange.codebook_qdc import (
    STORED_GUID,
    code_elements,
    codes_not_carried,
    serialise_valid,
    xml_text,
)
from qualcode.exchange.schema import PROJECT_NS
from qualcode.exporters.service import export_path, publish_checked
from qualcode.garbage import without_collections
from qualcode.store.models import (
    AttributeDefinition,
    Code,
    Coder,
    Coding,
    FrameworkSummary,
    Memo,
    Participant,
    ParticipantAttribute,
    TextVersion,
    Transcript,
    TranscriptAttribute,
    TranscriptParticipant,
    Turn,
)
from qualcode.store.settings import get_setting
from qualcode.text.counts import counted
from qualcode.text.export_words import UNTITLED_NOTE

if TYPE_CHECKING:
    from lxml import etree
    from sqlalchemy.orm import Session

    from qualcode.anonymise.key import PseudonymKey

# GUIDs qualcode does not store (a selection, a coding's own memo, a variable) are derived from
# stored ones in this namespace, so they are the same in every export.
DERIVED = uuid.UUID("6f1c1f0e-3b6a-5d7e-9a41-2f8e0c4d9b17")
DERIVED_BYTES = DERIVED.bytes
P = f"{{{PROJECT_NS}}}"
# A fixed time for the zip's entries: the bytes of sources/ then depend only on the texts.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
PARTICIPANT_FIELDS = (("role", "role"), ("gender", "gender"), ("age band", "age_band"), ("office", "office"))
TRANSCRIPT_FIELDS = (
    ("title", "title"), ("wave", "wave"), ("interview date", "interview_date"), ("mode", "mode"), ("fidelity", "fidelity"),
    ("interviewer", "interviewer"), ("note taker", "note_taker"),
)
# A source's Text variable with the times of its turns (from a subtitle file), one "turn 3 of 12 at
# 0:01:02.500" a line: REFI-QDA gives a text source's turns no times.
TURN_TIMES_VARIABLE = "turn times"
TURN_TIME = re.compile(r"turn (\d+) of (\d+) at (\d+):(\d{2}):(\d{2})\.(\d{3})")
# A source's Text variable naming the participant each speaker label is, one "label = case name" a
# line ("= name" for the turns without a label): REFI-QDA has no place of its own for who speaks.
SPEAKERS_VARIABLE = "speaker labels"
# A source's Text variable with the speaker labels that are the interviewer's though no role label says
# so (a Teams voice a `speakers:` map named the interviewer), one a line: no case is theirs.
INTERVIEWER_SPEAKERS_VARIABLE = "interviewer speakers"
REFI_TYPES = {"text": "Text", "integer": "Integer", "date": "Date", "boolean": "Boolean"}


@dataclass(frozen=True)
class QdpxExport:
    """What an export wrote: the file and how much of each kind, and what it left out and why."""

    path: Path
    sources: int
    codings: int
    notes: int
    cases: int
    left_out: list[str]
    warnings: list[str]


@dataclass(frozen=True)
class QdpxContent:
    data: bytes
    sources: int
    codings: int
    notes: int
    cases: int
    left_out: list[str]


def derived_guid(kind: str, stored: str) -> str:
    """`str(uuid.uuid5(DERIVED, f"{kind}:{stored}"))`, made without a UUID object: an export makes one per coding."""
    digest = bytearray(hashlib.sha1(DERIVED_BYTES + f"{kind}:{stored}".encode(), usedforsecurity=False).digest()[:16])
    digest[6] = digest[6] & 0x0F | 0x50  # version 5
    digest[8] = digest[8] & 0x3F | 0x80  # RFC 4122 variant
    hexed = digest.hex()
    return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"


def _stamp(moment: datetime | date | None) -> str | None:
    """A moment as xs:dateTime, to the microsecond as stored, so a round trip keeps it, and with its
    zone: SQLite gives back the UTC moments it was given without one, and a tool reading a moment
    without a zone takes it for its own local time (an hour or two off in Norway)."""
    if isinstance(moment, datetime):
        return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).isoformat()
    return None


class _Variables:
    """The project's Variables: one per attribute that has a value, typed where every value fits the type."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], list[str]] = {}
        self.declared: dict[tuple[str, str], str] = {}

    def add(self, applies_to: str, name: str, value_type: str, value: object) -> tuple[tuple[str, str], str] | None:
        if value is None or value == "":
            return None
        text = value.isoformat() if isinstance(value, date) else str(value)
        key = (applies_to, name)
        self.declared.setdefault(key, value_type)
        self.values.setdefault(key, []).append(text)
        return key, text

    def refi_type(self, key: tuple[str, str]) -> str:
        wanted = REFI_TYPES.get(self.declared[key], "Text")
        return wanted if all(_fits(wanted, value) for value in self.values[key]) else "Text"

    def guid(self, key: tuple[str, str]) -> str:
        return derived_guid("variable", f"{key[0]}:{key[1]}")


def _fits(refi_type: str, value: str) -> bool:
    try:
        if refi_type == "Integer":
            int(value)
        elif refi_type == "Date":
            date.fromisoformat(value)
        elif refi_type == "Boolean":
            return value in {"true", "false"}
    except ValueError:
        return False
    return True


def build_qdpx(session: Session, project_name: str, now: datetime | None = None) -> QdpxContent:
    """The `.qdpx` bytes of the project, validated against Project.xsd; raises WriteFailed if they are not valid."""
    from lxml import etree

    moment = (now or datetime.now(UTC)).replace(microsecond=0).isoformat()
    root = etree.Element(f"{P}Project", {
        "origin": f"qualcode {__version__}", "creationDateTime": moment, "modifiedDateTime": moment, "name": xml_text(project_name),
    }, nsmap={None: PROJECT_NS})
    left_out: list[str] = []

    coders = list(session.scalars(select(Coder).order_by(Coder.id)))
    coder_guid = {coder.id: coder.guid for coder in coders}
    if coders:
        users = etree.SubElement(root, f"{P}Users")
        for coder in coders:
            etree.SubElement(users, f"{P}User", {"name": xml_text(coder.name), "guid": coder.guid})

    code_roots = code_elements(session, PROJECT_NS)
    code_by_guid = {element.get("guid"): element for top in code_roots for element in top.iter(f"{P}Code")}
    if code_roots:
        codes = etree.SubElement(etree.SubElement(root, f"{P}CodeBook"), f"{P}Codes")
        for element in code_roots:
            codes.append(element)

    transcripts = list(session.scalars(
        select(Transcript).where(Transcript.current_version_id.is_not(None)).order_by(Transcript.id)
    ))
    texts = dict(session.execute(
        select(TextVersion.id, TextVersion.text).join(Transcript, Transcript.current_version_id == TextVersion.id)
    ).all())
    variables = _Variables()
    source_values = _transcript_values(session, transcripts, variables)
    for transcript_id, speakers in _speaker_labels(session, transcripts).items():
        added = variables.add("transcript", SPEAKERS_VARIABLE, "text", speakers)
        if added:
            source_values.setdefault(transcript_id, []).append(added)
    for transcript_id, labels in interviewer_speakers(session, [transcript.id for transcript in transcripts]).items():
        added = variables.add("transcript", INTERVIEWER_SPEAKERS_VARIABLE, "text", "\n".join(labels))
        if added:
            source_values.setdefault(transcript_id, []).append(added)
    for transcript_id, times in _turn_times(session, transcripts).items():
        added = variables.add("transcript", TURN_TIMES_VARIABLE, "text", times)
        if added:
            source_values.setdefault(transcript_id, []).append(added)
    case_values, case_sources = _participant_values(session, transcripts, variables)
    participants = list(session.scalars(select(Participant).order_by(Participant.id)))

    if variables.values:
        declared = etree.SubElement(root, f"{P}Variables")
        for key in variables.values:
            etree.SubElement(declared, f"{P}Variable", {
                "typeOfVariable": variables.refi_type(key), "name": xml_text(key[1]), "guid": variables.guid(key),
            })
    transcript_guid = {transcript.id: transcript.guid for transcript in transcripts}
    if participants:
        cases = etree.SubElement(root, f"{P}Cases")
        for participant in participants:
            case = etree.SubElement(cases, f"{P}Case", {"name": xml_text(participant.name), "guid": participant.guid})
            _variable_values(case, case_values.get(participant.id, []), variables)
            for transcript_id in sorted(case_sources.get(participant.id, ())):
                etree.SubElement(case, f"{P}SourceRef", {"targetGUID": transcript_guid[transcript_id]})

    notes: list[etree._Element] = []
    memos = list(session.scalars(select(Memo).where(Memo.removed_at.is_(None)).order_by(Memo.id)))
    memo_refs: dict[tuple[str, int], list[str]] = defaultdict(list)  # ("code"|"transcript"|"coding", id) -> note GUIDs
    project_refs: list[str] = []
    for memo in memos:
        notes.append(_note(memo.guid, memo.title or UNTITLED_NOTE, memo.text, coder_guid.get(memo.author_id), memo.created_at))
        if memo.coding_id is not None:
            memo_refs["coding", memo.coding_id].append(memo.guid)
        elif memo.code_id is not None:
            memo_refs["code", memo.code_id].append(memo.guid)
        elif memo.transcript_id is not None:
            memo_refs["transcript", memo.transcript_id].append(memo.guid)
        else:
            project_refs.append(memo.guid)
    code_guids = dict(session.execute(select(Code.id, Code.guid)).all())
    for (kind, target_id), note_guids in sorted(memo_refs.items()):
        if kind == "code" and target_id in code_guids:
            element = code_by_guid[code_guids[target_id]]
            description = element.find(f"{P}Description")
            at = 1 if description is not None else 0
            for offset, note_guid in enumerate(note_guids):
                element.insert(at + offset, etree.Element(f"{P}NoteRef", {"targetGUID": note_guid}))

    coding_count = 0
    # Plain rows, not ORM objects: a project may hold tens of thousands of codings.
    codings_of: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in session.execute(
        select(Coding.id, Coding.transcript_id, Coding.guid, Coding.text_version_id, Coding.code_id, Coding.coder_id,
               Coding.start, Coding.end, Coding.created_at, Coding.orphaned_at, Coding.memo)
        # Orphaned codings too (a replaced text left them no place, and took them out of the live
        # ones): they are not exported, but each is named, so none is left behind unsaid.
        .where(or_(Coding.removed_at.is_(None), Coding.orphaned_at.is_not(None)))
        .order_by(Coding.transcript_id, Coding.start, Coding.end, Coding.id)
    ):
        codings_of[row.transcript_id].append(cast("Row[Any]", row))
    exported_codings: set[int] = set()
    # Who wrote each coding's own memo, and when: not always its coder, and seldom as it was coded.
    memo_writers = coding_memo_writers(session, {
        row.guid: row.memo for rows in codings_of.values() for row in rows if row.memo and row.memo.strip()
    })
    if transcripts:
        sources = etree.SubElement(root, f"{P}Sources")
        for transcript in transcripts:
            assert transcript.current_version_id is not None
            text = texts[transcript.current_version_id]
            source = etree.SubElement(sources, f"{P}TextSource", {
                "name": xml_text(transcript.name), "plainTextPath": f"internal://{transcript.guid}.txt", "guid": transcript.guid,
            })
            # Written as XML text and parsed once per source: far quicker than an element at a
            # time for tens of thousands of selections, and the same document.
            selections: list[str] = []
            for coding in codings_of.get(transcript.id, []):
                if coding.orphaned_at is not None or coding.text_version_id != transcript.current_version_id:
                    left_out.append(f"coding {coding.id} on {transcript.name}: not placed on the current text, orphaned (see `qualcode coding list --orphaned`)")
                    continue
                if not 0 <= coding.start < coding.end <= len(text):
                    left_out.append(f"coding {coding.id} on {transcript.name}: positions {coding.start}-{coding.end} are outside the text")
                    continue
                stamp, user, guid = _stamp(coding.created_at), _attribute(coder_guid[coding.coder_id]), _attribute(coding.guid)
                refs = list(memo_refs.get(("coding", coding.id), []))
                if coding.memo and coding.memo.strip():
                    own = derived_guid("coding-memo", coding.guid)
                    writer = memo_writers.get(coding.guid)
                    written_by, written_at = (writer.coder_id, writer.at) if writer else (coding.coder_id, coding.created_at)
                    notes.append(_note(own, UNTITLED_NOTE, coding.memo, coder_guid[written_by], written_at))
                    refs.append(own)
                dated = f' creationDateTime="{stamp}"' if stamp else ""
                code_ref = f'<CodeRef targetGUID="{_attribute(code_guids[coding.code_id])}"/>'
                note_refs = "".join(f'<NoteRef targetGUID="{_attribute(note_guid)}"/>' for note_guid in refs)
                selections.append(
                    f'<PlainTextSelection startPosition="{coding.start}" creationDateTime="{stamp or "1970-01-01T00:00:00"}" '
                    f'guid="{derived_guid("selection", coding.guid)}" creatingUser="{user}" endPosition="{coding.end}">'
                    f'<Coding guid="{guid}" creatingUser="{user}"{dated}>{code_ref}{note_refs}</Coding></PlainTextSelection>'
                )
                exported_codings.add(coding.id)
                coding_count += 1
            if selections:
                source.extend(etree.fromstring(f'<TextSource xmlns="{PROJECT_NS}">{"".join(selections)}</TextSource>'))
            for note_guid in memo_refs.get(("transcript", transcript.id), []):
                etree.SubElement(source, f"{P}NoteRef", {"targetGUID": note_guid})
            _variable_values(source, source_values.get(transcript.id, []), variables)

    orphan_notes = {
        note_guid for (kind, target_id), guids in memo_refs.items()
        if kind == "coding" and target_id not in exported_codings for note_guid in guids
    }
    if orphan_notes:
        one = len(orphan_notes) == 1
        left_out.append(f"{counted(len(orphan_notes), 'memo')} on {'a coding that is' if one else 'codings that are'} not exported")
        notes = [note for note in notes if note.get("guid") not in orphan_notes]
    if notes:
        holder = etree.SubElement(root, f"{P}Notes")
        for note in notes:
            holder.append(note)
    for note_guid in project_refs:
        etree.SubElement(root, f"{P}NoteRef", {"targetGUID": note_guid})

    document = serialise_valid(root, "the project export")
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_member(archive, "project.qde", document)
        for transcript in transcripts:
            assert transcript.current_version_id is not None
            _write_member(archive, f"sources/{transcript.guid}.txt", texts[transcript.current_version_id].encode("utf-8"))
    return QdpxContent(package.getvalue(), len(transcripts), coding_count, len(notes), len(participants), left_out)


def _attribute(value: str) -> str:
    """A value for an attribute written as XML text between double quotes."""
    if STORED_GUID.fullmatch(value):
        return value  # nothing to escape: almost every value written this way
    return escape(xml_text(value), {'"': "&quot;"})


def _dated(attributes: dict[str, str], moment: datetime | None) -> dict[str, str]:
    stamp = _stamp(moment)
    return {**attributes, "creationDateTime": stamp} if stamp else attributes


def _note(guid: str, name: str, text: str, author: str | None, created: datetime | None) -> etree._Element:
    from lxml import etree

    attributes = _dated({"name": xml_text(name)}, created)
    if author:
        attributes["creatingUser"] = author
    note = etree.Element(f"{P}Note", {**attributes, "guid": guid})
    etree.SubElement(note, f"{P}PlainTextContent").text = xml_text(text)
    return note


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _variable_values(parent: etree._Element, values: Iterable[tuple[tuple[str, str], str]], variables: _Variables) -> None:
    from lxml import etree

    for key, value in values:
        holder = etree.SubElement(parent, f"{P}VariableValue")
        etree.SubElement(holder, f"{P}VariableRef", {"targetGUID": variables.guid(key)})
        refi_type = variables.refi_type(key)
        etree.SubElement(holder, f"{P}{refi_type}Value").text = xml_text(value)


def _typed_attributes(
    session: Session, model: type[TranscriptAttribute] | type[ParticipantAttribute], owner: InstrumentedAttribute[int],
) -> dict[int, list[tuple[str, str, str]]]:
    """Each transcript's or participant's typed attributes: (name, value type, stored value), by name."""
    found: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for owner_id, attribute, attribute_type, stored in session.execute(
        select(owner, AttributeDefinition.name, AttributeDefinition.value_type, model.value)
        .join(AttributeDefinition, model.definition_id == AttributeDefinition.id)
        .order_by(AttributeDefinition.name, model.id)
    ):
        found[owner_id].append((attribute, attribute_type, stored))
    return found


def _transcript_values(
    session: Session, transcripts: list[Transcript], variables: _Variables,
) -> dict[int, list[tuple[tuple[str, str], str]]]:
    extra = _typed_attributes(session, TranscriptAttribute, TranscriptAttribute.transcript_id)
    values: dict[int, list[tuple[tuple[str, str], str]]] = defaultdict(list)
    for transcript in transcripts:
        fields: list[tuple[str, str, object]] = [
            (label, "date" if column == "interview_date" else "text", getattr(transcript, column)) for label, column in TRANSCRIPT_FIELDS
        ]
        for name, value_type, value in [*fields, *extra.get(transcript.id, [])]:
            added = variables.add("transcript", name, value_type, value)
            if added:
                values[transcript.id].append(added)
    return values


def _speaker_labels(session: Session, transcripts: list[Transcript]) -> dict[int, str]:
    """Each transcript's speaker labels and the participant each is, as the SPEAKERS_VARIABLE's value."""
    current = {transcript.current_version_id: transcript.id for transcript in transcripts}
    names = dict(session.execute(select(Participant.id, Participant.name)).all())
    found: dict[int, dict[str, str]] = defaultdict(dict)
    exported = set(current.values())
    for transcript_id, label, participant_id in session.execute(
        select(TranscriptParticipant.transcript_id, TranscriptParticipant.speaker_label, TranscriptParticipant.participant_id)
        .where(TranscriptParticipant.speaker_label.is_not(None))
    ):
        if transcript_id in exported:
            found[transcript_id][label or ""] = names[participant_id]
    for version_id, label, speaker_id in session.execute(
        select(Turn.text_version_id, Turn.speaker, Turn.participant_id).where(Turn.participant_id.is_not(None)).distinct()
    ):
        if version_id in current and speaker_id is not None:
            found[current[version_id]][label or ""] = names[speaker_id]
    return {
        transcript_id: "\n".join(f"{label} = {name}".strip() for label, name in sorted(labels.items()))
        for transcript_id, labels in found.items()
    }


def _turn_times(session: Session, transcripts: list[Transcript]) -> dict[int, str]:
    """Each transcript's turn times, where its turns have any, as the TURN_TIMES_VARIABLE's value."""
    current = {transcript.current_version_id: transcript.id for transcript in transcripts}
    turns: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for version_id, seq, timestamp in session.execute(
        select(Turn.text_version_id, Turn.seq, Turn.timestamp_ms).where(Turn.text_version_id.in_([v for v in current if v is not None]))
        .order_by(Turn.text_version_id, Turn.seq)
    ):
        turns[version_id].append((seq, timestamp))
    found: dict[int, str] = {}
    for version_id, timed in turns.items():
        lines = []
        for seq, timestamp in timed:
            if timestamp is not None:
                seconds, milliseconds = divmod(timestamp, 1000)
                minutes, seconds = divmod(seconds, 60)
                hours, minutes = divmod(minutes, 60)
                lines.append(f"turn {seq + 1} of {len(timed)} at {hours}:{minutes:02}:{seconds:02}.{milliseconds:03}")
        if lines:
            found[current[version_id]] = "\n".join(lines)
    return found


def turn_times(value: str) -> tuple[int, dict[int, int], list[str]]:
    """The TURN_TIMES_VARIABLE's value read back: how many turns it was written for, each turn's time
    (by seq) in ms, and the times that are none (minutes or seconds past 59, in a hand-edited file),
    which give their turn no time rather than one past what was written."""
    count, found, unread = 0, {}, []
    for match in TURN_TIME.finditer(value):
        number, total, hours, minutes, seconds, milliseconds = (int(part) for part in match.groups())
        count = total
        if minutes > 59 or seconds > 59:
            unread.append(match.group(0))
            continue
        found[number - 1] = ((hours * 60 + minutes) * 60 + seconds) * 1000 + milliseconds
    return count, found, unread


def speaker_labels(value: str) -> dict[str, str]:
    """The SPEAKERS_VARIABLE's value read back: each speaker label and the case name it is."""
    found: dict[str, str] = {}
    for line in value.splitlines():
        label, equals, name = line.partition("=")
        if equals and name.strip():
            found[label.strip()] = name.strip()
    return found


def _participant_values(
    session: Session, transcripts: list[Transcript], variables: _Variables,
) -> tuple[dict[int, list[tuple[tuple[str, str], str]]], dict[int, set[int]]]:
    extra = _typed_attributes(session, ParticipantAttribute, ParticipantAttribute.participant_id)
    values: dict[int, list[tuple[tuple[str, str], str]]] = defaultdict(list)
    for participant in session.scalars(select(Participant).order_by(Participant.id)):
        fields: list[tuple[str, str, object]] = [(label, "text", getattr(participant, column)) for label, column in PARTICIPANT_FIELDS]
        for name, value_type, value in [*fields, *extra.get(participant.id, [])]:
            added = variables.add("participant", name, value_type, value)
            if added:
                values[participant.id].append(added)
    exported = {transcript.id for transcript in transcripts}
    current = {transcript.current_version_id: transcript.id for transcript in transcripts}
    sources: dict[int, set[int]] = defaultdict(set)
    for transcript_id, participant_id in session.execute(
        select(TranscriptParticipant.transcript_id, TranscriptParticipant.participant_id)
    ):
        if transcript_id in exported:
            sources[participant_id].add(transcript_id)
    for version_id, speaker_id in session.execute(
        select(Turn.text_version_id, Turn.participant_id).where(Turn.participant_id.is_not(None)).distinct()
    ):
        if version_id in current and speaker_id is not None:
            sources[speaker_id].add(current[version_id])
    return values, sources


@without_collections()  # a project's thousands of selections, codings and rows hold no cycles
def export_qdpx(
    session: Session, project_root: Path, output: Path | None, force: bool, key: PseudonymKey | None,
) -> QdpxExport:
    """Write the project as `.qdpx` (by default exports/prosjekt-<date>.qdpx), validated and leak-checked first."""
    # The name the project was given, which the key cleans like any typed text, rather than its
    # folder's, which may name someone ("Kari Nordmann studie") and is never rewritten.
    content = build_qdpx(session, get_setting(session, "project.name") or project_root.name)
    path = export_path(project_root, output, "prosjekt", ".qdpx", force)
    path, warnings = publish_checked(path, content.data, key, numbered=output is None, overwrite=force,
                                     remember=remembering(session))
    return QdpxExport(path, content.sources, content.codings, content.notes, content.cases, content.left_out,
                      warnings + _not_carried(session) + codes_not_carried(session))


def _not_carried(session: Session) -> list[str]:
    """What REFI-QDA has no place for, said rather than lost unseen: a coder's role (a user is a
    name), which memos are reviewers' comments (a note is a note), framework summaries and
    consensus decisions. A summary would fit a Note only if the note could name its case too, and
    Project.xsd gives a Case no NoteRef; a decision is between two coders' codings, which nothing in
    the schema relates."""
    # Each role but a researcher's is lost: a medforsker (of the team, who codes) and a reviewer (who
    # only commented on a draft) both come back as plain users, read as researchers.
    roles: dict[str, int] = {role: count for role, count in session.execute(
        select(Coder.role, func.count()).where(Coder.role.in_(("medforsker", REVIEWER))).group_by(Coder.role))}
    comments = session.scalar(
        select(func.count()).select_from(Memo).where(Memo.source.like("review:%"), Memo.removed_at.is_(None))
    ) or 0
    said = []
    if roles:
        who = [counted(count, role, "medforskere" if role == "medforsker" else None)
               for role in ("medforsker", REVIEWER) if (count := roles.get(role))]
        users = "a plain user" if sum(roles.values()) == 1 else "plain users"
        said.append(f"{' and '.join(who)} written as {users}: REFI-QDA keeps no coder's role")
    if comments:
        comment = counted(comments, "reviewer's comment")
        said.append(f"{comment} written as plain notes: REFI-QDA keeps no mark of a review"
                    " (`qualcode review list` lists them here)")
    summaries = session.scalar(
        select(func.count()).select_from(FrameworkSummary).where(FrameworkSummary.removed_at.is_(None))
    ) or 0
    if summaries:
        said.append(f"{counted(summaries, 'framework summary', 'framework summaries')} not carried: REFI-QDA has no place"
                    f" for a summary of a participant under a code; {'it stays' if summaries == 1 else 'they stay'} in this"
                    " project (`qualcode framework show`)")
    decisions = standing_decisions(session)
    if decisions:
        said.append(f"{counted(decisions, 'consensus decision')} not carried: REFI-QDA has no place for a decision between"
                    f" two coders (the codings a decision made are written as {CONSENSUS_CODER}'s, a decision to keep neither"
                    f" not at all), so an import finds {'it' if decisions == 1 else 'them'} undecided;"
                    f" {'it stays' if decisions == 1 else 'they stay'} in this project (`qualcode consensus list --transcript NAME`)")
    return said
