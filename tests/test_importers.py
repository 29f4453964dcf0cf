"""Importing every format, encoding and broken file; one file is all-or-nothing."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from odf.opendocument import OpenDocumentText
from odf.text import P
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import KeyAccess, accept_candidate, dismiss
from qualcode.errors import DuplicateContent, ImportFailed, NeedsReview
from qualcode.importers.document import ParsedDocument, TurnSpan
from qualcode.importers.readers import READERS, Reader
from qualcode.importers.service import expand_paths, import_file, import_paths, parse_file
from qualcode.store.models import Participant, TextVersion, Transcript, Turn
from qualcode.store.project import Project
from qualcode.text.normalise import normalise
from tests.conftest import INTERVIEW, SAMPLES, make_transcript, sample_key

NORWEGIAN = "I: Hvordan gikk det?\nD1: Jeg følte meg fratatt ansvar. Måltallet på NAV-kontoret styrte alt.\n"


def turns_of(session: Session, name: str) -> list[tuple[str | None, str]]:
    transcript = session.scalar(select(Transcript).where(Transcript.name == name))
    assert transcript is not None and transcript.current_version is not None
    text = transcript.current_version.text
    return [(turn.speaker, text[turn.start:turn.end]) for turn in transcript.current_version.turns]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
def test_text_in_every_encoding_reads_the_same(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "intervju.txt"
    path.write_bytes(NORWEGIAN.encode(encoding))
    document = parse_file(path)
    assert document.text == NORWEGIAN
    assert [document.text[t.start:t.end] for t in document.turns][1].startswith("Jeg følte meg")


def test_utf16_without_a_mark_reads_as_utf16(tmp_path: Path) -> None:
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(NORWEGIAN.encode(encoding))
        assert parse_file(path).text == NORWEGIAN


def test_control_characters_are_removed_and_noted_and_page_breaks_become_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "styretegn.txt"
    path.write_bytes(b"I: Side en\x0cD1: Side to\x0bny linje\x00 her\x1b.\n")
    document = parse_file(path)
    assert document.text == "I: Side en\nD1: Side to\nny linje her.\n"
    assert document.notes == ["2 control characters (U+0000, U+001B) removed on line 3"]
    mostly_nul = tmp_path / "binær.txt"
    mostly_nul.write_bytes(b"I: Hei\n" + b"\x00\x01\x02abc" * 50)
    with pytest.raises(ImportFailed, match="binary"):
        parse_file(mostly_nul)


def test_docx_tracked_changes_are_read_as_accepted_in_tables_too(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Deltaker 2"
    cell = table.cell(0, 1).paragraphs[0]._p
    cell.append(cell.makeelement(qn("w:r")))
    cell[-1].append(cell.makeelement(qn("w:t")))
    cell[-1][-1].text = "Det ble "
    inserted = cell.makeelement(qn("w:ins"), {qn("w:id"): "1", qn("w:author"): "F"})
    inserted.append(cell.makeelement(qn("w:r")))
    inserted[-1].append(cell.makeelement(qn("w:t")))
    inserted[-1][-1].text = "mye"
    cell.append(inserted)
    deleted = cell.makeelement(qn("w:del"), {qn("w:id"): "2", qn("w:author"): "F"})
    deleted.append(cell.makeelement(qn("w:r")))
    deleted[-1].append(cell.makeelement(qn("w:delText")))
    deleted[-1][-1].text = "litt"
    cell.append(deleted)
    path = tmp_path / "sporet.docx"
    document.save(str(path))
    parsed = parse_file(path)
    assert parsed.text == "Deltaker 2: Det ble mye\n"
    assert parsed.notes == ["tracked changes read as accepted: 1 insertion kept, 1 deletion left out"]


def test_docx_hidden_text_and_text_boxes_are_left_out_and_said_and_nested_tables_read(tmp_path: Path) -> None:
    """Hidden text is not what Word shows, and inside a word it hid a name ("Sis[…]sel"); a text box
    is beside the transcript; neither goes unsaid. A table nested in a cell is read with it."""
    document = docx.Document()
    said = document.add_paragraph("D6: Sis")
    secret = said.add_run("SKJULT Martine Brekke ")
    secret.font.hidden = True
    said.add_run("sel sa det.")
    boxed = document.add_paragraph("D6: Her er det.")._p
    run = boxed.makeelement(qn("w:r"))
    picture = run.makeelement(qn("w:pict"))
    box = picture.makeelement("{urn:schemas-microsoft-com:vml}textbox")
    content = box.makeelement(qn("w:txbxContent"))
    content.append(content.makeelement(qn("w:p")))
    content[-1].append(content.makeelement(qn("w:r")))
    content[-1][-1].append(content.makeelement(qn("w:t")))
    content[-1][-1][-1].text = "Notat i boks"
    box.append(content)
    picture.append(box)
    run.append(picture)
    boxed.append(run)
    outer = document.add_table(rows=1, cols=1)
    outer.cell(0, 0).paragraphs[0].text = "D6: Ytre."
    outer.cell(0, 0).add_table(rows=1, cols=1).cell(0, 0).text = "D6: Indre tabell."
    path = tmp_path / "skjult.docx"
    document.save(str(path))
    parsed = parse_file(path)
    assert parsed.text == "D6: Sissel sa det.\nD6: Her er det.\nD6: Ytre.\nD6: Indre tabell.\n"
    assert parsed.notes == ["1 piece of hidden text and 1 text box left out, as not part of the transcript's text; check them in Word"]


def test_docx_headers_and_footers_are_left_out_and_said(tmp_path: Path) -> None:
    """A header or footer belongs to the page, not the interview ("Intervju med …, tlf …"): it is
    not read into the text, but not left out unsaid either. One with no text is not counted."""
    document = docx.Document()
    document.add_paragraph("D6: Det gikk bra.")
    section = document.sections[0]
    section.header.paragraphs[0].text = "Intervju med Martine Brekke, tlf 912 34 567"
    section.footer.paragraphs[0].text = "Side 1"
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "Fortrolig"
    section.first_page_footer.paragraphs[0].text = " "
    path = tmp_path / "topptekst.docx"
    document.save(str(path))
    parsed = parse_file(path)
    assert parsed.text == "D6: Det gikk bra.\n"
    assert parsed.notes == ["2 headers and 1 footer left out, as not part of the transcript's text; check them in Word"]


def test_a_paragraph_is_read_from_plain_xml_as_python_docx_reads_its_runs() -> None:
    """Tabs, breaks, hyphens and field codes read as python-docx's run.text reads them; moved text
    kept where it went to, a text box's paragraph not part of the one it sits in."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from lxml import etree

    from qualcode.text.docx_paragraphs import paragraph_text, run_text

    xml = (
        "<w:p {}>"
        '<w:r><w:t xml:space="preserve">Æ sa </w:t><w:tab/><w:t>nå</w:t><w:ptab w:relativeTo="margin" w:alignment="left" w:leader="none"/>'
        '<w:br/><w:t>én</w:t><w:br w:type="textWrapping"/><w:br w:type="page"/><w:br w:type="column"/><w:cr/>'
        "<w:t>NAV</w:t><w:noBreakHyphen/><w:t>kontor 😀</w:t><w:instrText> PAGE </w:instrText><w:fldChar w:fldCharType=\"end\"/></w:r>"
        '<w:moveFrom w:id="1" w:author="x"><w:r><w:t> borte</w:t></w:r></w:moveFrom>'
        '<w:moveTo w:id="2" w:author="x"><w:r><w:t> flyttet</w:t></w:r></w:moveTo>'
        '<w:hyperlink><w:r><w:rPr><w:vanish/></w:rPr><w:t> lenke</w:t></w:r></w:hyperlink>'
        '<w:r><w:pict><w:txbxContent><w:p><w:r><w:t>tekstboks</w:t></w:r></w:p></w:txbxContent></w:pict></w:r>'
        "</w:p>"
    ).format(nsdecls("w"))
    with_docx_classes, plain = parse_xml(xml), etree.fromstring(xml)
    assert [run_text(run) for run in plain.iter(qn("w:r"))] == [run.text for run in with_docx_classes.iter(qn("w:r"))]
    expected = "Æ sa \tnå\t\nén\n\nNAV-kontor 😀 flyttet"  # the hidden " lenke" left out, as Word shows it
    assert paragraph_text(plain) == paragraph_text(with_docx_classes) == expected


