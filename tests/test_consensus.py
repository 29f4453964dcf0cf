"""Consensus between two coders: their disagreements on a transcript, and decisions that code under the consensus coder."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from textual.widgets import DataTable, Static

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.withdraw import withdraw_participant
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.consensus import CONSENSUS_CODER, Choice, decide, disagreements
from qualcode.coding.history import history, redo, undo
from qualcode.coding.service import add_coding, find_span
from qualcode.errors import InvalidInput
from qualcode.store.lookup import current_text, find_transcript
from qualcode.store.models import Code, Coder, Coding, Event
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


def test_decisions_recorded_as_events_and_their_reopening_leave_with_their_transcript_when_the_participant_withdraws(
    root: Path,
) -> None:
    from qualcode.coding.consensus import reopen

    with Project.open(root) as project, project.begin() as session:
        decider, third = get_or_create_coder(session, A), get_or_create_coder(session, "Medforsker 1")
        decide(session, disagreements(session, TRANSCRIPT, A, B)[1], Choice.B, decider)  # B's alone: the consensus coder codes it
        kept = next(item for item in disagreements(session, TRANSCRIPT, B, third.name) if item.code_path == "måltall-press")
        decide(session, kept, Choice.A, decider)  # keeps that coding: a consensus.keep event
        decide(session, disagreements(session, TRANSCRIPT, A, B)[2], Choice.NEITHER, decider)
        reopen(session, disagreements(session, TRANSCRIPT, A, B)[2], decider)
        actions = {view.action for view in history(session, limit=None)}
        assert {"consensus.keep", "consensus.neither", "consensus.reopen"} <= actions
        withdraw_participant(session, "V1", PseudonymKey("test"), decider)
        assert not [view for view in history(session, limit=None) if TRANSCRIPT in view.summary]
        assert not session.scalars(select(Event).where(Event.action.in_(("consensus.keep", "consensus.neither", "consensus.reopen")))).all()


def test_keeping_a_coding_the_coder_never_made_is_refused(root: Path) -> None:
    with Project.open(root) as project, project.begin() as session:
        only_b = disagreements(session, TRANSCRIPT, A, B)[1]
        with pytest.raises(InvalidInput, match="Forsker 1 did not code"):
            decide(session, only_b, Choice.A, get_or_create_coder(session, A))
        with pytest.raises(InvalidInput, match="needs the passage"):
            decide(session, only_b, Choice.EDIT, get_or_create_coder(session, A))
        assert live(session, CONSENSUS_CODER) == []


def test_a_disagreement_shown_before_its_codings_changed_is_not_decided(root: Path) -> None:
    """The compare screen decided on the disagreement it had read: after another process removed B's
    coding, "kept B's" was coded; after a rewrite of the text moved the codings, the old offsets cut
    other words. decide() reads it again and refuses one that changed."""
    from qualcode.coding.service import remove_coding, resize_coding
    from qualcode.errors import ChangedSince

    with Project.open(root) as project:
        with project.begin() as session:
            shown = disagreements(session, TRANSCRIPT, A, B)
            on_b = shown[1]
            assert on_b.b is not None
        with project.begin() as other:  # another process's change, committed
            remove_coding(other, on_b.b.coding_ids[0], get_or_create_coder(other, B))
        with project.begin() as session, pytest.raises(ChangedSince, match="has changed since it was shown"):
            decide(session, on_b, Choice.B, get_or_create_coder(session, A))
        both = shown[0]
        assert both.a is not None
        with project.begin() as other:  # A's passage moved by a word: the old offsets are no passage of anyone's
            resize_coding(other, both.a.coding_ids[0], both.a.start + 4, both.a.end, get_or_create_coder(other, A))
        with project.begin() as session, pytest.raises(ChangedSince):
            decide(session, both, Choice.A, get_or_create_coder(session, A))
        with project.begin() as session:
            assert live(session, CONSENSUS_CODER) == []
            now = disagreements(session, TRANSCRIPT, A, B)[0]  # read as it is now, it is decided as it is
            assert decide(session, now, Choice.A, get_or_create_coder(session, A)) is not None


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


# A small team project: three coders on one interview, each test coding it as its defect needs.
C = "Medforsker 1"
TEAM_TEXT = """I: Hvordan kom du inn i programmet?
D1: Veilederen foreslo det, og jeg fikk være med og bestemme planen min.
I: Hva betydde det for deg?
D1: Jeg fikk mer selvtillit 🙂 og troen på at jeg kan klare noe.
I: Hvordan var møtene?
D1: Det var mye press på tall, så veilederen hadde dårlig tid til meg.
I: Hva ville du endret?
D1: Færre skjema, for det var altfor mange skjema å fylle ut.
"""
PLAN = "Veilederen foreslo det, og jeg fikk være med og bestemme planen min."
TRUST = "Jeg fikk mer selvtillit 🙂 og troen på at jeg kan klare noe."
PRESS = "Det var mye press på tall"
PRESS_TURN = "Det var mye press på tall, så veilederen hadde dårlig tid til meg."
NO_TIME = "så veilederen hadde dårlig tid til meg."
EMPOWERMENT, PRESSURE = "empowerment", "måltall-press"


@pytest.fixture
def team(tmp_path: Path, migrated_template: Path) -> Path:
    return make_team(tmp_path, migrated_template)


def make_team(tmp_path: Path, migrated_template: Path) -> Path:
    """A fresh project with one interview (`intervju`) and no codings yet."""
    from tests.conftest import make_transcript

    root = tmp_path / "team"
    shutil.copytree(migrated_template, root)
    with Project.open(root) as project, project.begin() as session:
        make_transcript(session, tmp_path, TEAM_TEXT)
    return root


def at(session: Any, quote: str) -> tuple[int, int]:
    return find_span(current_text(find_transcript(session, "intervju")).text, quote)


def code(session: Any, coder: str, code_path: str, where: str | tuple[int, int]) -> int:
    start, end = at(session, where) if isinstance(where, str) else where
    return add_coding(session, "intervju", code_path, get_or_create_coder(session, coder), start=start, end=end).id


def test_a_decision_between_two_coders_decides_nothing_between_others(team: Path) -> None:
    """Keeping neither of B's passage (A left it alone) says nothing of C's coding of the same passage against A's."""
    with Project.open(team) as project, project.begin() as session:
        code(session, A, EMPOWERMENT, PLAN)
        code(session, B, EMPOWERMENT, PLAN)
        code(session, B, EMPOWERMENT, TRUST)
        code(session, C, EMPOWERMENT, TRUST)
        [only_b] = disagreements(session, "intervju", A, B)
        decide(session, only_b, Choice.NEITHER, get_or_create_coder(session, A))
        assert disagreements(session, "intervju", A, B)[0].kept_neither
        between_a_and_c = disagreements(session, "intervju", A, C)
        assert len(between_a_and_c) == 2 and not any(item.settled or item.kept_neither for item in between_a_and_c)
        # The same two coders named the other way round are the same pair: decided there too.
        assert disagreements(session, "intervju", B, A)[0].kept_neither


