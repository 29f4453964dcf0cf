"""REFI-QDA exchange under a hostile researcher's probing: other programs' files read as they were written."""

from __future__ import annotations

import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey
from qualcode.cli import cli
from qualcode.config import Config
from qualcode.errors import NeedsReview
from qualcode.store.models import AttributeDefinition, Memo, Transcript
from qualcode.store.project import DATABASE_FILE, PROJECT_DIR
from qualcode.workspace import Workspace
from tests.test_exchange_foreign_habits import WINDOWS, coded, coded_words
from tests.test_exchange_import import CODES, Qdpx, guid, run_import, selection


def _state(root: Path) -> str:
    """Every row of the project's database, as SQL."""
    with closing(sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE)) as connection:
        return "\n".join(connection.iterdump())


@pytest.mark.parametrize("origin", ["Qualcoder-1.4", "QualCoder 3.8.2", "MAXQDA 2022"])
def test_a_qualcoder_file_is_not_taken_for_qualcodes_own_and_its_positions_are_read_as_counted(
    session: Session, tmp_path: Path, origin: str,
) -> None:
    # QualCoder's export for MAXQDA writes its text with CRLFs and counts positions without them;
    # only qualcode's own files are read without asking how their positions were counted.
    counted = WINDOWS.replace("\r\n", "\n")
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    selections = "".join(
        coded(words, counted.index(words), counted.index(words) + len(words), guid(code), anne)
        for words, code in (("selvtillit på kurset", "code:selvtillit"), ("håper på jobb", "code:håp"))
    )
    qdpx.members["sources/win.txt"] = WINDOWS.encode("utf-8-sig")
    qdpx.sources.append(f'<TextSource guid="{guid("source:win")}" name="win" plainTextPath="internal://win.txt">{selections}</TextSource>')
    path = qdpx.write(tmp_path / "qualcoder.qdpx", origin=origin)
    result = run_import(session, path)
    assert coded_words(session) == {("selvtillit på kurset", "selvtillit"), ("håper på jobb", "håp og motivasjon")}, result.problems
    assert not result.problems


TEXT = "I: Hvordan gikk det?\nD: Jeg fikk mer selvtillit på kurset.\n"


def _small_project(path: Path) -> Path:
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    qdpx.sources.append(f'<TextSource guid="{guid("source:a")}" name="intervju_a"><PlainTextContent>{TEXT}</PlainTextContent>'
                        + selection("s1", TEXT, "selvtillit på kurset", guid("code:selvtillit"), anne) + "</TextSource>")
    return qdpx.write(path)


@pytest.mark.parametrize("file_name", ["Intervju med Gunnhild Sæther.qdpx", "intervju_gunnhild_sæther.qdpx"])
def test_a_name_in_the_qdpx_files_own_name_holds_it_back_as_a_transcript_files_name_does(
    demo: Path, tmp_path: Path, file_name: str,
) -> None:
    # The file's name is written into every event the import records ("coded … (from FILE)").
    result = CliRunner().invoke(cli, ["--project", str(demo), "import", str(_small_project(tmp_path / file_name))])
    assert result.exit_code == 1, result.output
    assert "possible identifier" in result.output and "Gunnhild Sæther" in result.output, result.output
    assert "intervju_a" not in _state(demo) and "Gunnhild" not in _state(demo)
    with Workspace.open(Config.resolve(project=demo)) as workspace:
        assert "Gunnhild Sæther" in {candidate.text for candidate in workspace.read_key().pending}


