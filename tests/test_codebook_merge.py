"""Merging a codebook file into a project, and adding codes: what the merge takes from codes it
does not name is logged and undone, codes keep their places, and names are checked as stored."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.codebook.model import Codebook, CodeSpec
from qualcode.codebook.service import apply_codebook, create_code, list_codes, update_code
from qualcode.codebook.yaml_format import parse_codebook
from qualcode.coding.history import history, undo
from qualcode.errors import Ambiguous, CodebookInvalid, InvalidInput
from qualcode.store.models import Code, Coder
from tests.test_cli import run


def _shortcuts(session: Session) -> dict[str, str | None]:
    return {path: shortcut for path, shortcut in session.execute(select(Code.path, Code.shortcut))}


def _order(session: Session) -> list[str]:
    return [view.path for view in list_codes(session)]


@pytest.mark.parametrize("order", [("helse", "skjønn"), ("skjønn", "helse")])
def test_a_shortcut_the_file_gives_another_code_is_taken_as_a_logged_change_that_undo_gives_back(
    session: Session, coder: Coder, order: tuple[str, str],
) -> None:
    """The tester's case: skjønn took helse's 8 with no record of it, and undo left helse without one."""
    shortcuts = _shortcuts(session)
    assert shortcuts["helse"] == "8"
    specs = {"helse": CodeSpec(name="helse"), "skjønn": CodeSpec(name="skjønn", shortcut="8")}
    apply_codebook(session, Codebook(name="x", codes=[specs[name] for name in order]), coder)

    assert "took shortcut '8' from helse for skjønn" in [view.summary for view in history(session, limit=5)]
    assert _shortcuts(session)["helse"] is None and _shortcuts(session)["skjønn"] == "8"
    undo(session, coder)  # the file is one change
    assert _shortcuts(session) == shortcuts


def test_codes_a_file_names_in_the_projects_order_keep_their_places(session: Session, coder: Coder) -> None:
    """A file with a few codes gave them places 0, 1, ... beside the codes it left out, which
    reordered the tree, and logged each as a change of position."""
    before = _order(session)
    apply_codebook(session, Codebook(name="x", codes=[CodeSpec(name="skjønn"), CodeSpec(name="helse", definition="Helse og sykdom")]),
                   coder)
    assert _order(session) == before
    assert [view.summary for view in history(session, limit=2)] == [
        "renamed the codebook from 'KVP – Kvalifiseringsprogrammet' to 'x'", "changed definition of helse",
    ]


def test_codes_a_file_reorders_take_one_anothers_places_and_the_rest_keep_theirs(session: Session, coder: Coder) -> None:
    before = _order(session)
    apply_codebook(session, Codebook(name="x", codes=[CodeSpec(name="helse"), CodeSpec(name="nytt tema"), CodeSpec(name="skjønn")]),
                   coder)
    swapped = [{"helse": "skjønn", "skjønn": "helse"}.get(path, path) for path in before]
    assert _order(session) == [*swapped, "nytt tema"]


@pytest.mark.parametrize("specs", [
    [CodeSpec(name="Helse")],
    [CodeSpec(name="empowerment", children=[CodeSpec(name="Avmakt")])],
])
def test_a_file_with_a_code_differing_only_in_case_from_one_beside_it_is_refused(session: Session, specs: list[CodeSpec]) -> None:
    """`codebook add` refuses Helse beside helse; the import made it."""
    codes = session.scalar(select(func.count()).select_from(Code))
    with pytest.raises(CodebookInvalid, match=r"differs only in case from the code (helse|empowerment/avmakt) in this project"):
        apply_codebook(session, Codebook(name="x", codes=specs))
    assert session.scalar(select(func.count()).select_from(Code)) == codes


@pytest.mark.parametrize("name", ["zz\nyy", "zz\tyy", "zz\x85yy"])
def test_a_code_name_with_a_line_break_or_tab_is_refused_however_it_comes(session: Session, coder: Coder, name: str) -> None:
    """Exported and read back, the name came back with a space: the project's own codebook made the code twice."""
    with pytest.raises(InvalidInput, match=r"^the code name .* holds a line break or control character \(U\+") as refused:
        create_code(session, f"empowerment/{name}", coder=coder)
    assert refused.value.hint is not None and refused.value.hint.startswith("give it on one line")
    with pytest.raises(CodebookInvalid, match=r"^the code name .* holds a line break or control character \(U\+[^)]*\)$"):
        apply_codebook(session, Codebook(name="x", codes=[CodeSpec(name=name)]), coder)
    assert session.scalar(select(Code).where(Code.name.like("zz%"))) is None


