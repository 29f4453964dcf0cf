"""What a .qdpx import says of a file that is wrong in a way a researcher can mend: the one line names what is
wrong and what to do, and what can be read safely is read."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.cli import cli
from qualcode.errors import ImportFailed
from qualcode.store.models import (
    Code,
    Coder,
    Coding,
    Memo,
    Participant,
    Transcript,
    TranscriptAttribute,
)
from tests.test_exchange_import import CODES, Qdpx, guid, run_import, selection

TEXT = "I: Hvordan var kurset?\nD: Jeg fikk mer selvtillit på kurset.\n"


def _recording_without_its_transcript(tmp_path: Path) -> Path:
    """QualCoder's transcribed recording (its Transcript names a text file in sources/) with that file left out."""
    qdpx = Qdpx(codes=CODES)
    qdpx.user("Anne Forsker")
    qdpx.sources.append(
        f'<AudioSource path="relative:///intervju.mp3" guid="{guid("audio")}" name="intervju.mp3">'
        f'<Transcript plainTextPath="internal://{guid("plain")}.txt" guid="{guid("transcript")}" name="intervju.mp3.transcribed"/>'
        "</AudioSource>"
    )
    return qdpx.write(tmp_path / "lyd.qdpx", origin="QualCoder 3.6")


def test_a_recording_whose_transcript_is_not_in_the_package_is_refused_naming_the_part_and_what_to_do(
    session: Session, tmp_path: Path,
) -> None:
    codes_before = set(session.scalars(select(Code.guid)))
    with pytest.raises(ImportFailed) as refused:
        run_import(session, _recording_without_its_transcript(tmp_path))
    part = f"sources/{guid('plain')}.txt"
    assert refused.value.message.startswith("lyd.qdpx: none of its 1 source could be read (first: the transcript of AudioSource 'intervju.mp3'")
    assert refused.value.message.endswith(f": its text {part} is not in the package); nothing imported")
    assert refused.value.hint == (f"export the project again from the other program with its sources, or put the text file at {part}"
                                  " inside the .qdpx (a zip file) and import it again")
    assert set(session.scalars(select(Code.guid))) == codes_before
    assert "Anne Forsker" not in set(session.scalars(select(Coder.name)))


def test_the_cli_says_which_transcript_is_missing_in_one_line(demo: Path, tmp_path: Path) -> None:
    outcome = CliRunner().invoke(cli, ["--project", str(demo), "import", str(_recording_without_its_transcript(tmp_path))])
    assert outcome.exit_code == 1
    assert len(outcome.output.strip().splitlines()) == 1
    assert f"its text sources/{guid('plain')}.txt is not in the package" in outcome.output
    assert "put the text file at" in outcome.output


def test_a_missing_transcript_beside_a_source_that_is_read_is_a_problem_naming_its_recording(session: Session, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=CODES)
    qdpx.sources.append(f'<TextSource guid="{guid("tekst")}" name="notat"><PlainTextContent>{escape(TEXT)}</PlainTextContent></TextSource>')
    qdpx.sources.append(
        f'<AudioSource path="relative:///intervju.mp3" guid="{guid("audio")}" name="intervju.mp3">'
        f'<Transcript plainTextPath="internal://borte.txt" guid="{guid("transcript")}" name="intervju.mp3.transcribed"/></AudioSource>'
    )
    result = run_import(session, qdpx.write(tmp_path / "lyd.qdpx", origin="QualCoder 3.6"))
    assert set(session.scalars(select(Transcript.name))) >= {"notat"}
    assert any(line.startswith("the transcript of AudioSource 'intervju.mp3'") and "internal://borte.txt is not in the package" in line
               for line in result.problems)


def _linked(tmp_path: Path, origin: str, target: str) -> Path:
    """A note linked (as ATLAS.ti links a memo to a quotation) to `target`, beside a source with one coded passage."""
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    note = qdpx.note("Om kurset", "Sammenlign med runde 2.", anne)
    qdpx.sources.append(f'<TextSource guid="{guid("tekst")}" name="intervju"><PlainTextContent>{escape(TEXT)}</PlainTextContent>'
                        + selection("sitat", TEXT, "mer selvtillit", guid("code:selvtillit"), anne) + "</TextSource>")
    qdpx.extra = f'<Links><Link guid="{guid("link")}" name="kommentar" originGUID="{note}" targetGUID="{target}"/></Links>'
    return qdpx.write(tmp_path / "lenke.qdpx", origin=origin)


def test_a_link_from_a_note_to_nothing_in_the_file_is_said_as_that(session: Session, tmp_path: Path) -> None:
    nothing = guid("finnes ikke")
    result = run_import(session, _linked(tmp_path, "ATLAS.ti 8.4.0", nothing))
    assert not any("qualcode has no links" in line for line in result.skipped)
    assert (f"Link 'kommentar' {guid('link')} (line 16): links to {nothing}, which no element of the file has as its GUID;"
            " skipped; its note 'Om kurset' comes in without it") in result.problems
    # The note is a memo on the project, as a note nothing refers to is.
    assert session.scalars(select(Memo.text).where(Memo.transcript_id.is_(None), Memo.coding_id.is_(None))).all() == [
        "Sammenlign med runde 2."]