def test_crlf_and_nbsp_are_normalised_at_import(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes("I: Hei\u00a0der\r\nD1: Hal\u00adlo\r\n".encode("utf-8"))
    import_file(session, path, key=PseudonymKey("test"))
    assert turns_of(session, "windows") == [("I", "Hei der"), ("D1", "Hallo")]


def test_front_matter_sets_metadata_and_is_not_text(session: Session, tmp_path: Path) -> None:
    text = "---\nparticipant: D7\nrole: deltaker\nwave: T2\ndate: 2024-05-02\nfidelity: notes\nattributes:\n  tolk: true\n---\n" + INTERVIEW
    imported = make_transcript(session, tmp_path, text, name="d7", suffix=".md")
    transcript = session.scalar(select(Transcript).where(Transcript.name == "d7"))
    assert transcript is not None and transcript.current_version is not None
    assert transcript.wave == "T2" and str(transcript.interview_date) == "2024-05-02"
    assert transcript.fidelity == "referat"
    assert transcript.current_version.text == INTERVIEW
    assert imported.participants == ["D7"]
    participant = session.scalar(select(Participant).where(Participant.name == "D7"))
    assert participant is not None and participant.role == "deltaker"
    speakers = {turn.speaker: turn.participant for turn in transcript.current_version.turns}
    assert speakers["D1"] is participant and speakers["I"] is None
    assert [(a.definition.name, a.definition.value_type, a.value) for a in transcript.attributes] == [("tolk", "boolean", "true")]


def test_markdown_character_references_are_read_before_names_are_replaced_and_plain_text_s_are_kept(
    session: Session, tmp_path: Path,
) -> None:
    """A probe: Markdown reads "&Oslash;ystein" as "Øystein", the import did not, so the known first
    name was stored and "NAV Gr&uuml;nerl&oslash;kka" became "(NAV-kontor)&uuml;nerl&oslash;kka".
    The front matter is YAML, where "&" is no reference, and a .txt file is text as written."""
    key = PseudonymKey("test")
    pseudonym = add_identifier(key, "Øystein Brekke", "person", "m").pseudonym
    add_identifier(key, "NAV Grünerløkka", "nav_office")
    said = "I: Hvem var veilederen din?\nD2: Det var &Oslash;ystein Brekke p&aring; NAV Gr&uuml;nerl&oslash;kka &amp; &#216;ystein.\n"
    make_transcript(session, tmp_path, "---\nparticipant: D2\ntitle: Runde 1 &amp; 2\n---\n" + said, name="d2", suffix=".md", key=key)
    assert turns_of(session, "d2") == [
        ("I", "Hvem var veilederen din?"), ("D2", f"Det var {pseudonym} på (NAV-kontor) & {pseudonym.split()[0]}."),
    ]
    assert session.scalar(select(Transcript.title).where(Transcript.name == "d2")) == "Runde 1 &amp; 2"
    make_transcript(session, tmp_path, "I: Hva heter firmaet?\nD3: AT&amp;T, og R&D.\n", name="d3", key=key)
    assert turns_of(session, "d3")[1] == ("D3", "AT&amp;T, og R&D.")


def test_options_win_over_front_matter(session: Session, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, "---\nwave: T1\n---\n" + INTERVIEW, wave="T3", name="x")
    assert session.scalar(select(Transcript.wave)) == "T3"


def test_docx_paragraphs_and_speaker_tables(session: Session, tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Intervju 4", level=1)
    document.add_paragraph("Intervjuer: Hvordan var det?")
    document.add_paragraph("Deltaker 2: Det var KVP eller redusert sosialhjelp.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Intervjuer", "Og nå?"
    table.cell(1, 0).text, table.cell(1, 1).text = "Deltaker 2", "Nå har jeg mer selvtillit."
    path = tmp_path / "d2.docx"
    document.save(str(path))
    import_file(session, path, key=PseudonymKey("test"))
    assert turns_of(session, "d2") == [
        ("Intervjuer", "Hvordan var det?"),
        ("Deltaker 2", "Det var KVP eller redusert sosialhjelp."),
        ("Intervjuer", "Og nå?"),
        ("Deltaker 2", "Nå har jeg mer selvtillit."),
    ]


def test_odt(session: Session, tmp_path: Path) -> None:
    document = OpenDocumentText()
    for line in ["V2: Vi har en kvote vi skal fylle.", "Forsker: Hvem setter den?", "V2: Fylket."]:
        document.text.addElement(P(text=line))
    path = tmp_path / "v2.odt"
    document.save(str(path))
    import_file(session, path, key=PseudonymKey("test"))
    assert turns_of(session, "v2") == [("V2", "Vi har en kvote vi skal fylle."), ("Forsker", "Hvem setter den?"), ("V2", "Fylket.")]


def test_names_in_a_files_name_title_interviewer_and_attributes_are_proposed_as_in_its_text(
    session: Session, tmp_path: Path
) -> None:
    """They are stored and exported as the text is (a transcript's name, the report's attribution),
    so an unknown name there holds the file back for review too."""
    path = tmp_path / "Gudrun_Fjeldstad.md"
    path.write_text(
        "---\ntitle: Samtale med Ingrid Solberg\ninterviewer: Torbjørn Haugland\nattributes: {kontakt: Randi Myklebust}\n---\n"
        "I: Hvordan gikk det?\nD1: Det gikk bra.\n",
        encoding="utf-8",
    )
    key = PseudonymKey("test")
    with pytest.raises(NeedsReview) as held:
        import_file(session, path, key=key)
    assert {"Gudrun Fjeldstad", "Ingrid Solberg", "Torbjørn Haugland", "Randi Myklebust"} <= {c.text for c in key.pending}
    assert any("file name: Gudrun Fjeldstad" in context for c in key.pending for context in c.contexts)
    assert "Gudrun Fjeldstad" in held.value.message
    plain = tmp_path / "deltaker_D1_T1.md"  # ids and roles are no names
    plain.write_text("---\ntitle: Intervju med deltaker D1\ninterviewer: Forsker 1\n---\nI: Hei.\nD1: Hei.\n", encoding="utf-8")
    import_file(session, plain, key=PseudonymKey("test"))


def test_odt_comments_and_notes_are_left_out_of_the_text(session: Session, tmp_path: Path) -> None:
    """A comment's author, date and text, and a footnote, are not what was said: glued into the
    paragraph they would bring a name into the stored text unseen."""
    from odf.dc import Creator, Date
    from odf.office import Annotation
    from odf.text import Note, NoteBody, NoteCitation, S

    document = OpenDocumentText()
    said = P(text="D6: Jeg snakket med veilederen")
    comment = Annotation()
    comment.addElement(Creator(text="Kristoffer Lie"))
    comment.addElement(Date(text="2024-01-01T10:00:00"))
    comment.addElement(P(text="ok"))
    said.addElement(comment)
    said.addText(" i går.")
    document.text.addElement(said)
    noted = P(text="D6: Det står i notatet")
    note = Note(noteclass="footnote", id="ftn1")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(text="se vedlegg"))
    note.addElement(body)
    noted.addElement(note)
    noted.addText(" og mer.")
    noted.addElement(S(c=2))
    noted.addText("Slutt.")
    document.text.addElement(noted)
    path = tmp_path / "notater.odt"
    document.save(str(path))
    import_file(session, path, key=PseudonymKey("test"))
    assert turns_of(session, "notater") == [("D6", "Jeg snakket med veilederen i går."), ("D6", "Det står i notatet og mer.  Slutt.")]


def test_vtt_voice_tags_merge_consecutive_cues(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "opptak.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Intervjuer>Hei.</v>\n\n"
        "00:00:02.500 --> 00:00:04.000\n<v Kari>Jeg ble ikke spurt,\nde bare bestemte.</v>\n\n"
        "00:00:04.000 --> 00:00:05.000\n<v Kari>Det er ikke noe valg.</v>\n",
        encoding="utf-8",
    )
    key = PseudonymKey("test")
    with pytest.raises(NeedsReview, match="Kari"):
        import_file(session, path, key=key)
    pseudonym = accept_candidate(key, "Kari", "person", "f").pseudonym
    import_file(session, path, key=key)
    assert turns_of(session, "opptak") == [("Intervjuer", "Hei."), (pseudonym, "Jeg ble ikke spurt, de bare bestemte. Det er ikke noe valg.")]
    assert [t.timestamp_ms for t in session.scalars(select(Turn).order_by(Turn.seq))] == [1000, 2500]


def test_vtt_timings_written_with_a_comma_are_read_and_an_unreadable_one_is_refused(tmp_path: Path) -> None:
    """Subtitles converted from .srt keep its comma before the milliseconds; webvtt-py skipped such
    a cue, and the participant's answer with it."""
    path = tmp_path / "konvertert.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Intervjuer>Hvordan gikk det?\n\n"
        "00:00:02,000 --> 00:00:05,000\n<v Deltaker>Jeg fikk jobb på lageret til slutt.\n\n"
        "00:00:05.000 --> 00:00:06.000\n<v Intervjuer>Flott.\n",
        encoding="utf-8",
    )
    parsed = parse_file(path)
    assert [(t.speaker, parsed.text[t.start:t.end], t.timestamp_ms) for t in parsed.turns] == [
        ("Intervjuer", "Hvordan gikk det?", 1000),
        ("Deltaker", "Jeg fikk jobb på lageret til slutt.", 2000),
        ("Intervjuer", "Flott.", 5000),
    ]
    path.write_bytes(b"WEBVTT\r\n\r\n00:00:01,000 --> 00:00:02,000\r\nHei.\r\n")
    assert parse_file(path).text == "Hei.\n"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHei.\n\n00:00:02;000 --> 00:00:05.000\nSvaret mitt.\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed, match="konvertert.vtt line 6: the cue's timing line cannot be read"):
        parse_file(path)


