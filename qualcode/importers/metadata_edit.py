"""Correcting a transcript's or a participant's metadata after import, each as an undoable event."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.coding.transcripts import transcript_state
from qualcode.coding.waves import project_wave
from qualcode.errors import AwaitsReview, ImportFailed, InvalidInput, NotFound
from qualcode.importers.metadata import (
    ATTRIBUTE_NAME_LENGTH,
    ATTRIBUTE_VALUE_LENGTH,
    PARTICIPANT_COLUMNS,
    attribute_definition,
    attributes_over_transcripts,
    check_attribute_name,
    check_participant_value,
    check_transcript_meta,
    participant_state,
    participant_value,
    placeholder_put_in,
    refuse_attributes_participants_have,
    stored_values,
    typed_value,
)
from qualcode.importers.pseudonymise import decide_hint
from qualcode.store.attribute_names import attribute_guid, rename_in_states
from qualcode.store.events import EventKind, hold_write_lock, record_event
from qualcode.store.lookup import find_participant, find_transcript
from qualcode.store.models import (
    AttributeDefinition,
    Coder,
    Participant,
    ParticipantAttribute,
    TextVersion,
    Transcript,
    TranscriptAttribute,
    TranscriptParticipant,
    Turn,
)
from qualcode.store.project import TYPING_KEY, clean_typed, typed_as_stored
from qualcode.text.counts import counted
from qualcode.text.normalise import check_one_line
from qualcode.text.order import natural_key

# A role is one word (deltaker, veileder, leder, medforsker); attribution labels are made from it.
ROLE = re.compile(r"[^\W\d_]+")
TRANSCRIPT_FIELDS = ("title", "wave", "date", "fidelity", "interviewer", "participants")


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after an edit, as text."""

    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class MetadataEdit:
    """What an edit changed; `changes` is empty when every value was already so."""

    entity: str
    name: str
    changes: tuple[FieldChange, ...]
    notes: tuple[str, ...] = ()  # what the change reaches beyond the field, said beside it
    # Values the key stored with a placeholder, one with others' (kontor (sted)): said wherever the edit is made.
    made_one: tuple[str, ...] = ()


