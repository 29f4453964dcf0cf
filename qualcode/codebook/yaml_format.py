"""Reading and writing codebook YAML, with errors that name the file and line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.error import Mark
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qualcode.codebook import model
from qualcode.codebook.model import (
    CODE_FIELDS,
    MAX_CODE_DEPTH,
    MAX_CODES,
    NOTHING_SHOWN,
    Codebook,
    CodeSpec,
    code_name,
    code_too_long,
    look_alike_detail,
    name_look,
    shortcut_key,
    shortcut_not_visible,
    shows_nothing,
)
from qualcode.errors import CodebookInvalid

CODE_KEYS = {"name", "signal_words", "codes", *CODE_FIELDS}
TOP_KEYS = {"name", "description", "codes"}
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

# The same limits as at entry (model.py, read there when used: one number), so that a project's own
# export always reads back.
MAX_YAML_DEPTH = 2 * MAX_CODE_DEPTH + 10  # each level of codes is a list and a mapping in YAML
MAX_PROBLEMS_SHOWN = 20


class _Refused(yaml.YAMLError):
    """Raised while composing: the file uses YAML a codebook may not use."""

    def __init__(self, mark: Mark, problem: str) -> None:
        super().__init__(problem)
        self.problem_mark = mark
        self.problem = problem


class _CodebookLoader(yaml.SafeLoader):
    """YAML without anchors or aliases, nested to a bounded depth.

    Aliases let a few lines stand for billions of codes (the "billion laughs") or for themselves
    (a cycle); a codebook never needs them, so they are refused where they first appear.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                event.start_mark,
                "anchors and aliases (&name, *name, <<:) are not allowed in a codebook; write each code out",
            )
        if self.depth >= MAX_YAML_DEPTH:
            raise _Refused(event.start_mark, f"the YAML is nested more than {MAX_YAML_DEPTH} levels deep")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load_codebook(path: Path) -> Codebook:
    """Parse and validate a codebook file; raises CodebookInvalid listing every problem."""
    if not path.is_file():
        raise CodebookInvalid([f"{path}: no such file"])
    size = path.stat().st_size
    if size > model.MAX_CODEBOOK_BYTES:
        raise CodebookInvalid([_too_big(path.name, size)])
    data = path.read_bytes()
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CodebookInvalid([f"{path.name} line {line}: not UTF-8 text"]) from None
    return parse_codebook(source, path.name)


def parse_codebook(source: str, where: str) -> Codebook:
    """Parse and validate codebook YAML; `where` names the file in problems."""
    if len(source) > model.MAX_CODEBOOK_BYTES:
        raise CodebookInvalid([_too_big(where, len(source.encode("utf-8")))])
    try:
        loader = _CodebookLoader(source)  # checks every character at once
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        raise CodebookInvalid([_yaml_problem(error, source, where)]) from None
    reader = _Reader(where)
    codebook = reader.codebook(root)
    if reader.problems:
        invalid = CodebookInvalid(reader.problems)
        hidden = len(reader.problems) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            # Every problem stays in `problems`; the one line names the first few.
            shown = "; ".join(reader.problems[:MAX_PROBLEMS_SHOWN])
            invalid.message = f"{len(reader.problems)} problems: {shown}; and {hidden} more"
        raise invalid
    return codebook


def _too_big(where: str, size: int) -> str:
    return f"{where}: {size / 1_000_000:.1f} MB is too big for a codebook (at most {model.MAX_CODEBOOK_BYTES / 1_000_000:.0f} MB)"


def _yaml_problem(error: yaml.YAMLError, source: str, where: str) -> str:
    """One line naming the file and line of a YAML error."""
    if isinstance(error, yaml.reader.ReaderError):
        line_number = source.count("\n", 0, error.position) + 1
        code_point = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "\0")
        return f"{where} line {line_number}: the character U+{code_point:04X} is not allowed in YAML"
    if isinstance(error, _Refused):
        return f"{where} line {error.problem_mark.line + 1}: {error.problem}"
    mark = getattr(error, "problem_mark", None)
    line = f" line {mark.line + 1}" if mark is not None else ""
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    explained = f"{context}, {problem}" if context else str(problem)
    return f"{where}{line}: not valid YAML: " + " ".join(explained.split())


