"""REFI-QDA codebooks (`.qdc`): the project's code tree written for other programs, and read back.

Written strictly: nested <Code> elements with the stored GUIDs, names, colours and `isCodable`,
and each code's definition, inclusion, exclusion, example and signal words in <Description> as
labelled paragraphs ("Definisjon: …", "Inkluder: …", "Ekskluder: …", "Eksempel: …", "Signalord: a, b").
qualcode has no "grouping only" flag: a code that has sub-codes and no live codings of its own is
written as a pure grouping code (isCodable="false"); every other code is codable.

Read liberally: the same labels in Norwegian or English (Definition, Inclusion/Include, …), a
description without labels as the definition, GUIDs in braces or any case, #RGB colours, codes in
another or no namespace, Taguette's flat names with dots ("a.b") as a tree (see `_dotted_path`), and
ATLAS.ti's ("Parent::child") too. Each such deviation, and every place the file breaks Codebook.xsd, is reported,
never silently repaired.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode import __version__
from qualcode.codebook import model
from qualcode.codebook.model import (
    MAX_CODE_DEPTH,
    MAX_CODES,
    NOTHING_SHOWN,
    QDC_LIMITS,
    Codebook,
    CodeSpec,
    code_name,
    shows_nothing,
    too_big,
    yaml_size_bounds,
)
from qualcode.codebook.service import (
    CodebookChanges,
    CodeView,
    apply_codebook,
    list_codes,
    merged_code_targets,
)
from qualcode.errors import CodebookInvalid, InvalidInput
from qualcode.exchange.code_paths import ATLAS_SEPARATOR, most_parts, tree_depth, tree_from_paths
from qualcode.exchange.schema import CODEBOOK_NS, schema_problems
from qualcode.store.models import Code
from qualcode.store.settings import get_setting
from qualcode.text.counts import counted
from qualcode.untrusted import parse_xml

if TYPE_CHECKING:
    from lxml import etree
    from sqlalchemy.orm import Session

    from qualcode.store.models import Coder


# The labels written, first in each tuple, and every spelling read back (compared in lower case).
DESCRIPTION_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("definition", ("Definisjon", "definition", "beskrivelse", "description")),
    ("inclusion", ("Inkluder", "inkludering", "inklusjon", "inclusion", "include", "inclusion criteria", "use when")),
    ("exclusion", ("Ekskluder", "ekskludering", "eksklusjon", "exclusion", "exclude", "exclusion criteria", "do not use when")),
    ("example", ("Eksempel", "eksempler", "example", "examples")),
    ("signal_words", ("Signalord", "signal words", "signal_words", "keywords", "nøkkelord")),
)
_LABEL_OF = {spelling.lower(): key for key, spellings in DESCRIPTION_LABELS for spelling in spellings}
_LABEL_LINE = re.compile(
    r"^\s*(" + "|".join(re.escape(spelling) for spelling in sorted(_LABEL_OF, key=len, reverse=True)) + r")\s*:\s?(.*)$",
    re.IGNORECASE,
)
_WRITTEN_LABEL = re.compile(r"^(" + "|".join(re.escape(spellings[0]) for _, spellings in DESCRIPTION_LABELS) + r"): (.*)$")
GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
STORED_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SHORT_COLOUR = re.compile(r"^#([0-9a-fA-F])([0-9a-fA-F])([0-9a-fA-F])$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Characters XML 1.0 cannot hold at all; a definition typed with one is written without it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text as XML 1.0 can carry it: the few control characters it forbids are dropped."""
    return _NOT_XML.sub("", text)


def refi_colour(written: str | None) -> str | None:
    """A REFI-QDA colour as qualcode keeps it (#RRGGBB): the schema's RGBType is a token of six hex
    digits or three (#RGB), spaces around it allowed; None where there is none or it is not one."""
    colour = (written or "").strip()
    short = SHORT_COLOUR.match(colour)
    if short:
        return "#" + "".join(digit * 2 for digit in short.groups())
    return colour if COLOUR.match(colour) else None


