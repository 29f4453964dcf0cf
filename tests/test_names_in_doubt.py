"""Names the key replaces as someone it may not be (a word of a double-barrelled name alone, a surname seen where
the person was not named, a misspelling, a name put together from several people's): put to the researcher, who
says whether it is that person (dismiss) or someone of their own (accept), never decided silently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.anonymise.apply import add_identifier, pseudonymise
from qualcode.anonymise.key import Candidate, PseudonymKey
from qualcode.anonymise.service import accept_candidate, add_known_identifier, dismiss
from qualcode.errors import InvalidInput
from qualcode.importers.document import ParsedDocument, TurnSpan
from qualcode.importers.pseudonymise import PseudonymisedDocument, pseudonymise_document
from tests.test_cli import run

FRONT = "---\nparticipant: D9\nrole: deltaker\nwave: T1\n---\n"


def _pending(project: list[str]) -> list[str]:
    return [candidate["text"] for candidate in json.loads(run(*project, "anonymise", "pending", "--json").stdout)]


def _document(said: str, key: PseudonymKey, where: str = "fil.txt") -> PseudonymisedDocument:
    text = f"I: Hvem?\nD1: {said}\n"
    return pseudonymise_document(ParsedDocument(text, [TurnSpan("I", 3, 8), TurnSpan("D1", 13, len(text) - 1)], "txt"),
                                 {}, key, where, set())


def test_a_word_of_a_double_barrelled_name_alone_stays_for_the_researcher(demo: Path, tmp_path: Path) -> None:
    """A probe: accepting "Hansen-Berg" took "Berg" off the queue, and the teacher, the doctor and the neighbour
    were one pseudonym. "Berg" waits still, said to be replaced as Hansen-Berg's; accepted, it is someone else."""
    project = ["--project", str(demo)]
    new = tmp_path / "ny.txt"
    new.write_text(FRONT + "I: Hei.\nD9: Fru Hansen-Berg er kontaktlæreren. Lege Berg sa at det går bra. Vi var hos Berg, naboen.\n",
                   encoding="utf-8")
    assert run(*project, "import", str(new)).exit_code == 1
    assert {"Hansen-Berg", "Berg"} <= set(_pending(project))
    accepted = run(*project, "anonymise", "accept", "Hansen-Berg", "--kind", "person")
    assert accepted.exit_code == 0, accepted.output
    assert "Berg" in _pending(project)
    listed = run(*project, "anonymise", "pending").output
    assert "note: Berg is replaced as" in listed and "as 'Hansen-Berg' (a word of the name alone)" in listed, listed
    held = run(*project, "import", str(new))
    assert held.exit_code == 1 and "Berg is replaced as" in held.output, held.output
    assert run(*project, "anonymise", "accept", "Berg", "--kind", "person").exit_code == 0
    for other in _pending(project):
        if other != "Fru Hansen-Berg":
            assert run(*project, "anonymise", "dismiss", other).exit_code == 0
    imported = run(*project, "import", str(new))
    assert imported.exit_code == 0, imported.output
    shown = run(*project, "transcripts", "show", "ny").output
    teacher = shown.split("Fru ")[1].split(" er ")[0]
    doctor = shown.split("Lege ")[1].split(" sa ")[0]
    assert teacher != doctor and "Berg" not in shown, shown


def test_a_word_of_a_double_barrelled_name_dismissed_is_that_persons() -> None:
    key = PseudonymKey("prosjekt")
    key.pending.append(Candidate("Berg", ["a.txt: …Lege Berg sa…"]))
    teacher = add_known_identifier(key, "Hansen-Berg", "person")
    assert [candidate.text for candidate in key.pending] == ["Berg"]
    assert [proposal.text for proposal in _document("Lege Berg sa det.", key).proposals] == ["Berg"]
    assert dismiss(key, "Berg") is teacher  # said: it stays replaced as hers
    document = _document("Lege Berg sa det.", key)
    assert document.proposals == [] and f"Lege {teacher.pseudonym} sa" in document.document.text


def test_a_word_said_to_be_a_persons_is_asked_about_again_once_they_leave_the_key() -> None:
    """Kept as a dismissed word, "Berg" (said to be Hansen-Berg's) would have been stored as written, unasked,
    once "Hansen-Berg" was taken out of the key: it goes with her entry instead."""
    from qualcode.anonymise.remove import take_out

    key = PseudonymKey("prosjekt")
    key.pending.append(Candidate("Berg", ["a.txt: …Lege Berg sa…"]))
    teacher = add_known_identifier(key, "Hansen-Berg", "person")
    dismiss(key, "Berg")
    assert key.dismissed == [] and teacher.same_person == ["berg"]
    take_out(key, teacher)
    assert [proposal.text for proposal in _document("Lege Berg sa det.", key).proposals] == ["Berg"]


