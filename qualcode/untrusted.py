"""Reading files that come from outside (.docx, .odt, .xlsx, .qdpx packages and their XML, .qdc) with limits.

A reviewer's .docx or a colleague's .qdpx may be damaged or made to hurt: an XML external entity
that pulls in a local file (XXE), entities that expand a few bytes into gigabytes (billion
laughs), or a zip member that unpacks to gigabytes (zip bomb). Everything here refuses those with
an UnreadableFile naming the file, instead of following, expanding or unpacking them:

- a package is opened only if the archive's directory says its members unpack to at most
  MAX_MEMBER_BYTES each (XML parts MAX_XML_BYTES) and MAX_TOTAL_BYTES together, and its XML parts
  hold at most MAX_XML_TAGS tags together, counted in their bytes as they unpack, a piece at a
  time, before anything parses them: a parsed tree's memory goes by its elements, and a few
  megabytes of empty elements take gigabytes. A caller reading a kind of file that is always
  smaller, or may be larger, passes its own PackageLimits, with a hint saying what to do;
- members are read with a bound (Python's zipfile never returns more than the size the directory
  gives, and checks the CRC at the end);
- XML is parsed by lxml with entity resolution, DTD loading and the network off and lxml's
  huge-tree limits on; a document with a DTD at all is refused, since Office Open XML and
  REFI-QDA files never carry one;
- a member whose name leaves the package (`..`, an absolute or drive path) or that is a symlink
  refuses the whole package.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from qualcode.errors import UnreadableFile

if TYPE_CHECKING:
    from lxml import etree

MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_MEMBERS = 20_000
# What a package's XML may hold unless its reader says otherwise. A parsed tree takes 100 to 250
# bytes a tag however little each holds, so memory goes by tags, not bytes: 2 to 2.5 million took
# 270 to 410 MB to import or leak-check (.docx, .xlsx, .qdpx), where a 400 KB .docx whose
# document.xml unpacked to 150 MB of empty runs took 2 GB and 54 s to import, and a 150 KB .qdpx
# of empty elements 4.9 GB.
MAX_XML_BYTES = 32 * 1024 * 1024
MAX_XML_TAGS = 2_000_000
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: a password-protected .docx or .xlsx, or a .doc
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, KeyError, ValueError, OSError)
XML_SUFFIXES = (".xml", ".rels", ".qde")  # .qde: a .qdpx's project
CHUNK = 1024 * 1024
SNIFFED = 64  # the first bytes of a part, to tell XML from media
XML_LEAD = b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n"  # what may stand before XML's first "<": byte order marks, spaces


@dataclass(frozen=True)
class PackageLimits:
    """How much of a package is read: what its members may unpack to, by the archive's directory
    before any is read, and how many tags its XML parts may hold together before they are parsed."""

    member_bytes: int = MAX_MEMBER_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    xml_bytes: int = MAX_XML_BYTES  # each XML part (XML_SUFFIXES, or what begins as XML)
    xml_tags: int | None = MAX_XML_TAGS  # all XML parts together; None (not counted) for what qualcode wrote itself
    hint: str | None = None  # what to do about a package over these limits


# A REFI-QDA project keeps every coding in one XML part: a project of a million words and 50,000
# codings (benchmarks/bench_exchange.py) is a project.qde of 25 MB and 257,000 tags. Its readers
# (import, exchange validate, the leak check) allow a part larger than a document's, and the same
# tags: a project.qde of 2 million empty elements took 410 MB to import.
QDPX_LIMITS = PackageLimits(
    xml_bytes=64 * 1024 * 1024,
    hint="if it really is one project this large, export it in parts, a few sources each, from the program that made it",
)


def open_package(
    source: Path | bytes | IO[bytes], name: str | None = None, limits: PackageLimits | None = None, *,
    refuse_named_twice: bool = True,
) -> zipfile.ZipFile:
    """Open a zip package (a file, or its bytes) after checking how much its members unpack to and
    how many tags its XML holds; every reader of a package from outside opens it here. Only a
    validation that lists two parts of one name among its findings opens it without `refuse_named_twice`."""
    name = name or (source.name if isinstance(source, Path) else "the file")
    limits = limits or PackageLimits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except ZIP_ERRORS as error:
        kind = Path(name).suffix or "zip"
        if _head(source) == OLE_SIGNATURE:  # Office keeps a password-protected file in its old compound format
            raise UnreadableFile(f"{name} is password-protected or an old binary Office file, not a {kind} package",
                                 f"remove the password, or save it as {kind} again, then give that file") from None
        raise UnreadableFile(f"{name} is not a readable {kind} file ({_reason(error)})", _unreadable_hint(_head(source), kind)) from None
    try:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise UnreadableFile(f"{name} has {len(members):,} parts; refusing more than {MAX_MEMBERS:,}")
        # Two parts of one name: Python reads the last, Word or LibreOffice may show the first, so a
        # leak check or a review import could read other words than the person sees.
        if refuse_named_twice:
            refuse_parts_named_twice(archive, name, done="nothing was read from it",
                                     hint="save it again from the program that made it, then give that file")
        for member in members:
            _refuse_unsafe_name(member, name)
            xml = member.filename.lower().endswith(XML_SUFFIXES) and limits.xml_bytes < limits.member_bytes
            limit = limits.xml_bytes if xml else limits.member_bytes
            if member.file_size > limit:
                raise UnreadableFile(
                    f"{name}: part {member.filename} unpacks to {member.file_size:,} bytes; "
                    f"refusing {'XML ' if xml else ''}parts over {_size(limit)}", limits.hint,
                )
        total = sum(member.file_size for member in members)
        if total > limits.total_bytes:
            raise UnreadableFile(
                f"{name} unpacks to {total:,} bytes; refusing packages over {_size(limits.total_bytes)}", limits.hint,
            )
        if limits.xml_tags is not None:
            _refuse_too_many_tags(archive, members, name, limits.xml_tags, limits)
    except BaseException:
        archive.close()
        raise
    return archive


def _refuse_too_many_tags(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], file_name: str, most: int, limits: PackageLimits,
) -> None:
    """Count the tags of the XML parts as they unpack, a piece at a time, and refuse the package
    at the first part that takes them over the limit, before anything parses them.

    Every element begins with a "<" (one in text is escaped), so this bounds the trees a parser
    would build; memory holds one piece, however large the parts."""
    tags = 0
    for member in members:
        in_part = _tags_in(archive, member, file_name, limits)
        tags += in_part
        if tags > most:
            raise UnreadableFile(
                f"{file_name}: its XML holds {tags:,} tags or more ({member.filename} {in_part:,}); refusing more than {most:,}",
                limits.hint,
            )


def _tags_in(archive: zipfile.ZipFile, member: zipfile.ZipInfo, file_name: str, limits: PackageLimits) -> int:
    """The tags of one part, 0 for one that is not XML.

    A part is XML by its name, or by its first bytes: Word and Excel readers pick parts by the
    content type the package gives them, so a part named `word/document` is parsed as XML all the
    same. A part no one can unpack (encrypted, damaged) is left to its reader, which refuses it,
    unless it is named as XML: then the package is refused here."""
    named_xml = member.filename.lower().endswith(XML_SUFFIXES)
    if member.flag_bits & 0x1 and named_xml:
        raise UnreadableFile(f"{file_name}: part {member.filename} is encrypted; refusing to read it")
    if member.is_dir() or not member.file_size or member.flag_bits & 0x1:
        return 0
    tags = 0
    try:
        with archive.open(member) as part:
            piece = part.read(SNIFFED)
            if not named_xml:
                lead = piece.lstrip(XML_LEAD)
                while not lead and piece:  # only spaces so far, which XML may begin with
                    piece = part.read(CHUNK)
                    lead = piece.lstrip(XML_LEAD)
                if not lead.startswith(b"<"):
                    return 0  # a picture or other media: never parsed, held only as bytes
                if member.file_size > limits.xml_bytes:
                    raise UnreadableFile(
                        f"{file_name}: part {member.filename} is XML that unpacks to {member.file_size:,} bytes; "
                        f"refusing XML parts over {_size(limits.xml_bytes)}", limits.hint,
                    )
            while piece:
                tags += piece.count(b"<")
                piece = part.read(CHUNK)
    except ZIP_ERRORS as error:
        if not named_xml:
            return 0
        raise UnreadableFile(f"{file_name}: part {member.filename} cannot be read ({_reason(error)})") from None
    return tags


def _refuse_unsafe_name(member: zipfile.ZipInfo, file_name: str) -> None:
    """Refuse a member that names a place outside the package, or is a symlink.

    Nothing here extracts members to disk, but a name such as `../../.bashrc` or `/etc/passwd`
    is never in a package a program wrote honestly, and a later reader must not meet one.
    """
    raw = member.orig_filename
    parts = raw.replace("\\", "/").split("/")
    if raw.startswith(("/", "\\")) or (len(raw) > 1 and raw[1] == ":") or ".." in parts:
        raise UnreadableFile(f"{file_name}: part {raw!r} points outside the package; refusing to read it")
    if stat.S_ISLNK(member.external_attr >> 16):
        raise UnreadableFile(f"{file_name}: part {raw!r} is a symbolic link; refusing to read it")


def refuse_parts_named_twice(
    archive: zipfile.ZipFile, file_name: str, *, folded: tuple[str, ...] = (), done: str = "nothing imported",
    hint: str = "export the project again from the program that made it",
) -> None:
    """Refuse a package holding two parts of one name (or, for the names in `folded`, of one name in
    any case): a program that wrote it honestly never does, Python's zipfile reads the last of them
    and another program may read the first, so which is meant cannot be told."""
    named: dict[str, list[str]] = {}
    for member in archive.infolist():
        lowered = member.filename.lower()
        named.setdefault(lowered if lowered in folded else member.filename, []).append(member.filename)
    for name, found in named.items():
        if len(found) > 1:
            spelled = "" if len(set(found)) == 1 else f" ({', '.join(sorted(set(found)))})"
            raise UnreadableFile(
                f"{file_name}: {len(found)} parts are named {name}{spelled}, so which is meant cannot be told"
                f" (a damaged or altered file); {done}",
                hint,
            )


def read_member(archive: zipfile.ZipFile, name: str, file_name: str) -> bytes:
    """One member's bytes, never more than MAX_MEMBER_BYTES whatever its header claims."""
    try:
        with archive.open(name) as member:
            data = member.read(MAX_MEMBER_BYTES + 1)
    except ZIP_ERRORS as error:
        raise UnreadableFile(f"{file_name}: part {name} cannot be read ({_reason(error)})") from None
    if len(data) > MAX_MEMBER_BYTES:
        raise UnreadableFile(f"{file_name}: part {name} is over {MAX_MEMBER_BYTES // 1024 // 1024} MB unpacked")
    return data


