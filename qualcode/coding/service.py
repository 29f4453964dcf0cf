"""Applying, listing, removing and resizing codings, and memos on codings; each an event."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qualcode.codebook.service import code_subtree_ids, find_code
from qualcode.coding.coders import CONSENSUS_CODER, find_coder
from qualcode.errors import Ambiguous, Gone, InvalidInput, NotFound
from qualcode.store.bulk import in_values
from qualcode.store.events import EventKind, hold_write_lock, record_event
from qualcode.store.lookup import LineIndex, current_text, find_transcript
from qualcode.store.models import Coder, Coding, Transcript, Turn, new_guid, utcnow
from qualcode.store.project import NOT_AS_STORED_EITHER, as_stored, found_as_stored
from qualcode.store.upsert import insert_unless_present
from qualcode.text.normalise import normalise, shortened
from qualcode.text.tokens import in_word


@dataclass(frozen=True)
class CodingView:
    """A coding as shown to a researcher, with where it is."""

    id: int
    guid: str
    transcript: str
    code_path: str
    coder: str
    start: int
    end: int
    line: int
    speaker: str | None
    excerpt: str
    memo: str | None
    removed: bool
    changed: bool = True  # False when a change asked for left the coding as it was (no event is logged)
    cut_words: tuple[str, ...] = ()  # words whose middle the offsets given fell in (said, not mended: offsets are kept)


def coding_state(coding: Coding) -> dict[str, Any]:
    """What undo and redo restore of a coding."""
    return {
        "guid": coding.guid,
        "code_guid": coding.code.guid,
        "start": coding.start,
        "end": coding.end,
        "excerpt": coding.excerpt,
        "memo": coding.memo,
        "removed": coding.removed_at is not None,
    }


# A letter or digit next to a match means it starts or ends inside a word.
_NOT_AFTER_WORD = r"(?<![^\W_])"
_NOT_BEFORE_WORD = r"(?![^\W_])"


def find_span(text: str, quote: str, *, partial: bool = False) -> tuple[int, int]:
    """The one place `quote` occurs in `text` as whole words (any part of a word if `partial`), any whitespace matching any other."""
    words = normalise(quote).split()
    if not words:
        raise InvalidInput("the quoted text is empty")
    body = r"\s+".join(re.escape(word) for word in words)
    pattern = re.compile(body if partial else _NOT_AFTER_WORD + body + _NOT_BEFORE_WORD)
    matches = list(pattern.finditer(text))
    if not matches:
        inside = None if partial else re.search(body, text)
        if inside is not None:
            raise NotFound(
                f"the quoted text {_short(quote)!r} occurs only inside a word "
                f"({_short(_word_around(text, inside.start(), inside.end()))!r}, line {LineIndex(text).line(inside.start())})",
                "quote whole words, or give --partial to code part of a word",
            )
        other_case = re.search(pattern.pattern, text, re.IGNORECASE)
        if other_case is not None:  # a match is as written, capitals too: say where it is written otherwise
            raise NotFound(
                f"the quoted text {_short(quote)!r} does not occur as written; it occurs as {_short(other_case.group())!r}"
                f" (line {LineIndex(text).line(other_case.start())})",
                "quote it with its capitals as the transcript writes them",
            )
        raise NotFound(f"the quoted text {_short(quote)!r} does not occur in the transcript", "check the wording, or give --start and --end")
    if len(matches) > 1:
        lines = LineIndex(text)
        places = ", ".join(f"line {lines.line(m.start())} (offset {m.start()})" for m in matches[:5])
        raise Ambiguous(f"the quoted text {_short(quote)!r} occurs {len(matches)} times: {places}", "quote more words, or give --start and --end")
    return matches[0].start(), matches[0].end()


def quoted_span(session: Session, text: str, quote: str, *, partial: bool = False) -> tuple[int, int]:
    """find_span of `quote` as typed, else as the project stores typed text (typed_as_stored): the
    texts hold pseudonyms, and "fikk hjelp av Hilde" quoted from the interview as it was said is
    found where the text reads her pseudonym. Not found so either, it is said as typed."""
    try:
        return find_span(text, quote, partial=partial)
    except NotFound as missing:
        stored = as_stored(session, quote)
        if stored.text == quote:
            raise
        as_typed = missing
    try:
        span = find_span(text, stored.text, partial=partial)
    except NotFound:
        raise NotFound(f"{as_typed.message}, {NOT_AS_STORED_EITHER}", as_typed.hint) from None
    found_as_stored(session, stored, "quote")  # "NAV Horten" quoted is found where any NAV office was said
    return span


def _word_around(text: str, start: int, end: int) -> str:
    """The span widened to the whole words it starts and ends in."""
    start, end = widen_to_words(text, start, end)
    return text[start:end]


def words_cut(text: str, start: int, end: int) -> tuple[str, ...]:
    """The words a span given by offsets starts or ends inside of, each whole, in text order."""
    cut = []
    for edge in dict.fromkeys((start, end)):
        word_start, word_end = widen_to_words(text, edge, edge)
        if word_start < edge < word_end:
            cut.append(text[word_start:word_end])
    return tuple(cut)


def widen_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """A span that starts or ends inside a word, widened to take the whole word at each end (a
    letter's combining mark with it, text.tokens.in_word)."""
    while start > 0 and in_word(text[start - 1]) and start < len(text) and in_word(text[start]):
        start -= 1
    while end < len(text) and in_word(text[end]) and end > 0 and in_word(text[end - 1]):
        end += 1
    return start, end


def within_turns(text: str, turns: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """A span trimmed off the speaker labels and blanks between turns (`turns`: their text's (start, end),
    in order), as `refuse_span_on_label` reads them: a start there moves on to the turn's text, an end
    back to the previous turn's end. What a reader selects by eye often begins or ends on a label."""
    for previous_end, label_start, turn_start, turn_end in _labels(text, turns):
        if (previous_end if previous_end is not None else label_start) <= start < turn_start < end:
            start = turn_start
        if previous_end is not None and start < previous_end < end <= turn_start:
            end = previous_end
        if turn_end >= end:
            break
    return start, end


def _labels(text: str, turns: Iterable[tuple[int, int]]) -> Iterator[tuple[int | None, int, int, int]]:
    """For each turn (its text's start and end, in order): where the turn before it ends (None for the
    first, before which a header may stand), where its speaker label begins, and its start and end.
    A turn's label is what stands on its line before its text ("L1: ", "[00:12:31] Kari: "); between two
    turns there is nothing else (a label with no text after it makes no turn)."""
    previous_end: int | None = None
    for turn_start, turn_end in turns:
        yield previous_end, max(previous_end or 0, text.rfind("\n", 0, turn_start) + 1), turn_start, turn_end
        previous_end = turn_end


def _short(text: str, limit: int = 40) -> str:
    return shortened(" ".join(text.split()), limit)


# A coding's place in the unique index of live codings (models.Coding): one per passage, code and coder.
LIVE_CODING_KEY = ("transcript_id", "code_id", "coder_id", "start", "end")


def refuse_duplicate_coding(
    session: Session, transcript_id: int, code_id: int, coder: Coder, start: int, end: int, other_than: int | None = None
) -> None:
    """Refuse a coding that would repeat a live one: the same passage, code and coder."""
    query = select(Coding).where(
        Coding.transcript_id == transcript_id, Coding.code_id == code_id, Coding.coder_id == coder.id,
        Coding.start == start, Coding.end == end, Coding.removed_at.is_(None),
    )
    if other_than is not None:
        query = query.where(Coding.id != other_than)
    with session.no_autoflush:
        duplicate = session.scalar(query)
    if duplicate is not None:
        raise InvalidInput(f"this passage is already coded {duplicate.code.path} by {coder.name} (coding {duplicate.id})")


def is_live_coding_conflict(error: IntegrityError) -> bool:
    """Whether the database refused a write because it would repeat a live coding."""
    message = str(error.orig)
    return "uq_codings_live" in message or "codings.transcript_id, codings.code_id, codings.coder_id" in message


def _check_span(text: str, start: int, end: int) -> None:
    if not 0 <= start < end <= len(text):
        raise InvalidInput(f"span {start}-{end} is outside the text (0-{len(text)}) or empty", "start must be below end")
    if not text[start:end].strip():
        raise InvalidInput(f"span {start}-{end} holds only whitespace")


def refuse_span_on_label(session: Session, text_version_id: int, text: str, start: int, end: int) -> None:
    """Refuse a span that starts on a speaker label or in the blank before a turn, or ends on a label: a passage
    belongs to the turn it starts in, so it would be nobody's, and its quote would carry the label."""
    with session.no_autoflush:
        turns = session.execute(
            select(Turn.start, Turn.end).where(Turn.text_version_id == text_version_id).order_by(Turn.start)
        ).all()
    for previous_end, label_start, turn_start, _ in _labels(text, turns):
        label = text[label_start:turn_start]
        on_label = bool(label.strip()) and label_start <= start < turn_start
        if on_label or (previous_end is not None and previous_end <= start < turn_start):
            where = f'inside the speaker label "{label}"' if on_label else "between turns"
            raise InvalidInput(
                f"{start}-{end} starts {where}; the turn's text starts at {turn_start}", f"start the passage at {turn_start}",
            )
        gap_start = label_start if previous_end is None else previous_end
        if gap_start < end <= turn_start and text[gap_start:end].strip():
            before = f"; the turn before it ends at {previous_end}" if previous_end is not None else ""
            where = f'inside the speaker label "{label}"' if end > label_start else "on a speaker label"
            raise InvalidInput(
                f"{start}-{end} ends {where}{before}", "end the passage where a turn's text ends, or inside the next turn's text",
            )


def _place(session: Session, text_version_id: int, text: str, start: int) -> tuple[int, str | None]:
    """The line and speaker at an offset; worked out before a write, so the write stays short."""
    with session.no_autoflush:
        speaker = session.scalar(
            select(Turn.speaker).where(Turn.text_version_id == text_version_id, Turn.start <= start, Turn.end > start)
        )
    return text.count("\n", 0, start) + 1, speaker


def view_coding(
    session: Session, coding: Coding, lines: dict[int, LineIndex] | None = None, place: tuple[int, str | None] | None = None
) -> CodingView:
    """The coding with its line and speaker; `lines` caches line indexes across many codings."""
    if place is None:
        text = coding.transcript.current_version.text if coding.transcript.current_version else ""
        if lines is None:
            place = _place(session, coding.text_version_id, text, coding.start)
        else:
            if coding.text_version_id not in lines:
                lines[coding.text_version_id] = LineIndex(text)
            speaker = session.scalar(
                select(Turn.speaker).where(
                    Turn.text_version_id == coding.text_version_id, Turn.start <= coding.start, Turn.end > coding.start
                )
            )
            place = lines[coding.text_version_id].line(coding.start), speaker
    return CodingView(
        id=coding.id, guid=coding.guid, transcript=coding.transcript.name, code_path=coding.code.path,
        coder=coding.coder.name, start=coding.start, end=coding.end, line=place[0], speaker=place[1],
        excerpt=coding.excerpt, memo=coding.memo, removed=coding.removed_at is not None,
    )


def add_coding(
    session: Session,
    transcript_ref: str,
    code_ref: str,
    coder: Coder,
    *,
    start: int | None = None,
    end: int | None = None,
    match: str | None = None,
    partial: bool = False,
    memo: str | None = None,
    blind: bool = False,
    decided_by: Coder | None = None,
    decision: str = "",
    consensus: dict[str, str] | None = None,
    text_version: int | None = None,
    new_span: bool = True,
    together: str | None = None,
) -> CodingView:
    """Code a span, given by offsets or by quoting its text (whole words unless `partial`), as an undoable event;
    offsets read in a text version (`text_version`) are refused once another one is current;
    `blind` records that the coder could see no one else's codings when making it. A coding made for
    another coder (a consensus decision) is the event of `decided_by`, on their undo stack, with `decision` in its summary
    and `consensus` (coding/consensus.py's fields: how, and between whom) in its payload, and `together` the key of
    the decision's other codings, which undo takes back with it. A span that starts or ends on a speaker label is
    refused unless it is not `new_span` (one a coding already has, kept in a decision)."""
    transcript = find_transcript(session, transcript_ref)
    code = find_code(session, code_ref)
    version = current_text(transcript)
    if text_version is not None and version.id != text_version:
        raise InvalidInput(
            f"the text of {transcript.name} has changed since it was shown (rewritten by another command); nothing was coded",
            "select the passage again in the text as it is now",
        )
    if match is not None:
        if start is not None or end is not None:
            raise InvalidInput("give either --match or --start/--end, not both")
        start, end = quoted_span(session, version.text, match, partial=partial)
    elif partial:
        raise InvalidInput("--partial applies to --match only", "give --match TEXT, or leave out --partial")
    if start is None or end is None:
        raise InvalidInput("say what to code", "give --start and --end, or --match TEXT")
    _check_span(version.text, start, end)
    if new_span:
        refuse_span_on_label(session, version.id, version.text, start, end)
    refuse_duplicate_coding(session, transcript.id, code.id, coder, start, end)
    place = _place(session, version.id, version.text, start)
    guid = new_guid()
    inserted = insert_unless_present(
        session, Coding,
        {
            "guid": guid, "transcript_id": transcript.id, "text_version_id": version.id, "code_id": code.id,
            "coder_id": coder.id, "start": start, "end": end, "excerpt": version.text[start:end],
            "text_hash": version.content_hash,
        },
        LIVE_CODING_KEY, where=Coding.removed_at.is_(None),
    )
    if not inserted:  # the same coding was made by another process a moment ago
        refuse_duplicate_coding(session, transcript.id, code.id, coder, start, end)
        raise InvalidInput("this passage was being coded the same way at the same moment", "list codings and try again")
    coding = session.scalar(select(Coding).where(Coding.guid == guid))
    assert coding is not None
    # Set through the session, so what a person typed passes the same checks as every other memo.
    coding.memo = memo or None
    session.flush()
    # The audit trail keeps whether the coding was made blind, for an agreement study's method note.
    for_other = f" for {coder.name} ({decision})" if decided_by is not None else ""
    record_event(
        session, kind=EventKind.CODING_ADD, coder=decided_by or coder, entity_guid=coding.guid,
        before=None, after=coding_state(coding) | ({"blind": True} if blind else {}), consensus=consensus, together=together,
        summary=f"coded {transcript.name} {start}-{end} as {code.path}{for_other}: {_short(coding.excerpt)!r}"
        + (" (blind)" if blind else ""),
    )
    view = view_coding(session, coding, place=place)
    return view if match is not None else replace(view, cut_words=words_cut(version.text, start, end))


def find_coding(session: Session, ref: str | int, *, afresh: bool = False) -> Coding:
    """A coding by id, GUID or handle, as a blind coder is shown it (coding/handles.py; `afresh`: as
    the database holds it, not as this session read it before)."""
    from qualcode.coding.handles import handle_prefix

    prefix = handle_prefix(str(ref))
    if prefix is not None:
        found = session.scalars(select(Coding).where(Coding.guid.startswith(prefix, autoescape=True)).limit(2)
                                .execution_options(populate_existing=afresh)).all()
        if len(found) > 1:
            raise Ambiguous(f"coding {ref} names more than one coding", "give its GUID, as `qualcode coding list --json` shows it")
        coding = found[0] if found else None
    else:
        coding = (
            session.get(Coding, int(ref), populate_existing=afresh) if str(ref).isdigit()
            else session.scalar(select(Coding).where(Coding.guid == str(ref)).execution_options(populate_existing=afresh))
        )
    if coding is None:
        raise NotFound(f"no coding {ref}", "list codings with `qualcode coding list`")
    return coding


def live_coding(session: Session, ref: str | int) -> Coding:
    """A coding by id or GUID that has not been removed: what a change or a memo may be made on.

    Read holding the write lock, afresh, so the change is made on the coding as it is now: a
    removal and a resize of one coding at once each read it before the other wrote, and the
    second logged a state that was gone (undo then brought a removed coding back at its old span).
    Its text, which never changes, is read before the lock, so other writers wait less."""
    transcript = find_coding(session, ref).transcript
    current_text(transcript).text  # noqa: B018 - loaded here, and kept in the session by `transcript`
    hold_write_lock(session)
    coding = find_coding(session, ref, afresh=True)
    if session.scalar(select(Transcript.current_version_id).where(Transcript.id == coding.transcript_id)) != (
        coding.transcript.current_version_id
    ):
        session.refresh(coding.transcript)  # its text was replaced meanwhile: the new one is the text now
    if coding.orphaned_at is not None:  # undo cannot bring it back: the text it was made on is gone
        raise Gone(
            f"coding {coding.id} lost its place when its transcript's text was replaced, and is kept only for review",
            "code the passage again in the new text; `qualcode coding list --orphaned` lists what is kept",
        )
    if coding.removed_at is not None:
        raise Gone(f"coding {coding.id} was removed", "`qualcode undo` brings it back if it was the last change")
    return coding


def _change(
    session: Session, coding: Coding, coder: Coder, kind: EventKind, summary: str, mutate: Callable[[Coding], None],
    together: str | None = None, blind: bool = False,
) -> CodingView:
    """Apply one change to a live coding and log its before and after state for undo (`together`: see record_event);
    `blind` records that the coder could see no one else's codings when making it, as add_coding does."""
    _refuse_anothers(coding, coder, kind)
    before = coding_state(coding)
    with session.no_autoflush:
        mutate(coding)
        if coding_state(coding) == before:  # recoded to its own code, the same span, the same memo
            return replace(view_coding(session, coding), changed=False)
        if coding.removed_at is None:
            refuse_duplicate_coding(session, coding.transcript_id, coding.code.id, coding.coder, coding.start, coding.end, coding.id)
        # Everything slow (the text, the line) before the write: other writers wait while it lasts.
        place = _place(session, coding.text_version_id, current_text(coding.transcript).text, coding.start)
    try:
        session.flush()
    except IntegrityError as error:  # another process made the same coding a moment ago
        if not is_live_coding_conflict(error):
            raise
        raise InvalidInput(
            f"this passage was just coded {coding.code.path} by {coding.coder.name} elsewhere", "list codings and try again"
        ) from None
    record_event(
        session, kind=kind, coder=coder, entity_guid=coding.guid,
        before=before, after=coding_state(coding) | ({"blind": True} if blind else {}), summary=summary, together=together,
    )
    return view_coding(session, coding, place=place)


def _refuse_anothers(coding: Coding, coder: Coder, kind: EventKind) -> None:
    """A coding is its coder's: agreement and consensus compare what each coder did, so a change by
    someone else would be counted as theirs. A memo of one's own may be attached to it."""
    if coding.coder_id == coder.id or coding.coder.name == CONSENSUS_CODER:
        return
    hint = (f"write your own memo on it: `qualcode memo add TEXT --coding {coding.id}`" if kind == EventKind.CODING_MEMO
            else f"code the passage yourself: `qualcode coding add {coding.transcript.name} CODE --start {coding.start}"
                 f" --end {coding.end}`")
    raise InvalidInput(f"coding {coding.id} is {coding.coder.name}'s; only they can change it", hint)


def remove_coding(
    session: Session, ref: str | int, coder: Coder, *, why: str = "", together: str | None = None, blind: bool = False,
) -> CodingView:
    """Mark a coding removed; it stays in the database and the log, and undo restores it. `why` is said in the
    history (a consensus decision taken back); `together` marks the other events of the same change."""
    coding = live_coding(session, ref)
    summary = f"removed {coding.code.path} from {coding.transcript.name} {coding.start}-{coding.end}" + (f" ({why})" if why else "")
    return _change(session, coding, coder, EventKind.CODING_REMOVE, summary, lambda c: setattr(c, "removed_at", utcnow()),
                   together=together, blind=blind)


def resize_coding(session: Session, ref: str | int, start: int, end: int, coder: Coder, *, blind: bool = False) -> CodingView:
    """Move a coding's boundaries within its text version (`blind`: made without seeing others' codings)."""
    coding = live_coding(session, ref)
    version = current_text(coding.transcript)
    if version.id != coding.text_version_id:
        raise InvalidInput(f"coding {coding.id} belongs to an older text version", "re-anchor it first")
    _check_span(version.text, start, end)
    refuse_span_on_label(session, version.id, version.text, start, end)

    def move(target: Coding) -> None:
        target.start, target.end, target.excerpt = start, end, version.text[start:end]

    summary = f"resized coding {coding.id} ({coding.code.path}) to {start}-{end}"
    view = _change(session, coding, coder, EventKind.CODING_RESIZE, summary, move, blind=blind)
    return replace(view, cut_words=words_cut(version.text, start, end))


def recode_coding(session: Session, ref: str | int, code_ref: str, coder: Coder, *, blind: bool = False) -> CodingView:
    """Change the code of a coding, keeping its span (`blind`: made without seeing others' codings)."""
    coding = live_coding(session, ref)
    code = find_code(session, code_ref)
    summary = f"changed coding {coding.id} from {coding.code.path} to {code.path}"
    return _change(session, coding, coder, EventKind.CODING_RECODE, summary, lambda c: setattr(c, "code", code), blind=blind)


def set_coding_memo(session: Session, ref: str | int, text: str | None, coder: Coder) -> CodingView:
    """Write, replace or (with empty text) clear a coding's memo."""
    coding = live_coding(session, ref)
    memo = text.strip() if text and text.strip() else None
    summary = f"{'wrote' if memo else 'cleared'} memo on coding {coding.id}"
    return _change(session, coding, coder, EventKind.CODING_MEMO, summary, lambda c: setattr(c, "memo", memo))


def list_codings(
    session: Session,
    *,
    transcript_ref: str | None = None,
    code_ref: str | None = None,
    coder_name: str | None = None,
    include_subcodes: bool = True,
    include_removed: bool = False,
    attributes: tuple[tuple[str, str], ...] = (),
) -> list[CodingView]:
    """Codings, filtered, in transcript and text order.

    `attributes` (NAME, VALUE pairs) keep the live codings whose participant or transcript has
    those values, chosen as exports choose their quotes.
    """
    query = select(Coding).join(Transcript)
    if attributes:
        from qualcode.coding.passages import QuoteFilter, select_quotes

        quotes, _ = select_quotes(session, QuoteFilter(attributes=attributes))
        query = query.where(in_values(Coding.id, [quote.coding_id for quote in quotes]))
    if transcript_ref:
        query = query.where(Coding.transcript_id == find_transcript(session, transcript_ref).id)
    if code_ref:
        code = find_code(session, code_ref)
        ids = code_subtree_ids(session, code) if include_subcodes else [code.id]
        query = query.where(Coding.code_id.in_(ids))
    if coder_name:
        query = query.where(Coding.coder_id == find_coder(session, coder_name).id)
    if not include_removed:
        query = query.where(Coding.removed_at.is_(None))
    codings = session.scalars(query.order_by(Transcript.name, Coding.start, Coding.id))
    lines: dict[int, LineIndex] = {}
    return [view_coding(session, coding, lines) for coding in codings]
