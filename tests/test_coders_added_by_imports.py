"""A coder an import brings in (a reviewer whose comments come back, a user of a .qdpx) is in the
history as added by whoever ran the import, as `coder add` records it, not as their own change."""

from __future__ import annotations

from pathlib import Path

from qualcode.config import Config
from qualcode.workspace import Workspace
from tests.test_coders import events, roles
from tests.test_exchange_import import foreign_project
from tests.test_review_roundtrip import OWN, commented, ok, run


def _report(demo: Path, folder: Path) -> Path:
    ok(run(demo, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", OWN, coder="Forsker 1"))
    ok(run(demo, "export", "report", "--output", str(folder / "r.docx")))
    return folder / "r.docx"


def test_a_reviewer_new_to_the_project_is_added_by_whoever_imports_the_comments(demo: Path, tmp_path: Path) -> None:
    """`qualcode review import` recorded a new reviewer as having added themselves."""
    report = _report(demo, tmp_path)
    reviewed = commented(report, tmp_path / "c.docx", ("Jeg fikk plass", "Enig.", "Leser A"))

    ok(run(demo, "review", "import", str(reviewed), coder="Forsker 2"))
    with Workspace.open(Config.resolve(project=demo, coder="Forsker 3")) as workspace:  # as the UI imports them
        workspace.import_review_file(commented(report, tmp_path / "d.docx", ("Jeg fikk plass", "Godt.", "Leser B")))

    added = {event["summary"]: event["coder"] for event in events(demo, "coder.create")}
    assert added["new coder Leser A (reviewer)"] == "Forsker 2"
    assert added["new coder Leser B (reviewer)"] == "Forsker 3"
    # Someone new to the project who imports their own comments adds themselves, as a reviewer: no coder the project knows.
    their_own = commented(report, tmp_path / "e.docx", ("Jeg fikk plass", "Mitt.", "Ny Leser"))
    ok(run(demo, "review", "import", str(their_own), coder="Ny Leser"))
    assert {event["summary"]: event["coder"] for event in events(demo, "coder.create")}["new coder Ny Leser (reviewer)"] == "Ny Leser"
    assert roles(demo)["Ny Leser"] == "reviewer"


def test_the_users_a_qdpx_brings_are_added_by_whoever_imports_it(demo: Path, tmp_path: Path) -> None:
    """Anne Forsker and Bo Medforsker were each recorded as having added themselves."""
    result = run(demo, "import", str(foreign_project(tmp_path)), coder="Forsker 2")

    assert ok(result).output.count("  new coder ") == 2
    added = {event["summary"]: event["coder"] for event in events(demo, "coder.create")}
    assert added["new coder Anne Forsker from fremmed.qdpx"] == "Forsker 2"
    assert added["new coder Bo Medforsker from fremmed.qdpx"] == "Forsker 2"


def test_a_qdpx_user_who_imports_the_file_adds_themselves_and_the_others(demo: Path, tmp_path: Path) -> None:
    ok(run(demo, "import", str(foreign_project(tmp_path)), coder="Anne Forsker"))

    added = {event["summary"]: event["coder"] for event in events(demo, "coder.create")}
    assert added["new coder Anne Forsker from fremmed.qdpx"] == "Anne Forsker"
    assert added["new coder Bo Medforsker from fremmed.qdpx"] == "Anne Forsker"
    assert "Anne Forsker (researcher)" not in " ".join(added)  # one coder, made once, with the user's GUID