def test_a_decision_overlapping_the_next_disagreement_decides_only_its_own(team: Path) -> None:
    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS)
        code(session, B, PRESSURE, NO_TIME)
        first, second = disagreements(session, "intervju", A, B)
        assert first.a is not None and second.b is not None and first.b is None and second.a is None
        decider = get_or_create_coder(session, A)
        decide(session, first, Choice.EDIT, decider, span=(first.start, second.start + 3))  # into the next passage
        first, second = disagreements(session, "intervju", A, B)
        assert first.settled and not second.settled and second.decided is None
        decide(session, second, Choice.B, decider)
        assert [item.settled for item in disagreements(session, "intervju", A, B)] == [True, True]


def test_a_decision_whose_codings_changed_or_went_is_kept_in_place_and_shown_stale(team: Path) -> None:
    with Project.open(team) as project, project.begin() as session:
        trust = code(session, A, EMPOWERMENT, TRUST)
        code(session, A, PRESSURE, PRESS)
        whole = code(session, B, PRESSURE, PRESS_TURN)
        decider = get_or_create_coder(session, A)
        first, second = disagreements(session, "intervju", A, B)
        decide(session, first, Choice.A, decider)
        decide(session, second, Choice.BOTH, decider)
        decided = live(session, CONSENSUS_CODER)
        from qualcode.coding.service import remove_coding, resize_coding

        remove_coding(session, trust, decider)
        shorter = at(session, "Det var mye press på tall, så veilederen")
        resize_coding(session, whole, *shorter, get_or_create_coder(session, B))

        gone, changed = disagreements(session, "intervju", A, B)  # the same two, numbered as before
        assert live(session, CONSENSUS_CODER) == decided  # the decisions' codings are still there, and shown
        assert gone.code_path == EMPOWERMENT and (gone.a, gone.b) == (None, None)
        assert gone.decided is not None and (gone.decided.start, gone.decided.end) == at(session, TRUST)
        assert "removed" in gone.stale and A in gone.stale and not gone.settled
        assert changed.b is not None and (changed.b.start, changed.b.end) == shorter
        assert changed.decided is not None and f"{B}'s coding changed" in changed.stale and not changed.settled
        for item in (gone, changed):
            with pytest.raises(InvalidInput, match="on codings that changed since"):
                decide(session, item, Choice.NEITHER, decider)


def test_a_decision_stands_while_the_codings_change_only_their_memos(team: Path) -> None:
    from qualcode.coding.service import set_coding_memo

    with Project.open(team) as project, project.begin() as session:
        mine = code(session, A, EMPOWERMENT, TRUST)
        code(session, B, PRESSURE, PRESS)
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, get_or_create_coder(session, A))
        set_coding_memo(session, mine, "Tydelig.", get_or_create_coder(session, A))
        assert disagreements(session, "intervju", A, B)[0].settled


def test_one_coders_overlapping_codings_of_a_code_are_one_passage_as_agreement_counts_them(team: Path) -> None:
    from qualcode.agreement.service import agreement
    from qualcode.coding.passages import QuoteFilter

    with Project.open(team) as project, project.begin() as session:
        start, end = at(session, PRESS_TURN)
        code(session, A, PRESSURE, (start, end - 20))
        code(session, A, PRESSURE, (start + 20, end))
        code(session, B, PRESSURE, (start, end))
        measured = agreement(session, QuoteFilter(transcripts=("intervju",)), "segment", (A, B))
        assert measured.overall.percent.value == 100.0 and measured.disagreements == ()
        assert disagreements(session, "intervju", A, B) == []
        # Against a coder who coded part of it, A's two codings are one side, spanning both.
        code(session, C, PRESSURE, PRESS)
        [item] = disagreements(session, "intervju", A, C)
        assert item.a is not None and (item.a.start, item.a.end) == (start, end) and len(item.a.coding_ids) == 2