def parse_xml(data: bytes, where: str, limits: PackageLimits | None = None) -> etree._Element:
    """Parse XML without entities, DTDs or the network, and with no more tags than `limits` allow
    (counted before parsing); a DTD, too many tags or malformed XML is an UnreadableFile."""
    from lxml import etree

    limits = limits or PackageLimits()
    if limits.xml_tags is not None and (tags := data.count(b"<")) > limits.xml_tags:
        raise UnreadableFile(f"{where} holds {tags:,} tags; refusing more than {limits.xml_tags:,}", limits.hint)

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise UnreadableFile(f"{where} is not well-formed XML ({_reason(error)})") from None
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.doctype:
        raise UnreadableFile(f"{where} declares a DTD (<!DOCTYPE …>), which these files never have; refusing to read it")
    return root


def check_package_xml(
    source: Path | bytes, name: str | None = None, suffixes: tuple[str, ...] = XML_SUFFIXES, limits: PackageLimits | None = None,
) -> None:
    """Parse every XML part of a package safely, within `limits`, so a library reading it
    afterwards meets only plain XML of a size it can hold."""
    with open_package(source, name, limits) as archive:
        file_name = name or (source.name if isinstance(source, Path) else "the file")
        for member in archive.namelist():
            if member.lower().endswith(suffixes):
                parse_xml(read_member(archive, member, file_name), f"{file_name}: part {member}", limits)


