"""Alembic migrations that ship inside the package."""
