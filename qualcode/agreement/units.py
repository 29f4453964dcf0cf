"""Units of agreement from the stored spans: sentences and turns (each coder applied a code to a
unit or not), segments (coders' passages matched by overlap, as MAXQDA does) and characters (per
code point, as QualCoder does).

Spans are (start, end) code-point offsets, end exclusive. A coder's spans of one code in one
transcript are sorted; they may overlap (analysis.passages keeps a participant's passage and the
interviewer's words inside it apart), except for characters, whose spans the service joins first.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qualcode.agreement.statistics import Pattern

if TYPE_CHECKING:  # numpy loads when agreement is computed
    import numpy as np
    from numpy.typing import NDArray

UNITS = ("sentence", "turn", "segment", "character")
Span = tuple[int, int]


def touched(starts: Sequence[int], ends: Sequence[int], start: int, end: int) -> range:
    """The indexes of the units (sorted, not overlapping) that share at least one character with [start, end)."""
    return range(bisect_right(ends, start), bisect_left(starts, end))


def unit_patterns(
    starts: Sequence[int], ends: Sequence[int], spans: Sequence[Sequence[Span] | None],
) -> tuple[dict[int, Pattern], int]:
    """The units at least one coder applied the code to, with their patterns (1 applied, 0 not,
    None for a coder whose value is missing: `spans` is None for them); and how many units that leaves."""
    marked: list[set[int] | None] = []
    for coder_spans in spans:
        if coder_spans is None:
            marked.append(None)
            continue
        indexes: set[int] = set()
        for start, end in coder_spans:
            indexes.update(touched(starts, ends, start, end))
        marked.append(indexes)
    union = set().union(*(found for found in marked if found is not None))
    patterns: dict[int, Pattern] = {
        index: tuple(None if found is None else int(index in found) for found in marked) for index in sorted(union)
    }
    return patterns, len(starts) - len(union)


def unit_pattern_counts(
    starts: Sequence[int], ends: Sequence[int], spans: Sequence[Sequence[Span] | None],
) -> dict[Pattern, int]:
    """How many units have each pattern among those at least one coder applied the code to: what
    `unit_patterns` gives, counted, without a pattern per unit (by `range_pattern_counts`)."""
    import numpy as np

    unit_starts, unit_ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    cover = sum(1 << index for index, coder_spans in enumerate(spans) if coder_spans is not None)
    ranges = [
        touched_ranges(unit_starts, unit_ends, np.asarray([span[0] for span in coder_spans or ()], dtype=np.int64),
                       np.asarray([span[1] for span in coder_spans or ()], dtype=np.int64))
        for coder_spans in spans
    ]
    counts = range_pattern_counts(np.full(len(unit_starts), cover, dtype=np.int64), ranges)
    return {pattern: count for pattern, count in counts.items() if 1 in pattern}


def touched_ranges(
    starts: NDArray[np.int64], ends: NDArray[np.int64], span_starts: NDArray[np.int64], span_ends: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """`touched` for many spans at once: each span's first unit and the unit after its last."""
    import numpy as np

    first = np.searchsorted(ends, span_starts, side="right").astype(np.int64)
    stop = np.searchsorted(starts, span_ends, side="left").astype(np.int64)
    return first, np.maximum(first, stop)


def range_pattern_counts(
    covers: NDArray[np.int64], ranges: Sequence[tuple[NDArray[np.int64], NDArray[np.int64]]],
) -> dict[Pattern, int]:
    """How many units have each pattern, every unit counted: coder i applied the code to the units of
    ranges[i] (first, stop index pairs, which may overlap) and has a value only in the units whose
    `covers` mask has bit i (the others' value is missing).

    Counted by arithmetic over the ranges, never a Python object per unit: a million sentences
    cost a few array passes per coder."""
    import numpy as np

    units, coders = len(covers), len(ranges)
    applied = np.zeros(units, dtype=np.int64)
    for bit, (first, stop) in enumerate(ranges):
        if not len(first):
            continue
        # +1 where a range begins, -1 after it ends: a unit lies in a range where the running sum is positive.
        depth = np.bincount(first, minlength=units + 1)[:units] - np.bincount(stop, minlength=units + 1)[:units]
        applied |= (np.cumsum(depth) > 0).astype(np.int64) << bit
    keys = covers << coders | (applied & covers)
    if coders <= 8:  # at most 65,536 keys: one counting pass
        counted = np.bincount(keys, minlength=1)
        found = np.flatnonzero(counted)
        pairs = zip(found.tolist(), counted[found].tolist(), strict=True)
    else:
        distinct, sizes = np.unique(keys, return_counts=True)
        pairs = zip(distinct.tolist(), sizes.tolist(), strict=True)
    every = (1 << coders) - 1
    return {
        tuple(None if not key >> coders >> index & 1 else key >> index & 1 for index in range(coders)): count
        for key, count in pairs if key >> coders & every
    }


