"""Reading files that come from outside (.docx, .xlsx, .qdpx packages and their XML) with limits.

A reviewer's .docx or a colleague's .qdpx may be damaged or made to hurt: an XML external entity
that pulls in a local file (XXE), entities that expand a few bytes into gigabytes (billion
laughs), or a zip member that unpacks to gigabytes (zip bomb). Everything here refuses those with
an UnreadableFile naming the file, instead of following, expanding or unpacking them:

- members are opened only if the archive's directory says they unpack to at most
  MAX_MEMBER_BYTES each and MAX_TOTAL_BYTES together (or a caller's tighter PackageLimits), and
  are read with a bound (Python's zipfile never returns more than the size the directory gives,
  and checks the CRC at the end);
- a caller may bound the tags of the XML it parses, counted in the bytes before parsing: a parsed
  tree's memory goes by its elements, and a few megabytes of empty elements take gigabytes;
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
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, KeyError, ValueError, OSError)
XML_SUFFIXES = (".xml", ".rels")


@dataclass(frozen=True)
class PackageLimits:
    """How much of a package is read: what its members may unpack to, by the archive's directory
    before any is read, and how many tags its XML parts may hold together before they are parsed."""

    member_bytes: int = MAX_MEMBER_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    xml_bytes: int = MAX_MEMBER_BYTES  # each XML part (.xml, .rels)
    xml_tags: int | None = None
    hint: str | None = None  # what to do about a package over these limits


def open_package(source: Path | bytes | IO[bytes], name: str | None = None, limits: PackageLimits | None = None) -> zipfile.ZipFile:
    """Open a zip package (a file, or its bytes) after checking how much its members unpack to."""
    name = name or (source.name if isinstance(source, Path) else "the file")
    limits = limits or PackageLimits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except ZIP_ERRORS as error:
        raise UnreadableFile(f"{name} is not a readable {Path(name).suffix or 'zip'} file ({_reason(error)})") from None
    try:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise UnreadableFile(f"{name} has {len(members):,} parts; refusing more than {MAX_MEMBERS:,}")
        for member in members:
            _refuse_unsafe_name(member, name)
            xml = member.filename.lower().endswith(XML_SUFFIXES) and limits.xml_bytes < limits.member_bytes
            limit = limits.xml_bytes if xml else limits.member_bytes
            if member.file_size > limit:
                raise UnreadableFile(
                    f"{name}: part {member.filename} unpacks to {member.file_size:,} bytes; "
                    f"refusing {'XML ' if xml else ''}parts over {limit // 1024 // 1024} MB", limits.hint,
                )
        total = sum(member.file_size for member in members)
        if total > limits.total_bytes:
            raise UnreadableFile(
                f"{name} unpacks to {total:,} bytes; refusing packages over {limits.total_bytes // 1024 // 1024} MB", limits.hint,
            )
    except BaseException:
        archive.close()
        raise
    return archive


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


def parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse XML without entities, DTDs or the network; a DTD or malformed XML is an UnreadableFile."""
    from lxml import etree

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
    """Parse every XML part of a package safely, so a library reading it afterwards meets only plain
    XML; within `limits`, whose tags are counted in the parts' bytes before any part is parsed."""
    limits = limits or PackageLimits()
    with open_package(source, name, limits) as archive:
        file_name = name or (source.name if isinstance(source, Path) else "the file")
        members = [member for member in archive.namelist() if member.lower().endswith(suffixes)]
        if limits.xml_tags is not None:
            # Every element begins with a "<" (one in text is escaped), so this bounds the trees a
            # parser would build; each part is read and let go, so memory holds one part's bytes.
            tags = {member: read_member(archive, member, file_name).count(b"<") for member in members}
            if sum(tags.values()) > limits.xml_tags:
                largest = max(tags, key=tags.__getitem__)
                raise UnreadableFile(
                    f"{file_name}: its XML holds {sum(tags.values()):,} tags ({largest} {tags[largest]:,}); "
                    f"refusing more than {limits.xml_tags:,}", limits.hint,
                )
        for member in members:
            parse_xml(read_member(archive, member, file_name), f"{file_name}: part {member}")


def _reason(error: BaseException) -> str:
    """The first line of an error's message, short: it goes into a one-line refusal."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:160]
