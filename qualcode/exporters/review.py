"""Reviewers' Word comments back into the project, as memos on the quotes they discuss."""

from __future__ import annotations

import hashlib
import hmac
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import Pseudonymised, pseudonymise
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.known import as_latin
from qualcode.anonymise.names import (
    NAMED_BY_KEY,
    first_kept_name,
    kept_by_digits,
    kept_name,
    known_again,
    named_by_key,
    named_under_earlier_keys,
    placeholder_of,
    reviewer_named,
    unrecorded_reviewers,
)
from qualcode.codebook.service import gone_codes
from qualcode.coding.coders import (
    CODER_NAME_LENGTH,
    CONSENSUS_CODER,
    REVIEWER,
    get_or_create_coder,
    stored_coder,
)
from qualcode.coding.memos import (
    MEMO_TITLE_LENGTH,
    MemoView,
    add_memo,
    import_undone,
    memo_view,
    seen_by,
)
from qualcode.errors import AwaitsReview, ImportFailed, InvalidInput, UndecidedNames, UnreadableFile
from qualcode.exporters.report_options import BOOKMARK_PREFIX, CODE_BOOKMARK_PREFIX, REPORT_OF
from qualcode.exporters.written_quotes import PART_NAME as WRITTEN_PART
from qualcode.exporters.written_quotes import WrittenQuote, from_xml, quote_digests
from qualcode.store.events import EventKind, hold_write_lock
from qualcode.store.models import Code, Coder, Coding, Event, Memo, new_guid
from qualcode.store.settings import get_setting
from qualcode.text.counts import counted
from qualcode.text.docx_paragraphs import PARAGRAPH, paragraph_text
from qualcode.text.normalise import on_one_line, shortened, visible
from qualcode.untrusted import (
    PackageLimits,
    check_package_xml,
    open_package,
    parse_xml,
    read_member,
)

if TYPE_CHECKING:
    from docx.document import Document
    from lxml import etree
    from sqlalchemy import ColumnElement

REF = re.compile(r"\[S-([0-9A-F]{6,32})\]")  # six characters, more where two quotes of a report share six
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"

# What a reviewed report may hold: far more than a real one, far less than exhausts memory. Measured
# on this project's reports: one of 5,000 quotes with context and memos has a document.xml of
# 4.6 MB (200,000 tags), and 2,000 comments on it a comments.xml of 1.1 MB (34,000 tags; 256,000 in
# all its XML); six such reports in one (30,000 quotes, 25.5 MB, 1.05 million tags) import in
# 270 MB. Parsing takes 200 to 250 bytes per tag however little each holds, so 2 million tags take
# at most about 500 MB (measured: 481 MB), where a 332 KB file unpacking to 190 MB of empty
# paragraphs took 7.4 GB. A part is refused by its size in the archive's directory, and the tags
# counted in the bytes, before any is parsed; what is not XML (a picture pasted into a comment)
# is only held as bytes, within the 256 MB the whole file may unpack to.
REVIEW_LIMITS = PackageLimits(
    total_bytes=256 * 1024 * 1024, xml_bytes=32 * 1024 * 1024, xml_tags=2_000_000,
    hint="a commented report is far smaller: ask the reviewer for the file as their editor saved it",
)


@dataclass(frozen=True)
class Anchor:
    bookmarks: tuple[str, ...]
    refs: tuple[str, ...]
    code_path: str | None
    quotes_spanned: int = 0  # the quotes the comment's range runs over: a memo goes on the first
    code_gone: str | None = None  # a heading's code (by its GUID) no longer in the codebook, as the report wrote its path
    # (`code_path` then the code it was merged into, if it was)


@dataclass(frozen=True)
class _FileComment:
    """A comment as the reviewer's file gives it, read leniently: a file from outside may lack what
    Word always writes (an author) or hold what python-docx cannot convert (an id that is no number,
    a moment no date holds), and none of that is a reason to lose what the reviewer wrote."""

    element: etree._Element  # the w:comment
    comment_id: str  # as written, to match the anchors in document.xml, which are read as written too
    author: str | None
    timestamp: datetime | None
    para_id: str | None  # its last paragraph's w14:paraId, by which a reply names what it answers


@dataclass(frozen=True)
class PlacedComment:
    author: str
    text: str
    attached_to: str  # where it went, in words
    new: bool
    # Where it went, for a screen or a script to go there: the coding's id (None on a code, a
    # transcript or the project), the transcript it is in or on, the code, and where the quote starts.
    coding: int | None = None
    transcript: str | None = None
    code_path: str | None = None
    start: int | None = None


@dataclass(frozen=True)
class UnplacedComment:
    author: str
    text: str
    why: str


@dataclass(frozen=True)
class TrackedChanges:
    author: str
    changes: int

    @property
    def note(self) -> str:
        """What the command line and the terminal UI say of them: they were not imported, and what to ask for."""
        return (f"{counted(self.changes, 'tracked change')} by {self.author} {'was' if self.changes == 1 else 'were'}"
                " not imported: qualcode reads comments; ask for a comment instead")


@dataclass(frozen=True)
class EditedQuote:
    """A quote whose text a reviewer changed or removed in the file with track changes off: what the file
    holds for it is not what the report wrote. The quote stays as the transcript has it."""

    quote: str  # its visible id, "S-6BC680"
    removed: bool

    @property
    def note(self) -> str:
        """What the command line and the terminal UI say of it: not imported, and what to ask for."""
        return (f"the text of quote [{self.quote}] was {'removed' if self.removed else 'changed'} in this file and is not"
                " imported (quotes stay as the transcript has them); ask the reviewer for a comment instead")


@dataclass(frozen=True)
class AlikeBefore:
    """A comment brought in as a new memo whose words differ from a memo an import under a key before this one
    stored, by its author on its quote, only by a name: with no date to tell them apart by, nothing in the project
    says whether that name is the one the key before called otherwise or another (its digest went with that key)."""

    author: str
    memo: int  # the new one
    before: int

    @property
    def note(self) -> str:
        """What the command line and the terminal UI say of it: both kept, and what to do if they are one comment."""
        return (f"memo {self.memo} by {self.author} is new: its words differ from memo {self.before}'s, brought in before"
                " `key new`, only by a name, and it has no date to tell them apart by; if they are the same comment,"
                f" remove one (`qualcode memo remove {self.memo}`)")


@dataclass
class ReviewImport:
    placed: list[PlacedComment]
    unplaced: list[UnplacedComment]
    # A reviewer's edits to the report's text with track changes on, which are not imported.
    tracked_changes: list[TrackedChanges] = field(default_factory=list)
    # New memos that may repeat one imported under a key before this one (AlikeBefore).
    alike_before: list[AlikeBefore] = field(default_factory=list)
    # Quotes whose text the reviewer changed or removed without track changes, which are not imported either.
    edited_quotes: list[EditedQuote] = field(default_factory=list)


