"""The leak guard: find original identifiers from the key, and pattern identifiers, in files.

Reads .docx (body, tables, headers, footers, comments, document properties), .txt, .md, .csv,
.yaml (a codebook), .xlsx (every cell of every sheet), .qdpx (every XML and text member of the
archive, and its Word sources as the project import reads them) and .qdc.
Packages are opened through qualcode.untrusted: size limits on zip members and the tags of their
XML, no XML entities or DTDs.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from qualcode.anonymise.apply import known_birth_dates
from qualcode.anonymise.key import KeyEntry, PseudonymKey
from qualcode.anonymise.known import KnownMatcher
from qualcode.anonymise.patterns import find_patterns
from qualcode.errors import ImportFailed, InvalidInput, LeakFound, UnreadableFile
from qualcode.modes import temporary_target
from qualcode.text.character_references import read_references
from qualcode.text.docx_body import BODY, body_text
from qualcode.text.docx_paragraphs import W
from qualcode.text.export_words import OWN_LABELS
from qualcode.text.normalise import normalise, visible
from qualcode.untrusted import (
    MAX_MEMBER_BYTES,
    QDPX_LIMITS,
    PackageLimits,
    check_package_xml,
    open_package,
    parse_xml,
    read_member,
)

if TYPE_CHECKING:
    from lxml import etree

# Attribute values that name no one: a GUID, or a moment as XML Schema writes it.
GUID = r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?"
NAMES_NO_ONE = re.compile(GUID + r"|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
# A GUID inside a longer value (a source's internal://<GUID>.txt, a report's qualcode-project:<GUID>)
# names no one either, but its last group may read as an account number ("…-15038316041f"): it is
# blanked, and the rest of the value read.
_GUID_INSIDE = re.compile(rf"(?<![0-9A-Za-z]){GUID}(?![0-9A-Za-z])")  # whole: not the tail of a longer number


def _without_guids(value: str) -> str:
    return _GUID_INSIDE.sub(" ", value) if "-" in value else value


READABLE = (".docx", ".txt", ".md", ".csv", ".yaml", ".yml", ".xlsx", ".qdpx", ".qdc")

# A file from disk may come from anywhere: its XML is held to what a document holds (a report of
# 30,000 quotes is 1.05 million tags), a .qdpx's to what a project holds (untrusted.QDPX_LIMITS).
CHECKED_LIMITS = PackageLimits(hint="split it into smaller files and check each; a qualcode export: export it in parts, with --code")
# What an exporter has just made is as large as the project asked for, and no bomb: its parts are
# held to the sizes any member may have, and its tags are not counted.
EXPORT_LIMITS = PackageLimits(xml_bytes=MAX_MEMBER_BYTES, xml_tags=None)


@dataclass(frozen=True)
class Leak:
    """An identifier found where it must not be."""

    file: str
    where: str
    found: str
    kind: str
    context: str
    known: bool = False  # one of the key's originals, rather than a pattern (a number, an address)
    at: int = -1  # where a pattern's find starts in `context`: the same number may stand there twice
    # The sides ("before", "after") on which a pattern's find ends its piece of the file (a cell, a
    # paragraph, a quote's marks), as a quote's cut ends it, rather than running on in the file's own words.
    cut: tuple[str, ...] = ()


def file_parts(source: Path | bytes, name: str | None = None, limits: PackageLimits | None = None,
               unread: list[str] | None = None) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of text in a file, or in the bytes of a file to be called `name`,
    within `limits` (by default those of a file from disk of its kind), each with its character
    references read: "&Oslash;ystein" in a quote table, a Markdown file or a report is Øystein to
    whoever reads it (and to Markdown and a browser), and a project imported before .srt and .md
    files' references were read holds such text. The parts of a kind no text is read from (a .qdpx's
    PDF, picture or recording sources) are added to `unread`."""
    for where, text in _written_parts(source, name, limits, unread if unread is not None else []):
        read = read_references(text)
        yield (where, text) if read == text else (f"{where} with its character references read", read)


def _written_parts(source: Path | bytes, name: str | None, limits: PackageLimits | None, unread: list[str]) -> Iterator[tuple[str, str]]:
    """`file_parts` as the file writes them."""
    name = name or (source.name if isinstance(source, Path) else "")
    suffix = Path(name).suffix.lower()
    limits = limits or (QDPX_LIMITS if suffix == ".qdpx" else CHECKED_LIMITS)
    if suffix == ".docx":
        yield from _docx_parts(source, name, limits, unread=unread)
    elif suffix in (".txt", ".md", ".csv", ".yaml", ".yml"):
        data = source.read_bytes() if isinstance(source, Path) else source
        text = _text_of(data, name)
        for number, line in enumerate(text.splitlines(), start=1):
            if number == 1 and suffix == ".csv":
                yield from _csv_header(line)
            else:
                yield f"line {number}", line
        if suffix in (".yaml", ".yml"):
            yield from _yaml_values(text)
    elif suffix == ".xlsx":
        yield from _xlsx_parts(source, name, limits, unread=unread)
    elif suffix == ".qdc":
        data = source.read_bytes() if isinstance(source, Path) else source
        yield from _xml_parts(parse_xml(data, name, limits), name)
    elif suffix == ".qdpx":
        with open_package(source, name, limits) as archive:
            for member in archive.namelist():
                # A member's name travels with the archive as a file's own does ("sources/Kari Nordmann.pdf");
                # qualcode names its sources by their GUIDs.
                yield "member name", _without_guids(member)
                if member.lower().endswith((".qde", ".xml")):
                    yield from _xml_parts(parse_xml(read_member(archive, member, name), f"{name}: part {member}", limits), member)
                elif member.lower().endswith((".txt", ".docx")):
                    data, part = read_member(archive, member, name), f"{name}: part {member}"
                    text = _source_text(data, part) if member.lower().endswith(".txt") else _word_source_text(data, part, limits)
                    for number, line in enumerate(text.splitlines(), start=1):
                        yield f"{member} line {number}", line
                    if member.lower().endswith(".docx"):
                        yield from _word_source_beside(data, part, member, limits, unread)
                elif member.lower().endswith((".html", ".rtf")):
                    text = read_member(archive, member, name).decode("utf-8", errors="replace")
                    for number, line in enumerate(re.sub(r"<[^>]+>", " ", text).splitlines(), start=1):
                        yield f"{member} line {number}", line
                elif not member.endswith("/"):
                    # Another program's PDF, picture or recording: a name in it would pass unseen, so it is named.
                    unread.append(member)
    else:
        raise InvalidInput(f"{name}: the leak check reads {', '.join(READABLE)}")


