"""Applying identifiers learned after import to the transcripts already in the project."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import (
    clean_name,
    fill_rare_words,
    known_matcher,
    note_seen_in,
    pseudonymise,
)
from qualcode.anonymise.key import PseudonymKey, Renamed
from qualcode.anonymise.rewrite import Span, rewrite_current_text, spliced
from qualcode.anonymise.typed_text import (
    FREE_TEXT,
    clean_column,
    clean_text,
    free_text_columns,
    map_strings,
    map_written,
)
from qualcode.codebook.model import look_alike_detail, name_twin_keys
from qualcode.codebook.service import code_state
from qualcode.search.index import purge_index
from qualcode.store.events import Entity, EventKind, record_event
from qualcode.store.models import (
    AttributeDefinition,
    Code,
    Coder,
    Coding,
    Event,
    Memo,
    Participant,
    Setting,
    Transcript,
    code_guid,
    new_guid,
)
from qualcode.text.counts import counted


@dataclass(frozen=True)
class PseudonymRedrawn:
    """A pseudonym a change drew anew, and the texts rewritten with (apply._redraw): what the researcher's own notes,
    memos and reports outside the project still call the person. `like`: the word of the old one that is, or is like,
    a real name in the key, why it went; None where it went for another reason (drawn from the project's GUID)."""

    old: str
    new: str
    like: str | None

    def said(self, given: Sequence[str] = ()) -> str:
        """One line for the researcher: old and new, and why, naming no original but one of `given` (the identifiers
        the command or the review was given) that the old one was like."""
        return (f"redrew the pseudonym {self.old!r} as {self.new!r}: {self._why(given)}; the project's texts say"
                f" {self.new!r} now, your own notes and reports outside the project still say {self.old!r}")

    def _why(self, given: Sequence[str]) -> str:
        if self.like is None:
            return "drawn anew from the key's secret"
        from qualcode.anonymise.pseudonyms import looks_like

        like = self.like
        named = next((name for name in given if looks_like(like, {word.casefold() for word in re.split(r"[\s-]+", name) if word})), None)
        return f"its {like!r} is, or is like, " + (f"{named!r}, which the key just learned" if named else "a real name in the key")


@dataclass(frozen=True)
class Reapplied:
    transcripts: list[str]
    replacements: int
    memos: int
    events: int
    others: int = 0  # code definitions, titles, attribute values
    # Backups, by file name: deleted because they held what the key learned, or rewritten with it.
    backups_deleted: tuple[str, ...] = ()
    backups_rewritten: tuple[str, ...] = ()
    # Codes numbered so that none looks like a sibling once renamed by the key: each as the log says it.
    codes_renamed: tuple[str, ...] = ()
    # Codes whose GUID was still derived from a path with a name the key holds (left so by versions
    # before the key re-derived them): given another, so no export can confirm the name.
    guids_redrawn: int = 0
    # Pseudonyms drawn anew (a name learned is, or is like, a word of one), each once, old to newest.
    pseudonyms_redrawn: tuple[PseudonymRedrawn, ...] = ()

    @property
    def anything(self) -> bool:
        return bool(self.transcripts or self.memos or self.events or self.others or self.guids_redrawn)


def reapply_key(session: Session, key: PseudonymKey, coder: Coder | None = None, *, recorded: bool = True) -> Reapplied:
    """Pseudonymise stored texts, speaker labels, memos and the audit trail with the key as it is now.

    Changed transcripts get a new text version (codings move with the text) and the old one is
    deleted; the caller commits and then calls Project.purge(). Not `recorded` where it only takes
    back a change the log does not keep (remove.take_back): the log would say it pseudonymised more.
    """
    fill_rare_words(key)  # a key made before names were found in lower case too: so they are now
    changed: list[str] = []
    replaced = 0
    taken = set(session.scalars(select(Transcript.name)))
    renamed_names: dict[str, str] = {}
    renamed_transcripts: dict[str, str] = {}  # by the names the key knows them by, to name them anew there
    for transcript in session.scalars(select(Transcript).order_by(Transcript.name)).all():
        # The redrawn pseudonyms used here, looked for by the name the key knew the transcript by.
        renamings = [renaming for renaming in key.renamed if transcript.name in renaming.transcripts]
        forms_here = _renamed_forms(renamings)
        # The transcript's own name and file name may hold a redrawn pseudonym, or what is now known to be
        # a name: the pseudonym first, so a name the key drew for Kari stays hers ("intervju_Eva_Lunde", when
        # another person really named Eva Lunde is learned, becomes Kari's new pseudonym, not the other's).
        clean = clean_name(_renamed_name(transcript.name, forms_here), key)
        if clean != transcript.name:
            taken.discard(transcript.name)
            clean = next(f"{clean}-{n}" if n else clean for n in range(len(taken) + 1) if (f"{clean}-{n}" if n else clean) not in taken)
            taken.add(clean)
            renamed_names[transcript.name] = renamed_transcripts[transcript.name] = clean
            transcript.name = clean
            changed.append(clean)
            replaced += 1
        if transcript.source_filename:
            clean_file = clean_name(_renamed_name(transcript.source_filename, forms_here), key)
            if clean_file != transcript.source_filename:
                renamed_names[transcript.source_filename] = clean_file
                transcript.source_filename = clean_file
        text = transcript.current_version.text if transcript.current_version else ""
        spans = _renamed_spans(text, forms_here, _forms_pattern(forms_here), key)
        if spans:
            rewrite_current_text(session, transcript, spans, "a pseudonym turned out to be a real name and was redrawn")
            replaced += len(spans)
            if transcript.name not in changed:
                changed.append(transcript.name)
        version = transcript.current_version
        assert version is not None
        # Speaker labels are kept beside the text: a pseudonym redrawn in the text stayed in them
        # ("search" and `--turns` showed it, and every export of the transcript was refused).
        pattern_here = _forms_pattern(forms_here)
        for turn in version.turns:
            if turn.speaker:
                relabelled = spliced(turn.speaker, _renamed_spans(turn.speaker, forms_here, pattern_here, key)) if forms_here else turn.speaker
                relabelled = _clean(relabelled, key)
                if relabelled != turn.speaker:
                    turn.speaker = relabelled
                    replaced += 1
                    if transcript.name not in changed:
                        changed.append(transcript.name)
        result = pseudonymise(version.text, key, transcript.name)
        note_seen_in(key, result.replacements, transcript.name)
        if not result.replacements:
            continue
        replaced += len(result.replacements)
        if transcript.name not in changed:
            changed.append(transcript.name)
        rewrite_current_text(
            session, transcript, [Span(r.start, r.end, r.pseudonym) for r in result.replacements],
            "identifiers added to the key after import",
            change_turn=lambda turn: {"speaker": _clean(turn.speaker, key)} if turn.speaker else {},
        )
    # The key names transcripts too (where each identifier was seen, and where a redrawn pseudonym waits).
    key.transcripts_renamed(renamed_transcripts)
    if renamed_names:  # the log names transcripts and files by the names they had
        rename_in_log(session, renamed_names)
    # Every other column that holds free text: memos, definitions, titles, attributes, the log.
    # A redrawn pseudonym there was written for the person it was drawn for (the real name it
    # turned out to be was not known yet), so it becomes their new one before the key cleans.
    forms = _renamed_forms(key.renamed)
    pattern = _forms_pattern(forms)
    changed_rows: dict[type, int] = {}
    loaded: dict[type, list[Any]] = {}
    old_paths: dict[int, str] = {}
    old_payloads: list[tuple[Event, Any]] = []
    with session.no_autoflush:  # unique names are made distinct below, before anything is written
        for model in (*FREE_TEXT, Setting):
            rows: list[Any] = loaded.setdefault(model, list(session.scalars(select(model))))
            for row in rows:
                row_changed = False
                if isinstance(row, Code):
                    old_paths[row.id] = row.path
                for column in free_text_columns(row):
                    value = getattr(row, column)
                    if isinstance(row, Event) and column == "payload" and row.entity == Entity.CODE:
                        old_payloads.append((row, value))
                    renamed = value if pattern is None else map_written(value, lambda text: spliced(text, _renamed_spans(text, forms, pattern, key)))
                    cleaned = clean_column(row, column, renamed, key)
                    if cleaned != value:
                        setattr(row, column, cleaned)
                        row_changed = True
                changed_rows[model] = changed_rows.get(model, 0) + row_changed
        numbered = _keep_unique(loaded, old_paths)
        new_guids = _guids_off_names(loaded[Code], old_paths, old_payloads)
        from_before = _guids_of_named_paths(loaded[Code], key, set(new_guids.values()))
        new_guids |= from_before
        if new_guids:
            guids = re.compile("|".join(re.escape(guid) for guid in new_guids))
            for event in loaded[Event]:
                event.entity_guid = new_guids.get(event.entity_guid or "", event.entity_guid)
                event.payload = map_strings(event.payload, lambda text: guids.sub(lambda m: new_guids[m.group()], text))
    codes_renamed = tuple(_record_numbered(session, numbered, coder))
    memos = changed_rows.get(Memo, 0) + changed_rows.get(Coding, 0)
    events = changed_rows.get(Event, 0)
    others = sum(changed_rows.values()) - memos - events
    if changed or memos or events or others or renamed_names or from_before:
        purge_index(session)
    if recorded and (changed or memos or events or others or renamed_names or from_before):
        record_event(
            session, kind=EventKind.ANONYMISE_REAPPLY, coder=coder,
            summary=f"pseudonymised {counted(replaced, 'more identifier')} in {counted(len(changed), 'transcript')},"
                    f" {counted(memos, 'memo')}, {counted(events, 'log entry', 'log entries')}",
        )
    return Reapplied(changed, replaced, memos, events, others, codes_renamed=codes_renamed, guids_redrawn=len(from_before))


def _guids_off_names(codes: list[Code], old_paths: dict[int, str], old_payloads: list[tuple[Event, Any]]) -> dict[str, str]:
    """The new GUID, by old GUID, of each code whose GUID was derived (store.models.code_guid) from a
    path that held what the rewrite just replaced; a live code is given its new one. Anyone with a
    list of names could confirm the original from such a GUID, in every .qdc and .qdpx exported.
    The path may be one the code had before it, or a code above it, was moved: the log keeps those
    (a code moved from a/Kari Nordmann to b keeps the GUID of a/Kari Nordmann). A code that is gone
    (its creation undone) lives on in the log, and redo would bring it back with such a GUID too."""
    # Every path each code has had, as written before this rewrite, with what the rewrite made of it.
    paths_had: dict[str, list[tuple[str, str]]] = {}
    for code in codes:
        paths_had.setdefault(code.guid, []).append((old_paths[code.id], code.path))
    for event, payload in old_payloads:
        for state, old_state in _code_states(event.payload, payload):
            paths_had.setdefault(old_state["guid"], []).append((old_state["path"], state["path"]))
    live = {code.guid: code for code in codes}
    taken = set(paths_had)
    new_guids: dict[str, str] = {}
    for guid, paths in paths_had.items():
        rewritten = next((new for old, new in paths if new != old and guid == code_guid(old)), None)
        if rewritten is None:
            continue
        holder = live.get(guid)
        # Derived from the path it has now, as a new code's is, so re-exports stay stable; random
        # where another code holds that one (one moved away from it, as codebook.service.free_guid).
        derived = code_guid(holder.path if holder is not None else rewritten)
        new_guids[guid] = derived if derived not in taken else new_guid()
        taken.add(new_guids[guid])
        if holder is not None:
            holder.guid = new_guids[guid]
    return new_guids


def _guids_of_named_paths(codes: list[Code], key: PseudonymKey, taken: set[str]) -> dict[str, str]:
    """The new GUID, by old GUID, of each code whose GUID is still uuid5 of its path as it was
    written before the key's pseudonyms replaced the names in it: what a version before the key
    re-derived GUIDs (_guids_off_names) left in projects, where the rewrite that made the path is
    no longer in the log. Found by writing the originals back into the path, whole and word by
    word, as the rewrite replaced them; each such code is given another GUID, as _guids_off_names does."""
    swaps: dict[str, set[str]] = {}  # a pseudonym, or one of its words, and the originals it stands for
    for entry in key.entries:
        swaps.setdefault(entry.pseudonym, set()).add(entry.original)
        made, had = entry.pseudonym.split(), entry.original.split()
        if len(made) == len(had) > 1:
            for word, original in zip(made, had, strict=True):
                swaps.setdefault(word, set()).add(original)
    if not swaps:
        return {}
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(made)}(?!\w)" for made in sorted(swaps, key=len, reverse=True)))
    taken = taken | {code.guid for code in codes}
    new_guids: dict[str, str] = {}
    for code in codes:
        found = [(match.start(), match.end(), sorted(swaps[match.group()])) for match in pattern.finditer(code.path)]
        if not found or len(found) > 6:  # more than six names in one path: not worth every combination
            continue
        for originals in product(*(choices for _, _, choices in found)):
            written, at = [], 0
            for (start, end, _), original in zip(found, originals, strict=True):
                written += [code.path[at:start], original]
                at = end
            if code_guid("".join(written) + code.path[at:]) == code.guid:
                derived = code_guid(code.path)
                new_guids[code.guid] = derived if derived not in taken else new_guid()
                taken.add(new_guids[code.guid])
                code.guid = new_guids[code.guid]
                break
    return new_guids


