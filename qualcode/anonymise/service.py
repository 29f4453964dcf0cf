"""The researcher's side of anonymisation: the key's place, known identifiers, the review queue."""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.candidates import Proposal
from qualcode.anonymise.key import (
    KINDS,
    Candidate,
    KeyEntry,
    PseudonymKey,
    load_key,
    open_or_create_key,
    save_key,
)
from qualcode.anonymise.pseudonyms import PLACEHOLDERS, STYLES
from qualcode.anonymise.reapply import Reapplied, reapply_key
from qualcode.coding.coders import get_or_create_coder
from qualcode.errors import InvalidInput, KeyFileError, NotFound
from qualcode.store.models import Code
from qualcode.store.project import Project
from qualcode.store.settings import get_setting, set_setting

PASSPHRASE_ENV = "QUALCODE_KEY_PASSPHRASE"
KEY_ENV = "QUALCODE_KEY"
LIST_KINDS = ("person", "place", "nav_office", "employer", "school", "other")


def project_guid(session: Session) -> str:
    guid = get_setting(session, "project.guid")
    if guid is None:
        guid = str(uuid.uuid4())
        set_setting(session, "project.guid", guid)
    return guid


def default_key_path(session: Session, project_root: Path) -> Path:
    """Outside the project directory, in the user's own configuration, so copying a project never copies its key."""
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "qualcode" / "keys" / f"{project_root.name}-{project_guid(session)[:8]}.qckey"


def key_path(session: Session, project_root: Path, override: Path | None = None) -> Path:
    """The key file: --key, $QUALCODE_KEY, the project's setting, or the default place."""
    if override is not None:
        return override
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV])
    configured = get_setting(session, "key.path")
    if configured:
        return Path(configured)
    path = default_key_path(session, project_root)
    set_setting(session, "key.path", str(path))
    return path


@dataclass
class KeyAccess:
    """Where the key is and the passphrase that opens it; loads and saves the decrypted key."""

    path: Path
    passphrase: str
    project_guid: str

    def load(self) -> PseudonymKey:
        return open_or_create_key(self.path, self.passphrase, self.project_guid)

    def load_existing(self) -> PseudonymKey:
        key = load_key(self.path, self.passphrase)
        if key.project_guid != self.project_guid:
            raise KeyFileError(f"the key {self.path} belongs to another project", "pass the right --key PATH")
        return key

    def save(self, key: PseudonymKey) -> None:
        save_key(self.path, key, self.passphrase)

    @contextmanager
    def editing(self) -> Iterator[PseudonymKey]:
        """Lock the key against other commands, read it afresh, and save it if the block changed it.

        Every read-modify-write of the key goes through here, so two commands that change the
        key at once both keep their change. The block may also write to the project: what it
        writes is then consistent with the key it read.
        """
        with key_lock(self.path):
            key = self.load_existing()
            before = json.dumps(key.to_json(), sort_keys=True)
            yield key
            # Only a block that succeeds is kept, so a failure leaves the key as it was; a
            # caller that must keep something from a failed step catches the error inside.
            if json.dumps(key.to_json(), sort_keys=True) != before:
                self.save(key)


KEY_LOCK_TIMEOUT = 120.0  # seconds: long enough for another command's import of one large file
_locks: dict[Path, FileLock] = {}


