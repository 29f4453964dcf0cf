"""The interviewer's speaker labels as transcribers write them beyond the bare role word: numbered or
lettered when two researchers interview ("Intervjuer 2:", "Forsker 1:", "Forsker A:"), and in nynorsk
("Intervjuar:", "Forskar A:"). Each is the interviewer's, never the participant's, and no name to review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualcode.cli import cli
from qualcode.text.speakers import is_interviewer


def run(project: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--project", str(project), "--coder", "Forsker 1", *args], catch_exceptions=False)


@pytest.mark.parametrize("label", ["Intervjuer 2", "Forsker 1", "Forsker A", "INT 2", "Intervjuar", "intervjuar",
                                   "Forskar", "Forskar A", "Forskar 12", "Medforskar 1"])
def test_a_numbered_lettered_or_nynorsk_interviewer_label_is_the_interviewers(label: str) -> None:
    assert is_interviewer(label)


@pytest.mark.parametrize("label", ["Deltaker 2", "Deltakar", "Rettleiar 1", "Kari", "Forsker Kari", "Forskar Ola Berg",
                                   "D1", "I2", "Forskarane"])
def test_a_participants_label_or_a_name_is_not_the_interviewers(label: str) -> None:
    assert not is_interviewer(label)


@pytest.mark.parametrize(("first", "second"), [("Intervjuer 2", "Hvor bor du?"), ("Forskar A", "Kvar bur du?"),
                                               ("Intervjuar", "Kvar bur du?")])
def test_the_questions_under_such_a_label_are_the_interviewers_not_the_participants(
    demo: Path, tmp_path: Path, first: str, second: str
) -> None:
    """A field trial: "Intervjuer 2:" and "Forskar A:" turns were stored as D1's own words (counted,
    quoted and withdrawn as hers), and "Intervjuar" and "Forskar A" held the file back as possible names."""
    path = tmp_path / "nynorsk_D1_T3.txt"
    path.write_text(f"---\nparticipant: D1\nwave: T3\n---\n{first}: {second}\nD1: Eg bur i byen no.\n"
                    f"{first}: Og kva gjer du?\nD1: Ikkje så mykje, eg ventar på svar.\n", encoding="utf-8")
    result = run(tmp_path / "demo", "import", str(path))
    assert result.exit_code == 0, result.output
    shown = json.loads(run(tmp_path / "demo", "transcripts", "show", "nynorsk_D1_T3", "--json").output)["turns"]
    assert [(turn["speaker"], turn["participant"], turn["interviewer"]) for turn in shown] == [
        (first, None, True), ("D1", "D1", False), (first, None, True), ("D1", "D1", False)]


def test_naming_a_label_the_interviewer_takes_its_turns_off_the_participant_and_undo_gives_them_back(
    demo: Path, tmp_path: Path
) -> None:
    """A transcript imported before "Intervjuer 2:" was the interviewer's, or with a label no rule knows
    ("Q:"), had the questions as D1's own words; `transcripts edit --interviewer LABEL` set the field
    and left every turn D1's, with nothing else to mend it by (the same file imports as already present)."""
    path = tmp_path / "qa_D1_T3.txt"
    path.write_text("---\nparticipant: D1\nwave: T3\n---\nQ: Hvor bor du?\nD1: Jeg bor i byen nå.\n"
                    "Q: Og hva gjør du?\nD1: Ikke så mye, jeg venter på svar.\n", encoding="utf-8")
    assert run(tmp_path / "demo", "import", str(path)).exit_code == 0

    def whose() -> list[tuple[str, str | None, bool]]:
        shown = json.loads(run(tmp_path / "demo", "transcripts", "show", "qa_D1_T3", "--json").output)["turns"]
        return [(turn["speaker"], turn["participant"], turn["interviewer"]) for turn in shown]

    before = whose()
    assert before[0] == ("Q", "D1", False)
    edited = run(tmp_path / "demo", "transcripts", "edit", "qa_D1_T3", "--interviewer", "Q")
    assert edited.exit_code == 0, edited.output
    assert "2 turns of Q are the interviewer's now, no longer D1's" in edited.output
    assert whose() == [("Q", None, True), ("D1", "D1", False), ("Q", None, True), ("D1", "D1", False)]
    assert run(tmp_path / "demo", "undo").exit_code == 0
    assert whose() == before
    assert run(tmp_path / "demo", "redo").exit_code == 0
    assert whose()[0] == ("Q", None, True)


def test_one_turn_named_the_interviewers_is_said_in_the_singular(demo: Path, tmp_path: Path) -> None:
    """The README's `transcripts edit NAME --interviewer LABEL` on a label with one turn said
    "1 turn of Q are the interviewer's now"; an import of one turn said "1 turns"."""
    path = tmp_path / "qa_D1_T4.txt"
    path.write_text("---\nparticipant: D1\nwave: T4\n---\n[00:00:02] Q: Hvor bor du?\n[00:00:05] D1: Byen.\n", encoding="utf-8")
    imported = run(tmp_path / "demo", "import", str(path))
    assert imported.exit_code == 0 and "imported qa_D1_T4 (D1): 12 words, 2 turns, speakers D1, Q" in imported.output, imported.output
    edited = run(tmp_path / "demo", "transcripts", "edit", "qa_D1_T4", "--interviewer", "Q")
    assert edited.exit_code == 0 and "1 turn of Q is the interviewer's now, no longer D1's" in edited.output, edited.output
    one = tmp_path / "ett_D1_T5.txt"
    one.write_text("---\nparticipant: D1\nwave: T5\n---\nD1: Ja.\n", encoding="utf-8")
    assert "imported ett_D1_T5 (D1): 2 words, 1 turn, speakers D1" in run(tmp_path / "demo", "import", str(one)).output
