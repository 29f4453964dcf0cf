"""Re-anchoring codings in a new text version, and the codings that could not be placed."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.codebook.service import code_subtree_ids, find_code
from qualcode.coding.coders import find_coder
from qualcode.store.lookup import LineIndex, find_transcript
from qualcode.store.models import Code, Coder, Coding, Transcript
from qualcode.text.tokens import WHOLE_WORD

# Characters of the old text either side of an excerpt that help find it again when it changed.
CONTEXT = 40
# How alike (0-100) a changed passage must be to its excerpt to carry the coding.
FUZZY_SCORE = 85.0
CONTEXT_SCORE = 70.0
# How many words a passage needs to be known by its words alone, where both texts hold them once: "Nei."
# or "Det stemmer." said once may be said anew by someone else in a rewritten text.
UNIQUE_PASSAGE_WORDS = 4


@dataclass(frozen=True)
class Anchor:
    """Where a coding goes in the new text, and how it was found: exact or fuzzy."""

    start: int
    end: int
    how: str


class LineMap:
    """Offsets of an old text in a new one, by the lines the two share; also how many lines changed."""

    def __init__(self, old: str, new: str) -> None:
        old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
        self.old_starts = _starts(old_lines)
        self.new_starts = _starts(new_lines)
        self.blocks = _line_blocks(old_lines, new_lines)
        self.block_starts = [block[1] for block in self.blocks]
        self.changed_lines = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in self.blocks if tag != "equal")

    def changed_in_new(self) -> list[tuple[int, int]]:
        """The new text's changed lines, as 1-based (first, last) runs; a run the new text lost
        is the line where it was."""
        last = max(1, len(self.new_starts) - 1)  # lines lost at the end are at the new text's last line
        return [(min(j1 + 1, last), min(max(j1 + 1, j2), last)) for tag, _i1, _i2, j1, j2 in self.blocks if tag != "equal"]

    def line_of(self, offset: int) -> int:
        return max(0, bisect_right(self.old_starts, offset) - 1)

    def new_range(self, start: int, end: int) -> tuple[int, int] | None:
        """Offsets in the new text of what became of the old lines holding start..end; None if the
        new text has nothing in their stead (they were deleted). Not a line more on either side:
        those lines are unchanged, so like words there are another passage's (an interviewer's
        "Ja." on the next line took the coding of an answer's "Ja." changed to "Nei.")."""
        first, last = self.line_of(start), self.line_of(max(start, end - 1))
        lines: list[int] = []
        for tag, i1, i2, j1, j2 in self.blocks:
            if i2 <= first or i1 > last:
                continue
            if tag == "equal":
                lines += [j1 + max(first, i1) - i1, j1 + min(last, i2 - 1) - i1]
            elif j2 > j1:
                lines += [j1, j2 - 1]
        if not lines:
            return None
        low, high = min(lines), min(len(self.new_starts) - 1, max(lines) + 1)
        return self.new_starts[low], self.new_starts[high]

    def unchanged_in_old(self, offset: int) -> int | None:
        """The old offset of a new one on a line both texts hold unchanged; None on a changed line."""
        line = max(0, bisect_right(self.new_starts, offset) - 1)
        for tag, i1, _i2, j1, j2 in self.blocks:
            if tag == "equal" and j1 <= line < j2:
                return self.old_starts[i1 + line - j1] + offset - self.new_starts[line]
        return None

    def __call__(self, offset: int) -> tuple[int, bool]:
        """The new offset for an old one, and whether its line is unchanged (so the offset is exact)."""
        if not self.blocks:
            return 0, False
        line = self.line_of(offset)
        index = max(0, bisect_right(self.block_starts, line) - 1)
        tag, i1, i2, j1, _j2 = self.blocks[index]
        if tag == "equal" and i1 <= line < i2:
            new_line = j1 + line - i1
            return self.new_starts[new_line] + offset - self.old_starts[line], True
        # In a changed block, the same distance from the block's start, within the block.
        new_start, new_end = self.new_starts[min(j1, len(self.new_starts) - 1)], self.new_starts[min(_j2, len(self.new_starts) - 1)]
        return min(new_start + offset - self.old_starts[min(i1, len(self.old_starts) - 1)], max(new_start, new_end - 1)), False


