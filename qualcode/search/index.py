"""Keeping the FTS5 search index in step with transcript turns (SQLite's own full-text engine)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.store.models import Transcript, Turn
from qualcode.text.tokens import WORD, stem_words


def turn_terms(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, str]]:
    """For each span of `text`, its space-joined stems and its lower-cased words as written.

    Words are matched by stem; a prefix (`kurs*`) is matched against the words as written,
    because a stem can be shorter than the prefix ("kurs" is stemmed to "kur").
    """
    matches = list(WORD.finditer(text))
    stems = stem_words([match.group() for match in matches])
    result: list[tuple[str, str]] = []
    position = 0
    for start, end in spans:
        # Spans come in text order, so one forward walk over the tokens serves them all.
        while position < len(matches) and matches[position].start() < start:
            position += 1
        cursor = position
        while cursor < len(matches) and matches[cursor].end() <= end:
            cursor += 1
        result.append((
            " ".join(stems[position:cursor]),
            " ".join(match.group().lower() for match in matches[position:cursor]),
        ))
    return result


def index_turns(session: Session, text: str, turns: Sequence[Turn]) -> None:
    """Add the turns of one text version to the index (rowid = turn id)."""
    ordered = sorted(turns, key=lambda turn: turn.start)
    terms = turn_terms(text, [(turn.start, turn.end) for turn in ordered])
    rows = [(turn.id, stems, words) for turn, (stems, words) in zip(ordered, terms, strict=True)]
    session.connection().exec_driver_sql("INSERT INTO search_index(rowid, stems, words) VALUES (?, ?, ?)", rows)


def unindex_turns(session: Session, turn_ids: Sequence[int]) -> None:
    session.connection().exec_driver_sql(
        "DELETE FROM search_index WHERE rowid = ?", [(turn_id,) for turn_id in turn_ids]
    )


def rebuild_index(session: Session) -> int:
    """Rebuild the whole index from the current text version of every transcript."""
    session.connection().exec_driver_sql("DELETE FROM search_index")
    count = 0
    for transcript in session.scalars(select(Transcript)):
        version = transcript.current_version
        if version is None:
            continue
        index_turns(session, version.text, version.turns)
        count += len(version.turns)
    return count


def purge_index(session: Session) -> None:
    """Merge the index's segments so deleted rows leave no stems behind in the file."""
    session.connection().exec_driver_sql("INSERT INTO search_index(search_index) VALUES ('optimize')")