def edit_transcript(
    session: Session,
    ref: str,
    coder: Coder,
    *,
    date: str | None = None,
    wave: str | None = None,
    participants: list[str] | None = None,
    fidelity: str | None = None,
    interviewer: str | None = None,
    title: str | None = None,
    attributes: dict[str, str] | None = None,
) -> MetadataEdit:
    """Change a transcript's date, wave, participants, fidelity, interviewer, title or attributes; an empty text clears it.

    When one participant is replaced by another, the turns attributed to the first move to the
    second; turns of a participant removed otherwise are attributed to no one. An attribute is the
    transcript's own, as one its front matter gives (a role that differs by round, role_in_round):
    checked and defined as import does, and refused where a participant of the transcript has it.
    """
    hold_write_lock(session)  # what it reads as the state before is the state it changes (coding/service.live_coding)
    offered = {"date": date, "wave": wave, "fidelity": fidelity, "interviewer": interviewer, "title": title}
    given = {field: value for field, value in offered.items() if value is not None}
    if not given and participants is None and not attributes:
        raise InvalidInput("say what to change",
                           "give --date, --wave, --participant, --fidelity, --interviewer, --title or --attribute NAME=VALUE")
    transcript = find_transcript(session, ref)
    _refuse_attribute_twice(attributes or {})
    cleared = {field for field, value in given.items() if not value.strip()}
    if "fidelity" in cleared:
        raise InvalidInput("a transcript's fidelity cannot be empty", "give transcript, referat, fieldnotes or comments")
    try:
        checked = check_transcript_meta({k: v.strip() for k, v in given.items() if k not in cleared}, f"transcript {transcript.name}")
    except ImportFailed as error:  # the same checks as import, told as an input error
        raise InvalidInput(error.message, error.hint) from None
    if checked.get("wave"):
        checked["wave"] = project_wave(session, checked["wave"], besides=transcript.id)
    _refuse_unreviewed_names(session, "transcript", {
        **{field: checked[field] for field in ("title", "interviewer") if field in checked},
        "attributes": {name: value for name, value in (attributes or {}).items() if value.strip()},
    })
    people = _participants(session, participants) if participants is not None else None

    old_turns: dict[int, str | None] = {}
    new_turns: dict[int, str | None] = {}
    if people is not None:
        old_turns, new_turns = _reattribute(session, transcript, people)
    # A label named the interviewer is no participant's: an import took "Forsker 1:" before such labels were
    # the interviewer's (or a label no rule knows) for the participant's, their questions counted and quoted
    # as the participant's words, and setting the interviewer left them so.
    asked = _participants_turns_of(session, transcript, checked["interviewer"]) if checked.get("interviewer") else {}
    for turn_id, name in asked.items():
        old_turns.setdefault(turn_id, name)
        new_turns[turn_id] = None
    before = transcript_state(transcript, old_turns)
    for field in cleared:
        setattr(transcript, "interview_date" if field == "date" else field, None)
    for field, value in checked.items():
        setattr(transcript, "interview_date" if field == "date" else field, value)
    if people is not None:
        _relink(session, transcript, people, old_turns, new_turns)
    set_turn_participants(session, dict.fromkeys(asked))
    if asked:
        _relabel(session, transcript, checked["interviewer"])
    session.flush()
    session.refresh(transcript, ["participant_links"])
    stored = {_set_attribute(session, transcript, name, value): value for name, value in (attributes or {}).items()}
    # As import refuses it: a participant's value counts over the transcript's in every table, filter and search.
    refuse_attributes_participants_have(
        session, [link.participant_id for link in transcript.participant_links],
        {attribute.definition.name: attribute.value for attribute in transcript.attributes
         if attribute.definition.name in stored and stored[attribute.definition.name].strip()},
    )
    session.flush()
    session.refresh(transcript, ["attributes"])
    after = transcript_state(transcript, new_turns)
    edit = _record(session, coder, "transcript", transcript.name, transcript.guid, before, after)
    if not asked:
        return edit
    whose = ", ".join(sorted({name for name in asked.values() if name is not None}))
    verb = "is" if len(asked) == 1 else "are"
    return replace(edit, notes=(f"{counted(len(asked), 'turn')} of {checked['interviewer']} {verb} the interviewer's now,"
                                f" no longer {whose}'s",))


def _participants_turns_of(session: Session, transcript: Transcript, label: str) -> dict[int, str | None]:
    """The turns of the transcript's current text under `label` (in any case) that a participant has, by id."""
    rows = session.execute(
        select(Turn.id, Turn.speaker, Participant.name)
        .join(Participant, Turn.participant_id == Participant.id)
        .where(Turn.text_version_id == transcript.current_version_id)
    ).all()
    wanted = label.strip().casefold()
    return {turn_id: name for turn_id, speaker, name in rows if (speaker or "").strip().casefold() == wanted}


def _relabel(session: Session, transcript: Transcript, label: str) -> None:
    """A participant the transcript knew by `label`, now the interviewer's, is known by a label of the turns
    still theirs (the first, as an import chooses), or by none: a withdrawal that finds them by their label
    took the interviewer's questions for their words, and a .qdpx gave the interviewer's turns to them."""
    session.flush()
    wanted = label.strip().casefold()
    for link in transcript.participant_links:
        if (link.speaker_label or "").strip().casefold() != wanted:
            continue
        left = session.scalars(select(Turn.speaker).where(
            Turn.text_version_id == transcript.current_version_id, Turn.participant_id == link.participant_id,
            Turn.speaker.is_not(None)).distinct()).all()
        link.speaker_label = min((speaker for speaker in left if speaker), default=None)


