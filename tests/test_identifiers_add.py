"""Adding a real name that is already another identifier's pseudonym: the key and every stored text agree."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from qualcode.anonymise.key import PseudonymKey, load_key
from qualcode.cli import cli
from tests.conftest import holds_word

NAMES = ["Hilde", "Ragnhild", "Torbjørn", "Gunnvor", "Sigmund"]
GENDERS = ["f", "f", "m", "f", "m"]


def _run(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--project", str(root), *args], catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)
    return result.output


def _key(root: Path) -> PseudonymKey:
    return load_key(Path(_run(root, "key", "show").splitlines()[0].split(" ", 1)[1]), "test passphrase")


def _texts(root: Path) -> dict[str, str]:
    with sqlite3.connect(root / ".qualcode" / "project.db") as db:
        rows = db.execute(
            "SELECT t.name, v.text FROM transcripts t JOIN text_versions v ON v.id = t.current_version_id"
        ).fetchall()
    return dict(rows)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@pytest.fixture
def learned_after_import(tmp_path: Path) -> Path:
    """Transcripts whose names the key learned only after import, so the rewrite put their pseudonyms in."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    for number, name in enumerate(NAMES):
        (folder / f"intervju_{number}.txt").write_text(
            f"I: Hvem hjalp deg?\nD1: Veilederen min, {name}, ringte meg. Og {name} hjalp meg videre.\n", encoding="utf-8"
        )
    _run(root, "anonymise", "dismiss", *NAMES)
    _run(root, "import", str(folder))
    for name, gender in zip(NAMES, GENDERS, strict=True):
        _run(root, "identifiers", "add", name, "--kind", "person", "--gender", gender)
    return root


def test_a_pseudonym_found_to_be_a_real_name_is_redrawn_in_the_texts_the_rewrite_wrote(learned_after_import: Path) -> None:
    root = learned_after_import
    for number, (name, gender) in enumerate(zip(NAMES, GENDERS, strict=True)):
        old = _key(root).entry_for(name)
        assert old is not None
        drawn = old.pseudonym
        assert _words(_texts(root)[f"intervju_{number}"]).count(drawn) == 2
        # The researcher reads the pseudonym in the text and takes it for a real name that leaked.
        output = _run(root, "identifiers", "add", drawn, "--kind", "person", "--gender", gender)
        key = _key(root)
        entry, added = key.entry_for(name), key.entry_for(drawn)
        assert entry is not None and added is not None
        assert entry.pseudonym != drawn
        assert f"replaced by {added.pseudonym!r}" in output
        words = _words(_texts(root)[f"intervju_{number}"])
        # The person the text speaks of keeps one pseudonym: the one the key holds for them.
        assert words.count(entry.pseudonym) == 2, (name, entry.pseudonym, added.pseudonym, words)
        assert drawn not in words
        assert added.pseudonym not in words


def test_the_demo_key_and_texts_agree_after_adding_a_pseudonym_as_a_name(demo: Path) -> None:
    hilde = _key(demo).entry_for("Hilde")
    assert hilde is not None
    drawn = hilde.pseudonym
    _run(demo, "identifiers", "add", drawn, "--kind", "person", "--gender", "f")
    key = _key(demo)
    hilde, added = key.entry_for("Hilde"), key.entry_for(drawn)
    assert hilde is not None and added is not None
    texts = _texts(demo)
    for name in ("deltaker_D1_T1", "deltaker_D1_T2"):
        words = _words(texts[name])
        assert words.count(hilde.pseudonym) >= 2 and drawn not in words and added.pseudonym not in words, (name, words)


def _memos(root: Path) -> list[str]:
    return [memo["text"] for memo in json.loads(_run(root, "memo", "list", "--json"))]


