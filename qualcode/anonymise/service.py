"""The researcher's side of anonymisation: the key's place, known identifiers, the review queue."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import (
    KINDS,
    Candidate,
    KeyEntry,
    PseudonymKey,
    check_new_passphrase,
    destroy_key,
    load_key,
    save_key,
)
from qualcode.anonymise.known import (
    GIVEN,
    LOWER_WORDS_RULE,
    PIECE,
    SPELT_ALIKE,
    SURNAME,
    as_latin,
    particles_of,
    parts_alone,
    words_found_alone,
)
from qualcode.anonymise.known import LIST_KINDS as LIST_KINDS
from qualcode.anonymise.pending import PURGE_PENDING, REAPPLY_PENDING
from qualcode.anonymise.pseudonyms import GENDERS, PLACEHOLDERS, STYLES
from qualcode.coding.coders import get_or_create_coder
from qualcode.errors import Interrupted, InvalidInput, KeyFileError, KeyMissing, NotFound
from qualcode.store.events import EventKind, record_event
from qualcode.store.models import Code, Event, utcnow
from qualcode.store.project import Project, Purged
from qualcode.store.settings import (
    delete_setting,
    get_setting,
    get_settings,
    project_guid,
    set_setting,
)
from qualcode.store.withdrawals import withdrawn_before
from qualcode.text.tokens import WORD

if TYPE_CHECKING:
    from filelock import FileLock

    from qualcode.anonymise.apply import Replacement
    from qualcode.anonymise.candidates import Proposal
    from qualcode.anonymise.known import KnownMatch
    from qualcode.anonymise.reapply import PseudonymRedrawn, Reapplied



def default_key_path(guid: str, project_root: Path, config_home: Path) -> Path:
    """Outside the project directory, in the user's own configuration, so copying a project never copies its key."""
    return default_key_folder(config_home) / f"{project_root.name}-{guid[:8]}.qckey"


def default_key_folder(config_home: Path) -> Path:
    """Where keys go when no path is given for one (default_key_path)."""
    return config_home.expanduser() / "qualcode" / "keys"


