"""Parsing search queries: words, "phrases", prefix*, *suffix, *infix*, AND, OR, NOT and parentheses.

Words are stemmed with the Norwegian Snowball stemmer, so "medvirkningen" finds
"medvirkning", and matched on whole words, so "pisk" never finds "typisk". Snowball takes one
ending off a word, and a base form can lose one more than its inflections do ("veileder" ->
"veiled", "veilederen" -> "veileder"), and it leaves the definite plural of a noun in -er with
an -n ("veilederne" -> "veiledern"). So a word also finds the words stemmed to the word itself
or, for a word in -er, to the word and an n; a definite plural in -erne finds what its base form
in -er finds; and a one-word search finds the word its stem is written as ("kurset" -> "kurs"
finds "kurs", whose own stem is "kur"). A wildcard is
matched against the words as written, so `kurs*` finds every word that starts with "kurs"
("kurs", "kurset", "kursing") even where the stem is shorter than the prefix ("kurs" -> "kur"),
`*medvirkning` every word that ends with it ("brukermedvirkning") and `*medvirkning*` every word
that holds it ("medvirkningsarena"): Norwegian writes compounds as one word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product
from typing import NamedTuple

from qualcode.errors import SearchSyntaxError
from qualcode.text.normalise import shortened
from qualcode.text.tokens import WORD, stem_words

_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"|(?P<stray>")|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+)')
# What a wildcard's words are looked up in the vocabulary with: a placeholder in the FTS expression.
_WILDCARD = re.compile(r"@(\d+)@")
# A phrase written as the key's placeholders are, "(sted)" or "(NAV-kontor)": the placeholder itself.
PLACEHOLDER = re.compile(r"\([^()]+\)")
KINDS = ("stems", "prefix", "suffix", "infix")
OPERATORS = ("AND", "OR", "NOT")
# A phrase is searched for in every combination of its words' stems up to this many; beyond it, by
# the words' own stems alone.
MOST_PHRASE_FORMS = 32
# How deep parentheses may nest: each level costs the parser three Python frames, and this stays far
# below the interpreter's recursion limit wherever the parser is called from.
MAX_DEPTH = 100


@dataclass(frozen=True)
class Pattern:
    """A sequence of stems to find in a row, or, for a wildcard, one lower-cased piece of a word as written.

    `kind` is "stems", or where the piece must lie in a word: "prefix" (kurs*), "suffix" (*medvirkning)
    or "infix" (*medvirkning*); "any" holds whole words, any of which is found; "words" holds words
    found in a row as written, as a placeholder is ("(sted)": never "stedet" by the stem of "sted").
    """

    stems: tuple[str, ...]
    kind: str = "stems"
    # For "stems": for each word, the stems a word found there may have (its own stem first);
    # empty means its own stem only.
    forms: tuple[tuple[str, ...], ...] = ()
    # For one word: the words as written it finds whatever their own stems.
    written: tuple[str, ...] = ()

    @property
    def piece(self) -> str:
        return self.stems[0]

    def fts(self) -> str:
        """This pattern of stems as an FTS5 expression over the index's `stems` and `words` columns."""
        phrases = [" ".join(stems) for stems in product(*self.forms)] if self.forms else [" ".join(self.stems)]
        expression = 'stems : "' + phrases[0] + '"' if len(phrases) == 1 else (
            "stems : (" + " OR ".join(f'"{phrase}"' for phrase in phrases) + ")"
        )
        if not self.written:
            return expression
        words = " OR ".join(f'"{word}"' for word in self.written)
        return f"({expression} OR words : ({words}))"

    def found_at(self, stems: Sequence[str], written: Sequence[str], index: int) -> bool:
        """Whether this pattern of stems is found at `index` of a text's words: their stems, and
        the words lower-cased as written."""
        if written[index] in self.written:
            return True
        forms = self.forms or tuple((word_stem,) for word_stem in self.stems)
        return index + len(forms) <= len(stems) and all(
            stems[index + offset] in choices for offset, choices in enumerate(forms)
        )

    def matches_word(self, word: str) -> bool:
        """Whether a lower-cased word as written is one this wildcard finds."""
        if self.kind == "prefix":
            return word.startswith(self.piece)
        if self.kind == "suffix":
            return word.endswith(self.piece)
        if self.kind in ("any", "words"):
            return word in self.stems
        return self.piece in word


