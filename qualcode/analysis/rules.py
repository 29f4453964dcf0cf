"""The counting rules every analysis table follows, in the words its caption and the README use.

Public: PASSAGE, OVERLAP, CODERS, ROLLUP, OWN_ONLY, ATTRIBUTION, WORDS, NO_VALUE, NO_INFORMANT, MISSING, PLACEHOLDERS,
RULES, RULES_NB, NAMES_NB, caption().

The Word report is written in bokmål or English: its tables carry the rules in its language.
"""

from __future__ import annotations

# Re-exported (as X as X): the tables read every word of theirs from here.
from qualcode.coding.missing import MISSING as MISSING
from qualcode.coding.missing import NO_INFORMANT as NO_INFORMANT
from qualcode.coding.missing import NO_INFORMANT_NB, NO_VALUE_NB
from qualcode.coding.missing import NO_VALUE as NO_VALUE
from qualcode.coding.missing import PLACEHOLDERS as PLACEHOLDERS

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
# The columns of the participants (or transcripts) without a value, NO_VALUE, and of the passages counted for
# no informant, NO_INFORMANT, in both languages: coding/missing.py, where a filter reads them too.

RULES = (PASSAGE, OVERLAP, CODERS, ROLLUP, ATTRIBUTION, WORDS)
RULES_NB = (
    "En passasje er et stykke av et intervjus gjeldende tekst som én koder har gitt én kode.",
    "Overlappende eller tilstøtende kodinger av én kode, av én koder i ett intervju og tilskrevet én informant,"
    " er én passasje.",
    "To koderes kodinger av samme stykke teller én gang per koder.",
    "En kode teller sine egne og underkodenes kodinger slått sammen, så et stykke kodet med begge teller én gang;"
    " underkodene står under den med egne tall.",
    "En koding hører til informanten (og informantens egenskaper) i taleturen den begynner i, eller, begynner den i"
    " ord som ingen informant sier (intervjuerens, en overskrift, en taler som ikke er knyttet til noen), til den"
    " første informanten hvis taletur den når;"
    " filtrene velger kodinger før de slås sammen.",
    "Kodede ord er passasjenes ord, skilt av mellomrom, uten taleretiketten til taleturer en passasje går inn i.",
)
# The words a bokmål table uses for the columns a table is split by and what it counts. A participant of
# any role is an "informant", as the report's counts call them: "deltaker" is a role (a KVP participant).
NAMES_NB = {
    "role": "rolle", "wave": "runde", "office": "kontor", "gender": "kjønn", "age_band": "aldersgruppe",
    "fidelity": "transkripsjon", "participant": "informant", "transcript": "intervju", "coder": "koder",
    "passages": "passasjer", "participants": "informanter", "words": "ord",
    NO_VALUE: NO_VALUE_NB, NO_INFORMANT: NO_INFORMANT_NB,
}
# What a table shows in place of a value, in either language (PLACEHOLDERS): a value typed as one of these is
# shown apart from it (passages.column_value), or a participant's office typed "(not stated)" would be counted,
# and opened, as offices not given, and one typed "(ikke oppgitt)" head a second such column in a bokmål report.


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
