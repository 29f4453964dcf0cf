"""The notes of a .qdpx: its <Notes>, what an element's <Description> says as a note made for it,
and the Links that put a note on a passage, source or code."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, cast

from qualcode.exchange.codebook_qdc import normal_guid
from qualcode.exchange.qdpx_elements import (
    SHOWN,
    child_named,
    child_text,
    children_named,
    describe,
    local_name,
)
from qualcode.exchange.qdpx_package import QdpxCode, QdpxNote, QdpxSource
from qualcode.exchange.qdpx_values import moment
from qualcode.text.normalise import shortened

if TYPE_CHECKING:
    from lxml import etree

    from qualcode.exchange.qdpx_reader import QdpxReader


def read_notes(reader: QdpxReader, element: etree._Element) -> None:
    """The <Notes> of the project, each with its text, inline or in a part of the package."""
    for note in children_named(element, "Note"):
        guid = reader.guid(note)
        # A note with no text at all is an empty note (listed as skipped on import), not a missing one. Its text
        # may be only a .docx, as a source's may (the schema's TextSource type is a note's too): read as a source's is.
        empty = child_named(note, "PlainTextContent") is None and not note.get("plainTextPath") and not note.get("richTextPath")
        text = ("", "txt", False) if guid is not None and empty else reader.plain_text(note) if guid is not None else None
        if guid is not None and text is not None:
            written = text[0]
            description = child_text(note, "Description")
            if description is not None and description.strip():
                # What the note is about (ATLAS.ti's comment on a memo) opens it: a memo is one text.
                written = f"{description.strip()}\n\n{written}" if written.strip() else description
                reader.package.deviations.append(f"{describe(note)}: its description is kept as the first paragraph of its memo")
            reader.package.notes[guid] = _note(reader, note, guid, note.get("name"), written)


def description_note(reader: QdpxReader, element: etree._Element, kind: str, owner: str, title: str | None = None) -> str | None:
    """The GUID of a note holding what `element`'s <Description> says, made for it (derived from `kind`
    and its owner's GUID, so the same file gives the same note); None where it says nothing.

    Programs write a memo there: QualCoder a file's, a case's, a coding's and the project's, ATLAS.ti
    a document's and a quotation's comment; as a note it is reviewed, pseudonymised and attached as any note is."""
    text = child_text(element, "Description")
    if text is None or not text.strip():
        return None
    from qualcode.exchange.project_export import derived_guid

    guid = derived_guid(kind, owner)
    reader.package.notes.setdefault(guid, _note(reader, element, guid, title, text))
    return guid


def _note(reader: QdpxReader, element: etree._Element, guid: str, title: str | None, text: str) -> QdpxNote:
    """A note with `text`, by whoever `element` says made it and when."""
    return QdpxNote(guid, title, text, normal_guid(element.get("creatingUser")), moment(element.get("creationDateTime"), reader.now))


# What a linked note is put on, when it was read.
_TAKE_NOTES = frozenset({"PlainTextSelection", "TextSource", "Transcript", "Code"})


def read_link(reader: QdpxReader, link: etree._Element) -> None:
    """A <Link>: its note put on the passage, source or code it ties it to (note_linked); else what is wrong with
    it (an end that is no GUID, or nothing in the file), or that qualcode keeps nothing of it, said as that."""
    package = reader.package
    if local_name(link) != "Link":
        package.skipped.append(f"{describe(link)}: qualcode has no links")
        return
    written = {end: link.get(end) for end in ("originGUID", "targetGUID")}
    ends = [normal_guid(value) for value in written.values()]
    bad = [f"{'no' if value is None else 'a malformed'} {end}" for (end, value), guid in zip(written.items(), ends, strict=True) if guid is None]
    if bad:
        package.problems.append(f"{describe(link)}: {' and '.join(bad)}; skipped")
        return
    if note_linked(reader, link):
        return
    notes = [package.notes[end] for end in ends if end in package.notes]
    # A note linked to nothing the project can hold is read as though the link were not there: a memo on the project
    # unless something else refers to it.
    without = f"; its note {shortened(notes[0].title or notes[0].text, SHOWN)!r} comes in without it" if notes else ""
    absent = [end for end in dict.fromkeys(ends) if end is not None and reader.element_of(end, link) is None]
    if absent:
        package.problems.append(f"{describe(link)}: links to {' and '.join(absent)}, which no element of the file has as its GUID;"
                                f" skipped{without}")
        return
    others = [cast("etree._Element", reader.element_of(end, link)) for end in ends if end is not None and end not in package.notes]
    if notes and others:
        # A passage, text or code takes a note here: one the link does not reach was itself left out, and said so.
        why = "which was left out (see the line about it)" if local_name(others[0]) in _TAKE_NOTES else "which qualcode keeps no notes on"
        package.skipped.append(f"{describe(link)}: ties a note to {describe(others[0])}, {why}{without}")
        return
    package.skipped.append(f"{describe(link)}: qualcode has no links")


def note_linked(reader: QdpxReader, link: etree._Element) -> bool:
    """Whether `link` ties a note to a passage, source or code the file holds, and the note is now on it.

    NVivo writes an annotation as a PlainTextSelection without a coding and a Link from its Note to it;
    ATLAS.ti links a memo to a quotation so: the link is where the note belongs, not the project."""
    package = reader.package
    ends = [normal_guid(link.get("originGUID")), normal_guid(link.get("targetGUID"))]
    if local_name(link) != "Link" or None in ends:
        return False
    note, other = (ends[0], ends[1]) if ends[0] in package.notes else (ends[1], ends[0]) if ends[1] in package.notes else (None, None)
    if note is None or other is None:
        return False
    if reader.linkable is None:  # found once: NVivo may link thousands of annotations among 50,000 selections
        reader.linkable = {code.guid: code for code in package.walk_codes()}
        for source in package.sources:
            reader.linkable[source.guid] = source
            reader.linkable.update({chosen.guid: (source, index) for index, chosen in enumerate(source.selections)})
    found = reader.linkable.get(other)
    if isinstance(found, tuple):
        source, index = found
        chosen = source.selections[index]
        source.selections[index] = replace(chosen, notes=(*chosen.notes, note))
        package.deviations.append(f"{describe(link)}: read as its note on {chosen.name or 'a passage'!r} in {source.name}")
    elif isinstance(found, QdpxSource):
        found.notes.append(note)
        package.deviations.append(f"{describe(link)}: read as its note on {found.name}")
    elif isinstance(found, QdpxCode):
        found.notes.append(note)
        package.deviations.append(f"{describe(link)}: read as its note on the code {found.name}")
    return found is not None
