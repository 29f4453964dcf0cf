"""`qualcode export qdpx`: the coded samples as a REFI-QDA project that validates, places every coding on
its words, keeps its identities from one export to the next, and passes the leak check."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.framework import clear_summary, set_summary
from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.leakcheck import check_file
from qualcode.anonymise.service import add_known_identifier, create_key
from qualcode.cli import cli
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.consensus import Choice, Disagreement, decide, disagreements
from qualcode.coding.history import undo
from qualcode.coding.memos import add_memo
from qualcode.coding.service import add_coding, remove_coding
from qualcode.errors import LeakFound, WriteFailed
from qualcode.exchange.codebook_qdc import serialise_valid
from qualcode.exchange.project_export import build_qdpx, export_qdpx
from qualcode.exchange.schema import PROJECT_NS, schema_problems
from qualcode.importers.metadata import attribute_definition, typed_value
from qualcode.store.models import Coder, Coding, Memo, Participant, ParticipantAttribute, Transcript
from qualcode.store.project import Project
from qualcode.store.settings import set_setting
from tests.conftest import make_transcript

NS = {"p": PROJECT_NS}
EMOJI_TEXT = "I: Hvordan går det nå?\nD1: Æ e glad 😅 for kurset, søren å. Det ble bedre 👍🏽 etter hvert.\n"


@dataclass
class Exported:
    root: Path
    key: PseudonymKey
    first: bytes
    second: bytes
    codings: dict[str, tuple[str, str, str, int, int, str]]  # coding guid -> transcript guid, code guid, coder guid, start, end, excerpt
    memo_guids: dict[str, str]  # what the memo is on -> its guid


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, coded_template: tuple[Path, dict[str, Any]]) -> Iterator[Exported]:
    """The coded samples, plus an emoji transcript coded by a second coder and memos on everything, exported twice."""
    base = tmp_path_factory.mktemp("qdpx")
    root = base / "studie"
    shutil.copytree(coded_template[0], root)
    key = PseudonymKey.from_json(coded_template[1])
    with Project.open(root) as project:
        with project.begin() as session:
            second = get_or_create_coder(session, "Forsker 2")
            make_transcript(session, base, EMOJI_TEXT, name="emoji", key=key)
            emoji = add_coding(session, "emoji", "empowerment/selvbilde og selvtillit", second, match="glad 😅 for kurset, søren å")
            add_coding(session, "emoji", "empowerment", second, match="bedre 👍🏽 etter")
            removed = add_coding(session, "emoji", "empowerment/avmakt", second, match="Hvordan går det")
            remove_coding(session, removed.id, second)
            d1 = session.scalars(select(Participant).where(Participant.name == "D1")).one()
            for name, value in (("antall barn", 2), ("startet", date(2023, 9, 1)), ("i arbeid", True)):
                definition = attribute_definition(session, name, "participant", value)
                d1.attributes.append(ParticipantAttribute(definition=definition, value=typed_value(session, definition, value)))
            memo_guids = {
                "project": add_memo(session, "Et notat om hele studien", second).guid,
                "code": add_memo(session, "Måltall nevnes mest av ledere", second, code_ref="måltall-press").guid,
                "transcript": add_memo(session, "Kort intervju", second, transcript_ref="leder_L1").guid,
                "coding": add_memo(session, "Godt sitat", second, coding_ref=str(emoji.id)).guid,
            }
        with project.begin() as session:
            codings = {
                coding.guid: (coding.transcript.guid, coding.code.guid, coding.coder.guid, coding.start, coding.end, coding.excerpt)
                for coding in session.scalars(select(Coding).where(Coding.removed_at.is_(None)))
            }
            first = build_qdpx(session, "studie", now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)).data
            again = build_qdpx(session, "studie", now=datetime(2026, 12, 2, 10, 30, tzinfo=UTC)).data
    yield Exported(root, key, first, again, codings, memo_guids)


def _parts(data: bytes) -> tuple[etree._Element, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return etree.fromstring(members["project.qde"]), members


def test_the_export_validates_and_holds_sources_in_lowercase_sources(exported: Exported) -> None:
    project, members = _parts(exported.first)
    assert schema_problems(project) == []
    assert members["project.qde"].startswith(b"<?xml")
    assert all(name == "project.qde" or re.fullmatch(r"sources/[0-9a-f-]{36}\.txt", name) for name in members)
    for source in project.iterfind(".//p:TextSource", NS):
        path = source.get("plainTextPath") or ""
        assert path == f"internal://{source.get('guid')}.txt"
        data = members["sources/" + path.removeprefix("internal://")]
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    assert project.find("p:Sets", NS) is None  # qualcode has no sets, and an empty <Sets/> is invalid


def test_every_coding_selects_its_passage_with_its_guid_code_and_coder(exported: Exported) -> None:
    project, members = _parts(exported.first)
    found = {}
    for source in project.iterfind(".//p:TextSource", NS):
        text = members[f"sources/{source.get('guid')}.txt"].decode("utf-8")
        for selection in source.iterfind("p:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition") or -1), int(selection.get("endPosition") or -1)
            for coding in selection.iterfind("p:Coding", NS):
                code = coding.find("p:CodeRef", NS)
                assert code is not None
                found[coding.get("guid")] = (source.get("guid"), code.get("targetGUID"), coding.get("creatingUser"), start, end, text[start:end])
    assert found == exported.codings  # every live coding (not the removed one), each passage text[start:end] of its source
    excerpts = {passage[-1] for passage in found.values()}
    assert {"glad 😅 for kurset, søren å", "bedre 👍🏽 etter", "Jeg følte meg som en snylter, ærlig talt."} <= excerpts
    users = {user.get("guid"): user.get("name") for user in project.iterfind("p:Users/p:User", NS)}
    assert {"Forsker 1", "Forsker 2"} <= set(users.values())
    assert {passage[2] for passage in found.values()} <= set(users)


def test_memos_are_notes_referred_to_from_what_they_annotate(exported: Exported) -> None:
    project, _ = _parts(exported.first)
    notes = {note.get("guid"): note.findtext("p:PlainTextContent", namespaces=NS) for note in project.iterfind("p:Notes/p:Note", NS)}
    guids = exported.memo_guids
    assert notes[guids["project"]] == "Et notat om hele studien"
    assert [ref.get("targetGUID") for ref in project.iterfind("p:NoteRef", NS)] == [guids["project"]]
    code = project.find(".//p:Code[@name='måltall-press']", NS)
    assert code is not None and [ref.get("targetGUID") for ref in code.iterfind("p:NoteRef", NS)] == [guids["code"]]
    leader = project.find(".//p:TextSource[@name='leder_L1']", NS)
    assert leader is not None and [ref.get("targetGUID") for ref in leader.iterfind("p:NoteRef", NS)] == [guids["transcript"]]
    on_coding = project.find(f".//p:Coding/p:NoteRef[@targetGUID='{guids['coding']}']", NS)
    assert on_coding is not None and notes[guids["coding"]] == "Godt sitat"
    # a coding's own memo ("Kjernesitat" on two of the samples' codings) is a note of its own, referred to from its coding
    own = [guid for guid, text in notes.items() if text == "Kjernesitat"]
    assert len(own) == 2 and all(project.find(f".//p:Coding/p:NoteRef[@targetGUID='{guid}']", NS) is not None for guid in own)


def test_participants_are_cases_with_typed_variables_and_their_transcripts(exported: Exported) -> None:
    project, _ = _parts(exported.first)
    variables = {variable.get("guid"): (variable.get("name"), variable.get("typeOfVariable")) for variable in project.iterfind("p:Variables/p:Variable", NS)}
    by_name = {name: kind for name, kind in variables.values()}
    assert by_name["role"] == by_name["office"] == by_name["age band"] == by_name["wave"] == "Text"
    assert (by_name["antall barn"], by_name["startet"], by_name["i arbeid"], by_name["interview date"]) == ("Integer", "Date", "Boolean", "Date")
    assert (by_name["kvp_start"], by_name["barn"]) == ("Date", "Text")  # a CSV value written as a date makes a date attribute
    with Project.open(exported.root) as opened, opened.begin() as session:
        d1 = session.scalars(select(Participant).where(Participant.name == "D1")).one()
        sources = {t.guid: t.name for t in session.scalars(select(Transcript))}
        case = project.find(f"p:Cases/p:Case[@guid='{d1.guid}']", NS)
        assert case is not None and case.get("name") == "D1"
        values = {
            variables[value.find("p:VariableRef", NS).get("targetGUID")][0]: value[1].text  # type: ignore[union-attr]
            for value in case.iterfind("p:VariableValue", NS)
        }
        assert values == {
            "role": "deltaker", "gender": "kvinne", "age band": "30-39", "office": "kontor A", "kvp_start": "2023-09-01", "barn": "ja",
            "antall barn": "2", "startet": "2023-09-01", "i arbeid": "true",
        }
        spoken = {sources[ref.get("targetGUID") or ""] for ref in case.iterfind("p:SourceRef", NS)}
        assert {"deltaker_D1_T1", "deltaker_D1_T2"} <= spoken and "leder_L1" not in spoken
        assert session.scalar(select(Coder.guid).where(Coder.name == "Forsker 2")) in project.xpath("p:Users/p:User/@guid", namespaces=NS)


def test_a_second_export_is_the_same_apart_from_the_dates(exported: Exported) -> None:
    first, first_members = _parts(exported.first)
    second, second_members = _parts(exported.second)
    assert first.get("creationDateTime") != second.get("creationDateTime")
    for project in (first, second):
        for attribute in ("creationDateTime", "modifiedDateTime"):
            del project.attrib[attribute]
    assert etree.tostring(first) == etree.tostring(second)
    assert {name: data for name, data in first_members.items() if name != "project.qde"} == {
        name: data for name, data in second_members.items() if name != "project.qde"
    }


def test_the_leak_check_refuses_an_export_holding_a_known_original(exported: Exported, tmp_path: Path) -> None:
    key = PseudonymKey.from_json(exported.key.to_json())
    add_known_identifier(key, "KVP", "other")  # as if it were a name, learned without re-applying the key
    target = tmp_path / "lekk.qdpx"
    with Project.open(exported.root) as project, project.begin() as session, pytest.raises(LeakFound, match="refused to write lekk.qdpx") as refused:
        export_qdpx(session, project.root, target, False, key)
    assert not target.exists()
    # The key holds it: the hint is not to add it to the key, but to find where the project still has it.
    assert "(the key holds 'KVP' already, yet the project still has it" in str(refused.value)


def test_the_project_is_named_as_the_key_cleaned_its_name_not_after_its_folder(exported: Exported, tmp_path: Path) -> None:
    """A study's folder may be named after a person; once the key knows the name, the project's name
    is rewritten with the rest, and the .qdpx names the project by it, so the export is not refused."""
    from qualcode.anonymise.reapply import reapply_key

    root = tmp_path / "Kari Nordmann studie"
    shutil.copytree(exported.root, root)
    key = PseudonymKey.from_json(exported.key.to_json())
    pseudonym = add_identifier(key, "Kari Nordmann", "person", "f").pseudonym
    with Project.open(root) as project:
        with project.begin() as session:
            set_setting(session, "project.name", root.name)  # as `qualcode init` names it
        with project.begin() as session:
            reapply_key(session, key)
        with project.begin() as session:
            written = export_qdpx(session, project.root, tmp_path / "studie.qdpx", False, key)
    qde, _ = _parts(written.path.read_bytes())
    assert qde.get("name") == f"{pseudonym} studie"


def test_guids_and_positions_side_by_side_never_read_as_identifiers(exported: Exported) -> None:
    """The leak check reads attribute values joined by spaces: a GUID ending in four digits before a
    name would be a postcode ("…4764 Forsker"), two positions side by side a phone number ("2200 2350")."""
    with Project.open(exported.root) as project, project.begin() as session:
        coder = session.scalars(select(Coder).where(Coder.name == "Forsker 2")).one()
        coder.guid = "45670000-0000-4000-8000-0000000a4764"
        coding = session.scalars(select(Coding).join(Transcript).where(Transcript.name == "deltaker_D1_T1")).first()
        assert coding is not None
        coding.start, coding.end, coding.coder = 2200, 2350, coder
        session.flush()
        data = build_qdpx(session, "Studie 2024").data
        session.rollback()
    assert '"2200"' in _parts(data)[1]["project.qde"].decode()
    assert check_file(data, PseudonymKey("test"), "studie.qdpx") == []


def test_a_guid_is_never_read_as_a_fodselsnummer_but_an_email_in_a_note_is_found(exported: Exported) -> None:
    """A GUID attribute is skipped by the leak check (its twelve digits may pass the fødselsnummer's
    checks by chance); what a note says is still read, e-mail addresses included."""
    fnr_shaped = "45670000-0000-4000-8000-010190000830"  # 01019000083 passes both check digits
    with Project.open(exported.root) as project, project.begin() as session:
        coding = session.scalars(select(Coding).join(Transcript).where(Transcript.name == "deltaker_D1_T1")).first()
        assert coding is not None
        coding.guid = fnr_shaped
        session.flush()
        clean = build_qdpx(session, "Studie 2024").data
        coding.memo = "Spør henne på kari.nordmann-2@nav.no om sitatet."
        session.flush()
        with_email = build_qdpx(session, "Studie 2024").data
        session.rollback()
    assert f'guid="{fnr_shaped}"' in _parts(clean)[1]["project.qde"].decode()
    assert check_file(clean, PseudonymKey("test"), "studie.qdpx") == []
    assert [(leak.kind, leak.found) for leak in check_file(with_email, PseudonymKey("test"), "studie.qdpx")] == [
        ("email", "kari.nordmann-2@nav.no"),
    ]


def test_a_sources_path_is_never_read_as_an_account_number(exported: Exported) -> None:
    """A source's text is `internal://<its GUID>.txt`; a GUID ending in eleven digits and a letter
    ("…-15038316041f") passed for an account number there and refused the whole export, about one
    demo project in a hundred, as its GUIDs were drawn."""
    account_shaped = "45670000-0000-4000-8000-15038316041f"  # 15038316041 passes the account's check digit
    with Project.open(exported.root) as project, project.begin() as session:
        transcript = session.scalars(select(Transcript).where(Transcript.name == "deltaker_D1_T1")).one()
        transcript.guid = account_shaped
        session.flush()
        data = build_qdpx(session, "Studie 2024").data
        session.rollback()
    assert f'plainTextPath="internal://{account_shaped}.txt"' in _parts(data)[1]["project.qde"].decode()
    assert check_file(data, PseudonymKey("test"), "studie.qdpx") == []


def test_cli_writes_the_default_name_in_exports_and_the_file_validates(exported: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "studie"
    shutil.copytree(exported.root, root)
    with Project.open(root) as project:
        create_key(project, tmp_path / "keys" / "studie.qckey", "test passphrase")
    monkeypatch.setenv("QUALCODE_KEY", str(tmp_path / "keys" / "studie.qckey"))
    result = CliRunner().invoke(cli, ["--project", str(root), "export", "qdpx"])
    assert result.exit_code == 0, result.output
    written = sorted((root / "exports").glob("prosjekt-*.qdpx"))
    assert len(written) == 1
    assert f"wrote {written[0]}: 11 transcripts, 12 codings, 6 memos, 10 participants" in result.output
    validated = CliRunner().invoke(cli, ["exchange", "validate", str(written[0])])
    assert (validated.exit_code, validated.output) == (0, f"{written[0]}: valid\n")
    leaks = CliRunner().invoke(cli, ["--project", str(root), "leakcheck", str(written[0])])
    assert leaks.exit_code == 0, leaks.output


def test_the_qdpx_export_takes_its_file_as_output_as_the_other_exports_do(
    exported: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A field trial: `export qdpx --output FILE` was refused ("No such option '--output'"), though `export
    report` and `export quotes` take it. The file given as PATH is still written; the help names one way."""
    root = tmp_path / "studie"
    shutil.copytree(exported.root, root)
    with Project.open(root) as project:
        create_key(project, tmp_path / "keys" / "studie.qckey", "test passphrase")
    monkeypatch.setenv("QUALCODE_KEY", str(tmp_path / "keys" / "studie.qckey"))
    project = ["--project", str(root), "export", "qdpx"]
    named, positional = tmp_path / "ut" / "studie.qdpx", tmp_path / "studie-2.qdpx"
    named.parent.mkdir()
    for args, written in ((["--output", str(named)], named), ([str(positional)], positional)):
        result = CliRunner().invoke(cli, [*project, *args])
        assert result.exit_code == 0 and f"wrote {written}: 11 transcripts" in result.output, result.output
        assert zipfile.is_zipfile(written)
    taken = CliRunner().invoke(cli, [*project, "--output", str(named)])
    assert taken.exit_code == 1 and taken.stderr == (
        f"error: {named} exists (hint: pass --force to overwrite it, or give another file with --output)\n")
    assert CliRunner().invoke(cli, [*project, "--output", str(named), "--force"]).exit_code == 0
    both = CliRunner().invoke(cli, [*project, str(positional), "--output", str(named)])
    assert both.exit_code == 2 and "name the file once, with --output" in both.output
    shown = CliRunner().invoke(cli, [*project, "--help"]).output
    assert "export qdpx [OPTIONS]\n" in shown and "--output PATH" in shown and "PATH if" not in shown