def _code_states(payload: Any, old_payload: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The (new, old) pairs of a code's states (codebook.service.code_state) in a code's log entry, before and after."""
    pairs = []
    if isinstance(payload, dict) and isinstance(old_payload, dict):
        for side in ("before", "after"):
            state, old_state = payload.get(side), old_payload.get(side)
            if (isinstance(state, dict) and isinstance(old_state, dict) and isinstance(state.get("path"), str)
                    and isinstance(old_state.get("path"), str) and isinstance(old_state.get("guid"), str)):
                pairs.append((state, old_state))
    return pairs


@dataclass(frozen=True)
class _Numbered:
    """A code the key renamed like a sibling, numbered: its name and path as the key made them, and the sibling's path."""

    code: Code
    made_name: str
    made_path: str
    sibling_path: str


def _keep_unique(loaded: dict[type, list[Any]], old_paths: dict[int, str]) -> list[_Numbered]:
    """Names that must stay unique, made so again after cleaning: two spellings of one person
    ("Kari Nordmann", "Kari Nordman") get one pseudonym, and a coder, participant, attribute or
    code named by each would otherwise collide, fail the rewrite and leave the project unopenable.
    The row that kept its name keeps it; the others get " (2)", " (3)" …

    A code the key renamed is numbered also where its new name differs from a sibling's only in
    case or looks like it (name_twin_keys), as a new code so named is refused: two codes nobody
    can tell apart. Siblings alike before are left alike (`codebook show` names them). The codes
    numbered are returned, for the log."""
    for model, scope in ((Coder, None), (Participant, None), (AttributeDefinition, "applies_to")):
        rows = sorted(loaded[model], key=lambda row: inspect(row).attrs.name.history.has_changes())
        taken: dict[object, set[str]] = {}
        for row in rows:
            row.name = _distinct(row.name, taken.setdefault(getattr(row, scope) if scope else None, set()))
    # Codes: a name made distinct among its siblings, and every path built again from its parent's.
    # Those the key left as they were first, so that they keep their names.
    codes = loaded[Code]
    by_id = {code.id: code for code in codes}
    renamed = {code.id for code in codes if code.name != old_paths[code.id].rpartition("/")[2]}
    # Looks are compared only among the siblings of a code the key renamed: a skeleton reads
    # Unicode's table (confusables.txt), which a rewrite that renamed no code has no need of.
    compared = {code.parent_id for code in codes if code.id in renamed}
    siblings: dict[int | None, dict[tuple[str, str], str]] = {}  # parent id -> each name's twin keys -> the path with it
    numbered = []
    for code in sorted(codes, key=lambda code: (old_paths[code.id].count("/"), code.id in renamed)):
        parent = by_id.get(code.parent_id) if code.parent_id is not None else None
        prefix = f"{parent.path}/" if parent is not None else ""
        beside = siblings.setdefault(code.parent_id, {})
        made_name, made_path, name, number = code.name, code.path, code.name, 1
        while (sibling := _sibling_like(name, beside, code.id in renamed)) is not None:
            number += 1
            name = f"{made_name} ({number})"
            if number == 2:
                numbered.append(_Numbered(code, made_name, made_path, sibling))
        for twin_key in (("same", name), *(name_twin_keys(name) if code.parent_id in compared else ())):
            beside.setdefault(twin_key, f"{prefix}{name}")
        code.name = name
        code.path = f"{prefix}{code.name}"
    return numbered


def _sibling_like(name: str, beside: dict[tuple[str, str], str], renamed: bool) -> str | None:
    """The path of the sibling in `beside` a code named `name` cannot be told from: of the same
    name, or, for a name the key just made, of the same name in another case or look."""
    keys = (("same", name), *name_twin_keys(name)) if renamed else (("same", name),)
    return next((beside[key] for key in keys if key in beside), None)


def _record_numbered(session: Session, numbered: list[_Numbered], coder: Coder | None) -> list[str]:
    """Log each code numbered, from the name the key made to the name it has, and say it; never
    undone, which would make the two alike again. What each log entry says."""
    said = []
    for renaming in numbered:
        code = renaming.code
        made = renaming.made_name
        sibling_name = renaming.sibling_path.rpartition("/")[2]
        if made == sibling_name:
            alike = "the same name as"
        elif made.casefold() == sibling_name.casefold():
            alike = "differs only in case from"
        else:
            alike = "looks like"
        # The letter that is not what it seems is said of the sibling, the name the key did not make.
        detail = f" ({look_alike_detail(sibling_name, made)})" if alike == "looks like" else ""
        summary = (f"renamed code {renaming.made_path} to {code.path}: {alike} the code {renaming.sibling_path} beside it{detail}"
                   " once the key's new names were replaced by their pseudonyms")
        after = code_state(code)
        event = record_event(session, kind=EventKind.CODE_UPDATE, coder=coder, entity_guid=code.guid,
                             before={**after, "name": made, "path": renaming.made_path}, after=after, summary=summary)
        event.undoable = False
        said.append(summary)
    return said


def _distinct(value: str, taken: set[str], prefix: str = "") -> str:
    """`value`, or the first of `value (2)`, `value (3)` … that `taken` does not hold (after
    `prefix`); the one chosen is added to `taken`."""
    candidate, number = value, 1
    while f"{prefix}{candidate}" in taken:
        number += 1
        candidate = f"{value} ({number})"
    taken.add(f"{prefix}{candidate}")
    return candidate


def rename_in_log(session: Session, names: dict[str, str]) -> None:
    """Name transcripts, files and attributes in the log by their new `names` (old to new)."""
    if not names:
        return
    for event in session.scalars(select(Event)).all():
        event.summary, event.payload = renamed_in(event.summary, names), renamed_in(event.payload, names)


def renamed_in(value: Any, names: dict[str, str]) -> Any:
    """`value` (a log entry's summary or payload) naming transcripts, files and attributes by their new
    `names` (old to new): each old name only whole, not where a letter, digit, "_" or "-" goes on from
    it, so renaming "gruppe_liv_berg" leaves another transcript's "gruppe_liv_bergen" be; and in any
    case, as a withdrawal finds a pseudonym in the names themselves ("gruppe_ellen_strøm" written of
    "gruppe_Ellen_Strøm" kept the withdrawn participant's pseudonym)."""
    if not names:
        return value
    # The longest first, so a file's "gruppe_liv_berg.md" is taken whole before its transcript's name;
    # in one pass, so a new name is never read again as an old one.
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(old) for old in sorted(names, key=len, reverse=True)) + r")(?![\w-])",
                         re.IGNORECASE)
    folded = {old.casefold(): new for old, new in names.items()}

    def new_name(match: re.Match[str]) -> str:
        found = match.group()
        if found in names:  # as written: of two names alike but for case, each is its own
            return names[found]
        return folded.get(found.casefold()) or next(new for old, new in names.items() if re.fullmatch(re.escape(old), found, re.IGNORECASE))

    return map_written(value, lambda text: pattern.sub(new_name, text))


