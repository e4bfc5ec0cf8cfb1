"""What a path means: the one place that turns the paths a user gives into declarations.

The command line, ``ragft_lint.check()``, the pytest plugin and the notebook magic all resolve
their paths here, so that the same path means the same declaration everywhere:

- no path: the declaration discovered from the working folder upwards;
- a folder: the declaration discovered from that folder upwards;
- a file with a declaration's name: that declaration (a ``pyproject.toml`` without a
  ``[tool.ragft-lint]`` table is not one, and is skipped quietly);
- any other file (an evidence file, as pre-commit passes it): the declaration above it; when
  there is none, a note says so and names the file.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Dict, List, NamedTuple, Optional, Sequence, Union

from ..errors import DeclarationError, Problem
from . import discovery
from .document import Document

if TYPE_CHECKING:
    PathLike = Union[str, os.PathLike[str]]


class Resolution(NamedTuple):
    """The declarations some paths name, each once in the order given, and what to tell the user
    about paths that named none."""

    documents: List[Document]
    notes: List[str]


def resolve(paths: Sequence[PathLike], cwd: Optional[str] = None) -> Resolution:
    """The declaration files that ``paths`` name (no path: the one discovered from ``cwd``).

    Raises ``NoDeclarationError`` when no path is given and none is found, and
    ``DeclarationError`` with every problem found (a missing path, an unreadable declaration).
    """
    documents: List[Document] = []
    notes: List[str] = []
    if not paths:
        documents.append(discovery.find(cwd))
    problems: List[Problem] = []
    for given in paths:
        path = os.fspath(given)
        try:
            if os.path.isdir(path):
                documents.append(discovery.find(path))
            elif not os.path.exists(path):
                raise DeclarationError([Problem(path, 1, 1, "no such file or folder")])
            elif discovery.is_declaration_name(path):
                document = discovery.load_file(path)
                if document is not None:  # a pyproject.toml without the table: not ours
                    documents.append(document)
            else:  # a file a declaration may point to: the declaration above it
                document, _ = discovery.discover(os.path.dirname(os.path.abspath(path)))
                if document is None:
                    notes.append(f"{discovery.display_path(path)}: no declaration at or above "
                                 "this file; nothing to check for it")
                else:
                    documents.append(document)
        except DeclarationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DeclarationError(problems)
    unique: Dict[str, Document] = {}
    for document in documents:
        unique.setdefault(os.path.realpath(document.file), document)
    return Resolution(list(unique.values()), notes)
