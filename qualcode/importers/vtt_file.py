"""WebVTT (.vtt) transcripts from recording tools, read with webvtt-py; voice tags name speakers."""

from __future__ import annotations

import io
import re
from pathlib import Path

import webvtt
from webvtt.errors import MalformedFileError

from qualcode.errors import ImportFailed
from qualcode.importers.document import Block, ParsedDocument, assemble_blocks, parse_timestamp
from qualcode.importers.encoding import decode_text
from qualcode.importers.subtitle_speakers import split_speaker
from qualcode.text.normalise import normalise


def read_vtt_file(path: Path, *, encoding: str | None = None, marker: re.Pattern[str] | None = None) -> ParsedDocument:
    decoded = decode_text(path.read_bytes(), path.name, encoding)
    try:
        captions = webvtt.from_buffer(io.StringIO(normalise(decoded.text)))
    except (MalformedFileError, ValueError) as error:
        raise ImportFailed(f"{path.name} is not a valid WebVTT file: {error}", "check that it starts with WEBVTT") from None
    blocks = []
    for caption in captions.captions:
        speaker, text = (caption.voice, caption.text) if caption.voice else split_speaker(caption.text, marker)
        blocks.append(Block(speaker, text, parse_timestamp(caption.start)))
    text, turns = assemble_blocks(blocks)
    if not text.strip():
        raise ImportFailed(f"{path.name} contains no cues with text")
    return ParsedDocument(text=text, turns=turns, source_format="vtt", encoding=decoded.encoding, notes=decoded.notes)
