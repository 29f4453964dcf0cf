"""The codes of a project: loading a codebook into it, reading it back, editing codes as events."""

from __future__ import annotations

import re
import shlex
import unicodedata
import uuid
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qualcode.codebook import model
from qualcode.codebook.model import (
    CODE_FIELDS,
    MAX_CODE_DEPTH,
    NOTHING_SHOWN,
    Codebook,
    CodeSpec,
    code_name,
    code_name_not_one_line,
    code_path,
    code_too_long,
    look_alike_detail,
    name_look,
    name_twin_keys,
    shortcut_key,
    shortcut_not_visible,
    shows_nothing,
    too_big,
    too_deep,
    too_many_codes,
    yaml_size_bounds,
)
from qualcode.codebook.model import CODE_NAME_LENGTH as CODE_NAME_LENGTH  # exchange/ reads it here
from qualcode.errors import Ambiguous, ChangedByOthers, CodebookInvalid, InvalidInput, NotFound
from qualcode.store.events import EventKind, hold_write_lock, record_event
from qualcode.store.lookup import resolve
from qualcode.store.models import Code, Coder, Coding, Event, code_guid, new_guid, shown_moment
from qualcode.store.project import clean_typed, typed_as_stored
from qualcode.store.settings import delete_setting, get_setting, project_guid, set_setting

EDITABLE_FIELDS = (*CODE_FIELDS, "signal_words")
# What a project whose codebook was never named calls it (`init --empty`), in exports too.
UNNAMED_CODEBOOK = "qualcode"
# The settings that hold the codebook's own fields, by the names its events use.
CODEBOOK_SETTINGS = {"name": "codebook.name", "description": "codebook.description"}


@dataclass(frozen=True)
class CodeView:
    """A code as the UI and the CLI show it."""

    id: int
    guid: str
    path: str
    name: str
    depth: int
    definition: str | None
    inclusion: str | None
    exclusion: str | None
    example: str | None
    colour: str | None
    shortcut: str | None
    signal_words: tuple[str, ...]
    codings: int  # live codings of this code itself
    # Live codings of the codes beneath it, at any depth: `analyse codes` counts a code with them
    # (as passages, overlaps merged), so both are shown where a researcher may compare the two.
    sub_codings: int = 0


@dataclass(frozen=True)
class AlikeCodes:
    """A code beside another, made before it, that nobody can tell from it (made before such names
    were refused): how it is alike, in words, and where it "looks like" the other, its letter that
    is not what it seems ("its 'о' is CYRILLIC SMALL LETTER O, not 'o'")."""

    code: CodeView
    alike: str
    other: CodeView
    detail: str | None = None


@dataclass(frozen=True)
class CodebookChanges:
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    not_in_file: list[str]
    moved: list[tuple[str, str]] = field(default_factory=list)  # (from, to) of each code moved, also in `updated`
    codebook: list[str] = field(default_factory=list)  # what changed of the codebook's own name and description, in words
    notes: list[str] = field(default_factory=list)  # what the merge left that a researcher should know (shortcut_clashes)


@dataclass(frozen=True)
class CodeEvent:
    at: str
    coder: str | None
    action: str
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def code_state(code: Code) -> dict[str, Any]:
    """Everything needed to restore a code, as stored in events."""
    return {
        "guid": code.guid,
        "name": code.name,
        "path": code.path,
        "parent_guid": code.parent.guid if code.parent is not None else None,
        "position": code.position,
        **{key: getattr(code, key) for key in CODE_FIELDS},
        "signal_words": list(code.signal_words or []),
    }


def _as_stored(session: Session, codebook: Codebook) -> tuple[Codebook, dict[str, str]]:
    """The codebook with its code names as the typed-text guard stores them, so a code named for
    someone matches the code already stored under the pseudonym; and each path as written to the
    path as stored, for whatever a caller keyed by path. Names are kept as `code_name` keeps them,
    and a code the project holds under a name that reads the same (stored with two spaces before
    names were kept so) keeps its name: it is that code, not a new twin of it.

    Two of the file's codes side by side that would be stored as one, or as two nobody can tell
    apart, are refused (`_stored_twins`): "Kari Nordmann" beside "Randi Skogheim", her pseudonym,
    was merged into one code, the second's definition and sub-codes written over the first's."""
    stored_paths: dict[str, str] = {}
    held = {code_path(path): path for path in session.scalars(select(Code.path))}
    problems: list[str] = []

    def cleaned(specs: list[CodeSpec], parent: tuple[str, str] | None) -> list[CodeSpec]:
        made = []
        for spec in specs:
            # A name on more than one line is left as it is, for _name_problems to refuse.
            name = spec.name if code_name_not_one_line(spec.name) else clean_typed(session, code_name(spec.name))
            known = held.get(code_path(f"{parent[1]}/{name}" if parent else name))
            if known is not None and known.rpartition("/")[0] == (parent[1] if parent else ""):
                name = known.rpartition("/")[2]
            path = (f"{parent[0]}/{spec.name}", f"{parent[1]}/{name}") if parent else (spec.name, name)
            stored_paths[path[0]] = path[1]
            made.append(replace(spec, name=name, children=cleaned(spec.children, path)))
        problems.extend(_stored_twins(specs, made, parent[1] if parent else ""))
        return made

    stored = replace(codebook, codes=cleaned(codebook.codes, None))
    if problems:
        raise CodebookInvalid(problems)
    return stored, stored_paths


def _stored_twins(written: list[CodeSpec], stored: list[CodeSpec], parent_path: str) -> list[str]:
    """What is wrong with codes side by side in a file (`written`, and `stored`: the same with their
    names as stored) that would be one code, or two nobody can tell apart: the same name, in any
    case, or one look (name_look). Said by the stored names and the file's lines, never by a name
    as written, which may be one the key replaces."""
    problems = []
    seen: dict[tuple[str, str], int] = {}  # each name's casefold and look -> the first of the codes with it
    for index, spec in enumerate(stored):
        if code_name_not_one_line(spec.name):
            continue
        keys = (("case", spec.name.casefold()), ("look", name_look(spec.name)))
        first = next((seen[key] for key in keys if key in seen), None)
        for key in keys:
            seen.setdefault(key, index)
        if first is None:
            continue
        one, other = stored[first], spec
        paths = [f"{parent_path}/{code.name}" if parent_path else code.name for code in (one, other)]
        lines = f" (lines {one.line} and {other.line})" if one.line is not None and other.line is not None else ""
        as_written = [code_name(written[first].name), code_name(written[index].name)]
        if as_written[0].casefold() != as_written[1].casefold() and name_look(as_written[0]) != name_look(as_written[1]):
            # Apart as written: made one by the key, a name it holds beside its own pseudonym.
            made = f"would both be code {paths[0]}" if paths[0] == paths[1] else f"would be codes {paths[0]} and {paths[1]}, too alike to keep apart,"
            problems.append(f"two of the file's codes{lines} {made} once the names the key holds are replaced by their pseudonyms:"
                            " give one of them another name in the file")
        elif one.name.casefold() != other.name.casefold():
            problems.append(f"the file's code {paths[1]}{lines} looks like its code {paths[0]}"
                            f" ({look_alike_detail(other.name, one.name)}): give one of them another name in the file")
        else:
            problems.append(f"the file has code {paths[0]} twice{lines}, in names that differ only in case or spacing:"
                            " give one of them another name in the file")
    return problems


