"""WebVTT (.vtt) transcripts from recording tools, read with webvtt-py; voice tags name speakers."""

from __future__ import annotations

import io
import re
from pathlib import Path

import webvtt
from webvtt.errors import MalformedFileError
from webvtt.models import Caption

from qualcode.errors import ImportFailed
from qualcode.importers.document import (
    Block,
    ParsedDocument,
    assemble_blocks,
    is_recording_time,
    parse_timestamp,
    unread_times_said,
)
from qualcode.importers.subtitle_speakers import CueSpeakers
from qualcode.text.character_references import read_references
from qualcode.text.encoding import decode_text
from qualcode.text.normalise import normalise

# A cue timing line as webvtt-py reads one, but with a comma before the milliseconds allowed too,
# as files converted from .srt have it: webvtt-py skips a cue it cannot time, and its text with it.
_TIMESTAMP = r"(?:\d+:)?\d{1,2}:\d{1,2}[.,]\d{1,3}"
_TIMING = re.compile(rf"\s*{_TIMESTAMP}\s*-->\s*{_TIMESTAMP}")
# A voice span opens a speaker's part of a cue; a cue may hold several, one for each speaker.
_VOICE = re.compile(r"<v(?:\.\w+)*\s+(?P<speaker>[^>\s][^>]*)>")
_TAG = re.compile(r"<[^<>\n]*>")


def read_vtt_file(path: Path, *, encoding: str | None = None, marker: re.Pattern[str] | None = None) -> ParsedDocument:
    decoded = decode_text(path.read_bytes(), path.name, encoding)
    timed, unread = _with_dotted_timings(decoded.text, path.name)
    try:
        captions = webvtt.from_buffer(io.StringIO(normalise(_cues_joined(timed, path.name)))).captions
    except (MalformedFileError, ValueError) as error:
        raise ImportFailed(f"{path.name} is not a valid WebVTT file: {error}", "check that it starts with WEBVTT") from None
    if unread and len(captions) != timed.count("-->"):  # which cue is untimed would be a guess
        raise ImportFailed(f"{path.name}: {unread_times_said(list(unread.values()))}, and the cues cannot be told apart to leave them untimed",
                           "write those times as 00:00:02.000, minutes and seconds to 59")
    speakers = CueSpeakers((_unvoiced(caption) for caption in captions), marker)
    blocks = [block for cue, caption in enumerate(captions)
              for block in _voice_blocks(caption, speakers, None if cue in unread else parse_timestamp(caption.start))]
    text, turns = assemble_blocks(blocks)
    if not text.strip():
        raise ImportFailed(f"{path.name} contains no cues with text")
    notes = decoded.notes + [said for said in [unread_times_said(list(unread.values()))] if said]
    return ParsedDocument(text=text, turns=turns, source_format="vtt", encoding=decoded.encoding, notes=notes)


def _with_dotted_timings(text: str, file_name: str) -> tuple[str, dict[int, tuple[int, str]]]:
    """The text with every cue timing written as WebVTT writes it; a timing line that cannot be
    read is refused by its line, since webvtt-py would drop that cue's text unsaid. So would it a
    cue timed at no time (minutes or seconds past 59, "00:99:01.000"): such a time is written as
    00:00:00.000 and the cue's place among the cues given, by its (line, time as written), for the
    cue to be kept untimed. Lines are counted before normalising, which joins some, so the number is
    the one an editor shows."""
    lines = text.splitlines(keepends=True)
    unread: dict[int, tuple[int, str]] = {}
    cue = 0
    for number, line in enumerate(lines, start=1):
        if "-->" not in line:
            continue
        timing = _TIMING.match(line)
        if timing is None:
            raise ImportFailed(
                f"{file_name} line {number}: the cue's timing line cannot be read",
                "write it as 00:00:02.000 --> 00:00:05.000, or take the --> out of the cue's text",
            )
        start, end = (written.strip() for written in timing.group().split("-->"))
        if not is_recording_time(start):
            unread[cue] = (number, start)
        lines[number - 1] = f"{_as_webvtt(start)} --> {_as_webvtt(end)}" + line[timing.end():]
        cue += 1
    return "".join(lines), unread