def test_a_vtt_cue_with_several_voices_is_one_turn_per_voice(tmp_path: Path) -> None:
    path = tmp_path / "stemmer.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Intervjuer>Hvordan gikk det?</v>\n<v Deltaker>Jeg fikk jobb til slutt.</v>\n\n"
        "00:00:04.000 --> 00:00:06.000\n<v.loud Deltaker>Det var <i>bra</i>.</v> <v Intervjuer>Flott.</v>\n\n"
        "00:00:06.000 --> 00:00:07.000\nD1: Uten stemme.\n",
        encoding="utf-8",
    )
    parsed = parse_file(path)
    assert [(t.speaker, parsed.text[t.start:t.end], t.timestamp_ms) for t in parsed.turns] == [
        ("Intervjuer", "Hvordan gikk det?", 1000),
        ("Deltaker", "Jeg fikk jobb til slutt. Det var bra.", 1000),
        ("Intervjuer", "Flott.", 4000),
        ("D1", "Uten stemme.", 6000),
    ]


def test_srt_with_speaker_prefixes(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "opptak.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nI: Hei.\n\n2\n00:00:03,000 --> 00:00:05,000\nD1: Hallo, æ e her.\n",
        encoding="utf-8",
    )
    import_file(session, path, key=PseudonymKey("test"))
    assert turns_of(session, "opptak") == [("I", "Hei."), ("D1", "Hallo, æ e her.")]


