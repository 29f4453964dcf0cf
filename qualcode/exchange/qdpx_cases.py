"""Cases, variables and sets in a .qdpx: the people its cases are, the values its variables give them
and their sources, and its sets of sources, read as a yes/no variable of each."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from qualcode.exchange.codebook_qdc import normal_guid
from qualcode.exchange.qdpx_elements import (
    child_named,
    child_text,
    children_named,
    describe,
    local_name,
)
from qualcode.exchange.qdpx_notes import description_note
from qualcode.exchange.qdpx_package import QdpxCase, QdpxPackage
from qualcode.exchange.qdpx_values import VALUE_KINDS, typed_as
from qualcode.importers.metadata import (
    RESERVED_ATTRIBUTE_NAMES,
    attribute_name_from_file,
    in_digits_0_to_9,
)
from qualcode.text.counts import counted

if TYPE_CHECKING:
    from lxml import etree

    from qualcode.exchange.qdpx_reader import QdpxReader


def read_variables(reader: QdpxReader, element: etree._Element, variables: dict[str, tuple[str, str]], project_notes: list[str]) -> None:
    """The <Variables>, each into `variables` (its GUID -> its name and type), its description into `project_notes`."""
    for variable in children_named(element, "Variable"):
        guid = reader.guid(variable)
        if guid is not None:
            # Named as a name typed can be ("Alder, gruppe" from another program as "Alder; gruppe"), said:
            # two that become one name are then told apart as two Variables of one name are (_settled).
            name, renamed = attribute_name_from_file(variable.get("name") or guid, "Variables")
            reader.package.problems += [renamed] if renamed is not None else []
            variables[guid] = (name, (variable.get("typeOfVariable") or "").strip())
            # qualcode keeps no description of an attribute: the project's memo, titled by the variable.
            described = description_note(reader, variable, "variable-description", guid, f"variable {name}")
            project_notes += [described] if described is not None else []


def read_cases(reader: QdpxReader, element: etree._Element, variables: dict[str, tuple[str, str]]) -> list[QdpxCase]:
    """The <Cases> that are someone; a case without a name that refers to sources is kept for them (_read_case)."""
    return [case for case in (_read_case(reader, c, variables) for c in children_named(element, "Case")) if case]


def _read_case(reader: QdpxReader, element: etree._Element, variables: dict[str, tuple[str, str]]) -> QdpxCase | None:
    """A <Case>: someone, or None where it is unreadable or is what the file says of its sources (kept for settle_variables)."""
    guid = reader.guid(element)
    if guid is None:
        return None
    sources = reader.refs(element, "SourceRef")
    described = description_note(reader, element, "case-description", guid)  # QualCoder's memo on a case
    # No one, but what the file says of its sources: Quirkos and MAXQDA write a document's variables so.
    of_sources = not (element.get("name") or "").strip() and sources and child_named(element, "SelectionRef") is None
    if not of_sources:
        # A case that lists selections rather than sources appears in the selections' sources.
        sources += [f"selection:{target}" for target in reader.refs(element, "SelectionRef")]
    values = variable_values(reader, element, variables)
    notes = [*([described] if described else []), *reader.refs(element, "NoteRef")]
    if not (element.get("name") or "").strip() and not sources:
        # Nobody: no name, and nothing of anyone's (a document's variables whose document the file left out, an empty
        # case). It was a participant named by its GUID. Its notes, which nothing else refers to, come in on the project.
        held = ([f"its {counted(len(values), 'variable value')} left out, as no one's"] if values else []) + (
            [f"its {counted(len(notes), 'note')} kept as {'a memo' if len(notes) == 1 else 'memos'} on the project"] if notes else [])
        reader.package.skipped.append(f"{describe(element)}: no name, and no sources or passages: no one to make a participant of;"
                                      f" skipped{''.join(', ' + said for said in held)}")
        return None
    if of_sources:
        reader.source_cases.append(QdpxCase(guid, guid, None, values, sources, notes))
        return None
    return QdpxCase(guid, (element.get("name") or guid).strip(), child_text(element, "Description"), values, sources, notes)


def variable_values(reader: QdpxReader, element: etree._Element, variables: dict[str, tuple[str, str]]) -> dict[str, object]:
    """The VariableValues of `element` by their Variable's GUID, each as its kind and text until settle_variables types it."""
    values: dict[str, object] = {}
    for value in children_named(element, "VariableValue"):
        ref = child_named(value, "VariableRef")
        target = normal_guid(ref.get("targetGUID")) if ref is not None else None
        typed = _value(value)
        if target is None:
            reader.package.problems.append(f"VariableValue (line {value.sourceline}) in {describe(element)}: no VariableRef; skipped")
        elif typed is not None and typed[1] != "":
            values[target] = typed
    return values


def _value(value: etree._Element) -> tuple[str, str] | None:
    """A VariableValue as the kind of its value element and its text, typed once the Variables are read."""
    for kind in VALUE_KINDS:
        text = child_text(value, kind + "Value")
        if text is not None:
            return kind, text.strip()
    return None


