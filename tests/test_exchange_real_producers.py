"""Files in the shapes real programs write, with content of our own: QualCoder's export as its refi.py writes
it, ATLAS.ti 8.4's sample project and an ATLAS.ti 23 codebook, a MAXQDA 24 export, NVivo 12's selections, and
Quirkos' document variables as QualCoder's importer reads them. What each puts where must come in, or be said
left out, not only what qualcode's own export writes."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import KeyAccess
from qualcode.cli import cli
from qualcode.errors import NeedsReview
from qualcode.exchange.codebook_qdc import import_qdc, read_qdc
from qualcode.store.models import Coding, Memo, Participant, Transcript
from qualcode.store.project import Project
from tests.test_exchange_import import CODES, Qdpx, guid, run_import

TEXT = "I: Hvordan var kurset?\nD: Jeg fikk mer selvtillit på kurset, og jeg tør å si fra nå.\nI: Og jobb?\nD: Jeg håper på jobb i høst.\n"


def _span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def _selection(name: str, text: str, words: str, inner: str, user: str) -> str:
    start, end = _span(text, words)
    return (f'<PlainTextSelection guid="{guid("sel:" + name)}" startPosition="{start}" endPosition="{end}" '
            f'name={quoteattr(words)} creatingUser="{user}" creationDateTime="2024-03-02T11:00:00Z">{inner}</PlainTextSelection>')


def _coding(name: str, code: str, user: str) -> str:
    return f'<Coding guid="{guid("coding:" + name)}" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>'


def _memos(session: Session) -> set[tuple[str, str | None, str | None]]:
    """(what each live memo is on, its title, its text)."""
    names: dict[int, str] = {row.id: row.name for row in session.execute(select(Transcript.id, Transcript.name))}
    found = set()
    for memo in session.scalars(select(Memo).where(Memo.removed_at.is_(None))):
        on = (f"transcript {names[memo.transcript_id]}" if memo.transcript_id else f"coding {memo.coding_id}" if memo.coding_id
              else f"code {memo.code_id}" if memo.code_id else "project")
        found.add((on, memo.title, memo.text))
    return found


def qualcoder_project(tmp_path: Path, name: str = "qualcoder.qdpx", seed: str = "") -> Path:
    """What QualCoder's RefiExport writes: a coding's memo as its PlainTextSelection's Description, a file's memo as
    its TextSource's, a case's as its Case's, the project's as the Project's (after the Notes), a variable's
    as its own, and each text file in UTF-8 with a byte order mark. `seed` gives every GUID anew, as each of
    QualCoder's exports does."""
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    source, plain = guid(seed + "source"), guid(seed + "plain")
    qdpx.variables = (f'<Variable guid="{guid(seed + "var:runde")}" name="runde" typeOfVariable="Text">'
                      "<Description>intervjurunden deltakeren var med i</Description></Variable>")
    qdpx.cases = (f'<Case guid="{guid(seed + "case")}" name="D1"><Description>Deltakeren var nervøs i starten.</Description>'
                  f'<SourceRef targetGUID="{source}"/></Case>')
    selections = (
        _selection(seed + "sitat", TEXT, "selvtillit på kurset",
                   "<Description>Sterkt sitat, bruk i kapittel 3.</Description>" + _coding(seed + "sitat", guid("code:selvtillit"), anne), anne)
        + _selection(seed + "håp", TEXT, "Jeg håper på jobb", _coding(seed + "håp", guid("code:håp"), anne), anne)
    )
    qdpx.sources.append(
        f'<TextSource plainTextPath="internal://{plain}.txt" creatingUser="{anne}" creationDateTime="2024-03-01T10:05:00Z" '
        f'guid="{source}" name="intervju1.txt"><Description>Intervjuet ble gjort på kafé.</Description>{selections}'
        f'<VariableValue><VariableRef targetGUID="{guid(seed + "var:runde")}"/><TextValue>runde 1</TextValue></VariableValue></TextSource>'
    )
    qdpx.members[f"sources/{plain}.txt"] = TEXT.encode("utf-8-sig")
    qdpx.extra = "<Description>Evaluering av kvalifiseringsprogrammet, første runde.</Description>"
    return qdpx.write(tmp_path / name, origin="QualCoder 3.6")


