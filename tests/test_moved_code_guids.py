"""A code's GUID derived from a path that named someone is derived anew when the key learns the name,
whichever path the code has now: moved, it kept the GUID of the path it was made at."""

from __future__ import annotations

import sqlite3
import uuid
import zipfile
from pathlib import Path

from click.testing import CliRunner, Result
from lxml import etree

from qualcode.cli import cli
from qualcode.store.models import CODE_NAMESPACE, code_guid

QDA = "{urn:QDA-XML:codebook:1.0}"


def _run(root: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--project", str(root), "--coder", "F1", *args], catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)
    return result


def _codes(qdc: Path) -> dict[str, str]:
    """Each code's path in a .qdc, and its GUID."""
    found: dict[str, str] = {}

    def walk(element: etree._Element, above: str) -> None:
        for child in element:
            if child.tag == f"{QDA}Code":
                path = f"{above}/{child.get('name')}".lstrip("/")
                found[path] = child.get("guid") or ""
                walk(child, path)

    walk(etree.parse(str(qdc)).getroot().find(f"{QDA}Codes"), "")
    return found


def _edited(qdc: Path, code: str, new_parent: str) -> Path:
    """The .qdc with `code` (by name) moved under `new_parent`, as a researcher moves it in another program."""
    tree = etree.parse(str(qdc))
    moved = next(element for element in tree.iter(f"{QDA}Code") if element.get("name") == code)
    next(element for element in tree.iter(f"{QDA}Code") if element.get("name") == new_parent).append(moved)
    out = qdc.with_name(f"edited-{qdc.name}")
    tree.write(str(out), xml_declaration=True, encoding="utf-8")
    return out


def _database_text(root: Path) -> str:
    with sqlite3.connect(root / ".qualcode" / "project.db") as db:
        return "\n".join(db.iterdump())


def _leaking(name: str, *paths: str) -> set[str]:
    return {str(uuid.uuid5(CODE_NAMESPACE, path.replace("{}", name))) for path in paths}


def test_a_moved_code_named_for_someone_gets_a_new_guid_when_the_key_learns_the_name(demo: Path, tmp_path: Path) -> None:
    """A probe: `a/Tormod Haugland`, moved under b, then the name learned: the code became b/<pseudonym>,
    and every .qdc and .qdpx exported after carried uuid5('a/Tormod Haugland'), which anyone with the
    source's namespace and a list of names could confirm."""
    for command in (["codebook", "add", "a"], ["codebook", "add", "b"], ["anonymise", "dismiss", "Tormod Haugland"],
                    ["codebook", "add", "a/Tormod Haugland"], ["codebook", "export", str(tmp_path / "t1.qdc")]):
        _run(demo, *command)
    assert _codes(tmp_path / "t1.qdc")["a/Tormod Haugland"] == code_guid("a/Tormod Haugland")
    assert "1 moved" in _run(demo, "codebook", "import", str(_edited(tmp_path / "t1.qdc", "Tormod Haugland", "b"))).output
    _run(demo, "identifiers", "add", "Tormod Haugland", "--kind", "person")
    _run(demo, "codebook", "export", str(tmp_path / "t2.qdc"))
    [(path, guid)] = [(path, guid) for path, guid in _codes(tmp_path / "t2.qdc").items() if path.startswith("b/")]
    assert "Tormod" not in path and guid == code_guid(path)
    leaking = _leaking("Tormod Haugland", "a/{}", "b/{}")
    assert not leaking & set(_codes(tmp_path / "t2.qdc").values())
    _run(demo, "export", "qdpx", str(tmp_path / "p.qdpx"))
    with zipfile.ZipFile(tmp_path / "p.qdpx") as archive:
        assert not any(guid in archive.read("project.qde").decode("utf-8") for guid in leaking)
    assert not any(guid in _database_text(demo) for guid in leaking)  # the log's references follow the code
    # Its history is still its own, and undo still finds it.
    assert "moved code a/" in _run(demo, "codebook", "history", path).output
    assert "undid: moved code" in _run(demo, "undo").output
    _run(demo, "codebook", "export", str(tmp_path / "t3.qdc"))
    assert _codes(tmp_path / "t3.qdc")[f"a/{path.removeprefix('b/')}"] == guid


def test_codes_moved_out_from_under_a_name_get_new_guids_when_the_key_learns_it(demo: Path, tmp_path: Path) -> None:
    """Moved from under Tormod Haugland to b before anyone knew it was a name, a code's path holds no
    name when the key learns it, but its GUID, and its sub-code's (moved with it, with no change of
    its own in the log), were still derived from paths that held it."""
    for command in (["codebook", "add", "b"], ["anonymise", "dismiss", "Tormod Haugland"], ["codebook", "add", "Tormod Haugland"],
                    ["codebook", "add", "Tormod Haugland/samtaler"], ["codebook", "add", "Tormod Haugland/samtaler/tidlig"],
                    ["codebook", "export", str(tmp_path / "t1.qdc")]):
        _run(demo, *command)
    _run(demo, "codebook", "import", str(_edited(tmp_path / "t1.qdc", "samtaler", "b")))
    _run(demo, "codebook", "export", str(tmp_path / "t2.qdc"))
    before = _codes(tmp_path / "t2.qdc")
    assert before["b/samtaler/tidlig"] == code_guid("Tormod Haugland/samtaler/tidlig")
    _run(demo, "identifiers", "add", "Tormod Haugland", "--kind", "person")
    _run(demo, "codebook", "export", str(tmp_path / "t3.qdc"))
    after = _codes(tmp_path / "t3.qdc")
    assert after["b/samtaler"] == code_guid("b/samtaler") and after["b/samtaler/tidlig"] == code_guid("b/samtaler/tidlig")
    assert not _leaking("Tormod Haugland", "{}", "{}/samtaler", "{}/samtaler/tidlig") & set(after.values())
    assert not any(guid in _database_text(demo) for guid in _leaking("Tormod Haugland", "{}/samtaler", "{}/samtaler/tidlig"))
    # A code whose GUID never came from a name keeps it: a later merge still finds it by GUID.
    assert after["b"] == before["b"] and after["empowerment"] == before["empowerment"]


def test_a_guid_an_older_version_left_made_from_a_name_is_redrawn_by_reapply(demo: Path, tmp_path: Path) -> None:
    """Versions before the key re-derived GUIDs left a code named for someone with uuid5 of the
    path that named them, and nothing in the project recorded that path any more: `anonymise
    reapply` finds it by writing the key's originals back into the path, and gives another."""
    for command in (["codebook", "add", "a"], ["anonymise", "dismiss", "Tormod Haugland"], ["codebook", "add", "a/Tormod Haugland"],
                    ["identifiers", "add", "Tormod Haugland", "--kind", "person"], ["codebook", "export", str(tmp_path / "t1.qdc")]):
        _run(demo, *command)
    [(path, now)] = [(path, guid) for path, guid in _codes(tmp_path / "t1.qdc").items() if path.startswith("a/")]
    old = code_guid("a/Tormod Haugland")
    with sqlite3.connect(demo / ".qualcode" / "project.db") as db:  # as an older version left the project
        db.execute("UPDATE codes SET guid = ? WHERE guid = ?", (old, now))
        db.execute("UPDATE events SET entity_guid = ? WHERE entity_guid = ?", (old, now))
        db.execute("UPDATE events SET payload = replace(payload, ?, ?)", (now, old))
    assert old in _database_text(demo)
    redrawn = _run(demo, "anonymise", "reapply")
    assert "gave 1 codes a new GUID" in redrawn.output
    _run(demo, "codebook", "export", str(tmp_path / "t2.qdc"))
    assert _codes(tmp_path / "t2.qdc")[path] == code_guid(path) and old not in _database_text(demo)
    # The log's references follow the code: undone and redone, it comes back with the new GUID.
    assert "undid: created code" in _run(demo, "undo").output and "redid: created code" in _run(demo, "redo").output
    _run(demo, "codebook", "export", str(tmp_path / "t3.qdc"))
    assert _codes(tmp_path / "t3.qdc")[path] == code_guid(path) and old not in _database_text(demo)
    assert "nothing to rewrite" in _run(demo, "anonymise", "reapply").output