def test_a_link_whose_end_is_no_guid_is_said_as_that(session: Session, tmp_path: Path) -> None:
    result = run_import(session, _linked(tmp_path, "ATLAS.ti 8.4.0", "ikke-en-guid"))
    assert f"Link 'kommentar' {guid('link')} (line 16): a malformed targetGUID; skipped" in result.problems
    assert not any("qualcode has no links" in line for line in result.skipped)


def test_a_link_from_a_note_to_what_qualcode_keeps_no_notes_on_says_what_that_is(session: Session, tmp_path: Path) -> None:
    result = run_import(session, _linked(tmp_path, "ATLAS.ti 8.4.0", guid("user:Anne Forsker")))
    assert (f"Link 'kommentar' {guid('link')} (line 16): ties a note to User 'Anne Forsker' {guid('user:Anne Forsker')} (line 3),"
            " which qualcode keeps no notes on; its note 'Om kurset' comes in without it") in result.skipped


def test_links_and_sets_written_before_the_sources_and_notes_they_refer_to_are_read(session: Session, tmp_path: Path) -> None:
    """The schema puts <Links> and <Sets> after <Sources> and <Notes>; a file that puts them first was said to
    have no readable set and its linked note became a project memo, said as "qualcode has no links"."""
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    note = qdpx.note("Om sitatet", "Sammenlign med runde 2.", anne)
    qdpx.sources.append(f'<TextSource guid="{guid("tekst")}" name="intervju"><PlainTextContent>{escape(TEXT)}</PlainTextContent>'
                        + selection("sitat", TEXT, "mer selvtillit", guid("code:selvtillit"), anne) + "</TextSource>")
    early = (f'<Links><Link guid="{guid("link")}" name="kommentar" originGUID="{note}" targetGUID="{guid("sel:sitat")}"/></Links>'
             f'<Sets><Set guid="{guid("set")}" name="runde 1"><MemberSource targetGUID="{guid("tekst")}"/></Set></Sets>')
    path = qdpx.write(tmp_path / "tidlig.qdpx", origin="NVivo 14")
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    # Right after <Users>: before the code book, the sources and the notes.
    parts["project.qde"] = parts["project.qde"].replace(b"</Users>", b"</Users>\n" + early.encode(), 1)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    result = run_import(session, path)
    coding = session.scalars(select(Coding).where(Coding.excerpt == "mer selvtillit")).one()
    assert session.scalars(select(Memo.text).where(Memo.coding_id == coding.id)).all() == ["Sammenlign med runde 2."]
    attributes = {(row.definition.name, row.value) for row in session.scalars(select(TranscriptAttribute))}
    assert ("runde 1", "true") in attributes
    assert not any("qualcode has no" in line for line in result.skipped)
    assert ("<Links> (line 4) stands before <CodeBook> (line 5), against the schema's order; read once the rest of the file is,"
            " as though it stood after") in result.deviations
    assert sum("against the schema's order" in line for line in result.deviations) == 2


def test_a_case_with_no_name_and_no_sources_is_no_participant_and_said_skipped(session: Session, tmp_path: Path) -> None:
    """It names no one and holds no one's words: it was a participant named by its GUID. What it holds is said."""
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    note = qdpx.note("Om saken", "Ingen kilde ble eksportert.", anne)
    qdpx.variables = f'<Variable guid="{guid("var:runde")}" name="runde" typeOfVariable="Text"/>'
    qdpx.cases = (f'<Case guid="{guid("tom")}"/>'
                  f'<Case guid="{guid("med verdier")}"><VariableValue><VariableRef targetGUID="{guid("var:runde")}"/>'
                  f'<TextValue>runde 1</TextValue></VariableValue><NoteRef targetGUID="{note}"/></Case>'
                  f'<Case guid="{guid("d1")}" name="D1"><SourceRef targetGUID="{guid("tekst")}"/></Case>')
    qdpx.sources.append(f'<TextSource guid="{guid("tekst")}" name="intervju"><PlainTextContent>{escape(TEXT)}</PlainTextContent></TextSource>')
    participants_before = set(session.scalars(select(Participant.name)))
    result = run_import(session, qdpx.write(tmp_path / "saker.qdpx", origin="MAXQDA 24"))
    assert set(session.scalars(select(Participant.name))) - participants_before == {"D1"}
    assert result.participants_created == ["D1"]
    assert (f"Case {guid('tom')} (line 13): no name, and no sources or passages: no one to make a participant of; skipped"
            in result.skipped)
    assert (f"Case {guid('med verdier')} (line 13): no name, and no sources or passages: no one to make a participant of; skipped,"
            " its 1 variable value left out, as no one's, its 1 note kept as a memo on the project") in result.skipped
    assert session.scalars(select(Memo.text).where(Memo.transcript_id.is_(None), Memo.coding_id.is_(None))).all() == [
        "Ingen kilde ble eksportert."]


