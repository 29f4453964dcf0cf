"""What Word and LibreOffice documents hold besides plain paragraphs: content controls, custom XML,
tables of turns, pictures' descriptions and hidden text; read as shown, or left out and said."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import KeyAccess
from qualcode.errors import ImportFailed
from qualcode.importers.service import import_file, import_paths, parse_file
from qualcode.store.models import Transcript
from qualcode.store.project import Project
from tests.conftest import packed_bomb


def stored_turns(session: Session, name: str) -> list[tuple[str | None, str]]:
    transcript = session.scalar(select(Transcript).where(Transcript.name == name))
    assert transcript is not None and transcript.current_version is not None
    text = transcript.current_version.text
    return [(turn.speaker, text[turn.start:turn.end]) for turn in transcript.current_version.turns]


def wrap(elements: list[etree._Element], kind: str) -> etree._Element:
    """Put `elements` (siblings, in order) inside a content control (sdt) or custom XML in their place."""
    first = elements[0]
    wrapper = first.makeelement(qn(f"w:{kind}"))
    if kind == "sdt":
        wrapper.append(first.makeelement(qn("w:sdtPr")))
        content = first.makeelement(qn("w:sdtContent"))
        wrapper.append(content)
    else:
        wrapper.set(qn("w:element"), "turn")
        content = wrapper
    first.addprevious(wrapper)
    for element in elements:
        content.append(element)
    return wrapper


@pytest.mark.parametrize(("kind", "name"), [("sdt", "innholdskontroll"), ("customXml", "egendefinert")])
def test_docx_paragraphs_inside_content_controls_or_custom_xml_are_read_in_their_place(
    session: Session, tmp_path: Path, kind: str, name: str
) -> None:
    document = docx.Document()
    paragraphs = [document.add_paragraph(line)._p for line in (
        "I: Hvordan var det å starte?", "D1: Det var tungt i starten, jeg kjente ingen.", "I: Og etterpå?",
        "D1: Etterpå ble det bedre, jeg fikk venner.",
    )]
    wrap(paragraphs[1:3], kind)
    path = tmp_path / f"{name}.docx"
    document.save(str(path))
    import_file(session, path, key=PseudonymKey("test"))
    assert stored_turns(session, path.stem) == [
        ("I", "Hvordan var det å starte?"), ("D1", "Det var tungt i starten, jeg kjente ingen."),
        ("I", "Og etterpå?"), ("D1", "Etterpå ble det bedre, jeg fikk venner."),
    ]


def test_docx_whose_whole_body_is_one_content_control_is_read(tmp_path: Path) -> None:
    """It was refused as "contains no text"."""
    document = docx.Document()
    paragraphs = [document.add_paragraph(line)._p for line in ("I: Hei?", "D1: Hei, det gikk fint.")]
    wrap(paragraphs, "sdt")
    path = tmp_path / "alt_i_kontroll.docx"
    document.save(str(path))
    assert parse_file(path).text == "I: Hei?\nD1: Hei, det gikk fint.\n"


def test_docx_speaker_table_with_content_controls_around_a_row_and_in_a_cell_keeps_every_turn(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    for row, (speaker, said) in zip(table.rows, [("I", "Hvordan var det?"), ("D1", "Det var fint, egentlig."), ("I", "Takk for praten.")], strict=True):
        row.cells[0].text, row.cells[1].text = speaker, said
    wrap(list(table.rows[1]._tr.tc_lst), "sdt")  # around the cells of a row
    wrap([table.rows[2].cells[1]._tc.p_lst[0]], "sdt")  # around a cell's paragraph
    path = tmp_path / "tabell_kontroll.docx"
    document.save(str(path))
    parsed = parse_file(path)
    assert [(turn.speaker, parsed.text[turn.start:turn.end]) for turn in parsed.turns] == [
        ("I", "Hvordan var det?"), ("D1", "Det var fint, egentlig."), ("I", "Takk for praten."),
    ]


def test_docx_table_with_a_title_merged_across_and_one_with_times_are_read_as_turns(tmp_path: Path) -> None:
    """A merged title row became "X: X"; a time | speaker | text table lost all its turns."""
    document = docx.Document()
    titled = document.add_table(rows=3, cols=2)
    titled.cell(0, 0).merge(titled.cell(0, 1)).text = "Intervju med deltaker D1, runde T1"
    titled.cell(1, 0).text, titled.cell(1, 1).text = "I", "Hvordan var det å starte?"
    titled.cell(2, 0).text, titled.cell(2, 1).text = "D1", "Det var tungt, jeg kjente ingen."
    timed = document.add_table(rows=2, cols=3)
    for row, cells in zip(timed.rows, [("00:00:12", "I", "Og etterpå?"), ("00:00:15", "D1", "Etterpå ble det bedre.")], strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    path = tmp_path / "tabeller.docx"
    document.save(str(path))
    parsed = parse_file(path)
    assert parsed.text.startswith("Intervju med deltaker D1, runde T1\nI: Hvordan var det å starte?\n")
    assert [(turn.speaker, parsed.text[turn.start:turn.end], turn.timestamp_ms) for turn in parsed.turns] == [
        ("I", "Hvordan var det å starte?", None), ("D1", "Det var tungt, jeg kjente ingen.", None),
        ("I", "Og etterpå?", 12000), ("D1", "Etterpå ble det bedre.", 15000),
    ]


def test_odt_picture_descriptions_text_boxes_and_hidden_text_are_left_out_and_said(session: Session, tmp_path: Path) -> None:
    """They were read in as speech, glued to the words beside them ("Det er meg.Hanna Bakken")."""
    from odf.draw import Frame, Image, TextBox
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.svg import Desc, Title
    from odf.text import P, Span

    document = OpenDocumentText()
    hiding = Style(name="Skjult", family="text")
    hiding.addElement(TextProperties(display="none"))
    document.automaticstyles.addElement(hiding)
    document.text.addElement(P(text="I: Hvem er på bildet?"))
    said = P(text="D1: Det er meg.")
    picture = Frame(name="Bilde1", width="2cm", height="2cm")
    picture.addElement(Title(text="Hanna Bakken"))
    picture.addElement(Desc(text="Sissel Hanssen ved sjøen"))
    picture.addElement(Image(href="Pictures/x.png"))
    said.addElement(picture)
    document.text.addElement(said)
    boxed = P(text="I: Og så?")
    box = Frame(name="Boks1", width="2cm", height="2cm")
    box_text = TextBox()
    box_text.addElement(P(text="Merknad: ring Hanna Bakken"))
    box.addElement(box_text)
    boxed.addElement(box)
    document.text.addElement(boxed)
    hidden = P(text="D1: Ja, ")
    hidden.addElement(Span(stylename=hiding, text="Hanna Bakken, tlf 41234567 "))
    hidden.addText("det er fint.")
    document.text.addElement(hidden)
    path = tmp_path / "bilde.odt"
    document.save(str(path))
    parsed = parse_file(path)
    assert parsed.text == "I: Hvem er på bildet?\nD1: Det er meg.\nI: Og så?\nD1: Ja, det er fint.\n"
    assert parsed.notes == [
        "1 piece of hidden text, 1 picture's description (alt text) and 1 text box or shape with text left out, "
        "as not part of the transcript's text; check them in LibreOffice"
    ]
    import_file(session, path, key=PseudonymKey("test"))
    assert stored_turns(session, "bilde")[1] == ("D1", "Det er meg.")


def test_odt_speaker_table_is_read_as_turns_as_in_docx(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentText()
    table = Table(name="Samtale")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for speaker, said in [("I", "Hvordan var det å starte?"), ("D1", "Det var tungt, jeg kjente ingen.")]:
        row = TableRow()
        for value in (speaker, said):
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    path = tmp_path / "tabell.odt"
    document.save(str(path))
    parsed = parse_file(path)
    assert [(turn.speaker, parsed.text[turn.start:turn.end]) for turn in parsed.turns] == [
        ("I", "Hvordan var det å starte?"), ("D1", "Det var tungt, jeg kjente ingen."),
    ]


def _transcript_package(suffix: str) -> bytes:
    """A two-turn transcript as Word (python-docx) or LibreOffice (odfpy) would save it."""
    buffer = io.BytesIO()
    if suffix == ".docx":
        document = docx.Document()
        for line in ("I: Hvordan var kurset?", "D1: Det var fint, jeg lærte mye om å søke jobb."):
            document.add_paragraph(line)
        document.save(buffer)
    else:
        from odf.opendocument import OpenDocumentText
        from odf.text import P

        text = OpenDocumentText()
        for line in ("I: Hvordan var kurset?", "D1: Det var fint, jeg lærte mye om å søke jobb."):
            text.text.addElement(P(text=line))
        text.save(buffer)
    return buffer.getvalue()


EMPTY_RUN = b"<w:r><w:rPr><w:b/></w:rPr></w:r>"  # 5 tags in 32 bytes, no text
EMPTY_SPAN = b"<text:span> </text:span>"  # 2 tags in 25 bytes


def _bomb(tmp_path: Path, name: str, repeats: int) -> Path:
    """A transcript with `repeats` empty runs (or spans) in its last paragraph."""
    if name.endswith(".docx"):
        return packed_bomb(_transcript_package(".docx"), tmp_path / name, "word/document.xml", b"</w:p><w:sectPr", EMPTY_RUN, repeats)
    return packed_bomb(_transcript_package(".odt"), tmp_path / name, "content.xml", b"</text:p></office:text>", EMPTY_SPAN, repeats)


HINT = "(a transcript is far smaller: if it really is this long, split it into smaller files, then import)"


@pytest.mark.parametrize(("name", "repeats", "problem", "limit"), [
    # 35 MB of XML in a 120 kB file
    ("stor.docx", 1_100_000, "stor.docx: part word/document.xml unpacks to 35,20", "refusing XML parts over 32 MB"),
    # 13 MB, within 32 MB, and 2.1 million tags
    ("tett.docx", 420_000, "tett.docx: its XML holds 2,1", "refusing more than 2,000,000"),
    # 14 MB and 1.1 million tags: odfpy takes twice what python-docx does a tag
    ("tett.odt", 550_000, "tett.odt: its XML holds 1,1", "refusing more than 1,000,000"),
])
def test_a_small_transcript_that_unpacks_to_more_xml_than_one_holds_is_refused_before_it_is_parsed(
    session: Session, tmp_path: Path, name: str, repeats: int, problem: str, limit: str,
) -> None:
    """A 400 KB .docx whose document.xml unpacked to 150 MB of empty runs imported in 2 GB and 54 s,
    and an .odt of the same in 5.7 GB and 97 s: a package's XML was allowed 256 MB, its tags were not
    counted. Now an XML part may unpack to 32 MB, and a .docx hold 2 million tags (an .odt 1 million),
    each refused by the archive's directory or the tags counted as it unpacks, before parsing."""
    bomb = _bomb(tmp_path, name, repeats)
    assert bomb.stat().st_size < 150_000
    with pytest.raises(ImportFailed) as refused:
        import_file(session, bomb, key=PseudonymKey("test"))
    message = str(refused.value)
    assert message.startswith(problem) and limit in message and message.endswith(HINT) and "\n" not in message, message
    assert session.scalar(select(Transcript)) is None


