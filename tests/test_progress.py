"""Progress of long work: the callbacks the CLI's progress bar hangs on, once per file and per quote batch."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import KeyAccess
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.passages import QuoteFilter
from qualcode.coding.service import add_coding
from qualcode.exporters.report import ReportOptions
from qualcode.exporters.service import export_quote_table, export_report
from qualcode.importers.service import import_paths
from qualcode.store.project import Project
from tests.conftest import built_once, make_transcript


def test_import_reports_each_file_once(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    folder = tmp_path / "mange"
    folder.mkdir()
    for number in range(3):
        (folder / f"intervju_{number}.txt").write_text(f"I: Spørsmål {number}?\nD1: Svar nummer {number} her.\n", encoding="utf-8")
    (folder / "tom.txt").write_bytes(b"")
    seen: list[str] = []
    result = import_paths(project, [folder], key_access, progress=lambda path: seen.append(path.name))
    assert seen == ["intervju_0.txt", "intervju_1.txt", "intervju_2.txt", "tom.txt"]
    assert len(result.imported) == 3 and len(result.failed) == 1


@pytest.fixture(scope="module")
def many_quotes_template(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Path:
    """A project with one long transcript and 250 coded quotes, built once and copied for each test."""
    def build(base: Path) -> None:
        shutil.copytree(migrated_template, base / "project")
        line = "D1: Dette er svar nummer {} om kurset.\n"
        with Project.open(base / "project") as project, project.begin() as session:
            make_transcript(session, base, "".join(line.format(number) for number in range(250)), name="lang")
            coder = get_or_create_coder(session, "Forsker 1")
            position = 0
            for number in range(250):
                length = len(line.format(number))
                add_coding(session, "lang", "empowerment", coder, start=position + 4, end=position + length - 1)
                position += length

    return built_once(tmp_path_factory, "many-quotes", build) / "project"


@pytest.fixture
def many_quotes(tmp_path: Path, many_quotes_template: Path) -> Iterator[tuple[Session, Project]]:
    shutil.copytree(many_quotes_template, tmp_path / "project")
    with Project.open(tmp_path / "project") as project, project.begin() as session:
        yield session, project


@pytest.mark.parametrize("table_format", ["csv", "xlsx"])
def test_quote_tables_report_once_per_batch_of_quotes(many_quotes: tuple[Session, Project], tmp_path: Path, table_format: str) -> None:
    session, project = many_quotes
    calls: list[tuple[int, int]] = []
    result = export_quote_table(
        session, project.root, QuoteFilter(), table_format, "role", "nb", tmp_path / f"q.{table_format}", False,
        PseudonymKey("test"), lambda done, total: calls.append((done, total)),
    )
    assert result.quotes == 250
    assert calls == [(100, 250), (200, 250), (250, 250)]


def test_reports_report_once_per_batch_of_quotes(many_quotes: tuple[Session, Project], tmp_path: Path) -> None:
    session, project = many_quotes
    calls: list[tuple[int, int]] = []
    export_report(
        session, project.root, QuoteFilter(), ReportOptions(), tmp_path / "r.docx", False, PseudonymKey("test"),
        lambda done, total: calls.append((done, total)),
    )
    assert calls == [(100, 250), (200, 250), (250, 250)]


def test_without_a_callback_nothing_is_reported(many_quotes: tuple[Session, Project], tmp_path: Path) -> None:
    session, project = many_quotes
    assert export_quote_table(
        session, project.root, QuoteFilter(), "csv", "role", "nb", tmp_path / "q.csv", False, PseudonymKey("test"),
    ).quotes == 250