def _text_of(data: bytes, name: str) -> str:
    """A text file as the import reads it (qualcode.text.encoding), so a name the import would store
    is found here too. A file the import refuses as not text, or as text no code page reads as
    Norwegian, is refused in one line: read some other way, a name in it could pass unseen."""
    from qualcode.text.encoding import decode_text  # here: a .docx export reads no text file

    if not data.strip():
        return ""  # nothing to find; the import refuses it as empty
    try:
        return decode_text(data, name).text
    except ImportFailed as refused:
        raise UnreadableFile(
            f"{refused.message}, so the leak check cannot read it",
            "open it in the program it came from, save it as UTF-8 text and check it again",
        ) from None


def _csv_header(line: str) -> Iterator[tuple[str, str]]:
    """A .csv's first line, its columns' names each a piece: a quote table's own column names are
    labels (text.export_words), each found whole as a cell of a workbook is."""
    import csv  # here: only a .csv reads it

    try:
        names = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        yield "line 1", line
        return
    for number, column in enumerate(names, start=1):
        yield f"line 1 column {number}", column


def _source_text(data: bytes, name: str) -> str:
    """A .qdpx's plain-text source as qualcode.exchange imports it: UTF-8, as REFI-QDA writes it,
    else read as a text file is (its tags kept: "<Kari Nordmann>" is text the import stores)."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return _text_of(data, name)


_PACKAGE_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def _word_source_text(data: bytes, name: str, limits: PackageLimits) -> str:
    """A .qdpx's Word source (richTextPath) as qualcode.exchange imports it: the body of its main
    document read by qualcode.text.docx_body and normalised, so what hidden text splits ("Sis[…]sel")
    or a line break hyphenates is found as the import stores it. A package inside the package: it
    is held to the .qdpx's limits, and one that cannot be read refuses the check."""
    with open_package(data, name, limits) as package:
        part = _main_document_part(package, name, limits)
        root = parse_xml(read_member(package, part, name), f"{name}: part {part}", limits)
    body = root.find(BODY)
    return "" if body is None else normalise(body_text(body)).strip("\n")


def _word_source_beside(data: bytes, part: str, member: str, limits: PackageLimits, unread: list[str]) -> Iterator[tuple[str, str]]:
    """What a .qdpx's Word source holds beside the body the import reads (read above as it is
    imported): headers, footers, comments, notes, Quick Parts, deleted text, authors, links and
    properties, as a .docx on its own is checked. The file carries them wherever it is sent."""
    with open_package(data, part, limits) as package:
        body = _main_document_part(package, part, limits).removeprefix("word/") + " paragraph "
    inner: list[str] = []
    for where, text in _docx_parts(data, part, limits, unread=inner):
        if not where.startswith(body):
            yield f"{member} {where}", text
    unread.extend(f"{member} {picture}" for picture in inner)


def _main_document_part(package: zipfile.ZipFile, name: str, limits: PackageLimits) -> str:
    """The part python-docx opens as the document: the target of the package's officeDocument relationship."""
    names = set(package.namelist())
    if "_rels/.rels" in names:
        relations = parse_xml(read_member(package, "_rels/.rels", name), f"{name}: part _rels/.rels", limits)
        for relation in relations.iter(_PACKAGE_RELATIONSHIP):
            if relation.get("Type") == _OFFICE_DOCUMENT and relation.get("TargetMode") != "External":
                part = posixpath.normpath(posixpath.join("/", relation.get("Target") or "")).lstrip("/")
                if part in names:
                    return part
    raise UnreadableFile(f"{name} is not a readable .docx file (its _rels/.rels names no document part in it)")


