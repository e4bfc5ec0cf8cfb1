"""Edits of a YAML declaration as splices of its text.

ruamel.yaml's composer (the same one the reader uses, with its round-trip positions: the start
and end of every node) says where each key and value stands; an edit replaces, removes or
inserts only those characters. Writing the whole document back through ruamel.yaml's dumper
would change lines the edit does not touch (spaces after colons, the indentation of lists,
spaces inside braces, anchors nobody refers to), so the file is never re-dumped.

A value that an alias or a merge key (``<<``) shares is not edited: the change would reach
every place that shares it, which is a person's call.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..declaration.yaml_source import compose, plain_kind, tag_of
from .changes import Change, NeedsPerson, Path, Remove, SetValue

Splice = Tuple[int, int, str]  # replace text[start:end] with the string

_MERGE = "tag:yaml.org,2002:merge"
# Text that needs no quotes: no indicator first, no ``: `` or `` #``, no space at either end.
_PLAIN = re.compile(r"[A-Za-z0-9_/](?:[A-Za-z0-9_ ./()+-]*[A-Za-z0-9_./()+-])?")


class Located:
    """A document's nodes, and which of them an alias or a merge key shares."""

    def __init__(self, text: str, display: str) -> None:
        self.text = text
        self.root = compose(text, display)
        self.incoming: Dict[int, int] = {}
        self._count(self.root)
        self.newline = "\r\n" if "\r\n" in text else "\n"

    def _count(self, root: Any) -> None:
        stack = [root]
        incoming = self.incoming
        while stack:
            node = stack.pop()
            seen = id(node) in incoming
            incoming[id(node)] = incoming.get(id(node), 0) + 1
            if not seen and isinstance(node.value, list):
                for item in node.value:
                    stack.extend(item if isinstance(item, tuple) else (item,))

    def find(self, path: Path) -> Tuple[Any, Any, Any]:
        """The mapping holding ``path``, its key node and its value node; the root's for ()."""
        parent, key_node, node = None, None, self.root
        for depth, key in enumerate(path):
            where = path[:depth + 1]
            if self.incoming.get(id(node), 0) > 1:
                raise NeedsPerson(where, _SHARED)
            if not _is_mapping(node):
                raise NeedsPerson(where, "not a mapping in the file")
            pair = _pair(node, key)
            if pair is None:
                if any(tag_of(k) == _MERGE for k, _ in node.value):
                    raise NeedsPerson(where, "comes from a merge key (<<); edit it where its "
                                             "anchor defines it")
                raise NeedsPerson(where, "not found in the file")
            parent, (key_node, node) = node, pair
        if self.incoming.get(id(node), 0) > 1:
            raise NeedsPerson(path, _SHARED)
        return parent, key_node, node


_SHARED = "shared through an anchor (&) with other places; edit it by hand"


def _is_mapping(node: Any) -> bool:
    return type(node).__name__ == "MappingNode"


def _pair(node: Any, key: str) -> Optional[Tuple[Any, Any]]:
    for key_node, value_node in node.value:
        if type(key_node).__name__ == "ScalarNode" and key_node.value == key \
                and tag_of(key_node) != _MERGE:
            return key_node, value_node
    return None


def splices(text: str, display: str, changes: Sequence[Change]) -> List[Splice]:
    """The splices that make ``changes`` in ``text``, all found in one reading of it."""
    located = Located(text, display)
    return [_splice(located, change) for change in changes]


def _splice(located: Located, change: Change) -> Splice:
    if isinstance(change, SetValue):
        return _set(located, change.path, change.value)
    if isinstance(change, Remove):
        return _remove(located, change.path)
    return _add(located, change.parent, change.key, change.value)


def _set(located: Located, path: Path, value: Any) -> Splice:
    _, key_node, node = located.find(path)
    if type(node).__name__ != "ScalarNode":
        raise NeedsPerson(path, "not a single value in the file")
    start, end = node.start_mark.index, node.end_mark.index
    text = located.text
    if text[start:start + 1] in ("!", "&"):
        raise NeedsPerson(path, "carries a tag or an anchor; edit it by hand")
    if isinstance(value, dict):  # tables under a key that has no value yet: ``waivers:``
        if start != end or not value:
            raise NeedsPerson(path, "holds a value that is not a mapping")
        at = _line_end(text, start)
        lead = "" if text[at - 1:at] == "\n" else located.newline
        indent = _indent(text, key_node) + " " * _step(located)
        lines = "".join(block(k, v, indent, _step(located), located.newline)
                        for k, v in value.items())
        return at, at, lead + lines
    if start == end:  # an empty value: ``reranker:``
        gap = "" if text[start - 1:start] in (" ", "\t") else " "
        return start, end, gap + scalar(value)
    if node.style in ("|", ">"):
        return _set_block(located, path, node, value)
    style = node.style if isinstance(value, str) else None
    return start, end, scalar(value, style=style)


_HEADER = re.compile(r"([|>])([1-9]?)([+-]?)([1-9]?)")


