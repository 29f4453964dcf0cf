"""Office packages (.docx, .odt) opened within limits, before a third-party reader sees them.

A package is a zip of XML parts and media. It is opened through qualcode.untrusted, as every
package from outside is: sizes are checked from the zip's directory, and the tags of its XML
counted as it unpacks, before anything is parsed. Each XML part is then unpacked in bounded
steps, stopping at its stated size, and parsed once without DTDs (so no entity can expand) and
with a cap on nesting. What the reader gets is a copy holding only the checked XML parts, stored
uncompressed, with media left empty: a reader never inflates anything, and nothing it reads was
not checked.
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.sax import SAXException, SAXParseException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.expatreader import create_parser

from qualcode.errors import ImportFailed, UnreadableFile
from qualcode.untrusted import XML_SUFFIXES, PackageLimits
from qualcode.untrusted import open_package as open_untrusted

# A transcript is far smaller than this: the sample .docx holds a third of a tag a word beside its
# styles (24,000), and Word, which wraps each paragraph and run in properties, some 10 to 40 tags
# a paragraph, so a two-hour interview of 20,000 words is tens of thousands of tags. A .docx of 2
# million tags imports in 330 MB; odfpy takes twice what python-docx does a tag (an .odt of 1
# million: 530 MB; of 2 million: 1.05 GB), so an .odt may hold half as many. Pictures are never
# unpacked (the copy leaves them empty), but count towards the whole.
DOCX_LIMITS = PackageLimits(
    total_bytes=256 << 20, xml_bytes=32 << 20, xml_tags=2_000_000,
    hint="a transcript is far smaller: if it really is this long, split it into smaller files, then import",
)
ODT_LIMITS = PackageLimits(
    total_bytes=256 << 20, xml_bytes=32 << 20, xml_tags=1_000_000,
    hint="a transcript is far smaller: if it really is this long, split it into smaller files, then import",
)
MAX_DEPTH = 256  # element nesting; Word and LibreOffice stay far below
CHUNK = 1 << 20
SPOOL_IN_MEMORY = 32 << 20  # larger copies go to a temporary file
SMALL_TEXT_MEMBERS = {"mimetype"}
# Encrypted Office files and old .doc files are OLE compound documents, not zip packages.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What a damaged zip raises: a bad directory, a bad CRC, a broken deflate stream, an unknown method.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)


class _TooDeep(SAXException):
    pass


class _DepthGuard(ContentHandler):
    """Counts nesting while the parser checks that the part is well-formed."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0

    def startElement(self, name: str, attrs: object) -> None:  # noqa: N802 - the SAX API's name
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep(f"elements nest deeper than {MAX_DEPTH} levels")

    def endElement(self, name: str) -> None:  # noqa: N802
        self.depth -= 1


@dataclass
class Package:
    """A checked copy of a package for a reader, and the names of its parts."""

    stream: IO[bytes]
    names: set[str]

    def read(self, name: str) -> bytes:
        self.stream.seek(0)
        with zipfile.ZipFile(self.stream) as archive:
            return archive.read(name)

    def close(self) -> None:
        self.stream.close()


def check_not_encrypted(path: Path, kind: str) -> None:
    """Refuse an empty file, and an encrypted or old binary Office file, before it is opened as a zip."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise ImportFailed(f"{path.name} is empty", "check that you picked the right file")
    if head == OLE_SIGNATURE:
        raise ImportFailed(
            f"{path.name} is password-protected or an old binary {kind} file",
            f"remove the password or save it as {kind} again, then import",
        )


def open_package(path: Path, kind: str) -> Package:
    """A copy of the package at `path` that is safe to hand to a reader, or a one-line refusal."""
    try:
        archive = open_untrusted(path, path.name, ODT_LIMITS if kind == ".odt" else DOCX_LIMITS)
    except UnreadableFile as error:
        raise ImportFailed(error.message, error.hint or "open and re-save it, then import") from None
    with archive:
        # A name given twice is read as its last entry, as zipfile and every reader do.
        members = [info for info in archive.infolist() if archive.getinfo(info.filename) is info]
        parts = [info for info in members if _is_xml(info) or info.filename in SMALL_TEXT_MEMBERS]
        checked = {info.filename for info in parts}
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - closed by Package
        try:
            with zipfile.ZipFile(spool, "w", zipfile.ZIP_STORED) as copy:
                for info in members:
                    if info.is_dir():
                        continue
                    if info.filename in checked:
                        _copy_checked(archive, info, copy, path.name, kind)
                    else:
                        copy.writestr(info.filename, b"")  # media: never unpacked, never parsed
        except BaseException:
            spool.close()
            raise
    spool.seek(0)
    return Package(spool, {info.filename for info in members})


def read_small_part(path: Path, name: str, limit: int = 1 << 20) -> bytes | None:
    """One small part's bytes, unpacked no further than `limit`; None if it cannot be had."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(name) as part:
            data = part.read(limit + 1)
    except (*_ZIP_ERRORS, KeyError):
        return None
    return data if len(data) <= limit else None


def _is_xml(info: zipfile.ZipInfo) -> bool:
    return info.filename.lower().endswith(XML_SUFFIXES) or info.filename == "[Content_Types].xml"


def _copy_checked(archive: zipfile.ZipFile, info: zipfile.ZipInfo, copy: zipfile.ZipFile, name: str, kind: str) -> None:
    """Unpack one part in bounded steps, check it as it comes, and store it in the copy."""
    part = info.filename

    def refuse(problem: str) -> ImportFailed:
        return ImportFailed(f"{name} is not a readable {kind} file ({part}: {problem})", "open and re-save it, then import")

    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise refuse("packed in a way Word and LibreOffice never use")
    if info.flag_bits & 0x1:
        raise ImportFailed(f"{name} is password-protected", f"remove the password and save it as {kind} again, then import")
    parser = create_parser(forbid_dtd=True, forbid_entities=True, forbid_external=True) if _is_xml(info) else None
    if parser is not None:
        parser.setContentHandler(_DepthGuard())
    try:
        with archive.open(info) as source, copy.open(part, "w") as target:
            # ZipExtFile stops at the size the directory states, so this loop is bounded by it.
            while chunk := source.read(CHUNK):
                if parser is not None:
                    parser.feed(chunk)
                target.write(chunk)
        if parser is not None:
            parser.close()
    except (DTDForbidden, EntitiesForbidden):
        raise refuse("it declares entities in a DTD, which Word and LibreOffice never write") from None
    except DefusedXmlException:
        raise refuse("it refers to something outside the file") from None
    except _TooDeep as error:
        raise refuse(str(error)) from None
    except SAXParseException as error:
        raise refuse(f"not well-formed XML at line {error.getLineNumber()}, column {error.getColumnNumber()}: {error.getMessage()}") from None
    except _ZIP_ERRORS as error:
        raise refuse(f"damaged: {error}") from None