def _refuse_unreviewed_names(session: Session, owner: str, typed: dict[str, Any]) -> None:
    """Refuse a title or interviewer that names someone nobody has decided about, as import holds
    back a file whose front matter does: stored, it would be kept as typed, unpseudonymised. Said of
    the field typed, the `owner`'s ("the transcript's title names …"), whether the name is new or waits."""
    key = session.info.get(TYPING_KEY)
    typed = {field: value for field, value in typed.items() if value}
    if key is None or not typed:
        return
    from qualcode.anonymise.service import codebook_vocabulary
    from qualcode.anonymise.typed_text import pseudonym_meant, refuse_undecided
    from qualcode.importers.pseudonymise import misspelt_hint, undecided_in_metadata

    for field, value in typed.items():
        # An attribute by its name, as the proposals' contexts name it below ("attribute kontakt").
        for named, text in [(f"attribute {name}", text) for name, text in value.items()] if isinstance(value, dict) else [(field, value)]:
            # A name already waiting is refused as a memo naming it is.
            refuse_undecided(text, key, what=f"{owner}'s {named}", then="then edit again")
    for proposal in undecided_in_metadata(typed, key, codebook_vocabulary(session)):
        field = proposal.context.partition(":")[0]
        if meant := pseudonym_meant(proposal.text, key):  # no one to add to the key (importers.pseudonymise)
            raise AwaitsReview(f"the {owner}'s {field} names {proposal.text!r}, which the key does not know: did you mean the pseudonym"
                               f" {meant!r}?", misspelt_hint(meant, "then edit again"))
        raise AwaitsReview(
            f"the {owner}'s {field} names {proposal.text!r}, a possible identifier nobody has decided about",
            decide_hint(proposal.text, proposal.kind, "then edit again"),
        )


def _participants(session: Session, names: list[str]) -> list[Participant]:
    found: list[Participant] = []
    for name in names:
        if not name.strip():
            raise InvalidInput("a participant name is empty", "give the participant's id, as D1")
        participant = find_participant(session, name.strip())
        if participant not in found:
            found.append(participant)
    return found


def _reattribute(
    session: Session, transcript: Transcript, people: list[Participant]
) -> tuple[dict[int, str | None], dict[int, str | None]]:
    """The turns whose participant changes: before and after, by turn id."""
    old = [link.participant for link in transcript.participant_links]
    removed = [p for p in old if p not in people]
    added = [p for p in people if p not in old]
    if not removed:
        return {}, {}
    successor = added[0].name if len(removed) == 1 and len(added) == 1 else None
    rows = session.execute(
        select(Turn.id, Participant.name)
        .join(TextVersion, Turn.text_version_id == TextVersion.id)
        .join(Participant, Turn.participant_id == Participant.id)
        .where(TextVersion.transcript_id == transcript.id, Turn.participant_id.in_([p.id for p in removed]))
    ).all()
    return {turn_id: name for turn_id, name in rows}, {turn_id: successor for turn_id, _ in rows}


def _relink(
    session: Session, transcript: Transcript, people: list[Participant],
    old_turns: dict[int, str | None], new_turns: dict[int, str | None],
) -> None:
    links = {link.participant_id: link for link in transcript.participant_links}
    removed = [link for pid, link in links.items() if pid not in {p.id for p in people}]
    added = [p for p in people if p.id not in links]
    # One participant put in another's place takes over their speaker label.
    inherited = removed[0].speaker_label if len(removed) == 1 and len(added) == 1 else None
    for link in removed:
        session.delete(link)
    session.flush()
    for participant in added:
        session.add(TranscriptParticipant(transcript_id=transcript.id, participant_id=participant.id, speaker_label=inherited))
    set_turn_participants(session, new_turns)


def set_turn_participants(session: Session, turns: dict[int, str | None]) -> None:
    """Attribute each turn (by id) to the named participant, or to no one."""
    ids = {name: find_participant(session, name).id for name in set(turns.values()) if name is not None}
    for turn_id, name in turns.items():
        turn = session.get(Turn, turn_id)
        if turn is not None:
            turn.participant_id = ids[name] if name is not None else None


