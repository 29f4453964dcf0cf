"""Intercoder agreement: the statistics on published worked examples, their properties, the units,
and `qualcode agreement [disagreements]` on the sample project coded by two coders, every figure
checked against a count made here."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from pathlib import Path
from random import Random
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from qualcode.agreement.statistics import (
    Pattern,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    swap,
)
from qualcode.agreement.units import (
    character_stretches,
    match_segments,
    overlap_share,
    unit_patterns,
)
from qualcode.cli import cli
from qualcode.modes import _umask
from qualcode.store.models import Code, Coder, Coding, TextVersion, Transcript, Turn
from qualcode.store.project import Project
from tests.conftest import CODINGS, coded_demo

# --- the statistics on published examples -------------------------------------------------------


def test_cohen_kappa_on_artstein_and_poesio_2008_table() -> None:
    # Artstein & Poesio (2008), "Inter-coder agreement for computational linguistics", Computational
    # Linguistics 34(4):555-596, the 2x2 example of §2: 100 utterances coded STAT or IReq by two
    # coders; A_o = 0.7, A_e = 0.54, kappa = 0.348.
    table = Counter({("STAT", "STAT"): 20, ("IReq", "STAT"): 20, ("STAT", "IReq"): 10, ("IReq", "IReq"): 50})
    kappa = cohen_kappa(table)
    assert kappa.value == pytest.approx(0.348, abs=5e-4) and kappa.units == 100
    assert percent_agreement(table).value == pytest.approx(70.0)


def test_krippendorff_alpha_on_his_reliability_data_with_missing_values() -> None:
    # Krippendorff, "Computing Krippendorff's alpha-reliability" (2011), the 4 observers x 12 units
    # example with missing values: nominal alpha = 0.743 (unit 12 has one value and is not pairable).
    n = None
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n], [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
            [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n], [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]
    patterns = Counter(tuple(row[unit] for row in data) for unit in range(12))
    alpha = krippendorff_alpha(patterns)
    assert alpha.value == pytest.approx(0.743, abs=5e-4) and alpha.units == 11


FLEISS_1971 = """4 4 4 4 4 4|2 2 2 5 5 5|2 3 3 3 3 5|5 5 5 5 5 5|2 2 2 4 4 4|1 1 3 3 3 3|3 3 3 3 5 5|1 1 3 3 3 4
1 1 4 4 4 4|5 5 5 5 5 5|1 4 4 4 4 4|1 2 4 4 4 4|2 2 2 3 3 3|1 4 4 4 4 4|2 2 4 4 4 5|3 3 3 3 3 5|1 1 1 4 5 5
1 1 1 1 1 2|2 2 4 4 4 4|1 3 3 5 5 5|5 5 5 5 5 5|2 4 4 4 4 4|2 2 4 5 5 5|1 1 4 4 4 4|1 4 4 4 4 5|2 2 2 2 2 4
1 1 1 1 5 5|2 2 4 4 4 4|1 3 3 3 3 3|5 5 5 5 5 5"""


def test_fleiss_kappa_on_fleiss_1971() -> None:
    # Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological Bulletin
    # 76(5):378-382, Table 1: 30 patients, 6 psychiatrists each, 5 diagnoses; P = .556, P_e = .220,
    # kappa = .430.
    patients = [tuple(int(value) for value in row.split()) for row in FLEISS_1971.replace("\n", "|").split("|")]
    assert len(patients) == 30
    kappa = fleiss_kappa(Counter(patients))
    assert kappa.value == pytest.approx(0.430, abs=5e-4) and kappa.units == 30


def test_undefined_figures_are_none_with_a_reason_never_nan() -> None:
    nobody = Counter({(0, 0): 12})  # both left every unit uncoded: chance agreement is total
    assert cohen_kappa(nobody).value is None and "chance" in cohen_kappa(nobody).reason
    assert krippendorff_alpha(nobody).value is None and krippendorff_alpha(nobody).units == 12
    assert fleiss_kappa(Counter({(1, 1, 1): 3})).value is None
    missing = Counter({(1, None): 4})
    assert percent_agreement(missing).value is None and cohen_kappa(missing).units == 0
    assert krippendorff_alpha(missing).text() == "n/a"


binary_units = st.lists(st.tuples(st.sampled_from([0, 1]), st.sampled_from([0, 1, None])), min_size=2, max_size=40)


@settings(max_examples=60, deadline=None)
@given(binary_units)
def test_identical_codings_agree_fully_and_swapping_coders_changes_nothing(units: list[tuple[int, int | None]]) -> None:
    identical = Counter((first, first) for first, _ in units)
    if len(set(identical)) > 1:  # with both values present, kappa and alpha are defined and 1
        assert cohen_kappa(identical).value == 1.0
        assert krippendorff_alpha(identical).value == 1.0
    patterns: Counter[Pattern] = Counter(units)
    swapped = swap(patterns, (1, 0))
    for statistic in (percent_agreement, cohen_kappa, krippendorff_alpha):
        one, other = statistic(patterns), statistic(swapped)
        assert one.units == other.units
        assert (one.value is None) == (other.value is None)
        if one.value is not None and other.value is not None:
            assert one.value == pytest.approx(other.value)


# --- units ---------------------------------------------------------------------------------------


def test_units_touched_missing_and_characters() -> None:
    starts, ends = [0, 10, 20, 30], [9, 19, 29, 39]
    patterns, untouched = unit_patterns(starts, ends, [[(5, 12)], [(11, 15)], None])
    assert patterns == {0: (1, 0, None), 1: (1, 1, None)} and untouched == 2
    stretches = character_stretches([(0, 10)], [[(2, 6)], [(4, 8)]])
    assert stretches == [(0, 2, (0, 0)), (2, 4, (1, 0)), (4, 6, (1, 1)), (6, 8, (0, 1)), (8, 10, (0, 0))]


def test_sentences_are_the_readers_sentences() -> None:
    from qualcode.text.sentences import sentence_spans, turn_sentences

    text = "Hei. Jeg heter Åse 🙂 og bor her. Ja!\nNei. Kanskje det? Vi får se."
    turns = [(0, 37), (38, len(text))]
    assert turn_sentences(text, turns) == [span for start, end in turns for span in sentence_spans(text[start:end], start)]
    assert turn_sentences(text, []) == sentence_spans(text)


def test_segments_match_by_share_of_the_longer_passage() -> None:
    assert overlap_share((0, 100), (5, 100)) == pytest.approx(0.95)
    groups = match_segments([[(0, 100), (200, 260)], [(5, 100), (200, 230)]], 0.9)
    assert groups == [((0, 100), (5, 100)), ((200, 260), None), (None, (200, 230))]
    assert len(match_segments([[(200, 260)], [(200, 230)]], 0.5)) == 1


SEGMENT_SPANS = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 40)).map(lambda pair: (pair[0], pair[0] + pair[1])),
                         max_size=4)


@settings(max_examples=200, deadline=None)
@given(spans=st.lists(SEGMENT_SPANS, min_size=2, max_size=4), min_overlap=st.sampled_from([0.2, 0.5, 0.9, 1.0]),
       order=st.randoms(use_true_random=False))
@example(spans=[[(177, 277), (287, 377)], [(237, 347), (357, 437)]], min_overlap=0.2, order=Random(1))
@example(spans=[[(0, 178)], [(0, 165)], [(8, 165)]], min_overlap=0.9, order=Random(2))
def test_segments_are_the_same_in_whatever_order_the_coders_are_named(
    spans: list[list[tuple[int, int]]], min_overlap: float, order: Random,
) -> None:
    """Groups were built coder by coder, each span joining the first coder's group it matched: the
    figure depended on how --coders was typed (33 % for A,B and 100 % for B,A)."""
    spans = [sorted(set(coder)) for coder in spans]
    shuffled = list(range(len(spans)))
    order.shuffle(shuffled)
    groups = match_segments(spans, min_overlap)
    again = match_segments([spans[coder] for coder in shuffled], min_overlap)
    assert sorted(groups, key=repr) == sorted((tuple(group[shuffled.index(coder)] for coder in range(len(spans))) for group in again),
                                              key=repr)
    for group in groups:  # every span once, and every pair in a group a match
        held = [span for span in group if span is not None]
        assert held and all(overlap_share(one, other) >= min_overlap for one in held for other in held if one is not other)
    assert sorted(span for group in groups for span in group if span is not None) == sorted(span for coder in spans for span in coder)


# --- the command on the sample project -----------------------------------------------------------

SECOND_CODER = [  # Forsker 2: agrees on two passages, gives two of Forsker 1's passages another code
    ("veileder_V1", "måltall-press/inntakspress", CODINGS[1][2]),
    ("veileder_V1", "empowerment/avmakt", "Det ble mer om antall enn om hva folk faktisk trengte."),
    ("deltaker_D1_T1", "empowerment/avmakt", "Jeg følte meg som en snylter, ærlig talt."),
    ("deltaker_D1_T1", "empowerment/håp og motivasjon", "Jeg har begynt å tro at jeg faktisk kan noe."),
]


@pytest.fixture(scope="module")
def studie(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> tuple[Path, dict[str, str]]:
    return coded_demo(demo_template, tmp_path_factory.mktemp("agreement"), {"Forsker 1": CODINGS, "Forsker 2": SECOND_CODER, "Forsker 3": CODINGS[:1]})


def run(studie: tuple[Path, dict[str, str]], *args: str) -> Result:
    root, env = studie
    return CliRunner().invoke(cli, ["--project", str(root), "agreement", *args], env=env)


def ok(studie: tuple[Path, dict[str, str]], *args: str) -> str:
    result = run(studie, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def expected_by_turn(root: Path, coders: tuple[str, str]) -> tuple[dict[str, dict[str, Any]], set[tuple[str, str, str]]]:
    """The figures and disagreements by turn, counted straight from the rows: per code (sub-codes
    rolled up), the turns each coder's codings touch in the transcripts both coded."""
    with Project.open(root) as project, project.begin() as session:
        rows = session.execute(
            select(Transcript.name, Transcript.id, Coding.start, Coding.end, Code.path, Coder.name)
            .join(Transcript, Coding.transcript_id == Transcript.id).join(Code, Coding.code_id == Code.id)
            .join(Coder, Coding.coder_id == Coder.id).where(Coding.removed_at.is_(None), Coder.name.in_(coders))
        ).all()
        both = {name for name in {row[0] for row in rows} if {row[5] for row in rows if row[0] == name} == set(coders)}
        turns = {name: session.execute(select(Turn.start, Turn.end).join(Transcript, Transcript.current_version_id == Turn.text_version_id)
                                       .where(Transcript.name == name)).all() for name in both}
    applied: dict[str, dict[str, set[tuple[str, int]]]] = defaultdict(lambda: defaultdict(set))
    for transcript, _, start, end, path, coder in rows:
        for depth in range(1, path.count("/") + 2):
            code = "/".join(path.split("/")[:depth])
            applied[code][coder].update(())  # a code either coder used counts, even where only one coded
            if transcript not in both:
                continue
            for index, (turn_start, turn_end) in enumerate(turns[transcript]):
                if start < turn_end and turn_start < end:
                    applied[code][coder].add((transcript, index))
    units = sum(len(spans) for spans in turns.values())
    figures: dict[str, dict[str, Any]] = {}
    disagreements = set()
    for code, by in applied.items():
        first, second = by[coders[0]], by[coders[1]]
        both_applied, only_first, only_second = len(first & second), len(first - second), len(second - first)
        neither = units - both_applied - only_first - only_second
        p_o = (both_applied + neither) / units
        if neither == units:  # both left the code out of every unit they both coded: no chance to correct
            figures[code] = {"units": units, "agree %": 100.0, "kappa": "n/a", "κ n": units, "alpha": "n/a", "α n": units}
            continue
        p_e = ((both_applied + only_first) * (both_applied + only_second) + (neither + only_second) * (neither + only_first)) / units ** 2
        ones = 2 * both_applied + only_first + only_second
        alpha = 1 - (2 * units - 1) * (only_first + only_second) / (ones * (2 * units - ones))
        figures[code] = {"units": units, "agree %": round(100 * p_o, 1), "kappa": round((p_o - p_e) / (1 - p_e), 3),
                         "κ n": units, "alpha": round(alpha, 3), "α n": units}
        for unit in first ^ second:
            disagreements.add((unit[0], code, coders[0] if unit in first else coders[1], unit[1]))
    # A parent's disagreement is listed under the sub-code that holds it.
    kept = {(transcript, code, who) for transcript, code, who, index in disagreements
            if not any(other.startswith(code + "/") and (transcript, other, who, index) in disagreements
                       for other in applied)}
    return figures, kept


