"""The few service calls the TUI makes, each in its own transaction, as the TUI's coder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import Session

from qualcode.anonymise.key import Candidate, PseudonymKey
from qualcode.anonymise.reapply import Reapplied
from qualcode.anonymise.service import (
    PASSPHRASE_ENV,
    KeyAccess,
    accept_candidate,
    dismiss,
    locate_key,
    save_and_reapply,
)
from qualcode.anonymise.typed_text import guard_typed_text
from qualcode.codebook.service import CodeView, create_code, list_codes, update_code
from qualcode.coding import history, service
from qualcode.coding.coders import get_or_create_coder, list_coders
from qualcode.coding.reader import (
    ReaderCoding,
    ReaderDocument,
    document_sentences,
    load_reader_document,
    reader_codings,
    recent_codes,
    sentence_at,
)
from qualcode.coding.transcripts import TranscriptView, describe_transcripts
from qualcode.errors import InvalidInput, KeyFileError
from qualcode.coding.passages import Quote, QuoteFilter, select_quotes
from qualcode.search.service import SearchFilters, SearchResult, search
from qualcode.store.project import Project
from qualcode.store.settings import get_setting, set_setting


class CodingService:
    """Opens one project and runs each action in a transaction that commits at once."""

    def __init__(
        self, root: Path, coder_name: str | None = None, coder_role: str | None = None, key_override: Path | None = None,
    ) -> None:
        self.project = Project.open(root)
        self.key_override = key_override  # --key, which the key's lookup honours like the CLI's
        self._passphrase: str | None = None
        self._typing_key: PseudonymKey | None = None  # the key, locked, while typed text is written
        guard_typed_text(self.project, lambda: self._typing_key)
        self.coder_name = coder_name or ""
        self._key: tuple[KeyAccess, PseudonymKey] | None = None  # open only while reviewing
        if coder_name:
            self.remember_coder(coder_role)

    def last_coder(self) -> tuple[str, str, list[str]]:
        """The coder who last used the UI on this project, their role, and every coder's name."""
        with self.project.begin() as session:
            coders = list_coders(session)
            name = get_setting(session, "tui.last_coder") or ""
        role = next((c.role for c in coders if c.name == name), "researcher")
        return name, role, [c.name for c in coders]

    def use_coder(self, name: str, role: str) -> None:
        self.coder_name = name
        self.remember_coder(role)

    def transcripts(self) -> list[TranscriptView]:
        with self.project.begin() as session:
            return describe_transcripts(session)

    def document(self, name: str) -> ReaderDocument:
        """Without sentences, so the reader draws at once; sentences() follows in a worker."""
        with self.project.begin() as session:
            return load_reader_document(session, name)

    @staticmethod
    def sentences(document: ReaderDocument) -> tuple[tuple[int, int], ...]:
        return document_sentences(document.text, document.turns)

    def codes(self) -> list[CodeView]:
        with self.project.begin() as session:
            return list_codes(session)

    def recent(self) -> list[str]:
        """The coder's recently used codes, newest first (none before the coder is known)."""
        if not self.coder_name:
            return []
        with self.project.begin() as session:
            return recent_codes(session, get_or_create_coder(session, self.coder_name))

    def codings(self, transcript: str) -> tuple[ReaderCoding, ...]:
        with self.project.begin() as session:
            return reader_codings(session, transcript)

    def add_coding(self, transcript: str, code_path: str, span: tuple[int, int]) -> str:
        with self.project.begin() as session:
            coder = get_or_create_coder(session, self.coder_name)
            view = service.add_coding(session, transcript, code_path, coder, start=span[0], end=span[1])
            return f"{view.code_path} on line {view.line}"

    def remove_coding(self, coding_id: int) -> str:
        with self.project.begin() as session:
            return service.remove_coding(session, coding_id, get_or_create_coder(session, self.coder_name)).code_path

    def recode(self, coding_id: int, code_path: str) -> str:
        with self.project.begin() as session:
            return service.recode_coding(session, coding_id, code_path, get_or_create_coder(session, self.coder_name)).code_path

    @contextmanager
    def _typed(self) -> Iterator[Session]:
        """A transaction that stores what the researcher typed, pseudonymised with the key first."""
        passphrase = os.environ.get(PASSPHRASE_ENV) or self._passphrase
        if not passphrase:
            raise KeyFileError(
                "memos and definitions are pseudonymised with the key, and its passphrase was not given",
                "open the identifier review once (it asks for it), or start the UI with QUALCODE_KEY_PASSPHRASE set",
            )
        place = locate_key(self.project, self.key_override)
        access = KeyAccess(place.path, passphrase, place.project_guid, place.fingerprint, self.project, place.revision)
        with access.editing() as key:
            self._typing_key = key
            try:
                with self.project.begin() as session:
                    yield session
            finally:
                self._typing_key = None

    def set_memo(self, coding_id: int, text: str) -> str:
        with self._typed() as session:
            return service.set_coding_memo(session, coding_id, text, get_or_create_coder(session, self.coder_name)).code_path

    def edit_transcript(self, name: str, values: dict[str, str]) -> str:
        """Correct a transcript's metadata from the overview's form; `participants` is a comma-separated list."""
        from qualcode.importers.metadata_edit import edit_transcript

        fields = dict(values)
        listed = fields.pop("participants", None)
        participants = [p.strip() for p in listed.split(",")] if listed is not None else None
        with self._typed() as session:
            edit = edit_transcript(
                session, name, get_or_create_coder(session, self.coder_name), participants=participants, **fields
            )
        return ", ".join(change.field for change in edit.changes) or "nothing changed"

    def undo(self) -> str:
        with self.project.begin() as session:
            return history.undo(session, get_or_create_coder(session, self.coder_name)).summary

    def redo(self) -> str:
        with self.project.begin() as session:
            return history.redo(session, get_or_create_coder(session, self.coder_name)).summary

    def segments(self, code_path: str) -> list[Quote]:
        """Every live passage coded with the code or its sub-codes, with attribution details."""
        with self.project.begin() as session:
            quotes, _ = select_quotes(session, QuoteFilter(codes=(code_path,)))
            return quotes

    def search(self, query: str) -> SearchResult:
        with self.project.begin() as session:
            return search(session, query, SearchFilters(), limit=200)

    def code_sentence_at(self, transcript: str, offset: int, code_path: str) -> str:
        """Code the sentence holding `offset`."""
        with self.project.begin() as session:
            span = sentence_at(load_reader_document(session, transcript), offset)
            if span is None:
                raise InvalidInput("the hit is not inside a sentence of a turn")
            coder = get_or_create_coder(session, self.coder_name)
            view = service.add_coding(session, transcript, code_path, coder, start=span[0], end=span[1])
            return f"coded {view.code_path} on {transcript} line {view.line}"

    def remember_coder(self, role: str | None) -> None:
        with self.project.begin() as session:
            get_or_create_coder(session, self.coder_name, role)
            set_setting(session, "tui.last_coder", self.coder_name)

    def create_code(self, path: str) -> str:
        with self._typed() as session:
            return create_code(session, path, {}, get_or_create_coder(session, self.coder_name)).path

    def update_definition(self, path: str, definition: str) -> str:
        with self._typed() as session:
            update_code(session, path, {"definition": definition}, get_or_create_coder(session, self.coder_name))
            return path

    # --- the review queue of possible identifiers (needs the key's passphrase) ---------------
    def key_exists(self) -> bool:
        return locate_key(self.project, self.key_override).path.is_file()

    def open_key(self, passphrase: str) -> list[Candidate]:
        """Decrypt the key (KeyFileError on a wrong passphrase) and return what waits for review."""
        place = locate_key(self.project, self.key_override)
        access = KeyAccess(place.path, passphrase, place.project_guid, place.fingerprint, self.project, place.revision)
        self._key = (access, access.load_existing())
        self._passphrase = passphrase  # memos written later are pseudonymised with the same key
        return list(self._key[1].pending)

    def decide(self, text: str, kind: str | None, gender: str | None = None) -> list[Candidate]:
        """Accept `text` as an identifier of `kind`, or dismiss it (kind None); kept at once."""
        if self._key is None:
            raise InvalidInput("the key is not open", "open the review again")
        access = self._key[0]
        with access.editing() as key:  # read afresh under the lock: another command may have changed it
            if kind is None:
                dismiss(key, text)
            else:
                accept_candidate(key, text, kind, gender)
        self._key = (access, key)
        return list(key.pending)

    def close_key(self) -> Reapplied | None:
        """Apply what was decided to the stored texts, then forget the decrypted key."""
        if self._key is None:
            return None
        access = self._key[0]
        self._key = None
        with access.editing() as key:
            return save_and_reapply(self.project, access, key, self.coder_name or None)

    def close(self) -> None:
        self._key = None
        self.project.close()
