"""`qualcode consensus list|decide`: the compare screen's disagreements and decisions from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import select

from qualcode.coding.consensus import CONSENSUS_CODER, disagreements
from qualcode.store.models import Coder, Coding, Event
from qualcode.store.project import Project
from tests.test_cli import run
from tests.test_consensus import (
    EMPOWERMENT,
    NO_TIME,
    PRESS,
    PRESS_TURN,
    PRESSURE,
    TRANSCRIPT,
    TRUST,
    WHOLE_INNTAK,
    A,
    B,
    C,
    at,
    code,
    code_second,
    make_team,
)

EXPECTED = [  # (code, A coded it, B coded it), in text order
    ("måltall-press/inntakspress", True, True),
    ("måltall-press", False, True),
    ("empowerment/selvbilde og selvtillit", True, False),
]


@pytest.fixture(scope="module")
def two_coders(tmp_path_factory: pytest.TempPathFactory, coded_template: tuple[Path, dict[str, Any]]) -> Path:
    return code_second(coded_template[0], tmp_path_factory.mktemp("consensus-cli") / "project")


@pytest.fixture
def root(two_coders: Path, tmp_path: Path) -> Path:
    shutil.copytree(two_coders, tmp_path / "project")
    return tmp_path / "project"


def consensus(root: Path, *args: str, coder: str = A) -> Result:
    return run("--project", str(root), "--coder", coder, "consensus", *args)


def listed(root: Path, *args: str) -> list[dict[str, Any]]:
    result = consensus(root, "list", "--transcript", TRANSCRIPT, "--coders", f"{A},{B}", "--json", *args)
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def consensus_codings(root: Path) -> list[tuple[str, int, int]]:
    with Project.open(root) as project, project.begin() as session:
        rows = session.scalars(
            select(Coding).join(Coder).where(Coder.name == CONSENSUS_CODER, Coding.removed_at.is_(None)).order_by(Coding.id)
        )
        return [(coding.code.path, coding.start, coding.end) for coding in rows]


def refused(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_list_numbers_the_disagreements_as_the_service_finds_them(root: Path) -> None:
    found = listed(root)
    assert [(item["code"], item["a"] is not None, item["b"] is not None) for item in found] == EXPECTED
    assert [item["number"] for item in found] == [1, 2, 3]
    with Project.open(root) as project, project.begin() as session:
        service = disagreements(session, TRANSCRIPT, A, B)
    assert [(item["start"], item["end"], item["excerpt"], item["line"]) for item in found] == [
        (item.start, item.end, item.excerpt, item.line) for item in service
    ]
    assert found[0]["excerpt"] == WHOLE_INNTAK and not any(item["decided"] for item in found)

    # Without --coders, the two who coded the transcript; as a table for people, with its numbers and texts.
    table = consensus(root, "list", "--transcript", TRANSCRIPT)
    assert table.exit_code == 0, table.output
    assert f"Disagreements between {A} (A) and {B} (B) (3, 3 undecided)" in table.stdout
    assert "Det var pes hele våren." in table.stdout and "empowerment/selvbilde og selvtillit" in table.stdout
    csv_lines = consensus(root, "list", "--transcript", TRANSCRIPT, "--csv").stdout.splitlines()
    assert csv_lines[0] == "#,ref,line,code,A,B,decided,text" and [line.split(",")[0] for line in csv_lines[1:]] == ["1", "2", "3"]


def test_each_decision_from_the_command_line_is_the_deciders_undoable_change(root: Path) -> None:
    found = listed(root)
    decided = consensus(root, "decide", "2", "--transcript", TRANSCRIPT, "--keep", "b")
    assert decided.exit_code == 0, decided.output
    assert decided.stdout.startswith("decided 2: måltall-press on line ") and decided.stdout.rstrip().endswith(f"for {CONSENSUS_CODER}")
    b_side = found[1]["b"]
    assert consensus_codings(root) == [("måltall-press", b_side["start"], b_side["end"])]
    # The consensus coder copies a side: left out of agreement's default coders, so it does not raise it.
    by_default = run("--project", str(root), "agreement", "--unit", "turn", "--json")
    assert by_default.exit_code == 0, by_default.output
    assert CONSENSUS_CODER not in by_default.stdout and A in by_default.stdout
    # Analysis counts every coder: a count holding the consensus copies beside the coders' own says so.
    counted = run("--project", str(root), "analyse", "codes", "--csv")
    assert counted.exit_code == 0 and f"the counts hold {CONSENSUS_CODER}'s codings, copies of passages" in counted.stderr
    for coders in ((A,), (CONSENSUS_CODER,), (A, B)):
        chosen = run("--project", str(root), "analyse", "codes", "--csv", *[arg for coder in coders for arg in ("--coder", coder)])
        assert chosen.exit_code == 0 and "the counts hold" not in chosen.stderr, coders
    # Nor where the consensus coder coded nothing in the selection (it was said of every count).
    elsewhere = run("--project", str(root), "analyse", "codes", "--csv", "--transcript", "leder_L1")
    assert elsewhere.exit_code == 0 and "the counts hold" not in elsewhere.stderr, elsewhere.output

    assert consensus(root, "decide", "3", "--transcript", TRANSCRIPT, "--keep", "neither").exit_code == 0
    assert consensus_codings(root) == [("måltall-press", b_side["start"], b_side["end"])]  # neither codes nothing
    after = listed(root)
    assert [item["decided"] for item in after] == [None, "coded", "neither"]
    assert after[1]["consensus"] == {"start": b_side["start"], "end": b_side["end"], "passages": b_side["passages"]}
    assert [item["number"] for item in listed(root, "--undecided")] == [1]  # numbers stay as in the full list
    with Project.open(root) as project, project.begin() as session:
        latest = session.scalars(select(Event).order_by(Event.id.desc())).first()
        assert latest is not None and latest.coder is not None and latest.coder.name == A
        guids = {"coder_a_guid": "", "coder_b_guid": "", "a_codings": "", "b_codings": ""}
        assert latest.payload["consensus"] | guids == {
            "coder": CONSENSUS_CODER, "choice": "neither", "coder_a": A, "coder_b": B, **guids,
        }
        # The codings it was made on: A's alone (B left the passage uncoded).
        [a_coding] = session.scalars(select(Coding).where(Coding.guid == latest.payload["consensus"]["a_codings"])).all()
        assert a_coding.coder.name == A and latest.payload["consensus"]["b_codings"] == ""

    undone = run("--project", str(root), "--coder", A, "undo")
    assert undone.exit_code == 0 and "kept neither" in undone.stdout
    assert [item["decided"] for item in listed(root)] == [None, "coded", None]

    start = found[0]["start"]
    edited = consensus(root, "decide", "1", "--transcript", TRANSCRIPT, "--keep", "edit", "--start", str(start),
                       "--end", str(start + len("Vi hadde et måltall")))
    assert edited.exit_code == 0, edited.output
    assert consensus_codings(root)[-1] == ("måltall-press/inntakspress", start, start + len("Vi hadde et måltall"))


def test_decisions_the_command_cannot_make_are_refused_in_one_line(root: Path) -> None:
    where = ("--transcript", TRANSCRIPT)
    refused(consensus(root, "decide", "4", *where, "--keep", "a"), "there is no disagreement 4 between")
    refused(consensus(root, "decide", "0", *where, "--keep", "a"), "there is no disagreement 0 between")
    refused(consensus(root, "decide", "2", *where, "--keep", "a"), f"{A} did not code this passage")
    # Both, where one coded nothing: the method note told of two coders' passages kept.
    refused(consensus(root, "decide", "2", *where, "--keep", "both"), f"{A} did not code this passage")
    refused(consensus(root, "decide", "1", *where, "--keep", "edit"), "--keep edit needs the span to code")
    refused(consensus(root, "decide", "1", *where, "--keep", "a", "--start", "0"), "--start and --end go with --keep edit only")
    refused(consensus(root, "decide", "1", *where, "--keep", "edit", "--start", "0", "--end", "5"),
            "the edited passage 0-5 is outside the disagreement")
    refused(consensus(root, "decide", "1", *where, "--keep", "edit", "--start", "300", "--end", "200"),
            "the edited passage 300-200 ends before it starts")
    refused(consensus(root, "list", *where, "--coders", A), "consensus is between two coders, and --coders names 1")
    refused(consensus(root, "list", *where, "--coders", f"{A},{A}"), "compare two different coders")
    # A probe: an empty --coders (an unset variable in a script) was taken as "the two who coded it".
    for empty in ("", ",", " "):
        refused(consensus(root, "list", *where, "--coders", empty), "--coders names no coder")
        refused(consensus(root, "decide", "1", *where, "--coders", empty, "--keep", "a"), "--coders names no coder")
    refused(consensus(root, "list", "--transcript", "leder_L1"), f"leder_L1 was coded by {A}; consensus needs two coders")
    refused(consensus(root, "list", "--transcript", "leder_L1", "--coders", f"{A},{B}"),
            f"{B} coded nothing in leder_L1, so there is nothing to compare")
    assert consensus_codings(root) == []

    # A coding made after the list was read renumbers it: --ref tells that number 2 is another now,
    # though it is on the same line and under the same code as the one the list showed.
    shown = listed(root)[1]
    assert run("--project", str(root), "--coder", B, "coding", "add", TRANSCRIPT, shown["code"], "--start",
               str(shown["start"] - 3), "--end", str(shown["start"] - 1)).exit_code == 0
    moved = listed(root)[1]
    refused(consensus(root, "decide", "2", *where, "--keep", "b", "--ref", shown["ref"]),
            f"disagreement 2 is another one now (ref {moved['ref']}, not {shown['ref']}): the list has changed since")
    assert run("--project", str(root), "--coder", B, "undo").exit_code == 0
    # A list read with the coders the other way round names the same disagreement, with A and B swapped:
    # said so, not "the list has changed since", and --keep b is not taken as the other coder's.
    other_way = consensus(root, "list", "--transcript", TRANSCRIPT, "--coders", f"{B},{A}", "--json")
    refused(consensus(root, "decide", "2", *where, "--keep", "b", "--ref", json.loads(other_way.stdout)[1]["ref"]),
            f"is of a list with {B} as A and {A} as B; here A is {A}")
    assert consensus(root, "decide", "2", *where, "--keep", "b", "--ref", shown["ref"]).exit_code == 0
    assert run("--project", str(root), "--coder", A, "undo").exit_code == 0

    assert consensus(root, "decide", "1", *where, "--keep", "both").exit_code == 0
    refused(consensus(root, "decide", "1", *where, "--keep", "neither", coder=B), "is decided already")
    assert len(consensus_codings(root)) == 1


@pytest.fixture
def team(tmp_path: Path, migrated_template: Path) -> Path:
    return make_team(tmp_path, migrated_template)


def in_team(root: Path, *args: str, coder: str = A) -> Result:
    return run("--project", str(root), "--coder", coder, *args)


def team_list(root: Path, coders: str = f"{A},{B}") -> list[dict[str, Any]]:
    result = in_team(root, "consensus", "list", "--transcript", "intervju", "--coders", coders, "--json")
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def test_a_decision_whose_codings_changed_keeps_its_number_and_is_listed_stale(team: Path) -> None:
    with Project.open(team) as project, project.begin() as session:
        trust = code(session, A, EMPOWERMENT, TRUST)
        code(session, A, PRESSURE, PRESS)
        whole = code(session, B, PRESSURE, PRESS_TURN)
        shorter = at(session, "Det var mye press på tall, så veilederen")
    where = ("--transcript", "intervju")
    assert in_team(team, "consensus", "decide", "1", *where, "--keep", "a").exit_code == 0
    assert in_team(team, "consensus", "decide", "2", *where, "--keep", "both").exit_code == 0
    before = team_list(team)
    assert [item["stale"] for item in before] == [None, None]
    assert in_team(team, "coding", "remove", str(trust)).exit_code == 0
    assert in_team(team, "coding", "resize", str(whole), "--start", str(shorter[0]), "--end", str(shorter[1]), coder=B).exit_code == 0
    after = team_list(team)
    assert [(item["number"], item["code"], item["decided"]) for item in after] == [(1, EMPOWERMENT, "coded"), (2, PRESSURE, "coded")]
    assert after[0]["consensus"] == before[0]["consensus"] and after[1]["consensus"] == before[1]["consensus"]
    assert f"{A}'s coding was removed" in after[0]["stale"] and f"{B}'s coding changed" in after[1]["stale"]
    assert [item["number"] for item in team_list(team)] == [1, 2]
    undecided = in_team(team, "consensus", "list", *where, "--coders", f"{A},{B}", "--undecided")
    assert "(2, 2 undecided, 2 stale)" in undecided.stdout and "stale:" in undecided.stdout
    refused(in_team(team, "consensus", "decide", "2", *where, "--keep", "b"), "on codings that changed since")


def test_decided_already_names_who_decided_and_that_anyone_can_take_that_one_decision_back(team: Path) -> None:
    with Project.open(team) as project, project.begin() as session:
        code(session, A, EMPOWERMENT, TRUST)
        code(session, B, PRESSURE, PRESS)
    where = ("--transcript", "intervju")
    assert in_team(team, "consensus", "decide", "1", *where, "--keep", "neither").exit_code == 0
    assert in_team(team, "consensus", "decide", "2", *where, "--keep", "b").exit_code == 0  # A's later change
    theirs = in_team(team, "consensus", "decide", "1", *where, "--keep", "a", coder=B)
    refused(theirs, f"is decided already, by {A} (kept neither)")
    # B's undo takes back B's own change, never A's decision: the message sends B to reopen it.
    assert "qualcode consensus reopen" in theirs.stderr and "undo" not in theirs.stderr
    ref = team_list(team)[0]["ref"]
    reopened = in_team(team, "consensus", "reopen", "1", *where, "--ref", ref, coder=B)
    assert reopened.exit_code == 0, reopened.output
    assert reopened.stdout.strip() == f"reopened 1: {EMPOWERMENT} on line 4: took back {A}'s (kept neither)"
    assert [item["decided"] for item in team_list(team)] == [None, "coded"]  # A's later decision stands
    refused(in_team(team, "consensus", "reopen", "1", *where, coder=B), "is not decided, so there is no decision to take back")
    refused(in_team(team, "consensus", "reopen", "1", *where, "--ref", "ffff"), "disagreement 1 is another one now")
    assert in_team(team, "consensus", "decide", "1", *where, "--keep", "a", coder=B).exit_code == 0
    assert [item["decided"] for item in team_list(team)] == ["coded", "coded"]


def test_coders_are_named_as_anywhere_else_and_the_consensus_coder_can_be_compared(team: Path) -> None:
    with Project.open(team) as project, project.begin() as session:
        code(session, A, EMPOWERMENT, TRUST)
        code(session, B, PRESSURE, PRESS)
    assert in_team(team, "consensus", "decide", "1", "--transcript", "intervju", "--keep", "a").exit_code == 0
    folded = in_team(team, "consensus", "list", "--transcript", "intervju", "--coders", f"{A.lower()},{B.upper()}")
    assert folded.exit_code == 0, folded.output
    assert f"Disagreements between {A} (A) and {B} (B) (2, 1 undecided)" in folded.stdout
    against = team_list(team, f"{B},{CONSENSUS_CODER}")  # B against the decisions: B's passage, and the one kept of A's
    assert [(item["code"], item["a"] is not None, item["b"] is not None) for item in against] == [
        (EMPOWERMENT, False, True), (PRESSURE, True, False),
    ]
    refused(in_team(team, "consensus", "list", "--transcript", "intervju", "--coders", f"{A},Ingen"), "no coder 'Ingen'")


def test_list_shows_each_of_a_coders_passages_where_the_other_coded_one_over_them(tmp_path: Path, migrated_template: Path) -> None:
    """B's two passages inside A's one were listed as two disagreements, the second with A's as '-'."""
    team = make_team(tmp_path, migrated_template)
    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS_TURN)
        code(session, B, PRESSURE, "Det var mye press")
        code(session, B, PRESSURE, "hadde dårlig tid til meg")
        press, no_time = at(session, "Det var mye press"), at(session, "hadde dårlig tid til meg")
    result = run("--project", str(team), "consensus", "list", "--transcript", "intervju", "--coders", f"{A},{B}", "--json")
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.stdout)
    assert [(passage["start"], passage["end"]) for passage in item["b"]["passages"]] == [press, no_time]
    assert item["a"]["passages"] == [{"start": item["start"], "end": item["end"]}]
    shown = run("--project", str(team), "consensus", "list", "--transcript", "intervju", "--coders", f"{A},{B}")
    assert f"B: {press[0]}-{press[1]}, {no_time[0]}-{no_time[1]}" in shown.stdout and "A: -" not in shown.stdout
    decided = run("--project", str(team), "--coder", A, "consensus", "decide", "1", "--transcript", "intervju",
                  "--coders", f"{A},{B}", "--keep", "b")
    assert decided.exit_code == 0 and "(2 passages)" in decided.stdout, decided.output


