"""Codes another program lists side by side, each name a path in that program's habit, read as
the tree they name: ATLAS.ti writes a sub-code as the flat name "Parent::child"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from qualcode.codebook.model import shows_nothing

# How ATLAS.ti names a sub-code: "brukermedvirkning::individuell medvirkning" is individuell medvirkning under brukermedvirkning.
ATLAS_SEPARATOR = "::"


class _Tree(Protocol):
    name: str
    children: list[Any]


_Code = TypeVar("_Code", bound=_Tree)


def path_parts(name: str, separator: str) -> tuple[str, ...] | None:
    """The names of the path `name` is, or None where it is no path: no separator, or a part that is empty ("::x",
    "x::") or drawn as nothing ("x::" and a Hangul filler), as no code of its own may be named."""
    if separator not in name:
        return None
    parts = tuple(" ".join(part.split()) for part in name.split(separator))
    return parts if all(part and not shows_nothing(part) for part in parts) else None


@dataclass
class PathsRead:
    """What reading names as paths did: each name read so, as written, and the groups made to hold them."""

    split: list[str] = field(default_factory=list)
    made: list[str] = field(default_factory=list)  # each made group's path among its siblings' ("brukermedvirkning")


def tree_from_paths(
    codes: list[_Code], separator: str, make_group: Callable[[str, _Code], _Code], read: PathsRead | None = None,
) -> tuple[list[_Code], PathsRead]:
    """`codes`, and each one's sub-codes, as the tree their names say: a code named "a::b" is b under the code
    named a beside it (in any case), or under a group made for it where there is none (`make_group(name, its
    first code)`). Each code stays the object it was, with its GUID and codings: only its name and place change."""
    read = read if read is not None else PathsRead()
    parts_of = {id(code): path_parts(code.name, separator) or (code.name,) for code in codes}
    if any(len(parts) > 1 for parts in parts_of.values()):
        holders: dict[tuple[str, ...], _Code] = {}  # a path in lower case -> the file's code there, the first of that path
        for code in codes:
            holders.setdefault(tuple(part.casefold() for part in parts_of[id(code)]), code)
        roots: list[_Code] = []
        made: dict[tuple[str, ...], _Code] = {}

        def holder(parts: tuple[str, ...], first: _Code) -> _Code:
            folded = tuple(part.casefold() for part in parts)
            found = holders.get(folded)
            found = made.get(folded) if found is None else found
            if found is None:
                found = made[folded] = make_group(parts[-1], first)
                read.made.append("::".join(parts))
                (holder(parts[:-1], found).children if len(parts) > 1 else roots).append(found)
            return found

        for code in codes:
            parts = parts_of[id(code)]
            if len(parts) > 1:
                read.split.append(code.name)
                code.name = parts[-1]
                holder(parts[:-1], code).children.append(code)
            else:
                roots.append(code)
        codes = roots
    for code in codes:
        code.children, _ = tree_from_paths(code.children, separator, make_group, read)
    return codes, read


def most_parts(codes: list[Any], separator: str) -> int:
    """The most names one code's name holds as a path, among `codes` and their sub-codes: asked before the tree is made,
    as a name of thousands ("a::a::…") would nest too deep to make."""
    return max((max(len(path_parts(code.name, separator) or (code.name,)), most_parts(code.children, separator)) for code in codes),
               default=0)


def tree_depth(codes: list[Any]) -> int:
    """How many levels deep the tree of `codes` is."""
    return max((1 + tree_depth(code.children) for code in codes), default=0)
