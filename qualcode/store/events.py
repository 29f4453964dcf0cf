"""The kinds of event the append-only log holds, and writing one; undo/redo and the audit trail read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from qualcode.store.models import Coder, Event

TOGETHER = "together"  # in an event's payload: the key of the change it is one of the events of
# In an event's payload: when what it records was written, where that was before the event (a memo
# an import brings, written in the project it came from), as an ISO moment.
WRITTEN_AT = "written_at"
# In an event's payload: the GUID of what its entity stands in place of, where one came in again for another taken
# back (a reviewer's comment whose memo's import was undone, brought in by the next file that holds it).
IN_PLACE_OF = "in_place_of"
# In a session's info: a set shared by the sessions of one open project (store/project.py), to which
# record_event adds the GUID of each event it writes, so that events recorded by this process are
# told apart from another's (events_since).
RECORDED_HERE = "qualcode.recorded_here"
# In a replacement's `before` state: the name of the backup taken just before it (store/backups.py,
# `before-replace`), which holds the old text, for undo to name while it is still there.
BACKED_UP_IN = "backed_up_in"


class Entity(StrEnum):
    """What an event is about; stored in `Event.entity`, and what undo dispatches on."""

    CODE = "code"
    # Several codes and what they hold, changed as one (a merge, a deletion): its states name each row
    # it touched (coding/reshape.py), and undo puts all of them back.
    CODES = "codes"
    CODEBOOK = "codebook"  # the codebook's own name and description
    CODING = "coding"
    MEMO = "memo"
    TRANSCRIPT = "transcript"
    PARTICIPANT = "participant"
    # An attribute's definition (its name), for participants or transcripts; logged under attribute_names.attribute_guid.
    ATTRIBUTE = "attribute"
    CODER = "coder"
    SUMMARY = "summary"  # a framework matrix cell's summary
    # A consensus decision that codes nothing ("keep neither"): no row holds it, its events do.
    DECISION = "decision"


@dataclass(frozen=True)
class Restores:
    """An undoable kind: undo puts back the entity's `before` state, redo its `after` state."""

    what: str


@dataclass(frozen=True)
class Final:
    """A kind that cannot be undone, why, and (`hint`) what else takes it back, said when undo refuses."""

    why: str
    hint: str | None = None


