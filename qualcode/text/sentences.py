"""Sentence spans from spaCy: a blank Norwegian pipeline with a sentencizer by default."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.garbage import kept_for_good
from qualcode.stand_ins import held_aside

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# spaCy refuses texts over nlp.max_length (1,000,000 characters); long transcripts go in pieces
# cut at line ends, which are sentence boundaries in a transcript anyway.
PIECE = 200_000


_trained_model: str | None = None


def use_trained_model(name: str | None) -> None:
    """Parse with the trained pipeline `name` when it is installed (the workspace passes what the
    person configured); None keeps the rule-based blank pipeline."""
    global _trained_model
    if name != _trained_model:
        _trained_model = name
        pipeline.cache_clear()


# The label of the rule-based pipeline, as stored sentences name it; a new label when its rules
# change, so sentences kept by the old rules are found again (2: ENDING_ABBREVIATIONS; 3: those
# without osv., kr., mnd., the months …, which 2 had first, and WHOLE_ABBREVIATIONS and the dotted
# list's ends, unreleased between the two).
BLANK = "blank-nb-sentencizer-3"
# One rule for abbreviations: each known one (spaCy's Norwegian exceptions and WHOLE_ABBREVIATIONS)
# is one token, so the sentencizer never ends a sentence at its full stop, and a sentence ends after
# one only before a capital and only if it is listed here: everyday words spaCy's tokenizer keeps
# whole as abbreviations ("jul." for juli, "min." for minutter) that a sentence ends with in speech
# ("før jul.", "mamma min.", "vi var to."), and a list's end written with dots or in nynorsk
# ("o.s.v.", "o.s.b.", "osb."), as Norwegian writes it. After "osv." and every other a sentence goes
# on. Proposing names reads a capital after any abbreviation alike whether a sentence ends there or
# not (anonymise/candidates.py, _abbreviation_before), so which ones end a sentence is for the
# readers of sentences alone to decide.
ENDING_ABBREVIATIONS = frozenset({"jul.", "min.", "to.", "ti.", "sen.", "o.s.v.", "o.s.b.", "osb."})
# Abbreviations spaCy's Norwegian tokenizer splits from their full stop ("jfr" "."), or keeps whole
# only in lower case ("dvs.", not "Dvs."): its sentencizer took the point for a sentence's end,
# before a lower-case word too ("Vi viste jfr." | "loven til dem.", "Dvs." | "det var greit."). The
# pipeline keeps each whole, as written and capitalised, as spaCy keeps "f.eks." and "F.eks.". Not
# the abbreviations that are also words or names when capitalised ("Jan.", "No.", "To."), whose
# point ends a sentence there.
WHOLE_ABBREVIATIONS = frozenset({
    # Split by spaCy in lower case too.
    "t.d.", "m.a.", "iflg.", "ang.", "jfr.", "mr.", "mrs.", "avd.", "adr.", "o.s.v.", "o.s.b.", "osb.",
    "d.v.s.", "m.h.t.", "i.f.t.", "ift.", "ifht.", "mtp.", "iom.", "sml.", "tidl.",
    # Kept whole by spaCy in lower case only.
    "bl.a.", "dvs.", "evt.", "ev.", "pga.", "p.g.a.", "jf.", "mht.", "ifm.", "iht.", "inkl.", "ekskl.", "vedr.",
    "vha.", "hhv.", "m.a.o.", "t.o.m.", "f.o.m.", "kl.", "tlf.", "nr.", "hr.", "vs.", "fhv.",
})


def pipeline_label() -> str:
    """Which pipeline finds sentences here, without loading spaCy: the configured trained one when it
    is installed (a package or a folder), else the rule-based one; stored sentences say which made them."""
    configured = _trained_model
    if configured and (Path(configured).is_dir() or _installed(configured)):
        return configured
    return BLANK


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """The configured trained pipeline if it is installed, else spacy.blank("nb") with a sentencizer.

    Once loaded it is kept out of the garbage collector's walks (`kept_for_good`): it is used until
    the process ends, or until another model is configured, which loads one again."""
    with kept_for_good():
        import_spacy()
        import spacy

        configured = pipeline_label()
        if configured != BLANK:
            try:
                return spacy.load(configured)
            except OSError:
                pass  # not installed here: the rule-based pipeline below does the job
        nlp = spacy.blank("nb")
        _keep_whole(nlp)
        nlp.add_pipe("sentencizer")
        nlp.add_pipe(_register_abbreviation_ends())
        return nlp


# spaCy 3's own package imports its command line (typer, weasel, requests, httpx) to offer
# `spacy.info`: 0.14 s of the 0.47 s its import takes on the machine that measures
# benchmarks/bench_cli.py, paid by every import for a command line it never runs. spaCy's authors
# agree (explosion/spaCy#12962, lazy in their next major version; #13933). Until then this module's
# place is held while spaCy is imported, and `spacy.info` imports the real one when it is called.
_SPACY_INFO = "spacy.cli.info"


def import_spacy() -> None:
    """Import spaCy, without its command line (here, not at the top, so the CLI starts without
    loading spaCy); then `import spacy` finds it imported."""
    if "spacy" in sys.modules:
        return
    with held_aside({_SPACY_INFO: ["info"]}):
        import spacy  # noqa: F401


_RULES = ["sentencizer", "abbreviation_ends"]  # the rule-based pipeline's components


def _keep_whole(nlp: Language) -> None:
    """Teach the tokenizer WHOLE_ABBREVIATIONS, as written and capitalised ("jfr.", "Jfr.")."""
    from spacy.symbols import ORTH
    from spacy.tokenizer import Tokenizer

    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, Tokenizer)  # spacy.blank's
    for abbreviation in WHOLE_ABBREVIATIONS:
        for written in (abbreviation, abbreviation[:1].upper() + abbreviation[1:]):
            tokenizer.add_special_case(written, [{ORTH: written}])


def _register_abbreviation_ends() -> str:
    """spaCy's component that ends a sentence after one of ENDING_ABBREVIATIONS before a capital."""
    from spacy.language import Language

    if not Language.has_factory("abbreviation_ends"):
        @Language.component("abbreviation_ends")
        def abbreviation_ends(doc: Doc) -> Doc:
            for index in range(1, len(doc)):
                if _ends_at_abbreviation(doc, index):
                    doc[index].is_sent_start = True
            return doc
    return "abbreviation_ends"