def _size(limit: int) -> str:
    """A limit as it was set: whole megabytes, or else bytes."""
    return f"{limit >> 20} MB" if limit and not limit % (1 << 20) else f"{limit:,} bytes"


def _unreadable_hint(head: bytes, kind: str) -> str:
    """What to do about a package that is no zip, by its first bytes (a truncated or XML file said only
    "File is not a zip file")."""
    if not head:
        return f"the file is empty: save or export the {kind} file again, then give that one"
    if head.lstrip(XML_LEAD).startswith(b"<"):
        return f"it is XML, not a {kind} package: give the {kind} file the program saved or exported, not a part of one"
    return f"it may be damaged or cut short in copying: save or export it again as {kind}, then give that file"


def _head(source: Path | bytes | IO[bytes]) -> bytes:
    """A file's first bytes, or none where they cannot be read."""
    try:
        if isinstance(source, bytes):
            return source[:len(OLE_SIGNATURE)]
        if isinstance(source, Path):
            with source.open("rb") as handle:
                return handle.read(len(OLE_SIGNATURE))
        source.seek(0)
        return source.read(len(OLE_SIGNATURE))
    except (OSError, ValueError):
        return b""


def _reason(error: BaseException) -> str:
    """The first line of an error's message, short: it goes into a one-line refusal."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:160]