def describe(spec: CodeSpec | CodeView) -> str | None:
    """A code's fields as the labelled paragraphs of a <Description>; None when it has none."""
    paragraphs = []
    for key, spellings in DESCRIPTION_LABELS:
        value = getattr(spec, key)
        if key == "signal_words":
            value = ", ".join(value) if value else None
        if value:
            paragraphs.append(f"{spellings[0]}: {value}")
    return "\n\n".join(paragraphs) or None


def parse_description(text: str | None, *, ours: bool = False) -> dict[str, str]:
    """The fields in a description, by label in either language; unlabelled text is the definition.

    A description qualcode wrote (`ours`) is read as `describe` writes it: a label is one of the
    labels written, starting a paragraph, for a field after the one before. So a definition with a
    line of its own beginning "Eksempel:" reads back as the definition it is, not split in two."""
    fields: dict[str, list[str]] = {}
    current = "definition"
    order = [key for key, _ in DESCRIPTION_LABELS]
    reached = -1
    previous = ""
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        labelled = (_WRITTEN_LABEL if ours else _LABEL_LINE).match(line)
        key = _LABEL_OF[labelled.group(1).lower()] if labelled else None
        if ours and key is not None and (previous.strip() or order.index(key) <= reached):
            key = None
        if labelled and key is not None:
            current = key
            reached = order.index(key)
            fields.setdefault(current, []).append(labelled.group(2))
        else:
            fields.setdefault(current, []).append(line)
        previous = line
    return {key: value for key, lines in fields.items() if (value := "\n".join(lines).strip())}


def signal_words_of(written: str | None) -> list[str]:
    """Signal words as a description lists them: separated by commas, semicolons or lines."""
    return [word.strip() for word in re.split(r"[,;\n]", written or "") if word.strip()]


def fields_not_carried(spec: CodeSpec | CodeView) -> list[str]:
    """The fields of a code that its `.qdc` description would not give back as they are (a signal word
    holding a comma, a blank line followed by "Eksempel:" in a definition): said at export, not lost unseen."""
    read = parse_description(xml_text(describe(spec) or ""), ours=True)
    lost = [key for key, _ in DESCRIPTION_LABELS[:-1] if (getattr(spec, key) or "").strip() != read.get(key, "")]
    if signal_words_of(read.get("signal_words")) != [word.strip() for word in spec.signal_words]:
        lost.append("signal_words")
    return lost


FIELD_WORDS = {"definition": "definition", "inclusion": "inclusion", "exclusion": "exclusion", "example": "example",
               "signal_words": "signal words"}


def codes_not_carried(session: Session) -> list[str]:
    """The lines naming the codes a REFI-QDA file would not give back as they are, if any: fields its
    description cannot carry, and names that two codes share (QualCoder keeps one code per name)."""
    views = list_codes(session)
    said = []
    lost = [(view.path, fields) for view in views if (fields := fields_not_carried(view))]
    if lost:
        named = _first_five([f"{path} ({', '.join(FIELD_WORDS[field] for field in fields)})" for path, fields in lost])
        said.append(f"{len(lost)} code{'s' if len(lost) > 1 else ''} will not read back from the file exactly as written: {named}"
                    " (a signal word holding a comma or semicolon, or a blank line followed by a label such as"
                    " 'Eksempel:' inside a field); the project keeps them as they are")
    # QualCoder's database holds one code of a name, and one grouping code (its category) of a name: its import
    # files a second "annet" under the first, and the codings of the second under no code at all.
    parents = {view.path.rpartition("/")[0] for view in views if "/" in view.path}
    places: dict[tuple[bool, str], list[str]] = {}
    for view in views:
        places.setdefault((is_grouping(view, view.path in parents), view.name), []).append(view.path)
    shared = [(name, paths) for (_, name), paths in places.items() if len(paths) > 1]
    if shared:
        named = _first_five([f"{name!r} ({', '.join(paths)})" for name, paths in shared])
        said.append(f"{counted(len(shared), 'code name')} used in more than one place: {named}; QualCoder keeps one"
                    " code of a name, and its import merges them into the first and files the others' codings under no code:"
                    " rename all but one (`qualcode codebook rename`) before exporting for QualCoder")
    return said