def test_a_batch_names_the_refused_transcript_in_one_line_and_imports_the_rest(
    project: Project, tmp_path: Path, key_access: KeyAccess,
) -> None:
    folder = tmp_path / "innsamlet"
    folder.mkdir()
    _bomb(folder, "a_tett.docx", 420_000)
    (folder / "b_intervju.txt").write_text("I: Hvordan var kurset?\nD1: Det var fint.\n", encoding="utf-8")
    result = import_paths(project, [folder], key_access)
    assert [item.name for item in result.imported] == ["b_intervju"]
    [(failed, reason)] = result.failed
    assert failed.name == "a_tett.docx" and "its XML holds 2,1" in reason and "\n" not in reason
    with project.begin() as session:
        assert list(session.scalars(select(Transcript.name))) == ["b_intervju"]


def test_docx_alternative_content_is_read_once_as_its_fallback(tmp_path: Path) -> None:
    """A probe: an emoji as Word 2016 saves it (a w16se:symEx choice, the emoji as w:t in its
    fallback) was lost, words written as choice and fallback stood twice ("liktelikte"), and a text
    box, saved as a shape with a VML fallback, was said to be two."""
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    namespaces = (
        f'xmlns:w="{qn("w:p")[1:].split("}")[0]}" xmlns:mc="{mc}" '
        'xmlns:w16se="http://schemas.microsoft.com/office/word/2015/wordml/symex" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml"'
    )
    box = "<w:txbxContent><w:p><w:r><w:t>Ring Hanna Bakken</w:t></w:r></w:p></w:txbxContent>"
    paragraphs = [
        '<w:r><w:t xml:space="preserve">D1: Det var bra </w:t></w:r><w:r><mc:AlternateContent>'
        '<mc:Choice Requires="w16se"><w16se:symEx w16se:font="Segoe UI Emoji" w16se:char="1F60A"/></mc:Choice>'
        '<mc:Fallback><w:t>😊</w:t></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t xml:space="preserve"> altså.</w:t></w:r>',
        '<w:r><w:t xml:space="preserve">I: Du </w:t></w:r><mc:AlternateContent><mc:Choice Requires="w14">'
        '<w:r><w:t>likte</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>likte</w:t></w:r></mc:Fallback></mc:AlternateContent>'
        '<w:r><w:t xml:space="preserve"> det?</w:t></w:r>',
        f'<w:r><w:t>D1: Ja.</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx>{box}</wps:txbx>'
        f'</w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>',
    ]
    document = docx.Document()
    body = document.element.body
    for inner in paragraphs:
        body[-1].addprevious(etree.fromstring(f"<w:p {namespaces}>{inner}</w:p>"))
    body[-1].addprevious(etree.fromstring(
        f'<mc:AlternateContent {namespaces}><mc:Choice Requires="w14"><w:p><w:r><w:t>I: Takk.</w:t></w:r></w:p></mc:Choice>'
        "<mc:Fallback><w:p><w:r><w:t>I: Takk.</w:t></w:r></w:p></mc:Fallback></mc:AlternateContent>"
    ))
    path = tmp_path / "alternativ.docx"
    document.save(str(path))
    parsed = parse_file(path)
    assert parsed.text == "D1: Det var bra 😊 altså.\nI: Du likte det?\nD1: Ja.\nI: Takk.\n"
    assert parsed.notes == ["1 text box left out, as not part of the transcript's text; check them in Word"]


