"""Participants from a CSV file, and transcript metadata from front matter and options."""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import KeyEntry, PseudonymKey
from qualcode.anonymise.pseudonyms import PLACEHOLDERS
from qualcode.anonymise.service import (
    add_known_identifier,
    link_to_participant,
    title_before,
    without_title,
)
from qualcode.anonymise.withdraw import refuse_withdrawn_participant
from qualcode.coding.waves import check_wave
from qualcode.errors import ImportFailed, InvalidInput
from qualcode.store.events import EventKind, record_event
from qualcode.store.models import (
    AttributeDefinition,
    Coder,
    Participant,
    ParticipantAttribute,
    Transcript,
    TranscriptAttribute,
    TranscriptParticipant,
)
from qualcode.store.project import clean_typed
from qualcode.text.delimited import DelimitedTable, read_delimited
from qualcode.text.encoding import decode
from qualcode.text.normalise import check_one_line, one_line, visible
from qualcode.text.order import natural_key

# A value that makes a new attribute a date one. In the digits 0-9 only, as a date is read (parse_date)
# and REFI-QDA's xs:date writes one: "２０２４-０１-０２" (full width) made a date attribute whose value was
# then refused; written so, it is text, kept as written.
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
# A number attribute's value: ASCII digits, as REFI-QDA's xs:integer and every table's sort read it;
# str.isdigit also took "３", "٣" and "³", and a .qdpx holding one was refused as invalid.
WHOLE_NUMBER = re.compile(r"-?[0-9]+")
# An age band: from and to (30-39), or from and up (67+); the same for the CSV import and an edit.
# In the digits 0-9 only, as a number or date is: \d took "３０-３９" (full width) and Arabic-Indic digits,
# stored as written, a column of their own in every table beside 30-39.
AGE_BAND = re.compile(r"(?P<low>[0-9]{1,3})(?:-(?P<high>[0-9]{1,3})|\+)")

TRANSCRIPT_KEYS = {
    "name", "title", "participant", "participants", "speakers", "role", "wave", "date", "mode",
    "fidelity", "interviewer", "note_taker", "attributes",
}
# How the text was made: a verbatim transcript of a recording, notes (referat), field notes,
# or comments on a draft report.
FIDELITIES = {"transcript", "referat", "fieldnotes", "comments"}
FIDELITY_SYNONYMS = {"notes": "referat", "notat": "referat", "recorded": "transcript", "transkripsjon": "transcript"}
PARTICIPANT_COLUMNS = {"role", "gender", "age_band", "office"}
# The participant's id column, as a list in English, bokmål or nynorsk ("deltakar") heads it.
ID_COLUMNS = ("participant", "id", "name", "deltaker", "deltakar", "navn")
# What other files call a participant's own columns, in English and Norwegian, however spaced or
# joined ("age band", "age-band", "Age_Band", "AgeBand", "Alders gruppe") and with Norwegian letters
# written as a keyboard without them does ("Kjonn", "Kjoenn"); anything else is an attribute of that name.
PARTICIPANT_FIELDS = {"role": "role", "rolle": "role", "gender": "gender", "kjønn": "gender", "kjonn": "gender",
                      "kjoenn": "gender", "ageband": "age_band", "aldersgruppe": "age_band", "office": "office",
                      "kontor": "office"}


def participant_field(name: str) -> str | None:
    """The participant's own column a column or variable name means, or None for an attribute."""
    return PARTICIPANT_FIELDS.get(re.sub(r"[\s_-]+", "", name).casefold())


# The keys a Norwegian team writes for a transcript's own ("runde: T1", nynorsk "intervjuar"), however spaced or
# joined: "Norwegian first" took a participants CSV's "kjønn" and "kontor", and refused front matter's "dato".
NORWEGIAN_TRANSCRIPT_KEYS = {
    "navn": "name", "namn": "name", "tittel": "title", "deltaker": "participant", "deltakar": "participant",
    "informant": "participant", "deltakere": "participants", "deltakarar": "participants", "informanter": "participants",
    "talere": "speakers", "talarar": "speakers", "rolle": "role", "runde": "wave", "bølge": "wave", "dato": "date",
    "intervjudato": "date", "intervjuer": "interviewer", "intervjuar": "interviewer", "referent": "note_taker",
    "egenskaper": "attributes", "eigenskapar": "attributes",
}


def transcript_key(name: str) -> str:
    """The transcript's key a metadata key or a .qdpx variable means: its own, or its English name for a
    Norwegian one ("runde" is wave, "dato" date); anything else as written."""
    return NORWEGIAN_TRANSCRIPT_KEYS.get(re.sub(r"[\s_-]+", "", name).casefold(), name)


def in_english(meta: dict[str, Any], where: str) -> dict[str, Any]:
    """`meta` (a file's front matter or sidecar) with its Norwegian keys as the English ones; a key given under
    both names is refused, as neither would be chosen knowingly."""
    keyed: dict[str, Any] = {}
    written: dict[str, str] = {}
    for name, value in meta.items():
        key = transcript_key(str(name))
        if key in written:
            raise ImportFailed(f"{where}: {written[key]!r} and {name!r} both give the {key}", "keep one of them")
        keyed[key], written[key] = value, str(name)
    return keyed


