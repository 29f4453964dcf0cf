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
    # A time written at the turn's marker that is no time ("25:61:99"): kept out of timestamp_ms,
    # and said once by the import (`unread_times_note`). The words stay in the text as written.
    unread_time: str | None = None


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
    # What reading changed or could not read, for the researcher: one sentence each.
    notes: list[str] = field(default_factory=list)


def tracked_changes_note(inserted: int, deleted: int) -> str | None:
    """The note for a document read with its tracked changes accepted."""
    parts = [f"{inserted} insertion{'s' if inserted != 1 else ''} kept"] if inserted else []
    parts += [f"{deleted} deletion{'s' if deleted != 1 else ''} left out"] if deleted else []
    return f"tracked changes read as accepted: {', '.join(parts)}" if parts else None


def left_out_note(counted: list[tuple[int, str, str]], application: str) -> str | None:
    """The note for what a document holds beside its text and was not read: (how many, singular,
    plural) of each kind, as "1 piece of hidden text and 2 text boxes left out …"."""
    left = [f"{number} {singular if number == 1 else plural}" for number, singular, plural in counted if number]
    if not left:
        return None
    listed = left[0] if len(left) == 1 else f"{', '.join(left[:-1])} and {left[-1]}"
    return f"{listed} left out, as not part of the transcript's text; check them in {application}"


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


def is_recording_time(value: str) -> bool:
    """Whether a time written in a transcript ("hh:mm:ss", "mm:ss", a fraction after . or ,) is one a
    recording shows: its seconds, and the minutes of an "hh:mm:ss", go to 59. Its first part is not
    capped: it is how far into the recording ("75:10" is 75 minutes in), and a recording may be long."""
    parts = value.replace(",", ".").partition(".")[0].split(":")
    return all(int(part) <= 59 for part in parts[1:])


def unread_times_note(text: str, turns: list[TurnSpan]) -> str | None:
    """One line naming the turns whose written time is no time, by the line of `text` it stands on
    and the time as written (never the speaker, which may be a name); None if there are none."""
    return unread_times_said([(text.count("\n", 0, text.rfind(turn.unread_time, 0, turn.start)) + 1, turn.unread_time)
                              for turn in turns if turn.unread_time])


def unread_times_said(unread: list[tuple[int, str]]) -> str | None:
    """The note for turns whose time as written is no time, each given as (line, time as written)."""
    if not unread:
        return None
    shown = ", ".join(f"line {line} ({time})" for line, time in unread[:SHOWN_UNREAD_TIMES])
    more = f" and {len(unread) - SHOWN_UNREAD_TIMES} more" if len(unread) > SHOWN_UNREAD_TIMES else ""
    said = "1 turn's time is no time" if len(unread) == 1 else f"{len(unread)} turns' times are no times"
    return f"{said} (minutes and seconds go to 59), so the {'turn has' if len(unread) == 1 else 'turns have'} none: {shown}{more}"


# Beyond these, the note says how many more: a transcript typed with a slip in every time is one note.
SHOWN_UNREAD_TIMES = 5
