"""Find speaker turns in plain text: "I:", "Deltaker 2:", "[00:12:31] Kari:", "Kari (00:12:31):"."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from qualcode.errors import InvalidInput
from qualcode.importers.document import TurnSpan, is_recording_time, parse_timestamp
from qualcode.text.speakers import ROLE_LABELS, is_known_label
from qualcode.text.table_rows import TIME

# A role label in lower case too, as a hasty transcriber writes it ("d1:", "i:", "deltaker 2:"); a name
# only capitalised, so "det var sånn: …" in someone's speech stays speech.
_ROLE = rf"(?:{'|'.join(sorted(ROLE_LABELS, key=len, reverse=True))})(?: \d+)?|[a-zæøå]{{1,2}}\d+"
_LABEL = rf"[A-ZÆØÅ][\w.'\-]*(?: [A-ZÆØÅ0-9][\w.'\-]*){{0,2}}|(?:{_ROLE})(?![\w.'\-])"
# A marker at the start of a line, optionally in Markdown bold: [ts] Label (ts):, the time before
# the label also unbracketed when it has its seconds ("00:01:02 I: …", as transcription tools write it).
_MARKER = (
    r"^(?:\*\*|__)?(?:(?:(?P<bracket>\[)|(?=\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?[ \t]))(?P<time>{time})(?(bracket)\])[ \t]*)?"
    r"(?P<speaker>(?:{label}){marked})"
    r"(?:[ \t]*\((?P<time2>{time})\))?(?:\*\*|__)?[ \t]*:(?:\*\*|__)?(?:[ \t]+|$)"
)
# A word in brackets after a speaker's name, kept with the label as a .vtt's voice keeps it: Teams' guest ("Yonas Tesfaye
# (Gjest):"), an outside organisation ("Kari Hansen (NAV):"), a role ("Berntine (veileder):"). Without it, what they
# said was the speaker's before.
_MARKED = r"(?:[ \t]+\([^\W\d_]+\))?"
DEFAULT_MARKER = re.compile(_MARKER.format(time=TIME, label=_LABEL, marked=_MARKED), re.MULTILINE)
# Role labels written without a colon: in brackets ("[D1] Ja.", "[I]: Og?") or before a dash
# ("D1 - Ja.", "I – Og?"). Only a known role label counts so (`is_known_label`): "[LATTER]" or
# "[Pause]" opening a line is the transcriber's note, and "Ja - det" is speech.
OTHER_MARKER = re.compile(
    rf"^(?:\[(?P<time>{TIME})\][ \t]*)?(?:\[(?P<speaker>{_LABEL})\][ \t]*:?|(?P<dashed>{_LABEL})[ \t]+[-–—])(?:[ \t]+|$)",
    re.MULTILINE,
)


# A speaker and the time on a line of their own, what they said on the lines after, as Microsoft
# Teams writes a transcript (.docx or .txt): "Kari Nordmann   0:03". Taken only where a text has two
# or more, so "Klokka 12:30" alone on a line in someone's notes stays a line. A guest's or an outside
# organisation's name has its marker after it, kept with the label as a .vtt's voice keeps it ("Kari Nordmann
# (Gjest)   0:03", "Kari Hansen (NAV)   0:09"): without it, what a guest said was the speaker's before.
HEADED_MARKER = re.compile(rf"^(?P<speaker>(?:{_LABEL}){_MARKED})[ \t]+(?P<time>{TIME})[ \t]*\n", re.MULTILINE)


def _other_markers(text: str) -> list[re.Match[str]]:
    """OTHER_MARKER's matches whose label is a known role label, and HEADED_MARKER's where there are two."""
    headed = list(HEADED_MARKER.finditer(text))
    return [match for match in OTHER_MARKER.finditer(text) if is_known_label(speaker_of(match))] + (
        headed if len(headed) >= 2 else [])


def speaker_of(match: re.Match[str]) -> str:
    """The speaker a marker names, as written, whichever form it took; a role label abbreviated
    with a full stop ("Int.:") as it is without, so that it is known as the interviewer's."""
    label = (match.groupdict().get("dashed") or match.group("speaker")).strip()
    # A role label with a word in brackets after it ("D1 (deltaker):", "Intervjuer (NAV):") is the role's: it is
    # linked to the participant it names as the bare label is.
    bare = re.sub(r"[ \t]+\([^\W\d_]+\)$", "", label)
    return bare.rstrip(".") if is_known_label(bare) else label



