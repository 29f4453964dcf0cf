"""The application both faces call: one open project, the person working in it, and their key.

The CLI and the TUI each make one `Workspace` from a `Config` and call it; neither resolves the
project, the coder or the key on its own. Methods that do one thing for the TUI run it in their
own transaction, which commits at once (a crash loses at most the keystroke in flight).
"""

from __future__ import annotations

import getpass
import json
import re
import shlex
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from qualcode.anonymise.pending import WITHDRAWAL_PURGE_PENDING
from qualcode.config import Config
from qualcode.errors import (
    Gone,
    ImportFailed,
    InvalidInput,
    KeyFileError,
    KeyMissing,
    NotFound,
    PassphraseRefused,
    ProjectError,
    QualcodeError,
    TranscriptGone,
    UndecidedNames,
    WriteFailed,
)
from qualcode.store.project import (
    PROJECT_DIR,
    TYPED_CHECK,
    TYPING_KEY,
    Project,
    find_project_root,
    refuse_project_there,
)
from qualcode.text.counts import counted

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qualcode.analysis.cooccurrence import Cooccurrence
    from qualcode.analysis.framework import FrameworkCell, FrameworkMatrix
    from qualcode.analysis.matrix import Matrix
    from qualcode.analysis.tables import Table
    from qualcode.anonymise.candidates import Proposal
    from qualcode.anonymise.key import PseudonymKey, Renamed
    from qualcode.anonymise.reapply import Reapplied
    from qualcode.anonymise.remove import Removal
    from qualcode.anonymise.service import KeyAccess, KeyPlace, WaitingName
    from qualcode.anonymise.withdraw import Withdrawal
    from qualcode.codebook.model import Codebook
    from qualcode.codebook.service import CodebookChanges, CodeView
    from qualcode.coding.anchoring import OrphanedCoding
    from qualcode.coding.consensus import Disagreement
    from qualcode.coding.memos import MemoView
    from qualcode.coding.passages import Quote, QuoteFilter
    from qualcode.coding.reader import ReaderCoding, ReaderDocument
    from qualcode.coding.reshape import Reshaped
    from qualcode.coding.service import CodingView
    from qualcode.coding.transcripts import ParticipantView, TranscriptView
    from qualcode.exchange.project_import import QdpxImport
    from qualcode.exporters.review import ReviewImport
    from qualcode.exporters.service import (
        ExportResult as ExportResult,  # what an export says it wrote, for the faces
    )
    from qualcode.importers.metadata import ParticipantImport
    from qualcode.importers.service import ImportOptions
    from qualcode.search.service import SearchResult
    from qualcode.store.backups import BackupInfo, RestoreResult
    from qualcode.store.events import LogMark
    from qualcode.store.models import Coder
    from qualcode.store.project import AsStored, Purged
    from qualcode.store.withdrawals import Withdrawn


def _report_analysis(
    session: Session, selection: QuoteFilter, matrices: Sequence[str], figures: bool, language: str,
) -> tuple[tuple[Table, ...], Cooccurrence | None]:
    """A report's --matrix tables, in its language, and with --figures the co-occurrence of overlapping passages."""
    from qualcode.analysis.matrix import code_matrix, matrix_table

    tables = tuple(
        matrix_table(code_matrix(session, selection, [name.strip() for name in by.split(",")]), language=language, beside_quotes=True)
        for by in matrices
    )
    if not figures:
        return tables, None
    from qualcode.analysis.cooccurrence import Within, cooccurrence

    return tables, cooccurrence(session, selection, Within("overlap"))


def attribute_items(listed: str) -> list[str]:
    """"barn=ja, utdanning=videregående, fagbrev" as its NAME=VALUE items: a comma parts two only where a
    NAME= follows it, so a value may hold commas (the command line takes one, and a form showing it
    refused every later edit as "'fagbrev' is not NAME=VALUE")."""
    return [item.strip() for item in _NEXT_ATTRIBUTE.split(listed) if item.strip()]


_NEXT_ATTRIBUTE = re.compile(r",(?=[^,=]*=)")


def attribute_pairs(listed: str) -> dict[str, str]:
    """A form's attributes ("barn=ja, bydel=") by name, as the command line's --attribute gives them; an empty value removes one."""
    pairs: dict[str, str] = {}
    for item in attribute_items(listed):
        name, equals, given = item.partition("=")
        if not equals or not name.strip():
            raise InvalidInput(f"{item.strip()!r} is not NAME=VALUE",
                               "as barn=ja, separated by commas (an attribute's name holds no comma)")
        pairs[name.strip()] = given.strip()
    return pairs


AskPassphrase = Callable[[str, bool], str]  # (prompt, new) -> passphrase; the face asks its own way
Report = Callable[[str], None]  # a note for the person, about work done on their behalf


def project_root(config: Config, *, lost: bool = False) -> Path:
    """The project's directory: the one configured, else found from the current directory (with
    `lost`, one whose database is gone but whose backups are there: to list and restore them)."""
    return (config.project if config.project is not None else find_project_root(Path.cwd(), lost=lost)).resolve()


def project_backups(config: Config) -> list[BackupInfo]:
    """The project's backups, newest first, listed without opening it (it may be damaged)."""
    from qualcode.store.backups import list_backups

    return list_backups(project_root(config, lost=True) / PROJECT_DIR / "backups")


def _silent(_message: str) -> None:
    """Where a face has nobody to tell (the TUI before it draws)."""


def restore_project(
    config: Config, chosen: Path, *, before_withdrawal: bool = False, ask_passphrase: AskPassphrase | None = None,
    report: Report = _silent,
) -> RestoreResult:
    """Put a backup back in place, rewritten with the key as it is now (it may predate names the key
    learned since), keeping the state it replaces as a backup, and log that it happened; those who
    withdrew since the backup was taken are withdrawn again at once, each said in `report`."""
    from qualcode.anonymise.restore import restore_with_key
    from qualcode.store.events import EventKind, record_event

    def passphrase(key: Path) -> str:
        if config.passphrase:
            return config.passphrase
        if ask_passphrase is None:
            raise PassphraseRefused(
                "the key's passphrase was not given; a restore re-applies the key, so no name it learned since the backup comes back",
                "set QUALCODE_KEY_PASSPHRASE",
            )
        return ask_passphrase(f"Passphrase for the key {key.name}", False)

    # Imports and rewrites by the key write with the key locked; the restore holds it too, so it
    # waits for them and nothing they commit is lost between the state kept before and the restore.
    result = restore_with_key(
        project_root(config, lost=True), chosen, key_path=config.key, config_home=config.config_home, passphrase=passphrase,
        before_withdrawal=before_withdrawal,
    )
    # The restore is logged before the withdrawals it calls for, which opening the project does.
    with Workspace.open(config, ask_passphrase=ask_passphrase, report=report, finishing=False) as workspace:
        with workspace.begin() as session:
            record_event(
                session, kind=EventKind.PROJECT_RESTORE, coder=workspace.coder(session),
                summary=f"restored the project from backup {result.restored.name}"
                + (f"; the state before is in {result.saved.name}" if result.saved else ""),
            )
        workspace._finish_interrupted(report)
    return result


@dataclass
class KeyChange:
    """The key while it is being changed; after the block, what the change rewrote in the project."""

    key: PseudonymKey
    reapplied: Reapplied | None = None


@dataclass(frozen=True)
class RenamedCode:
    """A code renamed: its path before and after, and what the researcher should know of the new
    name (it looks as the old one did; it is another code's shortcut key), one sentence each."""

    before: str
    after: str
    notes: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return f"renamed {self.before} to {self.after}"


@dataclass(frozen=True)
class Changes:
    """What a look at the event log found: where it ends now, and whether anyone else (another
    command, a colleague's session) recorded a change since the last look."""

    mark: LogMark | None
    elsewhere: bool