def test_deciding_what_someone_else_decided_names_them_and_how_to_take_it_back(team: Path) -> None:
    with Project.open(team) as project, project.begin() as session:
        code(session, B, "brukermedvirkning", PLAN)
        code(session, A, EMPOWERMENT, TRUST)
        code(session, A, PRESSURE, PRESS)
        _, first, second = disagreements(session, "intervju", A, B)
        decide(session, first, Choice.NEITHER, get_or_create_coder(session, A))
        decide(session, second, Choice.A, get_or_create_coder(session, A))
        _, first, second = disagreements(session, "intervju", A, B)
        theirs = get_or_create_coder(session, B)
        # Anyone takes back one decision with reopen; undo is the decider's, and only while it is their latest change.
        with pytest.raises(InvalidInput, match=f"decided already, by {A} ") as neither:
            decide(session, first, Choice.A, theirs)
        assert neither.value.hint is not None and "`qualcode consensus reopen`" in neither.value.hint
        assert "undo" not in neither.value.hint
        with pytest.raises(InvalidInput, match=f"decided already, by {A} ") as coded:
            decide(session, second, Choice.NEITHER, theirs)
        assert coded.value.hint == neither.value.hint
        with pytest.raises(InvalidInput, match="decided already") as own:
            decide(session, second, Choice.NEITHER, get_or_create_coder(session, A))
        assert own.value.hint is not None and "`qualcode consensus reopen`" in own.value.hint and "qualcode undo" in own.value.hint


def test_a_decision_recorded_before_its_codings_were_decides_what_it_overlaps_between_its_two_coders(team: Path) -> None:
    with Project.open(team) as project, project.begin() as session:
        code(session, A, EMPOWERMENT, PLAN)
        code(session, B, EMPOWERMENT, PLAN)
        code(session, B, EMPOWERMENT, TRUST)
        code(session, C, EMPOWERMENT, TRUST)
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.B, get_or_create_coder(session, A))
        [event] = session.scalars(select(Event).where(Event.summary.contains(f"for {CONSENSUS_CODER}"))).all()
        fields = {key: value for key, value in event.payload["consensus"].items() if key not in ("a_codings", "b_codings")}
        event.payload = {**event.payload, "consensus": fields}
        session.flush()
        [between] = disagreements(session, "intervju", A, B)
        assert between.settled and not between.stale
        assert not any(item.settled for item in disagreements(session, "intervju", A, C))
        # Another coding joining B's passage changes nothing it can tell: it does not know what it was made on.
        code(session, B, EMPOWERMENT, "og troen på at jeg kan klare noe.")
        assert disagreements(session, "intervju", A, B)[0].settled


def test_a_coding_joining_a_decided_passage_makes_the_decision_stale(team: Path) -> None:
    with Project.open(team) as project, project.begin() as session:
        code(session, A, EMPOWERMENT, "Jeg fikk mer selvtillit")
        code(session, B, PRESSURE, PRESS)
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, get_or_create_coder(session, A))
        code(session, A, EMPOWERMENT, "selvtillit 🙂 og troen")  # overlaps A's coding: one passage with it now
        first = disagreements(session, "intervju", A, B)[0]
        assert first.a is not None and len(first.a.coding_ids) == 2
        assert first.stale == f"{A} coded more of it" and not first.settled


def test_the_other_coder_coding_a_decided_passage_since_makes_the_decision_stale(team: Path) -> None:
    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS_TURN)
        code(session, B, EMPOWERMENT, TRUST)
        decide(session, disagreements(session, "intervju", A, B)[1], Choice.A, get_or_create_coder(session, A))
        code(session, B, PRESSURE, PRESS)  # less than 0.9 of A's: a disagreement with it, no longer A's alone
        pressure = disagreements(session, "intervju", A, B)[1]
        assert pressure.b is not None and pressure.stale == f"{B} coded it since" and not pressure.settled


async def test_the_compare_screen_shows_a_decision_made_on_codings_changed_since_as_stale(root: Path) -> None:
    """The list said "stale"; the screen still showed such a decision as made."""
    from qualcode.coding.service import resize_coding

    with Project.open(root) as project, project.begin() as session:
        target = next(item for item in disagreements(session, TRANSCRIPT, A, B) if item.a is not None and item.b is not None)
        decide(session, target, Choice.BOTH, get_or_create_coder(session, A))
        assert target.b is not None
        theirs = session.get_one(Coding, target.b.coding_ids[0])
        resize_coding(session, theirs.id, theirs.start, theirs.end - 2, get_or_create_coder(session, B))
    app = open_tui(root, coder=A)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, rounds=3)
        app.open_transcript(TRANSCRIPT)
        await settle(pilot, rounds=3)
        app.action_compare()
        await settle(pilot, rounds=3)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        [stale] = [item for item in screen.found if item.stale]
        table = screen.query_one("#compare-table", DataTable)
        table.move_cursor(row=screen.found.index(stale))
        await settle(pilot, rounds=2)
        assert str(table.get_row_at(screen.found.index(stale))[-1]).endswith("(stale)")
        assert "· stale: " in str(screen.query_one("#compare-passage", Static).render())


def test_a_decision_on_a_passage_a_replaced_text_dropped_shows_its_words_and_says_so(team: Path, tmp_path: Path) -> None:
    """A probe: a "neither" decision on a sentence a corrected text deleted was listed with its old
    offsets read in the new text (other words) and said the coding "was removed"."""
    from qualcode.importers.service import ImportOptions, import_file

    with Project.open(team) as project, project.begin() as session:
        decider = get_or_create_coder(session, A)
        code(session, B, EMPOWERMENT, PLAN)
        [only_b] = disagreements(session, "intervju", A, B)
        decide(session, only_b, Choice.NEITHER, decider)
    corrected = tmp_path / "intervju.txt"
    corrected.write_text("I: Velkommen til intervjuet, vi starter nå.\n" + TEAM_TEXT.replace(PLAN, "(uhørbart)"), encoding="utf-8")
    with Project.open(team) as project, project.begin() as session:
        import_file(session, corrected, ImportOptions(replace=True), key=PseudonymKey("test"))
        [gone] = disagreements(session, "intervju", A, B)
        assert gone.excerpt == PLAN and f"{B}'s coding lost its place in a replaced text" in gone.stale


