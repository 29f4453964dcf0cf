"""Normalise transcript text once, at import, without changing a single word."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NBSP = re.compile("[\u00a0\u2007\u202f]")
# Invisible characters that only get in the way of offsets and matching.
_INVISIBLE = re.compile("[\u00ad\ufeff\u200b\u200c\u200d\u2060]")
# A word broken across lines by a hyphen: both sides lower-case letters, so a compound
# such as "NAV-\nkontor" or a dash before a new line is left alone.
_LINE_BREAK_HYPHEN = re.compile(r"(?<=[a-zæøåäöüé])-\n(?=[a-zæøåäöüé])")


def normalise(text: str) -> str:
    """NFC, LF line endings, no BOM, NBSP to space, soft hyphens out, line-break hyphens joined."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _NBSP.sub(" ", text)
    return _LINE_BREAK_HYPHEN.sub("", text)


def content_hash(text: str) -> str:
    """The SHA-256 of a text, used to recognise the same content and to stamp codings."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
