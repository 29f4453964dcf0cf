"""The Word report: one chapter per top-level code, quotes laid out as Norwegian reports do."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from io import BytesIO

import docx
from docx.document import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.text.paragraph import Paragraph
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.codebook.service import CodeView
from qualcode.coding.passages import Quote, QuoteFilter
from qualcode.exporters.attribution import attribute, check_template
from qualcode.exporters.labels import labels
from qualcode.store.models import Coder, Memo, Participant, Transcript
from qualcode.store.settings import get_setting

BLOCK_QUOTE_WORDS = 20  # the convention: about 20 words or more is an indented block quote
BOOKMARK_PREFIX = "q_"


@dataclass(frozen=True)
class ReportOptions:
    title: str | None = None
    attribution: str = "role"
    language: str = "nb"
    context: bool = False
    memos: bool = False


def bookmark_name(quote: Quote) -> str:
    return BOOKMARK_PREFIX + quote.guid.replace("-", "")[:20]


# Progress is reported once per this many quotes written.
QUOTE_BATCH = 100


def render_report(
    session: Session, quotes: list[Quote], codes: list[CodeView], selection: QuoteFilter, options: ReportOptions,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The report as the bytes of a .docx file (exporters.publish checks them for leaks and publishes them).

    `progress(done, total)` is called after each batch of QUOTE_BATCH quotes and once at the end.
    """
    words = labels(options.language)
    check_template(options.attribution)
    document = docx.Document()
    _set_language(document, "nb-NO" if options.language == "nb" else "en-GB")
    # Block quotes are indented on both sides, as the report conventions ask.
    quote_format = document.styles["Quote"].paragraph_format
    quote_format.left_indent, quote_format.right_indent = Cm(1.25), Cm(1.25)
    _title_page(session, document, selection, options, words)
    document.add_paragraph(words["contents"], style="TOC Heading")
    _add_field(document.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u')
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _method_note(session, document, quotes, codes, words)
    _codebook_table(document, codes, words)
    by_code: dict[str, list[Quote]] = {}
    for quote in quotes:
        by_code.setdefault(quote.code_path, []).append(quote)
    bookmark_id = 0
    for code in codes:
        level = min(code.depth + 1, 3)
        document.add_heading(code.name, level=level)
        if code.definition:
            document.add_paragraph(code.definition)
        subtree = [q for path, qs in by_code.items() if path == code.path or path.startswith(code.path + "/") for q in qs]
        _counts_table(document, subtree, words)
        writer = _Writer(document)
        for quote in by_code.get(code.path, []):
            bookmark_id += 1
            _quote(writer, quote, options, words, bookmark_id)
            if progress is not None and bookmark_id % QUOTE_BATCH == 0:
                progress(bookmark_id, len(quotes))
    if progress is not None and bookmark_id % QUOTE_BATCH:
        progress(bookmark_id, len(quotes))
    _page_numbers(document, words)
    document.core_properties.title = options.title or (get_setting(session, "project.name") or "qualcode")
    document.core_properties.author = "qualcode"
    document.core_properties.language = "nb-NO" if options.language == "nb" else "en-GB"
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _title_page(session: Session, document: Document, selection: QuoteFilter, options: ReportOptions, words: dict[str, str]) -> None:
    document.add_paragraph(options.title or (get_setting(session, "project.name") or "qualcode"), style="Title")
    document.add_paragraph(words["subtitle"], style="Subtitle")
    document.add_paragraph(f"{words['made']} {date.today().isoformat()}")
    chosen = [", ".join(selection.codes) or words["all_codes"]]
    for label, values in (("roles", selection.roles), ("waves", selection.waves), ("participants", selection.participants),
                          ("transcripts", selection.transcripts), ("coders", selection.coders)):
        if values:
            chosen.append(f"{label}: {', '.join(values)}")
    if selection.attributes:
        chosen.append(", ".join(f"{k}={v}" for k, v in selection.attributes))
    if selection.query:
        chosen.append(f"søk/query: {selection.query}")
    if selection.cap_per_participant:
        chosen.append(f"max {selection.cap_per_participant} per participant")
    document.add_paragraph(f"{words['selection']}: " + "; ".join(chosen))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _method_note(session: Session, document: Document, quotes: list[Quote], codes: list[CodeView], words: dict[str, str]) -> None:
    """The material, the rounds, who coded what is quoted here, and who commented on drafts of it."""
    document.add_heading(words["method"], level=1)
    roles = Counter(role or words["no_role"] for role in session.scalars(select(Participant.role)))
    waves = sorted(w for w in session.scalars(select(Transcript.wave).distinct()) if w)
    # Coders are the people whose codings are in this export: not a login that merely ran a
    # command, not a reviewer whose comments came back as memos.
    coders = sorted({quote.coder for quote in quotes})
    reviewers = _reviewers(session, quotes, codes)
    document.add_paragraph(
        words["method_text"].format(
            transcripts=session.scalar(select(func.count()).select_from(Transcript)) or 0,
            participants=sum(roles.values()),
            roles=", ".join(f"{count} {role}" for role, count in sorted(roles.items())),
            waves=", ".join(waves) if waves else words["no_rounds"],
            coders=_listed(coders, words) or "-",
            quotes=len(quotes),
            quoted_transcripts=len({q.transcript for q in quotes}),
        )
        + (" " + words["reviewers_text"].format(reviewers=_listed(reviewers, words)) if reviewers else "")
    )


def _reviewers(session: Session, quotes: list[Quote], codes: list[CodeView]) -> list[str]:
    """Authors of reviewers' comments (memos from `review import`) on these quotes, these codes or the whole project."""
    coding_ids = {quote.coding_id for quote in quotes}
    code_ids = {code.id for code in codes}
    rows = session.execute(
        select(Coder.name, Memo.coding_id, Memo.code_id, Memo.transcript_id)
        .join(Memo, Memo.author_id == Coder.id)
        .where(Memo.source.like("review:%"), Memo.removed_at.is_(None))
    )
    return sorted({
        name for name, coding_id, code_id, transcript_id in rows
        if coding_id in coding_ids or code_id in code_ids or (coding_id is None and code_id is None and transcript_id is None)
    })


def _listed(names: list[str], words: dict[str, str]) -> str:
    """"A, B og C" in the report's language."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {words['and']} {names[-1]}"


def _codebook_table(document: Document, codes: list[CodeView], words: dict[str, str]) -> None:
    document.add_heading(words["codebook"], level=1)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (words["code"], words["definition"], words["inclusion"], words["exclusion"]), strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for code in codes:
        row = table.add_row().cells
        row[0].text = code.path.replace("/", " / ")
        row[1].text, row[2].text, row[3].text = code.definition or "", code.inclusion or "", code.exclusion or ""


def _counts_table(document: Document, quotes: list[Quote], words: dict[str, str]) -> None:
    """Passages, and participants by role: counts, not percentages."""
    people_by_role: dict[str, set[str]] = {}
    for quote in quotes:
        people_by_role.setdefault(quote.role or words["no_role"], set()).add(quote.participant or quote.transcript)
    table = document.add_table(rows=2 + len(people_by_role), cols=2)
    table.style = "Table Grid"
    table.cell(0, 0).text, table.cell(0, 1).text = words["passages"], str(len(quotes))
    table.cell(1, 0).text, table.cell(1, 1).text = words["participants"], str(len({q.participant or q.transcript for q in quotes}))
    for row, (role, people) in enumerate(sorted(people_by_role.items()), start=2):
        table.cell(row, 0).text, table.cell(row, 1).text = f"  {role}", str(len(people))
    document.add_paragraph()


# The quote paragraphs are built with lxml directly: python-docx's helpers look things up by
# name and search the body on every call, which made a 5,000-quote report take seconds.
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


class _Writer:
    """Appends paragraphs to the end of the body, before the section properties."""

    def __init__(self, document: Document) -> None:
        body = document.element.body
        self.section = body.find(f"{W}sectPr")

    def paragraph(self, style: str | None = None) -> etree._Element:
        p = self.section.makeelement(f"{W}p", {})
        if style:
            properties = etree.SubElement(p, f"{W}pPr")
            etree.SubElement(properties, f"{W}pStyle").set(f"{W}val", style)
        self.section.addprevious(p)
        return p

    @staticmethod
    def run(p: etree._Element, text: str, *, italic: bool = False, half_points: int | None = None) -> None:
        run = etree.SubElement(p, f"{W}r")
        if italic or half_points:
            properties = etree.SubElement(run, f"{W}rPr")
            if italic:
                etree.SubElement(properties, f"{W}i")
            if half_points:
                etree.SubElement(properties, f"{W}sz").set(f"{W}val", str(half_points))
        node = etree.SubElement(run, f"{W}t")
        node.set(XML_SPACE, "preserve")
        node.text = text

    @staticmethod
    def line_break(p: etree._Element) -> None:
        etree.SubElement(etree.SubElement(p, f"{W}r"), f"{W}br")

    @staticmethod
    def bookmark(first: etree._Element, last: etree._Element, name: str, bookmark_id: int) -> None:
        """A bookmark around the quote (and its context), so reviewers' comments can be traced back."""
        start = first.makeelement(f"{W}bookmarkStart", {f"{W}id": str(bookmark_id), f"{W}name": name})
        first.insert(1 if len(first) and first[0].tag == f"{W}pPr" else 0, start)
        etree.SubElement(last, f"{W}bookmarkEnd").set(f"{W}id", str(bookmark_id))


def _quote(writer: _Writer, quote: Quote, options: ReportOptions, words: dict[str, str], bookmark_id: int) -> None:
    text = ("(…) " if quote.cut_before else "") + " ".join(quote.excerpt.split()) + (" (…)" if quote.cut_after else "")
    attribution = f"{attribute(quote, options.attribution, options.language)} [{quote.ref}]"
    first = None
    if options.context and quote.context_before:
        first = _context(writer, words["context_before"], quote.context_before)
    if quote.words >= BLOCK_QUOTE_WORDS:
        paragraph = writer.paragraph("Quote")
        writer.run(paragraph, text)
        writer.line_break(paragraph)
        writer.run(paragraph, f"— {attribution}")
    else:
        paragraph = writer.paragraph()
        writer.run(paragraph, f"”{text}” ({attribution})")
    last = paragraph
    if options.context and quote.context_after:
        last = _context(writer, words["context_after"], quote.context_after)
    if options.memos and quote.memo:
        last = writer.paragraph()
        writer.run(last, f"{words['memo']}: {quote.memo}", italic=True)
    writer.bookmark(first if first is not None else paragraph, last, bookmark_name(quote), bookmark_id)


def _context(writer: _Writer, label: str, text: str) -> etree._Element:
    paragraph = writer.paragraph()
    writer.run(paragraph, f"{label}: {' '.join(text.split())}", italic=True, half_points=18)
    return paragraph


def _add_field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (table of contents, page number) that Word and LibreOffice fill in."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = instruction
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    placeholder = OxmlElement("w:t")
    placeholder.text = " "
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate, placeholder, end):
        run._r.append(element)


def _page_numbers(document: Document, words: dict[str, str]) -> None:
    for section in document.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.add_run(f"{words['page']} ")
        _add_field(paragraph, "PAGE")


def _set_language(document: Document, tag: str) -> None:
    """Spelling and hyphenation in the report's language."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return
    run_properties = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if run_properties is None:
        return
    language = run_properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_properties.append(language)
    language.set(qn("w:val"), tag)
