"""The framework matrix (Ritchie & Lewis): participants by codes, each cell a researcher's summary of what
the participant said under the code, linked to the passages it summarises.

A cell's passages follow the counting rules every analysis table uses: a participant's codings of the
code and its sub-codes, on the transcripts' current texts, one passage per coder for codings that
overlap or touch. A summary remembers the codings of its passages when it was written, so the matrix
can say which passages came after it, and which it was written on that are gone (removed, orphaned by a
new text, recoded to a code outside the column, or now another speaker's). Summaries are typed text (the caller stores them through the
typed-text guard) and events, undone and redone like codings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.passages import passages
from qualcode.analysis.rules import caption
from qualcode.codebook.service import find_code, list_codes
from qualcode.coding.passages import QuoteFilter, select_quotes
from qualcode.errors import InvalidInput, NotFound
from qualcode.store.bulk import in_values
from qualcode.store.events import EventKind, hold_write_lock, record_event
from qualcode.store.lookup import find_participant
from qualcode.store.models import (
    Code,
    Coder,
    Coding,
    FrameworkSummary,
    Participant,
    Transcript,
    shown_moment,
    utcnow,
)
from qualcode.store.project import clean_typed
from qualcode.text.order import natural_key

CAPTION = caption(
    "Each cell: the researchers' summary of what the participant said under the code, and the passages behind it"
    " (new: coded after the summary was written; gone: summarised, no longer in the cell)."
)

# Why a summarised passage is no longer in its cell, in the order they are checked.
GONE_REASONS = ("removed", "orphaned", "recoded", "speaker")
GONE_WORDS = {
    "removed": "removed", "orphaned": "orphaned by a new text", "recoded": "recoded to {now}", "speaker": "now {now}'s",
}


@dataclass(frozen=True)
class FrameworkCode:
    """A column of the matrix: a code, its sub-codes rolled up into it."""

    path: str
    name: str
    guid: str  # still this code's once it is renamed or moved


@dataclass(frozen=True)
class CellPassage:
    """One passage of a cell: one coder's merged codings of the code (or a sub-code) in one stretch of a transcript."""

    ref: str
    transcript: str
    line: int
    coder: str
    code_paths: tuple[str, ...]
    start: int
    end: int
    text: str
    coding_guids: tuple[str, ...]
    linked: bool  # the summary was written with this passage before it


@dataclass(frozen=True)
class GonePassage:
    """A passage the summary was written on that the cell no longer has: one coder's summarised codings in one
    stretch of a transcript, and why they are gone (one of GONE_REASONS; `now` names the code or speaker they went to)."""

    transcript: str
    coder: str
    text: str
    reason: str
    now: str | None
    coding_guids: tuple[str, ...]


@dataclass(frozen=True)
class FrameworkCell:
    participant: str
    code_path: str
    code_guid: str  # the code by what stays when it is renamed or moved (a summary typed and not yet saved is kept by it)
    summary: str | None
    updated_by: str | None
    updated_at: str | None
    passages: tuple[CellPassage, ...]
    gone: tuple[GonePassage, ...] = ()  # summarised passages no longer in the cell

    @property
    def new_passages(self) -> int:
        """Passages coded after the summary was written (none when there is no summary)."""
        return 0 if self.summary is None else sum(not passage.linked for passage in self.passages)

    @property
    def gone_passages(self) -> int:
        """Passages the summary was written on that are no longer in the cell."""
        return len(self.gone)

    def gone_note(self) -> str:
        """The gone passages in words, as "2 summarised passages gone (1 removed, 1 recoded to mestring)" ("" when none)."""
        return gone_note(self.gone)


def gone_note(gone: Sequence[GonePassage]) -> str:
    """Gone passages counted by why, in words ("" when there are none)."""
    if not gone:
        return ""
    ways = sorted({(passage.reason, passage.now or "") for passage in gone}, key=lambda way: (GONE_REASONS.index(way[0]), way[1]))
    why = ", ".join(
        (f"{sum((passage.reason, passage.now or '') == way for passage in gone)} " if len(ways) > 1 else "")
        + GONE_WORDS[way[0]].format(now=way[1] or "no participant")
        for way in ways
    )
    return f"{len(gone)} summarised passage{'s' if len(gone) != 1 else ''} gone ({why})"