def _set_block(located: Located, path: Path, node: Any, value: Any) -> Splice:
    """A new value in a block scalar (``|`` or ``>``): its indicator line (and the comment on
    it) stays, its content lines are replaced, the blank lines after them stay.

    The new text is written with the strip chomping (``-``), since a reason does not end with
    a line break; the read-back check refuses any text the style cannot carry exactly.
    """
    if not isinstance(value, str) or not value or value.endswith("\n"):
        raise NeedsPerson(path, "a block scalar (| or >) that this value cannot fill")
    text, newline = located.text, located.newline
    start, end = node.start_mark.index, node.end_mark.index
    header = _HEADER.match(text, start)
    if header is None or header.group(2) or header.group(4):
        raise NeedsPerson(path, "a block scalar with an indentation indicator; edit it by hand")
    body = _line_end(text, start + 1)
    lines = text[body:end].splitlines(True)
    while lines and not lines[-1].strip():  # trailing blank lines: the layout's, not the value's
        lines.pop()
    if not lines:
        raise NeedsPerson(path, "an empty block scalar; edit it by hand")
    first = lines[0]
    indent = first[:len(first) - len(first.lstrip(" "))]
    joiner = newline + newline if header.group(1) == ">" else newline  # folding: a blank line
    content = joiner.join(value.split("\n")).split(newline)
    new = "".join(f"{indent}{line}{newline}" if line else newline for line in content)
    chomp = header.start(3)
    return header.start(), body + sum(map(len, lines)), \
        text[header.start():chomp] + "-" + text[header.end(3):body] + new


def _remove(located: Located, path: Path) -> Splice:
    parent, key_node, node = located.find(path)
    text = located.text
    if parent is None:
        raise NeedsPerson(path, "the whole declaration cannot be removed")
    start = key_node.start_mark.index
    if parent.flow_style:
        pairs = parent.value
        if len(pairs) == 1:
            raise NeedsPerson(path, "the only key of its mapping")
        end = node.end_mark.index
        after = _skip_spaces(text, end)
        if text[after:after + 1] == ",":
            return start, _skip_spaces(text, after + 1), ""
        before = start
        while before > 0 and text[before - 1] in " \t":
            before -= 1
        if text[before - 1:before] == ",":
            return before - 1, end, ""
        raise NeedsPerson(path, "could not find the comma around it")
    line_start = start - key_node.start_mark.column
    if text[line_start:start].strip(" \t"):
        raise NeedsPerson(path, "not on a line of its own")
    return line_start, _line_end(text, _content_end(node)), ""


def _add(located: Located, parent_path: Path, key: str, value: Any) -> Splice:
    _, _, parent = located.find(parent_path)
    text, newline = located.text, located.newline
    if not _is_mapping(parent):
        raise NeedsPerson(parent_path + (key,), "its parent is not a mapping in the file")
    if parent.flow_style:
        entry = f"{key}: {flow(value)}"
        if parent.value:
            at = parent.value[-1][1].end_mark.index
            return at, at, ", " + entry
        close = parent.end_mark.index - 1
        if text[close:close + 1] != "}":
            raise NeedsPerson(parent_path + (key,), "could not find the closing brace")
        return close, close, entry
    if not parent.value:
        raise NeedsPerson(parent_path + (key,), "its parent is empty in the file")
    indent = _indent(text, parent.value[0][0])
    at = _line_end(text, _content_end(parent.value[-1][1]))
    lead = "" if at == 0 or text[at - 1] == "\n" else newline
    lines = block(key, value, indent, _step(located), newline)
    return at, at, lead + lines


def _indent(text: str, key_node: Any) -> str:
    """The indentation of a block mapping's keys, from one of its keys: its column, or, for
    an explicit key (``? KN001``), the column of its ``?``."""
    start = key_node.start_mark.index
    before = text[start - key_node.start_mark.column:start]
    explicit = re.fullmatch(r"( *)\?[ \t]+", before)
    return explicit.group(1) if explicit else " " * key_node.start_mark.column


def _skip_spaces(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t":
        index += 1
    return index


def _content_end(node: Any) -> int:
    """Where the last character of a value stands (a block collection's own end mark lies at
    the next key, past comments and blank lines that are not its own)."""
    kind = type(node).__name__
    if kind == "ScalarNode" or node.flow_style or not node.value:
        return int(node.end_mark.index)
    last = node.value[-1]
    return _content_end(last[1] if isinstance(last, tuple) else last)


def _line_end(text: str, index: int) -> int:
    """Just past the line break of the line the character before ``index`` is on."""
    if index > 0 and text[index - 1] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def _step(located: Located) -> int:
    """The file's indentation step: how far its first nested block mapping is indented."""
    text = located.text
    stack = [located.root]
    while stack:
        node = stack.pop(0)
        if _is_mapping(node) and not node.flow_style and node.value:
            column = len(_indent(text, node.value[0][0]))
            for _, child in node.value:
                if _is_mapping(child) and not child.flow_style and child.value:
                    step = len(_indent(text, child.value[0][0])) - column
                    if step > 0:
                        return step
                stack.append(child)
    return 2


# -- writing values --------------------------------------------------------------------------


def scalar(value: Any, style: Optional[str] = None, in_flow: bool = False) -> str:
    """A value as a YAML scalar that reads back as the same value (YAML 1.2); a string keeps
    the quote style it had (``style``) where it can."""
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if style == "'" and "\n" not in text and text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    if style not in ('"', "'") and _plain_ok(text, in_flow):
        return text
    return json.dumps(text, ensure_ascii=False)


def _plain_ok(text: str, in_flow: bool) -> bool:
    """Whether ``text`` can be written unquoted and still read back as that text."""
    if not _PLAIN.fullmatch(text) or plain_kind(text) != "str":
        return False
    return not (in_flow and any(c in text for c in ",[]{}"))


def flow(value: Any) -> str:
    if isinstance(value, dict):
        inside = ", ".join(f"{key}: {flow(item)}" for key, item in value.items())
        return "{" + inside + "}"
    return scalar(value, in_flow=True)


def block(key: str, value: Any, indent: str, step: int, newline: str) -> str:
    if not isinstance(value, dict):
        return f"{indent}{key}: {scalar(value)}{newline}"
    inner = indent + " " * step
    return f"{indent}{key}:{newline}" + "".join(
        block(k, v, inner, step, newline) for k, v in value.items())
