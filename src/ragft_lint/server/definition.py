"""Go to definition on an evidence path: the file the declaration points to.

The path is the string value the cursor stands in, as the declaration read it (quotes and
escapes undone: ``"evals/my support.jsonl"``, ``'evals/it''s.jsonl'``), found by the place
the reading gave each value; a text that does not read falls back to the word at the cursor.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Iterator, List, Optional, Tuple

from ..declaration.paths import OutsideRoot, resolve_inside

if TYPE_CHECKING:
    from ..declaration.document import Document


def evidence_file(declaration_file: str, root: str, word: str) -> Optional[str]:
    """The file ``word`` names, relative to the declaration's folder as the run reads it, when
    it is one inside the project; None otherwise."""
    if not word or "\0" in word:
        return None
    base = os.path.dirname(os.path.abspath(declaration_file))
    try:
        target = resolve_inside(base, word, root)
    except (OutsideRoot, ValueError, OSError):
        return None
    return target if os.path.isfile(target) else None


def value_at(document: Document, lines: List[str], line: int, column: int) -> Optional[str]:
    """The string value whose text holds (0-based ``line``, ``column`` in characters), from
    its opening quote to its closing one; None when the cursor stands in none."""
    for path, value in _strings(document.data, ()):
        position = document.positions.get(path)
        if position is None or position[2] - 1 != line or line >= len(lines):
            continue
        start = position[3] - 1
        end = _token_end(lines[line], start, value, document.fmt)
        if end is not None and start <= column <= end:
            return value
    return None


def _strings(node: Any, path: Tuple[Any, ...]) -> Iterator[Tuple[Tuple[Any, ...], str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, path + (index,))


def _token_end(row: str, start: int, value: str, fmt: str) -> Optional[int]:
    """Where the value written at ``start`` of ``row`` ends: after its closing quote, or, for
    a plain word, after the word (None when the row does not hold it there: a value over
    several lines)."""
    quote = row[start:start + 1]
    if quote == '"':
        index = start + 1
        while index < len(row):
            if row[index] == "\\":
                index += 2
                continue
            if row[index] == '"':
                return index + 1
            index += 1
        return None
    if quote == "'":
        index = start + 1
        while index < len(row):
            if row[index] == "'":
                if fmt == "yaml" and row[index + 1:index + 2] == "'":  # '' is one quote
                    index += 2
                    continue
                return index + 1
            index += 1
        return None
    return start + len(value) if row.startswith(value, start) else None