@dataclass(frozen=True)
class FrameworkRow:
    participant: str
    role: str | None
    cells: tuple[FrameworkCell, ...]


@dataclass(frozen=True)
class FrameworkMatrix:
    codes: tuple[FrameworkCode, ...]
    rows: tuple[FrameworkRow, ...]

    def cell(self, participant: str, code_path: str) -> FrameworkCell:
        for row in self.rows:
            if row.participant == participant:
                for cell in row.cells:
                    if cell.code_path == code_path:
                        return cell
        raise NotFound(f"the matrix has no cell for {participant} under {code_path}")


@dataclass(frozen=True)
class SummaryChange:
    """What `set_summary` or `clear_summary` did."""

    participant: str
    code_path: str
    text: str | None
    passages: int
    changed: bool


def summary_state(summary: FrameworkSummary) -> dict[str, Any]:
    """What undo and redo put back: the text, the codings it was written on, cleared or not, and who
    wrote (or cleared) it when: an undone summary is credited to its writer, not to whoever undid it."""
    return {
        "guid": summary.guid, "participant": summary.participant.name, "code": summary.code.path, "text": summary.text,
        "coding_guids": list(summary.coding_guids), "removed": summary.removed_at is not None,
        "updated_by_guid": summary.updated_by.guid, "updated_at": _in_utc(summary.updated_at).isoformat(),
    }


def _in_utc(moment: datetime) -> datetime:
    """A stored moment in UTC: SQLite gives back the UTC moments it was given without their zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def set_summary(session: Session, participant_ref: str, code_ref: str, text: str, coder: Coder) -> SummaryChange:
    """Write the summary of a cell, linked to the cell's passages as they are now, as an undoable event."""
    hold_write_lock(session)  # what it reads as the state before is the state it changes (coding/service.live_coding)
    written = text.strip()
    if not written:
        raise InvalidInput("the summary is empty", "clear a cell with `qualcode framework clear PARTICIPANT CODE`")
    participant, code = find_participant(session, participant_ref), find_code(session, code_ref)
    passages = _cell_passages(session, [code.path], [participant.name]).get((participant.name, code.path), [])
    guids = sorted({guid for passage in passages for guid in passage.coding_guids})
    summary = _summary_row(session, participant, code)
    before = summary_state(summary) if summary is not None and summary.removed_at is None else None
    # Compared as it would be stored: a summary naming someone the key holds is stored under their pseudonym,
    # and the same text given again was logged as a change each time.
    if before is not None and before["text"] in (written, clean_typed(session, written)) and before["coding_guids"] == guids:
        return SummaryChange(participant.name, code.path, written, len(passages), changed=False)
    if summary is None:
        summary = FrameworkSummary(participant=participant, code=code, text=written, coding_guids=guids, updated_by=coder)
        session.add(summary)
    else:
        if before is None:  # cleared before: what undo puts back is a cleared cell
            before = summary_state(summary)
        summary.text, summary.coding_guids, summary.removed_at = written, guids, None
        summary.updated_by, summary.updated_at = coder, utcnow()
    session.flush()
    record_event(
        session, kind=EventKind.FRAMEWORK_SET, coder=coder, entity_guid=summary.guid, before=before,
        after=summary_state(summary), summary=f"summary of {participant.name} under {code.path}",
    )
    return SummaryChange(participant.name, code.path, summary.text, len(passages), changed=True)


def clear_summary(session: Session, participant_ref: str, code_ref: str, coder: Coder) -> SummaryChange:
    """Clear a cell's summary (kept in the log; undo brings it back)."""
    hold_write_lock(session)  # what it reads as the state before is the state it changes (coding/service.live_coding)
    participant, code = find_participant(session, participant_ref), find_code(session, code_ref)
    summary = _summary_row(session, participant, code)
    if summary is None or summary.removed_at is not None:
        raise NotFound(f"{participant.name} has no summary under {code.path}", "list summaries with `qualcode framework show`")
    before = summary_state(summary)
    summary.removed_at = summary.updated_at = utcnow()
    summary.updated_by = coder
    session.flush()
    record_event(
        session, kind=EventKind.FRAMEWORK_CLEAR, coder=coder, entity_guid=summary.guid, before=before,
        after=summary_state(summary), summary=f"cleared the summary of {participant.name} under {code.path}",
    )
    return SummaryChange(participant.name, code.path, None, 0, changed=True)


