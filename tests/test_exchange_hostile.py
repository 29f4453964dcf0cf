"""Hostile and broken .qdpx files: each refused with one line, exit 1, the project unchanged."""

from __future__ import annotations

import sqlite3
import stat
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import cli
from qualcode.errors import UnreadableFile
from qualcode.exchange.qdpx_read import read_qdpx
from qualcode.store.project import DATABASE_FILE, PROJECT_DIR

NS = "urn:QDA-XML:project:1.0"
GOOD_QDE = f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="x"/>'.encode()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _parent_member(path: Path) -> Path:
    return _zip(path, {"project.qde": GOOD_QDE, "../../evil.txt": b"x"})


def _absolute_member(path: Path) -> Path:
    return _zip(path, {"project.qde": GOOD_QDE, "/etc/evil.txt": b"x"})


def _symlink_member(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", GOOD_QDE)
        link = zipfile.ZipInfo("sources/link.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return path


def _xxe(path: Path) -> Path:
    qde = (
        '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<Project xmlns="{NS}" name="x"><Description>&x;</Description></Project>'
    ).encode()
    return _zip(path, {"project.qde": qde})


def _twice(path: Path, members: list[tuple[str, bytes]]) -> Path:
    """A zip holding a name twice, as a damaged or altered file may: zipfile warns, and writes it."""
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as archive:
        warnings.simplefilter("ignore")  # the duplicate name is the point
        for name, data in members:
            archive.writestr(name, data)
    return path


def _source_twice(path: Path) -> Path:
    """The text a source names, twice: Python's zipfile reads the last copy, another program may read the first."""
    qde = GOOD_QDE.replace(b"/>", b'><Sources><TextSource guid="0d9c9c56-4b7e-4d2e-9d8e-2f1a7c3b5e10" name="a"'
                                   b' plainTextPath="internal://a.txt"/></Sources></Project>')
    return _twice(path, [("project.qde", qde), ("sources/a.txt", b"D: Det var greit."), ("sources/a.txt", b"D: Det var ille.")])


def _broken_docx(written: str) -> Callable[[Path], Path]:
    """A source's .docx that is no .docx, named `written` in richTextPath: the refusal names the part read."""

    def make(path: Path) -> Path:
        qde = GOOD_QDE.replace(b"/>", b'><Sources><TextSource guid="0d9c9c56-4b7e-4d2e-9d8e-2f1a7c3b5e10" name="a"'
                                       b' richTextPath="' + written.encode() + b'"/></Sources></Project>')
        return _zip(path, {"project.qde": qde, "sources/a.docx": b"ikke en docx"})

    return make


def _project_twice(path: Path) -> Path:
    return _twice(path, [("project.qde", GOOD_QDE), ("project.qde", GOOD_QDE.replace(b'name="x"', b'name="y"'))])


def _project_in_two_cases(path: Path) -> Path:
    return _twice(path, [("project.qde", GOOD_QDE), ("Project.QDE", GOOD_QDE.replace(b'name="x"', b'name="y"'))])


def _no_project(path: Path) -> Path:
    return _zip(path, {"sources/a.txt": b"hei"})


def _malformed(path: Path) -> Path:
    return _zip(path, {"project.qde": f'<Project xmlns="{NS}" name="x"><Sources>'.encode()})


def _not_a_zip(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04 not really a zip")
    return path


def bomb(path: Path) -> Path:
    """A zip whose one member inflates to 1 GB of zeros from about 1 MB, written without compressing 1 GB.

    A deflate block ended by a full flush stands alone, so one compressed megabyte repeated is a
    valid stream of many.
    """
    chunk = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = block * 1024 + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(chunk, crc)
    size = 1 << 30
    name = b"sources/bomb.txt"
    qde = GOOD_QDE
    entries = [(b"project.qde", 0, zlib.crc32(qde), len(qde), len(qde), qde), (name, 8, crc, len(data), size, data)]
    body, directory = b"", b""
    for entry_name, method, entry_crc, packed, unpacked, payload in entries:
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, entry_crc, packed, unpacked, len(entry_name), 0)
        body += entry_name + payload
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, entry_crc, packed, unpacked,
            len(entry_name), 0, 0, 0, 0, 0, offset,
        ) + entry_name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    path.write_bytes(body + directory + end)
    return path


def _bomb(path: Path) -> Path:
    return bomb(path)


def _dense(path: Path) -> Path:
    """A project.qde of 2.1 million empty elements: 8 MB that unpacked to 8 kB, and 400 MB parsed."""
    return _zip(path, {"project.qde": GOOD_QDE.replace(b"/>", b">" + b"<b/>" * 2_100_000 + b"</Project>")})


def _large(path: Path) -> Path:
    """A project.qde of 70 MB (a project of a million words and 50,000 codings is 25 MB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("project.qde", "w", force_zip64=True) as qde:
        qde.write(GOOD_QDE.replace(b"/>", b">"))
        for _ in range(70):
            qde.write(b"".join(b"<Description>" + b"beskrivelse " * 82 + b"</Description>" for _ in range(1_000)))
        qde.write(b"</Project>")
    return path


HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "parent member": (_parent_member, "points outside the package"),
    "absolute member": (_absolute_member, "points outside the package"),
    "symlink member": (_symlink_member, "symbolic link"),
    "xxe doctype": (_xxe, "DTD"),
    "no project.qde": (_no_project, "no project.qde"),
    "malformed xml": (_malformed, "not well-formed XML"),
    "not a zip": (_not_a_zip, "not a readable"),
    "1 GB zip bomb": (_bomb, "refusing"),
    "2 million tags": (_dense, "fiendtlig.qdpx: its XML holds 2,100,003 tags or more (project.qde 2,100,003); refusing more than 2,000,000"),
    "70 MB project.qde": (_large, "fiendtlig.qdpx: part project.qde unpacks to 70,7"),
    "a source's part twice": (_source_twice, "fiendtlig.qdpx: 2 parts are named sources/a.txt, so which is meant cannot be told"),
    "project.qde twice": (_project_twice, "fiendtlig.qdpx: 2 parts are named project.qde, so which is meant cannot be told"),
    "project.qde in two cases": (_project_in_two_cases, "fiendtlig.qdpx: 2 parts are named project.qde (Project.QDE, project.qde)"),
    "a broken .docx": (_broken_docx("internal://a.docx"), "(line 1): sources/a.docx is not a readable .docx file"),
    "a broken .docx named in sources/": (_broken_docx("internal://sources/a.docx"), "(line 1): sources/a.docx is not a readable .docx file"),
    "a broken .docx named in another case": (_broken_docx("internal://A.docx"), "(line 1): sources/a.docx is not a readable .docx file"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_read_refuses(tmp_path: Path, case: str) -> None:
    make, expected = HOSTILE[case]
    with pytest.raises(UnreadableFile) as refused:
        read_qdpx(make(tmp_path / "fiendtlig.qdpx"))
    assert expected in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(("data", "hint"), [
    (b"", "the file is empty"),
    (b'\xef\xbb\xbf<?xml version="1.0"?><Project/>', "it is XML, not a .qdpx package"),
    (b"PK\x03\x04" + bytes(40), "damaged or cut short in copying: save or export it again as .qdpx"),
])
def test_a_file_that_is_no_zip_says_what_to_do(tmp_path: Path, data: bytes, hint: str) -> None:
    """A probe: an XML file named .qdpx, or one cut short, said only "(File is not a zip file)"."""
    path = tmp_path / "prosjekt.qdpx"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile) as refused:
        read_qdpx(path)
    assert refused.value.message.startswith("prosjekt.qdpx is not a readable .qdpx file") and hint in (refused.value.hint or "")


def _state(root: Path) -> str:
    """Every row of the project's database, as SQL."""
    with closing(sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE)) as connection:
        return "\n".join(connection.iterdump())


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_cli_refuses_with_one_line_and_changes_nothing(demo: Path, tmp_path: Path, case: str) -> None:
    make, expected = HOSTILE[case]
    path = make(tmp_path / "fiendtlig.qdpx")
    before = _state(demo)
    result = CliRunner().invoke(cli, ["--project", str(demo), "import", str(path)])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) <= 2 and expected in lines[0], result.output  # the error and at most its hint
    assert "Traceback" not in result.output
    assert _state(demo) == before