@dataclass(frozen=True)
class ParsedQuery:
    """An FTS5 expression over the index (stems, and words as written), and the patterns to highlight.

    A wildcard at the start of a word stands in `fts` as a placeholder (@N@, N its place in
    `wildcards`) until `resolve` is given the words it stands for.
    """

    fts: str
    patterns: tuple[Pattern, ...]
    wildcards: tuple[Pattern, ...] = ()
    word: str | None = None  # the word, lower-cased, when the query is one word and nothing else

    def resolve(self, words: Sequence[Sequence[str]]) -> str:
        """The FTS5 expression with each wildcard replaced by the indexed words it matches (`words[N]`)."""
        def alternatives(match: re.Match[str]) -> str:
            found = words[int(match.group(1))]
            # An empty phrase matches no row, and nothing under NOT.
            return "words : (" + " OR ".join(f'"{word}"' for word in found) + ")" if found else 'words : ""'

        return _WILDCARD.sub(alternatives, self.fts)


def parse_query(query: str) -> ParsedQuery:
    tokens = _lex(query)
    if not tokens:
        raise SearchSyntaxError("the search query is empty", 'try a word, a "phrase", or a AND b')
    parser = _Parser(tokens, query)
    expression = parser.or_expression()
    if parser.position < len(tokens):
        raise SearchSyntaxError(f"unexpected {tokens[parser.position][1]!r} in query {quoted_query(query)}", "check the parentheses")
    patterns = tuple(dict.fromkeys(parser.patterns))
    one_word = len(tokens) == 1 and len(patterns) == 1 and patterns[0].kind == "stems" and len(patterns[0].stems) == 1
    return ParsedQuery(
        fts=expression, patterns=patterns, wildcards=tuple(parser.wildcards),
        word=WORD.search(tokens[0][1]).group().lower() if one_word else None,  # type: ignore[union-attr]
    )


# How much of a query an error quotes: a pasted paragraph quoted whole hid what was wrong at its end.
QUOTED_QUERY = 80


def quoted_query(query: str) -> str:
    """A query as an error message quotes it, a long one cut short."""
    return repr(shortened(query, QUOTED_QUERY))


