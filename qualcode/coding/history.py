"""Undo, redo and the audit trail, all read from the append-only event log.

Each coder has their own undo stack, rebuilt from the log: a change pushes onto it and
clears the redo stack, an undo moves the top change to the redo stack, a redo moves it back.
Because the log is in the database, undo works across sessions and restarts. Undo and redo
never put back a state over a later change by someone else: they are refused until that change
is undone, so no one's work is lost to another's undo; a later change no one can undo makes the
earlier one final, and undo passes over it to the change before. A change made as several events
(a consensus decision keeping two passages) is stepped whole or not at all, and no step makes a
consensus decision stand again beside one that decides its disagreement now.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from qualcode.codebook.model import name_twin_keys
from qualcode.codebook.service import (
    RESHAPING,
    code_as_typed,
    code_state,
    codebook_state,
    counts_left_out,
    place_code,
    restore_codebook,
    shortcut_taken,
)
from qualcode.coding.coders import (
    CONSENSUS_CODER,
    REVIEWER,
    find_coder,
    made_reviewer_by_themselves,
    refuse_reviewer,
)
from qualcode.coding.consensus import refuse_deciding_twice
from qualcode.coding.memos import import_undone, memo_state
from qualcode.coding.reshape import (
    ROW_WORDS,
    TABLES,
    changed_since,
    may_have_touched,
    recorded_state,
    restore_reshape,
    touched_guids,
)
from qualcode.coding.service import coding_state, refuse_duplicate_coding
from qualcode.coding.waves import project_wave
from qualcode.errors import ChangedByOthers as ChangedByOthers  # others import it from here
from qualcode.errors import InvalidInput, NothingToUndo
from qualcode.store.attribute_names import attribute_logged_as, rename_in_states
from qualcode.store.backups import BACKUPS_HERE, backup_named
from qualcode.store.bulk import in_values
from qualcode.store.events import (
    BACKED_UP_IN,
    IN_PLACE_OF,
    TOGETHER,
    Entity,
    EventKind,
    Final,
    event_kind,
    hold_write_lock,
    record_event,
)
from qualcode.store.models import (
    AttributeDefinition,
    Code,
    Coder,
    Coding,
    Event,
    FrameworkSummary,
    Memo,
    Participant,
    ParticipantAttribute,
    Transcript,
    TranscriptAttribute,
    TranscriptParticipant,
    Turn,
    shown_moment,
    utcnow,
)

PAST_TENSE = {EventKind.UNDO: "undid", EventKind.REDO: "redid"}
TAKING_BACK = (EventKind.UNDO.value, EventKind.REDO.value)


@dataclass(frozen=True)
class EventView:
    id: int
    at: str
    coder: str | None
    action: str
    entity: str | None
    entity_guid: str | None
    summary: str
    refers_to: int | None = None  # an undo's or redo's: the id of the event it took back or made again


def _view(event: Event) -> EventView:
    return EventView(
        id=event.id, at=shown_moment(event.at), coder=event.coder.name if event.coder else None,
        action=event.action, entity=event.entity, entity_guid=event.entity_guid, summary=event.summary,
        refers_to=event.refers_to_id,
    )


def _stacks(session: Session, coder: Coder) -> tuple[list[int], list[int]]:
    undo_stack: list[int] = []
    redo_stack: list[int] = []
    rows = session.execute(
        select(Event.id, Event.action, Event.refers_to_id, Event.undoable)
        .where(Event.coder_id == coder.id, (Event.undoable.is_(True)) | Event.action.in_(TAKING_BACK))
        .order_by(Event.id)
    )
    for event_id, action, refers_to, _undoable in rows:
        if action == EventKind.UNDO:
            if undo_stack and undo_stack[-1] == refers_to:
                redo_stack.append(undo_stack.pop())
        elif action == EventKind.REDO:
            if redo_stack and redo_stack[-1] == refers_to:
                undo_stack.append(redo_stack.pop())
        else:
            undo_stack.append(event_id)
            redo_stack.clear()
    return undo_stack, redo_stack


BECAME_FINAL = "became_final"  # in an event's payload: why it can no longer be undone
PASSED_OVER = "passed_over"  # in an undo's payload: the ids of the later changes it named as passed over
# A change made as several events (a consensus decision keeping a coder's two passages codes two) marks them
# TOGETHER: undo and redo take them back and make them again as one.


class BecameFinal(NothingToUndo):
    """An undoable change that can never be undone now (a code's creation, once the code holds the
    record of its use; an edit naming a participant who withdrew); undo marks it so and goes on to
    the coder's change before it."""


def undo(session: Session, coder: Coder, *, blind: bool = False) -> EventView:
    """Undo this coder's most recent change that is not yet undone (`blind`: by a coder who sees only their
    own codings, recorded as a coding's change records it, for the method note).

    A later change that cannot be undone (an import, a replaced text, a withdrawal; or a change a
    rewrite of its transcript's text made impossible to undo) is passed over, and the summary says
    so and why, so no one takes the undo for that change's.
    """
    hold_write_lock(session)  # two undos at once must not both take back the same change
    undo_stack, redo_stack = _stacks(session, coder)
    if not undo_stack:
        _refuse_reviewer_stepping(session, coder, [])  # said of a reviewer as anything else they may not do is
    # With something to redo, the coder's last change was undone: there is nothing more to say.
    if not undo_stack and not redo_stack and (last := _last_final(session, coder, blind)) is not None:
        # Say why the coder's own changes cannot be undone, rather than that there are none.
        summary, why, undone, hint = last
        if undone:  # it was undone before it became final: not "cannot be undone" of a change undone already
            raise NothingToUndo(f"nothing to undo for {coder.name}: your last change ({summary}) is undone already,"
                                f" and cannot be redone: {why}")
        raise NothingToUndo(f"nothing to undo for {coder.name}: your last change ({summary}) cannot be undone: {why}", hint)
    if not undo_stack:
        raise NothingToUndo(f"nothing to undo for {coder.name}")
    while True:
        made_together = _made_together(session, undo_stack)
        _refuse_reviewer_stepping(session, coder, made_together)
        try:
            done, taken_back_id = _step_all(session, coder, made_together, EventKind.UNDO, "before", blind)
            break
        except BecameFinal as final:
            # Never to be undone: off the stack for good, so the coder's earlier changes can be,
            # with why kept on the event for the undo that passes over it to say.
            for _ in made_together:
                target = session.get_one(Event, undo_stack.pop())
                target.undoable = False
                target.payload = {**target.payload, BECAME_FINAL: final.message}
            if not undo_stack:
                raise NothingToUndo(f"nothing else to undo for {coder.name}: {final.message}", final.hint) from None
    passed = _passed_over(session, coder, done.id, blind)
    if not passed:
        return done
    # Kept on the undo's event, so a later undo passing over them again does not name them twice.
    taken_back = session.get_one(Event, taken_back_id)
    taken_back.payload = {**taken_back.payload, PASSED_OVER: [event_id for event_id, _, _ in passed]}
    shown = "; ".join(f"{summary} ({why})" for _, summary, why in passed[:3])
    more = f"; and {len(passed) - 3} more" if len(passed) > 3 else ""
    return replace(done, summary=f"{done.summary} — passed over your later changes that cannot be undone: {shown}{more}")


# Changes a coder makes on purpose that cannot be undone: undo passes over them to the change
# before, and says so, so that it does not seem to take back the latest. (An orphaned coding is a
# consequence of a replacement, a coder is created by their first change.)
_FINAL_DONE_ON_PURPOSE = frozenset({
    EventKind.TRANSCRIPT_IMPORT, EventKind.TRANSCRIPT_REPLACE, EventKind.PARTICIPANT_CREATE, EventKind.PARTICIPANT_UPDATE,
    EventKind.PARTICIPANT_WITHDRAW, EventKind.PROJECT_RESTORE, EventKind.ANONYMISE_REAPPLY, EventKind.KEY_PASSPHRASE,
    EventKind.IDENTIFIER_REMOVE,
    # `coder add`, `coder role` and `coder blind`, the change of whoever ran them (a coder's own first use is left out above).
    EventKind.CODER_CREATE, EventKind.CODER_UPDATE, EventKind.CODER_BLIND,
})


