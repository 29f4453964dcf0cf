"""The words qualcode itself writes into exports as labels: a report's headings and lead words, a
quote table's column names, a .qdpx note's title where the memo has none.

They are no one's name, whoever the key holds: a nickname that is also one of them ("Memo", for
Mehmet) is pseudonymised wherever the texts say it, while the label, where qualcode writes it, passes
the leak check (anonymise.leakcheck). Kept here, below the exporters and the leak check alike, so both
read the one list.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "subtitle": "Sitatsamling", "selection": "Utvalg", "all_codes": "alle koder", "made": "Laget",
        "contents": "Innhold", "method": "Om materialet og utvalget", "codebook": "Kodebok",
        "code": "Kode", "definition": "Definisjon", "inclusion": "Inkluder", "exclusion": "Ekskluder",
        "passages": "Utsagn", "quotes": "Sitater", "informants": "Informanter", "role": "Rolle", "count": "Antall",
        "memo": "Notat", "context_before": "Før", "context_after": "Etter", "line": "linje",
        "page": "Side", "no_role": "Uten oppgitt rolle", "informant": "En informant", "coded_by": "kodet av",
        "roles": "roller", "waves": "runder", "participants": "informanter", "transcripts": "transkripsjoner",
        "coders": "kodere", "query": "søk", "cap": "høyst {cap} per informant under hver kode",
        "shown": "Vist her",
        "and": "og",
    },
    "en": {
        "subtitle": "Quote collection", "selection": "Selection", "all_codes": "all codes", "made": "Made",
        "contents": "Contents", "method": "About the material and the selection", "codebook": "Codebook",
        "code": "Code", "definition": "Definition", "inclusion": "Include", "exclusion": "Exclude",
        "passages": "Passages", "quotes": "Quotes", "informants": "Informants", "role": "Role", "count": "Count",
        "memo": "Memo", "context_before": "Before", "context_after": "After", "line": "line",
        "page": "Page", "no_role": "No stated role", "informant": "An informant", "coded_by": "coded by",
        "roles": "roles", "waves": "rounds", "participants": "informants", "transcripts": "transcripts",
        "coders": "coders", "query": "search", "cap": "at most {cap} per informant under each code",
        "shown": "Shown here",
        "and": "and",
    },
}

# An agreement document's headings and its table's column names (`agreement --docx`). The English ones
# are the terminal's too, and a table's JSON keys, so they stay as scripts read them.
AGREEMENT_LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "title": "Samsvar mellom kodere", "code": "Kode", "units": "Enheter", "percent": "Prosentvis samsvar",
        "kappa": "Kappa", "kappa_units": "κ n", "alpha": "Alfa", "alpha_units": "α n", "overall": "Samlet",
        "disagreements": "Uenigheter", "undefined": "–",
    },
    "en": {
        "title": "Intercoder agreement", "code": "Code", "units": "units", "percent": "agree %",
        "kappa": "kappa", "kappa_units": "κ n", "alpha": "alpha", "alpha_units": "α n", "overall": "Overall",
        "disagreements": "Disagreements", "undefined": "n/a",
    },
}

# What a report adds to the attribution of a quote from a text that is not the informant's own words (its
# fidelity): a referat or field notes are the researcher's wording, never to be read as a verbatim quote.
NOT_VERBATIM: dict[str, dict[str, str]] = {
    "nb": {"referat": "fra referat", "fieldnotes": "fra feltnotater"},
    "en": {"referat": "from an interview summary", "fieldnotes": "from field notes"},
}

# A quote table's columns, less those made from the project: a level per code level after "ref", and
# an attribute's name at the end.
QUOTE_COLUMNS = (
    "ref", "code_path", "quote", "attribution", "participant", "role", "office", "gender", "age_band", "wave",
    "date", "fidelity", "transcript", "speaker", "line", "turn", "start", "end", "coder", "memo",
)
# A REFI-QDA note must have a name; a memo without a title gets this one.
UNTITLED_NOTE = "memo"

OWN_LABELS = frozenset({
    *(label for words in (*LABELS.values(), *AGREEMENT_LABELS.values(), *NOT_VERBATIM.values()) for label in words.values()), *QUOTE_COLUMNS, UNTITLED_NOTE,
})