@pytest.mark.parametrize("shortcut", ["\t", "\n", " ", "\x07", "\u00ad", "\u200b", "\u0301", "\u3164", "\u2028", "ab"])
def test_a_shortcut_that_is_not_a_visible_character_is_refused_however_it_comes(session: Session, coder: Coder, shortcut: str) -> None:
    """A YAML import took a soft hyphen, a zero-width space and a lone accent as helse's key, which `edit` refuses."""
    with pytest.raises(InvalidInput, match=r"must be one visible character$"):
        update_code(session, "helse", {"shortcut": shortcut}, coder)
    with pytest.raises(InvalidInput, match=r"must be one visible character$"):
        create_code(session, "empowerment/ny", {"shortcut": shortcut}, coder)
    source = f"name: x\ncodes:\n  - name: helse\n    shortcut: {json.dumps(shortcut)}\n"
    if shortcut.strip():  # YAML reads a blank shortcut as none at all
        with pytest.raises(CodebookInvalid, match=r"^kodebok.yaml line 4: shortcut .* of helse must be one visible character$"):
            parse_codebook(source, "kodebok.yaml")


def test_a_shortcut_typed_decomposed_is_one_character_everywhere(session: Session, coder: Coder) -> None:
    """An "é" typed as e and an accent was refused as two characters."""
    decomposed = unicodedata.normalize("NFD", "é")
    assert update_code(session, "helse", {"shortcut": decomposed}, coder).shortcut == "é"
    read = parse_codebook(f"name: x\ncodes:\n  - name: helse\n    shortcut: {decomposed}\n", "kodebok.yaml")
    assert read.codes[0].shortcut == "é"
    assert apply_codebook(session, read, coder).unchanged == ["helse"]


def test_a_name_the_key_replaces_is_checked_for_case_as_it_is_stored(demo: Path) -> None:
    """`codebook add "sissel bakken"` made "anna myklebust" (the pseudonym) beside "Anna Myklebust"."""
    project = str(demo)
    first = run("--project", project, "--coder", "A", "codebook", "add", "Sissel Bakken")
    assert first.exit_code == 0 and "sissel" not in first.output.lower()
    pseudonym = first.output.strip().removeprefix("added code ")
    again = run("--project", project, "--coder", "A", "codebook", "add", "sissel bakken")
    assert again.exit_code == 1
    assert f"differs only in case from the code {pseudonym}" in again.output and "Traceback" not in again.output
    names = [line.rpartition("  (")[0].strip() for line in run("--project", project, "codebook", "show").output.splitlines()]
    assert [name for name in names if name.casefold() == pseudonym.casefold()] == [pseudonym]


def test_a_qdc_code_with_a_known_guid_under_another_parent_is_moved_there_not_added_again(session: Session, coder: Coder) -> None:
    """It was added as a new code with a new GUID without a word: the file's GUID matched nothing.
    (tests/test_exchange_codebook_moves.py has the move itself.)"""
    from qualcode.exchange.codebook_qdc import import_qdc, read_qdc

    guid = session.scalar(select(Code.guid).where(Code.path == "empowerment/avmakt"))
    parent = session.scalar(select(Code.guid).where(Code.path == "brukermedvirkning"))
    qdc = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="{parent}" name="brukermedvirkning" isCodable="true"><Code guid="{guid}" name="avmakt" isCodable="true"/></Code>
