"""Reading a YAML declaration into plain values with positions.

The YAML is read as YAML 1.2 (the core schema), as editors and the JSON Schema read it: ``yes``
and ``on`` are strings, ``1e-5`` is a number. It is composed into a node graph and walked here,
never constructed: no tag can make the parser build an object, aliases and merge keys are
followed with a node budget so a small file cannot expand into a huge one, and duplicate keys
are reported instead of silently overwritten. A key that a merge key (``<<``) brings in is
located where its anchor defines it.

Composing uses ruamel.yaml with the C parser of ruamel.yaml.clib where it is installed (a
CPython dependency): a megabyte of YAML composes in a fraction of a second, where the pure
parser (used elsewhere) takes several.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from ..errors import DeclarationError, Problem
from .document import Document, KeyPath, Position

if TYPE_CHECKING:
    from .document import PathLike

# A node reached again through an alias counts against this budget: it bounds what an alias
# "bomb" can expand to. Nodes reached once are bounded by the size of the file.
MAX_NODES = 100_000
MAX_DEPTH = 64

_STANDARD = "tag:yaml.org,2002:"
_STRING, _SEQUENCE, _MAPPING = _STANDARD + "str", _STANDARD + "seq", _STANDARD + "map"
_NULL, _BOOL, _INT, _FLOAT = (_STANDARD + kind for kind in ("null", "bool", "int", "float"))
_MERGE = _STANDARD + "merge"


def _shown(tag: str) -> str:
    """A tag as users write it: ``!!python/object`` rather than its expanded form."""
    return "!!" + tag[len(_STANDARD):] if tag.startswith(_STANDARD) else tag


# The resolver's tags, made once: ruamel.yaml's nodes hold ``Tag`` objects (a string is turned
# into a new one for every node), and a node's tag is known by the identity of its object.
_TAGS: Dict[str, Any] = {}
_NAMES: Dict[int, str] = {}


def _tag(name: str) -> Any:
    if name not in _TAGS:
        from ruamel.yaml.tag import Tag

        _TAGS[name] = found = Tag(suffix=_STANDARD + name)
        _NAMES[id(found)] = _STANDARD + name
    return _TAGS[name]


def tag_of(node: Any) -> str:
    """A node's tag as text: ``tag:yaml.org,2002:str``, or an explicit tag such as ``!secret``."""
    ctag = node.ctag
    name = _NAMES.get(id(ctag))
    return name if name is not None else str(ctag)


class _Walk:
    def __init__(self, display: str) -> None:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self.display = display
        self.problems: List[Problem] = []
        self.positions: Dict[KeyPath, Position] = {}
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
        ctag = node.ctag
        tag = _NAMES.get(id(ctag)) or str(ctag)
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

    def mapping(self, node: Any, path: KeyPath, depth: int) -> Dict[str, Any]:
        scalar_node = self.kinds[0]
        positions = self.positions
        merge = _tag("merge")
        out: Dict[str, Any] = {}
        merges: List[Tuple[Any, Any]] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, scalar_node):
                self.problem(key_node, "a key must be a plain word, not a mapping or a list")
                continue
            if key_node.ctag is merge:
                if merges:
                    self.problem(key_node, "duplicate key '<<' (merge several mappings with "
                                           "<<: [*a, *b])")
                merges.append((key_node, value_node))
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
        for key_node, value_node in merges[:1]:
            self.merge(out, key_node, value_node, path, depth)
        return out

    def merge(self, out: Dict[str, Any], key_node: Any, value_node: Any, path: KeyPath,
              depth: int) -> None:
        """Add the keys of ``<<: *a`` (or ``<<: [*a, *b]``, earlier first) that ``out`` lacks,
        each located where the merged mapping defines it."""
        scalar_node, sequence_node, mapping_node = self.kinds
        sources = value_node.value if isinstance(value_node, sequence_node) else [value_node]
        for source in sources:
            if not isinstance(source, mapping_node):
                self.problem(source if not isinstance(source, scalar_node) else value_node,
                             "a merge key (<<) takes a mapping, or a list of mappings")
                return
        size = len(path)
        for source in sources:
            kept = self.positions
            self.positions = {}
            try:
                merged = self.value(source, path, depth)
                found = self.positions
            finally:
                self.positions = kept
            if not isinstance(merged, dict):
                continue
            taken = {key for key in merged if key not in out}
            for key in taken:
                out[key] = merged[key]
            for where, position in found.items():
                if len(where) > size and where[size] in taken:
                    kept[where] = position

    def scalar(self, node: Any, tag: str) -> Any:
        if tag == _STRING:  # the usual case
            return node.value
        text = node.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return text in ("true", "True", "TRUE")
        if tag == _INT:
            return self.integer(node, text)
        if tag == _FLOAT:
            return _float(text)
        if tag == _MERGE:  # ``<<`` anywhere but as a key is just text
            return text
        self.problem(node, f"the tag {_shown(tag)!r} is not allowed in a declaration")
        return None

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


def _float(text: str) -> Any:
    lowered = text.lower().replace("_", "")
    if lowered in (".inf", "+.inf"):
        return float("inf")
    if lowered == "-.inf":
        return float("-inf")
    if lowered == ".nan":
        return float("nan")
    try:
        return float(lowered)
    except ValueError:  # an explicit ``!!float`` on text that is no number
        return text


class _Budget(Exception):
    def __init__(self, node: Any) -> None:
        self.node = node


class _TooDeep(Exception):
    def __init__(self, node: Any) -> None:
        self.node = node