def test_a_memo_naming_someone_by_a_redrawn_pseudonym_keeps_naming_them(demo: Path) -> None:
    """A researcher's memo that calls Hilde by her pseudonym still means Hilde when that pseudonym
    turns out to be someone's real name: it gets her new pseudonym, not the real person's."""
    hilde = _key(demo).entry_for("Hilde")
    assert hilde is not None
    drawn = hilde.pseudonym
    _run(demo, "memo", "add", f"{drawn} beskriver veilederen som lyttende.")
    _run(demo, "identifiers", "add", drawn, "--kind", "person", "--gender", "f")
    key = _key(demo)
    hilde, added = key.entry_for("Hilde"), key.entry_for(drawn)
    assert hilde is not None and added is not None
    assert f"{hilde.pseudonym} beskriver veilederen som lyttende." in _memos(demo)
    # By words: the new pseudonym may hold the old as a part of a word ("Eli" in "Elise").
    assert not any(drawn in _words(memo) or added.pseudonym in _words(memo) for memo in _memos(demo))


def test_a_pseudonym_used_only_in_a_memo_is_renamed_there_too(demo: Path) -> None:
    """No transcript names Åshild, so only a memo uses her pseudonym: it is renamed all the same."""
    _run(demo, "identifiers", "add", "Åshild Brekke", "--kind", "person", "--gender", "f")
    entry = _key(demo).entry_for("Åshild Brekke")
    assert entry is not None
    drawn = entry.pseudonym
    _run(demo, "memo", "add", f"Ring {drawn} om intervjuet.")
    _run(demo, "identifiers", "add", drawn, "--kind", "person", "--gender", "f")
    key = _key(demo)
    entry, added = key.entry_for("Åshild Brekke"), key.entry_for(drawn)
    assert entry is not None and added is not None and entry.pseudonym != drawn
    assert f"Ring {entry.pseudonym} om intervjuet." in _memos(demo)


def test_a_copy_made_before_the_key_learned_a_name_is_refused_until_reapply_rewrites_it(tmp_path: Path) -> None:
    """The key learns a name in one project; a copy made before still holds it. Its export is refused
    with a hint to `anonymise reapply`, which rewrites it; once done, there is nothing more to rewrite."""
    root, copy = tmp_path / "studie", tmp_path / "kopi"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    transcript = tmp_path / "intervju.txt"
    transcript.write_text("I: Hvem hjalp deg?\nD1: Veilederen min, Torbjørn, ringte meg.\n", encoding="utf-8")
    _run(root, "anonymise", "dismiss", "Torbjørn")
    _run(root, "import", str(transcript))
    shutil.copytree(root, copy)
    _run(root, "identifiers", "add", "Torbjørn", "--kind", "person", "--gender", "m")
    assert "Torbjørn" not in _texts(root)["intervju"] and "Torbjørn" in _texts(copy)["intervju"]
    refused = CliRunner().invoke(cli, ["--project", str(copy), "export", "qdpx"])
    assert refused.exit_code == 1
    assert "the key holds 'Torbjørn' already, yet the project still has it" in refused.output, refused.output
    assert "`qualcode anonymise reapply`" in refused.output
    assert not list((copy / "exports").glob("*.qdpx"))
    rewritten = _run(copy, "anonymise", "reapply")
    assert "pseudonymised 1 more place in 1 transcript (intervju)" in rewritten, rewritten
    assert _texts(copy) == _texts(root)  # the same pseudonym as the project the key learned it in
    _run(copy, "export", "qdpx")
    assert _run(copy, "anonymise", "reapply") == "nothing to rewrite: the project holds nothing the key knows\n"


