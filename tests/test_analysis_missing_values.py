"""A matrix split by a participant's attribute keeps two kinds of missing apart: informants without a
value ("(not stated)") and passages counted for no informant ("(no informant)": the interviewer's words
or a heading coded alone), in the terminal table, JSON, CSV, .xlsx and both languages of the report."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from qualcode.cli import cli
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.service import add_coding
from qualcode.store.models import Participant
from qualcode.store.project import Project
from tests.conftest import CODINGS, coded_demo

QUESTION = ("deltaker_D1_T1", "måltall-press", "Kan du begynne med å fortelle hvordan du kom inn i kvalifiseringsprogrammet?")
HEADING = ("gruppeintervju_G1", "måltall-press", "Gruppeintervju, kontor B.")
SAID_BY_V2 = "Måltallet blir et tak."  # V2's, whose office is taken away below


@pytest.fixture(scope="module")
def studie(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> tuple[Path, dict[str, str]]:
    """The demo coded once, with the interviewer's question and a heading coded alone, and V2 without an office."""
    root, env = coded_demo(demo_template, tmp_path_factory.mktemp("missing"), {"Forsker 1": CODINGS})
    with Project.open(root) as project, project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        for transcript, code, quote in (QUESTION, HEADING):
            add_coding(session, transcript, code, coder, match=quote)
        v2 = session.scalars(select(Participant).where(Participant.name == "V2")).one()
        v2.office = None
    return root, env


def run(studie: tuple[Path, dict[str, str]], *args: str) -> Result:
    root, env = studie
    return CliRunner().invoke(cli, ["--project", str(root), *args], env=env)


