"""Undo and redo of codes against what other coders did since: a parent gone, a shortcut or a
place taken. Each is refused in one line that names what stands in the way, and nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.codebook.model import Codebook, CodeSpec
from qualcode.codebook.service import apply_codebook, create_code, list_codes, update_code
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.history import ChangedByOthers, redo, undo
from qualcode.errors import NothingToUndo
from qualcode.exchange.codebook_qdc import import_qdc, load_qdc
from qualcode.store.models import Code, Coder
from tests.test_exchange_codebook_moves import _moved_in_other_program


def _paths(session: Session) -> list[str]:
    return [view.path for view in list_codes(session)]


def _code(session: Session, path: str) -> Code | None:
    return session.scalar(select(Code).where(Code.path == path))


def test_redo_of_a_sub_codes_creation_whose_parent_is_gone_is_refused(session: Session, coder: Coder) -> None:
    """The tester's case: the redo made p/c again with no parent, under its parent's path."""
    create_code(session, "p", coder=coder)
    colleague = get_or_create_coder(session, "Forsker 2")
    create_code(session, "p/c", coder=colleague)
    undo(session, colleague)
    undo(session, coder)

    with pytest.raises(NothingToUndo, match=r"^the code p that p/c stood under no longer exists, so p/c cannot be put back;"
                                            r" nothing changed") as refused:
        redo(session, colleague)

    assert refused.value.hint == "Forsker 1 undid the creation of p: their redo brings it back"
    assert _code(session, "p/c") is None
    redo(session, coder)
    redo(session, colleague)
    made = _code(session, "p/c")
    assert made is not None and made.parent is not None and made.parent.path == "p"


SHORTCUT_TAKEN_HINT = (
    "whoever gave it to skjønn (`qualcode codebook history skjønn` says who) can free it (`qualcode codebook edit skjønn"
    " --shortcut ''`), then try again; freed by you it would not help, as your undo takes your newest change back first"
    " and a new change ends your redo"
)


def test_undo_that_would_give_back_a_shortcut_someone_took_since_names_who_holds_it(session: Session, coder: Coder) -> None:
    """It failed with a traceback on the unique constraint; once the key is free, the undo goes through.
    The hint said "free it first (`qualcode codebook edit skjønn --shortcut ''`), then try again": freed
    so by the coder refused, their undo took back that freeing, and the undo was refused again."""
    update_code(session, "helse", {"shortcut": ""}, coder)
    colleague = get_or_create_coder(session, "Forsker 2")
    update_code(session, "skjønn", {"shortcut": "8"}, colleague)

    with pytest.raises(ChangedByOthers, match=r"^the shortcut '8' of helse is now skjønn's, so it cannot be given back;"
                                              r" nothing changed") as refused:
        undo(session, coder)

    assert refused.value.hint == SHORTCUT_TAKEN_HINT
    helse, skjønn = _code(session, "helse"), _code(session, "skjønn")
    assert helse is not None and helse.shortcut is None and skjønn is not None
    update_code(session, "skjønn", {"shortcut": ""}, coder)  # as the hint says not to
    assert undo(session, coder).summary == "changed shortcut of skjønn"
    assert skjønn.shortcut == "8"
    with pytest.raises(ChangedByOthers, match=r"^the shortcut '8' of helse is now skjønn's"):
        undo(session, coder)
    update_code(session, "skjønn", {"shortcut": ""}, colleague)  # as the hint says
    undo(session, coder)
    assert helse.shortcut == "8"


def test_undo_of_a_deletion_that_would_give_back_a_shortcut_someone_took_since_says_who_can_free_it(
    session: Session, coder: Coder,
) -> None:
    """The same refusal from the undo of a code's deletion, with the same hint (it was written out twice)."""
    from qualcode.coding.reshape import delete_code

    delete_code(session, "helse", coder)
    update_code(session, "skjønn", {"shortcut": "8"}, get_or_create_coder(session, "Forsker 2"))
    with pytest.raises(ChangedByOthers, match=r"^the shortcut '8' of helse is now skjønn's, so it cannot be given back;"
                                              r" nothing changed") as refused:
        undo(session, coder)
    assert refused.value.hint == SHORTCUT_TAKEN_HINT
    assert _code(session, "helse") is None