def test_a_rewrite_that_makes_two_transcripts_the_same_text_is_kept(tmp_path: Path) -> None:
    """Two notes differing only in a name become the same text once the name's pseudonym is the
    other note's word. The rewrite used to fail on the text's uniqueness, and every command after it
    retried and failed; now both hold the text, and importing it a third time is still refused."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    folder = tmp_path / "notater"
    folder.mkdir()
    for name, who in (("a", "Kari"), ("b", "Hanne")):
        (folder / f"{name}.txt").write_text(f"I: Hvem?\nD1: Jeg snakket med {who} i dag.\n", encoding="utf-8")
    _run(root, "anonymise", "dismiss", "Kari", "Hanne")
    _run(root, "import", str(folder))
    _run(root, "identifiers", "add", "Kari", "--kind", "person", "--pseudonym", "Hanne")
    assert _texts(root) == {name: "I: Hvem?\nD1: Jeg snakket med Hanne i dag.\n" for name in ("a", "b")}
    assert "2 transcripts" in _run(root, "status")
    (folder / "c.txt").write_text("I: Hvem?\nD1: Jeg snakket med Hanne i dag.\n", encoding="utf-8")
    again = _run(root, "import", str(folder / "c.txt"))
    assert "c.txt is already present as transcript b" in again and "0 imported, 1 already present" in again, again


@pytest.mark.parametrize(("original", "pseudonym", "real"), [
    ("Halldis Rye", "Halldis Rye", "Halldis"),  # the name as its own pseudonym
    ("Trude Vik", "Torbjørn Lunde", "Torbjørn"),  # another real name in the key
    ("Olav Moe", "Per Halldis", "Halldis"),
    ("Olav Moe", "Per Halldіs", "Halldis"),  # a Cyrillic і read as the Latin i it looks like (a probe's Lіen)
])
def test_a_pseudonym_chosen_as_a_real_name_is_refused_and_the_key_is_left_as_it_was(
    tmp_path: Path, original: str, pseudonym: str, real: str,
) -> None:
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    _run(root, "identifiers", "add", "Torbjørn", "--kind", "person", "--gender", "m")
    _run(root, "identifiers", "add", "Halldis", "--kind", "person", "--gender", "f")
    before = [entry.original for entry in _key(root).entries]
    refused = CliRunner().invoke(cli, ["--project", str(root), "identifiers", "add", original, "--kind", "person", "--pseudonym", pseudonym])
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: the pseudonym {pseudonym!r} would leave a real name in the texts: {real!r} is, or is like, a name in the key"
        " (hint: choose a pseudonym that shares no word with a real name, or leave it out to have one drawn)\n"
    )
    table = tmp_path / "navn.csv"
    table.write_text(f"identifier,kind,gender,pseudonym\nAnne Berg,person,f,\n{original},person,f,{pseudonym}\n", encoding="utf-8")
    refused = CliRunner().invoke(cli, ["--project", str(root), "identifiers", "import", str(table)])
    assert refused.exit_code == 1 and "navn.csv line 3: the pseudonym" in refused.stderr, refused.output
    assert [entry.original for entry in _key(root).entries] == before


def test_a_pseudonym_chosen_twice_is_refused_and_a_placeholder_may_group(tmp_path: Path) -> None:
    """A probe gave three people the pseudonym Jon Dahl, by hand and from a CSV: they became one
    person in every analysis and attribution."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    _run(root, "identifiers", "add", "Anne Vik", "--kind", "person", "--pseudonym", "Jon Dahl")
    before = [(entry.original, entry.pseudonym) for entry in _key(root).entries]
    # The last with a Cyrillic а; "Jon" and "Dahls" as a transcript writes Anne Vik's pseudonym alone.
    for chosen in ("Jon Dahl", "jon dahl", "Jon Dаhl", "Jon", "Jon Dahls"):
        refused = CliRunner().invoke(cli, ["--project", str(root), "identifiers", "add", "Ola Berg", "--kind", "person", "--pseudonym", chosen])
        assert refused.exit_code == 1 and refused.stderr == (
            f"error: the pseudonym {chosen!r} already stands for another person in the key: the two would be one in every"
            " analysis (hint: choose another, or a placeholder in brackets, such as (veileder), to group them on purpose)\n"
        )
    table = tmp_path / "navn.csv"
    table.write_text("identifier,kind,gender,pseudonym\nOla Berg,person,m,Per Lie\nPål Lund,person,m,Per Lie\n", encoding="utf-8")
    refused = CliRunner().invoke(cli, ["--project", str(root), "identifiers", "import", str(table)])
    # With the hint `identifiers add` gives, which a line of the CSV lost.
    assert refused.exit_code == 1 and refused.stderr == (
        "error: navn.csv line 3: the pseudonym 'Per Lie' already stands for another person in the key: the two would be one in every"
        " analysis (hint: choose another, or a placeholder in brackets, such as (veileder), to group them on purpose)\n"
    )
    assert [(entry.original, entry.pseudonym) for entry in _key(root).entries] == before
    for caseworker in ("Kari Vik", "Kari Holm"):  # a placeholder groups on purpose
        _run(root, "identifiers", "add", caseworker, "--kind", "person", "--pseudonym", "(veileder)")
    assert [entry.pseudonym for entry in _key(root).entries] == ["Jon Dahl", "(veileder)", "(veileder)"]