def edit_participant(
    session: Session,
    ref: str,
    coder: Coder,
    *,
    role: str | None = None,
    office: str | None = None,
    gender: str | None = None,
    age_band: str | None = None,
    attributes: dict[str, str] | None = None,
) -> MetadataEdit:
    """Change a participant's role, office, gender, age band or attributes; an empty value clears it.

    An attribute is checked against its definition's type; a new name is defined as import defines it.
    """
    hold_write_lock(session)  # what it reads as the state before is the state it changes (coding/service.live_coding)
    offered = {"role": role, "office": office, "gender": gender, "age_band": age_band}
    columns = {column: value.strip() for column, value in offered.items() if value is not None}
    if not columns and not attributes:
        raise InvalidInput("say what to change", "give --role, --office, --gender, --age-band or --attribute NAME=VALUE")
    participant = find_participant(session, ref)
    _refuse_attribute_twice(attributes or {})
    for column, value in columns.items():
        check_participant_value(column, value)
    if columns.get("role"):
        if not ROLE.fullmatch(columns["role"]):
            raise InvalidInput(f"role {columns['role']!r} is not one word", "as deltaker, veileder, leder or medforsker")
        # Cleaned first, as attribute names are: lower-cased, a name ("Hilde") would pass the key unseen.
        columns["role"] = clean_typed(session, columns["role"], folded=True)
    # An office or an attribute's value is free text, as a transcript's title is: a name in it is
    # decided about before it is stored, as importing the participants' file would.
    _refuse_unreviewed_names(session, "participant", {
        "office": columns.get("office") or None,
        "attributes": {name: value for name, value in (attributes or {}).items() if value.strip()},
    })
    # Spelled as the project spells each (and checked) the one way import spells them.
    columns = {column: participant_value(session, column, value) if value else value for column, value in columns.items()}
    before = participant_state(participant)
    for column, value in columns.items():
        setattr(participant, column, value or None)
    stored = {_set_attribute(session, participant, name, value): value for name, value in (attributes or {}).items()}
    # By the names as stored: as typed, a name the key pseudonymises was not found among the transcripts'.
    set_now = [name for name, value in stored.items() if value.strip()]
    session.flush()
    session.refresh(participant, ["attributes"])
    edit = _record(session, coder, "participant", participant.name, participant.guid, before, participant_state(participant))
    typed = {**{column: value for column, value in offered.items() if value}, **{name: value for name, value in stored.items() if value}}
    return replace(edit, notes=_every_round(session, participant, edit.changes) + attributes_over_transcripts(session, participant, set_now),
                   made_one=_made_one_with_others(session, participant, typed))


def _made_one_with_others(session: Session, participant: Participant, typed: dict[str, str]) -> tuple[str, ...]:
    """Say where the key stored a value typed for `participant` with a placeholder ("kontor Fjordby" as
    "kontor (sted)"), which stands for every such name: the value is then one with every other value stored
    so, and an edit to another office stored as the one there said only that nothing changed."""
    notes = []
    for field, value in stored_values(participant, list(typed)).items():
        placeholder = placeholder_put_in(typed[field].strip(), value)
        if placeholder is None:
            continue
        others = sorted((other.name for other in session.scalars(select(Participant).where(Participant.id != participant.id))
                         if stored_values(other, [field]).get(field) == value), key=natural_key)
        notes.append(
            f"{field} of {participant.name} is stored as {value!r}: the key replaces the name in it with {placeholder}, which"
            " stands for every such name" + (f", so it is one {field} with that of {', '.join(others)}" if others else "")
            + "; to tell such values apart, give them as no identifier (kontor A, kontor B)"
        )
    return tuple(notes)


def _refuse_attribute_twice(attributes: dict[str, str]) -> None:
    """Names are stored lower-cased, so Barn and barn are one attribute: given both, the later one
    would silently undo the earlier (Barn=nei, barn= removed it)."""
    seen: dict[str, str] = {}
    for name in attributes:
        folded = name.strip().casefold()
        if folded in seen:
            raise InvalidInput(f"attribute {seen[folded]} is given twice (also as {name.strip()})", "give each attribute once")
        seen[folded] = name.strip()