def _first_five(named: list[str]) -> str:
    """The first five of `named`, and how many more."""
    return "; ".join(named[:5]) + (f" and {len(named) - 5} more" if len(named) > 5 else "")


def is_grouping(view: CodeView, has_children: bool) -> bool:
    """A code only groups others: it has sub-codes and no live codings of its own."""
    return has_children and view.codings == 0


def code_elements(session: Session, namespace: str) -> list[etree._Element]:
    """The project's code tree as REFI <Code> elements in `namespace`, in tree order."""
    from lxml import etree

    views = list_codes(session)
    parents = {view.path.rpartition("/")[0] for view in views if "/" in view.path}
    elements: dict[str, etree._Element] = {}
    roots: list[etree._Element] = []
    for view in views:
        # Attribute order means nothing in XML; GUIDs go last for the leak check (see project_export).
        attributes = {"name": xml_text(view.name), "isCodable": "false" if is_grouping(view, view.path in parents) else "true"}
        if view.colour and COLOUR.match(view.colour):
            attributes["color"] = view.colour
        attributes["guid"] = view.guid
        parent_path = view.path.rpartition("/")[0]
        parent = elements.get(parent_path) if parent_path else None
        element = etree.Element(f"{{{namespace}}}Code", attributes) if parent is None else etree.SubElement(
            parent, f"{{{namespace}}}Code", attributes
        )
        description = describe(view)
        if description:
            etree.SubElement(element, f"{{{namespace}}}Description").text = xml_text(description)
        elements[view.path] = element
        if parent is None:
            roots.append(element)
    return roots


def write_qdc(session: Session) -> bytes:
    """The project's codebook as a `.qdc` document, validated against Codebook.xsd."""
    from lxml import etree

    elements = code_elements(session, CODEBOOK_NS)
    if not elements:
        # The schema's <Codes> holds one code or more: a codebook without any is the researcher's to fill, no fault of qualcode's.
        raise InvalidInput("the project's codebook has no codes, and a REFI-QDA .qdc holds at least one; nothing was written",
                           "add a code first (`qualcode codebook add NAME`), or import a codebook")
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": f"qualcode {__version__}"}, nsmap={None: CODEBOOK_NS})
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    for element in elements:
        codes.append(element)
    return serialise_valid(root, "the codebook")


def serialise_valid(root: etree._Element, what: str) -> bytes:
    """The document as UTF-8 bytes, after checking it against its schema (with lines, read back)."""
    from lxml import etree

    from qualcode.errors import WriteFailed

    data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True, standalone=True)
    problems = schema_problems(etree.fromstring(data))
    if problems:
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        raise WriteFailed(f"{what} does not validate against the REFI-QDA schema ({problems[0]}{more}); nothing was written",
                          "this is a bug in qualcode: please report it with the message")
    return data


@dataclass
class QdcCodebook:
    """A codebook read from a `.qdc`, the GUID each code had in the file, and what the file did oddly."""

    codebook: Codebook
    guids: dict[int, str] = field(default_factory=dict)  # id(CodeSpec) -> normalised GUID
    deviations: list[str] = field(default_factory=list)
    origin: str = ""  # the program the file says wrote it (<CodeBook origin="Taguette 1.4.1">)
    where: str = ""  # the file's name, for deviations found once it is read


def normal_guid(value: str | None) -> str | None:
    """A GUID as qualcode stores it (lower case, no braces), or None if it is not one."""
    if value is not None and STORED_GUID.fullmatch(value):
        return value  # already as stored: the common case, tens of thousands in a project
    matched = GUID.match((value or "").strip())
    return str(uuid.UUID(matched.group(1))) if matched else None


