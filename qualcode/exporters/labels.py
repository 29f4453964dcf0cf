"""Report wording in Norwegian bokmål (the default) and English, and the method note's sentences."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from qualcode.errors import InvalidInput
from qualcode.text.counts import counted
from qualcode.text.export_words import LABELS

# Generic role labels as Norwegian evaluation reports write them.
ROLE_LABELS = {
    "nb": {"deltaker": "En deltaker", "veileder": "En veileder", "leder": "En leder", "medforsker": "En medforsker",
           "kvp-ansvarlig": "En KVP-ansvarlig", "tiltaksarrangør": "En tiltaksarrangør"},
    "en": {"deltaker": "A participant", "veileder": "A caseworker", "leder": "A manager", "medforsker": "A co-researcher",
           "kvp-ansvarlig": "A KVP coordinator", "tiltaksarrangør": "A provider"},
}
ROLE_NAMES = {
    "nb": {"deltaker": "Deltaker", "veileder": "Veileder", "leder": "Leder", "medforsker": "Medforsker"},
    "en": {"deltaker": "Participant", "veileder": "Caseworker", "leder": "Manager", "medforsker": "Co-researcher"},
}

# The roles as nynorsk writes them, which a report in bokmål or English labels as their bokmål names: a team
# in a nynorsk office gave "deltakar" and "rettleiar", and every quote was "En informant".
NYNORSK_ROLES = {"deltakar": "deltaker", "rettleiar": "veileder", "veiledar": "veileder", "leiar": "leder",
                 "medforskar": "medforsker", "tiltaksarrangør": "tiltaksarrangør"}


def role_key(role: str) -> str:
    """A role as the label tables name it: in lower case, a nynorsk role by its bokmål name."""
    folded = role.strip().lower()
    return NYNORSK_ROLES.get(folded, folded)


def labels(language: str) -> dict[str, str]:
    if language not in LABELS:
        raise InvalidInput(f"language {language!r} is not one of {', '.join(LABELS)}")
    return LABELS[language]

# Role nouns for counts, singular and plural: "1 veileder", "3 veiledere".
ROLE_NOUNS = {
    "nb": {"deltaker": ("deltaker", "deltakere"), "veileder": ("veileder", "veiledere"), "leder": ("leder", "ledere"),
           "medforsker": ("medforsker", "medforskere"), "kvp-ansvarlig": ("KVP-ansvarlig", "KVP-ansvarlige"),
           "tiltaksarrangør": ("tiltaksarrangør", "tiltaksarrangører")},
    "en": {"deltaker": ("participant", "participants"), "veileder": ("caseworker", "caseworkers"),
           "leder": ("manager", "managers"), "medforsker": ("co-researcher", "co-researchers"),
           "kvp-ansvarlig": ("KVP coordinator", "KVP coordinators"), "tiltaksarrangør": ("provider", "providers")},
}
# The kinds of text a transcript can be (its fidelity), as singular, plural and "the ..." plural;
# None is a text whose kind is not stated.
DOCUMENT_NOUNS: dict[str, dict[str | None, tuple[str, str, str]]] = {
    "nb": {"transcript": ("transkripsjon", "transkripsjoner", "transkripsjonene"),
           "referat": ("referat", "referater", "referatene"),
           "fieldnotes": ("feltnotat", "feltnotater", "feltnotatene"),
           "comments": ("kommentar", "kommentarer", "kommentarene"),
           None: ("tekst av ukjent type", "tekster av ukjent type", "tekstene")},
    "en": {"transcript": ("transcript", "transcripts", "transcripts"),
           "referat": ("interview summary", "interview summaries", "interview summaries"),
           "fieldnotes": ("field note", "field notes", "field notes"),
           "comments": ("written comment", "written comments", "written comments"),
           None: ("text of unstated kind", "texts of unstated kind", "texts")},
}
MIXED_DOCUMENTS = {"nb": "tekstene", "en": "texts"}


@dataclass(frozen=True)
class MethodFacts:
    """What the method note may say: whatever of it is known, and nothing else."""

    documents: Mapping[str | None, int]  # texts in the project by kind (fidelity)
    informants: Mapping[str | None, int]  # people linked to the texts, by role
    waves: tuple[str, ...]  # interview rounds named on the texts
    without_wave: int  # texts with no round
    coders: tuple[str, ...]
    reviewers: tuple[str, ...]
    quotes: int
    quoted_documents: int
    interview_dates: tuple[date | None, ...] = ()  # each quoted text's interview date, None where none is stated


def decimal(value: float, spec: str, language: str) -> str:
    """A number formatted by `spec` (".1f", "g") as the report writes it: with a decimal comma in bokmål."""
    written = format(value, spec)
    return written.replace(".", ",") if language == "nb" else written


def kappa_label(name: str, nb: bool) -> str:
    """The statistic's name as a Norwegian report writes it."""
    return name.replace("Cohen's kappa", "Cohens kappa").replace("Krippendorff's alpha", "Krippendorffs alfa") if nb else name