def _renamed_spans(text: str, forms: dict[str, str], pattern: re.Pattern[str] | None, key: PseudonymKey) -> list[Span]:
    """Where `text` uses redrawn pseudonyms (`forms`, found by `pattern`: each whole or by part, to
    its new form), and what replaces each use; but not a word of a longer name the key holds: a
    pseudonym is redrawn because the name just learned has its word ("Tove", drawn for Hilde, in
    "Tove Lindberg"), and there the word is that person's, whose whole name the key replaces.
    Rewritten as Hilde's, it made "Lise Lindberg", and then a pseudonym nobody was given."""
    uses = list(pattern.finditer(text)) if pattern is not None else []
    if not uses:
        return []
    names = [(found.start, found.end) for found in known_matcher(key).find(text)]
    return [Span(use.start(), use.end(), forms[use.group()]) for use in uses
            if not any(start <= use.start() and use.end() <= end and end - start > len(use.group()) for start, end in names)]


def _renamed_forms(renamings: list[Renamed]) -> dict[str, str]:
    """Each redrawn pseudonym, and each of its words where the new one has as many, to its new form."""
    forms: dict[str, str] = {}
    for renaming in renamings:
        old_parts, new_parts = renaming.old.split(), renaming.new.split()
        forms[renaming.old] = renaming.new
        if len(old_parts) == len(new_parts) and len(old_parts) > 1:
            forms.update(zip(old_parts, new_parts, strict=True))
    return forms


def _renamed_name(name: str, forms: dict[str, str]) -> str:
    """A transcript's or file's name with the redrawn pseudonyms in it (`forms`) in their new form, each
    joined as the name joins its words ("intervju_Eva_Lunde" to "intervju_Ole_Birkeland")."""
    if not forms:
        return name
    # The longest first, so "Eva Lunde" is taken whole before "Eva" alone; an underscore parts words, as in a file's name.
    written_as = [(re.compile(r"[ _.-]".join(re.escape(word) for word in form.split())), form) for form in sorted(forms, key=len, reverse=True)]
    pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(found.pattern for found, _ in written_as) + r")(?![^\W_])")

    def renamed(match: re.Match[str]) -> str:
        new = next(forms[form] for found, form in written_as if found.fullmatch(match.group()))
        joiner = next((character for character in match.group() if not character.isalnum()), " ")
        return joiner.join(new.split())

    return pattern.sub(renamed, name)


def _forms_pattern(forms: dict[str, str]) -> re.Pattern[str] | None:
    if not forms:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True)) + r")(?!\w)")


def _clean(text: str | None, key: PseudonymKey) -> str:
    return clean_text(text, key) if text else (text or "")
