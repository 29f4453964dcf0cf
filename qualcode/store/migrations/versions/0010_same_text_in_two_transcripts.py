"""two transcripts may come to hold the same text

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 01:10:00

A text was unique across the project, so that the same interview imported twice was refused even
in a race. But pseudonymising can make two texts the same: two short notes differing only in a
name, once the name is replaced by a pseudonym that the other note holds. The rewrite then failed
on the index, and as it is finished on the next open, every command after it failed the same way.
Imports are written under the key's lock, one at a time, and refuse a text already present by
looking it up, so the race the index guarded against no longer happens; a text stays unique within
its transcript, and the lookup keeps an index.
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('uq_text_versions_content_hash', table_name='text_versions')
    op.create_index('ix_text_versions_content_hash', 'text_versions', ['content_hash'], unique=False)
    op.create_index('uq_text_versions_transcript_content', 'text_versions', ['transcript_id', 'content_hash'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_text_versions_transcript_content', table_name='text_versions')
    op.drop_index('ix_text_versions_content_hash', table_name='text_versions')
    op.create_index('uq_text_versions_content_hash', 'text_versions', ['content_hash'], unique=True)
