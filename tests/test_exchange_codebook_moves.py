"""A .qdc from another program that moved a code under another code: the code with that GUID is
moved here too, with its sub-codes and codings, as an undoable change the import reports; a move
the tree cannot take is refused in one line and nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import KeyAccess
from qualcode.cli import cli
from qualcode.codebook.model import Codebook, CodeSpec
from qualcode.codebook.service import apply_codebook, code_history, create_code, list_codes
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.history import history, redo, undo
from qualcode.errors import CodebookInvalid
from qualcode.exchange.codebook_qdc import import_qdc, load_qdc, write_qdc
from qualcode.exchange.schema import CODEBOOK_NS
from qualcode.store.models import Code, Event, code_guid
from qualcode.store.project import Project

NS = {"c": CODEBOOK_NS}
NEW_GUID = "7d2c4e1a-9b3f-4a5e-8c6d-0e1f2a3b4c5d"


def code_tree(session: Session) -> list[tuple[str, str, int]]:
    """Every code as (path, GUID, live codings), in tree order."""
    return [(view.path, view.guid, view.codings) for view in list_codes(session)]


def code_element(root: etree._Element, guid: str) -> etree._Element:
    """The one <Code> with this GUID in a codebook's or a project's XML, whichever namespace it is in."""
    found = root.xpath("//*[local-name()='Code'][@guid=$guid]", guid=guid)
    assert isinstance(found, list) and len(found) == 1 and isinstance(found[0], etree._Element)
    return found[0]


def _moved_in_other_program(
    session: Session, folder: Path, path: str, under: str | None, new_parent: str | None = None,
) -> Path:
    """The project's codebook as another program writes it back after moving the code at `path`
    under the code at `under` (None: to the top level), or under a code `new_parent` made there."""
    root = etree.fromstring(write_qdc(session))
    guids = {view.path: view.guid for view in list_codes(session)}
    codes = root.find("c:Codes", NS)
    assert codes is not None
    target = codes if under is None else code_element(root, guids[under])
    if new_parent is not None:
        target = etree.SubElement(target, f"{{{CODEBOOK_NS}}}Code", {"name": new_parent, "isCodable": "true", "guid": NEW_GUID})
    target.append(code_element(root, guids[path]))  # lxml takes it from where it was
    file = folder / "fra-nvivo.qdc"
    file.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    return file


def _events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Event)) or 0


def assert_moved_under_brukermedvirkning(before: list[tuple[str, str, int]], after: list[tuple[str, str, int]]) -> None:
    """`after` is `before` (path, GUID, codings) with måltall-press moved under brukermedvirkning: every
    code keeps its GUID and its codings, the moved one and its sub-codes have new paths, and the
    moved code comes after the siblings it found, as a new code would."""
    moved = {guid: path.replace("måltall-press", "brukermedvirkning/måltall-press", 1) if path.startswith("måltall-press") else path
             for path, guid, _ in before}
    assert sorted((moved[guid], guid, codings) for _, guid, codings in before) == sorted(after)
    assert {path: codings for path, _, codings in after if "måltall-press" in path} == {
        "brukermedvirkning/måltall-press": 1, "brukermedvirkning/måltall-press/inntakspress": 2,
        "brukermedvirkning/måltall-press/kvantitet mot kvalitet": 1, "brukermedvirkning/måltall-press/konsekvenser for kontoret": 0,
    }
    under = [path for path, _, _ in after if path.count("/") == 1 and path.startswith("brukermedvirkning/")]
    assert under[-1] == "brukermedvirkning/måltall-press"


def test_a_code_moved_in_the_other_program_is_moved_here_with_its_sub_codes_and_codings(
    coded: tuple[Project, PseudonymKey], tmp_path: Path,
) -> None:
    """It stayed under its old parent: the file's tree and the project's went apart for good."""
    project = coded[0]
    with project.begin() as session:
        before = code_tree(session)
        file = _moved_in_other_program(session, tmp_path, "måltall-press", "brukermedvirkning")
        coder = get_or_create_coder(session, "Forsker 1")
        imported = import_qdc(session, load_qdc(file), coder)

        assert imported.changes.moved == [("måltall-press", "brukermedvirkning/måltall-press")]
        assert imported.changes.created == [] and imported.changes.updated == ["brukermedvirkning/måltall-press"]
        assert imported.deviations == []
        after = code_tree(session)
        assert_moved_under_brukermedvirkning(before, after)
        # One change, in the history and the code's own, that undo takes back and redo makes again.
        assert [view.summary for view in history(session, limit=1)] == ["moved code måltall-press to brukermedvirkning/måltall-press"]
        assert code_history(session, "brukermedvirkning/måltall-press")[-1].summary == "moved code måltall-press to brukermedvirkning/måltall-press"
        undo(session, coder)
        assert code_tree(session) == before
        redo(session, coder)
        assert code_tree(session) == after

    with project.begin() as session:  # the same file again changes nothing, and the project's own export follows the move
        again = import_qdc(session, load_qdc(file), get_or_create_coder(session, "Forsker 1")).changes
        assert again.moved == [] and again.updated == [] and again.created == []
        written = etree.fromstring(write_qdc(session))
        parent = code_element(written, next(guid for path, guid, _ in after if path == "brukermedvirkning"))
        assert "måltall-press" in [child.get("name") for child in parent.findall("c:Code", NS)]


def test_a_code_moved_under_a_code_new_in_the_file_follows_it_and_both_undo(session: Session, tmp_path: Path) -> None:
    coder = get_or_create_coder(session, "Forsker 1")
    before = code_tree(session)
    avmakt = next(guid for path, guid, _ in before if path == "empowerment/avmakt")
    file = _moved_in_other_program(session, tmp_path, "empowerment/avmakt", None, new_parent="makt")

    changes = import_qdc(session, load_qdc(file), coder).changes

    assert changes.created == ["makt"] and changes.moved == [("empowerment/avmakt", "makt/avmakt")]
    assert session.scalar(select(Code.guid).where(Code.path == "makt")) == NEW_GUID
    moved = session.scalars(select(Code).where(Code.guid == avmakt)).one()
    assert (moved.path, moved.parent.path if moved.parent else None) == ("makt/avmakt", "makt")
    assert [view.summary for view in history(session, limit=2)] == ["moved code empowerment/avmakt to makt/avmakt", "created code makt"]
    undo(session, coder)  # the file is one change
    assert code_tree(session) == before


def test_the_command_says_which_code_it_moved_from_where_to_where(
    project: Project, key_access: KeyAccess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUALCODE_KEY", str(tmp_path / "keys" / "test.qckey"))
    with project.begin() as session:
        file = _moved_in_other_program(session, tmp_path, "empowerment/avmakt", None)
        guid = session.scalar(select(Code.guid).where(Code.path == "empowerment/avmakt"))
    file.write_text(file.read_text(encoding="utf-8").replace('name="avmakt"', 'name="maktesløshet"'), encoding="utf-8")

    result = CliRunner().invoke(cli, ["--project", str(project.root), "--coder", "Forsker 1", "codebook", "import", str(file)])

    assert result.exit_code == 0, result.output
    assert "0 codes added, 1 updated, " in result.output and " unchanged (1 moved)" in result.output
    assert "  moved empowerment/avmakt to avmakt\n" in result.output
    # Renamed there too: the project's name is kept, and the note saying so reaches the researcher.
    assert "note: code 'maktesløshet' has the GUID of 'empowerment/avmakt' here; merged into it, keeping its name" in result.output
    with project.begin() as session:
        assert session.scalar(select(Code.path).where(Code.guid == guid)) == "avmakt"
        assert session.scalar(select(Code.parent_id).where(Code.guid == guid)) is None


def test_a_move_under_the_codes_own_sub_code_is_refused_in_one_line_and_nothing_changes(
    project: Project, key_access: KeyAccess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A program that gave its own GUIDs to empowerment and avmakt (matched here by name) and kept
    the project's GUID for a code under them that it calls empowerment."""
    monkeypatch.setenv("QUALCODE_KEY", str(tmp_path / "keys" / "test.qckey"))
    with project.begin() as session:
        empowerment = session.scalar(select(Code.guid).where(Code.path == "empowerment"))
        before, events = code_tree(session), _events(session)
    file = tmp_path / "sirkel.qdc"
    file.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="0f0e0d0c-0b0a-4909-8807-060504030201" name="empowerment" isCodable="false">
    <Code guid="1f1e1d1c-1b1a-4919-8817-161514131211" name="avmakt" isCodable="true">
      <Code guid="{empowerment}" name="empowerment" isCodable="true"/>
    </Code>
  </Code>
