"""Snapshots of the main screens at 80x24, so a layout change is a visible, reviewed change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from qualcode.anonymise.key import PseudonymKey
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.service import add_coding
from qualcode.store.project import Project
from tests.conftest import import_samples, open_tui, sample_key

SIZE = (80, 24)
SnapCompare = Callable[..., bool]  # pytest-textual-snapshot's fixture, which it leaves untyped


@pytest.fixture
def coded_project(project: Project) -> Path:
    # A fixed key GUID gives the same pseudonyms every run, so the pictures do not drift.
    import_samples(project, sample_key(PseudonymKey("snapshot")))
    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        add_coding(session, "leder_L1", "måltall-press", coder, match="Vi får et måltall hvert år fra fylket")
        add_coding(session, "leder_L1", "inntakspress", coder, match="Jeg har sagt til veilederne at vi må nå måltallet før jul.")
    root = project.root
    project.close()
    return root


async def _settle(pilot: Pilot[None]) -> None:
    app = pilot.app
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def _open_leader(pilot: Pilot[None]) -> None:
    await _settle(pilot)
    await pilot.press("down", "enter")  # leder_L1 is second by name
    await _settle(pilot)


def test_overview(snap_compare: SnapCompare, coded_project: Path) -> None:
    assert snap_compare(open_tui(coded_project), terminal_size=SIZE, run_before=_settle)


def test_reader_with_codings(snap_compare: SnapCompare, coded_project: Path) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await _open_leader(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket", "right_square_bracket")
        await _settle(pilot)

    assert snap_compare(open_tui(coded_project), terminal_size=SIZE, run_before=before)


def test_code_picker(snap_compare: SnapCompare, coded_project: Path) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await _open_leader(pilot)
        await pilot.press("v", "p", *"medvirk")
        await _settle(pilot)

    assert snap_compare(open_tui(coded_project), terminal_size=SIZE, run_before=before)


def test_help(snap_compare: SnapCompare, coded_project: Path) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await _open_leader(pilot)
        await pilot.press("question_mark")
        await _settle(pilot)

    assert snap_compare(open_tui(coded_project), terminal_size=SIZE, run_before=before)
