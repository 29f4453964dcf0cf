"""Plain text (.txt) and Markdown (.md) transcripts, with optional YAML front matter."""

from __future__ import annotations

import re
from pathlib import Path

from qualcode.importers.document import ParsedDocument
from qualcode.importers.frontmatter import split_front_matter
from qualcode.importers.turns import detect_turns
from qualcode.text.character_references import read_references
from qualcode.text.encoding import decode_text
from qualcode.text.normalise import normalise


def read_text_file(path: Path, *, encoding: str | None = None, marker: re.Pattern[str] | None = None) -> ParsedDocument:
    decoded = decode_text(path.read_bytes(), path.name, encoding)
    meta, body = split_front_matter(normalise(decoded.text), path.name)
    # The front matter is metadata, not speech: the stored text starts after it.
    body = body.lstrip("\n")
    if path.suffix.lower() == ".md":
        # Markdown reads "&Oslash;ystein" as Øystein: so is it read here, before turns and names are
        # looked for. The front matter is YAML, where "&" is no reference; a .txt file is text as written.
        body = read_references(body)
    return ParsedDocument(
        text=body,
        turns=detect_turns(body, marker),
        source_format=path.suffix.lower().lstrip("."),
        encoding=decoded.encoding,
        notes=decoded.notes,
        meta=meta,
    )