def _yaml_values(text: str) -> Iterator[tuple[str, str]]:
    """Each string in a YAML file as YAML reads it, where it is not written as it reads: a value
    written with escapes ("\\x4Bari") or folded over lines is one string only once parsed."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return  # not YAML: its lines were read
    nodes: deque[yaml.Node] = deque([root] if root is not None else [])
    seen: set[int] = set()  # an alias repeats what it names: read once, or a few lines could be billions of values
    while nodes:
        node = nodes.popleft()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            nodes += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            nodes += node.value
        elif isinstance(node, yaml.ScalarNode):
            written = text[node.start_mark.index:node.end_mark.index]
            if node.value not in (written, written[1:-1]):
                yield f"line {node.start_mark.line + 1} as YAML reads it", node.value


DOCX_TEXT_PARTS = re.compile(r"word/(document|header\d*|footer\d*|comments|footnotes|endnotes)\.xml$")
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# Word's parts that hold no words of the document (formatting, fonts, settings): parsing them cost a
# report's guard 25 ms. Every other Word part is read.
_NO_WORDS = ("styles+xml", "stylesWithEffects+xml", "settings+xml", "webSettings+xml", "fontTable+xml", "numbering+xml")


def _word_parts(archive: zipfile.ZipFile, name: str, limits: PackageLimits) -> set[str]:
    """The parts of a .docx that may hold its words: each part the package declares as a Word part
    of another kind than _NO_WORDS, whatever it is called (Word and python-docx find parts by their
    relationships and content types, so a main part called word/hoved.xml is the document all the
    same, and Quick Parts in word/glossary/ are text too), and those named as Word names them."""
    members = archive.namelist()
    parts = {member for member in members if DOCX_TEXT_PARTS.match(member)}
    by_name = {member.casefold(): member for member in members}  # a package's part names ignore case
    if "[content_types].xml" in by_name:
        declared = by_name["[content_types].xml"]
        types = parse_xml(read_member(archive, declared, name), f"{name}: part {declared}", limits)
        overridden = set()
        for override in types.iter(f"{_CONTENT_TYPES}Override"):
            kind = override.get("ContentType") or ""
            part = by_name.get(unquote(override.get("PartName") or "").lstrip("/").casefold())
            overridden.add(part)
            if part is not None and _holds_words(kind):
                parts.add(part)
        # A part no Override names has its extension's type (Default): a main part word/hoved.xml
        # under <Default Extension="xml" ContentType="…document.main+xml"/> is the document.
        defaults = {(default.get("Extension") or "").casefold(): default.get("ContentType") or ""
                    for default in types.iter(f"{_CONTENT_TYPES}Default")}
        parts.update(member for member in members if member not in overridden and member != declared
                     and _holds_words(defaults.get(posixpath.splitext(member)[1].lstrip(".").casefold(), "")))
    return parts


def _holds_words(kind: str) -> bool:
    """Whether a part of content type `kind` is a Word part that may hold words."""
    return "wordprocessingml" in kind and not kind.endswith(_NO_WORDS)


def _docx_parts(source: Path | bytes, name: str, limits: PackageLimits, depth: int = 0,
                unread: list[str] | None = None) -> Iterator[tuple[str, str]]:
    """Every paragraph of the body, headers, footers, comments and notes, and the document properties;
    the pictures and objects it holds that no text is read from are added to `unread`.

    Read straight from the package's XML: quicker than python-docx, and it sees every part.
    """
    from lxml import etree

    with open_package(source, name, limits) as archive:
        words = _word_parts(archive, name, limits)
        for member in archive.namelist():
            if member in words:
                root = parse_xml(read_member(archive, member, name), f"{name}: part {member}", limits)
                for number, paragraph in enumerate(root.iter(f"{W}p"), start=1):
                    text = "".join(
                        node.text or "" if node.tag == f"{W}t" else "\n" if node.tag in (f"{W}br", f"{W}cr") else "\t"
                        for node in paragraph.iter(f"{W}t", f"{W}br", f"{W}cr", f"{W}tab")
                    )
                    set_off = ", set off as a label" if _set_off(paragraph) else ""
                    yield f"{member.removeprefix('word/')} paragraph {number}{set_off}", text
                # What Word keeps beside the text: deleted text and field codes (a mailto: link),
                # and the words it keeps in attributes (who wrote each comment, alt text, a tooltip).
                for node in root.iter(f"{W}delText"):
                    yield f"{member.removeprefix('word/')} delText", node.text or ""
                for node in root.iter(f"{W}delInstrText"):  # a deleted field's code
                    yield f"{member.removeprefix('word/')} delInstrText", _without_field_name(node.text or "")
                for code in _field_codes(root):
                    yield f"{member.removeprefix('word/')} field code", code
                yield from _word_attributes(root)
            elif _WORD_BESIDE.match(member):
                # Charts and SmartArt hold their words as DrawingML text, and a custom XML part the
                # values its content controls show; settings only its document variables.
                data = read_member(archive, member, name)
                if not member.endswith("settings.xml") or b"docVar" in data:
                    root = parse_xml(data, f"{name}: part {member}", limits)
                    yield from (_xml_texts(root, member) if not member.endswith("settings.xml") else _word_attributes(root))
            elif _WORD_CHUNK.match(member):
                # A chunk of HTML, RTF or text Word shows in the document as if it were written there (altChunk).
                text = read_member(archive, member, name).decode("utf-8", errors="replace")
                for number, line in enumerate(re.sub(r"<[^>]+>", " ", text).splitlines(), start=1):
                    yield f"{member} line {number}", line
            elif _EMBEDDED_PACKAGE.match(member):
                yield from _embedded_parts(read_member(archive, member, name), f"{name}: part {member}", member, limits, depth, unread)
            elif member.startswith("word/_rels/") and member.endswith(".rels"):
                root = parse_xml(read_member(archive, member, name), f"{name}: part {member}", limits)
                for relation in root:  # a hyperlink's address (mailto:kari@…, a page about someone)
                    if relation.get("TargetMode") == "External":
                        yield "link", relation.get("Target") or ""
            elif member.startswith("docProps/") and member.endswith(".xml"):
                root = parse_xml(read_member(archive, member, name), f"{name}: part {member}", limits)
                for node in root.iter():
                    if isinstance(node.tag, str) and node.text and node.text.strip():
                        yield f"property {etree.QName(node).localname}", _without_guids(node.text)
                    if isinstance(node.tag, str) and node.get("name"):  # a custom property's own name
                        yield "property name", node.get("name") or ""
            elif unread is not None and _holds_no_text(member):
                unread.append(member)


# Parts of a .docx beside its Word parts that hold words: charts, SmartArt, custom XML, the
# settings' document variables; chunks of other formats Word shows as text; embedded workbooks
# and documents (a chart's data, a pasted table).
_WORD_BESIDE = re.compile(r"(word/(charts|diagrams)/[^/]+|customXml/item\d+|word/settings)\.xml$")
_WORD_CHUNK = re.compile(r"word/[^/]+\.(html?|xhtml|mht|mhtml|txt|rtf)$", re.IGNORECASE)
_EMBEDDED_PACKAGE = re.compile(r"(word|xl)/embeddings/[^/]+\.(docx|docm|dotx|xlsx|xlsm)$", re.IGNORECASE)
# How deep packages inside packages are read: a chart's workbook in a document is one level down.
_MAX_DEPTH = 2


def _embedded_parts(data: bytes, name: str, member: str, limits: PackageLimits, depth: int,
                    unread: list[str] | None = None) -> Iterator[tuple[str, str]]:
    """The pieces of a document or workbook embedded in another, named by where they stand in it."""
    if depth >= _MAX_DEPTH:
        raise UnreadableFile(f"{name} is a package inside a package inside a package, which the leak check does not read",
                             "open it in the program it came from, save the innermost document on its own and check that")
    reading = _docx_parts if member.lower().endswith(("docx", "docm", "dotx")) else _xlsx_parts
    inner: list[str] = []
    for where, text in reading(data, name, limits, depth + 1, inner):
        yield f"{member} {where}", text
    if unread is not None:
        unread.extend(f"{member} {part}" for part in inner)


def _holds_no_text(member: str) -> bool:
    """Whether a part of a .docx or .xlsx left unread holds what no text is read from, where a name may
    be all the same: a picture (a pasted screenshot of a case file, its Author kept in it), a PDF, an
    OLE object, macros. Not XML (its parts without words: styles, themes, settings), nor a font's glyphs,
    a printer's settings, or the thumbnail, a picture of the first page, whose text is read."""
    return not member.endswith("/") and _NO_TEXT_SKIPPED.match(member) is None and not member.lower().endswith((".xml", ".rels", ".vml"))


