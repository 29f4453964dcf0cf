"""The plain data a REFI-QDA project (.qdpx) is read into, and what was skipped or wrong in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class QdpxUser:
    guid: str
    name: str


@dataclass
class QdpxCode:
    guid: str
    name: str
    codable: bool
    colour: str | None
    description: str | None
    children: list[QdpxCode] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # GUIDs of the notes on this code


@dataclass(frozen=True)
class QdpxCoding:
    guid: str
    code: str  # the code's GUID
    user: str | None
    notes: tuple[str, ...] = ()
    created: datetime | None = None  # when the other program's coder made it, if the file says


@dataclass(frozen=True)
class QdpxSelection:
    guid: str
    name: str | None
    start: int
    end: int
    user: str | None
    codings: tuple[QdpxCoding, ...]
    notes: tuple[str, ...] = ()
    kind: str = "PlainTextSelection"  # or a recording's TranscriptSelection, running between SyncPoints


@dataclass
class QdpxSource:
    """A text source: its text as the other program counted positions in it (not yet normalised)."""

    guid: str
    name: str
    text: str
    source_format: str  # txt or docx
    selections: list[QdpxSelection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    variables: dict[str, object] = field(default_factory=dict)
    # Set when the text came from a .docx: positions were counted in another program's extraction of it.
    normalised: bool = False


@dataclass(frozen=True)
class QdpxNote:
    guid: str
    title: str | None
    text: str
    user: str | None
    created: datetime | None = None


@dataclass
class QdpxCase:
    guid: str
    name: str
    description: str | None
    variables: dict[str, object] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class QdpxPackage:
    """Everything read from one .qdpx, and what was skipped or wrong in it."""

    file_name: str
    name: str
    origin: str = ""  # the program the file says wrote it (<Project origin="qualcode 0.1.0">)
    users: dict[str, QdpxUser] = field(default_factory=dict)
    codes: list[QdpxCode] = field(default_factory=list)
    sources: list[QdpxSource] = field(default_factory=list)
    notes: dict[str, QdpxNote] = field(default_factory=dict)
    cases: list[QdpxCase] = field(default_factory=list)
    project_notes: list[str] = field(default_factory=list)
    deviations: list[str] = field(default_factory=list)  # where the file breaks the schema, read anyway
    skipped: list[str] = field(default_factory=list)  # what qualcode cannot hold
    sources_found: int = 0  # source elements of any kind, read or not
    problems: list[str] = field(default_factory=list)  # unknown references, duplicate GUIDs, bad positions
    # (what, the part it names) of each source whose text the package does not hold: what a refusal names.
    missing_parts: list[tuple[str, str]] = field(default_factory=list)
    # The notes that are a coding's own memo: what a selection's <Description> says (QualCoder writes a
    # coding's memo there, ATLAS.ti a quotation's comment), kept on the selection's first coding.
    own_memos: set[str] = field(default_factory=set)

    def walk_codes(self) -> list[QdpxCode]:
        found: list[QdpxCode] = []

        def visit(codes: list[QdpxCode]) -> None:
            for code in codes:
                found.append(code)
                visit(code.children)

        visit(self.codes)
        return found
