"""waves stored before they were upper-cased are written as the import writes them now

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 14:40:00

A transcript's wave (its round of interviews) has been upper-cased on the way in since the import,
front matter and `transcripts edit` check it (`importers.metadata.check_wave`: NFKC, stripped,
upper-cased). A project made by an older version may hold `t2` beside `T2`: two rounds in every
table, filter and count. Each stored wave is written as check_wave writes it, in Python (SQLite's
upper() folds ASCII letters only), so the two become one round.

The transcripts table is the only place a wave is stored. The analysis cache (0008) is renewed by
the stamp its triggers set on this update; memos, framework summaries and consensus decisions are
kept by participant, code and coding, never by wave. Each transcript changed gets an event by no
one, as 0002's repairs do, saying what its wave was: the audit trail shows it, and undo passes over
earlier changes of that transcript, which would otherwise put the old spelling back.

The rule is written out here rather than imported, so that this upgrade does what it did when it
was written whatever check_wave becomes.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

transcripts = sa.table(
    "transcripts", sa.column("id", sa.Integer), sa.column("guid", sa.String), sa.column("name", sa.String),
    sa.column("wave", sa.String),
)
events = sa.table(
    "events",
    sa.column("guid", sa.String), sa.column("at", sa.DateTime(timezone=True)), sa.column("coder_id", sa.Integer),
    sa.column("action", sa.String), sa.column("entity", sa.String), sa.column("entity_guid", sa.String),
    sa.column("summary", sa.Text), sa.column("payload", sa.JSON), sa.column("undoable", sa.Boolean),
)


def _spelled(wave: str) -> str:
    """A wave as check_wave writes it: NFKC (a full-width T２ is T2), stripped, upper-cased."""
    return unicodedata.normalize("NFKC", wave).strip().upper()


def _event(connection: sa.Connection, action: str, entity: str, entity_guid: str, summary: str,
           before: dict[str, str], after: dict[str, str]) -> None:
    """An event by nobody in particular: the upgrade itself made this change."""
    connection.execute(events.insert().values(
        guid=str(uuid.uuid4()), at=datetime.now(UTC), coder_id=None, action=action, entity=entity,
        entity_guid=entity_guid, summary=summary, payload={"before": before, "after": after}, undoable=False,
    ))


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(transcripts.c.id, transcripts.c.guid, transcripts.c.name, transcripts.c.wave)
        .where(transcripts.c.wave.is_not(None)).order_by(transcripts.c.id)
    ).all()
    for transcript_id, guid, name, wave in rows:
        spelled = _spelled(wave)
        if spelled == wave or not spelled:  # nothing to change; a wave of spaces alone is left as it is
            continue
        connection.execute(transcripts.update().where(transcripts.c.id == transcript_id).values(wave=spelled))
        _event(
            connection, "transcript.wave", "transcript", guid,
            f"wave of transcript {name} written {spelled} (was {wave}) by the upgrade: a round is upper-cased,"
            f" so {wave} and {spelled} are one round",
            before={"wave": wave}, after={"wave": spelled},
        )


def downgrade() -> None:
    # The waves stay upper-cased; their events say what each was.
    pass
