"""Rewrites of the stored texts that a crash can interrupt, as every command asks about them when
it opens a project: kept apart from the anonymiser, so that a command that never needs the key
(status, search, a listing) starts without loading the detectors and the key (about 23 ms)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.store.backups import WITHDRAW_AGAIN  # who withdrew since a restored backup was taken
from qualcode.store.settings import get_settings

if TYPE_CHECKING:
    from qualcode.store.project import Project

REAPPLY_PENDING = "anonymise.reapply_pending"
PURGE_PENDING = "anonymise.purge_pending"
# Set in a withdrawal's own transaction, cleared when the file is rebuilt and every backup (each
# holds the participant's words) deleted: a full disk or a kill between the two left them there.
WITHDRAWAL_PURGE_PENDING = "anonymise.withdrawal_purge_pending"
# Set in a withdrawal's own transaction with digests of the key entries it turns into digests, cleared
# once the key is saved: a kill between the two left their name, number and address in the key in clear.
WITHDRAWAL_KEY_PENDING = "anonymise.withdrawal_key_pending"
# Set in the transaction of `identifiers remove` that puts the word back in the texts, with the key's digest of
# it (remove.PendingRemoval), cleared once the key is saved without it: a kill between the two left the texts
# holding a word the key still replaces, and the next command saves the key without it.
REMOVAL_KEY_PENDING = "anonymise.removal_key_pending"

# The marks of work that needs the key (a rewrite of stored texts, the purge after it), and all of them.
REWRITE_MARKS = (REAPPLY_PENDING, PURGE_PENDING)
INTERRUPTED_MARKS = (*REWRITE_MARKS, WITHDRAWAL_PURGE_PENDING, WITHDRAWAL_KEY_PENDING, REMOVAL_KEY_PENDING, WITHDRAW_AGAIN)


def interrupted_work(project: Project, marks: tuple[str, ...] = INTERRUPTED_MARKS) -> bool:
    """Whether a rewrite of stored texts, or the purge after it or after a withdrawal, was interrupted
    (with `marks`, the work those marks stand for)."""
    with project.begin() as session:
        return any(get_settings(session, *marks).values())  # one query: every command asks, often twice