def test_what_qualcoder_writes_in_descriptions_comes_in_as_memos(session: Session, tmp_path: Path) -> None:
    result = run_import(session, qualcoder_project(tmp_path))
    coding = session.scalars(select(Coding).where(Coding.excerpt == "selvtillit på kurset")).one()
    assert coding.memo == "Sterkt sitat, bruk i kapittel 3."  # the coding's own memo, as QualCoder has it
    assert _memos(session) == {
        ("transcript intervju1", None, "Intervjuet ble gjort på kafé."),
        ("project", "D1", "Deltakeren var nervøs i starten."),
        ("project", None, "Evaluering av kvalifiseringsprogrammet, første runde."),
        ("project", "variable runde", "intervjurunden deltakeren var med i"),
    }
    assert result.memos_added == 5
    assert any("on case 'D1'" in line for line in result.problems)


def test_a_co_coders_next_qualcoder_export_with_new_guids_adds_no_memo_again(session: Session, tmp_path: Path) -> None:
    run_import(session, qualcoder_project(tmp_path))
    again = run_import(session, qualcoder_project(tmp_path, "igjen.qdpx", seed="igjen:"))
    assert (again.memos_added, again.codings_added) == (0, 0)
    assert len(_memos(session)) == 4
    assert session.scalar(select(Coding.memo).where(Coding.excerpt == "selvtillit på kurset")) == "Sterkt sitat, bruk i kapittel 3."


def test_an_atlas_quotation_without_a_code_keeps_its_comment_on_the_transcript_and_is_said_skipped(
    session: Session, tmp_path: Path,
) -> None:
    """ATLAS.ti writes a quotation's comment as its selection's Description, and a quotation may have no code;
    a memo's comment is its Note's Description."""
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    comment = "<Description>Hun er ikke den eneste som sier dette.</Description>"
    coded_comment = "<Description>Hvorfor sier han det slik?</Description>" + _coding("kommentert", guid("code:håp"), anne)
    qdpx.sources.append(
        f'<TextSource guid="{guid("source")}" name="Intervju.txt"><PlainTextContent>{escape(TEXT)}</PlainTextContent>'
        f'{_selection("fri", TEXT, "tør å si fra", comment, anne)}{_selection("kommentert", TEXT, "Jeg håper på jobb", coded_comment, anne)}'
        "</TextSource>"
    )
    qdpx.notes.append(f'<Note guid="{guid("note")}" name="Forskningsplan" creatingUser="{anne}"><Description>logg fra dag til dag</Description>'
                      "<PlainTextContent>Planen for prosjektet.</PlainTextContent></Note>")
    result = run_import(session, qdpx.write(tmp_path / "atlas.qdpx", origin="ATLAS.ti 8.4.0 573 , macOS Version 10.14.3 (Build 18D109)"))
    assert _memos(session) == {
        ("transcript Intervju", "tør å si fra", "Hun er ikke den eneste som sier dette."),
        ("project", "Forskningsplan", "logg fra dag til dag\n\nPlanen for prosjektet."),
    }
    assert session.scalar(select(Coding.memo).where(Coding.excerpt == "Jeg håper på jobb")) == "Hvorfor sier han det slik?"
    assert any(f"{guid('sel:fri')}" in line and "no coding" in line and "kept as memos on the transcript" in line for line in result.skipped)
    assert any("Forskningsplan" in line and "first paragraph" in line for line in result.deviations)
    assert session.scalar(select(Transcript.name)) == "Intervju"


RECORDED = "[00:00] I: Fortell om tiltaket.\n[00:05] D: Det ga meg struktur i hverdagen, jeg står opp om morgenen.\n"


