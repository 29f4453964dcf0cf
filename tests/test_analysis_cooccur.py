"""Co-occurrence of codes: random projects against a brute-force count from the raw codings, the
drill-down's pairs against the count, and the CLI's table, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.cooccurrence import (
    MAX_REACH,
    Within,
    cooccurrence,
    cooccurrence_table,
    cooccurring_pairs,
    parse_within,
)
from qualcode.analysis.tables import table_data
from qualcode.cli import cli
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.passages import QuoteFilter
from qualcode.errors import InvalidInput, NotFound
from qualcode.store.models import Code, Coding, TextVersion, Transcript, Turn
from qualcode.store.project import Project
from qualcode.text.normalise import content_hash
from qualcode.text.sentences import sentence_spans
from tests.conftest import EMPTY_SELECTION

CODES = (
    "måltall-press", "måltall-press/inntakspress", "måltall-press/kvantitet mot kvalitet",
    "empowerment", "empowerment/avmakt", "brukermedvirkning",
)
CODERS = ("Forsker 1", "Medforsker 1")
# Text before the first turn (a header) and between turns (speaker labels) lies in no turn; an
# emoji and æ, ø, å check that offsets are code points.
TEXTS = (
    "Intervju om KVP\n\n"
    "I: Hva tenker du om måltallet? 🙂 Si det rett ut.\n"
    "D1: Det ble mye press. Vi måtte fylle opp kursene! Jeg følte meg ikke hørt.\n"
    "I: Og nå?\n"
    "D1: Nå får jeg være med å bestemme. Det er en ny start. Kanskje… Vi får se.\n",
    "V2: Måltallet blir et tak. Vi tar inn nesten alle som kommer.\n"
    "I: Hvorfor det?\n"
    "V2: Fylket vil ha tall. Det går ut over kvaliteten, ærlig talt. Æsj.\n",
)
OLD_TEXT = "V2: En eldre versjon av teksten. Den er erstattet.\n"


def _turns(text: str) -> list[tuple[int, int]]:
    """What is said after each "LABEL: " at a line start, to the line end."""
    spans, position = [], 0
    for line in text.split("\n"):
        label, colon, _ = line.partition(": ")
        if colon and label and " " not in label:
            spans.append((position + len(label) + 2, position + len(line)))
        position += len(line) + 1
    return spans


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Path:
    """Two transcripts with turns (one with an older text version), the codes and two coders; no codings."""
    root = tmp_path_factory.mktemp("cooccur") / "project"
    shutil.copytree(migrated_template, root)
    with Project.open(root) as project, project.begin() as session:
        for name in CODERS:
            get_or_create_coder(session, name)
        for number, text in enumerate(TEXTS):
            transcript = Transcript(name=f"intervju_{number + 1}", wave=f"T{number + 1}")
            session.add(transcript)
            session.flush()
            versions = [(OLD_TEXT, 1)] if number == 1 else []
            for body, version_number in [*versions, (text, len(versions) + 1)]:
                version = TextVersion(transcript_id=transcript.id, number=version_number, text=body,
                                      content_hash=content_hash(body), word_count=len(body.split()))
                session.add(version)
                session.flush()
                for seq, (start, end) in enumerate(_turns(body)):
                    session.add(Turn(text_version_id=version.id, seq=seq, speaker="X", start=start, end=end))
            transcript.current_version_id = version.id
    return root


@pytest.fixture(scope="module")
def opened(built: Path) -> Iterator[Project]:
    with Project.open(built) as project:
        yield project


# (transcript, coder, code, start, length, state): state 0 live, 1 removed, 2 on the older text version.
CODING = st.tuples(
    st.integers(0, 1), st.integers(0, 1), st.integers(0, len(CODES) - 1), st.integers(0, 140), st.integers(1, 45),
    st.sampled_from([0, 0, 0, 0, 0, 0, 1, 2]),
)


def _add_codings(session: Session, drawn: list[tuple[int, int, int, int, int, int]]) -> None:
    transcripts = list(session.scalars(select(Transcript).order_by(Transcript.id)))
    codes = {code.path: code.id for code in session.scalars(select(Code).where(Code.path.in_(CODES)))}
    coders = [get_or_create_coder(session, name).id for name in CODERS]
    live: set[tuple[int, ...]] = set()
    for transcript_index, coder_index, code_index, start, length, state in drawn:
        transcript = transcripts[transcript_index]
        versions = {version.number: version for version in session.scalars(
            select(TextVersion).where(TextVersion.transcript_id == transcript.id))}
        version = versions[1] if state == 2 and len(versions) > 1 else versions[max(versions)]
        start = min(start, len(version.text) - 1)
        end = min(start + length, len(version.text))
        key = (transcript.id, codes[CODES[code_index]], coders[coder_index], start, end)
        if state != 1 and key in live:
            continue  # one live coding per passage, code and coder (the schema's rule)
        if state != 1:
            live.add(key)
        session.add(Coding(
            transcript_id=transcript.id, text_version_id=version.id, code_id=key[1], coder_id=key[2], start=start,
            end=end, excerpt=version.text[start:end], text_hash=version.content_hash,
            removed_at=datetime.now(UTC) if state == 1 else None,
        ))
    session.flush()


@contextmanager
def _scratch(project: Project) -> Iterator[Session]:
    """A session whose codings are rolled back afterwards, so examples share one project."""
    with Session(project.engine) as session:
        try:
            yield session
        finally:
            session.rollback()


@pytest.fixture
def scratch(opened: Project) -> Iterator[Session]:
    with _scratch(opened) as session:
        yield session


# --- the brute force: every pair of merged passages checked against the definition ---------------

Span = tuple[str, str, int, int]  # transcript, coder, start, end


def _brute_force(session: Session, within: Within, coders: tuple[str, ...] = ()) -> tuple[
    dict[str, int], dict[frozenset[str], set[tuple[Span, Span]]], dict[frozenset[str], dict[str, set[Span]]],
]:
    """Passages per code, the co-occurring pairs per two codes, and each code's partnered passages per two codes."""
    rows = session.execute(
        select(Transcript.name, Coding.start, Coding.end, Code.path, Coding.coder_id)
        .join(Transcript, Coding.transcript_id == Transcript.id).join(Code, Coding.code_id == Code.id)
        .where(Coding.removed_at.is_(None), Coding.text_version_id == Transcript.current_version_id)
    ).all()
    names = {get_or_create_coder(session, name).id: name for name in CODERS}
    raw: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    for transcript, start, end, path, coder_id in rows:
        if coders and names[coder_id] not in coders:
            continue
        for code in CODES:  # each coding counts for its code and every code above it
            if path == code or path.startswith(code + "/"):
                raw[transcript, names[coder_id], code].append((start, end))
    passages: dict[str, list[Span]] = defaultdict(list)
    for (transcript, coder, code), intervals in raw.items():
        merged: list[list[int]] = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        passages[code] += [(transcript, coder, start, end) for start, end in merged]
    units = _brute_units(session, within)
    pairs: dict[frozenset[str], set[tuple[Span, Span]]] = defaultdict(set)
    partnered: dict[frozenset[str], dict[str, set[Span]]] = defaultdict(lambda: defaultdict(set))
    for one in CODES:
        for other in CODES:
            if one >= other or one.startswith(other + "/") or other.startswith(one + "/"):
                continue
            for first in passages[one]:
                for second in passages[other]:
                    if first[:2] == second[:2] and _together(first, second, units.get(first[0], []), within):
                        pairs[frozenset((one, other))].add((first, second) if one < other else (second, first))
                        partnered[frozenset((one, other))][one].add(first)
                        partnered[frozenset((one, other))][other].add(second)
    return {code: len(found) for code, found in passages.items() if found}, pairs, partnered