def fingerprint(key_id: str) -> str:
    """What the project keeps to know its key: a digest of the key file's id, never the key."""
    return hashlib.sha256(f"qualcode-key:{key_id}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class KeyPlace:
    """Where a project's key is, and what the project remembers about it."""

    path: Path
    project_guid: str
    fingerprint: str | None  # None: a project made before keys had fingerprints
    destroyed: str | None  # when `key destroy` ran, if it did
    revision: int = 0  # the key's revision when this project last saw it saved


def locate_key(project: Project, override: Path | None, config_home: Path) -> KeyPlace:
    """The key's path (`override`: --key or $QUALCODE_KEY; else the path recorded at creation,
    else the default place) and what the project knows about its key. A lookup: it writes nothing."""
    with project.begin() as session:  # one query: every lookup that finds nothing as typed asks where the key is
        held = get_settings(session, "project.guid", "key.path", "key.fingerprint", "key.destroyed", "key.revision")
    guid, recorded, known, destroyed = held.get("project.guid", ""), held.get("key.path"), held.get("key.fingerprint"), held.get("key.destroyed")
    revision = int(held.get("key.revision") or 0)
    if override is not None:
        path = override
    elif recorded:
        path = Path(recorded)
    else:
        path = default_key_path(guid, project.root, config_home)
    return KeyPlace(path.expanduser(), guid, known, destroyed, revision)


def _words_of_an_earlier_rule(key: PseudonymKey) -> bool:
    """Whether an entry of `key` lacks its lower-case words, or holds those an earlier rule found (rare_words)."""
    return any(entry.lower_words is None or entry.lower_words_rule < LOWER_WORDS_RULE for entry in key.entries)


@dataclass
class KeyAccess:
    """Where the key is and the passphrase that opens it; loads and saves the decrypted key."""

    path: Path
    passphrase: str
    project_guid: str
    fingerprint: str | None = None  # what the project remembers; checked on every load
    project: Project | None = None  # to record the fingerprint and revision the project has seen
    revision: int = 0  # the newest revision of the key the project has seen
    # Run under the lock before `editing` reads the key (the workspace's: a removal a kill left pending, its word
    # back in the texts and the key unsaved, is finished first, so no block saves or rewrites with that key).
    settle: Callable[[], None] | None = field(default=None, repr=False, compare=False)
    # What this access last wrote while a block of `editing` held the key: that block need not
    # write it again (an import saves each file's additions before storing the file).
    _saved: str | None = field(default=None, init=False, repr=False, compare=False)
    # The key as the block of `editing` under way read it (key_state): what a refused block keeps (keep_queued).
    _read: str | None = field(default=None, init=False, repr=False, compare=False)

    def load_existing(self) -> PseudonymKey:
        """The project's key; a missing key, or a key of another project, is refused."""
        if not self.path.exists():
            raise KeyMissing(
                f"this project's key is not at {self.path}",
                "pass the right --key PATH or restore the key from your backup; only if it is lost for good, `qualcode key new --lost` makes a new, empty one",
            )
        key = load_key(self.path, self.passphrase)
        if key.project_guid != self.project_guid:
            raise KeyFileError(f"the key {self.path} belongs to another project", "pass the right --key PATH")
        if key.key_id is None:  # a key written before keys had ids: give it one
            self.save(key)
        assert key.key_id is not None
        found = fingerprint(key.key_id)
        if self.fingerprint is None and self.project is not None:
            with self.project.begin() as session:
                set_setting(session, "key.fingerprint", found)
            self.fingerprint = found
        elif self.fingerprint is not None and found != self.fingerprint:
            raise KeyFileError(
                f"the key {self.path} is not the key this project was made with",
                "pass the right --key PATH or restore the key from your backup",
            )
        if key.revision < self.revision:
            raise KeyFileError(
                f"the key {self.path} is an older copy (saved {key.revision} times; this project has seen it saved {self.revision} times)",
                "identifiers learned since would be missed: restore the newest copy of the key",
            )
        if key.secret_made or _words_of_an_earlier_rule(key):  # after those checks: an older copy saved would pass for the newest
            key = self._keep_made(key)
        return key

    def _keep_made(self, key: PseudonymKey) -> PseudonymKey:
        """A key saved before keys kept a secret, or with the lower-case words of an earlier rule, saved with
        what was made as it was read (under the lock, read again: another command may have saved first).
        A secret made anew at each read keyed each command's digests otherwise: a reviewed report imported
        twice brought its comments in twice, an address's reviewer as another "(e-post) NNNN". The words,
        found anew by every command that reads the key, cost each one wordfreq's load (0.5 s) until a
        command that changes the key saved it. A key that cannot be saved (a read-only folder) is read as it is."""
        try:
            with key_lock(self.path):
                key = load_key(self.path, self.passphrase)
                if key.secret_made or _words_of_an_earlier_rule(key):
                    self.save(key)  # save_key finds the words by the rule in force
        except KeyFileError:
            pass
        return key

    def save(self, key: PseudonymKey, *, seen: bool = True) -> None:
        """Save `key`; the project records the revision saved (`seen`), so an older copy of the key shows later."""
        save_key(self.path, key, self.passphrase)
        self._saved = key_state(key)
        if seen and self.project is not None and key.revision > self.revision:
            with self.project.begin() as session:
                set_setting(session, "key.revision", str(key.revision))
            self.revision = key.revision

    def keep_queued(self, key: PseudonymKey, proposals: Sequence[Proposal], where: str) -> None:
        """What a refused block of `editing` keeps: the key as the block read it, with the names it was refused for
        (`proposals`) queued for the review the refusal sends the researcher to; not what `key` learned in the block
        before the refusal (an address in a reviewer's comment, a pseudonym drawn), which a refused command keeps no
        more than the project keeps its text. Saved only if that changes the key, and not recorded in the project,
        which the refusal leaves as it was: an older copy of the key lacks no identifier."""
        assert self._read is not None, "keep_queued is called inside a block of editing"
        queued = PseudonymKey.from_json(json.loads(self._read))
        queued.key_id, queued.revision = key.key_id, key.revision
        queue_candidates(queued, list(proposals), where)
        if key_state(queued) != self._read:
            self.save(queued, seen=False)

    @contextmanager
    def editing(self) -> Iterator[PseudonymKey]:
        """Lock the key against other commands, read it afresh, and save it if the block changed it.

        Every read-modify-write of the key goes through here, so two commands that change the
        key at once both keep their change. The block may also write to the project: what it
        writes is then consistent with the key it read.
        """
        with key_lock(self.path):
            if self.settle is not None:
                self.settle()
            key = self.load_existing()
            before = self._saved = self._read = key_state(key)
            yield key
            # Only a block that succeeds is kept, so a failure leaves the key as it was; a
            # caller that must keep something from a failed step catches the error inside.
            if key_state(key) not in (before, self._saved):
                self.save(key)


def key_state(key: PseudonymKey) -> str:
    """All a key holds, as one string: two keys with equal states hold the same."""
    return json.dumps(key.to_json(), sort_keys=True)


def create_key(project: Project, path: Path, passphrase: str, coder_name: str | None = None) -> KeyAccess:
    """Make the project's key: the only way a key comes into being (`init` and `key new`). One made
    in place of another (destroyed, or lost) is logged, for good: the setting that the key was
    destroyed goes, and a withdrawal must still know that an earlier key held what this one lacks."""
    check_new_passphrase(passphrase)  # before the lock, whose file beside the key would be left behind
    refuse_key_inside(project.root, path)
    with project.begin() as session:
        guid = project_guid(session)
    with key_lock(path):
        refuse_new_key_place(path)  # again under the lock: another command may have made one since
        key = PseudonymKey(project_guid=guid)
        save_key(path, key, passphrase)
    assert key.key_id is not None
    with project.begin() as session:
        destroyed, earlier = get_setting(session, "key.destroyed"), get_setting(session, "key.fingerprint")
        if destroyed or earlier:
            record_event(session, kind=EventKind.KEY_NEW, coder=get_or_create_coder(session, coder_name) if coder_name else None,
                         after={KEY_REPLACED_DESTROYED: destroyed[:10] if destroyed else None},
                         summary=f"made a new, empty pseudonym key in place of the one {_gone(destroyed)}")
        set_setting(session, "key.path", str(path.resolve()))
        set_setting(session, "key.fingerprint", fingerprint(key.key_id))
        delete_setting(session, "key.destroyed")
    with project.begin() as session:
        set_setting(session, "key.revision", str(key.revision))
    return KeyAccess(path, passphrase, guid, fingerprint(key.key_id), project, key.revision)


# In a KEY_NEW event's payload: the day the key it replaced was destroyed (None: that key was lost).
KEY_REPLACED_DESTROYED = "destroyed"


def _gone(destroyed: str | None) -> str:
    """How the key a new one replaces went: "destroyed on DAY", or "lost"."""
    return f"destroyed on {destroyed[:10]}" if destroyed else "lost"


def replaced_key(session: Session) -> tuple[int, str] | None:
    """The latest key a new one was made in place of, as the id of that event (what the log holds
    before it came under the key that went) and how it went ("destroyed on DAY", "lost"); None if
    the project's key is the one it was made with."""
    made = session.scalars(select(Event).where(Event.action == EventKind.KEY_NEW.value).order_by(Event.id.desc()).limit(1)).first()
    if made is None:
        return None
    return made.id, _gone(((made.payload or {}).get("after") or {}).get(KEY_REPLACED_DESTROYED))


def withdrawn_under_earlier_key(session: Session) -> tuple[str, list[str]] | None:
    """How the key before this one went, and the participants who withdrew under it (or before it); None
    when the project's key is the one it was made with, or no one withdrew before it was replaced.

    That key kept their pseudonyms (PseudonymKey.withdrawn_names), never a new one: `key destroy`
    overwrites it at the end of a project, and a lost key cannot be read. The project keeps no list of
    them either: it would name, beside the fact, who in the others' words withdrew."""
    made = replaced_key(session)
    if made is None:
        return None
    withdrawn = withdrawn_before(session, made[0])
    return (made[1], withdrawn) if withdrawn else None


def refuse_key_inside(root: Path, path: Path) -> None:
    """A key is never made inside the project's folder: whoever copies, zips or shares the folder
    would hand over the originals with it, guarded by the passphrase alone."""
    folder = root.resolve()
    if path.expanduser().resolve().is_relative_to(folder):
        raise InvalidInput(
            f"the key {path} would be inside the project's folder {folder}, and go wherever the folder is copied",
            "keep the key outside the project: leave out --key and QUALCODE_KEY for the default place, or name a path elsewhere",
        )


def change_passphrase(project: Project, access: KeyAccess, new_passphrase: str, coder_name: str | None) -> None:
    """Encrypt the key under `new_passphrase` with a fresh salt, and log that it was done.

    What the key holds and its id stay as they are, so the project's fingerprint still knows it;
    the save counts as one, so a copy of the file made before is refused by this project as an
    older copy. The log says that the passphrase changed, never what either passphrase is.
    """
    check_new_passphrase(new_passphrase)
    if new_passphrase == access.passphrase:
        raise InvalidInput("the new passphrase is the current one", "choose another; nothing was changed")
    with key_lock(access.path):
        # Read afresh under the lock: what another command saved since the current passphrase was
        # checked is kept, not overwritten by the key as it was then.
        key = access.load_existing()
        with project.begin() as session:
            coder = get_or_create_coder(session, coder_name) if coder_name else None
            record_event(session, kind=EventKind.KEY_PASSPHRASE, coder=coder, summary="changed the pseudonym key's passphrase")
            # Written, so the project's write lock is held: a busy or unwritable project fails here,
            # before the key is replaced, and a key that cannot be saved rolls the event back. Only
            # the commit itself can fail after the key has its new passphrase.
            session.flush()
            save_key(access.path, key, new_passphrase, fresh_salt=True)
            set_setting(session, "key.revision", str(key.revision))
        access.passphrase, access.revision = new_passphrase, key.revision


def destroy_project_key(project: Project, access: KeyAccess) -> None:
    """Overwrite and delete the key, and remember that it was destroyed on purpose."""
    with key_lock(access.path):
        access.load_existing()  # only the passphrase holder may destroy it
        destroy_key(access.path)
    with project.begin() as session:
        set_setting(session, "key.destroyed", utcnow().isoformat(timespec="seconds"))


KEY_LOCK_TIMEOUT = 120.0  # seconds: long enough for another command's import of one large file
_locks: dict[Path, FileLock] = {}


def refuse_new_key_place(path: Path) -> None:
    """A new key's path refused before anything is made: a key already there (`init` made a project, then found
    it and left the project's folder behind), or a folder in its place."""
    refuse_key_folder(path)
    if path.exists() or path.is_symlink():
        raise KeyFileError(f"a key already exists at {path}", "use it, or choose another place with --key PATH")


def refuse_key_folder(path: Path) -> None:
    """A folder given where the key file goes: said so, before anything is asked or written beside it."""
    if path.is_dir():
        raise KeyFileError(f"{path} is a folder, not a key file", "pass the key file's path with --key or QUALCODE_KEY")


@contextmanager
def key_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on the key file across processes (re-entrant within one process)."""
    # Imported where used, like the rewriting below: commands that only read never lock the key.
    from filelock import FileLock, Timeout

    path = path.resolve()
    refuse_key_folder(path)  # before a lock file is left beside it
    lock = _locks.setdefault(path, FileLock(str(path) + ".lock", timeout=KEY_LOCK_TIMEOUT))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        # A file where the key's folder or one above it would go (`key new --lost --key file/k.qckey`): one line, as
        # `init` says it, not the traceback it was; anything else is a fault of the disk, said as such.
        from qualcode.store.new_folders import refuse_unmakeable

        refuse_unmakeable(path.parent, "the key's folder", "choose another place for the key with --key PATH")
        raise
    try:
        lock.acquire()
    except Timeout:
        raise KeyFileError(
            f"the key {path.name} has been in use by another qualcode command for {KEY_LOCK_TIMEOUT:.0f} s",
            "wait for it to finish, then try again",
        ) from None
    except OSError as error:  # a read-only folder: the lock file beside the key cannot be made (a raw OSError before)
        raise KeyFileError(
            f"cannot lock the key {path}: {error.strerror or error} in {path.parent}",
            "keep the key in a folder you can write to (a change to the key is written beside it), then try again",
        ) from None
    try:
        yield
    finally:
        lock.release()


def save_and_reapply(project: Project, access: KeyAccess, key: PseudonymKey, coder_name: str | None) -> Reapplied:
    """Keep the key, then pseudonymise what is already stored with what the key now knows.

    The rewrite is recorded in the project before the key is saved, so a crash anywhere leaves
    either nothing to do or a pending rewrite that `finish_interrupted` completes on the next open.
    Call it with the key locked (inside `access.editing()`), so no import slips in between.
    """
    from qualcode.anonymise.apply import redraw_real_pseudonyms

    # A pseudonym chosen by hand as a real name, before such choices were refused, is drawn anew here:
    # re-applying is what the leak check's refusal of such a text asks for.
    redraw_real_pseudonyms(key)
    marked = mark_rewrite_due(project)
    try:
        access.save(key)
    except KeyboardInterrupt:
        # It may have come after the key was written: the mark stays, and the next command rewrites with
        # the key as it is then (no change, if it was not saved).
        raise Interrupted(
            "interrupted while the key was being saved: it holds either all of this change or none of it, "
            "and the next qualcode command pseudonymises the stored texts with it as it is",
            "run `qualcode status` to finish, then `qualcode key show` to see whether the key kept the change",
        ) from None
    except BaseException:
        # Not saved (a full disk where the key is, say): the key is as it was, and there is nothing to
        # finish. The mark left behind made the next command say it "finished" a change never made. A
        # mark made before (the terminal UI's review, whose decisions the key already holds) stays.
        if marked:
            unmark_rewrite_due(project)
        raise
    try:
        return _reapply(project, key, coder_name)
    except KeyboardInterrupt:  # each step is its own transaction, marked until done
        raise Interrupted(
            "interrupted while the stored texts were being pseudonymised with what the key now holds (it kept the change): "
            "the next qualcode command finishes it before anything else",
            "run `qualcode status` to finish it now",
        ) from None


def mark_rewrite_due(project: Project) -> bool:
    """Record that stored texts are to be rewritten with the key, before the key learns what calls
    for it without rewriting them at once (the terminal UI's review, on leaving): a UI quit, killed
    or cut off before then leaves the next command to finish it. Whether it was not recorded before."""
    with project.begin() as session:
        if get_setting(session, REAPPLY_PENDING):
            return False
        set_setting(session, REAPPLY_PENDING, utcnow().isoformat(timespec="seconds"))
    return True


def unmark_rewrite_due(project: Project) -> None:
    """Take back `mark_rewrite_due` when the key was not saved: there is nothing to finish."""
    with project.begin() as session:
        delete_setting(session, REAPPLY_PENDING)


def _reapply(project: Project, key: PseudonymKey, coder_name: str | None) -> Reapplied:
    from qualcode.anonymise.reapply import reapply_key

    redrawn = pseudonyms_redrawn(key)  # said to the researcher, whose notes outside the project use the old ones
    with project.begin() as session:
        coder = get_or_create_coder(session, coder_name) if coder_name else None
        result = replace(reapply_key(session, key, coder), pseudonyms_redrawn=redrawn)
        delete_setting(session, REAPPLY_PENDING)
        if result.anything:
            set_setting(session, PURGE_PENDING, "1")
    # Rewritten now; the caller's `editing()` saves the key. A crash before that rewrites them
    # again, harmlessly: the old pseudonyms are gone from those texts.
    key.renamed.clear()
    purged = finish_purge(project, key)
    return replace(result, backups_deleted=purged.deleted, backups_rewritten=purged.rewritten) if purged else result


def pseudonyms_redrawn(key: PseudonymKey) -> tuple[PseudonymRedrawn, ...]:
    """The pseudonyms `key` drew anew and has not yet rewritten the texts with (key.renamed), each from the one the texts
    held to the newest (two names learned at once may redraw one twice), with the word of the old one that is, or is
    like, a real name in the key. Redrawn by a name learned, the stored texts were rewritten and the command said only
    how many places: memos, notes and reports outside the project kept calling the person by the old one."""
    from qualcode.anonymise.apply import real_word_in
    from qualcode.anonymise.reapply import PseudonymRedrawn

    newest: dict[str, str] = {}  # the pseudonym the texts held to the one the key holds now
    for renaming in key.renamed:
        first = next((old for old, new in newest.items() if new == renaming.old), renaming.old)
        newest[first] = renaming.new
    redrawn = []
    for old, new in newest.items():
        if old == new:
            continue
        entry = next((entry for entry in key.entries if entry.pseudonym == new), None)
        redrawn.append(PseudonymRedrawn(old, new, real_word_in(old, key, entry.original if entry is not None else "")))
    return tuple(redrawn)


def finish_purge(project: Project, key: PseudonymKey) -> Purged | None:
    """Rebuild the file after sensitive text left it; recorded, so a crash before it is resumed.

    The researcher's own backups, and those taken before a replacement, are rewritten with the key as
    the project was, on a copy of the key (what a backup holds says nothing about where names are seen
    now); the others go."""
    import copy

    from qualcode.anonymise.reapply import reapply_key

    with project.begin() as session:
        pending = get_setting(session, PURGE_PENDING)
    if not pending:
        return None

    def purged() -> None:
        with project.begin() as session:
            delete_setting(session, PURGE_PENDING)

    # Cleared before the fresh backup is taken: restoring a backup that still said a purge was
    # due purged again, and that removed the backup `backup restore` had just kept.
    seen_elsewhere = copy.deepcopy(key)
    return project.purge(before_backup=purged, rewrite=lambda session: reapply_key(session, seen_elsewhere))


def finish_interrupted(project: Project, access: KeyAccess, coder_name: str | None) -> Reapplied:
    """Complete an interrupted rewrite with the key as it is now, under the key's lock."""
    with access.editing() as key:
        return _reapply(project, key, coder_name)


def add_known_identifier(
    key: PseudonymKey, original: str, kind: str, gender: str | None = None, pseudonym: str | None = None,
    first_seen: str = "added by hand", participant: str | None = None, given_name: bool = False,
) -> KeyEntry:
    """Add one identifier the project knows (a person, a place, an office, an employer ...); `participant`:
    the participant it names, whose own pseudonym it may share."""
    from qualcode.anonymise.apply import add_identifier, pseudonym_taken, real_word_in
    from qualcode.anonymise.candidates import without_marker

    # A meeting export's marker after a name ("Yonas Tesfaye (Gjest)", a label an older qualcode proposed whole) is
    # no part of it: held with it, the marker became a word of the pseudonym, and of no other name of the person's.
    original = without_marker(" ".join(original.split()))
    if key.entry_for(original) is None:  # held with its title (by an older qualcode), it is that entry, refused below
        original = without_title(original, kind)
    if not original:
        raise InvalidInput("the identifier is empty")
    if kind not in LIST_KINDS:
        raise InvalidInput(f"kind {kind!r} is not one of {', '.join(LIST_KINDS)}")
    if key.withdrawn(original):  # given a pseudonym, their name would be in the key in clear again, and linkable
        raise InvalidInput(
            f"{original!r} is an identifier of a participant who withdrew consent: the key keeps it only as a digest,"
            " and replaces it by a placeholder wherever it is written; nothing was added",
            "it cannot be given a pseudonym again: nothing of theirs may come back into the project",
        )
    if (held := key.entry_for(original)) is not None:
        raise InvalidInput(f"{original!r} is already in the key, as {held.kind} ({held.pseudonym!r})", _REMOVE_FIRST.format(
            original=original, kind=kind))
    if gender is not None and gender.strip().casefold() not in GENDERS:
        # A typo ("kvinnlig", "fem") drew a name of either gender, and said nothing.
        raise InvalidInput(f"gender {gender!r} is none qualcode knows",
                           "give f or m (kvinne, mann), or leave it out (or ukjent) for a name of either gender")
    if pseudonym and (real := real_word_in(" ".join(pseudonym.split()), key, original)) is not None:
        raise InvalidInput(
            f"the pseudonym {pseudonym!r} would leave a real name in the texts: {real!r} is, or is like, a name in the key",
            "choose a pseudonym that shares no word with a real name, or leave it out to have one drawn",
        )
    if pseudonym and (taken := pseudonym_taken(key, pseudonym, participant)) is not None:
        whose = f" (the key links {taken.pseudonym!r} to {taken.participant if taken.participant else 'no participant'})" \
            if participant else ""
        raise InvalidInput(
            f"the pseudonym {pseudonym!r} already stands for another {taken.kind} in the key{whose}: the two would be one in every analysis",
            "choose another, or a placeholder in brackets, such as (veileder), to group them on purpose" + (
                f"; if {taken.pseudonym!r} is {participant}'s, link its identifier to them first"
                f" (`qualcode identifiers add NAME --kind {taken.kind} --participant {participant}`)"
                if participant and not taken.participant else ""),
        )
    waiting = list(key.pending)  # as it was: the key takes the name itself out of the queue as it learns it
    entry = add_identifier(key, original, kind, gender, pseudonym or None, first_seen=first_seen, given_name=given_name)
    entry.participant = participant
    # Dismissed before (taken out of the key by mistake, say), it is an identifier now: not both.
    key.dismissed = [word for word in key.dismissed if word.casefold() != original.casefold()]
    # What waited for review and is now decided (this name, a given name of it, or a phrase of known and
    # dismissed words) leaves the queue, which would otherwise list it for ever.
    from qualcode.anonymise.candidates import decided, without_initials

    known = {word.casefold() for word in ignored_words(key)}
    parts = parts_alone(entry)

    def words_of(text: str) -> tuple[str, ...]:
        return tuple(word.casefold() for word in WORD.findall(as_latin(text)))

    whole = words_of(original)

    def named_in(candidate: Candidate) -> set[str]:
        """Where the person was named otherwise than by `candidate`: their name whole, or another name of theirs, waiting too."""
        return {where for other in waiting if (words := words_of(other.text)) != words_of(candidate.text)
                and (words == whole or parts.get(words) in (GIVEN, SURNAME)) for where in _seen_in(other)}

    def settled(candidate: Candidate) -> bool:
        if without_title(without_marker(candidate.text), kind).casefold() == original.casefold():
            return True  # "Rektor Nilsen", as an older qualcode proposed it, is Nilsen's
        part = parts.get(words_of(candidate.text))
        if part in (GIVEN, SURNAME):
            # Her given name or surname alone in a file that names her otherwise too is hers ("Gunnhild Rasmussen …
            # Gunnhild sa", "Liv Eng … Eng sa"), as an import takes it (doubtful_proposals); in another it may be
            # someone else's ("hos Eng", the farmer), and stays for the researcher to say. One seen nowhere the queue
            # says is theirs, as before.
            return _seen_in(candidate) <= named_in(candidate)
        if part is not None or doubt_note(key, candidate.text) is not None:
            return False  # "Berg" of "Hansen-Berg" (a doctor Berg, maybe), a name of others' words: theirs to decide
        return all(decided(word, known) for word in without_initials(candidate.text).split())  # "Kari H." by "Kari"

    key.pending = [candidate for candidate in key.pending if not settled(candidate)]
    return entry


def title_before(name: str, kind: str) -> str:
    """The titles and roles a person's `name` begins with, as typed ("Rektor" of "Rektor Nilsen", "Fru" of "Fru Hansen-Berg",
    "Avdelingslederen" of "Avdelingslederen Tove Strand"); "" where there are none, or `kind` is no person's. They are
    no part of the identifier, as an import's proposals leave them out (candidates._title_before_a_name): held with
    the name, "Rektor" became a word of it, and "Rektor sa kanskje" in a memo was stored as a pseudonym's given name."""
    if kind != "person":
        return ""
    from qualcode.anonymise.candidates import JOB_TITLE_ENDINGS, TITLES_BEFORE_NAMES, _names, _role

    def a_title(word: str) -> bool:
        folded = word.casefold()
        bare = folded.rstrip(".")  # "Frk. Berg", "Dr. Hansen"
        # Not a role's letter or short label ("M Hansen", "L. Berg": an initial, not "M" the label of a "Mor").
        listed = bare in TITLES_BEFORE_NAMES or (len(bare) > 3 and _role(bare)) or bare.endswith(JOB_TITLE_ENDINGS)
        return (listed or _TITLE_BEFORE.search(f"{folded} ") is not None) and bare not in _names()

    words = name.split()
    count = 0
    while count < len(words) - 1 and a_title(words[count]):  # a title alone is left as typed: there is no name to keep
        count += 1
    # A role's label with a letter or number ("Forskar B", "Deltaker 3") is a label whole: what follows names no one.
    named = any(sum(letter.isalpha() for letter in word) > 1 for word in words[count:])
    return " ".join(words[:count]) if named else ""


def without_title(name: str, kind: str) -> str:
    """`name` without the titles and roles before it (title_before): "Nilsen" of "Rektor Nilsen"."""
    title = title_before(name, kind)
    return " ".join(name.split()[len(title.split()):]) if title else name


def _seen_in(candidate: Candidate) -> set[str]:
    """Where a candidate waiting for review was seen: the files (or "typed text") its contexts name."""
    return {context.split(": …", 1)[0] for context in candidate.contexts if ": …" in context}


_REMOVE_FIRST = 'to change it, take it out first: qualcode identifiers remove "{original}", then identifiers add it again'


def held_as_asked(
    key: PseudonymKey, original: str, kind: str, gender: str | None = None, pseudonym: str | None = None,
    participant: str | None = None,
) -> KeyEntry | None:
    """The key's entry for `original` if it holds it as asked (`identifiers add` of it again changes
    nothing but a link to `participant` it had none of: link_to_participant); None if it does not hold
    it; refused if it holds it otherwise (another kind, gender, pseudonym or participant), which adding
    it again would not change."""
    from qualcode.text.normalise import visible

    typed = " ".join(visible(original).split())
    held = key.entry_for(typed) or key.entry_for(without_title(typed, kind))  # held with its title by an older qualcode
    if held is None:
        return None
    asked = {"kind": kind, "gender": gender, "pseudonym": pseudonym and " ".join(pseudonym.split()), "participant": participant}
    differs = [name for name, value in asked.items() if value and _read(name, getattr(held, name) or "") != _read(name, value)
               and not (name == "participant" and held.participant is None)]
    if name_differs := next(iter(differs), None):
        had = getattr(held, name_differs) or "none"
        raise InvalidInput(
            f"{held.original!r} is already in the key as {'an' if held.kind[:1] in 'aeiou' else 'a'} {held.kind}"
            f" ({held.pseudonym!r}), with {name_differs} {had}, not {asked[name_differs]}; nothing changed",
            _REMOVE_FIRST.format(original=held.original, kind=kind),
        )
    return held


def link_to_participant(key: PseudonymKey, original: str, participant: str) -> KeyEntry:
    """Link the key's entry for `original`, linked to no participant, to `participant`: a withdrawal then
    takes it as theirs, and a nickname of theirs may share its pseudonym (pseudonym_taken)."""
    from qualcode.text.normalise import visible

    held = key.entry_for(" ".join(visible(original).split()))
    if held is None:
        raise NotFound(f"{original!r} is not in the key")
    if held.participant is not None and held.participant.casefold() != participant.strip().casefold():
        raise InvalidInput(f"{held.original!r} is linked to {held.participant} already; nothing changed",
                           _REMOVE_FIRST.format(original=held.original, kind=held.kind))
    held.participant = held.participant or participant.strip()
    return held


def _read(field: str, value: str) -> str:
    """A field of an entry as compared: a gender by what it means ("kvinne" is "f"), the rest in any case."""
    from qualcode.anonymise.pseudonyms import FEMALE, MALE

    folded = value.strip().casefold()
    if field == "gender":
        return "f" if folded in FEMALE else "m" if folded in MALE else ""
    return folded


def set_style(key: PseudonymKey, kind: str, style: str) -> None:
    """Choose realistic names or placeholders for a kind of identifier."""
    if kind not in KINDS:
        raise InvalidInput(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    if style not in STYLES:
        raise InvalidInput(f"style {style!r} is not one of {', '.join(STYLES)}")
    if style == "name" and kind != "person":
        raise InvalidInput(f"only people get names; {kind} is replaced by {PLACEHOLDERS[kind]}")
    key.styles[kind] = style


def codebook_vocabulary(session: Session) -> set[str]:
    """Words of the codebook's names and signal words, which are never identifiers; but for a
    listed name or place among them: a code or signal word named "Solheim" or "Vibeke" would
    otherwise let that name into every transcript unproposed."""
    from qualcode.anonymise.candidates import may_name_someone

    words: set[str] = set()
    for name, signal_words in session.execute(select(Code.name, Code.signal_words)):
        for phrase in [name, *(signal_words or [])]:
            words.update(phrase.replace("-", " ").split())
    return {word for word in words if not may_name_someone(word)}


def queue_candidates(key: PseudonymKey, proposals: list[Proposal], where: str) -> list[Candidate]:
    """Put new proposals in the review queue, with where they were seen; returns the new ones."""
    new = []
    for proposal in proposals:
        existing = next((c for c in key.pending if c.text.casefold() == proposal.text.casefold()), None)
        context = f"{where}: …{proposal.context}…"
        if existing is None:
            existing = Candidate(proposal.text, [])
            # A name goes before the candidates that are words of it ("Ola Nordby" before "Ola"): accepting
            # the whole name decides its words, each standing alone as the name's pseudonym's word, where
            # "Ola" accepted first drew a pseudonym of its own and one person became two in the texts.
            words = proposal.text.casefold().split()
            part_at = next(
                (index for index, waiting in enumerate(key.pending)
                 if len(waiting.text.split()) < len(words) and _words_within(waiting.text.casefold().split(), words)),
                len(key.pending),
            )
            key.pending.insert(part_at, existing)
            new.append(existing)
        if context not in existing.contexts and len(existing.contexts) < 5:
            existing.contexts.append(context)
    return new


def doubtful_proposals(text: str, replacements: list[Replacement], key: PseudonymKey) -> list[Proposal]:
    """The names in `text` the key replaced though they may be someone else than the person it replaced them as,
    for the researcher to decide (dismissed, each is the key's person; accepted, a person of their own). Replacing
    them is the safe side, and stays; what was silent was whom they became:
    - a word of a double-barrelled name alone ("Berg" of "Hansen-Berg": "Lege Berg" is often another Berg);
    - a given name or surname alone that waits for review itself (seen where the person was not named otherwise,
      "hos Eng" with Liv Eng accepted: add_known_identifier left it in the queue), where the text names the person
      no other way; beside "Liv Eng", or "Liv", the text's "Eng" is hers, as a transcript names someone whole and
      then by one name, and a name alone that no one asked about is taken for the person's, as the key always has;
    - a word only spelt like a name the key holds ("Gunnvor" for "Gunvor");
    - a name of several words replaced as several people's ("Per Olav Ødegård" of three people's pseudonyms), or as
      one's with a word in doubt ("Anne-Grethe"), proposed whole."""
    from qualcode.anonymise.candidates import Proposal

    people = [r for r in replacements if r.entry is not None and r.entry.kind == "person"]
    # The words each person is named by in the text, whole or by a name of theirs alone.
    named_by: dict[int, set[str]] = {}
    for replaced in people:
        if replaced.doubt in ("", GIVEN, SURNAME):
            named_by.setdefault(id(replaced.entry), set()).add(_said(replaced))
    dismissed = {word.casefold() for word in key.dismissed} | {name for entry in key.entries for name in entry.same_person}
    waiting = {candidate.text.casefold() for candidate in key.pending}
    found: list[Proposal] = []

    def propose(name: str, start: int, end: int) -> None:
        if name.casefold() not in dismissed and key.entry_for(name) is None and all(name != made.text for made in found):
            found.append(Proposal(name, start, end, " ".join(text[max(0, start - 30):end + 30].split()), "person"))

    index = 0
    while index < len(people):
        run = [people[index]]
        # Words of one name: apart by a space or a hyphen only.
        while index + len(run) < len(people) and text[run[-1].end:people[index + len(run)].start] in (" ", "-"):
            run.append(people[index + len(run)])
        index += len(run)
        in_doubt = [r.doubt in (PIECE, SPELT_ALIKE) or (r.doubt in (GIVEN, SURNAME) and not named_by[id(r.entry)] - {_said(r)}
                                                         and _said(r) in waiting) for r in run]
        # A name of several words, each another person's, or one's with a word in doubt ("Anne-Grethe": "Anne" of
        # Anne-Grete Lie, "Grethe" spelt like her "Grete"), is proposed whole. Not one known person's given name
        # before the surname of another the text names ("Eva Birkeland" beside "Ola Birkeland": his kin, Eva).
        kin = not any(in_doubt) and sum(r.doubt != SURNAME for r in run) <= 1
        if (len({id(r.entry) for r in run}) > 1 and not kin) or (len(run) > 1 and any(r.doubt in (PIECE, SPELT_ALIKE) for r in run)):
            start, end = run[0].start, run[-1].end
            last = run[-1]
            end -= len(last.original) - len(last.named) if last.named and last.original.startswith(last.named) else 0
            propose(text[start:end], start, end)
            continue
        for replaced, doubtful in zip(run, in_doubt, strict=True):
            if doubtful:
                propose(replaced.named or replaced.original, replaced.start, replaced.start + len(replaced.named or replaced.original))
    return found


def _said(replaced: Replacement) -> str:
    """The name a replacement replaced, as the text writes it, casefolded."""
    return (replaced.named or replaced.original).casefold()


def doubt_note(key: PseudonymKey, text: str) -> str | None:
    """What the key does with `text` where it may be someone else than the person it replaces it as (doubtful_proposals),
    and how to decide: said beside it in the review queue and where an import holds a file back for it."""
    from qualcode.anonymise.known import KnownMatcher

    people = [match for match in KnownMatcher.of(key).find(text) if match.entry.kind == "person"]
    if not people:
        return None
    whose = list(dict.fromkeys(match.entry.original for match in people))
    if len(whose) > 1:
        why = f"its words those of {len(whose)} people in the key ({', '.join(repr(name) for name in whose)})"
        return (f"{text} is replaced as {_replaced(text, people)!r}, {why}: accept it as a person of its own if it is"
                " someone else, or dismiss it to leave each word replaced as theirs")
    if len(people) > 1 and any(match.doubt for match in people):
        why = f"as {whose[0]!r} (its words alone, or spelt alike)"
    elif len(people) == 1 and people[0].doubt:
        doubt = {SPELT_ALIKE: "spelt alike", GIVEN: "the given name alone", SURNAME: "the surname alone",
                 PIECE: "a word of the name alone"}[people[0].doubt]
        why = f"as {whose[0]!r} ({doubt})"
    else:
        return None
    return (f"{text} is replaced as {_replaced(text, people)!r}, {why}: accept it as a person of its own if it is someone"
            f" else, or dismiss it if it is {whose[0]}")


@dataclass(frozen=True)
class WaitingName:
    """A possible identifier waiting for review as the researcher is shown it: where it was seen and, for a name
    the key replaces meanwhile as someone it may not be, what it is replaced as and how to decide (doubt_note)."""

    text: str
    contexts: tuple[str, ...]
    note: str | None


def waiting_for_review(key: PseudonymKey) -> list[WaitingName]:
    """The review queue in its order, each with its note: what `anonymise pending`, its --json and the UI's review show."""
    return [WaitingName(candidate.text, tuple(candidate.contexts), doubt_note(key, candidate.text)) for candidate in key.pending]


def _replaced(text: str, matches: list[KnownMatch]) -> str:
    """`text` with each of `matches` (in order, apart) replaced."""
    for match in reversed(matches):
        text = text[:match.start] + match.replacement + text[match.end:]
    return text


def _words_within(part: list[str], whole: list[str]) -> bool:
    """Whether the words `part` stand in a row inside `whole`."""
    return any(whole[start:start + len(part)] == part for start in range(len(whole) - len(part) + 1))


def accept_candidate(key: PseudonymKey, text: str, kind: str, gender: str | None = None) -> KeyEntry:
    """A reviewed candidate becomes a known identifier, listed as seen in the file it was first queued from."""
    candidate = next((c for c in key.pending if c.text.casefold() == text.casefold()), None)
    if candidate is None:
        raise NotFound(f"{text!r} is not waiting for review", "list the queue with `qualcode anonymise pending`")
    # Each context is "WHERE: …words…" (queue_candidates); `key show` said "added by hand" for these.
    where = candidate.contexts[0].split(": …", 1)[0] if candidate.contexts else ""
    return add_known_identifier(key, text, kind, gender, first_seen=f"{where} (reviewed)" if where else "reviewed",
                                given_name=any(stands_as_a_given_name(text, context) for context in candidate.contexts))


# Words after which a name is a given name: "jeg heter Aga", "kall meg Aga", "kallenavnet mitt er Aga".
_GIVEN_NAME_BEFORE = re.compile(
    r"(?i:\b(?:heter|heiter|kall(?:e|a|er)? meg|kalles|kallast|(?:kalle|for)navn(?:et)?(?: mitt)?(?: er)?)[:,]? )$"
)


# Titles said before a surname ("rektor Hansen", "fru Berg"): a lone name after one is no given name.
_TITLE_BEFORE = re.compile(r"(?i:\b(?:rektor|lektor|adjunkt|professor|doktor|dr\.|fru|herr|frøken|frk\.|pastor) )$")


def stands_as_a_given_name(name: str, context: str) -> bool:
    """Whether a lone `name` stands in `context` (a review's "WHERE: …words…") where a given name does: after
    "heter" or "kall meg", first of a full name ("Aga Hansen"), or alone (a speaker's label, "Aga: Jeg …", but not one
    that reads as a surname, "Hansen: Ja": a label says a surname too, and drawn a given name it read "Sissel: Ja");
    not after a title, where a capitalised word after it is speech run on ("så sa rektor Hansen Jeg vet ikke")."""
    from qualcode.anonymise.pseudonyms import reads_as_a_surname

    words = context.split(": …", 1)[-1]
    for seen in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", words):
        before, after = words[:seen.start()], words[seen.end():]
        if _GIVEN_NAME_BEFORE.search(before) or (re.match(r" [A-ZÆØÅ][a-zæøå]", after) and not _TITLE_BEFORE.search(before)) \
                or (after.startswith(":") and re.search(r"(?:^|[.!?…] )$", before.lstrip("…")) and not reads_as_a_surname(name)):
            return True
    return False


def dismiss(key: PseudonymKey, text: str, not_a_name: bool = False) -> KeyEntry | None:
    """Not an identifier, for this whole project: never proposed again. Where the review waited for it as a name the
    key replaces as someone's (doubtful_proposals), it is that person's instead, kept with their entry
    (KeyEntry.same_person), which is returned; unless `not_a_name` says it is no name at all, which a word only
    spelt like one the key holds may be ("Nails" beside Nils): dismissed, it stays as written."""
    text = text.strip()
    if not text:
        raise InvalidInput("nothing to dismiss")
    folded = text.casefold()
    # A word the review still waits for is the reviewer's to decide. One the key holds is replaced all the
    # same: dismissing it said "dismissed" and left it replaced, as if a mistaken acceptance were taken back.
    waiting = any(candidate.text.casefold() == folded for candidate in key.pending)
    if not waiting and (held := held_as(key, text)) is not None:
        raise InvalidInput(
            f"{text!r} is in the key as a {held.kind} ({held.original!r}, replaced by {held.pseudonym!r}):"
            " dismissing it would not stop that; nothing dismissed",
            "dismiss decides only about words the key does not hold; `qualcode key show` lists what it holds",
        )
    # Not waiting, a word the key replaces only as spelt like a name it holds ("Gunnvor" of Gunvor) is hers too, as
    # the review asks: a dismissed word is no longer found so (KnownMatcher), and would stay as written.
    theirs = _replaced_as(key, text) if waiting or only_spelt_alike(key, text) else []
    if not_a_name:
        _refuse_not_kept_as_written(key, text)
        theirs = []
        for entry in key.entries:  # said to be someone's before, it is no one's now
            entry.same_person = [name for name in entry.same_person if name != folded]
    key.pending = [c for c in key.pending if c.text.casefold() != folded]
    for entry in theirs:
        if folded not in entry.same_person:
            entry.same_person.append(folded)
    if not theirs and folded not in {word.casefold() for word in key.dismissed}:
        key.dismissed.append(text)
    return theirs[0] if theirs else None


def _refuse_not_kept_as_written(key: PseudonymKey, text: str) -> None:
    """Refuse to call `text` no name where the key would replace a word of it all the same, so it would not stay as
    written: a name the key finds as written ("Haugen" of Kari Haugen, in "Haugen Bilpleie" too), or, in a phrase, a
    word only spelt like one, which only that word dismissed alone stops (KnownMatcher reads dismissed words, not
    phrases). "Haugen Bilpleie" dismissed as no name said "dismissed 1" and the texts read "Bøe Bilpleie"."""
    from qualcode.anonymise.known import KnownMatcher

    phrase = len(WORD.findall(text)) > 1
    for match in KnownMatcher.of(key).find(text):
        listed = any(match.entry is entry for entry in key.entries)
        whose = f"a name of {match.entry.original!r} as the key holds it" if listed else "a name of someone who withdrew"
        if match.doubt != SPELT_ALIKE:
            raise InvalidInput(
                f"{text!r} holds {match.text!r}, {whose}, replaced wherever it stands: dismissing it would not stop that;"
                " nothing dismissed",
                f"dismiss it without --not-a-name if it is no identifier (its {match.text!r} stays replaced), or accept it as"
                " an identifier of its own to replace it whole" if phrase else
                "dismiss it without --not-a-name if it is theirs, or accept it as a person of its own",
            )
        if phrase:
            raise InvalidInput(
                f"{text!r} holds {match.text!r}, replaced as spelt like {whose}: dismissing the phrase would not stop"
                " that; nothing dismissed",
                f"if {match.text!r} is no name either, dismiss it first: qualcode anonymise dismiss --not-a-name {shlex.quote(match.text)}",
            )


def only_spelt_alike(key: PseudonymKey, text: str) -> bool:
    """Whether the key replaces `text` only as spelt like a name it holds (a fuzzy match): it may be no name at all."""
    from qualcode.anonymise.known import KnownMatcher

    found = KnownMatcher.of(key).find(text)
    return bool(found) and all(match.doubt == SPELT_ALIKE for match in found)


def kept_as_theirs(word: str, entry: KeyEntry) -> str:
    """What a dismissed word the key replaces as someone's name (dismiss's entry) stays: that person's, in the texts."""
    return f"{word!r} stays replaced as a name of {entry.original!r} (pseudonym {entry.pseudonym!r}): dismissed, it is theirs"


def held_as(key: PseudonymKey, text: str) -> KeyEntry | None:
    """The entry `text` is, whole, as the key finds it written (its original, a name of it alone, in any case,
    with its particle joined by a hyphen or a space, "al-Khatib" or "Al Khatib", without marks or in look-alike
    letters); None for a word only spelt like one (that is the researcher's to decide) or none the key holds."""
    folded = text.casefold()
    held = next((entry for entry in key.entries if entry.original.casefold() == folded or folded in words_found_alone(entry)), None)
    if held is not None:
        return held
    from qualcode.anonymise.known import KnownMatcher

    words = list(WORD.finditer(text))
    found = KnownMatcher.of(key).find(text)
    if not words or len(found) != 1 or found[0].doubt == SPELT_ALIKE:
        return None
    match = found[0]
    whole = match.start <= words[0].start() and words[-1].end() <= match.end
    return match.entry if whole and any(match.entry is entry for entry in key.entries) else None


def _replaced_as(key: PseudonymKey, text: str) -> list[KeyEntry]:
    """The entries the key replaces `text`'s words as, where it replaces every word of it: a phrase that only holds
    a name ("Veilederen Kari", with Kari accepted) is dismissed as a phrase, which settles the words the name's
    replacement leaves of it; kept as Kari's same person, the next import held the file back for "Veilederen"."""
    from qualcode.anonymise.known import KnownMatcher

    found = [match for match in KnownMatcher.of(key).find(text) if any(match.entry is entry for entry in key.entries)]
    if not all(any(match.start <= word.start() and word.end() <= match.end for match in found) for word in WORD.finditer(text)):
        return []
    return [match.entry for match in found]


def ignored_words(key: PseudonymKey) -> set[str]:
    """Words never proposed again: dismissed ones, and originals, their parts and names said to be theirs (found anyway).

    Pseudonyms are not among them: a real name that shares a word with a drawn pseudonym
    ("Karen Nilsen") must still be proposed. What is already pseudonymised is known by the
    spans the import replaced, never by its words.
    """
    words = {word for word in key.dismissed}
    for entry in key.entries:
        words.add(entry.original)
        # A name in doubt said to be this person's ("Gunnvor" of Gunvor: dismiss): replaced as theirs, decided. A
        # file's front matter or a participants' file naming it was held back for it again after each dismissal.
        words.update(entry.same_person)
        # Only the words the key finds alone: a person's names, a NAV office's place. The words of an
        # employer ("Sandnes" in "Sandnes Sparebank"), an address, a postcode's place or an e-mail
        # said aloud are found only whole, so they are proposed still where they stand alone.
        words.update(words_found_alone(entry))
        # A particle of a person's name ("van", "bin", "de") is found only inside the name, and names no one alone.
        words.update(particles_of(entry))
    return words
