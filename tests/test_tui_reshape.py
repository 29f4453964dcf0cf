"""Merging, moving and deleting a code from the reader, driven by Pilot against a real project: the same
Workspace methods `qualcode codebook merge|move|delete` call, each one change that ctrl+z takes back."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from qualcode.codebook.service import find_code, rename_code
from qualcode.coding.coders import get_or_create_coder
from qualcode.store.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.modals.choice import ChoiceModal
from qualcode.tui.modals.code_picker import CodePicker
from qualcode.tui.screens.reader import ReaderScreen
from tests.conftest import open_tui, screen_text, settle, until_shown
from tests.test_tui import SIZE, codings_in, open_first, select_sentence, until

HOPE = "empowerment/håp og motivasjon"
SELF = "empowerment/selvbilde og selvtillit"
OWN_LIFE = "empowerment/ansvar for eget liv"
TOGETHER = "empowerment/fellesskap med andre"
FIRST = "Jeg har vært her i seks år."
SECOND = "Det er ingen tvil om at det blir fulgt med på."
THIRD = "Da blir det spørsmål."


async def code(app: QualcodeApp, pilot: Pilot[None], reader: ReaderScreen, sentence: str, key: str) -> None:
    """`sentence` coded with the code whose key is `key`, the cursor left on it."""
    await select_sentence(pilot, reader, sentence)
    await pilot.press("c", key)
    await until(app, pilot, lambda: reader.status_text.startswith("coded"), f"coded {sentence}")
    await pilot.press("escape")  # the message; the cursor stays on the passage
    reader.view.move_to(reader.document.text.index(sentence))


async def pick(app: QualcodeApp, pilot: Pilot[None], typed: str, prompt: str) -> None:
    """The picker, asking `prompt`: `typed` in its field, Enter on the best match."""
    await until(app, pilot, lambda: isinstance(app.screen, CodePicker), "the picker")
    assert str(app.screen.query_one("#picker-prompt", Static).render()) == prompt  # as written: a name may hold "[b]"
    app.screen.query_one("#picker-query", Input).value = typed
    await settle(pilot)
    await pilot.press("enter")


async def answer(app: QualcodeApp, pilot: Pilot[None], question: str, chosen: str) -> None:
    """The question asked (a ChoiceModal saying `question`), answered with the answer `chosen`."""
    await until(app, pilot, lambda: isinstance(app.screen, ChoiceModal), f"asked: {question}")
    assert isinstance(app.screen, ChoiceModal)
    assert question in str(app.screen.query_one("#choice-question", Static).render())
    app.screen.query_one(OptionList).highlighted = [answer for answer, _ in app.screen.answers].index(chosen)
    await pilot.press("enter")


def code_paths(root: Path) -> set[str]:
    from sqlalchemy import select

    from qualcode.store.models import Code

    with Project.open(root) as project, project.begin() as session:
        return set(session.scalars(select(Code.path)))


async def test_j_merges_the_code_here_into_one_picked_and_ctrl_z_takes_it_back(sample_project: Path) -> None:
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await code(app, pilot, reader, SECOND, "s")
        await code(app, pilot, reader, FIRST, "h")
        guid = next(code.guid for code in reader.codes if code.path == HOPE)
        await pilot.press("J")
        await pick(app, pilot, "selvbilde og selvtillit", f"Merge {HOPE} into which code?")
        await until(app, pilot, lambda: reader.status_text.startswith(f"merged code {HOPE} into {SELF}: 1 coding now {SELF}"), "merged")
        assert reader.status_text.endswith("— ctrl+z to undo") and f"note: {HOPE}'s definition" in reader.status_text
        assert [coding.code_path for coding in reader.document.codings] == [SELF, SELF]  # the marks
        assert HOPE not in {code.path for code in reader.codes} and HOPE not in {code.path for code in app.codes}
        assert "selvbilde og selvtillit" in screen_text(app)  # the panel names the code under the cursor
        assert sorted(path for path, _, _ in codings_in(sample_project)) == [SELF, SELF]
        await pilot.press("ctrl+z")
        await until(app, pilot, lambda: reader.status_text.startswith("undid"), "undone")
        assert sorted(coding.code_path for coding in reader.document.codings) == [HOPE, SELF]
        assert HOPE in {code.path for code in reader.codes}
    assert sorted(path for path, _, _ in codings_in(sample_project)) == [HOPE, SELF]
    with Project.open(sample_project) as project, project.begin() as session:
        assert find_code(session, HOPE).guid == guid


async def test_m_moves_the_code_here_under_one_picked_and_ctrl_t_to_the_top(sample_project: Path) -> None:
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await code(app, pilot, reader, FIRST, "s")
        guid = next(code.guid for code in reader.codes if code.path == SELF)
        await pilot.press("M")
        await pick(app, pilot, "brukermedvirkning", f"Move {SELF} under which code? (ctrl+t: to the top level)")
        moved = "brukermedvirkning/selvbilde og selvtillit"
        await until(app, pilot, lambda: reader.status_text == f"moved code {SELF} to {moved} — ctrl+z to undo", "moved under")
        assert [coding.code_path for coding in reader.document.codings] == [moved]
        assert moved in {code.path for code in reader.codes} and SELF not in {code.path for code in app.codes}
        await pilot.press("M")
        await until(app, pilot, lambda: isinstance(app.screen, CodePicker), "the picker")
        await pilot.press("ctrl+t")
        await until(app, pilot, lambda: reader.status_text == f"moved code {moved} to selvbilde og selvtillit — ctrl+z to undo",
                    "moved to the top")
        assert [coding.code_path for coding in reader.document.codings] == ["selvbilde og selvtillit"]
        with Project.open(sample_project) as project, project.begin() as session:
            top = find_code(session, guid)
            assert (top.path, top.parent) == ("selvbilde og selvtillit", None)
        await pilot.press("ctrl+z")
        await until(app, pilot, lambda: reader.status_text.startswith("undid"), "undone")
        assert [coding.code_path for coding in reader.document.codings] == [moved]


async def test_x_deletes_an_empty_code_picked_where_no_coding_is_at_the_cursor(sample_project: Path) -> None:
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await pilot.press("X")
        await pick(app, pilot, "samarbeid stat og kommune", "No coding at the cursor: delete which code?")
        await until(app, pilot, lambda: reader.status_text == "deleted code samarbeid stat og kommune — ctrl+z to undo", "deleted")
        assert "samarbeid stat og kommune" not in {code.path for code in reader.codes}
        assert "samarbeid stat og kommune" not in code_paths(sample_project)


async def test_x_on_a_code_with_codings_asks_to_merge_them_delete_them_with_it_or_keep_it(sample_project: Path) -> None:
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await code(app, pilot, reader, THIRD, "f")
        await code(app, pilot, reader, SECOND, "a")
        await code(app, pilot, reader, FIRST, "h")
        before = sorted(codings_in(sample_project))

        # Cancel, and Escape: nothing deleted.
        await pilot.press("X")
        await answer(app, pilot, f"{HOPE} has 1 coding. What becomes of them?", "cancel")
        await until(app, pilot, lambda: reader.status_text == f"nothing deleted: {HOPE} keeps its 1 coding", "kept")
        await pilot.press("X")
        await until(app, pilot, lambda: isinstance(app.screen, ChoiceModal), "asked")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and sorted(codings_in(sample_project)) == before

        # Into another code: a merge, its coding now that code's.
        await pilot.press("X")
        await answer(app, pilot, f"{HOPE} has 1 coding.", "into")
        await pick(app, pilot, "selvbilde og selvtillit", f"Merge {HOPE} and its 1 coding into which code?")
        await until(app, pilot, lambda: reader.status_text.startswith(f"merged code {HOPE} into {SELF}"), "merged")
        assert HOPE not in code_paths(sample_project)
        assert sorted(coding.code_path for coding in reader.document.codings) == sorted([TOGETHER, OWN_LIFE, SELF])

        # With its codings, confirmed, saying how many and that undo brings them back; then kept, once asked again.
        reader.view.move_to(reader.document.text.index(SECOND))
        await pilot.press("X")
        await answer(app, pilot, f"{OWN_LIFE} has 1 coding.", "with")
        await answer(app, pilot, f"Delete {OWN_LIFE} and its 1 coding? They are kept in the history: ctrl+z (undo) brings them back.",
                     "delete")
        await until(app, pilot, lambda: reader.status_text.startswith(f"deleted code {OWN_LIFE} (with its 1 coding)"), "deleted")
        assert sorted(coding.code_path for coding in reader.document.codings) == sorted([TOGETHER, SELF])
        assert OWN_LIFE not in code_paths(sample_project)
        reader.view.move_to(reader.document.text.index(THIRD))
        await pilot.press("X")
        await answer(app, pilot, f"{TOGETHER} has 1 coding.", "with")
        await answer(app, pilot, f"Delete {TOGETHER} and its 1 coding?", "keep")
        await until(app, pilot, lambda: reader.status_text == f"nothing deleted: {TOGETHER} keeps its 1 coding", "kept")
        assert TOGETHER in code_paths(sample_project)

        await pilot.press("ctrl+z")  # the deletion, its coding with it
        await until(app, pilot, lambda: reader.status_text.startswith("undid"), "undone")
        assert sorted(coding.code_path for coding in reader.document.codings) == sorted([TOGETHER, OWN_LIFE, SELF])
    assert sorted(path for path, _, _ in codings_in(sample_project)) == sorted([TOGETHER, OWN_LIFE, SELF])


async def test_a_refused_merge_says_why_in_one_line_and_shows_code_names_as_written(sample_project: Path) -> None:
    with Project.open(sample_project) as project, project.begin() as session:
        rename_code(session, "empowerment/avmakt", "[b]avmakt", get_or_create_coder(session, "Forsker 1"))
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await code(app, pilot, reader, FIRST, "e")
        before = code_paths(sample_project)
        await pilot.press("J")
        await pick(app, pilot, "[b]avmakt", "Merge empowerment into which code?")
        said = "code empowerment/[b]avmakt is a sub-code of empowerment, which cannot be merged into its own sub-code"
        await until(app, pilot, lambda: said in reader.status_text, "refused")
        assert reader.status_text.startswith("error: ") and "\n" not in reader.status_text
        await until_shown(app, pilot, lambda text: "empowerment/[b]avmakt is a sub-code" in text)  # not read as markup
        assert [coding.code_path for coding in reader.document.codings] == ["empowerment"]
    assert code_paths(sample_project) == before
