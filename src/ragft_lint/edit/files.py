"""Making edits in a declaration file: lock it, splice, read the result back, write it safely."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, List, Sequence, Tuple

from ..errors import RagftLintError
from .changes import Change, Path, apply

if TYPE_CHECKING:
    from ..declaration.document import Document

PYPROJECT_TABLE: Path = ("tool", "ragft-lint")
_BOM = b"\xef\xbb\xbf"


class EditFailed(RagftLintError):
    """The edited text would not read back as intended: the edit is refused, nothing was
    written (exit 2, like every value an edit cannot place without touching other bytes)."""


class Source:
    """A declaration file as it is on disk now: its text, and the document it reads as.

    The file stays locked (``atomic.Locked``) from this reading until ``close``, so that two
    edits at once are made one after the other; use it as a context manager.
    """

    def __init__(self, document: Document) -> None:
        from ..atomic import CHANGED, Locked, WriteRefused
        from ..declaration.discovery import read_text

        self.file = document.file
        self.display = document.display
        self.fmt = document.fmt
        try:
            self.lock = Locked(self.file, self.display)
        except OSError as exc:
            raise WriteRefused(self.display, f"cannot open it for editing: "
                                             f"{exc.strerror or exc}") from None
        try:
            self.original = self.lock.current()
            self.text = read_text(self.file, self.display)
            self.bom = self.original is not None and self.original.startswith(_BOM)
            if self._bytes(self.text) != self.original:  # an editor saved between the reads
                raise WriteRefused(self.display, CHANGED)
        except OSError as exc:
            self.lock.close()
            raise WriteRefused(self.display, f"cannot read: {exc.strerror or exc}") from None
        except BaseException:
            self.lock.close()
            raise
        pyproject = self.fmt == "toml" and os.path.basename(self.file) == "pyproject.toml"
        self.prefix: Path = PYPROJECT_TABLE if pyproject else ()
        self.document = self.read(self.text)

    def read(self, text: str) -> Document:
        """``text`` read as this file's format would read it."""
        from ..declaration.document import Document

        if self.fmt == "yaml":
            from ..declaration.yaml_source import read_yaml

            return read_yaml(self.file, self.display, text)
        if self.prefix:
            from ..declaration.toml_source import read_pyproject

            document = read_pyproject(self.file, self.display, text)
            if document is None:
                raise EditFailed(f"{self.display}: the [tool.ragft-lint] table is gone")
            return document
        from ..declaration.toml_positions import Positions
        from ..declaration.toml_source import parse_toml

        return Document(self.file, self.display, "toml", parse_toml(self.display, text),
                        Positions(text), (1, 1))

    def edited(self, changes: Sequence[Change]) -> str:
        """The text with ``changes`` made, checked to read back as the changed values."""
        try:
            text = _spliced(self.text, self._splices(self.text, changes))
        except _Overlap:  # edits next to each other: one at a time, each on the text before
            text = self.text
            for change in changes:
                text = _spliced(text, self._splices(text, [change]))
        expected = apply(self.document.data, changes)
        try:
            got = self.read(text).data
        except RagftLintError as exc:
            raise EditFailed(f"{self.display}: the edited file would not read back ({exc}); "
                             "nothing was written") from None
        if not _same(got, expected):
            raise EditFailed(f"{self.display}: the edited file would not read back as "
                             "intended; nothing was written")
        return text

    def _splices(self, text: str, changes: Sequence[Change]) -> List[Tuple[int, int, str]]:
        if self.fmt == "yaml":
            from .yaml_text import splices

            return splices(text, self.display, changes)
        from .toml_text import splices as toml_splices

        try:
            return toml_splices(text, self.prefix, changes)
        except (ValueError, IndexError):
            raise EditFailed(f"{self.display}: could not follow the file's layout; "
                             "nothing was written") from None

    def _bytes(self, text: str) -> bytes:
        return (_BOM if self.bom else b"") + text.encode("utf-8")

    def write(self, text: str) -> None:
        """Replace the file with ``text``, if it still holds exactly what was read."""
        from ..atomic import WriteRefused

        try:
            self.lock.replace(self._bytes(text), self.original)
        except OSError as exc:  # a full disk, an unwritable folder
            raise WriteRefused(self.display, f"cannot write: {exc.strerror or exc}; nothing "
                                             "was written") from None

    def close(self) -> None:
        self.lock.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class _Overlap(Exception):
    """Two edits touch the same characters: they are made one at a time instead."""


def _spliced(text: str, splices: List[Tuple[int, int, str]]) -> str:
    ordered = sorted(splices, key=lambda s: (s[0], s[1]))
    for (_, end, _), (start, _, _) in zip(ordered, ordered[1:]):
        if start < end:
            raise _Overlap()
    for start, end, new in reversed(ordered):
        text = text[:start] + new + text[end:]
    return text


def _same(got: Any, expected: Any) -> bool:
    if isinstance(got, dict) and isinstance(expected, dict):
        return set(got) == set(expected) and all(_same(got[k], expected[k]) for k in got)
    if isinstance(got, list) and isinstance(expected, list):
        return len(got) == len(expected) and all(map(_same, got, expected))
    return bool(got == expected) and type(got) is type(expected)