def test_a_surname_alone_stays_for_the_researcher_where_the_person_was_not_named() -> None:
    """Accepting "Liv Eng" made the farmer "hos Eng", in another interview, her pseudonym's surname unasked.
    Where the file that said "Eng" names her too, the surname is hers, as it always was."""
    from qualcode.anonymise.service import doubt_note

    key = PseudonymKey("prosjekt")
    key.pending += [Candidate("Liv Eng", ["b.txt: …Liv Eng er veilederen…"]), Candidate("Eng", ["b.txt: …Eng sa ja…"])]
    accept_candidate(key, "Liv Eng", "person", "f")
    assert key.pending == []

    key = PseudonymKey("prosjekt")
    key.pending += [Candidate("Liv Eng", ["b.txt: …Liv Eng er veilederen…"]),
                    Candidate("Eng", ["b.txt: …Eng sa ja…", "c.txt: …hos Eng på gården…"])]
    liv = accept_candidate(key, "Liv Eng", "person", "f")
    assert [candidate.text for candidate in key.pending] == ["Eng"]
    note = doubt_note(key, "Eng")
    assert note is not None and "as 'Liv Eng' (the surname alone)" in note and "dismiss it if it is Liv Eng" in note
    held = _document("Vi bodde hos Eng på gården.", key, "c.txt")
    assert [proposal.text for proposal in held.proposals] == ["Eng"] and "Eng" in held.doubts
    assert _document("Liv Eng kom, og Eng sa ja.", key, "b.txt").proposals == []  # named whole there: hers
    farmer = accept_candidate(key, "Eng", "person", "m")
    assert farmer.pseudonym != liv.pseudonym.split()[-1]
    assert pseudonymise("Vi bodde hos Eng.", key, "c.txt").text == f"Vi bodde hos {farmer.pseudonym}."


def test_a_name_with_a_particle_added_settles_its_words_waiting_as_any_name_does() -> None:
    """A probe: `identifiers add "Ahmad al-Khatib"` took "Ahmad" off the queue but left "al-Khatib", and `anonymise
    dismiss al-Khatib` then said "dismissed 1", though the key replaces it as his."""
    key = PseudonymKey("prosjekt")
    key.pending += [Candidate("Ahmad", ["b.txt: …Ahmad al-Khatib kom…"]), Candidate("al-Khatib", ["b.txt: …al-Khatib sa nei…"])]
    add_known_identifier(key, "Ahmad al-Khatib", "person", "m")
    assert key.pending == []


def test_no_written_form_of_a_name_the_key_holds_is_dismissed() -> None:
    key = PseudonymKey("prosjekt")
    ahmad = add_known_identifier(key, "Ahmad al-Khatib", "person", "m")
    for written in ("al-Khatib", "Al-Khatib", "al Khatib", "AL-KHATIB", "Khatib", "ahmad al khatib"):
        with pytest.raises(InvalidInput, match=f"{written!r} is in the key as a person \\('Ahmad al-Khatib'"):
            dismiss(key, written)
    assert key.dismissed == [] and key.entries == [ahmad]


def test_a_name_taken_out_that_the_key_holds_as_another_persons_is_left_undismissed() -> None:
    """Taken out of the key, a name is dismissed unless the key still replaces it: "Al Khatib", written as the
    surname of Ahmad al-Khatib is, stays his (and dismissing it is refused, so the removal did not end in an error)."""
    from qualcode.anonymise.remove import take_out

    key = PseudonymKey("prosjekt")
    add_known_identifier(key, "Ahmad al-Khatib", "person", "m")
    removal = take_out(key, add_known_identifier(key, "Al Khatib", "person", "m"))
    assert not removal.dismissed and removal.still_word_of == "Ahmad al-Khatib" and key.dismissed == []


