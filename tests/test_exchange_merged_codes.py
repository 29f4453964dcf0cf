"""A colleague's file from before a code was merged away here (or deleted): the .qdpx import takes the
merged-away code as the code it went into, with its codings, and says so; the .qdc import leaves it out
and says so. Neither makes a code again under the GUID the merge retired."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.cli import cli
from qualcode.codebook.service import find_code
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.reshape import delete_code, merge_codes
from qualcode.errors import CodebookInvalid
from qualcode.exchange.codebook_qdc import import_qdc, load_qdc, write_qdc
from qualcode.store.models import Code
from qualcode.store.project import Project
from tests.test_exchange_codebook_moves import code_element, code_tree
from tests.test_exchange_import import codings, rewritten_qdpx, run_import

NS = {"p": "urn:QDA-XML:project:1.0"}
HOPE = "empowerment/håp og motivasjon"
SELF = "empowerment/selvbilde og selvtillit"
UNUSED = "samarbeid stat og kommune"  # a code with no codings
COLLEAGUE = "0b9d7c1e-2a3f-4b5c-8d6e-7f8091a2b3c4"
RECODED = "6c1f0e2d-3b4a-4c5d-9e8f-a0b1c2d3e4f5"


def _guid(session: Session, path: str) -> str:
    return find_code(session, path).guid


def _colleague_coded_again(session: Session, folder: Path) -> Path:
    """The project's own .qdpx as a colleague's copy: Forsker 2 there coded the passage Forsker 1 coded HOPE."""
    hope = _guid(session, HOPE)

    def edit(root: etree._Element) -> None:
        users = root.find("p:Users", NS)
        assert users is not None
        etree.SubElement(users, f"{{{NS['p']}}}User", {"guid": COLLEAGUE, "name": "Forsker 2"})
        [coding] = [coding for coding in root.iterfind(".//p:Coding", NS) if coding.find("p:CodeRef", NS).get("targetGUID") == hope]  # type: ignore[union-attr]
        coding.set("guid", RECODED)
        coding.set("creatingUser", COLLEAGUE)

    return rewritten_qdpx(session, folder, edit)


def test_a_code_merged_away_here_is_the_code_it_went_into_with_its_codings(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    """It was made again under its retired GUID, with the colleague's coding on it."""
    project, key = coded
    with project.begin() as session:
        hope = _guid(session, HOPE)
        copy = _colleague_coded_again(session, tmp_path)
        merge_codes(session, HOPE, SELF, get_or_create_coder(session, "Forsker 1"))
    with project.begin() as session:
        before = code_tree(session)
        imported = run_import(session, copy, key, "Forsker 1")

        assert imported.codes_merged == [(HOPE, SELF)]
        assert imported.codes_created == [] and imported.codes_moved == [] and imported.conflicts == []
        assert imported.codings_added == 1
        assert session.scalar(select(Code).where(Code.guid == hope)) is None
        assert [path for path, _, _ in code_tree(session)] == [path for path, _, _ in before]  # no code made or moved
        assert ("deltaker_D1_T2", SELF, "Forsker 2", "Det er en ny start.") in codings(session)
        assert ("deltaker_D1_T2", SELF, "Forsker 1", "Det er en ny start.") in codings(session)  # merged here before
        assert not any(code == HOPE for _, code, _, _ in codings(session))

    with project.begin() as session:  # the same copy again adds nothing
        again = run_import(session, copy, key, "Forsker 1")
        assert again.codings_added == 0 and again.codes_created == [] and again.conflicts == []


def test_a_code_deleted_here_is_made_again_for_the_files_codings_under_a_guid_of_its_own(
    coded: tuple[Project, PseudonymKey], tmp_path: Path,
) -> None:
    """It was made again under the deleted code's GUID, which the history names that code by."""
    project, key = coded
    with project.begin() as session:
        hope = _guid(session, HOPE)
        copy = _colleague_coded_again(session, tmp_path)
        delete_code(session, HOPE, get_or_create_coder(session, "Forsker 1"), with_codings=True)
    with project.begin() as session:
        imported = run_import(session, copy, key, "Forsker 1")

        assert imported.codes_created == [HOPE] and imported.codes_merged == []
        assert f"Code '{HOPE}' {hope}: deleted in this project; made again, as a new code, for the file's codings of it" in imported.problems
        assert find_code(session, HOPE).guid != hope
        assert ("deltaker_D1_T2", HOPE, "Forsker 2", "Det er en ny start.") in codings(session)


