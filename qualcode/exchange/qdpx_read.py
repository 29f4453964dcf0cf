"""Reading a REFI-QDA project (.qdpx) into plain data, liberally, without touching a project.

What cannot be read safely (a hostile or broken zip, XML with a DTD, no project.qde) is refused
with an UnreadableFile. Everything else is read as far as it goes: what breaks the schema is
listed as a deviation, what qualcode cannot hold (PDF, picture, audio and video sources and their
selections, links, graphs, sets, unknown elements) as skipped, and what refers to nothing or
repeats a GUID as a problem, each with its element, name and GUID.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import UnreadableFile
from qualcode.exchange.codebook_qdc import written_by
from qualcode.exchange.qdpx_cases import read_cases, read_set, read_variables, settle_variables
from qualcode.exchange.qdpx_codes import read_atlas_paths, read_codes
from qualcode.exchange.qdpx_elements import SHOWN, child_named, children_named, describe, local_name
from qualcode.exchange.qdpx_notes import description_note, read_link, read_notes
from qualcode.exchange.qdpx_package import QdpxPackage, QdpxUser
from qualcode.exchange.qdpx_reader import QdpxReader
from qualcode.exchange.qdpx_sources import read_sources
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


# What Links and Sets refer to: a file that puts one of these after them is read as though it had not.
_REFERRED_TO = frozenset({"CodeBook", "Variables", "Cases", "Sources", "Notes"})


def _read_project(reader: QdpxReader, root: etree._Element) -> None:
    package = reader.package
    variables: dict[str, tuple[str, str]] = {}
    project_notes: list[str] = []  # the project's and its variables' descriptions
    # Links and Sets refer to sources, notes and codes: read once all of those are, wherever the file puts them
    # (the schema puts them after; written before, each link and set was said unread).
    deferred: list[etree._Element] = []
    out_of_order: list[etree._Element] = []  # of those, each with what it refers to after it
    for element in root:
        kind = local_name(element)
        if kind in {"Links", "Sets"}:
            deferred.append(element)
            continue
        if kind in _REFERRED_TO:
            for early in (early for early in deferred if early not in out_of_order):
                out_of_order.append(early)
                package.deviations.append(f"<{local_name(early)}> (line {early.sourceline}) stands before <{kind}> (line {element.sourceline}),"
                                          " against the schema's order; read once the rest of the file is, as though it stood after")
        if kind == "Users":
            for user in children_named(element, "User"):
                guid = reader.guid(user)
                if guid is not None:
                    package.users[guid] = QdpxUser(guid, (user.get("name") or user.get("id") or "").strip())
        elif kind == "CodeBook":
            codes = child_named(element, "Codes")
            package.codes = read_codes(reader, codes) if codes is not None else []
            if written_by(package.origin, "atlas.ti"):
                read_atlas_paths(reader)
        elif kind == "Variables":
            read_variables(reader, element, variables, project_notes)
        elif kind == "Cases":
            package.cases = read_cases(reader, element, variables)
        elif kind == "Sources":
            read_sources(reader, element, variables)
        elif kind == "Notes":
            read_notes(reader, element)
        elif kind == "Graphs":
            for item in element.iterchildren("{*}*"):
                package.skipped.append(f"{describe(item)}: qualcode has no graphs")
        elif kind == "Description":  # QualCoder writes the project's memo here
            described = description_note(reader, root, "project-description", package.name)
            project_notes += [described] if described is not None else []
        elif kind == "NoteRef":
            continue
        else:
            reader.skip_unknown(element)
    for element in deferred:
        if local_name(element) == "Sets":
            for item in element:
                read_set(reader, item, variables, project_notes)
        else:
            # A comment or processing instruction among them is no link to list.
            for item in element.iterchildren("{*}*"):
                read_link(reader, item)
    package.project_notes = [*project_notes, *reader.refs(root, "NoteRef")]
    settle_variables(reader, variables)