def test_reapply_draws_anew_a_pseudonym_that_is_a_real_name_and_the_project_stays_open(tmp_path: Path) -> None:
    """A key from before chosen pseudonyms were checked holds a name as its own pseudonym, so the name
    stayed in the text. Re-applying it, as the leak check asks, failed on the text's uniqueness (the
    rewrite made the same text), and every command after it retried and failed the same way."""
    from qualcode.anonymise.apply import add_identifier
    from qualcode.anonymise.key import save_key

    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    path = Path(_run(root, "key", "show").splitlines()[0].split(" ", 1)[1])
    key = load_key(path, "test passphrase")
    add_identifier(key, "Halldis Rye", "person", "f", pseudonym="Halldis Rye")  # as the unchecked command did
    save_key(path, key, "test passphrase")
    transcript = tmp_path / "intervju.txt"
    transcript.write_text("I: Hvem?\nD1: Halldis Rye var der.\n", encoding="utf-8")
    _run(root, "import", str(transcript))
    assert "Halldis Rye" in _texts(root)["intervju"]
    _run(root, "anonymise", "reapply")
    entry = _key(root).entry_for("Halldis Rye")
    assert entry is not None and "Halldis" not in entry.pseudonym and "Rye" not in entry.pseudonym
    assert _texts(root)["intervju"] == f"I: Hvem?\nD1: {entry.pseudonym} var der.\n"
    assert "1 transcript" in _run(root, "status")
    _run(root, "export", "qdpx")


def test_a_rewrite_whose_replacements_change_nothing_keeps_the_version(tmp_path: Path) -> None:
    from qualcode.anonymise.rewrite import Span, rewrite_current_text
    from qualcode.store.models import Transcript
    from qualcode.store.project import Project

    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    transcript_file = tmp_path / "intervju.txt"
    transcript_file.write_text("I: Hvem?\nD1: Vi var der.\n", encoding="utf-8")
    _run(root, "import", str(transcript_file))
    with Project.open(root) as project, project.begin() as session:
        transcript = session.query(Transcript).one()
        version = transcript.current_version
        assert version is not None
        rewritten = rewrite_current_text(session, transcript, [Span(13, 15, "Vi")], "nothing to change")
        assert rewritten.version is version and transcript.current_version is version and version.text == "I: Hvem?\nD1: Vi var der.\n"


