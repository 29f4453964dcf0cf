"""`qualcode export report --matrix ATTRIBUTE --figures`: the matrix as a real Word table whose cells are the
service's counts, heatmaps as PNG images, and a bad attribute refused in one line before any file is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner, Result

from qualcode.analysis.cooccurrence import Within, cooccurrence
from qualcode.analysis.matrix import code_matrix
from qualcode.cli import cli
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.passages import QuoteFilter
from qualcode.coding.service import add_coding
from qualcode.store.project import Project
from tests.conftest import CODINGS

PNG = b"\x89PNG\r\n\x1a\n"
# A second code on a stretch already coded, so co-occurrence has a pair to draw.
OVERLAP = ("veileder_V1", "brukermedvirkning", "Vi hadde et måltall fra fylket på førti deltakere")


@pytest.fixture(scope="module")
def studie(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> tuple[Path, dict[str, str]]:
    """The demo project coded once for the module, and the environment to run commands on it."""
    base = tmp_path_factory.mktemp("report-matrix")
    shutil.copytree(demo_template / "demo", base / "demo")
    shutil.copytree(demo_template / "demo-key", base / "demo-key")
    env = {"QUALCODE_KEY": str(base / "demo-key" / "demo.qckey"), "QUALCODE_KEY_PASSPHRASE": "test passphrase",
           "HOME": str(base / "home"), "XDG_CONFIG_HOME": str(base / "home" / ".config")}
    with Project.open(base / "demo") as project, project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        for transcript, code, quote in [*CODINGS, OVERLAP]:
            add_coding(session, transcript, code, coder, match=quote)
    return base / "demo", env


def export(studie: tuple[Path, dict[str, str]], *args: str) -> Result:
    root, env = studie
    return CliRunner().invoke(cli, ["--project", str(root), "export", "report", *args], env=env)


def test_matrix_is_a_word_table_of_the_services_counts_and_figures_are_pngs(
    studie: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    output = tmp_path / "rapport.docx"
    result = export(studie, "--matrix", "role", "--figures", "--output", str(output))
    assert result.exit_code == 0, result.output
    with Project.open(studie[0]) as project, project.begin() as session:
        matrix = code_matrix(session, QuoteFilter(), ["role"])
        pairs = cooccurrence(session, QuoteFilter(), Within("overlap"))
    assert any(cell.pairs for cell in pairs.cells.values())  # there is co-occurrence to draw

    document = docx.Document(str(output))
    # A bokmål report (the default) has its tables in bokmål.
    table = next(t for t in document.tables if t.cell(0, 0).text == "Kode" and t.cell(0, len(t.columns) - 1).text == "Totalt")
    values = [column.values[0] for column in matrix.columns]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Kode", *values, "Totalt"]
    assert rows[1][0] == "Informanter / intervjuer"
    assert rows[1][1:] == [f"{column.participants} / {column.transcripts}" for column in matrix.columns] + [""]
    body = rows[2:]
    assert len(body) == len(matrix.rows) + 1
    for shown, row in zip(body, matrix.rows, strict=False):
        assert shown[0] in (row.name, row.path)
        assert shown[1:] == [*map(str, row.counts), str(row.total)]
    assert body[-1] == ["Totalt", *map(str, matrix.totals), str(matrix.total)]
    assert all(run.bold for cell in table.rows[-1].cells for run in cell.paragraphs[0].runs)

    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert "Koder × rolle (passasjer)" in paragraphs  # the heading of the matrix
    caption = next(text for text in paragraphs if text.startswith("Hver celle teller passasjer"))
    assert "En passasje er et stykke av et intervjus gjeldende tekst som én koder har gitt én kode." in caption
    # Why they may differ from the matrix, either way.
    assert "Sitattallene under hvert tema teller hvert sitat én gang, uansett hvor mange som kodet det, og overlappende" in caption
    assert "som tabellen slår sammen til én passasje, er der egne sitater." in caption
    # Columns of five or fewer people are named under the table and warned about, as quote labels are.
    small = [column.values[0] for column in matrix.columns if 0 < column.participants <= 5]
    assert small and f"Kolonner med 5 eller færre informanter ({', '.join(small)}) kan peke ut enkeltpersoner." in caption
    warned = next(line for line in result.output.splitlines() if line.startswith("warning: Koder × rolle (passasjer):"))
    assert all(f"'{value}' (" in warned for value in small)
    assert not [column for column in matrix.columns if column.participants > 5 and f"'{column.values[0]}' (" in warned]
    assert not [text for text in paragraphs if "Each cell" in text or "Codes ×" in text or "A passage is" in text]
    # The heading in bokmål through and through, as the rule under it.
    assert "Samforekomst av koder (overlapp)" in paragraphs and "Samforekomst av koder (overlap)" not in paragraphs
    figure = next(text for text in paragraphs if text.startswith("Figur 2: Samforekomst av koder (overlapp)"))
    assert "To passasjer forekommer sammen når de er av samme koder i samme intervju og spennene deres deler" in figure
    assert "Two passages" not in figure  # the rule in the report's language, as the matrices' captions are
    # Two pictures in the text (the matrix's heatmap and co-occurrence's), each a PNG.
    assert len(document.inline_shapes) == 2
    images = [part for part in document.part.package.parts if part.content_type == "image/png"]
    assert len(images) == 2 and all(image.blob.startswith(PNG) for image in images)


def test_crossed_matrices_and_no_figures(studie: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    output = tmp_path / "rapport.docx"
    result = export(studie, "--matrix", "wave", "--matrix", "role,wave", "--lang", "en", "--output", str(output))
    assert result.exit_code == 0, result.output
    document = docx.Document(str(output))
    headers = [[cell.text for cell in table.rows[0].cells] for table in document.tables if table.cell(0, 0).text == "Code"]
    assert ["Code", "T1", "T2", "Total"] in headers
    assert any("deltaker / T1" in header for header in headers)  # the crossed columns, grouped by role
    assert len(document.inline_shapes) == 0
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert "Analysis" in paragraphs and "Codes × role × wave (passages)" in paragraphs
    caption = next(text for text in paragraphs if text.startswith("Each cell counts passages"))
    assert "The quote counts under each theme count each quote once, however many coded it, and overlapping codings" in caption


@pytest.mark.parametrize("by", ["rola", "role,nope"])
def test_unknown_attribute_is_one_line_and_writes_nothing(studie: tuple[Path, dict[str, str]], tmp_path: Path, by: str) -> None:
    output = tmp_path / "rapport.docx"
    result = export(studie, "--matrix", by, "--figures", "--output", str(output))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "no attribute" in result.stderr and "role" in result.stderr
    assert not output.exists() and list(tmp_path.iterdir()) == []


def test_bokmål_captions_call_people_of_any_role_informants_and_deltaker_only_the_role(
    studie: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    """"deltakere" counted informants of every role (veiledere, a leder) beside a column of the role
    deltaker, while the report's own counts table called them "Informanter"."""
    import re

    from qualcode.analysis.matrix import matrix_table

    output = tmp_path / "rapport.docx"
    result = export(studie, "--matrix", "role", "--matrix", "participant", "--output", str(output))
    assert result.exit_code == 0, result.output
    document = docx.Document(str(output))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    chapter = paragraphs[paragraphs.index("Analyse"):]
    assert "Antall passasjer per kode, fordelt på egenskaper ved informantene og intervjuene." in chapter
    assert "Koder × informant (passasjer)" in chapter and "Koder × rolle (passasjer)" in chapter
    captions = [text for text in chapter if text.startswith("Hver celle teller")]
    assert len(captions) == 2
    for caption in captions:
        assert "tilskrevet én informant" in caption and "hører til informanten (og informantens egenskaper)" in caption
        assert "til den første informanten hvis taletur den når" in caption
        assert "Under hver verdi: informanter / intervjuer" in caption
        assert re.findall(r"\bdeltak\w*", caption, flags=re.IGNORECASE) == []
    # The role keeps its name: a column of the role deltaker.
    assert any(table.cell(0, 1).text == "deltaker" for table in document.tables if table.cell(0, 0).text == "Kode")

    with Project.open(studie[0]) as project, project.begin() as session:
        people = matrix_table(code_matrix(session, QuoteFilter(), ["role"], "participants"), language="nb")
    assert people.title == "Koder × rolle (informanter)"
    assert "Hver celle teller ulike informanter med passasjer med radens kode og kolonnens rolle." in people.caption
    assert "(informanter: ulike over raden eller kolonnen)" in people.caption
    assert "Kolonner med 5 eller færre informanter (leder, veileder) kan peke ut enkeltpersoner." in people.caption
    assert re.findall(r"\bdeltak\w*", people.title + people.caption, flags=re.IGNORECASE) == []