_NO_TEXT_SKIPPED = re.compile(r"(word/fonts|word/printerSettings|xl/printerSettings)/|docProps/thumbnail\.", re.IGNORECASE)
# The pictures qualcode itself puts in a report (--figures: heatmaps drawn from the counts): its own export's are its own.
_PICTURE = re.compile(r"(word|xl)/media/[^/ ]+$")


def _without_own_pictures(unread: list[str]) -> None:
    """`unread` without the pictures of a .docx or .xlsx: in one of qualcode's own exports, the figures it drew."""
    unread[:] = [part for part in unread if _PICTURE.match(part) is None]


# Words Word keeps in attributes: who wrote a comment or change (and, in people.xml, their address),
# a picture's alt text, title and file name, a link's tooltip, WordArt's text, a simple field's code.
_TEXT_ATTRIBUTES = {"author", "userId", "descr", "title", "alt", "tooltip", "docLocation", "string"}
_NAMED = {"docPr", "cNvPr", "bookmarkStart", "docVar"}  # elements whose `name` is typed by someone
# Elements whose value someone typed: a content control's title and tag, a form field's name,
# default text, help and list entries, a document variable.
_TYPED_VALUES = {"alias", "tag", "name", "default", "helpText", "statusText", "listEntry", "docVar"}
# Bookmarks Word and qualcode name themselves: a heading's or reference's, a quote's or code's by its GUID.
_MACHINE_BOOKMARK = re.compile(r"_(Toc|Ref|Hlk|GoBack|Int)\w*|[qc]_[0-9a-f]{16,32}")


def _word_attributes(root: etree._Element) -> Iterator[tuple[str, str]]:
    """The words a Word part keeps in attributes, each a piece named by its element and attribute."""
    from lxml import etree

    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        element = etree.QName(node).localname
        for attribute, value in node.attrib.items():
            local = etree.QName(attribute).localname
            typed = (local in _TEXT_ATTRIBUTES or (local == "name" and element in _NAMED)
                     or (local == "val" and element in _TYPED_VALUES) or (local == "instr" and element == "fldSimple"))
            if not typed or not value.strip() or (element == "bookmarkStart" and _MACHINE_BOOKMARK.fullmatch(value)):
                continue
            yield f"{element} {local}", _without_field_name(value) if local == "instr" else value


def _field_codes(root: etree._Element) -> Iterator[str]:
    """Each complex field's code, its pieces joined (Word splits one code over runs, "AUTHOR", " Kari
    Nordmann"), without the field's own name ("PAGE" is Word's word, whoever the key holds)."""
    fields: list[list[str]] = []  # the codes being read, innermost last: a field may hold another
    for node in root.iter(f"{W}fldChar", f"{W}instrText"):
        kind = node.get(f"{W}fldCharType")
        if node.tag == f"{W}instrText":
            if fields:
                fields[-1].append(node.text or "")
            elif (node.text or "").strip():
                yield _without_field_name(node.text or "")
        elif kind == "begin":
            fields.append([])
        elif kind in ("separate", "end") and fields:
            code = "".join(fields.pop())
            if code.strip():
                yield _without_field_name(code)
            if kind == "separate":
                fields.append([])  # the result follows: a field inside it has its own begin
    for code in map("".join, fields):
        if code.strip():
            yield _without_field_name(code)


_FIELD_NAME = re.compile(r"\s*[A-Z]+(?=\s|$)")


def _without_field_name(code: str) -> str:
    return _FIELD_NAME.sub("", code, count=1)


def _xml_texts(root: etree._Element, member: str) -> Iterator[tuple[str, str]]:
    """The text of every element of an XML part, by source line (not its attributes: a chart's are numbers)."""
    for node in root.iter():
        if isinstance(node.tag, str) and node.text and node.text.strip():
            yield f"{member} line {node.sourceline}", node.text


# A paragraph in one of these styles is a heading, as a report writes its labels ("Innhold", "Kodebok").
_HEADING_STYLES = re.compile(r"Heading\d*|Title|Subtitle|TOCHeading|Caption")
_OFF = ("0", "false", "off")


