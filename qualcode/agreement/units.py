"""Units of agreement from the stored spans: sentences and turns (each coder applied a code to a
unit or not), segments (coders' passages matched by overlap, as MAXQDA does) and characters (per
code point, as QualCoder does).

Spans are (start, end) code-point offsets, end exclusive. A coder's spans of one code in one
transcript are sorted and never overlap (analysis.passages merges them into passages).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Sequence

from qualcode.agreement.statistics import Pattern

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
    `unit_patterns` gives, counted, without a pattern per unit (the sets' regions, for a few coders)."""
    marked: list[set[int] | None] = []
    for coder_spans in spans:
        if coder_spans is None:
            marked.append(None)
            continue
        indexes: set[int] = set()
        for start, end in coder_spans:
            indexes.update(touched(starts, ends, start, end))
        marked.append(indexes)
    present = [index for index, found in enumerate(marked) if found is not None]
    if len(present) > 6:  # 2^n regions: counting unit by unit is cheaper for many coders
        counts: dict[Pattern, int] = {}
        for pattern in unit_patterns(starts, ends, spans)[0].values():
            counts[pattern] = counts.get(pattern, 0) + 1
        return counts
    sets = {index: marked[index] or set() for index in present}
    counts = {}
    for mask in range(1, 1 << len(present)):
        inside = [sets[index] for bit, index in enumerate(present) if mask >> bit & 1]
        outside = [sets[index] for bit, index in enumerate(present) if not mask >> bit & 1]
        region = set.intersection(*inside).difference(*outside) if outside else set.intersection(*inside)
        if region:
            chosen = {index for bit, index in enumerate(present) if mask >> bit & 1}
            counts[tuple(None if found is None else int(index in chosen) for index, found in enumerate(marked))] = len(region)
    return counts


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
    span and its matches, one place per coder (None where that coder has no matching span).

    Groups are built coder by coder: a later coder's span joins the group whose first span it
    matches best, else starts a group of its own."""
    groups: list[list[Span | None]] = []
    anchors: list[tuple[int, int, int]] = []  # each group's first span and its index, by start
    longest = 0
    for coder, coder_spans in enumerate(spans):
        opened: list[tuple[int, int, int]] = []
        for span in coder_spans or ():
            best, best_share = -1, 0.0
            # Only a group whose first span overlaps this one can match: those starting before its end,
            # back to the longest span's length before its start.
            index = bisect_left(anchors, (span[1],)) - 1
            while index >= 0 and anchors[index][0] > span[0] - longest:
                start, end, number = anchors[index]
                index -= 1
                if groups[number][coder] is not None:
                    continue
                share = overlap_share((start, end), span)
                if share >= min_overlap and share > best_share:
                    best, best_share = number, share
            if best >= 0:
                groups[best][coder] = span
            else:
                group: list[Span | None] = [None] * len(spans)
                group[coder] = span
                opened.append((span[0], span[1], len(groups)))
                groups.append(group)
        for anchor in opened:  # the coder's own spans never match each other
            insort(anchors, anchor)
            longest = max(longest, anchor[1] - anchor[0])
    return [tuple(group) for group in groups]