def _anchors(
    document: Document, heading_levels: dict[str, int], code_paths: set[str], guid_paths: dict[str, str],
    merged_paths: dict[str, str],
) -> dict[str, Anchor]:
    """For each comment id: the quote bookmarks open where it is anchored, and the section's code:
    by the GUID its heading is bookmarked with (`guid_paths`: the codes' paths by GUID without
    hyphens), so a code moved or renamed since is found, and one merged away since by the code it
    went into (`merged_paths`, alike); in a report written before headings were bookmarked, by the
    path its headings spell.

    Read in document order, element by element, so a comment anchors at the quote open where its
    range starts; one that starts in a paragraph before the quote's bookmark does (Word may put it
    there) takes the quote that begins later in that paragraph."""
    from docx.oxml.ns import qn

    paragraph_tag, start_tag, end_tag = qn("w:p"), qn("w:bookmarkStart"), qn("w:bookmarkEnd")
    comment_tags = (qn("w:commentRangeStart"), qn("w:commentReference"))
    range_end_tag = qn("w:commentRangeEnd")
    anchors: dict[str, Anchor] = {}
    open_marks: dict[str, str] = {}
    headings: list[str] = []
    spanned: dict[str, set[str]] = {}  # comment id -> the quotes its range runs over
    open_comments: set[str] = set()
    awaiting: list[str] = []  # comments in this paragraph anchored where no quote was open yet
    code_path: str | None = None
    code_gone: str | None = None
    text = ""
    for element in document.element.body.iter(paragraph_tag, start_tag, end_tag, *comment_tags, range_end_tag):
        if element.tag == paragraph_tag:
            awaiting = []
            text = "".join(node.text or "" for node in element.iter(qn("w:t")))
            style = element.find(qn("w:pPr") + "/" + qn("w:pStyle"))
            level = heading_levels.get((style.get(qn("w:val")) if style is not None else "") or "")
            if level is None:
                continue
            headings = headings[: level - 1] + [text.strip()]
            _close_quotes(open_marks)  # a heading is never part of a quote
            path = "/".join(headings)
            marked = [name.removeprefix(CODE_BOOKMARK_PREFIX) for node in element.iter(start_tag)
                      if (name := node.get(qn("w:name")) or "").startswith(CODE_BOOKMARK_PREFIX)]
            code_path = (guid_paths.get(marked[0]) if marked else path if path in code_paths else None)
            code_gone = path if marked and code_path is None else None
            code_path = merged_paths.get(marked[0]) if code_gone is not None else code_path
        elif element.tag == start_tag:
            name = element.get(qn("w:name")) or ""
            if name.startswith(BOOKMARK_PREFIX):
                # Quotes never nest, so a quote's bookmark ends where the next begins at the latest:
                # LibreOffice re-saves a bookmark over several paragraphs as two starts with one end.
                _close_quotes(open_marks)
                for comment_id in open_comments:
                    spanned[comment_id].add(name)
                for comment_id in awaiting:
                    anchors[comment_id] = replace(anchors[comment_id], bookmarks=(name,))
                awaiting = []
            open_marks[element.get(qn("w:id"))] = name
        elif element.tag == end_tag:
            open_marks.pop(element.get(qn("w:id")), None)
        elif element.tag == range_end_tag:
            open_comments.discard(element.get(qn("w:id")))
        else:
            comment_id = element.get(qn("w:id"))
            if comment_id in anchors:
                continue
            quotes = tuple(name for name in open_marks.values() if name.startswith(BOOKMARK_PREFIX))
            anchors[comment_id] = Anchor(quotes, tuple(REF.findall(text)), code_path, code_gone=code_gone)
            if element.tag == comment_tags[0]:
                open_comments.add(comment_id)
                spanned[comment_id] = set(quotes)
            if not quotes:
                awaiting.append(comment_id)
    return {comment_id: replace(anchor, quotes_spanned=len(spanned.get(comment_id, ()))) for comment_id, anchor in anchors.items()}


def _heading_levels(document: Document) -> dict[str, int]:
    """The level of each heading style, by the style id a paragraph names: found by the style's name
    ("heading 1"), which Word keeps in English, since Word in another language saves the ids it
    gives the built-in styles in that language ("Overskrift1" in Norwegian); and by the id the
    report wrote ("Heading1"), for a file whose styles say nothing of it."""
    from docx.oxml.ns import qn

    levels = {f"Heading{level}": level for level in range(1, 10)}
    for style in document.styles.element.iter(qn("w:style")):
        name = style.find(qn("w:name"))
        level = re.fullmatch(r"heading ([1-9])", (name.get(qn("w:val")) or "").strip().casefold()) if name is not None else None
        if level is not None and style.get(qn("w:styleId")):
            levels[style.get(qn("w:styleId"))] = int(level.group(1))
    return levels


def _close_quotes(open_marks: dict[str, str]) -> None:
    for mark_id in [mark_id for mark_id, name in open_marks.items() if name.startswith(BOOKMARK_PREFIX)]:
        del open_marks[mark_id]


def _identifier(path: Path) -> str:
    """The document's identifier (dc:identifier) from its core properties, found by the package's
    relationship to them. Read here rather than by python-docx, which knows the relationship only
    by the type Word writes: LibreOffice writes another ("officedocument/.../core-properties"), and
    python-docx then reads no identifier at all from a report LibreOffice has re-saved."""
    with open_package(path, limits=REVIEW_LIMITS) as archive:
        if "_rels/.rels" not in archive.namelist():
            return ""
        relationships = parse_xml(read_member(archive, "_rels/.rels", path.name), f"{path.name}: part _rels/.rels")
        targets = [
            node.get("Target", "").lstrip("/") for node in relationships.iter(f"{{{RELATIONSHIPS}}}Relationship")
            if node.get("Type", "").endswith("/metadata/core-properties")
        ]
        target = next((target for target in targets if target in archive.namelist()), None)
        if target is None:
            return ""
        properties = parse_xml(read_member(archive, target, path.name), f"{path.name}: part {target}")
    found = properties.find(f"{{{DUBLIN_CORE}}}identifier")
    return (found.text or "").strip() if found is not None else ""


def _reply_parents(path: Path) -> dict[str, str]:
    """Which comment paragraph (w14:paraId) each reply answers, from commentsExtended.xml."""
    with open_package(path, limits=REVIEW_LIMITS) as archive:
        if "word/commentsExtended.xml" not in archive.namelist():
            return {}
        data = read_member(archive, "word/commentsExtended.xml", path.name)
    root = parse_xml(data, f"{path.name}: part word/commentsExtended.xml")
    return {
        node.get(f"{{{W15}}}paraId"): node.get(f"{{{W15}}}paraIdParent")
        for node in root.iter(f"{{{W15}}}commentEx") if node.get(f"{{{W15}}}paraIdParent")
    }


