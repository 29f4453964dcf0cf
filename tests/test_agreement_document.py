"""`qualcode agreement --docx`: the Word document for the team meeting, in bokmål by default (medforskere
read it) and in English with --lang en, as `export report` is; written, read back, and checked for leaks."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qualcode.agreement.service import SEGMENT_CHANCE
from qualcode.agreement.statistics import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from qualcode.agreement.wording import REASONS_NB
from qualcode.cli import cli
from tests.conftest import CODINGS, coded_demo
from tests.test_agreement import SECOND_CODER

PAIR = ("--coders", "Forsker 1,Forsker 2")
# What the English document said where the bokmål one must say it in bokmål.
ENGLISH = ("Agreement", "Disagreements", "applied by", "not by", "n/a", "Coders:", "unit:", "Overall", ", line ", "chance")


@pytest.fixture(scope="module")
def studie(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> tuple[Path, dict[str, str]]:
    return coded_demo(demo_template, tmp_path_factory.mktemp("agreement-docx"), {"Forsker 1": CODINGS, "Forsker 2": SECOND_CODER})


def agree(studie: tuple[Path, dict[str, str]], *args: str) -> Any:
    root, env = studie
    return CliRunner().invoke(cli, ["--project", str(root), "agreement", *args], env=env)


def written(studie: tuple[Path, dict[str, str]], path: Path, *args: str) -> Any:
    """The document written by `agreement --docx path *args`, opened again."""
    from docx import Document

    result = agree(studie, *args, "--docx", str(path))
    assert result.exit_code == 0, result.output
    return Document(str(path))


def texts(document: Any) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs]


def everything(document: Any) -> str:
    return "\n".join([*texts(document), *(cell.text for table in document.tables for row in table.rows for cell in row.cells)])


def figures(studie: tuple[Path, dict[str, str]], *args: str) -> dict[str, dict[str, Any]]:
    result = agree(studie, *args, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {row["key"]: row["values"] for row in [*data["rows"], data["totals"]]}


def comma(value: float | str, digits: int) -> str:
    """A figure of the JSON as bokmål writes it: a decimal comma, and "–" where the terminal says "n/a"."""
    return "–" if value == "n/a" else f"{value:.{digits}f}".replace(".", ",")


def test_the_document_is_in_bokmaal_by_default_with_decimal_commas(studie: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """It was English whatever the reader: no --lang, and every heading, column, caption and line in English."""
    document = written(studie, tmp_path / "enighet.docx", "--unit", "turn", *PAIR)
    paragraphs = texts(document)
    assert paragraphs[:2] == ["Samsvar mellom kodere", "Samsvar per taletur"]
    assert document.core_properties.language == "nb-NO"
    table = document.tables[0]
    header = [cell.text for cell in table.rows[0].cells]
    assert header == ["Kode", "Enheter", "Prosentvis samsvar", "Kappa", "κ n", "Alfa", "α n"]
    # Set off as the report's headers are (bold), so the leak check reads them as qualcode's own labels.
    assert all(cell.paragraphs[0].runs[0].bold for cell in table.rows[0].cells)
    rows = {row.cells[0].text.strip(): [cell.text for cell in row.cells[1:]] for row in table.rows[1:]}
    expected = figures(studie, "--unit", "turn", *PAIR)
    assert set(rows) == (set(expected) - {"Overall"}) | {"Samlet"}
    for code, values in expected.items():
        row = rows["Samlet" if code == "Overall" else code]
        assert row == [str(values["units"]), comma(values["agree %"], 1), comma(values["kappa"], 3),
                       str(values["κ n"]), comma(values["alpha"], 3), str(values["α n"])], code
    assert any("," in row[2] for row in rows.values()) and not any("." in value for row in rows.values() for value in row)
    caption = paragraphs[2]
    assert caption.startswith("Kodere: Forsker 1, Forsker 2; enhet: taletur; 2 transkripsjoner er kodet av minst to av dem. "
                              "Kappa er Cohens kappa, alfa er Krippendorffs alfa")
    listed = json.loads(agree(studie, "disagreements", "--unit", "turn", *PAIR, "--json").stdout)["rows"]
    assert f"Uenigheter ({len(listed)})" in paragraphs and listed
    assert "Hver taletur der én av koderne (Forsker 1 og Forsker 2) brukte en kode som en annen ikke brukte." in paragraphs
    first = listed[0]
    assert (f"{first['label']}, linje {first['values']['line']} · {first['values']['code']} · "
            f"kodet av {first['values']['applied by']}; ikke av {first['values']['not by']}") in paragraphs
    leftover = [word for word in ENGLISH if word in everything(document)]
    assert leftover == []


def test_lang_en_writes_the_english_document_the_terminal_words(studie: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    document = written(studie, tmp_path / "agreement.docx", "--unit", "turn", *PAIR, "--lang", "en")
    paragraphs = texts(document)
    assert paragraphs[:2] == ["Intercoder agreement", "Agreement by turn"] and document.core_properties.language == "en-GB"
    assert [cell.text for cell in document.tables[0].rows[0].cells] == ["Code", "units", "agree %", "kappa", "κ n", "alpha", "α n"]
    printed = json.loads(agree(studie, "--unit", "turn", *PAIR, "--json").stdout)
    assert paragraphs[2] == printed["caption"]
    overall = next(row for row in document.tables[0].rows if row.cells[0].text == "Overall")
    assert overall.cells[3].text == f"{printed['totals']['values']['kappa']:.3f}"
    assert any(", line " in text and "applied by" in text and "; not by " in text for text in paragraphs)
    assert not any(word in everything(document) for word in ("Samsvar", "Kode", "Uenigheter", "kodet av", "linje"))


def test_undefined_figures_and_their_reasons_are_in_bokmaal(studie: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """Segments leave kappa and alpha undefined: "–" in the cells and why in the caption, as the report would put it."""
    document = written(studie, tmp_path / "segmenter.docx", "--unit", "segment", *PAIR)
    assert texts(document)[1] == "Samsvar per passasje"
    assert {row.cells[3].text for row in document.tables[0].rows[1:]} == {"–"}
    caption = texts(document)[2]
    assert "enhet: passasje (minste overlapp 0,9);" in caption
    assert "Der det står –, kan tallet ikke beregnes: " in caption
    assert "kappa og alfa i alle rader: passasjene er bare det noen har kodet" in caption
    assert "prosentvis samsvar i " in caption  # a code that only one of them applied
    assert SEGMENT_CHANCE not in caption and "n/a" not in caption


def test_every_reason_a_figure_is_undefined_has_its_bokmaal() -> None:
    reasons = {figure.reason for figure in (
        percent_agreement(Counter()), cohen_kappa(Counter()), cohen_kappa(Counter({(1, 1): 3})),
        fleiss_kappa(Counter()), fleiss_kappa(Counter({(1, 1, 1): 3})),
        krippendorff_alpha(Counter()), krippendorff_alpha(Counter({(1, 1): 2})),
    )} | {SEGMENT_CHANCE}
    assert len(reasons) == 7 and reasons <= set(REASONS_NB)
    assert all(REASONS_NB[reason] != reason for reason in reasons)


def test_the_bokmaal_document_passes_the_leak_guard_and_a_leak_is_still_refused(demo_template: Path, tmp_path: Path) -> None:
    """The bokmål labels are no one's name: the document is written and `leakcheck` finds nothing in it. A coder
    named for someone the key holds is in its caption and lines, and the same guard refuses it."""
    root, env = coded_demo(demo_template, tmp_path, {"Forsker 1": CODINGS, "Forsker 2": SECOND_CODER})
    clean = tmp_path / "enighet.docx"
    written((root, env), clean, "--unit", "turn")
    checked = CliRunner().invoke(cli, ["--project", str(root), "leakcheck", str(clean)], env=env)
    assert checked.exit_code == 0, checked.output
    leaky = coded_demo(demo_template, tmp_path / "lekk", {"Forsker 1": CODINGS, "Sissel Bakken": SECOND_CODER})
    refused = agree(leaky, "--unit", "turn", "--docx", str(tmp_path / "lekk.docx"))
    assert refused.exit_code == 1 and "Sissel Bakken" in refused.stderr, refused.output
    assert not (tmp_path / "lekk.docx").exists()
