"""Finding the declaration: which file, and which folder is the project root.

Paths are plain strings (``os.path``): every commit pays for what a check imports, and
``pathlib`` with what it brings costs more than the rest of discovery together. Functions take
any path-like value.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, List, Optional, Tuple, Union

from ..errors import DeclarationError, NoDeclarationError, Problem
from .document import MAX_DECLARATION_BYTES, Document

if TYPE_CHECKING:
    PathLike = Union[str, "os.PathLike[str]"]

YAML_NAMES = ("ragft.yaml", "ragft.yml", ".ragft.yaml", ".ragft.yml")
PYPROJECT = "pyproject.toml"


def display_path(path: PathLike) -> str:
    """A path as the user should read it: relative to the working directory, '/'-separated."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = os.fspath(path)
    return rel.replace(os.sep, "/")


def folders_up(start: str) -> List[str]:
    """``start`` (absolute) and every folder above it, nearest first."""
    folders = [start]
    while True:
        parent = os.path.dirname(folders[-1])
        if parent == folders[-1]:
            return folders
        folders.append(parent)


def repository_root(start: PathLike) -> Optional[str]:
    """The folder holding ``.git`` at or above ``start``, if any."""
    for folder in folders_up(os.path.abspath(start)):
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
    return None


def project_root(start: PathLike) -> str:
    """The repository root above ``start``; outside a repository, ``start`` itself."""
    return repository_root(start) or os.path.abspath(start)


def read_text(file: PathLike, display: str) -> str:
    """Read a declaration file as UTF-8 text, refusing what cannot be a declaration."""
    try:
        if not os.path.isfile(file):
            raise DeclarationError([Problem(display, 1, 1, "not a regular file")])
        size = os.stat(file).st_size
        if size > MAX_DECLARATION_BYTES:
            raise DeclarationError([Problem(
                display, 1, 1,
                f"the file is {size} bytes; a declaration may be at most "
                f"{MAX_DECLARATION_BYTES} bytes",
            )])
        with open(file, "rb") as handle:  # bounded, should the file grow meanwhile
            raw = handle.read(MAX_DECLARATION_BYTES + 1)
    except OSError as exc:
        raise DeclarationError([Problem(display, 1, 1, f"cannot read: {exc.strerror}")]) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DeclarationError([Problem(display, 1, 1, "the file is UTF-16; save it as UTF-8")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column(raw, exc.start)
        raise DeclarationError([Problem(display, line, column,
                                        "the file is not valid UTF-8 text")]) from None
    nul = text.find("\0")
    if nul >= 0:
        line, column = _line_column(text, nul)
        raise DeclarationError([Problem(display, line, column, "the file holds a NUL byte")])
    return text


def _large_without_table(file: str) -> bool:
    """Whether a ``pyproject.toml`` over the size limit never mentions ``ragft-lint``.

    Such a file holds no declaration, so its size is no error. It is read in blocks, in time
    linear in its size and in bounded memory.
    """
    try:
        if os.stat(file).st_size <= MAX_DECLARATION_BYTES:
            return False
        needle, tail = b"ragft-lint", b""
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                if needle in tail + block:
                    return False
                tail = block[-len(needle):]
    except OSError:
        return False  # read_text says what is wrong
    return True


def _line_column(text: str | bytes, offset: int) -> Tuple[int, int]:
    newline = "\n" if isinstance(text, str) else b"\n"
    before = text[:offset]
    line = before.count(newline) + 1  # type: ignore[arg-type]
    column = offset - (before.rfind(newline) + 1) + 1  # type: ignore[arg-type]
    return line, column


def is_declaration_name(path: PathLike) -> bool:
    """Whether a file given on the command line is a declaration by its name.

    Only the declaration names count: an evidence folder may hold YAML files of its own, and
    pre-commit passes those too when a hook's ``files`` is widened to it.
    """
    name = os.path.basename(path)
    return name == PYPROJECT or name in YAML_NAMES


def load_file(given: PathLike) -> Optional[Document]:
    """Read one declaration file; None for a ``pyproject.toml`` without the table."""
    file = os.fspath(given)
    display = display_path(file)
    name = os.path.basename(file)
    if name == PYPROJECT and _large_without_table(file):
        return None  # a project's own large pyproject.toml is none of our business
    text = read_text(file, display)
    if name == PYPROJECT:
        from .toml_source import read_pyproject

        return read_pyproject(file, display, text)
    from .yaml_source import read_yaml

    return read_yaml(file, display, text)


def _in_folder(folder: str) -> Optional[Document]:
    """The declaration held by one folder, if any; two in one folder is an error."""
    found: List[Document] = []
    for name in YAML_NAMES:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            document = load_file(candidate)
            if document is not None:
                found.append(document)
    candidate = os.path.join(folder, PYPROJECT)
    if os.path.isfile(candidate):
        document = load_file(candidate)
        if document is not None:
            found.append(document)
    if len(found) > 1:
        names = " and ".join(d.display for d in found)
        raise DeclarationError([Problem(found[1].display, 1, 1,
                                        f"two declarations ({names}); keep one")])
    return found[0] if found else None


def discover(given: PathLike) -> Tuple[Optional[Document], List[str]]:
    """Walk from ``start`` up to the repository root; the first folder with a declaration wins.

    Returns the document (or None) and the folders looked in, for the error message.
    """
    start = os.path.realpath(given)
    root = repository_root(start)  # outside a repository: up to the file system's root
    searched: List[str] = []
    for folder in folders_up(start):
        searched.append(display_path(folder))
        document = _in_folder(folder)
        if document is not None:
            return document, searched
        if folder == root:
            break
    return None, searched


def find(path: Optional[PathLike]) -> Document:
    """The declaration for an explicit path (a file or a folder), or discovered from here."""
    if path is None or os.path.isdir(path):
        document, searched = discover(os.getcwd() if path is None else path)
        if document is None:
            raise NoDeclarationError(searched)
        return document
    if not os.path.exists(path):
        raise DeclarationError([Problem(display_path(path), 1, 1, "no such file")])
    document = load_file(path)
    if document is None:
        raise NoDeclarationError([display_path(path)])
    return document
