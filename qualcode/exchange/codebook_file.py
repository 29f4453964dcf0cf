"""A codebook file of either kind, YAML or a REFI-QDA .qdc, read as what it holds; a .qdpx project given as one refused."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from qualcode.errors import CodebookInvalid

if TYPE_CHECKING:
    from pathlib import Path

    from qualcode.codebook.model import Codebook
    from qualcode.exchange.codebook_qdc import QdcCodebook

# Every zip begins so, a .qdpx as any: no YAML or XML codebook does.
ZIP_MAGIC = b"PK\x03\x04"


def codebook_kind(path: Path) -> str:
    """What `path` holds, by its name and first bytes: "zip" (a .qdpx, or any zip), "qdc" (a REFI-QDA
    codebook: a .qdc name or XML), else "yaml" (a missing file too); a .qdc and a .yaml renamed are both common."""
    if not path.is_file():
        return "yaml"  # whose reader says the file is missing
    with path.open("rb") as handle:
        start = handle.read(512)
    if path.suffix.lower() == ".qdpx" or start.startswith(ZIP_MAGIC):
        return "zip"
    if path.suffix.lower() == ".qdc" or start.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return "qdc"
    return "yaml"


def load_any_codebook(path: Path) -> tuple[Codebook, QdcCodebook | None]:
    """The codebook in `path`, and the .qdc it was read from (its origin and deviations) if it was one.

    A .qdpx (a whole project) is refused in one line naming the command that imports it, where it was
    read as YAML and said to be "not UTF-8 text"."""
    kind = codebook_kind(path)
    if kind == "zip":
        # `qualcode import` takes a project by its .qdpx name.
        how = (f"import the whole project with `qualcode import {shlex.quote(str(path))}`" if path.suffix.lower() == ".qdpx"
               else "if it is a project, name it .qdpx and import it with `qualcode import`")
        raise CodebookInvalid([
            f"{path.name} is a zip file, as a REFI-QDA project (.qdpx) is, not a codebook: {how},"
            " or export its codebook as a .qdc from the other program"
        ])
    if kind == "qdc":
        from qualcode.exchange.codebook_qdc import load_qdc

        qdc = load_qdc(path)
        return qdc.codebook, qdc
    # PyYAML, only where a codebook file is read.
    from qualcode.codebook.yaml_format import load_codebook

    return load_codebook(path), None