def query_as_stored(query: str, replaced: Sequence[tuple[str, str]]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """`query` with the identifiers in it (`replaced`: as typed, as stored, in the order the key found
    them) put as the texts hold them, its syntax kept, and those of `replaced` it put so. A word or
    phrase naming someone the key holds is searched as their pseudonym, the operators, parentheses and
    wildcards around it as typed: "Hilde OR planen" is "<her pseudonym> OR planen", not a search for
    "planen" alone. Words replaced by what is not plain words (a placeholder: "NAV Horten" is stored as
    "(NAV-kontor)") are searched as a phrase of it; an identifier the syntax cannot hold so (across an
    operator, or a placeholder in a wildcard) is left as typed."""
    tokens = [(match.lastgroup or "", match.start(), match.end()) for match in _TOKEN.finditer(query)]
    found: list[_Named] = []
    position = 0
    for typed, stored in replaced:
        start = query.find(typed, position) if typed else -1
        if start < 0:
            continue
        position = end = start + len(typed)
        covered = [index for index, (_, token_start, token_end) in enumerate(tokens) if token_start < end and start < token_end]
        kinds = {tokens[index][0] for index in covered}
        words = kinds == {"word"} and not any(query[tokens[index][1]:tokens[index][2]] in OPERATORS for index in covered)
        in_phrase = kinds == {"phrase"} and len(covered) == 1 and tokens[covered[0]][1] < start and end < tokens[covered[0]][2]
        if words or in_phrase:
            found.append(_Named(covered[0], covered[-1], start, end, typed, stored))
    parts: list[str] = []
    applied: list[tuple[str, str]] = []
    done = 0
    for group in _sharing_tokens(found):
        kind, first, last = tokens[group[0].first][0], tokens[group[0].first][1], tokens[max(one.last for one in group)][2]
        written = query[first:last]
        for one in reversed(group):
            written = written[:one.start - first] + one.stored + written[one.end - first:]
        if kind == "word" and not _plain_words(written):
            # A placeholder's parentheses would group: searched as a phrase of its words, as it is written.
            written = f'"{written}"' if "*" not in written and '"' not in written else query[first:last]
        elif kind == "phrase" and '"' in written[1:-1]:
            written = query[first:last]
        if written != query[first:last]:
            applied += [(one.typed, one.stored) for one in group]
        parts += [query[done:first], written]
        done = last
    return "".join([*parts, query[done:]]), tuple(applied)


class _Named(NamedTuple):
    """An identifier found in a query: the tokens it lies in, where it is, as typed and as stored."""

    first: int
    last: int
    start: int
    end: int
    typed: str
    stored: str


def _sharing_tokens(found: list[_Named]) -> list[list[_Named]]:
    """The identifiers found, grouped where they share a token: each group rewrites its tokens once."""
    groups: list[list[_Named]] = []
    for one in found:
        if groups and one.first <= max(other.last for other in groups[-1]):
            groups[-1].append(one)
        else:
            groups.append([one])
    return groups


def _plain_words(text: str) -> bool:
    """Whether `text` reads as words alone in a query: no parenthesis, quotation mark or operator."""
    return all(match.lastgroup == "word" and match.group() not in OPERATORS for match in _TOKEN.finditer(text))


def _lex(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(query):
        if match.group("phrase") is not None:
            tokens.append(("phrase", match.group("phrase")))
        elif match.group("stray"):
            rest = query[match.end():]
            raise SearchSyntaxError(
                f'query {quoted_query(query)} opens a phrase with " but never closes it',
                f'end the phrase with another ": {query[:match.start()]}"{rest.strip()}"'
                if rest.strip() else 'a phrase is words between two ", as in "bli hørt"',
            )
        elif match.group("open"):
            tokens.append(("open", "("))
        elif match.group("close"):
            tokens.append(("close", ")"))
        else:
            word = match.group("word")
            tokens.append(("op", word) if word in OPERATORS else ("word", word))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], query: str) -> None:
        self.tokens = tokens
        self.query = query
        self.shown = quoted_query(query)
        self.position = 0
        self.patterns: list[Pattern] = []
        self.wildcards: list[Pattern] = []
        self.negated = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def or_expression(self) -> str:
        parts = [self.and_expression()]
        while self.peek() == ("op", "OR"):
            self.position += 1
            parts.append(self.and_expression())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def and_expression(self) -> str:
        positives: list[str] = []
        negatives: list[str] = []
        while True:
            token = self.peek()
            if token is None or token == ("op", "OR") or token[0] == "close":
                break
            if token == ("op", "AND"):
                self.position += 1
                after = self.peek()
                # AND joins two searches: at either end of one ("ja AND", "AND ja") it joins nothing.
                if not (positives or negatives) or after is None or after in (("op", "OR"), ("op", "AND")) or after[0] == "close":
                    raise self.one_sided()
                continue
            if token == ("op", "NOT"):
                self.position += 1
                self.negated += 1
                negatives.append(self.primary())
                self.negated -= 1
                continue
            positives.append(self.primary())
        if not positives:
            if negatives:
                raise SearchSyntaxError(
                    f"query {self.shown} has nothing to search for before NOT",
                    "NOT excludes from something, as in måltall NOT kvote",
                )
            raise self.one_sided()
        expression = positives[0] if len(positives) == 1 else "(" + " AND ".join(positives) + ")"
        for negative in negatives:
            expression = f"({expression} NOT {negative})"
        return expression

    def one_sided(self) -> SearchSyntaxError:
        token = self.peek()
        after_an_operator = self.position > 0 and self.tokens[self.position - 1][0] == "op"
        if not after_an_operator and (token is not None and token[0] == "close" or token is None and self.depth):
            # "()" or "((": brackets round nothing, or left open, said as such, not as an AND or OR
            return SearchSyntaxError(f"query {self.shown} has a parenthesis with nothing to search for inside"
                                     if token is not None else f"query {self.shown} has an unclosed parenthesis",
                                     "brackets group searches, as in (måltall OR kvote) AND press")
        return SearchSyntaxError(
            f"query {self.shown} has nothing to search for on one side of AND or OR",
            'AND and OR go between two searches, as in måltall OR kvote; to find the word itself, quote it: "and"',
        )

    def primary(self) -> str:
        token = self.peek()
        if token is None:
            raise SearchSyntaxError(f"query {self.shown} ends where a word was expected",
                                    "end it with the word to search for, as in måltall NOT kvote")
        kind, value = token
        self.position += 1
        if kind == "open":
            if self.depth == MAX_DEPTH:
                raise SearchSyntaxError(f"the query nests parentheses more than {MAX_DEPTH} deep",
                                        "simplify it: a search needs only a few levels, as in (a OR b) AND c")
            self.depth += 1
            inner = self.or_expression()
            self.depth -= 1
            if self.peek() is None or self.peek()[0] != "close":  # type: ignore[index]
                raise SearchSyntaxError(f"query {self.shown} has an unclosed parenthesis",
                                        "close each ( with a ), as in (måltall OR kvote) AND press")
            self.position += 1
            return inner
        if kind == "close":
            raise SearchSyntaxError(f"query {self.shown} has an unmatched ')'",
                                    "open it with a (, or leave it out, as in (måltall OR kvote) AND press")
        if kind == "op":
            raise SearchSyntaxError(f"{value} in query {self.shown} needs a word on each side",
                                    f'as in måltall {value} kvote; to find the word itself, quote it: "{value.lower()}"')
        return self.pattern(value, wildcard=kind == "word")

    def pattern(self, text: str, wildcard: bool) -> str:
        words = [match.group() for match in WORD.finditer(text)]
        if not words:
            raise SearchSyntaxError(f"{text!r} in query {self.shown} has no letters or digits to search for",
                                    "leave it out: a search finds words (a * goes on one, as in kurs*)")
        kind = _wildcard_kind(text) if wildcard and len(words) == 1 else "stems"
        if wildcard and "*" in text.strip("*"):
            raise SearchSyntaxError(
                f"{text!r} in query {self.shown} has a * inside the word",
                "a * goes at the start or end of a word: medvirk*, *medvirkning, *medvirkning*",
            )
        if "*" in text and kind == "stems":  # a * no search would honour: said, never dropped unsaid
            raise SearchSyntaxError(
                f"the * in {text!r} in query {self.shown} would be ignored: "
                + ('a "phrase" matches its words by their stems' if not wildcard else f"{text} is {len(words)} words"),
                "put a * on one word outside quotes, as in " + " AND ".join(
                    f"{word}*" if index == len(words) - 1 else word for index, word in enumerate(words)
                ),
            )
        if not wildcard and PLACEHOLDER.fullmatch(text):
            # A placeholder the key stores ("(sted)", "(NAV-kontor)"): its words as written, in a row.
            kind = "words"
        pattern = (stems_pattern(words) if kind == "stems" else Pattern(tuple(word.lower() for word in words), kind)
                   if kind == "words" else Pattern((words[0].lower(),), kind))
        if not self.negated:
            self.patterns.append(pattern)
        if kind == "stems":
            return pattern.fts()
        if kind == "words":
            return 'words : "' + " ".join(pattern.stems) + '"'

        if kind == "prefix":
            return f'words : "{pattern.piece}" *'
        self.wildcards.append(pattern)
        return f"@{len(self.wildcards) - 1}@"