def framework_matrix(
    session: Session, codes: Sequence[str] = (), participants: Sequence[str] = (), roles: Sequence[str] = (),
    coders: Sequence[str] = (),
) -> FrameworkMatrix:
    """The matrix: a row for each participant with passages or summaries in its columns, a column for each
    code asked for (by default each top-level code and each code with a summary, where the rows have any)."""
    columns = _columns(session, codes)
    wanted = [find_participant(session, ref).name for ref in participants]
    summaries = _summaries(session)
    passages = _cell_passages(session, [column.path for column in columns], wanted or None, coders)
    people = {participant for participant, _ in passages}
    people |= {participant for participant, path in summaries if any(column.path == path for column in columns)}
    if wanted:
        people &= set(wanted)
    role_of = dict(session.execute(select(Participant.name, Participant.role).where(Participant.name.in_(people))).all())
    if roles:
        known_roles = {role for role in session.scalars(select(Participant.role).distinct()) if role}
        unknown = [role for role in roles if role not in known_roles]
        if unknown:
            raise NotFound(f"no participant has the role {unknown[0]!r}", f"roles: {', '.join(sorted(known_roles)) or 'none yet'}")
        people = {person for person in people if role_of.get(person) in roles}
    if not codes:  # themes nobody in these rows spoke to are left out unless asked for
        used = {path for person, path in passages if person in people} | {path for person, path in summaries if person in people}
        columns = [column for column in columns if column.path in used]
    if not people:
        under = ", ".join(column.path for column in columns)
        raise NotFound(
            f"no participant has passages or summaries under {under}" if under else "no participant has passages or summaries yet",
            _no_informant(session, columns, coders) if under and not wanted and not roles
            else "code passages first, or choose codes that have some",
        )
    gone = _gone(session, {
        (person, column.path): (found.coding_guids, passages.get((person, column.path), []))
        for person in people for column in columns if (found := summaries.get((person, column.path))) is not None
    }, coders)
    rows = []
    for person in sorted(people, key=natural_key):
        cells = []
        for column in columns:
            found = summaries.get((person, column.path))
            cell_passages = passages.get((person, column.path), [])
            linked = set(found.coding_guids) if found is not None else set()
            cells.append(FrameworkCell(
                participant=person, code_path=column.path, code_guid=column.guid, summary=found.text if found is not None else None,
                updated_by=found.updated_by if found is not None else None,
                updated_at=found.updated_at if found is not None else None,
                passages=tuple(_linked(passage, linked) for passage in cell_passages),
                gone=gone.get((person, column.path), ()),
            ))
        rows.append(FrameworkRow(person, role_of.get(person), tuple(cells)))
    return FrameworkMatrix(tuple(columns), tuple(rows))


def framework_cell(session: Session, participant_ref: str, code_ref: str, coders: Sequence[str] = ()) -> FrameworkCell:
    """One cell: its summary and every passage behind it (only `coders`' when given), those written after the summary marked."""
    participant, code = find_participant(session, participant_ref), find_code(session, code_ref)
    summary = _summaries(session).get((participant.name, code.path))
    passages = _cell_passages(session, [code.path], [participant.name], coders).get((participant.name, code.path), [])
    linked = set(summary.coding_guids) if summary is not None else set()
    gone = _gone(session, {(participant.name, code.path): (summary.coding_guids, passages)}, coders) if summary is not None else {}
    return FrameworkCell(
        participant=participant.name, code_path=code.path, code_guid=code.guid, summary=summary.text if summary is not None else None,
        updated_by=summary.updated_by if summary is not None else None,
        updated_at=summary.updated_at if summary is not None else None,
        passages=tuple(_linked(passage, linked) for passage in passages),
        gone=gone.get((participant.name, code.path), ()),
    )


# --- reading ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Summary:
    text: str
    coding_guids: tuple[str, ...]
    updated_by: str
    updated_at: str


