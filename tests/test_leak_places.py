"""The leak check reads every place a Word document, a workbook or a .qdpx keeps words, not only
their paragraphs and cells: alt text, tooltips, content controls, form fields, bookmarks, simple
fields, people.xml, custom properties, document variables, custom XML, HTML chunks, SmartArt and
embedded workbooks; a workbook's links, formulas, tables and validations; a .qdpx's member names.
Each was a hostile tester's probe that `qualcode leakcheck` passed as clean."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.leakcheck import check_file

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
PEOPLE_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml"


def _key() -> PseudonymKey:
    key = PseudonymKey("steder")
    add_identifier(key, "Kari Nordmann", "person", "f")
    add_identifier(key, "Sissel Bakken", "person", "f")
    return key


def _word(path: Path, body: str = "", parts: dict[str, str | bytes] | None = None, types: str = "") -> Path:
    """A document python-docx writes, with `body` put before its first paragraph's runs, `parts`
    added to the package and `types` declared in its content types."""
    written = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Ingen navn her.")
    document.save(written)
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:p>", b"<w:p>" + body.encode(), 1)
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", types.encode() + b"</Types>")
            target.writestr(item, data)
        for name, data in (parts or {}).items():
            target.writestr(name, data)
    return path


def _workbook() -> bytes:
    written = io.BytesIO()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "Sissel Bakken"
    workbook.save(written)
    return written.getvalue()


WORD_PLACES: dict[str, dict[str, object]] = {
    "bookmark": {"body": '<w:bookmarkStart w:id="9" w:name="Kari_Nordmann"/><w:bookmarkEnd w:id="9"/>'},
    "simple field": {"body": '<w:fldSimple w:instr="AUTHOR Kari Nordmann"><w:r><w:t>x</w:t></w:r></w:fldSimple>'},
    "link's tooltip": {"body": '<w:hyperlink w:anchor="x" w:tooltip="Sissel Bakken"><w:r><w:t>lenke</w:t></w:r></w:hyperlink>'},
    "content control": {"body": '<w:sdt><w:sdtPr><w:alias w:val="Sissel Bakken"/></w:sdtPr><w:sdtContent><w:r><w:t>x</w:t></w:r></w:sdtContent></w:sdt>'},
    "alt text": {"body": '<w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
                         '<wp:extent cx="1" cy="1"/><wp:docPr id="1" name="Bilde 1" descr="Foto av Sissel Bakken"/></wp:inline></w:drawing></w:r>'},
    "form field": {"body": '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="navn"/><w:textInput>'
                           '<w:default w:val="Sissel Bakken"/></w:textInput></w:ffData></w:fldChar></w:r>'},
    "shape's alt text": {"body": '<w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml" alt="Sissel Bakken"/></w:pict></w:r>'},
    "field code split over runs": {"body": '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> AUTHOR </w:instrText></w:r>'
                                           '<w:r><w:instrText>"Sissel</w:instrText></w:r><w:r><w:instrText> Bakken"</w:instrText></w:r>'
                                           '<w:r><w:fldChar w:fldCharType="end"/></w:r>'},
    "deleted field code": {"body": '<w:del w:id="1" w:author="x"><w:r><w:delInstrText> AUTHOR "Sissel Bakken" </w:delInstrText></w:r></w:del>'},
    "WordArt": {"body": '<w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textpath string="Sissel Bakken"/></v:shape></w:pict></w:r>'},
    "people.xml": {"parts": {"word/people.xml": '<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
                                                '<w15:person w15:author="Sissel Bakken"/></w15:people>'},
                   "types": f'<Override PartName="/word/people.xml" ContentType="{PEOPLE_TYPE}"/>'},
    "custom property's name": {"parts": {"docProps/custom.xml": '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                                                              'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                                                              '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Sissel Bakken">'
                                                              '<vt:lpwstr>x</vt:lpwstr></property></Properties>'}},
    "HTML chunk": {"parts": {"word/afchunk.htm": "<html><body><p>Sissel Bakken</p></body></html>"}},
    "custom XML": {"parts": {"customXml/item9.xml": "<skjema><navn>Sissel Bakken</navn></skjema>"}},
    "SmartArt": {"parts": {"word/diagrams/data1.xml": '<dgm:dataModel xmlns:dgm="urn:d" xmlns:a="urn:a"><a:t>Sissel Bakken</a:t></dgm:dataModel>'}},
    "embedded workbook": {"parts": {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": _workbook()}},
}


@pytest.mark.parametrize("place", WORD_PLACES)
def test_a_name_a_word_document_keeps_beside_its_paragraphs_is_found(tmp_path: Path, place: str) -> None:
    path = _word(tmp_path / "notat.docx", **WORD_PLACES[place])  # type: ignore[arg-type]
    found = {leak.found for leak in check_file(path, _key())}
    assert found & {"Sissel Bakken", "Kari Nordmann", "Kari_Nordmann", '"Sissel Bakken"'}, (place, found)


def test_a_field_s_own_name_is_word_s_and_no_one_s(tmp_path: Path) -> None:
    """A report's footer holds the field PAGE: with a surname Page in the key, every report was
    refused for "person 'PAGE' (footer1.xml instrText)". The field's name is Word's; what follows it
    is read (AUTHOR "Page" is a name)."""
    key = _key()
    add_identifier(key, "Page", "person", "m")
    field = '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {} </w:instrText></w:r>' \
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    assert check_file(_word(tmp_path / "side.docx", field.format("PAGE")), key) == []
    assert [leak.found for leak in check_file(_word(tmp_path / "forfatter.docx", field.format('AUTHOR "Page"')), key)] == ["Page"]


def _sheet(change: Callable[[openpyxl.Workbook, object], None], path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "navn"
    change(workbook, sheet)
    workbook.save(str(path))
    return path


def _link(workbook: openpyxl.Workbook, sheet: object) -> None:
    sheet["A2"] = "lenke"  # type: ignore[index]
    sheet["A2"].hyperlink = "mailto:sissel.bakken@eksempel.no"  # type: ignore[index]


def _formula(workbook: openpyxl.Workbook, sheet: object) -> None:
    sheet["A2"] = '="Sissel Bakken"'  # type: ignore[index]


def _table(workbook: openpyxl.Workbook, sheet: object) -> None:
    from openpyxl.worksheet.table import Table

    sheet["A2"] = "x"  # type: ignore[index]
    sheet.add_table(Table(displayName="Sissel_Bakken", ref="A1:A2"))  # type: ignore[attr-defined]


def _validation(workbook: openpyxl.Workbook, sheet: object) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    validation = DataValidation(type="list", formula1='"Sissel Bakken,Ola"', prompt="Velg Sissel Bakken")
    sheet.add_data_validation(validation)  # type: ignore[attr-defined]
    validation.add("B1")


@pytest.mark.parametrize("change", [_link, _formula, _table, _validation], ids=["link", "formula", "table", "validation"])
def test_a_name_a_workbook_keeps_beside_its_cells_values_is_found(tmp_path: Path, change: Callable[[openpyxl.Workbook, object], None]) -> None:
    found = {leak.found.casefold() for leak in check_file(_sheet(change, tmp_path / "liste.xlsx"), _key())}
    assert found & {"sissel bakken", "sissel_bakken", "sissel.bakken"}, found


def test_a_name_a_workbook_s_shared_strings_hold_beside_what_its_cells_show_is_found(tmp_path: Path) -> None:
    """A shared string no cell refers to, and a string's phonetic reading (rPh), are kept in the
    file, and openpyxl reads neither: they passed the check."""
    written = io.BytesIO()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "ok"
    workbook.save(written)
    strings = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">'
               '<si><t>ok</t><rPh sb="0" eb="2"><t>Sissel Bakken</t></rPh></si><si><t>Kari Nordmann</t></si></sst>')
    path = tmp_path / "liste.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename).decode()
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(r'<c r="A1"[^>]*>.*?</c>', '<c r="A1" t="s"><v>0</v></c>', data)
            elif item.filename == "[Content_Types].xml":
                data = data.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
                                    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace("</Relationships>", '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                                    'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            target.writestr(item, data)
        target.writestr("xl/sharedStrings.xml", strings)
    loaded = openpyxl.load_workbook(path).active
    assert loaded is not None and loaded["A1"].value == "ok"  # what a reader of the cells sees
    assert sorted(leak.found for leak in check_file(path, _key())) == ["Kari Nordmann", "Sissel Bakken"]


def test_a_name_in_a_qdpx_member_s_name_is_found(tmp_path: Path) -> None:
    path = tmp_path / "prosjekt.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", "<Project/>")
        archive.writestr("sources/Sissel Bakken.png", b"\x89PNG")
        archive.writestr("sources/0c1d2e3f-0000-4000-8000-0000000a4764.txt", "Ingen navn her.")
    assert [(leak.where, leak.found) for leak in check_file(path, _key())] == [("member name", "Sissel Bakken")]


@pytest.mark.parametrize("filler", ["\u3164", "\uffa0", "\u115f", "\u1160"])
def test_a_name_joined_by_a_hangul_filler_is_pseudonymised_and_found(demo: Path, tmp_path: Path, filler: str) -> None:
    """A Hangul filler is a letter that shows as a blank: "Sissel\u3164Bakken" reads as Sissel Bakken,
    yet was one word to the key. A memo so typed was stored as typed, and the report that printed it
    passed the leak guard, as did the file to `qualcode leakcheck`. It goes as other invisible
    characters go; in an old Hangul syllable spelt in conjoining letters it stays."""
    from qualcode.text.normalise import visible
    from tests.test_cli import run

    said = f"Ring Sissel{filler}Bakken i morgen."
    note = tmp_path / "notat.txt"
    note.write_text(said + "\n", encoding="utf-8")
    assert [leak.found for leak in check_file(note, _key())] == ["SisselBakken"]
    coded = run("--project", str(demo), "coding", "add", "leder_L1", "måltall-press", "--match", "vi må nå måltallet før jul",
                "--memo", said)
    assert coded.exit_code == 0, coded.output
    coded = run("--project", str(demo), "--coder", "Forsker", "coding", "add", "deltaker_D1_T1", "brukermedvirkning",
                "--match", "Vi satt sammen og lagde handlingsplanen, og hun spurte hva jeg ville.")
    assert coded.exit_code == 0, coded.output
    report = tmp_path / "rapport.docx"
    written = run("--project", str(demo), "export", "report", "--memos", "--output", str(report))
    assert written.exit_code == 0, written.output
    text = "\n".join(paragraph.text for paragraph in docx.Document(str(report)).paragraphs)
    assert "Ring " in text and "Sissel" not in text and "Bakken" not in text
    assert visible("\u1100\u1160\u11a8 \u115f\u1161") == "\u1100\u1160\u11a8 \u115f\u1161"


def test_a_main_document_part_declared_by_its_extension_s_content_type_is_read(tmp_path: Path) -> None:
    """A package may declare its parts' content types by extension (Default) rather than part by
    part (Override): python-docx opens such a document's main part under any name, and the leak
    check, reading Overrides only, read nothing of it."""
    written = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Sissel Bakken kom.")
    document.save(written)
    path = tmp_path / "notat.docx"
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data, name = source.read(item.filename), item.filename.replace("word/document.xml", "word/hoved.xml")
            if name == "_rels/.rels":
                data = data.replace(b"word/document.xml", b"word/hoved.xml")
            elif name == "[Content_Types].xml":
                data = re.sub(rb'<Override PartName="/word/document.xml"[^>]*/>', b"", data)
                data = re.sub(rb'<Default Extension="xml" ContentType="[^"]*"/>', f'<Default Extension="xml" ContentType="{main}"/>'.encode(), data)
            target.writestr(name, data)
    assert [paragraph.text for paragraph in docx.Document(str(path)).paragraphs] == ["Sissel Bakken kom."]
    assert [leak.found for leak in check_file(path, _key())] == ["Sissel Bakken"]


def test_a_fodselsnummer_kept_as_a_number_is_found_as_excel_shows_it(tmp_path: Path) -> None:
    """A list of fødselsnumre typed into Excel keeps each as a number, which loses its leading zero,
    and is formatted "00000000000" to show it again: the leak check read 1017000027, no fødselsnummer,
    where Excel shows 01017000027. A whole number in a format of digit places is read as shown too."""
    from qualcode.anonymise.patterns import valid_fnr

    number = next(f"010170{serial:05d}" for serial in range(100_000) if valid_fnr(f"010170{serial:05d}"))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["fødselsnummer", "antall"])
    sheet.append([int(number), 5])
    sheet.append([int(number), 5])
    sheet["A2"].number_format = "00000000000"
    sheet["A3"].number_format = '000000" "00000'
    sheet["B2"].number_format = "0.00"
    path = tmp_path / "deltakere.xlsx"
    workbook.save(str(path))
    found = [(leak.kind, leak.found, leak.where) for leak in check_file(path, PseudonymKey("liste"))]
    assert found == [("fnr", number, "Sheet!A2 as shown"), ("fnr", f"{number[:6]} {number[6:]}", "Sheet!A3 as shown")]


def _qdpx_with(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", "<Project/>")
        archive.writestr("sources/", b"")  # a folder's own entry: nothing to read
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def test_parts_of_a_qdpx_the_check_cannot_read_are_named_and_fail_the_check(demo: Path, tmp_path: Path) -> None:
    """Another program's .qdpx with a PDF source holding a name passed `qualcode leakcheck` as "no identifiers
    found": its PDF, pictures and recordings were passed over unsaid."""
    from tests.test_cli import run

    pdf = b"%PDF-1.4\n1 0 obj << >> stream\nBT (Kari Nordmann ringte) Tj ET\nendstream endobj\n%%EOF"
    foreign = _qdpx_with(tmp_path / "fra_nvivo.qdpx", {"sources/0c1d2e3f-0000-4000-8000-0000000a4764.pdf": pdf,
                                                      "sources/0c1d2e3f-0000-4000-8000-0000000a4765.png": b"\x89PNG",
                                                      "sources/0c1d2e3f-0000-4000-8000-0000000a4766.txt": "Ingen navn her."})
    unread: list[str] = []
    assert check_file(foreign, _key(), unread=unread) == []
    assert unread == ["sources/0c1d2e3f-0000-4000-8000-0000000a4764.pdf", "sources/0c1d2e3f-0000-4000-8000-0000000a4765.png"]

    checked = run("--project", str(demo), "leakcheck", str(foreign))
    assert checked.exit_code == 1, checked.output
    assert "fra_nvivo.qdpx: not read: sources/0c1d2e3f-0000-4000-8000-0000000a4764.pdf, sources/" in checked.output
    assert "error: no identifiers found in what was read, but 2 parts could not be read" in checked.output
    assert "no identifiers found in 1 file" not in checked.output

    readable = _qdpx_with(tmp_path / "tekst.qdpx", {"sources/0c1d2e3f-0000-4000-8000-0000000a4766.txt": "Ingen navn her."})
    clean = run("--project", str(demo), "leakcheck", str(readable))
    assert clean.exit_code == 0 and "no identifiers found in 1 file" in clean.output and "not read" not in clean.output


