"""YAML front matter at the top of a text file, or in a `FILE.meta.yaml` beside any file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent

from qualcode.errors import ImportFailed
from qualcode.importers.metadata import TRANSCRIPT_KEYS, transcript_key
from qualcode.text.encoding import decode_text
from qualcode.text.normalise import normalise

# Front matter at the top, after blank lines if any (an editor or an export may put one first).
_FRONT_MATTER = re.compile(r"\A(?:[ \t]*\n)*---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
# An opening line of front matter whose first key is a metadata key ("participant: D1"): if it
# is never closed, the metadata would be read as speech.
_OPENED = re.compile(r"\A(?:[ \t]*\n)*---[ \t]*\n(?:[ \t]*\n)*(?P<key>[^\W\d][\w \t-]*?)[ \t]*:")  # "bølge", "intervju dato"
MAX_DEPTH = 20  # metadata is a few keys with lists or pairs under them
MAX_SIDECAR_BYTES = 1 << 20


class _MetadataLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases (a few lines of them expand to gigabytes) and with a depth cap."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed in metadata", event.start_mark
            )
        if self.check_event(CollectionStartEvent):
            self._depth = getattr(self, "_depth", 0) + 1
            try:
                if self._depth > MAX_DEPTH:
                    raise yaml.composer.ComposerError(
                        None, None, f"metadata nests deeper than {MAX_DEPTH} levels", self.peek_event().start_mark  # type: ignore[no-untyped-call]
                    )
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:  # type: ignore[override]
        """A date such as 2024-05-02; one that only looks like a date (2024-13-45) stays text, to be refused by name."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_MetadataLoader.add_constructor("tag:yaml.org,2002:timestamp", _MetadataLoader.construct_yaml_timestamp)


def _load(source: str, where: str) -> dict[str, Any]:
    try:
        loaded = yaml.load(source, Loader=_MetadataLoader)  # noqa: S506 - a safe loader, stricter still
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None)
        reason = problem if problem and ("alias" in problem or "nests" in problem) else "metadata is not valid YAML"
        raise ImportFailed(f"{where}{line}: {reason}", "fix the front matter") from None
    except (ValueError, TypeError, OverflowError) as error:
        # A value YAML takes for a date or number but that is none, such as 2024-13-45.
        raise ImportFailed(f"{where}: metadata has a value that is not what it looks like ({error})", "write dates as YYYY-MM-DD") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ImportFailed(f"{where}: metadata must be key: value pairs")
    return {str(key): value for key, value in loaded.items()}


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    """Metadata and the text after it; the text is unchanged if there is no front matter."""
    match = _FRONT_MATTER.match(text)
    if match is not None and not text.startswith("---"):
        # After blank lines, "---" may be a rule drawn in the text: only a metadata key under it makes it
        # front matter ("\n---\nI: Hei" is speech).
        first = _OPENED.match(text)
        if first is None or transcript_key(first.group("key")).lower() not in TRANSCRIPT_KEYS:
            match = None
    if match is None:
        opened = _OPENED.match(text)
        if opened is not None and transcript_key(opened.group("key")).lower() in TRANSCRIPT_KEYS:
            line = text.count("\n", 0, text.index("---")) + 1
            raise ImportFailed(
                f"{where}: the front matter opened by --- on line {line} is never closed, so it would be read as speech",
                "end the metadata with a line of ---",
            )
        return {}, text
    return _load(match.group("yaml"), where), text[match.end():]


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.yaml")


def read_sidecar(path: Path) -> dict[str, Any]:
    """Metadata from `FILE.meta.yaml` beside the file, for formats without front matter."""
    sidecar = sidecar_path(path)
    if not sidecar.is_file():
        return {}
    if sidecar.stat().st_size > MAX_SIDECAR_BYTES:
        raise ImportFailed(f"{sidecar.name} is too large for metadata", "keep it to the few keys a transcript needs")
    # Saved by whatever editor was at hand: read it as transcripts are read, not only as UTF-8.
    decoded = decode_text(sidecar.read_bytes(), sidecar.name)
    return _load(normalise(decoded.text), sidecar.name)


def misnamed_sidecar_note(path: Path) -> str | None:
    """The note for metadata beside the file under a name that is not read (x.meta.yaml, x.txt.meta.yml
    for x.txt), naming the name that is: left unsaid, its wave or date would be missing unnoticed."""
    right = sidecar_path(path)
    if right.is_file():
        return None
    for near in (path.with_name(path.stem + ".meta.yaml"), path.with_name(path.stem + ".meta.yml"),
                 path.with_name(path.name + ".meta.yml")):
        if near != right and near.is_file():
            return (f"{near.name} was not read: metadata for {path.name} is read from {right.name}; rename it,"
                    " or set what it holds with `qualcode transcripts edit`")
    return None