def check_transcript_meta(meta: dict[str, Any], where: str) -> dict[str, Any]:
    """Validated metadata: known keys, a real date, a known fidelity."""
    unknown = sorted(set(meta) - TRANSCRIPT_KEYS)
    if unknown:
        raise ImportFailed(
            f"{where}: unknown metadata key {unknown[0]!r}",
            "known keys: " + ", ".join(sorted(TRANSCRIPT_KEYS)) + " (or in Norwegian: " + ", ".join(NORWEGIAN_TRANSCRIPT_KEYS) + ")",
        )
    checked = dict(meta)
    if checked.get("date") is not None:
        checked["date"] = parse_date(checked["date"], where)
        # A slip of the keyboard (0001-01-01, 9999-12-31) would sort and filter as an interview's date.
        if not interview_date_possible(checked["date"]):
            raise ImportFailed(f"{where}: {checked['date']} is no date an interview was held on",
                               f"write the interview's date as YYYY-MM-DD, from {EARLIEST_INTERVIEW.year} to a year from today")
    if checked.get("fidelity") is not None:
        fidelity = str(checked["fidelity"]).lower()
        fidelity = FIDELITY_SYNONYMS.get(fidelity, fidelity)
        if fidelity not in FIDELITIES:
            raise ImportFailed(f"{where}: fidelity {checked['fidelity']!r} is not one of " + ", ".join(sorted(FIDELITIES)))
        checked["fidelity"] = fidelity
    for key in ("participants",):
        if key in checked and not isinstance(checked[key], list):
            raise ImportFailed(f"{where}: {key} must be a list, as in [D4, D5]")
    for key in ("speakers", "attributes"):
        if key in checked and not isinstance(checked[key], dict):
            raise ImportFailed(f"{where}: {key} must be key: value pairs")
    for key in ("name", "title", "participant", "role", "wave", "mode", "interviewer", "note_taker"):
        if checked.get(key) is not None:
            checked[key] = _one_value(key, checked[key], where)
    if checked.get("wave"):
        try:
            checked["wave"] = check_wave(checked["wave"])
        except InvalidInput as error:
            raise ImportFailed(f"{where}: {error.message}", error.hint) from None
    # A name given (--name, --participant, front matter) is checked as `transcripts edit` and
    # `participants edit` check theirs; a file's own name, used where none is given, is cleaned instead.
    for key, length in (("title", TITLE_LENGTH), ("interviewer", INTERVIEWER_LENGTH), ("note_taker", INTERVIEWER_LENGTH),
                        ("name", _column_length(Transcript, "name")), ("participant", _column_length(Participant, "name"))):
        if checked.get(key) is not None:
            try:
                check_one_line(key.replace("_", " "), checked[key], length)
            except InvalidInput as error:
                raise ImportFailed(f"{where}: {error.message}", error.hint) from None
    return checked


def _column_length(model: type[Transcript] | type[Participant], column: str) -> int:
    length: int | None = getattr(model.__table__.c[column].type, "length", None)
    return length or ATTRIBUTE_VALUE_LENGTH


def _one_value(key: str, value: object, where: str) -> str:
    """A field that holds one value, as text: a list or key: value pairs would be stored as Python
    writes them ("['T1', 'T2']"), and YAML reads an unquoted yes, no, on or off as true or false."""
    if key == "participant" and isinstance(value, list):
        raise ImportFailed(f"{where}: participant is one id, not a list", "for a group interview write participants: [D1, D2]")
    if isinstance(value, (list, dict)):
        raise ImportFailed(f"{where}: {key} is one value, not {'a list' if isinstance(value, list) else 'key: value pairs'}",
                           f"write it as {key}: T1" if key == "wave" else f"write one value after {key}:")
    if isinstance(value, bool):
        raise ImportFailed(f"{where}: {key} reads as {str(value).lower()} (YAML takes an unquoted yes, no, on or off so)",
                           f'put the value in quotes, as in {key}: "{"yes" if value else "no"}"')
    return str(value)


EARLIEST_INTERVIEW = date(1900, 1, 1)
OLDEST_AGE = 120


def interview_date_possible(day: date) -> bool:
    """Whether `day` can be an interview's date: a slip of the keyboard (0001-01-01, 9999-12-31) would
    sort and filter as one."""
    return EARLIEST_INTERVIEW <= day <= date.today() + timedelta(days=366)


# A calendar date as YYYY-MM-DD (or ISO's YYYYMMDD). Python's date.fromisoformat also reads ISO week
# dates ("2009-W41" as the Monday of that week, 2009-10-05) and day-of-year dates ("2009-285"):
# a week or a day number written for a date would be stored as a day nobody wrote.
# In the digits 0-9 only: Python's reader happens to refuse others, but a regular expression's \d takes them.
_CALENDAR_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8}")
_NORWEGIAN_DATE = re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})")


def parse_date(value: object, where: str) -> date:
    if isinstance(value, datetime):  # YAML reads "2024-05-02 10:00:00" as a moment: its day is the date
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (list, dict)):
        raise ImportFailed(f"{where}: date is {'a list' if isinstance(value, list) else 'key: value pairs'}, not one date",
                           "write one date, as YYYY-MM-DD")
    written = str(value).strip()
    try:
        if _CALENDAR_DATE.fullmatch(written):
            return date.fromisoformat(written)
    except ValueError:
        pass
    raise ImportFailed(f"{where}: date {value!r} is not a date", _date_hint(written)) from None


def in_digits_0_to_9(written: str) -> str:
    """`written` with each decimal digit of another script (full width "３", Arabic-Indic "٣") as its 0-9 digit."""
    return "".join(str(unicodedata.digit(character)) if character.isdecimal() else character for character in written)


