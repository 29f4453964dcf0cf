"""A snapshot of the analysis screen at 80x24, so a layout change is a visible, reviewed change."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.conftest import open_tui

SnapCompare = Callable[..., bool]  # pytest-textual-snapshot's fixture, which it leaves untyped


async def _open_analysis(pilot: Pilot[None]) -> None:
    app = pilot.app
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("m")  # the analysis screen from the overview
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("down", "down", "right")  # the cursor on a count, its passages described below
    await pilot.pause()


def test_analysis_matrix(snap_compare: SnapCompare, tmp_path: Path, coded_template: tuple[Path, dict[str, Any]]) -> None:
    root = tmp_path / "project"
    shutil.copytree(coded_template[0], root)
    assert snap_compare(open_tui(root), terminal_size=(80, 24), run_before=_open_analysis)
