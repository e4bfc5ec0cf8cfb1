"""A parsed declaration file: plain values, and where in the file each key and value stands."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple, Union

from ..errors import Problem

KeyPath = Tuple[Any, ...]
# (key line, key column, value line, value column), 1-based.
Position = Tuple[int, int, int, int]

# A declaration larger than this is refused before it is parsed.
MAX_DECLARATION_BYTES = 1_000_000


if TYPE_CHECKING:
    PathLike = Union[str, "os.PathLike[str]"]


class Document:
    """A declaration as read from one file.

    ``file`` is the file's path (a string); ``data`` is the declaration table itself (for
    ``pyproject.toml``, the ``[tool.ragft-lint]`` table); ``positions`` are keyed by paths
    relative to that table.
    """

    def __init__(
        self,
        file: PathLike,
        display: str,
        fmt: str,  # "toml" or "yaml"
        data: Dict[str, Any],
        positions: Optional[Mapping[KeyPath, Position]] = None,
        origin: Tuple[int, int] = (1, 1),
    ) -> None:
        self.file = os.fspath(file)
        self.display = display
        self.fmt = fmt
        self.data = data
        self.positions: Mapping[KeyPath, Position] = positions if positions is not None else {}
        self.origin = origin

    def position(self, path: KeyPath, at_key: bool = False) -> Tuple[int, int]:
        """The line and column of a key path's value (or key).

        For a path that is not declared, the key of its nearest declared ancestor: a finding
        about a missing ``eval.path`` points at the ``eval:`` line.
        """
        probe = tuple(path)
        while probe:
            pos = self.positions.get(probe)
            if pos is not None:
                exact = probe == tuple(path)
                return (pos[2], pos[3]) if exact and not at_key else (pos[0], pos[1])
            probe = probe[:-1]
        return self.origin

    def problem(self, path: KeyPath, message: str, at_key: bool = False) -> Problem:
        line, column = self.position(path, at_key)
        return Problem(self.display, line, column, message)


def dotted(path: KeyPath) -> str:
    """A key path as users write it: ``systems.support-bot.knowledge.changes``."""
    try:  # the usual case, on every finding and step: no list index in the path
        return ".".join(path)
    except TypeError:
        pass
    parts = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif parts:
            parts.append("." + str(part))
        else:
            parts.append(str(part))
    return "".join(parts)