def test_leakcheck_json_tells_a_leak_from_a_part_not_read_and_from_a_clean_file(demo: Path, tmp_path: Path) -> None:
    """`leakcheck --json` printed `[]` for a .qdpx whose PDF it could not read, as for a clean file: a script saw
    exit 1 and no leak, and could not tell what was never read from a leak, nor either from clean."""
    import json

    from tests.test_cli import run

    pdf = b"%PDF-1.4\n1 0 obj << >> stream\nBT (Kari Nordmann ringte) Tj ET\nendstream endobj\n%%EOF"
    foreign = _qdpx_with(tmp_path / "fra_nvivo.qdpx", {"sources/0c1d2e3f-0000-4000-8000-0000000a4764.pdf": pdf})
    unread = run("--project", str(demo), "leakcheck", "--json", str(foreign))
    assert unread.exit_code == 1 and "not read: sources/" in unread.stderr
    assert json.loads(unread.stdout) == {"outcome": "not_read", "leaks": [], "files": 1,
                                         "not_read": [{"file": str(foreign), "parts": ["sources/0c1d2e3f-0000-4000-8000-0000000a4764.pdf"]}]}

    leaky = tmp_path / "utkast.txt"
    leaky.write_text("Ring meg på 987 65 432.\n", encoding="utf-8")
    found = run("--project", str(demo), "leakcheck", "--json", str(leaky), str(foreign))
    assert found.exit_code == 1
    printed = json.loads(found.stdout)
    assert printed["outcome"] == "leaks" and printed["files"] == 2 and [entry["file"] for entry in printed["not_read"]] == [str(foreign)]
    [leak] = printed["leaks"]  # each leak as before: its file, where, what and of what kind
    assert (leak["file"], leak["where"], leak["found"], leak["kind"]) == ("utkast.txt", "line 1", "987 65 432", "phone")

    readable = _qdpx_with(tmp_path / "tekst.qdpx", {"sources/0c1d2e3f-0000-4000-8000-0000000a4766.txt": "Ingen navn her."})
    clean = run("--project", str(demo), "leakcheck", "--json", str(readable))
    assert clean.exit_code == 0 and json.loads(clean.stdout) == {"outcome": "clean", "leaks": [], "not_read": [], "files": 1}
    assert "Exit codes: 0 nothing found" in run("leakcheck", "--help").output


