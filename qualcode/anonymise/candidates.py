"""Words that may be identifiers nobody listed yet, proposed by spaCy rules for review.

A candidate is a run of capitalised words that does not start a sentence, is not a Norwegian
function word, is not an acronym such as NAV or KVP, and is not codebook vocabulary or a word
the project already decided about. Speaker labels that are not roles ("Sissel:") count too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from qualcode.text.speakers import ROLE_LABELS

if TYPE_CHECKING:
    from spacy.matcher import Matcher


@dataclass(frozen=True)
class Proposal:
    text: str
    start: int
    end: int
    context: str


@lru_cache(maxsize=1)
def _matcher() -> Matcher:
    from spacy.matcher import Matcher

    from qualcode.text.sentences import pipeline

    matcher = Matcher(pipeline().vocab)
    matcher.add("CAPITALISED_RUN", [[{"IS_TITLE": True, "IS_STOP": False, "OP": "+"}]], greedy="LONGEST")
    return matcher


def propose(
    text: str, known: Iterable[str], vocabulary: Iterable[str], speakers: Iterable[str] = (),
    turn_starts: Iterable[int] = (), context: int = 30,
) -> list[Proposal]:
    """Possible identifiers in `text` that are neither in `known` nor in `vocabulary`.

    The first word of a speaker turn starts a sentence, whatever marker came before it.
    """
    starts = set(turn_starts)
    from qualcode.text.sentences import parsed

    ignored = {word.casefold() for word in known} | {word.casefold() for word in vocabulary}
    proposals: dict[str, Proposal] = {}
    for base, doc in parsed(text):
        for _, start, end in sorted(_matcher()(doc), key=lambda m: m[1]):
            span = doc[start:end]
            # Drop a sentence-initial word, which is capitalised for grammar, not as a name.
            while len(span) and (
                span[0].is_sent_start or base + span[0].idx in starts or _after_line_start(text, base + span[0].idx)
            ):
                span = span[1:]
            words = [token.text for token in span if not (token.is_upper and len(token.text) <= 5)]
            if not words or len(span) == 0:
                continue
            phrase = " ".join(words)
            if phrase.casefold() in ignored or all(word.casefold() in ignored for word in words):
                continue
            if phrase not in proposals:
                begin, finish = base + span.start_char, base + span.end_char
                proposals[phrase] = Proposal(phrase, begin, finish, _context(text, begin, finish, context))
    for speaker in speakers:
        if speaker.split(" ")[0].casefold().rstrip(".") in ROLE_LABELS or speaker.casefold() in ignored:
            continue
        coded = speaker.isupper() and len(speaker) <= 5  # "DELT", "INT": transcriber's codes, not names
        if coded or not speaker[:1].isupper() or any(ch.isdigit() for ch in speaker) or speaker in proposals:
            continue
        position = text.find(speaker)
        proposals[speaker] = Proposal(speaker, position, position + len(speaker), _context(text, position, position + len(speaker), context))
    return list(proposals.values())


def _after_line_start(text: str, index: int) -> bool:
    """Whether only a speaker marker or nothing stands between the line start and `index`."""
    line_start = text.rfind("\n", 0, index) + 1
    before = text[line_start:index].strip()
    return before == "" or before.endswith((":", ")", "]"))


def _context(text: str, start: int, end: int, width: int) -> str:
    return " ".join(text[max(0, start - width):min(len(text), end + width)].split())
