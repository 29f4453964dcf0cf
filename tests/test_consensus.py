"""Consensus between two coders: their disagreements on a transcript, and decisions that code under the consensus coder."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from textual.widgets import Static

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.withdraw import withdraw_participant
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.consensus import CONSENSUS_CODER, Choice, decide, disagreements
from qualcode.coding.history import history, redo, undo
from qualcode.coding.service import add_coding, find_span
from qualcode.errors import InvalidInput
from qualcode.store.lookup import current_text, find_transcript
from qualcode.store.models import Code, Coder, Coding
from qualcode.store.project import Project
from qualcode.tui.screens.compare import CompareScreen
from tests.conftest import open_tui, screen_text, settle, until_shown

A, B = "Forsker 1", "Forsker 2"
TRANSCRIPT = "veileder_V1"
# Forsker 2 agrees with Forsker 1 on one passage, codes part of another, and one Forsker 1 left alone;
# Forsker 1 codes one more passage Forsker 2 left alone (conftest's CODINGS hold Forsker 1's others).
SECOND = [
    ("måltall-press/kvantitet mot kvalitet", "Det ble mer om antall enn om hva folk faktisk trengte."),
    ("måltall-press/inntakspress", "Så da ble det sånn at vi tok inn nesten alle som kom."),
    ("måltall-press", "Det var pes hele våren."),
]
FIRST_MORE = ("empowerment/selvbilde og selvtillit", "Det handler om å bygge opp troen på seg selv, og det tar tid.")
WHOLE_INNTAK = ("Vi hadde et måltall fra fylket på førti deltakere innen sommeren, og vi lå langt under. "
                "Så da ble det sånn at vi tok inn nesten alle som kom.")


@pytest.fixture(scope="module")
def two_coders(tmp_path_factory: pytest.TempPathFactory, coded_template: tuple[Path, dict[str, Any]]) -> Path:
    return code_second(coded_template[0], tmp_path_factory.mktemp("consensus") / "project")


def code_second(template: Path, root: Path) -> Path:
    """A copy of the coded samples at `root`, with Forsker 2's codings and one more of Forsker 1's."""
    shutil.copytree(template, root)
    with Project.open(root) as project, project.begin() as session:
        second = get_or_create_coder(session, B)
        for code, quote in SECOND:
            add_coding(session, TRANSCRIPT, code, second, match=quote)
        add_coding(session, TRANSCRIPT, FIRST_MORE[0], get_or_create_coder(session, A), match=FIRST_MORE[1])
    return root


@pytest.fixture
def root(two_coders: Path, tmp_path: Path) -> Path:
    shutil.copytree(two_coders, tmp_path / "project")
    return tmp_path / "project"


def span(session: Any, quote: str) -> tuple[int, int]:
    return find_span(current_text(find_transcript(session, TRANSCRIPT)).text, quote)


def live(session: Any, coder: str) -> list[tuple[str, int, int]]:
    rows = session.execute(
        select(Coding).join(Coder).where(Coder.name == coder, Coding.removed_at.is_(None)).order_by(Coding.id)
    ).scalars()
    return [(coding.code.path, coding.start, coding.end) for coding in rows]


def test_disagreements_in_text_order_leave_out_agreeing_codings(root: Path) -> None:
    with Project.open(root) as project, project.begin() as session:
        found = disagreements(session, TRANSCRIPT, A, B)
        assert [(d.code_path, d.a is not None, d.b is not None) for d in found] == [
            ("måltall-press/inntakspress", True, True),
            ("måltall-press", False, True),
            ("empowerment/selvbilde og selvtillit", True, False),
        ]
        first = found[0]
        assert first.a is not None and first.b is not None
        assert (first.a.start, first.a.end) == span(session, WHOLE_INNTAK)
        assert (first.b.start, first.b.end) == span(session, SECOND[1][1])
        assert first.excerpt == WHOLE_INNTAK and first.line == 2
        assert all(d.decided is None for d in found)
        assert [d.code_path for d in disagreements(session, TRANSCRIPT, B, A)] == [d.code_path for d in found]


@pytest.mark.parametrize(("choice", "expected"), [
    (Choice.A, WHOLE_INNTAK), (Choice.B, SECOND[1][1]), (Choice.BOTH, WHOLE_INNTAK),
    (Choice.EDIT, "Vi hadde et måltall fra fylket"), (Choice.NEITHER, None),
])
def test_each_choice_makes_exactly_its_consensus_coding_and_leaves_the_coders_alone(
    root: Path, choice: Choice, expected: str | None,
) -> None:
    with Project.open(root) as project, project.begin() as session:
        before = live(session, A), live(session, B)
        decider = get_or_create_coder(session, A)
        target = disagreements(session, TRANSCRIPT, A, B)[0]
        edited = span(session, "Vi hadde et måltall fra fylket") if choice is Choice.EDIT else None
        decide(session, target, choice, decider, span=edited)
        made = live(session, CONSENSUS_CODER)
        assert (live(session, A), live(session, B)) == before
        after = disagreements(session, TRANSCRIPT, A, B)
        assert after[0].settled and not any(item.settled for item in after[1:])
        if expected is None:  # coded nothing, but decided all the same
            assert made == [] and after[0].kept_neither and after[0].decided is None
        else:
            assert made == [("måltall-press/inntakspress", *span(session, expected))]
            assert after[0].decided is not None and not after[0].kept_neither
        # The history says who decided, and for whom; the decider's undo takes it back, and redo decides again.
        latest = history(session, limit=1)[0]
        assert latest.coder == A and f"for {CONSENSUS_CODER}" in latest.summary and f"{A} / {B}" in latest.summary
        undo(session, decider)
        assert live(session, CONSENSUS_CODER) == []
        assert not disagreements(session, TRANSCRIPT, A, B)[0].settled
        redo(session, decider)
        assert disagreements(session, TRANSCRIPT, A, B)[0].settled
        with pytest.raises(InvalidInput, match="decided already"):
            decide(session, disagreements(session, TRANSCRIPT, A, B)[0], Choice.BOTH, decider)


def test_a_neither_decision_leaves_with_its_transcript_when_the_participant_withdraws(root: Path) -> None:
    with Project.open(root) as project, project.begin() as session:
        decide(session, disagreements(session, TRANSCRIPT, A, B)[0], Choice.NEITHER, get_or_create_coder(session, A))
        assert "kept neither" in history(session, limit=1)[0].summary
        withdraw_participant(session, "V1", PseudonymKey("test"), get_or_create_coder(session, A))
        assert not [view for view in history(session, limit=None) if TRANSCRIPT in view.summary]


def test_keeping_a_coding_the_coder_never_made_is_refused(root: Path) -> None:
    with Project.open(root) as project, project.begin() as session:
        only_b = disagreements(session, TRANSCRIPT, A, B)[1]
        with pytest.raises(InvalidInput, match="Forsker 1 did not code"):
            decide(session, only_b, Choice.A, get_or_create_coder(session, A))
        with pytest.raises(InvalidInput, match="needs the passage"):
            decide(session, only_b, Choice.EDIT, get_or_create_coder(session, A))
        assert live(session, CONSENSUS_CODER) == []


def test_a_coding_made_on_a_speaker_label_before_that_was_refused_can_still_be_kept(root: Path) -> None:
    """A coder's span stays as they coded it; only an edited passage must start in a turn's text."""
    with Project.open(root) as project, project.begin() as session:
        target = disagreements(session, TRANSCRIPT, A, B)[0]
        assert target.a is not None
        old = session.get(Coding, target.a.coding_id)
        assert old is not None
        text = current_text(find_transcript(session, TRANSCRIPT)).text
        label = text.rfind("\n", 0, old.start) + 1  # the start of the passage's line, where its turn's label is
        assert text[label:].startswith("V1: ")
        old.start, old.excerpt = label, text[label:old.end]
        session.flush()
        decider = get_or_create_coder(session, A)
        target = disagreements(session, TRANSCRIPT, A, B)[0]
        with pytest.raises(InvalidInput, match='starts inside the speaker label "V1: "'):
            decide(session, target, Choice.EDIT, decider, span=(label, label + 30))
        decide(session, target, Choice.A, decider)
        assert live(session, CONSENSUS_CODER) == [("måltall-press/inntakspress", label, old.end)]


def consensus_codings(root: Path) -> list[tuple[str, int, int]]:
    with Project.open(root) as project, project.begin() as session:
        return live(session, CONSENSUS_CODER)


async def test_the_compare_screen_steps_through_disagreements_and_each_decision_makes_one_undoable_coding(root: Path) -> None:
    app = open_tui(root, coder=A)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, rounds=3)
        app.open_transcript(TRANSCRIPT)
        await settle(pilot, rounds=3)
        app.action_compare()  # as the palette's "Compare coders" does on the reader; two coders, so no question which
        await settle(pilot, rounds=3)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert (screen.coder_a, screen.coder_b) == (A, B) and len(screen.found) == 3
        passage = str(screen.query_one("#compare-passage", Static).render())
        assert "[AB: Så da ble det sånn" in passage and "[A: Vi hadde" in passage
        with Project.open(root) as project, project.begin() as session:
            originals = live(session, A), live(session, B)

        await pilot.press("n")
        assert screen.current is not None and screen.current.code_path == "måltall-press"
        await pilot.press("b")
        await settle(pilot, rounds=3)
        assert consensus_codings(root) == [("måltall-press", screen.found[1].b.start, screen.found[1].b.end)]  # type: ignore[union-attr]
        await pilot.press("N")
        assert screen.current is not None and screen.current.code_path == "måltall-press/inntakspress"
        await pilot.press("a")
        await settle(pilot, rounds=3)
        assert len(consensus_codings(root)) == 2
        await pilot.press("n")  # the decided one is passed over
        assert screen.current is not None and screen.current.code_path == "empowerment/selvbilde og selvtillit"
        await pilot.press("0")  # neither: no coding, but decided, so n passes over it too
        await settle(pilot, rounds=3)
        assert len(consensus_codings(root)) == 2
        assert [item.settled for item in screen.found] == [True, True, True]
        assert "0 undecided" in str(screen.query_one("#compare-where", Static).render())
        await pilot.press("N")
        assert screen.current is not None and screen.current.code_path == "empowerment/selvbilde og selvtillit"

        await pilot.press("ctrl+z")  # withdraws the neither
        await settle(pilot, rounds=3)
        assert [item.settled for item in screen.found] == [True, True, False]
        assert len(consensus_codings(root)) == 2
        await pilot.press("ctrl+z")
        await settle(pilot, rounds=3)
        assert [path for path, _, _ in consensus_codings(root)] == ["måltall-press"]
        assert [item.settled for item in screen.found] == [False, True, False]
        with Project.open(root) as project, project.begin() as session:
            assert (live(session, A), live(session, B)) == originals


async def test_the_compare_screen_shows_code_names_as_written(root: Path) -> None:
    with Project.open(root) as project, project.begin() as session:
        code = session.scalars(select(Code).where(Code.path == "måltall-press/inntakspress")).one()
        code.name, code.path = "press [b]ovenfra[/b]", "måltall-press/press [b]ovenfra[/b]"
    app = open_tui(root, coder=A)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot, rounds=3)
        app.open_transcript(TRANSCRIPT)
        await settle(pilot, rounds=3)
        app.action_compare()
        await settle(pilot, rounds=3)
        assert isinstance(app.screen, CompareScreen)
        shown = await until_shown(app, pilot, lambda text: text.count("press [b]ovenfra[/b]") == 2)
    assert shown.count("press [b]ovenfra[/b]") == 2, shown  # in the table's row and the passage's heading


async def test_the_pair_picker_shows_coder_names_as_written() -> None:
    """Coder names are typed by people: brackets in them are text, not markup."""
    from textual.app import App

    from qualcode.tui.screens.compare import CoderPairPicker

    class Picking(App[None]):
        def on_mount(self) -> None:
            self.push_screen(CoderPairPicker(["[b]Kari", "Ola[/]", "Per"]))

    app = Picking()
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
    assert "[b]Kari  ×  Ola[/]" in shown and "Ola[/]  ×  Per" in shown
