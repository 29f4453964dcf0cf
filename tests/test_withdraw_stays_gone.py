"""A withdrawn participant stays gone: a corrected file holding their words, or their name added to the key
by hand, does not bring them back."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import select

from qualcode.anonymise.key import Candidate, load_key, save_key
from qualcode.cli import cli
from qualcode.store.models import Transcript
from qualcode.store.project import Project

PASSPHRASE_ENV = "QUALCODE_KEY_PASSPHRASE"
HER_LINE = "Det var tungt i starten, men veilederen min hjalp meg med å finne en plass som passet."
HIS_LINE = "For meg gikk det greit, jeg hadde allerede en avtale med arbeidsgiveren fra før."
GROUP = (f"I: Hvordan var det å komme tilbake etter kurset?\nD2: {HER_LINE}\nD3: {HIS_LINE}\nD2: Ja.\n"
         "I: Takk for praten.\n")


def run(project: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--project", str(project), "--coder", "Forsker 1", *args], catch_exceptions=False)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def names(project: Path) -> set[str]:
    with Project.open(project) as opened, opened.begin() as session:
        return set(session.scalars(select(Transcript.name)))


def _withdrawn_from_a_group(demo: Path, tmp_path: Path) -> None:
    group = tmp_path / "gruppe.md"
    group.write_text(f"---\nparticipants: [D2, D3]\n---\n{GROUP}", encoding="utf-8")
    ok(run(demo, "import", str(group)))
    ok(run(demo, "participants", "withdraw", "D2", "--yes"))


def _corrected(tmp_path: Path, her_words: str = HER_LINE, name: str = "gruppe_rettet.md") -> Path:
    """The group interview again, D2 taken out of its participants, her lines left under "NN", set out anew."""
    path = tmp_path / name
    path.write_text(f"---\nparticipants: [D3]\n---\nI: Hvordan var det å komme tilbake etter kurset?\n"
                    f"NN: {her_words}\nD3: {HIS_LINE}\nNN: Ja.\nI: Takk for praten.\n", encoding="utf-8")
    return path


def test_a_corrected_group_interview_holding_a_withdrawn_participants_words_is_refused(demo: Path, tmp_path: Path) -> None:
    """Her lines under another label came in as a new transcript, or as the renamed transcript's new text."""
    _withdrawn_from_a_group(demo, tmp_path)
    before = names(demo)
    # In another case, spacing and punctuation, and beside a sentence of others': found all the same.
    moved = _corrected(tmp_path, "Greit. " + HER_LINE.upper().replace(",", "").replace(" ", "  "))
    refused = run(demo, "import", str(moved))
    assert refused.exit_code != 0
    assert "gruppe_rettet.md holds words of a participant who withdrew consent (line 2 of its text); nothing imported" \
        in refused.output, refused.output
    assert "take their words out of the file" in refused.output
    replaced = run(demo, "import", str(_corrected(tmp_path, name="gruppe_ny.md")), "--replace", "--name", "gruppe")
    assert replaced.exit_code != 0 and "holds words of a participant who withdrew consent" in replaced.output, replaced.output
    assert names(demo) == before
    with Project.open(demo) as project, project.begin() as session:
        group = session.scalars(select(Transcript).where(Transcript.name == "gruppe")).one()
        assert group.current_version is not None and HER_LINE not in group.current_version.text
    # Her words taken out, her "Ja." and the others' words left: the file comes in.
    ok(run(demo, "import", str(_corrected(tmp_path, "[trukket tilbake]", name="gruppe_uten.md")), "--replace", "--name",
           "gruppe"))


def test_words_someone_else_said_too_and_short_turns_are_not_refused(demo: Path, tmp_path: Path) -> None:
    """D3's line stays his to import again; "Ja." and a sentence under eight words are anyone's."""
    _withdrawn_from_a_group(demo, tmp_path)
    path = tmp_path / "annen.md"
    path.write_text(f"---\nparticipants: [D3]\n---\nI: Hvordan gikk det?\nD3: {HIS_LINE}\nD3: Ja. Det var tungt i starten.\n",
                    encoding="utf-8")
    ok(run(demo, "import", str(path)))