# A probe: A coded the turn as one passage, B two shorter passages inside it with the same code.
MUCH_PRESS, NO_TIME_FOR_ME = "Det var mye press", "hadde dårlig tid til meg"


def test_one_coders_passage_over_two_of_the_others_is_one_disagreement_holding_both_of_theirs(team: Path) -> None:
    """It was listed as A's passage against B's first, and B's second as a disagreement A had not coded ("A: -"),
    though A's passage covers it; keeping A's was then refused there as a passage A did not code."""
    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS_TURN)
        code(session, B, PRESSURE, MUCH_PRESS)
        code(session, B, PRESSURE, NO_TIME_FOR_ME)
        [item] = disagreements(session, "intervju", A, B)
        assert item.a is not None and item.b is not None
        assert item.a.passages == (at(session, PRESS_TURN),)
        assert item.b.passages == (at(session, MUCH_PRESS), at(session, NO_TIME_FOR_ME))
        assert len(item.b.coding_ids) == 2 and (item.start, item.end) == at(session, PRESS_TURN)
        [other_way] = disagreements(session, "intervju", B, A)
        assert other_way.a is not None and other_way.a.passages == item.b.passages
        # Keeping B's codes both of B's passages, as one decision: one undo takes it back, one redo makes it again.
        decider = get_or_create_coder(session, A)
        made = decide(session, item, Choice.B, decider)
        assert [(view.start, view.end) for view in made] == list(item.b.passages)
        assert live(session, CONSENSUS_CODER) == [(PRESSURE, *at(session, MUCH_PRESS)), (PRESSURE, *at(session, NO_TIME_FOR_ME))]
        [decided] = disagreements(session, "intervju", A, B)
        assert decided.settled and decided.decided is not None and decided.decided.passages == item.b.passages
        assert "and 1 more change made with it" in undo(session, decider).summary
        assert live(session, CONSENSUS_CODER) == [] and not disagreements(session, "intervju", A, B)[0].settled
        redo(session, decider)
        assert len(live(session, CONSENSUS_CODER)) == 2 and disagreements(session, "intervju", A, B)[0].settled
        undo(session, decider)
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, decider)  # A coded it: kept as A coded it
        assert live(session, CONSENSUS_CODER) == [(PRESSURE, *at(session, PRESS_TURN))]


def test_a_decision_keeping_two_passages_is_stale_once_one_of_its_codings_is_removed(team: Path) -> None:
    from qualcode.coding.service import remove_coding

    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS_TURN)
        code(session, B, PRESSURE, MUCH_PRESS)
        code(session, B, PRESSURE, NO_TIME_FOR_ME)
        first, second = decide(session, disagreements(session, "intervju", A, B)[0], Choice.B, get_or_create_coder(session, A))
        remove_coding(session, second.id, get_or_create_coder(session, C))  # anyone may change the consensus coder's
        [item] = disagreements(session, "intervju", A, B)
        assert item.stale == "1 of the 2 consensus codings it kept was removed since" and not item.settled
        assert item.decided is not None and item.decided.coding_id == first.id


def test_the_compare_screen_marks_each_of_a_coders_passages_in_a_disagreement(team: Path) -> None:
    from qualcode.tui.screens.compare import marked

    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS_TURN)
        code(session, B, PRESSURE, MUCH_PRESS)
        code(session, B, PRESSURE, NO_TIME_FOR_ME)
        [item] = disagreements(session, "intervju", A, B)
        shown = str(marked(current_text(find_transcript(session, "intervju")).text, item, (item.start, item.end)))
    assert f"[AB: {MUCH_PRESS}]" in shown and f"[AB: {NO_TIME_FOR_ME}]" in shown and "[A:  på tall, så veilederen ]" in shown


def test_a_decision_made_on_part_of_a_coders_passages_there_says_so(team: Path) -> None:
    """Before B's two passages inside A's were one disagreement, a decision was made on A's and B's first alone."""
    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS_TURN)
        first_of_b = code(session, B, PRESSURE, MUCH_PRESS)
        code(session, B, PRESSURE, NO_TIME_FOR_ME)
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, get_or_create_coder(session, A))
        event = session.scalars(select(Event).where(Event.summary.contains(f"for {CONSENSUS_CODER}"))).one()
        event.payload = {**event.payload, "consensus": {**event.payload["consensus"], "b_codings": session.get_one(Coding, first_of_b).guid}}
        session.flush()
        [item] = disagreements(session, "intervju", A, B)
        assert item.stale == f"{B}'s passages there were not all shown when it was made" and not item.settled


def test_undo_of_a_decision_of_two_codings_one_changed_by_someone_else_since_changes_neither(team: Path) -> None:
    from qualcode.coding.history import ChangedByOthers
    from qualcode.coding.service import resize_coding

    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS_TURN)
        code(session, B, PRESSURE, MUCH_PRESS)
        code(session, B, PRESSURE, NO_TIME_FOR_ME)
        decider = get_or_create_coder(session, A)
        first, _ = decide(session, disagreements(session, "intervju", A, B)[0], Choice.B, decider)
        resize_coding(session, first.id, first.start, first.end + 7, get_or_create_coder(session, C))  # "... press på"
        made = live(session, CONSENSUS_CODER)
        with pytest.raises(ChangedByOthers, match=f"{C} changed this coding after you"):
            undo(session, decider)
        assert live(session, CONSENSUS_CODER) == made and len(made) == 2


