"""framework matrix summaries

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:00:00

The framework method (Ritchie & Lewis) summarises, for each participant and code, what that
participant said under the code. Each cell's summary is its own row, written by a researcher,
with the codings of the passages it was written on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'framework_summaries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('guid', sa.String(length=36), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('code_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('coding_guids', sa.JSON(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['code_id'], ['codes.id'], name=op.f('fk_framework_summaries_code_id_codes')),
        sa.ForeignKeyConstraint(
            ['participant_id'], ['participants.id'], name=op.f('fk_framework_summaries_participant_id_participants'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(['updated_by_id'], ['coders.id'], name=op.f('fk_framework_summaries_updated_by_id_coders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_framework_summaries')),
        sa.UniqueConstraint('guid', name=op.f('uq_framework_summaries_guid')),
        sa.UniqueConstraint('participant_id', 'code_id', name=op.f('uq_framework_summaries_participant_id')),
    )
    op.create_index('ix_framework_summaries_code_id', 'framework_summaries', ['code_id'], unique=False)
    op.create_index('ix_framework_summaries_updated_by_id', 'framework_summaries', ['updated_by_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_framework_summaries_updated_by_id', table_name='framework_summaries')
    op.drop_index('ix_framework_summaries_code_id', table_name='framework_summaries')
    op.drop_table('framework_summaries')
