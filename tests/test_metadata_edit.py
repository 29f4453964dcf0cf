"""Correcting transcript and participant metadata after import: validated, logged, undoable."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise import key as key_file
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.history import ChangedByOthers, history, redo, undo
from qualcode.coding.transcripts import describe_participants, describe_transcripts
from qualcode.errors import ImportFailed, InvalidInput, NotFound
from qualcode.importers.metadata import (
    attribute_definition,
    get_or_create_participant,
    import_participants,
)
from qualcode.importers.metadata_edit import edit_participant, edit_transcript
from qualcode.store.models import AttributeDefinition, Coder, Event, Participant, Transcript, Turn
from qualcode.store.project import Project
from tests.conftest import SAMPLES, built_once, fix_draws, isolate_user, make_transcript
from tests.test_cli import run

TEXT = "I: Hvordan var det?\nD1: Det var greit, vi lagde en plan.\nI: Og så?\nD1: Så fikk jeg jobb.\n"


def _transcript(session: Session) -> Transcript:
    return session.scalars(select(Transcript)).one()


def _turn_people(session: Session) -> list[str | None]:
    return [t.participant.name if t.participant else None for t in session.scalars(select(Turn).order_by(Turn.seq))]


def test_edit_a_transcript_then_undo_and_redo(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, TEXT, participant="D1", wave="T1", date=date(2024, 2, 13))
    get_or_create_participant(session, "D2", "deltaker")
    assert _turn_people(session) == [None, "D1", None, "D1"]
    edit = edit_transcript(
        session, "intervju", coder, date="2024-05-02", wave="t2", participants=["D2"], fidelity="notat",
        interviewer="Forsker 2", title="Andre runde",
    )
    assert {c.field: (c.before, c.after) for c in edit.changes} == {
        "date": ("2024-02-13", "2024-05-02"), "wave": ("T1", "T2"), "participants": ("D1", "D2"),
        "fidelity": ("transcript", "referat"), "interviewer": (None, "Forsker 2"), "title": (None, "Andre runde"),
    }
    [view] = describe_transcripts(session)
    assert (view.interview_date, view.wave, view.participants, view.fidelity) == ("2024-05-02", "T2", ("D2",), "referat")
    assert _turn_people(session) == [None, "D2", None, "D2"]  # the corrected participant's turns follow
    summary = history(session, limit=1)[0].summary
    assert summary.startswith("edited transcript intervju: ") and "date 2024-02-13 → 2024-05-02" in summary

    undo(session, coder)
    transcript = _transcript(session)
    session.refresh(transcript)
    assert (transcript.interview_date, transcript.wave, transcript.fidelity, transcript.interviewer, transcript.title) == (
        date(2024, 2, 13), "T1", "transcript", None, None,
    )
    assert [link.participant.name for link in transcript.participant_links] == ["D1"]
    assert _turn_people(session) == [None, "D1", None, "D1"]
    redo(session, coder)
    session.refresh(transcript)
    assert (transcript.interview_date, [link.participant.name for link in transcript.participant_links]) == (
        date(2024, 5, 2), ["D2"],
    )
    assert _turn_people(session) == [None, "D2", None, "D2"]


def test_an_empty_value_clears_and_the_same_value_changes_nothing(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, TEXT, participant="D1", wave="T1", date=date(2024, 2, 13))
    assert [c.field for c in edit_transcript(session, "intervju", coder, date="", wave="").changes] == ["wave", "date"]
    assert _transcript(session).interview_date is None
    events = len(history(session))
    assert edit_transcript(session, "intervju", coder, participants=["D1"], title="").changes == ()
    assert len(history(session)) == events  # nothing changed, nothing logged


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"date": "2024-13-01"}, InvalidInput, "date '2024-13-01' is not a date"),
        ({"date": "i går"}, InvalidInput, "is not a date"),
        # A slip of the keyboard a probe made: no interview was held in year 1 or 9999.
        ({"date": "0001-01-01"}, InvalidInput, "0001-01-01 is no date an interview was held on"),
        ({"date": "9999-12-31"}, InvalidInput, "9999-12-31 is no date an interview was held on"),
        ({"wave": "T 2"}, InvalidInput, "wave 'T 2' is not a round such as T1"),
        ({"wave": "andre runde"}, InvalidInput, "is not a round"),
        ({"fidelity": "lydopptak"}, InvalidInput, "fidelity 'lydopptak' is not one of"),
        ({"fidelity": " "}, InvalidInput, "fidelity cannot be empty"),
        ({"participants": ["D99"]}, NotFound, "no participant 'D99'"),
        ({"participants": [""]}, InvalidInput, "participant name is empty"),
        ({}, InvalidInput, "say what to change"),
        # A title or interviewer every list shows on one line (a probe's 100,000-character title and
        # line breaks were stored, and broke `history`; an escape character was taken out unseen).
        ({"title": "A" * 301}, InvalidInput, "the title 'AAAA.*' is longer than 300 characters"),
        ({"interviewer": "Forsker\nto"}, InvalidInput, r"the interviewer 'Forsker\\nto' holds a line break or control character"),
        ({"title": "ok\x1btittel"}, InvalidInput, "holds a line break or control character"),
        # A zero-width space pasted from the web is named: no one sees it.
        ({"title": "Intervju\u200bmed D1"}, InvalidInput, r"holds a line break or control character \(U\+200B ZERO WIDTH SPACE\)"),
    ],
)
def test_bad_transcript_values_are_refused_and_change_nothing(
    session: Session, coder: Coder, tmp_path: Path, changes: dict[str, object], error: type[Exception], message: str,
) -> None:
    make_transcript(session, tmp_path, TEXT, participant="D1", wave="T1", date=date(2024, 2, 13))
    with pytest.raises(error, match=message):
        # A good value given with a bad one is not kept either.
        good = {"title": "Ny"} if "title" not in changes else {"wave": "T2"}
        edit_transcript(session, "intervju", coder, **(good if changes else {}), **changes)  # type: ignore[arg-type]
    transcript = _transcript(session)
    assert (transcript.title, transcript.wave, transcript.interview_date) == (None, "T1", date(2024, 2, 13))
    with pytest.raises(NotFound, match="no transcript 'finnes-ikke'"):
        edit_transcript(session, "finnes-ikke", coder, wave="T2")


def test_edit_a_participant_with_typed_attributes_then_undo(session: Session, coder: Coder) -> None:
    participant = get_or_create_participant(session, "D1", "deltaker")
    participant.office = "kontor A"
    attribute_definition(session, "kvp_start", "participant", date(2023, 9, 1))
    attribute_definition(session, "barn_antall", "participant", 2)
    edit = edit_participant(
        session, "d1", coder, role="Veileder", office="kontor B", age_band="30-39",
        attributes={"KVP_start": "2023-10-01", "barn_antall": "3", "bydel": "øst"},
    )
    assert {c.field: (c.before, c.after) for c in edit.changes} == {
        "role": ("deltaker", "veileder"), "office": ("kontor A", "kontor B"), "age_band": (None, "30-39"),
        "kvp_start": (None, "2023-10-01"), "barn_antall": (None, "3"), "bydel": (None, "øst"),
    }
    [view] = describe_participants(session)
    assert view.attributes == {"kvp_start": "2023-10-01", "barn_antall": "3", "bydel": "øst"}
    for attributes, message in (
        ({"kvp_start": "snart"}, "date 'snart' is not a date"),
        ({"barn_antall": "to"}, "barn_antall is a number, but got 'to'"),
        ({"office": "x"}, "office is not an attribute"),
        ({" ": "x"}, "an attribute has no name"),
    ):
        with pytest.raises(InvalidInput, match=message):
            edit_participant(session, "D1", coder, attributes=attributes)
    with pytest.raises(InvalidInput, match="role 'leder 2' is not one word"):
        edit_participant(session, "D1", coder, role="leder 2")
    with pytest.raises(NotFound, match="no participant 'D9'"):
        edit_participant(session, "D9", coder, role="leder")
    assert edit_participant(session, "D1", coder, attributes={"bydel": ""}).changes[0].after is None  # removes it
    undo(session, coder)
    undo(session, coder)
    session.expire_all()
    restored = session.scalars(select(Participant)).one()
    assert (restored.role, restored.office, restored.age_band, restored.attributes) == ("deltaker", "kontor A", None, [])


@pytest.mark.parametrize("band", ["foo", "39-30", "30-30", "30 - 39", "30-", "-39", "1-2-3", "200+", "90-130"])
def test_an_age_band_that_is_no_range_of_ages_is_refused_by_an_edit_and_by_the_csv_import(
    session: Session, coder: Coder, tmp_path: Path, band: str,
) -> None:
    """--age-band took any text ("As 30-39", said its help), and so did the participants CSV."""
    get_or_create_participant(session, "D1", "deltaker").age_band = "20-29"
    with pytest.raises(InvalidInput, match=f"^the age band '{re.escape(band)}' is not a range of ages"):
        edit_participant(session, "D1", coder, age_band=band)
    people = tmp_path / "deltakere.csv"
    people.write_text(f"participant,age_band\nD1,30-39\nD2,{band}\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=f"^deltakere.csv line 3: the age band '{re.escape(band)}' is not a range of ages"), \
            session.begin_nested():  # the command's transaction, which a refusal rolls back
        import_participants(session, people)
    assert [(p.name, p.age_band) for p in session.scalars(select(Participant))] == [("D1", "20-29")]


@pytest.mark.parametrize(("band", "hint"), [
    ("３０-３９", "write it in the digits 0-9: 30-39"), ("٣٠-٣٩", "write it in the digits 0-9: 30-39"),
    ("６７+", "write it in the digits 0-9: 67+"), ("３９-３０", "write it in the digits 0-9, as 30-39 or 67+"),
])
def test_an_age_band_takes_only_the_digits_0_to_9(session: Session, coder: Coder, tmp_path: Path, band: str, hint: str) -> None:
    """"３０-３９" (full width) and "٣٠-٣٩" (Arabic-Indic) were taken as age bands (\\d takes them), stored
    as written: a column of their own beside 30-39 in every table. Refused now, by an edit and the CSV."""
    get_or_create_participant(session, "D1", "deltaker").age_band = "20-29"
    with pytest.raises(InvalidInput, match=f"^the age band '{re.escape(band)}' is not written in the digits 0-9") as refused:
        edit_participant(session, "D1", coder, age_band=band)
    assert refused.value.hint == hint
    people = tmp_path / "deltakere.csv"
    people.write_text(f"participant,age_band\nD1,30-39\nD2,{band}\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=f"^deltakere.csv line 3: the age band '{re.escape(band)}' is not written in the digits 0-9"), \
            session.begin_nested():
        import_participants(session, people)
    assert [(p.name, p.age_band) for p in session.scalars(select(Participant))] == [("D1", "20-29")]


def test_an_age_band_from_and_to_or_from_and_up_is_taken(session: Session, coder: Coder) -> None:
    get_or_create_participant(session, "D1", "deltaker")
    for band in ("18-24", "30-39", "67+", ""):
        edit_participant(session, "D1", coder, age_band=band)
        assert session.scalars(select(Participant.age_band)).one() == (band or None)


def test_undo_of_an_edit_is_refused_while_another_coders_later_edit_stands(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    make_transcript(session, tmp_path, TEXT, participant="D1", wave="T1")
    other = get_or_create_coder(session, "Forsker 2")
    edit_transcript(session, "intervju", coder, wave="T2")
    edit_transcript(session, "intervju", other, title="Ny tittel")
    with pytest.raises(ChangedByOthers, match="Forsker 2 changed this transcript after you"):
        undo(session, coder)
    assert _transcript(session).wave == "T2"
    undo(session, other)
    undo(session, coder)
    assert _transcript(session).wave == "T1"
    edit_participant(session, "D1", coder, office="kontor A")
    edit_participant(session, "D1", other, role="deltaker")
    with pytest.raises(ChangedByOthers, match="changed this participant after you"):
        undo(session, coder)


@pytest.fixture(scope="module")
def small_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One sample transcript imported through the CLI into project p with its key in key/: built once."""
    def build(base: Path) -> None:
        root = base / "p"
        with pytest.MonkeyPatch.context() as monkeypatch:
            isolate_user(monkeypatch, base / "home")
            monkeypatch.setenv("QUALCODE_KEY", str(base / "key" / "p.qckey"))
            for args in (
                ["init", str(root)],
                ["--project", str(root), "identifiers", "import", str(SAMPLES / "identifiers.csv")],
                ["--project", str(root), "anonymise", "dismiss", "Norge", "Varighet"],
                ["--project", str(root), "participants", "import", str(SAMPLES / "participants.csv")],
                ["--project", str(root), "import", str(SAMPLES / "deltaker_D1_T1.txt")],
            ):
                result = run(*args)
                assert result.exit_code == 0, (args, result.output)
                if args[0] == "init":  # the same draws in every run (Sissel's "Line …" failed one run in 100)
                    fix_draws(root, base / "key" / "p.qckey", "5b1e8c3a-0d47-4f92-a6e1-3c8d7f2b9e05")

    return built_once(tmp_path_factory, "metadata-small", build)


