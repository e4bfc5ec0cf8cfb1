"""An edit of a declaration as data, and what it does to the declaration's plain values."""

from __future__ import annotations

import copy
from typing import Any, Dict, Sequence, Tuple, Union

from ..errors import RagftLintError
from ..record import NamedTuple

Path = Tuple[str, ...]


class SetValue(NamedTuple):
    """Replace the scalar at ``path``."""

    path: Path
    value: Any


class Remove(NamedTuple):
    """Remove the key at ``path`` and everything under it."""

    path: Path


class Add(NamedTuple):
    """Add ``key`` (not there yet) with ``value`` to the table at ``parent`` (which is there)."""

    parent: Path
    key: str
    value: Any


Change = Union[SetValue, Remove, Add]


class NeedsPerson(RagftLintError):
    """An edit that cannot be made safely by rewriting text: a person has to make it."""

    def __init__(self, path: Sequence[str], why: str) -> None:
        self.path = tuple(path)
        self.why = why
        super().__init__(f"{'.'.join(path)}: {why}")


def apply(data: Dict[str, Any], changes: Sequence[Change]) -> Dict[str, Any]:
    """The plain values ``data`` becomes under ``changes`` (``data`` itself is left alone)."""
    out = copy.deepcopy(data)
    for change in changes:
        if isinstance(change, Add):
            _table(out, change.parent)[change.key] = copy.deepcopy(change.value)
        elif isinstance(change, SetValue):
            _table(out, change.path[:-1])[change.path[-1]] = change.value
        else:
            del _table(out, change.path[:-1])[change.path[-1]]
    return out


def _table(data: Dict[str, Any], path: Path) -> Dict[str, Any]:
    here = data
    for key in path:
        here = here[key]
    return here


def adding(data: Dict[str, Any], path: Path, value: Any) -> Change:
    """An ``Add`` of ``value`` at ``path``, made at the deepest table of ``path`` that exists:
    the keys missing on the way are added as nested tables. A key that is there with no value
    (``waivers:``) gets the nested tables as its value."""
    here = data
    depth = 0
    for key in path[:-1]:
        below = here.get(key) if isinstance(here, dict) else None
        if not isinstance(below, dict):
            break
        here = below
        depth += 1
    for key in reversed(path[depth + 1:]):
        value = {key: value}
    if isinstance(here, dict) and path[depth] in here and here[path[depth]] is None:
        return SetValue(path[:depth + 1], value)
    return Add(path[:depth], path[depth], value)


def lookup(data: Dict[str, Any], path: Path) -> Any:
    """The value at ``path``, or None where it is not there."""
    here: Any = data
    for key in path:
        if not isinstance(here, dict) or key not in here:
            return None
        here = here[key]
    return here
