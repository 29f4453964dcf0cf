"""Coding by offsets and by quote, memos, and undo/redo that survive a restart."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import dismiss
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.history import ChangedByOthers, history, redo, undo
from qualcode.coding.memos import add_memo, list_memos, remove_memo
from qualcode.coding.service import (
    add_coding,
    list_codings,
    recode_coding,
    remove_coding,
    resize_coding,
    set_coding_memo,
)
from qualcode.errors import Ambiguous, InvalidInput, NeedsReview, NotFound, NothingToUndo
from qualcode.importers.service import ImportOptions, import_file
from qualcode.store.models import Coder, Coding, Event, TextVersion
from qualcode.store.project import Project
from qualcode.text.normalise import normalise
from tests.conftest import INTERVIEW, make_transcript


def test_code_by_offsets_with_norwegian_letters_and_emoji(session: Session, coder: Coder, tmp_path: Path) -> None:
    text = "I: Og så?\nD1: 😀 Æ e stolt av mæ sjøl nå, ærlig talt.\n"
    make_transcript(session, tmp_path, text, name="emoji")
    start = text.index("Æ e stolt")
    end = start + len("Æ e stolt av mæ sjøl")
    view = add_coding(session, "emoji", "empowerment/selvbilde og selvtillit", coder, start=start, end=end)
    assert view.excerpt == "Æ e stolt av mæ sjøl"
    assert (view.line, view.speaker) == (2, "D1")
    coding = session.get(Coding, view.id)
    assert coding is not None
    version = session.get(TextVersion, coding.text_version_id)
    assert version is not None and version.text[coding.start:coding.end] == coding.excerpt
    assert coding.text_hash == version.content_hash


def test_code_by_quote_across_line_breaks_and_spaces(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, "I: Hva?\nD1: Jeg ble ikke\nspurt om noe.\n", name="q")
    view = add_coding(session, "q", "tvang og krav", coder, match="ikke   spurt om")
    assert view.excerpt == "ikke\nspurt om"


def test_quote_errors_name_the_problem(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, INTERVIEW)
    with pytest.raises(NotFound, match="does not occur"):
        add_coding(session, "intervju", "empowerment", coder, match="dette står ikke der")
    with pytest.raises(Ambiguous, match="occurs 2 times: line 1.*line 4"):
        add_coding(session, "intervju", "empowerment", coder, match="I:")
    with pytest.raises(InvalidInput, match="either --match or --start"):
        add_coding(session, "intervju", "empowerment", coder, match="selvtillit", start=0, end=3)


OUTSIDE = "is outside the text \\(0-218\\) or empty"


@pytest.mark.parametrize(
    ("start", "end", "says"),
    [(-1, 3, OUTSIDE), (5, 5, OUTSIDE), (7, 3, OUTSIDE), (0, 10_000, OUTSIDE), (2, 3, "holds only whitespace")],
)
def test_bad_offsets_are_refused(session: Session, coder: Coder, tmp_path: Path, start: int, end: int, says: str) -> None:
    make_transcript(session, tmp_path, INTERVIEW)
    with pytest.raises(InvalidInput, match=f"^span {start}-{end} {says}"):
        add_coding(session, "intervju", "empowerment", coder, start=start, end=end)


def test_offsets_read_in_a_text_no_longer_current_are_refused(session: Session, coder: Coder, tmp_path: Path) -> None:
    """The terminal UI codes offsets read in the text version it shows; once another is current, they are refused."""
    make_transcript(session, tmp_path, INTERVIEW)
    shown = session.scalars(select(TextVersion.id)).one()
    with pytest.raises(InvalidInput, match="^the text of intervju has changed since it was shown .*; nothing was coded"):
        add_coding(session, "intervju", "empowerment", coder, start=3, end=8, text_version=shown + 1)
    assert add_coding(session, "intervju", "empowerment", coder, start=3, end=8, text_version=shown).excerpt == INTERVIEW[3:8]


LABEL = INTERVIEW.index("D1: Veilederen")  # the second turn's label; its text starts 4 further on
FIRST_TURN_END = INTERVIEW.index("?") + 1


@pytest.mark.parametrize(("start", "end", "says"), [
    (LABEL, LABEL + 20, f'{LABEL}-{LABEL + 20} starts inside the speaker label "D1: "; the turn\'s text starts at {LABEL + 4}'),
    (LABEL + 3, LABEL + 20, f'starts inside the speaker label "D1: "; the turn\'s text starts at {LABEL + 4}'),
    (FIRST_TURN_END, LABEL + 20, f"starts between turns; the turn's text starts at {LABEL + 4}"),
    (3, LABEL + 2, f'3-{LABEL + 2} ends inside the speaker label "D1: "; the turn before it ends at {FIRST_TURN_END}'),
    (3, LABEL + 4, 'ends inside the speaker label "D1: "'),
    (0, 8, 'starts inside the speaker label "I: "; the turn\'s text starts at 3'),
])
def test_a_span_starting_or_ending_on_a_speaker_label_is_refused(
    project: Project, tmp_path: Path, start: int, end: int, says: str,
) -> None:
    """Such a passage belongs to no one (a passage is the participant's of the turn it starts in) and its
    quote carries the label; coding add and resize refuse it, naming where the turn's text starts."""
    with project.begin() as session:
        make_transcript(session, tmp_path, INTERVIEW)
        coder = get_or_create_coder(session, "Forsker 1")
        made = add_coding(session, "intervju", "empowerment", coder, match="Veilederen foreslo det.")
        # A passage from a turn's text, across the next label into the next turn, is fine.
        across = add_coding(session, "intervju", "helse", coder, start=3, end=LABEL + 14)
        assert (across.speaker, across.excerpt) == ("I", INTERVIEW[3:LABEL + 14])
    with pytest.raises(InvalidInput, match=re.escape(says)), project.begin() as session:
        add_coding(session, "intervju", "empowerment", get_or_create_coder(session, "Forsker 1"), start=start, end=end)
    with pytest.raises(InvalidInput, match=re.escape(says)), project.begin() as session:
        resize_coding(session, made.id, start, end, get_or_create_coder(session, "Forsker 1"))
    with project.begin() as session:
        assert sorted((v.start, v.end) for v in list_codings(session)) == [(3, LABEL + 14), (made.start, made.end)]


def test_a_span_on_the_blank_between_paragraphs_is_refused_and_text_before_the_first_turn_is_not(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    notes = "Referat fra samtalen.\n\nHun sier at kurset hjalp.\n\nHun vil jobbe."
    make_transcript(session, tmp_path, notes, name="referat")
    second = notes.index("Hun vil")
    with pytest.raises(InvalidInput, match=f"starts between turns; the turn's text starts at {second}"):
        add_coding(session, "referat", "empowerment", coder, start=second - 1, end=second + 7)
    header = "Gruppeintervju, kontor B.\nI: Hva tenker dere?\nD4: At de spør oss."
    make_transcript(session, tmp_path, header, name="gruppe")
    assert add_coding(session, "gruppe", "empowerment", coder, start=0, end=14).excerpt == "Gruppeintervju"


def test_same_coding_twice_is_refused(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, INTERVIEW)
    add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
    with pytest.raises(InvalidInput, match="already coded"):
        add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")


def test_resize_or_recode_onto_an_existing_coding_is_refused(project: Project, tmp_path: Path) -> None:
    with project.begin() as session:
        make_transcript(session, tmp_path, INTERVIEW)
        coder = get_or_create_coder(session, "Forsker 1")
        first = add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
        wider = add_coding(session, "intervju", "empowerment", coder, match="fikk mer selvtillit")
        other_code = add_coding(session, "intervju", "helse", coder, match="mer selvtillit")
    with pytest.raises(InvalidInput, match=f"already coded empowerment by Forsker 1 \\(coding {first.id}\\)"), project.begin() as session:
        resize_coding(session, wider.id, first.start, first.end, get_or_create_coder(session, "Forsker 1"))
    with pytest.raises(InvalidInput, match=f"already coded empowerment by Forsker 1 \\(coding {first.id}\\)"), project.begin() as session:
        recode_coding(session, other_code.id, "empowerment", get_or_create_coder(session, "Forsker 1"))
    with project.begin() as session:  # nothing changed; another coder may code the same passage
        assert sorted((v.start, v.end, v.code_path) for v in list_codings(session)) == sorted([
            (first.start, first.end, "empowerment"), (first.start, first.end, "helse"), (wider.start, wider.end, "empowerment"),
        ])
        add_coding(session, "intervju", "empowerment", get_or_create_coder(session, "Forsker 2"), match="mer selvtillit")


def test_a_coding_change_reads_no_text_while_it_holds_the_database(project: Project, tmp_path: Path) -> None:
    """Other writers wait from a change's first write (or its taking the lock, to read the coding
    as it is now) to its commit, so the text is read before: only the speaker at the new start,
    one row, is read while others wait."""
    from sqlalchemy import event

    with project.begin() as session:
        make_transcript(session, tmp_path, INTERVIEW)
        get_or_create_coder(session, "Forsker 1")
    during_write: list[str] = []

    def watch(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        if during_write or statement.split()[0] in ("INSERT", "UPDATE", "DELETE"):
            during_write.append(statement)

    event.listen(project.engine, "before_cursor_execute", watch)
    changes = [
        lambda session, coder: add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit"),
        lambda session, coder: recode_coding(session, 1, "helse", coder),
        lambda session, coder: resize_coding(session, 1, INTERVIEW.index("fikk mer"), INTERVIEW.index(" selvtillit"), coder),
        lambda session, coder: set_coding_memo(session, 1, "Vendepunkt", coder),
        lambda session, coder: remove_coding(session, 1, coder),
    ]
    for change in changes:
        during_write.clear()
        with project.begin() as session:
            change(session, get_or_create_coder(session, "Forsker 1"))
        assert during_write and not [s for s in during_write if "text_versions" in s], during_write


def test_a_new_coder_is_created_once(session: Session) -> None:
    first = get_or_create_coder(session, "Medforsker 2", "medforsker")
    again = get_or_create_coder(session, " Medforsker 2 ")
    assert first.id == again.id and again.role == "medforsker"
    assert get_or_create_coder(session, "medforsker 2").id == first.id  # a name typed in lower case is the same coder
    assert session.scalar(select(func.count()).select_from(Event).where(Event.action == "coder.create")) == 1
    with pytest.raises(InvalidInput, match=r"a coder's name cannot hold a comma \('Berg, Ola'\)"):
        get_or_create_coder(session, "Berg, Ola")  # --coders A,B could never choose them


def test_list_includes_subcodes_unless_told(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, INTERVIEW)
    add_coding(session, "intervju", "empowerment", coder, match="tror jeg på meg selv")
    add_coding(session, "intervju", "selvbilde og selvtillit", coder, match="mer selvtillit")
    add_coding(session, "intervju", "individuell medvirkning", coder, match="bestemme handlingsplanen")
    assert len(list_codings(session, code_ref="empowerment")) == 2
    assert len(list_codings(session, code_ref="empowerment", include_subcodes=False)) == 1
    assert [v.code_path for v in list_codings(session, transcript_ref="intervju")] == [
        "brukermedvirkning/individuell medvirkning", "empowerment/selvbilde og selvtillit", "empowerment",
    ]


def test_remove_resize_recode_memo_then_undo_each(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, INTERVIEW)
    view = add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
    start = view.start
    resized = resize_coding(session, view.id, start - 5, view.end, coder)
    assert resized.excerpt == "fikk mer selvtillit"
    recode_coding(session, view.id, "håp og motivasjon", coder)
    set_coding_memo(session, view.id, "Vendepunkt?", coder)
    remove_coding(session, view.id, coder)
    assert list_codings(session) == []

    undo(session, coder)  # remove
    assert list_codings(session)[0].memo == "Vendepunkt?"
    undo(session, coder)  # memo
    assert list_codings(session)[0].memo is None
    undo(session, coder)  # recode
    assert list_codings(session)[0].code_path == "empowerment"
    undo(session, coder)  # resize
    assert list_codings(session)[0].excerpt == "mer selvtillit"
    undo(session, coder)  # add
    assert list_codings(session) == []
    assert len(list_codings(session, include_removed=True)) == 1  # kept, with its record
    with pytest.raises(NothingToUndo, match="nothing to undo for Forsker 1"):
        undo(session, coder)
    redo(session, coder)
    assert list_codings(session)[0].excerpt == "mer selvtillit"


def test_a_new_change_clears_redo(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, INTERVIEW)
    add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
    undo(session, coder)
    add_coding(session, "intervju", "helse", coder, match="typisk meg")
    with pytest.raises(NothingToUndo, match="nothing to redo"):
        redo(session, coder)


def test_each_coder_undoes_only_their_own(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, INTERVIEW)
    other = get_or_create_coder(session, "Medforsker 1", "medforsker")
    add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
    add_coding(session, "intervju", "helse", other, match="typisk meg")
    undo(session, coder)
    assert [(v.code_path, v.coder) for v in list_codings(session)] == [("helse", "Medforsker 1")]


def test_undo_of_a_coding_keeps_someone_elses_memo_on_it(session: Session, coder: Coder, tmp_path: Path) -> None:
    """Bent's memo is his own, not a change to the coding: it stays with the removed coding."""
    make_transcript(session, tmp_path, INTERVIEW)
    other = get_or_create_coder(session, "Bent")
    view = add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
    memo = add_memo(session, "Se også runde 2", other, coding_ref=str(view.id))
    undo(session, coder)
    assert list_codings(session) == []
    assert [(m.id, m.attached_to) for m in list_memos(session)] == [(memo.id, f"coding {view.id} (removed)")]


def test_a_change_taken_back_by_its_author_does_not_block_undo(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, INTERVIEW)
    other = get_or_create_coder(session, "Bent")
    # A team decision: the one kind of coding two coders may both change.
    team = get_or_create_coder(session, "konsensus")
    view = add_coding(session, "intervju", "empowerment", team, match="mer selvtillit", decided_by=coder)
    recode_coding(session, view.id, "helse", other)
    undo(session, other)
    redo(session, other)
    undo(session, other)
    undo(session, coder)
    assert list_codings(session) == []
    redo(session, coder)
    remove_coding(session, view.id, other)
    with pytest.raises(ChangedByOthers, match="Bent changed this coding after you"):
        undo(session, coder)


def test_undo_never_makes_a_second_live_coding_of_one_passage(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, INTERVIEW)
    other = get_or_create_coder(session, "Bent")
    team = get_or_create_coder(session, "konsensus")  # a team decision, which any coder may change
    first = add_coding(session, "intervju", "empowerment", team, match="mer selvtillit", decided_by=coder)
    remove_coding(session, first.id, other)
    again = add_coding(session, "intervju", "empowerment", team, match="mer selvtillit", decided_by=coder)
    with pytest.raises(InvalidInput, match=f"already coded empowerment by {team.name} \\(coding {again.id}\\)"):
        undo(session, other)


def test_undo_and_redo_work_across_a_restart(project: Project, tmp_path: Path) -> None:
    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        make_transcript(session, tmp_path, INTERVIEW)
        add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
    root = project.root
    project.close()
    with Project.open(root) as reopened, reopened.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        undo(session, coder)
        assert list_codings(session) == []
    with Project.open(root) as reopened, reopened.begin() as session:
        redo(session, get_or_create_coder(session, "Forsker 1"))
        assert [v.excerpt for v in list_codings(session)] == ["mer selvtillit"]


def test_the_audit_trail_records_who_did_what(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, INTERVIEW)
    add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
    undo(session, coder)
    events = history(session, limit=2)
    assert [e.action for e in events] == ["undo", "coding.add"]
    assert events[0].coder == "Forsker 1"
    assert session.scalar(select(Event).where(Event.action == "coding.add")).payload["after"]["excerpt"] == "mer selvtillit"  # type: ignore[union-attr]


def test_memos_on_project_transcript_code_and_coding(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, INTERVIEW)
    coding = add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
    add_memo(session, "Prosjektnotat", coder)
    add_memo(session, "Om intervjuet", coder, transcript_ref="intervju")
    add_memo(session, "Om koden", coder, code_ref="måltall-press")
    memo = add_memo(session, "Om sitatet", coder, coding_ref=str(coding.id))
    assert [m.attached_to for m in list_memos(session)] == [
        "project", "transcript intervju", "code måltall-press", f"coding {coding.id}",
    ]
    remove_memo(session, memo.id, coder)
    assert len(list_memos(session)) == 3
    undo(session, coder)
    assert len(list_memos(session)) == 4
    with pytest.raises(InvalidInput, match="empty"):
        add_memo(session, "   ", coder)
    # A memo is never left on a coding that was removed, as a change to it never is.
    remove_coding(session, coding.id, coder)
    with pytest.raises(InvalidInput, match=f"coding {coding.id} was removed"):
        add_memo(session, "Om et fjernet sitat", coder, coding_ref=str(coding.id))
    assert [m.attached_to for m in list_memos(session)][-1] == f"coding {coding.id} (removed)"  # kept, marked


PIECES = list("abcæøåÆØÅ 😀.-\n") + ["\r\n", "\r", "\u00a0", "\u00ad", "e\u0301", "\ufeff", "ord-\nbrudd"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.lists(st.sampled_from(PIECES), min_size=1, max_size=60).map("".join), data=st.data())
def test_after_normalisation_every_coding_selects_its_excerpt(
    migrated_template: Path, raw: str, data: st.DataObject
) -> None:
    """Import raw text, code spans of the stored text, and read them back in a fresh session."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "project"
        shutil.copytree(migrated_template, root)
        source = Path(scratch) / "p.txt"
        source.write_bytes(("I: " + raw + "\nD1: slutt\n").encode("utf-8"))
        with Project.open(root) as project:
            with project.begin() as session:
                coder = get_or_create_coder(session, "Forsker 1")
                key = PseudonymKey("test")
                try:
                    import_file(session, source, ImportOptions(name="p"), key=key)
                except NeedsReview:  # random capitalised letters look like names: not this test's concern
                    for candidate in list(key.pending):
                        dismiss(key, candidate.text)
                    import_file(session, source, ImportOptions(name="p"), key=key)
                stored_text = session.scalars(select(TextVersion.text)).one()
                assert normalise(stored_text) == stored_text
                for _ in range(3):
                    start = data.draw(st.integers(0, len(stored_text) - 1))
                    end = data.draw(st.integers(start + 1, len(stored_text)))
                    try:
                        add_coding(session, "p", "empowerment", coder, start=start, end=end)
                    except InvalidInput:
                        pass  # whitespace only, or the same span twice
            with project.begin() as session:
                for coding in session.scalars(select(Coding)):
                    version = session.get(TextVersion, coding.text_version_id)
                    assert version is not None
                    assert version.text[coding.start:coding.end] == coding.excerpt


def test_match_codes_whole_words_unless_partial(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, "I: Og planen?\nD1: Handlingsplanen ble laget. Det var en plan for 20 år 😀, på ære.\n", name="plan")
    view = add_coding(session, "plan", "empowerment", coder, match="plan")
    assert (view.excerpt, view.line) == ("plan", 2)  # not the four letters inside "Handlingsplanen" or "planen"
    with pytest.raises(NotFound, match="occurs only inside a word .*'Handlingsplanen'.*--partial"):
        add_coding(session, "plan", "helse", coder, match="Handlingsplan")
    inside = add_coding(session, "plan", "helse", coder, match="Handlingsplan", partial=True)
    assert inside.excerpt == "Handlingsplan"
    with pytest.raises(NotFound, match="only inside a word"):
        add_coding(session, "plan", "helse", coder, match="re")  # "ære": a Norwegian letter is a letter
    with pytest.raises(NotFound, match="only inside a word"):
        add_coding(session, "plan", "helse", coder, match="for 2")  # "20": a digit is part of the word
    assert add_coding(session, "plan", "helse", coder, match="år 😀").excerpt == "år 😀"
    assert add_coding(session, "plan", "helse", coder, match="ble laget.").excerpt == "ble laget."
    with pytest.raises(InvalidInput, match="--partial applies to --match only"):
        add_coding(session, "plan", "helse", coder, start=0, end=2, partial=True)


@pytest.mark.parametrize(
    ("start", "end", "widened"),
    [(2, 5, "Handlingsplanen"), (0, 3, "Handlingsplanen"), (16, 19, "ble"), (15, 19, " ble"), (16, 18, "ble"), (17, 34, "ble laget, æææ")],
)
def test_a_span_inside_words_widens_to_whole_words(start: int, end: int, widened: str) -> None:
    from qualcode.coding.service import widen_to_words

    text = "Handlingsplanen ble laget, æææ"
    new_start, new_end = widen_to_words(text, start, min(end, len(text)))
    assert text[new_start:new_end] == widened


def test_cli_match_is_whole_words_and_partial_allows_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_cli import run

    monkeypatch.setenv("QUALCODE_KEY", str(tmp_path / "key" / "p.qckey"))
    root = tmp_path / "p"
    assert run("init", str(root)).exit_code == 0
    (tmp_path / "intervju.txt").write_text(INTERVIEW, encoding="utf-8")
    assert run("--project", str(root), "import", str(tmp_path / "intervju.txt")).exit_code == 0
    refused = run("--project", str(root), "coding", "add", "intervju", "empowerment", "--match", "plan")
    assert refused.exit_code == 1 and refused.output.count("\n") == 1
    assert "only inside a word ('handlingsplanen', line 2)" in refused.output and "--partial" in refused.output
    added = run("--project", str(root), "coding", "add", "intervju", "empowerment", "--match", "plan", "--partial", "--json")
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["excerpt"] == "plan"


def test_a_memo_names_the_code_and_transcript_it_is_on_not_one_named_like_their_ids(
    session: Session, coder: Coder, tmp_path: Path
) -> None:
    """Transcript "2" imported first, then "x" (id 2); the shipped codes' shortcut keys are digits:
    memos are shown on what they are stored on, found by id, not by a reference that reads so."""
    from qualcode.store.models import Code, Transcript

    make_transcript(session, tmp_path, INTERVIEW, name="2")
    make_transcript(session, tmp_path, INTERVIEW + "I: Og så?\nD1: Ja.\n", name="x")
    assert session.scalar(select(Transcript.id).where(Transcript.name == "x")) == 2
    on_x = add_memo(session, "om x", coder, transcript_ref="x")
    on_code = add_memo(session, "om koden", coder, code_ref="empowerment")
    code_id = session.scalar(select(Code.id).where(Code.path == "empowerment"))
    assert session.scalar(select(Code.path).where(Code.shortcut == str(code_id))) not in (None, "empowerment")
    assert (on_x.attached_to, on_code.attached_to) == ("transcript x", "code empowerment")
    assert {memo.text: memo.attached_to for memo in list_memos(session)} == {"om x": "transcript x", "om koden": "code empowerment"}


@pytest.mark.parametrize(("selected", "trimmed"), [
    ((0, 10), "Hei."),  # from the first label into the next one
    ((8, 23), "Jeg er her."),  # from the label "V1: " on
    ((16, 26), "er her."),  # onto the next label "I: "
    ((5, 30), "i.\nV1: Jeg er her.\nI: Ok."),  # across a label inside: kept
])
def test_a_selection_on_a_speaker_label_is_trimmed_to_the_turns_text(selected: tuple[int, int], trimmed: str) -> None:
    """The reader trims a drag that begins or ends on a label, which a coding may not hold (it would be nobody's)."""
    from qualcode.coding.service import within_turns

    text = "I: Hei.\nV1: Jeg er her.\nI: Ok.\n"
    turns = [(3, 7), (12, 23), (27, 30)]
    start, end = within_turns(text, turns, *selected)
    assert text[start:end] == trimmed


def test_a_name_two_coders_share_in_other_cases_is_refused_not_made_a_third(session: Session) -> None:
    """Two coders "ola" and "OLA" (from another program's project) and "Ola" typed made a third coder."""
    from sqlalchemy import func

    from qualcode.errors import Ambiguous
    from qualcode.store.models import Coder as CoderRow

    session.add_all([CoderRow(name="ola", role="researcher"), CoderRow(name="OLA", role="researcher")])
    session.flush()
    with pytest.raises(Ambiguous, match=r"^coder 'Ola' could be any of ola, OLA \(write the name exactly"):
        get_or_create_coder(session, "Ola")
    assert session.scalar(select(func.count()).select_from(CoderRow)) == 2
    assert get_or_create_coder(session, "OLA").name == "OLA"


@pytest.mark.parametrize("second", ["resize", "recode", "memo"])
def test_a_change_made_while_another_removes_the_coding_meets_it_removed(project: Project, tmp_path: Path, second: str) -> None:
    """A probe ran `coding remove N` and `coding resize N` at once: both said they had worked, as
    each read the coding before the other wrote; the resize was made on a removed coding and
    logged as made on a live one, and undo brought the removed coding back at its old span."""
    from qualcode.coding.service import live_coding
    from qualcode.errors import Gone

    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        make_transcript(session, tmp_path, INTERVIEW)
        coding_id = add_coding(session, "intervju", "empowerment", coder, match="Jeg fikk mer selvtillit.").id
    changes = {
        "resize": lambda session, coder: resize_coding(session, coding_id, 0, 10, coder),
        "recode": lambda session, coder: recode_coding(session, coding_id, "brukermedvirkning", coder),
        "memo": lambda session, coder: set_coding_memo(session, coding_id, "Et notat", coder),
    }
    with project.begin() as session:
        live_coding(session, coding_id)  # the remover has read the coding: the other change must wait for it
        waiting, outcome = _started_meanwhile(project, changes[second])
        remove_coding(session, coding_id, session.get(Coder, coder.id))  # type: ignore[arg-type]
    waiting.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], Gone) and f"coding {coding_id} was removed" in str(outcome[0])
    with project.begin() as session:
        coding = session.get(Coding, coding_id)
        assert coding is not None and coding.removed_at is not None and coding.excerpt == "Jeg fikk mer selvtillit."
        assert [event.action for event in session.scalars(select(Event).where(Event.entity_guid == coding.guid))] == [
            "coding.add", "coding.remove",
        ]


@pytest.mark.parametrize("change", ["definition", "memo removed", "transcript wave"])
def test_a_change_waits_for_another_and_logs_the_state_that_one_left(project: Project, tmp_path: Path, change: str) -> None:
    """What a change logs as the state before is the state it changed: read holding the write
    lock. Read before another's write, undoing it would silently take back the other's change too."""
    from qualcode.codebook.service import update_code
    from qualcode.importers.metadata_edit import edit_transcript
    from qualcode.store.events import hold_write_lock

    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        make_transcript(session, tmp_path, INTERVIEW)
        memo_id = add_memo(session, "Et notat", coder, transcript_ref="intervju").id
    first, second = {
        "definition": (lambda s, c: update_code(s, "empowerment", {"definition": "Først"}, c),
                       lambda s, c: update_code(s, "empowerment", {"definition": "Så"}, c)),
        "memo removed": (lambda s, c: remove_memo(s, memo_id, c), lambda s, c: remove_memo(s, memo_id, c)),
        "transcript wave": (lambda s, c: edit_transcript(s, "intervju", c, wave="T1"),
                            lambda s, c: edit_transcript(s, "intervju", c, wave="T2")),
    }[change]
    with project.begin() as session:
        hold_write_lock(session)  # one change under way
        waiting, outcome = _started_meanwhile(project, second)
        first(session, session.get(Coder, coder.id))
    waiting.join(10)
    with project.begin() as session:
        events = session.scalars(select(Event).order_by(Event.id)).all()[-2:]
    if change == "memo removed":  # the second meets it removed, as it would one after the other
        assert len(outcome) == 1 and isinstance(outcome[0], NotFound) and len([e for e in events if e.action == "memo.remove"]) == 1
    else:
        assert outcome == [None]
        assert events[1].payload["before"] == events[0].payload["after"]


def _started_meanwhile(project: Project, change: Callable[[Session, Coder], object]) -> tuple[threading.Thread, list[BaseException | None]]:
    """`change` begun by another connection to the project, as another process would, while this
    one holds the write lock: it must be waiting for the lock, not acting on what it read before.
    The thread, and what it ended with (None, or the error), once joined."""
    outcome: list[BaseException | None] = []
    other = Project.open(project.root)

    def at_once() -> None:
        try:
            with other.begin() as session:
                change(session, get_or_create_coder(session, "Forsker 1"))
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001 - looked at by the test
            outcome.append(error)
        finally:
            other.close()

    thread = threading.Thread(target=at_once)
    thread.start()
    thread.join(0.3)
    assert thread.is_alive(), outcome
    return thread, outcome


def test_offsets_that_cut_a_word_are_kept_and_the_words_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from qualcode.cli import cli

    monkeypatch.setenv("QUALCODE_KEY", str(tmp_path / "key" / "p.qckey"))
    root = tmp_path / "p"
    runner = CliRunner()  # click 8.2 and later keep stderr apart in result.stderr

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(cli, ["--project", str(root), *args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    assert runner.invoke(cli, ["init", str(root)]).exit_code == 0
    (tmp_path / "intervju.txt").write_text(INTERVIEW, encoding="utf-8")
    assert run("import", str(tmp_path / "intervju.txt"))[0] == 0
    text = INTERVIEW
    start, end = text.index("fikk være") + 2, text.index("handlingsplanen") + 8  # "kk være med og bestemme handling"
    code, out, err = run("coding", "add", "intervju", "empowerment", "--start", str(start), "--end", str(end))
    assert code == 0 and "kk være med og bestemme handling" in out
    assert err.count("\n") == 1 and "inside 'fikk' and 'handlingsplanen'" in err and "coding resize 1" in err
    code, out, _ = run("coding", "list", "--json")
    assert json.loads(out)[0]["excerpt"] == "kk være med og bestemme handling"  # kept as given, not widened
    whole = text.index("handlingsplanen")
    code, out, err = run("coding", "resize", "1", "--start", str(whole), "--end", str(whole + len("handlingsplanen")))
    assert code == 0 and err == ""
    code, out, err = run("coding", "resize", "1", "--start", str(whole), "--end", str(whole + 4))
    assert code == 0 and "inside 'handlingsplanen'," in err
    code, out, err = run("coding", "add", "intervju", "helse", "--start", str(start), "--end", str(end), "--json")
    assert code == 0 and json.loads(out)["cut_words"] == ["fikk", "handlingsplanen"]
    code, out, err = run("coding", "add", "intervju", "tvang og krav", "--match", "Jeg fikk mer selvtillit")
    assert code == 0 and err == ""