def test_docx_table_of_times_and_turns_with_their_speakers_is_read_as_timed_turns(tmp_path: Path) -> None:
    """A probe: a time | text table, the speaker at the start of the text, was read as rows of
    "00:01:02: I: Hei", whose markers no turn finder knew, so every word was the participant's."""
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    rows = [("00:01:02", "I: Hvordan var det å starte?"), ("[00:01:10]", "D1: Det var tungt."), ("00:01:20", "I: Og etterpå?")]
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    path = tmp_path / "tidskoder.docx"
    document.save(str(path))
    parsed = parse_file(path)
    assert [(turn.speaker, parsed.text[turn.start:turn.end], turn.timestamp_ms) for turn in parsed.turns] == [
        ("I", "Hvordan var det å starte?", 62000), ("D1", "Det var tungt.", 70000), ("I", "Og etterpå?", 80000),
    ]


def _png() -> bytes:
    """A picture of one pixel."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def test_docx_footnotes_endnotes_comments_and_pictures_descriptions_are_left_out_and_said(tmp_path: Path) -> None:
    """A probe: they were left out unsaid, so a name in a footnote ("Hanna Bakken var til stede"),
    a comment or a picture's alt text was neither pseudonymised nor pointed out (the .odt reader
    said a picture's description)."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    document = docx.Document()
    said = document.add_paragraph("D1: Det var bra.")
    document.add_comment(said.runs, text="Sjekk med Hanna Bakken", author="Sissel Hanssen")
    document.add_paragraph("I: Hvem er på bildet?")
    document.add_paragraph("D1: Det er meg.").add_run().add_picture(io.BytesIO(_png()))
    next(document.element.body.iter(qn("wp:docPr"))).set("descr", "Hanna Bakken ved sjøen")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    separators = '<w:{0} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{0}>'
    for kind, relationship, content_type, text in [
        ("footnote", RT.FOOTNOTES, CT.WML_FOOTNOTES, "Hanna Bakken var til stede."),
        ("endnote", RT.ENDNOTES, CT.WML_ENDNOTES, "Se notat fra NAV Årstad."),
    ]:
        blob = (
            f"<w:{kind}s {w}>{separators.format(kind)}"
            f'<w:{kind} w:id="1"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:{kind}></w:{kind}s>'
        ).encode()
        part = Part(PackURI(f"/word/{kind}s.xml"), content_type, blob, document.part.package)
        document.part.relate_to(part, relationship)
    path = tmp_path / "fotnoter.docx"
    document.save(str(path))
    parsed = parse_file(path)
    assert parsed.text == "D1: Det var bra.\nI: Hvem er på bildet?\nD1: Det er meg.\n"
    assert parsed.notes == [
        "1 picture's description (alt text), 1 footnote, 1 endnote and 1 comment left out, "
        "as not part of the transcript's text; check them in Word"
    ]