def _passed_over(session: Session, coder: Coder, target_id: int, blind: bool = False) -> list[tuple[int, str, str]]:
    """The coder's changes after `target_id` that undo cannot take back, each with its id and why (its summary
    as a `blind` coder is told it): of an undoable kind made impossible by a rewrite or become final, or of a
    kind never undone.

    A change already undone is not passed over, nor is one an earlier undo named already.
    """
    later = session.execute(
        select(Event.id, Event.action, Event.undoable, Event.summary, Event.payload, Event.refers_to_id)
        .where(Event.coder_id == coder.id, Event.id > target_id)
        # A coder made on their own first use is no change of theirs to speak of; one added by another is.
        .where(~((Event.action == EventKind.CODER_CREATE) & (Event.entity_guid == coder.guid)))
        .order_by(Event.id)
    ).all()
    undone: set[int] = set()
    named: set[int] = set()
    for _, action, _, _, payload, refers_to in later:
        if action == EventKind.UNDO:
            undone.add(refers_to)
            named.update((payload or {}).get(PASSED_OVER, []))
        elif action == EventKind.REDO:
            undone.discard(refers_to)
    passed = []
    for event_id, action, undoable, summary, payload, _ in later:
        if action in TAKING_BACK or undoable or event_id in undone or event_id in named:
            continue
        if (why := _why_final(action, payload)) is not None:
            # The old text of a replacement passed over is in the backup its import took: named, as where the
            # replacement is the coder's last change, so going back is not left to a search of the backups.
            if action == EventKind.TRANSCRIPT_REPLACE and BECAME_FINAL not in (payload or {}):
                if (backup := _backup_before_replacing(session, payload)) is not None:
                    why = f"{why}, or {backup}"
            passed.append((event_id, _told(summary, action, blind), why))
    return passed


def _why_final(action: str, payload: dict[str, Any] | None) -> str | None:
    """Why a change that is not undoable cannot be undone, if undo should say so."""
    kind = event_kind(action)
    if payload and BECAME_FINAL in payload:  # see BecameFinal
        return str(payload[BECAME_FINAL])
    if kind.undoable:
        return "its transcript's text was rewritten since"
    if kind in _FINAL_DONE_ON_PURPOSE and isinstance(kind.undo, Final):
        return kind.undo.why
    return None


def _last_final(session: Session, coder: Coder, blind: bool = False) -> tuple[str, str, bool, str | None] | None:
    """The coder's latest change that cannot be undone (its summary as a `blind` coder is told it), why,
    whether they had undone it before it became final, and what to do instead; None if there is none to speak of."""
    latest = session.execute(
        select(Event.id, Event.action, Event.summary, Event.payload)
        .where(Event.coder_id == coder.id, Event.undoable.is_(False), Event.action.not_in(TAKING_BACK))
        .where(~((Event.action == EventKind.CODER_CREATE) & (Event.entity_guid == coder.guid)))  # their own first use
        .order_by(Event.id.desc()).limit(20)  # past such changes as undo never speaks of
    )
    # What the coder's undos and redos left each change: undone if the last to take it back was an undo.
    taken_back = dict(session.execute(
        select(Event.refers_to_id, Event.action).where(Event.coder_id == coder.id, Event.action.in_(TAKING_BACK))
        .order_by(Event.id)
    ).all())
    for event_id, action, summary, payload in latest:
        if (why := _why_final(action, payload)) is not None:
            kind = event_kind(action)
            # A kind final by design says what takes it back, if anything does; a change made final since
            # (its text rewritten) is made again by hand.
            hint = kind.undo.hint if isinstance(kind.undo, Final) and BECAME_FINAL not in (payload or {}) else (
                "change it directly instead, as `qualcode coding remove N` removes a coding")
            if kind == EventKind.TRANSCRIPT_REPLACE and BECAME_FINAL not in (payload or {}):
                hint = _backup_before_replacing(session, payload) or hint
            return _told(summary, action, blind), why, taken_back.get(event_id) == EventKind.UNDO, hint
    return None


def _backup_before_replacing(session: Session, payload: dict[str, Any] | None) -> str | None:
    """What goes back from a replaced text without the old file: the backup its import took just before,
    by name and time, while it is still there (newer replacements rotate it away, a withdrawal deletes it)."""
    name = ((payload or {}).get("before") or {}).get(BACKED_UP_IN)
    folder = session.info.get(BACKUPS_HERE)
    backup = backup_named(folder, name) if name and folder is not None else None
    if backup is None:
        return None
    return (f"without the old file, restore the backup taken just before the replacement ({backup.taken:%Y-%m-%d %H:%M}):"
            f" qualcode backup restore {backup.name}; it takes back every change made since")


def redo(session: Session, coder: Coder, *, blind: bool = False) -> EventView:
    """Redo the change this coder most recently undid, if nothing new was done since (`blind`: as for undo)."""
    hold_write_lock(session)
    _, redo_stack = _stacks(session, coder)
    if not redo_stack:
        _refuse_reviewer_stepping(session, coder, [])
    last_step = session.execute(
        select(Event.action, Event.refers_to_id).where(Event.coder_id == coder.id).order_by(Event.id.desc()).limit(1)
    ).first()
    if not redo_stack and last_step is not None and last_step.action == EventKind.UNDO:
        undone = session.get(Event, last_step.refers_to_id) if last_step.refers_to_id is not None else None
        why = _why_final(undone.action, undone.payload) if undone is not None and not undone.undoable else None
        if undone is not None and why is not None:
            # What they undid last was made final since (its text rewritten): said, not "nothing to redo".
            raise NothingToUndo(f"nothing to redo for {coder.name}: what you last undid"
                                f" ({_told(undone.summary, undone.action, blind)}) cannot be redone: {why}")
    if not redo_stack:
        raise NothingToUndo(f"nothing to redo for {coder.name}")
    made_together = _made_together(session, redo_stack)
    _refuse_reviewer_stepping(session, coder, made_together)
    _refuse_comments_in_again(session, coder, made_together)
    return _step_all(session, coder, made_together, EventKind.REDO, "after", blind)[0]


def _refuse_comments_in_again(session: Session, coder: Coder, ids: list[int]) -> None:
    """Refuse to redo a review import whose comments an import since brought in again (one whose import is undone
    comes in again with the next file that holds it): redone, each would be there twice."""
    added = [event.entity_guid for event in (session.get_one(Event, event_id) for event_id in ids)
             if event.action == EventKind.MEMO_ADD.value]
    review = set(session.scalars(select(Memo.guid).where(Memo.guid.in_(added), Memo.source.like("review:%"))))
    undone_at = session.scalar(select(func.max(Event.id)).where(Event.action == EventKind.UNDO.value, Event.entity_guid.in_(review)))
    # Brought in, or made to stand again (a colleague's redo of an import of the same file, an undo of a removal), since
    # they were undone: one alike in every sign (a second "Ja." in the same minute) that stood before is no repeat.
    since = session.scalars(select(Memo).join(Event, Event.entity_guid == Memo.guid).where(
        Memo.guid.in_(_same_comments(session, review) - review),
        Event.action.in_((EventKind.MEMO_ADD.value, EventKind.REDO.value, EventKind.UNDO.value)), Event.id > undone_at,
    ).order_by(Memo.id)).unique().all() if review and undone_at is not None else []
    # One removed since by a removal of its own (`memo remove`) was a decision about the comment, which a redo would undo.
    again = next((memo for memo in since if not import_undone(session, memo)), None)
    if again is not None:
        raise NothingToUndo(f"nothing to redo for {coder.name}: the comments of what you last undid came in again since,"
                            f" by another import (memo {again.id}{', removed since' if again.removed_at is not None else ''})")


