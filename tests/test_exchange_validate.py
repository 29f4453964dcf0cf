"""`qualcode exchange validate`: every problem of a .qdc or .qdpx printed with its place, exit 1; a valid file says so."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import cli
from qualcode.errors import UnreadableFile
from qualcode.exchange.codebook_qdc import load_qdc

GUID = "0d9c6a3e-5f0b-4e8a-9a53-1c2d3e4f5a6b"
SOURCE = "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"
CODEBOOK = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0">
  <Codes>
    <Code guid="{GUID}" name="måltall-press" isCodable="true" color="#2E7D32"/>
  </Codes>
</CodeBook>
"""
PROJECT = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="studie">
  <Sources>
    <TextSource guid="{SOURCE}" name="intervju" plainTextPath="internal://{SOURCE}.txt"/>
  </Sources>
</Project>
"""


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["exchange", "validate", *args])
    return result.exit_code, result.output


def _package(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def test_a_valid_codebook_and_project_are_valid(tmp_path: Path) -> None:
    (tmp_path / "kodebok.qdc").write_text(CODEBOOK, encoding="utf-8")
    assert _run(str(tmp_path / "kodebok.qdc")) == (0, f"{tmp_path / 'kodebok.qdc'}: valid\n")
    package = _package(tmp_path / "prosjekt.qdpx", {"project.qde": PROJECT, f"sources/{SOURCE}.txt": "Hei 😅"})
    assert _run(str(package)) == (0, f"{package}: valid\n")


def test_a_broken_codebook_is_reported_with_its_lines(tmp_path: Path) -> None:
    broken = CODEBOOK.replace(f'guid="{GUID}"', 'guid="ikke-en-guid"').replace(' isCodable="true"', "").replace("</Codes>", "</Codes>\n  <Sets/>")
    (tmp_path / "feil.qdc").write_bytes(b"\xef\xbb\xbf" + broken.encode())
    code, output = _run(str(tmp_path / "feil.qdc"))
    assert code == 1
    place = str(tmp_path / "feil.qdc")
    assert f"{place}:1: starts with a byte order mark" in output
    assert f"{place}:4: Element '{{urn:QDA-XML:codebook:1.0}}Code', attribute 'guid'" in output
    assert f"{place}:4: Element '{{urn:QDA-XML:codebook:1.0}}Code': The attribute 'isCodable' is required" in output
    assert f"{place}:6: Element '{{urn:QDA-XML:codebook:1.0}}Sets': Missing child element" in output
    assert "is not valid REFI-QDA: 4 problems" in output


def test_a_package_names_problems_inside_project_qde_and_missing_parts(tmp_path: Path) -> None:
    project = PROJECT.replace('name="intervju"', 'name="intervju" startPosition="3"')
    package = _package(tmp_path / "annen.qdpx", {"project.qde": project, f"Sources/{SOURCE}.txt": "Hei"})
    code, output = _run(str(package))
    assert code == 1
    assert f"{package}!project.qde:4: Element '{{urn:QDA-XML:project:1.0}}TextSource', attribute 'startPosition'" in output
    assert f"{package}: Sources/{SOURCE}.txt: the sources folder must be lower-case sources/" in output
    assert f"{package}!project.qde:4: plainTextPath internal://{SOURCE}.txt: no sources/{SOURCE}.txt in the package" in output


def test_a_package_without_project_qde_and_unreadable_files(tmp_path: Path) -> None:
    package = _package(tmp_path / "tom.qdpx", {"Project.QDE": PROJECT})
    code, output = _run(str(package))
    assert (code, output.splitlines()[0]) == (1, f"{package}: no project.qde in the package (found Project.QDE)")
    (tmp_path / "ødelagt.qdc").write_text("<CodeBook", encoding="utf-8")
    code, output = _run(str(tmp_path / "ødelagt.qdc"))
    assert code == 1 and "is not well-formed XML" in output and len(output.strip().splitlines()) == 1
    (tmp_path / "notat.txt").write_text("x", encoding="utf-8")
    assert _run(str(tmp_path / "notat.txt"))[0] == 1


@pytest.mark.parametrize("suffix", [".qdc", ".qdpx"])
def test_a_dtd_is_refused_not_followed(tmp_path: Path, suffix: str) -> None:
    hostile = '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]><CodeBook>&x;</CodeBook>'
    path = tmp_path / f"xxe{suffix}"
    if suffix == ".qdc":
        path.write_text(hostile, encoding="utf-8")
    else:
        _package(path, {"project.qde": hostile})
    code, output = _run(str(path))
    assert code == 1 and "DTD" in output and "root:" not in output


@pytest.mark.parametrize("suffix", [".qdc", ".qdpx"])
def test_millions_of_tags_are_refused_before_they_are_parsed(tmp_path: Path, suffix: str) -> None:
    """A 24 MB .qdc of 6 million empty elements took 800 MB to validate and 900 MB to import, and a
    150 kB .qdpx whose project.qde unpacked to 150 MB of them 4.9 GB: each may hold 2 million tags."""
    empty = "<b/>" * 2_100_000
    if suffix == ".qdc":
        dense = CODEBOOK.replace('color="#2E7D32"/>', f'color="#2E7D32">{empty}</Code>')
    else:
        dense = PROJECT.replace('.txt"/>', f'.txt">{empty}</TextSource>')
    path = tmp_path / f"tett{suffix}"
    if suffix == ".qdc":
        path.write_text(dense, encoding="utf-8")
    else:
        _package(path, {"project.qde": dense, f"sources/{SOURCE}.txt": "Hei"})
    code, output = _run(str(path))
    assert code == 1 and len(output.strip().splitlines()) == 1, output
    assert "2,100,0" in output and "tags" in output and "refusing more than 2,000,000 (hint: " in output
    if suffix == ".qdc":
        with pytest.raises(UnreadableFile, match="a codebook of 10,000 codes holds far fewer"):
            load_qdc(path)


def test_a_guid_given_twice_is_a_problem_as_the_import_finds_it(tmp_path: Path) -> None:
    """A .qdc listing one code GUID twice, which `codebook import` refuses, was said valid (the schema knows no keys)."""
    twice = CODEBOOK.replace("</Codes>", f'  <Code guid="{{{GUID.upper()}}}" name="helse" isCodable="true"/>\n  </Codes>')
    (tmp_path / "to-ganger.qdc").write_text(twice, encoding="utf-8")
    code, output = _run(str(tmp_path / "to-ganger.qdc"))
    assert code == 1
    assert f"{tmp_path / 'to-ganger.qdc'}:5: Code 'helse' has the GUID of Code 'måltall-press' (line 4); other programs take one for the other" in output
    coding = f'<Coding guid="{SOURCE}"><CodeRef targetGUID="{GUID}"/></Coding>'
    project = PROJECT.replace(
        '.txt"/>', f'.txt">\n<PlainTextSelection guid="{GUID}" startPosition="0" endPosition="3">{coding}</PlainTextSelection></TextSource>'
    )
    package = _package(tmp_path / "prosjekt.qdpx", {"project.qde": project, f"sources/{SOURCE}.txt": "Hei 😅"})
    code, output = _run(str(package))
    assert code == 1
    assert f"{package}!project.qde:5: Coding has the GUID of TextSource 'intervju' (line 4); other programs take one for the other" in output


def test_a_reference_to_nothing_in_the_file_is_a_problem_as_the_import_finds_it(tmp_path: Path) -> None:
    selection = (f'<PlainTextSelection guid="{GUID}" startPosition="0" endPosition="3"><NoteRef targetGUID="{{{SOURCE.upper()}}}"/>'
                 '<Coding guid="2f3e4d5c-6b7a-4899-8a0b-d1e2f3a4b5c6"><CodeRef targetGUID="3a4b5c6d-7e8f-4a0b-9c1d-e2f3a4b5c6d7"/></Coding>'
                 "</PlainTextSelection>")
    project = PROJECT.replace('.txt"/>', f'.txt">\n{selection}</TextSource>')
    package = _package(tmp_path / "prosjekt.qdpx", {"project.qde": project, f"sources/{SOURCE}.txt": "Hei 😅"})
    code, output = _run(str(package))
    assert code == 1
    assert f"{package}!project.qde:5: CodeRef refers to 3a4b5c6d-7e8f-4a0b-9c1d-e2f3a4b5c6d7, which nothing in the file has" in output
    assert "NoteRef refers" not in output  # one in braces and capitals (the schema's to say) is to the source of that GUID
