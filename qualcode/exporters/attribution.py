"""Attribution of quotes, from generic role labels to full internal references."""

from __future__ import annotations

import string
from functools import lru_cache

from qualcode.coding.passages import Quote, Voice
from qualcode.errors import InvalidInput
from qualcode.exporters.labels import ROLE_LABELS, ROLE_NAMES, role_key
from qualcode.text.export_words import LABELS, NOT_VERBATIM

TEMPLATES = {
    "role": "{role_label}",
    "role-office": "{role_name}, {office}",
    "role-wave": "{role_name}, {wave}",
    "full": "{participant}, {wave}, {transcript}, {line_label} {line}",
}
# Who asks the questions is no informant: their speech is labelled as theirs, never "En informant".
INTERVIEWER = {"nb": "Intervjuer", "en": "Interviewer"}
FIELDS = {"role_label", "role_name", "role", "office", "participant", "wave", "date", "transcript", "line", "line_label", "speaker"}


@lru_cache(maxsize=64)
def check_template(template: str) -> str:
    """A named template or a custom one made of the known {fields}."""
    chosen = TEMPLATES.get(template, template)
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(chosen) if name}
    except ValueError as error:
        raise InvalidInput(f"attribution template {template!r} is malformed: {error}") from None
    unknown = names - FIELDS
    if unknown:
        raise InvalidInput(
            f"attribution template {template!r} uses unknown field {sorted(unknown)[0]!r}",
            "named templates: " + ", ".join(TEMPLATES) + "; fields: " + ", ".join(sorted(FIELDS)),
        )
    try:  # nested fields in a format spec ("{role:>{x}}") and bad specs show only when formatting
        chosen.format(**{field: 1 if field == "line" else "x" for field in FIELDS})
    except (KeyError, ValueError, IndexError, AttributeError, TypeError) as error:
        raise InvalidInput(f"attribution template {template!r} cannot be filled in: {error}", "use plain {fields}") from None
    return chosen


def attribute(quote: Quote, template: str, language: str) -> str:
    return _attributed(quote, None, template, language)


def attribute_speakers(quote: Quote, template: str, language: str) -> str:
    """The quote's attribution, and each other speaker's whose turn it runs on into, in order:
    a passage of a group interview is attributed to everyone it quotes."""
    labels = [attribute(quote, template, language)]
    labels += [_attributed(quote, voice, template, language) for voice in quote.also_spoken_by]
    label = "; ".join(label for label in labels if label)
    # Notes are the researcher's wording: said beside whose, so a paraphrase is not read as their words.
    source = NOT_VERBATIM[language].get(quote.fidelity or "")
    return f"{label}, {source}" if label and source else label or source or ""


def speaker_label(quote: Quote, voice: Voice | None, template: str, language: str) -> str:
    """Who speaks a later turn inside `quote` (`voice`; None: the quote's own speaker), named as the
    attribution names them, without where in the transcript (the attribution after says that)."""
    return _attributed(quote, voice, template, language, placed=False)


def _attributed(quote: Quote, voice: Voice | None, template: str, language: str, *, placed: bool = True) -> str:
    """The attribution of the quote's speaker (`voice` None) or of another speaker in it; `placed`
    with where in the transcript (its date, transcript and line)."""
    # The quote's own speaker is who speaks where it begins: the interviewer, say, where the quote
    # counts for the participant who answered (Quote.lead).
    who: Quote | Voice = (quote.lead or quote) if voice is None else voice
    if voice is None and quote.lead is not None and quote.turn is None:
        return ""  # a heading the quote begins with is no one's words: those after it are attributed
    if not who.interviewer and who.participant is None and not who.speaker:
        # No one's words: a heading, or notes of a group without speaker labels. The analysis counts
        # them for no informant, so no quote credits them to "En informant" either.
        return ""
    # The interviewer is named as the interviewer, never by the transcript's label ("I", "Forsker"),
    # which `full` would print where a participant's id stands.
    named = INTERVIEWER[language] if who.interviewer else who.participant or who.speaker or ""
    fields = {"office": who.office or "", "participant": named, "wave": quote.wave or "", "speaker": who.speaker or ""}
    if placed:
        fields |= {"date": quote.interview_date.isoformat() if quote.interview_date else "", "transcript": quote.transcript,
                   "line": str(who.line), "line_label": LABELS[language]["line"]}
    return _filled(template, language, who.role, interviewer=who.interviewer, fields=fields)


def group_label(template: str, language: str, role: str | None, office: str | None, wave: str | None) -> str:
    """The label a quote by someone with this role, office and round gets, as `attribute` prints it, the fields
    that differ from quote to quote (line, transcript, date) left out: what a small-group warning names."""
    return _filled(template, language, role, fields={"office": office or "", "wave": wave or ""})


def _filled(template: str, language: str, role_value: str | None, *, fields: dict[str, str], interviewer: bool = False) -> str:
    role = role_key(role_value or "")
    values = dict.fromkeys(FIELDS, "") | fields | ({
        "role_label": INTERVIEWER[language], "role_name": INTERVIEWER[language], "role": INTERVIEWER[language].lower(),
    } if interviewer else {
        "role_label": ROLE_LABELS[language].get(role, LABELS[language]["informant"]),
        "role_name": ROLE_NAMES[language].get(role, (role_value or LABELS[language]["informant"]).capitalize()),
        "role": role_value or "",
    })
    text = check_template(template).format(**values)
    # A field with no value leaves ", ," behind; tidy it instead of printing holes.
    parts = [part.strip() for part in text.split(",")]
    return ", ".join(part for part in parts if part)