def test_srt_formatting_tags_are_not_words(session: Session, tmp_path: Path) -> None:
    """<i>, <b>, <font> and {\\an8} are formatting: out of the quote, and no longer between a speaker
    label and its colon or around a name, where they hid it from the review."""
    path = tmp_path / "teksting.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\n<i>I:</i> Hei.\n\n"
        "2\n00:00:03,000 --> 00:00:05,000\n{\\an8}<i>D1:</i> Takk, <b>Oddbjørg</b> sa det.\n\n"
        "3\n00:00:06,000 --> 00:00:07,000\nD1: <font color=\"#ffff00\">Ja</font>.\n",
        encoding="utf-8",
    )
    key = PseudonymKey("test")
    with pytest.raises(NeedsReview, match="Oddbjørg"):
        import_file(session, path, key=key)
    dismiss(key, "Oddbjørg")
    import_file(session, path, key=key)
    assert turns_of(session, "teksting") == [("I", "Hei."), ("D1", "Takk, Oddbjørg sa det. Ja.")]


def test_an_indented_srt_cue_number_is_a_cue_number(tmp_path: Path) -> None:
    """The srt library ends a cue only where the next one's number starts its line: an indented
    number and its timing line were read as words of the cue before."""
    path = tmp_path / "innrykk.srt"
    path.write_text(
        "5\n00:00:14,000 --> 00:00:15,000\nI: Og så?\n\n 6\n00:00:15,000 --> 00:00:16,000\nD1: Så gikk det bra.\n\n"
        "7\n  00:00:16,000 --> 00:00:17,000\nI: Fint.\n",
        encoding="utf-8",
    )
    parsed = parse_file(path)
    assert parsed.text == "I: Og så?\n\nD1: Så gikk det bra.\n\nI: Fint.\n"
    assert [t.timestamp_ms for t in parsed.turns] == [14000, 15000, 16000]


def test_notes_without_markers_become_paragraph_turns_of_the_participant(session: Session, tmp_path: Path) -> None:
    text = "Samtalen ble ikke tatt opp.\n\nHun sa at måltallet styrer.\nDet var tydelig.\n"
    make_transcript(session, tmp_path, text, name="referat", participant="V3", fidelity="referat")
    turns = session.scalars(select(Turn).order_by(Turn.seq)).all()
    assert [t.speaker for t in turns] == [None, None]
    assert all(t.participant is not None and t.participant.name == "V3" for t in turns)


def test_custom_turn_pattern(session: Session, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, "INT > Hei\nDELT > Hallo\n", name="custom", turn_pattern=r"(?P<speaker>[A-Z]+) >\s*")
    assert turns_of(session, "custom") == [("INT", "Hei"), ("DELT", "Hallo")]


def test_same_content_twice_says_so_and_adds_nothing(session: Session, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, INTERVIEW, name="a")
    with pytest.raises(DuplicateContent, match=r"b.txt is already present as transcript a \(the same file\)"):
        make_transcript(session, tmp_path, INTERVIEW, name="b")
    assert session.scalar(select(func.count()).select_from(Transcript)) == 1


def test_name_taken_is_an_error_with_a_hint(session: Session, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, INTERVIEW, name="a")
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(ImportFailed, match=r"a.txt differs from the file imported on \d{4}-\d\d-\d\d as a \(1 line changed: line 6 of its text\)") as caught:
        make_transcript(session, other, INTERVIEW + "Mer.\n", name="a")
    assert caught.value.hint is not None and "--name" in caught.value.hint and "--replace" in caught.value.hint