def _every_round(session: Session, participant: Participant, changes: tuple[FieldChange, ...]) -> tuple[str, ...]:
    """A role or office is the participant's in every round: say how many interviews (and rounds) the change
    relabels, earlier ones too, and how to keep a value that differs by round."""
    changed = [change for change in changes if change.field in ("role", "office")]
    if not changed:
        return ()
    waves = session.execute(
        select(Transcript.id, Transcript.wave).join(TranscriptParticipant, TranscriptParticipant.transcript_id == Transcript.id)
        .where(TranscriptParticipant.participant_id == participant.id)
        .union(select(Transcript.id, Transcript.wave).join(Turn, Turn.text_version_id == Transcript.current_version_id)
               .where(Turn.participant_id == participant.id))
    ).all()
    if not waves:
        return ()
    rounds = sorted({wave or "no round" for _, wave in waves})
    fields = " and ".join(change.field for change in changed)
    return (
        f"{participant.name}'s {fields} {'is' if len(changed) == 1 else 'are'} theirs in every round: the change reaches"
        f" {counted(len({transcript for transcript, _ in waves}), 'transcript')} ({', '.join(rounds)}) and every passage"
        f" {participant.name} spoke there, in tables, labels and filters; a value that differs by round can be a transcript"
        f" attribute instead: `qualcode transcripts edit TRANSCRIPT --attribute {changed[0].field}_in_round=VALUE` (or under"
        " `attributes:` in a file's front matter or sidecar, read when it is first imported)",
    )


def _set_attribute(session: Session, owner: Participant | Transcript, name: str, value: str) -> str:
    """Set (or, for an empty value, remove) one of a participant's or a transcript's attributes, checked
    as import checks it; returns the attribute's name as stored."""
    if not name.strip():
        raise InvalidInput("an attribute has no name", "write --attribute NAME=VALUE")
    # As typed, before the guard's cleaning could take a control character out of the name unseen;
    # a built-in field's name is told apart below, with the option that sets it.
    check_one_line("attribute name", name.strip(), ATTRIBUTE_NAME_LENGTH)
    check_one_line(f"value of attribute {name.strip()}", value.strip(), ATTRIBUTE_VALUE_LENGTH)
    typed, name = name.strip(), clean_typed(session, name.strip(), folded=True).lower()  # cleaned first, as the guard stores it
    if not name:
        raise InvalidInput("an attribute has no name", "write --attribute NAME=VALUE")
    applies_to = "participant" if isinstance(owner, Participant) else "transcript"
    if applies_to == "participant" and (name in PARTICIPANT_COLUMNS or name == "name"):
        raise InvalidInput(f"{name} is not an attribute", f"use --{name.replace('_', '-')}")
    # Found in any case: a front matter's attribute is defined as the file writes its name (Role_in_round).
    known = next((definition for definition in session.scalars(
        select(AttributeDefinition).where(AttributeDefinition.applies_to == applies_to).order_by(AttributeDefinition.id))
        if definition.name.casefold() == name.casefold()), None)
    if known is None:  # a built-in field, with the command that sets it; a comma or "=" in a new name
        check_attribute_name(name, typed)  # (one a project made before keeps being set and removed by its name)
    held: list[Any] = owner.attributes
    existing = next((a for a in held if known is not None and a.definition_id == known.id), None)
    if not value.strip():
        if existing is not None:
            held.remove(existing)
        return known.name if known is not None else name
    definition = known or attribute_definition(session, name, applies_to, value.strip())
    stored = typed_value(session, definition, value)
    if existing is None:
        model = ParticipantAttribute if applies_to == "participant" else TranscriptAttribute
        held.append(model(definition=definition, value=stored))
    else:
        existing.value = stored
    return definition.name


@dataclass(frozen=True)
class RenamedAttribute:
    """An attribute renamed: what it applies to (participant or transcript), its name before and after, and
    how many values it holds."""

    applies_to: str
    before: str
    after: str
    values: int

    @property
    def summary(self) -> str:
        return f"renamed {self.applies_to} attribute {self.before!r} to {self.after!r}"


