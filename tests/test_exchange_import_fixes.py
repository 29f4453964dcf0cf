"""What a hostile tester found in the .qdpx import: names, merges, conflicts, types, paths and small reports."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey
from qualcode.cli import cli
from qualcode.errors import NeedsReview
from qualcode.store.models import (
    AttributeDefinition,
    Base,
    Code,
    Coder,
    Coding,
    Event,
    Memo,
    Participant,
    ParticipantAttribute,
    Transcript,
    TranscriptParticipant,
    Turn,
)
from tests.test_exchange_import import CODES, Qdpx, guid, run_import, selection

TEXT = "I: Hvordan var det å begynne?\nD: Jeg fikk mer selvtillit etter hvert, og jeg håper på jobb i høst.\n"


def test_users_names_are_pseudonymised_before_they_become_coders(session: Session, tmp_path: Path) -> None:
    key = PseudonymKey("test")
    pseudonym = add_identifier(key, "Sissel Bakken", "person", "f").pseudonym
    qdpx = Qdpx(codes=CODES)
    named = qdpx.user("Sissel Bakken 912 34 567")
    nameless = guid("user:uten navn")
    qdpx.users.append(f'<User guid="{nameless}"/>')
    qdpx.sources.append(
        f'<TextSource guid="{guid("source:brukere")}" name="brukere"><PlainTextContent>{TEXT}</PlainTextContent>'
        f'{selection("n1", TEXT, "Jeg fikk mer selvtillit", guid("code:selvtillit"), named)}'
        f'{selection("n2", TEXT, "jeg håper på jobb", guid("code:håp"), nameless)}</TextSource>'
    )
    result = run_import(session, qdpx.write(tmp_path / "brukere.qdpx"), key)
    coder = session.scalar(select(Coder).where(Coder.guid == named))
    assert coder is not None
    assert "Sissel" not in coder.name and "912" not in coder.name and pseudonym in coder.name
    unnamed = session.scalar(select(Coder).where(Coder.guid == nameless))
    assert unnamed is not None and unnamed.name == f"ukjent bruker {nameless[:8]}"
    assert all("Sissel" not in name for name in result.coders_created)


def test_a_copy_of_a_changed_transcript_merges_without_proposing_the_projects_pseudonyms(session: Session, tmp_path: Path) -> None:
    key = PseudonymKey("test")
    pseudonym = add_identifier(key, "Sissel Bakken", "person", "f").pseudonym
    original = "I: Hvem hjalp deg?\nD: Det var Sissel Bakken på kontoret som hjalp meg å få jobb til slutt.\n"
    first = Qdpx(codes=CODES)
    first.user("Anne Forsker")
    shared = guid("source:endret")
    first.sources.append(f'<TextSource guid="{shared}" name="endret"><PlainTextContent>{original}</PlainTextContent></TextSource>')
    run_import(session, first.write(tmp_path / "original.qdpx"), key)
    # The co-coder's copy holds the text as it was exported: pseudonymised, but since changed in the project.
    copy_text = f"I: Hvem hjalp deg?\nD: Det var {pseudonym} på kontoret som hjalp meg å få jobb.\n"
    copy = Qdpx(codes=CODES)
    bo = copy.user("Bo Medforsker")
    copy.sources.append(
        f'<TextSource guid="{shared}" name="endret"><PlainTextContent>{copy_text}</PlainTextContent>'
        f'{selection("endret", copy_text, "som hjalp meg", guid("code:håp"), bo)}</TextSource>'
    )
    result = run_import(session, copy.write(tmp_path / "kopi.qdpx"), key)
    assert not key.pending
    assert result.merged == ["endret"] and result.codings_added == 1
    coding = session.scalar(select(Coding).where(Coding.guid == guid("coding:endret")))
    assert coding is not None and coding.excerpt == "som hjalp meg"
    # A NEW text is pseudonymised like any import, by the spans replaced and not by the words: a
    # name there that equals a pseudonym may be a real person's, so it waits for review.
    other = Qdpx(codes=CODES)
    other.user("Bo Medforsker")
    other.sources.append(
        f'<TextSource guid="{guid("source:ny")}" name="ny"><PlainTextContent>D: Jeg ringte {pseudonym} i går.\n</PlainTextContent></TextSource>'
    )
    with pytest.raises(NeedsReview, match=pseudonym):
        run_import(session, other.write(tmp_path / "ny.qdpx"), key)


def one_coded_source(path: Path, source: str, text: str, coding: str, words: str, code: str) -> Path:
    """A co-coder's copy at `path`: one source, `text`, with one selection of `words` coded `code`."""
    qdpx = Qdpx(codes=CODES)
    user = qdpx.user("Anne Forsker")
    qdpx.sources.append(
        f'<TextSource guid="{guid("source:" + source)}" name="{source}"><PlainTextContent>{text}</PlainTextContent>'
        f'{selection(coding, text, words, guid(code), user)}</TextSource>'
    )
    return qdpx.write(path)


