"""unique live codings and unique texts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 10:00:00

Two commands racing could store the same thing twice: the same passage coded with the same code
by the same coder, and the same text imported under two file names. The schema now refuses both.
A project that already holds such duplicates is repaired first, and nothing is dropped unrecorded:

- a live coding that repeats an earlier one is marked removed (still in the database, with an
  event saying why); its memos, and its memo text if it differs, move to the coding it repeats;
- a transcript whose text repeats an earlier transcript's is merged into it, as the second import
  would have been refused had the two not raced: its codings, memos, participants and attributes
  move to the earlier transcript (same text, so the offsets hold), then it is deleted, with an
  event that records its name and what moved.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from qualcode.errors import ProjectError

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

LIVE = "removed_at IS NULL"

codings = sa.table(
    "codings",
    sa.column("id", sa.Integer), sa.column("guid", sa.String), sa.column("transcript_id", sa.Integer),
    sa.column("text_version_id", sa.Integer), sa.column("code_id", sa.Integer), sa.column("coder_id", sa.Integer),
    sa.column("start", sa.Integer), sa.column("end", sa.Integer), sa.column("excerpt", sa.Text),
    sa.column("memo", sa.Text), sa.column("removed_at", sa.DateTime(timezone=True)),
)
codes = sa.table("codes", sa.column("id", sa.Integer), sa.column("guid", sa.String))
memos = sa.table("memos", sa.column("id", sa.Integer), sa.column("transcript_id", sa.Integer), sa.column("coding_id", sa.Integer))
transcripts = sa.table(
    "transcripts", sa.column("id", sa.Integer), sa.column("guid", sa.String), sa.column("name", sa.String),
    sa.column("source_filename", sa.String), sa.column("current_version_id", sa.Integer),
)
text_versions = sa.table(
    "text_versions", sa.column("id", sa.Integer), sa.column("transcript_id", sa.Integer), sa.column("content_hash", sa.String),
)
turns = sa.table("turns", sa.column("id", sa.Integer), sa.column("text_version_id", sa.Integer))
links = sa.table(
    "transcript_participants", sa.column("transcript_id", sa.Integer), sa.column("participant_id", sa.Integer),
    sa.column("speaker_label", sa.String),
)
attributes = sa.table(
    "transcript_attributes", sa.column("transcript_id", sa.Integer), sa.column("definition_id", sa.Integer),
    sa.column("value", sa.Text),
)
events = sa.table(
    "events",
    sa.column("guid", sa.String), sa.column("at", sa.DateTime(timezone=True)), sa.column("coder_id", sa.Integer),
    sa.column("action", sa.String), sa.column("entity", sa.String), sa.column("entity_guid", sa.String),
    sa.column("summary", sa.Text), sa.column("payload", sa.JSON), sa.column("undoable", sa.Boolean),
)


def _event(
    connection: sa.Connection, action: str, entity: str, entity_guid: str, summary: str,
    before: dict[str, Any] | None, after: dict[str, Any] | None,
) -> None:
    """An event by nobody in particular: the upgrade itself made this change."""
    connection.execute(events.insert().values(
        guid=str(uuid.uuid4()), at=datetime.now(UTC), coder_id=None, action=action, entity=entity,
        entity_guid=entity_guid, summary=summary, payload={"before": before, "after": after}, undoable=False,
    ))


def _merge_duplicate_texts(connection: sa.Connection) -> None:
    repeated = connection.execute(
        sa.select(text_versions.c.content_hash).group_by(text_versions.c.content_hash).having(sa.func.count() > 1)
    ).scalars().all()
    for digest in repeated:
        rows = connection.execute(
            sa.select(text_versions.c.id, text_versions.c.transcript_id)
            .where(text_versions.c.content_hash == digest).order_by(text_versions.c.id)
        ).all()
        kept_version, kept_id = rows[0]
        kept = connection.execute(sa.select(transcripts).where(transcripts.c.id == kept_id)).one()
        for version_id, transcript_id in rows[1:]:
            other = connection.execute(sa.select(transcripts).where(transcripts.c.id == transcript_id)).one()
            versions_of_other = connection.execute(
                sa.select(sa.func.count()).select_from(text_versions).where(text_versions.c.transcript_id == transcript_id)
            ).scalar_one()
            if transcript_id == kept_id or versions_of_other != 1 or kept.current_version_id != kept_version:
                # Imports and corrections never leave this; refuse rather than guess.
                raise ProjectError(
                    f"transcripts {kept.name} and {other.name} hold the same text in a way this upgrade cannot merge",
                    "the project was left as it was; restore from .qualcode/backups/ or ask for help",
                )
            _merge_transcript(connection, other, kept, version_id, kept_version)


def _merge_transcript(connection: sa.Connection, other: sa.Row[Any], kept: sa.Row[Any], version_id: int, kept_version: int) -> None:
    moved_codings = connection.execute(
        codings.update().where(codings.c.transcript_id == other.id)
        .values(transcript_id=kept.id, text_version_id=kept_version)
    ).rowcount
    moved_memos = connection.execute(
        memos.update().where(memos.c.transcript_id == other.id).values(transcript_id=kept.id)
    ).rowcount
    kept_links = links.alias("kept_links")
    connection.execute(links.insert().from_select(
        ["transcript_id", "participant_id", "speaker_label"],
        sa.select(sa.literal(kept.id), links.c.participant_id, links.c.speaker_label).where(
            links.c.transcript_id == other.id,
            ~sa.exists().where(kept_links.c.transcript_id == kept.id, kept_links.c.participant_id == links.c.participant_id),
        ),
    ))
    kept_attributes = attributes.alias("kept_attributes")
    connection.execute(attributes.insert().from_select(
        ["transcript_id", "definition_id", "value"],
        sa.select(sa.literal(kept.id), attributes.c.definition_id, attributes.c.value).where(
            attributes.c.transcript_id == other.id,
            ~sa.exists().where(
                kept_attributes.c.transcript_id == kept.id, kept_attributes.c.definition_id == attributes.c.definition_id
            ),
        ),
    ))
    if connection.dialect.name == "sqlite":  # the turns' rows of the index, named in SQL: a long text has more than a statement binds
        connection.execute(
            sa.text("DELETE FROM search_index WHERE rowid IN (SELECT id FROM turns WHERE text_version_id = :version_id)"),
            {"version_id": version_id},
        )
    connection.execute(turns.delete().where(turns.c.text_version_id == version_id))
    connection.execute(links.delete().where(links.c.transcript_id == other.id))
    connection.execute(attributes.delete().where(attributes.c.transcript_id == other.id))
    connection.execute(transcripts.update().where(transcripts.c.id == other.id).values(current_version_id=None))
    connection.execute(text_versions.delete().where(text_versions.c.id == version_id))
    connection.execute(transcripts.delete().where(transcripts.c.id == other.id))
    _event(
        connection, "transcript.merge", "transcript", other.guid,
        f"merged transcript {other.name} into {kept.name}: the same text had been imported twice at once; "
        f"{moved_codings} codings and {moved_memos} memos moved",
        before={"name": other.name, "source": other.source_filename},
        after={"merged_into": kept.guid, "name": kept.name, "codings_moved": moved_codings, "memos_moved": moved_memos},
    )


def _coding_state(row: sa.Row[Any], removed: bool, memo: str | None) -> dict[str, Any]:
    return {
        "guid": row.guid, "code_guid": row.code_guid, "start": row.start, "end": row.end,
        "excerpt": row.excerpt, "memo": memo, "removed": removed,
    }


def _remove_duplicate_codings(connection: sa.Connection) -> None:
    key = (codings.c.transcript_id, codings.c.code_id, codings.c.coder_id, codings.c.start, codings.c.end)
    groups = connection.execute(
        sa.select(*key).where(codings.c.removed_at.is_(None)).group_by(*key).having(sa.func.count() > 1)
    ).all()
    for group in groups:
        rows = connection.execute(
            sa.select(codings, codes.c.guid.label("code_guid")).join(codes, codes.c.id == codings.c.code_id)
            .where(codings.c.removed_at.is_(None), *(column == value for column, value in zip(key, group, strict=True)))
            .order_by(codings.c.id)
        ).all()
        kept = rows[0]
        kept_memo = kept.memo
        for duplicate in rows[1:]:
            now = datetime.now(UTC)
            moved_memos = connection.execute(
                memos.update().where(memos.c.coding_id == duplicate.id).values(coding_id=kept.id)
            ).rowcount
            note = ""
            if duplicate.memo and duplicate.memo != kept_memo and (not kept_memo or duplicate.memo not in kept_memo):
                new_memo = f"{kept_memo}\n\n{duplicate.memo}" if kept_memo else duplicate.memo
                connection.execute(codings.update().where(codings.c.id == kept.id).values(memo=new_memo))
                _event(
                    connection, "coding.memo", "coding", kept.guid,
                    f"memo of duplicate coding {duplicate.id} added to coding {kept.id}",
                    before=_coding_state(kept, False, kept_memo), after=_coding_state(kept, False, new_memo),
                )
                kept_memo = new_memo
                note = "; its memo now on that coding"
            if moved_memos:
                note += f"; {moved_memos} memos moved to coding {kept.id}"
            connection.execute(codings.update().where(codings.c.id == duplicate.id).values(removed_at=now))
            _event(
                connection, "coding.remove", "coding", duplicate.guid,
                f"removed coding {duplicate.id}: it repeated coding {kept.id} (the same passage coded twice at once){note}",
                before=_coding_state(duplicate, False, duplicate.memo), after=_coding_state(duplicate, True, duplicate.memo),
            )


def upgrade() -> None:
    connection = op.get_bind()
    _merge_duplicate_texts(connection)
    _remove_duplicate_codings(connection)
    op.drop_index('ix_text_versions_content_hash', table_name='text_versions')
    op.create_index('uq_text_versions_content_hash', 'text_versions', ['content_hash'], unique=True)
    op.create_index(
        'uq_codings_live', 'codings', ['transcript_id', 'code_id', 'coder_id', 'start', 'end'], unique=True,
        sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE),
    )


def downgrade() -> None:
    # Merged transcripts and removed duplicate codings stay as they are; their events say what happened.
    op.drop_index('uq_codings_live', table_name='codings')
    op.drop_index('uq_text_versions_content_hash', table_name='text_versions')
    op.create_index('ix_text_versions_content_hash', 'text_versions', ['content_hash'], unique=False)