def _brute_units(session: Session, within: Within) -> dict[str, list[tuple[int, int]]]:
    units: dict[str, list[tuple[int, int]]] = {}
    for transcript in session.scalars(select(Transcript)):
        version = session.get(TextVersion, transcript.current_version_id)
        assert version is not None
        turns = [(turn.start, turn.end) for turn in sorted(version.turns, key=lambda turn: turn.start)]
        if within.kind == "sentences":
            units[transcript.name] = [span for start, end in turns for span in sentence_spans(version.text[start:end], start)]
        else:
            units[transcript.name] = turns
    return units


def _together(first: Span, second: Span, units: list[tuple[int, int]], within: Within) -> bool:
    if first[2] < second[3] and second[2] < first[3]:
        return True
    if within.kind == "overlap":
        return False
    touched_first = [index for index, (start, end) in enumerate(units) if start < first[3] and first[2] < end]
    touched_second = [index for index, (start, end) in enumerate(units) if start < second[3] and second[2] < end]
    return any(abs(i - j) <= within.sentences for i in touched_first for j in touched_second)


WITHIN = st.sampled_from(["overlap", "turn", "sentences:0", "sentences:1", "sentences:2"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=st.lists(CODING, min_size=1, max_size=24), within_text=WITHIN, one_coder=st.booleans())
def test_every_cell_is_the_brute_force_count(
    opened: Project, drawn: list[tuple[int, int, int, int, int, int]], within_text: str, one_coder: bool,
) -> None:
    with _scratch(opened) as session:
        _check_cells(session, drawn, parse_within(within_text), CODERS[:1] if one_coder else ())


def _check_cells(scratch: Session, drawn: list[tuple[int, int, int, int, int, int]], within: Within, coders: tuple[str, ...]) -> None:
    _add_codings(scratch, drawn)
    sizes, pairs, partnered = _brute_force(scratch, within, coders)
    selection = QuoteFilter(coders=coders)
    if not sizes:
        with pytest.raises(NotFound, match=EMPTY_SELECTION):
            cooccurrence(scratch, selection, within)
        return
    table = cooccurrence(scratch, selection, within)
    assert {code.path: code.passages for code in table.codes} == sizes
    ids = {code.path: code.code_id for code in table.codes}
    for one in sizes:
        for other in sizes:
            cell = table.cell(ids[one], ids[other])
            if one == other or one.startswith(other + "/") or other.startswith(one + "/"):
                assert cell is None, (one, other)
                continue
            assert cell is not None
            key = frozenset((one, other))
            first_paired, second_paired = len(partnered[key][one]), len(partnered[key][other])
            assert (cell.pairs, cell.first_paired, cell.second_paired) == (len(pairs[key]), first_paired, second_paired)
            together = (first_paired + second_paired) / 2
            expected = together / (sizes[one] + sizes[other] - together) if pairs[key] else 0.0
            assert cell.c == pytest.approx(expected) and 0 <= cell.c <= 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=st.lists(CODING, min_size=2, max_size=24), within_text=WITHIN, choice=st.integers(0, 100))