def test_a_coding_the_copy_changed_is_a_conflict_and_the_projects_version_is_kept(session: Session, tmp_path: Path) -> None:
    run_import(session, one_coded_source(tmp_path / "a.qdpx", "konflikt", TEXT, "konflikt", "Jeg fikk mer selvtillit", "code:selvtillit"))
    resized = run_import(session, one_coded_source(
        tmp_path / "b.qdpx", "konflikt", TEXT, "konflikt", "Jeg fikk mer selvtillit etter hvert", "code:håp",
    ))
    assert resized.codings_added == 0 and resized.codings_present == 0
    [conflict] = resized.conflicts
    assert guid("coding:konflikt") in conflict and "konflikt, line 2" in conflict
    assert "mestring/selvtillit here, mestring/håp og motivasjon in the file" in conflict and "span" in conflict
    coding = session.scalar(select(Coding).where(Coding.guid == guid("coding:konflikt")))
    assert coding is not None and coding.excerpt == "Jeg fikk mer selvtillit" and coding.code.path == "mestring/selvtillit"


def test_a_coding_the_copy_moved_to_a_transcript_of_its_own_is_a_conflict(session: Session, tmp_path: Path) -> None:
    """The file's coding GUID is held by a transcript the file does not bring: it is found there,
    not written again (its GUID is the project's, and a second row would break the import)."""
    other = "I: Og etterpå?\nD: Jeg fikk mer selvtillit av å jobbe, sier jeg nå.\n"
    words = "Jeg fikk mer selvtillit"
    run_import(session, one_coded_source(tmp_path / "a.qdpx", "først", TEXT, "flyttet", words, "code:selvtillit"))
    moved = run_import(session, one_coded_source(tmp_path / "b.qdpx", "senere", other, "flyttet", words, "code:selvtillit"))
    assert moved.imported == ["senere"] and moved.codings_added == 0
    [conflict] = moved.conflicts
    assert guid("coding:flyttet") in conflict and "først, line 2" in conflict and "the file has it in senere" in conflict
    [coding] = session.scalars(select(Coding).where(Coding.guid == guid("coding:flyttet")))
    assert coding.transcript.name == "først"


def test_a_case_named_by_its_source_and_two_selections_is_linked_once_and_a_second_import_links_nothing(
    session: Session, tmp_path: Path,
) -> None:
    qdpx = Qdpx(codes=CODES)
    user = qdpx.user("Anne Forsker")
    source = guid("source:saken")
    qdpx.sources.append(
        f'<TextSource guid="{source}" name="saken"><PlainTextContent>{TEXT}</PlainTextContent>'
        f'{selection("s1", TEXT, "Jeg fikk mer selvtillit", guid("code:selvtillit"), user)}'
        f'{selection("s2", TEXT, "jeg håper på jobb", guid("code:håp"), user)}</TextSource>'
    )
    qdpx.cases = (
        f'<Case guid="{guid("case:d9")}" name="D9"><SourceRef targetGUID="{source}"/>'
        f'<SelectionRef targetGUID="{guid("sel:s1")}"/><SelectionRef targetGUID="{guid("sel:s2")}"/></Case>'
        f'<Case guid="{guid("case:d10")}" name="D10"><SelectionRef targetGUID="{guid("sel:s2")}"/></Case>'
    )
    path = qdpx.write(tmp_path / "saker.qdpx")
    first = run_import(session, path)
    assert first.participants_linked == 2 and sorted(first.participants_created) == ["D10", "D9"]
    again = run_import(session, path)
    assert again.participants_linked == 0 and again.participants_created == []
    links = session.execute(select(Participant.name).join(TranscriptParticipant).order_by(Participant.name)).scalars().all()
    assert links == ["D10", "D9"]