def _same_comments(session: Session, guids: set[str]) -> set[str]:
    """The GUIDs of the memos that may hold the comments the memos `guids` hold: those stored under one of their
    digests, and those brought in for one of them whose import was undone (IN_PLACE_OF), or they for those, and so
    on: a digest is made with the key's secret, which `key new` changed."""
    found: set[str] = set()
    while new := guids - found:
        found |= new
        sources = select(Memo.source).where(Memo.guid.in_(new), Memo.source.like("review:%")).scalar_subquery()
        guids = found | set(session.scalars(select(Memo.guid).where(Memo.source.in_(sources))))
        added = select(Event).where(Event.action == EventKind.MEMO_ADD.value)
        guids |= {guid for guid in session.scalars(added.with_only_columns(Event.entity_guid).where(
            Event.payload[IN_PLACE_OF].as_string().in_(new))) if guid is not None}
        guids |= {guid for guid in session.scalars(added.with_only_columns(Event.payload[IN_PLACE_OF].as_string()).where(
            Event.entity_guid.in_(new))) if guid is not None}
    return found


def _refuse_reviewer_stepping(session: Session, coder: Coder, ids: list[int]) -> None:
    """Refuse a reviewer's undo or redo of anything but a review import of theirs: someone new who imported
    their own comments was made a reviewer by it, and takes it back (or makes it again) as anyone takes back their
    own change; a reviewer codes and changes nothing else, so a change they made before the team made them one
    (a coding) is refused them as coding is."""
    if coder.role != REVIEWER:
        return
    if not ids:  # nothing of theirs to step: refused as a reviewer, not "nothing to undo", which would say they may
        if not made_reviewer_by_themselves(session, coder):
            refuse_reviewer(coder)
        return  # made a reviewer by their own review import: theirs to step, and nothing is left of it (a withdrawal took it)
    events = [session.get_one(Event, event_id) for event_id in ids]
    sources = session.scalars(select(Memo.source).where(Memo.guid.in_([event.entity_guid for event in events]))).all()
    if (all(event.action == EventKind.MEMO_ADD.value for event in events) and len(sources) == len(events)
            and all((source or "").startswith("review:") for source in sources)):
        return
    refuse_reviewer(coder)


def _made_together(session: Session, stack: list[int]) -> list[int]:
    """The change on top of `stack`, as the ids of its events from the top down: one, or those recorded
    as one change (TOGETHER), which sit on the stack one after another."""
    key = (session.get_one(Event, stack[-1]).payload or {}).get(TOGETHER)
    if key is None:
        return [stack[-1]]
    ids = []
    for event_id in reversed(stack):
        if (session.get_one(Event, event_id).payload or {}).get(TOGETHER) != key:
            break
        ids.append(event_id)
    return ids


def _step_all(
    session: Session, coder: Coder, ids: list[int], step: EventKind, state: str, blind: bool = False,
) -> tuple[EventView, int]:
    """Take back (or make again) the events of one change, in the order given: the first's view (saying how
    many more there were), and the id of the event recording its step. They are stepped in a savepoint, so a
    refusal of any, or of what they make stand again, leaves all as they were."""
    # Held while they are stepped: the session keeps only weakly what nothing refers to, and each look-up would read
    # an event's record again (a big merge's is megabytes of JSON).
    _held = [session.get_one(Event, event_id) for event_id in ids]
    _refuse_part_of_it_final(session, coder, ids, step, blind)
    with session.begin_nested():
        codes_put_back = _codes_made_way_for(session, ids, state)
        done, recorded_id = _step(session, coder, ids[0], step, state, blind, codes_put_back)
        for event_id in ids[1:]:
            _step(session, coder, event_id, step, state, blind, codes_put_back)
        refuse_deciding_twice(session, _decisions_standing_again(session, ids, step), str(step))
    if len(ids) == 1:
        return done, recorded_id
    more = len(ids) - 1
    return replace(done, summary=f"{done.summary} (and {more} more change{'s' if more > 1 else ''} made with it)"), recorded_id


def _codes_made_way_for(session: Session, ids: list[int], state: str) -> dict[int, dict[str, Any] | None]:
    """The state each code the events of one change touch is put back to, by the event that puts it back:
    the last of its events in `ids`, with what each of them changed (_changed_by) over the code as it is
    now; the code's other events put nothing back. Each code to go to another path, or to go (its
    creation undone), is put aside first, at a path no code can have, as a codebook file's moves were
    made: two codes that traded places go back without meeting midway, and a code moved back does not
    meet one the same change made where it stood."""
    last: dict[str, int] = {}
    changed_of: dict[str, dict[str, Any] | None] = {}
    for event_id in ids:
        target = session.get_one(Event, event_id)
        if target.entity == Entity.CODE.value and target.entity_guid is not None:
            last[target.entity_guid] = event_id
            changed = _changed_by(target.payload, state)
            # In the order stepped: an undo's last is the change's first event, whose state before is the code's before it.
            changed_of[target.entity_guid] = None if changed is None else {**(changed_of.get(target.entity_guid) or {}), **changed}
    codes = {guid: session.scalar(select(Code).where(Code.guid == guid)) for guid in last}
    # Over the code as it is now, read before any is put aside: a change since to another field (one undo passed over) stands.
    wanted_of = {guid: {**code_state(code), **changed} if code is not None and changed is not None else changed
                 for guid, code, changed in ((guid, codes[guid], changed_of[guid]) for guid in last)}
    if len(last) > 1:
        going = {guid for guid, code in codes.items() if code is not None and wanted_of[guid] is None}
        for guid in going:
            # A code that cannot go (it holds codings, or a sub-code this change neither takes
            # away nor moves elsewhere) is refused by its own path now, before any code is put aside.
            code = codes[guid]
            assert code is not None
            held = [hold for hold in _what_holds_code(session, code) if not hold.endswith(("sub-code", "sub-codes"))]
            staying = [child for child in code.children if child.guid not in going and (
                child.guid not in wanted_of or (wanted_of[child.guid] or {}).get("parent_guid") == guid)]
            if held or staying:
                _restore_code(session, guid, None)
        for guid, code in codes.items():
            wanted = wanted_of[guid]
            if code is not None and (wanted is None or wanted["path"] != code.path):
                # A line break is in no code's name (the typed-text guard keeps names on one line).
                place_code(code, code.parent, f"{code.path.rpartition('/')[0]}/\nmoving {code.id}".lstrip("/"))
        session.flush()
    return {last[guid]: wanted_of[guid] for guid in last}


def _refuse_part_of_it_final(session: Session, coder: Coder, ids: list[int], step: EventKind, blind: bool = False) -> None:
    """Refuse to step a change made as several events when one of them cannot be stepped any more (its transcript's
    text was rewritten since, say): the rest alone would be half of it. Undo then passes over it whole."""
    target = session.get_one(Event, ids[0])
    key = (target.payload or {}).get(TOGETHER)
    if key is None:
        return
    final = session.scalars(select(Event).where(
        Event.coder_id == coder.id, Event.payload[TOGETHER].as_string() == str(key), Event.id.not_in(ids),
    ).order_by(Event.id).limit(1)).first()
    if final is None:
        return
    why = _why_final(final.action, final.payload) or "it is no longer on your undo stack"
    if step == EventKind.UNDO:
        raise BecameFinal(f"a change made with it cannot be undone: {why}")
    raise NothingToUndo(f"nothing to redo for {coder.name}: what you last undid ({_told(target.summary, target.action, blind)}) cannot be redone,"
                        f" as a change made with it cannot: {why}")


