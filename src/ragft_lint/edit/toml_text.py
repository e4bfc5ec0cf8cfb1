"""Edits of a TOML declaration as splices of its text.

The position scan of ``declaration.toml_positions`` says where each value starts; this module
finds where it ends and how the file is laid out in statements (headers such as
``[tool.ragft-lint.systems.bot]`` and ``key = value`` lines), so that an edit replaces only the
located value, removes only the lines or inline-table members of the key it removes, and adds a
key where the file already keeps its table. Everything else stays as it was, byte for byte.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any, List, Sequence, Tuple

from ..record import NamedTuple
from .changes import Change, NeedsPerson, Path, Remove, SetValue

Splice = Tuple[int, int, str]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[^,\]}#\r\n]*")


class Statement(NamedTuple):
    """A header or a ``key = value`` line: its full key path and where its parts are."""

    header: bool
    path: Tuple[Any, ...]
    start: int  # start of its line
    end: int  # just past its line break
    value_start: int  # pairs only
    value_end: int


class Member(NamedTuple):
    """A ``key = value`` inside an inline table."""

    keys: Tuple[str, ...]
    start: int
    value_start: int
    value_end: int


# -- reading the layout ----------------------------------------------------------------------


def value_end(text: str, index: int) -> int:
    """Just past the TOML value that starts at ``index``."""
    char = text[index]
    if text.startswith('"""', index) or text.startswith("'''", index):
        close = index + 3
        while True:
            close = text.index(char * 3, close)
            if char == '"' and _escaped(text, close):
                close += 1
                continue
            end = close + 3
            while end < len(text) and text[end] == char and end < close + 5:
                end += 1
            return end
    if char == '"':
        close = index + 1
        while True:
            close = text.index('"', close)
            if not _escaped(text, close):
                return close + 1
            close += 1
    if char == "'":
        return text.index("'", index + 1) + 1
    if char in "[{":
        closing = "]" if char == "[" else "}"
        here = index + 1
        while True:
            here = _skip_trivia(text, here)
            if text[here] == closing:
                return here + 1
            if text[here] == ",":
                here += 1
                continue
            if char == "{":
                _, here = _key(text, here)
                here = _skip_spaces(text, here + 1)  # past "="
            here = value_end(text, here)
    found = _SCALAR.match(text, index)
    end = found.end() if found else index
    return index + len(text[index:end].rstrip(" \t"))


def _escaped(text: str, quote: int) -> bool:
    start = quote
    while text[start - 1] == "\\":
        start -= 1
    return (quote - start) % 2 == 1


