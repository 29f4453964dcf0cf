"""Reading a REFI-QDA project (.qdpx) into plain data, liberally, without touching a project.

What cannot be read safely (a hostile or broken zip, XML with a DTD, no project.qde) is refused
with an UnreadableFile. Everything else is read as far as it goes: what breaks the schema is
listed as a deviation, what qualcode cannot hold (PDF, picture, audio and video sources and their
selections, links, graphs, sets, unknown elements) as skipped, and what refers to nothing or
repeats a GUID as a problem, each with its element, name and GUID.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import UnreadableFile
from qualcode.exchange.codebook_qdc import normal_guid, written_by
from qualcode.exchange.positions import settle_positions
from qualcode.exchange.qdpx_cases import (
    read_cases,
    read_set,
    read_variables,
    settle_variables,
    variable_values,
)
from qualcode.exchange.qdpx_codes import read_codes
from qualcode.exchange.qdpx_elements import (
    SHOWN,
    child_named,
    children_named,
    describe,
    local_name,
)
from qualcode.exchange.qdpx_notes import description_note, note_linked, read_notes
from qualcode.exchange.qdpx_package import (
    QdpxCoding,
    QdpxPackage,
    QdpxSelection,
    QdpxSource,
    QdpxUser,
)
from qualcode.exchange.qdpx_reader import QdpxReader
from qualcode.exchange.qdpx_values import moment
from qualcode.exchange.schema import PROJECT_NS, schema_problems
from qualcode.garbage import without_collections
from qualcode.text.normalise import shortened
from qualcode.untrusted import (
    QDPX_LIMITS,
    open_package,
    parse_xml,
    read_member,
    refuse_parts_named_twice,
)

if TYPE_CHECKING:
    from lxml import etree

# Beyond this many schema deviations the summary says how many more, not each one.
SHOWN_DEVIATIONS = 20
UNSUPPORTED_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
UNSUPPORTED_SELECTIONS = ("PictureSelection", "PDFSelection", "AudioSelection", "VideoSelection", "TranscriptSelection")
# A recording whose <Transcript> is the interview's text: QualCoder writes a transcribed recording only so.
MEDIA_SOURCES = ("AudioSource", "VideoSource")


_INLINE_TEXT = re.compile(rb"(<(?:[\w.-]+:)?PlainTextContent(?:\s[^>]*)?>)([^<]*(?:<!\[CDATA\[.*?\]\]>[^<]*)*)(</)", re.DOTALL)


# What a UTF-16 document begins with: a byte order mark, or "<" in either byte order.
_UTF16_STARTS = ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"), (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"))
_DECLARED_ENCODING = re.compile(r"""\A(<\?xml[^>]*?\sencoding\s*=\s*)(["'])[^"']*\2""")


def _as_utf8(data: bytes) -> bytes:
    """project.qde written in UTF-16, as XML allows, as UTF-8 saying so; other documents as they are."""
    for start, encoding in _UTF16_STARTS:
        if data.startswith(start):
            try:
                text = data.decode(encoding).removeprefix("\ufeff")
            except UnicodeDecodeError:
                return data  # the parser says what is wrong with it
            return _DECLARED_ENCODING.sub(r'\1"utf-8"', text, count=1).encode("utf-8")
    return data


def kept_carriage_returns(data: bytes) -> bytes:
    """project.qde with each carriage return in a PlainTextContent written as a reference, which the
    XML parser keeps where it drops a literal one: the other program may have counted them. A
    document in UTF-16 is read as UTF-8 first, so its CRs are found as a UTF-8 document's are."""
    data = _as_utf8(data)
    if b"\r" not in data:
        return data

    def escaped(match: re.Match[bytes]) -> bytes:
        content = re.sub(rb"<!\[CDATA\[.*?\]\]>", lambda cdata: cdata.group().replace(b"\r", b"]]>&#13;<![CDATA["),
                         match.group(2), flags=re.DOTALL)
        parts = re.split(rb"(<!\[CDATA\[.*?\]\]>)", content, flags=re.DOTALL)
        content = b"".join(part if part.startswith(b"<![CDATA[") else part.replace(b"\r", b"&#13;") for part in parts)
        return match.group(1) + content + match.group(3)

    return _INLINE_TEXT.sub(escaped, data)


@without_collections()  # a project's thousands of selections, codings and rows hold no cycles
def read_qdpx(path: Path) -> QdpxPackage:
    """Read a .qdpx file; refuse it (UnreadableFile) only when it cannot be read safely."""
    if path.is_dir():
        raise UnreadableFile(f"{path} is a directory, not a .qdpx file", "give the .qdpx file itself")
    if not path.is_file():
        raise UnreadableFile(f"{path} does not exist", "check the path")
    with path.open("rb") as handle, open_package(handle, path.name, QDPX_LIMITS, refuse_named_twice=False) as archive:
        # Before anything is parsed. project.qde is found in any case, so two in other cases are one name twice.
        refuse_parts_named_twice(archive, path.name, folded=("project.qde",))
        project_member = _project_member(archive.namelist(), path.name)
        root = parse_xml(kept_carriage_returns(read_member(archive, project_member, path.name)), f"{path.name}: {project_member}", QDPX_LIMITS)
        if local_name(root) != "Project":
            raise UnreadableFile(f"{path.name}: {project_member} holds a <{local_name(root)}>, not a REFI-QDA <Project>")
        package = QdpxPackage(path.name, root.get("name") or path.stem, (root.get("origin") or "").strip())
        if project_member.lower() != "project.qde":
            package.deviations.append(f"the project is in {project_member}, not project.qde; read anyway")
        problems = schema_problems(root)
        namespace = root.tag.partition("}")[0].lstrip("{")
        if namespace != PROJECT_NS:
            package.deviations.append(f"project.qde is in namespace {namespace or '(none)'}, not {PROJECT_NS}; read anyway")
        else:
            package.deviations += [f"schema: {problem}" for problem in problems[:SHOWN_DEVIATIONS]]
            if len(problems) > SHOWN_DEVIATIONS:
                package.deviations.append(f"schema: … and {len(problems) - SHOWN_DEVIATIONS} more")
        names = archive.namelist()
        if any(name.lower().startswith("sources/") and not name.startswith("sources/") for name in names):
            package.deviations.append("the sources folder is not named `sources/` in lower case")
        reader = QdpxReader(archive, package)
        reader.origin = (root.get("origin") or "").strip()
        _read_project(reader, root)
    return package


def _project_member(names: list[str], file_name: str) -> str:
    """The package's project.qde, in any case; else its one .qde beside it, as ATLAS.ti names it after
    the project ("Intervjuer.qde"). None, or several, is no project qualcode can tell."""
    by_lower = {name.lower(): name for name in names}
    if "project.qde" in by_lower:
        return by_lower["project.qde"]
    projects = sorted(name for name in names if name.lower().endswith(".qde") and "/" not in name)
    if len(projects) == 1:
        return projects[0]
    if projects:
        raise UnreadableFile(
            f"{file_name} has no project.qde but {len(projects)} other .qde files ({', '.join(shortened(name, SHOWN) for name in projects[:3])}"
            f"{' …' if len(projects) > 3 else ''}), so which is the project cannot be told; nothing imported",
            "export the project again from the program that made it",
        )
    raise UnreadableFile(f"{file_name} has no project.qde, so it is not a REFI-QDA project (.qdpx)")


def _read_project(reader: QdpxReader, root: etree._Element) -> None:
    package = reader.package
    variables: dict[str, tuple[str, str]] = {}
    project_notes: list[str] = []  # the project's and its variables' descriptions
    for element in root:
        kind = local_name(element)
        if kind == "Users":
            for user in children_named(element, "User"):
                guid = reader.guid(user)
                if guid is not None:
                    package.users[guid] = QdpxUser(guid, (user.get("name") or user.get("id") or "").strip())
        elif kind == "CodeBook":
            codes = child_named(element, "Codes")
            package.codes = read_codes(reader, codes) if codes is not None else []
        elif kind == "Variables":
            read_variables(reader, element, variables, project_notes)
        elif kind == "Cases":
            package.cases = read_cases(reader, element, variables)
        elif kind == "Sources":
            reader.text_paths = {_internal_path(source.get("plainTextPath")): source.get("name") or "" for source in children_named(element, "TextSource")
                                 if source.get("plainTextPath")}
            for source in element:
                _read_source(reader, source, variables)
        elif kind == "Notes":
            read_notes(reader, element)
        elif kind == "Sets":
            for item in element:
                read_set(reader, item, variables, project_notes)
        elif kind in {"Links", "Graphs"}:
            for item in element:
                if kind != "Links" or not note_linked(reader, item):
                    package.skipped.append(f"{describe(item)}: qualcode has no {kind.lower()}")
        elif kind == "Description":  # QualCoder writes the project's memo here
            described = description_note(reader, root, "project-description", package.name)
            project_notes += [described] if described is not None else []
        elif kind == "NoteRef":
            continue
        elif isinstance(element.tag, str):
            package.skipped.append(f"{describe(element)}: an element qualcode does not know")
    package.project_notes = [*project_notes, *reader.refs(root, "NoteRef")]
    settle_variables(reader, variables)


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
        if isinstance(element.tag, str):
            package.skipped.append(f"{describe(element)}: an element qualcode does not know")
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
    syncpoints = _sync_points(reader, element) if media else {}
    for child in [*element, *(owner if owner is not element and not media else [])]:
        child_kind = local_name(child)
        selection = None
        if child_kind == "PlainTextSelection" and child.getparent() is element:
            selection = _read_selection(reader, child)
        elif child_kind == "TranscriptSelection" and media:
            span = _transcript_span(reader, child, syncpoints)
            selection = _read_selection(reader, child, span) if span is not None else None
        elif child_kind == "Coding":
            package.skipped.append(f"{describe(child)} on the whole of {name}: qualcode codes passages, not whole sources")
        elif child_kind in UNSUPPORTED_SELECTIONS:
            package.skipped.append(f"{describe(child)} in {name}: not a text selection")
        elif child_kind not in known and isinstance(child.tag, str):
            package.skipped.append(f"{describe(child)} in {name}: an element qualcode does not know")
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


def _sync_points(reader: QdpxReader, transcript: etree._Element) -> dict[str, int]:
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


def _transcript_span(reader: QdpxReader, selection: etree._Element, syncpoints: dict[str, int]) -> tuple[int, int] | None:
    """A TranscriptSelection's start and end: the positions of the SyncPoints it runs from and to."""
    ends = [syncpoints.get(normal_guid(selection.get(side)) or "") for side in ("fromSyncPoint", "toSyncPoint")]
    if ends[0] is None or ends[1] is None:
        reader.package.problems.append(f"{describe(selection)}: fromSyncPoint or toSyncPoint is no SyncPoint of its transcript; skipped")
        return None
    return ends[0], ends[1]


def _as_qualcode_writes(reader: QdpxReader, source: QdpxSource) -> bool:
    """Whether `source` is as qualcode's own export writes one, in a file that says qualcode wrote it:
    its text without a CR (qualcode stores and writes LF) and each selection holding one coding, under
    the GUID the export derives from that coding's. A program's positions are read by looking at
    where its selections fall, which would misread qualcode's own codings that begin inside a word."""
    if not written_by(reader.origin, "qualcode") or "\r" in source.text:
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


def _read_selection(reader: QdpxReader, element: etree._Element, span: tuple[int, int] | None = None) -> QdpxSelection | None:
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
    return QdpxSelection(guid, element.get("name"), start, end, user, tuple(codings), tuple(notes))