def _summary_row(session: Session, participant: Participant, code: Code) -> FrameworkSummary | None:
    return session.scalar(
        select(FrameworkSummary).where(FrameworkSummary.participant_id == participant.id, FrameworkSummary.code_id == code.id)
    )


def _summaries(session: Session) -> dict[tuple[str, str], _Summary]:
    """Every live summary by (participant, code path)."""
    rows = session.execute(
        select(Participant.name, Code.path, FrameworkSummary.text, FrameworkSummary.coding_guids, Coder.name,
               FrameworkSummary.updated_at)
        .join(Participant, FrameworkSummary.participant_id == Participant.id)
        .join(Code, FrameworkSummary.code_id == Code.id)
        .join(Coder, FrameworkSummary.updated_by_id == Coder.id)
        .where(FrameworkSummary.removed_at.is_(None))
    ).all()
    return {
        (participant, path): _Summary(text, tuple(guids), coder, shown_moment(updated))
        for participant, path, text, guids, coder, updated in rows
    }


def _columns(session: Session, refs: Sequence[str]) -> list[FrameworkCode]:
    if refs:
        chosen = [find_code(session, ref) for ref in dict.fromkeys(refs)]
        return [FrameworkCode(code.path, code.name, code.guid) for code in chosen]
    summarised = set(session.scalars(
        select(Code.path).join(FrameworkSummary, FrameworkSummary.code_id == Code.id).where(FrameworkSummary.removed_at.is_(None))
    ))
    return [FrameworkCode(code.path, code.name, code.guid) for code in list_codes(session) if code.depth == 0 or code.path in summarised]


def _linked(passage: CellPassage, linked: set[str]) -> CellPassage:
    if not linked:
        return passage
    return CellPassage(
        passage.ref, passage.transcript, passage.line, passage.coder, passage.code_paths, passage.start, passage.end,
        passage.text, passage.coding_guids, linked=any(guid in linked for guid in passage.coding_guids),
    )


def _gone(
    session: Session, cells: dict[tuple[str, str], tuple[tuple[str, ...], list[CellPassage]]], coders: Sequence[str] = (),
) -> dict[tuple[str, str], tuple[GonePassage, ...]]:
    """For each (participant, column code) with a summary, given the codings it was written on and the passages the
    cell has now: the summarised codings the cell no longer has, merged into passages as the counting rules merge
    them (one coder's overlapping or touching codings in one text), each with why it is gone. Codings of coders
    left out by `coders` are not gone, only not shown."""
    missing = {
        key: [guid for guid in summarised if guid not in {g for passage in now for g in passage.coding_guids}]
        for key, (summarised, now) in cells.items()
    }
    wanted = sorted({guid for guids in missing.values() for guid in guids})
    if not wanted:
        return {}
    rows = {
        row.guid: row for row in session.execute(
            select(Coding.id, Coding.guid, Coding.removed_at, Coding.orphaned_at, Coding.text_version_id, Coding.start, Coding.end,
                   Coding.excerpt, Code.path, Coder.name.label("coder"), Transcript.name.label("transcript"),
                   Transcript.current_version_id)
            .join(Code, Coding.code_id == Code.id).join(Coder, Coding.coder_id == Coder.id)
            .join(Transcript, Coding.transcript_id == Transcript.id)
            .where(in_values(Coding.guid, wanted))
        )
    }
    live = [row.id for row in rows.values() if row.removed_at is None]
    speaker_of = {
        quote.guid: quote.speaker
        for quote in (select_quotes(session, QuoteFilter(codings=tuple(sorted(live))))[0] if live else [])
    }
    found: dict[tuple[str, str], tuple[GonePassage, ...]] = {}
    for (participant, column), guids in missing.items():
        groups: dict[tuple[str, str, str, str | None, int], list[tuple[int, int, str, str]]] = {}
        for number, guid in enumerate(guids):
            row = rows.get(guid)
            if row is None:  # deleted with its transcript: a passage of its own
                groups.setdefault(("", "", "removed", None, -1 - number), []).append((0, 0, "", guid))
                continue
            if coders and row.coder not in coders:
                continue
            now: str | None = None
            if row.orphaned_at is not None or (row.removed_at is None and row.text_version_id != row.current_version_id):
                reason = "orphaned"
            elif row.removed_at is not None:
                reason = "removed"
            elif not (row.path == column or row.path.startswith(column + "/")):
                reason, now = "recoded", row.path
            else:
                reason, now = "speaker", speaker_of.get(guid)
            key = (row.transcript, row.coder, reason, now, row.text_version_id)
            groups.setdefault(key, []).append((row.start, row.end, row.excerpt, guid))
        passages: list[GonePassage] = []
        for (transcript, coder, reason, now, _), spans in groups.items():
            current: list[tuple[int, int, str, str]] = []
            for span in sorted(spans):
                if current and span[0] <= max(end for _, end, _, _ in current):
                    current.append(span)
                    continue
                if current:
                    passages.append(_gone_passage(transcript, coder, reason, now, current))
                current = [span]
            if current:
                passages.append(_gone_passage(transcript, coder, reason, now, current))
        if passages:
            found[(participant, column)] = tuple(passages)
    return found