def test_an_address_said_aloud_neither_hides_the_names_in_it_nor_redraws_a_pseudonym(tmp_path: Path) -> None:
    """The key learned "ola dot hansen at hotmail dot no" as an e-mail address: its words were then
    never proposed ("Ola Hansen" stored as written), and "hansen" redrew Martine Hanssen in the key,
    though no text was rewritten. An address's, a postcode's or a street's words name no one to the key."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    _run(root, "identifiers", "add", "Sissel Bakken", "--kind", "person", "--gender", "f", "--pseudonym", "Martine Hanssen")
    first = tmp_path / "epost.txt"
    first.write_text("I: Hva?\nD4: Skriv til ola dot hansen at hotmail dot no. Jeg bor i 3170 Åsgårdstrand.\n", encoding="utf-8")
    _run(root, "import", str(first))
    key = _key(root)
    assert {entry.kind for entry in key.entries} >= {"email", "postcode"}
    sissel = key.entry_for("Sissel Bakken")
    assert sissel is not None and sissel.pseudonym == "Martine Hanssen"
    second = tmp_path / "navn.txt"
    second.write_text("I: Hva?\nD4: Da sa Ola Hansen det. Nå bor jeg i Åsgårdstrand.\n", encoding="utf-8")
    held = CliRunner().invoke(cli, ["--project", str(root), "import", str(second)])
    assert held.exit_code == 1 and "Ola Hansen" in held.output and "Åsgårdstrand" in held.output, held.output


def test_rewriting_with_the_key_leaves_the_logs_hashes_guids_and_ids_as_they_are(tmp_path: Path) -> None:
    """A hash's digits may read as an account number (…f16877401905f…): the log's record of what was
    imported, and the GUIDs undo and redo act on, are never taken for text, nor their digits added to the key."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    source = tmp_path / "intervju.txt"
    source.write_text("I: Hvem hjalp deg?\nD1: Veilederen min, Hilde, ringte. Medlemsnummer 168774019056.\n", encoding="utf-8")
    _run(root, "anonymise", "dismiss", "Hilde")
    _run(root, "import", str(source))
    content_hash = "b68422f16877401905fd59c" + "ab" * 20 + "c"
    guid = "16877401-9050-4a3b-8c2d-150389100830"
    with sqlite3.connect(root / ".qualcode" / "project.db") as db:
        row_id, payload_text = db.execute("SELECT id, payload FROM events WHERE action = 'transcript.import'").fetchone()
        payload = json.loads(payload_text)
        payload["after"].update(content_hash=content_hash, code_guid=guid, coding_guids=[guid], note="ring 16877401905")
        db.execute("UPDATE events SET payload = ? WHERE id = ?", (json.dumps(payload), row_id))
    _run(root, "identifiers", "add", "Hilde", "--kind", "person", "--gender", "f")
    _run(root, "anonymise", "reapply")
    with sqlite3.connect(root / ".qualcode" / "project.db") as db:
        after = json.loads(db.execute("SELECT payload FROM events WHERE id = ?", (row_id,)).fetchone()[0])["after"]
    assert (after["content_hash"], after["code_guid"], after["coding_guids"]) == (content_hash, guid, [guid])
    assert after["note"] == "ring (kontonummer)"  # what people wrote is still cleaned
    assert "168774019056" in _texts(root)["intervju"]  # a member number is no account number
    assert [entry.original for entry in _key(root).entries if entry.kind == "account"] == ["16877401905"]


def test_files_in_the_project_folder_that_still_hold_a_name_learned_later_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Exports written before the key learned a name still hold it, and rewriting the project cannot
    reach them: the command names them (read once the key is let go), and no file that does not."""
    import docx

    from qualcode.anonymise import leakcheck, service

    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    exports = root / "exports"
    exports.mkdir()
    report = docx.Document()
    report.add_paragraph("«Torbjørn Haugsvær hjalp meg med søknaden», sa D1.")
    report.save(str(exports / "rapport-2026-12-03.docx"))
    (exports / "sitater-2026-12-03.csv").write_text("sitat;kode\nHaugsværs kontor ringte;hjelp\n", encoding="utf-8")
    (exports / "annet.csv").write_text("sitat;kode\nVeilederen ringte;hjelp\n", encoding="utf-8")
    (exports / "stor.txt").write_text("x" * 150_000, encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "notat.txt").write_text("Torbjørn Haugsvær\n", encoding="utf-8")
    monkeypatch.setattr(leakcheck, "SCANNED_BYTES", 100_000)
    locked_while_reading: list[bool] = []
    files_holding = leakcheck.files_holding

    def watched(*args: object) -> list[tuple[Path, str | None]]:
        locked_while_reading.append(any(lock.is_locked for lock in service._locks.values()))
        return files_holding(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(leakcheck, "files_holding", watched)
    output = _run(root, "identifiers", "add", "Torbjørn Haugsvær", "--kind", "person", "--gender", "m")
    named = [line.split(" still holds")[0] for line in output.splitlines() if "still holds" in line]
    assert sorted(named) == [str(exports / "rapport-2026-12-03.docx"), str(exports / "sitater-2026-12-03.csv")], output
    assert f"{exports / 'stor.txt'} was not read (larger than 0.1 MB)" in output
    assert locked_while_reading == [False]
    # A name learned that no file holds names no file.
    output = _run(root, "identifiers", "add", "Gunnvor Lid", "--kind", "person", "--gender", "f")
    assert "still holds" not in output, output


def test_a_name_learned_whose_given_name_was_a_pseudonym_gets_its_own_pseudonym_everywhere(demo: Path, tmp_path: Path) -> None:
    """The demo drew Hilde's pseudonym, say "Tove"; then a real Tove Lindberg codes, is written about
    in a memo and speaks in a transcript, and the key learns her name. "Tove" is redrawn for Hilde,
    but in "Tove Lindberg" the word is the real Tove's: her whole name becomes the pseudonym the key
    gives her, not Hilde's new one with a surname pseudonym nobody was given (once flaky: the test of
    agreement's --coders whose coder was named so failed when the demo drew such a pseudonym)."""
    hilde = _key(demo).entry_for("Hilde")
    assert hilde is not None
    drawn = hilde.pseudonym
    person = f"{drawn} Lindberg"
    transcript = tmp_path / "intervju.txt"
    transcript.write_text(f"I: Hvem hjalp deg?\nD1: {person} ringte meg, og Hilde også.\n", encoding="utf-8")
    _run(demo, "anonymise", "dismiss", person, "Lindberg")
    _run(demo, "import", str(transcript))
    assert f"D1: {person} ringte meg, og {drawn} også." in _texts(demo)["intervju"]
    _run(demo, "--coder", person, "coding", "add", "intervju", "empowerment", "--match", "ringte meg")
    _run(demo, "memo", "add", f"Spør {person} om intervjuet.")
    output = _run(demo, "identifiers", "add", person, "--kind", "person", "--gender", "f")
    key = _key(demo)
    hilde, added = key.entry_for("Hilde"), key.entry_for(person)
    assert hilde is not None and added is not None and hilde.pseudonym != drawn
    assert f"replaced by {added.pseudonym!r}" in output
    assert f"Spør {added.pseudonym} om intervjuet." in _memos(demo)
    assert f"D1: {added.pseudonym} ringte meg, og {hilde.pseudonym} også." in _texts(demo)["intervju"]
    coders = [coder["name"] for coder in json.loads(_run(demo, "coder", "list", "--json"))]
    assert added.pseudonym in coders and not any("Lindberg" in name or name.startswith(f"{hilde.pseudonym} ") for name in coders), coders