def import_review(
    session: Session, path: Path, key: PseudonymKey | None, added_by: Callable[[str], Coder | None] | None = None,
    new_reviewer: Callable[[str], None] | None = None, importer: Callable[[], Coder] | None = None, *, learned: bool = False,
) -> ReviewImport:
    """Attach each comment to its quote's coding, else its section's code, else the project.

    A reviewer new to the project is recorded as added by `added_by(name)`: whoever imports, or
    nobody else (None) where that is the reviewer themselves; `new_reviewer(name)` may refuse one
    first (importers.pseudonymise.refuse_new_reviewer). The memos are the reviewers', and the import
    is the change of `importer()` (asked once a reviewer is known: it may be the reviewer, new to the
    project and added as a reviewer), one that one undo of theirs takes back whole. A reviewer named by an
    address is known again by the name a key before this one gave them (_known_again), and the file read
    again under it (`learned`)."""
    # python-docx and lxml here, so listing the comments already brought back does not load them.
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    if path.is_dir():
        raise ImportFailed(f"{path} is a folder", "give the reviewed .docx file itself")
    if not path.is_file():
        raise ImportFailed(f"{path} does not exist")
    try:
        # A reviewer's file comes from outside: sizes and every XML part are checked (no DTDs,
        # no entities) before python-docx reads it.
        check_package_xml(path, limits=REVIEW_LIMITS)
        document = docx.Document(str(path))
        # python-docx follows the package's relationships as it reads, to the comments and the
        # styles when first asked for them: a package whose content types or relationships are
        # damaged (a link with no target, a "styles" link to another kind of part) fails there.
        comments = _file_comments(document)
        heading_levels = _heading_levels(document)
    except UnreadableFile as error:
        raise _unreadable(path, error.message, error.hint) from None
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, etree.LxmlError, AttributeError, TypeError) as error:
        raise _unreadable(path, f"{path.name} is not a readable .docx file ({error})") from None
    # What it finds stored, and whether each comment's import was undone, is read under the write lock: a redo of an
    # undone import at once waits, then finds the comments in again (history.redo), as both would keep them else.
    hold_write_lock(session)
    # A report says which project it comes from (an older one, or another document, says nothing).
    made_in = _identifier(path)
    if made_in.startswith(REPORT_OF) and made_in.removeprefix(REPORT_OF) != get_setting(session, "project.guid"):
        raise ImportFailed(
            f"{path.name} is a report from another qualcode project; nothing imported",
            "import a reviewer's comments into the project the report was exported from",
        )
    if made_in.removeprefix(REPORT_OF) != get_setting(session, "project.guid") and not _quotes_of_this_project(session, document):
        # A report that does not say where it comes from (an older one, or one whose properties an
        # editor cleared) is this project's only if a quote in it is: its headings alone could
        # name this project's codes, and its comments would land on them.
        raise ImportFailed(
            f"{path.name} holds no quote from this project; nothing imported",
            "import a reviewer's comments into the project the report was exported from",
        )
    _refuse_quotes_of_the_withdrawn(session, document, path.name)
    codes = {code.path: code for code in session.scalars(select(Code))}
    merged = {guid.replace("-", ""): gone.into.path for guid, gone in gone_codes(session).items() if gone.into is not None}
    anchors = _anchors(document, heading_levels, set(codes), {code.guid.replace("-", ""): path for path, code in codes.items()}, merged)
    parents = _reply_parents(path)
    para_ids = {comment.para_id: comment for comment in comments if comment.para_id}
    # The names reviewers named by an address had under a key before this one, which this key's digits may meet, or
    # by a version that kept none in the key (whose address is not known: a newcomer whose four digits meet theirs
    # takes more, _claimed_again); and the names the key keeps for such reviewers as the import begins, before it
    # names any (reviewer_named).
    unrecorded = unrecorded_reviewers(session, key) if key is not None else frozenset[str]()
    earlier_names = named_under_earlier_keys(session) | unrecorded
    kept_before = dict(key.reviewers) if key is not None else {}
    result = ReviewImport([], [], _tracked_changes(session, document, key, path.name, earlier_names),
                          edited_quotes=_edited_quotes(document, heading_levels, path.name))
    waiting: list[_Waiting] = []  # the comments placed, in the file's order, each to be found imported before or written
    # The memos stored before the project's key was made in place of another (`key new`), by GUID: their digests
    # were made with that key's secret.
    key_made = session.scalar(select(func.max(Event.id)).where(Event.action == EventKind.KEY_NEW.value))
    stored_before = frozenset(session.scalars(select(Event.entity_guid).where(
        Event.action == EventKind.MEMO_ADD.value, Event.id < key_made))) if key_made is not None else frozenset[str | None]()
    spelt: dict[str, str] = {}  # each reviewer new to the project by their name casefolded, as first met in the file
    for comment in comments:
        raw_author = " ".join(visible(comment.author or "").split())
        if _by_withdrawn(comment.author, key, path.name):
            # Their consent is withdrawn: nothing they write comes into the project again.
            result.unplaced.append(UnplacedComment("(trukket tilbake)", "", "its author is a participant who withdrew consent"))
            continue
        author = _kept_apart(session, comment.author, key, path.name, earlier_names)
        if as_latin(author).strip().casefold() == CONSENSUS_CODER:  # its memos would read as the team's decisions
            raise InvalidInput(
                f"a comment in {path.name} is by {author!r}, the name the team's decisions are coded under; nothing imported",
                "have the reviewer comment under their own name (Word: File > Options > User name), then import again",
            )
        # The coder a reviewer's memos go under: the one of that name in any case ("kari" is Kari),
        # whose role stays as it is (only a reviewer new to the project is made one, of role reviewer).
        reviewer = stored_coder(session, author)
        if reviewer is None and new_reviewer is not None:
            new_reviewer(author)  # refuses one whose name is a possible identifier nobody has decided about
        # A reviewer new to the project is one in any case here too ("Leser To" and "leser to"), named as first met.
        author = reviewer.name if reviewer is not None else spelt.setdefault(author.casefold(), author)
        # A comment is typed text from outside: invisible characters (Word's soft hyphens) go
        # before the key's names are looked for, as they go from anything typed.
        said = visible(_comment_text(comment)).strip()
        text = said
        if not text:
            result.unplaced.append(UnplacedComment(author, "", "the comment is empty"))
            continue
        cleaned = None
        anchor = anchors.get(comment.comment_id)
        if key is not None:
            _refuse_undecided(text, key, _a_comment(author, anchor, path.name))
            cleaned = pseudonymise(text, key, path.name)
            text = cleaned.text
        own_text = text
        parent = para_ids.get(parents.get(comment.para_id or "", ""))
        answering = f"(svar til {_kept_apart(session, parent.author, key, path.name, earlier_names)}) " if parent is not None else ""
        text = answering + text
        if anchor is None:
            result.unplaced.append(UnplacedComment(author, text, "the comment is not anchored anywhere in the document"))
            continue
        coding = _coding_for(session, anchor)
        if isinstance(coding, str):
            result.unplaced.append(UnplacedComment(author, text, coding))
            continue
        if coding is None and anchor.code_gone is not None and anchor.code_path is None:
            result.unplaced.append(UnplacedComment(author, text, f"the code it comments on ({anchor.code_gone}) is no longer in the codebook"))
            continue
        # The moment in UTC however the file writes it (Word with "Z", LibreOffice in local time with
        # no zone); a comment brought in before under its moment as written, or with a zone-less
        # moment read as UTC (as imports did, and as an editor re-saving Word's "Z" without it writes), is found too.
        written = comment.timestamp.isoformat() if comment.timestamp else ""
        stamp = _in_utc(comment.timestamp).isoformat() if comment.timestamp else ""
        as_if_utc = comment.timestamp.replace(tzinfo=UTC).isoformat() if comment.timestamp and not comment.timestamp.tzinfo else ""
        moments = list(dict.fromkeys(moment for moment in (stamp, written, as_if_utc) if moment)) or [""]
        # The day it was written on this machine's calendar, as its moments are shown; the memo's title
        # names it only where the memo is dated by it (a moment to come, or Word's empty date, is not).
        day = _in_utc(comment.timestamp).astimezone().date().isoformat() if comment.timestamp else ""
        written_at = _written_at(comment.timestamp)
        titled_day = day if written_at is not None else ""
        target = f"coding {coding.id}" if coding else (f"code {anchor.code_path}" if anchor.code_path else "project")
        if coding is None and anchor.code_gone is not None:
            target += f" ({anchor.code_gone}, which the report has it on, was merged into it since)"
        shown = target + (f" (the first of the {anchor.quotes_spanned} quotes it spans)" if coding and anchor.quotes_spanned > 1 else "")
        # A quote no longer coded: its coding removed since, or kept only for review where a replaced
        # text left it no place. Such a coding takes no memo, and a reviewer's comment is data, so it
        # goes on the quote's transcript, titled with the coding it was about.
        orphan = coding if coding is not None and coding.removed_at is not None else None
        # Where it goes, for a screen to go there: an orphan's transcript only, as its memo is on that
        # (and not the quote's place, which lies in a text since replaced, or holds no quote now).
        on_coding = coding if orphan is None else None
        on_transcript = coding.transcript.name if coding is not None else None
        on_code = on_coding.code.path if on_coding is not None else anchor.code_path if coding is None else None
        if orphan is not None and orphan.orphaned_at is not None:
            shown = (f"transcript {orphan.transcript.name}: its quote ({target}) lost its place when the text was replaced"
                     " (see `qualcode coding list --orphaned`)")
        elif orphan is not None:
            shown = f"transcript {orphan.transcript.name}: its quote ({target}) has been removed from the project"
        placed = PlacedComment(author, text, shown, False, on_coding.id if on_coding is not None else None, on_transcript, on_code,
                               on_coding.start if on_coding is not None else None)
        # Known by what the file itself says: its author, moment, words and quote as written, so a
        # name the key learns between two imports does not make the same comment new. Digested with
        # the key's secret, never stored as it is: the digest of a short comment naming someone
        # could otherwise be matched against a list of names. Not by which comment a reply answers,
        # which an editor that re-saves the file may drop (LibreOffice drops commentsExtended.xml).
        sources = [_source(key, raw_author, moment, said, _anchored_at(anchor))
                   for moment in moments]
        # Comments brought in before were known by their words as pseudonymised then, with the
        # reply's "(svar til …)", which are looked for too.
        sources += [f"review:{hashlib.sha256(f'{author}|{moment}|{pseudonymised}|{target}'.encode()).hexdigest()[:16]}"
                    for pseudonymised in dict.fromkeys((own_text, text)) for moment in moments]
        waiting.append(_Waiting(comment, author, reviewer, text, own_text, parent is not None, anchor, coding, orphan, target,
                                titled_day, written_at, placed, sources, day, stamp, as_if_utc,
                                re.compile(re.escape(answering) + _names_any_key_gives(said, cleaned)),
                                _reviewer_name(comment.author, None, path.name), stored_before))
    # Each comment finds the memo an import stored for it before, by the surest sign first for every
    # comment of the file, then the next: so a new comment in a reply's words ("Ja." by its author, on
    # its quote, alike in digest or day) does not take the reply's memo where it comes first in the
    # file, to be said already imported and lost while the reply comes in again.
    # Comments alike in all of a sign (two "Ja." by one reviewer at one moment on one quote, or answering
    # two questions there) are told apart by how many there are: each memo found stands for one comment
    # of this file, so the second finds the first taken and is new, and an import of the same file again,
    # or of its re-save, finds one for each. What else would tell them apart changes between saves: Word
    # and LibreOffice renumber comments' ids, and LibreOffice drops which comment a reply answers.
    found_for: dict[int, int] = {}  # the memo found for a comment of the file, by the comment's place in `waiting`
    taken: set[int] = set()
    for sign in _SIGNS:
        for index, each in enumerate(waiting):
            if index not in found_for:
                memo_id = next((memo_id for memo_id in sign(session, each) if memo_id not in taken), None)
                if memo_id is not None:
                    found_for[index] = memo_id
                    taken.add(memo_id)
    if key is not None and not learned and (names := {
        **(_known_again(session, key, waiting, found_for, path.name) if stored_before else {}),
        **_claimed_again(session, key, waiting, found_for, path.name, kept_before, unrecorded),
    }):
        # A reviewer named by an address is known by the name a key before this one, or a version that kept none in
        # the key, gave them: read again, under it, each other one named as if it had been known from the start.
        key.reviewers.clear()
        key.reviewers.update(kept_before)
        for written, name in names.items():
            known_again(written, key, name)
        return import_review(session, path, key, added_by, new_reviewer, importer, learned=True)
    together = new_guid()
    for index, each in enumerate(waiting):
        placed = each.placed
        found = session.get(Memo, found_for[index]) if index in found_for else None
        # A memo whose import was undone comes in again: the undo took back that import (a wrong file, say), and
        # this one brings the comment in anew, where one removed (`memo remove`) was a decision about the comment.
        if index in found_for and (found is None or not import_undone(session, found)):
            # Brought in while its quote was coded otherwise (its coding removed or orphaned since):
            # said where its memo is, which is not where this import would put it now.
            if each.coding is not None and found is not None and (found.coding_id, found.transcript_id) != (
                placed.coding, each.orphan.transcript_id if each.orphan is not None else None,
            ):
                placed = replace(placed, attached_to=memo_view(session, found).attached_to)
            if found is not None and found.removed_at is not None:
                # Removed since: not brought back, and not said to be there.
                placed = replace(placed, attached_to=f"{placed.attached_to}, but memo {found.id} was removed since")
            result.placed.append(placed)
            continue
        # A reviewer new to the project may have been made by an earlier comment of this file.
        reviewer = each.reviewer or stored_coder(session, each.author)
        if reviewer is None:
            # Someone who comments and is no coder the project knows: an informant, a caseworker, a
            # reader outside the team (DESIGN.md), who codes nothing. Made a medforsker, they coded
            # blind wherever medforskere do and passed for one of the team; the team's own medforskere
            # are added as coders first (`coder add --role medforsker`) and keep that role here.
            reviewer = get_or_create_coder(session, each.author, REVIEWER, by=added_by(each.author) if added_by is not None else None,
                                           origin=NAMED_BY_KEY if _named_by_key(each.comment.author, key, path.name) else None)
        coding, orphan, anchor = each.coding, each.orphan, each.anchor
        try:
            memo = add_memo(
                session, each.text, reviewer,
                coding_ref=str(coding.id) if coding and orphan is None else None,
                transcript_ref=orphan.transcript.name if orphan is not None else None,
                code_ref=anchor.code_path if coding is None and anchor.code_path else None,
                # On one line, as a typed title must be: the author's name and the passage are the document's.
                title=shortened(on_one_line(f"Kommentar fra {each.author}" + (f", {each.titled_day}" if each.titled_day else "")
                + (f", om {each.target}" if orphan else "") + (" (fjernet)" if orphan is not None and orphan.orphaned_at is None else "")),
                                MEMO_TITLE_LENGTH),
                source=each.sources[0], recorded_by=importer() if importer is not None else None, together=together,
                written_at=each.written_at,
                # The memo of its import undone: a redo of that import would keep the comment twice (history.redo).
                in_place_of=found.guid if found is not None else None,
            )
        except UndecidedNames as refused:  # said of the comment, as a name waiting for review is
            raise UndecidedNames(
                f"{_a_comment(each.author, anchor, path.name)} {refused.message.removeprefix('the memo ')}; nothing imported",
                (refused.hint or "").replace("then write it again", "then import the file again"), refused.proposals,
            ) from None
        result.placed.append(replace(placed, new=True))
        alike = next((memo_id for memo_id in _alike_before(session, each) if memo_id not in taken), None)
        if alike is not None:
            result.alike_before.append(AlikeBefore(each.author, memo.id, alike))
    return result


