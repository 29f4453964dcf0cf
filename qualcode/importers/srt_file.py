"""SubRip (.srt) transcripts, read with the srt library."""

from __future__ import annotations

import re
from pathlib import Path

import srt

from qualcode.errors import ImportFailed
from qualcode.importers.document import ParsedDocument, assemble_blocks, unread_times_said
from qualcode.importers.subtitle_speakers import CueSpeakers
from qualcode.text.character_references import read_references
from qualcode.text.encoding import decode_text
from qualcode.text.normalise import normalise

# Formatting in a cue, not words: <i> <b> <u> <font …> and their ends, and ASS-style overrides
# such as {\an8}. Left in, they stand in the quote and part a name from what finds it.
_FORMATTING = re.compile(r"</?(?:i|b|u|s|font)(?:\s[^<>]*)?>|\{\\[^{}]*\}", re.IGNORECASE)
# Indentation before a cue number or timing line. The srt library ends a cue where the next cue's
# number and timing begin a line, so an indented one would be read as text of the cue before it.
_INDENTED_CUE_START = re.compile(
    rf"^[ \t]+(?=(?:{srt.RGX_INDEX})[ \t]*\n[ \t]*{srt.RGX_TIMESTAMP} *-[ -] *>|{srt.RGX_TIMESTAMP} *-[ -] *>)",
    re.MULTILINE,
)


def read_srt_file(path: Path, *, encoding: str | None = None, marker: re.Pattern[str] | None = None) -> ParsedDocument:
    decoded = decode_text(path.read_bytes(), path.name, encoding)
    content = _INDENTED_CUE_START.sub("", normalise(decoded.text))
    _refuse_untimed_cue(content, path.name)
    try:
        subtitles = list(srt.parse(content))
    except srt.SRTParseError as error:
        raise ImportFailed(f"{path.name} is not a valid SRT file: {error}", "check the cue numbers and times") from None
    # Escapes (&Oslash; &aring; &nbsp;), as subtitles made from web pages and WebVTT hold them, are
    # read as a player shows them before speakers and names are looked for, as a .vtt cue's are.
    cue_texts = [read_references(_FORMATTING.sub("", subtitle.content)) for subtitle in subtitles]
    speakers = CueSpeakers(cue_texts, marker)
    # The srt library reads "00:61:01,000" as 1:01:01 and "00:00:99,000" as 1:39: a time no
    # recording shows, stored as one, as a time typed in a .txt transcript was (importers/turns.py).
    unread = _unread_starts(content)
    blocks = [
        block for cue, (subtitle, cue_text) in enumerate(zip(subtitles, cue_texts, strict=True))
        for block in speakers.blocks(cue_text, None if cue in unread else int(subtitle.start.total_seconds() * 1000))
    ]
    text, turns = assemble_blocks(blocks)
    if not text.strip():
        raise ImportFailed(f"{path.name} contains no subtitles with text")
    notes = decoded.notes + [said for said in [unread_times_said(list(unread.values()))] if said]
    return ParsedDocument(text=text, turns=turns, source_format="srt", encoding=decoded.encoding, notes=notes)


def _unread_starts(content: str) -> dict[int, tuple[int, str]]:
    """The cues (by their place among those srt.parse reads, with the same pattern) whose start is
    no time, minutes or seconds past 59, each as (line, time as written), to be kept untimed."""
    unread = {}
    for cue, match in enumerate(srt.SRT_REGEX.finditer(content)):
        written = match.group(2)
        fields = srt.TS_REGEX.match(written)
        if fields is not None and (int(fields.group(2)) > 59 or int(fields.group(3)) > 59):
            unread[cue] = (content.count("\n", 0, match.start(2)) + 1, written)
    return unread


# A cue's number on a line of its own after a blank line (or at the start), and the line under it.
_NUMBERED = re.compile(r"(?:\A|\n[ \t]*\n)[ \t]*(?P<number>\d+)[ \t]*(?:\n(?P<next>[^\n]*)|\Z)")
_TIMING_LINE = re.compile(rf"[ \t]*{srt.RGX_TIMESTAMP} *-[ -] *>")


def _refuse_untimed_cue(content: str, file_name: str) -> None:
    """Refuse a numbered cue without its timing line: the srt library reads its number and text as
    more text of the cue before it, so its words would stand in another cue, under another time."""
    for cue in _NUMBERED.finditer(content):
        if cue.group("next") is None or not _TIMING_LINE.match(cue.group("next")):
            line = content.count("\n", 0, cue.start("number")) + 1
            raise ImportFailed(
                f"{file_name} line {line}: cue {cue.group('number')} has no timing line, so its text would join the cue before it",
                "add one under its number, as 00:00:05,000 --> 00:00:08,000",
            )