def test_agreement_by_turn_matches_a_count_of_the_rows(studie: tuple[Path, dict[str, str]]) -> None:
    pair = ("Forsker 1", "Forsker 2")
    expected, disagreements = expected_by_turn(studie[0], pair)
    data = json.loads(ok(studie, "--unit", "turn", "--coders", ",".join(pair), "--json"))
    rows = {row["key"]: row["values"] for row in data["rows"]}
    assert set(rows) == set(expected)
    for code, figures in expected.items():
        assert rows[code] == figures, code
    # Sub-codes disagree where their parent agrees: empowerment is one code to both in D1_T1.
    assert rows["empowerment/håp og motivasjon"]["agree %"] < 100 and rows["måltall-press/inntakspress"]["kappa"] == 1.0
    listed = json.loads(ok(studie, "disagreements", "--unit", "turn", "--coders", ",".join(pair), "--json"))["rows"]
    assert {(row["label"], row["values"]["code"], row["values"]["applied by"]) for row in listed} == disagreements
    assert all(row["values"]["text"] and row["values"]["line"] >= 1 for row in listed)
    only = json.loads(ok(studie, "disagreements", "--unit", "turn", "--coders", ",".join(pair), "--code", "empowerment",
                         "--coder", "Forsker 2", "--json"))["rows"]
    assert only and all(row["values"]["code"].startswith("empowerment") for row in only)