@dataclass
class _Waiting:
    """A comment of the file that has a place in the project, until it is found imported before or written as a memo."""

    comment: _FileComment
    author: str  # as the project keeps it
    reviewer: Coder | None  # the coder of that name the project held when the import began
    text: str  # its words as its memo holds them: pseudonymised, a reply's with "(svar til …)"
    own_text: str  # its own words, pseudonymised
    answers: bool  # a reply, linked to what it answers
    anchor: Anchor
    coding: Coding | None
    orphan: Coding | None
    target: str
    titled_day: str
    written_at: datetime | None
    placed: PlacedComment
    sources: list[str]  # the digests an import stored it under, now's first
    day: str
    stamp: str
    as_if_utc: str
    # Its words as a memo an import under another key may hold them (_names_any_key_gives).
    words: re.Pattern[str]
    written_by: str  # its author as the file names them (turned and cut as kept): held while the import runs, never stored
    stored_before: frozenset[str | None]  # the memos stored under a key before the project's (import_review)
    _by_digest: list[tuple[int, str]] | None = None
    _quote_codings: list[Coding] | None = None

    def by_digest(self, session: Session) -> list[tuple[int, str]]:
        """The memos stored under one of its digests, with their words (asked once, for two signs): live ones first,
        oldest first, then removed ones, newest first: one whose import was undone may have been written again, and
        the last written is the one a removal since decided about."""
        if self._by_digest is None:
            rows = session.execute(select(Memo.id, Memo.text, Memo.removed_at).where(Memo.source.in_(self.sources))).all()
            self._by_digest = [(memo_id, text) for memo_id, text, _ in sorted(
                rows, key=lambda row: (row.removed_at is not None, -row.id if row.removed_at is not None else row.id))]
        return self._by_digest

    def quote_codings(self, session: Session) -> list[Coding]:
        """The codings of the quote it is on, as the file names it (live or not), and the one the import takes now."""
        if self._quote_codings is None:
            prefixes = [name[len(BOOKMARK_PREFIX):] for name in self.anchor.bookmarks] or [ref.lower() for ref in self.anchor.refs]
            named = [coding for prefix in prefixes for coding in _codings_named(session, prefix)]
            self._quote_codings = [self.coding, *named] if self.coding is not None else named
        return self._quote_codings