def _date_hint(written: str) -> str:
    """How to write a refused date: a Norwegian day.month.year that is a real day, shown as it is written;
    one in other digits than 0-9 (full width "２０２４-０１-０２", Arabic-Indic), shown in those."""
    ascii_digits = in_digits_0_to_9(written)
    if ascii_digits != written:
        if _CALENDAR_DATE.fullmatch(ascii_digits):
            try:
                return f"write it in the digits 0-9: {date.fromisoformat(ascii_digits).isoformat()}"
            except ValueError:
                pass
        return _date_hint(ascii_digits).replace("write it as", "write it in the digits 0-9, as", 1)
    norwegian = _NORWEGIAN_DATE.fullmatch(written)
    if norwegian:
        try:
            return f"write it as YYYY-MM-DD: {date(int(norwegian['year']), int(norwegian['month']), int(norwegian['day'])).isoformat()}"
        except ValueError:
            pass
    return "write it as YYYY-MM-DD"


def participant_id(session: Session, typed: str) -> str:
    """A participant's id as it is stored: a name the key holds as its pseudonym. An id that is (or
    holds) what the key replaces by a placeholder, a fødselsnummer or a phone number, is refused:
    stored as "(fødselsnummer)" it would tell no one apart, and every such id was one participant."""
    name = clean_typed(session, typed.strip())
    try:  # a line break in an id ("D30,deltaker,kontor A\nD31,…" from a quote never closed) is no id
        check_one_line("participant id", name, getattr(Participant.__table__.c["name"].type, "length", None) or ATTRIBUTE_VALUE_LENGTH)
    except InvalidInput as error:
        raise ImportFailed(error.message, error.hint) from None
    placeholder = placeholder_put_in(typed, name)
    if placeholder is not None:
        refuse_identifying_id(placeholder)
    return name


def placeholder_put_in(typed: str, stored: str) -> str | None:
    """The placeholder the key put into `stored` for an identifier `typed` held ("(sted)" of "kontor (sted)"
    for "kontor Lillevik"), else None. A placeholder stands for every identifier of its kind, so two values
    that differ only by one ("kontor Lillevik", "kontor Fjordby") are stored as one."""
    return next((placeholder for placeholder in PLACEHOLDERS.values()
                 if re.search(rf"(?<!\w){re.escape(placeholder)}(?!\w)", stored) and placeholder not in typed), None)


def values_made_one(where: str, field: str, stored: str, placeholder: str, typed_at: Sequence[str],
                    earlier: Sequence[str] = ()) -> str:
    """The note for values typed apart (at `typed_at`: lines, participants) that the key stored as one,
    `stored`, and for those stored so before (`earlier`: participants whose value is `stored` already,
    typed who knows how): every table, filter and attribution would then take them for one value, unsaid."""
    if len(typed_at) > 1:
        said = f"{field} values that differ ({', '.join(typed_at)}) are all stored as {stored!r}"
    else:
        said = f"{field} of {typed_at[0]} is stored as {stored!r}"
    if earlier:
        said += f" ({'as' if len(typed_at) > 1 else 'the'} {field} of {', '.join(earlier)} already is)"
    return (f"{where}: {said}: the key replaces the name in each with {placeholder}, which stands for every such name,"
            f" so they are one {field} in every table, filter and attribution; to tell them apart, give them as no"
            " identifier (kontor A, kontor B)")


def refuse_identifying_id(placeholder: str) -> None:
    raise ImportFailed(
        f"a participant id holds an identifier, which the key replaces by {placeholder}",
        "give participants study ids (D1, V2, L1) that identify no one, and keep the link to them outside the project",
    )


def get_or_create_participant(session: Session, name: str, role: str | None = None) -> Participant:
    name = participant_id(session, name)  # a name the key holds is stored as its pseudonym
    participant = participant_named(session, name)
    role = role_as_spelled(session, role) if role else role
    if participant is None:
        refuse_withdrawn_participant(session, name)
        if "," in name:  # "--participant D1,D2" for a group: one participant named so could never be withdrawn by id
            raise ImportFailed(
                f"a participant id cannot hold a comma ({name!r})",
                "for a group interview, list them in the file's front matter: participants: [D1, D2]",
            )
        participant = Participant(name=name, role=role)
        session.add(participant)
        session.flush()
    elif role and not participant.role:
        participant.role = role
    return participant


def participant_named(session: Session, name: str) -> Participant | None:
    """The participant `name` means, found as other commands find one: the exact name, else the one
    whose name differs only in case ("d1" for D1), so a file's spelling never makes a second person;
    two that differ only in case are refused rather than one taken."""
    exact = session.scalar(select(Participant).where(Participant.name == name))
    if exact is not None:
        return exact
    folded = name.casefold()
    twins = [participant for participant in session.scalars(select(Participant).order_by(Participant.id))
             if participant.name.casefold() == folded]
    if len(twins) > 1:
        raise InvalidInput(f"participant {name!r} could be any of {', '.join(twin.name for twin in twins)}",
                           "write the id exactly as `qualcode participants list` shows it")
    return twins[0] if twins else None


def role_as_spelled(session: Session, role: str) -> str:
    """A role as the project already spells it ("Deltaker" and "deltaker" are one role, counted
    once), or lower-cased if it is new, as `participants edit --role` stores roles."""
    folded = _spelling(role)
    known = session.scalars(select(Participant.role).where(Participant.role.is_not(None)).distinct().order_by(Participant.role))
    return next((spelled for spelled in known if spelled is not None and _spelling(spelled) == folded), role.lower())