def _decisions_standing_again(session: Session, ids: list[int], step: EventKind) -> list[Event]:
    """The consensus decisions (their first events) that stepping these events may make stand again: a redo of a
    decision, an undo of its taking back (a reopening, or a removal of a coding it made), and either of a change to
    a coding it made that moves it (to its code again, or its place)."""
    made: list[Event] = []
    for target in (session.get_one(Event, event_id) for event_id in ids):
        if step == EventKind.REDO and target.action in _DECIDING:
            made.append(target)
        elif step == EventKind.UNDO and target.action == EventKind.CONSENSUS_REOPEN.value and target.refers_to_id is not None:
            made.append(session.get_one(Event, target.refers_to_id))
        elif (step == EventKind.UNDO and target.action == EventKind.CODING_REMOVE.value) or target.action in _MOVING:
            added = session.scalar(select(Event).where(
                Event.entity_guid == target.entity_guid, Event.action == EventKind.CODING_ADD.value).order_by(Event.id).limit(1))
            made += [added] if added is not None else []
    return list({event.id: event for event in made}.values())


# The events that make a consensus decision (a coding.add makes one only when it codes for the consensus coder).
_DECIDING = (EventKind.CODING_ADD.value, EventKind.CONSENSUS_NEITHER.value, EventKind.CONSENSUS_KEEP.value)
_MOVING = (EventKind.CODING_RECODE.value, EventKind.CODING_RESIZE.value)


def _step(
    session: Session, coder: Coder, target_id: int, step: EventKind, state: str, blind: bool = False,
    codes_put_back: dict[int, dict[str, Any] | None] | None = None,
) -> tuple[EventView, int]:
    """Take back (or make again) one change: its view, and the id of the event recording that. A code is put
    back to what `codes_put_back` (_codes_made_way_for) holds for the event; an event of a code not in it is
    only refused or recorded, as a later event of the same change puts its code back."""
    target = session.get_one(Event, target_id)
    _refuse_if_changed_by_others(session, coder, target, step, blind)
    restore = True
    restored: dict[str, Any] | None
    if target.entity == Entity.CODES.value:  # a merge or a deletion: every row it recorded, whole
        restored = recorded_state(target.payload, state)
        _refuse_if_reshaped_since(target, session, step, state, coder if blind else None)
    elif target.entity == Entity.CODE.value:
        put_back = codes_put_back if codes_put_back is not None else _codes_made_way_for(session, [target_id], state)
        restore, restored = target_id in put_back, put_back.get(target_id)
    elif target.entity == Entity.ATTRIBUTE.value:  # a name, and the one the change left it with: which attribute it is
        left = target.payload.get("after" if state == "before" else "before") or {}
        restored = {"name": (target.payload.get(state) or {}).get("name"), "left_as": left.get("name")}
    else:  # only what the change changed: a later change to another field stands
        restored = _changed_by(target.payload, state)
    recorded_whole = target.payload.get(state)
    if target.entity == Entity.SUMMARY.value and restored is not None and "updated_by_guid" not in (recorded_whole or {}):
        # Logged before summaries' states named their writer: found in the log, from the whole state recorded.
        found = _summary_writer(session, target, state, recorded_whole or {})
        restored = {**restored, **{key: found[key] for key in ("updated_by_guid", "updated_at") if key in found}}
    if restore:
        _restore(session, event_kind(target.action), target.entity_guid, restored)
    recorded = record_event(
        session, kind=step, coder=coder, entity_guid=target.entity_guid, after={"blind": True} if blind else None,
        refers_to=target, summary=f"{PAST_TENSE[step]}: {target.summary}",
    )
    if blind and target.action in RESHAPING:  # its counts are of others' codings and memos too
        return replace(_view(target), summary=counts_left_out(target.summary)), recorded.id
    return _view(target), recorded.id


def _refuse_if_reshaped_since(target: Event, session: Session, step: EventKind, state: str, blind_coder: Coder | None = None) -> None:
    """Refuse to put back a merge's or deletion's rows when one is no longer as the change left it (a change no
    one can undo, such as a replaced text's re-anchoring, moved a coding): the rest alone would be half of it.
    A `blind_coder` is told of another's row by its kind only."""
    changed = changed_since(session, recorded_state(target.payload, "after" if state == "before" else "before"), blind_coder)
    if changed is None:
        return
    told = _told(target.summary, target.action, blind_coder is not None)
    why = f"{changed}, so the change ({told}) cannot be {'undone' if step == EventKind.UNDO else 'made again'} whole"
    if step == EventKind.UNDO:
        raise BecameFinal(why, "make the change you want by hand instead")
    raise NothingToUndo(f"nothing to redo: {why}", "make the change you want by hand instead")


def _later_events(session: Session, coder: Coder, target: Event) -> list[tuple[Any, ...]]:
    """The events after `target` by others (or no one) about what it changed: its entity, or for a merge or
    deletion each row it recorded; and the merges and deletions since that recorded one of those."""
    guids = {target.entity_guid} | (touched_guids(target.payload) if target.entity == Entity.CODES.value else set())
    columns = (Event.id, Event.action, Event.refers_to_id, Event.coder_id, Event.undoable)
    by_others = (Event.id > target.id) & ((Event.coder_id != coder.id) | Event.coder_id.is_(None))
    later: dict[int, tuple[Any, ...]] = {
        row.id: tuple(row) for row in session.execute(select(*columns).where(in_values(Event.entity_guid, guids), by_others))}
    touching = {row.id: tuple(row)[:len(columns)] for row in session.execute(select(*columns, Event.payload).where(
        Event.action.in_(RESHAPING), by_others, may_have_touched(guids))) if guids & touched_guids(row.payload)}
    if touching:  # with the undos and redos of those, which toggle them
        later |= touching | {row.id: tuple(row) for row in session.execute(select(*columns).where(
            Event.refers_to_id.in_(list(touching)), Event.action.in_(TAKING_BACK), by_others))}
    return [later[event_id] for event_id in sorted(later)]


def _refuse_if_changed_by_others(session: Session, coder: Coder, target: Event, action: str, blind: bool = False) -> None:
    """Refuse when someone else changed the same thing after `target` and that change still stands,
    naming that change (for a `blind` coder by its kind only: its summary may quote others' codings).

    A change and its own undo cancel out, as do an undo and its redo, so a change someone has
    taken back again is no obstacle. A later change no one can ever take back (an import, a
    replaced text, a change the project's upgrade made) makes `target` final: undo passes over it
    (BecameFinal), and redo is refused without the hint to wait for an undo that cannot come.
    Memos others attach to a coding are things of their own, not changes to the coding: they stay
    with it, removed or not.
    """
    if target.entity_guid is None:
        return
    later = _later_events(session, coder, target)
    # A change (or the change a taking back took back) -> the event that stands in the way: the change
    # itself, or that undo or redo, and whether no one can take it back.
    standing: dict[int, tuple[int, bool]] = {}
    for event_id, event_action, refers_to, coder_id, undoable in later:
        if event_action in TAKING_BACK and refers_to is not None:
            # Taking back a change toggles it: a later change undone, or an earlier one undone then redone.
            if refers_to in standing:
                del standing[refers_to]
            else:
                standing[refers_to] = (event_id, False)
        else:
            # Of a final kind, become final, or on no one's stack.
            standing[event_id] = (event_id, not undoable or coder_id is None)
    if not standing:
        return
    finals = [event_id for event_id, final in standing.values() if final]
    if finals:
        obstacle = session.get_one(Event, max(finals))
        changed, edited = _what_it_changed(session, target, obstacle, blind)
        why = f"{_who(session, obstacle.coder_id)} changed {changed} after you ({_named(session, obstacle, blind)}), and that cannot be undone"
        if action == EventKind.UNDO:
            raise BecameFinal(why, f"edit {edited} yourself")
        raise ChangedByOthers(f"{why}; your {action} would overwrite it, so nothing was changed", f"edit {edited} yourself")
    # The latest is the one to take back first; the others are counted and their coders named.
    obstacle = session.get_one(Event, max(event_id for event_id, _ in standing.values()))
    who = _who(session, obstacle.coder_id)
    changed, edited = _what_it_changed(session, target, obstacle, blind)
    others = [session.get_one(Event, event_id).coder_id for event_id, _ in standing.values() if event_id != obstacle.id]
    names = " and ".join(_who(session, coder_id) for coder_id in dict.fromkeys(others))
    also = f", and {len(others)} more change{'s' if len(others) > 1 else ''} by {names} since" if others else ""
    if obstacle.action in TAKING_BACK:
        undoing, by = ("undo", "redo") if obstacle.action == EventKind.UNDO else ("redo", "undo")
        first = f"{who} can take back that {undoing} with their {by} first"
    else:
        first = f"{who} can undo that {_kind_words(obstacle.action)} first"
    raise ChangedByOthers(
        f"{who} changed {changed} after you ({_named(session, obstacle, blind)}){also};"
        f" your {action} would overwrite that, so nothing was changed",
        f"{first}{_and_the_others(session, obstacle, others)}, or edit {edited} yourself",
    )


