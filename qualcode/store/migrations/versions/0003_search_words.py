"""search index keeps the words as written beside their stems

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:30:00

A prefix query must find what its prefix finds in the text: `kurs*` finds "kurs", "kurset" and
"kursing". The index held only stems, and "kurs" is stemmed to "kur", so `kurs*` missed it. The
index now has a second column, `words`: each turn's words lower-cased and unstemmed, which prefix
queries search. The stems are copied over as they were; the words are read from the turns' text.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# The same as qualcode.text.tokens.WORD (the store may not import the text package): a run of
# letters and digits.
WORD = re.compile(r"[^\W_]+")
TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    connection = op.get_bind()
    op.execute(f"CREATE VIRTUAL TABLE search_index_new USING fts5(stems, words, {TOKENIZE})")
    versions = connection.execute(sa.text(
        "SELECT DISTINCT t.text_version_id FROM search_index s JOIN turns t ON t.id = s.rowid"
    )).scalars().all()
    for version_id in versions:
        text = connection.execute(
            sa.text("SELECT text FROM text_versions WHERE id = :id"), {"id": version_id}
        ).scalar_one()
        rows = connection.execute(sa.text(
            "SELECT s.rowid, s.stems, t.start, t.end FROM search_index s JOIN turns t ON t.id = s.rowid"
            " WHERE t.text_version_id = :id ORDER BY t.start"
        ), {"id": version_id}).all()
        matches = list(WORD.finditer(text))
        position = 0
        values = []
        for rowid, stems, start, end in rows:
            # The words of a turn are the words wholly inside it, as the index has always taken them.
            while position < len(matches) and matches[position].start() < start:
                position += 1
            cursor = position
            collected = []
            while cursor < len(matches) and matches[cursor].end() <= end:
                collected.append(matches[cursor].group().lower())
                cursor += 1
            values.append({"rowid": rowid, "stems": stems, "words": " ".join(collected)})
        if values:
            connection.execute(
                sa.text("INSERT INTO search_index_new(rowid, stems, words) VALUES (:rowid, :stems, :words)"), values
            )
    op.execute("DROP TABLE search_index")
    op.execute("ALTER TABLE search_index_new RENAME TO search_index")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE VIRTUAL TABLE search_index_old USING fts5(stems, {TOKENIZE})")
    op.execute("INSERT INTO search_index_old(rowid, stems) SELECT rowid, stems FROM search_index")
    op.execute("DROP TABLE search_index")
    op.execute("ALTER TABLE search_index_old RENAME TO search_index")
