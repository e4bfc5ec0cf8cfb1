"""Places in an editor's text: our 1-based line and column (in characters) against the
protocol's 0-based line and character (in UTF-16 code units, the protocol's default)."""

from __future__ import annotations

from typing import List, Tuple


def lines_of(text: str) -> List[str]:
    """The text's lines without their endings (``\\r\\n`` and ``\\n`` alike)."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def to_utf16(line: str, column: int) -> int:
    """The UTF-16 offset of ``column`` characters into ``line``."""
    head = line[:column]
    return len(head) + sum(1 for c in head if ord(c) > 0xFFFF)


def from_utf16(line: str, character: int) -> int:
    """The character index of a UTF-16 offset into ``line``."""
    units = 0
    for index, c in enumerate(line):
        if units >= character:
            return index
        units += 2 if ord(c) > 0xFFFF else 1
    return len(line)


def span(lines: List[str], line: int, column: int) -> Tuple[int, int, int]:
    """A place given 1-based (``line``, ``column``) as the protocol's (line, start, end): from
    the column to the end of what the line says (its comment left out)."""
    number = max(line, 1) - 1
    if number >= len(lines):
        return max(len(lines) - 1, 0), 0, 0
    text = lines[number]
    start = min(max(column, 1) - 1, len(text))
    comment = text.find(" #", start)
    end = len((text if comment < 0 else text[:comment]).rstrip())
    end = max(end, start)
    return number, to_utf16(text, start), to_utf16(text, end)


def position(text: str, index: int) -> Tuple[int, int]:
    """The protocol position (0-based line, UTF-16 character) of an index into ``text``."""
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return line, to_utf16(text[start:index], index - start)