def _and_the_others(session: Session, obstacle: Event, others: list[int | None]) -> str:
    """Who else has a change standing in the way to take back, after `obstacle` (whose coder may have more)."""
    if not others:
        return ""
    besides = [coder_id for coder_id in dict.fromkeys(others) if coder_id != obstacle.coder_id]
    if besides:
        return f" ({' and '.join(_who(session, coder_id) for coder_id in besides)} theirs too)"
    return f" (and their {'other change' if len(others) == 1 else f'{len(others)} other changes'} since too)"


# How a change is named to a blind coder, who must not read its summary (it may quote or count others'
# codings): its kind, in words.
KIND_WORDS: dict[EventKind, str] = {
    EventKind.CODE_CREATE: "creation of a code",
    EventKind.CODE_UPDATE: "edit of a code",
    EventKind.CODE_MERGE: "merge of codes",
    EventKind.CODE_DELETE: "deletion of a code",
    EventKind.CODEBOOK_UPDATE: "edit of the codebook",
    EventKind.CODING_ADD: "coding",
    EventKind.CODING_REMOVE: "removal of a coding",
    EventKind.CODING_RESIZE: "resize of a coding",
    EventKind.CODING_RECODE: "recode of a coding",
    EventKind.CODING_MEMO: "memo on a coding",
    EventKind.CODING_ORPHAN: "coding orphaned by a replaced text",
    EventKind.CODING_REANCHOR: "coding placed again in a replaced text",
    EventKind.MEMO_ADD: "memo",
    EventKind.MEMO_REMOVE: "removal of a memo",
    EventKind.TRANSCRIPT_IMPORT: "import",
    EventKind.TRANSCRIPT_REPLACE: "replaced text",
    EventKind.TRANSCRIPT_MERGE: "merge of a text imported twice",
    EventKind.TRANSCRIPT_WAVE: "wave written as others were",
    EventKind.TRANSCRIPT_EDIT: "edit of a transcript's details",
    EventKind.PARTICIPANT_CREATE: "participant list imported",
    EventKind.PARTICIPANT_UPDATE: "participant list imported",
    EventKind.PARTICIPANT_EDIT: "edit of a participant's details",
    EventKind.ATTRIBUTE_RENAME: "renaming of an attribute",
    EventKind.PARTICIPANT_WITHDRAW: "withdrawal",
    EventKind.WITHDRAWAL_KEY_SETTLED: "withdrawal",
    EventKind.CODER_CREATE: "new coder",
    EventKind.CODER_UPDATE: "coder's new role",
    EventKind.CODER_BLIND: "change of who codes blind",
    EventKind.PROJECT_CREATE: "creation of the project",
    EventKind.PROJECT_RESTORE: "restore of a backup",
    EventKind.FRAMEWORK_SET: "framework summary",
    EventKind.FRAMEWORK_CLEAR: "clearing of a framework summary",
    EventKind.CONSENSUS_NEITHER: "consensus decision",
    EventKind.CONSENSUS_KEEP: "consensus decision",
    EventKind.CONSENSUS_REOPEN: "taking back of a consensus decision",
    EventKind.ANONYMISE_REAPPLY: "rewrite by the key",
    EventKind.IDENTIFIER_REMOVE: "identifier taken out of the key",
    EventKind.KEY_PASSPHRASE: "new passphrase",
    EventKind.KEY_NEW: "new key",
    EventKind.UNDO: "undo",
    EventKind.REDO: "redo",
}
SUMMARY_LENGTH = 100  # of a change's summary in a refusal, which is one line


def _kind_words(action: str) -> str:
    return KIND_WORDS[event_kind(action)]


def _a(words: str) -> str:
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def _named(session: Session, event: Event, blind: bool) -> str:
    """A change as a refusal names it: its summary, in short; for a blind coder its kind only (an undo's or
    redo's, with the kind of change it took back or made again)."""
    if not blind:
        return _in_short(event.summary)
    taken_back = session.get(Event, event.refers_to_id) if event.action in TAKING_BACK and event.refers_to_id else None
    if taken_back is not None:
        return f"{_a(_kind_words(event.action))} of {_a(_kind_words(taken_back.action))}"
    return _a(_kind_words(event.action))


def _in_short(summary: str) -> str:
    """`summary` on one line, and if long cut at its last clause that fits (so a merge's counts go), else at a
    word, with no bracket left open."""
    summary = " ".join(summary.split())
    if len(summary) <= SUMMARY_LENGTH:
        return summary
    cut = summary[:SUMMARY_LENGTH - 2]
    clause = max(cut.rfind(mark) for mark in (": ", "; ", ", ", " ("))
    at = clause if clause > SUMMARY_LENGTH // 3 else cut.rfind(" ")
    head = cut[:at] if at > 0 else cut
    if head.count("(") > head.count(")") and head.rfind(" (") > 0:
        head = head[:head.rfind(" (")]
    return f"{head} …"


def _what_it_changed(session: Session, target: Event, obstacle: Event, blind: bool) -> tuple[str, str]:
    """What of `target`'s `obstacle` changed, in words: as the subject of "changed", and as the object of "edit".

    A merge or deletion changed many rows: the first of them `obstacle` (or the change it took back) changed is
    named, as `changed_since` names one."""
    if target.entity != Entity.CODES.value:
        what = target.entity or "item"
        return f"this {what}", f"the {what}"
    changer = obstacle
    if obstacle.action in TAKING_BACK and obstacle.refers_to_id is not None:
        changer = session.get_one(Event, obstacle.refers_to_id)
    hit = touched_guids(changer.payload) if changer.action in RESHAPING else {changer.entity_guid}
    # Named, and for a blind coder only by what it is where the row may be another's.
    states = {which: recorded_state(target.payload, which) for which in ("before", "after")}
    for table, model in TABLES.items():
        one = ROW_WORDS[model]
        for which in ("before", "after"):
            for guid, row in (states[which].get(table) or {}).items():
                if guid not in hit or row is None:
                    continue
                if table == "codes":
                    return f"code {row['path']}", f"code {row['path']}"
                if blind or table == "summaries":
                    return _a(one), f"the {one}"
                return f"{one} {row['id']}", f"{one} {row['id']}"
    return "what it changed", "it"


def _told(summary: str, action: str, blind: bool) -> str:
    """A coder's own change's summary as they are told it: a merge's or deletion's counts are of every coder's
    codings and memos, which a `blind` coder is not told."""
    return counts_left_out(summary) if blind and action in RESHAPING else summary


def _who(session: Session, coder_id: int | None) -> str:
    other = session.get(Coder, coder_id) if coder_id is not None else None
    return other.name if other is not None else "an upgrade of the project"


