"""The counting rules every analysis table follows, in the words its caption and the README use.

Public: PASSAGE, OVERLAP, CODERS, ROLLUP, OWN_ONLY, ATTRIBUTION, WORDS, NO_VALUE, NO_INFORMANT, MISSING, PLACEHOLDERS,
RULES, RULES_NB, NAMES_NB, caption().

The Word report is written in bokmål or English: its tables carry the rules in its language.
"""

from __future__ import annotations

PASSAGE = "A passage is a stretch of a transcript's current text that one coder gave one code."
OVERLAP = (
    "Overlapping or touching codings of one code by one coder in one transcript, attributed to one participant,"
    " are one passage."
)
CODERS = "Two coders' codings of the same stretch count once per coder; --coder chooses coders."
ROLLUP = (
    "A code counts its own and its sub-codes' codings merged, so a stretch coded with both counts once;"
    " sub-codes are listed beneath it with their own counts."
)
ATTRIBUTION = (
    "A coding belongs to the participant (and their attributes) of the turn it starts in, or, begun in"
    " words of no participant (the interviewer's, a heading, a speaker linked to no one), to the first"
    " participant whose turn it reaches;"
    " filters choose codings before they are merged."
)
WORDS = ("Words coded are the whitespace-separated words of the passages' text, without the speaker labels of"
         " turns a passage runs on into.")
# The column of the participants (or transcripts) that have no value for an attribute, and of their passages:
# worded as the report words a role or round not given ("No stated role", "Uten oppgitt rolle").
NO_VALUE = "(not stated)"
# The column, in a split by a participant's attribute (role, office, participant ...), of the passages counted
# for no informant: in no participant's words (the interviewer's alone, a heading, a speaker linked to no one)
# or in a transcript without participants. Not NO_VALUE: that reads as informants without the attribute.
NO_INFORMANT = "(no informant)"
MISSING = (NO_VALUE, NO_INFORMANT)  # in this order after the values a column has

RULES = (PASSAGE, OVERLAP, CODERS, ROLLUP, ATTRIBUTION, WORDS)
RULES_NB = (
    "En passasje er et stykke av et intervjus gjeldende tekst som én koder har gitt én kode.",
    "Overlappende eller tilstøtende kodinger av én kode, av én koder i ett intervju og tilskrevet én informant,"
    " er én passasje.",
    "To koderes kodinger av samme stykke teller én gang per koder.",
    "En kode teller sine egne og underkodenes kodinger slått sammen, så et stykke kodet med begge teller én gang;"
    " underkodene står under den med egne tall.",
    "En koding hører til informanten (og informantens egenskaper) i turen den begynner i, eller, begynner den i"
    " ord som ingen informant sier (intervjuerens, en overskrift, en taler som ikke er knyttet til noen), til den"
    " første informanten hvis tur den når;"
    " filtrene velger kodinger før de slås sammen.",
    "Kodede ord er passasjenes ord, skilt av mellomrom, uten taleretiketten til turer en passasje går inn i.",
)
# The words a bokmål table uses for the columns a table is split by and what it counts. A participant of
# any role is an "informant", as the report's counts call them: "deltaker" is a role (a KVP participant).
NAMES_NB = {
    "role": "rolle", "wave": "runde", "office": "kontor", "gender": "kjønn", "age_band": "aldersgruppe",
    "fidelity": "transkripsjon", "participant": "informant", "transcript": "intervju", "coder": "koder",
    "passages": "passasjer", "participants": "informanter", "words": "ord",
    NO_VALUE: "(ikke oppgitt)", NO_INFORMANT: "(ingen informant)",
}
# What a table shows in place of a value, in either language: a value typed as one of these is shown apart
# from it (passages.column_value), or a participant's office typed "(not stated)" would be counted, and
# opened, as offices not given, and one typed "(ikke oppgitt)" head a second such column in a bokmål report.
PLACEHOLDERS = frozenset((*MISSING, *(NAMES_NB[value] for value in MISSING)))


# In place of ROLLUP when sub-codes are left out (--only): nothing is merged into a code.
OWN_ONLY = "Sub-codes are left out: a code counts its own codings only."
OWN_ONLY_NB = "Underkodene er utelatt: en kode teller bare sine egne kodinger."


def caption(*extra: str, language: str = "en", subcodes: bool = True) -> str:
    """The counting rules, after what is particular to one table (what a cell counts, the filters); with
    `subcodes` False (the table leaves them out) the rule of rolling sub-codes up is replaced."""
    rules = list(RULES_NB if language == "nb" else RULES)
    if not subcodes:
        rules[RULES.index(ROLLUP)] = OWN_ONLY_NB if language == "nb" else OWN_ONLY
    return " ".join([*(text for text in extra if text), *rules])