def apply_codebook(
    session: Session, codebook: Codebook, coder: Coder | None = None, guids: Mapping[str, str] | None = None,
    placed: Mapping[str, str] | None = None,
) -> CodebookChanges:
    """Merge a codebook into the project by code path: new codes are created, changed ones updated
    with what the file states (a field it leaves out keeps its value).

    Codes the project has but the file lacks are kept (codings may use them) and reported. A new
    code takes its GUID from `guids` (path -> GUID, what another program's file gave it) when no
    code holds it yet, so that program's next file matches it by GUID; otherwise one derived from
    its path. `placed` (path -> GUID) names codes the project holds that the file has at a path:
    one found elsewhere is moved there with its sub-codes and codings. New codes go after their
    siblings; codes the file puts in another order take one another's places, and the others keep
    theirs. The merge is one change, which undo and redo take whole: one move of a file's may be
    possible only with another (two codes trading places), and the file is what the coder chose.
    """
    together = new_guid()
    codebook, stored_paths = _as_stored(session, codebook)
    guids = {stored_paths.get(path, path): guid for path, guid in (guids or {}).items()}
    placed = {stored_paths.get(path, path): guid for path, guid in (placed or {}).items()}
    # The project's codes by the paths they have once the file's moves are made: everything below
    # reads the tree as the file leaves it.
    existing = codes_after_moves(
        ((path, parent_path) for path, parent_path, _ in codebook.walk()), {code.path: code for code in session.scalars(select(Code))}, placed,
        guids,
    )
    problems = _name_problems(codebook, existing)
    if problems:
        raise CodebookInvalid(problems)
    taken = {code.guid for code in existing.values()}
    # A GUID a code merged away or deleted held is not given to a new code, from the file or by its path.
    taken |= retired_code_guids(session, [*guids.values(), *(code_guid(path) for path, _, _ in codebook.walk())])
    file_paths = {path for path, _, _ in codebook.walk()}
    _check_shortcuts(codebook, existing, file_paths)
    _move_shortcuts(session, codebook, existing, coder, together)
    places = _places(codebook, existing)
    next_place: dict[str, int] = {}  # parent path ("" for the top) -> the place after its last sub-code
    for path, sibling in existing.items():
        above = path.rpartition("/")[0]
        next_place[above] = max(next_place.get(above, 0), sibling.position + 1, places.get(sibling.id, 0) + 1)
    moved_aside = make_way_for_moves(session, existing)
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    moved: list[tuple[str, str]] = []
    for path, parent_path, spec in codebook.walk():
        code = existing.get(path)
        if code is None:
            parent = existing[parent_path] if parent_path else None
            position = next_place.get(parent_path or "", 0)
            next_place[parent_path or ""] = position + 1
            guid = guids.get(path)
            code = Code(guid=guid if guid and guid not in taken else free_guid(path, taken), name=spec.name, path=path, parent=parent, position=position)
            taken.add(code.guid)
            _set_fields(code, spec)
            session.add(code)
            session.flush()
            existing[path] = code
            created.append(path)
            record_event(
                session, kind=EventKind.CODE_CREATE, coder=coder, entity_guid=code.guid,
                after=code_state(code), summary=f"created code {path}", together=together,
            )
            continue
        moving = code.path != path  # the file has it under another code (placed): moved there first, as a change of its own
        if moving:
            if code.id not in places:  # after its new siblings
                places[code.id] = next_place.get(parent_path or "", 0)
                next_place[parent_path or ""] = places[code.id] + 1
            moved.append(move_code(session, code, existing[parent_path] if parent_path else None, path, places[code.id], coder,
                                   moved_aside.get(code.id), together))
        before = code_state(code)
        _set_fields(code, spec, keep_unstated=True)
        code.position = places.get(code.id, code.position)
        if _record_update(session, code, before, coder, together=together) or moving:
            updated.append(path)
        else:
            unchanged.append(path)
    for path, left_out in existing.items():  # a code the file leaves out, moved by the order of those it names
        if path not in file_paths and left_out.id in places:
            before = code_state(left_out)
            left_out.position = places[left_out.id]
            _record_update(session, left_out, before, coder, together=together)
    renamed = set_codebook(session, codebook.name, codebook.description, coder, together)
    session.flush()
    if (too_much := codebook_limit_problem(session)) is not None:
        refused = CodebookInvalid([too_much[0]])
        refused.hint = too_much[1]
        raise refused
    not_in_file = sorted(set(existing) - file_paths)
    return CodebookChanges(created, updated, unchanged, not_in_file, moved, codebook=renamed, notes=shortcut_clashes(session, file_paths))


def codebook_guid(session: Session) -> str:
    """The GUID the codebook's own events are about: the project has one codebook, named from its project's GUID."""
    return str(uuid.uuid5(uuid.UUID(project_guid(session)), "codebook"))


def codebook_state(session: Session) -> dict[str, str | None]:
    """The codebook's name and description as stored (None: never set), as its events hold them."""
    return {key: get_setting(session, setting) for key, setting in CODEBOOK_SETTINGS.items()}


def restore_codebook(session: Session, state: Mapping[str, str | None]) -> None:
    """Put the codebook's name and description back to `state` (from `codebook_state`), for undo and redo."""
    for key, setting in CODEBOOK_SETTINGS.items():
        value = state.get(key)
        if value is None:
            delete_setting(session, setting)
        else:
            set_setting(session, setting, value)


def set_codebook(
    session: Session, name: str | None, description: str | None, coder: Coder | None = None, together: str | None = None,
) -> list[str]:
    """Give the codebook `name` and `description` (None, or empty, keeps what it has), as an undoable
    change in the log like a code's; what changed, in words, for the import's summary. A file that
    names the codebook as it is called already changes nothing, even where it was never set."""
    # Compared as stored: a name the key holds is stored as its pseudonym, and is then no change.
    name, description = (clean_typed(session, text) if text else None for text in (name, description))
    before = codebook_state(session)
    after = dict(before)
    if name and name != (before["name"] or UNNAMED_CODEBOOK):
        after["name"] = name
    if description and description != before["description"]:
        after["description"] = description
    if after == before:
        return []
    restore_codebook(session, after)
    changed = []
    if after["name"] != before["name"]:
        changed.append(f"renamed the codebook from {before['name'] or UNNAMED_CODEBOOK!r} to {after['name']!r}")
    if after["description"] != before["description"]:
        changed.append("gave the codebook a description" if before["description"] is None else "changed the codebook's description")
    session.flush()
    record_event(session, kind=EventKind.CODEBOOK_UPDATE, coder=coder, entity_guid=codebook_guid(session),
                 before=before, after=after, summary="; ".join(changed), together=together)
    return changed


def free_guid(path: str, taken: Container[str]) -> str:
    """The GUID derived from the path, unless a code moved away from that path still holds it: then a random one."""
    derived = code_guid(path)
    return derived if derived not in taken else new_guid()