def test_with_three_coders_a_pair_may_keep_a_version_another_pairs_decision_coded_already(team: Path) -> None:
    """B and C differ, and A agrees with neither. After A|B kept B's and A|C kept C's, every decision between B and C
    but neither was refused ("this passage is already coded måltall-press by konsensus"): keeping C's there would
    have coded C's passage a second time. It keeps the consensus coder's coding of it instead, as a decision of its own."""
    from qualcode.agreement.consensus import consensus_pairs
    from qualcode.coding.passages import QuoteFilter

    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS)
        code(session, B, PRESSURE, PRESS_TURN)
        code(session, C, PRESSURE, NO_TIME)
        chair = get_or_create_coder(session, A)
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.B, chair)
        [only_c] = [item for item in disagreements(session, "intervju", A, C) if item.b is not None]
        [cs] = decide(session, only_c, Choice.B, chair)
        made = live(session, CONSENSUS_CODER)
        assert made == [(PRESSURE, *at(session, PRESS_TURN)), (PRESSURE, *at(session, NO_TIME))]
        other = get_or_create_coder(session, C)
        for choice, kept in ((Choice.A, PRESS_TURN), (Choice.B, NO_TIME), (Choice.BOTH, PRESS_TURN)):
            [view] = decide(session, disagreements(session, "intervju", B, C)[0], choice, other)
            assert not view.changed and (view.start, view.end) == at(session, kept) and view.coder == CONSENSUS_CODER
            [between] = disagreements(session, "intervju", B, C)
            assert between.settled and between.decided is not None and between.decided.coding_id == view.id
            assert live(session, CONSENSUS_CODER) == made  # nothing coded twice
            latest = history(session, limit=1)[0]
            assert latest.action == "consensus.keep" and f"coded so already by coding {view.id}" in latest.summary
            assert f"{B} / {C}" in latest.summary
            undo(session, other)
            assert not disagreements(session, "intervju", B, C)[0].settled and live(session, CONSENSUS_CODER) == made
        redo(session, other)  # kept both: B's turn, which A|B's decision coded
        assert disagreements(session, "intervju", B, C)[0].settled
        assert ("konsensus", B, C, 1) in [(pair.consensus_coder, pair.coder_a, pair.coder_b, pair.transcripts)
                                          for pair in consensus_pairs(session, QuoteFilter(transcripts=("intervju",)))]
        undo(session, other)
        decide(session, disagreements(session, "intervju", B, C)[0], Choice.B, other)
        # The coding it keeps is A|C's decision's: taken back by its decider, this decision no longer holds a coding.
        undo(session, chair)
        assert cs.id not in [coding_id for coding_id, in session.execute(select(Coding.id).where(Coding.removed_at.is_(None)))]
        [between] = disagreements(session, "intervju", B, C)
        assert between.stale == "the consensus coding it kept was removed since" and not between.settled


def test_one_decision_to_keep_neither_is_taken_back_without_undoing_the_deciders_later_changes(team: Path) -> None:
    """A "neither" could be taken back only by its decider's undo, which takes back their later changes first."""
    from qualcode.coding.consensus import reopen
    from qualcode.coding.history import ChangedByOthers
    from qualcode.coding.memos import add_memo
    from qualcode.store.models import Memo

    with Project.open(team) as project, project.begin() as session:
        code(session, A, EMPOWERMENT, TRUST)
        code(session, B, PRESSURE, PRESS)
        decider, other = get_or_create_coder(session, A), get_or_create_coder(session, B)
        first, second = disagreements(session, "intervju", A, B)
        decide(session, first, Choice.NEITHER, decider)
        decide(session, second, Choice.B, decider)
        later = add_memo(session, "Husk å spørre om planen.", decider)  # the decider's later work, on their undo stack
        made = live(session, CONSENSUS_CODER)

        [taken_back] = reopen(session, disagreements(session, "intervju", A, B)[0], other)  # anyone may
        assert taken_back.neither and taken_back.decided_by == A
        first, second = disagreements(session, "intervju", A, B)
        assert not first.decisions and not first.settled and second.settled  # only that one decision
        assert live(session, CONSENSUS_CODER) == made and session.get_one(Memo, later.id).removed_at is None
        latest = history(session, limit=1)[0]
        assert latest.action == "consensus.reopen" and latest.coder == B
        assert latest.summary.startswith(f"took back {A}'s decision, {A} / {B}, on intervju ") and "(kept neither)" in latest.summary
        # The decider's undo does not put it back over the reopening; the reopener's undo does, and redo takes it back again.
        undo(session, decider)  # their latest: the memo
        undo(session, decider)  # the decision keeping B's
        with pytest.raises(ChangedByOthers, match=f"{B} changed this decision after you"):
            undo(session, decider)
        undo(session, other)
        assert disagreements(session, "intervju", A, B)[0].kept_neither
        redo(session, other)
        assert not disagreements(session, "intervju", A, B)[0].decisions
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, other)  # decided again
        assert disagreements(session, "intervju", A, B)[0].settled


