"""A .qdc or .qdpx whose codes, once a code the project holds by GUID keeps the project's name, would
end two at one path: refused in one line, nothing changed, never one code merged into the other."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.codebook.service import CodeView, create_code, list_codes
from qualcode.coding.coders import get_or_create_coder
from qualcode.errors import CodebookInvalid, QualcodeError
from qualcode.exchange.codebook_qdc import import_qdc, load_qdc, write_qdc
from qualcode.store.models import Code, Event
from qualcode.store.project import Project
from tests.test_exchange_import import guid, rewritten_qdpx, run_import

T = "brukermedvirkning/tilbakemelding"


def _state(session: Session) -> tuple[list[tuple[str, str, str | None, int]], int]:
    """Every code as (path, GUID, definition, live codings), and the number of events."""
    codes = [(view.path, view.guid, view.definition, view.codings) for view in list_codes(session)]
    return codes, session.scalar(select(func.count()).select_from(Event)) or 0


def _code(root: etree._Element, code_guid: str) -> etree._Element:
    found = [element for element in root.iter() if isinstance(element.tag, str) and element.get("guid") == code_guid]
    assert len(found) == 1
    return found[0]


def _edit(root: etree._Element, session: Session, edits: list[tuple[str, ...]]) -> None:
    """Edits as another program makes them: ("rename", path, name), ("move", path, under),
    ("add", under, name, GUID): a code with its own description."""
    guids = {view.path: view.guid for view in list_codes(session)}
    namespace = etree.QName(root).namespace
    for edit in edits:
        if edit[0] == "rename":
            _code(root, guids[edit[1]]).set("name", edit[2])
        elif edit[0] == "move":
            _code(root, guids[edit[2]]).append(_code(root, guids[edit[1]]))
        else:
            added = etree.SubElement(_code(root, guids[edit[1]]), f"{{{namespace}}}Code", {"guid": edit[3], "name": edit[2], "isCodable": "true"})
            etree.SubElement(added, f"{{{namespace}}}Description").text = "Definisjon: en ny kode fra det andre programmet"


def _qdc(session: Session, folder: Path, edits: list[tuple[str, ...]]) -> Path:
    root = etree.fromstring(write_qdc(session))
    _edit(root, session, edits)
    file = folder / "andre.qdc"
    file.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    return file


def _qdpx(session: Session, folder: Path, edits: list[tuple[str, ...]]) -> Path:
    return rewritten_qdpx(session, folder, lambda root: _edit(root, session, edits))


MOVED_AND_RENAMED = [("rename", T, "Tilbakemelding2"), ("move", T, "empowerment"), ("add", "empowerment", "tilbakemelding", guid("ny tilbakemelding"))]
RENAMED_IN_PLACE = [("rename", T, "Feedback"), ("add", "brukermedvirkning", "tilbakemelding", guid("ny tilbakemelding"))]


@pytest.mark.parametrize("kind", ["qdc", "qdpx"])
@pytest.mark.parametrize(("edits", "clash"), [
    (MOVED_AND_RENAMED, ("empowerment/Tilbakemelding2", "empowerment/tilbakemelding", "empowerment/tilbakemelding")),
    (RENAMED_IN_PLACE, ("brukermedvirkning/Feedback", "brukermedvirkning/tilbakemelding", T)),
], ids=["moved-and-renamed", "renamed-in-place"])
def test_a_new_code_where_a_renamed_code_keeps_its_name_is_refused_not_merged_into_it(
    project: Project, tmp_path: Path, kind: str, edits: list[tuple[str, ...]], clash: tuple[str, str, str],
) -> None:
    """The new code was not made and the renamed code took its definition (.qdc), or its codings (.qdpx)."""
    with project.begin() as session:
        before = _state(session)
        file = (_qdc if kind == "qdc" else _qdpx)(session, tmp_path, edits)

    with pytest.raises(CodebookInvalid) as refused, project.begin() as session:
        if kind == "qdc":
            import_qdc(session, load_qdc(file))
        else:
            run_import(session, file, None, "Forsker 1")

    assert refused.value.problems in ([
        f"the file's codes {first} and {second} would both be {clash[2]} in this project, where a code the file renamed"
        " keeps its name (in the other program, rename one of them)"
    ] for first, second in (clash[:2], clash[1::-1]))  # in the order the file has them
    with project.begin() as session:
        assert _state(session) == before


def test_a_new_code_that_looks_like_a_renamed_code_keeping_its_name_is_refused_not_merged_into_it(project: Project, tmp_path: Path) -> None:
    """A .qdpx merges a code that looks like another (a Cyrillic е) as one in another case: beside a
    code the file renamed, which keeps the project's name, that took the new code's codings into it."""
    edits = [("rename", T, "Feedback"), ("add", "brukermedvirkning", "tilbakemеlding", guid("ny tilbakemelding"))]
    with project.begin() as session:
        before = _state(session)
        file = _qdpx(session, tmp_path, edits)
    with pytest.raises(CodebookInvalid) as refused, project.begin() as session:
        run_import(session, file, None, "Forsker 1")
    assert refused.value.problems == [
        "the file's codes brukermedvirkning/Feedback and brukermedvirkning/tilbakemеlding would both be"
        f" {T} in this project, where a code the file renamed keeps its name (in the other program, rename one of them)"
    ]
    with project.begin() as session:
        assert _state(session) == before


@pytest.mark.parametrize("renamed", ["Tilbakemelding", "tilbakemеlding"], ids=["case", "look-alike"])
def test_a_code_the_file_gave_a_name_that_looks_like_its_own_is_not_renamed(project: Project, tmp_path: Path, renamed: str) -> None:
    """Another case, or a Cyrillic е, is no rename: a new code of the code's own name beside it is that code, not a clash."""
    edits = [("rename", T, renamed), ("add", "brukermedvirkning", "tilbakemelding", guid("ny tilbakemelding"))]
    with project.begin() as session:
        before = _state(session)
        file = _qdpx(session, tmp_path, edits)
    with project.begin() as session:
        result = run_import(session, file, None, "Forsker 1")
    assert result.codes_created == []
    with project.begin() as session:
        assert _state(session)[0] == before[0]


