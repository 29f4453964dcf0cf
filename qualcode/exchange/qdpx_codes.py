"""The codebook of a .qdpx: its tree of codes, named as a code typed here is, or refused where no
project could hold it; ATLAS.ti's flat "Parent::child" names read as the tree they are there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.codebook.model import MAX_CODE_DEPTH, NOTHING_SHOWN, code_name, shows_nothing
from qualcode.errors import UnreadableFile
from qualcode.exchange.code_paths import ATLAS_SEPARATOR, most_parts, tree_depth, tree_from_paths
from qualcode.exchange.codebook_qdc import normal_guid, refi_colour
from qualcode.exchange.qdpx_elements import SHOWN, child_text, children_named, describe
from qualcode.exchange.qdpx_package import QdpxCode
from qualcode.text.counts import counted
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


def read_atlas_paths(reader: QdpxReader) -> None:
    """A file ATLAS.ti wrote: its flat "Parent::child" names read as the sub-codes they are there, under the
    file's code of the parent's name, or a grouping code made for them where the file has none. Only ATLAS.ti's:
    in another program's file, or qualcode's, "::" is part of a name."""
    from qualcode.exchange.project_export import derived_guid

    def group(name: str, first: QdpxCode) -> QdpxCode:
        # Named by no name (a GUID derived from a name could be tried against names): the same file gives the same group.
        # Never a GUID the file gives a code of its own (a file may be made to): that code would be taken for the group.
        made = derived_guid("atlas-code-group", first.guid)
        while made in reader.code_paths:
            made = derived_guid("atlas-code-group", made)
        reader.code_paths[made] = name
        return QdpxCode(made, name, False, None, None)

    package = reader.package
    too_deep = UnreadableFile(
        f"{package.file_name}: its codes' names, read as ATLAS.ti's sub-codes ('Parent::child'), nest more than"
        f" {MAX_CODE_DEPTH} levels deep; nothing imported",
        f"rename the deepest codes in ATLAS.ti to at most {MAX_CODE_DEPTH} levels, and export again",
    )
    if most_parts(package.codes, ATLAS_SEPARATOR) > MAX_CODE_DEPTH:
        raise too_deep
    package.codes, read = tree_from_paths(package.codes, ATLAS_SEPARATOR, group)
    if not read.split:
        return
    if tree_depth(package.codes) > MAX_CODE_DEPTH:
        raise too_deep
    named = ", ".join(repr(shortened(name, SHOWN)) for name in read.split[:3]) + (" …" if len(read.split) > 3 else "")
    said = (f"{counted(len(read.split), 'code name')} written as ATLAS.ti writes a sub-code ('Parent::child') read as"
            f" sub-codes ({named}), each keeping its codings")
    if read.made:
        made = ", ".join(repr(shortened(name, SHOWN)) for name in read.made[:3]) + (" …" if len(read.made) > 3 else "")
        said += f"; {counted(len(read.made), 'parent code')} the file has no code of made to hold them ({made})"
    package.deviations.append(said)
