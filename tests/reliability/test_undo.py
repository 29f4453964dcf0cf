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


def test_another_coders_changes_are_refused_and_undo_stays_each_coders_own(project: tuple[Path, dict[str, str]]) -> None:
    """Bent could resize, recode, write on and remove Anne's coding, which stayed under her name."""
    root, env = project
    added = json.loads(ok(as_coder("Anne", root, env, "coding", "add", "intervju", "empowerment", "--match", "være med og bestemme", "--json")).stdout)
    coding_id = int(added["id"])
    ok(as_coder("Anne", root, env, "coding", "memo", str(coding_id), "Et vendepunkt"))
    annes = {"code": "empowerment", "excerpt": "være med og bestemme", "memo": "Et vendepunkt", "removed": False}
    start = TEXT.index("Jeg fikk være med")
    for change in (["resize", str(coding_id), "--start", str(start), "--end", str(added["end"])],
                   ["recode", str(coding_id), "brukermedvirkning"], ["memo", str(coding_id), "Mitt notat"],
                   ["remove", str(coding_id)]):
        refused = as_coder("Bent", root, env, "coding", *change)
        assert_one_line_error(refused)
        assert f"coding {coding_id} is Anne's; only they can change it" in refused.stderr
        assert coding_row(root, coding_id) == annes
    nothing = as_coder("Bent", root, env, "undo")  # none of the refused changes is Bent's to undo
    assert_one_line_error(nothing)
    ok(as_coder("Anne", root, env, "undo"))  # her memo
    ok(as_coder("Anne", root, env, "undo"))  # her coding
    assert coding_row(root, coding_id) == {**annes, "memo": None, "removed": True}
