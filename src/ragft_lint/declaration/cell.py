"""A declaration written as text rather than saved in a file: a notebook's ``%%ragft_lint`` cell.

It is read as if it were saved as ``ragft.yaml`` in a folder, so that its relative evidence
paths start there and its project root is the repository above it. Its places are named
``cell:line:column``, and lines count the magic's own first line, as the cell shows them.
"""

from __future__ import annotations

import os
from typing import Optional

from ..errors import DeclarationError, Problem, UsageError
from .document import MAX_DECLARATION_BYTES, Document


def read_cell(text: str, folder: Optional[str] = None, name: str = "cell") -> Document:
    """The document a cell holds, read as if saved as ``ragft.yaml`` in ``folder`` (default: the
    working folder). Raises ``DeclarationError`` at ``name:line:column`` for what cannot be
    read, and ``UsageError`` when ``folder`` is not one."""
    from .yaml_source import read_yaml

    where = os.path.expanduser(folder) if folder else os.getcwd()
    if not os.path.isdir(where):
        raise UsageError(f"{folder}: no such folder (for a cell, PATH is the folder whose "
                         "files the cell's declaration refers to)")
    # One line up front, so that line numbers count the magic's line as the cell does.
    text = "\n" + text
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_DECLARATION_BYTES:
        raise DeclarationError([Problem(name, 1, 1, f"the cell holds {size} bytes; a "
                                        f"declaration may be at most {MAX_DECLARATION_BYTES}")])
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise DeclarationError([Problem(name, line, nul - text.rfind("\n", 0, nul),
                                        "the cell holds a NUL character")])
    return read_yaml(os.path.join(where, "ragft.yaml"), name, text)