class _Reader:
    """Walks the YAML node tree so each problem can cite the line it is on."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[str] = []
        self.shortcuts: dict[str, str] = {}
        self.count = 0

    def problem(self, node: Node | None, message: str) -> None:
        line = f" line {node.start_mark.line + 1}" if node is not None else ""
        self.problems.append(f"{self.where}{line}: {message}")

    def codebook(self, root: Node | None) -> Codebook:
        if not isinstance(root, MappingNode):
            self.problem(root, "a codebook must be a mapping with 'name' and 'codes'")
            return Codebook(name="")
        fields = self.mapping(root, TOP_KEYS, "codebook")
        name = self.text(fields.get("name"), "name") or ""
        if not name:
            self.problem(root, "the codebook has no name")
        codes_node = fields.get("codes")
        if codes_node is None:
            self.problem(root, "the codebook has no codes")
        return Codebook(
            name=name,
            description=self.text(fields.get("description"), "description"),
            codes=self.codes(codes_node, "") if codes_node is not None else [],
        )

    def mapping(self, node: MappingNode, allowed: set[str], what: str) -> dict[str, Node]:
        fields: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key is None or key not in allowed:
                self.problem(key_node, f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})")
            elif key in fields:
                self.problem(key_node, f"{key!r} given twice in {what}")
            else:
                fields[key] = value_node
        return fields

    def text(self, node: Node | None, key: str) -> str | None:
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.problem(node, f"{key} must be text")
            return None
        value = node.value.strip()
        return value or None

    def codes(self, node: Node, parent: str) -> list[CodeSpec]:
        if not isinstance(node, SequenceNode):
            self.problem(node, "codes must be a list, each item starting with '- name:'")
            return []
        depth = parent.count("/") + 2 if parent else 1
        if depth > MAX_CODE_DEPTH:
            self.problem(node, f"codes under {parent} are nested {depth} levels deep; a code tree has at most {MAX_CODE_DEPTH}")
            return []
        result: list[CodeSpec] = []
        seen: set[str] = set()
        looks: dict[str, CodeSpec] = {}  # name_look -> the first code beside it that looks so
        for item in node.value:
            self.count += 1
            if self.count == MAX_CODES + 1:
                self.problem(item, f"more than {MAX_CODES:,} codes; a codebook holds at most {MAX_CODES:,}")
            code = self.code(item, parent)
            if code is None:
                continue
            twin = looks.setdefault(name_look(code.name), code)
            if code.name.lower() in seen:
                self.problem(item, f"code {code.name!r} appears twice under {parent or 'the top level'}")
            elif twin is not code:  # two codes nobody could tell apart: refused as `codebook add` refuses the second
                self.problem(item, f"code {code.name!r} looks like code {twin.name!r} (line {twin.line}) under"
                                   f" {parent or 'the top level'}: {look_alike_detail(code.name, twin.name)}")
            seen.add(code.name.lower())
            result.append(code)
        return result

    def code(self, node: Node, parent: str) -> CodeSpec | None:
        if not isinstance(node, MappingNode):
            self.problem(node, "each code must be a mapping with at least a name")
            return None
        fields = self.mapping(node, CODE_KEYS, "a code")
        name = self.text(fields.get("name"), "name")
        # As typed names are kept: "måltall" typed decomposed, or with two spaces, is the same code.
        name = code_name(name) if name else name
        if not name:
            self.problem(node, "a code has no name")
            return None
        if shows_nothing(name):
            self.problem(fields["name"], f"a code's name is written with {NOTHING_SHOWN}: give it a name a reader can see")
            return None
        if "/" in name:
            self.problem(fields["name"], f"code name {name!r} contains '/', which separates code paths")
        path = f"{parent}/{name}" if parent else name
        too_long = code_too_long(name, path)
        if too_long:
            self.problem(fields["name"], "; ".join(too_long))
        code = CodeSpec(name=name, line=node.start_mark.line + 1)
        for key in CODE_FIELDS:
            setattr(code, key, self.text(fields.get(key), key))
        if code.colour and not COLOUR.match(code.colour):
            self.problem(fields["colour"], f"colour {code.colour!r} of {path} is not #RRGGBB")
        elif code.colour is None and _commented_out(fields.get("colour")):
            self.problem(fields["colour"], f"colour of {path} is empty: a # outside quotes starts a YAML comment;"
                                           ' write it in quotes, colour: "#RRGGBB"')
        if code.shortcut is not None:
            code.shortcut = shortcut_key(code.shortcut)
            if shortcut_not_visible(code.shortcut):  # as `codebook edit` refuses it
                self.problem(fields["shortcut"], f"shortcut {code.shortcut!r} of {path} must be one visible character")
            elif code.shortcut in self.shortcuts:
                self.problem(fields["shortcut"], f"shortcut {code.shortcut!r} of {path} is already used by {self.shortcuts[code.shortcut]}")
            else:
                self.shortcuts[code.shortcut] = path
        words_node = fields.get("signal_words")
        if words_node is not None:
            if isinstance(words_node, SequenceNode) and all(isinstance(w, ScalarNode) for w in words_node.value):
                code.signal_words = [w.value.strip() for w in words_node.value if w.value.strip()]
            else:
                self.problem(words_node, f"signal_words of {path} must be a list of words")
        if "codes" in fields:
            code.children = self.codes(fields["codes"], path)
        return code


# A colour alone after its key, unquoted: YAML reads it as a comment, and the key as empty.
_COLOUR_AS_COMMENT = re.compile(r"[ \t]*#(?:[0-9A-Fa-f]{3}){1,2}[ \t]*(?:\r?\n|$)")


def _commented_out(node: Node | None) -> bool:
    """Whether `node` is a value left empty by a colour YAML took for a comment (`colour: #FF0000`)."""
    if not isinstance(node, ScalarNode) or node.value or node.style is not None:
        return False
    mark = node.start_mark
    return isinstance(mark.buffer, str) and _COLOUR_AS_COMMENT.match(mark.buffer, mark.index) is not None


def dump_codebook(codebook: Codebook) -> str:
    """The codebook as YAML in the same format it is read from."""

    def code_dict(code: CodeSpec) -> dict[str, Any]:
        data: dict[str, Any] = {"name": code.name}
        for key in CODE_FIELDS:
            value = getattr(code, key)
            if value:
                data[key] = value
        if code.signal_words:
            data["signal_words"] = list(code.signal_words)
        if code.children:
            data["codes"] = [code_dict(child) for child in code.children]
        return data

    document: dict[str, Any] = {"name": codebook.name}
    if codebook.description:
        document["description"] = codebook.description
    document["codes"] = [code_dict(code) for code in codebook.codes]
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