def _broken_files(directory: Path) -> dict[str, Path]:
    files = {
        "empty.txt": b"",
        "blank.txt": b"  \n\n ",
        "binary.txt": bytes(range(256)) * 4,
        "protected.docx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500,
        "notzip.docx": b"PK\x03\x04 this is not really a zip file",
        "broken.vtt": b"not a webvtt file\n00:01 --> nonsense",
        "broken.srt": b"1\nnot a time\nhei\n",
        "frontmatter.txt": b"---\nwave: [unclosed\n---\nI: Hei\n",
        "unknown_key.txt": b"---\nsesong: T1\n---\nI: Hei\n",
        "bad_date.txt": b"---\ndate: 31.02.2024\n---\nI: Hei\n",
        "image.png": b"\x89PNG\r\n",
    }
    paths = {}
    for name, content in files.items():
        paths[name] = directory / name
        paths[name].write_bytes(content)
    document = docx.Document()
    document.add_paragraph("I: Dette dokumentet blir kuttet.")
    whole = directory / "whole.docx"
    document.save(str(whole))
    paths["truncated.docx"] = directory / "truncated.docx"
    paths["truncated.docx"].write_bytes(whole.read_bytes()[:2000])
    whole.unlink()
    odt = OpenDocumentText()
    odt.text.addElement(P(text="I: Hemmelig"))
    plain = directory / "plain.odt"
    odt.save(str(plain))
    encrypted = directory / "encrypted.odt"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(encrypted, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "META-INF/manifest.xml":
                data = data.replace(
                    b"</manifest:manifest>",
                    b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
                    b"<manifest:encryption-data/></manifest:file-entry></manifest:manifest>",
                )
                assert b"encryption-data" in data
            target.writestr(item, data)
    plain.unlink()
    paths["encrypted.odt"] = encrypted
    return paths


def test_broken_files_give_one_line_errors(tmp_path: Path) -> None:
    for name, path in _broken_files(tmp_path).items():
        with pytest.raises(ImportFailed, match=re.escape(path.name)) as caught:
            parse_file(path) if not name.startswith(("frontmatter", "unknown", "bad_date")) else _import_into_scratch(path, tmp_path)
        message = str(caught.value)
        assert "\n" not in message, (name, message)
        assert path.name in message, (name, message)


def _import_into_scratch(path: Path, tmp_path: Path) -> None:
    root = tmp_path / f"scratch-{path.stem}"
    with Project.create(root) as project, project.begin() as session:
        import_file(session, path, key=PseudonymKey("test"))


def test_batch_goes_on_past_bad_files_and_names_each(project: Project, tmp_path: Path, key_access: KeyAccess) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.txt").write_text(INTERVIEW, encoding="utf-8")
    (folder / "b.txt").write_text(NORWEGIAN, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "c.txt").write_text(INTERVIEW, encoding="utf-8")  # duplicate of a
    result = import_paths(project, [folder], key_access)
    assert [item.name for item in result.imported] == ["a", "b"]
    assert [(p.name, "empty" in reason) for p, reason in result.failed] == [("empty.txt", True)]
    assert [p.name for p, _ in result.skipped] == ["c.txt"]


def test_each_file_of_a_batch_saves_the_key_once(project: Project, tmp_path: Path, key_access: KeyAccess) -> None:
    """The key is saved before each file is stored (it must know every pseudonym a stored text
    uses), and not again when the file's block ends with nothing more learned."""
    from qualcode.anonymise.key import read_envelope
    from qualcode.anonymise.service import add_known_identifier

    key = key_access.load_existing()
    add_known_identifier(key, "Kari Nordmann", "person", "f")
    key_access.save(key)
    folder = tmp_path / "batch"
    folder.mkdir()
    for number in range(3):
        (folder / f"intervju{number}.txt").write_text(f"I: Hvem hjalp deg, {number}?\nD1: Kari Nordmann hjalp meg.\n", encoding="utf-8")
    before = read_envelope(key_access.path).revision
    result = import_paths(project, [folder], key_access)
    assert len(result.imported) == 3, result.failed
    assert read_envelope(key_access.path).revision == before + 3


def test_a_failing_file_leaves_nothing_behind(project: Project, tmp_path: Path, key_access: KeyAccess) -> None:
    path = tmp_path / "halv.txt"
    # The attribute value fails its type only after the transcript rows were added.
    path.write_text("---\nattributes:\n  alder: 40\n---\n" + INTERVIEW, encoding="utf-8")
    assert import_paths(project, [path], key_access).imported
    second = tmp_path / "halv2.txt"
    second.write_text("---\nparticipant: D9\nattributes:\n  alder: førti\n---\nI: Noe annet.\nD9: Ja.\n", encoding="utf-8")
    result = import_paths(project, [second], key_access)
    assert result.failed and "alder" in result.failed[0][1]
    with project.begin() as session:
        assert session.scalar(select(func.count()).select_from(Transcript)) == 1
        assert session.scalar(select(Participant).where(Participant.name == "D9")) is None
        assert session.scalar(select(func.count()).select_from(TextVersion)) == 1
    with sqlite3.connect(project.database) as connection:
        indexed = connection.execute("SELECT count(*) FROM search_index").fetchone()[0]
        turns = connection.execute("SELECT count(*) FROM turns").fetchone()[0]
    assert indexed == turns


def test_all_sample_transcripts_import(project: Project, key_access: KeyAccess) -> None:
    from qualcode.importers.metadata import import_participants

    with project.begin() as session:
        import_participants(session, SAMPLES / "participants.csv")
    key_access.save(sample_key(key_access.load_existing()))
    result = import_paths(project, [SAMPLES], key_access)
    assert not result.failed, result.failed
    assert len(result.imported) >= 8
    formats = {item.source_format for item in result.imported}
    assert {"txt", "md", "docx", "odt", "vtt"} <= formats
    assert "cp1252" in {item.encoding for item in result.imported}
    key = key_access.load_existing()
    labels = {"I", "Intervjuer", "Forsker", "MF", "Deltaker 2", "D1", "D4", "D5", "D6", "V1", "V2", "L1"}
    labels |= {key.entry_for(name).pseudonym.split()[0] for name in ("Sissel Bakken", "Ahmed")}  # type: ignore[union-attr]
    for item in result.imported:
        assert set(item.speakers) <= labels, (item.name, item.speakers)
    with project.begin() as session:
        roles = set(session.scalars(select(Participant.role).join(Turn, Turn.participant_id == Participant.id)))
        fidelities = set(session.scalars(select(Transcript.fidelity)))
        waves = set(session.scalars(select(Transcript.wave)))
    assert {"deltaker", "veileder", "leder"} <= roles
    assert {"transcript", "referat"} <= fidelities
    assert {"T1", "T2"} <= waves


def test_participants_csv_with_semicolons_and_attributes(session: Session, tmp_path: Path) -> None:
    from qualcode.importers.metadata import import_participants

    path = tmp_path / "deltakere.csv"
    path.write_bytes("participant;role;gender;kommune\nD1;deltaker;kvinne;Tønsberg\nV1;veileder;mann;\n".encode("cp1252"))
    result = import_participants(session, path)
    assert result.created == ["D1", "V1"]
    d1 = session.scalar(select(Participant).where(Participant.name == "D1"))
    assert d1 is not None and d1.gender == "kvinne"
    assert {a.definition.name: a.value for a in d1.attributes} == {"kommune": "Tønsberg"}
    path.write_text("participant;role\nD1;medforsker\n", encoding="utf-8")
    assert import_participants(session, path).updated == ["D1"]


def test_participants_csv_columns_in_norwegian_or_spaced_are_the_participants_own(session: Session, tmp_path: Path) -> None:
    """A column names a participant's own field however it is written (Rolle, Age band, kjønn, Kontor),
    as a .qdpx's variables do; an attribute's name keeps one space between its words."""
    from qualcode.importers.metadata import import_participants

    path = tmp_path / "deltakere.csv"
    path.write_text("Navn,Rolle,Age band,kjønn,Kontor,Fylke  navn\nD1,deltaker,30-39,kvinne,kontor A,Vestfold\n", encoding="utf-8")
    assert import_participants(session, path).created == ["D1"]
    d1 = session.scalar(select(Participant).where(Participant.name == "D1"))
    assert d1 is not None
    assert (d1.role, d1.age_band, d1.gender, d1.office) == ("deltaker", "30-39", "kvinne", "kontor A")
    assert {a.definition.name: a.value for a in d1.attributes} == {"fylke navn": "Vestfold"}


@pytest.mark.parametrize("header", ["participant,role,AgeBand,Kjonn", "participant,ROLLE,Alders gruppe,Kjoenn"])
def test_participants_csv_columns_joined_or_without_norwegian_letters_are_the_participants_own(
    session: Session, tmp_path: Path, header: str,
) -> None:
    """"AgeBand" and "Kjonn" became attributes, the age band and gender left empty, and nothing said so."""
    from qualcode.importers.metadata import import_participants

    path = tmp_path / "deltakere.csv"
    path.write_text(f"{header}\nD1,deltaker,20-29,kvinne\n", encoding="utf-8")
    import_participants(session, path)
    d1 = session.scalar(select(Participant).where(Participant.name == "D1"))
    assert d1 is not None and (d1.role, d1.age_band, d1.gender) == ("deltaker", "20-29", "kvinne") and not d1.attributes


def test_participants_csv_with_a_nynorsk_id_column(session: Session, tmp_path: Path) -> None:
    """A field trial: a nynorsk study's list ("Deltakar;Rolle;Kjønn") was refused, "no participant column",
    with a hint naming only 'participant' though four other names were read."""
    from qualcode.importers.metadata import import_participants

    path = tmp_path / "deltakarar.csv"
    path.write_text("Deltakar;Rolle;Kjønn;Aldersgruppe;Kontor\nU1;deltaker;kvinne;20-29;kontor Vest\n", encoding="utf-8")
    assert import_participants(session, path).created == ["U1"]
    u1 = session.scalar(select(Participant).where(Participant.name == "U1"))
    assert u1 is not None and (u1.role, u1.gender, u1.age_band, u1.office) == ("deltaker", "kvinne", "20-29", "kontor Vest")
    path.write_text("hvem,rolle\nD1,deltaker\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as refused:
        import_participants(session, path)
    assert refused.value.hint is not None and all(name in refused.value.hint for name in ("participant", "deltakar", "navn"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("hvem,rolle\nD1,deltaker\n", "no participant column"),
        ("participant,role\nD1,deltaker\nD1,veileder\n", "line 3: participant D1 appears twice"),
        ("participant,role\n,deltaker\n", "line 2: the participant column is empty"),
        ("participant,kommune,Kommune\nD1,Horten,Horten\n", "p.csv: column 'kommune' is given twice"),
        ("participant,role,Rolle\nD1,deltaker,veileder\n", "p.csv: columns 'role' and 'rolle' both give the participant's role"),
        ("participant,age band,age_band\nD1,30-39,40-49\n", "columns 'age band' and 'age_band' both give the participant's age_band"),
    ],
)
def test_participants_csv_errors(session: Session, tmp_path: Path, content: str, message: str) -> None:
    from qualcode.importers.metadata import import_participants

    path = tmp_path / "p.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFailed, match=message):
        import_participants(session, path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("participant;role;notat\nD1;deltaker;\nD50;deltaker;grei;Ekstra felt med Kari Nordmann 15038510190\n",
         "p.csv line 3 has 4 fields, the header has 3"),
        ('participant;role;notat\nD51;deltaker;=HYPERLINK("http://x";"Kari Nordmann")\n', "p.csv line 2 has 4 fields, the header has 3"),
        ("participant,role\n\nD1,deltaker,\nD2,veileder,Kari\n", "p.csv line 4 has 3 fields, the header has 2"),
    ],
)
def test_a_participants_line_with_more_fields_than_the_header_refuses_the_file(
    session: Session, tmp_path: Path, content: str, message: str
) -> None:
    """The field past the header's end belonged to no column and was dropped unsaid, a name in it
    unseen by the review too; the whole file is refused, the lines before it as well."""
    from qualcode.importers.metadata import import_participants, participant_cells

    path = tmp_path / "p.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFailed, match=message) as refused:
        import_participants(session, path)
    assert refused.value.hint is not None and "put quotes around a field that holds a" in refused.value.hint
    with pytest.raises(ImportFailed, match=message):
        participant_cells(path)
    assert session.scalar(select(func.count()).select_from(Participant)) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('participant,role,office\n"D30,deltaker,kontor A\nD31,leder,kontor B\nD32,veileder,kontor A\n',
         "p.csv line 2: a quote opened there is never closed"),
        ('participant,role\n"D40\nD41",deltaker\n', "p.csv line 2: the participant id 'D40\\\\nD41' holds a line break"),
    ],
)
def test_a_quote_never_closed_or_an_id_over_two_lines_refuses_the_file(
    session: Session, tmp_path: Path, content: str, message: str
) -> None:
    """A probe: a quote never closed read every line after it into one field, and the file was taken
    as one participant named "D30,deltaker,kontor A" and the two lines after it."""
    from qualcode.importers.metadata import import_participants

    path = tmp_path / "p.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFailed, match=message):
        import_participants(session, path)
    assert session.scalar(select(func.count()).select_from(Participant)) == 0