def test_with_three_coders_decide_keeps_a_version_another_pairs_decision_coded_already(tmp_path: Path, migrated_template: Path) -> None:
    """Refused before with "this passage is already coded måltall-press by konsensus (coding 5)" and no hint."""
    team = make_team(tmp_path, migrated_template)
    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS)
        code(session, B, PRESSURE, PRESS_TURN)
        code(session, C, PRESSURE, NO_TIME)

    def decide(coders: str, number: str, keep: str) -> Result:
        return run("--project", str(team), "--coder", A, "consensus", "decide", number, "--transcript", "intervju",
                   "--coders", coders, "--keep", keep)

    assert decide(f"{A},{B}", "1", "b").exit_code == 0
    assert decide(f"{A},{C}", "2", "b").exit_code == 0
    kept = decide(f"{B},{C}", "1", "b")
    assert kept.exit_code == 0, kept.output
    assert kept.stdout.rstrip().endswith(f"for {CONSENSUS_CODER}, coded so already by another decision")
    result = run("--project", str(team), "consensus", "list", "--transcript", "intervju", "--coders", f"{B},{C}", "--json")
    [item] = json.loads(result.stdout)
    assert item["decided"] == "coded" and (item["consensus"]["start"], item["consensus"]["end"]) == (item["b"]["start"], item["b"]["end"])


