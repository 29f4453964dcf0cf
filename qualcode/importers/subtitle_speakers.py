"""Speaker names inside subtitle cues, for VTT and SRT files without voice tags."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from qualcode.importers.document import Block
from qualcode.importers.turns import DEFAULT_MARKER, speaker_of
from qualcode.text.speakers import is_known_label

_BRACKETED = re.compile(r"^\[(?P<speaker>[^\]]{1,40})\]\s*", re.MULTILINE)


class CueSpeakers:
    """Speakers named at the start of a cue's lines ("Kari: tekst", "[Kari] tekst"), so that a cue
    holding two speakers is two turns. A label opening a cue is a speaker, as before; one opening a
    later line is found by the rules the .txt reader uses: with the default marker, it counts when the
    cue opened with a speaker too, or it is a known role label, carries a time or starts lines twice
    in the file, so a line such as "Tema: medvirkning" in someone's speech stays speech."""

    def __init__(self, cue_texts: Iterable[str], marker: re.Pattern[str] | None = None) -> None:
        self.marker = marker
        counts = Counter(speaker_of(label) for text in cue_texts for label in self._labels(text))
        self._repeated = {speaker for speaker, count in counts.items() if count >= 2}

    def blocks(self, cue_text: str, timestamp_ms: int | None) -> list[Block]:
        """The cue's text as one block for each speaker found in it, in order."""
        labels = list(self._labels(cue_text))
        opened = bool(labels) and labels[0].start() == 0
        kept = [label for label in labels if label.start() == 0 or self.marker is not None or opened or self._strong(label)]
        first = kept[0].start() if kept else len(cue_text)
        blocks = [Block(None, cue_text[:first], timestamp_ms)] if cue_text[:first].strip() else []
        ends = [label.start() for label in kept[1:]] + [len(cue_text)] if kept else []
        for label, end in zip(kept, ends, strict=True):
            blocks.append(Block(speaker_of(label), cue_text[label.end():end], timestamp_ms))
        return blocks

    def _labels(self, text: str) -> Iterable[re.Match[str]]:
        """A speaker label at the start of each line that has one."""
        pattern = self.marker or DEFAULT_MARKER
        for line_start in [0, *(match.end() for match in re.finditer("\n", text))]:
            label = pattern.match(text, line_start) or _BRACKETED.match(text, line_start)
            if label is not None and label.end() > line_start:
                yield label

    def _strong(self, label: re.Match[str]) -> bool:
        speaker = speaker_of(label)
        timed = any(label.groupdict().get(group) for group in ("time", "time2"))
        return speaker in self._repeated or is_known_label(speaker) or timed
