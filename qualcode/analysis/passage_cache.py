"""The whole project's merged passages kept in a file between calls, trusted only at the stamp they were made at.

Public: Kept, Stamp, stamp(), cache_file(), load(), store(), STAMP_KEY, STAMPED_TABLES, CACHE_FILE.

Migration 0008 puts triggers on every table the passages and their columns are read from; each
insert, update and delete sets the setting `analysis.stamp` to a new random number, whatever code
path writes. The file holds that stamp and SQLite's schema version, and is read only if both
equal the database's in the reading transaction, every trigger is in place, and its checksum and
lengths hold; otherwise the passages are merged again. The stamp is read before the passages'
sources, so a file never holds a state older than its stamp. It holds ids and offsets only, no text.
Writing it is best effort: a read-only folder or a full disk only means the next call merges again.
"""

from __future__ import annotations

import os
import struct
import sys
import tempfile
import zlib
from array import array
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

STAMP_KEY = "analysis.stamp"
STAMPED_TABLES = (
    "codings", "codes", "coders", "transcripts", "text_versions", "turns", "transcript_participants", "participants",
    "participant_attributes", "transcript_attributes", "attribute_definitions",
)
_TRIGGERS = frozenset(f"analysis_stamp_{table}_{event}" for table in STAMPED_TABLES for event in ("insert", "update", "delete"))
CACHE_FILE = "cache/passages.bin"  # under the folder holding the database (.qualcode)

_MAGIC = b"QCPC"
_FORMAT = 3  # raise when the merge or the layout changes: files of another format are merged again (2: per participant,
# 3: a passage begun in no participant's words counts for the first participant it reaches)
# magic, format, stamp, schema version, passages, coding ids, (version, participant) pairs, places, CRC-32 of the rest
_HEADER = struct.Struct("<4sIqqqqqqI")
_TYPE = "q"
_SWAP = sys.byteorder != "little"


@dataclass(frozen=True)
class Stamp:
    """What the database says about its analysed contents in this transaction."""

    value: int
    schema_version: int


@dataclass(frozen=True)
class Kept:
    """Merged passages as columns (participant 0 for none) with each passage's coding ids run together
    (`sizes` says how many are each passage's), and the participants with a turn in each current text."""

    code: array[int]
    transcript: array[int]
    participant: array[int]
    coder: array[int]
    start: array[int]
    end: array[int]
    sizes: array[int]
    coding_ids: array[int]
    turn_people: array[int]  # version id, participant id, version id, participant id, ...
    # How many passages each (code, transcript, participant, coder) has, what a matrix counts, then the
    # same summed over the coders (coder 0): what a matrix by anything but coders counts.
    place_code: array[int]
    place_transcript: array[int]
    place_participant: array[int]
    place_coder: array[int]
    place_count: array[int]


def stamp(session: Session) -> Stamp | None:
    """The stamp of what the session sees (its pending changes flushed first), or None when no cache
    may be trusted: not SQLite, or the stamp or one of its triggers is missing."""
    session.flush()
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return None
    value = connection.execute(text("SELECT value FROM settings WHERE key = :key"), {"key": STAMP_KEY}).scalar()
    triggers = set(connection.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'analysis_stamp_%'")).scalars())
    schema_version = connection.execute(text("PRAGMA schema_version")).scalar()
    if value is None or not _TRIGGERS <= triggers or not isinstance(schema_version, int):
        return None
    try:
        return Stamp(int(value), schema_version)
    except ValueError:
        return None


def cache_file(session: Session) -> Path | None:
    """Where the session's project keeps its passages: beside its database file, or None for a database in memory."""
    database = session.get_bind().engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).parent / CACHE_FILE


def load(path: Path, current: Stamp) -> Kept | None:
    """The passages kept at `path` if they were made at `current`, else None (missing, stale, cut short or damaged)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) < _HEADER.size:
        return None
    magic, version, value, schema_version, passages, ids, pairs, places, checksum = _HEADER.unpack_from(data)
    if (magic, version, value, schema_version) != (_MAGIC, _FORMAT, current.value, current.schema_version):
        return None
    lengths = [passages] * 7 + [ids, 2 * pairs] + [places] * 5
    if min(lengths) < 0:
        return None
    payload = memoryview(data)[_HEADER.size:]
    width = array(_TYPE).itemsize
    if len(payload) != sum(lengths) * width or zlib.crc32(payload) != checksum:
        return None
    columns = []
    offset = 0
    for length in lengths:
        column = array(_TYPE)
        column.frombytes(payload[offset:offset + length * width])
        if _SWAP:
            column.byteswap()
        columns.append(column)
        offset += length * width
    kept = Kept(*columns)
    if sum(kept.sizes) != ids or min(kept.sizes, default=1) < 1 or sum(kept.place_count) != 2 * passages:
        return None
    return kept


def store(path: Path, made_at: Stamp, kept: Kept) -> bool:
    """Write the passages made at `made_at` to `path` at once (a temporary file renamed over it); False
    if they could not be written, which is never an error: the next call merges again."""
    columns = [kept.code, kept.transcript, kept.participant, kept.coder, kept.start, kept.end, kept.sizes,
               kept.coding_ids, kept.turn_people, kept.place_code, kept.place_transcript, kept.place_participant,
               kept.place_coder, kept.place_count]
    try:
        if _SWAP:
            columns = [array(_TYPE, column) for column in columns]
            for column in columns:
                column.byteswap()
        payload = b"".join(column.tobytes() for column in columns)
        header = _HEADER.pack(_MAGIC, _FORMAT, made_at.value, made_at.schema_version, len(kept.code),
                              len(kept.coding_ids), len(kept.turn_people) // 2, len(kept.place_code), zlib.crc32(payload))
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".passages-", suffix=".partial", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as written:
                written.write(header)
                written.write(payload)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except (OSError, OverflowError, struct.error):
        return False
    return True
