"""Rewrites of the stored texts that a crash can interrupt, as every command asks about them when
it opens a project: kept apart from the anonymiser, so that a command that never needs the key
(status, search, a listing) starts without loading the detectors and the key (about 23 ms)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.store.settings import get_setting

if TYPE_CHECKING:
    from qualcode.store.project import Project

REAPPLY_PENDING = "anonymise.reapply_pending"
PURGE_PENDING = "anonymise.purge_pending"


def interrupted_work(project: Project) -> bool:
    """Whether a rewrite of stored texts, or the purge after it, was interrupted."""
    with project.begin() as session:
        return bool(get_setting(session, REAPPLY_PENDING) or get_setting(session, PURGE_PENDING))
