"""Reading composed YAML nodes with every problem located: the generic shapes of a policy file.

A :class:`NodeReader` checks mappings, lists, strings and key patterns node by node and collects a
``PolicyError`` (file, line, dotted field, fix) for each problem instead of stopping at the first,
so a user sees every mistake of a file at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Final

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..patterns import KeyPattern, PatternError
from .errors import PolicyError

__all__ = ["NodeReader", "describe", "is_null", "is_str", "line_of"]

TAG_STR: Final = "tag:yaml.org,2002:str"
TAG_INT: Final = "tag:yaml.org,2002:int"
TAG_BOOL: Final = "tag:yaml.org,2002:bool"
TAG_NULL: Final = "tag:yaml.org,2002:null"
_KINDS: Final = {"int": "an integer", "float": "a decimal number", "timestamp": "a date"}


def describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    assert isinstance(node, ScalarNode)
    if node.tag == TAG_NULL:
        return "nothing (null)"
    if node.tag == TAG_BOOL:
        return f"{node.value!r} (a boolean)"
    if node.tag == TAG_STR:
        return repr(node.value)
    kind = _KINDS.get(node.tag.rsplit(":", 1)[-1])
    return f"{node.value} ({kind})" if kind else repr(node.value)


def line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == TAG_NULL)


def is_str(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == TAG_STR


class NodeReader:
    """Walks composed YAML, collecting every problem with its line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[PolicyError] = []
        self.constructor = SafeConstructor()

    def error(self, node: Node | int | None, field: str, problem: str, fix: str) -> None:
        line = line_of(node) if isinstance(node, Node) else node
        self.errors.append(PolicyError(self.path, line, field, problem, fix))

    # -- generic shapes --

    def mapping(
        self, node: Node, field: str, allowed: Sequence[str] | None, what: str
    ) -> dict[str, Node] | None:
        """A mapping's string keys → value nodes; reports a non-mapping, unknown keys, dups."""
        if not isinstance(node, MappingNode):
            self.error(node, field, f"expected {what}, got {describe(node)}", f"write {what}")
            return None
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key_field = f"{field}.{key_node.value}" if field else str(key_node.value)
            if not isinstance(key_node, ScalarNode) or key_node.tag not in (TAG_STR, TAG_INT):
                self.error(
                    key_node,
                    field,
                    f"expected a plain name as key, got {describe(key_node)}",
                    "use a plain name as the key",
                )
                continue
            name = str(key_node.value)
            if allowed is not None and name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.error(
                    key_node,
                    key_field,
                    f"unknown key {name!r}",
                    f"{hint}remove it or use one of: {', '.join(allowed)}",
                )
                continue
            if name in out:
                self.error(
                    key_node,
                    key_field,
                    f"{name!r} is given more than once",
                    "keep one of them (YAML would silently use the last)",
                )
                continue
            out[name] = value_node
        return out

    def sequence(self, node: Node | None, field: str, example: str) -> list[Node]:
        """A list's item nodes; null or absent is an empty list."""
        if node is None or is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.error(
                node,
                field,
                f"expected a list, got {describe(node)}",
                f"write a YAML list, e.g. {field.rsplit('.', 1)[-1]}: [{example}]",
            )
            return []
        return list(node.value)

    def strings(self, node: Node | None, field: str, example: str) -> list[tuple[Node, str]]:
        out: list[tuple[Node, str]] = []
        for index, item in enumerate(self.sequence(node, field, example)):
            if not is_str(item) or not str(item.value).strip():
                got = "an empty string" if is_str(item) else describe(item)
                self.error(
                    item,
                    f"{field}[{index}]",
                    f"expected a non-empty string, got {got}",
                    f"write a string (quote it if needed), e.g. {example}",
                )
                continue
            out.append((item, str(item.value)))
        return out

    def patterns(self, node: Node | None, field: str, example: str) -> list[KeyPattern]:
        out: list[KeyPattern] = []
        for index, (item, text) in enumerate(self.strings(node, field, example)):
            try:
                out.append(KeyPattern(text))
            except PatternError as err:
                self.error(item, f"{field}[{index}]", err.summary, err.fix)
        return out

    def python(self, node: Node) -> object:
        """Plain Python data for an exception entry's value (an impossible date stays a str)."""
        if isinstance(node, SequenceNode):
            return [self.python(item) for item in node.value]
        if isinstance(node, MappingNode):
            return {str(k.value): self.python(v) for k, v in node.value}
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError):
            return node.value
