"""Normalisation never changes words; tokens and stems keep exact offsets."""

from __future__ import annotations

import hashlib
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qualcode.anonymise.candidates import propose
from qualcode.text.normalise import content_hash, normalise, visible
from qualcode.text.sentences import PIECE, pieces, sentence_spans
from qualcode.text.tokens import stem, tokenise, word_count


def test_normalise_line_endings_bom_nbsp_soft_hyphen() -> None:
    raw = "\ufeffJeg\u00a0er\r\nmed\u00adarbeider.\rSlutt"
    assert normalise(raw) == "Jeg er\nmedarbeider.\nSlutt"


def test_normalise_composes_decomposed_letters() -> None:
    decomposed = unicodedata.normalize("NFD", "blåbær og ørret")
    assert decomposed != "blåbær og ørret"
    assert normalise(decomposed) == "blåbær og ørret"


def test_line_break_hyphenation_joined_but_compounds_kept() -> None:
    assert normalise("arbeids-\nledig") == "arbeidsledig"
    assert normalise("NAV-\nkontoret") == "NAV-\nkontoret"
    assert normalise("måltall-press") == "måltall-press"
    # A compound's first part standing for a second compound ("barne- og ungdomsarbeidar") is kept
    # where a line ends after it: joined, it was "barneog".
    for kept in ("barne-\nog ungdomsarbeidar", "helse-\neller omsorgstenester", "arbeids-\nsamt sosialrett.", "barne-\nog"):
        assert normalise(kept) == kept
    assert normalise("arbeids-\noggene") == "arbeidsoggene"  # a word that only begins so is joined


def test_dialect_and_oral_forms_untouched() -> None:
    oral = "Æ e så glad, ikkje sant, æ va'kje der … eh, jo."
    assert normalise(oral) == oral


@given(st.text())
def test_normalise_is_idempotent(raw: str) -> None:
    once = normalise(raw)
    assert normalise(once) == once
    assert "\r" not in once and "\ufeff" not in once and "\u00ad" not in once


def test_tokens_carry_code_point_offsets_with_emoji() -> None:
    text = "😀 Jeg fikk selvtilliten tilbake 👍 på NAV-kontoret"
    for token in tokenise(text):
        assert text[token.start:token.end] == token.text
    assert [t.text for t in tokenise(text)][-2:] == ["NAV", "kontoret"]


def test_norwegian_stems_on_word_boundaries() -> None:
    assert stem("Medvirkningen") == stem("medvirkning")
    assert stem("måltallet") == stem("måltall")
    assert stem("typisk") != stem("pisk")
    assert word_count("Det er noe med å få en lønnsslipp.") == 8


def test_content_hash_is_the_sha256_of_the_utf8_text() -> None:
    # SHA-256 of the bytes 48 65 69 ("Hei"): stored hashes must not change between versions.
    assert content_hash("Hei") == "e661b9dd3a729319fa1420047632b5f8b061b59cf44f84ace4e93c480a0114f8"
    assert content_hash("Hei ") == "8a9847d598cf24c41606e4b59af54d0b2cb3a5aed9af339d3bde9d7cc3cfcf63"
    # Hashed in slices of a million characters: the digest is still that of the whole text.
    long_text = "Jeg lærte å søke jobb, og 😊 " * 40_000
    assert content_hash(long_text) == hashlib.sha256(long_text.encode("utf-8")).hexdigest()


def test_sentence_spans_with_blank_norwegian_pipeline() -> None:
    text = "Jeg fikk plass! Jeg skal begynne om to uker. Gruer meg litt."
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["Jeg fikk plass!", "Jeg skal begynne om to uker.", "Gruer meg litt."]


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="abcæøå ÆØÅ.\n\r\u00a0\u00ad😀-", min_size=1, max_size=80))
def test_sentence_spans_stay_inside_the_text(text: str) -> None:
    normal = normalise(text)
    for start, end in sentence_spans(normal):
        assert 0 <= start < end <= len(normal)
        assert normal[start:end].strip() == normal[start:end]


