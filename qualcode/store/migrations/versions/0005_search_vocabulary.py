"""search index keeps its vocabulary, with a trigram index, for wildcards at the start of a word

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 03:00:00

Norwegian writes compounds as one word, so "medvirkning" lies inside "brukermedvirkning" and
"medvirkningsarena", which a search by stem never finds. `*medvirkning` and `*medvirkning*` now find
them: the index keeps every word it holds once (`search_index_vocabulary`), and an FTS5 trigram index
over those words finds the ones that contain a piece of text; the turns holding those words are then
found in the main index by their words as written. The vocabulary is a small fraction of the text,
so its trigram index stays small. It is filled here from the words already indexed.
"""

from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

BATCH = 5_000


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TABLE search_index_vocabulary (id INTEGER NOT NULL PRIMARY KEY, word TEXT NOT NULL,"
        " CONSTRAINT uq_search_index_vocabulary_word UNIQUE (word))"
    )
    op.execute(
        "CREATE VIRTUAL TABLE search_index_vocabulary_trigrams USING fts5("
        "word, content = 'search_index_vocabulary', content_rowid = 'id', tokenize = 'trigram')"
    )
    # The trigram index reads its words from the vocabulary table, and these triggers keep the
    # two in step whoever writes the vocabulary.
    op.execute(
        "CREATE TRIGGER search_index_vocabulary_added AFTER INSERT ON search_index_vocabulary BEGIN"
        " INSERT INTO search_index_vocabulary_trigrams(rowid, word) VALUES (new.id, new.word); END"
    )
    op.execute(
        "CREATE TRIGGER search_index_vocabulary_removed AFTER DELETE ON search_index_vocabulary BEGIN"
        " INSERT INTO search_index_vocabulary_trigrams(search_index_vocabulary_trigrams, rowid, word)"
        " VALUES ('delete', old.id, old.word); END"
    )
    connection = op.get_bind()
    words: set[str] = set()
    for (indexed,) in connection.exec_driver_sql("SELECT words FROM search_index"):
        words.update(indexed.split())
    ordered = sorted(words)
    for first in range(0, len(ordered), BATCH):
        connection.exec_driver_sql(
            "INSERT INTO search_index_vocabulary(word) VALUES (?)", [(word,) for word in ordered[first:first + BATCH]]
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER search_index_vocabulary_removed")
    op.execute("DROP TRIGGER search_index_vocabulary_added")
    op.execute("DROP TABLE search_index_vocabulary_trigrams")
    op.execute("DROP TABLE search_index_vocabulary")
