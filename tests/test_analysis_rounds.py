"""Rounds and small groups: a code that appears or disappears between rounds, and the matrix columns
of so few people that a count or a percentage points at one of them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.compare import compare, comparison_tables
from qualcode.analysis.tables import table_data
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


def test_compare_names_who_it_leaves_out_with_one_round_only(session: Session, tmp_path: Path) -> None:
    """A field trial: a participant interviewed in one round only (a dropout after T1, someone who joined at
    T3) was in no part of the comparison, and nothing said so."""
    rounds(session, tmp_path)
    interview(session, tmp_path, "D9", "T3", ())  # joined at T3, nothing coded
    comparison = compare(session, QuoteFilter(), "wave", "empowerment")
    waves: dict[str, set[str]] = {}
    for name, wave in session.execute(
        select(Participant.name, Transcript.wave).join(TranscriptParticipant, TranscriptParticipant.participant_id == Participant.id)
        .join(Transcript, TranscriptParticipant.transcript_id == Transcript.id)
    ):
        waves.setdefault(name, set()).add(wave or "")
    assert set(comparison.in_one) == {name for name, seen in waves.items() if len(seen) == 1} == {"L1", "D9"}
    assert comparison.in_one == ("D9", "L1")
    _, listing = comparison_tables(comparison)
    assert "Left out (one wave only): 2 participants (D9, L1)." in listing.caption
    assert table_data(listing)["only_one_value"] == ["D9", "L1"]
    # In a selection where everyone has several rounds, nothing is said.
    chosen = compare(session, QuoteFilter(participants=("D1", "V1")), "wave", "empowerment")
    assert chosen.in_one == () and "Left out" not in comparison_tables(chosen)[1].caption
    assert table_data(comparison_tables(chosen)[1])["only_one_value"] == []


def test_compare_by_coder_lists_everyone_two_coders_coded(session: Session, tmp_path: Path) -> None:
    """By coder, "0 participants have more than one coder" was said of participants two coders had coded:
    coders are no attribute of the people, so every participant seemed to have one value, "(not stated)"."""
    rounds(session, tmp_path)
    other = get_or_create_coder(session, "Forsker 2")
    add_coding(session, "intervju_D1_T1", "brukermedvirkning", other, match=SAYS["brukermedvirkning"])
    add_coding(session, "intervju_V1_T1", "empowerment", other, match=SAYS["empowerment"])
    comparison = compare(session, QuoteFilter(), "coder", "empowerment")
    assert set(comparison.in_several) == {"D1", "V1"}
    spread = {change.participant: [(value, len(found)) for value, found in change.by_value] for change in comparison.participants}
    # Forsker 2 coded D1, but not under empowerment: a 0, the disagreement looked for.
    assert spread == {"D1": [("Forsker 1", 2), ("Forsker 2", 0)], "V1": [("Forsker 1", 1), ("Forsker 2", 1)]}
    _, listing = comparison_tables(comparison)
    assert "2 of the 2 participants with more than one coder have passages of empowerment" in listing.caption


# --- columns of few people ---------------------------------------------------------------------------------
def small_groups(session: Session, tmp_path: Path) -> None:
    """Seven deltakere in T1 (one of them in T2 too), one leder, one veileder, one without a role; a typed
    attribute, kommune, that one deltaker has alone and three lack."""
    from qualcode.store.models import AttributeDefinition, ParticipantAttribute

    people = {f"D{n}": "deltaker" for n in range(1, 8)} | {"L1": "leder", "V1": "veileder", "X1": None}
    for person in people:
        interview(session, tmp_path, person, "T1", ("empowerment",) if person != "L1" else ("brukermedvirkning",))
    interview(session, tmp_path, "D1", "T2", ("empowerment", "brukermedvirkning"))
    kommune = AttributeDefinition(name="kommune", applies_to="participant", value_type="text")
    session.add(kommune)
    session.flush()
    for person in session.scalars(select(Participant)):
        person.role = people[person.name]
        value = "øst" if person.name == "D1" else None if person.name in {"V1", "X1", "L1"} else "vest"
        if value is not None:
            session.add(ParticipantAttribute(participant_id=person.id, definition_id=kommune.id, value=value))
    session.flush()


def test_a_matrix_warns_of_columns_of_few_people_and_shows_them_no_percentages(session: Session, tmp_path: Path) -> None:
    from qualcode.analysis.matrix import code_matrix, matrix_table
    from qualcode.anonymise.attribution import SMALL_GROUP

    small_groups(session, tmp_path)
    # Independently: how many people each role has, from the participants linked to the transcripts.
    per_role: dict[str, set[str]] = {}
    for name, role in session.execute(
        select(Participant.name, Participant.role).join(TranscriptParticipant, TranscriptParticipant.participant_id == Participant.id)
    ):
        per_role.setdefault(role or "(not stated)", set()).add(name)
    few = {role for role, names in per_role.items() if len(names) <= SMALL_GROUP}
    assert few == {"leder", "veileder", "(not stated)"} and len(per_role["deltaker"]) == 7

    table = matrix_table(code_matrix(session, QuoteFilter(), ["role"]), "column")
    row = next(row for row in table.rows if row.key == "empowerment")
    by_column = {column.label: cell for column, cell in zip(table.columns, row.cells, strict=False)}
    assert {label for label, cell in by_column.items() if cell.withheld} == few
    assert all(cell.percent is None and cell.text().endswith("(*)") for label, cell in by_column.items() if label in few)
    assert by_column["deltaker"].text() == "8 (89%)"  # 8 of the column's 9 passages (D1's brukermedvirkning too)
    (warning,) = table.warnings
    assert warning.startswith("Codes × role (passages): 'leder' (1 participant), 'veileder' (1 participant), '(not stated)' (1 participant)")
    assert "'deltaker'" not in warning and "counts without percentages (*)" in table.caption

    crossed = matrix_table(code_matrix(session, QuoteFilter(), ["role", "wave"]))
    assert "'deltaker / T2' (1 participant)" in crossed.warnings[0] and "'deltaker / T1'" not in crossed.warnings[0]
    typed = matrix_table(code_matrix(session, QuoteFilter(), ["kommune"]), language="nb")
    assert "'øst' (1 participant)" in typed.warnings[0] and "'(not stated)' (3 participants)" in typed.warnings[0]
    assert "Kolonner med 5 eller færre informanter (øst, (ikke oppgitt)) kan peke ut enkeltpersoner." in typed.caption
    # A coder's column is what the coder coded, not a group of people.
    assert matrix_table(code_matrix(session, QuoteFilter(), ["coder"])).warnings == ()


def test_a_table_without_sub_codes_does_not_say_it_merges_them(session: Session, tmp_path: Path) -> None:
    from qualcode.analysis.frequencies import code_frequencies, frequencies_table
    from qualcode.analysis.matrix import code_matrix, matrix_table
    from qualcode.analysis.rules import OWN_ONLY, ROLLUP

    rounds(session, tmp_path)
    only = QuoteFilter(codes=("empowerment",), include_subcodes=False)
    for table in (matrix_table(code_matrix(session, only, ["wave"])), frequencies_table(code_frequencies(session, only))):
        assert "(without sub-codes)" in table.caption and OWN_ONLY in table.caption and ROLLUP not in table.caption
    nb = matrix_table(code_matrix(session, only, ["wave"]), language="nb").caption
    assert "(uten underkoder)" in nb and "Underkodene er utelatt" in nb and "underkodenes kodinger slått sammen" not in nb
    whole = matrix_table(code_matrix(session, QuoteFilter(codes=("empowerment",)), ["wave"])).caption
    assert ROLLUP in whole and OWN_ONLY not in whole