def _by_digest_and_words(session: Session, each: _Waiting) -> list[int]:
    """Memos under its digest in its words, a reply's as a reply: a reply and a comment in its words share a digest."""
    return [memo_id for memo_id, text in each.by_digest(session) if text == each.text]


def _by_digest(session: Session, each: _Waiting) -> list[int]:
    """Memos under its digest: known by what the file itself says (its author, moment, words and quote as written)."""
    return [memo_id for memo_id, _ in each.by_digest(session)]


def _by_answer(session: Session, each: _Waiting) -> list[int]:
    """For a comment linked to nothing: the reply it was imported as, before an editor dropped the link."""
    if each.answers:
        return []
    days = list(dict.fromkeys([*(moment[:10] for moment in (each.day, each.stamp, each.as_if_utc) if moment), each.titled_day]))
    return _answered_before(session, each.author, each.own_text, days, each.coding, each.anchor.code_path)


def _by_what_is_kept(session: Session, each: _Waiting) -> list[int]:
    """Brought in under a key since replaced (`key new`): its digest was made with that key's secret, gone
    with it. Found by what the project holds of it instead: its author, moment, words and place."""
    if each.written_at is None:
        return []
    return _imported_before(session, each, Coder.name == each.author)


def _by_what_is_kept_undated(session: Session, each: _Waiting) -> list[int]:
    """As _by_what_is_kept, for a comment with no moment (its memo is dated by its import): by its author, its words
    as pseudonymised now and place. A sign of its own, after the dated comments' own, so an undated comment in a
    dated one's words does not take that one's memo."""
    if each.written_at is not None:
        return []
    return _imported_before(session, each, Coder.name == each.author)


# The signs a comment imported before is known by, surest first (import_review).
_SIGNS: tuple[Callable[[Session, _Waiting], list[int]], ...] = (
    _by_digest_and_words, _by_digest, _by_answer, _by_what_is_kept, _by_what_is_kept_undated)


def _known_again(
    session: Session, key: PseudonymKey, waiting: list[_Waiting], found_for: dict[int, int], where: str,
) -> dict[str, str]:
    """Learn, of each reviewer Word names by an address (a name the key replaces by a placeholder), the name a key
    before this one gave them, where it is not the name this key gives (its digits are digested with the key's
    secret, which `key new` changed), and keep it in the key: the same reviewer, in this file and every later one.
    Learned from their comments of this file that the import before brought in: found by what the project holds
    of them (_imported_before), their author aside, under one name of that placeholder, no other author's of the
    file, while none of theirs is found under the name they have now. What was learned: each name, by the
    author as the file first writes them."""
    found_under: dict[str, set[str]] = {}  # each author named by a placeholder, in any case: the names their comments are found under
    written_as: dict[str, str] = {}  # and as the file first writes them
    for index, each in enumerate(waiting):
        placeholder = placeholder_of(each.written_by, key, where)
        if placeholder is None:
            continue
        written_as.setdefault(each.written_by.casefold(), each.written_by)
        names = found_under.setdefault(each.written_by.casefold(), set())
        if index in found_for:
            names.add(each.author)
            continue
        memo_ids = _imported_before(session, each, Coder.name.like(f"{placeholder} %"))
        names.update(name for name in session.scalars(select(Coder.name).join(Memo, Memo.author_id == Coder.id).where(
            Memo.id.in_(memo_ids))) if kept_by_digits(name, placeholder))
    claimed = Counter(name for names in found_under.values() for name in names)
    learned: dict[str, str] = {}
    for folded, names in found_under.items():
        written = written_as[folded]
        if len(names) == 1 and claimed[name := next(iter(names))] == 1 and name != kept_name(written, key, where)[0]:
            learned[written] = name
    return learned


def _claimed_again(
    session: Session, key: PseudonymKey, waiting: list[_Waiting], found_for: dict[int, int], where: str,
    kept_before: dict[str, str], unrecorded: frozenset[str],
) -> dict[str, str]:
    """Of each reviewer Word names by an address whom the key kept no name for as the import began, the name a
    version that kept none in the key gave them (their placeholder and four digits, an unrecorded reviewer's):
    where a comment of theirs in this file is found by its digest, which holds the author as the file writes
    them, in a memo under that name. Nothing else tells them from a newcomer whose four digits meet theirs, who
    takes more. What was learned: each name, by the author as the file first writes them."""
    learned: dict[str, str] = {}
    for index, each in enumerate(waiting):
        if not unrecorded or index not in found_for or each.written_by in learned or key.digest(each.written_by) in kept_before:
            continue
        first = first_kept_name(each.written_by, key, where)
        memo = session.get(Memo, found_for[index]) if first in unrecorded else None
        # Found by the digest this key made of it (a "review:k" source), not by what the project holds of it: that
        # names no author but by the name kept, which is the one in question.
        if (memo is not None and memo.author.name == first and memo.source is not None and memo.source.startswith("review:k")
                and memo.source in each.sources):
            learned[each.written_by] = first
    return learned


