"""Agreement's fast paths give what the plain computations give: Krippendorff's alpha from a few rows
equals the `krippendorff` package called on one row per unit, and units counted from touched ranges
equal the units' patterns listed one by one."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.agreement.statistics import Pattern, krippendorff_alpha
from qualcode.agreement.units import range_pattern_counts, touched, unit_patterns


@st.composite
def reliability_data(draw: st.DrawFn) -> list[Pattern]:
    """Units coded by 2-5 coders, with missing values: presence/absence, or up to four categories."""
    coders = draw(st.integers(2, 5))
    categories = draw(st.sampled_from([[0, 1], [1, 2, 3, 4]]))
    value = st.one_of(st.sampled_from(categories), st.none())
    return draw(st.lists(st.tuples(*[value] * coders), min_size=2, max_size=60))


@settings(max_examples=60, deadline=None)
@given(reliability_data(), st.integers(1, 40))
def test_alpha_from_pattern_counts_is_the_packages_alpha_over_every_unit(units: list[Pattern], repeat: int) -> None:
    from krippendorff import alpha

    units = units * repeat  # many units of a few patterns, as by sentence
    figure = krippendorff_alpha(Counter(units))
    rows = np.array([[np.nan if value is None else value for value in unit] for unit in units], dtype=float).T
    pairable = [unit for unit in units if sum(value is not None for value in unit) >= 2]
    assert figure.units == len(pairable)
    if figure.value is None:  # undefined: no unit with two values, or one value given throughout
        assert len({value for unit in pairable for value in unit if value is not None}) < 2
        return
    assert figure.value == pytest.approx(alpha(reliability_data=rows, level_of_measurement="nominal"), rel=1e-9, abs=1e-12)


def test_alpha_of_many_units_in_few_rows_matches_the_plain_call() -> None:
    from krippendorff import alpha

    rng = np.random.default_rng(7)
    data = rng.choice([0.0, 1.0], size=(3, 30_000), p=[0.9, 0.1])
    data[2, :8_000] = np.nan  # a coder who did not code the first transcripts
    patterns = Counter(tuple(None if np.isnan(value) else int(value) for value in unit) for unit in data.T.tolist())
    assert krippendorff_alpha(patterns).value == pytest.approx(alpha(reliability_data=data, level_of_measurement="nominal"),
                                                               rel=1e-9)


@st.composite
def transcripts(draw: st.DrawFn) -> tuple[int, list[tuple[list[int], list[int], list[list[tuple[int, int]] | None]]]]:
    """Transcripts of sorted, non-overlapping units, each with every coder's spans (None: did not code it)."""
    coders = draw(st.integers(2, 4))
    made = []
    for _ in range(draw(st.integers(1, 4))):
        starts, ends, point = [], [], 0
        for _unit in range(draw(st.integers(0, 12))):
            point += draw(st.integers(0, 3))
            starts.append(point)
            point += draw(st.integers(1, 9))
            ends.append(point)
        length = point + 5
        spans: list[list[tuple[int, int]] | None] = []
        for _coder in range(coders):
            if draw(st.booleans()) and draw(st.booleans()):
                spans.append(None)
                continue
            coder_spans = []
            for _span in range(draw(st.integers(0, 4))):
                start = draw(st.integers(0, length - 1))
                coder_spans.append((start, draw(st.integers(start + 1, length))))
            spans.append(sorted(coder_spans))  # may overlap: overlapping ranges count a unit once
        made.append((starts, ends, spans))
    return coders, made


@settings(max_examples=50, deadline=None)
@given(transcripts())
def test_units_counted_from_ranges_are_the_units_patterns_counted(drawn: tuple[int, list[tuple[list[int], list[int], list[list[tuple[int, int]] | None]]]]) -> None:
    coders, made = drawn
    expected: Counter[Pattern] = Counter()
    covers: list[int] = []
    firsts: list[list[int]] = [[] for _ in range(coders)]
    stops: list[list[int]] = [[] for _ in range(coders)]
    offset = 0
    for starts, ends, spans in made:
        # Listed unit by unit, as the disagreement list does.
        patterns, _ = unit_patterns(starts, ends, spans)
        base = tuple(None if coder_spans is None else 0 for coder_spans in spans)
        expected.update(patterns.get(index, base) for index in range(len(starts)))
        covers += [sum(1 << index for index, coder_spans in enumerate(spans) if coder_spans is not None)] * len(starts)
        for coder, coder_spans in enumerate(spans):
            for start, end in coder_spans or ():
                found = touched(starts, ends, start, end)
                firsts[coder].append(found.start + offset)
                stops[coder].append(max(found.start, found.stop) + offset)
        offset += len(starts)
    ranges = [(np.array(first, dtype=np.int64), np.array(stop, dtype=np.int64)) for first, stop in zip(firsts, stops, strict=True)]
    counted = range_pattern_counts(np.array(covers, dtype=np.int64), ranges)
    assert counted == {pattern: count for pattern, count in expected.items() if any(value is not None for value in pattern)}
