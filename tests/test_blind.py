"""Blind coding: a coder sees and counts only their own codings on every screen of the terminal UI,
the audit trail says which codings were made blind, and a project can make blind the default for a role."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from textual.widgets import Static

from qualcode.cli import cli
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.handles import coding_handle
from qualcode.coding.service import add_coding
from qualcode.config import Config
from qualcode.errors import InvalidInput
from qualcode.store.events import EventKind
from qualcode.store.models import Coder, Event
from qualcode.store.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.analysis import AnalysisScreen
from qualcode.tui.screens.framework import FrameworkScreen
from qualcode.tui.screens.overview import OverviewScreen
from qualcode.tui.screens.reader import ReaderScreen
from qualcode.tui.screens.segments import SegmentsScreen
from qualcode.workspace import Workspace
from tests.conftest import REPO, settle

ME = "Medforsker Kari"  # "Forsker 1", who coded conftest's CODINGS, is no part of this name
# The medforsker's own codings: two passages Forsker 1 coded too (under other codes, or the same), none elsewhere.
MINE = [
    ("leder_L1", "måltall-press", "Jeg har sagt til veilederne at vi må nå måltallet før jul."),
    ("deltaker_D1_T1", "empowerment/avmakt", "Jeg følte meg som en snylter, ærlig talt."),
]
SIZE = (100, 30)


@pytest.fixture(scope="module")
def two_coders(tmp_path_factory: pytest.TempPathFactory, coded_template: tuple[Path, dict[str, Any]]) -> Path:
    """The coded samples (Forsker 1's codings) with MINE by a medforsker, built once per module."""
    root = tmp_path_factory.mktemp("blind") / "project"
    shutil.copytree(coded_template[0], root)
    with Project.open(root) as project, project.begin() as session:
        coder = get_or_create_coder(session, ME, "medforsker")
        for transcript, code, quote in MINE:
            add_coding(session, transcript, code, coder, match=quote)
    return root


@pytest.fixture
def project_copy(two_coders: Path, tmp_path: Path) -> Path:
    """A copy for a test that writes."""
    shutil.copytree(two_coders, tmp_path / "project")
    return tmp_path / "project"


def open_blind(root: Path, coder: str = ME, blind: bool | None = True) -> QualcodeApp:
    return QualcodeApp(Workspace.open(Config.resolve(project=root, coder=coder, blind=blind)))



async def test_blind_mode_shows_only_the_coders_own_codings_on_every_screen(project_copy: Path) -> None:
    app = open_blind(project_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=3)
        overview = app.screen
        assert isinstance(overview, OverviewScreen)
        assert "blind" in overview.sub_title
        counts = {t.name: t.codings for t in overview.transcripts}
        assert counts["leder_L1"] == 1 and counts["deltaker_D1_T1"] == 1
        assert counts["veileder_V1"] == 0 and counts["gruppeintervju_G1"] == 0  # Forsker 1's only
        assert next(t for t in overview.transcripts if t.name == "veileder_V1").coded_turns == 0

        app.open_transcript("leder_L1")
        await settle(pilot, rounds=3)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert "blind" in reader.sub_title
        assert [(c.coder, c.code_path) for c in reader.document.codings] == [(ME, "måltall-press")]
        reader.view.move_to(reader.document.codings[0].start)  # where Forsker 1 coded inntakspress too
        await settle(pilot, rounds=3)
        panel = str(reader.query_one("#side-panel", Static).render())
        assert "måltall-press" in panel and "inntakspress" not in panel and "Forsker 1" not in panel

        app.browse_code("")  # every code's passages
        await settle(pilot, rounds=3)
        browser = app.screen
        assert isinstance(browser, SegmentsScreen)
        assert sorted(q.excerpt for q in browser.quotes) == sorted(quote for _, _, quote in MINE)

        app.push_screen(AnalysisScreen())
        await settle(pilot, rounds=3)
        analysis = app.screen
        assert isinstance(analysis, AnalysisScreen) and analysis.matrix is not None
        assert analysis.matrix.total == len(MINE)  # Forsker 1's ten passages are not counted
        assert "blind" in analysis.sub_title

        app.push_screen(FrameworkScreen())
        await settle(pilot, rounds=3)
        framework = app.screen
        assert isinstance(framework, FrameworkScreen)
        shown = [p for row in framework.matrix.rows for cell in row.cells for p in cell.passages]
        assert shown and {p.coder for p in shown} == {ME}


async def test_a_coding_made_blind_says_so_in_the_history(project_copy: Path) -> None:
    app = open_blind(project_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=3)
        app.open_transcript("veileder_V1")
        await settle(pilot, rounds=3)
        assert isinstance(app.screen, ReaderScreen) and not app.screen.document.codings
        await pilot.press("V", "c", "p")  # the sentence, coded with the code whose key is p
        await settle(pilot, rounds=3)
        assert len(app.screen.document.codings) == 1
    with Project.open(project_copy) as project, project.begin() as session:
        made = session.scalars(
            select(Event).join(Coder, Event.coder_id == Coder.id)
            .where(Coder.name == ME, Event.action == EventKind.CODING_ADD.value).order_by(Event.id)
        ).all()
    assert [event.summary.endswith("(blind)") for event in made] == [False, False, True]
    assert made[-1].payload["after"]["blind"] is True and "blind" not in made[0].payload["after"]
    listed = CliRunner().invoke(cli, ["--project", str(project_copy), "history", "--by", ME, "--limit", "1"])
    assert listed.exit_code == 0 and listed.output.rstrip().endswith("(blind)")


def test_the_project_makes_blind_the_default_for_a_role_which_its_coders_cannot_end_for_a_session(project_copy: Path) -> None:
    """A coder blind by their role could not end it (`coder blind off`), yet `tui --no-blind` showed
    them everyone's codings: it is refused now, as ending it is; a researcher may still choose."""
    def blind(coder: str, asked: bool | None = None) -> tuple[bool, int]:
        with Workspace.open(Config.resolve(project=project_copy, coder=coder, blind=asked)) as workspace:
            workspace.use_coder(coder, None)
            return workspace.blind, len(workspace.document("leder_L1").codings)

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, ["--project", str(project_copy), "coder", "blind", *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert blind(ME) == (False, 2)  # not blind: both coders' codings of leder_L1
    assert run() == "blind by default: no role\n"
    assert run("on") == "medforsker coders code blind by default\n"
    assert run() == "blind by default: medforsker\n"
    assert blind(ME) == (True, 1)
    with pytest.raises(InvalidInput, match="cannot see others' codings with --no-blind"):
        blind(ME, asked=False)  # tui --no-blind
    assert blind(ME, asked=True) == (True, 1)
    assert blind("Forsker 1") == (False, 2)  # a researcher is not a medforsker
    assert blind("Forsker 1", asked=True) == (True, 1)
    assert blind("Forsker 1", asked=False) == (False, 2)
    run("off")
    assert blind(ME) == (False, 2) and blind(ME, asked=False) == (False, 2)


def test_tui_and_coder_blind_have_help() -> None:
    shown = CliRunner().invoke(cli, ["tui", "--help"])
    assert shown.exit_code == 0 and "--blind / --no-blind" in shown.output
    shown = CliRunner().invoke(cli, ["coder", "blind", "--help"])
    assert shown.exit_code == 0 and "--role" in shown.output
    refused = CliRunner().invoke(cli, ["coder", "blind", "maybe"])
    assert refused.exit_code == 2


def test_a_blind_coder_sees_only_their_own_codings_on_the_command_line_too(project_copy: Path) -> None:
    """Blindness held in the UI alone: `coding list`, `history`, `codebook show`, `search --code`,
    `agreement` and `consensus` showed a blind medforsker every coder's work, and a report then
    said the codings were made blind."""
    def run(coder: str, *args: str) -> Any:
        return CliRunner().invoke(cli, ["--project", str(project_copy), "--coder", coder, *args])

    assert run(ME, "coder", "blind", "on").exit_code == 0
    listed = run(ME, "coding", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert {coding["coder"] for coding in json.loads(listed.output)} == {ME}
    assert len(json.loads(listed.output)) == len(MINE)
    refused = run(ME, "coding", "list", "--by", "Forsker 1")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"error: listing Forsker 1's work shows others' codings, which blind coding hides from {ME}")
    assert {event["coder"] for event in json.loads(run(ME, "history", "--json").output)} <= {ME}
    counts = {code["path"]: code["codings"] for code in json.loads(run(ME, "codebook", "show", "--json").output)}
    assert sum(counts.values()) == len(MINE) and counts["måltall-press"] == 1
    found = json.loads(run(ME, "search", "måltallet", "--code", "måltall-press", "--json").output)
    assert [hit["transcript"] for hit in found["hits"]] == ["leder_L1"]
    status = json.loads(run(ME, "status", "--json").output)
    assert status["codings"] == len(MINE) and status["coders"] == 1
    matrix = json.loads(run(ME, "analyse", "matrix", "--by", "coder", "--json").output)
    assert ME in json.dumps(matrix) and "Forsker 1" not in json.dumps(matrix)
    assert run(ME, "analyse", "codes", "--coder", "Forsker 1").exit_code == 1
    listed_transcripts = {row["name"]: row["codings"] for row in json.loads(run(ME, "transcripts", "list", "--json").output)}
    assert sum(listed_transcripts.values()) == len(MINE)
    # Another coder's coding is not there for a blind coder: no owner, no place, no memo on it.
    theirs = next(coding for coding in json.loads(run("Forsker 1", "coding", "list", "--json").output) if coding["coder"] != ME)
    for acting in (["coding", "remove", str(theirs["id"])], ["coding", "recode", str(theirs["id"]), "helse"]):
        acted = run(ME, *acting)
        assert acted.exit_code == 1 and acted.stderr.startswith(f"error: no coding {theirs['id']} "), (acting, acted.output)
        assert "Forsker 1" not in acted.stderr
    # Nor is it told from a number no coding has: the hint said "list codings" there, "list yours" for another's.
    for ref in (str(theirs["id"]), "99999", "00000000-0000-0000-0000-000000000000"):
        acted = run(ME, "coding", "resize", ref, "--start", "0", "--end", "5")
        assert acted.exit_code == 1 and acted.stderr == f"error: no coding {ref} (hint: list yours with `qualcode coding list`)\n"
    for comparing in (["agreement"], ["consensus", "list", "--transcript", "leder_L1"], ["export", "qdpx"]):
        shown = run(ME, *comparing)
        assert shown.exit_code == 1 and "which blind coding hides" in shown.stderr, (comparing, shown.output)
    added = run(ME, "coding", "add", "deltaker_D1_T1", "helse", "--match", "ærlig talt")
    assert added.exit_code == 0, added.output
    with Project.open(project_copy) as project, project.begin() as session:
        last = session.scalars(select(Event).where(Event.action == EventKind.CODING_ADD).order_by(Event.id.desc())).first()
        assert last is not None and last.payload["after"]["blind"] is True
    # A researcher is not blind: every coder's codings.
    everyone = json.loads(run("Forsker 1", "coding", "list", "--json").output)
    assert {coding["coder"] for coding in everyone} == {ME, "Forsker 1"}


def test_an_empty_selection_s_hint_counts_only_the_blind_coder_s_own_quotes(project_copy: Path) -> None:
    """"code empowerment alone: 5 quotes; coder Medforsker Kari alone: 1 quote" told a blind coder
    how much the others had coded: each count in the hint is of the coder's own quotes."""
    def run(*args: str) -> Any:
        return CliRunner().invoke(cli, ["--project", str(project_copy), "--coder", ME, *args])

    assert run("coder", "blind", "on").exit_code == 0
    for command in (["analyse", "matrix", "--by", "role", "--code", "empowerment", "--wave", "T2"],
                    ["analyse", "codes", "--code", "empowerment", "--wave", "T2"]):
        refused = run(*command)
        assert refused.exit_code == 1, refused.output
        assert refused.stderr.startswith("error: no quotes match code empowerment and wave T2 (hint: "), refused.stderr
        assert "code empowerment alone: 1 quote;" in refused.stderr and "2 quotes of yours in all" in refused.stderr
        assert "coder " not in refused.stderr and ME not in refused.stderr


def test_a_blind_coder_who_has_coded_nothing_is_told_so_without_the_others_names(project_copy: Path) -> None:
    """"no codings by 'Medforsker 2' (coders: Forsker 1, …)" named the other coders to a blind one,
    and called an empty start an error about a name."""
    def run(*args: str) -> Any:
        return CliRunner().invoke(cli, ["--project", str(project_copy), "--coder", "Medforsker 2", *args])

    assert CliRunner().invoke(cli, ["--project", str(project_copy), "coder", "add", "Medforsker 2", "--role", "medforsker"]).exit_code == 0
    assert run("coder", "blind", "on").exit_code == 0
    for command in (["framework", "show"], ["analyse", "codes"], ["analyse", "matrix", "--by", "role"]):
        shown = run(*command)
        assert shown.exit_code == 1 and shown.stderr.startswith("error: you have coded nothing yet"), (command, shown.output)
        assert "Forsker 1" not in shown.stderr and ME not in shown.stderr


# A blind study on the demo project, as the probe set it up: Lead leads and is not blind; M is a
# medforsker, blind by their role. Each has a coding the replaced text moves and one it orphans.
LEAD_ORPHAN = "Vi får et måltall hvert år fra fylket"
M_ORPHAN = "Det er en slags beskyttelse også."
STUDY = [
    ("Lead", "måltall-press", LEAD_ORPHAN, "LEAD-PRIVATE-MEMO"),
    ("Lead", "måltall-press/kvantitet mot kvalitet", "Det er kvantitet mot kvalitet", None),
    ("M", "måltall-press/inntakspress", "Jeg har sagt til veilederne at vi må nå måltallet før jul.", None),
    ("M", "måltall-press/inntakspress", M_ORPHAN, "M sin egen memo"),
]


def study(demo: Path) -> Any:
    """`run(coder, *args)` on the demo project coded as STUDY, with medforskere blind."""
    def run(coder: str, *args: str) -> Any:
        return CliRunner().invoke(cli, ["--project", str(demo), "--coder", coder, *args])

    for args in (["coder", "add", "M", "--role", "medforsker"], ["coder", "blind", "on", "--role", "medforsker"]):
        assert run("Lead", *args).exit_code == 0
    for coder, code, quote, memo in STUDY:
        added = run(coder, "coding", "add", "leder_L1", code, "--match", quote, *(["--memo", memo] if memo else []))
        assert added.exit_code == 0, added.output
    return run


def reworded(tmp_path: Path) -> Path:
    """leder_L1 with the sentences of both orphans reworded."""
    text = (REPO / "transcripts" / "leder_L1.txt").read_text(encoding="utf-8")
    changed = tmp_path / "endret" / "leder_L1.txt"
    changed.parent.mkdir()
    changed.write_text(text.replace(LEAD_ORPHAN, "Fylket gir oss hvert år et tall").replace(M_ORPHAN, "Det beskytter oss også."),
                       encoding="utf-8")
    return changed


def test_a_blind_coder_s_orphaned_codings_are_their_own_and_the_list_s_filters_apply(demo: Path, tmp_path: Path) -> None:
    """`coding list --orphaned` showed a blind coder every coder's orphaned codings, memos included,
    and ignored --by and --code."""
    run = study(demo)
    assert run("Lead", "import", "--replace", str(reworded(tmp_path))).exit_code == 0

    def orphans(coder: str, *args: str) -> list[tuple[str, str]]:
        listed = run(coder, "coding", "list", "--orphaned", "--json", *args)
        assert listed.exit_code == 0, listed.output
        return [(orphan["coder"], orphan["code_path"]) for orphan in json.loads(listed.output)]

    shown = run("M", "coding", "list", "--orphaned", "--json")
    assert "LEAD-PRIVATE-MEMO" not in shown.output and "Lead" not in shown.output
    assert orphans("M") == [("M", "måltall-press/inntakspress")]
    assert orphans("Lead") == [("Lead", "måltall-press"), ("M", "måltall-press/inntakspress")]
    assert orphans("Lead", "--by", "M") == [("M", "måltall-press/inntakspress")]
    assert orphans("Lead", "--code", "måltall-press", "--only") == [("Lead", "måltall-press")]
    assert orphans("Lead", "--code", "måltall-press/inntakspress") == [("M", "måltall-press/inntakspress")]
    refused = run("M", "coding", "list", "--orphaned", "--by", "Lead")
    assert refused.exit_code == 1 and refused.stderr.startswith("error: listing Lead's work shows others' codings")
    for wider in (["--removed"], ["--attribute", "office=B"]):
        refused = run("Lead", "coding", "list", "--orphaned", *wider)
        assert refused.exit_code == 1 and refused.stderr.startswith(f"error: --orphaned cannot be combined with {wider[0]} (hint: ")
        assert refused.stderr.count("\n") == 1


def test_a_blind_coder_sees_reviewers_comments_and_memos_on_their_own_codings_only(demo: Path, tmp_path: Path) -> None:
    """`review list` showed a blind coder reviewers' comments on others' quotes under those
    quotes' codes, and `status` counted memos `memo list` hid from them."""
    import docx

    run = study(demo)
    assert run("Lead", "export", "report", "--output", str(tmp_path / "r.docx")).exit_code == 0
    document = docx.Document(str(tmp_path / "r.docx"))
    for holding, comment in (("Det er kvantitet mot kvalitet", "Om Leads sitat."), ("før jul", "Om Ms sitat.")):
        paragraph = next(p for p in document.paragraphs if holding in p.text)
        document.add_comment(paragraph.runs, text=comment, author="Leser 1", initials="L1")
    document.save(str(tmp_path / "kommentert.docx"))
    imported = run("Lead", "review", "import", str(tmp_path / "kommentert.docx"))
    assert imported.exit_code == 0 and "2 new memos" in imported.stderr, imported.output

    def reviewed(coder: str) -> dict[str, list[str]]:
        listed = run(coder, "review", "list", "--json")
        assert listed.exit_code == 0, listed.output
        return {code: [memo["text"] for memo in memos] for code, memos in json.loads(listed.output).items()}

    assert reviewed("Lead") == {"måltall-press/inntakspress": ["Om Ms sitat."], "måltall-press/kvantitet mot kvalitet": ["Om Leads sitat."]}
    assert reviewed("M") == {"måltall-press/inntakspress": ["Om Ms sitat."]}
    # The coding the comment is on, to a blind coder by its handle (ids count every coder's codings).
    assert re.fullmatch(r"    Leser 1 on coding c-[0-9a-f]{8}: Om Ms sitat\.\n", run("M", "review", "list").output.split("\n", 1)[1])
    # The comment itself by its handle too (memo ids count every coder's memos); Lead is shown its id.
    [comment] = json.loads(run("M", "review", "list", "--json").output)["måltall-press/inntakspress"]
    assert re.fullmatch(r"m-[0-9a-f]{8}", comment["id"]) and comment["ref"] == f"memo {comment['id']}", comment
    [lead_s] = json.loads(run("Lead", "review", "list", "--json").output)["måltall-press/inntakspress"]
    assert isinstance(lead_s["id"], int) and lead_s["ref"] == f"memo {lead_s['id']}"
    memos = json.loads(run("M", "memo", "list", "--json").output)
    assert sorted(memo["text"] for memo in memos) == ["M sin egen memo", "Om Ms sitat."]
    assert json.loads(run("M", "status", "--json").output)["memos"] == len(memos)
    everyone = json.loads(run("Lead", "memo", "list", "--json").output)
    assert len(everyone) == 4 and json.loads(run("Lead", "status", "--json").output)["memos"] == 4


def test_a_blind_coder_s_replacement_and_history_tell_only_of_their_own_codings(demo: Path, tmp_path: Path) -> None:
    """M's replacement said "2 codings moved, 2 orphaned", counting Lead's, and M's history then
    named Lead's orphaned coding, recorded as M's event."""
    run = study(demo)
    replaced = run("M", "import", "--replace", str(reworded(tmp_path)))
    assert replaced.exit_code == 0, replaced.output
    assert "changed; of your codings (you code blind): 1 coding moved, 1 orphaned (see" in replaced.output
    assert "Fylket gir oss" not in replaced.output
    events = json.loads(run("M", "history", "--limit", "0", "--json").output)
    assert {event["coder"] for event in events} == {"M"}
    assert not [event for event in events if "(måltall-press)" in event["summary"] or "LEAD" in event["summary"]]
    orphan = next(coding["id"] for coding in json.loads(run("M", "coding", "list", "--orphaned", "--json").output))
    assert [event["summary"] for event in events if event["action"] == "coding.orphan"] == [  # by its handle: see below
        f"coding {orphan} (måltall-press/inntakspress) has no place in the new text of leder_L1; kept for review"]
    assert events[0]["summary"].endswith(": 1 coding moved, 1 orphaned (blind: M's codings only)")
    # The team's log keeps every coding it orphaned, Lead's too, as M's doing; Lead sees them.
    theirs = json.loads(run("Lead", "history", "--by", "M", "--limit", "0", "--json").output)
    assert len([event for event in theirs if event["action"] == "coding.orphan"]) == 2
    # A coder who is not blind is told of every coding, as before.
    again = run("Lead", "import", "--replace", str(REPO / "transcripts" / "leder_L1.txt"))
    assert again.exit_code == 0 and "2 orphaned before placed again" in again.output, again.output


def test_making_a_role_blind_or_not_is_in_the_history_and_a_blind_coder_cannot_end_their_own_blindness(demo: Path) -> None:
    """`coder blind on/off` left no trace in the log, and a blind medforsker could run `coder blind
    off` on their own role (or make themselves a researcher) and see everyone's codings."""
    run = study(demo)  # Lead made medforskere blind

    def last_events(count: int) -> list[tuple[str | None, str]]:
        return [(event["coder"], event["summary"]) for event in json.loads(run("Lead", "history", "--json", "--limit", str(count)).output)]

    assert ("Lead", "medforsker coders code blind by default") in last_events(0)
    again = run("Lead", "coder", "blind", "on", "--role", "medforsker")
    assert again.output == "medforsker coders code blind by default already\n"
    assert [summary for _, summary in last_events(0)].count("medforsker coders code blind by default") == 1
    for lifting in (["coder", "blind", "off", "--role", "medforsker"], ["coder", "role", "M", "researcher"]):
        refused = run("M", *lifting)
        assert refused.exit_code == 1 and refused.stderr.count("\n") == 1, (lifting, refused.output)
        assert refused.stderr.startswith("error: M codes blind as a medforsker, and cannot "), refused.stderr
        assert "(hint: a coder who is not blind (a researcher) can: qualcode --coder NAME coder " in refused.stderr
    assert {coding["coder"] for coding in json.loads(run("M", "coding", "list", "--json").output)} == {"M"}  # still blind
    everyone = run("Lead", "coder", "blind", "on", "--role", "researcher")
    assert everyone.exit_code == 1 and "would leave every role blind, and no coder could end blind coding" in everyone.stderr
    ended = run("Lead", "coder", "blind", "off", "--role", "medforsker")
    assert ended.exit_code == 0 and ended.output == "medforsker coders see every coder's codings by default\n"
    assert last_events(1) == [("Lead", "medforsker coders see every coder's codings by default (blind coding ended)")]
    # Not undoable (undo by a coder of the role would lift their own blindness): undo passes over it, and says so.
    undone = run("Lead", "undo")
    assert undone.exit_code == 0, undone.output
    assert ("passed over your later changes that cannot be undone: medforsker coders see every coder's codings by default"
            " (blind coding ended) (`qualcode coder blind on|off --role ROLE` sets it again)") in undone.output
    assert {coding["coder"] for coding in json.loads(run("M", "coding", "list", "--json").output)} == {"Lead", "M"}


def test_a_blind_coder_cannot_remove_a_memo_they_may_not_see(demo: Path) -> None:
    """`memo remove N` took any memo: a blind coder could remove, and so learn of, the lead's."""
    run = study(demo)
    assert run("Lead", "memo", "add", "Leads notat om koden", "--code", "måltall-press").exit_code == 0
    assert run("M", "memo", "add", "Ms notat om koden", "--code", "måltall-press").exit_code == 0
    memos = {memo["text"]: int(memo["id"]) for memo in json.loads(run("Lead", "memo", "list", "--json").output)}
    refused = run("M", "memo", "remove", str(memos["Leads notat om koden"]))
    assert refused.exit_code == 1 and f"no memo {memos['Leads notat om koden']}" in refused.output
    assert "Leads notat om koden" in run("Lead", "memo", "list").output
    assert run("M", "memo", "remove", str(memos["Ms notat om koden"])).exit_code == 0


def test_a_blind_coder_cannot_import_reviewers_comments(demo: Path, tmp_path: Path) -> None:
    """`review import` by a blind coder printed where each comment went ("attached to coding 2: …"),
    the lead's quotes too."""
    import docx

    run = study(demo)
    assert run("Lead", "export", "report", "--output", str(tmp_path / "r.docx")).exit_code == 0
    document = docx.Document(str(tmp_path / "r.docx"))
    paragraph = next(p for p in document.paragraphs if "Det er kvantitet mot kvalitet" in p.text)
    document.add_comment(paragraph.runs, text="Om Leads sitat.", author="Leser 1", initials="L1")
    document.save(str(tmp_path / "kommentert.docx"))
    refused = run("M", "review", "import", str(tmp_path / "kommentert.docx"))
    assert refused.exit_code == 1 and "importing reviewers' comments shows others' codings" in refused.output
    assert "Om Leads sitat." not in refused.output
    assert run("Lead", "review", "import", str(tmp_path / "kommentert.docx")).exit_code == 0


def test_a_blind_coder_cannot_import_a_qdpx(demo: Path, tmp_path: Path) -> None:
    """Importing a co-coder's .qdpx printed how many codings and memos were already here and each
    conflict by transcript, line and span: the lead's work too, which blind coding hides."""
    run = study(demo)
    copy = tmp_path / "kopi.qdpx"
    assert run("Lead", "export", "qdpx", str(copy)).exit_code == 0
    refused = run("M", "import", str(copy))
    assert refused.exit_code == 1 and "importing a .qdpx shows others' codings" in refused.output
    assert "already here" not in refused.output
    assert run("Lead", "import", str(copy)).exit_code == 0


def test_a_name_two_coders_hold_in_other_cases_is_refused_naming_both_not_read_unblinded(project_copy: Path, tmp_path: Path) -> None:
    """Two coders whose names differ only in case (an old project, or brought in before the import merged
    them): a third spelling was no coder's, so it was no blind coder's, and `coding list` showed it everyone's codings."""
    def run(coder: str, *args: str) -> Any:
        return CliRunner().invoke(cli, ["--project", str(project_copy), "--coder", coder, *args])

    assert run("Forsker 1", "coder", "blind", "on", "--role", "medforsker").exit_code == 0
    with Project.open(project_copy) as project, project.begin() as session:
        session.add(Coder(name=ME.lower(), role="researcher"))
    for acting in (["coding", "list", "--json"], ["status", "--json"], ["analyse", "codes"]):
        refused = run(ME.upper(), *acting)
        assert refused.exit_code == 1, (acting, refused.output)
        assert refused.stderr.startswith(f"error: coder {ME.upper()!r} could be any of ") and ME in refused.stderr, refused.stderr
        assert ME.lower() in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert {coding["coder"] for coding in json.loads(run(ME, "coding", "list", "--json").output)} == {ME}
    # A .qdpx's user of a third spelling is neither of them: it made a third coder of the name.
    from qualcode.errors import ImportFailed
    from tests.test_exchange_import import Qdpx, run_import

    qdpx = Qdpx()
    qdpx.user(ME.upper())
    with Project.open(project_copy) as project, project.begin() as session, pytest.raises(ImportFailed) as raised:
        run_import(session, qdpx.write(tmp_path / "tvilling.qdpx"), coder_name="Forsker 1")
    assert f"could be any of {ME}, {ME.lower()}" in raised.value.message and "nothing imported" in raised.value.message
    with Project.open(project_copy) as project, project.begin() as session:
        assert sorted(session.scalars(select(Coder.name).where(Coder.name.ilike(ME)))) == [ME, ME.lower()]


def test_a_blind_coder_s_refused_redo_names_another_s_coding_by_its_kind_only(demo: Path, tmp_path: Path) -> None:
    """M deleted a code holding Lead's removed coding, undid it, then replaced the text (which moved
    Lead's coding): the redo was refused with "coding None has changed since", the id meant being
    Lead's coding's, which blind coding hides from M; and the deletion named as recorded counted Lead's memo."""
    run = study(demo)
    assert run("Lead", "codebook", "add", "X").exit_code == 0
    added = run("Lead", "coding", "add", "leder_L1", "X", "--match", "Det er kvantitet mot kvalitet")
    lead_coding = added.output.split()[2].rstrip(":")
    assert run("Lead", "coding", "remove", lead_coding).exit_code == 0
    assert run("Lead", "memo", "add", "Lead om X", "--code", "X").exit_code == 0  # the deletion's summary counts it
    for command in (["codebook", "delete", "X"], ["undo"], ["import", "--replace", str(reworded(tmp_path))]):
        done = run("M", *command)
        assert done.exit_code == 0, done.output
    refused = run("M", "redo")
    assert refused.exit_code == 1
    assert "nothing to redo: a coding has changed since, so the change (deleted code X) cannot be made again whole" in refused.stderr
    assert f"coding {lead_coding}" not in refused.stderr and "None" not in refused.stderr
    assert not [event for event in json.loads(run("M", "history", "--limit", "0", "--json").output)
                if f"coding {lead_coding}" in event["summary"]]


def test_a_blind_coder_is_shown_their_codings_by_handles_that_tell_nothing_of_others_work(demo: Path) -> None:
    """A coding's id counts every coder's codings: M, coding blind, was shown theirs as 3 and 4 (and a
    new one as 6, after Lead's 5), in `coding add` and `list`, memos, `history` (the log's numbers
    too) and undo, and so could tell how much Lead had coded, and when. M is shown each coding of
    theirs by a handle from its random GUID, which every command that takes a coding's id takes."""
    import re

    run = study(demo)
    assert run("Lead", "coding", "add", "leder_L1", "helse", "--match", "Og det har økonomiske konsekvenser.").exit_code == 0
    said: list[str] = []

    def as_m(*args: str) -> Any:
        result = run("M", *args)
        assert result.exit_code == 0, (args, result.output)
        said.append(result.output)
        return result

    added = as_m("coding", "add", "leder_L1", "helse", "--match", "vi må nå måltallet")
    handle = added.output.split()[2].rstrip(":")
    assert re.fullmatch(r"c-[0-9a-f]{8}", handle), added.output
    listed = json.loads(as_m("coding", "list", "--json").output)
    assert handle in [coding["id"] for coding in listed] and all(re.fullmatch(r"c-[0-9a-f]{8}", coding["id"]) for coding in listed)
    as_m("coding", "list")
    cell = json.loads(as_m("analyse", "cell", "helse", "--json").output)
    assert [row["key"] for row in cell["rows"]] == [handle]  # a passage by its codings
    # The handle is taken wherever an id is: a memo, a resize, a memo on the coding, and the list of memos names it so.
    assert as_m("coding", "memo", handle, "Tydelig press.").output.startswith(f"memo on coding {handle}: ")
    start, end = next((coding["start"], coding["end"]) for coding in listed if coding["id"] == handle)
    assert as_m("coding", "resize", handle, "--start", str(start), "--end", str(end + 1)).output.startswith(f"resized coding {handle}: ")
    assert as_m("memo", "add", "Se også runde 2.", "--coding", handle).output.endswith(f"on coding {handle}\n")
    assert f"coding {handle}" in as_m("memo", "list").output
    as_m("history", "--limit", "0")
    events = json.loads(as_m("history", "--limit", "0", "--json").output)
    assert f"resized coding {handle} (helse)" in [event["summary"].split(" to ")[0] for event in events]
    assert {event["id"] for event in events} == {None}
    assert as_m("undo").output == f"undid: memo on coding {handle}\n"
    refused = run("M", "coding", "remove", "c-00000000")
    assert refused.exit_code == 1 and refused.stderr == "error: no coding c-00000000 (hint: list yours with `qualcode coding list`)\n"
    # A replacement of the text says which of their codings it reworded, by their handles.
    text = (REPO / "transcripts" / "leder_L1.txt").read_text(encoding="utf-8")
    (demo.parent / "ny").mkdir()
    (demo.parent / "ny" / "leder_L1.txt").write_text(text.replace("vi må nå måltallet", "vi må nå måltalet"), encoding="utf-8")
    replaced = as_m("import", "--replace", str(demo.parent / "ny" / "leder_L1.txt")).output
    reworded = re.search(r"^  coding (\S+) now reads 'Jeg har sagt til veilederne at vi må nå måltalet før jul.'", replaced, re.MULTILINE)
    assert reworded is not None and reworded.group(1) in [coding["id"] for coding in listed], replaced
    for output in said:
        assert not re.search(r"\bcoding \d|\"id\": \d|^\s*\d+  \d{4}-\d\d-\d\d", output, re.MULTILINE), output  # an event's number
    # Lead, not blind, is shown ids, and an id still names M's own coding to M.
    ids = {coding["guid"]: coding["id"] for coding in json.loads(run("Lead", "coding", "list", "--json").output)}
    guid = next(coding["guid"] for coding in listed if coding["id"] == handle)
    assert isinstance(ids[guid], int)
    assert run("M", "coding", "memo", str(ids[guid]), "").output.startswith(f"memo on coding {handle}: ")
    # A refusal names their coding by its handle too.
    assert run("M", "coding", "remove", handle).output.startswith(f"removed coding {handle}: ")
    again = run("M", "coding", "memo", str(ids[guid]), "Mer.")
    assert again.exit_code == 1 and again.stderr.startswith(f"error: coding {handle} was removed "), again.stderr


async def test_the_terminal_ui_tells_a_blind_coder_of_their_coding_by_its_handle(sample_project: Path) -> None:
    """The reader's undo said "undid: wrote memo on coding 13" to a blind coder: the id counted every
    coder's codings. It names the coding by its handle, as the command line does."""
    import re

    from qualcode.store.models import Coding
    from tests.test_tui import until

    app = open_blind(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=3)
        app.open_transcript("veileder_V1")
        await settle(pilot, rounds=3)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        await pilot.press("V", "c", "p")
        await until(app, pilot, lambda: len(reader.document.codings) == 1, "coded")
        await pilot.press("m")
        await until(app, pilot, lambda: app.screen is not reader and app.screen.focused is not None, "the memo editor")
        await pilot.press(*"Viktig", "enter")
        await until(app, pilot, lambda: "memo saved" in reader.status_text, "the memo saved", rounds=300)
        await pilot.press("ctrl+z")
        await until(app, pilot, lambda: "undid" in reader.status_text, "undone", rounds=300)
        status = reader.status_text
    with Project.open(sample_project) as project, project.begin() as session:
        guid = session.scalars(select(Coding.guid)).one()
    assert f"undid: wrote memo on coding {coding_handle(guid)}" in status
    assert not re.search(r"coding \d", status)


def test_a_blind_coder_is_shown_their_memos_by_handles_taken_wherever_a_memo_s_id_is(demo: Path, tmp_path: Path) -> None:
    """A memo's id counts every coder's memos: M, coding blind, was told "memo 7 on code …" after Lead's
    memos, and `memo list` (its --json too) and `memo remove N` went by those ids, so M could tell how
    much Lead had written. M is shown each memo by a handle from its GUID, which `memo remove` takes
    (an id still works); Lead, not blind, is shown ids as before."""
    run = study(demo)
    for text in ("Leads første notat", "Leads andre notat"):
        assert run("Lead", "memo", "add", text, "--code", "måltall-press").exit_code == 0
    said: list[str] = []

    def as_m(*args: str) -> Any:
        result = run("M", *args)
        assert result.exit_code == 0, (args, result.output)
        said.append(result.output)
        return result

    added = as_m("memo", "add", "Ms notat om koden", "--code", "måltall-press")
    handle = added.output.split()[1]
    assert re.fullmatch(r"m-[0-9a-f]{8}", handle) and added.output == f"memo {handle} on code måltall-press\n", added.output
    listed = json.loads(as_m("memo", "list", "--json").output)
    assert {memo["text"]: memo["id"] for memo in listed}["Ms notat om koden"] == handle
    assert all(re.fullmatch(r"[mc]-[0-9a-f]{8}", memo["id"]) and re.fullmatch(r"(memo|coding) [mc]-[0-9a-f]{8}", memo["ref"])
               for memo in listed), listed
    assert f"memo {handle}" in as_m("memo", "list").output
    assert as_m("memo", "remove", handle).output == f"removed memo {handle}\n"
    assert as_m("undo").output == f"undid: removed memo {handle}\n"
    as_m("history", "--limit", "0")
    for output in said:
        assert not re.search(r"\bmemo \d|\"id\": \d", output), output
    # An id still names it; Lead is shown ids, as before.
    ids = {memo["text"]: memo["id"] for memo in json.loads(run("Lead", "memo", "list", "--json").output)}
    assert isinstance(ids["Ms notat om koden"], int)
    assert run("M", "memo", "remove", str(ids["Ms notat om koden"])).output == f"removed memo {handle}\n"
    assert run("Lead", "memo", "add", "Leads tredje notat").output == f"memo {ids['Leads andre notat'] + 2} on project\n"
    assert f"memo {ids['Leads første notat']} " in run("Lead", "memo", "list").output
    refused = run("M", "memo", "remove", "m-00000000")
    assert refused.exit_code == 1 and refused.stderr == "error: no memo m-00000000 (hint: list memos with `qualcode memo list`)\n"


def test_a_blind_coder_s_import_json_and_its_log_name_the_codings_it_reworded_by_handle_and_guid(demo: Path) -> None:
    """`import --replace --json` listed the blind coder's codings it reworded by their ids, which count
    every coder's codings, and so did the log's record of it; Lead's import still lists them by id."""
    run = study(demo)
    listed = json.loads(run("M", "coding", "list", "--json").output)
    text = (REPO / "transcripts" / "leder_L1.txt").read_text(encoding="utf-8")
    (demo.parent / "ny").mkdir()
    (demo.parent / "ny" / "leder_L1.txt").write_text(text.replace("vi må nå måltallet", "vi må nå måltalet"), encoding="utf-8")
    replaced = run("M", "import", "--replace", "--json", str(demo.parent / "ny" / "leder_L1.txt"))
    assert replaced.exit_code == 0, replaced.output
    reworded = json.loads(replaced.stdout)["imported"][0]["codings_reworded"]
    mine = next(coding for coding in listed if "vi må nå måltallet" in coding["excerpt"])
    assert [entry[0] for entry in reworded] == [mine["id"]], reworded
    with Project.open(demo) as opened, opened.begin() as session:
        logged = session.scalars(select(Event).where(Event.action == EventKind.TRANSCRIPT_REPLACE.value)).one()
        assert [set(entry) for entry in logged.payload["after"]["codings_reworded"]] == [{"guid", "before", "after"}]
        assert logged.payload["after"]["codings_reworded"][0]["guid"] == mine["guid"]
    back = run("Lead", "import", "--replace", "--json", str(REPO / "transcripts" / "leder_L1.txt"))
    assert back.exit_code == 0 and all(isinstance(entry[0], int) for entry in json.loads(back.stdout)["imported"][0]["codings_reworded"])
