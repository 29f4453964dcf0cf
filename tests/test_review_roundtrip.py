"""A reviewed Word report brought back through `qualcode review import`, on a real project and key."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner, Result
from docx.oxml.ns import qn
from sqlalchemy import func, select

from qualcode.anonymise.service import key_lock
from qualcode.cli import cli
from qualcode.store.models import Code, Coder, Coding, Memo
from qualcode.store.project import Project
from tests.conftest import built_once, idle, isolate_user

SHARED = "Vi satt sammen og lagde handlingsplanen, og hun spurte hva jeg ville."
OWN = "Jeg fikk plass!"


def run(project: Path, *args: str, coder: str | None = None) -> Result:
    prefix = ["--project", str(project)] + (["--coder", coder] if coder else [])
    return CliRunner().invoke(cli, [*prefix, *args], catch_exceptions=False)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="session")
def reported_template(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Path:
    """The demo project coded as the tester coded it (Prober and Kari share a quote), its key and
    its report (demo/, demo-key/, r.docx): made once, by the same commands, and copied per test."""
    def build(base: Path) -> None:
        shutil.copytree(demo_template / "demo", base / "demo")
        shutil.copytree(demo_template / "demo-key", base / "demo-key")
        with pytest.MonkeyPatch.context() as monkeypatch:
            isolate_user(monkeypatch, base / "home")
            monkeypatch.setenv("QUALCODE_KEY", str(base / "demo-key" / "demo.qckey"))
            demo = base / "demo"
            for coder, code, quote in (("Prober", "brukermedvirkning/individuell medvirkning", SHARED),
                                       ("Prober", "empowerment", OWN),
                                       ("Kari", "brukermedvirkning/individuell medvirkning", SHARED)):
                ok(run(demo, "coding", "add", "deltaker_D1_T1", code, "--match", quote, coder=coder))
            ok(run(demo, "export", "report", "--output", str(base / "r.docx")))
            ok(run(demo, "coder", "add", "Anne", "--role", "medforsker"))  # the team's reviewer, a colleague

    return built_once(tmp_path_factory, "reported", build)


@pytest.fixture
def reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reported_template: Path) -> tuple[Path, Path]:
    """A copy of the coded demo project, of its key (QUALCODE_KEY) and of its report, for one test."""
    shutil.copytree(reported_template / "demo", tmp_path / "demo")
    shutil.copytree(reported_template / "demo-key", tmp_path / "demo-key")
    shutil.copy(reported_template / "r.docx", tmp_path / "r.docx")
    monkeypatch.setenv("QUALCODE_KEY", str(tmp_path / "demo-key" / "demo.qckey"))
    return tmp_path / "demo", tmp_path / "r.docx"


def commented(report: Path, target: Path, *comments: tuple[str, str, str]) -> Path:
    """`report` with each (paragraph holding, comment, author) added as Word adds a comment."""
    document = docx.Document(str(report))
    for holding, text, author in comments:
        paragraph = next(p for p in document.paragraphs if holding in p.text)
        document.add_comment(paragraph.runs, text=text, author=author, initials=author[:2])
    document.save(str(target))
    return target


def memos(project: Path) -> list[tuple[str, str, str | None]]:
    with Project.open(project) as opened, opened.begin() as session:
        return [(memo.author.name, memo.text, memo.title) for memo in session.scalars(select(Memo).order_by(Memo.id))]


def coders(project: Path) -> dict[str, str]:
    with Project.open(project) as opened, opened.begin() as session:
        return {coder.name: coder.role for coder in session.scalars(select(Coder))}


def test_after_the_key_is_destroyed_a_review_is_refused_like_a_memo(reported: tuple[Path, Path], tmp_path: Path) -> None:
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", ("Jeg fikk plass", "Sissel Bakken sa det samme", "Sissel Bakken"))
    ok(run(project, "key", "destroy", "--yes"))
    refused = run(project, "review", "import", str(reviewed))
    assert refused.exit_code == 1 and "key was destroyed" in refused.output and "qualcode key new" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    assert memos(project) == [] and "Sissel Bakken" not in coders(project)


def test_a_comment_naming_a_name_held_back_for_review_is_refused_and_nothing_is_stored(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    project, report = reported
    held = tmp_path / "holdt"
    held.mkdir()
    (held / "deltaker_D7_T1.txt").write_text(
        "I: Hvem hjalp deg?\nD7: Det var Gunnhild Solberg på kontoret som hjalp meg mye.\n", encoding="utf-8")
    assert "Gunnhild Solberg" in run(project, "import", str(held / "deltaker_D7_T1.txt"), "--participant", "D7").output
    reviewed = commented(report, tmp_path / "c.docx", ("Jeg fikk plass", "Fint.", "Leser 2"),
                         ("Jeg fikk plass", "Gunnhild Solberg sa det samme", "Leser 2"))
    refused = run(project, "review", "import", str(reviewed))
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1
    # Said of the comment as the researcher finds it in the file: by whom, and on which quote.
    assert refused.output.startswith("error: a comment by Leser 2 on a quote under empowerment in c.docx names 'Gunnhild Solberg',"
                                     " which waits for review"), refused.output
    assert "nothing imported" in refused.output
    assert memos(project) == [] and "Leser 2" not in coders(project)  # not the first comment either


def key_as_stored() -> dict[str, Any]:
    """The project's key as its file holds it now."""
    from qualcode.anonymise.key import load_key

    return load_key(Path(os.environ["QUALCODE_KEY"]), "test passphrase").to_json()