class Workspace:
    """One open project with its configuration, coder and key."""

    def __init__(
        self, project: Project, config: Config, ask_passphrase: AskPassphrase | None = None, report: Report = _silent,
    ) -> None:
        from qualcode.text.sentences import use_trained_model

        self.project = project
        # Where what a lookup chose beyond what was typed is said (a placeholder's every identifier), once each.
        self.report = report
        self._reported: set[str] = set()
        self.config = config
        self.coder_name = config.coder
        # Blind: only this coder's own codings are shown or counted; settled when the coder is known (use_coder).
        self.blind = False
        self._ask_passphrase = ask_passphrase
        self._passphrase = config.passphrase
        self._typing_key: PseudonymKey | None = None  # the key, locked, while typed text is written
        self._settling_removal = False  # while a pending removal is finished or taken back: its own locks settle nothing
        # The key as lookups last read it, and the state of its file then: read again only when that changes.
        self._looked_up_key: tuple[tuple[object, ...], PseudonymKey] | None = None
        self._lookup_lock = threading.Lock()
        if not project.read_only:  # a read-only project stores nothing, so reading commands skip the guard
            from qualcode.anonymise.typed_text import guard_typed_text

            guard_typed_text(project, lambda: self._typing_key)
        # A name typed to find a code, a transcript or a value is also looked for as stored, with the key
        # if it is at hand without asking: reading commands too, and outside a typed transaction.
        project.look_up_typed_text_with(self.looked_up, lambda text: self.looked_up(text, folded=True), self._found_as_stored)
        use_trained_model(config.spacy_model)

    # --- opening and closing -----------------------------------------------------------------
    @classmethod
    def open(
        cls, config: Config, *, read_only: bool = False, ask_passphrase: AskPassphrase | None = None,
        report: Report = _silent, keeps: bool = False, finishing: bool = True,
    ) -> Workspace:
        """The project named in `config` (else found from the current directory), with any
        rewrite of stored texts that a crash interrupted finished before anything is read.

        `keeps` with `read_only`: writable after all when the project can be written, so what a
        reading command finds once is kept for the next (a text's sentences, coding/sentences.py).
        `finishing` False leaves interrupted work to the caller (a restore logs itself first)."""
        from qualcode.anonymise.pending import interrupted_work
        from qualcode.store.faults import why_not_writable
        from qualcode.store.project import DATABASE_FILE
        from qualcode.store.settings import project_guid

        root = project_root(config)
        if read_only and keeps and why_not_writable(root / PROJECT_DIR / DATABASE_FILE) is None:
            read_only = False
        project = Project.open(root, read_only=read_only)
        try:
            if read_only and interrupted_work(project):
                # Interrupted work is finished before anything is read, and finishing it writes.
                project.close()
                project = Project.open(root)
            if not project.read_only:
                with project.begin() as session:
                    project_guid(session)  # projects made before every project had one get it here
            workspace = cls(project, config, ask_passphrase, report)
            if finishing:
                workspace._finish_interrupted(report)
            workspace._settle_blind()
        except BaseException:
            project.close()
            raise
        return workspace

    @classmethod
    def create(
        cls, directory: Path, config: Config, *, codebook: Codebook | None, name: str | None = None,
        ask_passphrase: AskPassphrase | None = None, report: Report = _silent,
    ) -> Workspace:
        """A new project in `directory` with `codebook` loaded and its key made outside it; a
        failure at any step leaves no half-made project behind."""
        from qualcode.anonymise.key import check_new_passphrase
        from qualcode.anonymise.service import (
            create_key,
            default_key_folder,
            refuse_key_inside,
            refuse_new_key_place,
        )
        from qualcode.codebook.service import apply_codebook
        from qualcode.store.events import EventKind, record_event
        from qualcode.store.new_folders import MadeHere, refuse_unmakeable
        from qualcode.store.settings import project_guid, set_setting

        # Had and checked before anything is made, so a refused passphrase leaves nothing behind.
        if config.passphrase:
            passphrase = config.passphrase
        elif ask_passphrase is not None:
            passphrase = ask_passphrase("New passphrase for the pseudonym key", True)
        else:
            raise PassphraseRefused("the new key's passphrase was not given", "set QUALCODE_KEY_PASSPHRASE")
        check_new_passphrase(passphrase)
        refuse_project_there(directory.resolve())  # first: a lost database's backups are told of before all else
        if config.key is not None:  # the default place is checked as the key is made
            refuse_key_inside(directory, config.key)
            refuse_new_key_place(config.key.expanduser())
        # What cannot be made is refused before anything is: a key found there only after the project was made left
        # its folder behind, and a file in the folder's place or on its path was a traceback.
        for folder in (directory, directory / PROJECT_DIR):
            refuse_unmakeable(folder, "the project folder", "choose another folder for the project")
        key_folder = config.key.expanduser().parent if config.key is not None else default_key_folder(config.config_home)
        refuse_unmakeable(key_folder, "the key's folder", "choose another place for the key with --key PATH")
        made = MadeHere(directory, directory / PROJECT_DIR, key_folder)
        key_path = config.key.expanduser() if config.key is not None else None
        # A project inside another: which one a command opens then depends on the folder it runs in.
        from qualcode.store.project import DATABASE_FILE

        outer = next((parent for parent in directory.resolve().parents if (parent / PROJECT_DIR / DATABASE_FILE).is_file()), None)
        if outer is not None:
            report(f"warning: {directory} is inside the project at {outer}: commands run in {directory} or below open the new one,"
                   f" those run elsewhere in {outer} that one (`--project PATH` names one)")
        try:
            project = Project.create(directory)
            try:
                with project.begin() as session:
                    project_guid(session)
                    set_setting(session, "project.name", name or project.root.name)
                    record_event(session, kind=EventKind.PROJECT_CREATE, summary=f"created project {project.root.name}")
                    if codebook is not None:
                        changes = apply_codebook(session, codebook)
                        report(f"loaded codebook {codebook.name!r} ({len(changes.created)} codes)")
                workspace = cls(project, config, ask_passphrase, report)
                place = workspace.key_place()
                key_path = place.path
                create_key(project, place.path, passphrase)
            except BaseException:
                project.close()
                raise
        except BaseException:
            # Exactly what this command made: never the folder or anything in it that was there before, never
            # another key made meanwhile in the keys' folder, and never a key file once written (it may be another's).
            made.undo(directory / PROJECT_DIR, *([Path(f"{key_path.resolve()}.lock")] if key_path is not None and not key_path.exists() else []))
            raise
        report(f"the pseudonym key is at {place.path}, outside the project; keep a backup of it and its passphrase")
        return workspace

    def close(self) -> None:
        self.project.close()

    def backup(self) -> Path:
        """A verified copy of the project database, taken now."""
        from qualcode.store.backups import MANUAL

        return self.project.backup(MANUAL)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    @property
    def root(self) -> Path:
        return self.project.root

    # --- transactions ------------------------------------------------------------------------
    @contextmanager
    def begin(self) -> Iterator[Session]:
        """One transaction, committed when the block succeeds."""
        with self._told_blind(), self.project.begin() as session:
            yield session

    @contextmanager
    def _told_blind(self) -> Iterator[None]:
        """A refusal as a blind coder is told it: a coding it names by id ("coding 12 was removed") is
        named by its handle (told), read once the transaction that refused is over."""
        try:
            yield
        except QualcodeError as error:
            from qualcode.coding.handles import names_codings

            if self.blind and names_codings(f"{error.message} {error.hint}"):
                try:
                    with self.project.begin() as session:
                        error.message, error.hint = self.told(session, error.message), error.hint and self.told(session, error.hint)
                    error.args = (error.message, *error.args[1:])
                except QualcodeError:  # the project cannot be read now (busy, damaged): the refusal is said as it was
                    pass
            raise

    @contextmanager
    def trying(self) -> Iterator[Session]:
        """One transaction, always rolled back: a dry run's."""
        with self.project.trying() as session:
            yield session

    @contextmanager
    def typed(self) -> Iterator[Session]:
        """A transaction that stores what a person typed (memos, definitions, titles): every such
        text is pseudonymised with the key, locked for the block, before it is written. Without
        the key such work is refused: a name typed then would be stored as typed."""
        from qualcode.importers.pseudonymise import refuse_undecided_prose

        access = self.key_access()
        with self._told_blind(), access.editing() as key:
            self._typing_key = key
            try:
                with self.project.begin() as session:
                    session.info[TYPING_KEY] = key  # for services that check typed text as import would
                    session.info[TYPED_CHECK] = lambda flushing: refuse_undecided_prose(flushing, key)
                    yield session
            except UndecidedNames as refused:
                # Nothing typed is stored, but the names it was refused for wait in the review, the
                # UI's too, as an import's do: the key keeps them, and nothing else the block taught it.
                access.keep_queued(key, refused.proposals, "typed text")
                raise
            finally:
                self._typing_key = None

    # --- who is working ----------------------------------------------------------------------
    def coder(self, session: Session, *, commenting: bool = False) -> Coder:
        """The coder: --coder or $QUALCODE_CODER, else the project's default coder, else the login name. A
        reviewer is refused, unless `commenting`: a review import that made them one from their own comments, and
        their undo or redo, which steps only such an import of theirs (history.undo)."""
        from qualcode.coding.coders import refuse_consensus_name, refuse_reviewer

        name = self._runner_name(session)
        refuse_consensus_name(name, "code under your own name (--coder), and decide with `qualcode consensus decide`")
        coder = self.coder_named(session, name)
        if not commenting:
            refuse_reviewer(coder)
        self._say_stored_as(name, coder.name)
        if self.coder_name:  # as stored, pseudonymised if the key holds it: blind mode filters by it
            self.coder_name = coder.name
        return coder

    def _say_stored_as(self, typed: str, stored: str) -> None:
        """Say, once, that a coder's name the key holds is recorded as its pseudonym: "Håkon Stein" coded as
        "Magne Tveit", and nothing said so. Not a name the project holds in another case or spacing ("leser a")."""
        if " ".join(typed.split()).casefold() == " ".join(stored.split()).casefold():
            return
        said = (f"coder {typed.strip()!r} is a name in the key: recorded as its pseudonym {stored!r}"
                f" (give --coder {stored!r} to go without this note)")
        if said not in self._reported:
            self._reported.add(said)
            self.report(f"note: {said}")

    def _runner_name(self, session: Session) -> str:
        """Who runs this, as named: --coder or $QUALCODE_CODER, else the project's default coder,
        else the login name."""
        from qualcode.coding.coders import default_coder_name

        return self.coder_name if self.coder_name is not None else default_coder_name(session) or getpass.getuser()

    def coder_named(self, session: Session, name: str, role: str | None = None, *, by: Coder | None = None) -> Coder:
        """The coder of that name, made on first use (in `role`, recorded as added by `by`, else by
        themselves) with the name pseudonymised as typed text is: a researcher's own name may be
        in the key (an interviewer named in the texts), and a coder stored under it would have
        every export refused. A coder the project holds keeps their stored role. The key is read
        only for a name the project does not hold as typed (a new coder, or one whose name the key
        has since learned), and only when it is at hand without asking: the UI starts before
        anyone gives the passphrase. A name stored as typed then is cleaned when the key next
        changes (reapply)."""
        from qualcode.coding.coders import get_or_create_coder

        return get_or_create_coder(session, self._name_to_store(session, name), role, by=by)

    def _name_to_store(self, session: Session, name: str) -> str:
        """A coder's name as the project holds it, else as a new coder's would be stored."""
        from sqlalchemy import select

        from qualcode.anonymise.typed_text import clean_text, refuse_undecided
        from qualcode.store.models import Coder
        from qualcode.text.normalise import check_one_line

        stored = session.scalar(select(Coder.name).where(Coder.name == name.strip()))
        if stored is not None:
            return stored
        # A new name is refused as any value typed for a list is, not cleaned unseen ("Ka\u200bri" made "Kari").
        check_one_line("coder's name", name.strip(), len(name.strip()))
        key = self._key_at_hand()
        if key is not None:
            name = clean_text(name.strip(), key)
            refuse_undecided(name, key, what="coder's name", then="then give the name again")
        return name

    def add_coder(self, session: Session, name: str, role: str | None) -> tuple[Coder, bool]:
        """`name` as a coder, and whether they were new: a new coder is made in `role` (a
        researcher unless given), recorded as added by whoever runs this (--coder,
        $QUALCODE_CODER, the project's default, the login), or by themselves where that is who
        they are. A coder the project holds is left as they are: a different `role` is refused,
        since only `qualcode coder role` changes one."""
        named, coder = self._held_coder(session, name)
        added = coder is None
        if coder is None:
            coder = self.coder_named(session, named, role, by=self._added_by(session, named))
        if role is not None and role != coder.role:  # held already, or made by another process at this moment
            raise InvalidInput(
                f"{coder.name} is a {coder.role} in this project already, not a {role}",
                f"change their role with `qualcode coder role {shlex.quote(coder.name)} {role}`",
            )
        return coder, added

    def held_coder(self, session: Session, name: str) -> Coder:
        """The coder `name` is, found as `coder add` and --coder find them (as stored, in another
        case, under the pseudonym the key gives the name); none is made."""
        _, coder = self._held_coder(session, name)
        if coder is None:
            raise NotFound(f"no coder {' '.join(name.split())!r} in this project",
                           "list them with `qualcode coder list`; add one with `qualcode coder add`")
        return coder

    def _held_coder(self, session: Session, name: str) -> tuple[str, Coder | None]:
        """`name` as a coder's is stored, and the coder the project holds under it, if any. The name
        the team's decisions are coded under is refused: it is no coder's to add or give a role."""
        from qualcode.coding.coders import refuse_consensus_name, stored_coder, stored_form

        refuse_consensus_name(name)
        named = stored_form(session, self._name_to_store(session, name))
        refuse_consensus_name(named)
        return named, stored_coder(session, named) if named else None

    def _added_by(self, session: Session, name: str, *, commenting: bool = False) -> Coder | None:
        """Who a coder new to the project, `name`, is recorded as added by: whoever runs this
        (--coder, $QUALCODE_CODER, the project's default, the login), or None where that is who
        they are, as they add themselves."""
        from qualcode.coding.coders import stored_form

        runner = self._runner_name(session)
        themselves = stored_form(session, self._name_to_store(session, runner)).casefold() == stored_form(session, name).casefold()
        return None if themselves else self.coder(session, commenting=commenting)

    def stored_coder_names(self, session: Session, names: Sequence[str]) -> list[str]:
        """Coders' names as the project stores them: as typed, in another case where only one coder
        has it so (as --coder finds them), or, for a name the key has learned since (a coder named
        in the texts), as the key writes it; none is made."""
        from qualcode.coding.coders import stored_coder

        found = [coder.name if (coder := stored_coder(session, name.strip())) is not None else None for name in names]
        return [hit or self.typed_as_stored(name.strip()) for name, hit in zip(names, found, strict=True)]

    def _settle_blind(self) -> None:
        """Whether the coder codes blind (their role's setting, `qualcode coder blind`, or --blind):
        then every face shows and counts only their own codings, the command line as the UI, so a
        report's "coded blind" holds. A coder the project does not hold yet has coded nothing. A name
        two coders hold in other cases is refused here, naming both, where either of them (or --blind)
        would code blind: a command that only reads showed it everyone's codings; otherwise it is
        refused where the coder is needed (Workspace.coder)."""
        from sqlalchemy import select

        from qualcode.coding.coders import blind_roles, codes_blind, refuse_look_alike
        from qualcode.errors import Ambiguous
        from qualcode.store.models import Coder

        with self.project.begin() as session:
            name = self._runner_name(session)
            try:
                [stored] = self.stored_coder_names(session, [name]) if name.strip() else [""]
            except Ambiguous:
                folded, blind = name.strip().casefold(), blind_roles(session)
                if self.config.blind or any(coder.role in blind for coder in session.scalars(select(Coder))
                                            if coder.name.casefold() == folded):
                    raise
                return
            coder = session.scalar(select(Coder).where(Coder.name == stored))
            if coder is None and stored:  # refused here too, or a command that only reads would show it everyone's codings
                refuse_look_alike(session, stored)
            if coder is not None and codes_blind(session, coder, self.config.blind):
                self.coder_name, self.blind = coder.name, True

    def coder_shown(self, session: Session, named: str | None) -> str | None:
        """Whose codings a listing may show: the one `named` (None: everyone's), or, for a blind
        coder, their own, another's refused."""
        if not self.blind:
            return named
        if named is not None and self.stored_coder_names(session, [named]) != [self.coder_name]:
            self.refuse_if_blind(f"listing {named}'s work")
        return self.coder_name

    def seen_coding(self, session: Session, ref: str) -> str:
        """`ref`, a coding a command acts on, for a blind coder only if it is their own: another's
        (the team's decisions too) is not there for them, so a refusal does not tell whose it is or where."""
        if not self.blind:
            return ref
        from qualcode.coding.service import find_coding

        try:
            coder_name = find_coding(session, ref).coder.name
        except NotFound:
            coder_name = None  # said as another's is: a different hint would tell which numbers are others' codings
        if coder_name != self.coder_name:
            raise NotFound(f"no coding {ref}", "list yours with `qualcode coding list`")
        return ref

    def coding_shown(self, coding: CodingView | OrphanedCoding) -> str:
        """How a coding is named to whoever runs this: its id, or to a blind coder its handle, as ids
        count every coder's codings (coding/handles.py). Commands take either."""
        from qualcode.coding.handles import coding_handle

        return coding_handle(coding.guid) if self.blind else str(coding.id)

    def memo_shown(self, memo: MemoView) -> str:
        """How a memo is named to whoever runs this: its id, or to a blind coder its handle, as ids count
        every coder's memos (coding/handles.py); a coding's own memo is named as its coding is. Commands take either."""
        from qualcode.coding.handles import coding_handle, memo_handle

        if not self.blind:
            return str(memo.id)
        return coding_handle(memo.guid) if memo.ref.startswith("coding ") else memo_handle(memo.guid)

    def memos_told(self, session: Session, memos: Iterable[MemoView]) -> list[MemoView]:
        """`memos` as whoever runs this is told them: to a blind coder, what each is on and how it is
        named (its `ref`) by handles (told)."""
        return [replace(memo, attached_to=self.told(session, memo.attached_to), ref=self.told(session, memo.ref)) for memo in memos]

    def codings_shown(self, ids: Iterable[int]) -> dict[int, str]:
        """How each coding of `ids` is named to whoever runs this (coding_shown): by id, or to a blind
        coder those of theirs by their handles."""
        ids = list(ids)
        if not self.blind or not self.coder_name or not ids:
            return {coding_id: str(coding_id) for coding_id in ids}
        from qualcode.coding.handles import handles_of

        with self.begin() as session:
            return {coding_id: str(coding_id) for coding_id in ids} | handles_of(session, ids, self.coder_name)

    def told(self, session: Session, text: str) -> str:
        """`text` (a summary, a message) as whoever runs this is told it: to a blind coder, each coding it
        names by id, and each memo they may see, is named by its handle (coding_shown, memo_shown)."""
        if not self.blind:
            return text
        from qualcode.coding.handles import with_handles

        return with_handles(session, text, self.coder_name) if self.coder_name else text

    def refuse_if_blind(self, what: str, hint: str | None = None) -> None:
        """Refused for a blind coder: `what` would show or count others' codings; `hint`, what to do instead."""
        if self.blind:
            raise InvalidInput(
                f"{what} shows others' codings, which blind coding hides from {self.coder_name}",
                hint or ("start qualcode tui --no-blind" if self.config.blind else
                         "ask whoever leads the study to end the blind phase (`qualcode coder blind off --role ROLE`)"),
            )

    def typed_as_stored(self, text: str, *, folded: bool = False) -> str:
        """`text` typed to name something stored (a code, a transcript, a value), as the project stores
        typed text: the names the key holds replaced by their pseudonyms, with the key if it is at hand
        without asking; as typed without it. Nothing is refused: it is only looked for. What every
        lookup tries after the text as typed (store.project.typed_as_stored), and what a screen
        matches against the codes it lists."""
        return self.looked_up(text, folded=folded).text

    def looked_up(self, text: str, *, folded: bool = False) -> AsStored:
        """typed_as_stored(), with what the key replaced in `text`, and which of that is stored as a
        placeholder that stands for every identifier of its kind (a screen's filter says so)."""
        from qualcode.store.project import AsStored

        if not text:
            return AsStored(text)
        with self._lookup_lock:  # the key read once is shared by the UI's workers
            key = self._key_at_hand()
            if key is None:
                return AsStored(text)
            from qualcode.anonymise.typed_text import looked_up

            return looked_up(text, key, folded=folded)

    def _found_as_stored(self, found: AsStored) -> None:
        """Say, once, that a lookup found by a placeholder what every identifier of its kind is stored as."""
        said = found.placeholder_note()
        if said is not None and said not in self._reported:
            self._reported.add(said)
            self.report(f"note: {said}")

    def _key_at_hand(self) -> PseudonymKey | None:
        """The key if it can be had without asking for the passphrase, else None. Read once, and again
        only when its file (a save replaces it) or what the project knows of it changes: decrypting it
        and making its matcher again was most of a lookup's time (60 ms with 300 names in the key)."""
        if self._typing_key is not None:
            return self._typing_key
        if not (self._passphrase or self.config.passphrase):
            return None
        try:
            place = self.key_place()
            held = place.path.stat()
        except OSError:
            return None
        state = (place.path, held.st_ino, held.st_size, held.st_mtime_ns, held.st_ctime_ns, place.revision, place.fingerprint)
        if self._looked_up_key is not None and self._looked_up_key[0] == state:
            return self._looked_up_key[1]
        try:
            key = self.read_key()
        except KeyFileError:
            return None
        self._looked_up_key = (state, key)
        return key

    def use_coder(self, name: str, role: str | None) -> str:
        """From now on `name` codes here, remembered as the UI's last coder; their role as stored is
        returned. A coder new to the project is made in `role`; one it holds keeps theirs."""
        from qualcode.coding.coders import codes_blind, refuse_reviewer
        from qualcode.store.settings import set_setting

        with self.begin() as session:
            coder = self.coder_named(session, name, role)
            refuse_reviewer(coder)  # the start screen or --coder: a reviewer's name is no way to code as them
            self._say_stored_as(name, coder.name)
            set_setting(session, "tui.last_coder", coder.name)
            blind = codes_blind(session, coder, self.config.blind)
            stored_role = coder.role
        # The name as stored, which is pseudonymised if the key holds it: blind mode filters by it.
        self.coder_name, self.blind = coder.name, blind
        return stored_role

    def _mine(self) -> tuple[str, ...]:
        """The coders whose codings may be shown: the coder alone when blind, else everyone (empty)."""
        return (self.coder_name,) if self.blind and self.coder_name else ()

    def _only_mine(self, selection: QuoteFilter) -> QuoteFilter:
        return replace(selection, coders=self._mine(), blind=True) if self._mine() else selection

    def mine(self) -> tuple[str, ...]:
        """Whose codings may be shown and counted: the coder alone when blind, else everyone (empty)."""
        return self._mine()

    def only_mine(self, session: Session, selection: QuoteFilter) -> QuoteFilter:
        """A selection as this coder may see it: for a blind coder their own codings, another coder
        named (--coder) refused; its names as the project stores them (a name the key holds as its
        pseudonym: coding.passages.stored_selection), so what is described names no one."""
        from qualcode.coding.passages import stored_selection

        selection = stored_selection(session, selection)
        if self.blind and any(self.stored_coder_names(session, [name]) != [self.coder_name] for name in selection.coders):
            self.refuse_if_blind(f"selecting {', '.join(selection.coders)}'s codings")
        return self._only_mine(selection)

    def last_coder(self) -> tuple[str, dict[str, str]]:
        """The coder who last used the UI on this project, and every coder's role by name."""
        from qualcode.coding.coders import list_coders
        from qualcode.store.settings import get_setting

        with self.begin() as session:
            coders = list_coders(session)
            name = get_setting(session, "tui.last_coder") or ""
        return name, {c.name: c.role for c in coders}

    # --- the key -----------------------------------------------------------------------------
    def key_place(self) -> KeyPlace:
        from qualcode.anonymise.service import locate_key

        return locate_key(self.project, self.config.key, self.config.config_home)

    def passphrase(self, prompt: str, *, new: bool = False) -> str:
        """The key's passphrase: from the configuration, given earlier in this session, or asked for."""
        if self._passphrase and not new:
            return self._passphrase
        if new and self.config.passphrase:
            return self.config.passphrase
        if self._ask_passphrase is None:
            raise PassphraseRefused(
                "the key's passphrase was not given",
                "set QUALCODE_KEY_PASSPHRASE, or in the terminal UI open the identifier review once (it asks for it)",
            )
        given = self._ask_passphrase(prompt, new)
        if not new:
            self._passphrase = given
        return given

    def remember_passphrase(self, passphrase: str) -> None:
        self._passphrase = passphrase

    def key_access(self) -> KeyAccess:
        """The project's key (never created here); a missing or destroyed key is refused."""
        from qualcode.anonymise.service import KeyAccess, refuse_key_folder

        place = self.key_place()
        if not place.path.exists():
            if place.destroyed:
                raise KeyFileError(
                    f"this project's key was destroyed on {place.destroyed[:10]}",
                    "what needs a key (imports, identifiers, memos) needs a new one: `qualcode key new`",
                )
            raise KeyMissing(
                f"this project's key is not at {place.path}",
                "pass the right --key PATH or restore the key from your backup; only if it is lost for good, `qualcode key new --lost` makes a new, empty one",
            )
        refuse_key_folder(place.path)  # said before a passphrase is asked for, which could open nothing
        passphrase = self.passphrase(f"Passphrase for the key {place.path.name}")
        return KeyAccess(place.path, passphrase, place.project_guid, place.fingerprint, self.project, place.revision,
                         settle=self._settle_removal)

    def _settle_removal(self) -> None:
        """Under the key's lock, before anything reads the key to change it: a removal an `identifiers remove` killed
        or stopped before it saved the key left pending is finished first (_finish_removal). A session opened before
        the kill (the terminal UI in another terminal) finished nothing when it opened, and its next change to the
        key rewrote the texts with the key that still held the name: the word put back became the pseudonym again."""
        if not self._settling_removal:
            self._finish_removal(self.report)

    def read_key(self) -> PseudonymKey:
        return self.key_access().load_existing()

    @contextmanager
    def changing_key(self) -> Iterator[KeyChange]:
        """Lock and read the key; when the block succeeds, save it and pseudonymise what is
        already stored with what the key now knows, still under the lock, so no import slips in."""
        from qualcode.anonymise.service import save_and_reapply

        access = self.key_access()
        with access.editing() as key:
            change = KeyChange(key)
            yield change
            with self.begin() as session:
                coder_name = self.coder(session).name
            change.reapplied = save_and_reapply(self.project, access, key, coder_name)

    def remove_identifier(self, typed: str) -> Removal:
        """Take an identifier out of the key (a mistaken acceptance), dismiss it so it is not proposed
        again, and put the word back in the stored texts where its pseudonym stood for it alone.

        As a withdrawal does: the texts are put back, with the removal recorded as pending, in one
        transaction, then the key is saved without it and the record cleared. A kill in between leaves
        the next command to save the key so (_finish_removal); a key that cannot be saved has the texts
        given their pseudonym back, and the log says neither."""
        from qualcode.anonymise.remove import held_entry, put_back, take_out

        access = self.key_access()
        with access.editing() as key:
            entry = held_entry(key, typed)
            with self.begin() as session:
                coder = self.coder(session)
                coder_name = coder.name
                restored = put_back(session, key, entry, coder)
            removal = take_out(key, entry)
            reapplied = self._save_removal(access, key, coder_name)
        return replace(removal, put_back=restored, reapplied=reapplied)

    def _save_removal(self, access: KeyAccess, key: PseudonymKey, coder_name: str | None) -> Reapplied:
        """Save `key` without the identifier a removal put back in the texts, rewrite with it, and clear the
        record that this is pending. Not saved (a read-only key, a full disk), the texts get its pseudonym back
        (take_back), as the key on disk says: it may have been saved before the error."""
        from qualcode.anonymise.remove import removal_saved
        from qualcode.anonymise.service import save_and_reapply
        from qualcode.errors import Interrupted

        try:
            reapplied = save_and_reapply(self.project, access, key, coder_name)
        except Interrupted:
            raise  # the record stays: the next command saves the key without it, or finds it saved
        except BaseException:
            try:
                self._take_back_removal(access)
            except Exception:  # noqa: BLE001, S110 - the record stays, and the next command settles it
                pass
            raise
        with self.begin() as session:
            removal_saved(session)
        return reapplied

    def _take_back_removal(self, access: KeyAccess) -> bool:
        """A pending removal whose key was not saved taken back with the key as it is on disk (remove.take_back),
        the file then rebuilt as after any rewrite; whether its word went back to its pseudonym."""
        from qualcode.anonymise.remove import take_back
        from qualcode.anonymise.service import finish_purge

        settling, self._settling_removal = self._settling_removal, True  # this takes it back: nothing to finish first
        try:
            with access.editing() as disk:  # read afresh: what was saved, if anything, before the error
                with self.begin() as session:
                    taken = take_back(session, disk, self.coder(session))
                disk.renamed.clear()  # rewritten now, as any rewrite with the key clears them
                finish_purge(self.project, disk)
        finally:
            self._settling_removal = settling
        return taken is not None

    def _finish_removal(self, report: Report) -> None:
        """Save the key without the identifier an `identifiers remove` killed before it saved the key had put back
        in the texts (the removal recorded as pending with them), as that command would have; a key that cannot
        be saved now has the texts given their pseudonym back instead, and the command goes on."""
        from qualcode.anonymise.remove import pending_removal
        from qualcode.errors import Interrupted

        with self.begin() as session:
            pending = pending_removal(session)
        if pending is None:
            return
        self._settling_removal = True
        try:
            removal = self._save_pending_removal(self.key_access())
        except Interrupted:
            raise
        except Exception as error:
            with self.begin() as session:
                if pending_removal(session) is not None:
                    raise  # neither saved nor taken back: nothing else runs until it is settled
            message = error.message if isinstance(error, QualcodeError) else str(error)
            report(f"an identifier's removal was interrupted before the key was saved, and the key cannot be saved now ({message}):"
                   f" it holds the identifier still, and its pseudonym {pending.pseudonym!r} is back in the texts; run"
                   " `qualcode identifiers remove` again once the key can be saved")
            return
        finally:
            self._settling_removal = False
        if removal is not None:
            report(f"an identifier's removal was interrupted before the key was saved; finished it: {removal.original!r}"
                   f" ({removal.kind}) is out of the key, and its word stays where it was put back")

    def _save_pending_removal(self, access: KeyAccess) -> Removal | None:
        """The pending removal's identifier taken out of the key and the key saved (None where it was saved so
        before the kill, or another command finished it); an error goes through, the key not saved."""
        from qualcode.anonymise.remove import finish_removal, pending_removal, removal_saved

        with access.editing() as key:
            with self.begin() as session:
                pending = pending_removal(session)  # read again under the key's lock
                coder_name = self.coder(session).name
            if pending is None:
                return None
            removal = finish_removal(key, pending)
            if removal is None:
                with self.begin() as session:
                    removal_saved(session)
                return None
            self._save_removal(access, key, coder_name)
        return removal

    def redraw_pseudonyms(self) -> tuple[list[Renamed], Reapplied]:
        """Draw anew, from the key's secret, every pseudonym drawn from the project's GUID alone (as each was
        until 2026-12-06), and rewrite the project with them: what was redrawn, and what the rewrite changed."""
        from qualcode.anonymise.apply import redraw_from_the_key

        with self.changing_key() as change:
            redrawn = redraw_from_the_key(change.key)
        assert change.reapplied is not None
        return redrawn, change.reapplied

    def rewrite_with_key(self) -> Reapplied:
        """Pseudonymise everything stored with what the key knows now. Learning a name does this by
        itself; a copy or backup of the project made before the key learned it still holds the name,
        and its exports are refused until it is rewritten."""
        with self.changing_key() as change:
            pass  # nothing to learn: saving the key as it is rewrites the project with it
        assert change.reapplied is not None
        return change.reapplied

    def leak_check_key(self) -> PseudonymKey:
        """The key an export's leak check compares against; after `key destroy` at the end of a
        project an empty one, so the patterns still run. A key that is merely missing is refused:
        a mistyped path must not skip the leak check."""
        from qualcode.anonymise.key import PseudonymKey

        place = self.key_place()
        if place.destroyed and not place.path.exists():
            return PseudonymKey(place.project_guid)  # no originals left to look for
        return self.read_key()

    def new_key(self, *, lost: bool = False) -> tuple[Path, bool, list[str]]:
        """Make a new, empty key; returns its path, whether the project had another key before (not
        destroyed), and the participants who withdrew under an earlier key, whose pseudonyms went with it.
        While the project's key is not destroyed, only when it is said to be `lost`: a mistyped --key
        followed by `key new` made the project refuse its own key from then on."""
        from qualcode.anonymise.service import create_key, withdrawn_under_earlier_key

        place = self.key_place()
        replaced = place.fingerprint is not None and not place.destroyed
        if replaced and not lost and place.path.exists():  # "not at" a path that holds it misled
            raise InvalidInput(
                f"this project's key is at {place.path} already",
                "use it (`qualcode key passphrase` changes its passphrase); if another project's key is there, pass this one's with --key",
            )
        if replaced and not lost:
            raise InvalidInput(
                f"this project has a key, not at {place.path}: a new one would make the project refuse that key from now on",
                "pass the right --key PATH (or restore the key from your backup); only if it is lost for good, "
                "`qualcode key new --lost` makes a new, empty one",
            )
        with self.begin() as session:
            coder_name = self.coder(session).name
        access = create_key(self.project, place.path, self.passphrase("New passphrase for the pseudonym key", new=True), coder_name)
        with self.begin() as session:
            withdrawn = withdrawn_under_earlier_key(session)
        return access.path, replaced, withdrawn[1] if withdrawn is not None else []

    def change_passphrase(self, ask_new: Callable[[str], str]) -> Path:
        """Encrypt the key under a new passphrase, asked for by `ask_new` (the configured passphrase
        is the current one) once the current one has opened the key; returns the key's path."""
        from qualcode.anonymise.service import change_passphrase

        access = self.key_access()
        access.load_existing()  # a wrong current passphrase is refused before a new one is typed twice
        new_passphrase = ask_new("New passphrase for the pseudonym key")
        with self.begin() as session:
            coder_name = self.coder(session).name
        change_passphrase(self.project, access, new_passphrase, coder_name)
        self._passphrase = new_passphrase  # what this session reads of the key later opens it
        return access.path

    def destroy_key(self, confirm: Callable[[Path], None], warn: Callable[[int], None] | None = None) -> Path:
        """Overwrite and delete the key once its passphrase holder has `confirm`ed (which may abort); `warn` is
        told first how many pseudonyms were drawn from the project's GUID alone, which stay traceable."""
        from qualcode.anonymise.apply import drawn_from_the_project
        from qualcode.anonymise.service import destroy_project_key

        access = self.key_access()
        key = access.load_existing()  # only the passphrase holder may destroy it
        traceable = len(drawn_from_the_project(key)) if warn is not None else 0
        if traceable:
            assert warn is not None
            warn(traceable)
        confirm(access.path)
        destroy_project_key(self.project, access)
        return access.path

    def _purge_after_withdrawal(self, participant: str) -> Purged | None:
        """Rebuild the file and delete every backup that holds the withdrawn participant's words, then
        clear the record that this is due; None when it could not be done (a full disk): the record
        stays, and the next command that opens the project does it. A backup taken once their
        withdrawal was done holds none (the state a restore of an older backup kept, which withdraws
        them again): deleted, the work in it was lost, under a note that it was kept."""
        from sqlalchemy.exc import OperationalError

        from qualcode.anonymise.pending import PURGE_PENDING, REAPPLY_PENDING
        from qualcode.store.backups import withdrawal_done_in
        from qualcode.store.settings import delete_setting

        unfinished = (WITHDRAWAL_PURGE_PENDING, PURGE_PENDING, REAPPLY_PENDING)

        def done() -> None:
            with self.begin() as session:
                delete_setting(session, WITHDRAWAL_PURGE_PENDING)

        try:
            return self.project.purge(before_backup=done, keep=lambda backup: withdrawal_done_in(backup, participant, unfinished))
        except (OSError, OperationalError):
            return None

    def _finish_withdrawal_key(self, report: Report) -> None:
        """Turn into digests the key entries a withdrawal recorded, when a kill came before the key was saved."""
        from qualcode.anonymise.pending import WITHDRAWAL_KEY_PENDING
        from qualcode.anonymise.withdraw import as_digests, deny_recorded
        from qualcode.store.settings import delete_setting, get_setting

        with self.begin() as session:
            record = get_setting(session, WITHDRAWAL_KEY_PENDING)
        if not record:
            return
        place = self.key_place()
        if place.destroyed and not place.path.exists():
            self._settle_withdrawal_key(record, report)
            return
        try:
            with self.key_access().editing() as key:
                with self.begin() as session:
                    if get_setting(session, WITHDRAWAL_KEY_PENDING) != record:  # another command finished it meanwhile
                        return
                denied = deny_recorded(key, json.loads(record))
        except KeyFileError as error:
            # The project holds nothing of theirs in clear, only the key does: a command that needs no key
            # (status, search, a listing) goes on, saying so, and the first that opens the key finishes it.
            report(f"a withdrawal was interrupted before the key was saved, and the key could not be opened to finish it"
                   f" ({error.message}): {counted(len(json.loads(record)), 'of their identifiers is', 'of their identifiers are')}"
                   " still in the key as written; run a command with the key (`qualcode key show`) to turn them into digests")
            return
        with self.begin() as session:
            delete_setting(session, WITHDRAWAL_KEY_PENDING)
        report(f"a withdrawal was interrupted before the key was saved; finished it: {as_digests(denied)}")

    def _settle_withdrawal_key(self, record: str, report: Report) -> None:
        """The key a withdrawal was interrupted before saving was destroyed since (`key destroy`): the
        identifiers it left in clear went with it, and no key is left to finish it with, so it is
        recorded as finished, once, rather than said to be unfinished on every command."""
        from qualcode.anonymise.pending import WITHDRAWAL_KEY_PENDING
        from qualcode.store.events import EventKind, hold_write_lock, record_event
        from qualcode.store.settings import delete_setting, get_setting

        with self.begin() as session:
            hold_write_lock(session)
            if get_setting(session, WITHDRAWAL_KEY_PENDING) != record:  # another command settled it meanwhile
                return
            delete_setting(session, WITHDRAWAL_KEY_PENDING)
            record_event(session, kind=EventKind.WITHDRAWAL_KEY_SETTLED,
                         summary="a withdrawal interrupted before the key was saved is finished: the key has been destroyed")
        report(f"a withdrawal was interrupted before the key was saved; the key has since been destroyed, and the"
               f" {len(json.loads(record))} of their identifiers it held with it: recorded as finished")

    def _withdraw_again(self, report: Report) -> None:
        """Withdraw again those a restore of a backup from before their withdrawal brought back (the
        restore marks them in the copy it puts in place, so a kill before this leaves them marked)."""
        from qualcode.errors import NotFound
        from qualcode.store.backups import WITHDRAW_AGAIN
        from qualcode.store.settings import delete_setting, get_setting, set_setting

        with self.begin() as session:
            marked = get_setting(session, WITHDRAW_AGAIN)
        for name in json.loads(marked) if marked else []:
            try:
                withdrawal = self.withdraw(name)
            except NotFound:  # withdrawn already, by another command or before a kill
                withdrawal = None
            with self.begin() as session:
                left = [other for other in json.loads(get_setting(session, WITHDRAW_AGAIN) or "[]") if other != name]
                set_setting(session, WITHDRAW_AGAIN, json.dumps(left)) if left else delete_setting(session, WITHDRAW_AGAIN)
            if withdrawal is None:
                continue
            report(f"withdrew {name} again, who had withdrawn consent since the backup: {withdrawal.removed()}")
            if said := withdrawal.names_said():
                report(said)
            if withdrawal.backups_deleted:
                report(withdrawal.backups_said())

    def _finish_interrupted(self, report: Report) -> None:
        """Complete a rewrite of stored texts, or a withdrawal's rebuilding of the file, that a crash
        interrupted, before anything else runs."""
        from qualcode.anonymise.pending import REWRITE_MARKS, interrupted_work
        from qualcode.store.settings import get_setting
        from qualcode.text.counts import counted

        if not interrupted_work(self.project):
            return
        self._withdraw_again(report)
        self._finish_withdrawal_key(report)
        self._finish_removal(report)  # before a rewrite with the key, which would give the texts the pseudonym back
        with self.begin() as session:
            withdrawn = get_setting(session, WITHDRAWAL_PURGE_PENDING)
        if withdrawn:
            purged = self._purge_after_withdrawal(withdrawn)
            if purged is None:
                raise WriteFailed(
                    f"the withdrawal of {withdrawn} is not finished: the project file could not be rebuilt, and its "
                    "free space and backups may still hold their words",
                    "free some disk space and run the command again",
                )
            report(f"the withdrawal of {withdrawn} was interrupted before the project file was rebuilt; finished it: "
                   f"{counted(len(purged.deleted), 'backup')} holding their words deleted")
            if not interrupted_work(self.project, REWRITE_MARKS):
                return
        from qualcode.anonymise.service import finish_interrupted, key_lock

        # The rewrite is marked pending while it runs, under the key's lock: another command may be
        # doing it now. Then this waits for the lock and finds it done, without asking for the passphrase.
        place = self.key_place()
        with key_lock(place.path) if place.path.exists() else nullcontext():
            if not interrupted_work(self.project, REWRITE_MARKS):
                return
            with self.begin() as session:
                coder_name = self.coder(session).name
            result = finish_interrupted(self.project, self.key_access(), coder_name)
        report("an earlier change to the key was interrupted while stored texts were being pseudonymised; "
               f"finished it: {counted(result.replacements, 'place')} in {counted(len(result.transcripts), 'transcript')}, "
               f"{counted(result.memos, 'memo')} and {counted(result.events, 'log entry', 'log entries')} pseudonymised")

    # --- participants ------------------------------------------------------------------------
    def withdraw(self, participant: str, identifiers: Sequence[str] = ()) -> Withdrawal:
        """Remove everything a withdrawing participant said, then rebuild the file so none of it remains.

        After `key destroy` (and only then: a key merely missing holds their identifiers, which must
        go too) it is done without a key; the result's `key_destroyed` says so."""
        from qualcode.anonymise.pending import WITHDRAWAL_KEY_PENDING
        from qualcode.anonymise.withdraw import denial_record, withdraw_participant
        from qualcode.store.settings import delete_setting, set_setting

        place = self.key_place()
        if place.destroyed and not place.path.exists():
            return self._withdraw_without_key(participant, identifiers, place.destroyed)
        access = self.key_access()
        with access.editing() as key:
            entries = list(key.entries)
            held = json.dumps(key.to_json())
            with self.begin() as session:
                result = withdraw_participant(session, participant, key, self.coder(session), identifiers)
                set_setting(session, WITHDRAWAL_PURGE_PENDING, participant)  # with the withdrawal, or not at all
                denied = denial_record(key, [entry for entry in entries if entry not in key.entries])
                if denied:  # so a kill before the key is saved leaves them for the next command, not in clear
                    set_setting(session, WITHDRAWAL_KEY_PENDING, json.dumps(denied))
            # Saved when it changed at all: it names the transcripts their pseudonym was taken out of anew too.
            if denied or json.dumps(key.to_json()) != held:
                access.save(key)
                with self.begin() as session:
                    delete_setting(session, WITHDRAWAL_KEY_PENDING)
            purged = self._purged_after_withdrawal(participant)
        return self._withdrawn_with(result, purged)

    def _withdraw_without_key(self, participant: str, identifiers: Sequence[str], destroyed: str) -> Withdrawal:
        """The withdrawal once the key is destroyed: the right to withdraw outlives the key. The key took
        every identifier of theirs with it; an identifier named now would have to be kept somewhere,
        and the project keeps none, not even a digest (one kept beside its salt is undone by trying names)."""
        from qualcode.anonymise.withdraw import withdraw_participant
        from qualcode.store.events import hold_write_lock
        from qualcode.store.settings import set_setting

        if identifiers:
            raise InvalidInput(
                f"this project's key was destroyed on {destroyed[:10]}: there is no key to keep a digest of an --identifier in,"
                " and the project keeps no identifier; nothing was changed",
                "withdraw them without --identifier: the destroyed key took every identifier of theirs with it",
            )
        with self.begin() as session:
            hold_write_lock(session)  # as the key's lock does with a key: a second withdrawal at once waits, then finds them gone
            result = withdraw_participant(session, participant, None, self.coder(session))
            set_setting(session, WITHDRAWAL_PURGE_PENDING, participant)  # with the withdrawal, or not at all
        return replace(self._withdrawn_with(result, self._purged_after_withdrawal(participant)), key_destroyed=destroyed[:10])

    def _purged_after_withdrawal(self, participant: str) -> Purged:
        """The file rebuilt and the backups holding their words deleted, or said not to be (a full disk)."""
        purged = self._purge_after_withdrawal(participant)
        if purged is None:
            raise WriteFailed(
                f"{participant} is withdrawn from the project, but the file could not be rebuilt, and its free space and "
                "backups may still hold their words",
                "free some disk space; the next qualcode command on this project finishes it",
            )
        return purged

    def _withdrawn_with(self, result: Withdrawal, purged: Purged) -> Withdrawal:
        """The withdrawal with the backups it deleted and the files that quote them, read now: after the
        change is committed and the key let go, so nothing waits on reading them."""
        files = tuple(result.quotes.files_quoting(self.project.root)) if result.quotes is not None else ()
        return replace(result, backups_deleted=purged.deleted, files_quoting=files, quotes=None)

    # --- reading, each in its own transaction ------------------------------------------------
    def withdrawn(self, session: Session | None = None) -> Withdrawn | None:
        """Participants who withdrew consent (how many, on which days), for a face to say beside its
        counts that their words are not in them; None when no one did. Read in `session`, the counts'
        own, or else in a transaction of its own."""
        from qualcode.store.withdrawals import withdrawn_participants

        if session is None:
            with self.begin() as own:
                return withdrawn_participants(own)
        return withdrawn_participants(session)

    def transcripts(self) -> list[TranscriptView]:
        from qualcode.coding.transcripts import describe_transcripts

        with self.begin() as session:
            return describe_transcripts(session, self._mine())

    def document(self, transcript: str) -> ReaderDocument:
        """Without sentences, so a reader can draw at once; `sentences()` follows."""

        from qualcode.coding.reader import load_reader_document

        with self.begin() as session:
            document = load_reader_document(session, transcript)
        mine = self._mine()
        return replace(document, codings=tuple(c for c in document.codings if c.coder in mine)) if mine else document

    def text_version(self, transcript: str) -> int:
        """The id of a transcript's current text version: another once its text is rewritten."""
        from qualcode.store.lookup import current_text, find_transcript

        with self.begin() as session:
            return current_text(find_transcript(session, transcript)).id

    def log_mark(self) -> LogMark | None:
        """Where the project's event log ends now: read before what a screen shows, so a change
        recorded after it is found by `changes_since`."""
        from qualcode.store.events import log_mark

        with self.begin() as session:
            return log_mark(session)

    def changes_since(self, seen: LogMark | None) -> Changes:
        """Whether anyone else changed the project since the log ended at `seen`, and where it ends now.

        Changes this workspace made are known by their events' GUIDs, so they are not taken for
        another's; a look that finds nothing new reads one row of the log (a fraction of a millisecond)."""
        from qualcode.store.events import events_since

        with self.begin() as session:
            mark, recorded = events_since(session, seen)
        if recorded is None:
            return Changes(mark, elsewhere=True)
        own = self.project.recorded_here
        elsewhere = False
        for guid in recorded:  # the set itself is not walked: a worker may be adding to it
            if guid in own:
                own.discard(guid)
            else:
                elsewhere = True
        return Changes(mark, elsewhere)

    def sentences(self, document: ReaderDocument) -> tuple[tuple[int, int], ...]:
        """The document's sentences, as kept for its text version (found and kept the first time)."""
        from qualcode.coding.reader import document_sentences

        with self.begin() as session:
            return document_sentences(session, document)

    def codes(self) -> list[CodeView]:
        from qualcode.codebook.service import list_codes

        with self.begin() as session:
            return list_codes(session, self._mine())

    def recent_codes(self) -> list[str]:
        """The coder's recently used codes, newest first (none before the coder is known)."""
        from qualcode.coding.reader import recent_codes

        if not self.coder_name:
            return []
        with self.begin() as session:
            return recent_codes(session, self.coder(session))

    def codings(self, transcript: str) -> tuple[ReaderCoding, ...]:
        from qualcode.coding.reader import reader_codings

        with self.begin() as session:
            found = reader_codings(session, transcript)
        mine = self._mine()
        return tuple(coding for coding in found if coding.coder in mine) if mine else found

    def passages(self, code_path: str = "") -> list[Quote]:
        """Every live passage coded with the code or its sub-codes (every code when none is
        given), with attribution details."""
        from qualcode.coding.passages import QuoteFilter, select_quotes

        with self.begin() as session:
            quotes, _ = select_quotes(session, self._only_mine(QuoteFilter(codes=(code_path,) if code_path else ())))
            return quotes

    def search(self, query: str, limit: int = 200, attributes: tuple[tuple[str, str], ...] = ()) -> SearchResult:
        """Hits for `query`, narrowed by participant or transcript attributes (NAME, VALUE), as `qualcode search`."""
        from qualcode.coding.passages import QuoteFilter, check_selection
        from qualcode.search.service import SearchFilters, search

        with self.begin() as session:
            checked = check_selection(session, QuoteFilter(attributes=attributes)) if attributes else ()
            return search(session, query, SearchFilters(attributes=checked), limit=limit)

    # --- changing, each in its own transaction -----------------------------------------------
    @staticmethod
    def _code_ref(session: Session, code: str | CodeView) -> str:
        """How the services find `code`: a path, name or key as typed, or a code a screen listed
        (and a picker or key chose) by its GUID. Another command may have renamed or moved that code
        since the screen read the codebook, and given its old path to another code: by its path, the
        coding would go to that other code, or to none."""
        if isinstance(code, str):
            return code
        from sqlalchemy import select

        from qualcode.store.models import Code

        if session.scalar(select(Code.id).where(Code.guid == code.guid)) is None:
            raise NotFound(f"no code {code.path!r} in this project", "another command removed it since it was listed here; pick again")
        return code.guid

    def add_coding(self, transcript: str, code: str | CodeView, span: tuple[int, int], text_version: int | None = None) -> str:
        """Code a span of the text as shown: of `text_version`, refused if another is current now."""
        from qualcode.coding.service import add_coding

        with self.begin() as session:
            view = add_coding(session, transcript, self._code_ref(session, code), self.coder(session), start=span[0], end=span[1],
                              blind=self.blind, text_version=text_version)
            return f"{view.code_path} on line {view.line}"

    def code_sentence_at(self, transcript: str, offset: int, code: str | CodeView, text_version: int | None = None) -> str:
        """Code the sentence that holds `offset` (read in `text_version`, refused if another is current now)."""
        from qualcode.coding.reader import load_reader_document, sentence_at
        from qualcode.coding.service import add_coding

        with self.begin() as session:
            document = load_reader_document(session, transcript)
            if text_version is not None and document.version_id != text_version:
                raise InvalidInput(
                    f"the text of {transcript} has changed since the search (rewritten by another command); nothing was coded",
                    "search again, and code the hit as it is now",
                )
            span = sentence_at(session, document, offset)
            if span is None:
                raise InvalidInput("the hit is not inside a sentence of a turn")
            view = add_coding(session, transcript, self._code_ref(session, code), self.coder(session), start=span[0], end=span[1],
                              blind=self.blind, text_version=document.version_id)
            return f"coded {view.code_path} on {transcript} line {view.line}"

    def remove_coding(self, coding_id: int) -> str:
        from qualcode.coding.service import remove_coding

        with self.begin() as session:
            return remove_coding(session, coding_id, self.coder(session), blind=self.blind).code_path

    def recode(self, coding_id: int, code: str | CodeView) -> str:
        from qualcode.coding.service import recode_coding

        with self.begin() as session:
            return recode_coding(session, coding_id, self._code_ref(session, code), self.coder(session), blind=self.blind).code_path

    def set_memo(self, coding_id: int, text: str, transcript: str | None = None) -> str:
        """Write, replace or (with empty text) clear a coding's memo. Where the coding is gone since the
        memo was begun (removed by another command), what was typed is kept as a memo on the
        coding's transcript (`transcript`), or the project's if that is gone too: never dropped."""
        from sqlalchemy import select

        from qualcode.coding.memos import add_memo
        from qualcode.coding.service import set_coding_memo
        from qualcode.store.models import Transcript

        try:
            with self.typed() as session:
                return set_coding_memo(session, coding_id, text, self.coder(session)).code_path
        except (NotFound, Gone) as gone:  # not a refusal of the text itself: that is the writer's to see
            if transcript is None or not text.strip():
                raise
            with self.typed() as session:
                if session.scalar(select(Transcript.id).where(Transcript.name == transcript)) is None:
                    # Gone whole: deleted, or its participant withdrew consent, and a memo written on it may
                    # quote them. It is not stored, but left with the writer, who decides what of it is theirs.
                    raise Gone(
                        f"{transcript} is no longer in the project (deleted, or its participant withdrew consent):"
                        " the memo was not stored, as it may quote them",
                        "copy what in it is your own thinking, and write that as a memo on the project (`qualcode memo add TEXT`)",
                    ) from None
                # Not by its id to a blind coder (ids count everyone's codings), and it has no handle left.
                add_memo(session, text, self.coder(session), transcript_ref=transcript,
                         title="Notat til en koding som er borte" if self.blind else f"Notat til koding {coding_id}, som er borte")
                return self.told(session, f"not on the coding ({gone.message}): kept as a memo on {transcript}")

    def create_code(self, path: str) -> str:
        from qualcode.codebook.service import create_code

        with self.typed() as session:
            return create_code(session, path, {}, self.coder(session)).path

    def update_definition(self, path: str, definition: str, based_on: str | None = None) -> str:
        """Write a code's definition; with `based_on` (what it read when the writing began), refused
        as ChangedSince if someone has changed it since, rather than overwriting their version unseen."""
        from qualcode.codebook.service import find_code, update_code
        from qualcode.errors import ChangedSince

        with self.typed() as session:
            code = find_code(session, path)  # a path, or the GUID a screen holds: found after a move elsewhere too
            now = code.definition or ""
            if based_on is not None and now != based_on:
                raise ChangedSince(
                    f"the definition of {code.path} was changed by someone else while you wrote; it now reads: {now[:200]!r}",
                    "your text is kept: save it again to put it in place of theirs, or Escape to leave theirs",
                    now=now,
                )
            update_code(session, code.guid, {"definition": definition}, self.coder(session))
            return code.path

    def rename_code(self, code: str | CodeView, name: str) -> RenamedCode:
        """Give a code another name, its sub-codes, codings and GUID going with it (undo takes it
        back). `code` is a path, name, key or GUID as typed, or a code a screen listed, found by its
        GUID: another process may have renamed or moved it since."""
        from qualcode.codebook.model import look_alike_detail, name_look
        from qualcode.codebook.service import rename_code, shortcut_clashes

        with self.typed() as session:
            before, view = rename_code(session, self._code_ref(session, code), name, self.coder(session))
            clashes = shortcut_clashes(session, {view.path})
        notes = []
        old_name = before.rpartition("/")[2]
        if old_name.casefold() != view.name.casefold() and name_look(old_name) == name_look(view.name):
            # Mending a name written with another script's letters, or the other way: what changed is not to be seen.
            notes.append(f"the new name looks as the old one did ({look_alike_detail(view.name, old_name)}): a reader sees no change")
        return RenamedCode(before, view.path, (*notes, *clashes))

    def merge_codes(self, source: str | CodeView, target: str | CodeView) -> Reshaped:
        """Merge `source` into `target` (codes as typed, or as a screen listed them: by GUID), as one
        undoable change; refused for a blind coder, as it recodes and counts others' codings."""
        from qualcode.coding.reshape import merge_codes

        # Said before either code is read: what the codes hold, or the decisions on them, is others' work.
        self.refuse_if_blind("merging codes", "while you code blind, ask whoever leads the study to merge them")
        with self.begin() as session:
            return merge_codes(session, self._code_ref(session, source), self._code_ref(session, target), self.coder(session))

    def move_code(self, code: str | CodeView, parent: str | CodeView | None) -> str:
        """Put `code` under `parent` (None: at the top), its sub-codes, codings and GUID going with it; what was done."""
        from qualcode.codebook.service import move_code_under

        with self.begin() as session:
            before, after = move_code_under(session, self._code_ref(session, code),
                                            self._code_ref(session, parent) if parent is not None else None, self.coder(session))
        return f"moved code {before} to {after}"

    def delete_code(self, code: str | CodeView, *, into: str | CodeView | None = None, with_codings: bool = False) -> Reshaped:
        """Delete `code` as one undoable change; `into` another code, a merge into it instead; `with_codings`, its codings
        too (kept in the change's record for undo). Refused for a blind coder where it would take others' codings."""
        from qualcode.coding.reshape import delete_code

        if into is not None:
            if with_codings:
                raise InvalidInput("--into keeps the codings under another code, --with-codings deletes them", "give one of them")
            return self.merge_codes(code, into)
        if with_codings:
            self.refuse_if_blind("deleting a code with its codings")
        with self.begin() as session:
            return delete_code(session, self._code_ref(session, code), self.coder(session), with_codings=with_codings, blind=self.blind)

    def edit_transcript(self, transcript: str | TranscriptView, values: dict[str, str]) -> str:
        """Correct a transcript's metadata or attributes (NAME=VALUE, comma-separated), as `qualcode transcripts edit`;
        `participants` is a comma-separated list. `transcript` is a name as typed, or a transcript a
        screen listed (its form), found by its GUID: another session may have renamed it since (said
        in what is returned), or deleted it (TranscriptGone)."""
        from qualcode.importers.metadata_edit import edit_transcript

        fields = dict(values)
        listed = fields.pop("participants", None)
        participants = [p.strip() for p in listed.split(",")] if listed is not None else None
        attributes = attribute_pairs(fields.pop("attributes", ""))
        with self.typed() as session:
            ref, renamed = self._transcript_ref(session, transcript)
            edit = edit_transcript(session, ref, self.coder(session), participants=participants,
                                   attributes=attributes or None, **fields)
        changed = ", ".join(change.field for change in edit.changes) or "nothing changed"
        return f"{changed} (saved in {renamed}, as another session renamed it meanwhile)" if renamed else changed

    @staticmethod
    def _transcript_ref(session: Session, transcript: str | TranscriptView) -> tuple[str, str | None]:
        """How the services find `transcript` (a name as typed, or a listed one by its GUID), and its
        name now where another session renamed a listed one since (else None). A listed one deleted
        since is TranscriptGone, naming whoever withdrew consent of those it listed."""
        if isinstance(transcript, str):
            return transcript, None
        from sqlalchemy import select

        from qualcode.store.models import Transcript
        from qualcode.store.withdrawals import withdrawn_as

        name = session.scalar(select(Transcript.name).where(Transcript.guid == transcript.guid))
        if name is None:
            withdrew = next((found for listed in transcript.participants if (found := withdrawn_as(session, listed))), None)
            raise TranscriptGone(transcript.name, withdrew)
        return transcript.guid, name if name != transcript.name else None

    def undo(self) -> str:
        from qualcode.coding import history

        with self.begin() as session:
            # A reviewer too: history lets them take back their own review import, and nothing else.
            return self.told(session, history.undo(session, self.coder(session, commenting=True), blind=self.blind).summary)

    def redo(self) -> str:
        from qualcode.coding import history

        with self.begin() as session:
            return self.told(session, history.redo(session, self.coder(session, commenting=True), blind=self.blind).summary)

    # --- the review queue of possible identifiers ----------------------------------------------
    def open_review(self, passphrase: str) -> IdentifierReview:
        """Decrypt the key (KeyFileError on a wrong passphrase) for deciding what waits for review."""
        self.remember_passphrase(passphrase)  # memos written later are pseudonymised with the same key
        try:
            return IdentifierReview(self)
        except BaseException:
            self._passphrase = self.config.passphrase
            raise

    # --- the whole loop for the terminal UI: import, export, reviewers' comments, participants ---
    def preview_import(self, paths: Sequence[Path], metadata: dict[str, str]) -> list[ImportPreview]:
        """What importing `paths` would replace (in context) and hold back for review; writes nothing,
        as `qualcode import --dry-run`."""
        from qualcode.importers.service import expand_paths, one_line, preview_file

        options = import_options(metadata)
        key = self.key_access().load_existing()
        previews: list[ImportPreview] = []
        for path in expand_paths(paths):
            with self.trying() as session:  # one each, so trying a replacement holds the write lock for that file only
                try:
                    preview = preview_file(session, path, options, key, blind_coder=self.coder_name if self.blind else None)
                except ProjectError:
                    raise  # the project busy or full: no file's preview can be made
                except QualcodeError as error:
                    previews.append(ImportPreview(path.name, (), (), str(error)))
                    continue
                except Exception as error:  # noqa: BLE001 - as in the import, one file's failure never ends the batch
                    previews.append(ImportPreview(path.name, (), (), f"{path.name} could not be imported ({one_line(error)})"))
                    continue
                previews.append(ImportPreview(
                    preview.file,
                    tuple(PreviewLine(i.line, i.kind, i.original, i.pseudonym, i.context) for i in preview.replacements),
                    tuple(preview.candidates),
                    preview.outcome if preview.refused else None,  # already present, or changed under a taken name
                ))
        return previews

    def import_codebook(self, file: Path) -> tuple[CodebookChanges, list[str]]:
        """Merge a codebook file (YAML, or REFI-QDA .qdc) into the project: its changes, and what the
        file did oddly. Its names, definitions and examples come from outside, as a transcript does:
        a name in them nobody has decided about holds the file back for review (a .qdpx's would)."""
        from qualcode.anonymise.service import codebook_vocabulary
        from qualcode.codebook.service import apply_codebook
        from qualcode.exchange.codebook_file import load_any_codebook
        from qualcode.importers.pseudonymise import undecided_in_texts

        codebook, qdc = load_any_codebook(file)
        texts = [codebook.name, codebook.description or ""] + [
            text for _, _, code in codebook.walk()
            for text in (code.name, code.definition, code.inclusion, code.exclusion, code.example, *code.signal_words) if text
        ]
        with self.begin() as session:
            vocabulary = codebook_vocabulary(session)
        access = self.key_access()
        with access.editing() as key:
            held = undecided_in_texts(texts, key, vocabulary, file.name)
            access.keep_queued(key, held, file.name)  # kept with the key, for the review
        _hold_back(file.name, held)
        from qualcode.importers.pseudonymise import HELD_BACK_BEFORE

        with self.typed() as session:
            session.info[HELD_BACK_BEFORE] = True  # its texts were read for names just above
            if qdc is not None:
                from qualcode.exchange.codebook_qdc import import_qdc

                imported = import_qdc(session, qdc, self.coder(session))  # the file's deviations and the merge's
                return imported.changes, imported.deviations
            return apply_codebook(session, codebook, self.coder(session)), []

    def import_participants(self, csv_file: Path) -> ParticipantImport:
        """Participants from a CSV, its text pseudonymised with the key as typed text is. A name in
        it nobody has decided about (a "navn" column) holds the file back for review, as a
        transcript's does: otherwise it would be stored as written."""
        from qualcode.anonymise.candidates import decided_as_a_value, propose, surnames_in_value
        from qualcode.anonymise.service import ignored_words
        from qualcode.importers.metadata import (
            check_participants_header,
            holds_categories,
            import_participants,
            participant_cells,
        )
        from qualcode.importers.pseudonymise import capitalise_unlisted_names

        check_participants_header(csv_file)
        held = []
        access = self.key_access()
        with access.editing() as key:
            ignored = {word.casefold() for word in ignored_words(key)}
            for line, column, value in participant_cells(csv_file):
                # A free cell is a short value, read as if mid-sentence so that its first word is no
                # sentence's first ("Halldis" alone in a cell); the header, and the participant's own
                # fields, whose values are categories, are read as sentences.
                free = line > 1 and not holds_categories(column)
                # A surname that is an everyday word too is held back as a value, as typed ones are ("Foss").
                surnames = surnames_in_value(value, column) if line > 1 else []
                # Typed in lower case as often as not ("kontaktperson: ragnfrid"), as a title is.
                read = capitalise_unlisted_names(value) if free else value
                proposed = [made for made in propose(f"med {read}" if free else read, (), ())
                            if not decided_as_a_value(made.text, value, not free)]
                for proposal in [*proposed, *surnames]:
                    if proposal.text.casefold() not in ignored and key.entry_for(proposal.text) is None:
                        held.append(replace(proposal, context=f"line {line}, {column}: {value}"))
            access.keep_queued(key, held, csv_file.name)  # kept with the key, for the review
        _hold_back(csv_file.name, held)
        with self.typed() as session:
            return import_participants(session, csv_file, self.coder(session))

    def import_files(
        self, paths: Sequence[Path], metadata: dict[str, str], *, participants_csv: Path | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> ImportOutcome:
        """Import as `qualcode import` does; `progress(done, total, file name)` before each file.
        Files held back for possible identifiers nobody has decided about are named apart."""
        from qualcode.importers.service import expand_paths, import_paths

        options = import_options(metadata)
        key_access = self.key_access()
        participants_note = ""
        if participants_csv is not None:
            made = self.import_participants(participants_csv)
            participants_note = f"participants: {len(made.created)} new, {len(made.updated)} updated"
        with self.begin() as session:
            coder_name = self.coder(session).name
        files = expand_paths(paths)
        done = [0]

        def step(path: Path) -> None:
            if progress is not None:
                progress(done[0], len(files), path.name)
            done[0] += 1

        batch = import_paths(self.project, files, key_access, options, coder_name, progress=step, blind=self.blind)
        if progress is not None:
            progress(len(files), len(files), "")
        held_back = batch.held_back
        return ImportOutcome(
            imported=tuple(
                f"{'replaced the text of' if item.replaced else 'imported'} {item.name}"
                f"{' (' + ', '.join(item.participants) + ')' if item.participants else ''}: {counted(item.words, 'word')}, {counted(item.turns, 'turn')}"
                for item in batch.imported
            ),
            skipped=tuple(f"{path.name}: {reason}" for path, reason in batch.skipped),
            failed=tuple(f"{path.name}: {reason}" for path, reason in batch.failed if path not in held_back),
            held_back=tuple(held_back),
            participants=participants_note,
        )

    def export_report(
        self, selection: QuoteFilter, *, title: str | None = None, attribution: str = "role", language: str = "nb",
        context: bool = False, memos: bool = False, framework: bool = False, matrices: Sequence[str] = (), figures: bool = False,
        output: Path | None = None, force: bool = False, key: PseudonymKey | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ExportResult:
        """A Word report, for `qualcode export report` and the terminal UI alike: the chapters asked
        for (the framework matrix, code × attribute `matrices`, with `figures` their heatmaps and
        co-occurrence's), and the team's decisions named in its method note. An empty selection, or a
        named file that exists without `force`, is refused. `key`: the leak check's, when the caller
        has read it already (a command line reads it before drawing progress: it may ask for the passphrase)."""
        from qualcode.agreement.consensus import consensus_pairs
        from qualcode.exporters.report_options import ReportOptions
        from qualcode.exporters.service import export_report

        key = key if key is not None else self.leak_check_key()
        with self.begin() as session:
            self.refuse_undecided_title(session, key, title)
            self.refuse_undecided_file_name(session, key, output)
            chosen = self._export_selection(session, selection)
            options = ReportOptions(title=title, attribution=attribution, language=language, context=context, memos=memos)
            if framework:
                from qualcode.analysis.framework import framework_matrix

                # By the coders the quotes are chosen by (--by, or a blind coder's own), as the matrices count:
                # every coder's passages in its cells disagreed with the quotes and tables beside them.
                options = replace(options, framework=framework_matrix(
                    session, selection.codes, selection.participants, selection.roles, chosen.coders))
            if matrices or figures:
                # Counted before anything is written, so a bad attribute writes no file.
                tables, together = _report_analysis(session, chosen, matrices, figures, language)
                options = replace(options, matrices=tables, cooccurrence=together, figures=figures)
            options = replace(options, consensus=consensus_pairs(session, chosen))
            return export_report(session, self.root, chosen, options, output, force, key, progress)

    def _export_selection(self, session: Session, selection: QuoteFilter) -> QuoteFilter:
        """The quotes an export chooses: --by's coders found as --coder finds a coder (in another
        case, or a name the key holds as its pseudonym), and only this coder's when coding blind."""
        return self.only_mine(session, replace(selection, coders=tuple(self.stored_coder_names(session, selection.coders))))

    def refuse_undecided_title(self, session: Session, key: PseudonymKey, title: str | None) -> None:
        """A report's title names no one nobody has decided about: the key's names in it are replaced
        as it is written (exporters.service.as_typed), but an unknown name would be exported as typed."""
        if title and title.strip():
            self._refuse_undecided(session, key, "report's title", title)

    def refuse_undecided_file_name(self, session: Session, key: PseudonymKey, output: Path | None) -> None:
        """An export's file name, as typed, names no one nobody has decided about: the leak check
        refuses a name the key holds in it, but an unknown one ("Funn om Fatima Warsame.docx") would
        be written as typed, and the file's name travels with it. Its words only, not its folders."""
        if output is None:
            return
        words = output.stem.replace("_", " ")  # "Fatima_Warsame": one word to the name finders
        # Only a name with a capital is looked for: reading one costs spaCy's load (0.5 s and more), which a
        # quote table named "sitater.csv" must not pay. A name the key holds, in any case, the leak check refuses.
        if any(character.isupper() for character in words):
            self._refuse_undecided(session, key, "file's name", words)

    def _refuse_undecided(self, session: Session, key: PseudonymKey, what: str, text: str) -> None:
        """Refuse `text` (`what` it is) while it names someone nobody has decided about, those names
        queued for the review."""
        from qualcode.importers.pseudonymise import refuse_undecided_text

        try:
            refuse_undecided_text(session, key, what, [text])
        except UndecidedNames as refused:
            self._queue_refused(refused)
            raise

    def _queue_refused(self, refused: UndecidedNames) -> None:
        """The names typed text was refused for wait in the review, the UI's too, as an import's do
        (typed() does this for what is stored; a report's title is refused before the key is locked)."""
        place = self.key_place()
        if self.project.read_only or (place.destroyed and not place.path.exists()):
            return  # nowhere to keep them (a read-only project, no key): the refusal's hint still names each
        access = self.key_access()
        with access.editing() as key:
            access.keep_queued(key, refused.proposals, "typed text")

    def export_quote_table(
        self, selection: QuoteFilter, *, table_format: str = "xlsx", attribution: str = "role", language: str = "nb",
        output: Path | None = None, force: bool = False, key: PseudonymKey | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ExportResult:
        """A quote table (csv or xlsx), for `qualcode export quotes` and the terminal UI alike (`key` as for export_report)."""
        from qualcode.exporters.service import export_quote_table

        key = key if key is not None else self.leak_check_key()
        with self.begin() as session:
            self.refuse_undecided_file_name(session, key, output)
            return export_quote_table(
                session, self.root, self._export_selection(session, selection), table_format, attribution, language,
                output, force, key, progress,
            )

    def export_codebook(self, file: Path | None) -> tuple[bytes, list[str]]:
        """The codebook as YAML, or REFI-QDA XML for a FILE ending in .qdc, checked for leaks as every
        export is (a codebook's name, definitions and examples are typed text); written to `file`
        (replaced if it exists) through the same atomic publishing, and returned with what the file
        will not give back as written."""
        from qualcode.anonymise.leakcheck import guard
        from qualcode.exporters.service import publish_checked

        if file is not None and file.suffix.lower() not in CODEBOOK_SUFFIXES:
            # Written as YAML under another name, "kodebok.qdpx" was then leak-checked as the zip its name says it is.
            raise InvalidInput(f"{file.name}: a codebook is written as .yaml or .qdc",
                               "end the file's name in .yaml or .qdc; the whole project goes to REFI-QDA with `qualcode export qdpx FILE`")
        as_qdc = file is not None and file.suffix.lower() == ".qdc"
        notes: list[str] = []
        with self.begin() as session:
            if as_qdc:
                from qualcode.exchange.codebook_qdc import codes_not_carried, write_qdc

                data = write_qdc(session)
                notes = codes_not_carried(session)
            else:
                from qualcode.codebook.service import project_codebook
                from qualcode.codebook.yaml_format import dump_codebook

                data = dump_codebook(project_codebook(session)).encode("utf-8")
        key = self.leak_check_key()
        if file is None:
            guard(data, key, "codebook.yaml")
        else:
            from qualcode.anonymise.own_exports import remembering

            with self.begin() as session:
                publish_checked(file, data, key, remember=remembering(session))
        return data, notes

    @staticmethod
    def default_export_name(kind: str, language: str) -> str:
        """Where an export of `kind` (report, xlsx, csv) in `language` goes when no file is named: exports/rapport-<date>.docx."""
        from qualcode.exporters.service import EXPORTS_DIR, default_stem

        suffix = "docx" if kind == "report" else kind
        return f"{EXPORTS_DIR}/{default_stem(kind, language)}-<date>.{suffix}"

    def in_exports(self, output: Path | None) -> Path | None:
        """A bare file name, as the terminal UI's form takes it, goes in the project's exports folder, where default names go too."""
        from qualcode.exporters.service import EXPORTS_DIR

        if output is None or output.is_absolute() or output.parent != Path():
            return output
        return self.root / EXPORTS_DIR / output

    @contextmanager
    def _reviewing(self) -> Iterator[tuple[Session, PseudonymKey]]:
        """A transaction for reviewers' comments, which are typed text from outside: written under
        the key, locked, as memos are (so two imports of one file at once wait for each other and
        the second finds the first's memos), and refused without it, after `key destroy` too."""
        # What it prints and where it puts each comment tells of the quotes they are on, others' too.
        self.refuse_if_blind("importing reviewers' comments")
        with self.typed() as session:
            assert self._typing_key is not None
            yield session, self._typing_key

    def import_review_file(self, path: Path) -> ReviewImport:
        """Reviewers' comments in a commented report stored as memos, as `qualcode review import` does."""
        from qualcode.coding.coders import made_reviewer_by_themselves
        from qualcode.exporters.review import import_review

        with self._reviewing() as (session, key):
            held = self._held_coder(session, self._runner_name(session))[1]
            if held is not None and not made_reviewer_by_themselves(session, held):
                self.coder(session)  # a reviewer the project holds is refused as who works, here as anywhere
            # Someone new who imports their own comments is made a reviewer by them, and imports all the same, then
            # and later (the right file, once they have taken back a wrong one).
            return import_review(session, path, key, lambda name: self._added_by(session, name, commenting=True),
                                 self._new_reviewer(session, key, path), lambda: self.coder(session, commenting=True))

    @staticmethod
    def _new_reviewer(session: Session, key: PseudonymKey | None, path: Path) -> Callable[[str], None] | None:
        """What refuses a reviewer new to the project whose name nobody has decided about."""
        from qualcode.importers.pseudonymise import refuse_new_reviewer

        return None if key is None else (lambda name: refuse_new_reviewer(session, key, name, path.name))

    def participants(self) -> list[ParticipantView]:
        from qualcode.coding.transcripts import describe_participants

        with self.begin() as session:
            return describe_participants(session)

    def edit_participant(self, participant: str, values: dict[str, str]) -> str:
        """Correct a participant's role, office, gender, age band or attributes (NAME=VALUE, comma-separated),
        as `qualcode participants edit`; returns what changed."""
        from qualcode.importers.metadata_edit import edit_participant

        fields = dict(values)
        attributes = attribute_pairs(fields.pop("attributes", ""))
        with self.typed() as session:
            edit = edit_participant(session, participant, self.coder(session), attributes=attributes or None, **fields)
        # A value stored as one with others' is said in the form's notification too: "nothing changed" alone misled.
        return "; ".join((", ".join(change.field for change in edit.changes) or "nothing changed", *edit.made_one))

    # --- the framework matrix -------------------------------------------------------------------
    def framework(self, codes: Sequence[str] = ()) -> FrameworkMatrix:
        """Participants by codes with their summaries and passages, as `qualcode framework show`."""
        from qualcode.analysis.framework import framework_matrix

        with self.begin() as session:
            return framework_matrix(session, codes, coders=self._mine())

    def framework_cell(self, participant: str, code_path: str) -> FrameworkCell:
        from qualcode.analysis.framework import framework_cell

        with self.begin() as session:
            return framework_cell(session, participant, code_path, self._mine())

    def set_summary(self, participant: str, code: str, text: str) -> FrameworkCell:
        """Write a cell's summary as typed text (names in it pseudonymised); an empty one clears the
        cell. `code` is a path or a GUID (a screen's cell, found though renamed since)."""
        from qualcode.analysis.framework import clear_summary, framework_cell, set_summary

        with self.typed() as session:
            if text.strip():
                set_summary(session, participant, code, text, self.coder(session))
            elif framework_cell(session, participant, code).summary is not None:
                clear_summary(session, participant, code, self.coder(session))
            return framework_cell(session, participant, code, self._mine())

    # --- the analysis screen --------------------------------------------------------------------
    def consensus_counted(self) -> bool:
        """Whether the analysis screen's counts (every coder's, or a blind coder's own) hold the consensus coder's
        copies of decided passages beside the coders' own, which `analyse` says on stderr."""
        from qualcode.coding.consensus import counted_beside_its_coders
        from qualcode.coding.passages import QuoteFilter

        with self.begin() as session:
            return counted_beside_its_coders(session, self._only_mine(QuoteFilter()))

    def analysis_matrix(self, by: str) -> tuple[Matrix, list[str]]:
        """Every code × the values of `by`, as `qualcode analyse matrix --by BY`, and the columns a matrix can be split by."""
        from qualcode.analysis.matrix import code_matrix
        from qualcode.analysis.passages import column_names
        from qualcode.coding.passages import QuoteFilter

        with self.begin() as session:
            return code_matrix(session, self._only_mine(QuoteFilter()), [by]), column_names(session)

    def matrix_cell_codings(self, by: str, code_path: str | None, value: str | None) -> tuple[int, ...]:
        """The codings merged into the passages one matrix cell counts: a code's cell (`value` None: its
        row total), or with `code_path` None the totals row's, which counts each top-level code's passages."""
        from qualcode.analysis.passages import coded
        from qualcode.coding.passages import QuoteFilter

        # The merged passages code_matrix counts, read as it reads them; unlike cell_passages, no Passage is
        # made and none is placed in its turn, which the passages browser does itself.
        with self.begin() as session:
            found = coded(session, self._only_mine(QuoteFilter()))
            code_id = next((code.id for code in found.rows if code.path == code_path), None)
            wanted = (lambda index: found.code[index] == code_id) if code_path is not None else (
                lambda index: found.code[index] in found.roots)
            return tuple(
                coding_id for index in found.order()
                if wanted(index) and (value is None or found.value(index, by) == value) for coding_id in found.coding_ids[index]
            )

    def cooccurrence(self, within: str) -> Cooccurrence:
        """The code × code co-occurrence of every passage, as `qualcode analyse cooccur --within WITHIN`."""
        from qualcode.analysis.cooccurrence import cooccurrence, parse_within
        from qualcode.coding.passages import QuoteFilter

        with self.begin() as session:
            return cooccurrence(session, self._only_mine(QuoteFilter()), parse_within(within))

    def cooccurrence_codings(self, within: str, first: str, second: str) -> tuple[int, ...]:
        """The codings of both passages of every pair one co-occurrence cell counts."""
        from qualcode.analysis.cooccurrence import cooccurring_pairs, parse_within
        from qualcode.coding.passages import QuoteFilter

        with self.begin() as session:
            pairs = cooccurring_pairs(session, self._only_mine(QuoteFilter()), parse_within(within), first, second)
            return tuple(dict.fromkeys(
                coding_id for pair in pairs for passage in (pair.first, pair.second) for coding_id in passage.coding_ids
            ))

    def quotes_of(self, codings: Sequence[int]) -> list[Quote]:
        """These codings as the passages browser shows them, with attribution details."""
        from qualcode.coding.passages import QuoteFilter, select_quotes

        if not codings:  # an empty filter would select every coding
            return []
        with self.begin() as session:
            quotes, _ = select_quotes(session, self._only_mine(QuoteFilter(codings=tuple(codings))))
            return quotes

    # --- comparing two coders and deciding by consensus -------------------------------------------
    def coders_of(self, transcript: str) -> list[str]:
        """The coders who coded the transcript (the consensus coder left out)."""
        from qualcode.coding.consensus import coders_of

        self.refuse_if_blind("comparing coders")
        with self.begin() as session:
            return coders_of(session, transcript)

    def coder_pair(self, transcript: str, named: Sequence[str]) -> tuple[str, str]:
        """The two coders to compare on the transcript, as stored: those named (as --coder finds a coder), or the two who coded it."""
        from qualcode.coding.consensus import choose_pair

        self.refuse_if_blind("comparing coders")
        with self.begin() as session:
            return choose_pair(session, transcript, self.stored_coder_names(session, named))

    def disagreements(self, transcript: str, coder_a: str, coder_b: str) -> list[Disagreement]:
        """Where the two coders' codings of the transcript disagree, in text order, with any decision made."""
        from qualcode.coding.consensus import disagreements

        self.refuse_if_blind("comparing coders")
        with self.begin() as session:
            return disagreements(session, transcript, coder_a, coder_b)

    def decide(self, disagreement: Disagreement, choice: str, span: tuple[int, int] | None = None) -> str:
        """Settle a disagreement under the consensus coder, as this coder's undoable change; what was decided."""
        return self.decide_with_notes(disagreement, choice, span)[0]

    def decide_with_notes(
        self, disagreement: Disagreement, choice: str, span: tuple[int, int] | None = None,
    ) -> tuple[str, tuple[str, ...]]:
        """As `decide`, with the notes on what was coded: an edited span that starts or ends inside a word
        is coded as given (a command line's offsets), and said, as `coding add` says it."""
        from qualcode.coding.consensus import Choice, decide

        self.refuse_if_blind("comparing coders")
        with self.begin() as session:
            made = decide(session, disagreement, Choice(choice), self.coder(session), span=span)
        if not made:
            return f"{disagreement.code_path} on line {disagreement.line}: neither kept, nothing coded", ()
        passages = f" ({len(made)} passages)" if len(made) > 1 else ""
        # Another pair's decision coded it already: this one keeps that coding (with three coders or more).
        already = ", coded so already by another decision" if any(not view.changed for view in made) else ""
        notes = tuple(
            f"note: the decision's coding {view.id} starts or ends inside {' and '.join(repr(word) for word in view.cut_words)},"
            f" as the offsets given say; `qualcode consensus reopen` and a decision on whole words mend it"
            for view in made if view.cut_words
        )
        return f"{made[0].code_path} on line {made[0].line} for {made[0].coder}{passages}{already}", notes

    def reopen(self, disagreement: Disagreement) -> str:
        """Take back the decision on a disagreement, so it can be decided again, as this coder's undoable change."""
        from qualcode.coding.consensus import reopen

        self.refuse_if_blind("comparing coders")
        with self.begin() as session:
            taken_back = reopen(session, disagreement, self.coder(session))
        what = "; ".join(f"{decision.decided_by}'s ({decision.what})" for decision in taken_back)
        return f"{disagreement.code_path} on line {disagreement.line}: took back {what}"

    # --- exchange with other QDA programs ---------------------------------------------------------
    def import_qdpx(self, path: Path) -> QdpxImport:
        """Import a REFI-QDA project, or merge a co-coder's copy, in one transaction.

        The file is read (and a hostile one refused) before the key is locked; under the lock
        its texts are pseudonymised, and possible identifiers nobody has decided about are kept
        in the key's review queue while the file is refused. The key is saved before any text
        that uses its pseudonyms is written, as every import does.
        """
        from qualcode.errors import NeedsReview
        from qualcode.exchange.project_import import import_qdpx
        from qualcode.exchange.qdpx_read import read_qdpx

        # What it prints (codings and memos already here, conflicts by transcript, line and span)
        # tells of every coder's work, as a .qdpx export of the project would.
        self.refuse_if_blind("importing a .qdpx")
        package = read_qdpx(path)
        access = self.key_access()
        held_back: NeedsReview | None = None
        with access.editing() as key:
            before = key.to_json()

            def settle() -> None:
                if key.to_json() != before:
                    access.save(key)

            try:
                self._typing_key = key
                with self.project.begin() as session:
                    done = import_qdpx(session, package, key, lambda: self.coder(session), settle_key=settle)
            except NeedsReview as error:
                held_back = error  # caught inside, so the queued candidates are saved with the key
            finally:
                self._typing_key = None
        if held_back is not None:
            raise held_back
        return done


@dataclass(frozen=True)
class ReviewDecision:
    """What a decision in the review left: the candidates still waiting, and what to tell the researcher it did."""

    pending: list[WaitingName]
    said: str
    spelt_alike: frozenset[str] = frozenset()  # of `pending`, those that may be no name at all (IdentifierReview.spelt_alike)


# A word the key replaces as written, refused as no name (`dismiss --not-a-name`): the review's keys for what it may be;
# and for words ("Haugen Bilpleie") holding one, whose name stays replaced when they are dismissed.
NOT_A_NAME_REFUSED_IN_UI = "d if it is theirs, or f, m or p if it is a person of its own"
PHRASE_NOT_A_NAME_REFUSED_IN_UI = "d to dismiss it, the name in it replaced still, or accept it as an identifier of its own (p, l, n, e, s or o)"


class IdentifierReview:
    """Deciding, one by one, about possible identifiers; each decision is kept in the key at once,
    and closing applies them all to the stored texts."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.access = workspace.key_access()
        from qualcode.anonymise.service import waiting_for_review

        key = self.access.load_existing()
        self.pending: list[WaitingName] = waiting_for_review(key)
        self.spelt_alike = _spelt_alike(key, self.pending)
        self.learned: list[str] = []  # accepted here: looked for in the project's files on closing
        self.still_held: list[tuple[Path, str | None]] = []

    def decide(self, text: str, kind: str | None, gender: str | None = None, *, not_a_name: bool = False) -> ReviewDecision:
        """Accept `text` as an identifier of `kind`, or dismiss it (kind None); `not_a_name`, dismiss it as no name at
        all, as `qualcode anonymise dismiss --not-a-name` does: a word only spelt like a name the key holds stays as written."""
        from qualcode.anonymise.service import (
            accept_candidate,
            dismiss,
            kept_as_theirs,
            mark_rewrite_due,
            only_spelt_alike,
            title_before,
            unmark_rewrite_due,
            waiting_for_review,
        )

        marked = False
        said = f"{text}: {kind.replace('_', ' ')}" if kind else f"{text}: {'no name, kept as written' if not_a_name else 'not an identifier'}"
        try:
            with self.access.editing() as key:  # read afresh under the lock: another command may have changed it
                if kind is None:
                    waiting = any(candidate.text.casefold() == text.casefold() for candidate in key.pending)
                    try:
                        theirs = dismiss(key, text, not_a_name)
                    except InvalidInput as refused:
                        # Refused for a word still waiting, it is one the key replaces as written: the command line's
                        # hint names the command without --not-a-name, the review its keys.
                        if not (not_a_name and waiting):
                            raise
                        in_ui = NOT_A_NAME_REFUSED_IN_UI if len(text.split()) == 1 else PHRASE_NOT_A_NAME_REFUSED_IN_UI
                        raise InvalidInput(refused.message, refused.hint, in_ui=in_ui) from None
                    # A name in doubt dismissed is the person the key replaces it as, not "not an identifier".
                    if theirs is not None:
                        said = kept_as_theirs(text, theirs)
                        # Off the review's list now, a word only spelt like their name is said to be no name by command.
                        if only_spelt_alike(key, text):
                            said += f"; if it is no name at all: qualcode anonymise dismiss --not-a-name {shlex.quote(text)}"
                else:
                    accept_candidate(key, text, kind, gender)
                    if title := title_before(text, kind):  # queued whole by an older qualcode: said, as `identifiers add` says it
                        said += f"; {title!r} is a title, no part of the name, and stays in the texts as written"
                    # Applied to the stored texts on closing: a UI quit before then left the name in them.
                    marked = mark_rewrite_due(self.workspace.project)
                    self.learned.append(text)
        except BaseException:
            if marked:
                unmark_rewrite_due(self.workspace.project)
            raise
        self.pending = waiting_for_review(key)  # notes too: a decision may settle another's doubt, or raise one
        self.spelt_alike = _spelt_alike(key, self.pending)
        return ReviewDecision(self.pending, said, self.spelt_alike)

    def close(self) -> Reapplied:
        """Apply what was decided to the stored texts; then (the key's lock let go) find the files in
        the project's folder, exports among them, that still hold what was learned (`still_held`),
        which no rewrite of the project reaches."""
        from qualcode.anonymise.leakcheck import files_holding
        from qualcode.anonymise.service import save_and_reapply

        with self.access.editing() as key:
            with self.workspace.begin() as session:
                coder_name = self.workspace.coder(session).name
            result = save_and_reapply(self.workspace.project, self.access, key, coder_name)
        learned = [entry for text in self.learned if (entry := key.entry_for(text)) is not None]
        self.still_held = files_holding(self.workspace.root, key, learned) if learned else []
        return result


def _spelt_alike(key: PseudonymKey, pending: list[WaitingName]) -> frozenset[str]:
    """The words of `pending` the key replaces only as spelt like a name it holds ("Nails" beside Nils): dismissed,
    they are that person's, so the review says how to keep one as written, as no name at all."""
    from qualcode.anonymise.service import only_spelt_alike

    return frozenset(candidate.text for candidate in pending if candidate.note is not None and only_spelt_alike(key, candidate.text))


CODEBOOK_SUFFIXES = (".yaml", ".yml", ".qdc")  # what `codebook export` writes: YAML, or REFI-QDA's codebook

# --- what the terminal UI's import, export and review screens are given --------------------------
IMPORT_FIELDS = ("participant", "role", "wave", "date", "fidelity")


def import_options(metadata: dict[str, str]) -> ImportOptions:
    """The import options typed in a form (empty fields left to the files' own front matter and sidecars)."""
    from qualcode.importers.service import ImportOptions

    given = {field: value.strip() for field, value in metadata.items() if value.strip()}
    unknown = sorted(set(given) - set(IMPORT_FIELDS))
    if unknown:
        raise InvalidInput(f"unknown import fields: {', '.join(unknown)}", f"use {', '.join(IMPORT_FIELDS)}")
    when = None
    if "date" in given:
        from qualcode.importers.metadata import parse_date

        try:
            when = parse_date(given.pop("date"), "import form")
        except ImportFailed:
            raise InvalidInput(f"date {metadata['date'].strip()!r} is not YYYY-MM-DD", "as 2025-03-14") from None
    if "wave" in given:  # refused once, not once for every file chosen
        from qualcode.coding.waves import check_wave

        given["wave"] = check_wave(given["wave"])
    return ImportOptions(
        participant=given.get("participant"), role=given.get("role"), wave=given.get("wave"), date=when,
        fidelity=given.get("fidelity"),
    )


@dataclass(frozen=True)
class PreviewLine:
    """One replacement a dry run would make, in the file's own words around it."""

    line: int
    kind: str
    original: str
    pseudonym: str
    context: str


@dataclass(frozen=True)
class ImportPreview:
    """What importing one file would do: its replacements, what waits for review, or why it cannot be read."""

    file: str
    replacements: tuple[PreviewLine, ...]
    candidates: tuple[str, ...]
    error: str | None = None


@dataclass(frozen=True)
class ImportOutcome:
    """A batch import, one line per file; `held_back` files wait for the identifier review."""

    imported: tuple[str, ...]
    skipped: tuple[str, ...]
    failed: tuple[str, ...]
    held_back: tuple[Path, ...]
    participants: str = ""


def _hold_back(file_name: str, held: Sequence[Proposal]) -> None:
    """Refuse a file holding possible identifiers nobody has decided about (queued for the review)."""
    from qualcode.errors import NeedsReview

    if held:
        from qualcode.text.counts import counted

        distinct = list(dict.fromkeys(proposal.text for proposal in held))
        raise NeedsReview(
            f"{file_name} has {counted(len(distinct), 'possible identifier')} nobody has decided about ({', '.join(distinct)});"
            " nothing imported",
            "decide with `qualcode anonymise review`, then import again",
        )



@dataclass(frozen=True)
class ReviewComment:
    """A reviewer's comment and where it went: a coding (with its transcript and offset to jump to), a code, the project, or nowhere."""

    author: str
    text: str
    attached_to: str
    new: bool
    code: str | None = None
    transcript: str | None = None
    start: int | None = None


@dataclass(frozen=True)
class ReviewRead:
    """A review import as the terminal UI shows it: each comment and where it went, placed ones
    first, and what was not imported (tracked changes, quotes typed over), said as the command line says it."""

    comments: list[ReviewComment]
    notes: list[str]


def review_read(result: ReviewImport) -> ReviewRead:
    comments = [ReviewComment(placed.author, placed.text, placed.attached_to, placed.new, placed.code_path, placed.transcript,
                              placed.start) for placed in result.placed]
    comments += [ReviewComment(unplaced.author, unplaced.text, f"not placed: {unplaced.why}", False) for unplaced in result.unplaced]
    notes = [tracked.note for tracked in result.tracked_changes] + [edited.note for edited in result.edited_quotes]
    return ReviewRead(comments, notes + [alike.note for alike in result.alike_before])
