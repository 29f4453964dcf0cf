"""The pseudonym key: original -> pseudonym, kept apart from the project in an encrypted file.

The file is JSON holding a scrypt salt and a Fernet token (AES-128-CBC with HMAC-SHA256, from
the `cryptography` package); it is created with owner-only permissions and replaced atomically,
so a crash never leaves half a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import stat
import threading
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from qualcode.errors import InvalidInput, KeyFileError, KeyMissing, PassphraseRefused
from qualcode.text.normalise import visible
from qualcode.text.tokens import WORD

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

KINDS = (
    "person", "place", "nav_office", "employer", "school", "other", "fnr", "phone", "email", "address", "postcode", "birth_date",
    "account", "plate", "profile", "case_number",
)
FORMAT = "qualcode-key"
SCRYPT_N = 2**15  # about 0.1 s per unlock on the 2-core machine: slow for guessing, quick for people
# The shortest new passphrase taken. A copy of the key file that leaves its owner-only place (a
# backup, a memory stick) is guarded by its passphrase alone. At SCRYPT_N a core tries about ten a
# second: all five lower-case letters in two weeks on one core (hours on a hundred), all eight in
# centuries. Eight is also NIST SP 800-63B's minimum for a secret a person chooses; like NIST, no
# rules of character classes, which make passphrases harder to remember, not to guess. Only new
# passphrases are checked: a key made with a shorter one before still opens, and `qualcode key
# passphrase` replaces that one.
MIN_PASSPHRASE_LENGTH = 8


@dataclass
class KeyEntry:
    """One original identifier and what replaces it."""

    original: str
    kind: str
    pseudonym: str
    gender: str | None = None
    first_seen: str | None = None
    seen_in: list[str] = field(default_factory=list)
    participant: str | None = None  # the participant this identifier names, if it is theirs
    # Its words that are no everyday word, casefolded: found written in lower case too, as a hasty
    # transcriber writes "fatima" (known.rare_words; a capitalised name is otherwise found capitalised).
    # None in a key made before this was kept: filled as the key next learns a name (apply.fill_rare_words).
    lower_words: list[str] | None = None
    # The rule that found them (known.LOWER_WORDS_RULE): words an earlier rule found are found again.
    lower_words_rule: int = 0
    # How its pseudonym came: DRAWN_FROM_KEY (from the key's secret) or CHOSEN (typed by someone); "" in a key
    # saved before this was kept, when every pseudonym not chosen was drawn from the project's GUID.
    drawn: str = ""
    # A lone name that stands where a given name stands ("kall meg Aga"): drawn a given name though the
    # lists of surnames hold it (pseudonyms._draws), in a redraw too.
    given_name: bool = False
    # Names the researcher said are this person where the key was in doubt (service.doubtful_proposals: "Berg" of
    # "Hansen-Berg" alone, "Gunnvor" spelt like "Gunvor"), casefolded: never proposed again while the entry is kept.
    # Kept here, not as dismissed words: taken out of the key with the entry, such a word is proposed again, where a
    # dismissed one would have been stored as written, neither replaced nor asked about.
    same_person: list[str] = field(default_factory=list)


DRAWN_FROM_KEY = "key"
CHOSEN = "chosen"


@dataclass
class Renamed:
    """A pseudonym redrawn because it turned out to be a real name, waiting to be rewritten in
    the transcripts that already use it."""

    old: str
    new: str
    transcripts: list[str]


@dataclass
class DeniedEntry:
    """A withdrawn person's identifier, kept only as salted digests of its words: it can still be
    found and replaced by a placeholder, but never read back."""

    words: list[str]  # one digest per casefolded word
    kind: str


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
    denied: list[DeniedEntry] = field(default_factory=list)
    renamed: list[Renamed] = field(default_factory=list)
    # A withdrawn participant's pseudonyms (never an original), by their participant id casefolded: a
    # restore of a backup from before they withdrew takes them out of the researchers' texts again.
    withdrawn_names: dict[str, list[str]] = field(default_factory=dict)
    # Reviewers a name of whom the key replaces by a placeholder (an e-mail address, "(e-post)"), by the digest of
    # that name: the name the project keeps them under (names.reviewer_named; two whose digits meet are told apart
    # only here), or knew them by under a key before this one (names.known_again).
    reviewers: dict[str, str] = field(default_factory=dict)
    # The key's secret, never in the project: the digests of a withdrawn person's words and names, of a
    # reviewer's address, and the draw of each pseudonym are keyed by it, so none can be tested without the key.
    deny_salt: str = field(default_factory=lambda: new_secret())
    # Whether `deny_salt` was made as the key was read (one saved before keys kept a secret): kept only once the
    # key is saved with it, so the reader saves it at once (KeyAccess.load_existing), as it gives an id.
    secret_made: bool = field(default=False, compare=False, repr=False)
    # The key file's own id, kept in its envelope; the project remembers it to know its key.
    key_id: str | None = field(default=None, compare=False)
    # Counts the saves of the key file; the project remembers the last, so an older copy shows.
    revision: int = field(default=0, compare=False)

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
            "denied": [asdict(entry) for entry in self.denied],
            "renamed": [asdict(renaming) for renaming in self.renamed],
            "withdrawn_names": self.withdrawn_names,
            "reviewers": self.reviewers,
            "deny_salt": self.deny_salt,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PseudonymKey:
        key = cls(
            project_guid=data["project_guid"],
            entries=[_known(KeyEntry, entry) for entry in data.get("entries", [])],
            dismissed=list(data.get("dismissed", [])),
            pending=[_known(Candidate, candidate) for candidate in data.get("pending", [])],
            styles=dict(data.get("styles", {})),
            denied=[_known(DeniedEntry, entry) for entry in data.get("denied", [])],
            renamed=[_known(Renamed, renaming) for renaming in data.get("renamed", [])],
            withdrawn_names={str(who): [str(name) for name in names] for who, names in dict(data.get("withdrawn_names", {})).items()},
            reviewers={str(digest): str(name) for digest, name in dict(data.get("reviewers", {})).items()},
            deny_salt=str(data.get("deny_salt") or new_secret()),
        )
        key.secret_made = not data.get("deny_salt")
        return key

    def transcripts_renamed(self, renamed: Mapping[str, str]) -> None:
        """Name transcripts (and files) by the names a rewrite gave them (old name to new) wherever the key
        names them: where each identifier was seen, which a withdrawal reads to know one as a participant's
        alone (a stale name kept their telephone number in clear), where it was first seen, and the
        transcripts a redrawn pseudonym waits to be rewritten in."""
        if not renamed:
            return
        for entry in self.entries:
            entry.seen_in = list(dict.fromkeys(renamed.get(name, name) for name in entry.seen_in))
            entry.first_seen = _renamed_place(entry.first_seen, renamed)
        for renaming in self.renamed:
            renaming.transcripts = list(dict.fromkeys(renamed.get(name, name) for name in renaming.transcripts))

    def digest(self, word: str) -> str:
        """The salted digest a denied entry keeps of one word."""
        return hmac.new(bytes.fromhex(self.deny_salt), word.casefold().encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def withdrawn(self, identifier: str) -> bool:
        """Whether `identifier` is, word for word in any case, one a withdrawal turned into digests (a form
        of it: a person's whole name, or one of their names)."""
        digests = [self.digest(word) for word in WORD.findall(visible(identifier))]
        return bool(digests) and any(denied.words == digests for denied in self.denied)

    def deny(self, entry: KeyEntry, words: list[str]) -> None:
        """Replace an entry by digests of its word sequences (`words`: each a form of the identifier)."""
        self.entries = [other for other in self.entries if other is not entry]
        for form in words:
            digests = [self.digest(word) for word in form.split()]
            if digests and not any(d.words == digests for d in self.denied):
                self.denied.append(DeniedEntry(digests, entry.kind))


def _renamed_place(first_seen: str | None, renamed: Mapping[str, str]) -> str | None:
    """Where an identifier was first seen ("NAME:LINE", "NAME (reviewed)"), by the name NAME has now."""
    if not first_seen:
        return first_seen
    place, colon, line = first_seen.rpartition(":")
    if colon and line.isdigit() and place in renamed:
        return f"{renamed[place]}:{line}"
    reviewed = " (reviewed)"
    if first_seen.endswith(reviewed) and first_seen[:-len(reviewed)] in renamed:
        return renamed[first_seen[:-len(reviewed)]] + reviewed
    return first_seen


def _fernet(passphrase: str, salt: bytes, n: int) -> Fernet:
    from cryptography.fernet import Fernet  # here, so commands that need no key start quicker

    if not passphrase:
        raise KeyFileError("the key passphrase is empty", "set QUALCODE_KEY_PASSPHRASE or type it at the prompt")
    return Fernet(_derive(passphrase, salt, n))


class _Derivation:
    """One scrypt derivation begun on a thread of its own. scrypt lets go of Python's lock while it
    works, so on a machine with two cores it runs beside the command's loading and opening of the
    project, and the command finds it done when it reads the key."""

    def __init__(self, passphrase: str, salt: bytes, n: int) -> None:
        self._arguments = (passphrase, salt, n)
        self._derived: bytes | None = None
        self._thread = threading.Thread(target=self._run, name="qualcode-key-derivation", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._derived = _scrypt(*self._arguments)
        except Exception:  # noqa: BLE001 - whoever waits for it derives again, and meets the error there
            self._derived = None

    def result(self) -> bytes:
        self.wait()
        return self._derived if self._derived is not None else _scrypt(*self._arguments)

    def wait(self) -> None:
        self._thread.join()

    def finished(self) -> bytes | None:
        """Once the thread has ended: what it derived, or None if it failed."""
        return None if self._thread.is_alive() else self._derived


# Each passphrase, salt and cost derived in this process (or being derived), newest last.
_derived: dict[tuple[str, bytes, int], _Derivation | bytes] = {}
_derived_lock = threading.Lock()
_DERIVED_KEPT = 8  # a few keys a session may open; a wrong passphrase typed again and again is not kept without end


def _finish_before_fork() -> None:
    """A fork waits for the derivations in flight (0.1 s at the most): a thread inside OpenSSL at
    the fork could leave the child one of its locks held for ever, and the child keeps the result."""
    for known in list(_derived.values()):
        if isinstance(known, _Derivation):
            known.wait()


def _settle_in_child() -> None:
    """A forked process starts with the lock free (another thread may have held it at the fork),
    and with what its parent's threads derived, not with the threads, which it has not."""
    global _derived_lock
    _derived_lock = threading.Lock()
    for arguments, known in list(_derived.items()):
        if isinstance(known, _Derivation):
            derived = known.finished()
            if derived is None:
                del _derived[arguments]
            else:
                _derived[arguments] = derived


os.register_at_fork(before=_finish_before_fork, after_in_child=_settle_in_child)


def derive_ahead(path: Path, passphrase: str | None) -> None:
    """Begin deriving the key at `path` from `passphrase` for a command that will read it soon, so
    the slow step runs while the command does its other work. Whatever is amiss (no passphrase, no
    key file, a damaged one) is left for the command's own reading of the key to report."""
    if not passphrase:
        return
    try:
        envelope = read_envelope(path)
    except KeyFileError:
        return
    arguments = (passphrase, envelope.salt, envelope.n)
    with _derived_lock:
        if arguments not in _derived:
            try:
                _keep(arguments, _Derivation(*arguments))
            except RuntimeError:  # no thread to be had (a limit on processes): the reading derives it
                return


def _derive(passphrase: str, salt: bytes, n: int) -> bytes:
    """scrypt once per process for a given passphrase and key file's salt: the slow step, on purpose."""
    arguments = (passphrase, salt, n)
    with _derived_lock:
        known = _derived.get(arguments)
    derived = known.result() if isinstance(known, _Derivation) else known if known is not None else _scrypt(*arguments)
    with _derived_lock:
        _keep(arguments, derived)
    return derived


def _keep(arguments: tuple[str, bytes, int], known: _Derivation | bytes) -> None:
    """Under the lock: remember `known`, dropping the oldest beyond _DERIVED_KEPT."""
    _derived.pop(arguments, None)
    _derived[arguments] = known
    while len(_derived) > _DERIVED_KEPT:
        del _derived[next(iter(_derived))]


def _scrypt(passphrase: str, salt: bytes, n: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return base64.urlsafe_b64encode(Scrypt(salt=salt, length=32, n=n, r=8, p=1).derive(passphrase.encode("utf-8")))


@dataclass(frozen=True)
class Envelope:
    """The unencrypted part of a key file: how to derive the key, and the key's own id."""

    salt: bytes
    n: int
    token: bytes
    key_id: str | None
    revision: int


def read_envelope(path: Path) -> Envelope:
    """The key file's outer JSON, checked field by field, so a damaged or tampered file is one clear error."""
    if not path.is_file():
        raise KeyMissing(f"no key file at {path}", "pass the right --key PATH, or restore the key from your backup")
    damaged = KeyFileError(f"{path} is not a qualcode key file, or it is damaged", "restore the key from your backup")
    try:
        envelope = json.loads(path.read_text(encoding="utf-8"))
    except PermissionError:
        # Called damaged, it sent the researcher to put an older backup over a key that is whole.
        raise KeyFileError(f"could not read the key {path}: permission denied",
                           "make it readable to you (chmod u+r), or run the command as its owner; the key is not damaged") from None
    except (ValueError, UnicodeDecodeError, OSError):
        raise damaged from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT or envelope.get("kdf", "scrypt") != "scrypt":
        raise damaged
    version = envelope.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise damaged
    if version > 1:  # a later layout this code cannot know the meaning of: never guessed at
        raise KeyFileError(f"the key {path} was written by a newer qualcode (key format {version})", "update qualcode, then try again")
    salt, token, n, key_id = envelope.get("salt"), envelope.get("token"), envelope.get("n", SCRYPT_N), envelope.get("key_id")
    if not isinstance(salt, str) or not isinstance(token, str) or not isinstance(n, int) or isinstance(n, bool):
        raise damaged
    # scrypt needs a power of two; a tiny n would make guessing the passphrase cheap.
    if n < 2**14 or n > 2**20 or n & (n - 1):
        raise damaged
    if key_id is not None and not isinstance(key_id, str):
        raise damaged
    revision = envelope.get("revision", 0)
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 0:
        raise damaged
    try:
        salt_bytes = base64.b64decode(salt, validate=True)
        token_bytes = token.encode("ascii")
    except (binascii.Error, ValueError):
        raise damaged from None
    if len(salt_bytes) < 16 or not _whole_fernet_token(token_bytes):
        raise damaged
    return Envelope(salt_bytes, n, token_bytes, key_id, revision)


def _whole_fernet_token(token: bytes) -> bool:
    """Whether the token has Fernet's shape (version byte, time, IV, whole cipher blocks, HMAC),
    so a key cut short is called damaged rather than its passphrase wrong."""
    try:
        raw = base64.urlsafe_b64decode(token)
    except (binascii.Error, ValueError):
        return False
    return len(raw) >= 57 + 16 and raw[0] == 0x80 and (len(raw) - 57) % 16 == 0


def load_key(path: Path, passphrase: str) -> PseudonymKey:
    """Decrypt the key; a wrong passphrase or a damaged file is a clear error."""
    from cryptography.fernet import InvalidToken

    envelope = read_envelope(path)
    plain = None
    # As typed first; then composed and decomposed, which look the same and are other bytes: "blåbær" set
    # on one keyboard and typed on another, or pasted from a file an editor decomposed, opens its key.
    # Then without the spaces around it, which a key is saved without (a key saved with them before
    # opens as typed).
    for written in dict.fromkeys(
        written for given in (passphrase, passphrase.strip())
        for written in (given, unicodedata.normalize("NFC", given), unicodedata.normalize("NFD", given))
    ):
        try:
            plain = _fernet(written, envelope.salt, envelope.n).decrypt(envelope.token)
            break
        except InvalidToken:
            continue
    if plain is None:
        # A file changed inside its token fails exactly as a wrong passphrase does (the token's
        # HMAC does not hold): nothing tells the two apart, so the refusal names both.
        raise PassphraseRefused(
            f"wrong passphrase for the key {path}, or the key file is damaged",
            "nothing was changed; try the passphrase again, and if it is right, the key file is damaged:"
            " restore it from your backup of the key",
        ) from None
    try:
        key = PseudonymKey.from_json(json.loads(plain))
    except (ValueError, TypeError, KeyError, AttributeError):
        raise KeyFileError(f"{path} decrypts, but what it holds is not a qualcode key", "restore the key from your backup") from None
    key.key_id = envelope.key_id
    key.revision = envelope.revision
    return key


def check_new_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too short to be set on a key (`init`, `key new`, `key passphrase`)."""
    # Spaces around it are not counted: they add nothing a guesser would not try.
    if len(passphrase.strip()) < MIN_PASSPHRASE_LENGTH:
        raise InvalidInput(
            f"the new passphrase is shorter than {MIN_PASSPHRASE_LENGTH} characters",
            "choose a longer one: a few unrelated words are easy to remember and hard to guess",
        )


def new_secret() -> str:
    """A key's secret (`PseudonymKey.deny_salt`): 16 random bytes, as hex. One function, so the tests can
    make each test's draws the same in every run (tests/conftest.py, `fixed_draws`)."""
    return os.urandom(16).hex()


def new_salt() -> bytes:
    """The scrypt salt of a new key file: random, so no two keys' derivations can be guessed at once."""
    return os.urandom(16)


def save_key(path: Path, key: PseudonymKey, passphrase: str, *, n: int | None = None, fresh_salt: bool = False) -> None:
    """Encrypt and write the key atomically, readable by its owner only.

    The file's salt and cost are kept from one save to the next, so the slow derivation runs once
    per process; Fernet draws a fresh IV for every token. A new file costs `n`, else SCRYPT_N as
    it stands when the key is saved. `fresh_salt` draws a new salt (for a new passphrase, so
    nothing derived for the old one, here or anywhere, helps with the new) and keeps the cost.
    """
    # A key reached through a link (into an encrypted volume, say) is saved where the link leads: renamed
    # over the link, the new key became a file beside it and the one it led to a stale copy.
    path = path.resolve() if path.is_symlink() else path
    if path.is_file() and not path.stat().st_mode & stat.S_IWUSR:
        raise KeyFileError(f"the key {path} is read-only, so what the key learned cannot be saved; nothing was changed",
                           "make it writable (chmod u+w) and run the command again")
    salt, n = new_salt(), SCRYPT_N if n is None else n
    if path.is_file():
        try:
            previous = read_envelope(path)
            salt, n = salt if fresh_salt else previous.salt, previous.n
            key.revision = max(key.revision, previous.revision)
        except KeyFileError:
            pass
    # Saved with every entry's lower-case words found by the rule in force: a key an earlier rule
    # filled would have them found anew in every command that reads it (wordfreq's load, 0.5 s).
    from qualcode.anonymise.apply import fill_rare_words  # here: apply imports this module

    fill_rare_words(key)
    key.revision += 1
    key.secret_made = False  # kept now
    if key.key_id is None:
        key.key_id = str(uuid.uuid4())
    # Without the spaces around it, which are not counted in its length either: a passphrase set as
    # a line ending in a space (from a script) and typed without it on a terminal opened nothing.
    token = _fernet(passphrase.strip(), salt, n).encrypt(json.dumps(key.to_json(), ensure_ascii=False).encode("utf-8"))
    envelope = {
        "format": FORMAT, "version": 1, "kdf": "scrypt", "n": n, "salt": base64.b64encode(salt).decode(),
        "key_id": key.key_id, "revision": key.revision, "token": token.decode(),
    }
    import tempfile  # here: only saving needs it, and every command that reads the key imports this module

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise _not_saved(path, error) from None
    temporary = Path(temporary_name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(envelope, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _not_saved(path, error) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _not_saved(path: Path, error: OSError) -> KeyFileError:
    """A key that could not be written, said of the key's own folder: "the disk is full" alone sent the
    researcher to the project's disk, and said nothing of what was not learned."""
    return KeyFileError(f"the key could not be saved in {path.parent} ({error.strerror or error}); it is as it was, and"
                        " what it was to learn was not learned", "free space there, or make it writable, and run the command again")


def destroy_key(path: Path) -> None:
    """Overwrite and delete the key file at the end of a project."""
    if not path.is_file():
        raise KeyMissing(f"no key file at {path}")
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.write(os.urandom(size))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


_Record = TypeVar("_Record")


def _known(record: type[_Record], saved: dict[str, Any]) -> _Record:
    """`record` from what a key file saved of it, the fields a later qualcode added left out: a key
    saved by a newer version (with `lower_words_rule`, say) opened in an older one was refused as
    "not a qualcode key", which a team on two versions of qualcode could not share."""
    names = {field.name for field in fields(record)}  # type: ignore[arg-type]
    return record(**{name: value for name, value in saved.items() if name in names})
