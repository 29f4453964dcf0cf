"""`qualcode analyse codes|matrix|cell|compare` on the sample project coded by two coders: tables that
fit 80 columns, --json, --csv, --xlsx read back, and one-line errors that write nothing."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from qualcode.cli import cli
from tests.conftest import CODINGS, SAMPLES, coded_demo

SECOND_CODER = [  # Forsker 2 codes one passage as Forsker 1 did, and one overlapping two of Forsker 1's
    ("gruppeintervju_G1", "brukermedvirkning/tvang og krav", "Jeg ble ikke spurt om jeg ville."),
    ("deltaker_D1_T1", "empowerment/avmakt", "Jeg følte meg som en snylter, ærlig talt."),
]


@pytest.fixture(scope="module")
def studie(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> tuple[Path, dict[str, str]]:
    """The demo project, coded once for the module by two coders, and the environment to run commands on it."""
    return coded_demo(demo_template, tmp_path_factory.mktemp("analyse"), {"Forsker 1": CODINGS, "Forsker 2": SECOND_CODER})


def run(studie: tuple[Path, dict[str, str]], *args: str) -> Result:
    root, env = studie
    return CliRunner().invoke(cli, ["--project", str(root), "analyse", *args], env=env)


def ok(studie: tuple[Path, dict[str, str]], *args: str) -> str:
    result = run(studie, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def as_json(studie: tuple[Path, dict[str, str]], *args: str) -> Any:
    return json.loads(ok(studie, *args, "--json"))


def test_codes_counts_passages_per_coder_and_fits_80_columns(studie: tuple[Path, dict[str, str]]) -> None:
    table = ok(studie, "codes")
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "A passage is a stretch" in table  # the counting rules under the table
    data = as_json(studie, "codes")
    rows = {row["key"]: row["values"] for row in data["rows"]}
    # Forsker 1: three passages of brukermedvirkning (all coded as tvang og krav); Forsker 2: one of them again.
    assert rows["brukermedvirkning"]["passages"] == 4
    assert rows["brukermedvirkning"]["passages by coder / Forsker 1"] == 3
    assert rows["brukermedvirkning"]["passages by coder / Forsker 2"] == 1
    assert rows["brukermedvirkning/tvang og krav"]["participants"] == 2  # D2 and D5
    assert data["totals"]["values"]["passages"] == 10 + 2
    assert [row["level"] for row in data["rows"] if row["key"].startswith("empowerment")][:2] == [0, 1]


def test_codes_csv_has_one_header_and_a_row_per_code(studie: tuple[Path, dict[str, str]]) -> None:
    rows = list(csv.DictReader(io.StringIO(ok(studie, "codes", "--csv", "--code", "måltall-press"))))
    assert [row["Code"] for row in rows] == [
        "måltall-press", "måltall-press/inntakspress", "måltall-press/kvantitet mot kvalitet",
        "måltall-press/konsekvenser for kontoret", "Total",
    ]
    assert rows[0]["passages"] == "4" and rows[0]["kind"] == "row" and rows[-1]["kind"] == "total"


def test_matrix_by_role_has_sizes_totals_and_percentages_beside_counts(studie: tuple[Path, dict[str, str]]) -> None:
    data = as_json(studie, "matrix", "--by", "role", "--percent", "row")
    columns = {column["key"]: column["sizes"] for column in data["columns"]}
    assert columns["veileder"] == {"participants": 3, "transcripts": 3}  # V1, V2, V3 in their interviews
    assert columns["deltaker"]["participants"] == 6
    row = next(row for row in data["rows"] if row["key"] == "måltall-press")
    assert row["values"] == {"deltaker": 0, "leder": 1, "veileder": 3, "Total": 4}
    # Columns of five or fewer people show counts without percentages (the leder and the three veiledere).
    assert row["percent"] == {"deltaker": 0.0, "leder": None, "veileder": None, "Total": 100.0}
    table = ok(studie, "matrix", "--by", "role", "--percent", "column")
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "3 (*)" in table and "0 (0%)" in table  # a percentage never stands alone
    assert "3p 3t" in table  # the column sizes under the headers


def test_matrix_crossed_gives_grouped_columns_and_pages_within_80(studie: tuple[Path, dict[str, str]]) -> None:
    data = as_json(studie, "matrix", "--by", "role", "--by", "wave", "--count", "participants")
    keys = [column["key"] for column in data["columns"]]
    assert "deltaker / T1" in keys and "deltaker / T2" in keys and keys[-1] == "Total"
    row = next(row for row in data["rows"] if row["key"] == "empowerment")
    assert row["values"]["deltaker / T1"] == 1 and row["values"]["deltaker / T2"] == 1 and row["values"]["Total"] == 1
    table = ok(studie, "matrix", "--by", "participant", "--by", "wave")
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "(columns 1–" in table  # too wide for one screen: paged, row labels repeated
    assert table.count("samarbeid stat og kommune") >= 2


def test_matrix_xlsx_reads_back(studie: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "matrise.xlsx"
    result = run(studie, "matrix", "--by", "office", "--percent", "column", "--xlsx", str(path))
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(path).active
    assert sheet is not None
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in cells if row[0] == "Code")
    assert header[1:6] == ["kontor A", "%", "kontor B", "%", "Total"]
    row = next(row for row in cells if row[0] == "måltall-press")
    assert row[1] == 3 and row[3] == 1 and row[5] == 4
    assert next(row for row in cells if row[0] == "Total")[5] == 12
    assert "A passage is a stretch" in cells[1][0]
    # Run again: the workbook is there, so it is kept until --force.
    again = run(studie, "matrix", "--by", "office", "--xlsx", str(path))
    assert again.exit_code == 1 and again.stderr == f"error: {path} exists (hint: pass --force to overwrite it, or give another file name)\n"
    assert load_workbook(path).active is not None
    assert run(studie, "matrix", "--by", "role", "--xlsx", str(path), "--force").exit_code == 0
    header = next(row for row in load_workbook(path).active.iter_rows(values_only=True) if row[0] == "Code")
    assert tuple(header[1:4]) == ("deltaker", "leder", "veileder")  # the role matrix, over the office one


def test_a_percentage_withheld_or_of_nothing_reads_in_the_workbook_as_in_the_terminal(
    studie: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    """Both were a blank cell in the workbook, where the terminal shows "(*)" and "(–)" and the sheet's
    caption speaks of "(*)"; a blank beside a count read as a value missing."""
    from openpyxl import load_workbook

    args = ("matrix", "--by", "role", "--percent", "column", "--code", "måltall-press")
    data = as_json(studie, *args)
    row = next(row for row in data["rows"] if row["key"] == "måltall-press")
    # No deltaker said anything under måltall-press (a column total of 0); the leder and the three veiledere
    # are columns of five or fewer, whose shares are withheld.
    assert row["values"] == {"deltaker": 0, "leder": 1, "veileder": 3, "Total": 4}
    assert row["percent"] == {"deltaker": None, "leder": None, "veileder": None, "Total": 100.0}
    terminal = next(line for line in ok(studie, *args).splitlines() if line.startswith("måltall-press"))
    assert terminal.split() == ["måltall-press", "0", "(–)", "1", "(*)", "3", "(*)", "4", "(100%)"]
    path = tmp_path / "prosent.xlsx"
    assert run(studie, *args, "--xlsx", str(path)).exit_code == 0
    cells = list(load_workbook(path).active.iter_rows(values_only=True))
    header = next(line for line in cells if line[0] == "Code")
    assert header[1:9] == ("deltaker", "%", "leder", "%", "veileder", "%", "Total", "%")
    shown = next(line for line in cells if line[0] == "måltall-press")
    assert shown[1:9] == (0, "–", 1, "*", 3, "*", 4, 1)
    assert "(*)" in cells[1][0]  # the caption the mark answers to


def test_crossed_matrix_and_cooccurrence_xlsx_keep_their_rows_apart(studie: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """Title, caption, a blank row, the grouped headers, the column labels: each on its own row, read back
    cell by cell (the grouped headers were written over the caption's row, and rows 3-4 left blank)."""
    from openpyxl import load_workbook

    matrix = as_json(studie, "matrix", "--by", "role", "--by", "wave")
    path = tmp_path / "krysset.xlsx"
    assert run(studie, "matrix", "--by", "role", "--by", "wave", "--xlsx", str(path)).exit_code == 0
    sheet = load_workbook(path).active
    assert sheet is not None
    width = 1 + len(matrix["columns"])
    assert sheet.cell(1, 1).value == matrix["title"]
    assert sheet.cell(2, 1).value == matrix["caption"]
    assert [sheet.cell(2, column).value for column in range(2, width + 1)] == [None] * (width - 1)
    assert [sheet.cell(3, column).value for column in range(1, width + 1)] == [None] * width
    assert [sheet.cell(4, column).value for column in range(1, width + 1)] == [None, *(c["group"] for c in matrix["columns"])]
    assert [sheet.cell(5, column).value for column in range(1, width + 1)] == ["Code", *(c["label"] for c in matrix["columns"])]
    assert sheet.cell(6, 1).value == "(participants)"

    # No two codes of the studie co-occur (a table of zeros is refused): one more coding, on a copy, so two do.
    together = (tmp_path / "demo", studie[1])
    shutil.copytree(studie[0], together[0])
    added = CliRunner().invoke(cli, ["--project", str(together[0]), "--coder", "Forsker 1", "coding", "add", "deltaker_D1_T1",
                                     "brukermedvirkning", "--match", "Jeg følte meg som en snylter"], env=together[1])
    assert added.exit_code == 0, added.output
    cooccur = as_json(together, "cooccur")
    path = tmp_path / "samforekomst.xlsx"
    assert run(together, "cooccur", "--xlsx", str(path)).exit_code == 0
    sheet = load_workbook(path).active
    assert sheet is not None
    width = 1 + len(cooccur["columns"])
    assert sheet.cell(2, 1).value == cooccur["caption"]
    assert [sheet.cell(2, column).value for column in range(2, width + 1)] == [None] * (width - 1)
    assert [sheet.cell(3, column).value for column in range(1, width + 1)] == [None] * width
    assert [sheet.cell(4, column).value for column in range(1, width + 1)] == [None, *(c["group"] for c in cooccur["columns"])]
    assert [sheet.cell(5, column).value for column in range(1, width + 1)] == [cooccur["row_header"], *(c["label"] for c in cooccur["columns"])]


def test_cell_lists_exactly_what_the_matrix_counts(studie: tuple[Path, dict[str, str]]) -> None:
    matrix = as_json(studie, "matrix", "--by", "role", "--by", "wave")
    for code in ("brukermedvirkning", "empowerment/avmakt", "måltall-press"):
        row = next(row for row in matrix["rows"] if row["key"] == code)
        for key, count in row["values"].items():
            if key == "Total" or not count:
                continue
            role, wave = key.split(" / ")
            listed = as_json(studie, "cell", code, f"role={role}", f"wave={wave}")["rows"]
            assert len(listed) == count, (code, key)
    listed = as_json(studie, "cell", "brukermedvirkning", "coder=Forsker 1")["rows"]
    assert {row["values"]["participant"] for row in listed} == {"D2", "D5"}
    assert all(row["values"]["before"] and row["values"]["text"] for row in listed)
    table = ok(studie, "cell", "brukermedvirkning", "role=deltaker")
    assert "Jeg ble ikke spurt om jeg ville." in table and max(len(line) for line in table.splitlines()) <= 80


def test_compare_by_wave_shows_the_participants_passages_round_by_round(studie: tuple[Path, dict[str, str]]) -> None:
    data = as_json(studie, "compare", "--by", "wave", "--code", "empowerment")
    counts = next(row for row in data["counts"]["rows"] if row["key"] == "empowerment")["values"]
    assert counts["T1"] == 3 and counts["T2"] == 1  # Forsker 2's avmakt passage counts for Forsker 2
    listed = [row for row in data["participants"]["rows"] if row["values"]]
    assert {row["values"]["participant"] for row in listed} == {"D1"}
    assert [row["values"]["wave"] for row in listed] == ["T1", "T1", "T1", "T2"]
    table = ok(studie, "compare", "--by", "wave", "--code", "empowerment")
    assert table.index("wave T1") < table.index("wave T2") and max(len(line) for line in table.splitlines()) <= 80
    rows = list(csv.DictReader(io.StringIO(ok(studie, "compare", "--by", "wave", "--code", "empowerment", "--csv"))))
    assert [row["wave"] for row in rows] == ["T1", "T1", "T1", "T2"] and rows[-1]["text"] == "Det er en ny start."
    office = as_json(studie, "compare", "--by", "office", "--code", "brukermedvirkning")
    assert {column["key"] for column in office["counts"]["columns"]} >= {"kontor A", "kontor B"}
    assert not [row for row in office["participants"]["rows"] if row["values"]]  # nobody changed office


def test_compare_names_who_has_one_wave_only_in_every_output(studie: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """A field trial: participants interviewed in one round only were in no output of compare, unsaid."""
    from openpyxl import load_workbook
    from sqlalchemy import select

    from qualcode.analysis.passages import sort_values
    from qualcode.store.models import Participant, Transcript, TranscriptParticipant
    from qualcode.store.project import Project

    with Project.open(studie[0]) as project, project.begin() as session:
        waves: dict[str, set[str | None]] = {}
        for name, wave in session.execute(
            select(Participant.name, Transcript.wave).join(TranscriptParticipant, TranscriptParticipant.participant_id == Participant.id)
            .join(Transcript, TranscriptParticipant.transcript_id == Transcript.id)
        ):
            waves.setdefault(name, set()).add(wave)
    alone = sort_values(name for name, seen in waves.items() if len(seen) == 1)
    assert "D1" not in alone and len(alone) > 1  # the demo: D1 and D2 in two rounds, the others in one
    said = f"Left out (one wave only): {len(alone)} participants ({', '.join(alone)})."
    args = ("compare", "--by", "wave", "--code", "empowerment")
    data = as_json(studie, *args)
    assert data["participants"]["only_one_value"] == alone and said in data["participants"]["caption"]
    assert data["participants"]["title"] and data["counts"]["rows"]  # the keys it had are kept
    assert said in " ".join(ok(studie, *args).split())
    printed = run(studie, *args, "--csv")
    assert printed.exit_code == 0 and said in printed.stderr and said not in printed.stdout
    path = tmp_path / "sammenligning.xlsx"
    assert run(studie, *args, "--xlsx", str(path)).exit_code == 0
    captions = [sheet.cell(2, 1).value or "" for sheet in load_workbook(path).worksheets]
    assert sum(said in caption for caption in captions) == 1


def test_filters_choose_codings(studie: tuple[Path, dict[str, str]]) -> None:
    data = as_json(studie, "codes", "--coder", "Forsker 2", "--attribute", "office=kontor B")
    rows = {row["key"]: row["values"]["passages"] for row in data["rows"]}
    assert rows["brukermedvirkning"] == 1 and rows["empowerment"] == 0
    queried = as_json(studie, "codes", "--query", "snylter")
    assert {row["key"]: row["values"]["passages"] for row in queried["rows"]}["empowerment/avmakt"] == 2


def test_a_round_or_role_typed_in_another_case_chooses_as_search_does(studie: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    # Rounds are stored upper-cased ("t2" is set as T2) and roles as the project spells them, so "t2" and
    # "DELTAKER" can mean one value only: `search --wave t2` took them so, analyse and exports refused them.
    assert as_json(studie, "codes", "--wave", "t2", "--role", "DELTAKER") == as_json(studie, "codes", "--wave", "T2", "--role", "deltaker")
    root, env = studie
    exported = CliRunner().invoke(cli, ["--project", str(root), "export", "quotes", "--wave", "t2", "--format", "csv",
                                        "--output", str(tmp_path / "t2.csv")], env=env)
    assert exported.exit_code == 0, exported.stderr
    assert {row["wave"] for row in csv.DictReader(io.StringIO((tmp_path / "t2.csv").read_text(encoding="utf-8")))} == {"T2"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["matrix", "--by", "rola"], "no attribute 'rola' to split by"),  # "rolle" is role, as in a participants CSV
        (["matrix", "--by", "role", "--code", "finnes-ikke"], "no code 'finnes-ikke'"),
        (["codes", "--role", "leder", "--wave", "T2"], "no quotes match role leder and wave T2"),
        (["cell", "finnes-ikke", "role=leder"], "no code 'finnes-ikke'"),
        (["cell", "empowerment", "role=leder"], "no passages of empowerment with role=leder"),
        (["cell", "empowerment", "role=sjef"], "no passages or participants have role 'sjef'"),
        # A known value the filter leaves out is an empty cell of this selection, not a value to correct.
        (["cell", "empowerment", "role=veileder", "--role", "leder"], "no passages of empowerment with role=veileder (hint: Selected: role leder.)"),
        (["compare", "--by", "bydel", "--code", "empowerment"], "no attribute 'bydel' to split by"),
        # Said of the matrix: a report's --matrix role,role was told "--by role is given twice".
        (["matrix", "--by", "role", "--by", "role"], "the matrix crosses role with itself (hint: cross two different attributes"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    studie: tuple[Path, dict[str, str]], tmp_path: Path, args: list[str], message: str,
) -> None:
    path = tmp_path / "tabell.xlsx"
    result = run(studie, *args, "--xlsx", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: " + message) and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == "" and not path.exists() and list(tmp_path.iterdir()) == []


def test_every_table_says_which_codings_a_replaced_text_left_out_on_stderr(demo: Path, tmp_path: Path) -> None:
    """A probe: `analyse codes` counted without a word a coding whose passage a corrected text had
    dropped, where `export quotes` said so."""
    def analyse(*args: str) -> Result:
        result = CliRunner().invoke(cli, ["--project", str(demo), "--coder", "Forsker 1", "analyse", *args])
        assert result.exit_code == 0, result.stderr
        return result

    def coding(*args: str) -> None:
        result = CliRunner().invoke(cli, ["--project", str(demo), "--coder", "Forsker 1", "coding", "add", "deltaker_D1_T1", *args])
        assert result.exit_code == 0, result.output

    coding("empowerment/avmakt", "--match", "Jeg følte meg som en snylter, ærlig talt.")
    coding("empowerment/håp og motivasjon", "--match", "Man føler seg ikke like alene.")
    coding("brukermedvirkning", "--match", "Det ble jeg ikke spurt om.")
    corrected = tmp_path / "deltaker_D1_T1.txt"
    corrected.write_text((SAMPLES / "deltaker_D1_T1.txt").read_text(encoding="utf-8").replace(
        " Jeg følte meg som en snylter, ærlig talt.", " Det var tungt."), encoding="utf-8")
    replaced = CliRunner().invoke(cli, ["--project", str(demo), "--coder", "Forsker 1", "import", str(corrected), "--replace"])
    assert replaced.exit_code == 0 and "1 orphaned" in replaced.output, replaced.output
    said = ("warning: 1 coding of this selection is left out: its passage is gone from a replaced text;"
            " `qualcode coding list --orphaned` lists it for review\n")
    for args in (["codes"], ["matrix", "--by", "role"], ["cell", "empowerment", "role=deltaker"],
                 ["compare", "--by", "wave", "--code", "empowerment"], ["cooccur", "--within", "sentences:20"],
                 ["cooccur", "--pairs", "empowerment", "brukermedvirkning", "--within", "sentences:20"]):
        result = analyse(*args, "--json")
        json.loads(result.stdout)  # the note is on stderr: what a script reads stays JSON
        assert result.stderr.endswith(said), (args, result.stderr)
        assert said in analyse(*args).stderr and said in analyse(*args, "--csv").stderr
    workbook = tmp_path / "tabell.xlsx"
    assert said in analyse("codes", "--xlsx", str(workbook)).stderr and workbook.exists()
    # Only the codings the table counts: none of brukermedvirkning's is gone.
    assert "left out" not in analyse("cell", "brukermedvirkning", "role=deltaker").stderr
    assert "left out" not in analyse("codes", "--code", "brukermedvirkning").stderr


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from qualcode.analysis.tables import Cell, Column, Row, Table, render_csv, write_xlsx

    table = Table("Passasjer", "", "passage", (Column("line"), Column("text", wide=True)),
                  (Row("D1", (Cell(-3), Cell('=HYPERLINK("http://x","klikk")'))),), records=True)
    assert render_csv(table).splitlines()[1] == 'D1,-3,"\'=HYPERLINK(""http://x"",""klikk"")"'
    path = write_xlsx([table], tmp_path / "passasjer.xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    cell = sheet.cell(5, 3)
    assert cell.value == '=HYPERLINK("http://x","klikk")' and cell.data_type == "s" and sheet.cell(5, 2).value == -3
    # A dash alone (a side not coded) is text to a spreadsheet: left as written, while "-1+2" is guarded.
    dashes = Table("Uenigheter", "", "#", (Column("A"), Column("B")), (Row("1", (Cell("-"), Cell("-1+2"))),), records=True)
    assert render_csv(dashes).splitlines()[1] == "1,-,'-1+2"


def test_codebook_show_gives_a_parents_own_codings_and_its_sub_codes_beside_them(studie: tuple[Path, dict[str, str]]) -> None:
    """`codebook show` gave brukermedvirkning (0) where `analyse codes` gives it 4 passages, its
    sub-codes' with its own: a researcher saw two numbers for one code and no reason why."""
    root, env = studie
    shown = CliRunner().invoke(cli, ["--project", str(root), "codebook", "show"], env=env)
    assert shown.exit_code == 0, shown.stderr
    lines = {line.split("]")[-1].strip().rsplit("  (", 1)[0]: line.rsplit("  (", 1)[1] for line in shown.stdout.splitlines()}
    assert lines["brukermedvirkning"] == "0, +4 in sub-codes)"
    assert lines["tvang og krav"] == "4)"  # a code with no sub-codes: its own only, as before
    views = {view["path"]: view for view in json.loads(
        CliRunner().invoke(cli, ["--project", str(root), "codebook", "show", "--json"], env=env).stdout)}
    assert (views["brukermedvirkning"]["codings"], views["brukermedvirkning"]["sub_codings"]) == (0, 4)
    passages = {row["key"]: row["values"]["passages"] for row in as_json(studie, "codes")["rows"]}
    assert passages["brukermedvirkning"] == views["brukermedvirkning"]["codings"] + views["brukermedvirkning"]["sub_codings"]


def test_the_built_in_columns_are_taken_by_their_norwegian_names_as_the_participants_csv_takes_them(
    studie: tuple[Path, dict[str, str]],
) -> None:
    """A field trial: a participants CSV with the columns "kjønn" and "kontor" imports them as gender and office, and
    the terminal UI's filters take "kjønn:" and "kontor:", while `analyse matrix --by kjønn` and `--attribute
    kontor=…` said "no attribute 'kjønn'"."""
    english = as_json(studie, "matrix", "--by", "gender", "--attribute", "office=kontor B")
    norwegian = as_json(studie, "matrix", "--by", "Kjønn", "--attribute", "kontor=kontor B")
    assert norwegian["rows"] == english["rows"] and norwegian["title"] == english["title"] == "Codes × gender (passages)"
    assert any(row["values"]["Total"] for row in english["rows"])  # a selection that counts something
    for typed in ("rolle", "aldersgruppe", "runde", "deltaker", "koder"):
        assert run(studie, "matrix", "--by", typed, "--json").exit_code == 0, typed