def load_qdc(path: Path) -> QdcCodebook:
    """Read a `.qdc` file liberally; only what cannot be read at all is refused."""
    if not path.is_file():
        raise CodebookInvalid([f"{path}: no such file"])
    # The limits a codebook has wherever it comes from (codebook/model.py); the file's own is what its
    # export of a codebook within them can take, so a project's own .qdc always reads back.
    if path.stat().st_size > model.max_qdc_bytes():
        raise CodebookInvalid([f"{path.name}: {path.stat().st_size / 1_000_000:.1f} MB is too big for a codebook"
                               f" (at most {model.max_qdc_bytes() / 1_000_000:.0f} MB)"])
    return read_qdc(path.read_bytes(), path.name)


def read_qdc(data: bytes, where: str) -> QdcCodebook:
    """Read `.qdc` bytes; `where` names the file in problems and deviations."""
    from lxml import etree

    root = parse_xml(data, where, QDC_LIMITS)
    if etree.QName(root).localname != "CodeBook":
        raise CodebookInvalid([f"{where}: the root element is <{etree.QName(root).localname}>, not a REFI-QDA <CodeBook>"])
    result = QdcCodebook(Codebook(name=Path(where).stem or "qualcode"), origin=(root.get("origin") or "").strip(), where=where)
    result.deviations.extend(f"{where} line {problem.line}: {problem.message}" for problem in schema_problems(root))
    codes = [child for child in root if _local(child) == "Codes"]
    reader = _Reader(where, result)
    reader.read(codes[0] if codes else root, result.codebook.codes, depth=1)
    # ATLAS.ti writes its code groups as Sets (Taguette an empty <Sets/>): what the import leaves out is said.
    groups = [group for holder in root if _local(holder) == "Sets" for group in holder if _local(group) == "Set"]
    if groups:
        named = ", ".join(repr(group.get("name") or "") for group in groups[:5]) + (" …" if len(groups) > 5 else "")
        result.deviations.append(f"{where}: {counted(len(groups), 'set')} of codes left out ({named}), as qualcode has no sets of codes;"
                                 " the codes themselves are read")
    if reader.respelled:
        # MAXQDA, ATLAS.ti and Taguette write every GUID in capitals, as the schema allows: one line, not one per code.
        raw, guid = reader.respelled[0]
        result.deviations.append(
            f"{where}: {counted(len(reader.respelled), 'GUID')} written in capitals or braces, read as qualcode keeps GUIDs,"
            f" in lower case without braces ({raw} as {guid}{', …' if len(reader.respelled) > 1 else ''})"
        )
    if not result.codebook.codes:
        # A file of codes all skipped (no name, none shown) is said so, with why, not as holding none.
        skipped = (f" qualcode can read ({counted(len(reader.skipped), 'code')} skipped, the first {reader.skipped[0]}"
                   f"{'' if len(reader.skipped) == 1 else ' …'})") if reader.skipped else ""
        raise CodebookInvalid([f"{where}: the codebook has no codes{skipped}"])
    texts = [text for _, _, code in result.codebook.walk()
             for text in (code.name, code.definition, code.inclusion, code.exclusion, code.example, *code.signal_words) if text]
    fewest, _ = yaml_size_bounds(texts, 0, 0)
    if fewest > model.MAX_CODEBOOK_BYTES:  # refused at once, before its text is read for names: the merge would refuse it
        refused = CodebookInvalid([f"{where}: {too_big(fewest, at_least=True)[0]}"])
        refused.hint = too_big(fewest)[1]
        raise refused
    if _from(result, "taguette"):
        tree_from_dotted_names(result, where)
    if _from(result, "atlas.ti"):
        _tree_from_atlas_names(result, where)
    return result


