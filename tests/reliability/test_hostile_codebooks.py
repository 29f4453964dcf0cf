"""Hostile codebooks (issue 15, item 13): refused in one line, quickly, by real processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.conftest import assert_one_line_error, run_qualcode

# Each hostile file must be refused well within this; before the fix the billion laughs ran past 120 s.
TIMEOUT = 30


def alias_cycle() -> str:
    return "name: Syklus\ncodes: &codes\n  - name: a\n    codes: *codes\n"


def deep_yaml(levels: int = 300) -> str:
    """Codes nested `levels` deep, each level a real '- name:' code."""
    lines = ["name: Dyp", "codes:"]
    for level in range(levels):
        indent = "  " * (2 * level + 1)
        lines.append(f"{indent}- name: kode{level}")
        lines.append(f"{indent}  codes:")
    lines.append("  " * (2 * levels + 1) + "- name: bunn")
    return "\n".join(lines) + "\n"


def deep_flow() -> str:
    return "name: Flyt\ncodes: " + "[" * 100_000 + "]" * 100_000 + "\n"


def billion_laughs() -> str:
    lines = ["name: Latter", "lol0: &l0 [{name: lol}]"]
    for level in range(1, 10):
        previous = ", ".join([f"{{name: lol{k}, codes: *l{level - 1}}}" for k in range(10)])
        lines.append(f"lol{level}: &l{level} [{previous}]")
    lines.append("codes: *l9")
    return "\n".join(lines) + "\n"


def merge_key() -> str:
    return "name: Flett\nbase: &base {definition: felles}\ncodes:\n  - <<: *base\n    name: a\n"


def twelve_levels_of_codes() -> str:
    return deep_yaml(11)  # 11 nested '- name' levels plus the bottom code: 12 levels of codes


def huge() -> str:
    return "name: Stor\ncodes:\n  - name: a\n" + ("# fyll " + "x" * 90 + "\n") * 42_000  # 4.1 MB


def nul_byte() -> str:
    return "name: Null\ncodes:\n  - name: a\x00b\n"


HOSTILE = {
    "alias-cycle": (alias_cycle, "line 2", "anchor"),
    "deep-yaml": (deep_yaml, "line ", "deep"),
    "deep-flow": (deep_flow, "line 2", "deep"),
    "billion-laughs": (billion_laughs, "line 2", "anchor"),
    "merge-key": (merge_key, "line 2", "anchor"),
    "twelve-levels": (twelve_levels_of_codes, "line ", "levels"),
    "huge": (huge, "", "MB"),
    "nul-byte": (nul_byte, "line 3", "character"),
}


def write(directory: Path, name: str) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(HOSTILE[name][0](), encoding="utf-8")
    return path


# In-process checks cover every case (tests/test_codebook.py); these run the worst as real processes.
IN_A_PROCESS = ["alias-cycle", "billion-laughs", "deep-yaml", "huge", "nul-byte", "twelve-levels"]


@pytest.mark.parametrize("name", IN_A_PROCESS)
def test_validate_refuses_a_hostile_codebook_in_one_line(name: str, tmp_path: Path, home: Path) -> None:
    from tests.reliability.conftest import cli_env

    path = write(tmp_path, name)
    result = run_qualcode(["codebook", "validate", str(path)], cli_env(home), timeout=TIMEOUT)
    assert_one_line_error(result)
    _, where, says = HOSTILE[name]
    assert f"{path.name}{' ' + where if where else ''}" in result.stderr or (where == "line " and "line" in result.stderr)
    assert says in result.stderr, result.stderr


def test_import_and_init_refuse_hostile_codebooks_and_change_nothing(
    cli_project: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    root, env = cli_project
    database = root / ".qualcode" / "project.db"
    before = database.read_bytes()
    for name in ("billion-laughs", "deep-yaml"):
        path = write(tmp_path, name)
        result = run_qualcode(["codebook", "import", str(path)], env, cwd=root, timeout=TIMEOUT)
        assert_one_line_error(result)
        fresh = tmp_path / f"ny-{name}"
        result = run_qualcode(["init", "--codebook", str(path), str(fresh)], env, timeout=TIMEOUT)
        assert_one_line_error(result)
        assert not (fresh / ".qualcode").exists()
    assert database.read_bytes() == before