def _tracked_changes(
    session: Session, document: Document, key: PseudonymKey | None, where: str, taken: frozenset[str],
) -> list[TrackedChanges]:
    """The reviewers' tracked changes to the report's text (insertions, deletions and moves in
    document.xml), counted by author, to be said: the import reads comments only, and an edit to a
    quote would otherwise be lost unsaid. A paragraph mark's change is part of a paragraph inserted
    or deleted, whose words are counted already; formatting changes touch no words."""
    from docx.oxml.ns import qn

    paragraph_mark = qn("w:rPr")
    by_author: dict[str | None, int] = {}
    for change in document.element.body.iter(qn("w:ins"), qn("w:del"), qn("w:moveFrom"), qn("w:moveTo")):
        parent = change.getparent()
        if parent is None or parent.tag != paragraph_mark:
            author = change.get(qn("w:author"))
            by_author[author] = by_author.get(author, 0) + 1
    counted_by: dict[str, int] = {}
    for written, changes in by_author.items():
        # Named as the same reviewer's comments are: by pseudonym where the key knows them, and as
        # the coder of that name in any case.
        name = _kept_apart(session, written, key, where, taken)
        reviewer = stored_coder(session, name)
        name = reviewer.name if reviewer is not None else name
        counted_by[name] = counted_by.get(name, 0) + changes
    return [TrackedChanges(author, changes) for author, changes in counted_by.items()]


def _edited_quotes(document: Document, heading_levels: dict[str, int], where: str) -> list[EditedQuote]:
    """The quotes whose paragraphs in the file are not what the report wrote for them (by the digests
    it kept: exporters/written_quotes.py), in the report's order; none for a file that kept none (a
    report written before they were kept) or whose editor dropped every quote's bookmark, where a quote
    missing is no sign of an edit."""
    written = _written_quotes(document, where)
    if not written:
        return []
    held = quote_digests(document.element.body, heading_levels)
    if not any(quote.bookmark in held for quote in written):
        return []
    shown: str | None = None  # the file's words, read once a bookmark is missing
    edited = []
    for quote in written:
        if quote.bookmark in held:
            if held[quote.bookmark] != quote.digest:
                edited.append(EditedQuote(quote.ref, removed=False))
            continue
        if shown is None:
            shown = "".join(paragraph_text(paragraph) for paragraph in document.element.body.iter(PARAGRAPH))
        # Its bookmark gone and its id too: the quote was deleted. With its id still there the bookmark
        # alone went (an editor may drop one), and what is there cannot be told from what was written.
        if f"[{quote.ref}]" not in shown:
            edited.append(EditedQuote(quote.ref, removed=True))
    return edited


def _written_quotes(document: Document, where: str) -> list[WrittenQuote]:
    """What the report wrote for each quote, from the custom XML part it kept it in."""
    for part in document.part.package.iter_parts():
        if WRITTEN_PART.search(str(part.partname)):
            written = from_xml(parse_xml(part.blob, f"{where}: part {str(part.partname).lstrip('/')}", REVIEW_LIMITS))
            if written is not None:
                return written
    return []


def _source(key: PseudonymKey | None, author: str, moment: str, said: str, anchored_at: str) -> str:
    """A comment's identity as the file gives it, digested with the key's secret (its salt for
    withdrawn names, which leaves the project only inside the encrypted key)."""
    identity = f"{author}|{moment}|{said}|{anchored_at}".encode()
    digest = (hmac.new(bytes.fromhex(key.deny_salt), identity, hashlib.sha256) if key is not None
              else hashlib.sha256(identity)).hexdigest()
    return f"review:k{digest[:24]}"


def _anchored_at(anchor: Anchor) -> str:
    """Where a comment is, as the file says: its quote's bookmark (or reference), else its section."""
    return (anchor.bookmarks[:1] or anchor.refs[:1] or (anchor.code_gone or anchor.code_path or "(project)",))[0]


def _a_comment(author: str, anchor: Anchor | None, where: str) -> str:
    """A comment as a refusal names it, for the researcher to find it in the file: by its author, and where the report
    has it ("on a quote under empowerment"), so one of a reviewer's many comments is not looked for by words alone."""
    on = "" if anchor is None or anchor.code_path is None else (
        f" on a quote under {anchor.code_path}" if anchor.bookmarks or anchor.refs else f" on {anchor.code_path}")
    return f"a comment by {author}{on} in {where}"


def _refuse_undecided(text: str, key: PseudonymKey, where: str) -> None:
    """A name an import held back for review may not come in through a comment either."""
    from qualcode.anonymise.typed_text import refuse_undecided

    try:
        refuse_undecided(text, key)
    except AwaitsReview as error:
        raise AwaitsReview(
            f"{where} {error.message.removeprefix('the text ')}; nothing imported",
            "decide about it with `qualcode anonymise review` (or `anonymise accept`/`dismiss`), then import the file again",
        ) from None


OTHER_FORMATS = {".doc": "a Word 97-2003 .doc", ".odt": "an OpenDocument .odt", ".rtf": "an .rtf", ".pdf": "a PDF"}


def _unreadable(path: Path, why: str, hint: str | None = None) -> ImportFailed:
    """Why a reviewed file cannot be read, and what to do: a file in another format (a .doc, an
    .odt) is saved as .docx, which re-saving it in its own format would not make it."""
    other = OTHER_FORMATS.get(path.suffix.lower())
    if other is not None:
        return ImportFailed(f"{path.name} is {other} file; comments are read from a .docx only; nothing imported",
                            "open it and save it as a Word document (.docx), then import that file")
    return ImportFailed(why, hint or "open it in Word or LibreOffice and save it again as .docx")


def _answered_before(
    session: Session, author: str, own_text: str, days: list[str], coding: Coding | None, code_path: str | None,
) -> list[int]:
    """The memos this reply, its link to what it answers dropped by an editor's re-save, may have been
    brought in as before with the link: "(svar til …) <its words>" by its author on the same thing,
    written the same day (a new comment in the same words, "Enig.", written another day is new). The
    words are compared here, not in a LIKE pattern: SQLite refuses a pattern over 50,000 bytes, and
    a comment may be longer."""
    query = (
        select(Memo.id, Memo.text).join(Coder, Memo.author_id == Coder.id)
        .where(Coder.name == author, Memo.source.like("review:%"), Memo.text.startswith("(svar til "),
               Memo.title.in_([f"Kommentar fra {author}" + (f", {day}" if day else "") for day in days]))
    )
    query = query.where(*_placed(coding, code_path))
    answer = ") " + own_text
    return [memo_id for memo_id, text in session.execute(query.order_by(Memo.id))
            if text.endswith(answer) and len(text) >= len("(svar til ") + len(answer)]


