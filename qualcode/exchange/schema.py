"""The REFI-QDA namespaces and validation against the official schemas shipped in `schemas/`.

Validation gives every problem with its line, so `qualcode exchange validate` can print them and an
export can refuse to write a file another program would reject.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml import etree

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMA_FILES = {PROJECT_NS: "Project.xsd", CODEBOOK_NS: "Codebook.xsd"}


@dataclass(frozen=True)
class Problem:
    """One way a document breaks its schema, with the line it is on."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@cache
def _schema(namespace: str) -> etree.XMLSchema:
    from lxml import etree

    # The schemas are ours, shipped in the package, so the parser needs no limits on them.
    data = resources.files("qualcode.exchange").joinpath("schemas", SCHEMA_FILES[namespace]).read_bytes()
    return etree.XMLSchema(etree.fromstring(data))


def schema_problems(root: etree._Element) -> list[Problem]:
    """The problems of a parsed project or codebook against its schema; none when it is valid.

    A root in neither REFI-QDA namespace is itself the one problem, since no schema applies.
    """
    namespace = root.tag.partition("}")[0].lstrip("{") if root.tag.startswith("{") else ""
    if namespace not in SCHEMA_FILES:
        expected = " or ".join(f"{{{ns}}}" for ns in SCHEMA_FILES)
        return [Problem(root.sourceline or 1, f"root element {root.tag} is not a REFI-QDA Project or CodeBook ({expected})")]
    schema = _schema(namespace)
    if schema.validate(root):
        return []
    return [Problem(error.line, error.message) for error in schema.error_log]