def test_a_link_from_a_note_to_a_passage_that_was_left_out_says_so(session: Session, tmp_path: Path) -> None:
    """A passage in a text the package does not hold is left out with its text, and said so: the link says that, not
    that qualcode has no links."""
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    note = qdpx.note("Om sitatet", "Sammenlign med runde 2.", anne)
    qdpx.sources.append(f'<TextSource guid="{guid("tekst")}" name="intervju"><PlainTextContent>{escape(TEXT)}</PlainTextContent></TextSource>')
    qdpx.sources.append(f'<TextSource guid="{guid("borte")}" name="borte" plainTextPath="internal://borte.txt">'
                        + selection("sitat", TEXT, "mer selvtillit", guid("code:selvtillit"), anne) + "</TextSource>")
    qdpx.extra = f'<Links><Link guid="{guid("link")}" name="kommentar" originGUID="{note}" targetGUID="{guid("sel:sitat")}"/></Links>'
    result = run_import(session, qdpx.write(tmp_path / "borte.qdpx", origin="NVivo 14"))
    assert (f"Link 'kommentar' {guid('link')} (line 16): ties a note to PlainTextSelection 'sitat' {guid('sel:sitat')} (line 14),"
            " which was left out (see the line about it); its note 'Om sitatet' comes in without it") in result.skipped
    assert any("internal://borte.txt is not in the package" in line for line in result.problems)


def _plain_text_part(tmp_path: Path, part: str, data: bytes) -> Path:
    """A TextSource whose plainTextPath names `part`, holding `data`, with one coded passage."""
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    qdpx.sources.append(f'<TextSource guid="{guid("tekst")}" name="intervju" plainTextPath="internal://{part}">'
                        + selection("sitat", TEXT, "mer selvtillit", guid("code:selvtillit"), anne) + "</TextSource>")
    qdpx.members[f"sources/{part}"] = data
    return qdpx.write(tmp_path / "feil-del.qdpx")


def test_a_plain_text_path_naming_a_docx_is_read_as_that_documents_text(session: Session, tmp_path: Path) -> None:
    """It was decoded as text, refusing the whole file as 'intervju looks like a binary file', to be exported as .docx."""
    import io

    import docx

    document = docx.Document()
    for line in TEXT.splitlines():
        document.add_paragraph(line)
    written = io.BytesIO()
    document.save(written)
    result = run_import(session, _plain_text_part(tmp_path, "intervju.docx", written.getvalue()))
    assert session.scalars(select(Coding.excerpt)).all() == ["mer selvtillit"]
    assert any("plainTextPath names a .docx" in line for line in result.deviations)


def test_a_plain_text_part_that_is_no_text_refuses_the_file_naming_the_package_and_the_part(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as refused:
        run_import(session, _plain_text_part(tmp_path, "intervju.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4))
    assert refused.value.message.startswith("feil-del.qdpx: TextSource 'intervju'")
    assert "sources/intervju.pdf looks like a binary file, not text; nothing imported" in refused.value.message
    assert refused.value.hint == "export the project again from the other program, with its sources as plain text or .docx"
    assert session.scalar(select(Transcript.id)) is None


def test_a_recordings_passage_that_does_not_fit_is_named_as_the_transcript_selection_it_is(session: Session, tmp_path: Path) -> None:
    """Each was said as a PlainTextSelection with a startPosition and endPosition, which the file has none of."""
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    points = "".join(f'<SyncPoint guid="{guid("punkt:" + str(at))}" timeStamp="{at * 100}" position="{at}"/>' for at in (3, 20, 500))

    def passage(name: str, start: int, end: int) -> str:
        return (f'<TranscriptSelection guid="{guid("ts:" + name)}" name="{name}" fromSyncPoint="{guid(f"punkt:{start}")}"'
                f' toSyncPoint="{guid(f"punkt:{end}")}" creatingUser="{anne}"><Coding guid="{guid("koding:" + name)}"'
                f' creatingUser="{anne}"><CodeRef targetGUID="{guid("code:selvtillit")}"/></Coding></TranscriptSelection>')

    qdpx.sources.append(
        f'<AudioSource path="relative:///intervju.mp3" guid="{guid("audio")}" name="intervju.mp3">'
        f'<Transcript plainTextPath="internal://tekst.txt" guid="{guid("transcript")}" name="intervju.mp3.transcribed">{points}'
        f'{passage("fram", 3, 20)}{passage("forbi", 3, 500)}{passage("baklengs", 20, 3)}</Transcript></AudioSource>'
    )
    qdpx.members["sources/tekst.txt"] = TEXT.encode()
    result = run_import(session, qdpx.write(tmp_path / "lyd.qdpx", origin="QualCoder 3.6"))
    assert session.scalars(select(Coding.excerpt)).all() == [TEXT[3:20]]
    assert f"TranscriptSelection forbi {guid('ts:forbi')} in intervju: positions 3-500 lie outside the text (0-{len(TEXT)}); skipped" in result.problems
    assert (f"TranscriptSelection baklengs {guid('ts:baklengs')} in intervju: it ends before it starts (fromSyncPoint at 20,"
            " toSyncPoint at 3); skipped") in result.problems