def test_a_misspelt_or_put_together_name_is_replaced_and_proposed() -> None:
    """A probe: "Gunnvor" became Gunvor's pseudonym, "Anne-Grethe" Anne-Grete's, and "Per Olav Ødegård" a name made
    of three people's pseudonyms, each unasked. Each is replaced still (the safe side), and proposed whole."""
    key = PseudonymKey("prosjekt")
    gunvor = add_identifier(key, "Gunvor", "person", "f")
    for name in ("Per Hansen", "Olav Berg", "Kari Ødegård", "Anne-Grete Lie"):
        add_identifier(key, name, "person")
    document = _document("Gunnvor kom. Per Olav Ødegård kom. Anne-Grethe ringte.", key)
    assert [proposal.text for proposal in document.proposals] == ["Gunnvor", "Per Olav Ødegård", "Anne-Grethe"]
    assert not any(word in document.document.text for word in ("Gunnvor", "Olav", "Ødegård", "Grethe"))
    assert f"Gunnvor is replaced as {gunvor.pseudonym!r}, as 'Gunvor' (spelt alike)" in document.doubts["Gunnvor"]
    assert "its words those of 3 people in the key ('Per Hansen', 'Olav Berg', 'Kari Ødegård')" in document.doubts["Per Olav Ødegård"]
    assert "as 'Anne-Grete Lie'" in document.doubts["Anne-Grethe"]
    dismiss(key, "Gunnvor")  # she is Gunvor
    whole = add_known_identifier(key, "Per Olav Ødegård", "person", "m")
    add_known_identifier(key, "Anne-Grethe", "person", "f")
    document = _document("Gunnvor kom. Per Olav Ødegård kom. Anne-Grethe ringte.", key)
    assert document.proposals == []
    assert document.document.text.startswith(f"I: Hvem?\nD1: {gunvor.pseudonym} kom. {whole.pseudonym} kom.")


def test_the_review_queue_and_a_held_back_import_say_what_a_name_in_doubt_is_replaced_as(demo: Path, tmp_path: Path) -> None:
    project = ["--project", str(demo)]
    assert run(*project, "identifiers", "add", "Gunvor", "--kind", "person", "--gender", "f").exit_code == 0
    new = tmp_path / "ny.txt"
    new.write_text(FRONT + "I: Hei.\nD9: Gunnvor hjalp meg med søknaden.\n", encoding="utf-8")
    held = run(*project, "import", str(new))
    assert held.exit_code == 1 and "as 'Gunvor' (spelt alike): accept it as a person of its own if it is someone else" in held.output
    assert "note: Gunnvor is replaced as" in run(*project, "anonymise", "pending").output
    dismissed = run(*project, "anonymise", "dismiss", "Gunnvor")
    assert dismissed.exit_code == 0 and "'Gunnvor' stays replaced as a name of 'Gunvor'" in dismissed.output
    assert run(*project, "import", str(new)).exit_code == 0


def test_a_given_name_seen_only_in_another_interview_stays_for_the_researcher() -> None:
    """"Ola" proposed in one interview was decided by accepting "Ola Nordby" from another: the caseworker Ola of
    the first became Ola Nordby's pseudonym's given name unasked. Seen beside the name, it is his, as before."""
    from qualcode.anonymise.service import doubt_note

    key = PseudonymKey("prosjekt")
    key.pending += [Candidate("Ola Nordby", ["b.txt: …Ola Nordby, han har vært…"]), Candidate("Ola", ["a.txt: …veileder Ola sa…"])]
    accept_candidate(key, "Ola Nordby", "person", "m")
    assert [candidate.text for candidate in key.pending] == ["Ola"]
    note = doubt_note(key, "Ola")
    assert note is not None and "as 'Ola Nordby' (the given name alone)" in note
    assert [proposal.text for proposal in _document("Det var veileder Ola som sa det.", key, "a.txt").proposals] == ["Ola"]
    assert _document("Ola Nordby kom. Ola sa ja.", key, "b.txt").proposals == []


def _gunnvor_held_back(demo: Path, tmp_path: Path) -> list[str]:
    """The demo with Gunvor in the key and a file naming "Gunnvor" held back for her: the project's options."""
    project = ["--project", str(demo)]
    assert run(*project, "identifiers", "add", "Gunvor", "--kind", "person", "--gender", "f").exit_code == 0
    new = tmp_path / "ny.txt"
    new.write_text(FRONT + "I: Hei.\nD9: Gunnvor hjalp meg med søknaden. Torleif Hagebakken også.\n", encoding="utf-8")
    assert run(*project, "import", str(new)).exit_code == 1
    return project


