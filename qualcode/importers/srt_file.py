"""SubRip (.srt) transcripts, read with the srt library."""

from __future__ import annotations

import re
from pathlib import Path

import srt

from qualcode.errors import ImportFailed
from qualcode.importers.document import Block, ParsedDocument, assemble_blocks
from qualcode.importers.encoding import decode_text
from qualcode.importers.subtitle_speakers import split_speaker
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
    try:
        subtitles = list(srt.parse(_INDENTED_CUE_START.sub("", normalise(decoded.text))))
    except srt.SRTParseError as error:
        raise ImportFailed(f"{path.name} is not a valid SRT file: {error}", "check the cue numbers and times") from None
    blocks = []
    for subtitle in subtitles:
        speaker, text = split_speaker(_FORMATTING.sub("", subtitle.content), marker)
        blocks.append(Block(speaker, text, int(subtitle.start.total_seconds() * 1000)))
    text, turns = assemble_blocks(blocks)
    if not text.strip():
        raise ImportFailed(f"{path.name} contains no subtitles with text")
    return ParsedDocument(text=text, turns=turns, source_format="srt", encoding=decoded.encoding, notes=decoded.notes)
