"""Reading and writing codebook YAML, with errors that name the file and line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qualcode.codebook.model import CODE_FIELDS, Codebook, CodeSpec
from qualcode.errors import CodebookInvalid

CODE_KEYS = {"name", "signal_words", "codes", *CODE_FIELDS}
TOP_KEYS = {"name", "description", "codes"}
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def load_codebook(path: Path) -> Codebook:
    """Parse and validate a codebook file; raises CodebookInvalid listing every problem."""
    if not path.is_file():
        raise CodebookInvalid([f"{path}: no such file"])
    try:
        source = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookInvalid([f"{path.name}: not UTF-8 text"]) from None
    return parse_codebook(source, path.name)


def parse_codebook(source: str, where: str) -> Codebook:
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise CodebookInvalid([f"{where}{line}: not valid YAML: {problem}"]) from None
    reader = _Reader(where)
    codebook = reader.codebook(root)
    if reader.problems:
        raise CodebookInvalid(reader.problems)
    return codebook


class _Reader:
    """Walks the YAML node tree so each problem can cite the line it is on."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[str] = []
        self.shortcuts: dict[str, str] = {}

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
        result: list[CodeSpec] = []
        seen: set[str] = set()
        for item in node.value:
            code = self.code(item, parent)
            if code is None:
                continue
            if code.name.lower() in seen:
                self.problem(item, f"code {code.name!r} appears twice under {parent or 'the top level'}")
            seen.add(code.name.lower())
            result.append(code)
        return result

    def code(self, node: Node, parent: str) -> CodeSpec | None:
        if not isinstance(node, MappingNode):
            self.problem(node, "each code must be a mapping with at least a name")
            return None
        fields = self.mapping(node, CODE_KEYS, "a code")
        name = self.text(fields.get("name"), "name")
        if not name:
            self.problem(node, "a code has no name")
            return None
        if "/" in name:
            self.problem(fields["name"], f"code name {name!r} contains '/', which separates code paths")
        path = f"{parent}/{name}" if parent else name
        code = CodeSpec(name=name, line=node.start_mark.line + 1)
        for key in CODE_FIELDS:
            setattr(code, key, self.text(fields.get(key), key))
        if code.colour and not COLOUR.match(code.colour):
            self.problem(fields["colour"], f"colour {code.colour!r} of {path} is not #RRGGBB")
        if code.shortcut is not None:
            if len(code.shortcut) != 1 or code.shortcut.isspace():
                self.problem(fields["shortcut"], f"shortcut {code.shortcut!r} of {path} must be one character")
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
