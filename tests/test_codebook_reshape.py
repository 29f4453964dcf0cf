"""Reshaping the codebook in thematic analysis: merging a code into another, moving one under another
theme, deleting one no longer used. Each is one change that undo takes back whole, row for row, and
redo makes again; each refusal leaves the project as it was."""

from __future__ import annotations

import re
import shlex
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.analysis.framework import set_summary
from qualcode.codebook.model import Codebook, CodeSpec
from qualcode.codebook.service import (
    apply_codebook,
    create_code,
    find_code,
    rename_code,
    update_code,
)
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.consensus import Choice, decide, disagreements
from qualcode.coding.history import undo
from qualcode.coding.memos import add_memo
from qualcode.coding.service import add_coding, remove_coding
from qualcode.store.models import Code, Coding, Event, FrameworkSummary, Memo
from qualcode.store.project import DATABASE_FILE, PROJECT_DIR, Project
from tests.test_cli import run

HOPE = "empowerment/håp og motivasjon"  # merged away
SELF = "empowerment/selvbilde og selvtillit"  # merged into
TRO = "Jeg har begynt å tro at jeg faktisk kan noe."  # coded SELF by Forsker 1 in the coded samples


def tables(root: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, table by table: all but the event log, which grows with each step, and the
    analysis stamp, which every write renews."""
    with closing(sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE)) as database:
        names = [name for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: sorted(database.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
                for name in names if name != "events"} | {
            "settings": database.execute("SELECT * FROM settings WHERE key != 'analysis.stamp' ORDER BY key").fetchall()}


def dump(root: Path) -> str:
    """The whole database as SQL, event log and stamp too: what a refusal must leave as it was."""
    with closing(sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE)) as database:
        return "\n".join(database.iterdump())


@contextmanager
def session_in(root: Path) -> Iterator[Session]:
    with Project.open(root) as project, project.begin() as session:
        yield session


@pytest.fixture
def root(tmp_path: Path, coded_template: tuple[Path, dict[str, Any]]) -> Path:
    """The coded samples, and around the code to merge away everything it can hold: a coding of the passage Forsker 1
    coded SELF (with a memo of its own and one on it by Forsker 2), Forsker 2's coding of a passage Forsker 1 coded
    too, a removed coding, a sub-code with a coding, a memo on the code, and framework summaries of D1 under both
    codes and of D2 under HOPE only."""
    shutil.copytree(coded_template[0], tmp_path / "project")
    root = tmp_path / "project"
    with session_in(root) as session:
        first, second = get_or_create_coder(session, "Forsker 1"), get_or_create_coder(session, "Forsker 2")
        twin = add_coding(session, "deltaker_D1_T1", HOPE, first, match=TRO, memo="Håp, eller tro på seg selv?")
        add_memo(session, "Ser ut som selvtillit", second, coding_ref=str(twin.id))
        add_coding(session, "deltaker_D1_T2", HOPE, second, match="Det er en ny start.")
        gone = add_coding(session, "deltaker_D1_T1", HOPE, first, match="Jeg følte meg som en snylter")
        remove_coding(session, gone.id, first)
        create_code(session, f"{HOPE}/framtidstro", {"definition": "Tro på framtida"}, first)
        add_coding(session, "deltaker_D1_T2", f"{HOPE}/framtidstro", first, match="Det er en ny start.")
        add_memo(session, "Henger tett sammen med selvbilde", first, code_ref=HOPE)
        set_summary(session, "D1", HOPE, "Ny start, nytt håp", first)
        set_summary(session, "D1", SELF, "Tror mer på seg selv", first)
        set_summary(session, "D2", HOPE, "Lite håp i starten", first)
    return root


def cli(root: Path, *args: str, coder: str = "Forsker 1") -> Any:
    return run("--project", str(root), "--coder", coder, *args)


def test_a_merge_recodes_folds_moves_and_keeps_a_record_and_undo_and_redo_take_it_whole(root: Path) -> None:
    before = tables(root)
    merged = cli(root, "codebook", "merge", HOPE, SELF)
    assert merged.exit_code == 0, merged.output
    assert merged.output.startswith(f"merged code {HOPE} into {SELF}: 3 codings now {SELF}; 1 folded into")
    after = tables(root)

    with session_in(root) as session:
        assert session.scalar(select(Code).where(Code.path == HOPE)) is None
        target = find_code(session, SELF)
        assert [child.path for child in target.children] == [f"{SELF}/framtidstro"]
        live = session.scalars(select(Coding).where(Coding.code_id == target.id, Coding.removed_at.is_(None))).all()
        # Forsker 1's passage coded both ways is one coding, with both memos; Forsker 2's ny start and Forsker 1's are two.
        assert sorted((coding.coder.name, coding.excerpt[:20]) for coding in live) == [
            ("Forsker 1", "Det er en ny start."), ("Forsker 1", TRO[:20]), ("Forsker 2", "Det er en ny start."),
        ]
        kept = next(coding for coding in live if coding.excerpt == TRO)
        assert kept.memo == "Håp, eller tro på seg selv?"
        assert [memo.text for memo in session.scalars(select(Memo).where(Memo.coding_id == kept.id))] == ["Ser ut som selvtillit"]
        folded = session.scalars(select(Coding).where(Coding.code_id == target.id, Coding.excerpt == TRO, Coding.id != kept.id)).one()
        assert folded.removed_at is not None  # kept as the record of what was folded
        code_memos = {memo.title: memo.text for memo in session.scalars(select(Memo).where(Memo.code_id == target.id))}
        assert code_memos[None] == "Henger tett sammen med selvbilde"
        assert code_memos[f"Slått sammen hit: {HOPE}"].startswith(f"Koden {HOPE} (GUID ")
        summaries = {summary.participant.name: summary.text for summary in session.scalars(
            select(FrameworkSummary).where(FrameworkSummary.code_id == target.id))}
        assert summaries == {"D1": f"Tror mer på seg selv\n\n{HOPE}: Ny start, nytt håp", "D2": "Lite håp i starten"}
        assert session.scalar(select(func.count()).select_from(Event).where(Event.action == "code.merge")) == 1

    shown = cli(root, "codebook", "history", SELF)
    assert f"merged code {HOPE} into {SELF}" in shown.output
    gone = cli(root, "codebook", "history", HOPE)  # a code merged away is found by the path it had
    assert gone.exit_code == 0 and f"merged code {HOPE} into {SELF}" in gone.output
    assert cli(root, "codebook", "history", HOPE.upper()).output == gone.output  # in any case, as a code still there is
    assert f"merged code {HOPE} into {SELF}" in cli(root, "history").output

    assert cli(root, "undo").exit_code == 0
    assert tables(root) == before
    assert cli(root, "redo").exit_code == 0
    assert tables(root) == after
    assert cli(root, "undo").exit_code == 0
    assert tables(root) == before


@pytest.mark.parametrize(("args", "says"), [
    (("merge", HOPE, HOPE), f"code {HOPE} cannot be merged into itself"),
    (("merge", HOPE, f"{HOPE}/framtidstro"), f"code {HOPE}/framtidstro is a sub-code of {HOPE}"),
    (("move", "empowerment", "--under", f"{HOPE}/framtidstro"), "cannot be moved under its own sub-code"),
    (("move", HOPE, "--under", HOPE), "cannot be moved under itself"),
    (("move", HOPE, "--under", "empowerment"), "is under empowerment already"),
    (("delete", HOPE), f"code {HOPE} has sub-codes"),
    (("delete", SELF), f"code {SELF} has 1 coding"),
    (("delete", SELF, "--into", HOPE, "--with-codings"), "--into keeps the codings under another code"),
    (("move", SELF), "say where to move the code"),
])
def test_refusals_say_what_to_do_in_one_line_and_change_nothing(root: Path, args: tuple[str, ...], says: str) -> None:
    before = dump(root)
    refused = cli(root, "codebook", *args)
    assert refused.exit_code == 1, refused.output
    assert says in refused.output and len(refused.output.strip().splitlines()) <= 2, refused.output  # the error and its hint
    assert dump(root) == before


def test_a_sub_code_that_would_clash_under_the_target_is_refused_naming_both(root: Path) -> None:
    with session_in(root) as session:
        create_code(session, f"{SELF}/Framtidstro", {}, get_or_create_coder(session, "Forsker 1"))
    before = dump(root)
    refused = cli(root, "codebook", "merge", HOPE, SELF)
    assert refused.exit_code == 1
    assert f"the sub-code {HOPE}/framtidstro would go under {SELF} beside {SELF}/Framtidstro" in refused.output
    assert "rename one of them first" in refused.output
    assert dump(root) == before


def test_a_move_keeps_the_guid_and_codings_and_undo_puts_it_back(root: Path) -> None:
    with session_in(root) as session:
        guid = find_code(session, HOPE).guid
    before = tables(root)
    moved = cli(root, "codebook", "move", HOPE, "--under", "brukermedvirkning")
    assert moved.exit_code == 0, moved.output
    assert moved.output.strip() == f"moved code {HOPE} to brukermedvirkning/håp og motivasjon"
    with session_in(root) as session:
        code = find_code(session, guid)
        assert code.path == "brukermedvirkning/håp og motivasjon" and code.children[0].path == f"{code.path}/framtidstro"
    after = tables(root)
    assert cli(root, "undo").exit_code == 0 and tables(root) == before
    assert cli(root, "redo").exit_code == 0 and tables(root) == after
    top = cli(root, "codebook", "move", guid, "--top")
    assert top.output.strip() == "moved code brukermedvirkning/håp og motivasjon to håp og motivasjon"


def test_a_move_beside_a_code_of_the_same_name_is_refused(root: Path) -> None:
    with session_in(root) as session:
        create_code(session, "brukermedvirkning/Håp og motivasjon", {}, get_or_create_coder(session, "Forsker 1"))
    before = dump(root)
    refused = cli(root, "codebook", "move", HOPE, "--under", "brukermedvirkning")
    assert refused.exit_code == 1
    assert "brukermedvirkning/Håp og motivasjon is there" in refused.output and "rename one of them first" in refused.output
    assert dump(root) == before


def test_a_code_nobody_used_is_deleted_and_undo_brings_it_back_with_its_guid_and_shortcut(root: Path) -> None:
    before = tables(root)
    deleted = cli(root, "codebook", "delete", "samarbeid stat og kommune")
    assert deleted.exit_code == 0, deleted.output
    assert deleted.output.strip() == "deleted code samarbeid stat og kommune"
    after = tables(root)
    assert cli(root, "undo").exit_code == 0 and tables(root) == before
    assert cli(root, "redo").exit_code == 0 and tables(root) == after


def test_a_code_deleted_with_its_codings_keeps_them_in_the_record_for_undo(root: Path) -> None:
    before = tables(root)
    deleted = cli(root, "codebook", "delete", f"{HOPE}/framtidstro", "--with-codings")
    assert deleted.exit_code == 0, deleted.output
    assert deleted.output.startswith(f"deleted code {HOPE}/framtidstro (with its 1 coding)")
    with session_in(root) as session:
        assert session.scalar(select(func.count()).select_from(Coding).where(Coding.excerpt == "Det er en ny start.")) == 2
    assert cli(root, "undo").exit_code == 0 and tables(root) == before


def test_delete_into_another_code_is_a_merge(root: Path) -> None:
    deleted = cli(root, "codebook", "delete", HOPE, "--into", SELF)
    assert deleted.exit_code == 0, deleted.output
    assert deleted.output.startswith(f"merged code {HOPE} into {SELF}")


def test_a_code_a_merge_took_away_gives_its_guid_to_no_new_code(root: Path) -> None:
    with session_in(root) as session:
        guid = find_code(session, HOPE).guid
    assert cli(root, "codebook", "merge", HOPE, SELF).exit_code == 0
    with session_in(root) as session:  # `codebook add` as it makes it (the command wants the key, for the name typed)
        create_code(session, HOPE, {}, get_or_create_coder(session, "Forsker 1"))
        assert find_code(session, HOPE).guid != guid
        undo(session, get_or_create_coder(session, "Forsker 1"))
        # Nor a codebook file's, by its path or by the GUID a colleague's file from before the merge gives it.
        file = Codebook(name="x", codes=[CodeSpec(name="empowerment", children=[CodeSpec(name="håp og motivasjon")])])
        apply_codebook(session, file, get_or_create_coder(session, "Forsker 1"), guids={HOPE: guid})
        assert find_code(session, HOPE).guid != guid


def test_undo_of_someone_elses_coding_the_merge_recoded_is_refused_and_names_the_merge(root: Path) -> None:
    """It said "Forsker 1 changed this coding after you", not how: the merge went unnamed."""
    assert cli(root, "codebook", "merge", HOPE, SELF).exit_code == 0
    before = dump(root)
    refused = cli(root, "undo", coder="Forsker 2")
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1
    # The merge's summary, cut before its counts, which would not fit on the line.
    assert f"Forsker 1 changed this coding after you (merged code {HOPE} into {SELF} …); your undo would overwrite that" \
        in refused.output
    assert "Forsker 1 can undo that merge of codes first, or edit the coding yourself" in refused.output
    assert dump(root) == before


def test_a_merges_redo_refused_by_an_undone_decision_names_the_coding_and_the_undo(root: Path) -> None:
    """The probe's case: Anna undid her decision, whose coding the merge had moved, and the merger's redo was told
    "Anna changed this code after you": it was a coding, and nothing said which change stood in the way."""
    with session_in(root) as session:
        get_or_create_coder(session, "Forsker 3")  # who left Forsker 2's passage uncoded
        [disagreement] = disagreements(session, "deltaker_D1_T2", "Forsker 2", "Forsker 3")
        [decided] = decide(session, disagreement, Choice.A, get_or_create_coder(session, "Anna"))
    assert cli(root, "codebook", "merge", HOPE, SELF).exit_code == 0
    assert cli(root, "undo").exit_code == 0
    assert cli(root, "undo", coder="Anna").exit_code == 0
    before = dump(root)
    refused = cli(root, "redo")
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1
    assert f"Anna changed coding {decided.id} after you (undid: coded deltaker_D1_T2 " in refused.output
    assert "this code" not in refused.output
    assert "; your redo would overwrite that, so nothing was changed" in refused.output
    assert f"Anna can take back that undo with their redo first, or edit coding {decided.id} yourself" in refused.output
    assert dump(root) == before
    assert cli(root, "redo", coder="Anna").exit_code == 0  # as the hint says
    assert cli(root, "redo").exit_code == 0


def test_a_blind_coders_refused_undo_names_who_and_the_kind_of_change_only(root: Path) -> None:
    """The merge's summary counts every coder's codings it recoded, which blind coding hides: the refusal names
    it as `codebook history` does for a blind coder, without them; here by its kind alone."""
    assert cli(root, "coder", "add", "Medforsker 1", "--role", "medforsker").exit_code == 0
    assert cli(root, "coder", "blind", "on").exit_code == 0
    blind = cli(root, "coding", "add", "leder_L1", HOPE, "--match", "måltallet før jul", coder="Medforsker 1")
    assert blind.exit_code == 0, blind.output
    assert cli(root, "codebook", "merge", HOPE, SELF).exit_code == 0
    before = dump(root)
    refused = cli(root, "undo", coder="Medforsker 1")
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1
    assert "Forsker 1 changed this coding after you (a merge of codes); your undo would overwrite that" in refused.output
    assert "Forsker 1 can undo that merge of codes first, or edit the coding yourself" in refused.output
    assert "merged" not in refused.output and HOPE not in refused.output and not re.search(r"\d+ coding", refused.output)
    assert dump(root) == before
    seen = cli(root, "undo", coder="Forsker 2")  # one who is not blind is told the summary
    assert f"(merged code {HOPE} into {SELF} …)" in seen.output


def test_a_merge_undone_after_the_target_was_renamed_leaves_the_rename(root: Path) -> None:
    assert cli(root, "codebook", "merge", HOPE, SELF, coder="Forsker 2").exit_code == 0
    with session_in(root) as session:  # as `codebook rename` does it (which wants the key, for the name typed)
        rename_code(session, SELF, "selvbilde", get_or_create_coder(session, "Forsker 1"))
    undone = cli(root, "undo", coder="Forsker 2")
    assert undone.exit_code == 0, undone.output
    with session_in(root) as session:
        assert find_code(session, HOPE).path == HOPE
        assert find_code(session, "empowerment/selvbilde").children == []
        assert [child.name for child in find_code(session, HOPE).children] == ["framtidstro"]


def test_a_code_with_framework_summaries_is_not_deleted_but_merged(root: Path) -> None:
    with session_in(root) as session:
        first = get_or_create_coder(session, "Forsker 1")
        create_code(session, "framtid", {}, first)
        set_summary(session, "D1", "framtid", "Ser lyst på framtida", first)
    before = dump(root)
    refused = cli(root, "codebook", "delete", "framtid")
    assert refused.exit_code == 1 and "code framtid has framework summaries for 1 participant" in refused.output
    assert "--into OTHER" in refused.output
    assert dump(root) == before


def test_redo_of_a_merge_is_refused_once_someone_coded_the_code_again(root: Path) -> None:
    assert cli(root, "codebook", "merge", HOPE, SELF).exit_code == 0
    assert cli(root, "undo").exit_code == 0
    with session_in(root) as session:
        add_coding(session, "leder_L1", HOPE, get_or_create_coder(session, "Forsker 2"), match="måltallet før jul")
    before = dump(root)
    refused = cli(root, "redo")
    assert refused.exit_code == 1
    assert f"code {HOPE} has codings made since, so it cannot go again; nothing changed" in refused.output
    assert "merge it again instead" in refused.output
    assert dump(root) == before


def test_a_merge_is_refused_while_a_decision_to_code_neither_passage_names_the_code(root: Path) -> None:
    """Such a decision has no coding to move: merged, it would decide a disagreement of a code no longer there."""
    with session_in(root) as session:
        get_or_create_coder(session, "Forsker 3")  # who left Forsker 2's passage uncoded
        [disagreement] = disagreements(session, "deltaker_D1_T2", "Forsker 2", "Forsker 3")
        assert disagreement.code_path == HOPE
        decide(session, disagreement, Choice.NEITHER, get_or_create_coder(session, "Forsker 1"))
    before = dump(root)
    refused = cli(root, "codebook", "merge", HOPE, SELF)
    assert refused.exit_code == 1
    assert f"1 consensus decision on passages of {HOPE}" in refused.output and "reopen it first" in refused.output
    assert dump(root) == before


def hinted_command(output: str) -> list[str]:
    """The command a refusal's hint gives between backticks, as a shell would split it (without `qualcode`)."""
    command = re.search(r"`qualcode ([^`]+)`", output)
    assert command is not None, output
    return shlex.split(command.group(1))


@pytest.mark.parametrize("args", [
    ("merge", HOPE, f"{HOPE}/framtidstro"),
    ("move", HOPE, "--under", f"{HOPE}/framtidstro"),
])
def test_a_refusal_to_go_under_its_own_sub_code_names_the_sub_code_by_path_in_a_command_that_runs(
    root: Path, args: tuple[str, ...],
) -> None:
    """The hint gave `qualcode codebook move <GUID> --top` (or SUB-CODE), where the path says which code it is."""
    with session_in(root) as session:
        guid = find_code(session, f"{HOPE}/framtidstro").guid
    refused = cli(root, "codebook", *args)
    assert refused.exit_code == 1
    assert guid not in refused.output
    assert hinted_command(refused.output) == ["codebook", "move", f"{HOPE}/framtidstro", "--top"]
    assert cli(root, *hinted_command(refused.output)).exit_code == 0  # as copied from the hint into a shell
    moved_out = ["framtidstro" if arg == f"{HOPE}/framtidstro" else arg for arg in args]
    assert cli(root, "codebook", *moved_out).exit_code == 0, "the hint does what it says"


def test_a_move_under_itself_is_not_told_to_move_a_sub_code_out(root: Path) -> None:
    refused = cli(root, "codebook", "move", SELF, "--under", SELF)
    assert refused.exit_code == 1
    assert "cannot be moved under itself" in refused.output and "sub-code" not in refused.output


def test_an_undo_refused_for_a_shortcut_taken_since_names_its_holder_as_a_shell_reads_it(root: Path) -> None:
    """The hint said `qualcode codebook edit struktur i hverdagen --shortcut ''`: four words to a shell."""
    assert cli(root, "codebook", "delete", "samarbeid stat og kommune").exit_code == 0
    with session_in(root) as session:
        update_code(session, "struktur i hverdagen", {"shortcut": "0"}, get_or_create_coder(session, "Forsker 2"))  # the deleted code's
    before = dump(root)
    refused = cli(root, "undo")
    assert refused.exit_code == 1
    assert [shlex.split(command) for command in re.findall(r"`qualcode ([^`]+)`", refused.output)] == [
        ["codebook", "history", "struktur i hverdagen"], ["codebook", "edit", "struktur i hverdagen", "--shortcut", ""]]
    assert dump(root) == before


def test_a_refused_redo_of_a_deletion_names_the_code_by_its_path(root: Path) -> None:
    assert cli(root, "codebook", "delete", "samarbeid stat og kommune").exit_code == 0
    assert cli(root, "undo").exit_code == 0
    with session_in(root) as session:
        add_coding(session, "leder_L1", "samarbeid stat og kommune", get_or_create_coder(session, "Forsker 2"), match="måltallet før jul")
    refused = cli(root, "redo")
    assert refused.exit_code == 1
    assert hinted_command(refused.output) == ["codebook", "merge", "samarbeid stat og kommune", "OTHER"]


def test_a_code_merged_or_deleted_away_named_again_says_where_it_went(root: Path) -> None:
    """It said only "no code ... in this project", as for a typo."""
    assert cli(root, "codebook", "merge", HOPE, SELF, coder="Forsker 2").exit_code == 0
    with session_in(root) as session:
        guid = session.scalars(select(Event.entity_guid).where(Event.action == "code.merge")).one()
    for named in (HOPE, HOPE.upper(), guid):
        refused = cli(root, "codebook", "move", named, "--top")
        assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1
        assert f"no code {named!r} in this project: Forsker 2 merged it into {SELF} on " in refused.output
        assert f"use '{SELF}' instead; `qualcode codebook history '{HOPE}'` shows what became of it" in refused.output
    assert cli(root, "codebook", "merge", SELF, "brukermedvirkning").exit_code == 0
    assert f"merged it into {SELF} on " in (again := cli(root, "codebook", "move", HOPE, "--top").output)
    assert ", since merged into brukermedvirkning (hint: use brukermedvirkning instead" in again
    assert cli(root, "codebook", "delete", "samarbeid stat og kommune").exit_code == 0
    gone = cli(root, "coding", "add", "leder_L1", "samarbeid stat og kommune", "--match", "måltallet før jul")
    assert gone.exit_code == 1 and "Forsker 1 deleted it on " in gone.output
    assert cli(root, "undo").exit_code == 0  # brought back: found again
    assert cli(root, "codebook", "move", "samarbeid stat og kommune", "--under", "helse").exit_code == 0


def test_a_blind_coder_is_told_no_count_of_others_codings_by_a_refused_deletion_or_a_code_s_history(root: Path) -> None:
    """`codebook history` showed a merge's "3 codings now …; 1 folded …" and a refused deletion "has 1 coding",
    counting others' codings, which `qualcode history` and `codebook show` hide from a blind coder."""
    assert cli(root, "coder", "add", "Medforsker 1", "--role", "medforsker").exit_code == 0
    assert cli(root, "coder", "blind", "on").exit_code == 0
    assert cli(root, "codebook", "merge", HOPE, SELF).exit_code == 0
    seen = cli(root, "codebook", "history", SELF, coder="Medforsker 1")
    assert seen.exit_code == 0 and f"merged code {HOPE} into {SELF}\n" in seen.output and "coding" not in seen.output
    before = dump(root)
    refused = cli(root, "codebook", "delete", f"{SELF}/framtidstro", coder="Medforsker 1")
    # "has codings" told a blind coder who had coded nothing with it that others had.
    assert refused.exit_code == 1 and f"code {SELF}/framtidstro is in use; nothing changed" in refused.output
    assert "coding" not in refused.output and "ask whoever leads the study" in refused.output and dump(root) == before
    with session_in(root) as session:  # their own codings they may be told of, whatever others coded
        add_coding(session, "deltaker_D1_T1", f"{SELF}/framtidstro", get_or_create_coder(session, "Medforsker 1"),
                   match="Jeg følte meg som en snylter")
    refused = cli(root, "codebook", "delete", f"{SELF}/framtidstro", coder="Medforsker 1")
    assert refused.exit_code == 1 and f"code {SELF}/framtidstro is in use (1 coding of yours); nothing changed" in refused.output
    assert f"{SELF}: 3 codings now" in cli(root, "codebook", "history", SELF).output  # the others' counts, for others


def test_a_blind_coder_s_merge_deletion_undo_and_history_tell_no_count_of_others_work(root: Path) -> None:
    """A blind coder's deletion said "its 2 memos now on the project", counting memos on the code by others, which
    `memo list` hides from them, and so did its undo, redo and their `history`; a refused merge told them to have
    the blind phase ended, where a deletion tells them to ask for the change."""
    unused = "samarbeid stat og kommune"
    assert cli(root, "coder", "add", "Medforsker 1", "--role", "medforsker").exit_code == 0
    assert cli(root, "coder", "blind", "on").exit_code == 0
    with session_in(root) as session:
        add_memo(session, "Forskerens notat om koden", get_or_create_coder(session, "Forsker 1"), code_ref=unused)
        add_memo(session, "Mitt notat om koden", get_or_create_coder(session, "Medforsker 1"), code_ref=unused)
    before = dump(root)
    refused = cli(root, "codebook", "merge", HOPE, SELF, coder="Medforsker 1")
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1, refused.output
    assert "while you code blind, ask whoever leads the study to merge them" in refused.output
    assert not any(character.isdigit() for character in refused.output.replace("Medforsker 1", "")) and dump(root) == before

    told = [cli(root, *args, coder="Medforsker 1") for args in (["codebook", "delete", unused], ["undo"], ["redo"], ["history"])]
    assert all(result.exit_code == 0 for result in told), [result.output for result in told]
    assert told[0].output.startswith(f"deleted code {unused} (1 memo of yours now on the project)\n")
    assert told[1].output == f"undid: deleted code {unused}\n" and told[2].output == f"redid: deleted code {unused}\n"
    assert "2 memos" not in told[3].output and f"deleted code {unused}\n" in told[3].output
    # The record keeps the counts, for those who see every coder's work.
    assert f"deleted code {unused} (its 2 memos now on the project)" in cli(root, "history").output


def test_a_redo_of_a_merge_into_a_code_deleted_since_names_that_code_and_what_to_do(root: Path) -> None:
    """The merge's memo on the code it went into cannot be put back: the refusal named "memo 3", a row nobody sees."""
    with session_in(root) as session:
        first = get_or_create_coder(session, "Forsker 1")
        create_code(session, "alfa", {}, first)
        create_code(session, "beta", {}, first)
    assert cli(root, "codebook", "merge", "alfa", "beta").exit_code == 0
    assert cli(root, "undo").exit_code == 0
    assert cli(root, "codebook", "delete", "beta", coder="Forsker 2").exit_code == 0
    before = dump(root)
    refused = cli(root, "redo")
    assert refused.exit_code == 1
    assert "the code beta that memo " in refused.output and "no longer exists (Forsker 2 deleted it on " in refused.output
    assert "hint: make the change you want by hand instead" in refused.output and len(refused.output.strip().splitlines()) == 1
    assert dump(root) == before
