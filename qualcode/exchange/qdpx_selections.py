"""The coded passages of a .qdpx's sources: its PlainTextSelections and TranscriptSelections, each with
its codings and notes."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from qualcode.exchange.codebook_qdc import normal_guid
from qualcode.exchange.qdpx_elements import children_named, describe, local_name
from qualcode.exchange.qdpx_notes import description_note
from qualcode.exchange.qdpx_package import QdpxCoding, QdpxSelection
from qualcode.exchange.qdpx_values import moment

if TYPE_CHECKING:
    from lxml import etree

    from qualcode.exchange.qdpx_reader import QdpxReader


def sync_points(reader: QdpxReader, transcript: etree._Element) -> dict[str, int]:
    """Each SyncPoint's GUID -> its position, a character of the transcript's text; one without a whole number is a problem."""
    found: dict[str, int] = {}
    for point in children_named(transcript, "SyncPoint"):
        guid = normal_guid(point.get("guid"))
        try:
            position = int(point.get("position") or "")
        except ValueError:
            reader.package.problems.append(f"{describe(point)}: its position is not a whole number; selections from or to it are skipped")
            continue
        if guid is not None:
            found[guid] = position
    return found


def transcript_span(reader: QdpxReader, selection: etree._Element, syncpoints: dict[str, int]) -> tuple[int, int] | None:
    """A TranscriptSelection's start and end: the positions of the SyncPoints it runs from and to."""
    ends = [syncpoints.get(normal_guid(selection.get(side)) or "") for side in ("fromSyncPoint", "toSyncPoint")]
    if ends[0] is None or ends[1] is None:
        reader.package.problems.append(f"{describe(selection)}: fromSyncPoint or toSyncPoint is no SyncPoint of its transcript; skipped")
        return None
    return ends[0], ends[1]


def read_selection(reader: QdpxReader, element: etree._Element, span: tuple[int, int] | None = None) -> QdpxSelection | None:
    """A PlainTextSelection, or a TranscriptSelection running over `span` (its SyncPoints' positions)."""
    guid = reader.guid(element)
    if guid is None:
        return None
    try:
        start, end = span or (int(element.get("startPosition") or ""), int(element.get("endPosition") or ""))
    except ValueError:
        reader.package.problems.append(f"{describe(element)}: startPosition/endPosition are not whole numbers; skipped")
        return None
    codings = []
    user = normal_guid(element.get("creatingUser"))
    made = element.get("creationDateTime")  # for a Coding whose own moment is missing or unreadable
    # lxml picks out the children of each kind: a project may hold 100,000 selections, and reading
    # each child's tag to tell the kinds apart costs more than the reading itself.
    notes = reader.refs(element, "NoteRef")
    for child in element.iterchildren("{*}Coding"):
        coding_guid = reader.guid(child)
        ref = next(child.iterchildren("{*}CodeRef"), None)
        code = normal_guid(ref.get("targetGUID")) if ref is not None else None
        if coding_guid is None:
            continue
        if code is None:
            reader.package.problems.append(f"{describe(child)}: no CodeRef; skipped")
            continue
        codings.append(QdpxCoding(
            coding_guid, code, normal_guid(child.get("creatingUser")) or user, tuple(reader.refs(child, "NoteRef")),
            moment(child.get("creationDateTime"), reader.now) or moment(made, reader.now),
        ))
    # A selection's description is the memo of what it holds: the first coding's own memo (as QualCoder
    # reads and writes it), else a note on the selection, named by the passage, as ATLAS.ti names a quotation.
    if codings:
        first = codings[0]
        described = description_note(reader, element, "coding-memo", first.guid)
        if described is not None:
            reader.package.own_memos.add(described)
            if described not in first.notes:
                codings[0] = replace(first, notes=(described, *first.notes))
    else:
        described = description_note(reader, element, "selection-description", guid, element.get("name"))
        notes = [*([described] if described else []), *notes]
    return QdpxSelection(guid, element.get("name"), start, end, user, tuple(codings), tuple(notes), local_name(element))