def test_the_queue_as_json_says_what_a_name_in_doubt_is_replaced_as(demo: Path, tmp_path: Path) -> None:
    """`anonymise pending` said it on the terminal; `--json`, which a script reads, left it out."""
    project = _gunnvor_held_back(demo, tmp_path)
    listed = run(*project, "anonymise", "pending", "--json")
    assert listed.exit_code == 0
    waiting = {candidate["text"]: candidate for candidate in json.loads(listed.stdout)}
    assert waiting["Gunnvor"]["note"].startswith("Gunnvor is replaced as ")
    assert "as 'Gunvor' (spelt alike): accept it as a person of its own if it is someone else" in waiting["Gunnvor"]["note"]
    assert [context.split(": …")[0] for context in waiting["Gunnvor"]["contexts"]] == ["ny.txt"]
    assert waiting["Torleif Hagebakken"]["note"] is None  # in no doubt: simply nobody's yet
    terminal = run(*project, "anonymise", "pending").output
    assert f"    note: {waiting['Gunnvor']['note']}" in terminal  # one wording for both


async def test_the_review_screen_says_what_a_name_in_doubt_is_replaced_as(demo: Path, tmp_path: Path) -> None:
    """The terminal UI's review listed "Gunnvor" with where it was seen, and not that the key replaces her as
    Gunvor, nor what f or d would then mean."""
    from textual.widgets import DataTable, Static

    from qualcode.tui.screens.review import ReviewScreen
    from tests.conftest import open_tui, screen_text, settle
    from tests.test_tui import until

    _gunnvor_held_back(demo, tmp_path)
    app = open_tui(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, pauses=2)
        await pilot.press("a")
        await until(app, pilot, lambda: isinstance(app.screen, ReviewScreen), "the review")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        table = review.query_one(DataTable)
        table.move_cursor(row=[candidate.text for candidate in review.pending].index("Torleif Hagebakken"))
        await settle(pilot, pauses=2)
        assert "replaced as" not in " ".join(screen_text(app).split())
        table.move_cursor(row=[candidate.text for candidate in review.pending].index("Gunnvor"))
        await settle(pilot, pauses=2)
        shown = " ".join(screen_text(app).split())
        assert "Gunnvor is replaced as" in shown and "as 'Gunvor' (spelt alike)" in shown, shown
        assert "dismiss it if it is Gunvor" in str(review.query_one("#candidate-contexts", Static).render())


def test_a_memo_naming_a_name_in_doubt_waits_for_the_researcher_as_a_transcript_does(demo: Path) -> None:
    """A probe: with Gunvor in the key, the memo "Gunnvor ringte om møtet" was stored as her pseudonym's, unasked,
    where a transcript saying "Gunnvor" is held back until the researcher says whether she is Gunvor."""
    project = ["--project", str(demo)]
    gunvor = run(*project, "identifiers", "add", "Gunvor", "--kind", "person", "--gender", "f")
    assert gunvor.exit_code == 0
    refused = run(*project, "memo", "add", "Gunnvor ringte om møtet.")
    assert refused.exit_code == 1 and "'Gunnvor'" in refused.output, refused.output
    assert "as 'Gunvor' (spelt alike)" in refused.output, refused.output
    assert "Gunnvor" in _pending(project)
    assert "Gunnvor ringte" not in run(*project, "memo", "list").output
    assert run(*project, "anonymise", "dismiss", "Gunnvor").exit_code == 0  # she is Gunvor
    assert run(*project, "memo", "add", "Gunnvor ringte om møtet.").exit_code == 0
    listed = run(*project, "memo", "list", "--json").stdout
    pseudonym = next(entry["pseudonym"] for entry in json.loads(run(*project, "key", "show", "--json").stdout)
                     if entry["original"] == "Gunvor")
    assert f"{pseudonym} ringte om møtet." in listed and "Gunnvor" not in listed


