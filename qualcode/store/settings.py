"""Project settings stored in the database."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.store.models import Setting


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(Setting, key)
    return row.value if row is not None else default


def get_settings(session: Session, *keys: str) -> dict[str, str]:
    """The settings of `keys` that are set, read in one query (the key's place is read before each lookup)."""
    return {key: value for key, value in session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys)))}


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def delete_setting(session: Session, key: str) -> None:
    row = session.get(Setting, key)
    if row is not None:
        session.delete(row)


def project_guid(session: Session) -> str:
    """The project's own id, made the first time it is asked for (projects older than ids get one)."""
    guid = get_setting(session, "project.guid")
    if guid is None:
        guid = new_project_guid()
        set_setting(session, "project.guid", guid)
    return guid


def new_project_guid() -> str:
    """A new project's id: random. One function, so the tests can make each test's pseudonym draws (seeded by
    the key's secret and this id) the same in every run (tests/conftest.py, `fixed_draws`)."""
    return str(uuid.uuid4())