@pytest.fixture
def small_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_template: Path) -> Path:
    """A copy of the template project and its key for one test, which may change either."""
    shutil.copytree(small_template / "p", tmp_path / "p")
    shutil.copytree(small_template / "key", tmp_path / "key")
    monkeypatch.setenv("QUALCODE_KEY", str(tmp_path / "key" / "p.qckey"))
    monkeypatch.setenv("QUALCODE_CODER", "Forsker 1")
    return tmp_path / "p"


def test_cli_edits_are_pseudonymised_logged_and_undone(small_project: Path) -> None:
    project = ["--project", str(small_project)]
    edited = run(*project, "transcripts", "edit", "deltaker_D1_T1", "--date", "2009-10-12", "--wave", "T2",
                 "--participant", "D2", "--interviewer", "Sissel Bakken", "--json")
    assert edited.exit_code == 0, edited.output
    changes = {c["field"]: c["after"] for c in json.loads(edited.output)["changes"]}
    assert changes["date"] == "2009-10-12" and changes["participants"] == "D2"
    assert "Sissel" not in changes["interviewer"] and changes["interviewer"]  # a known name is pseudonymised
    listed = run(*project, "transcripts", "list", "--json")
    [row] = json.loads(listed.output)
    assert (row["interview_date"], row["wave"], row["participants"]) == ("2009-10-12", "T2", ["D2"])
    assert "Sissel" not in run(*project, "history").output

    office = run(*project, "participants", "edit", "D1", "--office", "NAV Horten", "--attribute", "barn=nei",
                 "--attribute", "sivilstand=gift")
    assert office.exit_code == 0, office.output
    assert "barn: ja -> nei" in office.output and "sivilstand: - -> gift" in office.output
    participants = {p["name"]: p for p in json.loads(run(*project, "participants", "list", "--json").output)}
    assert participants["D1"]["office"] != "NAV Horten" and participants["D1"]["attributes"]["sivilstand"] == "gift"

    assert run(*project, "undo").exit_code == 0
    assert run(*project, "undo").exit_code == 0
    [row] = json.loads(run(*project, "transcripts", "list", "--json").output)
    assert (row["interview_date"], row["wave"], row["participants"]) == ("2024-02-13", "T1", ["D1"])
    participants = {p["name"]: p for p in json.loads(run(*project, "participants", "list", "--json").output)}
    assert participants["D1"]["office"] == "kontor A" and "sivilstand" not in participants["D1"]["attributes"]
    assert "undid: edited transcript deltaker_D1_T1" in run(*project, "history").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["transcripts", "edit", "deltaker_D1_T1", "--date", "13.02.2024"], "date '13.02.2024' is not a date (hint: write it as YYYY-MM-DD: 2024-02-13)"),
        (["transcripts", "edit", "deltaker_D1_T1", "--wave", "vår"], "wave 'vår' is not a round such as T1 or T2"),
        (["transcripts", "edit", "deltaker_D1_T1", "--fidelity", "opptak"], "fidelity 'opptak' is not one of"),
        (["transcripts", "edit", "deltaker_D1_T1", "--participant", "D42"], "no participant 'D42'"),
        (["transcripts", "edit", "deltaker_D1_T1"], "say what to change"),
        (["transcripts", "edit", "deltaker_D9", "--wave", "T2"], "no transcript 'deltaker_D9'"),
        (["participants", "edit", "D1"], "say what to change"),
        (["participants", "edit", "D42", "--role", "leder"], "no participant 'D42'"),
        # An attribute beside a built-in field would be a second "wave" column in every export.
        (["participants", "edit", "D1", "--attribute", "wave=T5"], "wave is a built-in field, not an attribute"),
        (["participants", "edit", "D1", "--attribute", "Transcript=x"], "transcript is a built-in field, not an attribute"),
        (["participants", "edit", "D1", "--attribute", "to\nlinjer=x"], "holds a line break or control character"),
        (["participants", "edit", "D1", "--attribute", "a" * 101 + "=x"], "is longer than 100 characters"),
        # A value is one line too, and a control character in a name is refused, not taken out ("ab").
        (["participants", "edit", "D1", "--attribute", "notat=linje\nto"], "the value of attribute notat 'linje\\nto' holds a line break"),
        (["participants", "edit", "D1", "--attribute", "notat=" + "v" * 201], "is longer than 200 characters"),
        (["participants", "edit", "D1", "--attribute", "a\x01b=1"], "the attribute name 'a\\x01b' holds a line break or control"),
        # A value written as a date makes a date attribute, and a day that does not exist is refused.
        (["participants", "edit", "D1", "--attribute", "kvp_start=2024-02-30"], "date '2024-02-30' is not a date"),
        (["participants", "edit", "D1", "--gender", "k" * 500], "the gender 'kkkk"),
    ],
)
def test_cli_bad_edits_are_one_line(small_project: Path, args: list[str], message: str) -> None:
    result = run("--project", str(small_project), *args)
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert message in result.output


def test_cli_attribute_must_be_name_equals_value(small_project: Path) -> None:
    for given in ("barn", "=x"):  # one line and exit 1, as every other bad input (click's usage text and exit 2 before)
        result = run("--project", str(small_project), "participants", "edit", "D1", "--attribute", given)
        assert result.exit_code == 1 and result.output == (
            f"error: --attribute {given!r} is not NAME=VALUE (hint: as in --attribute barn=ja; an empty VALUE removes it)\n"
        )


def test_the_codebooks_name_is_pseudonymised_and_its_export_leak_checked(small_project: Path) -> None:
    """A codebook's name and description are typed text: pseudonymised when imported, and a codebook
    export (YAML to a file or to the terminal, or .qdc) is leak-checked as every export is."""
    import sqlite3

    project = ["--project", str(small_project)]
    assert run(*project, "identifiers", "add", "Kari Nordmann", "--kind", "person", "--gender", "f").exit_code == 0
    source = small_project.parent / "kodebok.yaml"
    source.write_text("name: Kodebok for Kari Nordmann\ndescription: Laget med Kari Nordmann\ncodes:\n  - name: helse\n",
                      encoding="utf-8")
    assert run(*project, "codebook", "import", str(source)).exit_code == 0
    exported = small_project.parent / "ut.yaml"
    assert run(*project, "codebook", "export", str(exported)).exit_code == 0
    assert "Kari" not in exported.read_text(encoding="utf-8") and "name: Kodebok for " in exported.read_text(encoding="utf-8")
    assert run("--project", str(small_project), "leakcheck", str(source)).exit_code == 1  # the leak check reads YAML
    with sqlite3.connect(small_project / ".qualcode" / "project.db") as database:  # as a program without the guard would
        database.execute("UPDATE settings SET value = 'Kodebok for Kari Nordmann' WHERE key = 'codebook.name'")
        database.execute("UPDATE codes SET definition = 'Kari Nordmann om helse' WHERE path = 'helse'")
    for target in ([str(small_project.parent / "igjen.yaml")], [str(small_project.parent / "igjen.qdc")], []):
        refused = run(*project, "codebook", "export", *target)
        assert refused.exit_code == 1 and "refused to write" in refused.output and "contains person 'Kari Nordmann'" in refused.output
        assert "Kodebok for" not in refused.output.replace("refused", "")
    assert not (small_project.parent / "igjen.yaml").exists() and not (small_project.parent / "igjen.qdc").exists()


def test_a_coder_named_as_someone_in_the_key_codes_under_a_pseudonym(small_project: Path) -> None:
    """An interviewer named in the texts codes too: `--coder` and `coder add` with a name the key holds
    make one coder under its pseudonym, found again by the name as typed, and exports are not refused."""
    import sqlite3

    project = ["--project", str(small_project)]
    assert run(*project, "identifiers", "add", "Trond Hansen", "--kind", "person", "--gender", "m").exit_code == 0
    for words in ("Jeg visste ikke helt hva det var", "Jeg trodde det var enda et kurs"):
        coded = run(*project, "--coder", "Trond Hansen", "coding", "add", "deltaker_D1_T1", "empowerment", "--match", words)
        assert coded.exit_code == 0, coded.output
    added = run(*project, "coder", "add", "Trond Hansen")
    assert added.exit_code == 0 and "Trond" not in added.output
    with sqlite3.connect(small_project / ".qualcode" / "project.db") as database:
        names = [name for (name,) in database.execute("SELECT name FROM coders")]
        by_coder = database.execute("SELECT count(DISTINCT coder_id) FROM codings").fetchone()[0]
    assert by_coder == 1 and not any("Trond" in name for name in names), names
    exported = run(*project, "export", "quotes", "--format", "csv", "--output", str(small_project.parent / "q.csv"))
    assert exported.exit_code == 0, exported.output