def test_a_redrawn_pseudonym_leaves_no_speaker_label_behind(demo: Path) -> None:
    """D3 speaks as "Ahmed" (in the key, given a pseudonym P). P turned out to be a real name and was
    redrawn in the text, but the turns' speaker labels kept P: `--turns` and search showed it, and
    every export of the transcript was refused, with `anonymise reapply` finding nothing to do."""
    def run(*args: str) -> Any:
        return CliRunner().invoke(cli, list(args))

    project = ["--project", str(demo)]
    entries = json.loads(run(*project, "key", "show", "--json").output)
    pseudonym = next(entry["pseudonym"] for entry in entries if entry["original"] == "Ahmed")
    speakers = {turn["speaker"] for turn in json.loads(run(*project, "transcripts", "show", "deltaker_D3_T1", "--turns", "--json").output)["turns"]}
    assert pseudonym in speakers
    assert run(*project, "identifiers", "add", pseudonym, "--kind", "person", "--gender", "m").exit_code == 0
    turns = json.loads(run(*project, "transcripts", "show", "deltaker_D3_T1", "--turns", "--json").output)["turns"]
    assert pseudonym not in {turn["speaker"] for turn in turns}
    assert not holds_word((demo / ".qualcode" / "project.db").read_bytes(), pseudonym)  # "Jens" is in "Roy Jenssen"
    assert run(*project, "--coder", "A", "coding", "add", "deltaker_D3_T1", "helse", "--match", "men ryggen ble dårlig").exit_code == 0
    exported = run(*project, "export", "quotes", "--format", "csv")
    assert exported.exit_code == 0, exported.output


