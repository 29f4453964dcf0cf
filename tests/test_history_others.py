"""Undo and redo beside other coders' changes: a later change no one can take back makes an earlier
one final, and a memo someone else attaches to a coding is not a change to the coding."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.codebook.service import create_code, rename_code, update_code
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.history import KIND_WORDS, ChangedByOthers, redo, undo
from qualcode.coding.memos import add_memo, remove_memo
from qualcode.coding.service import add_coding
from qualcode.errors import NothingToUndo
from qualcode.importers.metadata import import_participants
from qualcode.importers.metadata_edit import edit_participant, edit_transcript
from qualcode.store.events import EventKind
from qualcode.store.models import Coder, Coding, Event, Memo, Participant, Transcript
from tests.conftest import INTERVIEW
from tests.test_events import interview


def _participant_list(folder: Path, office: str) -> Path:
    path = folder / "deltakere.csv"
    path.write_text(f"participant,role,office\nD1,deltaker,{office}\n", encoding="utf-8")
    return path


def test_a_participant_list_imported_by_someone_else_makes_an_earlier_edit_final(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    """The tester's case: B's import, which no one can undo, blocked A's whole undo history with
    the hint that B undo it first. A's edit is passed over, with why, and A's memo before it undone."""
    import_participants(session, _participant_list(tmp_path, "kontor A"))
    memo = add_memo(session, "Et notat før endringen", coder)
    edit_participant(session, "D1", coder, office="kontor C")
    colleague = get_or_create_coder(session, "Forsker 2")
    import_participants(session, _participant_list(tmp_path, "kontor B"), colleague)

    done = undo(session, coder)

    assert done.entity_guid == memo.guid
    assert "passed over your later changes that cannot be undone: edited participant D1" in done.summary
    assert "(Forsker 2 changed this participant after you (participant D1 from deltakere.csv), and that cannot be undone)" \
        in done.summary
    assert session.scalars(select(Participant.office)).one() == "kontor B"  # the import stands
    assert session.get_one(Memo, memo.id).removed_at is not None
    with pytest.raises(NothingToUndo, match="^nothing to undo for Forsker 1$"):
        undo(session, coder)


def test_the_last_change_made_final_by_someone_else_says_so_in_one_line(session: Session, coder: Coder, tmp_path: Path) -> None:
    import_participants(session, _participant_list(tmp_path, "kontor A"))
    edit_participant(session, "D1", coder, office="kontor C")
    import_participants(session, _participant_list(tmp_path, "kontor B"), get_or_create_coder(session, "Forsker 2"))
    with pytest.raises(NothingToUndo, match=r"^nothing else to undo for Forsker 1: Forsker 2 changed this participant after you"
                                            r" \(participant D1 from deltakere\.csv\), and that cannot be undone") as refused:
        undo(session, coder)
    assert refused.value.hint == "edit the participant yourself"


def test_a_replaced_text_by_someone_else_makes_an_earlier_metadata_edit_final(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    interview(session, tmp_path, participant="D1", wave="T1")
    memo = add_memo(session, "Et notat før endringen", coder)
    edit_transcript(session, "intervju", coder, wave="T2")
    interview(session, tmp_path, "I: Før vi begynner.\n\n" + INTERVIEW, coder=get_or_create_coder(session, "Forsker 2"),
              replace=True)

    done = undo(session, coder)

    assert done.entity_guid == memo.guid
    assert "edited transcript intervju" in done.summary and "Forsker 2 changed this transcript after you (replaced" in done.summary
    assert session.scalars(select(Transcript.wave)).one() == "T2"


def test_redo_over_a_change_no_one_can_undo_is_refused_without_an_impossible_hint(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    import_participants(session, _participant_list(tmp_path, "kontor A"))
    edit_participant(session, "D1", coder, office="kontor C")
    undo(session, coder)
    import_participants(session, _participant_list(tmp_path, "kontor B"), get_or_create_coder(session, "Forsker 2"))
    with pytest.raises(ChangedByOthers, match=r"^Forsker 2 changed this participant after you \(participant D1 from deltakere\.csv\),"
                                              r" and that cannot be undone; your redo would overwrite it") as refused:
        redo(session, coder)
    assert refused.value.hint == "edit the participant yourself"
    assert session.scalars(select(Participant.office)).one() == "kontor B"


def test_a_memo_someone_else_attached_to_a_coding_does_not_block_its_undo_or_redo(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    """A reviewer's comment on a coding (as `review import` writes it) blocked the coder's undo of
    the coding as though the reviewer had changed it. The memo is the reviewer's own, and stays."""
    interview(session, tmp_path)
    coding = add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
    reviewer = get_or_create_coder(session, "Medforsker Anne", "medforsker")
    memo = add_memo(session, "Dette kjenner jeg igjen", reviewer, coding_ref=str(coding.id))

    undo(session, coder)
    assert session.get_one(Coding, coding.id).removed_at is not None
    redo(session, coder)
    assert session.get_one(Coding, coding.id).removed_at is None
    kept = session.get_one(Memo, memo.id)
    assert kept.removed_at is None and kept.coding_id == coding.id
    assert session.scalar(select(Event.summary).where(Event.entity_guid == memo.guid)) == f"memo on coding {coding.id}"