def rename_attribute(session: Session, applies_to: str, ref: str, name: str, coder: Coder) -> RenamedAttribute:
    """Give a participant's or a transcript's attribute (`applies_to`) another name, its values kept, as one
    undoable change: the one way to mend a name an earlier version let hold a comma or "=" (which part
    attributes in a list, and which a name given now may not hold). The log's records of participants' and
    transcripts' changes name it anew, so their undo finds it."""
    hold_write_lock(session)  # what it reads as the state before is the state it changes
    definition = _attribute_named(session, applies_to, ref)
    check_one_line("attribute name", name.strip(), ATTRIBUTE_NAME_LENGTH)
    new = clean_typed(session, name.strip(), folded=True).lower()  # cleaned first, as the guard stores it, as _set_attribute does
    check_attribute_name(new, name)
    if applies_to == "participant" and new == "name":
        raise InvalidInput("name is not an attribute", "give the attribute another name")
    if new == definition.name:
        raise InvalidInput(f"the {applies_to} attribute is named {new!r} already", "give it another name")
    taken = next((other for other in session.scalars(select(AttributeDefinition).where(
        AttributeDefinition.applies_to == applies_to, AttributeDefinition.id != definition.id))
        if other.name.casefold() == new.casefold()), None)
    if taken is not None:
        raise InvalidInput(f"another {applies_to} attribute is named {taken.name!r}",
                           "give another name, or rename that one first")
    old = definition.name
    definition.name = new
    session.flush()
    rename_in_states(session, {applies_to: {old: definition.name}})
    model = ParticipantAttribute if applies_to == "participant" else TranscriptAttribute
    values = len(session.scalars(select(model.id).where(model.definition_id == definition.id)).all())
    renamed = RenamedAttribute(applies_to, old, definition.name, values)
    record_event(session, kind=EventKind.ATTRIBUTE_RENAME, coder=coder, entity_guid=attribute_guid(session, definition),
                 before={"name": old, "applies_to": applies_to}, after={"name": definition.name, "applies_to": applies_to},
                 summary=renamed.summary)
    return renamed


def _attribute_named(session: Session, applies_to: str, ref: str) -> AttributeDefinition:
    """A participant's or a transcript's attribute by its name as stored, in any case, or as the key stores
    what was typed (a name kept in lower case, "hilde" under her pseudonym)."""
    definitions = session.scalars(
        select(AttributeDefinition).where(AttributeDefinition.applies_to == applies_to).order_by(AttributeDefinition.id)).all()
    for wanted in dict.fromkeys((ref.strip(), typed_as_stored(session, ref.strip(), folded=True))):
        found = next((definition for definition in definitions if definition.name == wanted), None) or next(
            (definition for definition in definitions if definition.name.casefold() == wanted.casefold()), None)
        if found is not None:
            return found
    listed = ", ".join(repr(definition.name) for definition in definitions)
    raise NotFound(f"no {applies_to} attribute {ref.strip()!r}" + (f"; the {applies_to}s' attributes are {listed}" if listed else ""),
                   f"list them with `qualcode {applies_to}s list`")


def _record(
    session: Session, coder: Coder, entity: str, name: str, guid: str, before: dict[str, Any], after: dict[str, Any]
) -> MetadataEdit:
    changes = tuple(_changes(before, after))
    if changes:
        described = ", ".join(f"{c.field} {c.before or '-'} → {c.after or '-'}" for c in changes)
        record_event(
            session, kind=EventKind.TRANSCRIPT_EDIT if entity == "transcript" else EventKind.PARTICIPANT_EDIT,
            coder=coder, entity_guid=guid, before=before, after=after, summary=f"edited {entity} {name}: {described}",
        )
    return MetadataEdit(entity=entity, name=name, changes=changes)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    found = []
    for field in before:
        if field in ("name", "turns", "types") or before[field] == after[field]:  # types: the attributes' own, for a redo
            continue
        if field == "attributes":
            for attribute in sorted(set(before[field]) | set(after[field])):
                old, new = before[field].get(attribute), after[field].get(attribute)
                if old != new:
                    found.append(FieldChange(attribute, old, new))
        elif field == "participants":
            found.append(FieldChange(field, ",".join(n for n, _ in before[field]) or None, ",".join(n for n, _ in after[field]) or None))
        else:
            found.append(FieldChange(field, before[field], after[field]))
    return found
