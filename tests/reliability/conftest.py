"""Real processes against real project files: helpers shared by the reliability tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "transcripts"
PASSPHRASE = "test passphrase"


def cli_env(home: Path, key: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment a researcher's shell would have: own HOME, the key's passphrase, no coder."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("QUALCODE_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), QUALCODE_KEY_PASSPHRASE=PASSPHRASE)
    if key is not None:
        env["QUALCODE_KEY"] = str(key)
    env.update(extra)
    return env


def qualcode_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "qualcode", *args]


def run_qualcode(
    args: Sequence[str], env: dict[str, str], cwd: Path | None = None, timeout: float = 120,
    preexec: Callable[[], object] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `qualcode ARGS` as its own process and wait for it."""
    return subprocess.run(
        qualcode_command(*args), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
        preexec_fn=preexec,
    )


def start_qualcode(args: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.Popen[str]:
    """Start `qualcode ARGS` as its own process without waiting (for kills and races)."""
    return subprocess.Popen(
        qualcode_command(*args), env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> None:
    """A refusal a researcher can read: exit 1, one line on stderr starting with `error:`, no traceback."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def cli_project(tmp_path: Path, home: Path) -> tuple[Path, dict[str, str]]:
    """A project made with `qualcode init` in a real process, its key beside it (not inside)."""
    root = tmp_path / "studie"
    env = cli_env(home, tmp_path / "keys" / "studie.qckey")
    result = run_qualcode(["init", str(root)], env)
    assert result.returncode == 0, result.stderr
    return root, env


def made_project(base: Path, text: str, *steps: list[str]) -> tuple[Path, dict[str, str]]:
    """A project made by real `qualcode` processes in `base`: `init`, `text` imported as
    "intervju", then each of `steps` run on it. For module-scoped templates copied per test."""
    (base / "home").mkdir()
    env = cli_env(base / "home", base / "keys" / "studie.qckey")
    root = base / "studie"
    assert run_qualcode(["init", str(root)], env).returncode == 0
    source = base / "intervju.txt"
    source.write_text(text, encoding="utf-8")
    for args in (["import", str(source)], *steps):
        result = run_qualcode(["--project", str(root), *args], env)
        assert result.returncode == 0, result.stderr
    return root, env


def copied_project(template: tuple[Path, dict[str, str]], target: Path) -> tuple[Path, dict[str, str]]:
    """A copy of a template project for one test, with the template's environment (its key is shared)."""
    root = target / "studie"
    shutil.copytree(template[0], root)
    return root, template[1]
