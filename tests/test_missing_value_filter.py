"""`--attribute NAME="(not stated)"` (or "(ikke oppgitt)") chooses those without a value, the rows the tables'
"(not stated)" column counts: informants without a participant's attribute, transcripts without a
transcript's. A value typed as that label is chosen as the tables show it, in quotation marks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from qualcode.analysis.matrix import code_matrix
from qualcode.cli import cli
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.passages import QuoteFilter, select_quotes
from qualcode.coding.service import add_coding
from qualcode.importers.metadata import attribute_definition
from qualcode.search.service import SearchFilters, search
from qualcode.store.models import Participant, Transcript, TranscriptAttribute
from qualcode.store.project import Project
from qualcode.tui.screens.segments import matches, parse_filter
from tests.conftest import CODINGS, coded_demo

QUESTION = ("deltaker_D1_T1", "måltall-press", "Kan du begynne med å fortelle hvordan du kom inn i kvalifiseringsprogrammet?")
HEADING = ("gruppeintervju_G1", "måltall-press", "Gruppeintervju, kontor B.")
RECORDED = ("veileder_V1", "leder_L1")  # the transcripts with a typed attribute "opptak"


@pytest.fixture(scope="module")
def studie(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> tuple[Path, dict[str, str]]:
    """The demo coded, with the interviewer's question and a heading coded alone (counted for no one); V1 without
    an office and V2's typed "(not stated)", D1's "(ikke oppgitt)"; veileder_V2 without a wave; a transcript
    attribute "opptak" on two transcripts. "barn" is the participants CSV's: the staff have none."""
    root, env = coded_demo(demo_template, tmp_path_factory.mktemp("missing-filter"), {"Forsker 1": CODINGS})
    with Project.open(root) as project, project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        for transcript, code, quote in (QUESTION, HEADING):
            add_coding(session, transcript, code, coder, match=quote)
        second = get_or_create_coder(session, "Forsker 2")  # a second coder of V1's and V2's, for agreement
        for transcript, code, quote in CODINGS:
            if transcript in ("veileder_V1", "veileder_V2"):
                add_coding(session, transcript, code, second, match=quote)
        offices = {"V1": None, "V2": "(not stated)", "D1": "(ikke oppgitt)"}
        for person in session.scalars(select(Participant).where(Participant.name.in_(offices))):
            person.office = offices[person.name]
        definition = attribute_definition(session, "opptak", "transcript", "lyd")
        for transcript in session.scalars(select(Transcript).where(Transcript.name.in_(RECORDED))):
            session.add(TranscriptAttribute(transcript_id=transcript.id, definition_id=definition.id, value="lyd"))
        session.scalars(select(Transcript).where(Transcript.name == "veileder_V2")).one().wave = None
    return root, env


def run(studie: tuple[Path, dict[str, str]], *args: str) -> Result:
    root, env = studie
    return CliRunner().invoke(cli, ["--project", str(root), *args], env=env)


def _quotes(studie: tuple[Path, dict[str, str]], *pairs: tuple[str, str]) -> list[tuple[str | None, str]]:
    with Project.open(studie[0], read_only=True) as project, project.begin() as session:
        found, _ = select_quotes(session, QuoteFilter(attributes=pairs))
        return sorted(((quote.participant, quote.transcript) for quote in found), key=str)


def _column(studie: tuple[Path, dict[str, str]], by: str, *pairs: tuple[str, str]) -> dict[str, int]:
    """The matrix's total for each column, split by `by`, under the filter `pairs`."""
    with Project.open(studie[0], read_only=True) as project, project.begin() as session:
        matrix = code_matrix(session, QuoteFilter(attributes=pairs), [by])
        return {column.values[0]: total for column, total in zip(matrix.columns, matrix.totals, strict=True) if total}


@pytest.mark.parametrize("label", ["(not stated)", "(ikke oppgitt)"])
def test_the_label_chooses_informants_without_a_participants_attribute_as_its_column_counts(
    studie: tuple[Path, dict[str, str]], label: str,
) -> None:
    assert {person for person, _ in _quotes(studie, ("office", label))} == {"V1"}  # not V2's typed value, not no one's
    assert _column(studie, "office", ("office", label)) == {"(not stated)": _column(studie, "office")["(not stated)"]}
    # A typed attribute of participants: the staff, who have none; never the passages counted for no one.
    people = {person for person, _ in _quotes(studie, ("barn", label))}
    assert people == {"V1", "V2", "L1"}
    assert _column(studie, "barn", ("barn", label)) == {"(not stated)": _column(studie, "barn")["(not stated)"]}


def test_a_value_typed_as_the_label_is_chosen_in_quotation_marks_as_the_tables_show_it(studie: tuple[Path, dict[str, str]]) -> None:
    assert {person for person, _ in _quotes(studie, ("office", '"(not stated)"'))} == {"V2"}
    assert {person for person, _ in _quotes(studie, ("office", '"(ikke oppgitt)"'))} == {"D1"}
    typed = _column(studie, "office")['"(not stated)"']
    assert _column(studie, "office", ("office", '"(not stated)"')) == {'"(not stated)"': typed} and typed


def test_the_label_chooses_transcripts_without_a_transcripts_attribute_whoever_a_passage_counts_for(
    studie: tuple[Path, dict[str, str]],
) -> None:
    chosen = _quotes(studie, ("opptak", "(not stated)"))
    assert not {transcript for _, transcript in chosen} & set(RECORDED)
    assert (None, QUESTION[0]) in chosen and (None, HEADING[0]) in chosen  # counted for no one, in a transcript without it
    assert _column(studie, "opptak", ("opptak", "(not stated)")) == {"(not stated)": _column(studie, "opptak")["(not stated)"]}
    assert {transcript for _, transcript in _quotes(studie, ("wave", "(ikke oppgitt)"))} == {"veileder_V2"}


