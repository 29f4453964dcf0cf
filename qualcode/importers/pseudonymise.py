"""Pseudonymising a parsed document before anything of it reaches the project."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from qualcode.anonymise.apply import Replacement, pseudonymise
from qualcode.anonymise.candidates import Proposal, propose
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.known import KnownMatcher
from qualcode.anonymise.service import ignored_words
from qualcode.importers.document import ParsedDocument, TurnSpan

# Metadata that is free text and may name someone.
FREE_TEXT_META = ("title", "name")


@dataclass
class PseudonymisedDocument:
    document: ParsedDocument
    meta: dict[str, Any]
    replacements: list[Replacement]
    proposals: list[Proposal]
    original_text: str


def pseudonymise_document(
    document: ParsedDocument, meta: dict[str, Any], key: PseudonymKey, where: str, vocabulary: set[str]
) -> PseudonymisedDocument:
    """Replace known and pattern identifiers in text, speaker labels and titles; propose the rest."""
    result = pseudonymise(document.text, key, where)
    matcher = KnownMatcher(key)
    turns = [
        TurnSpan(
            _label(span.speaker, matcher, key, where),
            result.map_offset(span.start),
            result.map_offset(span.end, is_end=True),
            span.timestamp_ms,
        )
        for span in document.turns
    ]
    clean_meta = dict(meta)
    for field in FREE_TEXT_META:
        if isinstance(clean_meta.get(field), str):
            clean_meta[field] = pseudonymise(clean_meta[field], key, where).text
    replaced = [(r.start, r.end) for r in result.replacements]
    proposals = [
        proposal
        for proposal in propose(
            document.text, ignored_words(key), vocabulary, {span.speaker for span in document.turns if span.speaker},
            {span.start for span in document.turns},
        )
        if not any(start < proposal.end and proposal.start < end for start, end in replaced)
        and key.entry_for(proposal.text) is None
    ]
    return PseudonymisedDocument(
        document=replace(document, text=result.text, turns=turns),
        meta=clean_meta,
        replacements=result.replacements,
        proposals=proposals,
        original_text=document.text,
    )


def _label(speaker: str | None, matcher: KnownMatcher, key: PseudonymKey, where: str) -> str | None:
    if speaker is None:
        return None
    return pseudonymise(speaker, key, where).text if matcher.find(speaker) else speaker