def _set_off(paragraph: etree._Element) -> bool:
    """Whether a Word paragraph is set off as qualcode sets off a label: a heading, or led by a run in
    italics or bold (a report's "Memo: …", a table's header cell). A quote, a definition or a summary
    is written plain."""
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    if style is not None and _HEADING_STYLES.fullmatch(style.get(f"{W}val") or ""):
        return True
    for run in paragraph.iter(f"{W}r"):
        if not "".join(node.text or "" for node in run.iter(f"{W}t")):
            continue
        return any(mark is not None and mark.get(f"{W}val", "true").lower() not in _OFF
                   for mark in (run.find(f"{W}rPr/{W}i"), run.find(f"{W}rPr/{W}b")))
    return False


# Parts of a workbook beside its cells that hold words: the sheets' names and defined names,
# comments and who wrote them, the document properties (its author), tables' and columns' names,
# shapes and charts, pivot tables and the data they keep, other workbooks' values linked to, custom XML.
_XLSX_TEXT_PARTS = re.compile(
    r"(xl/workbook|xl/comments\d*|xl/(comments|threadedComments|persons|tables|pivotTables|pivotCache|externalLinks)/[^/]+"
    r"|docProps/[^/]+|customXml/item\d+)\.xml$")
# Drawings and charts: their text, not their attributes (positions and sizes in numbers), but for alt text.
_XLSX_DRAWINGS = re.compile(r"xl/(drawings|charts)/[^/]+\.xml$")
_XLSX_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml$")
_SHEET_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# What a sheet keeps beside its cells' values: formulas (="Kari "&"Nordmann", a HYPERLINK's address),
# a link's text and tooltip, a validation's list and messages.
_SHEET_BESIDE = tuple(f"{_SHEET_MAIN}{tag}" for tag in ("f", "formula", "formula1", "formula2", "hyperlink", "dataValidation"))
_SHEET_WORDS = ("display", "tooltip", "location", "prompt", "promptTitle", "error", "errorTitle")


def _xlsx_parts(source: Path | bytes, name: str, limits: PackageLimits, depth: int = 0,
                unread: list[str] | None = None) -> Iterator[tuple[str, str]]:
    """Every cell of every sheet, and the words kept beside them; the package's XML is checked
    first, openpyxl reads the cells afterwards. Pictures and objects no text is read from are added to `unread`."""
    import openpyxl  # here, not at the top, so the CLI starts quickly

    check_package_xml(source, name, limits=limits)
    shown: set[str] = set()  # the shared strings a cell shows, which openpyxl reads below
    with open_package(source, name, limits) as archive:
        for member in archive.namelist():
            if _XLSX_TEXT_PARTS.match(member):
                yield from _xml_parts(parse_xml(read_member(archive, member, name), f"{name}: part {member}", limits), member)
            elif _XLSX_DRAWINGS.match(member):
                root = parse_xml(read_member(archive, member, name), f"{name}: part {member}", limits)
                yield from _xml_texts(root, member)
                yield from ((f"{member} {where}", text) for where, text in _word_attributes(root))
            elif _XLSX_SHEET.match(member):
                root = parse_xml(read_member(archive, member, name), f"{name}: part {member}", limits)
                for header in root.iter(f"{_SHEET_MAIN}headerFooter"):
                    yield from _xml_parts(header, f"{member} header or footer")
                shown.update(cell.findtext(f"{_SHEET_MAIN}v") or "" for cell in root.iter(f"{_SHEET_MAIN}c") if cell.get("t") == "s")
                for node in root.iter(*_SHEET_BESIDE):
                    if node.text and node.text.strip():
                        yield f"{member} line {node.sourceline}", node.text
                    for attribute in _SHEET_WORDS:
                        if (node.get(attribute) or "").strip():
                            yield f"{member} line {node.sourceline}", node.get(attribute) or ""
            elif member.startswith("xl/") and "/_rels/" in member and member.endswith(".rels"):
                root = parse_xml(read_member(archive, member, name), f"{name}: part {member}", limits)
                for relation in root:  # a cell's link (mailto:kari@…), a linked workbook's path
                    if relation.get("TargetMode") == "External":
                        yield "link", relation.get("Target") or ""
            elif _EMBEDDED_PACKAGE.match(member):
                yield from _embedded_parts(read_member(archive, member, name), f"{name}: part {member}", member, limits, depth, unread)
            elif unread is not None and _holds_no_text(member):
                unread.append(member)
        shared = next((member for member in archive.namelist() if member.lower() == "xl/sharedstrings.xml"), None)
        if shared is not None:
            yield from _unshown_strings(parse_xml(read_member(archive, shared, name), f"{name}: part {shared}", limits), shared, shown)
    with source.open("rb") if isinstance(source, Path) else io.BytesIO(source) as handle:
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            try:
                for sheet in workbook.worksheets:
                    for row in sheet.iter_rows():
                        for cell in row:
                            if cell.value is not None:
                                yield f"{sheet.title}!{getattr(cell, 'coordinate', '?')}", str(cell.value)
                                as_shown = _shown_number(cell.value, getattr(cell, "number_format", None))
                                if as_shown is not None:
                                    yield f"{sheet.title}!{getattr(cell, 'coordinate', '?')} as shown", as_shown
            finally:
                workbook.close()
        except UnreadableFile:
            raise
        except Exception as error:  # openpyxl raises many kinds of error on a damaged workbook
            raise UnreadableFile(f"{name} is not a readable Excel workbook ({type(error).__name__}: {error})") from None


# A number format of digit places and literal text ("00000000000", '000000" "00000'), as a list of
# fødselsnumre is formatted so Excel shows the leading zero the number lost; other formats (dates,
# decimals with their point, thousands) are not drawn.
_DIGIT_FORMAT = re.compile(r'(?:[0#]|"[^"]*"|\\.|[ \-/()])+')


