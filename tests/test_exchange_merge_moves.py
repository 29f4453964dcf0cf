"""A co-coder's copy (.qdpx) that moved a code under another code: merged, the code with that GUID
is moved here too, with its sub-codes and codings, as the .qdc import moves it; a move the tree
cannot take refuses the file and nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey
from qualcode.cli import cli
from qualcode.codebook.service import create_code, list_codes
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.history import history, redo, undo
from qualcode.errors import CodebookInvalid
from qualcode.store.models import Code, Event, code_guid
from qualcode.store.project import Project
from tests.test_exchange_codebook_moves import (
    assert_moved_under_brukermedvirkning,
    code_element,
    code_tree,
)
from tests.test_exchange_import import Qdpx, guid, rewritten_qdpx, run_import

NS = {"p": "urn:QDA-XML:project:1.0"}
NEW_GUID = "5b1e2f3a-4c5d-4e6f-8a7b-9c0d1e2f3a4b"


def _events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Event)) or 0


def _copy_with_a_code_moved(
    session: Session, folder: Path, path: str, under: str | None, new_parent: str | None = None,
) -> Path:
    """The project's own .qdpx as a co-coder's program writes it back after moving the code at `path`
    under the code at `under` (None: to the top level), or under a code `new_parent` made there."""
    guids = {view.path: view.guid for view in list_codes(session)}

    def move(root: etree._Element) -> None:
        codes = root.find("p:CodeBook/p:Codes", NS)
        assert codes is not None
        target = codes if under is None else code_element(root, guids[under])
        if new_parent is not None:
            target = etree.SubElement(target, f"{{{NS['p']}}}Code", {"guid": NEW_GUID, "name": new_parent, "isCodable": "true"})
        target.append(code_element(root, guids[path]))  # lxml takes it from where it was

    return rewritten_qdpx(session, folder, move)


def test_a_code_a_co_coder_moved_is_moved_here_with_its_sub_codes_and_codings(
    coded: tuple[Project, PseudonymKey], tmp_path: Path,
) -> None:
    """It stayed where it was, with only a conflict saying the file had it elsewhere."""
    project, key = coded
    with project.begin() as session:
        before = code_tree(session)
        file = _copy_with_a_code_moved(session, tmp_path, "måltall-press", "brukermedvirkning")
        merged = run_import(session, file, key, "Forsker 1")

        assert merged.codes_moved == [("måltall-press", "brukermedvirkning/måltall-press")]
        assert merged.codes_created == [] and merged.conflicts == []
        after = code_tree(session)
        assert_moved_under_brukermedvirkning(before, after)
        # One change of the importer's, which undo takes back and redo makes again.
        forsker = get_or_create_coder(session, "Forsker 1")
        assert [view.summary for view in history(session, limit=1)] == ["moved code måltall-press to brukermedvirkning/måltall-press"]
        undo(session, forsker)
        assert code_tree(session) == before
        redo(session, forsker)
        assert code_tree(session) == after

    with project.begin() as session:  # the same copy again changes nothing
        again = run_import(session, file, key, "Forsker 1")
        assert again.codes_moved == [] and again.codes_created == [] and again.conflicts == []
        assert code_tree(session) == after


def test_a_code_moved_under_a_code_new_in_the_copy_follows_it_and_both_undo(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    project, key = coded
    with project.begin() as session:
        before = code_tree(session)
        avmakt = next(guid for path, guid, _ in before if path == "empowerment/avmakt")
        merged = run_import(session, _copy_with_a_code_moved(session, tmp_path, "empowerment/avmakt", None, new_parent="makt"), key, "Forsker 1")

        assert merged.codes_created == ["makt"] and merged.codes_moved == [("empowerment/avmakt", "makt/avmakt")]
        moved = session.scalars(select(Code).where(Code.guid == avmakt)).one()
        assert (moved.path, moved.parent.path if moved.parent else None) == ("makt/avmakt", "makt")
        # The new code's creation comes before the move under it; the file is one change, which one undo takes back.
        assert [view.summary for view in history(session, limit=2)] == ["moved code empowerment/avmakt to makt/avmakt", "created code makt"]
        forsker = get_or_create_coder(session, "Forsker 1")
        undo(session, forsker)
        assert code_tree(session) == before


def test_codes_a_copy_has_trade_places_are_put_back_by_one_undo(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    """As a codebook file's: a copy that moved two codes into each other's places imported, and every
    undo after it was refused for good (each move alone would put two codes at one path)."""
    from qualcode.codebook.service import create_code

    project, key = coded
    with project.begin() as session:
        forsker = get_or_create_coder(session, "Forsker 1")
        create_code(session, "empowerment/xx", coder=forsker)
        create_code(session, "brukermedvirkning/xx", coder=forsker)
    with project.begin() as session:
        before = code_tree(session)
        guids = {view.path: view.guid for view in list_codes(session)}

        def swap(root: etree._Element) -> None:
            first, second = code_element(root, guids["empowerment/xx"]), code_element(root, guids["brukermedvirkning/xx"])
            code_element(root, guids["brukermedvirkning"]).append(first)
            code_element(root, guids["empowerment"]).append(second)

        merged = run_import(session, rewritten_qdpx(session, tmp_path, swap), key, "Forsker 1")
        assert sorted(merged.codes_moved) == [("brukermedvirkning/xx", "empowerment/xx"), ("empowerment/xx", "brukermedvirkning/xx")]
        after = code_tree(session)
        forsker = get_or_create_coder(session, "Forsker 1")
        undo(session, forsker)
        assert code_tree(session) == before
        redo(session, forsker)
        assert code_tree(session) == after


def test_a_move_under_the_codes_own_sub_code_refuses_the_copy_and_nothing_changes(project: Project, tmp_path: Path) -> None:
    """A program that gave its own GUIDs to empowerment and avmakt (matched here by name) and kept
    the project's GUID for a code under them that it calls empowerment."""
    with project.begin() as session:
        empowerment = session.scalar(select(Code.guid).where(Code.path == "empowerment"))
        before, events = code_tree(session), _events(session)
    copy = Qdpx(codes=(
        f'<Code guid="{guid("deres empowerment")}" name="empowerment" isCodable="false">'
        f'<Code guid="{guid("deres avmakt")}" name="avmakt" isCodable="true">'
        f'<Code guid="{empowerment}" name="empowerment" isCodable="true"/></Code></Code>'
    ))
    file = copy.write(tmp_path / "sirkel.qdpx")

    with pytest.raises(CodebookInvalid) as refused, project.begin() as session:
        run_import(session, file, None, "Forsker 1")

    assert refused.value.problems == [
        "the file puts code empowerment under empowerment/avmakt, one of its own sub-codes in this project; a code cannot be moved under itself"
    ]
    with project.begin() as session:
        assert code_tree(session) == before and _events(session) == events