def _tree_from_atlas_names(result: QdcCodebook, where: str) -> None:
    """A codebook ATLAS.ti wrote: its flat "Parent::child" names read as the sub-codes they are there, under the
    file's code of the parent's name, or a grouping code made for them (matched by path) where it has none."""
    too_deep = CodebookInvalid([f"{where}: its codes' names, read as ATLAS.ti's sub-codes ('Parent::child'), nest more than"
                                f" {MAX_CODE_DEPTH} levels deep"])
    if most_parts(result.codebook.codes, ATLAS_SEPARATOR) > MAX_CODE_DEPTH:
        raise too_deep
    result.codebook.codes, read = tree_from_paths(result.codebook.codes, ATLAS_SEPARATOR, lambda name, _: CodeSpec(name=name))
    if not read.split:
        return
    if tree_depth(result.codebook.codes) > MAX_CODE_DEPTH:
        raise too_deep
    said = f"{where}: {counted(len(read.split), 'code name')} written as ATLAS.ti writes a sub-code ('Parent::child') read as sub-codes"
    if read.made:
        said += f"; {counted(len(read.made), 'parent code')} the file has no code of made to hold them ({_first_five(read.made)})"
    result.deviations.append(said)


def _from(qdc: QdcCodebook, program: str) -> bool:
    return written_by(qdc.origin, program)


def written_by(origin: str, program: str) -> bool:
    """Whether a file's origin says `program` wrote it (its origin is "Program 1.2", in any case)."""
    return origin.casefold().split(" ")[0] == program


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


class _Reader:
    def __init__(self, where: str, result: QdcCodebook) -> None:
        self.where = where
        self.result = result
        self.seen_guids: dict[str, str] = {}  # GUID -> the path of the code the file first gives it
        self.count = 0
        self.respelled: list[tuple[str, str]] = []  # (as written, as kept) of each GUID written otherwise than qualcode keeps it
        self.skipped: list[str] = []  # why each code left out with its sub-codes was, at its line

    def note(self, element: etree._Element, message: str) -> None:
        self.result.deviations.append(f"{self.where} line {element.sourceline}: {message}")

    def skip(self, element: etree._Element, why: str) -> None:
        self.skipped.append(f"at line {element.sourceline}: {why}")
        self.note(element, f"{why}; skipped with its sub-codes")

    def read(self, parent: etree._Element, into: list[CodeSpec], depth: int, parent_path: str = "") -> None:
        names: dict[str, CodeSpec] = {}
        for element in parent:
            if _local(element) != "Code":
                continue
            self.count += 1
            if self.count > MAX_CODES:
                raise CodebookInvalid([f"{self.where}: more than {MAX_CODES:,} codes; a codebook holds at most {MAX_CODES:,}"])
            if depth > MAX_CODE_DEPTH:
                raise CodebookInvalid([f"{self.where} line {element.sourceline}: codes are nested more than {MAX_CODE_DEPTH} levels deep"])
            spec = self.code(element, parent_path)
            if spec is None:
                continue
            path = f"{parent_path}/{spec.name}" if parent_path else spec.name
            twin = names.get(spec.name.lower())
            if twin is not None:
                self.note(element, f"code {spec.name!r} appears twice under one parent; read as one")
                self.read(element, twin.children, depth + 1, path)
                continue
            names[spec.name.lower()] = spec
            into.append(spec)
            self.read(element, spec.children, depth + 1, path)

    def code(self, element: etree._Element, parent_path: str) -> CodeSpec | None:
        name = code_name(element.get("name") or "")
        if not name:
            self.skip(element, "a code without a name")
            return None
        if shows_nothing(name):
            self.skip(element, f"a code whose name is written with {NOTHING_SHOWN}")
            return None
        if "/" in name:
            self.note(element, f"code name {name!r} contains '/', which separates code paths here; read as '-'")
            name = name.replace("/", "-")
        spec = CodeSpec(name=name, line=element.sourceline)
        raw_guid = element.get("guid")
        guid = normal_guid(raw_guid)
        if guid is None:
            self.note(element, f"code {name!r} has no valid GUID ({raw_guid!r}); matched by name")
        elif guid in self.seen_guids:
            # Which of the two is the code the project holds, with its codings, only the other program knows.
            path = f"{parent_path}/{name}" if parent_path else name
            raise CodebookInvalid([f"{self.where}: the file lists code GUID {guid} twice: at {self.seen_guids[guid]} and at {path}"
                                   " (in the other program, give one of them a GUID of its own, or export again)"])
        else:
            self.seen_guids[guid] = f"{parent_path}/{name}" if parent_path else name
            self.result.guids[id(spec)] = guid
            if raw_guid != guid:
                self.respelled.append((str(raw_guid), guid))
        spec.colour = self.colour(element, name)
        descriptions = [child for child in element if _local(child) == "Description"]
        fields = parse_description(descriptions[0].text if descriptions else None, ours=written_by(self.result.origin, "qualcode"))
        for key in ("definition", "inclusion", "exclusion", "example"):
            setattr(spec, key, fields.get(key))
        if "signal_words" in fields:
            spec.signal_words = signal_words_of(fields["signal_words"])
        return spec

    def colour(self, element: etree._Element, name: str) -> str | None:
        written = (element.get("color") or "").strip()
        colour = refi_colour(written)
        if written and colour is None:
            self.note(element, f"colour {written!r} of {name!r} is not #RRGGBB; left out")
        return colour