def test_taking_back_a_decision_removes_the_codings_it_made_and_nothing_else(team: Path) -> None:
    from qualcode.coding.consensus import reopen

    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS_TURN)
        code(session, B, PRESSURE, MUCH_PRESS)
        code(session, B, PRESSURE, NO_TIME_FOR_ME)
        code(session, A, EMPOWERMENT, TRUST)
        decider = get_or_create_coder(session, A)
        on_trust = decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, decider)
        before = live(session, CONSENSUS_CODER)
        made = decide(session, disagreements(session, "intervju", A, B)[1], Choice.B, decider)
        coders = live(session, A), live(session, B)

        reopen(session, disagreements(session, "intervju", A, B)[1], get_or_create_coder(session, C))
        assert live(session, CONSENSUS_CODER) == before  # as before the decision
        assert (live(session, A), live(session, B)) == coders
        for view in made:  # removed, and kept with the record of it
            removed = session.get_one(Coding, view.id)
            assert removed.removed_at is not None
            [event] = session.scalars(select(Event).where(Event.entity_guid == removed.guid, Event.action == "coding.remove")).all()
            assert event.coder is not None and event.coder.name == C and f"took back {A}'s decision, {A} / {B}" in event.summary
        first, second = disagreements(session, "intervju", A, B)
        assert not second.decisions and first.settled and first.decided is not None and first.decided.coding_id == on_trust[0].id
        # One undo puts both codings back, and the decision stands again.
        assert "and 1 more change made with it" in undo(session, get_or_create_coder(session, C)).summary
        assert len(live(session, CONSENSUS_CODER)) == 3 and disagreements(session, "intervju", A, B)[1].settled


def test_taking_back_a_decision_is_refused_while_later_work_rests_on_it(team: Path) -> None:
    from qualcode.coding.consensus import reopen
    from qualcode.coding.memos import add_memo
    from qualcode.coding.service import resize_coding

    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS)
        code(session, B, PRESSURE, PRESS_TURN)
        code(session, C, PRESSURE, NO_TIME)
        code(session, A, EMPOWERMENT, TRUST)
        chair = get_or_create_coder(session, A)
        with pytest.raises(InvalidInput, match="is not decided, so there is no decision to take back"):
            reopen(session, disagreements(session, "intervju", A, B)[1], chair)
        [trust] = decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, chair)
        [kept] = decide(session, disagreements(session, "intervju", A, B)[1], Choice.B, chair)
        made = live(session, CONSENSUS_CODER)

        # Another pair's decision keeps the coding this one made.
        decide(session, disagreements(session, "intervju", B, C)[0], Choice.A, chair)
        with pytest.raises(InvalidInput, match=f"is kept by a decision between {B} and {C} too") as refused:
            reopen(session, disagreements(session, "intervju", A, B)[1], chair)
        assert refused.value.hint is not None and f'--coders "{B},{C}"' in refused.value.hint
        reopen(session, disagreements(session, "intervju", B, C)[0], chair)  # the coding stays, A|B's
        assert live(session, CONSENSUS_CODER) == made and not disagreements(session, "intervju", B, C)[0].decisions

        # A change to the coding since, by anyone: taking the decision back would drop it.
        resize_coding(session, kept.id, kept.start, kept.end - 1, get_or_create_coder(session, C))
        with pytest.raises(InvalidInput, match=rf"consensus coding {kept.id}, which it made, was changed since \(resized .* by {C}\)"):
            reopen(session, disagreements(session, "intervju", A, B)[1], chair)
        undo(session, get_or_create_coder(session, C))

        # A memo written on it since.
        memo = add_memo(session, "Vi ble enige etter diskusjon.", get_or_create_coder(session, B), coding_ref=trust.id)
        with pytest.raises(InvalidInput, match="has 1 memo written on it since") as refused:
            reopen(session, disagreements(session, "intervju", A, B)[0], chair)
        assert refused.value.hint is not None and f"qualcode memo remove {memo.id}" in refused.value.hint
        assert live(session, CONSENSUS_CODER) == made and all(item.settled for item in disagreements(session, "intervju", A, B))
        reopen(session, disagreements(session, "intervju", A, B)[1], chair)  # nothing rests on that one now
        assert live(session, CONSENSUS_CODER) == [(EMPOWERMENT, *at(session, TRUST))]


def test_a_decision_keeping_another_decisions_coding_is_taken_back_leaving_that_coding(team: Path) -> None:
    from qualcode.coding.consensus import reopen

    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS)
        code(session, B, PRESSURE, PRESS_TURN)
        code(session, C, PRESSURE, NO_TIME)
        chair = get_or_create_coder(session, A)
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.B, chair)
        decide(session, disagreements(session, "intervju", B, C)[0], Choice.A, chair)
        made = live(session, CONSENSUS_CODER)
        [taken_back] = reopen(session, disagreements(session, "intervju", B, C)[0], chair)
        assert taken_back.what == f"coded {at(session, PRESS_TURN)[0]}-{at(session, PRESS_TURN)[1]}"
        assert live(session, CONSENSUS_CODER) == made
        assert not disagreements(session, "intervju", B, C)[0].decisions and disagreements(session, "intervju", A, B)[0].settled
        assert "(kept what it coded already)" in history(session, limit=1)[0].summary


async def test_the_compare_screen_takes_a_decision_back_with_r(team: Path) -> None:
    with Project.open(team) as project, project.begin() as session:
        code(session, A, EMPOWERMENT, TRUST)
        code(session, B, PRESSURE, PRESS)
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.NEITHER, get_or_create_coder(session, B))
    app = open_tui(team, coder=A)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, rounds=3)
        app.open_transcript("intervju")
        await settle(pilot, rounds=3)
        app.action_compare()
        await settle(pilot, rounds=3)
        screen = app.screen
        assert isinstance(screen, CompareScreen) and [item.settled for item in screen.found] == [True, False]
        await pilot.press("r")
        await settle(pilot, rounds=3)
        assert [item.settled for item in screen.found] == [False, False]
        await pilot.press("r")  # nothing decided there now: said, nothing changed
        await settle(pilot, rounds=3)
    with Project.open(team) as project, project.begin() as session:
        assert [view.action for view in history(session, limit=2)] == ["consensus.reopen", "consensus.neither"]