def _line_blocks(old_lines: list[str], new_lines: list[str]) -> list[tuple[str, int, int, int, int]]:
    """The lines two texts share, as difflib's opcodes: equal runs, and between two of them one
    replace, delete or insert. As many lines as their longest common subsequence holds (rapidfuzz's
    Indel, bit-parallel), and of the alignments that long, the one difflib's longest runs gave, found
    through lines said once (as patience diff finds them): the plain subsequence kept blank lines and
    "Ja." over an answer, so a paragraph moved with a name replaced in it was orphaned. difflib took
    155 s for a 530 KB transcript whose 900 changed lines lay among lines said many times over."""
    blocks: list[tuple[str, int, int, int, int]] = []
    old_at = new_at = 0

    def changed_up_to(old_end: int, new_end: int) -> None:
        if old_at < old_end or new_at < new_end:
            tag = "replace" if old_at < old_end and new_at < new_end else "delete" if old_at < old_end else "insert"
            blocks.append((tag, old_at, old_end, new_at, new_end))

    for i1, i2, j1, j2 in _equal_runs(_shared_lines(old_lines, new_lines)):
        changed_up_to(i1, j1)
        blocks.append(("equal", i1, i2, j1, j2))
        old_at, new_at = i2, j2
    changed_up_to(len(old_lines), len(new_lines))
    return blocks


def _shared_lines(old_lines: list[str], new_lines: list[str]) -> list[tuple[int, int]]:
    """(old, new) indices of the lines the two texts keep, in order: as many as their longest common
    subsequence holds, and of the alignments that long, one that keeps the longest runs through lines
    said once, as difflib's did. In each stretch between two kept runs: the ends both share, then
    the runs through lines said once on either side, if as many lines are kept with them as without;
    else the lines' longest common subsequence."""
    shared: list[tuple[int, int]] = []
    stretches = [(0, len(old_lines), 0, len(new_lines))]
    while stretches:
        a1, a2, b1, b2 = stretches.pop()
        while a1 < a2 and b1 < b2 and old_lines[a1] == new_lines[b1]:
            shared.append((a1, b1))
            a1, b1 = a1 + 1, b1 + 1
        while a1 < a2 and b1 < b2 and old_lines[a2 - 1] == new_lines[b2 - 1]:
            a2, b2 = a2 - 1, b2 - 1
            shared.append((a2, b2))
        if a1 == a2 or b1 == b2:
            continue
        runs = _runs_through_unique_lines(old_lines, new_lines, a1, a2, b1, b2)
        between = [(i2, next_i1, j2, next_j1) for (_i1, i2, _j1, j2), (next_i1, _next_i2, next_j1, _next_j2)
                   in zip([(a1, a1, b1, b1), *runs], [*runs, (a2, a2, b2, b2)], strict=True) if i2 < next_i1 and j2 < next_j1]
        # Lines said once that moved can hold more lines in their place than they are ("Ja." said
        # around a question and an answer that swapped places): then the longest subsequence is taken.
        if runs and sum(i2 - i1 for i1, i2, _j1, _j2 in runs) + sum(_kept(old_lines, new_lines, *stretch) for stretch in between) == _kept(
                old_lines, new_lines, a1, a2, b1, b2):
            shared += [(i1 + k, j1 + k) for i1, i2, j1, _j2 in runs for k in range(i2 - i1)]
            stretches += between
            continue
        shared += [(a1 + step.src_start + k, b1 + step.dest_start + k)
                   for step in Indel.opcodes(old_lines[a1:a2], new_lines[b1:b2]) if step.tag == "equal"
                   for k in range(step.src_end - step.src_start)]
    return sorted(shared)


def _kept(old_lines: list[str], new_lines: list[str], a1: int, a2: int, b1: int, b2: int) -> int:
    """How many lines the longest common subsequence of old_lines[a1:a2] and new_lines[b1:b2] holds."""
    return (a2 - a1 + b2 - b1 - Indel.distance(old_lines[a1:a2], new_lines[b1:b2])) // 2