def _wildcard_kind(text: str) -> str:
    leading, trailing = text.startswith("*"), text.endswith("*") and len(text) > 1
    if leading and trailing and len(text) > 2:
        return "infix"
    if leading:
        return "suffix"
    return "prefix" if trailing else "stems"


def stems_pattern(words: Sequence[str]) -> Pattern:
    """Words to find in a row by their stems and the other stems that find them (see the module's
    docstring); a phrase with too many combinations of these, by its own stems only."""
    stems = stem_words(list(words))
    found = [_found_by(word, word_stem) for word, word_stem in zip(words, stems, strict=True)]
    forms = tuple(found_stems for found_stems, _ in found)
    combinations = 1
    for choices in forms:
        combinations *= len(choices)
    if combinations == 1 or combinations > MOST_PHRASE_FORMS:
        forms = ()
    return Pattern(tuple(stems), forms=forms, written=found[0][1] if len(words) == 1 else ())


def _found_by(word: str, word_stem: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The stems of the words `word` finds, its own first, and the words as written it finds
    whatever their stems."""
    lowered = word.lower()
    stems, written = [word_stem, lowered], [word_stem]
    for ending in ("erne", "ernes"):
        base = lowered[:-len(ending)] + "er"  # veilederne: veileder, veilederen, veiledere
        # Only where the base is a noun in -er as Snowball sees one (it takes the -er off): not
        # "gjerne" for "gjer", or "stjerne" for "stjer".
        if lowered.endswith(ending) and len(lowered) > len(ending) + 1 and stem_words([base])[0] != base:
            stems.append(base)
            written.append(base)
    # A noun in -er: its definite plural is stemmed with an n (veilederne -> veiledern); not a word
    # Snowball leaves as it is ("gjer", "der", "over"), whose +n is another word's stem.
    stems += [form + "n" for form, form_stem in zip(stems, stem_words(stems), strict=True) if form.endswith("er") and form_stem != form]
    stems = list(dict.fromkeys(stems))
    # Only the words as written that their stems leave out (kurs, stemmed kur, for kurset).
    written = [form for form, form_stem in zip(written, stem_words(written), strict=True) if form_stem not in stems]
    return tuple(stems), tuple(dict.fromkeys(written))
