"""Passages of codes, chosen by code, who said it, when, and what it says: for exports, the TUI and analysis."""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from qualcode.codebook.service import CodeView, code_subtree_ids, find_code, list_codes
from qualcode.coding.missing import (
    NO_INFORMANT,
    NO_INFORMANT_NB,
    NO_VALUE,
    NOT_STATED,
    PLACEHOLDERS,
    as_typed,
    typed_as,
    value_holds,
)
from qualcode.coding.transcripts import interviewer_speakers
from qualcode.errors import Ambiguous, InvalidInput, NotFound
from qualcode.store.bulk import in_values
from qualcode.store.lookup import LineIndex
from qualcode.store.models import (
    AttributeDefinition,
    Code,
    Coder,
    Coding,
    Participant,
    ParticipantAttribute,
    TextVersion,
    Transcript,
    TranscriptAttribute,
    TranscriptParticipant,
    Turn,
)
from qualcode.store.project import NOT_AS_STORED_EITHER, as_stored, found_as_stored, typed_as_stored
from qualcode.text.counts import counted
from qualcode.text.order import natural_key
from qualcode.text.speakers import is_interviewer

ORDERS = ("participant", "date")
_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])  # a select of any columns
# A sentence's end, and any closing quotation marks or brackets after it: «Du må møte opp.» ends one.
SENTENCE_END = re.compile(r"[.!?…][\"'»”’)\]]*\s*$")
# What follows a passage that ends its sentence but for the mark: the mark, closing quotes, then a space or the turn's end.
STOP_AFTER = re.compile(r"[.!?…][\"'»”’)\]]*(?:\s|$)")
# Attributes every project has: the participant's columns, then the transcript's.
PARTICIPANT_COLUMNS = ("role", "gender", "age_band", "office")
TRANSCRIPT_COLUMNS = ("wave", "fidelity")
IDENTITY_COLUMNS = ("participant", "transcript", "coder")  # what tables split by beside the attributes
# The built-in columns by the Norwegian names a participants CSV and the terminal UI's filters take for them
# ("kjønn", "kontor"), however spaced or joined; --by and --attribute take them too where nothing has that name.
NORWEGIAN_COLUMNS = {
    "rolle": "role", "kjønn": "gender", "kjonn": "gender", "kjoenn": "gender", "aldersgruppe": "age_band",
    "alder": "age_band", "kontor": "office", "runde": "wave", "deltaker": "participant", "deltakar": "participant",
    "informant": "participant", "intervju": "transcript", "koder": "coder",
}


def column_named(name: str) -> str | None:
    """The built-in column a Norwegian name means ("Kjønn" is gender), else None."""
    return NORWEGIAN_COLUMNS.get(re.sub(r"[\s_-]+", "", name).casefold())
SHOWN_VALUES = 8  # known values listed in an error before "… (N in all)"
YES, NO = {"true", "ja", "yes"}, {"false", "nei", "no"}


@dataclass(frozen=True)
class QuoteFilter:
    """What to select. Empty lists mean no restriction."""

    codes: tuple[str, ...] = ()
    include_subcodes: bool = True
    roles: tuple[str, ...] = ()
    waves: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    transcripts: tuple[str, ...] = ()
    coders: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()
    query: str | None = None
    codings: tuple[int, ...] = ()  # only these codings: the passages a screen shows
    cap_per_participant: int | None = None
    order: str = "participant"
    # Set for a blind coder: `coders` is the coder alone, and no count says what others coded.
    blind: bool = False


@dataclass(frozen=True)
class Voice:
    """Another speaker whose turn a quote runs on into (a group interview's next speaker)."""

    participant: str | None
    role: str | None
    office: str | None
    speaker: str | None
    line: int
    interviewer: bool = False


@dataclass(frozen=True)
class TurnBreak:
    """Where a quote runs on into a later turn: the turn's line (its speaker label, a timestamp)
    begins at `line_at` and what was said at `said_at`, both offsets in the excerpt; `voice` is
    the other speaker's, None for the quote's own speaker's next turn."""

    line_at: int
    said_at: int
    voice: Voice | None


@dataclass(frozen=True)
class ContextTurn:
    """A turn shown beside a quote (the one before or after it): who spoke it, and what they said
    without the transcript's speaker label, so a report can name them as its attribution names people."""

    voice: Voice
    said: str

    @property
    def as_written(self) -> str:
        """The turn as the transcript has it: its speaker label first."""
        return f"{self.voice.speaker}: {self.said}" if self.voice.speaker else self.said