def test_the_drill_down_lists_exactly_the_counted_pairs(
    opened: Project, drawn: list[tuple[int, int, int, int, int, int]], within_text: str, choice: int,
) -> None:
    with _scratch(opened) as session:
        _check_pairs(session, drawn, parse_within(within_text), choice)


def _check_pairs(scratch: Session, drawn: list[tuple[int, int, int, int, int, int]], within: Within, choice: int) -> None:
    _add_codings(scratch, drawn)
    sizes, pairs, _ = _brute_force(scratch, within)
    candidates = sorted(
        (one, other) for one in sizes for other in sizes
        if one != other and not one.startswith(other + "/") and not other.startswith(one + "/")
    )
    if not candidates:
        return
    one, other = candidates[choice % len(candidates)]
    stored = pairs[frozenset((one, other))]  # first of the code that sorts first
    expected = stored if one < other else {(second, first) for first, second in stored}
    if not expected:
        with pytest.raises(NotFound, match="co-occur"):
            cooccurring_pairs(scratch, QuoteFilter(), within, one, other)
        return
    listed = cooccurring_pairs(scratch, QuoteFilter(), within, one, other)
    got = {((pair.first.transcript, pair.first.coder, pair.first.start, pair.first.end),
            (pair.second.transcript, pair.second.coder, pair.second.start, pair.second.end)) for pair in listed}
    assert len(listed) == len(got) == cooccurrence(scratch, QuoteFilter(), within).cell(
        listed[0].first.code_id, listed[0].second.code_id).pairs  # type: ignore[union-attr]
    assert got == expected
    assert all(pair.first.code_path == one and pair.second.code_path == other for pair in listed)