def history(
    session: Session, *, limit: int | None = 50, coder_name: str | None = None, entity_guid: str | None = None,
    coders: Sequence[str] = (),
) -> list[EventView]:
    """The audit trail, newest first; only what `coders` may see when named (a blind coder): no
    event about another's coding, or a memo on one, even one they recorded themselves (their
    replacement of a text orphaned another's coding, or their memo on one before they coded blind)."""
    query = select(Event).order_by(Event.id.desc())
    if coder_name:
        query = query.where(Event.coder_id == find_coder(session, coder_name).id)
    if coders:
        others = select(Coding.guid).join(Coder, Coder.id == Coding.coder_id).where(Coder.name.not_in(coders))
        on_others = (select(Memo.guid).join(Coding, Coding.id == Memo.coding_id).join(Coder, Coder.id == Coding.coder_id)
                     .where(Coder.name.not_in(coders)))
        # Spelled out for NULL: an event about no one thing (entity or GUID NULL) is kept.
        query = query.where(or_(Event.entity.is_(None), Event.entity_guid.is_(None),
                                (Event.entity != Entity.CODING.value) | Event.entity_guid.not_in(others)))
        query = query.where(or_(Event.entity.is_(None), Event.entity_guid.is_(None),
                                (Event.entity != Entity.MEMO.value) | Event.entity_guid.not_in(on_others)))
    if entity_guid:
        query = query.where(Event.entity_guid == entity_guid)
    if limit:
        query = query.limit(limit)
    events = [_view(event) for event in session.scalars(query)]
    if not coders:
        return events
    # A merge's or deletion's counts, and its undo's and redo's, are of every coder's codings and memos: left out.
    reshaping = {event.id for event in events if event.action in RESHAPING} | set(session.scalars(select(Event.id).where(
        in_values(Event.id, {event.refers_to for event in events if event.refers_to is not None}), Event.action.in_(RESHAPING))))
    return [replace(event, summary=counts_left_out(event.summary)) if reshaping & {event.id, event.refers_to} else event
            for event in events]


def _restore(session: Session, kind: EventKind, guid: str | None, state: dict[str, Any] | None) -> None:
    """Put the entity of an event of this kind back into a recorded state; None means it did not exist."""
    if isinstance(kind.undo, Final):
        raise InvalidInput(f"a {kind} event cannot be undone", kind.undo.why)
    restore = RESTORERS.get(kind.entity) if kind.entity is not None else None
    if restore is None:  # an undoable kind whose entity has no restore function below: a bug tests/test_events.py catches
        raise InvalidInput(f"undo cannot put back a {kind.entity}")
    restore(session, guid, state)
    session.flush()


def _restore_coding(session: Session, guid: str | None, state: dict[str, Any] | None) -> None:
    """Put back what a change changed of a coding (_changed_by), over the coding as it is now."""
    coding = session.scalar(select(Coding).where(Coding.guid == guid))
    if coding is None:
        raise NothingToUndo("the coding this change touched no longer exists (its participant may have withdrawn)")
    if state is None:
        coding.removed_at = coding.removed_at or utcnow()
        return
    state = {**coding_state(coding), **state}
    code = session.scalar(select(Code).where(Code.guid == state["code_guid"]))
    if code is None:
        raise NothingToUndo(f"the code of coding {coding.id} no longer exists")
    if not state["removed"]:  # one live coding per passage, code and coder
        try:
            refuse_duplicate_coding(session, coding.transcript_id, code.id, coding.coder, state["start"], state["end"], coding.id)
        except InvalidInput as duplicate:
            if coding.coder.name != CONSENSUS_CODER:
                raise
            # Another decision coded the passage so since this one was taken back: that one is to go first.
            raise InvalidInput(f"{duplicate.message}, a decision made since; nothing was changed",
                               "take that decision back first (`qualcode consensus reopen`; r on the compare screen),"
                               " then try again") from None
    coding.code = code
    coding.start, coding.end, coding.excerpt, coding.memo = state["start"], state["end"], state["excerpt"], state["memo"]
    coding.removed_at = (coding.removed_at or utcnow()) if state["removed"] else None


def _restore_memo(session: Session, guid: str | None, state: dict[str, Any] | None) -> None:
    """Put back what a change changed of a memo (_changed_by), over the memo as it is now."""
    memo = session.scalar(select(Memo).where(Memo.guid == guid))
    if memo is None:
        raise NothingToUndo("the memo this change touched no longer exists")
    if state is None:
        memo.removed_at = memo.removed_at or utcnow()
        return
    state = {**memo_state(memo), **state}
    memo.title, memo.text = state["title"], state["text"]
    memo.removed_at = (memo.removed_at or utcnow()) if state["removed"] else None


def _restore_code(session: Session, guid: str | None, state: dict[str, Any] | None) -> None:
    """Put a code into `state` (whole: what a change changed of it over the code as it was, _codes_made_way_for),
    or take it away (None)."""
    code = session.scalar(select(Code).where(Code.guid == guid))
    if state is None:
        if code is None:
            return
        holds = _what_holds_code(session, code)
        if holds:
            # Removed codings and memos stay as the record of what was done (an undo of theirs is
            # redone on that row), so a code that ever had one is kept, for good; one that has
            # only sub-codes could go once their creation is undone, unless one of them is kept
            # for good too.
            only_subcodes = all(hold.endswith(("sub-code", "sub-codes")) for hold in holds)
            held = f"code {code.path} still has {', '.join(holds)}, so its creation cannot be undone"
            hint = "a code that was used keeps the record of it: edit its definition to say it is no longer in use"
            if not only_subcodes:
                raise BecameFinal(held, hint)
            kept = _kept_for_good(session, code)
            if kept is None:
                # Each sub-code can still go by its maker's undo: say whose, so they can be asked.
                makers = {child.path: _maker(session, child.guid) or "no one" for child in code.children}
                listed = ", ".join(f"{path}, made by {maker}" for path, maker in makers.items())
                who = " and ".join(dict.fromkeys(makers.values()))
                raise NothingToUndo(
                    f"code {code.path} still has {', '.join(holds)} ({listed}), so its creation cannot be undone; nothing changed",
                    f"{who} can undo the creation of {'that sub-code' if len(makers) == 1 else 'those sub-codes'} first; then undo this again",
                )
            raise BecameFinal(
                f"code {code.path} still has {', '.join(holds)}, and {kept.path} is kept for good, so its creation cannot be undone",
                hint,
            )
        parent = code.parent
        session.delete(code)
        session.flush()
        if parent is not None:  # its loaded list of sub-codes would still hold the one deleted
            session.expire(parent, ["children"])
        return
    if code is None and "path" not in state:  # what an edit changed, of a code gone since
        raise NothingToUndo("the code this change touched no longer exists")
    parent = _parent_to_restore(session, state)
    if code is not None and parent is not None:
        _refuse_under_itself(code, parent)
    # Its path as its parent's path is now: the parent may have been moved since the state was
    # recorded, and a code moved back takes its sub-codes with it.
    state = {**state, "path": f"{parent.path}/{state['name']}" if parent is not None else state["name"]}
    _refuse_if_taken(session, state, parent, code)
    if code is None:
        code = Code(guid=state["guid"])
        session.add(code)
    place_code(code, parent, state["path"])
    for key in ("position", "definition", "inclusion", "exclusion", "example", "colour", "shortcut"):
        setattr(code, key, state[key])
    code.signal_words = list(state["signal_words"])


def _refuse_under_itself(code: Code, parent: Code) -> None:
    """Refuse to put `code` back under `parent` when the parent has been moved under the code since."""
    above: Code | None = parent
    while above is not None:
        if above is code:
            raise ChangedByOthers(
                f"{parent.path} has been moved under {code.path} since, so {code.path} cannot be put back under it; nothing changed",
                f"undo the move of {parent.path} first",
            )
        above = above.parent


def _parent_to_restore(session: Session, state: dict[str, Any]) -> Code | None:
    """The code `state` stands under; refused if it is gone, as a sub-code put back without it would
    have its parent's path and no parent."""
    if not state["parent_guid"]:
        return None
    parent = session.scalar(select(Code).where(Code.guid == state["parent_guid"]))
    if parent is not None:
        return parent
    parent_path = state["path"].rpartition("/")[0]
    undone_by = session.execute(
        select(Coder.name).join(Event, Event.coder_id == Coder.id)
        .where(Event.entity_guid == state["parent_guid"], Event.action == EventKind.UNDO.value)
        .order_by(Event.id.desc()).limit(1)
    ).scalar()
    raise NothingToUndo(
        f"the code {parent_path} that {state['path']} stood under no longer exists, so {state['path']} cannot be put back;"
        " nothing changed",
        f"{undone_by} undid the creation of {parent_path}: their redo brings it back" if undone_by
        else f"make {parent_path} again first",
    )


