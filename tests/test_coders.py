"""Coders: naming a coder never changes their stored role, a role changes only by `qualcode coder
role` as a recorded change, and adding a coder is recorded as the change of whoever added them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session
from textual.widgets import Input, Label, RadioSet

from qualcode.cli import cli
from qualcode.coding.coders import get_or_create_coder, list_coders
from qualcode.config import Config
from qualcode.errors import InvalidInput
from qualcode.store.events import EventKind
from qualcode.store.models import Coder, Event
from qualcode.store.project import Project
from qualcode.workspace import Workspace
from tests.conftest import open_tui, settle

SIZE = (100, 30)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def roles(root: Path) -> dict[str, str]:
    with Project.open(root) as project, project.begin() as session:
        return {coder.name: coder.role for coder in list_coders(session)}


def events(root: Path, action: str) -> list[dict[str, Any]]:
    shown = run("--project", str(root), "history", "--limit", "0", "--json")
    assert shown.exit_code == 0, shown.output
    return [event for event in json.loads(shown.output) if event["action"] == action]


def test_naming_a_coder_in_another_role_leaves_their_role_as_stored(session: Session) -> None:
    """A command that only named a coder with a role (`--coder X tui --role`, a reviewer's comment)
    made them that role, and a medforsker who coded blind by their role no longer did."""
    medforsker = get_or_create_coder(session, "Medforsker 2", "medforsker")
    assert get_or_create_coder(session, "Medforsker 2", "researcher").role == "medforsker"
    assert get_or_create_coder(session, "medforsker 2", "researcher").id == medforsker.id
    assert session.scalars(select(Event.action).where(Event.action == EventKind.CODER_UPDATE.value)).all() == []


def test_a_role_changed_on_purpose_is_the_changers_event(session: Session, coder: Coder) -> None:
    from qualcode.coding.coders import set_coder_role

    medforsker = get_or_create_coder(session, "Medforsker 2", "medforsker")
    assert set_coder_role(session, medforsker, "researcher", coder) is True
    assert set_coder_role(session, medforsker, "researcher", coder) is False  # no second event
    [changed] = session.scalars(select(Event).where(Event.action == EventKind.CODER_UPDATE.value)).all()
    assert changed.coder is coder and changed.entity_guid == medforsker.guid
    assert changed.payload == {"before": {"name": "Medforsker 2", "role": "medforsker"},
                               "after": {"name": "Medforsker 2", "role": "researcher"}}
    assert changed.summary == "Medforsker 2 is now researcher (was medforsker)"


def test_coder_add_never_changes_a_stored_role_and_coder_role_does_as_your_change(demo: Path) -> None:
    project = ["--project", str(demo)]
    assert run(*project, "--coder", "Forsker 1", "coder", "add", "Medforsker 1", "--role", "medforsker").exit_code == 0
    again = run(*project, "--coder", "Forsker 1", "coder", "add", "Medforsker 1")  # --role was "researcher" unless given
    assert again.exit_code == 0 and again.output == "coder Medforsker 1 (medforsker), already in the project\n"
    refused = run(*project, "--coder", "Forsker 1", "coder", "add", "medforsker 1", "--role", "researcher")
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
    assert refused.output.startswith("error: Medforsker 1 is a medforsker in this project already, not a researcher")
    assert "`qualcode coder role 'Medforsker 1' researcher`" in refused.output
    assert roles(demo)["Medforsker 1"] == "medforsker" and events(demo, "coder.update") == []

    changed = run(*project, "--coder", "Forsker 2", "coder", "role", "medforsker 1", "researcher")
    assert changed.exit_code == 0 and changed.output == "coder Medforsker 1 is now researcher\n", changed.output
    assert roles(demo)["Medforsker 1"] == "researcher"
    [update] = events(demo, "coder.update")
    assert update["coder"] == "Forsker 2" and update["summary"] == "Medforsker 1 is now researcher (was medforsker)"
    same = run(*project, "--coder", "Forsker 2", "coder", "role", "Medforsker 1", "researcher")
    assert same.output == "coder Medforsker 1 is researcher already\n" and len(events(demo, "coder.update")) == 1
    unknown = run(*project, "--coder", "Forsker 2", "coder", "role", "Ingen", "medforsker")
    assert unknown.exit_code == 1 and "Ingen" in unknown.output and "Ingen" not in roles(demo)


def test_coder_add_is_the_change_of_whoever_runs_it(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`qualcode coder add Zed` was in the history as Zed's own change."""
    project = ["--project", str(demo)]
    assert run(*project, "--coder", "Forsker 1", "coder", "add", "Zed").exit_code == 0
    monkeypatch.setenv("QUALCODE_CODER", "Forsker 2")
    assert run(*project, "coder", "add", "Ylva", "--role", "medforsker").exit_code == 0
    monkeypatch.delenv("QUALCODE_CODER")
    assert run(*project, "--coder", "Forsker 1", "coder", "add", "Forsker 3", "--default").exit_code == 0
    assert run(*project, "coder", "add", "Xander").exit_code == 0  # the project's default coder runs it
    # Someone who adds themselves is made in the role they give, by themselves.
    assert run(*project, "--coder", "medforsker 4", "coder", "add", "Medforsker 4", "--role", "medforsker").exit_code == 0

    added = {event["summary"]: event["coder"] for event in events(demo, "coder.create")}
    assert added["new coder Zed (researcher)"] == "Forsker 1"
    assert added["new coder Ylva (medforsker)"] == "Forsker 2"
    assert added["new coder Forsker 3 (researcher)"] == "Forsker 1"
    assert added["new coder Xander (researcher)"] == "Forsker 3"
    assert added["new coder Medforsker 4 (medforsker)"] == "Medforsker 4"
    assert roles(demo)["Medforsker 4"] == "medforsker" and "medforsker 4" not in roles(demo)


def test_the_ui_taking_a_coder_the_project_holds_keeps_their_stored_role(sample_project: Path) -> None:
    """`qualcode --coder X tui --role R` and the start screen made X an R."""
    with Workspace.open(Config.resolve(project=sample_project, coder="Forsker 1")) as workspace:
        used = [workspace.use_coder("Forsker 1", "researcher")]
        used.append(workspace.use_coder("forsker 1", "medforsker"))
        assert roles(sample_project)["Forsker 1"] == "researcher"
        used.append(workspace.use_coder("Medforsker 5", "medforsker"))  # new: made in the role given
    assert roles(sample_project)["Medforsker 5"] == "medforsker"
    assert used == ["researcher", "researcher", "medforsker"]  # the stored role, which the UI shows


async def test_qualcode_tui_role_for_a_held_coder_is_not_taken_and_the_ui_says_so(sample_project: Path) -> None:
    with Workspace.open(Config.resolve(project=sample_project, coder="Forsker 1")) as workspace:
        workspace.use_coder("Forsker 1", None)
    app = open_tui(sample_project, coder="Forsker 1", role="medforsker")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert roles(sample_project)["Forsker 1"] == "researcher"
        assert any("Forsker 1 codes as researcher" in str(note.message) for note in app._notifications)


async def test_the_start_screen_lists_coders_and_not_a_reviewer_who_only_commented(sample_project: Path) -> None:
    """A reader whose comments on a draft came back was listed as one of the project's coders."""
    with Workspace.open(Config.resolve(project=sample_project, coder="Forsker 1")) as workspace:
        workspace.use_coder("Forsker 1", "researcher")
    with Project.open(sample_project) as project, project.begin() as session:
        get_or_create_coder(session, "Leser A", "reviewer")
    app = open_tui(sample_project, coder=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        listed = [str(label.render()) for label in app.screen.query(Label) if "Coders in this project" in str(label.render())]
        assert listed == ["Coders in this project: Forsker 1"]


async def test_the_start_screen_shows_a_held_coders_stored_role_and_does_not_change_it(sample_project: Path) -> None:
    with Workspace.open(Config.resolve(project=sample_project, coder="Forsker 1")) as workspace:
        workspace.use_coder("Medforsker Kari", "medforsker")
        workspace.use_coder("Forsker 1", "researcher")  # the last coder, whom the screen offers
    app = open_tui(sample_project, coder=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        name = app.screen.query_one("#start-name", Input)
        choice = app.screen.query_one("#start-role", RadioSet)
        assert name.value == "Forsker 1"
        await pilot.click("#role-medforsker")  # not theirs to pick here
        pressed = choice.pressed_button
        assert choice.disabled and pressed is not None and pressed.id == "role-researcher"
        note = app.screen.query_one("#start-role-note", Label)
        assert not note.has_class("hidden")
        name.value = "Ny Forsker"  # new to the project: the role is theirs to pick
        await pilot.pause()
        assert not choice.disabled and note.has_class("hidden")
        name.value = "medforsker kari"
        await pilot.pause()
        pressed = choice.pressed_button
        assert choice.disabled and pressed is not None and pressed.id == "role-medforsker"
        name.value = "Forsker 1"
        await pilot.pause()
        await pilot.click("#start-go")
        await settle(pilot, pauses=2)
        assert app.coder_name == "Forsker 1"
    assert roles(sample_project)["Forsker 1"] == "researcher"
    assert roles(sample_project)["Medforsker Kari"] == "medforsker"
    with Project.open(sample_project) as project, project.begin() as session:
        assert session.scalars(select(Event).where(Event.action == EventKind.CODER_UPDATE.value)).all() == []


def test_undo_after_a_role_change_or_an_added_coder_says_it_passed_them_over(project: Project) -> None:
    """`coder role X R` then `undo` undid the coding made before it and said nothing of the role
    change, which stayed: undo must say what it passed over, as for every change it cannot undo."""
    from qualcode.coding.coders import set_coder_role
    from qualcode.coding.history import undo
    from qualcode.coding.service import add_coding
    from qualcode.errors import NothingToUndo
    from tests.conftest import code_the_samples

    project, _ = code_the_samples(project)
    with project.begin() as session:
        me = get_or_create_coder(session, "Forsker 1")
        add_coding(session, "leder_L1", "empowerment", me, match="Jeg har sagt til veilederne")
        zed = get_or_create_coder(session, "Zed", "medforsker", by=me)
        set_coder_role(session, zed, "researcher", me)
        done = undo(session, me)
        assert done.summary.startswith("coded leder_L1"), done.summary
        assert "cannot be undone: new coder Zed (medforsker)" in done.summary and "Zed is now researcher" in done.summary, done.summary
    with project.begin() as session:
        newcomer = get_or_create_coder(session, "Forsker 9")  # made on their own first use: nothing of theirs to undo
        with pytest.raises(NothingToUndo, match="^nothing to undo for Forsker 9$"):
            undo(session, newcomer)


def test_coder_role_finds_a_coder_as_coder_add_and_coder_do(demo: Path) -> None:
    """`coder role Ahmed R` said "no coder 'Ahmed'" for the coder `coder add Ahmed` made under the
    key's pseudonym, and `coder role "Medforsker  1" R` found no coder `coder add` found."""
    project = ["--project", str(demo)]
    added = run(*project, "--coder", "Forsker 1", "coder", "add", "Ahmed", "--role", "medforsker")
    assert added.exit_code == 0 and "Ahmed" not in added.output, added.output
    [pseudonym] = [name for name, role in roles(demo).items() if role == "medforsker"]
    changed = run(*project, "--coder", "Forsker 1", "coder", "role", "Ahmed", "researcher")
    assert changed.exit_code == 0 and changed.output == f"coder {pseudonym} is now researcher\n", changed.output
    assert roles(demo)[pseudonym] == "researcher"

    assert run(*project, "--coder", "Forsker 1", "coder", "add", "Medforsker 1", "--role", "medforsker").exit_code == 0
    again = run(*project, "--coder", "Forsker 1", "coder", "add", "Medforsker  1")
    assert again.output == "coder Medforsker 1 (medforsker), already in the project\n", again.output
    spaced = run(*project, "--coder", "Forsker 1", "coder", "role", "Medforsker  1", "researcher")
    assert spaced.exit_code == 0 and spaced.output == "coder Medforsker 1 is now researcher\n", spaced.output


def test_two_role_changes_at_once_record_one(project: Project) -> None:
    """Two `coder role Zed researcher` at once both read Zed a medforsker, both said "is now
    researcher" and recorded it twice: the second must find the role the first committed."""
    from qualcode.coding.coders import set_coder_role

    with project.begin() as session:
        me = get_or_create_coder(session, "Forsker 1")
        get_or_create_coder(session, "Forsker 2")
        get_or_create_coder(session, "Zed", "medforsker", by=me)
    with project.begin() as first, project.begin() as second:
        zed_first = first.scalars(select(Coder).where(Coder.name == "Zed")).one()
        zed_second = second.scalars(select(Coder).where(Coder.name == "Zed")).one()
        assert zed_first.role == zed_second.role == "medforsker"  # both read before either writes
        by_first = first.scalars(select(Coder).where(Coder.name == "Forsker 1")).one()
        by_second = second.scalars(select(Coder).where(Coder.name == "Forsker 2")).one()
        assert set_coder_role(first, zed_first, "researcher", by_first) is True
        first.commit()
        assert set_coder_role(second, zed_second, "researcher", by_second) is False
    with project.begin() as session:
        updates = session.scalars(select(Event.summary).where(Event.action == EventKind.CODER_UPDATE.value)).all()
    assert updates == ["Zed is now researcher (was medforsker)"]


@pytest.mark.parametrize("command", [["add", "konsensus"], ["add", " Konsensus", "--role", "medforsker"], ["role", "konsensus", "medforsker"]])
def test_the_consensus_name_is_no_coder_to_add_or_give_a_role(demo: Path, command: list[str]) -> None:
    """`coder add konsensus` made a researcher of the name the team's decisions are coded under,
    and `coder role konsensus medforsker` was taken, while `--coder konsensus` is refused."""
    refused = run("--project", str(demo), "--coder", "Forsker 1", "coder", *command)
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
    assert refused.output.startswith("error: 'konsensus' is the name the team's decisions are coded under, not a coder's")
    assert "konsensus" not in {name.casefold() for name in roles(demo)}


def test_a_name_that_only_looks_like_a_coder_s_is_refused_before_it_reads_or_codes(demo: Path) -> None:
    """A probe: "Меdforsker 1" (a Cyrillic М) was a new coder, not blind, beside the blind Medforsker 1: typed
    so, the medforsker listed every coder's codings and coded under a name no table tells from theirs; and
    "kоnsensus" (a Cyrillic о) coded as a coder every report reads as the team's decisions."""
    def as_coder(name: str, *args: str) -> Result:
        return run("--project", str(demo), "--coder", name, *args)

    assert as_coder("Forsker 1", "coder", "add", "Medforsker 1", "--role", "medforsker").exit_code == 0
    assert as_coder("Forsker 1", "coder", "blind", "on", "--role", "medforsker").exit_code == 0
    assert as_coder("Forsker 1", "coding", "add", "leder_L1", "helse", "--match", "måltallet før jul").exit_code == 0
    before = roles(demo)
    for look_alike in ("Меdforsker 1", "Medforsker l", "Ｍedforsker 1"):
        for command in (["coding", "list"], ["coding", "add", "leder_L1", "helse", "--match", "måltallet før jul"],
                        ["coder", "add", look_alike]):
            refused = as_coder(look_alike, *command) if command[0] != "coder" else as_coder("Forsker 1", *command)
            assert refused.exit_code == 1 and refused.output.count("\n") == 1, (look_alike, command, refused.output)
            assert refused.output.startswith(f"error: coder {look_alike!r} is not 'Medforsker 1', but looks like that name")
    for look_alike in ("kоnsensus", "KОNSENSUS"):
        refused = as_coder(look_alike, "coding", "add", "leder_L1", "helse", "--match", "måltallet før jul")
        assert refused.exit_code == 1 and "is the name the team's decisions are coded under, not a coder's" in refused.output
    assert roles(demo) == before
    # The coder as written, or in another case, is the coder: blind, their own codings only.
    assert json.loads(as_coder("medforsker 1", "coding", "list", "--json").output) == []
    assert as_coder("Medforsker 2", "coding", "list").exit_code == 0  # another name is another coder


def test_a_reviewer_named_with_coder_is_refused_rather_than_made_a_coder(sample_project: Path) -> None:
    """`--coder "Leser A"`, a reviewer's name (a typo, or someone else's), coded as them: they then
    counted and were listed as a coder, though nobody had decided they were one. (Added by another's review
    import, as a reviewer is: one who added themselves, by importing their own comments, is told there is nothing
    to undo once nothing of that import is left.)"""
    with Project.open(sample_project) as project, project.begin() as session:
        get_or_create_coder(session, "Leser A", "reviewer", by=get_or_create_coder(session, "Forsker 1"))
    project_args = ("--project", str(sample_project))
    for command in (["coding", "add", "deltaker_D1_T1", "empowerment", "--start", "0", "--end", "10"],
                    ["memo", "add", "et notat"], ["undo"], ["coder", "role", "Leser A", "medforsker"]):
        refused = run(*project_args, "--coder", "leser a", *command)
        assert refused.exit_code == 1, (command, refused.output)
        assert refused.stderr.count("\n") == 1 and "Leser A is a reviewer in this project" in refused.stderr, refused.stderr
        assert "qualcode --coder YOUR-NAME coder role 'Leser A' medforsker" in refused.stderr
    assert run(*project_args, "coder", "add", "Leser A", "--default").exit_code == 1
    assert roles(sample_project)["Leser A"] == "reviewer" and not events(sample_project, "coding.add")
    # The way the hint gives: someone else makes them a coder, recorded; then they code.
    assert run(*project_args, "--coder", "Forsker 1", "coder", "role", "Leser A", "medforsker").exit_code == 0
    coded = run(*project_args, "--coder", "Leser A", "coding", "add", "deltaker_D1_T1", "empowerment", "--start", "0", "--end", "10")
    assert coded.exit_code == 0, coded.output


async def test_the_start_screen_asks_again_for_a_reviewer_s_name(sample_project: Path) -> None:
    """Typed on the start screen (or given with --coder to the UI), a reviewer's name started a coding session as them."""
    with Workspace.open(Config.resolve(project=sample_project, coder="Forsker 1")) as workspace:
        workspace.use_coder("Forsker 1", "researcher")
    with Project.open(sample_project) as project, project.begin() as session:
        get_or_create_coder(session, "Leser A", "reviewer")
    app = open_tui(sample_project, coder=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#start-name", Input).value = "Leser A"
        await pilot.click("#start-go")
        await settle(pilot)
        assert app.screen.query_one("#start-name", Input).value == "Leser A"  # asked again
        assert any("Leser A is a reviewer in this project" in str(note.message) for note in app._notifications)
    with pytest.raises(InvalidInput, match="Leser A is a reviewer"):
        open_tui(sample_project, coder="Leser A")
    assert roles(sample_project)["Leser A"] == "reviewer"


def test_a_coder_named_by_a_name_in_the_key_is_told_once_it_is_recorded_as_its_pseudonym(tmp_path: Path) -> None:
    """A field trial: `--coder "Håkon Stein"`, a name in the key, coded as "Magne Tveit", and nothing said so."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    assert run("--project", str(root), "identifiers", "add", "Håkon Stein", "--kind", "person", "--gender", "m").exit_code == 0
    # An employer: a person's name added could redraw his pseudonym (one like it), and the note would name the old one.
    added = run("--project", str(root), "--coder", "Håkon Stein", "identifiers", "add", "Fjordkysten Regnskap", "--kind", "employer")
    assert added.exit_code == 0, added.output
    from qualcode.anonymise.key import load_key

    key_path = Path(run("--project", str(root), "key", "show").output.splitlines()[0].split(" ", 1)[1])
    held = load_key(key_path, "test passphrase").entry_for("Håkon Stein")
    assert held is not None and held.pseudonym in roles(root)
    pseudonym = held.pseudonym
    said = [line for line in added.stderr.splitlines() if "is a name in the key" in line]
    assert said == [f"note: coder 'Håkon Stein' is a name in the key: recorded as its pseudonym {pseudonym!r}"
                    f" (give --coder {pseudonym!r} to go without this note)"]
    # Under the pseudonym, or any name the key does not hold, nothing is said.
    again = run("--project", str(root), "--coder", pseudonym, "identifiers", "add", "Kvasstind Bygg", "--kind", "employer")
    assert again.exit_code == 0 and "is a name in the key" not in again.stderr
