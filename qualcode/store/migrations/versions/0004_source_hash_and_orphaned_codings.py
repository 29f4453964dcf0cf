"""source file hashes and orphaned codings

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00

Importing a folder again after review must know which files it has already imported, even when
their stored text has since been rewritten (decisions applied by the key). Each transcript now
remembers the hash of its source file's bytes as read (`source_hash`); transcripts imported before
this have none, and are recognised by their text as before.

A changed file imported with `--replace` becomes a new text version and its codings are
re-anchored; a coding that cannot be placed in the new text is flagged (`orphaned_at`) for review
rather than dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns are added in place (SQLite's ALTER TABLE ADD COLUMN): copying the
    # transcripts table would trip the foreign keys that point at it.
    op.add_column('transcripts', sa.Column('source_hash', sa.String(length=64), nullable=True))
    op.create_index('ix_transcripts_source_hash', 'transcripts', ['source_hash'], unique=False)
    op.add_column('codings', sa.Column('orphaned_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_codings_orphaned_at', 'codings', ['orphaned_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_codings_orphaned_at', table_name='codings')
    op.drop_column('codings', 'orphaned_at')
    op.drop_index('ix_transcripts_source_hash', table_name='transcripts')
    op.drop_column('transcripts', 'source_hash')