</Codes></CodeBook>""", encoding="utf-8")
    expected = ("the file puts code empowerment under empowerment/avmakt, one of its own sub-codes in this project;"
                " a code cannot be moved under itself")

    with pytest.raises(CodebookInvalid) as refused, project.begin() as session:
        import_qdc(session, load_qdc(file), get_or_create_coder(session, "Forsker 1"))
    assert refused.value.problems == [expected]
    result = CliRunner().invoke(cli, ["--project", str(project.root), "codebook", "import", str(file)])

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert expected in result.output and len(result.output.strip().splitlines()) == 1
    with project.begin() as session:
        assert code_tree(session) == before and _events(session) == events


@pytest.mark.parametrize("there", ["brukermedvirkning/avmakt", "brukermedvirkning/Avmakt"])
def test_a_move_to_where_another_code_of_that_name_stands_is_refused_and_nothing_changes(
    project: Project, tmp_path: Path, there: str,
) -> None:
    """The other program moved avmakt under brukermedvirkning, where someone here made another
    avmakt meanwhile: two codes on one path, or differing only in case, would be taken for one."""
    with project.begin() as session:
        file = _moved_in_other_program(session, tmp_path, "empowerment/avmakt", "brukermedvirkning")
        create_code(session, there, coder=get_or_create_coder(session, "Forsker 2"))
    with project.begin() as session:
        before, events = code_tree(session), _events(session)

    with pytest.raises(CodebookInvalid) as refused, project.begin() as session:
        import_qdc(session, load_qdc(file), get_or_create_coder(session, "Forsker 1"))

    assert refused.value.problems == [
        f"the file moves code empowerment/avmakt to brukermedvirkning/avmakt, where this project has another code, {there}"
        " (in the other program, put it under another code)"
    ]
    with project.begin() as session:
        assert code_tree(session) == before and _events(session) == events


@pytest.mark.parametrize("how", ["codebook add", "codebook import"])
def test_a_code_made_where_a_moved_code_stood_gets_a_guid_of_its_own(session: Session, tmp_path: Path, how: str) -> None:
    """The moved code keeps the GUID qualcode derived from its old path; a new code there derived the
    same one, and `codebook add` said the code already existed."""
    coder = get_or_create_coder(session, "Forsker 1")
    import_qdc(session, load_qdc(_moved_in_other_program(session, tmp_path, "empowerment/avmakt", None)), coder)

    if how == "codebook add":
        create_code(session, "empowerment/avmakt", coder=coder)
    else:
        apply_codebook(session, Codebook(name="x", codes=[CodeSpec(name="empowerment", children=[CodeSpec(name="avmakt")])]), coder)

    assert session.scalar(select(Code.path).where(Code.guid == code_guid("empowerment/avmakt"))) == "avmakt"
    made = session.scalars(select(Code).where(Code.path == "empowerment/avmakt")).one()
    assert made.guid != code_guid("empowerment/avmakt")


def test_a_file_with_a_code_by_its_name_where_it_stands_and_by_its_guid_elsewhere_is_refused(session: Session) -> None:
    """GUID first, then path: the code cannot be both where it stands (by name) and elsewhere (by GUID)."""
    from qualcode.exchange.codebook_qdc import read_qdc

    guid = session.scalar(select(Code.guid).where(Code.path == "empowerment/avmakt"))
    before = code_tree(session)
    qdc = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="-" name="empowerment" isCodable="false"><Code guid="-" name="avmakt" isCodable="true"/></Code>
  <Code guid="-" name="brukermedvirkning" isCodable="false"><Code guid="{guid}" name="avmakt" isCodable="true"/></Code>
</Codes></CodeBook>""".encode()

    with pytest.raises(CodebookInvalid) as refused:
        import_qdc(session, read_qdc(qdc, "to-ganger.qdc"))

    assert refused.value.problems == [
        "the file has code empowerment/avmakt twice: by its name at empowerment/avmakt and by its GUID at brukermedvirkning/avmakt"
        " (in the other program, give the code at empowerment/avmakt another name)"
    ]
    assert code_tree(session) == before


