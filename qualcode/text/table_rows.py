"""A transcript table's rows as lines: speaker | text, and time | speaker | text, as turns."""

from __future__ import annotations

import re

# A time as transcripts write it: 12:31, 00:12:31, 00:12:31,5.
TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_CELL_TIME = re.compile(rf"[\[(]?({TIME})[\])]?")


def table_row_lines(cells: list[str]) -> list[str]:
    """A table row's cells as transcript lines: speaker | text becomes "speaker: text", time |
    speaker | text (or speaker | time | text) "speaker (time): text", time | text "[time] text"
    (its speaker, if any, at the start of the text), each followed by a blank line; any other row
    (a title merged across the table, a row of notes) is read cell by cell."""
    texts = [cell.strip() for cell in cells]
    if len(texts) == 2 and (time := _CELL_TIME.fullmatch(texts[0])):
        return [f"[{time.group(1)}] {texts[1]}", ""]
    if len(texts) == 2 and _is_speaker(texts[0]):
        return [f"{texts[0].rstrip(':')}: {texts[1]}", ""]
    if len(texts) == 3:
        for time_cell, speaker_cell in ((0, 1), (1, 0)):
            time = _CELL_TIME.fullmatch(texts[time_cell])
            if time and _is_speaker(texts[speaker_cell]) and not _CELL_TIME.fullmatch(texts[speaker_cell]):
                return [f"{texts[speaker_cell].rstrip(':')} ({time.group(1)}): {texts[2]}", ""]
    return [text for text in texts if text]


def _is_speaker(cell: str) -> bool:
    return bool(cell) and len(cell) <= 40 and "\n" not in cell