def _as_webvtt(written: str) -> str:
    """A cue time as webvtt-py reads it, hours first ("75:10.000", 75 minutes in, which it would drop,
    as 01:15:10.000); a time that is none as 00:00:00.000, its cue kept untimed by the caller."""
    if not is_recording_time(written):
        return "00:00:00.000"
    milliseconds = parse_timestamp(written)
    return f"{milliseconds // 3_600_000:02d}:{milliseconds // 60_000 % 60:02d}:{milliseconds // 1000 % 60:02d}.{milliseconds % 1000:03d}"


# A line that starts as a cue timing does, but with an arrow WebVTT does not know ("->", "=>", "—>").
_LOOKS_TIMED = re.compile(rf"\s*{_TIMESTAMP}\s*\S*>")
_NOT_A_CUE = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t\n]|$)")  # the word alone on its line, or before its text


def _cues_joined(text: str, file_name: str) -> str:
    """The text with a cue's lines after a blank line inside it joined back to it: WebVTT ends a cue
    at a blank line, and webvtt-py drops the lines after it, unsaid, as no cue. Text before the first
    cue that is no header, note, style or region is refused by its line, since it would be dropped too."""
    blocks = re.split(r"(\n[ \t]*\n+)", text)
    kept: list[str] = []
    after_cue = False  # whether the last block was a cue's (or text joined to one)
    line = 1
    for index, block in enumerate(blocks):
        if index % 2:  # a separator: blank lines
            kept.append(block)
            line += block.count("\n")
            continue
        content = block.strip("\n")
        if index == 0 or not content.strip() or _NOT_A_CUE.match(content) or "-->" in block:
            after_cue = "-->" in block or (after_cue and not content.strip())
            kept.append(block)
        elif after_cue:
            kept[-1] = "\n"  # the blank lines before it go: it is the cue's text, as the transcriber wrote it
            kept.append(block)
        elif _LOOKS_TIMED.match(content):  # "00:00:01.000 -> 00:00:04.000": meant as a timing line
            raise ImportFailed(
                f"{file_name} line {line + len(block) - len(block.lstrip(chr(10)))}: the cue's timing line cannot be read",
                "write it as 00:00:02.000 --> 00:00:05.000",
            )
        else:  # before the first cue, or after a note: it belongs to no cue
            raise ImportFailed(
                f"{file_name} line {line}: text outside any cue, which would be left out",
                "put it in a cue under a timing line, or begin it with NOTE if it is a comment",
            )
        line += block.count("\n")
    return "".join(kept)


def _unvoiced(caption: Caption) -> str:
    """The cue's text before its first voice tag (all of it if it has none), its tags taken out and
    its escapes (&amp; &lt; &gt; &nbsp; …) read as the characters they stand for, as WebVTT defines."""
    voice = _VOICE.search(caption.raw_text)
    return read_references(_TAG.sub("", caption.raw_text[:voice.start()] if voice else caption.raw_text))


def _voice_blocks(caption: Caption, speakers: CueSpeakers, timestamp: int | None) -> list[Block]:
    """One block for each voice in a cue (<v Intervjuer>…</v><v Kari>…</v>), at `timestamp`; a cue's
    text without voice tags has its speakers found at the start of its lines, as in an .srt cue."""
    raw = caption.raw_text
    voices = list(_VOICE.finditer(raw))
    blocks = speakers.blocks(_unvoiced(caption), timestamp)
    ends = [following.start() for following in voices[1:]] + [len(raw)]
    for voice, end in zip(voices, ends, strict=False):  # no voices: the one end is not used
        speaker = read_references(voice.group("speaker")).strip()
        blocks.append(Block(speaker, read_references(_TAG.sub("", raw[voice.end():end])), timestamp))
    return blocks