def test_a_qdpx_named_after_its_user_or_a_pseudonym_is_not_held_back(demo: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--project", str(demo), "import", str(_small_project(tmp_path / "koding Anne Forsker.qdpx"))])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["--project", str(demo), "import", str(_small_project(tmp_path / "anne.qdpx"))])
    assert result.exit_code == 0, result.output


def _run(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, [line for line in result.output.splitlines() if line.strip()]


def test_a_qdc_is_validated_as_the_codebook_it_is_under_its_name_or_another(demo: Path, tmp_path: Path) -> None:
    # `codebook validate` read every file as YAML: the project's own .qdc was "not valid YAML".
    qdc = tmp_path / "kodebok.qdc"
    assert _run("--project", str(demo), "codebook", "export", str(qdc))[0] == 0
    code, lines = _run("codebook", "validate", str(qdc))
    assert code == 0 and lines[-1].startswith(f"{qdc}: valid, 25 codes"), lines
    renamed = tmp_path / "kodebok.yaml"  # its XML, under a YAML name
    renamed.write_bytes(qdc.read_bytes())
    code, lines = _run("codebook", "validate", str(renamed))
    assert code == 0 and "valid, 25 codes" in lines[-1], lines
    code, lines = _run("--project", str(demo), "codebook", "import", str(renamed))
    assert code == 0 and lines[0].startswith("0 codes added, 0 updated, 25 unchanged"), lines


@pytest.mark.parametrize("name", ["prosjekt.qdpx", "prosjekt.qdc", "prosjekt.yaml"])
def test_a_project_given_as_a_codebook_is_refused_in_one_line_saying_how_to_import_it(demo: Path, tmp_path: Path, name: str) -> None:
    # It was read as YAML and said to be "not UTF-8 text", or as XML "not well-formed".
    path = _small_project(tmp_path / name)
    before = _state(demo)
    for command in (["codebook", "validate", str(path)], ["--project", str(demo), "codebook", "import", str(path)]):
        code, lines = _run(*command)
        assert code == 1 and len(lines) == 1, lines
        assert f"{name} is a zip file, as a REFI-QDA project (.qdpx) is, not a codebook" in lines[0]
        assert ("`qualcode import " in lines[0]) == name.endswith(".qdpx")
    assert _state(demo) == before


def test_a_qdc_given_to_import_says_it_is_a_codebook_and_which_command_takes_it(demo: Path, tmp_path: Path) -> None:
    qdc = tmp_path / "kodebok.qdc"
    assert _run("--project", str(demo), "codebook", "export", str(qdc))[0] == 0
    before = _state(demo)
    code, lines = _run("--project", str(demo), "import", str(qdc))
    assert code == 1 and "kodebok.qdc is a REFI-QDA codebook, not a transcript or project" in lines[0], lines
    assert f"qualcode codebook import {qdc}" in lines[0]
    assert _state(demo) == before


def test_a_name_in_a_variables_name_holds_the_file_back_as_one_in_its_value_does(session: Session, tmp_path: Path) -> None:
    # A variable's name becomes an attribute's, shown in every participant list and export.
    key = PseudonymKey("test")
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    qdpx.variables = (f'<Variable guid="{guid("var:case")}" name="Ragnvald Eikeland sin vurdering" typeOfVariable="Text"/>'
                      f'<Variable guid="{guid("var:source")}" name="Notert av Åsmund Grøtting" typeOfVariable="Text"/>')
    qdpx.cases = (f'<Case guid="{guid("case:d9")}" name="D9"><VariableValue><VariableRef targetGUID="{guid("var:case")}"/>'
                  f'<TextValue>god</TextValue></VariableValue><SourceRef targetGUID="{guid("source:a")}"/></Case>')
    qdpx.sources.append(f'<TextSource guid="{guid("source:a")}" name="intervju_a"><PlainTextContent>{TEXT}</PlainTextContent>'
                        f'<VariableValue><VariableRef targetGUID="{guid("var:source")}"/><TextValue>ja</TextValue></VariableValue>'
                        + selection("s1", TEXT, "selvtillit på kurset", guid("code:selvtillit"), anne) + "</TextSource>")
    path = qdpx.write(tmp_path / "variabler.qdpx")
    with pytest.raises(NeedsReview, match="possible identifiers nobody has decided about"):
        run_import(session, path, key)
    assert {"Ragnvald Eikeland", "Åsmund Grøtting"} <= {candidate.text for candidate in key.pending}
    assert session.scalar(select(Transcript.id)) is None and session.scalar(select(AttributeDefinition.id)) is None
    for name in ("Ragnvald Eikeland", "Åsmund Grøtting"):  # the researcher decides: each is a name
        add_identifier(key, name, "person", None)
    key.pending.clear()
    assert run_import(session, path, key).participants_created == ["D9"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_inline_text_with_windows_line_ends_in_a_utf16_project_selects_the_coded_words(
    session: Session, tmp_path: Path, encoding: str,
) -> None:
    # XML may be written in UTF-16; its literal CRs were lost to the parser as in UTF-8, unlooked for,
    # and each coding selected words a letter per line further on, with nothing said.
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    selections = "".join(
        coded(words, WINDOWS.index(words), WINDOWS.index(words) + len(words), guid(code), anne)
        for words, code in (("selvtillit på kurset", "code:selvtillit"), ("håper på jobb", "code:håp"))
    )
    qdpx.sources.append(f'<TextSource guid="{guid("source:win")}" name="win"><PlainTextContent>{escape(WINDOWS)}</PlainTextContent>'
                        f"{selections}</TextSource>")
    path = qdpx.write(tmp_path / "utf16.qdpx")
    with zipfile.ZipFile(path) as archive:
        qde = archive.read("project.qde").decode("utf-8").replace('encoding="utf-8"', f'encoding="{encoding}"')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde.encode(encoding))
    result = run_import(session, path)
    assert coded_words(session) == {("selvtillit på kurset", "selvtillit"), ("håper på jobb", "håp og motivasjon")}, result.problems
    assert not result.problems


def test_a_note_on_a_case_is_kept_on_the_project_and_said_to_be_about_that_case(session: Session, tmp_path: Path) -> None:
    # NVivo and MAXQDA keep memos on cases; qualcode has none on participants. It became a project
    # memo with nothing saying which participant it was about.
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    note = qdpx.note("om D9", "Var nervøs i starten, roligere etter hvert.", anne)
    untitled = qdpx.note("", "Ønsket ikke lydopptak.", anne)
    qdpx.cases = (f'<Case guid="{guid("case:d9")}" name="D9"><SourceRef targetGUID="{guid("source:a")}"/>'
                  f'<NoteRef targetGUID="{note}"/><NoteRef targetGUID="{untitled}"/></Case>')
    qdpx.sources.append(f'<TextSource guid="{guid("source:a")}" name="intervju_a"><PlainTextContent>{TEXT}</PlainTextContent>'
                        + selection("s1", TEXT, "selvtillit på kurset", guid("code:selvtillit"), anne) + "</TextSource>")
    result = run_import(session, qdpx.write(tmp_path / "kasusnotat.qdpx"))
    memos = {memo.text: memo for memo in session.scalars(select(Memo))}
    assert set(memos) == {"Var nervøs i starten, roligere etter hvert.", "Ønsket ikke lydopptak."}
    assert all(memo.transcript_id is None and memo.code_id is None and memo.coding_id is None for memo in memos.values())
    said = [line for line in result.problems if "case 'D9'" in line]
    assert len(said) == 2 and all("kept as a memo on the project" in line for line in said), result.problems
    assert memos["Ønsket ikke lydopptak."].title == "D9", "an untitled note is titled by its case, so the memo list shows whose it is"
    assert memos["Var nervøs i starten, roligere etter hvert."].title == "om D9"
