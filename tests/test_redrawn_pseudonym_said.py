"""A pseudonym drawn anew because a name learned is, or is like, a word of it ("Andreas Andresen" once the key learns
"Andrea") is said, old to new and why, a line each: the stored texts are rewritten, and the command said only how
many places, while the researcher's memos, notes and reports outside the project went on calling the person by the
old one. No original the command was not given is said."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import Result

from tests.test_cli import run

FRONT = "---\nparticipant: D1\nrole: deltaker\nwave: T1\n---\n"
SAID = re.compile(r"redrew the pseudonym 'Andreas Andresen' as '([^']+)': its 'Andreas' is, or is like, (.+?); the project's"
                  r" texts say '\1' now, your own notes and reports outside the project still say 'Andreas Andresen'\n")


def _project_with_andreas(tmp_path: Path) -> list[str]:
    """A fresh project where Kåre Lid is 'Andreas Andresen' in a stored transcript and a memo."""
    root = tmp_path / "prosjekt"
    assert run("init", str(root), "--empty").exit_code == 0
    project = ["--project", str(root)]
    added = run(*project, "identifiers", "add", "Kåre Lid", "--kind", "person", "--gender", "m", "--pseudonym", "Andreas Andresen")
    assert added.exit_code == 0, added.output
    lid = tmp_path / "leder.txt"
    lid.write_text("I: Hvem leder teamet?\nD1: Det er Kåre Lid.\n", encoding="utf-8")
    assert run(*project, "import", str(lid)).exit_code == 0
    assert run(*project, "memo", "add", "Andreas Andresen leder teamet").exit_code == 0
    return project


def _redrawn(said: Result, project: list[str]) -> str:
    """The new pseudonym the one line says, checked against the stored text; the original was not said."""
    assert said.exit_code == 0, said.output
    lines = SAID.findall(said.output)
    assert len(lines) == 1, said.output
    new = lines[0][0]
    assert f"Det er {new}." in run(*project, "transcripts", "show", "leder").output
    assert "Kåre" not in said.output and " Lid" not in said.output
    return lines[0][1]


def test_identifiers_add_says_which_pseudonym_it_redrew_and_why(tmp_path: Path) -> None:
    project = _project_with_andreas(tmp_path)
    why = _redrawn(run(*project, "identifiers", "add", "Andrea", "--kind", "person", "--gender", "f"), project)
    assert why == "'Andrea', which the key just learned"


def test_anonymise_accept_says_which_pseudonym_it_redrew(tmp_path: Path) -> None:
    project = _project_with_andreas(tmp_path)
    later = tmp_path / "senere.txt"
    later.write_text(FRONT + "I: Hvem andre?\nD1: Jeg heter Andrea og jobber her.\n", encoding="utf-8")
    assert run(*project, "import", str(later)).exit_code == 1  # held back for Andrea
    why = _redrawn(run(*project, "anonymise", "accept", "Andrea", "--kind", "person", "--gender", "f"), project)
    assert why == "'Andrea', which the key just learned"


def test_identifiers_import_says_which_pseudonym_it_redrew_naming_no_original_of_the_file(tmp_path: Path) -> None:
    project = _project_with_andreas(tmp_path)
    names = tmp_path / "navn.csv"
    names.write_text("identifier,kind,gender\nAndrea,person,f\n", encoding="utf-8")
    said = run(*project, "identifiers", "import", str(names))
    assert _redrawn(said, project) == "a real name in the key"
    assert "Andrea'" not in said.output.replace("'Andreas Andresen'", "")


async def test_the_terminal_ui_s_review_says_which_pseudonym_it_redrew(tmp_path: Path) -> None:
    """Accepted in the terminal UI's review, "Andrea" redraws "Andreas Andresen" as on the command line: the notice on
    leaving the review says it, old to new and why."""
    from tests.conftest import open_tui
    from tests.test_tui import SIZE, until
    from tests.test_tui_review_not_a_name import open_review

    project = _project_with_andreas(tmp_path)
    later = tmp_path / "senere.txt"
    later.write_text(FRONT + "I: Hvem andre?\nD1: Jeg heter Andrea og jobber her.\n", encoding="utf-8")
    assert run(*project, "import", str(later)).exit_code == 1  # held back for Andrea
    app = open_tui(Path(project[1]))
    async with app.run_test(size=SIZE) as pilot:
        review = await open_review(app, pilot)
        assert [candidate.text for candidate in review.pending] == ["Andrea"]
        await pilot.press("f")
        await until(app, pilot, lambda: not review.deciding and not review.pending, "accepted")
        await pilot.press("escape")
        notices = lambda: [str(note.message) for note in app._notifications]  # noqa: E731
        await until(app, pilot, lambda: any("redrew the pseudonym" in notice for notice in notices()), "said")
    [said] = [notice for notice in notices() if "redrew the pseudonym" in notice]
    lines = SAID.findall(said.split("; ", 1)[1] + "\n")
    assert len(lines) == 1 and lines[0][1] == "'Andrea', which the key just learned", said
    assert f"Det er {lines[0][0]}." in run(*project, "transcripts", "show", "leder").output
    assert "Kåre" not in said and " Lid" not in said