def test_two_sources_with_the_same_text_become_one_transcript_with_both_sources_codings(session: Session, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=CODES)
    user = qdpx.user("Anne Forsker")
    for source, words, code in (("kopi a", "Jeg fikk mer selvtillit", "code:selvtillit"), ("kopi b", "jeg håper på jobb", "code:håp")):
        qdpx.sources.append(
            f'<TextSource guid="{guid("source:" + source)}" name="{source}"><PlainTextContent>{TEXT}</PlainTextContent>'
            f'{selection(source, TEXT, words, guid(code), user)}</TextSource>'
        )
    result = run_import(session, qdpx.write(tmp_path / "dobbel.qdpx"))
    assert result.imported == ["kopi a"] and result.merged == [] and result.codings_added == 2
    assert any("'kopi b'" in problem and "the same text as 'kopi a'; its codings added there" in problem for problem in result.problems)
    assert sorted(session.scalars(select(Coding.excerpt))) == ["Jeg fikk mer selvtillit", "jeg håper på jobb"]
    assert {coding.transcript.name for coding in session.scalars(select(Coding))} == {"kopi a"}


def test_a_copy_that_says_otherwise_of_a_participant_fills_in_what_is_missing_and_keeps_what_the_project_says(
    session: Session, tmp_path: Path,
) -> None:
    """A co-coder's copy found by the participant's name (another GUID) with another role and age: the
    project's role and age are kept and reported as conflicts; what the project lacks (an office) is filled in."""
    def copy(name: str, role: str, age: int, office: str | None) -> Path:
        qdpx = Qdpx(codes=CODES)
        qdpx.variables = (
            f'<Variable guid="{guid("var:rolle")}" name="rolle" typeOfVariable="Text"/>'
            f'<Variable guid="{guid("var:kontor")}" name="kontor" typeOfVariable="Text"/>'
            f'<Variable guid="{guid("var:alder")}" name="alder" typeOfVariable="Integer"/>'
        )
        office_value = (f'<VariableValue><VariableRef targetGUID="{guid("var:kontor")}"/><TextValue>{office}</TextValue></VariableValue>'
                        if office else "")
        qdpx.cases = (
            f'<Case guid="{guid("case:" + name)}" name="D7">'
            f'<VariableValue><VariableRef targetGUID="{guid("var:rolle")}"/><TextValue>{role}</TextValue></VariableValue>'
            f'<VariableValue><VariableRef targetGUID="{guid("var:alder")}"/><IntegerValue>{age}</IntegerValue></VariableValue>'
            f'{office_value}</Case>'
        )
        return qdpx.write(tmp_path / f"{name}.qdpx")

    run_import(session, copy("første", "deltaker", 34, None))
    merged = run_import(session, copy("andre", "veileder", 35, "kontor B"))
    assert merged.participants_created == []
    assert sorted(merged.conflicts) == [
        f"Case 'D7' {guid('case:andre')}: alder '35' in the file, '34' here; the project's kept",
        f"Case 'D7' {guid('case:andre')}: role 'veileder' in the file, 'deltaker' here; the project's kept",
    ]
    participant = session.scalar(select(Participant).where(Participant.name == "D7"))
    assert participant is not None and participant.role == "deltaker" and participant.office == "kontor B"
    assert {attribute.definition.name: attribute.value for attribute in participant.attributes} == {"alder": "34"}