def test_an_orphaned_coding_is_left_out_and_named_and_an_invalid_document_is_never_written(exported: Exported) -> None:
    """Also: a control character XML cannot hold, typed into a memo, is dropped rather than breaking the file."""
    with Project.open(exported.root) as project, project.begin() as session:
        coding = session.scalars(select(Coding).where(Coding.memo == "Kjernesitat")).first()
        assert coding is not None
        # As an import with --replace leaves a coding it finds no place for: orphaned, and out of the live ones.
        coding.orphaned_at = coding.removed_at = datetime(2026, 12, 1, tzinfo=UTC)
        session.scalars(select(Coding).where(Coding.guid != coding.guid, Coding.memo.is_not(None))).first().memo = "Kontroll\x07tegn"  # type: ignore[union-attr]
        coding_id, coding_guid = coding.id, coding.guid
        session.flush()
        content = build_qdpx(session, "studie")
        session.rollback()
    assert content.codings == len(exported.codings) - 1
    assert any(f"coding {coding_id} on " in reason and "orphaned" in reason for reason in content.left_out)
    project_qde, _ = _parts(content.data)
    assert schema_problems(project_qde) == [] and project_qde.find(f".//p:Coding[@guid='{coding_guid}']", NS) is None
    assert "Kontrolltegn" in [note.findtext("p:PlainTextContent", namespaces=NS) for note in project_qde.iterfind("p:Notes/p:Note", NS)]
    broken = etree.Element(f"{{{PROJECT_NS}}}Project", {"name": "studie"})
    etree.SubElement(broken, f"{{{PROJECT_NS}}}Sources")  # a Sources element needs at least one source
    with pytest.raises(WriteFailed, match=r"the project export does not validate .*line 3: .*Sources.*nothing was written"):
        serialise_valid(broken, "the project export")


