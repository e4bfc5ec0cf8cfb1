"""Where the cursor stands in a declaration's text, as a key path: read from the lines
themselves (indentation in YAML, table headers in TOML), so that it works on text that does
not parse yet, which is what a user typing has most of the time."""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from ..record import NamedTuple

# ``key:`` (YAML) at the start of a line, after its indentation and an optional list dash.
_YAML_KEY = re.compile(r"^(\s*)(?:-\s+)?([^\s#:'\"{}\[\],][^#:{}\[\],]*?|'[^']*'|\"[^\"]*\")"
                       r"\s*:(?:\s+|$)")
_TOML_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_KEY = re.compile(r"^\s*([A-Za-z0-9_.\-\"' ]+?)\s*=")
_PYPROJECT_TABLE = ("tool", "ragft-lint")


class Place(NamedTuple):
    """The cursor's place: the key path of the table it is in (``parents``), the key of its
    line (None on a line without one), and whether it stands in that key's value (after the
    colon or the equals sign) rather than on the key; ``typed`` is what the line holds from
    where the value or key begins up to the cursor."""

    parents: Tuple[str, ...]
    key: Optional[str]
    in_value: bool
    typed: str


def _unquote(word: str) -> str:
    word = word.strip()
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
        return word[1:-1]
    return word


def yaml_place(lines: List[str], line: int, column: int) -> Place:
    """The place of (0-based ``line``, ``column`` in characters) in YAML text."""
    text = lines[line] if line < len(lines) else ""
    head = text[:column]
    match = _YAML_KEY.match(text)
    if match is not None and column >= match.end(2):
        indent = len(match.group(1))
        key = _unquote(match.group(2))
        return Place(_yaml_parents(lines, line, indent), key, column >= match.end(),
                     head[match.end():] if column >= match.end() else "")
    stripped = head.lstrip()
    if stripped.startswith("- "):
        stripped = stripped[2:].lstrip()
    indent = len(head) - len(head.lstrip())
    own = _unquote(match.group(2)) if match is not None else None
    return Place(_yaml_parents(lines, line, indent), own, False, stripped)


def _yaml_parents(lines: List[str], line: int, indent: int) -> Tuple[str, ...]:
    parents: List[str] = []
    for number in range(min(line, len(lines)) - 1, -1, -1):
        text = lines[number]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        match = _YAML_KEY.match(text)
        own = len(text) - len(text.lstrip())
        if own >= indent:
            continue
        if match is None:
            if own == 0:
                break
            continue
        parents.append(_unquote(match.group(2)))
        indent = own
        if own == 0:
            break
    return tuple(reversed(parents))


def toml_place(lines: List[str], line: int, column: int, pyproject: bool) -> Optional[Place]:
    """The place of the cursor in TOML text; None outside the declaration's table (the rest of
    a ``pyproject.toml`` is another tool's)."""
    table: Tuple[str, ...] = ()
    for number in range(min(line, len(lines)) - 1, -1, -1):
        match = _TOML_HEADER.match(lines[number])
        if match is not None:
            table = _dotted(match.group(1))
            break
    if pyproject:
        if table[:2] != _PYPROJECT_TABLE:
            return None
        table = table[2:]
    text = lines[line] if line < len(lines) else ""
    head = text[:column]
    match = _TOML_KEY.match(text)
    if match is None or column < match.end(1) - len(match.group(1)):
        return Place(table, None, False, head.strip())
    keys = _dotted(match.group(1))
    parents, key = table + keys[:-1], keys[-1] if keys else None
    if column >= match.end():
        return Place(parents, key, True, head[match.end():].lstrip())
    return Place(parents, key, False, "")


def _dotted(words: str) -> Tuple[str, ...]:
    return tuple(_unquote(part) for part in words.split(".") if part.strip())


def word_at(text: str, column: int) -> str:
    """The word (letters, digits, ``_``, ``-``, ``.``, ``/``) the cursor stands in."""
    start = column
    allowed = re.compile(r"[\w./\-]")
    while start > 0 and allowed.match(text[start - 1]):
        start -= 1
    end = column
    while end < len(text) and allowed.match(text[end]):
        end += 1
    return text[start:end]
