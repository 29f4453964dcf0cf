"""What a table shows in place of a value, in English and bokmål, and how a filter tells it from a value typed so.

Public: NO_VALUE, NO_INFORMANT, NO_VALUE_NB, NO_INFORMANT_NB, MISSING, PLACEHOLDERS, TOTAL, TOTAL_NB, NOT_STATED,
as_typed(), typed_as(), value_holds().

Analysis tables (qualcode/analysis/rules.py) head the participants or transcripts without a value NO_VALUE,
and, split by a participant's attribute, the passages counted for no one NO_INFORMANT. A value typed as one
of these ("(not stated)" as an office) is shown in quotation marks (as_typed), a column of its own. A filter
(`--attribute NAME=VALUE`, the terminal UI's passage filter) reads them the same way: the bare label
chooses those without a value, the label in quotation marks the value typed so (typed_as). So is a value
typed as the heading of a table's total column (TOTAL, "Total"): as itself it was the total's key in JSON,
where the total's count took the place of the column's.
"""

from __future__ import annotations

# The column of the participants (or transcripts) that have no value for an attribute, and of their passages:
# worded as the report words a role or round not given ("No stated role", "Uten oppgitt rolle").
NO_VALUE = "(not stated)"
# The column, in a split by a participant's attribute (role, office, participant ...), of the passages counted
# for no informant: in no participant's words (the interviewer's alone, a heading, a speaker linked to no one)
# or in a transcript without participants. Not NO_VALUE: that reads as informants without the attribute.
NO_INFORMANT = "(no informant)"
NO_VALUE_NB = "(ikke oppgitt)"
NO_INFORMANT_NB = "(ingen informant)"
MISSING = (NO_VALUE, NO_INFORMANT)  # in this order after the values a column has
# What a table shows in place of a value, in either language.
PLACEHOLDERS = frozenset((NO_VALUE, NO_INFORMANT, NO_VALUE_NB, NO_INFORMANT_NB))
# The heading (and JSON key) of a table's total column, in either language.
TOTAL = "Total"
TOTAL_NB = "Totalt"
# What a filter writes for "without a value", in either language.
NOT_STATED = (NO_VALUE, NO_VALUE_NB)
_TAKEN = PLACEHOLDERS | {TOTAL, TOTAL_NB}  # what a value typed so is shown in quotation marks beside


def as_typed(value: str) -> str:
    """A stored value as a column shows it: in quotation marks if it reads as a placeholder ("(not stated)"
    typed as an office) or as the total's heading, so that it is never counted, opened or headed as the
    placeholder's column or the total."""
    return f'"{value}"' if value.strip('"') in _TAKEN else value


def typed_as(shown: str) -> str:
    """The stored value a filter names as a table shows it (as_typed's reverse): '"(not stated)"' is the
    value typed so; any other text is itself."""
    if len(shown) > 2 and shown[0] == shown[-1] == '"' and shown[1:-1].strip('"') in _TAKEN:
        return shown[1:-1]
    return shown


def value_holds(value: str | None, wanted: str | None, *, of_no_one: bool) -> bool:
    """Whether an attribute's `value` passes a filter for `wanted` (None: without a value, as the
    filter's NOT_STATED reads): the rows the tables' NO_VALUE column counts. `of_no_one`: the attribute
    is a participant's and the passage (or turn) counts for no one, so it is NO_INFORMANT's, not
    NO_VALUE's: nobody is there to lack it."""
    if wanted is not None:
        return value == wanted
    return not value and not of_no_one
