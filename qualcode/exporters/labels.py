"""Report wording in Norwegian bokmål (the default) and English."""

from __future__ import annotations

from qualcode.errors import InvalidInput

LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "subtitle": "Sitatsamling", "selection": "Utvalg", "all_codes": "alle koder", "made": "Laget",
        "contents": "Innhold", "method": "Om materialet og utvalget", "codebook": "Kodebok",
        "code": "Kode", "definition": "Definisjon", "inclusion": "Inkluder", "exclusion": "Ekskluder",
        "passages": "Utsagn", "participants": "Deltakere", "role": "Rolle", "count": "Antall",
        "memo": "Notat", "context_before": "Før", "context_after": "Etter", "line": "linje",
        "page": "Side", "no_role": "ukjent rolle", "informant": "En informant",
        "method_text": (
            "Materialet består av {transcripts} transkripsjoner og referater fra {participants} informanter "
            "({roles}), fra {waves}. Kodingen er gjort av {coders}. Utvalget under inneholder {quotes} sitater "
            "fra {quoted_transcripts} av dem. Tallene er antall, ikke prosent, fordi gruppene er små."
        ),
        "reviewers_text": "Utkast er kommentert av {reviewers}; kommentarene er lest inn som notater.",
        "rounds": "runde", "no_rounds": "ingen oppgitte runder", "and": "og",
    },
    "en": {
        "subtitle": "Quote collection", "selection": "Selection", "all_codes": "all codes", "made": "Made",
        "contents": "Contents", "method": "About the material and the selection", "codebook": "Codebook",
        "code": "Code", "definition": "Definition", "inclusion": "Include", "exclusion": "Exclude",
        "passages": "Passages", "participants": "Participants", "role": "Role", "count": "Count",
        "memo": "Memo", "context_before": "Before", "context_after": "After", "line": "line",
        "page": "Page", "no_role": "unknown role", "informant": "An informant",
        "method_text": (
            "The material consists of {transcripts} transcripts and notes from {participants} informants "
            "({roles}), from {waves}. Coding was done by {coders}. The selection below holds {quotes} quotes "
            "from {quoted_transcripts} of them. Figures are counts, not percentages, because the groups are small."
        ),
        "reviewers_text": "Drafts were commented on by {reviewers}; their comments are kept as memos.",
        "rounds": "round", "no_rounds": "no stated rounds", "and": "and",
    },
}

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


def labels(language: str) -> dict[str, str]:
    if language not in LABELS:
        raise InvalidInput(f"language {language!r} is not one of {', '.join(LABELS)}")
    return LABELS[language]
