"""Reshaping a codebook in the middle of a study: a file that moves codes and makes new ones in
their places is one change, which undo takes back whole and redo makes again."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.history import redo, undo
from qualcode.coding.service import add_coding
from qualcode.errors import NothingToUndo
from qualcode.exchange.codebook_qdc import import_qdc, load_qdc, write_qdc
from qualcode.exchange.schema import CODEBOOK_NS
from qualcode.store.models import Transcript
from qualcode.store.project import Project
from tests.test_exchange_codebook_moves import NEW_GUID, code_element, code_tree


def _avmakt_made_a_theme_and_a_new_sub_code(session: Session, tmp_path: Path) -> Path:
    """The project's codebook as a colleague's program writes it back after moving empowerment/avmakt
    to the top and making a new sub-code avmakt under empowerment where it stood."""
    root = etree.fromstring(write_qdc(session))
    guids = {path: guid for path, guid, _ in code_tree(session)}
    codes = root.find(f"{{{CODEBOOK_NS}}}Codes")
    assert codes is not None
    empowerment = code_element(root, guids["empowerment"])
    codes.append(code_element(root, guids["empowerment/avmakt"]))  # moved to the top
    etree.SubElement(empowerment, f"{{{CODEBOOK_NS}}}Code", {"name": "avmakt", "isCodable": "true", "guid": NEW_GUID})
    file = tmp_path / "delt.qdc"
    file.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    return file


def test_a_file_that_moves_a_code_and_makes_a_new_one_where_it_stood_undoes_and_redoes_whole(
    session: Session, tmp_path: Path,
) -> None:
    """A colleague made avmakt a theme of its own and a new sub-code avmakt under empowerment: the
    import took both as one change, and undo refused it, saying the code the import itself had
    made "now stands where empowerment/avmakt was"."""
    coder = get_or_create_coder(session, "Forsker 1")
    before = code_tree(session)
    file = _avmakt_made_a_theme_and_a_new_sub_code(session, tmp_path)

    changes = import_qdc(session, load_qdc(file), coder).changes
    assert changes.created == ["empowerment/avmakt"] and changes.moved == [("empowerment/avmakt", "avmakt")]
    after = code_tree(session)

    undo(session, coder)
    assert code_tree(session) == before
    redo(session, coder)
    assert code_tree(session) == after
    undo(session, coder)
    assert code_tree(session) == before


def test_a_code_the_file_made_and_someone_coded_since_keeps_the_import_and_is_named_by_its_path(
    coded: tuple[Project, PseudonymKey], tmp_path: Path,
) -> None:
    """Undo cannot take the new code away once it holds a coding; it says so by the code's path
    (not the one a code is put aside at while codes move back), and the tree stays as the import left it."""
    with coded[0].begin() as session:
        coder = get_or_create_coder(session, "Forsker 3")  # with no change before the import for undo to pass over to
        import_qdc(session, load_qdc(_avmakt_made_a_theme_and_a_new_sub_code(session, tmp_path)), coder)
        after = code_tree(session)
        transcript = session.scalars(select(Transcript.name).order_by(Transcript.id)).first()
        assert transcript is not None
        add_coding(session, transcript, "empowerment/avmakt", get_or_create_coder(session, "Forsker 2"), start=0, end=5)

        with pytest.raises(NothingToUndo, match=r"code empowerment/avmakt still has 1 coding, so its creation cannot be undone"):
            undo(session, coder)
        assert [(path, guid) for path, guid, _ in code_tree(session)] == [(path, guid) for path, guid, _ in after]
