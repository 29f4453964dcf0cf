"""The sources of a .qdpx that qualcode can hold: text sources, a PDF's plain text and a recording's
transcripts, each with its text as the other program counted positions in it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.exchange.codebook_qdc import normal_guid, written_by
from qualcode.exchange.positions import settle_positions
from qualcode.exchange.qdpx_cases import variable_values
from qualcode.exchange.qdpx_elements import child_named, children_named, describe, local_name
from qualcode.exchange.qdpx_notes import description_note
from qualcode.exchange.qdpx_package import QdpxSource
from qualcode.exchange.qdpx_selections import read_selection, sync_points, transcript_span

if TYPE_CHECKING:
    from lxml import etree

    from qualcode.exchange.qdpx_reader import QdpxReader

UNSUPPORTED_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
UNSUPPORTED_SELECTIONS = ("PictureSelection", "PDFSelection", "AudioSelection", "VideoSelection", "TranscriptSelection")
# A recording whose <Transcript> is the interview's text: QualCoder writes a transcribed recording only so.
MEDIA_SOURCES = ("AudioSource", "VideoSource")


def read_sources(reader: QdpxReader, element: etree._Element, variables: dict[str, tuple[str, str]]) -> None:
    """The <Sources>: each text source, with its coded passages, into the package; what qualcode cannot hold listed as skipped."""
    reader.text_paths = {_internal_path(source.get("plainTextPath")): source.get("name") or "" for source in children_named(element, "TextSource")
                         if source.get("plainTextPath")}
    for source in element:
        _read_source(reader, source, variables)


def _read_source(reader: QdpxReader, element: etree._Element, variables: dict[str, tuple[str, str]]) -> None:
    package = reader.package
    kind = local_name(element)
    if kind in UNSUPPORTED_SOURCES or kind == "TextSource":
        package.sources_found += 1
    representation = child_named(element, "Representation") if kind == "PDFSource" else None
    if representation is not None and (child_named(representation, "PlainTextContent") is not None or representation.get("plainTextPath")):
        # A PDF with the plain text the other program coded it in: that text is the source, its graphic selections are not.
        guid = reader.guid(element)
        if guid is not None:
            _read_text_source(reader, representation, element, guid, variables)
        return
    transcripts = children_named(element, "Transcript") if kind in MEDIA_SOURCES else []
    if transcripts:
        _read_transcripts(reader, element, transcripts, variables)
        return
    if kind in UNSUPPORTED_SOURCES:
        package.skipped.append(f"{describe(element)}: qualcode holds text sources only")
        for selection in element.iter():
            if local_name(selection) in UNSUPPORTED_SELECTIONS:
                package.skipped.append(f"{describe(selection)} in {element.get('name') or kind}: not a text selection")
        return
    if kind != "TextSource":
        reader.skip_unknown(element)
        return
    guid = reader.guid(element)
    if guid is not None:
        _read_text_source(reader, element, element, guid, variables)


def _internal_path(path: str | None) -> str:
    """An internal:// path as the part it names, compared in any case."""
    return (path or "").partition("://")[2].lstrip("/").lower()


def _read_transcripts(
    reader: QdpxReader, element: etree._Element, transcripts: list[etree._Element], variables: dict[str, tuple[str, str]],
) -> None:
    """An audio or video source's transcripts, each a text source with its coded passages (TranscriptSelections,
    from one SyncPoint's position to another's); the recording and its time-coded selections are left out.

    The recording's own notes, description and variables go with its first transcript: the interview's."""
    package = reader.package
    package.skipped.append(f"{describe(element)}: the recording itself, as qualcode holds text sources only")
    for selection in element.iterchildren():
        if local_name(selection) in UNSUPPORTED_SELECTIONS:
            package.skipped.append(f"{describe(selection)} in {element.get('name') or local_name(element)}: not a text selection")
    first = True
    for transcript in transcripts:
        # ATLAS.ti lists a transcript's text also as a TextSource of its own: that is the one read, once.
        path = _internal_path(transcript.get("plainTextPath"))
        same = reader.text_paths.get(path) if path else None
        if same is not None and child_named(transcript, "TranscriptSelection") is None:
            package.deviations.append(f"{describe(transcript)}: the same text as TextSource {same!r}, read once, as that")
            continue
        guid = reader.guid(transcript)
        if guid is not None and _read_text_source(reader, transcript, element, guid, variables, with_owner=first):
            first = False