def _added_with_ctrl_c(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: object, name: str) -> Result:
    """`identifiers add Gudmund`, who a stored text names, with Ctrl-C pressed as `target.name` runs."""
    (tmp_path / "ny.txt").write_text("I: Hvem?\nD1: Det var Gudmund som ringte.\n", encoding="utf-8")
    _run(root, "anonymise", "dismiss", "Gudmund")
    _run(root, "import", str(tmp_path / "ny.txt"))

    def pressed(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(target, name, pressed)
        return CliRunner().invoke(cli, ["--project", str(root), "identifiers", "add", "Gudmund", "--kind", "person"])


def test_ctrl_c_after_the_key_kept_a_name_says_the_next_command_finishes_and_it_does(
    learned_after_import: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C while `identifiers add` rewrote the stored texts printed click's bare "Aborted!",
    though the key had kept the name and the next command finished the rewrite."""
    import qualcode.anonymise.reapply as reapply

    root = learned_after_import
    result = _added_with_ctrl_c(root, tmp_path, monkeypatch, reapply, "reapply_key")
    assert result.exit_code == 1 and "Aborted" not in result.output and result.output.count("\n") == 1
    assert "interrupted while the stored texts were being pseudonymised" in result.output and "qualcode status" in result.output
    assert "Gudmund" in _texts(root)["ny"]
    finished = _run(root, "status")
    assert "Gudmund" not in _texts(root)["ny"] and "finished it: 1 place in 1 transcript," in finished
    assert _key(root).entry_for("Gudmund") is not None


def test_ctrl_c_while_the_key_was_saved_leaves_key_and_texts_agreeing(
    learned_after_import: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qualcode.anonymise.service import KeyAccess

    root = learned_after_import
    result = _added_with_ctrl_c(root, tmp_path, monkeypatch, KeyAccess, "save")
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "interrupted while the key was being saved" in result.output and "key show" in result.output
    _run(root, "status")  # finishes with the key as it is: it never kept Gudmund, so the text keeps him too
    assert _key(root).entry_for("Gudmund") is None and "Gudmund" in _texts(root)["ny"]
    assert "interrupted" not in _run(root, "status")


def test_a_gender_qualcode_does_not_know_is_refused_not_drawn_at_random(tmp_path: Path) -> None:
    """A probe: `--gender kvinnlig` (a typo) drew a name of either gender and said nothing."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    refused = CliRunner().invoke(cli, ["--project", str(root), "identifiers", "add", "Kari Nordmann", "--kind", "person",
                                       "--gender", "kvinnlig"])
    assert refused.exit_code == 1 and refused.output.count("\n") == 1
    assert "gender 'kvinnlig' is none qualcode knows" in refused.output and "give f or m" in refused.output
    assert _key(root).entry_for("Kari Nordmann") is None
    _run(root, "identifiers", "add", "Kari Nordmann", "--kind", "person", "--gender", "Kvinnelig")
    _run(root, "identifiers", "add", "Ola Nordmann", "--kind", "person", "--gender", "ukjent")
    from faker.providers.person.no_NO import Provider

    given = _key(root).entry_for("Kari Nordmann").pseudonym.split()[0]  # type: ignore[union-attr]
    assert given in Provider.first_names_female