def test_an_attribute_named_for_someone_is_one_attribute_however_its_name_is_written(small_project: Path) -> None:
    """An attribute's name is kept in lower case and pseudonymised as a name: "Ole Brumm", "ole brumm"
    and a CSV column "ole brumm" over several rows are the one attribute, under the pseudonym."""
    import sqlite3

    project = ["--project", str(small_project)]
    assert run(*project, "identifiers", "add", "Ole Brumm", "--kind", "person", "--gender", "m").exit_code == 0
    for written in ("Ole Brumm=ja", "ole brumm=nei"):
        edited = run(*project, "participants", "edit", "D1", "--attribute", written)
        assert edited.exit_code == 0 and edited.output.count("\n") <= 2, edited.output
    table = small_project.parent / "deltakere.csv"
    table.write_text("participant,ole brumm\nD1,ja\nD2,nei\nD3,ja\n", encoding="utf-8")
    imported = run(*project, "participants", "import", str(table))
    assert imported.exit_code == 0, imported.output
    with sqlite3.connect(small_project / ".qualcode" / "project.db") as database:
        names = [name for (name,) in database.execute("SELECT name FROM attribute_definitions WHERE applies_to = 'participant'")]
        values = database.execute(
            "SELECT count(*) FROM participant_attributes a JOIN attribute_definitions d ON a.definition_id = d.id "
            "WHERE d.name NOT IN ('kvp_start', 'barn')").fetchone()[0]
    assert not any("brumm" in name for name in names) and len(names) == 3, names
    assert values >= 3


def test_a_name_in_a_participants_csv_is_held_back_for_review_as_in_a_transcript(small_project: Path) -> None:
    """A column of names beside the ids would otherwise be stored as written: no one had been asked.
    (The surname is none Faker has: a pseudonym drawn for the template's names may hold "Solveig".)"""
    project = ["--project", str(small_project)]
    table = small_project.parent / "deltakere.csv"
    table.write_text("participant,kontaktperson,kontor\nD1,Solveig Vassbotten,kontor A\nD2,,kontor B\n", encoding="utf-8")
    transcript = small_project.parent / "samtale.txt"
    transcript.write_text("I: Hei.\nD1: Hei.\n", encoding="utf-8")
    # Also when the CSV comes with `import --participants`, which had imported it as written; nothing is imported.
    for args in (["participants", "import", str(table)], ["import", str(transcript), "--participants", str(table)]):
        held = run(*project, *args)
        assert held.exit_code == 1 and "has 1 possible identifier nobody has decided about (Solveig Vassbotten)" in held.stderr, args
        assert b"Vassbotten" not in (small_project / ".qualcode" / "project.db").read_bytes()
    assert "samtale" not in run(*project, "transcripts", "list").output
    assert "Solveig Vassbotten" in run(*project, "anonymise", "pending").output
    assert b"Vassbotten" not in (small_project / ".qualcode" / "project.db").read_bytes()
    assert run(*project, "anonymise", "accept", "Solveig Vassbotten", "--kind", "person", "--gender", "f").exit_code == 0
    imported = run(*project, "participants", "import", str(table))
    assert imported.exit_code == 0, imported.output
    assert b"Vassbotten" not in (small_project / ".qualcode" / "project.db").read_bytes()


def test_a_lone_name_in_a_cell_is_proposed_and_a_category_is_not(small_project: Path) -> None:
    """A cell was read as a sentence, so its first word was a name only when a listed one: "Halldis"
    alone in a free column was stored. Categories (role, office) stay categories, whatever their case."""
    project = ["--project", str(small_project)]
    table = small_project.parent / "deltakere.csv"
    table.write_text("participant,role,office,merknad\nD30,Veileder,Kontor A,Halldis\n", encoding="utf-8")
    held = run(*project, "participants", "import", str(table))
    assert held.exit_code == 1 and "has 1 possible identifier nobody has decided about (Halldis)" in held.stderr, held.output
    assert b"Halldis" not in (small_project / ".qualcode" / "project.db").read_bytes()


def test_a_participants_csv_that_cannot_be_imported_is_refused_before_its_names_are_reviewed(small_project: Path) -> None:
    """A name column beside the id column was refused only after the review had asked about its names."""
    project = ["--project", str(small_project)]
    table = small_project.parent / "deltakere.csv"
    table.write_text("participant,navn\nD30,Liv Grete Aasvangen\n", encoding="utf-8")
    refused = run(*project, "participants", "import", str(table))
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: deltakere.csv: column 'navn' is a built-in field, not an attribute"
        " (hint: the participant's id is in column 'participant': rename or remove 'navn')\n"
    )
    assert "Aasvangen" not in run(*project, "anonymise", "pending").output


def test_an_attribute_named_for_someone_leaves_the_log_too_when_the_key_learns_the_name(small_project: Path) -> None:
    """The log's summary names the attribute as it is kept, in lower case: "fjeldstad - → ja"."""
    project = ["--project", str(small_project)]
    # A rare name typed alone is proposed for review now; dismissed, as a researcher may, it is kept.
    refused = run(*project, "participants", "edit", "D2", "--attribute", "Fjeldstad=ja")
    assert refused.exit_code == 1 and "a possible identifier nobody has decided about" in refused.output
    assert run(*project, "anonymise", "dismiss", "Fjeldstad").exit_code == 0
    assert run(*project, "participants", "edit", "D2", "--attribute", "Fjeldstad=ja").exit_code == 0
    assert run(*project, "identifiers", "add", "Gudrun Fjeldstad", "--kind", "person", "--gender", "f").exit_code == 0
    assert "fjeldstad" not in run(*project, "history").output.lower()
    assert b"fjeldstad" not in (small_project / ".qualcode" / "project.db").read_bytes().lower()


def test_a_front_matter_attribute_named_for_someone_is_pseudonymised_at_import(small_project: Path) -> None:
    """A transcript's attributes in its front matter: the values were pseudonymised, and now their names too."""
    import sqlite3

    project = ["--project", str(small_project)]
    assert run(*project, "identifiers", "add", "Per Olsen", "--kind", "person", "--gender", "m").exit_code == 0
    source = small_project.parent / "fm.txt"
    source.write_text("---\nparticipant: D1\nattributes:\n  Per Olsen: ja\n---\nI: Hei.\nD1: Hei på deg.\n", encoding="utf-8")
    imported = run(*project, "import", str(source))
    assert imported.exit_code == 0, imported.output
    with sqlite3.connect(small_project / ".qualcode" / "project.db") as database:
        names = [name for (name,) in database.execute("SELECT name FROM attribute_definitions WHERE applies_to = 'transcript'")]
    assert names and not any("Per" in name or "Olsen" in name for name in names), names


def test_a_codebook_naming_someone_imports_again_onto_the_code_under_the_pseudonym(small_project: Path) -> None:
    """Importing the same codebook twice (the documented merge), with a code named for someone the key
    holds: the second import finds the code under its pseudonym and changes nothing."""
    project = ["--project", str(small_project)]
    assert run(*project, "identifiers", "add", "Kari Nordmann", "--kind", "person", "--gender", "f").exit_code == 0
    source = small_project.parent / "kodebok.yaml"
    source.write_text("name: x\ncodes:\n  - name: Kari Nordmann\n    codes:\n      - name: samtaler\n", encoding="utf-8")
    first = run(*project, "codebook", "import", str(source))
    assert first.exit_code == 0 and "2 codes added" in first.output, first.output
    again = run(*project, "codebook", "import", str(source))
    assert again.exit_code == 0 and "0 codes added, 0 updated, 2 unchanged" in again.output, again.output
    assert "Kari" not in first.output + again.output


