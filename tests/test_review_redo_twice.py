"""Two colleagues who import the same reviewed report in turn, each undoing and redoing their import: no comment
is kept twice, whichever of them redoes last."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from qualcode.anonymise.key import load_key
from qualcode.coding.history import redo
from qualcode.coding.memos import MemoView
from qualcode.errors import QualcodeError
from qualcode.exporters import review
from qualcode.store.models import Coder, Memo
from qualcode.store.project import Project
from tests.test_review_roundtrip import OWN, SHARED, commented, ok, reported, reported_template, run

__all__ = ["reported", "reported_template"]  # the fixtures, shared with the round trip's tests


def live(project: Path) -> list[tuple[str, str]]:
    with Project.open(project) as opened, opened.begin() as session:
        return sorted((memo.author.name, memo.text) for memo in session.scalars(select(Memo).where(Memo.removed_at.is_(None))))


def test_an_import_undone_while_a_colleagues_redo_brought_its_comments_back_is_not_redone(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Sterkt.", "Anne"), (SHARED, "Ja.", "Anne"))
    ok(run(project, "review", "import", str(reviewed), coder="Prober"))
    ok(run(project, "undo", coder="Prober"))
    assert "2 new memos" in ok(run(project, "review", "import", str(reviewed), coder="Kari")).output
    ok(run(project, "undo", coder="Kari"))
    ok(run(project, "redo", coder="Prober"))  # nothing of the comments is live: Prober's import comes back
    assert live(project) == [("Anne", "Ja."), ("Anne", "Sterkt.")]
    refused = run(project, "redo", coder="Kari")
    assert refused.exit_code == 1 and "the comments of what you last undid came in again since" in refused.output, refused.output
    assert live(project) == [("Anne", "Ja."), ("Anne", "Sterkt.")]



def test_an_import_undone_whose_comments_came_in_again_and_were_removed_since_is_not_redone(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """A comment's memo removed (`memo remove`) was a decision about the comment, as the next import keeps: the redo
    of an import undone before it came in again would bring it back unsaid."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Sterkt.", "Anne"), (SHARED, "Ja.", "Anne"))
    ok(run(project, "review", "import", str(reviewed), coder="Prober"))
    ok(run(project, "undo", coder="Prober"))
    ok(run(project, "review", "import", str(reviewed), coder="Kari"))
    with Project.open(project) as opened, opened.begin() as session:
        brought = session.scalars(select(Memo.id).where(Memo.removed_at.is_(None))).all()
    for memo in brought:
        ok(run(project, "memo", "remove", str(memo), coder="Kari"))
    refused = run(project, "redo", coder="Prober")
    assert refused.exit_code == 1 and f"came in again since, by another import (memo {brought[0]}, removed since)" in refused.output, refused.output
    assert live(project) == []


def test_an_import_undone_before_key_new_whose_comments_came_in_again_since_is_not_redone(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """Its comments' digests were made with the key before: those brought in again are known as brought in for them."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Sterkt.", "Anne"), (SHARED, "Ja.", "Anne"))
    ok(run(project, "review", "import", str(reviewed), coder="Prober"))
    ok(run(project, "undo", coder="Prober"))
    ok(run(project, "key", "destroy", "--yes"))
    ok(run(project, "key", "new"))
    assert "2 new memos" in ok(run(project, "review", "import", str(reviewed), coder="Kari")).output
    refused = run(project, "redo", coder="Prober")
    assert refused.exit_code == 1 and "the comments of what you last undid came in again since" in refused.output, refused.output
    assert live(project) == [("Anne", "Ja."), ("Anne", "Sterkt.")]
    # Kari's undone, Prober's is redone; Kari's is not redone then, though it was brought in under the key now.
    ok(run(project, "undo", coder="Kari"))
    ok(run(project, "redo", coder="Prober"))
    refused = run(project, "redo", coder="Kari")
    assert refused.exit_code == 1 and "the comments of what you last undid came in again since" in refused.output, refused.output
    assert live(project) == [("Anne", "Ja."), ("Anne", "Sterkt.")]


def test_a_redo_at_once_with_an_import_of_the_same_file_keeps_each_comment_once(
    reported: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The import reads which comments' imports were undone, and writes them anew, under the write lock: a redo of
    the undone import at once waits, then finds them in again (each was kept twice: the redo found none yet)."""
    project, report = reported
    reviewed = commented(report, tmp_path / "c.docx", (OWN, "Sterkt.", "Anne"), (SHARED, "Ja.", "Anne"))
    ok(run(project, "review", "import", str(reviewed), coder="Prober"))
    ok(run(project, "undo", coder="Prober"))
    reached, go = threading.Event(), threading.Event()
    add_memo = review.add_memo

    def paused(*args: Any, **kwargs: Any) -> MemoView:  # the import, having found a comment's import undone, as it writes it
        reached.set()
        go.wait(10)
        return add_memo(*args, **kwargs)

    monkeypatch.setattr(review, "add_memo", paused)
    key = load_key(Path(os.environ["QUALCODE_KEY"]), "test passphrase")
    said: list[str] = []

    def importing() -> None:
        with Project.open(project) as opened, opened.begin() as session:
            kari = session.scalars(select(Coder).where(Coder.name == "Kari")).one()
            review.import_review(session, reviewed, key, importer=lambda: kari)

    def redoing() -> None:
        try:
            with Project.open(project) as opened, opened.begin() as session:
                said.append(redo(session, session.scalars(select(Coder).where(Coder.name == "Prober")).one()).summary)
        except QualcodeError as refused:
            said.append(refused.message)

    importer = threading.Thread(target=importing)
    importer.start()
    assert reached.wait(30)
    redoer = threading.Thread(target=redoing)
    redoer.start()
    redoer.join(1.5)  # done by now unless it waits for the import
    go.set()
    importer.join(30)
    redoer.join(30)
    assert live(project) == [("Anne", "Ja."), ("Anne", "Sterkt.")], said
    assert said and "came in again since" in said[0], said
