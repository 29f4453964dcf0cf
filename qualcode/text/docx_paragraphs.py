"""A Word paragraph's text read from its XML (w:p) with tracked changes accepted."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml.etree import _Element

# Plain lxml and Clark names, so neither the review import nor the .docx importer needs
# python-docx's element classes here, and importing this module loads neither library.
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"  # WordprocessingML's namespace, as lxml writes a tag
PARAGRAPH, RUN = f"{W}p", f"{W}r"
INSERTED = (f"{W}ins", f"{W}moveTo")
DELETED = (f"{W}del", f"{W}moveFrom")
_TEXT, _TAB, _POSITIONAL_TAB = f"{W}t", f"{W}tab", f"{W}ptab"
_BREAK, _BREAK_TYPE, _CARRIAGE_RETURN, _NO_BREAK_HYPHEN = f"{W}br", f"{W}type", f"{W}cr", f"{W}noBreakHyphen"
_RUN_PROPERTIES, _VANISH, _VALUE = f"{W}rPr", f"{W}vanish", f"{W}val"
TEXT_BOX = f"{W}txbxContent"
# Markup compatibility: Word writes what older readers cannot show (an emoji as w16se:symEx, a
# text box as a DrawingML shape) as choices, each with a fallback of plain WordprocessingML (the
# emoji as w:t, the box as VML). A reader that knows none of the choices reads the fallback only.
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
ALTERNATE_CONTENT, _CHOICE, FALLBACK = f"{_MC}AlternateContent", f"{_MC}Choice", f"{_MC}Fallback"


def paragraph_text(paragraph: _Element) -> str:
    """A paragraph's text with tracked changes accepted: runs inside insertions kept, inside deletions left out.

    Runs of paragraphs nested in this one (text boxes) are not part of it. Hidden text is left
    out, as Word shows the paragraph: kept, it stood inside words ("Sis[…]sel") and hid a name.
    Of alternative content, the fallback is read, not its choices: they hold the same words.
    """
    parts = []
    for run in paragraph.iter(RUN):
        owner = run.getparent()
        while owner is not None and owner is not paragraph and owner.tag not in DELETED and owner.tag not in (PARAGRAPH, _CHOICE):
            owner = owner.getparent()
        if owner is paragraph and not hidden(run):
            parts.append(run_text(run))
    return "".join(parts)


def chosen_away(element: _Element) -> bool:
    """Whether `element` stands in a choice of alternative content, whose fallback is read instead."""
    return next(element.iterancestors(_CHOICE), None) is not None


def hidden(run: _Element) -> bool:
    """Whether a run is hidden text (w:vanish, not switched off)."""
    properties = run.find(_RUN_PROPERTIES)
    vanish = properties.find(_VANISH) if properties is not None else None
    return vanish is not None and vanish.get(_VALUE, "true") not in ("0", "false", "off")


def run_text(run: _Element) -> str:
    """A run's text as python-docx reads it: tabs as a tab, line breaks as a newline, page and
    column breaks as nothing, a non-breaking hyphen as "-", field codes and deleted text left out;
    alternative content (an emoji as Word 2016 writes it) as its fallback."""
    parts = []
    for child in run:
        if child.tag == ALTERNATE_CONTENT:
            fallback = child.find(FALLBACK)
            parts.append(run_text(fallback) if fallback is not None else "")
            continue
        if child.tag == _TEXT:
            parts.append(child.text or "")
        elif child.tag in (_TAB, _POSITIONAL_TAB):
            parts.append("\t")
        elif child.tag == _BREAK:
            parts.append("\n" if child.get(_BREAK_TYPE, "textWrapping") == "textWrapping" else "")
        elif child.tag == _CARRIAGE_RETURN:
            parts.append("\n")
        elif child.tag == _NO_BREAK_HYPHEN:
            parts.append("-")
    return "".join(parts)
