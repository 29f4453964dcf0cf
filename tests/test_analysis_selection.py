"""Passages and matrices under each export filter (wave, transcript, participant, attribute) against
the brute force of test_analysis_counts: these filters read fewer transcripts' rows than a whole
project does, so they take their own path through analysis/passages.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.matrix import code_matrix
from qualcode.analysis.passages import passages, population
from qualcode.analysis.rules import NO_INFORMANT
from qualcode.coding.passages import QuoteFilter
from qualcode.errors import NotFound
from qualcode.store.models import Participant, ParticipantAttribute, Transcript
from qualcode.store.project import Project
from tests.conftest import EMPTY_SELECTION
from tests.test_analysis_counts import Rollback, brute_force, build, counted, projects


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("selection") / "project"
    shutil.copytree(migrated_template, root)
    with Project.open(root) as opened:
        yield opened


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=projects(), data=st.data())
def test_filtered_counts_match_the_brute_force(project: Project, plan: dict[str, object], data: st.DataObject) -> None:
    salt = str(data.draw(st.integers(0, 10**9)))
    try:
        with project.begin() as session:
            build(session, plan, salt)
            check_filtered(session, data)
            raise Rollback
    except Rollback:
        pass


def check_filtered(session: Session, data: st.DataObject) -> None:
    transcripts = sorted(session.scalars(select(Transcript.name)))
    waves = sorted({wave for wave in session.scalars(select(Transcript.wave)) if wave})
    people = sorted(session.scalars(select(Participant.name)))
    barn = sorted(set(session.scalars(select(ParticipantAttribute.value))))
    choices = [QuoteFilter(transcripts=(data.draw(st.sampled_from(transcripts)),)),
               QuoteFilter(participants=(data.draw(st.sampled_from(people)),))]
    if barn:
        choices.append(QuoteFilter(attributes=(("barn", data.draw(st.sampled_from(barn))),)))
    if waves:
        choices.append(QuoteFilter(waves=(data.draw(st.sampled_from(waves)),)))
    selection = data.draw(st.sampled_from(choices))
    runs = brute_force(session, selection)
    found = passages(session, selection)
    assert sorted((p.code_path, p.coder, p.transcript, p.start, p.end, frozenset(p.coding_ids), p.participant) for p in found) == sorted(
        (r.code, r.coder, r.transcript, r.start, r.end, r.coding_ids, r.participant) for r in runs)
    if not runs:
        with pytest.raises(NotFound, match=EMPTY_SELECTION):
            code_matrix(session, selection, ["role"])
        return
    by = data.draw(st.sampled_from([["role"], ["wave"], ["participant"], ["office", "wave"]]))
    matrix = code_matrix(session, selection, by)
    for row in matrix.rows:
        mine = [run for run in runs if run.code == row.path]
        assert row.counts == tuple(
            counted([run for run in mine if tuple(run.value(name) for name in by) == column.values], "passages")
            for column in matrix.columns), row.path
    # Column sizes count the population within the same filters.
    units = population(session, selection)
    for column in matrix.columns:
        inside = [unit for unit in units if tuple(unit.value(name) for name in by) == column.values]
        transcripts = {unit.transcript for unit in inside}
        if NO_INFORMANT in column.values:  # and the transcripts of passages counted for no informant
            transcripts |= {run.transcript for run in runs if tuple(run.value(name) for name in by) == column.values}
        assert column.transcripts == len(transcripts)
        assert column.participants == len({unit.participant for unit in inside if unit.participant is not None})
