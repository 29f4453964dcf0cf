"""LineMap: where an old text's lines went in a new one, for re-anchoring codings and the reader's cursor."""

from __future__ import annotations

from difflib import SequenceMatcher

from hypothesis import given
from hypothesis import strategies as st

from qualcode.coding.anchoring import LineMap, _line_blocks

LINES = st.lists(st.sampled_from(["Ja.\n", "Mm.\n", "Nei.\n", "I: Hvorfor?\n", "D1: Fordi det hjalp.\n"]), max_size=14)


@given(LINES, LINES)
def test_the_blocks_cover_both_texts_in_order_and_share_at_least_what_difflib_found(old: list[str], new: list[str]) -> None:
    blocks = _line_blocks(old, new)
    old_at = new_at = 0
    for tag, i1, i2, j1, j2 in blocks:
        assert (i1, j1) == (old_at, new_at)
        assert tag == "equal" and old[i1:i2] == new[j1:j2] or tag == {
            (True, True): "replace", (True, False): "delete", (False, True): "insert"}[(i2 > i1, j2 > j1)]
        old_at, new_at = i2, j2
    assert (old_at, new_at) == (len(old), len(new))
    # As difflib's: between two equal runs one change at most, never a delete beside an insert.
    assert not any(one[0] != "equal" and other[0] != "equal" for one, other in zip(blocks, blocks[1:], strict=False))
    shared = sum(i2 - i1 for tag, i1, i2, _j1, _j2 in blocks if tag == "equal")
    assert shared >= sum(size for *_, size in SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks())


def test_a_line_changed_among_lines_said_many_times_is_mapped_to_its_own_new_line() -> None:
    """A long interview says "Ja." hundreds of times: difflib's matcher took minutes over such lines
    (155 s for a 530 KB transcript); the common subsequence of lines is found at once, and right."""
    rounds = [f"I: Spørsmål {n}?\nD1: Ja.\nD1: Mm.\nD1: Det sa KVP {n}.\n" for n in range(2_000)]
    old = "".join(rounds)
    new = old.replace("Det sa KVP 1500.", "Det sa (arbeidsgiver) 1500.")
    moved = LineMap(old, new)
    assert moved.changed_lines == 1
    start = old.index("Det sa KVP 1500.")
    assert moved.new_range(start, start + 5) == (new.index("D1: Det sa (arbeidsgiver) 1500."),
                                                 new.index("I: Spørsmål 1501?"))
    after = old.index("I: Spørsmål 1999?")
    assert moved(after) == (new.index("I: Spørsmål 1999?"), True)
    assert moved.changed_in_new() == [(6004, 6004)]
