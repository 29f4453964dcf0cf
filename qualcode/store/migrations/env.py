"""Alembic environment: runs on the connection qualcode hands it, never on a URL of its own."""

from __future__ import annotations

from alembic import context

from qualcode.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can only alter tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