def test_an_undo_or_redo_never_makes_a_second_decision_stand_where_the_disagreement_was_decided_again(team: Path) -> None:
    """A probe: a decision made to stand again by its decider's redo, or by the undo of someone's reopening of it,
    stood beside the decision made there since, one disagreement then listed as "kept neither" and coded at once."""
    from qualcode.coding.consensus import reopen

    with Project.open(team) as project, project.begin() as session:
        code(session, A, EMPOWERMENT, TRUST)
        code(session, B, PRESSURE, PRESS)
        chair, other, third = (get_or_create_coder(session, name) for name in (A, B, C))

        def decisions() -> list[str]:
            return [decision.what for decision in disagreements(session, "intervju", A, B)[0].decisions]

        # The decider's redo, after someone else decided the disagreement again.
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.NEITHER, chair)
        undo(session, chair)
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, other)
        coded = decisions()
        with pytest.raises(InvalidInput, match=f"{B} decided this {EMPOWERMENT} disagreement on line 4 again since") as refused:
            redo(session, chair)
        assert refused.value.hint is not None and "qualcode consensus reopen" in refused.value.hint
        assert decisions() == coded and len(live(session, CONSENSUS_CODER)) == 1
        undo(session, other)

        # A decision coding a passage, redone the same way.
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, chair)
        undo(session, chair)
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.NEITHER, other)
        with pytest.raises(InvalidInput, match="again since"):
            redo(session, chair)
        assert decisions() == ["kept neither"] and live(session, CONSENSUS_CODER) == []
        undo(session, other)

        # The undo of a reopening, after the disagreement was decided again: of a decision to keep neither, and of
        # one that coded.
        for first, then in ((Choice.NEITHER, Choice.A), (Choice.A, Choice.NEITHER)):
            decide(session, disagreements(session, "intervju", A, B)[0], first, chair)
            reopen(session, disagreements(session, "intervju", A, B)[0], third)
            decide(session, disagreements(session, "intervju", A, B)[0], then, other)
            made, standing = live(session, CONSENSUS_CODER), decisions()
            with pytest.raises(InvalidInput, match="again since"):
                undo(session, third)
            assert live(session, CONSENSUS_CODER) == made and decisions() == standing and len(standing) == 1
            undo(session, other)
            undo(session, third)  # with the decision since taken back, the reopening is
            assert len(decisions()) == 1 and disagreements(session, "intervju", A, B)[0].settled
            reopen(session, disagreements(session, "intervju", A, B)[0], third)


def test_the_undo_of_a_reopening_brings_back_together_the_stale_decisions_it_took_back_together(team: Path) -> None:
    """Two decisions, made apart, met on one disagreement once B coded the turn: one reopening took back both, and its
    undo brings back both, neither standing there beside the other as one decided since."""
    from qualcode.coding.consensus import reopen

    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS)
        code(session, B, PRESSURE, NO_TIME)
        chair, third = get_or_create_coder(session, A), get_or_create_coder(session, C)
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, chair)
        decide(session, disagreements(session, "intervju", A, B)[1], Choice.B, chair)
        code(session, B, PRESSURE, PRESS_TURN)
        [met] = disagreements(session, "intervju", A, B)
        assert len(met.decisions) == 2 and met.stale
        made = live(session, CONSENSUS_CODER)
        assert len(reopen(session, met, third)) == 2 and live(session, CONSENSUS_CODER) == []
        undo(session, third)
        assert live(session, CONSENSUS_CODER) == made and len(disagreements(session, "intervju", A, B)[0].decisions) == 2
        # One of their codings removed by hand, and that undone: it stood beside the other before, stale as it is.
        from qualcode.coding.service import remove_coding

        remove_coding(session, disagreements(session, "intervju", A, B)[0].decisions[0].codings[0][2], third)
        assert len(disagreements(session, "intervju", A, B)[0].decisions) == 1
        undo(session, third)
        assert live(session, CONSENSUS_CODER) == made and len(disagreements(session, "intervju", A, B)[0].decisions) == 2


def test_a_decision_made_as_several_events_is_never_half_undone_or_half_redone(team: Path, tmp_path: Path) -> None:
    """A probe: after a replaced text made the coding a decision made final (its offsets were of the old text), the
    decider's undo took back the rest of it alone (its keeping of another pair's coding), leaving a decision of "2"
    codings holding one, and said it passed over the coding as a later change of theirs; redo did the same."""
    from qualcode.coding.memos import add_memo
    from qualcode.errors import NothingToUndo
    from qualcode.importers.service import ImportOptions, import_file

    with Project.open(team) as project, project.begin() as session:
        code(session, A, PRESSURE, PRESS_TURN)
        code(session, B, PRESSURE, MUCH_PRESS)
        code(session, B, PRESSURE, NO_TIME_FOR_ME)
        code(session, C, PRESSURE, MUCH_PRESS)
        decide(session, disagreements(session, "intervju", A, C)[0], Choice.B, get_or_create_coder(session, A))
        other = get_or_create_coder(session, C)
        earlier = add_memo(session, "Før avgjørelsen.", other)
        made = decide(session, disagreements(session, "intervju", A, B)[0], Choice.B, other)  # keeps one, codes one
        assert [view.changed for view in made] == [False, True]
        undo(session, other)  # the redo's case: undone whole before the text is replaced
    corrected = tmp_path / "intervju.txt"
    corrected.write_text("I: Velkommen til intervjuet, vi starter nå.\n" + TEAM_TEXT, encoding="utf-8")
    with Project.open(team) as project, project.begin() as session:
        import_file(session, corrected, ImportOptions(replace=True), key=PseudonymKey("test"))
        other = get_or_create_coder(session, C)
        with pytest.raises(NothingToUndo, match="cannot be redone"):
            redo(session, other)
        assert not disagreements(session, "intervju", A, B)[0].decisions
    with Project.open(team) as project, project.begin() as session:
        other = get_or_create_coder(session, C)
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.B, other)  # again, on the new text
    with Project.open(team) as project, project.begin() as session:
        corrected.write_text(TEAM_TEXT, encoding="utf-8")  # as it was
        import_file(session, corrected, ImportOptions(replace=True), key=PseudonymKey("test"))
        other = get_or_create_coder(session, C)
        undone = undo(session, other)
        assert undone.action == "memo.add" and undone.entity_guid == earlier.guid  # the decision passed over, whole
        assert "a change made with it cannot be undone" in undone.summary
        [item] = disagreements(session, "intervju", A, B)
        assert item.settled and item.decided is not None and len(item.decided.passages) == 2


