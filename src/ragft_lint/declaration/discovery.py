"""Finding the declaration: which file, and which folder is the project root."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional, Tuple

from ..errors import DeclarationError, NoDeclarationError, Problem
from .document import MAX_DECLARATION_BYTES, Document

YAML_NAMES = ("ragft.yaml", "ragft.yml", ".ragft.yaml", ".ragft.yml")
PYPROJECT = "pyproject.toml"


def display_path(path: Path) -> str:
    """A path as the user should read it: relative to the working directory, '/'-separated."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = str(path)
    return rel.replace(os.sep, "/")


def repository_root(start: Path) -> Optional[Path]:
    """The folder holding ``.git`` at or above ``start``, if any."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def project_root(start: Path) -> Path:
    """The repository root above ``start``; outside a repository, ``start`` itself."""
    return repository_root(start) or start


def read_text(file: Path, display: str) -> str:
    """Read a declaration file as UTF-8 text, refusing what cannot be a declaration."""
    try:
        if not file.is_file():
            raise DeclarationError([Problem(display, 1, 1, "not a regular file")])
        size = file.stat().st_size
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


def _large_without_table(file: Path) -> bool:
    """Whether a ``pyproject.toml`` over the size limit never mentions ``ragft-lint``.

    Such a file holds no declaration, so its size is no error. It is read in blocks, in time
    linear in its size and in bounded memory.
    """
    try:
        if file.stat().st_size <= MAX_DECLARATION_BYTES:
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


def is_declaration_name(path: Path) -> bool:
    """Whether a file given on the command line is a declaration by its name.

    Only the declaration names count: an evidence folder may hold YAML files of its own, and
    pre-commit passes those too when a hook's ``files`` is widened to it.
    """
    return path.name == PYPROJECT or path.name in YAML_NAMES


def load_file(file: Path) -> Optional[Document]:
    """Read one declaration file; None for a ``pyproject.toml`` without the table."""
    display = display_path(file)
    if file.name == PYPROJECT and _large_without_table(file):
        return None  # a project's own large pyproject.toml is none of our business
    text = read_text(file, display)
    if file.name == PYPROJECT:
        from .toml_source import read_pyproject

        return read_pyproject(file, display, text)
    from .yaml_source import read_yaml

    return read_yaml(file, display, text)


def _in_folder(folder: Path) -> Optional[Document]:
    """The declaration held by one folder, if any; two in one folder is an error."""
    found: List[Document] = []
    for name in YAML_NAMES:
        candidate = folder / name
        if candidate.is_file():
            document = load_file(candidate)
            if document is not None:
                found.append(document)
    candidate = folder / PYPROJECT
    if candidate.is_file():
        document = load_file(candidate)
        if document is not None:
            found.append(document)
    if len(found) > 1:
        names = " and ".join(d.display for d in found)
        raise DeclarationError([Problem(found[1].display, 1, 1,
                                        f"two declarations ({names}); keep one")])
    return found[0] if found else None


def discover(start: Path) -> Tuple[Optional[Document], List[str]]:
    """Walk from ``start`` up to the repository root; the first folder with a declaration wins.

    Returns the document (or None) and the folders looked in, for the error message.
    """
    start = start.resolve()
    root = repository_root(start)  # outside a repository: up to the file system's root
    searched: List[str] = []
    for folder in (start, *start.parents):
        searched.append(display_path(folder))
        document = _in_folder(folder)
        if document is not None:
            return document, searched
        if folder == root:
            break
    return None, searched


def find(path: Optional[Path]) -> Document:
    """The declaration for an explicit path (a file or a folder), or discovered from here."""
    if path is None or path.is_dir():
        document, searched = discover(path or Path.cwd())
        if document is None:
            raise NoDeclarationError(searched)
        return document
    if not path.exists():
        raise DeclarationError([Problem(display_path(path), 1, 1, "no such file")])
    document = load_file(path)
    if document is None:
        raise NoDeclarationError([display_path(path)])
    return document
