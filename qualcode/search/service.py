"""Running a search: FTS5 finds the turns, then each hit is counted, and the first placed in their context."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from qualcode.codebook.service import code_subtree_ids, find_code
from qualcode.errors import NotFound, SearchSyntaxError
from qualcode.search.index import VARIABLES
from qualcode.search.query import (
    OPERATORS,
    ParsedQuery,
    Pattern,
    parse_query,
    query_as_stored,
    quoted_query,
)
from qualcode.store.lookup import find_participant, find_transcript
from qualcode.store.project import NOT_AS_STORED_EITHER, AsStored, as_stored, found_as_stored
from qualcode.text.normalise import visible
from qualcode.text.tokens import WORD, stem_words, tokenise


@dataclass(frozen=True)
class SearchFilters:
    """Narrow a search to a code (with sub-codes), a speaker role, a wave, a participant, a transcript,
    and participant or transcript attributes (NAME, VALUE pairs as `coding.passages.check_selection` returns them;
    VALUE None: without a value).
    """

    code: str | None = None
    role: str | None = None
    wave: str | None = None
    participant: str | None = None
    transcript: str | None = None
    attributes: tuple[tuple[str, str | None], ...] = ()
    coder: str | None = None  # with `code`: only passages the coder of this stored name coded (a blind coder's own)


@dataclass(frozen=True)
class Hit:
    """One keyword in context."""

    transcript: str
    speaker: str | None
    participant: str | None
    role: str | None
    wave: str | None
    turn: int
    line: int
    start: int
    end: int
    left: str
    keyword: str
    right: str
    text_version: int = 0  # the text the offsets are in: another once the transcript is rewritten


@dataclass(frozen=True)
class Compounds:
    """The turns a one-word search leaves out because the word lies there only inside compounds,
    the compounds, and the search that finds them."""

    word: str
    turns: int
    words: tuple[str, ...]

    @property
    def query(self) -> str:
        return f"*{self.word}*"

    def __str__(self) -> str:
        shown = ", ".join(self.words[:SHOWN_COMPOUNDS]) + (", …" if len(self.words) > SHOWN_COMPOUNDS else "")
        return f"also in {_turns(self.turns)} inside compounds: {shown} — search {self.query}"


@dataclass
class SearchResult:
    """The hits shown, and what is counted: `turns_matched`, the turns holding at least one hit after
    every filter (with a code, a hit inside a passage coded with it); `truncated` when there are more
    hits than shown."""

    query: str
    turns_matched: int = 0
    hits: list[Hit] = field(default_factory=list)
    truncated: bool = False
    compounds: Compounds | None = None

    @property
    def summary(self) -> str:
        """The count in words: "found in 9 turns", and how many hits are shown when not all are."""
        if not self.turns_matched:
            return "found in no turn"
        shown = f"; the first {len(self.hits):,} hits are shown" if self.truncated else ""
        return f"found in {_turns(self.turns_matched)}{shown}"


def _turns(count: int) -> str:
    return f"{count:,} turn" + ("" if count == 1 else "s")


SHOWN_COMPOUNDS = 5
# A wildcard that stands for more words than this is refused: the search would be slow and the
# hits mostly noise.
MOST_WILDCARD_WORDS = 2_000
# The other part of a compound has at least this many letters, so "typisk" is no compound of "pisk".
COMPOUND_PART = 3
PARTICIPANT_COLUMNS = ("role", "gender", "age_band", "office")
TRANSCRIPT_COLUMNS = ("wave", "fidelity")
PAGE = 100
# Up to this many matching turns are sorted in one query; more are read transcript by transcript.
SORTED_AT_MOST = 2_000
_FROM = (
    " FROM search_index s"
    " JOIN turns t ON t.id = s.rowid"
    " JOIN transcripts tr ON tr.current_version_id = t.text_version_id"
    " LEFT JOIN participants p ON p.id = t.participant_id"
    " WHERE search_index MATCH :match"
)


# The turns of transcripts' current texts: not a text an import killed midway left staged (its
# transcript id is negative, and the next import removes it), nor an earlier version.
_CURRENT = "t.text_version_id IN (SELECT current_version_id FROM transcripts WHERE current_version_id IS NOT NULL)"


def _counted_from(where: list[str]) -> str:
    """What a count reads: the matching turns of current texts alone. Every filter names the turn
    (`t.`) and picks its transcripts or speakers in a subquery that SQLite runs once, rather than
    joining each matching turn to its transcript and speaker (that join was half of a filtered
    search's time)."""
    return " FROM search_index s JOIN turns t ON t.id = s.rowid WHERE search_index MATCH :match" + "".join(
        f" AND {clause}" for clause in [_CURRENT, *where]
    )


def search(
    session: Session, query: str, filters: SearchFilters | None = None, *, limit: int = 50, context: int = 40,
    compounds: bool = True,
) -> SearchResult:
    """Hits for `query` in the current text of every transcript, in transcript and text order.

    The turns holding hits are counted; the first `limit` hits are placed in their context. A search
    for one word also counts the turns where the word lies only inside compounds (unless `compounds`
    is false, for a caller that shows no hint).

    The query's words and phrases naming someone the key at hand holds are searched as the texts hold
    them, by their pseudonyms, the rest of the query as typed (stored_query): "Hilde OR planen" finds
    her pseudonym or "planen". The result's query is then what was looked for.
    """
    filters = filters or SearchFilters()
    looked_for = stored_query(session, query)
    result = _search(session, looked_for.text, filters, limit=limit, context=context, compounds=compounds)
    if result.turns_matched:
        found_as_stored(session, looked_for, "query")
    return result


def stored_query(session: Session, query: str) -> AsStored:
    """`query` as the texts hold what it names: each word or phrase naming someone the key at hand holds
    as their pseudonym, the query's syntax kept (search.query.query_as_stored). Every search reads a query
    so: `search`, an analysis's or an export's --query, the terminal UI's search. As typed where the key
    changes nothing in it, or is not at hand.

    The texts hold no name the key holds: a query of words in lower case that they all hold
    ("måltall OR kvote") names no one, and is searched without reading the key, whose pseudonymiser
    would cost every such search its load."""
    typed = visible(query)  # as parse_query reads it, so what the key found is where it was found
    words = [word for word in WORD.findall(typed) if word not in OPERATORS]
    lowered = all(word.islower() for word in words)
    unheld = _not_in_texts(session, {word.lower() for word in words}) if lowered else set()
    if lowered and not unheld:
        return AsStored(query)
    # A query in lower case is also read capitalised ("hilde" names Hilde, as a search box is typed),
    # but only for the words the texts do not hold as written: "per" the preposition stays "per".
    # Its operators are read as a break between names, so that "hilde OR kari" is read in lower case.
    found = as_stored(session, _OPERATOR.sub(" ; ", typed) if lowered else typed, folded=lowered)
    replaced = found.replaced if not lowered else tuple(
        pair for pair in found.replaced if {word.lower() for word in WORD.findall(pair[0])} & unheld)
    if not replaced:
        return AsStored(query)
    parse_query(typed)  # a query that cannot be read is refused as it was typed, not as stored
    stored, applied = query_as_stored(typed, replaced)
    return AsStored(stored, applied, tuple(pair for pair in found.placeholders if pair in applied)) if applied else AsStored(query)


_OPERATOR = re.compile(rf"\b(?:{'|'.join(OPERATORS)})\b")


def _not_in_texts(session: Session, words: set[str]) -> set[str]:
    """Those of `words` (lower-cased, as written) that no current text holds: the index's vocabulary."""
    ordered = sorted(words)
    held: set[str] = set()
    for first in range(0, len(ordered), VARIABLES):
        chunk = ordered[first:first + VARIABLES]
        held.update(session.connection().exec_driver_sql(
            f"SELECT word FROM search_index_vocabulary WHERE word IN ({','.join('?' * len(chunk))})", tuple(chunk),
        ).scalars())
    return words - held


def _search(session: Session, query: str, filters: SearchFilters, *, limit: int, context: int, compounds: bool) -> SearchResult:
    """search() for `query` as it is given."""
    parsed = parse_query(visible(query))  # the texts are composed (NFC): so is what is looked for
    where, params = _filter_sql(session, filters)
    texts = _Texts(session, filters)
    expression = parsed.resolve(_wildcards_words(session, query, parsed))
    result = SearchResult(query=query)
    # With a code, these are the turns a coded passage overlaps; which of their hits lie inside it
    # is read from the text below.
    candidates = _count(session, query, expression, where, params)
    if texts.code_ids is None:
        result.turns_matched = candidates
    for row in _rows(session, query, expression, where, params, candidates):
        if texts.code_ids is None and len(result.hits) >= limit:
            result.truncated = True  # the turn in hand holds a hit; the count came from the index
            break
        seq, start, end, speaker, version_id, name, wave, participant, role = row
        full_text = texts.text(version_id)
        spans = [span for span in _hit_spans(full_text[start:end], start, parsed) if texts.coded(version_id, span)]
        if texts.code_ids is not None:
            # With a code, only a hit inside a coded passage counts: the index cannot tell, the text can.
            result.turns_matched += bool(spans)
        for hit_start, hit_end in spans:
            if len(result.hits) >= limit:
                result.truncated = True
                break
            result.hits.append(
                Hit(
                    transcript=name, speaker=speaker, participant=participant, role=role, wave=wave,
                    turn=seq, line=full_text.count("\n", 0, hit_start) + 1, start=hit_start, end=hit_end,
                    left=_squash(full_text[max(start, hit_start - context):hit_start], left=True),
                    keyword=full_text[hit_start:hit_end],
                    right=_squash(full_text[hit_end:min(end, hit_end + context)], left=False), text_version=version_id,
                )
            )
    if compounds:
        result.compounds = _compounds(session, query, parsed, where, params, texts)
    return result


def _wildcards_words(session: Session, query: str, parsed: ParsedQuery) -> list[list[str]]:
    """The words each of the query's wildcards stands for, looked up once per different wildcard.

    Refused when they come to more than MOST_WILDCARD_WORDS together: one wildcard within the limit
    written 500 times ("*e* OR *e* OR ...") made an expression of a million words that took 20 s.
    """
    found: dict[Pattern, list[str]] = {}
    for pattern in parsed.wildcards:
        if pattern not in found:
            found[pattern] = wildcard_words(session, pattern)
    together = sum(len(found[pattern]) for pattern in parsed.wildcards)
    if together > MOST_WILDCARD_WORDS:
        raise SearchSyntaxError(
            f"the {len(parsed.wildcards):,} wildcards in query {quoted_query(query)} stand for {together:,} words "
            "together, too many to search for",
            "use fewer wildcards, or give more letters of each word",
        )
    return [found[pattern] for pattern in parsed.wildcards]


def wildcard_words(session: Session, pattern: Pattern) -> list[str]:
    """The indexed words (lower-cased, as written) a *suffix or *infix* wildcard finds."""
    if len(pattern.piece) >= 3:
        # The trigram index finds the words holding the piece without reading the whole vocabulary.
        candidates = session.execute(
            text("SELECT word FROM search_index_vocabulary_trigrams WHERE search_index_vocabulary_trigrams MATCH :piece"),
            {"piece": f'"{pattern.piece}"'},
        ).scalars()
    else:
        candidates = session.execute(
            text("SELECT word FROM search_index_vocabulary WHERE instr(word, :piece) > 0"), {"piece": pattern.piece}
        ).scalars()
    found = sorted(word for word in candidates if pattern.matches_word(word))
    if len(found) > MOST_WILDCARD_WORDS:
        written = f"*{pattern.piece}" + ("*" if pattern.kind == "infix" else "")
        raise SearchSyntaxError(
            f"{written} matches {len(found):,} different words, too many to search for",
            "give more letters of the word",
        )
    return found


def _count(session: Session, query: str, expression: str, where: list[str], params: dict[str, Any]) -> int:
    """How many turns of current texts match.

    Not from the index alone: an import killed midway leaves a text staged, its turns indexed,
    until the next import removes it, and those were counted ("found in 9,031 turns", 5 shown).
    """
    sql = "SELECT count(*)" + _counted_from(where)
    return int(_run(session, query, text(sql), {**params, "match": expression}).scalar_one())


def _exists(session: Session, query: str, expression: str, where: list[str], params: dict[str, Any]) -> bool:
    sql = "SELECT 1" + _counted_from(where) + " LIMIT 1"
    return _run(session, query, text(sql), {**params, "match": expression}).first() is not None


def _rows(
    session: Session, query: str, expression: str, where: list[str], params: dict[str, Any], matched: int,
) -> Iterator[Any]:
    """The matching turns in transcript and text order, read as the hits shown need them, so a
    common word costs no more than a rare one.

    A few matches are sorted at once. Many (`matched` turns) are read transcript by
    transcript in name order, each through its range of turn ids, rather than sorting every match
    to show the first fifty.
    """
    columns = "SELECT t.seq, t.start, t.end, t.speaker, t.text_version_id, tr.name, tr.wave, p.name, p.role"
    narrowed = "".join(f" AND {clause}" for clause in where)
    if matched <= SORTED_AT_MOST:
        sql = text(columns + _FROM + narrowed + " ORDER BY tr.name, t.seq LIMIT :page OFFSET :offset")
        for offset in itertools.count(0, PAGE):
            rows = _run(session, query, sql, {**params, "match": expression, "page": PAGE, "offset": offset}).all()
            yield from rows
            if len(rows) < PAGE:
                return
    versions = session.execute(
        text("SELECT current_version_id FROM transcripts WHERE current_version_id IS NOT NULL ORDER BY name")
    ).scalars().all()
    sql = text(
        columns + _FROM + narrowed
        + " AND t.text_version_id = :version AND s.rowid BETWEEN :low AND :high ORDER BY t.seq"
    )
    for version in versions:
        low, high = session.execute(
            text("SELECT min(id), max(id) FROM turns WHERE text_version_id = :version"), {"version": version}
        ).one()
        if low is not None:
            yield from _run(session, query, sql, {**params, "match": expression, "version": version, "low": low, "high": high})


def _run(session: Session, query: str, sql: Any, params: dict[str, Any]) -> Any:
    try:
        return session.execute(sql, params)
    except OperationalError as error:
        if "fts5" not in str(error.orig) and "syntax error" not in str(error.orig):
            raise  # busy, damaged or unreadable: the project's fault, not the query's
        raise SearchSyntaxError(f"the search index could not run {query!r}: {error.orig}") from None


class _Texts:
    """The texts of the versions hits lie in, and the passages coded with the filter's code, each read once."""

    def __init__(self, session: Session, filters: SearchFilters) -> None:
        self.session = session
        self.texts: dict[int, str] = {}
        self.code_ids = code_subtree_ids(session, find_code(session, filters.code)) if filters.code else None
        self.coder = filters.coder
        self.spans: dict[int, list[tuple[int, int]]] = {}

    def text(self, version_id: int) -> str:
        if version_id not in self.texts:
            self.texts[version_id] = self.session.execute(
                text("SELECT text FROM text_versions WHERE id = :id"), {"id": version_id}
            ).scalar_one()
        return self.texts[version_id]

    def coded(self, version_id: int, span: tuple[int, int]) -> bool:
        """Whether a hit lies inside a passage coded with the filter's code (always, with no code filter)."""
        if self.code_ids is None:
            return True
        if version_id not in self.spans:
            self.spans[version_id] = [
                (start, end) for start, end in self.session.execute(
                    text(
                        "SELECT start, end FROM codings WHERE removed_at IS NULL AND text_version_id = :version"
                        f" AND code_id IN ({','.join(str(i) for i in self.code_ids)})"
                        + (" AND coder_id IN (SELECT id FROM coders WHERE name = :coder)" if self.coder else "")
                    ),
                    {"version": version_id, "coder": self.coder},
                )
            ]
        return _inside(self.spans[version_id], *span)


def _compounds(
    session: Session, query: str, parsed: ParsedQuery, where: list[str], params: dict[str, Any], texts: _Texts
) -> Compounds | None:
    """For a one-word query, the turns it leaves out where the word lies inside compounds
    (brukermedvirkning for medvirkning), counted under the same filters."""
    if parsed.word is None or len(parsed.word) < COMPOUND_PART:
        return None
    try:
        candidates = wildcard_words(session, Pattern((parsed.word,), "infix"))
    except SearchSyntaxError:
        return None  # a word inside thousands of others is no compound's part worth a hint
    own = parsed.patterns[0]
    compounds = [
        word for word, word_stem in zip(candidates, stem_words(candidates), strict=True)
        if not own.found_at([word_stem], [word], 0) and _holds_as_part(word, parsed.word)
    ]
    if not compounds:
        return None
    # The turns the word's own search did not find: compounds there, the word itself not.
    expression = f'(words : ({" OR ".join(f"{chr(34)}{word}{chr(34)}" for word in compounds)}) NOT {parsed.fts})'
    if texts.code_ids is None:
        turns = _count(session, query, expression, where, params)
        found = compounds if len(compounds) == 1 else [
            word for word in compounds
            if turns and _exists(session, query, f'(words : "{word}" NOT {parsed.fts})', where, params)
        ]
    else:
        inside = Pattern(tuple(compounds), "any")
        turns, seen = 0, set()
        for row in _rows(session, query, expression, where, params, _count(session, query, expression, where, params)):
            start, end, version_id = row[1], row[2], row[4]
            tokens = tokenise(texts.text(version_id)[start:end], start)
            words = {token.text.lower() for token in tokens
                     if inside.matches_word(token.text.lower()) and texts.coded(version_id, (token.start, token.end))}
            turns += bool(words)
            seen |= words
        found = [word for word in compounds if word in seen]
    return Compounds(word=parsed.word, turns=turns, words=tuple(found)) if turns else None


def _holds_as_part(word: str, part: str) -> bool:
    """Whether `part` lies in `word` beside at least COMPOUND_PART other letters."""
    position = word.find(part)
    while position >= 0:
        if position >= COMPOUND_PART or len(word) - position - len(part) >= COMPOUND_PART:
            return True
        position = word.find(part, position + 1)
    return False


def _filter_sql(session: Session, filters: SearchFilters) -> tuple[list[str], dict[str, Any]]:
    """The filters as conditions on the turn `t`, each a subquery of the transcripts or
    participants it allows (see _counted_from)."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if filters.transcript:
        where.append(f"t.text_version_id IN ({_VERSIONS} WHERE tr.id = :transcript_id)")
        params["transcript_id"] = find_transcript(session, filters.transcript).id
    if filters.participant:
        where.append("t.participant_id = :participant_id")
        params["participant_id"] = find_participant(session, filters.participant).id
    if filters.role:
        roles = _stored_as(session, "SELECT DISTINCT role FROM participants", filters.role, "no participant has the role", "roles")
        where.append(f"t.participant_id IN ({_SPEAKERS} WHERE p.role IN ({_placeholders('role', roles, params)}))")
    if filters.wave:
        waves = _stored_as(session, "SELECT DISTINCT wave FROM transcripts", filters.wave, "no transcript is from wave", "waves")
        where.append(f"t.text_version_id IN ({_VERSIONS} WHERE tr.wave IN ({_placeholders('wave', waves, params)}))")
    if filters.code:
        ids = code_subtree_ids(session, find_code(session, filters.code))
        where.append(
            "EXISTS (SELECT 1 FROM codings c WHERE c.text_version_id = t.text_version_id"
            f" AND c.code_id IN ({','.join(str(i) for i in ids)}) AND c.removed_at IS NULL"
            " AND c.start < t.end AND c.end > t.start"
            + (" AND c.coder_id IN (SELECT id FROM coders WHERE name = :coder))" if filters.coder else ")")
        )
        params["coder"] = filters.coder
    for number, (name, value) in enumerate(filters.attributes):
        params[f"attribute_{number}"], params[f"value_{number}"] = name, value
        where.append(_attribute_sql(name, number) if value is not None else _no_attribute_sql(name, number))
    return where, params


def _stored_as(session: Session, values_sql: str, given: str, message: str, label: str) -> list[str]:
    """The stored values a role or wave names in any case ("RÅDGIVER" for "rådgiver": SQLite's lower()
    folds ASCII only, so they are matched here). None is a typing error, not a search that finds
    nothing: said, with the values there are."""
    known = sorted(value for value in session.execute(text(values_sql)).scalars() if value)
    matching = [value for value in known if value.casefold() == given.casefold()]
    if not matching and (stored := as_stored(session, given)).text != given:  # a name the key holds, as stored
        matching = [value for value in known if value.casefold() == stored.text.casefold()]
        if not matching:
            raise NotFound(f"{message} {given!r}, {NOT_AS_STORED_EITHER}",
                           f"{label}: {', '.join(known)}" if known else f"no {label} yet")
        found_as_stored(session, stored)
    if not matching:
        raise NotFound(f"{message} {given!r}", f"{label}: {', '.join(known)}" if known else f"no {label} yet")
    return matching


def _placeholders(name: str, values: list[str], params: dict[str, Any]) -> str:
    params.update({f"{name}_{number}": value for number, value in enumerate(values)})
    return ", ".join(f":{name}_{number}" for number in range(len(values)))


_VERSIONS = "SELECT tr.current_version_id FROM transcripts tr"
_SPEAKERS = "SELECT p.id FROM participants p"


def _attribute_sql(name: str, number: int) -> str:
    """Who spoke (their participant) or the transcript has the attribute's value; the participant's
    own value wins over the transcript's, as in coding.passages."""
    if name in PARTICIPANT_COLUMNS:
        return f"t.participant_id IN ({_SPEAKERS} WHERE p.{name} = :value_{number})"
    if name in TRANSCRIPT_COLUMNS:
        return f"t.text_version_id IN ({_VERSIONS} WHERE tr.{name} = :value_{number})"
    participants_with = (
        "SELECT pa.participant_id FROM participant_attributes pa JOIN attribute_definitions d ON d.id = pa.definition_id"
        f" WHERE d.name = :attribute_{number}"
    )
    transcripts_with = (
        f"{_VERSIONS} JOIN transcript_attributes ta ON ta.transcript_id = tr.id"
        f" JOIN attribute_definitions d ON d.id = ta.definition_id"
        f" WHERE d.name = :attribute_{number} AND ta.value = :value_{number}"
    )
    return (
        f"(t.participant_id IN ({participants_with} AND pa.value = :value_{number})"
        f" OR ((t.participant_id IS NULL OR t.participant_id NOT IN ({participants_with}))"
        f" AND t.text_version_id IN ({transcripts_with})))"
    )


def _no_attribute_sql(name: str, number: int) -> str:
    """Who spoke (their participant) or the transcript has no value for the attribute, as analysis's
    "(not stated)" column counts them: a participant's attribute for a turn of a participant without
    it (a turn of no one has no one to lack it), a transcript's for a transcript without it; a typed
    attribute when neither the speaker nor the transcript has it."""
    if name in PARTICIPANT_COLUMNS:
        return f"t.participant_id IN ({_SPEAKERS} WHERE p.{name} IS NULL OR p.{name} = '')"
    if name in TRANSCRIPT_COLUMNS:
        return f"t.text_version_id IN ({_VERSIONS} WHERE tr.{name} IS NULL OR tr.{name} = '')"
    participants_with = (
        "SELECT pa.participant_id FROM participant_attributes pa JOIN attribute_definitions d ON d.id = pa.definition_id"
        f" WHERE d.name = :attribute_{number} AND pa.value != ''"
    )
    transcript_has = (
        "EXISTS (SELECT 1 FROM transcripts tr JOIN transcript_attributes ta ON ta.transcript_id = tr.id"
        " JOIN attribute_definitions d ON d.id = ta.definition_id"
        f" WHERE tr.current_version_id = t.text_version_id AND d.name = :attribute_{number} AND ta.value != '')"
    )
    of_participants = (
        f"EXISTS (SELECT 1 FROM attribute_definitions d WHERE d.name = :attribute_{number} AND d.applies_to = 'participant')"
    )
    return (
        f"((t.participant_id IS NULL OR t.participant_id NOT IN ({participants_with}))"
        f" AND NOT {transcript_has}"
        f" AND (t.participant_id IS NOT NULL OR NOT {of_participants}))"
    )


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(span_start <= start and end <= span_end for span_start, span_end in spans)


def _hit_spans(turn_text: str, offset: int, parsed: ParsedQuery) -> list[tuple[int, int]]:
    """Where the query's patterns occur in a turn, as text offsets, first to last.

    Works on plain lists of offsets, words and stems: a search places up to fifty turns, and
    building a Token for every word of each was most of a search's own time."""
    matches = list(WORD.finditer(turn_text))
    written = [match.group().lower() for match in matches]
    stems = stem_words(written) if any(pattern.kind == "stems" for pattern in parsed.patterns) else []
    spans: set[tuple[int, int]] = set()
    # Where each stem and each word stands, so a pattern is tried only where its first word could
    # be: trying every pattern at every word took 24 s for 3,000 words OR'ed over a long turn.
    at_stem: dict[str, list[int]] = {}
    at_word: dict[str, list[int]] = {}
    for index, word_stem in enumerate(stems):
        at_stem.setdefault(word_stem, []).append(index)
    for index, word in enumerate(written):  # every word: a placeholder's are looked for without stems
        at_word.setdefault(word, []).append(index)
    for pattern in parsed.patterns:
        if pattern.kind == "words":  # a placeholder's words, in a row as written
            size = len(pattern.stems)
            for index in at_word.get(pattern.stems[0], ()):
                if tuple(written[index:index + size]) == pattern.stems:
                    spans.add((matches[index].start() + offset, matches[index + size - 1].end() + offset))
            continue
        if pattern.kind != "stems":
            found = [index for index, word in enumerate(written) if pattern.matches_word(word)]
            spans.update((matches[index].start() + offset, matches[index].end() + offset) for index in found)
            continue
        size = len(pattern.stems)
        first = pattern.forms[0] if pattern.forms else (pattern.stems[0],)
        candidates = {index for choice in first for index in at_stem.get(choice, ())}
        candidates.update(index for word in pattern.written for index in at_word.get(word, ()))
        for index in sorted(candidates):
            if pattern.found_at(stems, written, index):
                spans.add((matches[index].start() + offset, matches[index + size - 1].end() + offset))
    return sorted(spans)


def _squash(fragment: str, *, left: bool) -> str:
    """Context on one line: newlines and runs of spaces become single spaces."""
    squashed = " ".join(fragment.split())
    if fragment[:1].isspace() and left is False:
        squashed = " " + squashed
    if fragment[-1:].isspace() and left is True:
        squashed += " "
    return squashed