def move_code(
    session: Session, code: Code, parent: Code | None, path: str, position: int, coder: Coder | None, before: dict[str, Any] | None = None,
    together: str | None = None,
) -> tuple[str, str]:
    """Move `code` with its sub-codes and codings to `path` under `parent`, at `position` there, as one
    undoable change ("moved code A to B") from `before` (its state now, unless make_way_for_moves
    moved it aside); its path before and after. A file's moves are checked with `codes_after_moves`
    first; one under the code's own sub-code, a loop in the tree, is refused here too."""
    above = parent
    while above is not None:
        if above is code:
            raise CodebookInvalid([f"the file puts code {code.path} under {path.rpartition('/')[0]}, one of its own sub-codes"
                                   " in this project; a code cannot be moved under itself"])
        above = above.parent
    before = before or code_state(code)
    old_path = before["path"]
    place_code(code, parent, path)
    code.position = position
    _record_update(session, code, before, coder, f"moved code {old_path} to {path}", together)
    return old_path, path


def sibling_clash(session: Session, parent: Code | None, name: str, besides: Container[int] = ()) -> Code | None:
    """The code under `parent` (the top, if None) whose name nobody could tell from `name` (the same
    in another case, or looking alike: name_twin_keys), other than the codes `besides` names by id."""
    keys = set(name_twin_keys(name))
    for other in session.scalars(select(Code).where(Code.parent_id == (parent.id if parent else None)).order_by(Code.id)):
        if other.id not in besides and keys & set(name_twin_keys(other.name)):
            return other
    return None


def refuse_deeper_than_allowed(session: Session, code: Code, path: str) -> None:
    """Refuse putting `code` at `path` when it or a sub-code would be too deep or have too long a path there."""
    subtree = list(session.scalars(select(Code.path).where(Code.id.in_(code_subtree_ids(session, code)))))
    deepest = max(subtree, key=lambda sub: sub.count("/"))
    if (too := too_deep(path + deepest[len(code.path):])) is not None:
        raise InvalidInput(*too)
    if len(path) + max(len(sub) for sub in subtree) - len(code.path) > model.CODE_PATH_LENGTH:
        raise InvalidInput(f"there, a sub-code of {code.path} would have a path longer than {model.CODE_PATH_LENGTH} characters",
                           "rename it shorter first, or move it elsewhere")


# How the terminal UI does what a refusal asks to be done first, in its keys (QualcodeError.in_ui).
FIND_CODES = "list codes with `qualcode codebook show`"  # where a code not found is looked for on the command line
UI_MOVE_TOP = "M on it, then ctrl+t in the picker: to the top level"
UI_RENAME = "R on a passage coded with it"


def move_code_under(session: Session, ref: str, parent_ref: str | None, coder: Coder | None = None) -> tuple[str, str]:
    """Put a code, with its sub-codes and codings, under another code (`parent_ref`), or at the top
    (None), as one undoable change with its GUID kept; its path before and after. Refused, naming
    the codes, where it would go under itself or beside a code nobody could tell from it."""
    hold_write_lock(session)  # what it reads as the state before is the state it changes
    code = find_code(session, ref)
    parent = find_code(session, parent_ref) if parent_ref is not None else None
    if parent is not None and parent.id in code_subtree_ids(session, code):
        if parent.id == code.id:
            raise InvalidInput(f"code {code.path} cannot be moved under itself", "choose another code to put it under")
        raise InvalidInput(f"code {code.path} cannot be moved under its own sub-code {parent.path}",
                           f"move {parent.path} out first (`qualcode codebook move {code_as_typed(session, parent)} --top`),"
                           " or choose another code",
                           in_ui=f"move {parent.path} out first ({UI_MOVE_TOP}), or choose another code")
    if code.parent_id == (parent.id if parent else None):
        raise InvalidInput(f"code {code.path} is {'under ' + parent.path if parent else 'at the top'} already", "choose another place")
    path = f"{parent.path}/{code.name}" if parent is not None else code.name
    if (other := sibling_clash(session, parent, code.name)) is not None:
        raise InvalidInput(f"code {code.path} cannot go {'under ' + parent.path if parent else 'to the top'}: {other.path} is there,"
                           " a name nobody could tell from it",
                           f"rename one of them first (`qualcode codebook rename {code_as_typed(session, code)} NEW-NAME`)",
                           in_ui=f"rename one of them first ({UI_RENAME})")
    refuse_deeper_than_allowed(session, code, path)
    last = session.scalar(select(func.max(Code.position)).where(Code.parent_id == (parent.id if parent else None)))
    return move_code(session, code, parent, path, 0 if last is None else last + 1, coder)


# The changes that take a code away, each recording the rows it took (coding/reshape.py).
RESHAPING = (EventKind.CODE_MERGE.value, EventKind.CODE_DELETE.value)


def retired_code_guids(session: Session, guids: Iterable[str]) -> set[str]:
    """Those of `guids` that a code merged into another or deleted held: never given to a new code,
    since a colleague's file or an undo may still name the old code by it (REFI-QDA goes by GUID)."""
    return set(session.scalars(select(Event.entity_guid).where(Event.entity_guid.in_(set(guids)), Event.action.in_(RESHAPING))))


# In a merge's event, the GUID of the code merged into (coding/reshape.py records it).
MERGED_INTO = "into"


def merged_code_targets(session: Session, guids: Iterable[str]) -> dict[str, str]:
    """Those of `guids` no code holds whose code was merged into another, each with the GUID of the code that
    holds its codings now: a colleague's file from before the merge names the code by it. A merge into a code
    merged on since is followed; a code deleted last (or a merge into one deleted since) is left out."""
    gone = gone_codes(session)
    return {guid: into.guid for guid in set(guids) if guid in gone and (into := gone[guid].into) is not None}


@dataclass(frozen=True)
class GoneCode:
    """A code a merge or deletion took away and nothing put back: as it was, who took it and when, and the code
    its codings are under now (a merge's, followed through later merges; None: deleted, or merged into one since deleted)."""

    guid: str
    path: str
    action: str
    by: str | None
    day: str
    merged_into: str | None  # the path of the code it was merged into, as that is now or was when merged away too
    into: Code | None


def gone_codes(session: Session) -> dict[str, GoneCode]:
    """Every code merged away or deleted and not brought back, by GUID."""
    taken: dict[str, tuple[Event, dict[str, Any]]] = {}
    for event in session.scalars(select(Event).where(Event.action.in_(RESHAPING)).order_by(Event.id)):
        after = (event.payload.get("after") or {}).get("codes") or {}
        for guid, state in ((event.payload.get("before") or {}).get("codes") or {}).items():
            if state is not None and after.get(guid) is None:
                taken[guid] = (event, state)  # the latest change that took it: an undone one's code is here again
    here = set(session.scalars(select(Code.guid).where(Code.guid.in_(list(taken)))))
    taken = {guid: held for guid, held in taken.items() if guid not in here}

    def now_under(guid: str) -> Code | None:
        seen: set[str] = set()
        while guid in taken and guid not in seen:  # merged into one merged away since: where that went
            seen.add(guid)
            into = (taken[guid][0].payload.get("after") or {}).get(MERGED_INTO)
            if into is None:
                return None
            guid = into
        return session.scalar(select(Code).where(Code.guid == guid))

    def merged_into(event: Event) -> str | None:
        into = (event.payload.get("after") or {}).get(MERGED_INTO)
        if into is None:
            return None
        code = session.scalar(select(Code.path).where(Code.guid == into))
        return code if code is not None else taken[into][1]["path"] if into in taken else None

    return {guid: GoneCode(guid, state["path"], event.action, event.coder.name if event.coder else None,
                           shown_moment(event.at)[:10], merged_into(event), now_under(guid)) for guid, (event, state) in taken.items()}