def spelled_as_stored(session: Session, column: str, value: str) -> str:
    """A gender or office as the project already spells it, case aside, else as given: every table
    splits by the stored value, so Kvinne beside kvinne (or Kontor b beside kontor B) was a column of
    its own, though a filter took both."""
    return _as_stored(session, getattr(Participant, column), value)


def _as_stored(session: Session, stored: Any, value: str, *where: Any) -> str:
    """`value` as `stored` (a column, among the rows `where` chooses) already spells it, case aside,
    else as given; of two stored spellings, the first in order, as a table lists them."""
    folded = _spelling(value)
    known = session.scalars(select(stored).where(stored.is_not(None), *where).distinct().order_by(stored))
    return next((spelled for spelled in known if spelled is not None and _spelling(spelled) == folded), value)


def _spelling(value: str) -> str:
    """`value` as two spellings of one value compare: composed, as the guard stores typed text (an "å"
    typed as a and a ring, as a Mac or a CSV may give it, was a column of its own beside the stored
    "Å"), with one space between its words and case aside."""
    return " ".join(visible(value).split()).casefold()


# Names an extra attribute may not take: the columns every quote table, matrix and filter already
# has, which an attribute of the same name would stand beside as a second "wave" or "role".
RESERVED_ATTRIBUTE_NAMES = frozenset({
    *ID_COLUMNS, *PARTICIPANT_COLUMNS, "wave", "date", "interview_date", "fidelity", "transcript", "speaker", "coder",
    "ref", "quote", "code", "code_path", "attribution", "line", "turn", "start", "end", "memo", "interviewer", "title",
})
ATTRIBUTE_NAME_LENGTH = 100  # the column's width


def attribute_definition(session: Session, name: str, applies_to: str, value: object) -> AttributeDefinition:
    """The definition for an extra attribute, created with the type of its first value once that value
    passes its type's check (typed_value): a value refused made a definition that stayed, empty, where a
    .qdpx import skips the value and goes on."""
    typed, name = name, clean_typed(session, name, folded=True)  # looked up as the guard would store it
    definition = session.scalar(
        select(AttributeDefinition).where(AttributeDefinition.name == name, AttributeDefinition.applies_to == applies_to)
    )
    if definition is None:
        check_attribute_name(name, typed)
        # A value written as a date (2024-02-13) makes a date attribute, so that it sorts and is
        # checked as one: a mistyped day (2024-02-30) is refused rather than kept as text.
        value_type = (
            "boolean" if isinstance(value, bool) else "integer" if isinstance(value, int)
            else "date" if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.fullmatch(value.strip()))
            else "text"
        )
        definition = AttributeDefinition(name=name, applies_to=applies_to, value_type=value_type)
        typed_value(session, definition, value)  # not yet in the session: raises before anything is written
        session.add(definition)
        session.flush()
    return definition


def attributes_over_transcripts(session: Session, participant: Participant, names: list[str]) -> tuple[str, ...]:
    """Where attributes given to a participant (by `participants edit` or a participants CSV) are
    attributes of their transcripts too, said rather than refused as an import refuses the other way
    round (refuse_attributes_participants_have, as `transcripts edit --attribute` refuses it): the
    participant's value counts over it there in every table, filter and search, the transcript's
    only for the interviewer's words."""
    wanted = {name.strip().casefold() for name in names}
    if not wanted:
        return ()
    rows = session.execute(
        select(AttributeDefinition.name, Transcript.name, TranscriptAttribute.value)
        .join(TranscriptAttribute, TranscriptAttribute.definition_id == AttributeDefinition.id)
        .join(Transcript, TranscriptAttribute.transcript_id == Transcript.id)
        .join(TranscriptParticipant, TranscriptParticipant.transcript_id == Transcript.id)
        .where(TranscriptParticipant.participant_id == participant.id).order_by(Transcript.name)
    ).all()
    return tuple(
        f"{name} is an attribute of {transcript} too ({value}): {participant.name}'s counts over it there, in every table,"
        " filter and search, the transcript's only for the interviewer's words"
        for name, transcript, value in rows if name.casefold() in wanted
    )


def refuse_attributes_participants_have(session: Session, participant_ids: Sequence[int], given: dict[str, str]) -> None:
    """Refuse a transcript attribute that a participant of the transcript has too, as a built-in
    field (office) is refused: the participant's value counts over the transcript's in every table,
    filter and search (analysis/passages.py, coding/passages.py, search/service.py), so the
    transcript's would count only for the interviewer's words, beside the participant's value for
    theirs. `given` holds the transcript's values by attribute name, as stored."""
    if not given or not participant_ids:
        return
    wanted = {name.casefold(): name for name in given}
    held: dict[str, list[tuple[str, str]]] = {}
    for person, name, value in session.execute(
        select(Participant.name, AttributeDefinition.name, ParticipantAttribute.value)
        .join(ParticipantAttribute, ParticipantAttribute.participant_id == Participant.id)
        .join(AttributeDefinition, ParticipantAttribute.definition_id == AttributeDefinition.id)
        .where(Participant.id.in_(participant_ids)).order_by(Participant.id)
    ):
        if name.casefold() in wanted:
            held.setdefault(wanted[name.casefold()], []).append((person, value))
    if not held:
        return
    name = sorted(held)[0]
    people = " and ".join(f"{person}'s ({value})" for person, value in held[name])
    first = held[name][0][0]
    change = shlex.quote(f"{name}={given[name]}")
    raise InvalidInput(
        f"{name} is a participant attribute too: {people} {'count' if len(held[name]) > 1 else 'counts'} over"
        f" the transcript's ({given[name]}),"
        " which would count only for the interviewer's words",
        f"a participant's {name} is theirs in every round: change it with `qualcode participants edit {first}"
        f" --attribute {change}`; one that changes between rounds can be a transcript attribute under another"
        f" name, as {name}_in_round",
    )