def _shown_number(value: object, number_format: str | None) -> str | None:
    """A whole number as Excel shows it in a format of digit places (`_DIGIT_FORMAT`), where that differs
    from the number written plainly: 1017000027 under "00000000000" is shown 01017000027."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or not number_format:
        return None
    section = number_format.split(";")[0]
    if "0" not in section or _DIGIT_FORMAT.fullmatch(section) is None:
        return None
    pieces = re.findall(r'"([^"]*)"|\\(.)|([0#])|(.)', section)
    places = sum(1 for _, _, place, _ in pieces if place)
    digits = str(value).rjust(sum(1 for _, _, place, _ in pieces if place == "0"), "0")
    overflow, digits = digits[:max(0, len(digits) - places)], digits[max(0, len(digits) - places):].rjust(places, " ")
    shown, index = [], 0
    for quoted, escaped, place, other in pieces:
        if place:
            shown.append((overflow if index == 0 else "") + digits[index].strip())
            index += 1
        else:
            shown.append(quoted or escaped or other)
    text = "".join(shown).strip()
    return None if text == str(value) else text


def _unshown_strings(root: etree._Element, member: str, shown: set[str]) -> Iterator[tuple[str, str]]:
    """What a workbook's shared strings hold that no cell shows: a string no cell refers to (kept in the
    file all the same), and the phonetic reading a string carries beside its text."""
    for index, item in enumerate(root.iter(f"{_SHEET_MAIN}si")):
        if str(index) not in shown:
            yield f"{member} string {index + 1}, shown in no cell", "".join(item.itertext())
        else:
            for reading in item.iter(f"{_SHEET_MAIN}rPh"):
                yield f"{member} string {index + 1} reading", "".join(reading.itertext())


def _xml_parts(root: etree._Element, member: str) -> Iterator[tuple[str, str]]:
    """Text and attribute values of every element (REFI-QDA keeps names in attributes), by source line.

    Each attribute value is a part of its own: joined, a GUID's last digits and a name read as a
    postcode and place, and two positions side by side as a phone number. A value that is a GUID
    or a timestamp and nothing else names no one; skipped, it is no fødselsnummer by chance in its
    digits, and most of the text of a project's `.qdpx` is not scanned for nothing."""
    for node in root.iter():
        if isinstance(node.tag, str):
            text = " ".join(piece for piece in (node.text or "", node.tail or "") if piece.strip())
            pieces = [
                _without_guids(piece) for piece in node.attrib.values() if piece.strip() and not NAMES_NO_ONE.fullmatch(piece)
            ]
            if text or pieces:
                where = f"{member} line {node.sourceline}"
                if text:
                    yield where, text
                for piece in pieces:
                    yield where, piece


def scan_offsets(text: str, key: PseudonymKey, matcher: KnownMatcher, pieces: Sequence[int] = ()) -> list[tuple[Leak, int]]:
    """Originals from the key (with the import's fuzzy matching) and pattern identifiers, with offsets;
    `pieces`: where each piece read on its own begins (find_patterns)."""
    found: list[tuple[Leak, int]] = [
        (Leak("", "", match.text, match.entry.kind, _context(text, match.start, match.end), True), match.start)
        for match in matcher.find(text)
    ]
    # Numbers, addresses and e-mail addresses the key holds are found by the matcher as pseudonymising
    # finds them (any case, any spacing, whole words); a date of birth wherever it stands.
    for date in known_birth_dates(text, key, pieces):
        found.append((Leak("", "", date.entry.original, date.entry.kind, _context(text, date.start, date.end), True), date.start))
    seen = {(leak.found, offset) for leak, offset in found}
    for pattern in find_patterns(text, pieces):
        if (pattern.text, pattern.start) not in seen and not any(o <= pattern.start < o + len(leak.found) for leak, o in found):
            context, at = _context(text, pattern.start, pattern.end), _context_at(text, pattern.start)
            found.append((Leak("", "", pattern.text, pattern.kind, context, at=at), pattern.start))
    return sorted(found, key=lambda item: item[1])


def scan_text(text: str, key: PseudonymKey, file: str, where: str) -> list[Leak]:
    """Leaks in one piece of text."""
    return [replace(leak, file=file, where=where) for leak, _ in scan_offsets(text, key, KnownMatcher.of(key))]


def check_file(source: Path | bytes, key: PseudonymKey, name: str | None = None, limits: PackageLimits | None = None,
               *, own: bool = False, unread: list[str] | None = None) -> list[Leak]:
    """Every leak in a file, or in the bytes of a file about to be written as `name`, within `limits`
    (by default those of a file from disk of its kind). With `own` the file is one of qualcode's own
    exports, and its labels where qualcode writes them are labels (_own_label); a file from elsewhere
    laid out like one gets no such reading. The parts it holds that no text is read from are added
    to `unread` (file_parts), but for an own export's pictures: the figures qualcode drew."""
    unread = unread if unread is not None else []
    leaks = _checked_file(source, key, name, limits, own, unread)[0]
    if own:
        _without_own_pictures(unread)
    return leaks


def _checked_file(source: Path | bytes, key: PseudonymKey, name: str | None, limits: PackageLimits | None,
                  own: bool, unread: list[str]) -> tuple[list[Leak], bool]:
    """`check_file`'s leaks, and whether a name the key holds passed as one of qualcode's labels."""
    if isinstance(source, Path) and not source.is_file():
        raise InvalidInput(f"{source} is not a file" if source.exists() else f"{source} does not exist")
    name = name or (source.name if isinstance(source, Path) else "")
    try:
        parts = list(file_parts(source, name, limits, unread))
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise InvalidInput(f"{name} cannot be read for the leak check: {error}") from None
    # The file's own name travels with it ("Sissel Bakken notat.txt"), as the exporters' guard
    # refuses to write; not its folders', which name where the researcher keeps it.
    named = scan_text(visible(source.name), key, name, "file name") if isinstance(source, Path) else []
    leaks, labelled = _checked_parts(parts, key, name, own)
    return named + leaks, labelled