def test_variables_are_typed_by_their_type_and_a_value_that_does_not_fit_is_skipped(session: Session, tmp_path: Path) -> None:
    def value(variable: str, kind: str, text: str) -> str:
        return f'<VariableValue><VariableRef targetGUID="{guid("var:" + variable)}"/><{kind}Value>{text}</{kind}Value></VariableValue>'

    qdpx = Qdpx()
    qdpx.variables = "".join(
        f'<Variable guid="{guid("var:" + name)}" name="{name}" typeOfVariable="{kind}"/>'
        for name, kind in (("alder", "Integer"), ("samtykke", "Boolean"), ("intervjuet", "Date"), ("nummer", "Text"))
    )
    qdpx.cases = (
        f'<Case guid="{guid("case:t1")}" name="T1">{value("alder", "Integer", "førti")}{value("samtykke", "Boolean", "maybe")}'
        f'{value("intervjuet", "Date", "31.12.2023")}{value("nummer", "Text", "7")}</Case>'
        f'<Case guid="{guid("case:t2")}" name="T2">{value("alder", "Text", "41")}{value("samtykke", "Boolean", "0")}'
        f'{value("intervjuet", "Date", "2023-12-31")}{value("nummer", "Text", "8")}</Case>'
    )
    result = run_import(session, qdpx.write(tmp_path / "typer.qdpx"))
    first = f"Case 'T1' {guid('case:t1')}: variable"
    assert f"{first} alder: 'førti' does not fit its type Integer; skipped" in result.problems
    assert f"{first} samtykke: 'maybe' does not fit its type Boolean; skipped" in result.problems
    assert f"{first} intervjuet: '31.12.2023' does not fit its type Date; skipped" in result.problems
    types = {definition.name: definition.value_type for definition in session.scalars(select(AttributeDefinition))}
    assert types == {"alder": "integer", "samtykke": "boolean", "intervjuet": "date", "nummer": "text"}
    attributes = {
        (attribute.participant.name, attribute.definition.name): attribute.value for attribute in session.scalars(select(ParticipantAttribute))
    }
    assert attributes == {
        ("T1", "nummer"): "7", ("T2", "alder"): "41", ("T2", "samtykke"): "false", ("T2", "intervjuet"): "2023-12-31", ("T2", "nummer"): "8",
    }


def test_a_text_path_may_point_only_into_sources(session: Session, tmp_path: Path) -> None:
    qdpx = Qdpx()
    qdpx.sources.append(f'<TextSource guid="{guid("source:qde")}" name="selvref" plainTextPath="internal://project.qde"/>')
    qdpx.sources.append(f'<TextSource guid="{guid("source:ok")}" name="grei" plainTextPath="internal://grei.txt"/>')
    qdpx.members["sources/grei.txt"] = TEXT.encode("utf-8")
    path = qdpx.write(tmp_path / "selvref.qdpx")
    result = run_import(session, path)
    assert result.imported == ["grei"]
    assert any("'selvref'" in problem and "points outside the package's sources/ folder" in problem for problem in result.problems)
    outcome = CliRunner().invoke(cli, ["exchange", "validate", str(path)])
    assert outcome.exit_code == 1 and "plainTextPath internal://project.qde: no sources/project.qde in the package" in outcome.output


def _validate(path: Path) -> tuple[int, str]:
    outcome = CliRunner().invoke(cli, ["exchange", "validate", str(path)])
    return outcome.exit_code, outcome.output


def test_validate_checks_the_root_against_the_file_type(tmp_path: Path) -> None:
    project = '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'
    codebook = '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>'
    (tmp_path / "feil.qdc").write_text(project, encoding="utf-8")
    code, output = _validate(tmp_path / "feil.qdc")
    assert code == 1 and f"{tmp_path / 'feil.qdc'}:2: the root is <Project>, but a .qdc file holds a <CodeBook>" in output
    with zipfile.ZipFile(tmp_path / "feil.qdpx", "w") as archive:
        archive.writestr("project.qde", codebook)
    code, output = _validate(tmp_path / "feil.qdpx")
    assert code == 1 and "!project.qde:2: the root is <CodeBook>, but a .qdpx's project.qde holds a <Project>" in output