def ok(studie: tuple[Path, dict[str, str]], *args: str) -> str:
    result = run(studie, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def matrix(studie: tuple[Path, dict[str, str]], *args: str) -> Any:
    return json.loads(ok(studie, "analyse", "matrix", *args, "--json"))


def test_a_matrix_by_office_puts_informants_without_one_and_passages_of_no_informant_in_two_columns(
    studie: tuple[Path, dict[str, str]],
) -> None:
    data = matrix(studie, "--by", "office")
    assert [column["key"] for column in data["columns"]] == ["kontor A", "kontor B", "(not stated)", "(no informant)", "Total"]
    sizes = {column["key"]: column["sizes"] for column in data["columns"]}
    assert sizes["(not stated)"]["participants"] == 1  # V2
    assert sizes["(no informant)"]["participants"] == 0  # no one's words: nobody to count
    assert sizes["(no informant)"]["transcripts"] == 2  # the question's and the heading's
    row = next(row for row in data["rows"] if row["key"] == "måltall-press")
    # L1 and V1's two passages in kontor A; V2's in no office; the question and the heading counted for no one.
    assert row["values"] == {"kontor A": 3, "kontor B": 0, "(not stated)": 1, "(no informant)": 2, "Total": 6}
    assert "Participants and transcripts without a value are under (not stated)." in data["caption"]
    assert "Under (no informant) are the passages counted for no participant" in data["caption"]

    table = ok(studie, "analyse", "matrix", "--by", "office")
    assert "(not stated)" in table and "(no informant)" in table and "(none)" not in table
    assert max(len(line) for line in table.splitlines()) <= 80


def test_each_of_the_two_columns_opens_on_its_own_passages(studie: tuple[Path, dict[str, str]]) -> None:
    nobody = json.loads(ok(studie, "analyse", "cell", "måltall-press", "office=(no informant)", "--json"))
    assert sorted(row["values"]["text"] for row in nobody["rows"]) == sorted([HEADING[2], QUESTION[2]])
    assert {row["values"]["participant"] for row in nobody["rows"]} == {None}
    assert all(row["label"].startswith("(no informant) · ") for row in nobody["rows"])
    unstated = json.loads(ok(studie, "analyse", "cell", "måltall-press", "office=(not stated)", "--json"))
    assert [(row["values"]["participant"], row["values"]["text"]) for row in unstated["rows"]] == [("V2", SAID_BY_V2)]


def test_only_a_participants_column_has_no_informant(studie: tuple[Path, dict[str, str]]) -> None:
    # Everyone has a role: the passages of no one are the only missing value.
    by_role = [column["key"] for column in matrix(studie, "--by", "role")["columns"]]
    assert by_role == ["deltaker", "leder", "veileder", "(no informant)", "Total"]
    assert "(no informant)" in [column["key"] for column in matrix(studie, "--by", "participant")["columns"]]
    # A round is the transcript's: the question asked in T1 is a T1 passage, whoever it counts for.
    by_wave = matrix(studie, "--by", "wave", "--code", "måltall-press")
    assert [column["key"] for column in by_wave["columns"]] == ["T1", "T2", "Total"]
    assert by_wave["rows"][0]["values"]["T1"] == 6
    crossed = [column["key"] for column in matrix(studie, "--by", "office", "--by", "wave")["columns"]]
    assert "(not stated) / T1" in crossed and "(no informant) / T1" in crossed


def test_csv_and_xlsx_name_the_two_columns(studie: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    rows = list(csv.reader(io.StringIO(ok(studie, "analyse", "matrix", "--by", "office", "--csv"))))
    assert rows[0] == ["kind", "level", "Code", "kontor A", "kontor B", "(not stated)", "(no informant)", "Total"]
    måltall = next(row for row in rows if row[2] == "måltall-press")
    assert måltall[3:] == ["3", "0", "1", "2", "6"]

    path = tmp_path / "kontor.xlsx"
    ok(studie, "analyse", "matrix", "--by", "office", "--xlsx", str(path))
    sheet = load_workbook(path).active
    assert sheet is not None
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert next(row for row in cells if row[0] == "Code") == ["Code", "kontor A", "kontor B", "(not stated)", "(no informant)", "Total"]
    assert next(row for row in cells if row[0] == "måltall-press")[1:] == [3, 0, 1, 2, 6]
    assert "Under (no informant) are the passages counted for no participant" in cells[1][0]


@pytest.mark.parametrize(("language", "unstated", "nobody", "explained"), [
    ("nb", "(ikke oppgitt)", "(ingen informant)", "Under (ingen informant) står passasjene som ikke teller for noen informant"),
    ("en", "(not stated)", "(no informant)", "Under (no informant) are the passages counted for no participant"),
])
def test_the_reports_table_names_the_two_columns_in_its_language(
    studie: tuple[Path, dict[str, str]], tmp_path: Path, language: str, unstated: str, nobody: str, explained: str,
) -> None:
    output = tmp_path / f"rapport-{language}.docx"
    result = run(studie, "export", "report", "--matrix", "office", "--lang", language, "--output", str(output))
    assert result.exit_code == 0, result.output
    document = docx.Document(str(output))
    code, total = ("Kode", "Totalt") if language == "nb" else ("Code", "Total")
    table = next(t for t in document.tables if t.cell(0, 0).text == code and t.cell(0, len(t.columns) - 1).text == total)
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == [code, "kontor A", "kontor B", unstated, nobody, total]
    assert rows[1][3:5] == ["1 / 1", f"0 / {rows[1][4].split(' / ')[1]}"]  # V2 alone; nobody in the other
    assert next(row for row in rows if row[0] == "måltall-press")[1:] == ["3", "0", "1", "2", "6"]
    caption = next(p.text for p in document.paragraphs if p.text.startswith(("Hver celle teller", "Each cell counts")))
    assert explained in caption and unstated in caption
    assert "(none)" not in caption and "(ingen)" not in caption


# --- values typed as the placeholders, and words no speaker label gives anyone ---------------------------------
GROUP_NOTES = """---
title: Referat fra gruppesamtale
participants: [D4, D6]
wave: T2
mode: group
fidelity: referat
---
Deltakerne fortalte at de ble presset inn i programmet før jul.
"""
NOTED = "Deltakerne fortalte at de ble presset inn i programmet før jul."


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> tuple[Path, dict[str, str]]:
    """The demo coded with the question and the heading coded alone; V1 without an office, and three
    offices typed as the tables' placeholders read (V2 "(not stated)", L1 "(no informant)", D1 "(ikke
    oppgitt)"); and a group's notes without speaker labels, coded."""
    base = tmp_path_factory.mktemp("typed")
    root, env = coded_demo(demo_template, base, {"Forsker 1": CODINGS})
    with Project.open(root) as project, project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        for transcript, code, quote in (QUESTION, HEADING):
            add_coding(session, transcript, code, coder, match=quote)
        offices = {"V1": None, "V2": "(not stated)", "L1": "(no informant)", "D1": "(ikke oppgitt)"}
        for person in session.scalars(select(Participant).where(Participant.name.in_(offices))):
            person.office = offices[person.name]
    notes = base / "referat_gruppe.txt"
    notes.write_text(GROUP_NOTES, encoding="utf-8")
    for args in (["import", str(notes)], ["--coder", "Forsker 1", "coding", "add", "referat_gruppe", "måltall-press", "--match", NOTED]):
        result = CliRunner().invoke(cli, ["--project", str(root), *args], env=env)
        assert result.exit_code == 0, result.output
    return root, env


def test_an_office_typed_as_a_placeholder_is_a_column_of_its_own_in_quotation_marks(typed: tuple[Path, dict[str, str]]) -> None:
    data = matrix(typed, "--by", "office", "--code", "måltall-press")
    keys = [column["key"] for column in data["columns"]]
    assert keys[-3:] == ["(not stated)", "(no informant)", "Total"]
    assert {'"(not stated)"', '"(no informant)"', '"(ikke oppgitt)"'} <= set(keys)
    sizes = {column["key"]: column["sizes"] for column in data["columns"]}
    assert sizes["(not stated)"]["participants"] == 1  # V1 alone: V2 typed a value
    assert sizes['"(no informant)"']["participants"] == 1  # L1, an informant
    assert sizes["(no informant)"]["participants"] == 0
    row = data["rows"][0]
    assert row["key"] == "måltall-press"
    # V1's two passages have no office; V2's and L1's are under what was typed; the question, the heading
    # and the group's notes are no one's.
    assert {key: row["values"][key] for key in ('"(not stated)"', '"(no informant)"', "(not stated)", "(no informant)")} == {
        '"(not stated)"': 1, '"(no informant)"': 1, "(not stated)": 2, "(no informant)": 3}
    assert 'A value typed as the table shows a missing one, such as "(not stated)", is in quotation marks' in data["caption"]


def test_the_cell_of_a_placeholder_and_of_the_value_typed_as_it_open_on_their_own_passages(
    typed: tuple[Path, dict[str, str]],
) -> None:
    def cell(where: str) -> list[tuple[str | None, str]]:
        listed = json.loads(ok(typed, "analyse", "cell", "måltall-press", where, "--json"))
        return sorted(((row["values"]["participant"], row["values"]["text"]) for row in listed["rows"]), key=str)

    assert {person for person, _ in cell("office=(not stated)")} == {"V1"}
    assert cell('office="(not stated)"') == [("V2", SAID_BY_V2)]
    assert {person for person, _ in cell("office=(no informant)")} == {None}
    assert {person for person, _ in cell('office="(no informant)"')} == {"L1"}


def test_the_bokmål_report_keeps_a_value_typed_as_its_placeholder_apart(
    typed: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    output = tmp_path / "rapport.docx"
    result = run(typed, "export", "report", "--matrix", "office", "--code", "måltall-press", "--output", str(output))
    assert result.exit_code == 0, result.output
    # The matrix's Word tables (a few value columns each) after the codes' definitions.
    header = [cell.text for table in docx.Document(str(output)).tables if table.cell(0, 0).text == "Kode"
              and table.cell(0, 1).text != "Definisjon" for cell in table.rows[0].cells[1:]]
    assert header[-1] == "Totalt"
    assert header.count("(ikke oppgitt)") == 1 and '"(ikke oppgitt)"' in header
    assert header.count("(ingen informant)") == 1 and '"(no informant)"' in header
    caption = next(p.text for p in docx.Document(str(output)).paragraphs if "Hver celle teller" in p.text)
    assert 'En verdi skrevet inn slik tabellen viser en manglende verdi, som "(ikke oppgitt)", står i anførselstegn' in caption


@pytest.mark.parametrize(("language", "unlabelled"), [
    ("en", "words without a speaker label in a transcript of several participants"),
    ("nb", "ord uten taleretikett i et intervju med flere informanter"),
])
def test_the_caption_says_that_notes_of_a_group_without_speaker_labels_are_no_ones(
    typed: tuple[Path, dict[str, str]], tmp_path: Path, language: str, unlabelled: str,
) -> None:
    nobody = json.loads(ok(typed, "analyse", "cell", "måltall-press", "role=(no informant)", "--json"))
    assert NOTED in [row["values"]["text"] for row in nobody["rows"]]
    output = tmp_path / f"rapport-{language}.docx"
    result = run(typed, "export", "report", "--matrix", "role", "--lang", language, "--output", str(output))
    assert result.exit_code == 0, result.output
    caption = next(p.text for p in docx.Document(str(output)).paragraphs if p.text.startswith(("Hver celle", "Each cell")))
    assert unlabelled in caption


def test_a_matrix_by_participant_is_warned_of_once_beside_its_column_of_no_informant(studie: tuple[Path, dict[str, str]]) -> None:
    result = run(studie, "analyse", "matrix", "--by", "participant")
    assert result.exit_code == 0, result.stderr
    assert "Codes × participant (passages): every column is one participant, and its counts may identify them" in result.stderr
    assert "'D1' (1 participant)" not in result.stderr


def test_a_blind_coders_drill_down_names_no_value_only_others_passages_have(demo_template: Path, tmp_path: Path) -> None:
    """Others' question coded alone makes "(no informant)" a value of theirs, and their names values of coder:
    a blind coder's refusal must say neither, as their counts do not."""
    root, env = coded_demo(demo_template, tmp_path, {"Forsker 1": [*CODINGS, QUESTION]})

    def blind(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--project", str(root), "--coder", "Medforsker 1", *args], env=env)

    for args in (["coder", "add", "Medforsker 1", "--role", "medforsker"], ["coder", "blind", "on", "--role", "medforsker"]):
        result = CliRunner().invoke(cli, ["--project", str(root), "--coder", "Forsker 1", *args], env=env)
        assert result.exit_code == 0, result.output
    assert blind("coding", "add", "veileder_V2", "måltall-press", "--match", SAID_BY_V2).exit_code == 0
    assert "Forsker 1" not in blind("analyse", "matrix", "--by", "coder").stdout

    unknown = blind("analyse", "cell", "måltall-press", "coder=Nobody")
    assert unknown.exit_code == 1
    assert "Forsker 1" not in unknown.stderr and "Medforsker 1" in unknown.stderr
    nobody = blind("analyse", "cell", "måltall-press", "office=(no informant)")
    assert nobody.exit_code == 1
    assert nobody.stderr.startswith("error: no passages or participants have office '(no informant)'"), nobody.stderr
    assert "(no informant)," not in nobody.stderr.split("hint:")[1]


def test_quotes_of_no_ones_words_are_credited_to_no_informant(typed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """A coded heading and a group's notes without speaker labels were quoted as "En informant"'s,
    where the same report's tables count them for no informant."""
    import csv

    import docx

    ok(typed, "export", "quotes", "--format", "csv", "--output", str(tmp_path / "sitater.csv"), "--code", "måltall-press")
    with (tmp_path / "sitater.csv").open(encoding="utf-8-sig") as handle:
        rows = {row["quote"]: row["attribution"] for row in csv.DictReader(handle)}
    # Credited to no one; the group's notes are said to be notes (the note-taker's words), as every quote of a referat is.
    assert rows[NOTED] == "fra referat" and rows[HEADING[2]] == ""
    assert rows[QUESTION[2]] == "Intervjuer" and {"En leder", "En veileder"} <= set(rows.values())  # the others as before
    ok(typed, "export", "report", "--output", str(tmp_path / "rapport.docx"), "--code", "måltall-press")
    text = "\n".join(paragraph.text for paragraph in docx.Document(str(tmp_path / "rapport.docx")).paragraphs)
    [noted] = [line for line in text.splitlines() if NOTED in line]
    assert "informant" not in noted.lower() and "[" in noted


def test_a_value_typed_as_the_totals_heading_is_a_column_of_its_own_beside_the_total(
    tmp_path: Path, demo_template: Path,
) -> None:
    """An office "Total" headed a column keyed "Total" beside the total column: in JSON the row's total
    took the column's count's place (V1 and V2's 3 passages of måltall-press read as every office's 4)."""
    root, env = coded_demo(demo_template, tmp_path, {"Forsker 1": CODINGS})
    with Project.open(root) as project, project.begin() as session:
        for person in session.scalars(select(Participant).where(Participant.name.in_(("V1", "V2")))):
            person.office = "Total"
    studie = (root, env)
    data = matrix(studie, "--by", "office", "--code", "måltall-press")
    keys = [column["key"] for column in data["columns"]]
    assert keys.count("Total") == 1 and keys[-1] == "Total" and '"Total"' in keys
    row = data["rows"][0]
    assert (row["values"]['"Total"'], row["values"]["Total"]) == (3, 4)
    assert 'A value typed as "Total" or "Totalt" is in quotation marks' in data["caption"]
    # Its cell opens on its own passages, named as the table heads it or as typed; a filter chooses them.
    for where in ('office="Total"', "office=Total"):
        listed = json.loads(ok(studie, "analyse", "cell", "måltall-press", where, "--json"))
        assert {row["values"]["participant"] for row in listed["rows"]} == {"V1", "V2"}
    chosen = json.loads(ok(studie, "analyse", "codes", "--code", "måltall-press", "--attribute", "office=Total", "--json"))
    assert chosen["rows"][0]["values"]["passages"] == 3