def test_a_decision_keeping_a_coding_gone_since_is_listed_as_keeping_it_not_as_neither(team: Path) -> None:
    """A probe: once the coding a consensus.keep decision kept was removed, the list said "neither (stale: the
    consensus coding it kept was removed since)", and --json "decided": null beside its decider and stale note."""
    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS)
        code(session, B, PRESSURE, PRESS_TURN)
        code(session, C, PRESSURE, NO_TIME)
        turn = at(session, PRESS_TURN)
    where = ("--transcript", "intervju")
    assert in_team(team, "consensus", "decide", "1", *where, "--coders", f"{A},{B}", "--keep", "b").exit_code == 0
    assert in_team(team, "consensus", "decide", "1", *where, "--coders", f"{B},{C}", "--keep", "a", coder=C).exit_code == 0
    assert in_team(team, "undo").exit_code == 0  # A|B's decision, whose coding B|C's kept
    shown = in_team(team, "consensus", "list", *where, "--coders", f"{B},{C}")
    assert shown.exit_code == 0, shown.output
    flowed = " ".join(shown.stdout.split())
    assert "decided: neither" not in flowed and f"decided: coded {turn[0]}-{turn[1]} (stale: " in flowed
    [item] = team_list(team, f"{B},{C}")
    assert item["decided"] == "coded" and item["consensus"] is None and item["decided_by"] == C
    assert item["stale"] == "the consensus coding it kept was removed since"