@dataclass(frozen=True)
class Quote:
    """A coded passage with everything an attribution or a table needs."""

    coding_id: int
    guid: str
    ref: str
    code_path: str
    excerpt: str
    memo: str | None
    coder: str
    transcript: str
    participant: str | None
    role: str | None
    office: str | None
    gender: str | None
    age_band: str | None
    wave: str | None
    interview_date: date | None
    fidelity: str | None
    speaker: str | None
    line: int
    turn: int | None
    start: int
    end: int
    cut_before: bool
    cut_after: bool
    attributes: dict[str, str] = field(default_factory=dict)
    also_coded_by: tuple[str, ...] = ()  # other coders who gave this passage this code (see one_per_passage)
    interviewer: bool = False  # said by the interviewer's side (I:, Forsker:, the transcript's interviewer), not an informant
    turn_breaks: tuple[TurnBreak, ...] = ()  # each later turn the quote runs on into, in order
    # Who speaks where the quote begins, when that is not the participant it counts for (the
    # interviewer's question coded with the answer, a heading, a speaker linked to no one).
    lead: Voice | None = None
    turn_before: ContextTurn | None = None  # the turns before and after the quote, their speakers apart
    turn_after: ContextTurn | None = None
    # The attributes that are a participant's (role, gender, age_band, office and the participants' typed
    # ones): a quote counted for no one has none of them to lack (value_holds). One set shared by the quotes.
    participant_fields: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @property
    def words(self) -> int:
        return len(self.excerpt.split())

    @property
    def context_before(self) -> str | None:
        """The turn before, as the transcript has it (its speaker label first)."""
        return self.turn_before.as_written if self.turn_before is not None else None

    @property
    def context_after(self) -> str | None:
        return self.turn_after.as_written if self.turn_after is not None else None

    @property
    def also_spoken_by(self) -> tuple[Voice, ...]:
        """The other speakers of the turns the quote runs on into, each once, at their first turn in it."""
        voices: dict[tuple[str | None, str | None], Voice] = {}
        for turn in self.turn_breaks:
            if turn.voice is not None:
                voices.setdefault((turn.voice.speaker, turn.voice.participant), turn.voice)
        return tuple(voices.values())

    @property
    def coders(self) -> tuple[str, ...]:
        return (self.coder, *self.also_coded_by)