def _resolver() -> Any:
    """A resolver of the YAML 1.2 core schema, looked up by a scalar's first character.

    The composer asks the resolver for the tag of every node, in Python; ruamel.yaml's own
    resolvers also handle YAML 1.1, version directives and path-based resolution, which a
    declaration never uses. This one gives the core schema's tags (``tests/test_yaml_tags.py``
    checks it against the schema's table) in fewer steps.
    """
    import re

    from ruamel.yaml.nodes import ScalarNode, SequenceNode
    from ruamel.yaml.resolver import BaseResolver

    string, sequence, mapping = _tag("str"), _tag("seq"), _tag("map")
    integer, floating = _tag("int"), _tag("float")
    number = re.compile(_NUMBER)
    words = {word: _tag(kind) for word, kind in _WORDS.items()}
    numeric = frozenset(_NUMERIC)

    class Resolver(BaseResolver):
        processing_version = (1, 2)

        def __init__(self, version: Any = None, loader: Any = None,
                     loadumper: Any = None) -> None:
            super().__init__(loadumper=loadumper if loadumper is not None else loader)

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is ScalarNode:
                if not implicit[0]:
                    return string
                if value[:1] in numeric:
                    found = number.fullmatch(value)
                    if found:
                        return integer if found.lastgroup == "int" else floating
                    return string
                return words.get(value, string)
            return sequence if kind is SequenceNode else mapping

    return Resolver


# The core schema's plain scalars other than strings (and ``<<``, the merge key).
_NUMBER = (r"(?P<int>[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)"
           r"|(?P<float>[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
           r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))")
_NUMERIC = "-+.0123456789"
_WORDS = {"null": "null", "Null": "null", "NULL": "null", "~": "null", "": "null",
          "true": "bool", "True": "bool", "TRUE": "bool",
          "false": "bool", "False": "bool", "FALSE": "bool", "<<": "merge"}


def plain_kind(text: str) -> str:
    """What a plain scalar reads as: ``str``, ``null``, ``bool``, ``int``, ``float``, ``merge``."""
    import re

    if text[:1] in _NUMERIC:
        found = re.fullmatch(_NUMBER, text)
        return found.lastgroup or "str" if found else "str"
    return _WORDS.get(text, "str")


_TWICE = "an anchor (&name) is defined twice"


def c_parser_available() -> bool:
    """Whether ruamel.yaml composes with its C parser (ruamel.yaml.clib) here."""
    from ruamel.yaml import main

    return getattr(main, "CParser", None) is not None


# How deep the text may nest before it is composed at all: the C parser composes recursively in
# C, where nesting a hundred thousand levels deep (`[[[[...`, `- - - - ...`) overflows the stack
# and kills the process. Far above MAX_DEPTH, which the walk reports at the value itself.
_COMPOSE_DEPTH = 1000


def too_deep(text: str) -> Optional[Tuple[int, int]]:
    """Where (line, column) ``text`` first nests more than ``_COMPOSE_DEPTH`` levels, counting
    open flow brackets and the block indicators (``- ``, ``? ``) that open a level on a line;
    None when it does not. A bracket inside a quoted string counts too: that only matters for
    a thousand of them, which no declaration holds."""
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip(" ")
        indicators = 0
        while stripped[:2] in ("- ", "? ") or stripped in ("-", "?"):
            indicators += 1
            stripped = stripped[2:].lstrip(" ")
        if indicators > _COMPOSE_DEPTH:
            return number, 1
        for column, char in enumerate(line, 1):
            if char in "[{":
                depth += 1
                if depth > _COMPOSE_DEPTH:
                    return number, column
            elif char in "]}" and depth:
                depth -= 1
    return None


def compose(text: str, display: str) -> Any:
    """The one YAML document of ``text`` as ruamel.yaml's node graph (C parser where installed).

    Raises ``DeclarationError`` for text that is not YAML, is empty, or holds several documents.
    """
    import warnings

    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError

    deep = too_deep(text)
    if deep is not None:
        raise DeclarationError([Problem(display, deep[0], deep[1],
                                        f"nested more than {MAX_DEPTH} levels deep")])
    pure = not c_parser_available()
    yaml = YAML(typ="safe", pure=pure)
    yaml.Resolver = _resolver()
    try:
        with warnings.catch_warnings():  # the pure composer only warns of what C refuses
            warnings.simplefilter("error", ReusedAnchorWarning)
            documents = list(yaml.compose_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(x for x in (exc.context, exc.problem) if x) or "invalid YAML"
        if "duplicate anchor" in what:
            what = _TWICE
        tab = _tab_indent(text, line)
        if tab is not None:
            raise DeclarationError([Problem(
                display, tab[0], tab[1],
                f"YAML does not allow tabs for indentation (line {tab[0]}, column {tab[1]}): "
                "indent with spaces")]) from None
        raise DeclarationError([Problem(display, line, column, f"invalid YAML: {what}")]) from None
    except ReusedAnchorWarning as exc:
        import re

        found = re.search(r"second occurrence.*?line (\d+), column (\d+)", str(exc), re.S)
        line, column = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
        raise DeclarationError([Problem(display, line, column, f"invalid YAML: {_TWICE}")]) \
            from None
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
    return documents[0]


def read_yaml(file: PathLike, display: str, text: str) -> Document:
    """Parse YAML text into a ``Document``, or raise ``DeclarationError`` naming every problem."""
    root = compose(text, display)
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


def _tab_indent(text: str, line: int) -> Optional[Tuple[int, int]]:
    """Where a tab indents the ``line`` the parser stopped at, if one does: the cause of its
    error ("found character that cannot start any token"), which names no tab."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    content = lines[line - 1]
    indent = content[:len(content) - len(content.lstrip(" \t"))]
    return (line, indent.index("\t") + 1) if "\t" in indent else None
