"""Reshaping the codebook while coding goes on: merging a code into another and deleting one, each
with what it holds, as one undoable change.

A merge or deletion touches many rows at once (the code, its sub-codes, codings, memos, framework
summaries), so its event records each of them whole before (`reshape_state`), and after it the codes whole and
of the other rows the columns that changed (`compact_after`, read back whole by `recorded_state`): undo puts
every row back as it was, GUIDs and ids too, and redo makes the change again from the same record.
A row the change deletes (the merged-away code, a deleted code's codings) is kept in that record,
which is how the audit trail keeps it. A change that moves a code only is a code.update, as a
rename is (codebook/service.py: move_code_under).

A merge folds a coding of the merged-away code into the other code's coding of the same passage by
the same coder (identical start and end): it is removed, its memos going to the coding kept.
Overlapping passages are left as two codings, as `coding add` allows them: analysis and agreement
read a coder's overlapping codings of one code as one passage, and widening the kept coding to
their union would change a quote nobody chose.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, DateTime, Text, cast, false, func, or_, select, true
from sqlalchemy.orm import Session

from qualcode.codebook.service import (
    MERGED_INTO,
    UI_MOVE_TOP,
    UI_RENAME,
    code_as_typed,
    code_subtree_ids,
    find_code,
    gone_codes,
    place_code,
    refuse_deeper_than_allowed,
    shortcut_taken,
    sibling_clash,
)
from qualcode.coding.consensus import CONSENSUS_CODER, standing_event_decisions
from qualcode.errors import ChangedByOthers, CodeInUse, InvalidInput, NothingToUndo
from qualcode.store.bulk import in_values
from qualcode.store.events import EventKind, hold_write_lock, record_event
from qualcode.store.models import (
    Code,
    Coder,
    Coding,
    Event,
    FrameworkSummary,
    Memo,
    new_guid,
    utcnow,
)
from qualcode.text.counts import counted

# The rows a reshaping records, by the key of its state; a reference to a code or a coding is kept as
# that row's GUID, as a code put back may have another id.
Recorded = Code | Coding | Memo | FrameworkSummary
TABLES: dict[str, type[Recorded]] = {"codes": Code, "codings": Coding, "memos": Memo, "summaries": FrameworkSummary}
_BY_GUID: dict[str, tuple[str, type[Code] | type[Coding]]] = {"parent_id": ("parent_guid", Code), "code_id": ("code_guid", Code), "coding_id": ("coding_guid", Coding)}
# A recorded row in words, by its model: how a refusal names it.
ROW_WORDS: dict[type[Recorded], str] = {Code: "code", Coding: "coding", Memo: "memo", FrameworkSummary: "framework summary"}


# How the terminal UI reopens a consensus decision, as a refusal below asks (QualcodeError.in_ui).
UI_REOPEN = "ctrl+p, Compare coders: r reopens the decision at the cursor"


@dataclass(frozen=True)
class Reshaped:
    """What a merge or deletion did, in one sentence (its event's summary), and what else to know:
    `notes` in the command line's terms, `notes_in_ui` in the terminal UI's (None: the same)."""

    summary: str
    notes: tuple[str, ...] = ()
    notes_in_ui: tuple[str, ...] | None = None


def _moment(value: datetime) -> str:
    """A stored moment as the database holds it (UTC, no zone), so a state read before and after a flush compares equal."""
    return (value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value).isoformat()


def row_state(row: Recorded, guid_of: Mapping[tuple[type[Code] | type[Coding], int], str]) -> dict[str, Any]:
    """Every column of `row`, references to codes and codings as GUIDs (`guid_of` by model and id; None where no
    such row is), moments as ISO text."""
    state: dict[str, Any] = {}
    for column in type(row).__table__.columns:
        value = getattr(row, column.key)
        if column.key in _BY_GUID:
            key, model = _BY_GUID[column.key]
            state[key] = guid_of.get((model, value)) if value is not None else None
        else:
            state[column.key] = _moment(value) if isinstance(value, datetime) else list(value) if isinstance(value, list) else value
    return state


R = TypeVar("R", bound=Recorded)


def _rows(session: Session, model: type[R], guids: list[str]) -> dict[str, R]:
    return {row.guid: row for row in session.scalars(select(model).where(in_values(model.guid, guids)))}


def _referred_guids(session: Session, rows: Iterable[Recorded]) -> dict[tuple[type[Code] | type[Coding], int], str]:
    """The GUIDs of the codes and codings `rows` refer to, by model and id: one query a model, as a big theme's
    merge records thousands of rows (a query a row took seconds)."""
    ids: dict[type[Code] | type[Coding], set[int]] = {}
    for row in rows:
        for column_key, (_, model) in _BY_GUID.items():
            if (value := getattr(row, column_key, None)) is not None:
                ids.setdefault(model, set()).add(value)
    return {(model, row_id): guid for model, wanted in ids.items()
            for row_id, guid in session.execute(select(model.id, model.guid).where(in_values(model.id, wanted)))}


def reshape_state(session: Session, guids: Mapping[str, Iterable[str]]) -> dict[str, dict[str, dict[str, Any] | None]]:
    """The rows of each table in TABLES that `guids` names, as they are now (None: no such row)."""
    session.flush()
    wanted = {table: list(dict.fromkeys(guids.get(table, ()))) for table in TABLES}
    rows: dict[str, dict[str, Recorded]] = {table: dict(_rows(session, model, wanted[table])) for table, model in TABLES.items()}
    guid_of = _referred_guids(session, (row for found in rows.values() for row in found.values()))
    return {table: {guid: row_state(rows[table][guid], guid_of) if guid in rows[table] else None for guid in wanted[table]}
            for table in TABLES}


# In a reshaping's state after: its codings, memos and summaries recorded before hold only the columns the change
# altered (a merge's record held each row whole twice, 4.3x the rows' own size). Events written before it hold them whole.
CHANGED_ONLY = "changed_only"
_COMPACTED = ("codings", "memos", "summaries")  # the codes stay whole: the codebook's history reads them as they are


def compact_after(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """`after` as a reshaping's event records it: each coding, memo and summary that `before` holds as the columns
    that differ from it (none, for a row the change left as it was), a row made or deleted as it is."""
    compacted = dict(after)
    for table in _COMPACTED:
        earlier = before.get(table) or {}
        compacted[table] = {guid: ({key: value for key, value in row.items() if key not in earlier[guid] or earlier[guid][key] != value}
                                   if row is not None and earlier.get(guid) is not None else row)
                            for guid, row in (after.get(table) or {}).items()}
    return compacted | {CHANGED_ONLY: True}


def recorded_state(payload: Mapping[str, Any], which: str) -> dict[str, Any]:
    """A reshaping's recorded state `which` ("before" or "after") with every row whole, as undo and redo put it back."""
    state = dict(payload.get(which) or {})
    if which != "after" or not state.pop(CHANGED_ONLY, False):
        return state
    before = payload.get("before") or {}
    for table in _COMPACTED:
        earlier = before.get(table) or {}
        state[table] = {guid: ({**earlier[guid], **row} if row is not None and earlier.get(guid) is not None else row)
                        for guid, row in (state.get(table) or {}).items()}
    return state


def touched_guids(payload: Mapping[str, Any]) -> set[str]:
    """The GUIDs of every row a reshaping's event recorded, before or after."""
    return {guid for which in ("before", "after") for table in TABLES for guid in ((payload.get(which) or {}).get(table) or {})}


def may_have_touched(guids: Collection[str | None]) -> ColumnElement[bool]:
    """A condition that holds for every event whose record names one of `guids` (and may for others, where a GUID is
    anywhere in its text), so that asking whether a reshaping touched a few rows reads only the records that may say so
    (parsing a 5,000-coding merge's record took 100 ms of every unrelated undo after it). Always true for many GUIDs,
    which as many text searches would cost more than reading the records."""
    if len(guids) > _FEW_GUIDS:
        return true()
    return or_(false(), *(cast(Event.payload, Text).contains(guid) for guid in guids if guid is not None))


_FEW_GUIDS = 20


def concerned_guids(payload: Mapping[str, Any]) -> set[str]:
    """The rows it recorded and the code a merge went into: whose history shows it."""
    into = (payload.get("after") or {}).get(MERGED_INTO)
    return touched_guids(payload) | ({into} if into else set())


def _as_compared(state: Mapping[str, dict[str, dict[str, Any] | None]]) -> dict[str, dict[str, dict[str, Any] | None]]:
    """A reshaping's state as compared: a row put back under another id (its own was taken) is the same row, and
    a code's path follows from its parent and name (a code above renamed since leaves it where it was)."""
    return {table: {guid: ({key: value for key, value in row.items() if key not in ("id", "path")} if row is not None else None)
                    for guid, row in (state.get(table) or {}).items()} for table in TABLES}


def changed_since(session: Session, recorded: Mapping[str, Any], blind_coder: Coder | None = None) -> str | None:
    """Which row recorded in `recorded` is no longer as recorded, in words; None if all are. For a `blind_coder`
    another's coding or memo is named by its kind only: its id would tell them of a coding they do not see."""
    keys = {table: list(recorded.get(table) or {}) for table in TABLES}
    held = reshape_state(session, keys)
    now = _as_compared(held)
    wanted = _as_compared(recorded)
    for table in TABLES:
        for guid, row in wanted[table].items():
            if now[table][guid] != row:
                # Named as it is now, else as recorded: the compared states leave out the id.
                what = _row_named(table, held[table][guid] or (recorded.get(table) or {}).get(guid) or {}, blind_coder)
                return f"{what} has changed since" if now[table][guid] is not None and row is not None else (
                    f"{what} has been {'made again' if row is None else 'deleted'} since")
    return None


def _row_named(table: str, row: Mapping[str, Any], blind_coder: Coder | None) -> str:
    """A recorded row in words: a code by its path, a coding or memo by its id (another's, for a blind coder, by its kind)."""
    if table == "codes":
        return f"code {row.get('path')}"
    if table == "summaries":
        return "a framework summary"
    one, owner = ("coding", row.get("coder_id")) if table == "codings" else ("memo", row.get("author_id"))
    if blind_coder is not None and owner != blind_coder.id:
        return f"a {one}"
    return f"{one} {row.get('id')}"


# --- putting a recorded state back ------------------------------------------------------------


def restore_reshape(session: Session, state: Mapping[str, Any]) -> None:
    """Put every row a reshaping recorded into `state`: codes first (made again, or put back under their
    parents), then what refers to them, then the codes that are not to be, once nothing refers to them."""
    codes: dict[str, dict[str, Any] | None] = state.get("codes") or {}
    existing = {code.guid: code for code in session.scalars(select(Code).where(Code.guid.in_(list(codes))))}
    for guid, wanted in codes.items():
        if wanted is None and guid in existing:
            _refuse_held_since(session, existing[guid], state)
    # Put aside first, at a path no code can have (no name holds a line break), so no code meets
    # another at a path midway.
    for guid, wanted in codes.items():
        code = existing.get(guid)
        if code is not None and (wanted is None or wanted["name"] != code.name or wanted["parent_guid"] != _guid_of(code.parent)):
            place_code(code, code.parent, f"\nmoving {code.id}")
    session.flush()
    for guid, wanted in sorted(((guid, wanted) for guid, wanted in codes.items() if wanted is not None),
                               key=lambda item: item[1]["path"].count("/")):
        _put_code(session, existing.get(guid), wanted)
        session.flush()  # a sub-code put back next finds it as its parent
    for table in ("codings", "memos", "summaries"):
        with session.no_autoflush:  # a row made again is written whole, once every column is set
            _put_rows(session, TABLES[table], state.get(table) or {})
        session.flush()
    going = [existing[guid] for guid, wanted in codes.items() if wanted is None and guid in existing]
    for code in sorted(going, key=lambda code: -code.path.count("/")):
        _delete_code(session, code)


def _guid_of(code: Code | None) -> str | None:
    return code.guid if code is not None else None


def _put_code(session: Session, code: Code | None, wanted: dict[str, Any]) -> None:
    parent = session.scalar(select(Code).where(Code.guid == wanted["parent_guid"])) if wanted["parent_guid"] else None
    if wanted["parent_guid"] and parent is None:
        raise NothingToUndo(f"the code {wanted['path'].rpartition('/')[0]} that {wanted['path']} stood under no longer exists;"
                            " nothing changed", "make it again first")
    path = f"{parent.path}/{wanted['name']}" if parent is not None else wanted["name"]
    clash = sibling_clash(session, parent, wanted["name"], besides={code.id} if code is not None else ())
    if clash is not None:
        raise ChangedByOthers(f"another code, {clash.path}, now stands where {path} was, so it cannot be put back; nothing changed",
                              f"rename that code first (`qualcode codebook rename {code_as_typed(session, clash)} NEW-NAME`), then try again",
                              in_ui=f"rename {clash.path} first ({UI_RENAME}), then try again")
    if wanted["shortcut"] and (holder := session.scalar(select(Code).where(Code.shortcut == wanted["shortcut"],
                                                                           Code.guid != wanted["guid"]))) is not None:
        raise shortcut_taken(session, wanted["shortcut"], path, holder)
    if code is None:
        code = Code(guid=wanted["guid"], id=_free_id(session, Code, wanted["id"]))
        session.add(code)
    place_code(code, parent, path)
    for key, value in wanted.items():
        if key not in ("id", "guid", "parent_guid", "name", "path"):
            setattr(code, key, list(value) if isinstance(value, list) else value)


def _free_id(session: Session, model: type[Recorded], wanted: int) -> int | None:
    """The row's own id when no other row took it since; else None, for a new one."""
    return wanted if session.get(model, wanted) is None else None


def _put_rows(session: Session, model: type[Recorded], states: Mapping[str, dict[str, Any] | None]) -> None:
    """Put each row of one table as `states` has it (None: not there), reading what it needs in one query each (the
    rows, the ids taken, the codes and codings referred to), as a big theme's undo puts back thousands (a query a
    row took seconds)."""
    rows = _rows(session, model, list(states))
    remade = [wanted["id"] for guid, wanted in states.items() if wanted is not None and guid not in rows]
    taken = set(session.scalars(select(model.id).where(in_values(model.id, remade)))) if remade else set()
    referred: dict[str, set[str]] = {}
    for wanted in states.values():
        for column_key, (state_key, _) in _BY_GUID.items():
            if wanted is not None and wanted.get(state_key) is not None:
                referred.setdefault(column_key, set()).add(wanted[state_key])
    ids = {(column_key, guid): row_id for column_key, guids in referred.items()
           for guid, row_id in session.execute(select(_BY_GUID[column_key][1].guid, _BY_GUID[column_key][1].id)
                                               .where(in_values(_BY_GUID[column_key][1].guid, guids)))}
    columns = {column.key: column for column in model.__table__.columns}
    for guid, wanted in states.items():
        row = rows.get(guid)
        if wanted is None:
            if row is not None:
                session.delete(row)
            continue
        made = row is None
        if row is None:
            row = model(id=wanted["id"] if wanted["id"] not in taken else None)  # its own id, unless another row took it since
            session.add(row)
        for key, value in wanted.items():
            if key == "id":
                continue
            if key in ("parent_guid", "code_guid", "coding_guid"):
                column_key = next(column for column, (state_key, _) in _BY_GUID.items() if state_key == key)
                found = ids.get((column_key, value)) if value is not None else None
                if value is not None and found is None:
                    raise _gone_since(session, model, wanted["id"], key, value)
                key, value = column_key, found
            elif isinstance(columns[key].type, DateTime) and value is not None:
                value = datetime.fromisoformat(value)
            elif isinstance(value, list):
                value = list(value)
            if made or getattr(row, key) != value:  # most of a big theme's columns are as they were: setting each cost more
                setattr(row, key, value)


def _gone_since(session: Session, model: type[Recorded], row_id: int, state_key: str, guid: str) -> NothingToUndo:
    """The refusal to put back a row whose code or coding is gone since (the code a merge went into, deleted by
    someone else before its redo), naming that code and who took it away."""
    what = f"{ROW_WORDS[model]} {row_id}"
    if state_key == "coding_guid":
        return NothingToUndo(f"the coding that {what} was on no longer exists; nothing changed", "make the change you want by hand instead")
    gone = gone_codes(session).get(guid)
    named = f"the code {gone.path}" if gone is not None else "the code"
    how = (f" ({gone.by or 'an import'} {'merged it away' if gone.action == EventKind.CODE_MERGE.value else 'deleted it'} on {gone.day})"
           if gone is not None else "")
    return NothingToUndo(f"{named} that {what} belonged to no longer exists{how}; nothing changed",
                         "make the change you want by hand instead")


def _refuse_held_since(session: Session, code: Code, state: Mapping[str, Any]) -> None:
    """Refuse to delete a code again (a redo) while something the recorded change did not move holds it: a coding,
    memo, summary or sub-code made since."""
    recorded = {table: list(state.get(table) or {}) for table in TABLES}
    holds = [what for what, number in (
        ("sub-codes", session.scalar(select(func.count()).select_from(Code).where(
            Code.parent_id == code.id, ~in_values(Code.guid, recorded["codes"])))),
        ("codings", session.scalar(select(func.count()).select_from(Coding).where(
            Coding.code_id == code.id, ~in_values(Coding.guid, recorded["codings"])))),
        ("memos", session.scalar(select(func.count()).select_from(Memo).where(Memo.code_id == code.id, ~in_values(Memo.guid, recorded["memos"])))),
        ("framework summaries", session.scalar(select(func.count()).select_from(FrameworkSummary).where(
            FrameworkSummary.code_id == code.id, ~in_values(FrameworkSummary.guid, recorded["summaries"])))),
    ) if number]
    if holds:
        raise ChangedByOthers(f"code {code.path} has {' and '.join(holds)} made since, so it cannot go again; nothing changed",
                              f"merge it again instead (`qualcode codebook merge {code_as_typed(session, code)} OTHER`), or delete it again",
                              in_ui="merge it again instead (J), or delete it again (X)")


def _delete_code(session: Session, code: Code) -> None:
    """Delete a code once nothing refers to it (_refuse_held_since asked first)."""
    session.flush()
    parent = code.parent
    session.delete(code)
    session.flush()
    if parent is not None:  # its loaded list of sub-codes would still hold the one deleted
        session.expire(parent, ["children"])


# --- merging and deleting ---------------------------------------------------------------------


def _decisions_on(session: Session, code: Code) -> list[dict[str, Any]]:
    """The standing consensus decisions recorded as events (keep neither; keep a passage coded already) that name the code."""
    return [payload for payload in standing_event_decisions(session) if (payload.get("after") or {}).get("code_guid") == code.guid]


def _refuse_decisions_on(session: Session, code: Code, doing: str) -> None:
    """Refuse while a consensus decision recorded as an event (keep neither; keep a passage coded already) names
    the code: it decides a disagreement of that code's passages, which the change would leave without a code."""
    standing = _decisions_on(session, code)
    if standing:
        raise InvalidInput(
            f"{len(standing)} consensus decision{'s' if len(standing) > 1 else ''} on passages of {code.path}"
            f" (to keep neither or a passage coded already) would be left deciding a disagreement no code holds; nothing changed",
            f"reopen {'them' if len(standing) > 1 else 'it'} first (`qualcode consensus list`, then `qualcode consensus reopen`),"
            f" then {doing} again",
            in_ui=f"reopen {'them' if len(standing) > 1 else 'it'} first ({UI_REOPEN}), then {doing} again",
        )


def merge_codes(session: Session, source_ref: str, target_ref: str, coder: Coder) -> Reshaped:
    """Merge one code into another as one undoable change: its codings become the other's (one the other code has
    on the same passage by the same coder is folded into that one), its sub-codes move under it, its memos and
    framework summaries go with it, and a memo on the other code keeps what it was (definition, rules, GUID)."""
    hold_write_lock(session)  # what it reads as the state before is the state it changes
    source, target = find_code(session, source_ref), find_code(session, target_ref)
    if source.id == target.id:
        raise InvalidInput(f"code {source.path} cannot be merged into itself", "name the code to merge it into")
    if target.id in code_subtree_ids(session, source):
        raise InvalidInput(f"code {target.path} is a sub-code of {source.path}, which cannot be merged into its own sub-code",
                           f"merge the other way, or move {target.path} out first (`qualcode codebook move {code_as_typed(session, target)} --top`)",
                           in_ui=f"merge the other way, or move {target.path} out first ({UI_MOVE_TOP})")
    children = list(source.children)
    for child in children:
        if (clash := sibling_clash(session, target, child.name)) is not None:
            raise InvalidInput(f"the sub-code {child.path} would go under {target.path} beside {clash.path}, a name nobody could"
                               " tell from it; nothing changed",
                               f"rename one of them first (`qualcode codebook rename {code_as_typed(session, child)} NEW-NAME`), or merge the two first",
                               in_ui=f"rename one of them first ({UI_RENAME}), or merge the two first (J)")
        refuse_deeper_than_allowed(session, child, f"{target.path}/{child.name}")
    _refuse_decisions_on(session, source, "merge")

    codings = list(session.scalars(select(Coding).where(Coding.code_id == source.id).order_by(Coding.id)))
    live_target = {(coding.transcript_id, coding.coder_id, coding.start, coding.end): coding for coding in session.scalars(
        select(Coding).where(Coding.code_id == target.id, Coding.removed_at.is_(None)))}
    folded = [(coding, kept) for coding in codings if coding.removed_at is None
              and (kept := live_target.get((coding.transcript_id, coding.coder_id, coding.start, coding.end))) is not None]
    source_memos = list(session.scalars(select(Memo).where(Memo.code_id == source.id)))
    folded_memos = list(session.scalars(select(Memo).where(in_values(Memo.coding_id, [coding.id for coding, _ in folded]))))
    summaries = list(session.scalars(select(FrameworkSummary).where(FrameworkSummary.code_id == source.id)))
    target_summaries = {summary.participant_id: summary for summary in session.scalars(
        select(FrameworkSummary).where(FrameworkSummary.code_id == target.id,
                                       FrameworkSummary.participant_id.in_([summary.participant_id for summary in summaries])))}
    record_guid = new_guid()  # the memo on the target that keeps what the merged-away code was: not there before
    keys = {
        "codes": [code.guid for code in session.scalars(select(Code).where(Code.id.in_(code_subtree_ids(session, source))))],
        "codings": [coding.guid for coding in codings] + [kept.guid for _, kept in folded],
        "memos": [memo.guid for memo in (*source_memos, *folded_memos)] + [record_guid],
        "summaries": [summary.guid for summary in summaries] + [summary.guid for summary in target_summaries.values()],
    }
    before = reshape_state(session, keys) | {MERGED_INTO: target.guid}
    session.add(Memo(guid=record_guid, author=coder, code_id=target.id, title=f"Slått sammen hit: {source.path}",
                     text=_merged_memo(source, target)))

    now = utcnow()
    kept_of = {coding.id: kept for coding, kept in folded}
    for coding in codings:
        if (kept := kept_of.get(coding.id)) is not None:
            coding.removed_at = now  # before its code changes: two live codings of one passage, code and coder are refused
            if coding.memo:
                kept.memo = f"{kept.memo}\n\n{coding.memo}" if kept.memo else coding.memo
        coding.code_id = target.id
    for memo in folded_memos:
        memo.coding_id = kept_of[memo.coding_id or 0].id
    for memo in source_memos:
        memo.code_id = target.id
    last = session.scalar(select(func.max(Code.position)).where(Code.parent_id == target.id))
    for place, child in enumerate(children, start=0 if last is None else last + 1):
        place_code(child, target, f"{target.path}/{child.name}")
        child.position = place
    folded_summaries = _fold_summaries(session, source, target, summaries, target_summaries, coder, now)
    session.flush()
    session.expire(source, ["children"])
    session.delete(source)
    session.flush()
    after = reshape_state(session, keys) | {MERGED_INTO: target.guid}

    parts = [f"{len(codings) - len(folded)} coding{'s' if len(codings) - len(folded) != 1 else ''} now {target.path}"]
    if folded:
        parts.append(f"{len(folded)} folded into {target.path}'s coding of the same passage by the same coder (kept as removed)")
    if children:
        parts.append(f"{len(children)} sub-code{'s' if len(children) > 1 else ''} moved under it")
    if source_memos:
        parts.append(f"{len(source_memos)} memo{'s' if len(source_memos) > 1 else ''} moved to it")
    if summaries:
        parts.append(f"{len(summaries)} framework summar{'ies' if len(summaries) > 1 else 'y'} moved"
                     + (f" ({folded_summaries} folded into its own)" if folded_summaries else ""))
    summary = f"merged code {source.path} into {target.path}: " + "; ".join(parts)
    record_event(session, kind=EventKind.CODE_MERGE, coder=coder, entity_guid=source.guid, before=before,
                 after=compact_after(before, after), summary=summary)
    recorded = f"{source.path}'s definition, rules and GUID are kept in a memo on {target.path}"
    notes, in_ui = [f"{recorded} (`qualcode memo list --kind code`)"], [recorded]  # the terminal UI lists no code's memos
    consensus = sum(1 for coding in codings if coding.coder.name == CONSENSUS_CODER)
    if consensus:
        said = (f"{consensus} consensus coding{'s' if consensus > 1 else ''} moved with it: the decisions that made them"
                f" are listed as changed (recoded) until reopened and decided again as {target.path}")
        notes.append(said)
        in_ui.append(said)
    return Reshaped(summary, tuple(notes), tuple(in_ui))


def _merged_memo(source: Code, target: Code) -> str:
    """What a merged-away code was, for the memo on the code it went into (typed text already stored)."""
    lines = [f"Koden {source.path} (GUID {source.guid}) ble slått sammen med {target.path}."]
    for label, value in (("Definisjon", source.definition), ("Inkluder", source.inclusion), ("Ekskluder", source.exclusion),
                         ("Eksempel", source.example), ("Signalord", ", ".join(source.signal_words or []) or None),
                         ("Hurtigtast", source.shortcut), ("Farge", source.colour)):
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


def _fold_summaries(
    session: Session, source: Code, target: Code, summaries: list[FrameworkSummary], target_summaries: dict[int, FrameworkSummary],
    coder: Coder, now: datetime,
) -> int:
    """Move the merged-away code's framework summaries to the other code; where that has one for the same
    participant, fold the two texts into its one (each kept, the moved one marked with its code) and delete the
    moved row, which the merge's record keeps. How many were folded."""
    folded = 0
    for summary in summaries:
        kept = target_summaries.get(summary.participant_id)
        if kept is None:
            summary.code_id = target.id
            continue
        if summary.removed_at is None:
            folded += 1
            if kept.removed_at is None:
                kept.text = f"{kept.text}\n\n{source.path}: {summary.text}"
                kept.coding_guids = sorted({*kept.coding_guids, *summary.coding_guids})
            else:
                kept.text, kept.coding_guids, kept.removed_at = summary.text, list(summary.coding_guids), None
            kept.updated_by, kept.updated_at = coder, now
        session.delete(summary)
    return folded


def delete_code(session: Session, ref: str, coder: Coder, *, with_codings: bool = False, blind: bool = False) -> Reshaped:
    """Delete a code as one undoable change. Refused while it has sub-codes, live framework summaries or consensus
    decisions; with codings (live, or orphaned for review) only `with_codings`. What goes with it (those codings,
    the removed ones of its history, the memos on them, its cleared summaries) is kept whole in the change's record,
    which undo puts back; its own memos go to the code above it (the project, for a code at the top). A `blind` coder's
    refusal does not count the codings, most of them others'."""
    hold_write_lock(session)  # what it reads as the state before is the state it changes
    code = find_code(session, ref)
    if code.children:
        names = ", ".join(child.path for child in code.children)
        raise InvalidInput(f"code {code.path} has sub-codes ({names}); nothing changed",
                           f"move them first (`qualcode codebook move SUB-CODE --under OTHER` or `--top`), or merge {code.path}"
                           " into another code with --into OTHER, which takes them along",
                           in_ui=f"move them first (M on each; ctrl+t in the picker: to the top level), or merge {code.path}"
                           " into another code (J), which takes them along")
    codings = list(session.scalars(select(Coding).where(Coding.code_id == code.id).order_by(Coding.id)))
    in_use = [coding for coding in codings if coding.removed_at is None or coding.orphaned_at is not None]
    if blind and not with_codings and (in_use or _decisions_on(session, code)):
        # Said alike whatever others did with it (codings, decisions between them), which blind coding hides;
        # the coder's own codings are theirs to be told of.
        own = sum(coding.coder_id == coder.id for coding in in_use)
        yours = f" ({counted(own, 'coding')} of yours)" if own else ""
        raise InvalidInput(f"code {code.path} is in use{yours}; nothing changed",
                           "while you code blind, ask whoever leads the study to merge it into another code or delete it")
    if in_use and not with_codings:
        raise CodeInUse(f"code {code.path} has {len(in_use)} coding{'s' if len(in_use) > 1 else ''}; nothing changed",
                        "give --into OTHER to merge them into another code, or --with-codings to delete them with it"
                        " (recorded: `qualcode undo` brings them back)", len(in_use))
    summaries = list(session.scalars(select(FrameworkSummary).where(FrameworkSummary.code_id == code.id)))
    if (written := [summary for summary in summaries if summary.removed_at is None]):
        raise InvalidInput(f"code {code.path} has framework summaries for {len(written)} participant{'s' if len(written) > 1 else ''};"
                           " nothing changed", "merge it into another code with --into OTHER, which keeps them there,"
                           f" or clear them first (`qualcode framework clear PARTICIPANT {code_as_typed(session, code)}`)",
                           in_ui="merge it into another code (J), which keeps them there, or clear them first"
                           " (ctrl+p, Framework matrix: a summary saved empty clears its cell)")
    _refuse_decisions_on(session, code, "delete it")
    consensus = [coding for coding in in_use if coding.coder.name == CONSENSUS_CODER and coding.removed_at is None]
    if consensus:
        raise InvalidInput(f"code {code.path} holds {len(consensus)} coding{'s' if len(consensus) > 1 else ''} consensus decisions made;"
                           " nothing changed", "merge it into another code with --into OTHER, or reopen those decisions first"
                           " (`qualcode consensus reopen`)", in_ui=f"merge it into another code (J), or reopen those decisions first ({UI_REOPEN})")
    memos = list(session.scalars(select(Memo).where(Memo.code_id == code.id)))
    on_codings = list(session.scalars(select(Memo).where(Memo.coding_id.in_(select(Coding.id).where(Coding.code_id == code.id)))))
    keys = {"codes": [code.guid], "codings": [coding.guid for coding in codings],
            "memos": [memo.guid for memo in (*memos, *on_codings)], "summaries": [summary.guid for summary in summaries]}
    before = reshape_state(session, keys)
    parent = code.parent
    for memo in memos:
        memo.code_id = parent.id if parent is not None else None
    for row in on_codings:
        session.delete(row)
    # The memos first: no relationship tells the flush to, and deleting a coding first lets the database's cascade take
    # its memos, which the flush's DELETE then misses, with a warning printed to the researcher.
    session.flush()
    for gone in (*codings, *summaries):
        session.delete(gone)
    session.flush()
    _delete_code(session, code)
    after = reshape_state(session, keys)
    parts = []
    if in_use:
        parts.append(f"with its {len(in_use)} coding{'s' if len(in_use) > 1 else ''}")
    if memos:
        parts.append(f"its {len(memos)} memo{'s' if len(memos) > 1 else ''} now on {parent.path if parent else 'the project'}")
    summary = f"deleted code {code.path}" + (f" ({'; '.join(parts)})" if parts else "")
    record_event(session, kind=EventKind.CODE_DELETE, coder=coder, entity_guid=code.guid, before=before,
                 after=compact_after(before, after), summary=summary)
    if blind:  # the memos on the code are others' too, which blind coding hides: told of their own only
        own = sum(memo.author_id == coder.id for memo in memos)
        summary = f"deleted code {code.path}" + (
            f" ({counted(own, 'memo')} of yours now on {parent.path if parent else 'the project'})" if own else "")
    # The terminal UI says ctrl+z takes back every change, this one too.
    return Reshaped(summary, ("kept in the history: `qualcode undo` brings it back",) if in_use else (), ())