def _runs_through_unique_lines(old_lines: list[str], new_lines: list[str], a1: int, a2: int, b1: int, b2: int) -> list[tuple[int, int, int, int]]:
    """Runs (i1, i2, j1, j2) of lines alike in old_lines[a1:a2] and new_lines[b1:b2], each through a
    line said once in both: the longest first, then each that keeps the order of those taken, the
    earlier of two as long first, as difflib takes them (two lines swapped: the first stays)."""
    once_old: dict[str, int | None] = {}
    for i in range(a1, a2):
        once_old[old_lines[i]] = None if old_lines[i] in once_old else i
    once_new: dict[str, int | None] = {}
    for j in range(b1, b2):
        line = new_lines[j]
        if once_old.get(line) is not None:
            once_new[line] = None if line in once_new else j
    found: list[tuple[int, int, int, int]] = []
    run_ends: dict[int, int] = {}  # for each diagonal (i - j), where the last run found on it ends
    pairs = sorted((old_at, new_at) for line, new_at in once_new.items()
                   if new_at is not None and (old_at := once_old[line]) is not None)
    for i, j in pairs:
        if run_ends.get(i - j, -1) > i:
            continue  # within a run already found
        i1, j1 = i, j
        while i1 > a1 and j1 > b1 and old_lines[i1 - 1] == new_lines[j1 - 1]:
            i1, j1 = i1 - 1, j1 - 1
        i2, j2 = i + 1, j + 1
        while i2 < a2 and j2 < b2 and old_lines[i2] == new_lines[j2]:
            i2, j2 = i2 + 1, j2 + 1
        run_ends[i - j] = i2
        found.append((i1, i2, j1, j2))
    # A line alone between two changes is taken only in a stretch with no longer run, where lines
    # said more than once in the text may be said once too: there, of an answer and a "Mm." that
    # swapped places, the earlier stays, as in difflib, and the answer is found by its context
    # (a "Mm." has none to be found by).
    if any(i2 - i1 > 1 for i1, i2, _j1, _j2 in found):
        found = [run for run in found if run[1] - run[0] > 1]
    taken: list[tuple[int, int, int, int]] = []  # in order
    for run in sorted(found, key=lambda run: (run[0] - run[1], run[0])):  # the longest, then the earliest
        at = bisect_left(taken, run)
        if (at == 0 or taken[at - 1][1] <= run[0] and taken[at - 1][3] <= run[2]) and (
                at == len(taken) or run[1] <= taken[at][0] and run[3] <= taken[at][2]):
            taken.insert(at, run)
    return taken