def test_a_quoted_field_holding_the_separator_and_a_trailing_separator_are_read(session: Session, tmp_path: Path) -> None:
    from qualcode.importers.metadata import import_participants

    path = tmp_path / "p.csv"
    path.write_text('participant;role;notat\nD52;deltaker;"=HYPERLINK(""http://x"";""NAV"")"\nD53;veileder;;\n', encoding="utf-8")
    assert import_participants(session, path).created == ["D52", "D53"]
    d52 = session.scalar(select(Participant).where(Participant.name == "D52"))
    assert d52 is not None and {a.definition.name: a.value for a in d52.attributes} == {"notat": '=HYPERLINK("http://x";"NAV")'}


# A reader's text is stored as it is handed over: it must be normalised already (NBSP, soft
# hyphens and CRLF below are what normalising removes), with every turn inside it.
SPOKEN = [("I", "Hvordan gikk det?"), ("D1", "Jeg\u00a0følte meg fra\u00adtatt ansvar på NAV-kontoret 😊")]


def _written_in_every_format(directory: Path) -> dict[str, Path]:
    lines = [f"{speaker}: {text}" for speaker, text in SPOKEN]
    files = {
        ".txt": "\r\n".join(lines) + "\r\n",
        ".md": "\r\n\r\n".join(lines) + "\r\n",
        ".vtt": "WEBVTT\r\n\r\n" + "".join(
            f"00:00:0{second}.000 --> 00:00:0{second + 1}.000\r\n<v {speaker}>{text}</v>\r\n\r\n"
            for second, (speaker, text) in enumerate(SPOKEN, start=1)
        ),
        ".srt": "".join(
            f"{second}\r\n00:00:0{second},000 --> 00:00:0{second + 1},000\r\n{speaker}: {text}\r\n\r\n"
            for second, (speaker, text) in enumerate(SPOKEN, start=1)
        ),
    }
    paths = {}
    for suffix, content in files.items():
        paths[suffix] = directory / f"samtale{suffix}"
        paths[suffix].write_text(content, encoding="utf-8")
    word = docx.Document()
    for line in lines:
        word.add_paragraph(line)
    paths[".docx"] = directory / "samtale.docx"
    word.save(str(paths[".docx"]))
    odt = OpenDocumentText()
    for line in lines:
        odt.text.addElement(P(text=line))
    paths[".odt"] = directory / "samtale.odt"
    odt.save(str(paths[".odt"]))
    return paths


