"""Parsing search queries: words, "phrases", prefix*, AND, OR, NOT and parentheses.

Words are stemmed with the Norwegian Snowball stemmer, so "medvirkningen" finds
"medvirkning", and matched on whole words, so "pisk" never finds "typisk". A prefix is
matched against the words as written, so `kurs*` finds every word that starts with "kurs"
("kurs", "kurset", "kursing") even where the stem is shorter than the prefix ("kurs" -> "kur").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualcode.errors import SearchSyntaxError
from qualcode.text.tokens import WORD, stem_words

_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+)')


@dataclass(frozen=True)
class Pattern:
    """A sequence of stems to find in a row; a prefix pattern has one lower-cased word prefix."""

    stems: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        if self.prefix:
            return f'words : "{self.stems[0]}" *'
        return 'stems : "' + " ".join(self.stems) + '"'


@dataclass(frozen=True)
class ParsedQuery:
    """An FTS5 expression over the index (stems, and words as written), and the patterns to highlight."""

    fts: str
    patterns: tuple[Pattern, ...]


def parse_query(query: str) -> ParsedQuery:
    tokens = _lex(query)
    if not tokens:
        raise SearchSyntaxError("the search query is empty", 'try a word, a "phrase", or a AND b')
    parser = _Parser(tokens, query)
    expression = parser.or_expression()
    if parser.position < len(tokens):
        raise SearchSyntaxError(f"unexpected {tokens[parser.position][1]!r} in query {query!r}", "check the parentheses")
    return ParsedQuery(fts=expression, patterns=tuple(dict.fromkeys(parser.patterns)))


def _lex(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(query):
        if match.group("phrase") is not None:
            tokens.append(("phrase", match.group("phrase")))
        elif match.group("open"):
            tokens.append(("open", "("))
        elif match.group("close"):
            tokens.append(("close", ")"))
        else:
            word = match.group("word")
            tokens.append(("op", word) if word in ("AND", "OR", "NOT") else ("word", word))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], query: str) -> None:
        self.tokens = tokens
        self.query = query
        self.position = 0
        self.patterns: list[Pattern] = []
        self.negated = 0

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
                continue
            if token == ("op", "NOT"):
                self.position += 1
                self.negated += 1
                negatives.append(self.primary())
                self.negated -= 1
                continue
            positives.append(self.primary())
        if not positives:
            raise SearchSyntaxError(
                f"query {self.query!r} has nothing to search for" + (" before NOT" if negatives else ""),
                "NOT excludes from something, as in måltall NOT kvote",
            )
        expression = positives[0] if len(positives) == 1 else "(" + " AND ".join(positives) + ")"
        for negative in negatives:
            expression = f"({expression} NOT {negative})"
        return expression

    def primary(self) -> str:
        token = self.peek()
        if token is None:
            raise SearchSyntaxError(f"query {self.query!r} ends where a word was expected")
        kind, value = token
        self.position += 1
        if kind == "open":
            inner = self.or_expression()
            if self.peek() is None or self.peek()[0] != "close":  # type: ignore[index]
                raise SearchSyntaxError(f"query {self.query!r} has an unclosed parenthesis")
            self.position += 1
            return inner
        if kind == "close":
            raise SearchSyntaxError(f"query {self.query!r} has an unmatched ')'")
        if kind == "op":
            raise SearchSyntaxError(f"{value} in query {self.query!r} needs a word on each side")
        return self.pattern(value, prefix=kind == "word" and value.endswith("*") and len(value) > 1)

    def pattern(self, text: str, prefix: bool) -> str:
        words = [match.group() for match in WORD.finditer(text)]
        if not words:
            raise SearchSyntaxError(f"{text!r} in query {self.query!r} has no letters or digits to search for")
        if prefix and len(words) == 1:
            pattern = Pattern((words[0].lower(),), prefix=True)
        else:
            pattern = Pattern(tuple(stem_words(words)))
        if not self.negated:
            self.patterns.append(pattern)
        return pattern.fts()
