"""What the benchmarks share: the words of their synthetic corpora, and one way to print a figure
beside the baseline measured in the same run and beside its target.

The scripts run as `python benchmarks/bench_*.py`, so this module is found as `common`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

# Every corpus is drawn from a generator seeded alike, so two runs measure the same text.
SEED = 20261123

# Everyday spoken words and the programme's own: interview-shaped text with no names in it.
WORDS = (
    "jeg du han hun vi det er var har kan skal må vil ikke så og men at som på i med for til fra om "
    "veilederen deltakeren programmet medvirkning handlingsplanen tiltaket kurset praksis selvtillit "
    "måltallet kvoten press fylket direktoratet rapportering inntak kontoret stønad sosialhjelp jobb"
).split()

# A larger vocabulary with several forms of the codebook's signal words, so stemmed search has
# forms to join and common words match thousands of turns.
INTERVIEW_VOCABULARY = (
    "jeg du han hun vi de det er var har hadde kan skal må vil ikke så og men eller at som på i med "
    "for til fra om av en et den noe mye litt veldig egentlig liksom altså ja nei kanskje "
    "veileder veilederen veiledere deltaker deltakeren deltakere program programmet kvalifisering "
    "medvirkning medvirke medvirkningen brukermedvirkning innflytelse hørt valg velge valgte "
    "handlingsplan handlingsplanen plan planen samråd tiltak tiltaket kurs kurset praksis "
    "selvtillit selvfølelse stolt mestre mestring håp motivert motivasjon ansvar tak vendepunkt "
    "måltall måltallet måltallene kvote kvoten antall press trykk fylke fylket direktoratet "
    "rapportering statistikk raskt inntak inntaket kontor kontoret leder ledelsen penger stønad "
    "sosialhjelp lønnsslipp trekk fravær helse angst jobb arbeid arbeidsgiver struktur hverdag "
    "morgen uke uka måned år tid samtale møte ringe ringte spurte sa tenkte følte opplevde"
).split()


def sentence(rng: random.Random, shortest: int, longest: int, vocabulary: Sequence[str] = WORDS) -> str:
    """A capitalised sentence of `shortest` to `longest` words drawn from `vocabulary`, with a full stop."""
    words = [rng.choice(vocabulary) for _ in range(rng.randint(shortest, longest))]
    return " ".join(words).capitalize() + "."


@dataclass(frozen=True)
class Row:
    """One line of a comparison: what was measured, its figures, and a note in brackets."""

    label: str
    figures: str
    note: str | None = None


@dataclass(frozen=True)
class Target:
    """What a figure should reach, and whether this run reached it."""

    description: str
    met: bool


LABEL_WIDTH = 28


def print_row(row: Row) -> None:
    print(f"  {row.label:<{LABEL_WIDTH}} {row.figures}" + (f"  ({row.note})" if row.note else ""))


def print_comparison(
    title: str,
    measured: Row | Sequence[Row],
    baseline: Row,
    ratio: float,
    target: Target | None,
    *,
    ratio_of: str = "time",
    also: Sequence[Row] = (),
) -> None:
    """Print a measured figure, the baseline from the same run, their ratio and the target.

    `ratio` is measured over baseline; `also` rows follow, for figures shown without a comparison.
    """
    print(f"\n{title}")
    for row in [measured] if isinstance(measured, Row) else measured:
        print_row(row)
    print_row(Row(baseline.label, baseline.figures, f"baseline, {baseline.note}" if baseline.note else "baseline"))
    print_row(Row("ratio", f"{ratio:.1f}x the baseline's {ratio_of}" if ratio >= 10 else f"{ratio:.2f}x the baseline's {ratio_of}"))
    if target is not None:
        print_row(Row("target", f"{'met' if target.met else 'not met'}: {target.description}"))
    for row in also:
        print_row(row)