def _read_text_source(
    reader: QdpxReader, element: etree._Element, owner: etree._Element, guid: str, variables: dict[str, tuple[str, str]],
    with_owner: bool = True,
) -> bool:
    """The text source `element` (a TextSource, the Representation of `owner`, a PDFSource, or a Transcript of
    `owner`, a recording) under the owner's GUID and name (a transcript's own); whether it could be read.
    `with_owner`: whether the owner's notes, description and variables are this text's."""
    package = reader.package
    read = reader.plain_text(element)
    if read is None:
        return False
    text, source_format, normalised = read
    media = local_name(owner) in MEDIA_SOURCES
    # A recording may have two transcripts (ATLAS.ti's "- Audio", "- Visual"): each is named by its own name.
    named = [element, owner] if media else [owner, element]
    name = (next((written.strip() for holder in named if (written := holder.get("name")) and written.strip()), "")
            or Path(element.get("plainTextPath") or element.get("richTextPath") or guid).name)
    holders = ([owner] if owner is element else [owner, element]) if with_owner else [element]
    # A document's memo (QualCoder) or comment (ATLAS.ti), then the notes referred to.
    described = [description_note(reader, holder, "source-description", holder.get("guid") or guid) for holder in holders]
    source = QdpxSource(
        guid, _transcript_name(name), text, source_format,
        notes=[*(note for note in described if note), *(note for holder in holders for note in reader.refs(holder, "NoteRef"))],
        variables={key: value for holder in holders for key, value in variable_values(reader, holder, variables).items()},
        normalised=normalised,
    )
    known = {"Description", "PlainTextContent", "NoteRef", "VariableValue", "Representation", "SyncPoint", "Transcript"}
    # A recording's own children (its time-coded selections) were said of it once, not of each transcript.
    syncpoints = sync_points(reader, element) if media else {}
    for child in [*element, *(owner if owner is not element and not media else [])]:
        child_kind = local_name(child)
        selection = None
        if child_kind == "PlainTextSelection" and child.getparent() is element:
            selection = read_selection(reader, child)
        elif child_kind == "TranscriptSelection" and media:
            span = transcript_span(reader, child, syncpoints)
            selection = read_selection(reader, child, span) if span is not None else None
        elif child_kind == "Coding":
            package.skipped.append(f"{describe(child)} on the whole of {name}: qualcode codes passages, not whole sources")
        elif child_kind in UNSUPPORTED_SELECTIONS:
            package.skipped.append(f"{describe(child)} in {name}: not a text selection")
        elif child_kind not in known:
            reader.skip_unknown(child, name)
        if selection is not None:
            source.selections.append(selection)
            if not selection.codings:  # ATLAS.ti's quotation without a code, MAXQDA's comment on a passage
                package.skipped.append(
                    f"{describe(child)} in {name}: no coding, and qualcode keeps coded passages only"
                    + ("; what is written on it is kept as memos on the transcript" if selection.notes else "")
                )
    inline = child_named(element, "PlainTextContent") is not None
    # Only qualcode's own export counts in code points of LF text for sure, and any file may say qualcode
    # wrote it (QualCoder's "Qualcoder-1.4" is another program's): its positions are taken as written only
    # where the source is as qualcode writes one, else read as counted, as every other program's are.
    reading = None if _as_qualcode_writes(reader, source) else settle_positions(source, package.file_name, inline, package.problems)
    if reading is not None and (reading.pairs is not None or not reading.line_ends_kept):
        package.deviations.append(
            f"{describe(owner)}: its positions count {reading.unit}"
            + ("" if reading.line_ends_kept else " in its text without the CRs of its Windows line ends") + "; read as such"
        )
    if media:
        package.deviations.append(f"{describe(owner)}: its transcript {source.name!r} read as a text source; the recording itself is left out")
    elif owner is not element:
        package.deviations.append(f"{describe(owner)}: read as the plain text of its Representation; the PDF itself is left out")
    package.sources.append(source)
    return True


def _as_qualcode_writes(reader: QdpxReader, source: QdpxSource) -> bool:
    """Whether `source` is as qualcode's own export writes one, in a file that says qualcode wrote it:
    its text without a CR (qualcode stores and writes LF) and each selection holding one coding, under
    the GUID the export derives from that coding's. A program's positions are read by looking at
    where its selections fall, which would misread qualcode's own codings that begin inside a word."""
    if not written_by(reader.package.origin, "qualcode") or "\r" in source.text:
        return False
    from qualcode.exchange.project_export import derived_guid

    return all(len(chosen.codings) == 1 and chosen.guid == derived_guid("selection", chosen.codings[0].guid)
               for chosen in source.selections)


def _transcript_name(name: str) -> str:
    """A source's name as a transcript name: without a text file's suffix, a recording's (QualCoder names a
    recording's transcript "intervju.mp3.transcribed") or a GUID's braces."""
    stem = re.sub(r"\.transcribed$", "", name, flags=re.IGNORECASE)
    stem = re.sub(r"\.(txt|docx|rtf|md|pdf|mp3|m4a|wav|ogg|wma|aac|flac|mp4|mov|avi|wmv|mkv|m4v)$", "", stem, flags=re.IGNORECASE)
    guid = normal_guid(stem)
    return f"kilde-{guid[:8]}" if guid else stem