class EventKind(StrEnum):
    """Every kind of event, each with its entity and what undo does with it.

    The values are the action strings stored in `Event.action` (existing projects hold them, and
    migrations write some), so they never change. A new kind needs its entity and its undo here,
    and, when undoable, a restore function for its entity in `coding/history.py`; the history
    text of each event is the summary its service writes. Read a stored action back with
    `event_kind(action)`.
    """

    # None: no one entity (the project; a withdrawn participant, who leaves no trace), or for undo
    # and redo the entity of the change they take back.
    entity: Entity | None
    undo: Restores | Final

    def __new__(cls, action: str, entity: Entity | None, undo: Restores | Final) -> EventKind:
        kind = str.__new__(cls, action)
        kind._value_ = action
        kind.entity = entity
        kind.undo = undo
        return kind

    @property
    def undoable(self) -> bool:
        """Whether an event of this kind goes on its coder's undo stack."""
        return isinstance(self.undo, Restores)

    CODE_CREATE = "code.create", Entity.CODE, Restores("undo deletes the code while nothing uses it; redo creates it again")
    CODE_UPDATE = "code.update", Entity.CODE, Restores(
        "the code's name, place, definition, rules, example, colour, shortcut and signal words"
    )
    CODE_MERGE = "code.merge", Entity.CODES, Restores(
        "the merged-away code, its sub-codes, codings, memos and framework summaries, and what it folded into the other code"
    )
    CODE_DELETE = "code.delete", Entity.CODES, Restores("the deleted code, and the codings, memos and framework summaries it took along")
    CODEBOOK_UPDATE = "codebook.update", Entity.CODEBOOK, Restores("the codebook's name and description")
    CODING_ADD = "coding.add", Entity.CODING, Restores("undo marks the coding removed; redo makes it live again")
    CODING_REMOVE = "coding.remove", Entity.CODING, Restores("undo makes the coding live again; redo removes it")
    CODING_RESIZE = "coding.resize", Entity.CODING, Restores("the coding's start, end and excerpt")
    CODING_RECODE = "coding.recode", Entity.CODING, Restores("the coding's code")
    CODING_MEMO = "coding.memo", Entity.CODING, Restores("the coding's own memo")
    CODING_ORPHAN = "coding.orphan", Entity.CODING, Final(
        "replacing a transcript's text left the coding no place, and the old text is gone;"
        " `qualcode coding list --orphaned` lists it for review"
    )
    CODING_REANCHOR = "coding.reanchor", Entity.CODING, Final(
        "a replaced text held again, word for word, the excerpt of a coding an earlier replacement orphaned,"
        " so it is live there again; `qualcode coding remove N` removes it"
    )
    MEMO_ADD = "memo.add", Entity.MEMO, Restores("undo marks the memo removed; redo brings it back")
    MEMO_REMOVE = "memo.remove", Entity.MEMO, Restores("undo brings the memo back; redo removes it again")
    TRANSCRIPT_IMPORT = "transcript.import", Entity.TRANSCRIPT, Final(
        "taking an import back would delete the transcript and every coding made on it since"
    )
    TRANSCRIPT_REPLACE = "transcript.replace", Entity.TRANSCRIPT, Final(
        "the old text is deleted once its codings are re-anchored; import the old file with --replace to go back",
        "without the old file, a backup taken before the replacement holds the old text (`qualcode backup list`),"
        " but restoring it takes back every change made since",
    )
    TRANSCRIPT_MERGE = "transcript.merge", Entity.TRANSCRIPT, Final(
        "only the upgrade to schema 0002 writes it, when it merged a text imported twice at once; the copy is deleted"
    )
    TRANSCRIPT_WAVE = "transcript.wave", Entity.TRANSCRIPT, Final(
        "only the upgrade to schema 0011 writes it, when it upper-cased a wave stored before waves were (t2 beside T2);"
        " `qualcode transcripts edit` changes the wave"
    )
    TRANSCRIPT_EDIT = "transcript.edit", Entity.TRANSCRIPT, Restores(
        "the transcript's title, wave, date, fidelity, interviewer, participants, attribute values and who speaks which turn"
    )
    PARTICIPANT_CREATE = "participant.create", Entity.PARTICIPANT, Final(
        "made by importing a participant list; `qualcode participants edit` corrects it"
    )
    PARTICIPANT_UPDATE = "participant.update", Entity.PARTICIPANT, Final(
        "made by importing a participant list; `qualcode participants edit` corrects it"
    )
    PARTICIPANT_EDIT = "participant.edit", Entity.PARTICIPANT, Restores(
        "the participant's role, gender, age band, office and attribute values"
    )
    ATTRIBUTE_RENAME = "attribute.rename", Entity.ATTRIBUTE, Restores(
        "the attribute's name, where the log's records of participants' and transcripts' changes name it too"
    )
    PARTICIPANT_WITHDRAW = "participant.withdraw", None, Final(
        "a participant who withdrew consent has their data deleted for good"
    )
    # Its own kind, not a withdrawal: backups are told apart by the withdrawals they record (store/backups.py).
    WITHDRAWAL_KEY_SETTLED = "participant.withdraw-key-settled", None, Final(
        "a withdrawal interrupted before the key was saved was recorded as finished once the key was destroyed;"
        " there is no key to put anything back in"
    )
    CODER_CREATE = "coder.create", Entity.CODER, Final("every change a coder makes, their undo stack too, refers to them")
    CODER_UPDATE = "coder.update", Entity.CODER, Final("`qualcode coder role NAME ROLE` sets the role again")
    # Not undoable: the coder who made a role blind may be of it, and undo would lift their own blindness.
    CODER_BLIND = "coder.blind", None, Final("`qualcode coder blind on|off --role ROLE` sets it again")
    PROJECT_CREATE = "project.create", None, Final("there was nothing before it")
    PROJECT_RESTORE = "project.restore", None, Final(
        "the state before was kept as a backup; `qualcode backup restore` of that backup goes back"
    )
    FRAMEWORK_SET = "framework.set", Entity.SUMMARY, Restores(
        "the summary's text and the passages it was written on; undo of the first one clears it"
    )
    FRAMEWORK_CLEAR = "framework.clear", Entity.SUMMARY, Restores("undo brings the summary back; redo clears it again")
    CONSENSUS_NEITHER = "consensus.neither", Entity.DECISION, Restores(
        "undo withdraws the decision to code neither coder's passage, so the disagreement is undecided again; redo decides it again"
    )
    # Keeping a coder's passage the consensus coder codes already (another pair of coders' decision coded it).
    CONSENSUS_KEEP = "consensus.keep", Entity.DECISION, Restores(
        "undo withdraws the decision to keep a passage the consensus coder coded already, so the disagreement is"
        " undecided again (the coding stays, another decision's); redo decides it again"
    )
    # Anyone's taking back of one decision recorded as an event of its own (a coding a decision made is taken back
    # by a coding.remove of the same change).
    CONSENSUS_REOPEN = "consensus.reopen", Entity.DECISION, Restores(
        "undo makes the decision taken back stand again; redo takes it back again"
    )
    ANONYMISE_REAPPLY = "anonymise.reapply", None, Final("putting identifiers back would undo the pseudonymisation")
    # Names no original: the word taken out of the key is no identifier, and the log says only what stood for it.
    IDENTIFIER_REMOVE = "identifier.remove", None, Final(
        "the log keeps no original to put back; `qualcode identifiers add NAME --kind KIND` (with --pseudonym"
        " to have the same one) puts it in the key again and pseudonymises the texts anew"
    )
    # Nothing secret is logged: the old passphrase is kept nowhere to go back to.
    KEY_PASSPHRASE = "key.passphrase", None, Final(
        "the old passphrase is kept nowhere; `qualcode key passphrase` sets another"
    )
    # A key made in place of one destroyed or lost: what that key held (whose pseudonyms the names
    # a review import gave were) is gone, and a withdrawal after it says so (anonymise/withdraw.py).
    KEY_NEW = "key.new", None, Final("the key it took the place of is gone; nothing is kept to go back to")
    UNDO = "undo", None, Final("`qualcode redo` takes an undo back")
    REDO = "redo", None, Final("`qualcode undo` takes a redo back")


