"""The Word report: one chapter per top-level code, quotes laid out as Norwegian reports do."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from io import BytesIO
from typing import Any

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.codebook.service import CodeView
from qualcode.coding.passages import ContextTurn, Quote, QuoteFilter
from qualcode.exporters.analysis_tables import (
    TableLike,
    cooccurrence_grid,
    heatmap_png,
    matrix_grid,
)
from qualcode.exporters.attribution import attribute_speakers, check_template, speaker_label
from qualcode.exporters.framework import MatrixLike, cell_notes, unsummarised
from qualcode.exporters.labels import (
    ROLE_NOUNS,
    MethodFacts,
    decimal,
    kappa_label,
    labels,
    listed,
    method_note,
    role_key,
)
from qualcode.exporters.report_options import BOOKMARK_PREFIX as BOOKMARK_PREFIX
from qualcode.exporters.report_options import CODE_BOOKMARK_PREFIX, REPORT_OF
from qualcode.exporters.report_options import ConsensusPair as ConsensusPair
from qualcode.exporters.report_options import ReportOptions as ReportOptions
from qualcode.exporters.written_quotes import WrittenQuote, as_xml, digest_of
from qualcode.store.models import Coder, Memo, Participant, Transcript, TranscriptParticipant
from qualcode.store.settings import get_setting
from qualcode.store.withdrawals import withdrawn_participants
from qualcode.text.counts import counted
from qualcode.text.docx_paragraphs import W
from qualcode.text.normalise import shortened
from qualcode.text.order import natural_key

# BOOKMARK_PREFIX, ConsensusPair and ReportOptions live in report_options, so commands name them
# without python-docx; they are imported above under their own names for callers of this module.

BLOCK_QUOTE_WORDS = 20  # the convention: about 20 words or more is an indented block quote
HEADING_LEVELS = 9  # Word's heading styles: Heading 1 to Heading 9

# Word's document properties (title, author …) hold at most this many characters.
PROPERTY_LENGTH = 255


def bookmark_name(quote: Quote) -> str:
    return BOOKMARK_PREFIX + quote.guid.replace("-", "")[:20]


# Progress is reported once per this many quotes written.
QUOTE_BATCH = 100


def render_report(
    session: Session, quotes: list[Quote], codes: list[CodeView], selection: QuoteFilter, options: ReportOptions,
    progress: Callable[[int, int], None] | None = None, everything: list[Quote] | None = None,
) -> bytes:
    """The report as the bytes of a .docx file (exporters.publish checks them for leaks and publishes them).

    `everything`: the selection's quotes before a cap left some out, which each section counts.
    `progress(done, total)` is called after each batch of QUOTE_BATCH quotes and once at the end.
    """
    words = labels(options.language)
    check_template(options.attribution)
    document = docx.Document()
    set_language(document, "nb-NO" if options.language == "nb" else "en-GB")
    _a4(document)
    # Block quotes are indented on both sides, as the report conventions ask.
    quote_format = document.styles["Quote"].paragraph_format
    quote_format.left_indent, quote_format.right_indent = Cm(1.25), Cm(1.25)
    _title_page(session, document, selection, options, words)
    contents = _Contents(document, words["contents"])
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _method_note(session, document, contents, quotes, codes, options.language)
    if (withdrawn := _withdrawn_note(session, options.language)) is not None:
        document.add_paragraph(withdrawn)
    for paragraph in _consensus_note(quotes, options.consensus, options.language):
        document.add_paragraph(paragraph)
    _codebook_table(document, contents, codes, words)
    by_code: dict[str, list[Quote]] = {}
    for quote in quotes:
        by_code.setdefault(quote.code_path, []).append(quote)
    counted_by_code: dict[str, list[Quote]] = {}
    for quote in everything if everything is not None else quotes:
        counted_by_code.setdefault(quote.code_path, []).append(quote)
    bookmark_id, heading_ids = 0, CODE_BOOKMARK_IDS
    written: list[WrittenQuote] = []
    for code in codes:
        # A heading level per level of the code tree (Word has nine), bookmarked with the code's
        # GUID: a reviewer's comment under it is placed on the code (exporters/review.py).
        heading = contents.heading(code.name, min(code.depth + 1, HEADING_LEVELS))
        heading_ids += 1
        _Writer.bookmark(heading._p, heading._p, CODE_BOOKMARK_PREFIX + code.guid.replace("-", ""), heading_ids)
        if code.definition:
            document.add_paragraph(code.definition)
        def under(quotes_by_code: dict[str, list[Quote]], code: CodeView = code) -> list[Quote]:
            return [q for path, qs in quotes_by_code.items() if path == code.path or path.startswith(code.path + "/") for q in qs]

        _counts_table(document, under(counted_by_code), len(under(by_code)), options.language)
        writer = _Writer(document)
        for quote in by_code.get(code.path, []):
            bookmark_id += 1
            written.append(_quote(writer, quote, options, words, bookmark_id))
            if progress is not None and bookmark_id % QUOTE_BATCH == 0:
                progress(bookmark_id, len(quotes))
    if progress is not None and bookmark_id % QUOTE_BATCH:
        progress(bookmark_id, len(quotes))
    if options.matrices or (options.figures and options.cooccurrence is not None):
        _analysis_chapter(document, contents, options)
    if options.framework is not None:
        _framework_chapter(document, contents, options.framework, options.language)
    contents.finish()
    _page_numbers(document, words)
    _keep_written_quotes(document, written)
    # Word's document properties hold at most 255 characters; the title page keeps the whole title.
    document.core_properties.title = shortened(options.title or (get_setting(session, "project.name") or "qualcode"), PROPERTY_LENGTH)
    document.core_properties.author = "qualcode"
    # Which project the report comes from, so its comments are not brought into another one.
    project = get_setting(session, "project.guid")
    if project is not None:
        document.core_properties.identifier = f"{REPORT_OF}{project}"
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
            chosen.append(f"{words[label]}: {', '.join(values)}")
    if selection.attributes:
        chosen.append(", ".join(f"{k}={v}" for k, v in selection.attributes))
    if selection.query:
        chosen.append(f"{words['query']}: {selection.query}")
    if selection.cap_per_participant:
        chosen.append(words["cap"].format(cap=selection.cap_per_participant))
    document.add_paragraph(f"{words['selection']}: " + "; ".join(chosen))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _method_note(
    session: Session, document: Document, contents: _Contents, quotes: list[Quote], codes: list[CodeView], language: str,
) -> None:
    """The material, the rounds, who coded what is quoted here, and who commented on drafts of it."""
    contents.heading(labels(language)["method"], 1)
    # Informants are the people linked to the transcripts, not everyone in a participants list.
    informants = Counter(session.scalars(
        select(Participant.role).where(Participant.id.in_(select(TranscriptParticipant.participant_id)))
    ))
    documents = Counter(session.scalars(select(Transcript.fidelity)))
    waves = Counter(session.scalars(select(Transcript.wave)))
    facts = MethodFacts(
        documents=dict(documents), informants=dict(informants),
        waves=tuple(sorted((w for w in waves if w), key=natural_key)), without_wave=waves.get(None, 0) + waves.get("", 0),
        # Coders are the people whose codings are in this export: not a login that merely ran a
        # command, not a reviewer whose comments came back as memos.
        coders=tuple(sorted({coder for quote in quotes for coder in quote.coders})),
        reviewers=tuple(_reviewers(session, quotes, codes)),
        quotes=len(quotes), quoted_documents=len({quote.transcript for quote in quotes}),
        interview_dates=tuple({quote.transcript: quote.interview_date for quote in quotes}.values()),
    )
    document.add_paragraph(method_note(facts, language))


def _withdrawn_note(session: Session, language: str) -> str | None:
    """That participants withdrew consent, and when, naming no one, as `analyse` says it: a reader comparing
    with an earlier draft sees material and counts drop, and their words are in neither."""
    withdrawn = withdrawn_participants(session)
    if withdrawn is None:
        return None
    if language != "nb":
        return f"{withdrawn.note}."
    who = counted(withdrawn.participants, "informant", "informanter")
    said = "det vedkommende sa" if withdrawn.participants == 1 else "det de sa"
    return f"{who} har trukket tilbake samtykket sitt ({', '.join(withdrawn.dates)}); {said}, er ikke med i materialet eller tallene her."


def _consensus_note(quotes: list[Quote], pairs: tuple[ConsensusPair, ...], language: str) -> list[str]:
    """A paragraph per pair of coders whose consensus decisions are quoted: who, how it was decided, and how far they agreed before."""
    quoted = {coder for quote in quotes for coder in quote.coders}
    nb = language == "nb"
    paragraphs = []
    for pair in pairs:
        if pair.consensus_coder not in quoted:
            continue
        both = listed([pair.coder_a, pair.coder_b], language)
        percent = "–" if pair.percent is None else f"{decimal(pair.percent, '.1f', language)} %"
        kappa = "–" if pair.kappa is None else decimal(pair.kappa, ".2f", language)
        documents = counted(pair.transcripts, "intervju", "intervjuer") if nb else counted(pair.transcripts, "transcript", "transcripts")
        if nb:
            blind = " blindt, uten å se hverandres kodinger" if pair.blind else ""
            # Each unit is one turn and one top-level code: "18 taleturer" read as turns when there were 6.
            figures = (f"{percent} av {counted(pair.units, 'vurdering', 'vurderinger')} av om en taletur har en kode"
                       f" ({kappa_label(pair.kappa_name, nb)} = {kappa}), i {'dette intervjuet' if pair.transcripts == 1 else 'disse intervjuene'}")
            paragraphs.append(
                f"Passasjer kodet av «{pair.consensus_coder}» er avgjort i konsensus mellom {both}. Konsensus ble avgjort i "
                f"{documents} som begge kodet{blind}; der kodingene var ulike, ble hver uenighet avgjort for seg: "
                "én av kodingene ble beholdt, begge, ingen eller en justert passasje. "
                + (f"{listed(list(pair.changed_by), language)} har endret kodingene sine etter at konsensus ble avgjort, så "
                   f"samsvaret før konsensus kan ikke oppgis; med kodingene slik de er nå, er samsvaret {figures}." if pair.changed_by
                   else f"Før konsensus var samsvaret mellom {both} {figures}.")
            )
        else:
            blind = " blind, neither seeing the other's codings" if pair.blind else ""
            figures = (f"{percent} of {counted(pair.units, 'decision')} whether a turn has a code"
                       f" ({kappa_label(pair.kappa_name, nb)} = {kappa}), in {'that transcript' if pair.transcripts == 1 else 'those transcripts'}")
            paragraphs.append(
                f"Passages coded by \"{pair.consensus_coder}\" were decided by consensus between {both}, in "
                f"{documents} both coded{blind}; where their codings differed, each disagreement was decided on its own: "
                "keeping one coding, both, neither or an edited passage. "
                + (f"{listed(list(pair.changed_by), language)} changed {'their' if len(pair.changed_by) > 1 else 'some'} codings"
                   " after consensus began, so the agreement before it cannot be stated; "
                   f"as the codings are now, the two agree on {figures}." if pair.changed_by
                   else f"Before consensus, {both} agreed on {figures}.")
            )
    return paragraphs


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


# A4 with 2.5 cm margins, as Norwegian reports are printed: 16 cm of text across.
TEXT_WIDTH_CM = 16.0


def _a4(document: Document) -> None:
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2.5)


def _grid_table(document: Document, rows: int, cols: int) -> Any:  # a Table; python-docx's add_row is untyped
    """A table in Word's "Table Grid" style. The style id is set on the table directly: python-docx's
    `table.style = name` searches the styles part twice on every call, a fifth of a report's time."""
    table = document.add_table(rows=rows, cols=cols)
    table._tbl.tblPr.style = document.styles["Table Grid"].style_id
    return table


