"""Finding the declaration: which file, and which folder is the project root.

Upwards (``discover``): from a folder to the repository root, the first folder with a
declaration. Downwards (``below``): every declaration at or below a folder, as ruff finds its
files: inside a repository the files git knows (so git-ignored ones are left out), elsewhere a
walk of the tree; hidden folders and virtual environments are skipped either way.

Paths are plain strings (``os.path``): every commit pays for what a check imports, and
``pathlib`` with what it brings costs more than the rest of discovery together. Functions take
any path-like value.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple

from ..errors import DeclarationError, Problem
from .document import MAX_DECLARATION_BYTES, Document

# The names, near-miss names and skipped folders are the listing's, shared here.
from .listing import (
    GIT_TIMEOUT_SECONDS,
    MAX_WALKED_FOLDERS,
    NAMES,
    NEAR_NAMES,
    OTHER_SUFFIXES,
    PYPROJECT,
    SKIPPED_FOLDERS,
    YAML_NAMES,
    display_path,
    is_repository,
    listed_by_git,
    walked,
)

__all__ = ["GIT_TIMEOUT_SECONDS", "MAX_WALKED_FOLDERS", "NAMES", "NEAR_NAMES", "OTHER_SUFFIXES",
           "PYPROJECT", "SKIPPED_FOLDERS", "YAML_NAMES", "Reads", "below", "discover",
           "display_path", "folders_up", "invalid_pyproject", "is_declaration_name",
           "load_file", "load_other", "project_root", "read_text", "refuse_outside_root",
           "repository_root"]

if TYPE_CHECKING:
    from .listing import PathLike



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


def refuse_outside_root(file: str, display: str) -> None:
    """Refuse a declaration file that is a link to a file outside its project root (the
    repository above the folder it is named in): what it says is no part of the project."""
    folder = os.path.realpath(os.path.dirname(os.path.abspath(file)))
    target = os.path.realpath(file)
    root = project_root(folder)
    if target != root and not target.startswith(root.rstrip(os.sep) + os.sep):
        raise DeclarationError([Problem(
            display, 1, 1,
            f"the file links to {display_path(target)}, outside the project root "
            f"{display_path(root)}; copy the declaration into the project")])


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
    refuse_outside_root(file, display)
    text = read_text(file, display)
    if name == PYPROJECT:
        from .toml_source import read_pyproject

        return read_pyproject(file, display, text)
    from .yaml_source import read_yaml

    return read_yaml(file, display, text)


def load_other(given: PathLike) -> Optional[Document]:
    """A YAML or TOML file of another name: a declaration when its top level holds ``systems``,
    else None (evidence, say). A file that is not valid YAML or TOML is an error either way:
    nobody can tell what it was meant to be."""
    file = os.fspath(given)
    display = display_path(file)
    try:
        if os.path.isfile(file) and os.stat(file).st_size > MAX_DECLARATION_BYTES:
            return None  # larger than any declaration may be: evidence
    except OSError:
        pass  # read_text says what is wrong
    refuse_outside_root(file, display)
    text = read_text(file, display)
    if file.lower().endswith(".toml"):
        from .toml_positions import Positions
        from .toml_source import parse_toml

        data = parse_toml(display, text)
        if "systems" not in data:
            return None
        return Document(file, display, "toml", data, Positions(text), (1, 1))
    from .yaml_source import read_yaml

    try:
        document = read_yaml(file, display, text)
    except DeclarationError as exc:
        # Not YAML at all, or something that says it is a declaration: the problems stand.
        # Anything else (several documents, tags, a list) is some other tool's YAML.
        import re

        if any(p.message.startswith("invalid YAML") for p in exc.problems) or \
                re.search(r"(?m)^systems[ \t]*:", text):
            raise
        return None
    return document if "systems" in document.data else None


def invalid_pyproject(given: PathLike) -> Optional[str]:
    """For a ``pyproject.toml`` that holds no declaration: why, when it is not valid TOML (a note
    for the user), else None."""
    file = os.fspath(given)
    display = display_path(file)
    try:
        if os.stat(file).st_size > MAX_DECLARATION_BYTES:
            return None
        text = read_text(file, display)
        from .toml_source import parse_toml

        parse_toml(display, text)
    except (OSError, DeclarationError) as exc:
        problem = exc.problems[0] if isinstance(exc, DeclarationError) else None
        where = str(problem) if problem else f"{display}: cannot read"
        return f"{where}; skipped: it does not mention ragft-lint"
    return None


class Reads:
    """What one resolution has read: each declaration file parsed once, and each folder looked
    in once, however many paths lead there.

    Pre-commit passes every changed file, and each evidence file selects the declaration above
    it: without this, a thousand evidence files would parse the same declaration a thousand
    times. A file is known by its real path (a link and its target are read once); a path other
    than the one first read gets the same parsed content under its own name, and an error
    names that path, as its own read would have. Made for one resolution only, so that a file
    changed since is read again by the next one.
    """

    def __init__(self) -> None:
        # (loader, path as given) -> (loader, file name, real path): the key of what was read.
        # The name is part of the key because it decides the format (pyproject.toml or YAML).
        self._keys: Dict[Tuple[str, str], Tuple[str, str, str]] = {}
        # The key -> the path first read, and its document (None: not a declaration) or error.
        self._read: Dict[Tuple[str, str, str],
                         Tuple[str, Optional[Document], Optional[DeclarationError]]] = {}
        self._folders: Dict[str, Tuple[Optional[Document], Optional[DeclarationError]]] = {}
        self._found: Dict[str, Tuple[Optional[Document], List[str]]] = {}
        self._marked: Dict[str, bool] = {}  # folder -> whether it holds .git
        self._notes: Dict[str, Optional[str]] = {}
        # What a search passed by that a user may have meant as a declaration: file -> why.
        self.near_misses: Dict[str, str] = {}
        # Every declaration of a project, by its root: what may extend a shared file.
        self._project: Dict[str, List[Document]] = {}
        self._chains: Dict[str, List[str]] = {}  # declaration -> the files it extends

    def near_name(self, file: str) -> None:
        """Note a file named like a declaration (``ragft-lint.yaml``), which is not read."""
        shown = display_path(file)
        meant = NEAR_NAMES[os.path.basename(file)]
        self.near_misses.setdefault(
            os.path.realpath(file),
            f"{shown} is not read: did you mean {meant}? rename it to {meant}")

    def hidden(self, file: str) -> None:
        """Note a declaration in a hidden folder, which a folder search skips."""
        shown = display_path(file)
        self.near_misses.setdefault(
            os.path.realpath(file),
            f"{shown} is in a hidden folder, which the search skips: did you mean "
            f"`ragft-lint check {shown}`? name it, or move it out of the hidden folder")

    def file(self, given: PathLike) -> Optional[Document]:
        """``load_file``, once per file."""
        return self._load("file", load_file, os.fspath(given))

    def other(self, given: PathLike) -> Optional[Document]:
        """``load_other``, once per file."""
        return self._load("other", load_other, os.fspath(given))

    def _load(self, loader: str, load: Callable[[str], Optional[Document]],
              file: str) -> Optional[Document]:
        key = self._keys.get((loader, file))
        if key is None:
            key = self._keys[(loader, file)] = (loader, os.path.basename(file),
                                                os.path.realpath(file))
        entry = self._read.get(key)
        if entry is None:
            try:
                document = load(file)
            except DeclarationError as exc:
                self._read[key] = (file, None, exc)
                raise
            self._read[key] = (file, document, None)
            return document
        first, document, error = entry
        if first != file:  # the same file by another path: under that path's name
            display, shown = display_path(file), display_path(first)
            if error is not None:
                error = DeclarationError([p._replace(path=display) if p.path == shown else p
                                          for p in error.problems])
            elif document is not None:
                document = Document(file, display, document.fmt, document.data,
                                    document.positions, document.origin)
        if error is not None:
            raise DeclarationError(error.problems)  # a new one: each raise its own traceback
        return document

    def extending(self, given: PathLike) -> List[Document]:
        """Every declaration of the project (the repository above ``given``) that extends the
        file ``given``, directly or through a chain of extends."""
        from .extend import extended_files

        file = os.path.abspath(given)
        root = self.repository_root(os.path.dirname(file)) or os.path.dirname(file)
        if root not in self._project:
            # A look around the project, not a search the user asked for: what it passes by
            # is not theirs to hear about here.
            near_misses = dict(self.near_misses)
            try:
                self._project[root] = [d for d in below(root, self)[0] if "extend" in d.data]
            except DeclarationError:  # told when those declarations are checked, not here
                self._project[root] = []
            self.near_misses = near_misses
        target = os.path.realpath(file)
        found = []
        for document in self._project[root]:
            if document.file not in self._chains:
                self._chains[document.file] = extended_files(document, root, self.file)
            if target in self._chains[document.file]:
                found.append(document)
        return found

    def invalid_pyproject(self, given: PathLike) -> Optional[str]:
        """``invalid_pyproject``, once per path."""
        path = os.fspath(given)
        if path not in self._notes:
            self._notes[path] = invalid_pyproject(path)
        return self._notes[path]

    def repository_root(self, start: PathLike) -> Optional[str]:
        """``repository_root``, looking for ``.git`` in each folder once."""
        for folder in folders_up(os.path.abspath(start)):
            marked = self._marked.get(folder)
            if marked is None:
                marked = self._marked[folder] = os.path.exists(os.path.join(folder, ".git"))
            if marked:
                return folder
        return None

    def in_folder(self, folder: str) -> Optional[Document]:
        """``_in_folder``, once per folder."""
        entry = self._folders.get(folder)
        if entry is None:
            try:
                entry = (_in_folder(folder, self), None)
            except DeclarationError as exc:
                entry = (None, exc)
            self._folders[folder] = entry
        if entry[1] is not None:
            raise DeclarationError(entry[1].problems)
        return entry[0]

    def discover(self, given: PathLike) -> Tuple[Optional[Document], List[str]]:
        """``discover``: the search from one folder up, once per folder it starts from."""
        # Known by the path given and by its real path: the two lead to the same search.
        key = os.fspath(given)
        found = self._found.get(key)
        if found is None:
            start = os.path.realpath(key)
            found = self._found.get(start)
            if found is None:
                found = self._found[start] = self._search(start)
            self._found[key] = found
        return found[0], list(found[1])

    def _search(self, start: str) -> Tuple[Optional[Document], List[str]]:
        """From a real folder up to the repository root (outside one, the file system's)."""
        root = self.repository_root(start)
        searched: List[str] = []
        for folder in folders_up(start):
            searched.append(display_path(folder))
            document = self.in_folder(folder)
            if document is not None:
                return document, searched
            if folder == root:
                break
        return None, searched


def _in_folder(folder: str, reads: Reads) -> Optional[Document]:
    """The declaration held by one folder, if any; two in one folder is an error."""
    found: List[Document] = []
    for name in NAMES:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            document = reads.file(candidate)
            if document is not None:
                found.append(document)
    for name in NEAR_NAMES:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            reads.near_name(candidate)
    if len(found) > 1:
        names = " and ".join(d.display for d in found)
        raise DeclarationError([Problem(found[1].display, 1, 1,
                                        f"two declarations ({names}); keep one")])
    return found[0] if found else None


def discover(given: PathLike, reads: Optional[Reads] = None
             ) -> Tuple[Optional[Document], List[str]]:
    """Walk from ``start`` up to the repository root; the first folder with a declaration wins.

    Returns the document (or None) and the folders looked in, for the error message.
    ``reads``: what earlier searches of the same resolution read (see ``Reads``).
    """
    return (Reads() if reads is None else reads).discover(given)


def below(given: PathLike, reads: Optional[Reads] = None) -> Tuple[List[Document], List[str]]:
    """Every declaration at or below a folder, sorted by path, and notes for the user.

    Two declarations in one folder are an error, as they are upwards. ``reads``: as for
    ``discover``.
    """
    folder = os.path.realpath(given)
    notes: List[str] = []
    reads = Reads() if reads is None else reads
    root = reads.repository_root(folder)
    files = None
    if root is not None and is_repository(root):
        files, note = listed_by_git(folder, root, reads)
        if note:
            notes.append(note)
    if files is None:
        files, note = walked(folder, reads)
        if note:
            notes.append(note)
    by_folder: dict[str, List[str]] = {}
    for file in sorted(set(files)):
        by_folder.setdefault(os.path.dirname(file), []).append(file)
    documents: List[Document] = []
    problems: List[Problem] = []
    for holder in sorted(by_folder, key=lambda f: os.path.relpath(f, folder).split(os.sep)):
        found: List[Document] = []
        for file in sorted(by_folder[holder], key=lambda f: NAMES.index(os.path.basename(f))):
            try:
                document = reads.file(file)
            except DeclarationError as exc:
                problems.extend(exc.problems)
                continue
            if document is not None:
                found.append(document)
        if len(found) > 1:
            names = " and ".join(d.display for d in found)
            problems.append(Problem(found[1].display, 1, 1,
                                    f"two declarations ({names}); keep one"))
        documents.extend(found[:1])
    if problems:
        raise DeclarationError(problems)
    return documents, notes