def test_the_consensus_coder_is_added_by_whoever_made_the_first_decision(root: Path) -> None:
    """The first decision adds the consensus coder; the history told of it as the consensus coder's own
    change, an act no one made (as a reviewer an import brings in is added by whoever imported)."""
    assert consensus(root, "decide", "1", "--transcript", TRANSCRIPT, "--coders", f"{A},{B}", "--keep", "a", coder=B).exit_code == 0
    with Project.open(root) as project, project.begin() as session:
        added_by = session.scalars(select(Coder.name).join(Event, Event.coder_id == Coder.id).where(
            Event.action == "coder.create", Event.summary.startswith(f"new coder {CONSENSUS_CODER} "))).all()
    assert added_by == [B]


def test_a_decision_stands_to_be_seen_and_taken_back_after_one_coder_removed_every_coding(root: Path) -> None:
    """A probe: once B removed every coding of theirs on the transcript after a decision between A and B,
    `consensus list` and `reopen` were refused ("Forsker 2 coded nothing in …, so there is nothing to
    compare"), and the decision, stale, could be neither seen nor taken back."""
    where = ("--transcript", TRANSCRIPT)
    made = listed(root)[0]
    assert consensus(root, "decide", "1", *where, "--keep", "both", "--ref", made["ref"]).exit_code == 0
    theirs = json.loads(run("--project", str(root), "coding", "list", "--by", B, *where, "--json").stdout)
    assert theirs
    for coding in theirs:
        assert run("--project", str(root), "--coder", B, "coding", "remove", str(coding["id"])).exit_code == 0
    for named in ([], ["--coders", f"{A},{B}"]):  # the pair the decision was made between, named or not
        shown = consensus(root, "list", *where, "--json", *named)
        assert shown.exit_code == 0, shown.output
        [stale] = [item for item in json.loads(shown.stdout) if item["decided"] is not None]
        assert stale["stale"] and stale["b"] is None
    assert consensus(root, "reopen", str(stale["number"]), *where, "--ref", stale["ref"], coder=B).exit_code == 0
    assert consensus_codings(root) == []
    # With no decision between them standing, a coder who coded nothing there is nothing to compare, as before.
    refused(consensus(root, "list", *where, "--coders", f"{A},{B}"), f"{B} coded nothing in {TRANSCRIPT}, so there is nothing to compare")
    refused(consensus(root, "list", *where), f"{TRANSCRIPT} was coded by {A}; consensus needs two coders")