def check_parts(parts: list[tuple[str, str]], key: PseudonymKey, name: str, *, own: bool = False) -> list[Leak]:
    """Every leak in the (where, text) pieces of a file called `name`, each text read as the key's
    originals are written: composed (NFC), with nothing invisible inside a name. With `own` the
    pieces are one of qualcode's own exports (check_file)."""
    return _checked_parts(parts, key, name, own)[0]


def _checked_parts(parts: list[tuple[str, str]], key: PseudonymKey, name: str, own: bool) -> tuple[list[Leak], bool]:
    """`check_parts`'s leaks, and whether a name the key holds passed as one of qualcode's labels."""
    joined = "\n".join(text for _, text in parts)
    if visible(joined) != joined:  # seldom: only then is each piece made visible on its own
        parts = [(where, visible(text)) for where, text in parts]
        joined = "\n".join(text for _, text in parts)
    # One scan over all the text, mapped back to where each piece came from: far quicker than
    # scanning thousands of paragraphs one by one.
    starts: list[int] = []
    position = 0
    for _, text in parts:
        starts.append(position)
        position += len(text) + 1
    # A cell or a paragraph is a piece of its own, a line of a text file is not (_TEXT_LINE): the
    # words of the cell before never make an amount of the number in the next.
    on_their_own = [start for start, (where, _) in zip(starts, parts, strict=True) if _TEXT_LINE.fullmatch(where) is None]
    leaks, labelled = [], False
    for leak, offset in scan_offsets(joined, key, KnownMatcher.of(key), on_their_own):
        index = bisect_right(starts, offset) - 1
        where, piece = parts[index]
        if own and leak.known and _own_label(where, piece, offset - starts[index], leak.found):
            labelled = True
            continue
        local = offset - starts[index]
        if not leak.known and local + len(leak.found) <= len(piece):
            # A number's words around it are its piece's (a cell's, a paragraph's): a cell beside it
            # that ends "fikk kr" makes no amount of a phone number standing in a cell of its own.
            leak = replace(leak, context=_context(piece, local, local + len(leak.found)), at=_context_at(piece, local),
                           cut=_cut_sides(where, piece, local, len(leak.found)))
        leaks.append(replace(leak, file=name, where=where))
    return leaks, labelled


# What may stand between a quote's cut and the quoted words in a file: white space, quotation marks,
# an omission's (…) and a table's separators. Not a colon ("mobil: 41 234 567" is a label's) nor an
# opening bracket ("Telefon (41 234 567 …").
_CUT_MARKS = frozenset("\"'«»“”„‘’‚)]}…,;")
# A line of a text file, unlike a cell or a paragraph, is no piece of its own: the line before
# may say what the number is ("mobil:\n41 234 567").
_TEXT_LINE = re.compile(r"line \d+(?: with its character references read)?")


def _cut_sides(where: str, piece: str, at: int, length: int) -> tuple[str, ...]:
    """The sides on which the find at `at` in `piece` (at `where`) stands where a quote's cut would
    leave it: nothing but _CUT_MARKS between it and its piece's edge (a piece that is a cell or a
    paragraph), or before a cut mark."""
    sides = []
    for side, beside in (("before", piece[:at][::-1]), ("after", piece[at + length:])):
        mark = beside.lstrip()[:1]
        if mark in _CUT_MARKS if mark else _TEXT_LINE.fullmatch(where) is None:
            sides.append(side)
    return tuple(sides)


# Where qualcode writes a label as a piece of its own: a column's name, in a table's first line or row,
# and a Word paragraph set off as a label (_set_off).
_SET_OFF = r"document\.xml paragraph \d+, set off as a label"
_COLUMN_NAME = re.compile(rf"line 1 column \d+|.*![A-Z]+1|{_SET_OFF}")
# Where it writes one as a paragraph's lead word ("Memo: …"): a Word paragraph set off so.
_LEAD_WORD = re.compile(_SET_OFF)
# Where it writes one before a page's number (the field's code is read apart): a report's footer.
_FOOTER = re.compile(r"footer\d*\.xml paragraph \d+")


def _own_label(where: str, piece: str, at: int, found: str) -> bool:
    """Whether `found`, a name the key holds found at `at` in `piece` (at `where` in its file), is one
    of qualcode's own labels standing as qualcode writes one: a column's name, or a Word paragraph set
    off as a label, whole or as its lead word ("Memo: …"), or a footer's word before the page number. A nickname that is also a label ("Memo") is pseudonymised in every text,
    so the label is all that is left of the word there; anywhere else (a cell below, a line of a
    note, a plain paragraph such as a quote's, a value in a .qdpx) the name is still a leak."""
    if found not in OWN_LABELS or at != 0:
        return False
    return (piece == found and _COLUMN_NAME.fullmatch(where) is not None) or (
        piece.startswith(f"{found}: ") and _LEAD_WORD.fullmatch(where) is not None) or (
        piece.strip() == found and _FOOTER.fullmatch(where) is not None)


# Files larger than this are not read whole for what a rewrite or a withdrawal could not reach
# (folding one holds several times its size in memory): they are named for the researcher to look at.
SCANNED_BYTES = 20_000_000