def test_the_default_coder_follows_their_name_when_the_key_learns_it(small_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`coder add NAME --default`, then the key learns NAME: the coder and the project's default are
    renamed together, so commands without --coder still code as them, under the pseudonym."""
    import sqlite3

    monkeypatch.delenv("QUALCODE_CODER")
    project = ["--project", str(small_project)]
    assert run(*project, "coder", "add", "Mona Hansen", "--default").exit_code == 0
    assert run(*project, "identifiers", "add", "Mona Hansen", "--kind", "person", "--gender", "f").exit_code == 0
    coded = run(*project, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "Jeg visste ikke helt hva det var")
    assert coded.exit_code == 0, coded.output
    with sqlite3.connect(small_project / ".qualcode" / "project.db") as database:
        default = database.execute("SELECT value FROM settings WHERE key = 'default_coder'").fetchone()[0]
        coder = database.execute("SELECT c.name FROM codings g JOIN coders c ON g.coder_id = c.id").fetchone()[0]
        names = [name for (name,) in database.execute("SELECT name FROM coders")]
    assert default == coder and "Mona" not in default and not any("Mona" in name for name in names)


def test_a_name_typed_as_a_role_is_pseudonymised_before_it_is_lower_cased(small_project: Path) -> None:
    """A role is stored in lower case; lowered first, "Sissel" no longer looked like the name the key holds."""
    project = ["--project", str(small_project)]
    edited = run(*project, "participants", "edit", "D1", "--role", "Sissel")
    assert edited.exit_code == 0, edited.output
    participants = {p["name"]: p for p in json.loads(run(*project, "participants", "list", "--json").output)}
    role = participants["D1"]["role"]
    assert role and role != "sissel" and role == role.lower() and "sissel" not in edited.output.lower()


def test_a_built_in_field_in_front_matter_is_refused_with_a_way_that_exists(session: Session, tmp_path: Path) -> None:
    """`attributes: {office: kontor B}` pointed at `transcripts edit --wave`, which does not set an office."""
    import click

    from qualcode.cli import cli

    for name, option in (("office", "participants edit NAME --office"), ("age_band", "participants edit NAME --age-band"),
                         ("wave", "transcripts edit TRANSCRIPT --wave"), ("interview_date", "transcripts edit TRANSCRIPT --date")):
        text = f"---\nparticipant: D1\nwave: T2\nattributes: {{{name}: x}}\n---\n{TEXT}D1: Om {name}.\n"
        with pytest.raises(InvalidInput) as refused:
            make_transcript(session, tmp_path, text, name=f"intervju_{name}")
        assert refused.value.message == f"{name} is a built-in field, not an attribute"
        hint = refused.value.hint or ""
        assert f"`qualcode {option}`" in hint, hint
        # The option named is one the command has.
        group_name, command_name, _, flag = option.split()
        context = click.Context(cli)
        group = cli.get_command(context, group_name)
        assert isinstance(group, click.Group)
        command = group.get_command(context, command_name)
        assert command is not None and flag in {opt for param in command.params for opt in param.opts}


def test_a_role_changed_for_a_participant_says_it_reaches_every_round(session: Session, coder: Coder, tmp_path: Path) -> None:
    """D1 interviewed in T1 and T2: a new role relabels both interviews' passages, and the edit says so."""
    make_transcript(session, tmp_path, TEXT, participant="D1", wave="T1", role="deltaker")
    make_transcript(session, tmp_path, TEXT.replace("jobb", "praksis"), name="intervju2", participant="D1", wave="T2")
    make_transcript(session, tmp_path, TEXT.replace("jobb", "kurs"), name="intervju3", participant="D1", wave="T2")
    edit = edit_participant(session, "D1", coder, role="veileder")
    assert [(c.field, c.before, c.after) for c in edit.changes] == [("role", "deltaker", "veileder")]
    (said,) = edit.notes
    assert said.startswith("D1's role is theirs in every round: the change reaches 3 transcripts (T1, T2)")
    # The way a value that differs by round is kept, now that a command sets it after import.
    assert said.endswith("a value that differs by round can be a transcript attribute instead:"
                         " `qualcode transcripts edit TRANSCRIPT --attribute role_in_round=VALUE` (or under `attributes:`"
                         " in a file's front matter or sidecar, read when it is first imported)"), said
    assert edit_participant(session, "D1", coder, gender="kvinne").notes == ()  # not a label that changes by round
    assert edit_participant(session, "D1", coder, role="veileder").notes == ()  # nothing changed


def test_cli_a_role_edit_says_on_stderr_that_it_reaches_every_round(small_project: Path) -> None:
    result = run("--project", str(small_project), "participants", "edit", "D1", "--role", "leder")
    assert result.exit_code == 0 and result.stdout == "edited participant D1:\n  role: deltaker -> leder\n", result.output
    assert result.stderr.startswith("D1's role is theirs in every round: the change reaches ")
    data = json.loads(run("--project", str(small_project), "participants", "edit", "D1", "--role", "deltaker", "--json").stdout)
    assert data["notes"][0].startswith("D1's role is theirs in every round")


def test_a_title_or_interviewer_naming_someone_nobody_has_decided_about_is_refused_as_import_would(small_project: Path) -> None:
    """An edit stored "Intervju med Gunnhild Vassbotten" as typed, where a file's front matter would be held back."""
    project = ["--project", str(small_project)]
    for field in ("--title", "--interviewer"):
        refused = run(*project, "transcripts", "edit", "deltaker_D1_T1", field, "Intervju med Gunnhild Vassbotten")
        assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
        assert f"the transcript's {field[2:]} names 'Gunnhild Vassbotten', a possible identifier nobody has decided about" in refused.stderr
        assert b"Vassbotten" not in (small_project / ".qualcode" / "project.db").read_bytes()
    # A place is to be added as a place, not as a person.
    place = run(*project, "transcripts", "edit", "deltaker_D1_T1", "--title", "Intervju på kontoret i Bergen, runde 2")
    assert place.exit_code == 1 and "--kind place" in place.stderr, place.output
    # Once decided, the name is stored as its pseudonym; a title without names is stored as typed.
    assert run(*project, "identifiers", "add", "Gunnhild Vassbotten", "--kind", "person", "--gender", "f").exit_code == 0
    assert run(*project, "transcripts", "edit", "deltaker_D1_T1", "--title", "Intervju med Gunnhild Vassbotten").exit_code == 0
    assert run(*project, "transcripts", "edit", "deltaker_D1_T1", "--interviewer", "Forsker 2").exit_code == 0
    assert b"Vassbotten" not in (small_project / ".qualcode" / "project.db").read_bytes()


def test_an_office_or_attribute_naming_someone_nobody_has_decided_about_is_refused_as_import_would(small_project: Path) -> None:
    """`participants edit D1 --attribute kontakt="Gunnhild Vassbotten"` stored the name as typed,
    where importing the participants' file holds it back for review."""
    project = ["--project", str(small_project)]
    for option, value, field in (
        ("--attribute", "kontaktperson=Gunnhild Vassbotten", "attribute kontaktperson"),
        ("--office", "Gunnhild Vassbotten sitt kontor", "office"),
    ):
        refused = run(*project, "participants", "edit", "D1", option, value)
        assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
        assert f"the participant's {field} names 'Gunnhild Vassbotten', a possible identifier nobody has decided about" in refused.stderr
        assert b"Vassbotten" not in (small_project / ".qualcode" / "project.db").read_bytes()
    # Values without names are stored as typed; once decided, the name is stored as its pseudonym.
    assert run(*project, "participants", "edit", "D1", "--attribute", "barn=ja", "--office", "Kontor A").exit_code == 0
    assert run(*project, "identifiers", "add", "Gunnhild Vassbotten", "--kind", "person", "--gender", "f").exit_code == 0
    stored = run(*project, "participants", "edit", "D1", "--attribute", "kontaktperson=Gunnhild Vassbotten")
    assert stored.exit_code == 0, stored.output
    assert b"Vassbotten" not in (small_project / ".qualcode" / "project.db").read_bytes()


def test_an_edit_naming_someone_waiting_for_review_says_which_field_names_them(small_project: Path) -> None:
    """Refused for a name already waiting, an edit said "the text names 'Gunnhild Vassbotten' … then write it again",
    though nothing was written but a field of a transcript or a participant; a new coder's name said so too."""
    project = ["--project", str(small_project)]
    assert run(*project, "memo", "add", "Gunnhild Vassbotten ringte").exit_code == 1  # refused, and waiting for review now
    for command, option, value, said in (
        ("transcripts", "--title", "Intervju med Gunnhild Vassbotten", "the transcript's title names 'Gunnhild Vassbotten'"),
        ("transcripts", "--interviewer", "Gunnhild", "the transcript's interviewer names 'Gunnhild', a word of 'Gunnhild Vassbotten'"),
        ("transcripts", "--attribute", "kontakt=Gunnhild Vassbotten", "the transcript's attribute kontakt names 'Gunnhild Vassbotten'"),
        ("participants", "--office", "Vassbottens kontor", "the participant's office names 'Vassbotten', a word of 'Gunnhild Vassbotten'"),
        ("participants", "--attribute", "kontaktperson=gunnhild vassbotten", "the participant's attribute kontaktperson names 'Gunnhild Vassbotten'"),
    ):
        ref = "deltaker_D1_T1" if command == "transcripts" else "D1"
        refused = run(*project, command, "edit", ref, option, value)
        assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
        assert refused.stderr.startswith(f"error: {said}, which waits for review as a possible identifier"), refused.stderr
        assert refused.stderr.rstrip().endswith("then edit again)"), refused.stderr
    assert b"Vassbotten" not in (small_project / ".qualcode" / "project.db").read_bytes()
    named = run(*project, "--coder", "Gunnhild", "memo", "add", "Samtalen gikk fint")  # a coder new to the project
    assert named.stderr.startswith("error: the coder's name names 'Gunnhild', a word of 'Gunnhild Vassbotten'"), named.output


def test_a_hint_lists_every_attribute_s_name(small_project: Path) -> None:
    """A probe's ninth attribute was hidden behind "…" in the hint of an unknown one."""
    project = ["--project", str(small_project)]
    for name in ("a1", "a2", "a3", "a4"):
        assert run(*project, "participants", "edit", "D1", "--attribute", f"{name}=x").exit_code == 0
    refused = run(*project, "export", "report", "--attribute", "bydel=A")
    assert refused.exit_code == 1 and "…" not in refused.output
    listed = refused.output.split("attributes: ")[1].rstrip(")\n").split(", ")
    assert listed[-4:] == ["a1", "a2", "a3", "a4"] and len(listed) > 8


def test_an_attribute_an_undone_edit_defined_is_taken_back_and_comes_back_with_its_type(small_project: Path) -> None:
    """`participants edit D1 --attribute nytt=…` then `undo` left `nytt` defined, with no values,
    and every hint and the matrix's choices listed it; a redo defines it again as it was, a date."""
    project = ["--project", str(small_project)]
    assert run(*project, "participants", "edit", "D1", "--attribute", "startdato=2024-01-02").exit_code == 0
    assert run(*project, "undo").exit_code == 0
    refused = run(*project, "export", "report", "--attribute", "bydel=A")
    assert refused.exit_code == 1 and "attributes: " in refused.output and "startdato" not in refused.output
    assert run(*project, "redo").exit_code == 0
    assert "startdato" in run(*project, "export", "report", "--attribute", "bydel=A").output
    wrong = run(*project, "participants", "edit", "D2", "--attribute", "startdato=snart")
    assert wrong.exit_code == 1 and "'snart' is not a date" in wrong.output, wrong.output


def test_an_attribute_whose_value_holds_a_comma_can_be_edited_in_the_form(small_project: Path) -> None:
    """`--attribute "utdanning=videregående, fagbrev"` is taken; the terminal UI's form then showed it
    comma-separated with the others, and refused every later edit as "'fagbrev' is not NAME=VALUE"."""
    from qualcode.config import Config
    from qualcode.tui.modals.participant_form import changed_values
    from qualcode.workspace import Workspace, attribute_items

    assert attribute_items("barn=ja, utdanning=videregående, fagbrev,bydel=øst") == [
        "barn=ja", "utdanning=videregående, fagbrev", "bydel=øst"]
    project = ["--project", str(small_project)]
    assert run(*project, "participants", "edit", "D1", "--attribute", "utdanning=videregående, fagbrev").exit_code == 0
    initial = {"role": "", "office": "", "gender": "", "age_band": "", "attributes": "utdanning=videregående, fagbrev"}
    typed = {**initial, "office": "kontor B", "attributes": "utdanning=videregående, fagbrev, bydel=øst"}
    changed = changed_values(initial, typed)
    with Workspace.open(Config.resolve(project=small_project, coder="Forsker 1", key=None)) as workspace:
        workspace.edit_participant("D1", changed)
        [person] = [p for p in workspace.participants() if p.name == "D1"]
    assert person.office == "kontor B" and {name: person.attributes[name] for name in ("utdanning", "bydel")} == {"utdanning": "videregående, fagbrev", "bydel": "øst"}


def test_a_value_holding_a_comma_and_an_equals_sign_is_kept_when_the_form_edits_another_attribute(small_project: Path) -> None:
    """"notat=ja, men tolk=arabisk" parts as two items in the form: saving the form with another attribute
    added cut notat to "ja" and made an attribute "men tolk", though neither was touched."""
    from qualcode.config import Config
    from qualcode.tui.modals.participant_form import changed_values
    from qualcode.tui.modals.transcript_form import current_values
    from qualcode.workspace import Workspace

    project = ["--project", str(small_project)]
    assert run(*project, "transcripts", "edit", "deltaker_D1_T1", "--attribute", "notat=ja, men tolk=arabisk",
               "--attribute", "opptak=lyd").exit_code == 0
    with Workspace.open(Config.resolve(project=small_project, coder="Forsker 1", key=None)) as workspace:
        [view] = [v for v in workspace.transcripts() if v.name == "deltaker_D1_T1"]
        initial = current_values(view)
        assert initial["attributes"] == "notat=ja, men tolk=arabisk, opptak=lyd"
        # opptak left out (removed), tolk_brukt added; notat as shown.
        workspace.edit_transcript("deltaker_D1_T1", changed_values(initial, {**initial, "attributes": "notat=ja, men tolk=arabisk, tolk_brukt=ja"}))
    assert _db_attributes(small_project) == [("deltaker_D1_T1", "notat", "ja, men tolk=arabisk"), ("deltaker_D1_T1", "tolk_brukt", "ja")]


def test_an_attribute_a_participant_is_given_that_their_transcript_has_too_is_said(session: Session, coder: Coder, tmp_path: Path) -> None:
    """An import refuses a transcript attribute its participant has; `participants edit` then made the
    same state without a word (the transcript's value counting only for the interviewer's words)."""
    make_transcript(session, tmp_path, "---\nparticipant: D1\nattributes:\n  barn: nei\n---\n" + TEXT)
    edit = edit_participant(session, "D1", coder, attributes={"barn": "ja", "bydel": "øst"})
    assert edit.notes == ("barn is an attribute of intervju too (nei): D1's counts over it there, in every table, filter and"
                          " search, the transcript's only for the interviewer's words",)


def test_an_attribute_named_for_someone_given_to_a_participant_whose_transcript_has_it_is_said(small_project: Path) -> None:
    """The note compared the names as typed ("Sissel") with the names as stored (the pseudonym's), so a
    participant given an attribute named for someone that their transcript has too was told nothing."""
    project = ["--project", str(small_project)]
    typed = run(*project, "transcripts", "edit", "deltaker_D1_T1", "--attribute", "Sissel=ja")
    assert typed.exit_code == 0, typed.output
    given = run(*project, "participants", "edit", "D1", "--attribute", "Sissel=nei")
    assert given.exit_code == 0, given.output
    assert "is an attribute of deltaker_D1_T1 too (ja): D1's counts over it there" in given.stderr, given.output
    assert "Sissel" not in given.output


def test_an_attribute_named_for_someone_whose_pseudonym_is_a_built_in_field_s_name_says_so(small_project: Path) -> None:
    """Sissel's pseudonym, drawn "Line …" one draw in a hundred, made `--attribute Sissel=ja` refused as "Line is a
    built-in field": a field the researcher never named, and a hint to set the line with an option."""
    key_path = small_project.parent / "key" / "p.qckey"
    key = key_file.load_key(key_path, "test passphrase")
    entry = key.entry_for("Sissel Bakken")
    assert entry is not None
    entry.pseudonym = "Line " + entry.pseudonym.split()[-1]
    key_file.save_key(key_path, key, "test passphrase")
    typed = run("--project", str(small_project), "transcripts", "edit", "deltaker_D1_T1", "--attribute", "Sissel=ja")
    assert typed.exit_code == 1
    assert typed.output.strip() == ("error: the attribute's name, pseudonymised, is line: a built-in field's name"
                                    " (hint: give the attribute a name that is not someone's)")
    assert _db_attributes(small_project) == []


def _sissel_drawn_line(project: Path) -> None:
    """Give Sissel Bakken the pseudonym "Line …" in `project`'s key: a draw of one in a hundred."""
    key_path = project.parent / "key" / "p.qckey"
    key = key_file.load_key(key_path, "test passphrase")
    entry = key.entry_for("Sissel Bakken")
    assert entry is not None
    entry.pseudonym = "Line " + entry.pseudonym.split()[-1]
    key_file.save_key(key_path, key, "test passphrase")


def test_a_participants_csv_column_named_for_someone_whose_pseudonym_is_a_built_in_field_s_name_says_so(
        small_project: Path, tmp_path: Path) -> None:
    """As `--attribute Sissel=ja` was (above): a column "Sissel" was refused as "column 'line' is a built-in field
    … rename or remove 'line'", a column the file does not have."""
    _sissel_drawn_line(small_project)
    table = tmp_path / "deltakere.csv"
    table.write_text("participant,role,Sissel\nD7,deltaker,ja\n", encoding="utf-8")
    refused = run("--project", str(small_project), "participants", "import", str(table))
    assert refused.exit_code == 1
    assert refused.output.strip() == ("error: deltakere.csv: a column's name, pseudonymised, is 'line': a built-in field's name"
                                      " (hint: give the column a name that is not someone's)")


def test_a_front_matter_attribute_named_for_someone_whose_pseudonym_is_a_built_in_field_s_name_says_so(
        small_project: Path, tmp_path: Path) -> None:
    """As `--attribute Sissel=ja` was (above): a file's `attributes: {Sissel: ja}` failed as "Line is a built-in field,
    not an attribute", a field the file does not name."""
    _sissel_drawn_line(small_project)
    path = tmp_path / "intervju_D7.md"
    path.write_text("---\nparticipant: D7\nattributes:\n  Sissel: ja\n---\nI: Hvordan var det?\nD7: Greit.\n", encoding="utf-8")
    refused = run("--project", str(small_project), "import", str(path))
    assert refused.exit_code == 1
    assert ("intervju_D7.md: the attribute's name, pseudonymised, is line: a built-in field's name"
            " (give the attribute a name that is not someone's)") in refused.output, refused.output
    assert _db_attributes(small_project) == []


def test_a_participants_csv_giving_an_attribute_their_transcript_has_says_so(session: Session, coder: Coder, tmp_path: Path) -> None:
    """The participants CSV gave V2 `sted` beside their transcript's `sted: by` without a word."""
    make_transcript(session, tmp_path, "---\nparticipant: D1\nattributes:\n  sted: by\n---\n" + TEXT)
    table = tmp_path / "deltakere.csv"
    table.write_text("participant,role,sted\nD1,deltaker,land\n", encoding="utf-8")
    result = import_participants(session, table, coder)
    assert result.notes == ("sted is an attribute of intervju too (by): D1's counts over it there, in every table, filter and"
                            " search, the transcript's only for the interviewer's words",)


def test_the_same_attribute_in_another_case_is_refused_in_one_edit(session: Session, coder: Coder, tmp_path: Path) -> None:
    """`--attribute Barn=ja --attribute barn=` removed barn: the names are one attribute, the later undid the earlier."""
    make_transcript(session, tmp_path, TEXT, participant="D1")
    edit_participant(session, "D1", coder, attributes={"barn": "nei"})
    with pytest.raises(InvalidInput, match="attribute Barn is given twice"):
        edit_participant(session, "D1", coder, attributes={"Barn": "ja", "barn": ""})
    [person] = describe_participants(session)
    assert person.attributes == {"barn": "nei"}


def test_an_import_s_wave_is_checked_once_and_spelled_as_edit_stores_it(small_project: Path, tmp_path: Path) -> None:
    """`import --wave t2` stored t2 beside the project's T2 (two columns in `analyse matrix --by wave`),
    and `--wave "runde 2"` was stored as typed, where `transcripts edit` refuses it; a look-alike digit
    (T١) made a round of its own that prints as T1 does."""
    project = ["--project", str(small_project)]
    folder = tmp_path / "nye"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.txt").write_text(f"I: Hvordan gikk det, {name}?\nD1: Det gikk fint.\n", encoding="utf-8")
    refused = run(*project, "import", str(folder), "--participant", "D1", "--wave", "runde 2")
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output  # once, not once a file
    assert "wave 'runde 2' is not a round such as T1 or T2" in refused.output
    assert run(*project, "import", str(folder), "--participant", "D1", "--wave", "t2").exit_code == 0
    waves = {row["name"]: row["wave"] for row in json.loads(run(*project, "transcripts", "list", "--json").output)}
    assert (waves["a"], waves["b"]) == ("T2", "T2")
    odd = run(*project, "transcripts", "edit", "a", "--wave", "T١")
    assert odd.exit_code == 1 and "wave 'T١' is not a round" in odd.output, odd.output
    assert run(*project, "transcripts", "edit", "a", "--wave", "T３").exit_code == 0
    waves = {row["name"]: row["wave"] for row in json.loads(run(*project, "transcripts", "list", "--json").output)}
    assert waves["a"] == "T3"


def test_an_edited_gender_or_office_in_another_case_is_stored_as_the_project_spells_it(session: Session, coder: Coder, tmp_path: Path) -> None:
    """`participants edit D2 --gender Kvinne` stored Kvinne beside D1's kvinne: two columns in `analyse matrix --by gender`."""
    make_transcript(session, tmp_path, TEXT, participant="D1")
    edit_participant(session, "D1", coder, gender="kvinne", office="kontor B")
    get_or_create_participant(session, "D2", "deltaker")
    edit = edit_participant(session, "D2", coder, gender="Kvinne", office="KONTOR b")
    assert {c.field: c.after for c in edit.changes} == {"gender": "kvinne", "office": "kontor B"}
    undo(session, coder)
    assert {p.name: (p.gender, p.office) for p in describe_participants(session)}["D2"] == (None, None)


def _attributes(session: Session, name: str) -> dict[str, str]:
    session.expire_all()
    transcript = session.scalars(select(Transcript).where(Transcript.name == name)).one()
    return {attribute.definition.name: attribute.value for attribute in transcript.attributes}


def test_a_transcript_attribute_is_set_after_import_logged_and_undone(session: Session, coder: Coder, tmp_path: Path) -> None:
    """D4 was a deltaker at T1 and an arbeidstaker at T3: `participants edit --role` advised a transcript
    attribute (role_in_round), but only a first import set one, and no command did after."""
    make_transcript(session, tmp_path, TEXT, participant="D1", wave="T1")
    make_transcript(session, tmp_path, TEXT.replace("jobb", "praksis"), name="intervju3", participant="D1", wave="T3")
    edit = edit_transcript(session, "intervju", coder, attributes={"Role_in_round": "deltaker"})
    assert [(c.field, c.before, c.after) for c in edit.changes] == [("role_in_round", None, "deltaker")]
    # Spelled as the project spells the value already (a matrix splits by it), found in any case.
    edit_transcript(session, "intervju3", coder, attributes={"role_in_round": "Deltaker"})
    assert _attributes(session, "intervju3") == {"role_in_round": "deltaker"}
    edit = edit_transcript(session, "intervju3", coder, attributes={"ROLE_IN_ROUND": "arbeidstaker"})
    assert [(c.field, c.before, c.after) for c in edit.changes] == [("role_in_round", "deltaker", "arbeidstaker")]
    assert history(session, limit=1)[0].summary == "edited transcript intervju3: role_in_round deltaker → arbeidstaker"
    [view] = [v for v in describe_transcripts(session) if v.name == "intervju3"]
    assert view.attributes == {"role_in_round": "arbeidstaker"}
    events = len(history(session))
    assert edit_transcript(session, "intervju3", coder, attributes={"role_in_round": "arbeidstaker"}).changes == ()
    assert len(history(session)) == events  # nothing changed, nothing logged

    undo(session, coder)
    assert _attributes(session, "intervju3") == {"role_in_round": "deltaker"}
    redo(session, coder)
    assert _attributes(session, "intervju3") == {"role_in_round": "arbeidstaker"}
    # An empty value removes it; undo puts it back, and of a definition no one holds after an undo nothing is left.
    assert [c.after for c in edit_transcript(session, "intervju3", coder, attributes={"role_in_round": ""}).changes] == [None]
    assert _attributes(session, "intervju3") == {}
    undo(session, coder)
    assert _attributes(session, "intervju3") == {"role_in_round": "arbeidstaker"}
    for _ in range(3):
        undo(session, coder)
    assert _attributes(session, "intervju") == _attributes(session, "intervju3") == {}
    assert session.scalars(select(AttributeDefinition).where(AttributeDefinition.applies_to == "transcript")).all() == []
    for _ in range(3):
        redo(session, coder)
    assert _attributes(session, "intervju") == {"role_in_round": "deltaker"}
    assert _attributes(session, "intervju3") == {"role_in_round": "arbeidstaker"}


def test_a_transcript_attribute_is_typed_as_its_definition(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, "---\nparticipant: D1\nattributes:\n  tolk: true\n  oppstart: 2024-01-02\n---\n" + TEXT)
    edit = edit_transcript(session, "intervju", coder, attributes={"tolk": "nei", "oppstart": "2024-03-04"})
    assert {c.field: c.after for c in edit.changes} == {"tolk": "false", "oppstart": "2024-03-04"}
    for attributes, message in (
        ({"tolk": "kanskje"}, "attribute tolk is yes/no, but got 'kanskje'"),
        ({"oppstart": "snart"}, "date 'snart' is not a date"),
    ):
        with pytest.raises(InvalidInput, match=message):
            edit_transcript(session, "intervju", coder, attributes=attributes)


@pytest.mark.parametrize("typed", ["３", "٣", "³", "--3", "3-"])
def test_a_number_attribute_takes_only_the_digits_0_to_9(session: Session, coder: Coder, tmp_path: Path, typed: str) -> None:
    """"３" (full width) and "٣" passed as numbers, and the project's .qdpx export was then refused as invalid
    (xs:integer); "--3" passed too."""
    from qualcode.exchange.project_export import build_qdpx

    make_transcript(session, tmp_path, "---\nparticipant: D1\nattributes:\n  antall: 3\n---\n" + TEXT)
    with pytest.raises(InvalidInput, match=f"attribute antall is a number, but got '{typed}'"):
        edit_transcript(session, "intervju", coder, attributes={"antall": typed})
    assert _attributes(session, "intervju") == {"antall": "3"}
    assert [c.after for c in edit_transcript(session, "intervju", coder, attributes={"antall": " -4 "}).changes] == ["-4"]
    build_qdpx(session, "prosjekt")  # valid: it raises where it is not


def _db_attributes(project: Path) -> list[tuple[str, str, str]]:
    """Every transcript attribute in the project's database, as (transcript, name, value)."""
    import sqlite3

    with sqlite3.connect(project / ".qualcode" / "project.db") as db:
        return sorted(db.execute(
            "SELECT t.name, d.name, a.value FROM transcript_attributes a JOIN transcripts t ON t.id = a.transcript_id"
            " JOIN attribute_definitions d ON d.id = a.definition_id"
        ).fetchall())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deltaker_D1_T", "--attribute", "role_in_round=deltaker"],
         "no transcript 'deltaker_D1_T' in this project (hint: did you mean 'deltaker_D1_T1'?"),
        (["deltaker_D1_T1", "--attribute", "role_in_round"], "--attribute 'role_in_round' is not NAME=VALUE"),
        (["deltaker_D1_T1", "--attribute", "=deltaker"], "--attribute '=deltaker' is not NAME=VALUE"),
        # A built-in field, with the way that sets it; a role that changes by round is named otherwise.
        (["deltaker_D1_T1", "--attribute", "wave=T3"], "wave is a built-in field, not an attribute (hint: set it with"
                                                       " `qualcode transcripts edit TRANSCRIPT --wave`"),
        (["deltaker_D1_T1", "--attribute", "Role=arbeidstaker"], "role is a built-in field, not an attribute (hint: a"
                                                                 " participant's role is theirs in every round"),
        # D1 has barn from the participants CSV: theirs would count over the transcript's, as import refuses.
        (["deltaker_D1_T1", "--attribute", "barn=nei"], "barn is a participant attribute too: D1's (ja) counts over the transcript's (nei)"),
        (["deltaker_D1_T1", "--attribute", "notat=linje\nto"], "the value of attribute notat 'linje\\nto' holds a line break"),
        (["deltaker_D1_T1", "--attribute", "to\nlinjer=x"], "the attribute name 'to\\nlinjer' holds a line break"),
        (["deltaker_D1_T1", "--attribute", "Tolk=ja", "--attribute", "tolk="], "attribute Tolk is given twice"),
    ],
)
def test_cli_bad_transcript_attributes_are_one_line_and_write_nothing(small_project: Path, args: list[str], message: str) -> None:
    """Given with a good value (a wave, another attribute), a refused attribute leaves both unwritten."""
    result = run("--project", str(small_project), "transcripts", "edit", *args, "--wave", "T3", "--attribute", "tolk_brukt=ja")
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert message in result.output, result.output
    [row] = json.loads(run("--project", str(small_project), "transcripts", "list", "--json").output)
    assert (row["wave"], row["attributes"]) == ("T1", {})
    assert _db_attributes(small_project) == []