def read_set(reader: QdpxReader, element: etree._Element, variables: dict[str, tuple[str, str]], project_notes: list[str]) -> None:
    """A set of sources (MAXQDA's document set, ATLAS.ti's document group) as a yes/no attribute of its
    transcripts named by the set, which an analysis can cross codes with, so the researcher's grouping of
    the interviews comes along; its codes and notes, which qualcode has no sets of, are listed as skipped."""
    package = reader.package
    if local_name(element) != "Set":
        reader.skip_unknown(element)
        return
    others = [kind for kind in ("MemberCode", "MemberNote") if child_named(element, kind) is not None]
    if others:
        package.skipped.append(f"{describe(element)}: its {' and '.join(kind[6:].lower() + 's' for kind in others)},"
                               " as qualcode has no sets of them")
    members = reader.refs(element, "MemberSource")
    guid = normal_guid(element.get("guid"))
    sources = {source.guid: source for source in package.sources}
    held = [sources[member] for member in dict.fromkeys(members) if member in sources]
    if not held or guid is None:
        if not others:
            package.skipped.append(f"{describe(element)}: {'none of its sources was read' if members else 'no sources'}; qualcode has no sets")
        return
    from qualcode.exchange.project_export import TRANSCRIPT_FIELDS

    name, renamed = attribute_name_from_file(" ".join((element.get("name") or guid).split()), "Sets")
    package.problems += [renamed] if renamed is not None else []
    # Named as a field ("wave" would set the transcripts' wave to "true", "role" was skipped as built in) or as a
    # variable of the file (its values would move to "runde (2)"), the set is "NAME (set)".
    taken = {label for label, _ in TRANSCRIPT_FIELDS} | RESERVED_ATTRIBUTE_NAMES | {
        known.casefold() for ref, (known, _) in variables.items() if not ref.startswith("set:")}
    if name.casefold() in taken:
        name = f"{name} (set)"
    variables[f"set:{guid}"] = (name, "Boolean")
    for source in held:
        source.variables[f"set:{guid}"] = ("Boolean", "true")
    described = description_note(reader, element, "set-description", guid, f"set {name}")
    project_notes += [described] if described is not None else []
    package.deviations.append(f"{describe(element)}: read as the attribute {name!r} (true) of its {len(held)} transcript"
                              f"{'' if len(held) == 1 else 's'}, as qualcode has no sets")


def settle_variables(reader: QdpxReader, variables: dict[str, tuple[str, str]]) -> None:
    """Once all is read: the values of cases without a name on their sources, and each value named and typed by its Variable."""
    package = reader.package
    _sources_own_cases(reader, variables)
    # A case's variables were read before or after <Variables>: the names are settled here.
    for case in package.cases:
        case.variables = _settled(package, case.variables, variables, f"Case {case.name!r} {case.guid}")
    for source in package.sources:
        source.variables = _settled(package, source.variables, variables, f"TextSource {source.name!r} {source.guid}")


def _sources_own_cases(reader: QdpxReader, variables: dict[str, tuple[str, str]]) -> None:
    """A case without a name that refers to sources is what the file says of them: its variables are theirs
    (a source's own value first) and its notes are on the first of them: there is no one to make a participant of."""
    by_guid = {source.guid: source for source in reader.package.sources}
    for case in reader.source_cases:
        held = [by_guid[ref] for ref in case.sources if ref in by_guid]
        missing = [ref for ref in case.sources if ref not in by_guid]
        if missing:
            reader.package.problems.append(f"Case {case.guid} (no name): refers to {', '.join(missing)}, which is no text source read; skipped there")
        if not held:
            continue
        names = ", ".join(repr(source.name) for source in held)
        reader.package.deviations.append(f"Case {case.guid} has no name: read as the variables of {names}, not as a participant")
        for source in held:
            for ref, value in case.variables.items():
                own = source.variables.setdefault(ref, value)
                if own != value:
                    reader.package.problems.append(
                        f"Case {case.guid} (no name): variable {variables.get(ref, (ref, ''))[0]}: {cast('tuple[str, str]', value)[1]!r}"
                        f" differs from the value source {source.name!r} has; the source's is kept"
                    )
        held[0].notes += case.notes


def _settled(
    package: QdpxPackage, raw: dict[str, object], variables: dict[str, tuple[str, str]], where: str,
) -> dict[str, object]:
    """Values named by their Variable and typed by its typeOfVariable (by their own element when it has none);
    a value that does not fit its type is skipped and listed."""
    values: dict[str, object] = {}
    # A name the file gives a Variable of its own ("arbeidssted (2)") is not the second of two of another name.
    declared_names = {declared_name for declared_name, _ in variables.values()}
    for ref, found in raw.items():
        kind, text = cast("tuple[str, str]", found)
        name, declared = variables.get(ref, (ref, ""))
        value_type = declared if declared in VALUE_KINDS else kind
        typed = typed_as(value_type, text)
        if typed is None:
            other_digits = " (its digits are not 0-9)" if in_digits_0_to_9(text) != text else ""
            package.problems.append(f"{where}: variable {name}: {text!r} does not fit its type {value_type}{other_digits}; skipped")
            continue
        if name in values and values[name] != typed:
            # Two Variables of one name (another program tells them by GUID): the second value was lost unsaid.
            number = 2
            while f"{name} ({number})" in values or f"{name} ({number})" in declared_names:
                number += 1
            package.problems.append(f"{where}: two variables are named {name}; {text!r} kept as {name} ({number})")
            name = f"{name} ({number})"
        values[name] = typed
    return values
