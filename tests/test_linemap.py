"""LineMap: where an old text's lines went in a new one, for re-anchoring codings and the reader's cursor."""

from __future__ import annotations

from difflib import SequenceMatcher

from hypothesis import given
from hypothesis import strategies as st

from qualcode.coding.anchoring import Anchor, LineMap, _line_blocks, find_anchor

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


def test_a_paragraph_moved_with_a_name_replaced_in_it_keeps_its_coding() -> None:
    """Two alignments keep as many lines: the paragraphs where they were, or the blank lines between
    them. Taking the blank lines (the lines' plain common subsequence) made the moved paragraph's
    place another paragraph, so its coding, its name replaced, was orphaned; difflib kept it."""
    paragraphs = [
        "Samtalen ble ikke tatt opp etter ønske fra informanten.",
        "V3 har jobbet med KVP siden 2010 og har sett programmet endre seg.",
        "Hun er opptatt av at deltakerne skal være med og bestemme innholdet i planen.",
        "Om inntaket sier hun at kontoret har tatt inn deltakere for raskt.",
        "V3 er kritisk til sanksjoner.",
        "Til slutt sa hun at hun savner at deltakerne blir brukt mer på systemnivå.",
    ]
    old = "\n\n".join(paragraphs) + "\n"
    moved = [paragraphs[1].replace("KVP", "(program)"), paragraphs[2], paragraphs[0], *paragraphs[3:]]
    new = "\n\n".join(moved) + "\n"
    start = old.index("V3 har jobbet")
    end = old.index("\n", start)
    anchor = find_anchor(old, new, start, end, LineMap(old, new))
    assert anchor is not None
    assert new[anchor.start:anchor.end] == moved[0]
    sentence = old.index("Hun er opptatt")
    assert find_anchor(old, new, sentence, sentence + 14, LineMap(old, new)) == Anchor(
        new.index("Hun er opptatt"), new.index("Hun er opptatt") + 14, "exact")


def test_of_an_answer_and_a_backchannel_that_swapped_places_the_backchannel_stays() -> None:
    """An answer and the "Mm." before it swapped, among other changes: keeping the answer in place (it is said once) would
    leave the "Mm." nothing to be found by, and orphan its coding; the "Mm." stays, as difflib kept
    it, and the answer's sentence is found again by its words and those around it."""
    rounds = [f"I: Spørsmål {n}?\nD2: Mm.\nD2: Svaret mitt er nummer {n}. Det var vanskelig, men jeg fikk hjelp.\n\n"
              for n in range(40)]
    old = "".join(rounds)
    answer = "D2: Svaret mitt er nummer 20. Det var vanskelig, men jeg fikk hjelp.\n"
    # Other answers changed before and after it, as in a text read again with the key.
    new = old.replace("D2: Mm.\n" + answer, answer + "D2: Mm.\n").replace("nummer 5.", "nummer fem.").replace("nummer 35.", "nummer 35!")
    moved = LineMap(old, new)
    mm, new_mm = old.index("Mm.", old.index("Spørsmål 20?")), new.index("Mm.", new.index("Svaret mitt er nummer 20"))
    assert find_anchor(old, new, mm, mm + 3, moved) == Anchor(new_mm, new_mm + 3, "exact")
    sentence = "Svaret mitt er nummer 20."
    found = find_anchor(old, new, old.index(sentence), old.index(sentence) + len(sentence), moved)
    assert found == Anchor(new.index(sentence), new.index(sentence) + len(sentence), "exact")


