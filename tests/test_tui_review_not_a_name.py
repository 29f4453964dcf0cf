"""The identifier review's `w`: a word only spelt like a name the key holds ("Nails" beside Nils) dismissed as no name
at all, as `qualcode anonymise dismiss --not-a-name` does, so it stays as written. The review had `d` only, which keeps
such a word as Nils's, replaced as his name: saying it names no one took the command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from qualcode.cli import cli
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.screens.review import ReviewScreen
from tests.conftest import open_tui, screen_text, settle, widget_text
from tests.test_tui import SIZE, until

FRONT = "---\nparticipant: D9\nrole: deltaker\nwave: T1\n---\n"


def invoke(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--project", str(root), "--coder", "Forsker 1", *args])


def nails_held_back(root: Path, tmp_path: Path) -> Path:
    """A file held back for "Nils Berge", "Nails" and "Beauty"; Nils Berge accepted since, so "Nails" waits as
    spelt like his name, and "Beauty" as it was. The file."""
    salong = tmp_path / "salong.txt"
    salong.write_text(FRONT + "I: Hvor jobber du?\nD9: Jeg heter Nils Berge og jobber på Nails & Beauty.\n", encoding="utf-8")
    assert invoke(root, "import", str(salong)).exit_code == 1
    accepted = invoke(root, "anonymise", "accept", "Nils Berge", "--kind", "person", "--gender", "m")
    assert accepted.exit_code == 0, accepted.output
    return salong


async def open_review(app: QualcodeApp, pilot: Pilot[None]) -> ReviewScreen:
    await settle(pilot, pauses=2)
    await pilot.press("a")
    await until(app, pilot, lambda: isinstance(app.screen, ReviewScreen), "the review")
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


def status(review: ReviewScreen) -> str:
    return str(review.query_one("#status", Static).render())


async def test_w_keeps_a_word_spelt_like_a_name_as_written_now_and_in_later_imports(sample_project: Path, tmp_path: Path) -> None:
    salong = nails_held_back(sample_project, tmp_path)
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        overview = app.screen
        review = await open_review(app, pilot)
        assert [candidate.text for candidate in review.pending] == ["Nails", "Beauty"]
        # Beside the note that it is replaced as Nils's, the key that says it is no name.
        assert "w: if it is no name at all, kept as written" in screen_text(app)
        await pilot.press("w")
        await until(app, pilot, lambda: not review.deciding, "kept")
        assert status(review) == "Nails: no name, kept as written"
        assert [candidate.text for candidate in review.pending] == ["Beauty"]
        assert "w: if it is no name" not in screen_text(app)  # Beauty is spelt like nobody's name
        await pilot.press("d", "escape")
        await until(app, pilot, lambda: app.screen is overview, "left the review")
    key = app.workspace.read_key()
    nils = key.entry_for("Nils Berge")
    assert nils is not None and nils.same_person == []
    assert {"Nails", "Beauty"} <= set(key.dismissed) and key.pending == []

    imported = invoke(sample_project, "import", str(salong))
    assert imported.exit_code == 0, imported.output
    shown = invoke(sample_project, "transcripts", "show", "salong").output
    assert "jobber på Nails & Beauty" in shown and "Nils" not in shown, shown
    later = tmp_path / "senere.txt"
    later.write_text(FRONT + "I: Og nå?\nD9: Nails har stengt. Nils Berge sa opp.\n", encoding="utf-8")
    imported = invoke(sample_project, "import", str(later))
    assert imported.exit_code == 0, imported.output
    shown = invoke(sample_project, "transcripts", "show", "senere").output
    assert "Nails har stengt" in shown and "Nils" not in shown and nils.pseudonym in shown, shown


async def test_w_on_a_word_the_key_replaces_as_written_is_refused_and_changes_nothing(sample_project: Path, tmp_path: Path) -> None:
    """"Berg" alone is replaced as Hansen-Berg's wherever it stands: `w` is refused with the service's one line, in the
    review's keys, and Berg waits still, neither dismissed nor said to be anyone's."""
    new = tmp_path / "ny.txt"
    new.write_text(FRONT + "I: Hei.\nD9: Fru Hansen-Berg er kontaktlæreren. Lege Berg sa at det går bra.\n", encoding="utf-8")
    assert invoke(sample_project, "import", str(new)).exit_code == 1
    assert invoke(sample_project, "anonymise", "accept", "Hansen-Berg", "--kind", "person").exit_code == 0
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        review = await open_review(app, pilot)
        before = app.workspace.read_key().to_json()
        waiting = [candidate.text for candidate in review.pending]
        assert "Berg" in waiting
        table = review.query_one(DataTable)
        table.move_cursor(row=waiting.index("Berg"))
        await settle(pilot, pauses=2)
        assert "w: if it is no name" not in screen_text(app)
        await pilot.press("w")
        await until(app, pilot, lambda: not review.deciding, "refused")
        said = status(review)
        assert said.startswith("error: 'Berg' holds 'Berg', a name of 'Hansen-Berg'") and "nothing dismissed" in said, said
        assert "(d if it is theirs, or f, m or p if it is a person of its own)" in said and "--not-a-name" not in said
        assert "\n" not in said
        assert [candidate.text for candidate in review.pending] == waiting  # listed again, where it was
        assert app.workspace.read_key().to_json() == before
    key = app.workspace.read_key()
    assert "Berg" in [candidate.text for candidate in key.pending] and "Berg" not in key.dismissed
    hansen_berg = key.entry_for("Hansen-Berg")
    assert hansen_berg is not None and hansen_berg.same_person == []


async def test_the_footer_and_the_help_show_w(sample_project: Path, tmp_path: Path) -> None:
    nails_held_back(sample_project, tmp_path)
    app = open_tui(sample_project)
    async with app.run_test(size=(80, 24)) as pilot:
        review = await open_review(app, pilot)
        footer = screen_text(app).split("\n")[-1]
        assert "d Dismiss" in footer and "w No name" in footer and "esc Done" in footer, footer
        await pilot.press("question_mark")
        await until(app, pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        shown = " ".join(widget_text(app, app.screen.query_one(DataTable)).split())
        assert "w No name at all (dismiss for the project)" in shown and "(Nails, beside Nils) stays as written" in shown, shown
        await pilot.press("escape")
        await until(app, pilot, lambda: app.screen is review, "back in the review")
        # `d` instead: Nails is Nils's, and off the list; the way to say otherwise now is the command line's.
        await pilot.press("d")
        await until(app, pilot, lambda: not review.deciding, "kept")
        said = status(review)
        assert said.startswith("'Nails' stays replaced as a name of 'Nils Berge'"), said
        assert said.endswith("; if it is no name at all: qualcode anonymise dismiss --not-a-name Nails"), said


async def test_w_on_words_holding_a_name_replaced_as_written_says_what_the_review_may_do_instead(
    sample_project: Path, tmp_path: Path,
) -> None:
    """"Haugen Bilpleie" holds "Haugen", the key's as written: `w` is refused, and the review's keys it names are the
    ones for words (dismissed, the name in it stays replaced; or an identifier of its own, a firm's), not a person's."""
    new = tmp_path / "verksted.txt"
    new.write_text(FRONT + "I: Hvor jobber du?\nD9: Jeg jobber på Haugen Bilpleie. Sjefen heter Kari Haugen.\n", encoding="utf-8")
    assert invoke(sample_project, "import", str(new)).exit_code == 1
    assert invoke(sample_project, "anonymise", "accept", "Kari Haugen", "--kind", "person", "--gender", "f").exit_code == 0
    app = open_tui(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        review = await open_review(app, pilot)
        waiting = [candidate.text for candidate in review.pending]
        assert "Haugen Bilpleie" in waiting, waiting
        review.query_one(DataTable).move_cursor(row=waiting.index("Haugen Bilpleie"))
        await settle(pilot, pauses=2)
        await pilot.press("w")
        await until(app, pilot, lambda: not review.deciding, "refused")
        said = status(review)
        assert said.startswith("error: 'Haugen Bilpleie' holds 'Haugen'") and "nothing dismissed" in said, said
        assert said.endswith("(d to dismiss it, the name in it replaced still, or accept it as an identifier of its own"
                             " (p, l, n, e, s or o))"), said
        assert "person of its own" not in said and "\n" not in said
        assert [candidate.text for candidate in review.pending] == waiting