def test_a_refused_review_import_keeps_nothing_it_learned_in_the_key_nor_the_project(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """A comment's address was learned by the key while the file was read, and the key was saved with it when a later
    comment was refused for a name nobody had decided about: "nothing imported", but the key (and the project's record
    of the key's revision) changed. Only the name the refusal sends the researcher to decide waits in the key now; a
    refusal for a name already waiting changes neither file, not a byte."""
    project, report = reported
    key_file, database = Path(os.environ["QUALCODE_KEY"]), project / ".qualcode" / "project.db"
    key_before, database_before, listed_before = key_as_stored(), database.read_bytes(), sorted(project.rglob("*"))
    reviewed = commented(report, tmp_path / "c.docx", ("Jeg fikk plass", "Skriv til meg: ola.nordby@example.no", "Leser 2"),
                         ("Jeg fikk plass", "Gunnhild Solberg sa det samme", "Leser 2"))
    refused = run(project, "review", "import", str(reviewed))
    assert refused.exit_code == 1 and refused.output.startswith(
        "error: a comment by Leser 2 on a quote under empowerment in c.docx names 'Gunnhild Solberg', a possible identifier"), refused.output
    key_after = key_as_stored()
    assert [waiting["text"] for waiting in key_after.pop("pending")] == ["Gunnhild Solberg"]
    assert key_after == {field: value for field, value in key_before.items() if field != "pending"}
    assert "ola.nordby" not in json.dumps(key_after)
    assert database.read_bytes() == database_before and sorted(project.rglob("*")) == listed_before  # no backup either
    waiting_bytes = key_file.read_bytes()
    again = run(project, "review", "import", str(reviewed))
    assert again.exit_code == 1 and "names 'Gunnhild Solberg', which waits for review" in again.output, again.output
    assert key_file.read_bytes() == waiting_bytes and database.read_bytes() == database_before


def test_a_reviewer_named_as_a_coder_in_another_case_is_that_coder_and_keeps_their_role(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", ("Jeg fikk plass", "Enig.", "kari"), ("Jeg fikk plass", "Ja.", "PROBER"))
    ok(run(project, "review", "import", str(reviewed)))
    assert {name: role for name, role in coders(project).items() if name.lower() in ("kari", "prober")} == {
        "Kari": "researcher", "Prober": "researcher"}
    assert [(author, text) for author, text, _ in memos(project)] == [("Kari", "Enig."), ("Prober", "Ja.")]
    assert "0 new memos, 2 already imported" in ok(run(project, "review", "import", str(reviewed))).output


def test_a_reviewer_written_in_lower_case_or_spaced_is_one_reviewer_under_the_key_s_pseudonym(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """Word's author "sissel bakken" was pseudonymised in her case, "maren eriksen", and refused as someone new whose
    name nobody had decided about, with a hint to add her pseudonym to the key as a person (her pseudonym typed in
    lower case was too); a reader new to the project written in two cases in one file ("Leser To", "leser to") had
    their comments titled in each."""
    project, report = reported
    from qualcode.anonymise.key import load_key

    sissel = load_key(Path(os.environ["QUALCODE_KEY"]), "test passphrase").entry_for("Sissel Bakken")
    assert sissel is not None
    pseudonym = sissel.pseudonym
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Enig.", "sissel bakken"), (OWN, "Helt enig.", "Sissel Bakken"),
                         (OWN, "Ja.", "  SISSEL   BAKKEN "), (OWN, "Greit.", pseudonym.lower()), (OWN, "Nei.", "leser to"),
                         (OWN, "Kanskje.", "Leser To"))
    imported = ok(run(project, "review", "import", str(reviewed)))
    assert "sissel" not in imported.output.casefold() and pseudonym.casefold() not in imported.output.replace(pseudonym, "").casefold()
    assert [(author, text) for author, text, _ in memos(project)] == [
        (pseudonym, "Enig."), (pseudonym, "Helt enig."), (pseudonym, "Ja."), (pseudonym, "Greit."), ("leser to", "Nei."),
        ("leser to", "Kanskje.")]
    assert all((title or "").startswith(f"Kommentar fra {author}") for author, _, title in memos(project))
    assert {name for name, role in coders(project).items() if role == "reviewer"} == {pseudonym, "leser to"}
    later = ok(run(project, "review", "import", str(commented(report, tmp_path / "d.docx", (OWN, "Ny.", "sissel bakken")))))
    assert f"{pseudonym}: attached to" in later.output and memos(project)[-1][:2] == (pseudonym, "Ny.")


def test_a_reviewer_named_as_the_consensus_coder_is_refused(reported: tuple[Path, Path], tmp_path: Path) -> None:
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", ("Jeg fikk plass", "Enig.", "Konsensus"))
    refused = run(project, "review", "import", str(reviewed))
    assert refused.exit_code == 1 and "the name the team's decisions are coded under" in refused.output
    assert memos(project) == [] and "Konsensus" not in coders(project)


def test_a_comment_is_already_imported_after_the_key_learns_a_name_in_it(reported: tuple[Path, Path], tmp_path: Path) -> None:
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", ("Jeg fikk plass", "Torbjørn Vik sa det samme", "Anne"))
    # A comment naming someone nobody has decided about is held back, as a transcript is, and
    # nothing of the file is stored (the reviewer, Anne, is a colleague and no candidate).
    refused = run(project, "review", "import", str(reviewed))
    assert refused.exit_code == 1 and refused.output.count("\n") == 1
    assert ("a comment by Anne on a quote under empowerment in c.docx names 'Torbjørn Vik', a possible identifier nobody has decided about; nothing imported"
            in refused.output), refused.output
    assert "`qualcode anonymise dismiss 'Torbjørn Vik'`), then import the file again" in refused.output
    assert memos(project) == []
    ok(run(project, "anonymise", "dismiss", "Torbjørn Vik"))  # taken for no one at first
    ok(run(project, "review", "import", str(reviewed)))
    ok(run(project, "identifiers", "add", "Torbjørn Vik", "--kind", "person"))  # and then known after all
    again = ok(run(project, "review", "import", str(reviewed)))
    assert "0 new memos, 1 already imported" in again.output
    [(_, text, _)] = memos(project)
    assert "Torbjørn" not in text


def test_a_comment_on_a_shared_quote_goes_to_the_coding_still_live_when_one_coder_removed_theirs(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", ("handlingsplanen", "Viktig sitat.", "Anne"))
    ok(run(project, "coding", "remove", "1", coder="Prober"))
    imported = ok(run(project, "review", "import", str(reviewed)))
    assert "attached to coding 3" in imported.output
    with Project.open(project) as opened, opened.begin() as session:
        assert session.scalar(select(Memo.coding_id)) == 3


def test_a_report_of_another_project_without_its_identifier_is_refused(reported: tuple[Path, Path], demo_template: Path,
                                                                         tmp_path: Path) -> None:
    project, report = reported
    document = docx.Document(str(report))
    document.core_properties.identifier = ""
    paragraph = next(p for p in document.paragraphs if p.text.strip() == "empowerment")
    document.add_comment(paragraph.runs, text="Om temaet.", author="Anne", initials="AN")
    document.save(str(tmp_path / "blank.docx"))
    # The same demo project made again: the same codes, none of the codings the report quotes.
    other = tmp_path / "other"
    import shutil

    shutil.copytree(demo_template / "demo", other)
    refused = run(other, "review", "import", str(tmp_path / "blank.docx"))
    assert refused.exit_code == 1 and "holds no quote from this project" in refused.output
    assert memos(other) == []
    # In the project it came from, the comment is placed on its section's code as before.
    assert "attached to code empowerment" in ok(run(project, "review", "import", str(tmp_path / "blank.docx"))).output


def test_a_review_import_waits_for_another_holding_the_key(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """Two imports of one file at once: the second runs only once the first has let go of the key,
    and finds its memos, as when they run one after the other."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", ("Jeg fikk plass", "Enig.", "Anne"))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with key_lock(Path(os.environ["QUALCODE_KEY"])):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "qualcode", "--project", str(project), "review", "import", str(reviewed), "--json"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 60  # a start takes about 1.5 s; then it waits at the lock, idle
        while waiting.poll() is None and not idle(waiting.pid) and time.monotonic() < deadline:
            pass
        assert waiting.poll() is None, waiting.communicate()
        assert memos(project) == []
        ok(run(project, "review", "import", str(reviewed)))  # this process holds the key: the first import
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert [placed["new"] for placed in json.loads(out)["placed"]] == [False]
    assert len(memos(project)) == 1
    with Project.open(project) as opened, opened.begin() as session:
        assert session.scalar(select(func.count()).select_from(Memo)) == 1


def test_a_comment_on_a_quote_a_replaced_text_orphaned_waits_on_that_coding(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """The quote's words left the transcript with `import --replace`, so its coding is orphaned, not
    removed: the comment was dropped as on "a quote removed from the project", and the reviewer's
    words were lost. An orphaned coding takes no memo: the comment goes on its transcript, titled
    with the coding it is about, and a second import finds it there."""
    project, report = reported
    source = Path(__file__).parents[1] / "transcripts" / "deltaker_D1_T1.txt"
    corrected = tmp_path / "deltaker_D1_T1.txt"
    corrected.write_text(source.read_text(encoding="utf-8").replace(OWN, "Jeg fikk endelig en plass."), encoding="utf-8")
    assert "1 orphaned" in ok(run(project, "import", str(corrected), "--replace")).output
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Et sterkt sitat.", "Anne"))
    imported = ok(run(project, "review", "import", str(reviewed)))
    [orphan] = json.loads(ok(run(project, "coding", "list", "--orphaned", "--json")).output)
    assert (f"transcript deltaker_D1_T1: its quote (coding {orphan['id']}) lost its place when the text was replaced"
            " (see `qualcode coding list --orphaned`)") in imported.output, imported.output
    assert "1 new memo, 0 already imported, 0 not placed" in imported.output
    listed = json.loads(ok(run(project, "memo", "list", "--json")).output)
    assert [(memo["text"], memo["attached_to"]) for memo in listed] == [("Et sterkt sitat.", "transcript deltaker_D1_T1")]
    assert listed[0]["title"].startswith("Kommentar fra Anne, ") and listed[0]["title"].endswith(f", om coding {orphan['id']}")
    assert "0 new memos, 1 already imported" in ok(run(project, "review", "import", str(reviewed))).output


def test_the_terminal_ui_s_import_places_a_comment_over_two_quotes_and_one_on_an_orphaned_quote(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """The UI read the coding's id from "coding 12 (the first of the 2 quotes it spans)" as a number,
    and failed; a comment on an orphaned quote is shown with its transcript, to jump to."""
    from qualcode.config import Config
    from qualcode.workspace import Workspace, review_read

    project, report = reported
    document = docx.Document(str(report))
    first, last = [p for p in document.paragraphs if SHARED in p.text or OWN in p.text]  # as the report orders them
    document.add_comment([first.runs[0], last.runs[-1]], text="Disse to hører sammen.", author="Anne", initials="A")
    document.save(str(tmp_path / "over-two.docx"))
    opened = Config.resolve(project=project, coder="Forsker 1", key=None)
    with Workspace.open(opened) as workspace:
        [spanning] = review_read(workspace.import_review_file(tmp_path / "over-two.docx")).comments
    assert spanning.attached_to.endswith("(the first of the 2 quotes it spans)") and spanning.transcript == "deltaker_D1_T1"
    assert spanning.start is not None and spanning.code is not None
    source = Path(__file__).parents[1] / "transcripts" / "deltaker_D1_T1.txt"
    corrected = tmp_path / "deltaker_D1_T1.txt"
    corrected.write_text(source.read_text(encoding="utf-8").replace(OWN, "Jeg fikk endelig en plass."), encoding="utf-8")
    ok(run(project, "import", str(corrected), "--replace"))
    with Workspace.open(opened) as workspace:
        [orphaned] = review_read(workspace.import_review_file(commented(report, tmp_path / "on-own.docx", (OWN, "Et sterkt sitat.", "Anne")))).comments
    assert orphaned.attached_to.startswith("transcript deltaker_D1_T1: its quote") and orphaned.transcript == "deltaker_D1_T1"


def test_a_reviewer_s_name_waiting_for_review_is_said_of_the_comment_and_a_long_one_is_cut(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """The refusal read "the text names 'Torbjørn Vik' … then write it again", naming no file; an
    author of 300 characters was kept as a coder's name the store's column holds 200 of."""
    project, report = reported
    assert run(project, "memo", "add", "Torbjørn Vik sa det").exit_code == 1  # refused, and waiting for review now
    refused = run(project, "review", "import", str(commented(report, tmp_path / "c.docx", (OWN, "Enig.", "Torbjørn Vik"))))
    assert refused.exit_code == 1 and refused.output.count("\n") == 1
    assert refused.output.startswith(
        "error: the author of a comment in c.docx names 'Torbjørn Vik', which waits for review as a possible identifier; nothing imported"
    ), refused.output
    assert "then import the file again" in refused.output and memos(project) == []
    long = "A" * 300
    ok(run(project, "review", "import", str(commented(report, tmp_path / "d.docx", (OWN, "Enig.", long)))))
    assert [author for author, _, _ in memos(project)] == ["A" * 199 + "…"]
    too_long = run(project, "--coder", "B" * 201, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", SHARED)
    assert too_long.exit_code == 1 and "a coder's name is longer than 200 characters" in too_long.output


def test_a_qdpx_export_says_it_cannot_carry_reviewers_roles_and_comments(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """A .qdpx round trip turned medforskere into researchers and reviewers' comments into plain
    memos, unsaid: REFI-QDA has no place for either, so the export says so."""
    project, report = reported
    ok(run(project, "review", "import", str(commented(report, tmp_path / "c.docx", (OWN, "Enig.", "Anne")))))
    exported = ok(run(project, "export", "qdpx", str(tmp_path / "p.qdpx")))
    assert "warning: 1 medforsker written as a plain user: REFI-QDA keeps no coder's role" in exported.output, exported.output
    assert "warning: 1 reviewer's comment written as plain notes: REFI-QDA keeps no mark of a review" in exported.output


def test_a_commenter_who_is_no_coder_is_a_reviewer_not_a_medforsker_who_codes_blind(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """An informant commenting on a draft (under her pseudonym) and a reader new to the project were made
    medforskere: blind by default where medforskere code blind, and a .qdpx export of a team with one
    medforsker warned of "3 medforskers"."""
    project, report = reported
    ok(run(project, "--coder", "Prober", "coder", "blind", "on", "--role", "medforsker"))
    ok(run(project, "identifiers", "add", "Torbjørg Haugland", "--kind", "person", "--pseudonym", "Per Solheim"))
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Enig.", "Anne"), (OWN, "Dette kjenner jeg igjen.", "Torbjørg Haugland"),
                         (SHARED, "Godt sagt.", "Leser A"))
    imported = ok(run(project, "review", "import", str(reviewed), coder="Prober"))
    assert "3 new memos" in imported.output
    roles = coders(project)
    assert (roles["Anne"], roles["Per Solheim"], roles["Leser A"]) == ("medforsker", "reviewer", "reviewer")
    assert "Torbjørg Haugland" not in roles
    # A reviewer is never blind: the review list shows them every comment, as it shows the team's researchers.
    listed = ok(run(project, "review", "list", coder="Per Solheim")).output
    assert "Enig." in listed and "Godt sagt." in listed
    # Not a coder where coders are counted or listed: the two who coded.
    assert "3 codings by 2 coders, 3 memos" in ok(run(project, "status")).output
    assert json.loads(ok(run(project, "agreement", "--unit", "turn", "--json")).output)["caption"].startswith("Coders: Kari, Prober;")
    listed_pairs = json.loads(ok(run(project, "consensus", "list", "--transcript", "deltaker_D1_T1", "--json")).output)
    assert listed_pairs and {(item["coder_a"], item["coder_b"]) for item in listed_pairs} == {("Kari", "Prober")}
    exported = ok(run(project, "export", "qdpx", str(tmp_path / "p.qdpx")))
    assert "warning: 1 medforsker and 2 reviewers written as plain users: REFI-QDA keeps no coder's role" in exported.output, exported.output
    # Their role is the team's to change, and a blind medforsker cannot make themselves one who is not blind.
    ok(run(project, "--coder", "Prober", "coder", "role", "Leser A", "medforsker"))
    refused = run(project, "--coder", "Anne", "coder", "role", "Anne", "reviewer")
    assert refused.exit_code == 1 and "Anne codes blind as a medforsker" in refused.output
    assert run(project, "--coder", "Prober", "coder", "blind", "on", "--role", "reviewer").exit_code == 2  # not a role that codes


def test_a_reviewer_new_to_the_project_signed_with_an_initial_is_refused(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """An initial names no one alone, and a pseudonym's given name with one passes ("Julie H."): a given name
    nobody has decided about does not."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", ("Jeg fikk plass", "Dette kjenner jeg igjen.", "Torbjørg H."))
    refused = run(project, "review", "import", str(reviewed))
    assert refused.exit_code == 1 and "by 'Torbjørg H.', who is new to the project" in refused.output
    assert memos(project) == []


def test_a_reviewer_an_earlier_import_made_a_medforsker_is_made_a_reviewer_by_coder_role(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """A project whose review import made a reader a medforsker keeps working: the team says what they are."""
    project, report = reported
    ok(run(project, "coder", "add", "Leser B", "--role", "medforsker"))  # as an earlier version stored a new reviewer
    ok(run(project, "review", "import", str(commented(report, tmp_path / "c.docx", (OWN, "Enig.", "Leser B")))))
    assert coders(project)["Leser B"] == "medforsker"  # a coder the project holds keeps their role
    assert "coder Leser B is now reviewer" in ok(run(project, "--coder", "Prober", "coder", "role", "Leser B", "reviewer")).output
    exported = ok(run(project, "export", "qdpx", str(tmp_path / "p.qdpx")))
    assert "warning: 1 medforsker and 1 reviewer written as plain users" in exported.output, exported.output


def test_a_reviewer_new_to_the_project_named_as_a_person_is_refused_until_the_team_says_who_they_are(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """A caseworker commenting under her own name was kept in clear as a coder, named in the report's
    method note, and from then on passed as a colleague in every memo."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", ("Jeg fikk plass", "Dette kjenner jeg igjen.", "Torbjørg Haugland"))
    refused = run(project, "review", "import", str(reviewed))
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1
    assert "by 'Torbjørg Haugland', who is new to the project" in refused.output
    assert "qualcode coder add 'Torbjørg Haugland' --role medforsker" in refused.output
    assert memos(project) == [] and "Torbjørg Haugland" not in coders(project)
    # Said to be an informant: in the key, and her comments come under her pseudonym, whatever it is
    # ("Per Solheim", read as text, proposed "Solheim" alone: the import was refused once in a while).
    ok(run(project, "identifiers", "add", "Torbjørg Haugland", "--kind", "person", "--pseudonym", "Per Solheim"))
    ok(run(project, "review", "import", str(reviewed)))
    assert memos(project) == [("Per Solheim", "Dette kjenner jeg igjen.", "Kommentar fra Per Solheim")] or [
        (author, text) for author, text, _ in memos(project)] == [("Per Solheim", "Dette kjenner jeg igjen.")]
    assert "Per Solheim" in coders(project)


def test_reviewers_known_by_their_address_stay_apart_and_the_same_in_every_file(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """Word often names an author by an e-mail address: every such reviewer was one coder, "(e-post)"."""
    project, report = reported
    first = commented(report, tmp_path / "m.docx", ("Jeg fikk plass", "Kutt dette sitatet.", "kari.nordmann@uib.no"),
                      (SHARED, "Behold dette sitatet.", "per.hansen@hvl.no"))
    ok(run(project, "review", "import", str(first)))
    later = commented(report, tmp_path / "n.docx", (SHARED, "Fortsatt enig.", "kari.nordmann@uib.no"))
    ok(run(project, "review", "import", str(later)))
    by = {text: author for author, text, _ in memos(project)}
    assert by["Kutt dette sitatet."] != by["Behold dette sitatet."] and by["Kutt dette sitatet."] == by["Fortsatt enig."]
    assert all(author.startswith("(e-post) ") and "@" not in author for author in by.values())


def test_a_look_alike_of_the_consensus_coder_is_refused(reported: tuple[Path, Path], tmp_path: Path) -> None:
    project, report = reported
    reviewed = commented(report, tmp_path / "k.docx", ("Jeg fikk plass", "Vi er enige om å kutte dette.", "k\u043ensensus"))
    refused = run(project, "review", "import", str(reviewed))
    assert refused.exit_code == 1 and "the name the team's decisions are coded under" in refused.output
    assert memos(project) == []


def test_a_participant_who_withdraws_takes_their_comments_and_no_report_of_their_words_comes_back(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """Her comments stayed under her pseudonym, new ones came in as "NN", and comments written on a
    report from before she withdrew brought her coded words back into memos."""
    project, report = reported
    ok(run(project, "coding", "add", "leder_L1", "måltall-press", "--match", "Vi får et måltall hvert år fra fylket", coder="Prober"))
    ok(run(project, "export", "report", "--output", str(tmp_path / "begge.docx")))
    own = commented(tmp_path / "begge.docx", tmp_path / "c.docx",
                    ("Vi får et måltall", "Som deltaker kjenner jeg meg igjen.", "Sissel Bakken"),
                    ("Vi får et måltall", "Fra e-posten min.", "sissel.bakken@epost.no"),
                    ("Vi får et måltall", "Godt sitat.", "Anne"))
    ok(run(project, "review", "import", str(own)))
    hers = {author for author, text, _ in memos(project) if author != "Anne"}
    assert len(hers) == 2 and not any("@" in author for author in hers)
    withdrawn = ok(run(project, "participants", "withdraw", "D1", "--identifier", "Sissel Bakken",
                       "--identifier", "sissel.bakken@epost.no", "--yes"))
    assert "deleted 2 comments they wrote on drafts" in withdrawn.output
    assert [(author, text) for author, text, _ in memos(project)] == [("Anne", "Godt sitat.")] and not hers & set(coders(project))
    # A report from before quotes her: refused whole, whatever its comments say.
    old = commented(report, tmp_path / "o.docx", ("Jeg fikk plass", f"Hun sa: {OWN}", "Anne"))
    refused = run(project, "review", "import", str(old))
    assert refused.exit_code == 1 and "quotes 2 passages of a participant who has withdrawn consent" in refused.output
    # A new report: her comment is left out, Anne's comes in.
    ok(run(project, "export", "report", "--output", str(tmp_path / "ny.docx")))
    new = commented(tmp_path / "ny.docx", tmp_path / "p.docx", ("Vi får et måltall", "Ny runde.", "Sissel Bakken"),
                    ("Vi får et måltall", "Igjen.", "sissel.bakken@epost.no"), ("Vi får et måltall", "Enig.", "Anne"))
    imported = ok(run(project, "review", "import", str(new)))
    assert imported.output.count("its author is a participant who withdrew consent") == 2, imported.output
    assert [(author, text) for author, text, _ in memos(project)] == [("Anne", "Godt sitat."), ("Anne", "Enig.")]


def test_a_participant_who_withdraws_after_key_destroy_is_told_which_comments_no_key_links_to_them(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """After `key destroy` only the key had linked D1 to the pseudonym her comments on a draft were kept
    under: the withdrawal (refused, then run with a new key) found none of them and said nothing. It runs
    without a key now, keeps those comments (nothing can tell they are hers), and names them in one line."""
    project, _ = reported
    ok(run(project, "coding", "add", "leder_L1", "måltall-press", "--match", "Vi får et måltall hvert år fra fylket", coder="Prober"))
    ok(run(project, "export", "report", "--output", str(tmp_path / "begge.docx")))
    # On another's quote, which stays (her comments on her own quotes go with them).
    own = commented(tmp_path / "begge.docx", tmp_path / "c.docx",
                    ("Vi får et måltall", "Som deltaker kjenner jeg meg igjen.", "Sissel Bakken"),
                    ("Vi får et måltall", "Godt sitat.", "Anne"))
    ok(run(project, "review", "import", str(own)))
    [hers] = {author for author, _, _ in memos(project)} - {"Anne"}
    ok(run(project, "key", "destroy", "--yes"))
    withdrawn = ok(run(project, "participants", "withdraw", "D1", "--yes"))
    assert ("comments on drafts under a name the key gave (1 by " + hers + ") stay, as only the key linked such a name to a"
            " participant: read them (`qualcode review list`) if they may have commented\n") in withdrawn.output, withdrawn.output
    assert withdrawn.output.count("the key was destroyed on ") == 1
    assert sorted(author for author, _, _ in memos(project)) == sorted(["Anne", hers])  # kept, as said
    assert "deltaker_D1_T1" not in ok(run(project, "transcripts", "list")).output


def test_a_withdrawal_with_a_key_made_after_key_destroy_names_the_comments_the_destroyed_key_gave_names(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """`key new` forgot that a key was destroyed: a withdrawal then ran with the new, empty key, found none
    of the comments D1 wrote under the pseudonym the destroyed key gave her, and said nothing of them; her
    name given with --identifier was "not in the key", lower-cased. The project remembers (in its log), and
    says so as a withdrawal without a key does, while the new key still does what it holds."""
    project, _ = reported
    ok(run(project, "identifiers", "add", "Torbjørg Haugland", "--kind", "person", "--participant", "D1", "--pseudonym", "Per Solheim"))
    ok(run(project, "coding", "add", "leder_L1", "måltall-press", "--match", "Vi får et måltall hvert år fra fylket", coder="Prober"))
    ok(run(project, "export", "report", "--output", str(tmp_path / "begge.docx")))
    own = commented(tmp_path / "begge.docx", tmp_path / "c.docx",
                    ("Vi får et måltall", "Som deltaker kjenner jeg meg igjen.", "Torbjørg Haugland"),
                    ("Vi får et måltall", "Godt sitat.", "Anne"))
    ok(run(project, "review", "import", str(own)))
    ok(run(project, "key", "destroy", "--yes"))
    ok(run(project, "key", "new"))
    ok(run(project, "identifiers", "add", "Karoline Dahl", "--kind", "person", "--participant", "D1"))  # the new key's own
    refused = run(project, "participants", "withdraw", "D1", "--identifier", "Torbjørg Haugland", "--yes")
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1
    assert "Torbjørg Haugland is not in the key: it was made in place of one destroyed on " in refused.output
    assert "deltaker_D1_T1" in ok(run(project, "transcripts", "list")).output  # nothing changed
    withdrawn = ok(run(project, "participants", "withdraw", "D1", "--yes"))
    assert "1 of their identifiers is kept only as a digest" in withdrawn.output  # the new key's entry for her
    assert ("the key before this one (destroyed on " in withdrawn.output and "comments on drafts under a name that key gave"
            " (1 by Per Solheim) stay, as only that key linked such a name to a participant" in withdrawn.output), withdrawn.output
    assert sorted(author for author, _, _ in memos(project)) == ["Anne", "Per Solheim"]  # kept, as said
    assert "deltaker_D1_T1" not in ok(run(project, "transcripts", "list")).output
    assert "in place of the one destroyed on " in ok(run(project, "history")).output


def test_review_import_json_gives_the_coding_s_id_and_names_what_it_could_not_place(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """`--json` printed the coding as "<qualcode.store.models.Coding object at 0x…>" and each comment
    it could not place as an array without keys."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Sterkt.", "Anne"), (OWN, "", "Anne"))
    imported = json.loads(ok(run(project, "review", "import", str(reviewed), "--json")).output)
    [placed] = imported["placed"]
    assert placed["coding"] == 2 and placed["transcript"] == "deltaker_D1_T1" and placed["code_path"] == "empowerment"
    assert isinstance(placed["start"], int)
    assert imported["unplaced"] == [{"author": "Anne", "text": "", "why": "the comment is empty"}]


def rezipped(source: Path, target: Path, edits: dict[str, list[tuple[str, str]]], added: dict[str, str] | None = None,
             drop: tuple[str, ...] = ()) -> Path:
    """A copy of a .docx with regular-expression edits to the XML of its parts, parts `added` and
    parts dropped, as a hand or another program than Word might leave them."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            if item.filename in drop:
                continue
            data = original.read(item.filename)
            for pattern, replacement in edits.get(item.filename, []):
                changed, count = re.subn(pattern, replacement, data.decode("utf-8"))
                assert count, (item.filename, pattern)
                data = changed.encode("utf-8")
            copy.writestr(item, data)
        for name, text in (added or {}).items():
            copy.writestr(name, text)
    return target


def test_a_comment_without_author_with_an_id_that_is_no_number_a_date_no_calendar_holds_or_long_is_imported(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """Each ended the import in a traceback: python-docx requires w:author and reads w:id as a number,
    a year-9999 moment with an offset overflowed in UTC, and a comment of 55,000 characters made a
    LIKE pattern SQLite refuses ("LIKE or GLOB pattern too complex")."""
    project, report = reported
    long = " ".join(["Dette sitatet viser noe viktig om medvirkning."] * 1200)
    assert len(long) > 55_000
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Uten navn.", "Anne"), (OWN, "Rart nummer.", "Anne"),
                         (OWN, "Fremtidig.", "Anne"), (SHARED, long, "Anne"))
    broken = rezipped(reviewed, tmp_path / "broken.docx", {
        "word/comments.xml": [(r'(<w:comment w:id="0") w:author="Anne"', r"\1"), (r'<w:comment w:id="1"', '<w:comment w:id="x1"'),
                              (r'(<w:comment w:id="2" w:author="Anne" w:initials="An") w:date="[^"]*"',
                               r'\1 w:date="9999-12-31T23:59:59-05:00"')],
        "word/document.xml": [(r'(<w:comment(?:RangeStart|RangeEnd|Reference) w:id=")1"', r'\1x1"')],
    })
    imported = ok(run(project, "review", "import", str(broken)))
    assert "4 new memos, 0 already imported, 0 not placed" in imported.output, imported.output
    stored = memos(project)
    assert [(author, text) for author, text, _ in stored[:3]] == [
        ("Ukjent kommentator", "Uten navn."), ("Anne", "Rart nummer."), ("Anne", "Fremtidig.")]
    assert stored[2][2] == "Kommentar fra Anne"  # undated: the file's moment is none
    assert stored[3][1] == long
    assert "0 new memos, 4 already imported" in ok(run(project, "review", "import", str(broken))).output


def with_replies(report: Path, target: Path, comments: list[tuple[str, str, str, int | None]]) -> Path:
    """`report` with each (paragraph holding, comment, author, the index of the comment it answers)
    added as Word adds comments and replies: every comment at one moment, each reply linked to its
    question by paragraph ids in commentsExtended.xml."""
    document = docx.Document(str(report))
    links = []
    for index, (holding, text, author, answers) in enumerate(comments):
        paragraph = next(p for p in document.paragraphs if holding in p.text)
        comment = document.add_comment(paragraph.runs, text=text, author=author, initials=author[:2])
        comment._comment_elm.findall(qn("w:p"))[-1].set(qn("w14:paraId"), f"{0x10000000 + index:08X}")
        parent = f' w15:paraIdParent="{0x10000000 + answers:08X}"' if answers is not None else ""
        links.append(f'<w15:commentEx w15:paraId="{0x10000000 + index:08X}"{parent} w15:done="0"/>')
    document.save(str(tmp := target.with_suffix(".tmp")))
    extended = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w15:commentsEx xmlns:w15='
                f'"http://schemas.microsoft.com/office/word/2012/wordml">{"".join(links)}</w15:commentsEx>')
    rezipped(tmp, target, {
        "word/comments.xml": [(r'w:date="[^"]*"', 'w:date="2026-11-30T10:15:00Z"')],
        "[Content_Types].xml": [("</Types>", '<Override PartName="/word/commentsExtended.xml" ContentType='
                                 '"application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"/></Types>')],
        "word/_rels/document.xml.rels": [("</Relationships>", '<Relationship Id="rIdSvar" Type="http://schemas.microsoft.com/'
                                          'office/2011/relationships/commentsExtended" Target="commentsExtended.xml"/></Relationships>')],
    }, {"word/commentsExtended.xml": extended})
    return target


def test_comments_alike_in_author_moment_words_and_quote_are_each_kept_and_once(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """Two "Ja." by one reviewer in the same minute on one quote were one memo, "already imported" the
    second; so were two "Ja." answering two questions there. Each is a memo, and an import of the same
    file again, or of LibreOffice's re-save (which drops which comment a reply answers), adds none."""
    project, report = reported
    ok(run(project, "coder", "add", "Kari Leser", "--role", "medforsker"))  # a reviewer on the team
    twice = with_replies(report, tmp_path / "twice.docx", [(OWN, "Ja.", "Kari Leser", None), (OWN, "Ja.", "Kari Leser", None)])
    imported = ok(run(project, "review", "import", str(twice)))
    assert "2 new memos, 0 already imported" in imported.output, imported.output
    assert "0 new memos, 2 already imported" in ok(run(project, "review", "import", str(twice))).output
    replies = with_replies(report, tmp_path / "replies.docx", [
        (SHARED, "Hvem sa dette?", "Anne", None), (SHARED, "Er dette typisk?", "Per", None),
        (SHARED, "Ja.", "Kari Leser", 0), (SHARED, "Ja.", "Kari Leser", 1),
    ])
    assert "4 new memos, 0 already imported" in ok(run(project, "review", "import", str(replies))).output
    assert [text for _, text, _ in memos(project)] == [
        "Ja.", "Ja.", "Hvem sa dette?", "Er dette typisk?", "(svar til Anne) Ja.", "(svar til Per) Ja."]
    assert "0 new memos, 4 already imported" in ok(run(project, "review", "import", str(replies))).output
    resaved = rezipped(replies, tmp_path / "libreoffice.docx", {
        "[Content_Types].xml": [(r"<Override [^>]*commentsExtended[^>]*/>", "")],
        "word/_rels/document.xml.rels": [(r"<Relationship [^>]*commentsExtended[^>]*/>", "")],
    }, drop=("word/commentsExtended.xml",))
    assert "0 new memos, 4 already imported" in ok(run(project, "review", "import", str(resaved))).output
    assert len(memos(project)) == 6


def test_a_reviewer_s_tracked_changes_to_the_report_are_said_by_author(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """A quote edited with track changes on came back as "0 new memos, 0 already imported, 0 not
    placed", the edits lost unsaid."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    project, report = reported
    ok(run(project, "coder", "add", "Kari Leser", "--role", "medforsker"))  # a reviewer on the team
    document = docx.Document(str(report))
    paragraph = next(p for p in document.paragraphs if OWN in p.text)
    moment = 'w:date="2026-11-30T10:15:00Z"'
    for number, (kind, author) in enumerate((("ins", "Kari Leser"), ("del", "Kari Leser"), ("ins", "Kari Leser"), ("del", "Per"))):
        words = "<w:t>nye ord</w:t>" if kind == "ins" else "<w:delText>gamle ord</w:delText>"
        paragraph._p.append(parse_xml(f'<w:{kind} {nsdecls("w")} w:id="{900 + number}" w:author="{author}" {moment}>'
                                      f"<w:r>{words}</w:r></w:{kind}>"))
    # The mark of a paragraph Kari inserted: part of that insertion, not a change of its own.
    paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:rPr {nsdecls("w")}><w:ins w:id="999" w:author="Kari Leser" {moment}/></w:rPr>'))
    document.add_comment(paragraph.runs[:1], text="Se endringene mine.", author="Kari Leser", initials="KL")
    document.save(str(tmp_path / "endret.docx"))
    imported = ok(run(project, "review", "import", str(tmp_path / "endret.docx")))
    assert ("3 tracked changes by Kari Leser were not imported: qualcode reads comments; ask for a comment instead"
            in imported.output), imported.output
    assert "1 tracked change by Per was not imported" in imported.output
    assert "1 new memo, 0 already imported, 0 not placed" in imported.output
    again = json.loads(ok(run(project, "review", "import", str(tmp_path / "endret.docx"), "--json")).output)
    assert again["tracked_changes"] == [{"author": "Kari Leser", "changes": 3}, {"author": "Per", "changes": 1}]


def test_a_small_file_unpacking_to_more_xml_than_a_report_holds_is_refused_before_it_is_parsed(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """A 332 KB file whose comments.xml unpacked to 190 MB of empty paragraphs was parsed whole, in
    7.4 GB: parts were allowed 200 MB. A reviewed report's XML parts may be 32 MB, and hold 2 million
    tags in all; either is refused by what the archive says and the bytes hold, before parsing."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Enig.", "Anne"))

    def bomb(target: Path, paragraphs: int) -> Path:
        """`reviewed` with `paragraphs` empty paragraphs in its comment, written as they pack, never held whole."""
        with zipfile.ZipFile(reviewed) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
            for item in original.infolist():
                data = original.read(item.filename)
                if item.filename != "word/comments.xml":
                    copy.writestr(item, data)
                    continue
                head, tail = data.split(b"</w:comment>", 1)
                with copy.open(item.filename, "w", force_zip64=True) as member:
                    member.write(head)
                    for _ in range(paragraphs // 100_000):
                        member.write(b"<w:p/>" * 100_000)
                    member.write(b"</w:comment>" + tail)
        return target

    too_large = bomb(tmp_path / "stor.docx", 5_700_000)  # 34 MB of XML
    assert too_large.stat().st_size < 200_000
    refused = run(project, "review", "import", str(too_large))
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
    assert "stor.docx: part word/comments.xml unpacks to 34,2" in refused.output
    assert "refusing XML parts over 32 MB (hint: a commented report is far smaller: ask the reviewer for the file" in refused.output
    too_dense = bomb(tmp_path / "tett.docx", 2_100_000)  # 12.6 MB: under 32 MB, and over 2 million tags
    refused = run(project, "review", "import", str(too_dense))
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
    assert "tett.docx: its XML holds 2,1" in refused.output and "(word/comments.xml 2,100,0" in refused.output
    assert "refusing more than 2,000,000" in refused.output
    assert memos(project) == []


def test_a_comment_brought_in_before_its_coding_was_removed_is_said_to_be_on_that_coding(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """Imported again once the coding was removed, it was "already on transcript …: its quote (coding 2)
    has been removed", where it would go now; its memo is on the removed coding, and is said so."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Sterkt.", "Anne"))
    assert "Anne: attached to coding 2: Sterkt." in ok(run(project, "review", "import", str(reviewed))).output
    ok(run(project, "coding", "remove", "2", coder="Prober"))
    again = ok(run(project, "review", "import", str(reviewed)))
    assert "Anne: already on coding 2 (removed): Sterkt." in again.output, again.output
    assert "0 new memos, 1 already imported" in again.output


def test_a_quote_a_restored_backup_took_away_is_said_of_its_comment_and_no_withdrawal_is_claimed(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """After a restore from before a quote was coded, the import said the report quoted someone who
    had withdrawn consent, which no one had, and refused every comment."""
    project, report = reported
    made = ok(run(project, "backup"))
    backup = made.output.split()[-1] if "backup" in made.output else ""
    ok(run(project, "coding", "add", "leder_L1", "måltall-press", "--match", "Vi får et måltall hvert år fra fylket", coder="Prober"))
    ok(run(project, "export", "report", "--output", str(tmp_path / "ny.docx")))
    listed = ok(run(project, "backup", "list")).output
    name = next(line.split()[0] for line in listed.splitlines() if "manual" in line or line.split()[0] in backup)
    ok(run(project, "backup", "restore", name))
    reviewed = commented(tmp_path / "ny.docx", tmp_path / "c.docx", ("Vi får et måltall", "Om måltall.", "Anne"),
                         ("Jeg fikk plass", "Om plass.", "Anne"))
    imported = ok(run(project, "review", "import", str(reviewed)))
    assert "withdrawn" not in imported.output and "is no longer in the project" in imported.output
    assert [text for _, text, _ in memos(project)] == ["Om plass."]


def test_a_withdrawal_leaves_a_colleague_whose_name_is_the_participants_pseudonym_their_comments(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """A coder on the team named as a participant's pseudonym happens to be had their comments, and
    themselves, deleted when that participant withdrew."""
    project, report = reported
    shown = ok(run(project, "transcripts", "show", "deltaker_D1_T1")).output
    pseudonym = re.search(r"Intervju med D1 \((.+?)\)", shown).group(1)  # type: ignore[union-attr]
    ok(run(project, "coder", "add", pseudonym, "--role", "medforsker"))
    ok(run(project, "coding", "add", "leder_L1", "måltall-press", "--match", "Vi får et måltall hvert år fra fylket", coder="Prober"))
    ok(run(project, "export", "report", "--output", str(tmp_path / "begge.docx")))
    ok(run(project, "review", "import", str(commented(tmp_path / "begge.docx", tmp_path / "c.docx",
                                                      ("Vi får et måltall", "En kollegas merknad.", pseudonym)))))
    withdrawn = ok(run(project, "participants", "withdraw", "D1", "--identifier", "Sissel Bakken", "--yes"))
    assert "comments they wrote on drafts" not in withdrawn.output
    assert [(author, text) for author, text, _ in memos(project)] == [(pseudonym, "En kollegas merknad.")]


def test_a_report_re_saved_by_word_in_norwegian_places_a_comment_under_a_heading_on_its_code(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """Word in Norwegian saves the heading styles' ids as "Overskrift1", "Overskrift2" (their names
    stay "heading 1", "heading 2"): the import knew headings only by the id "Heading1", and put
    every comment on a section's definition on the project instead of the code."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", ("Innflytelse over egen deltakelse", "Uklar definisjon.", "Anne"))
    norwegian = [(r'"Heading([1-9])"', r'"Overskrift\1"')]
    resaved = rezipped(reviewed, tmp_path / "norsk.docx", {
        "word/document.xml": norwegian, "word/styles.xml": norwegian, "word/numbering.xml": norwegian,
    })
    imported = ok(run(project, "review", "import", str(resaved)))
    assert "Anne: attached to code brukermedvirkning/individuell medvirkning: Uklar definisjon." in imported.output, imported.output


def test_a_comment_whose_author_is_only_commas_is_kept_as_by_an_unknown_reviewer(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """A name of commas read as "family, given" came to nothing, and the import stopped with "a coder
    needs a name (hint: pass --coder NAME …)", which is about the one importing, not the comment."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Uklart.", ","), (SHARED, "Enig.", " , , "))
    imported = ok(run(project, "review", "import", str(reviewed)))
    assert "2 new memos, 0 already imported, 0 not placed" in imported.output, imported.output
    assert [(author, text) for author, text, _ in memos(project)] == [("Ukjent kommentator", "Uklart."), ("Ukjent kommentator", "Enig.")]


@pytest.mark.parametrize("edits", [
    {"[Content_Types].xml": [(r'<Override PartName="/word/comments.xml"', "<Override")]},  # a part's type with no part
    {"word/_rels/document.xml.rels": [(r'Target="comments.xml"', "")]},  # a link to nothing
    {"word/_rels/document.xml.rels": [(r'(relationships/comments" )Target="comments.xml"', r'\1Target="settings.xml"')]},
    {"word/_rels/document.xml.rels": [(r'(relationships/styles" )Target="styles.xml"', r'\1Target="settings.xml"')]},
])
def test_a_report_whose_parts_are_linked_wrongly_is_refused_in_one_line(
    reported: tuple[Path, Path], tmp_path: Path, edits: dict[str, list[tuple[str, str]]],
) -> None:
    """Each was a traceback (AttributeError, TypeError): python-docx follows the package's content
    types and relationships as it reads, and fails on damaged ones as it follows them."""
    project, report = reported
    damaged = rezipped(commented(report, tmp_path / "c.docx", (OWN, "Sterkt.", "Anne")), tmp_path / "skadet.docx", edits)
    refused = run(project, "review", "import", str(damaged))
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
    assert refused.output.startswith("error: skadet.docx is not a readable .docx file"), refused.output
    assert "save it again as .docx" in refused.output
    assert memos(project) == []


def test_a_comment_whose_memo_was_removed_since_is_not_said_to_be_there(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """Imported again after its memo was removed (or the import undone), a comment was "already on
    coding 2", where nothing is to be seen; it is said to have been removed, and is not brought back."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Sterkt.", "Anne"), (SHARED, "Enig.", "Anne"))
    ok(run(project, "review", "import", str(reviewed)))
    ok(run(project, "memo", "remove", "1", coder="Prober"))
    again = ok(run(project, "review", "import", str(reviewed)))
    assert "Anne: already on coding 2, but memo 1 was removed since: Sterkt." in again.output, again.output
    assert "Anne: already on coding 1: Enig." in again.output
    assert "0 new memos, 2 already imported, 0 not placed" in again.output


def test_a_reference_a_reviewer_typed_is_no_quote_of_someone_who_withdrew(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """Once anyone had withdrawn, a report in which a reviewer had typed "se [S-123ABC]" (a quote of
    an earlier report, or a slip) was refused whole as quoting a participant who had withdrawn."""
    project, report = reported
    ok(run(project, "participants", "withdraw", "D2", "--yes"))  # quoted nowhere in the report
    document = docx.Document(str(report))
    document.add_paragraph("Sammenlign med [S-123ABC] i forrige rapport.")
    document.save(str(tmp_path / "skrevet.docx"))
    reviewed = commented(tmp_path / "skrevet.docx", tmp_path / "c.docx", (OWN, "Sterkt.", "Anne"))
    imported = ok(run(project, "review", "import", str(reviewed)))
    assert "Anne: attached to coding 2: Sterkt." in imported.output, imported.output


def test_a_password_protected_report_is_said_to_be_so(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """Word keeps a .docx with a password in its old compound format: the import said "not a readable
    .docx file (File is not a zip file)" and to save it again, which keeps the password."""
    project, _ = reported
    protected = tmp_path / "passord.docx"
    protected.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))
    refused = run(project, "review", "import", str(protected))
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
    assert "passord.docx is password-protected or an old binary Office file" in refused.output
    assert "remove the password" in refused.output


def test_a_review_import_is_the_importers_change_that_one_undo_takes_back(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """A probe: the memos a review import wrote were each the reviewer's change, so the researcher who
    imported the wrong file found `undo` taking back their own earlier work instead, and could not undo the import."""
    project, report = reported
    ok(run(project, "memo", "add", "Mitt eget notat", coder="Prober"))
    reviewed = commented(report, tmp_path / "c.docx", ("Jeg fikk plass", "Stemmer dette?", "Anne"),
                         (SHARED[:20], "Godt sitat.", "Anne"))
    ok(run(project, "review", "import", str(reviewed), coder="Prober"))
    assert [(author, text) for author, text, _ in memos(project)] == [
        ("Prober", "Mitt eget notat"), ("Anne", "Stemmer dette?"), ("Anne", "Godt sitat.")]
    undone = ok(run(project, "undo", coder="Prober"))
    assert "(and 1 more change made with it)" in undone.output
    with Project.open(project) as opened, opened.begin() as session:
        live = [memo.text for memo in session.scalars(select(Memo).where(Memo.removed_at.is_(None)).order_by(Memo.id))]
    assert live == ["Mitt eget notat"]
    ok(run(project, "redo", coder="Prober"))
    history = ok(run(project, "history", "--limit", "4")).output
    assert "Prober" in history.splitlines()[1] and "memo on coding" in history


def test_a_comment_s_moment_without_a_zone_is_the_local_time_it_was_written_and_dates_its_memo(
    reported: tuple[Path, Path], tmp_path: Path, oslo: None,
) -> None:
    """A probe: LibreOffice writes a comment's w:date in local time with no zone, Word in UTC with
    "Z"; both were read as UTC, so a comment written in Oslo at 00:30 on 1 December by Word was
    titled 30 November, and each memo was dated by the import, not by the comment. Under
    TZ=Europe/Oslo, each memo is dated when its comment was written, and titled with that day."""
    project, report = reported
    written = {  # the comment, its w:date as the editor writes it, and the moment on an Oslo clock
        "Først om natta.": ("2026-12-01T00:30:00", "2026-12-01T00:30:00+01:00"),
        "Så om natta.": ("2026-11-30T23:30:00Z", "2026-12-01T00:30:00+01:00"),
        "Om sommeren.": ("2026-06-01T14:03:00", "2026-06-01T14:03:00+02:00"),
        "Med forskyvning.": ("2026-06-01T14:03:00+02:00", "2026-06-01T14:03:00+02:00"),
    }
    reviewed = commented(report, tmp_path / "c.docx", *[(OWN, text, "Anne") for text in written])
    dated = rezipped(reviewed, tmp_path / "dated.docx", {"word/comments.xml": [
        (rf'(<w:comment w:id="{number}"[^>]*?) w:date="[^"]*"', rf'\1 w:date="{date}"')
        for number, (date, _) in enumerate(written.values())
    ]})
    assert "4 new memos" in ok(run(project, "review", "import", str(dated))).output
    listed = {row["text"]: row for row in json.loads(ok(run(project, "memo", "list", "--json")).output)}
    assert {text: listed[text]["created_at"] for text in written} == {text: shown for text, (_, shown) in written.items()}
    assert {text: listed[text]["title"] for text in written} == {text: f"Kommentar fra Anne, {shown[:10]}" for text, (_, shown) in written.items()}
    assert "0 new memos, 4 already imported" in ok(run(project, "review", "import", str(dated))).output
    # Re-saved by an editor that writes the same digits without the "Z": the same comments.
    resaved = rezipped(dated, tmp_path / "resaved.docx", {"word/comments.xml": [(r'(w:date="[^"]*?)Z"', r'\1"')]})
    assert "0 new memos, 4 already imported" in ok(run(project, "review", "import", str(resaved))).output


def test_a_comment_on_the_heading_of_a_code_merged_away_since_goes_to_the_code_it_went_into_once(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """It was left unplaced ("no longer in the codebook"), though the merge says where the code's material went."""
    project, report = reported
    document = docx.Document(str(report))
    heading = next(p for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")
                   and p.text.strip() == "individuell medvirkning")
    document.add_comment(heading.runs, text="Denne overlapper med tilbakemelding", author="Anne", initials="An")
    document.save(str(tmp_path / "c.docx"))
    ok(run(project, "codebook", "merge", "brukermedvirkning/individuell medvirkning", "brukermedvirkning/tilbakemelding"))
    imported = json.loads(ok(run(project, "review", "import", str(tmp_path / "c.docx"), "--json")).output)
    assert imported["unplaced"] == []
    [placed] = imported["placed"]
    assert placed["code_path"] == "brukermedvirkning/tilbakemelding" and "was merged into it since" in placed["attached_to"]
    with Project.open(project) as opened, opened.begin() as session:
        [code_path] = session.scalars(select(Code.path).join(Memo, Memo.code_id == Code.id).where(
            Memo.author.has(Coder.name == "Anne"))).all()
        assert code_path == "brukermedvirkning/tilbakemelding"
    assert "0 new memos, 1 already imported" in ok(run(project, "review", "import", str(tmp_path / "c.docx"))).output


def test_a_comment_dated_in_the_future_or_on_word_s_empty_date_is_titled_with_no_day(
    reported: tuple[Path, Path], tmp_path: Path, oslo: None,
) -> None:
    """A probe: a comment dated 2099 (a reviewer's clock) had its memo dated by the import but titled
    "Kommentar fra Anne, 2099-01-01"; one dated 1601-01-01 (Word's date for a comment with none) was
    dated and titled 1601. Neither says when it was written: each memo is dated by the import and its
    title names no day, as a comment with no date's is; an import again finds them."""
    project, report = reported
    written = {"Fra framtida.": "2099-01-01T10:00:00Z", "Uten dato.": "1601-01-01T00:00:00Z", "I dag.": "2026-11-30T10:00:00Z"}
    reviewed = commented(report, tmp_path / "c.docx", *[(OWN, text, "Anne") for text in written])
    dated = rezipped(reviewed, tmp_path / "dated.docx", {"word/comments.xml": [
        (rf'(<w:comment w:id="{number}"[^>]*?) w:date="[^"]*"', rf'\1 w:date="{date}"') for number, date in enumerate(written.values())
    ]})
    assert "3 new memos" in ok(run(project, "review", "import", str(dated))).output
    listed = {row["text"]: row for row in json.loads(ok(run(project, "memo", "list", "--json")).output)}
    assert {text: listed[text]["title"] for text in written} == {
        "Fra framtida.": "Kommentar fra Anne", "Uten dato.": "Kommentar fra Anne", "I dag.": "Kommentar fra Anne, 2026-11-30"}
    assert listed["Uten dato."]["created_at"][:4] == listed["Fra framtida."]["created_at"][:4] != "1601"
    assert "0 new memos, 3 already imported" in ok(run(project, "review", "import", str(dated))).output


def test_comments_imported_before_key_new_are_known_again_and_those_written_after_come_in(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """After `key destroy` and `key new`, the report came back with a comment written since: every comment
    imported before was not recognised (each known by a digest made with the destroyed key's secret), so
    each came in a second time beside the new one."""
    project, report = reported
    first = commented(report, tmp_path / "c.docx", ("Jeg fikk plass", "Godt sitat.", "Anne"),
                      ("Jeg fikk plass", "Ja.", "Anne"), ("Jeg fikk plass", "Ja.", "Anne"))
    assert "3 new memos" in ok(run(project, "review", "import", str(first))).output
    ok(run(project, "key", "destroy", "--yes"))
    ok(run(project, "key", "new"))
    again = commented(first, tmp_path / "d.docx", ("Jeg fikk plass", "Skrevet etter den nye nøkkelen.", "Anne"))
    imported = ok(run(project, "review", "import", str(again)))
    assert "1 new memo, 3 already imported, 0 not placed" in imported.output, imported.output
    assert sorted(text for _, text, _ in memos(project)) == ["Godt sitat.", "Ja.", "Ja.", "Skrevet etter den nye nøkkelen."]
    assert "0 new memos, 4 already imported" in ok(run(project, "review", "import", str(again))).output


@pytest.mark.parametrize("moment", ["2026-11-30T10:15:00Z", "2026-11-30T14:00:00Z"])
def test_a_new_comment_in_the_words_of_a_reply_imported_before_is_kept_whatever_its_place_in_the_file(
    reported: tuple[Path, Path], tmp_path: Path, moment: str,
) -> None:
    """A reviewer's new "Ja." on a quote she had answered "Ja." on before, that same day (in the same minute,
    or later), placed in the file before her reply: it took the reply's memo as its own (a reply and a
    comment in its words share a digest, and a reply whose link an editor dropped is known by its day),
    was said already imported and lost, and the reply came in a second time."""
    project, report = reported
    ok(run(project, "coder", "add", "Kari Leser", "--role", "medforsker"))
    first = with_replies(report, tmp_path / "first.docx", [(SHARED, "Hvem sa dette?", "Anne", None), (SHARED, "Ja.", "Kari Leser", 0)])
    assert "2 new memos, 0 already imported" in ok(run(project, "review", "import", str(first))).output
    later = rezipped(with_replies(report, tmp_path / "later.tmp.docx", [
        (SHARED, "Ja.", "Kari Leser", None), (SHARED, "Hvem sa dette?", "Anne", None), (SHARED, "Ja.", "Kari Leser", 1),
    ]), tmp_path / "later.docx", {"word/comments.xml": [(r'(<w:comment w:id="0"[^>]* w:date=")[^"]*"', rf'\g<1>{moment}"')]})
    imported = ok(run(project, "review", "import", str(later)))
    assert "1 new memo, 2 already imported" in imported.output, imported.output
    assert sorted(text for _, text, _ in memos(project)) == ["(svar til Anne) Ja.", "Hvem sa dette?", "Ja."]
    assert "0 new memos, 3 already imported" in ok(run(project, "review", "import", str(later))).output


def test_someone_new_who_imports_their_own_comments_undoes_and_redoes_that_import_and_still_codes_nothing(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """A probe: Leser A, new to the project, imported her own comments; made a reviewer by that import, she
    could not undo it: `undo` refused her as a reviewer, with a hint to make her a coder first."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Mine egne tanker.", "Leser A"), (SHARED, "Og her.", "Leser A"))
    ok(run(project, "review", "import", str(reviewed), coder="Leser A"))
    assert coders(project)["Leser A"] == "reviewer"

    def live() -> list[str]:
        with Project.open(project) as opened, opened.begin() as session:
            return list(session.scalars(select(Memo.text).where(Memo.removed_at.is_(None)).order_by(Memo.id)))

    undone = ok(run(project, "undo", coder="Leser A"))
    assert "(and 1 more change made with it)" in undone.output
    assert live() == []
    ok(run(project, "redo", coder="Leser A"))
    assert live() == ["Mine egne tanker.", "Og her."]
    # Still a reviewer, who codes nothing.
    refused = run(project, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", SHARED, coder="Leser A")
    assert refused.exit_code == 1 and "Leser A is a reviewer in this project" in refused.output
    # A coder the team made a reviewer since takes back no coding of theirs by undo: only a review import.
    ok(run(project, "--coder", "Prober", "coder", "role", "Kari", "reviewer"))
    refused = run(project, "undo", coder="Kari")
    assert refused.exit_code == 1 and "Kari is a reviewer in this project" in refused.output
    with Project.open(project) as opened, opened.begin() as session:
        assert session.get_one(Coding, 3).removed_at is None and session.get_one(Coding, 3).coder.name == "Kari"


def test_comments_undated_rewritten_or_moved_since_are_known_again_after_key_new(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """A probe: after `key destroy` and `key new`, the same report imported again brought in a second time
    each comment imported before that had no date (it was known only by its moment), whose memo the key had
    rewritten since (a name learned after it came in), or whose memo was no longer where the import would
    put it now (its quote's coding removed since: on another coder's coding of the quote, or its transcript)."""
    project, report = reported
    first = commented(report, tmp_path / "c.docx", (OWN, "Uten dato.", "Anne"), (OWN, "Torbjørn Vik sa det samme.", "Anne"),
                      (SHARED, "Viktig sitat.", "Anne"))
    reviewed = rezipped(first, tmp_path / "r.docx", {"word/comments.xml": [(r'(<w:comment w:id="0"[^>]*?) w:date="[^"]*"', r"\1")]})
    ok(run(project, "anonymise", "dismiss", "Torbjørn Vik"))  # taken for no one at first
    assert "3 new memos" in ok(run(project, "review", "import", str(reviewed))).output
    ok(run(project, "identifiers", "add", "Torbjørn Vik", "--kind", "person"))  # and then known: its memo is rewritten
    ok(run(project, "coding", "remove", "1", coder="Prober"))  # the shared quote: Kari's coding of it stays
    before = memos(project)
    assert not any("Torbjørn" in text for _, text, _ in before)
    ok(run(project, "key", "destroy", "--yes"))
    ok(run(project, "key", "new"))
    # Known under the new key by another pseudonym (one drawn by a key is the same from the same name).
    ok(run(project, "identifiers", "add", "Torbjørn Vik", "--kind", "person", "--pseudonym", "Ola Nordby"))
    again = ok(run(project, "review", "import", str(reviewed)))
    assert "0 new memos, 3 already imported, 0 not placed" in again.output, again.output
    assert "Anne: already on coding 1 (removed): Viktig sitat." in again.output
    ok(run(project, "coding", "remove", "3", coder="Kari"))  # no coding of the shared quote is live now
    assert "0 new memos, 3 already imported, 0 not placed" in ok(run(project, "review", "import", str(reviewed))).output
    assert memos(project) == before
    # What is new still comes in: undated or not, in other words than any before.
    later = commented(reviewed, tmp_path / "d.docx", (OWN, "Også uten dato.", "Anne"), (SHARED, "Skrevet etter den nye nøkkelen.", "Anne"))
    later = rezipped(later, tmp_path / "e.docx", {"word/comments.xml": [(r'(<w:comment w:id="3"[^>]*?) w:date="[^"]*"', r"\1")]})
    imported = ok(run(project, "review", "import", str(later)))
    assert "2 new memos, 3 already imported, 0 not placed" in imported.output, imported.output
    assert "0 new memos, 5 already imported" in ok(run(project, "review", "import", str(later))).output


def test_a_reviewer_known_by_their_address_is_the_same_reviewer_after_key_new(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """A probe: after `key destroy` and `key new`, a reviewer Word names by an e-mail address was digested
    anew, with the new key's secret: the same report imported again brought each of their comments in a
    second time, under another "(e-post)" reviewer, and so did any later file of theirs."""
    project, report = reported
    first = commented(report, tmp_path / "m.docx", (OWN, "Kutt dette sitatet.", "kari.nordmann@uib.no"),
                      (SHARED, "Behold dette sitatet.", "per.hansen@hvl.no"))
    ok(run(project, "review", "import", str(first)))
    by = {text: author for author, text, _ in memos(project)}
    kari, per = by["Kutt dette sitatet."], by["Behold dette sitatet."]
    ok(run(project, "key", "destroy", "--yes"))
    ok(run(project, "key", "new"))
    again = ok(run(project, "review", "import", str(first)))
    assert "0 new memos, 2 already imported" in again.output, again.output
    # Known from then on: a report with none of their comments imported before comes in under the same name.
    ok(run(project, "export", "report", "--output", str(tmp_path / "ny.docx")))
    later = commented(tmp_path / "ny.docx", tmp_path / "n.docx", (SHARED, "Fortsatt enig.", "Kari.Nordmann@uib.no"),
                      (OWN, "Ny leser.", "ola.berg@uib.no"))
    assert "2 new memos" in ok(run(project, "review", "import", str(later))).output
    by = {text: author for author, text, _ in memos(project)}
    assert by["Fortsatt enig."] == kari and by["Ny leser."] not in (kari, per)
    assert {name for name in coders(project) if name.startswith("(e-post)")} == {kari, per, by["Ny leser."]}
    # Nothing of an address is in the project, in any file of it.
    held = b"".join(path.read_bytes() for path in project.rglob("*") if path.is_file())
    assert b"uib.no" not in held and b"nordmann" not in held.lower() and b"hvl.no" not in held


def test_someone_new_whose_own_import_a_withdrawal_took_is_told_there_is_nothing_to_redo(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """A probe: Leser A, new, imported her own comment on D1's quote and undid it; D1 then withdrew, which deleted the
    comment and its log entries. Her redo was refused as a reviewer "who codes and changes nothing", with a hint to
    make her a coder, though she had undone that import a moment before: there is nothing of hers left to redo. One
    a colleague's import made a reviewer (an informant) is still refused as a reviewer."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Mine egne tanker.", "Leser A"), (OWN, "Enig.", "Leser B"))
    ok(run(project, "review", "import", str(reviewed), coder="Leser A"))
    ok(run(project, "undo", coder="Leser A"))
    ok(run(project, "participants", "withdraw", "D1", "--yes"))
    for command in ("redo", "undo"):
        refused = run(project, command, coder="Leser A")
        assert refused.exit_code == 1 and f"nothing to {command} for Leser A" in refused.output, refused.output
        assert "codes and changes nothing" not in refused.output and "coder role" not in refused.output
        other = run(project, command, coder="Leser B")  # made a reviewer by Leser A's import: never theirs to step
        assert other.exit_code == 1 and "Leser B is a reviewer in this project" in other.output, other.output


def addresses_meeting() -> tuple[str, str, str]:
    """Two addresses whose four digits, digested with the project's key secret, are the same, found by trying; and
    the name the first of them is kept under."""
    from qualcode.anonymise.key import load_key
    from qualcode.anonymise.names import kept_name

    key = load_key(Path(os.environ["QUALCODE_KEY"]), "test passphrase")
    by_name: dict[str, str] = {}
    for number in range(100_000):
        address = f"leser{number}@uib.no"
        name = kept_name(address, key, "test")[0]
        if name in by_name:
            return by_name[name], address, name
        by_name[name] = address
    raise AssertionError("no addresses meet")


def test_two_addresses_whose_digits_meet_stay_two_reviewers_in_every_file_and_after_key_new(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """A probe: two addresses whose four digits met (1 in 10,000 a pair; even odds among 120 reviewers) were one
    reviewer: one's comments came in under the other, and a withdrawal naming one address deleted both's."""
    project, _ = reported
    first, second, first_name = addresses_meeting()
    ok(run(project, "coding", "add", "leder_L1", "måltall-press", "--match", "Vi får et måltall hvert år fra fylket", coder="Prober"))
    ok(run(project, "export", "report", "--output", str(tmp_path / "begge.docx")))
    quote = "Vi får et måltall"
    # The first imports a file of theirs holding the second's comment too: made a reviewer by their own import.
    one = commented(tmp_path / "begge.docx", tmp_path / "a.docx", (quote, "Kutt dette.", first), (quote, "Behold dette.", second))
    assert "2 new memos" in ok(run(project, "review", "import", str(one), coder=first_name)).output
    by = {text: author for author, text, _ in memos(project)}
    second_name = by["Behold dette."]
    assert by["Kutt dette."] == first_name and second_name != first_name
    assert re.fullmatch(r"\(e-post\) \d{5,}", second_name), second_name
    # The same in every file: the second's name is kept, in the key, by a digest of their address.
    two = commented(tmp_path / "begge.docx", tmp_path / "b.docx", (quote, "Og dette.", first))
    ok(run(project, "review", "import", str(two), coder=first_name))
    three = commented(tmp_path / "begge.docx", tmp_path / "c.docx", (quote, "Fortsatt enig.", second.upper()))
    ok(run(project, "review", "import", str(three), coder="Prober"))
    by = {text: author for author, text, _ in memos(project)}
    assert (by["Og dette."], by["Fortsatt enig."]) == (first_name, second_name)
    # The first's undo takes back their own import, and nothing of the second's.
    ok(run(project, "undo", coder=first_name))
    with Project.open(project) as opened, opened.begin() as session:
        live = {memo.text: memo.author.name for memo in session.scalars(select(Memo).where(Memo.removed_at.is_(None)))}
    assert live == {"Kutt dette.": first_name, "Behold dette.": second_name, "Fortsatt enig.": second_name}
    ok(run(project, "redo", coder=first_name))
    # After `key new`, known again by their comments imported before, each under their own name.
    ok(run(project, "key", "destroy", "--yes"))
    ok(run(project, "key", "new"))
    again = ok(run(project, "review", "import", str(one)))
    assert "0 new memos, 2 already imported" in again.output, again.output
    four = commented(tmp_path / "begge.docx", tmp_path / "d.docx", (quote, "Siste ord.", second), (quote, "Mitt siste.", first))
    assert "2 new memos" in ok(run(project, "review", "import", str(four))).output
    by = {text: author for author, text, _ in memos(project)}
    assert (by["Siste ord."], by["Mitt siste."]) == (second_name, first_name)
    assert {name for name in coders(project) if name.startswith("(e-post)")} == {first_name, second_name}
    # A withdrawal naming one address deletes that reviewer's comments, never the other's.
    withdrawn = ok(run(project, "participants", "withdraw", "D1", "--identifier", second, "--yes"))
    assert "deleted 3 comments they wrote on drafts" in withdrawn.output, withdrawn.output
    assert sorted(text for _, text, _ in memos(project)) == ["Kutt dette.", "Mitt siste.", "Og dette."]
    held = b"".join(path.read_bytes() for path in project.rglob("*") if path.is_file())
    assert b"uib.no" not in held and b"leser" not in held.lower()


def test_a_new_undated_comment_differing_by_a_name_from_one_imported_before_key_new_comes_in_and_is_said(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """A probe: after `key new`, a new undated comment by the reviewer who had written one in the same words but
    another name on the same quote was taken for that one (a name in a memo imported before stands for any name,
    as the key before may have called it otherwise) and lost, said to be already imported."""
    project, report = reported
    ok(run(project, "identifiers", "add", "Torbjørn Vik", "--kind", "person"))
    undated = {"word/comments.xml": [(r'(<w:comment w:id="0"[^>]*?) w:date="[^"]*"', r"\1")]}
    old = rezipped(commented(report, tmp_path / "o.tmp.docx", (OWN, "Torbjørn Vik sa det samme.", "Anne")), tmp_path / "o.docx", undated)
    assert "1 new memo" in ok(run(project, "review", "import", str(old))).output
    ok(run(project, "key", "destroy", "--yes"))
    ok(run(project, "key", "new"))
    ok(run(project, "identifiers", "add", "Torbjørn Vik", "--kind", "person"))
    ok(run(project, "identifiers", "add", "Gudveig Fykse", "--kind", "person"))
    new = rezipped(commented(report, tmp_path / "n.tmp.docx", (OWN, "Gudveig Fykse sa det samme.", "Anne")), tmp_path / "n.docx", undated)
    imported = ok(run(project, "review", "import", str(new)))
    assert "1 new memo, 0 already imported" in imported.output, imported.output
    [(_, first, _), (_, second, _)] = memos(project)
    assert first != second and first.endswith(" sa det samme.") and second.endswith(" sa det samme.")
    assert ("its words differ from memo 1's, brought in before `key new`, only by a name, and it has no date to tell"
            " them apart by") in imported.output, imported.output
    assert "0 new memos, 1 already imported" in ok(run(project, "review", "import", str(new))).output


def test_someone_new_who_undid_their_own_import_of_a_wrong_file_imports_the_right_one(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """A probe: Leser A, new, imported her own comments from the wrong file and undid it; importing the right one
    was refused, as a reviewer "who codes and changes nothing". One a colleague's import made a reviewer is still
    refused as who imports, and her undo steps only her own import."""
    project, report = reported
    # The wrong file is one she saved before she was done: the right one holds its comments too.
    wrong = commented(report, tmp_path / "feil.docx", (OWN, "Mine egne tanker.", "Leser A"), (SHARED, "Enig.", "Leser B"))
    ok(run(project, "review", "import", str(wrong), coder="Leser A"))
    ok(run(project, "undo", coder="Leser A"))
    right = commented(wrong, tmp_path / "riktig.docx", (SHARED, "Og her.", "Leser A"))
    imported = ok(run(project, "review", "import", str(right), coder="Leser A"))
    assert "3 new memos, 0 already imported" in imported.output, imported.output
    assert "0 new memos, 3 already imported" in ok(run(project, "review", "import", str(right), coder="Prober")).output

    def live() -> list[tuple[str, str]]:
        with Project.open(project) as opened, opened.begin() as session:
            return [(memo.author.name, memo.text) for memo in session.scalars(
                select(Memo).where(Memo.removed_at.is_(None)).order_by(Memo.id))]

    mine = [("Leser A", "Mine egne tanker."), ("Leser B", "Enig."), ("Leser A", "Og her.")]
    assert live() == mine
    assert coders(project)["Leser A"] == coders(project)["Leser B"] == "reviewer"
    refused = run(project, "review", "import", str(right), coder="Leser B")
    assert refused.exit_code == 1 and "Leser B is a reviewer in this project" in refused.output, refused.output
    refused = run(project, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", SHARED, coder="Leser A")
    assert refused.exit_code == 1 and "Leser A is a reviewer in this project" in refused.output
    ok(run(project, "memo", "add", "Mitt eget notat", coder="Prober"))
    undone = ok(run(project, "undo", coder="Leser A"))
    assert "(and 2 more changes made with it)" in undone.output and live() == [("Prober", "Mitt eget notat")]
    ok(run(project, "redo", coder="Leser A"))
    assert sorted(live()) == sorted([*mine, ("Prober", "Mitt eget notat")])
    # A comment whose memo was removed is not brought back: that was a decision about the comment.
    with Project.open(project) as opened, opened.begin() as session:
        agreed = session.scalars(select(Memo.id).where(Memo.text == "Enig.", Memo.removed_at.is_(None))).one()
    ok(run(project, "memo", "remove", str(agreed), coder="Prober"))
    again = ok(run(project, "review", "import", str(right), coder="Leser A"))
    assert "0 new memos, 3 already imported" in again.output and "was removed since: Enig." in again.output, again.output


def test_an_undone_import_whose_comments_another_brought_in_again_is_not_redone(reported: tuple[Path, Path], tmp_path: Path) -> None:
    """Once a comment whose import was undone comes in again with another import, the undone import's redo would
    keep it twice: refused, saying why. A comment alike in every sign that was there before is no repeat."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Sterkt.", "Anne"), (SHARED, "Ja.", "Anne"))
    ok(run(project, "review", "import", str(reviewed), coder="Prober"))
    ok(run(project, "undo", coder="Prober"))
    assert "2 new memos" in ok(run(project, "review", "import", str(reviewed), coder="Kari")).output
    refused = run(project, "redo", coder="Prober")
    assert refused.exit_code == 1 and "the comments of what you last undid came in again since" in refused.output, refused.output
    assert sorted(text for _, text, _ in memos(project)) == ["Ja.", "Ja.", "Sterkt.", "Sterkt."]
    with Project.open(project) as opened, opened.begin() as session:
        assert session.scalar(select(func.count()).select_from(Memo).where(Memo.removed_at.is_(None))) == 2
    # A second "Ja." alike in every sign, in a later save of the file: its undone import is redone.
    later = rezipped(commented(reviewed, tmp_path / "d.tmp.docx", (SHARED, "Ja.", "Anne")), tmp_path / "d.docx",
                     {"word/comments.xml": [(r'w:date="[^"]*"', 'w:date="2026-11-30T10:15:00Z"')]})
    earlier = rezipped(reviewed, tmp_path / "e.docx", {"word/comments.xml": [(r'w:date="[^"]*"', 'w:date="2026-11-30T10:15:00Z"')]})
    assert "2 new memos" in ok(run(project, "review", "import", str(earlier), coder="Prober")).output
    assert "1 new memo, 2 already imported" in ok(run(project, "review", "import", str(later), coder="Prober")).output
    ok(run(project, "undo", coder="Prober"))
    ok(run(project, "redo", coder="Prober"))