def test_a_move_that_takes_a_sub_code_past_ten_levels_is_refused_as_codebook_add_refuses_it(
    project: Project, tmp_path: Path,
) -> None:
    """A .qdc move brought måltall-press's sub-codes to level 11, which `codebook add` and every
    codebook file refuse, so the project's own export no longer imported back."""
    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        deepest = "/".join(f"n{level}" for level in range(1, 10))  # nine levels
        for level in range(1, 10):
            create_code(session, "/".join(f"n{index}" for index in range(1, level + 1)), {}, coder)
        file = _moved_in_other_program(session, tmp_path, "måltall-press", deepest)
        guid = session.scalar(select(Code.guid).where(Code.path == "måltall-press"))
        before, events = code_tree(session), _events(session)
    root = etree.fromstring(file.read_bytes())  # the file, ten levels deep, leaves its sub-codes out: they come along here
    moved = code_element(root, str(guid))
    for child in moved.findall("c:Code", NS):
        moved.remove(child)
    file.write_bytes(etree.tostring(root))
    with project.begin() as session, pytest.raises(
        CodebookInvalid, match=rf"^the file moves code måltall-press to {deepest}/måltall-press, which takes måltall-press/inntakspress"
                               r" 11 levels deep; a code tree has at most 10 \(in the other program, move it nearer the top\)$",
    ) as refused:
        import_qdc(session, load_qdc(file), coder)
    assert "\n" not in str(refused.value)
    with project.begin() as session:
        assert (code_tree(session), _events(session)) == (before, events)
