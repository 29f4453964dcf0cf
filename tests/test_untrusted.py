"""The one check every reader of a package from outside goes through: sizes by the archive's
directory and tags counted as the XML unpacks, before anything is parsed; small limits here, the
readers' own in their tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from qualcode.errors import UnreadableFile
from qualcode.untrusted import (
    PackageLimits,
    check_package_xml,
    open_package,
    parse_xml,
    read_member,
)

SMALL = PackageLimits(xml_bytes=10_000, xml_tags=1_000, hint="gjør noe")


def package(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def refusal(source: bytes, limits: PackageLimits = SMALL) -> str:
    with pytest.raises(UnreadableFile) as refused:
        open_package(source, "innsendt.docx", limits).close()
    assert "\n" not in str(refused.value)
    return str(refused.value)


def test_tags_are_counted_over_every_xml_part_together_and_the_refusal_says_where_and_what_to_do() -> None:
    """Each part alone is within the limit; together they are not."""
    within = package({"a.xml": b"<a>" + b"<b/>" * 400 + b"</a>", "b.xml": b"<a>" + b"<b/>" * 400 + b"</a>"})
    open_package(within, "innsendt.docx", SMALL).close()
    over = package({"a.xml": b"<a>" + b"<b/>" * 400 + b"</a>", "b.rels": b"<a>" + b"<b/>" * 700 + b"</a>"})
    assert refusal(over) == (
        "innsendt.docx: its XML holds 1,104 tags or more (b.rels 702); refusing more than 1,000 (gjør noe)"
    )


def test_an_xml_part_over_its_size_is_refused_by_the_archive_s_directory() -> None:
    assert refusal(package({"word/document.xml": b"<a>" + b" " * 20_000 + b"</a>"})) == (
        "innsendt.docx: part word/document.xml unpacks to 20,007 bytes; refusing XML parts over 10,000 bytes (gjør noe)"
    )


def test_a_part_is_xml_by_its_first_bytes_whatever_its_name() -> None:
    """python-docx and openpyxl take a part's kind from the package's content types, not its name:
    a document part named `word/document` is parsed as XML all the same."""
    renamed = package({"word/document": b"\xef\xbb\xbf  \n" + b"<a>" + b"<b/>" * 2_000 + b"</a>"})
    assert "its XML holds 2,002 tags or more (word/document 2,002)" in refusal(renamed)
    spaced = package({"word/document": b" " * 1_000 + b"<a>" + b"<b/>" * 2_000 + b"</a>"})
    assert "(word/document 2,002)" in refusal(spaced)
    large = package({"word/document": b"<a>" + b" " * 20_000 + b"</a>"})
    assert "part word/document is XML that unpacks to 20,007 bytes; refusing XML parts over 10,000 bytes" in refusal(large)
    # A picture whose bytes hold "<" here and there is no XML, and is never parsed.
    picture = b"\x89PNG\r\n\x1a\n" + b"<<<<" * 5_000
    open_package(package({"word/media/image1.png": picture}), "innsendt.docx", SMALL).close()


def test_an_encrypted_xml_part_is_refused_and_other_parts_are_left_to_their_reader() -> None:
    """No one here unpacks an encrypted part; a source's text encrypted in a .qdpx is named by its
    reader, which goes on with the rest."""
    def encrypted(name: str) -> bytes:
        data = bytearray(package({name: b"<a/>" * 2_000}))
        # zipfile will not write an encrypted part: its flag is set in the local and the central header.
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            data[data.index(signature) + offset] |= 0x1
        return bytes(data)

    assert refusal(encrypted("word/document.xml")) == (
        "innsendt.docx: part word/document.xml is encrypted; refusing to read it"  # no hint about size
    )
    with open_package(encrypted("sources/a.txt"), "innsendt.qdpx", SMALL) as archive:
        with pytest.raises(UnreadableFile, match="part sources/a.txt cannot be read"):
            read_member(archive, "sources/a.txt", "innsendt.qdpx")


def test_tags_are_not_counted_where_the_limits_say_so() -> None:
    """What qualcode has just written itself (an export's leak check) is as large as the project."""
    many = package({"a.xml": b"<a>" + b"<b/>" * 2_000 + b"</a>"})
    open_package(many, "eksport.docx", PackageLimits(xml_tags=None)).close()
    check_package_xml(many, "eksport.docx", limits=PackageLimits(xml_tags=None))
    with pytest.raises(UnreadableFile, match="refusing more than 1,000"):
        check_package_xml(many, "eksport.docx", limits=SMALL)


def test_bare_xml_is_refused_by_its_tags_before_it_is_parsed() -> None:
    data = b"<a>" + b"<b/>" * 1_000 + b"</a>"
    assert len(parse_xml(data, "kodebok.qdc", PackageLimits(xml_tags=1_002))) == 1_000
    with pytest.raises(UnreadableFile) as refused:
        parse_xml(data, "kodebok.qdc", SMALL)
    assert str(refused.value) == "kodebok.qdc holds 1,002 tags; refusing more than 1,000 (gjør noe)"


def test_a_package_holding_two_parts_of_one_name_is_refused_before_any_is_read() -> None:
    """Python's zipfile reads the last of two parts of one name; Word may show the first: a leak check
    or a review import read other words than the person sees."""
    import warnings

    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # the duplicate name is the point
        archive.writestr("word/document.xml", b"<a>Hilde</a>")
        archive.writestr("word/document.xml", b"<a>ingen</a>")
    assert refusal(buffer.getvalue()) == (
        "innsendt.docx: 2 parts are named word/document.xml, so which is meant cannot be told (a damaged or altered"
        " file); nothing was read from it (save it again from the program that made it, then give that file)"
    )


def test_leakcheck_refuses_a_document_whose_name_hides_behind_a_second_part_of_one_name(demo: Path) -> None:
    """The leak check passed a .docx whose first word/document.xml names someone the key holds, as its
    second, which Python reads, does not."""
    import shutil
    import warnings

    from docx import Document

    from tests.test_cli import run

    written = demo.parent / "utkast.docx"
    document = Document()
    document.add_paragraph("Et sitat om ingen.")
    document.save(str(written))
    with zipfile.ZipFile(written) as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    altered = demo.parent / "endret.docx"
    named = parts["word/document.xml"].replace(b"Et sitat om ingen.", b"Et sitat om Hilde.")
    with warnings.catch_warnings(), zipfile.ZipFile(altered, "w") as archive:
        warnings.simplefilter("ignore")
        archive.writestr("word/document.xml", named)
        for name, data in parts.items():
            archive.writestr(name, data)
    shutil.copy(written, demo.parent / "kopi.docx")
    assert run("--project", str(demo), "leakcheck", str(demo.parent / "kopi.docx")).exit_code == 0
    checked = run("--project", str(demo), "leakcheck", str(altered))
    assert checked.exit_code == 1, checked.output
    assert "2 parts are named word/document.xml" in checked.output and "Traceback" not in checked.output