def test_every_registered_reader_hands_over_normalised_text_and_its_turns(tmp_path: Path) -> None:
    samples = _written_in_every_format(tmp_path)
    assert set(samples) == set(READERS), "write a sample for each registered format"
    for suffix, path in samples.items():
        document = parse_file(path)
        assert normalise(document.text) == document.text, suffix
        turns = [(turn.speaker, document.text[turn.start:turn.end]) for turn in document.turns]
        assert turns == [(speaker, normalise(text)) for speaker, text in SPOKEN], suffix


def test_a_format_registered_as_a_reader_is_read_and_found_in_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_upper(path: Path, *, encoding: str | None, marker: re.Pattern[str] | None) -> ParsedDocument:
        text = path.read_text(encoding="utf-8").upper()
        return ParsedDocument(text=text, turns=[TurnSpan(None, 0, len(text))], source_format="rop")

    (tmp_path / "notat.ROP").write_text("hei på deg\n", encoding="utf-8")
    (tmp_path / "bilde.png").write_bytes(b"\x89PNG\r\n")
    with pytest.raises(ImportFailed, match=r"notat\.ROP: \.rop is not a transcript format") as caught:
        parse_file(tmp_path / "notat.ROP")
    assert caught.value.hint == "supported: .txt, .md, .docx, .odt, .vtt, .srt"
    with pytest.raises(ImportFailed, match="holds no transcripts") as caught:  # nothing to read in it: said so
        expand_paths([tmp_path])
    assert caught.value.hint == "supported: .txt, .md, .docx, .odt, .vtt, .srt"
    monkeypatch.setitem(READERS, ".rop", Reader(read_upper, whole_text=True))
    assert parse_file(tmp_path / "notat.ROP").text == "HEI PÅ DEG\n"
    assert expand_paths([tmp_path]) == [tmp_path / "notat.ROP"]
    with pytest.raises(ImportFailed, match=r"bilde\.png: \.png is not a transcript format") as caught:
        parse_file(tmp_path / "bilde.png")
    assert caught.value.hint is not None and caught.value.hint.endswith(".srt, .rop")


_LOADED_BY_READING = """
import json, sys
from pathlib import Path
from qualcode.importers.service import parse_file
parse_file(Path(sys.argv[1]))
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & {"docx", "lxml", "odf", "webvtt", "srt"})))
"""


@pytest.mark.parametrize(("suffix", "loaded"), [
    (".txt", []), (".md", []), (".docx", ["docx", "lxml"]), (".odt", ["odf"]), (".vtt", ["webvtt"]), (".srt", ["srt"]),
])
def test_reading_a_format_loads_only_its_own_library(tmp_path: Path, suffix: str, loaded: list[str]) -> None:
    path = _written_in_every_format(tmp_path)[suffix]
    result = subprocess.run([sys.executable, "-c", _LOADED_BY_READING, str(path)], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == loaded


def test_a_blank_line_inside_a_vtt_cue_keeps_the_text_after_it_in_that_cue(session: Session, tmp_path: Path) -> None:
    """WebVTT ends a cue at a blank line, and the reader dropped the lines after it, unsaid."""
    path = tmp_path / "opptak.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Intervjuer>Hvordan gikk det?\n\n"
        "00:00:02.000 --> 00:00:05.000\n<v Deltaker>Jeg fikk jobb.\n\nDet var fint, altså.\n\n"
        "NOTE en kommentar, ikke tekst\n\n00:00:05.000 --> 00:00:06.000\n<v Intervjuer>Flott.\n",
        encoding="utf-8",
    )
    import_file(session, path, key=PseudonymKey("test"))
    assert turns_of(session, "opptak") == [
        ("Intervjuer", "Hvordan gikk det?"), ("Deltaker", "Jeg fikk jobb. Det var fint, altså."), ("Intervjuer", "Flott."),
    ]


