"""The pseudonym key: original -> pseudonym, kept apart from the project in an encrypted file.

The file is JSON holding a scrypt salt and a Fernet token (AES-128-CBC with HMAC-SHA256, from
the `cryptography` package); it is created with owner-only permissions and replaced atomically,
so a crash never leaves half a key.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from qualcode.errors import InvalidInput, KeyFileError

KINDS = ("person", "place", "nav_office", "employer", "school", "other", "fnr", "phone", "email", "address", "postcode", "birth_date")
FORMAT = "qualcode-key"
SCRYPT_N = 2**15  # about 0.1 s per unlock on the 2-core machine: slow for guessing, quick for people


@dataclass
class KeyEntry:
    """One original identifier and what replaces it."""

    original: str
    kind: str
    pseudonym: str
    gender: str | None = None
    first_seen: str | None = None
    seen_in: list[str] = field(default_factory=list)


@dataclass
class Candidate:
    """A word spaCy proposed as a possible identifier, waiting for the researcher's decision."""

    text: str
    contexts: list[str] = field(default_factory=list)


@dataclass
class PseudonymKey:
    """The decrypted key: entries, dismissed words, and candidates waiting for review."""

    project_guid: str
    entries: list[KeyEntry] = field(default_factory=list)
    dismissed: list[str] = field(default_factory=list)
    pending: list[Candidate] = field(default_factory=list)
    styles: dict[str, str] = field(default_factory=dict)

    def entry_for(self, original: str) -> KeyEntry | None:
        wanted = original.casefold()
        return next((entry for entry in self.entries if entry.original.casefold() == wanted), None)

    def add(self, entry: KeyEntry) -> KeyEntry:
        existing = self.entry_for(entry.original)
        if existing is not None:
            return existing
        if entry.kind not in KINDS:
            raise InvalidInput(f"identifier kind {entry.kind!r} is not one of {', '.join(KINDS)}")
        self.entries.append(entry)
        self.pending = [c for c in self.pending if c.text.casefold() != entry.original.casefold()]
        return entry

    def to_json(self) -> dict[str, Any]:
        return {
            "project_guid": self.project_guid,
            "entries": [asdict(entry) for entry in self.entries],
            "dismissed": self.dismissed,
            "pending": [asdict(candidate) for candidate in self.pending],
            "styles": self.styles,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PseudonymKey:
        return cls(
            project_guid=data["project_guid"],
            entries=[KeyEntry(**entry) for entry in data.get("entries", [])],
            dismissed=list(data.get("dismissed", [])),
            pending=[Candidate(**candidate) for candidate in data.get("pending", [])],
            styles=dict(data.get("styles", {})),
        )


def _fernet(passphrase: str, salt: bytes, n: int) -> Fernet:
    if not passphrase:
        raise KeyFileError("the key passphrase is empty", "set QUALCODE_KEY_PASSPHRASE or type it at the prompt")
    derived = Scrypt(salt=salt, length=32, n=n, r=8, p=1).derive(passphrase.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


def load_key(path: Path, passphrase: str) -> PseudonymKey:
    """Decrypt the key; a wrong passphrase or a damaged file is a clear error."""
    if not path.is_file():
        raise KeyFileError(f"no key file at {path}", "create it by importing, or pass --key PATH")
    try:
        envelope = json.loads(path.read_text(encoding="utf-8"))
        if envelope.get("format") != FORMAT:
            raise ValueError("not a qualcode key")
        salt = base64.b64decode(envelope["salt"])
        token = envelope["token"].encode("ascii")
        n = int(envelope.get("n", SCRYPT_N))
    except (ValueError, KeyError, UnicodeDecodeError):
        raise KeyFileError(f"{path} is not a qualcode key file") from None
    try:
        plain = _fernet(passphrase, salt, n).decrypt(token)
    except InvalidToken:
        raise KeyFileError(f"wrong passphrase for the key {path}", "nothing was changed; try again") from None
    return PseudonymKey.from_json(json.loads(plain))


def save_key(path: Path, key: PseudonymKey, passphrase: str, *, n: int = SCRYPT_N) -> None:
    """Encrypt and write the key atomically, readable by its owner only."""
    salt = os.urandom(16)
    token = _fernet(passphrase, salt, n).encrypt(json.dumps(key.to_json(), ensure_ascii=False).encode("utf-8"))
    envelope = {"format": FORMAT, "version": 1, "kdf": "scrypt", "n": n, "salt": base64.b64encode(salt).decode(), "token": token.decode()}
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(envelope, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o600)
    temporary.replace(path)


def open_or_create_key(path: Path, passphrase: str, project_guid: str) -> PseudonymKey:
    """The project's key, created empty (and written) on first use."""
    if path.exists():
        key = load_key(path, passphrase)
        if key.project_guid != project_guid:
            raise KeyFileError(f"the key {path} belongs to another project", "pass the right --key PATH")
        return key
    key = PseudonymKey(project_guid=project_guid)
    save_key(path, key, passphrase)
    return key


def destroy_key(path: Path) -> None:
    """Overwrite and delete the key file at the end of a project."""
    if not path.is_file():
        raise KeyFileError(f"no key file at {path}")
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.write(os.urandom(size))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
