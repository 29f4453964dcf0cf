"""the sentences of each text version, kept once found

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 07:30:00

Finding a transcript's sentences with spaCy, turn by turn, is most of what agreement by sentence
and co-occurrence within sentences cost, and the reader pays it on every open. A text version never
changes, so its sentences are found once, on first need, and kept here with the name of the
pipeline that found them. Old projects start with none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sentence_spans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('text_version_id', sa.Integer(), nullable=False),
        sa.Column('pipeline', sa.String(length=200), nullable=False),
        sa.Column('spans', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ['text_version_id'], ['text_versions.id'], name=op.f('fk_sentence_spans_text_version_id_text_versions'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sentence_spans')),
        sa.UniqueConstraint('text_version_id', name=op.f('uq_sentence_spans_text_version_id')),
    )


def downgrade() -> None:
    op.drop_table('sentence_spans')
