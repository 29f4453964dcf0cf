"""the speaker labels a transcript's import found to be the interviewer's

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 06:20:00

A `speakers:` map may name a speaker label the interviewer's where no role label says so (a Teams
transcript's voice `<v Eirik Vold>`). The import linked those turns to no participant and kept no
word of why, so exports printed the interviewer's questions as "En informant", and a withdrawal from
the group interview took them for words that could be anyone's. Each such label is kept here, as it
is in the turns (pseudonymised). Old projects start with none: their transcripts' turns are told as
before, by role label and by the transcript's interviewer (`transcripts edit NAME --interviewer LABEL`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'interviewer_speakers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('transcript_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ['transcript_id'], ['transcripts.id'], name=op.f('fk_interviewer_speakers_transcript_id_transcripts'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_interviewer_speakers')),
        sa.UniqueConstraint('transcript_id', 'label', name=op.f('uq_interviewer_speakers_transcript_id')),
    )
    with op.batch_alter_table('interviewer_speakers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interviewer_speakers_transcript_id'), ['transcript_id'], unique=False)


def downgrade() -> None:
    op.drop_table('interviewer_speakers')