def test_odt_headers_footers_notes_and_comments_are_left_out_and_said(tmp_path: Path) -> None:
    """A probe: they were left out unsaid, though the .docx reader said its headers and footers;
    a name on the page ("Intervju med Hanna Bakken") or in a note was pointed out nowhere."""
    from odf.dc import Creator
    from odf.office import Annotation
    from odf.opendocument import OpenDocumentText
    from odf.style import Footer, Header, MasterPage, PageLayout
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import Note, NoteBody, NoteCitation, P

    document = OpenDocumentText()
    layout = PageLayout(name="Side")
    document.automaticstyles.addElement(layout)
    page = MasterPage(name="Standard", pagelayoutname=layout)
    header, footer = Header(), Footer()
    header.addElement(P(text="Intervju med Hanna Bakken, tlf 912 34 567"))
    footer.addElement(P(text=" "))
    page.addElement(header)
    page.addElement(footer)
    document.masterstyles.addElement(page)
    said = P(text="D1: Jeg snakket med veilederen")
    comment = Annotation()
    comment.addElement(Creator(text="Sissel Hanssen"))
    comment.addElement(P(text="Hvem er dette?"))
    said.addElement(comment)
    said.addText(" i går.")
    document.text.addElement(said)
    table = Table(name="Samtale")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    asked = P(text="Og etterpå?")
    for kind in ("footnote", "endnote"):
        note = Note(noteclass=kind, id=f"{kind}1")
        note.addElement(NoteCitation(text="1"))
        body = NoteBody()
        body.addElement(P(text="Hanna Bakken var til stede."))
        note.addElement(body)
        asked.addElement(note)
    row = TableRow()
    for paragraph in (P(text="I"), asked):
        cell = TableCell()
        cell.addElement(paragraph)
        row.addElement(cell)
    table.addElement(row)
    document.text.addElement(table)
    path = tmp_path / "side.odt"
    document.save(str(path))
    parsed = parse_file(path)
    assert parsed.text == "D1: Jeg snakket med veilederen i går.\nI: Og etterpå?\n"
    assert parsed.notes == [
        "1 header, 1 footnote, 1 endnote and 1 comment left out, as not part of the transcript's text; check them in LibreOffice"
    ]


def test_a_teams_transcript_docx_is_read_with_its_speakers_and_times(tmp_path: Path) -> None:
    document = docx.Document()
    for paragraph in ["Intervju D1", "Intervjuer   0:03", "Hvordan var det å starte?", "Deltaker 1   0:09",
                      "Det var tungt.", "Intervjuer   0:15", "Og etterpå?"]:
        document.add_paragraph(paragraph)
    path = tmp_path / "teams.docx"
    document.save(str(path))
    parsed = parse_file(path)
    assert [(turn.speaker, parsed.text[turn.start:turn.end], turn.timestamp_ms) for turn in parsed.turns] == [
        ("Intervjuer", "Hvordan var det å starte?", 3000), ("Deltaker 1", "Det var tungt.", 9000),
        ("Intervjuer", "Og etterpå?", 15000),
    ]