def test_a_restore_from_before_the_withdrawal_keeps_their_words_out(demo: Path, tmp_path: Path) -> None:
    """The restore withdraws her again, and the record it keeps still refuses her words."""
    group = tmp_path / "gruppe.md"
    group.write_text(f"---\nparticipants: [D2, D3]\n---\n{GROUP}", encoding="utf-8")
    ok(run(demo, "import", str(group)))
    ok(run(demo, "backup"))
    [backup] = (demo / ".qualcode" / "backups").glob("*manual*.bak")
    before = tmp_path / "før.bak"
    shutil.copyfile(backup, before)
    ok(run(demo, "participants", "withdraw", "D2", "--yes"))
    ok(run(demo, "backup", "restore", str(before), "--before-withdrawal"))
    refused = run(demo, "import", str(_corrected(tmp_path)))
    assert refused.exit_code != 0 and "holds words of a participant who withdrew consent" in refused.output, refused.output


def _withdrawn_with_her_name(demo: Path) -> None:
    ok(run(demo, "participants", "withdraw", "D1", "--identifier", "Sissel Bakken", "--yes"))


def test_a_withdrawn_participants_name_cannot_be_added_to_the_key_again(demo: Path) -> None:
    _withdrawn_with_her_name(demo)
    for typed in ("Sissel Bakken", "sissel  bakken", "Bakken"):
        refused = run(demo, "identifiers", "add", typed, "--kind", "person")
        assert refused.exit_code == 1
        assert f"{' '.join(typed.split())!r} is an identifier of a participant who withdrew consent" in refused.output, refused.output
        assert "D1" not in refused.output
    shown = json.loads(ok(run(demo, "key", "show", "--json")).output)
    assert not any("bakken" in entry["original"].casefold() for entry in shown)
    ok(run(demo, "identifiers", "add", "Sissel Bakkevik", "--kind", "person"))  # another name is another's


def test_a_withdrawn_participants_name_waiting_for_review_cannot_be_accepted(demo: Path) -> None:
    _withdrawn_with_her_name(demo)
    path = Path(os.environ["QUALCODE_KEY"])
    passphrase = os.environ[PASSPHRASE_ENV]
    key = load_key(path, passphrase)
    key.pending.append(Candidate("Sissel Bakken", ["deltaker_D9.md: …Sissel Bakken sa…"]))
    save_key(path, key, passphrase)
    refused = run(demo, "anonymise", "accept", "Sissel Bakken", "--kind", "person")
    assert refused.exit_code == 1 and "'Sissel Bakken' is an identifier of a participant who withdrew consent" in refused.output, \
        refused.output
    assert load_key(path, passphrase).entry_for("Sissel Bakken") is None


def test_a_participant_who_withdrew_is_said_to_have_where_they_are_named(demo: Path) -> None:
    """`participants edit D1` after D1 withdrew said "no participant 'D1'", which sent the researcher
    looking for a mistyped id; so did a search or a summary naming them. Nothing is changed."""
    ok(run(demo, "participants", "withdraw", "D1", "--yes"))
    before = ok(run(demo, "participants", "list")).output
    for command in (["participants", "edit", "d1", "--office", "kontor C"], ["search", "mestring", "--participant", "D1"],
                    ["framework", "set", "D1", "empowerment", "Hun fikk mer tro på seg selv"]):
        refused = run(demo, *command)
        assert refused.exit_code == 1 and "D1 withdrew consent: nothing of theirs is left in the project" in refused.output, \
            (command, refused.output)
    assert ok(run(demo, "participants", "list")).output == before
    refused = run(demo, "participants", "edit", "D9", "--office", "kontor C")  # never in the project: as before
    assert refused.exit_code == 1 and "no participant 'D9'" in refused.output, refused.output