ATTRIBUTE_VALUE_LENGTH = 200  # a value a list shows in a cell, as an office is; a longer text is a memo
TITLE_LENGTH = 300  # the columns' widths
INTERVIEWER_LENGTH = 200


def check_participant_value(column: str, value: str) -> None:
    """A participant's role, gender, age band or office: one line, no longer than its column holds; an age band as 30-39 or 67+."""
    length: int | None = getattr(Participant.__table__.c[column].type, "length", None)
    check_one_line(column.replace("_", " "), value, length or ATTRIBUTE_VALUE_LENGTH)
    shown = value if len(value) <= 40 else value[:40] + "…"
    if column == "age_band" and value:
        if in_digits_0_to_9(value) != value:  # said on its own: the band it may be would be refused unsaid why
            written = in_digits_0_to_9(value)
            hint = f"write it in the digits 0-9: {written}" if _is_age_band(written) else "write it in the digits 0-9, as 30-39 or 67+"
            raise InvalidInput(f"the age band {shown!r} is not written in the digits 0-9", hint)
        if not _is_age_band(value):
            raise InvalidInput(f"the age band {shown!r} is not a range of ages", "write it as 30-39 (the lower age first), or 67+")


def _is_age_band(value: str) -> bool:
    """Whether `value` is a range of ages as AGE_BAND writes one, the lower first, none over OLDEST_AGE."""
    band = AGE_BAND.fullmatch(value)
    return band is not None and (band["high"] is None or int(band["low"]) < int(band["high"])) and max(
        int(band["low"]), int(band["high"] or 0)) <= OLDEST_AGE


def participant_value(session: Session, column: str, value: str) -> str:
    """A participant's role, gender, age band or office as it is stored: checked (check_participant_value)
    and spelled as the project spells it (role_as_spelled, spelled_as_stored). A participants CSV
    and a .qdpx's cases come through here; a .qdpx's were stored as given, cut to the column's width."""
    check_participant_value(column, value)
    return role_as_spelled(session, value) if column == "role" else spelled_as_stored(session, column, value)


# What parts attributes where they are written in a list: a comma parts the form's "barn=ja, bydel=A"
# and `analyse matrix --by role,barn`, and "=" a name from its value (--attribute NAME=VALUE). A name
# holding one could not be shown in the form (every later save of it failed), nor chosen by --by.
ATTRIBUTE_NAME_SEPARATORS = (",", "=")
SEPARATOR_STAND_IN = ";"


def attribute_name_without_separators(name: str) -> str:
    """`name` with each comma and "=" written as ";" ("Alder, gruppe" as "Alder; gruppe"): the one way a
    name from a file (front matter, a participants CSV's header, a .qdpx Variable) holding one is stored."""
    for separator in ATTRIBUTE_NAME_SEPARATORS:
        name = name.replace(separator, SEPARATOR_STAND_IN)
    return name


def attribute_name_from_file(name: str, where: str) -> tuple[str, str | None]:
    """A name a file gives an attribute, as it is stored (attribute_name_without_separators), and the
    note that says so when that is not as written: the values are kept, under a name that can be typed."""
    stored = attribute_name_without_separators(name)
    if stored == name:
        return name, None
    return stored, (f"{where}: attribute {name.strip()!r} is stored as {stored.strip()!r}: a comma or \"=\" in an"
                    " attribute's name is written as \";\", as lists of attributes and `analyse matrix --by` part names at them")


def attributes_from_file(attributes: dict[Any, Any], where: str) -> tuple[dict[str, Any], list[str]]:
    """A front matter's or sidecar's `attributes:` by their names as stored (attribute_name_from_file),
    and the notes saying which were renamed; two that would be stored under one name are refused,
    as one value would be lost."""
    stored: dict[str, Any] = {}
    written_as: dict[str, str] = {}
    notes: list[str] = []
    for written, value in attributes.items():
        name, note = attribute_name_from_file(str(written), where)
        if name in stored:
            raise ImportFailed(f"{where}: attributes {written_as[name]!r} and {str(written)!r} would both be stored as {name!r}",
                               "a comma or \"=\" in an attribute's name is written as \";\": rename one of them")
        stored[name], written_as[name] = value, str(written)
        notes += [note] if note is not None else []
    return stored, notes


def check_attribute_name(name: str, typed: str | None = None) -> None:
    """A new attribute's name: not empty, one line of at most ATTRIBUTE_NAME_LENGTH characters, not a
    built-in column, with no comma or "=" (ATTRIBUTE_NAME_SEPARATORS). `typed` is the name before the guard
    pseudonymised it, when it was."""
    if not name.strip():
        raise InvalidInput("an attribute has no name", "write NAME=VALUE")
    check_one_line("attribute name", name, ATTRIBUTE_NAME_LENGTH)
    if any(separator in name for separator in ATTRIBUTE_NAME_SEPARATORS):
        raise InvalidInput(f"the attribute name {name.strip()!r} holds a comma or \"=\", which part attributes in a list",
                           f"name it without, as {attribute_name_without_separators(name.strip())}")
    if name.strip().lower() in RESERVED_ATTRIBUTE_NAMES:
        refuse_pseudonym_of_a_field(name, typed)
        raise InvalidInput(f"{name.strip()} is a built-in field, not an attribute", _reserved_hint(name.strip().lower()))