def test_the_import_command_says_which_code_it_took_a_merged_code_as(demo: Path, tmp_path: Path) -> None:
    with Project.open(demo) as project, project.begin() as session:
        copy = rewritten_qdpx(session, tmp_path, lambda root: None)
    run = CliRunner()
    merged = run.invoke(cli, ["--project", str(demo), "--coder", "Forsker 1", "codebook", "merge", HOPE, SELF])
    assert merged.exit_code == 0, merged.output

    result = run.invoke(cli, ["--project", str(demo), "--coder", "Forsker 1", "import", str(copy)])

    assert result.exit_code == 0, result.output
    assert f"  code {HOPE} was merged into {SELF} here: the file's codings of it are {SELF}'s\n" in result.output
    assert ", 0 new codes" in result.output
    with Project.open(demo) as project, project.begin() as session:
        assert session.scalar(select(Code).where(Code.path == HOPE)) is None


def _codebook_from_before(session: Session, folder: Path, sub_code: bool = False) -> Path:
    """The project's .qdc as a colleague's program holds it; with `sub_code`, a code they made under HOPE."""
    root = etree.fromstring(write_qdc(session))
    if sub_code:
        hope = code_element(root, _guid(session, HOPE))
        etree.SubElement(hope, hope.tag, {"name": "framtidstro", "isCodable": "true", "guid": COLLEAGUE})
    file = folder / "fra-kollega.qdc"
    file.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    return file


def test_a_codebook_from_before_a_merge_leaves_the_merged_code_out_and_says_so(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    """It was made again, empty, under a new GUID: the merge undone unseen."""
    project = coded[0]
    with project.begin() as session:
        hope = _guid(session, HOPE)
        file = _codebook_from_before(session, tmp_path)
        coder = get_or_create_coder(session, "Forsker 1")
        merge_codes(session, HOPE, SELF, coder)
        before = code_tree(session)

        imported = import_qdc(session, load_qdc(file), coder)

        assert imported.changes.created == [] and imported.changes.moved == []
        assert imported.deviations == [f"code '{HOPE}' ({hope}) was merged into '{SELF}' in this project; left out, not made again"]
        assert code_tree(session) == before


def test_a_codebook_with_a_sub_code_under_a_code_merged_away_here_is_refused_in_one_line(
    coded: tuple[Project, PseudonymKey], tmp_path: Path,
) -> None:
    project = coded[0]
    with project.begin() as session:
        hope = _guid(session, HOPE)
        file = _codebook_from_before(session, tmp_path, sub_code=True)
        coder = get_or_create_coder(session, "Forsker 1")
        merge_codes(session, HOPE, SELF, coder)
        before = code_tree(session)

        with pytest.raises(CodebookInvalid) as refused:
            import_qdc(session, load_qdc(file), coder)

        assert refused.value.problems == [f"{file.name}: code {HOPE} ({hope}) was merged into {SELF} in this project, and the file has"
                                          " sub-codes under it; nothing changed"]
        assert refused.value.hint is not None and "export the codebook again" in refused.value.hint
        assert code_tree(session) == before


def test_the_labels_of_a_merge_memo_are_no_names_when_a_qdpx_brings_it_to_another_project() -> None:
    """A field trial: a .qdpx exported after a merge, imported into a second project, held back
    "Hurtigtast" (the label of the merged code's shortcut in the memo qualcode wrote) as a possible name."""
    from qualcode.importers.pseudonymise import undecided_in_texts

    memo = ("Koden empowerment/håp og motivasjon (GUID a914b91c-be3d-5e1b-adc7-0bf2b59585ca) ble slått sammen med"
            " empowerment/selvbilde og selvtillit.\nDefinisjon: Forventninger om at livet kan bli bedre.\n"
            "Signalord: håp, motivert, vendepunkt, glede seg, framtid\nHurtigtast: h\nFarge: #66BB6A")
    proposals = undecided_in_texts([memo, "Helge sier dette rett ut"], PseudonymKey("test"), set(), "prosjekt.qdpx")
    assert [proposal.text for proposal in proposals] == ["Helge"]