def test_a_file_named_twice_is_checked_once(demo: Path, tmp_path: Path) -> None:
    """`leakcheck a.txt a.txt`, or the file by another path, a link or a hard link to it, counted its leaks and
    unread parts once for each naming ("3 identifiers found in 1 file"); two files of one name in two folders
    were counted as one file."""
    import os

    from tests.test_cli import run

    leaky = tmp_path / "utkast.txt"
    leaky.write_text("Ring meg på 987 65 432.\n", encoding="utf-8")
    (tmp_path / "lenke.txt").symlink_to(leaky)
    os.link(leaky, tmp_path / "hard.txt")
    (tmp_path / "mappe").mkdir()
    namings = [str(leaky), str(leaky), str(tmp_path / "mappe" / ".." / "utkast.txt"), str(tmp_path / "lenke.txt"),
               str(tmp_path / "hard.txt")]
    checked = run("--project", str(demo), "leakcheck", *namings)
    assert checked.exit_code == 1
    assert checked.output.count("phone '987 65 432'") == 1 and "error: 1 identifier found in 1 file\n" in checked.output

    (tmp_path / "mappe" / "utkast.txt").write_text("Ring meg på 987 65 432.\n", encoding="utf-8")
    both = run("--project", str(demo), "leakcheck", str(leaky), str(tmp_path / "mappe" / "utkast.txt"))
    assert "error: 2 identifiers found in 2 files\n" in both.output

    pdf = b"%PDF-1.4\n%%EOF"
    foreign = _qdpx_with(tmp_path / "fra_nvivo.qdpx", {"sources/0c1d2e3f-0000-4000-8000-0000000a4764.pdf": pdf})
    unread = run("--project", str(demo), "leakcheck", str(foreign), str(tmp_path / "mappe" / ".." / "fra_nvivo.qdpx"))
    assert unread.exit_code == 1 and unread.output.count("fra_nvivo.qdpx: not read") == 1
    assert "but 1 part could not be read" in unread.output