def test_cli_a_transcript_attribute_set_after_import_splits_the_matrix_and_goes_into_exports(small_project: Path) -> None:
    """The field trial's case: D1 a deltaker at T1 and an arbeidstaker at T3, recorded once both are imported."""
    import zipfile
    from xml.etree import ElementTree

    project = ["--project", str(small_project)]
    assert run(*project, "import", str(SAMPLES / "deltaker_D1_T2.md")).exit_code == 0
    edited = run(*project, "transcripts", "edit", "deltaker_D1_T2", "--wave", "T3", "--attribute", "role_in_round=arbeidstaker")
    assert edited.exit_code == 0, edited.output
    assert edited.stdout == "edited transcript deltaker_D1_T2:\n  wave: T2 -> T3\n  role_in_round: - -> arbeidstaker\n"
    assert run(*project, "transcripts", "edit", "deltaker_D1_T1", "--attribute", "role_in_round=deltaker").exit_code == 0
    assert "edited transcript deltaker_D1_T1: role_in_round - → deltaker" in run(*project, "history").output
    listed = run(*project, "transcripts", "list")
    assert "role_in_round=arbeidstaker" in listed.output and "role_in_round=deltaker" in listed.output
    # Coded by words, not offsets: the pseudonyms drawn at import differ in length from run to run.
    for name, words in (("deltaker_D1_T1", "Jeg visste ikke helt hva det var."), ("deltaker_D1_T2", "Det er en ny start.")):
        coded = run(*project, "coding", "add", name, "empowerment", "--match", words)
        assert coded.exit_code == 0, coded.output

    def matrix_columns() -> list[str]:
        matrix = run(*project, "analyse", "matrix", "--by", "role_in_round", "--by", "wave", "--json")
        assert matrix.exit_code == 0, matrix.output
        return [column["key"] for column in json.loads(matrix.stdout)["columns"]]

    assert matrix_columns() == ["arbeidstaker / T3", "deltaker / T1", "Total"]
    table = small_project.parent / "sitater.csv"
    assert run(*project, "export", "quotes", "--format", "csv", "--output", str(table)).exit_code == 0
    import csv

    with table.open(encoding="utf-8-sig") as opened:
        assert sorted((row["transcript"], row["role_in_round"]) for row in csv.DictReader(opened)) == [
            ("deltaker_D1_T1", "deltaker"), ("deltaker_D1_T2", "arbeidstaker")]
    exchange = small_project.parent / "prosjekt.qdpx"
    assert run(*project, "export", "qdpx", str(exchange)).exit_code == 0
    with zipfile.ZipFile(exchange) as package:
        root = ElementTree.fromstring(package.read("project.qde"))
    variables = {element.get("guid"): element.get("name") for element in root.iter() if element.tag.endswith("}Variable")}
    values = {}
    for source in (element for element in root.iter() if element.tag.endswith("}TextSource")):
        for value in (element for element in source.iter() if element.tag.endswith("}VariableValue")):
            ref = next(child for child in value if child.tag.endswith("}VariableRef"))
            text = next((child.text for child in value if child.tag.endswith("}TextValue")), None)
            if variables.get(ref.get("targetGUID")) == "role_in_round":
                values[source.get("name")] = text
    assert values == {"deltaker_D1_T1": "deltaker", "deltaker_D1_T2": "arbeidstaker"}

    # Undone (the codings, then the second edit), the matrix splits by the value before.
    for _ in range(3):
        assert run(*project, "undo").exit_code == 0
    assert _db_attributes(small_project) == [("deltaker_D1_T2", "role_in_round", "arbeidstaker")]
    assert run(*project, "redo").exit_code == 0
    assert _db_attributes(small_project) == [("deltaker_D1_T1", "role_in_round", "deltaker"),
                                             ("deltaker_D1_T2", "role_in_round", "arbeidstaker")]


