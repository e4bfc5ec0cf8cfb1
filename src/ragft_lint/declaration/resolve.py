"""What a path means: the one place that turns the paths a user gives into declarations.

The command line (``check`` and ``decide``), ``ragft_lint.check()``, the pytest plugin and the
notebook magic all resolve their paths here, so that the same path means the same declarations
everywhere. A file named is never skipped without a word:

- a file with a declaration's name is a declaration; a ``pyproject.toml`` without a
  ``[tool.ragft-lint]`` table is not one and is skipped quietly, unless it is not valid TOML
  (then a note says so; when it mentions ``ragft-lint``, it is an error at its line);
- a YAML or TOML file of another name whose top level holds ``systems`` is a declaration;
  one that is not valid YAML or TOML is an error;
- any other file (evidence, as pre-commit passes it) selects the nearest declaration above it;
  when there is none, a note says so and names the file;
- a YAML or TOML file that declarations ``extend`` (shared settings, see ``extend``) selects
  those declarations as well: a change to it is a change to each of them;
- a folder, and no path at all (the working folder), means every declaration at or below it
  (see ``discovery.below``); when there is none, the nearest one above it; when there is none
  at all, ``NoDeclarationError`` says where it looked.

However many paths lead to one declaration (pre-commit passes every changed evidence file),
one call reads and parses it once (``discovery.Reads``).
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Union

from ..errors import DeclarationError, NoDeclarationError, Problem
from ..notes import Note
from ..record import NamedTuple
from . import discovery
from .document import Document

if TYPE_CHECKING:
    PathLike = Union[str, os.PathLike[str]]


class Resolution(NamedTuple):
    """The declarations some paths name, each once in the order given, and what to tell the user
    about paths that named none."""

    documents: List[Document]
    notes: List[Note]


def resolve(paths: Sequence[PathLike], cwd: Optional[str] = None) -> Resolution:
    """The declaration files that ``paths`` name (no path: those of ``cwd``, by default the
    working folder).

    Raises ``NoDeclarationError`` when a folder (or no path) leads to no declaration at all,
    and ``DeclarationError`` with every problem found (a missing path, an unreadable
    declaration).
    """
    documents: List[Document] = []
    notes: List[Note] = []
    problems: List[Problem] = []
    # Every path of this call shares what was read: a declaration is parsed once however many
    # files lead to it (pre-commit passes each changed evidence file).
    reads = discovery.Reads()
    given = [os.fspath(p) for p in paths] or [cwd or os.getcwd()]
    for path in given:
        try:
            is_folder = _is_folder(path)
            if is_folder:
                documents.extend(_folder(path, notes, reads))
            elif is_folder is None:
                # No position: there is no file to point into.
                raise DeclarationError([Problem(discovery.display_path(path), 0, 0,
                                                "no such file or folder")])
            else:
                documents.extend(_file(path, notes, reads))
        except DeclarationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DeclarationError(problems)
    # Files a folder search passed by that look meant as declarations: never silent.
    notes.extend(Note("near-miss", text, discovery.display_path(file))
                 for file, text in sorted(reads.near_misses.items()))
    unique: Dict[str, Document] = {}
    real: Dict[str, str] = {}  # many paths lead to one document: its real path worked out once
    for document in documents:
        if document.file not in real:
            real[document.file] = os.path.realpath(document.file)
        unique.setdefault(real[document.file], document)
    return Resolution(list(unique.values()), notes)


def _is_folder(path: str) -> Optional[bool]:
    """Whether a path is a folder (None: it is nothing), as ``os.path.isdir`` and
    ``os.path.exists`` together say, in one ``stat``: pre-commit passes a path per changed file."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # ValueError: a NUL in the path
        return None
    return stat.S_ISDIR(mode)


def _folder(path: str, notes: List[Note], reads: discovery.Reads) -> List[Document]:
    """Every declaration at or below a folder; else the nearest above; else an error."""
    found, said = discovery.below(path, reads)
    # The listing of a folder is its own concern: git that could not list it, a walk cut short.
    notes.extend(Note("listing", text, discovery.display_path(path)) for text in said)
    if found:
        return found
    folder = os.path.realpath(path)
    searched = [f"{discovery.display_path(path)} and the folders below it"]
    if reads.repository_root(folder) != folder:  # a repository's root has nothing above
        parent = os.path.dirname(folder)
        if parent != folder:
            document, above = reads.discover(parent)
            if document is not None:
                return [document]
            searched += above
    raise NoDeclarationError(searched, [text for _, text in sorted(reads.near_misses.items())])


def _file(path: str, notes: List[Note], reads: discovery.Reads) -> List[Document]:
    """The declaration a file is, or the one above it when it is none, and the declarations
    that extend it when it holds shared settings (empty: nothing)."""
    name = os.path.basename(path)
    if discovery.is_declaration_name(path):
        document = reads.file(path)
        if document is None:  # a pyproject.toml without the table: not ours
            note = reads.invalid_pyproject(path) if name == discovery.PYPROJECT else None
            if note:
                notes.append(Note("pyproject-skipped", note, discovery.display_path(path)))
            return []
        # Settings only (no systems): what a change to them means is in the services that
        # extend it, which pre-commit does not pass.
        return [document, *(reads.extending(path) if "systems" not in document.data else [])]
    sharing: List[Document] = []
    if name.lower().endswith(discovery.OTHER_SUFFIXES):
        document = reads.other(path)
        if document is not None:
            return [document]
        sharing = reads.extending(path)
    # A file a declaration may point to (evidence): the declaration above it.
    document, _ = reads.discover(os.path.dirname(os.path.abspath(path)))
    if document is None and not sharing:
        shown = discovery.display_path(path)
        notes.append(Note("no-declaration", f"{shown}: no declaration at or above this file; "
                                            "nothing to check for it", shown))
    return ([document] if document is not None else []) + sharing
