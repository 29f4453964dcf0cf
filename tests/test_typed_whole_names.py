"""A name typed whole that the key holds is settled by the key, whatever words of it wait for review alone:
"Berg" waits (is "Lege Berg" Hansen-Berg?), and a memo on "Hansen-Berg" names her, as an import reads it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import run

FRONT = "---\nparticipant: D9\nrole: deltaker\nwave: T1\n---\n"


def _pending(project: list[str]) -> list[str]:
    return [candidate["text"] for candidate in json.loads(run(*project, "anonymise", "pending", "--json").stdout)]


def _stored(demo: Path) -> bytes:
    return (demo / ".qualcode" / "project.db").read_bytes()


def _berg_waiting(demo: Path, tmp_path: Path) -> list[str]:
    """The demo with "Hansen-Berg" in the key and "Berg" alone waiting for review, as an import leaves them."""
    project = ["--project", str(demo)]
    held = tmp_path / "ny.txt"
    held.write_text(FRONT + "I: Hei.\nD9: Lege Berg sa at det går bra.\n", encoding="utf-8")
    assert run(*project, "import", str(held)).exit_code == 1
    assert run(*project, "identifiers", "add", "Hansen-Berg", "--kind", "person", "--gender", "f").exit_code == 0
    assert _pending(project) == ["Berg"]
    return project


def test_a_double_barrelled_name_the_key_holds_is_typed_though_a_word_of_it_waits(demo: Path, tmp_path: Path) -> None:
    """A probe: the memo "Fru Hansen-Berg ringte." was refused for "Berg", read word by word."""
    project = _berg_waiting(demo, tmp_path)
    for memo in ("Fru Hansen-Berg ringte.", "Hansen-Bergs plan er god.", "HANSEN-BERG ringte."):
        added = run(*project, "memo", "add", memo)
        assert added.exit_code == 0, (memo, added.output)
    edited = run(*project, "codebook", "edit", "empowerment", "--definition", "Som Hansen-Berg sa om mestring")
    assert edited.exit_code == 0, edited.output
    assert b"Hansen-Berg" not in _stored(demo) and b"HANSEN-BERG" not in _stored(demo)
    assert _pending(project) == ["Berg"]


def test_a_word_of_it_alone_beside_the_whole_name_is_still_refused(demo: Path, tmp_path: Path) -> None:
    project = _berg_waiting(demo, tmp_path)
    for memo in ("Lege Berg ringte.", "Hansen-Berg ringte, og Berg kom senere."):
        refused = run(*project, "memo", "add", memo)
        assert refused.exit_code == 1 and "names 'Berg', which waits for review" in refused.output, (memo, refused.output)
    assert "ringte" not in run(*project, "memo", "list").output


def test_the_coding_memo_and_the_terminal_ui_s_memo_take_the_same_path(demo: Path, tmp_path: Path) -> None:
    """`coding memo` and the UI's memo (Workspace.set_memo) read a memo as `memo add` does; a refused one
    leaves the coding's memo, the log and the database as they were."""
    from sqlalchemy import func, select

    from qualcode.config import Config
    from qualcode.errors import AwaitsReview
    from qualcode.store.models import Coding, Event
    from qualcode.store.project import Project
    from qualcode.workspace import Workspace
    from tests.test_review_roundtrip import OWN

    project = _berg_waiting(demo, tmp_path)
    assert run(*project, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", OWN).exit_code == 0
    written = run(*project, "coding", "memo", "1", "Hansen-Berg ringte")
    assert written.exit_code == 0, written.output
    with Project.open(demo) as opened, opened.begin() as session:
        events = session.scalar(select(func.count(Event.id)))
    with Workspace.open(Config.resolve(project=demo, coder=None, key=None)) as workspace:
        workspace.set_memo(1, "Fru Hansen-Berg sa ja")
        try:
            workspace.set_memo(1, "Lege Berg sa nei")
        except AwaitsReview as refused:
            assert "names 'Berg', which waits for review" in refused.message
        else:
            raise AssertionError("a memo naming 'Berg' alone was stored")
    with Project.open(demo) as opened, opened.begin() as session:
        memo = session.scalars(select(Coding.memo)).one()
        assert session.scalar(select(func.count(Event.id))) == events + 1  # the UI's first memo only
    assert memo is not None and memo.startswith("Fru ") and memo.endswith(" sa ja") and "Berg" not in memo
    assert b"Lege Berg" not in _stored(demo) and b"Hansen-Berg" not in _stored(demo)
    assert run(*project, "undo").exit_code == 0
    assert "ringte" in json.loads(run(*project, "coding", "list", "--json").stdout)[0]["memo"]
