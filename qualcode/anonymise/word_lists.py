"""The word lists shipped in qualcode/anonymise/data/: names, places, everyday words."""

from __future__ import annotations

from importlib import resources


def data_lines(name: str) -> dict[str, list[str]]:
    """The entries of a data file by its "# [section]" headers; other comment lines are notes."""
    sections: dict[str, list[str]] = {}
    current = sections.setdefault("", [])
    for line in resources.files("qualcode.anonymise").joinpath("data", name).read_text(encoding="utf-8").splitlines():
        if line.startswith("# [") and line.rstrip().endswith("]"):
            current = sections.setdefault(line.strip()[3:-1], [])
        elif line.strip() and not line.startswith("#"):
            current.append(line.strip())
    return sections
