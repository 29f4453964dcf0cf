"""What a person types as prose (memos, codings' memos, definitions, summaries, a report's title)
names no one nobody has decided about: a probe's memo "Torgeir Hovland er veilederen til D1" was
stored as typed and exported, where a transcript naming him would have been held back for review."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from qualcode.config import Config
from qualcode.errors import AwaitsReview
from qualcode.store.events import EventKind
from qualcode.store.models import Code, Coding, Event, Memo
from qualcode.store.project import Project
from qualcode.workspace import Workspace
from tests.test_cli import run
from tests.test_review_roundtrip import OWN

UNKNOWN = "Torgeir Hovland"


def _stored(demo: Path) -> bytes:
    return (demo / ".qualcode" / "project.db").read_bytes()


# Each with a name of its own, so that one project serves them all: a name refused waits in the review after.
TYPED = [
    ("Torgeir Hovland", ["memo", "add", "{} er veilederen til D1"], "memo"),
    ("Gunnhild Rasmussen", ["memo", "add", "Om veilederen", "--title", "Samtale med {}"], "memo"),
    # A coding with its memo: neither is stored.
    ("Solfrid Bakkevik", ["coding", "add", "deltaker_D1_T1", "empowerment", "--match", OWN, "--memo", "etter at {} ringte"],
     "coding's memo"),
    ("Arnfinn Slettebø", ["codebook", "edit", "empowerment", "--definition", "Som {} sa om mestring"], "code's definition"),
    ("Reidun Østensjø", ["codebook", "add", "empowerment/råd", "--definition", "Som {} sa om mestring"], "code's definition"),
    ("Torbjørg Hellesylt", ["framework", "set", "D1", "empowerment", "{} hjalp D1 videre"], "summary"),
    # A code named after someone (a probe: it went into every export, and into the codebook's vocabulary).
    ("Torleif Skjelbred", ["codebook", "add", "{}"], "code's name"),
    ("Gunnveig Sørbøe", ["codebook", "add", "empowerment/{} sin plan"], "code's name"),
    ("Asbjørn Kvitingen", ["export", "report", "--title", "Rapport om {}"], "report's title"),
    # A name written with an initial, which names no one alone but is part of the name (not "Sigvart").
    ("Sigvart K.", ["memo", "add", "Møtte {} i dag"], "memo"), ("H. Vassbotten", ["memo", "add", "Møtte {} i dag"], "memo"),
]


def test_an_unknown_name_in_typed_prose_is_refused_and_nothing_is_stored(demo: Path) -> None:
    for name, args, what in TYPED:
        command = ["--project", str(demo), *(arg.format(name) for arg in args)]
        result = run(*command)
        assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
        assert result.output.startswith(f"error: the {what} names '{name}', a possible identifier nobody has decided about")
        assert f"qualcode anonymise dismiss '{name}'" in result.output
        assert name.encode() not in _stored(demo)
        # The name waits in the review, as an import's names do (a report's title too, though
        # the export only reads the project), and typing it again says so.
        assert name in run("--project", str(demo), "anonymise", "pending").output
        again = run(*command)
        assert again.exit_code == 1 and f"names '{name}', which waits for review" in again.output
    with Project.open(demo) as opened, opened.begin() as session:
        assert session.scalars(select(Coding)).all() == []


def test_a_refused_memo_leaves_the_key_only_the_name_it_was_refused_for_and_the_project_as_it_was(demo: Path) -> None:
    """The address in a refused memo was learned by the key as the memo was cleaned, and the key saved with it (and
    the project's record of the key's revision) as the refused name was queued: nothing was stored but the key's."""
    from qualcode.anonymise.key import load_key

    def key_now() -> dict[str, Any]:
        return load_key(Path(os.environ["QUALCODE_KEY"]), "test passphrase").to_json()

    before, stored = key_now(), _stored(demo)
    refused = run("--project", str(demo), "memo", "add", "Ring ola.nordby@example.no; Torgeir Hovland sa det")
    assert refused.exit_code == 1 and "names 'Torgeir Hovland', a possible identifier" in refused.output, refused.output
    after = key_now()
    assert [waiting["text"] for waiting in after.pop("pending")] == ["Torgeir Hovland"]
    assert after == {field: value for field, value in before.items() if field != "pending"}
    assert _stored(demo) == stored