def test_a_reviewer_cannot_edit_a_transcript_s_attributes(small_project: Path) -> None:
    """As every other edit: a reviewer comments on drafts, they do not change the project."""
    from qualcode.store.project import Project

    with Project.open(small_project) as opened, opened.begin() as session:
        get_or_create_coder(session, "Leser A", "reviewer")
    refused = run("--project", str(small_project), "--coder", "Leser A", "transcripts", "edit", "deltaker_D1_T1",
                  "--attribute", "role_in_round=deltaker")
    assert refused.exit_code == 1 and "Leser A is a reviewer in this project" in refused.stderr, refused.output
    assert _db_attributes(small_project) == []


@pytest.mark.parametrize("command", [["participants", "edit", "D1"], ["transcripts", "edit", "deltaker_D1_T1"]])
def test_an_attribute_name_holding_a_comma_is_refused_as_typed(small_project: Path, command: list[str]) -> None:
    """`--attribute "a,b=x"` made an attribute "a,b": the form then showed it as "a,b=x" and refused every
    later save ("'a' is not NAME=VALUE"), and `analyse matrix --by a,b` read it as two attributes."""
    result = run("--project", str(small_project), *command, "--attribute", "Alder, gruppe=30-39")
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert ("error: the attribute name 'alder, gruppe' holds a comma or \"=\", which part attributes in a list"
            " (hint: name it without, as alder; gruppe)") in result.output, result.output
    assert _db_attributes(small_project) == []


def test_an_attribute_name_holding_an_equals_sign_is_refused_by_the_service_the_faces_share(
        session: Session, coder: Coder, tmp_path: Path) -> None:
    """The command line parts NAME=VALUE at the first "=", but the service took a name holding one."""
    make_transcript(session, tmp_path, TEXT, participant="D1")
    for attributes in ({"score=1": "3"}, {"a,b": "x"}):
        with pytest.raises(InvalidInput, match="holds a comma or \"=\""):
            edit_participant(session, "D1", coder, attributes=attributes)
        with pytest.raises(InvalidInput, match="holds a comma or \"=\""):
            edit_transcript(session, "intervju", coder, attributes=attributes)
    assert session.scalars(select(AttributeDefinition)).all() == []