def compile_marker(pattern: str) -> re.Pattern[str]:
    """A researcher's own turn marker; it must have a (?P<speaker>...) group."""
    try:
        compiled = re.compile(pattern, re.MULTILINE)
    except re.error as error:
        raise InvalidInput(f"turn pattern {pattern!r} is not a valid regular expression: {error}") from None
    if "speaker" not in compiled.groupindex:
        raise InvalidInput(
            f"turn pattern {pattern!r} has no speaker group", "name it, as in (?P<speaker>\\w+):"
        )
    if not pattern.startswith("^"):
        compiled = re.compile("^" + pattern, re.MULTILINE)
    return compiled


def named_marker(named: Iterable[str]) -> re.Pattern[str] | None:
    """A marker for the labels a transcript's metadata names (its `speakers:` map), in any case and
    whatever they are ("siri:", "Ola Normann:"); None if it names none."""
    labels = sorted({label.strip() for label in named if label.strip()}, key=len, reverse=True)
    if not labels:
        return None
    label = "(?i:" + "|".join(re.escape(label) for label in labels) + r")(?![\w.'\-])"
    return re.compile(_MARKER.format(time=TIME, label=label, marked=""), re.MULTILINE)


def detect_turns(text: str, marker: re.Pattern[str] | None = None, named: Iterable[str] = ()) -> list[TurnSpan]:
    """Turns from marker lines; text before the first marker is a header, not a turn.

    With the default marker, labels count only if at least one of them is a known role label,
    carries a timestamp or marks two lines, so a lone "Tema: medvirkning" in a set of notes
    does not become a speaker; labels before the first such marker are a header. Labels in
    `named` (those the metadata maps to participants) are speakers however they are written.
    A text with no markers at all is split into paragraphs, each a turn without a speaker.
    """
    pattern = marker or DEFAULT_MARKER
    matches = list(pattern.finditer(text))
    if marker is None:
        by_name = named_marker(named)
        mapped = list(by_name.finditer(text)) if by_name is not None else []
        starts = {match.start() for match in mapped}
        matches = mapped + [match for match in matches if match.start() not in starts]
        starts |= {match.start() for match in matches}
        matches = sorted(matches + [match for match in _other_markers(text) if match.start() not in starts], key=lambda match: match.start())
        counts = Counter(speaker_of(match) for match in matches)
        strong = [
            index for index, m in enumerate(matches)
            if counts[speaker_of(m)] >= 2 or is_known_label(speaker_of(m)) or m.groupdict().get("time") or m.groupdict().get("time2")
            or m.re is by_name
        ]
        # A heading such as "Transkripsjon: D2" above the first real marker stays a header.
        matches = matches[strong[0]:] if strong else []
    if not matches:
        return paragraph_turns(text)
    turns = []
    for index, match in enumerate(matches):
        limit = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        start, end = _strip(text, match.end(), limit)
        if start >= end:
            continue
        groups = match.groupdict()
        stamp = groups.get("time") or groups.get("time2")
        if stamp and not is_recording_time(stamp):  # "[25:61:99] Kari:" is still Kari's turn, at no time
            turns.append(TurnSpan(speaker_of(match), start, end, None, stamp))
        else:
            turns.append(TurnSpan(speaker_of(match), start, end, parse_timestamp(stamp) if stamp else None))
    return turns


def paragraph_turns(text: str) -> list[TurnSpan]:
    """Paragraphs (separated by blank lines) as turns without a speaker."""
    turns = []
    for paragraph in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text):
        start, end = _strip(text, paragraph.start(), paragraph.end())
        if start < end:
            turns.append(TurnSpan(None, start, end))
    return turns


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
