"""Undo and redo never cross coders (issue 15, item 8): two researchers as real processes.

Anne codes a passage and writes a memo on it; Bent resizes and recodes the same coding. Anne's
undo would put back her state over his: it must be refused in one line, leaving everything of
Bent's, until Bent undoes his own changes. Redo likewise.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from qualcode.store.models import Coding
from qualcode.store.project import Project
from tests.reliability.conftest import (
    assert_one_line_error,
    copied_project,
    made_project,
    run_qualcode,
)

TEXT = """I: Hvordan kom du inn i programmet?
D1: Veilederen foreslo det. Jeg fikk være med og bestemme handlingsplanen.
I: Hva betydde det?
D1: Jeg fikk mer selvtillit.
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    return made_project(tmp_path_factory.mktemp("undo"), TEXT)


@pytest.fixture
def project(template: tuple[Path, dict[str, str]], tmp_path: Path) -> tuple[Path, dict[str, str]]:
    return copied_project(template, tmp_path)


def as_coder(name: str, root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_qualcode(["--project", str(root), "--coder", name, *args], env)


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0 and "Traceback" not in result.stderr, (result.stdout, result.stderr)
    return result


def coding_row(root: Path, coding_id: int) -> dict[str, Any]:
    with Project.open(root) as opened, opened.begin() as session:
        coding = session.scalar(select(Coding).where(Coding.id == coding_id))
        assert coding is not None
        return {
            "code": coding.code.path, "excerpt": coding.excerpt, "memo": coding.memo,
            "removed": coding.removed_at is not None,
        }


def anne_codes_and_bent_changes(root: Path, env: dict[str, str]) -> int:
    added = json.loads(ok(as_coder("Anne", root, env, "coding", "add", "intervju", "empowerment", "--match", "være med og bestemme", "--json")).stdout)
    ok(as_coder("Anne", root, env, "coding", "memo", str(added["id"]), "Et vendepunkt"))
    start = TEXT.index("Jeg fikk være med")
    ok(as_coder("Bent", root, env, "coding", "resize", str(added["id"]), "--start", str(start), "--end", str(added["end"])))
    ok(as_coder("Bent", root, env, "coding", "recode", str(added["id"]), "brukermedvirkning"))
    return int(added["id"])


BENTS = {"code": "brukermedvirkning", "excerpt": "Jeg fikk være med og bestemme", "memo": "Et vendepunkt", "removed": False}


def test_undo_refuses_to_overwrite_another_coders_later_change(project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    coding_id = anne_codes_and_bent_changes(root, env)
    refused = as_coder("Anne", root, env, "undo")
    assert_one_line_error(refused)
    assert "Bent changed this coding after you" in refused.stderr
    assert coding_row(root, coding_id) == BENTS  # nothing of Bent's lost, Anne's memo kept

    ok(as_coder("Bent", root, env, "undo"))  # his recode
    ok(as_coder("Bent", root, env, "undo"))  # his resize
    assert coding_row(root, coding_id) == {**BENTS, "code": "empowerment", "excerpt": "være med og bestemme"}
    ok(as_coder("Anne", root, env, "undo"))  # her memo
    ok(as_coder("Anne", root, env, "undo"))  # her coding
    assert coding_row(root, coding_id) == {"code": "empowerment", "excerpt": "være med og bestemme", "memo": None, "removed": True}
    nothing = as_coder("Bent", root, env, "undo")  # Bent's undo never brings back what Anne removed
    assert_one_line_error(nothing)
    assert coding_row(root, coding_id)["removed"] is True


def test_redo_refuses_to_overwrite_a_change_made_since_the_undo(project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    added = json.loads(ok(as_coder("Anne", root, env, "coding", "add", "intervju", "empowerment", "--match", "være med og bestemme", "--json")).stdout)
    coding_id = int(added["id"])
    ok(as_coder("Anne", root, env, "coding", "recode", str(coding_id), "helse"))
    ok(as_coder("Anne", root, env, "undo"))  # back to empowerment
    ok(as_coder("Bent", root, env, "coding", "recode", str(coding_id), "brukermedvirkning"))
    refused = as_coder("Anne", root, env, "redo")
    assert_one_line_error(refused)
    assert "Bent changed this coding after you" in refused.stderr
    assert coding_row(root, coding_id)["code"] == "brukermedvirkning"
    ok(as_coder("Bent", root, env, "undo"))
    ok(as_coder("Anne", root, env, "redo"))
    assert coding_row(root, coding_id)["code"] == "helse"