def test_an_export_with_a_part_the_check_cannot_read_is_refused() -> None:
    """qualcode writes no such part into a .qdpx; one that is there is refused, as a name could pass in it unseen."""
    from qualcode.anonymise.leakcheck import guard
    from qualcode.errors import UnreadableFile

    written = io.BytesIO()
    with zipfile.ZipFile(written, "w") as archive:
        archive.writestr("project.qde", "<Project/>")
        archive.writestr("sources/0c1d2e3f-0000-4000-8000-0000000a4764.pdf", b"%PDF-1.4")
    with pytest.raises(UnreadableFile, match=r"refused to write prosjekt\.qdpx: its part sources/.*\.pdf holds no text"):
        guard(written.getvalue(), _key(), "prosjekt.qdpx")


def test_a_qdpx_in_the_project_s_folder_with_parts_not_read_is_named_as_not_read(tmp_path: Path) -> None:
    """What the key just learned was looked for in the project's folder (files_holding: `identifiers add`, an accepted
    review, a withdrawal's quotes) with no word of another program's .qdpx whose PDF source named the person: its
    unread parts were passed over as holding nothing, as `qualcode leakcheck` passed them before."""
    from qualcode.anonymise.leakcheck import files_holding

    pdf = b"%PDF-1.4\n1 0 obj << >> stream\nBT (Kari Nordmann ringte) Tj ET\nendstream endobj\n%%EOF"
    foreign = _qdpx_with(tmp_path / "fra_nvivo.qdpx", {"sources/0c1d2e3f-0000-4000-8000-0000000a4764.pdf": pdf})
    _qdpx_with(tmp_path / "tekst.qdpx", {"sources/0c1d2e3f-0000-4000-8000-0000000a4766.txt": "Ingen navn her."})
    named = files_holding(tmp_path, _key())
    assert [(path, why is not None and "sources/0c1d2e3f-0000-4000-8000-0000000a4764.pdf" in why) for path, why in named] == [(foreign, True)]
    (tmp_path / "notat.txt").write_text("Kari Nordmann ringte.", encoding="utf-8")
    assert (tmp_path / "notat.txt", None) in files_holding(tmp_path, _key())  # what was read and holds her, as before