def test_table_fits_80_columns_and_every_output_reads_back(studie: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    from docx import Document
    from openpyxl import load_workbook

    table = ok(studie, "--unit", "turn", "--coders", "Forsker 1,Forsker 2")
    assert max(len(line) for line in table.splitlines()) <= 80 and "Cohen's kappa" in table
    three = ok(studie, "--unit", "turn")  # everyone who coded: three coders, Fleiss' kappa
    assert "Fleiss' kappa" in three and "Forsker 3" in three
    rows = list(csv.DictReader(io.StringIO(ok(studie, "--unit", "segment", "--coders", "Forsker 1,Forsker 2", "--csv"))))
    inntak = next(row for row in rows if row["Code"] == "måltall-press/inntakspress")
    assert inntak["agree %"] == "100.0" and inntak["kappa"] == "n/a"  # segments leave chance undefined
    # The caption says which figures each reason for n/a holds for, not every reason under every row.
    segment_table = ok(studie, "--unit", "segment", "--coders", "Forsker 1,Forsker 2")
    caption = " ".join(segment_table.split())
    assert "n/a (agree % of brukermedvirkning, brukermedvirkning/tvang og krav: no unit has values from two coders;" in caption
    assert "kappa and alpha of every row: segments are only the stretches someone coded" in caption
    characters = {row["key"]: row["values"] for row in json.loads(
        ok(studie, "--unit", "character", "--coders", "Forsker 1,Forsker 2", "--json"))["rows"]}
    with Project.open(studie[0]) as project, project.begin() as session:  # every character of V1 and D1_T1, the two both coded
        both = sum(len(text) for text in session.scalars(
            select(TextVersion.text).join(Transcript, Transcript.current_version_id == TextVersion.id)
            .where(Transcript.name.in_(["veileder_V1", "deltaker_D1_T1"]))))
    assert {row["units"] for row in characters.values()} == {both}
    assert characters["måltall-press/inntakspress"]["kappa"] == 1.0 and characters["empowerment/avmakt"]["kappa"] < 1.0
    workbook, document = tmp_path / "enighet.xlsx", tmp_path / "enighet.docx"
    ok(studie, "--unit", "turn", "--coders", "Forsker 1,Forsker 2", "--xlsx", str(workbook), "--docx", str(document), "--lang", "en")
    sheet = load_workbook(workbook).worksheets[0]
    # A sub-code by its name, indented under its parent's row, as a matrix's workbook names it.
    assert any(cell.value == "inntakspress" and cell.alignment.indent for row in sheet.iter_rows() for cell in row)
    assert "  inntakspress" in table and "…" not in table  # its path was cut from the left to fit: "…ress/inntakspress"
    alone = ok(studie, "--unit", "turn", "--coders", "Forsker 1,Forsker 2", "--code", "måltall-press/inntakspress", "--only")
    assert "\nmåltall-press/inntakspress" in alone  # its parent not listed: its path, not indented
    # Numbered only where a name repeats: the second was "Disagreements by turn (N) (2)".
    assert [name.startswith("Disagreements by turn (") and name.endswith(")") and " (2)" not in name
            for name in load_workbook(workbook).sheetnames] == [False, True]
    word = Document(str(document))
    assert "Agreement by turn" in [paragraph.text for paragraph in word.paragraphs]
    # The disagreements once, one by one with their text, not also as a table under a heading of their own.
    assert [p.text for p in word.paragraphs if p.text.startswith("Disagreements")] == [
        next(p.text for p in word.paragraphs if p.text.startswith("Disagreements ("))] and len(word.tables) == 1
    assert any("Forsker 2" in paragraph.text and "not by" in paragraph.text for paragraph in word.paragraphs)
    assert word.tables[0].rows[0].cells[0].text == "Code"
    # A file already there is someone's: refused, both left as they were, until --force.
    workbook.write_bytes(b"mitt eget regneark")
    document.write_bytes(b"min egen tekst")
    for option, path in (("--xlsx", workbook), ("--docx", document)):
        refused = run(studie, "--unit", "turn", "--coders", "Forsker 1,Forsker 2", option, str(path))
        assert refused.exit_code == 1, refused.output
        assert refused.stderr == f"error: {path} exists; nothing was written (hint: pass --force to overwrite it, or give another file name)\n"
    assert (workbook.read_bytes(), document.read_bytes()) == (b"mitt eget regneark", b"min egen tekst")
    # A new workbook beside a document that exists: neither is written (the workbook was, and left).
    fresh = tmp_path / "ny.xlsx"
    refused = run(studie, "--unit", "turn", "--coders", "Forsker 1,Forsker 2", "--xlsx", str(fresh), "--docx", str(document))
    assert refused.exit_code == 1 and f"{document} exists; nothing was written" in refused.stderr and not fresh.exists()
    ok(studie, "--unit", "turn", "--coders", "Forsker 1,Forsker 2", "--xlsx", str(fresh), "--docx", str(document), "--force")
    assert load_workbook(fresh).worksheets[0] is not None and Document(str(document)).tables
    # Readable as the umask says, as a report or a CSV is, not owner-only: colleagues share the folder.
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~_umask()


@pytest.mark.parametrize(("args", "message"), [
    (("--coders", "Forsker 1"), "two coders or more"),
    (("--coders", "Forsker 1,Forsker 3", "--transcript", "deltaker_D1_T1"), "Forsker 3 coded nothing in the selection"),
    (("--coders", "Forsker 1,Forsker 2", "--code", "empowerment/ansvar for eget liv"), "nobody coded"),
    (("--coders", "Forsker 1,Ukjent"), "no codings by 'Ukjent'"),
    (("--transcript", "veileder_V2"), "only Forsker 1 coded"),
    # Turns of someone only one coder's transcripts hold: it was a ValueError from Fleiss' kappa.
    (("--participant", "D2"), "agreement needs two coders or more; only Forsker 1 coded the selection"),
    # Each coded, but never the same transcript: nothing to compare (it was a ValueError from numpy's side).
    (("--coders", "Forsker 2,Forsker 3"), "no transcript in the selection was coded by two of Forsker 2, Forsker 3"),
    (("--coders", ""), "--coders names no coder"),
    (("--coders", " , "), "--coders names no coder"),
    # Matched only segments, and was ignored unsaid with turns.
    (("--min-overlap", "0.5"), "--min-overlap applies to --unit segment, not turn (hint: add --unit segment, or leave it out)"),
    (("--docx", "/finnes-ikke/mappe/enighet.docx"), "no folder /finnes-ikke/mappe to write enighet.docx in (hint: create the folder"),
    # The terminal's table is English whatever --lang says: it chose nothing, unsaid.
    (("--lang", "en"), "--lang applies to the Word document (--docx), not the terminal's table (hint: add --docx FILE"),
])
def test_bad_input_is_one_line_and_exit_1(studie: tuple[Path, dict[str, str]], args: tuple[str, ...], message: str) -> None:
    result = run(studie, "--unit", "turn", *args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("coders", [2, 3, 7])
def test_pattern_counts_are_the_units_patterns_counted(coders: int) -> None:
    import random

    from qualcode.agreement.units import unit_pattern_counts

    rng = random.Random(coders)
    starts = list(range(0, 1000, 10))
    ends = [start + 8 for start in starts]
    for _ in range(20):
        spans: list[list[tuple[int, int]] | None] = []
        for _coder in range(coders):
            if rng.random() < 0.2:
                spans.append(None)  # a coder who did not code the transcript
                continue
            chosen = sorted(rng.sample(range(0, 990, 7), rng.randint(0, 12)))
            spans.append([(start, start + rng.randint(1, 25)) for start in chosen])
        expected = Counter(unit_patterns(starts, ends, spans)[0].values())
        assert unit_pattern_counts(starts, ends, spans) == dict(expected)


def test_a_coder_the_key_renamed_is_named_as_typed(demo_template: Path, tmp_path: Path) -> None:
    """A coder whose name the key learns later (named in a text) is stored under its pseudonym; --coders
    finds them by the name as typed, as --coder does."""
    studie = coded_demo(demo_template, tmp_path, {"Forsker 1": CODINGS, "Tove Lindberg": SECOND_CODER})
    root, env = studie
    learned = CliRunner().invoke(cli, ["--project", str(root), "identifiers", "add", "Tove Lindberg", "--kind", "person"], env=env)
    assert learned.exit_code == 0, learned.output
    with Project.open(root) as project, project.begin() as session:
        assert session.scalar(select(Coder).where(Coder.name == "Tove Lindberg")) is None  # renamed by the key
    by_typed = json.loads(ok(studie, "--unit", "turn", "--coders", "Forsker 1,Tove Lindberg", "--json"))
    assert "Tove Lindberg" not in json.dumps(by_typed) and len(by_typed["rows"]) > 1


@pytest.mark.parametrize("unit", ["turn", "sentence"])
def test_a_codes_row_is_the_same_with_or_without_code_and_its_disagreements_too(studie: tuple[Path, dict[str, str]], unit: str) -> None:
    """A coder who coded a transcript and never applied a code said no to it there: --code must not
    leave them out (it did, raising agreement on the one code asked about)."""
    every = json.loads(ok(studie, "--unit", unit, "--json"))
    rows = {row["key"]: row["values"] for row in every["rows"]}
    listed = json.loads(ok(studie, "disagreements", "--unit", unit, "--json"))["rows"]
    for code in ("empowerment", "måltall-press", "empowerment/avmakt"):
        alone = json.loads(ok(studie, "--unit", unit, "--code", code, "--json"))
        assert "Forsker 1, Forsker 2, Forsker 3" in alone["caption"] and "Forsker 1, Forsker 2, Forsker 3" in every["caption"]
        assert {row["key"]: row["values"] for row in alone["rows"]}[code] == rows[code], code
        theirs = json.loads(ok(studie, "disagreements", "--unit", unit, "--code", code, "--json"))["rows"]
        assert theirs == [row for row in listed if f"{row['values']['code']}/".startswith(f"{code}/")], code


def test_coders_named_in_another_case_are_the_coders_they_name(studie: tuple[Path, dict[str, str]]) -> None:
    """`--coder forsker 1` was Forsker 1, but `--coders "forsker 1,FORSKER 2"` found no codings by them."""
    exact = json.loads(ok(studie, "--unit", "turn", "--coders", "Forsker 1,Forsker 2", "--json"))
    folded = json.loads(ok(studie, "--unit", "turn", "--coders", "forsker 1,FORSKER 2", "--json"))
    assert folded == exact
    # A probe: `disagreements --coder "forsker 2"` (or " Forsker 2") was "not one of the coders compared".
    theirs = json.loads(ok(studie, "disagreements", "--unit", "turn", "--coders", "Forsker 1,Forsker 2", "--coder", "Forsker 2", "--json"))
    for typed in ("forsker 2", " FORSKER 2 "):
        assert json.loads(ok(studie, "disagreements", "--unit", "turn", "--coders", "Forsker 1,Forsker 2", "--coder", typed, "--json")) == theirs


def test_a_role_filter_compares_only_the_coders_of_transcripts_where_that_role_speaks(studie: tuple[Path, dict[str, str]]) -> None:
    """--role veileder took in Forsker 3, who coded only the leader's interview: with a coder who
    has no value on any unit, every kappa was n/a. Coders and transcripts are those the filter keeps."""
    data = json.loads(ok(studie, "--unit", "turn", "--role", "veileder", "--json"))
    assert data["caption"].startswith("Coders: Forsker 1, Forsker 2; unit: turn; 1 transcript coded by two or more"), data["caption"]
    rows = {row["key"]: row["values"] for row in data["rows"]}
    assert rows["måltall-press/inntakspress"]["kappa"] == 1.0
    assert data == json.loads(ok(studie, "--unit", "turn", "--role", "veileder", "--coders", "Forsker 1,Forsker 2", "--json"))


def test_a_filter_by_who_speaks_keeps_codings_begun_in_another_speakers_turn(demo_template: Path, tmp_path: Path) -> None:
    """--role and --participant choose the units compared, not the codings: a question coded with its
    answer, or an exchange of two speakers, was dropped with the turn it began in, and the answer its
    coder had coded was reported as theirs to disagree on."""
    studie = coded_demo(demo_template, tmp_path, {
        "Forsker 1": [("deltaker_D1_T1", "empowerment", "Hva tenkte du da?\nD1: Æ, jeg tenkte vel at det ikke var så mye å velge."),
                      ("gruppeintervju_G1", "empowerment", "Jeg har vært med og bestemt hele planen.\nD5: Jeg er ikke helt enig.")],
        "Forsker 2": [("deltaker_D1_T1", "empowerment", "Æ, jeg tenkte vel at det ikke var så mye å velge."),
                      ("gruppeintervju_G1", "empowerment", "Jeg har vært med og bestemt hele planen."),
                      ("gruppeintervju_G1", "empowerment", "Jeg er ikke helt enig.")],
    })
    for unit in ("turn", "sentence", "character", "segment"):
        for chosen in (("--role", "deltaker"), ("--participant", "D5"), ("--participant", "D1")):
            data = json.loads(ok(studie, "disagreements", "--unit", unit, "--code", "empowerment", "--min-overlap", "0.5",
                                 *chosen, "--json") if unit == "segment" else
                              ok(studie, "disagreements", "--unit", unit, "--code", "empowerment", *chosen, "--json"))
            # Only the question, the interviewer's, and the other speaker's words differ, and the filters leave those out.
            assert data["rows"] == [], (unit, chosen, data["rows"])


def test_a_coder_s_overlapping_passages_agree_by_character_as_the_stretch_they_cover(demo_template: Path, tmp_path: Path) -> None:
    """An exchange coded whole and the interviewer's later question in it coded again are two passages
    (the one counts for who answered, the other for no one): the characters after the inner one
    read as not coded, and two coders who coded the same stretch agreed 63 %."""
    exchange = ("Så jeg sa ja.\n\nI: Var du med på å bestemme hva som skulle stå i planen din?\n"
                "D1: Litt. Vi satt sammen og lagde handlingsplanen")
    studie = coded_demo(demo_template, tmp_path, {
        "Forsker 1": [("deltaker_D1_T1", "empowerment", exchange),
                      ("deltaker_D1_T1", "empowerment", "Var du med på å bestemme hva som skulle stå i planen din?")],
        "Forsker 2": [("deltaker_D1_T1", "empowerment", exchange)],
    })
    data = json.loads(ok(studie, "--unit", "character", "--code", "empowerment", "--json"))
    rows = {row["key"]: row["values"] for row in data["rows"]}
    assert rows["empowerment"]["agree %"] == 100.0, rows["empowerment"]
