"""Concurrent writers (issue 15, items 9 and 10): no duplicates, no lost codings, no tracebacks.

Two kinds of real processes race here: workers that call the coding service in a loop and meet
at a file barrier before every step (so each step is a real race, many of them cheaply), and
`qualcode coding add` itself, started together, for what a researcher sees.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.service import add_coding
from qualcode.errors import QualcodeError
from qualcode.store.models import Coder, Coding, Event
from qualcode.store.project import Project
from tests.reliability.conftest import (
    ForkedProcess,
    assert_one_line_error,
    copied_project,
    made_project,
    run_qualcode,
    start_qualcode,
)

PHRASES = 80

def start_together(ready: Path, go: Path) -> Callable[[], None]:
    """For a child to run before its command: say it is ready, then wait for the go, so children
    started with it begin their commands together."""

    def wait() -> None:
        ready.touch()
        while not go.exists():
            time.sleep(0.001)

    return wait


def coding_worker(root: Path, barrier: Path, me: int, mode: str, steps: int) -> None:
    """Meets the other worker at a barrier file before each step, then codes with the service."""

    def meet(step: int) -> None:
        (barrier / f"{step}-{me}").touch()
        deadline = time.monotonic() + 30
        while not (barrier / f"{step}-{1 - me}").exists():
            if time.monotonic() > deadline:
                sys.exit(f"the other worker never reached step {step}")
            time.sleep(0.0002)

    with Project.open(root) as project:
        for step in range(steps):
            meet(step)
            if mode == "new-coder":  # the same passage, by a coder neither process has seen before
                coder_name, phrase = f"koder{step}", f"nummer {step} kom"
            elif mode == "known-coder":  # the same passage, by a coder both know
                coder_name, phrase = "koder", f"nummer {step} kom"
            else:  # each process its own passages
                coder_name, phrase = f"koder{me}", f"nummer {2 * step + me} kom"
            try:
                with project.begin() as session:
                    coder = get_or_create_coder(session, coder_name)
                    add_coding(session, "intervju", "empowerment", coder, match=phrase)
                print("added", step, flush=True)
            except QualcodeError as error:
                print("refused", step, error.message, flush=True)


def interview() -> str:
    lines = ["I: Hvordan gikk det?"]
    lines += [f"D1: Jeg svarte nummer {number} kom først, og så gikk det bra." for number in range(PHRASES)]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A project made and imported into by real `qualcode` processes, copied for each test."""
    return made_project(tmp_path_factory.mktemp("concurrency"), interview())


@pytest.fixture
def project_root(template: tuple[Path, dict[str, str]], tmp_path: Path) -> tuple[Path, dict[str, str]]:
    return copied_project(template, tmp_path)


def run_workers(root: Path, barrier: Path, mode: str, steps: int) -> list[subprocess.CompletedProcess[str]]:
    barrier.mkdir()
    workers = [
        ForkedProcess(functools.partial(coding_worker, root, barrier, me, mode, steps), ["worker", str(root), str(me), mode])
        for me in (0, 1)
    ]
    results = []
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(worker.args, worker.returncode, stdout, stderr))
    for result in results:
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    return results


def live_codings(root: Path) -> list[tuple[int, str, int, int]]:
    with Project.open(root) as project, project.begin() as session:
        rows = session.execute(
            select(Coding.code_id, Coder.name, Coding.start, Coding.end).join(Coder).where(Coding.removed_at.is_(None))
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.mark.parametrize("mode", ["new-coder", "known-coder"])
def test_the_same_passage_coded_twice_at_once_is_one_coding(
    project_root: tuple[Path, dict[str, str]], tmp_path: Path, mode: str
) -> None:
    root, env = project_root
    steps = 25
    if mode == "known-coder":
        assert run_qualcode(["--project", str(root), "coder", "add", "koder"], env).returncode == 0
    results = run_workers(root, tmp_path / "barrier", mode, steps)
    outcomes = Counter(line.split()[0] for result in results for line in result.stdout.splitlines())
    assert outcomes == {"added": steps, "refused": steps}
    refusals = [line for result in results for line in result.stdout.splitlines() if line.startswith("refused")]
    assert all("is already coded empowerment by koder" in line and "(coding " in line for line in refusals), refusals
    codings = live_codings(root)
    assert len(codings) == steps and len(set(codings)) == steps
    with Project.open(root) as project, project.begin() as session:
        names = session.scalars(select(Coder.name).where(Coder.name.like("koder%"))).all()
        created = session.scalar(
            select(func.count()).select_from(Event).where(Event.action == "coder.create", Event.summary.like("new coder koder%"))
        )
        added = session.scalar(select(func.count()).select_from(Event).where(Event.action == "coding.add"))
    expected = [f"koder{step}" for step in range(steps)] if mode == "new-coder" else ["koder"]
    assert sorted(names) == sorted(expected) and created == len(expected)
    assert added == steps


def test_two_writers_at_once_keep_every_coding(project_root: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    root, _env = project_root
    steps = PHRASES // 2
    results = run_workers(root, tmp_path / "barrier", "different", steps)
    assert all(result.stdout.count("added") == steps for result in results), [r.stdout for r in results]
    codings = live_codings(root)
    assert len(codings) == 2 * steps and len(set(codings)) == 2 * steps
    assert Counter(name for _code, name, _start, _end in codings) == {"koder0": steps, "koder1": steps}


def test_coding_add_twice_at_once_on_the_command_line(project_root: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """Pairs of `qualcode coding add`, each pair a new coder and one passage, all started together."""
    root, env = project_root
    pairs = 3
    go = tmp_path / "go"
    processes = []
    for pair in range(pairs):
        args = ["--project", str(root), "--coder", f"ny{pair}", "coding", "add", "intervju", "empowerment", "--match", f"nummer {pair} kom"]
        processes += [
            (pair, start_qualcode(args, env, preexec=start_together(tmp_path / f"ready-{pair}-{twin}", go)))
            for twin in range(2)
        ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < 2 * pairs and time.monotonic() < deadline:
        time.sleep(0.001)
    go.touch()
    by_pair: dict[int, list[subprocess.CompletedProcess[str]]] = {}
    for pair, process in processes:
        stdout, stderr = process.communicate(timeout=120)
        by_pair.setdefault(pair, []).append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    for pair, results in by_pair.items():
        winners = [r for r in results if r.returncode == 0]
        losers = [r for r in results if r.returncode != 0]
        assert len(winners) == 1 and len(losers) == 1, [(r.returncode, r.stderr) for r in results]
        assert winners[0].stdout.startswith("added coding")
        assert_one_line_error(losers[0])
        assert f"is already coded empowerment by ny{pair} (coding " in losers[0].stderr
    codings = live_codings(root)
    assert len(codings) == pairs and len(set(codings)) == pairs