def _skip_spaces(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t":
        index += 1
    return index


def _skip_trivia(text: str, index: int) -> int:
    while index < len(text):
        char = text[index]
        if char in " \t\r\n":
            index += 1
        elif char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
        else:
            break
    return index


def _key(text: str, index: int) -> Tuple[Tuple[str, ...], int]:
    """A (dotted) key at ``index``: its parts, and the index past it and its spaces."""
    parts = []
    while True:
        index = _skip_spaces(text, index)
        if text[index] in "\"'":
            end = value_end(text, index)
            parts.append(_unquote(text[index:end]))
        else:
            found = _BARE.match(text, index)
            if not found or not found.group():
                raise ValueError(f"expected a key at offset {index}")
            end = found.end()
            parts.append(found.group())
        index = _skip_spaces(text, end)
        if text[index:index + 1] != ".":
            return tuple(parts), index
        index += 1


def _unquote(quoted: str) -> str:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    return str(tomllib.loads(f"k = {quoted}")["k"])


def _line_end(text: str, index: int) -> int:
    index = _skip_spaces(text, index)
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def statements(text: str) -> List[Statement]:
    """The headers and top-level ``key = value`` lines of a TOML document, in order."""
    found: List[Statement] = []
    table: Tuple[Any, ...] = ()
    arrays: dict[Tuple[Any, ...], int] = {}
    index = _skip_trivia(text, 0)
    while index < len(text):
        start = text.rfind("\n", 0, index) + 1
        if text[index] == "[":
            double = text.startswith("[[", index)
            keys, after = _key(text, index + (2 if double else 1))
            after += 2 if double else 1
            table = keys
            if double:
                arrays[keys] = arrays.get(keys, -1) + 1
                table = keys + (arrays[keys],)
            end = _line_end(text, after)
            found.append(Statement(True, table, start, end, index, after))
        else:
            keys, after = _key(text, index)
            value_at = _skip_spaces(text, after + 1)
            finish = value_end(text, value_at)
            found.append(Statement(False, table + keys, start, _line_end(text, finish),
                                   value_at, finish))
            after = finish
        index = _skip_trivia(text, found[-1].end)
    return found


def members(text: str, start: int) -> Tuple[List[Member], int]:
    """The members of the inline table at ``start``, and where its closing brace is."""
    found: List[Member] = []
    here = start + 1
    while True:
        here = _skip_trivia(text, here)
        if text[here] == "}":
            return found, here
        if text[here] == ",":
            here += 1
            continue
        keys, after = _key(text, here)
        value_at = _skip_spaces(text, after + 1)
        end = value_end(text, value_at)
        found.append(Member(keys, here, value_at, end))
        here = end


# -- edits -----------------------------------------------------------------------------------


def splices(text: str, prefix: Path, changes: Sequence[Change]) -> List[Splice]:
    """The splices that make ``changes`` in ``text``; paths are below ``prefix`` (for
    ``pyproject.toml``, ``("tool", "ragft-lint")``)."""
    from ..declaration.toml_positions import scan

    offsets = scan(text)
    layout = statements(text)
    out: List[Splice] = []
    for change in changes:
        if isinstance(change, SetValue):
            out.append(_set(text, offsets, prefix + change.path, change.value))
        elif isinstance(change, Remove):
            out.extend(_remove(text, layout, prefix + change.path))
        else:
            out.append(_add(text, layout, prefix + change.parent, change.key, change.value))
    return out


def _set(text: str, offsets: Any, path: Path, value: Any) -> Splice:
    if path not in offsets:
        raise NeedsPerson(path, "not found in the file")
    start = offsets[path][1]
    end = value_end(text, start)
    old = text[start:end]
    literal = old.startswith("'") and not old.startswith("'''")
    return start, end, scalar(value, literal=literal)


def _remove(text: str, layout: List[Statement], path: Path) -> List[Splice]:
    size = len(path)
    out: List[Splice] = []
    for number, statement in enumerate(layout):
        if statement.path[:size] == path:
            if statement.header:
                out.append((statement.start, _section_end(text, layout, number), ""))
            elif not _under_removed_header(layout, number, path):
                out.append((statement.start, statement.end, ""))
        elif not statement.header and path[:len(statement.path)] == statement.path:
            out.append(_remove_member(text, statement.value_start, path[len(statement.path):],
                                      path))
    if not out:
        raise NeedsPerson(path, "not found in the file")
    return out


def _under_removed_header(layout: List[Statement], number: int, path: Path) -> bool:
    for before in reversed(layout[:number]):
        if before.header:
            return bool(before.path[:len(path)] == path)
    return False


def _section_end(text: str, layout: List[Statement], number: int) -> int:
    """Where a header's section ends: past its last ``key = value`` line (or the header's own
    line). The comments and blank lines after it stay, whichever table they are about; one
    blank line goes with the section when a blank line before it already keeps tables apart.
    """
    last = number
    while last + 1 < len(layout) and not layout[last + 1].header:
        last += 1
    end = layout[last].end
    start = layout[number].start
    before_blank = start == 0 or _blank_line_before(text, start)
    if before_blank:
        after = _skip_spaces(text, end)
        if text.startswith("\r\n", after):
            return after + 2
        if text.startswith("\n", after):
            return after + 1
    return end


def _blank_line_before(text: str, start: int) -> bool:
    previous = text.rfind("\n", 0, start - 1) + 1
    return not text[previous:start].strip()


def _remove_member(text: str, start: int, rest: Path, path: Path) -> Splice:
    if text[start] != "{":
        raise NeedsPerson(path, "inside a value that is not an inline table")
    found, _ = members(text, start)
    for number, member in enumerate(found):
        if rest[:len(member.keys)] != member.keys:
            continue
        if len(member.keys) < len(rest):
            return _remove_member(text, member.value_start, rest[len(member.keys):], path)
        if len(found) == 1:
            raise NeedsPerson(path, "the only key of its inline table")
        if number + 1 < len(found):
            return member.start, found[number + 1].start, ""
        comma = text.rfind(",", found[number - 1].value_end, member.start)
        return comma, member.value_end, ""
    raise NeedsPerson(path, "not found in the file")


def _add(text: str, layout: List[Statement], parent: Path, key: str, value: Any) -> Splice:
    size = len(parent)
    newline = "\r\n" if "\r\n" in text else "\n"
    exact = [n for n, s in enumerate(layout) if s.header and s.path == parent]
    if exact:
        number = exact[0]
        # A table of tables (``waivers``) gets sections of its own; a table of values goes
        # where its siblings are, as they are written (``KN001 = {reason = "..."}``).
        own_lines = _next_header(layout, number) > number + 1
        tables = isinstance(value, dict) and all(isinstance(v, dict) for v in value.values())
        if isinstance(value, dict) and (tables or not own_lines):
            return _new_section(text, layout, parent, key, value, newline)
        after = layout[_next_header(layout, number) - 1]
        return after.end, after.end, _lead(text, after.end, newline) + \
            f"{_key_text(key)} = {inline(value)}{newline}"
    for statement in layout:
        if not statement.header and parent[:len(statement.path)] == statement.path:
            return _add_member(text, statement.value_start, parent[len(statement.path):], key,
                               value, parent)
    dotted = [n for n, s in enumerate(layout)  # ``waivers.KN001.reason = ...`` lines
              if not s.header and s.path[:size] == parent and len(s.path) > size
              and len(_section_path(layout, n)) < size]
    if dotted:
        last = layout[dotted[-1]]
        section = _section_path(layout, dotted[-1])
        keys = ".".join(_key_text(k) for k in parent[len(section):] + (key,))
        indent = text[last.start:len(text) - len(text[last.start:].lstrip(" \t"))]
        return last.end, last.end, _lead(text, last.end, newline) + \
            f"{indent}{keys} = {inline(value)}{newline}"
    if any(s.header and s.path[:size] == parent for s in layout):
        return _new_section(text, layout, parent, key, value, newline)
    raise NeedsPerson(parent + (key,), "could not find where the file keeps its table")


def _next_header(layout: List[Statement], number: int) -> int:
    return next((n for n in range(number + 1, len(layout)) if layout[n].header), len(layout))


def _section_path(layout: List[Statement], number: int) -> Tuple[Any, ...]:
    for before in reversed(layout[:number]):
        if before.header:
            return tuple(before.path)
    return ()


def _lead(text: str, at: int, newline: str) -> str:
    return "" if at == 0 or text[at - 1] == "\n" else newline


def _new_section(text: str, layout: List[Statement], parent: Path, key: str, value: Any,
                 newline: str) -> Splice:
    """A new ``[parent.key]`` section (``[parent.key.sub]`` while the value is one table of
    tables), after the last section under ``parent``."""
    path = parent + (key,)
    while isinstance(value, dict) and len(value) == 1 and \
            isinstance(next(iter(value.values())), dict):
        only = next(iter(value))
        path, value = path + (only,), value[only]
    size = len(parent)
    last = max(n for n, s in enumerate(layout) if s.header and s.path[:size] == parent)
    end = _next_header(layout, last) - 1
    at = layout[end].end
    lines = [f"[{'.'.join(_key_text(k) for k in path)}]"]
    lines += [f"{_key_text(k)} = {inline(v)}" for k, v in value.items()]
    return at, at, _lead(text, at, newline) + newline + newline.join(lines) + newline


def _add_member(text: str, start: int, rest: Path, key: str, value: Any,
                parent: Path) -> Splice:
    if text[start] != "{":
        raise NeedsPerson(parent + (key,), "inside a value that is not an inline table")
    found, close = members(text, start)
    for member in found:
        if rest[:len(member.keys)] == member.keys and len(member.keys) <= len(rest):
            if len(member.keys) == len(rest):
                return _add_member(text, member.value_start, (), key, value, parent)
            return _add_member(text, member.value_start, rest[len(member.keys):], key, value,
                               parent)
    if rest:
        raise NeedsPerson(parent + (key,), "could not find its inline table")
    entry = f"{_key_text(key)} = {inline(value)}"
    if found:
        at = found[-1].value_end
        return at, at, ", " + entry
    return close, close, entry


# -- writing values --------------------------------------------------------------------------


def _key_text(key: Any) -> str:
    return key if _BARE.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def scalar(value: Any, literal: bool = False) -> str:
    """A value as TOML; a string keeps the literal quotes (``'...'``) it had where it can."""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if literal and "'" not in text and text.isprintable():
        return f"'{text}'"
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key_text(k)} = {inline(v)}" for k, v in value.items()) + "}"
    return scalar(value)