def test_undoing_a_recoding_of_a_consensus_coding_never_makes_its_decision_stand_beside_one_made_since(team: Path) -> None:
    """A probe: a consensus coding recoded leaves its disagreement undecided, to be decided again; the undo of that
    recoding put the first decision back beside the second, the disagreement kept neither and coded at once."""
    from qualcode.coding.service import recode_coding

    with Project.open(team) as project, project.begin() as session:
        code(session, A, EMPOWERMENT, TRUST)
        code(session, B, PRESSURE, PRESS)
        third = get_or_create_coder(session, C)
        [made] = decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, get_or_create_coder(session, A))
        recode_coding(session, made.id, PRESSURE, third)
        [again] = [item for item in disagreements(session, "intervju", A, B) if item.code_path == EMPOWERMENT and item.a]
        assert not again.decisions
        decide(session, again, Choice.NEITHER, get_or_create_coder(session, B))
        with pytest.raises(InvalidInput, match=f"{B} decided this {EMPOWERMENT} disagreement on line 4 again since"):
            undo(session, third)
        assert session.get_one(Coding, made.id).code.path == PRESSURE
        [decided] = [item for item in disagreements(session, "intervju", A, B) if item.code_path == EMPOWERMENT and item.a]
        assert [decision.what for decision in decided.decisions] == ["kept neither"]


def test_a_decision_whose_consensus_coding_was_recoded_says_so_not_that_the_codings_agree(team: Path) -> None:
    """A probe: listed on its own under the code its coding has now, it was stale as "the two codings agree now",
    though neither coder's coding had changed and the two never agreed."""
    from qualcode.coding.service import recode_coding

    with Project.open(team) as project, project.begin() as session:
        code(session, A, EMPOWERMENT, TRUST)
        code(session, B, PRESSURE, PRESS)
        [made] = decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, get_or_create_coder(session, A))
        recode_coding(session, made.id, PRESSURE, get_or_create_coder(session, C))
        [moved] = [item for item in disagreements(session, "intervju", A, B) if (item.a, item.b) == (None, None)]
        assert moved.code_path == PRESSURE and moved.stale == "the consensus coding it made was recoded since"


def test_redoing_a_decision_coded_the_same_way_since_says_how_to_take_that_one_back(team: Path) -> None:
    """A probe: refused as "this passage is already coded empowerment by konsensus (coding 4)", with nothing to do."""
    with Project.open(team) as project, project.begin() as session:
        code(session, A, EMPOWERMENT, TRUST)
        code(session, B, PRESSURE, PRESS)
        chair, other = get_or_create_coder(session, A), get_or_create_coder(session, B)
        decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, chair)
        undo(session, chair)
        [again] = decide(session, disagreements(session, "intervju", A, B)[0], Choice.A, other)
        with pytest.raises(InvalidInput, match=f"already coded {EMPOWERMENT} by {CONSENSUS_CODER} .coding {again.id}.") as refused:
            redo(session, chair)
        assert refused.value.hint is not None and "qualcode consensus reopen" in refused.value.hint
        assert live(session, CONSENSUS_CODER) == [(EMPOWERMENT, again.start, again.end)]


def test_a_decision_on_a_withdrawn_participants_passage_in_a_group_interview_leaves_with_it(demo: Path) -> None:
    """A group interview stays when one of its speakers withdraws, and so did a decision to keep neither of two
    coders' passages on their words: at its old offsets, listed as a stale decision on the words of whoever spoke
    there after the rewrite ("agen. Jeg har to barn, …", D6's). A decision on another's passage stays and moves."""
    from qualcode.coding.consensus import standing_decisions

    group = "gruppeintervju_G1"
    with Project.open(demo) as project, project.begin() as session:
        first, second = get_or_create_coder(session, A), get_or_create_coder(session, B)
        add_coding(session, group, "brukermedvirkning/tvang og krav", first,
                   match="Det er jo sånn at hvis du sier nei, så mister du sosialhjelpa.")
        add_coding(session, group, "brukermedvirkning/tvang og krav", second,
                   match="Så det er ikke frivillig, selv om de kaller det det.")
        add_coding(session, group, "empowerment/fellesskap med andre", first, match="Vi støtter hverandre.")
        found = disagreements(session, group, A, B)
        assert len(found) == 3
        for item in found:
            decide(session, item, Choice.NEITHER, first)
        assert standing_decisions(session) == 3
        withdraw_participant(session, "D5", PseudonymKey("test"), first)
        [left] = disagreements(session, group, A, B)
        assert left.excerpt == "Vi støtter hverandre." and left.kept_neither and left.settled
        assert standing_decisions(session) == 1