def test_a_change_undone_then_made_final_by_a_replaced_text_is_said_to_be_undone_and_not_redoable(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    """A probe: redo said only "nothing to redo", and undo that the coding "cannot be undone", of a
    coding already undone when another coder's replaced text made it final."""
    interview(session, tmp_path)
    add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
    undo(session, coder)
    interview(session, tmp_path, "I: Før vi begynner.\n\n" + INTERVIEW, coder=get_or_create_coder(session, "Forsker 2"), replace=True)
    with pytest.raises(NothingToUndo, match=r"^nothing to redo for Forsker 1: what you last undid \(coded intervju .*\)"
                                            r" cannot be redone: its transcript's text was rewritten since$"):
        redo(session, coder)
    with pytest.raises(NothingToUndo, match=r"^nothing to undo for Forsker 1: your last change \(coded intervju .*\) is undone"
                                            r" already, and cannot be redone: its transcript's text was rewritten since$"):
        undo(session, coder)


def test_an_undo_refused_for_a_rename_by_someone_else_names_the_rename(session: Session, coder: Coder) -> None:
    """It said "Forsker 2 changed this code after you", not what they did to it."""
    create_code(session, "framtidstro", {"definition": "Tro på framtida"}, coder)
    colleague = get_or_create_coder(session, "Forsker 2")
    rename_code(session, "framtidstro", "framtidshåp", colleague)
    with pytest.raises(ChangedByOthers) as refused:
        undo(session, coder)
    assert refused.value.message == ("Forsker 2 changed this code after you (renamed code framtidstro to framtidshåp);"
                                     " your undo would overwrite that, so nothing was changed")
    assert refused.value.hint == "Forsker 2 can undo that edit of a code first, or edit the code yourself"
    update_code(session, "framtidshåp", {"definition": "Håp for framtida"}, colleague)
    with pytest.raises(ChangedByOthers) as refused:
        undo(session, coder)
    assert "(changed definition of framtidshåp), and 1 more change by Forsker 2 since;" in refused.value.message
    assert refused.value.hint == "Forsker 2 can undo that edit of a code first (and their other change since too), or edit the code yourself"
    undo(session, colleague)
    undo(session, colleague)
    assert undo(session, coder).summary == "created code framtidstro"


def test_an_undo_refused_for_a_memo_someone_else_removed_names_the_removal(session: Session, coder: Coder) -> None:
    memo = add_memo(session, "Spør om planen i neste runde", coder)
    colleague = get_or_create_coder(session, "Forsker 2")
    remove_memo(session, memo.id, colleague)
    add_memo(session, "Et eget notat", get_or_create_coder(session, "Forsker 3"))  # about something else: no obstacle
    with pytest.raises(ChangedByOthers) as refused:
        undo(session, coder)
    assert refused.value.message == (f"Forsker 2 changed this memo after you (removed memo {memo.id});"
                                     " your undo would overwrite that, so nothing was changed")
    assert refused.value.hint == "Forsker 2 can undo that removal of a memo first, or edit the memo yourself"


def test_a_refusal_names_the_latest_change_in_the_way_and_counts_the_others(session: Session, coder: Coder) -> None:
    create_code(session, "framtidstro", {}, coder)
    rename_code(session, "framtidstro", "framtidshåp", get_or_create_coder(session, "Forsker 2"))
    update_code(session, "framtidshåp", {"definition": "Tro på framtida"}, get_or_create_coder(session, "Forsker 3"))
    with pytest.raises(ChangedByOthers) as refused:
        undo(session, coder)
    assert refused.value.message == ("Forsker 3 changed this code after you (changed definition of framtidshåp), and 1 more"
                                     " change by Forsker 2 since; your undo would overwrite that, so nothing was changed")
    assert refused.value.hint == "Forsker 3 can undo that edit of a code first (Forsker 2 theirs too), or edit the code yourself"
    update_code(session, "framtidshåp", {"example": "Nå tror jeg det går"}, get_or_create_coder(session, "Forsker 2"))
    with pytest.raises(ChangedByOthers) as refused:
        undo(session, coder)
    assert refused.value.message.startswith("Forsker 2 changed this code after you (changed example of framtidshåp), and 2 more"
                                            " changes by Forsker 2 and Forsker 3 since;")
    assert refused.value.hint == "Forsker 2 can undo that edit of a code first (Forsker 3 theirs too), or edit the code yourself"


def test_every_kind_of_change_has_words_for_a_blind_coder() -> None:
    assert set(KIND_WORDS) == set(EventKind)