def _gone_code_named(session: Session, ref: str) -> GoneCode | None:
    """The code merged away or deleted that `ref` named, by its path (in any case) or GUID; the latest if several."""
    typed = unicodedata.normalize("NFC", code_path(ref)).casefold()
    named = [gone for gone in gone_codes(session).values() if gone.guid == ref.strip() or gone.path.casefold() == typed]
    return named[-1] if named else None


def place_code(code: Code, parent: Code | None, path: str) -> None:
    """Put `code` at `path` under `parent` (its name the path's last part), its sub-codes' paths following."""
    code.parent = parent
    code.name = path.rpartition("/")[2]
    code.path = path
    for child in code.children:
        place_code(child, code, f"{path}/{child.name}")


def codes_after_moves(
    tree: Iterable[tuple[str, str | None]], existing: dict[str, Code], placed: Mapping[str, str], with_guid: Container[str] = (),
) -> dict[str, Code]:
    """The project's codes by path once each code `placed` names is moved where the file has it, with
    its sub-codes: the tree the file describes, whatever order it lists its codes in. `tree` is the
    file's codes as (path, parent path), each path with the project's names for the codes it holds;
    `with_guid` the paths of the file's codes that carry a GUID, which at a path a moved code leaves
    are new codes. A move is refused, and with it the file, where it would put a code under its own
    sub-code, where two codes would end at one path (or paths differing only in case), or where the
    file also has the code, without a GUID, by name where it stands now."""
    if not placed:
        return existing
    current = {code.id: path for path, code in existing.items()}
    by_id = {code.id: code for code in existing.values()}
    by_guid = {code.guid: code for code in existing.values()}
    tree = list(tree)
    problems: list[str] = []
    target: dict[int, str] = {}  # code id -> the path the file moves it to
    for path, parent_path in tree:
        code = by_guid.get(placed.get(path, ""))
        if code is None or current[code.id] == path:
            continue
        old_path, above = current[code.id], parent_path or ""
        if above == old_path or above.startswith(old_path + "/"):
            problems.append(f"the file puts code {old_path} under {above}, one of its own sub-codes in this project;"
                            " a code cannot be moved under itself")
            continue
        target[code.id] = path
    if problems:
        raise CodebookInvalid(problems)
    final: dict[int, str] = {}

    def final_path(code: Code) -> str:
        if code.id not in final:
            if code.id in target:
                final[code.id] = target[code.id]
            elif code.parent_id is not None and code.parent_id in by_id:
                final[code.id] = f"{final_path(by_id[code.parent_id])}/{code.name}"
            else:
                final[code.id] = current[code.id]
        return final[code.id]

    at: dict[str, Code] = {}
    beside: dict[str, Code] = {}
    looking: dict[tuple[str, str], Code] = {}  # (parent path, name_look) -> the code with that look there
    deep: list[str] = []
    for code in sorted(existing.values(), key=lambda code: (code.id not in target, current[code.id] == final_path(code), code.id)):
        path = final_path(code)
        twin = beside.setdefault(path.casefold(), code)
        alike = ""
        if twin is code:
            # Nor beside a code it looks like ("аvmakt", a Cyrillic а, moved beside avmakt), as `codebook add` refuses it.
            twin = looking.setdefault((path.rpartition("/")[0].casefold(), name_look(code.name)), code)
            alike = f" that looks like it ({look_alike_detail(twin.name, code.name)})" if twin is not code else ""
        if twin is not code and current[twin.id] == final[twin.id]:
            # Neither moves (the one moved is named first: sorted so): two alike made before names were
            # checked so, which the file leaves as they are, as `codebook show` names them.
            twin = code
        if twin is not code:
            problems.append(f"the file moves code {current[twin.id]} to {final[twin.id]}, where this project has another code{alike},"
                            f" {current[code.id]} (in the other program, put it under another code)")
            continue
        at[path] = code
        if path != current[code.id]:
            too_long = code_too_long(code.name, path)
            if too_long is not None:
                problems.append(f"moving code {current[code.id]} to {path}: {too_long[0]}")
            elif too_deep(path) is not None and not deep:  # as `codebook add` and every codebook file refuse it; said once
                mover = code
                while mover.id not in target and mover.parent_id in by_id:
                    mover = by_id[mover.parent_id]
                deep.append(f"the file moves code {current[mover.id]} to {target.get(mover.id, path)}, which takes"
                            f" {current[code.id]} {path.count('/') + 1} levels deep; a code tree has at most {MAX_CODE_DEPTH}"
                            " (in the other program, move it nearer the top)")
    problems.extend(deep)
    for path, _ in tree:  # a code the file names where it stands now and, by its GUID, elsewhere
        held = existing.get(path)
        if path not in placed and path not in at and path not in with_guid and held is not None and held.id in target:
            problems.append(f"the file has code {path} twice: by its name at {path} and by its GUID at {target[held.id]}"
                            f" (in the other program, give the code at {path} another name)")
    if problems:
        raise CodebookInvalid(problems)
    return at


def make_way_for_moves(session: Session, after: Mapping[str, Code]) -> dict[int, dict[str, Any]]:
    """Put each code the file moves under another code (`after`, from codes_after_moves) at a name no
    code can have, with its sub-codes, so that the moves can then be made in the file's order without
    two codes meeting at one path midway; each such code's state before, for its undoable change."""
    moving = []
    for path, code in after.items():
        new_parent = after.get(path.rpartition("/")[0]) if "/" in path else None
        if code.path != path and new_parent is not code.parent:
            moving.append(code)
    before = {code.id: code_state(code) for code in moving}
    for code in moving:  # a line break is in no code's name: the typed-text guard keeps names on one line
        place_code(code, code.parent, f"{code.path.rpartition('/')[0]}/\nmoving {code.id}".lstrip("/"))
    session.flush()
    return before


def _record_update(
    session: Session, code: Code, before: dict[str, Any], coder: Coder | None, summary: str | None = None, together: str | None = None,
) -> bool:
    """Log the change to `code` since `before` as an undoable event; False if nothing changed."""
    after = code_state(code)
    if before == after:
        return False
    session.flush()
    record_event(
        session, kind=EventKind.CODE_UPDATE, coder=coder, entity_guid=code.guid,
        before=before, after=after, summary=summary or _describe_update(code.path, before, after), together=together,
    )
    return True