def refuse_pseudonym_of_a_field(name: str, typed: str | None) -> None:
    """Refuse an attribute's `name` that is a built-in field's only as pseudonymised from `typed`: someone's name
    (Sissel, drawn "Line …"), told as such, not as the field the researcher never named, nor by the name typed."""
    if (typed is not None and name.strip().lower() in RESERVED_ATTRIBUTE_NAMES
            and typed.strip().casefold() != name.strip().casefold()):
        raise InvalidInput(f"the attribute's name, pseudonymised, is {name.strip().lower()}: a built-in field's name",
                           "give the attribute a name that is not someone's")


def _reserved_hint(name: str) -> str:
    """How to set a built-in field instead, with an option that exists for it, or what to name the attribute."""
    if name in PARTICIPANT_COLUMNS:
        option = name.replace("_", "-")
        return (f"a participant's {name.replace('_', ' ')} is theirs in every round: set it with"
                f" `qualcode participants edit NAME --{option}`; one that changes between rounds can be a transcript"
                f" attribute under another name, as {name}_in_round")
    transcript_options = {"wave": "wave", "date": "date", "interview_date": "date", "fidelity": "fidelity",
                          "interviewer": "interviewer", "title": "title"}
    if name in transcript_options:
        field = transcript_options[name]
        return f"set it with `qualcode transcripts edit TRANSCRIPT --{field}`, or `{field}:` in the front matter"
    return "name the attribute otherwise"


def typed_value(session: Session, definition: AttributeDefinition, value: object) -> str:
    """The value as stored text, checked against the attribute's type: every path that sets an
    attribute's value (a participants CSV, `participants edit` and the TUI's form, a transcript's
    front matter or sidecar, a .qdpx) comes through here. A text value in another case than one the
    project already holds for the attribute (kontor a beside Kontor A) is stored as the project
    spells it, as a gender or office is (spelled_as_stored): every table splits by the stored value."""
    text = str(value).strip()
    if definition.value_type == "integer":
        if not WHOLE_NUMBER.fullmatch(text):
            raise InvalidInput(f"attribute {definition.name} is a number, but got {text!r}", "write a whole number in the digits 0-9, as 3")
    elif definition.value_type == "date":
        try:
            text = parse_date(value, f"attribute {definition.name}").isoformat()
        except ImportFailed as error:  # refused as a number or yes/no is: a .qdpx import skipped only those, and failed whole
            raise InvalidInput(error.message, error.hint) from None
    elif definition.value_type == "boolean":
        lowered = text.lower()
        if lowered not in {"true", "false", "ja", "nei", "yes", "no"}:
            raise InvalidInput(f"attribute {definition.name} is yes/no, but got {text!r}")
        text = "true" if lowered in {"true", "ja", "yes"} else "false"
    elif definition.value_type == "text" and definition.id is not None:
        table = ParticipantAttribute if definition.applies_to == "participant" else TranscriptAttribute
        text = _as_stored(session, table.value, text, table.definition_id == definition.id)
    return text


@dataclass(frozen=True)
class ParticipantImport:
    created: list[str]
    updated: list[str]
    notes: tuple[str, ...] = ()  # attributes given that a participant's transcripts have too


# The line Excel writes above a CSV's header to name its separator.
_SEPARATOR_LINE = re.compile(r"sep=(?P<separator>[,;\t])[ \t]*[,;]*[ \t]*(?:\r?\n|\Z)", re.IGNORECASE)


def _csv_table(path: Path, what: str = "the participants CSV") -> tuple[DelimitedTable, int]:
    """A CSV, decoded, its separator found (comma, semicolon or tab, or as a first line "sep=;" from
    Excel names it) and every row checked against the header; and the header's line."""
    if not path.is_file():
        raise ImportFailed(f"{path} does not exist", f"check the path to {what}")
    raw, _ = decode(path.read_bytes(), path.name)
    declared = _SEPARATOR_LINE.match(raw)
    if declared is None:
        table, header_line = read_delimited(raw, path.name), 1
    else:
        # The header is read from the line after it; rows keep the line numbers an editor shows.
        separator = declared.group("separator")
        body = raw[declared.end():]
        if separator not in (body.splitlines() or [""])[0]:
            raise ImportFailed(f"{path.name} line 1 names {separator!r} as the separator, but the header on line 2 has none",
                               "fix or remove the sep= line")
        table, header_line = read_delimited(body, path.name), 2
        table = DelimitedTable(table.header, [(line + 1, values) for line, values in table.rows])
    _refuse_unnamed_columns(table, path.name)
    return table, header_line


def _refuse_unnamed_columns(table: DelimitedTable, file_name: str) -> None:
    """Refuse a column with values under an empty header cell: they would belong to no field."""
    for index, column in enumerate(table.header):
        if column.strip():
            continue
        filled = next((line for line, values in table.rows if index < len(values) and values[index].strip()), None)
        if filled is not None:
            raise ImportFailed(f"{file_name}: column {index + 1} has no name in the header but holds values (line {filled})",
                               "name it in the first row, or delete the column")


def holds_categories(column: str) -> bool:
    """Whether a participants CSV column is one of the participant's own fields (role, gender, age
    band, office), whose values are categories ("Veileder", "Kontor A"), not free text."""
    return (participant_field(column) or column.strip().casefold()) in PARTICIPANT_COLUMNS


