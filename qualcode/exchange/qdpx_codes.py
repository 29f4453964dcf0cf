"""The codebook of a .qdpx: its tree of codes, named as a code typed here is, or refused where no
project could hold it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.codebook.model import MAX_CODE_DEPTH, NOTHING_SHOWN, code_name, shows_nothing
from qualcode.errors import UnreadableFile
from qualcode.exchange.codebook_qdc import normal_guid, refi_colour
from qualcode.exchange.qdpx_elements import SHOWN, child_text, children_named, describe
from qualcode.exchange.qdpx_package import QdpxCode
from qualcode.text.normalise import shortened, unseen_character

if TYPE_CHECKING:
    from lxml import etree

    from qualcode.exchange.qdpx_reader import QdpxReader


def read_codes(reader: QdpxReader, element: etree._Element, depth: int = 1, parent_path: str = "") -> list[QdpxCode]:
    """The codes under `element`, named as the codebook readers name them; a tree deeper than theirs is refused."""
    codes = []
    for code in children_named(element, "Code"):
        if depth > MAX_CODE_DEPTH:
            raise UnreadableFile(
                f"{reader.package.file_name}: {describe(code)}: codes are nested more than {MAX_CODE_DEPTH} levels deep; nothing imported",
                f"flatten the code tree to at most {MAX_CODE_DEPTH} levels in the other program and export again",
            )
        path = " ".join((code.get("name") or "").split())
        path = f"{parent_path}/{path}" if parent_path else path
        repeated = normal_guid(code.get("guid"))
        if repeated is not None and repeated in reader.code_paths:
            # Which of the two is the code the project holds, with its codings, only the other program knows.
            raise UnreadableFile(
                f"{reader.package.file_name}: the file lists code GUID {repeated} twice: at {shortened(reader.code_paths[repeated], SHOWN)}"
                f" and at {shortened(path, SHOWN)}; nothing imported",
                "in the other program, give one of them a GUID of its own, or export again",
            )
        guid = reader.guid(code)
        if guid is None:
            continue
        reader.code_paths[guid] = path
        written = (code.get("name") or "").strip()
        name = code_name(written)  # as a typed code name is kept: one line, nothing invisible
        # Composed letters and single spaces change nothing anyone sees ("håp" from a Mac is written decomposed),
        # nor does an emoji's joiner, which is kept (👩‍👩‍👧): said is what a typed name may not hold.
        if unseen_character(written) is not None:
            reader.package.problems.append(f"{describe(code)}: its name held a line break, tab or invisible character; read as {shortened(name, SHOWN)!r}")
        if "/" in name:
            name = name.replace("/", "-")
            reader.package.problems.append(f"{describe(code)}: its name holds '/', which separates code paths; read as {shortened(name, SHOWN)!r}")
        if not name:
            reader.package.problems.append(f"{describe(code)}: no name; skipped with its sub-codes")
            continue
        if shows_nothing(name):
            reader.package.problems.append(f"{describe(code)}: its name is written with {NOTHING_SHOWN}; skipped with its sub-codes")
            continue
        written_colour = (code.get("color") or "").strip()
        colour = refi_colour(written_colour)
        if written_colour and colour is None:
            reader.package.problems.append(f"{describe(code)}: colour {shortened(written_colour, SHOWN)!r} is not #RRGGBB; left without a colour")
        codable = (code.get("isCodable") or "true").strip().lower() not in {"false", "0"}
        codes.append(QdpxCode(
            guid, name, codable, colour,
            child_text(code, "Description"), read_codes(reader, code, depth + 1, path), reader.refs(code, "NoteRef"),
        ))
    return codes
