"""Running a search: FTS5 finds the turns, then each hit is placed and shown in its context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from qualcode.codebook.service import code_subtree_ids, find_code
from qualcode.errors import SearchSyntaxError
from qualcode.search.query import ParsedQuery, Pattern, parse_query
from qualcode.store.lookup import find_participant, find_transcript
from qualcode.text.tokens import Token, tokenise


@dataclass(frozen=True)
class SearchFilters:
    """Narrow a search to a code (with sub-codes), a speaker role, a wave, a participant or a transcript."""

    code: str | None = None
    role: str | None = None
    wave: str | None = None
    participant: str | None = None
    transcript: str | None = None


@dataclass(frozen=True)
class Hit:
    """One keyword in context."""

    transcript: str
    speaker: str | None
    participant: str | None
    role: str | None
    wave: str | None
    turn: int
    line: int
    start: int
    end: int
    left: str
    keyword: str
    right: str


@dataclass
class SearchResult:
    query: str
    turns_matched: int
    hits: list[Hit] = field(default_factory=list)
    truncated: bool = False


def search(
    session: Session, query: str, filters: SearchFilters | None = None, *, limit: int = 50, context: int = 40
) -> SearchResult:
    """Hits for `query` in the current text of every transcript, in transcript and text order."""
    filters = filters or SearchFilters()
    parsed = parse_query(query)
    where, params = _filter_sql(session, filters)
    params["match"] = parsed.fts
    joins = (
        " FROM search_index s"
        " JOIN turns t ON t.id = s.rowid"
        " JOIN transcripts tr ON tr.current_version_id = t.text_version_id"
        " LEFT JOIN participants p ON p.id = t.participant_id"
        " WHERE search_index MATCH :match" + "".join(f" AND {clause}" for clause in where)
    )
    try:
        matched = session.execute(text("SELECT count(*)" + joins), params).scalar_one()
    except OperationalError as error:
        if "fts5" not in str(error.orig) and "syntax error" not in str(error.orig):
            raise  # busy, damaged or unreadable: the project's fault, not the query's
        raise SearchSyntaxError(f"the search index could not run {query!r}: {error.orig}") from None
    result = SearchResult(query=query, turns_matched=matched)
    page_sql = text(
        "SELECT t.seq, t.start, t.end, t.speaker, t.text_version_id, tr.name, tr.wave, p.name, p.role"
        + joins + " ORDER BY tr.name, t.seq LIMIT :page OFFSET :offset"
    )
    # Only as many turns are read as the hits shown need, so a common word costs no more
    # than a rare one; the count above comes from the index alone.
    page = max(2 * limit, 100)
    texts: dict[int, str] = {}
    for offset in range(0, matched, page):
        rows = session.execute(page_sql, {**params, "page": page, "offset": offset}).all()
        coded_spans = _coded_spans(session, filters, {row[4] for row in rows}) if filters.code else None
        for seq, start, end, speaker, version_id, name, wave, participant, role in rows:
            if version_id not in texts:
                texts[version_id] = session.execute(
                    text("SELECT text FROM text_versions WHERE id = :id"), {"id": version_id}
                ).scalar_one()
            full_text = texts[version_id]
            for hit_start, hit_end in _hit_spans(full_text[start:end], start, parsed):
                if coded_spans is not None and not _inside(coded_spans.get(version_id, []), hit_start, hit_end):
                    continue
                if len(result.hits) >= limit:
                    result.truncated = True
                    return result
                result.hits.append(
                    Hit(
                        transcript=name, speaker=speaker, participant=participant, role=role, wave=wave,
                        turn=seq, line=full_text.count("\n", 0, hit_start) + 1, start=hit_start, end=hit_end,
                        left=_squash(full_text[max(start, hit_start - context):hit_start], left=True),
                        keyword=full_text[hit_start:hit_end],
                        right=_squash(full_text[hit_end:min(end, hit_end + context)], left=False),
                    )
                )
    return result


def _filter_sql(session: Session, filters: SearchFilters) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if filters.transcript:
        where.append("tr.id = :transcript_id")
        params["transcript_id"] = find_transcript(session, filters.transcript).id
    if filters.participant:
        where.append("t.participant_id = :participant_id")
        params["participant_id"] = find_participant(session, filters.participant).id
    if filters.role:
        where.append("lower(p.role) = lower(:role)")
        params["role"] = filters.role
    if filters.wave:
        where.append("lower(tr.wave) = lower(:wave)")
        params["wave"] = filters.wave
    if filters.code:
        ids = code_subtree_ids(session, find_code(session, filters.code))
        where.append(
            "EXISTS (SELECT 1 FROM codings c WHERE c.text_version_id = t.text_version_id"
            f" AND c.code_id IN ({','.join(str(i) for i in ids)}) AND c.removed_at IS NULL"
            " AND c.start < t.end AND c.end > t.start)"
        )
    return where, params


def _coded_spans(session: Session, filters: SearchFilters, version_ids: set[int]) -> dict[int, list[tuple[int, int]]]:
    assert filters.code is not None
    ids = code_subtree_ids(session, find_code(session, filters.code))
    spans: dict[int, list[tuple[int, int]]] = {}
    if not version_ids:
        return spans
    rows = session.execute(
        text(
            "SELECT text_version_id, start, end FROM codings WHERE removed_at IS NULL"
            f" AND code_id IN ({','.join(str(i) for i in ids)})"
            f" AND text_version_id IN ({','.join(str(v) for v in version_ids)})"
        )
    )
    for version_id, start, end in rows:
        spans.setdefault(version_id, []).append((start, end))
    return spans


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(span_start <= start and end <= span_end for span_start, span_end in spans)


def _hit_spans(turn_text: str, offset: int, parsed: ParsedQuery) -> list[tuple[int, int]]:
    """Where the query's patterns occur in a turn, as text offsets, first to last."""
    tokens = tokenise(turn_text, offset)
    spans = set()
    for pattern in parsed.patterns:
        spans.update(_pattern_spans(tokens, pattern))
    return sorted(spans)


def _pattern_spans(tokens: list[Token], pattern: Pattern) -> list[tuple[int, int]]:
    size = len(pattern.stems)
    found = []
    for index in range(len(tokens) - size + 1):
        if pattern.prefix:
            if tokens[index].text.lower().startswith(pattern.stems[0]):
                found.append((tokens[index].start, tokens[index].end))
        elif all(tokens[index + k].stem == pattern.stems[k] for k in range(size)):
            found.append((tokens[index].start, tokens[index + size - 1].end))
    return found


def _squash(fragment: str, *, left: bool) -> str:
    """Context on one line: newlines and runs of spaces become single spaces."""
    squashed = " ".join(fragment.split())
    if fragment[:1].isspace() and left is False:
        squashed = " " + squashed
    if fragment[-1:].isspace() and left is True:
        squashed += " "
    return squashed
