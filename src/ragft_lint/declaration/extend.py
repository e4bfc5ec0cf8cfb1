"""Shared settings: a declaration's ``extend`` names another declaration whose settings it
applies, as ruff's ``extend`` does.

The extended file (a YAML declaration or a ``pyproject.toml``) is named relative to the file
that extends it and stays inside the project root; it may extend another in turn. Its settings
apply, and the extending file's own override them key by key: ``thresholds`` and ``severity``
merge per name, every other setting is replaced whole. Its systems are not inherited. Nothing
in an extended file is imported or run: it is read as data, like any declaration.

``chain`` follows the files, ``merge`` lays their validated settings over each other, and
``Applied`` remembers which file wrote each setting, so that a finding about an inherited value
points at the line of the shared file where it is written.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..errors import DeclarationError, Problem
from ..findings import Location
from .document import Document, KeyPath
from .listing import display_path
from .paths import OutsideRoot, resolve_inside

# The settings an extended file passes on, and those of them that merge per name.
SETTINGS = ("fail_on", "select", "ignore", "evidence", "thresholds", "severity", "plugins")
PER_NAME = ("thresholds", "severity")

# A chain longer than this is refused: no monorepo nests its settings that deep.
MAX_CHAIN = 32

# Reads a declaration file (``discovery.load_file``, or a resolution's cached read of it):
# None for a ``pyproject.toml`` without the table; raises ``DeclarationError``.
Loader = Callable[[str], Optional[Document]]


class Applied:
    """The settings a declaration applies, merged along its ``extend`` chain, and which file
    wrote each of them."""

    def __init__(self, data: Dict[str, Any], written: Dict[KeyPath, Document],
                 document: Document) -> None:
        self.data = data
        self._written = written
        self._document = document  # the declaring file: where a setting nobody wrote points

    @classmethod
    def own(cls, document: Document) -> Applied:
        """The settings of a declaration that extends nothing: all written in it."""
        data = {key: document.data[key] for key in SETTINGS if key in document.data}
        return merge([(document, data)])

    def written_in(self, *path: Any) -> Document:
        """The file that wrote the setting at ``path`` (``"thresholds", "min_eval_examples"``)."""
        probe = tuple(path)
        while probe:
            document = self._written.get(probe)
            if document is not None:
                return document
            probe = probe[:-1]
        return self._document

    def where(self, *path: Any) -> Location:
        """Where the setting at ``path`` is written: its file, line and column."""
        document = self.written_in(*path)
        line, column = document.position(tuple(path))
        return Location(document.display, line, column)


def merge(layers: Sequence[Tuple[Document, Dict[str, Any]]]) -> Applied:
    """The settings of validated ``layers``, the declaring file first and the file it extends
    (at any depth) after it: a nearer file's value wins."""
    data: Dict[str, Any] = {}
    written: Dict[KeyPath, Document] = {}
    for document, settings in reversed(layers):
        for key in SETTINGS:
            if key not in settings or settings[key] is None:
                continue
            value = settings[key]
            if key in PER_NAME and isinstance(value, dict):
                data[key] = {**data.get(key, {}), **value}
                for name in value:
                    written[(key, name)] = document
            else:
                data[key] = value
                # A replaced table forgets where its former entries were written.
                for stale in [p for p in written if p[0] == key]:
                    del written[stale]
            written[(key,)] = document
    return Applied(data, written, layers[0][0])


def chain(document: Document, root: str, load: Loader) -> Tuple[List[Document], List[Problem]]:
    """The files ``document`` extends, nearest first, read with ``load``, and the problems that
    end the chain (a file missing, outside the project root, unreadable, or already in it)."""
    found: List[Document] = []
    real = [os.path.realpath(document.file)]
    current = document
    while isinstance(current.data.get("extend"), str):
        value: str = current.data["extend"]

        def problem(message: str, at: Document = current) -> Problem:
            return at.problem(("extend",), f"extend: {message}")

        if "\0" in value:
            return found, [problem(f"{value!r} holds a NUL character, which no file name "
                                   "can hold")]
        base = os.path.dirname(os.path.abspath(current.file))
        try:
            target = resolve_inside(base, value, root)
        except OutsideRoot as exc:
            return found, [problem(f"{value!r} {exc}; shared settings must live in the "
                                   "project")]
        shown = _shown(os.path.join(base, value))
        if target == real[-1]:
            return found, [problem(f"{value!r} is this file itself; a declaration cannot "
                                   "extend itself: name the shared settings file")]
        if target in real:
            loop = [d.display for d in [document, *found]] + [shown]
            return found, [problem(
                f"{value!r} leads back to {shown}, which is already in the chain "
                f"({' -> '.join(loop)}); a chain of extends must end in a file that extends "
                "nothing")]
        if len(found) >= MAX_CHAIN:
            return found, [problem(f"the chain of extends is longer than {MAX_CHAIN} files; "
                                   "extend the shared file itself")]
        if os.path.isdir(target):
            return found, [problem(f"{value!r} is a folder; name the shared declaration "
                                   "file in it (ragft.yaml or pyproject.toml)")]
        if not os.path.exists(target):
            return found, [problem(f"{value!r}: no such file ({shown}); the path is relative "
                                   f"to {_shown(current.file)}")]
        name = os.path.basename(target)
        if name.lower().endswith(".toml") and name != "pyproject.toml":
            return found, [problem(f"{value!r} is a TOML file other than pyproject.toml; "
                                   "name a YAML declaration or a pyproject.toml with a "
                                   "[tool.ragft-lint] table")]
        loaded = _load(load, os.path.join(base, value), target)
        if isinstance(loaded, list):  # what is wrong in it, at its own lines
            return found, loaded
        if loaded is None:
            return found, [problem(f"{value!r}: {shown} holds no [tool.ragft-lint] table; "
                                   "add the shared settings there, or name another file")]
        found.append(loaded)
        real.append(target)
        current = loaded
    return found, []


def extended_files(document: Document, root: str, load: Loader) -> List[str]:
    """The real paths of the files ``document`` extends, as far as its chain can be followed."""
    return [os.path.realpath(d.file) for d in chain(document, root, load)[0]]


def _load(load: Loader, path: str, target: str) -> Optional[Document] | List[Problem]:
    """The extended file read as a declaration (None: a pyproject.toml without the table)."""
    # Read by the real path (no link is followed twice) and named as the user wrote it.
    try:
        loaded = load(target)
    except DeclarationError as exc:
        return list(exc.problems)
    if loaded is None:
        return None
    return Document(loaded.file, _shown(path), loaded.fmt, loaded.data, loaded.positions,
                    loaded.origin)


def _shown(path: str) -> str:
    return display_path(os.path.normpath(path))