</Codes></CodeBook>""".encode()

    imported = import_qdc(session, read_qdc(qdc, "flyttet.qdc"), coder)

    assert imported.changes.moved == [("empowerment/avmakt", "brukermedvirkning/avmakt")] and imported.changes.created == []
    assert session.scalar(select(Code.path).where(Code.guid == guid)) == "brukermedvirkning/avmakt"
    assert session.scalar(select(Code).where(Code.path == "empowerment/avmakt")) is None


def test_a_code_named_as_another_codes_shortcut_makes_the_key_ambiguous_not_a_silent_switch(demo: Path, tmp_path: Path) -> None:
    """`coding add leder_L1 5` coded arbeidslinja (key 5) until a codebook brought a code named "5":
    then the same command coded intervjuguide/5."""
    project = str(demo)
    match = ["--match", "Jeg har sagt til veilederne"]
    (tmp_path / "guide.yaml").write_text('name: kodebok\ncodes:\n  - name: intervjuguide\n    codes:\n      - name: "5"\n', "utf-8")
    imported = run("--project", project, "--coder", "A", "codebook", "import", str(tmp_path / "guide.yaml"))
    assert imported.exit_code == 0, imported.output
    assert "intervjuguide/5 is named as the shortcut '5' of arbeidslinja" in imported.output
    ambiguous = run("--project", project, "--coder", "A", "coding", "add", "leder_L1", "5", *match)
    assert ambiguous.exit_code == 1 and "Traceback" not in ambiguous.output
    [line] = ambiguous.output.strip().splitlines()
    assert "code '5' could be arbeidslinja (its shortcut) or intervjuguide/5 (by name)" in line
    assert "give the full path or GUID: arbeidslinja or intervjuguide/5" in line
    for path in ("arbeidslinja", "intervjuguide/5"):
        assert run("--project", project, "--coder", "A", "coding", "add", "leder_L1", path, *match).exit_code == 0
    top = run("--project", project, "--coder", "A", "codebook", "add", "8")  # helse's key
    assert top.exit_code == 0 and "8 is named as the shortcut '8' of helse" in top.output
    refused = run("--project", project, "--coder", "A", "coding", "list", "--code", "8")
    assert refused.exit_code == 1 and "or helse (by name)" not in refused.output and "could be helse (its shortcut) or 8 (by name)" in refused.output
    edited = run("--project", project, "--coder", "A", "codebook", "edit", "helse", "--shortcut", "5")
    assert edited.exit_code == 1 and "already used by arbeidslinja" in edited.output


def test_a_shortcut_nobody_shares_and_a_name_nobody_shares_are_found_as_before(session: Session, coder: Coder) -> None:
    from qualcode.codebook.service import find_code, shortcut_clashes

    assert find_code(session, "5").path == "arbeidslinja"
    assert shortcut_clashes(session) == []
    create_code(session, "empowerment/Q", {}, coder)  # q is måltall-press/kvantitet mot kvalitet's key, and names are found in any case
    assert find_code(session, "Q").path == "empowerment/Q"  # no code's key
    with pytest.raises(Ambiguous, match=r"^code 'q' could be måltall-press/kvantitet mot kvalitet \(its shortcut\) or empowerment/Q \(by name\) \("):
        find_code(session, "q")
    assert len(shortcut_clashes(session)) == 1 and shortcut_clashes(session, {"helse"}) == []


def test_a_files_codebook_name_and_description_are_reported_logged_and_undone_like_a_codes_change(demo: Path, tmp_path: Path) -> None:
    """`name: "kodebok runde 2"` replaced the codebook's name with no history entry ("0 codes added,
    0 updated, 1 unchanged"), and `undo` then took back the coder's earlier change instead."""
    project = ["--project", str(demo), "--coder", "A"]
    assert run(*project, "codebook", "edit", "helse", "--definition", "Helse og helsetjenester").exit_code == 0
    own = tmp_path / "egen.yaml"
    assert run(*project, "codebook", "export", str(own)).exit_code == 0
    old_name = own.read_text("utf-8").splitlines()[0].removeprefix("name: ")
    file = tmp_path / "runde2.yaml"
    file.write_text('name: "kodebok runde 2"\ndescription: Etter andre runde\ncodes:\n  - name: helse\n', "utf-8")
    imported = run(*project, "codebook", "import", str(file))
    assert imported.exit_code == 0, imported.output
    assert (f"0 codes added, 0 updated, 1 unchanged; renamed the codebook from {old_name!r} to 'kodebok runde 2';"
            " changed the codebook's description") in imported.output
    assert "renamed the codebook" in run(*project, "history", "--limit", "1").output
    undone = run(*project, "undo")
    assert undone.exit_code == 0 and "renamed the codebook" in undone.output
    assert run(*project, "codebook", "export").output == own.read_text("utf-8")  # the name, description and helse as before
    assert "renamed the codebook" in run(*project, "redo").output
    again = run(*project, "codebook", "import", str(file))
    assert "0 codes added, 0 updated, 1 unchanged\n" in again.output  # the same name again is no change