def _imported_before(session: Session, each: _Waiting, by: ColumnElement[bool]) -> list[int]:
    """The memos an import under an earlier key stored for this comment (its digest made with that key's secret,
    `key new` took it), known by what the project holds of it instead (_alike_before): by a coder `by` names,
    dated its moment, in its words as pseudonymised now where the project's key has not changed them since (a
    name, which that key may have called otherwise or a rewrite changed since), on its quote. One with no moment
    is known by its words as pseudonymised now only: a name apart, nothing tells it from a new comment
    naming another on the same quote (said: AlikeBefore).

    Only memos stored before the project's key was made: this key's own imports are known by their digests, and
    a comment that is new since, in words as alike as a name apart, is never taken for another's memo."""
    moment = _in_utc(each.written_at).replace(tzinfo=None) if each.written_at is not None else None
    return [memo_id for memo_id, text, created in _before_key_new(session, each, by)
            if (text == each.text if moment is None else
                (created.astimezone(UTC).replace(tzinfo=None) if created.tzinfo else created) == moment)]


def _alike_before(session: Session, each: _Waiting) -> list[int]:
    """For a comment with no moment: the memos an import under an earlier key stored by its author on its quote in
    its words but for a name, which it may repeat (_imported_before)."""
    if each.written_at is not None:
        return []
    return [memo_id for memo_id, text, _ in _before_key_new(session, each, Coder.name == each.author) if text != each.text]


def _before_key_new(session: Session, each: _Waiting, by: ColumnElement[bool]) -> list[tuple[int, str, datetime]]:
    """The memos an import stored before the project's key was made (`key new`) that may be this comment's: by a
    coder `by` names, in its words as pseudonymised now, each name in them as any name (_names_any_key_gives), on
    the quote it is on, whichever coding of the quote, or its transcript, the memo is on now; with their words and
    when they were made."""
    if not each.stored_before:
        return []
    query = (
        select(Memo.id, Memo.guid, Memo.text, Memo.created_at).join(Coder, Memo.author_id == Coder.id)
        .where(by, Memo.source.like("review:%"), _where_the_file_has_it(session, each))
    )
    return [(memo_id, text, created) for memo_id, guid, text, created in session.execute(query.order_by(Memo.id))
            if guid in each.stored_before and each.words.fullmatch(text)]


def _where_the_file_has_it(session: Session, each: _Waiting) -> ColumnElement[bool]:
    """What narrows memos to where a comment imported before may be now: on a quote, on any coding of it the
    file names (one removed since keeps its memos, as one a merge folded into another hands them on to that
    one, the coding the import takes now) or on that coding's transcript (where a comment on a quote that
    is coded no longer goes); else on its code, or on the project."""
    if each.coding is None:
        return and_(*_placed(None, each.anchor.code_path))
    named = each.quote_codings(session)
    return or_(Memo.coding_id.in_({coding.id for coding in named}),
               and_(Memo.coding_id.is_(None), Memo.transcript_id.in_({coding.transcript_id for coding in named})))


def _names_any_key_gives(said: str, cleaned: Pseudonymised | None) -> str:
    """A comment's words, pseudonymised (`cleaned`, of `said`), as a pattern of the words a memo of it may hold
    from an import under another key, or as a rewrite since left them: each name the key replaces as any of as
    many words (another key may have drawn another pseudonym; a name learned after the comment came in was
    replaced in its memo since), each placeholder as itself (every key writes "(e-post)" alike), the rest as it is."""
    if cleaned is None:
        return re.escape(said)
    parts: list[str] = []
    position = 0
    for replacement in cleaned.replacements:
        parts.append(re.escape(said[position:replacement.start]))
        words = len(replacement.pseudonym.split())
        parts.append(re.escape(replacement.pseudonym) if replacement.pseudonym.startswith("(") or not words
                     else r"\S+" + r"(?: \S+)" * (words - 1))
        position = replacement.end
    parts.append(re.escape(said[position:]))
    return "".join(parts)


def _placed(coding: Coding | None, code_path: str | None) -> tuple[ColumnElement[bool], ...]:
    """What narrows memos to where an import puts a comment: on its coding, else on its code, else on the project."""
    if coding is not None:
        return (Memo.coding_id == coding.id,)
    if code_path is not None:
        return (Memo.code_id.in_(select(Code.id).where(Code.path == code_path)),)
    return (Memo.coding_id.is_(None), Memo.code_id.is_(None), Memo.transcript_id.is_(None))


def _in_utc(moment: datetime) -> datetime:
    """A comment's moment in UTC; one written without a zone is this machine's local time, as
    LibreOffice writes it (Word writes UTC, with its "Z")."""
    return moment.astimezone(UTC)  # a naive datetime is read as local time, the clock's zone rules for its day


def _written_at(moment: datetime | None) -> datetime | None:
    """When a comment was written, to date its memo by: none for a moment after now (another
    machine's clock), as a .qdpx import dates its notes, nor for one before word processors wrote
    comments (Word writes 1601-01-01, the first day of Windows' calendar, for a comment with no date)."""
    if moment is None:
        return None
    utc = _in_utc(moment)
    return utc if EARLIEST_COMMENT <= utc <= datetime.now(UTC) else None


EARLIEST_COMMENT = datetime(1990, 1, 1, tzinfo=UTC)


def _comment_text(comment: _FileComment) -> str:
    """A comment's text, its paragraphs read as the .docx importer reads a transcript's: tracked
    changes accepted, hidden text kept, runs of paragraphs nested in one (text boxes) not part of it."""
    return "\n".join(paragraph_text(paragraph) for paragraph in comment.element.findall(PARAGRAPH))


def _file_comments(document: Document) -> list[_FileComment]:
    """The document's comments, each read from its attributes as written rather than through
    python-docx's properties, which raise on a missing author or an id that is no number."""
    from docx.oxml.ns import qn

    comments = []
    for comment in document.comments:
        element = comment._comment_elm
        paragraphs = element.findall(qn("w:p"))
        comments.append(_FileComment(
            element, element.get(qn("w:id")) or "", element.get(qn("w:author")), _moment(element.get(qn("w:date"))),
            paragraphs[-1].get(f"{{{W14}}}paraId") if paragraphs else None,
        ))
    return comments


def _moment(written: str | None) -> datetime | None:
    """A comment's moment (w:date, ISO 8601: Word's ends in "Z", LibreOffice's is local time with no zone), or None for
    one that is no moment: python-docx reads any it cannot parse as 1970-01-01, which would date the
    memo falsely, and a year-9999 moment with an offset has no UTC a datetime can hold. The comment
    is kept undated either way."""
    if not written:
        return None
    try:
        moment = datetime.fromisoformat(written.strip())
        _in_utc(moment)
        moment.astimezone()  # its day on this machine's calendar, for the memo's title
    except (ValueError, OverflowError, OSError):
        return None
    return moment


def _coding_for(session: Session, anchor: Anchor) -> Coding | None | str:
    """The coding a comment is about (removed, where no other coder's coding of the quote is live),
    None if it is not on a quote, or why it cannot be placed."""
    prefixes = [name[len(BOOKMARK_PREFIX):] for name in anchor.bookmarks]
    if not prefixes:
        prefixes = [ref.lower() for ref in anchor.refs]
    if not prefixes:
        return None
    for prefix in prefixes:
        matches = _codings_named(session, prefix)
        if len(matches) == 1:
            coding = matches[0]
            if coding.removed_at is None:
                return coding
            # A quote several coders gave one code is shown once, under the earliest coding: while
            # another coder's coding of the same passage with the same code is live, it is that quote.
            shared = session.scalars(
                select(Coding).where(
                    Coding.transcript_id == coding.transcript_id, Coding.text_version_id == coding.text_version_id,
                    Coding.start == coding.start, Coding.end == coding.end, Coding.code_id == coding.code_id,
                    Coding.removed_at.is_(None),
                ).order_by(Coding.id).limit(1)
            ).first()
            return shared if shared is not None else coding
    return "the quote it comments on is no longer in the project"


