"""Merging, moving and deleting a code from the reader, driven by Pilot against a real project: the same
Workspace methods `qualcode codebook merge|move|delete` call, each one change that ctrl+z takes back."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from qualcode.codebook.service import create_code, find_code, rename_code
from qualcode.coding.coders import get_or_create_coder
from qualcode.store.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.modals.choice import ChoiceModal
from qualcode.tui.modals.code_picker import CodePicker
from qualcode.tui.screens.reader import ReaderScreen
from tests.conftest import burst, open_tui, screen_text, settle, until_shown
from tests.test_cli import run
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
        assert f"{SELF} — ctrl+z to undo; note: {HOPE}'s definition" in reader.status_text
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
        create_code(session, "brukermedvirkning/[b]avmakt", coder=get_or_create_coder(session, "Forsker 1"))
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await code(app, pilot, reader, FIRST, "e")
        before = code_paths(sample_project)
        await pilot.press("J")
        await pick(app, pilot, "brukermedvirkning", "Merge empowerment into which code?")
        said = ("the sub-code empowerment/[b]avmakt would go under brukermedvirkning beside brukermedvirkning/[b]avmakt,"
                " a name nobody could tell from it; nothing changed")
        await until(app, pilot, lambda: said in reader.status_text, "refused")
        assert reader.status_text.startswith("error: ") and "\n" not in reader.status_text
        await until_shown(app, pilot, lambda text: "empowerment/[b]avmakt would go under" in text)  # not read as markup
        assert [coding.code_path for coding in reader.document.codings] == ["empowerment"]
    assert code_paths(sample_project) == before


SMALL = (80, 24)  # a terminal over SSH


async def test_refusals_and_notes_say_the_terminal_uis_keys_and_the_command_line_keeps_its_own(sample_project: Path) -> None:
    """The reader said "move them first (`qualcode codebook move SUB-CODE --under OTHER` or `--top`), or merge
    empowerment into another code with --into OTHER", "note: kept in the history: `qualcode undo` brings it back",
    and, in 80 columns, cut "— ctrl+z to undo" off the end of a merge's notes."""
    app = open_tui(sample_project)
    async with app.run_test(size=SMALL) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await pilot.press("X")
        await pick(app, pilot, "empowerment", "No coding at the cursor: delete which code?")
        await until(app, pilot, lambda: reader.status_text.startswith("error: code empowerment has sub-codes"), "refused")
        assert reader.status_text.endswith("nothing changed (move them first (M on each; ctrl+t in the picker: to the top level),"
                                           " or merge empowerment into another code (J), which takes them along)")

        await code(app, pilot, reader, SECOND, "a")
        await code(app, pilot, reader, FIRST, "h")
        await pilot.press("J")
        await pick(app, pilot, "selvbilde og selvtillit", f"Merge {HOPE} into which code?")
        await until(app, pilot, lambda: reader.status_text.startswith(f"merged code {HOPE}"), "merged")
        assert "qualcode" not in reader.status_text and f"note: {HOPE}'s definition" in reader.status_text
        await until_shown(app, pilot, lambda text: "— ctrl+z to undo" in text)

        reader.view.move_to(reader.document.text.index(SECOND))
        await pilot.press("X")
        await answer(app, pilot, f"{OWN_LIFE} has 1 coding.", "with")
        await answer(app, pilot, f"Delete {OWN_LIFE} and its 1 coding?", "delete")
        await until(app, pilot, lambda: reader.status_text.startswith("deleted"), "deleted")
        assert reader.status_text == f"deleted code {OWN_LIFE} (with its 1 coding) — ctrl+z to undo"

    refused = run("--project", str(sample_project), "--coder", "Forsker 1", "codebook", "delete", "empowerment")
    assert refused.exit_code == 1 and "move them first (`qualcode codebook move SUB-CODE --under OTHER` or `--top`)" in refused.output
    assert "M on each" not in refused.output


async def test_a_code_is_not_offered_to_be_merged_or_moved_into_itself_or_its_sub_codes(sample_project: Path) -> None:
    """The picker listed the code being merged first, as the code used last: J and Enter merged it into itself (refused)."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await code(app, pilot, reader, FIRST, "h")
        await pilot.press("J")
        await until(app, pilot, lambda: isinstance(app.screen, CodePicker), "the picker")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, CodePicker) and HOPE not in [code.path for code in picker.shown]
        picker.query_one("#picker-query", Input).value = "håp og motivasjon"
        await settle(pilot)
        assert HOPE not in [code.path for code in picker.shown]
        await pilot.press("escape")
        await until(app, pilot, lambda: reader.status_text == f"nothing merged: {HOPE} is as it was", "said")

        await pilot.press("escape", "right")  # the message; off the coding
        reader.view.move_to(0)
        await pilot.press("M")
        await pick(app, pilot, "empowerment", "No coding at the cursor: move which code?")
        await until(app, pilot, lambda: isinstance(app.screen, CodePicker) and "under which code" in str(
            app.screen.query_one("#picker-prompt", Static).render()), "asked where")
        await settle(pilot)
        assert isinstance(app.screen, CodePicker) and not [code.path for code in app.screen.shown if code.path.startswith("empowerment")]
        await pilot.press("escape")
        await until(app, pilot, lambda: reader.status_text == "nothing moved: empowerment is where it was", "said")
    assert HOPE in code_paths(sample_project)


async def test_escape_in_the_picker_after_x_says_nothing_was_deleted(sample_project: Path) -> None:
    """X, "into another code", then Escape in the picker left the question in the status line, as if still asked."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await code(app, pilot, reader, FIRST, "h")
        await pilot.press("X")
        await answer(app, pilot, f"{HOPE} has 1 coding.", "into")
        await until(app, pilot, lambda: isinstance(app.screen, CodePicker), "the picker")
        await pilot.press("escape")
        await until(app, pilot, lambda: reader.status_text == f"nothing deleted: {HOPE} keeps its 1 coding", "said")
    assert HOPE in code_paths(sample_project)