def test_redo_of_a_codes_creation_where_another_code_stands_now_is_refused(session: Session, coder: Coder) -> None:
    """A code with another GUID (from another program's file) took the path; the redo failed on the
    unique constraint with a traceback."""
    create_code(session, "nykode", coder=coder)
    undo(session, coder)
    colleague = get_or_create_coder(session, "Forsker 2")
    guid = "0b7a5c1e-2f43-4c4e-9d55-3f0f8e4b2a11"
    apply_codebook(session, Codebook(name="annen", codes=[CodeSpec(name="nykode")]), colleague, {"nykode": guid})

    with pytest.raises(ChangedByOthers, match=r"^another code, nykode \(made by Forsker 2\), now stands where nykode was,"
                                              r" so it cannot be put back; nothing changed"):
        redo(session, coder)

    stands = _code(session, "nykode")
    assert stands is not None and stands.guid == guid


def test_redo_of_a_codes_creation_beside_a_code_differing_only_in_case_is_refused(session: Session, coder: Coder) -> None:
    create_code(session, "nykode", coder=coder)
    undo(session, coder)
    create_code(session, "Nykode", coder=get_or_create_coder(session, "Forsker 2"))
    with pytest.raises(ChangedByOthers, match=r"^another code, Nykode \(made by Forsker 2\), now stands where nykode was") as refused:
        redo(session, coder)
    assert _code(session, "nykode") is None
    # The hint says how to get the change back (it said "use Nykode").
    assert refused.value.hint == "rename that code first (`qualcode codebook rename Nykode NEW-NAME`), then try again; or keep Nykode as it is"


def test_an_edit_of_one_of_two_codes_an_older_version_let_differ_only_in_case_can_be_undone(session: Session, coder: Coder) -> None:
    session.add(Code(guid="6c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e", name="Helse", path="Helse", position=99, signal_words=[]))
    session.flush()
    update_code(session, "helse", {"definition": "midlertidig"}, coder)
    undo(session, coder)
    helse = _code(session, "helse")
    assert helse is not None and helse.definition != "midlertidig"


def test_undo_of_a_move_that_would_put_a_code_under_its_own_sub_code_now_is_refused(session: Session, coder: Coder, tmp_path: Path) -> None:
    """Avmakt was moved to the top level; a colleague's file then moved empowerment, its old parent, under it."""
    import_qdc(session, load_qdc(_moved_in_other_program(session, tmp_path, "empowerment/avmakt", None)), coder)
    colleague = get_or_create_coder(session, "Forsker 2")
    import_qdc(session, load_qdc(_moved_in_other_program(session, tmp_path, "empowerment", "avmakt")), colleague)
    paths = _paths(session)

    with pytest.raises(ChangedByOthers, match=r"^avmakt/empowerment has been moved under avmakt since, so avmakt cannot be put back"
                                              r" under it; nothing changed") as refused:
        undo(session, coder)

    assert refused.value.hint == "undo the move of avmakt/empowerment first"
    assert _paths(session) == paths
    undo(session, colleague)
    undo(session, coder)
    avmakt = _code(session, "empowerment/avmakt")
    assert avmakt is not None and avmakt.parent is not None and avmakt.parent.path == "empowerment"


