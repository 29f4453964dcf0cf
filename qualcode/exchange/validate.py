"""Checking a `.qdc` or `.qdpx` file as other programs will read it: the schema, and a package's parts.

Each problem names its place as compilers do, `FILE:line: message`, or for the project inside a
package `FILE!project.qde:line: message`, so an editor can jump to it.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.codebook.model import QDC_LIMITS
from qualcode.errors import ImportFailed, InvalidInput, UnreadableFile
from qualcode.exchange.qdpx_elements import SHOWN, local_name
from qualcode.exchange.schema import schema_problems
from qualcode.text.normalise import shortened
from qualcode.untrusted import QDPX_LIMITS, open_package, parse_xml, read_member

if TYPE_CHECKING:
    from lxml import etree

PROJECT_MEMBER = "project.qde"
SOURCES_FOLDER = "sources/"
INTERNAL = "internal://"
MAX_XML_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Finding:
    """One problem in an exchange file, at a place (`FILE:line` or `FILE!member:line`)."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


def validate_exchange_file(path: Path) -> list[Finding]:
    """Every problem of a `.qdc` or `.qdpx` file; an empty list means another program can read it."""
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file" if path.exists() else f"{path} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".qdc":
        if path.stat().st_size > MAX_XML_BYTES:
            raise UnreadableFile(f"{path.name} is over {MAX_XML_BYTES // 1024 // 1024} MB; refusing to read it")
        return _xml_findings(path.read_bytes(), str(path), "CodeBook")
    if suffix == ".qdpx":
        return _package_findings(path)
    raise InvalidInput(f"{path.name}: exchange validate reads .qdc and .qdpx files")


def _xml_findings(data: bytes, place: str, expected: str) -> list[Finding]:
    if data.startswith(b"\xef\xbb\xbf"):
        bom = [Finding(f"{place}:1", "starts with a byte order mark (BOM), which some programs reject")]
    else:
        bom = []
    root = parse_xml(data, place, QDC_LIMITS if expected == "CodeBook" else QDPX_LIMITS)
    found = root.tag.rpartition("}")[2] if isinstance(root.tag, str) else "?"
    if found != expected:
        # The schema's messages about a root of the wrong kind would only confuse: this is the one problem.
        holder = "a .qdc file" if expected == "CodeBook" else f"a .qdpx's {PROJECT_MEMBER}"
        return [*bom, Finding(f"{place}:{root.sourceline}", f"the root is <{found}>, but {holder} holds a <{expected}>")]
    return bom + [Finding(f"{place}:{problem.line}", problem.message) for problem in schema_problems(root)] + _guid_findings(root, place)


def _guid_findings(root: etree._Element, place: str) -> list[Finding]:
    """What the schema cannot check, as qualcode's import finds it: a GUID given to two elements, and a
    reference (CodeRef, NoteRef, a set's MemberCode …) to a GUID nothing in the file has. GUIDs are
    compared as qualcode reads them, in any case and with or without braces."""
    from qualcode.exchange.codebook_qdc import normal_guid

    findings = []
    owners: dict[str, etree._Element] = {}
    for element in root.iter("{*}*"):
        guid = normal_guid(element.get("guid"))
        if guid is None:
            continue  # a missing or malformed one is the schema's to say
        first = owners.setdefault(guid, element)
        if first is not element:
            findings.append(Finding(f"{place}:{element.sourceline}", f"{_named(element)} has the GUID of {_named(first)}"
                                                                     f" (line {first.sourceline}); other programs take one for the other"))
    for element in root.iter("{*}*"):
        kind = local_name(element)
        target = normal_guid(element.get("targetGUID")) if kind.endswith("Ref") or kind.startswith("Member") else None
        if target is not None and target not in owners:
            findings.append(Finding(f"{place}:{element.sourceline}", f"{kind} refers to {target}, which nothing in the file has"))
    return findings


def _named(element: etree._Element) -> str:
    """An element by its kind and name, as a finding's line already says where."""
    name = element.get("name")
    return local_name(element) + (f" {shortened(name, SHOWN)!r}" if name else "")


def _package_findings(path: Path) -> list[Finding]:
    findings: list[Finding] = []
    with open_package(path, limits=QDPX_LIMITS, refuse_named_twice=False) as archive:  # listed among the findings
        names = archive.namelist()
        for name, count in Counter(names).items():
            if count > 1:
                findings.append(Finding(str(path), f"{name}: {count} parts of the package have this name; other programs read only one"))
        for name in names:
            if name.lower().startswith(SOURCES_FOLDER) and not name.startswith(SOURCES_FOLDER):
                findings.append(Finding(str(path), f"{name}: the sources folder must be lower-case sources/"))
        if PROJECT_MEMBER not in names:
            # Another case, or the project's own name (ATLAS.ti's "Intervjuer.qde"), which qualcode's import reads.
            close = [name for name in names if name.lower() == PROJECT_MEMBER] or sorted(
                name for name in names if name.lower().endswith(".qde") and "/" not in name
            )
            found = f" (found {close[0]})" if close else ""
            return [*findings, Finding(str(path), f"no {PROJECT_MEMBER} in the package{found}")]
        place = f"{path}!{PROJECT_MEMBER}"
        data = read_member(archive, PROJECT_MEMBER, path.name)
        findings.extend(_xml_findings(data, place, "Project"))
        members = set(names)
        root = parse_xml(data, place, QDPX_LIMITS)
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for attribute in ("plainTextPath", "richTextPath", "path"):
                value = element.get(attribute)
                if value is None or not value.startswith(INTERNAL):
                    continue
                member = SOURCES_FOLDER + value[len(INTERNAL):]
                if posixpath.normpath(member) != member or member not in members:
                    findings.append(Finding(f"{place}:{element.sourceline}", f"{attribute} {value}: no {member} in the package"))
                    continue
                unreadable = _unreadable(archive, member, path.name)
                if unreadable:
                    findings.append(Finding(f"{place}:{element.sourceline}", f"{attribute} {value}: {unreadable}"))
    return findings


def _unreadable(archive: zipfile.ZipFile, member: str, file_name: str) -> str | None:
    """Why a part a source names cannot be read (encrypted, a bad checksum or size, not a readable .docx); None if it can."""
    from qualcode.exchange.qdpx_reader import docx_text

    if archive.getinfo(member).flag_bits & 0x1:
        return f"{member} is encrypted"
    try:
        data = read_member(archive, member, file_name)
        if member.lower().endswith(".docx"):
            docx_text(data, member)
    except (UnreadableFile, ImportFailed) as error:
        return error.message.removeprefix(f"{file_name}: ")
    return None
