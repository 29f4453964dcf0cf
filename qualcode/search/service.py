"""Running a search: FTS5 finds the turns, then each hit is counted, and the first placed in their context."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from qualcode.codebook.service import code_subtree_ids, find_code
from qualcode.errors import SearchSyntaxError
from qualcode.search.query import ParsedQuery, Pattern, parse_query
from qualcode.store.lookup import find_participant, find_transcript
from qualcode.text.tokens import Token, stem_words, tokenise


@dataclass(frozen=True)
class SearchFilters:
    """Narrow a search to a code (with sub-codes), a speaker role, a wave, a participant, a transcript,
    and participant or transcript attributes (NAME, VALUE pairs as `coding.passages.check_selection` returns them).
    """

    code: str | None = None
    role: str | None = None
    wave: str | None = None
    participant: str | None = None
    transcript: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()


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


@dataclass(frozen=True)
class Compounds:
    """Hits a one-word search leaves out because the word lies inside compounds, and how to find them."""

    word: str
    hits: int
    words: tuple[str, ...]

    @property
    def query(self) -> str:
        return f"*{self.word}*"

    def __str__(self) -> str:
        shown = ", ".join(self.words[:SHOWN_COMPOUNDS]) + (", …" if len(self.words) > SHOWN_COMPOUNDS else "")
        return f"also {self.hits:,} in compounds: {shown} — search {self.query}"


@dataclass
class SearchResult:
    """The hits shown, and how many there are in all: `hits_found` counts every hit (a word or phrase
    found), shown or not, after every filter; `turns_matched` the turns holding them."""

    query: str
    hits_found: int = 0
    turns_matched: int = 0
    hits: list[Hit] = field(default_factory=list)
    truncated: bool = False
    compounds: Compounds | None = None

    @property
    def summary(self) -> str:
        """The count in words: "12 hits", or "50 of 1,204 hits shown"."""
        if self.truncated:
            return f"{len(self.hits):,} of {self.hits_found:,} hits shown"
        return f"{self.hits_found:,} hit" + ("" if self.hits_found == 1 else "s")


SHOWN_COMPOUNDS = 5
# A wildcard that stands for more words than this is refused: the search would be slow and the
# hits mostly noise.
MOST_WILDCARD_WORDS = 2_000
# The other part of a compound has at least this many letters, so "typisk" is no compound of "pisk".
COMPOUND_PART = 3
PARTICIPANT_COLUMNS = ("role", "gender", "age_band", "office")
TRANSCRIPT_COLUMNS = ("wave", "fidelity")
_ROWS = (
    "SELECT t.seq, t.start, t.end, t.speaker, t.text_version_id, tr.name, tr.wave, p.name, p.role, s.stems, s.words"
    " FROM search_index s"
    " JOIN turns t ON t.id = s.rowid"
    " JOIN transcripts tr ON tr.current_version_id = t.text_version_id"
    " LEFT JOIN participants p ON p.id = t.participant_id"
    " WHERE search_index MATCH :match"
)


def search(
    session: Session, query: str, filters: SearchFilters | None = None, *, limit: int = 50, context: int = 40
) -> SearchResult:
    """Hits for `query` in the current text of every transcript, in transcript and text order.

    Every hit is counted; the first `limit` are placed in their context. A search for one word also
    counts the hits inside compounds that it leaves out (`compounds`).
    """
    filters = filters or SearchFilters()
    parsed = parse_query(query)
    where, params = _filter_sql(session, filters)
    texts = _Texts(session, filters)
    expression = parsed.resolve([wildcard_words(session, pattern) for pattern in parsed.wildcards])
    result = SearchResult(query=query)
    for row in _rows(session, query, expression, where, params):
        seq, start, end, speaker, version_id, name, wave, participant, role, stems, words = row
        if filters.code or len(result.hits) < limit:
            full_text = texts.text(version_id)
            spans = [span for span in _hit_spans(full_text[start:end], start, parsed) if texts.coded(version_id, span)]
            for hit_start, hit_end in spans[:max(0, limit - len(result.hits))]:
                result.hits.append(
                    Hit(
                        transcript=name, speaker=speaker, participant=participant, role=role, wave=wave,
                        turn=seq, line=full_text.count("\n", 0, hit_start) + 1, start=hit_start, end=hit_end,
                        left=_squash(full_text[max(start, hit_start - context):hit_start], left=True),
                        keyword=full_text[hit_start:hit_end],
                        right=_squash(full_text[hit_end:min(end, hit_end + context)], left=False),
                    )
                )
            found = len(spans)
        else:
            # Past the hits shown, a turn's hits are counted in its indexed words, not its text.
            found = _count_in_terms(stems, words, parsed.patterns)
        result.hits_found += found
        result.turns_matched += found > 0
    result.truncated = result.hits_found > len(result.hits)
    result.compounds = _compounds(session, query, parsed, where, params, texts)
    return result


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


def _rows(session: Session, query: str, expression: str, where: list[str], params: dict[str, Any]) -> list[Any]:
    sql = _ROWS + "".join(f" AND {clause}" for clause in where) + " ORDER BY tr.name, t.seq"
    try:
        return list(session.execute(text(sql), {**params, "match": expression}).all())
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
                    ),
                    {"version": version_id},
                )
            ]
        return _inside(self.spans[version_id], *span)


def _count_in_terms(stems: str, words: str, patterns: tuple[Pattern, ...]) -> int:
    """How many hits a turn holds, from its indexed stems and words (the same tokens as its text)."""
    if len(patterns) == 1 and patterns[0].kind == "stems" and len(patterns[0].stems) == 1:
        return stems.split().count(patterns[0].stems[0])  # the common case, at C speed
    stem_list, word_list = stems.split(), words.split()
    spans: set[tuple[int, int]] = set()
    for pattern in patterns:
        if pattern.kind == "stems":
            size = len(pattern.stems)
            spans.update(
                (index, index + size) for index, stem in enumerate(stem_list)
                if stem == pattern.stems[0] and tuple(stem_list[index:index + size]) == pattern.stems
            )
        else:
            spans.update((index, index + 1) for index, word in enumerate(word_list) if pattern.matches_word(word))
    return len(spans)


def _compounds(
    session: Session, query: str, parsed: ParsedQuery, where: list[str], params: dict[str, Any], texts: _Texts
) -> Compounds | None:
    """For a one-word query, the hits inside compounds (brukermedvirkning for medvirkning) it leaves out."""
    if parsed.word is None or len(parsed.word) < COMPOUND_PART:
        return None
    try:
        candidates = wildcard_words(session, Pattern((parsed.word,), "infix"))
    except SearchSyntaxError:
        return None  # a word inside thousands of others is no compound's part worth a hint
    own_stem = parsed.patterns[0].stems[0]
    compounds = {
        word for word, word_stem in zip(candidates, stem_words(candidates), strict=True)
        if word_stem != own_stem and _holds_as_part(word, parsed.word)
    }
    if not compounds:
        return None
    counts: Counter[str] = Counter()
    expression = "words : (" + " OR ".join(f'"{word}"' for word in sorted(compounds)) + ")"
    for row in _rows(session, query, expression, where, params):
        start, end, version_id, words = row[1], row[2], row[4], row[10]
        if texts.code_ids is None:
            counts.update(word for word in words.split() if word in compounds)
            continue
        for token in tokenise(texts.text(version_id)[start:end], start):
            if token.text.lower() in compounds and texts.coded(version_id, (token.start, token.end)):
                counts[token.text.lower()] += 1
    if not counts:
        return None
    ordered = sorted(counts, key=lambda word: (-counts[word], word))
    return Compounds(word=parsed.word, hits=sum(counts.values()), words=tuple(ordered))


def _holds_as_part(word: str, part: str) -> bool:
    """Whether `part` lies in `word` beside at least COMPOUND_PART other letters."""
    position = word.find(part)
    while position >= 0:
        if position >= COMPOUND_PART or len(word) - position - len(part) >= COMPOUND_PART:
            return True
        position = word.find(part, position + 1)
    return False


def _filter_sql(session: Session, filters: SearchFilters) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if filters.transcript:
        where.append("tr.id = :transcript_id")
        params["transcript_id"] = find_transcript(session, filters.transcript).id
    if filters.participant:
        where.append("t.participant_id = :participant_id")
        params["participant_id"] = find_participant(session, filters.participant).id
    if filters.role:
        where.append("lower(p.role) = lower(:role)")
        params["role"] = filters.role
    if filters.wave:
        where.append("lower(tr.wave) = lower(:wave)")
        params["wave"] = filters.wave
    if filters.code:
        ids = code_subtree_ids(session, find_code(session, filters.code))
        where.append(
            "EXISTS (SELECT 1 FROM codings c WHERE c.text_version_id = t.text_version_id"
            f" AND c.code_id IN ({','.join(str(i) for i in ids)}) AND c.removed_at IS NULL"
            " AND c.start < t.end AND c.end > t.start)"
        )
    for number, (name, value) in enumerate(filters.attributes):
        params[f"attribute_{number}"], params[f"value_{number}"] = name, value
        where.append(_attribute_sql(name, number))
    return where, params


def _attribute_sql(name: str, number: int) -> str:
    """Who spoke (their participant) or the transcript has the attribute's value; the participant's
    own value wins over the transcript's, as in coding.passages."""
    if name in PARTICIPANT_COLUMNS:
        return f"p.{name} = :value_{number}"
    if name in TRANSCRIPT_COLUMNS:
        return f"tr.{name} = :value_{number}"
    participant_has = (
        "EXISTS (SELECT 1 FROM participant_attributes pa JOIN attribute_definitions d ON d.id = pa.definition_id"
        f" WHERE pa.participant_id = p.id AND d.name = :attribute_{number}{{value}})"
    )
    transcript_has = (
        "EXISTS (SELECT 1 FROM transcript_attributes ta JOIN attribute_definitions d ON d.id = ta.definition_id"
        f" WHERE ta.transcript_id = tr.id AND d.name = :attribute_{number} AND ta.value = :value_{number})"
    )
    return (
        f"({participant_has.format(value=f' AND pa.value = :value_{number}')}"
        f" OR (NOT {participant_has.format(value='')} AND {transcript_has}))"
    )


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(span_start <= start and end <= span_end for span_start, span_end in spans)


def _hit_spans(turn_text: str, offset: int, parsed: ParsedQuery) -> list[tuple[int, int]]:
    """Where the query's patterns occur in a turn, as text offsets, first to last."""
    tokens = tokenise(turn_text, offset)
    spans = set()
    for pattern in parsed.patterns:
        spans.update(_pattern_spans(tokens, pattern))
    return sorted(spans)


def _pattern_spans(tokens: list[Token], pattern: Pattern) -> list[tuple[int, int]]:
    size = len(pattern.stems)
    found = []
    for index in range(len(tokens) - size + 1):
        if pattern.kind != "stems":
            if pattern.matches_word(tokens[index].text.lower()):
                found.append((tokens[index].start, tokens[index].end))
        elif all(tokens[index + k].stem == pattern.stems[k] for k in range(size)):
            found.append((tokens[index].start, tokens[index + size - 1].end))
    return found


def _squash(fragment: str, *, left: bool) -> str:
    """Context on one line: newlines and runs of spaces become single spaces."""
    squashed = " ".join(fragment.split())
    if fragment[:1].isspace() and left is False:
        squashed = " " + squashed
    if fragment[-1:].isspace() and left is True:
        squashed += " "
    return squashed