@contextmanager
def key_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on the key file across processes (re-entrant within one process)."""
    path = path.resolve()
    lock = _locks.setdefault(path, FileLock(str(path) + ".lock", timeout=KEY_LOCK_TIMEOUT))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        lock.acquire()
    except Timeout:
        raise KeyFileError(
            f"the key {path.name} has been in use by another qualcode command for {KEY_LOCK_TIMEOUT:.0f} s",
            "wait for it to finish, then try again",
        ) from None
    try:
        yield
    finally:
        lock.release()


def locate_key(project: Project, override: Path | None = None) -> tuple[Path, str]:
    """The key file's path and the project's GUID, which the key must carry."""
    with project.begin() as session:
        return key_path(session, project.root, override), project_guid(session)


def save_and_reapply(project: Project, access: KeyAccess, key: PseudonymKey, coder_name: str | None) -> Reapplied:
    """Keep the key, then pseudonymise what is already stored with what the key now knows."""
    access.save(key)
    with project.begin() as session:
        coder = get_or_create_coder(session, coder_name) if coder_name else None
        result = reapply_key(session, key, coder)
    access.save(key)  # patterns met while re-applying are in the key too
    if result.transcripts or result.memos or result.events:
        project.purge()
    return result


def add_known_identifier(
    key: PseudonymKey, original: str, kind: str, gender: str | None = None, pseudonym: str | None = None
) -> KeyEntry:
    """Add one identifier the project knows (a person, a place, an office, an employer ...)."""
    original = " ".join(original.split())
    if not original:
        raise InvalidInput("the identifier is empty")
    if kind not in LIST_KINDS:
        raise InvalidInput(f"kind {kind!r} is not one of {', '.join(LIST_KINDS)}")
    if key.entry_for(original) is not None:
        raise InvalidInput(f"{original!r} is already in the key")
    return add_identifier(key, original, kind, gender, pseudonym or None, first_seen="added by hand")


def import_identifiers(key: PseudonymKey, path: Path) -> list[KeyEntry]:
    """Identifiers from a CSV with columns identifier, kind and optionally gender and pseudonym."""
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist")
    raw = path.read_text(encoding="utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(raw.splitlines()[0] if raw else ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(raw), dialect=dialect)
    columns = [column.strip().lower() for column in reader.fieldnames or []]
    if "identifier" not in columns or "kind" not in columns:
        raise InvalidInput(f"{path.name}: the first row must name the columns identifier and kind")
    reader.fieldnames = columns
    added = []
    for line, row in enumerate(reader, start=2):
        original = (row.get("identifier") or "").strip()
        if not original:
            raise InvalidInput(f"{path.name} line {line}: the identifier is empty")
        if key.entry_for(original) is not None:
            continue
        try:
            added.append(
                add_known_identifier(
                    key, original, (row.get("kind") or "").strip(), (row.get("gender") or "").strip() or None,
                    (row.get("pseudonym") or "").strip() or None,
                )
            )
        except InvalidInput as error:
            raise InvalidInput(f"{path.name} line {line}: {error.message}") from None
    return added


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
    """Words of the codebook's names and signal words, which are never identifiers."""
    words: set[str] = set()
    for name, signal_words in session.execute(select(Code.name, Code.signal_words)):
        for phrase in [name, *(signal_words or [])]:
            words.update(phrase.replace("-", " ").split())
    return words


def queue_candidates(key: PseudonymKey, proposals: list[Proposal], where: str) -> list[Candidate]:
    """Put new proposals in the review queue, with where they were seen; returns the new ones."""
    new = []
    for proposal in proposals:
        existing = next((c for c in key.pending if c.text.casefold() == proposal.text.casefold()), None)
        context = f"{where}: …{proposal.context}…"
        if existing is None:
            existing = Candidate(proposal.text, [])
            key.pending.append(existing)
            new.append(existing)
        if context not in existing.contexts and len(existing.contexts) < 5:
            existing.contexts.append(context)
    return new


def accept_candidate(key: PseudonymKey, text: str, kind: str, gender: str | None = None) -> KeyEntry:
    """A reviewed candidate becomes a known identifier."""
    if not any(c.text.casefold() == text.casefold() for c in key.pending):
        raise NotFound(f"{text!r} is not waiting for review", "list the queue with `qualcode anonymise pending`")
    return add_known_identifier(key, text, kind, gender)


def dismiss(key: PseudonymKey, text: str) -> None:
    """Not an identifier, for this whole project: never proposed again."""
    text = text.strip()
    if not text:
        raise InvalidInput("nothing to dismiss")
    if text.casefold() not in {word.casefold() for word in key.dismissed}:
        key.dismissed.append(text)
    key.pending = [c for c in key.pending if c.text.casefold() != text.casefold()]


def ignored_words(key: PseudonymKey) -> set[str]:
    """Everything candidates are checked against: originals, their parts, pseudonyms, dismissals."""
    words = {word for word in key.dismissed}
    for entry in key.entries:
        words.add(entry.original)
        words.update(entry.original.split())
        words.add(entry.pseudonym)
        words.update(entry.pseudonym.split())
    return words