def _png(text: bytes = b"") -> bytes:
    """A 1×1 PNG, with `text` as a tEXt chunk (a camera's or an editor's Author, as a picture carries it)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
            + (chunk(b"tEXt", text) if text else b"") + chunk(b"IDAT", zlib.compress(b"\x00" * 5)) + chunk(b"IEND", b""))


def test_pictures_and_embedded_objects_of_a_document_or_workbook_are_named_as_not_read(demo: Path, tmp_path: Path) -> None:
    """A reviewer's pasted screenshot (a case file showing a name, or its Author written in it), an embedded PDF or
    OLE object in a reviewed report, and a picture in a workbook: `qualcode leakcheck` said "no identifiers found in
    1 file", exit 0, vouching for what it never read, as it no longer does for a .qdpx's PDF."""
    from tests.test_cli import run

    document = docx.Document()
    document.add_paragraph("Ingen navn her.")
    document.add_picture(io.BytesIO(_png(b"Author\x00Sissel Bakken")))
    document.save(str(tmp_path / "utkast.docx"))
    reviewed = tmp_path / "kommentert.docx"
    with zipfile.ZipFile(tmp_path / "utkast.docx") as source, zipfile.ZipFile(reviewed, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("word/embeddings/oleObject1.bin", "Sissel Bakken".encode("utf-16-le"))
        target.writestr("word/fonts/font1.odttf", b"\x00\x01")  # glyphs, no one's words: not named
    unread: list[str] = []
    assert check_file(reviewed, _key(), unread=unread) == []
    assert sorted(unread) == ["word/embeddings/oleObject1.bin", "word/media/image1.png"]

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "Ingen navn her."
    sheet.add_image(openpyxl.drawing.image.Image(io.BytesIO(_png())), "C3")
    workbook.save(str(tmp_path / "tabell.xlsx"))
    unread = []
    assert check_file(tmp_path / "tabell.xlsx", _key(), unread=unread) == []
    assert unread == ["xl/media/image1.png"]

    checked = run("--project", str(demo), "leakcheck", str(reviewed), str(tmp_path / "tabell.xlsx"))
    assert checked.exit_code == 1, checked.output
    assert "kommentert.docx: not read: " in checked.output and "tabell.xlsx: not read: xl/media/image1.png" in checked.output
    assert "no identifiers found in 2 files" not in checked.output


def test_a_report_with_figures_passes_its_guard_and_its_own_pictures_are_not_named(demo: Path, tmp_path: Path) -> None:
    """qualcode's own heatmaps are pictures too: its report with --figures is still written, `leakcheck` of it as
    written says it is clean, and the project's folder scan does not name it for its pictures; the same report with
    a picture a reviewer pasted is named."""
    from qualcode.anonymise.leakcheck import files_holding
    from tests.test_cli import run

    coded = run("--project", str(demo), "--coder", "Forsker", "coding", "add", "deltaker_D1_T1", "brukermedvirkning",
                "--match", "Vi satt sammen og lagde handlingsplanen, og hun spurte hva jeg ville.")
    assert coded.exit_code == 0, coded.output
    report = tmp_path / "rapport.docx"
    written = run("--project", str(demo), "export", "report", "--matrix", "role", "--figures", "--output", str(report))
    assert written.exit_code == 0, written.output
    with zipfile.ZipFile(report) as archive:
        assert any(member.startswith("word/media/") for member in archive.namelist())
    checked = run("--project", str(demo), "leakcheck", str(report))
    assert checked.exit_code == 0 and "no identifiers found in 1 file" in checked.output, checked.output
    assert files_holding(tmp_path, _key()) == []

    pasted = docx.Document(str(report))
    pasted.add_picture(io.BytesIO(_png(b"Author\x00Kari Nordmann")))
    pasted.save(str(tmp_path / "kommentert.docx"))
    checked = run("--project", str(demo), "leakcheck", str(tmp_path / "kommentert.docx"))
    assert checked.exit_code == 1 and "kommentert.docx: not read: word/media/" in checked.output, checked.output