def participant_cells(path: Path) -> list[tuple[int, str, str]]:
    """(line, column, value) of every filled cell, the participant's id too ("navn" may hold a
    name): where a name written into the file would be, for the review to look at first."""
    table, header_line = _csv_table(path)
    return [(header_line, "header", column) for column in table.header if column.strip()] + [
        (line, column, value.strip()) for line, row in table.records() for column, value in row.items() if value.strip()
    ]


def check_participants_header(path: Path) -> None:
    """Refuse a participants CSV whose first row cannot be imported, before its cells are reviewed
    for names: a file refused after the review had asked for decisions it then did not use."""
    _header([one_line(column).lower() for column in _csv_table(path)[0].header], path.name)


def _header(given: list[str], file_name: str, written: list[str] | None = None) -> tuple[list[str], str]:
    """The columns as fields (role for "rolle" …) and the participant's id column, or a refusal: a
    field given twice, no id column, or a column named as a built-in field besides the id's (one only as
    pseudonymised from its name as `written`, someone's, told as such)."""
    columns = [participant_field(column) or column for column in given]
    for index, column in enumerate(columns):
        if column and column in columns[:index]:
            first = given[columns.index(column)]
            twice = (f"column {first!r} is given twice" if first == given[index]
                     else f"columns {first!r} and {given[index]!r} both give the participant's {column}")
            raise ImportFailed(f"{file_name}: {twice}", "keep one of them and import again")
    id_column = next((column for column in ID_COLUMNS if column in columns), None)
    if id_column is None:
        raise ImportFailed(f"{file_name}: no participant column",
                           "the first row must name the participants' id column: " + ", ".join(ID_COLUMNS[:-1])
                           + f" or {ID_COLUMNS[-1]}")
    for index, column in enumerate(columns):
        if column and column != id_column and column not in PARTICIPANT_COLUMNS and column in RESERVED_ATTRIBUTE_NAMES:
            if written is not None and written[index] != given[index]:
                raise ImportFailed(f"{file_name}: a column's name, pseudonymised, is {column!r}: a built-in field's name",
                                   "give the column a name that is not someone's")
            raise ImportFailed(f"{file_name}: column {column!r} is a built-in field, not an attribute",
                               f"the participant's id is in column {id_column!r}: rename or remove {column!r}")
    return columns, id_column


def import_participants(session: Session, path: Path, coder: Coder | None = None) -> ParticipantImport:
    """Create or update participants from a CSV file (comma or semicolon separated). An empty cell
    leaves what is stored as it is, for a built-in field and an attribute alike: an update never
    erases by omission. An id is matched to a participant's regardless of case, and a role to the
    project's spelling of it."""
    table, _ = _csv_table(path)
    # Cleaned before lower case: a column named for a person the key holds is then still a name.
    header = [one_line(column).lower() for column in table.header]
    given = [one_line(clean_typed(session, column, folded=True)).lower() for column in table.header]
    notes: list[str] = []
    for index, column in enumerate(given):  # an attribute's name as it can be typed (the id's and fields' hold neither)
        given[index], note = attribute_name_from_file(column, f"{path.name} header")
        notes += [note] if note is not None else []
    columns, id_column = _header(given, path.name, header)
    created: list[str] = []
    updated: list[str] = []
    seen: dict[str, str] = {}  # casefolded id -> the id as first written
    # (field, value as stored, the placeholder in it) -> each value typed for it, as compared (_spelling), with its first line
    typed_for: dict[tuple[str, str, str], dict[str, int]] = {}
    # Every row for a participant who withdrew, named at once rather than one refusal at a time.
    ids: dict[int, str] = {}
    for line_number, row in table.records(columns):
        try:
            ids[line_number] = participant_id(session, row.get(id_column) or "")
        except ImportFailed as error:
            raise ImportFailed(f"{path.name} line {line_number}: {error.message}", error.hint) from None
    refuse_withdrawn_participant(session, *ids.values())
    for line_number, row in table.records(columns):
        name = ids[line_number]
        if not name:
            raise ImportFailed(f"{path.name} line {line_number}: the participant column is empty")
        if name.casefold() in seen:
            written = seen[name.casefold()]
            twice = f"participant {name} appears twice" + (f" (also as {written})" if written != name else "")
            raise ImportFailed(f"{path.name} line {line_number}: {twice}", "keep one row for each participant")
        seen[name.casefold()] = name
        try:
            participant = participant_named(session, name)
        except InvalidInput as error:
            raise ImportFailed(f"{path.name} line {line_number}: {error.message}", error.hint) from None
        before = participant_state(participant) if participant is not None else None
        if participant is None:
            participant = Participant(name=name)
            session.add(participant)
            created.append(name)
        name = participant.name
        for column in PARTICIPANT_COLUMNS & set(columns):
            value = (row.get(column) or "").strip()
            if not value:  # an empty cell leaves the stored value, as for an attribute
                continue
            try:
                setattr(participant, column, participant_value(session, column, value))
            except InvalidInput as error:
                raise ImportFailed(f"{path.name} line {line_number}: {error.message}", error.hint) from None
        session.flush()
        for column in columns:
            if column in PARTICIPANT_COLUMNS or column == id_column or not column:
                continue
            value = (row.get(column) or "").strip()
            if value:
                try:
                    set_participant_attribute(session, participant, column, value)
                except InvalidInput as error:
                    raise ImportFailed(f"{path.name} line {line_number}: {error.message}", error.hint) from None
        given = [column for column in columns
                 if column not in PARTICIPANT_COLUMNS and column != id_column and column and (row.get(column) or "").strip()]
        notes += attributes_over_transcripts(session, participant, given)
        for field, value in stored_values(participant, [column for column in columns if column != id_column]).items():
            typed = (row.get(field) or "").strip()
            placeholder = placeholder_put_in(typed, value) if typed else None
            if placeholder is not None:
                typed_for.setdefault((field, value, placeholder), {}).setdefault(_spelling(typed), line_number)
        after = participant_state(participant)
        if before is not None and before != after:
            updated.append(name)
        if before != after:
            record_event(
                session, kind=EventKind.PARTICIPANT_UPDATE if before else EventKind.PARTICIPANT_CREATE, coder=coder,
                entity_guid=participant.guid, before=before, after=after,
                summary=f"participant {name} from {path.name}",
            )
    if not seen:
        raise ImportFailed(f"{path.name} has no participant rows")
    for (field, value, placeholder), lines in typed_for.items():
        # A value stored so by an earlier import or edit is one with these too: what was typed for it is not kept.
        earlier = sorted((other.name for other in session.scalars(select(Participant))
                          if other.name.casefold() not in seen and stored_values(other, [field]).get(field) == value), key=natural_key)
        if len(lines) > 1 or earlier:
            notes.append(values_made_one(path.name, field, value, placeholder, [f"line {line}" for line in lines.values()], earlier))
    return ParticipantImport(created=created, updated=updated, notes=tuple(notes))