def test_once_decided_the_name_is_written_as_the_decision_says(demo: Path) -> None:
    project = ["--project", str(demo)]
    assert run(*project, "identifiers", "add", UNKNOWN, "--kind", "person").exit_code == 0
    assert run(*project, "memo", "add", f"{UNKNOWN} er veilederen til D1").exit_code == 0  # replaced by his pseudonym
    assert run(*project, "anonymise", "dismiss", "Solveig Aasen").exit_code == 0
    assert run(*project, "memo", "add", "Solveig Aasen er et oppdiktet navn").exit_code == 0  # taken for no one: as typed
    with Project.open(demo) as opened, opened.begin() as session:
        texts = session.scalars(select(Memo.text).order_by(Memo.id.desc()).limit(2)).all()
    assert UNKNOWN not in texts[1] and texts[1].endswith("er veilederen til D1") and texts[0] == "Solveig Aasen er et oppdiktet navn"


def test_a_colleague_and_the_key_s_names_are_no_candidates(demo: Path) -> None:
    """The project's coders are researchers and reviewers, named in memos as colleagues; the key's
    names are replaced, and a pseudonym's words are no one to decide about."""
    project = ["--project", str(demo)]
    assert run(*project, "coder", "add", "Anne Leser").exit_code == 0
    added = run(*project, "memo", "add", "Anne mener koden er for bred. Vi bør spørre Leser om det.")
    assert added.exit_code == 0, added.output
    assert run(*project, "identifiers", "add", "Kari Nordmann", "--kind", "person").exit_code == 0
    assert run(*project, "memo", "add", "Kari Nordmann sa det samme.").exit_code == 0


def test_a_pseudonym_written_in_part_or_in_capitals_is_no_candidate(demo: Path) -> None:
    """A transcript writes "Emilie" where it said "Kari" (of Kari Nordmann, Emilie Aasen): a memo
    or a reviewer's comment calling her so named a candidate, and following the hint would redraw
    her pseudonym or dismiss the name for good (the review of this change)."""
    project = ["--project", str(demo)]
    assert run(*project, "identifiers", "add", "Kari Nordmann", "--kind", "person", "--pseudonym", "Emilie Aasen").exit_code == 0
    for memo in ("Emilie virker motivert.", "Vi snakket med Emilie om dette.", "Både Aasen og D1 sa det.",
                 "EMILIE AASEN sa det.", "Emilies poeng er godt.", "Kari sa det samme i runde to."):
        added = run(*project, "memo", "add", memo)
        assert added.exit_code == 0, (memo, added.output)
    refused = run(*project, "memo", "add", "Emilie Torvanger sa det samme.")  # a word no pseudonym has
    assert refused.exit_code == 1 and "names 'Emilie Torvanger'" in refused.output


def test_the_terminal_ui_s_memo_and_definition_are_refused_alike(demo: Path) -> None:
    """The terminal UI writes through the workspace's typed sessions, as the command line does."""
    assert run("--project", str(demo), "--coder", "Forsker 1", "coding", "add", "deltaker_D1_T1", "empowerment", "--match", OWN).exit_code == 0
    with Workspace.open(Config.resolve(project=demo, coder="Forsker 1", key=None)) as workspace:
        with workspace.begin() as session:
            coding = session.scalars(select(Coding.id)).one()
        with pytest.raises(AwaitsReview, match=f"the coding's memo names '{UNKNOWN}'"):
            workspace.set_memo(coding, f"Som {UNKNOWN} sa")
        # Now waiting in the identifier review, which the UI's refusal sends the writer to.
        assert [candidate.text for candidate in workspace.read_key().pending][-1] == UNKNOWN
        with pytest.raises(AwaitsReview, match=f"the code's definition names '{UNKNOWN}', which waits for review"):
            workspace.update_definition("empowerment", f"Slik {UNKNOWN} forklarte det")
        with pytest.raises(AwaitsReview, match="the code's definition names 'Solveig Aasen'"):
            workspace.update_definition("empowerment", "Slik Solveig Aasen forklarte det")
    assert UNKNOWN.encode() not in _stored(demo)


