"""The codes of a project: loading a codebook into it, reading it back, editing codes as events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qualcode.codebook.model import (
    CODE_FIELDS,
    Codebook,
    CodeSpec,
    code_name_not_one_line,
    code_too_long,
)
from qualcode.codebook.model import CODE_NAME_LENGTH as CODE_NAME_LENGTH  # exchange/ reads it here
from qualcode.errors import CodebookInvalid, InvalidInput
from qualcode.store.events import EventKind, record_event
from qualcode.store.lookup import resolve
from qualcode.store.models import Code, Coder, Coding, Event, code_guid
from qualcode.store.project import clean_typed
from qualcode.store.settings import get_setting, set_setting

EDITABLE_FIELDS = (*CODE_FIELDS, "signal_words")


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
    codings: int


@dataclass(frozen=True)
class CodebookChanges:
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    not_in_file: list[str]


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


def _as_stored(
    session: Session, codebook: Codebook, guids: Mapping[str, str] | None,
) -> tuple[Codebook, Mapping[str, str] | None]:
    """The codebook with its code names as the typed-text guard stores them, so a code named for
    someone matches the code already stored under the pseudonym (and `guids` keyed the same way)."""
    moved: dict[str, str] = {}

    def cleaned(specs: list[CodeSpec], parent: tuple[str, str] | None) -> list[CodeSpec]:
        made = []
        for spec in specs:
            name = clean_typed(session, spec.name)
            path = (f"{parent[0]}/{spec.name}", f"{parent[1]}/{name}") if parent else (spec.name, name)
            moved[path[0]] = path[1]
            made.append(replace(spec, name=name, children=cleaned(spec.children, path)))
        return made

    stored = replace(codebook, codes=cleaned(codebook.codes, None))
    return stored, None if guids is None else {moved.get(path, path): guid for path, guid in guids.items()}


def apply_codebook(
    session: Session, codebook: Codebook, coder: Coder | None = None, guids: Mapping[str, str] | None = None
) -> CodebookChanges:
    """Merge a codebook into the project by code path: new codes are created, changed ones updated
    with what the file states (a field it leaves out keeps its value).

    Codes the project has but the file lacks are kept (codings may use them) and reported. A new
    code takes its GUID from `guids` (path -> GUID, what another program's file gave it) when no
    code holds it yet, so that program's next file matches it by GUID; otherwise one derived from
    its path. New codes go after their siblings; codes the file puts in another order take one
    another's places, and the others keep theirs.
    """
    codebook, guids = _as_stored(session, codebook, guids)
    existing = {code.path: code for code in session.scalars(select(Code))}
    problems = _name_problems(codebook, existing)
    if problems:
        raise CodebookInvalid(problems)
    taken = {code.guid for code in existing.values()}
    file_paths = {path for path, _, _ in codebook.walk()}
    _check_shortcuts(codebook, existing, file_paths)
    _move_shortcuts(session, codebook, existing, coder)
    places = _places(codebook, existing)
    next_place: dict[str, int] = {}  # parent path ("" for the top) -> the place after its last sub-code
    for sibling in existing.values():
        above = sibling.path.rpartition("/")[0]
        next_place[above] = max(next_place.get(above, 0), sibling.position + 1, places.get(sibling.id, 0) + 1)
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    for path, parent_path, spec in codebook.walk():
        code = existing.get(path)
        if code is None:
            parent = existing[parent_path] if parent_path else None
            position = next_place.get(parent_path or "", 0)
            next_place[parent_path or ""] = position + 1
            guid = (guids or {}).get(path)
            code = Code(guid=guid if guid and guid not in taken else code_guid(path), name=spec.name, path=path, parent=parent, position=position)
            taken.add(code.guid)
            _set_fields(code, spec)
            session.add(code)
            session.flush()
            existing[path] = code
            created.append(path)
            record_event(
                session, kind=EventKind.CODE_CREATE, coder=coder, entity_guid=code.guid,
                after=code_state(code), summary=f"created code {path}",
            )
            continue
        before = code_state(code)
        _set_fields(code, spec, keep_unstated=True)
        code.position = places.get(code.id, code.position)
        if _record_update(session, code, before, coder):
            updated.append(path)
        else:
            unchanged.append(path)
    for left_out in existing.values():  # a code the file leaves out, moved by the order of those it names
        if left_out.path not in file_paths and left_out.id in places:
            before = code_state(left_out)
            left_out.position = places[left_out.id]
            _record_update(session, left_out, before, coder)
    set_setting(session, "codebook.name", codebook.name)
    if codebook.description:
        set_setting(session, "codebook.description", codebook.description)
    not_in_file = sorted(set(existing) - file_paths)
    return CodebookChanges(created, updated, unchanged, not_in_file)


def _record_update(session: Session, code: Code, before: dict[str, Any], coder: Coder | None, summary: str | None = None) -> bool:
    """Log the change to `code` since `before` as an undoable event; False if nothing changed."""
    after = code_state(code)
    if before == after:
        return False
    session.flush()
    record_event(
        session, kind=EventKind.CODE_UPDATE, coder=coder, entity_guid=code.guid,
        before=before, after=after, summary=summary or _describe_update(code.path, before, after),
    )
    return True


def _name_problems(codebook: Codebook, existing: Mapping[str, Code]) -> list[str]:
    """What is wrong with the file's code names, as stored: too long, not on one line, or a new code
    differing only in case from a code beside it, which `codebook add` refuses and every case-blind
    lookup would take for the other. (The YAML reader names the line of most; a .qdc comes here.)"""
    beside = {(code.path.rpartition("/")[0], code.name.casefold()): code.path for code in existing.values()}
    problems = []
    for path, parent_path, spec in codebook.walk():
        problem = code_too_long(spec.name, path) or code_name_not_one_line(spec.name)
        if problem is not None:
            problems.append(problem[0])
            continue
        twin = beside.get((parent_path or "", spec.name.casefold()))
        if path not in existing and twin is not None:
            problems.append(f"code {path} differs only in case from the code {twin} in this project:"
                            f" name it {twin.rpartition('/')[2]!r} in the file, or give a name that differs in more than case")
    return problems


def _move_shortcuts(session: Session, codebook: Codebook, existing: Mapping[str, Code], coder: Coder | None) -> None:
    """Take each shortcut the file gives one code from the code that holds it, logged as a change of
    that code before any change that gives the key away, so undoing them one by one gives it back."""
    for path, _, spec in codebook.walk():
        for other in existing.values():
            if spec.shortcut and other.shortcut == spec.shortcut and other.path != path:
                before = code_state(other)
                other.shortcut = None
                _record_update(session, other, before, coder, f"took shortcut {spec.shortcut!r} from {other.path} for {path}")


def _places(codebook: Codebook, existing: Mapping[str, Code]) -> dict[int, int]:
    """The new position of each code whose place the file changes (code id -> position): where the
    file names existing siblings in another order, they take one another's places in its order,
    the siblings it leaves out stay where they are between them, and all are numbered afresh."""
    named: dict[str, list[str]] = {}
    for path, parent_path, _ in codebook.walk():
        if path in existing:
            named.setdefault(parent_path or "", []).append(path)
    siblings: dict[str, list[Code]] = {}
    for code in existing.values():
        siblings.setdefault(code.path.rpartition("/")[0], []).append(code)
    places: dict[int, int] = {}
    for parent_path, in_file_order in named.items():
        in_project_order = sorted(siblings[parent_path], key=lambda code: (code.position, code.id))
        in_file = set(in_file_order)
        if [code.path for code in in_project_order if code.path in in_file] == in_file_order:
            continue  # the file keeps the project's order: no code moves
        reordered = iter(in_file_order)
        merged = [existing[next(reordered)] if code.path in in_file else code for code in in_project_order]
        places.update({code.id: index for index, code in enumerate(merged) if code.position != index})
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


def _check_shortcuts(codebook: Codebook, existing: dict[str, Code], file_paths: set[str]) -> None:
    for path, _, spec in codebook.walk():
        if not spec.shortcut:
            continue
        for other in existing.values():
            if other.shortcut == spec.shortcut and other.path != path and other.path not in file_paths:
                raise CodebookInvalid(
                    [f"shortcut {spec.shortcut!r} of {path} is already used by {other.path} in this project"]
                )


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
        name=get_setting(session, "codebook.name", "qualcode") or "qualcode",
        description=get_setting(session, "codebook.description"),
        codes=roots,
    )


def list_codes(session: Session, coders: Sequence[str] = ()) -> list[CodeView]:
    """Every code in tree order, with how many live codings it has (by `coders` only, if named:
    a blind coder's counts are their own)."""
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
    return ordered


def _view(code: Code, depth: int, codings: int) -> CodeView:
    return CodeView(
        id=code.id, guid=code.guid, path=code.path, name=code.name, depth=depth,
        definition=code.definition, inclusion=code.inclusion, exclusion=code.exclusion,
        example=code.example, colour=code.colour, shortcut=code.shortcut,
        signal_words=tuple(code.signal_words or ()), codings=codings,
    )


def find_code(session: Session, ref: str) -> Code:
    """A code by its path or name (a name used under two parents is refused with both paths), its
    shortcut key, its id or its GUID."""
    def by_shortcut() -> Code | None:
        return session.scalar(select(Code).where(Code.shortcut == ref)) if len(ref) == 1 else None

    return resolve(session, Code, ref, kind="code", names=("path", "name"), fallback=by_shortcut,
                   hint="list codes with `qualcode codebook show`", choose="give the full path")


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
    parts = [part.strip() for part in path.strip().strip("/").split("/")]
    if not parts[-1]:
        raise InvalidInput(f"code path {typed!r} has no name")
    if not all(parts):
        raise InvalidInput(f"code path {typed!r} has an empty part between slashes", "write it as parent/child")
    for part in parts:
        if (not_one_line := code_name_not_one_line(part)) is not None:
            raise InvalidInput(*not_one_line)
    # Checked as they will be stored: a name the key holds is stored as its pseudonym, which may be
    # a code's already, or differ from one only in case.
    parts = [clean_typed(session, part) for part in parts]
    path = "/".join(parts)
    too_long = code_too_long(parts[-1], path)  # what the store keeps, and what a .qdpx brings back
    if too_long:
        raise InvalidInput(*too_long)
    parent_path, _, name = path.rpartition("/")
    if session.scalar(select(Code).where(Code.path == path)) is not None:
        raise InvalidInput(f"code {path} already exists", "list codes with `qualcode codebook show`")
    parent = find_code(session, parent_path) if parent_path else None
    for other in session.scalars(select(Code.path).where(Code.parent_id == (parent.id if parent else None))):
        # Two codes a reader cannot tell apart, and that every case-blind lookup (the name resolver,
        # a search, SQLite itself) would take for one another.
        if other.rpartition("/")[2].casefold() == name.casefold():
            raise InvalidInput(f"code {path} differs only in case from the code {other}", f"use {other}, or a name that differs in more than case")
    # After the last sibling: a count would repeat a place once a code between had gone.
    last = session.scalar(select(func.max(Code.position)).where(Code.parent_id == (parent.id if parent else None)))
    code = Code(guid=code_guid(path), name=name, path=path, parent=parent, position=0 if last is None else last + 1, signal_words=[])
    session.add(code)
    _apply_changes(session, code, fields or {})
    try:
        session.flush()
    except IntegrityError:  # another command made the same code a moment ago
        raise InvalidInput(f"code {code.path} already exists", "list codes with `qualcode codebook show`") from None
    record_event(
        session, kind=EventKind.CODE_CREATE, coder=coder, entity_guid=code.guid,
        after=code_state(code), summary=f"created code {path}",
    )
    return _view(code, path.count("/"), 0)


def update_code(session: Session, ref: str, changes: dict[str, Any], coder: Coder | None = None) -> CodeView:
    """Change a code's definition, rules, colour, shortcut or signal words, as an undoable event."""
    code = find_code(session, ref)
    before = code_state(code)
    _apply_changes(session, code, changes)
    session.flush()
    after = code_state(code)
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
            if len(value) != 1 or value.isspace() or not value.isprintable():  # as a codebook file's must be
                raise InvalidInput(f"shortcut {value!r} must be one visible character")
            holder = session.scalar(select(Code).where(Code.shortcut == value, Code.id != code.id))
            if holder is not None:
                raise InvalidInput(f"shortcut {value!r} is already used by {holder.path}")
        if key == "signal_words":
            value = [word.strip() for word in (value or []) if word.strip()]
        setattr(code, key, value or ([] if key == "signal_words" else None))


def code_history(session: Session, ref: str) -> list[CodeEvent]:
    """Every recorded change to a code, oldest first, so the history of a definition can be read."""
    code = find_code(session, ref)
    events = session.scalars(select(Event).where(Event.entity_guid == code.guid).order_by(Event.id))
    return [
        CodeEvent(
            at=event.at.isoformat(timespec="seconds"), coder=event.coder.name if event.coder else None,
            action=event.action, summary=event.summary,
            before=event.payload.get("before"), after=event.payload.get("after"),
        )
        for event in events
    ]