@settings(deadline=None)
@given(st.text(alphabet="ab \n.", max_size=300), st.integers(min_value=5, max_value=40))
@example(text="aaaaa aaaaa", size=5)
@example(text="aaaaaaaaaaaa", size=5)
def test_pieces_cover_the_text_in_order_without_splitting_words(text: str, size: int) -> None:
    cut = list(pieces(text, size))
    assert "".join(piece for _, piece in cut) == text
    assert [offset for offset, _ in cut] == [sum(len(p) for _, p in cut[:i]) for i in range(len(cut))]
    for _, piece in cut[:-1]:
        assert piece.endswith(("\n", " ")) or " " not in piece and "\n" not in piece


def test_a_text_longer_than_spacys_limit_is_split_into_sentences() -> None:
    line = "Jeg fikk være med og bestemme. Det var bra.\n"
    text = line * (1_100_000 // len(line) + 1)
    spans = sentence_spans(text)
    assert len(spans) == 2 * text.count("\n")
    assert all(text[start:end] in ("Jeg fikk være med og bestemme.", "Det var bra.") for start, end in spans)


def test_a_name_where_a_long_line_would_be_cut_at_a_space_is_proposed_whole() -> None:
    """A one-line transcript longer than a piece is cut after a sentence's end, not at the last
    space, which here falls inside the name."""
    filler, said = "Jeg fikk være med og bestemme. ", "Jeg snakket med Ingrid"
    before = PIECE - 2 - len(said)  # the space after "Ingrid" is the last one before PIECE
    text = filler * (before // len(filler)) + "o" * (before % len(filler))
    text = text[:-1] + " " if before % len(filler) else text
    text += said + " Solbakken i går. " + filler * 50 + "\n"
    assert text.rfind(" ", 0, PIECE) == text.index("Ingrid") + len("Ingrid")
    assert [(proposal.text, text[proposal.start:proposal.end]) for proposal in propose(text, (), ())] == [
        ("Ingrid Solbakken", "Ingrid Solbakken"),
    ]


def test_candidates_in_a_text_longer_than_spacys_limit_keep_their_offsets() -> None:
    text = "I: Jeg fikk være med og bestemme.\n" * 40_000 + "D1: Jeg snakket med Ingrid Solbakken i går.\n"
    assert len(text) > PIECE * 5
    (proposal,) = propose(text, (), ())
    assert text[proposal.start:proposal.end] == "Ingrid Solbakken"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aeøåäA-\n\r \u00a0\u00ad\u200b\u0301\u0308\u2028\x0b\x00👩🏳🏿\u200d\ufe0f\U000e0067"
                                             "مخا\u0653\u200c")), max_size=30))
@example("a\u200b\u0301")  # an accent that met its letter only once the invisible space went
@example("a\u0308-\ra")  # a letter composed only after the line-break hyphen was looked for
@example("👩\u200b\u200d👩")  # a joiner that met a symbol only once the invisible space went
@example("ا\u200c\ufe0f")  # a non-joiner beside a selector, which goes
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert unicodedata.is_normalized("NFC", once)


@pytest.mark.parametrize("written", [
    "👨\u200d👩\u200d👧\u200d👦", "🏳\ufe0f\u200d🌈", "🧑🏿\u200d🦱", "❤\ufe0f", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
])
def test_emoji_sequences_are_kept_as_written(written: str) -> None:
    """The joiners, variation selectors and tags that make one emoji of several are part of the quote."""
    text = f"D1: Jeg sendte {written} til henne.\n"
    assert normalise(text) == text and visible(text) == text


@pytest.mark.parametrize(("written", "kept"), [
    ("Ka\u200dri", "Kari"), ("Ka\ufe0fri", "Kari"), ("👩\u200dKari", "👩Kari"), ("Kari\u200d👩", "Kari👩"), ("\u200d👩", "👩"),
])
def test_a_joiner_or_selector_beside_a_letter_goes(written: str, kept: str) -> None:
    assert normalise(written) == kept and visible(written) == kept


@pytest.mark.parametrize(("written", "kept"), [
    ("D1: Hun sa «می\u200cخواهم» til meg.", "D1: Hun sa «می\u200cخواهم» til meg."),  # Persian spells with the non-joiner
    ("\u0915\u094d\u200d\u0937", "\u0915\u094d\u200d\u0937"),  # and Devanagari with the joiner
    ("Ka\u200cri ringte", "Kari ringte"), ("\u200cمی", "می"), ("Kari\u200cمی", "Kariمی"),
])
def test_a_non_joiner_is_kept_between_letters_of_scripts_that_spell_with_it(written: str, kept: str) -> None:
    assert normalise(written) == kept and visible(written) == kept