def test_validate_opens_every_part_a_source_names(tmp_path: Path) -> None:
    names = ["laast.txt", "skadet.txt", "dobbel.txt", "y.docx", "hel.txt"]
    sources = "".join(
        f'<TextSource guid="{guid("v:" + name)}" name="{name}" {"richTextPath" if name.endswith("docx") else "plainTextPath"}="internal://{name}"/>'
        for name in names
    )
    project = f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>{sources}</Sources></Project>'
    path = tmp_path / "deler.qdpx"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as archive:
        warnings.simplefilter("ignore")  # the duplicate name is the point
        archive.writestr("project.qde", project)
        archive.writestr("sources/laast.txt", b"hemmelig")
        archive.writestr("sources/skadet.txt", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ-skadet")
        archive.writestr("sources/dobbel.txt", b"en")
        archive.writestr("sources/dobbel.txt", b"to")
        archive.writestr("sources/y.docx", b"ikke en docx")
        archive.writestr("sources/hel.txt", b"hel")
    data = bytearray(path.read_bytes().replace(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"ABCDEFGHIJKLMNOPQRSTUVWXYz"))
    # zipfile will not write an encrypted part: its flag is set in the local and the central header.
    for header, name_at, flag_at in ((b"PK\x03\x04", 30, 6), (b"PK\x01\x02", 46, 8)):
        position = data.find(b"sources/laast.txt")
        while position >= 0:
            if data[position - name_at:position - name_at + 4] == header:
                data[position - name_at + flag_at] |= 0x1
            position = data.find(b"sources/laast.txt", position + 1)
    path.write_bytes(bytes(data))
    code, output = _validate(path)
    assert code == 1
    lines = output.splitlines()
    assert any("plainTextPath internal://laast.txt: sources/laast.txt is encrypted" in line for line in lines)
    assert any("plainTextPath internal://skadet.txt: part sources/skadet.txt cannot be read (Bad CRC-32" in line for line in lines)
    assert any("sources/dobbel.txt: 2 parts of the package have this name" in line for line in lines)
    assert any("richTextPath internal://y.docx: sources/y.docx is not a readable .docx" in line for line in lines)
    assert not any("hel.txt" in line for line in lines)


def test_small_reports_say_what_happened(session: Session, tmp_path: Path) -> None:
    long_name = "k" * 100_000
    qdpx = Qdpx(codes=(
        f'<Code guid="{guid("code:a1")}" name="tvilling" isCodable="true" color="grønn"/>'
        f'<Code guid="{guid("code:a2")}" name="tvilling" isCodable="true"/>'
        f'<Code guid="{guid("code:lang")}" name="{long_name}" isCodable="true"/>'
    ))
    user = qdpx.user("Anne Forsker")
    qdpx.notes.append(f'<Note guid="{guid("note:tom")}" name="tom"/>')
    empty = (
        f'<PlainTextSelection guid="{guid("sel:tom")}" startPosition="4" endPosition="4">'
        f'<Coding guid="{guid("coding:tom")}"><CodeRef targetGUID="{guid("code:a1")}"/></Coding></PlainTextSelection>'
    )
    qdpx.sources.append(
        f'<TextSource guid="{guid("source:smaa")}" name="{"s" * 300}"><PlainTextContent>{TEXT}</PlainTextContent>{empty}'
        f'{selection("tvilling", TEXT, "jeg håper på jobb", guid("code:a2"), user)}<NoteRef targetGUID="{guid("note:tom")}"/></TextSource>'
    )
    result = run_import(session, qdpx.write(tmp_path / "smaa.qdpx"))
    lines = result.problems + result.skipped
    assert all(len(line) < 400 for line in lines), max(lines, key=len)[:200]
    assert any(f"{guid('sel:tom')}" in line and "selects nothing (starts and ends at 4)" in line for line in result.problems)
    assert f"Note 'tom' {guid('note:tom')}: empty; skipped" in result.skipped
    assert not any("no such Note" in line for line in result.problems)
    assert any(f"{guid('code:a2')}: the same name as {guid('code:a1')} under the same parent; merged" in line for line in result.problems)
    assert any("colour 'grønn' is not #RRGGBB" in line for line in result.problems)
    assert any(f"Code {guid('code:lang')}: its name has 100000 characters, more than the 200" in line for line in result.problems)
    assert any(f"TextSource {guid('source:smaa')}: its name has 300 characters" in line for line in result.problems)
    assert result.imported == ["s" * 199 + "…"]
    assert any(path == "k" * 199 + "…" for path in result.codes_created)


def test_the_count_of_possible_identifiers_is_the_count_of_names(session: Session, tmp_path: Path) -> None:
    qdpx = Qdpx()
    text = "D: Jeg snakket med Ragnhild Solberg om saken. Ragnhild Solberg ringte meg. Ragnhild Solberg kom."
    for number in (1, 2):  # the same name in two sources is one name
        qdpx.sources.append(f'<TextSource guid="{guid(f"s:telle{number}")}" name="telle{number}"><PlainTextContent>{text}</PlainTextContent></TextSource>')
    with pytest.raises(NeedsReview) as raised:
        run_import(session, qdpx.write(tmp_path / "telle.qdpx"), PseudonymKey("test"))
    named = raised.value.message.partition("(")[2].partition(")")[0].split(", ")
    assert f"has {len(named)} possible identifier" in raised.value.message


def test_cli_says_a_directory_is_one_and_the_export_hint_names_its_options(demo: Path, tmp_path: Path) -> None:
    (tmp_path / "mappe.qdpx").mkdir()
    outcome = CliRunner().invoke(cli, ["--project", str(demo), "import", str(tmp_path / "mappe.qdpx")])
    assert outcome.exit_code == 1 and "is a directory, not a .qdpx file" in outcome.output
    (tmp_path / "finnes.qdpx").write_bytes(b"")
    outcome = CliRunner().invoke(cli, ["--project", str(demo), "export", "qdpx", str(tmp_path / "finnes.qdpx")])
    assert outcome.exit_code == 1 and "exists" in outcome.output and "another file with --output" in outcome.output


def test_many_codes_are_created_in_bulk_with_their_events_pseudonymised_and_undoable(session: Session, tmp_path: Path) -> None:
    from qualcode.coding.history import redo, undo

    key = PseudonymKey("test")
    pseudonym = add_identifier(key, "Sissel Bakken", "person", "f").pseudonym
    children = "".join(f'<Code guid="{guid(f"code:barn{number}")}" name="barn {number}" isCodable="true"/>' for number in range(150))
    qdpx = Qdpx(codes=(
        f'<Code guid="{guid("code:tema")}" name="tema" isCodable="false" color="#aabbcc">{children}</Code>'
        f'<Code guid="{guid("code:planted")}" name="råd fra Sissel Bakken" isCodable="true">'
        "<Description>Slik Sissel Bakken sa det</Description></Code>"
    ))
    result = run_import(session, qdpx.write(tmp_path / "mange.qdpx"), key)
    assert len(result.codes_created) == 152
    codes = {code.guid: code for code in session.scalars(select(Code))}
    assert codes[guid("code:barn149")].path == "tema/barn 149" and codes[guid("code:barn149")].position == 149
    assert codes[guid("code:tema")].colour == "#AABBCC"
    planted = codes[guid("code:planted")]
    assert planted.path == f"råd fra {pseudonym}" and planted.definition == f"Slik {pseudonym} sa det"
    created = session.scalars(select(Event).where(Event.action == "code.create")).all()
    assert {event.entity_guid for event in created} >= {guid("code:tema"), guid("code:barn0"), guid("code:planted")}
    assert not any("Sissel" in f"{event.summary} {event.payload}" for event in created)
    importer = session.scalar(select(Coder).where(Coder.name == "Importør"))
    assert importer is not None
    undo(session, importer)
    assert session.scalar(select(Code).where(Code.guid == guid("code:planted"))) is None
    redo(session, importer)
    assert session.scalar(select(Code.path).where(Code.guid == guid("code:planted"))) == f"råd fra {pseudonym}"
    again = run_import(session, qdpx.write(tmp_path / "mange.qdpx"), key)
    assert again.codes_created == []


def test_a_note_on_a_skipped_selection_is_kept_on_its_transcript_and_said_so(session: Session, tmp_path: Path) -> None:
    """A selection past the text's end was skipped, and its note became a project memo unsaid
    (a hostile tester's 100-9999 on a 259-character text)."""
    from qualcode.store.models import Memo

    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    past = qdpx.note("om sitatet", "Memo om et bestemt sitat", anne)
    kept = qdpx.note("om håpet", "Håpet bærer henne.", anne)
    source = guid("source:t")
    outside = (f'<PlainTextSelection guid="{guid("sel:utenfor")}" startPosition="5" endPosition="9999">'
               f'<Coding guid="{guid("c:utenfor")}"><CodeRef targetGUID="{guid("code:press")}"/></Coding><NoteRef targetGUID="{past}"/>'
               "</PlainTextSelection>")
    qdpx.sources.append(
        f'<TextSource guid="{source}" name="intervju.txt"><PlainTextContent>{TEXT}</PlainTextContent>{outside}'
        f'{selection("håp", TEXT, "jeg håper på jobb i høst", guid("code:håp"), anne, (kept,))}</TextSource>'
    )
    result = run_import(session, qdpx.write(tmp_path / "notert.qdpx"))
    assert f"Note 'om sitatet' {past}: on a selection or coding that was skipped; kept as a memo on intervju" in result.problems
    assert f"PlainTextSelection {guid('sel:utenfor')} in intervju: positions 5-9999 lie outside the text (0-99); skipped" in result.problems
    memos = {memo.text: (memo.transcript_id is not None, memo.coding_id is not None) for memo in session.scalars(select(Memo))}
    assert memos == {"Memo om et bestemt sitat": (True, False), "Håpet bærer henne.": (False, True)}


def test_what_the_import_says_of_a_case_names_it_by_its_pseudonym(session: Session, tmp_path: Path) -> None:
    """"Case 'Kristoffer Lie' …: variable Start …" was printed with the case's name as the file wrote
    it; the participant was stored by its pseudonym, and the terminal or a log kept the name."""
    key = PseudonymKey("test")
    pseudonym = add_identifier(key, "Kristoffer Lie", "person", "m").pseudonym
    qdpx = Qdpx(codes=CODES)
    qdpx.variables = f'<Variable guid="{guid("var:start")}" name="Start" typeOfVariable="Date"/>'
    qdpx.cases = (f'<Case guid="{guid("case:k")}" name="Kristoffer Lie"><VariableValue><VariableRef targetGUID="{guid("var:start")}"/>'
                  "<DateValue>2023-02-30</DateValue></VariableValue></Case>")
    qdpx.sources.append(f'<TextSource guid="{guid("source:k")}" name="k"><PlainTextContent>{TEXT}</PlainTextContent></TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "case.qdpx"), key)
    said = [line for line in result.problems if line.startswith("Case ")]
    assert said and all("Kristoffer" not in line and "Lie'" not in line for line in said) and pseudonym in said[0], said


def test_a_qdpx_text_s_turn_at_a_time_no_clock_shows_is_kept_without_it_and_said(session: Session, tmp_path: Path) -> None:
    """As a transcript file's: "[00:75:10] D:" was stored as 1:15:10 into the recording."""
    qdpx = Qdpx(codes=CODES)
    text = "[00:00:05] I: Hvordan var det?\n[00:75:10] D: Det gikk bra.\n"
    qdpx.sources.append(f'<TextSource guid="{guid("source:tid")}" name="tid"><PlainTextContent>{text}</PlainTextContent></TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "tid.qdpx"))
    assert "tid: 1 turn's time is no time (minutes and seconds go to 59), so the turn has none: line 2 (00:75:10)" in result.deviations
    assert [(turn.speaker, turn.timestamp_ms) for turn in session.scalars(select(Turn).order_by(Turn.seq))] == [("I", 5000), ("D", None)]


def _over_their_columns(session: Session) -> list[str]:
    """Every stored value longer than its String(N) column: SQLite keeps it, PostgreSQL refuses the import."""
    over = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            length = getattr(column.type, "length", None)
            if length is None:
                continue
            for (value,) in session.execute(select(column).where(func.length(column) > length)):
                over.append(f"{table.name}.{column.name}: {len(value)} characters, more than {length}")
    return over


def _cut_at_a_word(stored: str, written: str) -> bool:
    """Whether `stored` is `written` cut after a whole word, with "…"."""
    return stored.endswith("…") and written.startswith(stored[:-1]) and written[len(stored) - 1] == " "


def test_text_longer_than_its_column_is_cut_at_a_word_with_a_note_and_nothing_the_file_says_is_lost(
    session: Session, tmp_path: Path,
) -> None:
    """A note's title of 400 characters, a source's title and mode and a variable's name longer than
    their columns were stored as they were: SQLite took them, PostgreSQL would have refused the import."""
    words = " ".join(["deltakeren forteller om oppfølgingen fra veilederen"] * 8)  # 415 characters
    qdpx = Qdpx(variables=(f'<Variable guid="{guid("var:tittel")}" name="title" typeOfVariable="Text"/>'
                           f'<Variable guid="{guid("var:modus")}" name="mode" typeOfVariable="Text"/>'
                           f'<Variable guid="{guid("var:lang")}" name="{words[:150]}" typeOfVariable="Text"/>'))
    user = qdpx.user("Anne Forsker")
    qdpx.note(words, "Et notat med en lang tittel.", user)
    values = "".join(f'<VariableValue><VariableRef targetGUID="{guid(name)}"/><TextValue>{value}</TextValue></VariableValue>'
                     for name, value in (("var:tittel", words), ("var:modus", "telefon " * 10)))
    qdpx.sources.append(f'<TextSource guid="{guid("source:lang")}" name="lang"><PlainTextContent>{TEXT}</PlainTextContent>{values}</TextSource>')
    qdpx.cases = (f'<Case guid="{guid("case:d1")}" name="D1"><VariableValue><VariableRef targetGUID="{guid("var:lang")}"/>'
                  f'<TextValue>ja</TextValue></VariableValue><SourceRef targetGUID="{guid("source:lang")}"/></Case>')
    result = run_import(session, qdpx.write(tmp_path / "lang.qdpx"))
    assert _over_their_columns(session) == []
    memo = session.scalars(select(Memo).where(Memo.transcript_id.is_(None))).one()
    assert memo.title is not None and _cut_at_a_word(memo.title, words)
    assert memo.text == f"{words}\n\nEt notat med en lang tittel."  # the whole title, at the start of the memo
    assert any(f"Note {guid('note:' + words)}: its title has 415 characters, more than the 300 qualcode keeps;"
               " cut, and kept whole at the start of the memo" in line for line in result.problems), result.problems
    transcript = session.scalars(select(Transcript)).one()
    assert transcript.title is not None and _cut_at_a_word(transcript.title, words)
    assert transcript.mode == "telefon " * 5 + "telefon…"
    assert any("TextSource 'lang': variable title: its value has 415 characters, more than the 300 qualcode keeps; cut" in line
               for line in result.problems), result.problems
    # The whole title and mode, as memos on the transcript.
    assert {memo.title: memo.text for memo in session.scalars(select(Memo).where(Memo.transcript_id == transcript.id))} == {
        "title": words, "mode": ("telefon " * 10).strip(),
    }
    participant = session.scalars(select(Participant)).one()
    [(name, value)] = [(attribute.definition.name, attribute.value) for attribute in participant.attributes]  # it was skipped
    assert _cut_at_a_word(name, words) and value == "ja"
    assert sum(f"Variable {words[:150]!r}"[:60] in line for line in result.problems) == 1, result.problems


def test_text_cut_to_its_column_inside_a_long_word_keeps_each_emoji_whole(session: Session, tmp_path: Path) -> None:
    """A note's title of flags and family emoji, with no space to cut at, was cut at a code point: a flag
    became a lone letter symbol and a family a man alone ("👨‍👩‍👧" cut after its first joiner)."""
    import regex

    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    title = "Notat " + ("\U0001f1f3\U0001f1f4" + family) * 60
    qdpx = Qdpx()
    qdpx.note(title, "Et notat.", qdpx.user("Anne Forsker"))
    run_import(session, qdpx.write(tmp_path / "emoji.qdpx"))
    stored = session.scalars(select(Memo.title)).one()
    assert stored is not None and stored.endswith("…") and len(stored) <= 300
    kept = regex.findall(r"\X", stored[:-1])
    assert kept == regex.findall(r"\X", title)[:len(kept)] and len(kept) > 50


@pytest.mark.parametrize("hidden", ["\u00ad", "\u200b", "\u2060", "\u200d"], ids=["soft hyphen", "zero-width space", "word joiner", "joiner"])
def test_a_name_split_by_an_invisible_character_in_a_note_is_read_for_review_as_it_is_stored(
    session: Session, tmp_path: Path, hidden: str,
) -> None:
    """A note "notat om Torb\u00adjørg Heg\u00adseth" was read for review as written: only "jørg" was
    proposed, and once that was decided the memo was stored without the soft hyphens, the name
    nobody had reviewed in clear ("notat om Torbjørg Hegseth her")."""
    qdpx = Qdpx()
    qdpx.user("Anne Forsker")
    qdpx.note("notat", f"notat om Torb{hidden}jørg Heg{hidden}seth her")
    qdpx.sources.append(f'<TextSource guid="{guid("source:s")}" name="s"><PlainTextContent>{TEXT}</PlainTextContent></TextSource>')
    key = PseudonymKey("test")
    with pytest.raises(NeedsReview) as held:
        run_import(session, qdpx.write(tmp_path / "skjult.qdpx"), key)
    assert [candidate.text for candidate in key.pending] == ["Torbjørg Hegseth"], held.value.message
    assert session.scalar(select(func.count()).select_from(Memo)) == 0