def listed(names: list[str], language: str) -> str:
    """"A, B og C" in the report's language."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {LABELS[language]['and']} {names[-1]}"


def _role_count(role: str | None, count: int, language: str) -> str:
    if role is None or not role.strip():
        return f"{count} " + ("uten oppgitt rolle" if language == "nb" else "with no stated role")
    known = ROLE_NOUNS[language].get(role_key(role))
    if known is None:
        return f"{count} " + (f"med rollen {role}" if language == "nb" else f"with the role {role}")
    return counted(count, *known)


def _kind(fidelity: str | None, language: str) -> str | None:
    return fidelity if fidelity in DOCUMENT_NOUNS[language] else None


def method_note(facts: MethodFacts, language: str) -> str:
    """The method note's sentences, each one true and grammatical for what is known; what is unknown is left out."""
    nb = language == "nb"
    nouns = DOCUMENT_NOUNS[language]
    kinds: dict[str | None, int] = {}
    for fidelity, count in facts.documents.items():
        if count:
            kinds[_kind(fidelity, language)] = kinds.get(_kind(fidelity, language), 0) + count
    order = [kind for kind in nouns if kind in kinds]
    total = sum(kinds.values())
    sentences = []
    if total:
        material = listed([counted(kinds[kind], *nouns[kind][:2]) for kind in order], language)
        people = sum(facts.informants.values())
        if people:
            informant = counted(people, "informant", "informanter" if nb else "informants")
            roles = sorted(((role, count) for role, count in facts.informants.items() if count),
                           key=lambda item: (item[0] is None or not item[0].strip(), -item[1], item[0] or ""))
            if any(role for role, _ in roles):
                informant += f" ({listed([_role_count(role, count, language) for role, count in roles], language)})"
            material += (" fra " if nb else " from ") + informant
        sentences.append(("Materialet består av " if nb else "The material consists of ") + material + ".")
    if facts.waves:
        rounds = listed(list(facts.waves), language)
        rounds = (f"runde {rounds}" if len(facts.waves) == 1 else f"rundene {rounds}") if nb else \
            (f"round {rounds}" if len(facts.waves) == 1 else f"rounds {rounds}")
        if not facts.without_wave:
            sentences.append(f"Alt materialet er fra {rounds}." if nb else f"All of the material is from {rounds}.")
        else:
            sentences.append(
                f"Der runden er oppgitt, er materialet fra {rounds}; {facts.without_wave} av {total} har ingen oppgitt runde."
                if nb else
                f"Where the round is stated, the material is from {rounds}; {facts.without_wave} of {total} have no stated round."
            )
    if facts.coders:
        coders = listed(list(facts.coders), language)
        sentences.append(f"Kodingen er gjort av {coders}." if nb else f"Coding was done by {coders}.")
    if facts.quotes:
        quotes = counted(facts.quotes, "sitat", "sitater") if nb else counted(facts.quotes, "quote", "quotes")
        collective = nouns[order[0]][2] if len(order) == 1 else MIXED_DOCUMENTS[language]
        quoted = facts.quoted_documents
        if total < 2 or not 0 < quoted <= total:  # one text, or counts that cannot be put as "k of n"
            source = ""
        elif quoted == total:
            source = f" fra alle de {total} {collective}" if nb else f" from all {total} {collective}"
        else:
            source = f" fra {quoted} av de {total} {collective}" if nb else f" from {quoted} of the {total} {collective}"
        sentences.append(f"Utvalget under inneholder {quotes}{source}." if nb else f"The selection below holds {quotes}{source}.")
        period = _period(facts.interview_dates, language)
        if period:
            sentences.append(period)
        sentences.append("Tallene er antall, ikke prosent, fordi gruppene er små." if nb else
                         "Figures are counts, not percentages, because the groups are small.")
    if facts.reviewers:
        reviewers = listed(list(facts.reviewers), language)
        sentences.append(f"Utkast er kommentert av {reviewers}; kommentarene er lest inn som notater." if nb else
                         f"Drafts were commented on by {reviewers}; their comments are kept as memos.")
    return " ".join(sentences)


def _period(interview_dates: tuple[date | None, ...], language: str) -> str | None:
    """When the quoted interviews were held, as dates written as the report writes them (YYYY-MM-DD):
    one date if every one was held that day, the first and the last otherwise; None if none is dated."""
    nb = language == "nb"
    dated = [day for day in interview_dates if day is not None]
    if not dated:
        return None
    first, last = min(dated), max(dated)
    if len(dated) == 1:  # one dated, beside undated ones too: one interview
        held = f"et intervju gjort {first}" if nb else f"an interview held on {first}"
    elif first == last:
        held = f"intervjuer gjort {first}" if nb else f"interviews held on {first}"
    else:
        held = f"intervjuer gjort mellom {first} og {last}" if nb else f"interviews held between {first} and {last}"
    undated = len(interview_dates) - len(dated)
    if not undated:
        return f"Sitatene er hentet fra {held}." if nb else f"The quotes come from {held}."
    return (f"Der datoen er oppgitt, er sitatene hentet fra {held}; {undated} av {len(interview_dates)} har ingen oppgitt dato."
            if nb else
            f"Where the date is stated, the quotes come from {held}; {undated} of {len(interview_dates)} "
            f"{'has' if undated == 1 else 'have'} no stated date.")
