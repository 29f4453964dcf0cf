"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 01:29:10.175932
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attribute_definitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('applies_to', sa.String(length=20), nullable=False),
    sa.Column('value_type', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attribute_definitions')),
    sa.UniqueConstraint('applies_to', 'name', name=op.f('uq_attribute_definitions_applies_to'))
    )
    op.create_table('coders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coders')),
    sa.UniqueConstraint('guid', name=op.f('uq_coders_guid')),
    sa.UniqueConstraint('name', name=op.f('uq_coders_name'))
    )
    op.create_table('codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guid', sa.String(length=36), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('path', sa.String(length=1000), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=True),
    sa.Column('inclusion', sa.Text(), nullable=True),
    sa.Column('exclusion', sa.Text(), nullable=True),
    sa.Column('example', sa.Text(), nullable=True),
    sa.Column('colour', sa.String(length=20), nullable=True),
    sa.Column('shortcut', sa.String(length=5), nullable=True),
    sa.Column('signal_words', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['codes.id'], name=op.f('fk_codes_parent_id_codes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codes')),
    sa.UniqueConstraint('guid', name=op.f('uq_codes_guid')),
    sa.UniqueConstraint('path', name=op.f('uq_codes_path')),
    sa.UniqueConstraint('shortcut', name=op.f('uq_codes_shortcut'))
    )
    with op.batch_alter_table('codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codes_parent_id'), ['parent_id'], unique=False)

    op.create_table('participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=True),
    sa.Column('gender', sa.String(length=20), nullable=True),
    sa.Column('age_band', sa.String(length=20), nullable=True),
    sa.Column('office', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants')),
    sa.UniqueConstraint('guid', name=op.f('uq_participants_guid')),
    sa.UniqueConstraint('name', name=op.f('uq_participants_name'))
    )
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participants_role'), ['role'], unique=False)

    op.create_table('settings',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('transcripts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('source_filename', sa.String(length=500), nullable=True),
    sa.Column('source_format', sa.String(length=10), nullable=True),
    sa.Column('source_encoding', sa.String(length=40), nullable=True),
    sa.Column('wave', sa.String(length=20), nullable=True),
    sa.Column('interview_date', sa.Date(), nullable=True),
    sa.Column('mode', sa.String(length=50), nullable=True),
    sa.Column('fidelity', sa.String(length=30), nullable=True),
    sa.Column('interviewer', sa.String(length=200), nullable=True),
    sa.Column('note_taker', sa.String(length=200), nullable=True),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['current_version_id'], ['text_versions.id'], name=op.f('fk_transcripts_current_version_id_text_versions'), use_alter=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transcripts')),
    sa.UniqueConstraint('guid', name=op.f('uq_transcripts_guid')),
    sa.UniqueConstraint('name', name=op.f('uq_transcripts_name'))
    )
    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transcripts_current_version_id'), ['current_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transcripts_wave'), ['wave'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guid', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('entity', sa.String(length=30), nullable=True),
    sa.Column('entity_guid', sa.String(length=36), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('undoable', sa.Boolean(), nullable=False),
    sa.Column('refers_to_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['coder_id'], ['coders.id'], name=op.f('fk_events_coder_id_coders')),
    sa.ForeignKeyConstraint(['refers_to_id'], ['events.id'], name=op.f('fk_events_refers_to_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('guid', name=op.f('uq_events_guid'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_coder_id'), ['coder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_entity_guid'), ['entity_guid'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_refers_to_id'), ['refers_to_id'], unique=False)

    op.create_table('participant_attributes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['attribute_definitions.id'], name=op.f('fk_participant_attributes_definition_id_attribute_definitions')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_participant_attributes_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_attributes')),
    sa.UniqueConstraint('participant_id', 'definition_id', name=op.f('uq_participant_attributes_participant_id'))
    )
    with op.batch_alter_table('participant_attributes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_attributes_definition_id'), ['definition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_participant_attributes_participant_id'), ['participant_id'], unique=False)

    op.create_table('text_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transcript_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['transcript_id'], ['transcripts.id'], name=op.f('fk_text_versions_transcript_id_transcripts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_versions')),
    sa.UniqueConstraint('transcript_id', 'number', name=op.f('uq_text_versions_transcript_id'))
    )
    with op.batch_alter_table('text_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_text_versions_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_versions_transcript_id'), ['transcript_id'], unique=False)

    op.create_table('transcript_attributes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transcript_id', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['attribute_definitions.id'], name=op.f('fk_transcript_attributes_definition_id_attribute_definitions')),
    sa.ForeignKeyConstraint(['transcript_id'], ['transcripts.id'], name=op.f('fk_transcript_attributes_transcript_id_transcripts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transcript_attributes')),
    sa.UniqueConstraint('transcript_id', 'definition_id', name=op.f('uq_transcript_attributes_transcript_id'))
    )
    with op.batch_alter_table('transcript_attributes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transcript_attributes_definition_id'), ['definition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transcript_attributes_transcript_id'), ['transcript_id'], unique=False)

    op.create_table('transcript_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transcript_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('speaker_label', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_transcript_participants_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['transcript_id'], ['transcripts.id'], name=op.f('fk_transcript_participants_transcript_id_transcripts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transcript_participants')),
    sa.UniqueConstraint('transcript_id', 'participant_id', name=op.f('uq_transcript_participants_transcript_id'))
    )
    with op.batch_alter_table('transcript_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transcript_participants_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transcript_participants_transcript_id'), ['transcript_id'], unique=False)

    op.create_table('codings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guid', sa.String(length=36), nullable=False),
    sa.Column('transcript_id', sa.Integer(), nullable=False),
    sa.Column('text_version_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['codes.id'], name=op.f('fk_codings_code_id_codes')),
    sa.ForeignKeyConstraint(['coder_id'], ['coders.id'], name=op.f('fk_codings_coder_id_coders')),
    sa.ForeignKeyConstraint(['text_version_id'], ['text_versions.id'], name=op.f('fk_codings_text_version_id_text_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['transcript_id'], ['transcripts.id'], name=op.f('fk_codings_transcript_id_transcripts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codings')),
    sa.UniqueConstraint('guid', name=op.f('uq_codings_guid'))
    )
    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codings_code_id'), ['code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_codings_coder_id'), ['coder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_codings_removed_at'), ['removed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_codings_text_version_id'), ['text_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_codings_transcript_id'), ['transcript_id'], unique=False)

    op.create_table('turns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text_version_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('speaker', sa.String(length=100), nullable=True),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('timestamp_ms', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_turns_participant_id_participants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['text_version_id'], ['text_versions.id'], name=op.f('fk_turns_text_version_id_text_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_turns'))
    )
    with op.batch_alter_table('turns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_turns_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_turns_text_version_id'), ['text_version_id'], unique=False)

    op.create_table('memos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guid', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('transcript_id', sa.Integer(), nullable=True),
    sa.Column('code_id', sa.Integer(), nullable=True),
    sa.Column('coding_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['coders.id'], name=op.f('fk_memos_author_id_coders')),
    sa.ForeignKeyConstraint(['code_id'], ['codes.id'], name=op.f('fk_memos_code_id_codes')),
    sa.ForeignKeyConstraint(['coding_id'], ['codings.id'], name=op.f('fk_memos_coding_id_codings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['transcript_id'], ['transcripts.id'], name=op.f('fk_memos_transcript_id_transcripts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memos')),
    sa.UniqueConstraint('guid', name=op.f('uq_memos_guid'))
    )
    with op.batch_alter_table('memos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memos_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memos_code_id'), ['code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memos_coding_id'), ['coding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memos_transcript_id'), ['transcript_id'], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        # The search index: one row per speaker turn (rowid = turns.id) holding its Norwegian
        # stems; diacritics are kept so "mål" and "mal" stay apart.
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "stems, tokenize = 'unicode61 remove_diacritics 0')"
        )
        # Codings point into text versions by offset, so a version's text must never change:
        # a correction is a new version.
        op.execute(
            "CREATE TRIGGER text_versions_immutable BEFORE UPDATE OF text, content_hash ON text_versions "
            "BEGIN SELECT RAISE(ABORT, 'text versions are immutable; add a new version instead'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER text_versions_immutable")
        op.execute("DROP TABLE search_index")
    with op.batch_alter_table('memos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memos_transcript_id'))
        batch_op.drop_index(batch_op.f('ix_memos_coding_id'))
        batch_op.drop_index(batch_op.f('ix_memos_code_id'))
        batch_op.drop_index(batch_op.f('ix_memos_author_id'))

    op.drop_table('memos')
    with op.batch_alter_table('turns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_turns_text_version_id'))
        batch_op.drop_index(batch_op.f('ix_turns_participant_id'))

    op.drop_table('turns')
    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codings_transcript_id'))
        batch_op.drop_index(batch_op.f('ix_codings_text_version_id'))
        batch_op.drop_index(batch_op.f('ix_codings_removed_at'))
        batch_op.drop_index(batch_op.f('ix_codings_coder_id'))
        batch_op.drop_index(batch_op.f('ix_codings_code_id'))

    op.drop_table('codings')
    with op.batch_alter_table('transcript_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transcript_participants_transcript_id'))
        batch_op.drop_index(batch_op.f('ix_transcript_participants_participant_id'))

    op.drop_table('transcript_participants')
    with op.batch_alter_table('transcript_attributes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transcript_attributes_transcript_id'))
        batch_op.drop_index(batch_op.f('ix_transcript_attributes_definition_id'))

    op.drop_table('transcript_attributes')
    with op.batch_alter_table('text_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_text_versions_transcript_id'))
        batch_op.drop_index(batch_op.f('ix_text_versions_content_hash'))

    op.drop_table('text_versions')
    with op.batch_alter_table('participant_attributes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_attributes_participant_id'))
        batch_op.drop_index(batch_op.f('ix_participant_attributes_definition_id'))

    op.drop_table('participant_attributes')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_refers_to_id'))
        batch_op.drop_index(batch_op.f('ix_events_entity_guid'))
        batch_op.drop_index(batch_op.f('ix_events_coder_id'))
        batch_op.drop_index(batch_op.f('ix_events_at'))
        batch_op.drop_index(batch_op.f('ix_events_action'))

    op.drop_table('events')
    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transcripts_wave'))
        batch_op.drop_index(batch_op.f('ix_transcripts_current_version_id'))

    op.drop_table('transcripts')
    op.drop_table('settings')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participants_role'))

    op.drop_table('participants')
    with op.batch_alter_table('codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codes_parent_id'))

    op.drop_table('codes')
    op.drop_table('coders')
    op.drop_table('attribute_definitions')