def _ends_at_abbreviation(doc: Doc, index: int) -> bool:
    return doc[index - 1].text.lower() in ENDING_ABBREVIATIONS and doc[index].text[:1].isupper()


def pieces(text: str, size: int = PIECE) -> Iterator[tuple[int, str]]:
    """(offset, piece) of `text` in pieces of about `size` characters, cut after a line end where
    there is one, else after a sentence's end, else after a space, so no word is split; a word
    longer than `size` makes its piece run on to the next space. A piece's first word is taken as
    a sentence's first, so a cut inside a sentence ("Kari | Nordmann") is the last resort."""
    position = 0
    while len(text) - position > size:
        end = position + size
        cut = text.rfind("\n", position, end)
        if cut < position:
            ends = max(text.rfind(mark, position, end) for mark in (". ", "? ", "! "))
            cut = ends + 1 if ends >= position else text.rfind(" ", position, end)
        if cut < position:
            ahead = [found for found in (text.find("\n", end), text.find(" ", end)) if found >= 0]
            if not ahead:
                break
            cut = min(ahead)
        yield position, text[position:cut + 1]
        position = cut + 1
    if position < len(text) or position == 0:
        yield position, text[position:]


def parsed(text: str) -> Iterator[tuple[int, Doc]]:
    """(offset, spaCy Doc) for each piece of `text`."""
    for offset, piece in pieces(text):
        yield offset, pipeline()(piece)


def tokenised(text: str) -> Iterator[tuple[int, Doc, Callable[[int], bool]]]:
    """(offset, spaCy Doc, whether the token at an index starts a sentence) for each piece of `text`.

    The sentences are those `parsed` finds. With the rule-based pipeline the Doc holds only its
    tokens, and the sentencizer's rule is worked out for a token when asked: for a reader that
    asks about few tokens (proposing identifiers asks about capitalised ones) running the
    sentencizer over every token of a long transcript costs more than the tokens themselves.
    """
    nlp = pipeline()
    if nlp.pipe_names != _RULES:  # what was loaded decides: a configured model that failed to load gave the rules
        for offset, piece in pieces(text):
            doc = nlp(piece)
            yield offset, doc, partial(_marked_start, doc)
        return
    punctuation: set[str] = nlp.get_pipe("sentencizer").punct_chars  # type: ignore[attr-defined]
    for offset, piece in pieces(text):
        doc = nlp.make_doc(piece)
        yield offset, doc, partial(_sentencizer_start, doc, punctuation=punctuation)


def _marked_start(doc: Doc, index: int) -> bool:
    return bool(doc[index].is_sent_start)


def _sentencizer_start(doc: Doc, index: int, punctuation: set[str]) -> bool:
    """Whether spaCy's Sentencizer would start a sentence at token `index`.

    It starts one at the first token, and at each token that is neither punctuation nor one of
    its sentence-final characters when such a character came after the last token that was
    neither: walking back over the punctuation before `index` tells the same.
    """
    if index == 0:
        return True
    token = doc[index]
    if token.is_punct or token.text in punctuation:
        return False
    if _ends_at_abbreviation(doc, index):  # as the pipeline's abbreviation_ends component rules
        return True
    for before in range(index - 1, -1, -1):
        previous = doc[before]
        if previous.text in punctuation:
            return True
        if not previous.is_punct:
            return False
    return False


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) code-point offsets of each sentence, surrounding whitespace excluded."""
    spans = []
    for base, doc in parsed(text):
        for sentence in doc.sents:
            start = sentence.start_char + len(sentence.text) - len(sentence.text.lstrip())
            end = sentence.start_char + len(sentence.text.rstrip())
            if end > start:
                spans.append((start + base + offset, end + base + offset))
    return spans


def turn_sentences(text: str, turns: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentences of a transcript as the reader shows them: `sentence_spans` of each turn, or of the
    whole text when it has no turns."""
    spans = list(turns or [(0, len(text))])
    if any(end - start > PIECE for start, end in spans):  # sentence_spans cuts those in pieces
        return [span for start, end in spans for span in sentence_spans(text[start:end], start)]
    # The turns through spaCy's pipe in batches: the same sentences as turn by turn, for half the
    # time (the per-call overhead dominates on short turns).
    found: list[tuple[int, int]] = []
    for (offset, _), doc in zip(spans, pipeline().pipe(text[start:end] for start, end in spans), strict=True):
        for sentence in doc.sents:
            start = sentence.start_char + len(sentence.text) - len(sentence.text.lstrip())
            end = sentence.start_char + len(sentence.text.rstrip())
            if end > start:
                found.append((start + offset, end + offset))
    return found