def test_an_edit_of_a_sub_code_undone_after_its_parents_move_was_undone_stays_under_its_parent(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    """The edit's state held the sub-code's path under the moved parent: undone, it took that path back
    while its parent stood where it was before the move."""
    import_qdc(session, load_qdc(_moved_in_other_program(session, tmp_path, "empowerment", "brukermedvirkning")), coder)
    colleague = get_or_create_coder(session, "Forsker 2")
    update_code(session, "brukermedvirkning/empowerment/avmakt", {"definition": "Å kjenne seg maktesløs."}, colleague)
    undo(session, coder)

    undo(session, colleague)

    avmakt = _code(session, "empowerment/avmakt")
    assert avmakt is not None and avmakt.parent is not None and avmakt.parent.path == "empowerment"
    assert avmakt.definition != "Å kjenne seg maktesløs."
    assert not [path for path in _paths(session) if path.startswith("brukermedvirkning/empowerment")]


def _tree(session: Session) -> list[tuple[str, str, str | None, int]]:
    return sorted((code.path, code.guid, code.definition, code.position) for code in session.scalars(select(Code)))


def test_a_file_that_has_two_codes_trade_places_is_undone_and_redone_as_one_change(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    """The tester's case: a .qdc moving empowerment/xx under brukermedvirkning and brukermedvirkning/xx
    under empowerment imported, but each undo was refused for good ("another code, empowerment/xx
    (made by Forsker 1), now stands where empowerment/xx was"), and no earlier change could be undone."""
    create_code(session, "empowerment/xx", coder=coder)
    create_code(session, "brukermedvirkning/xx", coder=coder)
    file = _moved_in_other_program(session, tmp_path, "empowerment/xx", "brukermedvirkning")
    file = file.rename(tmp_path / "first.qdc")
    _moved_in_other_program(session, tmp_path, "brukermedvirkning/xx", "empowerment")
    # Both moves in one file: the second file's element for empowerment/xx back in the first's place.
    first, second = etree.parse(str(file)).getroot(), etree.parse(str(tmp_path / "fra-nvivo.qdc")).getroot()
    guids = {view.path: view.guid for view in list_codes(session)}
    moved_back = next(element for element in second.iter() if element.get("guid") == guids["brukermedvirkning/xx"])
    stays = next(element for element in first.iter() if element.get("guid") == guids["brukermedvirkning/xx"])
    stays.getparent().remove(stays)
    next(element for element in first.iter() if element.get("guid") == guids["empowerment"]).append(moved_back)
    file.write_bytes(etree.tostring(first, xml_declaration=True, encoding="utf-8"))
    before = _tree(session)

    changes = import_qdc(session, load_qdc(file), coder).changes
    assert sorted(changes.moved) == [("brukermedvirkning/xx", "empowerment/xx"), ("empowerment/xx", "brukermedvirkning/xx")]
    after = _tree(session)

    assert "(and 1 more change made with it)" in undo(session, coder).summary
    assert _tree(session) == before
    redo(session, coder)
    assert _tree(session) == after
    undo(session, coder)
    undo(session, coder)  # the changes before it can be undone too
    undo(session, coder)
    assert _code(session, "empowerment/xx") is None and _code(session, "brukermedvirkning/xx") is None


def test_a_codebook_file_is_one_change_that_one_undo_takes_back(session: Session, coder: Coder) -> None:
    """A wrong file imported (new codes, a changed definition, a shortcut taken, the codebook renamed) took
    as many undos as it made changes, the first saying only "undid: renamed the codebook"."""
    before = _tree(session)
    apply_codebook(session, Codebook(name="feil kodebok", codes=[
        CodeSpec(name="helse", definition="Feil definisjon"),
        CodeSpec(name="ny", shortcut="8", children=[CodeSpec(name="under")]),
    ]), coder)
    after = _tree(session)

    assert "(and 4 more changes made with it)" in undo(session, coder).summary
    assert _tree(session) == before
    redo(session, coder)
    assert _tree(session) == after


def test_undo_of_an_edit_puts_back_only_what_it_changed_and_a_change_since_that_cannot_be_undone_stands(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    """Undo put back the whole state an edit recorded: a codebook file imported after a definition was edited,
    which undo passes over once a code it made is in use, had its colour and the codebook's description
    taken back with the definition and the codebook's name, changes said to be beyond undo."""
    from qualcode.codebook.service import codebook_state, set_codebook
    from qualcode.coding.service import add_coding
    from tests.conftest import make_transcript

    helse = _code(session, "helse")
    assert helse is not None
    defined, coloured, named = helse.definition, helse.colour, codebook_state(session)["name"]
    set_codebook(session, "Vår kodebok", None, coder)
    update_code(session, "helse", {"definition": "Fysisk og psykisk helse"}, coder)
    apply_codebook(session, Codebook(name="Vår kodebok", description="Koder for KVP-evalueringen", codes=[
        CodeSpec(name="helse", colour="#000000"), CodeSpec(name="rus"),
    ]), coder)
    make_transcript(session, tmp_path, "I: Hvordan går det?\nD1: Jeg har sluttet å drikke.\n")
    add_coding(session, "intervju", "rus", get_or_create_coder(session, "Forsker 2"), match="Jeg har sluttet å drikke.")

    assert "passed over your later changes that cannot be undone" in undo(session, coder).summary
    assert (helse.definition, helse.colour) == (defined, "#000000")  # before: the colour went back too
    assert undo(session, coder).summary.startswith("renamed the codebook")
    assert codebook_state(session) == {"name": named, "description": "Koder for KVP-evalueringen"}  # before: none
    redo(session, coder)
    redo(session, coder)
    assert (helse.definition, helse.colour) == ("Fysisk og psykisk helse", "#000000") and codebook_state(session)["name"] == "Vår kodebok"
    assert coloured != "#000000"
