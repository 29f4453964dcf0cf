"""Wide tables paged for a narrow terminal: each page's line says which columns (or, in co-occurrence,
which codes) it shows, numbered as its header shows them, for every command that pages a table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.agreement.service import agreement
from qualcode.analysis.compare import compare, comparison_tables
from qualcode.analysis.cooccurrence import Within, cooccurrence, cooccurrence_table
from qualcode.analysis.framework import framework_matrix
from qualcode.analysis.frequencies import code_frequencies, frequencies_table
from qualcode.analysis.matrix import code_matrix, matrix_table
from qualcode.analysis.tables import Table, render_text
from qualcode.cli import cli
from qualcode.cli.agreement import agreement_table
from qualcode.cli.framework import render_matrix
from qualcode.coding.passages import QuoteFilter
from qualcode.store.project import Project
from tests.conftest import CODINGS, coded_demo

# Two passages each coded with every sub-code of three themes, so twelve codes co-occur with one another.
TOGETHER = [("deltaker_D1_T1", "Jeg har begynt å tro at jeg faktisk kan noe."),
            ("veileder_V1", "Det ble mer om antall enn om hva folk faktisk trengte.")]
SUB_CODES = [
    "empowerment/selvbilde og selvtillit", "empowerment/håp og motivasjon", "empowerment/ansvar for eget liv",
    "empowerment/fellesskap med andre", "empowerment/avmakt", "brukermedvirkning/individuell medvirkning",
    "brukermedvirkning/medvirkning på systemnivå", "brukermedvirkning/tilbakemelding", "brukermedvirkning/tvang og krav",
    "måltall-press/inntakspress", "måltall-press/kvantitet mot kvalitet", "måltall-press/konsekvenser for kontoret",
]
NOTE = re.compile(r"\((columns|codes) (\d+)–(\d+) of (\d+)\)")


@pytest.fixture(scope="module")
def studie(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> tuple[Path, dict[str, str]]:
    """The demo project coded by two coders, the first with many codes on the same two passages."""
    many = [(transcript, code, quote) for code in SUB_CODES for transcript, quote in TOGETHER]
    first = list(dict.fromkeys([*CODINGS, *many]))  # two of CODINGS are among them
    second = [("deltaker_D1_T1", "empowerment/avmakt", "Jeg følte meg som en snylter, ærlig talt."),
              ("veileder_V1", "måltall-press/inntakspress", "Det ble mer om antall enn om hva folk faktisk trengte.")]
    return coded_demo(demo_template, tmp_path_factory.mktemp("pages"), {"Forsker 1": first, "Forsker 2": second})


def pages(table: Table, width: int) -> list[tuple[str, int, int, int, list[str], list[str]]]:
    """Each page of the rendered table: its unit, first, last and of-how-many, and the words of its
    group line and of its label line, as the researcher reads them."""
    text = render_text(table, width)
    assert max(len(line) for line in text.splitlines()) <= width
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        matched = NOTE.fullmatch(line)
        if matched is None:
            continue
        label_at = next(at for at in range(index + 1, len(lines)) if lines[at].startswith(table.row_header))
        groups = lines[label_at - 1].split() if label_at - 1 > index else []
        labels = re.split(r"\s{2,}", lines[label_at][len(table.row_header):].strip())
        unit, first, last, total = matched.group(1), *(int(number) for number in matched.groups()[1:])
        found.append((unit, first, last, total, groups, labels))
    return found


def assert_columns_told_truly(table: Table, width: int) -> None:
    """Paged by columns: each page names the columns its header shows, one after another, every one once."""
    paged = pages(table, width)
    assert len(paged) > 1, render_text(table, width)
    expected_first = 1
    for unit, first, last, total, _, labels in paged:
        assert unit == "columns" and total == len(table.columns)
        assert first == expected_first
        assert labels == [column.label for column in table.columns[first - 1:last]]
        expected_first = last + 1
    assert expected_first == len(table.columns) + 1


@pytest.mark.parametrize("width", [42, 60, 80])
def test_cooccurrence_pages_are_counted_in_the_numbered_codes_the_header_shows(
    studie: tuple[Path, dict[str, str]], width: int,
) -> None:
    with Project.open(studie[0]) as project, project.begin() as session:
        table = cooccurrence_table(cooccurrence(session, QuoteFilter(), Within("overlap")))
    paged = pages(table, width)
    assert len(paged) > 1
    shown: list[int] = []
    for unit, first, last, total, groups, _ in paged:
        # The page says "codes 5–9 of 15" over the numbers 5 to 9: not "columns 10–19 of 31", the n and c
        # under each number counted one by one with the passages column.
        assert unit == "codes" and total == len(table.rows) == 15
        assert groups == [str(number) for number in range(first, last + 1)]
        shown += range(first, last + 1)
    assert sorted(set(shown)) == list(range(1, 16))
    if width == 42:  # the passages column fills the first page alone: it says so, counting no code
        assert render_text(table, width).splitlines()[2] == "(passages; codes on the next pages)"


def test_cooccurrence_pages_on_the_command_line_say_codes(studie: tuple[Path, dict[str, str]]) -> None:
    root, env = studie
    result = CliRunner().invoke(cli, ["--project", str(root), "analyse", "cooccur"], env=env)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stdout.splitlines() if line.startswith("(") and "–" in line]
    assert notes and all(re.fullmatch(r"\(codes \d+–\d+ of 15\)", line) for line in notes), notes


@pytest.mark.parametrize("by", [("role", "wave"), ("participant", "wave"), ("participant",)])
def test_matrix_pages_are_counted_in_the_columns_under_the_headers(studie: tuple[Path, dict[str, str]], by: tuple[str, ...]) -> None:
    # A column is one value (one role and wave, crossed); the grouped role header spans several, so
    # counting roles would not say which columns a page holds. "Total" is a column too.
    with Project.open(studie[0]) as project, project.begin() as session:
        table = matrix_table(code_matrix(session, QuoteFilter(), by, "passages"))
    assert_columns_told_truly(table, 60)


def test_compare_and_frequencies_and_agreement_pages_count_columns(studie: tuple[Path, dict[str, str]]) -> None:
    with Project.open(studie[0]) as project, project.begin() as session:
        counts, _ = comparison_tables(compare(session, QuoteFilter(), "participant", "empowerment"))
        frequencies = frequencies_table(code_frequencies(session, QuoteFilter()))  # "passages by coder" grouped
        agreed = agreement_table(agreement(session, QuoteFilter(), "turn", listed=False))
    assert_columns_told_truly(counts, 60)
    assert_columns_told_truly(frequencies, 60)
    assert_columns_told_truly(agreed, 44)


def test_framework_show_pages_are_counted_in_codes(studie: tuple[Path, dict[str, str]]) -> None:
    with Project.open(studie[0]) as project, project.begin() as session:
        matrix = framework_matrix(session)
    lines = render_matrix(matrix, 60)
    notes = [re.fullmatch(r"-- codes (\d+)–(\d+) of (\d+) \(page \d+ of \d+\) --", line) for line in lines]
    found = [matched for matched in notes if matched]
    assert len(found) > 1
    for matched in found:
        first, last, total = (int(number) for number in matched.groups())
        assert total == len(matrix.codes)
        header = lines[lines.index(matched.group(0)) + 1]
        assert header.count("│") == last - first + 1
