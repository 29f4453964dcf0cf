"""Rounds and small groups: a code that appears or disappears between rounds, and the matrix columns
of so few people that a count or a percentage points at one of them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.compare import compare, comparison_tables
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.passages import QuoteFilter
from qualcode.coding.service import add_coding
from qualcode.store.models import Participant, Transcript, TranscriptParticipant
from tests.conftest import make_transcript

SAYS = {"empowerment": "Jeg mestrer mer nå.", "brukermedvirkning": "Jeg fikk bestemme selv."}


def interview(session: Session, directory: Path, person: str, wave: str, codes: tuple[str, ...]) -> None:
    """One interview of `person` in `wave`, its answers coded with `codes`."""
    text = (f"---\nparticipant: {person}\nwave: {wave}\n---\nI: Hvordan går det?\n"
            f"{person}: {' '.join(SAYS.values())} Ellers er alt som i {wave}.\n")
    name = f"intervju_{person}_{wave}"
    make_transcript(session, directory, text, name=name)
    coder = get_or_create_coder(session, "Forsker 1")
    for code in codes:
        add_coding(session, name, code, coder, match=SAYS[code])


def rounds(session: Session, tmp_path: Path) -> None:
    """D1 in three rounds, the code gone in the last; D3 the code in the first of two; V1 only in the
    last; D2 in two rounds without it; L1 in one round."""
    plan = {
        ("D1", "T1"): ("empowerment",), ("D1", "T2"): ("empowerment",), ("D1", "T3"): ("brukermedvirkning",),
        ("D3", "T2"): ("empowerment",), ("D3", "T3"): (),
        ("V1", "T1"): ("brukermedvirkning",), ("V1", "T3"): ("empowerment",),
        ("D2", "T1"): ("brukermedvirkning",), ("D2", "T2"): (),
        ("L1", "T2"): ("empowerment",),
    }
    for (person, wave), codes in plan.items():
        interview(session, tmp_path, person, wave, codes)


def test_compare_lists_everyone_in_several_rounds_with_0_where_the_code_is_missing(session: Session, tmp_path: Path) -> None:
    rounds(session, tmp_path)
    comparison = compare(session, QuoteFilter(), "wave", "empowerment")
    # Independently: each participant's rounds from the transcripts they are in.
    waves: dict[str, set[str]] = {}
    for name, wave in session.execute(
        select(Participant.name, Transcript.wave).join(TranscriptParticipant, TranscriptParticipant.participant_id == Participant.id)
        .join(Transcript, TranscriptParticipant.transcript_id == Transcript.id)
    ):
        waves.setdefault(name, set()).add(wave or "")
    assert set(comparison.in_several) == {name for name, seen in waves.items() if len(seen) > 1} == {"D1", "D2", "D3", "V1"}
    spread = {change.participant: [(value, len(found)) for value, found in change.by_value] for change in comparison.participants}
    assert spread == {
        "D1": [("T1", 1), ("T2", 1), ("T3", 0)], "D3": [("T2", 1), ("T3", 0)], "V1": [("T1", 0), ("T3", 1)],
    }
    assert comparison.without_passages == ("D2",)
    _, listing = comparison_tables(comparison)
    heads = [row.label for row in listing.rows if row.level == 0]
    assert heads == ["D1 (no role) — T1: 1, T2: 1, T3: 0", "D3 (no role) — T2: 1, T3: 0", "V1 (no role) — T1: 0, T3: 1"]
    assert "3 of the 4 participants with more than one wave have passages of empowerment" in listing.caption
    assert "no passages of empowerment: D2." in listing.caption