def test_an_edited_decision_that_cuts_a_word_says_so_as_coding_add_does(root: Path) -> None:
    """A field trial: `decide --keep edit --start 230 --end 255` coded "ulle nå måltallet før jul" (of "skulle") and
    said only "decided 1: …", while `coding add` with the same offsets names the word it cuts."""
    found = listed(root)
    start = found[0]["start"]
    whole = consensus(root, "decide", "1", "--transcript", TRANSCRIPT, "--keep", "edit", "--start", str(start),
                      "--end", str(start + len("Vi hadde et måltall")))
    assert whole.exit_code == 0 and whole.stderr == "", whole.output  # on whole words nothing is said
    assert run("--project", str(root), "--coder", A, "undo").exit_code == 0

    cut = consensus(root, "decide", "1", "--transcript", TRANSCRIPT, "--keep", "edit", "--start", str(start + 1),
                    "--end", str(start + len("Vi hadde et måltall")))
    assert cut.exit_code == 0, cut.output
    assert cut.stdout.startswith("decided 1: måltall-press/inntakspress on line")
    assert "starts or ends inside 'Vi'" in cut.stderr and len(cut.stderr.strip().splitlines()) == 1, cut.stderr
    assert consensus_codings(root)[-1] == ("måltall-press/inntakspress", start + 1, start + len("Vi hadde et måltall"))