@pytest.mark.parametrize(("language", "said"), [("nb", "Ingen to koder forekommer sammen i dette utvalget."),
                                                ("en", "No two codes occur together in this selection.")])
def test_a_selection_where_no_codes_meet_says_so_instead_of_a_figure_of_zeros(
    studie: tuple[Path, dict[str, str]], tmp_path: Path, language: str, said: str,
) -> None:
    output = tmp_path / "rapport.docx"
    result = export(studie, "--code", "måltall-press", "--matrix", "role", "--figures", "--lang", language, "--output", str(output))
    assert result.exit_code == 0, result.output
    document = docx.Document(str(output))
    assert len(document.inline_shapes) == 1  # the matrix's heatmap alone
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    under = paragraphs[next(i for i, text in enumerate(paragraphs) if text.startswith(("Samforekomst", "Co-occurrence"))) + 2]
    assert under.startswith(said)


def test_figures_draw_a_dollar_sign_in_a_label_as_text(studie: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """A typed value with "$" in it was read by matplotlib as mathtext: `$\\x$` ended the export in a
    traceback, and "100$ eller 200$" was drawn as a formula."""
    root, env = studie
    copy = tmp_path / "demo"
    shutil.copytree(root, copy)
    runner = CliRunner()
    for participant, value in [("D1", "under 100$ eller 200$"), ("D2", "$\\x$"), ("D3", "$_$")]:
        edited = runner.invoke(cli, ["--project", str(copy), "participants", "edit", participant, "--attribute", f"inntekt={value}"],
                               env=env)
        assert edited.exit_code == 0, edited.output
    output = tmp_path / "rapport.docx"
    result = runner.invoke(cli, ["--project", str(copy), "export", "report", "--matrix", "inntekt", "--figures",
                                 "--output", str(output)], env=env)
    assert result.exit_code == 0, result.output
    document = docx.Document(str(output))
    headers = {cell.text for table in document.tables if table.cell(0, 0).text == "Kode" for cell in table.rows[0].cells}
    assert {"under 100$ eller 200$", "$\\x$", "$_$"} <= headers
    images = [part for part in document.part.package.parts if part.content_type == "image/png"]
    assert len(images) == 2 and all(image.blob.startswith(PNG) for image in images)