def _fixed_widths(table: Table, widths: list[Length]) -> None:
    """Column widths that Word and LibreOffice keep: fixed layout, the grid, the table and every cell."""
    table.autofit = False
    table_width = table._tbl.tblPr.find(qn("w:tblW"))
    if table_width is None:
        table_width = OxmlElement("w:tblW")
        table._tbl.tblPr.append(table_width)
    table_width.set(qn("w:type"), "dxa")
    table_width.set(qn("w:w"), str(sum(width.twips for width in widths)))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def header_row(table: Table, texts: list[str]) -> None:
    """A bold first row that Word and LibreOffice repeat at the top of each page the table runs onto."""
    row = table.rows[0]
    properties = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        properties.append(OxmlElement(tag))
    for cell, text in zip(row.cells, texts, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True


def _codebook_table(document: Document, contents: _Contents, codes: list[CodeView], words: dict[str, str]) -> None:
    """Code path in a narrow column, the definition with what to include and exclude in a wide one."""
    contents.heading(words["codebook"], 1)
    table = _grid_table(document, 1, 2)
    header_row(table, [words["code"], words["definition"]])
    for code in codes:
        path_cell, text_cell = table.add_row().cells
        path_cell.text = code.path.replace("/", " / ")
        path_cell.paragraphs[0].runs[0].bold = code.depth == 0
        paragraph = text_cell.paragraphs[0]
        paragraph.text = code.definition or ""
        for label, text in ((words["inclusion"], code.inclusion), (words["exclusion"], code.exclusion)):
            if text:
                limits = text_cell.add_paragraph() if paragraph.text else paragraph
                limits.add_run(f"{label}: ").italic = True
                limits.add_run(text)
    _fixed_widths(table, [Cm(4.5), Cm(TEXT_WIDTH_CM - 4.5)])
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.space_after = Pt(2)
                for run in paragraph.runs:
                    run.font.size = Pt(10)


def _counts_table(document: Document, quotes: list[Quote], shown: int, language: str) -> None:
    """Quotes, informants and, beneath them, informants by role: counts, not percentages. The
    quotes are the codings selected, not the merged passages `analyse` counts, and say so by name;
    where a cap left some out, how many are `shown` follows (a cap limits what is quoted, not what
    was found)."""
    words = labels(language)
    people_by_role: dict[str | None, set[str]] = {}
    for quote in quotes:
        if quote.participant is not None:  # who the quote counts for
            people_by_role.setdefault(quote.role or None, set()).add(quote.participant)
        # Who speaks where it begins, when that is someone else: a speaker linked to no one is someone
        # still; a quoted question is a quote, but the interviewer is no informant, and a heading is no one's words.
        lead_speaker = quote.lead.speaker if quote.lead is not None else None if quote.participant is not None else quote.speaker
        if quote.turn is not None and not quote.interviewer and lead_speaker:
            people_by_role.setdefault(None, set()).add(f"{quote.transcript}: {lead_speaker}")
        for voice in quote.also_spoken_by:  # a group interview's next speaker, quoted too
            if not voice.interviewer:
                people_by_role.setdefault(voice.role or None, set()).add(voice.participant or f"{quote.transcript}: {voice.speaker}")
    roles = sorted(people_by_role, key=lambda role: (role is None, role or ""))
    capped = int(shown < len(quotes))
    table = _grid_table(document, 2 + capped + len(roles), 2)
    rows = [row.cells for row in table.rows]  # python-docx's table.cell() rebuilds every cell per call
    rows[0][0].text, rows[0][1].text = words["quotes"], str(len(quotes))
    if capped:
        rows[1][0].text, rows[1][1].text = words["shown"], str(shown)
        rows[1][0].paragraphs[0].paragraph_format.left_indent = Cm(0.5)
    rows[1 + capped][0].text = words["informants"]
    rows[1 + capped][1].text = str(len(set().union(*people_by_role.values())))
    for cells, role in zip(rows[2 + capped:], roles, strict=True):
        if role is None:
            label = words["no_role"]
        else:
            known = ROLE_NOUNS[language].get(role_key(role))
            label = known[1] if known else role
        cells[0].text = label[:1].upper() + label[1:]
        cells[0].paragraphs[0].paragraph_format.left_indent = Cm(0.5)
        cells[1].text = str(len(people_by_role[role]))
    _fixed_widths(table, [Cm(6), Cm(2)])
    for row in table.rows[:-1]:  # a few lines of counts belong on one page
        for cell in row.cells:
            cell.paragraphs[0].paragraph_format.keep_with_next = True
    document.add_paragraph()


# The quote paragraphs are built with lxml directly: python-docx's helpers look things up by
# name and search the body on every call, which made a 5,000-quote report take seconds.
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


def _keep_written_quotes(document: Document, written: list[WrittenQuote]) -> None:
    """What was written for each quote, in a custom XML part of the document, for a review import to
    tell a quote a reviewer typed over (exporters/written_quotes.py)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    taken = {str(part.partname) for part in document.part.package.iter_parts()}
    number = next(number for number in range(1, len(taken) + 2) if f"/customXml/item{number}.xml" not in taken)
    part = Part(PackURI(f"/customXml/item{number}.xml"), "application/xml", as_xml(written), document.part.package)
    document.part.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_XML)


def _quote(writer: _Writer, quote: Quote, options: ReportOptions, words: dict[str, str], bookmark_id: int) -> WrittenQuote:
    # Verbatim, each turn of the passage its own line; a transcript's line wrapping inside a turn is
    # no break, and spaces are tidied. A later turn is led by its speaker as the attribution names
    # them, not by the transcript's label and timestamp: "Linda:" inside a quote attributed to "En
    # deltaker" named whose words they were.
    lines = [quote.excerpt[:quote.turn_breaks[0].line_at] if quote.turn_breaks else quote.excerpt]
    for number, turn in enumerate(quote.turn_breaks):
        end = quote.turn_breaks[number + 1].line_at if number + 1 < len(quote.turn_breaks) else len(quote.excerpt)
        label = speaker_label(quote, turn.voice, options.attribution, options.language)
        lines.append((f"{label}: " if label else "") + quote.excerpt[turn.said_at:end])
    lines = [" ".join(line.split()) for line in lines]
    lines = [line for line in lines if line] or [""]
    lines[0] = ("(…) " if quote.cut_before else "") + lines[0]
    lines[-1] += " (…)" if quote.cut_after else ""
    label = attribute_speakers(quote, options.attribution, options.language)
    attribution = f"{label} [{quote.ref}]" if label else f"[{quote.ref}]"
    if len(quote.coders) > 1:  # one passage that several coders gave this code, shown once
        attribution += f", {words['coded_by']} {listed(list(quote.coders), options.language)}"
    first = None
    if options.context and quote.turn_before is not None:
        first = _context(writer, words["context_before"], quote, quote.turn_before, options)
    if quote.words >= BLOCK_QUOTE_WORDS or len(lines) > 1:  # a break within a quote reads as a block
        paragraph = writer.paragraph("Quote")
        for line in lines:
            writer.run(paragraph, line)
            writer.line_break(paragraph)
        writer.run(paragraph, f"— {attribution}")
    else:
        paragraph = writer.paragraph()
        writer.run(paragraph, f"”{lines[0]}” ({attribution})")
    last = paragraph
    if options.context and quote.turn_after is not None:
        last = _context(writer, words["context_after"], quote, quote.turn_after, options)
    if options.memos and quote.memo:
        last = writer.paragraph()
        writer.run(last, f"{words['memo']}: {quote.memo}", italic=True)
    writer.bookmark(first if first is not None else paragraph, last, bookmark_name(quote), bookmark_id)
    held = [first if first is not None else paragraph]
    while held[-1] is not last:
        held.append(held[-1].getnext())
    return WrittenQuote(bookmark_name(quote), quote.ref, digest_of(held))


def _context(writer: _Writer, label: str, quote: Quote, turn: ContextTurn, options: ReportOptions) -> etree._Element:
    """The turn before or after a quote, its speaker named as the attribution names people: the
    transcript's label ("Linda:") beside "En deltaker" would say whose words the quote is. A turn
    without a label (a paragraph of notes) is shown without one, as the transcript has it."""
    speaker = speaker_label(quote, turn.voice, options.attribution, options.language) if turn.voice.speaker else ""
    paragraph = writer.paragraph()
    writer.run(paragraph, f"{label}: {f'{speaker}: ' if speaker else ''}{' '.join(turn.said.split())}", italic=True, half_points=18)
    return paragraph


class _Contents:
    """The table of contents: a TOC field whose result already holds the entries.

    LibreOffice and a PDF converter show a field's stored result and do not update it, so the
    entries are written out: each heading's number (Heading 1-9 are numbered by the styles, "3.1")
    and its text, linked to a bookmark on the heading. Page numbers depend on the layout, which
    only Word or LibreOffice knows; Word adds them when the field is updated (F9).
    """

    def __init__(self, document: Document, title: str) -> None:
        self.document = document
        document.add_paragraph(title, style="TOC Heading")
        self.anchor = document.add_paragraph()
        self.entries: list[tuple[int, str, str]] = []  # level, number, text
        self.numbers = [0] * HEADING_LEVELS
        self.num_id = _numbered_headings(document)
        self.heading_styles = {level: document.styles[f"Heading {level}"].style_id for level in range(1, HEADING_LEVELS + 1)}
        for level, indent in ((level, 0.6 * (level - 1)) for level in range(1, HEADING_LEVELS + 1)):
            name = f"toc {level}"
            style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.style_id = f"TOC{level}"
            style.base_style = document.styles["Normal"]
            style.next_paragraph_style = document.styles["Normal"]
            style.paragraph_format.left_indent = Cm(indent + 0.6 * level + 0.4)
            style.paragraph_format.first_line_indent = Cm(-(0.6 * level + 0.4))
            style.paragraph_format.space_after = Pt(3)
            style.paragraph_format.tab_stops.add_tab_stop(Cm(indent + 0.6 * level + 0.4))

    def heading(self, text: str, level: int) -> Paragraph:
        """A numbered heading, bookmarked for its entry in the contents."""
        self.numbers[level - 1] += 1
        self.numbers[level:] = [0] * (HEADING_LEVELS - level)
        number = ".".join(str(n) for n in self.numbers[:level])
        # As document.add_heading, with the style id looked up once rather than on every heading.
        paragraph: Paragraph = self.document.add_paragraph(text)
        paragraph._p.style = self.heading_styles[level]
        mark = f"_Toc{len(self.entries) + 1:06d}"
        mark_id = str(TOC_BOOKMARK_IDS + len(self.entries))
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), mark_id)
        start.set(qn("w:name"), mark)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), mark_id)
        paragraph._p.insert(1, start)
        paragraph._p.append(end)
        self.entries.append((level, number, text))
        return paragraph

    def finish(self) -> None:
        """The field, its entries as the stored result, after the contents' title."""
        previous = self.anchor._p
        for index, (level, number, text) in enumerate(self.entries):
            paragraph = OxmlElement("w:p")
            properties = OxmlElement("w:pPr")
            style = OxmlElement("w:pStyle")
            style.set(qn("w:val"), f"TOC{level}")
            properties.append(style)
            paragraph.append(properties)
            if index == 0:
                _field_start(paragraph, f'TOC \\o "1-{HEADING_LEVELS}" \\h \\z \\u')
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), f"_Toc{index + 1:06d}")
            link.set(qn("w:history"), "1")
            for part in (number, None, text):
                run = OxmlElement("w:r")
                if part is None:
                    run.append(OxmlElement("w:tab"))
                else:
                    node = OxmlElement("w:t")
                    node.set(qn("xml:space"), "preserve")
                    node.text = part
                    run.append(node)
                link.append(run)
            paragraph.append(link)
            if index == len(self.entries) - 1:
                run = OxmlElement("w:r")
                end = OxmlElement("w:fldChar")
                end.set(qn("w:fldCharType"), "end")
                run.append(end)
                paragraph.append(run)
            previous.addnext(paragraph)
            previous = paragraph
        self.anchor._p.getparent().remove(self.anchor._p)