def _name_problems(codebook: Codebook, existing: Mapping[str, Code]) -> list[str]:
    """What is wrong with the file's code names, as stored: too long, not on one line, or a new code
    differing only in case from a code beside it, or looking like it (name_look), which `codebook
    add` refuses and which nobody, nor any case-blind lookup, could tell from the other. (The YAML
    reader names the line of most; a .qdc comes here.)"""
    beside = {(path.rpartition("/")[0], code_name(path.rpartition("/")[2]).casefold()): path for path in existing}
    looking = {(path.rpartition("/")[0], name_look(path.rpartition("/")[2])): path for path in existing}
    problems = []
    for path, parent_path, spec in codebook.walk():
        problem = code_too_long(spec.name, path) or code_name_not_one_line(spec.name)
        if problem is not None:
            problems.append(problem[0])
            continue
        if path in existing:
            continue
        twin = beside.get((parent_path or "", code_name(spec.name).casefold()))
        if twin is not None:
            problems.append(f"code {path} differs only in case from the code {twin} in this project:"
                            f" name it {twin.rpartition('/')[2]!r} in the file, or give a name that differs in more than case")
        elif (twin := looking.get((parent_path or "", name_look(spec.name)))) is not None:
            twin_name = twin.rpartition("/")[2]
            problems.append(f"code {path} looks like the code {twin} in this project ({look_alike_detail(spec.name, twin_name)}):"
                            f" name it {twin_name!r} in the file, or give a name that reads differently")
    return problems


def _move_shortcuts(
    session: Session, codebook: Codebook, existing: Mapping[str, Code], coder: Coder | None, together: str,
) -> None:
    """Take each shortcut the file gives one code from the code that holds it, logged as a change of
    that code before any change that gives the key away."""
    for path, _, spec in codebook.walk():
        for other_path, other in existing.items():
            if spec.shortcut and other.shortcut == spec.shortcut and other_path != path:
                before = code_state(other)
                other.shortcut = None
                _record_update(session, other, before, coder, f"took shortcut {spec.shortcut!r} from {other.path} for {path}",
                               together)


def _places(codebook: Codebook, existing: Mapping[str, Code]) -> dict[int, int]:
    """The new position of each code whose place the file changes (code id -> position): where the
    file names existing siblings in another order, they take one another's places in its order,
    the siblings it leaves out stay where they are between them, and all are numbered afresh.
    `existing` holds the codes by the paths the file's moves give them."""
    named: dict[str, list[str]] = {}
    for path, parent_path, _ in codebook.walk():
        if path in existing:
            named.setdefault(parent_path or "", []).append(path)
    siblings: dict[str, list[tuple[str, Code]]] = {}
    for path, code in existing.items():
        siblings.setdefault(path.rpartition("/")[0], []).append((path, code))
    places: dict[int, int] = {}
    for parent_path, in_file_order in named.items():
        # A code the file moves here from under another code comes after the siblings it finds.
        in_project_order = sorted(siblings[parent_path], key=lambda sibling: (sibling[1].path != sibling[0], sibling[1].position, sibling[1].id))
        in_file = set(in_file_order)
        if [path for path, _ in in_project_order if path in in_file] == in_file_order:
            continue  # the file keeps the project's order: no code changes place
        reordered = iter(in_file_order)
        for index, (path, _) in enumerate(in_project_order):
            taking_path = next(reordered) if path in in_file else path  # a named code takes the next named one's place
            taking = existing[taking_path]
            if taking.position != index or taking.path != taking_path:  # one being moved here always takes its place
                places[taking.id] = index
    return places


def _set_fields(code: Code, spec: CodeSpec, keep_unstated: bool = False) -> None:
    """The file's fields on `code`; with `keep_unstated`, a field the file leaves out (another
    program's file with only names, a YAML file with only a new definition) keeps the project's
    value: a merge never clears what a researcher wrote. Clearing one is `codebook edit`'s work."""
    for key in CODE_FIELDS:
        value = getattr(spec, key)
        if value is not None or not keep_unstated:
            setattr(code, key, value)
    if spec.signal_words or not keep_unstated:
        code.signal_words = list(spec.signal_words)


# The keys a hint offers in place of a taken shortcut.
_SHORTCUT_KEYS = "abcdefghijklmnopqrstuvwxyz0123456789"


def _check_shortcuts(codebook: Codebook, existing: dict[str, Code], file_paths: set[str]) -> None:
    """Refuse shortcuts the file gives that codes it leaves as they are hold, every clash at once: a study's
    own codebook beside the shipped one was refused one key at a time, with no word of what to do."""
    kept = {other_path: other for other_path, other in existing.items() if other_path not in file_paths and other.shortcut}
    clashes = []
    for path, _, spec in codebook.walk():
        if not spec.shortcut:
            continue
        for other_path, other in kept.items():
            if other.shortcut == spec.shortcut and other_path != path:
                clashes.append(f"shortcut {spec.shortcut!r} of {path} is already used by {other.path} in this project")
    if clashes:
        taken = {other.shortcut for other in kept.values()} | {spec.shortcut for _, _, spec in codebook.walk()}
        free = ", ".join(key for key in _SHORTCUT_KEYS if key not in taken) or "none of a-z, 0-9"
        raise CodebookInvalid(clashes, "give each another shortcut in the file, or leave its shortcut out;"
                                       f" free: {free}")