def folder_texts(folder: Path) -> Iterator[tuple[Path, str | None, str]]:
    """The readable files in `folder` and below, each with its text whole (so what runs over lines
    or cells is found too), or None and why it was not read (too large, or damaged: it may still
    hold what is looked for), and with its text why some of it was not (a .qdpx's PDF or picture
    sources, file_parts: what is looked for may be there, unseen). Not in hidden folders (the
    project's own store, .git), not through links (a file outside the folder is not the project's)."""
    for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
        inside = path.relative_to(folder).parts
        # An export a kill interrupted before its rename is read as the file it was to be: it holds
        # what that export held, and only the next export into its folder removes it.
        read_as = temporary_target(path.name) or path.name
        if path.is_symlink() or any(part.startswith(".") for part in inside[:-1]) or Path(read_as).suffix.lower() not in READABLE:
            continue
        if not path.is_file():
            continue
        if path.stat().st_size > SCANNED_BYTES:
            yield path, None, f"larger than {SCANNED_BYTES / 1_000_000:g} MB"
            continue
        unread: list[str] = []
        try:
            text = "\n".join(part for _, part in file_parts(path, read_as, unread=unread))
        except Exception:  # damaged, or not what its name says
            yield path, None, "it could not be read"
            continue
        # What the rewriting could not reach: a report's pictures are the figures qualcode drew, or one a
        # reviewer pasted, which no rewriting reaches either, and naming each report with figures at every
        # name the key learns would bury the file that matters.
        _without_own_pictures(unread)
        yield path, text, _not_read(unread)


def _not_read(parts: list[str]) -> str:
    """Why some of a file was not read: its `parts` no text is read from (file_parts), if any."""
    if not parts:
        return ""
    more = f" and {len(parts) - 1} more" if len(parts) > 1 else ""
    return f"its part {parts[0]}{more} holds no text the check reads (a PDF, a picture or a recording)"


def files_holding(folder: Path, key: PseudonymKey, entries: Sequence[KeyEntry] | None = None) -> list[tuple[Path, str | None]]:
    """The files in `folder` and below (folder_texts) that hold one of `entries` (by default every
    original the key holds), found as the leak check finds them: what the project's rewriting
    cannot reach, such as exports written before the key learned a name. Each file with why it is
    named: None when it holds one, or why it was not read, for the researcher to look at."""
    # With the words dismissed as no name: "Nails & Beauty" kept as written names no Nils.
    wanted = PseudonymKey(key.project_guid, entries=list(key.entries if entries is None else entries), dismissed=list(key.dismissed))
    if not wanted.entries:
        return []
    matcher = KnownMatcher(wanted)
    found: list[tuple[Path, str | None]] = []
    for path, text, why in folder_texts(folder):
        if text is not None and (matcher.find(visible(text)) or known_birth_dates(visible(text), wanted)):
            found.append((path, None))
        elif why:  # not read, or not all of it: a name may be in what was not
            found.append((path, why))
    return found


def guard(source: Path | bytes, key: PseudonymKey, name: str | None = None, cleared: Callable[[Leak], bool] | None = None,
          remember: Callable[[bytes], None] | None = None) -> None:
    """For exporters: refuse a file, or the bytes of a file to be written as `name`, with an identifier in it,
    but for what `cleared` says the project's stored text, read in context, holds as no identifier.
    What an exporter makes is qualcode's own: its labels pass as labels and its pictures as the figures it
    drew, and a file that passed so is given to `remember` (anonymise.own_exports), so `qualcode leakcheck`
    knows it for one later.

    Nothing is deleted: exporters check the bytes before any of them reach the disk
    (exporters.publish), so a refusal never touches an earlier good export.
    """
    # The file's own name first: "Sissel Bakken.docx", typed as the file to write, named her in the
    # exports folder whatever the file held.
    written = name or (source.name if isinstance(source, Path) else "")
    for leak, _ in scan_offsets(visible(written), key, KnownMatcher.of(key)) if written else ():
        raise LeakFound(f"refused to write {written}: its name holds {leak.kind} {leak.found!r}",
                        "give the file a name without it; nothing was written")
    unread: list[str] = []
    leaks, labelled = _checked_file(source, key, name, EXPORT_LIMITS if isinstance(source, bytes) else None, True, unread)
    # The pictures in what qualcode writes are its own figures; a file that holds them is remembered as its
    # own, so `qualcode leakcheck` of it as written does not name them as pictures it could not read.
    pictured = bool(unread)
    _without_own_pictures(unread)
    pictured = pictured and not unread
    if unread:  # qualcode writes no such part; one that is there cannot be vouched for
        raise UnreadableFile(f"refused to write {written}: its part {unread[0]} holds no text the leak check can read",
                             "nothing was written; report this as a bug")
    if leaks and cleared is not None:
        leaks = [leak for leak in leaks if not cleared(leak)]
    if leaks:
        first = leaks[0]
        raise LeakFound(
            f"refused to write {first.file}: it contains {first.kind} {first.found!r} ({first.where})"
            + (f" and {len(leaks) - 1} more" if len(leaks) > 1 else ""),
            # A name the key holds is in the project where the key's rewriting did not reach; anything
            # else is an identifier the key does not hold yet.
            f"the key holds {first.found!r} already, yet the project still has it (a copy or backup from before "
            "the key learned it?): rewrite it with `qualcode anonymise reapply` and export again" if first.known else
            "run `qualcode leakcheck` on the source, add the identifier to the key, and export again",
        )
    if (labelled or pictured) and remember is not None:
        remember(source if isinstance(source, bytes) else source.read_bytes())


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    return " ".join(text[max(0, start - width):end + width].split())


def _context_at(text: str, start: int, width: int = 30) -> int:
    """Where what starts at `start` starts in its `_context`: after the words before it, each run of
    white space one space, and a space more where white space parts it from them."""
    before = text[max(0, start - width):start]
    words = before.split()
    return len(" ".join(words)) + (1 if words and before[-1:].isspace() else 0)