def test_the_cli_exports_analyses_lists_and_searches_by_it(studie: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    output = tmp_path / "sitater.csv"
    exported = run(studie, "export", "quotes", "--format", "csv", "--attribute", "office=(not stated)", "--output", str(output))
    assert exported.exit_code == 0, exported.output
    with output.open(encoding="utf-8-sig") as file:
        assert {row["participant"] for row in csv.DictReader(file)} == {"V1"}
    analysed = run(studie, "analyse", "matrix", "--by", "office", "--attribute", "office=(ikke oppgitt)", "--json")
    assert analysed.exit_code == 0, analysed.output
    assert [column["key"] for column in json.loads(analysed.stdout)["columns"]] == ["(not stated)", "Total"]
    listed = run(studie, "coding", "list", "--attribute", 'office="(not stated)"', "--json")
    assert listed.exit_code == 0, listed.output
    assert {row["transcript"] for row in json.loads(listed.stdout)} == {"veileder_V2"}
    found = run(studie, "search", "måltall", "--attribute", "office=(not stated)", "--json")
    assert found.exit_code == 0, found.output
    assert {hit["participant"] for hit in json.loads(found.stdout)["hits"]} == {"V1"}


def test_agreement_compares_the_transcripts_where_someone_without_the_value_speaks(studie: tuple[Path, dict[str, str]]) -> None:
    from qualcode.agreement.service import agreement

    with Project.open(studie[0], read_only=True) as project, project.begin() as session:
        def compared(*pairs: tuple[str, str]) -> int:
            return agreement(session, QuoteFilter(attributes=pairs), "turn", ("Forsker 1", "Forsker 2")).transcripts

        assert (compared(), compared(("office", "(not stated)")), compared(("office", '"(not stated)"'))) == (2, 1, 1)
    cell = run(studie, "analyse", "cell", "måltall-press", "office=(ikke oppgitt)", "--json")
    assert cell.exit_code == 0, cell.output
    assert {row["values"]["participant"] for row in json.loads(cell.stdout)["rows"]} == {"V1"}


def test_search_reads_the_label_as_the_tables_do(studie: tuple[Path, dict[str, str]]) -> None:
    with Project.open(studie[0], read_only=True) as project, project.begin() as session:
        def who(name: str, value: str | None) -> set[tuple[str | None, str]]:
            return {(hit.participant, hit.transcript) for hit in
                    search(session, "det", SearchFilters(attributes=((name, value),)), limit=10_000).hits}

        assert {person for person, _ in who("office", None)} == {"V1"}
        assert {person for person, _ in who("barn", None)} == {"V1", "V2", "V3", "L1"}  # never a turn of no one
        recorded = who("opptak", None)
        assert not {transcript for _, transcript in recorded} & set(RECORDED)
        assert (None, "deltaker_D1_T1") in recorded  # the interviewer's turns, in a transcript without it
        assert {transcript for _, transcript in who("wave", None)} == {"veileder_V2"}


def test_a_refusal_says_how_the_label_and_a_value_typed_so_are_told_apart(studie: tuple[Path, dict[str, str]]) -> None:
    unknown = run(studie, "export", "quotes", "--format", "csv", "--attribute", "office=ikke oppgitt", "--output", "x.csv")
    assert unknown.exit_code == 1 and unknown.output.count("\n") == 1, unknown.output
    assert "(not stated) chooses those without one" in unknown.output
    assert '"(ikke oppgitt)" or "(not stated)" in quotation marks the office typed so' in unknown.output
    # V1, the one informant without an office, has no empowerment passage; V2's office is typed so.
    nothing = run(studie, "export", "quotes", "--code", "empowerment", "--attribute", "office=(not stated)", "--output", "x.csv")
    assert nothing.exit_code == 1 and nothing.output.count("\n") == 1, nothing.output
    assert "no quotes match code empowerment and office=(not stated)" in nothing.output
    assert "office=(not stated) chooses those without office, office='\"(not stated)\"' the office typed so" in nothing.output


def test_the_label_typed_in_another_case_or_spacing_is_the_label_and_no_informant_is_said_to_be_no_filter(
    studie: tuple[Path, dict[str, str]],
) -> None:
    """"(ikke  oppgitt)" (two spaces) was refused naming the label it then refused, and "(NOT STATED)" was
    hinted towards the value typed so; "(no informant)" was refused in quotation marks nobody typed."""
    for label in ("(ikke  oppgitt)", "(NOT STATED)", " (Not Stated) "):
        assert {person for person, _ in _quotes(studie, ("office", label))} == {"V1"}, label
    refused = run(studie, "coding", "list", "--attribute", "office=(no informant)")
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
    assert refused.output.startswith("error: (no informant) is no value of office: it is the column of the passages counted for no informant")
    assert "(not stated) chooses the informants without one" in refused.output


def test_the_tuis_passage_filter_reads_it_as_the_cli_does(studie: tuple[Path, dict[str, str]]) -> None:
    with Project.open(studie[0], read_only=True) as project, project.begin() as session:
        quotes, _ = select_quotes(session, QuoteFilter())
    attributes = {name for quote in quotes for name in quote.attributes}

    def shown(text: str) -> set[str | None]:
        return {quote.participant for quote in quotes if matches(quote, parse_filter(text, attributes))}

    assert shown('office:"(not stated)"') == shown('kontor:"(ikke oppgitt)"') == {"V1"}
    assert shown("office:'\"(not stated)\"'") == {"V2"}
    assert shown('barn:"(not stated)"') == {"V1", "V2", "L1"}
    assert None in shown('opptak:"(not stated)"')
