"""Reading the ``[tool.ragft-lint]`` table of a ``pyproject.toml`` with positions."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Optional

from ..errors import DeclarationError, Problem
from .document import Document

if TYPE_CHECKING:
    from .document import PathLike

TABLE = ("tool", "ragft-lint")


# No declaration key has more than a handful of parts; the TOML parsers take time quadratic in
# the number of parts of one dotted key, so a key of thousands of parts is refused before parsing.
MAX_KEY_PARTS = 64


def _long_key(text: str) -> Optional[tuple[int, int]]:
    """Where a dotted key (or table header) has more than ``MAX_KEY_PARTS`` parts, if anywhere.

    A line-based look that ignores values (everything after ``=``), enough to bound the parser:
    a multi-line string would have to hold such a line itself to be refused by mistake.
    """
    for number, line in enumerate(text.splitlines(), 1):
        head = line.split("=", 1)[0] if not line.lstrip().startswith("[") else line
        if head.count(".") >= MAX_KEY_PARTS:
            return number, len(line) - len(line.lstrip()) + 1
    return None


def parse_toml(display: str, text: str) -> dict[str, Any]:
    """A TOML document's values, or a ``DeclarationError`` at the line and column of ``display``
    where it stops being TOML."""
    where = _long_key(text) if text.count(".") >= MAX_KEY_PARTS else None
    if where:
        raise DeclarationError([Problem(display, where[0], where[1],
                                        f"invalid TOML: a key of more than {MAX_KEY_PARTS} "
                                        "dotted parts")])
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        parsed: dict[str, Any] = tomllib.loads(text)
        return parsed
    except tomllib.TOMLDecodeError as exc:
        line, column, message = _decode_error(str(exc))
        problem = Problem(display, line, column, f"invalid TOML: {message}")
        raise DeclarationError([problem]) from None
    except (RecursionError, ValueError) as exc:
        line, column = 1, 1
        if isinstance(exc, RecursionError):
            message = "nested too deeply"
        elif "digits" in str(exc):  # int() refuses numbers of more than ~4300 digits
            message = "an integer too large to read"
            line, column = _long_number(text)
        else:
            message = str(exc)
        raise DeclarationError([Problem(display, line, column,
                                        f"invalid TOML: {message}")]) from None


def _long_number(text: str) -> tuple[int, int]:
    import re

    found = re.search(r"[0-9_]{4000,}", text)
    if not found:
        return 1, 1
    start = found.start()
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1


def _decode_error(text: str) -> tuple[int, int, str]:
    # The parsers end their messages with "(at line L, column C)" or "(at end of document)".
    head, sep, tail = text.rpartition(" (at ")
    if not sep:
        return 1, 1, text
    tail = tail.rstrip(")")
    if tail.startswith("line "):
        try:
            line_part, column_part = tail.split(", column ")
            return int(line_part[5:]), int(column_part), head
        except ValueError:
            return 1, 1, head
    return 1, 1, f"{head} (at the end of the file)"


# From this size on, the position scan runs beside the parser, where that is possible: it
# takes about half as long as the parser, and its result comes back for a tenth of that.
SCAN_BESIDE = 200_000


# Table names a team writes for ``[tool.ragft-lint]``: never skipped in silence.
NEAR_TABLES = ("ragft_lint", "ragft")


def has_table(text: str) -> bool:
    """Cheap first look: could this pyproject.toml hold a ``[tool.ragft-lint]`` table, or one
    of its near misses?"""
    return "ragft-lint" in text or "ragft_lint" in text or "tool.ragft" in text


def _near_miss(display: str, text: str, tool: dict[str, Any],
               offsets: Optional[Any]) -> None:
    """Refuse a ``[tool.ragft_lint]`` or ``[tool.ragft]`` table at its line: skipped, the
    project would pass every check with nothing checked."""
    from .toml_positions import Positions

    problems = []
    for name in NEAR_TABLES:
        if name not in tool:
            continue
        try:
            where = Positions(text, ("tool", name), offsets).get(()) or (1, 1, 1, 1)
        except ValueError:
            where = (1, 1, 1, 1)
        also = ("; move its keys into the [tool.ragft-lint] table" if "ragft-lint" in tool
                else "")
        problems.append(Problem(display, where[0], where[1],
                                f"[tool.{name}] is not read; did you mean [tool.ragft-lint]?"
                                f"{also}"))
    if problems:
        raise DeclarationError(problems)


def read_pyproject(file: PathLike, display: str, text: str) -> Optional[Document]:
    """The ``[tool.ragft-lint]`` table as a ``Document``, or None when the file has none."""
    if not has_table(text):
        return None
    from .toml_positions import Positions, scan

    offsets = None
    if len(text) >= SCAN_BESIDE:
        from ..parallel import beside

        parsed, offsets = beside(lambda: parse_toml(display, text), lambda: scan(text))
    else:
        parsed = parse_toml(display, text)
    tool = parsed.get("tool")
    if not isinstance(tool, dict):
        return None
    _near_miss(display, text, tool, offsets)
    if "ragft-lint" not in tool:
        return None
    table = tool["ragft-lint"]
    positions = Positions(text, TABLE, offsets)
    origin = positions.get(()) or (1, 1, 1, 1)
    if not isinstance(table, dict):
        raise DeclarationError([Problem(display, origin[2], origin[3],
                                        "[tool.ragft-lint] must be a table")])
    return Document(file, display, "toml", table, positions, (origin[0], origin[1]))
