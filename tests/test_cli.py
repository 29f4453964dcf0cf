"""The CLI through CliRunner: exit codes, output and the database afterwards."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from qualcode.cli import cli
from qualcode.store.models import Coding, Participant, Transcript
from qualcode.store.project import Project
from tests.conftest import INTERVIEW, SAMPLES


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args), env=env, catch_exceptions=False)
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(previous)


def test_init_loads_the_kvp_codebook(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "ny"))
    assert result.exit_code == 0
    shown = run("--project", str(tmp_path / "ny"), "codebook", "show")
    assert "[e] empowerment" in shown.output and "[m] måltall-press" in shown.output and "[b] brukermedvirkning" in shown.output


def test_init_with_a_bad_codebook_leaves_no_project(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncodes:\n  - name: a\n    colour: rød\n", encoding="utf-8")
    result = run("init", str(tmp_path / "p"), "--codebook", str(bad))
    assert result.exit_code == 1
    assert "bad.yaml line 4: colour 'rød'" in result.output
    assert not (tmp_path / "p" / ".qualcode").exists()


def test_init_refuses_a_key_already_there_before_making_anything(tmp_path: Path) -> None:
    """`init DIR --key existing.qckey` (or $QUALCODE_KEY naming it) made the project, found the key, took the
    project away and left DIR behind, empty, with any new folders above it."""
    key = tmp_path / "nøkkel.qckey"
    assert run("--key", str(key), "init", str(tmp_path / "første")).exit_code == 0
    before = sorted(tmp_path.rglob("*"))
    refused = run("--key", str(key), "init", str(tmp_path / "andre"))
    assert refused.exit_code == 1 and f"error: a key already exists at {key}" in refused.output
    assert "loaded codebook" not in refused.output  # said before anything was made
    by_env = run("init", str(tmp_path / "ny" / "under" / "andre"), env={"QUALCODE_KEY": str(key)})
    assert by_env.exit_code == 1 and "a key already exists" in by_env.output
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize(("directory", "key", "said"), [
    ("fil", "k.qckey", "cannot make the project folder {tmp}/fil: {tmp}/fil is a file, not a folder"),
    ("fil/prosjekt", "k.qckey", "cannot make the project folder {tmp}/fil/prosjekt: {tmp}/fil is a file, not a folder"),
    ("ny/prosjekt", "fil/k.qckey", "cannot make the key's folder {tmp}/fil: {tmp}/fil is a file, not a folder"),
    ("ny/prosjekt", "mappe", "{tmp}/mappe is a folder, not a key file"),
])
def test_init_refuses_what_it_cannot_make_in_one_line_and_makes_nothing(tmp_path: Path, directory: str, key: str,
                                                                        said: str) -> None:
    """A file where the project's folder or the key's would go was a traceback, after the project was made and
    its folder left behind."""
    (tmp_path / "fil").write_text("ikke en mappe\n", encoding="utf-8")
    (tmp_path / "mappe").mkdir()
    before = sorted(tmp_path.rglob("*"))
    refused = run("--key", str(tmp_path / key), "init", str(tmp_path / directory))  # a traceback raises here
    assert refused.exit_code == 1 and "loaded codebook" not in refused.output
    assert said.format(tmp=tmp_path) in refused.output
    assert sorted(tmp_path.rglob("*")) == before


def test_a_new_key_where_a_file_stands_in_its_folder_s_place_is_refused_in_one_line(tmp_path: Path) -> None:
    """`key new --lost --key fil/k.qckey` was a traceback (FileExistsError) from making the lock's folder."""
    assert run("--key", str(tmp_path / "k.qckey"), "init", str(tmp_path / "prosjekt")).exit_code == 0
    (tmp_path / "fil").write_text("ikke en mappe\n", encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    refused = run("--project", str(tmp_path / "prosjekt"), "--key", str(tmp_path / "fil" / "k.qckey"), "key", "new", "--lost")
    assert refused.exit_code == 1, refused.output  # a traceback raises here
    assert f"cannot make the key's folder {tmp_path}/fil: {tmp_path}/fil is a file, not a folder" in refused.output
    assert sorted(tmp_path.rglob("*")) == before


def test_init_in_a_folder_holding_files_keeps_them_when_refused(tmp_path: Path) -> None:
    """A folder that was there, and what it held, is never taken away: a stray `.qualcode` holding a file too."""
    key = tmp_path / "nøkkel.qckey"
    assert run("--key", str(key), "init", str(tmp_path / "første")).exit_code == 0
    folder = tmp_path / "intervjuer"
    (folder / ".qualcode").mkdir(parents=True)
    (folder / "notat.txt").write_text("Et notat.\n", encoding="utf-8")
    (folder / ".qualcode" / "README").write_text("mitt\n", encoding="utf-8")
    refused = run("--key", str(key), "init", str(folder))
    assert refused.exit_code == 1
    assert sorted(path.relative_to(folder) for path in folder.rglob("*")) == [Path(".qualcode"), Path(".qualcode/README"), Path("notat.txt")]
    made = run("--key", str(tmp_path / "ny.qckey"), "init", str(folder))
    assert made.exit_code == 0 and (folder / "notat.txt").is_file()


def test_init_with_a_qdc_or_a_qdpx_says_how_to_load_it_and_leaves_no_project(tmp_path: Path) -> None:
    """A probe: `init --codebook x.qdc` read the REFI-QDA codebook as YAML and said "not valid YAML"."""
    qdc = tmp_path / "kodebok.qdc"
    qdc.write_text('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>\n',
                   encoding="utf-8")
    result = run("init", str(tmp_path / "p"), "--codebook", str(qdc))
    assert result.exit_code == 1 and "YAML" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "kodebok.qdc is a REFI-QDA codebook (.qdc)" in result.output and "--empty`, then `qualcode codebook import" in result.output
    qdpx = tmp_path / "prosjekt.qdpx"
    qdpx.write_bytes(b"PK\x03\x04" + bytes(60))
    result = run("init", str(tmp_path / "p"), "--codebook", str(qdpx))
    assert result.exit_code == 1 and "prosjekt.qdpx is a zip file" in result.output and "qualcode import" in result.output
    assert not (tmp_path / "p" / ".qualcode").exists()


def test_status_json_counts_the_demo(demo: Path) -> None:
    result = run("--project", str(demo), "status", "--json")
    summary = json.loads(result.output)
    assert summary["transcripts"] == len([p for p in SAMPLES.iterdir() if p.suffix in {".txt", ".md", ".docx", ".odt", ".vtt", ".srt"}])
    assert summary["participants_by_role"] == {"deltaker": 6, "leder": 1, "veileder": 3}


def test_project_is_found_from_the_current_directory(demo: Path) -> None:
    nested = demo / "notater"
    nested.mkdir()
    result = run("transcripts", "list", cwd=nested)
    assert result.exit_code == 0 and "deltaker_D1_T1" in result.output


def test_no_project_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = run("status", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("error: no qualcode project")


def test_reimporting_says_so_and_adds_nothing(demo: Path) -> None:
    result = run("--project", str(demo), "import", str(SAMPLES / "leder_L1.txt"))
    assert result.exit_code == 0
    assert "leder_L1.txt is already present as transcript leder_L1 (the same file)" in result.output
    with Project.open(demo) as project, project.begin() as session:
        assert len(session.scalars(select(Transcript)).all()) == 10


def test_batch_with_a_bad_file_exits_1_and_names_it(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "nye"
    folder.mkdir()
    (folder / "ok.txt").write_text(INTERVIEW, encoding="utf-8")
    (folder / "tom.txt").write_bytes(b"")
    result = run("--project", str(demo), "import", str(folder), str(tmp_path / "mangler.txt"))
    assert result.exit_code == 1
    assert "imported ok" in result.output
    assert "failed" in result.output and "tom.txt is empty" in result.output and "mangler.txt does not exist" in result.output


def test_code_search_undo_redo_history_from_the_cli(demo: Path) -> None:
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    added = run(*project, "coding", "add", "leder_L1", "måltall-press", "--match", "vi må nå måltallet før jul", "--json")
    assert added.exit_code == 0, added.output
    coding = json.loads(added.output)
    assert coding["excerpt"] == "vi må nå måltallet før jul" and coding["speaker"] == "L1"

    hits = json.loads(run(*project, "search", "jul", "--code", "måltall-press", "--json").output)["hits"]
    assert [(h["transcript"], h["keyword"]) for h in hits] == [("leder_L1", "jul")]

    assert run(*project, "undo").output.startswith("undid: coded leder_L1")
    with Project.open(demo) as opened, opened.begin() as session:
        assert session.scalar(select(Coding).where(Coding.removed_at.is_(None))) is None
    assert run(*project, "redo").exit_code == 0
    assert "redid" in run(*project, "history", "--limit", "1").output
    # In --json an undo or redo names the event it took back or made again, by its id.
    redid, undid, coded = json.loads(run(*project, "history", "--limit", "3", "--json").output)
    assert redid["refers_to"] == undid["refers_to"] == coded["id"] and coded["refers_to"] is None
    memo = run(*project, "coding", "memo", str(coding["id"]), "Leder bekrefter trykket")
    assert memo.exit_code == 0
    listed = json.loads(run(*project, "coding", "list", "--code", "måltall-press", "--json").output)
    assert listed[0]["memo"] == "Leder bekrefter trykket" and listed[0]["coder"] == "Forsker 1"


def test_a_value_beginning_with_a_dash_is_told_to_go_after_two_dashes(demo: Path) -> None:
    """`search '-2+3'` said only "No such option '-2'": a query, a memo or a match may begin with a
    dash, and click reads it as an option unless it comes after `--`. A misspelt option is told only what it was."""
    for query in ("-2+3", "--- notat"):
        result = run("--project", str(demo), "search", query)
        assert result.exit_code == 2 and result.output.count("\n") == 1
        assert "a value that begins with a dash goes after `--`, as in `cli search -- '-2+3'`" in result.output  # CliRunner's name
    found = run("--project", str(demo), "search", "--", "-måltall")
    assert found.exit_code == 0, found.output
    misspelt = run("--project", str(demo), "search", "--limt", "3", "måltall")
    assert "Did you mean" in misspelt.output and "begins with a dash" not in misspelt.output


def test_qualcodes_own_option_after_the_command_is_told_to_go_before_it(demo: Path) -> None:
    """`qualcode tui --coder Kari`, as the README's tour once read, said only "No such option
    '--coder'" and pointed at `tui --help`, which does not list it: --coder, --project and --key
    are qualcode's own options, given before the command."""
    for args, hint in ((["tui", "--coder", "Kari"], "`cli --coder NAME tui …`"),  # CliRunner's name
                       (["coding", "list", "--project", str(demo)], "`cli --project PATH coding list …`")):
        result = run("--project", str(demo), *args)
        assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
        assert f"(hint: {args[-2]} is qualcode's own option, given before the command: {hint})" in result.output
    assert run("--project", str(demo), "--coder", "Kari", "coding", "list").exit_code == 0
    assert "see `cli coding list --help`" in run("--project", str(demo), "coding", "list", "--bogus").output


def test_match_errors_are_one_line(demo: Path) -> None:
    result = run("--project", str(demo), "coding", "add", "leder_L1", "empowerment", "--match", "Intervjuer:")
    assert result.exit_code == 1
    assert result.output.startswith("error: the quoted text 'Intervjuer:' occurs 6 times")
    assert result.output.count("\n") == 1
    # A match is as written, capitals too: a probe's lower-case quote was told only "check the wording".
    result = run("--project", str(demo), "coding", "add", "leder_L1", "empowerment", "--match", "JEG HAR SAGT TIL VEILEDERNE")
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert result.output.startswith("error: the quoted text 'JEG HAR SAGT TIL VEILEDERNE' does not occur as written;"
                                    " it occurs as 'Jeg har sagt til veilederne' (line ")
    assert "(hint: quote it with its capitals as the transcript writes them)" in result.output


def test_an_export_to_a_folder_or_a_wrong_ending_says_what_to_name_it(demo: Path, tmp_path: Path) -> None:
    """A probe's `--output .` was told only "should end in .docx"."""
    assert run("--project", str(demo), "coding", "add", "leder_L1", "empowerment", "--match", "Jeg har sagt til veilederne").exit_code == 0
    folder = run("--project", str(demo), "export", "report", "--output", str(tmp_path))
    assert folder.exit_code == 1 and folder.output == (
        f"error: {tmp_path} is a folder (hint: name the file to write in it, as {tmp_path / 'rapport.docx'})\n")
    wrong = run("--project", str(demo), "export", "quotes", "--format", "csv", "--output", str(tmp_path / "sitater.txt"))
    assert wrong.exit_code == 1 and wrong.output == "error: sitater.txt should end in .csv (hint: name the file as sitater.csv)\n"


def test_search_prints_kwic_with_transcript_line_and_speaker(demo: Path) -> None:
    result = run("--project", str(demo), "search", "kvote", "--role", "veileder")
    assert result.exit_code == 0
    assert "veileder_V2:7" in result.output and "[kvote]" in result.output and "V2" in result.output


def test_codebook_export_validate_import_and_history(demo: Path, tmp_path: Path) -> None:
    exported = tmp_path / "kodebok.yaml"
    assert run("--project", str(demo), "codebook", "export", str(exported)).exit_code == 0
    assert run("--project", str(demo), "codebook", "export", str(exported)).exit_code == 1  # no overwrite
    assert "valid, 25 codes" in run("codebook", "validate", str(exported)).output
    edited = exported.read_text(encoding="utf-8").replace("Veilederes skjønnsutøvelse", "Skjønn i praksis og", 1)
    exported.write_text(edited, encoding="utf-8")
    result = run("--project", str(demo), "codebook", "import", str(exported))
    assert "0 codes added, 1 updated" in result.output
    history = run("--project", str(demo), "codebook", "history", "skjønn")
    assert "changed definition of skjønn" in history.output and "Skjønn i praksis og" in history.output


def test_a_codebook_naming_someone_is_held_back_for_review_as_a_transcript_is(demo: Path, tmp_path: Path) -> None:
    """A codebook comes from outside, as a transcript does: names in it are decided about first.
    (A name that is one of the key's pseudonyms whole is no candidate: "Torgeir" is on no list
    Faker draws the demo's pseudonyms from; "Sindre" is, and was now and then drawn for "Ahmed".)"""
    source = tmp_path / "kodebok.yaml"
    source.write_text(
        "name: Kodebok fra Kjellaug Tveter\ncodes:\n  - name: Oddbjørgs historie\n"
        "    definition: Det Oddbjørg Lien fortalte om sønnen Torgeir.\n", encoding="utf-8",
    )
    held = run("--project", str(demo), "codebook", "import", str(source))
    assert held.exit_code == 1 and "possible identifiers nobody has decided about" in held.stderr
    for name in ("Kjellaug Tveter", "Oddbjørg Lien", "Torgeir"):
        assert name in held.stderr, name
    assert "Oddbjørg" not in run("--project", str(demo), "codebook", "show").output  # nothing imported
    pending = run("--project", str(demo), "anonymise", "pending")
    assert "Kjellaug Tveter" in pending.output  # queued for the review


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    context = click.Context(group)  # the root group loads its commands lazily: ask it, not its dict
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("command", _commands(cli), ids=" ".join)
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    target: click.Command = cli
    for name in command:
        assert isinstance(target, click.Group)
        subcommand = target.get_command(click.Context(target), name)
        assert subcommand is not None
        target = subcommand
    assert target.help and target.help.strip()
    if not isinstance(target, click.Group):
        assert "Example:" in target.help, command


def test_identifiers_review_key_show_and_leakcheck(demo: Path, tmp_path: Path) -> None:
    project = ["--project", str(demo)]
    new = tmp_path / "ny.txt"
    new.write_text("I: Hvem møtte du?\nD9: Jeg møtte Torunn Aas og Bjørnar på Kiwi.\n", encoding="utf-8")
    held = run(*project, "import", str(new), "--participant", "D9")
    assert held.exit_code == 1 and "possible identifiers" in held.output and "Torunn Aas" in held.output
    pending = run(*project, "anonymise", "pending")
    assert "Torunn Aas" in pending.output and "Kiwi" in pending.output
    review = CliRunner().invoke(cli, [*project, "anonymise", "review"], input="p\nf\np\nm\ne\n")
    assert review.exit_code == 0, review.output
    assert "3 decided, 0 still waiting" in review.output
    imported = run(*project, "import", str(new), "--participant", "D9")
    assert imported.exit_code == 0, imported.output
    shown = run(*project, "transcripts", "show", "ny")
    assert "Torunn" not in shown.output and "Kiwi" not in shown.output and "(arbeidsgiver)" in shown.output
    key_listing = run(*project, "key", "show")
    assert "Torunn Aas" in key_listing.output and "Kiwi" in key_listing.output

    leaky = tmp_path / "utkast.txt"
    leaky.write_text("Torunns sak var vanskelig.\n", encoding="utf-8")
    check = run(*project, "leakcheck", str(leaky))
    assert check.exit_code == 1 and "person 'Torunns'" in check.output
    assert "error: 1 identifier found in 1 file\n" in check.output  # was "1 identifiers found in 1 files"
    clean = run(*project, "leakcheck", str(SAMPLES / "participants.csv"))
    assert clean.exit_code == 0 and "no identifiers found in 1 file\n" in clean.output


def test_review_asks_only_about_what_still_waits_and_keeps_every_decision(demo: Path, tmp_path: Path) -> None:
    """A probe: "Gunnhild Rasmussen" accepted decides "Gunnhild" too, yet the review asked about it;
    answered "p", it was refused as not waiting, and every decision made before was thrown away."""
    project = ["--project", str(demo)]
    new = tmp_path / "ny.txt"
    new.write_text(
        "I: Hvem møtte du?\nD9: Jeg møtte veilederen min, Gunnhild Rasmussen, på Kiwi. Gunnhild sa at det ordnet seg.\n",
        encoding="utf-8",
    )
    assert run(*project, "import", str(new), "--participant", "D9").exit_code == 1
    pending = run(*project, "anonymise", "pending", "--json")
    assert [c["text"] for c in json.loads(pending.stdout)] == ["Gunnhild Rasmussen", "Kiwi", "Gunnhild"]
    review = CliRunner().invoke(cli, [*project, "anonymise", "review"], input="p\nf\ne\np\nf\n")
    assert review.exit_code == 0, review.output
    assert "\nGunnhild\n" not in review.output and "2 decided, 0 still waiting" in review.output
    assert run(*project, "import", str(new), "--participant", "D9").exit_code == 0


def test_a_full_name_is_asked_before_its_first_name_so_both_get_one_pseudonym(demo: Path, tmp_path: Path) -> None:
    """A field trial: "veileder Ola …. Ola Nordby, han …" queued "Ola" before "Ola Nordby"; the review
    asked about "Ola" first, and the one caseworker became two people, "Knut" and "Vidar Pettersen"."""
    project = ["--project", str(demo)]
    new = tmp_path / "ny.txt"
    new.write_text(
        "I: Hvem foreslo KVP?\nD9: Det var veileder Ola som foreslo det. Ola Nordby, han har vært veilederen min lenge.\n",
        encoding="utf-8",
    )
    assert run(*project, "import", str(new), "--participant", "D9").exit_code == 1
    pending = run(*project, "anonymise", "pending", "--json")
    assert [c["text"] for c in json.loads(pending.stdout)] == ["Ola Nordby", "Ola"]
    review = CliRunner().invoke(cli, [*project, "anonymise", "review"], input="p\nm\n")
    assert review.exit_code == 0, review.output
    assert "1 decided, 0 still waiting" in review.output
    assert run(*project, "import", str(new), "--participant", "D9").exit_code == 0
    shown = run(*project, "transcripts", "show", "ny").output
    full = shown.split("som foreslo det. ")[1].split(",")[0]
    # As a word: a pseudonym may be drawn that begins so ("Olav"), and did, one run in many.
    assert f"veileder {full.split()[0]} som" in shown and not re.search(r"\bOla\b", shown), shown


def test_a_file_held_back_for_review_is_said_to_be_held_back_not_to_have_failed(demo: Path, tmp_path: Path) -> None:
    """A field trial: a file waiting for the researcher's decisions was listed as "failed", and counted so."""
    (tmp_path / "ny.txt").write_text("I: Hvem møtte du?\nD9: Jeg møtte veilederen min, Gunnhild Rasmussen, på Kiwi.\n", encoding="utf-8")
    (tmp_path / "tom.txt").write_text("", encoding="utf-8")
    result = run("--project", str(demo), "import", str(tmp_path / "ny.txt"), str(tmp_path / "tom.txt"))
    assert result.exit_code == 1  # the import is not done: the held-back file is still to come
    assert f"held back {tmp_path / 'ny.txt'}: ny.txt has 2 possible identifiers" in result.output
    assert f"failed {tmp_path / 'tom.txt'}: " in result.output and f"failed {tmp_path / 'ny.txt'}" not in result.output
    assert "0 imported, 0 already present, 1 held back for review, 1 failed" in result.output
    data = json.loads(run("--project", str(demo), "import", str(tmp_path / "ny.txt"), "--json").stdout)
    assert data["held_back"] == [str(tmp_path / "ny.txt")] and [item["file"] for item in data["failed"]] == [str(tmp_path / "ny.txt")]


def test_a_review_stopped_midway_keeps_the_decisions_made(demo: Path, tmp_path: Path) -> None:
    """Ctrl-C, or input that ran out, at a review's prompt threw away every decision made before it,
    with click's bare "Aborted!"."""
    project = ["--project", str(demo)]
    new = tmp_path / "ny.txt"
    new.write_text("I: Hvem møtte du?\nD9: Jeg møtte veilederen min, Gunnhild Rasmussen, på Kiwi.\n", encoding="utf-8")
    assert run(*project, "import", str(new), "--participant", "D9").exit_code == 1
    review = CliRunner().invoke(cli, [*project, "anonymise", "review"], input="p\nf\n")  # then nothing more
    assert review.exit_code == 0, review.output
    assert "stopped: the decisions made are kept; 1 decided, 1 still waiting" in review.output and "Aborted" not in review.output
    assert [c["text"] for c in json.loads(run(*project, "anonymise", "pending", "--json").stdout)] == ["Kiwi"]
    # A gender mistyped at its prompt is asked again, not a refusal of the whole review.
    again = CliRunner().invoke(cli, [*project, "anonymise", "review"], input="p\nkvinnlig\nf\n")
    assert again.exit_code == 0 and "f or m (kvinne, mann)" in again.output and "1 decided, 0 still waiting" in again.output


def test_dry_run_writes_nothing(demo: Path) -> None:
    result = run("--project", str(demo), "import", str(SAMPLES / "deltaker_D3_T1.txt"), "--name", "kopi", "--dry-run")
    assert result.exit_code == 0
    assert "'15038910083' -> '(fødselsnummer)'" in result.output
    assert "dry run: nothing was written" in result.output
    assert "kopi" not in run("--project", str(demo), "transcripts", "list").output


def test_dry_run_lists_what_the_front_matter_would_have_replaced(demo: Path, tmp_path: Path) -> None:
    """The import replaces an address in the front matter; its dry run had said "0 replacements"."""
    path = tmp_path / "notat.txt"
    path.write_text("---\nparticipant: D1\nattributes:\n  epost: bodil.k@online.no\n---\nI: Hei.\nD1: Hei på deg.\n", encoding="utf-8")
    result = run("--project", str(demo), "import", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "notat.txt: 1 replacement\n" in result.output
    assert "  front matter  email       'bodil.k@online.no' -> '(e-post)'   …attributes: epost: bodil.k@online.no…" in result.output


def test_wrong_passphrase_is_one_line_and_changes_nothing(demo: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "demo-key" / "demo.qckey"
    before = key_file.read_bytes()
    result = run("--project", str(demo), "key", "show", env={"QUALCODE_KEY_PASSPHRASE": "feil"})
    assert result.exit_code == 1
    assert result.output.startswith("error: wrong passphrase") and result.output.count("\n") == 1
    assert key_file.read_bytes() == before


def test_passphrase_is_prompted_when_not_in_the_environment(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUALCODE_KEY_PASSPHRASE")
    result = CliRunner().invoke(cli, ["--project", str(demo), "key", "show"], input="test passphrase\n")
    assert result.exit_code == 0 and "Sissel Bakken" in result.output
    # No terminal and nothing on standard input (a job, `< /dev/null`): one line, not getpass's warning.
    for given in ("", "\n"):
        result = CliRunner().invoke(cli, ["--project", str(demo), "memo", "add", "et notat"], input=given)
        assert (result.exit_code, result.output) == (1, (
            "error: the key's passphrase was not given, and there is no terminal to ask for it in "
            "(hint: set QUALCODE_KEY_PASSPHRASE, or run the command in a terminal)\n"
        ))


def test_withdraw_and_destroy_from_the_cli(demo: Path, tmp_path: Path) -> None:
    project = ["--project", str(demo)]
    before = {entry["original"]: entry for entry in json.loads(run(*project, "key", "show", "--json").output)}
    assert before["15038910083"]["kind"] == "fnr" and before["15038910083"]["seen_in"] == ["deltaker_D3_T1"]
    withdrawn = run(*project, "participants", "withdraw", "D3", "--yes")
    assert withdrawn.exit_code == 0 and "removed 1 transcript," in withdrawn.output
    # Their fødselsnummer and address, seen only in their interview, leave the key in clear as their name does.
    after = {entry["original"] for entry in json.loads(run(*project, "key", "show", "--json").output)}
    assert [original for original in before if "Fjellveien 12" in original] and "15038910083" not in after
    assert not any("Fjellveien 12" in original for original in after) and "Fjellveien" in after  # the list's place stays
    assert "Sissel Bakken" in after  # another's name stays
    assert "deltaker_D3_T1" not in run(*project, "transcripts", "list").output
    assert "withdrew consent" in run(*project, "history", "--limit", "1").output
    assert run(*project, "key", "destroy", "--yes").exit_code == 0
    assert not (tmp_path / "demo-key" / "demo.qckey").exists()
    assert "deltaker_D1_T1" in run(*project, "transcripts", "list").output  # the project stays


@pytest.mark.parametrize(("command", "refused"), [
    (["participants", "withdraw", "D3"], "D3 was not withdrawn, and nothing was removed"),
    (["key", "destroy"], "was not destroyed"),
])
def test_a_confirmation_not_given_is_one_line_saying_how_to_go_ahead(demo: Path, tmp_path: Path, command: list[str], refused: str) -> None:
    """`participants withdraw` and `key destroy` run from a script without --yes, or answered no,
    printed click's bare "Aborted!", which says neither what was not done nor how to go ahead."""
    project = ["--project", str(demo)]
    for answer, why, hint in (("", "the question was not answered", "pass --yes to go ahead without being asked"),
                              ("n\n", "you answered no", "to go ahead, answer y, or pass --yes")):
        result = CliRunner().invoke(cli, [*project, *command], input=answer)
        assert result.exit_code == 1 and "Aborted" not in result.output, result.output
        error = result.stderr.splitlines()[-1]
        assert error.startswith("error: ") and refused in error and why in error and hint in error, error
    assert "deltaker_D3_T1" in run(*project, "transcripts", "list").output
    assert (tmp_path / "demo-key" / "demo.qckey").exists()


def test_a_withdrawal_after_key_destroy_runs_without_the_key_and_says_what_it_could_not_do(demo: Path, tmp_path: Path) -> None:
    """After `key destroy`, `withdraw` was refused until `key new`, and then ran with the new, empty key:
    --identifier was "not in the key", and their comments, under a pseudonym only the old key linked to
    them, were silently not found. It runs without a key now and says in one line what the key took
    with it; --identifier is refused (there is no key to keep its digest, and the project keeps no
    name); a key that is merely missing is refused as before: it holds their identifiers."""
    from datetime import date

    project = ["--project", str(demo)]
    key = tmp_path / "demo-key" / "demo.qckey"
    # Missing, not destroyed (moved, or a wrong --key): refused, nothing done.
    key.rename(tmp_path / "moved.qckey")
    missing = run(*project, "participants", "withdraw", "D3", "--yes")
    assert missing.exit_code == 1 and missing.output.startswith(f"error: this project's key is not at {key}"), missing.output
    assert "D3" in run(*project, "participants", "list").output
    (tmp_path / "moved.qckey").rename(key)
    assert run(*project, "backup").exit_code == 0
    assert run(*project, "key", "destroy", "--yes").exit_code == 0
    today = date.today().isoformat()
    named = run(*project, "participants", "withdraw", "D3", "--identifier", "Ahmed", "--yes")
    assert named.exit_code == 1 and named.output.count("\n") == 1, named.output
    assert named.output.startswith(f"error: this project's key was destroyed on {today}: there is no key to keep a digest of an"
                                   " --identifier in, and the project keeps no identifier; nothing was changed")
    assert "D3" in run(*project, "participants", "list").output
    withdrawn = run(*project, "participants", "withdraw", "D3", "--yes")
    assert withdrawn.exit_code == 0, withdrawn.output
    assert "removed 1 transcript," in withdrawn.output and "digests" not in withdrawn.output
    assert (f"\nthe key was destroyed on {today} and took their identifiers with it (the project never held any; a copy of"
            " the key kept elsewhere still does); no comment on a draft came in under a name the key gave, so no comment of"
            " theirs is left\n") in withdrawn.output
    assert "--identifier" not in withdrawn.output  # no key to name them in
    assert "deltaker_D3_T1" not in run(*project, "transcripts", "list").output
    assert "deltaker_D1_T1" in run(*project, "transcripts", "list").output
    for part in [*(demo / ".qualcode").glob("project.db*"), *(demo / ".qualcode" / "backups").glob("*.bak*")]:
        assert b"ryggen" not in part.read_bytes(), part
    assert f"1 participant withdrew ({today})" in run(*project, "status").output
    assert run(*project, "key", "new").exit_code == 0  # for a later import: their file is still refused
    again = run(*project, "import", str(SAMPLES / "deltaker_D3_T1.txt"))
    assert again.exit_code == 1 and "deltaker_D3_T1.txt is the interview of a participant who withdrew consent" in again.output


def test_counts_made_after_a_withdrawal_say_that_someone_withdrew(demo: Path) -> None:
    """After `withdraw D3` status, analyse and agreement counted as if D3 had never been there: a researcher
    comparing with an earlier export saw the numbers drop, and nothing said why. Each says in one line (and
    in --json) how many withdrew and when, naming no one."""
    from datetime import date

    project = ["--project", str(demo)]
    for coder in ("Forsker 1", "Medforsker 1"):  # two coders, so agreement has something to measure
        for transcript, quote in (("leder_L1", "vi må nå måltallet før jul"), ("deltaker_D3_T1", "ryggen ble dårlig")):
            coded = run(*project, "--coder", coder, "coding", "add", transcript, "måltall-press", "--match", quote)
            assert coded.exit_code == 0, coded.output
    assert "withdrew" not in run(*project, "status").output
    assert json.loads(run(*project, "status", "--json").output)["withdrawn"] is None
    assert "withdrawn" not in json.loads(run(*project, "analyse", "codes", "--json").output)
    assert run(*project, "participants", "withdraw", "D3", "--yes").exit_code == 0
    today = date.today().isoformat()  # the day where the researcher is
    line = f"1 participant withdrew ({today}); their words are not in these counts"
    commands = (["status"], ["analyse", "codes"], ["analyse", "matrix", "--by", "role"], ["agreement"])
    for command in commands:
        shown = run(*project, *command)
        assert shown.exit_code == 0 and shown.output.count(line) == 1, (command, shown.output)
        assert "D3" not in shown.output, (command, shown.output)
    expected = {"participants": 1, "dates": [today], "note": line}
    for command in commands:
        data = json.loads(run(*project, *command, "--json").stdout)
        assert data["withdrawn"] == expected, command
    both = json.loads(run(*project, "analyse", "compare", "--by", "wave", "--code", "måltall-press", "--json").stdout)
    assert both["counts"]["withdrawn"] == both["participants"]["withdrawn"] == expected


def test_an_earlier_version_of_a_withdrawn_participants_file_is_refused(demo: Path, tmp_path: Path) -> None:
    """Only a transcript's newest file was remembered: after `import --replace` and a withdrawal, the
    earlier version of their file (naming no participant, so no id refused it) was imported again whole.
    Every version's digest is refused now, under any name."""
    project = ["--project", str(demo)]
    first, second = tmp_path / "første" / "oppfølging.txt", tmp_path / "andre" / "oppfølging.txt"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_text("I: Hvordan gikk det?\nDeltaker: Jeg tok endelig truckførerbeviset i vår.\n", encoding="utf-8")
    second.write_text("---\nparticipant: D3\n---\nI: Hvordan gikk det?\nDeltaker: Jeg tok endelig"
                      " truckførerbeviset i vår, sa jeg.\n", encoding="utf-8")
    assert run(*project, "import", str(first)).exit_code == 0
    replaced = run(*project, "import", "--replace", str(second))
    assert replaced.exit_code == 0 and "replaced the text of oppfølging (D3)" in replaced.output, replaced.output
    assert run(*project, "participants", "withdraw", "D3", "--yes").exit_code == 0
    for again in ([str(first)], [str(first), "--name", "samtale"], [str(second)]):
        refused = run(*project, "import", *again)
        assert refused.exit_code == 1 and "oppfølging.txt is the interview of a participant who withdrew consent" in refused.output, (
            again, refused.output)
    assert "oppfølging" not in run(*project, "transcripts", "list").output
    assert "truckførerbevis" not in run(*project, "search", "truckførerbeviset").output


def test_a_withdrawal_that_keeps_one_identifier_as_a_digest_says_so_in_the_singular(demo: Path) -> None:
    """It said "1 of their identifiers are kept only as digests", and for one named after they had
    withdrawn "1 identifiers named are now kept only as digests"."""
    project = ["--project", str(demo)]
    withdrawn = run(*project, "participants", "withdraw", "D2", "--identifier", "Kristoffer Lie", "--yes")
    assert withdrawn.exit_code == 0, withdrawn.output
    assert withdrawn.output.startswith("removed 2 transcripts, redacted 0 turns in group interviews, removed 0 codings;"
                                       " 1 of their identifiers is kept only as a digest that later imports still replace\n")
    again = run(*project, "participants", "withdraw", "D2", "--identifier", "Fretex", "--yes")
    assert again.exit_code == 0, again.output
    assert again.output == ("D2 is not in the project (withdrawn earlier?); 1 of their identifiers is kept only as a digest"
                            " that later imports still replace\n")


def test_a_withdrawal_typed_in_small_letters_speaks_of_the_participant_as_the_project_holds_them(demo: Path) -> None:
    """`withdraw d3` withdrew D3, and said "files written outside … delete any that quote d3"."""
    withdrawn = run("--project", str(demo), "participants", "withdraw", "d3", "--yes")
    assert withdrawn.exit_code == 0 and "removed 1 transcript," in withdrawn.output
    assert "delete any that quote D3" in withdrawn.output and "d3" not in withdrawn.output


def test_a_participant_withdrawn_twice_is_said_to_have_withdrawn_not_to_be_unknown(demo: Path, tmp_path: Path) -> None:
    """A probe: the second `withdraw D3` said "no participant 'D3' in this project", with the hint to list
    them, as for a mistyped id; with the key destroyed too."""
    assert run("--project", str(demo), "participants", "withdraw", "D3", "--yes").exit_code == 0
    again = run("--project", str(demo), "participants", "withdraw", "d3", "--yes")
    assert again.exit_code == 1 and len(again.output.strip().splitlines()) == 1
    assert again.output.startswith("error: D3 withdrew consent earlier: nothing of theirs is left in the project; nothing was changed")
    assert "--identifier NAME" in again.output
    assert run("--project", str(demo), "key", "destroy", "--yes").exit_code == 0
    without_key = run("--project", str(demo), "participants", "withdraw", "D3", "--yes")
    assert without_key.output == "error: D3 withdrew consent earlier: nothing of theirs is left in the project; nothing was changed\n"


def test_a_withdrawal_names_the_codings_it_removed_that_held_others_words_too(demo: Path) -> None:
    """A passage over D5's turn and the turn before it, coded by a colleague, was removed with the
    rest and said only as "removed N codings": each such coding is named, for its coder to code the
    rest again."""
    project = ["--project", str(demo)]
    turns = json.loads(run(*project, "transcripts", "show", "gruppeintervju_G1", "--turns", "--json").output)["turns"]
    at = next(index for index, turn in enumerate(turns) if turn["participant"] == "D5" and index > 0)
    before, theirs = turns[at - 1], turns[at]
    assert before["participant"] != "D5"
    coded = run(*project, "--coder", "Forsker 1", "coding", "add", "gruppeintervju_G1", "brukermedvirkning",
                "--start", str(before["start"]), "--end", str(theirs["end"]))
    assert coded.exit_code == 0, coded.output
    withdrawn = run(*project, "participants", "withdraw", "D5", "--yes")
    assert withdrawn.exit_code == 0, withdrawn.output
    assert (f"removed a coding that held others' words too (gruppeintervju_G1: brukermedvirkning by Forsker 1, line {before['line']})"
            in withdrawn.output), withdrawn.output


def test_a_withdrawal_refuses_to_take_another_participant_s_identifier(demo: Path) -> None:
    """`participants withdraw D5 --identifier "Sissel Bakken"` turned D1's name into a digest for good:
    D1's next interview got her a new pseudonym. An identifier the key saw only in others' transcripts is refused."""
    project = ["--project", str(demo)]
    entries = {entry["original"]: entry for entry in json.loads(run(*project, "key", "show", "--json").output)}
    assert "deltaker_D5_T1" not in entries["Sissel Bakken"]["seen_in"]
    refused = run(*project, "participants", "withdraw", "D5", "--identifier", "Sissel Bakken", "--yes")
    assert refused.exit_code == 1 and refused.output.startswith("error: 'Sissel Bakken' is not D5's identifier: the key saw it only in ")
    assert "nothing was changed" in refused.output
    assert "Sissel Bakken" in {entry["original"] for entry in json.loads(run(*project, "key", "show", "--json").output)}
    assert "D5" in run(*project, "participants", "list").output


def test_a_withdrawal_whose_file_could_not_be_rebuilt_is_finished_by_the_next_command(
    demo: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The withdrawal was committed, then the rebuilding of the file and the deleting of the backups
    (each holding the participant's words) failed on a full disk, said "nothing was changed", and no
    later command did it. It is recorded with the withdrawal, and the next command finishes it."""
    from sqlalchemy.exc import OperationalError

    from qualcode.store.project import Project as StoredProject

    project = ["--project", str(demo)]
    assert run(*project, "backup").exit_code == 0
    backups = demo / ".qualcode" / "backups"
    assert any(b"ryggen" in backup.read_bytes() for backup in backups.glob("*.bak"))  # D3's words
    real = StoredProject.purge

    def full_disk(self: StoredProject, *args: Any, **kwargs: Any) -> Any:
        raise OperationalError("VACUUM", {}, Exception("database or disk is full"))

    monkeypatch.setattr(StoredProject, "purge", full_disk)
    withdrawn = run(*project, "participants", "withdraw", "D3", "--yes")
    assert withdrawn.exit_code == 1 and "D3 is withdrawn from the project, but the file could not be rebuilt" in withdrawn.output
    assert "deltaker_D3_T1" not in run(*project, "transcripts", "list").output  # withdrawn, as said
    assert any(b"ryggen" in backup.read_bytes() for backup in backups.glob("*.bak"))
    monkeypatch.setattr(StoredProject, "purge", real)
    listed = run(*project, "status")
    assert listed.exit_code == 0 and "the withdrawal of D3 was interrupted before the project file was rebuilt; finished it" in listed.output
    assert not any(b"ryggen" in backup.read_bytes() for backup in backups.glob("*.bak*"))
    assert "interrupted" not in run(*project, "status").output  # done once


def test_a_project_whose_database_is_gone_says_so_and_its_backup_can_be_restored(demo: Path) -> None:
    """With .qualcode/project.db deleted every command, `backup list` too, said "no qualcode project …
    run `qualcode init DIR`"; `init .` then made a new project, and every old backup was "another project's"."""
    project = ["--project", str(demo)]
    assert run(*project, "backup").exit_code == 0
    for part in (demo / ".qualcode").glob("project.db*"):
        part.unlink()
    lost = run(*project, "status")
    assert lost.exit_code == 1 and "the project database" in lost.output and "is missing, but its backups are in" in lost.output
    assert "backup restore NAME" in lost.output
    refused = run("init", str(demo))
    assert refused.exit_code == 1 and "is missing, but its backups are in" in refused.output
    [newest, *_] = json.loads(run(*project, "backup", "list", "--json").output)
    restored = run(*project, "backup", "restore", newest["name"])
    assert restored.exit_code == 0, restored.output
    assert "deltaker_D1_T1" in run(*project, "transcripts", "list").output


def test_a_project_made_inside_another_is_warned_of(demo: Path, tmp_path: Path) -> None:
    """`init` inside a project made a second one there unsaid; which one a command opened then
    depended on the folder it ran in."""
    made = run("--key", str(tmp_path / "indre.qckey"), "init", str(demo / "underprosjekt"))
    assert made.exit_code == 0, made.output
    assert f"warning: {demo / 'underprosjekt'} is inside the project at {demo}" in made.output
    beside = run("--key", str(tmp_path / "ved.qckey"), "init", str(demo.parent / "ved-siden-av"))
    assert beside.exit_code == 0 and "warning" not in beside.output


def test_attribution_check_from_the_cli(demo: Path) -> None:
    result = run("--project", str(demo), "anonymise", "attribution-check")
    assert "warning: 'leder, kontor A' covers 1 participant" in result.output


def test_export_report_quotes_and_review_round_trip(demo: Path, tmp_path: Path) -> None:
    import docx

    project = ["--project", str(demo), "--coder", "Forsker 1"]
    for transcript, code, quote in [
        ("leder_L1", "inntakspress", "vi må nå måltallet før jul"),
        ("veileder_V1", "kvantitet mot kvalitet", "Det ble mer om antall enn om hva folk faktisk trengte."),
        ("deltaker_D1_T1", "selvbilde og selvtillit", "Jeg har begynt å tro at jeg faktisk kan noe."),
    ]:
        assert run(*project, "coding", "add", transcript, code, "--match", quote).exit_code == 0
    result = run(*project, "export", "report", "--code", "måltall-press", "--attribution", "role-office", "--json")
    assert result.exit_code == 0, result.output
    written = Path(json.loads(result.output)["path"])
    assert written.parent == demo / "exports" and json.loads(result.output)["quotes"] == 2
    again = run(*project, "export", "report", "--code", "måltall-press")
    assert again.exit_code == 0 and f"{written.stem}-2.docx" in again.output  # a default name is never overwritten
    warned = run(*project, "export", "report", "--attribution", "role-office", "--force")
    assert "warning: 'Leder, kontor A' covers 1 participant" in warned.output

    table = run(*project, "export", "quotes", "--format", "csv", "--role", "veileder", "--output", str(tmp_path / "q.csv"))
    assert table.exit_code == 0 and ": 1 quote under 1 code" in table.output
    assert "kvantitet mot kvalitet" in (tmp_path / "q.csv").read_text(encoding="utf-8-sig")

    none_yet = run(*project, "review", "list")
    assert none_yet.exit_code == 0 and none_yet.stdout == "" and "review import FILE.docx" in none_yet.stderr
    reviewed = docx.Document(str(written))
    paragraph = next(p for p in reviewed.paragraphs if "måltallet før jul" in p.text)
    reviewed.add_comment(paragraph.runs, text="Gjelder dette alle kontor?", author="Medforsker Anne", initials="MA")
    commented = tmp_path / "kommentert.docx"
    reviewed.save(str(commented))
    refused = run(*project, "review", "import", str(commented))  # a reviewer new to the project, named as a person is
    assert refused.exit_code == 1 and "coder add 'Medforsker Anne' --role medforsker" in refused.output
    added = run(*project, "coder", "add", "Medforsker Anne", "--role", "medforsker")
    assert added.exit_code == 0, added.output
    imported = run(*project, "review", "import", str(commented))
    assert imported.exit_code == 0 and "Medforsker Anne: attached to coding" in imported.output
    assert "already on" in run(*project, "review", "import", str(commented)).output
    listed = run(*project, "review", "list")
    assert "måltall-press/inntakspress" in listed.output and "Gjelder dette alle kontor?" in listed.output
    assert "no reviewers' comments yet" not in listed.stderr


def test_import_again_skips_present_files_refuses_changed_ones_and_replaces_with_replace(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "runde2"
    folder.mkdir()
    path = folder / "ny_D9_T2.txt"
    path.write_text(INTERVIEW, encoding="utf-8")
    assert run("--project", str(demo), "import", str(folder)).exit_code == 0
    assert run("--project", str(demo), "coding", "add", "ny_D9_T2", "empowerment", "--match", "Jeg fikk mer selvtillit").exit_code == 0
    assert run("--project", str(demo), "coding", "add", "ny_D9_T2", "tvang og krav", "--match", "Veilederen foreslo det.").exit_code == 0

    again = run("--project", str(demo), "import", str(folder))
    assert again.exit_code == 0 and "0 imported, 1 already present, 0 failed" in again.output

    path.write_text(INTERVIEW.replace("Veilederen foreslo det. ", "").replace("Hva betydde det?", "Hva betydde det for deg?"), encoding="utf-8")
    refused = run("--project", str(demo), "import", str(folder))
    assert refused.exit_code == 1
    assert "ny_D9_T2.txt differs from the file imported on" in refused.output and "--replace" in refused.output

    replaced = run("--project", str(demo), "import", str(folder), "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "replaced the text of ny_D9_T2" in replaced.output
    assert "2 lines changed: 1 coding moved, 1 orphaned (see `qualcode coding list --orphaned`)" in replaced.output
    orphans = run("--project", str(demo), "coding", "list", "--orphaned", "--json")
    assert [(o["transcript"], o["excerpt"]) for o in json.loads(orphans.output)] == [("ny_D9_T2", "Veilederen foreslo det.")]
    listed = run("--project", str(demo), "coding", "list", "--transcript", "ny_D9_T2")
    assert "selvtillit" in listed.output and "Veilederen" not in listed.output

    # Replaced again, still without its passage: still orphaned, still listed for review, and said so.
    path.write_text(INTERVIEW.replace("Veilederen foreslo det. ", ""), encoding="utf-8")
    still = run("--project", str(demo), "import", str(folder), "--replace")
    assert "1 coding moved, none orphaned, 1 orphaned before still without a place (see `qualcode coding list --orphaned`)" in still.output
    assert json.loads(run("--project", str(demo), "coding", "list", "--orphaned", "--json").output) == json.loads(orphans.output)
    # Its passage back: live again, and counted.
    path.write_text(INTERVIEW, encoding="utf-8")
    back = run("--project", str(demo), "import", str(folder), "--replace")
    assert "1 coding moved, none orphaned, 1 orphaned before placed again\n" in back.output
    assert json.loads(run("--project", str(demo), "coding", "list", "--orphaned", "--json").output) == []
    assert "Veilederen foreslo det." in run("--project", str(demo), "coding", "list", "--transcript", "ny_D9_T2").output


def test_import_and_export_print_no_progress_in_a_pipe(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "runde3"
    folder.mkdir()
    (folder / "ny_D8_T3.txt").write_text(INTERVIEW, encoding="utf-8")
    result = run("--project", str(demo), "import", str(folder))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "imported ny_D8_T3 (D1): 40 words, 4 turns, speakers D1, I",
        "1 imported, 0 already present, 0 failed",
    ]
    assert "━" not in result.output and "importing" not in result.output


def test_export_prints_no_progress_in_a_pipe_or_with_json(demo: Path, tmp_path: Path) -> None:
    assert run("--project", str(demo), "coding", "add", "deltaker_D1_T1", "empowerment", "--start", "0", "--end", "10").exit_code == 0
    piped = run("--project", str(demo), "export", "quotes", "--format", "csv", "--output", str(tmp_path / "q.csv"))
    assert piped.exit_code == 0, piped.output
    assert piped.output.startswith("wrote ") and "━" not in piped.output and "writing quotes" not in piped.output
    as_json = run("--project", str(demo), "export", "quotes", "--format", "csv", "--output", str(tmp_path / "q2.csv"), "--json")
    assert json.loads(as_json.output)["quotes"] >= 1


def test_status_counts_the_memos_memo_list_lists_in_the_same_queries_for_thirty_as_for_two(demo: Path) -> None:
    """Free memos and codings' own count; removed memos and removed codings' memos do not; and the
    count is SQL's, not one query per memo (a few hundred memos made `status` take seconds)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from qualcode.coding.coders import get_or_create_coder
    from qualcode.coding.memos import add_memo, remove_memo
    from qualcode.coding.service import add_coding, remove_coding, set_coding_memo

    def status_memos() -> tuple[int, int]:
        statements: list[str] = []

        def record(_connection: object, _cursor: object, statement: str, *_rest: object) -> None:
            statements.append(statement)

        event.listen(Engine, "before_cursor_execute", record)
        try:
            result = run("--project", str(demo), "status", "--json")
        finally:
            event.remove(Engine, "before_cursor_execute", record)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["memos"], len(statements)

    with Project.open(demo) as project, project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        kept = add_coding(session, "leder_L1", "empowerment", coder, match="vi må nå måltallet før jul")
        set_coding_memo(session, kept.id, "Sterkt sitat", coder)
        gone = add_coding(session, "leder_L1", "brukermedvirkning", coder, match="måltallet før jul")
        set_coding_memo(session, gone.id, "Borte", coder)
        remove_coding(session, gone.id, coder)
        add_memo(session, "Om prosjektet", coder)
        remove_memo(session, add_memo(session, "Trukket", coder, transcript_ref="leder_L1").id, coder)
    few, few_statements = status_memos()
    listed = json.loads(run("--project", str(demo), "memo", "list", "--json").output)
    assert few == len(listed) == 2
    with Project.open(demo) as project, project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        for number in range(28):
            add_memo(session, f"Notat {number}", coder, code_ref="måltall-press")
    many, many_statements = status_memos()
    assert many == len(json.loads(run("--project", str(demo), "memo", "list", "--json").output)) == 30
    assert many_statements == few_statements


def test_a_filter_naming_a_coder_finds_them_as_other_names_are_found_or_says_there_is_none(demo: Path) -> None:
    """--by names a coder exactly or in any case; a name no coder has is an error, not an empty list."""
    from qualcode.coding.coders import get_or_create_coder
    from qualcode.coding.service import add_coding

    with Project.open(demo) as project, project.begin() as session:
        add_coding(session, "leder_L1", "måltall-press", get_or_create_coder(session, "Forsker 1"), match="vi må nå måltallet før jul")
    for command in (["coding", "list", "--json"], ["history", "--json"]):
        listed = run("--project", str(demo), *command, "--by", "forsker 1")
        assert listed.exit_code == 0, listed.output
        assert json.loads(listed.output), command
        missing = CliRunner().invoke(cli, ["--project", str(demo), *command, "--by", "Sissel Bakken"])
        assert missing.exit_code == 1, (command, missing.output)
        assert missing.output == (
            "error: no coder 'Sissel Bakken' in this project, nor with the key's pseudonyms for the names in it (hint: list them"
            " with `qualcode coder list`; a coder whose name the key holds is listed under its pseudonym)\n"
        ), missing.output


@pytest.mark.parametrize("args", [
    ["history", "--limit", "99999999999999999999999"],
    ["memo", "add", "et notat", "--coding", "99999999999999999999999"],
    ["coding", "remove", "99999999999999999999999"],
    ["coding", "memo", "99999999999999999999999", "et notat"],
], ids=lambda args: " ".join(args[:2]))
def test_a_number_beyond_what_the_project_holds_is_one_line(demo: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["--project", str(demo), *args], env={"QUALCODE_KEY_PASSPHRASE": "test passphrase"})
    assert (result.exit_code, result.output) == (1, (
        "error: a number given is too large (hint: ids, offsets and limits are whole numbers below 9223372036854775808)\n"
    ))


def test_names_and_searches_typed_decomposed_find_what_is_stored_composed(demo: Path) -> None:
    """Some systems type "å" as "a" and a combining ring (NFD); the project stores names and texts
    composed (NFC). A code, a transcript and a search given decomposed find the same."""
    import unicodedata

    def decomposed(text: str) -> str:
        return unicodedata.normalize("NFD", text)

    composed = run("--project", str(demo), "search", "måltall", "--json")
    assert composed.exit_code == 0 and json.loads(composed.output)["turns_matched"] > 0
    assert json.loads(run("--project", str(demo), "search", decomposed("måltall"), "--json").output) == {
        **json.loads(composed.output), "query": decomposed("måltall"),
    }
    listed = run("--project", str(demo), "coding", "list", "--code", decomposed("måltall-press"))
    assert listed.exit_code == 0, listed.output
    shown = run("--project", str(demo), "codebook", "history", decomposed("måltall-press"))
    assert shown.exit_code == 0 and "måltall-press" in shown.output, shown.output


def test_a_new_coder_name_with_a_line_break_or_control_character_is_refused_as_a_participant_s_value_is(demo: Path) -> None:
    """It was stored put on one line, where `participants edit` refuses such a value (check_one_line)."""
    result = CliRunner().invoke(cli, ["--project", str(demo), "--coder", "Ny\nForsker\x07  2", "memo", "add", "et notat"],
                                env={"QUALCODE_KEY_PASSPHRASE": "test passphrase"})
    assert result.exit_code == 1 and "holds a line break or control character (U+000A" in result.output, result.output
    listed = json.loads(run("--project", str(demo), "coder", "list", "--json").output)
    assert not any(coder["name"].startswith("Ny") for coder in listed)


@pytest.mark.parametrize(("args", "says"), [
    (["search", "måltall", "--limit", "0"], "0 is not in the range x>=1"),
    (["search", "måltall", "--limit", "-1"], "-1 is not in the range x>=1"),
    (["history", "--limit", "-3"], "-3 is not in the range x>=0"),
])
def test_a_limit_out_of_range_is_refused(args: list[str], says: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and says in result.output


def test_a_passage_on_a_speaker_label_and_a_malformed_option_are_refused_in_one_line_changing_nothing(demo: Path) -> None:
    """A passage from a speaker label belonged to no one (coding add and resize took it); resize without
    --end and an --attribute without a name printed click's usage text and exit 2."""
    project = ["--project", str(demo)]
    shown = json.loads(run(*project, "transcripts", "show", "leder_L1", "--json").output)
    turn = shown["turns"][1]["start"]
    label = shown["text"].rfind("\n", 0, turn) + 1
    assert shown["text"][label:turn] == "L1: "
    added = run(*project, "coding", "add", "leder_L1", "skjønn", "--start", str(turn), "--end", str(turn + 35), "--json")
    assert added.exit_code == 0, added.output
    coding = str(json.loads(added.output)["id"])
    on_label = f'{label}-{turn + 35} starts inside the speaker label "L1: "; the turn\'s text starts at {turn}'
    for args, says in [
        (["coding", "add", "leder_L1", "skjønn", "--start", str(label), "--end", str(turn + 35)], on_label),
        (["coding", "resize", coding, "--start", str(label), "--end", str(turn + 35)], on_label),
        (["coding", "resize", coding, "--start", str(label)], "error: coding resize needs --end (hint: give both"),
        (["coding", "resize", coding, "--end", "50"], "error: coding resize needs --start (hint: give both"),
        (["participants", "edit", "D1", "--attribute", "=x"], "error: --attribute '=x' is not NAME=VALUE (hint: as in --attribute barn=ja"),
    ]:
        result = run(*project, *args)
        assert result.exit_code == 1 and says in result.output and result.output.count("\n") == 1, (args, result.output)
    codings = json.loads(run(*project, "coding", "list", "--json").output)
    assert [(c["start"], c["end"]) for c in codings] == [(turn, turn + 35)]
    people = {p["name"]: p for p in json.loads(run(*project, "participants", "list", "--json").output)}
    assert people["D1"]["attributes"] == {"kvp_start": "2023-09-01", "barn": "ja"}


@pytest.mark.parametrize(("args", "says"), [
    (["coding", "add", "intervju"], "error: Missing argument 'CODE'. (hint: see `qualcode coding add --help`)"),
    (["coding", "resize", "1", "--start", "x"],
     "error: Invalid value for '--start': 'x' is not a valid integer. (hint: see `qualcode coding resize --help`)"),
    (["stauts"], "error: No such command 'stauts'. Did you mean 'status'? (hint: see `qualcode --help`)"),
    # Read before any command runs: click printed its four lines here too.
    (["--bogus", "status"], "error: No such option '--bogus'. (hint: see `qualcode --help`)"),
    (["status", "--project"],
     "error: No such option '--project'. (hint: --project is qualcode's own option, given before the command: `qualcode --project PATH status …`)"),
    # An option of one value given twice: click kept the last unsaid (a group interview became D6's alone).
    (["import", "gruppe.txt", "--participant", "D5", "--participant", "D6"],
     "error: --participant was given twice ('D5' and 'D6'); it takes one value (hint: see `qualcode import --help`)"),
    (["coding", "add", "t", "c", "--match", "nyttig", "--match=enig"],
     "error: --match was given twice ('nyttig' and 'enig'); it takes one value (hint: see `qualcode coding add --help`)"),
    (["--coder", "A", "--coder", "B", "status"], "error: --coder was given twice ('A' and 'B'); it takes one value (hint: see `qualcode --help`)"),
])
def test_a_command_line_click_cannot_read_is_one_line(args: list[str], says: str) -> None:
    """click's usage text ran to four lines; every error is one, saying what is wrong and where to look."""
    result = CliRunner().invoke(cli, args, prog_name="qualcode")
    assert result.exit_code == 2 and result.stderr == says + "\n", result.output


def test_a_group_given_no_command_shows_its_help_not_an_error_line() -> None:
    """`qualcode coding` printed its help folded into one "error:" line."""
    result = CliRunner().invoke(cli, ["coding"], prog_name="qualcode")
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: qualcode coding [OPTIONS] COMMAND [ARGS]...\n")
    assert "\nCommands:\n" in result.stderr and "error:" not in result.stderr


@pytest.mark.parametrize(("coder", "says"), [
    # An explicit empty name fell through to the login name, which then took part in every agreement.
    ("", "error: a coder needs a name (hint: pass --coder NAME or set QUALCODE_CODER)"),
    # Its codings counted as the team's decisions though no one decided anything.
    ("Konsensus", "error: 'konsensus' is the name the team's decisions are coded under, not a coder's"
                  " (hint: code under your own name (--coder), and decide with `qualcode consensus decide`)"),
])
def test_a_coder_name_that_is_no_one_is_refused(demo: Path, coder: str, says: str) -> None:
    result = CliRunner().invoke(cli, ["--project", str(demo), "--coder", coder, "coding", "add", "leder_L1", "empowerment",
                                      "--match", "måltallet"])
    assert result.exit_code == 1 and result.stderr == says + "\n", result.output
    assert "måltallet" not in run("--project", str(demo), "coding", "list").output


def test_a_participant_id_holding_a_comma_is_refused(demo: Path, tmp_path: Path) -> None:
    """`--participant D1,D2` made one participant named "D1,D2", which no withdrawal of D1 could reach."""
    path = tmp_path / "gruppe.txt"
    path.write_text("I: Hva tenker dere?\nA: Det var bra.\nB: Jeg er enig.\n", encoding="utf-8")
    result = run("--project", str(demo), "import", str(path), "--participant", "D8,D9")
    assert result.exit_code == 1
    assert "a participant id cannot hold a comma ('D8,D9') (for a group interview, list them in the file's front matter" in result.output
    assert "D8,D9" not in run("--project", str(demo), "participants", "list").output


def test_the_terminal_ui_without_a_terminal_is_one_line_and_exit_1(demo: Path) -> None:
    """In a pipe, Textual drew into it and waited for keys at a core's full speed, for ever (a probe's
    `qualcode tui </dev/null | head` ran ten minutes): now it says why it cannot start, and opens nothing."""
    before = (demo / ".qualcode" / "project.db").stat().st_mtime_ns
    result = run("--project", str(demo), "tui")
    assert result.exit_code == 1
    assert result.output.startswith("error: the terminal UI needs a terminal") and result.output.count("\n") == 1
    assert "ssh -t" in result.output
    assert (demo / ".qualcode" / "project.db").stat().st_mtime_ns == before


def test_a_participant_id_that_is_a_fodselsnummer_is_refused_not_merged_with_every_other(demo: Path, tmp_path: Path) -> None:
    """A probe: `--participant` given two people's fødselsnumre made one participant,
    "(fødselsnummer)", of both, the second's role dropped; the CSV said "(fødselsnummer) appears twice"."""
    (tmp_path / "en.txt").write_text("I: Hei.\nD: Svar fra en deltaker.\n", encoding="utf-8")
    (tmp_path / "meta.txt").write_text("---\nparticipant: 01019040115\n---\nI: Hei.\nV: Svar.\n", encoding="utf-8")
    (tmp_path / "folk.csv").write_text("participant,role\nD9,deltaker\n12038540090,deltaker\n", encoding="utf-8")
    for args, line in ((["import", str(tmp_path / "en.txt"), "--participant", "01019040034", "--role", "deltaker"], "failed "),
                       (["import", str(tmp_path / "meta.txt")], "failed "),
                       (["participants", "import", str(tmp_path / "folk.csv")], "error: folk.csv line 3: ")):
        result = run("--project", str(demo), *args)
        assert result.exit_code == 1
        assert f"{line}" in result.output and "a participant id holds an identifier, which the key replaces by (fødselsnummer)" in result.output
        assert "0104" not in result.output and "1203" not in result.output  # the number is not repeated back
    with Project.open(demo) as project, project.begin() as session:
        names = session.scalars(select(Participant.name)).all()
    assert "(fødselsnummer)" not in names and "D9" not in names  # the CSV is one transaction


def test_a_kind_and_a_count_of_one_are_said_in_english(demo: Path, tmp_path: Path) -> None:
    """A field trial: "'Tvilde Bakeri' is a employer", "1 new participants"."""
    project = ["--project", str(demo)]
    (tmp_path / "ny.txt").write_text("I: Hvor jobber du?\nD9: Jeg har praksis hos Tvilde Bakeri nå.\n", encoding="utf-8")
    assert run(*project, "import", str(tmp_path / "ny.txt"), "--participant", "D9").exit_code == 1  # held back for review
    accepted = run(*project, "anonymise", "accept", "Tvilde Bakeri", "--kind", "employer")
    assert accepted.exit_code == 0 and "'Tvilde Bakeri' is an employer, replaced by" in accepted.output, accepted.output
    (tmp_path / "ny.csv").write_text("participant,role\nD9,deltaker\n", encoding="utf-8")
    imported = run(*project, "participants", "import", str(tmp_path / "ny.csv"))
    assert imported.exit_code == 0 and "1 new participant, 0 updated" in imported.output, imported.output


def test_an_import_holds_back_southeast_asian_names_said_first_in_a_sentence_and_stores_none(demo: Path, tmp_path: Path) -> None:
    """"Loan", "Rattana" and "Tam" said only first in a sentence, each also a word or rare as an inflection
    of one, were stored as said: the import proposed nothing."""
    project = ["--project", str(demo)]
    new = tmp_path / "ny.txt"
    said = "I: Hvem hjelper deg nå?\nD9: Det var travelt. Rattana ringte meg i går. Tam skal ringe meg i morgen. Loan sa at det var greit.\n"
    new.write_text(said, encoding="utf-8")
    held = run(*project, "import", str(new), "--participant", "D9")
    assert held.exit_code == 1 and "possible identifiers" in held.output
    pending = {candidate["text"] for candidate in json.loads(run(*project, "anonymise", "pending", "--json").stdout)}
    assert {"Rattana", "Tam", "Loan"} <= pending
    with Project.open(demo) as opened, opened.begin() as session:
        assert session.scalars(select(Transcript).where(Transcript.name == "ny")).first() is None
    for name in ("Rattana", "Tam", "Loan"):
        assert run(*project, "anonymise", "accept", name, "--kind", "person", "--gender", "f").exit_code == 0
    imported = run(*project, "import", str(new), "--participant", "D9")
    assert imported.exit_code == 0, imported.output
    shown = run(*project, "transcripts", "show", "ny").output
    assert "ringte meg i går" in shown and not {"Rattana", "Tam", "Loan"} & set(shown.replace(".", " ").split())
    stored = [path.read_bytes() for path in (demo / ".qualcode").iterdir() if path.is_file()]
    assert not any(name.encode() in content for content in stored for name in ("Rattana", "Loan"))


def test_status_says_one_transcript_word_and_turn_in_the_singular(tmp_path: Path) -> None:
    """A project of one short transcript said "1 transcripts, ... 1 speaker turns"."""
    root = tmp_path / "studie"
    assert run("init", str(root), "--empty").exit_code == 0
    text = tmp_path / "notat.txt"
    text.write_text("Hei.\n", encoding="utf-8")
    assert run("--project", str(root), "import", str(text)).exit_code == 0
    said = run("--project", str(root), "status").output
    assert "  1 transcript, 1 word, 1 speaker turn\n" in said, said