def test_a_coder_whose_first_name_is_a_word_of_a_name_waiting_for_review_still_writes(demo: Path) -> None:
    """Per's memo naming "Kari Nordmann" left the name waiting for review; then coder Kari's every
    memo and summary was refused as naming it: her own name, looked up as she wrote, was read as typed text."""
    project = ["--project", str(demo)]
    assert run(*project, "--coder", "Kari", "coding", "add", "deltaker_D1_T1", "empowerment", "--match", OWN).exit_code == 0
    assert run(*project, "--coder", "Per", "memo", "add", "Veilederen Kari Nordmann var viktig").exit_code == 1
    for command in (["memo", "add", "Kurs hjelper"], ["framework", "set", "D1", "empowerment", "Kurs hjelper"]):
        written = run(*project, "--coder", "Kari", *command)
        assert written.exit_code == 0, (command, written.output)
    still = run(*project, "--coder", "Kari", "memo", "add", "Kari Nordmann sa det")  # the name itself still waits
    assert still.exit_code == 1 and "'Kari Nordmann', which waits for review" in still.output


def test_a_coding_s_memo_is_read_for_names_once_and_its_undo_and_redo_restore_it_as_stored(
    demo: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Saving a memo read it three times: for names nobody has decided about, to clean it, and again
    in the log entry that undo and redo restore it from, already pseudonymised (a pasted 3.6 MB memo
    took 6 of its 17 s so). Read again, the pseudonym 'Sisel' (of Ragnhild Strand, in a key from before
    chosen pseudonyms were checked) was taken for 'Sissel' of Sissel Bakken: the log held Sissel's
    pseudonym, and redo wrote it into the memo."""
    import qualcode.anonymise.apply as apply
    from qualcode.anonymise.key import load_key, save_key

    key_path = Path(os.environ["QUALCODE_KEY"])
    key = load_key(key_path, "test passphrase")
    apply.add_identifier(key, "Ragnhild Strand", "person", "f", pseudonym="Sisel")  # as the unchecked command did
    save_key(key_path, key, "test passphrase")
    project = ["--project", str(demo)]
    assert run(*project, "--coder", "Forsker 1", "coding", "add", "deltaker_D1_T1", "empowerment", "--match", OWN).exit_code == 0
    read: list[str] = []
    pseudonymise = apply.pseudonymise
    monkeypatch.setattr(apply, "pseudonymise", lambda text, *rest: read.append(text) or pseudonymise(text, *rest))
    with Workspace.open(Config.resolve(project=demo, coder="Forsker 1", key=None)) as workspace:
        with workspace.begin() as session:
            coding = session.scalars(select(Coding.id)).one()
            sissel = workspace.looked_up("Sissel Bakken").text
        first, second = "Ragnhild Strand ringte. " * 200, "Sissel Bakken og Ragnhild Strand ringte."
        workspace.set_memo(coding, first)
        workspace.set_memo(coding, second)
        assert [text for text in read if "ringte" in text] == [first.strip(), second]  # each read once
        memos = {"first": first.strip().replace("Ragnhild Strand", "Sisel"), "second": f"{sissel} og Sisel ringte."}

        def stored() -> str | None:
            with workspace.begin() as session:
                return session.scalars(select(Coding.memo)).one()

        assert stored() == memos["second"]
        with workspace.begin() as session:
            logged = [event.payload for event in session.scalars(select(Event).where(Event.action == EventKind.CODING_MEMO.value))]
        assert [(payload["before"]["memo"], payload["after"]["memo"]) for payload in logged] == [
            (None, memos["first"]), (memos["first"], memos["second"])]
        workspace.undo()
        assert stored() == memos["first"]
        workspace.undo()
        workspace.redo()
        workspace.redo()
        assert stored() == memos["second"]


def test_a_coding_s_excerpt_is_logged_as_stored_and_undo_and_redo_restore_it_exactly(demo: Path, tmp_path: Path) -> None:
    """A coding's excerpt is the transcript's pseudonymised text. A memo written with the coding, or
    changed on it, logged the excerpt read again as if typed: 'Sisel' (Ragnhild Strand's pseudonym,
    in a key from before chosen pseudonyms were checked) was taken for 'Sissel' of Sissel Bakken, the
    log and its summary held Sissel's pseudonym, and undo and redo wrote it into the coding."""
    import qualcode.anonymise.apply as apply
    from qualcode.anonymise.key import load_key, save_key

    key_path = Path(os.environ["QUALCODE_KEY"])
    key = load_key(key_path, "test passphrase")
    apply.add_identifier(key, "Ragnhild Strand", "person", "f", pseudonym="Sisel")  # as the unchecked command did
    save_key(key_path, key, "test passphrase")
    source = tmp_path / "deltaker_D9_T1.txt"
    source.write_text("I: Hvem ringte?\n\nD9: Ragnhild Strand ringte meg om praksisplassen.\n", encoding="utf-8")
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    assert run(*project, "import", str(source)).exit_code == 0
    added = run(*project, "coding", "add", "deltaker_D9_T1", "empowerment", "--match", "Sisel ringte meg", "--memo", "ringte selv")
    assert added.exit_code == 0, added.output
    with Project.open(demo) as opened, opened.begin() as session:
        coding = session.scalars(select(Coding).where(Coding.excerpt == "Sisel ringte meg")).one()
        coding_id = str(coding.id)
    assert run(*project, "coding", "memo", coding_id, "ringte igjen").exit_code == 0

    def stored() -> tuple[str, str | None, bool]:
        with Project.open(demo) as opened, opened.begin() as session:
            found = session.scalars(select(Coding).where(Coding.id == int(coding_id))).one()
            return found.excerpt, found.memo, found.removed_at is None

    with Project.open(demo) as opened, opened.begin() as session:
        logged = session.scalars(select(Event).where(Event.entity_guid == coding.guid).order_by(Event.id)).all()
        assert [event.action for event in logged] == [EventKind.CODING_ADD.value, EventKind.CODING_MEMO.value]
        assert "'Sisel ringte meg'" in logged[0].summary
        assert [(event.payload["before"] or {}).get("excerpt") for event in logged] == [None, "Sisel ringte meg"]
        assert [event.payload["after"]["excerpt"] for event in logged] == ["Sisel ringte meg"] * 2
    assert stored() == ("Sisel ringte meg", "ringte igjen", True)
    for step in ("undo", "undo", "redo"):
        assert run(*project, step).exit_code == 0
    assert stored() == ("Sisel ringte meg", "ringte selv", True)
    assert run(*project, "redo").exit_code == 0
    assert stored() == ("Sisel ringte meg", "ringte igjen", True)


def test_a_renamed_code_s_definition_is_logged_as_stored_and_undo_restores_it(demo: Path) -> None:
    """A code's rename logged its whole state, the definition it kept read again as if typed: the
    pseudonym 'Sisel' became Sissel Bakken's, and undoing the rename wrote that into the definition."""
    import qualcode.anonymise.apply as apply
    from qualcode.anonymise.key import load_key, save_key

    key_path = Path(os.environ["QUALCODE_KEY"])
    key = load_key(key_path, "test passphrase")
    apply.add_identifier(key, "Ragnhild Strand", "person", "f", pseudonym="Sisel")  # as the unchecked command did
    save_key(key_path, key, "test passphrase")
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    assert run(*project, "codebook", "edit", "empowerment", "--definition", "Som Ragnhild Strand sa om mestring").exit_code == 0

    def definition() -> str | None:
        with Project.open(demo) as opened, opened.begin() as session:
            return session.scalars(select(Code.definition).where(Code.guid == guid)).one()

    with Project.open(demo) as opened, opened.begin() as session:
        guid = session.scalars(select(Code.guid).where(Code.path == "empowerment")).one()
    assert definition() == "Som Sisel sa om mestring"
    renamed = run(*project, "codebook", "rename", "empowerment", "mestring")
    assert renamed.exit_code == 0, renamed.output
    with Project.open(demo) as opened, opened.begin() as session:
        logged = session.scalars(select(Event).where(Event.entity_guid == guid).order_by(Event.id.desc())).first()
        assert logged is not None and logged.payload["before"]["definition"] == "Som Sisel sa om mestring"
    assert run(*project, "undo").exit_code == 0
    assert definition() == "Som Sisel sa om mestring"