def test_a_participants_csv_column_named_with_a_comma_is_stored_with_a_semicolon_and_said(small_project: Path, tmp_path: Path) -> None:
    """A header cell "Alder, gruppe" made an attribute the form could not save again and --by split in two;
    its values are kept under "alder; gruppe", and the import says so."""
    from qualcode.config import Config
    from qualcode.tui.modals.participant_form import changed_values
    from qualcode.workspace import Workspace

    table = tmp_path / "deltakere.csv"
    table.write_text('participant,"Alder, gruppe",score=1\nD1,30-39,4\n', encoding="utf-8")
    result = run("--project", str(small_project), "participants", "import", str(table))
    assert result.exit_code == 0, result.output
    assert ("deltakere.csv header: attribute 'alder, gruppe' is stored as 'alder; gruppe': a comma or \"=\" in an"
            " attribute's name is written as \";\", as lists of attributes and `analyse matrix --by` part names at them") \
        in result.stderr, result.output
    assert "'score=1' is stored as 'score;1'" in result.stderr, result.output
    with Workspace.open(Config.resolve(project=small_project, coder="Forsker 1", key=None)) as workspace:
        [person] = [p for p in workspace.participants() if p.name == "D1"]
        assert {name: person.attributes[name] for name in ("alder; gruppe", "score;1")} == {"alder; gruppe": "30-39", "score;1": "4"}
        shown = ", ".join(f"{name}={value}" for name, value in sorted(person.attributes.items()))
        initial = {"role": "", "office": "", "gender": "", "age_band": "", "attributes": shown}
        # The form shows it and saves another attribute beside it.
        workspace.edit_participant("D1", changed_values(initial, {**initial, "attributes": shown + ", bydel=øst"}))
        [person] = [p for p in workspace.participants() if p.name == "D1"]
    assert person.attributes["alder; gruppe"] == "30-39" and person.attributes["bydel"] == "øst"
    project = ["--project", str(small_project)]
    # By words, not offsets: the pseudonyms drawn at import differ in length from run to run.
    coded = run(*project, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "Jeg visste ikke helt hva det var.")
    assert coded.exit_code == 0, coded.output
    matrix = run(*project, "analyse", "matrix", "--by", "alder; gruppe", "--json")
    assert matrix.exit_code == 0, matrix.output
    assert "30-39" in [column["key"] for column in json.loads(matrix.stdout)["columns"]]


@pytest.mark.parametrize("typed", ["２０２４-０１-０２", "٢٠٢٤-٠١-٠٢"])
def test_a_date_takes_only_the_digits_0_to_9(session: Session, coder: Coder, tmp_path: Path, typed: str) -> None:
    """A date in full-width or Arabic-Indic digits made a new attribute a date one (\\d takes them), whose
    value was then refused as "not a date" with no word of the digits; it is text now, kept as written.
    A date attribute's value and an interview's date in them are refused, with the date in 0-9."""
    from qualcode.exchange.project_export import build_qdpx

    make_transcript(session, tmp_path, "---\nparticipant: D1\nattributes:\n  oppstart: 2024-03-04\n---\n" + TEXT)
    edit_participant(session, "D1", coder, attributes={"født": typed})
    [definition] = session.scalars(select(AttributeDefinition).where(AttributeDefinition.name == "født")).all()
    assert definition.value_type == "text"
    [person] = describe_participants(session)
    assert person.attributes == {"født": typed}
    for given in ({"attributes": {"oppstart": typed}}, {"date": typed}):
        with pytest.raises((InvalidInput, ImportFailed)) as refused:
            edit_transcript(session, "intervju", coder, **given)  # type: ignore[arg-type]
        assert refused.value.hint == "write it in the digits 0-9: 2024-01-02", refused.value
    assert _attributes(session, "intervju") == {"oppstart": "2024-03-04"}
    build_qdpx(session, "prosjekt")  # valid: it raises where it is not


def _cli(project: Path, *args: str) -> str:
    result = run("--project", str(project), "--coder", "Forsker 1", *args)
    assert result.exit_code == 0, (args, result.output)
    return result.output


def _group(project: Path) -> dict[str, object]:
    [row] = [row for row in json.loads(_cli(project, "transcripts", "list", "--json")) if row["name"] == "gruppeintervju_G1"]
    return dict(row)


def test_undo_of_an_attribute_edit_of_a_group_interview_takes_back_only_it_after_a_participant_withdrew(demo: Path) -> None:
    """Undo put back the edit's whole recorded state, D5 among G1's participants: after D5 withdrew it said
    "participant D5 no longer exists", passed over the attribute edit and undid an older, unrelated change."""
    _cli(demo, "participants", "edit", "D4", "--office", "kontor C")  # the older change, to be left alone
    _cli(demo, "transcripts", "edit", "gruppeintervju_G1", "--attribute", "role_in_round=arbeidstaker")
    _cli(demo, "participants", "withdraw", "D5", "--yes")
    undone = _cli(demo, "undo")
    assert "role_in_round" in undone and "no longer exists" not in undone, undone
    group = _group(demo)
    assert "role_in_round" not in group["attributes"] and group["participants"] == ["D4", "D6"]
    participants = {p["name"]: p for p in json.loads(_cli(demo, "participants", "list", "--json"))}
    assert participants["D4"]["office"] == "kontor C"  # the older change stands
    redone = _cli(demo, "redo")
    assert "role_in_round" in redone
    assert _group(demo)["attributes"]["role_in_round"] == "arbeidstaker" and _group(demo)["participants"] == ["D4", "D6"]


def test_redo_of_an_undone_edit_makes_again_only_it_after_a_participant_withdrew(demo: Path) -> None:
    """Redo put back the whole state after the edit, D5 among the participants: refused once D5 withdrew."""
    _cli(demo, "transcripts", "edit", "gruppeintervju_G1", "--date", "2024-04-11")
    _cli(demo, "undo")
    _cli(demo, "participants", "withdraw", "D5", "--yes")
    _cli(demo, "redo")
    group = _group(demo)
    assert (group["interview_date"], group["participants"]) == ("2024-04-11", ["D4", "D6"])


def test_undo_of_a_date_edit_leaves_a_field_a_later_change_set(demo: Path) -> None:
    """A later edit that became final (it took D5 off the interview, and D5 withdrew since) is passed over, with
    the reason: the participant it unlinked can no longer be put back. Undoing the earlier date-only edit put
    its whole state back, D5 with it, and was refused too; now it puts back the date, and the title the later
    edit set stays."""
    _cli(demo, "transcripts", "edit", "gruppeintervju_G1", "--date", "2024-04-11")
    _cli(demo, "transcripts", "edit", "gruppeintervju_G1", "--title", "Ny tittel", "--participant", "D4", "--participant", "D6")
    _cli(demo, "participants", "withdraw", "D5", "--yes")
    undone = _cli(demo, "undo")
    assert "date 2024-04-10 → 2024-04-11" in undone and "participant D5 no longer exists" in undone, undone
    group = _group(demo)
    assert (group["interview_date"], group["title"], group["participants"]) == ("2024-04-10", "Ny tittel", ["D4", "D6"])


def test_undo_of_an_edit_logged_by_older_code_takes_back_only_what_it_changed(demo: Path) -> None:
    """An edit logged before transcripts had attributes recorded no attributes and no types; it is read as
    before, and, like a new one, puts back only its date when a participant of the interview withdrew since."""
    _cli(demo, "transcripts", "edit", "gruppeintervju_G1", "--date", "2024-04-11")
    with Project.open(demo) as project, project.begin() as session:
        edit = session.scalars(select(Event).where(Event.action == "transcript.edit")).one()
        edit.payload = {state: {field: value for field, value in edit.payload[state].items() if field not in ("attributes", "types")}
                        for state in ("before", "after")}
    _cli(demo, "participants", "withdraw", "D5", "--yes")
    _cli(demo, "undo")
    group = _group(demo)
    assert (group["interview_date"], group["participants"]) == ("2024-04-10", ["D4", "D6"])


def test_undo_of_a_participant_edit_leaves_a_column_a_later_import_set(demo: Path, tmp_path: Path) -> None:
    """A participant list imported after an edit of D4's office (final: undo passes over it) set D4's age band;
    undoing the edit put the edit's whole state back, the age band before the import with it."""
    _cli(demo, "participants", "edit", "D4", "--office", "kontor C")
    csv = tmp_path / "deltakere.csv"
    csv.write_text("participant,role,gender,age_band,office\nD4,deltaker,kvinne,30-39,kontor C\n", encoding="utf-8")
    _cli(demo, "participants", "import", str(csv))
    _cli(demo, "undo")
    participants = {p["name"]: p for p in json.loads(_cli(demo, "participants", "list", "--json"))}
    assert (participants["D4"]["office"], participants["D4"]["age_band"]) == ("kontor B", "30-39")