def test_the_command_lists_each_code_it_moved_from_where_to_where(demo: Path, tmp_path: Path) -> None:
    with Project.open(demo) as project, project.begin() as session:
        file = _copy_with_a_code_moved(session, tmp_path, "empowerment/avmakt", None)
        avmakt = session.scalar(select(Code.guid).where(Code.path == "empowerment/avmakt"))

    result = CliRunner().invoke(cli, ["--project", str(demo), "--coder", "Forsker 1", "import", str(file)])

    assert result.exit_code == 0, result.output
    assert ", 0 new codes, 1 code moved\n" in result.output
    assert "  moved empowerment/avmakt to avmakt\n" in result.output
    with Project.open(demo) as project, project.begin() as session:
        assert session.scalar(select(Code.path).where(Code.guid == avmakt)) == "avmakt"


def test_a_new_code_where_a_moved_code_stood_gets_a_guid_of_its_own(session: Session, tmp_path: Path) -> None:
    """A copy where a code was typed with a name the key holds gave it the GUID derived from that
    name; here it is the pseudonym's path and GUID, which the code moved away from there keeps."""
    key = PseudonymKey("test")
    pseudonym = add_identifier(key, "Tone Bakkeli", "person", "f").pseudonym
    create_code(session, pseudonym, coder=get_or_create_coder(session, "Forsker 1"))
    empowerment = session.scalar(select(Code.guid).where(Code.path == "empowerment"))
    copy = Qdpx(codes=(
        f'<Code guid="{empowerment}" name="empowerment" isCodable="true">'
        f'<Code guid="{code_guid(pseudonym)}" name="{pseudonym}" isCodable="true"/></Code>'
        f'<Code guid="{code_guid("Tone Bakkeli")}" name="Tone Bakkeli" isCodable="true"/>'
    ))
    copy.user("Forsker 1")

    merged = run_import(session, copy.write(tmp_path / "kopi.qdpx"), key, "Forsker 1")

    assert merged.codes_moved == [(pseudonym, f"empowerment/{pseudonym}")] and merged.codes_created == [pseudonym]
    assert session.scalar(select(Code.path).where(Code.guid == code_guid(pseudonym))) == f"empowerment/{pseudonym}"
    made = session.scalars(select(Code).where(Code.path == pseudonym)).one()
    assert made.guid not in (code_guid(pseudonym), code_guid("Tone Bakkeli"), guid("code"))