# Bookmark ids of the headings, apart from the quotes' (1, 2, ...).
TOC_BOOKMARK_IDS = 1_000_000
CODE_BOOKMARK_IDS = 500_000  # the code headings' own bookmarks: apart from the quotes' (1 …) and the contents' ids


def _numbered_headings(document: Document) -> int:
    """Number Heading 1-9 through their styles ("3", "3.1", "3.1.2"); the heading text stays the code's name."""
    numbering = document.part.numbering_part.element
    abstract_id = 1 + max((int(node.get(qn("w:abstractNumId"))) for node in numbering.iter(qn("w:abstractNum"))), default=0)
    num_id = 1 + max((int(node.get(qn("w:numId"))) for node in numbering.iter(qn("w:num"))), default=0)
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), str(abstract_id))
    kind = OxmlElement("w:multiLevelType")
    kind.set(qn("w:val"), "multilevel")
    abstract.append(kind)
    for level in range(HEADING_LEVELS):
        definition = OxmlElement("w:lvl")
        definition.set(qn("w:ilvl"), str(level))
        hanging = str(Cm(0.9 + 0.4 * level).twips)
        for tag, attributes in (
            ("w:start", {"w:val": "1"}), ("w:numFmt", {"w:val": "decimal"}), ("w:pStyle", {"w:val": f"Heading{level + 1}"}),
            ("w:lvlText", {"w:val": ".".join(f"%{n}" for n in range(1, level + 2))}), ("w:lvlJc", {"w:val": "left"}),
        ):
            element = OxmlElement(tag)
            for name, value in attributes.items():
                element.set(qn(name), value)
            definition.append(element)
        indent = OxmlElement("w:ind")
        indent.set(qn("w:left"), hanging)
        indent.set(qn("w:hanging"), hanging)
        paragraph_properties = OxmlElement("w:pPr")
        paragraph_properties.append(indent)
        definition.append(paragraph_properties)
        abstract.append(definition)
    abstracts = numbering.findall(qn("w:abstractNum"))
    if abstracts:
        abstracts[-1].addnext(abstract)
    else:
        numbering.insert(0, abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(num_id))
    reference = OxmlElement("w:abstractNumId")
    reference.set(qn("w:val"), str(abstract_id))
    num.append(reference)
    numbering.append(num)
    for level in range(HEADING_LEVELS):
        properties = document.styles[f"Heading {level + 1}"].element.get_or_add_pPr()
        numbered = properties.get_or_add_numPr()
        numbered.get_or_add_ilvl().val = level
        numbered.get_or_add_numId().val = num_id
    # The contents' title is built on Heading 1 and must not take a number.
    document.styles["TOC Heading"].element.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = 0
    return num_id