def test_framework_summaries_and_consensus_decisions_are_said_not_carried(exported: Exported, tmp_path: Path) -> None:
    """REFI-QDA has no place for a framework summary or a consensus decision: the export dropped both
    unsaid, and an import of the file found the decided disagreements undecided again (the decision to
    keep neither gone without a trace) and the framework cell without its summary. The export says how
    many it does not carry, and where they stay; one taken back is not counted."""
    root = tmp_path / "studie"
    shutil.copytree(exported.root, root)
    transcript = "veileder_V1"

    def undecided(session: Session, code: str) -> Disagreement:
        return next(found for found in disagreements(session, transcript, "Forsker 1", "Forsker 2")
                    if found.code_path == code and not found.settled)

    with Project.open(root) as project:
        with project.begin() as session:
            first, second = get_or_create_coder(session, "Forsker 1"), get_or_create_coder(session, "Forsker 2")
            add_coding(session, transcript, "måltall-press/inntakspress", second, match="Så da ble det sånn at vi tok inn nesten alle som kom.")
            add_coding(session, transcript, "måltall-press", second, match="Det var pes hele våren.")
            add_coding(session, transcript, "empowerment", second, match="Det handler om å bygge opp troen på seg selv")
            decide(session, undecided(session, "måltall-press/inntakspress"), Choice.A, first)
            decide(session, undecided(session, "måltall-press"), Choice.NEITHER, first)
            decide(session, undecided(session, "empowerment"), Choice.B, first)
            undo(session, first)  # the empowerment decision, taken back: nothing to carry
            set_summary(session, "D1", "empowerment/avmakt", "Kjente seg som en byrde", first)
            set_summary(session, "D1", "empowerment/selvbilde og selvtillit", "Tror mer på seg selv", first)
            clear_summary(session, "D1", "empowerment/selvbilde og selvtillit", first)  # cleared: nothing to carry
        with project.begin() as session:
            written = export_qdpx(session, project.root, tmp_path / "p.qdpx", False, exported.key)
    said = [warning for warning in written.warnings if "not carried" in warning]
    assert said == [
        "1 framework summary not carried: REFI-QDA has no place for a summary of a participant under a code;"
        " it stays in this project (`qualcode framework show`)",
        "2 consensus decisions not carried: REFI-QDA has no place for a decision between two coders (the codings"
        " a decision made are written as konsensus's, a decision to keep neither not at all), so an import finds"
        " them undecided; they stay in this project (`qualcode consensus list --transcript NAME`)",
    ], written.warnings
    qde, _ = _parts(written.path.read_bytes())
    assert "byrde" not in etree.tostring(qde, encoding="unicode")  # said, not written


def test_cli_says_one_coding_and_one_memo_in_the_singular(demo: Path) -> None:
    """`export qdpx` said "1 codings, 1 memos" of a project with one of each."""
    project = ["--project", str(demo)]
    coded = CliRunner().invoke(cli, [*project, "coding", "add", "leder_L1", "måltall-press", "--match", "måltallet før jul",
                                     "--memo", "Tydelig press"])
    assert coded.exit_code == 0, coded.output
    result = CliRunner().invoke(cli, [*project, "export", "qdpx"])
    assert result.exit_code == 0 and ": 10 transcripts, 1 coding, 1 memo, 10 participants" in result.output, result.output


def test_a_memo_on_a_removed_coding_is_said_left_out_in_the_singular(exported: Exported) -> None:
    with Project.open(exported.root) as project, project.begin() as session:
        memo = session.scalars(select(Memo).where(Memo.guid == exported.memo_guids["coding"])).one()
        coding = session.get(Coding, memo.coding_id)
        assert coding is not None
        coding.removed_at = datetime(2026, 12, 1, tzinfo=UTC)
        session.flush()
        content = build_qdpx(session, "studie")
        session.rollback()
    assert "1 memo on a coding that is not exported" in content.left_out