@pytest.mark.parametrize("kind", ["qdc", "qdpx"])
def test_a_file_that_lists_one_code_guid_twice_is_refused_in_one_line(project: Project, tmp_path: Path, kind: str) -> None:
    """The first took the GUID and the codings, the other was made as an empty code by its name: the
    file's order decided which code was the project's."""
    with project.begin() as session:
        before = _state(session)
        file = (_qdc if kind == "qdc" else _qdpx)(session, tmp_path, [])
        held = {view.path: view.guid for view in list_codes(session)}[T]
    if kind == "qdc":
        root = etree.fromstring(file.read_bytes())
    else:
        with zipfile.ZipFile(file) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        root = etree.fromstring(members["project.qde"])
    twice = copy.deepcopy(_code(root, held))
    _code(root, {view.path: view.guid for view in _views(project)}["empowerment"]).append(twice)
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    if kind == "qdc":
        file.write_bytes(data)
    else:
        members["project.qde"] = data
        with zipfile.ZipFile(file, "w") as archive:
            for name, member in members.items():
                archive.writestr(name, member)

    with pytest.raises(QualcodeError) as refused, project.begin() as session:
        if kind == "qdc":
            import_qdc(session, load_qdc(file))
        else:
            run_import(session, file, None, "Forsker 1")

    assert f"the file lists code GUID {held} twice: at empowerment/tilbakemelding and at {T}" in str(refused.value)
    assert "in the other program, give one of them a GUID of its own, or export again" in str(refused.value)
    assert "\n" not in str(refused.value)
    with project.begin() as session:
        assert _state(session) == before


def _views(project: Project) -> list[CodeView]:
    with project.begin() as session:
        return list_codes(session)


def _import(project: Project, kind: str, file: Path) -> None:
    with project.begin() as session:
        if kind == "qdc":
            import_qdc(session, load_qdc(file), get_or_create_coder(session, "Forsker 1"))
        else:
            run_import(session, file, None, "Forsker 1")


@pytest.mark.parametrize("kind", ["qdc", "qdpx"])
@pytest.mark.parametrize("under", ["måltall-press", "empowerment"])  # listed after the new code, or before it
def test_a_new_code_where_a_moved_code_stood_is_made_whatever_the_files_order(project: Project, tmp_path: Path, kind: str, under: str) -> None:
    """With the move later in the file than the new code, the new code was taken for the code still
    standing there, and the file refused as naming that code twice."""
    with project.begin() as session:
        held = {view.path: view.guid for view in list_codes(session)}[T]
        file = (_qdc if kind == "qdc" else _qdpx)(session, tmp_path, [("move", T, under), ("add", "brukermedvirkning", "tilbakemelding", guid("ny"))])

    _import(project, kind, file)

    with project.begin() as session:
        codes = {view.path: view for view in list_codes(session)}
        assert codes[f"{under}/tilbakemelding"].guid == held
        assert codes[T].guid == guid("ny") and codes[T].definition == "en ny kode fra det andre programmet"


@pytest.mark.parametrize("kind", ["qdc", "qdpx"])
@pytest.mark.parametrize("away", ["måltall-press", "brukermedvirkning"], ids=["chain", "swap"])
def test_two_codes_of_one_name_moved_in_a_chain_are_both_moved(project: Project, tmp_path: Path, kind: str, away: str) -> None:
    """empowerment/annet goes to måltall-press (or swaps with brukermedvirkning/annet) and
    brukermedvirkning/annet takes its place: refused, as the file lists the second move first,
    though the first leaves the place free."""
    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        for path in ("empowerment/annet", "brukermedvirkning/annet"):
            create_code(session, path, coder=coder)
        guids = {view.path: view.guid for view in list_codes(session)}
        file = (_qdc if kind == "qdc" else _qdpx)(session, tmp_path, [
            ("move", "empowerment/annet", away), ("move", "brukermedvirkning/annet", "empowerment"),
        ])

    _import(project, kind, file)

    with project.begin() as session:
        codes = {view.path: view.guid for view in list_codes(session)}
        assert codes[f"{away}/annet"] == guids["empowerment/annet"]
        assert codes["empowerment/annet"] == guids["brukermedvirkning/annet"]
        assert all("\n" not in path for path in codes)
        positions = [(code.parent_id, code.position) for code in session.scalars(select(Code))]
        assert len(positions) == len(set(positions))  # no two codes at one place under one parent


def test_a_code_a_qdpx_adds_or_moves_goes_after_the_last_sub_code_not_at_the_count_of_them(project: Project, tmp_path: Path) -> None:
    """After a code moved away from empowerment, its sub-codes' count was the place of its last one,
    which a new code under it was given too."""
    with project.begin() as session:
        _import(project, "qdc", _qdc(session, tmp_path, [("move", "empowerment/håp og motivasjon", "måltall-press")]))
    with project.begin() as session:
        file = _qdpx(session, tmp_path, [("add", "empowerment", "ny kode", guid("ny kode")), ("move", T, "empowerment")])

    _import(project, "qdpx", file)

    with project.begin() as session:
        for parent in ("empowerment", "måltall-press"):
            places = [code.position for code in session.scalars(select(Code).where(Code.path.like(f"{parent}/%"), ~Code.path.like(f"{parent}/%/%")))]
            assert len(places) == len(set(places)), places