def _transcribed(qdpx: Qdpx, kind: str, name: str, text: str, coded: dict[str, str], user: str, inner: str = "") -> str:
    """A recording as QualCoder writes one it transcribed: its text only in a <Transcript> with SyncPoints, and each
    coded passage a TranscriptSelection from one SyncPoint to another, its Coding naming no user."""
    plain = guid(f"{name}:plain")
    points, selections = [f'<SyncPoint guid="{guid(name + ":sp0")}" position="0" timeStamp="0" />'], []
    for words, code in coded.items():
        start, end = _span(text, words)
        points += [f'<SyncPoint guid="{guid(f"{name}:{words}:from")}" position="{start}" timeStamp="5000" />',
                   f'<SyncPoint guid="{guid(f"{name}:{words}:to")}" position="{end}" timeStamp="9000" />']
        selections.append(f'<TranscriptSelection guid="{guid(f"{name}:{words}")}" name="{name}.transcribed" '
                          f'fromSyncPoint="{guid(f"{name}:{words}:from")}" toSyncPoint="{guid(f"{name}:{words}:to")}">'
                          f'<Coding guid="{guid(f"{name}:{words}:coding")}"><CodeRef targetGUID="{code}" /></Coding></TranscriptSelection>')
    qdpx.members[f"sources/{plain}.txt"] = text.encode("utf-8-sig")
    qdpx.members[f"sources/{guid(name)}.mp3"] = b"ID3"
    return (f'<{kind} creatingUser="{user}" creationDateTime="2024-03-01T10:06:00Z" path="internal://{guid(name)}.mp3" guid="{guid(name)}" '
            f'name="{name}" >{inner}<Transcript plainTextPath="internal://{plain}.txt" creatingUser="{user}" '
            f'guid="{guid(name + ":transcript")}" name="{name}.transcribed" >{"".join(points)}{"".join(selections)}</Transcript></{kind}>')


def test_a_recordings_transcript_comes_in_as_a_transcript_with_its_coded_passages(session: Session, tmp_path: Path) -> None:
    """QualCoder exports a transcribed interview only as its recording's <Transcript>: it was skipped whole, text and codings."""
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    qdpx.variables = f'<Variable guid="{guid("var:runde")}" name="runde" typeOfVariable="Text"/>'
    about = ("<Description>Tatt opp på kontoret.</Description>"
             f'<VariableValue><VariableRef targetGUID="{guid("var:runde")}"/><TextValue>runde 2</TextValue></VariableValue>')
    qdpx.sources.append(_transcribed(qdpx, "AudioSource", "intervju2.mp3", RECORDED, {"struktur i hverdagen": guid("code:press")}, anne, about))
    result = run_import(session, qdpx.write(tmp_path / "lyd.qdpx", origin="QualCoder 3.6"))
    assert result.imported == ["intervju2"]
    transcript = session.scalars(select(Transcript)).one()
    assert transcript.current_version is not None and transcript.current_version.text == RECORDED
    assert {(coding.excerpt, coding.code.path) for coding in session.scalars(select(Coding))} == {("struktur i hverdagen", "måltall-press")}
    assert _memos(session) == {("transcript intervju2", None, "Tatt opp på kontoret.")}
    assert [(attribute.definition.name, attribute.value) for attribute in transcript.attributes] == [("runde", "runde 2")]
    assert any("the recording itself" in line for line in result.skipped)
    assert any("its transcript 'intervju2' read as a text source" in line for line in result.deviations)


def test_a_transcript_that_is_also_a_text_source_is_read_once(session: Session, tmp_path: Path) -> None:
    """ATLAS.ti lists a video's transcript both as a TextSource and as the video's <Transcript>, one text file for both."""
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    qdpx.members["sources/lyd.txt"] = RECORDED.encode()
    qdpx.sources.append(f'<TextSource plainTextPath="internal://lyd.txt" guid="{guid("text")}" name="Reklame - Lyd.docx"/>')
    qdpx.sources.append(
        f'<VideoSource path="relative:///film.mp4" guid="{guid("video")}" name="Reklame.mp4">'
        f'<Transcript plainTextPath="internal://LYD.txt" guid="{guid("transcript")}" name="Reklame - Lyd.docx">'
        f'<SyncPoint guid="{guid("sp")}" position="0" timeStamp="0"/></Transcript>'
        f'<VideoSelection guid="{guid("clip")}" begin="100" end="900" creatingUser="{anne}" name="00:00.10 – 00:00.90"/></VideoSource>'
    )
    result = run_import(session, qdpx.write(tmp_path / "atlas.qdpx", origin="ATLAS.ti 8.4.0"))
    assert result.imported == ["Reklame - Lyd"]
    assert any("the same text as TextSource 'Reklame - Lyd.docx', read once" in line for line in result.deviations)
    assert any(guid("clip") in line and "not a text selection" in line for line in result.skipped)


