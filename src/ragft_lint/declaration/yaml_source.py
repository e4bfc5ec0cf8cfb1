"""Reading a YAML declaration into plain values with positions.

The YAML is composed into a node graph and walked here, never constructed: no tag can make the
parser build an object, aliases are followed with a node budget so a small file cannot expand
into a huge one, and duplicate keys are reported instead of silently overwritten.

Composing uses PyYAML's libyaml binding where it is installed (PyYAML's wheels carry it): a
megabyte of YAML composes in well under a second, where a pure-Python parser takes ten.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, List

from ..errors import DeclarationError, Problem
from .document import Document, KeyPath, Position

if TYPE_CHECKING:
    from .document import PathLike

# A node reached again through an alias counts against this budget: it bounds what an alias
# "bomb" can expand to. Nodes reached once are bounded by the size of the file.
MAX_NODES = 100_000
MAX_DEPTH = 64

_STANDARD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {"str", "int", "float", "bool", "null", "timestamp"}
_STRING, _SEQUENCE, _MAPPING = _STANDARD + "str", _STANDARD + "seq", _STANDARD + "map"
_MERGE = _STANDARD + "merge"


def _shown(tag: str) -> str:
    """A tag as users write it: ``!!python/object`` rather than its expanded form."""
    return "!!" + tag[len(_STANDARD):] if tag.startswith(_STANDARD) else tag


class _Walk:
    def __init__(self, display: str) -> None:
        from yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self.display = display
        self.problems: List[Problem] = []
        self.positions: dict[KeyPath, Position] = {}
        self.nodes = 0
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.kinds = (ScalarNode, SequenceNode, MappingNode)

    def problem(self, node: Any, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.display, mark.line + 1, mark.column + 1, message))

    def value(self, node: Any, path: KeyPath, depth: int) -> Any:
        scalar_node, sequence_node, mapping_node = self.kinds
        identity = id(node)
        if identity in self.seen:
            self.nodes += 1 + (len(node.value) if isinstance(node.value, list) else 0)
            if self.nodes > MAX_NODES:
                raise _Budget(node)
        else:
            self.seen.add(identity)
        if depth > MAX_DEPTH:
            raise _TooDeep(node)
        tag = node.tag
        if isinstance(node, scalar_node):
            return self.scalar(node, tag)
        if identity in self.active:
            self.problem(node, "an alias refers to a node that contains it (a recursive alias)")
            return None
        self.active.add(identity)
        try:
            if isinstance(node, sequence_node):
                if tag != _SEQUENCE:
                    self.problem(node, f"the tag {_shown(tag)!r} is not allowed in a declaration")
                    return None
                items = []
                positions = self.positions
                for index, item in enumerate(node.value):
                    where = path + (index,)
                    mark = item.start_mark
                    line, column = mark.line + 1, mark.column + 1
                    positions[where] = (line, column, line, column)
                    items.append(self.value(item, where, depth + 1))
                return items
            if isinstance(node, mapping_node):
                if tag != _MAPPING:
                    self.problem(node, f"the tag {_shown(tag)!r} is not allowed in a declaration")
                    return None
                return self.mapping(node, path, depth)
        finally:
            self.active.discard(identity)
        self.problem(node, "unsupported YAML node")
        return None

    def mapping(self, node: Any, path: KeyPath, depth: int) -> dict[str, Any]:
        scalar_node = self.kinds[0]
        positions = self.positions
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self.problem(key_node, "merge keys (<<) are not supported; write the keys out")
                continue
            if not isinstance(key_node, scalar_node):
                self.problem(key_node, "a key must be a plain word, not a mapping or a list")
                continue
            key = key_node.value
            where = path + (key,)
            if key in out:
                first = positions.get(where)
                before = f" (first at line {first[0]})" if first else ""
                self.problem(key_node, f"duplicate key {key!r}{before}")
                continue
            k, v = key_node.start_mark, value_node.start_mark
            positions[where] = (k.line + 1, k.column + 1, v.line + 1, v.column + 1)
            out[key] = self.value(value_node, where, depth + 1)
        return out

    def scalar(self, node: Any, tag: str) -> Any:
        if tag == _STRING:  # the usual case
            return node.value
        if not tag.startswith(_STANDARD) or tag[len(_STANDARD):] not in _SCALAR_TAGS:
            self.problem(node, f"the tag {_shown(tag)!r} is not allowed in a declaration")
            return None
        kind = tag[len(_STANDARD):]
        text = node.value
        if kind == "str":
            return text
        if kind == "null":
            return None
        if kind == "bool":
            return text.lower() in ("true", "yes", "on")
        if kind == "int":
            return self.integer(node, text)
        if kind == "float":
            return _float(text)
        # timestamp: a date-only value is a date; anything with a time stays text and is
        # reported by the validator as "not a date".
        if len(text) == 10:
            try:
                return datetime.date(int(text[:4]), int(text[5:7]), int(text[8:]))
            except ValueError:
                pass
        return text

    def integer(self, node: Any, text: str) -> Any:
        digits = text.replace("_", "")
        if len(digits) > 40:
            self.problem(node, "integer too large")
            return None
        try:
            sign = -1 if digits.startswith("-") else 1
            body = digits.lstrip("+-")
            if body[:2] in ("0x", "0X"):
                return sign * int(body[2:], 16)
            if body[:2] in ("0o", "0O"):
                return sign * int(body[2:], 8)
            if body[:2] in ("0b", "0B"):
                return sign * int(body[2:], 2)
            return sign * int(body, 10)
        except ValueError:
            return text


def _float(text: str) -> float:
    lowered = text.lower().replace("_", "")
    if lowered in (".inf", "+.inf"):
        return float("inf")
    if lowered == "-.inf":
        return float("-inf")
    if lowered == ".nan":
        return float("nan")
    return float(lowered)


class _Budget(Exception):
    def __init__(self, node: Any) -> None:
        self.node = node


class _TooDeep(Exception):
    def __init__(self, node: Any) -> None:
        self.node = node


_LOADER: Any = None


def _loader() -> Any:
    """PyYAML's safe loader (libyaml's where installed), with a leaner tag resolver.

    The composer asks the resolver for the tag of every node, in Python; PyYAML's own resolver
    also supports path-based resolution, which nothing here registers. This one gives the same
    tags (YAML 1.1's implicit types, looked up by first character) in fewer steps;
    ``tests/test_yaml_tags.py`` compares the two.
    """
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml
    from yaml.nodes import ScalarNode, SequenceNode
    from yaml.resolver import Resolver

    implicit = Resolver.yaml_implicit_resolvers
    anywhere = tuple(implicit.get(None, ()))
    by_first = {first: tuple(found) + anywhere for first, found in implicit.items()}
    scalar: str = Resolver.DEFAULT_SCALAR_TAG
    sequence: str = Resolver.DEFAULT_SEQUENCE_TAG
    mapping: str = Resolver.DEFAULT_MAPPING_TAG

    class Loader(getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader):  # type: ignore[misc]
        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is ScalarNode:
                if implicit[0]:
                    for tag, pattern in by_first.get(value[:1], anywhere):
                        if pattern.match(value):
                            return str(tag)
                return scalar
            return sequence if kind is SequenceNode else mapping

    _LOADER = Loader
    return Loader


def read_yaml(file: PathLike, display: str, text: str) -> Document:
    """Parse YAML text into a ``Document``, or raise ``DeclarationError`` naming every problem."""
    import yaml
    from yaml import MarkedYAMLError, YAMLError

    try:
        documents = list(yaml.compose_all(text, Loader=_loader()))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(x for x in (exc.context, exc.problem) if x) or "invalid YAML"
        raise DeclarationError([Problem(display, line, column, f"invalid YAML: {what}")]) from None
    except (YAMLError, RecursionError, ValueError) as exc:
        message = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise DeclarationError([Problem(display, 1, 1, f"invalid YAML: {message}")]) from None
    documents = [d for d in documents if d is not None]
    if not documents:
        raise DeclarationError([Problem(display, 1, 1, "the declaration is empty")])
    if len(documents) > 1:
        second = documents[1].start_mark
        raise DeclarationError([Problem(
            display, second.line + 1, second.column + 1,
            "the file holds more than one YAML document; a declaration is one document",
        )])
    root = documents[0]
    walk = _Walk(display)
    try:
        data = walk.value(root, (), 0)
    except _Budget as exc:
        walk.problem(exc.node, f"the declaration expands to more than {MAX_NODES} values "
                               "(aliases repeated too often)")
        data = None
    except _TooDeep as exc:
        walk.problem(exc.node, f"nested more than {MAX_DEPTH} levels deep")
        data = None
    if walk.problems:
        raise DeclarationError(walk.problems)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise DeclarationError([Problem(
            display, root.start_mark.line + 1, root.start_mark.column + 1,
            f"a declaration is a mapping of keys, found {kind}",
        )])
    return Document(file, display, "yaml", data, walk.positions,
                    (root.start_mark.line + 1, root.start_mark.column + 1))