def _equal_runs(shared: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Matched lines, in order, as runs (i1, i2, j1, j2) of lines matched one after another."""
    runs: list[tuple[int, int, int, int]] = []
    for i, j in shared:
        if runs and runs[-1][1] == i and runs[-1][3] == j:
            i1, _i2, j1, _j2 = runs[-1]
            runs[-1] = (i1, i + 1, j1, j + 1)
        else:
            runs.append((i, i + 1, j, j + 1))
    return runs


def _starts(lines: list[str]) -> list[int]:
    starts, position = [], 0
    for line in lines:
        starts.append(position)
        position += len(line)
    starts.append(position)  # the end of the text is the start of an empty last line
    return starts


def find_anchor(old_text: str, new_text: str, start: int, end: int, moved: LineMap) -> Anchor | None:
    """Where the passage old_text[start:end] is in new_text, or None if it cannot be placed.

    An exact match of the excerpt nearest to where the passage was wins; failing that, the
    passage with its context is matched fuzzily near where it was, then the excerpt inside it.
    """
    excerpt = old_text[start:end]
    expected, _exact_line = moved(start)
    # Word edges are kept where the passage had them: one coded inside a word (--partial) stays so.
    edges = _edges(old_text, start, end)
    if (in_place := _in_place(old_text, new_text, start, end, moved)) is not None:
        return in_place
    if not excerpt:
        return None
    # Where its lines went: a passage whose lines changed is looked for there, not anywhere in the
    # text ("Ja." changed to "Nei." took the "Ja." of another answer; a deleted answer took a like
    # sentence further on); only then its words elsewhere, as a passage moved with its context is.
    local = moved.new_range(start, end)
    if local is not None:
        nearest = _nearest_occurrence(new_text, excerpt, expected, local, edges)
        if nearest is not None:
            return Anchor(nearest, nearest + len(excerpt), "exact")
        if len(excerpt.strip()) >= 3:  # a shorter one cannot be recognised once changed
            # Near where it was, as before the lines' own place was known: a text whose every line
            # changed (timestamps added) makes its lines' place the whole text.
            reach = max(2_000, 3 * len(excerpt))
            near = (max(local[0], expected - reach), min(local[1], expected + len(excerpt) + reach))
            changed = _fuzzy(old_text, new_text, start, end, near, edges)
            if changed is not None:
                return changed
    return _moved_with_context(old_text, new_text, start, end, edges, moved)


def _in_place(old_text: str, new_text: str, start: int, end: int, moved: LineMap) -> Anchor | None:
    """The passage where its lines went, on lines the new text holds unchanged, if its words are there."""
    excerpt = old_text[start:end]
    expected, exact_line = moved(start)
    if exact_line and new_text[expected:expected + len(excerpt)] == excerpt and _on_edges(
            new_text, excerpt, expected, _edges(old_text, start, end)):
        return Anchor(expected, expected + len(excerpt), "exact")
    return None


def same_words(old_text: str, new_text: str, start: int, end: int, moved: LineMap) -> tuple[int, int] | None:
    """Where the words old_text[start:end] stand in new_text, found as find_anchor finds them word for word,
    only where that is certain: on lines left as they were, or once in the lines that became of theirs, which
    held them once. None where they changed or went, or stand more than once there: the nearest of like
    passages is a guess, which a reader's cursor or selection, coded by a key at once, may not take. No fuzzy
    match is tried (it would not be taken, and takes a second on a long line)."""
    end = min(end, len(old_text))
    if end <= start:
        return None
    if (in_place := _in_place(old_text, new_text, start, end, moved)) is not None:
        return in_place.start, in_place.end
    local = moved.new_range(start, end)
    if local is None:
        return None
    excerpt, edges = old_text[start:end], _edges(old_text, start, end)
    lines = moved.old_starts[moved.line_of(start)], moved.old_starts[moved.line_of(max(start, end - 1)) + 1]
    found = _occurrences(new_text, excerpt, *local, edges)
    if len(found) != 1 or len(_occurrences(old_text, excerpt, *lines, edges)) != 1:
        return None
    return found[0], found[0] + len(excerpt)


def find_excerpt_again(text: str, excerpt: str) -> Anchor | None:
    """Where an orphaned coding's excerpt is in a new text word for word, or None.

    Only exactly its text brings an orphaned coding back, and never a part of a longer word
    where the excerpt begins or ends with a whole one ("ja" is not found in "jammen"); and only
    where the text holds it once: an orphan's old place says nothing of where it belongs in a text
    rewritten since, so a short excerpt ("Ja.") said in several places stays for the review.
    """
    if not excerpt.strip():
        return None
    found = _occurrences(text, excerpt)
    return Anchor(found[0], found[0] + len(excerpt), "exact") if len(found) == 1 else None


# Whether a passage begins and ends where words do: (at its start, at its end).
Edges = tuple[bool, bool]
WHOLE_WORDS: Edges = (True, True)


def _edges(text: str, start: int, end: int) -> Edges:
    """Where text[start:end] begins and ends on a word's edge (a passage coded inside a word does not)."""
    return (start == 0 or not (text[start].isalnum() and text[start - 1].isalnum()),
            end >= len(text) or not (text[end - 1].isalnum() and text[end].isalnum()))


def _on_edges(text: str, excerpt: str, position: int, edges: Edges = WHOLE_WORDS) -> bool:
    """Whether `excerpt` at `position` in `text` begins and ends where its words do, where the
    passage did (`edges`): "det" is not the start of "dette", so a quote never ends inside a longer word."""
    after = position + len(excerpt)
    return (not edges[0] or not _word_edge(excerpt, 0) or position == 0 or not text[position - 1].isalnum()) and (
        not edges[1] or not _word_edge(excerpt, -1) or after >= len(text) or not text[after].isalnum()
    )


def _occurrences(text: str, excerpt: str, low: int = 0, high: int | None = None, edges: Edges = WHOLE_WORDS) -> list[int]:
    """Where `excerpt` stands in text[low:high] on its words' edges."""
    found, position = [], text.find(excerpt, low)
    while position != -1 and (high is None or position + len(excerpt) <= high):
        if _on_edges(text, excerpt, position, edges):
            found.append(position)
        position = text.find(excerpt, position + 1)
    return found


def _nearest_occurrence(text: str, excerpt: str, expected: int, within: tuple[int, int], edges: Edges) -> int | None:
    found = _occurrences(text, excerpt, within[0], within[1], edges)
    return min(found, key=lambda position: abs(position - expected)) if found else None


def _moved_with_context(old_text: str, new_text: str, start: int, end: int, edges: Edges, moved: LineMap) -> Anchor | None:
    """The excerpt where the new text holds it with the words around it, as a paragraph moved
    elsewhere is: the one place whose context is like the old (CONTEXT_SCORE), and no other close.
    Never where the old text held the same words on an unchanged line: those are another passage's."""
    excerpt = old_text[start:end]

    def elsewhere_before(position: int) -> bool:
        old = moved.unchanged_in_old(position)
        return old is not None and old != start and old_text[old:old + len(excerpt)] == excerpt
    before, after = old_text[max(0, start - CONTEXT):start], old_text[end:end + CONTEXT]
    # The context is the passage's own paragraph, up to and with the blank line that ends it: what
    # stood beyond did not move with it (a whole answer coded, moved, lost its coding).
    if (cut := before.rfind("\n\n")) != -1:
        before = before[cut:]
    if (cut := after.find("\n\n")) != -1:
        after = after[:cut + 2]

    def context_score(position: int) -> float:
        found_before = new_text[max(0, position - len(before)):position]
        found_after = new_text[position + len(excerpt):position + len(excerpt) + len(after)]
        return (fuzz.ratio(before, found_before) + fuzz.ratio(after, found_after)) / 2

    found = _occurrences(new_text, excerpt, edges=edges)
    scored = sorted(((context_score(position), position) for position in found if not elsewhere_before(position)), reverse=True)
    if scored and scored[0][0] >= CONTEXT_SCORE and (len(scored) == 1 or scored[1][0] <= scored[0][0] - 10):
        return Anchor(scored[0][1], scored[0][1] + len(excerpt), "exact")
    # Words enough that both texts hold once, on the lines they stood on, are that passage wherever those
    # lines went, whatever stands around them now: a whole answer that swapped places with the "Mm."
    # before it kept no context beyond its line (its paragraph's end moved). Not on lines that are not
    # the passage's: its words in another's new turn ("V: Jeg vet ikke helt, men …") are theirs.
    if len(scored) == 1 and len(found) == 1 and len(WHOLE_WORD.findall(excerpt)) >= UNIQUE_PASSAGE_WORDS \
            and len(_occurrences(old_text, excerpt, edges=edges)) == 1 and _on_its_lines(old_text, new_text, start, end, found[0]):
        return Anchor(found[0], found[0] + len(excerpt), "exact")
    return None


def _on_its_lines(old_text: str, new_text: str, start: int, end: int, position: int) -> bool:
    """Whether old_text[start:end], found at `position` in new_text, stands there on the whole lines it stood on."""
    line_start = old_text.rfind("\n", 0, start) + 1
    line_end = end if old_text[start:end].endswith("\n") else (old_text.find("\n", end) + 1 or len(old_text))
    lines = old_text[line_start:line_end].removesuffix("\n")
    new_start = position - (start - line_start)
    return (new_start == 0 or new_start > 0 and new_text[new_start - 1] == "\n") and new_text[new_start:new_start + len(lines)] == lines \
        and new_text[new_start + len(lines):new_start + len(lines) + 1] in ("", "\n")


def _fuzzy(old_text: str, new_text: str, start: int, end: int, within: tuple[int, int], edges: Edges) -> Anchor | None:
    """The excerpt's changed words in new_text[within], found with their context."""
    excerpt = old_text[start:end]
    window_start = within[0]
    window = new_text[window_start:within[1]]
    needle = old_text[max(0, start - CONTEXT):end + CONTEXT]
    region_start, region = 0, window
    if needle != excerpt:
        around = fuzz.partial_ratio_alignment(needle, window)
        if around is not None and around.score >= CONTEXT_SCORE:
            region_start, region = around.dest_start, window[around.dest_start:around.dest_end]
    found = fuzz.partial_ratio_alignment(excerpt, region, score_cutoff=FUZZY_SCORE)
    if found is None or found.dest_end <= found.dest_start:
        return None
    offset = window_start + region_start
    return _best_bounds(new_text, excerpt, offset + found.dest_start, offset + found.dest_end, edges)


def _best_bounds(text: str, excerpt: str, start: int, end: int, edges: Edges = WHOLE_WORDS) -> Anchor | None:
    """The span near start..end most like the excerpt, its ends on word edges where the excerpt's are.

    A fuzzy alignment is as long as the excerpt; the changed passage may be longer or shorter.
    """
    slack = max(3, len(excerpt) // 3)
    starts = _candidates(text, start - slack, start + slack, WORD_START if edges[0] and _word_edge(excerpt, 0) else None)
    ends = _candidates(text, end - slack, end + slack, WORD_END if edges[1] and _word_edge(excerpt, -1) else None)
    best: tuple[float, int, int] | None = None
    for candidate_start in starts:
        for candidate_end in ends:
            if candidate_end - candidate_start < max(1, len(excerpt) * 0.7) or candidate_end - candidate_start > len(excerpt) * 1.3:
                continue
            score = fuzz.ratio(excerpt, text[candidate_start:candidate_end])
            if best is None or score > best[0]:
                best = (score, candidate_start, candidate_end)
    if best is None or best[0] < FUZZY_SCORE:
        return None
    return Anchor(best[1], best[2], "fuzzy")


WORD_START = re.compile(r"(?<![^\W_])[^\W_]")
WORD_END = re.compile(r"[^\W_](?![^\W_])")


def _word_edge(excerpt: str, index: int) -> bool:
    return excerpt[index].isalnum()


def _candidates(text: str, low: int, high: int, edge: re.Pattern[str] | None) -> list[int]:
    low, high = max(0, low), min(len(text), high)
    if edge is None:
        return list(range(low, high + 1))
    shift = 0 if edge is WORD_START else 1
    return [match.start() + shift for match in edge.finditer(text, max(0, low - 1), min(len(text), high + 1))
            if low <= match.start() + shift <= high]


@dataclass(frozen=True)
class OrphanedCoding:
    """A coding the text it was made on no longer holds, kept with its excerpt for review."""

    id: int
    guid: str
    transcript: str
    code_path: str
    coder: str
    line: int
    excerpt: str
    memo: str | None
    orphaned_at: datetime


def list_orphaned(
    session: Session, transcript_ref: str | None = None, *, code_ref: str | None = None, include_subcodes: bool = True,
    coder_name: str | None = None,
) -> list[OrphanedCoding]:
    """Codings flagged orphaned when their transcript got a new text, with the line nearest where they were;
    filtered as `list_codings` filters live ones (by transcript, code and its sub-codes, and coder)."""
    query = (
        select(Coding, Transcript.name, Code.path, Coder.name)
        .join(Transcript, Transcript.id == Coding.transcript_id)
        .join(Code, Code.id == Coding.code_id)
        .join(Coder, Coder.id == Coding.coder_id)
        .where(Coding.orphaned_at.is_not(None))
        .order_by(Transcript.name, Coding.start, Coding.id)
    )
    if transcript_ref is not None:
        query = query.where(Coding.transcript_id == find_transcript(session, transcript_ref).id)
    if code_ref:
        code = find_code(session, code_ref)
        query = query.where(Coding.code_id.in_(code_subtree_ids(session, code) if include_subcodes else [code.id]))
    if coder_name:
        query = query.where(Coding.coder_id == find_coder(session, coder_name).id)
    lines: dict[int, LineIndex] = {}
    orphaned = []
    for coding, transcript_name, code_path, coder_name in session.execute(query).all():
        if coding.transcript_id not in lines:
            version = coding.transcript.current_version
            lines[coding.transcript_id] = LineIndex(version.text if version is not None else "")
        assert coding.orphaned_at is not None
        orphaned.append(OrphanedCoding(
            id=coding.id, guid=coding.guid, transcript=transcript_name, code_path=code_path, coder=coder_name,
            line=lines[coding.transcript_id].line(coding.start), excerpt=coding.excerpt, memo=coding.memo,
            orphaned_at=coding.orphaned_at,
        ))
    return orphaned
