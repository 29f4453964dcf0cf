"""Restoring a backup with what the key knows now, so no name it learned since comes back."""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.pending import REAPPLY_PENDING, REMOVAL_KEY_PENDING
from qualcode.anonymise.service import (
    KeyAccess,
    default_key_path,
    fingerprint,
    key_lock,
)
from qualcode.errors import KeyFileError, KeyMissing
from qualcode.store.backups import (
    KeyRecord,
    RestoreResult,
    backup_settings,
    project_settings,
    restore_backup,
)
from qualcode.store.project import DATABASE_FILE, PROJECT_DIR, Project
from qualcode.store.settings import delete_setting, get_setting, set_setting


def restore_with_key(
    root: Path, chosen: Path, *, key_path: Path | None, config_home: Path, passphrase: Callable[[Path], str],
    before_withdrawal: bool = False,
) -> RestoreResult:
    """Restore the backup `chosen` in the project at `root`, re-applying the project's key to it
    before it is put in place, with the key locked (an import or a rewrite by the key then waits).

    The key is found as the project records it, or, when the database is damaged, as the backups
    beside it record it. A key destroyed at the end of a project cannot take names out: only a
    backup taken since is restored then.
    """
    database = root / PROJECT_DIR / DATABASE_FILE
    directory = database.parent / "backups"
    settings = project_settings(database, chosen)
    guid = settings.get("project.guid", "")
    recorded = settings.get("key.path")
    path = (key_path or (Path(recorded) if recorded else default_key_path(guid, root, config_home))).expanduser()
    destroyed = settings.get("key.destroyed")
    if destroyed and not path.exists():
        if not backup_settings(chosen, directory).get("key.destroyed"):
            raise KeyFileError(
                f"this project's key was destroyed on {destroyed[:10]}, and {chosen} was taken before: names the key "
                "learned since it was taken could not be taken out of it again",
                "restore a backup taken since the key was destroyed (`qualcode backup list`)",
            )
        return restore_backup(database, chosen, before_withdrawal=before_withdrawal)
    if not path.exists() and not (settings.get("key.fingerprint") or settings.get("key.path")):
        # A project that never had a key (made by the store alone) has learned no name to take out.
        return restore_backup(database, chosen, before_withdrawal=before_withdrawal)
    if not path.exists():
        raise KeyMissing(
            f"this project's key is not at {path}; a restore re-applies it, so no name it learned since the backup comes back",
            "pass the right --key PATH or restore the key from your backup",
        )
    taken_under = backup_settings(chosen, directory)
    earlier, now = taken_under.get("key.fingerprint"), settings.get("key.fingerprint")
    if earlier and now and earlier != now and not taken_under.get("key.destroyed"):
        # Taken under a key destroyed or lost since, and replaced (`key new`): the new key knows none of
        # the names that one learned after the backup was taken, which would come back with it.
        raise KeyFileError(
            f"{chosen} was taken under the key this project had before its new one (`key new`): names that key learned "
            "after the backup was taken could not be taken out of it again",
            "restore a backup taken since the new key was made (`qualcode backup list`)",
        )
    with key_lock(path):
        access = KeyAccess(path, passphrase(path), guid, settings.get("key.fingerprint"), None, int(settings.get("key.revision") or 0))
        key = access.load_existing()
        # Where the backup's texts see names says nothing of where the project sees them: a copy.
        applied = copy.deepcopy(key)
        return restore_backup(
            database, chosen, before_withdrawal=before_withdrawal, key=KeyRecord(key.project_guid, bool(key.denied)),
            rewrite=lambda incoming: rewrite_with_key(incoming, applied),
        )


def rewrite_with_key(database: Path, key: PseudonymKey) -> None:
    """Pseudonymise everything in the database file at `database` (a copy, not the project) with
    `key`, upgrading its schema first if it is older; it then remembers the key as its own."""
    from qualcode.anonymise.reapply import reapply_key

    work = Path(tempfile.mkdtemp(dir=database.parent, prefix=".restore-"))
    try:
        (work / PROJECT_DIR).mkdir()
        opened = work / PROJECT_DIR / DATABASE_FILE
        os.replace(database, opened)
        with Project.open(work) as project:  # an older backup is upgraded here, its copy kept in `work`
            with project.begin() as session:
                reapply_key(session, key)
                delete_setting(session, REAPPLY_PENDING)  # done just now
                # A removal's word put back is what the key says it is now: replaced if it holds it still, else kept.
                delete_setting(session, REMOVAL_KEY_PENDING)
                # The backup's revision is of the key it was taken under; of another key (one destroyed before a
                # `key new`) it made the project refuse its own key as an older copy.
                same_key = key.key_id is not None and get_setting(session, "key.fingerprint") == fingerprint(key.key_id)
                revision = max(int(get_setting(session, "key.revision") or 0), key.revision) if same_key else key.revision
                if key.key_id is not None:
                    set_setting(session, "key.fingerprint", fingerprint(key.key_id))
                set_setting(session, "key.revision", str(revision))
            with project.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(opened, database)
    finally:
        shutil.rmtree(work, ignore_errors=True)
