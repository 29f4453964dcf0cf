"""Speaker names inside subtitle cues, for VTT and SRT files without voice tags."""

from __future__ import annotations

import re

from qualcode.importers.turns import DEFAULT_MARKER

_BRACKETED = re.compile(r"^\[(?P<speaker>[^\]]{1,40})\]\s*")


def split_speaker(cue_text: str, marker: re.Pattern[str] | None = None) -> tuple[str | None, str]:
    """("Kari", "tekst") from "Kari: tekst" or "[Kari] tekst"; (None, text) otherwise."""
    match = (marker or DEFAULT_MARKER).match(cue_text) or _BRACKETED.match(cue_text)
    if match is None:
        return None, cue_text
    return match.group("speaker").strip(), cue_text[match.end():]
