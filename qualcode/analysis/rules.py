"""The counting rules every analysis table follows, in the words its caption and the README use.

Public: PASSAGE, OVERLAP, CODERS, ROLLUP, ATTRIBUTION, WORDS, NONE, RULES, caption().
"""

from __future__ import annotations

PASSAGE = "A passage is a stretch of a transcript's current text that one coder gave one code."
OVERLAP = (
    "Overlapping or touching codings of one code by one coder in one transcript, attributed to one participant,"
    " are one passage."
)
CODERS = "Two coders' codings of the same stretch count once per coder; --coder chooses coders."
ROLLUP = (
    "A code counts its own and its sub-codes' codings merged, so a stretch coded with both counts once;"
    " sub-codes are listed beneath it with their own counts."
)
ATTRIBUTION = (
    "A coding belongs to the participant (and their attributes) of the turn it starts in;"
    " filters choose codings before they are merged."
)
WORDS = "Words coded are the whitespace-separated words of the passages' text."
# The column of passages, participants or transcripts that have no value for an attribute.
NONE = "(none)"

RULES = (PASSAGE, OVERLAP, CODERS, ROLLUP, ATTRIBUTION, WORDS)


def caption(*extra: str) -> str:
    """The counting rules, after what is particular to one table (what a cell counts, the filters)."""
    return " ".join([*(text for text in extra if text), *RULES])