def test_a_participants_csv_date_refused_is_said_with_its_line(session: Session, tmp_path: Path) -> None:
    """A new date attribute's value that is no day ("2024-13-45") was refused without the file's line,
    as the date check's own error passed the CSV's by; it is told with its line as a number is."""
    people = tmp_path / "deltakere.csv"
    people.write_text("participant,oppstart\nD1,2024-13-45\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="^deltakere.csv line 2: attribute oppstart: date '2024-13-45' is not a date"), \
            session.begin_nested():
        import_participants(session, people)
    assert session.scalars(select(AttributeDefinition)).all() == []


def test_an_ordinary_word_as_a_value_is_stored_and_a_name_is_still_held_back(small_project: Path) -> None:
    """`transcripts edit … --attribute rolle=Arbeidstaker` and `participants edit D1 --attribute status=Ufør` were
    refused as naming a possible identifier: a capitalised value's word on no list was taken for a name, as in running
    text, where a value is capitalised as a label is. An everyday word, or one the dictionaries know, is stored as
    typed; a listed name ("Kari", "Liv", though a word too), a place, or a word no dictionary knows is held back still."""
    project = ["--project", str(small_project)]
    for command in (["transcripts", "edit", "deltaker_D1_T1"], ["participants", "edit", "D1"]):
        for value in ("Arbeidstaker", "Ufør", "Sykepleier", "Hjemmeværende", "Ung ufør", "Arbeidstakers"):
            stored = run(*project, *command, "--attribute", f"rolle={value}")
            assert stored.exit_code == 0, (command, value, stored.output)
        for value in ("Kari", "Liv", "Tesfalem", "Haugstad", "Ung Kari", "Drammen"):
            refused = run(*project, *command, "--attribute", f"kontakt={value}")
            assert refused.exit_code == 1 and "a possible identifier nobody has decided about" in refused.stderr, (command, value, refused.output)
    transcripts = json.loads(run(*project, "transcripts", "list", "--json").output)
    assert transcripts[0]["attributes"]["rolle"] == "Arbeidstakers"
    assert b"Tesfalem" not in (small_project / ".qualcode" / "project.db").read_bytes()


def _named_values(project: Path, kind: str) -> list[tuple[str, str]]:
    """The values of the participants' (`kind` participant) or transcripts' attribute of age groups, as (name, value)."""
    import sqlite3

    with sqlite3.connect(project / ".qualcode" / "project.db") as db:
        return sorted(db.execute(f"SELECT d.name, a.value FROM {kind}_attributes a JOIN attribute_definitions d"
                                 " ON d.id = a.definition_id WHERE d.name LIKE 'alder%'").fetchall())


@pytest.mark.parametrize(("group", "kind", "owner"), [("participants", "participant", "D1"), ("transcripts", "transcript", "deltaker_D1_T1")])
def test_an_attribute_an_earlier_version_named_with_a_comma_is_renamed_logged_and_undone(
    small_project: Path, monkeypatch: pytest.MonkeyPatch, group: str, kind: str, owner: str,
) -> None:
    """A name an earlier version let hold a comma ("alder, gruppe") could not be mended: such a name is refused
    as typed now, and nothing renamed an attribute. `rename-attribute` names it anew, its values kept; undo and
    redo take that back and make it again, and a colleague's earlier edit naming it is undone by its new name."""
    project = ["--project", str(small_project)]
    with monkeypatch.context() as earlier:  # as versions before the check stored such a name
        for where in ("metadata", "metadata_edit"):
            earlier.setattr(f"qualcode.importers.{where}.check_attribute_name", lambda name, typed=None: None)
        made = run(*project, "--coder", "Forsker 2", group, "edit", owner, "--attribute", "Alder, gruppe=30-39")
        assert made.exit_code == 0, made.output
    assert _named_values(small_project, kind) == [("alder, gruppe", "30-39")]

    renamed = run(*project, group, "rename-attribute", "ALDER, gruppe", "Aldersgruppe")
    assert renamed.exit_code == 0, renamed.output
    assert renamed.output == f"renamed {kind} attribute 'alder, gruppe' to 'aldersgruppe' (1 value kept)\n"
    assert _named_values(small_project, kind) == [("aldersgruppe", "30-39")]
    for args, said in ((["aldersgruppe", "alder; gruppe=x"], "the attribute name 'alder; gruppe=x' holds a comma or \"=\""),
                       (["bydel", "område"], f"no {kind} attribute 'bydel'; the {kind}s' attributes are "),
                       (["aldersgruppe", "Aldersgruppe"], f"the {kind} attribute is named 'aldersgruppe' already")):
        refused = run(*project, group, "rename-attribute", *args)
        assert refused.exit_code == 1 and said in refused.output and refused.output.count("\n") == 1, refused.output
    assert _named_values(small_project, kind) == [("aldersgruppe", "30-39")]

    assert run(*project, "undo").exit_code == 0
    assert _named_values(small_project, kind) == [("alder, gruppe", "30-39")]
    assert run(*project, "redo").exit_code == 0
    assert _named_values(small_project, kind) == [("aldersgruppe", "30-39")]
    # The colleague's edit is found in the log by the attribute's new name: undone, it takes its value (and the attribute) back.
    undone = run(*project, "--coder", "Forsker 2", "undo")
    assert undone.exit_code == 0, undone.output
    assert _named_values(small_project, kind) == []
    gone = run(*project, "undo")
    assert gone.exit_code == 1 and "the attribute this change renamed is no longer there" in gone.output, gone.output


def test_a_name_joined_by_a_dash_or_slash_in_a_value_is_held_back_and_a_stray_hyphen_is_no_traceback(small_project: Path) -> None:
    """A probe: an ordinary value was told by its words split at "-" alone. "Kari–Hansen" (an en dash, as Word
    writes one) or "Kari/Hansen" was one word, which wordfreq reads as its parts and finds everyday (4.2), so the
    name was stored as typed, unreviewed; "Ufør -Delvis" or "-Ufør" gave an empty word, which the dictionary's
    lookup raised on: a traceback. Each word is judged, however the words are joined."""
    project = ["--project", str(small_project)]
    named = ("Kari–Hansen", "Kari—Hansen", "Kari/Hansen", "Ufør–Kari")
    for command in (["transcripts", "edit", "deltaker_D1_T1"], ["participants", "edit", "D1"]):
        for value in named:
            refused = run(*project, *command, "--attribute", f"kontakt={value}")
            assert refused.exit_code == 1 and "a possible identifier nobody has decided about" in refused.stderr, (command, value, refused.output)
        for value in ("Ufør -Delvis", "-Ufør", "Ufør–delvis", "Ufør/Arbeidstaker"):
            stored = run(*project, *command, "--attribute", f"status={value}")
            assert stored.exit_code == 0, (command, value, stored.output)
    # Looked for as typed: "Hansen" and "Kari" alone are on Faker's lists, from which Sissel's pseudonym is
    # drawn ("Heidi Hansen" failed the test, one draw in 101).
    stored = (small_project / ".qualcode" / "project.db").read_bytes()
    assert not any(value.encode() in stored for value in named)


def test_a_surname_that_is_also_a_word_is_held_back_as_a_value_where_it_names_someone(small_project: Path, tmp_path: Path) -> None:
    """Norway's surnames that are everyday words too ("Foss", 3,144 bearers; "Vold"; "Nord"; "Breivik") are on no
    list the detectors read, left off Statistics Norway's so that no sentence beginning "Vold" is proposed: typed as
    a value ("--attribute kontakt=Vold", "--interviewer Vold", a participants CSV's "kontaktperson" cell) each was
    stored as typed, unreviewed. In a field that names a person each is held back; elsewhere one more likely the
    surname than the category ("Foss", "Breivik") is, while "Nord" as a region and "Vold" as a theme are stored."""
    project = ["--project", str(small_project)]
    refused = "a possible identifier nobody has decided about"
    for command in (["transcripts", "edit", "deltaker_D1_T1"], ["participants", "edit", "D1"]):
        for attribute in ("kontakt=Vold", "kontaktperson=Nord", "veileders_navn=Foss", "kontakt=Breivik", "bydel=Foss", "rolle=Breivik"):
            held = run(*project, *command, "--attribute", attribute)
            assert held.exit_code == 1 and refused in held.stderr, (command, attribute, held.output)
        for attribute in ("region=Nord", "tema=Vold", "humør=Glad", "rolle=Arbeidstaker"):
            stored = run(*project, *command, "--attribute", attribute)
            assert stored.exit_code == 0, (command, attribute, stored.output)
    held = run(*project, "transcripts", "edit", "deltaker_D1_T1", "--interviewer", "Vold")
    assert held.exit_code == 1 and refused in held.stderr, held.output
    held = run(*project, "participants", "edit", "D1", "--office", "Foss")
    assert held.exit_code == 1 and refused in held.stderr, held.output
    assert run(*project, "participants", "edit", "D1", "--office", "Nord").exit_code == 0
    people = tmp_path / "deltakere.csv"
    people.write_text("participant,role,office,region,kontaktperson\nD1,deltaker,kontor A,Nord,Vold\n", encoding="utf-8")
    held = run(*project, "participants", "import", str(people))
    assert held.exit_code == 1 and "Vold" in run(*project, "anonymise", "pending").output, held.output
    people.write_text("participant,role,office,region\nD1,deltaker,Foss,Nord\n", encoding="utf-8")
    held = run(*project, "participants", "import", str(people))
    assert held.exit_code == 1 and "Foss" in run(*project, "anonymise", "pending").output, held.output
    database = (small_project / ".qualcode" / "project.db").read_bytes()
    assert b"Breivik" not in database and b"Foss" not in database


def test_offices_the_key_stores_as_one_placeholder_are_said_to_be_one(small_project: Path) -> None:
    """Found in a field trial: a participants CSV with offices "kontor Horten" and "kontor Tønsberg" (places the key
    knows) stored both as "kontor (sted)", unsaid, so every table had one office and every attribution read
    "Veileder, kontor (sted)"; moving D7 to the other office then said "nothing changed (the values were already so)"."""
    project = ["--project", str(small_project)]
    people = small_project.parent / "flere.csv"
    people.write_text("participant,role,office\nD7,deltaker,kontor Horten\nD8,deltaker,kontor Tønsberg\nD9,deltaker,kontor A\n",
                      encoding="utf-8")
    imported = run(*project, "participants", "import", str(people))
    assert imported.exit_code == 0, imported.output
    said = [line for line in imported.output.splitlines() if "flere.csv" in line]
    assert len(said) == 1 and "office values that differ (line 2, line 3) are all stored as 'kontor (sted)'" in said[0]
    assert "give them as no identifier" in said[0] and "Horten" not in imported.output and "Tønsberg" not in imported.output
    with Project.open(small_project) as opened, opened.begin() as session:
        offices = {p.name: p.office for p in session.scalars(select(Participant).where(Participant.name.in_(["D7", "D8", "D9"])))}
    assert offices == {"D7": "kontor (sted)", "D8": "kontor (sted)", "D9": "kontor A"}
    # A later CSV's office stored as theirs is one with theirs: it was said only within one CSV.
    later = small_project.parent / "enda.csv"
    later.write_text("participant,role,office\nD10,deltaker,kontor Tønsberg\nD11,deltaker,kontor B\n", encoding="utf-8")
    again = run(*project, "participants", "import", str(later))
    assert again.exit_code == 0, again.output
    said = [line for line in again.output.splitlines() if "enda.csv" in line]
    assert len(said) == 1 and "office of line 2 is stored as 'kontor (sted)' (the office of D7, D8 already is)" in said[0], said
    assert "Tønsberg" not in again.output

    moved = run(*project, "participants", "edit", "D7", "--office", "kontor Tønsberg")
    assert moved.exit_code == 0, moved.output
    assert "nothing changed" in moved.output  # as stored, it is the office D7 has
    assert "office of D7 is stored as 'kontor (sted)': the key replaces the name in it with (sted)" in moved.output
    assert "one office with that of D8, D10" in moved.output and "D9" not in moved.output.split("that of")[1]
    assert run(*project, "participants", "edit", "D9", "--office", "kontor B").output.count("stored as") == 0  # no identifier, nothing said


def test_the_terminal_uis_participant_save_says_a_value_is_stored_as_one_with_others(small_project: Path) -> None:
    """The participants form saves through Workspace.edit_participant, whose notification said only "nothing changed"
    where the office typed was stored as another participant's, "kontor (sted)"."""
    from qualcode.config import Config
    from qualcode.workspace import Workspace

    people = small_project.parent / "to.csv"
    people.write_text("participant,role,office\nD7,deltaker,kontor Horten\nD8,deltaker,kontor A\n", encoding="utf-8")
    assert run("--project", str(small_project), "participants", "import", str(people)).exit_code == 0
    with Workspace.open(Config.resolve(project=small_project, coder="Forsker 1")) as workspace:
        said = workspace.edit_participant("D8", {"office": "kontor Tønsberg"})
    assert said.startswith("office; office of D8 is stored as 'kontor (sted)'") and "one office with that of D7" in said, said


def test_a_surname_that_is_also_a_word_in_a_participants_free_cell_is_held_back_as_a_sentence_holds_it(
        small_project: Path, tmp_path: Path) -> None:
    """A free cell is read as if inside a sentence, where such a surname alone and capitalised is someone ("hos
    Lange", which was stored as typed); the cell that is the word alone is still the field's to decide ("Nord" a region)."""
    project = ["--project", str(small_project)]
    people = tmp_path / "deltakere.csv"
    people.write_text('participant,role,office,region\nD1,deltaker,"Kontor A, Nord",Nord\n', encoding="utf-8")
    assert run(*project, "participants", "import", str(people)).exit_code == 0
    people.write_text("participant,role,office,notat\nD1,deltaker,kontor A,Fikk time hos Lange\n", encoding="utf-8")
    held = run(*project, "participants", "import", str(people))
    assert held.exit_code == 1 and "Lange" in run(*project, "anonymise", "pending").output, held.output
    assert b"Lange" not in (small_project / ".qualcode" / "project.db").read_bytes()