def test_a_whole_answer_that_swapped_places_with_the_mm_before_it_is_found_by_its_words() -> None:
    """Coded whole, the answer of the test above lost its context: its paragraph ended after it, and
    the "Mm." stands there now. Its words, said once in both texts, are that passage."""
    rounds = [f"I: Spørsmål {n}?\nD2: Mm.\nD2: Svaret mitt er nummer {n}. Det var vanskelig, men jeg fikk hjelp.\n\n"
              for n in range(40)]
    old = "".join(rounds)
    whole = "Svaret mitt er nummer 20. Det var vanskelig, men jeg fikk hjelp."
    new = old.replace(f"D2: Mm.\nD2: {whole}\n", f"D2: {whole}\nD2: Mm.\n").replace("nummer 5.", "nummer fem.")
    start = old.index(whole)
    assert find_anchor(old, new, start, start + len(whole), LineMap(old, new)) == Anchor(new.index(whole), new.index(whole) + len(whole), "exact")
    line = old.index("D2: " + whole)  # with its speaker label and line end
    found = find_anchor(old, new, line, line + len("D2: " + whole + "\n"), LineMap(old, new))
    assert found == Anchor(new.index("D2: " + whole), new.index("D2: " + whole) + len("D2: " + whole + "\n"), "exact")


def _swapped(answer: str, around: str = "") -> tuple[str, str]:
    old = f"I: Hva skjedde?\nD1: Mm.\nD1: {answer}\n\nI: Og så?\nD1: {around}\n"
    new = f"I: Hva skjedde?\nD1: Mm.\n\nI: Og så?\nD1: {around}\nD1: {answer}\n"
    return old, new


def test_words_are_carried_alone_only_where_no_other_passage_can_hold_them() -> None:
    """Never onto another passage's words: a short answer ("Nei." said again elsewhere in a rewritten
    text), words the old text held twice, or words the new text holds twice stay orphaned for the review."""
    for answer, around in [("Nei, det tror jeg ikke.", "Ja."), ("Nei.", "Ja."), ("Det var bra.", "Ja."),
                           ("Jeg fikk hjelp av veilederen.", "Jeg fikk hjelp av veilederen.")]:
        old, new = _swapped(answer, around)
        start = old.index(answer)
        found = find_anchor(old, new, start, start + len(answer), LineMap(old, new))
        carried = len(answer.split()) >= 4 and answer != around
        assert (found == Anchor(new.rindex(answer), new.rindex(answer) + len(answer), "exact")) if carried else found is None, (answer, found)
    old, new = _swapped("Jeg fikk hjelp av veilederen.", "Mm.")
    new += "I: Og?\nD1: Jeg fikk hjelp av veilederen.\n"  # said anew: two places, neither certain
    start = old.index("Jeg fikk hjelp")
    assert find_anchor(old, new, start, start + 29, LineMap(old, new)) is None


def test_words_said_once_are_not_carried_onto_another_s_new_line_that_holds_them() -> None:
    """The participant's answer was misheard and rewritten, and a caseworker's line below now begins with
    the four coded words: the coding of "Jeg vet ikke helt" went onto the caseworker's words (held once in
    each text), where it was orphaned for the review before; it still is. Carried with the lines it stood
    on, moved whole, it is found (the test above)."""
    filler = "".join(f"I: Spørsmål {n}?\nD1: Svar nummer {n} her.\n" for n in range(30))
    old = "I: Hva tenker du om tiltaket?\nD1: Jeg vet ikke helt hva jeg skal si.\n" + filler + "V: Vi prøver å hjelpe alle.\n"
    new = "I: Hva tenker du om tiltaket?\nD1: Det var bra, synes jeg.\n" + filler + "V: Jeg vet ikke helt, men vi prøver å hjelpe alle.\n"
    start = old.index("Jeg vet ikke helt")
    assert find_anchor(old, new, start, start + len("Jeg vet ikke helt"), LineMap(old, new)) is None
    moved = new.replace("V: Jeg vet ikke helt, men vi", "D1: Jeg vet ikke helt hva jeg skal si.\nV: Vi")
    assert find_anchor(old, moved, start, start + len("Jeg vet ikke helt"), LineMap(old, moved)) == Anchor(
        moved.index("Jeg vet ikke helt"), moved.index("Jeg vet ikke helt") + len("Jeg vet ikke helt"), "exact")