def _describe_update(path: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    changed = [key for key in after if before.get(key) != after.get(key)]
    return f"changed {', '.join(changed)} of {path}"


def project_codebook(session: Session) -> Codebook:
    """The project's codes as a Codebook, ready to be written as YAML."""
    codes = list(session.scalars(select(Code).order_by(Code.position, Code.id)))
    specs = {
        code.id: CodeSpec(
            name=code.name, **{key: getattr(code, key) for key in CODE_FIELDS},
            signal_words=list(code.signal_words or []),
        )
        for code in codes
    }
    roots: list[CodeSpec] = []
    for code in codes:
        (specs[code.parent_id].children if code.parent_id else roots).append(specs[code.id])
    return Codebook(
        name=get_setting(session, "codebook.name") or UNNAMED_CODEBOOK,
        description=get_setting(session, "codebook.description"),
        codes=roots,
    )


def codebook_limit_problem(session: Session) -> tuple[str, str] | None:
    """Why the project's codebook, as it stands in this transaction, is more than a codebook may be
    (model.MAX_CODES, model.MAX_CODEBOOK_BYTES), and what to do; None if it is not. Every change that
    brings codes or text in asks, so the project's own export always imports back. The size is
    bounded from the texts first; only a codebook near the limit is written out to be measured."""
    count = session.scalar(select(func.count()).select_from(Code)) or 0
    if (problem := too_many_codes(count)) is not None:
        return problem
    texts = [value for value in codebook_state(session).values() if value]
    words = 0
    for row in session.execute(select(Code.name, Code.signal_words, *(getattr(Code, key) for key in CODE_FIELDS))):
        texts.extend(value for value in (row[0], *row[2:]) if value)
        texts.extend(row[1] or [])
        words += len(row[1] or [])
    fewest, most = yaml_size_bounds(texts, count, words)
    if most <= model.MAX_CODEBOOK_BYTES:
        return None
    if fewest > model.MAX_CODEBOOK_BYTES:
        return too_big(fewest, at_least=True)
    # Imported here: the YAML module loads PyYAML, which most commands never use.
    from qualcode.codebook.yaml_format import dump_codebook

    size = len(dump_codebook(project_codebook(session)).encode("utf-8"))
    return too_big(size) if size > model.MAX_CODEBOOK_BYTES else None


def list_codes(session: Session, coders: Sequence[str] = ()) -> list[CodeView]:
    """Every code in tree order, with how many live codings it has and its sub-codes have (by
    `coders` only, if named: a blind coder's counts are their own)."""
    live = select(Coding.code_id, func.count()).where(Coding.removed_at.is_(None))
    if coders:
        live = live.join(Coder, Coder.id == Coding.coder_id).where(Coder.name.in_(coders))
    counts = dict(session.execute(live.group_by(Coding.code_id)).all())
    codes = list(session.scalars(select(Code).order_by(Code.position, Code.id)))
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    ordered: list[CodeView] = []

    def visit(parent_id: int | None, depth: int) -> None:
        for code in children.get(parent_id, []):
            ordered.append(_view(code, depth, counts.get(code.id, 0)))
            visit(code.id, depth + 1)

    visit(None, 0)
    beneath: dict[int, int] = {}
    for view in reversed(ordered):  # children come after their parent: each is summed before it is read
        beneath[view.id] = sum(counts.get(child.id, 0) + beneath[child.id] for child in children.get(view.id, []))
    return [replace(view, sub_codings=beneath[view.id]) if beneath[view.id] else view for view in ordered]


def alike_codes(codes: Sequence[CodeView]) -> list[AlikeCodes]:
    """Each of `codes` (list_codes) whose name a sibling's made before it cannot be told from, by
    the rule of creation (name_twin_keys: the same name in another case, or spacing, or one that
    looks like it), with that sibling. A project made before names were checked so may hold such
    pairs; they are left as they are until the researcher renames or merges them. In the order of `codes`."""
    first_with: dict[tuple[str, str, str], CodeView] = {}
    found: dict[int, AlikeCodes] = {}
    for code in sorted(codes, key=lambda view: view.id):  # made first, by its id
        parent_path = code.path.rpartition("/")[0]
        keys = [(parent_path, *key) for key in name_twin_keys(code.name)]
        other = next((first_with[key] for key in keys if key in first_with), None)
        for key in keys:
            first_with.setdefault(key, code)
        if other is None:
            continue
        name, other_name = code_name(code.name), code_name(other.name)
        if name == other_name:
            found[code.id] = AlikeCodes(code, "differs only in spacing from", other)
        elif name.casefold() == other_name.casefold():
            found[code.id] = AlikeCodes(code, "differs only in case from", other)
        else:
            found[code.id] = AlikeCodes(code, "looks like", other, look_alike_detail(name, other_name))
    return [found[code.id] for code in codes if code.id in found]


def _view(code: Code, depth: int, codings: int) -> CodeView:
    return CodeView(
        id=code.id, guid=code.guid, path=code.path, name=code.name, depth=depth,
        definition=code.definition, inclusion=code.inclusion, exclusion=code.exclusion,
        example=code.example, colour=code.colour, shortcut=code.shortcut,
        signal_words=tuple(code.signal_words or ()), codings=codings,
    )


def _named_as_shortcut(session: Session, key: str) -> tuple[Code, list[Code]] | None:
    """The code whose shortcut `key` is, and the other codes whose path or name is `key` (in any case), if any."""
    holder = session.scalar(select(Code).where(Code.shortcut == shortcut_key(key)))
    if holder is None:
        return None
    folded = key.casefold()
    named = [code for code in session.scalars(select(Code).where(Code.id != holder.id).order_by(Code.id))
             if code_path(code.path).casefold() == folded or code_name(code.name).casefold() == folded]
    return (holder, named) if named else None


def shortcut_clashes(session: Session, paths: Container[str] | None = None) -> list[str]:
    """A note for each code named as another code's shortcut (a code "5" beside the key 5), where
    either code's path is in `paths` (all, if None): a command given that one character is
    refused as ambiguous (find_code), so the researcher hears of it where the name or key came in."""
    notes = []
    keys = {code.shortcut: code for code in session.scalars(select(Code).where(Code.shortcut.is_not(None)))}
    for key in sorted(key for key in keys if key):
        clash = _named_as_shortcut(session, key)
        if clash is None:
            continue
        holder, named = clash
        if paths is None or holder.path in paths or any(code.path in paths for code in named):
            notes.append(f"{' and '.join(code.path for code in named)} {'is' if len(named) == 1 else 'are'} named as the shortcut"
                         f" {key!r} of {holder.path}: a command given {key!r} now asks which is meant, so name {holder.path}"
                         " by its path (or give one of them another name or key)")
    return notes


def find_code(session: Session, ref: str, *, as_stored: bool = True) -> Code:
    """A code by its path or name (a name used under two parents is refused with both paths), its
    shortcut key, its id or its GUID. Names are compared as `code_name` keeps them, so "a  b" and
    "a b" name one code, also one stored before names were kept so.

    One character that is one code's shortcut and another's name (the key 5, a code named "5") is
    refused, naming both: taking either would code silently with the other than the one meant,
    and which one changed when a codebook brought the name in.

    A code not found as typed is looked for as the key would have stored the name (store.lookup.resolve),
    unless not `as_stored`."""
    typed = ref
    ref = code_path(ref) or ref
    if len(ref) == 1 and (clash := _named_as_shortcut(session, ref)) is not None:
        holder, named = clash
        # A code at the top named as the key has no longer path: its GUID names it.
        ways = [holder.path, *(code.path if code.path.casefold() != ref.casefold() else code.guid for code in named)]
        raise Ambiguous(
            f"code {typed!r} could be {holder.path} (its shortcut) or {', '.join(code.path for code in named)} (by name)",
            f"give the full path or GUID: {' or '.join(ways)}",
        )

    def by_shortcut_or_kept_name(looked_for: str) -> Code | None:
        if len(looked_for) == 1 and (holder := session.scalar(select(Code).where(Code.shortcut == shortcut_key(looked_for)))) is not None:
            return holder
        # A name stored before names were kept as code_name keeps them ("a  b"): found by how it reads.
        folded = looked_for.casefold()
        found = [code for code in session.scalars(select(Code).order_by(Code.id))
                 if code_path(code.path).casefold() == folded or code_name(code.name).casefold() == folded]
        if len(found) > 1:
            named = typed if looked_for == ref else looked_for  # as the key has it, where it was looked for so
            raise Ambiguous(f"code {named!r} could be any of {', '.join(code.path for code in found)}", "give the full path")
        return found[0] if found else None

    try:
        return resolve(session, Code, ref, kind="code", names=("path", "name"), fallback=by_shortcut_or_kept_name,
                       hint=FIND_CODES, choose="give the full path", as_stored=as_stored)
    except NotFound as missing:
        if not as_stored:
            raise
        # A code merged away or deleted: "no code" alone sent the researcher looking for a typo. Its path
        # as typed, or as the key would have stored it (a name the key holds, as resolve looks for it too).
        gone = _gone_code_named(session, typed) or _gone_code_named(session, typed_as_stored(session, typed))
        if gone is None:
            raise
        what = f"merged it into {gone.merged_into}" if gone.merged_into else "merged it away" if gone.action == EventKind.CODE_MERGE.value \
            else "deleted it"
        since = (f", since merged into {gone.into.path}" if gone.into is not None and gone.into.path != gone.merged_into
                 else ", since deleted" if gone.merged_into and gone.into is None else "")
        raise NotFound(f"{missing.message}: {gone.by or 'an import'} {what} on {gone.day}{since}",
                       (f"use {code_as_typed(session, gone.into)} instead; " if gone.into is not None else "")
                       + f"`qualcode codebook history {shell_word(gone.path)}` shows what became of it") from None


def code_as_typed(session: Session, code: Code) -> str:
    """How a hint's command names `code`: its path, quoted for a shell, where that path finds this code and no
    other (a path reads better than a GUID); else its GUID, which nothing else can be taken for."""
    try:
        found = find_code(session, code.path)
    except (NotFound, Ambiguous):
        return code.guid
    return shell_word(code.path) if found.id == code.id else code.guid


def shortcut_taken(session: Session, shortcut: str, path: str, holder: Code) -> ChangedByOthers:
    """The refusal of an undo or redo that would give `path` back the `shortcut` another code, `holder`, has
    now. Freed by the one refused, it would not help: that change would be the one their undo takes back
    first, and it ends their redo. So the hint names who can free it, and the command that says who that is."""
    typed = code_as_typed(session, holder)
    return ChangedByOthers(
        f"the shortcut {shortcut!r} of {path} is now {holder.path}'s, so it cannot be given back; nothing changed",
        f"whoever gave it to {holder.path} (`qualcode codebook history {typed}` says who) can free it"
        f" (`qualcode codebook edit {typed} --shortcut ''`), then try again; freed by you it would not help, as your undo takes"
        " your newest change back first and a new change ends your redo",
    )


def shell_word(text: str) -> str:
    """`text` as one word to a POSIX shell, quoted only where it needs it (shlex quotes any letter outside ASCII:
    'skjønn' reads as if it needed it)."""
    return text if re.fullmatch(r"[\w@%+=:,./-]+", text) else shlex.quote(text)


def code_subtree_ids(session: Session, code: Code) -> list[int]:
    """The code and all its descendants."""
    # SQLite's LIKE, which startswith becomes, ignores case: "Empowerment/" took in "empowerment/avmakt".
    prefix = code.path + "/"
    rows = session.execute(select(Code.id, Code.path).where((Code.path == code.path) | Code.path.startswith(prefix)))
    return [code_id for code_id, path in rows if path == code.path or path.startswith(prefix)]


def create_code(
    session: Session, path: str, fields: dict[str, Any] | None = None, coder: Coder | None = None
) -> CodeView:
    """Add one code (its parent must exist), recorded as an undoable event."""
    typed = path
    for part in path.strip().strip("/").split("/"):
        if (not_one_line := code_name_not_one_line(part.strip())) is not None:
            raise InvalidInput(*not_one_line)
    # Kept as a codebook file's names are kept (code_name), so the project's own file read back
    # finds this code: "a  b", "a\u00a0b" and "a b" are one name.
    parts = [code_name(part) for part in path.strip().strip("/").split("/")]
    if not parts[-1]:
        raise InvalidInput(f"code path {typed!r} has no name")
    if not all(parts):
        raise InvalidInput(f"code path {typed!r} has an empty part between slashes", "write it as parent/child")
    if any(shows_nothing(part) for part in parts):
        raise InvalidInput(f"code path {typed!r} has a name written with {NOTHING_SHOWN}", "give a name a reader can see")
    # Checked as they will be stored: a name the key holds is stored as its pseudonym, which may be
    # a code's already, or differ from one only in case.
    written = "/".join(parts)
    parts = [clean_typed(session, part) for part in parts]
    path = "/".join(parts)
    # Said where the name as typed was free and only its pseudonymised form is taken, without the name.
    as_stored = "; a name the key holds is stored as its pseudonym" if path != written else ""
    too_long = code_too_long(parts[-1], path) or too_deep(path)  # what the store keeps, and what a codebook file brings back
    if too_long:
        raise InvalidInput(*too_long)
    parent_path, _, name = path.rpartition("/")
    if session.scalar(select(Code).where(Code.path == path)) is not None:
        raise InvalidInput(f"code {path} already exists{as_stored}", "list codes with `qualcode codebook show`")
    # A parent is named by its path, which no shortcut can make ambiguous ("p" beside the key p).
    try:
        parent = (session.scalar(select(Code).where(Code.path == parent_path)) or find_code(session, parent_path)) if parent_path else None
    except NotFound as missing:
        if missing.in_ui is not None or missing.hint != FIND_CODES:
            raise  # merged or deleted: said with what became of it
        # The terminal UI makes a code in its picker, where the command line's hint names a command.
        raise NotFound(missing.message, missing.hint, in_ui=f"create {parent_path} first (p, type {parent_path}, ctrl+n), then {path}") from None
    _refuse_alike_sibling(session, parent, None, path, as_stored)
    # After the last sibling: a count would repeat a place once a code between had gone.
    last = session.scalar(select(func.max(Code.position)).where(Code.parent_id == (parent.id if parent else None)))
    taken = set(session.scalars(select(Code.guid).where(Code.guid == code_guid(path)))) | retired_code_guids(session, [code_guid(path)])
    code = Code(guid=free_guid(path, taken), name=name, path=path, parent=parent, position=0 if last is None else last + 1, signal_words=[])
    session.add(code)
    _apply_changes(session, code, fields or {})
    try:
        session.flush()
    except IntegrityError:  # another command made the same code a moment ago
        raise InvalidInput(f"code {code.path} already exists", "list codes with `qualcode codebook show`") from None
    if (too_much := codebook_limit_problem(session)) is not None:
        raise InvalidInput(*too_much)
    record_event(
        session, kind=EventKind.CODE_CREATE, coder=coder, entity_guid=code.guid,
        after=code_state(code), summary=f"created code {path}",
    )
    return _view(code, path.count("/"), 0)


def _refuse_alike_sibling(session: Session, parent: Code | None, code: Code | None, path: str, as_stored: str) -> None:
    """Refuse a code at `path` under `parent` (`code`, renamed, or a new one) whose name a sibling's
    cannot be told from: two codes a reader cannot tell apart, and that every case-blind lookup
    (the name resolver, a search, SQLite itself) would take for one another."""
    name = path.rpartition("/")[2]
    look = name_look(name)
    siblings = select(Code.path).where(Code.parent_id == (parent.id if parent else None))
    for other in session.scalars(siblings if code is None else siblings.where(Code.id != code.id)):
        if other == path:
            raise InvalidInput(f"code {path} already exists{as_stored}", "list codes with `qualcode codebook show`")
        # The same name in another case, or one stored with two spaces.
        if (kept := code_name(other.rpartition("/")[2])).casefold() == name.casefold():
            raise InvalidInput(f"code {path} differs only in {'spacing' if kept == name else 'case'} from the code {other}{as_stored}",
                               f"use {other}, or a name that differs in more than case")
        # Or written with letters of another script, or "rn" for "m": a second code that looks like the first.
        if name_look(kept) == look:
            raise InvalidInput(f"code {path} looks like the code {other}: {look_alike_detail(name, kept)}{as_stored}",
                               f"use {other}, or a name that reads differently")


def rename_code(session: Session, ref: str, typed: str, coder: Coder | None = None) -> tuple[str, CodeView]:
    """Give a code another name, its sub-codes and codings with it and its GUID kept, as an
    undoable change; refused as `create_code` refuses the name beside the code's siblings. The
    code's path before, and the code."""
    hold_write_lock(session)  # what it reads as the state before is the state it changes
    code = find_code(session, ref)
    if (not_one_line := code_name_not_one_line(typed.strip())) is not None:
        raise InvalidInput(*not_one_line)
    written = code_name(typed)
    if not written:
        raise InvalidInput("the new name is empty", "give the code a name")
    if shows_nothing(written):
        raise InvalidInput(f"the new name is written with {NOTHING_SHOWN}", "give a name a reader can see")
    if "/" in written:
        raise InvalidInput(f"the name {written!r} holds '/', which separates a code from the code above it", "give a name without '/'")
    name = clean_typed(session, written)
    as_stored = "; a name the key holds is stored as its pseudonym" if name != written else ""
    parent_path = code.path.rpartition("/")[0]
    path = f"{parent_path}/{name}" if parent_path else name
    if name == code.name:
        raise InvalidInput(f"code {code.path} is named {name!r} already{as_stored}", "give another name")
    too_long = code_too_long(name, path)
    if too_long:
        raise InvalidInput(*too_long)
    longest = max(len(sub) for sub in session.scalars(select(Code.path).where(Code.id.in_(code_subtree_ids(session, code)))))
    if len(path) + longest - len(code.path) > model.CODE_PATH_LENGTH:
        raise InvalidInput(f"so named, a sub-code of {code.path} would have a path longer than {model.CODE_PATH_LENGTH} characters",
                           "give a shorter name")
    _refuse_alike_sibling(session, code.parent, code, path, as_stored)
    before = code_state(code)
    place_code(code, code.parent, path)
    try:
        session.flush()
    except IntegrityError:  # another command made a code of that name a moment ago
        raise InvalidInput(f"code {path} already exists", "list codes with `qualcode codebook show`") from None
    if (too_much := codebook_limit_problem(session)) is not None:
        raise InvalidInput(*too_much)
    _record_update(session, code, before, coder, f"renamed code {before['path']} to {path}")
    return before["path"], _view(code, path.count("/"), 0)


def update_code(session: Session, ref: str, changes: dict[str, Any], coder: Coder | None = None) -> CodeView:
    """Change a code's definition, rules, colour, shortcut or signal words, as an undoable event."""
    hold_write_lock(session)  # what it reads as the state before is the state it changes (coding/service.live_coding)
    code = find_code(session, ref)
    before = code_state(code)
    _apply_changes(session, code, changes)
    session.flush()
    after = code_state(code)
    if before != after and (too_much := codebook_limit_problem(session)) is not None:
        raise InvalidInput(*too_much)
    if before != after:
        record_event(
            session, kind=EventKind.CODE_UPDATE, coder=coder, entity_guid=code.guid,
            before=before, after=after, summary=_describe_update(code.path, before, after),
        )
    return _view(code, code.path.count("/"), 0)


def _apply_changes(session: Session, code: Code, changes: dict[str, Any]) -> None:
    # Imported here: the YAML module loads PyYAML, which most commands never use.
    from qualcode.codebook.yaml_format import COLOUR

    for key, value in changes.items():
        if key not in EDITABLE_FIELDS:
            raise InvalidInput(f"{key!r} is not a field of a code", "fields: " + ", ".join(EDITABLE_FIELDS))
        if key == "colour" and value and not COLOUR.match(value):
            raise InvalidInput(f"colour {value!r} is not #RRGGBB")
        if key == "shortcut" and value:
            value = shortcut_key(value)
            if shortcut_not_visible(value):  # as a codebook file's must be
                raise InvalidInput(f"shortcut {value!r} must be one visible character")
            holder = session.scalar(select(Code).where(Code.shortcut == value, Code.id != code.id))
            if holder is not None:
                raise InvalidInput(f"shortcut {value!r} is already used by {holder.path}")
        if key == "signal_words":
            value = [word.strip() for word in (value or []) if word.strip()]
        setattr(code, key, value or ([] if key == "signal_words" else None))


def code_history(session: Session, ref: str, *, blind: bool = False) -> list[CodeEvent]:
    """Every recorded change to a code, oldest first, so the history of a definition can be read: a merge into
    it among them, and a code merged away or deleted found by its path or GUID as it was. For a `blind` coder a
    merge's or deletion's summary names the codes only: its counts are of others' codings and memos too."""
    reshaped = list(session.scalars(select(Event).where(Event.action.in_(RESHAPING)).order_by(Event.id)))
    try:
        guid = find_code(session, ref).guid
    except NotFound:
        # In any case, as a code here is found; as typed, or as the key would have stored it (find_code looks so too).
        paths = {unicodedata.normalize("NFC", code_path(typed)).casefold() for typed in (ref, typed_as_stored(session, ref))}
        gone = [guid for event in reversed(reshaped) for guid, state in ((event.payload.get("before") or {}).get("codes") or {}).items()
                if state is not None and (state["path"].casefold() in paths or guid == ref)]
        if not gone:
            raise
        guid = gone[0]

    def states(event: Event) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        if event.action not in RESHAPING:
            return event.payload.get("before"), event.payload.get("after")
        return tuple(((event.payload.get(which) or {}).get("codes") or {}).get(guid) for which in ("before", "after"))  # type: ignore[return-value]

    def concerns(event: Event) -> bool:
        return event.entity_guid == guid or any(
            guid in ((event.payload.get(which) or {}).get("codes") or {}) or (event.payload.get(which) or {}).get(MERGED_INTO) == guid
            for which in ("before", "after"))

    own = list(session.scalars(select(Event).where(Event.entity_guid == guid).order_by(Event.id)))
    merges = [event for event in reshaped if concerns(event)]
    # Their undos and redos too, which name the code merged away or deleted rather than this one.
    steps = list(session.scalars(select(Event).where(Event.refers_to_id.in_([event.id for event in merges]),
                                                     Event.action.in_((EventKind.UNDO.value, EventKind.REDO.value)))))
    events = sorted({event.id: event for event in [*own, *merges, *steps]}.values(), key=lambda event: event.id)
    return [
        CodeEvent(
            at=shown_moment(event.at), coder=event.coder.name if event.coder else None,
            action=event.action, summary=counts_left_out(event.summary) if blind and event in merges + steps else event.summary,
            before=states(event)[0], after=states(event)[1],
        )
        for event in events
    ]


# What a merge's or deletion's summary (coding/reshape.py) says after the codes it names: what it did to codings,
# sub-codes, memos and summaries, counted.
_RESHAPE_COUNTS = re.compile(r"(: \d+ codings? now .*| \((with its \d+ coding|its \d+ memo).*\))$", re.DOTALL)


def counts_left_out(summary: str) -> str:
    """A merge's or deletion's summary (or its undo's or redo's) as a blind coder is told it: the codes it names,
    without its counts, which are of every coder's codings and memos."""
    return _RESHAPE_COUNTS.sub("", summary)