def _refuse_if_taken(session: Session, state: dict[str, Any], parent: Code | None, code: Code | None) -> None:
    """Refuse to put back a shortcut or a path another code has taken since, naming that code, rather
    than fail on the database's unique constraint. A code that stays where it is is not checked for
    its place: twins in case an older version let in must not block undoing an edit of one."""
    shortcut = state["shortcut"]
    if shortcut:
        holder = session.scalar(select(Code).where(Code.shortcut == shortcut, Code.guid != state["guid"]))
        if holder is not None:
            raise shortcut_taken(session, shortcut, state["path"], holder)
    if code is not None and code.path == state["path"]:
        return
    keys = set(name_twin_keys(state["path"].rpartition("/")[2]))
    siblings = session.scalars(select(Code).where(Code.parent_id == (parent.id if parent else None), Code.guid != state["guid"]))
    # Paths are unique, and codes whose names differ only in case, or look alike, are not allowed side by side either.
    for other in siblings:
        if keys & set(name_twin_keys(other.name)):
            maker = _maker(session, other.guid)
            raise ChangedByOthers(
                f"another code, {other.path}{f' (made by {maker})' if maker else ''}, now stands where {state['path']} was,"
                " so it cannot be put back; nothing changed",
                # "use helse" said nothing of how to get the change back.
                f"rename that code first (`qualcode codebook rename {code_as_typed(session, other)} NEW-NAME`), then try again;"
                f" or keep {other.path} as it is",
            )


def _maker(session: Session, guid: str) -> str | None:
    """Who made the code with this GUID, as the log says (no one, for a codebook a project began with)."""
    name = session.execute(
        select(Coder.name).join(Event, Event.coder_id == Coder.id)
        .where(Event.entity_guid == guid, Event.action == EventKind.CODE_CREATE.value)
        .order_by(Event.id.desc()).limit(1)
    ).scalar()
    return name


def _what_holds_code(session: Session, code: Code) -> list[str]:
    """What refers to `code` and would be lost with it, in words: codings live or removed, memos,
    framework summaries, sub-codes."""
    def count(model: type[Coding] | type[Memo] | type[FrameworkSummary], *where: ColumnElement[bool]) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    found = [
        (count(Coding, Coding.code_id == code.id, Coding.removed_at.is_(None)), "coding", "codings"),
        (count(Coding, Coding.code_id == code.id, Coding.removed_at.is_not(None)), "removed coding in its history",
         "removed codings in its history"),
        (count(Memo, Memo.code_id == code.id), "memo", "memos"),
        (count(FrameworkSummary, FrameworkSummary.code_id == code.id), "framework summary", "framework summaries"),
        (len(code.children), "sub-code", "sub-codes"),
    ]
    return [f"{number} {one if number == 1 else many}" for number, one, many in found if number]


def _kept_for_good(session: Session, code: Code) -> Code | None:
    """A code under `code` that no undo can ever remove, if there is one: it holds the record of
    its use, or its creation is not on anyone's undo stack (become final, or made by no one)."""
    for child in code.children:
        created = session.execute(
            select(Event.undoable, Event.coder_id)
            .where(Event.entity_guid == child.guid, Event.action == EventKind.CODE_CREATE.value)
            .order_by(Event.id.desc()).limit(1)
        ).first()
        if created is None or not created.undoable or created.coder_id is None:
            return child
        holds = _what_holds_code(session, child)
        if any(not hold.endswith(("sub-code", "sub-codes")) for hold in holds):
            return child
        if (kept := _kept_for_good(session, child)) is not None:
            return kept
    return None


# What a transcript's or a participant's states hold that is read apart from their fields (_changed_by).
_READ_APART = ("participants", "turns", "attributes", "types")


def _changed_by(payload: dict[str, Any], state_name: str) -> dict[str, Any] | None:
    """Of the state `state_name` a change recorded (of a code, a coding, a memo, a summary, the codebook, a
    transcript or a participant: every kind but a merge's or a deletion's, which is put back whole), only what
    the change changed, which undo and redo put back: a later change to another field stands. That is the
    fields whose value the other state differs in; of a transcript, the participants it linked, relinked under
    another label or unlinked (`participants_gone`, by name) and the turns it gave to someone else; and the
    attributes whose value it set or removed (None: none). A state the other is None of (a creation) is whole.

    Read from the two whole states every change records, so a change logged by older code (no attributes, no
    types) is read the same way."""
    state, other = payload.get(state_name), payload.get("after" if state_name == "before" else "before")
    if state is None or other is None:
        return state
    changed: dict[str, Any] = {field: value for field, value in state.items() if field not in _READ_APART and value != other.get(field)}
    if "participants" in state and state["participants"] != other.get("participants"):
        linked = [list(link) for link in state["participants"]]
        had = [list(link) for link in other.get("participants") or []]
        changed["participants"] = [link for link in linked if link not in had]
        changed["participants_gone"] = sorted({name for name, _ in had} - {name for name, _ in linked})
    others_turns = {turn_id: name for turn_id, name in other.get("turns") or []}
    if turns := [[turn_id, name] for turn_id, name in state.get("turns") or [] if turn_id not in others_turns or others_turns[turn_id] != name]:
        changed["turns"] = turns
    if "attributes" in state:  # an edit logged before a transcript's attributes could be edited left them as they are
        values, others_values = state["attributes"], other.get("attributes") or {}
        changed["attributes"] = {name: values.get(name) for name in sorted(set(values) | set(others_values))
                                 if values.get(name) != others_values.get(name)}
        changed["types"] = state.get("types", {})
    return changed


def _participant_named(session: Session, name: str) -> Participant:
    participant = session.scalar(select(Participant).where(Participant.name == name))
    if participant is None:
        raise BecameFinal(f"participant {name} no longer exists (they may have withdrawn)")
    return participant


def _restore_transcript(session: Session, guid: str | None, state: dict[str, Any] | None) -> None:
    """Put back what an edit changed of a transcript (_changed_by): its fields, the participants it linked or
    unlinked, the attribution of the turns it moved, its attribute values; nothing else."""
    transcript = session.scalar(select(Transcript).where(Transcript.guid == guid))
    if transcript is None or state is None:
        raise NothingToUndo("the transcript this change touched no longer exists")
    # Named first, so a participant who withdrew since refuses the whole step before anything is put back.
    wanted = {_participant_named(session, name).id: label for name, label in state.get("participants", [])}
    # One the edit linked who withdrew since is unlinked already: nothing of them is to be put back.
    unlinked = set(session.scalars(select(Participant.id).where(Participant.name.in_(state.get("participants_gone", [])))))
    turns: dict[int, int | None] = {turn_id: _participant_named(session, name).id if name is not None else None
                                    for turn_id, name in state.get("turns", [])}
    wave = state.get("wave")
    if wave and wave != transcript.wave:
        # The project's rounds may be written otherwise since (T2, where this puts back 2): the wave
        # goes through the same door as every other path that stores one.
        try:
            wave = project_wave(session, wave, besides=transcript.id)
        except InvalidInput as refused:
            raise InvalidInput(f"transcript {transcript.name}'s wave cannot be put back: {refused.message}", refused.hint) from None
    for field in ("title", "fidelity", "interviewer"):
        if field in state:
            setattr(transcript, field, state[field])
    if "wave" in state:
        transcript.wave = wave
    if "date" in state:
        transcript.interview_date = date.fromisoformat(state["date"]) if state["date"] else None
    for link in list(transcript.participant_links):
        if link.participant_id in unlinked:
            session.delete(link)
        elif link.participant_id in wanted:  # the label too: `--interviewer` moves a participant off a label that became the interviewer's
            link.speaker_label = wanted.pop(link.participant_id)
    session.flush()
    for participant_id, label in wanted.items():
        session.add(TranscriptParticipant(transcript_id=transcript.id, participant_id=participant_id, speaker_label=label))
    for turn_id, speaker_id in turns.items():
        turn = session.get(Turn, turn_id)
        if turn is not None:
            turn.participant_id = speaker_id
    if "attributes" in state:
        _restore_attributes(session, transcript, "transcript", state)
    session.flush()
    session.expire(transcript, ["participant_links"])


