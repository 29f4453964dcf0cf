"""What the agreement says of its figures, in English (the terminal's, and `--docx --lang en`) and in
bokmål (a Word document's default, read by medforskere): titles, captions, figures, and why one is undefined."""

from __future__ import annotations

from qualcode.agreement.service import SEGMENT_CHANCE, Agreement, CodeAgreement
from qualcode.agreement.statistics import (
    BOTH_SAME,
    EVERY_SAME,
    NO_BOTH_VALUES,
    NO_EVERY_VALUE,
    NO_TWO_VALUES,
    NO_VARIATION,
    Figure,
)
from qualcode.exporters.labels import decimal, kappa_label, labels, listed
from qualcode.text.counts import counted
from qualcode.text.export_words import AGREEMENT_LABELS

# What the coders agree on, singular and plural.
UNIT_NOUNS = {
    "nb": {"sentence": ("setning", "setninger"), "turn": ("taletur", "taleturer"), "segment": ("passasje", "passasjer"),
           "character": ("tegn", "tegn")},
    "en": {"sentence": ("sentence", "sentences"), "turn": ("turn", "turns"), "segment": ("segment", "segments"),
           "character": ("character", "characters")},
}
# The figures as running text names them, where the caption says which of them are undefined.
FIGURE_NAMES = {
    "nb": {"percent": "prosentvis samsvar", "kappa": "kappa", "alpha": "alfa"},
    "en": {"percent": "agree %", "kappa": "kappa", "alpha": "alpha"},
}
# Why a figure is undefined (statistics and service write it in English), in bokmål.
REASONS_NB = {
    NO_TWO_VALUES: "ingen enhet har verdier fra to kodere",
    NO_BOTH_VALUES: "ingen enhet har verdier fra begge koderne",
    NO_EVERY_VALUE: "ingen enhet har verdier fra alle koderne",
    BOTH_SAME: "begge koderne ga alle enhetene samme verdi, så samsvaret som ventes ved tilfeldighet, er fullt",
    EVERY_SAME: "alle koderne ga alle enhetene samme verdi, så samsvaret som ventes ved tilfeldighet, er fullt",
    NO_VARIATION: "alle verdiene som er gitt, er like, så det er ingen variasjon å være enige eller uenige om",
    SEGMENT_CHANCE: "passasjene er bare det noen har kodet, så ingen enhet står ukodet hos alle koderne, og samsvaret "
                    "som ventes ved tilfeldighet, kan ikke anslås; mål samsvaret per setning eller taletur for å få dem",
}


def words(language: str) -> dict[str, str]:
    """The agreement's labels in `language` (refused as the report refuses one it does not know)."""
    labels(language)
    return AGREEMENT_LABELS[language]


def reason(text: str, language: str) -> str:
    """Why a figure is undefined, in `language`."""
    return REASONS_NB[text] if language == "nb" else text


def title(result: Agreement, language: str) -> str:
    """"Agreement by turn", "Samsvar per taletur"."""
    if language == "nb":
        return f"Samsvar per {UNIT_NOUNS['nb'][result.unit][0]}"
    return f"Agreement by {result.unit}"


def figure_text(figure: Figure, language: str, percent: bool = False) -> str:
    """A figure as the document writes it: one decimal for a percentage, three for kappa and alpha,
    a decimal comma in bokmål, and the language's mark where it is undefined."""
    if figure.value is None:
        return words(language)["undefined"]
    return decimal(figure.value, ".1f" if percent else ".3f", language)


def row_label(code: CodeAgreement, result: Agreement, language: str) -> str:
    """A code's path, or the overall row's name in `language`."""
    return words(language)["overall"] if code is result.overall else code.code_path


def caption(result: Agreement, language: str) -> str:
    """Who, on what, which statistics, what the unit counts mean, and each reason a figure is undefined
    with the figures and rows it holds for: one caption serves every row."""
    nb = language == "nb"
    unit = UNIT_NOUNS[language][result.unit][0]
    if result.unit == "segment":
        unit += (" (minste overlapp " if nb else " (min. overlap ") + decimal(result.min_overlap, "g", language) + ")"
    notes = _undefined_notes(result, language)
    if nb:
        return (
            f"Kodere: {', '.join(result.coders)}; enhet: {unit}; "
            f"{counted(result.transcripts, 'transkripsjon', 'transkripsjoner')} er kodet av minst to av dem. "
            f"Kappa er {kappa_label(result.kappa_name, nb)}, alfa er Krippendorffs alfa (nominelle verdier, manglende verdier tillatt); "
            "Enheter: antall enheter med verdier fra minst to kodere; κ n og α n: antall enheter hvert av tallene bygger på. "
            "En koder mangler verdi i transkripsjoner vedkommende ikke har kodet. "
            "Raden «Samlet» slår sammen enhetene for kodene på øverste nivå."
            + (" Der det står –, kan tallet ikke beregnes: " + "; ".join(notes) + "." if notes else "")
        )
    return (
        f"Coders: {', '.join(result.coders)}; unit: {unit}; {counted(result.transcripts, 'transcript')} coded by two or more of them. "
        f"kappa is {result.kappa_name}, alpha Krippendorff's alpha (nominal, missing values allowed); "
        "units: those with values from two coders or more; κ n and α n: the units each rests on. "
        "A coder's value is missing in transcripts they did not code. Overall pools the top codes' units."
        + (" n/a (" + "; ".join(notes) + ")." if notes else "")
    )


def _undefined_notes(result: Agreement, language: str) -> list[str]:
    """"kappa and alpha of every row: <reason>", one per reason and the figures it leaves undefined."""
    nb = language == "nb"
    names = FIGURE_NAMES[language]
    everyone = (*result.codes, result.overall)
    # (reason, the figures it leaves undefined) -> the rows where it does
    undefined: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for code in everyone:
        by_reason: dict[str, list[str]] = {}
        for name, figure in (("percent", code.percent), ("kappa", code.kappa), ("alpha", code.alpha)):
            if figure.value is None:
                by_reason.setdefault(figure.reason, []).append(names[name])
        for why, figures in by_reason.items():
            undefined.setdefault((why, tuple(figures)), []).append(row_label(code, result, language))
    and_ = labels(language)["and"]
    notes = []
    # Sorted by the English reason, so both languages list them in the same order.
    for (why, figures_named), codes in sorted(undefined.items()):
        if len(codes) == len(everyone):
            rows = "alle rader" if nb else "every row"
        else:
            more = len(codes) - 4
            rows = ", ".join(codes[:4]) + ((f" og {more} til" if nb else f" and {more} more") if more > 0 else "")
        notes.append(f"{f' {and_} '.join(figures_named)} {'i' if nb else 'of'} {rows}: {reason(why, language)}")
    return notes


def disagreements_caption(result: Agreement, language: str) -> str:
    """What a disagreement is."""
    unit = UNIT_NOUNS[language][result.unit][0]
    if language == "nb":
        every = "Hvert" if result.unit == "character" else "Hver"  # "tegn" is neuter
        return f"{every} {unit} der én av koderne ({listed(list(result.coders), 'nb')}) brukte en kode som en annen ikke brukte."
    return f"Each {unit} where one of {', '.join(result.coders)} applied a code another did not."