def test_front_matter_naming_a_name_in_doubt_holds_the_file_back_as_its_text_does(demo: Path, tmp_path: Path) -> None:
    """A probe: with Hansen-Berg in the key, "interviewer: Berg" was imported as her pseudonym's surname, unasked,
    where "Berg" in the transcript's text held the file back; "title: Oppfølging med Gunnvor" held it back, but
    without saying that the key replaces her as Gunvor."""
    project = ["--project", str(demo)]
    for name in ("Gunvor", "Hansen-Berg"):
        assert run(*project, "identifiers", "add", name, "--kind", "person", "--gender", "f").exit_code == 0
    new = tmp_path / "ny.txt"
    new.write_text("---\nparticipant: D9\nrole: deltaker\nwave: T1\ntitle: Oppfølging med Gunnvor\ninterviewer: Berg\n---\n"
                   "I: Hei.\nD9: Hei.\n", encoding="utf-8")
    held = run(*project, "import", str(new))
    assert held.exit_code == 1 and "as 'Gunvor' (spelt alike)" in held.output, held.output
    assert "as 'Hansen-Berg' (a word of the name alone)" in held.output, held.output
    waiting = {candidate["text"]: candidate for candidate in json.loads(run(*project, "anonymise", "pending", "--json").stdout)}
    assert waiting["Gunnvor"]["contexts"] == ["ny.txt: …title: Oppfølging med Gunnvor…"]
    assert waiting["Berg"]["contexts"] == ["ny.txt: …interviewer: Berg…"]
    assert "as 'Hansen-Berg' (a word of the name alone)" in waiting["Berg"]["note"]
    assert run(*project, "anonymise", "accept", "Gunnvor", "--kind", "person", "--gender", "f").exit_code == 0  # someone else
    assert run(*project, "anonymise", "dismiss", "Berg").exit_code == 0  # the interviewer is Hansen-Berg
    imported = run(*project, "import", str(new))
    assert imported.exit_code == 0, imported.output
    key = {entry["original"]: entry["pseudonym"] for entry in json.loads(run(*project, "key", "show", "--json").stdout)}
    listed = run(*project, "transcripts", "list", "--json").stdout
    assert f"Oppfølging med {key['Gunnvor']}" in listed and "Gunnvor" not in listed and "Berg" not in listed, listed


def test_a_name_in_doubt_dismissed_as_the_persons_holds_no_file_back_again_for_its_front_matter(demo: Path, tmp_path: Path) -> None:
    """A probe: "title: Oppfølging med Gunnvor" held the file back; `anonymise dismiss Gunnvor` said she stays
    replaced as Gunvor; importing again held the file back for "Gunnvor" once more, and so for ever, as the
    front matter's names were checked against dismissed words and not against those said to be someone's."""
    project = ["--project", str(demo)]
    assert run(*project, "identifiers", "add", "Gunvor", "--kind", "person", "--gender", "f").exit_code == 0
    new = tmp_path / "ny.txt"
    new.write_text("---\nparticipant: D9\nrole: deltaker\nwave: T1\ntitle: Oppfølging med Gunnvor\n---\nI: Hei.\nD9: Hei.\n",
                   encoding="utf-8")
    assert run(*project, "import", str(new)).exit_code == 1
    dismissed = run(*project, "anonymise", "dismiss", "Gunnvor")
    assert dismissed.exit_code == 0 and "'Gunnvor' stays replaced as a name of 'Gunvor'" in dismissed.output
    imported = run(*project, "import", str(new))
    assert imported.exit_code == 0, imported.output
    assert "Gunnvor" not in _pending(project)
    gunvor = next(entry["pseudonym"] for entry in json.loads(run(*project, "key", "show", "--json").stdout)
                  if entry["original"] == "Gunvor")
    assert f"Oppfølging med {gunvor}" in run(*project, "transcripts", "list", "--json").stdout


async def test_a_name_in_doubt_dismissed_in_the_review_screen_is_said_to_stay_the_persons(demo: Path, tmp_path: Path) -> None:
    """A probe: d on "Gunnvor" in the UI's review said "Gunnvor: not an identifier", where the key keeps her as
    Gunvor, replaced by Gunvor's pseudonym, as `anonymise dismiss` says."""
    from textual.widgets import DataTable, Static

    from qualcode.tui.screens.review import ReviewScreen
    from tests.conftest import open_tui, settle
    from tests.test_tui import until

    project = _gunnvor_held_back(demo, tmp_path)
    app = open_tui(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, pauses=2)
        await pilot.press("a")
        await until(app, pilot, lambda: isinstance(app.screen, ReviewScreen), "the review")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        review.query_one(DataTable).move_cursor(row=[candidate.text for candidate in review.pending].index("Gunnvor"))
        await settle(pilot, pauses=2)
        await pilot.press("d")
        await until(app, pilot, lambda: not review.deciding, "kept")
        status = str(review.query_one("#status", Static).render())
        assert "'Gunnvor' stays replaced as a name of 'Gunvor'" in status and "not an identifier" not in status, status
        await pilot.press("escape")
        await until(app, pilot, lambda: not isinstance(app.screen, ReviewScreen), "left the review")
    assert "Gunnvor" not in _pending(project)
