"""Pseudonymising speed on a synthetic one-million-word corpus with a 200-entry key.

Printed next to a baseline from the same run: the same corpus merely tokenised by the same
spaCy pipeline (spacy.blank("nb") with a sentencizer). Also shown: the candidate proposals
(spaCy Matcher rules) that import runs on top.

Run: .venv/bin/python benchmarks/bench_anonymise.py [--words 1000000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from common import SEED, Row, Target, print_comparison
from common import WORDS as EVERYDAY_WORDS

from qualcode.anonymise.apply import add_identifier, pseudonymise
from qualcode.anonymise.candidates import propose
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import ignored_words
from qualcode.text.sentences import pipeline
from qualcode.text.tokens import word_count

# Lower-case words that are also surnames and place names (Berg, Vik, Lie, Dal): the detectors must pass them by.
WORDS = [*EVERYDAY_WORDS, "berg", "vik", "rød", "lie", "dal", "strand"]
FIRST = ["Kari", "Ola", "Ingrid", "Per", "Sissel", "Ahmed", "Lise", "Trond", "Mona", "Geir", "Hilde", "Tor"]
LAST = ["Nordmann", "Berg", "Hansen", "Lie", "Dahl", "Vik", "Strand", "Bakken", "Moen", "Rød"]
PLACES = ["Horten", "Tønsberg", "Larvik", "Sandefjord", "Holmestrand", "Re", "Færder", "Skien"]


def build_key(size: int, rng: random.Random) -> PseudonymKey:
    key = PseudonymKey("bench")
    while len(key.entries) < size:
        roll = rng.random()
        if roll < 0.7:
            add_identifier(key, f"{rng.choice(FIRST)} {rng.choice(LAST)}{rng.randint(1, 40)}", "person", rng.choice("fm"))
        elif roll < 0.85:
            add_identifier(key, f"{rng.choice(PLACES)}{rng.randint(1, 30)}", "place")
        else:
            add_identifier(key, f"NAV {rng.choice(PLACES)}{rng.randint(1, 30)}", "nav_office")
    return key


def build_corpus(total: int, key: PseudonymKey, rng: random.Random) -> list[str]:
    names = [entry.original for entry in key.entries]
    texts = []
    for _ in range(200):
        words: list[str] = []
        while len(words) < total // 200:
            sentence = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
            if rng.random() < 0.3:
                sentence.insert(rng.randrange(1, len(sentence)), rng.choice(names) + rng.choice(["", "s"]))
            if rng.random() < 0.02:
                sentence.append(rng.choice(["912 34 567", "15038910083", "kari@example.no", "Storgata 12"]))
            words.extend(sentence)
            words[-1] += "."
        body = " ".join(words)
        texts.append("D1: " + body[0].upper() + body[1:] + "\n")
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--key-size", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(SEED)
    key = build_key(args.key_size, rng)
    texts = build_corpus(args.words, key, rng)
    words = sum(word_count(text) for text in texts)
    nlp = pipeline()
    print(f"corpus: {len(texts)} texts, {words:,} words, key of {len(key.entries)} entries")

    started = time.perf_counter()
    for text in texts:
        nlp(text)
    spacy_seconds = time.perf_counter() - started

    started = time.perf_counter()
    replaced = 0
    for number, text in enumerate(texts):
        replaced += len(pseudonymise(text, key, f"t{number}").replacements)
    pseudonymise_seconds = time.perf_counter() - started

    started = time.perf_counter()
    ignored = ignored_words(key)
    for text in texts:
        propose(text, ignored, WORDS)
    propose_seconds = time.perf_counter() - started

    print_comparison(
        f"pseudonymise (patterns + known identifiers, {replaced:,} replacements)",
        Row("qualcode pseudonymise", _speed(pseudonymise_seconds, words)),
        Row("spaCy tokenise only", _speed(spacy_seconds, words)),
        pseudonymise_seconds / spacy_seconds,
        Target("at least 100,000 words/s", words / pseudonymise_seconds >= 100_000),
        also=[Row("candidate proposals", _speed(propose_seconds, words), "spaCy Matcher, run at import too")],
    )
    return 0


def _speed(seconds: float, words: int) -> str:
    return f"{seconds:7.2f} s  {words / seconds:12,.0f} words/s"


if __name__ == "__main__":
    sys.exit(main())