def test_a_parent_never_pairs_with_its_own_sub_code_and_one_coder_counts_once(scratch: Session) -> None:
    """A passage coded with a parent and its sub-code, by both coders: no parent-child cell, and the
    sub-code's pair with another code counts once per coder, never across coders."""
    text = TEXTS[0]
    start = text.index("Det ble mye press")
    end = start + len("Det ble mye press.")
    for coder in (0, 1):
        for code in (0, 1, 5):  # måltall-press, its sub-code inntakspress, brukermedvirkning
            _add_codings(scratch, [(0, coder, code, start, end - start, 0)])
    table = cooccurrence(scratch, QuoteFilter(), Within("overlap"))
    ids = {code.path: code.code_id for code in table.codes}
    assert table.cell(ids["måltall-press"], ids["måltall-press/inntakspress"]) is None
    assert {code.path: code.passages for code in table.codes} == {
        "måltall-press": 2, "måltall-press/inntakspress": 2, "brukermedvirkning": 2}
    cell = table.cell(ids["måltall-press/inntakspress"], ids["brukermedvirkning"])
    assert cell is not None and (cell.pairs, cell.c) == (2, 1.0)
    one_coder = cooccurrence(scratch, QuoteFilter(coders=(CODERS[0],)), Within("overlap"))
    only = one_coder.cell(ids["måltall-press"], ids["brukermedvirkning"])
    assert only is not None and only.pairs == 1
    with pytest.raises(InvalidInput, match="one code's tree"):
        cooccurring_pairs(scratch, QuoteFilter(), Within("overlap"), "måltall-press", "inntakspress")
    # Said first, whatever the selection holds: it was "no passages of 'empowerment'" where neither is coded.
    with pytest.raises(InvalidInput, match="one code's tree"):
        cooccurring_pairs(scratch, QuoteFilter(), Within("overlap"), "empowerment", "empowerment/avmakt")


def test_one_long_passage_against_three_short_ones_keeps_c_at_most_one(scratch: Session) -> None:
    """ATLAS.ti's c with pairs for n12 would be 3 / (1 + 3 - 3) = 3 here; n12 as the mean of the
    partnered passages (1 and 3) gives 2 / (1 + 3 - 2) = 1: the two codes are always together."""
    text = TEXTS[0]
    answer = text.index("Det ble mye press")
    sentences = ["Det ble mye press.", "Vi måtte fylle opp kursene!", "Jeg følte meg ikke hørt."]
    long_end = text.index(sentences[-1]) + len(sentences[-1])
    _add_codings(scratch, [(0, 0, 3, answer, long_end - answer, 0)])
    for sentence in sentences:
        _add_codings(scratch, [(0, 0, 5, text.index(sentence), len(sentence), 0)])
    table = cooccurrence(scratch, QuoteFilter(), Within("overlap"))
    ids = {code.path: code.code_id for code in table.codes}
    cell = table.cell(ids["empowerment"], ids["brukermedvirkning"])
    assert cell is not None and (cell.pairs, cell.first_paired, cell.second_paired, cell.c) == (3, 1, 3, 1.0)


def test_within_is_parsed_or_refused() -> None:
    assert parse_within("turn") == Within("turn")
    assert parse_within("sentences:2") == Within("sentences", 2)
    assert parse_within("Sentences") == Within("sentences", 0)
    assert parse_within(f"sentences:{MAX_REACH}") == parse_within(f"sentences:000{MAX_REACH}") == Within("sentences", 1000)
    with pytest.raises(InvalidInput, match="reaches further than 1000 sentences"):
        parse_within("sentences:1001")
    with pytest.raises(InvalidInput, match="overlap, turn, sentences:N"):
        parse_within("paragraph")


def test_a_reach_wider_than_any_transcript_counts_as_the_whole_transcript(scratch: Session) -> None:
    """sentences:N for an N far past the sentences there are pairs what the widest real reach pairs,
    in memory that does not grow with N (a list per possible distance used to exhaust it)."""
    drawn = [(0, 0, 1, 40, 10, 0), (0, 0, 5, 150, 20, 0), (0, 1, 3, 20, 30, 0), (0, 1, 4, 170, 8, 0),
             (1, 0, 1, 4, 20, 0), (1, 0, 5, 100, 25, 0)]
    huge = Within("sentences", 99999999999999999999)  # past what --within takes, as a script may still ask the service
    _check_cells(scratch, drawn, huge, ())
    wide = cooccurrence(scratch, QuoteFilter(), Within("sentences", 50))
    table = cooccurrence(scratch, QuoteFilter(), huge)
    assert table.cells == wide.cells and table.cells
    for choice in range(8):
        _check_pairs(scratch, [], huge, choice)