def _restore_participant(session: Session, guid: str | None, state: dict[str, Any] | None) -> None:
    """Put back what an edit changed of a participant (_changed_by): its columns and attribute values."""
    participant = session.scalar(select(Participant).where(Participant.guid == guid))
    if participant is None or state is None:
        raise NothingToUndo("the participant this change touched no longer exists (they may have withdrawn)")
    for column in ("role", "gender", "age_band", "office"):
        if column in state:
            setattr(participant, column, state[column])
    if "attributes" in state:
        _restore_attributes(session, participant, "participant", state)


def _restore_attributes(session: Session, owner: Participant | Transcript, applies_to: str, state: dict[str, Any]) -> None:
    """Put back the attribute values an edit changed of a participant or a transcript (None: it had none)."""
    values: dict[str, str | None] = state["attributes"]
    held: list[Any] = owner.attributes
    model = ParticipantAttribute if applies_to == "participant" else TranscriptAttribute
    removed = []
    for name, value in values.items():
        existing = next((a for a in held if a.definition.name == name), None)
        if value is None:
            if existing is not None:
                removed.append(existing.definition)
                held.remove(existing)
            continue
        if existing is not None:
            existing.value = value
            continue
        definition = session.scalar(
            select(AttributeDefinition).where(AttributeDefinition.name == name, AttributeDefinition.applies_to == applies_to)
        )
        if definition is None:  # its type as it was (states written before types were kept: text)
            definition = AttributeDefinition(name=name, applies_to=applies_to, value_type=state.get("types", {}).get(name, "text"))
        held.append(model(definition=definition, value=value))
    session.flush()
    # An attribute the undone edit defined is taken back with it, once no one holds a value of it:
    # left, it was listed among the project's attributes (hints, the matrix's choices) with no values.
    for definition in dict.fromkeys(removed):
        if session.scalar(select(model.id).where(model.definition_id == definition.id).limit(1)) is None:
            session.delete(definition)


def _restore_attribute(session: Session, guid: str | None, state: dict[str, Any] | None) -> None:
    """Put back an attribute's name, where the log's records of participants' and transcripts' changes name it too.
    The attribute is the one logged under `guid` that has the name the change left it with: a row id is all
    that tells attributes apart, and SQLite may give a deleted one's to the next made."""
    definition = attribute_logged_as(session, guid)
    if definition is None or state is None or not state.get("name") or definition.name != state.get("left_as"):
        raise NothingToUndo("the attribute this change renamed is no longer there (no one holds a value of it any more)")
    name = str(state["name"])
    taken = next((other for other in session.scalars(select(AttributeDefinition).where(
        AttributeDefinition.applies_to == definition.applies_to, AttributeDefinition.id != definition.id))
        if other.name.casefold() == name.casefold()), None)
    if taken is not None:
        raise ChangedByOthers(
            f"another {definition.applies_to} attribute is named {taken.name!r} now, so {definition.name!r} cannot be named so"
            " again; nothing changed",
            f"rename that one first (`qualcode {definition.applies_to}s rename-attribute {taken.name!r} NEW-NAME`), then try again",
        )
    renamed = {definition.name: name}
    definition.name = name
    session.flush()
    rename_in_states(session, {definition.applies_to: renamed})


def _restore_summary(session: Session, guid: str | None, state: dict[str, Any] | None) -> None:
    """Put back what a change changed of a framework cell's summary (_changed_by): its text, the codings it
    was written on, cleared or not, and who wrote it when."""
    summary = session.scalar(select(FrameworkSummary).where(FrameworkSummary.guid == guid))
    if summary is None:
        raise NothingToUndo("the summary this change touched no longer exists (its participant may have withdrawn)")
    if state is None:
        summary.removed_at = summary.removed_at or utcnow()
        return
    if "text" in state:
        summary.text = state["text"]
    if "coding_guids" in state:
        summary.coding_guids = list(state["coding_guids"])
    if "removed" in state:
        summary.removed_at = (summary.removed_at or utcnow()) if state["removed"] else None
    # Who wrote the text put back, and when: an undo of Bjørn's summary shows Anna's again as hers,
    # not as written by Bjørn at the moment of his undo.
    writer = session.scalar(select(Coder).where(Coder.guid == state.get("updated_by_guid")))
    if writer is not None:
        summary.updated_by = writer
    if state.get("updated_at"):
        summary.updated_at = datetime.fromisoformat(state["updated_at"])


def _summary_writer(session: Session, target: Event, state_name: str, state: dict[str, Any]) -> dict[str, Any]:
    """A summary's state as logged before its states named their writer, with the writer found in
    the log: the state after `target` is its coder's at its moment; the state before it is the one
    the latest earlier setting or clearing of the summary left, by whoever did that, then."""
    source: Event | None = target
    if state_name == "before":
        same = ("text", "coding_guids", "removed")
        earlier = session.scalars(
            select(Event).where(
                Event.entity_guid == target.entity_guid, Event.id < target.id,
                Event.action.in_([EventKind.FRAMEWORK_SET.value, EventKind.FRAMEWORK_CLEAR.value]),
            ).order_by(Event.id.desc())
        )
        source = next((event for event in earlier
                       if all((event.payload.get("after") or {}).get(name) == state.get(name) for name in same)), None)
    if source is None or source.coder is None:
        return state
    return {**state, "updated_by_guid": source.coder.guid, "updated_at": source.at.isoformat()}


def _restore_decision(session: Session, guid: str | None, state: dict[str, Any] | None) -> None:
    """A decision recorded as an event of its own (to code neither passage, or to keep one the consensus coder coded
    already) has no row: whether it stands is read from the log, where the undo or redo written after this call
    withdraws or makes it again (coding/consensus.py reads it), so nothing is put back here."""
    decided = session.scalar(select(Event.id).where(
        Event.entity_guid == guid, Event.action.in_((EventKind.CONSENSUS_NEITHER.value, EventKind.CONSENSUS_KEEP.value))))
    if decided is None:
        raise NothingToUndo("the decision this change made no longer exists (its transcript may have been withdrawn)")


def _restore_codes(session: Session, _guid: str | None, state: dict[str, Any] | None) -> None:
    """Put back every row a merge or deletion recorded (coding/reshape.py), as a whole."""
    restore_reshape(session, state or {})


def _restore_codebook(session: Session, _guid: str | None, state: dict[str, Any] | None) -> None:
    """Put back what a change changed of the codebook's name and description (the project has one codebook;
    its GUID is fixed), over the codebook as it is now."""
    restore_codebook(session, {**codebook_state(session), **(state or {})})


Restorer = Callable[[Session, str | None, dict[str, Any] | None], None]

# How undo and redo put back each entity that an undoable kind of event concerns (see EventKind).
RESTORERS: dict[Entity, Restorer] = {
    Entity.CODE: _restore_code,
    Entity.CODES: _restore_codes,
    Entity.CODEBOOK: _restore_codebook,
    Entity.CODING: _restore_coding,
    Entity.MEMO: _restore_memo,
    Entity.TRANSCRIPT: _restore_transcript,
    Entity.PARTICIPANT: _restore_participant,
    Entity.ATTRIBUTE: _restore_attribute,
    Entity.SUMMARY: _restore_summary,
    Entity.DECISION: _restore_decision,
}