def test_a_vtt_timing_with_a_wrong_arrow_is_refused_as_a_timing_line(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "opptak.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 -> 00:00:04.000\n<v Kari>Hei der.\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="opptak.vtt line 3: the cue's timing line cannot be read"):
        import_file(session, path, key=PseudonymKey("test"))


@pytest.mark.parametrize(("text", "line"), [
    ("WEBVTT\n\nIntervju med deltaker 4\n\n00:00:01.000 --> 00:00:02.000\nHei.\n", 3),  # before the first cue
    ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Kari>Hei der.\n\nNOTE kommentar\n\nMer tekst som hører til.\n", 8),
])
def test_text_outside_any_vtt_cue_is_refused_by_its_line(session: Session, tmp_path: Path, text: str, line: int) -> None:
    """Before the first cue, or after a note, text belongs to no cue: it was dropped unsaid."""
    path = tmp_path / "opptak.vtt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed, match=f"opptak.vtt line {line}: text outside any cue, which would be left out"):
        import_file(session, path, key=PseudonymKey("test"))
    assert session.scalar(select(Transcript)) is None


def test_a_time_no_clock_shows_at_a_turn_is_kept_in_the_text_and_said_once_not_stored_as_the_turns_time(
    session: Session, tmp_path: Path,
) -> None:
    """A probe: "[25:61:99] D1:" was stored as 25 hours, 62 minutes and 39 seconds into the recording,
    and "D1 (00:75:10):" as 1:15:10; nothing said so. Minutes and seconds go to 59 (in "mm:ss" the
    minutes may run on, as hours may: it is how far into a recording, and a recording may be long)."""
    path = tmp_path / "tider.txt"
    written = ("[00:00:05] I: Hvordan var det?\n[25:61:99] D1: Det var greit.\nD1 (00:75:10): Og så videre.\n"
               "[99:00:00] I: Lenge siden.\n[75:10] D1: Lang opptak.\n[01:02:60] I: Sekundene.\n")
    path.write_text(written, encoding="utf-8")
    result = import_file(session, path, key=PseudonymKey("test"))
    stored = session.scalars(select(Turn).order_by(Turn.seq)).all()
    text = session.scalars(select(TextVersion)).one().text
    assert text == written  # the words as written, the impossible times with them
    assert [(turn.speaker, text[turn.start:turn.end], turn.timestamp_ms) for turn in stored] == [
        ("I", "Hvordan var det?", 5000), ("D1", "Det var greit.", None), ("D1", "Og så videre.", None),
        ("I", "Lenge siden.", 99 * 3_600_000), ("D1", "Lang opptak.", 75 * 60_000 + 10_000), ("I", "Sekundene.", None),
    ]
    assert result.notes == ["3 turns' times are no times (minutes and seconds go to 59), so the turns have none:"
                            " line 2 (25:61:99), line 3 (00:75:10), line 6 (01:02:60)"]


def test_a_vtt_cue_timed_at_no_time_keeps_its_words_untimed_and_is_said_once(session: Session, tmp_path: Path) -> None:
    """A probe: webvtt-py drops, unsaid, a cue whose minutes or seconds pass 59 ("00:99:01.000",
    "00:00:70.000"), and one timed "mm:ss" past an hour ("75:10.000"), and the words with it."""
    path = tmp_path / "opptak.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Intervjuer>Hvordan gikk det?\n\n"
        "00:99:01.000 --> 00:99:03.000\n<v Deltaker>Jeg fikk jobb.\n\n"
        "75:10.000 --> 75:12.000\n<v Intervjuer>Lenge siden.\n\n"
        "00:00:70.000 --> 00:00:75.000\n<v Deltaker>Det var fint.\n",
        encoding="utf-8",
    )
    result = import_file(session, path, key=PseudonymKey("test"))
    stored = session.scalars(select(Turn).order_by(Turn.seq)).all()
    text = session.scalars(select(TextVersion)).one().text
    assert [(turn.speaker, text[turn.start:turn.end], turn.timestamp_ms) for turn in stored] == [
        ("Intervjuer", "Hvordan gikk det?", 1000), ("Deltaker", "Jeg fikk jobb.", None),
        ("Intervjuer", "Lenge siden.", 75 * 60_000 + 10_000), ("Deltaker", "Det var fint.", None),
    ]
    assert result.notes == ["2 turns' times are no times (minutes and seconds go to 59), so the turns have none:"
                            " line 6 (00:99:01.000), line 12 (00:00:70.000)"]


def test_an_srt_cue_timed_at_no_time_is_untimed_and_said_once(session: Session, tmp_path: Path) -> None:
    """A probe: the srt library read "00:61:01,000" as 1:01:01 and "25:00:99,000" as 25:01:39, and
    they were stored as the turns' times, where a .txt transcript's are left untimed and said."""
    path = tmp_path / "opptak.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nI: Hei.\n\n2\n00:61:01,000 --> 00:61:02,000\nD1: Hallo.\n\n"
                    "3\n25:00:09,000 --> 25:00:10,000\nI: Sent.\n", encoding="utf-8")
    result = import_file(session, path, key=PseudonymKey("test"))
    assert [turn.timestamp_ms for turn in session.scalars(select(Turn).order_by(Turn.seq))] == [1000, None, 90_009_000]
    assert result.notes == ["1 turn's time is no time (minutes and seconds go to 59), so the turn has none: line 6 (00:61:01,000)"]