def test_table_has_a_row_and_a_numbered_column_pair_per_code(scratch: Session) -> None:
    text = TEXTS[1]
    start = text.index("Fylket vil ha tall.")
    _add_codings(scratch, [(1, 0, 1, start, 19, 0), (1, 0, 4, start + 7, 20, 0)])
    data = table_data(cooccurrence_table(cooccurrence(scratch, QuoteFilter(), Within("overlap"))))
    assert [row["key"] for row in data["rows"]] == [
        "empowerment", "empowerment/avmakt", "måltall-press", "måltall-press/inntakspress"]
    assert [row["label"] for row in data["rows"]][:2] == ["1 empowerment", "2 avmakt"]
    assert [column["key"] for column in data["columns"]][:3] == ["passages", "1 / n", "1 / c"]
    inntakspress = data["rows"][3]["values"]
    assert inntakspress["passages"] == 1 and inntakspress["2 / n"] == 1 and inntakspress["2 / c"] == 1.0
    assert inntakspress["3 / n"] is None  # its own parent: blank, not 0


# --- the command line ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory, built: Path) -> Path:
    """A copy of the project with a few codings committed, for the CLI: the first coder's inntakspress
    and brukermedvirkning overlap; the second coder's inntakspress overlaps the first coder's
    brukermedvirkning (across coders: not a pair) and their own brukermedvirkning is elsewhere."""
    root = tmp_path_factory.mktemp("cooccur-cli") / "project"
    shutil.copytree(built, root)
    text = TEXTS[0]
    answer = text.index("Det ble mye press")
    with Project.open(root) as project, project.begin() as session:
        _add_codings(session, [
            (0, 0, 1, answer, 18, 0), (0, 0, 5, answer + 8, 30, 0), (0, 0, 4, text.index("Nå får jeg"), 20, 0),
            (0, 1, 1, answer, 18, 0), (0, 1, 3, text.index("Nå får jeg"), 50, 0), (0, 1, 5, text.index("Og nå?"), 6, 0),
        ])
    return root


def _run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--project", str(root), "analyse", "cooccur", *args])
    return result.exit_code, result.output


def test_cli_prints_the_table_in_80_columns(coded: Path) -> None:
    code, output = _run(coded, "--within", "turn")
    assert code == 0, output
    assert "Co-occurrence of codes (turn)" in output and "c = n12 / (n1 + n2 - n12)" in output
    assert max(len(line) for line in output.splitlines()) <= 80


def test_cli_json_and_csv_hold_the_same_counts(coded: Path) -> None:
    code, output = _run(coded, "--json")
    assert code == 0, output
    data = json.loads(output)
    rows = {row["key"]: row["values"] for row in data["rows"]}
    numbers = {row["key"]: row["label"].split(" ")[0] for row in data["rows"]}
    assert rows["måltall-press/inntakspress"][f"{numbers['brukermedvirkning']} / n"] == 1
    assert rows["brukermedvirkning"]["passages"] == 2
    code, output = _run(coded, "--csv")
    assert code == 0, output
    table = list(csv.reader(io.StringIO(output)))
    header = table[0]
    line = next(row for row in table if row[2] == "måltall-press/inntakspress")
    assert line[header.index(f"{numbers['brukermedvirkning']} / n")] == "1"


def test_cli_counts_the_widest_reach_as_the_whole_transcript(coded: Path) -> None:
    code, huge = _run(coded, "--within", f"sentences:{MAX_REACH}", "--json")
    assert code == 0, huge
    code, wide = _run(coded, "--within", "sentences:50", "--json")
    assert code == 0, wide
    assert json.loads(huge)["rows"] == json.loads(wide)["rows"]


