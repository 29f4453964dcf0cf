"""Keeping the FTS5 search index, and its vocabulary of words as written, in step with transcript turns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.store.models import Transcript, Turn
from qualcode.text.tokens import WORD, stem_words

# Turns are stemmed and written this many at a time, so a long transcript is never held as
# one list of every word, stem or row.
BATCH = 5_000
# Bound parameters in one statement, below SQLite's lowest limit.
VARIABLES = 900


def turn_terms(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, str]]:
    """For each span of `text`, its space-joined stems and its lower-cased words as written.

    Words are matched by stem; a prefix (`kurs*`) is matched against the words as written,
    because a stem can be shorter than the prefix ("kurs" is stemmed to "kur").
    """
    result: list[tuple[str, str]] = []
    for first in range(0, len(spans), BATCH):
        words_per_span = [_span_words(text, start, end) for start, end in spans[first:first + BATCH]]
        stems = stem_words([word for words in words_per_span for word in words])
        position = 0
        for words in words_per_span:
            result.append((" ".join(stems[position:position + len(words)]), " ".join(words).lower()))
            position += len(words)
    return result


def _span_words(text: str, start: int, end: int) -> list[str]:
    """The words lying wholly inside text[start:end]."""
    words = WORD.findall(text, start, end)
    # A word the span's edge cuts through belongs to no span, as when words are found in the whole text.
    cut_start = start > 0 and WORD.match(text, start - 1) is not None and WORD.match(text, start) is not None
    cut_end = end < len(text) and WORD.match(text, end - 1) is not None and WORD.match(text, end) is not None
    return words[1 if cut_start else 0:len(words) - 1 if cut_end else len(words)]


def index_turns(session: Session, text: str, turns: Sequence[Turn]) -> None:
    """Add the turns of one text version to the index (rowid = turn id)."""
    ordered = sorted(turns, key=lambda turn: turn.start)
    terms = turn_terms(text, [(turn.start, turn.end) for turn in ordered])
    index_terms(session, zip((turn.id for turn in ordered), terms, strict=True))


def index_terms(session: Session, rows: Iterable[tuple[int, tuple[str, str]]]) -> None:
    """Add (turn id, (stems, words)) rows to the index; the terms are made beforehand by
    `turn_terms`, outside the write transaction, so that stays short."""
    iterator = iter(rows)
    while batch := [(turn_id, stems, words) for turn_id, (stems, words) in islice(iterator, BATCH)]:
        session.connection().exec_driver_sql("INSERT INTO search_index(rowid, stems, words) VALUES (?, ?, ?)", batch)
        _add_to_vocabulary(session, {word for _, _, words in batch for word in words.split()})


def unindex_turns(session: Session, turn_ids: Sequence[int]) -> None:
    connection = session.connection()
    removed_words: set[str] = set()
    for first in range(0, len(turn_ids), VARIABLES):
        chunk = list(turn_ids[first:first + VARIABLES])
        for (words,) in connection.exec_driver_sql(
            f"SELECT words FROM search_index WHERE rowid IN ({','.join('?' * len(chunk))})", tuple(chunk)
        ):
            removed_words.update(words.split())
    connection.exec_driver_sql("DELETE FROM search_index WHERE rowid = ?", [(turn_id,) for turn_id in turn_ids])
    # A word leaves the vocabulary with its last turn, so no removed text stays findable (or
    # readable in the file) through it.
    gone = [
        (word,) for word in sorted(removed_words)
        if connection.exec_driver_sql(
            "SELECT 1 FROM search_index WHERE search_index MATCH ? LIMIT 1", (f'words : "{word}"',)
        ).first() is None
    ]
    if gone:
        connection.exec_driver_sql("DELETE FROM search_index_vocabulary WHERE word = ?", gone)


def _add_to_vocabulary(session: Session, words: set[str]) -> None:
    # Many words a statement: the vocabulary has triggers (its trigram index), and on such a table
    # SQLite keeps a statement journal for every statement, which cost more than a word's row.
    ordered = sorted(words)
    connection = session.connection()
    for first in range(0, len(ordered), VARIABLES):
        chunk = ordered[first:first + VARIABLES]
        connection.exec_driver_sql(
            "INSERT OR IGNORE INTO search_index_vocabulary(word) VALUES " + ", ".join(["(?)"] * len(chunk)), tuple(chunk)
        )


def rebuild_index(session: Session) -> int:
    """Rebuild the whole index from the current text version of every transcript."""
    session.connection().exec_driver_sql("DELETE FROM search_index")
    session.connection().exec_driver_sql("DELETE FROM search_index_vocabulary")
    count = 0
    for transcript in session.scalars(select(Transcript)):
        version = transcript.current_version
        if version is None:
            continue
        index_turns(session, version.text, version.turns)
        count += len(version.turns)
    return count


def purge_index(session: Session) -> None:
    """Merge the indexes' segments so deleted rows leave no stems or words behind in the file."""
    session.connection().exec_driver_sql("INSERT INTO search_index(search_index) VALUES ('optimize')")
    session.connection().exec_driver_sql(
        "INSERT INTO search_index_vocabulary_trigrams(search_index_vocabulary_trigrams) VALUES ('optimize')"
    )