_KINDS_BY_ACTION: dict[str, EventKind] = {kind.value: kind for kind in EventKind}


def event_kind(action: str) -> EventKind:
    """The kind of a stored event's action string."""
    try:
        return _KINDS_BY_ACTION[action]
    except KeyError:
        raise ValueError(f"{action!r} is not a kind of event") from None


def record_event(
    session: Session,
    *,
    kind: EventKind,
    summary: str,
    coder: Coder | None = None,
    entity_guid: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    refers_to: Event | None = None,
    consensus: dict[str, Any] | None = None,
    together: str | None = None,
    written_at: datetime | None = None,
    in_place_of: str | None = None,
) -> Event:
    """Append one event; `before` and `after` are the entity's state, so either can be restored.

    `consensus` says, for a consensus decision, between whom and how it was decided (see
    coding/consensus.py), as fields the method note reads rather than words in the summary.
    `together` is a key the events of one change made in several share: undo and redo take them as one.
    `written_at`: when what the event records was written, if before the event (see WRITTEN_AT); `in_place_of`,
    what its entity stands in place of (IN_PLACE_OF)."""
    entity: str | None = kind.entity.value if kind.entity is not None else None
    if entity is None and refers_to is not None:  # undo and redo concern what the change they take back concerned
        entity = refers_to.entity
    recorded = Event(
        action=kind.value,
        summary=summary,
        coder=coder,
        entity=entity,
        entity_guid=entity_guid,
        payload={"before": before, "after": after} | ({"consensus": consensus} if consensus is not None else {})
        | ({TOGETHER: together} if together is not None else {})
        | ({WRITTEN_AT: written_at.isoformat()} if written_at is not None else {})
        | ({IN_PLACE_OF: in_place_of} if in_place_of is not None else {}),
        undoable=kind.undoable,
        refers_to_id=refers_to.id if refers_to is not None else None,
    )
    session.add(recorded)
    session.flush()
    recorded_here = session.info.get(RECORDED_HERE)
    if recorded_here is not None:
        # Added as it is written, before the commit: a look at the log from another thread never
        # finds it committed and not yet known as this process's. One rolled back stays, unseen.
        recorded_here.add(recorded.guid)
    return recorded


@dataclass(frozen=True)
class LogMark:
    """Where the event log ended when it was read: its newest event, by id and GUID (a withdrawal
    deletes events, and SQLite gives a deleted newest event's id to the next one)."""

    event_id: int
    guid: str


def log_mark(session: Session) -> LogMark | None:
    """The log's newest event (None while it holds none)."""
    newest = session.execute(select(Event.id, Event.guid).order_by(Event.id.desc()).limit(1)).first()
    return LogMark(newest.id, newest.guid) if newest is not None else None


def events_since(session: Session, mark: LogMark | None) -> tuple[LogMark | None, tuple[str, ...] | None]:
    """The log's mark now, and the GUIDs of the events recorded after `mark`; None for them where
    `mark`'s event is no longer there as it was (events deleted: what was read then may be gone).

    One look up the primary key from `mark` on: when nothing was recorded, it reads one row."""
    rows = session.execute(
        select(Event.id, Event.guid).where(Event.id >= (mark.event_id if mark is not None else 0)).order_by(Event.id)
    ).all()
    if mark is not None and (not rows or (rows[0].id, rows[0].guid) != (mark.event_id, mark.guid)):
        return log_mark(session), None
    newer = rows[1:] if mark is not None else rows
    now = LogMark(newer[-1].id, newer[-1].guid) if newer else mark
    return now, tuple(row.guid for row in newer)


def hold_write_lock(session: Session) -> None:
    """Take the database's write lock now, until the transaction ends, so what it reads before it
    writes (the undo stack, say) cannot change under it: another command's writes wait.

    SQLite's Python driver begins a transaction only at the first write, so the reads before it
    each see the latest commit and two commands may both act on what they read. An UPDATE that
    changes nothing begins the transaction and takes the lock.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE settings SET value = value WHERE 0"))