def _field_start(paragraph: etree._Element, instruction: str) -> None:
    """Open a complex field in a paragraph: what follows until its end is the field's stored result."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None)):
        run = OxmlElement("w:r")
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run.append(char)
        else:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {text} "
            run.append(code)
        paragraph.append(run)


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


def set_language(document: Document, tag: str) -> None:
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


# --- the framework matrix chapter --------------------------------------------------------------------
FRAMEWORK_LABELS = {
    # Rows are people of any role: "Informant", as the analysis tables count them ("deltaker" is a role).
    "nb": ("Rammematrise", "Oppsummeringer per informant og kode, skrevet av forskerne. En strek (–) betyr at informanten"
           " ikke har passasjer under koden; «ikke oppsummert» at passasjene ikke er oppsummert ennå.", "Informant"),
    "en": ("Framework matrix", "Summaries per participant and code, written by the researchers. A dash (–) means the"
           " participant has no passages under the code; “not summarised” that their passages have no summary yet.",
           "Participant"),
}
FRAMEWORK_CODES_PER_TABLE = 3  # beside the participant column, so a summary keeps about 4 cm on A4


def _framework_chapter(document: Document, contents: _Contents, matrix: MatrixLike, language: str) -> None:
    """Participants by codes with the summaries in the cells; wide matrices in tables of a few codes each."""
    title, lead, participant_label = FRAMEWORK_LABELS[language]
    contents.heading(title, 1)
    document.add_paragraph(lead)
    codes = list(matrix.codes)
    participant_width = 3.0
    for first in range(0, len(codes), FRAMEWORK_CODES_PER_TABLE):
        chunk = codes[first:first + FRAMEWORK_CODES_PER_TABLE]
        table = _grid_table(document, 1, 1 + len(chunk))
        header_row(table, [participant_label, *(code.path.replace("/", " / ") for code in chunk)])
        for row in matrix.rows:
            cells = table.add_row().cells
            cells[0].text = row.participant + (f" ({row.role})" if row.role else "")
            for offset in range(len(chunk)):
                cell = row.cells[first + offset]
                if cell.summary is None:  # no passages ("–"), or passages not summarised yet: both were blank
                    cells[1 + offset].paragraphs[0].add_run(unsummarised(cell, language)).italic = True
                else:
                    cells[1 + offset].text = cell.summary
                for note in cell_notes(cell, language) if cell.summary is not None else ():  # gone, or coded since
                    cells[1 + offset].add_paragraph().add_run(f"[{note}]").italic = True
        code_width = (TEXT_WIDTH_CM - participant_width) / len(chunk)
        _fixed_widths(table, [Cm(participant_width), *[Cm(code_width)] * len(chunk)])
        for table_row in table.rows:
            for cell in table_row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(9)
        document.add_paragraph()


# --- the analysis chapter: code × attribute matrices and heatmaps ---------------------------------------
ANALYSIS_LABELS = {
    "nb": {"title": "Analyse", "lead": "Antall passasjer per kode, fordelt på egenskaper ved informantene og intervjuene.",
           "sizes": "Informanter / intervjuer", "figure": "Figur", "cooccurrence": "Samforekomst av koder",
           "cooccurrence_lead": "Par av passasjer der to koder forekommer sammen; kodene er nummerert som radene.",
           "no_cooccurrence": "Ingen to koder forekommer sammen i dette utvalget."},
    "en": {"title": "Analysis", "lead": "Passages per code, split by attributes of the participants and the interviews.",
           "sizes": "Participants / transcripts", "figure": "Figure", "cooccurrence": "Co-occurrence of codes",
           "cooccurrence_lead": "Pairs of passages where two codes occur together; the codes are numbered as the rows.",
           "no_cooccurrence": "No two codes occur together in this selection."},
}
MATRIX_VALUES_PER_TABLE = 7  # value columns beside the code column, so counts stay legible on A4
MATRIX_LABEL_CM = 5.0


def _analysis_chapter(document: Document, contents: _Contents, options: ReportOptions) -> None:
    """Each matrix as Word tables (header row, sizes, codes, totals) with its counting rules as the caption,
    then, with `figures`, a heatmap of each and of co-occurrence."""
    words = ANALYSIS_LABELS[options.language]
    contents.heading(words["title"], 1)
    document.add_paragraph(words["lead"])
    figure = 0
    for matrix in options.matrices:
        contents.heading(matrix.title, 2)
        _matrix_tables(document, matrix, words)
        document.add_paragraph(" ".join(filter(None, [matrix.caption, matrix.sizes_caption])), style="Caption")
        if options.figures:
            figure += 1
            rows, columns, grid = matrix_grid(matrix)
            document.add_picture(BytesIO(heatmap_png(matrix.title, rows, columns, grid)), width=Cm(TEXT_WIDTH_CM))
            document.add_paragraph(f"{words['figure']} {figure}: {matrix.title}", style="Caption")
    if options.figures and options.cooccurrence is not None and options.cooccurrence.codes:
        table = options.cooccurrence
        title = f"{words['cooccurrence']} ({table.within.label_in(options.language)})"
        contents.heading(title, 2)
        document.add_paragraph(words["cooccurrence_lead"])
        rows, columns, grid = cooccurrence_grid(table)
        if not any(pairs for row in grid for pairs in row):  # a figure of zeros only says it less plainly
            document.add_paragraph(f"{words['no_cooccurrence']} {table.rule_in(options.language)}")
            return
        document.add_picture(BytesIO(heatmap_png(title, rows, columns, grid)), width=Cm(TEXT_WIDTH_CM))
        figure += 1
        document.add_paragraph(f"{words['figure']} {figure}: {title}. {table.rule_in(options.language)}", style="Caption")


def _matrix_tables(document: Document, matrix: TableLike, words: dict[str, str]) -> None:
    """The matrix in tables of a few value columns each, the code column repeated; the last holds the totals."""
    columns = list(matrix.columns)
    for first in range(0, len(columns), MATRIX_VALUES_PER_TABLE):
        chunk = range(first, min(first + MATRIX_VALUES_PER_TABLE, len(columns)))
        table = _grid_table(document, 1, 1 + len(chunk))
        header_row(table, [matrix.row_header, *(
            f"{columns[i].group} / {columns[i].label}" if columns[i].group else columns[i].label for i in chunk
        )])
        if any(columns[i].sizes for i in chunk):
            cells = table.add_row().cells
            cells[0].text = words["sizes"]
            for offset, index in enumerate(chunk, start=1):
                cells[offset].text = " / ".join(str(count) for _, count in columns[index].sizes)
            for cell in cells:
                for run in cell.paragraphs[0].runs:
                    run.italic = True
        for row in [*matrix.rows, *([matrix.totals] if matrix.totals is not None else [])]:
            cells = table.add_row().cells
            cells[0].text = row.label
            cells[0].paragraphs[0].paragraph_format.left_indent = Cm(0.4 * row.level)
            for offset, index in enumerate(chunk, start=1):
                cells[offset].text = row.cells[index].text() if index < len(row.cells) else ""
            if row is matrix.totals:
                for cell in cells:
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
        value_width = (TEXT_WIDTH_CM - MATRIX_LABEL_CM) / max(len(chunk), 1)
        _fixed_widths(table, [Cm(MATRIX_LABEL_CM), *[Cm(value_width)] * len(chunk)])
        for table_row in table.rows:
            for number, cell in enumerate(table_row.cells):
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.space_after = Pt(0)
                    if number:
                        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                    for run in paragraph.runs:
                        run.font.size = Pt(9)
        document.add_paragraph()
