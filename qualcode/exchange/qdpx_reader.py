"""One reading of a .qdpx: the GUIDs it has met, the references it follows and the parts of the
package it reads a text from, each wrong one listed in the package read."""

from __future__ import annotations

import posixpath
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import ImportFailed, UnreadableFile
from qualcode.exchange.codebook_file import ZIP_MAGIC
from qualcode.exchange.codebook_qdc import normal_guid
from qualcode.exchange.qdpx_elements import child_named, children_named, describe, local_name
from qualcode.exchange.qdpx_package import QdpxCase, QdpxCode, QdpxPackage, QdpxSource
from qualcode.untrusted import read_member

if TYPE_CHECKING:
    import zipfile

    from lxml import etree


class QdpxReader:
    """What one reading of a .qdpx has met so far, shared by the readers of its parts."""

    def __init__(self, archive: zipfile.ZipFile, package: QdpxPackage) -> None:
        self.archive = archive
        self.package = package
        self.names = set(archive.namelist())
        self.members: dict[str, list[str]] = {}  # each name in lower case -> the members so named in any case
        for name in archive.namelist():
            self.members.setdefault(name.lower(), []).append(name)
        self.seen: dict[str, etree._Element] = {}  # described only for a duplicate: there may be 100,000
        self.code_paths: dict[str, str] = {}  # a code's GUID -> its path in the file, for a GUID given twice
        self.now = datetime.now(UTC)  # no moment in the file may come after the reading
        self.text_paths: dict[str, str] = {}  # each TextSource's plain text part (lower case) -> its name
        self.source_cases: list[QdpxCase] = []  # cases without a name, which say what their sources are
        # What a Link may tie a note to, by GUID: a code, a source, or a selection (its source and place there).
        self.linkable: dict[str, QdpxCode | QdpxSource | tuple[QdpxSource, int]] | None = None
        self.elements: dict[str, etree._Element] | None = None  # every element of the file with a GUID, by it: found once, if asked

    def guid(self, element: etree._Element) -> str | None:
        """The element's GUID, or None (a problem is listed) when it is missing, malformed or taken."""
        raw = element.get("guid")
        guid = normal_guid(raw)
        if guid is None:
            self.package.problems.append(f"{describe(element)}: {'no' if raw is None else 'malformed'} GUID; skipped")
            return None
        if guid in self.seen:
            self.package.problems.append(f"{describe(element)}: duplicate GUID, already used by {describe(self.seen[guid])}; skipped")
            return None
        self.seen[guid] = element
        return guid

    def element_of(self, guid: str, within: etree._Element) -> etree._Element | None:
        """The element of the file (the one `within` is in) whose GUID is `guid`, read by qualcode or not; None if none is."""
        if self.elements is None:
            self.elements = {}
            for element in within.getroottree().getroot().iter("{*}*"):
                found = normal_guid(element.get("guid"))
                if found is not None:
                    self.elements.setdefault(found, element)
        return self.elements.get(guid)

    def skip_unknown(self, element: etree._Element, within: str | None = None) -> None:
        """List `element` (in the source named `within`) as skipped, as qualcode does not know it; a comment or
        processing instruction is no element to list."""
        if isinstance(element.tag, str):
            self.package.skipped.append(f"{describe(element)}{'' if within is None else f' in {within}'}: an element qualcode does not know")

    def refs(self, element: etree._Element, name: str) -> list[str]:
        return self.refs_among(children_named(element, name), element, name)

    def refs_among(self, refs: list[etree._Element], element: etree._Element, name: str) -> list[str]:
        """The targets of `refs`, children of `element` named `name`; a malformed one is a problem."""
        found = []
        for ref in refs:
            target = normal_guid(ref.get("targetGUID"))
            if target is None:
                self.package.problems.append(f"{name} (line {ref.sourceline}) in {describe(element)}: malformed targetGUID; skipped")
            else:
                found.append(target)
        return found

    def member(self, name: str, element: etree._Element) -> str | None:
        """The member called `name`, exactly or else in another case; two that differ only in case leave it unknown."""
        if name in self.names:
            return name
        found = self.members.get(name.lower(), [])
        if len(found) > 1:
            shown = " and ".join(sorted(found)[:2])
            raise UnreadableFile(
                f"{self.package.file_name}: {describe(element)} names {name}, which could be {shown}: they differ only in case; nothing imported",
                "give the parts names that differ in more than case in the other program, or export again",
            )
        return found[0] if found else None

    def source_member(self, path: str, element: etree._Element) -> str | None:
        """The part an `internal://` path names, looked up as `sources/…` in any case; None if absent."""
        scheme, _, rest = path.partition("://")
        if scheme.lower() != "internal":
            self.package.skipped.append(f"{describe(element)}: its text is outside the package ({path})")
            return None
        rest = rest.lstrip("/")
        # internal://x.txt is sources/x.txt: a path to any other member (project.qde) is no source's text.
        member = self.member(f"sources/{rest}", element)
        if member is not None and posixpath.normpath(member) == member:
            return member
        member = self.member(rest, element) if rest.lower().startswith("sources/") else None
        if member is not None and posixpath.normpath(member) == member:
            self.package.deviations.append(f"{describe(element)}: {path} names the sources/ folder, which internal:// already means")
            return member
        if rest.lower() in self.members or posixpath.normpath(f"sources/{rest}") != f"sources/{rest}":
            self.package.problems.append(f"{describe(element)}: {path} points outside the package's sources/ folder; skipped")
            return None
        owner = element.getparent()
        # A recording is known by its name, its transcript often only by a GUID and "… .transcribed".
        what = (f"the transcript of {describe(owner)}" if local_name(element) == "Transcript" and owner is not None
                else describe(element))
        if local_name(element) != "Note":  # a note's text is no source's: a file is not refused for it
            self.package.missing_parts.append((what, rest if rest.lower().startswith("sources/") else f"sources/{rest}"))
        self.package.problems.append(f"{what}: {path} is not in the package; skipped")
        return None

    def plain_text(self, element: etree._Element) -> tuple[str, str, bool] | None:
        """A text source's text: inline, from its plain-text member, or extracted from its .docx."""
        inline = child_named(element, "PlainTextContent")
        if inline is not None:
            return inline.text or "", "txt", False
        plain_path = element.get("plainTextPath")
        if plain_path:
            member = self.source_member(plain_path, element)
            if member is None:
                return None
            data = self._read(member)
            if data.startswith(ZIP_MAGIC) and member.lower().endswith(".docx"):
                # Named as plain text, a .docx decoded as text refused the whole file as binary.
                self.package.deviations.append(f"{describe(element)}: its plainTextPath names a .docx ({member}); read as that document's text")
                return self._docx_text(data, element, member), "docx", True
            return self._decode(data, element, member), "txt", False
        rich_path = element.get("richTextPath")
        if rich_path and rich_path.lower().endswith(".docx"):
            member = self.source_member(rich_path, element)
            # An unreadable one is named as the part read, not as the path was written (internal://sources/x.docx).
            return None if member is None else (self._docx_text(self._read(member), element, member), "docx", True)
        if rich_path:
            self.package.skipped.append(f"{describe(element)}: only a rich text {Path(rich_path).suffix or 'file'}, which qualcode cannot read")
            return None
        self.package.problems.append(f"{describe(element)}: no text (neither PlainTextContent nor plainTextPath); skipped")
        return None

    def _read(self, member: str) -> bytes:
        return read_member(self.archive, member, self.package.file_name)

    def _decode(self, data: bytes, element: etree._Element, member: str) -> str:
        try:
            return data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            from qualcode.text.encoding import decode_text

            try:
                decoded = decode_text(data, member, None)
            except ImportFailed as error:
                # Said of the package and the part read: the source's name alone, with a hint for a file, told neither.
                raise ImportFailed(f"{self.package.file_name}: {describe(element)}: {error.message}; nothing imported",
                                   "export the project again from the other program, with its sources as plain text or .docx") from None
            self.package.deviations.append(f"{describe(element)}: text is not UTF-8; read as {decoded.encoding}")
            return decoded.text

    def _docx_text(self, data: bytes, element: etree._Element, member: str) -> str:
        try:
            return docx_text(data, member)
        except ImportFailed as error:
            raise UnreadableFile(f"{self.package.file_name}: {describe(element)}: {error.message}") from None


def docx_text(data: bytes, member: str) -> str:
    """The text of a package's .docx part; an unreadable one is an ImportFailed that names the part, not a temporary file."""
    from qualcode.importers.docx_file import read_docx_file

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "source.docx"
        path.write_bytes(data)
        try:
            return read_docx_file(path).text
        except (ImportFailed, UnreadableFile) as error:
            raise ImportFailed(error.message.replace(str(path), member).replace(path.name, member), error.hint) from None
