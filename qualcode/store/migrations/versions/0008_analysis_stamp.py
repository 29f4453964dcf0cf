"""a stamp that every change to what analysis reads renews

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 07:20:00

Analysis keeps the merged passages of the whole project in a file beside the database
(qualcode/analysis/passage_cache.py) and may trust it only while nothing it was made from has
changed. Triggers on every table the passages and their columns are read from set the setting
`analysis.stamp` to a new random number on each insert, update and delete, whatever code path
writes: a cache made at one stamp is true exactly as long as the stamp is the same. A random
number rather than a counter, so a project restored from a backup or copied and changed twice
never repeats a stamp that described other contents.

With the passages kept, what is left of a matrix's time is mostly listing the codes with their
live codings; an index of live codings by code answers that count without sorting 50,000 rows.
"""

from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

STAMP_KEY = 'analysis.stamp'
TABLES = (
    'codings', 'codes', 'coders', 'transcripts', 'text_versions', 'turns', 'transcript_participants', 'participants',
    'participant_attributes', 'transcript_attributes', 'attribute_definitions',
)
EVENTS = ('insert', 'update', 'delete')


def upgrade() -> None:
    op.create_index('ix_codings_live_codes', 'codings', ['removed_at', 'code_id'], unique=False)
    if op.get_bind().dialect.name != 'sqlite':
        return  # no stamp: analysis then never trusts a kept cache
    op.execute(f"INSERT INTO settings (key, value) VALUES ('{STAMP_KEY}', CAST(random() AS TEXT))")
    for table in TABLES:
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER analysis_stamp_{table}_{event} AFTER {event.upper()} ON {table} "
                f"BEGIN UPDATE settings SET value = CAST(random() AS TEXT) WHERE key = '{STAMP_KEY}'; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for table in TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS analysis_stamp_{table}_{event}")
        op.execute(f"DELETE FROM settings WHERE key = '{STAMP_KEY}'")
    op.drop_index('ix_codings_live_codes', table_name='codings')