def test_a_nickname_may_share_its_own_persons_pseudonym_and_no_one_elses(tmp_path: Path) -> None:
    """A field trial: `identifiers add Memo --pseudonym Tor --participant P2` was refused as "another person"
    though 'Tor' was P2's own pseudonym's first name. The key links an entry to a participant by --participant."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    _run(root, "identifiers", "add", "Mehmet Yılmaz", "--kind", "person", "--gender", "m", "--participant", "P2")
    _run(root, "identifiers", "add", "Sunniva Brekke", "--kind", "person", "--gender", "f", "--participant", "P3")
    own = _key(root).entry_for("Mehmet Yılmaz")
    assert own is not None
    given = own.pseudonym.split()[0]
    for nickname, chosen in (("Memo", given), ("Memet", own.pseudonym)):
        output = _run(root, "identifiers", "add", nickname, "--kind", "person", "--gender", "m", "--pseudonym", chosen,
                      "--participant", "p2")
        assert f"replaced by {chosen!r}" in output
    assert [(entry.original, entry.participant) for entry in _key(root).entries][2:] == [("Memo", "p2"), ("Memet", "p2")]
    # Another participant's nickname, or one linked to no one, may not.
    for participant in (("--participant", "P3"), ()):
        refused = CliRunner().invoke(cli, ["--project", str(root), "identifiers", "add", "Mesut", "--kind", "person",
                                           "--pseudonym", given, *participant])
        assert refused.exit_code == 1 and f"the pseudonym {given!r} already stands for another person in the key" in refused.stderr
    assert _key(root).entry_for("Mesut") is None


def test_an_unlinked_persons_pseudonym_is_shared_once_their_identifier_is_linked(tmp_path: Path) -> None:
    """The trial's key had P2's name from an identifiers CSV, linked to no participant: the refusal says how
    to link it, and `identifiers add` of it again with --participant links it, the pseudonym and texts as they were."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    _run(root, "identifiers", "add", "Mehmet Yılmaz", "--kind", "person", "--gender", "m")
    drawn = _key(root).entries[0].pseudonym
    given = drawn.split()[0]
    args = ["--project", str(root), "identifiers", "add", "Memo", "--kind", "person", "--pseudonym", given, "--participant", "P2"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1 and refused.stderr == (
        f"error: the pseudonym {given!r} already stands for another person in the key (the key links {drawn!r} to no participant):"
        " the two would be one in every analysis (hint: choose another, or a placeholder in brackets, such as (veileder), to"
        f" group them on purpose; if {drawn!r} is P2's, link its identifier to them first"
        " (`qualcode identifiers add NAME --kind person --participant P2`))\n"
    )
    linked = _run(root, "identifiers", "add", "Mehmet Yılmaz", "--kind", "person", "--participant", "P2")
    assert linked == f"'Mehmet Yılmaz' ({drawn!r}) is now linked to P2; nothing else changed\n"
    assert [(entry.pseudonym, entry.participant) for entry in _key(root).entries] == [(drawn, "P2")]
    _run(root, "identifiers", "add", "Memo", "--kind", "person", "--pseudonym", given, "--participant", "P2")
    # Linked, it is held as asked; linked to another, it is refused as before.
    assert "nothing changed" in _run(root, "identifiers", "add", "Mehmet Yılmaz", "--kind", "person", "--participant", "P2")
    other = CliRunner().invoke(cli, ["--project", str(root), "identifiers", "add", "Mehmet Yılmaz", "--kind", "person", "--participant", "P3"])
    assert other.exit_code == 1 and "with participant P2, not P3" in other.stderr


def test_an_identifiers_csv_links_each_to_the_participant_it_names(tmp_path: Path) -> None:
    """A field trial: `identifiers import` had no participant column, so a participant's name from the CSV was
    linked to no one (a withdrawal did not take it as theirs, and a nickname could not share its pseudonym).
    A new identifier is linked; one the key holds unlinked is linked, nothing else changed; one linked to
    another participant is refused in one line, and the whole file with it."""
    root = tmp_path / "studie"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    _run(root, "identifiers", "add", "Sunniva Brekke", "--kind", "person", "--gender", "f")
    drawn = _key(root).entries[0].pseudonym
    table = tmp_path / "navn.csv"
    table.write_text("identifier,kind,gender,participant\nMehmet Yılmaz,person,m,P2\nSunniva Brekke,person,f,P3\nHorten,place,,\n",
                     encoding="utf-8")
    assert "2 identifiers added" in _run(root, "identifiers", "import", str(table))
    linked = {entry.original: (entry.participant, entry.pseudonym) for entry in _key(root).entries}
    assert linked["Mehmet Yılmaz"][0] == "P2" and linked["Sunniva Brekke"] == ("P3", drawn) and linked["Horten"][0] is None
    given = linked["Mehmet Yılmaz"][1].split()[0]
    assert f"replaced by {given!r}" in _run(root, "identifiers", "add", "Memo", "--kind", "person", "--pseudonym", given, "--participant", "P2")
    other = tmp_path / "andre.csv"
    other.write_text("identifier,kind,participant\nKari Nordmann,person,P4\nMehmet Yılmaz,person,P5\n", encoding="utf-8")
    refused = CliRunner().invoke(cli, ["--project", str(root), "identifiers", "import", str(other)])
    assert refused.exit_code == 1 and "andre.csv line 3: 'Mehmet Yılmaz' is linked to P2 already" in refused.stderr
    assert refused.stderr.count("\n") == 1 and _key(root).entry_for("Kari Nordmann") is None