def _gone_passage(
    transcript: str, coder: str, reason: str, now: str | None, codings: list[tuple[int, int, str, str]],
) -> GonePassage:
    return GonePassage(
        transcript=transcript, coder=coder, text=" … ".join(dict.fromkeys(excerpt for _, _, excerpt, _ in codings)),
        reason=reason, now=now, coding_guids=tuple(guid for _, _, _, guid in codings),
    )


def _no_informant(session: Session, columns: Sequence[FrameworkCode], coders: Sequence[str]) -> str:
    """Why codes with passages have no row: each passage is of no informant (a heading or the interviewer's
    words coded alone), which a row of the matrix cannot hold; "code passages first" said nothing was coded."""
    selection = QuoteFilter(codes=tuple(column.path for column in columns), coders=tuple(coders), blind=bool(coders))
    outside = sum(1 for passage in passages(session, selection) if not passage.participant)
    if not outside:
        return "code passages first, or choose codes that have some"
    return (f"{outside} passage{'s are' if outside > 1 else ' is'} coded there, of no informant (a heading or the interviewer's"
            " words coded alone), and the matrix has a row for informants only: code the informant's words too")


def _cell_passages(
    session: Session, column_paths: Sequence[str], participants: Sequence[str] | None, coders: Sequence[str] = (),
) -> dict[tuple[str, str], list[CellPassage]]:
    """The passages of each (participant, column code), as every analysis table counts them (passages()):
    the participant's codings of the code and its sub-codes, one coder's overlapping or touching codings
    in one transcript merged into one passage."""
    if not column_paths:
        return {}
    # Coders are given for a blind coder (Workspace.mine()) or a report chosen by its coders (--by): only their
    # codings, and no message naming or counting the others'.
    selection = QuoteFilter(codes=tuple(column_paths), participants=tuple(participants or ()), coders=tuple(coders),
                            blind=bool(coders))
    found = [passage for passage in passages(session, selection) if passage.code_path in column_paths and passage.participant]
    if not found:
        return {}
    # Where each coding is (its line) and its GUID, which summaries keep: read as quotes are.
    quotes = {
        quote.coding_id: quote
        for quote in select_quotes(session, QuoteFilter(codings=tuple(sorted({i for p in found for i in p.coding_ids}))))[0]
    }
    cells: dict[tuple[str, str], list[CellPassage]] = {}
    for passage in found:
        merged = [quotes[coding_id] for coding_id in passage.coding_ids]
        assert passage.participant is not None
        cells.setdefault((passage.participant, passage.code_path), []).append(CellPassage(
            # Each merged coding's own reference, as the report's quotes carry them: the first alone named a
            # longer text here than the same reference there.
            ref=" + ".join(dict.fromkeys(quote.ref for quote in merged)), transcript=passage.transcript, line=merged[0].line, coder=passage.coder,
            code_paths=tuple(dict.fromkeys(quote.code_path for quote in merged)), start=passage.start, end=passage.end,
            text=passage.text, coding_guids=tuple(quote.guid for quote in merged), linked=False,
        ))
    return cells