def parse_attributes(items: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """NAME=VALUE filters, as every command that filters by attribute takes them, as (name, value) pairs."""
    pairs = []
    for item in items:
        name, separator, value = item.partition("=")
        if not separator or not name.strip():
            raise InvalidInput(f"--attribute {item!r} is not NAME=VALUE", "as in --attribute office=B or --attribute gender=kvinne")
        pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


def quote_ref(guid: str) -> str:
    """A short visible id that survives editing in Word: "S-" and six characters of the GUID."""
    return "S-" + guid.replace("-", "")[:6].upper()


def distinct_refs(quotes: list[Quote]) -> list[Quote]:
    """The quotes, those whose visible ids coincide given as many more characters of their GUIDs as
    tell them apart: six characters are shared by two of 5,000 quotes about one time in two."""
    guids_by_ref: dict[str, set[str]] = {}
    for quote in quotes:
        guids_by_ref.setdefault(quote.ref, set()).add(quote.guid)
    longer: dict[str, str] = {}
    for guids in (guids for guids in guids_by_ref.values() if len(guids) > 1):
        plain = {guid: guid.replace("-", "") for guid in guids}
        length = 8
        while len({digits[:length] for digits in plain.values()}) < len(plain):
            length += 2
        longer |= {guid: "S-" + digits[:length].upper() for guid, digits in plain.items()}
    return [replace(quote, ref=longer[quote.guid]) if quote.guid in longer else quote for quote in quotes]


def select_quotes(
    session: Session, selection: QuoteFilter, *, per_passage: bool = False,
) -> tuple[list[Quote], list[CodeView]]:
    """The selected quotes in report order, and the codes they are reported under.

    With `per_passage`, a passage that several of the selected coders gave the same code is one
    quote naming them all (reports and quote tables); without it, each coding is its own quote
    (the passages browser, where a coding is removed or resized).

    A name the project does not know (participant, role, wave, transcript, coder, attribute or its
    value) is refused with the known ones, rather than silently matching nothing.
    """
    if selection.order not in ORDERS:
        raise InvalidInput(f"order {selection.order!r} is not one of {', '.join(ORDERS)}")
    attributes = check_selection(session, selection)
    all_codes = list_codes(session)
    code_ids = selected_code_ids(session, selection)
    query = selected_codings(
        select(Coding.id, Coding.guid, Coding.transcript_id, Coding.text_version_id, Coding.start, Coding.end,
               Coding.excerpt, Coding.memo, Code.path, Coder.name)
        .join(Code, Coding.code_id == Code.id)
        .join(Coder, Coding.coder_id == Coder.id),
        selection, code_ids,
    )
    # Plain rows, and each transcript, text and turn list loaded once: thousands of quotes
    # share a few dozen transcripts.
    rows = session.execute(query).all()
    context = _Context(session, {row[2] for row in rows}, {row[3] for row in rows})
    hits = query_hits(session, selection.query) if selection.query else None
    quotes = []
    for row in rows:
        quote = context.quote(tuple(row))
        if selection.roles and (quote.role or "") not in selection.roles:
            continue
        if selection.participants and (quote.participant or "") not in selection.participants:
            continue
        if not all(quote_holds(quote, name, wanted) for name, wanted in attributes):
            continue
        if hits is not None and not holds_hit(hits.get(quote.transcript), quote.start, quote.end):
            continue
        quotes.append(quote)
    position = {code.path: index for index, code in enumerate(all_codes)}

    def sort_key(quote: Quote) -> tuple[object, ...]:
        second: tuple[object, ...] = (
            # D2 before D10, as every list of participants is ordered (natural_key).
            (_participant_order(quote.participant), quote.interview_date or date.max)
            if selection.order == "participant" else (quote.interview_date or date.max, _participant_order(quote.participant))
        )
        return (position.get(quote.code_path, 0), *second, quote.transcript, quote.start, quote.end, quote.coding_id)

    quotes.sort(key=sort_key)
    if per_passage:  # before the cap, which counts passages, not codings
        quotes = one_per_passage(quotes)
    if selection.cap_per_participant is not None:
        quotes = cap_quotes(quotes, selection.cap_per_participant)
    quotes = distinct_refs(quotes)
    used = {quote.code_path for quote in quotes}
    shown = [code for code in all_codes if any(path == code.path or path.startswith(code.path + "/") for path in used)]
    return quotes, shown


def _participant_order(participant: str | None) -> tuple[bool, list[Any]]:
    """A participant's place in report order: by natural_key, quotes nobody is named for last."""
    return (participant is None, natural_key(participant or ""))


def selected_code_ids(session: Session, selection: QuoteFilter) -> set[int] | None:
    """The ids of the codes a selection names, with their sub-codes unless told; None for every code."""
    if not selection.codes:
        return None
    code_ids: set[int] = set()
    for ref in selection.codes:
        code = find_code(session, ref)
        code_ids.update(code_subtree_ids(session, code) if selection.include_subcodes else [code.id])
    return code_ids


def selected_codings(
    query: _Query, selection: QuoteFilter, code_ids: Collection[int] | None, *, orphaned: bool = False,
) -> _Query:
    """`query` over Coding narrowed to the live codings of current texts that `selection` chooses
    by code (`code_ids`, sub-codes already added), coding, transcript, round and coder: what a
    selection of codings means, for the quotes here and for analysis. Who spoke, attributes and
    the search query are read per passage by the caller."""
    query = query.join(Transcript, Coding.transcript_id == Transcript.id).where(
        Coding.orphaned_at.is_not(None) if orphaned  # with `orphaned`: those a replaced text left no place
        else (Coding.removed_at.is_(None) & (Transcript.current_version_id == Coding.text_version_id))
    )
    if code_ids is not None:
        query = query.where(Coding.code_id.in_(code_ids))
    if selection.codings:
        query = query.where(in_values(Coding.id, selection.codings))  # a matrix cell's, a framework column's: any number
    if selection.transcripts:
        query = query.where(Transcript.name.in_(selection.transcripts))
    if selection.waves:
        query = query.where(Transcript.wave.in_(selection.waves))
    if selection.coders:
        coders = select(Coder.id).where(Coder.name.in_(selection.coders)).correlate(None)
        query = query.where(Coding.coder_id.in_(coders))
    return query


def check_selection(session: Session, selection: QuoteFilter) -> tuple[tuple[str, str | None], ...]:
    """Refuse names the project does not know; the attribute pairs with yes/no values as stored, and None
    for the label tables show for no value ("(not stated)", "(ikke oppgitt)"): those without one, the
    rows that column counts (value_holds). A value typed as that label is named as the tables show it,
    in quotation marks ('"(not stated)"')."""
    checks: list[tuple[tuple[str, ...], Callable[[], Collection[str]], str, str, str]] = [
        (selection.participants, lambda: _distinct(session, Participant.name), "no participant {}", "no participants {}",
         "participants"),
        (selection.roles, lambda: _distinct(session, Participant.role), "no participant has the role {}",
         "no participant has the roles {}", "roles"),
        (selection.waves, lambda: _distinct(session, Transcript.wave), "no transcript is from wave {}",
         "no transcript is from waves {}", "waves"),
        (selection.transcripts, lambda: _distinct(session, Transcript.name), "no transcript {}", "no transcripts {}",
         "transcripts"),
        (selection.coders,
         lambda: _distinct(session, Coder.name, Coding.coder_id == Coder.id, Coding.removed_at.is_(None)),
         "no codings by {}", "no codings by {}", "coders"),
    ]
    if selection.blind and selection.coders and not session.scalar(
        select(Coding.id).join(Coder, Coding.coder_id == Coder.id)
        .where(Coder.name.in_(selection.coders), Coding.removed_at.is_(None)).limit(1)
    ):
        # A blind coder's own codings are all there is to them: not "no codings by … (coders: …)", naming the others.
        raise NotFound("you have coded nothing yet", "code passages first: in the reader, or with `qualcode coding add`")
    for given, known, one, many, label in checks:
        if given and not (label == "coders" and selection.blind):  # the project's names are read only for the filters used
            _refuse_unknown(given, known(), one, many, label)
    attributes: list[tuple[str, str | None]] = []
    for typed_name, value in selection.attributes:
        name = attribute_as_stored(session, typed_name)
        values = _attribute_values(session, name)
        if values is None and (column := column_named(typed_name)) in (*PARTICIPANT_COLUMNS, *TRANSCRIPT_COLUMNS):
            name, values = column, _attribute_values(session, column)  # "kjønn" where no attribute has that name
        if values is None:
            names = [*PARTICIPANT_COLUMNS, *TRANSCRIPT_COLUMNS, *attribute_names(session)]
            raise NotFound(f"no attribute {typed_name!r} on participants or transcripts", known_hint("attributes", names, typed_name))
        # The label as a researcher may type it ("(ikke  oppgitt)", "(NOT STATED)"); a value stored so is itself.
        label = " ".join(value.split()).casefold()
        if value in NOT_STATED or (label in NOT_STATED and value not in values):
            attributes.append((name, None))
            continue
        if label in (NO_INFORMANT, NO_INFORMANT_NB) and value not in values:
            raise NotFound(
                f"{value} is no value of {name}: it is the column of the passages counted for no informant, which no filter chooses",
                f"leave --attribute {name} out to have them with the rest; {NO_VALUE} chooses the informants without one",
            )
        value = typed_as(value)
        if _is_yes_no(session, name):
            lowered = value.lower()
            value = "true" if lowered in YES else "false" if lowered in NO else value
        looked_for = stored_value(session, value, values)
        if looked_for not in values:
            shown = [as_typed(known) for known in values]
            typed = sorted(known for known in shown if known.startswith('"') and known.strip('"') in PLACEHOLDERS)
            either = f", {NOT_AS_STORED_EITHER}" if looked_for != value else ""
            raise NotFound(
                f"no participant or transcript has {name} {as_typed(value)!r}{either}",
                known_hint(name, shown, looked_for) + f"; {NO_VALUE} chooses those without one"
                + (f", {' or '.join(typed)} in quotation marks the {name} typed so" if typed else ""),
            )
        attributes.append((name, looked_for))
    return tuple(attributes)


def stored_selection(session: Session, selection: QuoteFilter) -> QuoteFilter:
    """`selection` with each name in it as the project stores it: as typed where the project holds
    it so, else with the names the key holds replaced by their pseudonyms (typed_as_stored, with
    the key at hand), as they were replaced when the code, transcript or value was stored. What is
    selected is then described as it is stored: a report's title page or a table's caption naming
    "støtte fra Hilde" as typed would be refused by the leak check, and say her name on screen.
    A code is named by the path it is found at; a name found nowhere is left to be refused as typed."""
    def names(given: tuple[str, ...], column: Any, *, any_case: bool = False) -> tuple[str, ...]:
        if not given:
            return given
        held = set(_distinct(session, column))
        return tuple(stored_value(session, _held_in_any_case(value, held) if any_case else value, held) for value in given)

    def attribute(name: str, value: str) -> tuple[str, str]:
        name = attribute_as_stored(session, name)
        values = _attribute_values(session, name)
        return name, value if values is None else stored_value(session, value, values)

    return replace(
        selection, codes=tuple(code_as_stored(session, ref) for ref in selection.codes),
        roles=names(selection.roles, Participant.role, any_case=True), waves=names(selection.waves, Transcript.wave, any_case=True),
        participants=names(selection.participants, Participant.name), transcripts=names(selection.transcripts, Transcript.name),
        coders=names(selection.coders, Coder.name), attributes=tuple(attribute(name, value) for name, value in selection.attributes),
        query=_stored_query(session, selection.query) if selection.query else selection.query,
    )


def _held_in_any_case(value: str, held: Collection[str]) -> str:
    """A role or round as the project holds it when typed in another case ("t2" for T2, "DELTAKER"):
    each is stored one way only (rounds upper-cased, roles as the project spells them), so the case
    names no other value, and `search` reads them so too (search.service._stored_as)."""
    if value in held:
        return value
    alike = [known for known in held if known.casefold() == value.casefold()]
    return alike[0] if len(alike) == 1 else value


def _stored_query(session: Session, query: str) -> str:
    """A selection's search query as every search reads it (search.service.stored_query)."""
    from qualcode.search.service import stored_query  # here, as query_hits imports the search

    return stored_query(session, query).text


def code_as_stored(session: Session, ref: str) -> str:
    """A code `ref` names: as typed where it finds a code so, else by the path of the code it finds as
    the key would have stored it (find_code), so a ref naming someone is shown nowhere."""
    try:
        find_code(session, ref, as_stored=False)
        return ref
    except Ambiguous:
        return ref  # refused where the selection is read
    except NotFound:
        pass
    try:
        return find_code(session, ref).path
    except (NotFound, Ambiguous):
        return ref  # refused where the selection is read, saying what was looked for


def column_value_as_stored(session: Session, name: str, value: str) -> str:
    """A value typed for a column tables split by (an attribute, participant, transcript or coder), as
    stored: as typed where the project holds it so, else as the project stores typed text."""
    names = {"participant": Participant.name, "transcript": Transcript.name, "coder": Coder.name}
    values = _distinct(session, names[name]) if name in names else _attribute_values(session, name)
    return value if values is None else stored_value(session, value, values)


def stored_value(session: Session, value: str, values: Collection[str]) -> str:
    """A `value` typed to choose by (an attribute's, a role, a transcript) as typed where a participant
    or transcript holds it so, else as the project stores typed text: "Hilde" typed for a contact stored
    as her pseudonym is that pseudonym. Found as a placeholder ("NAV Horten" as "(NAV-kontor)"), it
    chooses every identifier of the kind, and the person is told (found_as_stored)."""
    if value in values:
        return value
    found = as_stored(session, value)
    if found.text in values:
        found_as_stored(session, found)
    return found.text


def attribute_as_stored(session: Session, name: str) -> str:
    """An attribute's `name` typed to choose or split by it, as the project stores it: as typed where a
    column or attribute is named so, else as the key stores a name kept in lower case ("hilde" for an
    attribute named for someone, under their pseudonym). Every lookup of an attribute's name reads it so."""
    if name in IDENTITY_COLUMNS or _attribute_values(session, name) is not None:
        return name
    return typed_as_stored(session, name, folded=True)


def _distinct(session: Session, column: Any, *where: Any) -> list[str]:
    return [value for value in session.scalars(select(column).where(*where).distinct()) if value]


def attribute_names(session: Session) -> list[str]:
    """The typed attributes, participants' then transcripts', beyond the built-in columns."""
    names: list[str] = []
    for applies_to in ("participant", "transcript"):
        for name in session.scalars(
            select(AttributeDefinition.name).where(AttributeDefinition.applies_to == applies_to).order_by(AttributeDefinition.id)
        ):
            if name not in names and name not in PARTICIPANT_COLUMNS + TRANSCRIPT_COLUMNS:
                names.append(name)
    return names


def _attribute_values(session: Session, name: str) -> list[str] | None:
    """The values participants and transcripts hold for an attribute, or None if there is no such attribute."""
    if name in PARTICIPANT_COLUMNS:
        return _distinct(session, getattr(Participant, name))
    if name in TRANSCRIPT_COLUMNS:
        return _distinct(session, getattr(Transcript, name))
    if session.scalar(select(AttributeDefinition.id).where(AttributeDefinition.name == name).limit(1)) is None:
        return None
    values: set[str] = set()
    for table in (ParticipantAttribute, TranscriptAttribute):
        values.update(_distinct(
            session, table.value, table.definition_id == AttributeDefinition.id, AttributeDefinition.name == name,
        ))
    return sorted(values)


def _is_yes_no(session: Session, name: str) -> bool:
    return session.scalar(
        select(AttributeDefinition.id)
        .where(AttributeDefinition.name == name, AttributeDefinition.value_type == "boolean").limit(1)
    ) is not None


def _refuse_unknown(given: Sequence[str], known: Collection[str], one: str, many: str, label: str) -> None:
    missing = [value for value in dict.fromkeys(given) if value not in known]
    if missing:
        listed = ", ".join(repr(value) for value in missing)
        raise NotFound((one if len(missing) == 1 else many).format(listed), known_hint(label, known, missing[0]))


def known_hint(label: str, known: Collection[str], wrong: str) -> str:
    """The known values, a short list of them, led by the likeliest one meant ("did you mean ...")."""
    if not known:
        return f"the project has no {label} yet"
    ordered = sorted(known, key=natural_key) if label != "attributes" else list(known)
    # Every attribute's name: there are few, and the one meant may be any of them (a probe's ninth was cut off).
    limit = len(ordered) if label == "attributes" else SHOWN_VALUES
    shown = ", ".join(ordered[:limit]) + (f", … ({len(ordered)} in all)" if len(ordered) > limit else "")
    by_lower = {value.lower(): value for value in ordered}
    close = difflib.get_close_matches(wrong.lower(), list(by_lower), n=1, cutoff=0.75)
    return (f"did you mean {by_lower[close[0]]!r}? " if close else "") + f"{label}: {shown}"


def orphaned_codings(session: Session, selection: QuoteFilter) -> int:
    """How many codings the selection names by code, transcript, round and coder have no place,
    their passage gone from a replaced text (coding/anchoring.py): an export leaves them out."""
    query = select(func.count()).select_from(Coding)
    return session.scalar(selected_codings(query, selection, selected_code_ids(session, selection), orphaned=True)) or 0


def nothing_selected(session: Session, selection: QuoteFilter) -> NotFound:
    """Why an export would be empty: what each restriction selects on its own, and how many quotes there are,
    counted as an export counts them (a passage several coders gave the same code is one quote)."""

    # A blind coder's counts are of their own codings only: "code helse alone: 5 quotes" told them
    # how much the others had coded.
    mine = selection.coders if selection.blind else ()

    def quotes(chosen: QuoteFilter) -> int:
        return len(select_quotes(session, replace(chosen, coders=mine) if mine else chosen, per_passage=True)[0])

    total = quotes(QuoteFilter())
    in_all = f"{_quotes(total)} of yours in all" if mine else f"{_quotes(total)} in all"
    orphaned = orphaned_codings(session, replace(selection, coders=mine) if mine else selection)
    # Codings it would have taken but for a replaced text: "1 quote in all" did not say where the rest went.
    gone = [f"{counted(orphaned, 'coding')} of it lost {'their' if orphaned > 1 else 'its'} place in a replaced text"
            " (`qualcode coding list --orphaned`)"] if orphaned else []
    if total == 0:
        return NotFound("you have coded nothing yet" if mine else "the project has no codings yet",
                        "; ".join([*gone, "code passages first: `qualcode coding add` or the TUI"]))
    parts = _restrictions(replace(selection, coders=()) if mine else selection)
    if not parts:  # only a cap or an order, which never empty a selection
        return NotFound("the selection matches no quotes", in_all)
    alone = [f"{text} alone: {_quotes(quotes(only))}" for text, only in parts] if len(parts) > 1 else []
    # The label of a missing value chooses those without one; a value typed as that label is named in
    # quotation marks, as the tables show it: said where a project has such a value and the label chose nothing.
    typed = [f"{name}={value} chooses those without {name}, {name}='\"{value}\"' the {name} typed so"
             for name, value in selection.attributes
             if value in NOT_STATED and value in (_attribute_values(session, name) or ())]
    return NotFound("no quotes match " + _and([text for text, _ in parts]), "; ".join([*alone, *gone, *typed, in_all]))


def _restrictions(selection: QuoteFilter) -> list[tuple[str, QuoteFilter]]:
    """Each restriction of a selection in words, with a selection holding only it."""
    empty = QuoteFilter()
    parts: list[tuple[str, QuoteFilter]] = []
    if selection.codes:
        words = "code" + ("s " if len(selection.codes) > 1 else " ") + _or(selection.codes)
        parts.append((words + ("" if selection.include_subcodes else " without sub-codes"),
                      replace(empty, codes=selection.codes, include_subcodes=selection.include_subcodes)))
    for field_name, singular in (("roles", "role"), ("waves", "wave"), ("participants", "participant"),
                                 ("transcripts", "transcript"), ("coders", "coder")):
        values: tuple[str, ...] = getattr(selection, field_name)
        if values:
            only: dict[str, Any] = {field_name: values}
            parts.append((f"{singular}{'s' if len(values) > 1 else ''} {_or(values)}", replace(empty, **only)))
    for name, value in selection.attributes:
        parts.append((f"{name}={value}", replace(empty, attributes=((name, value),))))
    if selection.query:
        parts.append((f"the query {selection.query!r}", replace(empty, query=selection.query)))
    return parts


def _quotes(count: int) -> str:
    return counted(count, "quote")


def _or(values: Sequence[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def _and(values: Sequence[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def one_per_passage(quotes: list[Quote]) -> list[Quote]:
    """Codings of one span with one code by several coders as one quote: the earliest coding's, naming every coder.

    Memos are kept, each with its coder's name when there is more than one.
    """
    first: dict[tuple[str, str, int, int], int] = {}
    kept: list[Quote] = []
    memos: dict[int, list[tuple[str, str]]] = {}
    for quote in quotes:
        passage = (quote.transcript, quote.code_path, quote.start, quote.end)
        index = first.get(passage)
        if index is None:
            first[passage] = len(kept)
            kept.append(quote)
            memos[len(kept) - 1] = [(quote.coder, quote.memo)] if quote.memo else []
            continue
        merged = kept[index]
        if quote.memo:
            memos[index].append((quote.coder, quote.memo))
        if quote.coder not in merged.coders:
            kept[index] = replace(merged, also_coded_by=(*merged.also_coded_by, quote.coder))
    for index, notes in memos.items():
        # Named when there are several, or when the one memo is another coder's than the quote's own:
        # the quote is the earliest coding's, and a later coder's memo alone was dropped with theirs.
        if len(notes) > 1 or (notes and notes[0][0] != kept[index].coder):
            kept[index] = replace(kept[index], memo=" | ".join(f"{coder}: {memo}" for coder, memo in notes))
    return kept


def cap_quotes(quotes: list[Quote], cap: int) -> list[Quote]:
    """At most `cap` quotes per participant under each code, so no one voice dominates a section."""
    if cap < 1:
        raise InvalidInput("the cap per participant must be at least 1")
    seen: Counter[tuple[str, str]] = Counter()
    kept = []
    for quote in quotes:
        slot = (quote.code_path, quote.participant or quote.transcript)
        if seen[slot] < cap:
            seen[slot] += 1
            kept.append(quote)
    return kept


def quote_holds(quote: Quote, name: str, wanted: str | None) -> bool:
    """Whether a quote passes NAME=VALUE as check_selection returns it (None: without a value)."""
    return value_holds(_attribute(quote, name), wanted, of_no_one=quote.participant is None and name in quote.participant_fields)


def _attribute(quote: Quote, name: str) -> str | None:
    builtin = {"role": quote.role, "office": quote.office, "gender": quote.gender, "age_band": quote.age_band,
               "wave": quote.wave, "fidelity": quote.fidelity}
    return builtin[name] if name in builtin else quote.attributes.get(name)


def query_hits(session: Session, query: str) -> dict[str, list[tuple[int, int]]]:
    """Where the query's hits are (start, end), by transcript name, in order."""
    # Imported here: the search (its parser and stemmer) loads only for a selection by words.
    from qualcode.search.service import SearchFilters, search

    spans: dict[str, list[tuple[int, int]]] = {}
    for hit in search(session, query, SearchFilters(), limit=100_000).hits:
        spans.setdefault(hit.transcript, []).append((hit.start, hit.end))
    return {transcript: sorted(found) for transcript, found in spans.items()}


def holds_hit(spans: Sequence[tuple[int, int]] | None, start: int, end: int) -> bool:
    """Whether the passage start..end holds a hit whole: one it only overlaps (a passage ending
    inside "måltall") is not a passage with "måltall" in it."""
    index = bisect_left(spans or (), (start, -1))
    while spans and index < len(spans) and spans[index][0] < end:
        if spans[index][1] <= end:
            return True
        index += 1
    return False


@dataclass(frozen=True)
class _Turn:
    seq: int
    speaker: str | None
    participant_id: int | None
    start: int
    end: int


class _Context:
    """What the quotes of one selection share: transcripts, texts, turns, participants."""

    def __init__(self, session: Session, transcript_ids: set[int], version_ids: set[int]) -> None:
        # Plain columns, each table in one query: loading the ORM objects with their attributes and
        # links cost an export's start 10 ms more, most of it in compiling the loader options.
        self.transcripts = {row.id: row for row in session.execute(
            select(Transcript.id, Transcript.name, Transcript.wave, Transcript.interview_date, Transcript.fidelity,
                   Transcript.interviewer).where(Transcript.id.in_(transcript_ids))
        )}
        self.texts = dict(session.execute(select(TextVersion.id, TextVersion.text).where(TextVersion.id.in_(version_ids))).all())
        self.interviewer_speakers = interviewer_speakers(session, transcript_ids)
        self.turns: dict[int, list[_Turn]] = {}
        for version_id, seq, speaker, participant_id, start, end in session.execute(
            select(Turn.text_version_id, Turn.seq, Turn.speaker, Turn.participant_id, Turn.start, Turn.end)
            .where(Turn.text_version_id.in_(version_ids)).order_by(Turn.text_version_id, Turn.start)
        ):
            self.turns.setdefault(version_id, []).append(_Turn(seq, speaker, participant_id, start, end))
        self.starts = {version: [turn.start for turn in turns] for version, turns in self.turns.items()}
        self.people = {row.id: row for row in session.execute(
            select(Participant.id, Participant.name, Participant.role, Participant.office, Participant.gender, Participant.age_band)
        )}
        self.lines = {version: LineIndex(text) for version, text in self.texts.items()}
        self.transcript_attributes: dict[int, dict[str, str]] = {tid: {} for tid in self.transcripts}
        for tid, name, value in session.execute(
            select(TranscriptAttribute.transcript_id, AttributeDefinition.name, TranscriptAttribute.value)
            .join(AttributeDefinition, TranscriptAttribute.definition_id == AttributeDefinition.id)
            .where(TranscriptAttribute.transcript_id.in_(transcript_ids)).order_by(TranscriptAttribute.id)
        ):
            self.transcript_attributes[tid][name] = value
        self.participant_fields = frozenset((*PARTICIPANT_COLUMNS, *session.scalars(
            select(AttributeDefinition.name).where(AttributeDefinition.applies_to == "participant"))))
        self.people_attributes: dict[int, dict[str, str]] = {pid: {} for pid in self.people}
        for pid, name, value in session.execute(
            select(ParticipantAttribute.participant_id, AttributeDefinition.name, ParticipantAttribute.value)
            .join(AttributeDefinition, ParticipantAttribute.definition_id == AttributeDefinition.id)
            .order_by(ParticipantAttribute.id)
        ):
            self.people_attributes[pid][name] = value
        links: dict[int, list[int]] = {}
        for tid, pid in session.execute(
            select(TranscriptParticipant.transcript_id, TranscriptParticipant.participant_id)
            .where(TranscriptParticipant.transcript_id.in_(transcript_ids))
        ):
            links.setdefault(tid, []).append(pid)
        self.only_participant = {tid: people[0] for tid, people in links.items() if len(people) == 1}
        self._people_of: dict[tuple[int, int], list[int | None]] = {}

    def quote(self, row: tuple[Any, ...]) -> Quote:
        """A Quote from a (coding id, guid, transcript id, version id, start, end, excerpt, memo, code path, coder) row."""
        coding_id, guid, transcript_id, version_id, start, end, excerpt, memo, code_path, coder = row
        transcript = self.transcripts[transcript_id]
        text = self.texts[version_id]
        turns = self.turns.get(version_id, [])
        starts = self.starts.get(version_id, [])
        found = bisect_right(starts, start) - 1
        index = found if found >= 0 and start < turns[found].end else None
        turn = turns[index] if index is not None else None
        whose = self._whose(transcript_id, version_id)
        leading = whose[index] if index is not None else None
        participant_id = leading if leading is not None else counted_for(whose, starts, found + 1, end)
        participant = self.people.get(participant_id) if participant_id is not None else None
        interviewer = leading is None and turn is not None and self._interviewer(transcript_id, turn)
        attributes = dict(self.transcript_attributes[transcript_id])
        if participant is not None:
            attributes.update(self.people_attributes[participant.id])
        before = turns[index - 1] if index else None
        # After the last turn the quote reaches into: a turn it runs on into is its own text, not what came after.
        last = bisect_left(starts, end) - 1
        after = turns[last + 1] if index is not None and last + 1 < len(turns) else None
        turn_start = turn.start if turn is not None else 0
        # Each later turn the quote reaches into, with who spoke it (None: the quote's own speaker again).
        breaks: list[TurnBreak] = []
        # From the first turn after the quote's start: one begun in a heading breaks at its first turn too.
        for later in turns[found + 1:last + 1]:
            own = turn is not None and (later.speaker, later.participant_id) == (turn.speaker, turn.participant_id)
            voice = None if own else self._voice(transcript_id, version_id, later)
            newline = text.rfind("\n", start, later.start)  # the turn's line, its label with it
            breaks.append(TurnBreak((newline + 1 if newline >= 0 else later.start) - start, later.start - start, voice))
        return Quote(
            coding_id=coding_id, guid=guid, ref=quote_ref(guid), code_path=code_path, excerpt=excerpt, memo=memo,
            coder=coder, transcript=transcript.name,
            participant=participant.name if participant else None, role=participant.role if participant else None,
            office=participant.office if participant else None, gender=participant.gender if participant else None,
            age_band=participant.age_band if participant else None, wave=transcript.wave,
            interview_date=transcript.interview_date, fidelity=transcript.fidelity,
            speaker=turn.speaker if turn is not None else None, line=self.lines[version_id].line(start),
            interviewer=interviewer, turn_breaks=tuple(breaks),
            lead=None if leading is not None or participant is None else Voice(
                participant=None, role=None, office=None, speaker=turn.speaker if turn is not None else None,
                line=self.lines[version_id].line(start), interviewer=interviewer),
            turn=turn.seq if turn is not None else None, start=start, end=end,
            cut_before=start > turn_start and not SENTENCE_END.search(text[max(turn_start, start - 8):start]),
            # A quote that ends where its last turn ends has nothing after it left out, whatever
            # its last character ("-2+3 er svaret", "ja, og så –").
            cut_after=not SENTENCE_END.search(excerpt) and not (0 <= last < len(turns) and end >= turns[last].end)
            # nor does one that leaves out only its sentence's last mark ("… hva jeg ville" before "."): no word is.
            and not STOP_AFTER.match(text, end, turns[last].end if 0 <= last < len(turns) else len(text)),
            attributes=attributes,
            turn_before=self._context_turn(transcript_id, version_id, text, before),
            turn_after=self._context_turn(transcript_id, version_id, text, after),
            participant_fields=self.participant_fields,
        )

    def _whose(self, transcript_id: int, version_id: int) -> list[int | None]:
        """The participant each turn of a text counts for (turn_counts_for)."""
        key = (transcript_id, version_id)
        whose = self._people_of.get(key)
        if whose is None:
            only = self.only_participant.get(transcript_id)
            whose = self._people_of[key] = [
                turn_counts_for(turn.participant_id, turn.speaker is not None, only) for turn in self.turns.get(version_id, [])
            ]
        return whose

    def _context_turn(self, transcript_id: int, version_id: int, text: str, turn: _Turn | None) -> ContextTurn | None:
        if turn is None:
            return None
        return ContextTurn(self._voice(transcript_id, version_id, turn), text[turn.start:turn.end])

    def _voice(self, transcript_id: int, version_id: int, turn: _Turn) -> Voice:
        person = self.people.get(turn.participant_id) if turn.participant_id is not None else None
        return Voice(
            participant=person.name if person else None, role=person.role if person else None,
            office=person.office if person else None, speaker=turn.speaker, line=self.lines[version_id].line(turn.start),
            interviewer=person is None and self._interviewer(transcript_id, turn),
        )

    def _interviewer(self, transcript_id: int, turn: _Turn) -> bool:
        """Whether the turn's speaker is the interviewer's side, as the importer read it when linking speakers."""
        return is_interviewer(turn.speaker, self.transcripts[transcript_id].interviewer, self.interviewer_speakers.get(transcript_id, ()))


def turn_counts_for(participant_id: int | None, labelled: bool, only_participant: int | None) -> int | None:
    """The participant a turn counts for: the turn's own participant; for a turn without a speaker
    label, the transcript's only participant (`only_participant`, None when it has none or several);
    None for a labelled turn linked to no one (the interviewer's side, a speaker linked to no one).
    Quotes here and every analysis count (analysis/passages.py) read turns by this one rule."""
    if participant_id is not None:
        return participant_id
    return None if labelled else only_participant


def counted_for(whose: Sequence[int | None], starts: Sequence[int], after: int, end: int) -> int | None:
    """The participant a passage that begins in no participant's words counts for: the first one
    whose turn (from index `after`, turns starting at `starts`) it reaches before `end`. A question
    coded with its answer counts for who answered, as a heading coded with the first turn counts
    for who speaks there; the interviewer's words alone, or a heading alone, count for no one."""
    for index in range(max(after, 0), len(starts)):
        if starts[index] >= end:
            break
        if whose[index] is not None:
            return whose[index]
    return None

