"""The one shape every format is read into: normalised text, speaker turns and metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qualcode.text.normalise import normalise


@dataclass(frozen=True)
class TurnSpan:
    """A speaker turn found in a text: what was said lies at text[start:end]."""

    speaker: str | None
    start: int
    end: int
    timestamp_ms: int | None = None


@dataclass(frozen=True)
class Block:
    """A piece of speech from a format that delivers turns itself (subtitles, tables)."""

    speaker: str | None
    text: str
    timestamp_ms: int | None = None


@dataclass
class ParsedDocument:
    """A file read and normalised, before it becomes a transcript in the project."""

    text: str
    turns: list[TurnSpan]
    source_format: str
    encoding: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def assemble_blocks(blocks: list[Block]) -> tuple[str, list[TurnSpan]]:
    """Lay blocks out as "Speaker: text" paragraphs, merging consecutive blocks of one speaker."""
    merged: list[Block] = []
    for block in blocks:
        text = " ".join(normalise(block.text).split())
        if not text:
            continue
        if merged and merged[-1].speaker == block.speaker and block.speaker is not None:
            previous = merged[-1]
            merged[-1] = Block(previous.speaker, f"{previous.text} {text}", previous.timestamp_ms)
        else:
            merged.append(Block(block.speaker, text, block.timestamp_ms))
    parts: list[str] = []
    turns: list[TurnSpan] = []
    position = 0
    for block in merged:
        prefix = f"{block.speaker}: " if block.speaker else ""
        start = position + len(prefix)
        parts.append(prefix + block.text)
        turns.append(TurnSpan(block.speaker, start, start + len(block.text), block.timestamp_ms))
        position += len(prefix) + len(block.text) + 2
    return "\n\n".join(parts) + ("\n" if parts else ""), turns


def parse_timestamp(value: str) -> int:
    """Milliseconds from "hh:mm:ss", "mm:ss" or either with a fraction after . or ,."""
    main, _, fraction = value.replace(",", ".").partition(".")
    seconds = 0
    for part in main.split(":"):
        seconds = seconds * 60 + int(part)
    millis = int((fraction + "000")[:3]) if fraction else 0
    return seconds * 1000 + millis
