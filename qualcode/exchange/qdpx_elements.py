"""The elements of project.qde as the reading finds them: by their local name in any namespace
or none, as other programs write them, and described so that a researcher can find them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.text.normalise import shortened

if TYPE_CHECKING:
    from lxml import etree

# How much of a name from the file a line of the summary shows (a name may be 100,000 characters).
SHOWN = 80


def local_name(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def children_named(element: etree._Element, name: str) -> list[etree._Element]:
    """The child elements named `name` in any namespace or none; lxml picks them out, as a source may have 100,000 children."""
    return list(element.iterchildren(f"{{*}}{name}"))


def child_named(element: etree._Element, name: str) -> etree._Element | None:
    found = children_named(element, name)
    return found[0] if found else None


def child_text(element: etree._Element, name: str) -> str | None:
    child = child_named(element, name)
    return child.text if child is not None and child.text else None


def describe(element: etree._Element) -> str:
    """An element as a researcher can find it: its kind, name, GUID and line."""
    name = element.get("name")
    guid = element.get("guid")
    parts = [local_name(element) or "element"]
    if name:
        parts.append(repr(shortened(name, SHOWN)))
    if guid:
        parts.append(guid)
    return " ".join(parts) + f" (line {element.sourceline})"