async def test_x_pressed_twice_at_once_asks_once(sample_project: Path) -> None:
    """X twice, as a hurried hand over SSH sends it, before the first one's question came: two questions stacked,
    the second about a code the first one's answer had deleted."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await code(app, pilot, reader, FIRST, "h")
        burst(app, "X", "X", "J")
        await until(app, pilot, lambda: isinstance(app.screen, ChoiceModal), "asked")
        await settle(pilot, 3)
        assert [type(screen) for screen in app.screen_stack[-2:]] == [ReaderScreen, ChoiceModal]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is reader
        await pilot.press("X")  # and asked again, once the first is answered
        await until(app, pilot, lambda: isinstance(app.screen, ChoiceModal), "asked again")


async def test_keys_typed_after_x_answer_its_question_about_the_codings(sample_project: Path) -> None:
    """`X down down enter` in one burst, as a hand that knows the question sends it: the keys after X were dropped
    as typed for a change not made ("3 keys typed after it were not acted on") while the question stayed open;
    they are the question's, as the keys after `m` are the memo's."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await code(app, pilot, reader, FIRST, "h")
        burst(app, "X", "down", "down", "enter", "right_square_bracket")
        await until(app, pilot, lambda: reader.status_text == f"nothing deleted: {HOPE} keeps its 1 coding", "kept, by the keys typed")
        await settle(pilot, 3)
        assert app.screen is reader
        assert HOPE in code_paths(sample_project)
        assert reader.view.cursor > reader.document.text.index(FIRST)  # `]` after the dialog's Enter is the reader's again


async def test_a_code_merged_away_by_another_command_is_said_so_and_the_marks_follow(sample_project: Path) -> None:
    """A colleague's `codebook merge` while the reader was open: once the reader had read the codebook again (c),
    X, J and M on a coding of the merged-away code did nothing and said nothing, and its marks named it still."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await code(app, pilot, reader, FIRST, "h")
        assert run("--project", str(sample_project), "--coder", "Forsker 2", "codebook", "merge", HOPE, SELF).exit_code == 0
        await pilot.press("c", "escape")  # the codebook read again, as the picker and c read it
        await until(app, pilot, lambda: HOPE not in {code.path for code in reader.codes}, "read again")
        await pilot.press("X")
        await until(app, pilot, lambda: reader.status_text.startswith(f"{HOPE}, the code of the coding here, is no longer in the codebook"),
                    "said")
        await until(app, pilot, lambda: [coding.code_path for coding in reader.document.codings] == [SELF], "the marks")
        await pilot.press("X")  # now the code it is
        await answer(app, pilot, f"{SELF} has 1 coding.", "cancel")


async def test_a_code_removed_since_the_reader_read_the_codebook_is_refused_and_the_marks_follow(sample_project: Path) -> None:
    """The reader's list not read again: the change is refused as the code is gone, and the marks then named it still."""
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await code(app, pilot, reader, FIRST, "h")
        assert run("--project", str(sample_project), "--coder", "Forsker 2", "codebook", "merge", HOPE, SELF).exit_code == 0
        await pilot.press("M")
        await until(app, pilot, lambda: isinstance(app.screen, CodePicker), "the picker")
        await pilot.press("ctrl+t")
        await until(app, pilot, lambda: reader.status_text.startswith(f"error: no code {HOPE!r} in this project"), "refused")
        await until(app, pilot, lambda: [coding.code_path for coding in reader.document.codings] == [SELF], "the marks")


async def test_j_is_refused_for_a_blind_coder_before_a_code_is_picked(sample_project: Path) -> None:
    """A blind coder picked the code to merge into, and only then heard that merging was not for them."""
    from qualcode.config import Config
    from qualcode.workspace import Workspace

    app = QualcodeApp(Workspace.open(Config.resolve(project=sample_project, coder="Forsker 1", blind=True)))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await code(app, pilot, reader, FIRST, "h")
        await pilot.press("J")
        await until(app, pilot, lambda: "merging codes shows others' codings" in reader.status_text, "refused")
        assert app.screen is reader and reader.status_text.endswith("(start qualcode tui --no-blind)")


async def test_the_question_about_a_long_named_codes_codings_shows_every_answer_in_80_by_24(sample_project: Path) -> None:
    """Each answer named the code again: a long path, said four times, pushed the answers off the screen."""
    long = "veldig lang kode " * 11 + "slutt"
    with Project.open(sample_project) as project, project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        rename_code(session, "empowerment", long[:150], coder)
        rename_code(session, f"{long[:150]}/håp og motivasjon", long, coder)
    app = open_tui(sample_project)
    async with app.run_test(size=SMALL) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await code(app, pilot, reader, FIRST, "h")
        await pilot.press("X")
        await until(app, pilot, lambda: isinstance(app.screen, ChoiceModal), "asked")
        await until_shown(app, pilot, lambda text: "Cancel: keep the code and its 1 coding" in text)
        shown = screen_text(app)
        assert "Merge them into another code" in shown and "Delete them with the code" in shown