def test_a_case_without_a_name_is_what_the_file_says_of_its_source_not_a_participant(session: Session, tmp_path: Path) -> None:
    """Quirkos (and MAXQDA, as QualCoder's importer reads them) write a document's variables as a Case with no name
    and one SourceRef: it became a participant named by its GUID, and the document had no attributes."""
    qdpx = Qdpx(codes=CODES)
    source = guid("source")
    qdpx.variables = (f'<Variable guid="{guid("var:runde")}" name="runde" typeOfVariable="Text"/>'
                      f'<Variable guid="{guid("var:sider")}" name="sider" typeOfVariable="Integer"/>')
    qdpx.cases = (f'<Case guid="{guid("case")}">'
                  f'<VariableValue><VariableRef targetGUID="{guid("var:runde")}"/><TextValue>runde 1</TextValue></VariableValue>'
                  f'<VariableValue><VariableRef targetGUID="{guid("var:sider")}"/><IntegerValue>4</IntegerValue></VariableValue>'
                  f'<SourceRef targetGUID="{source}"/></Case>')
    qdpx.sources.append(f'<TextSource guid="{source}" name="intervju1"><PlainTextContent>{escape(TEXT)}</PlainTextContent></TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "quirkos.qdpx", origin="Quirkos 2.5"))
    transcript = session.scalars(select(Transcript)).one()
    assert sorted((attribute.definition.name, attribute.value) for attribute in transcript.attributes) == [("runde", "runde 1"), ("sider", "4")]
    assert result.participants_created == [] and session.scalar(select(Participant)) is None
    assert any(guid("case") in line and "read as the variables of 'intervju1'" in line for line in result.deviations)


def test_two_cases_without_a_name_that_differ_on_a_source_keep_the_first_value_and_say_so(session: Session, tmp_path: Path) -> None:
    """The line read "differs from 'intervju1''s own", its quote doubled."""
    qdpx = Qdpx(codes=CODES)
    source = guid("source")
    qdpx.variables = f'<Variable guid="{guid("var:runde")}" name="runde" typeOfVariable="Text"/>'
    qdpx.cases = "".join(
        f'<Case guid="{guid(case)}"><VariableValue><VariableRef targetGUID="{guid("var:runde")}"/><TextValue>{value}</TextValue>'
        f'</VariableValue><SourceRef targetGUID="{source}"/></Case>' for case, value in (("case1", "runde 1"), ("case2", "runde 2")))
    qdpx.sources.append(f'<TextSource guid="{source}" name="intervju1"><PlainTextContent>{escape(TEXT)}</PlainTextContent></TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "quirkos.qdpx", origin="Quirkos 2.5"))
    transcript = session.scalars(select(Transcript)).one()
    assert [(attribute.definition.name, attribute.value) for attribute in transcript.attributes] == [("runde", "runde 1")]
    said = [line for line in [*result.problems, *result.deviations, *result.skipped] if guid("case2") in line]
    assert f"Case {guid('case2')} (no name): variable runde: 'runde 2' differs from the value source 'intervju1' has;" \
        " the source's is kept" in said, said


def test_a_set_of_sources_is_a_yes_attribute_of_its_transcripts_and_a_set_of_codes_is_said_skipped(
    session: Session, tmp_path: Path,
) -> None:
    """MAXQDA groups documents in document sets, ATLAS.ti in document groups, both written as Sets of MemberSources
    (ATLAS.ti's code groups as Sets of MemberCodes): every set was skipped, and the grouping lost."""
    qdpx = Qdpx(codes=CODES)
    for name in ("en", "to", "tre"):
        qdpx.sources.append(f'<TextSource guid="{guid(name)}" name="intervju {name}"><PlainTextContent>{escape(TEXT)} {name}</PlainTextContent></TextSource>')
    qdpx.extra = (
        "<Sets>"
        f'<Set guid="{guid("set:2024")}" name="Runde 2024"><MemberSource targetGUID="{guid("en")}"/><MemberSource targetGUID="{guid("to")}"/></Set>'
        f'<Set guid="{guid("set:wave")}" name="wave"><Description>de første</Description><MemberSource targetGUID="{guid("tre")}"/></Set>'
        f'<Set guid="{guid("set:koder")}" name="følelser"><MemberCode targetGUID="{guid("code:håp")}"/></Set>'
        f'<Set guid="{guid("set:tom")}" name="tom"/>'
        "</Sets>"
    )
    result = run_import(session, qdpx.write(tmp_path / "maxqda.qdpx", origin="MAXQDA 24 (Release 24.7.0)"))
    found = {(transcript.name, attribute.definition.name, attribute.definition.value_type, attribute.value)
             for transcript in session.scalars(select(Transcript)) for attribute in transcript.attributes}
    assert found == {("intervju en", "Runde 2024", "boolean", "true"), ("intervju to", "Runde 2024", "boolean", "true"),
                     ("intervju tre", "wave (set)", "boolean", "true")}
    assert session.scalar(select(Transcript.wave).where(Transcript.name == "intervju tre")) is None
    assert ("project", "set wave (set)", "de første") in _memos(session)
    assert any("Runde 2024" in line and "read as the attribute 'Runde 2024' (true) of its 2 transcripts" in line for line in result.deviations)
    assert any("følelser" in line and "its codes" in line for line in result.skipped)
    assert any("'tom'" in line and "no sources" in line for line in result.skipped)


def test_a_set_named_after_a_person_holds_the_file_back_for_review(session: Session, tmp_path: Path) -> None:
    """ATLAS.ti's sample project groups each informant's documents under the informant's name."""
    qdpx = Qdpx(codes=CODES)
    qdpx.sources.append(f'<TextSource guid="{guid("en")}" name="intervju en"><PlainTextContent>{escape(TEXT)}</PlainTextContent></TextSource>')
    qdpx.extra = f'<Sets><Set guid="{guid("set")}" name="Torbjørg Hegseth"><MemberSource targetGUID="{guid("en")}"/></Set></Sets>'
    with pytest.raises(NeedsReview, match="Torbjørg"):
        run_import(session, qdpx.write(tmp_path / "atlas.qdpx", origin="ATLAS.ti 8.4.0"))


def test_a_codebook_with_every_guid_in_capitals_says_so_in_one_line(project: Project) -> None:
    """MAXQDA 24 writes every GUID of its 140 codes in capitals, as the schema allows; each was a line of its own,
    burying what the import had to say."""
    children = "".join(
        f'<Code color="#ef8256" guid="{guid(f"tema {number}").upper()}" name="TEMA - undertema {number}" isCodable="true">'
        f"<Description>Brukes når deltakeren snakker om tema {number}.</Description></Code>" for number in range(40)
    )
    qdc = ('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 24 (Release 24.7.0)">'
           f'<Codes><Code color="#ef8256" guid="{guid("tema").upper()}" name="Tema" isCodable="true">{children}</Code></Codes></CodeBook>')
    with project.begin() as session:
        imported = import_qdc(session, read_qdc(qdc.encode(), "maxqda.qdc"))
    assert len(imported.changes.created) == 41
    respelled = [line for line in imported.deviations if "capitals" in line]
    assert respelled == [f"maxqda.qdc: 41 GUIDs written in capitals or braces, read as qualcode keeps GUIDs, in lower case without braces"
                         f" ({guid('tema').upper()} as {guid('tema')}, …)"]
    assert not any("GUID" in line for line in imported.deviations if line not in respelled)


def test_an_export_says_which_code_names_two_codes_share_as_qualcode_would_merge_them(
    project: Project, key_access: KeyAccess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """QualCoder's database holds one code of a name (code_name has unique(name)): its import of a file with "annet"
    under two themes puts the second under the first and files its codings under no code. The export said nothing."""
    monkeypatch.setenv("QUALCODE_KEY", str(tmp_path / "keys" / "test.qckey"))
    root = str(project.root)
    for path in ("empowerment/annet", "måltall-press/annet"):
        added = CliRunner().invoke(cli, ["--project", root, "codebook", "add", path])
        assert added.exit_code == 0, added.output
    said = ("1 code name used in more than one place: 'annet' (empowerment/annet, måltall-press/annet); QualCoder keeps one code"
            " of a name, and its import merges them into the first and files the others' codings under no code")
    for command in (["codebook", "export", str(tmp_path / "kodebok.qdc")], ["export", "qdpx", str(tmp_path / "prosjekt.qdpx")]):
        exported = CliRunner().invoke(cli, ["--project", root, *command])
        assert exported.exit_code == 0, exported.output
        assert said in exported.output


def test_a_note_linked_to_a_passage_is_a_memo_on_that_passage(session: Session, tmp_path: Path) -> None:
    """NVivo writes an annotation as a PlainTextSelection without a coding and a Link from its Note (its text in a
    file) to it, as QualCoder's importer reads it; ATLAS.ti links a memo to a coded quotation so. The note was a
    project memo, and the link skipped."""
    qdpx = Qdpx(codes=CODES)
    annotated, coded = _span(TEXT, "tør å si fra"), _span(TEXT, "Jeg håper på jobb")
    qdpx.sources.append(
        f'<TextSource guid="{guid("source")}" name="intervju1" plainTextPath="internal://{guid("source")}.txt">'
        f'<PlainTextSelection guid="{guid("annotated")}" name="" startPosition="{annotated[0]}" endPosition="{annotated[1]}"/>'
        f'<PlainTextSelection guid="{guid("coded")}" name="" startPosition="{coded[0]}" endPosition="{coded[1]}">'
        f'{_coding("coded", guid("code:håp"), "")}</PlainTextSelection></TextSource>'.replace(' creatingUser=""', "")
    )
    qdpx.members[f"sources/{guid('source')}.txt"] = TEXT.encode()
    qdpx.members[f"sources/{guid('annotation')}.txt"] = b"Her endrer tonen seg."
    qdpx.notes.append(f'<Note guid="{guid("annotation")}" name="Annotation" plainTextPath="internal://{guid("annotation")}.txt"/>')
    qdpx.notes.append(f'<Note guid="{guid("memo")}" name="Om håp"><PlainTextContent>Sammenlign med runde 2.</PlainTextContent></Note>')
    qdpx.extra = (f'<Links><Link guid="{guid("link:a")}" originGUID="{guid("annotation")}" targetGUID="{guid("annotated")}"/>'
                  f'<Link guid="{guid("link:m")}" name="Memo-Quotation Relation" originGUID="{guid("memo")}" targetGUID="{guid("coded")}"/></Links>')
    result = run_import(session, qdpx.write(tmp_path / "nvivo.qdpx", origin="NVivo for Windows 12.6"))
    coding = session.scalars(select(Coding)).one()
    assert _memos(session) == {("transcript intervju1", "Annotation", "Her endrer tonen seg."),
                               (f"coding {coding.id}", "Om håp", "Sammenlign med runde 2.")}
    assert not any("qualcode has no links" in line for line in result.skipped)
    assert sum("read as its note on" in line for line in result.deviations) == 2


def test_an_atlas_codebooks_code_groups_are_said_left_out(project: Project) -> None:
    """ATLAS.ti 23 writes its code groups into the .qdc as Sets of MemberCodes; they were left out unsaid."""
    qdc = (f'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti Win 23.4.0"><Codes>'
           f'<Code guid="{guid("kode")}" name="mestring" color="#46AA00" isCodable="true"><Description>om å mestre</Description></Code>'
           f'</Codes><Sets><Set name="positive" guid="{guid("gruppe")}"><Description>gode opplevelser</Description>'
           f'<MemberCode guid="{guid("kode")}"/></Set></Sets></CodeBook>')
    with project.begin() as session:
        imported = import_qdc(session, read_qdc(qdc.encode(), "atlas.qdc"))
    assert imported.changes.created == ["mestring"]
    assert "atlas.qdc: 1 set of codes left out ('positive'), as qualcode has no sets of codes; the codes themselves are read" in imported.deviations


def test_what_an_import_says_of_a_files_sets_and_sources_names_no_one_the_key_knows(session: Session, tmp_path: Path) -> None:
    """ATLAS.ti's sample project groups each informant's documents under the informant's name, and a deviation names
    the set and the attribute it became: deviations were printed and logged as written, unlike the other lines."""
    key = PseudonymKey("test")
    pseudonym = add_identifier(key, "Torbjørg Hegseth", "person", "f").pseudonym
    qdpx = Qdpx(codes=CODES)
    qdpx.sources.append(f'<TextSource guid="{guid("en")}" name="intervju en"><PlainTextContent>{escape(TEXT)}</PlainTextContent></TextSource>')
    qdpx.extra = f'<Sets><Set guid="{guid("set")}" name="Torbjørg Hegseth"><MemberSource targetGUID="{guid("en")}"/></Set></Sets>'
    result = run_import(session, qdpx.write(tmp_path / "atlas.qdpx", origin="ATLAS.ti 8.4.0"), key)
    said = [line for line in result.deviations if "Set" in line]
    assert said and all("Torbjørg" not in line and pseudonym in line for line in said)


@pytest.mark.parametrize("name", ["role", "Date", "memo", "office", "bydel"])
def test_a_set_named_as_a_field_or_a_variable_of_the_file_is_kept_under_its_name_with_set(
    session: Session, tmp_path: Path, name: str,
) -> None:
    """A probe's find: a set named "role" (or "Date", "memo", a participant's field) was said read as the attribute
    'role' and then skipped as a built-in field, the grouping lost; one named as a variable of the file ("bydel")
    took that name, and the source's own value of it moved to "bydel (2)"."""
    qdpx = Qdpx(codes=CODES)
    source = guid("source")
    qdpx.variables = f'<Variable guid="{guid("var:bydel")}" name="bydel" typeOfVariable="Text"/>'
    qdpx.cases = (f'<Case guid="{guid("case")}"><VariableValue><VariableRef targetGUID="{guid("var:bydel")}"/>'
                  f'<TextValue>1</TextValue></VariableValue><SourceRef targetGUID="{source}"/></Case>')
    qdpx.sources.append(f'<TextSource guid="{source}" name="intervju1"><PlainTextContent>{escape(TEXT)}</PlainTextContent></TextSource>')
    qdpx.extra = f'<Sets><Set guid="{guid("set")}" name="{name}"><MemberSource targetGUID="{source}"/></Set></Sets>'
    result = run_import(session, qdpx.write(tmp_path / "maxqda.qdpx", origin="MAXQDA 24"))
    transcript = session.scalars(select(Transcript)).one()
    found = {(attribute.definition.name, attribute.value) for attribute in transcript.attributes}
    assert found == {("bydel", "1"), (f"{name} (set)", "true")}, (found, result.skipped, result.problems)
    assert any(f"read as the attribute '{name} (set)' (true)" in line for line in result.deviations), result.deviations


def test_a_note_whose_text_is_only_a_docx_comes_in_with_that_text_not_said_empty(session: Session, tmp_path: Path) -> None:
    """A <Note> may hold its text as a richTextPath to a .docx, as a source may: it was skipped as empty, its text lost."""
    import io

    import docx

    document = docx.Document()
    document.add_paragraph("Sammenlign med runde 2, der hun var mer usikker.")
    written = io.BytesIO()
    document.save(written)
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    note = guid("note:docx")
    qdpx.notes.append(f'<Note guid="{note}" name="Om kurset" creatingUser="{anne}" richTextPath="internal://{note}.docx"/>')
    qdpx.members[f"sources/{note}.docx"] = written.getvalue()
    coding = _coding("sitat", guid("code:selvtillit"), anne).replace("</Coding>", f'<NoteRef targetGUID="{note}"/></Coding>')
    qdpx.sources.append(f'<TextSource guid="{guid("tekst")}" name="intervju"><PlainTextContent>{escape(TEXT)}</PlainTextContent>'
                        + _selection("sitat", TEXT, "mer selvtillit", coding, anne) + "</TextSource>")
    result = run_import(session, qdpx.write(tmp_path / "notat.qdpx", origin="NVivo 14"))
    coded = session.scalar(select(Coding.id))
    assert _memos(session) == {(f"coding {coded}", "Om kurset", "Sammenlign med runde 2, der hun var mer usikker.")}
    assert not any("empty" in line for line in result.skipped)