def character_stretches(regions: Sequence[Span], spans: Sequence[Sequence[Span] | None]) -> list[tuple[int, int, Pattern]]:
    """The regions cut where any coder's spans begin or end: (start, end, pattern) for each stretch."""
    cuts: set[int] = set()
    for start, end in regions:
        cuts.update((start, end))
    for coder_spans in spans:
        for start, end in coder_spans or ():
            cuts.update((start, end))
    points = sorted(cuts)
    region_starts = [start for start, _ in regions]
    lists = [None if coder_spans is None else (list(map(_first, coder_spans)), list(map(_second, coder_spans)))
             for coder_spans in spans]
    stretches: list[tuple[int, int, Pattern]] = []
    for left, right in zip(points, points[1:], strict=False):
        region = bisect_right(region_starts, left) - 1
        if region < 0 or left >= regions[region][1]:
            continue
        pattern = tuple(None if found is None else int(_inside(found[0], found[1], left)) for found in lists)
        if stretches and stretches[-1][1] == left and stretches[-1][2] == pattern:
            stretches[-1] = (stretches[-1][0], right, pattern)
        else:
            stretches.append((left, right, pattern))
    return stretches


def _first(span: Span) -> int:
    return span[0]


def _second(span: Span) -> int:
    return span[1]


def _inside(starts: Sequence[int], ends: Sequence[int], point: int) -> bool:
    index = bisect_right(starts, point) - 1
    return index >= 0 and point < ends[index]


def overlap_share(one: Span, other: Span) -> float:
    """How much of the longer of two spans they share: MAXQDA's segment match is this >= --min-overlap."""
    shared = min(one[1], other[1]) - max(one[0], other[0])
    longer = max(one[1] - one[0], other[1] - other[0])
    return shared / longer if shared > 0 and longer > 0 else 0.0


def match_segments(spans: Sequence[Sequence[Span] | None], min_overlap: float) -> list[tuple[Span | None, ...]]:
    """Segments across coders: each of a coder's spans is matched to at most one span of every other
    coder, the one it shares most with if that is at least `min_overlap` of the longer; a group is a
    span and its matches, one place per coder (None where that coder has no matching span), in
    text order.

    Pairs are matched best first, whoever coded them: the groups are the same in whatever order the
    coders are named (built coder by coder, a span joined the first coder's group it matched, and
    the figure depended on how --coders was typed). Two groups join only where every span of the
    one matches every span of the other, so each pair in a group is a match in its own right."""
    placed = sorted((span[0], span[1], coder) for coder, coder_spans in enumerate(spans) for span in coder_spans or ())
    # Every pair of two coders' spans that match: a sweep in text order, each span against those begun before its end.
    pairs: list[tuple[float, int, int, int, int, int, int]] = []
    open_spans: list[tuple[int, int, int, int]] = []  # (end, start, coder, index into placed) still open
    for index, (start, end, coder) in enumerate(placed):
        open_spans = [other for other in open_spans if other[0] > start]
        for other_end, other_start, other_coder, other_index in open_spans:
            if other_coder == coder:
                continue
            share = overlap_share((start, end), (other_start, other_end))
            if share >= min_overlap:
                pairs.append((-share, other_start, other_end, start, end, other_index, index))
        open_spans.append((end, start, coder, index))
    # Best share first; then by place in the text, which does not depend on the coders' order.
    pairs.sort(key=lambda pair: pair[:5])
    group_of = list(range(len(placed)))
    members: dict[int, dict[int, int]] = {index: {placed[index][2]: index} for index in range(len(placed))}
    for _, _, _, _, _, one, other in pairs:
        first, second = group_of[one], group_of[other]
        if first == second or members[first].keys() & members[second].keys():
            continue
        if any(overlap_share(placed[a][:2], placed[b][:2]) < min_overlap
               for a in members[first].values() for b in members[second].values()):
            continue
        members[first].update(members.pop(second))
        for index in members[first].values():
            group_of[index] = first
    groups = []
    for held in members.values():
        group: list[Span | None] = [None] * len(spans)
        for coder, index in held.items():
            group[coder] = placed[index][:2]
        groups.append(tuple(group))
    # In text order: by where a group begins, the longer first.
    return sorted(groups, key=lambda group: (min(span[0] for span in group if span is not None),
                                            -max(span[1] for span in group if span is not None)))
