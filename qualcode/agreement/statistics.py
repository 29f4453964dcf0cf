"""Agreement statistics over units coded by several coders: percent agreement, Cohen's kappa,
Fleiss' kappa and Krippendorff's alpha (nominal, with missing values).

Every statistic reads a histogram of patterns: a pattern is one unit's values, one per coder in a
fixed order, None where that coder's value is missing; the histogram counts the units of each
pattern. Millions of character units then cost no more than their few distinct patterns.
A statistic that is undefined for the data (no units to rest on, or no variation for chance to
act on) is a Figure with value None and the reason, never NaN.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

Pattern = tuple[Hashable | None, ...]

# Why a statistic is undefined, in the terminal's English; qualcode.agreement.wording puts each into bokmål.
NO_TWO_VALUES = "no unit has values from two coders"
NO_BOTH_VALUES = "no unit has values from both coders"
NO_EVERY_VALUE = "no unit has values from every coder"
BOTH_SAME = "both coders gave every unit the same value, so chance agreement is total"
EVERY_SAME = "every coder gave every unit the same value, so chance agreement is total"
NO_VARIATION = "every value given is the same, so there is no variation to agree on"


@dataclass(frozen=True)
class Figure:
    """A statistic, the number of units it rests on, and why it is undefined when `value` is None."""

    value: float | None
    units: int
    reason: str = ""

    def text(self, percent: bool = False) -> str:
        if self.value is None:
            return "n/a"
        return f"{self.value:.1f}%" if percent else f"{self.value:.3f}"


def _present(pattern: Pattern) -> list[Hashable]:
    return [value for value in pattern if value is not None]


def percent_agreement(patterns: Mapping[Pattern, int]) -> Figure:
    """The share (in %) of units with at least two values on which every coder with a value agrees."""
    units = agreed = 0
    for pattern, count in patterns.items():
        values = _present(pattern)
        if len(values) >= 2:
            units += count
            if all(value == values[0] for value in values):
                agreed += count
    if not units:
        return Figure(None, 0, NO_TWO_VALUES)
    return Figure(100.0 * agreed / units, units)


def cohen_kappa(patterns: Mapping[Pattern, int]) -> Figure:
    """Cohen's kappa of two coders over the units both gave a value."""
    table: Counter[tuple[Hashable, Hashable]] = Counter()
    for pattern, count in patterns.items():
        if len(pattern) != 2:
            raise ValueError("Cohen's kappa is for two coders")
        first, second = pattern
        if first is not None and second is not None:
            table[first, second] += count
    units = sum(table.values())
    if not units:
        return Figure(None, 0, NO_BOTH_VALUES)
    first_marginal: Counter[Hashable] = Counter()
    second_marginal: Counter[Hashable] = Counter()
    for (first, second), count in table.items():
        first_marginal[first] += count
        second_marginal[second] += count
    observed = sum(count for (first, second), count in table.items() if first == second) / units
    expected = sum(first_marginal[value] * second_marginal[value] for value in first_marginal) / units / units
    if expected >= 1.0:
        return Figure(None, units, BOTH_SAME)
    return Figure((observed - expected) / (1.0 - expected), units)


def fleiss_kappa(patterns: Mapping[Pattern, int]) -> Figure:
    """Fleiss' kappa over the units every coder gave a value (Fleiss 1971)."""
    raters = 0
    units = 0
    agreement_sum = 0.0
    totals: Counter[Hashable] = Counter()
    for pattern, count in patterns.items():
        raters = len(pattern)
        if any(value is None for value in pattern):
            continue
        per_value = Counter(pattern)
        units += count
        agreement_sum += count * (sum(n * n for n in per_value.values()) - raters) / (raters * (raters - 1))
        for value, n in per_value.items():
            totals[value] += n * count
    if not units:  # a code with no unit in the selection (none at all: no pattern says how many coders)
        return Figure(None, 0, NO_EVERY_VALUE)
    if raters < 2:
        raise ValueError("Fleiss' kappa needs at least two coders")
    observed = agreement_sum / units
    expected = sum((n / (units * raters)) ** 2 for n in totals.values())
    if expected >= 1.0:
        return Figure(None, units, EVERY_SAME)
    return Figure((observed - expected) / (1.0 - expected), units)


def krippendorff_alpha(patterns: Mapping[Pattern, int]) -> Figure:
    """Krippendorff's alpha for nominal values with missing values, by the `krippendorff` package,
    over the pairable units (those with at least two values)."""
    import numpy as np  # with krippendorff, only when agreement is computed
    from krippendorff import alpha

    pairable = {pattern: count for pattern, count in patterns.items() if len(_present(pattern)) >= 2}
    units = sum(pairable.values())
    if not units:
        return Figure(None, 0, NO_TWO_VALUES)
    values = sorted({value for pattern in pairable for value in _present(pattern)}, key=repr)
    if len(values) < 2:
        return Figure(None, units, NO_VARIATION)
    column = {value: index for index, value in enumerate(values)}
    rows, counts = [], []
    unanimous = np.zeros(len(values), dtype=np.int64)
    for pattern, count in pairable.items():
        present = _present(pattern)
        if all(value == present[0] for value in present):
            unanimous[column[present[0]]] += len(present) * count
            continue
        row = [0] * len(values)
        for value in present:
            row[column[value]] += 1
        rows.append(row)
        counts.append(count)
    # The package weighs every unit alike and takes no weights, so a unit where coders differ is a row
    # of its own, repeated. A unit where its m values are all v adds m to the coincidence of v with
    # v and nothing else, whatever m is: all such units of value v are one row holding their values'
    # sum, which gives the package the same coincidence matrix (so the same alpha) from a few rows
    # instead of one per unit (a million sentences).
    value_counts = np.concatenate([
        np.repeat(np.array(rows, dtype=np.int64).reshape(-1, len(values)), counts, axis=0),
        np.diag(unanimous)[unanimous > 0],
    ])
    return Figure(float(alpha(value_counts=value_counts, level_of_measurement="nominal")), units)


def swap(patterns: Mapping[Pattern, int], order: tuple[int, ...]) -> Counter[Pattern]:
    """The histogram with the coders in another order (`order` lists the old positions)."""
    return Counter({tuple(pattern[index] for index in order): count for pattern, count in patterns.items()})