def test_cli_ranks_partners_of_one_code_and_lists_a_cells_pairs(coded: Path) -> None:
    code, output = _run(coded, "--code", "brukermedvirkning", "--json")
    assert code == 0, output
    ranked = json.loads(output)["rows"]
    assert [row["key"] for row in ranked] == ["måltall-press", "måltall-press/inntakspress"]
    assert ranked[0]["values"]["n"] == 1
    code, output = _run(coded, "--pairs", "inntakspress", "brukermedvirkning")
    assert code == 0, output
    assert "1 pair of passages: måltall-press/inntakspress with brukermedvirkning (overlap)" in output
    assert "Det ble mye press." in output
    code, output = _run(coded, "--pairs", "inntakspress", "brukermedvirkning", "--coder", CODERS[1], "--csv")
    assert code == 1 and "co-occur" in output  # the other coder's passages never pair across coders


@pytest.mark.parametrize(("args", "message"), [
    (("--within", "paragraph"), "--within 'paragraph' is not one of"),
    (("--within", "sentences:" + "9" * 5000), "--within sentences:999999999999… reaches further than 1000 sentences"),
    (("--within", "sentences:99999999999999999999"), "reaches further than 1000 sentences (hint: give N up to 1000;"),
    (("--within", "sentences:1001"), "--within sentences:1001 reaches further than 1000 sentences"),
    # --code took the last of several and ranked it alone, unsaid.
    (("--code", "brukermedvirkning", "--code", "inntakspress", "--code", "empowerment"),
     "--code ranks the partners of one code, and 3 were given (brukermedvirkning, inntakspress, empowerment)"),
    (("--code", "finnes-ikke"), "no code 'finnes-ikke'"),
    (("--code", "skjønn"), "no passages of 'skjønn' match"),
    (("--code", "empowerment/avmakt"), "no passages of other codes co-occur with 'empowerment/avmakt' (overlap)"),
    # The hint never offers the reach already asked for.
    (("--code", "empowerment/avmakt", "--within", "turn"), "(turn) (hint: count a wider reach with --within sentences:N,"),
    (("--role", "ingen"), "no participant has the role"),
    (("--wave", "T1", "--transcript", "intervju_2"), "no quotes match"),
    (("--code", "brukermedvirkning", "--pairs", "a", "b"), "--code and --pairs"),
])
def test_cli_refuses_bad_input_in_one_line(coded: Path, args: tuple[str, ...], message: str) -> None:
    code, output = _run(coded, *args)
    assert code == 1 and message in output and len(output.strip().splitlines()) == 1, output


@pytest.mark.parametrize("output", [(), ("--csv",), ("--json",)])
def test_cli_refuses_a_selection_where_no_two_codes_co_occur_in_one_line(
    built: Path, coded: Path, tmp_path: Path, output: tuple[str, ...],
) -> None:
    """Nothing co-occurring printed an all-zero table, and a selection of one code's passages a 1x1
    table with a blank cell, both with exit 0, while `--code` on the same data said so in one line
    and exited 1: the table now does as `--code` does, in every output."""
    code, said = _run(coded, "--coder", CODERS[1], *output)  # their three codes lie apart
    assert code == 1 and len(said.strip().splitlines()) == 1, said
    assert said.startswith("error: no passages of two codes co-occur in the selection (overlap)"
                           " (hint: count a wider reach with --within turn or --within sentences:N)"), said
    code, said = _run(coded, "--coder", CODERS[1], "--within", "turn", *output)
    assert code == 1 and "co-occur in the selection (turn) (hint: count a wider reach with --within sentences:N" in said, said
    root = tmp_path / "project"
    shutil.copytree(built, root)
    with Project.open(root) as project, project.begin() as session:
        _add_codings(session, [(0, 0, 1, 0, 10, 0), (0, 1, 5, 0, 10, 0)])
    code, said = _run(root, "--coder", CODERS[1], *output)
    assert code == 1 and len(said.strip().splitlines()) == 1, said
    assert said.startswith("error: only 'brukermedvirkning' has passages in the selection, so no two codes co-occur"), said
    code, said = _run(root, "--coder", CODERS[0], *output)  # inntakspress, and måltall-press above it
    assert code == 1 and "only 'måltall-press' and its sub-codes have passages in the selection" in said, said
    code, said = _run(root, *output)  # the two overlap, but each is another coder's
    assert code == 1 and "no passages of two codes co-occur in the selection (overlap)" in said, said
