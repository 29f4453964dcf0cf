"""What a Word report wrote for each quote, kept in the file, so a review import can tell a quote edited in place.

A reviewer who types over a quote (track changes off) leaves no mark Word can show: only what the
report wrote for the quote, its attribution, turn labels and "(…)" among its words, tells the edit.
The report keeps a digest of each quote's bookmarked paragraphs in a custom XML part (Word keeps
such parts through editing; python-docx too), and the import reads the file's paragraphs the same way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.exporters.report_options import BOOKMARK_PREFIX
from qualcode.text.docx_paragraphs import INSERTED, W

if TYPE_CHECKING:
    from lxml import etree

NAMESPACE = "urn:qualcode:written-quotes:1"
PART_NAME = re.compile(r"/customXml/item\d+\.xml$")  # Word's name for a custom XML part, which the leak check reads


@dataclass(frozen=True)
class WrittenQuote:
    bookmark: str  # the quote's bookmark name, by which the import finds it in the file
    ref: str  # its visible id ("S-6BC680"), by which the researcher finds it
    digest: str  # of its bookmarked paragraphs' words as written


def digest_of(paragraphs: Iterable[etree._Element]) -> str:
    """The paragraphs' words, tracked changes rejected and spaces tidied (an editor re-saving the file may
    split or join runs and breaks, which changes no word), digested."""
    words = " ".join(" ".join(_text(paragraph).split()) for paragraph in paragraphs)
    return hashlib.sha256(" ".join(words.split()).encode()).hexdigest()[:16]


def _text(paragraph: etree._Element) -> str:
    """Its words as the report wrote them: words a tracked change inserted are not yet the report's, and words it
    deleted still are, so an edit made with track changes on is said as one (review._tracked_changes), not twice."""
    said = []
    for node in paragraph.iter(f"{W}t", f"{W}delText"):
        ancestor = node.getparent()
        while ancestor is not None and ancestor is not paragraph and ancestor.tag not in INSERTED:
            ancestor = ancestor.getparent()
        if ancestor is None or ancestor is paragraph:
            said.append(node.text or "")
    return "".join(said)


def as_xml(quotes: Iterable[WrittenQuote]) -> bytes:
    """The custom XML part the report keeps them in."""
    from lxml import etree

    root = etree.Element(f"{{{NAMESPACE}}}quotes", nsmap={None: NAMESPACE})
    for quote in quotes:
        etree.SubElement(root, f"{{{NAMESPACE}}}quote", bookmark=quote.bookmark, ref=quote.ref, digest=quote.digest)
    written: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return written


def from_xml(root: etree._Element) -> list[WrittenQuote] | None:
    """The quotes a part lists, None if it is not this part (another custom XML part: a SharePoint form's)."""
    if root.tag != f"{{{NAMESPACE}}}quotes":
        return None
    return [WrittenQuote(node.get("bookmark") or "", node.get("ref") or "", node.get("digest") or "")
            for node in root.iter(f"{{{NAMESPACE}}}quote")]


def quote_digests(body: etree._Element, heading_styles: Iterable[str]) -> dict[str, str]:
    """Each quote bookmark's paragraphs in the file, digested as `digest_of` digests what the report wrote.

    A quote runs from the paragraph its bookmark starts in to the one it ends in; quotes never nest, and
    a heading is never part of one, so it ends at the next quote or heading at the latest (LibreOffice
    re-saves a bookmark over several paragraphs as two starts with one end)."""
    headings = set(heading_styles)
    paragraphs: dict[str, list[etree._Element]] = {}
    open_quotes: dict[str, str] = {}  # bookmark id -> name
    for paragraph in body.iter(f"{W}p"):
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        if style is not None and style.get(f"{W}val") in headings:
            open_quotes.clear()
            continue
        starts = [(node.get(f"{W}id") or "", node.get(f"{W}name") or "") for node in paragraph.iter(f"{W}bookmarkStart")]
        quote_starts = [(mark, name) for mark, name in starts if name.startswith(BOOKMARK_PREFIX)]
        if quote_starts:
            open_quotes.clear()
            open_quotes.update(quote_starts)
        for name in open_quotes.values():
            paragraphs.setdefault(name, []).append(paragraph)
        for node in paragraph.iter(f"{W}bookmarkEnd"):
            open_quotes.pop(node.get(f"{W}id") or "", None)
    return {name: digest_of(held) for name, held in paragraphs.items()}