def _codings_named(session: Session, prefix: str) -> list[Coding]:
    """The codings whose GUID (without hyphens) begins with `prefix`, as a bookmark or a reference gives it."""
    return list(session.scalars(select(Coding).where(func.replace(Coding.guid, "-", "").like(prefix + "%"))).all())


def _quoted(document: Document, *, referenced: bool = True) -> set[str]:
    """The quotes the document bookmarks or (with `referenced`) references, by the start of their coding's GUID."""
    from docx.oxml.ns import qn

    prefixes = {
        name[len(BOOKMARK_PREFIX):] for node in document.element.body.iter(qn("w:bookmarkStart"))
        if (name := node.get(qn("w:name")) or "").startswith(BOOKMARK_PREFIX)
    }
    for paragraph in document.element.body.iter(qn("w:p")) if referenced else ():  # a reference may be split over runs
        prefixes |= {ref.lower() for ref in REF.findall("".join(node.text or "" for node in paragraph.iter(qn("w:t"))))}
    return {prefix for prefix in prefixes if re.fullmatch(r"[0-9a-f]{6,32}", prefix)}


def _quotes_of_this_project(session: Session, document: Document) -> bool:
    """Whether any quote the document bookmarks or references is a coding of this project (live or
    not); a document that quotes nothing (no report, a note written for the project) is not refused."""
    prefixes = _quoted(document)
    return not prefixes or any(_codings_named(session, prefix) for prefix in prefixes)


def _refuse_quotes_of_the_withdrawn(session: Session, document: Document, name: str) -> None:
    """Refuse a report quoting a passage no longer in the project at all once someone has withdrawn:
    a withdrawal deletes their codings (a coding removed is kept, marked so). Written before they
    withdrew, its quotes and any comment repeating them hold their words, which must not come back.
    Without a withdrawal, a quote gone (a backup restored from before it was coded) is only said of
    the comments on it."""
    if session.scalar(select(Event.id).where(Event.action == EventKind.PARTICIPANT_WITHDRAW.value).limit(1)) is None:
        return
    # A quote is both bookmarked (its GUID) and referenced (its first six characters): counted once.
    # Where the quotes are bookmarked they are the bookmarks, and a reference beside them one a
    # reviewer typed ("se [S-123ABC]"), which quotes nothing; a file whose editor dropped the
    # bookmarks is read by its references.
    quoted = _quoted(document, referenced=False) or _quoted(document)
    gone = {prefix[:6] for prefix in quoted if not _codings_named(session, prefix)}
    if gone:
        raise ImportFailed(
            f"{name} quotes {len(gone)} passage{'s' if len(gone) > 1 else ''} of a participant who has withdrawn consent"
            " since it was exported; nothing imported, as its comments may repeat their words",
            "export the report again and have the comments written on that one",
        )


def review_memos(session: Session, coders: Sequence[str] = ()) -> dict[str, list[MemoView]]:
    """Reviewers' memos grouped by the code they concern ("(project)" for the rest); only those
    `coders` may see when named (a blind coder: comments on their own quotes, as `memo list` shows them)."""
    grouped: dict[str, list[MemoView]] = {}
    memos = session.scalars(select(Memo).where(Memo.source.like("review:%"), Memo.removed_at.is_(None)).order_by(Memo.id))
    for memo in memos:
        coding = session.get(Coding, memo.coding_id) if memo.coding_id is not None else None
        if coders and not seen_by(coders, memo.author.name, coding.coder.name if coding is not None else None):
            continue
        if memo.coding_id is not None:
            code = coding.code.path if coding is not None else "(project)"
        elif memo.code_id is not None:
            found = session.get(Code, memo.code_id)
            code = found.path if found is not None else "(project)"
        else:
            code = "(project)"
        grouped.setdefault(code, []).append(memo_view(session, memo))
    return dict(sorted(grouped.items()))


def _reviewer_name(author: str | None, key: PseudonymKey | None, where: str, taken: frozenset[str] = frozenset()) -> str:
    """A comment's author as the project may keep it: a reviewer the key knows (an informant
    commenting on a draft, say) by their pseudonym, one named by an address by digits the key keeps
    for them (names.reviewer_named; `taken`: names they may not have). The name comes from a file, so a
    name held back for review is refused as it is in typed text (a coder's name is not cleaned by the session)."""
    name = " ".join(visible(author or "").split())
    # Word shows a directory's name as "Nordmann, Ola": the name as it is said, since a coder's name
    # holds no comma (`--coders A,B` lists them). More commas than that are spaces.
    family, comma, given = name.partition(",")
    if comma:
        name = " ".join(f"{given} {family}".replace(",", " ").split())
    name = name or "Ukjent kommentator"  # none written, or only commas
    if len(name) > CODER_NAME_LENGTH:  # as a .qdpx import cuts a user's name: the store keeps no more
        name = name[:CODER_NAME_LENGTH - 1].rstrip() + "…"
    if key is None:
        return name
    _refuse_undecided(name, key, f"the author of a comment in {where}")
    return reviewer_named(name, key, where, taken)


def _kept_apart(session: Session, author: str | None, key: PseudonymKey | None, where: str, taken: frozenset[str]) -> str:
    """The name a comment's `author` is kept under (_reviewer_name), or the whole pseudonyms of the people the
    key found in it where that name is a coder's whom the key did not name: Gudveig's comment signed "Gudveig",
    her pseudonym "Anne Vik", went under the team's medforsker Anne (a pseudonym's given name is one of a
    hundred), and stayed there when Gudveig withdrew. A name signed whole is kept as before: a coder made
    by typing someone's whole name the key holds is stored as their whole pseudonym, and is that person."""
    kept = _reviewer_name(author, key, where, taken)
    other = stored_coder(session, kept) if key is not None else None
    if key is None or other is None or named_by_key(session, other) or not _named_by_key(author, key, where):
        return kept
    found = pseudonymise(_reviewer_name(author, None, where), key, where).replacements
    return " ".join(dict.fromkeys(each.entry.pseudonym for each in found if each.entry is not None and each.kind == "person")) or kept


def _named_by_key(author: str | None, key: PseudonymKey | None, where: str) -> bool:
    """Whether the key replaced (some of) a comment author's name: a person the study knows."""
    if key is None:
        return False
    name = _reviewer_name(author, None, where)  # as written, turned and cut as the name kept is
    return kept_name(name, key, where)[1]


def _by_withdrawn(author: str | None, key: PseudonymKey | None, where: str) -> bool:
    """Whether a comment's author is a participant who withdrew consent: their name is in the key only
    as digests (anonymise/withdraw.py), which replace it with no entry of its own."""
    if key is None:
        return False
    from qualcode.anonymise.apply import known_matcher

    name = " ".join(visible(author or "").split())
    listed = {id(entry) for entry in key.entries}
    # A withdrawn identifier of any kind (a name, an e-mail address) is matched by a stand-in the key does not list.
    return any(id(match.entry) not in listed for match in known_matcher(key).find(name))