# A dot that separates two parts of a Taguette path ("tema.undertema"): two letters or more on each
# side, no space. A name is a path only if every dot in it is such a dot, so abbreviations never
# split one: "kvalitet vs. kvantitet" (a space after), "krav m.m.", "f.eks.", "bl.a." (one letter),
# "kl. 10.30" (digits), "st.meld. 30" (its last dot is an abbreviation's).
_PATH_DOT = re.compile(r"(?<=[^\W\d_]{2})\.(?=[^\W\d_]{2})")


def _dotted_path(name: str) -> tuple[str, ...] | None:
    """The parts of a name that reads as a Taguette path, or None where its dots are not a path's."""
    dots = name.count(".")
    if not dots or len(_PATH_DOT.findall(name)) != dots:
        return None
    return tuple(part.strip() for part in _PATH_DOT.split(name))


def may_be_dotted_tree(qdc: QdcCodebook) -> bool:
    """Whether the file is another program's flat list of codes with path-like dotted names, so
    that, where none of its GUIDs is one the project knows, its names are read as Taguette's paths.
    qualcode's own files never are: their names are names."""
    codes = qdc.codebook.codes
    return (not _from(qdc, "qualcode") and not _from(qdc, "taguette") and not any(code.children for code in codes)
            and any(_dotted_path(code.name) for code in codes))


def tree_from_dotted_names(result: QdcCodebook, where: str) -> None:
    """A flat codebook whose names hold paths with dots (Taguette's "tema.undertema") read as a tree."""
    codes = result.codebook.codes
    if any(code.children for code in codes) or not any(_dotted_path(code.name) for code in codes):
        return
    roots: list[CodeSpec] = []
    made: dict[tuple[str, ...], CodeSpec] = {}
    for code in codes:
        parts = _dotted_path(code.name) or (code.name,)
        for depth in range(1, len(parts)):
            prefix = parts[:depth]
            if prefix not in made:
                made[prefix] = CodeSpec(name=prefix[-1])
                (made[prefix[:-1]].children if depth > 1 else roots).append(made[prefix])
        existing = made.get(parts)
        if existing is not None:  # a group made for an earlier dotted name: this code fills it in
            for key in ("definition", "inclusion", "exclusion", "example", "colour"):
                setattr(existing, key, getattr(code, key))
            existing.signal_words = code.signal_words
            if id(code) in result.guids:
                result.guids[id(existing)] = result.guids.pop(id(code))
            continue
        code.name = parts[-1]
        made[parts] = code
        (made[parts[:-1]].children if len(parts) > 1 else roots).append(code)
    result.codebook.codes = roots
    result.deviations.append(f"{where}: a flat list of names with dots, read as a tree (\"a.b\" is b under a)")