def stored_values(participant: Participant, fields: Sequence[str]) -> dict[str, str]:
    """The participant's text values of `fields` (built-in fields and attributes) as stored."""
    values: dict[str, Any] = {field: getattr(participant, field) for field in fields if field in PARTICIPANT_COLUMNS}
    values |= {attribute.definition.name: attribute.value for attribute in participant.attributes if attribute.definition.name in fields}
    return {field: value for field, value in values.items() if isinstance(value, str) and value}


def set_participant_attribute(session: Session, participant: Participant, name: str, value: object) -> None:
    """Set one of the participant's attributes; its value on one line, as a list shows it."""
    if isinstance(value, str):
        check_one_line(f"value of attribute {name}", value, ATTRIBUTE_VALUE_LENGTH)
    definition = attribute_definition(session, name, "participant", value)
    stored = typed_value(session, definition, value)
    existing = next((a for a in participant.attributes if a.definition_id == definition.id), None)
    if existing is None:
        participant.attributes.append(ParticipantAttribute(definition=definition, value=stored))
    else:
        existing.value = stored
    session.flush()


def participant_state(participant: Participant) -> dict[str, Any]:
    """What undo and redo restore of a participant: its columns and attribute values by name."""
    state: dict[str, Any] = {column: getattr(participant, column) for column in ("name", *sorted(PARTICIPANT_COLUMNS))}
    state["attributes"] = {attribute.definition.name: attribute.value for attribute in participant.attributes}
    # Each attribute's type, for a redo that defines again an attribute its undo took away.
    state["types"] = {attribute.definition.name: attribute.definition.value_type for attribute in participant.attributes}
    return state


def import_identifiers(
    key: PseudonymKey, path: Path, title_left_out: Callable[[str, str], None] | None = None,
) -> list[KeyEntry]:
    """Identifiers from a CSV with columns identifier, kind and optionally gender, pseudonym and participant
    (the participant the identifier names, as `identifiers add --participant` links it: a withdrawal takes it
    as theirs, and a nickname of theirs may share its pseudonym), read as the participants' CSV is: in
    whatever encoding and line endings a spreadsheet saved it. A line naming the participant of an identifier
    the key holds linked to no one links it, and changes nothing else. A title before a person's name is left
    out, as `identifiers add` leaves it (service.title_before); `title_left_out` is told each (title, as written)."""
    table, _ = _csv_table(path, "the identifiers CSV")
    columns = [column.strip().lower() for column in table.header]
    if "identifier" not in columns or "kind" not in columns:
        raise InvalidInput(f"{path.name}: the first row must name the columns identifier and kind")
    added = []
    for line, row in table.records(columns):
        original = (row.get("identifier") or "").strip()
        if not original:
            raise InvalidInput(f"{path.name} line {line}: the identifier is empty")
        if key.entry_for(original) is None and (title := title_before(original, (row.get("kind") or "").strip())):
            if title_left_out is not None:
                title_left_out(title, original)
            original = without_title(original, (row.get("kind") or "").strip())
        known = key.entry_for(original)
        participant = (row.get("participant") or "").strip() or None
        try:
            if known is not None:
                # The same again is nothing new; another kind or pseudonym would be dropped unsaid.
                kind, pseudonym = (row.get("kind") or "").strip(), (row.get("pseudonym") or "").strip()
                if (kind and kind != known.kind) or (pseudonym and pseudonym != known.pseudonym):
                    raise InvalidInput(
                        f"{original!r} is in the key already, as {known.kind} ({known.pseudonym})",
                        "the key keeps an identifier as it was first learned: remove the line, or write it as the key has it"
                        f' (to change it, `qualcode identifiers remove "{known.original}"` first)',
                    )
                if participant is not None:
                    link_to_participant(key, original, participant)
                continue
            added.append(
                add_known_identifier(
                    key, original, (row.get("kind") or "").strip(), (row.get("gender") or "").strip() or None,
                    (row.get("pseudonym") or "").strip() or None, participant=participant,
                )
            )
        except InvalidInput as error:
            raise InvalidInput(f"{path.name} line {line}: {error.message}", error.hint) from None
    return added