@dataclass(frozen=True)
class QdcImport:
    changes: CodebookChanges
    deviations: list[str]


def import_qdc(session: Session, qdc: QdcCodebook, coder: Coder | None = None) -> QdcImport:
    """Merge a `.qdc` codebook into the project: a code matches by GUID first, then by path, as YAML does.

    A code whose GUID the project holds is that code wherever the file has it: renamed in the other
    program, it keeps the project's name (a deviation says so); moved there under another code, it
    is moved here too, with its sub-codes and codings, as an undoable change the import reports.
    New codes keep the file's GUIDs. A .qdc has no keyboard shortcuts: the project's stay.

    Another program's flat list with path-like dotted names is read as Taguette's tree only where
    none of its GUIDs is the project's: a GUID the project knows says its names are names here.
    """
    from sqlalchemy import select

    by_guid = {code.guid: code for code in session.scalars(select(Code))}
    if may_be_dotted_tree(qdc) and not any(guid in by_guid for guid in qdc.guids.values()):
        tree_from_dotted_names(qdc, qdc.where)
    deviations = list(qdc.deviations)
    merged = merged_code_targets(session, [guid for guid in qdc.guids.values() if guid])

    def without_merged(codes: list[CodeSpec], file_parent: str) -> list[CodeSpec]:
        """The file's codes but those merged into another here (a colleague's file from before the merge):
        that code holds what they held, and keeps its name and place; neither is made again."""
        kept = []
        for spec in codes:
            guid = qdc.guids.get(id(spec)) or ""
            file_path = f"{file_parent}/{spec.name}" if file_parent else spec.name
            if guid not in merged:
                spec.children = without_merged(spec.children, file_path)
                kept.append(spec)
                continue
            into = by_guid[merged[guid]].path
            if spec.children:  # where its sub-codes would go is the file's to say, which it cannot, being from before the merge
                refused = CodebookInvalid([f"{qdc.where}: code {file_path} ({guid}) was merged into {into} in this project, and the file"
                                           " has sub-codes under it; nothing changed"])
                refused.hint = "merge it in the other program too, or export the codebook again from this project (`qualcode codebook export`)"
                raise refused
            deviations.append(f"code {file_path!r} ({guid}) was merged into {into!r} in this project; left out, not made again")
        return kept

    qdc.codebook.codes = without_merged(qdc.codebook.codes, "")
    guids: dict[str, str] = {}
    placed: dict[str, str] = {}
    ending_at: dict[str, tuple[str, CodeSpec]] = {}  # casefolded path here -> the file's path and the code ending there
    problems: list[str] = []

    def visit(codes: list[CodeSpec], parent_path: str, file_parent: str) -> None:
        for spec in codes:
            guid = qdc.guids.get(id(spec))
            known = by_guid.get(guid or "")
            file_path = f"{file_parent}/{spec.name}" if file_parent else spec.name
            if known is not None and known.name != spec.name:
                deviations.append(f"code {spec.name!r} has the GUID of {known.path!r} here; merged into it, keeping its name")
                spec.name = known.name
            path = f"{parent_path}/{spec.name}" if parent_path else spec.name
            first = ending_at.setdefault(path.casefold(), (file_path, spec))
            if first[1] is not spec:
                # A code keeping the project's name would take the place of another the file has: one would swallow the other.
                problems.append(f"the file's codes {first[0]} and {file_path} would both be {path} in this project, where a code"
                                " the file renamed keeps its name (in the other program, rename one of them)")
            if known is not None:
                placed[path] = known.guid
            if guid:
                guids[path] = guid
            visit(spec.children, path, file_path)

    visit(qdc.codebook.codes, "", "")
    if problems:
        raise CodebookInvalid(problems[:1])
    codebook = Codebook(
        name=get_setting(session, "codebook.name") or qdc.codebook.name,
        description=get_setting(session, "codebook.description"),
        codes=qdc.codebook.codes,
    )
    return QdcImport(apply_codebook(session, codebook, coder, guids, placed), deviations)
